/*
 * metrics: the Prometheus text exposition (format 0.0.4) of the live model,
 * for `wsdash exporter` and `--metrics`: per endpoint its state, counters,
 * RTT histograms and timestamps, plus build_info and the process_* family;
 * and the answer of one /probe (blackbox_exporter style).
 *
 * Pure: the transport passes the clocks and the process figures in, and
 * the text goes into a caller's buffer that keeps its memory from one
 * scrape to the next (10,000 endpoints make about 35 MB of text). Every
 * family gets its # HELP and # TYPE line, its samples in one group; label
 * values are escaped (\\, \", \n) and made valid UTF-8.
 */
#ifndef WSDASH_METRICS_H
#define WSDASH_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/mon.h"
#include "wsdash/probe.h"

/* Content-Type of both documents. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A growing text buffer; reset keeps the memory for the next render. */
struct mbuf {
	char *p;
	size_t len, cap;
	size_t max; /* bound on cap (0: METRICS_MAX_BYTES) */
	bool full;  /* an append did not fit (out of memory or max) */
};

#define METRICS_MAX_BYTES ((size_t)512 * 1024 * 1024)

void mbuf_reset(struct mbuf *b);
void mbuf_free(struct mbuf *b);
/* Append n bytes / a string; on failure sets b->full and drops them. */
void mbuf_add(struct mbuf *b, const char *s, size_t n);
void mbuf_puts(struct mbuf *b, const char *s);
void mbuf_printf(struct mbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * s (n bytes) as a label value, without the quotes: \ " and newline
 * escaped, invalid UTF-8 replaced by U+FFFD.
 */
void metrics_escape(struct mbuf *b, const char *s, size_t n);

/* What the process looks like (procstat.h fills it; ok false: omit). */
struct metrics_proc {
	bool ok;
	double cpu_seconds;
	double start_time; /* epoch seconds */
	int64_t rss_bytes, vsize_bytes;
	long open_fds, max_fds; /* -1: unknown */
};

/*
 * Render every family for m into b (appended). now_us is the monotonic
 * clock the model runs on, wall_ms the wall clock at the same moment (for
 * timestamps); proc may be NULL. Returns false if b ran out of room.
 */
bool metrics_render(struct mbuf *b, const struct mon *m, int64_t now_us,
                    int64_t wall_ms, const struct metrics_proc *proc,
                    const char *version);

/* The outcome of one /probe, as metrics_render_probe() shows it. */
struct metrics_probe {
	bool success;
	double duration_s;
	int http_status; /* 0: no HTTP answer */
	int cls;         /* enum probe_class, -1: not probed */
	const char *why; /* one line for the comment, or NULL */
};

/*
 * probe_success, probe_duration_seconds, probe_http_status_code and
 * wsdash_probe_class{class} (1 for the class, 0 for the others), with the
 * reason as a "# " comment line first.
 */
void metrics_render_probe(struct mbuf *b, const struct metrics_probe *p);

#endif
