/* timeline.c: see timeline.h. */
#include <string.h>

#include "wsdash/timeline.h"

void
timeline_init(struct timeline *t, int64_t now_us, enum tl_state state)
{
	memset(t, 0, sizeof(*t));
	timeline_set(t, now_us, state);
}

/* The i-th oldest change kept (0 = oldest). */
static unsigned
slot(const struct timeline *t, unsigned i)
{
	return (t->head + TIMELINE_SEGS - t->len + i) % TIMELINE_SEGS;
}

void
timeline_set(struct timeline *t, int64_t now_us, enum tl_state state)
{
	if (t->len > 0) {
		unsigned last = slot(t, t->len - 1);

		if (t->state[last] == state)
			return;
		if (now_us < t->at_us[last]) /* the clock never runs back */
			now_us = t->at_us[last];
	}
	t->at_us[t->head] = now_us;
	t->state[t->head] = (int8_t)state;
	t->head = (t->head + 1) % TIMELINE_SEGS;
	if (t->len < TIMELINE_SEGS)
		t->len++;
}

void
timeline_cells(const struct timeline *t, int64_t now_us, int64_t cell_us, int n,
               int8_t *out)
{
	unsigned k = 0; /* the last change at or before the cell's start */

	if (cell_us <= 0)
		cell_us = 1;
	for (int c = 0; c < n; c++) {
		int64_t from = now_us - (int64_t)(n - c) * cell_us;
		int64_t to = from + cell_us;
		int8_t worst = TL_UNKNOWN;
		unsigned i = k;

		while (k + 1 < t->len && t->at_us[slot(t, k + 1)] <= from)
			k++;
		i = k;
		if (t->len > 0 && t->at_us[slot(t, k)] <= from) {
			worst =
			    t->state[slot(t, k)]; /* in force at the start */
			i = k + 1;
		}
		/* and every change during the cell */
		for (; i < t->len && t->at_us[slot(t, i)] < to; i++)
			if (t->state[slot(t, i)] > worst)
				worst = t->state[slot(t, i)];
		out[c] = worst;
	}
}
