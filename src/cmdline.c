/*
 * cmdline.c: shared options of `check` and `watch`; see cmdline.h. The order
 * of precedence is defaults < config file < command line, whatever the order
 * of the options on the line, so the line is parsed first and applied last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wsdash/cli.h"
#include "wsdash/cmdline.h"

const char cmdline_common_help[] =
    "  --server URL       backend for the default endpoints (default\n"
    "                     http://localhost:$BACKEND_PORT, port 8000 if unset)\n"
    "  --config FILE      endpoints and defaults from a JSON file (README)\n"
    "  --timeout MS       handshake timeout per endpoint (default 3000)\n"
    "  -H, --header 'Name: value'\n"
    "                     extra handshake header, repeatable; values are\n"
    "                     never printed\n"
    "  --origin URL       Origin header to send\n"
    "  --subprotocol P    Sec-WebSocket-Protocol to ask for\n"
    "  --cacert FILE      trust this CA bundle for wss:// (PEM)\n"
    "  -k, --insecure     do not verify TLS certificates (flagged in output)\n"
    "  --no-color         no colors (also when NO_COLOR is set)\n"
    "  --json             machine-readable output\n";

int
cmdline_common(struct cmdline *cl, int opt, const char *arg, char *err,
               size_t errlen)
{
	int64_t v;

	switch (opt) {
	case OPT_SERVER:
		cl->server = arg;
		return 1;
	case OPT_CONFIG:
		cl->config_path = arg;
		return 1;
	case OPT_TIMEOUT:
		if (!cli_parse_i64("--timeout", arg, 1, 600000, &v, err,
		                   errlen))
			return -1;
		cl->timeout_ms = (int)v;
		return 1;
	case 'H':
		if (cl->nheaders >= CONFIG_MAX_HEADERS) {
			snprintf(err, errlen, "-H: more than %d headers",
			         CONFIG_MAX_HEADERS);
			return -1;
		}
		cl->headers[cl->nheaders++] = arg;
		return 1;
	case OPT_ORIGIN:
		cl->origin = arg;
		return 1;
	case OPT_SUBPROTOCOL:
		cl->subprotocol = arg;
		return 1;
	case OPT_CACERT:
		if (access(arg, R_OK) != 0) {
			snprintf(err, errlen, "--cacert: cannot read '%.200s'",
			         arg);
			return -1;
		}
		cl->cacert = arg;
		return 1;
	case OPT_INSECURE:
	case 'k': /* curl's */
		cl->insecure = true;
		return 1;
	case OPT_NO_COLOR:
		cl->no_color = true;
		return 1;
	case OPT_JSON:
		cl->json = true;
		return 1;
	default:
		return 0;
	}
}

static bool
set_str(char **dst, const char *v, const char *opt, char *err, size_t errlen)
{
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "%s: control character in value",
			         opt);
			return false;
		}
	free(*dst);
	*dst = strdup(v);
	return true;
}

/* A readable regular file? */
static bool
readable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, R_OK) == 0;
}

const char *
cmdline_find_config(const struct cmdline *cl, char *path, size_t len)
{
	const char *env = getenv("WSDASH_CONFIG"), *xdg, *home;

	if (cl->config_path != NULL) {
		snprintf(path, len, "%s", cl->config_path);
		return "--config";
	}
	if (cl->no_discovery)
		return NULL;
	if (env != NULL && env[0] != '\0') {
		snprintf(path, len, "%s", env);
		return "$WSDASH_CONFIG";
	}
	if (readable("wsdash.json")) {
		snprintf(path, len, "wsdash.json");
		return "the current directory";
	}
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg != NULL && xdg[0] == '/')
		snprintf(path, len, "%s/wsdash/config.json", xdg);
	else if (home != NULL && home[0] != '\0')
		snprintf(path, len, "%s/.config/wsdash/config.json", home);
	else
		return NULL;
	return readable(path) ? "$XDG_CONFIG_HOME (or ~/.config)" : NULL;
}

/* BACKEND_PORT, if set, must be a port. */
static bool
backend_port_ok(const char *v, char *err, size_t errlen)
{
	char *end;
	long p;

	if (v == NULL || v[0] == '\0')
		return true;
	p = strtol(v, &end, 10);
	if (*end == '\0' && p >= 1 && p <= 65535)
		return true;
	snprintf(err, errlen,
	         "BACKEND_PORT='%.32s' is not a port number (1 to 65535)", v);
	return false;
}

/*
 * What the command line may say for an endpoint, as a ws(s):// URL:
 * http(s):// is the same server (mapped, and *mapped is set), and
 * host:port/path without a scheme is ws://.
 */
static void
endpoint_url(const char *arg, char *out, size_t len, bool *mapped)
{
	if (strncasecmp(arg, "http://", 7) == 0) {
		snprintf(out, len, "ws://%s", arg + 7);
		*mapped = true;
	} else if (strncasecmp(arg, "https://", 8) == 0) {
		snprintf(out, len, "wss://%s", arg + 8);
		*mapped = true;
	} else if (strstr(arg, "://") == NULL && arg[0] != '/') {
		snprintf(out, len, "ws://%s", arg);
	} else {
		snprintf(out, len, "%s", arg);
	}
}

bool
cmdline_config(const struct cmdline *cl, char *const *endpoints, int nendpoints,
               const char *backend_port, struct config *c, char *err,
               size_t errlen)
{
	char why[512], path[1024], server[URL_HOST_MAX + URL_PATH_MAX + 16];
	const char *found;
	bool mapped = false;

	config_init(c, backend_port);
	if (!backend_port_ok(backend_port, err, errlen))
		return false;
	/* --server first, so the file's relative URLs resolve against it;
	 * ws(s):// names the same server as http(s):// */
	if (cl->server != NULL) {
		if (strncasecmp(cl->server, "ws://", 5) == 0)
			snprintf(server, sizeof(server), "http://%s",
			         cl->server + 5);
		else if (strncasecmp(cl->server, "wss://", 6) == 0)
			snprintf(server, sizeof(server), "https://%s",
			         cl->server + 6);
		else
			snprintf(server, sizeof(server), "%s", cl->server);
		if (!config_set_server(c, server, why, sizeof(why))) {
			snprintf(err, errlen, "--server: %s", why);
			return false;
		}
		c->server_locked = true; /* the command line wins */
	}
	found = cmdline_find_config(cl, path, sizeof(path));
	if (found != NULL && !config_load_file(c, path, err, errlen))
		return false;
	if (cl->timeout_ms > 0) {
		c->timeout_ms = cl->timeout_ms;
		for (size_t i = 0; i < c->neps; i++)
			c->eps[i].timeout_ms = 0;
	}
	for (size_t i = 0; i < cl->nheaders; i++) {
		if (!config_add_header(&c->headers, &c->nheaders,
		                       cl->headers[i], why, sizeof(why))) {
			snprintf(err, errlen, "-H: %s", why);
			return false;
		}
	}
	if ((cl->origin &&
	     !set_str(&c->origin, cl->origin, "--origin", err, errlen)) ||
	    (cl->subprotocol && !set_str(&c->subprotocol, cl->subprotocol,
	                                 "--subprotocol", err, errlen)) ||
	    (cl->cacert &&
	     !set_str(&c->cacert, cl->cacert, "--cacert", err, errlen)))
		return false;
	if (cl->insecure)
		c->insecure = true;

	if (nendpoints > 0) {
		config_clear_endpoints(c);
		for (int i = 0; i < nendpoints; i++) {
			char u[URL_HOST_MAX + URL_PATH_MAX + 16];

			endpoint_url(endpoints[i], u, sizeof(u), &mapped);
			if (!config_add_url(c, u, why, sizeof(why))) {
				snprintf(err, errlen, "endpoint: %s", why);
				return false;
			}
		}
		if (mapped)
			cli_error(NULL, "note: http:// endpoints are watched "
			                "as ws:// (https:// as wss://) on the "
			                "same server");
	} else if (c->neps == 0) {
		c->default_set = true; /* the command picks the layout */
	}
	return true;
}

void
cmdline_getopt_error(int c, char **argv, const struct option *longopts,
                     char *err, size_t errlen)
{
	const char *arg = argv[optind - 1], *names[128], *hint;
	char word[80];
	size_t n = 0;

	if (c == ':') {
		snprintf(err, errlen, "option '%.64s' needs a value", arg);
		return;
	}
	/* a long option that takes no value, given one: --json=1 */
	if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL) {
		size_t len = (size_t)(strchr(arg, '=') - arg) - 2;

		for (const struct option *o = longopts; o->name; o++)
			if (strlen(o->name) == len &&
			    strncmp(arg + 2, o->name, len) == 0 &&
			    o->has_arg == no_argument) {
				snprintf(err, errlen,
				         "option '--%s' takes no value "
				         "(got '%.32s')",
				         o->name, strchr(arg, '=') + 1);
				return;
			}
	}
	if (optopt != 0 && optopt < 256 && strncmp(arg, "--", 2) != 0) {
		snprintf(err, errlen, "unknown option '-%c'",
		         optopt > 32 && optopt < 127 ? optopt : '?');
		return;
	}
	/* an unknown long option: what was meant? */
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg + 2, "="),
	         arg + 2);
	for (const struct option *o = longopts; o->name && n < 128; o++)
		names[n++] = o->name;
	hint = cli_suggest(word, names, n);
	if (hint != NULL)
		snprintf(err, errlen,
		         "unknown option '--%.64s' (did you mean '--%s'?)",
		         word, hint);
	else
		snprintf(err, errlen, "unknown option '%.64s'", arg);
}
