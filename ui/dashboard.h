/*
 * dashboard: the ncurses view of the live model. It draws what struct mon
 * knows, in frames (at most 30 a second, only when something changed or a
 * visible clock ticked), and turns keys into watcher actions. Curses code
 * lives in ui/ only; the network side is the watcher's.
 */
#ifndef WSDASH_UI_DASHBOARD_H
#define WSDASH_UI_DASHBOARD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "wsdash/config.h"
#include "wsdash/mon.h"
#include "wsdash/watcher.h"

/*
 * Whether this terminal can show the dashboard (see term_usable()); if not,
 * why. Call before dashboard_run(): the caller falls back to lines.
 */
bool dashboard_usable(char *why, size_t len);

/*
 * What the dashboard needs from whoever runs it: a plain struct, so the
 * view never reads a command's options or globals.
 */
struct dash_opts {
	const char *target;  /* the header's "what is watched" */
	bool demo;           /* the x key breaks a stream of the demo backend */
	bool color;          /* colours (else attributes only) */
	bool bell;           /* ring when a stream leaves the WebSocket */
	int64_t duration_ms; /* 0: until q or a signal */
	volatile sig_atomic_t *stop; /* set by signal handlers */
	/*
	 * Called with every model change before the view takes it (the
	 * --on-change command, the --log file); NULL for none.
	 */
	void (*changed)(void *user, struct mon_ep *ep, unsigned flags,
	                const struct mon_event *ev);
	/* Called every second with the time (children to reap...); or NULL. */
	void (*tick)(void *user, int64_t now_us);
	int64_t (*chores)(void *user, int64_t now_us); /* watcher_hooks' */
	void *user;
};

/*
 * Run the dashboard until q, a signal, or the duration. The caller made w,
 * cfg and m; this owns the terminal for the duration and always restores
 * it. Returns an exit code.
 */
int dashboard_run(struct watcher *w, const struct dash_opts *o,
                  const struct config *cfg, struct mon *m);

#endif
