/*
 * rng: a small seeded pseudo-random generator (splitmix64) for the demo
 * backend's data and outage schedule. Deterministic for a given seed, so a
 * `--seed N` run can be replayed and tested; never used for anything that
 * needs unpredictability (handshake keys come from lws / OpenSSL).
 */
#ifndef WSDASH_RNG_H
#define WSDASH_RNG_H

#include <stdint.h>

struct rng {
	uint64_t state;
};

/* Seed the generator; any value, including 0, is a valid seed. */
void rng_init(struct rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t rng_next(struct rng *r);

/* Uniform integer in [lo, hi] (inclusive); returns lo when hi <= lo. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);

/* Uniform double in [0, 1). */
double rng_unit(struct rng *r);

#endif
