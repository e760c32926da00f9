/*
 * dashboard: the ncurses view of the live model. It draws what struct mon
 * knows, in frames (at most 30 a second, only when something changed or a
 * visible clock ticked), and turns keys into watcher actions. Curses code
 * lives in ui/ only; the network side is the watcher's.
 */
#ifndef WSDASH_UI_DASHBOARD_H
#define WSDASH_UI_DASHBOARD_H

#include <stdbool.h>

#include "wsdash/config.h"
#include "wsdash/mon.h"
#include "wsdash/watch.h"
#include "wsdash/watcher.h"

/*
 * Whether this terminal can show the dashboard (see term_usable()); if not,
 * why. Call before dashboard_run(): the caller falls back to lines.
 */
bool dashboard_usable(char *why, size_t len);

/*
 * Run the dashboard until q, a signal, or --duration. target names what is
 * watched in the header; demo enables the x key. The caller made w, cfg
 * and m; this owns the terminal for the duration and always restores it.
 * Returns an exit code.
 */
int dashboard_run(struct watcher *w, const struct watch_opts *o,
                  const struct config *cfg, struct mon *m, const char *target,
                  bool demo);

#endif
