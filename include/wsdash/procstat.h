/*
 * procstat: what the process itself costs, read from /proc/self for the
 * standard process_* metrics (CPU seconds, resident and virtual memory,
 * open and maximum file descriptors, start time). Linux only; reads files,
 * so it is not part of the pure model.
 */
#ifndef WSDASH_PROCSTAT_H
#define WSDASH_PROCSTAT_H

#include "wsdash/metrics.h"

/*
 * Fill p from /proc/self. p->ok is false when /proc/self/stat cannot be
 * read; open_fds/max_fds are -1 when unknown. Counting open descriptors
 * reads /proc/self/fd: about a millisecond per 10,000.
 */
void procstat_read(struct metrics_proc *p);

#endif
