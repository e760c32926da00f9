/*
 * `wsdash watch --json` end to end against the demo backend on loopback:
 * live with RTT and messages, fallback to polling and back, half-open
 * detection (SIGSTOP), oversized messages, flaps, clean exits.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "proc.h"

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Next JSON line of w's output, NULL on timeout/EOF. */
static cJSON *
next_line(struct child *w, int timeout_ms)
{
	char line[8192];
	cJSON *j;

	if (!child_read_line(w, line, sizeof(line), timeout_ms))
		return NULL;
	j = cJSON_Parse(line);
	cr_assert_not_null(j, "not a JSON line: %s", line);
	return j;
}

/*
 * Wait for a line of endpoint ep (or any, NULL) with event ev and, if
 * key is given, key == val. Returns it (caller frees) or NULL.
 */
static cJSON *
wait_for(struct child *w, const char *ep, const char *ev, const char *key,
         const char *val, int timeout_ms)
{
	long long end = mono_ms() + timeout_ms;

	while (mono_ms() < end) {
		cJSON *j = next_line(w, (int)(end - mono_ms()));

		if (j == NULL)
			return NULL;
		if ((ep == NULL || strcmp(jstr(j, "endpoint"), ep) == 0) &&
		    strcmp(jstr(j, "event"), ev) == 0 &&
		    (key == NULL || strcmp(jstr(j, key), val) == 0))
			return j;
		cJSON_Delete(j);
	}
	return NULL;
}

static void
post(int port, const char *path)
{
	struct http_resp r;
	int rc = http_req(port, "POST", path, NULL, NULL, &r, 3000);

	cr_assert_eq(rc, 0, "POST %s: %s", path, strerror(-rc));

	cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
	http_resp_free(&r);
}

static bool
watch_start(struct child *w, int port, const char *first, ...)
{
	const char *argv[40] = {"watch", "--json"};
	static char server[64];
	int n = 2;
	va_list ap;

	snprintf(server, sizeof(server), "http://127.0.0.1:%d", port);
	argv[n++] = "--server";
	argv[n++] = server;
	va_start(ap, first);
	for (const char *a = first; a && n < 38; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return child_start(w, false, argv);
}

Test(watch, live_with_rtt_messages_and_lag)
{
	struct child srv, w;
	bool live[3] = {0};
	int rtts = 0, msgs = 0, lags = 0;
	cJSON *j;

	cr_assert(serve_start(&srv, "--rate", "10", NULL));
	cr_assert(watch_start(&w, srv.port, "--duration", "2.5",
	                      "--ping-interval", "200", NULL));
	while ((j = next_line(&w, 5000)) != NULL) {
		const char *ev = jstr(j, "event");

		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "ts_ms")));
		if (strcmp(ev, "state") == 0 &&
		    strcmp(jstr(j, "state"), "live") == 0) {
			const char *ep = jstr(j, "endpoint");

			live[strcmp(ep, "workflows") == 0 ? 0
			     : strcmp(ep, "routes") == 0  ? 2
			                                  : 1] = true;
			cr_assert_str_eq(jstr(j, "mode"), "websocket");
		} else if (strcmp(ev, "rtt") == 0) {
			double rtt =
			    cJSON_GetObjectItem(j, "rtt_ms")->valuedouble;

			cr_assert(rtt > 0 && rtt < 1000, "rtt %g", rtt);
			rtts++;
		} else if (strcmp(ev, "message") == 0) {
			cr_assert(strstr(jstr(j, "msg_type"), "_update"), "%s",
			          jstr(j, "msg_type"));
			cr_assert_gt(
			    cJSON_GetObjectItem(j, "bytes")->valuedouble, 0);
			lags +=
			    cJSON_IsNumber(cJSON_GetObjectItem(j, "lag_ms"));
			msgs++;
		}
		cJSON_Delete(j);
	}
	cr_assert(live[0] && live[1] && live[2]);
	cr_assert_geq(rtts, 15, "3 endpoints x 5 pings/s x 2.5 s");
	cr_assert_geq(msgs, 30);
	cr_assert_eq(lags, msgs, "every demo message carries sent_at");
	cr_assert_eq(child_stop(&w), 0, "--duration exits 0");
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, stream_down_falls_back_to_polling_then_recovers, .timeout = 60)
{
	struct child srv, w;
	cJSON *j;
	long long t0;
	int polls = 0;

	cr_assert(serve_start(&srv, "--rate", "2", NULL));
	cr_assert(watch_start(&w, srv.port, "--poll-interval", "200",
	                      "--retry-base", "300", NULL));
	j = wait_for(&w, "routes", "state", "state", "live", 5000);
	cr_assert_not_null(j);
	cJSON_Delete(j);

	t0 = mono_ms();
	post(srv.port, "/control/down?path=/ws/routes&status=503");
	j = wait_for(&w, "routes", "state", "state", "polling", 3000);
	cr_assert_not_null(j, "no fallback to polling");
	cr_assert_lt(mono_ms() - t0, 1000, "fallback flagged late");
	cr_assert_str_eq(jstr(j, "mode"), "polling");
	cr_assert_str_eq(jstr(j, "from"), "live");
	cr_assert(strstr(jstr(j, "reason"), "1001"), "reason: %s",
	          jstr(j, "reason"));
	cJSON_Delete(j);
	/* polls arrive, and retries see the 503 */
	for (long long end = mono_ms() + 3000; polls < 3 && mono_ms() < end;) {
		j = next_line(&w, 1000);
		if (j == NULL)
			continue;
		if (strcmp(jstr(j, "endpoint"), "routes") == 0 &&
		    strcmp(jstr(j, "event"), "poll") == 0) {
			cr_assert_eq(
			    cJSON_GetObjectItem(j, "http_status")->valuedouble,
			    200);
			cr_assert(
			    cJSON_IsNumber(cJSON_GetObjectItem(j, "rtt_ms")));
			polls++;
		}
		cJSON_Delete(j);
	}
	cr_assert_geq(polls, 3);

	post(srv.port, "/control/up?path=/ws/routes");
	j = wait_for(&w, "routes", "state", "state", "live", 15000);
	cr_assert_not_null(j, "never came back to live");
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "fallback_ms")));
	cJSON_Delete(j);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, no_poll_url_and_refused_means_down)
{
	struct child w;
	cJSON *j;
	const char *argv[] = {"watch", "--json", "ws://127.0.0.1:1/stream",
	                      NULL};

	cr_assert(child_start(&w, false, argv));
	j = wait_for(&w, "stream", "state", "state", "down", 5000);
	cr_assert_not_null(j);
	cr_assert_str_eq(jstr(j, "mode"), "none");
	cr_assert(strstr(jstr(j, "reason"), "refused"), "%s",
	          jstr(j, "reason"));
	cJSON_Delete(j);
	cr_assert_eq(child_stop(&w), 0);
}

/*
 * A server that stops answering (SIGSTOP: the TCP connection stays up) is
 * found stale after ping interval + timeout, and dropped for polling after
 * twice the timeout; SIGCONT brings it back.
 */
Test(watch, half_open_server_goes_stale_then_falls_back, .timeout = 60)
{
	struct child srv, w;
	cJSON *j;
	long long t0, t_stale, t_fb;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	cr_assert(watch_start(&w, srv.port, "--ping-interval", "200",
	                      "--ping-timeout", "600", "--timeout", "800",
	                      "--retry-base", "300", NULL));
	j = wait_for(&w, "workflows", "state", "state", "live", 5000);
	cr_assert_not_null(j);
	cJSON_Delete(j);
	usleep(300000);

	t0 = mono_ms();
	kill(srv.pid, SIGSTOP);
	j = wait_for(&w, "workflows", "state", "state", "stale", 5000);
	cr_assert_not_null(j, "never stale");
	t_stale = mono_ms() - t0;
	cr_assert(strstr(jstr(j, "reason"), "no pong"), "%s",
	          jstr(j, "reason"));
	cJSON_Delete(j);
	for (;;) {
		j = wait_for(&w, "workflows", "state", NULL, NULL, 5000);
		cr_assert_not_null(j, "never fell back");
		if (strcmp(jstr(j, "mode"), "websocket") != 0)
			break;
		cJSON_Delete(j);
	}
	t_fb = mono_ms() - t0;
	cr_assert(strstr(jstr(j, "reason"), "half-open"), "%s",
	          jstr(j, "reason"));
	cJSON_Delete(j);
	/* interval + timeout, and interval + 2 x timeout, plus slack */
	cr_assert_leq(t_stale, 200 + 600 + 700, "stale after %lld ms", t_stale);
	cr_assert_leq(t_fb, 200 + 1200 + 700, "fallback after %lld ms", t_fb);
	cr_assert_geq(t_fb, 1200);

	kill(srv.pid, SIGCONT);
	j = wait_for(&w, "workflows", "state", "state", "live", 20000);
	cr_assert_not_null(j, "no recovery after SIGCONT");
	cJSON_Delete(j);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, json_ping_mode_measures_rtt)
{
	struct child srv, w;
	cJSON *j;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	cr_assert(watch_start(&w, srv.port, "--ping", "json", "--ping-interval",
	                      "200", NULL));
	j = wait_for(&w, "routes", "rtt", NULL, NULL, 5000);
	cr_assert_not_null(j);
	cr_assert_gt(cJSON_GetObjectItem(j, "rtt_ms")->valuedouble, 0);
	cJSON_Delete(j);
	/* the pongs are not counted as stream messages */
	for (int i = 0; i < 10; i++) {
		j = next_line(&w, 1000);
		if (j == NULL)
			break;
		if (strcmp(jstr(j, "event"), "message") == 0)
			cr_assert_str_neq(jstr(j, "msg_type"), "pong");
		cJSON_Delete(j);
	}
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, oversized_messages_are_dropped_and_the_stream_stays)
{
	struct child srv, w;
	char url[128];
	const char *argv[16];
	int dropped = 0, rtts = 0;
	cJSON *j;

	cr_assert(serve_start(&srv, "--rate", "10", NULL));
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/ws/workflow-history",
	         srv.port);
	argv[0] = "watch";
	argv[1] = "--json";
	argv[2] = "--max-message";
	argv[3] = "1024";
	argv[4] = "--hello";
	argv[5] = "{\"type\":\"client_ready\"}";
	argv[6] = "--duration";
	argv[7] = "2";
	argv[8] = "--ping-interval";
	argv[9] = "200";
	argv[10] = url;
	argv[11] = NULL;
	cr_assert(child_start(&w, false, argv));
	while ((j = next_line(&w, 5000)) != NULL) {
		const char *ev = jstr(j, "event");

		if (strcmp(ev, "dropped") == 0) {
			cr_assert_gt(
			    cJSON_GetObjectItem(j, "bytes")->valuedouble, 1024);
			dropped++;
		}
		rtts += strcmp(ev, "rtt") == 0;
		if (strcmp(ev, "state") == 0)
			cr_assert_str_eq(jstr(j, "state"), "live",
			                 "the stream must stay up");
		cr_assert_str_neq(ev, "message",
		                  "an oversized message got through");
		cJSON_Delete(j);
	}
	cr_assert_geq(dropped, 10);
	cr_assert_geq(rtts, 5);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

/* Many fallback/recovery cycles: bounded memory, no leak at exit. */
Test(watch, a_thousand_flaps, .timeout = 240)
{
	struct child srv, w;
	char url[128];
	const char *argv[12];
	long rss_early = 0, rss_end;
	int cycles = 0;
	long long end = mono_ms() + 150000;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/ws/routes", srv.port);
	argv[0] = "watch";
	argv[1] = "--json";
	argv[2] = "--retry-base";
	argv[3] = "1";
	argv[4] = "--poll-interval";
	argv[5] = "100";
	argv[6] = url;
	argv[7] = NULL;
	cr_assert(child_start(&w, false, argv));
	while (cycles < 1000 && mono_ms() < end) {
		/* the watcher says when it is live again */
		cJSON *j =
		    wait_for(&w, "routes", "state", "state", "live", 10000);

		cr_assert_not_null(j, "watcher did not reconnect (cycle %d)",
		                   cycles);
		cJSON_Delete(j);
		post(srv.port, "/control/down?path=/ws/routes&status=503");
		post(srv.port, "/control/up?path=/ws/routes");
		child_drain(&srv); /* its log lines, or it blocks on stdout */
		cycles++;

		if (cycles == 100)
			rss_early = proc_rss_kib(w.pid);
	}
	cr_assert_eq(cycles, 1000);
	rss_end = proc_rss_kib(w.pid);
	cr_log_info("watcher RSS after 100 flaps %ld KiB, after 1000 %ld KiB",
	            rss_early, rss_end);
#ifndef __SANITIZE_ADDRESS__
	/* (ASan's quarantine holds freed memory: there the exit check below,
	 * with leak detection, is the test) */
	cr_assert_lt(rss_end, rss_early + 2048, "RSS grew from %ld to %ld KiB",
	             rss_early, rss_end);
#endif

	child_drain(&w);
	cr_assert_eq(child_stop(&w), 0, "unclean exit (a sanitizer report?)");
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, usage_errors)
{
	char out[4096], err[4096];

	cr_assert_eq(
	    run_wsdash((const char *[]){"watch", "--ping", "icmp", NULL}, out,
	               sizeof(out), err, sizeof(err), 5000),
	    2);
	cr_assert(strstr(err, "--ping"), "%s", err);
	cr_assert_eq(
	    run_wsdash((const char *[]){"watch", "--duration", "-1", NULL}, out,
	               sizeof(out), err, sizeof(err), 5000),
	    2);
	cr_assert_eq(run_wsdash((const char *[]){"watch", "http://x/ws", NULL},
	                        out, sizeof(out), err, sizeof(err), 5000),
	             2);
	cr_assert(strstr(err, "did you mean ws://"), "%s", err);
	cr_assert_eq(run_wsdash((const char *[]){"watch", "--help", NULL}, out,
	                        sizeof(out), err, sizeof(err), 5000),
	             0);
	cr_assert(strstr(out, "--ping-timeout"));
}

Test(watch, sigterm_and_sigint_exit_cleanly)
{
	int sigs[] = {SIGTERM, SIGINT};

	for (int i = 0; i < 2; i++) {
		struct child srv, w;
		cJSON *j;
		int st;

		cr_assert(serve_start(&srv, NULL));
		cr_assert(watch_start(&w, srv.port, NULL));
		j = wait_for(&w, NULL, "state", "state", "live", 5000);
		cr_assert_not_null(j);
		cJSON_Delete(j);
		st = child_signal_wait(&w, sigs[i], 3000);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d",
		          st);
		child_stop(&w);
		cr_assert_eq(child_stop(&srv), 0);
	}
}
