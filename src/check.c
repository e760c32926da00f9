/*
 * check.c: the `wsdash check` command: options, endpoint set, probes,
 * report, exit code. Exit 0 when every required endpoint passes, 1 when one
 * fails (optional ones only warn), 2 for usage or config errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsdash/check.h"
#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/layout.h"
#include "wsdash/cmdline.h"
#include "wsdash/prober.h"

enum { OPT_STRICT = OPT_COMMON_LAST, OPT_ALSO_HEAD };

void
check_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: wsdash check [options] [ENDPOINT...]\n"
	    "\n"
	    "Probe WebSocket endpoints with a real upgrade, all at once.\n"
	    "ENDPOINT is a ws:// or wss:// URL (http(s):// is taken as\n"
	    "ws(s)://, host:port/path as ws://); each is required unless a\n"
	    "config file says otherwise. Without any, the server's own\n"
	    "streams: /api/v1/ws/NAME and /ws/NAME are both tried and the\n"
	    "layout that answers is used (the last line says which); a\n"
	    "--server URL with a path sets the prefix instead.\n"
	    "\n"
	    "options:\n"
	    "%s"
	    "  --strict           426 Upgrade Required fails too\n"
	    "  --also-head        also send HEAD to each path and show its "
	    "status\n"
	    "  -q, --quiet        print nothing; the exit code tells\n"
	    "  -v, --verbose      each handshake on stderr, as curl -v: the\n"
	    "                     request sent ('>', -H values starred) and\n"
	    "                     the answer ('<')\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "exit status: 0 every required endpoint passed, 1 one failed,\n"
	    "2 usage or configuration error\n",
	    cmdline_common_help);
}

/* Each line of text, prefixed, to f. */
static void
print_prefixed(FILE *f, const char *prefix, const char *text)
{
	const char *l = text, *nl;

	for (; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		fprintf(f, "%s%.*s\n", prefix,
		        (int)(nl ? (size_t)(nl - l) : strlen(l)), l);
	}
}

/* check -v, as curl -v: the handshakes on stderr ('>' sent, '<' got). */
static void
print_dumps(const struct check_row *rows, size_t n)
{
	char u[URL_HOST_MAX + URL_PATH_MAX + 16];

	for (size_t i = 0; i < n; i++) {
		url_format(&rows[i].ep->ws, u, sizeof(u));
		fprintf(stderr, "* %s %s\n", rows[i].ep->name, u);
		if (rows[i].dump_request)
			print_prefixed(stderr, "> ", rows[i].dump_request);
		else
			fprintf(stderr, "* (no request sent)\n");
		if (rows[i].dump_answer)
			print_prefixed(stderr, "< ", rows[i].dump_answer);
		else
			fprintf(stderr, "* (no HTTP answer)\n");
	}
}

int
check_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CMDLINE_COMMON_LONGOPTS,
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"also-head", no_argument, NULL, OPT_ALSO_HEAD},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cmdline cl = {0};
	struct check_style st = {0};
	struct config cfg;
	struct check_row *rows;
	bool quiet = false, verbose = false;
	char err[768];
	int c, rc;
	int64_t t0;
	char *out;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvkH:", longopts, NULL)) != -1) {
		switch (cmdline_common(&cl, c, optarg, err, sizeof(err))) {
		case 1:
			continue;
		case -1:
			cli_error("check", "%s", err);
			return CLI_EXIT_USAGE;
		}
		switch (c) {
		case OPT_STRICT:
			st.strict = true;
			break;
		case OPT_ALSO_HEAD:
			st.also_head = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			check_usage(stdout);
			return CLI_EXIT_OK;
		default:
			cmdline_getopt_error(c, argv, longopts, err,
			                     sizeof(err));
			cli_error("check", "%s (try 'wsdash check --help')",
			          err);
			return CLI_EXIT_USAGE;
		}
	}
	if (!cmdline_config(&cl, argv + optind, argc - optind,
	                    getenv("BACKEND_PORT"), &cfg, err, sizeof(err))) {
		cli_error("check", "%s", err);
		config_free(&cfg);
		return CLI_EXIT_USAGE;
	}
	t0 = clock_mono_us();
	/* no endpoints given: which layout does the server speak? */
	if (!layout_resolve(&cfg, cfg.timeout_ms, err, sizeof(err))) {
		cli_error("check", "%s", err);
		config_free(&cfg);
		return CLI_EXIT_FAIL;
	}

	rows = calloc(cfg.neps ? cfg.neps : 1, sizeof(*rows));
	if (rows == NULL) {
		fprintf(stderr, "wsdash check: out of memory\n");
		config_free(&cfg);
		return CLI_EXIT_FAIL;
	}
	for (size_t i = 0; i < cfg.neps; i++) {
		rows[i].ep = &cfg.eps[i];
		rows[i].verbose = verbose;
	}
	if (prober_run(&cfg, rows, cfg.neps, st.also_head, err, sizeof(err)) <
	    0) {
		cli_error("check", "%s", err);
		free(rows);
		config_free(&cfg);
		return CLI_EXIT_USAGE;
	}
	if (verbose)
		print_dumps(rows, cfg.neps);
	st.insecure = cfg.insecure;
	st.layout = cfg.layout[0] ? cfg.layout : NULL;
	for (size_t i = 0; i < cfg.neps; i++)
		check_finish_row(&rows[i], st.strict, cfg.insecure);
	rc = check_exit_code(rows, cfg.neps);

	if (!quiet) {
		double total = (double)(clock_mono_us() - t0) / 1000.0;

		if (cl.json) {
			out =
			    check_report_json(rows, cfg.neps, &cfg, &st, total);
		} else {
			st.utf8 = cli_locale_utf8();
			st.color = !cl.no_color && isatty(1) &&
			           getenv("NO_COLOR") == NULL;
			st.width = cli_term_width(STDOUT_FILENO);
			out = check_report_text(rows, cfg.neps, &st, total);
		}
		if (out != NULL) {
			fputs(out, stdout);
			if (cl.json)
				fputc('\n', stdout);
		}
		free(out);
	}
	for (size_t i = 0; i < cfg.neps; i++) {
		free(rows[i].dump_request);
		free(rows[i].dump_answer);
	}
	free(rows);
	config_free(&cfg);
	return rc;
}
