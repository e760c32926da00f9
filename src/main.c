/*
 * main.c: the `wsdash` program. Picks the subcommand and hands argv to it;
 * every subcommand parses its own options. Usage errors print one line on
 * stderr and exit 2.
 */
#include <stdio.h>
#include <string.h>

#include "wsdash/check.h"
#include "wsdash/cli.h"
#include "wsdash/serve.h"
#include "wsdash/version.h"
#include "wsdash/watch.h"

static void
usage(FILE *f)
{
	fputs(
	    "usage: wsdash <command> [options]\n"
	    "\n"
	    "Live WebSocket endpoint status for real-time web backends.\n"
	    "\n"
	    "commands:\n"
	    "  check     health-check WebSocket endpoints with a real upgrade\n"
	    "  serve     run the embedded demo backend (WebSocket streams,\n"
	    "            /api polling endpoints, a control API)\n"
	    "  demo      the demo backend with its outages scenario\n"
	    "\n"
	    "  wsdash <command> --help   options of one command\n"
	    "  wsdash --version          print the version\n",
	    f);
}

static int
cmd_serve(int argc, char **argv, enum scenario_mode mode)
{
	struct serve_opts o;
	char err[256];

	serve_opts_default(&o);
	o.scenario = mode;
	switch (serve_opts_parse(&o, argc, argv, err, sizeof(err))) {
	case SERVE_PARSE_HELP:
		serve_usage(stdout);
		return CLI_EXIT_OK;
	case SERVE_PARSE_ERR:
		fprintf(stderr, "wsdash %s: %s\n", argv[0], err);
		return CLI_EXIT_USAGE;
	case SERVE_PARSE_OK:
		break;
	}
	return serve_run(&o);
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd == NULL) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("wsdash %s\n", WSDASH_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(cmd, "watch") == 0)
		return watch_main(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return check_main(argc - 1, argv + 1);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 1, argv + 1, SCENARIO_STEADY);
	if (strcmp(cmd, "demo") == 0)
		return cmd_serve(argc - 1, argv + 1, SCENARIO_OUTAGES);
	if (cmd[0] == '-')
		fprintf(stderr,
		        "wsdash: unknown option '%s' (try 'wsdash "
		        "--help')\n",
		        cmd);
	else
		fprintf(stderr,
		        "wsdash: unknown command '%s' (try 'wsdash "
		        "--help')\n",
		        cmd);
	return CLI_EXIT_USAGE;
}
