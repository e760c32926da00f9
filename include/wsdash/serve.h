/*
 * serve: the embedded demo backend, `wsdash serve`.
 *
 * Options are parsed here (pure, tested); the server itself lives in the
 * transport (src/transport/demo_server.c) because it is libwebsockets code.
 */
#ifndef WSDASH_SERVE_H
#define WSDASH_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wsdash/scenario.h"

#define SERVE_DEFAULT_PORT   8000
#define SERVE_DEFAULT_COUNT  100000
#define SERVE_MAX_CLIENT_MSG (64 * 1024) /* larger client messages close */

/*
 * Which backend the demo server imitates: its own (/ws/NAME streams with
 * seq and sent_at, /api/NAME twins) or the tac-webbuilder backend as it is
 * today (/api/v1/ws/NAME, eight streams, every message to every socket,
 * {type, data} only, 403 for unknown WebSocket paths, 1012 on shutdown).
 */
enum serve_flavor { SERVE_FLAVOR_DEMO, SERVE_FLAVOR_TAC };

/* "demo", "tac". */
const char *serve_flavor_name(enum serve_flavor f);

/* Parse a flavor name; returns false if unknown. */
bool serve_flavor_parse(const char *s, enum serve_flavor *out);

struct serve_opts {
	enum serve_flavor flavor;
	char bind[64]; /* numeric IPv4 or IPv6 address */
	int port;      /* 0 = pick a free port */
	double rate;   /* updates per second per stream; 0 = only on demand */
	enum scenario_mode scenario;
	uint64_t seed;
	bool seed_set; /* false: the server picks one and reports it */
	int64_t count; /* flood: updates per connection */
	double speed;  /* scenario clock multiplier (tests, demos) */
};

enum serve_parse_result { SERVE_PARSE_OK, SERVE_PARSE_HELP, SERVE_PARSE_ERR };

/* Defaults: 127.0.0.1:8000, 1 Hz, steady, count 100000, speed 1. */
void serve_opts_default(struct serve_opts *o);

/*
 * Parse `serve` options from argv[1..argc-1] (argv[0] is "serve") into o,
 * which should hold the defaults. On SERVE_PARSE_ERR a one-line message is
 * in err. Uses getopt_long, so it is not reentrant.
 */
enum serve_parse_result serve_opts_parse(struct serve_opts *o, int argc,
                                         char **argv, char *err, size_t errlen);

/* Print `wsdash serve --help` to f. */
void serve_usage(FILE *f);

/*
 * Run the demo backend until SIGINT or SIGTERM. Prints
 * "listening on ADDR:PORT" as the first line of stdout once it accepts
 * connections. Returns a process exit code (0 on a clean shutdown, 1 if it
 * could not start, with the reason on stderr).
 */
int serve_run(const struct serve_opts *o);

#endif
