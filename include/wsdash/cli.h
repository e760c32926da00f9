/*
 * cli: small helpers shared by the subcommands' option parsers. Pure: they
 * write a one-line message into the caller's buffer instead of printing, so
 * the parsers can be tested and the program decides where errors go.
 */
#ifndef WSDASH_CLI_H
#define WSDASH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes shared by every subcommand. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,  /* the check failed / a runtime failure */
	CLI_EXIT_USAGE = 2, /* bad command line or configuration */
};

/*
 * Parse a whole decimal integer in [lo, hi] from s into *out. On error
 * returns false and writes "OPT: ..." (naming opt) into err.
 */
bool cli_parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi,
                   int64_t *out, char *err, size_t errlen);

/* Same for a finite floating-point number in [lo, hi]. */
bool cli_parse_double(const char *opt, const char *s, double lo, double hi,
                      double *out, char *err, size_t errlen);

/*
 * Parse an unsigned 64-bit integer (decimal or 0x hex), e.g. a seed.
 */
bool cli_parse_u64(const char *opt, const char *s, uint64_t *out, char *err,
                   size_t errlen);

/*
 * Set the locale from the environment (LC_ALL/LC_CTYPE/LANG) and say
 * whether it is UTF-8: the choice between Unicode and ASCII output.
 */
bool cli_locale_utf8(void);

/*
 * The width of the terminal on fd (TIOCGWINSZ, else $COLUMNS), 0 when fd
 * is not a terminal: output to pipes and files is never fitted.
 */
int cli_term_width(int fd);

/*
 * Called first thing in main(): a closed stdin, stdout or stderr is opened
 * on /dev/null, so that no file or socket opened later takes its number
 * (and no output meant for stdout lands in it). cli_stdout_closed() tells
 * whether stdout was closed, for commands whose output is the point.
 */
void cli_guard_std_fds(void);
bool cli_stdout_closed(void);

/*
 * Print "wsdash CMD: MESSAGE" (cmd may be NULL: "wsdash: MESSAGE") as one
 * line on stderr. The message often quotes what the user typed or a config
 * file held: control characters, escape sequences, bidi overrides and
 * broken UTF-8 (a %.60s cut in mid-character) are replaced before it
 * reaches the terminal.
 */
void cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The candidate closest to word (edit distance at most 2, or word a
 * prefix of exactly one candidate), or NULL: the "did you mean" of a
 * mistyped command or option.
 */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);

#endif
