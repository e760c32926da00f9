/*
 * watcher.c: subscriptions, pings, fallback polling and retries for every
 * endpoint, in one lws loop; see watcher.h.
 *
 * Each endpoint (struct wep) owns its timers as lws suls and at most two
 * connections: the WebSocket and one poll request. Each connection carries a
 * struct wconn as lws opaque user data. When we give up on a connection
 * (handshake deadline, dead pong, pause, recovery) we detach it first
 * (opaque data set to NULL) and then kill it, so its late callbacks find
 * nothing to act on and the model hears about the outcome exactly once, at
 * the moment we decided it.
 *
 * Bounds: a message is reassembled up to max_message bytes and dropped
 * beyond (counted, stream kept); a poll body is kept up to max_message; the
 * reassembly buffer shrinks back after large messages.
 */
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "wsdash/clock.h"
#include "wsdash/probe.h"
#include "wsdash/rng.h"
#include "wsdash/sanitize.h"
#include "wsdash/watcher.h"
#include "demo_server.h"
#include "net.h"

#define RX_KEEP        (64 * 1024) /* reassembly buffer kept between messages */
#define JPING_SLOTS    4           /* JSON pings awaiting their pong */
#define PING_PAYLOAD   16          /* mono us + sequence number */
#define CLOSE_GRACE_US (200 * 1000) /* time to send close frames at exit */

enum wkind { WK_WS, WK_POLL, WK_STDIN };

struct wep;
struct watcher;

/* What an lws connection is to us (its opaque user data). */
struct wconn {
	struct wep *e; /* NULL for stdin */
	enum wkind kind;
	struct watcher *w; /* stdin only */
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
	bool ws_connecting;
	bool ws_open;
	bool ws_closing; /* we are closing it (exit): no report */
	int64_t ws_t0_us;
	int ws_status;
	int tls_error;
	char tls_reason[96];
	int peer_close_code;
	char peer_close_why[64];
	bool hello_pending;
	lws_sorted_usec_list_t sul_connect; /* handshake deadline */
	lws_sorted_usec_list_t sul_retry;

	/* reassembly */
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
	uint64_t ping_seq;
	struct jping jping[JPING_SLOTS];
	unsigned njping;

	/* polling */
	bool polling;
	struct lws *poll;
	lws_sorted_usec_list_t sul_poll;
	lws_sorted_usec_list_t sul_poll_to;
	int64_t poll_t0_us;
	bool poll_inflight;
	int poll_status;
	char *poll_body;
	size_t poll_len;
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
	lws_sorted_usec_list_t sul_tick;
	lws_sorted_usec_list_t sul_end;
	lws_sorted_usec_list_t sul_live;  /* pings and pong deadlines */
	lws_sorted_usec_list_t sul_frame; /* the dashboard's next frame */
	volatile sig_atomic_t *stop;
	bool done;
	bool stdin_adopted;
	struct wconn stdinc;
	lws_retry_bo_t no_keepalive;
};

static void ws_connect(struct wep *e);
static void poll_start(struct wep *e);

/* ---- model glue --------------------------------------------------------- */

static void
apply(struct wep *e, const struct mon_event *ev)
{
	unsigned chg = mon_apply(e->w->m, e->m, ev, clock_mono_us());

	if (chg && e->w->h && e->w->h->changed)
		e->w->h->changed(e->w->h->user, e->m, chg, ev);
}

static void
apply_simple(struct wep *e, enum mon_ev_kind k, const char *text)
{
	struct mon_event ev = {
	    .kind = k, .text = text, .wall_ms = clock_wall_ms()};

	apply(e, &ev);
}

/* ---- connections ----------------------------------------------------------
 */

/* Forget a connection and have lws close it; its callbacks then see NULL. */
static void
detach_kill(struct lws **pwsi)
{
	if (*pwsi != NULL) {
		lws_set_opaque_user_data(*pwsi, NULL);
		lws_set_timeout(*pwsi, PENDING_TIMEOUT_USER_OK,
		                LWS_TO_KILL_ASYNC);
		*pwsi = NULL;
	}
}

static void
connect_info(struct wep *e, struct lws_client_connect_info *i,
             const struct url *u, char *host, size_t hostlen)
{
	net_client_info(i, e->w->ctx, e->w->vh, e->w->c, u, "wsdash-watch",
	                host, hostlen);
	i->retry_and_idle_policy = &e->w->no_keepalive;
}

/*
 * Start a connection with its deadline timer. *pending is the caller's "in
 * progress" flag, which callbacks clear when they settle the outcome: they
 * can run inside lws_client_connect_via_info(), and then the returned wsi
 * is no longer ours to keep. No i->pwsi: lws would clear it when this
 * connection ends, which can be long after a newer one took its place.
 */
static struct lws *
connect_with_deadline(struct wep *e, struct lws_client_connect_info *i,
                      lws_sorted_usec_list_t *sul, sul_cb_t cb,
                      const bool *pending)
{
	struct lws *wsi;

	lws_sul_schedule(e->w->ctx, 0, sul, cb,
	                 (lws_usec_t)e->timeout_ms * 1000);
	wsi = lws_client_connect_via_info(i);
	return wsi != NULL && *pending ? wsi : NULL;
}

/* ---- fallback and retry ----------------------------------------------------
 */

static void
retry_fire(lws_sorted_usec_list_t *sul)
{
	struct wep *e = lws_container_of(sul, struct wep, sul_retry);

	if (!e->m->paused && !e->ws_open && !e->ws_connecting)
		ws_connect(e);
}

/*
 * The WebSocket just became unavailable: pick the retry time (so that the
 * model, and what prints it, knows it), returning the delay in us. The
 * attempt number is the failures so far in this fallback.
 */
static int64_t
fallback_prepare(struct wep *e)
{
	int64_t delay_us = mon_backoff_ms(e->attempt, rng_unit(&e->w->rng),
	                                  e->w->c->retry_base_ms) *
	                   1000;

	e->attempt++;
	mon_set_next_retry(e->m, clock_mono_us() + delay_us);
	return delay_us;
}

/* ...then poll (at once, same loop iteration) and arm the retry. */
static void
fallback_start(struct wep *e, int64_t delay_us)
{
	if (e->m->paused)
		return;
	lws_sul_schedule(e->w->ctx, 0, &e->sul_retry, retry_fire, delay_us);
	if (e->cfg->has_poll && !e->polling) {
		e->polling = true;
		poll_start(e);
	}
}

static void
ws_reset(struct wep *e)
{
	e->ws_open = false;
	e->ws_connecting = false;
	e->hello_pending = false;
	e->ping_due = false;
	e->ping_outstanding_us = 0;
	e->stale_reported = false;
	e->njping = 0;
	e->rx_len = 0;
	e->rx_discard = false;
	lws_sul_cancel(&e->sul_connect);
	if (e->rx_cap > RX_KEEP) {
		free(e->rx);
		e->rx = NULL;
		e->rx_cap = 0;
	}
}

/*
 * The WebSocket is gone (ev says why): the retry time first, so that what
 * prints the model's change can show it, then the model, then polling.
 */
static void
fall_back(struct wep *e, struct mon_event *ev)
{
	int64_t delay;

	ev->wall_ms = clock_wall_ms();
	ws_reset(e);
	delay = fallback_prepare(e);
	apply(e, ev);
	fallback_start(e, delay);
}

/* The handshake failed: tell the model with the check's classes. */
static void
ws_failed(struct wep *e, enum probe_outcome out, const char *lws_error,
          bool tcp_connected)
{
	struct probe_obs o = {0};
	struct mon_event ev = {0};
	char brief[160];

	o.outcome = out;
	o.http_status = e->ws_status;
	o.tls_error = e->tls_error;
	o.tcp_connected = tcp_connected;
	o.timeout_ms = e->timeout_ms;
	snprintf(o.tls_reason, sizeof(o.tls_reason), "%s", e->tls_reason);
	sanitize_text(o.error, sizeof(o.error), lws_error, strlen(lws_error),
	              true);
	ev.kind = MEV_WS_FAIL;
	ev.cls = probe_classify(&o);
	ev.status = e->ws_status;
	probe_brief(&o, ev.cls, brief, sizeof(brief));
	ev.text = brief;
	fall_back(e, &ev);
}

/* An open stream was lost (or we gave up on it). */
static void
ws_lost(struct wep *e, const char *why)
{
	struct mon_event ev = {0};

	if (e->proven)
		e->attempt = 0;
	ev.kind = MEV_WS_CLOSED;
	ev.close_code = e->peer_close_code;
	ev.text = why ? why : e->peer_close_why;
	fall_back(e, &ev);
}

static void
connect_deadline(lws_sorted_usec_list_t *sul)
{
	struct wep *e = lws_container_of(sul, struct wep, sul_connect);
	bool connected;

	if (!e->ws_connecting)
		return;
	connected = net_tcp_connected(e->ws);
	detach_kill(&e->ws);
	ws_failed(e, PO_TIMEOUT, "", connected);
}

static void
ws_connect(struct wep *e)
{
	struct lws_client_connect_info i;
	char host[URL_HOST_MAX + 16];
	const struct config *c = e->w->c;

	lws_sul_cancel(&e->sul_retry);
	ws_reset(e);
	e->ws_connecting = true;
	e->ws_status = 0;
	e->tls_error = 0;
	e->tls_reason[0] = '\0';
	e->peer_close_code = 0;
	e->peer_close_why[0] = '\0';
	e->ws_t0_us = clock_mono_us();
	e->proven = false;
	connect_info(e, &i, &e->cfg->ws, host, sizeof(host));
	i.protocol = c->subprotocol;
	i.opaque_user_data = &e->wsc;
	e->ws = connect_with_deadline(e, &i, &e->sul_connect, connect_deadline,
	                              &e->ws_connecting);
	if (e->ws == NULL && e->ws_connecting) {
		/* lws resolves with a blocking getaddrinfo() and reports a
		 * failure only by returning NULL: tell DNS apart here. */
		struct addrinfo hints = {0}, *res = NULL;
		int r;
		char why[160];

		e->ws = NULL;
		hints.ai_socktype = SOCK_STREAM;
		r = getaddrinfo(e->cfg->ws.host, NULL, &hints, &res);
		if (res)
			freeaddrinfo(res);
		if (r != 0) {
			snprintf(why, sizeof(why), "'%.64s': %s",
			         e->cfg->ws.host, gai_strerror(r));
			ws_failed(e, PO_DNS, why, false);
		} else {
			ws_failed(e, PO_CONN_ERROR,
			          "could not start the connection", false);
		}
	}
}

/* ---- pings ------------------------------------------------------------------
 */

/*
 * Pings and pong deadlines run off one watcher-wide timer (liveness_tick),
 * not a pair of timers per endpoint: with a thousand endpoints that is one
 * wakeup per tick instead of thousands, and no sorted-list churn.
 */

/* A ping was written at now: start the pong clock if none is running. */
static void
ping_sent(struct wep *e, int64_t now)
{
	e->last_ping_us = now;
	if (e->ping_outstanding_us == 0)
		e->ping_outstanding_us = now;
}

/* Stale after ping_timeout without a pong, dropped after twice that. */
static void
liveness_check(struct wep *e, int64_t now)
{
	int64_t timeout_us = (int64_t)e->w->c->ping_timeout_ms * 1000;
	int64_t waited = now - e->ping_outstanding_us;
	char why[96];

	if (!e->ws_open || e->ping_outstanding_us == 0 || waited < timeout_us)
		return;
	if (waited >= 2 * timeout_us) {
		snprintf(why, sizeof(why), "no pong for %lld ms (half-open?)",
		         (long long)(waited / 1000));
		detach_kill(&e->ws);
		ws_lost(e, why);
		return;
	}
	if (!e->stale_reported) {
		e->stale_reported = true;
		snprintf(why, sizeof(why), "no pong for %lld ms",
		         (long long)(waited / 1000));
		apply_simple(e, MEV_PONG_LATE, why);
	}
}

/* The tick period: fine enough for the interval and the timeout. */
static int64_t
liveness_period_us(const struct config *c)
{
	int ms = c->ping_interval_ms < c->ping_timeout_ms / 2
	             ? c->ping_interval_ms
	             : c->ping_timeout_ms / 2;

	return (int64_t)(ms < 50 ? 50 : ms) * 1000;
}

static void
liveness_tick(lws_sorted_usec_list_t *sul)
{
	struct watcher *w = lws_container_of(sul, struct watcher, sul_live);
	int64_t now = clock_mono_us(), period = liveness_period_us(w->c);
	int64_t interval = (int64_t)w->c->ping_interval_ms * 1000;

	for (size_t i = 0; i < w->n; i++) {
		struct wep *e = &w->eps[i];

		liveness_check(e, now);
		if (e->ws_open &&
		    now - e->last_ping_us >= interval - period / 2) {
			e->ping_due = true;
			lws_callback_on_writable(e->ws);
		}
	}
	lws_sul_schedule(w->ctx, 0, &w->sul_live, liveness_tick, period);
}

/* A pong for a ping sent at sent_us arrived now. */
static void
pong_arrived(struct wep *e, int64_t sent_us, int64_t now)
{
	struct mon_event ev = {0};

	if (sent_us <= 0 || sent_us > now)
		return;
	if (e->ping_outstanding_us != 0 && sent_us >= e->ping_outstanding_us) {
		e->ping_outstanding_us = 0;
		e->stale_reported = false;
	}
	e->proven = true;
	ev.kind = MEV_PONG;
	ev.rtt_us = now - sent_us;
	ev.wall_ms = clock_wall_ms();
	apply(e, &ev);
}

static int
write_text(struct lws *wsi, const char *text, size_t n,
           enum lws_write_protocol proto)
{
	unsigned char *buf = malloc(LWS_PRE + n + 1);
	int r;

	if (buf == NULL)
		return -1;
	memcpy(buf + LWS_PRE, text, n);
	r = lws_write(wsi, buf + LWS_PRE, n, proto);
	free(buf);
	return r < (int)n ? -1 : 0;
}

static int
send_ping(struct wep *e, struct lws *wsi)
{
	int64_t now = clock_mono_us();

	if (e->w->c->ping == PING_PROTOCOL) {
		unsigned char buf[LWS_PRE + PING_PAYLOAD];
		uint64_t seq = ++e->ping_seq;

		memcpy(buf + LWS_PRE, &now, 8);
		memcpy(buf + LWS_PRE + 8, &seq, 8);
		if (lws_write(wsi, buf + LWS_PRE, PING_PAYLOAD,
		              LWS_WRITE_PING) < PING_PAYLOAD)
			return -1;
	} else {
		char msg[96];
		double ts = (double)clock_wall_us() / 1000.0;
		int n = snprintf(msg, sizeof(msg),
		                 "{\"type\":\"ping\",\"timestamp\":%.3f}", ts);

		if (write_text(wsi, msg, (size_t)n, LWS_WRITE_TEXT) < 0)
			return -1;
		if (e->njping == JPING_SLOTS) {
			memmove(&e->jping[0], &e->jping[1],
			        sizeof(e->jping[0]) * (JPING_SLOTS - 1));
			e->njping--;
		}
		e->jping[e->njping++] = (struct jping){ts, now};
	}
	ping_sent(e, now);
	return 0;
}

/* A JSON pong? Returns true (and records RTT) if it answers our ping. */
static bool
json_pong(struct wep *e, const char *data, size_t len)
{
	cJSON *j, *t, *ts;
	bool ours = false;

	if (e->w->c->ping != PING_JSON || e->njping == 0 ||
	    memmem(data, len, "pong", 4) == NULL)
		return false;
	j = cJSON_ParseWithLength(data, len);
	t = cJSON_GetObjectItemCaseSensitive(j, "type");
	ts = cJSON_GetObjectItemCaseSensitive(j, "timestamp");
	if (cJSON_IsString(t) && strcmp(t->valuestring, "pong") == 0 &&
	    cJSON_IsNumber(ts)) {
		for (unsigned i = 0; i < e->njping; i++) {
			/* echoed as JSON text: equal within printing */
			if (fabs(e->jping[i].ts - ts->valuedouble) >= 0.0005)
				continue;
			pong_arrived(e, e->jping[i].sent_us, clock_mono_us());
			/* this one and every older ping are answered */
			memmove(&e->jping[0], &e->jping[i + 1],
			        sizeof(e->jping[0]) * (e->njping - i - 1));
			e->njping -= i + 1;
			ours = true;
			break;
		}
	}
	cJSON_Delete(j);
	return ours;
}

/* ---- receiving --------------------------------------------------------------
 */

static void
ws_receive(struct wep *e, struct lws *wsi, const char *in, size_t len)
{
	size_t max = e->w->c->max_message;

	if (lws_is_first_fragment(wsi)) {
		e->rx_len = 0;
		e->rx_discard = false;
		e->rx_dropped_len = 0;
	}
	if (!e->rx_discard && e->rx_len + len > max) {
		e->rx_discard = true;
		e->rx_dropped_len = e->rx_len;
		e->rx_len = 0;
	}
	if (e->rx_discard) {
		e->rx_dropped_len += len;
	} else if (len > 0) {
		if (e->rx_len + len > e->rx_cap) {
			size_t ncap = e->rx_cap ? e->rx_cap : 4096;
			char *p;

			while (ncap < e->rx_len + len)
				ncap *= 2;
			if (ncap > max)
				ncap = max;
			p = realloc(e->rx, ncap);
			if (p == NULL) { /* treat as too big */
				e->rx_discard = true;
				e->rx_dropped_len = e->rx_len + len;
				e->rx_len = 0;
				goto done;
			}
			e->rx = p;
			e->rx_cap = ncap;
		}
		memcpy(e->rx + e->rx_len, in, len);
		e->rx_len += len;
	}
done:
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	if (e->rx_discard) {
		struct mon_event ev = {.kind = MEV_MSG_DROPPED,
		                       .len = e->rx_dropped_len,
		                       .wall_ms = clock_wall_ms()};

		apply(e, &ev);
	} else if (!json_pong(e, e->rx, e->rx_len)) {
		struct mon_event ev = {.kind = MEV_MESSAGE,
		                       .data = e->rx,
		                       .len = e->rx_len,
		                       .binary = lws_frame_is_binary(wsi),
		                       .wall_ms = clock_wall_ms()};

		e->proven = true;
		apply(e, &ev);
	}
	e->rx_len = 0;
	e->rx_discard = false;
	if (e->rx_cap > RX_KEEP) {
		free(e->rx);
		e->rx = NULL;
		e->rx_cap = 0;
	}
}

/* ---- polling ----------------------------------------------------------------
 */

static void poll_fire(lws_sorted_usec_list_t *sul);

static void
poll_schedule(struct wep *e)
{
	int64_t next = e->poll_t0_us +
	               (int64_t)e->w->c->poll_interval_ms * 1000 -
	               clock_mono_us();

	if (!e->polling)
		return;
	lws_sul_schedule(e->w->ctx, 0, &e->sul_poll, poll_fire,
	                 next > 0 ? next : 1);
}

/* A poll finished (ok or not): report, free, schedule the next. */
static void
poll_done(struct wep *e, bool ok, const char *why)
{
	struct mon_event ev = {0};

	lws_sul_cancel(&e->sul_poll_to);
	ev.kind = ok ? MEV_POLL_OK : MEV_POLL_FAIL;
	ev.status = e->poll_status;
	ev.rtt_us = clock_mono_us() - e->poll_t0_us;
	ev.text = why;
	ev.data = ok ? e->poll_body : NULL;
	ev.len = ok ? e->poll_len : 0;
	ev.wall_ms = clock_wall_ms();
	if (e->polling)
		apply(e, &ev);
	free(e->poll_body);
	e->poll_body = NULL;
	e->poll_len = 0;
	e->poll = NULL;
	e->poll_inflight = false;
	poll_schedule(e);
}

static void
poll_deadline(lws_sorted_usec_list_t *sul)
{
	struct wep *e = lws_container_of(sul, struct wep, sul_poll_to);
	char why[64];

	if (!e->poll_inflight)
		return;
	detach_kill(&e->poll);
	snprintf(why, sizeof(why), "no answer in %d ms", e->timeout_ms);
	e->poll_status = 0;
	poll_done(e, false, why);
}

static void
poll_start(struct wep *e)
{
	struct lws_client_connect_info i;
	char host[URL_HOST_MAX + 16];

	if (e->poll_inflight || !e->polling)
		return;
	e->poll_t0_us = clock_mono_us();
	e->poll_status = 0;
	e->poll_inflight = true;
	connect_info(e, &i, &e->cfg->poll, host, sizeof(host));
	i.method = "GET";
	i.alpn = "http/1.1";
	i.opaque_user_data = &e->pollc;
	e->poll = connect_with_deadline(e, &i, &e->sul_poll_to, poll_deadline,
	                                &e->poll_inflight);
	if (e->poll == NULL && e->poll_inflight)
		poll_done(e, false, "could not start the request");
}

static void
poll_fire(lws_sorted_usec_list_t *sul)
{
	poll_start(lws_container_of(sul, struct wep, sul_poll));
}

static void
poll_stop(struct wep *e)
{
	e->polling = false;
	lws_sul_cancel(&e->sul_poll);
	lws_sul_cancel(&e->sul_poll_to);
	detach_kill(&e->poll);
	e->poll_inflight = false;
	free(e->poll_body);
	e->poll_body = NULL;
	e->poll_len = 0;
}

static void
poll_body_add(struct wep *e, const char *in, size_t len)
{
	size_t max = e->w->c->max_message, take;
	char *p;

	if (e->poll_len >= max)
		return;
	take = e->poll_len + len > max ? max - e->poll_len : len;
	p = realloc(e->poll_body, e->poll_len + take + 1);
	if (p == NULL)
		return;
	e->poll_body = p;
	memcpy(p + e->poll_len, in, take);
	e->poll_len += take;
}

/* ---- the protocol callback
 * ---------------------------------------------------- */

static int
ws_writeable(struct wep *e, struct lws *wsi)
{
	if (e->ws_closing) {
		static const char why[] = "wsdash exiting";

		lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY,
		                 (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	if (e->hello_pending) {
		const char *hello =
		    e->cfg->hello_set ? e->cfg->hello : e->w->c->hello;

		e->hello_pending = false;
		if (hello &&
		    write_text(wsi, hello, strlen(hello), LWS_WRITE_TEXT) < 0)
			return -1;
	} else if (e->ping_due) {
		e->ping_due = false;
		if (send_ping(e, wsi) < 0)
			return -1;
	}
	if (e->hello_pending || e->ping_due)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
watch_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
               void *in, size_t len)
{
	struct wconn *wc = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	struct wep *e = wc ? wc->e : NULL;
	int64_t now;

	if (wc != NULL && wc->kind == WK_STDIN) {
		if ((reason == LWS_CALLBACK_RAW_RX_FILE ||
		     reason == LWS_CALLBACK_RAW_CLOSE_FILE) &&
		    wc->w->h && wc->w->h->input)
			wc->w->h->input(wc->w->h->user);
		return 0;
	}
	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		return e && wc->kind == WK_WS
		           ? net_tls_verdict(user, len, &e->tls_error,
		                             e->tls_reason,
		                             sizeof(e->tls_reason))
		           : 0;

	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (e != NULL &&
		    net_append_headers(wsi, e->w->c, e->cfg, in, len))
			return -1;
		break;

	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (e == NULL)
			return -1;
		net_nodelay(wsi);
		if (wc->kind == WK_WS)
			e->ws_status = (int)lws_http_client_http_response(wsi);
		else
			e->poll_status =
			    (int)lws_http_client_http_response(wsi);
		break;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (e == NULL || wc->kind != WK_WS)
			return -1;
		lws_sul_cancel(&e->sul_connect);
		e->ws_connecting = false;
		e->ws_open = true;
		poll_stop(e);
		lws_sul_cancel(&e->sul_retry);
		apply_simple(e, MEV_WS_OPEN, NULL);
		e->hello_pending = (e->cfg->hello_set ? e->cfg->hello
		                                      : e->w->c->hello) != NULL;
		/* first ping at once: an RTT as soon as possible */
		e->ping_due = true;
		lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (e == NULL || wc->kind != WK_WS)
			return -1;
		return ws_writeable(e, wsi);

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (e == NULL || wc->kind != WK_WS)
			return -1;
		ws_receive(e, wsi, in, len);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		if (e == NULL || len < 8)
			break;
		{
			int64_t sent;

			memcpy(&sent, in, 8);
			now = clock_mono_us();
			if (e->ping_seq > 0 && sent > e->ws_t0_us)
				pong_arrived(e, sent, now);
		}
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (e != NULL && len >= 2) {
			const unsigned char *p = in;

			e->peer_close_code = p[0] << 8 | p[1];
			sanitize_text(e->peer_close_why,
			              sizeof(e->peer_close_why),
			              (const char *)p + 2, len - 2, true);
		}
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (e == NULL)
			break;
		if (wc->kind == WK_WS) {
			e->ws = NULL;
			if (e->ws_status == 0)
				e->ws_status =
				    (int)lws_http_client_http_response(wsi);
			lws_set_opaque_user_data(wsi, NULL);
			ws_failed(e, PO_CONN_ERROR, in ? (const char *)in : "",
			          false);
		} else {
			char why[128];

			e->poll = NULL;
			lws_set_opaque_user_data(wsi, NULL);
			sanitize_text(why, sizeof(why),
			              in ? (const char *)in : "error",
			              in ? strlen((const char *)in) : 5, true);
			if (strstr(why, "Unable to connect"))
				snprintf(why, sizeof(why),
				         "connection refused");
			poll_done(e, false, why);
		}
		break;

	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
		char buf[LWS_PRE + 4096], *p = buf + LWS_PRE;
		int n = sizeof(buf) - LWS_PRE;

		if (lws_http_client_read(wsi, &p, &n) < 0)
			return -1;
		break;
	}
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		if (e != NULL && wc->kind == WK_POLL)
			poll_body_add(e, in, len);
		break;

	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		if (e != NULL && wc->kind == WK_POLL) {
			lws_set_opaque_user_data(wsi, NULL);
			poll_done(e, e->poll_status > 0 && e->poll_status < 400,
			          NULL);
		}
		break;

	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (e == NULL)
			break;
		lws_set_opaque_user_data(wsi, NULL);
		if (wc->kind == WK_POLL) {
			e->poll = NULL;
			if (e->poll_inflight)
				poll_done(e, false, "closed before an answer");
		} else if (e->ws_closing) {
			e->ws = NULL;
			e->ws_open = false;
		} else if (e->ws_open) {
			e->ws = NULL;
			ws_lost(e, NULL);
		} else if (e->ws_connecting) {
			e->ws = NULL;
			ws_failed(e, PO_CLOSED, "", true);
		}
		break;

	default:
		break;
	}
	return 0;
}

static const struct lws_protocols watch_protocols[] = {
    {"wsdash-watch", watch_callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- life cycle
 * ---------------------------------------------------------------- */

struct watcher *
watcher_new(bool tls, const char *cacert, int timeout_ms, const char *log_path,
            char *err, size_t errlen)
{
	struct watcher *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	net_raise_fd_limit(16384);
	net_set_logging(log_path);

	w->ctx = net_context_new(watch_protocols, tls, cacert, timeout_ms,
	                         &w->vh, err, errlen);
	if (w->ctx == NULL) {
		free(w);
		return NULL;
	}
	rng_init(&w->rng, (uint64_t)clock_wall_us() ^ (uint64_t)getpid());
	/* our own pings do the liveness work: lws's keepalive off */
	w->no_keepalive.secs_since_valid_ping = 0;
	w->no_keepalive.secs_since_valid_hangup = 0;
	return w;
}

int
watcher_serve_demo(struct watcher *w, const struct serve_opts *o, char *err,
                   size_t errlen)
{
	w->demo = demo_server_new(w->ctx, o, NULL, err, errlen);
	return w->demo ? demo_server_port(w->demo) : -1;
}

bool
watcher_demo_toggle(struct watcher *w, int s)
{
	bool up;

	if (w->demo == NULL)
		return false;
	up = !demo_server_stream_up(w->demo, s);
	demo_server_set_stream(w->demo, s, up, 503);
	return up;
}

bool
watcher_adopt_stdin(struct watcher *w)
{
	lws_sock_file_fd_type fd;
	struct lws *wsi;

	fd.filefd = dup(0);
	if (fd.filefd < 0)
		return false;
	w->stdinc = (struct wconn){NULL, WK_STDIN, w};
	wsi = lws_adopt_descriptor_vhost(w->vh, LWS_ADOPT_RAW_FILE_DESC, fd,
	                                 "wsdash-watch", NULL);
	if (wsi != NULL)
		lws_set_opaque_user_data(wsi, &w->stdinc);
	w->stdin_adopted = wsi != NULL;
	return w->stdin_adopted;
}

static void
frame_fire(lws_sorted_usec_list_t *sul)
{
	struct watcher *w = lws_container_of(sul, struct watcher, sul_frame);

	if (w->h && w->h->frame)
		w->h->frame(w->h->user);
}

void
watcher_frame(struct watcher *w, int64_t delay_us)
{
	if (!lws_dll2_is_detached(&w->sul_frame.list))
		return; /* one is already due */
	lws_sul_schedule(w->ctx, 0, &w->sul_frame, frame_fire,
	                 delay_us > 0 ? delay_us : 1);
}

void
watcher_wake(struct watcher *w)
{
	if (w != NULL && w->ctx != NULL)
		lws_cancel_service(w->ctx);
}

static void
tick_fire(lws_sorted_usec_list_t *sul)
{
	struct watcher *w = lws_container_of(sul, struct watcher, sul_tick);

	if (w->h && w->h->tick)
		w->h->tick(w->h->user, clock_mono_us());
	if (w->h && w->h->tick_ms > 0)
		lws_sul_schedule(w->ctx, 0, &w->sul_tick, tick_fire,
		                 (lws_usec_t)w->h->tick_ms * 1000);
}

static void
end_fire(lws_sorted_usec_list_t *sul)
{
	lws_container_of(sul, struct watcher, sul_end)->done = true;
}

void
watcher_reconnect(struct watcher *w, size_t i)
{
	struct wep *e;

	if (i >= w->n)
		return;
	e = &w->eps[i];
	if (e->m->paused || e->ws_connecting)
		return;
	if (e->ws_open) {
		/* start over: a fresh handshake, as if just launched */
		detach_kill(&e->ws);
		ws_reset(e);
		apply_simple(e, MEV_RESUME, "reconnect requested");
	}
	ws_connect(e);
}

void
watcher_pause(struct watcher *w, size_t i, bool paused)
{
	struct wep *e;

	if (i >= w->n)
		return;
	e = &w->eps[i];
	if (paused == e->m->paused)
		return;
	if (paused) {
		detach_kill(&e->ws);
		ws_reset(e);
		poll_stop(e);
		lws_sul_cancel(&e->sul_retry);
		apply_simple(e, MEV_PAUSE, NULL);
	} else {
		apply_simple(e, MEV_RESUME, NULL);
		ws_connect(e);
	}
}

/* Send close frames (1001 going away) and give them a moment to leave. */
static void
close_all(struct watcher *w)
{
	int64_t end = clock_mono_us() + CLOSE_GRACE_US;
	bool any = false;

	for (size_t i = 0; i < w->n; i++) {
		struct wep *e = &w->eps[i];

		poll_stop(e);
		lws_sul_cancel(&e->sul_retry);
		if (e->ws != NULL && e->ws_open) {
			e->ws_closing = true;
			lws_callback_on_writable(e->ws);
			any = true;
		} else {
			detach_kill(&e->ws);
		}
	}
	w->done = false;
	lws_sul_schedule(w->ctx, 0, &w->sul_end, end_fire, CLOSE_GRACE_US);
	while (any && !w->done && clock_mono_us() < end) {
		any = false;
		for (size_t i = 0; i < w->n; i++)
			any |= w->eps[i].ws != NULL;
		if (any)
			lws_service(w->ctx, 0);
	}
}

int
watcher_run(struct watcher *w, const struct config *c, struct mon *m,
            const struct watcher_hooks *h, volatile sig_atomic_t *stop,
            int64_t duration_ms, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	w->c = c;
	w->m = m;
	w->h = h;
	w->stop = stop;
	w->n = m->n;
	w->eps = calloc(w->n ? w->n : 1, sizeof(*w->eps));
	if (w->eps == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < w->n; i++) {

		struct wep *e = &w->eps[i];

		e->w = w;
		e->m = &m->eps[i];
		e->cfg = &c->eps[i];
		e->timeout_ms = config_timeout(c, i);
		e->wsc = (struct wconn){e, WK_WS, w};
		e->pollc = (struct wconn){e, WK_POLL, w};
	}
	for (size_t i = 0; i < w->n; i++)
		ws_connect(&w->eps[i]);
	if (h && h->tick_ms > 0)
		lws_sul_schedule(w->ctx, 0, &w->sul_tick, tick_fire,
		                 (lws_usec_t)h->tick_ms * 1000);
	lws_sul_schedule(w->ctx, 0, &w->sul_live, liveness_tick,
	                 liveness_period_us(c));
	if (duration_ms > 0)
		lws_sul_schedule(w->ctx, 0, &w->sul_end, end_fire,
		                 duration_ms * 1000);

	while (!w->done && !(stop && *stop)) {
		if (lws_service(w->ctx, 0) < 0)
			break;
		if (h && h->wake)
			h->wake(h->user);
	}

	lws_sul_cancel(&w->sul_tick);
	lws_sul_cancel(&w->sul_live);
	lws_sul_cancel(&w->sul_frame);
	close_all(w);
	return 0;
}

void
watcher_free(struct watcher *w)
{
	if (w == NULL)
		return;
	if (w->ctx != NULL)
		lws_context_destroy(w->ctx);
	for (size_t i = 0; i < w->n; i++) {
		free(w->eps[i].rx);
		free(w->eps[i].poll_body);
	}
	demo_server_free(w->demo);
	free(w->eps);
	free(w);
}
