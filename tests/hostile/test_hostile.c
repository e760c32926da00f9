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
#include <sys/resource.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "jlines.h"
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
	static char buf[128][256];
	static int k;

	k = (k + 1) % 128;
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

/*
 * Every HTTP-level misbehaviour in one `check --json` (the probes run side
 * by side): each endpoint's class and detail, and never a crash or a hang.
 */
Test(hostile, http_level_misbehaviour_classes, .init = hostile_up,
     .fini = hostile_down)
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
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	const char *argv[N + 8] = {"check", "--json", "--timeout", "1500"};
	int n = 4, rc;
	cJSON *d, *eps;

	for (int i = 0; i < N; i++)
		argv[n++] = url(cases[i].path);
	argv[n] = NULL;
	rc = run_wsdash(argv, out, sizeof(out), err, sizeof(err), 30000);
	cr_assert(rc == 1, "exit %d, want 1 (crash or hang?) %s", rc, err);
	jl_assert_terminal_safe(out, "check --json");
	d = cJSON_Parse(out);
	cr_assert_not_null(d, "not JSON: %s", out);
	eps = cJSON_GetObjectItem(d, "endpoints");
	cr_assert_eq(cJSON_GetArraySize(eps), N);
	for (int i = 0; i < N; i++) {
		cJSON *e = cJSON_GetArrayItem(eps, i);

		cr_assert_str_eq(jstr(e, "class"), cases[i].cls,
		                 "%s: class %s, want %s", cases[i].path,
		                 jstr(e, "class"), cases[i].cls);
		cr_assert(strstr(jstr(e, "detail"), cases[i].detail),
		          "%s: detail '%s' lacks '%s'", cases[i].path,
		          jstr(e, "detail"), cases[i].detail);
	}
	cJSON_Delete(d);
}

Test(hostile, refused)
{
	int rc = wsdash(10000, "check", "--json", "ws://127.0.0.1:1/x", NULL);

	cr_assert_eq(rc, 1);
	cr_assert(strstr(out, "\"refused\""), "%s", out);
}

/* Start `watch --json [extra...] URL(path)...` on the hostile server. */
static void
watch_paths(struct jl_run *r, const char *const *extra,
            const char *const *paths, size_t npaths)
{
	const char *argv[96] = {"watch", "--json"};
	int n = 2;

	for (; extra && *extra; extra++)
		argv[n++] = *extra;
	for (size_t i = 0; i < npaths && n < 94; i++)
		argv[n++] = url(paths[i]);
	argv[n] = NULL;
	jl_run_start(r, argv);
}

/* The endpoint name wsdash derives from a path: its last segment. */
static const char *
name_of(const char *path)
{
	return strrchr(path, '/') + 1;
}

struct paths {
	const char *const *p;
	size_t n;
};

static bool
all_down(const struct jl_run *r, void *user)
{
	const struct paths *ps = user;

	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(jl_run_ep(r, name_of(ps->p[i]))->last_state,
		           "down") != 0)
			return false;
	return true;
}

Test(hostile, http_level_cases_end_down_in_watch, .init = hostile_up,
     .fini = hostile_down)
{
	static const char *const paths[] = {
	    "/status/400", "/status/401",    "/status/403",     "/status/404",
	    "/status/426", "/status/429",    "/status/500",     "/status/502",
	    "/status/503", "/garbage",       "/close",          "/bad-accept",
	    "/no-upgrade", "/redirect-loop", "/escape-headers", "/silent",
	};
	static const char *const extra[] = {"--timeout=800", NULL};
	struct paths ps = {paths, sizeof(paths) / sizeof(paths[0])};
	struct jl_run r;
	bool ok;

	watch_paths(&r, extra, paths, ps.n);
	ok = jl_run_until(&r, all_down, &ps, 20000);
	cr_assert_eq(jl_run_stop(&r, 5000), 0, "unclean exit");
	for (size_t i = 0; i < ps.n; i++) {
		const struct jl_ep *e = jl_run_ep(&r, name_of(paths[i]));

		/* no poll URL for these paths: down, never live */
		cr_assert_eq(e->live, 0, "%s went live", paths[i]);
		cr_assert_str_eq(e->last_state, "down",
		                 "%s: state '%s', want down (reasons %s)",
		                 paths[i], e->last_state, e->reasons);
	}
	cr_assert(ok);
}

static bool
has(const char *list, const char *item)
{
	return strstr(list, item) != NULL;
}

static bool
rules_done(const struct jl_run *r, void *user)
{
	const struct jl_ep *cm = jl_run_ep(r, "close-mid-frame");

	(void)user;
	return cm->live > 0 && cm->down + cm->polling > 0 &&
	       has(jl_run_ep(r, "fragments")->types, "fragmented|tick|") &&
	       has(jl_run_ep(r, "binary")->types, "binary|") &&
	       jl_run_ep(r, "bad-utf8")->messages > 5 &&
	       has(jl_run_ep(r, "bad-json")->types, "invalid json|") &&
	       jl_run_ep(r, "deep-json")->messages >= 3;
}

Test(hostile, frames_that_break_the_rules, .init = hostile_up,
     .fini = hostile_down)
{
	static const char *const paths[] = {
	    "/ws/close-mid-frame", "/ws/fragments", "/ws/binary",
	    "/ws/bad-utf8",        "/ws/bad-json",  "/ws/deep-json"};
	static const char *const extra[] = {"--retry-base=300", NULL};
	static const char *const steady[] = {"fragments", "binary", "bad-utf8",
	                                     "bad-json", "deep-json"};
	struct jl_run r;
	const struct jl_ep *cm;
	bool ok;

	watch_paths(&r, extra, paths, sizeof(paths) / sizeof(paths[0]));
	ok = jl_run_until(&r, rules_done, NULL, 20000);
	cr_assert_eq(jl_run_stop(&r, 5000), 0, "unclean exit");
	/* half a frame, then the connection goes: fall back, no crash */
	cm = jl_run_ep(&r, "close-mid-frame");
	cr_assert_gt(cm->live, 0);
	cr_assert_gt(cm->down + cm->polling, 0,
	             "close-mid-frame never fell back");
	/* 10,000 fragments make one message (analysed whole: 100 KB of
	 * valid JSON); then the small ones */
	cr_assert(has(jl_run_ep(&r, "fragments")->types, "fragmented|tick|"),
	          "fragments: %s", jl_run_ep(&r, "fragments")->types);
	cr_assert(has(jl_run_ep(&r, "binary")->types, "binary|"), "%s",
	          jl_run_ep(&r, "binary")->types);
	cr_assert(has(jl_run_ep(&r, "bad-json")->types, "invalid json|"), "%s",
	          jl_run_ep(&r, "bad-json")->types);
	/* 200,000-deep JSON: cJSON's nesting limit, not a stack overflow */
	cr_assert(has(jl_run_ep(&r, "deep-json")->types, "invalid json|"), "%s",
	          jl_run_ep(&r, "deep-json")->types);
	for (size_t i = 0; i < sizeof(steady) / sizeof(steady[0]); i++) {
		const struct jl_ep *e = jl_run_ep(&r, steady[i]);

		cr_assert_eq(e->live, 1, "%s: live %d times", steady[i],
		             e->live);
		cr_assert_eq(e->down + e->polling, 0, "%s must stay up: %s",
		             steady[i], e->reasons);
	}
	cr_assert(ok, "not every case seen in 20 s");
}

struct want_msgs {
	const char *name;
	int messages;
};

static bool
enough_messages(const struct jl_run *r, void *user)
{
	const struct want_msgs *w = user;

	return jl_run_ep(r, w->name)->messages >= w->messages;
}

/*
 * Watch one stream until it delivered `want` messages (or 30 s passed);
 * returns its tally and the watcher's peak RSS, after a clean exit.
 */
static struct jl_ep
one_stream(const char *path, int want, long *max_rss_kib)
{
	struct want_msgs w = {name_of(path), want};
	struct jl_run r;
	bool ok;

	watch_paths(&r, NULL, &path, 1);
	ok = jl_run_until(&r, enough_messages, &w, 30000);
	cr_assert_eq(jl_run_stop(&r, 5000), 0, "%s: unclean exit", path);
	cr_assert(ok, "%s: %d messages, want %d", path,
	          jl_run_ep(&r, w.name)->messages, want);
	*max_rss_kib = r.max_rss_kib;
	return *jl_run_ep(&r, w.name);
}

/*
 * A 64 MiB frame: counted and dropped, the stream stays up and later
 * messages arrive, memory stays small.
 */
Test(hostile, a_huge_frame_is_dropped_and_the_stream_stays, .init = hostile_up,
     .fini = hostile_down)
{
	long rss;
	struct jl_ep e = one_stream("/ws/huge", 6, &rss);

	cr_assert_eq(e.dropped, 1);
	cr_assert_eq(e.live, 1);
	cr_assert_eq(e.down + e.polling, 0, "the stream must stay: %s",
	             e.reasons);
	cr_assert_lt(rss, 24 * 1024, "RSS %ld KiB", rss);
}

Test(hostile, ping_flood_keeps_the_stream, .init = hostile_up,
     .fini = hostile_down)
{
	long rss;
	struct jl_ep e = one_stream("/ws/ping-flood", 20, &rss);

	cr_assert_eq(e.live, 1);
	cr_assert_eq(e.down + e.polling + e.stale, 0, "%s", e.reasons);
	cr_assert_lt(rss, 24 * 1024, "RSS %ld KiB", rss);
}

static const int close_codes[] = {1000, 1001, 1002, 1003, 1007,
                                  1008, 1009, 1010, 1011, 1012,
                                  1013, 1014, 3000, 4000, 4999};
#define NCODES (sizeof(close_codes) / sizeof(close_codes[0]))

/* What the reason must say for a close code: "(CODE bye)". */
static void
close_want(int code, char *out_, size_t len)
{
	/* lws 4.1.6 knows 1012-1014 (registered later) as invalid and
	 * reports them as 1002: shown as what it may be */
	if (code == 1002 || (code >= 1012 && code <= 1014))
		snprintf(out_, len,
		         "(1002 bye: protocol error, or a 1012 "
		         "restart");
	else
		snprintf(out_, len, "(%d bye)", code);
}

static bool
all_closes_seen(const struct jl_run *r, void *user)
{
	(void)user;
	for (size_t i = 0; i < NCODES; i++) {
		char name[16], want[64];

		snprintf(name, sizeof(name), "%d", close_codes[i]);
		close_want(close_codes[i], want, sizeof(want));
		if (!has(jl_run_ep(r, name)->reasons, want))
			return false;
	}
	return true;
}

Test(hostile, every_close_code_is_reported, .init = hostile_up,
     .fini = hostile_down)
{
	static char paths[NCODES][32];
	const char *pp[NCODES];
	static const char *const extra[] = {"--retry-base=60000", NULL};
	struct jl_run r;

	for (size_t i = 0; i < NCODES; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/ws/close/%d",
		         close_codes[i]);
		pp[i] = paths[i];
	}
	watch_paths(&r, extra, pp, NCODES);
	jl_run_until(&r, all_closes_seen, NULL, 20000);
	cr_assert_eq(jl_run_stop(&r, 5000), 0, "unclean exit");
	for (size_t i = 0; i < NCODES; i++) {
		char want[64];
		const struct jl_ep *e = jl_run_ep(&r, name_of(pp[i]));

		close_want(close_codes[i], want, sizeof(want));
		cr_assert(has(e->reasons, want), "%s: reasons '%s' lack '%s'",
		          pp[i], e->reasons, want);
	}
}

/*
 * A server that accepts and closes at once: the watcher must back off, not
 * reconnect in a loop, and stay cheap. With --retry-base B the waits are
 * B, 2B, 4B, 8B... each with +-20 % jitter, so the gap before connection
 * k+1 is at least 0.8 x B x 2^(k-1): a busy machine can only make gaps
 * longer, never shorter. The upper bound has seconds of slack, to catch a
 * watcher that stopped retrying, not one that ran late.
 */
Test(hostile, reconnect_storm_backs_off, .init = hostile_up,
     .fini = hostile_down)
{
	enum { BASE = 200, CONNS = 6 };
	const char *argv[] = {
	    "watch", "--json", "--retry-base", "200", url("/ws/accept-close"),
	    NULL};
	struct child w;
	char line[512];
	double at[CONNS], cpu;
	int conns = 0;
	long long end = test_now_ms() + 30000;

	cr_assert(child_start(&w, false, argv));
	while (conns < CONNS && test_now_ms() < end) {
		double t;

		child_drain(&w);
		if (child_read_line(&hostile, line, sizeof(line), 200) &&
		    sscanf(line, "conn /ws/accept-close %lf", &t) == 1)
			at[conns++] = t;
	}
	cpu = proc_cpu_s(w.pid);
	cr_assert_eq(child_signal_wait(&w, SIGTERM, 5000) & 0xffff, 0,
	             "unclean exit");
	child_stop(&w);
	cr_assert_eq(conns, CONNS, "only %d connections in 30 s", conns);
	for (int k = 1; k < CONNS; k++) {
		double wait = BASE * (double)(1 << (k - 1));
		double gap = at[k] - at[k - 1];

		cr_assert_geq(
		    gap, 0.8 * wait - 5,
		    "connection %d came %.0f ms after the one before; "
		    "the backoff says at least %.0f ms",
		    k + 1, gap, 0.8 * wait);
		cr_assert_leq(
		    gap, 1.2 * wait + 3000,
		    "connection %d came %.0f ms after the one before; "
		    "the backoff says at most %.0f ms (+3 s slack)",
		    k + 1, gap, 1.2 * wait);
	}
	cr_assert(cpu >= 0 && cpu < 0.5, "CPU %.2f s for %d connections", cpu,
	          CONNS);
}

static bool
escapes_done(const struct jl_run *r, void *user)
{
	(void)user;
	return jl_run_ep(r, "escapes")->messages >= 5 &&
	       strcmp(jl_run_ep(r, "escape-headers")->last_state, "down") ==
	           0 &&
	       strcmp(jl_run_ep(r, "garbage")->last_state, "down") == 0;
}

/* Escape sequences in every field: nothing reaches the terminal. */
Test(hostile, escapes_never_reach_the_output, .init = hostile_up,
     .fini = hostile_down)
{
	static const char *const paths[] = {"/ws/escapes", "/escape-headers",
	                                    "/garbage"};
	const char *argv[] = {"watch",       "--plain",     url(paths[0]),
	                      url(paths[1]), url(paths[2]), NULL};
	struct jl_run r;
	struct child w;
	static char all[1 << 18];
	char line[8192];
	size_t n = 0;
	bool paste = false;
	int rc;

	/* --json first (every line is checked as it is read) */
	watch_paths(&r, NULL, paths, 3);
	cr_assert(jl_run_until(&r, escapes_done, NULL, 20000),
	          "escapes: %d messages", jl_run_ep(&r, "escapes")->messages);
	cr_assert_eq(jl_run_stop(&r, 5000), 0);

	/* --plain: the printable rest of the hostile text, harmlessly */
	cr_assert(child_start(&w, false, argv));
	for (long long end = test_now_ms() + 20000;
	     !paste && test_now_ms() < end;) {
		if (!child_read_line(&w, line, sizeof(line), 200))
			continue;
		jl_assert_terminal_safe(line, "watch --plain");
		paste = strstr(line, "[200~paste") != NULL;
		if (n < sizeof(all) - 1)
			n += (size_t)snprintf(all + n, sizeof(all) - n, "%s\n",
			                      line);
	}
	cr_assert_eq(child_signal_wait(&w, SIGTERM, 5000) & 0xffff, 0);
	child_stop(&w);
	cr_assert(paste, "the message text never showed:\n%s", all);

	rc = wsdash(10000, "check", url("/escape-headers"), url("/garbage"),
	            NULL);
	cr_assert_eq(rc, 1);
	jl_assert_terminal_safe(out, "check");
}

/* TLS: each failure with its reason unless --cacert or --insecure. */
Test(hostile, tls_failures_with_reasons)
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

		snprintf(cert, sizeof(cert), "%s/%s.pem", dir, cases[i].stem);
		snprintf(key, sizeof(key), "%s/%s.key", dir, cases[i].stem);
		cr_assert(child_start_cmd(&srv, true, argv));
		snprintf(u, sizeof(u), "wss://localhost:%d/ws/x", srv.port);

		cr_assert_eq(wsdash(10000, "check", "--json", u, NULL), 1);
		snprintf(e1, sizeof(e1), "\"tls_verify_error\":%d",
		         cases[i].plain_err);
		cr_assert(strstr(out, "\"class\":\"tls\"") && strstr(out, e1),
		          "%s: %s", cases[i].stem, out);
		if (cases[i].plain_err == 18)
			cr_assert(strstr(out, "self-signed"), "%s", out);
		else
			cr_assert(strstr(out, "unknown issuer"), "%s", out);

		wsdash(10000, "check", "--json", "--cacert", ca, u, NULL);
		if (cases[i].with_ca_err == 0) {
			cr_assert(strstr(out, "\"upgraded\""), "%s", out);
		} else {
			snprintf(e1, sizeof(e1), "\"tls_verify_error\":%d",
			         cases[i].with_ca_err);
			cr_assert(strstr(out, e1), "%s: %s", cases[i].stem,
			          out);
			cr_assert(strstr(out, cases[i].reason), "%s", out);
		}
		cr_assert_eq(wsdash(10000, "check", "--insecure", u, NULL), 0,
		             "%s --insecure: %s", cases[i].stem, out);
		cr_assert(strstr(out, "NOT VERIFIED"), "%s", out);

		/* the watcher says the same in its state reason */
		{
			const char *wargv[] = {"watch", "--json", u, NULL};
			struct paths ps = {(const char *const[]){"/x"}, 1};
			struct jl_run r;

			jl_run_start(&r, wargv);
			cr_assert(jl_run_until(&r, all_down, &ps, 20000),
			          "%s: not down", cases[i].stem);
			cr_assert_eq(jl_run_stop(&r, 5000), 0);
			cr_assert(has(jl_run_ep(&r, "x")->reasons, "TLS"),
			          "%s: %s", cases[i].stem,
			          jl_run_ep(&r, "x")->reasons);
		}
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

/* Open a TCP connection to 127.0.0.1:port and send nothing (-1 on error). */
static int
idle_connect(int port)
{
	struct sockaddr_in a = {0};
	int s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

/*
 * The demo backend out of file descriptors (128, with 1,000 idle clients):
 * it sheds the oldest idle connections instead of spinning on accept()
 * (it used to burn 55-68 % of a core on EMFILE), and a new client queued
 * behind the ~870 that do not fit is answered on its first try (shedding
 * 16 per 100 ms took ~5 s to reach it; now the backlog drains at once).
 */
Test(hostile, serve_out_of_file_descriptors_sheds_idle_connections)
{
	const char *argv[] = {"/usr/bin/prlimit",
	                      "--nofile=128:128",
	                      WSDASH_BIN,
	                      "serve",
	                      "--port",
	                      "0",
	                      "--rate",
	                      "0",
	                      NULL};
	struct child srv;
	static int idle[1000];
	struct rlimit rl;
	double cpu0, cpu1;
	struct http_resp r;
	int rc = -1;
	char line[256];
	bool logged = false;

	/* room for our own end of the idle connections */
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
		rl.rlim_cur = 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	cr_assert(child_start_cmd(&srv, true, argv));
	for (int i = 0; i < 1000; i++)
		idle[i] = idle_connect(srv.port);
	cpu0 = proc_cpu_s(srv.pid);
	/* a real client behind them is served, the first time it asks */
	rc = http_req(srv.port, "GET", "/api/workflows", NULL, NULL, &r, 5000);
	cr_assert_eq(rc, 0, "no answer while out of fds: %s", strerror(-rc));
	cr_assert_eq(r.status, 200);
	http_resp_free(&r);
	while (!logged && child_read_line(&srv, line, sizeof(line), 5000))
		logged = strstr(line, "closed") && strstr(line, "idle");
	cr_assert(logged, "the shedding was not logged");
	/* and it does not spin while the idle ones keep coming */
	usleep(2000000);
	cpu1 = proc_cpu_s(srv.pid);
	cr_assert_lt(cpu1 - cpu0, 1.0, "%.2f CPU s in about 2 s", cpu1 - cpu0);
	for (int i = 0; i < 1000; i++)
		if (idle[i] >= 0)
			close(idle[i]);
	cr_assert_eq(child_stop(&srv), 0);
}

static const char *const bad_polls[] = {"/ws/no-chunk-80000000",
                                        "/ws/no-chunk-fffffff0",
                                        "/ws/no-chunk-ffffffff",
                                        "/ws/no-chunk2-80000000",
                                        "/ws/no-chunk2-ffffffff",
                                        "/ws/no-endless",
                                        "/ws/no-badchunk",
                                        "/ws/no-204",
                                        "/ws/no-304",
                                        "/ws/no-302",
                                        "/ws/no-bigjson"};
#define NBAD (sizeof(bad_polls) / sizeof(bad_polls[0]))

static bool
two_polls_each(const struct jl_run *r, void *user)
{
	(void)user;
	for (size_t i = 0; i < NBAD; i++)
		if (jl_run_ep(r, name_of(bad_polls[i]))->polls < 2)
			return false;
	return true;
}

/*
 * Poll answers that break the rules, while the WebSocket is refused: chunk
 * sizes with the top bit set (lws 4.1.6 hands them over as a huge length:
 * this overflowed the poll buffer), an endless body, bad chunking, 204,
 * 304, 302, and valid JSON larger than the display copy. Each gets a
 * reason that says what happened, the watcher stays cheap, and (under
 * make asan) no memory error.
 */
Test(hostile, poll_answers_that_break_the_rules, .init = hostile_up,
     .fini = hostile_down)
{
	static const char *const extra[] = {"--poll-interval=500",
	                                    "--retry-base=60000", NULL};
	static const struct {
		const char *name, *error; /* NULL error: the poll succeeds */
	} want[] = {
	    {"no-chunk-80000000", "larger than 1048576 bytes"},
	    {"no-chunk-fffffff0", "larger than 1048576 bytes"},
	    {"no-chunk-ffffffff", "larger than 1048576 bytes"},
	    {"no-chunk2-80000000", "larger than 1048576 bytes"},
	    {"no-chunk2-ffffffff", "larger than 1048576 bytes"},
	    {"no-endless", "larger than 1048576 bytes"},
	    {"no-badchunk", "200 answer was cut off"},
	    {"no-204", NULL},
	    {"no-304", "answered 304 Not Modified"},
	    {"no-302", "answered 302 (redirects are not followed)"},
	    {"no-bigjson", NULL},
	};
	struct jl_run r;
	double cpu;
	bool ok;

	watch_paths(&r, extra, bad_polls, NBAD);
	ok = jl_run_until(&r, two_polls_each, NULL, 30000);
	cpu = proc_cpu_s(r.c.pid);
	cr_assert_eq(jl_run_stop(&r, 5000), 0, "unclean exit (a crash?)");
	cr_assert(ok, "not every endpoint polled twice in 30 s");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct jl_ep *e = jl_run_ep(&r, want[i].name);

		if (want[i].error == NULL) {
			cr_assert_eq(e->polls_ok, e->polls, "%s: %s",
			             want[i].name, e->poll_errors);
			cr_assert_str_eq(e->last_state, "polling");
		} else {
			cr_assert_eq(e->polls_ok, 0, "%s counted as ok",
			             want[i].name);
			cr_assert(strstr(e->poll_errors, want[i].error),
			          "%s: errors '%s', want '%s'", want[i].name,
			          e->poll_errors, want[i].error);
			cr_assert_str_eq(e->last_state, "down", "%s",
			                 want[i].name);
		}
	}
	/* the summary of 200 KiB of JSON, not "invalid json" */
	cr_assert_str_eq(jl_run_ep(&r, "no-bigjson")->poll_summary,
	                 "2500 items: 2500 running");
	cr_assert_lt(cpu, 2.0, "%.2f CPU s (an endless body read on?)", cpu);
}

static bool
big_ones_seen(const struct jl_run *r, void *user)
{
	(void)user;
	return jl_run_ep(r, "big-json")->messages >= 2 &&
	       jl_run_ep(r, "huge-sent-at")->messages >= 2 &&
	       jl_run_ep(r, "16000")->messages >= 2 &&
	       jl_run_ep(r, "pong-replay")->down +
	               jl_run_ep(r, "pong-replay")->polling >
	           0;
}

/*
 * Messages and handshakes at the edges: valid JSON of 200 KiB is analysed
 * whole (type big_update, not "invalid json"); sent_at 1e308 gives no lag
 * (not -9.2e17 ms); a 101 with 16 KB of cookies is accepted; a server that
 * replays an old pong instead of answering is found half-open.
 */
Test(hostile, messages_and_handshakes_at_the_edges, .init = hostile_up,
     .fini = hostile_down)
{
	static const char *const paths[] = {"/ws/big-json", "/ws/huge-sent-at",
	                                    "/big-headers/16000",
	                                    "/ws/pong-replay"};
	static const char *const extra[] = {"--ping-interval=200",
	                                    "--ping-timeout=600",
	                                    "--retry-base=60000", NULL};
	struct jl_run r;
	const struct jl_ep *e;
	bool ok;

	watch_paths(&r, extra, paths, 4);
	ok = jl_run_until(&r, big_ones_seen, NULL, 30000);
	cr_assert_eq(jl_run_stop(&r, 5000), 0);
	cr_assert(ok,
	          "big-json %d, huge-sent-at %d, 16000 %d messages; "
	          "pong-replay '%s'",
	          jl_run_ep(&r, "big-json")->messages,
	          jl_run_ep(&r, "huge-sent-at")->messages,
	          jl_run_ep(&r, "16000")->messages,
	          jl_run_ep(&r, "pong-replay")->reasons);
	cr_assert(strstr(jl_run_ep(&r, "big-json")->types, "big_update|") &&
	              !strstr(jl_run_ep(&r, "big-json")->types, "invalid"),
	          "%s", jl_run_ep(&r, "big-json")->types);
	cr_assert_eq(jl_run_ep(&r, "huge-sent-at")->lags, 0,
	             "a lag from sent_at 1e308");
	e = jl_run_ep(&r, "pong-replay");
	cr_assert_gt(e->stale, 0, "replayed pongs kept it live: %s",
	             e->reasons);
	cr_assert(strstr(e->reasons, "half-open"), "%s", e->reasons);
}

/* 16 KB of headers pass; 40 KB are refused with a reason that says so. */
Test(hostile, big_handshake_headers, .init = hostile_up, .fini = hostile_down)
{
	cJSON *d, *eps;
	int rc = wsdash(10000, "check", "--json", url("/big-headers/16000"),
	                url("/big-headers/40000"), NULL);

	cr_assert_eq(rc, 1, "%s", out);
	d = cJSON_Parse(out);
	eps = cJSON_GetObjectItem(d, "endpoints");
	cr_assert_str_eq(jstr(cJSON_GetArrayItem(eps, 0), "class"), "upgraded",
	                 "%s", out);
	cr_assert(strstr(jstr(cJSON_GetArrayItem(eps, 1), "detail"),
	                 "larger than 32 KiB"),
	          "%s", out);
	cJSON_Delete(d);
}

/*
 * A subprotocol asked for and none chosen: browsers fail that handshake,
 * so check fails it and watch falls back.
 */
Test(hostile, a_subprotocol_not_chosen_fails, .init = hostile_up,
     .fini = hostile_down)
{
	static const char *const paths[] = {"/ws/ok"};
	static const char *const extra[] = {"--subprotocol=v1",
	                                    "--retry-base=60000", NULL};
	struct jl_run r;
	struct paths ps = {(const char *const[]){"/ok"}, 1};
	int rc =
	    wsdash(10000, "check", "--subprotocol", "v1", url("/ws/ok"), NULL);

	cr_assert_eq(rc, 1, "%s", out);
	cr_assert(strstr(out, "no_subprotocol"), "%s", out);
	watch_paths(&r, extra, paths, 1);
	cr_assert(jl_run_until(&r, all_down, &ps, 20000), "%s",
	          jl_run_ep(&r, "ok")->reasons);
	cr_assert_eq(jl_run_stop(&r, 5000), 0);
	cr_assert_eq(jl_run_ep(&r, "ok")->live, 0);
	cr_assert(strstr(jl_run_ep(&r, "ok")->reasons, "no subprotocol"), "%s",
	          jl_run_ep(&r, "ok")->reasons);
}

/*
 * What the user typed or a config file holds is quoted back in errors and
 * shown in output: escape sequences, C1 controls and bidi overrides never
 * reach the terminal that way either, names carrying them are refused,
 * and a password in a URL is never printed.
 */
Test(hostile, user_text_is_sanitized_and_passwords_hidden)
{
	static const char *const bad_names[] = {"a\\u001b[2Jb", "a\\u009b31mb",
	                                        "a\\u202eb", "a\\u0007b"};
	char path[] = "/tmp/wsdash-names-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		FILE *f = fopen(path, "w");
		int rc;

		fprintf(f,
		        "{\"endpoints\":[{\"name\":\"%s\",\"url\":"
		        "\"ws://127.0.0.1:1/x\"}]}",
		        bad_names[i]);
		fclose(f);
		rc = wsdash(10000, "check", "--json", "--config", path, NULL);
		cr_assert_eq(rc, 2, "%s: exit %d: %s", bad_names[i], rc, out);
		cr_assert(strstr(err, "endpoints[0].name"), "%s", err);
		jl_assert_terminal_safe(err, "config error");
		jl_assert_terminal_safe(out, "check --json");
	}
	unlink(path);
	/* raw bytes in a URL: refused, and the quote is harmless */
	cr_assert_eq(
	    wsdash(10000, "check", "ws://127.0.0.1:1/a\x1b[2J\x9b", NULL), 2);
	jl_assert_terminal_safe(err, "URL error");
	cr_assert_eq(wsdash(10000, "check",
	                    "ws://127.0.0.1:1/a\xc2\x9b"
	                    "31m",
	                    NULL),
	             2);
	jl_assert_terminal_safe(err, "URL error");
	cr_assert(strstr(err, "percent-encode"), "%s", err);
	/* credentials: refused, the password never shown */
	cr_assert_eq(
	    wsdash(10000, "check", "ws://bob:hunter2@127.0.0.1:1/x", NULL), 2);
	cr_assert_null(strstr(err, "hunter2"), "%s", err);
	cr_assert(strstr(err, "bob:***@"), "%s", err);
	cr_assert_eq(wsdash(10000, "watch", "--server",
	                    "http://bob:hunter2@127.0.0.1:1", NULL),
	             2);
	cr_assert_null(strstr(err, "hunter2"), "%s", err);
}

/*
 * The demo backend and request smuggling: a duplicate or listed
 * Content-Length, or one next to Transfer-Encoding, is refused with 400 and
 * the connection closed, so bytes after the headers never run as a second
 * request; a POST without a length (no body, by HTTP/1.1) is answered and
 * the connection closed, instead of lws taking what follows as its body.
 */
Test(hostile, serve_refuses_ambiguous_request_lengths)
{
	static const char smuggle[] =
	    "POST /control/send?path=/ws/routes HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 0\r\nContent-Length: 64\r\n\r\n"
	    "POST /control/down?path=/ws/routes&status=503 HTTP/1.1\r\n\r\n";
	static const char te[] =
	    "POST /control/send?path=/ws/routes HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
	static const char nolen[] =
	    "POST /control/send?path=/ws/routes HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /api/routes HTTP/1.1\r\nHost: x\r\n\r\n";
	struct child srv;
	struct http_resp r;
	cJSON *j;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	/* http_raw returns only once the server closed the connection */
	cr_assert_eq(http_raw(srv.port, smuggle, strlen(smuggle), &r, 10000), 0,
	             "the connection was left open");
	cr_assert_eq(r.status, 400, "%s", r.head);
	http_resp_free(&r);
	cr_assert_eq(http_raw(srv.port, te, strlen(te), &r, 10000), 0);
	cr_assert_eq(r.status, 400, "%s", r.head);
	http_resp_free(&r);
	cr_assert_eq(
	    http_req(srv.port, "GET", "/control/state", NULL, NULL, &r, 10000),
	    0);
	j = cJSON_Parse(r.body);
	http_resp_free(&r);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(
	              cJSON_GetArrayItem(cJSON_GetObjectItem(j, "streams"), 2),
	              "up")),
	          "the smuggled /control/down ran");
	cJSON_Delete(j);
	cr_assert_eq(http_raw(srv.port, nolen, strlen(nolen), &r, 10000), 0,
	             "a POST without a length left the connection waiting");
	cr_assert_eq(r.status, 200);
	http_resp_free(&r);
	cr_assert_eq(child_stop(&srv), 0);
}
