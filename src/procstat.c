/*
 * procstat.c: the process_* figures from /proc; see procstat.h.
 *
 * /proc/self/stat gives CPU ticks, the start in ticks after boot, and the
 * sizes; /proc/stat's btime turns the start into epoch seconds (read once:
 * it does not change while we run). Field positions per proc(5).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "wsdash/procstat.h"

/* Boot time in epoch seconds, 0 if unknown. */
static long long
boot_time(void)
{
	static long long btime = -1;
	char line[256];
	FILE *f;

	if (btime >= 0)
		return btime;
	btime = 0;
	f = fopen("/proc/stat", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "btime %lld", &btime) == 1)
			break;
	fclose(f);
	return btime;
}

static long
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* not the one opendir() holds */
}

void
procstat_read(struct metrics_proc *p)
{
	char buf[1024], *s;
	unsigned long long utime, stime, start, vsize;
	long long rss;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	size_t n;
	FILE *f;

	memset(p, 0, sizeof(*p));
	p->open_fds = p->max_fds = -1;
	f = fopen("/proc/self/stat", "r");
	if (f == NULL)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after the command name in parentheses (which may hold anything):
	 * field 3, state, onwards */
	s = strrchr(buf, ')');
	if (s == NULL || tck <= 0 ||
	    sscanf(s + 2,
	           "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
	           "%*d %*d %*d %*d %*d %*d %llu %llu %lld",
	           &utime, &stime, &start, &vsize, &rss) != 5)
		return;
	p->ok = true;
	p->cpu_seconds = (double)(utime + stime) / (double)tck;
	p->start_time = (double)boot_time() + (double)start / (double)tck;
	p->vsize_bytes = (int64_t)vsize;
	p->rss_bytes = (int64_t)rss * page;
	p->open_fds = count_fds();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		p->max_fds =
		    rl.rlim_cur == RLIM_INFINITY ? -1 : (long)rl.rlim_cur;
}
