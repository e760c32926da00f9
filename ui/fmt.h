/*
 * fmt: the dashboard's words and numbers, as pure functions of the model and
 * the time (tested in tests/unit/test_ui.c): durations, RTT, counts, state
 * badges, the fallback flag line, sparklines, the header summary. Output is
 * UTF-8 when utf8 is true and plain ASCII otherwise.
 */
#ifndef WSDASH_UI_FMT_H
#define WSDASH_UI_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/mon.h"
#include "wsdash/timeline.h"

/* "850ms", "18s", "2m03s", "1h02m", "3d04h"; negative durations as 0. */
void ui_fmt_duration(int64_t us, char *out, size_t len);

/* An age in whole seconds: "<1s", "5s", "2m03s" (ages tick once a second). */
void ui_fmt_age(int64_t us, char *out, size_t len);

/* A lag: "<1 ms", "35 ms", "-12 ms" (clock skew), "12.5 s". */
void ui_fmt_lag(double ms, char *out, size_t len);

/* A time in ms with sensible precision: "0.31", "12.4", "153", "2.1s". */
void ui_fmt_ms(double ms, char *out, size_t len);

/* "987", "12.3k", "4.56M". */
void ui_fmt_count(uint64_t n, char *out, size_t len);

/* Wall clock "12:03:04" (local time) of epoch ms. */
void ui_fmt_clock(int64_t wall_ms, char *out, size_t len);

struct ui_badge {
	const char *symbol; /* one column wide */
	const char *word;   /* LIVE, STALE, POLLING, DOWN, CONNECTING, PAUSED */
};

/* The badge of an endpoint's state. */
struct ui_badge ui_badge(const struct mon_ep *ep, bool utf8);
struct ui_badge ui_badge_of(enum mon_state state, bool paused, bool utf8);

/* "WebSocket", "polling (fallback)", "no connection", "paused". */
const char *ui_mode_words(const struct mon_ep *ep);

/*
 * While in fallback: "fallback 12:03:04 (18s) · 404 on upgrade (not_found)
 * · retry in 4s" (with " - " for " · " in ASCII), without the reason when
 * with_reason is false (narrow panels show it on a line of its own). ""
 * when not in fallback.
 * now_us is monotonic, now_wall_ms the wall clock at the same moment.
 */
void ui_fallback_line(const struct mon_ep *ep, int64_t now_us,
                      int64_t now_wall_ms, bool utf8, bool with_reason,
                      char *out, size_t len);

/* The same without the clock time: "fallback 1m02s · retry in 4s". */
void ui_fallback_short(const struct mon_ep *ep, int64_t now_us, bool utf8,
                       char *out, size_t len);

/*
 * Sparkline of the last samples (oldest first) in width columns, scaled to
 * their maximum: "▁▂▅█" or ASCII "_.-=#". Returns the columns used.
 */
int ui_sparkline(const int32_t *v, size_t n, int width, bool utf8, char *out,
                 size_t len);

/* "3 endpoints · 2 WebSocket · 1 polling" (counts by mode/state). */
void ui_summary(const struct mon *m, bool utf8, char *out, size_t len);

/* " · " or " - ". */
const char *ui_sep(bool utf8);

/*
 * Names fitted to cols columns each, still telling each other apart: a
 * name that does not fit is cut in the middle ("workfl\u2026history"),
 * keeping its start and its end; when two cut names would read the same,
 * the cut moves until they differ (as far as the width allows). out[i]
 * gets names[i]; each out[i] holds UI_NAME_MAX bytes.
 */
#define UI_NAME_MAX 192
void ui_names_fit(const char *const *names, int n, int cols, bool utf8,
                  char (*out)[UI_NAME_MAX]);

/* The state a timeline cell shows for an endpoint now (or for a state). */
enum tl_state ui_tl_state(const struct mon_ep *ep);
enum tl_state ui_tl_of(enum mon_state state, bool paused);

/* A timeline cell: the state's symbol ("\u00b7"/" " when unknown). */
const char *ui_tl_symbol(int tl_state, bool utf8);

/*
 * The bell: ring when a stream leaves the WebSocket or goes down (not when
 * the user paused it), at most once per UI_BELL_GAP_US. *last_us is when it
 * last rang (0: never). True: ring now.
 */
#define UI_BELL_GAP_US (10 * 1000000LL)
bool ui_bell_due(enum mon_state from, enum mon_state to, bool paused,
                 int64_t now_us, int64_t *last_us);

/*
 * The frame pace: at most UI_FPS frames a second on average, but a frame
 * after a quiet spell is drawn at once (a token bucket of UI_FRAME_BURST):
 * a clock-tick frame does not delay the next event's frame.
 */
#define UI_FPS         30
#define UI_FRAME_BURST 3
struct ui_pace {
	int64_t at_us;  /* when tokens was counted */
	int64_t tokens; /* in millionths of a frame */
};
/* 0: draw now (a token is spent); else wait this many microseconds. */
int64_t ui_pace_take(struct ui_pace *p, int64_t now_us);

#endif
