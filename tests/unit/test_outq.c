/*
 * outq: headless output never blocks on a reader that does not read, drops
 * (and counts) whole lines past its bound, keeps the order of what it
 * keeps, and reports a reader that went away.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wsdash/outq.h"

/* Read everything the pipe holds now into buf (NUL-terminated). */
static size_t
read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (n + 1 < len && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

Test(outq, a_reader_that_never_reads_costs_lines_not_the_loop)
{
	int p[2];
	struct outq q;
	char line[128];
	static char got[1 << 20];
	int pushed = 0, kept;

	cr_assert_eq(pipe(p), 0);
	cr_assert(outq_init(&q, p[1], 16 * 1024));
	/* far more than the pipe (64 KiB) and the queue (16 KiB) hold: if a
	 * write blocked, this loop would never end */
	for (pushed = 0; pushed < 5000; pushed++) {
		snprintf(line, sizeof(line), "line %05d %s\n", pushed,
		         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		outq_push(&q, line);
	}
	cr_assert_gt(outq_pending(&q), 0,
	             "the queue holds what the pipe "
	             "could not");
	cr_assert_gt(q.dropped, 0, "lines past the bound are counted");
	kept = 5000 - (int)q.dropped;

	/* the reader wakes up: what was kept arrives in order, whole */
	read_all(p[0], got, sizeof(got));
	cr_assert(outq_flush(&q));
	read_all(p[0], got + strlen(got), sizeof(got) - strlen(got));
	cr_assert_eq(outq_pending(&q), 0);
	{
		int lines = 0, last = -1;

		for (char *s = got; *s; s = strchr(s, '\n') + 1) {
			int k;

			cr_assert_eq(sscanf(s, "line %d", &k), 1,
			             "a whole line expected, seen '%.20s'", s);
			cr_assert_gt(k, last, "order kept");
			last = k;
			lines++;
		}
		cr_assert_eq(lines, kept, "kept %d lines, read %d", kept,
		             lines);
	}
	cr_assert_eq(outq_take_dropped(&q), (uint64_t)(5000 - kept));
	cr_assert_eq(outq_take_dropped(&q), 0, "the count resets");
	outq_done(&q);
	close(p[0]);
	close(p[1]);
}

Test(outq, a_reader_that_went_away_is_reported)
{
	int p[2];
	struct outq q;

	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe(p), 0);
	cr_assert(outq_init(&q, p[1], 4096));
	close(p[0]);
	outq_push(&q, "hello\n");
	cr_assert_not(outq_flush(&q));
	cr_assert_eq(q.err, EPIPE, "errno %d", q.err);
	outq_done(&q);
	close(p[1]);
}

Test(outq, a_closed_descriptor_is_refused)
{
	struct outq q;
	int fd = dup(1);

	close(fd);
	cr_assert_not(outq_init(&q, fd, 4096));
}

Test(outq, the_shared_pipe_stays_blocking)
{
	int p[2];
	struct outq q;

	cr_assert_eq(pipe(p), 0);
	cr_assert(outq_init(&q, p[1], 4096));
	/* our writes are non-blocking, the pipe as others see it is not */
	cr_assert_eq(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
	cr_assert(fcntl(q.fd, F_GETFL) & O_NONBLOCK);
	outq_done(&q);
	close(p[0]);
	close(p[1]);
}
