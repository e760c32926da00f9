/*
 * prober.c: all of `wsdash check`'s network work, in one lws loop.
 *
 * Each endpoint is a job with up to three connections: the upgrade, an
 * optional HEAD (--also-head) and an optional follow-up GET (started when a
 * 404/400-like answer makes one useful). Every connection carries a pointer
 * to its struct pconn as lws opaque user data, so the callback knows which
 * job and which role an event belongs to. A per-job timer (sul) enforces
 * the deadline: lws 4.1.6 has no per-connection timeout.
 *
 * Host names are resolved up front, all at once, with getaddrinfo_a(): lws
 * resolves with a blocking getaddrinfo() and gives no callback when that
 * fails, so this is how "dns" is told apart and kept within the timeout.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libwebsockets.h>

#include "wsdash/clock.h"
#include "wsdash/prober.h"
#include "wsdash/sanitize.h"
#include "net.h"

#define FOLLOWUP_MIN_MS 1000 /* time a follow-up GET gets at least */

enum pkind { PK_UPGRADE, PK_GET, PK_HEAD };

struct pjob;

/* One connection of a job. */
struct pconn {
	struct pjob *job;
	enum pkind kind;
	struct lws *wsi;
	bool active; /* started and not yet resolved */
};

struct pjob {
	struct prober *p;
	struct check_row *row;
	const struct endpoint_cfg *ep;
	struct pconn up, get, head;
	lws_sorted_usec_list_t sul_deadline;
	int64_t t0_us;
	int64_t deadline_us;
	bool close_pending; /* upgraded: send the close frame */
};

struct prober {
	lws_sorted_usec_list_t sul_guard; /* wakes the loop at the hard stop */
	const struct config *c;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct pjob *jobs;
	size_t n;
};

static void
copy_clean(char *dst, size_t cap, const char *src, size_t len)
{
	sanitize_text(dst, cap, src, len, true);
}

/* A header of the answer, sanitized, or "" if absent. */
static void
copy_header(struct lws *wsi, enum lws_token_indexes tok, char *dst, size_t cap)
{
	char raw[512];
	int n = lws_hdr_copy(wsi, raw, sizeof(raw), tok);

	if (n > 0)
		copy_clean(dst, cap, raw, (size_t)n);
	else
		dst[0] = '\0';
}

static void
job_elapsed(struct pjob *j)
{
	j->row->obs.elapsed_ms = (double)(clock_mono_us() - j->t0_us) / 1000.0;
}

static void
conn_kill(struct pconn *pc)
{
	if (pc->wsi != NULL)
		lws_set_timeout(pc->wsi, PENDING_TIMEOUT_USER_OK,
		                LWS_TO_KILL_ASYNC);
	pc->active = false;
}

static bool
job_busy(const struct pjob *j)
{
	return j->up.active || j->get.active || j->head.active ||
	       j->close_pending;
}

static void job_deadline(lws_sorted_usec_list_t *sul);

static void
job_arm(struct pjob *j, int64_t at_us)
{
	j->deadline_us = at_us;
	lws_sul_schedule(j->p->ctx, 0, &j->sul_deadline, job_deadline,
	                 at_us - clock_mono_us());
}

/* Start one connection (upgrade when method is NULL). */
static void
conn_start(struct pjob *j, struct pconn *pc, enum pkind kind)
{
	const struct config *c = j->p->c;
	const struct url *u = &j->ep->ws;
	struct lws_client_connect_info i;
	char host[URL_HOST_MAX + 16];

	pc->job = j;
	pc->kind = kind;
	pc->active = true;
	net_client_info(&i, j->p->ctx, j->p->vh, c, u, "wsdash-probe", host,
	                sizeof(host));
	i.opaque_user_data = pc;
	i.pwsi = &pc->wsi;
	if (kind == PK_UPGRADE) {
		i.protocol = c->subprotocol;
	} else {
		i.method = kind == PK_GET ? "GET" : "HEAD";
		i.alpn = "http/1.1";
	}
	if (lws_client_connect_via_info(&i) == NULL && pc->active) {
		/* Failed before any callback could say why. */
		pc->active = false;
		pc->wsi = NULL;
		if (kind == PK_UPGRADE) {
			j->row->obs.outcome = PO_CONN_ERROR;
			snprintf(j->row->obs.error, sizeof(j->row->obs.error),
			         "could not start the connection");
			job_elapsed(j);
		} else if (kind == PK_GET) {
			j->row->obs.get_status = -1;
		} else {
			j->row->obs.head_status = -1;
		}
	}
}

/* The upgrade has an outcome; maybe ask a plain GET to explain it. */
static void
job_upgrade_done(struct pjob *j)
{
	j->up.active = false;
	job_elapsed(j);
	if (probe_wants_get(&j->row->obs) && !j->get.active &&
	    j->row->obs.get_status == 0) {
		int64_t min = clock_mono_us() + FOLLOWUP_MIN_MS * 1000LL;

		if (j->deadline_us < min)
			job_arm(j, min);
		conn_start(j, &j->get, PK_GET);
	}
}

static void
job_deadline(lws_sorted_usec_list_t *sul)
{
	struct pjob *j = lws_container_of(sul, struct pjob, sul_deadline);
	struct probe_obs *o = &j->row->obs;

	if (j->up.active) {
		o->outcome = PO_TIMEOUT;
		o->tcp_connected = net_tcp_connected(j->up.wsi);
		conn_kill(&j->up);
		job_elapsed(j);
	}
	if (j->get.active) {
		o->get_status = -1;
		conn_kill(&j->get);
	}
	if (j->head.active) {
		o->head_status = -1;
		conn_kill(&j->head);
	}
	j->close_pending = false;
}

static int
probe_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
               void *in, size_t len)
{
	struct pconn *pc = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	struct pjob *j = pc ? pc->job : NULL;
	struct probe_obs *o = j ? &j->row->obs : NULL;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		return o ? net_tls_verdict(user, len, &o->tls_error,
		                           o->tls_reason, sizeof(o->tls_reason))
		         : 0;

	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (j != NULL &&
		    net_append_headers(wsi, j->p->c, j->ep, in, len))
			return -1;
		break;

	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (pc == NULL || !pc->active)
			return -1;
		if (pc->kind == PK_UPGRADE) {
			o->http_status =
			    (int)lws_http_client_http_response(wsi);
			copy_header(wsi, WSI_TOKEN_HTTP_SERVER, o->server,
			            sizeof(o->server));
			copy_header(wsi, WSI_TOKEN_HTTP_LOCATION, o->location,
			            sizeof(o->location));
			o->via =
			    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_VIA) > 0;
			/* Gone by CLIENT_ESTABLISHED: keep it now. */
			copy_header(wsi, WSI_TOKEN_PROTOCOL, o->subprotocol,
			            sizeof(o->subprotocol));
			break;
		}
		/* GET/HEAD: the status is all we wanted. */
		if (pc->kind == PK_GET)
			o->get_status = (int)lws_http_client_http_response(wsi);
		else
			o->head_status =
			    (int)lws_http_client_http_response(wsi);
		pc->active = false;
		pc->wsi = NULL;
		return -1;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (pc == NULL || !pc->active)
			return -1;
		o->outcome = PO_UPGRADED;
		o->http_status = 101;
		job_upgrade_done(j);
		j->close_pending = true;
		lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (j != NULL && j->close_pending) {
			static const char why[] = "wsdash check done";

			j->close_pending = false;
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
			                 (unsigned char *)why, sizeof(why) - 1);
			return -1;
		}
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (pc == NULL || !pc->active)
			break;
		pc->active = false;
		pc->wsi = NULL;
		if (pc->kind == PK_UPGRADE) {
			if (o->http_status == 0)
				o->http_status =
				    (int)lws_http_client_http_response(wsi);
			o->outcome = PO_CONN_ERROR;
			copy_clean(o->error, sizeof(o->error),
			           in ? (const char *)in : "",
			           in ? strlen((const char *)in) : 0);
			job_upgrade_done(j);
		} else if (pc->kind == PK_GET) {
			o->get_status = -1;
		} else {
			o->head_status = -1;
		}
		break;

	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (pc == NULL)
			break;
		if (pc->active) {
			pc->active = false;
			if (pc->kind == PK_UPGRADE) {
				o->outcome = PO_CLOSED;
				job_upgrade_done(j);
			} else if (pc->kind == PK_GET) {
				o->get_status = -1;
			} else {
				o->head_status = -1;
			}
		}
		if (pc->kind == PK_UPGRADE)
			j->close_pending = false;
		pc->wsi = NULL;
		break;

	default:
		break;
	}
	return 0;
}

static void
prober_guard(lws_sorted_usec_list_t *sul)
{
	(void)sul; /* only to wake lws_service() */
}

static const struct lws_protocols probe_protocols[] = {
    {"wsdash-probe", probe_callback, 0, 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Is s an IPv4 or IPv6 literal (no resolution needed)? */
static bool
numeric_host(const char *s)
{
	struct addrinfo hints = {0}, *res = NULL;
	int r;

	hints.ai_flags = AI_NUMERICHOST;
	r = getaddrinfo(s, NULL, &hints, &res);
	if (res)
		freeaddrinfo(res);
	return r == 0;
}

/*
 * Resolve every distinct host name at once; jobs whose host does not
 * resolve get outcome PO_DNS. Waits at most timeout_ms.
 */
static void
resolve_all(struct prober *p, int timeout_ms)
{
	struct gaicb *reqs = calloc(p->n, sizeof(*reqs));
	struct gaicb **list = calloc(p->n, sizeof(*list));
	struct addrinfo hints = {0};
	size_t nreq = 0;
	int64_t end = clock_mono_us() + (int64_t)timeout_ms * 1000;

	if (reqs == NULL || list == NULL)
		goto out;
	hints.ai_socktype = SOCK_STREAM;
	for (size_t i = 0; i < p->n; i++) {
		const char *h = p->jobs[i].ep->ws.host;
		bool dup = false;

		if (p->jobs[i].ep->ws.ipv6 || numeric_host(h))
			continue;
		for (size_t k = 0; k < nreq && !dup; k++)
			dup = strcmp(reqs[k].ar_name, h) == 0;
		if (dup)
			continue;
		reqs[nreq].ar_name = h;
		reqs[nreq].ar_request = &hints;
		list[nreq] = &reqs[nreq];
		nreq++;
	}
	if (nreq == 0 || getaddrinfo_a(GAI_NOWAIT, list, (int)nreq, NULL) != 0)
		goto out;
	for (;;) {
		size_t busy = 0;
		int64_t left = end - clock_mono_us();
		struct timespec ts;

		for (size_t k = 0; k < nreq; k++)
			busy += gai_error(&reqs[k]) == EAI_INPROGRESS;
		if (busy == 0 || left <= 0)
			break;
		ts.tv_sec = left / 1000000;
		ts.tv_nsec = (left % 1000000) * 1000;
		gai_suspend((const struct gaicb *const *)list, (int)nreq, &ts);
	}
	for (size_t k = 0; k < nreq; k++) {
		int e = gai_error(&reqs[k]);

		if (e == EAI_INPROGRESS)
			gai_cancel(&reqs[k]);
		if (e == 0) {
			freeaddrinfo(reqs[k].ar_result);
			continue;
		}
		for (size_t i = 0; i < p->n; i++) {
			struct probe_obs *o = &p->jobs[i].row->obs;

			if (strcmp(p->jobs[i].ep->ws.host, reqs[k].ar_name) !=
			    0)
				continue;
			o->outcome = PO_DNS;
			snprintf(o->error, sizeof(o->error), "'%.64s': %s",
			         reqs[k].ar_name,
			         e == EAI_INPROGRESS ? "no answer in time"
			                             : gai_strerror(e));
			o->elapsed_ms =
			    (double)(clock_mono_us() - p->jobs[i].t0_us) /
			    1000.0;
		}
	}
	/*
	 * A request still in progress keeps pointers into reqs; after
	 * gai_cancel() it may still run, so leak reqs in that rare case
	 * rather than free memory a resolver thread could touch.
	 */
	for (size_t k = 0; k < nreq; k++)
		if (gai_error(&reqs[k]) == EAI_INPROGRESS) {
			reqs = NULL;
			break;
		}
out:
	free(reqs);
	free(list);
}

int
prober_run(const struct config *c, struct check_row *rows, size_t n,
           bool also_head, char *err, size_t errlen)
{
	struct prober p = {.c = c, .n = n};
	int max_timeout = c->timeout_ms;
	int64_t t0, hard_end;
	bool tls = false;

	for (size_t i = 0; i < n; i++) {
		if (config_timeout(c, i) > max_timeout)
			max_timeout = config_timeout(c, i);
		tls |= rows[i].ep->ws.tls;
	}
	net_raise_fd_limit((int)(n * 3 + 64));
	net_set_logging(NULL);
	p.ctx = net_context_new(probe_protocols, tls, c->cacert, max_timeout,
	                        &p.vh, err, errlen);
	if (p.ctx == NULL)
		return -1;
	p.jobs = calloc(n ? n : 1, sizeof(*p.jobs));
	if (p.jobs == NULL) {
		lws_context_destroy(p.ctx);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t0 = clock_mono_us(); /* endpoint times start after the set-up */
	for (size_t i = 0; i < n; i++) {
		p.jobs[i].p = &p;
		p.jobs[i].row = &rows[i];
		p.jobs[i].ep = rows[i].ep;
		p.jobs[i].t0_us = t0;
		rows[i].obs.tls = rows[i].ep->ws.tls;
		rows[i].obs.timeout_ms = config_timeout(c, i);
		rows[i].obs.asked_subprotocol = c->subprotocol != NULL;
	}

	resolve_all(&p, max_timeout);

	for (size_t i = 0; i < n; i++) {
		struct pjob *j = &p.jobs[i];

		if (j->row->obs.outcome == PO_DNS)
			continue;
		job_arm(j, t0 + (int64_t)config_timeout(c, i) * 1000);
		if (also_head)
			conn_start(j, &j->head, PK_HEAD);
		conn_start(j, &j->up, PK_UPGRADE);
	}

	/*
	 * Until every job has its answers. A guard timer makes sure the loop
	 * wakes up for the hard stop even if nothing else is scheduled.
	 */
	hard_end = clock_mono_us() +
	           ((int64_t)max_timeout + FOLLOWUP_MIN_MS + 2000) * 1000;
	lws_sul_schedule(p.ctx, 0, &p.sul_guard, prober_guard,
	                 hard_end - clock_mono_us());
	for (;;) {
		bool busy = false;

		for (size_t i = 0; i < n && !busy; i++)
			busy = job_busy(&p.jobs[i]);
		if (!busy || clock_mono_us() > hard_end)
			break;
		lws_service(p.ctx, 0);
	}
	lws_sul_cancel(&p.sul_guard);
	/* anything still open at the hard stop is a timeout */
	for (size_t i = 0; i < n; i++) {
		struct probe_obs *o = &p.jobs[i].row->obs;

		if (o->outcome == PO_PENDING) {
			o->outcome = PO_TIMEOUT;
			job_elapsed(&p.jobs[i]);
		}
	}

	for (size_t i = 0; i < n; i++)
		lws_sul_cancel(&p.jobs[i].sul_deadline);
	lws_context_destroy(p.ctx);
	free(p.jobs);
	return 0;
}
