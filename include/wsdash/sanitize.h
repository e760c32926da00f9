/*
 * sanitize: make text from the network safe to show. Everything a server
 * sends (headers, message fields, close reasons) passes through here before
 * it reaches a terminal, a log line or the dashboard: control characters
 * (C0, DEL and the 8-bit C1 range, so no ESC, CSI or OSC sequence survives)
 * become U+FFFD or '?', invalid UTF-8 too, and the result is bounded.
 */
#ifndef WSDASH_SANITIZE_H
#define WSDASH_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copy src (srclen bytes, not necessarily terminated) into dst (cap bytes,
 * always terminated), replacing every control character and every invalid
 * UTF-8 sequence: with "\xEF\xBF\xBD" (U+FFFD) when utf8 is true, with '?'
 * otherwise (non-ASCII printable characters also become '?' then). Tabs and
 * newlines become spaces. Truncates on a character boundary. Returns the
 * length written.
 */
size_t sanitize_text(char *dst, size_t cap, const char *src, size_t srclen,
                     bool utf8);

/* True if s (len bytes) would pass sanitize_text() unchanged. */
bool sanitize_is_clean(const char *s, size_t len);

/*
 * Columns that clean UTF-8 text s takes on a terminal: wcwidth() of each
 * character in a UTF-8 locale (CJK takes two), one per code point
 * otherwise.
 */
int text_cols(const char *s);

/*
 * s fitted to exactly cols columns into out (len bytes): cut on a
 * character boundary if longer, padded with spaces if shorter.
 */
void text_fit(char *out, size_t len, const char *s, int cols);

/*
 * s in at most cols columns into out (len bytes): unchanged if it fits,
 * else cut on a character boundary and ended with an ellipsis ("\u2026"
 * when utf8, "..." otherwise), so a cut never passes for the whole text.
 */
void text_cut(char *out, size_t len, const char *s, int cols, bool utf8);

/*
 * A URL in at most cols columns: unchanged if it fits, else shortened in the
 * middle, keeping scheme and host:port and as much of the end of the path as
 * fits ("ws://host:8000/\u2026/ws/workflow-history"); when even the host
 * does not fit, its start and the path's end around the ellipsis.
 */
void text_cut_url(char *out, size_t len, const char *url, int cols, bool utf8);

/* Where the last cols columns of s begin (whole characters). */
const char *text_last_cols(const char *s, int cols);

/*
 * The next line of s wrapped at cols columns: the number of bytes of s
 * that go on it (breaking after the last space that fits, or inside a word
 * longer than the line); *next is where the following line starts (spaces
 * at the break skipped). 0 when s is empty.
 */
size_t text_wrap(const char *s, int cols, const char **next);

#endif
