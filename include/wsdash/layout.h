/*
 * layout: the backend layouts the default endpoint set knows, and how one
 * is chosen.
 *
 * The tac-webbuilder backend wsdash was made for serves its streams at
 * /api/v1/ws/NAME (eight of them) with HTTP twins at /api/v1/NAME; older
 * deployments serve /ws/NAME with /api/NAME (three streams). With no
 * endpoints given, wsdash probes both at once and uses the one whose
 * upgrades succeed, or else the one whose HTTP endpoints answer; with an
 * explicit --server path (http://h:8000/api/v1) that path is the prefix and
 * nothing is guessed. Which layout was chosen, and why, is shown.
 *
 * Pure: the probing is done by layout_detect() (layout_detect.c) through
 * the prober; this file decides and builds endpoint sets.
 */
#ifndef WSDASH_LAYOUT_H
#define WSDASH_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "wsdash/config.h"

enum layout {
	LAYOUT_V1,     /* /api/v1/ws/NAME, polls /api/v1/NAME */
	LAYOUT_LEGACY, /* /ws/NAME, polls /api/NAME */
	LAYOUT_PREFIX, /* --server path P: P/ws/NAME, polls P/api/NAME | P/NAME
	                */
};

#define LAYOUT_NSTREAMS 8

/* A stream of the default set. */
struct layout_stream {
	const char *name; /* endpoint name and path segment */
	const char *type; /* its own message type */
	bool core;        /* in every layout (the legacy backend's three) */
	bool required;    /* check fails without it */
	bool polled;      /* has an HTTP twin to poll */
};

extern const struct layout_stream layout_streams[LAYOUT_NSTREAMS];

/* What probing one layout saw. */
struct layout_obs {
	int upgraded;                 /* core streams that upgraded */
	bool polls_answer;            /* a core poll URL answered 2xx */
	bool stream[LAYOUT_NSTREAMS]; /* this stream upgraded */
	bool answered;                /* any HTTP answer at all */
};

/* How the layout was chosen. */
enum layout_why {
	LAYOUT_BY_UPGRADES, /* its upgrades succeeded */
	LAYOUT_BY_POLLS,    /* no upgrade did, its HTTP endpoints answer */
	LAYOUT_GUESSED,     /* nothing answered: today's layout assumed */
	LAYOUT_GIVEN,       /* --server named the prefix */
};

/*
 * The layout for what probing V1 and LEGACY saw: more core upgrades wins
 * (ties go to V1), then answering polls, then V1 as a guess.
 */
enum layout layout_choose(const struct layout_obs *v1,
                          const struct layout_obs *legacy,
                          enum layout_why *why);

/*
 * The default set of layout l on c->server: the core streams (workflows
 * and workflow-history required, routes optional), and the optional
 * streams marked in extra (NULL: none), each knowing its own message
 * types. With LAYOUT_PREFIX the poll URL is found among P/api/NAME and
 * P/NAME. {"type":"client_ready"} is sent on connect unless a hello was
 * configured.
 */
void layout_add_set(struct config *c, enum layout l, const bool *extra);

/* The URL path of stream s in layout l on c's server (into out). */
void layout_ws_path(const struct config *c, enum layout l, size_t s, char *out,
                    size_t len);

/*
 * What to tell the user: "/api/v1/ws/NAME (upgrades answered)",
 * "/ws/NAME (legacy; HTTP endpoints answered)", "/app/ws/NAME (--server)"...
 */
void layout_describe(const struct config *c, enum layout l, enum layout_why why,
                     char *out, size_t len);

/*
 * For a config with default_set: probe what c->server serves (upgrades of
 * every known stream of both layouts, and GETs of their core poll URLs,
 * all at once, within timeout_ms), add the chosen layout's set to c, and
 * describe the choice in c->layout. With a --server path, only that prefix
 * is probed (for its optional streams). Returns false (reason in err) only
 * when the probing itself could not run. Network I/O: layout_detect.c.
 */
bool layout_resolve(struct config *c, int timeout_ms, char *err, size_t errlen);

#endif
