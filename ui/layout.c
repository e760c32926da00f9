/* layout.c: dashboard geometry; see layout.h. Pure. */
#include <string.h>

#include "layout.h"

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Keep the row of sel inside [first_row, first_row + page). */
static int
scroll(int sel_row, int prev_first_row, int page, int total_rows)
{
	int first = prev_first_row;

	if (sel_row < first)
		first = sel_row;
	if (sel_row >= first + page)
		first = sel_row - page + 1;
	return clamp(first, 0, total_rows > page ? total_rows - page : 0);
}

void
ui_layout_compute(struct ui_layout *l, int cols, int rows, int n, int selected,
                  int prev_first)
{
	int log_h;

	memset(l, 0, sizeof(*l));
	l->cols = cols;
	l->rows = rows;
	l->n = n;
	selected = clamp(selected, 0, n > 0 ? n - 1 : 0);
	if (cols < UI_MIN_COLS || rows < UI_MIN_ROWS) {
		l->kind = UI_TOO_SMALL;
		l->header = (struct ui_rect){0, 0, rows > 0 ? 1 : 0, cols};
		return;
	}
	l->header = (struct ui_rect){0, 0, 1, cols};

	if (cols < UI_GRID_MIN_COLS || rows < UI_GRID_MIN_ROWS) {
		int page = rows - 1;

		l->kind = UI_COMPACT;
		l->body = (struct ui_rect){1, 0, page, cols};
		l->grid_cols = 1;
		l->per_page_rows = page;
		l->first = scroll(selected, prev_first, page, n);
		l->visible = clamp(n - l->first, 0, page);
		return;
	}

	/* Grid: the log strip gets what the panels do not need. */
	l->kind = UI_GRID;
	l->grid_cols = clamp(cols / UI_PANEL_MIN_W, 1, n > 0 ? n : 1);
	l->panel_w = cols / l->grid_cols;
	l->panel_h = UI_PANEL_H;
	{
		int grid_rows = (n + l->grid_cols - 1) / l->grid_cols;
		int need = grid_rows * l->panel_h;
		int spare = rows - 1 - need;

		/* a title line plus up to UI_LOG_MAX entries, if there is room
		 * after the panels, or at least 3 lines on a tall screen */
		log_h = spare >= 2 ? clamp(spare, 2, UI_LOG_MAX + 1) : 0;
		if (log_h == 0 && rows >= 30)
			log_h = 4;
		if (log_h > 0 && rows - 1 - log_h < l->panel_h)
			log_h = 0;
	}
	l->log = (struct ui_rect){rows - log_h, 0, log_h, cols};
	l->body = (struct ui_rect){1, 0, rows - 1 - log_h, cols};
	l->per_page_rows = l->body.h / l->panel_h;
	if (l->per_page_rows < 1)
		l->per_page_rows = 1;
	{
		int total_rows = (n + l->grid_cols - 1) / l->grid_cols;
		int first_row =
		    scroll(selected / l->grid_cols, prev_first / l->grid_cols,
		           l->per_page_rows, total_rows);

		l->first = first_row * l->grid_cols;
		l->visible =
		    clamp(n - l->first, 0, l->per_page_rows * l->grid_cols);
	}
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
	int row = selected / cols, col = selected % cols;
	int target;

	if (l->n <= 0)
		return 0;
	if (l->kind != UI_GRID)
		dx = 0;
	col = clamp(col + dx, 0, cols - 1);
	row += dy;
	target = row * cols + col;
	if (target < 0)
		target = selected;

	if (target >= l->n)
		target = dy > 0 || dx > 0 ? l->n - 1 : selected;
	return target;
}
