/*
 * watcher_int.h: what the parts of the watcher share (private to
 * src/transport/).
 *
 *   watcher.c        life cycle, the loop, the lws callback, timers, the
 *                    connect queue and name resolution
 *   watcher_ws.c     the WebSocket: connect, receive, write, fall back,
 *                    retry
 *   watcher_poll.c   HTTP polling while in fallback
 *   watcher_live.c   pings and pong deadlines (one tick for everyone)
 *
 * Each endpoint (struct wep) owns at most two connections: the WebSocket
 * and one poll request; each carries a struct wconn as lws opaque user
 * data. When we give up on a connection (deadline, dead pong, pause,
 * recovery) we detach it first (opaque data NULL), then kill it, so its late
 * callbacks find nothing to act on and the model hears about the outcome
 * exactly once, when we decided it.
 *
 * Timers are theap timers in a net_timers (net.h), driven by one lws timer
 * (lws keeps its own in a sorted list that costs O(n) per insert). Connections
 * start through a queue that keeps at most WATCH_MAX_CONNECTING handshakes and
 * polls in flight, so thousands of endpoints failing together neither flood the
 * machine with SYNs nor fill lws's timeout list.
 */
#ifndef WSDASH_WATCHER_INT_H
#define WSDASH_WATCHER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "wsdash/probe.h"
#include "wsdash/resolve.h"
#include "wsdash/rng.h"
#include "wsdash/theap.h"
#include "wsdash/watcher.h"
#include "net.h"

#define WATCH_MAX_CONNECTING  512 /* handshakes + polls in flight */
#define WATCH_TIMERS_PER_PASS 512 /* then the loop looks at its stop flag */
#define JPING_SLOTS           4   /* JSON pings awaiting their pong */

enum wkind { WK_WS, WK_POLL, WK_STDIN, WK_WAKE };

/*
 * Where a connection is on its way to the network: resolving its host,
 * waiting for a connect slot, or connecting (holding a slot).
 */
enum wphase { WP_IDLE, WP_DNS, WP_QUEUED, WP_CONNECTING };

struct wep;
struct watcher;

/* What an lws connection is to us (its opaque user data). */
struct wconn {
	struct wep *e; /* NULL for stdin and the wake descriptor */
	enum wkind kind;
	struct watcher *w;
};

struct jping {
	double ts; /* the value we sent */
	int64_t sent_us;
};

/* One endpoint's connections, timers and buffers. */
struct wep {
	struct watcher *w;
	struct mon_ep *m;
	const struct endpoint_cfg *cfg;
	int timeout_ms;
	struct wconn wsc, pollc;

	/* WebSocket */
	struct lws *ws;
	enum wphase ws_phase; /* != WP_IDLE: an attempt is under way */
	bool ws_open;
	bool ws_closing;  /* we are closing it (exit): no report */
	unsigned ws_addr; /* which of the host's addresses */
	char ws_ip[RESOLVE_ADDR_MAX];
	int64_t ws_t0_us;
	int ws_status;
	bool ws_proto; /* the 101 named a subprotocol */
	int tls_error;
	char tls_reason[96];
	int peer_close_code;
	char peer_close_why[64];
	bool hello_pending;
	struct theap_timer t_connect; /* DNS or handshake deadline */
	struct theap_timer t_retry;

	/* reassembly: up to max_message, dropped (and counted) beyond */
	char *rx;
	size_t rx_len, rx_cap;
	bool rx_discard;
	size_t rx_dropped_len;

	/* pings */
	bool ping_due;
	/*
	 * Backoff attempt: failures in a row. A stream that was lost only
	 * counts as a success (attempt back to 0) if it proved to work (a
	 * pong or a message came), so a server that accepts and closes at
	 * once is retried with a growing delay, not once a second forever.
	 */
	unsigned attempt;
	bool proven;
	int64_t last_ping_us;
	int64_t ping_outstanding_us; /* oldest unanswered ping, 0 none */
	bool stale_reported;
	uint64_t ping_seq; /* last protocol ping sent */
	uint64_t pong_seq; /* last protocol ping answered */
	struct jping jping[JPING_SLOTS];
	unsigned njping;

	/* polling: the body kept up to max_message, the poll cut beyond */
	bool polling;
	const struct url *poll_url; /* being tried, or known to answer */
	bool poll_known;            /* poll_url answered 2xx once */
	int poll_first_status;      /* the first candidate's failure, */
	char poll_first_why[128];   /* kept while the second is tried */
	int64_t fast_retry_us;      /* last retry a good poll brought forward */
	bool ws_conn_failed;        /* the last attempt failed below HTTP */
	enum wphase poll_phase;
	unsigned poll_addr;
	char poll_ip[RESOLVE_ADDR_MAX];
	struct lws *poll;
	struct theap_timer t_poll;
	struct theap_timer t_poll_to;
	int64_t poll_t0_us;
	int poll_status;
	char *poll_body;
	size_t poll_len;
	bool poll_too_big;
};

/* A queued connect: endpoint and which connection. */
struct wreq {
	struct wep *e;
	enum wkind kind;
};

struct watcher {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct demo_server *demo;
	const struct config *c;
	struct mon *m;
	const struct watcher_hooks *h;
	struct wep *eps;
	size_t n;
	struct rng rng;
	struct resolver *dns;
	struct net_timers timers;
	lws_sorted_usec_list_t sul_tick;
	lws_sorted_usec_list_t sul_end;
	lws_sorted_usec_list_t sul_live;   /* pings and pong deadlines */
	lws_sorted_usec_list_t sul_frame;  /* the dashboard's next frame */
	lws_sorted_usec_list_t sul_chores; /* hooks->chores, when it asked */
	lws_sorted_usec_list_t sul_queue;  /* start queued connects */
	/* the connect queue: a ring of at most 2n requests */
	struct wreq *q;
	size_t q_head, q_len, q_cap;
	unsigned connecting; /* connections holding a slot */
	volatile sig_atomic_t *stop;
	bool done;
	bool stdin_adopted;
	struct wconn stdinc, wakec;
	lws_retry_bo_t no_keepalive;
};

/* watcher.c */
/* hooks->chores in delay_us (replacing a call already due). */
void watcher_chores(struct watcher *w, int64_t delay_us);
void watcher_apply(struct wep *e, const struct mon_event *ev);
void watcher_apply_simple(struct wep *e, enum mon_ev_kind k, const char *text);
void watcher_timer_arm(struct watcher *w, struct theap_timer *t,
                       int64_t delay_us, void (*fire)(struct theap_timer *));
void watcher_timer_cancel(struct watcher *w, struct theap_timer *t);
void watcher_detach_kill(struct lws **pwsi);
/*
 * Start the connection kind of e: resolve its host, wait for a slot, then
 * call wws_connect()/wpoll_connect() with a numeric address. Returns at
 * once; failures come back through wws_failed()/wpoll_done().
 */
void watcher_start(struct wep *e, enum wkind kind);
/* Move e's connection kind to phase, keeping the slot count. */
void watcher_phase(struct wep *e, enum wkind kind, enum wphase phase);
/* Client connect info for u at the numeric address ip. */
void watcher_connect_info(struct wep *e, struct lws_client_connect_info *i,
                          const struct url *u, const char *ip, char *host,
                          size_t hostlen);
/*
 * The connection to the current address failed before TCP was up: try
 * the host's next address. Returns false when there is none.
 */
bool watcher_next_address(struct wep *e, enum wkind kind);

/* watcher_ws.c */
void wws_start(struct wep *e); /* connect now (skipping any backoff) */
void wws_connect(struct wep *e, const char *ip);
void wws_failed(struct wep *e, enum probe_outcome out, const char *error,
                bool tcp_connected);
void wws_lost(struct wep *e, const char *why);
void wws_reset(struct wep *e);
void wws_established(struct wep *e, struct lws *wsi);
void wws_receive(struct wep *e, struct lws *wsi, const char *in, size_t len);
int wws_writeable(struct wep *e, struct lws *wsi);
void wws_pong(struct wep *e, const void *in, size_t len);

/* watcher_poll.c */
void wpoll_begin(struct wep *e); /* fallback: poll now and then on */
void wpoll_connect(struct wep *e, const char *ip);
void wpoll_stop(struct wep *e);
void wpoll_done(struct wep *e, bool ok, const char *why);

/*
 * The server of endpoint e answers again (a good poll after a
 * connection-level failure): retry the WebSocket now, at most once per
 * poll interval, instead of waiting out the backoff.
 */
void wpoll_fast_return(struct wep *e);

/*
 * Something on u's server (host and port) answered after it was away: the
 * endpoints there whose WebSocket failed below HTTP retry now (those
 * without a poll URL have nothing else to tell them).
 */
void watcher_server_back(struct watcher *w, const struct url *u);
void wpoll_status(struct wep *e, struct lws *wsi);
int wpoll_body(struct wep *e, const char *in, size_t len);
void wpoll_completed(struct wep *e);

/* watcher_live.c */
void wlive_tick(lws_sorted_usec_list_t *sul);
int64_t wlive_period_us(const struct config *c);
int wlive_send_ping(struct wep *e, struct lws *wsi);
bool wlive_json_pong(struct wep *e, const char *data, size_t len);
void wlive_pong(struct wep *e, int64_t sent_us, int64_t now);

#endif
