/*
 * layout: where everything goes on the dashboard, as a pure function of the
 * terminal size, the number of endpoints and the selection. No curses here,
 * so it is tested directly (tests/unit/test_ui.c).
 *
 *   grid       header row, a grid of panels (columns chosen from the
 *              width), an event log strip at the bottom when there is room
 *   compact    below UI_GRID_MIN_COLS x UI_GRID_MIN_ROWS: one line per
 *              endpoint under the header
 *   too small  below UI_MIN_COLS x UI_MIN_ROWS: a one-line notice
 *
 * When not every endpoint fits, the view scrolls by whole rows to keep the
 * selected one visible.
 */
#ifndef WSDASH_UI_LAYOUT_H
#define WSDASH_UI_LAYOUT_H

#include <stdbool.h>

#define UI_MIN_COLS      24
#define UI_MIN_ROWS      3
#define UI_GRID_MIN_COLS 60
#define UI_GRID_MIN_ROWS 15
#define UI_PANEL_MIN_W   40
#define UI_PANEL_H       9
#define UI_LOG_MAX       12 /* event log lines at most */

enum ui_view_kind { UI_GRID, UI_COMPACT, UI_TOO_SMALL };

struct ui_rect {
	int y, x, h, w;
};

struct ui_layout {
	enum ui_view_kind kind;
	int cols, rows;
	struct ui_rect header; /* one row */
	struct ui_rect body;   /* panels or compact lines */
	struct ui_rect log;    /* event log lines (h may be 0) */
	int grid_cols;         /* panels per row (grid) */
	int panel_w, panel_h;
	int per_page_rows; /* panel rows (grid) or lines (compact) shown */
	int first;         /* first visible endpoint */
	int visible;       /* endpoints visible from first */
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
 * Selection after a move: dx/dy in grid cells (compact: rows only), with
 * no wrap at the edges. Tab is handled by the caller as +1 modulo n.
 */
int ui_layout_move(const struct ui_layout *l, int selected, int dx, int dy);

#endif
