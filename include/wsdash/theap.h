/*
 * theap: a binary min-heap of timers, for thousands of per-endpoint
 * deadlines, retries and poll times.
 *
 * lws 4.1.6 keeps its timers (suls) in a sorted list, so each schedule
 * walks it: with 5,000 endpoints failing at once that walk was most of a
 * core. Here arming, moving and cancelling cost O(log n), and the watcher
 * drives the whole heap from one lws timer set to the earliest due time.
 * Pure: no clock reads (times are passed in), no I/O.
 */
#ifndef WSDASH_THEAP_H
#define WSDASH_THEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A timer, embedded in whatever it belongs to (get back to that with
 * offsetof/container_of). Zero-initialized means not armed.
 */
struct theap_timer {
	int64_t at_us; /* due time (monotonic), valid while armed */
	size_t pos;    /* 1-based place in the heap, 0 when not armed */
	void (*fire)(struct theap_timer *t);
};

struct theap {
	struct theap_timer **v;
	size_t n, cap;
};

void theap_init(struct theap *h);

/* Free the heap's array (the timers belong to their owners). */
void theap_done(struct theap *h);

/*
 * Arm t to fire at at_us with fire(), or move it there if it is armed.
 * Returns false only when out of memory (t is then not armed).
 */
bool theap_arm(struct theap *h, struct theap_timer *t, int64_t at_us,
               void (*fire)(struct theap_timer *t));

/* Disarm t (nothing happens if it is not armed). */
void theap_cancel(struct theap *h, struct theap_timer *t);

static inline bool
theap_armed(const struct theap_timer *t)
{
	return t->pos != 0;
}

/* The earliest armed timer, NULL if none. */
struct theap_timer *theap_peek(const struct theap *h);

/*
 * Remove and return the earliest timer if it is due at now_us (disarmed,
 * so its fire() may arm it again), else NULL.
 */
struct theap_timer *theap_pop_due(struct theap *h, int64_t now_us);

#endif
