/*
 * demo_world_tac.c: the demo world in the shapes of the tac-webbuilder
 * backend (`wsdash serve --flavor tac`); see demo_world.h.
 *
 * Every shape is derived from the same live workflows and history, so one
 * world step moves the workflows, the queue and the ADW monitor together,
 * and a finished run moves the history and, now and then, the planned
 * features. An ADW run's id, issue number and URL follow from its numeric
 * id; its phase from how many world steps it has been running. No rng is
 * drawn here and no clock is read: equal worlds give equal JSON, which is
 * what lets the server broadcast only on change.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "demo_world_int.h"

#define TAC_MONITOR_DONE 4 /* finished runs the ADW monitor still shows */
#define TAC_REPO_URL     "https://github.com/example/tac-webbuilder"

static const char *const phase_names[DEMO_NPHASES] = {
    "plan", "build", "test", "review", "document", "ship"};

static const char *const templates[] = {"adw_sdlc_iso", "adw_plan_build_iso",
                                        "adw_plan_build_test_iso",
                                        "adw_patch_iso"};
#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))

/* The backend's GET routes as its /api/v1/routes lists them. */
static const struct {
	const char *path, *name, *summary, *tag;
} tac_routes[] = {
    {"/api/v1/workflows", "get_workflows", "Get Workflows", "Workflows"},
    {"/api/v1/workflow-history", "get_workflow_history", "Get Workflow History",
     "Workflows"},
    {"/api/v1/routes", "get_routes", "Get Routes", "System"},
    {"/api/v1/queue", "get_queue", "Get Queue", "Phase Queue"},
    {"/api/v1/adw-monitor", "get_adw_monitor", "Get Adw Monitor", "ADW"},
    {"/api/v1/system-status", "get_system_status", "Get System Status",
     "System"},
    {"/api/v1/planned-features/", "get_planned_features",
     "Get Planned Features", "Planned Features"},
};
#define NROUTES (sizeof(tac_routes) / sizeof(tac_routes[0]))

/* The roadmap the planned-features stream shows. */
static const struct {
	const char *type, *title, *priority;
	double hours;
} features[] = {
    {"feature", "Phase queue dashboard", "high", 6.0},
    {"enhancement", "Retry failed ADW phases", "high", 4.5},
    {"bug", "History sync drops the last page", "medium", 2.0},
    {"feature", "Cost trend per template", "medium", 8.0},
    {"enhancement", "Webhook status in the header", "low", 1.5},
    {"feature", "Planned features import", "low", 5.0},
};
#define NFEATURES      (sizeof(features) / sizeof(features[0]))
#define FEATURE_ISSUE0 300 /* GitHub issue of the first feature */

/* Webhook status as the backend reports an unreachable webhook service. */
#define WEBHOOK_DOWN "<urlopen error [Errno 111] Connection refused>"

const char *
demo_phase_name(int i)
{
	return i >= 0 && i < DEMO_NPHASES ? phase_names[i] : "unknown";
}

int
demo_world_phase(const struct demo_world *w, const struct demo_wf *wf)
{
	uint64_t ran;

	switch (wf->status) {
	case WF_QUEUED:
		return 0;
	case WF_RUNNING:
		/* a step of the world is a step of work; runs started at the
		 * same time stand in different phases */
		ran = w->generation - wf->start_gen + wf->id % 3;
		return 1 + (int)(ran / 2 < 4 ? ran / 2 : 4);
	case WF_SUCCESS:
		return DEMO_NPHASES - 1;
	default: /* failed: in the phase that failed */
		return 1 + (int)(wf->id % 4);
	}
}

/* An ADW id: 8 hex digits mixed from the run's number. */
static void
tac_adw_id(const struct demo_wf *wf, char out[9])
{
	uint32_t h = wf->id * 0x9e3779b1u;

	h ^= h >> 15;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	snprintf(out, 9, "%08x", h);
}

/* The run's GitHub issue number. */
static int
tac_issue(const struct demo_wf *wf)
{
	return (int)(wf->id % 100000u) - 900;
}

/* Add the fields every shape of a run shares: adw_id, issue_number. */
static void
tac_add_ids(cJSON *o, const struct demo_wf *wf)
{
	char id[9];

	tac_adw_id(wf, id);
	cJSON_AddStringToObject(o, "adw_id", id);
	cJSON_AddNumberToObject(o, "issue_number", tac_issue(wf));
}

/* Add github_url: the run's issue on the (example) repository. */
static void
tac_add_url(cJSON *o, const struct demo_wf *wf)
{
	char url[96];

	snprintf(url, sizeof(url), TAC_REPO_URL "/issues/%d", tac_issue(wf));
	cJSON_AddStringToObject(o, "github_url", url);
}

/* key: ISO time of ms (Python's isoformat), or null when ms is 0. */
static void
tac_add_time(cJSON *o, const char *key, int64_t ms)
{
	char iso[32];

	if (ms == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	demo_isoformat(ms, iso);
	cJSON_AddStringToObject(o, key, iso);
}

/* The ADW workflow template the run uses. */
static const char *
tac_template(const struct demo_wf *wf)
{
	return templates[wf->name_idx % NTEMPLATES];
}

/* GET /api/v1/workflows: [{adw_id, issue_number, phase, github_url}]. */
static cJSON *
tac_workflows(const struct demo_world *w)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; arr && i < DEMO_ACTIVE; i++) {
		const struct demo_wf *wf = &w->active[i];
		cJSON *o = cJSON_CreateObject();

		tac_add_ids(o, wf);
		cJSON_AddStringToObject(
		    o, "phase", demo_phase_name(demo_world_phase(w, wf)));
		tac_add_url(o, wf);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* {workflows:[...], total_count, analytics} with WorkflowHistoryItems. */
static cJSON *
tac_history(const struct demo_world *w)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "workflows");
	cJSON *an, *by;
	double rate = 0, avg = 0;
	uint64_t failed = w->completed - w->succeeded;

	if (list == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (unsigned i = 0; i < w->hist_len; i++) {
		const struct demo_wf *wf = demo_world_hist(w, i);
		cJSON *it = cJSON_CreateObject();
		bool ok = wf->status == WF_SUCCESS;

		cJSON_AddNumberToObject(it, "id", wf->id);
		tac_add_ids(it, wf);
		tac_add_url(it, wf);
		cJSON_AddStringToObject(it, "workflow_template",
		                        tac_template(wf));
		cJSON_AddStringToObject(it, "status",
		                        ok ? "completed" : "failed");
		tac_add_time(it, "start_time", wf->start_ms);
		tac_add_time(it, "end_time", wf->end_ms);
		cJSON_AddNumberToObject(
		    it, "duration_seconds",
		    (double)((wf->end_ms - wf->start_ms) / 1000));
		if (ok) {
			cJSON_AddNullToObject(it, "error_message");
		} else {
			char msg[64];

			snprintf(msg, sizeof(msg), "%s phase failed",
			         demo_phase_name(demo_world_phase(w, wf)));
			cJSON_AddStringToObject(it, "error_message", msg);
		}
		cJSON_AddItemToArray(list, it);
	}
	cJSON_AddNumberToObject(o, "total_count", (double)w->completed);
	demo_world_rates(w, &rate, &avg);
	an = cJSON_AddObjectToObject(o, "analytics");
	cJSON_AddNumberToObject(an, "total_workflows", (double)w->completed);
	cJSON_AddNumberToObject(an, "completed_workflows",
	                        (double)w->succeeded);
	cJSON_AddNumberToObject(an, "failed_workflows", (double)failed);
	cJSON_AddNumberToObject(an, "avg_duration_seconds", avg);
	cJSON_AddNumberToObject(an, "success_rate_percent", rate);
	by = cJSON_AddObjectToObject(an, "workflows_by_status");
	cJSON_AddNumberToObject(by, "completed", (double)w->succeeded);
	cJSON_AddNumberToObject(by, "failed", (double)failed);
	return o;
}

/* {routes:[{path, method, name, summary, description, tags}], total}. */
static cJSON *
tac_routes_json(void)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "routes");

	for (size_t i = 0; list && i < NROUTES; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON *tags;

		cJSON_AddStringToObject(r, "path", tac_routes[i].path);
		cJSON_AddStringToObject(r, "method", "GET");
		cJSON_AddStringToObject(r, "name", tac_routes[i].name);
		cJSON_AddStringToObject(r, "summary", tac_routes[i].summary);
		cJSON_AddStringToObject(r, "description", "");
		tags = cJSON_AddArrayToObject(r, "tags");
		cJSON_AddItemToArray(tags,
		                     cJSON_CreateString(tac_routes[i].tag));
		cJSON_AddItemToArray(list, r);
	}
	cJSON_AddNumberToObject(o, "total", NROUTES);
	return o;
}

/* {phases:[PhaseQueueItem...], total} (+ paused on the socket). */
static cJSON *
tac_queue(const struct demo_world *w, enum demo_form f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "phases");
	int n = 0;

	for (int i = 0; list && i < DEMO_ACTIVE; i++) {
		const struct demo_wf *wf = &w->active[i];
		bool running = wf->status == WF_RUNNING;
		cJSON *it = cJSON_CreateObject(), *pd;
		char id[9], qid[16];

		tac_adw_id(wf, id);
		snprintf(qid, sizeof(qid), "q-%s", id);
		cJSON_AddStringToObject(it, "queue_id", qid);
		cJSON_AddNullToObject(it, "feature_id");
		cJSON_AddNumberToObject(it, "phase_number", 1);
		cJSON_AddNumberToObject(it, "issue_number", tac_issue(wf));
		cJSON_AddStringToObject(it, "status",
		                        running ? "running" : "queued");
		cJSON_AddArrayToObject(it, "depends_on_phases");
		pd = cJSON_AddObjectToObject(it, "phase_data");
		cJSON_AddStringToObject(pd, "title", demo_world_wf_name(wf));
		cJSON_AddStringToObject(pd, "workflow_type", tac_template(wf));
		cJSON_AddStringToObject(pd, "adw_id", id);
		tac_add_time(it, "created_at", wf->created_ms);
		tac_add_time(it, "updated_at",
		             running ? wf->start_ms : wf->created_ms);
		cJSON_AddNullToObject(it, "error_message");
		if (running)
			cJSON_AddStringToObject(it, "adw_id", id);
		else
			cJSON_AddNullToObject(it, "adw_id");
		cJSON_AddNullToObject(it, "pr_number");
		cJSON_AddItemToArray(list, it);
		n++;
	}
	cJSON_AddNumberToObject(o, "total", n);
	if (f == DEMO_FORM_WS)
		cJSON_AddFalseToObject(o, "paused");
	return o;
}

/* One run as the ADW monitor shows it. */
static cJSON *
tac_monitor_item(const struct demo_world *w, const struct demo_wf *wf)
{
	static const char *const status[] = {"pending", "running", "completed",
	                                     "failed"};
	cJSON *it = cJSON_CreateObject(), *done;
	int p = demo_world_phase(w, wf);
	int ndone = wf->status == WF_SUCCESS ? DEMO_NPHASES : p;

	tac_add_ids(it, wf);
	cJSON_AddNullToObject(it, "pr_number");
	cJSON_AddStringToObject(it, "issue_class", "/feature");
	cJSON_AddStringToObject(it, "title", demo_world_wf_name(wf));
	cJSON_AddStringToObject(it, "status", status[wf->status & 3]);
	if (wf->status == WF_QUEUED || wf->status == WF_SUCCESS)
		cJSON_AddNullToObject(it, "current_phase");
	else
		cJSON_AddStringToObject(it, "current_phase",
		                        demo_phase_name(p));
	cJSON_AddNumberToObject(it, "phase_progress",
	                        round(1000.0 * ndone / DEMO_NPHASES) / 10);
	cJSON_AddStringToObject(it, "workflow_template", tac_template(wf));
	tac_add_time(it, "start_time", wf->start_ms);
	tac_add_time(it, "end_time", wf->end_ms);
	if (wf->end_ms != 0)
		cJSON_AddNumberToObject(
		    it, "duration_seconds",
		    (double)((wf->end_ms - wf->start_ms) / 1000));
	else
		cJSON_AddNullToObject(it, "duration_seconds");
	tac_add_url(it, wf);
	cJSON_AddNumberToObject(it, "error_count",
	                        wf->status == WF_FAILED ? 1 : 0);
	cJSON_AddBoolToObject(it, "is_process_active",
	                      wf->status == WF_RUNNING);
	done = cJSON_AddArrayToObject(it, "phases_completed");
	for (int i = 0; done && i < ndone; i++)
		cJSON_AddItemToArray(done,
		                     cJSON_CreateString(demo_phase_name(i)));
	cJSON_AddNumberToObject(it, "total_phases", DEMO_NPHASES);
	return it;
}

/* {summary, workflows, last_updated}: live runs, then the last finished. */
static cJSON *
tac_adw_monitor(const struct demo_world *w)
{
	cJSON *o = cJSON_CreateObject(), *sum, *list;
	int count[4] = {0}, total = 0;
	char iso[32];

	sum = cJSON_AddObjectToObject(o, "summary");
	list = cJSON_AddArrayToObject(o, "workflows");
	if (list == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (int i = 0; i < DEMO_ACTIVE; i++) {
		cJSON_AddItemToArray(list, tac_monitor_item(w, &w->active[i]));
		count[w->active[i].status & 3]++;
		total++;
	}
	for (unsigned i = 0; i < w->hist_len && i < TAC_MONITOR_DONE; i++) {
		const struct demo_wf *wf = demo_world_hist(w, i);

		cJSON_AddItemToArray(list, tac_monitor_item(w, wf));
		count[wf->status & 3]++;
		total++;
	}
	cJSON_AddNumberToObject(sum, "total", total);
	cJSON_AddNumberToObject(sum, "running", count[WF_RUNNING]);
	cJSON_AddNumberToObject(sum, "completed", count[WF_SUCCESS]);
	cJSON_AddNumberToObject(sum, "failed", count[WF_FAILED]);
	cJSON_AddNumberToObject(sum, "paused", 0);
	demo_isoformat(w->changed_ms, iso);
	cJSON_AddStringToObject(o, "last_updated", iso);
	return o;
}

/* Add one healthy service to system status's services. */
static void
tac_add_service(cJSON *services, const char *key, const char *name,
                const char *message)
{
	cJSON *s = cJSON_AddObjectToObject(services, key);

	cJSON_AddStringToObject(s, "name", name);
	cJSON_AddStringToObject(s, "status", "healthy");
	cJSON_AddNullToObject(s, "uptime_seconds");
	cJSON_AddNullToObject(s, "uptime_human");
	cJSON_AddStringToObject(s, "message", message);
	cJSON_AddNullToObject(s, "details");
}

/* {overall_status, timestamp, services, summary}. */
static cJSON *
tac_system_status(const struct demo_world *w)
{
	cJSON *o = cJSON_CreateObject(), *services, *sum;
	char iso[32];

	cJSON_AddStringToObject(o, "overall_status", "healthy");
	demo_isoformat(w->changed_ms, iso);
	cJSON_AddStringToObject(o, "timestamp", iso);
	services = cJSON_AddObjectToObject(o, "services");
	tac_add_service(services, "backend_api", "Backend API",
	                "Serving requests");
	tac_add_service(services, "database", "Database", "Connected");
	tac_add_service(services, "github_cli", "GitHub CLI", "Authenticated");
	tac_add_service(services, "frontend", "Frontend", "Reachable");
	sum = cJSON_AddObjectToObject(o, "summary");
	cJSON_AddNumberToObject(sum, "healthy_services", 4);
	cJSON_AddNumberToObject(sum, "total_services", 4);
	cJSON_AddNumberToObject(sum, "health_percentage", 100.0);
	return o;
}

/* How many features are done: one more for every six finished runs. */
static size_t
tac_features_done(const struct demo_world *w)
{
	uint64_t done = 2 + (w->completed > 12 ? (w->completed - 12) / 6 : 0);

	return done < NFEATURES ? (size_t)done : NFEATURES;
}

/* Feature i: completed, in_progress (the next one) or planned. */
static const char *
tac_feature_status(const struct demo_world *w, size_t i)
{
	size_t done = tac_features_done(w);

	return i < done ? "completed" : i == done ? "in_progress" : "planned";
}

/* The planned features, as GET /api/v1/planned-features/ lists them. */
static cJSON *
tac_feature_list(const struct demo_world *w)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < NFEATURES; i++) {
		cJSON *f = cJSON_CreateObject();

		cJSON_AddNumberToObject(f, "id", (double)(i + 1));
		cJSON_AddStringToObject(f, "item_type", features[i].type);
		cJSON_AddStringToObject(f, "title", features[i].title);
		cJSON_AddStringToObject(f, "description", "");
		cJSON_AddStringToObject(f, "status", tac_feature_status(w, i));
		cJSON_AddStringToObject(f, "priority", features[i].priority);
		cJSON_AddNumberToObject(f, "estimated_hours",
		                        features[i].hours);
		cJSON_AddNumberToObject(f, "github_issue_number",
		                        FEATURE_ISSUE0 + (double)i);
		cJSON_AddNullToObject(f, "parent_id");
		cJSON_AddItemToArray(arr, f);
	}
	return arr;
}

/* Count features by one of their fields into an object. */
static void
tac_count_by(const cJSON *list, const char *field, cJSON *into)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, list)
	{
		const char *v =
		    cJSON_GetObjectItemCaseSensitive(f, field)->valuestring;
		cJSON *n = cJSON_GetObjectItemCaseSensitive(into, v);

		if (n != NULL)
			cJSON_SetNumberValue(n, n->valuedouble + 1);
		else
			cJSON_AddNumberToObject(into, v, 1);
	}
}

/* HTTP: the array; socket: {features, stats}. */
static cJSON *
tac_planned_features(const struct demo_world *w, enum demo_form f)
{
	cJSON *list = tac_feature_list(w), *o, *stats;
	double hours = 0;

	if (f == DEMO_FORM_HTTP || list == NULL)
		return list;
	o = cJSON_CreateObject();
	stats = cJSON_CreateObject();
	cJSON_AddNumberToObject(stats, "total", NFEATURES);
	tac_count_by(list, "status",
	             cJSON_AddObjectToObject(stats, "by_status"));
	tac_count_by(list, "priority",
	             cJSON_AddObjectToObject(stats, "by_priority"));
	tac_count_by(list, "item_type",
	             cJSON_AddObjectToObject(stats, "by_type"));
	for (size_t i = 0; i < NFEATURES; i++)
		hours += features[i].hours;
	cJSON_AddNumberToObject(stats, "total_estimated_hours", hours);
	cJSON_AddNumberToObject(
	    stats, "completion_rate",
	    round(1000.0 * (double)tac_features_done(w) / NFEATURES) / 10);
	cJSON_AddItemToObject(o, "features", list);
	cJSON_AddItemToObject(o, "stats", stats);
	return o;
}

cJSON *
demo_world_tac_json(const struct demo_world *w, enum demo_data d,
                    enum demo_form f)
{
	cJSON *o;

	switch (d) {
	case DEMO_DATA_TAC_WORKFLOWS:
		return tac_workflows(w);
	case DEMO_DATA_TAC_HISTORY:
		return tac_history(w);
	case DEMO_DATA_TAC_ROUTES:
		return tac_routes_json();
	case DEMO_DATA_QUEUE:
		return tac_queue(w, f);
	case DEMO_DATA_ADW_MONITOR:
		return tac_adw_monitor(w);
	case DEMO_DATA_SYSTEM_STATUS:
		return tac_system_status(w);
	case DEMO_DATA_PLANNED_FEATURES:
		return tac_planned_features(w, f);
	case DEMO_DATA_WEBHOOK_STATUS:
		if (f == DEMO_FORM_HTTP)
			return NULL; /* another service's; no route here */
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "error");
		cJSON_AddStringToObject(o, "message", WEBHOOK_DOWN);
		return o;
	default:
		return NULL;
	}
}
