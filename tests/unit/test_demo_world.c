/* The demo backend's data: shapes, life cycle, bounds, determinism. */
#include <criterion/criterion.h>
#include <string.h>

#include "wsdash/demo_world.h"

#define T0 1764108000000LL /* 2025-11-25T22:00:00Z */

static const char *
status_of(const cJSON *wf)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(wf, "status");

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

Test(demo_world, streams_and_paths)
{
	cr_assert_eq(demo_stream_by_ws_path("/ws/workflows"), DEMO_WORKFLOWS);
	cr_assert_eq(demo_stream_by_ws_path("/ws/workflow-history"),
	             DEMO_HISTORY);
	cr_assert_eq(demo_stream_by_ws_path("/ws/routes"), DEMO_ROUTES);
	cr_assert_eq(demo_stream_by_ws_path("/ws/routes/"), -1);
	cr_assert_eq(demo_stream_by_ws_path("/api/routes"), -1);
	cr_assert_eq(demo_stream_by_api_path("/api/workflow-history"),
	             DEMO_HISTORY);
	cr_assert_str_eq(demo_stream_info(DEMO_HISTORY)->msg_type,
	                 "workflow_history_update");
}

Test(demo_world, workflows_shape)
{
	struct demo_world w;
	cJSON *d, *wf;

	demo_world_init(&w, 1, T0);
	d = demo_world_data(&w, DEMO_WORKFLOWS);
	cr_assert(cJSON_IsArray(d));
	cr_assert_eq(cJSON_GetArraySize(d), DEMO_ACTIVE);
	cJSON_ArrayForEach(wf, d)
	{
		const char *st = status_of(wf);
		const cJSON *start =
		    cJSON_GetObjectItemCaseSensitive(wf, "start_time");

		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(wf, "id")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(wf, "name")));
		cr_assert(st && (strcmp(st, "queued") == 0 ||
		                 strcmp(st, "running") == 0));
		/* queued work has not started; running work has an ISO time */
		if (strcmp(st, "queued") == 0)
			cr_assert(cJSON_IsNull(start));
		else
			cr_assert(cJSON_IsString(start) &&
			          strlen(start->valuestring) == 20 &&
			          start->valuestring[10] == 'T');
	}
	cJSON_Delete(d);
}

Test(demo_world, statuses_move_and_history_is_bounded)
{
	struct demo_world w;
	bool seen[4] = {0};
	uint64_t gen;

	demo_world_init(&w, 7, T0);
	for (int i = 0; i < 500; i++) {
		gen = w.generation;
		demo_world_step(&w, T0 + i * 1000);
		cr_assert_gt(w.generation, gen);
		for (int k = 0; k < DEMO_ACTIVE; k++)
			seen[w.active[k].status] = true;
		for (unsigned k = 0; k < w.hist_len; k++)
			seen[w.history[k].status] = true;
	}
	for (int s = 0; s < 4; s++)
		cr_assert(seen[s], "status %s never seen",
		          demo_wf_status_name(s));
	cr_assert_eq(w.hist_len, DEMO_HISTORY_MAX);

	cJSON *h = demo_world_data(&w, DEMO_HISTORY);
	cJSON *list = cJSON_GetObjectItem(h, "workflows");
	cJSON *an = cJSON_GetObjectItem(h, "analytics");
	double total = cJSON_GetObjectItem(h, "total_count")->valuedouble;
	double rate = cJSON_GetObjectItem(an, "success_rate")->valuedouble;
	double avg = cJSON_GetObjectItem(an, "average_duration")->valuedouble;
	double fails = cJSON_GetObjectItem(an, "recent_failures")->valuedouble;

	cr_assert_eq(cJSON_GetArraySize(list), DEMO_HISTORY_MAX);
	cr_assert_eq((uint64_t)total, w.completed);
	cr_assert_gt(total, 12); /* 12 at start, more finished since */
	cr_assert(rate > 0 && rate <= 100, "success_rate %g", rate);
	cr_assert_float_eq(rate, 100.0 * w.succeeded / w.completed, 0.051);
	cr_assert_gt(avg, 0);
	cr_assert(fails >= 0 && fails <= DEMO_RECENT);
	/* newest first, each with an end_time and non-negative duration */
	const cJSON *first = cJSON_GetArrayItem(list, 0);
	const cJSON *last = cJSON_GetArrayItem(list, DEMO_HISTORY_MAX - 1);
	cr_assert_geq(cJSON_GetObjectItem(first, "id")->valuedouble,
	              cJSON_GetObjectItem(last, "id")->valuedouble);
	cr_assert_geq(cJSON_GetObjectItem(first, "duration")->valuedouble, 0);
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(first, "end_time")));
	cJSON_Delete(h);
}

Test(demo_world, same_seed_same_world)
{
	struct demo_world a, b;
	cJSON *ja, *jb;
	char *sa, *sb;

	demo_world_init(&a, 99, T0);
	demo_world_init(&b, 99, T0);
	for (int i = 0; i < 50; i++) {
		demo_world_step(&a, T0 + i);
		demo_world_step(&b, T0 + i);
	}
	ja = demo_world_data(&a, DEMO_HISTORY);
	jb = demo_world_data(&b, DEMO_HISTORY);
	sa = cJSON_PrintUnformatted(ja);
	sb = cJSON_PrintUnformatted(jb);
	cr_assert_str_eq(sa, sb);
	demo_world_init(&b, 100, T0);
	cJSON_Delete(jb);
	jb = demo_world_data(&b, DEMO_WORKFLOWS);
	free(sb);
	sb = cJSON_PrintUnformatted(jb);
	cr_assert_str_neq(sa, sb);
	free(sa);
	free(sb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
}

Test(demo_world, routes_list_every_endpoint)
{
	struct demo_world w;
	cJSON *r, *it;
	int ws = 0;

	demo_world_init(&w, 1, T0);
	r = demo_world_data(&w, DEMO_ROUTES);
	cJSON_ArrayForEach(it, r)
	{
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, "method")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(it, "path")));
		if (strcmp(cJSON_GetObjectItem(it, "method")->valuestring,
		           "WEBSOCKET") == 0)
			ws++;
	}
	cr_assert_eq(ws, DEMO_NSTREAMS);
	cJSON_Delete(r);
}

Test(demo_world, message_envelope)
{
	char buf[256];
	size_t n = demo_format_message(buf, sizeof(buf), DEMO_ROUTES, 7, T0 + 5,
	                               "[1,2]");
	cJSON *j = cJSON_Parse(buf);

	cr_assert_eq(n, strlen(buf));
	cr_assert_not_null(j, "not JSON: %s", buf);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring,
	                 "routes_update");
	cr_assert_eq(cJSON_GetObjectItem(j, "seq")->valuedouble, 7);
	cr_assert_eq((long long)cJSON_GetObjectItem(j, "sent_at")->valuedouble,
	             T0 + 5);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "data")), 2);
	cJSON_Delete(j);
	/* too small a buffer reports the length it needed */
	cr_assert_eq(
	    demo_format_message(buf, 8, DEMO_ROUTES, 7, T0 + 5, "[1,2]"), n);
	cr_assert_eq(strlen(buf), 7);
}

Test(demo_world, iso8601)
{
	char out[32];

	demo_iso8601(0, out);
	cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
	demo_iso8601(T0 + 999, out);
	cr_assert_str_eq(out, "2025-11-25T22:00:00Z");
}
