/*
 * draw.c: text, lines and boxes for the dashboard. Everything drawn from
 * the network was sanitized by the model; dash_put() also refuses anything
 * non-printable, so no byte from a server can act on the terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "wsdash/sanitize.h"
#include "dash.h"

/*
 * Draw UTF-8 text s at (y, x), at most w columns, with attributes a.
 * Non-printable characters become '?'. Returns the columns used.
 */
int
dash_put(struct dash *d, int y, int x, int w, const char *s, attr_t a)
{
	wchar_t wbuf[DASH_LINE];
	int used = 0, k = 0;
	mbstate_t st;
	const char *p = s;

	if (w <= 0 || y < 0 || y >= LINES || x < 0 || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	if (!d->utf8) {
		char buf[DASH_LINE];
		int n = 0;

		for (; *p && n < w && n < DASH_LINE - 1; p++)
			buf[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
		buf[n] = '\0';
		attron(a);
		mvaddnstr(y, x, buf, n);
		attroff(a);
		return n;
	}
	memset(&st, 0, sizeof(st));
	while (*p && k < DASH_LINE - 1) {
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

int
dash_putf(struct dash *d, int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[DASH_LINE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return dash_put(d, y, x, w, buf, a);
}

int
dash_cols(const char *s)
{
	return text_cols(s);
}

/*
 * "○ CONNECTING → ● LIVE" in each state's role, each badge padded to the
 * longest ("○ CONNECTING") so that rows of changes align. Returns the
 * columns used.
 */
int
dash_put_change(struct dash *d, int y, int x, enum mon_state from,
                enum mon_state to, bool to_paused)
{
	struct ui_badge bf = ui_badge_of(from, false, d->utf8);
	struct ui_badge bt = ui_badge_of(to, to_paused, d->utf8);
	int x0 = x;

	x += dash_putf(d, y, x, 12,
	               term_attr(dash_role(ui_tl_of(from, false), false)),
	               "%s %-10s", bf.symbol, bf.word);
	x += dash_put(d, y, x, 3, d->utf8 ? " \u2192 " : " > ",
	              term_attr(ROLE_DIM));
	x += dash_putf(d, y, x, 12,
	               term_attr(dash_role(ui_tl_of(to, to_paused), false)),
	               "%s %-10s", bt.symbol, bt.word);
	return x - x0;
}

/* A horizontal line of n cells: Unicode box drawing, or '-'. */
void
dash_hline(struct dash *d, int y, int x, int n, attr_t a)
{
	if (n <= 0)
		return;
	attron(a);
	if (d->utf8)
		mvhline_set(y, x, WACS_HLINE, n);
	else
		mvhline(y, x, '-', n);
	attroff(a);
}

/* n blank cells with attributes a (a bar's background). */
void
dash_fill(int y, int x, int w, attr_t a)
{
	if (w <= 0)
		return;
	attron(a);
	mvhline(y, x, ' ', w);
	attroff(a);
}

/*
 * A box. In UTF-8 the wide WACS_ characters are written as Unicode, not
 * through the terminal's alternate character set: no charset switching that
 * a multiplexer or a resize could leave half-done.
 */
void
dash_box(struct dash *d, struct ui_rect r, attr_t a)
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

/* The role of a timeline state: its colour, or its badge. */
enum ui_role
dash_role(int tl_state, bool badge)
{
	if (tl_state < 0 || tl_state >= TL_NSTATES)
		return ROLE_DIM;
	return (enum ui_role)((badge ? ROLE_B_LIVE : ROLE_LIVE) + tl_state);
}

enum ui_role
dash_ep_role(const struct mon_ep *ep, bool badge)
{
	return dash_role(ui_tl_state(ep), badge);
}

/* "● LIVE" */
void
dash_badge(struct dash *d, const struct mon_ep *ep, char *out, size_t len)
{
	struct ui_badge b = ui_badge(ep, d->utf8);

	snprintf(out, len, "%s %s", b.symbol, b.word);
}
