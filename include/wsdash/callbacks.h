/*
 * callbacks: what `wsdash watch` does on every model change besides
 * showing it: the --on-change command (notify) and the --log file
 * (jsonlog). The dashboard and the headless output both hand their model
 * changes and ticks to callbacks_changed() and callbacks_tick(), so both
 * get the same behaviour.
 *
 * Things worth telling the user (a command that fails, lines dropped, a
 * full disk) are told once each: as a "warning" line in the --log file,
 * and on stderr; while the dashboard owns the terminal (defer), stderr
 * waits until callbacks_done(), after the terminal is restored.
 */
#ifndef WSDASH_CALLBACKS_H
#define WSDASH_CALLBACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/config.h"
#include "wsdash/mon.h"

struct notify;
struct jsonlog;

#define CALLBACKS_DEFERRED 8 /* messages kept for after the dashboard */

struct callbacks {
	struct mon *m;
	struct notify *notify; /* --on-change, or NULL */
	struct jsonlog *log;   /* --log, or NULL */
	const char *cmd;       /* "watch" or "demo", for messages */
	bool defer;            /* stderr waits for callbacks_done() */
	char deferred[CALLBACKS_DEFERRED][320];
	int ndeferred;
};

/*
 * Set up cb for model m (and its config c, for the log's first line):
 * on_change (or NULL) run with a timeout of on_change_timeout_ms (0: the
 * default), log_path (or NULL) opened. Returns false with a reason in err
 * (the log cannot be opened; out of memory); cb is then clean.
 */
bool callbacks_init(struct callbacks *cb, struct mon *m, const struct config *c,
                    const char *on_change, int on_change_timeout_ms,
                    const char *log_path, bool defer, const char *cmd,
                    char *err, size_t errlen);

/* The hooks: user is the struct callbacks. Called from the loop. */
void callbacks_changed(void *user, struct mon_ep *ep, unsigned flags,
                       const struct mon_event *ev);
void callbacks_tick(void *user, int64_t now_us);
/* The timed work of --on-change (reap, stop overdue, start waiting runs):
 * returns microseconds until the next call, 0 for none until a change. */
int64_t callbacks_chores(void *user, int64_t now_us);

/*
 * At exit: give running commands a moment to finish (see notify_finish),
 * say what was lost in all, print deferred messages, close and free.
 */
void callbacks_done(struct callbacks *cb);

#endif
