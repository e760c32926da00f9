/*
 * demo_world: the data behind the embedded demo backend (`wsdash serve`).
 *
 * A handful of workflows move through queued -> running -> success/failed,
 * finished ones land in a bounded history with analytics, and a static route
 * table lists the backend's endpoints. Pure: time is passed in, randomness
 * comes from a seeded rng, and the JSON is built with cJSON. The transport
 * (src/transport/demo_server.c) owns one world and serves it over WebSocket
 * streams and plain HTTP GETs, as a FastAPI live-update backend does.
 */
#ifndef WSDASH_DEMO_WORLD_H
#define WSDASH_DEMO_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "wsdash/rng.h"

/* The three live streams the demo backend serves. */
enum demo_stream { DEMO_WORKFLOWS, DEMO_HISTORY, DEMO_ROUTES, DEMO_NSTREAMS };

struct demo_stream_info {
	const char *name;     /* "workflows" */
	const char *ws_path;  /* "/ws/workflows" */
	const char *api_path; /* "/api/workflows" */
	const char *msg_type; /* "workflows_update" */
};

/* Static description of stream s (valid for 0 <= s < DEMO_NSTREAMS). */
const struct demo_stream_info *demo_stream_info(enum demo_stream s);

/* Stream whose ws_path (or api_path) equals path exactly, or -1. */
int demo_stream_by_ws_path(const char *path);
int demo_stream_by_api_path(const char *path);

enum demo_wf_status { WF_QUEUED, WF_RUNNING, WF_SUCCESS, WF_FAILED };

/* "queued", "running", "success", "failed". */
const char *demo_wf_status_name(enum demo_wf_status st);

struct demo_wf {
	uint32_t id;
	uint8_t name_idx;
	uint8_t status;   /* enum demo_wf_status */
	int64_t start_ms; /* epoch ms; 0 while queued */
	int64_t end_ms;   /* epoch ms; 0 until finished */
};

#define DEMO_ACTIVE      6  /* workflows in the live list */
#define DEMO_HISTORY_MAX 20 /* finished workflows kept (bounded ring) */
#define DEMO_RECENT      10 /* window for analytics.recent_failures */

struct demo_world {
	struct rng rng;
	struct demo_wf active[DEMO_ACTIVE];
	struct demo_wf history[DEMO_HISTORY_MAX]; /* ring, newest at head-1 */
	unsigned hist_head;
	unsigned hist_len;
	uint32_t next_id;
	uint64_t completed; /* total finished, success + failed */
	uint64_t succeeded;
	int64_t total_duration_ms;
	uint64_t generation; /* bumped by every change */
};

/* Set up a world that already looks busy at now_ms (epoch ms). */
void demo_world_init(struct demo_world *w, uint64_t seed, int64_t now_ms);

/* Advance one workflow by one status step at now_ms. */
void demo_world_step(struct demo_world *w, int64_t now_ms);

/*
 * The `data` payload of stream s as a new cJSON tree (caller frees with
 * cJSON_Delete), or NULL if out of memory. This is also the body of the
 * stream's /api/ GET.
 */
cJSON *demo_world_data(const struct demo_world *w, enum demo_stream s);

/*
 * Format one stream message:
 *   {"type":"<msg_type>","seq":N,"sent_at":MS,"data":<data_json>}
 * into out (cap bytes, NUL-terminated). Returns the length it needed, as
 * snprintf does; a result >= cap means it was truncated.
 */
size_t demo_format_message(char *out, size_t cap, enum demo_stream s,
                           uint64_t seq, int64_t sent_at_ms,
                           const char *data_json);

/* Format epoch ms as ISO 8601 UTC, "2026-11-25T22:00:31Z", into out[32]. */
void demo_iso8601(int64_t epoch_ms, char out[32]);

#endif
