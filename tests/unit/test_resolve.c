/*
 * resolve: literals need no lookup, names are answered through the wake
 * descriptor without blocking, answers are cached and can be forgotten.
 * (Names that never resolve, or resolve late, are tested against a DNS
 * server of our own in tests/hostile/.)
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "wsdash/clock.h"
#include "wsdash/resolve.h"

/* Wait (up to 10 s) for the wake descriptor, then collect. */
static int
wait_collect(struct resolver *r)
{
	struct pollfd p = {resolver_wake_fd(), POLLIN, 0};
	uint64_t n;

	cr_assert_eq(poll(&p, 1, 10000), 1, "no wake-up in 10 s");
	cr_assert_eq(read(p.fd, &n, sizeof(n)), (ssize_t)sizeof(n));
	return resolver_collect(r, clock_mono_us());
}

Test(resolve, literals_are_their_own_address)
{
	struct resolver *r = resolver_new();
	char a[RESOLVE_ADDR_MAX], err[96];

	cr_assert_eq(
	    resolver_get(r, "127.0.0.1", 0, 0, a, sizeof(a), err, sizeof(err)),
	    RESOLVE_OK);
	cr_assert_str_eq(a, "127.0.0.1");
	cr_assert_eq(
	    resolver_get(r, "::1", 0, 0, a, sizeof(a), err, sizeof(err)),
	    RESOLVE_OK);
	cr_assert_str_eq(a, "::1");
	cr_assert_eq(
	    resolver_get(r, "::1", 1, 0, a, sizeof(a), err, sizeof(err)),
	    RESOLVE_END);
	cr_assert_eq(resolver_pending(r), 0);
	resolver_free(r);
}

Test(resolve, a_name_is_answered_through_the_wake_descriptor)
{
	struct resolver *r = resolver_new();
	char a[RESOLVE_ADDR_MAX], err[96];
	bool loopback = false;
	enum resolve_state st;

	/* localhost comes from /etc/hosts: no traffic leaves the machine */
	st = resolver_get(r, "localhost", 0, clock_mono_us(), a, sizeof(a), err,
	                  sizeof(err));
	if (st == RESOLVE_PENDING) {
		cr_assert_eq(resolver_pending(r), 1);
		cr_assert_eq(wait_collect(r), 1);
		st = resolver_get(r, "localhost", 0, clock_mono_us(), a,
		                  sizeof(a), err, sizeof(err));
	}
	cr_assert_eq(st, RESOLVE_OK, "%s", err);
	/* every address is a loopback one, and the list ends */
	for (unsigned i = 0; i < RESOLVE_MAX_ADDRS; i++) {
		st = resolver_get(r, "localhost", i, clock_mono_us(), a,
		                  sizeof(a), err, sizeof(err));
		if (st == RESOLVE_END)
			break;
		cr_assert_eq(st, RESOLVE_OK);
		cr_assert(strcmp(a, "127.0.0.1") == 0 || strcmp(a, "::1") == 0,
		          "%s", a);
		loopback = true;
	}
	cr_assert(loopback);
	/* cached: no new lookup */
	cr_assert_eq(resolver_get(r, "localhost", 0, clock_mono_us(), a,
	                          sizeof(a), err, sizeof(err)),
	             RESOLVE_OK);
	cr_assert_eq(resolver_pending(r), 0);
	/* forgotten: the next ask looks it up again */
	resolver_forget(r, "localhost");
	cr_assert_eq(resolver_get(r, "localhost", 0, clock_mono_us(), a,
	                          sizeof(a), err, sizeof(err)),
	             RESOLVE_PENDING);
	resolver_free(r); /* with a lookup under way: no leak, no crash */
}

Test(resolve, expired_answers_are_looked_up_again)
{
	struct resolver *r = resolver_new();
	char a[RESOLVE_ADDR_MAX], err[96];
	int64_t now = clock_mono_us();

	if (resolver_get(r, "localhost", 0, now, a, sizeof(a), err,
	                 sizeof(err)) == RESOLVE_PENDING)
		wait_collect(r);
	cr_assert_eq(resolver_get(r, "localhost", 0, clock_mono_us(), a,
	                          sizeof(a), err, sizeof(err)),
	             RESOLVE_OK);
	cr_assert_eq(resolver_get(r, "localhost", 0,
	                          clock_mono_us() + RESOLVE_TTL_MS * 1000LL + 1,
	                          a, sizeof(a), err, sizeof(err)),
	             RESOLVE_PENDING, "kept past its TTL");
	wait_collect(r);
	resolver_free(r);
}
