/*
 * demo_world.c: a small simulated workflow engine. Each step picks one live
 * workflow and moves it on: queued starts running, running finishes (80%
 * success) and is replaced by a new queued workflow. Finished workflows go to
 * a fixed-size history ring from which the analytics are computed. All
 * memory is inside struct demo_world; only the JSON trees are allocated.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wsdash/demo_world.h"
#include "demo_world_int.h"

static const char *const wf_names[] = {
    "nightly-backup", "build-frontend", "deploy-api",    "etl-orders",
    "sync-crm",       "weekly-report",  "train-ranker",  "lint-monorepo",
    "reindex-search", "rotate-logs",    "invoice-batch", "warm-caches",
};
#define NNAMES (sizeof(wf_names) / sizeof(wf_names[0]))

static const char *const status_names[] = {"queued", "running", "success",
                                           "failed"};

/* The backend's route table, as a FastAPI app would list it. */
static const char *const routes[][2] = {
    {"GET", "/api/workflows"},
    {"GET", "/api/workflow-history"},
    {"GET", "/api/routes"},
    {"WEBSOCKET", "/ws/workflows"},
    {"WEBSOCKET", "/ws/workflow-history"},
    {"WEBSOCKET", "/ws/routes"},
    {"POST", "/control/down"},
    {"POST", "/control/up"},
    {"POST", "/control/send"},
    {"POST", "/control/stall"},
    {"POST", "/control/unstall"},
    {"GET", "/control/state"},
};

const char *
demo_wf_status_name(enum demo_wf_status st)
{
	return (unsigned)st < 4 ? status_names[st] : "unknown";
}

void
demo_iso8601(int64_t epoch_ms, char out[32])
{
	time_t t = (time_t)(epoch_ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void
demo_isoformat(int64_t epoch_ms, char out[32])
{
	int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : 0;
	int frac = epoch_ms >= 0 ? (int)(epoch_ms % 1000) : 0;
	time_t t = (time_t)secs;
	struct tm tm;
	size_t n;

	if (gmtime_r(&t, &tm) == NULL ||
	    (n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(out, 32, "1970-01-01T00:00:00");
		return;
	}
	/* Python leaves the fraction out on a whole second. */
	if (frac != 0)
		snprintf(out + n, 32 - n, ".%03d000", frac);
}

/* A fresh queued workflow with the next id. */
static struct demo_wf
world_new_wf(struct demo_world *w)
{
	struct demo_wf wf = {0};

	wf.id = w->next_id++;
	wf.name_idx = (uint8_t)rng_range(&w->rng, 0, NNAMES - 1);
	wf.status = WF_QUEUED;
	return wf;
}

/* Record a finished workflow in the history ring and the totals. */
static void
world_finish(struct demo_world *w, const struct demo_wf *wf)
{
	w->history[w->hist_head] = *wf;
	w->hist_head = (w->hist_head + 1) % DEMO_HISTORY_MAX;
	if (w->hist_len < DEMO_HISTORY_MAX)
		w->hist_len++;
	w->completed++;
	if (wf->status == WF_SUCCESS)
		w->succeeded++;
	w->total_duration_ms += wf->end_ms - wf->start_ms;
}

void
demo_world_init(struct demo_world *w, uint64_t seed, int64_t now_ms)
{
	memset(w, 0, sizeof(*w));
	rng_init(&w->rng, seed);
	w->next_id = 1001;

	/* A dozen finished runs over the last half hour. */
	int64_t t = now_ms - 30 * 60 * 1000;
	for (int i = 0; i < 12; i++) {
		struct demo_wf wf = world_new_wf(w);

		wf.created_ms = t;
		wf.start_ms = t;
		wf.end_ms = t + rng_range(&w->rng, 5000, 90000);
		wf.status = rng_unit(&w->rng) < 0.8 ? WF_SUCCESS : WF_FAILED;
		world_finish(w, &wf);
		t = wf.end_ms + rng_range(&w->rng, 10000, 120000);
	}
	/* Live list: half running, half queued. */
	for (int i = 0; i < DEMO_ACTIVE; i++) {
		w->active[i] = world_new_wf(w);
		w->active[i].created_ms = now_ms - (DEMO_ACTIVE - i) * 7000;
		if (i % 2 == 0) {
			w->active[i].status = WF_RUNNING;
			w->active[i].start_ms =
			    now_ms - rng_range(&w->rng, 1000, 20000);
		}
	}
	w->generation = 1;
	w->changed_ms = now_ms;
}

void
demo_world_step(struct demo_world *w, int64_t now_ms)
{
	struct demo_wf *wf = &w->active[rng_range(&w->rng, 0, DEMO_ACTIVE - 1)];

	if (wf->status == WF_QUEUED) {
		wf->status = WF_RUNNING;
		wf->start_ms = now_ms;
		wf->start_gen = w->generation;
	} else {
		wf->status = rng_unit(&w->rng) < 0.8 ? WF_SUCCESS : WF_FAILED;
		wf->end_ms = now_ms > wf->start_ms ? now_ms : wf->start_ms;
		world_finish(w, wf);
		*wf = world_new_wf(w);
		wf->created_ms = now_ms;
	}
	w->generation++;
	w->changed_ms = now_ms;
}

/* {id, name, status, start_time} plus end_time/duration when finished. */
static cJSON *
wf_json(const struct demo_wf *wf, int with_end)
{
	cJSON *o = cJSON_CreateObject();
	char iso[32];

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", wf->id);
	cJSON_AddStringToObject(o, "name", wf_names[wf->name_idx % NNAMES]);
	cJSON_AddStringToObject(o, "status", demo_wf_status_name(wf->status));
	if (wf->start_ms != 0) {
		demo_iso8601(wf->start_ms, iso);
		cJSON_AddStringToObject(o, "start_time", iso);
	} else {
		cJSON_AddNullToObject(o, "start_time");
	}
	if (with_end) {
		demo_iso8601(wf->end_ms, iso);
		cJSON_AddStringToObject(o, "end_time", iso);
		cJSON_AddNumberToObject(
		    o, "duration",
		    round((double)(wf->end_ms - wf->start_ms) / 100.0) / 10.0);
	}
	return o;
}

const struct demo_wf *
demo_world_hist(const struct demo_world *w, unsigned i)
{
	unsigned idx =
	    (w->hist_head + DEMO_HISTORY_MAX - 1 - i) % DEMO_HISTORY_MAX;

	return &w->history[idx];
}

static cJSON *
history_json(const struct demo_world *w)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "workflows");
	cJSON *an;
	unsigned recent_failures = 0;
	double rate = 0, avg = 0;

	if (list == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (unsigned i = 0; i < w->hist_len; i++) {
		const struct demo_wf *wf = demo_world_hist(w, i);

		cJSON_AddItemToArray(list, wf_json(wf, 1));
		if (i < DEMO_RECENT && wf->status == WF_FAILED)
			recent_failures++;
	}
	cJSON_AddNumberToObject(o, "total_count", (double)w->completed);
	demo_world_rates(w, &rate, &avg);
	an = cJSON_AddObjectToObject(o, "analytics");
	cJSON_AddNumberToObject(an, "success_rate", rate);
	cJSON_AddNumberToObject(an, "average_duration", avg);
	cJSON_AddNumberToObject(an, "recent_failures", recent_failures);
	return o;
}

void
demo_world_rates(const struct demo_world *w, double *rate_pct, double *avg_s)
{
	*rate_pct = *avg_s = 0;
	if (w->completed == 0)
		return;
	*rate_pct =
	    round(1000.0 * (double)w->succeeded / (double)w->completed) / 10;
	*avg_s =
	    round((double)w->total_duration_ms / 100.0 / (double)w->completed) /
	    10;
}

const char *
demo_world_wf_name(const struct demo_wf *wf)
{
	return wf_names[wf->name_idx % NNAMES];
}

cJSON *
demo_world_json(const struct demo_world *w, enum demo_data d, enum demo_form f)
{
	cJSON *arr;

	switch (d) {
	case DEMO_DATA_WORKFLOWS:
		arr = cJSON_CreateArray();
		for (int i = 0; arr && i < DEMO_ACTIVE; i++)
			cJSON_AddItemToArray(arr, wf_json(&w->active[i], 0));
		return arr;
	case DEMO_DATA_HISTORY:
		return history_json(w);
	case DEMO_DATA_ROUTES:
		arr = cJSON_CreateArray();
		for (size_t i = 0;
		     arr && i < sizeof(routes) / sizeof(routes[0]); i++) {
			cJSON *r = cJSON_CreateObject();

			cJSON_AddStringToObject(r, "method", routes[i][0]);
			cJSON_AddStringToObject(r, "path", routes[i][1]);
			cJSON_AddItemToArray(arr, r);
		}
		return arr;
	default:
		return demo_world_tac_json(w, d, f);
	}
}

cJSON *
demo_world_data(const struct demo_world *w, enum demo_stream s)
{
	return demo_world_json(w, (enum demo_data)s, DEMO_FORM_WS);
}

size_t
demo_format_seq(char *out, size_t cap, const char *msg_type, uint64_t seq,
                int64_t sent_at_ms, const char *data_json)
{
	int n = snprintf(out, cap,
	                 "{\"type\":\"%s\",\"seq\":%llu,\"sent_at\":%lld,"
	                 "\"data\":%s}",
	                 msg_type, (unsigned long long)seq,
	                 (long long)sent_at_ms, data_json);

	return n < 0 ? 0 : (size_t)n;
}

size_t
demo_format_message(char *out, size_t cap, enum demo_stream s, uint64_t seq,
                    int64_t sent_at_ms, const char *data_json)
{
	return demo_format_seq(out, cap, demo_stream_info(s)->msg_type, seq,
	                       sent_at_ms, data_json);
}

size_t
demo_format_bare(char *out, size_t cap, const char *msg_type,
                 const char *data_json)
{
	int n = snprintf(out, cap, "{\"type\":\"%s\",\"data\":%s}", msg_type,
	                 data_json);

	return n < 0 ? 0 : (size_t)n;
}
