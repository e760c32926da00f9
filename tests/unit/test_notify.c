/*
 * The --on-change runner: the WSDASH_* variables of a change, commands that
 * really run (/bin/sh in a scratch directory), server text that stays data,
 * the bound on running and waiting runs, the timeout, and what a command
 * inherits (no descriptor of ours, /dev/null, default signals). Waits are
 * for a condition with a generous deadline, polling as the loop would.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wsdash/clock.h"
#include "wsdash/notify.h"

#define DEADLINE_MS 20000

static struct config cfg;
static struct mon m;
static char dir[64];
static int64_t now;

static void
setup(void)
{
	char err[128];

	config_init(&cfg, NULL);
	cr_assert(config_add_url(&cfg, "ws://h:1/ws/live", err, sizeof(err)));
	cr_assert(mon_init(&m, &cfg, 0, true));
	snprintf(dir, sizeof(dir), "/tmp/wsdash-notify-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	now = 1000;
}

static void
fini(void)
{
	char cmd[128];

	mon_done(&m);
	config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* A transition of endpoint 0: open (live) or closed with text (down). */
static void
change(struct notify *n, bool open, const char *text, int64_t wall_ms)
{
	struct mon_event e = {.kind = open ? MEV_WS_OPEN : MEV_WS_CLOSED,
	                      .close_code = 1001,
	                      .text = text};
	unsigned chg = mon_apply(&m, &m.eps[0], &e, now += 1000);

	cr_assert(chg & MON_CHG_STATE);
	notify_change(n, &m, &m.eps[0], clock_mono_us(), wall_ms);
}

/* Poll n as the loop would until cond(n) or the deadline. */
static bool
wait_until(struct notify *n, bool (*cond)(struct notify *n))
{
	int64_t end = clock_mono_us() + (int64_t)DEADLINE_MS * 1000;

	do {
		notify_poll(n, clock_mono_us());
		if (cond(n))
			return true;
		usleep(10000);
	} while (clock_mono_us() < end);
	return false;
}

static bool
idle(struct notify *n)
{
	return notify_running(n) == 0 && notify_waiting(n) == 0;
}

/* The whole file dir/name ("" if none; caller frees). */
static char *
slurp(const char *name)
{
	char path[128], *buf = calloc(1, 65536);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f != NULL) {
		size_t r = fread(buf, 1, 65535, f);

		buf[r] = '\0';
		fclose(f);
	}
	return buf;
}

static bool
exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static const char *
var(const struct notify_env *e, const char *name)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->vars[i], name, l) == 0 && e->vars[i][l] == '=')
			return e->vars[i] + l + 1;
	return NULL;
}

Test(notify, env_of_a_fallback, .init = setup, .fini = fini)
{
	struct mon_event open = {.kind = MEV_WS_OPEN};
	struct mon_event closed = {.kind = MEV_WS_CLOSED, .close_code = 1001};
	struct notify_env e;

	mon_apply(&m, &m.eps[0], &open, 1000);
	mon_apply(&m, &m.eps[0], &closed, 2000);
	cr_assert(notify_env_make(&e, &m, &m.eps[0], 1764108000123));
	cr_assert_eq(e.n, NOTIFY_NVARS - 1);
	cr_assert_str_eq(var(&e, "WSDASH_ENDPOINT"), "live");
	cr_assert_str_eq(var(&e, "WSDASH_URL"), "ws://h:1/ws/live");
	cr_assert_str_eq(var(&e, "WSDASH_STATE"), "down");
	cr_assert_str_eq(var(&e, "WSDASH_FROM"), "live");
	cr_assert_str_eq(var(&e, "WSDASH_MODE"), "none");
	cr_assert(strstr(var(&e, "WSDASH_REASON"), "1001"), "%s",
	          var(&e, "WSDASH_REASON"));
	cr_assert_str_eq(var(&e, "WSDASH_TIME"), "1764108000123");
	cr_assert_str_eq(var(&e, "WSDASH_POLL_URL"), "http://h:1/api/live");
	cr_assert_str_eq(var(&e, "WSDASH_FALLBACK"), "1");
	cr_assert_str_eq(var(&e, "WSDASH_LIVE"), "0");
	cr_assert_str_eq(var(&e, "WSDASH_TOTAL"), "1");
	cr_assert_str_eq(var(&e, "WSDASH_SUMMARY"), "\u2716 live down");
	notify_env_free(&e);

	/* and back */
	mon_apply(&m, &m.eps[0], &open, 3000);
	cr_assert(notify_env_make(&e, &m, &m.eps[0], 1764108000456));
	cr_assert_str_eq(var(&e, "WSDASH_STATE"), "live");
	cr_assert_str_eq(var(&e, "WSDASH_FROM"), "down");
	cr_assert_str_eq(var(&e, "WSDASH_MODE"), "websocket");
	cr_assert_str_eq(var(&e, "WSDASH_FALLBACK"), "0");
	cr_assert_str_eq(var(&e, "WSDASH_LIVE"), "1");
	notify_env_free(&e);
}

Test(notify, env_values_carry_no_control_characters, .init = setup,
     .fini = fini)
{
	struct mon_event open = {.kind = MEV_WS_OPEN};
	struct mon_event closed = {.kind = MEV_WS_CLOSED,
	                           .close_code = 1011,
	                           .text = "a\x1b[2J\x1b]0;t\x07\r\nb\x9b"
	                                   "c\x7f$(x)"};
	struct notify_env e;

	mon_apply(&m, &m.eps[0], &open, 1000);
	mon_apply(&m, &m.eps[0], &closed, 2000);
	cr_assert(notify_env_make(&e, &m, &m.eps[0], 1));
	for (size_t i = 0; i < e.n; i++)
		for (const unsigned char *p = (const void *)e.vars[i]; *p; p++)
			cr_assert(*p >= 0x20 && *p != 0x7f, "control in %s",
			          e.vars[i]);
	cr_assert(strstr(var(&e, "WSDASH_REASON"), "$(x)"), "%s",
	          var(&e, "WSDASH_REASON"));
	notify_env_free(&e);
}

/* The command runs, with our variables over inherited ones. */
Test(notify, runs_the_command_with_the_variables, .init = setup, .fini = fini)
{
	char cmd[512], *out;
	struct notify *n;

	setenv("WSDASH_STATE", "inherited", 1);
	snprintf(cmd, sizeof(cmd),
	         "printf '%%s|%%s|%%s|%%s\\n' \"$WSDASH_ENDPOINT\" "
	         "\"$WSDASH_FROM\" \"$WSDASH_STATE\" \"$WSDASH_TIME\" "
	         ">> '%s/out'",
	         dir);
	n = notify_new(cmd, 0);
	cr_assert_not_null(n);
	change(n, true, NULL, 11);
	change(n, false, NULL, 12);
	cr_assert(wait_until(n, idle), "still running");
	out = slurp("out");
	/* up to 4 run at once: in any order */
	cr_assert(strstr(out, "live|connecting|live|11\n"), "%s", out);
	cr_assert(strstr(out, "live|live|down|12\n"), "%s", out);
	cr_assert_eq(notify_stats(n)->ok, 2);
	free(out);
	unsetenv("WSDASH_STATE");
	cr_assert_eq(notify_finish(n, 1000), 0);
	notify_free(n);
}

/*
 * Text from the server is data: quoted or not, $(...), backticks, ';' and
 * quotes in the reason run nothing.
 */
Test(notify, a_hostile_reason_is_never_executed, .init = setup, .fini = fini)
{
	char cmd[512], *out;
	struct notify *n;

	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && echo $WSDASH_REASON >> out && "
	         "printf '%%s\\n' \"$WSDASH_REASON\" >> out",
	         dir);
	n = notify_new(cmd, 0);
	cr_assert_not_null(n);
	change(n, true, NULL, 1);
	change(n, false, "$(touch a) `touch b`; touch c' \"; touch d\" \\", 2);
	cr_assert(wait_until(n, idle), "still running");
	out = slurp("out");
	cr_assert(strstr(out, "$(touch a) `touch b`; touch c' \"; touch d\""),
	          "%s", out);
	cr_assert_not(exists("a") || exists("b") || exists("c") || exists("d"),
	              "the reason was executed");
	free(out);
	notify_finish(n, 1000);
	notify_free(n);
}

static bool
four_running(struct notify *n)
{
	return notify_running(n) == NOTIFY_RUNNING;
}

/*
 * At most NOTIFY_RUNNING at once, NOTIFY_QUEUE waiting; beyond, the oldest
 * waiting runs are dropped (and said once); the rest all run, in order.
 */
Test(notify, bounded_running_and_waiting_oldest_dropped, .init = setup,
     .fini = fini)
{
	int total = NOTIFY_RUNNING + NOTIFY_QUEUE + 5;
	char cmd[512], *out, want[32], msg[256];
	struct notify *n;

	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && echo \"$WSDASH_TIME\" >> ran && "
	         "while [ -d '%s' ] && [ ! -e go ]; do sleep 0.02; done",
	         dir, dir);
	n = notify_new(cmd, 0);
	cr_assert_not_null(n);
	for (int i = 1; i <= total; i++)
		change(n, i % 2, NULL, i);
	cr_assert_eq(notify_running(n), NOTIFY_RUNNING);
	cr_assert_eq(notify_waiting(n), NOTIFY_QUEUE);
	cr_assert_eq(notify_stats(n)->dropped, 5);
	cr_assert(notify_warning(n, msg, sizeof(msg)));
	cr_assert(strstr(msg, "dropped"), "%s", msg);
	cr_assert_not(notify_warning(n, msg, sizeof(msg)), "told twice");
	/* still bounded while the loop polls */
	for (int i = 0; i < 20; i++) {
		notify_poll(n, clock_mono_us());
		cr_assert_leq(notify_running(n), NOTIFY_RUNNING);
	}
	cr_assert(wait_until(n, four_running));
	fclose(fopen(strcat(strcpy(cmd, dir), "/go"), "w"));
	cr_assert(wait_until(n, idle), "%zu running, %zu waiting",
	          notify_running(n), notify_waiting(n));
	cr_assert_eq(notify_stats(n)->ok, (uint64_t)total - 5);
	out = slurp("ran");
	memmove(out + 1, out, strlen(out) + 1); /* every line after a \n */
	out[0] = '\n';
	for (int i = 1; i <= total; i++) {
		bool dropped = i > NOTIFY_RUNNING && i <= NOTIFY_RUNNING + 5;

		snprintf(want, sizeof(want), "\n%d\n", i);
		cr_assert_eq(strstr(out, want) != NULL, !dropped,
		             "run %d %s: %s", i,
		             dropped ? "ran" : "did not run", out);
	}
	free(out);
	notify_free(n);
}

static bool
timed_out(struct notify *n)
{
	return notify_stats(n)->timed_out == 1 && notify_running(n) == 0;
}

/* A command past its timeout is stopped with all it started. */
Test(notify, timeout_stops_the_command_and_its_children, .init = setup,
     .fini = fini)
{
	char cmd[512], msg[256], *pid_s, stat[64];
	struct notify *n;
	int64_t t0;
	pid_t pid;

	snprintf(cmd, sizeof(cmd),
	         "sleep 60 & echo $! > '%s/pid'; wait; touch '%s/after'", dir,
	         dir);
	n = notify_new(cmd, 300);
	cr_assert_not_null(n);
	t0 = clock_mono_us();
	change(n, true, NULL, 1);
	cr_assert(wait_until(n, timed_out), "not stopped");
	cr_assert_lt(clock_mono_us() - t0, (int64_t)DEADLINE_MS * 1000);
	cr_assert(notify_warning(n, msg, sizeof(msg)));
	cr_assert(strstr(msg, "longer than 0.3 s"), "%s", msg);
	cr_assert_eq(notify_stats(n)->failed, 0, "a stop is not a failure");
	cr_assert_not(exists("after"));
	/* the sleep it started went with it (or is a zombie of init's) */
	pid_s = slurp("pid");
	pid = (pid_t)atoi(pid_s);
	free(pid_s);
	cr_assert_gt(pid, 0);
	snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)pid);
	for (int64_t end = clock_mono_us() + (int64_t)DEADLINE_MS * 1000;;) {
		FILE *f = fopen(stat, "r");
		char st = 'Z';

		if (f != NULL) {
			if (fscanf(f, "%*d %*s %c", &st) != 1)
				st = 'Z';
			fclose(f);
		}
		if (st == 'Z')
			break;
		cr_assert_lt(clock_mono_us(), end, "sleep %d still runs",
		             (int)pid);
		usleep(10000);
	}
	notify_free(n);
}

Test(notify, a_failing_command_is_told_once, .init = setup, .fini = fini)
{
	struct notify *n = notify_new("exit 3", 0);
	char msg[256];

	change(n, true, NULL, 1);
	change(n, false, NULL, 2);
	cr_assert(wait_until(n, idle));
	cr_assert_eq(notify_stats(n)->failed, 2);
	cr_assert(notify_warning(n, msg, sizeof(msg)));
	cr_assert(strstr(msg, "status 3"), "%s", msg);
	cr_assert_not(notify_warning(n, msg, sizeof(msg)), "told twice");
	notify_free(n);

	n = notify_new("no-such-command-wsdash", 0);
	change(n, true, NULL, 3);
	cr_assert(wait_until(n, idle));
	cr_assert(notify_warning(n, msg, sizeof(msg)));
	cr_assert(strstr(msg, "127 (command not found?)"), "%s", msg);
	notify_free(n);
}

static bool
pid_written(struct notify *n)
{
	return exists("pid");
}

/*
 * What a command inherits: /dev/null on 0-2, no other descriptor (not even
 * one without FD_CLOEXEC), SIGPIPE at its default although we ignore it,
 * and a process group of its own. The shell waits for a file while the
 * test looks at it in /proc.
 */
Test(notify, no_descriptors_default_signals_own_group, .init = setup,
     .fini = fini)
{
	int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */
	char cmd[512], path[320], link[256], *pid_s, *status, *p;
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	unsigned long long ign = ~0ULL;
	struct notify *n;
	int pid, pgrp = -1, nfds = 0;
	struct dirent *d;
	DIR *fds;
	FILE *f;

	cr_assert_geq(leak, 3);
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && echo $$ > pid.tmp && mv pid.tmp pid && "
	         "while [ -d '%s' ] && [ ! -e go ]; do sleep 0.02; done",
	         dir, dir);
	n = notify_new(cmd, 0);
	change(n, true, NULL, 1);
	signal(SIGPIPE, old);
	close(leak);
	cr_assert(wait_until(n, pid_written));
	pid_s = slurp("pid");
	pid = atoi(pid_s);
	free(pid_s);
	cr_assert_gt(pid, 0);

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	fds = opendir(path);
	cr_assert_not_null(fds);
	while ((d = readdir(fds)) != NULL) {
		ssize_t l;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, d->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		link[l > 0 ? l : 0] = '\0';
		cr_assert(atoi(d->d_name) <= 2, "fd %s -> %s inherited",
		          d->d_name, link);
		cr_assert_str_eq(link, "/dev/null", "fd %s", d->d_name);
		nfds++;
	}
	closedir(fds);
	cr_assert_eq(nfds, 3);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	status = calloc(1, 8192);
	status[fread(status, 1, 8191, f)] = '\0';
	fclose(f);
	p = strstr(status, "SigIgn:");
	cr_assert(p && sscanf(p, "SigIgn: %llx", &ign) == 1, "%s", status);
	cr_assert_eq(ign & (1ULL << (SIGPIPE - 1)), 0, "SIGPIPE ignored");
	free(status);

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%*d %*s %*c %*d %d", &pgrp), 1);
	fclose(f);
	cr_assert_eq(pgrp, pid, "not a process group of its own");

	fclose(fopen(strcat(strcpy(cmd, dir), "/go"), "w"));
	cr_assert(wait_until(n, idle));
	notify_free(n);
}

/* A pause changes no state: nothing runs for it, nor twice for one change. */
Test(notify, one_run_per_transition, .init = setup, .fini = fini)
{
	struct mon_event pause = {.kind = MEV_PAUSE};
	char cmd[256], *out;
	struct notify *n;
	int lines = 0;

	snprintf(cmd, sizeof(cmd), "echo \"$WSDASH_STATE\" >> '%s/out'", dir);
	n = notify_new(cmd, 0);
	change(n, true, NULL, 1);
	notify_change(n, &m, &m.eps[0], clock_mono_us(), 2);
	cr_assert(mon_apply(&m, &m.eps[0], &pause, now += 1000) &
	          MON_CHG_STATE);
	notify_change(n, &m, &m.eps[0], clock_mono_us(), 3);
	cr_assert(wait_until(n, idle));
	out = slurp("out");
	for (char *p = out; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	cr_assert_eq(lines, 1, "%s", out);
	free(out);
	notify_free(n);
}

/*
 * The loop is told when to come back: never while nothing runs, at most
 * NOTIFY_REAP_MS while a command runs (a slot freed is used at once), and at
 * the timeout itself when it is nearer, so --on-change-timeout 0.3 stops a
 * command at 0.3 s, not at the next whole second.
 */
Test(notify, next_poll_is_due_at_the_timeout_or_to_reap, .init = setup,
     .fini = fini)
{
	struct notify *n = notify_new("sleep 60", 300);
	int64_t t0, next;

	cr_assert_not_null(n);
	cr_assert_eq(notify_next_us(n, clock_mono_us()), 0,
	             "asks to be polled with nothing running");
	t0 = clock_mono_us();
	change(n, true, NULL, 1);
	cr_assert_eq(notify_running(n), 1);
	next = notify_next_us(n, t0);
	cr_assert(next > 0 && next <= NOTIFY_REAP_MS * 1000,
	          "next poll in %lld us", (long long)next);
	/* 10 ms before the timeout: the timeout is the next thing */
	next = notify_next_us(n, t0 + 290 * 1000);
	cr_assert(next > 0 && next <= 10 * 1000 + 1000,
	          "next poll in %lld us, 10 ms before the timeout",
	          (long long)next);
	/* polled as asked, the command is stopped right after 0.3 s */
	while (notify_stats(n)->timed_out == 0) {
		int64_t now_us = clock_mono_us();

		next = notify_next_us(n, now_us);
		cr_assert_gt(next, 0, "running, yet no poll asked for");
		usleep((useconds_t)next);
		notify_poll(n, clock_mono_us());
		cr_assert_lt(clock_mono_us() - t0, (int64_t)DEADLINE_MS * 1000);
	}
	cr_assert_geq(clock_mono_us() - t0, 300 * 1000, "stopped early");
	cr_assert(wait_until(n, idle), "never reaped");
	cr_assert_eq(notify_next_us(n, clock_mono_us()), 0,
	             "asks to be polled after every command ended");
	notify_free(n);
}
