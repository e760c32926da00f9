/*
 * cmdline.c: shared options of `check` and `watch`; see cmdline.h. The order
 * of precedence is defaults < config file < command line, whatever the order
 * of the options on the line, so the line is parsed first and applied last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    "  --insecure         do not verify TLS certificates (flagged in output)\n"
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

bool
cmdline_config(const struct cmdline *cl, char *const *endpoints, int nendpoints,
               const char *backend_port, struct config *c, char *err,
               size_t errlen)
{
	char why[512];

	config_init(c, backend_port);
	/* --server first, so the file's relative URLs resolve against it. */
	if (cl->server != NULL) {
		if (!config_set_server(c, cl->server, why, sizeof(why))) {
			snprintf(err, errlen, "--server: %s", why);
			return false;
		}
		c->server_locked = true; /* the command line wins */
	}
	if (cl->config_path != NULL &&
	    !config_load_file(c, cl->config_path, err, errlen))
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
			if (!config_add_url(c, endpoints[i], why,
			                    sizeof(why))) {
				snprintf(err, errlen, "endpoint: %s", why);
				return false;
			}
		}
	} else if (c->neps == 0) {
		c->default_set = true; /* the command picks the layout */
	}
	return true;
}

void
cmdline_getopt_error(int c, char **argv, char *err, size_t errlen)
{
	if (c == ':')
		snprintf(err, errlen, "option '%.64s' needs a value",
		         argv[optind - 1]);
	else if (optopt)
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	else
		snprintf(err, errlen, "unknown option '%.64s'",
		         argv[optind - 1]);
}
