/*
 * dashboard.c: the terminal dashboard.
 *
 * The shape is tmux's: whatever changes state (a model event, a key, a
 * resize, the one-second clock) only marks the view dirty and asks the
 * watcher for a frame; the frame callback is the one place that draws, with
 * one doupdate(). Frames are at least FRAME_US apart, so a flood of
 * messages costs at most 30 redraws a second, and nothing is ever drawn from
 * inside a network callback.
 *
 * Everything drawn from the network was sanitized by the model; put() also
 * refuses anything non-printable, so no byte from a server can act on the
 * terminal.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include <cjson/cJSON.h>

#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/probe.h"
#include "wsdash/sanitize.h"
#include "dashboard.h"
#include "fmt.h"
#include "layout.h"
#include "term.h"

#define FRAME_US    (1000000 / 30) /* frame cap: 30 a second */
#define FLASH_US    (3 * 1000000)  /* highlight after a fallback */
#define LOG_ENTRIES 64
#define LINE_MAX    1024

enum flash { FLASH_NONE, FLASH_FALLBACK, FLASH_RECOVER };

struct log_entry {
	int64_t wall_ms;
	int idx;
	enum mon_state from, to;
	bool paused;
	char reason[MON_REASON_MAX];
};

struct dash {
	const struct dash_opts *o;
	struct watcher *w;
	struct mon *m;
	const struct config *cfg;
	const char *target;
	bool demo;
	bool utf8;
	volatile sig_atomic_t *stop;

	int selected;
	int first;
	bool detail;
	bool help;
	int scroll; /* detail view: first line of the message */
	bool dirty;
	int64_t last_frame_us;
	uint64_t frames;
	struct ui_layout lay;

	int64_t *flash_until;
	enum flash *flash;
	struct log_entry log[LOG_ENTRIES];
	unsigned log_head, log_len;

	/* detail view: the last message, pretty-printed once per message */
	int pretty_idx;
	int64_t pretty_at;
	char **pretty;
	size_t npretty;
};

static volatile sig_atomic_t dash_resized;
static volatile sig_atomic_t dash_suspend; /* Ctrl-Z: stop from the loop */
static struct watcher *volatile dash_w;

static void
dash_on_tstp(int sig)
{
	(void)sig;
	dash_suspend = 1;
	watcher_wake(dash_w);
}

static void
dash_on_winch(int sig)
{
	(void)sig;
	dash_resized = 1;
	watcher_wake(dash_w);
}

/* ---- drawing helpers ------------------------------------------------------
 */

/*
 * Draw UTF-8 text s at (y, x), at most w columns, with attributes a.
 * Non-printable characters become '?'. Returns the columns used.
 */
static int
put(struct dash *d, int y, int x, int w, const char *s, attr_t a)
{
	wchar_t wbuf[LINE_MAX];
	int used = 0, k = 0;
	mbstate_t st;
	const char *p = s;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	if (!d->utf8) {
		char buf[LINE_MAX];
		int n = 0;

		for (; *p && n < w && n < LINE_MAX - 1; p++)
			buf[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
		buf[n] = '\0';
		attron(a);
		mvaddnstr(y, x, buf, n);
		attroff(a);
		return n;
	}
	memset(&st, 0, sizeof(st));
	while (*p && k < LINE_MAX - 1) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, p, strlen(p), &st);
		int cw;

		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			memset(&st, 0, sizeof(st));
			wc = L'?';
			r = 1;
		}
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > w)
			break;
		wbuf[k++] = wc;
		used += cw;
		p += r;
	}
	wbuf[k] = L'\0';
	attron(a);
	mvaddnwstr(y, x, wbuf, k);
	attroff(a);
	return used;
}

static int putf(struct dash *d, int y, int x, int w, attr_t a, const char *fmt,
                ...) __attribute__((format(printf, 6, 7)));

static int
putf(struct dash *d, int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return put(d, y, x, w, buf, a);
}

/* Display width of UTF-8 text. */
static int
width_of(struct dash *d, const char *s)
{
	int w = 0;

	if (!d->utf8)
		return (int)strlen(s);
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* A horizontal line of n cells: Unicode box drawing, or '-'. */
static void
hline_at(struct dash *d, int y, int x, int n)
{
	if (d->utf8)
		mvhline_set(y, x, WACS_HLINE, n);
	else
		mvhline(y, x, '-', n);
}

/*
 * A box. In UTF-8 the wide WACS_ characters are written as Unicode, not
 * through the terminal's alternate character set: no charset switching that
 * a multiplexer or a resize could leave half-done.
 */
static void
box_at(struct dash *d, struct ui_rect r, attr_t a)
{
	if (r.w < 2 || r.h < 2)
		return;
	attron(a);
	if (d->utf8) {
		mvadd_wch(r.y, r.x, WACS_ULCORNER);
		mvhline_set(r.y, r.x + 1, WACS_HLINE, r.w - 2);
		mvadd_wch(r.y, r.x + r.w - 1, WACS_URCORNER);
		mvvline_set(r.y + 1, r.x, WACS_VLINE, r.h - 2);
		mvvline_set(r.y + 1, r.x + r.w - 1, WACS_VLINE, r.h - 2);
		mvadd_wch(r.y + r.h - 1, r.x, WACS_LLCORNER);
		mvhline_set(r.y + r.h - 1, r.x + 1, WACS_HLINE, r.w - 2);
		mvadd_wch(r.y + r.h - 1, r.x + r.w - 1, WACS_LRCORNER);
	} else {
		mvaddch(r.y, r.x, '+');
		mvhline(r.y, r.x + 1, '-', r.w - 2);
		mvaddch(r.y, r.x + r.w - 1, '+');
		mvvline(r.y + 1, r.x, '|', r.h - 2);
		mvvline(r.y + 1, r.x + r.w - 1, '|', r.h - 2);
		mvaddch(r.y + r.h - 1, r.x, '+');
		mvhline(r.y + r.h - 1, r.x + 1, '-', r.w - 2);
		mvaddch(r.y + r.h - 1, r.x + r.w - 1, '+');
	}
	attroff(a);
}

static enum ui_role
state_role(const struct mon_ep *ep)
{
	if (ep->paused)
		return ROLE_PAUSED;
	switch (ep->state) {
	case MON_LIVE:
		return ROLE_LIVE;
	case MON_STALE:
		return ROLE_STALE;
	case MON_POLLING:
		return ROLE_POLLING;
	case MON_DOWN:
		return ROLE_DOWN;
	default:
		return ROLE_CONNECTING;
	}
}

/* "● LIVE" */
static void
badge_text(struct dash *d, const struct mon_ep *ep, char *out, size_t len)
{
	struct ui_badge b = ui_badge(ep, d->utf8);

	snprintf(out, len, "%s %s", b.symbol, b.word);
}

/* ---- the pieces of a frame ------------------------------------------------
 */

static void
draw_header(struct dash *d, int64_t now_wall_ms)
{
	char sum[160], clk[16];
	attr_t a = term_attr(ROLE_HEADER);
	int x;

	attron(a);
	mvhline(0, 0, ' ', COLS);
	attroff(a);
	ui_summary(d->m, d->utf8, sum, sizeof(sum));
	ui_fmt_clock(now_wall_ms, clk, sizeof(clk));
	x = 1 + put(d, 0, 1, COLS - 1, "wsdash", a);
	/* skipped TLS verification is never out of sight */
	if (d->cfg->insecure) {
		x += put(d, 0, x, 1, " ", a);
		x += put(d, 0, x, COLS - x - 10,
		         "TLS NOT VERIFIED (--insecure)", term_attr(ROLE_FLAG));
	}
	/* the summary first: in a small pane it matters more */
	x += putf(d, 0, x, COLS - x - 10, a, "%s%s", ui_sep(d->utf8), sum);
	putf(d, 0, x, COLS - x - 10, a, "%s%s", ui_sep(d->utf8), d->target);
	put(d, 0, COLS - 9, 8, clk, a);
	(void)x;
}

static void
draw_too_small(struct dash *d)
{
	putf(d, 0, 0, COLS, term_attr(ROLE_TITLE),
	     COLS >= 44 ? "wsdash: terminal too small (%dx%d, need %dx%d)"
	                : "too small: %dx%d (need %dx%d)",
	     COLS, LINES, UI_MIN_COLS, UI_MIN_ROWS);
}

/* What the last event was ("workflows_update", "poll 200") and its age. */
static void
last_event_text(struct dash *d, struct mon_ep *ep, int64_t now, char *what,
                size_t wlen, char *age, size_t alen)
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

static void
rtt_text(struct dash *d, struct mon_ep *ep, char *out, size_t len)
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

/* "msgs 1234 · 1.0/s · lag 3 ms · dropped 2" */
static void
counters_text(struct dash *d, struct mon_ep *ep, int64_t now, char *out,
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
	snprintf(out, len, "msgs %s%s%.1f/s%s%s%s%s", msgs, sep,
	         mon_rate(ep, now), lag, drop, other,
	         ep->silent ? " · SILENT" : "");
}

static void
draw_panel(struct dash *d, int i, struct ui_rect r, int64_t now,
           int64_t now_wall_ms)
{
	struct mon_ep *ep = &d->m->eps[i];
	char buf[LINE_MAX], badge[48];
	int inner = r.w - 4, y = r.y + 1, x = r.x + 2, bw;
	bool flash = d->flash[i] != FLASH_NONE && d->flash_until[i] > now;
	attr_t border = term_attr(ROLE_DIM);
	int32_t v[RTT_RING];
	size_t nv;

	/* a flashing border: the role's color, bold, not reversed (a reversed
	 * line of box characters reads as a solid bar) */
	if (flash)
		border =
		    (term_attr(d->flash[i] == FLASH_FALLBACK ? ROLE_FLAG
		                                             : ROLE_RECOVER) &
		     ~A_REVERSE) |
		    A_BOLD;
	else if (i == d->selected)
		border = term_attr(ROLE_SELECTED);
	box_at(d, r, border);

	/* title and badge on the top border */
	badge_text(d, ep, badge, sizeof(badge));
	bw = width_of(d, badge) + 2;
	putf(d, r.y, r.x + 2, r.w - bw - 5,
	     term_attr(i == d->selected ? ROLE_SELECTED : ROLE_TITLE), " %s%s ",
	     i == d->selected ? (d->utf8 ? "\u25b8 " : "> ") : "",
	     ep->cfg->name);
	putf(d, r.y, r.x + r.w - bw - 2, bw, term_attr(state_role(ep)), " %s ",
	     badge);

	url_format(&ep->cfg->ws, buf, sizeof(buf));
	put(d, y++, x, inner, buf, term_attr(ROLE_DIM));

	if (mon_in_fallback(ep) && !ep->paused) {
		char fb[LINE_MAX];

		ui_fallback_line(ep, now, now_wall_ms, d->utf8, false, fb,
		                 sizeof(fb));
		/* too long for a narrow panel: the shorter form */
		if (width_of(d, fb) + 2 > inner)
			ui_fallback_short(ep, now, d->utf8, fb, sizeof(fb));
		putf(d, y++, x, inner, term_attr(ROLE_FLAG), "%s %s",
		     d->utf8 ? "\u26a0" : "!", fb);
	} else {
		char dur[16];

		ui_fmt_duration(now - ep->since_us, dur, sizeof(dur));
		putf(d, y++, x, inner, term_attr(ROLE_NORMAL), "%s%s%s %s",
		     ui_mode_words(ep), ui_sep(d->utf8),
		     ep->paused ? "for" : "since", dur);
	}

	{
		const struct msg_info *mi;
		char age[16];
		int aw;

		last_event_text(d, ep, now, buf, sizeof(buf), age, sizeof(age));
		aw = age[0] ? width_of(d, age) + 4 : 0;
		put(d, y, x, inner - aw - 1, buf, term_attr(ROLE_TITLE));
		if (aw)
			putf(d, y, x + inner - aw, aw, term_attr(ROLE_DIM),
			     "%s ago", age);
		y++;
		mi = mon_last_info(ep);
		putf(d, y++, x + 2, inner - 2, term_attr(ROLE_DIM), "%s",
		     mi ? mi->summary : "");
	}

	rtt_text(d, ep, buf, sizeof(buf));
	bw = put(d, y, x, inner, buf, term_attr(ROLE_NORMAL));
	nv = rtt_recent(&ep->rtt, v, RTT_RING);
	if (inner - bw - 1 > 4 && nv > 0) {
		char sp[RTT_RING * 4 + 1];

		ui_sparkline(v, nv, inner - bw - 1, d->utf8, sp, sizeof(sp));
		put(d, y, x + bw + 1, inner - bw - 1, sp,
		    term_attr(state_role(ep)));
	}
	y++;
	counters_text(d, ep, now, buf, sizeof(buf));
	put(d, y++, x, inner, buf, term_attr(ROLE_NORMAL));
	if (ep->state == MON_LIVE && !ep->paused)
		putf(d, y++, x, inner, term_attr(ROLE_DIM),
		     "reconn %llu%sfallbacks %llu%sws %.0f%%",
		     (unsigned long long)ep->reconnects, ui_sep(d->utf8),
		     (unsigned long long)ep->fallbacks, ui_sep(d->utf8),
		     100.0 * mon_ws_share(ep, now));
	else if (mon_in_fallback(ep) &&
	         strcmp(ep->reason, ep->fallback_reason) != 0)
		putf(d, y++, x, inner, term_attr(ROLE_DIM), "%s%s%s",
		     ep->fallback_reason, ui_sep(d->utf8), ep->reason);
	else
		putf(d, y++, x, inner, term_attr(ROLE_DIM), "%s", ep->reason);
}

/* One line per endpoint: symbol, name, state word, mode, RTT, last age. */
static void
draw_compact_line(struct dash *d, int i, struct ui_rect r, int64_t now)
{
	struct mon_ep *ep = &d->m->eps[i];
	struct ui_badge b = ui_badge(ep, d->utf8);
	struct rtt_stats s;
	char rtt[24] = "--", age[16] = "-";
	int x = 0, namew = COLS >= 56 ? 18 : COLS >= 40 ? 12 : 8;
	attr_t sel = i == d->selected ? A_REVERSE : 0;

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
	if (sel) {
		attron(A_REVERSE);
		mvhline(r.y, 0, ' ', COLS);
		attroff(A_REVERSE);
	}
	x += put(d, r.y, x, 2, b.symbol, term_attr(state_role(ep)) | sel) + 1;
	x += putf(d, r.y, x, namew + 1, term_attr(ROLE_TITLE) | sel, "%-*.*s ",
	          namew, namew, ep->cfg->name);
	x += putf(d, r.y, x, 11, term_attr(state_role(ep)) | sel, "%-10s ",
	          b.word);
	putf(d, r.y, x, COLS - x, sel, "%-8s %8s %5s",
	     ep->paused                       ? "paused"
	     : ep->mode == MON_MODE_POLLING   ? "polling"
	     : ep->mode == MON_MODE_WEBSOCKET ? "ws"
	                                      : "-",
	     rtt, age);
}

static void
draw_log(struct dash *d)
{
	struct ui_rect r = d->lay.log;
	unsigned show;

	if (r.h < 2)
		return;
	attron(term_attr(ROLE_DIM));
	hline_at(d, r.y, 0, COLS);
	attroff(term_attr(ROLE_DIM));
	put(d, r.y, 2, 8, " events ", term_attr(ROLE_DIM));
	show =
	    (unsigned)(r.h - 1) < d->log_len ? (unsigned)(r.h - 1) : d->log_len;
	for (unsigned k = 0; k < show; k++) {
		/* oldest of the shown first, newest at the bottom */
		unsigned age = show - 1 - k;
		const struct log_entry *e =
		    &d->log[(d->log_head + LOG_ENTRIES - 1 - age) %
		            LOG_ENTRIES];
		const struct mon_ep *ep = &d->m->eps[e->idx];
		struct mon_ep tmp = *ep;
		char clk[16], from[48], to[48];
		int x = 1;

		ui_fmt_clock(e->wall_ms, clk, sizeof(clk));
		tmp.paused = false;
		tmp.state = e->from;
		badge_text(d, &tmp, from, sizeof(from));
		tmp.state = e->to;
		tmp.paused = e->paused;
		badge_text(d, &tmp, to, sizeof(to));
		x += put(d, r.y + 1 + (int)k, x, 9, clk, term_attr(ROLE_DIM)) +
		     1;
		x += putf(d, r.y + 1 + (int)k, x, 18, term_attr(ROLE_TITLE),
		          "%-16.16s", ep->cfg->name) +
		     1;
		x += put(d, r.y + 1 + (int)k, x, 16, from,
		         term_attr(ROLE_NORMAL));
		x += put(d, r.y + 1 + (int)k, x, 3,
		         d->utf8 ? " \u2192 " : " > ", term_attr(ROLE_DIM));
		x += put(d, r.y + 1 + (int)k, x, 16, to,
		         term_attr(state_role(&tmp)));
		putf(d, r.y + 1 + (int)k, x, COLS - x - 1,
		     term_attr(ROLE_NORMAL), "  %s", e->reason);
	}
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
	for (size_t i = 0; i < d->npretty; i++)
		free(d->pretty[i]);
	free(d->pretty);
	d->pretty = NULL;
	d->npretty = 0;
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
		char line[LINE_MAX];
		char **np;
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		/* tabs from cJSON_Print become two spaces before sanitizing */
		{
			char exp[LINE_MAX];
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
			sanitize_text(line, sizeof(line), exp, o, d->utf8);
		}
		np = realloc(d->pretty, (d->npretty + 1) * sizeof(*np));
		if (np == NULL)
			break;
		d->pretty = np;
		d->pretty[d->npretty++] = strdup(line);
		if (d->npretty >= 20000)
			break;
	}
	free(text);
}

/* A bar chart of the RTT ring, h rows tall. */
static void
draw_rtt_chart(struct dash *d, struct mon_ep *ep, int y, int x, int w, int h)
{
	static const char *const eighths[9] = {" ",      "\u2581", "\u2582",
	                                       "\u2583", "\u2584", "\u2585",
	                                       "\u2586", "\u2587", "\u2588"};
	int32_t v[RTT_RING];
	size_t n = rtt_recent(&ep->rtt, v, RTT_RING), start;
	int32_t max = 1;
	char lab[16];

	start = n > (size_t)w ? n - (size_t)w : 0;
	for (size_t i = start; i < n; i++)
		if (v[i] > max)
			max = v[i];
	ui_fmt_ms((double)max / 1000.0, lab, sizeof(lab));
	putf(d, y, x, 12, term_attr(ROLE_DIM), "%7s ms", lab);
	put(d, y + h - 1, x, 10, "      0", term_attr(ROLE_DIM));
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
			put(d, y + row, x + (int)(i - start), 1, g,
			    term_attr(state_role(ep)));
		}
	}
}

static void
draw_detail(struct dash *d, int64_t now, int64_t now_wall_ms)
{
	struct mon_ep *ep = &d->m->eps[d->selected];
	char buf[LINE_MAX], badge[48], dur[16];
	struct rtt_stats s;
	int y = 1, w = COLS - 2, chart_h;
	const char *sep = ui_sep(d->utf8);

	badge_text(d, ep, badge, sizeof(badge));
	url_format(&ep->cfg->ws, buf, sizeof(buf));
	y++;
	{
		int x = 1 + putf(d, y - 1, 1, w, term_attr(ROLE_TITLE), "%s  ",
		                 ep->cfg->name);

		x += put(d, y - 1, x, w - x, buf, term_attr(ROLE_DIM));
		putf(d, y - 1, COLS - width_of(d, badge) - 3,
		     width_of(d, badge) + 2, term_attr(state_role(ep)), " %s ",
		     badge);
	}
	ui_fmt_duration(now - ep->since_us, dur, sizeof(dur));
	putf(d, y++, 1, w, term_attr(ROLE_NORMAL), "%s for %s%s%s",
	     ui_mode_words(ep), dur, sep, ep->reason);
	if (mon_in_fallback(ep)) {
		ui_fallback_line(ep, now, now_wall_ms, d->utf8, true, buf,
		                 sizeof(buf));
		put(d, y++, 1, w, buf, term_attr(ROLE_FLAG));
	}
	if (ep->poll_url != NULL) {
		char pu[LINE_MAX];

		url_format(ep->poll_url, pu, sizeof(pu));
		putf(d, y++, 1, w, term_attr(ROLE_DIM),
		     "poll %s%spolls %llu (%llu failed)%slast status %d", pu,
		     sep, (unsigned long long)ep->polls,
		     (unsigned long long)ep->poll_failures, sep,
		     ep->last_poll_status);
	}
	{
		struct mon_browser_view v;
		char in[16] = "";

		mon_browser(ep, now, &v);
		if (v.view == MB_FALLBACK)
			ui_fmt_age(v.next_try_us - now, in, sizeof(in));
		putf(d, y++, 1, w, term_attr(ROLE_DIM),
		     "a browser shows: %s%s%s%s", mon_browser_text(v.view),
		     v.view == MB_FALLBACK ? " (next try in " : "", in,
		     v.view == MB_FALLBACK ? ")" : "");
	}
	{
		char msgs[16], bytes[16];

		ui_fmt_count(ep->msgs, msgs, sizeof(msgs));
		ui_fmt_count(ep->bytes, bytes, sizeof(bytes));
		putf(d, y++, 1, w, term_attr(ROLE_NORMAL),
		     "msgs %s%s%sB%s%.1f/s%sdropped %llu%sreconnects %llu%s"
		     "fallbacks %llu%son WebSocket %.0f%%",
		     msgs, sep, bytes, sep, mon_rate(ep, now), sep,
		     (unsigned long long)ep->dropped, sep,
		     (unsigned long long)ep->reconnects, sep,
		     (unsigned long long)ep->fallbacks, sep,
		     100.0 * mon_ws_share(ep, now));
	}
	y++;

	/* RTT */
	rtt_stats(&ep->rtt, &s);
	{
		char a[16], b[16], c[16], e[16], f[16];

		ui_fmt_ms(s.last / 1000.0, a, sizeof(a));
		ui_fmt_ms(s.min / 1000.0, b, sizeof(b));
		ui_fmt_ms(s.avg / 1000.0, c, sizeof(c));
		ui_fmt_ms(s.p95 / 1000.0, e, sizeof(e));
		ui_fmt_ms(s.jitter / 1000.0, f, sizeof(f));
		putf(d, y++, 1, w, term_attr(ROLE_TITLE),
		     "RTT (last %u)  last %s%smin %s%savg %s%sp95 %s%sjitter "
		     "%s ms",
		     s.n, a, sep, b, sep, c, sep, e, sep, f);
	}
	chart_h = LINES >= 30 ? 6 : 3;
	draw_rtt_chart(d, ep, y, 1, w, chart_h);
	y += chart_h + 1;

	/* transitions, newest first */
	put(d, y++, 1, w, "transitions", term_attr(ROLE_TITLE));
	for (unsigned k = 0; k < 6 && y < LINES - 4; k++) {
		const struct mon_transition *t = mon_history(ep, k);
		struct mon_ep tmp = *ep;
		char clk[16], from[48], to[48];
		int x = 3;

		if (t == NULL)
			break;
		ui_fmt_clock(t->wall_ms, clk, sizeof(clk));
		tmp.paused = false;
		tmp.state = t->from;
		badge_text(d, &tmp, from, sizeof(from));
		tmp.state = t->to;
		badge_text(d, &tmp, to, sizeof(to));
		x += put(d, y, x, 9, clk, term_attr(ROLE_DIM)) + 1;
		x += put(d, y, x, 16, from, term_attr(ROLE_NORMAL));
		x += put(d, y, x, 3, d->utf8 ? " \u2192 " : " > ",
		         term_attr(ROLE_DIM));
		x += put(d, y, x, 16, to, term_attr(state_role(&tmp)));
		putf(d, y++, x, COLS - x - 1, term_attr(ROLE_NORMAL), "  %s",
		     t->reason);
	}
	y++;

	/* the last message, scrollable */
	pretty_update(d, ep, d->selected);
	{
		char age[16];

		last_event_text(d, ep, now, buf, sizeof(buf), age, sizeof(age));
		if (age[0])
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			         "%s%s ago", sep, age);
	}
	putf(d, y++, 1, w, term_attr(ROLE_TITLE), "last message: %s%s%zu B%s",
	     buf, sep, ep->last_full,
	     ep->last_full > ep->last_len ? " (first 64 KiB shown)" : "");
	{
		int avail = LINES - y - 1;

		if (d->scroll > (int)d->npretty - avail)
			d->scroll = (int)d->npretty - avail;
		if (d->scroll < 0)
			d->scroll = 0;
		for (int k = 0; k < avail && d->scroll + k < (int)d->npretty;
		     k++)
			put(d, y + k, 3, COLS - 4, d->pretty[d->scroll + k],
			    term_attr(ROLE_NORMAL));
	}
	putf(d, LINES - 1, 1, w, term_attr(ROLE_DIM),
	     "%s scroll%sEsc back%sr reconnect%sp pause%s? help",
	     d->utf8 ? "\u2191\u2193 PgUp PgDn" : "Up/Down PgUp PgDn", sep, sep,
	     sep, sep);
}

static void
draw_help(struct dash *d)
{
	static const char *const keys[][2] = {
	    {"arrows, hjkl, Tab", "select an endpoint"},
	    {"Enter", "details of the selected endpoint"},
	    {"Esc", "back"},
	    {"r / R", "reconnect the selected / every endpoint"},
	    {"p", "pause or resume the selected endpoint"},
	    {"x", "demo: break or restore the selected stream"},
	    {"mouse click", "select a panel"},
	    {"?", "this help"},
	    {"q", "quit"},
	};
	int n = (int)(sizeof(keys) / sizeof(keys[0]));
	int h = n + 4, w = 66;
	struct ui_rect r;

	if (w > COLS - 2)
		w = COLS - 2;
	if (h > LINES - 1)
		h = LINES - 1;
	r = (struct ui_rect){(LINES - h) / 2, (COLS - w) / 2, h, w};
	for (int y = r.y; y < r.y + r.h; y++)
		mvhline(y, r.x, ' ', r.w);
	box_at(d, r, term_attr(ROLE_SELECTED));
	put(d, r.y, r.x + 2, w - 4, " keys ", term_attr(ROLE_TITLE));
	for (int i = 0; i < n && 2 + i < h - 1; i++) {
		if (!d->demo && keys[i][0][0] == 'x')
			continue;
		putf(d, r.y + 2 + i, r.x + 2, 20, term_attr(ROLE_TITLE), "%s",
		     keys[i][0]);
		put(d, r.y + 2 + i, r.x + 22, w - 24, keys[i][1],
		    term_attr(ROLE_NORMAL));
	}
}

/* The one place that draws. */
static void
draw_frame(struct dash *d)
{
	int64_t now = clock_mono_us(), wall = clock_wall_ms();

	ui_layout_compute(&d->lay, COLS, LINES, (int)d->m->n, d->selected,
	                  d->first);
	d->first = d->lay.first;
	erase();
	if (d->lay.kind == UI_TOO_SMALL) {
		draw_too_small(d);
	} else {
		draw_header(d, wall);
		if (d->detail) {
			draw_detail(d, now, wall);
		} else {
			for (int i = d->lay.first;
			     i < d->lay.first + d->lay.visible; i++) {
				struct ui_rect r;

				if (!ui_layout_item(&d->lay, i, &r))
					continue;
				if (d->lay.kind == UI_GRID)
					draw_panel(d, i, r, now, wall);
				else
					draw_compact_line(d, i, r, now);
			}
			draw_log(d);
		}
		if (d->help)
			draw_help(d);
	}
	wnoutrefresh(stdscr);
	doupdate();
	d->frames++;
}

/* ---- events -------------------------------------------------------------- */

static void
request_frame(struct dash *d)
{
	int64_t due = d->last_frame_us + FRAME_US - clock_mono_us();

	d->dirty = true;
	watcher_frame(d->w, due > 0 ? due : 0);
}

static void
dash_frame(void *user)
{
	struct dash *d = user;

	if (!d->dirty)
		return;
	d->dirty = false;
	d->last_frame_us = clock_mono_us();
	draw_frame(d);
}

static void
log_add(struct dash *d, int idx, const struct mon_ep *ep)
{
	const struct mon_transition *t = mon_history(ep, 0);
	struct log_entry *e = &d->log[d->log_head];

	e->wall_ms = clock_wall_ms();
	e->idx = idx;
	e->paused = ep->paused;
	if (t != NULL && !ep->paused) {
		e->from = t->from;
		e->to = t->to;
	} else {
		e->from = e->to = ep->state;
	}
	snprintf(e->reason, sizeof(e->reason), "%s", ep->reason);
	d->log_head = (d->log_head + 1) % LOG_ENTRIES;
	if (d->log_len < LOG_ENTRIES)
		d->log_len++;
}

static void
dash_changed(void *user, struct mon_ep *ep, unsigned flags,
             const struct mon_event *ev)
{
	struct dash *d = user;
	int idx = (int)(ep - d->m->eps);
	const struct mon_transition *t;

	if (d->o->changed != NULL)
		d->o->changed(d->o->user, ep, flags, ev);
	if (flags & MON_CHG_STATE) {
		log_add(d, idx, ep);
		t = mon_history(ep, 0);
		if (t != NULL && !ep->paused) {
			bool was_ok = t->from == MON_LIVE ||
			              t->from == MON_STALE ||
			              t->from == MON_CONNECTING;

			if (was_ok &&
			    (t->to == MON_POLLING || t->to == MON_DOWN)) {
				d->flash[idx] = FLASH_FALLBACK;
				d->flash_until[idx] =
				    clock_mono_us() + FLASH_US;
			} else if (t->to == MON_LIVE &&
			           (t->from == MON_POLLING ||
			            t->from == MON_DOWN)) {
				d->flash[idx] = FLASH_RECOVER;
				d->flash_until[idx] =
				    clock_mono_us() + FLASH_US;
			} else if (t->to == MON_DOWN) {
				d->flash[idx] = FLASH_FALLBACK;
				d->flash_until[idx] =
				    clock_mono_us() + FLASH_US;
			}
		}
	}
	request_frame(d);
}

static void
dash_tick(void *user, int64_t now_us)
{
	struct dash *d = user;

	if (d->o->tick != NULL)
		d->o->tick(d->o->user, now_us);
	request_frame(d); /* the clock and the ages move */
}

static void
dash_wake(void *user)
{
	struct dash *d = user;
	struct winsize ws;

	if (dash_suspend) {
		dash_suspend = 0;
		term_suspend();
		dash_resized = 1; /* the size may have changed meanwhile */
	}
	if (!dash_resized)
		return;
	dash_resized = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	d->dirty = true;
	d->last_frame_us = 0; /* relayout at once */
	request_frame(d);
}

static void
select_idx(struct dash *d, int i)
{
	if (i >= 0 && i < (int)d->m->n && i != d->selected) {
		d->selected = i;
		d->scroll = 0;
	}
}

static void
on_key(struct dash *d, int ch)
{
	int n = (int)d->m->n;

	if (d->help && ch != KEY_RESIZE && ch != KEY_MOUSE) {
		d->help = false; /* any key closes the help */
		if (ch == '?' || ch == 27 || ch == 'q')
			return;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		*d->stop = 1;
		watcher_wake(d->w); /* out of lws_service() at once */
		return;
	case '?':
		d->help = true;
		return;
	case 27: /* Esc */
		d->detail = false;
		return;
	case '\n':
	case '\r':
	case KEY_ENTER:
		d->detail = !d->detail;
		d->scroll = 0;
		return;
	case '\t':
		select_idx(d, (d->selected + 1) % (n ? n : 1));
		return;
	case KEY_BTAB:
		select_idx(d, (d->selected + n - 1) % (n ? n : 1));
		return;
	case 'r':
		watcher_reconnect(d->w, (size_t)d->selected);
		return;
	case 'R':
		for (size_t i = 0; i < d->m->n; i++)
			watcher_reconnect(d->w, i);
		return;
	case 'p':
		watcher_pause(d->w, (size_t)d->selected,
		              !d->m->eps[d->selected].paused);
		return;
	case 'x':
		if (d->demo && d->selected < 3)
			watcher_demo_toggle(d->w, d->selected);
		return;
	case 12: /* Ctrl-L */
		clearok(curscr, TRUE);
		return;
	case KEY_MOUSE: {
		MEVENT me;

		if (getmouse(&me) == OK && !d->detail) {
			int hit = ui_layout_hit(&d->lay, me.y, me.x);

			if (hit >= 0)
				select_idx(d, hit);
		}
		return;
	}
	default:
		break;
	}
	if (d->detail) {
		int page = LINES / 2;

		switch (ch) {
		case KEY_UP:
		case 'k':
			d->scroll--;
			break;
		case KEY_DOWN:
		case 'j':
			d->scroll++;
			break;
		case KEY_PPAGE:
			d->scroll -= page;
			break;
		case KEY_NPAGE:
		case ' ':
			d->scroll += page;
			break;
		case KEY_HOME:
			d->scroll = 0;
			break;
		case KEY_END:
			d->scroll = 1 << 30;
			break;
		case KEY_LEFT:
		case 'h':
			select_idx(d, (d->selected + n - 1) % (n ? n : 1));
			break;
		case KEY_RIGHT:
		case 'l':
			select_idx(d, (d->selected + 1) % (n ? n : 1));
			break;
		}
		return;
	}
	switch (ch) {
	case KEY_LEFT:
	case 'h':
		select_idx(d, ui_layout_move(&d->lay, d->selected, -1, 0));
		break;
	case KEY_RIGHT:
	case 'l':
		select_idx(d, ui_layout_move(&d->lay, d->selected, 1, 0));
		break;
	case KEY_UP:
	case 'k':
		select_idx(d, ui_layout_move(&d->lay, d->selected, 0, -1));
		break;
	case KEY_DOWN:
	case 'j':
		select_idx(d, ui_layout_move(&d->lay, d->selected, 0, 1));
		break;
	case KEY_HOME:
		select_idx(d, 0);
		break;
	case KEY_END:
		select_idx(d, n - 1);
		break;
	}
}

static void
dash_input(void *user)
{
	struct dash *d = user;
	int ch, got = 0;

	while ((ch = getch()) != ERR && got < 256) {
		got++;
		if (ch == KEY_RESIZE) {
			dash_resized = 1;
			continue;
		}
		on_key(d, ch);
	}
	if (got == 0) {
		/* readable but nothing to read: the terminal went away */
		if (!isatty(STDIN_FILENO)) {
			*d->stop = 1;
			watcher_wake(d->w);
		}
	}
	dash_wake(d);
	request_frame(d);
}

bool
dashboard_usable(char *why, size_t len)
{
	return term_usable(why, len);
}

int
dashboard_run(struct watcher *w, const struct dash_opts *o,
              const struct config *cfg, struct mon *m)
{
	struct watcher_hooks hooks = {0};
	struct dash d = {0};
	struct sigaction sa;
	char err[256];
	int rc = CLI_EXIT_OK;
	d.o = o;
	d.w = w;
	d.m = m;
	d.cfg = cfg;
	d.target = o->target;
	d.demo = o->demo;
	d.utf8 = m->utf8;
	d.stop = o->stop;
	d.pretty_idx = -1;
	d.flash_until = calloc(m->n ? m->n : 1, sizeof(*d.flash_until));
	d.flash = calloc(m->n ? m->n : 1, sizeof(*d.flash));
	if (d.flash_until == NULL || d.flash == NULL) {
		fprintf(stderr, "wsdash: out of memory\n");
		free(d.flash_until);
		free(d.flash);
		return CLI_EXIT_FAIL;
	}
	if (!term_init(o->color)) {
		cli_error(NULL, "cannot use this terminal (TERM=%s)",
		          getenv("TERM") ? getenv("TERM") : "");
		free(d.flash_until);
		free(d.flash);
		return CLI_EXIT_FAIL;
	}
	dash_w = w;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dash_on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	/* Ctrl-Z, unless whoever started us chose to ignore it */
	{
		struct sigaction cur;

		if (sigaction(SIGTSTP, NULL, &cur) == 0 &&
		    cur.sa_handler != SIG_IGN) {
			sa.sa_handler = dash_on_tstp;
			sigaction(SIGTSTP, &sa, NULL);
		}
	}

	hooks.user = &d;
	hooks.changed = dash_changed;
	hooks.tick = dash_tick;
	hooks.tick_ms = 1000;
	hooks.input = dash_input;
	hooks.wake = dash_wake;
	hooks.frame = dash_frame;
	watcher_adopt_stdin(w);
	d.dirty = true;
	draw_frame(&d);
	if (watcher_run(w, cfg, m, &hooks, d.stop, o->duration_ms, err,
	                sizeof(err)) < 0)
		rc = CLI_EXIT_FAIL;
	term_done();
	if (rc != CLI_EXIT_OK)
		cli_error(NULL, "%s", err);
	dash_w = NULL;
	for (size_t i = 0; i < d.npretty; i++)
		free(d.pretty[i]);
	free(d.pretty);
	free(d.flash_until);
	free(d.flash);
	return rc;
}
