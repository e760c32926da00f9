/* jlines.c: JSON-line helpers for watch tests; see jlines.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
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
