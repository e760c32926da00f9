/*
 * dashboard.c: the terminal dashboard's frame loop.
 *
 * The shape is tmux's: whatever changes state (a model event, a key, a
 * resize, the one-second clock) only marks the view dirty and asks the
 * watcher for a frame; the frame callback is the one place that draws, with
 * one doupdate(). Frames are paced by a token bucket (ui_pace_take): a
 * flood of messages costs at most UI_FPS redraws a second, yet the frame
 * after a quiet spell is drawn at once, and nothing is ever drawn from
 * inside a network callback. The pieces of a frame are in the other files
 * of ui/ (see dash.h).
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/sanitize.h"
#include "dash.h"

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

/* The one place that draws. */
static void
draw_frame(struct dash *d)
{
	int64_t now = clock_mono_us(), wall = clock_wall_ms();
	char hint[DASH_LINE];

	ui_layout_compute(&d->lay, COLS, LINES, (int)d->m->n, d->selected,
	                  d->first);
	d->first = d->lay.first;
	erase();
	if (d->lay.kind == UI_TOO_SMALL) {
		dash_draw_too_small(d);
	} else {
		dash_draw_header(d, wall);
		if (d->detail && d->m->n > 0) {
			dash_draw_detail(d, now, wall);
		} else {
			for (int i = d->lay.first;
			     i < d->lay.first + d->lay.visible; i++) {
				struct ui_rect r;

				if (!ui_layout_item(&d->lay, i, &r))
					continue;
				if (d->lay.kind == UI_GRID)
					dash_draw_panel(d, i, r, now, wall);
				else
					dash_draw_line(d, i, r, now);
			}
			dash_draw_more(d);
			dash_draw_log(d);
			if (d->lay.log.h >= 2 &&
			    dash_hint(d, hint, sizeof(hint))) {
				char cut[DASH_LINE];

				text_cut(cut, sizeof(cut), hint, COLS - 2,
				         d->utf8);
				dash_fill(d->lay.log.y + 1, 0, COLS,
				          term_attr(ROLE_NORMAL));
				dash_put(d, d->lay.log.y + 1, 1, COLS - 2, cut,
				         term_attr(ROLE_TITLE));
			}
		}
		dash_draw_keybar(d, now);
		if (d->help)
			dash_draw_help(d);
	}
	wnoutrefresh(stdscr);
	doupdate();
	d->frames++;
}

/* ---- events -------------------------------------------------------------- */

static void
request_frame(struct dash *d)
{
	d->dirty = true;
	watcher_frame(d->w, 0);
}

static void
dash_frame(void *user)
{
	struct dash *d = user;
	int64_t wait;

	if (!d->dirty)
		return;
	wait = ui_pace_take(&d->pace, clock_mono_us());
	if (wait > 0) { /* too soon after a burst: come back */
		watcher_frame(d->w, wait);
		return;
	}
	d->dirty = false;
	draw_frame(d);
}

static void
dash_changed(void *user, struct mon_ep *ep, unsigned flags,
             const struct mon_event *ev)
{
	struct dash *d = user;
	int idx = (int)(ep - d->m->eps);
	struct dash_ep *de = &d->eps[idx];
	const struct mon_transition *t;
	int64_t now = clock_mono_us();

	if (d->o->changed != NULL)
		d->o->changed(d->o->user, ep, flags, ev);
	if (flags & MON_CHG_STATE) {
		dash_log_change(d, idx, ep);
		timeline_set(&de->tl, now, ui_tl_state(ep));
		t = mon_history(ep, 0);
		if (t != NULL && !ep->paused) {
			bool was_ok = t->from == MON_LIVE ||
			              t->from == MON_STALE ||
			              t->from == MON_CONNECTING;

			if ((was_ok &&
			     (t->to == MON_POLLING || t->to == MON_DOWN)) ||
			    t->to == MON_DOWN) {
				de->flash = FLASH_FALLBACK;
				de->flash_until = now + FLASH_US;
			} else if (t->to == MON_LIVE &&
			           (t->from == MON_POLLING ||
			            t->from == MON_DOWN)) {
				de->flash = FLASH_RECOVER;
				de->flash_until = now + FLASH_US;
			}
			/* the bell: tmux flags the window, a background
			 * pane is noticed */
			if (d->o->bell &&
			    ui_bell_due(t->from, t->to, ep->paused, now,
			                &d->bell_last_us))
				beep();
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
	dash_rate_sample(d, now_us);
	request_frame(d); /* the clock and the ages move */
}

static int64_t
dash_chores(void *user, int64_t now_us)
{
	struct dash *d = user;

	return d->o->chores != NULL ? d->o->chores(d->o->user, now_us) : 0;
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
	d->names_cols = 0;
	request_frame(d);
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
		dash_key(d, ch);
	}
	if (got == 0) {
		/* readable but nothing to read: the terminal went away */
		if (!isatty(STDIN_FILENO)) {
			*d->o->stop = 1;
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
	int64_t now = clock_mono_us();

	d.o = o;
	d.w = w;
	d.m = m;
	d.cfg = cfg;
	d.utf8 = m->utf8;
	d.pretty_idx = -1;
	d.eps = calloc(m->n ? m->n : 1, sizeof(*d.eps));
	if (d.eps == NULL) {
		fprintf(stderr, "wsdash: out of memory\n");
		return CLI_EXIT_FAIL;
	}
	for (size_t i = 0; i < m->n; i++) {
		timeline_init(&d.eps[i].tl, now, ui_tl_state(&m->eps[i]));
		d.eps[i].rate_msgs = m->eps[i].msgs;
	}
	if (!term_init(o->color)) {
		cli_error(NULL, "cannot use this terminal (TERM=%s)",
		          getenv("TERM") ? getenv("TERM") : "");
		free(d.eps);
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
	hooks.chores = dash_chores;
	watcher_adopt_stdin(w);
	draw_frame(&d);
	if (watcher_run(w, cfg, m, &hooks, o->stop, o->duration_ms, err,
	                sizeof(err)) < 0)
		rc = CLI_EXIT_FAIL;
	term_done();
	if (rc != CLI_EXIT_OK)
		cli_error(NULL, "%s", err);
	dash_w = NULL;
	dash_detail_free(&d);
	free(d.eps);
	return rc;
}
