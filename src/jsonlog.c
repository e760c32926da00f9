/*
 * jsonlog.c: --log FILE. A wprint of its own in JSON mode (the same lines
 * as `watch --json`, whatever the screen shows) and one descriptor, written
 * with plain write(2): a local file takes a line at once, and what cannot
 * be written now is counted as lost rather than queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "wsdash/jsonlog.h"
#include "wsdash/wprint.h"

struct jsonlog {
	int fd;
	bool regular; /* a regular file: a cut line can be cut off again */
	struct wprint p;
	uint64_t lost;       /* lines lost since the last good write */
	uint64_t lost_all;   /* ...and in all */
	int err;             /* errno of the first failure, 0 if none */
	bool told;           /* the first failure was told */
	double last_wall_ms; /* for the output_dropped line */
};

struct jsonlog *
jsonlog_open(const char *path, struct mon *m, char *err, size_t errlen)
{
	struct jsonlog *l = calloc(1, sizeof(*l));
	struct stat st;

	if (l == NULL) {
		snprintf(err, errlen, "--log: out of memory");
		return NULL;
	}
	l->fd = open(path,
	             O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK |
	                 O_NOCTTY,
	             0644);
	if (l->fd < 0) {
		snprintf(err, errlen, "--log %.300s: %s%s", path,
		         strerror(errno),
		         errno == ENXIO ? " (a FIFO with no reader)" : "");
		free(l);
		return NULL;
	}
	l->regular = fstat(l->fd, &st) == 0 && S_ISREG(st.st_mode);
	if (!wprint_init(&l->p, m, true, m->utf8)) {
		snprintf(err, errlen, "--log: out of memory");
		close(l->fd);
		free(l);
		return NULL;
	}
	/* a file over RLIMIT_FSIZE: EFBIG from write(), not a dead process */
	signal(SIGXFSZ, SIG_IGN);
	return l;
}

static uint64_t
count_lines(const char *s)
{
	uint64_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Write all of s (whole lines); false on failure, with nothing of it
 * left in a regular file. */
static bool
write_all(struct jsonlog *l, const char *s)
{
	size_t n = strlen(s), done = 0;
	off_t start = l->regular ? lseek(l->fd, 0, SEEK_END) : -1;

	while (done < n) {
		ssize_t r = write(l->fd, s + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : ENOSPC;

			/* cut off what went out, or at least end the
			 * line so that the next one starts whole */
			if (done > 0 &&
			    !(start >= 0 && ftruncate(l->fd, start) == 0))
				(void)!write(l->fd, "\n", 1);
			if (l->err == 0)
				l->err = e;
			return false;
		}
		done += (size_t)r;
	}
	return true;
}

/* Write text (one or more lines, or NULL) and free it. */
static void
put(struct jsonlog *l, char *text)
{
	if (text == NULL)
		return;
	if (l->lost > 0) {
		char *d =
		    wprint_output_dropped(&l->p, l->lost, l->last_wall_ms);

		if (d != NULL && write_all(l, d))
			l->lost = 0;
		free(d);
	}
	if (l->lost > 0 || !write_all(l, text)) {
		l->lost += count_lines(text);
		l->lost_all += count_lines(text);
	}
	free(text);
}

void
jsonlog_start(struct jsonlog *l, const struct config *c, double wall_ms)
{
	l->last_wall_ms = wall_ms;
	put(l, wprint_start(&l->p, c, wall_ms));
}

void
jsonlog_change(struct jsonlog *l, struct mon_ep *ep, unsigned flags,
               const struct mon_event *ev, int64_t now_us, double wall_ms)
{
	l->last_wall_ms = wall_ms;
	put(l, wprint_change(&l->p, ep, flags, ev, now_us, wall_ms));
}

void
jsonlog_tick(struct jsonlog *l, int64_t now_us, double wall_ms)
{
	l->last_wall_ms = wall_ms;
	put(l, wprint_tick(&l->p, now_us, wall_ms));
}

void
jsonlog_warn(struct jsonlog *l, const char *text, double wall_ms)
{
	cJSON *o = cJSON_CreateObject();
	char *s, *line = NULL;

	if (o == NULL)
		return;
	cJSON_AddNumberToObject(o, "ts_ms", (double)(int64_t)wall_ms);
	cJSON_AddStringToObject(o, "event", "warning");
	cJSON_AddStringToObject(o, "text", text);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s != NULL && asprintf(&line, "%s\n", s) < 0)
		line = NULL;
	free(s);
	put(l, line);
}

bool
jsonlog_warning(struct jsonlog *l, char *buf, size_t len)
{
	if (l->err == 0 || l->told)
		return false;
	l->told = true;
	snprintf(buf, len,
	         "--log: cannot write: %s; lines are lost (and counted) "
	         "until it can write again",
	         strerror(l->err));
	return true;
}

uint64_t
jsonlog_lost(const struct jsonlog *l)
{
	return l->lost_all;
}

void
jsonlog_close(struct jsonlog *l)
{
	if (l == NULL)
		return;
	wprint_done(&l->p);
	close(l->fd);
	free(l);
}
