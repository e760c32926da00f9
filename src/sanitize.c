/*
 * sanitize.c: a strict UTF-8 decoder that keeps printable characters and
 * replaces the rest. Decoding is done by hand because the point is to judge
 * every byte: overlongs, surrogates and code points above U+10FFFF are
 * invalid, and C1 controls (U+0080..U+009F) are dropped like C0 ones, since
 * some terminals act on them.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "wsdash/sanitize.h"

/*
 * Decode one UTF-8 character at s (n bytes available). Returns its length,
 * or 0 if invalid; the code point goes to *cp.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

static bool
is_control(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       cp == 0x2028 || cp == 0x2029 ||   /* line/paragraph separators */
	       (cp >= 0x202a && cp <= 0x202e) || /* bidi overrides */
	       (cp >= 0x2066 && cp <= 0x2069);
}

size_t
sanitize_text(char *dst, size_t cap, const char *src, size_t srclen, bool utf8)
{
	static const char repl[] = "\xEF\xBF\xBD";
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;

	if (cap == 0)
		return 0;
	while (i < srclen) {
		unsigned cp;
		size_t len = utf8_decode(s + i, srclen - i, &cp);
		const char *out;
		size_t outlen;
		char one;

		if (len == 0) { /* invalid byte: replace it, resync */
			len = 1;
			out = utf8 ? repl : "?";
			outlen = utf8 ? 3 : 1;
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			one = ' ';
			out = &one;
			outlen = 1;
		} else if (is_control(cp)) {
			out = utf8 ? repl : "?";
			outlen = utf8 ? 3 : 1;
		} else if (!utf8 && cp >= 0x80) {
			out = "?";
			outlen = 1;
		} else {
			out = (const char *)s + i;
			outlen = len;
		}
		if (o + outlen >= cap)
			break;
		memcpy(dst + o, out, outlen);
		o += outlen;
		i += len;
	}
	dst[o] = '\0';
	return o;
}

bool
sanitize_is_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t l = utf8_decode(u + i, len - i, &cp);

		if (l == 0 || is_control(cp))
			return false;
		i += l;
	}
	return true;
}

/* Columns of the character at s (n bytes), and its length in *len. */
static int
char_cols(const char *s, size_t n, size_t *len)
{
	unsigned cp;
	size_t l = utf8_decode((const unsigned char *)s, n, &cp);
	int w;

	*len = l ? l : 1;
	if (l == 0)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int
text_cols(const char *s)
{
	size_t n = strlen(s), len;
	int cols = 0;

	while (n > 0) {
		cols += char_cols(s, n, &len);
		s += len;
		n -= len;
	}
	return cols;
}

void
text_fit(char *out, size_t len, const char *s, int cols)
{
	size_t n = strlen(s), o = 0, cl;
	int used = 0;

	while (n > 0) {
		int w = char_cols(s, n, &cl);

		if (used + w > cols || o + cl + 1 > len)
			break;
		memcpy(out + o, s, cl);
		o += cl;
		used += w;
		s += cl;
		n -= cl;
	}
	while (used < cols && o + 2 <= len) {
		out[o++] = ' ';
		used++;
	}
	out[o] = '\0';
}

/* Bytes of s that fit in cols columns (whole characters); *used: columns. */
static size_t
fit_prefix(const char *s, int cols, int *used)
{
	size_t n = strlen(s), o = 0, cl;

	*used = 0;
	while (o < n) {
		int w = char_cols(s + o, n - o, &cl);

		if (*used + w > cols)
			break;
		*used += w;
		o += cl;
	}
	return o;
}

/* Byte offset in s where its last cols columns (at most) begin. */
static size_t
fit_suffix(const char *s, int cols)
{
	size_t n = strlen(s), start = n;
	int used = 0;

	/* walk forward, remembering character starts, then count back */
	while (start > 0) {
		size_t p = start - 1, cl;
		int w;

		while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
			p--;
		w = char_cols(s + p, n - p, &cl);
		if (p + cl != start) /* invalid UTF-8: one byte at a time */
			p = start - 1, w = 1;
		if (used + w > cols)
			break;
		used += w;
		start = p;
	}
	return start;
}

static void
put(char *out, size_t len, size_t *o, const char *s, size_t n)
{
	if (*o + n + 1 > len)
		n = len - 1 - *o;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
}

void
text_cut(char *out, size_t len, const char *s, int cols, bool utf8)
{
	const char *ell = utf8 ? "\u2026" : "...";
	int ell_cols = utf8 ? 1 : 3, used;
	size_t o = 0, n;

	if (len == 0)
		return;
	out[0] = '\0';
	if (cols <= 0)
		return;
	if (text_cols(s) <= cols) {
		put(out, len, &o, s, strlen(s));
		return;
	}
	if (cols <= ell_cols) { /* no room for an ellipsis: a plain cut */
		put(out, len, &o, s, fit_prefix(s, cols, &used));
		return;
	}
	n = fit_prefix(s, cols - ell_cols, &used);
	put(out, len, &o, s, n);
	put(out, len, &o, ell, strlen(ell));
}

void
text_cut_url(char *out, size_t len, const char *url, int cols, bool utf8)
{
	const char *ell = utf8 ? "\u2026" : "...";
	int ell_cols = utf8 ? 1 : 3, head_cols, used;
	const char *sep = strstr(url, "://"), *path;
	size_t o = 0, head, tail;

	if (len == 0)
		return;
	out[0] = '\0';
	if (cols <= 0)
		return;
	if (text_cols(url) <= cols) {
		put(out, len, &o, url, strlen(url));
		return;
	}
	if (cols <= ell_cols + 2) {
		text_cut(out, len, url, cols, utf8);
		return;
	}
	path = sep ? strchr(sep + 3, '/') : NULL;
	head = path ? (size_t)(path - url) + 1 : 0; /* through the '/' */
	head_cols = (int)head; /* scheme and host are ASCII (url.c) */
	/* keep the whole host when at least 8 columns of the path's end fit */
	if (head == 0 || head_cols + ell_cols + 8 > cols) {
		head = fit_prefix(url, (cols - ell_cols) / 2, &used);
		head_cols = used;
	}
	tail = fit_suffix(url + head, cols - ell_cols - head_cols);
	if (path != NULL && head == (size_t)(path - url) + 1 &&
	    url[head + tail] != '/') {
		/* whole path segments read better: "…/workflow-history" */
		const char *slash = strchr(url + head + tail, '/');

		if (slash != NULL && text_cols(slash) >= 8)
			tail = (size_t)(slash - (url + head));
	}
	put(out, len, &o, url, head);
	put(out, len, &o, ell, strlen(ell));
	put(out, len, &o, url + head + tail, strlen(url + head + tail));
}

const char *
text_last_cols(const char *s, int cols)
{
	return s + fit_suffix(s, cols > 0 ? cols : 0);
}

size_t
text_wrap(const char *s, int cols, const char **next)
{
	size_t n = strlen(s), fit, brk;
	int used;

	if (n == 0) {
		*next = s;
		return 0;
	}
	fit = fit_prefix(s, cols > 0 ? cols : 1, &used);
	if (fit == 0) /* one character wider than the line */
		fit = 1;
	if (fit >= n) {
		*next = s + n;
		return n;
	}
	brk = fit;
	if (s[fit] != ' ') {
		while (brk > 0 && s[brk - 1] != ' ')
			brk--;
		if (brk == 0) /* a word longer than the line: cut inside */
			brk = fit;
	}
	*next = s + brk;
	while (**next == ' ')
		(*next)++;
	while (brk > 0 && s[brk - 1] == ' ')
		brk--;
	return brk;
}
