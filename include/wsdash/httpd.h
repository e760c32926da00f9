/*
 * httpd: the exporter's HTTP side, served from the watcher's own event loop
 * (a listening vhost in its lws context: no thread, no second loop).
 *
 *   GET /metrics   the model as Prometheus text (metrics.h)
 *   GET /probe?target=ws://...|NAME[&timeout_ms=N]
 *                  one `check` of the target, blackbox_exporter style
 *   GET /healthz   200 "ok"
 *   GET /          a short HTML page linking to the others
 *
 * HEAD is answered too; other methods get 405, unknown paths 404, a
 * /probe without a usable target= or timeout_ms= 400. Requests whose
 * headers take longer than HTTPD_HEADER_SECS, or pass lws's header limit,
 * are cut off; an answer not taken by the client within HTTPD_SEND_SECS is
 * dropped.
 */
#ifndef WSDASH_HTTPD_H
#define WSDASH_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "wsdash/config.h"
#include "wsdash/mon.h"

/*
 * The default port. Prometheus's list of exporter ports (9100-9999) has
 * been full since 2023; 10890 is outside it, outside the ephemeral range,
 * and not in /etc/services.
 */
#define HTTPD_DEFAULT_PORT 10890
#define HTTPD_HEADER_SECS  5    /* whole request headers within */
#define HTTPD_SEND_SECS    30   /* an answer must be taken within */
#define HTTPD_MAX_BODIES   8    /* /metrics answers being sent at once */
#define HTTPD_MAX_PROBES   32   /* /probe checks in flight at once */
#define HTTPD_MAX_TARGET   2400 /* bytes of a target= value */
#define HTTPD_MAX_PATTERNS 64   /* --probe-allow patterns */

struct watcher;

struct httpd_opts {
	const char *listen; /* ADDR:PORT (see httpd_parse_listen) */
	/*
	 * fnmatch(3) patterns for /probe targets (the URL as wsdash writes
	 * it). None given: any target when listening on loopback, else only
	 * the watched endpoints (by name or URL).
	 */
	const char *const *allow;
	size_t nallow;
	bool strict; /* 426 fails the probe (check --strict) */
};

/*
 * Parse a listen address: "PORT" and "localhost:PORT" are 127.0.0.1,
 * "ADDR:PORT" a numeric IPv4 address, "[ADDR]:PORT" a numeric IPv6 one,
 * ":PORT" every address. PORT 0 picks a free port. addr gets the numeric
 * address, "" for every address. Pure. Returns false with a reason in err.
 */
bool httpd_parse_listen(const char *s, char *addr, size_t addrlen, int *port,
                        char *err, size_t errlen);

/*
 * Start serving on o->listen in w's loop, showing m (built from c; both
 * must outlive the loop). Everything is freed with the watcher. Returns
 * the port listened on, or -1 with a reason in err (bad address, port in
 * use, out of memory).
 */
int httpd_start(struct watcher *w, const struct mon *m, const struct config *c,
                const struct httpd_opts *o, char *err, size_t errlen);

#endif
