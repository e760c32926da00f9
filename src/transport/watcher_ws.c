/*
 * watcher_ws.c: each endpoint's WebSocket: the handshake (with its
 * deadline), messages (reassembled up to max_message, dropped and counted
 * beyond, the stream kept), the hello and pings it writes, and what happens
 * when it is lost or refused: fall back (polling starts at once) and retry
 * with backoff. See watcher_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/clock.h"
#include "wsdash/probe.h"
#include "wsdash/sanitize.h"
#include "net.h"
#include "watcher_int.h"

#define RX_KEEP (64 * 1024) /* reassembly buffer kept between messages */

/* ---- fallback and retry -------------------------------------------------- */

static void
retry_fire(struct theap_timer *t)
{
	wws_start(lws_container_of(t, struct wep, t_retry));
}

/*
 * The WebSocket just became unavailable: pick the retry time first (so the
 * model, and what prints it, knows it), then tell the model, then poll (at
 * once) and arm the retry.
 */
static void
fall_back(struct wep *e, struct mon_event *ev)
{
	int64_t delay_us = mon_backoff_ms(e->attempt, rng_unit(&e->w->rng),
	                                  e->w->c->retry_base_ms) *
	                   1000;

	ev->wall_ms = clock_wall_ms();
	wws_reset(e);
	e->attempt++;
	mon_set_next_retry(e->m, clock_mono_us() + delay_us);
	watcher_apply(e, ev);
	if (e->m->paused)
		return;
	watcher_timer_arm(e->w, &e->t_retry, delay_us, retry_fire);
	wpoll_begin(e);
}

void
wws_reset(struct wep *e)
{
	e->ws_open = false;
	watcher_phase(e, WK_WS, WP_IDLE);
	e->hello_pending = false;
	e->ping_due = false;
	e->ping_outstanding_us = 0;
	e->stale_reported = false;
	e->njping = 0;
	e->rx_len = 0;
	e->rx_discard = false;
	watcher_timer_cancel(e->w, &e->t_connect);
	if (e->rx_cap > RX_KEEP) {
		free(e->rx);
		e->rx = NULL;
		e->rx_cap = 0;
	}
}

void
wws_failed(struct wep *e, enum probe_outcome out, const char *error,
           bool tcp_connected)
{
	struct probe_obs o = {0};
	struct mon_event ev = {0};
	char brief[160];

	o.outcome = out;
	o.http_status = e->ws_status;
	o.asked_subprotocol = e->w->c->subprotocol != NULL;
	snprintf(o.subprotocol, sizeof(o.subprotocol), "%s",
	         e->ws_proto ? "yes" : "");
	o.tls_error = e->tls_error;
	o.tcp_connected = tcp_connected;
	o.timeout_ms = e->timeout_ms;
	snprintf(o.tls_reason, sizeof(o.tls_reason), "%s", e->tls_reason);
	sanitize_text(o.error, sizeof(o.error), error, strlen(error), true);
	ev.kind = MEV_WS_FAIL;
	ev.cls = probe_classify(&o);
	ev.status = e->ws_status;
	e->ws_conn_failed =
	    ev.cls == PC_REFUSED || ev.cls == PC_TIMEOUT || ev.cls == PC_CLOSED;
	probe_brief(&o, ev.cls, brief, sizeof(brief));
	ev.text = brief;
	fall_back(e, &ev);
}

void
wws_lost(struct wep *e, const char *why)
{
	struct mon_event ev = {0};

	if (e->proven)
		e->attempt = 0;
	/* no close frame (reset, half-open), or the server going away or
	 * restarting (1001, 1012-1014 that lws reports as 1002): the next
	 * good poll may well mean the WebSocket is back too */
	e->ws_conn_failed =
	    e->peer_close_code == 0 || e->peer_close_code == 1001 ||
	    e->peer_close_code == 1002 || e->peer_close_code == 1006 ||
	    (e->peer_close_code >= 1012 && e->peer_close_code <= 1014);
	ev.kind = MEV_WS_CLOSED;
	ev.close_code = e->peer_close_code;
	ev.text = why ? why : e->peer_close_why;
	fall_back(e, &ev);
}

/* ---- connecting ---------------------------------------------------------- */

static void
connect_deadline(struct theap_timer *t)
{
	struct wep *e = lws_container_of(t, struct wep, t_connect);
	char why[96];
	bool connected;

	switch (e->ws_phase) {
	case WP_DNS:
		snprintf(why, sizeof(why), "'%.64s': no answer in %d ms",
		         e->cfg->ws.host, e->timeout_ms);
		wws_failed(e, PO_DNS, why, false);
		break;
	case WP_CONNECTING:
		connected = net_tcp_connected(e->ws);
		watcher_detach_kill(&e->ws);
		wws_failed(e, PO_TIMEOUT, "", connected);
		break;
	default:
		break;
	}
}

void
wws_start(struct wep *e)
{
	if (e->m->paused || e->ws_open || e->ws_phase != WP_IDLE)
		return;
	watcher_timer_cancel(e->w, &e->t_retry);
	wws_reset(e);
	e->ws_status = 0;
	e->ws_proto = false;
	e->tls_error = 0;
	e->tls_reason[0] = '\0';
	e->peer_close_code = 0;
	e->peer_close_why[0] = '\0';
	e->ws_t0_us = clock_mono_us();
	e->proven = false;
	/* the deadline covers the lookup; the connect re-arms it */
	watcher_timer_arm(e->w, &e->t_connect, (int64_t)e->timeout_ms * 1000,
	                  connect_deadline);
	watcher_start(e, WK_WS);
	if (e->ws_phase == WP_QUEUED)
		watcher_timer_cancel(e->w, &e->t_connect);
}

void
wws_connect(struct wep *e, const char *ip)
{
	struct lws_client_connect_info i;
	char host[URL_HOST_MAX + 16];
	struct lws *wsi;

	watcher_connect_info(e, &i, &e->cfg->ws, ip, host, sizeof(host));
	i.protocol = e->w->c->subprotocol;
	i.opaque_user_data = &e->wsc;
	watcher_timer_arm(e->w, &e->t_connect, (int64_t)e->timeout_ms * 1000,
	                  connect_deadline);
	/*
	 * Callbacks can settle the outcome inside the connect call; then the
	 * returned wsi is no longer ours to keep (no i.pwsi: lws would clear
	 * it long after a newer connection took its place).
	 */
	wsi = lws_client_connect_via_info(&i);
	if (e->ws_phase != WP_CONNECTING)
		return;
	if (wsi != NULL)
		e->ws = wsi;
	else
		wws_failed(e, PO_CONN_ERROR, "could not start the connection",
		           false);
}

void
wws_established(struct wep *e, struct lws *wsi)
{
	if (e->w->c->subprotocol != NULL && !e->ws_proto) {
		/* what a browser does: no agreed subprotocol, no stream */
		watcher_detach_kill(&e->ws);
		wws_failed(e, PO_UPGRADED, "", true);
		return;
	}
	watcher_timer_cancel(e->w, &e->t_connect);
	watcher_phase(e, WK_WS, WP_IDLE);
	e->ws_open = true;
	if (e->ws_conn_failed) { /* the server is back: tell its others */
		e->ws_conn_failed = false;
		watcher_server_back(e->w, &e->cfg->ws);
	}
	wpoll_stop(e);
	watcher_timer_cancel(e->w, &e->t_retry);
	watcher_apply_simple(e, MEV_WS_OPEN, NULL);
	e->hello_pending =
	    (e->cfg->hello_set ? e->cfg->hello : e->w->c->hello) != NULL;
	/* first ping at once: an RTT as soon as possible */
	e->ping_due = true;
	lws_callback_on_writable(wsi);
}

/* ---- writing ------------------------------------------------------------- */

int
wws_writeable(struct wep *e, struct lws *wsi)
{
	if (e->ws_closing) {
		static const char why[] = "wsdash exiting";

		lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY,
		                 (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	/* one write per WRITEABLE: hello first, then a due ping */
	if (e->hello_pending) {
		const char *hello =
		    e->cfg->hello_set ? e->cfg->hello : e->w->c->hello;

		e->hello_pending = false;
		if (hello && net_write_text(wsi, hello, strlen(hello)) < 0)
			return -1;
	} else if (e->ping_due) {
		e->ping_due = false;
		if (wlive_send_ping(e, wsi) < 0)
			return -1;
	}
	if (e->hello_pending || e->ping_due)
		lws_callback_on_writable(wsi);
	return 0;
}

/* ---- receiving ----------------------------------------------------------- */

/* Take len more bytes of the message being reassembled (bounded). */
static void
rx_add(struct wep *e, const char *in, size_t len)
{
	size_t max = e->w->c->max_message;

	/* compare without adding: len comes from the network */
	if (!e->rx_discard && len > max - e->rx_len) {
		e->rx_discard = true;
		e->rx_dropped_len = e->rx_len;
		e->rx_len = 0;
	}
	if (e->rx_discard) {
		e->rx_dropped_len += len;
		return;
	}
	if (len > e->rx_cap - e->rx_len) {
		size_t ncap = e->rx_cap ? e->rx_cap : 4096;
		char *p;

		while (ncap - e->rx_len < len)
			ncap *= 2;
		if (ncap > max)
			ncap = max;
		p = realloc(e->rx, ncap);
		if (p == NULL) { /* treat as too big */
			e->rx_discard = true;
			e->rx_dropped_len = e->rx_len + len;
			e->rx_len = 0;
			return;
		}
		e->rx = p;
		e->rx_cap = ncap;
	}
	memcpy(e->rx + e->rx_len, in, len);
	e->rx_len += len;
}

void
wws_receive(struct wep *e, struct lws *wsi, const char *in, size_t len)
{
	if (lws_is_first_fragment(wsi)) {
		e->rx_len = 0;
		e->rx_discard = false;
		e->rx_dropped_len = 0;
	}
	if (len > 0)
		rx_add(e, in, len);
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	if (e->rx_discard) {
		struct mon_event ev = {.kind = MEV_MSG_DROPPED,
		                       .len = e->rx_dropped_len,
		                       .wall_ms = clock_wall_ms()};

		watcher_apply(e, &ev);
	} else if (!wlive_json_pong(e, e->rx, e->rx_len)) {
		struct mon_event ev = {.kind = MEV_MESSAGE,
		                       .data = e->rx,
		                       .len = e->rx_len,
		                       .binary = lws_frame_is_binary(wsi),
		                       .wall_ms = clock_wall_ms()};

		e->proven = true;
		watcher_apply(e, &ev);
	}
	e->rx_len = 0;
	e->rx_discard = false;
	if (e->rx_cap > RX_KEEP) {
		free(e->rx);
		e->rx = NULL;
		e->rx_cap = 0;
	}
}

void
wws_pong(struct wep *e, const void *in, size_t len)
{
	int64_t sent;
	uint64_t seq;

	if (len < 16)
		return; /* not ours (ours carry time and sequence) */
	memcpy(&sent, in, 8);
	memcpy(&seq, (const char *)in + 8, 8);
	/* only a pong for a ping of ours, each once: a replayed old pong is
	 * neither an RTT sample nor a sign of life */
	if (seq <= e->pong_seq || seq > e->ping_seq || sent <= e->ws_t0_us)
		return;
	e->pong_seq = seq;
	wlive_pong(e, sent, clock_mono_us());
}
