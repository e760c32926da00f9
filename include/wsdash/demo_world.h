/*
 * demo_world: the data behind the embedded demo backend (`wsdash serve`).
 *
 * A handful of workflows move through queued -> running -> success/failed,
 * finished ones land in a bounded history with analytics, and a static route
 * table lists the backend's endpoints. The same world is shown in the shapes
 * of both flavors (enum demo_data, demo_stream.h): the demo's own, and the
 * tac-webbuilder backend's, where a workflow is an ADW run with an issue
 * number and a phase (plan, build, test, review, document, ship), beside a
 * phase queue, an ADW monitor, system and webhook status and planned
 * features, all derived from the same workflows so that they change
 * together. Pure: time is passed in, randomness comes from a seeded rng
 * (the tac shapes draw none), and the JSON is built with cJSON. The
 * transport (src/transport/demo_*.c) owns one world and serves it over
 * WebSocket streams and plain HTTP GETs, as a FastAPI live-update backend
 * does.
 */
#ifndef WSDASH_DEMO_WORLD_H
#define WSDASH_DEMO_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "wsdash/demo_stream.h"
#include "wsdash/rng.h"

enum demo_wf_status { WF_QUEUED, WF_RUNNING, WF_SUCCESS, WF_FAILED };

/* "queued", "running", "success", "failed". */
const char *demo_wf_status_name(enum demo_wf_status st);

struct demo_wf {
	uint32_t id;
	uint8_t name_idx;
	uint8_t status;     /* enum demo_wf_status */
	int64_t start_ms;   /* epoch ms; 0 while queued */
	int64_t end_ms;     /* epoch ms; 0 until finished */
	int64_t created_ms; /* epoch ms it was queued */
	uint64_t start_gen; /* world generation it started running at */
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
	int64_t changed_ms;  /* epoch ms of the last change */
};

/* Set up a world that already looks busy at now_ms (epoch ms). */
void demo_world_init(struct demo_world *w, uint64_t seed, int64_t now_ms);

/* Advance one workflow by one status step at now_ms. */
void demo_world_step(struct demo_world *w, int64_t now_ms);

/* Which of a stream's two forms: its socket messages' data, or its GET. */
enum demo_form { DEMO_FORM_WS, DEMO_FORM_HTTP };

/*
 * Data d of the world in form f as a new cJSON tree (caller frees with
 * cJSON_Delete), or NULL if out of memory or d has no such form (the
 * webhook status has no HTTP form). The forms differ only for the queue
 * (the socket's adds "paused") and planned features (the GET answers the
 * bare array, the socket {features, stats}). Time-like fields come from
 * the world's own clock (changed_ms), so equal worlds give equal JSON.
 */
cJSON *demo_world_json(const struct demo_world *w, enum demo_data d,
                       enum demo_form f);

/*
 * The `data` payload of demo stream s (demo_world_json() of the demo
 * flavor's shape, socket form), which is also the body of its /api/ GET.
 */
cJSON *demo_world_data(const struct demo_world *w, enum demo_stream s);

#define DEMO_NPHASES 6

/* Phase i of an ADW run: "plan", "build", "test", "review", "document",
 * "ship"; "unknown" out of range. */
const char *demo_phase_name(int i);

/* The phase index (0..DEMO_NPHASES-1) live workflow wf is in. */
int demo_world_phase(const struct demo_world *w, const struct demo_wf *wf);

/*
 * Format one stream message:
 *   {"type":"<msg_type>","seq":N,"sent_at":MS,"data":<data_json>}
 * into out (cap bytes, NUL-terminated). Returns the length it needed, as
 * snprintf does; a result >= cap means it was truncated.
 */
size_t demo_format_message(char *out, size_t cap, enum demo_stream s,
                           uint64_t seq, int64_t sent_at_ms,
                           const char *data_json);

/* demo_format_message() for any message type. */
size_t demo_format_seq(char *out, size_t cap, const char *msg_type,
                       uint64_t seq, int64_t sent_at_ms, const char *data_json);

/*
 * Format one message of a bare envelope, {"type":"<msg_type>","data":<data>},
 * as the tac backend sends them (Starlette's compact JSON). Returns what
 * snprintf does.
 */
size_t demo_format_bare(char *out, size_t cap, const char *msg_type,
                        const char *data_json);

/* Format epoch ms as ISO 8601 UTC, "2026-11-25T22:00:31Z", into out[32]. */
void demo_iso8601(int64_t epoch_ms, char out[32]);

/*
 * Format epoch ms as Python's datetime.isoformat() of a naive UTC time:
 * "2026-11-25T22:00:31.123000", or "2026-11-25T22:00:31" on a whole
 * second, into out[32].
 */
void demo_isoformat(int64_t epoch_ms, char out[32]);

#endif
