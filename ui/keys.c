/*
 * keys.c: the keys as a table (the help and the key bar read the same
 * table), what each does in each view, and the key bar on the bottom row.
 *
 * A key means the same everywhere: q quits from any view, r/p/x act on
 * the selected endpoint in the panels and in its detail view alike. The
 * help is an overlay: the key that closes it does nothing else. A key
 * that cannot act here says why in the key bar instead of doing nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wsdash/clock.h"
#include "wsdash/sanitize.h"
#include "dash.h"

enum {
	V_MAIN = 1 << 0,
	V_DETAIL = 1 << 1,
};

#define K_ESC   27
#define K_CTRLL 12

static const struct dash_keydef table[] = {
    {"?",
     "this help (any key closes it)",
     false,
     ACT_HELP,
     {'?', 0},
     "help",
     0,
     V_MAIN | V_DETAIL,
     NULL},
    {"q",
     "quit",
     false,
     ACT_QUIT,
     {'q', 'Q', 0},
     "quit",
     1,
     V_MAIN | V_DETAIL,
     NULL},
    {"Enter",
     "details of the selected endpoint (and back)",
     false,
     ACT_DETAIL,
     {'\n', '\r', KEY_ENTER, 0},
     "detail",
     2,
     V_MAIN,
     NULL},
    {"Esc",
     "back to the panels",
     false,
     ACT_BACK,
     {K_ESC, 0},
     "back",
     0,
     V_DETAIL,
     NULL},
    {"arrows hjkl",
     "select (detail: scroll, left/right: endpoint)",
     false,
     ACT_NONE,
     {0},
     NULL,
     9,
     0,
     NULL},
    {"\u2191\u2193", NULL, false, ACT_NONE, {0}, "scroll", 3, V_DETAIL, "j/k"},
    {"\u2190\u2192",
     NULL,
     false,
     ACT_NONE,
     {0},
     "endpoint",
     4,
     V_DETAIL,
     "h/l"},
    {"Tab S-Tab",
     "next / previous endpoint",
     false,
     ACT_NEXT,
     {'\t', 0},
     NULL,
     9,
     0,
     NULL},
    {"r",
     "reconnect the selected endpoint now",
     false,
     ACT_RECONNECT,
     {'r', 0},
     "reconnect",
     3,
     V_MAIN | V_DETAIL,
     NULL},
    {"R",
     "reconnect every endpoint",
     false,
     ACT_RECONNECT_ALL,
     {'R', 0},
     NULL,
     9,
     0,
     NULL},
    {"p",
     "pause or resume the selected endpoint",
     false,
     ACT_PAUSE,
     {'p', 0},
     "pause",
     4,
     V_MAIN | V_DETAIL,
     NULL},
    {"x",
     "demo: break or restore the selected stream",
     true,
     ACT_BREAK,
     {'x', 0},
     "break",
     5,
     V_MAIN | V_DETAIL,
     NULL},
    {"PgUp PgDn",
     "the event log: older / newer (detail: the message)",
     false,
     ACT_PGUP,
     {KEY_PPAGE, 0},
     "log",
     6,
     V_MAIN,
     NULL},
    {"Home End",
     "first / last endpoint (detail: top / end)",
     false,
     ACT_HOME,
     {KEY_HOME, 0},
     NULL,
     9,
     0,
     NULL},
    {"mouse",
     "click selects, the wheel scrolls the log",
     false,
     ACT_NONE,
     {0},
     NULL,
     9,
     0,
     NULL},
    {"Ctrl-L",
     "redraw the screen",
     false,
     ACT_REDRAW,
     {K_CTRLL, 0},
     NULL,
     9,
     0,
     NULL},
    /* keys without a line of their own in the help */
    {"", NULL, false, ACT_PREV, {KEY_BTAB, 0}, NULL, 9, 0, NULL},
    {"", NULL, false, ACT_LEFT, {KEY_LEFT, 'h', 0}, NULL, 9, 0, NULL},
    {"", NULL, false, ACT_RIGHT, {KEY_RIGHT, 'l', 0}, NULL, 9, 0, NULL},
    {"", NULL, false, ACT_UP, {KEY_UP, 'k', 0}, NULL, 9, 0, NULL},
    {"", NULL, false, ACT_DOWN, {KEY_DOWN, 'j', 0}, NULL, 9, 0, NULL},
    {"", NULL, false, ACT_END, {KEY_END, 0}, NULL, 9, 0, NULL},
    {"", NULL, false, ACT_PGDN, {KEY_NPAGE, ' ', 0}, NULL, 9, 0, NULL},
};
#define NKEYS (sizeof(table) / sizeof(table[0]))

const struct dash_keydef *
dash_keys(size_t *n)
{
	*n = NKEYS;
	return table;
}

void
dash_say(struct dash *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->status, sizeof(d->status), fmt, ap);
	va_end(ap);
	d->status_until = clock_mono_us() + STATUS_US;
}

static enum dash_act
act_of(int ch)
{
	for (size_t i = 0; i < NKEYS; i++)
		for (int k = 0; table[i].codes[k] != 0; k++)
			if (table[i].codes[k] == ch)
				return table[i].act;
	return ACT_NONE;
}

static void
select_idx(struct dash *d, int i)
{
	if (i >= 0 && i < (int)d->m->n && i != d->selected) {
		d->selected = i;
		d->scroll = 0;
	}
}

static const char *
name_of(struct dash *d, int i)
{
	return d->m->eps[i].cfg->name;
}

static void
reconnect(struct dash *d, int i)
{
	if (d->m->eps[i].paused) {
		dash_say(d, "%s is paused: p resumes it", name_of(d, i));
		return;
	}
	watcher_reconnect(d->w, (size_t)i);
	dash_log_action(d, i, "reconnect requested (key r)");
}

static void
do_act(struct dash *d, enum dash_act act, int ch)
{
	int n = (int)d->m->n, sel = d->selected;
	int page = LINES / 2 > 1 ? LINES / 2 : 1;

	switch (act) {
	case ACT_QUIT:
		*d->o->stop = 1;
		watcher_wake(d->w); /* out of lws_service() at once */
		break;
	case ACT_HELP:
		d->help = true;
		break;
	case ACT_BACK:
		if (d->detail)
			d->detail = false;
		else
			dash_say(d,
			         "Esc goes back from a detail view; q quits");
		break;
	case ACT_DETAIL:
		d->detail = !d->detail;
		d->scroll = 0;
		break;
	case ACT_NEXT:
		select_idx(d, (sel + 1) % (n ? n : 1));
		break;
	case ACT_PREV:
		select_idx(d, (sel + n - 1) % (n ? n : 1));
		break;
	case ACT_LEFT:
	case ACT_RIGHT:
		if (d->detail)
			select_idx(d, act == ACT_LEFT
			                  ? (sel + n - 1) % (n ? n : 1)
			                  : (sel + 1) % (n ? n : 1));
		else
			select_idx(d,
			           ui_layout_move(&d->lay, sel,
			                          act == ACT_LEFT ? -1 : 1, 0));
		break;
	case ACT_UP:
	case ACT_DOWN:
		if (d->detail)
			d->scroll += act == ACT_UP ? -1 : 1;
		else
			select_idx(d, ui_layout_move(&d->lay, sel, 0,
			                             act == ACT_UP ? -1 : 1));
		break;
	case ACT_HOME:
		if (d->detail)
			d->scroll = 0;
		else
			select_idx(d, 0);
		break;
	case ACT_END:
		if (d->detail)
			d->scroll = 1 << 30;
		else
			select_idx(d, n - 1);
		break;
	case ACT_PGUP:
	case ACT_PGDN:
		if (d->detail) {
			d->scroll += act == ACT_PGUP ? -page : page;
		} else if (d->lay.log.h < 2) {
			dash_say(d, "no room for the event log here: a taller "
			            "pane shows it");
		} else {
			int step = d->lay.log.h - 2 > 1 ? d->lay.log.h - 2 : 1;

			d->log_scroll += act == ACT_PGUP ? step : -step;
			if (d->log_scroll < 0)
				d->log_scroll = 0;
		}
		break;
	case ACT_RECONNECT:
		reconnect(d, sel);
		break;
	case ACT_RECONNECT_ALL:
		for (int i = 0; i < n; i++)
			if (!d->m->eps[i].paused) {
				watcher_reconnect(d->w, (size_t)i);
				dash_log_action(
				    d, i, "reconnect requested (key R: all)");
			}
		break;
	case ACT_PAUSE: {
		bool pause = !d->m->eps[sel].paused;

		dash_log_action(d, sel,
		                pause ? "paused (key p)" : "resumed (key p)");
		watcher_pause(d->w, (size_t)sel, pause);
		break;
	}
	case ACT_BREAK:
		if (!d->o->demo) {
			dash_say(d, "x breaks a stream of the demo backend "
			            "(wsdash demo); not here");
			break;
		}
		{
			bool up = watcher_demo_toggle(d->w, sel);

			dash_log_action(d, sel,
			                up ? "restored from the keyboard (demo)"
			                   : "broken from the keyboard (demo)");
		}
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case ACT_NONE:
	default:
		if (ch > 32 && ch < 127)
			dash_say(d, "'%c' does nothing here: ? shows the keys",
			         ch);
		break;
	}
}

static void
mouse(struct dash *d)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		bool up = (me.bstate & BUTTON4_PRESSED) != 0;

		if (d->detail)
			d->scroll += up ? -3 : 3;
		else if (d->lay.log.h >= 2) {
			d->log_scroll += up ? 3 : -3;
			if (d->log_scroll < 0)
				d->log_scroll = 0;
		}
		return;
	}
	if (!d->detail) {
		int hit = ui_layout_hit(&d->lay, me.y, me.x);

		if (hit >= 0)
			select_idx(d, hit);
	}
}

void
dash_key(struct dash *d, int ch)
{
	if (ch == KEY_MOUSE) {
		if (!d->help)
			mouse(d);
		return;
	}
	if (d->help) {
		/* the key that closes the overlay does only that; q quits
		 * from everywhere */
		d->help = false;
		if (ch == 'q' || ch == 'Q')
			do_act(d, ACT_QUIT, ch);
		return;
	}
	if (d->m->n == 0 && ch != 'q' && ch != 'Q' && ch != '?')
		return;
	do_act(d, act_of(ch), ch);
}

/* The bar's items for this view, as many as fit, in table order. */
void
dash_draw_keybar(struct dash *d, int64_t now)
{
	struct ui_rect r = d->lay.keybar;
	unsigned view = d->detail ? V_DETAIL : V_MAIN;
	bool use[NKEYS] = {0};
	char hint[DASH_LINE];
	int x = 1, room;

	if (r.h == 0)
		return;
	dash_fill(r.y, 0, COLS, term_attr(ROLE_NORMAL));
	if (d->help) {
		dash_put(d, r.y, 1, COLS - 2,
		         "any key closes the help, q quits",
		         term_attr(ROLE_DIM));
		return;
	}
	/* a status message (a key that cannot act here), or the hint */
	if (d->status[0] && now < d->status_until) {
		dash_put(d, r.y, 1, COLS - 2, d->status, term_attr(ROLE_TITLE));
		return;
	}
	if (d->lay.log.h < 2 && dash_hint(d, hint, sizeof(hint))) {
		char cut[DASH_LINE];

		text_cut(cut, sizeof(cut), hint, COLS - 2, d->utf8);
		dash_put(d, r.y, 1, COLS - 2, cut, term_attr(ROLE_TITLE));
		return;
	}
	/* the most useful first, while they fit */
	room = COLS - 2;
	for (int prio = 0; prio < 9; prio++)
		for (size_t i = 0; i < NKEYS; i++) {
			const struct dash_keydef *k = &table[i];
			int need;

			if (k->prio != prio || k->bar == NULL ||
			    !(k->views & view) || (k->demo && !d->o->demo) ||
			    (k->act == ACT_PGUP && d->lay.log.h < 2))
				continue;
			need = dash_cols(k->ascii && !d->utf8 ? k->ascii
			                                      : k->keys) +
			       1 + dash_cols(k->bar) + 2;
			if (need <= room) {
				use[i] = true;
				room -= need;
			}
		}
	for (size_t i = 0; i < NKEYS; i++) {
		const struct dash_keydef *k = &table[i];
		const char *key = k->act == ACT_DETAIL && d->utf8 ? "\u23ce"
		                  : !d->utf8 && k->ascii          ? k->ascii
		                                                  : k->keys;
		char label[64];

		if (!use[i])
			continue;
		/* "Enter" in ASCII; the key's own text otherwise */
		snprintf(label, sizeof(label), "%s", key);
		for (size_t e = strlen(label); e > 0 && label[e - 1] == ' ';
		     e--)
			label[e - 1] = '\0';
		x += dash_put(d, r.y, x, COLS - x, label, term_attr(ROLE_KEY));
		x += dash_putf(
		    d, r.y, x, COLS - x, term_attr(ROLE_NORMAL), " %s  ",
		    d->detail && k->act == ACT_DETAIL ? "back" : k->bar);
	}
}
