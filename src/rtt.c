/* rtt.c: RTT ring and statistics; see rtt.h. */
#include <stdlib.h>
#include <string.h>

#include "wsdash/rtt.h"

void
rtt_add(struct rtt_ring *r, int64_t us)
{
	if (us < 0)
		us = 0;
	if (us > INT32_MAX)
		us = INT32_MAX;
	r->us[r->head] = (int32_t)us;
	r->head = (r->head + 1) % RTT_RING;
	if (r->count < RTT_RING)
		r->count++;
	r->total++;
}

size_t
rtt_recent(const struct rtt_ring *r, int32_t *out, size_t max)
{
	size_t n = r->count < max ? r->count : max;
	unsigned start = (r->head + RTT_RING - (unsigned)n) % RTT_RING;

	for (size_t i = 0; i < n; i++)
		out[i] = r->us[(start + i) % RTT_RING];
	return n;
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

void
rtt_stats(const struct rtt_ring *r, struct rtt_stats *s)
{
	int32_t v[RTT_RING];
	int64_t sum = 0, jsum = 0;
	size_t n = rtt_recent(r, v, RTT_RING);

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	s->n = (unsigned)n;
	s->last = v[n - 1];
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		if (i > 0)
			jsum += llabs((int64_t)v[i] - v[i - 1]);
	}
	s->avg = sum / (int64_t)n;
	s->jitter = n > 1 ? jsum / (int64_t)(n - 1) : 0;
	qsort(v, n, sizeof(v[0]), cmp_i32);
	s->min = v[0];
	/* nearest rank: ceil(0.95 * n), 1-based */
	s->p95 = v[(95 * n + 99) / 100 - 1];
}
