/* Dashboard layout and text, as pure functions (no terminal needed). */
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>

#include "wsdash/sanitize.h"
#include "fmt.h"
#include "layout.h"

static bool
inside(struct ui_rect r, int cols, int rows)
{
	return r.x >= 0 && r.y >= 0 && r.x + r.w <= cols && r.y + r.h <= rows &&
	       r.w > 0 && r.h > 0;
}

static bool
overlap(struct ui_rect a, struct ui_rect b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
	       b.y < a.y + a.h;
}

Test(layout, three_panels_on_120x36)
{
	struct ui_layout l;
	struct ui_rect r;

	ui_layout_compute(&l, 120, 36, 3, 0, 0);
	cr_assert_eq(l.kind, UI_GRID);
	cr_assert_eq(l.grid_cols, 3);
	cr_assert_eq(l.panel_w, 40);
	cr_assert_eq(l.visible, 3);
	/* the spare rows: panels grow (timeline, rate, RTT), the log takes
	 * the rest, the key bar the bottom row; nothing is left blank */
	cr_assert_eq(l.extra, UI_PANEL_EXTRA);
	cr_assert_eq(l.keybar.y, 35);
	cr_assert_eq(l.log.y, 1 + l.panel_h);
	cr_assert_eq(l.log.y + l.log.h, 35, "the log fills what is left");
	cr_assert(ui_layout_item(&l, 2, &r));
	cr_assert_eq(r.x, 80);
	cr_assert_eq(r.y, 1);
	cr_assert_eq(r.h, UI_PANEL_H + UI_PANEL_EXTRA);
	cr_assert_eq(ui_layout_hit(&l, 3, 85), 2);
	cr_assert_eq(ui_layout_hit(&l, 0, 5), -1, "header is no panel");
}

Test(layout, tall_and_wide_panes_are_filled)
{
	struct ui_layout l;

	/* 200x55: 5 panels a row, the log gets 40-odd lines */
	ui_layout_compute(&l, 200, 55, 3, 0, 0);
	cr_assert_eq(l.kind, UI_GRID);
	cr_assert_eq(l.log.h, 55 - 2 - l.panel_h);
	/* 120x10: compact lines, then the log in the rest */
	ui_layout_compute(&l, 120, 10, 3, 0, 0);
	cr_assert_eq(l.kind, UI_COMPACT);
	cr_assert(l.reason_col);
	cr_assert_eq(l.body.h, 3);
	cr_assert_eq(l.log.h, 10 - 2 - 3);
	/* the tac backend's eight streams on 120x36: three rows of panels */
	ui_layout_compute(&l, 120, 36, 8, 0, 0);
	cr_assert_eq(l.kind, UI_GRID);
	cr_assert_eq(l.visible, 8);
}

Test(layout, views_by_size)
{
	struct ui_layout l;

	ui_layout_compute(&l, 80, 24, 3, 0, 0);
	cr_assert_eq(l.kind, UI_GRID);
	cr_assert_eq(l.grid_cols, 2);
	/* one column of three panels needs 27 rows: lines instead */
	ui_layout_compute(&l, 60, 15, 3, 0, 0);
	cr_assert_eq(l.kind, UI_COMPACT);
	cr_assert_eq(l.visible, 3, "60x15 shows every endpoint");
	ui_layout_compute(&l, 59, 30, 3, 0, 0);
	cr_assert_eq(l.kind, UI_COMPACT);
	ui_layout_compute(&l, 50, 14, 3, 0, 0);
	cr_assert_eq(l.kind, UI_COMPACT);
	cr_assert_eq(l.visible, 3);
	ui_layout_compute(&l, 23, 10, 3, 0, 0);
	cr_assert_eq(l.kind, UI_TOO_SMALL);
	ui_layout_compute(&l, 80, 2, 3, 0, 0);
	cr_assert_eq(l.kind, UI_TOO_SMALL);
	/* 24x3: no key bar, two lines: one endpoint and "+2 more" */
	ui_layout_compute(&l, 24, 3, 3, 0, 0);
	cr_assert_eq(l.kind, UI_COMPACT);
	cr_assert_eq(l.keybar.h, 0);
	cr_assert_eq(l.visible + l.more, 3);
}

Test(layout, every_endpoint_is_shown_or_counted_at_every_size)
{
	for (int cols = 1; cols <= 220; cols += 7)
		for (int rows = 1; rows <= 70; rows += 3)
			for (int n = 1; n <= 40; n += 13) {
				struct ui_layout l;
				struct ui_rect a, b;

				ui_layout_compute(&l, cols, rows, n, n - 1, 0);
				if (l.kind == UI_TOO_SMALL)
					continue;
				cr_assert_gt(l.visible, 0, "%dx%d n=%d", cols,
				             rows, n);
				cr_assert_eq(l.visible + l.more, n,
				             "%dx%d n=%d: %d shown, %d more",
				             cols, rows, n, l.visible, l.more);
				if (l.kind == UI_GRID)
					cr_assert_eq(l.more, 0);
				/* the selected (last) one is visible */
				cr_assert(ui_layout_item(&l, n - 1, &a),
				          "%dx%d n=%d", cols, rows, n);
				if (l.keybar.h)
					cr_assert(!overlap(l.keybar, l.log) &&
					          !overlap(l.keybar, l.body));
				cr_assert(l.body.y + l.body.h <= rows);
				for (int i = l.first; i < l.first + l.visible;
				     i++) {
					cr_assert(ui_layout_item(&l, i, &a));
					cr_assert(inside(a, cols, rows),
					          "%dx%d n=%d i=%d", cols, rows,
					          n, i);
					cr_assert(!overlap(a, l.header));
					if (l.log.h > 0)
						cr_assert(!overlap(a, l.log));
					if (l.keybar.h > 0)
						cr_assert(
						    !overlap(a, l.keybar));
					for (int k = i + 1;
					     k < l.first + l.visible; k++) {
						cr_assert(
						    ui_layout_item(&l, k, &b));
						cr_assert(!overlap(a, b));
					}
				}
			}
}

Test(layout, scrolling_and_spatial_moves)
{
	struct ui_layout l;

	/* 8 endpoints, 3 per row on 120x36 */
	ui_layout_compute(&l, 120, 36, 8, 0, 0);
	cr_assert_eq(l.kind, UI_GRID);
	cr_assert_eq(ui_layout_move(&l, 0, 0, 1), 3);
	cr_assert_eq(ui_layout_move(&l, 0, 1, 0), 1);
	cr_assert_eq(ui_layout_move(&l, 0, -1, 0), 0, "no wrap left");
	cr_assert_eq(ui_layout_move(&l, 1, 0, -1), 1, "no wrap up");
	cr_assert_eq(ui_layout_move(&l, 5, 0, 1), 7,
	             "down into a shorter row: the nearest");
	cr_assert_eq(ui_layout_move(&l, 7, 1, 0), 7, "no panel to the right");
	cr_assert_eq(ui_layout_move(&l, 6, 0, 1), 6, "no row below: stay");
	/* a single row: Down goes nowhere (it used to jump to the last) */
	ui_layout_compute(&l, 120, 36, 3, 0, 0);
	cr_assert_eq(ui_layout_move(&l, 0, 0, 1), 0);
	/* 40 lines in a 20-row pane: scroll, keep the selection in view */
	ui_layout_compute(&l, 50, 20, 40, 39, 0);
	cr_assert_eq(l.kind, UI_COMPACT);
	cr_assert_gt(l.more, 0);
	cr_assert_lt(39, l.first + l.visible);
	ui_layout_compute(&l, 50, 20, 40, 30, l.first);
	cr_assert_leq(l.first, 30, "scrolling back keeps the page");
	cr_assert_eq(ui_layout_move(&l, 30, 0, 1), 31);
	cr_assert_eq(ui_layout_move(&l, 39, 0, 1), 39);
}

Test(fmt, numbers_and_durations)
{
	char b[32];

	ui_fmt_duration(850000, b, sizeof(b));
	cr_assert_str_eq(b, "850ms");
	ui_fmt_duration(18 * 1000000LL, b, sizeof(b));
	cr_assert_str_eq(b, "18s");
	ui_fmt_duration(123 * 1000000LL, b, sizeof(b));
	cr_assert_str_eq(b, "2m03s");
	ui_fmt_duration(3720 * 1000000LL, b, sizeof(b));
	cr_assert_str_eq(b, "1h02m");
	ui_fmt_duration(-5, b, sizeof(b));
	cr_assert_str_eq(b, "0ms");
	ui_fmt_age(300000, b, sizeof(b));
	cr_assert_str_eq(b, "<1s");
	ui_fmt_age(2900000, b, sizeof(b));
	cr_assert_str_eq(b, "2s");
	ui_fmt_ms(0.314, b, sizeof(b));
	cr_assert_str_eq(b, "0.31");
	ui_fmt_ms(12.44, b, sizeof(b));
	cr_assert_str_eq(b, "12.4");
	ui_fmt_ms(153.2, b, sizeof(b));
	cr_assert_str_eq(b, "153");
	ui_fmt_ms(12500, b, sizeof(b));
	cr_assert_str_eq(b, "12.5s");
	ui_fmt_count(987, b, sizeof(b));
	cr_assert_str_eq(b, "987");
	ui_fmt_count(12345, b, sizeof(b));
	cr_assert_str_eq(b, "12.3k");
	ui_fmt_count(4560000, b, sizeof(b));
	cr_assert_str_eq(b, "4.56M");
	ui_fmt_lag(0.4, b, sizeof(b));
	cr_assert_str_eq(b, "<1 ms");
	ui_fmt_lag(35.2, b, sizeof(b));
	cr_assert_str_eq(b, "35 ms");
}

static struct config cfg;
static struct mon m;

static void
mk(void)
{
	char err[64];

	config_init(&cfg, NULL);
	config_add_url(&cfg, "ws://h:1/ws/a", err, sizeof(err));
	config_add_url(&cfg, "ws://h:1/ws/b", err, sizeof(err));
	config_add_url(&cfg, "ws://h:1/ws/c", err, sizeof(err));
	mon_init(&m, &cfg, 0, true);
}

static void
rm(void)
{
	mon_done(&m);
	config_free(&cfg);
}

Test(fmt, badges_carry_the_words, .init = mk, .fini = rm)
{
	struct mon_ep *ep = &m.eps[0];
	struct mon_event open = {.kind = MEV_WS_OPEN};
	struct mon_event late = {.kind = MEV_PONG_LATE};
	struct mon_event closed = {.kind = MEV_WS_CLOSED, .close_code = 1001};
	struct mon_event pfail = {.kind = MEV_POLL_FAIL};
	struct mon_event pok = {.kind = MEV_POLL_OK, .status = 200};
	struct mon_event pause = {.kind = MEV_PAUSE};

	cr_assert_str_eq(ui_badge(ep, true).word, "CONNECTING");
	mon_apply(&m, ep, &open, 1);
	cr_assert_str_eq(ui_badge(ep, true).word, "LIVE");
	cr_assert_str_eq(ui_mode_words(ep), "WebSocket");
	mon_apply(&m, ep, &late, 2);
	cr_assert_str_eq(ui_badge(ep, true).word, "STALE");
	mon_apply(&m, ep, &closed, 3);
	cr_assert_str_eq(ui_badge(ep, true).word, "DOWN", "no poll answered");
	mon_apply(&m, ep, &pok, 4);
	cr_assert_str_eq(ui_badge(ep, true).word, "POLLING");
	cr_assert_str_eq(ui_mode_words(ep), "polling (fallback)");
	mon_apply(&m, ep, &pfail, 4);
	cr_assert_str_eq(ui_badge(ep, true).word, "DOWN");
	cr_assert_str_eq(ui_badge(ep, false).symbol, "x");
	mon_apply(&m, ep, &pause, 5);
	cr_assert_str_eq(ui_badge(ep, true).word, "PAUSED");
	/* every symbol is one ASCII character without UTF-8 */
	cr_assert_eq(strlen(ui_badge(&m.eps[1], false).symbol), 1);
}

Test(fmt, fallback_flag_line, .init = mk, .fini = rm)
{
	struct mon_ep *ep = &m.eps[0];
	struct mon_event fail = {.kind = MEV_WS_FAIL, .status = 404, .cls = 5};
	char b[256];
	int64_t t0 = 100 * 1000000LL, wall0 = 1764108000000LL;

	ui_fallback_line(ep, t0, wall0, true, true, b, sizeof(b));
	cr_assert_str_eq(b, "", "not in fallback");
	mon_apply(&m, ep, &fail, t0);
	mon_set_next_retry(ep, t0 + 22 * 1000000LL);
	ui_fallback_line(ep, t0 + 18 * 1000000LL, wall0 + 18000, false, true, b,
	                 sizeof(b));
	cr_assert(strncmp(b, "fallback ", 9) == 0, "%s", b);
	cr_assert(strstr(b, "(18s) - 404 on upgrade (not_found) - first poll "
	                    "pending - retry in 4s"),
	          "%s", b);
	ui_fallback_line(ep, t0 + 18 * 1000000LL, wall0 + 18000, true, false, b,
	                 sizeof(b));
	cr_assert_null(strstr(b, "404"), "%s", b);
	cr_assert(
	    strstr(b, "(18s) \u00b7 first poll pending \u00b7 retry in 4s"),
	    "%s", b);
	ep->poll_pending = false; /* a poll answered */
	ui_fallback_short(ep, t0 + 62 * 1000000LL, true, b, sizeof(b));
	cr_assert_str_eq(b, "fallback 1m02s", "the retry time has passed");
	mon_set_next_retry(ep, t0 + 70 * 1000000LL);
	ui_fallback_short(ep, t0 + 62 * 1000000LL, false, b, sizeof(b));
	cr_assert_str_eq(b, "fallback 1m02s - retry in 8s");
}

Test(fmt, sparkline_and_summary, .init = mk, .fini = rm)
{
	int32_t v[] = {100, 200, 400, 800, 50};
	char b[256];
	struct mon_event open = {.kind = MEV_WS_OPEN};
	struct mon_event fail = {.kind = MEV_WS_FAIL, .status = 404};
	struct mon_event pok = {.kind = MEV_POLL_OK, .status = 200};

	cr_assert_eq(ui_sparkline(v, 5, 10, false, b, sizeof(b)), 5);
	cr_assert_str_eq(b, "_.-#_");
	cr_assert_eq(ui_sparkline(v, 5, 3, true, b, sizeof(b)), 3);
	cr_assert_str_eq(b, "\u2584\u2588\u2581", "the newest 3, scaled");
	mon_apply(&m, &m.eps[0], &open, 1);
	mon_apply(&m, &m.eps[1], &open, 1);
	mon_apply(&m, &m.eps[2], &fail, 1);
	ui_summary(&m, true, b, sizeof(b));
	cr_assert_str_eq(b, "3 endpoints \u00b7 2 WebSocket \u00b7 1 down");
	mon_apply(&m, &m.eps[2], &pok, 2);
	ui_summary(&m, true, b, sizeof(b));
	cr_assert_str_eq(b, "3 endpoints \u00b7 2 WebSocket \u00b7 1 polling");
}

Test(fmt, names_are_cut_in_the_middle_and_stay_apart)
{
	static const char *const names[] = {"workflows", "workflow-history",
	                                    "routes"};
	static const char *const twins[] = {"api-v1-stream-alpha-end",
	                                    "api-v1-stream-bravo-end"};
	char out[3][UI_NAME_MAX];

	setlocale(LC_ALL, "C.UTF-8");
	ui_names_fit(names, 3, 20, true, out);
	cr_assert_str_eq(out[0], "workflows");
	cr_assert_str_eq(out[1], "workflow-history");
	ui_names_fit(names, 3, 8, true, out);
	/* 30x8 used to show "workflow" twice */
	cr_assert_str_neq(out[0], out[1]);
	cr_assert_str_eq(out[1], "wor\u2026tory");
	cr_assert_str_eq(out[2], "routes");
	for (int i = 0; i < 3; i++)
		cr_assert_leq(text_cols(out[i]), 8, "%s", out[i]);
	ui_names_fit(names, 3, 8, false, out);
	cr_assert_str_eq(out[1], "wor~tory");
	/* same start and end: the cut moves until they differ */
	ui_names_fit(twins, 2, 12, true, out);
	cr_assert_str_neq(out[0], out[1], "%s / %s", out[0], out[1]);
	cr_assert_leq(text_cols(out[0]), 12);
}

Test(fmt, bell_on_leaving_the_websocket_at_most_every_10s)
{
	int64_t last = 0, s = 1000000;

	cr_assert(ui_bell_due(MON_LIVE, MON_DOWN, false, 100 * s, &last));
	cr_assert_not(ui_bell_due(MON_LIVE, MON_POLLING, false, 105 * s, &last),
	              "within 10 s of the last ring");
	cr_assert(ui_bell_due(MON_STALE, MON_POLLING, false, 111 * s, &last));
	cr_assert_not(ui_bell_due(MON_DOWN, MON_POLLING, false, 200 * s, &last),
	              "down to polling is a recovery of sorts");
	cr_assert_not(
	    ui_bell_due(MON_POLLING, MON_LIVE, false, 300 * s, &last));
	cr_assert_not(
	    ui_bell_due(MON_LIVE, MON_CONNECTING, true, 400 * s, &last),
	    "the user paused it");
	cr_assert(ui_bell_due(MON_CONNECTING, MON_DOWN, false, 500 * s, &last));
}

Test(fmt, frame_pace_bounds_the_rate_without_delaying_a_lone_frame)
{
	struct ui_pace p = {0};
	int64_t t = 5000000, drawn = 0;

	/* a clock-tick frame, then an event 10 ms later: both at once */
	cr_assert_eq(ui_pace_take(&p, t), 0);
	cr_assert_eq(ui_pace_take(&p, t + 10000), 0);
	/* a flood: about UI_FPS a second, never more */
	p = (struct ui_pace){0};
	for (int64_t now = t; now < t + 10000000; now += 1000)
		if (ui_pace_take(&p, now) == 0)
			drawn++;
	cr_assert_geq(drawn, 10 * UI_FPS - 1);
	cr_assert_leq(drawn, 10 * UI_FPS + UI_FRAME_BURST);
	/* after a quiet second the burst is back */
	cr_assert_eq(ui_pace_take(&p, t + 11000000), 0);
	cr_assert_eq(ui_pace_take(&p, t + 11000100), 0);
	/* out of tokens: the wait says when the next one comes */
	p = (struct ui_pace){0};
	for (int i = 0; i < UI_FRAME_BURST; i++)
		cr_assert_eq(ui_pace_take(&p, t), 0);
	{
		int64_t wait = ui_pace_take(&p, t);

		cr_assert_gt(wait, 0);
		cr_assert_leq(wait, 1000000 / UI_FPS + 1);
		cr_assert_eq(ui_pace_take(&p, t + wait), 0);
	}
}

Test(fmt, timeline_cells_have_a_symbol_per_state, .init = mk, .fini = rm)
{
	cr_assert_str_eq(ui_tl_symbol(TL_LIVE, true), "\u25cf");
	cr_assert_str_eq(ui_tl_symbol(TL_POLLING, false), "%");
	cr_assert_str_eq(ui_tl_symbol(TL_UNKNOWN, false), " ");
	/* each state its own symbol: colour is never the only sign */
	for (int a = 0; a < TL_NSTATES; a++)
		for (int b = a + 1; b < TL_NSTATES; b++) {
			cr_assert_str_neq(ui_tl_symbol(a, true),
			                  ui_tl_symbol(b, true));
			cr_assert_str_neq(ui_tl_symbol(a, false),
			                  ui_tl_symbol(b, false));
		}
}
