/* jlines.c: JSON-line helpers for watch tests; see jlines.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "http.h"
#include "jlines.h"

const char *
jl_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

cJSON *
jl_next(struct child *c, int timeout_ms)
{
	char line[8192];
	cJSON *j;

	if (!child_read_line(c, line, sizeof(line), timeout_ms))
		return NULL;
	j = cJSON_Parse(line);
	cr_assert_not_null(j, "not a JSON line: %s", line);
	return j;
}

cJSON *
jl_wait(struct child *c, const char *ep, const char *ev, const char *key,
        const char *val, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;

	while (test_now_ms() < end) {
		cJSON *j = jl_next(c, (int)(end - test_now_ms()));

		if (j == NULL)
			return NULL;
		if ((ep == NULL || strcmp(jl_str(j, "endpoint"), ep) == 0) &&
		    strcmp(jl_str(j, "event"), ev) == 0 &&
		    (key == NULL || strcmp(jl_str(j, key), val) == 0))
			return j;
		cJSON_Delete(j);
	}
	return NULL;
}

void
jl_post(int port, const char *path)
{
	struct http_resp r;
	int rc = http_req(port, "POST", path, NULL, NULL, &r, 3000);

	cr_assert_eq(rc, 0, "POST %s: %s", path, strerror(-rc));
	cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
	http_resp_free(&r);
}

int
jl_flaps(struct child *srv, int n, long rss_kib[5])
{
	struct child w;
	char url[128];
	const char *argv[] = {
	    "watch", "--json", "--retry-base", "1", "--poll-interval", "100",
	    url,     NULL};
	int cycles = 0;

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/ws/routes", srv->port);
	cr_assert(child_start(&w, false, argv));
	memset(rss_kib, 0, 5 * sizeof(long));
	while (cycles < n) {
		/* the watcher says when it is live again */
		cJSON *j =
		    jl_wait(&w, "routes", "state", "state", "live", 10000);

		cr_assert_not_null(j, "watcher did not reconnect (cycle %d)",
		                   cycles);
		cJSON_Delete(j);
		jl_post(srv->port, "/control/down?path=/ws/routes&status=503");
		jl_post(srv->port, "/control/up?path=/ws/routes");
		child_drain(srv); /* its log lines, or it blocks on stdout */
		cycles++;
		if (cycles % (n / 4 ? n / 4 : 1) == 0 && cycles / (n / 4) <= 4)
			rss_kib[cycles / (n / 4 ? n / 4 : 1)] =
			    proc_rss_kib(w.pid);
	}
	child_drain(&w);
	return child_stop(&w);
}

void
jl_assert_terminal_safe(const char *s, const char *what)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		cr_assert(*p >= 0x20 || *p == '\n' || *p == '\t',
		          "%s: control byte 0x%02x in output: %.200s", what, *p,
		          s);
		cr_assert(*p != 0x7f, "%s: DEL in output", what);
		if (p[0] == 0xc2)
			cr_assert(p[1] < 0x80 || p[1] > 0x9f,
			          "%s: C1 control in output: %.200s", what, s);
	}
}

void
jl_run_start(struct jl_run *r, const char *const *argv)
{
	memset(r, 0, sizeof(*r));
	cr_assert(child_start(&r->c, false, argv), "wsdash did not start");
}

static struct jl_ep *
run_ep(struct jl_run *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->eps[i].name, name) == 0)
			return &r->eps[i];
	cr_assert_lt(r->n, JL_MAX_EPS, "too many endpoints for jl_run");
	snprintf(r->eps[r->n].name, sizeof(r->eps[0].name), "%s", name);
	return &r->eps[r->n++];
}

const struct jl_ep *
jl_run_ep(const struct jl_run *r, const char *name)
{
	static const struct jl_ep none;

	for (int i = 0; i < r->n; i++)
		if (strcmp(r->eps[i].name, name) == 0)
			return &r->eps[i];
	return &none;
}

static void
append(char *list, size_t len, const char *item)
{
	size_t have = strlen(list);

	if (have + strlen(item) + 2 < len)
		snprintf(list + have, len - have, "%s|", item);
}

/* Tally one line. */
static void
run_line(struct jl_run *r, const char *line)
{
	cJSON *j;
	const char *ev;
	struct jl_ep *e;

	jl_assert_terminal_safe(line, "watch --json");
	j = cJSON_Parse(line);
	cr_assert_not_null(j, "not a JSON line: %.300s", line);
	r->lines++;
	ev = jl_str(j, "event");
	e = run_ep(r, jl_str(j, "endpoint"));
	if (strcmp(ev, "state") == 0) {
		const char *st = jl_str(j, "state");

		e->live += strcmp(st, "live") == 0;
		e->stale += strcmp(st, "stale") == 0;
		e->polling += strcmp(st, "polling") == 0;
		e->down += strcmp(st, "down") == 0;
		snprintf(e->last_state, sizeof(e->last_state), "%s", st);
		append(e->reasons, sizeof(e->reasons), jl_str(j, "reason"));
	} else if (strcmp(ev, "message") == 0) {
		e->messages++;
		e->lags += cJSON_IsNumber(cJSON_GetObjectItem(j, "lag_ms"));
		append(e->types, sizeof(e->types), jl_str(j, "msg_type"));
	} else if (strcmp(ev, "summary") == 0) {
		e->messages += (int)cJSON_GetObjectItem(j, "msgs")->valuedouble;
		append(e->types, sizeof(e->types), jl_str(j, "last_type"));
	} else if (strcmp(ev, "dropped") == 0) {
		e->dropped++;
	} else if (strcmp(ev, "poll") == 0) {
		e->polls++;
		if (cJSON_IsTrue(cJSON_GetObjectItem(j, "ok"))) {
			e->polls_ok++;
			snprintf(e->poll_summary, sizeof(e->poll_summary), "%s",
			         jl_str(j, "summary"));
		} else {
			append(e->poll_errors, sizeof(e->poll_errors),
			       jl_str(j, "error"));
		}
	} else if (strcmp(ev, "other") == 0) {
		e->others++;
		append(e->other_types, sizeof(e->other_types),
		       jl_str(j, "msg_type"));
	} else if (strcmp(ev, "silent") == 0) {
		if (cJSON_IsTrue(cJSON_GetObjectItem(j, "silent")))
			e->silent++;
		else
			e->spoke_again++;
	} else if (strcmp(ev, "rtt") == 0) {
		e->rtts++;
	} else if (strcmp(ev, "retry") == 0) {
		e->retries++;
		append(e->reasons, sizeof(e->reasons), jl_str(j, "reason"));
	}
	cJSON_Delete(j);
}

bool
jl_run_until(struct jl_run *r, bool (*done)(const struct jl_run *, void *),
             void *user, int timeout_ms)
{
	static char line[CHILD_LINE_MAX];
	long long end = test_now_ms() + timeout_ms, sampled = 0;

	while (!(done && done(r, user))) {
		long long now = test_now_ms();

		if (now >= end || r->c.pid <= 0)
			return false;
		if (now - sampled >= 50) { /* RSS, 20 times a second */
			long rss = proc_rss_kib(r->c.pid);

			if (rss > r->max_rss_kib)
				r->max_rss_kib = rss;
			sampled = now;
		}
		if (child_read_line(&r->c, line, sizeof(line), 50))
			run_line(r, line);
		else if (r->c.eof)
			return done && done(r, user);
	}
	return true;
}

int
jl_run_stop(struct jl_run *r, int timeout_ms)
{
	static char line[CHILD_LINE_MAX];
	int st = child_signal_wait(&r->c, SIGTERM, timeout_ms);

	cr_assert_neq(st, -1, "wsdash did not exit within %d ms of SIGTERM",
	              timeout_ms);
	while (child_read_line(&r->c, line, sizeof(line), 1000))
		run_line(r, line);
	child_stop(&r->c);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
