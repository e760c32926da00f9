/*
 * The Prometheus exposition of the model (metrics.h), from a model driven
 * with injected time: label escaping, # HELP and # TYPE for every family
 * with its samples in one group, cumulative histogram buckets ending in
 * +Inf with _sum and _count, one state at 1 and the others at 0, and the
 * /probe answer.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/metrics.h"
#include "wsdash/mon.h"

#define S 1000000LL

static struct config cfg;
static struct mon m;
static struct mbuf out;

/* Endpoints "a", an awkward name, and "c", all connecting at 0. */
static void
setup(void)
{
	static const char *const urls[] = {"ws://h:1/ws/a", "ws://h:1/ws/b",
	                                   "ws://h:1/ws/c"};
	char err[128];

	config_init(&cfg, NULL);
	for (int i = 0; i < 3; i++)
		cr_assert(config_add_url(&cfg, urls[i], err, sizeof(err)));
	free(cfg.eps[1].name);
	cfg.eps[1].name = strdup("we\\ird \"name\"\nline2 \xff end");
	cfg.eps[2].required = false;
	cr_assert(mon_init(&m, &cfg, 0, true));
	memset(&out, 0, sizeof(out));
}

static void
teardown(void)
{
	mon_done(&m);
	config_free(&cfg);
	mbuf_free(&out);
}

static void
apply(int i, enum mon_ev_kind k, int64_t at, int64_t rtt_us)
{
	struct mon_event e = {
	    .kind = k, .rtt_us = rtt_us, .wall_ms = 1700000005000LL};

	if (k == MEV_WS_FAIL) {
		e.status = 503;
		e.cls = PC_SERVER_ERROR;
	}
	if (k == MEV_POLL_OK || k == MEV_POLL_FAIL)
		e.status = k == MEV_POLL_OK ? 200 : 500;
	if (k == MEV_MESSAGE) {
		e.data = "{\"type\":\"x\",\"sent_at\":1700000004000}";
		e.len = strlen(e.data);
	}
	mon_apply(&m, &m.eps[i], &e, at);
}

static const char *
render(int64_t now_us)
{
	struct metrics_proc proc = {.ok = true,
	                            .cpu_seconds = 1.5,
	                            .start_time = 1700000000,
	                            .rss_bytes = 4096,
	                            .vsize_bytes = 8192,
	                            .open_fds = 7,
	                            .max_fds = 1024};

	mbuf_reset(&out);
	cr_assert(
	    metrics_render(&out, &m, now_us, 1700000100000LL, &proc, "1.2.3"));
	return out.p;
}

/* The value of the sample line that starts with prefix (whole name and
 * labels up to the space), or -1 if there is none. */
static double
sample(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *l = text; l && *l; l = strchr(l, '\n') + 1) {
		if (strncmp(l, prefix, n) == 0 && l[n] == ' ')
			return strtod(l + n + 1, NULL);
		if (strchr(l, '\n') == NULL)
			break;
	}
	return -1;
}

Test(metrics, label_values_are_escaped_and_valid_utf8)
{
	struct mbuf b = {0};
	const char in[] = "a\\b\"c\nd \xc3\xa9 \xff \xc0\xaf \xed\xa0\x80 \t";

	metrics_escape(&b, in, sizeof(in) - 1);
	cr_assert_str_eq(b.p, "a\\\\b\\\"c\\nd \xc3\xa9 \xEF\xBF\xBD "
	                      "\xEF\xBF\xBD\xEF\xBF\xBD "
	                      "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \t");
	mbuf_free(&b);
}

Test(metrics, awkward_names_are_escaped_in_every_family, .init = setup,
     .fini = teardown)
{
	const char *t;
	const char *esc = "endpoint=\"we\\\\ird \\\"name\\\"\\nline2 "
	                  "\xEF\xBF\xBD end\"";
	int seen = 0;

	apply(1, MEV_WS_FAIL, 1 * S, 0);
	apply(1, MEV_POLL_OK, 1 * S, 900);
	t = render(2 * S);
	for (const char *l = t; *l; l = strchr(l, '\n') + 1) {
		const char *nl = strchr(l, '\n');

		cr_assert_not_null(nl, "every line ends in a newline");
		/* no raw newline or quote can have split a line */
		if (l[0] != '#' && memmem(l, (size_t)(nl - l), "we\\", 3))
			seen++;
		cr_assert(l[0] == '#' || strchr(l, ' ') < nl,
		          "a sample line has a value: %.*s", (int)(nl - l), l);
	}
	cr_assert_gt(seen, 35, "the name in %d samples", seen);
	cr_assert(strstr(t, esc) != NULL);
	cr_assert(strstr(t, "\nline2") == NULL);
}

/* Name of the family a sample belongs to (histogram suffixes removed). */
static void
family_of(const char *line, const char *types, char *fam, size_t len)
{
	size_t n = strcspn(line, "{ ");
	static const char *const sfx[] = {"_bucket", "_sum", "_count"};

	snprintf(fam, len, "%.*s", (int)n, line);
	for (int i = 0; i < 3; i++) {
		size_t sl = strlen(sfx[i]);
		char base[128], pat[160];

		if (n > sl && strcmp(fam + n - sl, sfx[i]) == 0) {
			snprintf(base, sizeof(base), "%.*s", (int)(n - sl),
			         fam);
			snprintf(pat, sizeof(pat), "# TYPE %s histogram\n",
			         base);
			if (strstr(types, pat) != NULL) {
				snprintf(fam, len, "%s", base);
				return;
			}
		}
	}
}

Test(metrics, every_family_has_help_and_type_and_one_group, .init = setup,
     .fini = teardown)
{
	char fam[128], cur[128] = "", done[8192] = " ";
	int families = 0;
	const char *t;

	apply(0, MEV_WS_OPEN, 1 * S, 0);
	apply(0, MEV_PONG, 2 * S, 300);
	apply(0, MEV_MESSAGE, 2 * S, 0);
	apply(1, MEV_WS_FAIL, 1 * S, 0);
	apply(1, MEV_POLL_OK, 2 * S, 2000);
	t = render(3 * S);
	for (const char *l = t; *l; l = strchr(l, '\n') + 1) {
		char key[140];

		if (strncmp(l, "# HELP ", 7) == 0) {
			char type[160];
			const char *nl = strchr(l, '\n');

			family_of(l + 7, "", fam, sizeof(fam));
			snprintf(key, sizeof(key), " %s ", fam);
			cr_assert_null(strstr(done, key), "%s: a second group",
			               fam);
			cr_assert(strlen(done) + strlen(key) < sizeof(done));
			strcat(done, key + 1);
			snprintf(cur, sizeof(cur), "%s", fam);
			families++;
			/* TYPE right after HELP, with a known type */
			snprintf(type, sizeof(type), "# TYPE %s ", fam);
			cr_assert(strncmp(nl + 1, type, strlen(type)) == 0,
			          "%s: no # TYPE after its # HELP", fam);
			const char *ty = nl + 1 + strlen(type);
			cr_assert(strncmp(ty, "gauge\n", 6) == 0 ||
			              strncmp(ty, "counter\n", 8) == 0 ||
			              strncmp(ty, "histogram\n", 10) == 0,
			          "%s: type %.10s", fam, ty);
			if (strncmp(ty, "counter", 7) == 0)
				cr_assert(strstr(fam, "_total") != NULL,
				          "counter %s without _total", fam);
			continue;
		}
		if (l[0] == '#')
			continue;
		family_of(l, t, fam, sizeof(fam));
		cr_assert_str_eq(fam, cur,
		                 "a %s sample outside its family's group", fam);
	}
	cr_assert_eq(families, 26, "%d families", families);
	/* the ones the issue names, at least */
	static const char *const want[] = {
	    "wsdash_endpoint_info",
	    "wsdash_endpoint_state",
	    "wsdash_endpoint_websocket",
	    "wsdash_endpoint_fallback",
	    "wsdash_fallbacks_total",
	    "wsdash_reconnects_total",
	    "wsdash_messages_total",
	    "wsdash_message_bytes_total",
	    "wsdash_messages_dropped_total",
	    "wsdash_other_messages_total",
	    "wsdash_polls_total",
	    "wsdash_websocket_seconds_total",
	    "wsdash_fallback_seconds_total",
	    "wsdash_rtt_seconds",
	    "wsdash_poll_rtt_seconds",
	    "wsdash_last_message_timestamp_seconds",
	    "wsdash_state_since_timestamp_seconds",
	    "wsdash_message_lag_seconds",
	    "wsdash_build_info",
	    "process_cpu_seconds_total",
	    "process_resident_memory_bytes",
	    "process_open_fds",
	    "process_max_fds",
	    "process_start_time_seconds",
	    "process_virtual_memory_bytes"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char key[140];

		snprintf(key, sizeof(key), " %s ", want[i]);
		cr_assert_not_null(strstr(done, key), "no %s", want[i]);
	}
	cr_assert_eq(sample(t, "wsdash_build_info{version=\"1.2.3\"}"), 1);
	cr_assert_eq(sample(t, "process_open_fds"), 7);
}

Test(metrics, histograms_are_cumulative_with_inf_sum_and_count, .init = setup,
     .fini = teardown)
{
	static const int64_t rtts[] = {90, 200, 200, 3000, 700000, 20000000};
	char p[160];
	double prev = 0, inf;
	const char *t;

	apply(0, MEV_WS_OPEN, 1 * S, 0);
	for (size_t i = 0; i < 6; i++)
		apply(0, MEV_PONG, 2 * S, rtts[i]);
	t = render(3 * S);
	static const char *const le[] = {
	    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
	    "0.01",   "0.025",   "0.05",   "0.1",   "0.25",   "0.5",
	    "1",      "2.5",     "5",      "10",    "+Inf"};
	static const double want[] = {1, 3, 3, 3, 3, 4, 4, 4, 4,
	                              4, 4, 4, 5, 5, 5, 5, 6};
	for (int k = 0; k < 17; k++) {
		double v;

		snprintf(p, sizeof(p),
		         "wsdash_rtt_seconds_bucket{endpoint=\"a\",le=\"%s\"}",
		         le[k]);
		v = sample(t, p);
		cr_assert_eq(v, want[k], "le %s: %g, want %g", le[k], v,
		             want[k]);
		cr_assert_geq(v, prev, "buckets never decrease");
		prev = v;
	}
	inf = prev;
	cr_assert_eq(sample(t, "wsdash_rtt_seconds_count{endpoint=\"a\"}"),
	             inf);
	cr_assert(strstr(t, "wsdash_rtt_seconds_sum{endpoint=\"a\"} "
	                    "20.703490\n") != NULL);
	/* an endpoint without samples has no series yet */
	cr_assert_null(strstr(t, "wsdash_rtt_seconds_bucket{endpoint=\"c\""));
	cr_assert_null(
	    strstr(t, "wsdash_poll_rtt_seconds_count{endpoint=\"c\""));
	cr_assert(strstr(t, "# TYPE wsdash_poll_rtt_seconds histogram\n"),
	          "the family is announced all the same");
}

/* The state samples of endpoint "a": exactly one at 1, and which. */
static const char *
one_state(const char *t)
{
	static const char *const states[] = {"connecting", "live", "stale",
	                                     "polling",    "down", "paused"};
	const char *on = NULL;

	for (int s = 0; s < 6; s++) {
		char p[128];
		double v;

		snprintf(p, sizeof(p),
		         "wsdash_endpoint_state{endpoint=\"a\",state=\"%s\"}",
		         states[s]);
		v = sample(t, p);
		cr_assert(v == 0 || v == 1, "%s: %g", states[s], v);
		if (v == 1) {
			cr_assert_null(on, "%s and %s both 1", on, states[s]);
			on = states[s];
		}
	}
	cr_assert_not_null(on, "no state at 1");
	return on;
}

/* The websocket and fallback gauges of endpoint "a" in the last render. */
static void
gauges_are(double websocket, double fallback)
{
	cr_assert_eq(sample(out.p, "wsdash_endpoint_websocket{endpoint=\"a\"}"),
	             websocket);
	cr_assert_eq(sample(out.p, "wsdash_endpoint_fallback{endpoint=\"a\"}"),
	             fallback);
}

Test(metrics, every_state_one_at_a_time, .init = setup, .fini = teardown)
{
	static const struct {
		enum mon_ev_kind ev;
		const char *state;
		double websocket, fallback;
	} steps[] = {
	    {MEV_WS_OPEN, "live", 1, 0},   {MEV_PONG_LATE, "stale", 1, 0},
	    {MEV_WS_CLOSED, "down", 0, 1}, {MEV_POLL_OK, "polling", 0, 1},
	    {MEV_PAUSE, "paused", 0, 0},   {MEV_RESUME, "connecting", 0, 0},
	};

	cr_assert_str_eq(one_state(render(1)), "connecting");
	gauges_are(0, 0);
	for (int k = 0; k < 6; k++) {
		apply(0, steps[k].ev, (k + 1) * S, 1000);
		cr_assert_str_eq(one_state(render((k + 2) * S)),
		                 steps[k].state);
		gauges_are(steps[k].websocket, steps[k].fallback);
	}
	cr_assert_eq(sample(out.p, "wsdash_fallbacks_total{endpoint=\"a\"}"),
	             1);
	cr_assert_eq(
	    sample(out.p, "wsdash_polls_total{endpoint=\"a\",result=\"ok\"}"),
	    1);
}

Test(metrics, times_counters_and_timestamps, .init = setup, .fini = teardown)
{
	const char *t;

	apply(0, MEV_WS_OPEN, 1 * S, 0);
	apply(0, MEV_MESSAGE, 2 * S, 0); /* arrived 1 s after sent_at */
	t = render(3500000);
	cr_assert(strstr(t, "wsdash_websocket_seconds_total{endpoint=\"a\"} "
	                    "2.500000\n"));
	cr_assert(strstr(t, "wsdash_fallback_seconds_total{endpoint=\"a\"} "
	                    "0.000000\n"));
	cr_assert(strstr(t, "wsdash_last_message_timestamp_seconds{endpoint="
	                    "\"a\"} 1700000005.000\n"));
	/* since 1 s, rendered at 3.5 s when the wall clock read
	 * 1700000100.000: 2.5 s earlier */
	cr_assert(strstr(t, "wsdash_state_since_timestamp_seconds{endpoint="
	                    "\"a\"} 1700000097.500\n"),
	          "%s", strstr(t, "wsdash_state_since"));
	cr_assert_eq(sample(t, "wsdash_message_lag_seconds{endpoint=\"a\"}"),
	             1);
	cr_assert_eq(sample(t, "wsdash_messages_total{endpoint=\"a\"}"), 1);
	/* no message yet: no timestamp, no lag (absent, not 0) */
	cr_assert_null(strstr(t, "wsdash_last_message_timestamp_seconds{"
	                         "endpoint=\"c\"}"));
	cr_assert_null(strstr(t, "wsdash_message_lag_seconds{endpoint=\"c\"}"));
	cr_assert(strstr(t, "wsdash_endpoint_info{endpoint=\"c\",url=\"ws://"
	                    "h:1/ws/c\",poll_url=\"http://h:1/api/c\","
	                    "required=\"false\"} 1\n"));
}

Test(metrics, a_full_buffer_says_so, .init = setup, .fini = teardown)
{
	struct mbuf small = {.max = 2000};

	cr_assert_not(metrics_render(&small, &m, 1, 1, NULL, "x"));
	cr_assert(small.full);
	cr_assert_leq(small.cap, 2000);
	mbuf_free(&small);
}

Test(metrics, probe_answers)
{
	struct mbuf b = {0};
	struct metrics_probe ok = {.success = true,
	                           .duration_s = 0.0015,
	                           .http_status = 101,
	                           .cls = PC_UPGRADED,
	                           .why = "101 upgraded"};
	struct metrics_probe bad = {.cls = -1, .why = "bad\ntarget\r'x'"};
	int ones = 0;

	metrics_render_probe(&b, &ok);
	cr_assert(strstr(b.p, "# wsdash probe: 101 upgraded\n") == b.p);
	cr_assert(strstr(b.p, "\nprobe_success 1\n"));
	cr_assert(strstr(b.p, "\nprobe_duration_seconds 0.0015\n"));
	cr_assert(strstr(b.p, "\nprobe_http_status_code 101\n"));
	cr_assert(strstr(b.p, "# TYPE probe_success gauge\n"));
	cr_assert(strstr(b.p, "wsdash_probe_class{class=\"upgraded\"} 1\n"));
	for (const char *s = b.p; (s = strstr(s, "} 1\n")) != NULL; s++)
		ones++;
	cr_assert_eq(ones, 1, "one class at 1");
	mbuf_reset(&b);
	metrics_render_probe(&b, &bad);
	cr_assert(strstr(b.p, "# wsdash probe: bad target 'x'\n") == b.p, "%s",
	          b.p);
	cr_assert(strstr(b.p, "\nprobe_success 0\n"));
	cr_assert_null(strstr(b.p, "} 1\n"), "no class for a refused probe");
	mbuf_free(&b);
}
