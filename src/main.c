/*
 * main.c: the `wsdash` program. Picks the subcommand and hands argv to it;
 * every subcommand parses its own options. Usage errors print one line on
 * stderr and exit 2.
 */
#include <stdio.h>
#include <string.h>

#include "wsdash/check.h"
#include "wsdash/cli.h"
#include "wsdash/config_cmd.h"
#include "wsdash/exporter.h"
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
	    "  config    the configuration in use and where it comes from;\n"
	    "            --init writes a starter file\n"
	    "  exporter  watch without a screen and serve Prometheus\n"
	    "            /metrics, /probe and /healthz over HTTP\n"
	    "\n"
	    "  help [COMMAND]  this help, or the options of one command\n"
	    "  version         print the version\n",
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
		cli_error(argv[0], "%s (try 'wsdash serve --help')", err);
		return CLI_EXIT_USAGE;
	case SERVE_PARSE_OK:
		break;
	}
	return serve_run(&o);
}

/* The commands, their --help, and how they run. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
} commands[] = {
    {"watch", watch_main, watch_usage},
    {"check", check_main, check_usage},
    {"demo", demo_main, demo_usage},
    {"serve", cmd_serve, serve_usage},
    {"config", config_cmd_main, config_cmd_usage},
    {"exporter", exporter_main, exporter_usage},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
command_named(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* `wsdash help [COMMAND]` */
static int
cmd_help(const char *topic)
{
	const struct command *c = topic ? command_named(topic) : NULL;

	if (topic != NULL &&
	    (strcmp(topic, "help") == 0 || strcmp(topic, "version") == 0)) {
		usage(stdout); /* they are described there */
		return CLI_EXIT_OK;
	}
	if (topic != NULL && c == NULL) {
		cli_error(NULL,
		          "no help for '%s' (commands: watch, check, "
		          "demo, serve, config, exporter)",
		          topic);
		return CLI_EXIT_USAGE;
	}
	if (c != NULL)
		c->usage(stdout);
	else
		usage(stdout);
	return CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const char *const words[] = {"watch", "check",  "demo",
	                                    "serve", "config", "exporter",
	                                    "help",  "version"};
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const struct command *c;
	const char *hint;

	cli_guard_std_fds();
	if (cmd == NULL)
		return watch_main(argc, argv); /* watch is the default */
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
		return cmd_help(NULL);
	if (strcmp(cmd, "help") == 0)
		return cmd_help(argc > 2 ? argv[2] : NULL);
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 ||
	    strcmp(cmd, "version") == 0) {
		printf("wsdash %s\n", WSDASH_VERSION);
		return CLI_EXIT_OK;
	}
	if ((c = command_named(cmd)) != NULL)
		return c->run(argc - 1, argv + 1);
	/* options or endpoints without a command: watch, the default */
	if (cmd[0] == '-' || strstr(cmd, "://") != NULL ||
	    strchr(cmd, '/') != NULL || strchr(cmd, ':') != NULL)
		return watch_main(argc, argv);
	hint = cli_suggest(cmd, words, sizeof(words) / sizeof(words[0]));
	if (hint != NULL)
		cli_error(NULL, "unknown command '%s' (did you mean '%s'?)",
		          cmd, hint);
	else
		cli_error(NULL, "unknown command '%s' (try 'wsdash --help')",
		          cmd);
	return CLI_EXIT_USAGE;
}
