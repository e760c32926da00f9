/*
 * The call-backs of `wsdash watch` end to end, against the demo backend (or
 * the hostile server) on loopback: --on-change with its variables on a
 * fallback and a recovery, a reason that tries to run shell code, commands
 * that hang; --log headless and under the dashboard (in tmux), and when
 * the disk is full; --status-line on its own and in a real tmux status
 * bar. Every wait is for a condition with a generous deadline.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jlines.h"
#include "proc.h"
#include "tmuxs.h"

#define WAIT_MS 30000

static char dir[64];

static void
mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/wsdash-cb-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (dir[0])
		cr_assert_eq(system(cmd), 0);
}

/* dir/name in a rotating static buffer. */
static const char *
path(const char *name)
{
	static char buf[8][192];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

/* The whole file (caller frees; "" if missing). */
static char *
slurp(const char *file)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = calloc(1, cap);
	FILE *f = fopen(file, "r");

	if (f != NULL) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * Wait until file holds needle at least times times; if it never does, log
 * what it holds.
 */
static bool
wait_file(const char *file, const char *needle, int times, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;
	char *s;

	do {
		bool ok;

		s = slurp(file);
		ok = tmuxs_count(s, needle) >= times;
		free(s);
		if (ok)
			return true;
		usleep(20000);
	} while (test_now_ms() < end);
	s = slurp(file);
	cr_log_error("%s, waiting for %s:\n%s", file, needle, s);
	free(s);
	return false;
}

/* Processes whose parent is pid. */
static int
children_of(pid_t pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		char p[300], buf[512], *rp;
		FILE *f;
		int ppid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/stat", e->d_name);
		f = fopen(p, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (rp = strrchr(buf, ')')) != NULL &&
		    sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == pid)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* `wsdash watch --json --server http://127.0.0.1:port ARGS...`. */
static bool
watch_start(struct child *w, int port, const char *errpath, const char *first,
            ...)
{
	const char *argv[48] = {"watch", "--json"};
	static char server[64];
	int n = 2;
	va_list ap;

	snprintf(server, sizeof(server), "http://127.0.0.1:%d", port);
	argv[n++] = "--server";
	argv[n++] = server;
	va_start(ap, first);
	for (const char *a = first; a && n < 46; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return errpath ? child_start_err(w, argv, errpath)
	               : child_start(w, false, argv);
}

/*
 * A fallback and a recovery: the command sees the endpoint, its URL, the
 * old and new state, the mode, the fallback flag and the reason.
 */
Test(callbacks, on_change_env_for_a_fallback_and_a_recovery, .init = mkdir_tmp,
     .fini = rm_tmp)
{
	struct child srv, w;
	char cmd[512], want[512], *s;
	cJSON *j;

	snprintf(cmd, sizeof(cmd),
	         "printf '%%s|%%s|%%s|%%s|%%s|%%s|%%s\\n' \"$WSDASH_ENDPOINT\" "
	         "\"$WSDASH_FROM\" \"$WSDASH_STATE\" \"$WSDASH_MODE\" "
	         "\"$WSDASH_URL\" \"$WSDASH_FALLBACK\" \"$WSDASH_REASON\" "
	         ">> '%s'",
	         path("env"));
	cr_assert(serve_start(&srv, "--rate", "2", NULL));
	cr_assert(watch_start(&w, srv.port, NULL, "--poll-interval", "200",
	                      "--retry-base", "300", "--ping-timeout", "10000",
	                      "--on-change", cmd, NULL));
	j = jl_wait(&w, "routes", "state", "state", "live", WAIT_MS);
	cr_assert_not_null(j, "routes never live");
	cJSON_Delete(j);
	snprintf(want, sizeof(want),
	         "routes|connecting|live|websocket|ws://127.0.0.1:%d/ws/"
	         "routes|0|101 upgraded\n",
	         srv.port);
	cr_assert(wait_file(path("env"), want, 1, WAIT_MS), "no %s", want);

	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	snprintf(want, sizeof(want),
	         "routes|live|down|none|ws://127.0.0.1:%d/ws/routes|1|",
	         srv.port);
	cr_assert(wait_file(path("env"), want, 1, WAIT_MS), "no %s", want);
	cr_assert(
	    wait_file(path("env"), "routes|down|polling|polling|", 1, WAIT_MS));
	jl_post(srv.port, "/control/up?path=/ws/routes");
	cr_assert(wait_file(path("env"), "routes|polling|live|websocket|", 1,
	                    WAIT_MS));
	s = slurp(path("env"));
	/* why: the close (1001), or under load sometimes only the lost
	 * connection (test_watch sees the same) */
	cr_assert(strstr(s, "/ws/routes|1|closed by server (1001") ||
	              strstr(s, "/ws/routes|1|connection lost"),
	          "the reason: %s", s);
	cr_assert(strstr(s, "workflows|connecting|live|") &&
	              strstr(s, "workflow-history|connecting|live|"),
	          "%s", s);
	free(s);
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * A close reason that is shell code ($(...), backticks, ';', quotes) and
 * escape sequences: the command gets it as data, quoted or not, and no
 * control byte.
 */
Test(callbacks, a_hostile_reason_is_data_never_code, .init = mkdir_tmp,
     .fini = rm_tmp)
{
	const char *hv[] = {PYTHON3, TEST_SERVERS "/../hostile/hostile.py",
	                    NULL};
	const char *reason = "$(touch a) `touch b`; touch c' \"\x1b[2J\x07";
	char url[512], cmd[512], *s;
	struct child h, w;
	int n = 0;
	const char *argv[] = {"watch", "--json",      "--retry-base",
	                      "200",   "--on-change", cmd,
	                      url,     NULL};

	n = snprintf(url, sizeof(url), "ws://127.0.0.1:");
	cr_assert(child_start_cmd(&h, true, hv), "hostile server");
	n += snprintf(url + n, sizeof(url) - (size_t)n, "%d/ws/close-text/",
	              h.port);
	for (const char *p = reason; *p; p++)
		n += snprintf(url + n, sizeof(url) - (size_t)n, "%02x",
		              (unsigned char)*p);
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && echo $WSDASH_REASON >> out && "
	         "printf '%%s\\n' \"$WSDASH_REASON\" >> out",
	         dir);
	cr_assert(child_start(&w, false, argv));
	/* closed twice: each time both lines */
	cr_assert(wait_file(path("out"), "$(touch a) `touch b`; touch c' \"", 4,
	                    WAIT_MS),
	          "no reason in the command's environment");
	s = slurp(path("out"));
	cr_assert(strstr(s, "1011"), "%s", s);
	cr_assert_null(strchr(s, '\x1b'), "an escape reached the command");
	cr_assert_null(strchr(s, '\x07'), "a control byte reached it");
	free(s);
	cr_assert(access(path("a"), F_OK) && access(path("b"), F_OK) &&
	              access(path("c"), F_OK),
	          "the reason was executed");
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	child_stop(&h);
}

/*
 * Read w's lines for up to a second; how many of its n endpoints are live
 * now (by their latest state lines, kept across calls).
 */
static int
live_all(struct child *w, int n)
{
	static char names[64][64];
	static bool live[64];
	static int known;
	long long end = test_now_ms() + 1000;
	int k = 0;
	cJSON *j;

	while (test_now_ms() < end &&
	       (j = jl_next(w, (int)(end - test_now_ms()))) != NULL) {
		int i;

		if (strcmp(jl_str(j, "event"), "state") != 0) {
			cJSON_Delete(j);
			continue;
		}
		for (i = 0; i < known; i++)
			if (strcmp(names[i], jl_str(j, "endpoint")) == 0)
				break;
		if (i == known && known < 64)
			snprintf(names[known++], sizeof(names[0]), "%s",
			         jl_str(j, "endpoint"));
		if (i < 64)
			live[i] = strcmp(jl_str(j, "state"), "live") == 0;
		cJSON_Delete(j);
	}
	for (int i = 0; i < known && i < n; i++)
		k += live[i];
	return k;
}

/*
 * Commands that hang: at most 4 run at once, the watch goes on as if there
 * were none (a fallback is still reported at once), what does not fit the
 * queue is dropped and said once on stderr, and hung commands are stopped
 * after --on-change-timeout.
 */
Test(callbacks, hanging_commands_never_delay_the_watch, .init = mkdir_tmp,
     .fini = rm_tmp)
{
	enum { N = 40 };
	const char *argv[N + 16];
	char url[N][96], *err;
	struct child srv, w;
	long long t0, dt;
	int n = 0, most = 0, live = 0;
	cJSON *j;

	cr_assert(serve_start(&srv, NULL));
	argv[n++] = "watch";
	argv[n++] = "--json";
	argv[n++] = "--on-change";
	argv[n++] = "sleep 300";
	argv[n++] = "--on-change-timeout";
	argv[n++] = "0.5";
	argv[n++] = "--poll-interval";
	argv[n++] = "200";
	argv[n++] = "--retry-base";
	argv[n++] = "300";
	argv[n++] = "--ping-timeout";
	argv[n++] = "10000";
	for (int i = 0; i < N; i++) {
		snprintf(url[i], sizeof(url[i]), "ws://127.0.0.1:%d/ws/%s",
		         srv.port, i == N - 1 ? "routes" : "workflows");
		argv[n++] = url[i];
	}
	argv[n] = NULL;
	cr_assert(child_start_err(&w, argv, path("err")));
	/* 40 go live: 40 runs */
	while (live < N && (j = jl_next(&w, WAIT_MS)) != NULL) {
		live += strcmp(jl_str(j, "event"), "state") == 0 &&
		        strcmp(jl_str(j, "state"), "live") == 0;
		cJSON_Delete(j);
		if (children_of(w.pid) > most)
			most = children_of(w.pid);
	}
	cr_assert_eq(live, N, "only %d of %d live", live, N);
	/* 39 fall back at once: more than run and wait together */
	jl_post(srv.port, "/control/down?path=/ws/workflows&status=503");
	for (int down = 0; down < N - 1;) {
		j = jl_wait(&w, NULL, "state", "state", "down", WAIT_MS);
		cr_assert_not_null(j, "only %d down", down);
		cJSON_Delete(j);
		down++;
	}
	cr_assert(wait_file(path("err"), "the oldest waiting runs are dropped",
	                    1, WAIT_MS),
	          "the drop is not said");

	/* with every slot taken, a fallback is still seen at once */
	t0 = test_now_ms();
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	j = jl_wait(&w, "routes", "state", "state", "down", WAIT_MS);
	cr_assert_not_null(j, "no fallback");
	cJSON_Delete(j);
	dt = test_now_ms() - t0;
	cr_assert_lt(dt, 5000, "fallback reported %lld ms after the drop", dt);
	jl_post(srv.port, "/control/up?path=/ws/workflows");
	jl_post(srv.port, "/control/up?path=/ws/routes");

	/*
	 * Once every endpoint is back (retries come one by one, each a run),
	 * the queue drains as hung commands are stopped at their 0.5 s
	 * timeout, 4 at a time (about 5 s for 40 runs; it took 18 s while
	 * commands were only looked at once a second); none is left after
	 * 1.5 s with none.
	 */
	for (long long end = test_now_ms() + 90000; live_all(&w, N) < N;) {
		int c = children_of(w.pid);

		most = c > most ? c : most;
		cr_assert_lt(test_now_ms(), end, "not all live again");
	}
	for (long long end = test_now_ms() + 90000, zero_at = 0;
	     test_now_ms() < end; usleep(50000)) {
		int c = children_of(w.pid);

		child_drain(&w);
		most = c > most ? c : most;
		if (c > 0)
			zero_at = 0;
		else if (zero_at == 0)
			zero_at = test_now_ms();
		else if (test_now_ms() - zero_at > 1500)
			break;
	}
	cr_assert_leq(most, 4, "%d commands at once", most);
	cr_assert_eq(children_of(w.pid), 0, "commands still running");
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	err = slurp(path("err"));
	cr_assert_eq(tmuxs_count(err, "the oldest waiting runs are dropped"), 1,
	             "%s", err);
	cr_assert_eq(tmuxs_count(err, "longer than 0.5 s and was stopped"), 1,
	             "%s", err);
	cr_assert(strstr(err, "runs dropped"), "no total at exit: %s", err);
	free(err);
	cr_assert_eq(child_stop(&srv), 0);
}

/* Every line of file parses as JSON; how many state lines say state. */
static int
log_states(const char *file, const char *state, int *lines)
{
	char *s = slurp(file), *save = NULL;
	int n = 0;

	*lines = 0;
	jl_assert_terminal_safe(s, file);
	for (char *l = strtok_r(s, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(l);

		cr_assert_not_null(j, "not JSON: %s", l);
		if (*lines == 0)
			cr_assert_str_eq(jl_str(j, "event"), "start", "%s", l);
		n += strcmp(jl_str(j, "event"), "state") == 0 &&
		     strcmp(jl_str(j, "state"), state) == 0;
		(*lines)++;
		cJSON_Delete(j);
	}
	free(s);
	return n;
}

static bool
wait_log_states(const char *file, const char *state, int times)
{
	long long end = test_now_ms() + WAIT_MS;
	int lines;

	do {
		if (log_states(file, state, &lines) >= times)
			return true;
		usleep(50000);
	} while (test_now_ms() < end);
	return false;
}

/* Headless: --plain on stdout, the --json lines in the file too. */
Test(callbacks, log_while_headless, .init = mkdir_tmp, .fini = rm_tmp)
{
	struct child srv, w;
	const char *argv[] = {"watch", "--plain", "--server", NULL,
	                      "--log", NULL,      NULL};
	char server[64], line[4096];
	int lines, before;

	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	argv[3] = server;
	argv[5] = path("log.jsonl");
	cr_assert(child_start(&w, false, argv));
	cr_assert(wait_log_states(path("log.jsonl"), "live", 3));
	/* stdout stays plain */
	cr_assert(child_read_line(&w, line, sizeof(line), WAIT_MS));
	cr_assert_neq(line[0], '{', "%s", line);
	/* and it is appended to, with per-second lines too */
	log_states(path("log.jsonl"), "live", &before);
	cr_assert(
	    wait_file(path("log.jsonl"), "\"event\":\"rtt\"", 3, WAIT_MS));
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	log_states(path("log.jsonl"), "live", &lines);
	cr_assert_geq(lines, before);

	/* a second run appends */
	cr_assert(child_start(&w, false, argv));
	cr_assert(wait_log_states(path("log.jsonl"), "live", 6));
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	cr_assert_eq(child_stop(&srv), 0);
}

/* A file that cannot take lines: said once, the watch goes on. */
Test(callbacks, log_write_errors_are_told_once, .init = mkdir_tmp,
     .fini = rm_tmp)
{
	struct child srv, w;
	char out[4096], err[4096], *e;
	int states = 0;
	cJSON *j;

	cr_assert(serve_start(&srv, NULL));
	cr_assert(
	    watch_start(&w, srv.port, path("err"), "--log", "/dev/full", NULL));
	/* lines on stdout for several seconds of failing writes */
	for (long long end = test_now_ms() + WAIT_MS;
	     states < 3 && test_now_ms() < end;) {
		j = jl_next(&w, 1000);
		if (j != NULL) {
			states += strcmp(jl_str(j, "event"), "state") == 0;
			cJSON_Delete(j);
		}
	}
	cr_assert_eq(states, 3);
	cr_assert(
	    wait_file(path("err"), "No space left on device", 1, WAIT_MS));
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	e = slurp(path("err"));
	cr_assert_eq(tmuxs_count(e, "--log: cannot write"), 1, "%s", e);
	cr_assert(strstr(e, "lines could not be written"), "%s", e);
	free(e);
	cr_assert_eq(child_stop(&srv), 0);

	/* one that cannot be opened: one line, exit 2 */
	cr_assert_eq(run_wsdash((const char *[]){"watch", "--log",
	                                         "/nonexistent-dir/x.jsonl",
	                                         "ws://127.0.0.1:1/ws/x", NULL},
	                        out, sizeof(out), err, sizeof(err), WAIT_MS),
	             2);
	cr_assert(strstr(err, "/nonexistent-dir/x.jsonl: No such file"), "%s",
	          err);
	cr_assert_eq(tmuxs_count(err, "\n"), 1, "%s", err);
}

/* `wsdash exporter` (watch without a screen) runs the call-backs too. */
Test(callbacks, exporter_runs_on_change_and_log, .init = mkdir_tmp,
     .fini = rm_tmp)
{
	struct child srv, x;
	char server[64], cmd[256], out[4096], err[4096];
	const char *argv[] = {
	    "exporter",    "--listen", "127.0.0.1:0", "--server", server,
	    "--on-change", cmd,        "--log",       NULL,       NULL};

	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	snprintf(cmd, sizeof(cmd),
	         "echo \"$WSDASH_ENDPOINT $WSDASH_STATE\" "
	         ">> '%s'",
	         path("ran"));
	argv[8] = path("log.jsonl");
	cr_assert(child_start(&x, true, argv), "exporter");
	cr_assert(wait_file(path("ran"), " live\n", 3, WAIT_MS));
	cr_assert(wait_log_states(path("log.jsonl"), "live", 3));
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	cr_assert(wait_file(path("ran"), "routes polling\n", 1, WAIT_MS));
	cr_assert_eq(child_stop(&x), 0, "unclean exit");
	cr_assert_eq(child_stop(&srv), 0);

	/* but it prints no status line */
	cr_assert_eq(
	    run_wsdash((const char *[]){"exporter", "--status-line", NULL}, out,
	               sizeof(out), err, sizeof(err), WAIT_MS),
	    2);
	cr_assert(strstr(err, "prints no lines"), "%s", err);
}

/* --- the dashboard, in tmux -------------------------------------------- */

static struct tmuxs tx;    /* the terminal the dashboard runs in */
static struct tmuxs inner; /* a tmux server inside a pane of tx */

static void
tmux_stop(void)
{
	tmuxs_kill(&tx);
	tmuxs_kill(&inner);
	rm_tmp();
}

/*
 * Under the dashboard: the --log file gets the lines, the --on-change
 * command runs, nothing it prints reaches the screen, and what wsdash has
 * to say about it (it fails) waits until the terminal is restored.
 */
Test(callbacks, log_and_on_change_under_the_dashboard, .init = mkdir_tmp,
     .fini = tmux_stop)
{
	struct child srv;
	char *s;

	cr_assert(serve_start(&srv, NULL));
	tmuxs_init(&tx, "cb");
	cr_assert_eq(tmuxs_cmd(&tx,
	                       "new-session -d -s s -x 120 -y 36 "
	                       "\"LANG=C.UTF-8 %s watch --server "
	                       "http://127.0.0.1:%d --poll-interval 200 "
	                       "--log %s --on-change 'echo ON-CHANGE-OUT; "
	                       "echo ON-CHANGE-ERR >&2; echo \\$WSDASH_STATE "
	                       ">> %s; exit 3'; echo EXIT=\\$?; sleep 30\"",
	                       WSDASH_BIN, srv.port, path("log.jsonl"),
	                       path("ran")),
	             0, "tmux did not start");
	cr_assert(wait_log_states(path("log.jsonl"), "live", 3));
	cr_assert(wait_file(path("ran"), "live", 3, WAIT_MS));
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	cr_assert(wait_log_states(path("log.jsonl"), "polling", 1));
	cr_assert(wait_file(path("ran"), "polling", 1, WAIT_MS));
	/* the failure is in the log at once */
	cr_assert(
	    wait_file(path("log.jsonl"), "exited with status 3", 1, WAIT_MS));
	cr_assert(tmuxs_wait(&tx, "s", "routes", 1, WAIT_MS), "no dashboard");
	s = tmuxs_capture(&tx, "s", "");
	cr_assert_null(strstr(s, "ON-CHANGE"),
	               "a command wrote on the "
	               "screen:\n%s",
	               s);
	cr_assert_null(strstr(s, "exited with status"),
	               "a message over the dashboard:\n%s", s);
	free(s);
	tmuxs_cmd(&tx, "send-keys -t s q");
	cr_assert(tmuxs_wait(&tx, "s", "EXIT=0", 1, WAIT_MS), "no clean exit");
	s = tmuxs_capture(&tx, "s", "");
	cr_assert_null(strstr(s, "ON-CHANGE"), "%s", s);
	cr_assert_eq(tmuxs_count(s, "wsdash watch: --on-change: the command "
	                            "exited with status 3"),
	             1, "said once, after the dashboard:\n%s", s);
	free(s);
	cr_assert_eq(child_stop(&srv), 0);
}

/* --- --status-line ----------------------------------------------------- */

static bool
status_start(struct child *w, int port, const char *locale, const char *fmt)
{
	static char server[64];
	const char *argv[] = {"watch", "--status-line",         "--server",
	                      server,  fmt ? "--format" : NULL, fmt,
	                      NULL};

	snprintf(server, sizeof(server), "http://127.0.0.1:%d", port);
	setenv("LC_ALL", locale, 1);
	return child_start(w, false, argv);
}

/* Read lines until one equals want; each differs from the one before. */
static bool
status_until(struct child *w, const char *want, char *last, size_t len)
{
	char line[1024];
	long long end = test_now_ms() + WAIT_MS;

	while (child_read_line(w, line, sizeof(line),
	                       (int)(end - test_now_ms()))) {
		cr_assert_str_neq(line, last, "printed twice: %s", line);
		snprintf(last, len, "%s", line);
		if (strcmp(line, want) == 0)
			return true;
	}
	return false;
}

/*
 * A line when the summary changes, and only then; plain has no styles;
 * SIGTERM ends it cleanly.
 */
Test(callbacks, status_line_prints_on_change_only)
{
	struct child srv, w;
	char last[1024] = "", line[1024];
	int st;

	cr_assert(serve_start(&srv, "--rate", "5", NULL));
	cr_assert(status_start(&w, srv.port, "C.UTF-8", "plain"));
	cr_assert(status_until(&w, "\u25cf 3 live", last, sizeof(last)),
	          "last: %s", last);
	/* messages, pings, polls: no line while the summary stays */
	cr_assert_not(child_read_line(&w, line, sizeof(line), 3000),
	              "a line without a change: %s", line);
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	cr_assert(status_until(&w, "\u25cf 2 live \u21bb routes polling", last,
	                       sizeof(last)),
	          "last: %s", last);
	jl_post(srv.port, "/control/up?path=/ws/routes");
	cr_assert(status_until(&w, "\u25cf 3 live", last, sizeof(last)),
	          "last: %s", last);
	st = child_signal_wait(&w, SIGTERM, 10000);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	child_stop(&w);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(callbacks, status_line_tmux_styles_and_ascii)
{
	struct child srv, w;
	char last[1024] = "";

	cr_assert(serve_start(&srv, NULL));
	cr_assert(status_start(&w, srv.port, "C.UTF-8", NULL));
	cr_assert(status_until(&w, "#[fg=green]\u25cf 3 live#[default]", last,
	                       sizeof(last)),
	          "last: %s", last);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert(status_start(&w, srv.port, "C", "tmux"));
	cr_assert(status_until(&w, "#[fg=green]* 3 live#[default]", last,
	                       sizeof(last)),
	          "last: %s", last);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(callbacks, usage_errors)
{
	static const char *const bad[][6] = {
	    {"watch", "--format", "plain", NULL},
	    {"watch", "--status-line", "--json", NULL},
	    {"watch", "--status-line", "--plain", NULL},
	    {"watch", "--status-line", "--format", "i3bar", NULL},
	    {"watch", "--on-change-timeout", "0", "--on-change", "true", NULL},
	    {"watch", "--on-change", "", NULL},
	};
	static const char *const why[] = {"--format goes with --status-line",
	                                  "not with --json",
	                                  "not with --plain",
	                                  "(use tmux or plain)",
	                                  "--on-change-timeout",
	                                  "--on-change: empty command"};
	char out[4096], err[4096];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(run_wsdash((const char *const *)bad[i], out,
		                        sizeof(out), err, sizeof(err), WAIT_MS),
		             2, "%s %s", bad[i][1], bad[i][2]);
		cr_assert(strstr(err, why[i]), "%s", err);
	}
}

/*
 * In a real tmux status bar: an inner tmux server runs the command from
 * status-right; its client, attached inside a pane of an outer server,
 * draws the bar, which the outer server's capture-pane reads. Styles are
 * taken as styles, the line follows a fallback, and the command ends when
 * the inner server does.
 */
Test(callbacks, status_line_in_a_real_tmux_status_bar, .init = mkdir_tmp,
     .fini = tmux_stop)
{
	char conf[256], *s, *pid_s;
	struct child srv;
	FILE *f;
	pid_t pid;

	cr_assert(serve_start(&srv, NULL));
	tmuxs_init(&tx, "cb-out");
	tmuxs_init(&inner, "cb-in");
	snprintf(conf, sizeof(conf), "%s", path("inner.conf"));
	f = fopen(conf, "w");
	cr_assert_not_null(f);
	fprintf(f,
	        "set -g status-right-length 60\n"
	        "set -g status-right '#(echo $$ > %s; LC_ALL=C.UTF-8 exec "
	        "%s watch --status-line --server http://127.0.0.1:%d)|END'\n",
	        path("pid"), WSDASH_BIN, srv.port);
	fclose(f);
	cr_assert_eq(tmuxs_cmd(&inner,
	                       "-u -f %s new-session -d -s s -x 100 -y 10 "
	                       "'sleep 300'",
	                       conf),
	             0, "inner tmux");
	cr_assert_eq(tmuxs_cmd(&tx,
	                       "-u -f /dev/null new-session -d -s s -x 100 "
	                       "-y 10 \"env -u TMUX LC_ALL=C.UTF-8 tmux -u "
	                       "-L %s attach -t s\"",
	                       inner.sock),
	             0, "outer tmux");
	/* tmux redraws for a line at most once a second (else every
	 * status-interval, 15 s): the bar follows within a few seconds */
	cr_assert(tmuxs_wait(&tx, "s", "\u25cf 3 live|END", 1, 8000),
	          "no status line in the bar");
	s = tmuxs_capture(&tx, "s", "-e");
	cr_assert_null(strstr(s, "#["), "styles shown as text:\n%s", s);
	cr_assert(strstr(s, "\x1b[32m\u25cf 3 live"), "not green:\n%s", s);
	free(s);
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	cr_assert(tmuxs_wait(&tx, "s",
	                     "\u25cf 2 live \u21bb routes polling|END", 1,
	                     8000),
	          "the bar does not follow");

	/* the inner server goes: so does the command */
	pid_s = slurp(path("pid"));
	pid = (pid_t)atoi(pid_s);
	free(pid_s);
	cr_assert_gt(pid, 0);
	{
		char stat[64];

		cr_assert_eq(tmuxs_cmd(&inner, "kill-server"), 0);
		snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)pid);
		for (long long end = test_now_ms() + WAIT_MS;;) {
			char *st = slurp(stat), *rp = strrchr(st, ')');
			bool gone = rp == NULL || rp[2] == 'Z';

			free(st);
			if (gone)
				break;
			cr_assert_lt(test_now_ms(), end,
			             "wsdash %d outlives its tmux", (int)pid);
			usleep(50000);
		}
	}
	cr_assert_eq(child_stop(&srv), 0);
}
