/*
 * prober.c: all of `wsdash check`'s network work, in one lws loop.
 *
 * Each endpoint is a job with up to three connections: the upgrade, an
 * optional HEAD (--also-head) and an optional follow-up GET (started when a
 * 404/400-like answer makes one useful). Every connection carries a pointer
 * to its struct pconn as lws opaque user data, so the callback knows which
 * job and which role an event belongs to. A per-job timer (a theap timer
 * in the prober's net_timers: thousands of jobs stay cheap) enforces
 * the deadline: lws 4.1.6 has no per-connection timeout.
 *
 * Host names are resolved without blocking (resolve.h), each job on its
 * own: a job whose name answers late or never keeps only itself waiting,
 * within its own timeout, and the answer is used (lws gets the numeric
 * address, so it never resolves again with its blocking getaddrinfo()).
 * When a connection to the first address is refused, the next one is tried
 * (localhost is often ::1 first, the server on 127.0.0.1 only).
 *
 * Two ways to run: prober_run() makes a context of its own and loops until
 * every job has its outcome (`check`); prober_start() adds the jobs to a
 * loop that is already running (the exporter's /probe, in the watcher's
 * context, on a client vhost of their own) and calls back when they are
 * done. Each connection's wsi is known until lws destroys it
 * (LWS_CALLBACK_WSI_DESTROY), so freeing a prober early detaches every
 * connection it still has and no late callback finds freed memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "wsdash/clock.h"
#include "wsdash/prober.h"
#include "wsdash/resolve.h"
#include "wsdash/probe.h"
#include "wsdash/sanitize.h"
#include "net.h"

#define FOLLOWUP_MIN_MS 1000 /* time a follow-up GET gets at least */

enum pkind { PK_UPGRADE, PK_GET, PK_HEAD, PK_WAKE };

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
	struct theap_timer deadline; /* in the prober's timers */
	int64_t t0_us;
	int64_t deadline_us;
	bool close_pending;  /* upgraded: send the close frame */
	bool dns_wait;       /* its host name is being resolved */
	bool started, ended; /* in flight between the two */
	unsigned addr;       /* which of the host's addresses */
	char ip[RESOLVE_ADDR_MAX];
};

struct prober {
	struct net_timers timers; /* the jobs' deadlines */
	size_t next;              /* the next job to start */
	size_t inflight, ended;   /* jobs started and not ended; ended */
	bool feeding;
	lws_sorted_usec_list_t sul_guard; /* wakes the loop at the hard stop */
	lws_sorted_usec_list_t sul_done;  /* prober_start: report the end */
	void (*done)(void *user);         /* NULL: prober_run's own loop */
	void *user;
	bool finished; /* done is due or was called */
	int64_t hard_end;
	const struct config *c;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct pjob *jobs;
	size_t n;
	bool also_head;
	struct resolver *dns;
	struct pconn wake; /* the resolver's wake descriptor */
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
	       j->close_pending || j->dns_wait;
}

/* jobs in flight at once (each up to three connections) */
#define PROBE_MAX_INFLIGHT 256

static void job_deadline(struct theap_timer *t);
static void prober_settle(struct prober *p);
static void prober_feed(struct prober *p);

/*
 * Something of j's ended (an answer, an error, its deadline): if nothing
 * of it is left, it leaves the flight and the next job starts.
 */
static void
job_settled(struct pjob *j)
{
	struct prober *p = j->p;

	if (j->started && !j->ended && !job_busy(j)) {
		j->ended = true;
		p->inflight--;
		p->ended++;
		prober_feed(p);
	}
	prober_settle(p);
}

/*
 * check -v: the request lws wrote, read back from its buffer. In
 * APPEND_HANDSHAKE_HEADER lws 4.1.6 passes the write position in *in and
 * len = (start + pt_serv_buf_size) - position - 12, so the start of the
 * request is known (net_context_new sets pt_serv_buf_size); the caller
 * works it out before our own headers move the position. The final
 * empty line comes after this callback. Values of -H headers are
 * redacted.
 */
static void
dump_request(struct pjob *j, const char *start, const char *pos)
{
	size_t n = (size_t)(pos - start), cap = n * 3 + 64, o = 0;
	const struct config *c = j->p->c;
	char *raw, *out;

	if (n > NET_SERV_BUF)
		return;
	raw = malloc(n + 1);
	out = malloc(cap);
	if (raw == NULL || out == NULL)
		goto out;
	memcpy(raw, start, n);
	raw[n] = '\0';
	/* the values of -H headers are secrets: starred in the copy */
	for (int pass = 0; pass < 2; pass++) {
		const struct header *h = pass ? j->ep->headers : c->headers;
		size_t nh = pass ? j->ep->nheaders : c->nheaders;

		for (size_t i = 0; i < nh; i++) {
			char *v =
			    h[i].value[0] ? strstr(raw, h[i].value) : NULL;

			if (v != NULL)
				memset(v, '*', strlen(h[i].value));
		}
	}
	out[0] = '\0';
	/* line by line, each sanitized */
	for (char *l = strtok(raw, "\r\n"); l; l = strtok(NULL, "\r\n")) {
		o += sanitize_text(out + o, cap - o - 2, l, strlen(l), true);
		out[o++] = '\n';
		out[o] = '\0';
	}
	free(j->row->dump_request);
	j->row->dump_request = out;
	out = NULL;
out:
	free(raw);
	free(out);
}

/* check -v: the answer's status line and the headers lws knows by name. */
static void
dump_answer(struct pjob *j, struct lws *wsi)
{
	size_t cap = 8192, o = 0;
	char *out = malloc(cap), val[1024];
	int st = (int)lws_http_client_http_response(wsi);

	if (out == NULL)
		return;
	o +=
	    (size_t)snprintf(out, cap, "HTTP/1.1 %d %s\n", st, http_reason(st));
	for (int t = 0; t < WSI_TOKEN_COUNT && o + 600 < cap; t++) {
		const char *name = (const char *)lws_token_to_string(
		    (enum lws_token_indexes)t);
		int n;

		if (name == NULL || name[0] == '\0' ||
		    lws_hdr_total_length(wsi, (enum lws_token_indexes)t) <= 0 ||
		    strchr(name, ':') == NULL)
			continue;
		n = lws_hdr_copy(wsi, val, sizeof(val),
		                 (enum lws_token_indexes)t);
		if (n <= 0)
			continue;
		o += sanitize_text(out + o, cap - o - 2, name, strlen(name),
		                   true);
		out[o++] = ' ';
		o += sanitize_text(out + o, cap - o - 2, val, (size_t)n, true);
		out[o++] = '\n';
		out[o] = '\0';
	}
	free(j->row->dump_answer);
	j->row->dump_answer = out;
}
static bool job_resolve(struct pjob *j);
static void dns_collect(struct prober *p);

static void
job_arm(struct pjob *j, int64_t at_us)
{
	j->deadline_us = at_us;
	net_timers_arm(&j->p->timers, &j->deadline, at_us, job_deadline);
}

/* Start one connection (upgrade when method is NULL). */
static void
conn_start(struct pjob *j, struct pconn *pc, enum pkind kind)
{
	const struct config *c = j->p->c;
	const struct url *u = j->row->get_url ? j->row->get_url : &j->ep->ws;
	struct lws_client_connect_info i;
	char host[URL_HOST_MAX + 16];

	pc->job = j;
	pc->kind = kind;
	pc->active = true;
	net_client_info(&i, j->p->ctx, j->p->vh, c, u, j->ip, "wsdash-probe",
	                host, sizeof(host));
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
job_deadline(struct theap_timer *t)
{
	struct pjob *j = lws_container_of(t, struct pjob, deadline);
	struct probe_obs *o = &j->row->obs;

	if (j->dns_wait) {
		j->dns_wait = false;
		o->outcome = PO_DNS;
		snprintf(o->error, sizeof(o->error),
		         "'%.64s': no answer in %d ms", j->ep->ws.host,
		         o->timeout_ms);
		job_elapsed(j);
	}
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
	/* timers run before lws_service() polls: without this it would
	 * wait for the next timer before the loop sees the job is done */
	lws_cancel_service(j->p->ctx);
	job_settled(j);
}

static int
probe_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
               void *in, size_t len)
{
	struct pconn *pc = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	struct pjob *j = pc ? pc->job : NULL;
	struct probe_obs *o = j ? &j->row->obs : NULL;

	if (reason == LWS_CALLBACK_WSI_DESTROY) {
		if (pc != NULL && pc->wsi == wsi)
			pc->wsi = NULL;
		return 0;
	}
	if (pc != NULL && pc->kind == PK_WAKE) {
		if (reason == LWS_CALLBACK_RAW_RX_FILE) {
			uint64_t v;
			struct prober *p =
			    lws_container_of(pc, struct prober, wake);

			if (read((int)lws_get_socket_fd(wsi), &v, sizeof(v)) <
			    0) {
				/* nothing to read: spurious */
			}
			dns_collect(p);
		}
		return 0;
	}
	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		return o ? net_tls_verdict(user, len, &o->tls_error,
		                           o->tls_reason, sizeof(o->tls_reason))
		         : 0;

	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		/* the start is known from the position before -H headers */
		const char *start = *(char **)in + len + 12 - NET_SERV_BUF;

		if (j != NULL &&
		    net_append_headers(wsi, j->p->c, j->ep, in, len))
			return -1;
		if (j != NULL && j->row->verbose && pc->kind == PK_UPGRADE)
			dump_request(j, start, *(char **)in);
		break;
	}

	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (pc == NULL || !pc->active)
			return -1;
		if (pc->kind == PK_UPGRADE) {
			o->http_status =
			    (int)lws_http_client_http_response(wsi);
			if (j->row->verbose)
				dump_answer(j, wsi);
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
		job_settled(j);
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
			job_settled(j);
			return -1;
		}
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (pc == NULL || !pc->active)
			break;
		pc->active = false;
		if (pc->kind == PK_UPGRADE && o->http_status == 0 &&
		    o->tls_error == 0 && in != NULL &&
		    strstr((const char *)in, "Unable to connect") != NULL) {
			/* refused: the host's next address, if any */
			j->addr++;
			if (job_resolve(j))
				break;
		}
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
		break;

	default:
		break;
	}
	if (j != NULL)
		job_settled(j);
	return 0;
}

static const struct lws_protocols probe_protocols[] = {
    {"wsdash-probe", probe_callback, 0, 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* What the job connects to: the upgrade's URL, or its GET's. */
static const struct url *
job_url(const struct pjob *j)
{
	return j->row->get_url ? j->row->get_url : &j->ep->ws;
}

/*
 * Resolve the job's host (address number j->addr) and, once there is an
 * address, start its connections. Returns false when the host has no
 * address of that number.
 */
static bool
job_resolve(struct pjob *j)
{
	struct probe_obs *o = &j->row->obs;
	char err[96];

	j->dns_wait = false;
	switch (resolver_get(j->p->dns, job_url(j)->host, j->addr,
	                     clock_mono_us(), j->ip, sizeof(j->ip), err,
	                     sizeof(err))) {
	case RESOLVE_OK:
		if (j->row->get_url != NULL) {
			conn_start(j, &j->get, PK_GET);
			return true;
		}
		if (j->p->also_head && j->addr == 0)
			conn_start(j, &j->head, PK_HEAD);
		conn_start(j, &j->up, PK_UPGRADE);
		return true;
	case RESOLVE_PENDING:
		j->dns_wait = true;
		return true;
	case RESOLVE_FAILED:
		o->outcome = PO_DNS;
		snprintf(o->error, sizeof(o->error), "'%.64s': %.56s",
		         j->ep->ws.host, err);
		job_elapsed(j);
		return true;
	default:
		return false;
	}
}

/* Lookups finished: start the jobs that waited for them. */
static void
dns_collect(struct prober *p)
{
	if (resolver_collect(p->dns, clock_mono_us()) == 0)
		return;
	for (size_t i = 0; i < p->next; i++)
		if (p->jobs[i].dns_wait) {
			job_resolve(&p->jobs[i]);
			job_settled(&p->jobs[i]);
		}
	prober_settle(p);
}

/* The resolver's wake descriptor, in this loop. */
static bool
adopt_wake(struct prober *p)
{
	lws_sock_file_fd_type f;
	struct lws *wsi;

	f.filefd = dup(resolver_wake_fd());
	if (f.filefd < 0)
		return false;
	p->wake.kind = PK_WAKE;
	wsi = lws_adopt_descriptor_vhost(p->vh, LWS_ADOPT_RAW_FILE_DESC, f,
	                                 "wsdash-probe", NULL);
	if (wsi == NULL)
		return false;
	lws_set_opaque_user_data(wsi, &p->wake);
	p->wake.wsi = wsi;
	return true;
}

/* Whether some job still waits to start, for an answer or a close. */
static bool
prober_busy(const struct prober *p)
{
	return p->ended < p->n;
}

/* Anything still open at the hard stop is a timeout. */
static void
prober_finish_rows(struct prober *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct probe_obs *o = &p->jobs[i].row->obs;

		if (o->outcome == PO_PENDING) {
			o->outcome = PO_TIMEOUT;
			job_elapsed(&p->jobs[i]);
		}
	}
}

static void
prober_done_fire(lws_sorted_usec_list_t *sul)
{
	struct prober *p = lws_container_of(sul, struct prober, sul_done);

	prober_finish_rows(p);
	p->done(p->user); /* may free p */
}

/*
 * prober_start(): once no job is busy (or at the hard stop), report it
 * from a timer of its own, never from inside an lws callback (the caller
 * may free the prober, and the connection, there).
 */
static void
prober_settle(struct prober *p)
{
	if (p->done == NULL || p->finished)
		return;
	if (prober_busy(p) && clock_mono_us() < p->hard_end)
		return;
	p->finished = true;
	lws_sul_schedule(p->ctx, 0, &p->sul_done, prober_done_fire, 1);
}

static void
prober_guard(lws_sorted_usec_list_t *sul)
{
	struct prober *p = lws_container_of(sul, struct prober, sul_guard);

	prober_settle(p); /* (prober_run: only to wake lws_service()) */
}

/*
 * Set p up on its vhost (p->ctx, p->vh, p->c, p->n, p->also_head set) and
 * start every job. Returns false when out of memory.
 */
static bool
prober_begin(struct prober *p, struct check_row *rows)
{
	const struct config *c = p->c;
	int64_t t0;

	net_timers_init(&p->timers, p->ctx, 512);
	p->jobs = calloc(p->n ? p->n : 1, sizeof(*p->jobs));
	p->dns = resolver_new();
	if (p->jobs == NULL || p->dns == NULL || !adopt_wake(p))
		return false;
	t0 = clock_mono_us(); /* endpoint times start after the set-up */
	for (size_t i = 0; i < p->n; i++) {
		p->jobs[i].p = p;
		p->jobs[i].row = &rows[i];
		p->jobs[i].ep = rows[i].ep;
		rows[i].obs.tls = rows[i].ep->ws.tls;
		rows[i].obs.timeout_ms = config_timeout(c, rows[i].ep);
		rows[i].obs.asked_subprotocol = c->subprotocol != NULL;
	}
	/*
	 * Until every job has its answers. A guard timer makes sure the loop
	 * wakes up for the hard stop even if nothing else is scheduled; it
	 * moves later as queued jobs start.
	 */
	p->hard_end = t0;
	prober_feed(p);
	return true;
}

/* Start job j now: its timeout covers its lookup and its connections. */
static void
job_start(struct pjob *j)
{
	struct prober *p = j->p;
	int64_t now = clock_mono_us(),
	        tmo = (int64_t)config_timeout(p->c, j->ep) * 1000,
	        end = now + tmo + (FOLLOWUP_MIN_MS + 2000) * 1000LL;

	j->started = true;
	j->t0_us = now;
	p->inflight++;
	if (end > p->hard_end) {
		p->hard_end = end;
		lws_sul_schedule(p->ctx, 0, &p->sul_guard, prober_guard,
		                 end - now);
	}
	job_arm(j, now + tmo);
	job_resolve(j);
}

/*
 * Keep PROBE_MAX_INFLIGHT jobs going, the rest waiting in order: lws 4.1.6
 * keeps a sorted list of every connection's timeout, so 10,000 handshakes
 * at once made each new one walk all the others.
 */
static void
prober_feed(struct prober *p)
{
	if (p->feeding)
		return; /* a job that ends at once, inside the loop below */
	p->feeding = true;
	while (p->inflight < PROBE_MAX_INFLIGHT && p->next < p->n) {
		struct pjob *j = &p->jobs[p->next++];

		job_start(j);
		if (!job_busy(j)) { /* e.g. a cached lookup failure */
			j->ended = true;
			p->inflight--;
			p->ended++;
		}
	}
	p->feeding = false;
}

/* Detach a connection that lws still has, and have lws close it. */
static void
conn_detach(struct pconn *pc)
{
	if (pc->wsi != NULL) {
		lws_set_opaque_user_data(pc->wsi, NULL);
		lws_set_timeout(pc->wsi, PENDING_TIMEOUT_USER_OK,
		                LWS_TO_KILL_ASYNC);
		pc->wsi = NULL;
	}
	pc->active = false;
}

/* Stop p's timers and connections, free what it holds (not p itself). */
static void
prober_teardown(struct prober *p)
{
	lws_sul_cancel(&p->sul_guard);
	lws_sul_cancel(&p->sul_done);
	net_timers_done(&p->timers);
	for (size_t i = 0; p->jobs != NULL && i < p->n; i++) {
		conn_detach(&p->jobs[i].up);
		conn_detach(&p->jobs[i].get);
		conn_detach(&p->jobs[i].head);
	}
	conn_detach(&p->wake);
	resolver_free(p->dns);
	free(p->jobs);
	p->dns = NULL;
	p->jobs = NULL;
}

int
prober_run(const struct config *c, struct check_row *rows, size_t n,
           bool also_head, char *err, size_t errlen)
{
	struct prober p = {.c = c, .n = n, .also_head = also_head};
	int max_timeout = c->timeout_ms;
	bool tls = false;

	for (size_t i = 0; i < n; i++) {
		if (config_timeout(c, rows[i].ep) > max_timeout)
			max_timeout = config_timeout(c, rows[i].ep);
		tls |= rows[i].ep->ws.tls;
	}
	net_raise_fd_limit((int)(n * 3 + 64));
	net_set_logging(NULL);
	p.ctx = net_context_new(probe_protocols, tls, c->cacert, max_timeout,
	                        &p.vh, err, errlen);
	if (p.ctx == NULL)
		return -1;
	if (!prober_begin(&p, rows)) {
		prober_teardown(&p);
		lws_context_destroy(p.ctx);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (prober_busy(&p) && clock_mono_us() <= p.hard_end)
		lws_service(p.ctx, 0);
	prober_finish_rows(&p);
	lws_sul_cancel(&p.sul_guard);
	net_timers_done(&p.timers);
	lws_context_destroy(p.ctx);
	resolver_free(p.dns);
	free(p.jobs);
	return 0;
}

#define PROBE_VHOST "wsdash-probe"

struct prober *
prober_start(struct lws_context *ctx, const struct config *c,
             struct check_row *rows, size_t n, void (*done)(void *user),
             void *user, char *err, size_t errlen)
{
	struct prober *p;
	struct lws_vhost *vh = lws_get_vhost_by_name(ctx, PROBE_VHOST);

	/* once per context: with TLS, any target may be wss:// */
	if (vh == NULL)
		vh = net_client_vhost(ctx, probe_protocols, PROBE_VHOST, true,
		                      c->cacert, c->timeout_ms, err, errlen);
	if (vh == NULL)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->c = c;
	p->n = n;
	p->ctx = ctx;
	p->vh = vh;
	p->done = done;
	p->user = user;
	if (!prober_begin(p, rows)) {
		prober_free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	prober_settle(p); /* e.g. every name failed at once */
	return p;
}

void
prober_free(struct prober *p)
{
	if (p == NULL)
		return;
	prober_teardown(p);
	free(p);
}
