/*
 * watch.c: `wsdash watch`, live monitoring. With --plain or --json, or when
 * stdout is not a terminal, it prints lines (wprint); on a terminal it opens
 * the dashboard. SIGINT/SIGTERM stop it cleanly; --duration S stops it
 * after S seconds with status 0.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/cmdline.h"
#include "wsdash/mon.h"
#include "wsdash/watch.h"
#include "wsdash/watcher.h"
#include "wsdash/wprint.h"

enum {
	OPT_PLAIN = OPT_COMMON_LAST,
	OPT_DURATION,
	OPT_PING_INTERVAL,
	OPT_PING_TIMEOUT,
	OPT_PING,
	OPT_POLL_INTERVAL,
	OPT_MAX_MESSAGE,
	OPT_HELLO,
	OPT_RETRY_BASE,
};

static volatile sig_atomic_t watch_stop;
static struct watcher *volatile watch_w;

static void
watch_on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
	watcher_wake(watch_w);
}

void
watch_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: wsdash [watch] [options] [ENDPOINT...]\n"
	    "\n"
	    "Keep a live WebSocket subscription to every endpoint, measure\n"
	    "round-trip time, and fall back to HTTP polling (as the web\n"
	    "frontend does) the moment a stream is lost. ENDPOINT is a\n"
	    "ws:// or wss:// URL; without any, the default set on --server.\n"
	    "On a terminal: the dashboard. Otherwise, or with --plain/--json:\n"
	    "one line per state change, message (or a per-second summary\n"
	    "above %d messages/s) and poll.\n"
	    "\n"
	    "options:\n"
	    "%s"
	    "  --plain            line output even on a terminal\n"
	    "  --duration S       stop after S seconds (exit 0)\n"
	    "  --ping-interval MS protocol PING every MS (default 1000)\n"
	    "  --ping-timeout MS  no PONG for MS: stale; for 2x: fall back\n"
	    "                     (default 3000)\n"
	    "  --ping json        send {\"type\":\"ping\",\"timestamp\":t} "
	    "and\n"
	    "                     read the JSON pong instead (proxies that "
	    "eat\n"
	    "                     control frames)\n"
	    "  --poll-interval MS HTTP poll period in fallback (default 3000)\n"
	    "  --max-message N    larger messages are counted and dropped\n"
	    "                     (default 1048576)\n"
	    "  --hello JSON       send this text after connecting (the "
	    "default\n"
	    "                     set sends {\"type\":\"client_ready\"})\n"
	    "  --retry-base MS    first WebSocket retry after MS, doubling to\n"
	    "                     30 s, with jitter (default 1000)\n"

	    "  -h, --help         show this help\n",
	    WPRINT_MSG_LINES, cmdline_common_help);
}

static bool
locale_utf8(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Where headless lines go; a closed stdout stops the watch. */
struct headless {
	struct wprint p;
};

static void
emit(char *s)
{
	if (s == NULL)
		return;
	if (fputs(s, stdout) == EOF || fflush(stdout) == EOF) {
		watch_stop = 1; /* e.g. piped into head */
		watcher_wake(watch_w);
	}
	free(s);
}

static void
headless_changed(void *user, struct mon_ep *ep, unsigned flags,
                 const struct mon_event *ev)
{
	struct headless *hl = user;

	emit(wprint_change(&hl->p, ep, flags, ev, clock_mono_us(),
	                   (double)clock_wall_us() / 1000.0));
}

static void
headless_tick(void *user, int64_t now_us)
{
	struct headless *hl = user;

	emit(wprint_tick(&hl->p, now_us, (double)clock_wall_us() / 1000.0));
}

int
watch_parse(int argc, char **argv, struct watch_opts *o, char *err,
            size_t errlen)
{
	static const struct option longopts[] = {
	    CMDLINE_COMMON_LONGOPTS,
	    {"plain", no_argument, NULL, OPT_PLAIN},
	    {"duration", required_argument, NULL, OPT_DURATION},
	    {"ping-interval", required_argument, NULL, OPT_PING_INTERVAL},
	    {"ping-timeout", required_argument, NULL, OPT_PING_TIMEOUT},
	    {"ping", required_argument, NULL, OPT_PING},
	    {"poll-interval", required_argument, NULL, OPT_POLL_INTERVAL},
	    {"max-message", required_argument, NULL, OPT_MAX_MESSAGE},
	    {"hello", required_argument, NULL, OPT_HELLO},
	    {"retry-base", required_argument, NULL, OPT_RETRY_BASE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	int64_t v;
	double d;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hH:", longopts, NULL)) != -1) {
		switch (cmdline_common(&o->cl, c, optarg, err, errlen)) {
		case 1:
			continue;
		case -1:
			return -1;
		}
		switch (c) {
		case OPT_PLAIN:
			o->plain = true;
			break;
		case OPT_DURATION:
			if (!cli_parse_double("--duration", optarg, 0.001, 1e7,
			                      &d, err, errlen))
				return -1;
			o->duration_ms = (int64_t)(d * 1000);
			break;
		case OPT_PING_INTERVAL:
			if (!cli_parse_i64("--ping-interval", optarg, 100,
			                   600000, &v, err, errlen))
				return -1;
			o->ping_interval_ms = (int)v;
			break;
		case OPT_PING_TIMEOUT:
			if (!cli_parse_i64("--ping-timeout", optarg, 100,
			                   600000, &v, err, errlen))
				return -1;
			o->ping_timeout_ms = (int)v;
			break;
		case OPT_PING:
			if (strcmp(optarg, "json") == 0) {
				o->ping = PING_JSON;
			} else if (strcmp(optarg, "protocol") == 0) {
				o->ping = PING_PROTOCOL;
			} else {
				snprintf(err, errlen,
				         "--ping: '%.32s' (use protocol or "
				         "json)",
				         optarg);
				return -1;
			}
			o->ping_set = true;
			break;
		case OPT_POLL_INTERVAL:
			if (!cli_parse_i64("--poll-interval", optarg, 100,
			                   3600000, &v, err, errlen))
				return -1;
			o->poll_interval_ms = (int)v;
			break;
		case OPT_MAX_MESSAGE:
			if (!cli_parse_i64("--max-message", optarg, 1024,
			                   64 * 1024 * 1024, &v, err, errlen))
				return -1;
			o->max_message = (size_t)v;
			break;
		case OPT_HELLO:
			o->hello = optarg;
			break;
		case OPT_RETRY_BASE:
			if (!cli_parse_i64("--retry-base", optarg, 1, 60000, &v,
			                   err, errlen))
				return -1;
			o->retry_base_ms = (int)v;
			break;
		case 'h':
			return 1;
		default:
			cmdline_getopt_error(c, argv, err, errlen);
			return -1;
		}
	}
	o->endpoints = argv + optind;
	o->nendpoints = argc - optind;
	return 0;
}

bool
watch_config(const struct watch_opts *o, struct config *cfg, char *err,
             size_t errlen)
{
	if (!cmdline_config(&o->cl, o->endpoints, o->nendpoints,
	                    getenv("BACKEND_PORT"), cfg, err, errlen))
		return false;
	if (o->ping_interval_ms)
		cfg->ping_interval_ms = o->ping_interval_ms;
	if (o->ping_timeout_ms)
		cfg->ping_timeout_ms = o->ping_timeout_ms;
	if (o->ping_set)
		cfg->ping = o->ping;
	if (o->poll_interval_ms)
		cfg->poll_interval_ms = o->poll_interval_ms;
	if (o->retry_base_ms)
		cfg->retry_base_ms = o->retry_base_ms;
	if (o->max_message)
		cfg->max_message = o->max_message;
	if (o->hello) {
		free(cfg->hello);
		cfg->hello = strdup(o->hello);
		cfg->hello_set = true;
		for (size_t i = 0; i < cfg->neps; i++) {
			free(cfg->eps[i].hello);
			cfg->eps[i].hello = NULL;
			cfg->eps[i].hello_set = false;
		}
	}
	return true;
}

/* Largest timeout and whether any endpoint needs TLS. */
static void
watch_needs(const struct config *cfg, int *timeout, bool *tls)
{
	*timeout = cfg->timeout_ms;
	*tls = false;
	for (size_t i = 0; i < cfg->neps; i++) {
		if (config_timeout(cfg, i) > *timeout)
			*timeout = config_timeout(cfg, i);
		*tls |= cfg->eps[i].ws.tls ||
		        (cfg->eps[i].has_poll && cfg->eps[i].poll.tls);
	}
}

void
watch_signals(struct watcher *w)
{
	struct sigaction sa;

	watch_w = w;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

volatile sig_atomic_t *
watch_stop_flag(void)
{
	return &watch_stop;
}

/* Headless watch: lines on stdout until stopped. */
static int
watch_headless(struct watch_opts *o, struct config *cfg)
{
	struct watcher_hooks hooks = {0};
	struct headless hl;
	struct watcher *w;
	struct mon m;
	char err[512];
	int timeout, rc = CLI_EXIT_OK;
	bool tls, utf8 = locale_utf8();

	watch_needs(cfg, &timeout, &tls);
	w = watcher_new(tls, cfg->cacert, timeout, err, sizeof(err));
	if (w == NULL) {
		fprintf(stderr, "wsdash watch: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	if (!mon_init(&m, cfg, clock_mono_us(), utf8) ||
	    !wprint_init(&hl.p, &m, o->cl.json, utf8)) {
		fprintf(stderr, "wsdash watch: out of memory\n");
		watcher_free(w);
		return CLI_EXIT_FAIL;
	}
	hooks.user = &hl;
	hooks.changed = headless_changed;
	hooks.tick = headless_tick;
	hooks.tick_ms = 1000;
	watch_signals(w);
	if (watcher_run(w, cfg, &m, &hooks, &watch_stop, o->duration_ms, err,
	                sizeof(err)) < 0) {
		fprintf(stderr, "wsdash watch: %s\n", err);
		rc = CLI_EXIT_FAIL;
	}
	watch_w = NULL;
	watcher_free(w);
	wprint_done(&hl.p);
	mon_done(&m);
	return rc;
}

int
watch_main(int argc, char **argv)
{
	struct watch_opts o = {0};
	struct config cfg;
	char err[768];
	int r, rc;

	r = watch_parse(argc, argv, &o, err, sizeof(err));
	if (r == 1) {
		watch_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (r < 0) {
		fprintf(stderr,
		        "wsdash watch: %s (try 'wsdash watch --help')\n", err);
		return CLI_EXIT_USAGE;
	}
	if (!watch_config(&o, &cfg, err, sizeof(err))) {
		fprintf(stderr, "wsdash watch: %s\n", err);
		config_free(&cfg);
		return CLI_EXIT_USAGE;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	(void)watch_dashboard; /* the dashboard comes with ui/ */
	rc = watch_headless(&o, &cfg);

	config_free(&cfg);
	return rc;
}
