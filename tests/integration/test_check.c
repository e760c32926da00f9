/*
 * `wsdash check` end to end: the real binary against the demo backend, a
 * deliberately broken server (tests/hostile/hostile.py), a real
 * independent WebSocket server (python3-websockets, tests/servers/wsecho.py)
 * with and without TLS, closed ports and unresolvable names. All on
 * 127.0.0.1 with ephemeral ports.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

#include "proc.h"

static char out[65536], err[8192];

/* Run `wsdash check ARGS...` (NULL-terminated). */
static int
check(const char *first, ...)
{
	const char *argv[64] = {"check"};
	int n = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a != NULL && n < 62;
	     a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return run_wsdash(argv, out, sizeof(out), err, sizeof(err), 30000);
}

static bool
hostile_start(struct child *c)
{
	const char *argv[] = {PYTHON3, TEST_SERVERS "/../hostile/hostile.py",
	                      NULL};

	return child_start_cmd(c, true, argv);
}

static char *
url(char *buf, size_t len, const char *scheme, int port, const char *path)
{
	snprintf(buf, len, "%s://127.0.0.1:%d%s", scheme, port, path);
	return buf;
}

/* The JSON entry of endpoint i in out. */
static cJSON *
json_doc(void)
{
	cJSON *d = cJSON_Parse(out);

	cr_assert_not_null(d, "--json output is not JSON:\n%s", out);
	return d;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	cr_assert(cJSON_IsString(v), "no string '%s'", k);
	return v->valuestring;
}

Test(check, default_set_on_the_demo_backend)
{
	struct child srv;
	char server[64];

	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	cr_assert_eq(check("--server", server, NULL), 0, "%s%s", out, err);
	cr_assert(strstr(out, "workflows") && strstr(out, "workflow-history") &&
	              strstr(out, "routes"),
	          "%s", out);
	cr_assert(strstr(out, "101  upgraded"), "%s", out);
	cr_assert(strstr(out, "ok: 3 endpoints, 3 upgraded"), "%s", out);
	cr_assert_null(strchr(out, '\033'), "color on a pipe");
	cr_assert_str_eq(err, "");
	cr_assert_eq(child_stop(&srv), 0);
}

Test(check, backend_port_variable_sets_the_default_server)
{
	struct child srv;
	char port[16];

	cr_assert(serve_start(&srv, NULL));
	snprintf(port, sizeof(port), "%d", srv.port);
	setenv("BACKEND_PORT", port, 1);
	cr_assert_eq(check("--json", NULL), 0, "%s%s", out, err);
	cr_assert(strstr(out, port), "%s", out);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(check, json_document_and_head_beside_the_handshake)
{
	struct child srv;
	char server[64];
	cJSON *d, *e;

	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	cr_assert_eq(check("--server", server, "--json", "--also-head", NULL),
	             0);
	/* one compact line, newline-terminated */
	cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "%s", out);
	cr_assert_null(strchr(out, '\t'), "%s", out);
	d = json_doc();
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(d, "ok")));
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "endpoints")),
	             3);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 2);
	cr_assert_str_eq(jstr(e, "name"), "routes");
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(e, "required")));
	cr_assert_str_eq(jstr(e, "class"), "upgraded");
	cr_assert_eq(cJSON_GetObjectItem(e, "http_status")->valuedouble, 101);
	/* why HEAD-based checks report these endpoints missing */
	cr_assert_eq(cJSON_GetObjectItem(e, "head_status")->valuedouble, 404);
	cJSON_Delete(d);

	cr_assert_eq(check("--server", server, "--also-head", NULL), 0);
	cr_assert(strstr(out, "101  upgraded") && strstr(out, "HEAD 404"), "%s",
	          out);
	cr_assert_eq(child_stop(&srv), 0);
}

/* One endpoint of the broken server: its class, exit code and detail. */
static void
expect_class(int port, const char *path, const char *cls, int rc,
             const char *detail)
{
	char u[128];
	cJSON *d, *e;

	cr_assert_eq(check("--json", "--timeout", "1000",
	                   url(u, sizeof(u), "ws", port, path), NULL),
	             rc, "%s: %s", path, out);
	d = json_doc();
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 0);
	cr_assert_str_eq(jstr(e, "class"), cls, "%s", path);
	cr_assert(strstr(jstr(e, "detail"), detail), "%s: detail '%s'", path,
	          jstr(e, "detail"));
	cJSON_Delete(d);
}

Test(check, every_http_answer_class)
{
	struct child m;

	cr_assert(hostile_start(&m));
	expect_class(m.port, "/status/426", "upgrade_required", 0,
	             "path exists");
	expect_class(m.port, "/status/400", "bad_request", 1,
	             "400 Bad Request");
	expect_class(m.port, "/status/401", "unauthorized", 1, "Authorization");
	expect_class(m.port, "/status/403", "forbidden", 1, "--origin");
	expect_class(m.port, "/status/404", "not_found", 1, "server is up");
	expect_class(m.port, "/ok", "http_error", 1, "ignored the Upgrade");
	expect_class(m.port, "/redirect", "redirect", 1, "/elsewhere");
	expect_class(m.port, "/status/429", "http_error", 1, "429");
	expect_class(m.port, "/status/500", "server_error", 1, "500");
	expect_class(m.port, "/status/502", "server_error", 1,
	             "behind the proxy");
	expect_class(m.port, "/status/503", "server_error", 1, "503");
	expect_class(m.port, "/bad-accept", "bad_accept", 1,
	             "wrong Sec-WebSocket-Accept");
	expect_class(m.port, "/garbage", "closed", 1, "closed before");
	expect_class(m.port, "/close", "closed", 1, "closed before");
	expect_class(m.port, "/silent", "timeout", 1,
	             "connected, but no answer");
	child_stop(&m);
}

Test(check, strict_fails_on_426)
{
	struct child m;
	char u[128];

	cr_assert(hostile_start(&m));
	url(u, sizeof(u), "ws", m.port, "/status/426");
	cr_assert_eq(check(u, NULL), 0);
	cr_assert(strstr(out, "426  upgrade_required"), "%s", out);
	cr_assert_eq(check("--strict", u, NULL), 1);
	cr_assert(strstr(out, "FAIL"), "%s", out);
	child_stop(&m);
}

Test(check, refused)
{
	char u[128];
	cJSON *d, *e;
	struct child srv;
	int port;

	/* a port that was just free: start and stop a server on it */
	cr_assert(serve_start(&srv, NULL));
	port = srv.port;
	child_stop(&srv);
	/* (unresolvable names: tests/hostile/test_dns.c, with its own DNS) */
	cr_assert_eq(
	    check("--json", url(u, sizeof(u), "ws", port, "/ws/a"), NULL), 1);
	d = json_doc();
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 0);
	cr_assert_str_eq(jstr(e, "class"), "refused");
	cr_assert(strstr(jstr(e, "detail"), "nothing listens"));
	cJSON_Delete(d);
}

Test(check, required_and_optional_from_a_config_file)
{
	struct child srv;
	char path[] = "/tmp/wsdash-check-XXXXXX", json[512];
	FILE *f;
	int fd = mkstemp(path);

	cr_assert(serve_start(&srv, NULL));
	snprintf(json, sizeof(json),
	         "{\"server\":\"http://127.0.0.1:%d\",\"endpoints\":["
	         "{\"name\":\"live\",\"url\":\"/ws/workflows\"},"
	         "{\"name\":\"extra\",\"url\":\"/ws/missing\","
	         "\"required\":false}]}",
	         srv.port);
	f = fdopen(fd, "w");
	fputs(json, f);
	fclose(f);
	cr_assert_eq(check("--config", path, NULL), 0, "%s", out);
	cr_assert(strstr(out, "extra") && strstr(out, "not_found") &&
	              strstr(out, "(optional)"),
	          "%s", out);
	cr_assert(strstr(out, "(optional only)"), "%s", out);
	/* an endpoint on the command line replaces the file's, required */
	char u[128];
	cr_assert_eq(check("--config", path,
	                   url(u, sizeof(u), "ws", srv.port, "/ws/missing"),
	                   NULL),
	             1);
	unlink(path);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(check, config_file_errors_exit_2_naming_file_and_key)
{
	char path[] = "/tmp/wsdash-bad-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("{\"endpoints\":[{\"url\":\"/ws/a\",\"timeout_ms\":\"soon\"}]}",
	      f);
	fclose(f);
	cr_assert_eq(check("--config", path, NULL), 2);
	cr_assert(strstr(err, path) && strstr(err, "endpoints[0].timeout_ms") &&
	              strstr(err, "whole number"),
	          "%s", err);
	cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line");
	cr_assert_str_eq(out, "");
	unlink(path);
	cr_assert_eq(check("--config", "/nonexistent.json", NULL), 2);
	cr_assert(strstr(err, "/nonexistent.json: No such file"), "%s", err);
}

Test(check, usage_errors_exit_2)
{
	/* http:// names the same server: checked as ws://, said once */
	cr_assert_eq(check("http://127.0.0.1:1/ws/x", NULL), 1);
	cr_assert(strstr(out, "ws://127.0.0.1:1/ws/x"), "%s", out);
	cr_assert(strstr(err, "note: http:// endpoints are watched as ws://"),
	          "%s", err);
	/* host:port/path: ws:// */
	cr_assert_eq(check("127.0.0.1:1/ws/x", NULL), 1);
	cr_assert(strstr(out, "ws://127.0.0.1:1/ws/x"), "%s", out);
	cr_assert_eq(check("ftp://x/ws", NULL), 2);
	cr_assert(strstr(err, "scheme"), "%s", err);
	cr_assert_eq(check("--timeout", "soon", NULL), 2);
	cr_assert(strstr(err, "--timeout"), "%s", err);
	cr_assert_eq(check("--frobnicate", NULL), 2);
	cr_assert(strstr(err, "unknown option '--frobnicate'"), "%s", err);
	cr_assert_eq(check("-H", "no colon here", NULL), 2);
	cr_assert(strstr(err, "Name: value"), "%s", err);
	cr_assert_eq(check("--cacert", "/nonexistent.pem", NULL), 2);
	cr_assert_eq(check("--server", "ftp://x", NULL), 2);
	cr_assert_eq(check("--help", NULL), 0);
	cr_assert(strstr(out, "--strict") && strstr(out, "exit status"));
}

Test(check, headers_are_sent_but_never_printed)
{
	struct child ws;
	const char *argv[] = {PYTHON3, TEST_SERVERS "/wsecho.py",
	                      "--log-headers", NULL};
	char u[128], line[512];
	bool seen = false;

	cr_assert(child_start_cmd(&ws, true, argv));
	url(u, sizeof(u), "ws", ws.port, "/ws/echo");
	cr_assert_eq(check("-H", "Authorization: Bearer T0P-S3CRET", u, NULL),
	             0, "%s", out);
	cr_assert_null(strstr(out, "T0P-S3CRET"));
	cr_assert_null(strstr(err, "T0P-S3CRET"));
	cr_assert_eq(
	    check("--json", "-H", "Authorization: Bearer T0P-S3CRET", u, NULL),
	    0);
	cr_assert_null(strstr(out, "T0P-S3CRET"), "%s", out);
	cr_assert(strstr(out, "<redacted>"), "%s", out);
	/* ...and the server did receive it */
	while (child_read_line(&ws, line, sizeof(line), 2000))
		if (strstr(line, "authorization: Bearer T0P-S3CRET")) {
			seen = true;
			break;
		}
	cr_assert(seen, "header never reached the server");
	child_stop(&ws);
}

/* -v: the request as sent and the answer as read, on stderr, like curl -v */
Test(check, verbose_shows_request_and_answer_without_secrets)
{
	struct child ws, srv;
	char u[128], server[64];
	const char *p;

	cr_assert(child_start_cmd(
	    &ws, true,
	    (const char *[]){PYTHON3, TEST_SERVERS "/wsecho.py", NULL}));
	url(u, sizeof(u), "ws", ws.port, "/ws/echo");
	cr_assert_eq(
	    check("-v", "-H", "Authorization: Bearer T0P-S3CRET", u, NULL), 0,
	    "%s%s", out, err);
	/* the request line comes first, the headers after, in order */
	p = strstr(err, "> GET /ws/echo HTTP/1.1\n");
	cr_assert_not_null(p, "%s", err);
	p = strstr(p, "> Upgrade: websocket\n");
	cr_assert_not_null(p, "%s", err);
	cr_assert(strstr(p, "> Sec-WebSocket-Key: "), "%s", err);
	cr_assert(strstr(p, "> Sec-WebSocket-Version: 13\n"), "%s", err);
	cr_assert(strstr(p, "> Authorization: ****"), "%s", err);
	cr_assert(strstr(err, "< HTTP/1.1 101 Switching Protocols\n"), "%s",
	          err);
	cr_assert(strcasestr(err, "< sec-websocket-accept: "), "%s", err);
	cr_assert_null(strstr(err, "T0P-S3CRET"), "%s", err);
	cr_assert_null(strstr(out, "T0P-S3CRET"), "%s", out);
	/* the table is still on stdout, unchanged */
	cr_assert(strstr(out, "101  upgraded"), "%s", out);
	child_stop(&ws);

	/* several endpoints at once: each dump starts at its request line */
	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	cr_assert_eq(
	    check("-v", "--server", server, "-H", "X-Token: abcdefgh", NULL), 0,
	    "%s%s", out, err);
	cr_assert(strstr(err, "* workflows ws://"), "%s", err);
	cr_assert(strstr(err, "\n> GET /ws/workflows HTTP/1.1\n"), "%s", err);
	cr_assert(strstr(err, "\n> GET /ws/workflow-history HTTP/1.1\n"), "%s",
	          err);
	cr_assert(strstr(err, "\n> GET /ws/routes HTTP/1.1\n"), "%s", err);
	cr_assert_null(strstr(err, "abcdefgh"), "%s", err);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(check, real_server_upgrade_then_clean_close_without_waiting)
{
	struct child ws;
	const char *argv[] = {PYTHON3, TEST_SERVERS "/wsecho.py",
	                      "--subprotocol", "v1", NULL};
	char u[128], line[256];
	long long t0;
	bool closed_1000 = false;

	cr_assert(child_start_cmd(&ws, true, argv));
	url(u, sizeof(u), "ws", ws.port, "/ws/echo");
	t0 = test_now_ms();
	/* the server never sends a message: check must not wait for one */
	cr_assert_eq(
	    check("--timeout", "15000", "--subprotocol", "v1", u, NULL), 0,
	    "%s", out);
	cr_assert_lt(test_now_ms() - t0, 10000,
	             "took %lld ms: waited for a message or the timeout?",
	             test_now_ms() - t0);
	cr_assert(strstr(out, "subprotocol 'v1'"), "%s", out);
	while (child_read_line(&ws, line, sizeof(line), 3000))
		if (strcmp(line, "closed 1000") == 0) {
			closed_1000 = true;
			break;
		}
	cr_assert(closed_1000, "server did not see a 1000 close");
	/* a path the real server refuses */
	cr_assert_eq(check(url(u, sizeof(u), "ws", ws.port, "/nope"), NULL), 1);
	cr_assert(strstr(out, "404  not_found"), "%s", out);
	child_stop(&ws);
}

/*
 * Probes run side by side: five endpoints that never answer cost one
 * timeout, not five. (One after another would take 7.5 s; the bound leaves
 * seconds of slack for a busy machine and still tells the two apart.)
 */
Test(check, probes_run_concurrently)
{
	struct child m;
	char u[5][128];
	long long t0, dt;

	cr_assert(hostile_start(&m));
	for (int i = 0; i < 5; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/silent?%d", i);
		url(u[i], sizeof(u[i]), "ws", m.port, path);
	}
	t0 = test_now_ms();
	cr_assert_eq(
	    check("--timeout", "1500", u[0], u[1], u[2], u[3], u[4], NULL), 1);
	dt = test_now_ms() - t0;
	cr_assert_lt(dt, 6000, "5 probes took %lld ms: one after another?", dt);
	cr_assert_geq(dt, 1400, "took %lld ms: the timeout was not waited", dt);
	child_stop(&m);
}

/* A self-signed certificate for localhost/127.0.0.1, made now. */
static void
make_cert(const char *dir, char *cert, char *key, size_t len)
{
	char cmd[1024];

	snprintf(cert, len, "%s/cert.pem", dir);
	snprintf(key, len, "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
	         "openssl req -x509 -newkey ec -pkeyopt "
	         "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
	         "/CN=localhost -addext "
	         "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout %s -out %s "
	         ">/dev/null 2>&1",
	         key, cert);
	cr_assert_eq(system(cmd), 0, "openssl failed");
}

/*
 * Ten thousand endpoints in one check: a bounded number in flight, one
 * timer heap for their deadlines. (lws keeps its timers in a sorted list:
 * 10,000 at once cost 10 CPU seconds, quadratically.) CPU time, not wall
 * time, so a busy machine does not make it fail.
 */
Test(check, ten_thousand_endpoints_cost_little_cpu)
{
	char path[] = "/tmp/wsdash-10k-XXXXXX";
	static char big[8 << 20];
	struct rusage before, after;
	double cpu;
	FILE *f;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs("{\"endpoints\": [", f);
	for (int i = 0; i < 10000; i++)
		fprintf(f,
		        "%s{\"name\": \"e%d\", \"url\": "
		        "\"ws://127.0.0.1:1/ws/e%d\"}",
		        i ? "," : "", i, i);
	fputs("]}\n", f);
	fclose(f);
	getrusage(RUSAGE_CHILDREN, &before);
	cr_assert_eq(run_wsdash((const char *[]){"check", "--json", "--config",
	                                         path, NULL},
	                        big, sizeof(big), err, sizeof(err), 60000),
	             1, "%s", err);
	getrusage(RUSAGE_CHILDREN, &after);
	unlink(path);
	cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
	      (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
	      (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
	      (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
	cr_log_info("10,000 endpoints: %.2f CPU s", cpu);
	cr_assert_lt(cpu, 4.0, "10,000 endpoints took %.2f CPU s", cpu);
	/* every one of them has its verdict */
	cr_assert(strstr(big, "\"total\":10000") &&
	              strstr(big, "\"failed\":10000"),
	          "%.300s", big);
}

Test(check, tls_self_signed_cacert_and_insecure)
{
	char dir[] = "/tmp/wsdash-tls-XXXXXX", cert[256], key[256], u[128];
	struct child ws;
	const char *argv[] = {
	    PYTHON3, TEST_SERVERS "/wsecho.py", "--tls", cert, key, NULL};
	cJSON *d, *e;

	cr_assert_not_null(mkdtemp(dir));
	make_cert(dir, cert, key, sizeof(cert));
	cr_assert(child_start_cmd(&ws, true, argv));
	url(u, sizeof(u), "wss", ws.port, "/ws/secure");

	cr_assert_eq(check("--json", u, NULL), 1, "%s", out);
	d = json_doc();
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 0);
	cr_assert_str_eq(jstr(e, "class"), "tls");
	cr_assert(strstr(jstr(e, "detail"), "self-signed"), "%s",
	          jstr(e, "detail"));
	cJSON_Delete(d);

	cr_assert_eq(check("--cacert", cert, u, NULL), 0, "%s", out);
	cr_assert(strstr(out, "upgraded"), "%s", out);
	cr_assert_null(strstr(out, "NOT VERIFIED"));

	cr_assert_eq(check("--insecure", u, NULL), 0, "%s", out);
	cr_assert(strstr(out, "NOT VERIFIED") && strstr(out, "--insecure"),
	          "%s", out);
	/* wss to a plain server, ws to a TLS one */
	cr_assert_eq(check("--json",
	                   url(u, sizeof(u), "ws", ws.port, "/ws/secure"),
	                   NULL),
	             1);
	child_stop(&ws);
	snprintf(u, sizeof(u), "rm -rf %s", dir);
	cr_assert_eq(system(u), 0);
}

Test(check, wss_to_a_plain_server_is_a_tls_failure)
{
	struct child srv;
	char u[128];

	cr_assert(serve_start(&srv, NULL));
	cr_assert_eq(check("--timeout", "2000",
	                   url(u, sizeof(u), "wss", srv.port, "/ws/workflows"),
	                   NULL),
	             1);
	cr_assert(strstr(out, " tls "), "%s", out);
	cr_assert(strstr(out, "may not speak TLS"), "%s", out);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(check, quiet_prints_nothing)
{
	struct child srv;
	char server[64];

	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	cr_assert_eq(check("-q", "--server", server, NULL), 0);
	cr_assert_str_eq(out, "");
	cr_assert_eq(
	    check("-q", "--server", server, "ws://127.0.0.1:1/x", NULL), 1);
	cr_assert_str_eq(out, "");
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * The backend wsdash was made for: FastAPI under uvicorn. A missing
 * WebSocket route answers 403 there, not 404; the follow-up GET tells.
 */
/*
 * A real FastAPI app under uvicorn in the tac backend's /api/v1 layout
 * (tests/servers/fastapi_app.py: /api/v1/ws/workflows and /routes only).
 * With no endpoints, check finds the layout by its upgrades; the existing
 * route upgrades and HEAD answers 404; the missing one is refused with 403
 * and its follow-up GET answers 404: "no WebSocket route".
 */
Test(check, fastapi_uvicorn_backend)
{
	struct child app;
	const char *argv[] = {PYTHON3, TEST_SERVERS "/fastapi_app.py", NULL};
	char server[64], u[128];
	cJSON *d, *eps, *e;

	cr_assert(child_start_cmd(&app, true, argv),
	          "fastapi app did not start");
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", app.port);
	/* uvicorn may need a moment after binding before it serves */
	for (long long end = test_now_ms() + 20000; test_now_ms() < end;) {
		bool ready;

		check("--json", "--also-head", "--server", server, NULL);
		d = json_doc();
		ready = strcmp(jstr(cJSON_GetArrayItem(
		                        cJSON_GetObjectItem(d, "endpoints"), 0),
		                    "class"),
		               "refused") != 0;
		cJSON_Delete(d);
		if (ready)
			break;
		usleep(100000);
	}
	/*
	 * Once it listens, a check of its own: the run that saw it start may
	 * have had its first upgrades refused and its GETs answered a moment
	 * later (the layout then found by the polls, rightly).
	 */
	check("--json", "--also-head", "--server", server, NULL);
	d = json_doc();
	cr_assert(strstr(jstr(d, "layout"), "/api/v1/ws/NAME") &&
	              strstr(jstr(d, "layout"), "upgrades answered"),
	          "%s", out);
	eps = cJSON_GetObjectItem(d, "endpoints");
	e = cJSON_GetArrayItem(eps, 0);
	cr_assert_str_eq(jstr(e, "name"), "workflows");
	cr_assert(strstr(jstr(e, "url"), "/api/v1/ws/workflows"), "%s", out);
	cr_assert_str_eq(jstr(e, "class"), "upgraded", "%s", out);
	cr_assert_eq(cJSON_GetObjectItem(e, "head_status")->valuedouble, 404,
	             "%s", out);

	e = cJSON_GetArrayItem(eps, 1);
	cr_assert_str_eq(jstr(e, "name"), "workflow-history");
	cr_assert_str_eq(jstr(e, "class"), "forbidden", "%s", out);
	cr_assert(strstr(jstr(e, "detail"), "no WebSocket route"), "%s", out);
	e = cJSON_GetArrayItem(eps, 2);
	cr_assert_str_eq(jstr(e, "name"), "routes");
	cr_assert_str_eq(jstr(e, "class"), "upgraded", "%s", out);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(d, "ok")));
	cJSON_Delete(d);

	/* the same verdicts for endpoints named explicitly */
	cr_assert_eq(
	    check("--json", "--also-head",
	          url(u, sizeof(u), "ws", app.port, "/api/v1/ws/routes"), NULL),
	    0, "%s", out);
	d = json_doc();
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 0);
	cr_assert_str_eq(jstr(e, "class"), "upgraded", "%s", out);
	cr_assert_eq(cJSON_GetObjectItem(e, "head_status")->valuedouble, 404);
	cJSON_Delete(d);
	cr_assert_eq(check("--json",
	                   url(u, sizeof(u), "ws", app.port, "/api/v1/ws/nope"),
	                   NULL),
	             1, "%s", out);
	d = json_doc();
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "endpoints"), 0);
	cr_assert_str_eq(jstr(e, "class"), "forbidden", "%s", out);
	cr_assert(strstr(jstr(e, "detail"), "no WebSocket route"), "%s", out);
	cJSON_Delete(d);
	child_stop(&app);
}

Test(check, ascii_symbols_outside_utf8_locales)
{
	struct child srv;
	char server[64];

	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	setenv("LC_ALL", "C", 1);
	cr_assert_eq(check("--server", server, NULL), 0);
	cr_assert(strncmp(out, "+ workflows", 11) == 0, "%s", out);
	for (const char *p = out; *p; p++)
		cr_assert_lt((unsigned char)*p, 0x80, "non-ASCII in C locale");
	setenv("LC_ALL", "C.UTF-8", 1);
	cr_assert_eq(check("--server", server, NULL), 0);
	cr_assert(strncmp(out, "\u2713 workflows", 11) == 0, "%s", out);
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * nginx (Debian's) in front of the demo backend: with the upgrade headers
 * passed on it upgrades; without them, the classic proxy mistake, the check
 * says who answered and what to add.
 */
Test(check, nginx_proxy_with_and_without_upgrade_headers)
{
	char dir[] = "/tmp/wsdash-nginx-XXXXXX", conf[300], cmd[1024];
	char good[128], bad[128];
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);
	struct child srv, ngx;
	int s, port;
	const char *argv[] = {"/usr/sbin/nginx", "-c", conf, "-p", dir, NULL};

	cr_assert(serve_start(&srv, NULL));
	cr_assert_not_null(mkdtemp(dir));
	/* a free port for nginx (it cannot pick one itself) */
	s = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &alen);
	port = ntohs(a.sin_port);
	close(s);
	snprintf(conf, sizeof(conf), "%s/nginx.conf", dir);
	snprintf(
	    cmd, sizeof(cmd),
	    "sed -e 's|@DIR@|%s|g' -e 's|@PORT@|%d|g' -e 's|@BACKEND@|%d|g' "
	    "%s/nginx.conf.in > %s",
	    dir, port, srv.port, TEST_SERVERS, conf);
	cr_assert_eq(system(cmd), 0);
	cr_assert(child_start_cmd(&ngx, false, argv));
	snprintf(good, sizeof(good), "ws://127.0.0.1:%d/good/ws/workflows",
	         port);
	snprintf(bad, sizeof(bad), "ws://127.0.0.1:%d/bad/ws/workflows", port);
	/* until nginx listens */
	for (long long end = test_now_ms() + 20000; test_now_ms() < end;) {
		if (check("-q", good, NULL) == 0)
			break;
		usleep(50000);
	}
	cr_assert_eq(check(good, NULL), 0, "%s", out);
	cr_assert(strstr(out, "upgraded"), "%s", out);
	cr_assert_eq(check(bad, NULL), 1);
	cr_assert(strstr(out, "404  not_found"), "%s", out);
	cr_assert(strstr(out, "answered by nginx"), "%s", out);
	cr_assert(strstr(out, "proxy_set_header Upgrade $http_upgrade"), "%s",
	          out);
	child_stop(&ngx);
	cr_assert_eq(child_stop(&srv), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
