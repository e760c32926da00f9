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
		ep->state = MON_CONNECTING;
		ep->mode = MON_MODE_NONE;
		ep->since_us = now_us;
		ep->acct_us = now_us;
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
	}
	ep->acct_us = now_us;
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

/* Why an event moves an endpoint: the words shown to the user. */
static void
event_reason(struct mon *m, const struct mon_event *ev, char *out)
{
	char buf[MON_REASON_MAX * 2];
	const char *t = ev->text ? ev->text : "";
	char clean[MON_REASON_MAX];

	sanitize_text(clean, sizeof(clean), t, strlen(t), m->utf8);
	switch (ev->kind) {
	case MEV_WS_OPEN:
		snprintf(buf, sizeof(buf), "101 upgraded");
		break;
	case MEV_WS_FAIL:
		if (ev->status > 0 && ev->status != 101)
			snprintf(buf, sizeof(buf), "%d on upgrade (%s)",
			         ev->status, probe_class_name(ev->cls));
		else
			snprintf(buf, sizeof(buf), "%s%s%s",
			         probe_class_name(ev->cls),
			         clean[0] ? ": " : "", clean);
		break;
	case MEV_WS_CLOSED:
		if (ev->close_code > 0)
			snprintf(buf, sizeof(buf), "closed by server (%d%s%s)",
			         ev->close_code, clean[0] ? " " : "", clean);
		else
			snprintf(buf, sizeof(buf), "%s",
			         clean[0] ? clean : "connection lost");
		break;
	case MEV_PONG_LATE:
		snprintf(buf, sizeof(buf), "%s",
		         clean[0] ? clean : "no pong within the ping timeout");
		break;
	case MEV_POLL_OK:
		snprintf(buf, sizeof(buf), "poll %d", ev->status);
		break;
	case MEV_POLL_FAIL:
		poll_error(m, ev, clean);
		snprintf(buf, sizeof(buf), "poll: %s", clean);
		break;
	case MEV_PAUSE:
		snprintf(buf, sizeof(buf), "paused");
		break;
	case MEV_RESUME:
		snprintf(buf, sizeof(buf), "resumed");
		break;
	default:
		snprintf(buf, sizeof(buf), "%s", clean);
		break;
	}
	reason_set(m, out, buf);
}

/* Where the endpoint goes when its WebSocket is unavailable. */
static enum mon_state
fallback_state(const struct mon_ep *ep)
{
	return ep->cfg->has_poll ? MON_POLLING : MON_DOWN;
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
		/* first failure: fall back; in fallback: stay (a retry). */
		return s == MON_CONNECTING ? fallback_state(ep) : s;

	case MEV_WS_CLOSED:
		return s == MON_LIVE || s == MON_STALE || s == MON_CONNECTING
		           ? fallback_state(ep)
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
 * Analyse the whole message (type, summary, time, seq: a 1 MiB JSON
 * message is still valid JSON), then keep a bounded copy of it for the
 * detail view.
 */
static void
keep_last(struct mon *m, struct mon_ep *ep, const struct mon_event *ev,
          int64_t now_us, bool from_poll)
{
	size_t keep = ev->len < MON_LAST_MAX ? ev->len : MON_LAST_MAX;

	if (keep > ep->last_len || ep->last == NULL) {
		char *p = realloc(ep->last, keep ? keep : 1);

		if (p == NULL)
			return;
		ep->last = p;
	}
	msgsum_analyze(ev->data, ev->len, ev->binary, m->utf8, &ep->last_info);
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
	return ep->last != NULL ? &ep->last_info : NULL;
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
		break;
	case MEV_WS_FAIL:
		if (mon_in_fallback(ep)) {
			ep->retries++;
			event_reason(m, ev, ep->retry_reason);
			chg |= MON_CHG_OTHER;
		}

		break;
	case MEV_PONG:
		rtt_add(&ep->rtt, ev->rtt_us);
		chg |= MON_CHG_RTT;
		break;
	case MEV_MESSAGE:
		ep->msgs++;
		ep->bytes += ev->len;
		rate_count(ep, now_us);
		keep_last(m, ep, ev, now_us, false);
		chg |= MON_CHG_MESSAGE;
		break;
	case MEV_MSG_DROPPED:
		ep->dropped++;
		ep->bytes += ev->len;
		chg |= MON_CHG_OTHER;
		break;
	case MEV_POLL_OK:
		ep->polls++;
		ep->last_poll_status = ev->status;
		ep->last_poll_rtt_us = ev->rtt_us;
		ep->last_poll_at_us = now_us;
		if (ev->data != NULL)
			keep_last(m, ep, ev, now_us, true);
		chg |= MON_CHG_POLL;
		break;
	case MEV_POLL_FAIL:
		ep->polls++;
		ep->poll_failures++;
		ep->last_poll_status = ev->status;
		ep->last_poll_rtt_us = ev->rtt_us;
		ep->last_poll_at_us = now_us;
		poll_error(m, ev, ep->last_poll_error);
		chg |= MON_CHG_POLL;
		break;
	case MEV_PAUSE:
		ep->paused = true;
		ep->mode = MON_MODE_NONE;
		ep->next_retry_us = 0;
		event_reason(m, ev, ep->reason);
		return MON_CHG_STATE;
	case MEV_RESUME:
		ep->paused = false;
		ep->acct_us = now_us;
		ep->fallback_since_us = 0;
		ep->retries = 0;
		break;
	default:
		break;
	}
	if (to == from && ev->kind != MEV_RESUME)
		return chg;

	/* A transition. */
	event_reason(m, ev, reason);
	if ((from == MON_CONNECTING || from == MON_LIVE || from == MON_STALE) &&
	    (to == MON_POLLING || to == MON_DOWN)) {
		ep->fallbacks++;
		ep->fallback_since_us = now_us;
		ep->retries = 0;
		snprintf(ep->fallback_reason, sizeof(ep->fallback_reason), "%s",
		         reason);
	} else if (to == MON_LIVE && ep->fallback_since_us != 0) {
		ep->last_fallback_us = now_us - ep->fallback_since_us;
		ep->fallback_since_us = 0;
		ep->next_retry_us = 0;
		ep->retries = 0;
	}
	if (to == MON_LIVE || to == MON_STALE || to == MON_CONNECTING)
		ep->next_retry_us = 0;
	ep->state = to;
	ep->mode = mode_of(to);
	ep->since_us = now_us;
	snprintf(ep->reason, sizeof(ep->reason), "%s", reason);
	history_add(ep, now_us, ev->wall_ms, from, to, reason);
	return chg | MON_CHG_STATE;
}
