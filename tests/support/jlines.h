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

/* What one endpoint did during a `watch --json` run (see jl_run). */
struct jl_ep {
	char name[64];
	int live, stale, polling, down; /* state events, by new state */
	int messages, dropped, polls, polls_ok, rtts, retries, lags;
	int others;              /* messages of other streams' types */
	int silent, spoke_again; /* silent events, each way */
	char other_types[1024];  /* their types, '|'-separated */
	char last_state[16];
	char reasons[4096]; /* every state reason, '|'-separated */
	char types[4096];   /* message types, '|'-separated (the first 4 KiB) */
	char poll_errors[1024]; /* failed polls' errors, '|'-separated */
	char poll_summary[128]; /* the last good poll's summary */
};

#define JL_MAX_EPS 64

/*
 * A `wsdash watch --json ...` child whose lines are read into per-endpoint
 * tallies. Every line must parse as JSON and be safe for a terminal (no
 * control or escape byte): a test fails at once, naming the line, if not.
 */
struct jl_run {
	struct child c;
	struct jl_ep eps[JL_MAX_EPS];
	int n;
	long lines;
	long max_rss_kib; /* sampled while reading */
};

/* Start `wsdash ARGV...` (argv after the program, NULL-terminated). */
void jl_run_start(struct jl_run *r, const char *const *argv);

/*
 * Read lines until done(r, user) holds (checked after every line and on
 * every quiet spell) or timeout_ms passes. Returns whether done held.
 */
bool jl_run_until(struct jl_run *r,
                  bool (*done)(const struct jl_run *r, void *user), void *user,
                  int timeout_ms);

/* The tally of endpoint name (an empty one if it said nothing yet). */
const struct jl_ep *jl_run_ep(const struct jl_run *r, const char *name);

/*
 * SIGTERM, read the rest, and return the exit status: 0 for a clean exit
 * (no sanitizer report); asserts the child exits within timeout_ms.
 */
int jl_run_stop(struct jl_run *r, int timeout_ms);

/* No byte that could act on a terminal: C0 (but \n, \t), DEL, C1. */
void jl_assert_terminal_safe(const char *s, const char *what);

#endif
