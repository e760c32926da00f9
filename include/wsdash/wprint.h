/*
 * wprint: the headless output of `wsdash watch` (--plain and --json).
 *
 * One line per state change, per message, per poll (and, in --json, per RTT
 * sample). When an endpoint gets more than WPRINT_MSG_LINES messages in a
 * second, its message lines give way to one summary line per second. Every
 * string that came from the network is sanitized (plain) or JSON-escaped
 * (json) before it is written. The functions return text; the caller writes
 * and flushes it.
 */
#ifndef WSDASH_WPRINT_H
#define WSDASH_WPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/mon.h"

#define WPRINT_MSG_LINES 10 /* message lines per endpoint per second */

struct wprint_ep {
	uint64_t sec_msgs;   /* messages since the last tick */
	uint64_t sec_others; /* other traffic since the last tick */
	int browser; /* the browser view last printed (enum mon_browser) */
	uint64_t sec_bytes;
	unsigned sec_lines; /* message lines printed since the last tick */
	bool flood;         /* last second was over the limit */
};

struct wprint {
	bool json;
	bool utf8;
	struct mon *m;
	struct wprint_ep *eps; /* one per endpoint */
	int name_w;            /* width of the name column */
};

bool wprint_init(struct wprint *p, struct mon *m, bool json, bool utf8);
void wprint_done(struct wprint *p);

/*
 * Lines for one model change (flags from mon_apply()), or NULL if nothing is
 * to be printed. wall_ms is the wall clock, now_us the monotonic one.
 * Caller frees.
 */
char *wprint_change(struct wprint *p, struct mon_ep *ep, unsigned flags,
                    const struct mon_event *ev, int64_t now_us, double wall_ms);

/* Per-second summary lines (call once a second); NULL if none. */
char *wprint_tick(struct wprint *p, int64_t now_us, double wall_ms);

/*
 * The first line: in --json a "start" event with the layout (if the
 * default set was used) and every endpoint (URL, poll URLs, required,
 * types); in --plain the layout, if any. NULL if nothing. Caller frees.
 */
char *wprint_start(struct wprint *p, const struct config *c, double wall_ms);

/*
 * The line that says lines were dropped because the reader of stdout fell
 * behind (event "output_dropped" in --json). Caller frees.
 */
char *wprint_output_dropped(struct wprint *p, uint64_t lines, double wall_ms);

#endif
