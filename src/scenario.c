/*
 * scenario.c: the outages schedule as a generator. Each call to
 * scenario_next() returns one event; an outage is produced as a pair (down,
 * then up), the second half kept in `pending`. Only the seed decides the
 * sequence, which is what makes `--seed N` replayable and testable.
 */
#include <string.h>

#include "wsdash/demo_world.h"
#include "wsdash/scenario.h"

static const char *const mode_names[] = {"steady", "outages", "flood"};
static const char *const kind_names[] = {"stream_down", "stream_up",
                                         "server_stop", "server_start"};

const char *
scenario_mode_name(enum scenario_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : "unknown";
}

bool
scenario_mode_parse(const char *s, enum scenario_mode *out)
{
	for (unsigned i = 0; i < 3; i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum scenario_mode)i;
			return true;
		}
	}
	return false;
}

const char *
scen_kind_name(enum scen_kind k)
{
	return (unsigned)k < 4 ? kind_names[k] : "unknown";
}

void
scenario_init(struct scenario *sc, uint64_t seed)
{
	memset(sc, 0, sizeof(*sc));
	rng_init(&sc->rng, seed ^ 0x5ce7a1105ce7a110ULL);
}

struct scen_event
scenario_next(struct scenario *sc)
{
	struct scen_event ev = {0};
	int64_t dur;

	if (sc->have_pending) {
		sc->have_pending = false;
		return sc->pending;
	}

	ev.at_ms = sc->cursor_ms +
	           rng_range(&sc->rng, SCEN_QUIET_MIN_MS, SCEN_QUIET_MAX_MS);
	if (sc->spells > 0 && rng_range(&sc->rng, 1, SCEN_STOP_ONE_IN) == 1) {
		dur = rng_range(&sc->rng, SCEN_STOP_MIN_MS, SCEN_STOP_MAX_MS);
		ev.kind = SCEN_SERVER_STOP;
		ev.stream = -1;
		sc->pending = (struct scen_event){ev.at_ms + dur,
		                                  SCEN_SERVER_START, -1, 0};
	} else {
		dur = rng_range(&sc->rng, SCEN_DOWN_MIN_MS, SCEN_DOWN_MAX_MS);
		ev.kind = SCEN_STREAM_DOWN;
		ev.stream = (int)rng_range(&sc->rng, 0, DEMO_NSTREAMS - 1);
		ev.status = rng_range(&sc->rng, 0, 1) ? 503 : 404;
		sc->pending = (struct scen_event){ev.at_ms + dur,
		                                  SCEN_STREAM_UP, ev.stream, 0};
	}
	sc->have_pending = true;
	sc->cursor_ms = sc->pending.at_ms;
	sc->spells++;
	return ev;
}
