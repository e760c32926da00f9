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

#endif
