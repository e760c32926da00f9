/*
 * layout.c: the default endpoint sets and how a layout is chosen; see
 * layout.h. The streams are the tac-webbuilder backend's: the legacy
 * layout has the first three, /api/v1 all eight (the web frontend opens
 * every one of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/layout.h"

const struct layout_stream layout_streams[LAYOUT_NSTREAMS] = {
    {"workflows", "workflows_update", true, true, true},
    {"workflow-history", "workflow_history_update", true, true, true},
    {"routes", "routes_update", true, false, true},
    {"queue", "queue_update", false, false, true},
    {"adw-monitor", "adw_monitor_update", false, false, true},
    {"system-status", "system_status_update", false, false, true},
    /* no poll: /api/v1/planned-features redirects, webhook status lives
     * on another service */
    {"planned-features", "planned_features_update", false, false, false},
    {"webhook-status", "webhook_status_update", false, false, false},
};

enum layout
layout_choose(const struct layout_obs *v1, const struct layout_obs *legacy,
              enum layout_why *why)
{
	if (v1->upgraded > 0 || legacy->upgraded > 0) {
		*why = LAYOUT_BY_UPGRADES;
		return legacy->upgraded > v1->upgraded ? LAYOUT_LEGACY
		                                       : LAYOUT_V1;
	}
	if (v1->polls_answer || legacy->polls_answer) {
		*why = LAYOUT_BY_POLLS;
		return v1->polls_answer ? LAYOUT_V1 : LAYOUT_LEGACY;
	}
	*why = LAYOUT_GUESSED;
	return LAYOUT_V1;
}

void
layout_ws_path(const struct config *c, enum layout l, size_t s, char *out,
               size_t len)
{
	(void)c; /* the server's own prefix is added when the path resolves */
	snprintf(out, len, "%s/ws/%s", l == LAYOUT_V1 ? "/api/v1" : "",
	         layout_streams[s].name);
}

void
layout_add_set(struct config *c, enum layout l, const bool *extra)
{
	char path[128], poll[128], err[256];

	for (size_t s = 0; s < LAYOUT_NSTREAMS; s++) {
		const struct layout_stream *st = &layout_streams[s];
		const char *type = st->type;
		const char *pollp = poll;
		struct endpoint_cfg *e;

		if (!st->core && !(extra && extra[s]))
			continue;
		layout_ws_path(c, l, s, path, sizeof(path));
		if (!st->polled)
			pollp = "";
		else if (l == LAYOUT_V1)
			snprintf(poll, sizeof(poll), "/api/v1/%s", st->name);
		else if (l == LAYOUT_LEGACY)
			snprintf(poll, sizeof(poll), "/api/%s", st->name);
		else
			pollp = NULL; /* P/api/NAME or P/NAME, as answers */
		e = config_add_endpoint(c, st->name, path, pollp, &type, 1, err,
		                        sizeof(err));
		if (e == NULL)
			continue;
		e->required = st->required;
		if (!c->hello_set) {
			e->hello = strdup("{\"type\":\"client_ready\"}");
			e->hello_set = e->hello != NULL;
		}
	}
}

void
layout_describe(const struct config *c, enum layout l, enum layout_why why,
                char *out, size_t len)
{
	char prefix[URL_PATH_MAX];

	config_server_prefix(c, prefix, sizeof(prefix));
	switch (why) {
	case LAYOUT_GIVEN:
		snprintf(out, len, "%.64s/ws/NAME (--server)", prefix);
		return;
	case LAYOUT_BY_UPGRADES:
	case LAYOUT_BY_POLLS:
		snprintf(out, len, "%s/ws/NAME (%s%s)",
		         l == LAYOUT_V1 ? "/api/v1" : "",
		         l == LAYOUT_LEGACY ? "legacy; " : "",
		         why == LAYOUT_BY_UPGRADES
		             ? "its upgrades answered"
		             : "its HTTP endpoints answered");
		return;
	case LAYOUT_GUESSED:
	default:
		snprintf(out, len,
		         "/api/v1/ws/NAME (guessed: nothing answered on either "
		         "layout)");
		return;
	}
}
