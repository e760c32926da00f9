/*
 * serve_opts.c: the `wsdash serve` command line. Pure apart from getopt's
 * globals: no sockets are touched here, the address is only checked to be a
 * numeric IPv4/IPv6 literal.
 */
#include <ctype.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "wsdash/cli.h"
#include "wsdash/cmdline.h"
#include "wsdash/serve.h"

void
serve_opts_default(struct serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->bind, sizeof(o->bind), "127.0.0.1");
	o->port = SERVE_DEFAULT_PORT;
	o->rate = 1.0;
	o->scenario = SCENARIO_STEADY;
	o->count = SERVE_DEFAULT_COUNT;
	o->speed = 1.0;
}

void
serve_usage(FILE *f)
{
	fputs(
	    "usage: wsdash serve [options]\n"
	    "\n"
	    "Run the embedded demo backend: WebSocket streams on "
	    "/ws/workflows,\n"
	    "/ws/workflow-history and /ws/routes, the same data on /api/*, and "
	    "a\n"
	    "control API on /control/*. Prints 'listening on ADDR:PORT' "
	    "first.\n"
	    "With --flavor tac it imitates the tac-webbuilder backend instead: "
	    "eight\n"
	    "streams on /api/v1/ws/NAME (workflows, workflow-history, routes, "
	    "queue,\n"
	    "adw-monitor, system-status, planned-features, webhook-status), "
	    "GETs on\n"
	    "/api/v1/NAME, {type, data} messages to every socket on change "
	    "only,\n"
	    "403 for unknown WebSocket paths, close code 1012 on shutdown.\n"
	    "\n"
	    "options:\n"
	    "  --flavor NAME      demo (default) or tac: which backend to "
	    "imitate\n"
	    "  --port N           TCP port (default 8000; 0 picks a free one)\n"
	    "  --bind ADDR        address or host name to listen on (default "
	    "127.0.0.1)\n"
	    "  --rate HZ          updates per second per stream, with a "
	    "little\n"
	    "                     jitter (default 1; 0 = only on "
	    "/control/send)\n"
	    "  --scenario NAME    steady (default), outages or flood\n"
	    "  --seed N           make the outages schedule and data "
	    "repeatable\n"
	    "  --count N          flood: updates per connection (default "
	    "100000)\n"
	    "  --speed X          run the scenario clock X times faster "
	    "(default 1;\n"
	    "                     tac: its change checks too)\n"
	    "  -h, --help         show this help\n",
	    f);
}

/* A numeric address or something that may be a host name. */
static bool
valid_bind(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
		return true;
	if (s[0] == '\0' || s[0] == '-' || s[0] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

enum serve_parse_result
serve_opts_parse(struct serve_opts *o, int argc, char **argv, char *err,
                 size_t errlen)
{
	static const struct option longopts[] = {
	    {"port", required_argument, NULL, 'p'},
	    {"bind", required_argument, NULL, 'b'},
	    {"rate", required_argument, NULL, 'r'},
	    {"scenario", required_argument, NULL, 's'},
	    {"seed", required_argument, NULL, 'S'},
	    {"count", required_argument, NULL, 'c'},
	    {"speed", required_argument, NULL, 'x'},
	    {"flavor", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int64_t v;
	int c;

	optind = 0; /* full reset, so the parser can run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!cli_parse_i64("--port", optarg, 0, 65535, &v, err,
			                   errlen))
				return SERVE_PARSE_ERR;
			o->port = (int)v;
			break;
		case 'b':
			if (strlen(optarg) >= sizeof(o->bind) ||
			    !valid_bind(optarg)) {
				snprintf(err, errlen,
				         "--bind: '%.64s' is not an IPv4 or "
				         "IPv6 address or a host name",
				         optarg);
				return SERVE_PARSE_ERR;
			}
			snprintf(o->bind, sizeof(o->bind), "%s", optarg);
			break;
		case 'r':
			if (!cli_parse_double("--rate", optarg, 0, 1000,
			                      &o->rate, err, errlen))
				return SERVE_PARSE_ERR;
			break;
		case 's':
			if (!scenario_mode_parse(optarg, &o->scenario)) {
				snprintf(err, errlen,
				         "--scenario: unknown scenario '%.64s' "
				         "(steady, outages, flood)",
				         optarg);
				return SERVE_PARSE_ERR;
			}
			break;
		case 'S':
			if (!cli_parse_u64("--seed", optarg, &o->seed, err,
			                   errlen))
				return SERVE_PARSE_ERR;
			o->seed_set = true;
			break;
		case 'c':
			if (!cli_parse_i64("--count", optarg, 1, 1000000000,
			                   &o->count, err, errlen))
				return SERVE_PARSE_ERR;
			break;
		case 'x':
			if (!cli_parse_double("--speed", optarg, 0.01, 1000,
			                      &o->speed, err, errlen))
				return SERVE_PARSE_ERR;
			break;
		case 'f':
			if (!serve_flavor_parse(optarg, &o->flavor)) {
				snprintf(err, errlen,
				         "--flavor: unknown flavor '%.64s' "
				         "(demo, tac)",
				         optarg);
				return SERVE_PARSE_ERR;
			}
			break;
		case 'h':
			return SERVE_PARSE_HELP;
		default: /* unknown, missing or unexpected value: say which */
			cmdline_getopt_error(c, argv, longopts, err, errlen);
			return SERVE_PARSE_ERR;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%.64s'",
		         argv[optind]);
		return SERVE_PARSE_ERR;
	}
	return SERVE_PARSE_OK;
}

const char *
serve_flavor_name(enum serve_flavor f)
{
	return f == SERVE_FLAVOR_TAC ? "tac" : "demo";
}

bool
serve_flavor_parse(const char *s, enum serve_flavor *out)
{
	if (strcmp(s, "demo") == 0)
		*out = SERVE_FLAVOR_DEMO;
	else if (strcmp(s, "tac") == 0)
		*out = SERVE_FLAVOR_TAC;
	else
		return false;
	return true;
}
