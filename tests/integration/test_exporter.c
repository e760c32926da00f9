/*
 * `wsdash exporter` end to end on loopback: /metrics as promtool sees it,
 * following a stream into fallback and back; /probe on good, missing,
 * refused, invalid and disallowed targets; HTTP errors; slow and oversized
 * requests cut off while others are served; scrapes while endpoints flap;
 * `watch --metrics` and `demo --metrics`; and a real Prometheus (Debian's)
 * scraping both jobs. Every wait is for a condition with a generous
 * deadline, polled; nothing sleeps and then checks.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "jlines.h"
#include "proc.h"

#define PROMETHEUS "/usr/bin/prometheus"
#define PROMTOOL   "/usr/bin/promtool"

/* `wsdash exporter --listen 127.0.0.1:0 --server http://127.0.0.1:port`
 * plus args (NULL-terminated); e->port is the exporter's. */
static bool
exp_start(struct child *e, int port, const char *first, ...)
{
	static const char *const head[] = {"exporter", "--listen",
	                                   "127.0.0.1:0", NULL};
	va_list ap;
	bool ok;

	va_start(ap, first);
	ok = child_start_server(e, true, head, port, first, ap);
	va_end(ap);
	return ok;
}

/* GET path; asserts an answer came. */
static void
get(int port, const char *path, struct http_resp *r)
{
	int rc = http_req(port, "GET", path, NULL, NULL, r, 20000);

	cr_assert_eq(rc, 0, "GET %s: %s", path, strerror(-rc));
}

/* Value of the sample whose name and labels are exactly prefix; NAN if
 * the body has none. */
static double
sample(const char *body, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *l = body; l != NULL && *l;) {
		if (strncmp(l, prefix, n) == 0 && l[n] == ' ')
			return strtod(l + n + 1, NULL);
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return NAN;
}

/* Scrape until sample prefix == want (or timeout); returns the body of
 * the last scrape (caller frees) or NULL. */
static char *
wait_sample(int port, const char *prefix, double want, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;
	struct http_resp r;

	do {
		/* (refused until the listener is up) */
		if (http_req(port, "GET", "/metrics", NULL, NULL, &r, 20000) ==
		        0 &&
		    r.status == 200 && sample(r.body, prefix) == want) {
			char *b = r.body;

			r.body = NULL;
			http_resp_free(&r);
			return b;
		}
		http_resp_free(&r);
		poll(NULL, 0, 50);
	} while (test_now_ms() < end);
	return NULL;
}

/* Run `promtool check metrics` on text; its output into out. */
static int
promtool_check(const char *text, char *out, size_t len)
{
	char path[] = "/tmp/wsdash-metrics-XXXXXX", cmd[256];
	int fd = mkstemp(path), st;
	size_t n = strlen(text), got;
	FILE *p;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	snprintf(cmd, sizeof(cmd), PROMTOOL " check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	got = fread(out, 1, len - 1, p);
	out[got] = '\0';
	st = pclose(p);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A port nothing listens on right now (bound, then closed). */
static int
free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	cr_assert_geq(s, 0);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &l), 0);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

#define ROUTES_STATE(s) \
	"wsdash_endpoint_state{endpoint=\"routes\",state=\"" s "\"}"

Test(exporter, metrics_pass_promtool_and_follow_a_fallback)
{
	struct child srv, e;
	struct http_resp r;
	char out[4096], *body;

	cr_assert(serve_start(&srv, "--rate", "5", NULL));
	cr_assert(exp_start(&e, srv.port, "--poll-interval", "200",
	                    "--retry-base", "300", NULL));
	body = wait_sample(e.port, ROUTES_STATE("live"), 1, 20000);
	cr_assert_not_null(body, "routes never live in /metrics");
	free(body);
	/* messages and RTT samples arrive before we judge the text */
	body = wait_sample(e.port,
	                   "wsdash_rtt_seconds_bucket{endpoint=\"routes\","
	                   "le=\"+Inf\"}",
	                   2, 20000);
	free(body);
	get(e.port, "/metrics", &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.head, "version=0.0.4"), "%s", r.head);
	cr_assert_eq(promtool_check(r.body, out, sizeof(out)), 0,
	             "promtool: %s", out);
	cr_assert_str_eq(out, "", "promtool complains: %s", out);
	cr_assert_eq(sample(r.body, "wsdash_endpoints"), 3);
	cr_assert_geq(sample(r.body, "process_resident_memory_bytes"), 1e6);
	cr_assert_geq(sample(r.body, "process_open_fds"), 5);
	http_resp_free(&r);

	/* down: fallback, then polling once a poll answers */
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	body = wait_sample(e.port, ROUTES_STATE("polling"), 1, 20000);
	cr_assert_not_null(body, "routes never polling in /metrics");
	cr_assert_eq(sample(body, ROUTES_STATE("live")), 0);
	cr_assert_eq(sample(body, "wsdash_endpoint_fallback{endpoint="
	                          "\"routes\"}"),
	             1);
	cr_assert_geq(sample(body, "wsdash_fallbacks_total{endpoint="
	                           "\"routes\"}"),
	              1);
	free(body);
	body = wait_sample(e.port,
	                   "wsdash_polls_total{endpoint=\"routes\","
	                   "result=\"ok\"}",
	                   2, 20000);
	cr_assert_not_null(body, "polls not counted");
	cr_assert_geq(sample(body, "wsdash_poll_rtt_seconds_count{endpoint="
	                           "\"routes\"}"),
	              2);
	cr_assert_gt(sample(body, "wsdash_fallback_seconds_total{endpoint="
	                          "\"routes\"}"),
	             0);
	free(body);
	/* and back */
	jl_post(srv.port, "/control/up?path=/ws/routes");
	body = wait_sample(e.port, ROUTES_STATE("live"), 1, 30000);
	cr_assert_not_null(body, "routes never live again");
	cr_assert_eq(sample(body, "wsdash_endpoint_websocket{endpoint="
	                          "\"routes\"}"),
	             1);
	cr_assert_geq(sample(body, "wsdash_reconnects_total{endpoint="
	                           "\"routes\"}"),
	              1);
	free(body);
	cr_assert_eq(child_stop(&e), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

/* GET /probe?target=... and the answer's probe_success. */
static double
probe(int port, const char *target_q, char *comment, size_t len)
{
	char path[1024];
	struct http_resp r;
	double v;

	snprintf(path, sizeof(path), "/probe?target=%s", target_q);
	get(port, path, &r);
	cr_assert_eq(r.status, 200, "%s: %d %s", path, r.status, r.body);
	v = sample(r.body, "probe_success");
	if (comment != NULL) {
		const char *c = strstr(r.body, "# wsdash probe: ");

		snprintf(comment, len, "%.*s", c ? (int)strcspn(c, "\n") : 0,
		         c ? c : "");
	}
	http_resp_free(&r);
	return v;
}

Test(exporter, probe_good_missing_refused_invalid_and_disallowed)
{
	struct child srv, e;
	struct http_resp r;
	char t[512], why[512];
	int dead = free_port();

	cr_assert(serve_start(&srv, NULL));
	cr_assert(exp_start(&e, srv.port, "--probe-allow",
	                    "ws://127.0.0.1:*/ws/work*", "--probe-allow",
	                    "ws://127.0.0.1:*/ws/nope", NULL));
	snprintf(t, sizeof(t), "ws://127.0.0.1:%d/ws/workflows", srv.port);
	cr_assert_eq(probe(e.port, t, why, sizeof(why)), 1, "%s", why);
	snprintf(t, sizeof(t), "ws://127.0.0.1:%d/ws/nope", srv.port);
	get(e.port, strcat(strcpy(why, "/probe?target="), t), &r);
	cr_assert_eq(sample(r.body, "probe_success"), 0);
	cr_assert_eq(sample(r.body, "probe_http_status_code"), 404);
	cr_assert_eq(sample(r.body, "wsdash_probe_class{class=\"not_found\"}"),
	             1);
	http_resp_free(&r);
	/* refused: nothing listens there (allowed by the first pattern) */
	snprintf(t, sizeof(t), "ws://127.0.0.1:%d/ws/workflows", dead);
	get(e.port, strcat(strcpy(why, "/probe?target="), t), &r);
	cr_assert_eq(sample(r.body, "probe_success"), 0);
	cr_assert_eq(sample(r.body, "wsdash_probe_class{class=\"refused\"}"), 1,
	             "%s", r.body);
	http_resp_free(&r);
	/* a watched endpoint by name, and percent-encoded with a query */
	cr_assert_eq(probe(e.port, "routes", why, sizeof(why)), 1, "%s", why);
	snprintf(t, sizeof(t),
	         "ws%%3A%%2F%%2F127.0.0.1%%3A%d%%2Fws%%2F"
	         "workflows%%3Fa%%3D1%%26b%%3D2&timeout_ms=2000",
	         srv.port);
	cr_assert_eq(probe(e.port, t, why, sizeof(why)), 1, "%s", why);
	/* invalid, unknown, disallowed: 0 with the reason, no crash */
	cr_assert_eq(probe(e.port, "ws://", why, sizeof(why)), 0);
	cr_assert(strstr(why, "invalid target"), "%s", why);
	cr_assert_eq(probe(e.port, "ws://user:pw@h/x", why, sizeof(why)), 0);
	cr_assert(strstr(why, "invalid target") && !strstr(why, "pw@"), "%s",
	          why);
	cr_assert_eq(probe(e.port, "nosuchendpoint", why, sizeof(why)), 0);
	cr_assert(strstr(why, "unknown target"), "%s", why);
	cr_assert_eq(probe(e.port, "http://127.0.0.1/", why, sizeof(why)), 0);
	snprintf(t, sizeof(t), "ws://127.0.0.1:%d/api/workflows", srv.port);
	cr_assert_eq(probe(e.port, t, why, sizeof(why)), 0);
	cr_assert(strstr(why, "not allowed"), "%s", why);
	cr_assert_eq(probe(e.port, "%1b%5b31m%0a", why, sizeof(why)), 0);
	cr_assert_null(strchr(why, '\x1b'), "escape passed: %s", why);
	/* a bad request is 400 */
	get(e.port, "/probe", &r);
	cr_assert_eq(r.status, 400);
	http_resp_free(&r);
	get(e.port, "/probe?target=routes&timeout_ms=abc", &r);
	cr_assert_eq(r.status, 400, "%s", r.body);
	http_resp_free(&r);
	/* still fine */
	get(e.port, "/healthz", &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "ok\n");
	http_resp_free(&r);
	cr_assert_eq(child_stop(&e), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * wss:// through the watcher's loop: lws asks the context's first protocol
 * (the watcher's) to verify every certificate, the probe's included, and a
 * name (localhost) is resolved without blocking in the same loop.
 */
Test(exporter, probe_wss_and_names_in_the_watchers_loop)
{
	char dir[] = "/tmp/wsdash-certs-XXXXXX", cmd[512], cert[300], key[300];
	char t[256], why[512];
	const char *argv[] = {
	    PYTHON3, TEST_SERVERS "/wsecho.py", "--tls", cert, key, NULL};
	struct child srv, tls, e, ei;
	struct http_resp r;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s %s/../hostile/certs.py %s", PYTHON3,
	         TEST_SERVERS, dir);
	cr_assert_eq(system(cmd), 0, "certificates");
	snprintf(cert, sizeof(cert), "%s/selfsigned.pem", dir);
	snprintf(key, sizeof(key), "%s/selfsigned.key", dir);
	cr_assert(child_start_cmd(&tls, true, argv));
	cr_assert(serve_start(&srv, NULL));
	cr_assert(exp_start(&e, srv.port, NULL));
	snprintf(t, sizeof(t), "/probe?target=wss://localhost:%d/ws/x",
	         tls.port);
	get(e.port, t, &r);
	cr_assert_eq(sample(r.body, "probe_success"), 0, "%s", r.body);
	cr_assert_eq(sample(r.body, "wsdash_probe_class{class=\"tls\"}"), 1,
	             "%s", r.body);
	cr_assert(strstr(r.body, "self-signed"), "%s", r.body);
	http_resp_free(&r);
	/* the watcher's own endpoints are still fine */
	get(e.port, "/probe?target=workflows", &r);
	cr_assert_eq(sample(r.body, "probe_success"), 1, "%s", r.body);
	http_resp_free(&r);
	/* --insecure (a watch option) applies to probes */
	cr_assert(exp_start(&ei, srv.port, "--insecure", NULL));
	get(ei.port, t, &r);
	cr_assert_eq(sample(r.body, "probe_success"), 1, "%s", r.body);
	http_resp_free(&r);
	snprintf(t, sizeof(t), "ws://localhost:%d/ws/workflows", srv.port);
	cr_assert_eq(probe(ei.port, t, why, sizeof(why)), 1, "%s", why);
	cr_assert_eq(child_stop(&ei), 0);
	cr_assert_eq(child_stop(&e), 0);
	cr_assert_eq(child_stop(&srv), 0);
	child_stop(&tls);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* A connected socket to 127.0.0.1:port. */
static int
connect_to(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(s, 0);
	cr_assert_eq(connect(s, (struct sockaddr *)&a, sizeof(a)), 0);
	return s;
}

/* Whether the server closed s (or answered) within timeout_ms. */
static bool
closed_within(int s, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;
	char buf[4096];

	while (test_now_ms() < end) {
		struct pollfd p = {s, POLLIN, 0};

		if (poll(&p, 1, 100) > 0) {
			ssize_t n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);

			if (n <= 0)
				return true;
		}
	}
	return false;
}

Test(exporter, bad_slow_and_large_requests)
{
	struct child srv, e;
	struct http_resp r;
	char hdr[300];
	long long t0;
	int slow, big;
	char *huge;

	cr_assert(serve_start(&srv, NULL));
	cr_assert(exp_start(&e, srv.port, NULL));
	get(e.port, "/nope", &r);
	cr_assert_eq(r.status, 404);
	http_resp_free(&r);
	cr_assert_eq(
	    http_req(e.port, "POST", "/metrics", NULL, "x=1", &r, 10000), 0);
	cr_assert_eq(r.status, 405);
	cr_assert_not_null(http_header(&r, "allow", hdr, sizeof(hdr)));
	cr_assert_str_eq(hdr, "GET, HEAD");
	http_resp_free(&r);
	cr_assert_eq(http_req(e.port, "DELETE", "/", NULL, NULL, &r, 10000), 0);
	cr_assert_eq(r.status, 405);
	http_resp_free(&r);
	cr_assert_eq(
	    http_req(e.port, "HEAD", "/metrics", NULL, NULL, &r, 10000), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body_len, 0);
	cr_assert_not_null(http_header(&r, "content-length", hdr, sizeof(hdr)));
	cr_assert_gt(atol(hdr), 1000);
	http_resp_free(&r);
	get(e.port, "/", &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "href=\"/metrics\""));
	http_resp_free(&r);
	/* what lws cannot parse, lws refuses (403 in 4.1.6) and closes */
	cr_assert_eq(http_raw(e.port, "garbage\r\n\r\n", 11, &r, 10000), 0);
	cr_assert(r.status == 0 || r.status == 400 || r.status == 403, "%d",
	          r.status);
	http_resp_free(&r);

	/* a request whose headers never end is cut off (5 s), while others
	 * are served at once */
	slow = connect_to(e.port);
	t0 = test_now_ms();
	cr_assert_eq(send(slow, "GET /metrics HTTP/1.1\r\n", 23, 0), 23);
	for (int i = 0; i < 3; i++) {
		long long a = test_now_ms();

		cr_assert_eq(send(slow, "X-A: b\r\n", 8, MSG_NOSIGNAL), 8);
		get(e.port, "/healthz", &r);
		cr_assert_eq(r.status, 200);
		cr_assert_lt(test_now_ms() - a, 5000,
		             "healthz waited behind a slow client");
		http_resp_free(&r);
	}
	cr_assert(closed_within(slow, 30000), "slow headers never cut off");
	cr_assert_geq(test_now_ms() - t0, 2000, "cut off too early");
	close(slow);

	/* 64 KiB of headers: past lws's limit, refused or closed */
	huge = malloc(70000);
	cr_assert_not_null(huge);
	strcpy(huge, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(huge + strlen(huge), 'a', 65536);
	strcpy(huge + strlen(huge) - 0, "\r\n\r\n");
	big = connect_to(e.port);
	send(big, huge, strlen(huge), MSG_NOSIGNAL);
	free(huge);
	cr_assert(closed_within(big, 30000), "oversized headers not refused");
	close(big);
	get(e.port, "/healthz", &r);
	cr_assert_eq(r.status, 200);
	http_resp_free(&r);
	cr_assert_eq(child_stop(&e), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * Scrape back to back until the scrape shows sample prefix == want; each
 * scrape must be whole, quick, and keep the fallback counter monotonic.
 */
static bool
scrape_until(int port, const char *prefix, double want, double *last_fb,
             long long *worst, int *scrapes)
{
	for (long long end = test_now_ms() + 30000; test_now_ms() < end;) {
		long long a = test_now_ms();
		struct http_resp r;
		double fb;
		bool hit;

		get(port, "/metrics", &r);
		if (test_now_ms() - a > *worst)
			*worst = test_now_ms() - a;
		cr_assert_eq(r.status, 200);
		cr_assert(strstr(r.body, "process_max_fds"), "cut short");
		fb = sample(r.body,
		            "wsdash_fallbacks_total{endpoint=\"routes\"}");
		cr_assert_geq(fb, *last_fb, "a counter went down");
		*last_fb = fb;
		hit = sample(r.body, prefix) == want;
		http_resp_free(&r);
		(*scrapes)++;
		if (hit)
			return true;
	}
	return false;
}

Test(exporter, scrapes_while_endpoints_flap)
{
	struct child srv, e;
	double last_fb = 0;
	int scrapes = 0;
	long long worst = 0;

	cr_assert(serve_start(&srv, "--rate", "20", NULL));
	cr_assert(exp_start(&e, srv.port, "--poll-interval", "100",
	                    "--retry-base", "100", NULL));
	cr_assert(scrape_until(e.port, ROUTES_STATE("live"), 1, &last_fb,
	                       &worst, &scrapes));
	for (int k = 0; k < 5; k++) {
		jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
		cr_assert(scrape_until(e.port,
		                       "wsdash_endpoint_fallback{endpoint="
		                       "\"routes\"}",
		                       1, &last_fb, &worst, &scrapes),
		          "flap %d: never in fallback", k);
		jl_post(srv.port, "/control/up?path=/ws/routes");
		cr_assert(scrape_until(e.port, ROUTES_STATE("live"), 1,
		                       &last_fb, &worst, &scrapes),
		          "flap %d: never live again", k);
	}
	cr_assert_geq(last_fb, 5, "%g fallbacks counted", last_fb);
	cr_assert_lt(worst, 5000, "a scrape took %lld ms", worst);
	cr_assert_eq(child_stop(&e), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(exporter, watch_and_demo_serve_metrics_too)
{
	struct child srv, w, d;
	char server[64], listen[32], *body;
	int port = free_port();
	const char *wargv[] = {"watch",     "--json", "--server", server,
	                       "--metrics", listen,   NULL};
	const char *dargv[] = {"demo",      "--plain", "--scenario", "steady",
	                       "--metrics", listen,    NULL};
	struct http_resp r;

	cr_assert(serve_start(&srv, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	cr_assert(child_start(&w, false, wargv));
	body = wait_sample(port, ROUTES_STATE("live"), 1, 20000);
	cr_assert_not_null(body, "watch --metrics: routes never live");
	free(body);
	get(port, "/probe?target=workflows", &r);
	cr_assert_eq(sample(r.body, "probe_success"), 1, "%s", r.body);
	http_resp_free(&r);
	cr_assert_eq(child_stop(&w), 0);
	/* the port is free again once watch is gone */
	cr_assert(child_start(&d, false, dargv));
	body = wait_sample(port,
	                   "wsdash_endpoint_state{endpoint=\"workflows\","
	                   "state=\"live\"}",
	                   1, 20000);
	cr_assert_not_null(body, "demo --metrics: never live");
	free(body);
	cr_assert_eq(child_stop(&d), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(exporter, usage_errors)
{
	char out[4096], err[4096];
	const char *a1[] = {"exporter", "--listen", "nowhere:x", NULL};
	const char *a2[] = {"exporter", "--json", NULL};
	const char *a3[] = {"exporter", "--listen", NULL};
	const char *a4[] = {"exporter", "--help", NULL};

	cr_assert_eq(run_wsdash(a1, out, sizeof(out), err, sizeof(err), 10000),
	             2);
	cr_assert(strstr(err, "wsdash exporter:"), "%s", err);
	cr_assert_eq(run_wsdash(a2, out, sizeof(out), err, sizeof(err), 10000),
	             2);
	cr_assert_eq(run_wsdash(a3, out, sizeof(out), err, sizeof(err), 10000),
	             2);
	cr_assert_eq(run_wsdash(a4, out, sizeof(out), err, sizeof(err), 10000),
	             0);
	cr_assert(strstr(out, "10890"), "the default port is documented");
}

/* ---- a real Prometheus ------------------------------------------------- */

/* Percent-encode s for a query string. */
static void
qenc(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "%%%02X", c);
	}
	out[o] = '\0';
}

/* The value of an instant query (first series), NAN if none. */
static double
prom_query(int port, const char *expr)
{
	char q[1024], path[1200];
	struct http_resp r;
	double v = NAN;
	cJSON *j, *res, *val;

	qenc(expr, q, sizeof(q));
	snprintf(path, sizeof(path), "/api/v1/query?query=%s", q);
	if (http_req(port, "GET", path, NULL, NULL, &r, 10000) != 0)
		return NAN;
	j = cJSON_Parse(r.body ? r.body : "");
	res = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "data"), "result");
	val = cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0), "value");
	if (cJSON_IsArray(val) && cJSON_IsString(cJSON_GetArrayItem(val, 1)))
		v = strtod(cJSON_GetArrayItem(val, 1)->valuestring, NULL);
	cJSON_Delete(j);
	http_resp_free(&r);
	return v;
}

/* Query until expr == want; the time it took, or -1. */
static long long
prom_wait(int port, const char *expr, double want, int timeout_ms)
{
	long long t0 = test_now_ms(), end = t0 + timeout_ms;

	do {
		if (prom_query(port, expr) == want)
			return test_now_ms() - t0;
		poll(NULL, 0, 200);
	} while (test_now_ms() < end);
	return -1;
}

Test(exporter, real_prometheus_scrapes_and_probes)
{
	struct child srv, e, prom;
	char dir[] = "/tmp/wsdash-prom-XXXXXX", cfgpath[128], cmd[1024];
	char pexpr[512];
	int pport = free_port();
	FILE *f;

	cr_assert(access(PROMETHEUS, X_OK) == 0,
	          "prometheus is not installed (.ci/deps test)");
	cr_assert(serve_start(&srv, NULL));
	cr_assert(exp_start(&e, srv.port, "--poll-interval", "200",
	                    "--retry-base", "300", NULL));
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cfgpath, sizeof(cfgpath), "%s/prometheus.yml", dir);
	f = fopen(cfgpath, "w");
	cr_assert_not_null(f);
	fprintf(f,
	        "global:\n"
	        "  scrape_interval: 1s\n"
	        "  scrape_timeout: 1s\n"
	        "  evaluation_interval: 1s\n"
	        "scrape_configs:\n"
	        "  - job_name: wsdash\n"
	        "    static_configs:\n"
	        "      - targets: ['127.0.0.1:%d']\n"
	        "  - job_name: wsdash_probe\n"
	        "    metrics_path: /probe\n"
	        "    static_configs:\n"
	        "      - targets:\n"
	        "          - ws://127.0.0.1:%d/ws/workflows\n"
	        "          - ws://127.0.0.1:%d/ws/missing\n"
	        "    relabel_configs:\n"
	        "      - source_labels: [__address__]\n"
	        "        target_label: __param_target\n"
	        "      - source_labels: [__param_target]\n"
	        "        target_label: instance\n"
	        "      - target_label: __address__\n"
	        "        replacement: 127.0.0.1:%d\n",
	        e.port, srv.port, srv.port, e.port);
	fclose(f);
	/* its log to a file: ctest shows ours on failure */
	snprintf(cmd, sizeof(cmd),
	         "exec " PROMETHEUS " --config.file=%s "
	         "--storage.tsdb.path=%s/data "
	         "--web.listen-address=127.0.0.1:%d "
	         "--storage.tsdb.retention.time=1h 2>%s/prometheus.log",
	         cfgpath, dir, pport, dir);
	{
		const char *argv[] = {"/bin/sh", "-c", cmd, NULL};

		cr_assert(child_start_cmd(&prom, false, argv));
	}
	/* scraped: routes live, seen through Prometheus */
	cr_assert_geq(prom_wait(pport,
	                        "wsdash_endpoint_state{endpoint=\"routes\","
	                        "state=\"live\"}",
	                        1, 60000),
	              0, "Prometheus never saw routes live (log in %s)", dir);
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	cr_assert_geq(prom_wait(pport,
	                        "wsdash_endpoint_state{endpoint=\"routes\","
	                        "state=\"polling\"}",
	                        1, 30000),
	              0, "Prometheus never saw routes polling");
	cr_assert_geq(prom_query(pport, "wsdash_fallbacks_total{endpoint="
	                                "\"routes\"}"),
	              1);
	jl_post(srv.port, "/control/up?path=/ws/routes");
	cr_assert_geq(prom_wait(pport,
	                        "wsdash_endpoint_state{endpoint=\"routes\","
	                        "state=\"live\"}",
	                        1, 30000),
	              0, "Prometheus never saw routes live again");
	/* the probe job, through relabelling */
	for (int k = 0; k < 2; k++) {
		snprintf(pexpr, sizeof(pexpr),
		         "probe_success{job=\"wsdash_probe\",instance=\"ws://"
		         "127.0.0.1:%d/ws/%s\"}",
		         srv.port, k == 0 ? "workflows" : "missing");
		cr_assert_geq(prom_wait(pport, pexpr, k == 0 ? 1 : 0, 30000), 0,
		              "%s never %d", pexpr, k == 0 ? 1 : 0);
	}
	cr_assert_eq(prom_query(pport, "up{job=\"wsdash\"}"), 1);
	child_stop(&prom);
	cr_assert_eq(child_stop(&e), 0);
	cr_assert_eq(child_stop(&srv), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
