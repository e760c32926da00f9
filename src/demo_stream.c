/*
 * demo_stream.c: the two flavors of the demo backend as tables; see
 * demo_stream.h. The tac table follows the tac-webbuilder backend as it
 * runs today (FastAPI 0.115, uvicorn 0.34): its watchers look at the queue
 * every 2 s, at workflows, history and routes every 10 s and at planned
 * features every 30 s, and broadcast only what changed; the ADW monitor is
 * pushed when a phase changes; system and webhook status are sent once per
 * connection. Its workflows socket hears the queue first, its routes
 * socket the workflows first.
 */
#include <string.h>

#include "wsdash/demo_stream.h"

static const struct demo_stream_info demo_streams[DEMO_NSTREAMS] = {
    {"workflows", "/ws/workflows", "/api/workflows", "workflows_update",
     DEMO_DATA_WORKFLOWS, 0, -1},
    {"workflow-history", "/ws/workflow-history", "/api/workflow-history",
     "workflow_history_update", DEMO_DATA_HISTORY, 0, -1},
    {"routes", "/ws/routes", "/api/routes", "routes_update", DEMO_DATA_ROUTES,
     0, -1},
};

static const struct demo_stream_info tac_streams[TAC_NSTREAMS] = {
    {"workflows", "/api/v1/ws/workflows", "/api/v1/workflows",
     "workflows_update", DEMO_DATA_TAC_WORKFLOWS, 10000, TAC_QUEUE},
    {"workflow-history", "/api/v1/ws/workflow-history",
     "/api/v1/workflow-history", "workflow_history_update",
     DEMO_DATA_TAC_HISTORY, 10000, -1},
    {"routes", "/api/v1/ws/routes", "/api/v1/routes", "routes_update",
     DEMO_DATA_TAC_ROUTES, 10000, TAC_WORKFLOWS},
    {"queue", "/api/v1/ws/queue", "/api/v1/queue", "queue_update",
     DEMO_DATA_QUEUE, 2000, -1},
    {"adw-monitor", "/api/v1/ws/adw-monitor", "/api/v1/adw-monitor",
     "adw_monitor_update", DEMO_DATA_ADW_MONITOR, DEMO_CHECK_ON_CHANGE, -1},
    {"system-status", "/api/v1/ws/system-status", "/api/v1/system-status",
     "system_status_update", DEMO_DATA_SYSTEM_STATUS, DEMO_CHECK_NEVER, -1},
    /* the HTTP route has the trailing slash; without it, a 307 */
    {"planned-features", "/api/v1/ws/planned-features",
     "/api/v1/planned-features/", "planned_features_update",
     DEMO_DATA_PLANNED_FEATURES, 30000, -1},
    /* webhook status comes from another service: no HTTP route here */
    {"webhook-status", "/api/v1/ws/webhook-status", NULL,
     "webhook_status_update", DEMO_DATA_WEBHOOK_STATUS, DEMO_CHECK_NEVER, -1},
};

static const struct demo_flavor flavors[] = {
    {
        .id = SERVE_FLAVOR_DEMO,
        .streams = demo_streams,
        .nstreams = DEMO_NSTREAMS,
        .seq_envelope = true,
        .broadcast_all = false,
        .change_only = false,
        .first_frame_ready = false,
        .fastapi_http = false,
        .unknown_upgrade_status = 404,
        .stop_close_code = 0,
    },
    {
        .id = SERVE_FLAVOR_TAC,
        .streams = tac_streams,
        .nstreams = TAC_NSTREAMS,
        .seq_envelope = false,
        .broadcast_all = true,
        .change_only = true,
        .first_frame_ready = true,
        .fastapi_http = true,
        .unknown_upgrade_status = 403,
        .stop_close_code = 1012, /* uvicorn: "service restart" */
    },
};

const struct demo_flavor *
demo_stream_flavor(enum serve_flavor f)
{
	return f == SERVE_FLAVOR_TAC ? &flavors[1] : &flavors[0];
}

int
demo_stream_find_ws(const struct demo_flavor *fl, const char *path)
{
	for (int i = 0; i < fl->nstreams; i++)
		if (strcmp(path, fl->streams[i].ws_path) == 0)
			return i;
	return -1;
}

int
demo_stream_find_api(const struct demo_flavor *fl, const char *path)
{
	for (int i = 0; i < fl->nstreams; i++)
		if (fl->streams[i].api_path != NULL &&
		    strcmp(path, fl->streams[i].api_path) == 0)
			return i;
	return -1;
}

const struct demo_stream_info *
demo_stream_info(enum demo_stream s)
{
	return &demo_streams[s];
}

int
demo_stream_by_ws_path(const char *path)
{
	return demo_stream_find_ws(&flavors[0], path);
}

int
demo_stream_by_api_path(const char *path)
{
	return demo_stream_find_api(&flavors[0], path);
}
