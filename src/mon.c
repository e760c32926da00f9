/*
 * mon.c: the endpoint state machine and its bookkeeping; see mon.h.
 *
 * mon_apply() is the one entry point. It first accounts the time since the
 * last event to the mode the endpoint was in, then decides the next state
 * from (state, event) in next_state(), then records counters, RTT, message
 * and poll data. Every string from the network is sanitized on the way in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/mon.h"
#include "wsdash/probe.h"
#include "wsdash/sanitize.h"

#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS  30000

static const char *const state_names[MON_NSTATES] = {
    "connecting", "live", "stale", "polling", "down"};
static const char *const mode_names[] = {"websocket", "polling", "none"};

/* 1-2.5-5 steps: loopback pongs (~200 us) to a struggling proxy (seconds). */
const int64_t mon_hist_bounds_us[MON_HIST_BUCKETS] = {
    100,   250,    500,    1000,   2500,    5000,    10000,   25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};

const char *
mon_state_name(enum mon_state s)
{
	return (unsigned)s < MON_NSTATES ? state_names[s] : "unknown";
}

const char *
mon_mode_name(enum mon_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : "unknown";
}

bool
mon_in_fallback(const struct mon_ep *ep)
{
	return ep->state == MON_POLLING || ep->state == MON_DOWN;
}

bool
mon_init(struct mon *m, const struct config *c, int64_t now_us, bool utf8)
{
	memset(m, 0, sizeof(*m));
	m->eps = calloc(c->neps ? c->neps : 1, sizeof(*m->eps));
	if (m->eps == NULL)
		return false;
	m->n = c->neps;
	m->start_us = now_us;
	m->utf8 = utf8;
	for (size_t i = 0; i < c->neps; i++) {
		struct mon_ep *ep = &m->eps[i];

		ep->cfg = &c->eps[i];
		ep->utf8 = utf8;
		ep->state = MON_CONNECTING;
		ep->mode = MON_MODE_NONE;
		ep->since_us = now_us;
		ep->acct_us = now_us;
		ep->max_silence_ms = ep->cfg->max_silence_ms > 0
		                         ? ep->cfg->max_silence_ms
		                         : c->max_silence_ms;
		ep->poll_url = ep->cfg->has_poll ? &ep->cfg->poll : NULL;
		snprintf(ep->reason, sizeof(ep->reason), "starting");
	}
	return true;
}

void
mon_done(struct mon *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->eps[i].last);
	free(m->eps);
	memset(m, 0, sizeof(*m));
}

int64_t
mon_backoff_ms(unsigned attempt, double u, int base_ms)
{
	int64_t d = base_ms > 0 ? base_ms : BACKOFF_BASE_MS;

	for (unsigned i = 0; i < attempt && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	if (u < 0)
		u = 0;
	if (u >= 1)
		u = 0.999999;
	d = (int64_t)((double)d * (0.8 + 0.4 * u));
	return d > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : d;
}

void
mon_set_next_retry(struct mon_ep *ep, int64_t at_us)
{
	ep->next_retry_us = at_us;
}

/* Add the time since the last accounting point to the current mode. */
static void
account(struct mon_ep *ep, int64_t now_us)
{
	int64_t dt = now_us - ep->acct_us;

	if (dt > 0 && !ep->paused) {
		ep->total_us += dt;
		if (ep->mode == MON_MODE_WEBSOCKET)
			ep->ws_us += dt;
		if (mon_in_fallback(ep))
			ep->fallback_us += dt;
	}
	ep->acct_us = now_us;
}

void
mon_time_totals(const struct mon_ep *ep, int64_t now_us, int64_t *ws_us,
                int64_t *fallback_us)
{
	int64_t dt = now_us - ep->acct_us;

	*ws_us = ep->ws_us;
	*fallback_us = ep->fallback_us;
	if (dt > 0 && !ep->paused) {
		if (ep->mode == MON_MODE_WEBSOCKET)
			*ws_us += dt;
		if (mon_in_fallback(ep))
			*fallback_us += dt;
	}
}

/* Count one sample of v_us into a histogram (counts per bucket) and sum. */
static void
hist_add(uint64_t *counts, int64_t *sum_us, int64_t v_us)
{
	unsigned i = 0;

	if (v_us < 0)
		v_us = 0;
	while (i < MON_HIST_BUCKETS && v_us > mon_hist_bounds_us[i])
		i++;
	counts[i]++;
	*sum_us += v_us;
}

double
mon_ws_share(const struct mon_ep *ep, int64_t now_us)
{
	int64_t total = ep->total_us, ws = ep->ws_us;
	int64_t dt = now_us - ep->acct_us;

	if (dt > 0 && !ep->paused) {
		total += dt;
		if (ep->mode == MON_MODE_WEBSOCKET)
			ws += dt;
	}
	return total > 0 ? (double)ws / (double)total : 1.0;
}

static void
rate_count(struct mon_ep *ep, int64_t now_us)
{
	int64_t sec = now_us / 1000000;
	unsigned slot = (unsigned)(sec % MON_RATE_SECS);

	if (ep->rate_sec[slot] != sec) {
		ep->rate_sec[slot] = sec;
		ep->rate_count[slot] = 0;
	}
	ep->rate_count[slot]++;
}

double
mon_rate(const struct mon_ep *ep, int64_t now_us)
{
	int64_t sec = now_us / 1000000;
	uint64_t n = 0;

	for (int64_t s = sec - MON_RATE_WINDOW; s < sec; s++) {
		unsigned slot =
		    (unsigned)(((s % MON_RATE_SECS) + MON_RATE_SECS) %
		               MON_RATE_SECS);

		if (ep->rate_sec[slot] == s)
			n += ep->rate_count[slot];
	}
	return (double)n / MON_RATE_WINDOW;
}

/* Sanitized reason text into dst. */
static void
reason_set(struct mon *m, char *dst, const char *fmt_text)
{
	sanitize_text(dst, MON_REASON_MAX, fmt_text, strlen(fmt_text), m->utf8);
}

/* Why a poll failed, in a few words (sanitized, into out). */
static void
poll_error(struct mon *m, const struct mon_event *ev, char *out)
{
	const char *t = ev->text ? ev->text : "";

	if (t[0])
		sanitize_text(out, MON_REASON_MAX, t, strlen(t), m->utf8);
	else if (ev->status > 0)
		snprintf(out, MON_REASON_MAX, "answered %d", ev->status);
	else
		snprintf(out, MON_REASON_MAX, "failed");
}

/* What a close code means, for a close without a reason text. */
static const char *
close_meaning(int code)
{
	switch (code) {
	case 1000:
		return "normal";
	case 1001:
		return "going away";
	case 1003:
		return "unsupported data";
	case 1007:
		return "invalid data";
	case 1008:
		return "policy violation";
	case 1009:
		return "message too big";
	case 1010:
		return "extension required";
	case 1011:
		return "server error";
	case 1012:
		return "service restart";
	case 1013:
		return "try again later";
	case 1014:
		return "bad gateway";
	default:
		return "";
	}
}

/* Failures below HTTP: nothing (or nothing whole) answered. */
static bool
conn_level(const struct mon_event *ev)
{
	if (ev->kind == MEV_WS_CLOSED)
		return ev->close_code == 0 || ev->close_code == 1006;
	return ev->kind == MEV_WS_FAIL &&
	       (ev->cls == PC_REFUSED || ev->cls == PC_TIMEOUT ||
	        ev->cls == PC_CLOSED);
}

/* Why an event moves an endpoint: the words shown to the user. */
static void
event_reason(struct mon *m, const struct mon_ep *ep, const struct mon_event *ev,
             char *out)
{
	char buf[MON_REASON_MAX * 2];
	const char *t = ev->text ? ev->text : "";
	char clean[MON_REASON_MAX];

	sanitize_text(clean, sizeof(clean), t, strlen(t), m->utf8);
	switch (ev->kind) {
	case MEV_WS_OPEN:
		snprintf(buf, sizeof(buf), "101 upgraded%s",
		         ep->close_1002 ? " (back after a restart)" : "");
		break;
	case MEV_WS_FAIL:
		if (ep->close_1002 && conn_level(ev))
			snprintf(buf, sizeof(buf),
			         "server restarting: %s after a 1002 close",
			         clean[0] ? clean : probe_class_name(ev->cls));
		else if (ev->status > 0 && ev->status != 101)
			snprintf(buf, sizeof(buf), "%d on upgrade (%s)",
			         ev->status, probe_class_name(ev->cls));
		else if (clean[0])
			snprintf(buf, sizeof(buf), "%s", clean);
		else
			snprintf(buf, sizeof(buf), "%s",
			         probe_class_name(ev->cls));
		break;
	case MEV_WS_CLOSED:
		if (ev->close_code == 1002)
			/* lws 4.1.6 reports 1012-1014 (uvicorn restarting) as
			 * 1002: say both */
			snprintf(buf, sizeof(buf),
			         "closed by server (1002%s%s: protocol error, "
			         "or a 1012 restart that lws reports as 1002)",
			         clean[0] ? " " : "", clean);
		else if (ev->close_code > 0)
			snprintf(
			    buf, sizeof(buf), "closed by server (%d%s%s)",
			    ev->close_code,
			    clean[0] || close_meaning(ev->close_code)[0] ? " "
			                                                 : "",
			    clean[0] ? clean : close_meaning(ev->close_code));
		else
			snprintf(buf, sizeof(buf), "%s",
			         clean[0] ? clean : "connection lost");
		break;
	case MEV_PONG_LATE:
		snprintf(buf, sizeof(buf), "%s",
		         clean[0] ? clean : "no pong within the ping timeout");
		break;
	case MEV_POLL_OK:
		snprintf(buf, sizeof(buf), "polls answer (%d)", ev->status);
		break;
	case MEV_POLL_FAIL:
		poll_error(m, ev, clean);
		snprintf(buf, sizeof(buf), "poll: %s", clean);
		break;
	case MEV_PAUSE:
		snprintf(buf, sizeof(buf), "%s", clean[0] ? clean : "paused");
		break;
	case MEV_RESUME:
		snprintf(buf, sizeof(buf), "%s", clean[0] ? clean : "resumed");
		break;
	default:
		snprintf(buf, sizeof(buf), "%s", clean);
		break;
	}
	reason_set(m, out, buf);
}

/*
 * The transition table. Returns the next state for (state, event); the
 * same state means no transition.
 */
static enum mon_state
next_state(const struct mon_ep *ep, enum mon_ev_kind k)
{
	enum mon_state s = ep->state;

	switch (k) {
	case MEV_WS_OPEN:
		return MON_LIVE;
	case MEV_WS_FAIL:
		/* first failure: fall back (down until a poll answers); in
		 * fallback: stay (a retry) */
		return s == MON_CONNECTING ? MON_DOWN : s;

	case MEV_WS_CLOSED:
		return s == MON_LIVE || s == MON_STALE || s == MON_CONNECTING
		           ? MON_DOWN
		           : s;
	case MEV_PONG:
		return s == MON_STALE ? MON_LIVE : s;
	case MEV_PONG_LATE:
		return s == MON_LIVE ? MON_STALE : s;
	case MEV_POLL_OK:
		return s == MON_DOWN && ep->cfg->has_poll ? MON_POLLING : s;
	case MEV_POLL_FAIL:
		return s == MON_POLLING ? MON_DOWN : s;
	case MEV_RESUME:
		return MON_CONNECTING;
	case MEV_MESSAGE:
	case MEV_MSG_DROPPED:
	case MEV_PAUSE:
	default:
		return s;
	}
}

static enum mon_mode
mode_of(enum mon_state s)
{
	switch (s) {
	case MON_LIVE:
	case MON_STALE:
		return MON_MODE_WEBSOCKET;
	case MON_POLLING:
		return MON_MODE_POLLING;
	default:
		return MON_MODE_NONE;
	}
}

static void
history_add(struct mon_ep *ep, int64_t now_us, int64_t wall_ms,
            enum mon_state from, enum mon_state to, const char *reason)
{
	struct mon_transition *t = &ep->hist[ep->hist_head];

	t->at_us = now_us;
	t->wall_ms = wall_ms;
	t->from = from;
	t->to = to;
	snprintf(t->reason, sizeof(t->reason), "%s", reason);
	ep->hist_head = (ep->hist_head + 1) % MON_HISTORY;
	if (ep->hist_len < MON_HISTORY)
		ep->hist_len++;
}

const struct mon_transition *
mon_history(const struct mon_ep *ep, unsigned i)
{
	if (i >= ep->hist_len)
		return NULL;
	return &ep->hist[(ep->hist_head + MON_HISTORY - 1 - i) % MON_HISTORY];
}

/*
 * Keep a bounded copy of a message for the detail view. Its analysis: mi
 * when the caller made one (needed at once to tell own messages from
 * others, or the copy is cut and only the whole message is valid JSON),
 * else made from the copy the first time it is asked for: a flood of
 * messages nobody looks at is not parsed twice.
 */
static void
keep_last(struct mon_ep *ep, const struct mon_event *ev,
          const struct msg_info *mi, int64_t now_us, bool from_poll)
{
	size_t keep = ev->len < MON_LAST_MAX ? ev->len : MON_LAST_MAX;

	if (keep > ep->last_len || ep->last == NULL) {
		char *p = realloc(ep->last, keep ? keep : 1);

		if (p == NULL)
			return;
		ep->last = p;
	}
	if (mi != NULL)
		ep->last_info = *mi;
	ep->last_info_ok = mi != NULL;
	if (keep)
		memcpy(ep->last, ev->data, keep);
	ep->last_len = keep;
	ep->last_full = ev->len;
	ep->last_binary = ev->binary;
	ep->last_from_poll = from_poll;
	ep->last_at_us = now_us;
	ep->last_wall_ms = ev->wall_ms;
}

const struct msg_info *
mon_last_info(const struct mon_ep *ep)
{
	if (ep->last == NULL)
		return NULL;
	if (!ep->last_info_ok) {
		/* a cache: the analysis of what is already kept */
		struct mon_ep *w = (struct mon_ep *)ep;

		msgsum_analyze(w->last, w->last_len, w->last_binary, w->utf8,
		               &w->last_info);
		w->last_info_ok = true;
	}
	return &ep->last_info;
}

bool
mon_last_lag(const struct mon_ep *ep, double *lag_ms)
{
	const struct msg_info *mi = mon_last_info(ep);

	if (mi == NULL || !mi->has_time || ep->last_wall_ms <= 0)
		return false;
	*lag_ms = (double)ep->last_wall_ms - mi->sent_ms;
	return true;
}

/* The stream went away (a fallback starts): the browser's clock starts. */
static void
browser_lost(struct mon_ep *ep, int64_t now_us)
{
	struct mon_browser_view v;

	mon_browser(ep, now_us, &v);
	/* a browser still retrying from the last loss just goes on */
	if (v.view == MB_LIVE)
		ep->browser_lost_us = now_us;
	ep->browser_back_us = 0;
}

/* A message: the endpoint's own, or other traffic on its socket. */
static unsigned
message(struct mon *m, struct mon_ep *ep, const struct mon_event *ev,
        int64_t now_us)
{
	struct msg_info mi;
	/* analysed now only if its type decides, or the copy will be cut */
	bool now = ep->cfg->ntypes > 0 || ev->len > MON_LAST_MAX;

	if (now)
		msgsum_analyze(ev->data, ev->len, ev->binary, m->utf8, &mi);
	if (now && !config_own_type(ep->cfg, mi.type)) {
		ep->others++;
		ep->other_bytes += ev->len;
		memcpy(ep->other_type, mi.type, sizeof(ep->other_type));
		return MON_CHG_OTHER_MSG;
	}
	ep->msgs++;
	ep->bytes += ev->len;
	ep->last_own_us = now_us;
	rate_count(ep, now_us);
	keep_last(ep, ev, now ? &mi : NULL, now_us, false);
	return MON_CHG_MESSAGE;
}

unsigned
mon_apply(struct mon *m, struct mon_ep *ep, const struct mon_event *ev,
          int64_t now_us)
{
	enum mon_state from = ep->state, to;
	unsigned chg = 0;
	char reason[MON_REASON_MAX];

	account(ep, now_us);
	if (ep->paused && ev->kind != MEV_RESUME)
		return 0; /* late events of a paused endpoint */

	to = next_state(ep, ev->kind);
	switch (ev->kind) {
	case MEV_WS_OPEN:
		if (ep->was_open && from != MON_LIVE && from != MON_STALE)
			ep->reconnects++;
		ep->was_open = true;
		ep->open_us = now_us;
		ep->last_own_us = 0;
		ep->poll_pending = false;
		if (ep->browser_lost_us != 0 && ep->browser_back_us == 0)
			ep->browser_back_us = now_us;
		break;
	case MEV_WS_FAIL:
		if (mon_in_fallback(ep)) {
			/* a retry failed: the reason is the latest one */
			ep->retries++;
			event_reason(m, ep, ev, ep->retry_reason);
			if (ep->close_1002 && conn_level(ev))
				snprintf(ep->fallback_reason,
				         sizeof(ep->fallback_reason),
				         "server restart (closed with 1002, "
				         "the code lws gives 1012)");
			snprintf(ep->reason, sizeof(ep->reason), "%s",
			         ep->retry_reason);
			chg |= MON_CHG_OTHER;
		}
		break;
	case MEV_WS_CLOSED:
		ep->close_1002 = ev->close_code == 1002;
		break;
	case MEV_PONG:
		rtt_add(&ep->rtt, ev->rtt_us);
		hist_add(ep->rtt_hist, &ep->rtt_sum_us, ev->rtt_us);
		chg |= MON_CHG_RTT;
		break;
	case MEV_MESSAGE:
		chg |= message(m, ep, ev, now_us);
		if (chg & MON_CHG_MESSAGE)
			ep->last_msg_wall_ms = ev->wall_ms;
		break;
	case MEV_MSG_DROPPED:
		ep->dropped++;
		ep->bytes += ev->len;
		chg |= MON_CHG_OTHER;
		break;
	case MEV_POLL_OK:
		ep->polls++;
		ep->poll_pending = false;
		ep->last_poll_status = ev->status;
		ep->last_poll_rtt_us = ev->rtt_us;
		ep->last_poll_at_us = now_us;
		hist_add(ep->poll_hist, &ep->poll_sum_us, ev->rtt_us);
		if (ev->data != NULL && ev->len > MON_LAST_MAX) {
			struct msg_info mi;

			msgsum_analyze(ev->data, ev->len, false, m->utf8, &mi);
			keep_last(ep, ev, &mi, now_us, true);
		} else if (ev->data != NULL) {
			keep_last(ep, ev, NULL, now_us, true);
		}
		chg |= MON_CHG_POLL;
		break;
	case MEV_POLL_FAIL:
		ep->polls++;
		ep->poll_failures++;
		ep->poll_pending = false;
		ep->last_poll_status = ev->status;
		ep->last_poll_rtt_us = ev->rtt_us;
		ep->last_poll_at_us = now_us;
		if (ev->status > 0) /* it answered: a round trip */
			hist_add(ep->poll_hist, &ep->poll_sum_us, ev->rtt_us);
		poll_error(m, ev, ep->last_poll_error);
		if (to == from && mon_in_fallback(ep)) {
			event_reason(m, ep, ev, ep->reason);
			chg |= MON_CHG_OTHER;
		}
		chg |= MON_CHG_POLL;
		break;
	case MEV_PAUSE:
		ep->paused = true;
		ep->mode = MON_MODE_NONE;
		ep->next_retry_us = 0;
		ep->poll_pending = false;
		ep->open_us = 0;
		event_reason(m, ep, ev, ep->reason);
		return MON_CHG_STATE;
	case MEV_RESUME:
		ep->paused = false;
		ep->acct_us = now_us;
		ep->fallback_since_us = 0;
		ep->retries = 0;
		ep->open_us = 0;
		break;
	default:
		break;
	}
	if (to == from && ev->kind != MEV_RESUME)
		return chg;

	/* A transition. */
	event_reason(m, ep, ev, reason);
	if ((from == MON_CONNECTING || from == MON_LIVE || from == MON_STALE) &&
	    to == MON_DOWN) {
		ep->fallbacks++;
		ep->fallback_since_us = now_us;
		ep->retries = 0;
		ep->poll_pending = ep->cfg->has_poll;
		ep->open_us = 0;
		ep->silent = false;
		browser_lost(ep, now_us);
		snprintf(ep->fallback_reason, sizeof(ep->fallback_reason), "%s",
		         reason);
	} else if (to == MON_LIVE && ep->fallback_since_us != 0) {
		ep->last_fallback_us = now_us - ep->fallback_since_us;
		ep->fallback_since_us = 0;
		ep->next_retry_us = 0;
		ep->retries = 0;
	}
	if (to == MON_LIVE && from != MON_STALE)
		ep->close_1002 = false;
	if (to == MON_LIVE || to == MON_STALE || to == MON_CONNECTING)
		ep->next_retry_us = 0;
	ep->state = to;
	ep->mode = mode_of(to);
	ep->since_us = now_us;
	snprintf(ep->reason, sizeof(ep->reason), "%s", reason);
	history_add(ep, now_us, ev->wall_ms, from, to, reason);
	return chg | MON_CHG_STATE;
}

void
mon_set_poll_url(struct mon_ep *ep, const struct url *u)
{
	ep->poll_url = u;
}

/* The browser's k-th reconnect attempt (k >= 1) after a loss at lost. */
static int64_t
browser_try_at(int64_t lost, int k)
{
	int64_t at = lost;

	for (int n = 1; n <= k; n++) {
		int64_t d = (int64_t)1000 << n;

		at += ((d < 30000 ? d : 30000) + 500) * 1000;
	}
	return at;
}

void
mon_browser(const struct mon_ep *ep, int64_t now_us,
            struct mon_browser_view *out)
{
	int64_t lost = ep->browser_lost_us, back = ep->browser_back_us;

	memset(out, 0, sizeof(*out));
	out->view = MB_LIVE;
	if (lost == 0)
		return;
	for (int k = 1; k <= MON_BROWSER_TRIES; k++) {
		int64_t at = browser_try_at(lost, k);

		if (back != 0 && at >= back) {
			/* this try finds the stream back */
			if (now_us >= at)
				return;
			out->view = MB_FALLBACK;
			out->tries = k - 1;
			out->next_try_us = at;
			return;
		}
		if (now_us < at) {
			out->view = MB_FALLBACK;
			out->tries = k - 1;
			out->next_try_us = at;
			return;
		}
	}
	out->view = MB_GAVE_UP;
	out->tries = MON_BROWSER_TRIES;
}

const char *
mon_browser_text(enum mon_browser b)
{
	switch (b) {
	case MB_LIVE:
		return "live";
	case MB_FALLBACK:
		return "Polling fallback";
	default:
		return "gave up (reload needed)";
	}
}

bool
mon_silence(struct mon_ep *ep, int64_t now_us)
{
	int64_t ref =
	    ep->last_own_us > ep->open_us ? ep->last_own_us : ep->open_us;
	bool silent = ep->max_silence_ms > 0 && ep->open_us != 0 &&
	              (ep->state == MON_LIVE || ep->state == MON_STALE) &&
	              now_us - ref >= (int64_t)ep->max_silence_ms * 1000;

	if (silent == ep->silent)
		return false;
	ep->silent = silent;
	return true;
}
