/*
 * statusline.c: the summary line of `wsdash watch --status-line`.
 *
 * Endpoints are put in groups by what they show (live, down, polling,
 * stale, connecting, paused). The line is tried in ever shorter shapes,
 * full names first, then names cut in the middle, then fewer names per
 * group, then counts only, and the first shape that fits wins: a status bar
 * shows a short line whole rather than a long one cut at a random column.
 */
#include <stdio.h>
#include <string.h>

#include "wsdash/sanitize.h"
#include "wsdash/statusline.h"

enum group { G_LIVE, G_DOWN, G_POLLING, G_STALE, G_CONNECTING, G_PAUSED, NG };

/* What a group looks like: the dashboard's symbols, a tmux colour. */
static const struct {
	const char *sym, *ascii, *word, *style;
} group_look[NG] = {
    [G_LIVE] = {"\u25cf", "*", "live", "#[fg=green]"},
    [G_DOWN] = {"\u2716", "x", "down", "#[fg=red,bold]"},
    [G_POLLING] = {"\u21bb", "%", "polling", "#[fg=yellow]"},
    [G_STALE] = {"\u25d0", "~", "stale", "#[fg=magenta]"},
    [G_CONNECTING] = {"\u25cb", ".", "connecting", "#[fg=cyan]"},
    [G_PAUSED] = {"\u2016", "=", "paused", "#[dim]"},
};

/* A shape to try: names cut to name_w columns (0: whole), at most
 * max_names names in a group (more: a count); max_names 0: counts only. */
struct shape {
	int name_w, max_names;
};

#define NAME_MIN_W  6 /* names are not cut shorter: counts instead */
#define GROUP_NAMES 8 /* a group of more is a count, whatever the width */

/* The endpoints in each group: how many, and the first GROUP_NAMES. */
struct groups {
	size_t count[NG];
	const struct mon_ep *named[NG][GROUP_NAMES];
};

/* A growing line in a fixed buffer (silently cut at the end). */
struct sbuf {
	char *p;
	size_t len, n;
};

static void
put(struct sbuf *b, const char *s)
{
	size_t l = strlen(s);

	if (b->n + 1 >= b->len)
		return;
	if (l > b->len - 1 - b->n)
		l = b->len - 1 - b->n;
	memcpy(b->p + b->n, s, l);
	b->n += l;
	b->p[b->n] = '\0';
}

static enum group
group_of(const struct mon_ep *ep)
{
	if (ep->paused)
		return G_PAUSED;
	switch (ep->state) {
	case MON_LIVE:
		return G_LIVE;
	case MON_STALE:
		return G_STALE;
	case MON_POLLING:
		return G_POLLING;
	case MON_DOWN:
		return G_DOWN;
	default:
		return G_CONNECTING;
	}
}

/* Bytes of the (clean UTF-8) character at s. */
static size_t
char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
}

static int
char_w(const char *s, size_t l)
{
	char one[8];

	memcpy(one, s, l);
	one[l] = '\0';
	return text_cols(one);
}

/*
 * Clean text s in at most w columns into out: whole if it fits, else its
 * start and end around an ellipsis, so that "workflow-history" and
 * "workflow-status" stay apart ("workf…story", "workf…tatus").
 */
static void
cut_middle(char *out, size_t len, const char *s, int w, bool utf8)
{
	const char *ell = utf8 ? "\u2026" : "..";
	int ell_w = utf8 ? 1 : 2, head_w, tail_w, used = 0;
	size_t n = strlen(s), h = 0, t = n;

	if (w <= 0 || text_cols(s) <= w || w <= ell_w + 1) {
		snprintf(out, len, "%s", s);
		return;
	}
	tail_w = (w - ell_w) / 2;
	head_w = w - ell_w - tail_w;
	while (h < n) {
		size_t l = char_len(s + h);
		int cw = char_w(s + h, l);

		if (used + cw > head_w)
			break;
		used += cw;
		h += l;
	}
	used = 0;
	while (t > h) {
		size_t b = t - 1;

		while (b > h && ((unsigned char)s[b] & 0xc0) == 0x80)
			b--;
		if (used + char_w(s + b, t - b) > tail_w)
			break;
		used += char_w(s + b, t - b);
		t = b;
	}
	snprintf(out, len, "%.*s%s%s", (int)h, s, ell, s + t);
}

/* An endpoint's name as it goes on the line (tmux: '#' doubled, since
 * tmux expands #{...} and #[...] in a command's output). */
static void
put_name(struct sbuf *b, const struct mon_ep *ep, const struct shape *sh,
         enum statusline_format f, bool utf8)
{
	char clean[CONFIG_NAME_MAX * 3 + 8], cut[sizeof(clean) + 8];
	const char *name = ep->cfg && ep->cfg->name ? ep->cfg->name : "?";

	sanitize_text(clean, sizeof(clean), name, strlen(name), utf8);
	cut_middle(cut, sizeof(cut), clean, sh->name_w, utf8);
	for (const char *p = cut; *p; p++) {
		char c[3] = {*p, '\0', '\0'};

		if (*p == '#' && f == STATUSLINE_TMUX)
			c[1] = '#';
		put(b, c);
	}
}

/* The line in one shape. */
static void
render(struct sbuf *b, const struct groups *gr, const struct shape *sh,
       enum statusline_format f, bool utf8)
{
	const size_t *count = gr->count;

	bool first = true;

	for (int g = 0; g < NG; g++) {
		char num[32];

		if (count[g] == 0)
			continue;
		if (!first)
			put(b, " ");
		first = false;
		if (f == STATUSLINE_TMUX)
			put(b, group_look[g].style);
		put(b, utf8 ? group_look[g].sym : group_look[g].ascii);
		put(b, " ");
		if (g == G_LIVE || count[g] > (size_t)sh->max_names) {
			snprintf(num, sizeof(num), "%zu", count[g]);
			put(b, num);
		} else {
			for (size_t i = 0; i < count[g]; i++) {
				if (i > 0)
					put(b, ",");
				put_name(b, gr->named[g][i], sh, f, utf8);
			}
		}
		put(b, " ");
		put(b, group_look[g].word);
		if (f == STATUSLINE_TMUX)
			put(b, "#[default]");
	}
}

/* Columns of ep's name, as put_name() writes it whole. */
static int
name_cols(const struct mon_ep *ep, bool utf8)
{
	char clean[CONFIG_NAME_MAX * 3 + 8];
	const char *name = ep->cfg && ep->cfg->name ? ep->cfg->name : "?";

	sanitize_text(clean, sizeof(clean), name, strlen(name), utf8);
	return text_cols(clean);
}

/* Whether the line in shape sh takes at most cols columns. */
static bool
fits(const struct groups *gr, const struct shape *sh, bool utf8, int cols)
{
	char plain[STATUSLINE_MAX];
	struct sbuf t = {plain, sizeof(plain), 0};

	plain[0] = '\0';
	render(&t, gr, sh, STATUSLINE_PLAIN, utf8);
	return text_cols(plain) <= cols;
}

size_t
statusline_text(char *out, size_t len, const struct mon *m,
                enum statusline_format f, bool utf8, int cols)
{
	static const int max_names[] = {GROUP_NAMES, 3, 2, 1, 0};
	struct groups gr;
	struct shape sh = {0, 0};
	struct sbuf b = {out, len, 0};
	int longest = 0;

	if (len == 0)
		return 0;
	out[0] = '\0';
	if (m->n == 0) {
		put(&b, "no endpoints");
		return b.n;
	}
	memset(&gr, 0, sizeof(gr));
	for (size_t i = 0; i < m->n; i++) {
		const struct mon_ep *ep = &m->eps[i];
		enum group g = group_of(ep);

		if (g != G_LIVE && gr.count[g] < GROUP_NAMES) {
			gr.named[g][gr.count[g]] = ep;
			if (name_cols(ep, utf8) > longest)
				longest = name_cols(ep, utf8);
		}
		gr.count[g]++;
	}
	/*
	 * The first shape whose plain text fits (styles take no columns):
	 * every name whole, then cut a column at a time, then the same with
	 * at most 3, 2, 1 names a group, then counts.
	 */
	for (size_t k = 0; k < sizeof(max_names) / sizeof(max_names[0]); k++) {
		sh.max_names = max_names[k];
		for (sh.name_w = 0; sh.name_w == 0 || sh.name_w >= NAME_MIN_W;
		     sh.name_w = sh.name_w == 0 ? longest - 1 : sh.name_w - 1) {
			if (fits(&gr, &sh, utf8, cols))
				goto found;
			if (sh.max_names == 0)
				break;
		}
	}
	sh.max_names = 0;
found:
	render(&b, &gr, &sh, f, utf8);
	return b.n;
}

bool
statusline_parse_format(const char *s, enum statusline_format *f)
{
	if (strcmp(s, "tmux") == 0)
		*f = STATUSLINE_TMUX;
	else if (strcmp(s, "plain") == 0)
		*f = STATUSLINE_PLAIN;
	else
		return false;
	return true;
}
