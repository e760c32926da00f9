/*
 * watch.c: `wsdash watch`, live monitoring. With --plain or --json, or when
 * stdout is not a terminal, it prints lines (wprint); on a terminal it opens
 * the dashboard. SIGINT/SIGTERM stop it cleanly; --duration S stops it
 * after S seconds with status 0.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsdash/callbacks.h"
#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/cmdline.h"
#include "wsdash/httpd.h"
#include "wsdash/layout.h"
#include "wsdash/mon.h"
#include "wsdash/notify.h"
#include "wsdash/outq.h"
#include "wsdash/serve.h"
#include "wsdash/watch.h"
#include "wsdash/watcher.h"
#include "wsdash/wprint.h"
#include "dashboard.h"

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
	OPT_NO_HELLO,
	OPT_MAX_SILENCE,
	OPT_NO_BELL,
	OPT_METRICS,
	OPT_ON_CHANGE,
	OPT_ON_CHANGE_TIMEOUT,
	OPT_LOG,
	OPT_STATUS_LINE,
	OPT_FORMAT,
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
	    "ws:// or wss:// URL (http(s):// is taken as ws(s)://, host:port\n"
	    "/path as ws://); without any, the server's own streams\n"
	    "(/api/v1/ws/NAME or /ws/NAME, whichever answers; see check).\n"
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
	    "  --ping KIND        protocol (default): PING frames; json:\n"
	    "                     send {\"type\":\"ping\",\"timestamp\":t} "
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
	    "  --no-hello         send nothing after connecting (also "
	    "--hello none)\n"
	    "  --max-silence MS   flag an open stream that sends no message "
	    "of\n"
	    "                     its own for MS (it still answers pings;\n"
	    "                     default: off)\n"
	    "  --retry-base MS    first WebSocket retry after MS, doubling to\n"
	    "                     30 s, with jitter (default 1000)\n"
	    "  --no-bell          no terminal bell when a stream leaves the\n"
	    "                     WebSocket or goes down (it rings at most\n"
	    "                     every 10 s; tmux flags the window)\n"
	    "  --metrics ADDR:PORT  also serve Prometheus /metrics and /probe\n"
	    "                     there (see wsdash exporter --help)\n"
	    "  --on-change CMD    run CMD with /bin/sh -c on every state "
	    "change,\n"
	    "                     with WSDASH_ENDPOINT, WSDASH_URL, "
	    "WSDASH_STATE,\n"
	    "                     WSDASH_FROM, WSDASH_MODE, WSDASH_REASON... "
	    "in\n"
	    "                     its environment (never in the command "
	    "line);\n"
	    "                     output discarded, %d at once\n"
	    "  --on-change-timeout S\n"
	    "                     stop a command still running after S "
	    "seconds\n"
	    "                     (default %d)\n"
	    "  --log FILE         append the --json lines to FILE (with the\n"
	    "                     dashboard too)\n"
	    "  --status-line      print a short summary line each time it\n"
	    "                     changes, for tmux: status-right\n"
	    "                     '#(wsdash watch --status-line)'\n"
	    "  --format KIND      --status-line styles: tmux (default) or "
	    "plain\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "dashboard keys: arrows/hjkl/Tab select, Enter details, Esc back,\n"
	    "r/R reconnect, p pause, PgUp/PgDn the event log, ? help (keys\n"
	    "and a legend of every symbol), q quit (demo: x breaks a "
	    "stream)\n",
	    WPRINT_MSG_LINES, cmdline_common_help, NOTIFY_RUNNING,
	    NOTIFY_TIMEOUT_MS / 1000);
}

/*
 * Headless output: lines go through a bounded queue that never blocks the
 * loop (see outq.h). While the reader is behind, a flush is retried every
 * FLUSH_RETRY_US; a broken stdout (reader gone, stdout closed) stops the
 * watch with a message.
 */
#define FLUSH_RETRY_US (50 * 1000)

struct headless {
	struct wprint p;
	struct outq q;
	struct watcher *w;
	struct callbacks *cb;
	/* --status-line: the summary instead of wprint's lines */
	bool sl;
	enum statusline_format sl_format;
	char sl_last[STATUSLINE_MAX + 1];
	int64_t sl_at_us; /* when the last line was printed */
	bool sl_due;      /* a change waits for SL_GAP_US to pass */
};

/*
 * tmux redraws its status bar when a #() command prints, but at most once
 * per second of the wall clock; a second line within the same second waits
 * for the next status-interval (15 s by default). So lines are at least
 * this far apart, and the last change always gets its line.
 */
#define SL_GAP_US (1100 * 1000)

static void headless_status(struct headless *h);

static void
headless_flush(void *user)
{
	struct headless *h = user;
	uint64_t lost;

	if (h->sl_due)
		headless_status(h);
	if (!outq_flush(&h->q)) {
		watch_stop = 1;
		watcher_wake(h->w);
		return;
	}
	/* once there is room again, say what was lost */
	if (h->q.dropped > 0 && outq_room(&h->q, 256)) {
		lost = outq_take_dropped(&h->q);
		char *s = wprint_output_dropped(
		    &h->p, lost, (double)clock_wall_us() / 1000.0);

		outq_push(&h->q, s);
		free(s);
	}
	if (outq_pending(&h->q) > 0 || h->q.dropped > 0)
		watcher_frame(h->w, FLUSH_RETRY_US);
}

static void
emit(struct headless *h, char *s)
{
	if (s == NULL)
		return;
	outq_push(&h->q, s);
	free(s);
	headless_flush(h);
}

/*
 * --status-line: the summary, if it is not the line printed last, now or
 * (as a frame) once SL_GAP_US has passed since the last one.
 */
static void
headless_status(struct headless *h)
{
	char line[STATUSLINE_MAX + 1];
	int64_t now = clock_mono_us();

	statusline_text(line, sizeof(line) - 1, h->p.m, h->sl_format, h->p.utf8,
	                STATUSLINE_COLS);
	h->sl_due = false;
	if (strcmp(line, h->sl_last) == 0)
		return;
	if (h->sl_at_us != 0 && now - h->sl_at_us < SL_GAP_US) {
		h->sl_due = true;
		watcher_frame(h->w, SL_GAP_US - (now - h->sl_at_us));
		return;
	}
	h->sl_at_us = now;
	snprintf(h->sl_last, sizeof(h->sl_last), "%s", line);
	strcat(line, "\n");
	emit(h, strdup(line));
}

/*
 * Whether the reader of stdout went away (tmux ended, or closed the job)
 * although nothing was written lately: a status line may not change for
 * days, and must not outlive its reader.
 */
static bool
headless_reader_gone(void)
{
	struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static void
headless_changed(void *user, struct mon_ep *ep, unsigned flags,
                 const struct mon_event *ev)
{
	struct headless *h = user;

	callbacks_changed(h->cb, ep, flags, ev);
	if (h->sl && (flags & MON_CHG_STATE))
		headless_status(h);
	else if (!h->sl)
		emit(h, wprint_change(&h->p, ep, flags, ev, clock_mono_us(),
		                      (double)clock_wall_us() / 1000.0));
}

static int64_t
headless_chores(void *user, int64_t now_us)
{
	struct headless *h = user;

	return callbacks_chores(h->cb, now_us);
}

static void
headless_tick(void *user, int64_t now_us)
{
	struct headless *h = user;

	callbacks_tick(h->cb, now_us);
	if (!h->sl) {
		emit(h, wprint_tick(&h->p, now_us,
		                    (double)clock_wall_us() / 1000.0));
	} else if (headless_reader_gone()) {
		watch_stop = 1;
		watcher_wake(h->w);
	}
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
	    {"no-hello", no_argument, NULL, OPT_NO_HELLO},
	    {"max-silence", required_argument, NULL, OPT_MAX_SILENCE},
	    {"no-bell", no_argument, NULL, OPT_NO_BELL},
	    {"metrics", required_argument, NULL, OPT_METRICS},
	    {"on-change", required_argument, NULL, OPT_ON_CHANGE},
	    {"on-change-timeout", required_argument, NULL,
	     OPT_ON_CHANGE_TIMEOUT},
	    {"log", required_argument, NULL, OPT_LOG},
	    {"status-line", no_argument, NULL, OPT_STATUS_LINE},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	int64_t v;
	double d;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hkH:", longopts, NULL)) != -1) {
		switch (cmdline_common(&o->cl, c, optarg, err, errlen)) {
		case 1:
			continue;
		case -1:
			return -1;
		}
		switch (c) {
		case OPT_NO_BELL:
			o->no_bell = true;
			break;
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
			/* "none": send nothing, as the web frontend does */
			if (strcmp(optarg, "none") == 0)
				o->no_hello = true;
			else
				o->hello = optarg;
			break;
		case OPT_NO_HELLO:
			o->no_hello = true;
			break;
		case OPT_MAX_SILENCE:
			if (!cli_parse_i64("--max-silence", optarg, 100,
			                   86400000, &v, err, errlen))
				return -1;
			o->max_silence_ms = (int)v;
			break;
		case OPT_METRICS:
			o->metrics = optarg;
			break;
		case OPT_RETRY_BASE:
			if (!cli_parse_i64("--retry-base", optarg, 1, 60000, &v,
			                   err, errlen))
				return -1;
			o->retry_base_ms = (int)v;
			break;
		case OPT_ON_CHANGE:
			if (optarg[0] == '\0') {
				snprintf(err, errlen,
				         "--on-change: empty command");
				return -1;
			}
			o->on_change = optarg;
			break;
		case OPT_ON_CHANGE_TIMEOUT:
			if (!cli_parse_double("--on-change-timeout", optarg,
			                      0.1, 86400, &d, err, errlen))
				return -1;
			o->on_change_timeout_ms = (int)(d * 1000);
			break;
		case OPT_LOG:
			o->log_path = optarg;
			break;
		case OPT_STATUS_LINE:
			o->status_line = true;
			break;
		case OPT_FORMAT:
			if (!statusline_parse_format(optarg, &o->format)) {
				snprintf(
				    err, errlen,
				    "--format: '%.32s' (use tmux or plain)",
				    optarg);
				return -1;
			}
			o->format_set = true;
			break;
		case 'h':
			return 1;
		default:
			cmdline_getopt_error(c, argv, longopts, err, errlen);
			return -1;
		}
	}
	if (o->format_set && !o->status_line) {
		snprintf(err, errlen, "--format goes with --status-line");
		return -1;
	}
	if (o->status_line && (o->plain || o->cl.json)) {
		snprintf(err, errlen,
		         "--status-line prints lines of its own: not with %s",
		         o->plain ? "--plain" : "--json");
		return -1;
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
	if (o->max_silence_ms)
		cfg->max_silence_ms = o->max_silence_ms;
	if (o->max_message)
		cfg->max_message = o->max_message;
	if (o->hello || o->no_hello) {
		free(cfg->hello);
		cfg->hello = o->no_hello ? NULL : strdup(o->hello);
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
void
watch_needs(const struct config *cfg, int *timeout, bool *tls)
{
	*timeout = cfg->timeout_ms;
	*tls = false;
	for (size_t i = 0; i < cfg->neps; i++) {
		if (config_timeout(cfg, &cfg->eps[i]) > *timeout)
			*timeout = config_timeout(cfg, &cfg->eps[i]);
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
watch_headless(struct watcher *w, struct watch_opts *o, struct config *cfg,
               struct mon *m, struct callbacks *cb)
{
	struct watcher_hooks hooks = {0};
	struct headless h = {
	    .w = w, .cb = cb, .sl = o->status_line, .sl_format = o->format};
	char err[512];
	int rc = CLI_EXIT_OK;

	if (cli_stdout_closed() || !outq_init(&h.q, STDOUT_FILENO, OUTQ_MAX)) {
		fprintf(stderr, "wsdash watch: stdout is closed: nowhere to "
		                "write the lines\n");
		return CLI_EXIT_FAIL;
	}
	if (!wprint_init(&h.p, m, o->cl.json, m->utf8)) {
		fprintf(stderr, "wsdash watch: out of memory\n");
		outq_done(&h.q);
		return CLI_EXIT_FAIL;
	}
	if (h.sl)
		headless_status(&h);
	else
		emit(&h,
		     wprint_start(&h.p, cfg, (double)clock_wall_us() / 1000.0));
	hooks.user = &h;
	hooks.changed = headless_changed;
	hooks.tick = headless_tick;
	hooks.tick_ms = 1000;
	hooks.chores = headless_chores;
	hooks.frame = headless_flush;
	if (watcher_run(w, cfg, m, &hooks, &watch_stop, o->duration_ms, err,
	                sizeof(err)) < 0) {
		cli_error("watch", "%s", err);
		rc = CLI_EXIT_FAIL;
	}
	/* what is still queued: the reader gets a moment to take it */
	if (h.q.err == 0)
		outq_drain(&h.q, 1000);
	if (h.q.err != 0) {
		fprintf(stderr, "wsdash watch: stdout: %s%s; stopped\n",
		        strerror(h.q.err),
		        h.q.err == EPIPE ? " (the reader went away)" : "");
		rc = CLI_EXIT_FAIL;
	}
	wprint_done(&h.p);
	outq_done(&h.q);
	return rc;
}

/* What the header says is being watched. */
static void
watch_target(const struct watch_opts *o, const struct config *cfg, char *out,
             size_t len)
{
	char u[URL_HOST_MAX + URL_PATH_MAX + 16];

	if (o->nendpoints > 0 && cfg->neps > 0) {
		url_format(&cfg->eps[0].ws, u, sizeof(u));
		if (cfg->neps > 1)
			snprintf(out, len, "%s (+%zu)", u, cfg->neps - 1);
		else
			snprintf(out, len, "%s", u);
	} else if (o->cl.config_path != NULL) {
		snprintf(out, len, "%s", o->cl.config_path);
	} else {
		url_format(&cfg->server, u, sizeof(u));
		if (cfg->layout[0])
			snprintf(out, len, "%.200s %s", u, cfg->layout);
		else
			snprintf(out, len, "%s", u);
	}
}

int
watch_run(struct watch_opts *o, const struct serve_opts *demo, const char *cmd)
{
	struct config cfg = {0};
	struct watcher *w = NULL;
	struct mon m = {0};
	struct callbacks cb;
	char err[768], server[96], target[URL_HOST_MAX + URL_PATH_MAX + 64];
	bool dash = !o->plain && !o->cl.json && !o->status_line &&
	            isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	bool utf8 = cli_locale_utf8();
	const char *log;

	int rc = CLI_EXIT_FAIL, timeout, port;
	bool tls;

	if (dash && !dashboard_usable(err, sizeof(err))) {
		/* said once, then the lines a pipe would get */
		cli_error(cmd,
		          "%s: printing lines instead of the dashboard "
		          "(as with --plain)",
		          err);
		dash = false;
		o->plain = true;
	}
	log = dash ? getenv("WSDASH_DEBUG") : NULL;

	if (demo != NULL) {
		/* The backend first: the endpoints need its port. */
		w = watcher_new(false, NULL, 3000, log, err, sizeof(err));
		if (w == NULL)
			goto fail;
		port = watcher_serve_demo(w, demo, err, sizeof(err));
		if (port < 0)
			goto fail;
		snprintf(server, sizeof(server), "http://127.0.0.1:%d", port);
		o->cl.server = server;
		if (!watch_config(o, &cfg, err, sizeof(err)))
			goto usage;
		/* its own backend: the layout of its flavor, every stream */
		{
			bool all[LAYOUT_NSTREAMS];
			enum layout l = demo->flavor == SERVE_FLAVOR_TAC
			                    ? LAYOUT_V1
			                    : LAYOUT_LEGACY;

			memset(all, 1, sizeof(all));
			layout_add_set(&cfg, l, l == LAYOUT_V1 ? all : NULL);
			cfg.default_set = false;
			snprintf(cfg.layout, sizeof(cfg.layout),
			         "%s/ws/NAME (demo backend, %s flavor)",
			         l == LAYOUT_V1 ? "/api/v1" : "",
			         serve_flavor_name(demo->flavor));
		}
		snprintf(target, sizeof(target),
		         "demo backend %s (%s scenario)", server,
		         scenario_mode_name(demo->scenario));
	} else {
		if (!watch_config(o, &cfg, err, sizeof(err)))
			goto usage;
		/* no endpoints given: which layout does the server speak? */
		if (!layout_resolve(&cfg, cfg.timeout_ms, err, sizeof(err)))
			goto fail;
		watch_needs(&cfg, &timeout, &tls);
		w = watcher_new(tls, cfg.cacert, timeout, log, err,
		                sizeof(err));
		if (w == NULL)
			goto fail;
		watch_target(o, &cfg, target, sizeof(target));
	}
	if (!mon_init(&m, &cfg, clock_mono_us(), utf8)) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (!callbacks_init(&cb, &m, &cfg, o->on_change,
	                    o->on_change_timeout_ms, o->log_path, dash, cmd,
	                    err, sizeof(err))) {
		mon_done(&m);
		goto usage;
	}
	if (o->metrics != NULL &&
	    httpd_start(w, &m, &cfg, &(struct httpd_opts){.listen = o->metrics},
	                err, sizeof(err)) < 0) {
		callbacks_done(&cb);
		mon_done(&m);
		goto fail;
	}
	watch_signals(w);
	if (dash) {
		struct dash_opts dopt = {
		    .target = target,
		    .demo = demo != NULL,
		    .color = !o->cl.no_color && getenv("NO_COLOR") == NULL,
		    .bell = !o->no_bell,
		    .duration_ms = o->duration_ms,
		    .stop = watch_stop_flag(),
		    .changed = callbacks_changed,
		    .tick = callbacks_tick,
		    .chores = callbacks_chores,
		    .user = &cb,
		};

		rc = dashboard_run(w, &dopt, &cfg, &m);
	} else
		rc = watch_headless(w, o, &cfg, &m, &cb);
	callbacks_done(&cb);
	watch_w = NULL;
	watcher_free(w);
	mon_done(&m);
	config_free(&cfg);
	return rc;
usage:
	cli_error(cmd, "%s", err);
	watcher_free(w);
	config_free(&cfg);
	return CLI_EXIT_USAGE;
fail:
	cli_error(cmd, "%s", err);
	watcher_free(w);
	config_free(&cfg);
	return CLI_EXIT_FAIL;
}

int
watch_main(int argc, char **argv)
{
	struct watch_opts o = {0};
	char err[768];
	int r;

	r = watch_parse(argc, argv, &o, err, sizeof(err));
	if (r == 1) {
		watch_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (r < 0) {
		cli_error("watch", "%s (try 'wsdash watch --help')", err);
		return CLI_EXIT_USAGE;
	}
	return watch_run(&o, NULL, "watch");
}

void
demo_usage(FILE *f)
{
	fputs(
	    "usage: wsdash demo [options]\n"
	    "\n"
	    "The dashboard on the embedded demo backend, in one process:\n"
	    "streams go live, one falls back to polling every 15-25 s and\n"
	    "recovers, and now and then the whole backend restarts. Press x\n"
	    "to break (and again to restore) the selected stream.\n"
	    "\n"
	    "demo options:\n"
	    "  --flavor NAME      demo (default): /ws/NAME streams; tac: the\n"
	    "                     tac-webbuilder backend's eight\n"
	    "                     /api/v1/ws/NAME streams, broadcast\n"
	    "  --scenario NAME    outages (default), steady or flood\n"
	    "  --seed N           repeat the same outages (default: random)\n"
	    "  --speed X          run the outage clock X times faster\n"
	    "                     (default 1)\n"
	    "  --rate HZ          updates per second per stream (default 1)\n"
	    "  --count N          flood: updates per connection (default\n"
	    "                     100000)\n"
	    "  --port N           the backend's port (default: a free one)\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "and the display options of `wsdash watch` (--plain, --json,\n"
	    "--duration, --no-color, ...); not endpoints, --server or\n"
	    "--config: it watches its own backend.\n",
	    f);
}

/* Options that belong to the demo backend rather than to watch. */
static bool
demo_option(const char *a, size_t *namelen)
{
	static const char *const names[] = {"--seed",     "--speed", "--rate",
	                                    "--scenario", "--port",  "--count",
	                                    "--flavor",   NULL};

	for (const char *const *n = names; *n; n++) {
		size_t l = strlen(*n);

		if (strncmp(a, *n, l) == 0 && (a[l] == '\0' || a[l] == '=')) {
			*namelen = l;
			return true;
		}
	}
	return false;
}

int
demo_main(int argc, char **argv)
{
	struct serve_opts so;
	struct watch_opts o = {0};
	char **sargv = calloc((size_t)argc + 2, sizeof(*sargv));
	char **wargv = calloc((size_t)argc + 2, sizeof(*wargv));
	char err[768];
	int sargc = 1, wargc = 1, rc = CLI_EXIT_USAGE, r;

	if (sargv == NULL || wargv == NULL)
		goto out;
	sargv[0] = wargv[0] = argv[0];
	for (int i = 1; i < argc; i++) {
		size_t nl;

		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			demo_usage(stdout);
			rc = CLI_EXIT_OK;
			goto out;
		}
		if (demo_option(argv[i], &nl)) {
			sargv[sargc++] = argv[i];
			if (argv[i][nl] == '\0' && i + 1 < argc)
				sargv[sargc++] = argv[++i];
		} else {
			wargv[wargc++] = argv[i];
		}
	}
	serve_opts_default(&so);
	so.scenario = SCENARIO_OUTAGES;
	so.port = 0;
	if (serve_opts_parse(&so, sargc, sargv, err, sizeof(err)) !=
	    SERVE_PARSE_OK) {
		cli_error("demo", "%s", err);
		goto out;
	}
	r = watch_parse(wargc, wargv, &o, err, sizeof(err));
	o.cl.no_discovery = true; /* it watches its own backend */
	if (r < 0) {
		cli_error("demo", "%s (try 'wsdash demo --help')", err);
		goto out;
	}
	if (o.nendpoints > 0 || o.cl.server || o.cl.config_path) {
		fprintf(stderr, "wsdash demo: watches its own backend; use "
		                "'wsdash watch' for other endpoints\n");
		goto out;
	}
	rc = watch_run(&o, &so, "demo");
out:
	free(sargv);
	free(wargv);
	return rc;
}
