/*
 * cmdline: the options `check` and `watch` share (endpoint set, headers,
 * TLS, timeouts) and how they combine with a --config file into a struct
 * config. Pure apart from reading the config file.
 */
#ifndef WSDASH_CMDLINE_H
#define WSDASH_CMDLINE_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "wsdash/config.h"

/* getopt values of the shared long options (above any short option). */
enum {
	OPT_SERVER = 256,
	OPT_CONFIG,
	OPT_TIMEOUT,
	OPT_HEADER,
	OPT_ORIGIN,
	OPT_SUBPROTOCOL,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_NO_COLOR,
	OPT_JSON,
	OPT_COMMON_LAST
};

/* The shared entries, to splice into a command's option table. */
#define CMDLINE_COMMON_LONGOPTS                                        \
	{"server", required_argument, NULL, OPT_SERVER},               \
	    {"config", required_argument, NULL, OPT_CONFIG},           \
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},         \
	    {"header", required_argument, NULL, 'H'},                  \
	    {"origin", required_argument, NULL, OPT_ORIGIN},           \
	    {"subprotocol", required_argument, NULL, OPT_SUBPROTOCOL}, \
	    {"cacert", required_argument, NULL, OPT_CACERT},           \
	    {"insecure", no_argument, NULL, OPT_INSECURE},             \
	    {"no-color", no_argument, NULL, OPT_NO_COLOR},             \
	{                                                              \
		"json", no_argument, NULL, OPT_JSON                    \
	}

/* Help text for the shared options. */
extern const char cmdline_common_help[];

struct cmdline {
	const char *server;
	const char *config_path;
	int timeout_ms; /* 0: not given */
	const char *headers[CONFIG_MAX_HEADERS];
	size_t nheaders;
	const char *origin;
	const char *subprotocol;
	const char *cacert;
	bool insecure;
	bool no_color;
	bool json;
	bool no_discovery; /* only --config (demo: its own backend) */
};

/*
 * The config file to read, first found wins: --config, $WSDASH_CONFIG,
 * ./wsdash.json, $XDG_CONFIG_HOME/wsdash/config.json (~/.config when
 * unset). Its path goes to path; returns where it was found ("--config",
 * "$WSDASH_CONFIG", ...), or NULL when there is none.
 */
const char *cmdline_find_config(const struct cmdline *cl, char *path,
                                size_t len);

/*
 * Handle one shared option (getopt value opt, its argument arg). Returns 1
 * if handled, 0 if opt is not a shared option, -1 on a bad value (message
 * in err).
 */
int cmdline_common(struct cmdline *cl, int opt, const char *arg, char *err,
                   size_t errlen);

/*
 * Build the configuration: defaults (BACKEND_PORT from backend_port), then
 * the --config file, then the command line; endpoint URLs given as
 * arguments replace the file's endpoints; with none at all,
 * c->default_set is set and the command adds the default set (after
 * choosing its layout, see layout.h). Returns false with a one-line
 * message in err.
 */
bool cmdline_config(const struct cmdline *cl, char *const *endpoints,
                    int nendpoints, const char *backend_port, struct config *c,
                    char *err, size_t errlen);

/*
 * getopt's error for the current option, as one line, into err: a missing
 * value, a value given to an option that takes none (--json=1), or an
 * unknown option with a "did you mean" from longopts.
 */
void cmdline_getopt_error(int c, char **argv, const struct option *longopts,
                          char *err, size_t errlen);

#endif
