/*
 * The demo backend (`wsdash serve`) as a client sees it: the real binary on
 * 127.0.0.1 with an ephemeral port, real WebSocket and HTTP clients, and a
 * raw-socket WebSocket client where the bytes on the wire matter (lws's
 * client rewrites close code 1012). Both flavors: the demo's own backend
 * and --flavor tac, the tac-webbuilder backend.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "http.h"
#include "proc.h"
#include "rawws.h"
#include "wsclient.h"
#include "wsdash/demo_world.h"
#include "wsdash/scenario.h"

static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Next message that parses as JSON with the given type (others skipped). */
static cJSON *
next_of_type(struct wsc *c, const char *type, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;

	while (test_now_ms() < end) {
		char *m = wsc_next(c, (int)(end - test_now_ms()));
		cJSON *j, *t;

		if (m == NULL)
			return NULL;
		j = cJSON_Parse(m);
		free(m);
		t = cJSON_GetObjectItem(j, "type");
		if (cJSON_IsString(t) && strcmp(t->valuestring, type) == 0)
			return j;
		cJSON_Delete(j);
	}
	return NULL;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	cr_assert(cJSON_IsNumber(v), "'%s' is not a number", k);
	return v->valuedouble;
}

/* GET/POST path and parse the JSON body; status into *status. */
static cJSON *
http_json(int port, const char *method, const char *path, int *status)
{
	struct http_resp r;
	cJSON *j;

	cr_assert_eq(http_req(port, method, path, NULL, NULL, &r, 10000), 0,
	             "%s %s failed", method, path);
	*status = r.status;
	j = cJSON_Parse(r.body);
	cr_assert_not_null(j, "%s %s: body is not JSON: %s", method, path,
	                   r.body);
	http_resp_free(&r);
	return j;
}

static cJSON *
stream_state(int port, const char *path)
{
	int st;
	cJSON *s = http_json(port, "GET", "/control/state", &st), *it;

	cr_assert_eq(st, 200);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(s, "streams"))
	{
		if (strcmp(cJSON_GetObjectItem(it, "path")->valuestring,
		           path) == 0) {
			cJSON *copy = cJSON_Duplicate(it, 1);

			cJSON_Delete(s);
			return copy;
		}
	}
	cJSON_Delete(s);
	cr_assert_fail("no stream %s in /control/state", path);
	return NULL;
}

Test(serve, each_stream_upgrades_and_sends_its_snapshot)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();

	cr_assert(serve_start(&srv, NULL));
	for (int s = 0; s < DEMO_NSTREAMS; s++) {
		const struct demo_stream_info *in = demo_stream_info(s);
		struct wsc *c = wsc_open(x, srv.port, in->ws_path);
		long long t0;
		cJSON *m;

		cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN, "%s: %s",
		             in->ws_path, wsc_error(c));
		cr_assert_eq(wsc_http_status(c), 101);
		t0 = test_now_ms();
		wsc_send(c, "{\"type\":\"client_ready\"}");
		m = next_of_type(c, in->msg_type, 10000);
		cr_assert_not_null(m, "no %s on %s", in->msg_type, in->ws_path);
		/* client_ready is answered at once, not after the 2 s wait */
		cr_assert_lt(test_now_ms() - t0, 1500,
		             "snapshot %lld ms after client_ready",
		             test_now_ms() - t0);
		cr_assert_eq(num(m, "seq"), 1);
		cr_assert_lt(llabs((long long)num(m, "sent_at") - wall_ms()),
		             5000);
		const cJSON *d = cJSON_GetObjectItem(m, "data");
		if (s == DEMO_HISTORY) {
			cr_assert(
			    cJSON_IsArray(cJSON_GetObjectItem(d, "workflows")));
			cr_assert(cJSON_IsNumber(
			    cJSON_GetObjectItem(d, "total_count")));
			const cJSON *an = cJSON_GetObjectItem(d, "analytics");
			num(an, "success_rate");
			num(an, "average_duration");
			num(an, "recent_failures");
		} else {
			cr_assert(cJSON_IsArray(d));
			cr_assert_gt(cJSON_GetArraySize(d), 0);
		}
		cJSON_Delete(m);
	}
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, snapshot_comes_after_two_seconds_without_client_ready)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	long long t0;
	char *m;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	c = wsc_open(x, srv.port, "/ws/workflows");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	t0 = test_now_ms();
	m = wsc_next(c, 3500);
	cr_assert_not_null(m);
	cr_assert_geq(test_now_ms() - t0, 1500,
	              "snapshot came before the wait");
	cr_assert(strstr(m, "\"workflows_update\"") && strstr(m, "\"seq\":1,"));
	free(m);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, updates_carry_consecutive_seq_and_sent_at)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	double last_sent = 0;

	cr_assert(serve_start(&srv, "--rate", "20", NULL));
	c = wsc_open(x, srv.port, "/ws/workflows");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	wsc_send(c, "{\"type\":\"client_ready\"}");
	for (int i = 1; i <= 6; i++) {
		cJSON *m = next_of_type(c, "workflows_update", 10000);

		cr_assert_not_null(m, "update %d missing", i);
		cr_assert_eq(num(m, "seq"), i);
		cr_assert_geq(num(m, "sent_at"), last_sent);
		last_sent = num(m, "sent_at");
		cJSON_Delete(m);
	}
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, app_ping_gets_pong_and_protocol_ping_gets_pong)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	cJSON *p;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	c = wsc_open(x, srv.port, "/ws/routes");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	wsc_send(c, "{\"type\":\"ping\",\"timestamp\":1764108000123}");
	p = next_of_type(c, "pong", 10000);
	cr_assert_not_null(p);
	cr_assert_eq((long long)num(p, "timestamp"), 1764108000123LL);
	cJSON_Delete(p);
	/* a string timestamp comes back as the same string */
	wsc_send(c, "{\"type\":\"ping\",\"timestamp\":\"t-1\"}");
	p = next_of_type(c, "pong", 10000);
	cr_assert_str_eq(cJSON_GetObjectItem(p, "timestamp")->valuestring,
	                 "t-1");
	cJSON_Delete(p);

	wsc_ping(c);
	for (long long end = test_now_ms() + 2000;
	     wsc_pongs(c) == 0 && test_now_ms() < end;)
		wsc_ctx_run(x, 10);
	cr_assert_eq(wsc_pongs(c), 1);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, head_is_404_while_the_upgrade_gets_101)
{
	struct child srv;
	struct http_resp r;
	char req[512], acc[128], expect[64];
	unsigned char sha[20];
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==",
	           *guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char cat[128];

	cr_assert(serve_start(&srv, NULL));
	cr_assert_eq(
	    http_req(srv.port, "HEAD", "/ws/workflows", NULL, NULL, &r, 10000),
	    0);
	cr_assert_eq(r.status, 404);
	cr_assert_eq(r.body_len, 0, "HEAD answer has a body");
	http_resp_free(&r);

	snprintf(req, sizeof(req),
	         "GET /ws/workflows HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n\r\n",
	         key);
	cr_assert_eq(http_raw(srv.port, req, strlen(req), &r, 10000), 0);
	cr_assert_eq(r.status, 101, "%s", r.head);
	snprintf(cat, sizeof(cat), "%s%s", key, guid);
	lws_SHA1((const unsigned char *)cat, strlen(cat), sha);
	lws_b64_encode_string((const char *)sha, sizeof(sha), expect,
	                      sizeof(expect));
	cr_assert_not_null(
	    http_header(&r, "Sec-WebSocket-Accept", acc, sizeof(acc)));
	cr_assert_str_eq(acc, expect);
	http_resp_free(&r);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, api_endpoints_serve_the_stream_data_as_json)
{
	struct child srv;
	struct http_resp r;
	char ct[64];
	int st;
	cJSON *j, *it;

	cr_assert(serve_start(&srv, NULL));
	j = http_json(srv.port, "GET", "/api/workflows", &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(cJSON_GetArraySize(j), DEMO_ACTIVE);
	cJSON_ArrayForEach(it, j)
	{
		num(it, "id");
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, "name")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, "status")));
		cr_assert(cJSON_HasObjectItem(it, "start_time"));
	}
	cJSON_Delete(j);

	j = http_json(srv.port, "GET", "/api/workflow-history", &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(j, "workflows")));
	num(j, "total_count");
	num(cJSON_GetObjectItem(j, "analytics"), "success_rate");
	cJSON_Delete(j);

	j = http_json(srv.port, "GET", "/api/routes", &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsArray(j));
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "method")
	                     ->valuestring,
	                 "GET");
	cJSON_Delete(j);

	cr_assert_eq(
	    http_req(srv.port, "GET", "/api/routes", NULL, NULL, &r, 10000), 0);
	cr_assert_str_eq(http_header(&r, "content-type", ct, sizeof(ct)),
	                 "application/json");
	http_resp_free(&r);
	/* HEAD on an API path: 200, headers only */
	cr_assert_eq(
	    http_req(srv.port, "HEAD", "/api/routes", NULL, NULL, &r, 10000),
	    0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body_len, 0);
	http_resp_free(&r);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, unknown_paths_are_404)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	int st;
	cJSON *j;

	cr_assert(serve_start(&srv, NULL));
	j = http_json(srv.port, "GET", "/nope", &st);
	cr_assert_eq(st, 404);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "detail")->valuestring,
	                 "Not Found");
	cJSON_Delete(j);
	/* a WebSocket path without the upgrade, as FastAPI answers */
	j = http_json(srv.port, "GET", "/ws/workflows", &st);
	cr_assert_eq(st, 404);
	cJSON_Delete(j);

	c = wsc_open(x, srv.port, "/ws/nope");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_FAILED);
	cr_assert_eq(wsc_http_status(c), 404);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

static void
down_up_cycle(const char *status_str, int status)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *live, *again, *other;
	char path[128];
	int st;
	cJSON *j, *s;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	live = wsc_open(x, srv.port, "/ws/routes");
	cr_assert_eq(wsc_wait_open(live, 10000), WSC_OPEN);

	snprintf(path, sizeof(path), "/control/down?path=/ws/routes&status=%s",
	         status_str);
	j = http_json(srv.port, "POST", path, &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(num(j, "dropped"), 1);
	cJSON_Delete(j);

	/* the live connection is closed at once, with "going away" */
	cr_assert(wsc_wait_closed(live, 10000));
	cr_assert_eq(wsc_close_code(live), 1001);

	again = wsc_open(x, srv.port, "/ws/routes");
	cr_assert_eq(wsc_wait_open(again, 10000), WSC_FAILED);
	cr_assert_eq(wsc_http_status(again), status);
	other = wsc_open(x, srv.port, "/ws/workflows");
	cr_assert_eq(wsc_wait_open(other, 10000), WSC_OPEN);
	/* polling still answers while the stream is down */
	j = http_json(srv.port, "GET", "/api/routes", &st);
	cr_assert_eq(st, 200);
	cJSON_Delete(j);
	s = stream_state(srv.port, "/ws/routes");
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(s, "up")));
	cr_assert_eq(num(s, "status"), status);
	cJSON_Delete(s);

	j = http_json(srv.port, "POST", "/control/up?path=/ws/routes", &st);
	cr_assert_eq(st, 200);
	cJSON_Delete(j);
	again = wsc_open(x, srv.port, "/ws/routes");
	cr_assert_eq(wsc_wait_open(again, 10000), WSC_OPEN);
	s = stream_state(srv.port, "/ws/routes");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(s, "up")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(s, "status")));
	cJSON_Delete(s);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, control_down_503_drops_and_refuses_then_up_restores)
{
	down_up_cycle("503", 503);
}

Test(serve, control_down_404_drops_and_refuses_then_up_restores)
{
	down_up_cycle("404", 404);
}

Test(serve, control_send_pushes_one_update_now)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	int st;
	cJSON *j, *m;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	c = wsc_open(x, srv.port, "/ws/workflows");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	wsc_send(c, "{\"type\":\"client_ready\"}");
	m = next_of_type(c, "workflows_update", 10000);
	cr_assert_eq(num(m, "seq"), 1);
	cJSON_Delete(m);
	/* with --rate 0 nothing else comes by itself */
	cr_assert_null(wsc_next(c, 400));

	j = http_json(srv.port, "POST", "/control/send?path=/ws/workflows",
	              &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(num(j, "clients"), 1);
	cJSON_Delete(j);
	m = next_of_type(c, "workflows_update", 10000);
	cr_assert_not_null(m);
	cr_assert_eq(num(m, "seq"), 2, "with --rate 0 only the send sends");
	cJSON_Delete(m);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, bad_control_requests_get_400_and_change_nothing)
{
	static const struct {
		const char *method, *path;
		int status;
	} bad[] = {
	    {"POST", "/control/down", 400},
	    {"POST", "/control/down?path=", 400},
	    {"POST", "/control/down?path=/ws/nope&status=503", 400},
	    {"POST", "/control/down?path=/ws/routes", 400},
	    {"POST", "/control/down?path=/ws/routes&status=500", 400},
	    {"POST", "/control/down?path=/ws/routes&status=abc", 400},
	    {"POST", "/control/up", 400},
	    {"POST", "/control/send?path=/api/routes", 400},
	    {"GET", "/control/down?path=/ws/routes&status=503", 405},
	    {"POST", "/control/state", 405},
	    {"POST", "/control/explode", 404},
	};
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *live;
	int st;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	live = wsc_open(x, srv.port, "/ws/routes");
	cr_assert_eq(wsc_wait_open(live, 10000), WSC_OPEN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *j = http_json(srv.port, bad[i].method, bad[i].path, &st);

		cr_assert_eq(st, bad[i].status, "%s %s: %d", bad[i].method,
		             bad[i].path, st);
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "error")),
		          "%s %s: no JSON error", bad[i].method, bad[i].path);
		cJSON_Delete(j);
	}
	/* nothing changed: every stream up, the live client still open */
	for (int s = 0; s < DEMO_NSTREAMS; s++) {
		cJSON *o = stream_state(srv.port, demo_stream_info(s)->ws_path);

		cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "up")));
		cJSON_Delete(o);
	}
	wsc_ctx_run(x, 100);
	cr_assert_eq(wsc_state(live), WSC_OPEN);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, control_post_with_a_body_is_answered)
{
	struct child srv;
	struct http_resp r;

	cr_assert(serve_start(&srv, NULL));
	cr_assert_eq(http_req(srv.port, "POST",
	                      "/control/down?path=/ws/routes&status=503", NULL,
	                      "{\"ignored\":true}", &r, 10000),
	             0);
	cr_assert_eq(r.status, 200, "%s", r.head);
	http_resp_free(&r);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, oversized_client_message_closes_only_that_connection)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *big, *ok;
	size_t n = 70 * 1024;
	char *blob = malloc(n);
	cJSON *p;

	memset(blob, 'a', n);
	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	big = wsc_open(x, srv.port, "/ws/workflows");
	ok = wsc_open(x, srv.port, "/ws/workflows");
	cr_assert_eq(wsc_wait_open(big, 10000), WSC_OPEN);
	cr_assert_eq(wsc_wait_open(ok, 10000), WSC_OPEN);
	wsc_send_len(big, blob, n);
	cr_assert(wsc_wait_closed(big, 10000));
	cr_assert_eq(wsc_close_code(big), 1009);

	/* the neighbour is unaffected; 60 KiB is still within the limit */
	wsc_send_len(ok, blob, 60 * 1024);
	wsc_send(ok, "{\"type\":\"ping\",\"timestamp\":5}");
	p = next_of_type(ok, "pong", 10000);
	cr_assert_not_null(p);
	cJSON_Delete(p);
	cr_assert_eq(wsc_state(ok), WSC_OPEN);
	free(blob);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, flood_sends_count_updates_then_flood_done)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	int n = 0;
	char *m;

	cr_assert(
	    serve_start(&srv, "--scenario", "flood", "--count", "3000", NULL));
	c = wsc_open(x, srv.port, "/ws/routes");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	wsc_send(c, "{\"type\":\"client_ready\"}");
	while ((m = wsc_next(c, 10000)) != NULL) {
		cJSON *j = cJSON_Parse(m);
		const char *t = cJSON_GetObjectItem(j, "type")->valuestring;

		free(m);
		if (strcmp(t, "flood_done") == 0) {
			cr_assert_eq(num(j, "seq"), n + 1);
			cJSON_Delete(j);
			break;
		}
		cr_assert_str_eq(t, "routes_update");
		cr_assert_eq(num(j, "seq"), ++n);
		cJSON_Delete(j);
	}
	cr_assert_eq(n, 3000);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, a_thousand_clients)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c[1000];
	int open = 0, got = 0, st;
	cJSON *j;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	for (int i = 0; i < 1000; i++)
		c[i] = wsc_open(x, srv.port,
		                demo_stream_info(i % DEMO_NSTREAMS)->ws_path);
	for (long long end = test_now_ms() + 20000; test_now_ms() < end;) {
		open = 0;
		for (int i = 0; i < 1000; i++)
			open += wsc_state(c[i]) == WSC_OPEN;
		if (open == 1000)
			break;
		wsc_ctx_run(x, 20);
	}
	cr_assert_eq(open, 1000);
	for (int i = 0; i < 1000; i++)
		wsc_send(c[i], "{\"type\":\"client_ready\"}");
	for (long long end = test_now_ms() + 20000; test_now_ms() < end;) {
		got = 0;
		for (int i = 0; i < 1000; i++)
			got += wsc_received(c[i]) >= 1;
		if (got == 1000)
			break;
		wsc_ctx_run(x, 20);
	}
	cr_assert_eq(got, 1000, "only %d snapshots", got);
	j = http_json(srv.port, "GET", "/control/state", &st);
	cr_assert_eq(num(j, "clients"), 1000);
	cJSON_Delete(j);
	cr_assert_lt(proc_rss_kib(srv.pid), 64 * 1024);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/* Parse an outage log line of `wsdash serve` into an event. */
static bool
parse_outage(const char *line, struct scen_event *ev)
{
	char path[64];
	int status;

	memset(ev, 0, sizeof(*ev));
	if (strstr(line, "outage: server stopped accepting")) {
		ev->kind = SCEN_SERVER_STOP;
		return true;
	}
	if (strstr(line, "outage: server accepting again")) {
		ev->kind = SCEN_SERVER_START;
		return true;
	}
	line = strstr(line, "outage: ");
	if (line == NULL)
		return false;
	if (sscanf(line, "outage: %63s down (%d)", path, &status) == 2) {
		ev->kind = SCEN_STREAM_DOWN;
		ev->status = status;
	} else if (sscanf(line, "outage: %63s up", path) == 1) {
		ev->kind = SCEN_STREAM_UP;
	} else {
		return false;
	}
	for (int s = 0; s < DEMO_NSTREAMS; s++)
		if (strcmp(demo_stream_info(s)->ws_path, path) == 0)
			ev->stream = s;
	return true;
}

/* The HTTP status of an upgrade on path now (0: no answer/refused). */
static int
upgrade_status(int port, const char *path)
{
	char req[512];
	struct http_resp r;
	int st;

	snprintf(req, sizeof(req),
	         "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
	         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	         path);
	if (http_raw(port, req, strlen(req), &r, 10000) != 0)
		return 0;
	st = r.status;
	http_resp_free(&r);
	return st;
}

/*
 * The outages scenario, run 50x faster, follows the schedule its seed
 * defines. The server's own log says when it applied each event (it logs
 * right after applying, before it serves anyone again), so the order and
 * the kinds are checked against the plan without racing it, timing has a
 * lower bound (never early) and a generous upper one; and each outage is
 * confirmed from outside: an upgrade during a stream outage gets the
 * planned status, a connect while stopped is refused, unless the log
 * already says the outage had ended by then.
 */
Test(serve, outages_follow_the_seeded_schedule)
{
	const double speed = 50;
	struct scenario sc;
	struct scen_event plan[8];
	uint64_t seed = 1;
	char seedarg[32], line[256], next[256] = "";
	struct child srv;
	long long t0;
	int seen = 0;

	/* A seed whose first eight events include a server stop. */
	for (;; seed++) {
		bool stop = false;

		scenario_init(&sc, seed);
		for (int i = 0; i < 8; i++) {
			plan[i] = scenario_next(&sc);
			stop |= plan[i].kind == SCEN_SERVER_STOP;
		}
		if (stop)
			break;
	}
	snprintf(seedarg, sizeof(seedarg), "%llu", (unsigned long long)seed);
	/* before the start: the server's scenario clock starts later, so
	 * nothing it does on time can look early from here */
	t0 = test_now_ms();
	cr_assert(serve_start(&srv, "--scenario", "outages", "--seed", seedarg,
	                      "--speed", "50", "--rate", "0", NULL));
	while (seen < 8) {
		const struct scen_event *p = &plan[seen];
		long long t;
		struct scen_event ev;

		/* a line read ahead while confirming comes first */
		if (next[0] != '\0') {
			snprintf(line, sizeof(line), "%s", next);
			next[0] = '\0';
		} else if (!child_read_line(&srv, line, sizeof(line),
		                            (int)(plan[7].at_ms / speed) +
		                                20000)) {
			break;
		}
		t = test_now_ms() - t0;
		if (!parse_outage(line, &ev))
			continue;
		cr_assert_eq(ev.kind, p->kind, "event %d: %s, planned %s", seen,
		             scen_kind_name(ev.kind), scen_kind_name(p->kind));
		if (p->kind == SCEN_STREAM_DOWN || p->kind == SCEN_STREAM_UP)
			cr_assert_eq(ev.stream, p->stream, "event %d: stream",
			             seen);
		if (p->kind == SCEN_STREAM_DOWN)
			cr_assert_eq(ev.status, p->status, "event %d: status",
			             seen);
		/* never early; late only as much as a busy machine makes it */
		cr_assert_geq(t, p->at_ms / speed - 20,
		              "event %d at %lld ms, planned at %g ms", seen, t,
		              p->at_ms / speed);
		cr_assert_leq(t, p->at_ms / speed + 5000,
		              "event %d at %lld ms, planned at %g ms", seen, t,
		              p->at_ms / speed);
		seen++;

		/* confirm from outside */
		if (p->kind == SCEN_STREAM_DOWN) {
			int st = upgrade_status(
			    srv.port, demo_stream_info(p->stream)->ws_path);

			if (st != p->status) {
				cr_assert_eq(st, 101,
				             "upgrade during the "
				             "outage: %d",
				             st);
				cr_assert(child_read_line(&srv, next,
				                          sizeof(next), 0) &&
				              strstr(next, " up"),
				          "101 during a logged outage");
			}
		} else if (p->kind == SCEN_SERVER_STOP) {
			struct http_resp r;
			int rc = http_req(srv.port, "GET", "/control/state",
			                  NULL, NULL, &r, 1000);

			if (rc != -ECONNREFUSED) {
				if (rc == 0)
					http_resp_free(&r);
				cr_assert(child_read_line(&srv, next,
				                          sizeof(next), 0) &&
				              strstr(next, "accepting again"),
				          "connected while logged stopped "
				          "(%d)",
				          rc);
			}
		}
	}
	cr_assert_eq(seen, 8, "saw %d of 8 planned events", seen);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, sigterm_and_sigint_shut_down_cleanly)
{
	int sigs[] = {SIGTERM, SIGINT};

	for (int i = 0; i < 2; i++) {
		struct child srv;
		struct wsc_ctx *x = wsc_ctx_new();
		struct wsc *c;
		int status;

		cr_assert(serve_start(&srv, NULL));
		c = wsc_open(x, srv.port, "/ws/workflows");
		cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
		status = child_signal_wait(&srv, sigs[i], 3000);
		cr_assert_neq(status, -1, "did not exit");
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		          "status %d", status);
		cr_assert(wsc_wait_closed(c, 10000));
		wsc_ctx_free(x);
		cr_assert_eq(child_stop(&srv), 0,
		             "server did not exit cleanly");
	}
}

Test(serve, port_in_use_is_a_clear_error)
{
	struct child a;
	char port[16], out[1024], err[1024];
	int rc;

	cr_assert(serve_start(&a, NULL));
	snprintf(port, sizeof(port), "%d", a.port);
	rc = run_wsdash((const char *[]){"serve", "--port", port, NULL}, out,
	                sizeof(out), err, sizeof(err), 20000);
	cr_assert_eq(rc, 1);
	cr_assert(strstr(err, "cannot listen") && strstr(err, port), "%s", err);
	cr_assert_eq(child_stop(&a), 0);
}

/* --bind takes names: "localhost" listens where clients look first */
Test(serve, bind_takes_host_names)
{
	struct child a;
	char out[1024], err[1024];
	int rc;

	cr_assert(serve_start(&a, "--bind", "localhost", NULL));
	cr_assert(a.port > 0);
	/* the line tells the address, not the name */
	{
		struct child b;

		cr_assert(
		    child_start(&b, false,
		                (const char *[]){"serve", "--port", "0",
		                                 "--bind", "localhost", NULL}));
		cr_assert(child_read_line(&b, out, sizeof(out), 10000));
		cr_assert(strncmp(out, "listening on 127.0.0.1:", 23) == 0,
		          "%s", out);
		child_stop(&b);
	}
	cr_assert_eq(child_stop(&a), 0);
	/* (a name that does not resolve: tests/hostile/test_dns.c) */
	rc = run_wsdash((const char *[]){"serve", "--bind", "bad_name!", NULL},
	                out, sizeof(out), err, sizeof(err), 20000);
	cr_assert_eq(rc, 2, "%s", err);
	cr_assert(strstr(err, "not an IPv4 or IPv6 address or a host name"),
	          "%s", err);
}

Test(cli, version_help_and_usage_errors)
{
	char out[4096], err[4096];

	cr_assert_eq(run_wsdash((const char *[]){"--version", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             0);
	cr_assert(strncmp(out, "wsdash ", 7) == 0, "%s", out);
	cr_assert_eq(run_wsdash((const char *[]){"--help", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             0);
	cr_assert(strstr(out, "serve"));
	cr_assert_eq(run_wsdash((const char *[]){"serve", "--help", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             0);
	cr_assert(strstr(out, "--scenario"));

	cr_assert_eq(run_wsdash((const char *[]){"frobnicate", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             2);
	cr_assert(strstr(err, "unknown command 'frobnicate'"), "%s", err);
	cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line");
	cr_assert_eq(run_wsdash((const char *[]){"--bogus", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             2);
	cr_assert(strstr(err, "unknown option '--bogus'"), "%s", err);
	cr_assert_eq(run_wsdash((const char *[]){"serve", "--port", "x", NULL},
	                        out, sizeof(out), err, sizeof(err), 20000),
	             2);
	cr_assert(strstr(err, "--port"), "%s", err);
	cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line");
}

/* ---- --flavor tac: the tac-webbuilder backend as it runs today ---------- */

static const char *const tac_paths[TAC_NSTREAMS] = {
    "/api/v1/ws/workflows",        "/api/v1/ws/workflow-history",
    "/api/v1/ws/routes",           "/api/v1/ws/queue",
    "/api/v1/ws/adw-monitor",      "/api/v1/ws/system-status",
    "/api/v1/ws/planned-features", "/api/v1/ws/webhook-status",
};

static const char *const tac_types[TAC_NSTREAMS] = {
    "workflows_update",        "workflow_history_update",
    "routes_update",           "queue_update",
    "adw_monitor_update",      "system_status_update",
    "planned_features_update", "webhook_status_update",
};

/*
 * A message of the tac backend: exactly {"type": T, "data": D}, or
 * {"type": "pong", "timestamp": X}. Returns T.
 */
static const char *
tac_type_of(const cJSON *m)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "type");
	bool pong = cJSON_IsString(t) && strcmp(t->valuestring, "pong") == 0;

	cr_assert_eq(cJSON_GetArraySize(m), 2, "not {type, data}: %s",
	             cJSON_PrintUnformatted(m));
	cr_assert(cJSON_IsString(t), "no type: %s", cJSON_PrintUnformatted(m));
	cr_assert(cJSON_HasObjectItem(m, pong ? "timestamp" : "data"),
	          "no %s: %s", pong ? "timestamp" : "data",
	          cJSON_PrintUnformatted(m));
	return t->valuestring;
}

/* The next message on c (NULL on timeout), checked to be {type, data}. */
static cJSON *
tac_next(struct wsc *c, int timeout_ms)
{
	char *s = wsc_next(c, timeout_ms);
	cJSON *j;

	if (s == NULL)
		return NULL;
	j = cJSON_Parse(s);
	cr_assert_not_null(j, "not JSON: %s", s);
	free(s);
	tac_type_of(j);
	return j;
}

/* The next message must be of type; returns it. */
static cJSON *
tac_expect(struct wsc *c, const char *type, const char *where)
{
	cJSON *m = tac_next(c, 10000);

	cr_assert_not_null(m, "%s: no %s", where, type);
	cr_assert_str_eq(tac_type_of(m), type, "%s", where);
	return m;
}

/* Open every tac stream, ready, each past its snapshot (and its "before"). */
static void
tac_open_all(struct wsc_ctx *x, int port, struct wsc *c[TAC_NSTREAMS])
{
	for (int s = 0; s < TAC_NSTREAMS; s++)
		c[s] = wsc_open(x, port, tac_paths[s]);
	for (int s = 0; s < TAC_NSTREAMS; s++) {
		cr_assert_eq(wsc_wait_open(c[s], 10000), WSC_OPEN, "%s: %s",
		             tac_paths[s], wsc_error(c[s]));
		wsc_send(c[s], "{\"type\":\"client_ready\"}");
	}
	for (int s = 0; s < TAC_NSTREAMS; s++) {
		const struct demo_stream_info *in =
		    &demo_stream_flavor(SERVE_FLAVOR_TAC)->streams[s];

		if (in->before >= 0)
			cJSON_Delete(tac_expect(c[s], tac_types[in->before],
			                        tac_paths[s]));
		cJSON_Delete(tac_expect(c[s], tac_types[s], tac_paths[s]));
	}
}

Test(serve, tac_eight_paths_upgrade_and_others_get_403)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	const char *others[] = {"/api/v1/ws/nope", "/ws/workflows",
	                        "/api/v1/ws/adw-state/abc", "/"};
	char conn[64];

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	for (int s = 0; s < TAC_NSTREAMS; s++) {
		struct wsc *c = wsc_open(x, srv.port, tac_paths[s]);

		cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN, "%s: %s",
		             tac_paths[s], wsc_error(c));
		cr_assert_eq(wsc_http_status(c), 101);
	}
	/* Starlette's refusal: 403, no body, and the connection closed
	 * (http_raw reads until the server closes) */
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		char req[512];
		struct http_resp r;

		snprintf(req, sizeof(req),
		         "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		         "Sec-WebSocket-Version: 13\r\n"
		         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
		         others[i]);
		cr_assert_eq(http_raw(srv.port, req, strlen(req), &r, 10000),
		             0);
		cr_assert_eq(r.status, 403, "%s: %s", others[i], r.head);
		cr_assert(strncmp(r.head, "HTTP/1.1 403", 12) == 0, "%s",
		          r.head);
		cr_assert_eq(r.body_len, 0, "%s: a body", others[i]);
		cr_assert_not_null(
		    http_header(&r, "connection", conn, sizeof(conn)));
		cr_assert_str_eq(conn, "close");
		http_resp_free(&r);
	}
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, tac_head_or_get_on_a_ws_path_and_unknown_paths_are_404)
{
	struct child srv;
	struct http_resp r;
	char server[64];
	int st;
	cJSON *j;

	cr_assert(serve_start(&srv, "--flavor", "tac", NULL));
	cr_assert_eq(http_req(srv.port, "HEAD", "/api/v1/ws/workflows", NULL,
	                      NULL, &r, 10000),
	             0);
	cr_assert_eq(r.status, 404);
	cr_assert_eq(r.body_len, 0, "HEAD answer has a body");
	cr_assert_str_eq(http_header(&r, "server", server, sizeof(server)),
	                 "uvicorn");
	http_resp_free(&r);
	const char *nf[] = {"/api/v1/ws/workflows", "/api/v1/ws/queue",
	                    "/api/v1/webhook-status", "/api/workflows",
	                    "/nope"};
	for (size_t i = 0; i < sizeof(nf) / sizeof(nf[0]); i++) {
		j = http_json(srv.port, "GET", nf[i], &st);
		cr_assert_eq(st, 404, "%s", nf[i]);
		cr_assert_str_eq(cJSON_GetObjectItem(j, "detail")->valuestring,
		                 "Not Found");
		cr_assert_eq(cJSON_GetArraySize(j), 1);
		cJSON_Delete(j);
	}
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, tac_http_routes_answer_the_backends_shapes)
{
	struct child srv;
	struct http_resp r;
	char loc[256], want[256], allow[32];
	int st;
	cJSON *j, *it;

	cr_assert(serve_start(&srv, "--flavor", "tac", NULL));
	j = http_json(srv.port, "GET", "/api/v1/workflows", &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsArray(j) && cJSON_GetArraySize(j) > 0);
	cJSON_ArrayForEach(it, j)
	{
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, "adw_id")));
		num(it, "issue_number");
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, "phase")));
		cr_assert(
		    cJSON_IsString(cJSON_GetObjectItem(it, "github_url")));
		cr_assert_null(cJSON_GetObjectItem(it, "status"),
		               "items carry phase, not status");
	}
	cJSON_Delete(j);

	j = http_json(srv.port, "GET", "/api/v1/workflow-history", &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(j, "workflows")));
	num(j, "total_count");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "analytics")));
	cJSON_Delete(j);

	j = http_json(srv.port, "GET", "/api/v1/routes", &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(num(j, "total"),
	             cJSON_GetArraySize(cJSON_GetObjectItem(j, "routes")));
	it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "routes"), 0);
	for (const char *const *k =
	         (const char *const[]){"path", "method", "name", "summary",
	                               "description", NULL};
	     *k; k++)
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, *k)), "%s",
		          *k);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(it, "tags")));
	cJSON_Delete(j);

	j = http_json(srv.port, "GET", "/api/v1/queue", &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(num(j, "total"),
	             cJSON_GetArraySize(cJSON_GetObjectItem(j, "phases")));
	cr_assert_null(cJSON_GetObjectItem(j, "paused"), "paused is WS only");
	cJSON_Delete(j);

	j = http_json(srv.port, "GET", "/api/v1/adw-monitor", &st);
	cr_assert_eq(st, 200);
	num(cJSON_GetObjectItem(j, "summary"), "total");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "workflows"))
	{
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, "status")));
		cr_assert(cJSON_HasObjectItem(it, "current_phase"));
	}
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "last_updated")));
	cJSON_Delete(j);

	j = http_json(srv.port, "GET", "/api/v1/system-status", &st);
	cr_assert_eq(st, 200);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "overall_status")->valuestring,
	                 "healthy");
	cJSON_Delete(j);

	/* Starlette's redirect_slashes, to the Host the client named */
	cr_assert_eq(http_req(srv.port, "GET", "/api/v1/planned-features", NULL,
	                      NULL, &r, 10000),
	             0);
	cr_assert_eq(r.status, 307, "%s", r.head);
	snprintf(want, sizeof(want),
	         "http://127.0.0.1:%d/api/v1/planned-features/", srv.port);
	cr_assert_str_eq(http_header(&r, "location", loc, sizeof(loc)), want);
	cr_assert_eq(r.body_len, 0);
	http_resp_free(&r);
	j = http_json(srv.port, "GET", "/api/v1/planned-features/", &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsArray(j) && cJSON_GetArraySize(j) > 0);
	cJSON_Delete(j);

	/* FastAPI adds no HEAD to a GET route; other methods: 405 too */
	cr_assert_eq(http_req(srv.port, "HEAD", "/api/v1/workflows", NULL, NULL,
	                      &r, 10000),
	             0);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(http_header(&r, "allow", allow, sizeof(allow)), "GET");
	http_resp_free(&r);
	j = http_json(srv.port, "POST", "/api/v1/queue", &st);
	cr_assert_eq(st, 405);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "detail")->valuestring,
	                 "Method Not Allowed");
	cJSON_Delete(j);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, tac_snapshot_after_two_seconds_without_a_first_frame)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	long long t0;
	cJSON *m;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	c = wsc_open(x, srv.port, "/api/v1/ws/queue");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	t0 = test_now_ms();
	m = tac_expect(c, "queue_update", "queue");
	cr_assert_geq(test_now_ms() - t0, 1500,
	              "snapshot came before the wait");
	cr_assert(cJSON_IsFalse(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(m, "data"), "paused")));
	cJSON_Delete(m);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/*
 * Any first frame ends the wait: client_ready, or text that is not even
 * JSON. The workflows socket hears the queue first, the routes socket the
 * workflows.
 */
Test(serve, tac_snapshot_at_once_after_any_first_frame)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *wf, *rt;
	long long t0;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	wf = wsc_open(x, srv.port, "/api/v1/ws/workflows");
	rt = wsc_open(x, srv.port, "/api/v1/ws/routes");
	cr_assert_eq(wsc_wait_open(wf, 10000), WSC_OPEN);
	cr_assert_eq(wsc_wait_open(rt, 10000), WSC_OPEN);
	t0 = test_now_ms();
	wsc_send(wf, "{\"type\":\"client_ready\"}");
	wsc_send(rt, "hello, not JSON");
	cJSON_Delete(tac_expect(wf, "queue_update", "workflows socket"));
	cJSON_Delete(tac_expect(wf, "workflows_update", "workflows socket"));
	cJSON_Delete(tac_expect(rt, "workflows_update", "routes socket"));
	cJSON_Delete(tac_expect(rt, "routes_update", "routes socket"));
	cr_assert_lt(test_now_ms() - t0, 1500,
	             "snapshots %lld ms after the first frames",
	             test_now_ms() - t0);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, tac_a_first_frame_ping_is_consumed_later_ones_answered)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	cJSON *m;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	c = wsc_open(x, srv.port, "/api/v1/ws/system-status");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	wsc_send(c, "{\"type\":\"ping\",\"timestamp\":1}");
	wsc_send(c, "{\"type\":\"ping\",\"timestamp\":2}");
	/* the first ping was the ready signal: the snapshot, then only the
	 * second ping's pong */
	m = tac_expect(c, "system_status_update", "first message");
	cJSON_Delete(m);
	m = tac_expect(c, "pong", "second message");
	cr_assert_eq(num(m, "timestamp"), 2);
	cJSON_Delete(m);
	/* unknown types and invalid JSON are ignored; a ping still answered */
	wsc_send(c, "{\"type\":\"subscribe\"}");
	wsc_send(c, "{not json");
	wsc_send(c, "{\"type\":\"ping\",\"timestamp\":\"t-3\"}");
	m = tac_expect(c, "pong", "after the ignored ones");
	cr_assert_str_eq(cJSON_GetObjectItem(m, "timestamp")->valuestring,
	                 "t-3");
	cJSON_Delete(m);
	/* protocol pings are answered by lws */
	wsc_ping(c);
	for (long long end = test_now_ms() + 10000;
	     wsc_pongs(c) == 0 && test_now_ms() < end;)
		wsc_ctx_run(x, 10);
	cr_assert_eq(wsc_pongs(c), 1);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/* Every broadcast goes to every open socket, whatever its path. */
Test(serve, tac_broadcast_reaches_every_socket)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c[TAC_NSTREAMS];
	const char *send[] = {"/api/v1/ws/workflows", "/api/v1/ws/queue",
	                      "/api/v1/ws/webhook-status"};
	const char *type[] = {"workflows_update", "queue_update",
	                      "webhook_status_update"};
	char path[128];
	int st;
	cJSON *j;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	tac_open_all(x, srv.port, c);
	for (size_t k = 0; k < sizeof(send) / sizeof(send[0]); k++) {
		snprintf(path, sizeof(path), "/control/send?path=%s", send[k]);
		j = http_json(srv.port, "POST", path, &st);
		cr_assert_eq(st, 200);
		cr_assert_eq(num(j, "clients"), TAC_NSTREAMS);
		cJSON_Delete(j);
		/* the next message on every socket is that update */
		for (int s = 0; s < TAC_NSTREAMS; s++)
			cJSON_Delete(tac_expect(c[s], type[k], tac_paths[s]));
	}
	j = http_json(srv.port, "GET", "/control/state", &st);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "flavor")->valuestring, "tac");
	cr_assert_eq(num(j, "clients"), TAC_NSTREAMS);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "streams")),
	             TAC_NSTREAMS);
	cJSON_Delete(j);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/* The bytes on the wire: {"type":...,"data":...}, nothing else. */
Test(serve, tac_messages_on_the_wire_are_type_and_data_only)
{
	struct child srv;
	struct rawws w;
	char *d;
	size_t n;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	cr_assert_eq(rawws_open(&w, srv.port, "/api/v1/ws/routes", 10000), 101);
	cr_assert_eq(rawws_send_text(&w, "{\"type\":\"client_ready\"}"), 0);
	for (int i = 0; i < 2; i++) {
		cJSON *m;

		cr_assert_eq(rawws_next(&w, &d, &n, 10000), 1, "frame %d", i);
		cr_assert(strncmp(d, "{\"type\":\"", 9) == 0, "%s", d);
		m = cJSON_Parse(d);
		cr_assert_str_eq(tac_type_of(m),
		                 i == 0 ? "workflows_update" : "routes_update");
		cr_assert_null(strstr(d, "\"seq\""));
		cr_assert_null(strstr(d, "\"sent_at\""));
		cJSON_Delete(m);
		free(d);
	}
	cr_assert_eq(rawws_send_text(&w, "{\"type\":\"ping\",\"timestamp\":7}"),
	             0);
	cr_assert_eq(rawws_next(&w, &d, &n, 10000), 1);
	cr_assert_str_eq(d, "{\"type\":\"pong\",\"timestamp\":7}");
	free(d);
	rawws_free(&w);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/* With --rate 0 nothing changes: nothing after the snapshot but sends. */
Test(serve, tac_change_only_nothing_without_a_change)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c[TAC_NSTREAMS];
	int st;
	cJSON *j;

	/* at --speed 50 the queue is looked at every 40 ms, workflows and
	 * routes every 200 ms, planned features every 600 ms */
	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", "--speed",
	                      "50", NULL));
	tac_open_all(x, srv.port, c);
	wsc_ctx_run(x, 1500);
	for (int s = 0; s < TAC_NSTREAMS; s++)
		cr_assert_eq(wsc_received(c[s]),
		             1u + (s == TAC_WORKFLOWS || s == TAC_ROUTES),
		             "%s: more than its snapshot", tac_paths[s]);
	j = http_json(srv.port, "POST",
	              "/control/send?path=/api/v1/ws/planned-features", &st);
	cr_assert_eq(st, 200);
	cJSON_Delete(j);
	for (int s = 0; s < TAC_NSTREAMS; s++) {
		cJSON *m =
		    tac_expect(c[s], "planned_features_update", tac_paths[s]);
		const cJSON *d = cJSON_GetObjectItem(m, "data");

		cr_assert(cJSON_IsArray(cJSON_GetObjectItem(d, "features")));
		cr_assert(cJSON_IsObject(cJSON_GetObjectItem(d, "stats")));
		cJSON_Delete(m);
	}
	wsc_ctx_run(x, 700);
	for (int s = 0; s < TAC_NSTREAMS; s++)
		cr_assert_null(wsc_next(c[s], 0), "%s: a second message",
		               tac_paths[s]);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/*
 * A moving world: broadcasts come, each differs from the one before of its
 * type, and system and webhook status are never broadcast.
 */
Test(serve, tac_change_only_broadcasts_what_changed)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c;
	char *last[TAC_NSTREAMS] = {0};
	int seen = 0;
	cJSON *m;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "20",
	                      "--speed", "50", NULL));
	c = wsc_open(x, srv.port, "/api/v1/ws/system-status");
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN);
	wsc_send(c, "{\"type\":\"client_ready\"}");
	while (seen < 5 && (m = tac_next(c, 10000)) != NULL) {
		const char *t = tac_type_of(m);
		char *d =
		    cJSON_PrintUnformatted(cJSON_GetObjectItem(m, "data"));
		int s = -1;

		for (int i = 0; i < TAC_NSTREAMS; i++)
			if (strcmp(t, tac_types[i]) == 0)
				s = i;
		cr_assert_geq(s, 0, "type %s", t);
		if (s == TAC_SYSTEM_STATUS || s == TAC_WEBHOOK_STATUS)
			cr_assert_null(last[s], "%s broadcast", t);
		if (last[s] != NULL)
			cr_assert_str_neq(last[s], d, "%s sent unchanged", t);
		seen += s == TAC_WORKFLOWS;
		free(last[s]);
		last[s] = d;
		cJSON_Delete(m);
	}
	cr_assert_eq(seen, 5, "only %d workflows broadcasts", seen);
	for (int s = 0; s < TAC_NSTREAMS; s++)
		free(last[s]);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/* A close frame from r: its code (payload checked to carry no reason). */
static int
raw_close_code(struct rawws *w, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;
	char *d;
	size_t n;
	int op, code = -1;

	while (test_now_ms() < end) {
		op = rawws_next(w, &d, &n, (int)(end - test_now_ms()));
		if (op < 0)
			return op;
		if (op == 8) {
			cr_assert_eq(n, 2, "close payload of %zu bytes", n);
			code = (unsigned char)d[0] << 8 | (unsigned char)d[1];
			free(d);
			return code;
		}
		free(d);
	}
	return code;
}

Test(serve, tac_sigterm_closes_every_socket_with_1012)
{
	struct child srv;
	struct rawws w[3];
	const char *paths[] = {"/api/v1/ws/workflows", "/api/v1/ws/queue",
	                       "/api/v1/ws/webhook-status"};
	int status;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	for (int i = 0; i < 3; i++) {
		char *d;
		size_t n;

		cr_assert_eq(rawws_open(&w[i], srv.port, paths[i], 10000), 101);
		rawws_send_text(&w[i], "{\"type\":\"client_ready\"}");
		/* open and served: its (last) snapshot is here */
		cr_assert_eq(rawws_next(&w[i], &d, &n, 10000), 1);
		free(d);
	}
	status = child_signal_wait(&srv, SIGTERM, 10000);
	cr_assert_neq(status, -1, "did not exit");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d",
	          status);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(raw_close_code(&w[i], 10000), 1012, "%s",
		             paths[i]);
		rawws_free(&w[i]);
	}
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * The outages scenario's server stop closes sockets with 1012, as a
 * uvicorn restart does. A queue socket is never hit by a stream outage
 * (those take the first three streams), so the first close it sees comes
 * from the stop.
 */
Test(serve, tac_scenario_server_stop_closes_with_1012)
{
	struct scenario sc;
	struct scen_event ev;
	struct child srv;
	struct rawws w;
	char seedarg[32], *d;
	size_t n;
	uint64_t seed = 1;
	int64_t stop_at = -1;

	for (; stop_at < 0; seed++) {
		scenario_init(&sc, seed);
		for (int i = 0; i < 8 && stop_at < 0; i++) {
			ev = scenario_next(&sc);
			if (ev.kind == SCEN_SERVER_STOP)
				stop_at = ev.at_ms;
		}
	}
	snprintf(seedarg, sizeof(seedarg), "%llu",
	         (unsigned long long)(seed - 1));
	cr_assert(serve_start(&srv, "--flavor", "tac", "--scenario", "outages",
	                      "--seed", seedarg, "--speed", "50", "--rate", "0",
	                      NULL));
	cr_assert_eq(rawws_open(&w, srv.port, "/api/v1/ws/queue", 10000), 101);
	rawws_send_text(&w, "{\"type\":\"client_ready\"}");
	cr_assert_eq(rawws_next(&w, &d, &n, 10000), 1);
	free(d);
	cr_assert_eq(raw_close_code(&w, (int)(stop_at / 50) + 20000), 1012);
	rawws_free(&w);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

/*
 * /control/stall: the stream's sockets stay open and lws answers their
 * protocol pings, but nothing is sent on them (no snapshot, no broadcast,
 * no JSON pong) until /control/unstall.
 */
static void
stall_cycle(bool tac, const char *path, const char *type, const char *other)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *c, *o;
	char req[160];
	int st;
	cJSON *j, *s;

	if (tac)
		cr_assert(
		    serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	else
		cr_assert(serve_start(&srv, "--rate", "0", NULL));
	snprintf(req, sizeof(req), "/control/stall?path=%s", path);
	j = http_json(srv.port, "POST", req, &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "stalled")));
	cJSON_Delete(j);
	s = stream_state(srv.port, path);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(s, "stalled")));
	cJSON_Delete(s);

	c = wsc_open(x, srv.port, path);
	o = wsc_open(x, srv.port, other);
	cr_assert_eq(wsc_wait_open(c, 10000), WSC_OPEN, "stalled: no upgrade");
	cr_assert_eq(wsc_wait_open(o, 10000), WSC_OPEN);
	wsc_send(c, "{\"type\":\"client_ready\"}");
	wsc_send(o, "{\"type\":\"client_ready\"}");
	wsc_send(c, "{\"type\":\"ping\",\"timestamp\":1}");
	/* the neighbour is served */
	j = next_of_type(o, "workflows_update", 10000);
	cr_assert_not_null(j, "the other stream was not served");
	cJSON_Delete(j);
	/* lws still answers protocol pings on the stalled socket */
	wsc_ping(c);
	for (long long end = test_now_ms() + 10000;
	     wsc_pongs(c) == 0 && test_now_ms() < end;)
		wsc_ctx_run(x, 10);
	cr_assert_eq(wsc_pongs(c), 1);
	j = http_json(srv.port, "POST",
	              tac ? "/control/send?path=/api/v1/ws/workflows"
	                  : "/control/send?path=/ws/workflows",
	              &st);
	cJSON_Delete(j);
	snprintf(req, sizeof(req), "/control/send?path=%s", path);
	j = http_json(srv.port, "POST", req, &st);
	cJSON_Delete(j);
	/* past the 2 s ready wait too: nothing at all */
	cr_assert_null(wsc_next(c, 2500), "a stalled socket was sent to");
	cr_assert_eq(wsc_state(c), WSC_OPEN);

	snprintf(req, sizeof(req), "/control/unstall?path=%s", path);
	j = http_json(srv.port, "POST", req, &st);
	cr_assert_eq(st, 200);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "stalled")));
	cJSON_Delete(j);
	j = next_of_type(c, type, 10000);
	cr_assert_not_null(j, "nothing after unstall");
	cJSON_Delete(j);
	wsc_send(c, "{\"type\":\"ping\",\"timestamp\":2}");
	j = next_of_type(c, "pong", 10000);
	cr_assert_not_null(j, "no pong after unstall");
	cr_assert_eq(num(j, "timestamp"), 2, "the stalled ping was answered");
	cJSON_Delete(j);
	s = stream_state(srv.port, path);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(s, "stalled")));
	cJSON_Delete(s);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(serve, stall_and_unstall_demo_flavor)
{
	stall_cycle(false, "/ws/routes", "routes_update", "/ws/workflows");
}

Test(serve, stall_and_unstall_tac_flavor)
{
	stall_cycle(true, "/api/v1/ws/queue", "queue_update",
	            "/api/v1/ws/workflows");
}

Test(serve, tac_control_takes_the_flavors_paths)
{
	struct child srv;
	struct wsc_ctx *x = wsc_ctx_new();
	struct wsc *live, *again;
	int st;
	cJSON *j;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	live = wsc_open(x, srv.port, "/api/v1/ws/routes");
	cr_assert_eq(wsc_wait_open(live, 10000), WSC_OPEN);
	j = http_json(srv.port, "POST",
	              "/control/down?path=/api/v1/ws/routes&status=503", &st);
	cr_assert_eq(st, 200);
	cr_assert_eq(num(j, "dropped"), 1);
	cJSON_Delete(j);
	cr_assert(wsc_wait_closed(live, 10000));
	cr_assert_eq(wsc_close_code(live), 1001);
	again = wsc_open(x, srv.port, "/api/v1/ws/routes");
	cr_assert_eq(wsc_wait_open(again, 10000), WSC_FAILED);
	cr_assert_eq(wsc_http_status(again), 503);
	j = http_json(srv.port, "POST", "/control/up?path=/api/v1/ws/routes",
	              &st);
	cr_assert_eq(st, 200);
	cJSON_Delete(j);
	again = wsc_open(x, srv.port, "/api/v1/ws/routes");
	cr_assert_eq(wsc_wait_open(again, 10000), WSC_OPEN);
	/* the demo's paths are not the tac backend's */
	j = http_json(srv.port, "POST", "/control/send?path=/ws/routes", &st);
	cr_assert_eq(st, 400);
	cr_assert(strstr(cJSON_GetObjectItem(j, "error")->valuestring,
	                 "/api/v1/ws/webhook-status"));
	cJSON_Delete(j);
	wsc_ctx_free(x);
	cr_assert_eq(child_stop(&srv), 0, "server did not exit cleanly");
}

Test(cli, serve_flavor_option)
{
	char out[4096], err[4096];

	cr_assert_eq(run_wsdash((const char *[]){"serve", "--help", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             0);
	cr_assert(strstr(out, "--flavor") && strstr(out, "tac"), "%s", out);
	cr_assert_eq(
	    run_wsdash((const char *[]){"serve", "--flavor", "django", NULL},
	               out, sizeof(out), err, sizeof(err), 20000),
	    2);
	cr_assert(strstr(err, "--flavor") && strstr(err, "django") &&
	              strstr(err, "demo, tac"),
	          "%s", err);
	cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line");
}
