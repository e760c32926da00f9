/* The timeline row: a cell is the worst state of its interval. */
#include <criterion/criterion.h>
#include <string.h>

#include "wsdash/timeline.h"

#define S 1000000LL

static struct timeline t;

/* The cells as letters: L live, P polling, D down, ... '.' unknown. */
static const char *
cells(int64_t now, int64_t cell, int n)
{
	static char out[1024];
	static const char letter[TL_NSTATES] = {'L', 'Z', 'C', 'S', 'P', 'D'};
	int8_t v[1024];

	timeline_cells(&t, now, cell, n, v);
	for (int i = 0; i < n; i++)
		out[i] = v[i] == TL_UNKNOWN ? '.' : letter[v[i]];
	out[n] = '\0';
	return out;
}

Test(timeline, cells_show_the_worst_state_of_their_interval)
{
	timeline_init(&t, 100 * S, TL_CONNECTING);
	timeline_set(&t, 100 * S + 200000, TL_LIVE);
	/* before the start: unknown; the first cell has connecting in it */
	cr_assert_str_eq(cells(105 * S, S, 8), "...CLLLL");
	/* a 2 s outage in polling, then live again */
	timeline_set(&t, 110 * S, TL_POLLING);
	timeline_set(&t, 112 * S, TL_LIVE);
	cr_assert_str_eq(cells(115 * S, S, 6), "LPPLLL");
	/* a blip shorter than a cell still shows */
	timeline_set(&t, 116 * S + 300000, TL_DOWN);
	timeline_set(&t, 116 * S + 400000, TL_LIVE);
	cr_assert_str_eq(cells(118 * S, S, 3), "LDL");
	/* wider cells merge: the worst wins */
	cr_assert_str_eq(cells(120 * S, 5 * S, 4), "CLPD");
	/* the same state again records nothing */
	timeline_set(&t, 121 * S, TL_LIVE);
	cr_assert_eq(t.len, 6);
}

Test(timeline, flapping_is_bounded_and_old_cells_become_unknown)
{
	timeline_init(&t, 0, TL_LIVE);
	/* 10,000 changes: only the newest TIMELINE_SEGS are kept */
	for (int i = 1; i <= 10000; i++)
		timeline_set(&t, (int64_t)i * S, i % 2 ? TL_DOWN : TL_LIVE);
	cr_assert_eq(t.len, TIMELINE_SEGS);
	/* recent cells alternate, the ones before what is kept are unknown */
	cr_assert_str_eq(cells(10001 * S, S, 4), "DLDL");
	{
		const char *c = cells(10001 * S, S, TIMELINE_SEGS + 10);

		cr_assert_eq(c[0], '.', "%s", c);
		cr_assert_neq(c[TIMELINE_SEGS + 9], '.', "%s", c);
	}
}

Test(timeline, no_time_runs_backwards)
{
	timeline_init(&t, 50 * S, TL_LIVE);
	timeline_set(&t, 40 * S, TL_DOWN); /* an earlier time: kept at 50 s */
	cr_assert_str_eq(cells(52 * S, S, 2), "DD");
	/* nothing at all yet */
	memset(&t, 0, sizeof(t));
	cr_assert_str_eq(cells(52 * S, S, 3), "...");
}
