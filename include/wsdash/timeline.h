/*
 * timeline: an endpoint's state over the last minutes, for the dashboard's
 * timeline row (one cell per interval, so a flapping stream is seen at a
 * glance). A bounded ring of state changes; a cell shows the worst state
 * the endpoint was in at any moment of its interval. Pure.
 */
#ifndef WSDASH_TIMELINE_H
#define WSDASH_TIMELINE_H

#include <stdint.h>

#define TIMELINE_SEGS 512 /* changes kept; older cells read as unknown */

/*
 * The states a cell can show, from best to worst: a cell with both LIVE
 * and DOWN moments shows DOWN.
 */
enum tl_state {
	TL_UNKNOWN = -1, /* before the first known change */
	TL_LIVE = 0,
	TL_PAUSED,
	TL_CONNECTING,
	TL_STALE,
	TL_POLLING,
	TL_DOWN,
	TL_NSTATES
};

struct timeline {
	int64_t at_us[TIMELINE_SEGS];
	int8_t state[TIMELINE_SEGS];
	unsigned head, len; /* head: next slot */
};

/* Start in state at now_us. */
void timeline_init(struct timeline *t, int64_t now_us, enum tl_state state);

/* The state from now_us on (nothing recorded if it is the same). */
void timeline_set(struct timeline *t, int64_t now_us, enum tl_state state);

/*
 * n cells, each cell_us long, the last ending at now_us: out[0] the
 * oldest. Each is the worst state of its interval, TL_UNKNOWN before the
 * oldest change kept.
 */
void timeline_cells(const struct timeline *t, int64_t now_us, int64_t cell_us,
                    int n, int8_t *out);

#endif
