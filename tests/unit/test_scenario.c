/* The outages schedule: shape, bounds and determinism by seed. */
#include <criterion/criterion.h>

#include "wsdash/demo_world.h"
#include "wsdash/scenario.h"

Test(scenario, pairs_in_order_within_bounds)
{
	struct scenario sc;
	int64_t prev_end = 0;
	int stops = 0, downs = 0, s404 = 0, s503 = 0;
	int per_stream[DEMO_NSTREAMS] = {0};

	scenario_init(&sc, 12345);
	for (int i = 0; i < 400; i++) {
		struct scen_event a = scenario_next(&sc);
		struct scen_event b = scenario_next(&sc);
		int64_t quiet = a.at_ms - prev_end, dur = b.at_ms - a.at_ms;

		cr_assert(quiet >= SCEN_QUIET_MIN_MS &&
		              quiet <= SCEN_QUIET_MAX_MS,
		          "quiet %lld", (long long)quiet);
		if (a.kind == SCEN_STREAM_DOWN) {
			cr_assert_eq(b.kind, SCEN_STREAM_UP);
			cr_assert_eq(a.stream, b.stream);
			cr_assert(a.stream >= 0 && a.stream < DEMO_NSTREAMS);
			cr_assert(a.status == 404 || a.status == 503);
			cr_assert(dur >= SCEN_DOWN_MIN_MS &&
			          dur <= SCEN_DOWN_MAX_MS);
			downs++;
			per_stream[a.stream]++;
			if (a.status == 404)
				s404++;
			else
				s503++;
		} else {
			cr_assert_eq(a.kind, SCEN_SERVER_STOP);
			cr_assert_eq(b.kind, SCEN_SERVER_START);
			cr_assert_neq(i, 0, "the first spell is never a stop");
			cr_assert(dur >= SCEN_STOP_MIN_MS &&
			          dur <= SCEN_STOP_MAX_MS);
			stops++;
		}
		prev_end = b.at_ms;
	}
	/* About one spell in four is a server stop; all streams and both
	 * statuses take their turn. */
	cr_assert(stops > 60 && stops < 140, "stops %d", stops);
	cr_assert(s404 > 50 && s503 > 50);
	for (int s = 0; s < DEMO_NSTREAMS; s++)
		cr_assert_gt(per_stream[s], 30);
	(void)downs;
}

Test(scenario, replayable_by_seed)
{
	struct scenario a, b, c;
	int differ = 0;

	scenario_init(&a, 42);
	scenario_init(&b, 42);
	scenario_init(&c, 43);
	for (int i = 0; i < 100; i++) {
		struct scen_event ea = scenario_next(&a);
		struct scen_event eb = scenario_next(&b);
		struct scen_event ec = scenario_next(&c);

		cr_assert_eq(ea.at_ms, eb.at_ms);
		cr_assert_eq(ea.kind, eb.kind);
		cr_assert_eq(ea.stream, eb.stream);
		cr_assert_eq(ea.status, eb.status);
		differ += ea.at_ms != ec.at_ms;
	}
	cr_assert_gt(differ, 50);
}

Test(scenario, names)
{
	enum scenario_mode m;

	cr_assert(scenario_mode_parse("outages", &m));
	cr_assert_eq(m, SCENARIO_OUTAGES);
	cr_assert_not(scenario_mode_parse("Outages", &m));
	cr_assert_str_eq(scenario_mode_name(SCENARIO_FLOOD), "flood");
	cr_assert_str_eq(scen_kind_name(SCEN_SERVER_STOP), "server_stop");
}
