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

#endif
