/*
 * cli.c: number parsing for command-line options. strtoll/strtod accept
 * leading blanks and trailing junk; these helpers reject both so that
 * `--port 80x` is an error rather than port 80.
 */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "wsdash/cli.h"
#include "wsdash/sanitize.h"

bool
cli_parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi,
              int64_t *out, char *err, size_t errlen)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t')
		goto bad;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		goto bad;
	if (v < lo || v > hi) {
		snprintf(err, errlen, "%s: %s is out of range (%lld to %lld)",
		         opt, s, (long long)lo, (long long)hi);
		return false;
	}
	*out = v;
	return true;
bad:
	snprintf(err, errlen, "%s: '%s' is not a whole number", opt,
	         s ? s : "");
	return false;
}

bool
cli_parse_double(const char *opt, const char *s, double lo, double hi,
                 double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t')
		goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		goto bad;
	if (v < lo || v > hi) {
		snprintf(err, errlen, "%s: %s is out of range (%g to %g)", opt,
		         s, lo, hi);
		return false;
	}
	*out = v;
	return true;
bad:
	snprintf(err, errlen, "%s: '%s' is not a number", opt, s ? s : "");
	return false;
}

bool
cli_parse_u64(const char *opt, const char *s, uint64_t *out, char *err,
              size_t errlen)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		goto bad;
	*out = v;
	return true;
bad:
	snprintf(err, errlen, "%s: '%s' is not an unsigned number", opt,
	         s ? s : "");
	return false;
}

int
cli_term_width(int fd)
{
	struct winsize ws;
	const char *cols;

	if (!isatty(fd))
		return 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	cols = getenv("COLUMNS");
	if (cols != NULL && atoi(cols) > 0 && atoi(cols) < 10000)
		return atoi(cols);
	return 80;
}

bool
cli_locale_utf8(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static bool cli_stdout_was_closed;

void
cli_guard_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (fd == STDOUT_FILENO)
			cli_stdout_was_closed = true;
		/* open() takes the lowest free number: this one */
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd >= 0 && nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
}

bool
cli_stdout_closed(void)
{
	return cli_stdout_was_closed;
}

void
cli_error(const char *cmd, const char *fmt, ...)
{
	char raw[1024], clean[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	sanitize_text(clean, sizeof(clean), raw, strlen(raw),
	              cli_locale_utf8());
	fprintf(stderr, "wsdash%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "",
	        clean);
}

/* Levenshtein distance of a and b, capped: beyond cap it returns cap + 1. */
static size_t
edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev;

	if (la >= 63 || lb >= 63)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t best;

		prev = row[0];
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;

			row[j] = sub < del ? (sub < ins ? sub : ins)
			                   : (del < ins ? del : ins);
			prev = cur;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

const char *
cli_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL, *prefix = NULL;
	size_t bestd = 3, nprefix = 0;

	if (word == NULL || word[0] == '\0')
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i], 2);

		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
		if (strncmp(cands[i], word, strlen(word)) == 0) {
			prefix = cands[i];
			nprefix++;
		}
	}
	return best ? best : nprefix == 1 ? prefix : NULL;
}
