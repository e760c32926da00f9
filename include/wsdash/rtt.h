/*
 * rtt: a fixed ring of the last RTT_RING round-trip samples and their
 * statistics (last, min, avg, p95, jitter). Pure and allocation-free.
 */
#ifndef WSDASH_RTT_H
#define WSDASH_RTT_H

#include <stddef.h>
#include <stdint.h>

#define RTT_RING 120

struct rtt_ring {
	int32_t us[RTT_RING]; /* microseconds, clamped to ~35 minutes */
	unsigned head;        /* next slot to write */
	unsigned count;       /* valid samples, <= RTT_RING */
	uint64_t total;       /* samples ever added */
};

struct rtt_stats {
	unsigned n; /* samples in the ring (0: all fields 0) */
	int64_t last;
	int64_t min;
	int64_t avg;
	int64_t p95;    /* nearest-rank 95th percentile */
	int64_t jitter; /* mean |difference| of consecutive samples */
};

void rtt_add(struct rtt_ring *r, int64_t us);
void rtt_stats(const struct rtt_ring *r, struct rtt_stats *s);

/* Copy up to max samples, oldest first, ending with the newest. */
size_t rtt_recent(const struct rtt_ring *r, int32_t *out, size_t max);

#endif
