/* fmt.c: dashboard text, pure; see fmt.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wsdash/sanitize.h"
#include "fmt.h"

const char *
ui_sep(bool utf8)
{
	return utf8 ? " \u00b7 " : " - ";
}

void
ui_fmt_duration(int64_t us, char *out, size_t len)
{
	int64_t s;

	if (us < 0)
		us = 0;
	if (us < 1000000) {
		snprintf(out, len, "%lldms", (long long)(us / 1000));
		return;
	}
	s = us / 1000000;
	if (s < 60)
		snprintf(out, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, len, "%lldm%02llds", (long long)(s / 60),
		         (long long)(s % 60));
	else if (s < 86400)
		snprintf(out, len, "%lldh%02lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	else
		snprintf(out, len, "%lldd%02lldh", (long long)(s / 86400),
		         (long long)(s % 86400 / 3600));
}

void
ui_fmt_ms(double ms, char *out, size_t len)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1)
		snprintf(out, len, "%.2f", ms);
	else if (ms < 100)
		snprintf(out, len, "%.1f", ms);
	else if (ms < 10000)
		snprintf(out, len, "%.0f", ms);
	else
		snprintf(out, len, "%.1fs", ms / 1000);
}

void
ui_fmt_count(uint64_t n, char *out, size_t len)
{
	if (n < 10000)
		snprintf(out, len, "%llu", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(out, len, "%.1fk", (double)n / 1e3);
	else if (n < 1000000000)
		snprintf(out, len, "%.2fM", (double)n / 1e6);
	else
		snprintf(out, len, "%.2fG", (double)n / 1e9);
}

void
ui_fmt_clock(int64_t wall_ms, char *out, size_t len)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		snprintf(out, len, "--:--:--");
	else
		snprintf(out, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		         tm.tm_sec);
}

struct ui_badge
ui_badge_of(enum mon_state state, bool paused, bool utf8)
{
	if (paused)
		return (struct ui_badge){utf8 ? "\u2016" : "=", "PAUSED"};
	switch (state) {
	case MON_LIVE:
		return (struct ui_badge){utf8 ? "\u25cf" : "*", "LIVE"};
	case MON_STALE:
		return (struct ui_badge){utf8 ? "\u25d0" : "~", "STALE"};
	case MON_POLLING:
		return (struct ui_badge){utf8 ? "\u21bb" : "%", "POLLING"};
	case MON_DOWN:
		return (struct ui_badge){utf8 ? "\u2716" : "x", "DOWN"};
	case MON_CONNECTING:
	default:
		return (struct ui_badge){utf8 ? "\u25cb" : ".", "CONNECTING"};
	}
}

struct ui_badge
ui_badge(const struct mon_ep *ep, bool utf8)
{
	return ui_badge_of(ep->state, ep->paused, utf8);
}

const char *
ui_mode_words(const struct mon_ep *ep)
{
	if (ep->paused)
		return "paused";
	switch (ep->mode) {
	case MON_MODE_WEBSOCKET:
		return "WebSocket";
	case MON_MODE_POLLING:
		return "polling (fallback)";
	default:
		return ep->state == MON_CONNECTING ? "connecting"
		                                   : "no connection";
	}
}

void
ui_fallback_line(const struct mon_ep *ep, int64_t now_us, int64_t now_wall_ms,
                 bool utf8, bool with_reason, char *out, size_t len)
{
	char since[16], dur[16], retry[32] = "";
	int64_t since_wall;

	if (!mon_in_fallback(ep) || ep->fallback_since_us == 0 || ep->paused) {
		if (len)
			out[0] = '\0';
		return;
	}
	since_wall = now_wall_ms - (now_us - ep->fallback_since_us) / 1000;
	ui_fmt_clock(since_wall, since, sizeof(since));
	ui_fmt_duration(now_us - ep->fallback_since_us, dur, sizeof(dur));
	if (ep->next_retry_us > now_us) {
		char in[16];

		ui_fmt_age(ep->next_retry_us - now_us, in, sizeof(in));
		snprintf(retry, sizeof(retry), "%sretry in %s", ui_sep(utf8),
		         in);
	} else if (ep->next_retry_us != 0) {
		snprintf(retry, sizeof(retry), "%sretrying", ui_sep(utf8));
	}
	snprintf(out, len, "fallback %s (%s)%s%s%s%s%s", since, dur,
	         with_reason ? ui_sep(utf8) : "",
	         with_reason ? ep->fallback_reason : "",
	         ep->poll_pending ? ui_sep(utf8) : "",
	         ep->poll_pending ? "first poll pending" : "", retry);
}

void
ui_fallback_short(const struct mon_ep *ep, int64_t now_us, bool utf8, char *out,
                  size_t len)
{
	char dur[16], in[16];

	if (!mon_in_fallback(ep) || ep->fallback_since_us == 0) {
		if (len)
			out[0] = '\0';
		return;
	}
	ui_fmt_duration(now_us - ep->fallback_since_us, dur, sizeof(dur));
	if (ep->poll_pending) {
		snprintf(out, len, "fallback %s%sfirst poll pending", dur,
		         ui_sep(utf8));
	} else if (ep->next_retry_us > now_us) {
		ui_fmt_age(ep->next_retry_us - now_us, in, sizeof(in));
		snprintf(out, len, "fallback %s%sretry in %s", dur,
		         ui_sep(utf8), in);
	} else {
		snprintf(out, len, "fallback %s", dur);
	}
}

int
ui_sparkline(const int32_t *v, size_t n, int width, bool utf8, char *out,
             size_t len)
{
	static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583",
	                                      "\u2584", "\u2585", "\u2586",
	                                      "\u2587", "\u2588"};
	static const char ascii[] = "_.-=#";
	int32_t max = 1;
	size_t start, o = 0;
	int used = 0;

	if (len == 0)
		return 0;
	out[0] = '\0';
	if (width <= 0 || n == 0)
		return 0;
	start = n > (size_t)width ? n - (size_t)width : 0;
	for (size_t i = start; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (size_t i = start; i < n; i++) {
		const char *glyph;
		char one[2];
		size_t gl;

		if (utf8) {
			glyph = blocks[(int64_t)v[i] * 7 / max];
		} else {
			one[0] = ascii[(int64_t)v[i] * 4 / max];
			one[1] = '\0';
			glyph = one;
		}
		gl = strlen(glyph);
		if (o + gl + 1 > len)
			break;
		memcpy(out + o, glyph, gl);
		o += gl;
		used++;
	}
	out[o] = '\0';
	return used;
}

void
ui_summary(const struct mon *m, bool utf8, char *out, size_t len)
{
	size_t ws = 0, poll = 0, down = 0, conn = 0, paused = 0;
	size_t o;

	for (size_t i = 0; i < m->n; i++) {
		const struct mon_ep *ep = &m->eps[i];

		if (ep->paused)
			paused++;
		else if (ep->mode == MON_MODE_WEBSOCKET)
			ws++;
		else if (ep->state == MON_POLLING)
			poll++;
		else if (ep->state == MON_DOWN)
			down++;
		else
			conn++;
	}
	o = (size_t)snprintf(out, len, "%zu endpoint%s", m->n,
	                     m->n == 1 ? "" : "s");
#define PART(count, word)                                           \
	if ((count) && o < len)                                     \
		o += (size_t)snprintf(out + o, len - o, "%s%zu %s", \
		                      ui_sep(utf8), (size_t)(count), word);
	PART(ws, "WebSocket")
	PART(poll, "polling")
	PART(down, "down")
	PART(conn, "connecting")
	PART(paused, "paused")
#undef PART
}

void
ui_fmt_age(int64_t us, char *out, size_t len)
{
	if (us < 1000000)
		snprintf(out, len, "<1s");
	else
		ui_fmt_duration(us / 1000000 * 1000000, out, len);
}

void
ui_fmt_lag(double ms, char *out, size_t len)
{
	if (ms > -1 && ms < 1)
		snprintf(out, len, "<1 ms");
	else if (ms > -10000 && ms < 10000)
		snprintf(out, len, "%.0f ms", ms); /* |ms| >= 1: never "-0" */
	else
		snprintf(out, len, "%.1f s", ms / 1000);
}

/* name cut around the middle: head columns, an ellipsis, the end */
static void
cut_middle(const char *name, int cols, int head, bool utf8, char *out,
           size_t len)
{
	const char *ell = utf8 ? "\u2026" : "~";
	char h[UI_NAME_MAX];
	size_t k;

	if (text_cols(name) <= cols || cols < 3) {
		text_cut(out, len, name, cols, utf8);
		return;
	}
	text_fit(h, sizeof(h), name, head);
	for (k = strlen(h); k > 0 && h[k - 1] == ' '; k--)
		h[k - 1] = '\0'; /* text_fit's padding */
	snprintf(out, len, "%s%s%s", h, ell,
	         text_last_cols(name, cols - head - 1));
}

void
ui_names_fit(const char *const *names, int n, int cols, bool utf8,
             char (*out)[UI_NAME_MAX])
{
	int head = cols > 2 ? (cols - 1) / 2 : cols;

	for (int i = 0; i < n; i++)
		cut_middle(names[i], cols, head, utf8, out[i], UI_NAME_MAX);
	/* the same cut of different names: move the cut in both */
	for (int i = 0; i < n; i++)
		for (int k = i + 1; k < n; k++) {
			if (strcmp(out[i], out[k]) != 0 ||
			    strcmp(names[i], names[k]) == 0)
				continue;
			for (int hd = 1; hd < cols - 1; hd++) {
				char a[UI_NAME_MAX], b[UI_NAME_MAX];

				cut_middle(names[i], cols, hd, utf8, a,
				           sizeof(a));
				cut_middle(names[k], cols, hd, utf8, b,
				           sizeof(b));
				if (strcmp(a, b) != 0) {
					memcpy(out[i], a, sizeof(a));
					memcpy(out[k], b, sizeof(b));
					break;
				}
			}
		}
}

enum tl_state
ui_tl_state(const struct mon_ep *ep)
{
	return ui_tl_of(ep->state, ep->paused);
}

enum tl_state
ui_tl_of(enum mon_state state, bool paused)
{
	if (paused)
		return TL_PAUSED;
	switch (state) {
	case MON_LIVE:
		return TL_LIVE;
	case MON_STALE:
		return TL_STALE;
	case MON_POLLING:
		return TL_POLLING;
	case MON_DOWN:
		return TL_DOWN;
	default:
		return TL_CONNECTING;
	}
}

const char *
ui_tl_symbol(int s, bool utf8)
{
	static const char *const u[TL_NSTATES] = {"\u25cf", "\u2016", "\u25cb",
	                                          "\u25d0", "\u21bb", "\u2716"};
	static const char *const a[TL_NSTATES] = {"*", "=", ".", "~", "%", "x"};

	if (s < 0 || s >= TL_NSTATES)
		return utf8 ? "\u00b7" : " ";
	return utf8 ? u[s] : a[s];
}

bool
ui_bell_due(enum mon_state from, enum mon_state to, bool paused, int64_t now_us,
            int64_t *last_us)
{
	bool left_ws = (from == MON_LIVE || from == MON_STALE) &&
	               to != MON_LIVE && to != MON_STALE;

	if (paused || !(left_ws || (to == MON_DOWN && from != MON_DOWN)))
		return false;
	if (*last_us != 0 && now_us - *last_us < UI_BELL_GAP_US)
		return false;
	*last_us = now_us;
	return true;
}

int64_t
ui_pace_take(struct ui_pace *p, int64_t now_us)
{
	const int64_t unit = 1000000, full = UI_FRAME_BURST * unit;

	if (p->at_us == 0) {
		p->at_us = now_us;
		p->tokens = full;
	}
	if (now_us > p->at_us) {
		/* UI_FPS tokens a second, in millionths */
		int64_t add = (now_us - p->at_us) * UI_FPS;

		p->tokens = p->tokens + add > full ? full : p->tokens + add;
		p->at_us = now_us;
	}
	if (p->tokens >= unit) {
		p->tokens -= unit;
		return 0;
	}
	return (unit - p->tokens + UI_FPS - 1) / UI_FPS;
}
