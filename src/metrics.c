/*
 * metrics.c: the Prometheus text exposition of the model; see metrics.h.
 *
 * Families are written one after the other, each walking every endpoint,
 * so that a family's samples form one group as the format requires. At
 * 10,000 endpoints that is some 600,000 lines per scrape, so the hot path
 * avoids printf: integers and fixed-point seconds are formatted by hand,
 * and each endpoint's escaped label is made once per render.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/metrics.h"

/* ---- the buffer ------------------------------------------------------- */

void
mbuf_reset(struct mbuf *b)
{
	b->len = 0;
	b->full = false;
}

void
mbuf_free(struct mbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Room for n more bytes (and a NUL); false if it cannot be had. */
static bool
mbuf_room(struct mbuf *b, size_t n)
{
	size_t max = b->max ? b->max : METRICS_MAX_BYTES, need, cap;
	char *p;

	if (b->full)
		return false;
	if (n < b->cap - b->len)
		return true;
	if (n >= max || b->len >= max - n) {
		b->full = true;
		return false;
	}
	need = b->len + n + 1; /* <= max */
	cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap = cap > max / 2 ? max : cap * 2;
	if (cap > max)
		cap = max;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->full = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
mbuf_add(struct mbuf *b, const char *s, size_t n)
{
	if (!mbuf_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
mbuf_puts(struct mbuf *b, const char *s)
{
	mbuf_add(b, s, strlen(s));
}

void
mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		mbuf_add(b, small, (size_t)n);
		return;
	}
	if (!mbuf_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- values ----------------------------------------------------------- */

static void
put_u64(struct mbuf *b, uint64_t v)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	mbuf_add(b, d + i, sizeof(d) - i);
}

/* v / 10^dec with dec decimals ("12.000345"): exact, no float rounding. */
static void
put_fixed(struct mbuf *b, int64_t v, int dec)
{
	uint64_t u, scale = 1;
	char frac[24];

	for (int i = 0; i < dec; i++)
		scale *= 10;
	if (v < 0) {
		mbuf_add(b, "-", 1);
		u = (uint64_t)(-(v + 1)) + 1;
	} else {
		u = (uint64_t)v;
	}
	put_u64(b, u / scale);
	u %= scale;
	frac[0] = '.';
	for (int i = dec; i > 0; i--) {
		frac[i] = (char)('0' + u % 10);
		u /= 10;
	}
	mbuf_add(b, frac, (size_t)dec + 1);
}

/* A float as Prometheus reads it (+Inf, -Inf, NaN spelled its way). */
static void
put_double(struct mbuf *b, double v)
{
	if (isnan(v))
		mbuf_puts(b, "NaN");
	else if (isinf(v))
		mbuf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else
		mbuf_printf(b, "%.9g", v);
}

/* ---- labels ----------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, above U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void
metrics_escape(struct mbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		size_t l = utf8_len(u + i, n - i);
		const char *rep = NULL;

		if (l == 0)
			rep = "\xEF\xBF\xBD"; /* U+FFFD */
		else if (u[i] == '\\')
			rep = "\\\\";
		else if (u[i] == '"')
			rep = "\\\"";
		else if (u[i] == '\n')
			rep = "\\n";
		if (rep == NULL) {
			i += l;
			continue;
		}
		mbuf_add(b, s + run, i - run);
		mbuf_puts(b, rep);
		i += l ? l : 1;
		run = i;
	}
	mbuf_add(b, s + run, n - run);
}

/* ---- families --------------------------------------------------------- */

static void
family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	mbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Each endpoint's `endpoint="NAME"`, escaped once per render. */
struct labels {
	struct mbuf text;
	size_t *off; /* n + 1 offsets into text */
};

static bool
labels_make(struct labels *l, const struct mon *m)
{
	memset(l, 0, sizeof(*l));
	l->off = malloc((m->n + 1) * sizeof(*l->off));
	if (l->off == NULL)
		return false;
	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->eps[i].cfg->name;

		l->off[i] = l->text.len;
		mbuf_puts(&l->text, "endpoint=\"");
		metrics_escape(&l->text, name, strlen(name));
		mbuf_add(&l->text, "\"", 1);
	}
	l->off[m->n] = l->text.len;
	return !l->text.full;
}

static void
labels_done(struct labels *l)
{
	mbuf_free(&l->text);
	free(l->off);
}

/* "name{endpoint="x"" of endpoint i: the caller closes the braces. */
static void
open_sample(struct mbuf *b, const char *name, size_t namelen,
            const struct labels *l, size_t i)
{
	mbuf_add(b, name, namelen);
	mbuf_add(b, "{", 1);
	mbuf_add(b, l->text.p + l->off[i], l->off[i + 1] - l->off[i]);
}

/*
 * A per-endpoint integer family: a uint64_t counter of struct mon_ep at
 * offset off, or (off < 0) one of the two gauges computed below.
 */
struct ufamily {
	const char *name, *type, *help;
	long off;
};

#define GAUGE_WEBSOCKET (-1)
#define GAUGE_FALLBACK  (-2)

static uint64_t
ufamily_value(const struct ufamily *f, const struct mon_ep *ep)
{
	if (f->off == GAUGE_WEBSOCKET)
		return !ep->paused && ep->mode == MON_MODE_WEBSOCKET;
	if (f->off == GAUGE_FALLBACK)
		return !ep->paused && mon_in_fallback(ep);
	return *(const uint64_t *)((const char *)ep + f->off);
}

#define COUNTER(field) ((long)offsetof(struct mon_ep, field))

static const struct ufamily ufamilies[] = {
    {"wsdash_endpoint_websocket", "gauge",
     "1 while the endpoint's WebSocket is open (live or stale).",
     GAUGE_WEBSOCKET},
    {"wsdash_endpoint_fallback", "gauge",
     "1 while the endpoint is in fallback (polling, or down).", GAUGE_FALLBACK},
    {"wsdash_fallbacks_total", "counter",
     "Times the WebSocket was lost or refused and fallback began.",
     COUNTER(fallbacks)},
    {"wsdash_reconnects_total", "counter",
     "Times the WebSocket opened again after having been open.",
     COUNTER(reconnects)},
    {"wsdash_messages_total", "counter",
     "Messages of the endpoint's own types received.", COUNTER(msgs)},
    {"wsdash_message_bytes_total", "counter",
     "Bytes of the endpoint's own messages, dropped ones included.",
     COUNTER(bytes)},
    {"wsdash_messages_dropped_total", "counter",
     "Messages over --max-message, counted and dropped.", COUNTER(dropped)},
    {"wsdash_other_messages_total", "counter",
     "Messages of other endpoints' types that arrived on this socket.",
     COUNTER(others)},
};

static void
render_ufamily(struct mbuf *b, const struct mon *m, const struct labels *l,
               const struct ufamily *f)
{
	size_t nl = strlen(f->name);

	family(b, f->name, f->type, f->help);
	for (size_t i = 0; i < m->n; i++) {
		open_sample(b, f->name, nl, l, i);
		mbuf_add(b, "} ", 2);
		put_u64(b, ufamily_value(f, &m->eps[i]));
		mbuf_add(b, "\n", 1);
	}
}

static void
render_info(struct mbuf *b, const struct mon *m, const struct labels *l)
{
	static const char name[] = "wsdash_endpoint_info";
	char u[URL_HOST_MAX + URL_PATH_MAX + 16];

	family(b, name, "gauge",
	       "A watched endpoint: its URL, the poll URL in use and whether "
	       "it is required (always 1).");
	for (size_t i = 0; i < m->n; i++) {
		const struct mon_ep *ep = &m->eps[i];
		size_t n;

		open_sample(b, name, sizeof(name) - 1, l, i);
		mbuf_puts(b, ",url=\"");
		n = url_format(&ep->cfg->ws, u, sizeof(u));
		metrics_escape(b, u, n < sizeof(u) ? n : sizeof(u) - 1);
		mbuf_puts(b, "\",poll_url=\"");
		if (ep->poll_url != NULL) {
			n = url_format(ep->poll_url, u, sizeof(u));
			metrics_escape(b, u, n < sizeof(u) ? n : sizeof(u) - 1);
		}
		mbuf_puts(b, ep->cfg->required ? "\",required=\"true\"} 1\n"
		                               : "\",required=\"false\"} 1\n");
	}
}

static void
render_states(struct mbuf *b, const struct mon *m, const struct labels *l)
{
	static const char name[] = "wsdash_endpoint_state";

	family(b, name, "gauge",
	       "1 for the endpoint's current state, 0 for the others.");
	for (size_t i = 0; i < m->n; i++) {
		const struct mon_ep *ep = &m->eps[i];

		for (int s = 0; s <= MON_NSTATES; s++) {
			bool on = s == MON_NSTATES
			              ? ep->paused
			              : !ep->paused && (int)ep->state == s;

			open_sample(b, name, sizeof(name) - 1, l, i);
			mbuf_puts(b, ",state=\"");
			mbuf_puts(b, s == MON_NSTATES
			                 ? "paused"
			                 : mon_state_name((enum mon_state)s));
			mbuf_puts(b, on ? "\"} 1\n" : "\"} 0\n");
		}
	}
}

static void
render_polls(struct mbuf *b, const struct mon *m, const struct labels *l)
{
	static const char name[] = "wsdash_polls_total";

	family(b, name, "counter",
	       "HTTP polls made in fallback, by result (ok: a 2xx answer).");
	for (size_t i = 0; i < m->n; i++) {
		const struct mon_ep *ep = &m->eps[i];

		open_sample(b, name, sizeof(name) - 1, l, i);
		mbuf_puts(b, ",result=\"ok\"} ");
		put_u64(b, ep->polls - ep->poll_failures);
		mbuf_add(b, "\n", 1);
		open_sample(b, name, sizeof(name) - 1, l, i);
		mbuf_puts(b, ",result=\"fail\"} ");
		put_u64(b, ep->poll_failures);
		mbuf_add(b, "\n", 1);
	}
}

static void
render_seconds(struct mbuf *b, const struct mon *m, const struct labels *l,
               int64_t now_us, bool ws)
{
	const char *name = ws ? "wsdash_websocket_seconds_total"
	                      : "wsdash_fallback_seconds_total";
	size_t nl = strlen(name);

	family(b, name, "counter",
	       ws ? "Time spent with the WebSocket open (paused time not "
	            "counted)."
	          : "Time spent in fallback, polling or down (paused time not "
	            "counted).");
	for (size_t i = 0; i < m->n; i++) {
		int64_t ws_us, fb_us;

		mon_time_totals(&m->eps[i], now_us, &ws_us, &fb_us);
		open_sample(b, name, nl, l, i);
		mbuf_add(b, "} ", 2);
		put_fixed(b, ws ? ws_us : fb_us, 6);
		mbuf_add(b, "\n", 1);
	}
}

/* The le="..." of each bucket, as the bounds in seconds. */
static const char *const le_text[MON_HIST_BUCKETS + 1] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
    "0.01",   "0.025",   "0.05",   "0.1",   "0.25",   "0.5",
    "1",      "2.5",     "5",      "10",    "+Inf"};

static void
render_hist(struct mbuf *b, const struct mon *m, const struct labels *l,
            bool poll)
{
	const char *name =
	    poll ? "wsdash_poll_rtt_seconds" : "wsdash_rtt_seconds";
	char bucket[48], sum[48], count[48];
	size_t nb, ns, nc;

	nb = (size_t)snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	ns = (size_t)snprintf(sum, sizeof(sum), "%s_sum", name);
	nc = (size_t)snprintf(count, sizeof(count), "%s_count", name);
	family(b, name, "histogram",
	       poll ? "Round trip of polls that got an HTTP answer."
	            : "WebSocket ping to pong round trip.");
	for (size_t i = 0; i < m->n; i++) {
		const struct mon_ep *ep = &m->eps[i];
		const uint64_t *h = poll ? ep->poll_hist : ep->rtt_hist;
		uint64_t cum = 0, n = 0;

		/* an endpoint's histogram appears with its first sample (as a
		 * client library's labelled child does): a healthy fleet that
		 * never polled sends no 19 lines of zeros per endpoint */
		for (int k = 0; k <= MON_HIST_BUCKETS; k++)
			n += h[k];
		if (n == 0)
			continue;
		for (int k = 0; k <= MON_HIST_BUCKETS; k++) {
			cum += h[k];
			open_sample(b, bucket, nb, l, i);
			mbuf_puts(b, ",le=\"");
			mbuf_puts(b, le_text[k]);
			mbuf_add(b, "\"} ", 3);
			put_u64(b, cum);
			mbuf_add(b, "\n", 1);
		}
		open_sample(b, sum, ns, l, i);
		mbuf_add(b, "} ", 2);
		put_fixed(b, poll ? ep->poll_sum_us : ep->rtt_sum_us, 6);
		mbuf_add(b, "\n", 1);
		open_sample(b, count, nc, l, i);
		mbuf_add(b, "} ", 2);
		put_u64(b, cum);
		mbuf_add(b, "\n", 1);
	}
}

static void
render_times(struct mbuf *b, const struct mon *m, const struct labels *l,
             int64_t now_us, int64_t wall_ms)
{
	static const char last[] = "wsdash_last_message_timestamp_seconds";
	static const char since[] = "wsdash_state_since_timestamp_seconds";
	static const char lag[] = "wsdash_message_lag_seconds";

	family(b, last, "gauge",
	       "When the last message of the endpoint's own types arrived "
	       "(absent before the first).");
	for (size_t i = 0; i < m->n; i++) {
		if (m->eps[i].last_msg_wall_ms <= 0)
			continue;
		open_sample(b, last, sizeof(last) - 1, l, i);
		mbuf_add(b, "} ", 2);
		put_fixed(b, m->eps[i].last_msg_wall_ms, 3);
		mbuf_add(b, "\n", 1);
	}
	family(b, since, "gauge", "Since when the endpoint is in its state.");
	for (size_t i = 0; i < m->n; i++) {
		int64_t ago_ms = (now_us - m->eps[i].since_us) / 1000;

		open_sample(b, since, sizeof(since) - 1, l, i);
		mbuf_add(b, "} ", 2);
		put_fixed(b, wall_ms - (ago_ms > 0 ? ago_ms : 0), 3);
		mbuf_add(b, "\n", 1);
	}
	family(b, lag, "gauge",
	       "Arrival minus the sent_at/timestamp of the last message that "
	       "carried one (absent otherwise).");
	for (size_t i = 0; i < m->n; i++) {
		double ms;

		if (!mon_last_lag(&m->eps[i], &ms))
			continue;
		open_sample(b, lag, sizeof(lag) - 1, l, i);
		mbuf_add(b, "} ", 2);
		put_double(b, ms / 1000.0);
		mbuf_add(b, "\n", 1);
	}
}

static void
render_proc(struct mbuf *b, const struct metrics_proc *p)
{
	family(b, "process_cpu_seconds_total", "counter",
	       "Total user and system CPU time spent in seconds.");
	mbuf_printf(b, "process_cpu_seconds_total %.2f\n", p->cpu_seconds);
	family(b, "process_resident_memory_bytes", "gauge",
	       "Resident memory size in bytes.");
	mbuf_printf(b, "process_resident_memory_bytes %lld\n",
	            (long long)p->rss_bytes);
	family(b, "process_virtual_memory_bytes", "gauge",
	       "Virtual memory size in bytes.");
	mbuf_printf(b, "process_virtual_memory_bytes %lld\n",
	            (long long)p->vsize_bytes);
	family(b, "process_start_time_seconds", "gauge",
	       "Start time of the process since unix epoch in seconds.");
	mbuf_printf(b, "process_start_time_seconds %.2f\n", p->start_time);
	if (p->open_fds >= 0) {
		family(b, "process_open_fds", "gauge",
		       "Number of open file descriptors.");
		mbuf_printf(b, "process_open_fds %ld\n", p->open_fds);
	}
	if (p->max_fds >= 0) {
		family(b, "process_max_fds", "gauge",
		       "Maximum number of open file descriptors.");
		mbuf_printf(b, "process_max_fds %ld\n", p->max_fds);
	}
}

bool
metrics_render(struct mbuf *b, const struct mon *m, int64_t now_us,
               int64_t wall_ms, const struct metrics_proc *proc,
               const char *version)
{
	struct labels l;

	family(b, "wsdash_build_info", "gauge",
	       "The wsdash version serving these metrics (always 1).");
	mbuf_puts(b, "wsdash_build_info{version=\"");
	metrics_escape(b, version, strlen(version));
	mbuf_puts(b, "\"} 1\n");
	family(b, "wsdash_endpoints", "gauge", "Endpoints watched.");
	mbuf_printf(b, "wsdash_endpoints %zu\n", m->n);
	if (!labels_make(&l, m)) {
		labels_done(&l);
		b->full = true;
		return false;
	}
	render_info(b, m, &l);
	render_states(b, m, &l);
	for (size_t k = 0; k < sizeof(ufamilies) / sizeof(ufamilies[0]); k++)
		render_ufamily(b, m, &l, &ufamilies[k]);
	render_polls(b, m, &l);
	render_seconds(b, m, &l, now_us, true);
	render_seconds(b, m, &l, now_us, false);
	render_hist(b, m, &l, false);
	render_hist(b, m, &l, true);
	render_times(b, m, &l, now_us, wall_ms);
	labels_done(&l);
	if (proc != NULL && proc->ok)
		render_proc(b, proc);
	return !b->full;
}

void
metrics_render_probe(struct mbuf *b, const struct metrics_probe *p)
{
	if (p->why != NULL && p->why[0]) {
		/* one comment line: no newline of the reason may end it */
		mbuf_puts(b, "# wsdash probe: ");
		for (const char *s = p->why; *s; s++)
			mbuf_add(b, *s == '\n' || *s == '\r' ? " " : s, 1);
		mbuf_add(b, "\n", 1);
	}
	family(b, "probe_success", "gauge",
	       "1 if the WebSocket upgrade passed (101 with a verified "
	       "accept; 426 unless --strict).");
	mbuf_printf(b, "probe_success %d\n", p->success ? 1 : 0);
	family(b, "probe_duration_seconds", "gauge",
	       "How long the probe took.");
	mbuf_puts(b, "probe_duration_seconds ");
	put_double(b, p->duration_s);
	mbuf_add(b, "\n", 1);
	family(b, "probe_http_status_code", "gauge",
	       "HTTP status of the upgrade answer (101 on success; 0 when "
	       "none came).");
	mbuf_printf(b, "probe_http_status_code %d\n", p->http_status);
	family(b, "wsdash_probe_class", "gauge",
	       "1 for the class of the outcome, as `wsdash check` names it; 0 "
	       "for the others.");
	for (int c = 0; c < PC_COUNT; c++)
		mbuf_printf(b, "wsdash_probe_class{class=\"%s\"} %d\n",
		            probe_class_name((enum probe_class)c),
		            c == p->cls ? 1 : 0);
}
