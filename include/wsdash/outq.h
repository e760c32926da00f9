/*
 * outq: headless output that never stalls the monitor.
 *
 * `wsdash watch --json | slow-reader` must keep pinging, polling and
 * retrying whatever the reader does. Lines are queued in a bounded buffer
 * and written without blocking; when the reader falls so far behind that
 * the buffer is full, new lines are dropped and counted, and the caller
 * says so in the output once there is room again. Each line is handed to
 * write() whole whenever the reader has room for it, so a reader never sees
 * a line cut in two by us (a pipe may still deliver a long line in several
 * reads: read up to the newline).
 */
#ifndef WSDASH_OUTQ_H
#define WSDASH_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTQ_MAX (1024 * 1024) /* bytes queued before lines are dropped */

struct outq {
	int fd;      /* where lines go; may be a private non-blocking dup */
	bool own_fd; /* fd was opened here (closed by outq_done) */
	bool sock;   /* fd is a socket: send(MSG_DONTWAIT) */
	char *buf;   /* queued bytes, whole lines, buf[off..len) unwritten */
	size_t off, len, cap, max;
	uint64_t dropped; /* lines dropped since outq_take_dropped() */
	int err;          /* errno of a failed write (EPIPE...), 0 if none */
};

/*
 * Queue for fd (normally STDOUT_FILENO), at most max bytes. A pipe gets a
 * private non-blocking open file description (through /proc/self/fd), so
 * the shell's or a sibling's view of the same pipe is left alone. Returns
 * false with errno set when fd is not open.
 */
bool outq_init(struct outq *q, int fd, size_t max);
void outq_done(struct outq *q);

/*
 * Queue text (one or more whole lines) and write what the reader takes now.
 * If the queue cannot hold it, the text is dropped and its lines counted.
 * text may be NULL (nothing to do).
 */
void outq_push(struct outq *q, const char *text);

/*
 * Write what the reader takes now, without blocking. Returns false once
 * the output is broken for good (q->err says why: EPIPE when the reader
 * went away, EBADF when stdout was closed...).
 */
bool outq_flush(struct outq *q);

/*
 * At exit: wait up to timeout_ms for the reader to take what is queued.
 * Returns true when everything was written.
 */
bool outq_drain(struct outq *q, int timeout_ms);

/* Bytes still waiting for the reader. */
size_t outq_pending(const struct outq *q);

/* Lines dropped since the last call (and reset the count). */
uint64_t outq_take_dropped(struct outq *q);

/* Whether a text of n bytes fits in the queue now. */
bool outq_room(const struct outq *q, size_t n);

#endif
