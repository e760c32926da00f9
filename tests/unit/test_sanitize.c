/* Text from the network: no control character or escape survives. */
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>

#include "wsdash/sanitize.h"

static const char *
clean(const char *s, size_t len, bool utf8)
{
	static char out[256];

	sanitize_text(out, sizeof(out), s, len, utf8);
	return out;
}

#define CLEAN(s, u) clean(s, sizeof(s) - 1, u)

Test(sanitize, printable_text_passes)
{
	cr_assert_str_eq(CLEAN("workflows_update", true), "workflows_update");
	cr_assert_str_eq(CLEAN("caf\xc3\xa9 \xe2\x9c\x93", true),
	                 "caf\xc3\xa9 \xe2\x9c\x93");
	cr_assert(sanitize_is_clean("caf\xc3\xa9", 5));
}

Test(sanitize, escapes_and_controls_are_replaced)
{
	static const char *const hostile[] = {
	    "\x1b[2J\x1b[H",           /* clear screen, home */
	    "\x1b]0;pwned\x07",        /* OSC window title */
	    "\x1b[200~paste\x1b[201~", /* bracketed paste */
	    "\xc2\x9b"
	    "31m", /* 8-bit CSI (C1) */
	    "\xc2\x9d"
	    "0;t\xc2\x9c", /* 8-bit OSC .. ST */
	    "a\x00"
	    "b",            /* NUL */
	    "\x7f\x08\x0c", /* DEL, backspace, form feed */
	    "\xe2\x80\xae"
	    "evil", /* right-to-left override */
	};

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		size_t len = strlen(hostile[i]) + (i == 5 ? 2 : 0);
		const char *o = clean(hostile[i], len, true);

		cr_assert_null(strchr(o, '\x1b'), "ESC survived in case %zu",
		               i);
		cr_assert_null(strstr(o, "\xc2\x9b"), "C1 CSI survived");
		cr_assert_null(strstr(o, "\xc2\x9d"), "C1 OSC survived");
		cr_assert_null(strchr(o, '\x07'));
		cr_assert_null(strchr(o, '\x7f'));
		cr_assert_null(strchr(o, '\x08'));
		cr_assert(sanitize_is_clean(o, strlen(o)), "case %zu", i);
		cr_assert_not(sanitize_is_clean(hostile[i], len), "case %zu",
		              i);
	}
	cr_assert_str_eq(clean("a\x00"
	                       "b",
	                       3, false),
	                 "a?b");
	cr_assert_str_eq(CLEAN("line\nnext\ttab", false), "line next tab");
}

Test(sanitize, invalid_utf8_and_ascii_mode)
{
	/* overlong '/', a lone continuation byte, a surrogate, truncated */
	cr_assert_str_eq(CLEAN("\xc0\xaf", false), "??");
	cr_assert_str_eq(CLEAN("\x80x", true), "\xef\xbf\xbdx");
	cr_assert_str_eq(CLEAN("\xed\xa0\x80", false), "???");
	cr_assert_str_eq(CLEAN("ab\xe2\x9c", false), "ab??");
	cr_assert_str_eq(CLEAN("caf\xc3\xa9", false), "caf?");
}

Test(sanitize, bounded_on_character_boundary)
{
	char out[6];

	cr_assert_eq(sanitize_text(out, sizeof(out), "\xc3\xa9\xc3\xa9\xc3\xa9",
	                           6, true),
	             4);
	cr_assert_str_eq(out, "\xc3\xa9\xc3\xa9");
	cr_assert_eq(sanitize_text(out, 1, "abc", 3, true), 0);
	cr_assert_str_eq(out, "");
}

/* Columns, not bytes: multi-byte and wide names line up. */
Test(sanitize, text_fits_columns_not_bytes)
{
	char out[64];

	setlocale(LC_ALL, "C.UTF-8");
	cr_assert_eq(text_cols("routes"), 6);
	cr_assert_eq(text_cols("\xc3\xa9t\xc3\xa9"), 3);        /* été */
	cr_assert_eq(text_cols("\xe3\x83\xaf\xe3\x83\xbc"), 4); /* ワー */
	text_fit(out, sizeof(out), "\xc3\xa9t\xc3\xa9", 5);
	cr_assert_str_eq(out, "\xc3\xa9t\xc3\xa9  ");
	/* cut on a character boundary: a wide one that does not fit goes */
	text_fit(out, sizeof(out), "\xe3\x83\xaf\xe3\x83\xbc", 3);
	cr_assert_str_eq(out, "\xe3\x83\xaf ");
	cr_assert_eq(text_cols(out), 3);
}

Test(sanitize, cut_text_ends_in_an_ellipsis)
{
	char out[64];

	setlocale(LC_ALL, "C.UTF-8");
	text_cut(out, sizeof(out), "workflow-history", 16, true);
	cr_assert_str_eq(out, "workflow-history"); /* fits: unchanged */
	text_cut(out, sizeof(out), "workflow-history", 10, true);
	cr_assert_str_eq(out, "workflow-\u2026");
	cr_assert_eq(text_cols(out), 10);
	text_cut(out, sizeof(out), "workflow-history", 10, false);
	cr_assert_str_eq(out, "workflo...");
	/* wide characters: never more columns than asked, never half one */
	text_cut(out, sizeof(out), "\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\xaf", 4,
	         true);
	cr_assert_str_eq(out, "\xe3\x83\xaf\u2026");
	cr_assert_leq(text_cols(out), 4);
	/* too narrow for the ellipsis: a plain cut */
	text_cut(out, sizeof(out), "routes", 2, false);
	cr_assert_str_eq(out, "ro");
	text_cut(out, sizeof(out), "routes", 0, true);
	cr_assert_str_eq(out, "");
	/* the output buffer bounds it too */
	text_cut(out, 4, "workflow-history", 10, false);
	cr_assert_eq(strlen(out), 3);
}

Test(sanitize, urls_keep_host_and_the_end_of_the_path)
{
	char out[128];
	const char *u = "ws://127.0.0.1:46397/api/v1/ws/workflow-history";

	setlocale(LC_ALL, "C.UTF-8");
	text_cut_url(out, sizeof(out), u, 80, true);
	cr_assert_str_eq(out, u);
	text_cut_url(out, sizeof(out), u, 40, true);
	/* cut at a path separator when one is near */
	cr_assert_str_eq(out, "ws://127.0.0.1:46397/\u2026/workflow-history");
	cr_assert_eq(text_cols(out), 39);
	text_cut_url(out, sizeof(out), u, 44, true);
	cr_assert_str_eq(out,
	                 "ws://127.0.0.1:46397/\u2026/ws/workflow-history");
	text_cut_url(out, sizeof(out), u, 40, false);
	cr_assert_str_eq(out, "ws://127.0.0.1:46397/...workflow-history");
	/* the host does not fit with 8 columns of path: both ends kept */
	text_cut_url(out, sizeof(out), u, 20, true);
	cr_assert_eq(text_cols(out), 20, "%s", out);
	cr_assert(strncmp(out, "ws://127.", 9) == 0, "%s", out);
	cr_assert(strstr(out, "history"), "%s", out);
	/* every width from 1 up: never wider than asked */
	for (int c = 1; c < 50; c++) {
		text_cut_url(out, sizeof(out), u, c, true);
		cr_assert_leq(text_cols(out), c, "%d: %s", c, out);
		cr_assert(strstr(out, c > 3 ? "y" : "w"), "%d: %s", c, out);
	}
}

Test(sanitize, wrap_breaks_at_spaces_within_the_width)
{
	const char *s = "404 Not Found on upgrade: the path does not exist",
	           *next;
	size_t n;

	setlocale(LC_ALL, "C.UTF-8");
	n = text_wrap(s, 20, &next);
	cr_assert_eq(n, strlen("404 Not Found on"));
	cr_assert_str_eq(next, "upgrade: the path does not exist");
	n = text_wrap(next, 20, &next);
	cr_assert_eq(n, strlen("upgrade: the path"));
	n = text_wrap(next, 20, &next);
	cr_assert_eq(n, strlen("does not exist"));
	cr_assert_str_eq(next, "");
	cr_assert_eq(text_wrap(next, 20, &next), 0);
	/* a word longer than the line is cut inside */
	n = text_wrap("abcdefghij klm", 4, &next);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(next, "efghij klm");
	/* wide characters count two columns */
	n = text_wrap("\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\xaf", 4, &next);
	cr_assert_eq(n, 6);
}
