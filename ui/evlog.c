/*
 * evlog.c: the event log: every state change with its reason, and what the
 * user did from the keyboard, newest at the bottom. It keeps LOG_ENTRIES
 * and scrolls (PgUp/PgDn, the mouse wheel).
 */
#include <stdio.h>
#include <string.h>

#include "wsdash/clock.h"
#include "wsdash/sanitize.h"
#include "dash.h"

static struct log_entry *
log_next(struct dash *d, int idx)
{
	struct log_entry *e = &d->log[d->log_head];

	memset(e, 0, sizeof(*e));
	e->wall_ms = clock_wall_ms();
	e->idx = idx;
	d->log_head = (d->log_head + 1) % LOG_ENTRIES;
	if (d->log_len < LOG_ENTRIES)
		d->log_len++;
	/* someone reading older entries keeps their place */
	if (d->log_scroll > 0 && d->log_scroll < (int)d->log_len - 1)
		d->log_scroll++;
	return e;
}

void
dash_log_change(struct dash *d, int idx, const struct mon_ep *ep)
{
	const struct mon_transition *t = mon_history(ep, 0);
	struct log_entry *e = log_next(d, idx);

	e->paused = ep->paused;
	if (t != NULL && !ep->paused) {
		e->from = t->from;
		e->to = t->to;
	} else {
		e->from = e->to = ep->state;
	}
	snprintf(e->text, sizeof(e->text), "%s", ep->reason);
}

void
dash_log_action(struct dash *d, int idx, const char *what)
{
	struct log_entry *e = log_next(d, idx);

	e->action = true;
	snprintf(e->text, sizeof(e->text), "%s", what);
}

/* Entry k of the shown page (0 = the oldest shown). */
static const struct log_entry *
entry(const struct dash *d, unsigned back)
{
	return &d->log[(d->log_head + LOG_ENTRIES - 1 - back) % LOG_ENTRIES];
}

static void
draw_entry(struct dash *d, const struct log_entry *e, int y)
{
	const struct mon_ep *ep = &d->m->eps[e->idx];
	char clk[16], name[UI_NAME_MAX], cut[DASH_LINE];
	int x = 1, namew = COLS >= 80 ? 16 : 10;

	ui_fmt_clock(e->wall_ms, clk, sizeof(clk));
	x += dash_put(d, y, x, 9, clk, term_attr(ROLE_DIM)) + 1;
	text_cut(name, sizeof(name), ep->cfg->name, namew, d->utf8);
	x += dash_putf(d, y, x, namew + 1, term_attr(ROLE_TITLE), "%s%*s", name,
	               namew + 1 - dash_cols(name), "");
	if (e->action) {
		/* what the user did: marked as such, not as the server's */
		snprintf(cut, sizeof(cut), "%s %s", d->utf8 ? "\u25b8" : ">",
		         e->text);
		dash_put(d, y, x, COLS - x - 1, cut, term_attr(ROLE_SELECTED));
		return;
	}
	x += dash_put_change(d, y, x, e->from, e->to, e->paused);
	text_cut(cut, sizeof(cut), e->text, COLS - x - 3, d->utf8);
	dash_putf(d, y, x, COLS - x - 1, term_attr(ROLE_NORMAL), "  %s", cut);
}

void
dash_draw_log(struct dash *d)
{
	struct ui_rect r = d->lay.log;
	int rows = r.h - 1, max_scroll;
	char title[96];

	if (r.h < 2)
		return;
	max_scroll = (int)d->log_len > rows ? (int)d->log_len - rows : 0;
	if (d->log_scroll > max_scroll)
		d->log_scroll = max_scroll;
	if (d->log_scroll < 0)
		d->log_scroll = 0;
	dash_hline(d, r.y, 0, COLS, term_attr(ROLE_DIM));
	if (d->log_scroll > 0)
		snprintf(title, sizeof(title),
		         " events (%d newer below: PgDn) ", d->log_scroll);
	else if (max_scroll > 0)
		snprintf(title, sizeof(title), " events (PgUp: older) ");
	else
		snprintf(title, sizeof(title), " events ");
	dash_put(d, r.y, 2, COLS - 4, title, term_attr(ROLE_DIM));
	if (d->log_len == 0) {
		dash_put(d, r.y + 1, 1, COLS - 2,
		         "no state changes yet: they appear here as they "
		         "happen",
		         term_attr(ROLE_DIM));
		return;
	}
	{
		int show = (int)d->log_len - d->log_scroll < rows
		               ? (int)d->log_len - d->log_scroll
		               : rows;

		/* oldest of the shown first, newest at the bottom */
		for (int k = 0; k < show; k++)
			draw_entry(
			    d,
			    entry(d, (unsigned)(d->log_scroll + show - 1 - k)),
			    r.y + 1 + k);
	}
}
