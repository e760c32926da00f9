/*
 * wprint.c: headless lines for `wsdash watch`; see wprint.h.
 *
 * JSON lines are built with cJSON, so escaping is cJSON's; plain lines only
 * ever contain text that went through sanitize_text() (the model stores
 * sanitized reasons and summaries, names were validated by config).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "wsdash/sanitize.h"
#include "wsdash/wprint.h"

bool
wprint_init(struct wprint *p, struct mon *m, bool json, bool utf8)
{
	memset(p, 0, sizeof(*p));
	p->json = json;
	p->utf8 = utf8;
	p->m = m;
	p->eps = calloc(m->n ? m->n : 1, sizeof(*p->eps));
	p->name_w = 4;
	for (size_t i = 0; i < m->n; i++) {
		int w = text_cols(m->eps[i].cfg->name);

		if (w > p->name_w)
			p->name_w = w > 24 ? 24 : w;
	}
	return p->eps != NULL;
}

void
wprint_done(struct wprint *p)
{
	free(p->eps);
	memset(p, 0, sizeof(*p));
}

/* x rounded to a multiple of step, without -0 (no integer casts: x may
 * be anything a server put in a message) */
static double
round_to(double x, double step)
{
	double r = round(x / step) * step;

	return r == 0 ? 0 : r;
}

/* "22:00:01.123" in local time. */
static void
clock_text(double wall_ms, char out[16])
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(out, 16, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
	         tm.tm_sec, (int)((long long)wall_ms % 1000));
}

/* A --plain line; ep NULL: about no endpoint in particular ("-"). */
static char *plain_line(struct wprint *p, const struct mon_ep *ep,
                        double wall_ms, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static char *
plain_line(struct wprint *p, const struct mon_ep *ep, double wall_ms,
           const char *kind, const char *fmt, ...)
{
	char ts[16], body[768], name[4 * CONFIG_NAME_MAX], *out;
	va_list ap;

	clock_text(wall_ms, ts);
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	text_fit(name, sizeof(name), ep ? ep->cfg->name : "-", p->name_w);
	if (asprintf(&out, "%s  %s  %-7s  %s\n", ts, name, kind, body) < 0)
		return NULL;
	return out;
}

static cJSON *
json_base(const struct mon_ep *ep, double wall_ms, const char *event)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "ts_ms", round_to(wall_ms, 0.001));
	cJSON_AddStringToObject(o, "endpoint", ep->cfg->name);
	cJSON_AddStringToObject(o, "event", event);
	return o;
}

static char *
json_line(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o), *out = NULL;

	cJSON_Delete(o);
	if (s != NULL && asprintf(&out, "%s\n", s) < 0)
		out = NULL;
	free(s);
	return out;
}

static double
ms(int64_t us)
{
	return (double)us / 1000.0;
}

/* What a browser with the web frontend would show: "browser" (and when). */
static void
browser_json(cJSON *o, const struct mon_ep *ep, int64_t now_us)
{
	struct mon_browser_view v;

	mon_browser(ep, now_us, &v);
	cJSON_AddStringToObject(o, "browser", mon_browser_text(v.view));
	if (v.view == MB_FALLBACK) {
		cJSON_AddNumberToObject(o, "browser_tries", v.tries);
		cJSON_AddNumberToObject(
		    o, "browser_next_try_ms",
		    (double)((v.next_try_us - now_us) / 1000));
	}
}

static char *
state_line(struct wprint *p, struct mon_ep *ep, double wall_ms, int64_t now_us)
{
	const struct mon_transition *t = mon_history(ep, 0);
	const char *from = t ? mon_state_name(t->from) : "";
	char extra[160] = "";

	if (ep->state == MON_LIVE && ep->last_fallback_us > 0 && t &&
	    (t->from == MON_POLLING || t->from == MON_DOWN))
		snprintf(extra, sizeof(extra), "; fallback lasted %.1f s",
		         ms(ep->last_fallback_us) / 1000.0);
	if (mon_in_fallback(ep) && ep->next_retry_us > now_us)
		snprintf(extra, sizeof(extra), "%s; retry in %.1f s",
		         ep->poll_pending ? "; first poll pending" : "",
		         ms(ep->next_retry_us - now_us) / 1000.0);
	if (p->json) {
		cJSON *o = json_base(ep, wall_ms, "state");

		cJSON_AddStringToObject(o, "state",
		                        ep->paused ? "paused"
		                                   : mon_state_name(ep->state));
		cJSON_AddStringToObject(o, "mode", mon_mode_name(ep->mode));
		cJSON_AddStringToObject(o, "reason", ep->reason);
		if (t)
			cJSON_AddStringToObject(o, "from", from);
		if (mon_in_fallback(ep)) {
			if (ep->poll_pending)
				cJSON_AddTrueToObject(o, "poll_pending");
			cJSON_AddNumberToObject(o, "retries", ep->retries);
			if (ep->next_retry_us > now_us)
				cJSON_AddNumberToObject(
				    o, "retry_in_ms",
				    (double)((ep->next_retry_us - now_us) /
				             1000));
		}
		if (ep->state == MON_LIVE && ep->last_fallback_us > 0 && t &&
		    (t->from == MON_POLLING || t->from == MON_DOWN))
			cJSON_AddNumberToObject(
			    o, "fallback_ms",
			    (double)(ep->last_fallback_us / 1000));
		browser_json(o, ep, now_us);
		return json_line(o);
	}
	if (ep->paused)
		return plain_line(p, ep, wall_ms, "state", "PAUSED");
	return plain_line(p, ep, wall_ms, "state", "%s -> %s (%s): %s%s", from,
	                  mon_state_name(ep->state), mon_mode_name(ep->mode),
	                  ep->reason, extra);
}

static char *
message_line(struct wprint *p, struct mon_ep *ep, double wall_ms,
             const struct mon_event *ev)
{
	const struct msg_info *mi = mon_last_info(ep);
	double lag;
	bool has_lag = mon_last_lag(ep, &lag);
	char lagtxt[48] = "";

	if (mi == NULL)
		return NULL;
	if (p->json) {
		cJSON *o = json_base(ep, wall_ms, "message");

		cJSON_AddStringToObject(o, "msg_type", mi->type);
		cJSON_AddNumberToObject(o, "bytes", (double)ev->len);
		if (has_lag)
			cJSON_AddNumberToObject(o, "lag_ms",
			                        round_to(lag, 0.1));
		if (mi->has_seq)
			cJSON_AddNumberToObject(o, "seq", mi->seq);
		cJSON_AddStringToObject(o, "summary", mi->summary);
		return json_line(o);
	}
	if (has_lag)
		snprintf(lagtxt, sizeof(lagtxt), "  lag %.0f ms",
		         round_to(lag, 1));
	return plain_line(p, ep, wall_ms, "message", "%s  %zu B%s  %s",
	                  mi->type, ev->len, lagtxt, mi->summary);
}

static char *
poll_line(struct wprint *p, struct mon_ep *ep, double wall_ms,
          const struct mon_event *ev)
{
	const struct msg_info *mi =
	    ev->kind == MEV_POLL_OK ? mon_last_info(ep) : NULL;

	if (p->json) {
		cJSON *o = json_base(ep, wall_ms, "poll");

		if (ev->status > 0)
			cJSON_AddNumberToObject(o, "http_status", ev->status);
		else
			cJSON_AddNullToObject(o, "http_status");
		cJSON_AddNumberToObject(o, "rtt_ms",
		                        (double)(ev->rtt_us / 100) / 10.0);
		cJSON_AddBoolToObject(o, "ok", ev->kind == MEV_POLL_OK);
		if (ep->poll_url != NULL) {
			char u[URL_HOST_MAX + URL_PATH_MAX + 16];

			url_format(ep->poll_url, u, sizeof(u));
			cJSON_AddStringToObject(o, "poll_url", u);
		}
		if (mi)
			cJSON_AddStringToObject(o, "summary", mi->summary);
		else if (ev->kind == MEV_POLL_FAIL)
			cJSON_AddStringToObject(o, "error",
			                        ep->last_poll_error);
		return json_line(o);
	}
	if (ev->kind == MEV_POLL_OK)
		return plain_line(p, ep, wall_ms, "poll", "%d in %.1f ms  %s",
		                  ev->status, ms(ev->rtt_us),
		                  mi ? mi->summary : "");
	return plain_line(p, ep, wall_ms, "poll", "failed after %.1f ms: %s",
	                  ms(ev->rtt_us), ep->last_poll_error);
}

/* A message of a type that is not the endpoint's own (other traffic). */
static char *
other_line(struct wprint *p, struct mon_ep *ep, double wall_ms,
           const struct mon_event *ev)
{
	if (p->json) {
		cJSON *o = json_base(ep, wall_ms, "other");

		cJSON_AddStringToObject(o, "msg_type", ep->other_type);
		cJSON_AddNumberToObject(o, "bytes", (double)ev->len);
		cJSON_AddNumberToObject(o, "others_total", (double)ep->others);
		return json_line(o);
	}
	return plain_line(p, ep, wall_ms, "other",
	                  "%s  %zu B  (not this "
	                  "endpoint's type)",
	                  ep->other_type, ev->len);
}

/* The stream went silent, or spoke again. */
static char *
silence_line(struct wprint *p, struct mon_ep *ep, double wall_ms,
             int64_t now_us)
{
	int64_t ref =
	    ep->last_own_us > ep->open_us ? ep->last_own_us : ep->open_us;

	if (p->json) {
		cJSON *o = json_base(ep, wall_ms, "silent");

		cJSON_AddBoolToObject(o, "silent", ep->silent);
		if (ep->silent)
			cJSON_AddNumberToObject(
			    o, "for_ms", (double)((now_us - ref) / 1000));
		return json_line(o);
	}
	if (ep->silent)
		return plain_line(p, ep, wall_ms, "silent",
		                  "open and answering pings, but no message "
		                  "for %.0f s",
		                  ms(now_us - ref) / 1000.0);
	return plain_line(p, ep, wall_ms, "silent", "messages again");
}

static char *
join(char *a, char *b)
{
	char *out;

	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	if (asprintf(&out, "%s%s", a, b) < 0)
		out = NULL;
	free(a);
	free(b);
	return out;
}

char *
wprint_change(struct wprint *p, struct mon_ep *ep, unsigned flags,
              const struct mon_event *ev, int64_t now_us, double wall_ms)
{
	struct wprint_ep *pe = &p->eps[ep - p->m->eps];
	char *out = NULL;

	if (flags & MON_CHG_SILENCE)
		return silence_line(p, ep, wall_ms, now_us);
	if (flags & MON_CHG_OTHER_MSG) {
		pe->sec_others++;
		if (!pe->flood && pe->sec_lines < WPRINT_MSG_LINES) {
			pe->sec_lines++;
			out = join(out, other_line(p, ep, wall_ms, ev));
		}
	}
	if (flags & MON_CHG_MESSAGE) {
		pe->sec_msgs++;
		pe->sec_bytes += ev->len;
		if (!pe->flood && pe->sec_lines < WPRINT_MSG_LINES) {
			pe->sec_lines++;
			out = join(out, message_line(p, ep, wall_ms, ev));
		}
	}
	if (flags & MON_CHG_POLL)
		out = join(out, poll_line(p, ep, wall_ms, ev));
	if ((flags & MON_CHG_RTT) && p->json) {
		cJSON *o = json_base(ep, wall_ms, "rtt");

		cJSON_AddNumberToObject(o, "rtt_ms",
		                        (double)(ev->rtt_us) / 1000.0);
		out = join(out, json_line(o));
	}
	if ((flags & MON_CHG_OTHER) && ev->kind == MEV_MSG_DROPPED) {
		if (p->json) {
			cJSON *o = json_base(ep, wall_ms, "dropped");

			cJSON_AddNumberToObject(o, "bytes", (double)ev->len);
			cJSON_AddNumberToObject(o, "dropped_total",
			                        (double)ep->dropped);
			out = join(out, json_line(o));
		} else {
			out = join(out,
			           plain_line(p, ep, wall_ms, "dropped",
			                      "message of %zu B over "
			                      "--max-message (%llu so far)",
			                      ev->len,
			                      (unsigned long long)ep->dropped));
		}
	}
	if ((flags & MON_CHG_OTHER) && ev->kind == MEV_WS_FAIL) {
		double in_s = ep->next_retry_us > now_us
		                  ? ms(ep->next_retry_us - now_us) / 1000.0
		                  : 0;

		if (p->json) {
			cJSON *o = json_base(ep, wall_ms, "retry");

			cJSON_AddNumberToObject(o, "retries", ep->retries);
			cJSON_AddStringToObject(o, "reason", ep->retry_reason);
			cJSON_AddNumberToObject(
			    o, "retry_in_ms", (double)(long long)(in_s * 1000));
			out = join(out, json_line(o));
		} else {
			out = join(out, plain_line(p, ep, wall_ms, "retry",
			                           "WebSocket retry %u failed: "
			                           "%s; next in %.1f s",
			                           ep->retries,
			                           ep->retry_reason, in_s));
		}
	}
	if (flags & MON_CHG_STATE) {
		struct mon_browser_view v;

		out = join(out, state_line(p, ep, wall_ms, now_us));
		/* the state line says what a browser shows: no event for it */
		mon_browser(ep, now_us, &v);
		pe->browser = (int)v.view;
	}
	return out;
}

/* A browser with the web frontend would now show something else. */
static char *
browser_line(struct wprint *p, struct mon_ep *ep, double wall_ms,
             int64_t now_us, const struct mon_browser_view *v)
{
	if (p->json) {
		cJSON *o = json_base(ep, wall_ms, "browser");

		browser_json(o, ep, now_us);
		return json_line(o);
	}
	if (v->view == MB_FALLBACK)
		return plain_line(p, ep, wall_ms, "browser",
		                  "a browser shows \"%s\" (%d failed "
		                  "tries, next in %.0f s)",
		                  mon_browser_text(v->view), v->tries,
		                  ms(v->next_try_us - now_us) / 1000.0);
	return plain_line(p, ep, wall_ms, "browser", "a browser shows: %s",
	                  mon_browser_text(v->view));
}

char *
wprint_tick(struct wprint *p, int64_t now_us, double wall_ms)
{
	char *out = NULL;

	for (size_t i = 0; i < p->m->n; i++) {
		struct wprint_ep *pe = &p->eps[i];
		struct mon_ep *ep = &p->m->eps[i];
		bool over = pe->sec_msgs + pe->sec_others > WPRINT_MSG_LINES;
		struct mon_browser_view v;

		if (over) {
			const struct msg_info *mi = mon_last_info(ep);

			if (p->json) {
				cJSON *o = json_base(ep, wall_ms, "summary");

				cJSON_AddNumberToObject(o, "msgs",
				                        (double)pe->sec_msgs);
				cJSON_AddNumberToObject(o, "bytes",
				                        (double)pe->sec_bytes);
				cJSON_AddNumberToObject(o, "msgs_total",
				                        (double)ep->msgs);
				cJSON_AddNumberToObject(o, "others",
				                        (double)pe->sec_others);
				if (mi)
					cJSON_AddStringToObject(o, "last_type",
					                        mi->type);
				out = join(out, json_line(o));
			} else {
				out = join(
				    out,
				    plain_line(
				        p, ep, wall_ms, "summary",
				        "%llu msgs/s, %.1f KiB/s "
				        "(%llu total), last %s, +%llu "
				        "other",
				        (unsigned long long)pe->sec_msgs,
				        (double)pe->sec_bytes / 1024.0,
				        (unsigned long long)ep->msgs,
				        mi ? mi->type : "-",
				        (unsigned long long)pe->sec_others));
			}
		}
		pe->flood = over;
		pe->sec_msgs = 0;
		pe->sec_others = 0;
		pe->sec_bytes = 0;
		pe->sec_lines = 0;
		/* the browser's view moves with time alone */
		mon_browser(ep, now_us, &v);
		if ((int)v.view != pe->browser) {
			pe->browser = (int)v.view;
			out =
			    join(out, browser_line(p, ep, wall_ms, now_us, &v));
		}
	}
	return out;
}

char *
wprint_start(struct wprint *p, const struct config *c, double wall_ms)
{
	char u[URL_HOST_MAX + URL_PATH_MAX + 16];
	cJSON *o, *arr;

	if (!p->json)
		return c->layout[0] ? plain_line(p, NULL, wall_ms, "layout",
		                                 "%s", c->layout)
		                    : NULL;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "ts_ms", round_to(wall_ms, 0.001));
	cJSON_AddStringToObject(o, "event", "start");
	if (c->layout[0])
		cJSON_AddStringToObject(o, "layout", c->layout);
	arr = cJSON_AddArrayToObject(o, "endpoints");
	for (size_t i = 0; i < c->neps; i++) {
		const struct endpoint_cfg *e = &c->eps[i];
		cJSON *j = cJSON_CreateObject(), *t;

		cJSON_AddStringToObject(j, "endpoint", e->name);
		url_format(&e->ws, u, sizeof(u));
		cJSON_AddStringToObject(j, "url", u);
		if (e->has_poll) {
			url_format(&e->poll, u, sizeof(u));
			cJSON_AddStringToObject(j, "poll_url", u);
			if (e->has_poll_alt) {
				url_format(&e->poll_alt, u, sizeof(u));
				cJSON_AddStringToObject(j, "poll_url_alt", u);
			}
		} else {
			cJSON_AddNullToObject(j, "poll_url");
		}
		cJSON_AddBoolToObject(j, "required", e->required);
		if (e->ntypes) {
			t = cJSON_AddArrayToObject(j, "types");
			for (size_t k = 0; k < e->ntypes; k++)
				cJSON_AddItemToArray(
				    t, cJSON_CreateString(e->types[k]));
		}
		cJSON_AddItemToArray(arr, j);
	}
	return json_line(o);
}

char *
wprint_output_dropped(struct wprint *p, uint64_t lines, double wall_ms)
{
	char ts[16], *out = NULL;

	if (p->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "ts_ms", round_to(wall_ms, 0.001));
		cJSON_AddStringToObject(o, "event", "output_dropped");
		cJSON_AddNumberToObject(o, "lines", (double)lines);
		return json_line(o);
	}
	clock_text(wall_ms, ts);
	if (asprintf(&out,
	             "%s  %-*s  %-7s  %llu lines dropped: the reader of "
	             "stdout fell behind\n",
	             ts, p->name_w, "-", "output",
	             (unsigned long long)lines) < 0)
		return NULL;
	return out;
}
