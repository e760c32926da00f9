/*
 * config_cmd.c: `wsdash config`: the configuration check and watch would
 * use, and where each part of it came from (built in, BACKEND_PORT, the
 * config file, the command line); `wsdash config --init [FILE]` writes a
 * commented starter file for the server named with --server (or the
 * default one), with the endpoints that server serves.
 *
 * Sources are found by building the configuration three times: built-in
 * defaults only, defaults plus the file, and the whole command line; a
 * value that differs from the stage before came from that stage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "wsdash/cli.h"
#include "wsdash/cmdline.h"
#include "wsdash/config.h"
#include "wsdash/config_cmd.h"
#include "wsdash/layout.h"

enum { OPT_INIT = OPT_COMMON_LAST };

void
config_cmd_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: wsdash config [options]\n"
	    "       wsdash config --init [FILE] [--server URL]\n"
	    "\n"
	    "Print the configuration check and watch would use, and where\n"
	    "each part comes from. The config file is the first found of:\n"
	    "--config FILE, $WSDASH_CONFIG, ./wsdash.json,\n"
	    "$XDG_CONFIG_HOME/wsdash/config.json (~/.config if unset).\n"
	    "\n"
	    "--init [FILE] writes a commented starter (default ./wsdash.json,\n"
	    "never over an existing file) with the endpoints the server\n"
	    "(--server, else http://localhost:$BACKEND_PORT) serves.\n"
	    "\n"
	    "options: the shared ones of check and watch:\n"
	    "%s"
	    "  -h, --help         show this help\n",
	    cmdline_common_help);
}

/* Where a value came from, comparing the three stages. */
static const char *
source(bool by_cli, bool by_file, bool by_env)
{
	return by_cli    ? "command line"
	       : by_file ? "config file"
	       : by_env  ? "environment"
	                 : "built in";
}

#define INT_ROW(name, field)                           \
	printf("  %-18s %-10d (%s)\n", name, c->field, \
	       source(c->field != f->field, f->field != d->field, false))

static void
print_config(const struct config *d, const struct config *f,
             const struct config *c, const char *file, const char *found,
             const char *backend_port)
{
	char u[URL_HOST_MAX + URL_PATH_MAX + 16], p[URL_HOST_MAX + 64];

	if (found != NULL)
		printf("config file: %s (found: %s)\n", file, found);
	else
		printf("config file: none (looked for $WSDASH_CONFIG, "
		       "./wsdash.json, ~/.config/wsdash/config.json)\n");
	url_format(&c->server, u, sizeof(u));
	printf("server:      %s (%s)\n", u,
	       source(c->server_locked,
	              strcmp(f->server.host, d->server.host) != 0 ||
	                  f->server.port != d->server.port ||
	                  strcmp(f->server.path, d->server.path) != 0,
	              backend_port != NULL && backend_port[0] != '\0'));
	printf("defaults:\n");
	INT_ROW("timeout_ms", timeout_ms);
	INT_ROW("poll_interval_ms", poll_interval_ms);
	INT_ROW("ping_interval_ms", ping_interval_ms);
	INT_ROW("ping_timeout_ms", ping_timeout_ms);
	INT_ROW("retry_base_ms", retry_base_ms);
	INT_ROW("max_silence_ms", max_silence_ms);
	printf("  %-18s %-10zu (%s)\n", "max_message", c->max_message,
	       source(c->max_message != f->max_message,
	              f->max_message != d->max_message, false));
	printf("  %-18s %-10s (%s)\n", "ping",
	       c->ping == PING_JSON ? "json" : "protocol",
	       source(c->ping != f->ping, f->ping != d->ping, false));
	printf("  %-18s %-10s (%s)\n", "insecure",
	       c->insecure ? "true" : "false",
	       source(c->insecure != f->insecure, f->insecure != d->insecure,
	              false));
	if (c->origin)
		printf("  %-18s %s\n", "origin", c->origin);
	if (c->subprotocol)
		printf("  %-18s %s\n", "subprotocol", c->subprotocol);
	if (c->cacert)
		printf("  %-18s %s\n", "cacert", c->cacert);
	for (size_t i = 0; i < c->nheaders; i++)
		printf("  %-18s %s: %s\n", i ? "" : "headers",
		       c->headers[i].name, config_redacted);
	if (c->default_set) {
		printf("endpoints:   the default set; its layout "
		       "(/api/v1/ws/NAME or /ws/NAME) is chosen when "
		       "connecting\n");
		return;
	}
	printf("endpoints:   %zu (%s)\n", c->neps,
	       f->neps == c->neps && f->neps > 0 ? "config file"
	                                         : "command line");
	for (size_t i = 0; i < c->neps; i++) {
		const struct endpoint_cfg *e = &c->eps[i];

		url_format(&e->ws, u, sizeof(u));
		if (e->has_poll)
			url_format(&e->poll, p, sizeof(p));
		printf("  %-18s %s  poll %s%s%s\n", e->name, u,
		       e->has_poll ? p : "none",
		       e->has_poll_alt ? " (or the path without /api)" : "",
		       e->required ? "" : "  (optional)");
	}
}

/* The starter file for c's server (layout detected). */
static char *
starter(struct config *c)
{
	cJSON *root = cJSON_CreateObject(), *d, *eps;
	char u[URL_HOST_MAX + URL_PATH_MAX + 16], err[256];
	char *out;

	if (c->default_set &&
	    !layout_resolve(c, c->timeout_ms, err, sizeof(err)))
		c->default_set = false;
	url_format(&c->server, u, sizeof(u));
	cJSON_AddStringToObject(
	    root, "//",
	    "wsdash configuration (written by wsdash config "
	    "--init). Every key is optional except "
	    "endpoints[].url; keys starting with // are "
	    "comments. See 'man wsdash' or docs/config.md.");
	cJSON_AddStringToObject(root, "server", u);
	d = cJSON_AddObjectToObject(root, "defaults");
	cJSON_AddStringToObject(d, "//",
	                        "times in ms; headers go with every handshake "
	                        "(their values are never printed)");
	cJSON_AddNumberToObject(d, "timeout_ms", c->timeout_ms);
	cJSON_AddNumberToObject(d, "poll_interval_ms", c->poll_interval_ms);
	cJSON_AddNumberToObject(d, "ping_interval_ms", c->ping_interval_ms);
	cJSON_AddNumberToObject(d, "ping_timeout_ms", c->ping_timeout_ms);
	cJSON_AddNumberToObject(d, "retry_base_ms", c->retry_base_ms);
	cJSON_AddNumberToObject(d, "max_silence_ms", 0);
	cJSON_AddObjectToObject(d, "headers");
	eps = cJSON_AddArrayToObject(root, "endpoints");
	if (c->layout[0])
		cJSON_AddStringToObject(root, "//layout", c->layout);
	for (size_t i = 0; i < c->neps; i++) {
		const struct endpoint_cfg *e = &c->eps[i];
		cJSON *o = cJSON_CreateObject(), *t;

		cJSON_AddStringToObject(o, "name", e->name);
		snprintf(u, sizeof(u), "%s", e->ws.path);
		cJSON_AddStringToObject(o, "url", u);
		if (e->has_poll && !e->has_poll_alt)
			cJSON_AddStringToObject(o, "poll_url", e->poll.path);
		else if (!e->has_poll)
			cJSON_AddNullToObject(o, "poll_url");
		cJSON_AddBoolToObject(o, "required", e->required);
		if (e->ntypes) {
			t = cJSON_AddArrayToObject(o, "types");
			for (size_t k = 0; k < e->ntypes; k++)
				cJSON_AddItemToArray(
				    t, cJSON_CreateString(e->types[k]));
		}
		cJSON_AddItemToArray(eps, o);
	}
	out = cJSON_Print(root);
	cJSON_Delete(root);
	return out;
}

/* Write text to path, which must not exist yet. */
static int
write_new(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	size_t n = strlen(text);

	if (fd < 0) {
		cli_error("config", "%s: %s%s", path, strerror(errno),
		          errno == EEXIST ? " (remove it, or name another file)"
		                          : "");
		return CLI_EXIT_USAGE;
	}
	if (write(fd, text, n) != (ssize_t)n || write(fd, "\n", 1) != 1) {
		cli_error("config", "%s: %s", path, strerror(errno));
		close(fd);
		return CLI_EXIT_FAIL;
	}
	close(fd);
	printf("wrote %s\n", path);
	return CLI_EXIT_OK;
}

int
config_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CMDLINE_COMMON_LONGOPTS,
	    {"init", no_argument, NULL, OPT_INIT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cmdline cl = {0};
	struct config d, f, c;
	const char *bp = getenv("BACKEND_PORT"), *found;
	char err[768], path[1024];
	bool init = false;
	int opt, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hkH:", longopts, NULL)) != -1) {
		switch (cmdline_common(&cl, opt, optarg, err, sizeof(err))) {
		case 1:
			continue;
		case -1:
			cli_error("config", "%s", err);
			return CLI_EXIT_USAGE;
		}
		if (opt == OPT_INIT) {
			init = true;
		} else if (opt == 'h') {
			config_cmd_usage(stdout);
			return CLI_EXIT_OK;
		} else {
			cmdline_getopt_error(opt, argv, longopts, err,
			                     sizeof(err));
			cli_error("config", "%s (try 'wsdash config --help')",
			          err);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc - (init ? 1 : 0)) {
		cli_error("config", "unexpected argument '%s'", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!cmdline_config(&cl, NULL, 0, bp, &c, err, sizeof(err))) {
		cli_error("config", "%s", err);
		config_free(&c);
		return CLI_EXIT_USAGE;
	}
	if (init) {
		char *text = starter(&c);

		rc = text ? write_new(optind < argc ? argv[optind]
		                                    : "wsdash.json",
		                      text)
		          : CLI_EXIT_FAIL;
		free(text);
		config_free(&c);
		return rc;
	}
	/* the stages before the command line, for the sources */
	config_init(&d, bp);
	config_init(&f, bp);
	found = cmdline_find_config(&cl, path, sizeof(path));
	if (found != NULL && !config_load_file(&f, path, err, sizeof(err)))
		rc = CLI_EXIT_USAGE; /* (cmdline_config read it fine) */
	print_config(&d, &f, &c, path, found, bp);
	config_free(&d);
	config_free(&f);
	config_free(&c);
	return rc;
}
