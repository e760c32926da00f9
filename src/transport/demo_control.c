/*
 * demo_control.c: the /control/ API of the demo backend (same port; for
 * demos and tests, not part of any real backend); see demo_server_int.h.
 *
 *   POST /control/down?path=P&status=404|503   refuse upgrades, drop sockets
 *   POST /control/up?path=P                    accept again
 *   POST /control/send?path=P                  one update of P now
 *   POST /control/stall?path=P                 P's sockets hear nothing
 *   POST /control/unstall?path=P               they hear again
 *   GET  /control/state                        the whole picture
 *
 * P is one of the flavor's WebSocket paths. A bad request answers 400 (or
 * 404/405) with {"error": "..."} and changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wsdash/clock.h"
#include "demo_server_int.h"

static const char *const actions[] = {"down", "up", "send", "stall", "unstall"};

/* GET /control/state: the server and each of its streams. */
static cJSON *
state_json(struct demo_server *srv)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	uint64_t clients = 0;

	cJSON_AddStringToObject(o, "flavor", serve_flavor_name(srv->fl->id));
	cJSON_AddStringToObject(o, "scenario",
	                        scenario_mode_name(srv->opts.scenario));
	cJSON_AddNumberToObject(o, "seed", (double)srv->opts.seed);
	cJSON_AddNumberToObject(o, "rate", srv->opts.rate);
	cJSON_AddNumberToObject(o, "speed", srv->opts.speed);
	cJSON_AddBoolToObject(o, "accepting", srv->accepting);
	cJSON_AddNumberToObject(
	    o, "uptime_ms",
	    (double)((clock_mono_us() - srv->started_us) / 1000));
	arr = cJSON_AddArrayToObject(o, "streams");
	for (int i = 0; i < srv->fl->nstreams; i++) {
		struct ds_stream *st = &srv->streams[i];
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "name", st->info->name);
		cJSON_AddStringToObject(s, "path", st->info->ws_path);
		cJSON_AddBoolToObject(s, "up", st->up);
		if (st->up)
			cJSON_AddNullToObject(s, "status");
		else
			cJSON_AddNumberToObject(s, "status", st->down_status);
		cJSON_AddBoolToObject(s, "stalled", st->stalled);
		cJSON_AddNumberToObject(s, "clients", st->conns.count);
		cJSON_AddNumberToObject(s, "messages_sent", (double)st->sent);
		cJSON_AddItemToArray(arr, s);
		clients += st->conns.count;
	}
	cJSON_AddNumberToObject(o, "clients", (double)clients);
	cJSON_AddNumberToObject(o, "scenario_events",
	                        (double)srv->scen_applied);
	return o;
}

/* "unknown stream path (use A, B or C)" from the flavor's table. */
static void
control_bad_path(struct demo_server *srv, struct ds_conn *c)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "unknown stream path (use ");

	for (int i = 0; i < srv->fl->nstreams && n < (int)sizeof(msg); i++)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%s%s",
		              i == 0                       ? ""
		              : i == srv->fl->nstreams - 1 ? " or "
		                                           : ", ",
		              srv->fl->streams[i].ws_path);
	if (n < (int)sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ")");
	dhttp_error(c, 400, msg);
}

/* what is one of the POST actions. */
static bool
control_known(const char *what)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(what, actions[i]) == 0)
			return true;
	return false;
}

/* down: the status argument, checked. Returns 0 after answering 400. */
static int
control_down_status(struct lws *wsi, struct ds_conn *c)
{
	char sbuf[64];
	const char *status =
	    lws_get_urlarg_by_name(wsi, "status=", sbuf, sizeof(sbuf));

	if (status == NULL ||
	    (strcmp(status, "404") != 0 && strcmp(status, "503") != 0)) {
		dhttp_error(c, 400,
		            status ? "status must be 404 or 503"
		                   : "missing parameter: status (404 or 503)");
		return 0;
	}
	return atoi(status);
}

void
dctl_handle(struct demo_server *srv, struct lws *wsi, struct ds_conn *c,
            const char *what)
{
	char pbuf[256];
	const char *path, *wspath;
	int s, code = 0;
	cJSON *j;

	if (strcmp(what, "state") == 0) {
		if (c->method != LWSHUMETH_GET) {
			dhttp_error(c, 405, "use GET for /control/state");
			return;
		}
		dhttp_set_json(c, 200, state_json(srv));
		return;
	}
	if (!control_known(what)) {
		dhttp_error(c, 404,
		            "unknown control action (down, up, send, stall, "
		            "unstall, state)");
		return;
	}
	if (c->method != LWSHUMETH_POST) {
		dhttp_error(c, 405, "use POST for this control action");
		return;
	}
	path = lws_get_urlarg_by_name(wsi, "path=", pbuf, sizeof(pbuf));
	if (path == NULL || *path == '\0') {
		dhttp_error(c, 400, "missing parameter: path");
		return;
	}
	s = demo_stream_find_ws(srv->fl, path);
	if (s < 0) {
		control_bad_path(srv, c);
		return;
	}
	if (strcmp(what, "down") == 0 &&
	    (code = control_down_status(wsi, c)) == 0)
		return;

	wspath = srv->fl->streams[s].ws_path;
	j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "ok", 1);
	cJSON_AddStringToObject(j, "path", wspath);
	if (strcmp(what, "down") == 0) {
		cJSON_AddNumberToObject(
		    j, "dropped", demo_server_set_stream(srv, s, false, code));
		cJSON_AddBoolToObject(j, "up", 0);
		cJSON_AddNumberToObject(j, "status", code);
		ds_log(srv, "control: %s down (%d)", wspath, code);
	} else if (strcmp(what, "up") == 0) {
		demo_server_set_stream(srv, s, true, 0);
		cJSON_AddBoolToObject(j, "up", 1);
		ds_log(srv, "control: %s up", wspath);
	} else if (strcmp(what, "send") == 0) {
		cJSON_AddNumberToObject(j, "clients",
		                        dws_stream_push(&srv->streams[s]));
	} else {
		bool stall = strcmp(what, "stall") == 0;

		cJSON_AddNumberToObject(j, "clients",
		                        dws_set_stalled(srv, s, stall));
		cJSON_AddBoolToObject(j, "stalled", stall);
		ds_log(srv, "control: %s %s", wspath,
		       stall ? "stalled" : "unstalled");
	}
	dhttp_set_json(c, 200, j);
}
