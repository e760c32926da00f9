/*
 * help.c: the help overlay: every key (from the key table), and a legend
 * of every symbol, colour, state word and number format on the screen.
 */
#include <stdio.h>
#include <string.h>

#include "wsdash/sanitize.h"
#include "dash.h"

struct help_line {
	const char *left;  /* key or symbol column */
	const char *right; /* what it means */
	int role;          /* of the left column; -1: a heading */
};

#define HELP_MAX 64

/* The state legend: symbol and word in their colour, what it means. */
static int
state_lines(struct dash *d, struct help_line *h, char (*sym)[32])
{
	static const struct {
		enum mon_state s;
		bool paused;
		const char *what;
	} st[] = {
	    {MON_CONNECTING, false, "first attempt under way"},
	    {MON_LIVE, false, "WebSocket open, pongs arriving"},
	    {MON_STALE, false, "open, but no pong in the ping timeout"},
	    {MON_POLLING, false, "WebSocket lost: HTTP polling answers"},
	    {MON_DOWN, false, "no WebSocket, and polls fail or are pending"},
	    {MON_LIVE, true, "paused with p: no connection, no polls"},
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		struct ui_badge b = ui_badge_of(st[i].s, st[i].paused, d->utf8);

		snprintf(sym[i], 32, "%s %s", b.symbol, b.word);
		h[n++] = (struct help_line){
		    sym[i], st[i].what,
		    dash_role(ui_tl_of(st[i].s, st[i].paused), false)};
	}
	return n;
}

void
dash_draw_help(struct dash *d)
{
	struct help_line h[HELP_MAX];
	char sym[8][32], keys[24][48];
	const struct dash_keydef *k;
	size_t nk;
	int n = 0, w, hgt, shown, lw = 18;
	struct ui_rect r;

	h[n++] = (struct help_line){"keys", NULL, -1};
	k = dash_keys(&nk);
	for (size_t i = 0; i < nk && i < 24 && n < HELP_MAX - 24; i++) {
		if (k[i].help == NULL || (k[i].demo && !d->o->demo))
			continue;
		snprintf(keys[i], sizeof(keys[i]), "%s", k[i].keys);
		h[n++] = (struct help_line){keys[i], k[i].help, ROLE_KEY};
	}
	h[n++] = (struct help_line){"states", NULL, -1};
	n += state_lines(d, h + n, sym);
	snprintf(sym[6], sizeof(sym[6]), "%s fallback",
	         d->utf8 ? "\u26a0" : "!");
	h[n++] = (struct help_line){sym[6],
	                            "since when, why, the next retry (in "
	                            "the state's colour)",
	                            ROLE_B_POLLING};
	h[n++] = (struct help_line){"numbers", NULL, -1};
	h[n++] = (struct help_line){"RTT a/b/c ms",
	                            "ping round trip: last / average / p95",
	                            ROLE_TITLE};
	h[n++] = (struct help_line){"poll RTT", "the last HTTP poll's time",
	                            ROLE_TITLE};
	h[n++] = (struct help_line){"msgs  n/s",
	                            "messages of its own type, per second "
	                            "(5 s average)",
	                            ROLE_TITLE};
	h[n++] = (struct help_line){"lag",
	                            "arrival minus the message's own "
	                            "timestamp",
	                            ROLE_TITLE};
	h[n++] = (struct help_line){"+n other",
	                            "other streams' messages (a backend "
	                            "that broadcasts)",
	                            ROLE_TITLE};
	h[n++] = (struct help_line){"ws 87%", "share of time on the WebSocket",
	                            ROLE_TITLE};
	h[n++] = (struct help_line){
	    "state row", "a cell per 5 s, the worst state in it", ROLE_TITLE};
	h[n++] = (struct help_line){"SILENT",
	                            "open, but no message of its own for "
	                            "--max-silence",
	                            ROLE_TITLE};

	w = COLS - 2 < 78 ? COLS - 2 : 78;
	hgt = n + 3 < LINES - 1 ? n + 3 : LINES - 1;
	if (w < 20 || hgt < 4)
		return;
	if (w < 50)
		lw = 12;
	r = (struct ui_rect){(LINES - hgt) / 2, (COLS - w) / 2, hgt, w};
	for (int y = r.y; y < r.y + r.h; y++)
		dash_fill(y, r.x, r.w, term_attr(ROLE_NORMAL));
	dash_box(d, r, term_attr(ROLE_SELECTED));
	dash_put(d, r.y, r.x + 2, w - 4, " help: any key closes it, q quits ",
	         term_attr(ROLE_TITLE));
	shown = hgt - 3;
	for (int i = 0; i < n && i < shown; i++) {
		int y = r.y + 2 + i;
		char cut[DASH_LINE];

		if (i == shown - 1 && n > shown) {
			dash_put(d, y, r.x + 2, w - 4,
			         "... (a taller pane shows the rest)",
			         term_attr(ROLE_DIM));
			break;
		}
		if (h[i].role < 0) {
			dash_put(d, y, r.x + 2, w - 4, h[i].left,
			         term_attr(ROLE_TITLE) | A_UNDERLINE);
			continue;
		}
		dash_put(d, y, r.x + 2, lw, h[i].left, term_attr(h[i].role));
		text_cut(cut, sizeof(cut), h[i].right, w - lw - 5, d->utf8);
		dash_put(d, y, r.x + 3 + lw, w - lw - 5, cut,
		         term_attr(ROLE_NORMAL));
	}
}
