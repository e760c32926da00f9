/*
 * clock: the only place that reads clocks. The model never calls these; the
 * transport and the program pass times in. Monotonic time is for intervals,
 * wall time (epoch milliseconds) for timestamps that leave the process.
 */
#ifndef WSDASH_CLOCK_H
#define WSDASH_CLOCK_H

#include <stdint.h>

/* Monotonic clock in microseconds (CLOCK_MONOTONIC). */
int64_t clock_mono_us(void);

/* Wall clock in milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_wall_ms(void);

/* Wall clock in microseconds since the Unix epoch. */
int64_t clock_wall_us(void);

#endif
