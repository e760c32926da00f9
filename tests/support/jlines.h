/*
 * jlines: reading `wsdash watch --json` output from a child, for tests, and
 * the flap loop (stream down/up through the demo backend's control API)
 * that the watch and soak tests share.
 */
#ifndef TEST_JLINES_H
#define TEST_JLINES_H

#include <cjson/cJSON.h>

#include "proc.h"

/* A string member of o, or "". */
const char *jl_str(const cJSON *o, const char *k);

/* Next JSON line of c's output, NULL on timeout/EOF (asserts it parses). */
cJSON *jl_next(struct child *c, int timeout_ms);

/*
 * The next line of endpoint ep (any, if NULL) with event ev and, if key is
 * given, key == val; NULL on timeout. Caller frees.
 */
cJSON *jl_wait(struct child *c, const char *ep, const char *ev, const char *key,
               const char *val, int timeout_ms);

/* POST path to the demo backend on port and assert 200. */
void jl_post(int port, const char *path);

/*
 * Start `wsdash watch --json` on the backend srv's /ws/routes and take the
 * stream down and up n times, each time after the watcher reported it live
 * again. rss_kib[k] gets the watcher's RSS after k*n/4 cycles (k=1..4).
 * Returns the watcher's exit code (0: clean, no sanitizer report).
 */
int jl_flaps(struct child *srv, int n, long rss_kib[5]);

#endif
