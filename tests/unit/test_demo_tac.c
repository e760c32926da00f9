/*
 * The demo backend's flavors (demo_stream) and the world in the tac
 * backend's shapes: tables, every stream's data in both forms, phases,
 * envelopes, and that equal worlds give equal JSON (what change-only
 * broadcasting relies on).
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <string.h>

#include "wsdash/demo_world.h"

#define T0 1764108000000LL /* 2025-11-25T22:00:00Z */

static const cJSON *
item(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	cr_assert_not_null(v, "no '%s' in %s", k, cJSON_PrintUnformatted(o));
	return v;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = item(o, k);

	cr_assert(cJSON_IsString(v), "'%s' is not a string", k);
	return v->valuestring;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = item(o, k);

	cr_assert(cJSON_IsNumber(v), "'%s' is not a number", k);
	return v->valuedouble;
}

static bool
is_phase(const char *p)
{
	for (int i = 0; i < DEMO_NPHASES; i++)
		if (strcmp(p, demo_phase_name(i)) == 0)
			return true;
	return false;
}

static char *
json_of(const struct demo_world *w, enum demo_data d, enum demo_form f)
{
	cJSON *j = demo_world_json(w, d, f);
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	return s;
}

Test(demo_tac, the_tac_table)
{
	static const char *const names[] = {
	    "workflows",        "workflow-history",
	    "routes",           "queue",
	    "adw-monitor",      "system-status",
	    "planned-features", "webhook-status"};
	const struct demo_flavor *fl = demo_stream_flavor(SERVE_FLAVOR_TAC);
	char path[96], type[64];

	cr_assert_eq(fl->id, SERVE_FLAVOR_TAC);
	cr_assert_eq(fl->nstreams, TAC_NSTREAMS);
	cr_assert_leq(fl->nstreams, DEMO_MAX_STREAMS);
	for (int i = 0; i < TAC_NSTREAMS; i++) {
		const struct demo_stream_info *in = &fl->streams[i];

		cr_assert_str_eq(in->name, names[i]);
		snprintf(path, sizeof(path), "/api/v1/ws/%s", names[i]);
		cr_assert_str_eq(in->ws_path, path);
		cr_assert_eq(demo_stream_find_ws(fl, path), i);
		/* the type is the name with '_' for '-', plus _update */
		snprintf(type, sizeof(type), "%s_update", names[i]);
		for (char *p = type; *p; p++)
			if (*p == '-')
				*p = '_';
		cr_assert_str_eq(in->msg_type, type);
	}
	cr_assert_str_eq(fl->streams[TAC_WORKFLOWS].api_path,
	                 "/api/v1/workflows");
	cr_assert_str_eq(fl->streams[TAC_PLANNED_FEATURES].api_path,
	                 "/api/v1/planned-features/");
	cr_assert_null(fl->streams[TAC_WEBHOOK_STATUS].api_path);
	cr_assert_eq(demo_stream_find_api(fl, "/api/v1/queue"), TAC_QUEUE);
	cr_assert_eq(demo_stream_find_api(fl, "/api/v1/planned-features"), -1);
	cr_assert_eq(demo_stream_find_api(fl, "/api/v1/webhook-status"), -1);
	cr_assert_eq(demo_stream_find_ws(fl, "/ws/workflows"), -1);

	/* when they are looked at, and who goes first on connect */
	cr_assert_eq(fl->streams[TAC_QUEUE].check_ms, 2000);
	cr_assert_eq(fl->streams[TAC_WORKFLOWS].check_ms, 10000);
	cr_assert_eq(fl->streams[TAC_ROUTES].check_ms, 10000);
	cr_assert_eq(fl->streams[TAC_PLANNED_FEATURES].check_ms, 30000);
	cr_assert_eq(fl->streams[TAC_SYSTEM_STATUS].check_ms, DEMO_CHECK_NEVER);
	cr_assert_eq(fl->streams[TAC_WEBHOOK_STATUS].check_ms,
	             DEMO_CHECK_NEVER);
	cr_assert_eq(fl->streams[TAC_WORKFLOWS].before, TAC_QUEUE);
	cr_assert_eq(fl->streams[TAC_ROUTES].before, TAC_WORKFLOWS);
	cr_assert_eq(fl->streams[TAC_QUEUE].before, -1);

	cr_assert_not(fl->seq_envelope);
	cr_assert(fl->broadcast_all && fl->change_only &&
	          fl->first_frame_ready && fl->fastapi_http);
	cr_assert_eq(fl->unknown_upgrade_status, 403);
	cr_assert_eq(fl->stop_close_code, 1012);
}

Test(demo_tac, the_demo_table_is_as_before)
{
	const struct demo_flavor *fl = demo_stream_flavor(SERVE_FLAVOR_DEMO);

	cr_assert_eq(fl->nstreams, DEMO_NSTREAMS);
	for (int i = 0; i < DEMO_NSTREAMS; i++) {
		cr_assert_eq(&fl->streams[i], demo_stream_info(i));
		cr_assert_eq((int)fl->streams[i].data, i);
	}
	cr_assert(fl->seq_envelope);
	cr_assert_not(fl->broadcast_all || fl->change_only ||
	              fl->first_frame_ready || fl->fastapi_http);
	cr_assert_eq(fl->unknown_upgrade_status, 404);
	cr_assert_eq(fl->stop_close_code, 0);
	cr_assert_str_eq(serve_flavor_name(fl->id), "demo");
}

Test(demo_tac, every_stream_of_both_flavors_has_data)
{
	struct demo_world w;
	const enum serve_flavor fls[] = {SERVE_FLAVOR_DEMO, SERVE_FLAVOR_TAC};

	demo_world_init(&w, 3, T0);
	for (int k = 0; k < 2; k++) {
		const struct demo_flavor *fl = demo_stream_flavor(fls[k]);

		for (int i = 0; i < fl->nstreams; i++) {
			const struct demo_stream_info *in = &fl->streams[i];
			cJSON *ws = demo_world_json(&w, in->data, DEMO_FORM_WS);
			cJSON *http =
			    demo_world_json(&w, in->data, DEMO_FORM_HTTP);

			cr_assert_not_null(ws, "%s: no socket data",
			                   in->ws_path);
			/* an HTTP form exactly where there is a route */
			cr_assert_eq(http != NULL, in->api_path != NULL,
			             "%s: HTTP form", in->ws_path);
			cJSON_Delete(ws);
			cJSON_Delete(http);
		}
	}
}

Test(demo_tac, workflows_carry_a_phase_not_a_status)
{
	struct demo_world w;
	cJSON *d, *wf;

	demo_world_init(&w, 1, T0);
	d = demo_world_json(&w, DEMO_DATA_TAC_WORKFLOWS, DEMO_FORM_HTTP);
	cr_assert(cJSON_IsArray(d));
	cr_assert_eq(cJSON_GetArraySize(d), DEMO_ACTIVE);
	cJSON_ArrayForEach(wf, d)
	{
		const char *id = str(wf, "adw_id");

		cr_assert_eq(cJSON_GetArraySize(wf), 4, "%s",
		             cJSON_PrintUnformatted(wf));
		cr_assert_eq(strlen(id), 8);
		for (const char *p = id; *p; p++)
			cr_assert(isxdigit((unsigned char)*p));
		cr_assert_gt(num(wf, "issue_number"), 0);
		cr_assert(is_phase(str(wf, "phase")), "phase %s",
		          str(wf, "phase"));
		cr_assert(strncmp(str(wf, "github_url"), "https://github.com/",
		                  19) == 0);
		cr_assert_null(cJSON_GetObjectItem(wf, "status"));
	}
	cJSON_Delete(d);
}

Test(demo_tac, phases_move_with_the_world)
{
	struct demo_world w;
	bool seen[DEMO_NPHASES] = {0};

	demo_world_init(&w, 5, T0);
	for (int i = 0; i < 400; i++) {
		demo_world_step(&w, T0 + i * 1000);
		for (int k = 0; k < DEMO_ACTIVE; k++) {
			int p = demo_world_phase(&w, &w.active[k]);

			cr_assert(p >= 0 && p < DEMO_NPHASES);
			/* queued work is planning; running work is past it */
			cr_assert_eq(p == 0, w.active[k].status == WF_QUEUED);
			seen[p] = true;
		}
	}
	for (int p = 0; p < DEMO_NPHASES; p++)
		cr_assert(seen[p], "phase %s never seen", demo_phase_name(p));
	cr_assert_str_eq(demo_phase_name(0), "plan");
	cr_assert_str_eq(demo_phase_name(5), "ship");
	cr_assert_str_eq(demo_phase_name(6), "unknown");
}

Test(demo_tac, routes_envelope_lists_every_http_route)
{
	const struct demo_flavor *fl = demo_stream_flavor(SERVE_FLAVOR_TAC);
	struct demo_world w;
	cJSON *d, *r;
	const cJSON *list;

	demo_world_init(&w, 1, T0);
	d = demo_world_json(&w, DEMO_DATA_TAC_ROUTES, DEMO_FORM_WS);
	cr_assert(cJSON_IsObject(d));
	list = item(d, "routes");
	cr_assert(cJSON_IsArray(list));
	cr_assert_eq(num(d, "total"), cJSON_GetArraySize(list));
	cJSON_ArrayForEach(r, list)
	{
		cr_assert(strncmp(str(r, "path"), "/api/v1/", 8) == 0);
		cr_assert_str_eq(str(r, "method"), "GET");
		cr_assert_gt(strlen(str(r, "name")), 0);
		cr_assert_gt(strlen(str(r, "summary")), 0);
		cr_assert_str_eq(str(r, "description"), "");
		cr_assert(cJSON_IsArray(item(r, "tags")));
	}
	for (int i = 0; i < fl->nstreams; i++) {
		bool found = false;

		if (fl->streams[i].api_path == NULL)
			continue;
		cJSON_ArrayForEach(r, list) found |=
		    strcmp(str(r, "path"), fl->streams[i].api_path) == 0;
		cr_assert(found, "%s not listed", fl->streams[i].api_path);
	}
	cJSON_Delete(d);
}

Test(demo_tac, queue_history_monitor_status_features_webhook)
{
	struct demo_world w;
	cJSON *d, *it;
	int running = 0;

	demo_world_init(&w, 11, T0);
	for (int i = 0; i < 30; i++)
		demo_world_step(&w, T0 + i * 1000);

	/* queue: {phases, total}; the socket's adds paused */
	d = demo_world_json(&w, DEMO_DATA_QUEUE, DEMO_FORM_HTTP);
	cr_assert_eq(num(d, "total"), cJSON_GetArraySize(item(d, "phases")));
	cr_assert_null(cJSON_GetObjectItem(d, "paused"));
	cJSON_ArrayForEach(it, item(d, "phases"))
	{
		str(it, "queue_id");
		num(it, "issue_number");
		cr_assert(strcmp(str(it, "status"), "queued") == 0 ||
		          strcmp(str(it, "status"), "running") == 0);
	}
	cJSON_Delete(d);
	d = demo_world_json(&w, DEMO_DATA_QUEUE, DEMO_FORM_WS);
	cr_assert(cJSON_IsFalse(item(d, "paused")));
	cJSON_Delete(d);

	/* history: the envelope with WorkflowHistoryItems */
	d = demo_world_json(&w, DEMO_DATA_TAC_HISTORY, DEMO_FORM_HTTP);
	cr_assert_eq((uint64_t)num(d, "total_count"), w.completed);
	cJSON_ArrayForEach(it, item(d, "workflows"))
	{
		str(it, "adw_id");
		cr_assert(strcmp(str(it, "status"), "completed") == 0 ||
		          strcmp(str(it, "status"), "failed") == 0);
		cr_assert_geq(num(it, "duration_seconds"), 0);
	}
	cr_assert_eq((uint64_t)num(item(d, "analytics"), "total_workflows"),
	             w.completed);
	num(item(d, "analytics"), "success_rate_percent");
	cJSON_Delete(d);

	/* ADW monitor: status and current_phase; the summary adds up */
	d = demo_world_json(&w, DEMO_DATA_ADW_MONITOR, DEMO_FORM_HTTP);
	cJSON_ArrayForEach(it, item(d, "workflows"))
	{
		const cJSON *cp = item(it, "current_phase");

		running += strcmp(str(it, "status"), "running") == 0;
		cr_assert(cJSON_IsNull(cp) ||
		          (cJSON_IsString(cp) && is_phase(cp->valuestring)));
	}
	cr_assert_eq(num(item(d, "summary"), "total"),
	             cJSON_GetArraySize(item(d, "workflows")));
	cr_assert_eq(num(item(d, "summary"), "running"), running);
	cr_assert_eq(str(d, "last_updated")[10], 'T');
	cJSON_Delete(d);

	d = demo_world_json(&w, DEMO_DATA_SYSTEM_STATUS, DEMO_FORM_WS);
	cr_assert_str_eq(str(d, "overall_status"), "healthy");
	cr_assert(cJSON_IsObject(item(d, "services")));
	cJSON_Delete(d);

	/* planned features: the GET is an array, the socket {features,stats} */
	d = demo_world_json(&w, DEMO_DATA_PLANNED_FEATURES, DEMO_FORM_HTTP);
	cr_assert(cJSON_IsArray(d));
	cr_assert_gt(cJSON_GetArraySize(d), 0);
	cJSON_ArrayForEach(it, d)
	{
		num(it, "id");
		str(it, "title");
		str(it, "status");
	}
	cJSON_Delete(d);
	d = demo_world_json(&w, DEMO_DATA_PLANNED_FEATURES, DEMO_FORM_WS);
	cr_assert_eq(num(item(d, "stats"), "total"),
	             cJSON_GetArraySize(item(d, "features")));
	cJSON_Delete(d);

	d = demo_world_json(&w, DEMO_DATA_WEBHOOK_STATUS, DEMO_FORM_WS);
	cr_assert_str_eq(str(d, "status"), "error");
	cr_assert_gt(strlen(str(d, "message")), 0);
	cJSON_Delete(d);
	cr_assert_null(
	    demo_world_json(&w, DEMO_DATA_WEBHOOK_STATUS, DEMO_FORM_HTTP));
}

/* What change-only broadcasting relies on: no step, no change. */
Test(demo_tac, data_changes_only_when_the_world_does)
{
	struct demo_world w;
	char *before[DEMO_NDATA], *again;
	bool changed = false;

	demo_world_init(&w, 21, T0);
	for (int d = 0; d < DEMO_NDATA; d++) {
		before[d] = json_of(&w, d, DEMO_FORM_WS);
		again = json_of(&w, d, DEMO_FORM_WS);
		cr_assert_str_eq(before[d], again, "data %d not stable", d);
		free(again);
	}
	demo_world_step(&w, T0 + 1500);
	for (int d = 0; d < DEMO_NDATA; d++) {
		again = json_of(&w, d, DEMO_FORM_WS);
		changed |= d == DEMO_DATA_TAC_WORKFLOWS &&
		           strcmp(before[d], again) != 0;
		/* the route tables never change */
		if (d == DEMO_DATA_ROUTES || d == DEMO_DATA_TAC_ROUTES ||
		    d == DEMO_DATA_WEBHOOK_STATUS)
			cr_assert_str_eq(before[d], again);
		free(again);
		free(before[d]);
	}
	/* a step moves a run between phases (or queued to running) */
	cr_assert(changed, "a world step left the workflows as they were");
}

Test(demo_tac, bare_envelope_has_type_and_data_only)
{
	char buf[128];
	size_t n = demo_format_bare(buf, sizeof(buf), "queue_update",
	                            "{\"phases\":[],\"total\":0}");
	cJSON *j = cJSON_Parse(buf);

	cr_assert_eq(n, strlen(buf));
	cr_assert_str_eq(
	    buf,
	    "{\"type\":\"queue_update\",\"data\":{\"phases\":[],\"total\":0}}");
	cr_assert_eq(cJSON_GetArraySize(j), 2);
	cJSON_Delete(j);
	cr_assert_eq(demo_format_bare(buf, 8, "queue_update", "[]"),
	             strlen("{\"type\":\"queue_update\",\"data\":[]}"));
	cr_assert_eq(strlen(buf), 7);
}

Test(demo_tac, isoformat_as_python_prints_it)
{
	char out[32];

	demo_isoformat(T0, out);
	cr_assert_str_eq(out, "2025-11-25T22:00:00");
	demo_isoformat(T0 + 123, out);
	cr_assert_str_eq(out, "2025-11-25T22:00:00.123000");
	demo_isoformat(T0 + 1001, out);
	cr_assert_str_eq(out, "2025-11-25T22:00:01.001000");
}
