/*
 * demo_stream: which streams the embedded demo backend serves, and how,
 * for each flavor it can take (`wsdash serve --flavor demo|tac`).
 *
 * A flavor is data: a table of streams (name, WebSocket path, HTTP twin,
 * message type, the world data it carries, how often a change is looked
 * for) and a handful of switches for the ways the two backends differ
 * (message envelope, who hears an update, what ends the ready wait, what
 * an unknown upgrade or a shutdown looks like). The transport reads these
 * and has no "if tac" of its own. Pure: tables and lookups only.
 */
#ifndef WSDASH_DEMO_STREAM_H
#define WSDASH_DEMO_STREAM_H

#include <stdbool.h>

#include "wsdash/serve.h"

/* The demo flavor's three live streams (indexes into its table). */
enum demo_stream { DEMO_WORKFLOWS, DEMO_HISTORY, DEMO_ROUTES, DEMO_NSTREAMS };

/* The tac flavor's eight streams; the first three match the demo's. */
enum tac_stream {
	TAC_WORKFLOWS,
	TAC_HISTORY,
	TAC_ROUTES,
	TAC_QUEUE,
	TAC_ADW_MONITOR,
	TAC_SYSTEM_STATUS,
	TAC_PLANNED_FEATURES,
	TAC_WEBHOOK_STATUS,
	TAC_NSTREAMS
};

#define DEMO_MAX_STREAMS 8 /* streams in the largest flavor */

/*
 * Every shape of data the world can produce (demo_world_json()). The
 * first three are the demo flavor's and equal enum demo_stream.
 */
enum demo_data {
	DEMO_DATA_WORKFLOWS,     /* [{id,name,status,start_time}] */
	DEMO_DATA_HISTORY,       /* {workflows,total_count,analytics} */
	DEMO_DATA_ROUTES,        /* [{method,path}] */
	DEMO_DATA_TAC_WORKFLOWS, /* [{adw_id,issue_number,phase,github_url}] */
	DEMO_DATA_TAC_HISTORY,   /* {workflows,total_count,analytics} */
	DEMO_DATA_TAC_ROUTES,    /* {routes:[{path,method,name,...}],total} */
	DEMO_DATA_QUEUE,         /* {phases,total} (+paused on a socket) */
	DEMO_DATA_ADW_MONITOR,   /* {summary,workflows,last_updated} */
	DEMO_DATA_SYSTEM_STATUS, /* {overall_status,timestamp,services,...} */
	DEMO_DATA_PLANNED_FEATURES, /* HTTP [...]; socket {features,stats} */
	DEMO_DATA_WEBHOOK_STATUS,   /* {status:"error",message} */
	DEMO_NDATA
};

/* check_ms values that are not intervals. */
#define DEMO_CHECK_NEVER     0  /* snapshot only, never broadcast */
#define DEMO_CHECK_ON_CHANGE -1 /* looked at on every world change */

struct demo_stream_info {
	const char *name;     /* "workflows" */
	const char *ws_path;  /* "/ws/workflows" */
	const char *api_path; /* "/api/workflows"; NULL: no HTTP twin */
	const char *msg_type; /* "workflows_update" */
	enum demo_data data;  /* what its messages carry */
	int check_ms; /* change-only flavors: look for a change this often
	                 (before --speed), or a DEMO_CHECK_* value */
	int before;   /* stream whose update a new socket gets just before
	                 its own snapshot, or -1 */
};

struct demo_flavor {
	enum serve_flavor id;
	const struct demo_stream_info *streams;
	int nstreams;
	/* {"type","seq","sent_at","data"}; false: {"type","data"} only */
	bool seq_envelope;
	/* an update goes to every open socket, whatever its path; false:
	 * to the stream's own ready subscribers */
	bool broadcast_all;
	/* updates come from change checks (check_ms) of a world that moves
	 * at --rate; false: each stream ticks at --rate and always sends */
	bool change_only;
	/* any first text frame ends the ready wait and is consumed (a ping
	 * is not answered); false: only {"type":"client_ready"} ends it */
	bool first_frame_ready;
	/* FastAPI/uvicorn HTTP manners: 405 {"detail"} with Allow (HEAD on
	 * a GET route included), 307 to the path with/without a trailing
	 * slash, Server: uvicorn and Date headers */
	bool fastapi_http;
	/* an upgrade on an unknown path: 404 (lws's page, kept alive) or
	 * 403 (empty body, Connection: close), as Starlette refuses */
	int unknown_upgrade_status;
	/* close code for every socket on shutdown and on a scenario server
	 * stop; 0: dropped without a close frame */
	int stop_close_code;
};

/* The table of flavor f (never NULL). */
const struct demo_flavor *demo_stream_flavor(enum serve_flavor f);

/* Stream of fl whose ws_path (or api_path) equals path exactly, or -1. */
int demo_stream_find_ws(const struct demo_flavor *fl, const char *path);
int demo_stream_find_api(const struct demo_flavor *fl, const char *path);

/* The demo flavor's stream s (0 <= s < DEMO_NSTREAMS). */
const struct demo_stream_info *demo_stream_info(enum demo_stream s);

/* demo_stream_find_ws/api() on the demo flavor. */
int demo_stream_by_ws_path(const char *path);
int demo_stream_by_api_path(const char *path);

#endif
