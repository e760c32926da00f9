/*
 * theap: timers come out due-time order whatever mix of arming, moving and
 * cancelling came before (checked against a plain array model), and
 * nothing fires early.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "wsdash/rng.h"
#include "wsdash/theap.h"

#define N 500

static int fired;

static void
on_fire(struct theap_timer *t)
{
	(void)t;
	fired++;
}

Test(theap, random_operations_match_a_model)
{
	static struct theap_timer t[N];
	static int64_t model[N]; /* due time, -1: not armed */
	struct theap h;
	struct rng r;

	theap_init(&h);
	rng_init(&r, 42);
	for (int i = 0; i < N; i++)
		model[i] = -1;
	for (int step = 0; step < 20000; step++) {
		int i = (int)(rng_unit(&r) * N);
		double op = rng_unit(&r);

		if (op < 0.6) {
			int64_t at = (int64_t)(rng_unit(&r) * 100000);

			cr_assert(theap_arm(&h, &t[i], at, on_fire));
			model[i] = at;
		} else {
			theap_cancel(&h, &t[i]);
			model[i] = -1;
		}
		cr_assert_eq(theap_armed(&t[i]), model[i] >= 0);
	}
	/* pop everything in order, at a rising clock */
	{
		int64_t last = -1;
		size_t armed = 0, popped = 0;

		for (int i = 0; i < N; i++)
			armed += model[i] >= 0;
		for (int64_t now = 0; now <= 100000; now += 997) {
			struct theap_timer *x;

			while ((x = theap_pop_due(&h, now)) != NULL) {
				int i = (int)(x - t);

				cr_assert_leq(x->at_us, now, "fired early");
				cr_assert_geq(x->at_us, last, "out of order");
				cr_assert_eq(x->at_us, model[i]);
				cr_assert_not(theap_armed(x));
				last = x->at_us;
				model[i] = -1;
				popped++;
			}
		}
		cr_assert_eq(popped, armed, "%zu of %zu timers fired", popped,
		             armed);
	}
	cr_assert_null(theap_peek(&h));
	theap_done(&h);
}

Test(theap, a_timer_can_rearm_itself_from_its_callback)
{
	struct theap h;
	struct theap_timer t = {0}, *x;

	theap_init(&h);
	cr_assert_not(theap_armed(&t), "zeroed means not armed");
	theap_arm(&h, &t, 10, on_fire);
	cr_assert_null(theap_pop_due(&h, 9));
	x = theap_pop_due(&h, 10);
	cr_assert_eq(x, &t);
	theap_arm(&h, x, 20, on_fire); /* as a fire() would */
	cr_assert_eq(theap_peek(&h), &t);
	cr_assert_eq(theap_peek(&h)->at_us, 20);
	theap_cancel(&h, &t);
	theap_cancel(&h, &t); /* twice: harmless */
	cr_assert_null(theap_peek(&h));
	theap_done(&h);
}
