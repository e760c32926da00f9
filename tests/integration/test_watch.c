/*
 * `wsdash watch --json` end to end against the demo backend on loopback:
 * live with RTT and messages, fallback to polling and back, half-open
 * detection (SIGSTOP), oversized messages, a reader that stops reading,
 * clean exits. Every wait is for a condition with a generous deadline;
 * where timing is the behaviour (fallback, half-open), the bounds come
 * from the configured schedule, with slack for a busy machine.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
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
	static const char *const head[] = {"watch", "--json", NULL};
	va_list ap;
	bool ok;

	va_start(ap, first);
	ok = child_start_server(w, false, head, port, first, ap);
	va_end(ap);
	return ok;
}

static int
ep_index(const char *ep)
{
	return strcmp(ep, "workflows") == 0 ? 0
	       : strcmp(ep, "routes") == 0  ? 2
	                                    : 1;
}

Test(watch, live_with_rtt_messages_and_lag)
{
	struct child srv, w;
	bool live[3] = {0};
	int rtts = 0, msgs = 0, lags = 0;
	long long end;
	cJSON *j;

	cr_assert(serve_start(&srv, "--rate", "10", NULL));
	cr_assert(watch_start(&w, srv.port, "--ping-interval", "200", NULL));
	end = test_now_ms() + 30000;
	while (!(live[0] && live[1] && live[2] && rtts >= 15 && msgs >= 30) &&
	       (j = jl_next(&w, (int)(end - test_now_ms()))) != NULL) {
		const char *ev = jl_str(j, "event");

		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "ts_ms")));
		if (strcmp(ev, "state") == 0) {
			cr_assert_str_eq(jl_str(j, "state"), "live",
			                 "%s: %s (%s)", jl_str(j, "endpoint"),
			                 jl_str(j, "state"),
			                 jl_str(j, "reason"));
			cr_assert_str_eq(jl_str(j, "mode"), "websocket");
			live[ep_index(jl_str(j, "endpoint"))] = true;
		} else if (strcmp(ev, "rtt") == 0) {
			double rtt =
			    cJSON_GetObjectItem(j, "rtt_ms")->valuedouble;

			cr_assert(rtt > 0 && rtt < 5000, "rtt %g ms", rtt);
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
	cr_assert(live[0] && live[1] && live[2], "live: %d %d %d", live[0],
	          live[1], live[2]);
	cr_assert_geq(rtts, 15, "%d RTT samples in 30 s", rtts);
	cr_assert_geq(msgs, 30, "%d messages in 30 s", msgs);
	cr_assert_eq(lags, msgs, "every demo message carries sent_at");
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	cr_assert_eq(child_stop(&srv), 0);
}

/* --duration S: exits by itself with status 0, not before S seconds. */
Test(watch, duration_stops_the_watch_with_status_0)
{
	struct child srv, w;
	long long t0;
	int st;

	cr_assert(serve_start(&srv, NULL));
	t0 = test_now_ms();
	cr_assert(watch_start(&w, srv.port, "--duration", "1", NULL));
	for (st = -1; st == -1 && test_now_ms() - t0 < 30000;) {
		int status;

		child_drain(&w);
		if (waitpid(w.pid, &status, WNOHANG) == w.pid) {
			w.pid = 0;
			st = status;
		} else {
			usleep(10000);
		}
	}
	cr_assert_neq(st, -1, "still running 30 s into --duration 1");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	cr_assert_geq(test_now_ms() - t0, 1000, "ended after %lld ms",
	              test_now_ms() - t0);
	child_stop(&w);
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * The server drops the stream: the fallback is flagged from the close
 * itself (far sooner than the 10 s ping timeout could), down until the
 * first poll answers, then polling, and the WebSocket comes back once the
 * stream is up.
 */
Test(watch, stream_down_falls_back_to_polling_then_recovers)
{
	struct child srv, w;
	cJSON *j;
	long long t0, dt;
	int polls = 0;

	cr_assert(serve_start(&srv, "--rate", "2", NULL));
	cr_assert(watch_start(&w, srv.port, "--poll-interval", "200",
	                      "--retry-base", "300", "--ping-timeout", "10000",
	                      NULL));
	j = jl_wait(&w, "routes", "state", "state", "live", 20000);
	cr_assert_not_null(j, "routes never live");
	cJSON_Delete(j);

	t0 = test_now_ms();
	jl_post(srv.port, "/control/down?path=/ws/routes&status=503");
	/* flagged at once: down, its first poll pending */
	j = jl_wait(&w, "routes", "state", "state", "down", 20000);
	cr_assert_not_null(j, "no fallback");
	dt = test_now_ms() - t0;
	cr_assert_lt(dt, 5000,
	             "fallback flagged %lld ms after the drop: from a ping "
	             "timeout, not from the close?",
	             dt);
	cr_assert_str_eq(jl_str(j, "from"), "live");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "poll_pending")));
	/* the close itself: its 1001, or (a busy machine, the close frame
	 * overtaken by the socket's end) the connection lost */
	cr_assert(strstr(jl_str(j, "reason"), "1001") ||
	              strstr(jl_str(j, "reason"), "connection lost"),
	          "reason: %s", jl_str(j, "reason"));
	cJSON_Delete(j);
	/* polling once a poll has answered */
	j = jl_wait(&w, "routes", "state", "state", "polling", 20000);
	cr_assert_not_null(j, "no polling after the first poll");
	cr_assert_str_eq(jl_str(j, "mode"), "polling");
	cr_assert_str_eq(jl_str(j, "from"), "down");
	cJSON_Delete(j);
	/* polls arrive, and retries see the 503 */
	for (long long end = test_now_ms() + 20000;
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
	cr_assert_geq(polls, 3, "%d polls answered", polls);

	jl_post(srv.port, "/control/up?path=/ws/routes");
	j = jl_wait(&w, "routes", "state", "state", "live", 30000);
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
	j = jl_wait(&w, "stream", "state", "state", "down", 20000);
	cr_assert_not_null(j);
	cr_assert_str_eq(jl_str(j, "mode"), "none");
	cr_assert(strstr(jl_str(j, "reason"), "refused"), "%s",
	          jl_str(j, "reason"));
	cJSON_Delete(j);
	cr_assert_eq(child_stop(&w), 0);
}

/*
 * A server that stops answering (SIGSTOP: the TCP connection stays up) is
 * found stale after the ping timeout, and dropped for polling after twice
 * the timeout; SIGCONT brings it back. With pings every I = 200 ms and a
 * timeout T = 600 ms, the unanswered ping went out at most I before the
 * stop, so stale comes at least T - I after it and fallback at least
 * 2T - I after it. The upper bounds allow a detection tick and 3 s of
 * slack for a busy machine.
 */
Test(watch, half_open_server_goes_stale_then_falls_back)
{
	enum { I = 200, T = 600, SLACK = 3000 };
	struct child srv, w;
	cJSON *j;
	long long t0, t_stale, t_fb;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	cr_assert(watch_start(&w, srv.port, "--ping-interval", "200",
	                      "--ping-timeout", "600", "--timeout", "800",
	                      "--retry-base", "300", NULL));
	j = jl_wait(&w, "workflows", "state", "state", "live", 20000);
	cr_assert_not_null(j);
	cJSON_Delete(j);
	/* pings are answered before the server freezes */
	j = jl_wait(&w, "workflows", "rtt", NULL, NULL, 20000);
	cr_assert_not_null(j);
	cJSON_Delete(j);

	t0 = test_now_ms();
	kill(srv.pid, SIGSTOP);
	j = jl_wait(&w, "workflows", "state", "state", "stale", 20000);
	cr_assert_not_null(j, "never stale");
	t_stale = test_now_ms() - t0;
	cr_assert(strstr(jl_str(j, "reason"), "no pong"), "%s",
	          jl_str(j, "reason"));
	cJSON_Delete(j);
	for (;;) {
		j = jl_wait(&w, "workflows", "state", NULL, NULL, 20000);
		cr_assert_not_null(j, "never fell back");
		if (strcmp(jl_str(j, "mode"), "websocket") != 0)
			break;
		cJSON_Delete(j);
	}
	t_fb = test_now_ms() - t0;
	cr_assert(strstr(jl_str(j, "reason"), "half-open"), "%s",
	          jl_str(j, "reason"));
	cJSON_Delete(j);
	cr_assert_geq(t_stale, T - I, "stale after %lld ms", t_stale);
	cr_assert_leq(t_stale, I + T + I + SLACK, "stale after %lld ms",
	              t_stale);
	cr_assert_geq(t_fb, 2 * T - I, "fallback after %lld ms", t_fb);
	cr_assert_leq(t_fb, I + 2 * T + I + SLACK, "fallback after %lld ms",
	              t_fb);

	kill(srv.pid, SIGCONT);
	j = jl_wait(&w, "workflows", "state", "state", "live", 30000);
	cr_assert_not_null(j, "no recovery after SIGCONT");
	cJSON_Delete(j);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, json_ping_mode_measures_rtt)
{
	struct child srv, w;
	cJSON *j;
	int rtts = 0;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	cr_assert(watch_start(&w, srv.port, "--ping", "json", "--ping-interval",
	                      "200", NULL));
	/* the pongs give RTT samples and are never counted as messages */
	for (long long end = test_now_ms() + 30000;
	     rtts < 5 && test_now_ms() < end;) {
		j = jl_next(&w, 1000);
		if (j == NULL)
			continue;
		if (strcmp(jl_str(j, "event"), "rtt") == 0) {
			cr_assert_gt(
			    cJSON_GetObjectItem(j, "rtt_ms")->valuedouble, 0);
			rtts++;
		}
		if (strcmp(jl_str(j, "event"), "message") == 0)
			cr_assert_str_neq(jl_str(j, "msg_type"), "pong");
		cJSON_Delete(j);
	}
	cr_assert_geq(rtts, 5, "%d JSON-ping RTT samples", rtts);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, oversized_messages_are_dropped_and_the_stream_stays)
{
	struct child srv, w;
	char url[128];
	const char *argv[] = {"watch",
	                      "--json",
	                      "--max-message",
	                      "1024",
	                      "--hello",
	                      "{\"type\":\"client_ready\"}",
	                      "--ping-interval",
	                      "200",
	                      url,
	                      NULL};
	int dropped = 0, rtts = 0;
	cJSON *j;

	cr_assert(serve_start(&srv, "--rate", "10", NULL));
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/ws/workflow-history",
	         srv.port);
	cr_assert(child_start(&w, false, argv));
	for (long long end = test_now_ms() + 30000;
	     (dropped < 10 || rtts < 5) && test_now_ms() < end;) {
		const char *ev;

		j = jl_next(&w, 1000);
		if (j == NULL)
			continue;
		ev = jl_str(j, "event");
		if (strcmp(ev, "dropped") == 0) {
			cr_assert_gt(
			    cJSON_GetObjectItem(j, "bytes")->valuedouble, 1024);
			dropped++;
		}
		rtts += strcmp(ev, "rtt") == 0;
		if (strcmp(ev, "state") == 0)
			cr_assert_str_eq(jl_str(j, "state"), "live",
			                 "the stream must stay up: %s",
			                 jl_str(j, "reason"));
		cr_assert_str_neq(ev, "message",
		                  "an oversized message got through");
		cJSON_Delete(j);
	}
	cr_assert_geq(dropped, 10, "%d dropped", dropped);
	cr_assert_geq(rtts, 5, "%d RTT samples", rtts);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

/*
 * A reader that stops reading must not stall the monitor: the watcher
 * keeps pinging and receiving (its lines keep coming, queued), and once
 * its bounded queue is full it drops lines and says how many. With a
 * blocking write the loop would freeze at the first full pipe: no line
 * would be produced after it, and none dropped.
 */
Test(watch, slow_reader_never_stalls_the_monitor)
{
	enum { N = 300, STALL_MS = 6000 };
	struct child srv, w;
	static char urls[N][96];
	const char *argv[N + 4] = {"watch", "--json"};
	static char line[CHILD_LINE_MAX];
	long long t_stall;
	double first_ts = 0, last_kept_ts = 0;
	uint64_t dropped = 0;
	bool after_notice = false;
	int after = 0;

	cr_assert(serve_start(&srv, "--rate", "10", NULL));
	for (int i = 0; i < N; i++) {
		snprintf(urls[i], sizeof(urls[i]),
		         "ws://127.0.0.1:%d/ws/workflows?%d", srv.port, i);
		argv[2 + i] = urls[i];
	}
	argv[2 + N] = NULL;
	cr_assert(child_start(&w, false, argv));
	/* the first line, then nobody reads for STALL_MS */
	cr_assert(child_read_line(&w, line, sizeof(line), 20000));
	t_stall = test_now_ms();
	usleep(STALL_MS * 1000);
	cr_assert(kill(w.pid, 0) == 0, "the watcher died while not read");
	for (long long end = test_now_ms() + 30000;
	     after < 100 && test_now_ms() < end;) {
		cJSON *j;

		if (!child_read_line(&w, line, sizeof(line), 1000))
			continue;
		j = cJSON_Parse(line);
		cr_assert_not_null(j, "a torn or broken line: %.200s", line);
		if (strcmp(jl_str(j, "event"), "output_dropped") == 0) {
			dropped = (uint64_t)cJSON_GetObjectItem(j, "lines")
			              ->valuedouble;
			after_notice = true;
		} else if (after_notice) {
			after++;
		} else {
			double ts =
			    cJSON_GetObjectItem(j, "ts_ms")->valuedouble;

			if (first_ts == 0)
				first_ts = ts;
			last_kept_ts = ts;
		}
		cJSON_Delete(j);
	}
	cr_assert_gt(dropped, 0, "no output_dropped line: did writes block?");
	cr_assert_geq(after, 100, "lines stopped after the drop notice");
	/* lines were made (and kept) well into the stall */
	cr_assert_gt(last_kept_ts - first_ts, 1000,
	             "kept lines span %.0f ms of a %d ms stall",
	             last_kept_ts - first_ts, STALL_MS);
	cr_log_info("stall %lld ms: kept lines spanning %.0f ms, %llu dropped",
	            test_now_ms() - t_stall, last_kept_ts - first_ts,
	            (unsigned long long)dropped);
	cr_assert_eq(child_stop(&w), 0, "unclean exit");
	cr_assert_eq(child_stop(&srv), 0);
}

Test(watch, usage_errors)

{
	char out[4096], err[4096];

	cr_assert_eq(
	    run_wsdash((const char *[]){"watch", "--ping", "icmp", NULL}, out,
	               sizeof(out), err, sizeof(err), 20000),
	    2);
	cr_assert(strstr(err, "--ping"), "%s", err);
	cr_assert_eq(
	    run_wsdash((const char *[]){"watch", "--duration", "-1", NULL}, out,
	               sizeof(out), err, sizeof(err), 20000),
	    2);
	cr_assert_eq(run_wsdash((const char *[]){"watch", "ftp://x/ws", NULL},
	                        out, sizeof(out), err, sizeof(err), 20000),
	             2);
	cr_assert(strstr(err, "scheme"), "%s", err);
	/* option habits: a value for a flag, a typo, --opt=value */
	cr_assert_eq(run_wsdash((const char *[]){"watch", "--json=1", NULL},
	                        out, sizeof(out), err, sizeof(err), 20000),
	             2);
	cr_assert(strstr(err, "option '--json' takes no value"), "%s", err);
	cr_assert_eq(run_wsdash((const char *[]){"watch", "--pling", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             2);
	cr_assert(strstr(err, "did you mean '--ping'?"), "%s", err);
	cr_assert_eq(
	    run_wsdash((const char *[]){"watch", "--plain", "--duration=0.2",
	                                "http://127.0.0.1:1/ws", NULL},
	               out, sizeof(out), err, sizeof(err), 20000),
	    0);
	cr_assert(strstr(err, "watched as ws://"), "%s", err);
	cr_assert_eq(run_wsdash((const char *[]){"chek", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             2);
	cr_assert(strstr(err, "did you mean 'check'?"), "%s", err);
	cr_assert_eq(run_wsdash((const char *[]){"watch", "--help", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
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
		j = jl_wait(&w, NULL, "state", "state", "live", 20000);
		cr_assert_not_null(j);
		cJSON_Delete(j);
		st = child_signal_wait(&w, sigs[i], 10000);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d",
		          st);
		child_stop(&w);
		cr_assert_eq(child_stop(&srv), 0);
	}
}

/* Header values (tokens) reach the server but never the output or logs. */
Test(watch, header_values_never_printed)
{
	struct child ws, w;
	const char *sargv[] = {PYTHON3, TEST_SERVERS "/wsecho.py",
	                       "--log-headers", NULL};
	char u[128], line[512], errpath[] = "/tmp/wsdash-err-XXXXXX";
	const char *argv[] = {"watch", "--json",
	                      "-H",    "Authorization: Bearer T0P-S3CRET",
	                      u,       NULL};
	static char out[1 << 16], err[1 << 16];
	size_t n = 0;
	bool seen = false, live = false;
	FILE *f;

	cr_assert(child_start_cmd(&ws, true, sargv));
	snprintf(u, sizeof(u), "ws://127.0.0.1:%d/ws/echo", ws.port);
	close(mkstemp(errpath));
	setenv("WSDASH_DEBUG", "1", 1); /* lws logs on stderr too */
	cr_assert(child_start_err(&w, argv, errpath));
	for (long long end = test_now_ms() + 20000;
	     !live && test_now_ms() < end;) {
		if (!child_read_line(&w, line, sizeof(line), 1000))
			continue;
		live = strstr(line, "\"live\"") != NULL;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n", line);
	}
	cr_assert_eq(child_stop(&w), 0);
	cr_assert(live, "never live: %s", out);
	cr_assert_null(strstr(out, "T0P-S3CRET"), "%s", out);
	f = fopen(errpath, "r");
	cr_assert_not_null(f);
	err[fread(err, 1, sizeof(err) - 1, f)] = '\0';
	fclose(f);
	unlink(errpath);
	cr_assert_null(strstr(err, "T0P-S3CRET"), "%s", err);
	while (child_read_line(&ws, line, sizeof(line), 10000))
		if (strstr(line, "authorization: Bearer T0P-S3CRET")) {
			seen = true;
			break;
		}
	cr_assert(seen, "the header never reached the server");
	child_stop(&ws);
}

/*
 * The backend restarts: the streams go, polls find nothing answering, then
 * it is back on the same port. With retries 20 s apart, only a good poll
 * bringing the retry forward can make it live within seconds.
 */
Test(watch, a_restarted_backend_is_live_again_within_a_poll)
{
	struct child srv, w;
	char port[16];
	cJSON *j;
	long long t_back, dt;

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	snprintf(port, sizeof(port), "%d", srv.port);
	cr_assert(watch_start(&w, srv.port, "--poll-interval", "500",
	                      "--retry-base", "20000", NULL));
	j = jl_wait(&w, "workflows", "state", "state", "live", 20000);
	cr_assert_not_null(j);
	cJSON_Delete(j);
	cr_assert_eq(child_stop(&srv), 0);
	j = jl_wait(&w, "workflows", "state", "state", "down", 20000);
	cr_assert_not_null(j, "the stop went unnoticed");
	cJSON_Delete(j);
	/* a poll finds nothing answering */
	for (;;) {
		j = jl_wait(&w, "workflows", "poll", NULL, NULL, 20000);
		cr_assert_not_null(j, "no poll while down");
		if (cJSON_IsFalse(cJSON_GetObjectItem(j, "ok"))) {
			cJSON_Delete(j);
			break;
		}
		cJSON_Delete(j);
	}
	{
		const char *argv[] = {"serve",  "--port", port,
		                      "--rate", "0",      NULL};

		cr_assert(child_start(&srv, true, argv), "restart on %s", port);
	}
	t_back = test_now_ms();
	j = jl_wait(&w, "workflows", "state", "state", "live", 30000);
	cr_assert_not_null(j, "never live again");
	dt = test_now_ms() - t_back;
	cJSON_Delete(j);
	cr_log_info("live again %lld ms after the backend answered", dt);
	cr_assert_lt(dt, 10000,
	             "live %lld ms after the restart: the 20 s backoff, not "
	             "the answering poll, brought it back",
	             dt);
	cr_assert_eq(child_stop(&w), 0);
	cr_assert_eq(child_stop(&srv), 0);
}
