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
	    "usage: wsdash [watch] [options] [ENDPOINT...]\n"
	    "       wsdash <command> [options]\n"
	    "\n"
	    "Live WebSocket endpoint status for real-time web backends.\n"
	    "\n"
	    "commands:\n"
	    "  watch     live status of every endpoint: the dashboard on a\n"
	    "            terminal, lines otherwise (the default command)\n"
	    "  check     health-check WebSocket endpoints with a real upgrade\n"
	    "  demo      the dashboard on the embedded demo backend\n"
	    "  serve     run the embedded demo backend (WebSocket streams,\n"
	    "            /api polling endpoints, a control API)\n"
	    "\n"
	    "  wsdash <command> --help   options of one command\n"
	    "  wsdash --version          print the version\n",
	    f);
}

static int
cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	char err[256];

	serve_opts_default(&o);
	switch (serve_opts_parse(&o, argc, argv, err, sizeof(err))) {
	case SERVE_PARSE_HELP:
		serve_usage(stdout);
		return CLI_EXIT_OK;
	case SERVE_PARSE_ERR:
		cli_error(argv[0], "%s", err);
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

	cli_guard_std_fds();
	if (cmd == NULL)
		return watch_main(argc, argv); /* watch is the default */
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
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "demo") == 0)
		return demo_main(argc - 1, argv + 1);
	/* options or URLs without a command: watch, the default */
	if (cmd[0] == '-' || strstr(cmd, "://") != NULL)
		return watch_main(argc, argv);
	cli_error(NULL, "unknown command '%s' (try 'wsdash --help')", cmd);
	return CLI_EXIT_USAGE;
}
