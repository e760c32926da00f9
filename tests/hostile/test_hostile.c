/*
 * The hostile-server suite: for each way a server can misbehave, the class
 * `wsdash check` gives, the state `wsdash watch` reaches, and that neither
 * crashes, hangs, grows without bound, or lets the server's bytes reach the
 * terminal. The servers (tests/hostile/hostile.py, tests/servers/wsecho.py
 * with certificates from tests/hostile/certs.py) run on 127.0.0.1.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "proc.h"

#define HOSTILE TEST_SERVERS "/../hostile"

static char out[1 << 20], err[8192];

static int
wsdash(int timeout_ms, const char *first, ...)
{
	const char *argv[32];
	int n = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && n < 30; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return run_wsdash(argv, out, sizeof(out), err, sizeof(err), timeout_ms);
}

static struct child hostile;

static void
hostile_up(void)
{
	const char *argv[] = {PYTHON3, HOSTILE "/hostile.py", NULL};

	cr_assert(child_start_cmd(&hostile, true, argv), "hostile server");
}

static void
hostile_down(void)
{
	child_stop(&hostile);
}

static const char *
url(const char *path)
{
	static char buf[8][256];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "ws://127.0.0.1:%d%s", hostile.port,
	         path);
	return buf[k];
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* No byte that could act on a terminal: ESC, other C0 but \n, C1, DEL. */
static void
assert_terminal_safe(const char *s, const char *what)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		cr_assert(*p >= 0x20 || *p == '\n' || *p == '\t',
		          "%s: control byte 0x%02x in output", what, *p);
		cr_assert(*p != 0x7f, "%s: DEL in output", what);
		if (p[0] == 0xc2)
			cr_assert(p[1] < 0x80 || p[1] > 0x9f,
			          "%s: C1 control in output", what);
	}
}

/* check --json on one endpoint: its class (and exit code, never a crash). */
static void
check_class(const char *path, const char *cls, const char *detail)
{
	cJSON *d, *e;
	int rc;
	long long t0 = test_now_ms();

	rc = wsdash(10000, "check", "--json", "--timeout", "1500", url(path),
	            NULL);
	cr_assert(rc == 0 || rc == 1, "%s: exit %d (crash?) %s", path, rc, err);
	cr_assert_lt(test_now_ms() - t0, 5000, "%s: check took too long", path);
	assert_terminal_safe(out, path);
	d = cJSON_Parse(out);
	cr_assert_not_null(d, "%s: not JSON: %s", path, out);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 0);
	cr_assert_str_eq(jstr(e, "class"), cls, "%s", path);
	if (detail)
		cr_assert(strstr(jstr(e, "detail"), detail), "%s: %s", path,
		          jstr(e, "detail"));
	cJSON_Delete(d);
}

Test(hostile, http_level_misbehaviour_classes, .init = hostile_up,
     .fini = hostile_down, .timeout = 120)
{
	static const struct {
		const char *path, *cls, *detail;
	} cases[] = {
	    {"/status/400", "bad_request", "400"},
	    {"/status/401", "unauthorized", "Authorization"},
	    {"/status/403", "forbidden", "403"},
	    {"/status/404", "not_found", "404"},
	    {"/status/426", "upgrade_required", "426"},
	    {"/status/429", "http_error", "rate limiting"},
	    {"/status/500", "server_error", "500"},
	    {"/status/502", "server_error", "502"},
	    {"/status/503", "server_error", "503"},
	    {"/silent", "timeout", "no answer"},
	    {"/slow", "timeout", "no answer"},
	    {"/garbage", "closed", "closed before"},
	    {"/close", "closed", "closed before"},
	    {"/bad-accept", "bad_accept", "Sec-WebSocket-Accept"},
	    {"/no-upgrade", "bad_accept", "101"},
	    {"/redirect-loop", "redirect", "/redirect-loop"},
	    {"/escape-headers", "not_found", "404"},
	    {"/ws/ok", "upgraded", "101"},
	    {"/ws/accept-close", "upgraded", "101"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_class(cases[i].path, cases[i].cls, cases[i].detail);
}

Test(hostile, refused_and_dns)
{
	int rc = wsdash(10000, "check", "--json", "ws://127.0.0.1:1/x",
	                "ws://does-not-exist.invalid/x", NULL);

	cr_assert_eq(rc, 1);
	cr_assert(strstr(out, "\"refused\"") && strstr(out, "\"dns\""), "%s",
	          out);
}

/* watch --json for secs on one endpoint; the lines, parsed. */
struct seen {
	int live, stale, polling, down, messages, dropped;
	char last_state[32];
	char reasons[4096];
	char types[4096];
	long max_rss_kib;
};

static void
watch_for(const char *path, double secs, struct seen *s, const char *extra)
{
	char dur[16], line[16384];
	const char *argv[12];
	struct child w;
	int n = 0, status;
	long long end;

	memset(s, 0, sizeof(*s));
	snprintf(dur, sizeof(dur), "%g", secs);
	argv[n++] = "watch";
	argv[n++] = "--json";
	argv[n++] = "--duration";
	argv[n++] = dur;
	if (extra)
		argv[n++] = extra;
	argv[n++] = url(path);
	argv[n] = NULL;
	cr_assert(child_start(&w, false, argv));
	end = test_now_ms() + (long long)(secs * 1000) + 5000;
	while (test_now_ms() < end) {
		cJSON *j;
		long rss = proc_rss_kib(w.pid);

		if (rss > s->max_rss_kib)
			s->max_rss_kib = rss;
		if (!child_read_line(&w, line, sizeof(line), 200)) {
			if (waitpid(w.pid, &status, WNOHANG) == w.pid) {
				w.pid = 0;
				break;
			}
			continue;
		}
		assert_terminal_safe(line, path);
		j = cJSON_Parse(line);
		cr_assert_not_null(j, "%s: bad JSON line %s", path, line);
		if (strcmp(jstr(j, "event"), "state") == 0) {
			const char *st = jstr(j, "state");

			s->live += strcmp(st, "live") == 0;
			s->stale += strcmp(st, "stale") == 0;
			s->polling += strcmp(st, "polling") == 0;
			s->down += strcmp(st, "down") == 0;
			snprintf(s->last_state, sizeof(s->last_state), "%s",
			         st);
			strncat(s->reasons, jstr(j, "reason"),
			        sizeof(s->reasons) - strlen(s->reasons) - 2);
			strcat(s->reasons, "|");
		} else if (strcmp(jstr(j, "event"), "message") == 0) {
			s->messages++;
			if (strlen(s->types) < 3000) {
				strcat(s->types, jstr(j, "msg_type"));
				strcat(s->types, "|");
			}
		} else if (strcmp(jstr(j, "event"), "summary") == 0) {
			s->messages +=
			    (int)cJSON_GetObjectItem(j, "msgs")->valuedouble;
		} else if (strcmp(jstr(j, "event"), "dropped") == 0) {
			s->dropped++;
		}
		cJSON_Delete(j);
	}
	cr_assert_eq(w.pid, 0, "%s: watch did not exit after --duration", path);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "%s: watch exit status %d", path, status);
	child_stop(&w);
}

Test(hostile, http_level_cases_end_down_in_watch, .init = hostile_up,
     .fini = hostile_down, .timeout = 120)
{
	static const char *const paths[] = {
	    "/status/400", "/status/401",    "/status/403",     "/status/404",
	    "/status/426", "/status/429",    "/status/500",     "/status/502",
	    "/status/503", "/garbage",       "/close",          "/bad-accept",
	    "/no-upgrade", "/redirect-loop", "/escape-headers", "/silent",
	};
	struct seen s;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		watch_for(paths[i], 1.5, &s, "--timeout=800");
		/* no poll URL for these paths: down, never live */
		cr_assert_eq(s.live, 0, "%s", paths[i]);
		cr_assert_str_eq(s.last_state, "down", "%s", paths[i]);
	}
}

Test(hostile, frames_that_break_the_rules, .init = hostile_up,
     .fini = hostile_down, .timeout = 120)
{
	struct seen s;

	/* half a frame, then the connection goes: fall back, no crash */
	watch_for("/ws/close-mid-frame", 2, &s, "--retry-base=300");
	cr_assert_gt(s.live, 0);
	cr_assert_gt(s.down + s.polling, 0);

	/* a 64 MiB frame: counted and dropped, the stream stays up, memory
	 * stays small */
	watch_for("/ws/huge", 3, &s, NULL);
	cr_assert_eq(s.dropped, 1);
	cr_assert_eq(s.live, 1);
	cr_assert_eq(s.down + s.polling, 0, "the stream must stay: %s",
	             s.reasons);
	cr_assert_gt(s.messages, 5, "messages after the big one");
	cr_assert_lt(s.max_rss_kib, 24 * 1024, "RSS %ld KiB", s.max_rss_kib);

	/* 10,000 fragments make one message */
	watch_for("/ws/fragments", 1.5, &s, NULL);
	cr_assert(strstr(s.types, "invalid json|tick|"), "%s", s.types);
	cr_assert_eq(s.down + s.polling, 0);

	watch_for("/ws/binary", 1.5, &s, NULL);
	cr_assert(strstr(s.types, "binary|"), "%s", s.types);

	watch_for("/ws/bad-utf8", 1.5, &s, NULL);
	cr_assert_gt(s.messages, 5);

	watch_for("/ws/bad-json", 1.5, &s, NULL);
	cr_assert(strstr(s.types, "invalid json|"), "%s", s.types);

	watch_for("/ws/deep-json", 1.5, &s, NULL);
	cr_assert(strstr(s.types, "invalid json|"), "%s", s.types);
	cr_assert_eq(s.down + s.polling, 0);
}

Test(hostile, ping_flood_keeps_the_stream, .init = hostile_up,
     .fini = hostile_down, .timeout = 60)
{
	struct seen s;

	watch_for("/ws/ping-flood", 3, &s, NULL);
	cr_assert_eq(s.live, 1);
	cr_assert_eq(s.down + s.polling + s.stale, 0, "%s", s.reasons);
	cr_assert_gt(s.messages, 10);
	cr_assert_lt(s.max_rss_kib, 24 * 1024, "RSS %ld KiB", s.max_rss_kib);
}

Test(hostile, every_close_code_is_reported, .init = hostile_up,
     .fini = hostile_down, .timeout = 120)
{
	static const int codes[] = {1000, 1001, 1002, 1003, 1007,
	                            1008, 1009, 1010, 1011, 1012,
	                            1013, 1014, 3000, 4000, 4999};
	struct seen s;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char path[32], want[32];

		snprintf(path, sizeof(path), "/ws/close/%d", codes[i]);
		/* lws 4.1.6 knows 1012-1014 (added to the IANA registry
		 * later) as invalid and reports them as 1002 */
		snprintf(want, sizeof(want), "(%d bye)",
		         codes[i] >= 1012 && codes[i] <= 1014 ? 1002
		                                              : codes[i]);
		watch_for(path, 0.6, &s, "--retry-base=60000");
		cr_assert(strstr(s.reasons, want), "%s: %s", path, s.reasons);
	}
}

/*
 * A server that accepts and closes at once: the watcher must back off
 * (1 s, 2 s, 4 s...), not reconnect in a loop, and stay cheap.
 */
Test(hostile, reconnect_storm_backs_off, .init = hostile_up,
     .fini = hostile_down, .timeout = 60)
{
	const char *argv[] = {
	    "watch", "--plain", "--duration", "7", url("/ws/accept-close"),
	    NULL};
	struct child w;
	char line[512];
	int conns = 0, st;
	long long t0 = test_now_ms();
	char stat[64];
	FILE *f;
	long utime = 0, stime = 0;

	cr_assert(child_start(&w, false, argv));
	while (test_now_ms() - t0 < 6500)
		child_drain(&w), usleep(100000);
	snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)w.pid);
	f = fopen(stat, "r");
	if (f) {
		cr_assert_eq(fscanf(f,
		                    "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u "
		                    "%*u %*u %*u %*u %ld %ld",
		                    &utime, &stime),
		             2);
		fclose(f);
	}
	st = child_signal_wait(&w, SIGTERM, 3000);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	child_stop(&w);
	while (child_read_line(&hostile, line, sizeof(line), 200))
		conns += strstr(line, "conn /ws/accept-close") != NULL;
	/* 0, ~1, ~3, ~7 s: four tries in 6.5 s (jitter may shift one) */
	cr_assert(conns >= 3 && conns <= 5, "%d connections in 6.5 s", conns);
	cr_assert_lt((utime + stime) * 1000 / sysconf(_SC_CLK_TCK), 300,
	             "CPU %ld ticks", utime + stime);
}

/* Escape sequences in every field: nothing reaches the terminal. */
Test(hostile, escapes_never_reach_the_output, .init = hostile_up,
     .fini = hostile_down, .timeout = 60)
{
	int rc;

	rc = wsdash(10000, "watch", "--plain", "--duration", "1.5",
	            url("/ws/escapes"), url("/escape-headers"), url("/garbage"),
	            NULL);
	cr_assert_eq(rc, 0);
	cr_assert_gt(strlen(out), 100);
	assert_terminal_safe(out, "watch --plain");
	/* the printable rest of the hostile text is shown, harmlessly */
	cr_assert(strstr(out, "[200~paste"), "%s", out);
	rc = wsdash(10000, "check", url("/escape-headers"), url("/garbage"),
	            NULL);
	cr_assert_eq(rc, 1);
	assert_terminal_safe(out, "check");
}

/* TLS: each failure with its reason unless --cacert or --insecure. */
Test(hostile, tls_failures_with_reasons, .timeout = 120)
{
	char dir[] = "/tmp/wsdash-certs-XXXXXX", cmd[512], ca[300];
	static const struct {
		const char *stem;
		int plain_err;   /* without --cacert */
		int with_ca_err; /* with --cacert ca.pem, 0: upgraded */
		const char *reason;
	} cases[] = {
	    {"good", 20, 0, "unknown issuer"},
	    {"expired", 20, 10, "expired"},
	    {"wronghost", 20, 62, "name mismatch"},
	    {"selfsigned", 18, 18, "self-signed"},
	};

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s %s/certs.py %s", PYTHON3, HOSTILE, dir);
	cr_assert_eq(system(cmd), 0, "certificates");
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cert[300], key[300], u[128], e1[32];
		const char *argv[] = {PYTHON3, TEST_SERVERS "/wsecho.py",
		                      "--tls", cert,
		                      key,     NULL};
		struct child srv;
		struct seen s;

		snprintf(cert, sizeof(cert), "%s/%s.pem", dir, cases[i].stem);
		snprintf(key, sizeof(key), "%s/%s.key", dir, cases[i].stem);
		cr_assert(child_start_cmd(&srv, true, argv));
		snprintf(u, sizeof(u), "wss://localhost:%d/ws/x", srv.port);

		cr_assert_eq(wsdash(10000, "check", "--json", u, NULL), 1);
		snprintf(e1, sizeof(e1), "\"tls_verify_error\":\t%d",
		         cases[i].plain_err);
		cr_assert(strstr(out, "\"class\":\t\"tls\"") && strstr(out, e1),
		          "%s: %s", cases[i].stem, out);
		if (cases[i].plain_err == 18)
			cr_assert(strstr(out, "self-signed"), "%s", out);
		else
			cr_assert(strstr(out, "unknown issuer"), "%s", out);

		wsdash(10000, "check", "--json", "--cacert", ca, u, NULL);
		if (cases[i].with_ca_err == 0) {
			cr_assert(strstr(out, "\"upgraded\""), "%s", out);
		} else {
			snprintf(e1, sizeof(e1), "\"tls_verify_error\":\t%d",
			         cases[i].with_ca_err);
			cr_assert(strstr(out, e1), "%s: %s", cases[i].stem,
			          out);
			cr_assert(strstr(out, cases[i].reason), "%s", out);
		}
		cr_assert_eq(wsdash(10000, "check", "--insecure", u, NULL), 0,
		             "%s --insecure: %s", cases[i].stem, out);
		cr_assert(strstr(out, "NOT VERIFIED"), "%s", out);

		/* the watcher says the same in its state reason */
		srv.port = srv.port; /* (same server) */
		{
			const char *wargv[] = {"watch", "--json", "--duration",
			                       "1",     u,        NULL};
			int rc = run_wsdash(wargv, out, sizeof(out), err,
			                    sizeof(err), 10000);

			cr_assert_eq(rc, 0);
			cr_assert(strstr(out, "\"state\":\"down\"") &&
			              strstr(out, "TLS"),
			          "%s: %s", cases[i].stem, out);
		}
		(void)s;
		child_stop(&srv);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/*
 * Nothing answers the SYN: a listening socket whose accept queue is full
 * drops new connection attempts, which is what a firewall or a dead host
 * looks like. The check tells that apart from a server that accepted TCP
 * and never answered the upgrade.
 */
Test(hostile, connect_timeout_is_no_tcp_connection, .timeout = 60)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM, 0), fill[8];
	char u[64];
	cJSON *d, *e;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(ls, 0), 0);
	getsockname(ls, (struct sockaddr *)&a, &alen);
	for (int i = 0; i < 8; i++) { /* fill the accept queue */
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&a, sizeof(a));
	}
	usleep(200000);
	snprintf(u, sizeof(u), "ws://127.0.0.1:%d/x", ntohs(a.sin_port));
	cr_assert_eq(
	    wsdash(10000, "check", "--json", "--timeout", "1000", u, NULL), 1);
	d = cJSON_Parse(out);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 0);
	cr_assert_str_eq(jstr(e, "class"), "timeout", "%s", out);
	cr_assert(strstr(jstr(e, "detail"), "no TCP connection"), "%s", out);
	cJSON_Delete(d);
	for (int i = 0; i < 8; i++)
		close(fill[i]);
	close(ls);
}
