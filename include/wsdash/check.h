/*
 * check: `wsdash check`, the WebSocket health check.
 *
 * check_main() parses options, builds the endpoint set (config.h), has the
 * transport probe every endpoint at once (prober.h), then classifies,
 * reports and picks the exit code here. The report functions are pure and
 * return text, so their format is tested directly.
 */
#ifndef WSDASH_CHECK_H
#define WSDASH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "wsdash/config.h"
#include "wsdash/probe.h"

struct check_row {
	const struct endpoint_cfg *ep;
	/*
	 * Not NULL: instead of an upgrade, a plain GET of this URL (its
	 * status goes to obs.get_status); layout detection uses it.
	 */
	const struct url *get_url;
	/*
	 * check -v: the handshake request as sent (header values given with
	 * -H redacted) and the answer's status and headers, sanitized; NULL
	 * unless verbose is set. Heap copies the caller frees.
	 */
	bool verbose;
	char *dump_request, *dump_answer;
	struct probe_obs obs; /* filled by the transport */
	enum probe_class cls; /* filled by check_finish_row() */
	enum probe_result res;
	bool pass; /* ok, or reachable without --strict */
	char detail[640];
};

struct check_style {
	bool color;         /* ANSI colors */
	bool utf8;          /* UTF-8 symbols, else ASCII */
	bool strict;        /* reachable (426) fails */
	bool insecure;      /* TLS verification skipped */
	bool also_head;     /* show the HEAD status column */
	const char *layout; /* the default set's layout, and why; NULL: none */
	/*
	 * Columns to fit (stdout is a terminal), 0: no limit, one line per
	 * endpoint. When a row would not fit, every detail goes on an
	 * indented line of its own, wrapped, and long names and URLs are
	 * shortened (ellipsis; URLs in the middle).
	 */
	int width;
};

/* Classify r->obs and write its detail; hostport from r->ep. */
void check_finish_row(struct check_row *r, bool strict, bool insecure);

/* 0 if every required endpoint passes, else 1. */
int check_exit_code(const struct check_row *rows, size_t n);

/* Aligned text report with a summary line (caller frees). */
char *check_report_text(const struct check_row *rows, size_t n,
                        const struct check_style *st, double total_ms);

/* The --json document (caller frees). Header values are redacted. */
char *check_report_json(const struct check_row *rows, size_t n,
                        const struct config *c, const struct check_style *st,
                        double total_ms);

/* The `check` subcommand: argv[0] is "check". Returns the exit code. */
int check_main(int argc, char **argv);

/* `wsdash check --help`. */
void check_usage(FILE *f);

#endif
