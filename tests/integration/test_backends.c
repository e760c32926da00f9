/*
 * Both backend layouts end to end: the demo backend in its default flavor
 * (/ws/NAME, /api/NAME) and in the tac flavor, which imitates today's
 * tac-webbuilder backend (eight /api/v1/ws/NAME streams, /api/v1/NAME
 * polls, every message broadcast to every socket, {type, data} only, 1012
 * on shutdown). check and watch find the layout themselves; watch tells a
 * stream's own messages from the others', notices a stream that goes
 * silent while it still answers pings, and reads a restart as one.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jlines.h"
#include "proc.h"

static const char *const tac_streams[] = {
    "workflows",   "workflow-history", "routes",           "queue",
    "adw-monitor", "system-status",    "planned-features", "webhook-status",
};
#define NTAC 8

static char out[1 << 16], err[8192];

static char *
server_url(int port)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "http://127.0.0.1:%d", port);
	return buf;
}

Test(backends, check_finds_each_layout_by_itself)
{
	struct child tac, demo;
	cJSON *d, *eps;

	cr_assert(serve_start(&tac, "--flavor", "tac", NULL));
	cr_assert(serve_start(&demo, NULL));

	cr_assert_eq(run_wsdash((const char *[]){"check", "--json", "--server",
	                                         server_url(tac.port), NULL},
	                        out, sizeof(out), err, sizeof(err), 30000),
	             0, "%s%s", out, err);
	d = cJSON_Parse(out);
	cr_assert_not_null(d, "%s", out);
	cr_assert(strstr(jl_str(d, "layout"), "/api/v1/ws/NAME"), "%s", out);
	eps = cJSON_GetObjectItem(d, "endpoints");
	cr_assert_eq(cJSON_GetArraySize(eps), NTAC, "%s", out);
	for (int i = 0; i < NTAC; i++) {
		const cJSON *e = cJSON_GetArrayItem(eps, i);

		cr_assert_str_eq(jl_str(e, "name"), tac_streams[i]);
		cr_assert_str_eq(jl_str(e, "class"), "upgraded", "%s", out);
	}
	cJSON_Delete(d);

	cr_assert_eq(run_wsdash((const char *[]){"check", "--json", "--server",
	                                         server_url(demo.port), NULL},
	                        out, sizeof(out), err, sizeof(err), 30000),
	             0, "%s%s", out, err);
	d = cJSON_Parse(out);
	cr_assert_not_null(d, "%s", out);
	cr_assert(strstr(jl_str(d, "layout"), "/ws/NAME") &&
	              !strstr(jl_str(d, "layout"), "/api/v1"),
	          "%s", out);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "endpoints")), 3,
	             "%s", out);
	cJSON_Delete(d);
	cr_assert_eq(child_stop(&tac), 0);
	cr_assert_eq(child_stop(&demo), 0);
}

static bool
tac_settled(const struct jl_run *r, void *user)
{
	(void)user;
	for (int i = 0; i < NTAC; i++)
		if (jl_run_ep(r, tac_streams[i])->live == 0)
			return false;
	return jl_run_ep(r, "workflows")->messages > 0 &&
	       jl_run_ep(r, "queue")->messages > 0 &&
	       jl_run_ep(r, "workflows")->others > 0 &&
	       jl_run_ep(r, "routes")->others > 0;
}

/*
 * Broadcast to every socket: each endpoint counts its own type as its
 * messages and the rest apart, as other traffic.
 */
Test(backends, watch_tells_own_messages_from_broadcast_traffic)
{
	struct child srv;
	struct jl_run r;
	const struct jl_ep *wf, *q;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--speed", "20", NULL));
	jl_run_start(&r, (const char *[]){"watch", "--json", "--server",
	                                  server_url(srv.port), NULL});
	cr_assert(jl_run_until(&r, tac_settled, NULL, 30000),
	          "8 live, own and other traffic on workflows and routes");
	wf = jl_run_ep(&r, "workflows");
	q = jl_run_ep(&r, "queue");
	/* own messages are of the endpoint's own type only */
	cr_assert(strstr(wf->types, "workflows_update"), "%s", wf->types);
	cr_assert_null(strstr(wf->types, "queue_update"), "%s", wf->types);
	cr_assert(strstr(q->types, "queue_update"), "%s", q->types);
	/* and what the others' are is said */
	cr_assert_null(strstr(wf->other_types, "workflows_update"), "%s",
	               wf->other_types);
	cr_assert_eq(jl_run_stop(&r, 10000), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

struct silent_want {
	const char *ep;
	bool spoke;
};

static bool
went_silent(const struct jl_run *r, void *user)
{
	const struct silent_want *w = user;
	const struct jl_ep *e = jl_run_ep(r, w->ep);

	return w->spoke ? e->spoke_again > 0 : e->silent > 0;
}

static bool
all_live(const struct jl_run *r, void *user)
{
	(void)user;
	for (int i = 0; i < NTAC; i++)
		if (jl_run_ep(r, tac_streams[i])->live == 0)
			return false;
	return true;
}

/*
 * A handler that stops sending behind a socket that still answers pings
 * (the tac flavor's /control/stall): live, but --max-silence says silent,
 * and says when it speaks again.
 */
Test(backends, a_stalled_stream_goes_silent_and_speaks_again)
{
	struct child srv;
	struct jl_run r;
	struct silent_want w = {"workflows", false};
	char path[128];
	long long t0;

	cr_assert(serve_start(&srv, "--flavor", "tac", NULL));
	jl_run_start(&r, (const char *[]){"watch", "--json", "--server",
	                                  server_url(srv.port), "--max-silence",
	                                  "1500", NULL});
	cr_assert(jl_run_until(&r, all_live, NULL, 30000));
	snprintf(path, sizeof(path),
	         "/control/stall?path=/api/v1/ws/workflows");
	jl_post(srv.port, path);
	t0 = test_now_ms();
	cr_assert(jl_run_until(&r, went_silent, &w, 30000),
	          "never silent with the stream stalled");
	cr_log_info("silent %lld ms after the stall (max 1500 ms)",
	            test_now_ms() - t0);
	/* still live: it answers pings all along */
	cr_assert_str_eq(jl_run_ep(&r, "workflows")->last_state, "live");
	cr_assert_eq(jl_run_ep(&r, "workflows")->down, 0);
	jl_post(srv.port, "/control/unstall?path=/api/v1/ws/workflows");
	w.spoke = true;
	cr_assert(jl_run_until(&r, went_silent, &w, 30000),
	          "not said to speak again after the unstall");
	cr_assert_eq(jl_run_stop(&r, 10000), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

struct state_want {
	const char *ep, *state;
	int count;
};

static bool
reached(const struct jl_run *r, void *user)
{
	const struct state_want *w = user;
	const struct jl_ep *e = jl_run_ep(r, w->ep);
	int n = strcmp(w->state, "live") == 0      ? e->live
	        : strcmp(w->state, "down") == 0    ? e->down
	        : strcmp(w->state, "polling") == 0 ? e->polling
	                                           : e->stale;

	return n >= w->count;
}

static bool
all_live_twice(const struct jl_run *r, void *user)
{
	(void)user;
	for (int i = 0; i < NTAC; i++)
		if (jl_run_ep(r, tac_streams[i])->live < 2)
			return false;
	return true;
}

/*
 * uvicorn closes with 1012 when it restarts (lws 4.1.6 reports it as
 * 1002): the reason says a restart, and when the backend answers again the
 * stream is live within a poll, not after the WebSocket backoff.
 */
Test(backends, a_restarting_backend_reads_as_a_restart)
{
	struct child srv;
	struct jl_run r;
	struct state_want w = {"workflows", "live", 1};
	char port[16];
	long long t_back;
	const struct jl_ep *e;

	cr_assert(serve_start(&srv, "--flavor", "tac", "--rate", "0", NULL));
	snprintf(port, sizeof(port), "%d", srv.port);
	jl_run_start(&r,
	             (const char *[]){"watch", "--json", "--server",
	                              server_url(srv.port), "--poll-interval",
	                              "500", "--retry-base", "20000", NULL});
	cr_assert(jl_run_until(&r, reached, &w, 30000));
	cr_assert_eq(child_stop(&srv), 0);
	w.state = "down";
	cr_assert(jl_run_until(&r, reached, &w, 30000), "the stop unnoticed");
	e = jl_run_ep(&r, "workflows");
	cr_assert(strstr(e->reasons, "restart"),
	          "a 1012 close is not read as a restart: %s", e->reasons);
	cr_assert(
	    child_start(&srv, true,
	                (const char *[]){"serve", "--port", port, "--flavor",
	                                 "tac", "--rate", "0", NULL}),
	    "restart on %s", port);
	t_back = test_now_ms();
	/* every stream, those without a poll URL too (planned-features,
	 * webhook-status): another stream's answer tells them */
	cr_assert(jl_run_until(&r, all_live_twice, NULL, 30000),
	          "not every stream live again");
	cr_log_info("all 8 live again %lld ms after the backend answered",
	            test_now_ms() - t_back);
	cr_assert_lt(test_now_ms() - t_back, 10000,
	             "the 20 s backoff, not the answering poll, brought them "
	             "back");
	cr_assert(
	    strstr(jl_run_ep(&r, "workflows")->reasons, "back after a restart"),
	    "%s", jl_run_ep(&r, "workflows")->reasons);
	cr_assert_eq(jl_run_stop(&r, 10000), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

static bool
polled_ok(const struct jl_run *r, void *user)
{
	return jl_run_ep(r, user)->polls_ok > 0 &&
	       jl_run_ep(r, user)->polling > 0;
}

/*
 * A --server URL with a path is the prefix: /api/v1 gives
 * /api/v1/ws/NAME and polls found among /api/v1/api/NAME and
 * /api/v1/NAME (the first that answers).
 */
Test(backends, a_server_prefix_and_its_poll_urls)
{
	struct child srv;
	struct jl_run r;
	char prefix[96];

	cr_assert(serve_start(&srv, "--flavor", "tac", NULL));
	snprintf(prefix, sizeof(prefix), "%s/api/v1", server_url(srv.port));
	jl_run_start(&r, (const char *[]){"watch", "--json", "--server", prefix,
	                                  "--poll-interval", "500", NULL});
	cr_assert(jl_run_until(&r, all_live, NULL, 30000));
	jl_post(srv.port, "/control/down?path=/api/v1/ws/routes&status=503");
	cr_assert(jl_run_until(&r, polled_ok, "routes", 30000),
	          "no good poll for routes: %s",
	          jl_run_ep(&r, "routes")->poll_errors);
	jl_post(srv.port, "/control/up?path=/api/v1/ws/routes");
	cr_assert_eq(jl_run_stop(&r, 10000), 0);
	cr_assert_eq(child_stop(&srv), 0);
}
