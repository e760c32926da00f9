/*
 * panels.c: the main view: the header, a panel per endpoint (growing with
 * the pane: timeline, message rate and RTT rows), or one line per endpoint
 * with "+N more", and the notice of a pane too small for anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/clock.h"
#include "wsdash/sanitize.h"
#include "dash.h"

void
dash_draw_header(struct dash *d, int64_t now_wall_ms)
{
	char sum[160], clk[16];
	attr_t a = term_attr(ROLE_HEADER);
	int x, right = COLS >= 40 ? 10 : 0;

	dash_fill(0, 0, COLS, a);
	ui_summary(d->m, d->utf8, sum, sizeof(sum));
	ui_fmt_clock(now_wall_ms, clk, sizeof(clk));
	x = 1 + dash_put(d, 0, 1, COLS - 1 - right, "wsdash", a);
	/* skipped TLS verification is never out of sight */
	if (d->cfg->insecure) {
		x += dash_put(d, 0, x, 1, " ", a);
		x += dash_put(d, 0, x, COLS - x - right,
		              "TLS NOT VERIFIED (--insecure)",
		              term_attr(ROLE_B_DOWN));
	}
	/* the summary first: in a small pane it matters more */
	x += dash_putf(d, 0, x, COLS - x - right, a, "%s%s", ui_sep(d->utf8),
	               sum);
	if (COLS - x - right > 8) {
		char t[DASH_LINE];

		text_cut(t, sizeof(t), d->o->target,
		         COLS - x - right - dash_cols(ui_sep(d->utf8)),
		         d->utf8);
		dash_putf(d, 0, x, COLS - x - right, a, "%s%s", ui_sep(d->utf8),
		          t);
	}
	if (right)
		dash_put(d, 0, COLS - 9, 8, clk, a);
}

void
dash_draw_too_small(struct dash *d)
{
	char v[4][96], out[96];
	int i;

	snprintf(v[0], sizeof(v[0]),
	         "wsdash: terminal too small (%dx%d, need "
	         "%dx%d)",
	         COLS, LINES, UI_MIN_COLS, UI_MIN_ROWS);
	snprintf(v[1], sizeof(v[1]), "too small: %dx%d, need %dx%d", COLS,
	         LINES, UI_MIN_COLS, UI_MIN_ROWS);
	snprintf(v[2], sizeof(v[2]), "too small %dx%d", COLS, LINES);
	snprintf(v[3], sizeof(v[3]), "too small");
	/* the longest that fits, else cut: it always fits */
	for (i = 0; i < 3 && dash_cols(v[i]) > COLS; i++)
		;
	text_cut(out, sizeof(out), v[i], COLS, d->utf8);
	dash_put(d, 0, 0, COLS, out, term_attr(ROLE_TITLE));
}

/* What the last event was ("workflows_update", "poll 200") and its age. */
static void
last_event_text(const struct mon_ep *ep, int64_t now, char *what, size_t wlen,
                char *age, size_t alen)
{
	const struct msg_info *mi = mon_last_info(ep);

	if (mi == NULL) {
		snprintf(what, wlen, "no message yet");
		snprintf(age, alen, "%s", "");
		return;
	}
	if (ep->last_from_poll)
		snprintf(what, wlen, "poll %d", ep->last_poll_status);
	else
		snprintf(what, wlen, "%s", mi->type);
	ui_fmt_age(now - ep->last_at_us, age, alen);
}

/* "RTT 0.31/0.28/0.47 ms" (last/avg/p95), or the poll's. */
static void
rtt_text(const struct mon_ep *ep, char *out, size_t len)
{
	struct rtt_stats s;
	char a[16], b[16], c[16];

	rtt_stats(&ep->rtt, &s);
	if (ep->mode == MON_MODE_POLLING && ep->last_poll_rtt_us > 0) {
		ui_fmt_ms((double)ep->last_poll_rtt_us / 1000.0, a, sizeof(a));
		snprintf(out, len, "poll RTT %s ms", a);
		return;
	}
	if (s.n == 0) {
		snprintf(out, len, "RTT --");
		return;
	}
	ui_fmt_ms((double)s.last / 1000.0, a, sizeof(a));
	ui_fmt_ms((double)s.avg / 1000.0, b, sizeof(b));
	ui_fmt_ms((double)s.p95 / 1000.0, c, sizeof(c));
	snprintf(out, len, "RTT %s/%s/%s ms", a, b, c);
}

/* "msgs 1234 · 1.0/s · lag 3 ms · dropped 2 · +5 other" */
static void
counters_text(struct dash *d, const struct mon_ep *ep, int64_t now, char *out,
              size_t len)
{
	char msgs[16], drop[32] = "", lag[32] = "", other[40] = "";
	const char *sep = ui_sep(d->utf8);
	double l;

	ui_fmt_count(ep->msgs, msgs, sizeof(msgs));
	if (mon_last_lag(ep, &l) && !ep->last_from_poll) {
		char t[16];

		ui_fmt_lag(l, t, sizeof(t));
		snprintf(lag, sizeof(lag), "%slag %s", sep, t);
	}
	if (ep->dropped)
		snprintf(drop, sizeof(drop), "%sdropped %llu", sep,
		         (unsigned long long)ep->dropped);
	if (ep->others)
		snprintf(other, sizeof(other), "%s+%llu other", sep,
		         (unsigned long long)ep->others);
	snprintf(out, len, "msgs %s%s%.1f/s%s%s%s%s%s", msgs, sep,
	         mon_rate(ep, now), lag, drop, other, ep->silent ? sep : "",
	         ep->silent ? "SILENT" : "");
}

/* The timeline of endpoint i: one cell per TL_CELL_US, newest right. */
void
dash_draw_timeline(struct dash *d, int i, int y, int x, int w, int64_t now)
{
	int8_t cells[DASH_LINE];

	if (w <= 0)
		return;
	if (w > DASH_LINE)
		w = DASH_LINE;
	timeline_cells(&d->eps[i].tl, now, TL_CELL_US, w, cells);
	for (int c = 0; c < w; c++)
		dash_put(d, y, x + c, 1, ui_tl_symbol(cells[c], d->utf8),
		         term_attr(dash_role(cells[c], false)));
}

/* The per-second message counts of endpoint i, oldest first. */
static size_t
rate_series(const struct dash *d, int i, int32_t *v, size_t max)
{
	const struct dash_ep *e = &d->eps[i];
	size_t n = e->rate_len < max ? e->rate_len : max;

	for (size_t k = 0; k < n; k++)
		v[k] =
		    (int32_t)
		        e->rate[(e->rate_head + RATE_SECS - n + k) % RATE_SECS];
	return n;
}

void
dash_rate_sample(struct dash *d, int64_t now)
{
	(void)now;
	for (size_t i = 0; i < d->m->n; i++) {
		struct dash_ep *e = &d->eps[i];
		uint64_t msgs = d->m->eps[i].msgs;
		uint64_t delta = msgs - e->rate_msgs;

		e->rate[e->rate_head] =
		    delta > UINT32_MAX ? UINT32_MAX : (uint32_t)delta;
		e->rate_head = (e->rate_head + 1) % RATE_SECS;
		if (e->rate_len < RATE_SECS)
			e->rate_len++;
		e->rate_msgs = msgs;
	}
}

/* "label  ▁▂▅█  max" on one row of a panel. */
static void
graph_row(struct dash *d, int y, int x, int w, const char *label,
          const int32_t *v, size_t n, const char *max, attr_t a)
{
	char sp[DASH_LINE * 4];
	int lw = dash_put(d, y, x, w, label, term_attr(ROLE_DIM)) + 1;
	int mw = dash_cols(max) + 1, gw = w - lw - mw;

	if (gw < 4)
		return;
	ui_sparkline(v, n, gw, d->utf8, sp, sizeof(sp));
	dash_put(d, y, x + lw, gw, sp, a);
	dash_put(d, y, x + w - mw + 1, mw, max, term_attr(ROLE_DIM));
}

void
dash_draw_panel(struct dash *d, int i, struct ui_rect r, int64_t now,
                int64_t now_wall_ms)
{
	struct mon_ep *ep = &d->m->eps[i];
	struct dash_ep *de = &d->eps[i];
	char buf[DASH_LINE], badge[48];
	int inner = r.w - 4, y = r.y + 1, x = r.x + 2, bw;
	bool flash = de->flash != FLASH_NONE && de->flash_until > now;
	attr_t border = term_attr(ROLE_DIM);
	int32_t v[RTT_RING];
	size_t nv;

	/* a flashing border in the state's colour, bold */
	if (flash)
		border = term_attr(dash_ep_role(ep, false)) | A_BOLD;
	else if (i == d->selected)
		border = term_attr(ROLE_SELECTED);
	dash_box(d, r, border);

	/* title and badge on the top border */
	dash_badge(d, ep, badge, sizeof(badge));
	bw = dash_cols(badge) + 2;
	{
		char name[UI_NAME_MAX];
		int room = r.w - bw - 5 - 2 - (i == d->selected ? 2 : 0);

		text_cut(name, sizeof(name), ep->cfg->name, room, d->utf8);
		dash_putf(
		    d, r.y, r.x + 2, r.w - bw - 5,
		    term_attr(i == d->selected ? ROLE_SELECTED : ROLE_TITLE),
		    " %s%s ",
		    i == d->selected ? (d->utf8 ? "\u25b8 " : "> ") : "", name);
	}
	dash_putf(d, r.y, r.x + r.w - bw - 2, bw,
	          term_attr(dash_ep_role(ep, true)), " %s ", badge);

	url_format(&ep->cfg->ws, buf, sizeof(buf));
	{
		char u[DASH_LINE];

		text_cut_url(u, sizeof(u), buf, inner, d->utf8);
		dash_put(d, y++, x, inner, u, term_attr(ROLE_DIM));
	}

	if (mon_in_fallback(ep) && !ep->paused) {
		char fb[DASH_LINE - 8], line[DASH_LINE];

		ui_fallback_line(ep, now, now_wall_ms, d->utf8, false, fb,
		                 sizeof(fb));
		/* too long for a narrow panel: the shorter form */
		if (dash_cols(fb) + 2 > inner)
			ui_fallback_short(ep, now, d->utf8, fb, sizeof(fb));
		snprintf(buf, sizeof(buf), "%s %s", d->utf8 ? "\u26a0" : "!",
		         fb);
		text_cut(line, sizeof(line), buf, inner, d->utf8);
		/* the flag in its state's colour */
		dash_put(d, y++, x, inner, line,
		         term_attr(dash_ep_role(ep, true)));
	} else {
		char dur[16];

		ui_fmt_duration(now - ep->since_us, dur, sizeof(dur));
		dash_putf(d, y++, x, inner, term_attr(ROLE_NORMAL), "%s%s%s %s",
		          ui_mode_words(ep), ui_sep(d->utf8),
		          ep->paused ? "for" : "since", dur);
	}

	{
		const struct msg_info *mi;
		char age[16], cut[DASH_LINE];
		int aw;

		last_event_text(ep, now, buf, sizeof(buf), age, sizeof(age));
		aw = age[0] ? dash_cols(age) + 4 : 0;
		text_cut(cut, sizeof(cut), buf, inner - aw - 1, d->utf8);
		dash_put(d, y, x, inner - aw - 1, cut, term_attr(ROLE_TITLE));
		if (aw)
			dash_putf(d, y, x + inner - aw, aw, term_attr(ROLE_DIM),
			          "%s ago", age);
		y++;
		mi = mon_last_info(ep);
		text_cut(cut, sizeof(cut), mi ? mi->summary : "", inner - 2,
		         d->utf8);
		dash_put(d, y++, x + 2, inner - 2, cut, term_attr(ROLE_DIM));
	}

	rtt_text(ep, buf, sizeof(buf));
	bw = dash_put(d, y, x, inner, buf, term_attr(ROLE_NORMAL));
	nv = rtt_recent(&ep->rtt, v, RTT_RING);
	/* a short sparkline here unless a whole row has the long one */
	if (d->lay.extra < 3 && inner - bw - 1 > 4 && nv > 0) {
		char sp[RTT_RING * 4 + 1];

		ui_sparkline(v, nv, inner - bw - 1, d->utf8, sp, sizeof(sp));
		dash_put(d, y, x + bw + 1, inner - bw - 1, sp,
		         term_attr(dash_ep_role(ep, false)));
	}
	y++;
	{
		char cut[DASH_LINE];

		counters_text(d, ep, now, buf, sizeof(buf));
		text_cut(cut, sizeof(cut), buf, inner, d->utf8);
		dash_put(d, y++, x, inner, cut, term_attr(ROLE_NORMAL));
		if (ep->state == MON_LIVE && !ep->paused)
			snprintf(
			    buf, sizeof(buf),
			    "reconn %llu%sfallbacks %llu%sws %.0f%%",
			    (unsigned long long)ep->reconnects, ui_sep(d->utf8),
			    (unsigned long long)ep->fallbacks, ui_sep(d->utf8),
			    100.0 * mon_ws_share(ep, now));
		else if (mon_in_fallback(ep) &&
		         strcmp(ep->reason, ep->fallback_reason) != 0)
			snprintf(buf, sizeof(buf), "%s%s%s",
			         ep->fallback_reason, ui_sep(d->utf8),
			         ep->reason);
		else
			snprintf(buf, sizeof(buf), "%s", ep->reason);
		text_cut(cut, sizeof(cut), buf, inner, d->utf8);
		dash_put(d, y++, x, inner, cut, term_attr(ROLE_DIM));
	}

	/* the rows a taller pane gives: timeline, message rate, RTT */
	if (d->lay.extra >= 1) {
		char span[16];
		int w = inner - 6 - 6;

		ui_fmt_duration((int64_t)(w > 0 ? w : 0) * TL_CELL_US, span,
		                sizeof(span));
		dash_put(d, y, x, 6, "state", term_attr(ROLE_DIM));
		dash_draw_timeline(d, i, y, x + 6, w, now);
		dash_put(d, y++, x + 6 + w + 1, 5, span, term_attr(ROLE_DIM));
	}
	if (d->lay.extra >= 2) {
		int32_t rv[RATE_SECS];
		size_t n = rate_series(d, i, rv, RATE_SECS);
		int32_t max = 0;
		char m[24];

		for (size_t k = 0; k < n; k++)
			if (rv[k] > max)
				max = rv[k];
		snprintf(m, sizeof(m), "%d/s", max);
		graph_row(d, y++, x, inner, "msg/s", rv, n, m,
		          term_attr(ROLE_NORMAL));
	}
	if (d->lay.extra >= 3) {
		int32_t max = 0;
		char m[24];

		for (size_t k = 0; k < nv; k++)
			if (v[k] > max)
				max = v[k];
		ui_fmt_ms((double)max / 1000.0, m, sizeof(m) - 3);
		strcat(m, "ms");
		graph_row(d, y++, x, inner, "rtt  ", v, nv, nv ? m : "--",
		          term_attr(dash_ep_role(ep, false)));
	}
}

/* The fitted names for compact lines, cols wide. */
static void
fit_names(struct dash *d, int cols)
{
	const char *names[1024];
	char(*out)[UI_NAME_MAX];
	size_t n = d->m->n;

	if (d->names_cols == cols)
		return;
	d->names_cols = cols;
	if (n > 1024) { /* only apart from the first 1024: cut the rest */
		for (size_t i = 1024; i < n; i++)
			text_cut(d->eps[i].name, UI_NAME_MAX,
			         d->m->eps[i].cfg->name, cols, d->utf8);
		n = 1024;
	}
	out = calloc(n ? n : 1, sizeof(*out));
	if (out == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		names[i] = d->m->eps[i].cfg->name;
	ui_names_fit(names, (int)n, cols, d->utf8, out);
	for (size_t i = 0; i < n; i++)
		memcpy(d->eps[i].name, out[i], UI_NAME_MAX);
	free(out);
}

/*
 * One line per endpoint: symbol, name, state word, mode, RTT, age, and
 * (wide) what is wrong.
 */
void
dash_draw_line(struct dash *d, int i, struct ui_rect r, int64_t now)
{
	struct mon_ep *ep = &d->m->eps[i];
	struct ui_badge b = ui_badge(ep, d->utf8);
	struct rtt_stats s;
	char rtt[24] = "--", age[16] = "-", name[UI_NAME_MAX];
	int x = 0, namew = COLS >= 56 ? 18 : COLS >= 40 ? 12 : 8;
	attr_t sel = i == d->selected ? A_REVERSE : 0;

	fit_names(d, namew);
	rtt_stats(&ep->rtt, &s);
	if (ep->mode == MON_MODE_POLLING && ep->last_poll_rtt_us > 0)
		ui_fmt_ms((double)ep->last_poll_rtt_us / 1000.0, rtt,
		          sizeof(rtt) - 3);
	else if (s.n > 0 && ep->mode == MON_MODE_WEBSOCKET)
		ui_fmt_ms((double)s.last / 1000.0, rtt, sizeof(rtt) - 3);
	if (strcmp(rtt, "--") != 0)
		strcat(rtt, "ms");
	if (ep->last != NULL)
		ui_fmt_age(now - ep->last_at_us, age, sizeof(age));
	if (sel)
		dash_fill(r.y, 0, COLS, A_REVERSE);
	x += dash_put(d, r.y, x, 2, b.symbol,
	              term_attr(dash_ep_role(ep, false)) | sel) +
	     1;
	snprintf(name, sizeof(name), "%s", d->eps[i].name);
	x += dash_putf(d, r.y, x, namew + 1, term_attr(ROLE_TITLE) | sel,
	               "%s%*s", name, namew + 1 - dash_cols(name), "");
	x += dash_putf(d, r.y, x, 11, term_attr(dash_ep_role(ep, false)) | sel,
	               "%-10s ", b.word);
	x += dash_putf(d, r.y, x, COLS - x, sel, "%-8s %8s %5s",
	               ep->paused                       ? "paused"
	               : ep->mode == MON_MODE_POLLING   ? "polling"
	               : ep->mode == MON_MODE_WEBSOCKET ? "ws"
	                                                : "-",
	               rtt, age);
	if (d->lay.reason_col && COLS - x > 8) {
		char what[DASH_LINE], cut[DASH_LINE];

		if (mon_in_fallback(ep) && !ep->paused)
			ui_fallback_short(ep, now, d->utf8, what, sizeof(what));
		else
			what[0] = '\0';
		if (ep->reason[0] && ep->state != MON_LIVE)
			snprintf(what + strlen(what),
			         sizeof(what) - strlen(what), "%s%s",
			         what[0] ? ui_sep(d->utf8) : "", ep->reason);
		text_cut(cut, sizeof(cut), what, COLS - x - 3, d->utf8);
		dash_put(d, r.y, x + 2, COLS - x - 3, cut,
		         term_attr(ROLE_DIM) | sel);
	}
}

/* "+22 more (3 above) · j/k to scroll" under the lines shown. */
void
dash_draw_more(struct dash *d)
{
	char buf[160], cut[160];
	int above = d->lay.first;

	if (d->lay.more <= 0)
		return;
	snprintf(buf, sizeof(buf), "+%d more%s%.0d%s%sj/k to scroll",
	         d->lay.more, above ? " (" : "", above, above ? " above)" : "",
	         ui_sep(d->utf8));
	text_cut(cut, sizeof(cut), buf, COLS - 2, d->utf8);
	dash_put(d, d->lay.body.y + d->lay.visible, 2, COLS - 2, cut,
	         term_attr(ROLE_TITLE));
}

/*
 * The default server, nothing answering: one line on how to point wsdash
 * elsewhere. False when it is not the case.
 */
bool
dash_hint(struct dash *d, char *out, size_t len)
{
	char u[URL_HOST_MAX + URL_PATH_MAX + 16];

	/* the default set (its layout was chosen), not given endpoints */
	if (d->cfg->layout[0] == '\0' || d->o->demo || d->m->n == 0)
		return false;
	for (size_t i = 0; i < d->m->n; i++) {
		const struct mon_ep *ep = &d->m->eps[i];

		if (ep->was_open || ep->polls > ep->poll_failures ||
		    ep->state == MON_CONNECTING || ep->paused)
			return false;
	}
	url_format(&d->cfg->server, u, sizeof(u));
	snprintf(out, len,
	         "nothing answers on %s: point wsdash at your server with "
	         "--server URL, give ws:// URLs, or see wsdash config --init",
	         u);
	return true;
}
