/*
 * watcher_poll.c: HTTP polling while an endpoint is in fallback, the way
 * the web frontend polls its /api twin every few seconds.
 *
 * A poll succeeds only with a 2xx answer; 204 and 304 carry no body and
 * are settled by their status line. Without a configured poll URL there
 * may be two candidates (/P/api/NAME and /P/NAME): while none has answered
 * 2xx, a failure of the first moves on to the second within the same poll,
 * and the first that answers is kept.
 *
 * A poll that succeeds while the last WebSocket attempt failed below HTTP
 * (refused, timeout, reset, no close frame, a going-away or restart
 * close), or after polls found nothing answering, brings the next
 * WebSocket retry forward to now, at most once per poll interval: a
 * backend that restarted is live again within a poll of answering, not
 * after a backoff grown while it was away. The body is kept up to max_message
 * bytes: an answer that goes past that is cut off at once and reported,
 * rather than read and thrown away until the timeout (lws 4.1.6 hands a
 * chunk size with its top bit set over as a huge length: every length is
 * compared against the room left, never added first). The next poll comes
 * poll_interval after the last one started, but never sooner than half an
 * interval after it ended, so a slow or broken server is not polled in a
 * loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/clock.h"
#include "watcher_int.h"

static void poll_start(struct wep *e);

/* A new poll: while none has answered, from the first candidate. */
static void
poll_round(struct wep *e)
{
	if (!e->poll_known)
		e->poll_url = &e->cfg->poll;
	poll_start(e);
}

static void
poll_fire(struct theap_timer *t)
{
	poll_round(lws_container_of(t, struct wep, t_poll));
}

static void
poll_schedule(struct wep *e)
{
	int64_t interval = (int64_t)e->w->c->poll_interval_ms * 1000;
	int64_t now = clock_mono_us();
	int64_t next = e->poll_t0_us + interval - now;

	if (!e->polling)
		return;
	if (next < interval / 2)
		next = interval / 2;
	watcher_timer_arm(e->w, &e->t_poll, next, poll_fire);
}

static void
body_free(struct wep *e)
{
	free(e->poll_body);
	e->poll_body = NULL;
	e->poll_len = 0;
}

/* The other candidate URL, if this one has not been found to answer. */
static bool
next_candidate(struct wep *e)
{
	if (e->poll_known || !e->cfg->has_poll_alt ||
	    e->poll_url == &e->cfg->poll_alt)
		return false;
	e->poll_url = &e->cfg->poll_alt;
	return true;
}

/* The server answers again: try the WebSocket now (see above). */
void
wpoll_fast_return(struct wep *e)
{
	int64_t now = clock_mono_us();
	int64_t interval = (int64_t)e->w->c->poll_interval_ms * 1000;

	if (!e->ws_conn_failed || e->ws_phase != WP_IDLE || e->ws_open ||
	    now - e->fast_retry_us < interval)
		return;
	e->fast_retry_us = now;
	wws_start(e);
}

void
wpoll_done(struct wep *e, bool ok, const char *why)
{
	struct mon_event ev = {0};

	watcher_timer_cancel(e->w, &e->t_poll_to);
	watcher_phase(e, WK_POLL, WP_IDLE);
	if (ok && !e->poll_known) {
		e->poll_known = true;
		mon_set_poll_url(e->m, e->poll_url);
	} else if (!ok && next_candidate(e)) {
		/* the same poll, at the other candidate URL */
		e->poll_first_status = e->poll_status;
		snprintf(e->poll_first_why, sizeof(e->poll_first_why), "%s",
		         why ? why : "");
		body_free(e);
		e->poll = NULL;
		poll_start(e);
		return;
	} else if (!ok && !e->poll_known && e->poll_url == &e->cfg->poll_alt &&
	           e->poll_first_status != 404) {
		/* neither answered: the first one's failure says more than
		 * the second one's "not found" */
		mon_set_poll_url(e->m, &e->cfg->poll);
		e->poll_status = e->poll_first_status;
		why = e->poll_first_why[0] ? e->poll_first_why : NULL;
	} else if (!ok && !e->poll_known) {
		mon_set_poll_url(e->m, e->poll_url);
	}
	ev.kind = ok ? MEV_POLL_OK : MEV_POLL_FAIL;
	ev.status = e->poll_status;
	ev.rtt_us = clock_mono_us() - e->poll_t0_us;
	ev.text = why;
	ev.data = ok ? e->poll_body : NULL;
	ev.len = ok ? e->poll_len : 0;
	ev.wall_ms = clock_wall_ms();
	if (e->polling)
		watcher_apply(e, &ev);
	body_free(e);
	e->poll = NULL;
	poll_schedule(e);
	if (ok && e->ws_conn_failed) {
		/* it is back: for this endpoint, and for the others on the
		 * same server that have no poll to tell them */
		wpoll_fast_return(e);
		watcher_server_back(e->w, e->poll_url);
	} else if (!ok && ev.status == 0) {
		e->ws_conn_failed = true; /* the server itself was away */
	}
}

static void
poll_deadline(struct theap_timer *t)
{
	struct wep *e = lws_container_of(t, struct wep, t_poll_to);
	char why[128];

	if (e->poll_phase == WP_DNS) {
		snprintf(why, sizeof(why),
		         "cannot resolve '%.64s': no answer "
		         "in %d ms",
		         e->poll_url->host, e->timeout_ms);
	} else if (e->poll_phase == WP_CONNECTING) {
		watcher_detach_kill(&e->poll);
		snprintf(why, sizeof(why), "no answer in %d ms", e->timeout_ms);
		e->poll_status = 0;
	} else {
		return;
	}
	wpoll_done(e, false, why);
}

static void
poll_start(struct wep *e)
{
	if (e->poll_phase != WP_IDLE || !e->polling)
		return;
	e->poll_t0_us = clock_mono_us();
	e->poll_status = 0;
	watcher_timer_arm(e->w, &e->t_poll_to, (int64_t)e->timeout_ms * 1000,
	                  poll_deadline);
	watcher_start(e, WK_POLL);
	if (e->poll_phase == WP_QUEUED)
		watcher_timer_cancel(e->w, &e->t_poll_to);
}

void
wpoll_connect(struct wep *e, const char *ip)
{
	struct lws_client_connect_info i;
	char host[URL_HOST_MAX + 16];
	struct lws *wsi;

	watcher_connect_info(e, &i, e->poll_url, ip, host, sizeof(host));
	i.method = "GET";
	i.alpn = "http/1.1";
	i.opaque_user_data = &e->pollc;
	watcher_timer_arm(e->w, &e->t_poll_to, (int64_t)e->timeout_ms * 1000,
	                  poll_deadline);
	wsi = lws_client_connect_via_info(&i);
	if (e->poll_phase != WP_CONNECTING)
		return; /* settled inside the call */
	if (wsi != NULL)
		e->poll = wsi;
	else
		wpoll_done(e, false, "could not start the request");
}

void
wpoll_begin(struct wep *e)
{
	if (!e->cfg->has_poll || e->polling)
		return;
	e->polling = true;
	poll_round(e);
}

void
wpoll_stop(struct wep *e)
{
	e->polling = false;
	watcher_timer_cancel(e->w, &e->t_poll);
	watcher_timer_cancel(e->w, &e->t_poll_to);
	watcher_detach_kill(&e->poll);
	watcher_phase(e, WK_POLL, WP_IDLE);
	body_free(e);
}

/* The status line arrived. No-body answers are settled here. */
void
wpoll_status(struct wep *e, struct lws *wsi)
{
	char why[96];
	int st = (int)lws_http_client_http_response(wsi);

	e->poll_status = st;
	if (st == 204) {
		lws_set_opaque_user_data(wsi, NULL);
		e->poll = NULL;
		wpoll_done(e, true, NULL);
	} else if (st < 200 || st >= 300) {
		/* a failure either way: its body would change nothing */
		lws_set_opaque_user_data(wsi, NULL);
		e->poll = NULL;
		if (st == 304)
			snprintf(why, sizeof(why),
			         "answered 304 Not Modified to a request that "
			         "was not conditional");
		else if (st >= 300 && st < 400)
			snprintf(why, sizeof(why),
			         "answered %d (redirects are not followed)",
			         st);
		else
			snprintf(why, sizeof(why), "answered %d", st);
		wpoll_done(e, false, why);
	}
}

int
wpoll_body(struct wep *e, const char *in, size_t len)
{
	size_t max = e->w->c->max_message;
	char *p, why[96];

	/* compare without adding: len can be anything lws made of a chunk
	 * header, up to SIZE_MAX */
	if (len > max - e->poll_len) {
		snprintf(
		    why, sizeof(why),
		    "answer larger than %zu bytes (--max-message): cut off",
		    max);
		watcher_detach_kill(&e->poll);
		wpoll_done(e, false, why);
		return -1;
	}
	p = realloc(e->poll_body, e->poll_len + len + 1);
	if (p == NULL)
		return -1;
	e->poll_body = p;
	memcpy(p + e->poll_len, in, len);
	e->poll_len += len;
	return 0;
}

void
wpoll_completed(struct wep *e)
{
	if (e->poll_phase == WP_CONNECTING)
		wpoll_done(e, e->poll_status >= 200 && e->poll_status < 300,
		           NULL);
}
