/*
 * scenario: the demo backend's schedule of trouble.
 *
 *  - steady:  nothing ever goes wrong.
 *  - outages: after a quiet spell of 15-25 s, one stream goes down for
 *             8-12 s (upgrades refused with 404 or 503, live connections
 *             dropped), then comes back. Every fourth spell or so (never the
 *             first) the whole server stops accepting connections for 3-5 s
 *             instead, as if it restarted. The sequence is a pure function
 *             of the seed.
 *  - flood:   no outages; each connection gets --count updates as fast as
 *             the socket takes them (for benchmarks).
 *
 * Times are milliseconds from the start of the scenario, before --speed is
 * applied (the transport divides them by the speed factor).
 */
#ifndef WSDASH_SCENARIO_H
#define WSDASH_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "wsdash/rng.h"

enum scenario_mode { SCENARIO_STEADY, SCENARIO_OUTAGES, SCENARIO_FLOOD };

/* "steady", "outages", "flood". */
const char *scenario_mode_name(enum scenario_mode m);

/* Parse a mode name; returns false if unknown. */
bool scenario_mode_parse(const char *s, enum scenario_mode *out);

enum scen_kind {
	SCEN_STREAM_DOWN, /* stream refuses upgrades with status */
	SCEN_STREAM_UP,   /* stream accepts again */
	SCEN_SERVER_STOP, /* listening socket closed: connections refused */
	SCEN_SERVER_START /* listening again */
};

/* "stream_down", "stream_up", "server_stop", "server_start". */
const char *scen_kind_name(enum scen_kind k);

struct scen_event {
	int64_t at_ms;
	enum scen_kind kind;
	int stream; /* enum demo_stream for STREAM_*, else -1 */
	int status; /* 404 or 503 for STREAM_DOWN, else 0 */
};

/* Bounds of the outages schedule, in scenario milliseconds. */
#define SCEN_QUIET_MIN_MS 15000
#define SCEN_QUIET_MAX_MS 25000
#define SCEN_DOWN_MIN_MS  8000
#define SCEN_DOWN_MAX_MS  12000
#define SCEN_STOP_MIN_MS  3000
#define SCEN_STOP_MAX_MS  5000
#define SCEN_STOP_ONE_IN  4 /* chance 1/N that a spell is a server stop */

struct scenario {
	struct rng rng;
	int64_t cursor_ms; /* end of the last scheduled outage */
	unsigned spells;   /* outages scheduled so far */
	bool have_pending;
	struct scen_event pending; /* the "up" half of the last outage */
};

/* Start an outages schedule for seed. */
void scenario_init(struct scenario *sc, uint64_t seed);

/*
 * Next event of the schedule, in time order: every DOWN is followed by the
 * UP of the same stream, every STOP by a START, never overlapping.
 */
struct scen_event scenario_next(struct scenario *sc);

#endif
