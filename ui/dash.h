/*
 * dash.h: the dashboard's pieces, shared by the files of ui/ (not by src/).
 *
 *   dashboard.c  the frame loop: hooks from the watcher mark the view dirty,
 *                one frame callback draws (paced, see ui_pace_take)
 *   draw.c       text, lines and boxes that never let a byte act on the
 *                terminal; state colours
 *   panels.c     header, panels, compact lines, "+N more", too small
 *   evlog.c      the event log: state changes and what the user did
 *   detail.c     the detail view of one endpoint
 *   help.c       the help overlay: keys and a legend of every symbol
 *   keys.c       keys as a table, the key bar, status messages
 *
 * The view reads struct mon (never writes it) and its own struct dash;
 * actions go to the watcher (reconnect, pause, demo break).
 */
#ifndef WSDASH_UI_DASH_H
#define WSDASH_UI_DASH_H

#include <stdbool.h>
#include <stdint.h>

#include "wsdash/config.h"
#include "wsdash/mon.h"
#include "wsdash/timeline.h"
#include "wsdash/watcher.h"
#include "dashboard.h"
#include "fmt.h"
#include "layout.h"
#include "term.h"

#define DASH_LINE   1024 /* bytes of one drawn line */
#define LOG_ENTRIES 512
#define RATE_SECS   240             /* per-second message counts kept */
#define FLASH_US    (3 * 1000000LL) /* a panel's border after a change */
#define STATUS_US   (4 * 1000000LL) /* a status message in the key bar */
#define TL_CELL_US  (5 * 1000000LL) /* a timeline cell */

enum flash { FLASH_NONE, FLASH_FALLBACK, FLASH_RECOVER };

struct log_entry {
	int64_t wall_ms;
	int idx;
	bool action; /* something the user did (text says what) */
	enum mon_state from, to;
	bool paused;
	char text[MON_REASON_MAX]; /* the reason, or the action */
};

/* What the view keeps per endpoint. */
struct dash_ep {
	struct timeline tl;
	uint32_t rate[RATE_SECS]; /* messages in each past second */
	unsigned rate_head, rate_len;
	uint64_t rate_msgs; /* ep->msgs at the last sample */
	enum flash flash;
	int64_t flash_until;
	char name[UI_NAME_MAX]; /* fitted to names_cols */
};

struct dash {
	const struct dash_opts *o;
	struct watcher *w;
	struct mon *m;
	const struct config *cfg;
	bool utf8;
	struct dash_ep *eps;

	int selected, first;
	bool detail, help;
	int scroll;     /* detail: first line of the message shown */
	int log_scroll; /* the log: entries back from the newest */
	bool dirty;
	struct ui_pace pace;
	uint64_t frames;
	struct ui_layout lay;
	int names_cols; /* what eps[].name was fitted to (0: not yet) */

	struct log_entry log[LOG_ENTRIES];
	unsigned log_head, log_len;
	char status[160];
	int64_t status_until;
	int64_t bell_last_us;

	/* detail view: the last message, pretty-printed once per message */
	int pretty_idx;
	int64_t pretty_at;
	char **pretty;
	size_t npretty;
};

/* draw.c */
int dash_put(struct dash *d, int y, int x, int w, const char *s, attr_t a);
int dash_putf(struct dash *d, int y, int x, int w, attr_t a, const char *fmt,
              ...) __attribute__((format(printf, 6, 7)));
int dash_cols(const char *s);
int dash_put_change(struct dash *d, int y, int x, enum mon_state from,
                    enum mon_state to, bool to_paused);
void dash_hline(struct dash *d, int y, int x, int n, attr_t a);
void dash_box(struct dash *d, struct ui_rect r, attr_t a);
void dash_fill(int y, int x, int w, attr_t a);
enum ui_role dash_role(int tl_state, bool badge);
enum ui_role dash_ep_role(const struct mon_ep *ep, bool badge);
void dash_badge(struct dash *d, const struct mon_ep *ep, char *out, size_t len);

/* panels.c */
void dash_draw_header(struct dash *d, int64_t now_wall_ms);
void dash_draw_panel(struct dash *d, int i, struct ui_rect r, int64_t now,
                     int64_t now_wall_ms);
void dash_draw_line(struct dash *d, int i, struct ui_rect r, int64_t now);
void dash_draw_more(struct dash *d);
void dash_draw_too_small(struct dash *d);
void dash_draw_timeline(struct dash *d, int i, int y, int x, int w,
                        int64_t now);
void dash_rate_sample(struct dash *d, int64_t now);
bool dash_hint(struct dash *d, char *out, size_t len);

/* evlog.c */
void dash_log_change(struct dash *d, int idx, const struct mon_ep *ep);
void dash_log_action(struct dash *d, int idx, const char *what);
void dash_draw_log(struct dash *d);

/* detail.c */
void dash_draw_detail(struct dash *d, int64_t now, int64_t now_wall_ms);
void dash_detail_free(struct dash *d);

/* help.c */
void dash_draw_help(struct dash *d);

/* keys.c: the key table, read by the help and the key bar too */
enum dash_act {
	ACT_NONE,
	ACT_QUIT,
	ACT_HELP,
	ACT_BACK,
	ACT_DETAIL,
	ACT_NEXT,
	ACT_PREV,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_UP,
	ACT_DOWN,
	ACT_HOME,
	ACT_END,
	ACT_PGUP,
	ACT_PGDN,
	ACT_RECONNECT,
	ACT_RECONNECT_ALL,
	ACT_PAUSE,
	ACT_BREAK,
	ACT_REDRAW,
};

struct dash_keydef {
	const char *keys; /* as the help shows them */
	const char *help; /* NULL: no line in the help */
	bool demo;        /* only in the demo */
	enum dash_act act;
	int codes[4];      /* the key codes, 0-terminated */
	const char *bar;   /* its word in the key bar; NULL: not there */
	int prio;          /* the key bar keeps the lowest first */
	unsigned views;    /* where the key bar shows it */
	const char *ascii; /* keys in an ASCII locale, if they differ */
};
const struct dash_keydef *dash_keys(size_t *n);

void dash_key(struct dash *d, int ch);
void dash_draw_keybar(struct dash *d, int64_t now);
void dash_say(struct dash *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
