/*
 * outq.c: bounded, non-blocking line output; see outq.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wsdash/outq.h"

bool
outq_init(struct outq *q, int fd, size_t max)
{
	struct stat st;
	char path[64];

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->max = max;
	if (fcntl(fd, F_GETFL) < 0 || fstat(fd, &st) != 0)
		return false;
	if (S_ISSOCK(st.st_mode)) {
		q->sock = true;
	} else if (S_ISFIFO(st.st_mode)) {
		/* our own open file description: O_NONBLOCK stays ours */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		q->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (q->fd >= 0)
			q->own_fd = true;
		else
			q->fd = fd; /* no /proc: blocking writes, as before */
	}
	return true;
}

void
outq_done(struct outq *q)
{
	if (q->own_fd)
		close(q->fd);
	free(q->buf);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

size_t
outq_pending(const struct outq *q)
{
	return q->len - q->off;
}

bool
outq_room(const struct outq *q, size_t n)
{
	return outq_pending(q) + n <= q->max;
}

uint64_t
outq_take_dropped(struct outq *q)
{
	uint64_t n = q->dropped;

	q->dropped = 0;
	return n;
}

static uint64_t
count_lines(const char *text)
{
	uint64_t n = 0;

	for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	return n ? n : 1;
}

bool
outq_flush(struct outq *q)
{
	while (q->err == 0 && q->off < q->len) {
		ssize_t r;

		if (q->sock)
			r = send(q->fd, q->buf + q->off, q->len - q->off,
			         MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			r = write(q->fd, q->buf + q->off, q->len - q->off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true; /* the reader is behind: later */
			q->err = errno;
			break;
		}
		q->off += (size_t)r;
	}
	if (q->off == q->len)
		q->off = q->len = 0;
	return q->err == 0;
}

void
outq_push(struct outq *q, const char *text)
{
	size_t n;

	if (text == NULL || q->err != 0)
		return;
	n = strlen(text);
	if (!outq_room(q, n)) {
		q->dropped += count_lines(text);
		outq_flush(q);
		return;
	}
	if (q->off > 0 && q->len + n > q->cap) {
		memmove(q->buf, q->buf + q->off, q->len - q->off);
		q->len -= q->off;
		q->off = 0;
	}
	if (q->len + n > q->cap) {
		size_t ncap = q->cap ? q->cap : 4096;
		char *p;

		while (ncap < q->len + n)
			ncap *= 2;
		p = realloc(q->buf, ncap);
		if (p == NULL) {
			q->dropped += count_lines(text);
			return;
		}
		q->buf = p;
		q->cap = ncap;
	}
	memcpy(q->buf + q->len, text, n);
	q->len += n;
	outq_flush(q);
}

bool
outq_drain(struct outq *q, int timeout_ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (outq_flush(q) && outq_pending(q) > 0) {
		struct pollfd p = {q->fd, POLLOUT, 0};
		long waited;

		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (t.tv_sec - t0.tv_sec) * 1000 +
		         (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited >= timeout_ms)
			return false;
		poll(&p, 1, (int)(timeout_ms - waited));
	}
	return q->err == 0;
}
