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
#include "jlines.h"
#include "proc.h"

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
	while ((j = jl_next(&w, 5000)) != NULL) {
		const char *ev = jl_str(j, "event");

		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "ts_ms")));
		if (strcmp(ev, "state") == 0 &&
		    strcmp(jl_str(j, "state"), "live") == 0) {
			const char *ep = jl_str(j, "endpoint");

			live[strcmp(ep, "workflows") == 0 ? 0
			     : strcmp(ep, "routes") == 0  ? 2
			                                  : 1] = true;
			cr_assert_str_eq(jl_str(j, "mode"), "websocket");
		} else if (strcmp(ev, "rtt") == 0) {
			double rtt =
			    cJSON_GetObjectItem(j, "rtt_ms")->valuedouble;

			cr_assert(rtt > 0 && rtt < 1000, "rtt %g", rtt);
			rtts++;
		} else if (strcmp(ev, "message") == 0) {
			cr_assert(strstr(jl_str(j, "msg_type"), "_update"),
			          "%s", jl_str(j, "msg_type"));
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
	j = jl_wait(&w, "routes", "state", "state", "live", 5000);
	cr_assert_not_null(j);
	cJSON_Delete(j);

	t0 = test_now_ms();
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	j = jl_wait(&w, "routes", "state", "state", "polling", 3000);
	cr_assert_not_null(j, "no fallback to polling");
	cr_assert_lt(test_now_ms() - t0, 1000, "fallback flagged late");
	cr_assert_str_eq(jl_str(j, "mode"), "polling");
	cr_assert_str_eq(jl_str(j, "from"), "live");
	cr_assert(strstr(jl_str(j, "reason"), "1001"), "reason: %s",
	          jl_str(j, "reason"));
	cJSON_Delete(j);
	/* polls arrive, and retries see the 503 */
	for (long long end = test_now_ms() + 3000;
	     polls < 3 && test_now_ms() < end;) {
		j = jl_next(&w, 1000);
		if (j == NULL)
			continue;
		if (strcmp(jl_str(j, "endpoint"), "routes") == 0 &&
		    strcmp(jl_str(j, "event"), "poll") == 0) {
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

	jl_post(srv.port, "/control/up?path=/ws/routes");
	j = jl_wait(&w, "routes", "state", "state", "live", 15000);
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
	j = jl_wait(&w, "stream", "state", "state", "down", 5000);
	cr_assert_not_null(j);
	cr_assert_str_eq(jl_str(j, "mode"), "none");
	cr_assert(strstr(jl_str(j, "reason"), "refused"), "%s",
	          jl_str(j, "reason"));
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
	j = jl_wait(&w, "workflows", "state", "state", "live", 5000);
	cr_assert_not_null(j);
	cJSON_Delete(j);
	usleep(300000);

	t0 = test_now_ms();
	kill(srv.pid, SIGSTOP);
	j = jl_wait(&w, "workflows", "state", "state", "stale", 5000);
	cr_assert_not_null(j, "never stale");
	t_stale = test_now_ms() - t0;
	cr_assert(strstr(jl_str(j, "reason"), "no pong"), "%s",
	          jl_str(j, "reason"));
	cJSON_Delete(j);
	for (;;) {
		j = jl_wait(&w, "workflows", "state", NULL, NULL, 5000);
		cr_assert_not_null(j, "never fell back");
		if (strcmp(jl_str(j, "mode"), "websocket") != 0)
			break;
		cJSON_Delete(j);
	}
	t_fb = test_now_ms() - t0;
	cr_assert(strstr(jl_str(j, "reason"), "half-open"), "%s",
	          jl_str(j, "reason"));
	cJSON_Delete(j);
	/* interval + timeout, and interval + 2 x timeout, plus slack */
	cr_assert_leq(t_stale, 200 + 600 + 700, "stale after %lld ms", t_stale);
	cr_assert_leq(t_fb, 200 + 1200 + 700, "fallback after %lld ms", t_fb);
	cr_assert_geq(t_fb, 1200);

	kill(srv.pid, SIGCONT);
	j = jl_wait(&w, "workflows", "state", "state", "live", 20000);
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
	j = jl_wait(&w, "routes", "rtt", NULL, NULL, 5000);
	cr_assert_not_null(j);
	cr_assert_gt(cJSON_GetObjectItem(j, "rtt_ms")->valuedouble, 0);
	cJSON_Delete(j);
	/* the pongs are not counted as stream messages */
	for (int i = 0; i < 10; i++) {
		j = jl_next(&w, 1000);
		if (j == NULL)
			break;
		if (strcmp(jl_str(j, "event"), "message") == 0)
			cr_assert_str_neq(jl_str(j, "msg_type"), "pong");
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
	while ((j = jl_next(&w, 5000)) != NULL) {
		const char *ev = jl_str(j, "event");

		if (strcmp(ev, "dropped") == 0) {
			cr_assert_gt(
			    cJSON_GetObjectItem(j, "bytes")->valuedouble, 1024);
			dropped++;
		}
		rtts += strcmp(ev, "rtt") == 0;
		if (strcmp(ev, "state") == 0)
			cr_assert_str_eq(jl_str(j, "state"), "live",
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
	struct child srv;
	long rss[5];

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	cr_assert_eq(jl_flaps(&srv, 1000, rss), 0,
	             "unclean exit (a sanitizer report?)");
	cr_log_info("watcher RSS after 250/500/750/1000 flaps: %ld %ld %ld "
	            "%ld KiB",
	            rss[1], rss[2], rss[3], rss[4]);
#ifndef __SANITIZE_ADDRESS__
	/* (ASan's quarantine holds freed memory: there the clean exit, with
	 * leak detection, is the test) */
	cr_assert_lt(rss[4], rss[1] + 2048, "RSS grew from %ld to %ld KiB",
	             rss[1], rss[4]);
#endif
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
		j = jl_wait(&w, NULL, "state", "state", "live", 5000);
		cr_assert_not_null(j);
		cJSON_Delete(j);
		st = child_signal_wait(&w, sigs[i], 3000);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d",
		          st);
		child_stop(&w);
		cr_assert_eq(child_stop(&srv), 0);
	}
}

/* Header values (tokens) reach the server but never the output or logs. */
Test(watch, header_values_never_printed, .timeout = 30)
{
	struct child ws;
	const char *sargv[] = {PYTHON3, TEST_SERVERS "/wsecho.py",
	                       "--log-headers", NULL};
	char u[128], out[65536], err[65536], line[512];
	bool seen = false;

	cr_assert(child_start_cmd(&ws, true, sargv));
	snprintf(u, sizeof(u), "ws://127.0.0.1:%d/ws/echo", ws.port);
	setenv("WSDASH_DEBUG", "1", 1); /* lws logs on stderr too */
	cr_assert_eq(
	    run_wsdash(
	        (const char *[]){"watch", "--json", "--duration", "1", "-H",
	                         "Authorization: Bearer T0P-S3CRET", u, NULL},
	        out, sizeof(out), err, sizeof(err), 10000),
	    0);
	cr_assert(strstr(out, "\"live\""), "%s", out);
	cr_assert_null(strstr(out, "T0P-S3CRET"));
	cr_assert_null(strstr(err, "T0P-S3CRET"), "%s", err);
	while (child_read_line(&ws, line, sizeof(line), 2000))
		if (strstr(line, "authorization: Bearer T0P-S3CRET")) {
			seen = true;
			break;
		}
	cr_assert(seen, "the header never reached the server");
	child_stop(&ws);
}
