/*
 * layout: where everything goes on the dashboard, as a pure function of the
 * terminal size, the number of endpoints and the selection. No curses here,
 * so it is tested directly (tests/unit/test_ui.c).
 *
 *   grid       header row, a grid of panels (columns from the width) that
 *              grow with the height (UI_PANEL_H plus up to UI_PANEL_EXTRA
 *              rows: timeline, message rate, RTT), the event log in what is
 *              left, the key bar on the bottom row
 *   compact    when every panel does not fit: one line per endpoint (with a
 *              reason column when wide); when even the lines do not fit, a
 *              last "+N more" line and scrolling that keeps the selection
 *              in view; the log below when there is room
 *   too small  below UI_MIN_COLS x UI_MIN_ROWS: a notice that fits
 *
 * Every endpoint is always visible as a panel, a line, or counted in
 * "+N more". The key bar takes the bottom row when there are at least
 * UI_KEYBAR_MIN_ROWS.
 */
#ifndef WSDASH_UI_LAYOUT_H
#define WSDASH_UI_LAYOUT_H

#include <stdbool.h>

#define UI_MIN_COLS        24
#define UI_MIN_ROWS        3
#define UI_GRID_MIN_COLS   60
#define UI_PANEL_MIN_W     40
#define UI_PANEL_H         9 /* border, 7 lines, border */
#define UI_PANEL_EXTRA     3 /* timeline, message rate, RTT rows */
#define UI_LOG_MIN         4 /* title and 3 entries before panels grow */
#define UI_KEYBAR_MIN_ROWS 6
#define UI_REASON_MIN_COLS 90 /* compact lines get a reason column */

enum ui_view_kind { UI_GRID, UI_COMPACT, UI_TOO_SMALL };

struct ui_rect {
	int y, x, h, w;
};

struct ui_layout {
	enum ui_view_kind kind;
	int cols, rows;
	struct ui_rect header; /* one row */
	struct ui_rect body;   /* panels or compact lines */
	struct ui_rect log;    /* event log: a title row, then entries (h 0) */
	struct ui_rect keybar; /* the bottom row (h 0 when too short) */
	int grid_cols;         /* panels per row (grid) */
	int panel_w, panel_h;
	int extra;       /* panel rows beyond UI_PANEL_H (0..UI_PANEL_EXTRA) */
	bool reason_col; /* compact: room for the reason */
	int first;       /* first visible endpoint */
	int visible;     /* endpoints visible from first */
	int more;        /* compact: endpoints not shown ("+N more") */
	int n;
};

/*
 * Lay out n endpoints on a cols x rows terminal with selected shown.
 * prev_first is the previous first visible endpoint (keeps scrolling
 * stable); pass 0 the first time.
 */
void ui_layout_compute(struct ui_layout *l, int cols, int rows, int n,
                       int selected, int prev_first);

/* Rectangle of endpoint i (panel or line); false if not visible. */
bool ui_layout_item(const struct ui_layout *l, int i, struct ui_rect *r);

/* Endpoint under screen cell (y, x), or -1. */
int ui_layout_hit(const struct ui_layout *l, int y, int x);

/*
 * Selection after a move of dx/dy grid cells (compact: rows only): to the
 * panel in that direction, the nearest one when the row below is shorter;
 * nothing at the edges (no wrap, no jump). Tab is +1 modulo n (caller).
 */
int ui_layout_move(const struct ui_layout *l, int selected, int dx, int dy);

#endif
