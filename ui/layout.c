/* layout.c: dashboard geometry; see layout.h. Pure. */
#include <string.h>

#include "layout.h"

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Keep sel inside [first, first + page). */
static int
scroll(int sel, int prev_first, int page, int total)
{
	int first = prev_first;

	if (sel < first)
		first = sel;
	if (sel >= first + page)
		first = sel - page + 1;
	return clamp(first, 0, total > page ? total - page : 0);
}

/* Panels for every endpoint, if they fit in avail rows. */
static bool
grid(struct ui_layout *l, int avail)
{
	int n = l->n > 0 ? l->n : 1, rows_of_panels, spare;

	if (l->cols < UI_GRID_MIN_COLS)
		return false;
	l->grid_cols = clamp(l->cols / UI_PANEL_MIN_W, 1, n);
	rows_of_panels = (n + l->grid_cols - 1) / l->grid_cols;
	if (rows_of_panels * UI_PANEL_H > avail)
		return false;
	l->kind = UI_GRID;
	l->panel_w = l->cols / l->grid_cols;
	/* the log gets a few lines first, then the panels grow */
	spare = avail - rows_of_panels * UI_PANEL_H - UI_LOG_MIN;
	l->extra =
	    spare > 0 ? clamp(spare / rows_of_panels, 0, UI_PANEL_EXTRA) : 0;
	l->panel_h = UI_PANEL_H + l->extra;
	l->body = (struct ui_rect){1, 0, rows_of_panels * l->panel_h, l->cols};
	l->first = 0;
	l->visible = l->n;
	return true;
}

static void
compact(struct ui_layout *l, int avail, int selected, int prev_first)
{
	l->kind = UI_COMPACT;
	l->grid_cols = 1;
	l->reason_col = l->cols >= UI_REASON_MIN_COLS;
	if (l->n <= avail) {
		l->body = (struct ui_rect){1, 0, l->n, l->cols};
		l->first = 0;
		l->visible = l->n;
		return;
	}
	/* the last line says how many are not shown */
	l->body = (struct ui_rect){1, 0, avail, l->cols};
	l->visible = avail - 1;
	l->first = scroll(selected, prev_first, l->visible, l->n);
	l->more = l->n - l->visible;
}

void
ui_layout_compute(struct ui_layout *l, int cols, int rows, int n, int selected,
                  int prev_first)
{
	int avail, left;

	memset(l, 0, sizeof(*l));
	l->cols = cols;
	l->rows = rows;
	l->n = n;
	selected = clamp(selected, 0, n > 0 ? n - 1 : 0);
	if (cols < UI_MIN_COLS || rows < UI_MIN_ROWS) {
		l->kind = UI_TOO_SMALL;
		return;
	}
	l->header = (struct ui_rect){0, 0, 1, cols};
	if (rows >= UI_KEYBAR_MIN_ROWS)
		l->keybar = (struct ui_rect){rows - 1, 0, 1, cols};
	avail = rows - 1 - l->keybar.h;
	if (!grid(l, avail))
		compact(l, avail, selected, prev_first);
	/* the event log takes what is left, if that is a title and a line */
	left = avail - l->body.h;
	if (left >= 2)
		l->log = (struct ui_rect){1 + l->body.h, 0, left, cols};
}

bool
ui_layout_item(const struct ui_layout *l, int i, struct ui_rect *r)
{
	int k = i - l->first;

	if (l->kind == UI_TOO_SMALL || k < 0 || k >= l->visible)
		return false;
	if (l->kind == UI_COMPACT) {
		*r = (struct ui_rect){l->body.y + k, 0, 1, l->cols};
		return true;
	}
	r->y = l->body.y + (k / l->grid_cols) * l->panel_h;
	r->x = (k % l->grid_cols) * l->panel_w;
	r->h = l->panel_h;
	/* the last column takes the remainder of the width */
	r->w = (k % l->grid_cols) == l->grid_cols - 1 ? l->cols - r->x
	                                              : l->panel_w;
	return true;
}

int
ui_layout_hit(const struct ui_layout *l, int y, int x)
{
	struct ui_rect r;

	for (int i = l->first; i < l->first + l->visible; i++)
		if (ui_layout_item(l, i, &r) && y >= r.y && y < r.y + r.h &&
		    x >= r.x && x < r.x + r.w)
			return i;
	return -1;
}

int
ui_layout_move(const struct ui_layout *l, int selected, int dx, int dy)
{
	int cols = l->kind == UI_GRID ? l->grid_cols : 1;
	int nrows, row, col, last_in_row;

	if (l->n <= 0)
		return 0;
	selected = clamp(selected, 0, l->n - 1);
	if (l->kind != UI_GRID)
		dx = 0;
	nrows = (l->n + cols - 1) / cols;
	row = selected / cols + dy;
	col = selected % cols + dx;
	if (row < 0 || row >= nrows)
		return selected; /* an edge: stay */
	last_in_row = row == nrows - 1 ? (l->n - 1) % cols : cols - 1;
	if (col < 0 || (dx != 0 && col > last_in_row))
		return selected;
	if (col > last_in_row) /* down into a shorter row: the nearest */
		col = last_in_row;
	return row * cols + col;
}
