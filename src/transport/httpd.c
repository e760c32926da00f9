/*
 * httpd.c: the exporter's HTTP listener, a vhost in the watcher's lws
 * context; see httpd.h.
 *
 * Each request gets its answer into a buffer first (the metrics text, a
 * probe's result, a short text), then the loop sends the headers and the
 * body in large slices as the socket takes them, so a scrape of 10,000
 * endpoints costs a few passes of the loop, and a client that stops
 * reading holds one buffer until HTTPD_SEND_SECS cut it off. A /probe
 * answer waits for its check (prober_start(), in this same loop); a client
 * that goes away first cancels it. The /metrics buffer is kept for the
 * next scrape, so its memory is not faulted in again every second.
 *
 * Per connection state is lws's per-session data (struct hconn); the
 * server's (struct httpd) is the vhost's user data, freed when lws tears
 * the vhost down with the context (after every connection has closed).
 */
#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/check.h"
#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/httpd.h"
#include "wsdash/metrics.h"
#include "wsdash/procstat.h"
#include "wsdash/prober.h"
#include "wsdash/sanitize.h"
#include "wsdash/version.h"
#include "net.h"
#include "watcher_int.h"

/*
 * Body bytes handed to lws per write, and lws's cap on one send
 * (tx_packet_size: by default it is the 4 KiB rx buffer, and a 35 MB
 * answer then took one loop pass per 4 KiB).
 */
#define SLICE (4 * 1024 * 1024)

struct httpd {
	struct lws_context *ctx;
	const struct mon *m;
	const struct config *c;
	char **allow; /* --probe-allow patterns (copies) */
	size_t nallow;
	bool loopback; /* listening on loopback only */
	bool strict;
	int max_timeout_ms; /* what lws's own timeouts leave to a probe */
	struct mbuf spare;  /* a /metrics buffer kept for the next scrape */
	unsigned bodies;    /* /metrics answers being sent */
	unsigned probes;    /* /probe checks in flight */
};

struct hconn;

/* One /probe in flight: the target and the check's row. */
struct hprobe {
	struct hconn *hc;
	struct endpoint_cfg ep; /* a copy: pointers into the config, or none */
	struct check_row row;
	struct prober *p;
};

/* One HTTP connection (lws per-session data, zeroed by lws). */
struct hconn {
	struct httpd *h;
	struct lws *wsi;
	int status;
	const char *ctype;
	const char *allow; /* Allow: header of a 405 */
	bool head;         /* HEAD: headers only */
	bool ready;        /* the answer is complete: send it */
	bool hdr_sent;
	bool close_after; /* a request we will not read on from */
	bool metrics;     /* holds one of h->bodies */
	struct mbuf body; /* LWS_PRE bytes, then the body */
	size_t off;       /* next byte of body to send */
	struct hprobe *probe;
};

static const char index_html[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<title>wsdash exporter</title></head>\n<body>\n"
    "<h1>wsdash exporter</h1>\n"
    "<p>Live WebSocket endpoint status for Prometheus.</p>\n<ul>\n"
    "<li><a href=\"/metrics\">/metrics</a>: every watched endpoint</li>\n"
    "<li><a href=\"/probe?target=\">/probe?target=ws://...</a>: one "
    "upgrade check, blackbox_exporter style</li>\n"
    "<li><a href=\"/healthz\">/healthz</a></li>\n"
    "</ul>\n</body></html>\n";

/* ---- answers ---------------------------------------------------------- */

/* Empty c's body, keeping the LWS_PRE bytes lws may write before it. */
static void
body_start(struct hconn *hc)
{
	static const char pre[LWS_PRE];

	mbuf_reset(&hc->body);
	mbuf_add(&hc->body, pre, sizeof(pre));
}

/* The answer is ready: send it when the socket is writeable. */
static void
answer_ready(struct hconn *hc, int status, const char *ctype)
{
	hc->status = status;
	hc->ctype = ctype;
	hc->ready = true;
	/* a client that does not take the answer does not keep it forever */
	lws_set_timeout(hc->wsi, PENDING_TIMEOUT_HTTP_CONTENT, HTTPD_SEND_SECS);
	lws_callback_on_writable(hc->wsi);
}

static void
answer_text(struct hconn *hc, int status, const char *text)
{
	body_start(hc);
	mbuf_puts(&hc->body, text);
	mbuf_add(&hc->body, "\n", 1);
	answer_ready(hc, status, "text/plain; charset=utf-8");
}

/* Give back what the answer held (idempotent). */
static void
hconn_release(struct hconn *hc)
{
	struct httpd *h = hc->h;

	if (hc->probe != NULL) {
		prober_free(hc->probe->p);
		free(hc->probe);
		hc->probe = NULL;
		h->probes--;
	}
	if (hc->metrics) {
		hc->metrics = false;
		h->bodies--;
		/* keep the biggest buffer for the next scrape */
		if (hc->body.cap > h->spare.cap) {
			mbuf_free(&h->spare);
			h->spare = hc->body;
			memset(&hc->body, 0, sizeof(hc->body));
		}
	}
	mbuf_free(&hc->body);
	hc->ready = hc->hdr_sent = false;
	hc->off = 0;
	hc->allow = NULL;
}

/* The answer is out: next request on the connection, or close (-1). */
static int
hconn_finish(struct lws *wsi, struct hconn *hc)
{
	bool close = hc->close_after;

	hconn_release(hc);
	if (close)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* Headers first, then the body a slice per writeable callback. */
static int
hconn_writeable(struct lws *wsi, struct hconn *hc)
{
	size_t left, n;

	if (!hc->ready)
		return 0;
	if (!hc->hdr_sent) {
		unsigned char buf[LWS_PRE + 512];
		unsigned char *start = buf + LWS_PRE, *p = start,
		              *end = buf + sizeof(buf) - 1;
		size_t len = hc->body.len - LWS_PRE;

		if (lws_add_http_common_headers(wsi, (unsigned)hc->status,
		                                hc->ctype, len, &p, end) ||
		    lws_add_http_header_by_name(
		        wsi, (const unsigned char *)"cache-control:",
		        (const unsigned char *)"no-store", 8, &p, end) ||
		    (hc->allow != NULL &&
		     lws_add_http_header_by_name(
		         wsi, (const unsigned char *)"allow:",
		         (const unsigned char *)hc->allow,
		         (int)strlen(hc->allow), &p, end)) ||
		    (hc->close_after &&
		     lws_add_http_header_by_name(
		         wsi, (const unsigned char *)"connection:",
		         (const unsigned char *)"close", 5, &p, end)) ||
		    lws_finalize_write_http_header(wsi, start, &p, end))
			return -1;
		hc->hdr_sent = true;
		hc->off = LWS_PRE;
		if (hc->head || len == 0)
			return hconn_finish(wsi, hc);
		lws_callback_on_writable(wsi);
		return 0;
	}
	/* (lws may write into the LWS_PRE bytes before the slice: those
	 * were sent already) */
	left = hc->body.len - hc->off;
	n = left < SLICE ? left : SLICE;
	if (lws_write(wsi, (unsigned char *)hc->body.p + hc->off, n,
	              n == left ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) <
	    (int)n)
		return -1;
	hc->off += n;
	if (n == left)
		return hconn_finish(wsi, hc);
	lws_callback_on_writable(wsi);
	return 0;
}

/* ---- /metrics --------------------------------------------------------- */

static void
serve_metrics(struct hconn *hc)
{
	struct httpd *h = hc->h;
	struct metrics_proc proc;

	if (h->bodies >= HTTPD_MAX_BODIES) {
		answer_text(hc, 503, "busy: too many scrapes at once");
		return;
	}
	h->bodies++;
	hc->metrics = true;
	if (h->spare.cap > 0) {
		hc->body = h->spare;
		memset(&h->spare, 0, sizeof(h->spare));
	}
	body_start(hc);
	procstat_read(&proc);
	if (!metrics_render(&hc->body, h->m, clock_mono_us(), clock_wall_ms(),
	                    &proc, WSDASH_VERSION)) {
		answer_text(hc, 500, "out of memory rendering the metrics");
		return;
	}
	answer_ready(hc, 200, METRICS_CONTENT_TYPE);
}

/* ---- /probe ----------------------------------------------------------- */

/* The answer of a probe that was not made (why: a sentence). */
static void
probe_refused(struct hconn *hc, const char *why)
{
	struct metrics_probe mp = {.cls = -1, .why = why};

	body_start(hc);
	metrics_render_probe(&hc->body, &mp);
	answer_ready(hc, 200, METRICS_CONTENT_TYPE);
}

static void
probe_done(void *user)
{
	struct hconn *hc = user;
	struct hprobe *hp = hc->probe;
	struct check_row *r = &hp->row;
	struct metrics_probe mp;

	check_finish_row(r, hc->h->strict, hc->h->c->insecure);
	mp.success = r->pass;
	mp.duration_s = r->obs.elapsed_ms / 1000.0;
	mp.http_status = r->obs.http_status;
	mp.cls = (int)r->cls;
	mp.why = r->detail;
	body_start(hc);
	metrics_render_probe(&hc->body, &mp);
	answer_ready(hc, 200, METRICS_CONTENT_TYPE);
}

/* The watched endpoint named t, or whose URL is t; NULL if none. */
static const struct endpoint_cfg *
watched(const struct config *c, const char *t, const struct url *u)
{
	char s[URL_HOST_MAX + URL_PATH_MAX + 16];

	for (size_t i = 0; i < c->neps; i++) {
		if (strcmp(c->eps[i].name, t) == 0)
			return &c->eps[i];
		if (u != NULL) {
			url_format(&c->eps[i].ws, s, sizeof(s));
			if (strcmp(s, t) == 0)
				return &c->eps[i];
		}
	}
	return NULL;
}

/* Whether a target that is not a watched endpoint may be probed. */
static bool
probe_allowed(const struct httpd *h, const char *norm)
{
	if (h->nallow == 0)
		return h->loopback;
	for (size_t i = 0; i < h->nallow; i++)
		if (fnmatch(h->allow[i], norm, 0) == 0)
			return true;
	return false;
}

/*
 * The timeout of a probe: timeout_ms= if given (400 if bad), else the
 * endpoint's, within what Prometheus waits (its scrape timeout header,
 * less half a second) and what lws's own timeouts leave. -1 after
 * answering a bad value.
 */
static int
probe_timeout(struct hconn *hc, struct lws *wsi, const struct endpoint_cfg *ep)
{
	struct httpd *h = hc->h;
	char buf[64], err[128];
	const char *v;
	int64_t ms = config_timeout(h->c, ep);
	double scrape;

	v = lws_get_urlarg_by_name(wsi, "timeout_ms=", buf, sizeof(buf));
	if (v != NULL && !cli_parse_i64("timeout_ms", v, 1, 3600000, &ms, err,
	                                sizeof(err))) {
		answer_text(hc, 400, err);
		return -1;
	}
	if (lws_hdr_custom_copy(wsi, buf, sizeof(buf),
	                        "x-prometheus-scrape-timeout-seconds:", 36) >
	    0) {
		scrape = strtod(buf, NULL);
		if (scrape > 1 && scrape < 3600 && ms > scrape * 1000 - 500)
			ms = (int64_t)(scrape * 1000 - 500);
	}
	return ms > h->max_timeout_ms ? h->max_timeout_ms : (int)ms;
}

static void
serve_probe(struct hconn *hc, struct lws *wsi)
{
	struct httpd *h = hc->h;
	char buf[HTTPD_MAX_TARGET + 16], norm[URL_HOST_MAX + URL_PATH_MAX + 16];
	char why[URL_HOST_MAX + URL_PATH_MAX + 256], clean[160], err[128];
	const struct endpoint_cfg *ep;
	const char *t;
	struct hprobe *hp;
	struct url u;
	bool is_url;
	int timeout;

	t = lws_get_urlarg_by_name(wsi, "target=", buf, sizeof(buf));
	if (t == NULL || t[0] == '\0') {
		snprintf(why, sizeof(why),
		         "target= is missing, empty or longer than %d bytes "
		         "(/probe?target=ws://host:port/path or a watched "
		         "endpoint's name)",
		         HTTPD_MAX_TARGET);
		answer_text(hc, 400, why);
		return;
	}
	/* quoted back: no password, no control characters */
	url_redact(t, why, sizeof(why));
	sanitize_text(clean, sizeof(clean), why, strlen(why), true);
	is_url = strstr(t, "://") != NULL;
	if (is_url && !url_parse(t, &u, err, sizeof(err))) {
		snprintf(why, sizeof(why), "invalid target '%s': %s", clean,
		         err);
		probe_refused(hc, why);
		return;
	}
	if (is_url && u.scheme != URL_WS && u.scheme != URL_WSS) {
		snprintf(why, sizeof(why),
		         "invalid target '%s': not a ws:// or wss:// URL",
		         clean);
		probe_refused(hc, why);
		return;
	}
	if (is_url)
		url_format(&u, norm, sizeof(norm));
	ep = watched(h->c, is_url ? norm : t, is_url ? &u : NULL);
	if (ep == NULL && !is_url) {
		snprintf(why, sizeof(why),
		         "unknown target '%s': not a watched endpoint's name, "
		         "nor a ws:// or wss:// URL",
		         clean);
		probe_refused(hc, why);
		return;
	}
	if (ep == NULL && !probe_allowed(h, norm)) {
		snprintf(why, sizeof(why),
		         "target '%s' is not allowed: not a watched endpoint, "
		         "and %s",
		         clean,
		         h->nallow ? "no --probe-allow pattern matches it"
		                   : "the exporter listens beyond loopback "
		                     "without --probe-allow");
		probe_refused(hc, why);
		return;
	}
	if (h->probes >= HTTPD_MAX_PROBES) {
		answer_text(hc, 503, "busy: too many probes at once");
		return;
	}
	hp = calloc(1, sizeof(*hp));
	if (hp == NULL) {
		answer_text(hc, 500, "out of memory");
		return;
	}
	if (ep != NULL) {
		hp->ep = *ep; /* its headers and poll URL stay the config's */
	} else {
		hp->ep.name = "probe";
		hp->ep.ws = u;
		hp->ep.required = true;
	}
	timeout = probe_timeout(hc, wsi, &hp->ep);
	if (timeout < 0) {
		free(hp);
		return;
	}
	hp->ep.timeout_ms = timeout;
	hp->row.ep = &hp->ep;
	hp->hc = hc;
	hc->probe = hp;
	h->probes++;
	hp->p = prober_start(h->ctx, h->c, &hp->row, 1, probe_done, hc, err,
	                     sizeof(err));
	if (hp->p == NULL) {
		hconn_release(hc);
		answer_text(hc, 500, err);
	}
}

/* ---- requests --------------------------------------------------------- */

static int
http_request(struct hconn *hc, struct lws *wsi)
{
	char *uri = NULL;
	int ulen = 0;
	int meth = lws_http_get_uri_and_method(wsi, &uri, &ulen);
	char path[64];

	hconn_release(hc);
	hc->wsi = wsi;
	hc->head = false;
	/* a body we do not want: answer, then close rather than read it */
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ||
	    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
		hc->close_after = true;
	if (meth < 0 || uri == NULL || ulen <= 0) {
		hc->close_after = true;
		answer_text(hc, 400, "bad request");
		return 0;
	}
	if (meth != LWSHUMETH_GET && meth != LWSHUMETH_HEAD) {
		hc->close_after = true;
		hc->allow = "GET, HEAD";
		answer_text(hc, 405, "method not allowed: GET or HEAD");
		return 0;
	}
	hc->head = meth == LWSHUMETH_HEAD;
	snprintf(path, sizeof(path), "%.*s", ulen < 63 ? ulen : 63, uri);
	if ((size_t)ulen >= sizeof(path))
		path[0] = '\0'; /* no path of ours is that long */
	if (strcmp(path, "/metrics") == 0)
		serve_metrics(hc);
	else if (strcmp(path, "/probe") == 0)
		serve_probe(hc, wsi);
	else if (strcmp(path, "/healthz") == 0)
		answer_text(hc, 200, "ok");
	else if (strcmp(path, "/") == 0) {
		body_start(hc);
		mbuf_puts(&hc->body, index_html);
		answer_ready(hc, 200, "text/html; charset=utf-8");
	} else
		answer_text(hc, 404, "not found: /metrics, /probe, /healthz");
	return 0;
}

static int
httpd_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
               void *in, size_t len)
{
	struct lws_vhost *vh = wsi ? lws_get_vhost(wsi) : NULL;
	struct httpd *h = vh ? lws_get_vhost_user(vh) : NULL;
	struct hconn *hc = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP_BIND_PROTOCOL:
		if (hc != NULL) {
			hc->h = h;
			hc->wsi = wsi;
		}
		break;
	case LWS_CALLBACK_HTTP:
		if (hc == NULL || h == NULL)
			return -1;
		hc->h = h;
		return http_request(hc, wsi);
	case LWS_CALLBACK_HTTP_BODY:
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return 0; /* nothing here takes a body (we close after) */
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return hc != NULL && hc->h != NULL ? hconn_writeable(wsi, hc)
		                                   : -1;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (hc != NULL && hc->h != NULL)
			hconn_release(hc);
		break;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return -1; /* no WebSocket here */
	case LWS_CALLBACK_PROTOCOL_DESTROY:
		if (h != NULL) {
			for (size_t i = 0; i < h->nallow; i++)
				free(h->allow[i]);
			free(h->allow);
			mbuf_free(&h->spare);
			free(h);
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols httpd_protocols[] = {
    {"wsdash-exporter", httpd_callback, sizeof(struct hconn), 4096, 0, NULL,
     SLICE},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- set-up ----------------------------------------------------------- */

bool
httpd_parse_listen(const char *s, char *addr, size_t addrlen, int *port,
                   char *err, size_t errlen)
{
	char host[64], tmp[16];
	const char *colon = strrchr(s, ':'), *ps;
	int64_t p;
	unsigned char bin[16];

	if (colon == NULL) {
		snprintf(host, sizeof(host), "127.0.0.1");
		ps = s;
	} else if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close + 1 != colon ||
		    (size_t)(close - s - 1) >= sizeof(host)) {
			snprintf(err, errlen, "'%.64s': use [IPv6]:PORT", s);
			return false;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1),
		         s + 1);
		if (inet_pton(AF_INET6, host, bin) != 1) {
			snprintf(err, errlen,
			         "'%.64s': not a numeric IPv6 address", host);
			return false;
		}
		ps = colon + 1;
	} else {
		if ((size_t)(colon - s) >= sizeof(host)) {
			snprintf(err, errlen, "'%.64s': address too long", s);
			return false;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
		if (strcmp(host, "localhost") == 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		if (host[0] != '\0' && inet_pton(AF_INET, host, bin) != 1) {
			snprintf(err, errlen,
			         "'%.64s': not a numeric IPv4 address (IPv6: "
			         "[ADDR]:PORT)",
			         host);
			return false;
		}
		ps = colon + 1;
	}
	if (!cli_parse_i64("port", ps, 0, 65535, &p, err, errlen))
		return false;
	(void)tmp;
	*port = (int)p;
	snprintf(addr, addrlen, "%s", host);
	return true;
}

/* Whether a numeric address is loopback (127/8, ::1). */
static bool
is_loopback(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0;
}

int
httpd_start(struct watcher *w, const struct mon *m, const struct config *c,
            const struct httpd_opts *o, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	char addr[64];
	struct httpd *h;
	struct lws_vhost *vh;
	int port;

	if (!httpd_parse_listen(o->listen, addr, sizeof(addr), &port, err,
	                        errlen))
		return -1;
	h = calloc(1, sizeof(*h));
	if (h == NULL || (o->nallow > 0 &&
	                  !(h->allow = calloc(o->nallow, sizeof(char *))))) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < o->nallow; i++)
		if ((h->allow[h->nallow] = strdup(o->allow[i])) != NULL)
			h->nallow++;
	h->ctx = w->ctx;
	h->m = m;
	h->c = c;
	h->strict = o->strict;
	h->loopback = is_loopback(addr);
	/* lws's own handshake timeouts are sized from the largest one */
	h->max_timeout_ms = c->timeout_ms;
	for (size_t i = 0; i < c->neps; i++)
		if (config_timeout(c, &c->eps[i]) > h->max_timeout_ms)
			h->max_timeout_ms = config_timeout(c, &c->eps[i]);

	memset(&info, 0, sizeof(info));
	info.vhost_name = "wsdash-exporter";
	info.port = port;
	info.iface = addr[0] ? addr : NULL;
	info.protocols = httpd_protocols;
	info.user = h;
	info.keepalive_timeout = HTTPD_HEADER_SECS;
	info.timeout_secs_ah_idle = HTTPD_HEADER_SECS;
	info.options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	if (addr[0] && strchr(addr, ':') == NULL)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	vh = lws_create_vhost(w->ctx, &info);
	if (vh == NULL) {
		snprintf(err, errlen,
		         "cannot listen on %s:%d (in use, or not an address "
		         "of this machine)",
		         addr[0] ? addr : "*", port);
		/* (a vhost that failed frees nothing of ours) */
		for (size_t i = 0; i < h->nallow; i++)
			free(h->allow[i]);
		free(h->allow);
		free(h);
		return -1;
	}
	return lws_get_vhost_listen_port(vh);
}
