/*
 * statusline: the one-line summary of `wsdash watch --status-line`, for a
 * tmux status bar (`status-right '#(wsdash watch --status-line)'`) or any
 * other bar that shows the last line a command printed.
 *
 * "● 2 live ↻ routes polling": how many endpoints are live, then every
 * endpoint that is not, grouped by state, worst first (down, polling, stale,
 * connecting, paused). Each group has its symbol and its word, so no
 * state is told by colour alone; in tmux format each group is also wrapped
 * in a `#[fg=...]` style and `#[default]`. The line fits in a number of
 * columns: names are shortened in the middle (`workfl…story`), then groups
 * turn into counts (`↻ 3 polling`). Pure: it reads struct mon only.
 */
#ifndef WSDASH_STATUSLINE_H
#define WSDASH_STATUSLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "wsdash/mon.h"

enum statusline_format {
	STATUSLINE_TMUX,  /* #[fg=green]...#[default] styles, '#' doubled */
	STATUSLINE_PLAIN, /* text only */
};

#define STATUSLINE_COLS 40   /* tmux's default status-right-length */
#define STATUSLINE_MAX  1024 /* bytes of a line, styles included */

/*
 * The summary of m in at most cols visible columns (styles not counted;
 * only when even the counts alone are wider does it go over) into out
 * (len bytes, always terminated; STATUSLINE_MAX is enough), without a
 * newline. utf8: symbols and the ellipsis in Unicode, else ASCII (and
 * non-ASCII in names replaced). Returns the length written.
 */
size_t statusline_text(char *out, size_t len, const struct mon *m,
                       enum statusline_format f, bool utf8, int cols);

/* "tmux" or "plain" into *f; false for anything else. */
bool statusline_parse_format(const char *s, enum statusline_format *f);

#endif
