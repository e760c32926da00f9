/*
 * watcher.c: the live side of the transport, its loop and its plumbing;
 * see watcher.h, and watcher_int.h for how the parts fit.
 *
 * Here: the life cycle, the one lws callback (a switch that hands each
 * reason to the WebSocket or the polling part), the timer heap and the lws
 * timer that drives it, name resolution (never blocking: lws 4.1.6 would
 * call getaddrinfo() inside the loop), and the connect queue. Nothing here
 * prints or draws: hooks tell the caller what changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsdash/clock.h"
#include "wsdash/probe.h"
#include "wsdash/sanitize.h"
#include "demo_server.h"
#include "net.h"
#include "watcher_int.h"

#define CLOSE_GRACE_US (200 * 1000) /* time to send close frames at exit */

/* ---- model glue ---------------------------------------------------------- */

void
watcher_apply(struct wep *e, const struct mon_event *ev)
{
	unsigned chg = mon_apply(e->w->m, e->m, ev, clock_mono_us());

	if (chg && e->w->h && e->w->h->changed)
		e->w->h->changed(e->w->h->user, e->m, chg, ev);
	if ((chg & MON_CHG_STATE) && e->w->h && e->w->h->chores &&
	    lws_dll2_is_detached(&e->w->sul_chores.list))
		watcher_chores(e->w, 1);
}

void
watcher_apply_simple(struct wep *e, enum mon_ev_kind k, const char *text)
{
	struct mon_event ev = {
	    .kind = k, .text = text, .wall_ms = clock_wall_ms()};

	watcher_apply(e, &ev);
}

/* ---- timers -------------------------------------------------------------- */

void
watcher_timer_arm(struct watcher *w, struct theap_timer *t, int64_t delay_us,
                  void (*fire)(struct theap_timer *))
{
	net_timers_arm(&w->timers, t, clock_mono_us() + delay_us, fire);
}

void
watcher_timer_cancel(struct watcher *w, struct theap_timer *t)
{
	net_timers_cancel(&w->timers, t);
}

void
watcher_server_back(struct watcher *w, const struct url *u)
{
	for (size_t i = 0; i < w->n; i++) {
		struct wep *e = &w->eps[i];

		if (e->ws_conn_failed && e->cfg->ws.port == u->port &&
		    strcmp(e->cfg->ws.host, u->host) == 0)
			wpoll_fast_return(e);
	}
}

/* ---- connections --------------------------------------------------------- */

void
watcher_detach_kill(struct lws **pwsi)
{
	if (*pwsi != NULL) {
		lws_set_opaque_user_data(*pwsi, NULL);
		lws_set_timeout(*pwsi, PENDING_TIMEOUT_USER_OK,
		                LWS_TO_KILL_ASYNC);
		*pwsi = NULL;
	}
}

void
watcher_connect_info(struct wep *e, struct lws_client_connect_info *i,
                     const struct url *u, const char *ip, char *host,
                     size_t hostlen)
{
	net_client_info(i, e->w->ctx, e->w->vh, e->w->c, u, ip, "wsdash-watch",
	                host, hostlen);
	i->retry_and_idle_policy = &e->w->no_keepalive;
}

static enum wphase *
phase_of(struct wep *e, enum wkind kind)
{
	return kind == WK_WS ? &e->ws_phase : &e->poll_phase;
}

static void
queue_run(lws_sorted_usec_list_t *sul)
{
	struct watcher *w = lws_container_of(sul, struct watcher, sul_queue);

	while (w->q_len > 0 && w->connecting < WATCH_MAX_CONNECTING) {
		struct wreq r = w->q[w->q_head];

		w->q_head = (w->q_head + 1) % w->q_cap;
		w->q_len--;
		if (*phase_of(r.e, r.kind) != WP_QUEUED)
			continue; /* cancelled while it waited */
		watcher_phase(r.e, r.kind, WP_CONNECTING);
		if (r.kind == WK_WS)
			wws_connect(r.e, r.e->ws_ip);
		else
			wpoll_connect(r.e, r.e->poll_ip);
	}
}

/* Start queued connects on the next pass (never from deep in a callback). */
static void
queue_kick(struct watcher *w)
{
	if (w->q_len > 0 && w->connecting < WATCH_MAX_CONNECTING &&
	    lws_dll2_is_detached(&w->sul_queue.list))
		lws_sul_schedule(w->ctx, 0, &w->sul_queue, queue_run, 1);
}

static void
queue_push(struct watcher *w, struct wep *e, enum wkind kind)
{
	if (w->q_len == w->q_cap) {
		size_t ncap = w->q_cap ? w->q_cap * 2 : 64;
		struct wreq *nq = malloc(ncap * sizeof(*nq));

		if (nq == NULL)
			return; /* the deadline will report it */
		for (size_t k = 0; k < w->q_len; k++)
			nq[k] = w->q[(w->q_head + k) % w->q_cap];
		free(w->q);
		w->q = nq;
		w->q_cap = ncap;
		w->q_head = 0;
	}
	w->q[(w->q_head + w->q_len++) % w->q_cap] = (struct wreq){e, kind};
	queue_kick(w);
}

void
watcher_phase(struct wep *e, enum wkind kind, enum wphase phase)
{
	enum wphase *p = phase_of(e, kind);

	if (*p == WP_CONNECTING && phase != WP_CONNECTING) {
		e->w->connecting--;
		queue_kick(e->w);
	} else if (*p != WP_CONNECTING && phase == WP_CONNECTING) {
		e->w->connecting++;
	}
	*p = phase;
}

/* The host of e's connection kind. */
static const char *
host_of(const struct wep *e, enum wkind kind)
{
	return kind == WK_WS ? e->cfg->ws.host : e->poll_url->host;
}

/* Report that the host did not resolve (or not in time). */
static void
dns_failed(struct wep *e, enum wkind kind, const char *why)
{
	char text[200];

	watcher_phase(e, kind, WP_IDLE);
	snprintf(text, sizeof(text), "%s'%.64s': %.96s",
	         kind == WK_WS ? "" : "cannot resolve ", host_of(e, kind), why);
	if (kind == WK_WS)
		wws_failed(e, PO_DNS, text, false);
	else
		wpoll_done(e, false, text);
}

/*
 * Resolve the host of e's connection kind (address number idx) and queue
 * the connect. Returns false when there is no such address.
 */
static bool
resolve_and_queue(struct wep *e, enum wkind kind, unsigned idx)
{
	char err[96];
	char *ip = kind == WK_WS ? e->ws_ip : e->poll_ip;

	switch (resolver_get(e->w->dns, host_of(e, kind), idx, clock_mono_us(),
	                     ip, RESOLVE_ADDR_MAX, err, sizeof(err))) {
	case RESOLVE_OK:
		watcher_phase(e, kind, WP_QUEUED);
		queue_push(e->w, e, kind);
		return true;
	case RESOLVE_PENDING:
		/* the deadline also bounds the lookup (see the deadlines) */
		watcher_phase(e, kind, WP_DNS);
		return true;
	case RESOLVE_FAILED:
		dns_failed(e, kind, err);
		return true;
	case RESOLVE_END:
	default:
		return false;
	}
}

void
watcher_start(struct wep *e, enum wkind kind)
{
	if (kind == WK_WS)
		e->ws_addr = 0;
	else
		e->poll_addr = 0;
	resolve_and_queue(e, kind, 0);
}

bool
watcher_next_address(struct wep *e, enum wkind kind)
{
	unsigned *idx = kind == WK_WS ? &e->ws_addr : &e->poll_addr;

	(*idx)++;
	/* (refused everywhere is no reason to ask the DNS again: the
	 * answer stays until its TTL) */
	return resolve_and_queue(e, kind, *idx);
}

/* Lookups finished: move on every connection that waited for one. */
static void
dns_collect(struct watcher *w)
{
	if (resolver_collect(w->dns, clock_mono_us()) == 0)
		return;
	for (size_t i = 0; i < w->n; i++) {
		struct wep *e = &w->eps[i];

		if (e->ws_phase == WP_DNS)
			resolve_and_queue(e, WK_WS, e->ws_addr);
		if (e->poll_phase == WP_DNS)
			resolve_and_queue(e, WK_POLL, e->poll_addr);
	}
}

/* ---- the protocol callback ----------------------------------------------- */

/* stdin (the dashboard's keys) and the resolver's wake descriptor. */
static int
file_callback(struct wconn *wc, struct lws *wsi,
              enum lws_callback_reasons reason)
{
	struct watcher *w = wc->w;

	if (wc->kind == WK_WAKE) {
		if (reason == LWS_CALLBACK_RAW_RX_FILE) {
			uint64_t n;

			if (read((int)lws_get_socket_fd(wsi), &n, sizeof(n)) <
			    0) {
				/* nothing to read: spurious */
			}
			dns_collect(w);
		}
		return 0;
	}
	if ((reason == LWS_CALLBACK_RAW_RX_FILE ||
	     reason == LWS_CALLBACK_RAW_CLOSE_FILE) &&
	    w->h && w->h->input)
		w->h->input(w->h->user);
	return 0;
}

static int
watch_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
               void *in, size_t len)
{
	struct wconn *wc = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	struct wep *e = wc ? wc->e : NULL;

	/* lws asks the context's first protocol (this one) to verify every
	 * client certificate: another vhost's connection (an exporter probe)
	 * goes to its own protocol, whose opaque data it carries */
	if (reason == LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION &&
	    wsi != NULL && lws_get_protocol(wsi)->callback != watch_callback)
		return lws_get_protocol(wsi)->callback(wsi, reason, user, in,
		                                       len);
	if (wc != NULL && (wc->kind == WK_STDIN || wc->kind == WK_WAKE))
		return file_callback(wc, wsi, reason);
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
		if (wc->kind == WK_WS) {
			e->ws_status = (int)lws_http_client_http_response(wsi);
			e->ws_proto =
			    lws_hdr_total_length(wsi, WSI_TOKEN_PROTOCOL) > 0;
		} else {
			wpoll_status(e, wsi);
			if (e->poll == NULL) /* settled by the status alone */
				return -1;
		}
		break;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (e == NULL || wc->kind != WK_WS)
			return -1;
		wws_established(e, wsi);
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (e == NULL || wc->kind != WK_WS)
			return -1;
		return wws_writeable(e, wsi);

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (e == NULL || wc->kind != WK_WS)
			return -1;
		wws_receive(e, wsi, in, len);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		if (e != NULL && wc->kind == WK_WS)
			wws_pong(e, in, len);
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (e != NULL && len >= 2) {
			const unsigned char *p = in;
			size_t why = len - 2 < 123 ? len - 2 : 123;

			e->peer_close_code = p[0] << 8 | p[1];
			sanitize_text(e->peer_close_why,
			              sizeof(e->peer_close_why),
			              (const char *)p + 2, why, true);
		}
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (e == NULL)
			break;
		lws_set_opaque_user_data(wsi, NULL);
		if (wc->kind == WK_WS) {
			const char *why = in ? (const char *)in : "";

			e->ws = NULL;
			if (e->ws_status == 0)
				e->ws_status =
				    (int)lws_http_client_http_response(wsi);
			/* refused before any answer: the host's next
			 * address, if it has one */
			if (e->ws_status == 0 && e->tls_error == 0 &&
			    strstr(why, "Unable to connect") != NULL) {
				watcher_phase(e, WK_WS, WP_IDLE);
				if (watcher_next_address(e, WK_WS))
					break;
				watcher_phase(e, WK_WS, WP_CONNECTING);
			}
			wws_failed(e, PO_CONN_ERROR, why, false);
		} else {
			char why[128];

			e->poll = NULL;
			sanitize_text(why, sizeof(why),
			              in ? (const char *)in : "error",
			              in ? strlen((const char *)in) : 5, true);
			if (e->poll_status == 0 &&
			    strstr(why, "Unable to connect") != NULL) {
				watcher_phase(e, WK_POLL, WP_IDLE);
				if (watcher_next_address(e, WK_POLL))
					break;
				snprintf(why, sizeof(why),
				         "connection refused");
			}
			wpoll_done(e, false, why);
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
			return wpoll_body(e, in, len);
		break;

	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		if (e != NULL && wc->kind == WK_POLL) {
			lws_set_opaque_user_data(wsi, NULL);
			wpoll_completed(e);
		}
		break;

	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (e == NULL)
			break;
		lws_set_opaque_user_data(wsi, NULL);
		if (wc->kind == WK_POLL) {
			e->poll = NULL;
			if (e->poll_phase == WP_CONNECTING) {
				char why[96];

				if (e->poll_status > 0)
					snprintf(why, sizeof(why),
					         "the %d answer was cut off "
					         "(closed mid-body, or bad "
					         "chunked encoding)",
					         e->poll_status);
				else
					snprintf(why, sizeof(why),
					         "closed before an answer");
				wpoll_done(e, false, why);
			}
		} else if (e->ws_closing) {
			e->ws = NULL;
			e->ws_open = false;
		} else if (e->ws_open) {
			e->ws = NULL;
			wws_lost(e, NULL);
		} else if (e->ws_phase == WP_CONNECTING) {
			e->ws = NULL;
			wws_failed(e, PO_CLOSED, "", true);
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

/* ---- life cycle ---------------------------------------------------------- */

/* Adopt fd as a raw file delivering to wc (lws closes fd at the end). */
static bool
adopt_file(struct watcher *w, int fd, struct wconn *wc)
{
	lws_sock_file_fd_type f;
	struct lws *wsi;

	if (fd < 0)
		return false;
	f.filefd = fd;
	wsi = lws_adopt_descriptor_vhost(w->vh, LWS_ADOPT_RAW_FILE_DESC, f,
	                                 "wsdash-watch", NULL);
	if (wsi == NULL)
		return false; /* lws closed fd */
	lws_set_opaque_user_data(wsi, wc);
	return true;
}

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
	w->dns = resolver_new();
	w->wakec = (struct wconn){NULL, WK_WAKE, w};
	if (w->dns == NULL ||
	    !adopt_file(w, dup(resolver_wake_fd()), &w->wakec)) {
		snprintf(err, errlen, "cannot set up name resolution");
		watcher_free(w);
		return NULL;
	}
	net_timers_init(&w->timers, w->ctx, WATCH_TIMERS_PER_PASS);
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
	w->stdinc = (struct wconn){NULL, WK_STDIN, w};
	w->stdin_adopted = adopt_file(w, dup(0), &w->stdinc);
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
chores_fire(lws_sorted_usec_list_t *sul)
{
	struct watcher *w = lws_container_of(sul, struct watcher, sul_chores);
	int64_t next = 0;

	if (w->h && w->h->chores)
		next = w->h->chores(w->h->user, clock_mono_us());
	if (next > 0)
		watcher_chores(w, next);
}

void
watcher_chores(struct watcher *w, int64_t delay_us)
{
	lws_sul_schedule(w->ctx, 0, &w->sul_chores, chores_fire,
	                 (lws_usec_t)(delay_us > 0 ? delay_us : 1));
}

static void
end_fire(lws_sorted_usec_list_t *sul)
{
	struct watcher *w = lws_container_of(sul, struct watcher, sul_end);

	w->done = true;
	/* lws_service() would otherwise go on to wait for its next timer
	 * before returning to the loop that looks at done */
	lws_cancel_service(w->ctx);
}

void
watcher_reconnect(struct watcher *w, size_t i)
{
	struct wep *e;

	if (i >= w->n)
		return;
	e = &w->eps[i];
	if (e->m->paused || e->ws_phase != WP_IDLE)
		return;
	if (e->ws_open) {
		/* start over: a fresh handshake, as if just launched */
		watcher_detach_kill(&e->ws);
		wws_reset(e);
		watcher_apply_simple(e, MEV_RESUME, "reconnect requested");
	}
	wws_start(e);
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
		watcher_detach_kill(&e->ws);
		wws_reset(e);
		wpoll_stop(e);
		watcher_timer_cancel(w, &e->t_retry);
		watcher_apply_simple(e, MEV_PAUSE, NULL);
	} else {
		watcher_apply_simple(e, MEV_RESUME, NULL);
		wws_start(e);
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

		wpoll_stop(e);
		watcher_timer_cancel(w, &e->t_retry);
		watcher_timer_cancel(w, &e->t_connect);
		if (e->ws != NULL && e->ws_open) {
			e->ws_closing = true;
			lws_callback_on_writable(e->ws);
			any = true;
		} else {
			watcher_detach_kill(&e->ws);
			watcher_phase(e, WK_WS, WP_IDLE);
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
		e->timeout_ms = config_timeout(c, &c->eps[i]);
		e->wsc = (struct wconn){e, WK_WS, w};
		e->pollc = (struct wconn){e, WK_POLL, w};
		e->poll_url = e->cfg->has_poll ? &e->cfg->poll : NULL;
	}
	/* every endpoint asks now; the queue paces the connects */
	for (size_t i = 0; i < w->n; i++)
		wws_start(&w->eps[i]);
	if (h && h->tick_ms > 0)
		lws_sul_schedule(w->ctx, 0, &w->sul_tick, tick_fire,
		                 (lws_usec_t)h->tick_ms * 1000);
	lws_sul_schedule(w->ctx, 0, &w->sul_live, wlive_tick,
	                 wlive_period_us(c));
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
	lws_sul_cancel(&w->sul_chores);
	lws_sul_cancel(&w->sul_queue);
	net_timers_stop(&w->timers); /* nothing reconnects while closing */
	w->q_len = 0;
	close_all(w);
	return 0;
}

void
watcher_free(struct watcher *w)
{
	if (w == NULL)
		return;
	net_timers_done(&w->timers);
	if (w->ctx != NULL)
		lws_context_destroy(w->ctx);
	for (size_t i = 0; i < w->n; i++) {
		free(w->eps[i].rx);
		free(w->eps[i].poll_body);
	}
	demo_server_free(w->demo);
	resolver_free(w->dns);
	free(w->q);
	free(w->eps);
	free(w);
}
