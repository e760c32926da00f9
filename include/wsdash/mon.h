/*
 * mon: the live model of every watched endpoint, and its state machine.
 *
 * The transport turns what happens on the network into struct mon_event and
 * calls mon_apply() with the current (monotonic) time; the headless printer
 * and the dashboard only read struct mon_ep. Pure: no lws, no curses, no
 * clock reads, no I/O. Per endpoint memory is bounded: fixed rings for RTT,
 * rate and transitions, and one copy of the last message of at most
 * MON_LAST_MAX bytes.
 *
 * States:
 *   connecting  first attempt under way
 *   live        WebSocket open, pongs arriving
 *   stale       open, but no pong within the ping timeout (half-open?)
 *   polling     WebSocket unavailable, HTTP polling answers
 *   down        WebSocket unavailable, and polling fails, has not answered
 *               yet (poll_pending) or there is none
 *
 * Losing the WebSocket (from connecting/live/stale) starts a fallback:
 * down at once, flagged, with since when, why, retries and the next retry;
 * polling only once a poll has answered. The first WebSocket open after it
 * ends the fallback and records how long it lasted. Reasons stay current:
 * the latest failed retry or poll.
 *
 * Besides the state, the model keeps what a browser running the web
 * frontend would show now (mon_browser), whether an open stream has gone
 * silent (mon_silence), and traffic of types that are not the endpoint's
 * own (a backend that sends every message to every socket): counted apart,
 * never the endpoint's last event, count or rate.
 */
#ifndef WSDASH_MON_H
#define WSDASH_MON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/config.h"
#include "wsdash/msgsum.h"
#include "wsdash/rtt.h"

enum mon_state {
	MON_CONNECTING,
	MON_LIVE,
	MON_STALE,
	MON_POLLING,
	MON_DOWN,
	MON_NSTATES
};
enum mon_mode { MON_MODE_WEBSOCKET, MON_MODE_POLLING, MON_MODE_NONE };

enum mon_ev_kind {
	MEV_WS_OPEN,     /* handshake completed */
	MEV_WS_FAIL,     /* handshake failed: cls, status, text */
	MEV_WS_CLOSED,   /* an open stream was lost: close_code, text */
	MEV_PONG,        /* rtt_us */
	MEV_PONG_LATE,   /* no pong within the ping timeout */
	MEV_MESSAGE,     /* data/len/binary, wall_ms */
	MEV_MSG_DROPPED, /* len: over --max-message, dropped */
	MEV_POLL_OK,     /* status, rtt_us, data/len (the body) */
	MEV_POLL_FAIL,   /* status (0: no answer), text */
	MEV_PAUSE,       /* the user paused the endpoint (text: why, or NULL) */
	MEV_RESUME,      /* ...and resumed it: connecting again */
	MEV_NKINDS
};

struct mon_event {
	enum mon_ev_kind kind;
	int status;       /* HTTP status, 0 if none */
	int cls;          /* enum probe_class for WS_FAIL */
	int close_code;   /* WS_CLOSED: peer's close code, 0 if none */
	const char *text; /* reason text (from the network: sanitized here) */
	int64_t rtt_us;   /* PONG, POLL_OK */
	const char *data; /* MESSAGE, POLL_OK: payload, not NUL-terminated */
	size_t len;
	bool binary;
	int64_t wall_ms; /* wall clock at arrival (for lag) */
};

/* What mon_apply() changed, for printers and redraws. */
enum {
	MON_CHG_STATE = 1 << 0,   /* state or mode */
	MON_CHG_MESSAGE = 1 << 1, /* a message was counted */
	MON_CHG_RTT = 1 << 2,
	MON_CHG_POLL = 1 << 3,
	MON_CHG_OTHER = 1 << 4,     /* counters, retries, reasons */
	MON_CHG_OTHER_MSG = 1 << 5, /* a message of another endpoint's type */
	MON_CHG_SILENCE = 1 << 6,   /* went silent, or spoke again */
};

#define MON_REASON_MAX  128
#define MON_HISTORY     8           /* transitions kept (detail lists 6) */
#define MON_LAST_MAX    (64 * 1024) /* bytes of the last message kept */
#define MON_RATE_SECS   16          /* one-second buckets for the rate */
#define MON_RATE_WINDOW 5           /* seconds the rate averages over */

/* RTT histograms (exporter): bucket upper bounds, 100 us to 10 s. */
#define MON_HIST_BUCKETS 16
extern const int64_t mon_hist_bounds_us[MON_HIST_BUCKETS];

struct mon_transition {
	int64_t at_us;
	int64_t wall_ms;
	enum mon_state from, to;
	char reason[MON_REASON_MAX];
};

struct mon_ep {
	const struct endpoint_cfg *cfg;
	enum mon_state state;
	enum mon_mode mode;
	bool paused;
	int64_t since_us;            /* in this state since */
	char reason[MON_REASON_MAX]; /* why this state */

	/* fallback */
	int64_t fallback_since_us; /* 0: not in fallback */
	char fallback_reason[MON_REASON_MAX];
	unsigned retries; /* WebSocket retries in this fallback */
	char retry_reason[MON_REASON_MAX]; /* why the last retry failed */

	int64_t next_retry_us;    /* 0: none scheduled */
	int64_t last_fallback_us; /* duration of the last one, 0 if none */
	bool was_open;            /* the WebSocket opened at least once */
	bool poll_pending;        /* in fallback, no poll has answered yet */
	bool close_1002; /* lost with 1002: protocol error, or a restart */

	/* history ring */
	struct mon_transition hist[MON_HISTORY];
	unsigned hist_head, hist_len;

	/* counters */
	uint64_t msgs, bytes, dropped, reconnects, fallbacks;
	uint64_t polls, poll_failures;
	uint64_t rate_count[MON_RATE_SECS];
	int64_t rate_sec[MON_RATE_SECS];

	/* time share on WebSocket */
	int64_t acct_us;  /* last accounting point */
	int64_t ws_us;    /* time spent with mode websocket */
	int64_t total_us; /* time accounted (not paused) */

	struct rtt_ring rtt;

	/* last message: analysed whole on arrival, a bounded copy kept */
	char *last;       /* heap copy, <= MON_LAST_MAX bytes */
	size_t last_len;  /* bytes kept */
	size_t last_full; /* its real size */
	bool last_binary;
	bool last_from_poll;
	int64_t last_at_us;
	int64_t last_wall_ms;
	struct msg_info last_info; /* of the whole message */
	bool last_info_ok;         /* made yet (mon_last_info makes it) */
	bool utf8;                 /* how network text is kept */

	/* other traffic: messages of types that are not this endpoint's */
	uint64_t others, other_bytes;
	char other_type[MSG_TYPE_MAX];

	/* silence: an open stream with no own message for max_silence_ms */
	int max_silence_ms; /* 0: not watched */
	int64_t open_us;    /* the WebSocket opened (0: not open) */
	int64_t last_own_us;
	bool silent;

	/* what a browser would show (see mon_browser) */
	int64_t browser_lost_us; /* the stream went away; 0: it has not */
	int64_t browser_back_us; /* ...and came back for us; 0: not yet */

	/* polling */
	const struct url *poll_url; /* in use; NULL before it is known */
	int last_poll_status;
	char last_poll_error[MON_REASON_MAX]; /* why the last failed poll did */
	int64_t last_poll_rtt_us;
	int64_t last_poll_at_us;

	/*
	 * For the Prometheus exporter (metrics.h): running totals that the
	 * views above do not keep, updated only by mon_apply(). Histogram
	 * counts are per bucket (not cumulative): [i] counts samples <=
	 * mon_hist_bounds_us[i] and above the bound before it, the last slot
	 * those above the top bound.
	 */
	int64_t fallback_us;      /* time in fallback (polling or down) */
	int64_t last_msg_wall_ms; /* wall clock of the last own message, 0 */
	uint64_t rtt_hist[MON_HIST_BUCKETS + 1]; /* pong round trips */
	int64_t rtt_sum_us;
	uint64_t poll_hist[MON_HIST_BUCKETS + 1]; /* answered polls */
	int64_t poll_sum_us;
};

struct mon {
	struct mon_ep *eps;
	size_t n;
	int64_t start_us;
	bool utf8; /* how network text is kept (see sanitize_text) */
};

/* One mon_ep per configured endpoint, all connecting at now_us. */
bool mon_init(struct mon *m, const struct config *c, int64_t now_us, bool utf8);

/* The poll URL now in use (the transport found it among candidates). */
void mon_set_poll_url(struct mon_ep *ep, const struct url *u);

/*
 * The web frontend reconnects after min(1000 x 2^n, 30000) ms + up to 1 s
 * (n = 1, 2, ...), shows "Polling fallback" while disconnected, and gives
 * up after 10 failed tries until the page is reloaded. What a browser that
 * had the page open would show now, given when the stream went away and
 * came back for us (mean jitter assumed).
 */
enum mon_browser { MB_LIVE, MB_FALLBACK, MB_GAVE_UP };

struct mon_browser_view {
	enum mon_browser view;
	int tries;           /* failed reconnects so far */
	int64_t next_try_us; /* MB_FALLBACK: when it tries again */
};

#define MON_BROWSER_TRIES 10

void mon_browser(const struct mon_ep *ep, int64_t now_us,
                 struct mon_browser_view *out);

/* "live", "Polling fallback", "gave up (reload needed)". */
const char *mon_browser_text(enum mon_browser b);

/*
 * Look at the silence of ep at now_us: an open stream (live or stale) with
 * no message of its own for max_silence_ms is silent (a handler that died
 * behind a socket that still answers pings). Returns true if that changed.
 */
bool mon_silence(struct mon_ep *ep, int64_t now_us);
void mon_done(struct mon *m);

/* Apply ev to ep at now_us; returns MON_CHG_* flags. */
unsigned mon_apply(struct mon *m, struct mon_ep *ep, const struct mon_event *ev,
                   int64_t now_us);

/*
 * Backoff before WebSocket retry number attempt (0-based): base_ms (1 s by
 * default) doubling to a 30 s cap, times a jitter factor in [0.8, 1.2) from
 * u in [0, 1), never above the cap. Pure.
 */
int64_t mon_backoff_ms(unsigned attempt, double u, int base_ms);

/* Record that the next retry is due at at_us (the transport schedules it). */
void mon_set_next_retry(struct mon_ep *ep, int64_t at_us);

/* Messages per second over the last MON_RATE_WINDOW whole seconds. */
double mon_rate(const struct mon_ep *ep, int64_t now_us);

/* Share of time on WebSocket so far, 0..1 (1 before any time passed). */
double mon_ws_share(const struct mon_ep *ep, int64_t now_us);

/*
 * Time spent on WebSocket and in fallback up to now_us (paused time counts
 * for neither): what has been accounted plus the time since. Never
 * decreases while now_us does not.
 */
void mon_time_totals(const struct mon_ep *ep, int64_t now_us, int64_t *ws_us,
                     int64_t *fallback_us);

/* The last message's analysis (of the whole message). NULL if none. */
const struct msg_info *mon_last_info(const struct mon_ep *ep);

/* Lag of the last message in ms; false if it carried no timestamp. */
bool mon_last_lag(const struct mon_ep *ep, double *lag_ms);

/* i-th newest transition (0 = newest), NULL past the end. */
const struct mon_transition *mon_history(const struct mon_ep *ep, unsigned i);

/* "connecting", "live", "stale", "polling", "down". */
const char *mon_state_name(enum mon_state s);

/* "websocket", "polling", "none". */
const char *mon_mode_name(enum mon_mode m);

/* Whether a state is a fallback (polling or down). */
bool mon_in_fallback(const struct mon_ep *ep);

#endif
