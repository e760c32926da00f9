/*
 * watcher_live.c: round-trip time and half-open detection.
 *
 * Pings and pong deadlines run off one watcher-wide timer (wlive_tick), not
 * a pair of timers per endpoint: with a thousand endpoints that is one
 * wakeup per tick instead of thousands. A protocol PING carries our
 * monotonic send time and a sequence number; --ping json sends
 * {"type":"ping","timestamp":t} and matches the JSON pong by t. An open
 * stream without a pong for ping_timeout is stale; for twice that, it is
 * dropped as half-open and the endpoint falls back.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wsdash/clock.h"
#include "net.h"
#include "watcher_int.h"

#define PING_PAYLOAD 16  /* mono us + sequence number */
#define JPONG_MAX    512 /* a JSON pong is tiny: larger messages are not */

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
check(struct wep *e, int64_t now)
{
	int64_t timeout_us = (int64_t)e->w->c->ping_timeout_ms * 1000;
	int64_t waited = now - e->ping_outstanding_us;
	char why[96];

	if (!e->ws_open || e->ping_outstanding_us == 0 || waited < timeout_us)
		return;
	if (waited >= 2 * timeout_us) {
		snprintf(why, sizeof(why), "no pong for %lld ms (half-open?)",
		         (long long)(waited / 1000));
		watcher_detach_kill(&e->ws);
		wws_lost(e, why);
		return;
	}
	if (!e->stale_reported) {
		e->stale_reported = true;
		snprintf(why, sizeof(why), "no pong for %lld ms",
		         (long long)(waited / 1000));
		watcher_apply_simple(e, MEV_PONG_LATE, why);
	}
}

int64_t
wlive_period_us(const struct config *c)
{
	int ms = c->ping_interval_ms < c->ping_timeout_ms / 2
	             ? c->ping_interval_ms
	             : c->ping_timeout_ms / 2;

	return (int64_t)(ms < 50 ? 50 : ms) * 1000;
}

void
wlive_tick(lws_sorted_usec_list_t *sul)
{
	struct watcher *w = lws_container_of(sul, struct watcher, sul_live);
	int64_t now = clock_mono_us(), period = wlive_period_us(w->c);
	int64_t interval = (int64_t)w->c->ping_interval_ms * 1000;

	for (size_t i = 0; i < w->n; i++) {
		struct wep *e = &w->eps[i];

		check(e, now);
		if (mon_silence(e->m, now) && w->h && w->h->changed)
			w->h->changed(w->h->user, e->m, MON_CHG_SILENCE, NULL);
		if (e->ws_open &&
		    now - e->last_ping_us >= interval - period / 2) {
			e->ping_due = true;
			lws_callback_on_writable(e->ws);
		}
	}
	lws_sul_schedule(w->ctx, 0, &w->sul_live, wlive_tick, period);
}

void
wlive_pong(struct wep *e, int64_t sent_us, int64_t now)
{
	struct mon_event ev = {0};

	if (sent_us <= 0 || sent_us > now)
		return;
	if (e->ping_outstanding_us != 0 && sent_us < e->ping_outstanding_us)
		return; /* older than the ping still waiting: old news */
	e->ping_outstanding_us = 0;
	e->stale_reported = false;
	e->proven = true;
	ev.kind = MEV_PONG;
	ev.rtt_us = now - sent_us;
	ev.wall_ms = clock_wall_ms();
	watcher_apply(e, &ev);
}

int
wlive_send_ping(struct wep *e, struct lws *wsi)
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

		if (net_write_text(wsi, msg, (size_t)n) < 0)
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

bool
wlive_json_pong(struct wep *e, const char *data, size_t len)
{
	cJSON *j, *t, *ts;
	bool ours = false;

	/* only small messages can be our pong: a 1 MiB message that says
	 * "pong" somewhere is not parsed twice */
	if (e->w->c->ping != PING_JSON || e->njping == 0 || len > JPONG_MAX ||
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
			wlive_pong(e, e->jping[i].sent_us, clock_mono_us());
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
