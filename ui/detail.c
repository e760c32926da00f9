/*
 * detail.c: one endpoint in full: state and why, fallback, polling, what a
 * browser would show, counters, the timeline, an RTT chart, transitions and
 * the last message pretty-printed (scrollable).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wsdash/sanitize.h"
#include "dash.h"

#define DETAIL_TRANSITIONS 6 /* newest first; mon keeps MON_HISTORY */
_Static_assert(DETAIL_TRANSITIONS <= MON_HISTORY, "mon keeps too few");

void
dash_detail_free(struct dash *d)
{
	for (size_t i = 0; i < d->npretty; i++)
		free(d->pretty[i]);
	free(d->pretty);
	d->pretty = NULL;
	d->npretty = 0;
}

/* One line of the message for the screen: tabs expanded, sanitized. */
static char *
pretty_line(const char *p, size_t n, bool utf8)
{
	char exp[DASH_LINE], line[DASH_LINE];
	size_t o = 0;
	bool lead = true;

	for (size_t i = 0; i < n && o + 2 < sizeof(exp); i++) {
		if (p[i] == '\t' && lead) {
			exp[o++] = ' ';
			exp[o++] = ' ';
		} else if (p[i] == '\t') {
			exp[o++] = ' ';
		} else {
			lead = false;
			exp[o++] = p[i];
		}
	}
	sanitize_text(line, sizeof(line), exp, o, utf8);
	return strdup(line);
}

/* Pretty-print the selected endpoint's last message, once per message. */
static void
pretty_update(struct dash *d, struct mon_ep *ep, int idx)
{
	char *text = NULL;
	cJSON *j;

	if (d->pretty_idx == idx && d->pretty_at == ep->last_at_us &&
	    d->pretty != NULL)
		return;
	dash_detail_free(d);
	d->pretty_idx = idx;
	d->pretty_at = ep->last_at_us;
	if (ep->last == NULL)
		return;
	j = ep->last_binary ? NULL
	                    : cJSON_ParseWithLength(ep->last, ep->last_len);
	text = j ? cJSON_Print(j) : NULL;
	cJSON_Delete(j);
	if (text == NULL) { /* not JSON: the text itself */
		text = malloc(ep->last_len + 1);
		if (text == NULL)
			return;
		memcpy(text, ep->last, ep->last_len);
		text[ep->last_len] = '\0';
	}
	for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		char **np, *line;

		nl = strchr(p, '\n');
		line =
		    pretty_line(p, nl ? (size_t)(nl - p) : strlen(p), d->utf8);
		np = realloc(d->pretty, (d->npretty + 1) * sizeof(*np));
		if (np == NULL || line == NULL) {
			free(line);
			break;
		}
		d->pretty = np;
		d->pretty[d->npretty++] = line;
		if (d->npretty >= 20000)
			break;
	}
	free(text);
}

/* A bar chart of the RTT ring, h rows tall. */
static void
rtt_chart(struct dash *d, struct mon_ep *ep, int y, int x, int w, int h)
{
	static const char *const eighths[9] = {" ",      "\u2581", "\u2582",
	                                       "\u2583", "\u2584", "\u2585",
	                                       "\u2586", "\u2587", "\u2588"};
	int32_t v[RTT_RING];
	size_t n = rtt_recent(&ep->rtt, v, RTT_RING), start;
	int32_t max = 1;
	char lab[16];

	start = n > (size_t)(w - 11) ? n - (size_t)(w - 11) : 0;
	for (size_t i = start; i < n; i++)
		if (v[i] > max)
			max = v[i];
	ui_fmt_ms((double)max / 1000.0, lab, sizeof(lab));
	dash_putf(d, y, x, 12, term_attr(ROLE_DIM), "%7s ms", lab);
	dash_put(d, y + h - 1, x, 10, "      0", term_attr(ROLE_DIM));
	x += 11;
	w -= 11;
	for (size_t i = start; i < n && (int)(i - start) < w; i++) {
		int units = (int)((int64_t)v[i] * h * 8 / max);

		for (int row = 0; row < h; row++) {
			int cell = units - (h - 1 - row) * 8;
			const char *g;

			if (cell <= 0)
				continue;
			if (d->utf8)
				g = eighths[cell > 8 ? 8 : cell];
			else
				g = cell >= 8 ? "#" : cell >= 4 ? "+" : ".";
			dash_put(d, y + row, x + (int)(i - start), 1, g,
			         term_attr(dash_ep_role(ep, false)));
		}
	}
}

void
dash_draw_detail(struct dash *d, int64_t now, int64_t now_wall_ms)
{
	struct mon_ep *ep = &d->m->eps[d->selected];
	char buf[DASH_LINE], badge[48], dur[16], cut[DASH_LINE];
	struct rtt_stats s;
	int y = 2, w = COLS - 2, chart_h, bottom = LINES - d->lay.keybar.h;
	const char *sep = ui_sep(d->utf8);

	dash_badge(d, ep, badge, sizeof(badge));
	url_format(&ep->cfg->ws, buf, sizeof(buf));
	{
		int bw = dash_cols(badge) + 2;
		int x = 1 + dash_putf(d, 1, 1, w - bw, term_attr(ROLE_TITLE),
		                      "%s  ", ep->cfg->name);

		text_cut_url(cut, sizeof(cut), buf, w - bw - x, d->utf8);
		dash_put(d, 1, x, w - bw - x, cut, term_attr(ROLE_DIM));
		dash_putf(d, 1, COLS - bw - 1, bw,
		          term_attr(dash_ep_role(ep, true)), " %s ", badge);
	}
	ui_fmt_duration(now - ep->since_us, dur, sizeof(dur));
	dash_putf(d, y++, 1, w, term_attr(ROLE_NORMAL), "%s for %s%s%s",
	          ui_mode_words(ep), dur, sep, ep->reason);
	if (mon_in_fallback(ep) && !ep->paused) {
		ui_fallback_line(ep, now, now_wall_ms, d->utf8, true, buf,
		                 sizeof(buf));
		dash_put(d, y++, 1, w, buf, term_attr(dash_ep_role(ep, true)));
	}
	if (ep->poll_url != NULL) {
		char pu[DASH_LINE];

		url_format(ep->poll_url, pu, sizeof(pu));
		dash_putf(d, y++, 1, w, term_attr(ROLE_DIM),
		          "poll %s%spolls %llu (%llu failed)%slast status %d",
		          pu, sep, (unsigned long long)ep->polls,
		          (unsigned long long)ep->poll_failures, sep,
		          ep->last_poll_status);
	}
	{
		struct mon_browser_view v;
		char in[16] = "";

		mon_browser(ep, now, &v);
		if (v.view == MB_FALLBACK)
			ui_fmt_age(v.next_try_us - now, in, sizeof(in));
		dash_putf(d, y++, 1, w, term_attr(ROLE_DIM),
		          "a browser shows: %s%s%s%s", mon_browser_text(v.view),
		          v.view == MB_FALLBACK ? " (next try in " : "", in,
		          v.view == MB_FALLBACK ? ")" : "");
	}
	{
		char msgs[16], bytes[16];

		ui_fmt_count(ep->msgs, msgs, sizeof(msgs));
		ui_fmt_count(ep->bytes, bytes, sizeof(bytes));
		dash_putf(d, y++, 1, w, term_attr(ROLE_NORMAL),
		          "msgs %s%s%sB%s%.1f/s%sdropped %llu%sreconnects "
		          "%llu%sfallbacks %llu%son WebSocket %.0f%%",
		          msgs, sep, bytes, sep, mon_rate(ep, now), sep,
		          (unsigned long long)ep->dropped, sep,
		          (unsigned long long)ep->reconnects, sep,
		          (unsigned long long)ep->fallbacks, sep,
		          100.0 * mon_ws_share(ep, now));
	}
	/* the state over time, one cell per TL_CELL_US */
	{
		char span[16];
		int tw = w - 8;

		ui_fmt_duration((int64_t)tw * TL_CELL_US, span, sizeof(span));
		dash_putf(d, y, 1, 7, term_attr(ROLE_DIM), "%s", "state");
		dash_draw_timeline(d, d->selected, y++, 8, tw, now);
		/* the axis: how far back, and now at the right */
		dash_putf(d, y, 8, tw, term_attr(ROLE_DIM),
		          "%s ago (%llds a "
		          "cell)",
		          span, (long long)(TL_CELL_US / 1000000));
		dash_put(d, y++, 8 + tw - 3, 3, "now", term_attr(ROLE_DIM));
	}

	/* RTT */
	rtt_stats(&ep->rtt, &s);
	{
		char a[16], b[16], c[16], e[16], f[16];

		ui_fmt_ms(s.last / 1000.0, a, sizeof(a));
		ui_fmt_ms(s.min / 1000.0, b, sizeof(b));
		ui_fmt_ms(s.avg / 1000.0, c, sizeof(c));
		ui_fmt_ms(s.p95 / 1000.0, e, sizeof(e));
		ui_fmt_ms(s.jitter / 1000.0, f, sizeof(f));
		dash_putf(d, y++, 1, w, term_attr(ROLE_TITLE),
		          "RTT (last %u)  last %s%smin %s%savg %s%sp95 %s%s"
		          "jitter %s ms",
		          s.n, a, sep, b, sep, c, sep, e, sep, f);
	}
	chart_h = LINES >= 34 ? 6 : LINES >= 26 ? 3 : 0;
	if (chart_h > 0) {
		rtt_chart(d, ep, y, 1, w, chart_h);
		y += chart_h + 1;
	}

	/* transitions, newest first */
	dash_put(d, y++, 1, w, "transitions", term_attr(ROLE_TITLE));
	for (unsigned k = 0; k < DETAIL_TRANSITIONS && y < bottom - 3; k++) {
		const struct mon_transition *t = mon_history(ep, k);
		char clk[16];
		int x = 3;

		if (t == NULL)
			break;
		ui_fmt_clock(t->wall_ms, clk, sizeof(clk));
		x += dash_put(d, y, x, 9, clk, term_attr(ROLE_DIM)) + 1;
		x += dash_put_change(d, y, x, t->from, t->to, false);
		text_cut(cut, sizeof(cut), t->reason, COLS - x - 3, d->utf8);
		dash_putf(d, y++, x, COLS - x - 1, term_attr(ROLE_NORMAL),
		          "  %s", cut);
	}
	y++;

	/* the last message, scrollable */
	pretty_update(d, ep, d->selected);
	{
		const struct msg_info *mi = mon_last_info(ep);
		char age[16] = "";

		if (mi == NULL)
			snprintf(buf, sizeof(buf), "no message yet");
		else if (ep->last_from_poll)
			snprintf(buf, sizeof(buf), "poll %d",
			         ep->last_poll_status);
		else
			snprintf(buf, sizeof(buf), "%s", mi->type);
		if (mi != NULL) {
			ui_fmt_age(now - ep->last_at_us, age, sizeof(age));
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			         "%s%s ago", sep, age);
		}
	}
	dash_putf(d, y++, 1, w, term_attr(ROLE_TITLE),
	          "last message: %s%s%zu B%s", buf, sep, ep->last_full,
	          ep->last_full > ep->last_len ? " (first 64 KiB shown)" : "");
	{
		int avail = bottom - y;

		if (d->scroll > (int)d->npretty - avail)
			d->scroll = (int)d->npretty - avail;
		if (d->scroll < 0)
			d->scroll = 0;
		for (int k = 0; k < avail && d->scroll + k < (int)d->npretty;
		     k++)
			dash_put(d, y + k, 3, COLS - 4,
			         d->pretty[d->scroll + k],
			         term_attr(ROLE_NORMAL));
	}
}
