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
	    "options:\n"
	    "  --init [FILE]      write the starter file (see above)\n"
	    "and the ones check and watch share, which it shows the effect\n"
	    "of:\n"
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

/* {"value": v, "source": src} under key in o. */
static void
add_sourced(cJSON *o, const char *key, cJSON *v, const char *src)
{
	cJSON *e = cJSON_AddObjectToObject(o, key);

	cJSON_AddItemToObject(e, "value", v);
	cJSON_AddStringToObject(e, "source", src);
}

#define INT_ROW(name, field)                                  \
	add_sourced(defs, name, cJSON_CreateNumber(c->field), \
	            source(c->field != f->field, f->field != d->field, false))

/*
 * The effective configuration and the source of each part, as a document:
 * printed as is with --json, as aligned text otherwise.
 */
static cJSON *
describe(const struct config *d, const struct config *f, const struct config *c,
         const char *file, const char *found, const char *backend_port)
{
	char u[URL_HOST_MAX + URL_PATH_MAX + 16], p[URL_HOST_MAX + 64];
	cJSON *root = cJSON_CreateObject(), *defs, *eps;

	if (found != NULL) {
		cJSON_AddStringToObject(root, "config_file", file);
		cJSON_AddStringToObject(root, "found", found);
	} else {
		cJSON_AddNullToObject(root, "config_file");
	}
	url_format(&c->server, u, sizeof(u));
	add_sourced(root, "server", cJSON_CreateString(u),
	            source(c->server_locked,
	                   strcmp(f->server.host, d->server.host) != 0 ||
	                       f->server.port != d->server.port ||
	                       strcmp(f->server.path, d->server.path) != 0,
	                   backend_port != NULL && backend_port[0] != '\0'));
	defs = cJSON_AddObjectToObject(root, "defaults");
	INT_ROW("timeout_ms", timeout_ms);
	INT_ROW("poll_interval_ms", poll_interval_ms);
	INT_ROW("ping_interval_ms", ping_interval_ms);
	INT_ROW("ping_timeout_ms", ping_timeout_ms);
	INT_ROW("retry_base_ms", retry_base_ms);
	INT_ROW("max_silence_ms", max_silence_ms);
	INT_ROW("max_message", max_message);
	add_sourced(
	    defs, "ping",
	    cJSON_CreateString(c->ping == PING_JSON ? "json" : "protocol"),
	    source(c->ping != f->ping, f->ping != d->ping, false));
	add_sourced(defs, "insecure", cJSON_CreateBool(c->insecure),
	            source(c->insecure != f->insecure,
	                   f->insecure != d->insecure, false));
	if (c->origin)
		cJSON_AddStringToObject(defs, "origin", c->origin);
	if (c->subprotocol)
		cJSON_AddStringToObject(defs, "subprotocol", c->subprotocol);
	if (c->cacert)
		cJSON_AddStringToObject(defs, "cacert", c->cacert);
	if (c->nheaders) {
		cJSON *h = cJSON_AddObjectToObject(defs, "headers");

		for (size_t i = 0; i < c->nheaders; i++)
			cJSON_AddStringToObject(h, c->headers[i].name,
			                        config_redacted);
	}
	if (c->default_set) {
		cJSON_AddStringToObject(root, "endpoints", "default set");
		return root;
	}
	cJSON_AddStringToObject(
	    root, "endpoints_source",
	    f->neps == c->neps && f->neps > 0 ? "config file" : "command line");
	eps = cJSON_AddArrayToObject(root, "endpoints");
	for (size_t i = 0; i < c->neps; i++) {
		const struct endpoint_cfg *e = &c->eps[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", e->name);
		url_format(&e->ws, u, sizeof(u));
		cJSON_AddStringToObject(o, "url", u);
		if (e->has_poll) {
			url_format(&e->poll, p, sizeof(p));
			cJSON_AddStringToObject(o, "poll_url", p);
		} else {
			cJSON_AddNullToObject(o, "poll_url");
		}
		cJSON_AddBoolToObject(o, "poll_alt", e->has_poll_alt);
		cJSON_AddBoolToObject(o, "required", e->required);
		cJSON_AddItemToArray(eps, o);
	}
	return root;
}

/* A value of the document as text. */
static void
value_text(const cJSON *v, char *out, size_t len)
{
	if (cJSON_IsString(v))
		snprintf(out, len, "%s", v->valuestring);
	else if (cJSON_IsBool(v))
		snprintf(out, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v))
		snprintf(out, len, "%.0f", v->valuedouble);
	else
		snprintf(out, len, "null");
}

static void
print_text(const cJSON *doc)
{
	const cJSON *file = cJSON_GetObjectItem(doc, "config_file");
	const cJSON *server = cJSON_GetObjectItem(doc, "server");
	const cJSON *eps = cJSON_GetObjectItem(doc, "endpoints"), *e;
	char v[URL_HOST_MAX + URL_PATH_MAX + 16];

	if (cJSON_IsString(file))
		printf("config file: %s (found: %s)\n", file->valuestring,
		       cJSON_GetObjectItem(doc, "found")->valuestring);
	else
		printf("config file: none (looked for $WSDASH_CONFIG, "
		       "./wsdash.json, "
		       "$XDG_CONFIG_HOME/wsdash/config.json)\n");
	value_text(cJSON_GetObjectItem(server, "value"), v, sizeof(v));
	printf("server:      %s (%s)\n", v,
	       cJSON_GetObjectItem(server, "source")->valuestring);
	printf("defaults:\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "defaults"))
	{
		const cJSON *src = cJSON_GetObjectItem(e, "source");

		if (cJSON_IsObject(e) && src != NULL) {
			value_text(cJSON_GetObjectItem(e, "value"), v,
			           sizeof(v));
			printf("  %-18s %-10s (%s)\n", e->string, v,
			       src->valuestring);
		} else if (cJSON_IsObject(e)) { /* headers */
			const cJSON *h;
			bool first = true;

			cJSON_ArrayForEach(h, e)
			{
				printf("  %-18s %s: %s\n",
				       first ? e->string : "", h->string,
				       h->valuestring);
				first = false;
			}
		} else {
			value_text(e, v, sizeof(v));
			printf("  %-18s %s\n", e->string, v);
		}
	}
	if (cJSON_IsString(eps)) {
		printf("endpoints:   the default set; its layout "
		       "(/api/v1/ws/NAME or /ws/NAME) is chosen when "
		       "connecting\n");
		return;
	}
	printf("endpoints:   %d (%s)\n", cJSON_GetArraySize(eps),
	       cJSON_GetObjectItem(doc, "endpoints_source")->valuestring);
	cJSON_ArrayForEach(e, eps)
	{
		const cJSON *poll = cJSON_GetObjectItem(e, "poll_url");

		printf("  %-18s %s  poll %s%s%s\n",
		       cJSON_GetObjectItem(e, "name")->valuestring,
		       cJSON_GetObjectItem(e, "url")->valuestring,
		       cJSON_IsString(poll) ? poll->valuestring : "none",
		       cJSON_IsTrue(cJSON_GetObjectItem(e, "poll_alt"))
		           ? " (or the path without /api)"
		           : "",
		       cJSON_IsTrue(cJSON_GetObjectItem(e, "required"))
		           ? ""
		           : "  (optional)");
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
	cJSON *doc;

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
	doc = describe(&d, &f, &c, path, found, bp);
	if (cl.json) {
		char *text = cJSON_PrintUnformatted(doc);

		if (text != NULL)
			printf("%s\n", text);
		free(text);
	} else {
		print_text(doc);
	}
	cJSON_Delete(doc);
	config_free(&d);
	config_free(&f);
	config_free(&c);
	return rc;
}
