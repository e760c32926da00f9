/*
 * rng.c: splitmix64 (Steele, Lea, Flood 2014). Tiny, fast and good enough for
 * demo data and schedules; the seed fully determines the sequence.
 */
#include "wsdash/rng.h"

void
rng_init(struct rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	uint64_t span;

	if (hi <= lo)
		return lo;
	span = (uint64_t)(hi - lo) + 1;
	/* Modulo bias is below 2^-40 for the spans used here. */
	return lo + (int64_t)(rng_next(r) % span);
}

double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
