/*
 * exporter.c: `wsdash exporter`. The exporter's own options (--listen,
 * --probe-allow, --strict) are taken out of argv; the rest are `watch`
 * options and endpoints, parsed by watch_parse(). Then the watcher runs
 * headless with the HTTP listener in its loop until a signal or
 * --duration stops it. It prints one line, "listening on ADDR:PORT", and
 * nothing per event: what happens is in /metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/callbacks.h"
#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/exporter.h"
#include "wsdash/httpd.h"
#include "wsdash/layout.h"
#include "wsdash/mon.h"
#include "wsdash/watch.h"
#include "wsdash/watcher.h"

void
exporter_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: wsdash exporter [--listen ADDR:PORT]\n"
	    "                       [--probe-allow PATTERN]...\n"
	    "                       [watch options] [ENDPOINT...]\n"
	    "\n"
	    "Watch every endpoint as `wsdash watch` does, without a screen,\n"
	    "and serve over HTTP for Prometheus:\n"
	    "  /metrics          state, counters and RTT histograms per\n"
	    "                    endpoint\n"
	    "  /probe?target=U   one upgrade check of ws(s):// URL U (or a\n"
	    "                    watched endpoint's name), blackbox_exporter\n"
	    "                    style; &timeout_ms=N (at most --timeout)\n"
	    "  /healthz          200 ok\n"
	    "\n"
	    "exporter options:\n"
	    "  --listen ADDR:PORT   where to serve (default 127.0.0.1:%d);\n"
	    "                       PORT alone is loopback, :PORT every\n"
	    "                       address, [ADDR]:PORT IPv6, port 0 a\n"
	    "                       free one\n"
	    "  --probe-allow PAT    /probe may check URLs matching this shell\n"
	    "                       pattern (repeatable; e.g.\n"
	    "                       'wss://*.example.com/*'). Without it: any\n"
	    "                       URL on loopback, else only the watched\n"
	    "                       endpoints\n"
	    "  --strict             a 426 answer fails a probe\n"
	    "\n"
	    "and every `wsdash watch` option but --plain, --json and\n"
	    "--status-line (--duration, --ping-interval, --config, -H,\n"
	    "--on-change, --log, ...); pings go every 5 s (stale after 15 s\n"
	    "without a pong) unless --ping-interval/--ping-timeout or the\n"
	    "config say otherwise. The first line on stdout is 'listening on\n"
	    "ADDR:PORT'. `watch --metrics ADDR:PORT` and `demo --metrics\n"
	    "ADDR:PORT` serve the same next to the dashboard.\n",
	    HTTPD_DEFAULT_PORT);
}

/* Options of the exporter itself (with a value, except --strict). */
static bool
exporter_option(const char *a, const char *name, size_t *namelen)
{
	size_t l = strlen(name);

	if (strncmp(a, name, l) == 0 && (a[l] == '\0' || a[l] == '=')) {
		*namelen = l;
		return true;
	}
	return false;
}

/* Split argv into ours (into ho) and watch's (into wargv). -1: usage. */
static int
exporter_split(int argc, char **argv, struct httpd_opts *ho, const char **allow,
               char **wargv, int *wargc)
{
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		size_t nl;
		bool listen = exporter_option(argv[i], "--listen", &nl);
		bool pat =
		    !listen && exporter_option(argv[i], "--probe-allow", &nl);

		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
		if (strcmp(argv[i], "--strict") == 0) {
			ho->strict = true;
			continue;
		}
		if (!listen && !pat) {
			wargv[(*wargc)++] = argv[i];
			continue;
		}
		if (argv[i][nl] == '=')
			v = argv[i] + nl + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		if (v == NULL || v[0] == '\0') {
			cli_error("exporter", "%.20s needs a value", argv[i]);
			return -1;
		}
		if (listen) {
			ho->listen = v;
		} else if (ho->nallow >= HTTPD_MAX_PATTERNS) {
			cli_error("exporter", "at most %d --probe-allow",
			          HTTPD_MAX_PATTERNS);
			return -1;
		} else {
			allow[ho->nallow++] = v;
		}
	}
	return 0;
}

/* Watch with o, serving ho, until stopped. */
#define EXPORTER_PING_MS 5000

static int
exporter_run(struct watch_opts *o, const struct httpd_opts *ho)
{
	struct config cfg = {0};
	struct watcher *w = NULL;
	struct mon m = {0};
	struct callbacks cb;
	struct watcher_hooks hooks = {.user = &cb,
	                              .changed = callbacks_changed,
	                              .tick = callbacks_tick,
	                              .tick_ms = 1000,
	                              .chores = callbacks_chores};
	char err[768], addr[64];
	int rc = CLI_EXIT_FAIL, timeout, port;
	bool tls;

	/* a bad --listen is a usage error, found before any network */
	if (!httpd_parse_listen(ho->listen, addr, sizeof(addr), &port, err,
	                        sizeof(err)) ||
	    !watch_config(o, &cfg, err, sizeof(err))) {
		cli_error("exporter", "%s", err);
		config_free(&cfg);
		return CLI_EXIT_USAGE;
	}
	/*
	 * A fleet's pace: a ping every 5 s (15 s without a pong: stale), not
	 * the dashboard's every second, unless asked. 10,000 endpoints pinged
	 * every second cost 15 % of a core in lws's poll() loop alone.
	 */
	if (o->ping_interval_ms == 0 && cfg.ping_interval_ms == 1000)
		cfg.ping_interval_ms = EXPORTER_PING_MS;
	if (o->ping_timeout_ms == 0 && cfg.ping_timeout_ms == 3000)
		cfg.ping_timeout_ms = 3 * cfg.ping_interval_ms;
	if (!layout_resolve(&cfg, cfg.timeout_ms, err, sizeof(err)))
		goto fail;
	watch_needs(&cfg, &timeout, &tls);
	w = watcher_new(tls, cfg.cacert, timeout, NULL, err, sizeof(err));
	if (w == NULL)
		goto fail;
	if (!mon_init(&m, &cfg, clock_mono_us(), cli_locale_utf8())) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (!callbacks_init(&cb, &m, &cfg, o->on_change,
	                    o->on_change_timeout_ms, o->log_path, false,
	                    "exporter", err, sizeof(err))) {
		/* a --log that cannot be opened: a usage error, as in watch */
		cli_error("exporter", "%s", err);
		mon_done(&m);
		watcher_free(w);
		config_free(&cfg);
		return CLI_EXIT_USAGE;
	}
	port = httpd_start(w, &m, &cfg, ho, err, sizeof(err));
	if (port < 0) {
		callbacks_done(&cb);
		mon_done(&m);
		goto fail;
	}
	watch_signals(w);
	printf(strchr(addr, ':') ? "listening on [%s]:%d\n"
	                         : "listening on %s:%d\n",
	       addr[0] ? addr : "*", port);
	printf("watching %zu endpoint%s; metrics at /metrics\n", cfg.neps,
	       cfg.neps == 1 ? "" : "s");
	fflush(stdout);
	rc = CLI_EXIT_OK;
	if (watcher_run(w, &cfg, &m, &hooks, watch_stop_flag(), o->duration_ms,
	                err, sizeof(err)) < 0) {
		cli_error("exporter", "%s", err);
		rc = CLI_EXIT_FAIL;
	}
	callbacks_done(&cb);
	watcher_free(w);
	mon_done(&m);
	config_free(&cfg);
	return rc;
fail:
	cli_error("exporter", "%s", err);
	watcher_free(w);
	config_free(&cfg);
	return CLI_EXIT_FAIL;
}

int
exporter_main(int argc, char **argv)
{
	static char listen[32];
	const char *allow[HTTPD_MAX_PATTERNS];
	struct httpd_opts ho = {.allow = allow};
	struct watch_opts o = {0};
	char **wargv = calloc((size_t)argc + 1, sizeof(*wargv));
	char err[768];
	int wargc = 1, rc = CLI_EXIT_USAGE, r;

	if (wargv == NULL)
		return CLI_EXIT_FAIL;
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", HTTPD_DEFAULT_PORT);
	ho.listen = listen;
	wargv[0] = argv[0];
	r = exporter_split(argc, argv, &ho, allow, wargv, &wargc);
	if (r == 1) {
		exporter_usage(stdout);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (r < 0)
		goto out;
	r = watch_parse(wargc, wargv, &o, err, sizeof(err));
	if (r == 1) {
		exporter_usage(stdout);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (r < 0) {
		cli_error("exporter", "%s (try 'wsdash exporter --help')", err);
		goto out;
	}
	if (o.plain || o.cl.json || o.status_line) {
		cli_error("exporter",
		          "prints no lines (--plain, --json, --status-line): "
		          "its output is "
		          "/metrics; 'wsdash watch --metrics ADDR:PORT' does "
		          "both");
		goto out;
	}
	rc = exporter_run(&o, &ho);
out:
	free(wargv);
	return rc;
}
