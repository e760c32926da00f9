/*
 * Soak: 10,000 connect/drop cycles of a watcher against the demo backend
 * (the stream taken down and up through the control API, the watcher
 * falling back and reconnecting each time). In the normal build the
 * watcher's RSS must stay flat; in the ASan build (make asan) its clean
 * exit, with leak detection on, is the test. The figures go to the log.
 */
#include <criterion/criterion.h>

#include "jlines.h"

Test(soak, ten_thousand_connect_drop_cycles, .timeout = 900)
{
	struct child srv;
	long rss[5], srv_rss;
	long long t0 = test_now_ms();

	cr_assert(serve_start(&srv, "--rate", "0", NULL));
	cr_assert_eq(jl_flaps(&srv, 10000, rss), 0,
	             "unclean exit (a sanitizer or leak report?)");
	srv_rss = proc_rss_kib(srv.pid);
	cr_log_info(
	    "soak: 10000 cycles in %.1f s; watcher RSS after "
	    "2500/5000/7500/10000: %ld %ld %ld %ld KiB; backend %ld KiB",
	    (test_now_ms() - t0) / 1000.0, rss[1], rss[2], rss[3], rss[4],
	    srv_rss);
#ifndef __SANITIZE_ADDRESS__
	cr_assert_lt(rss[4], rss[1] + 1024, "RSS grew from %ld to %ld KiB",
	             rss[1], rss[4]);
#endif
	cr_assert_eq(child_stop(&srv), 0, "backend: unclean exit");
}
