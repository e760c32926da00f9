/*
 * demo_server.c: the embedded demo backend, an lws vhost that behaves like a
 * FastAPI app's live-update backend: this wsdash's own demo backend, or the
 * tac-webbuilder backend (--flavor); see demo_server_int.h for the parts.
 *
 * One protocol handles everything on the port: plain HTTP (the API data,
 * the /control/ API, 404s) and the WebSocket streams, which lws 4.1.6 hands
 * to protocols[0] when the client names no subprotocol. This file owns the
 * life cycle and the callback, and hands each reason to its part.
 *
 * We own the listening socket instead of letting lws listen: lws adopts it as
 * a raw file, we accept() and adopt each connection. That is what lets the
 * outages scenario stop the whole server (close the socket, so connects are
 * refused) and start it again on the same port, which lws_vhost_destroy()
 * cannot do in 4.1.6.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "wsdash/clock.h"
#include "demo_server_int.h"
#include "net.h"

#define ACCEPT_BATCH      64 /* accepts per readable event, for fairness */
#define RELISTEN_RETRY_US (500 * LWS_US_PER_MS)
#define EMFILE_PAUSE_US   (100 * LWS_US_PER_MS) /* nothing to shed: wait */
#define SHED_PAUSE_US     (5 * LWS_US_PER_MS)   /* the shed fds close */
#define SHED_BATCH        64 /* idle connections closed per EMFILE */

/*
 * Every accepted socket, from accept() to its end (lws allocates the
 * per-session data only once a request arrives): what lets us find idle
 * connections to close when the file descriptors run out. Its lws opaque
 * user data.
 */
struct ds_sock {
	lws_dll2_t list;
	struct lws *wsi;
};

/* A line on the log (stdout for `wsdash serve`), time-stamped. */
void
ds_log(struct demo_server *srv, const char *fmt, ...)
{
	char ts[16];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;

	if (srv->log == NULL)
		return;
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(srv->log, "%s ", ts);
	va_start(ap, fmt);
	vfprintf(srv->log, fmt, ap);
	va_end(ap);
	fputc('\n', srv->log);
	fflush(srv->log);
}

/* ---- connections ------------------------------------------------------ */

/*
 * Count c among the server's connections, or note that it became a
 * WebSocket. lws binds the upgraded connection's fresh per-session data
 * with HTTP_BIND_PROTOCOL (the role is still HTTP then), so an upgrade
 * arrives here linked as CONN_HTTP already.
 */
void
ds_conn_link(struct demo_server *srv, struct ds_conn *c, struct lws *wsi,
             enum conn_kind kind)
{
	if (c->srv == NULL) {
		c->srv = srv;
		c->wsi = wsi;
		c->kind = CONN_NONE;
		lws_dll2_add_tail(&c->all, &srv->conns);
	}
	if (kind == CONN_WS && c->kind != CONN_WS)
		srv->nws++;
	if (c->kind != CONN_WS)
		c->kind = kind;
}

/* Forget a connection: lists, timer and buffers. Safe to call twice. */
void
ds_conn_unlink(struct ds_conn *c)
{
	if (c->srv == NULL)
		return;
	lws_dll2_remove(&c->all);
	lws_dll2_remove(&c->in_stream);
	if (c->kind == CONN_WS)
		c->srv->nws--;
	lws_sul_cancel(&c->sul_ready);
	free(c->rx);
	c->rx = NULL;
	free(c->body);
	c->body = NULL;
	free(c->location);
	c->location = NULL;
	c->srv = NULL;
}

/* Have lws close wsi on its next pass, without a close frame. */
void
ds_kill_wsi(struct lws *wsi)
{
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void
sock_track(struct demo_server *srv, struct lws *wsi)
{
	struct ds_sock *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return;
	k->wsi = wsi;
	lws_set_opaque_user_data(wsi, k);
	lws_dll2_add_tail(&k->list, &srv->socks);
}

static void
sock_forget(struct lws *wsi)
{
	struct ds_sock *k = lws_get_opaque_user_data(wsi);

	if (k == NULL)
		return;
	lws_set_opaque_user_data(wsi, NULL);
	lws_dll2_remove(&k->list);
	free(k);
}

/* Idle: no request yet, or HTTP with no answer being written. */
static bool
sock_idle(struct lws *wsi)
{
	const struct ds_conn *c = lws_wsi_user(wsi);

	return c == NULL || c->srv == NULL ||
	       (c->kind == CONN_HTTP && c->body == NULL && !c->body_deferred);
}

/* Make sure the scratch buffer holds LWS_PRE + need bytes. */
bool
ds_scratch_reserve(struct demo_server *srv, size_t need)
{
	unsigned char *p;

	need += LWS_PRE;
	if (srv->scratch_cap >= need)
		return true;
	p = realloc(srv->scratch, need + 1024);
	if (p == NULL)
		return false;
	srv->scratch = p;
	srv->scratch_cap = need + 1024;
	return true;
}

/* ---- listening socket -----------------------------------------------------
 */

/* Open, bind and listen; adopt into lws. Returns 0 or -errno. */
static int
srv_listen(struct demo_server *srv)
{
	lws_sock_file_fd_type fd;
	int one = 1, s;

	s = socket(srv->addr.ss_family,
	           SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&srv->addr, srv->addrlen) < 0 ||
	    listen(s, SOMAXCONN) < 0) {
		int e = errno;

		close(s);
		return -e;
	}
	if (srv->port == 0) {
		struct sockaddr_storage a;
		socklen_t alen = sizeof(a);

		if (getsockname(s, (struct sockaddr *)&a, &alen) == 0)
			srv->port =
			    ntohs(a.ss_family == AF_INET6
			              ? ((struct sockaddr_in6 *)&a)->sin6_port
			              : ((struct sockaddr_in *)&a)->sin_port);
		/* Later restarts must come back on the same port. */
		if (srv->addr.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&srv->addr)->sin6_port =
			    htons((uint16_t)srv->port);
		else
			((struct sockaddr_in *)&srv->addr)->sin_port =
			    htons((uint16_t)srv->port);
	}
	fd.filefd = s;
	srv->listen_wsi = lws_adopt_descriptor_vhost(
	    srv->vh, LWS_ADOPT_RAW_FILE_DESC, fd, "wsdash-listen", NULL);
	if (srv->listen_wsi == NULL) /* lws closed s */
		return -ENOMEM;
	srv->accepting = true;
	return 0;
}

static void
srv_relisten(lws_sorted_usec_list_t *sul)
{
	struct demo_server *srv =
	    lws_container_of(sul, struct demo_server, sul_relisten);
	int r = srv_listen(srv);

	if (r < 0) {
		ds_log(srv, "cannot listen again on port %d: %s; retrying",
		       srv->port, strerror(-r));
		lws_sul_schedule(srv->ctx, 0, &srv->sul_relisten, srv_relisten,
		                 RELISTEN_RETRY_US);
	}
}

/*
 * Stop accepting (connections are refused) and close every connection:
 * dropped (demo), or WebSockets closed with 1012 as uvicorn does when it
 * restarts (tac).
 */
static void
srv_stop(struct demo_server *srv)
{
	srv->accepting = false;
	if (srv->listen_wsi != NULL) {
		/* closed now, not on the next pass: once the stop is logged,
		 * connections are refused (we run from a timer, not from
		 * this wsi's callback, so a synchronous close is allowed) */
		struct lws *l = srv->listen_wsi;

		srv->listen_wsi = NULL;
		lws_set_timeout(l, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
	}
	dws_close_all(srv, srv->fl->stop_close_code, "");
}

static void
srv_start(struct demo_server *srv)
{
	if (srv->accepting)
		return;
	srv_relisten(&srv->sul_relisten);
}

/* ---- outages scenario --------------------------------------------------- */

static void
scen_apply(struct demo_server *srv, const struct scen_event *ev)
{
	int n;

	srv->scen_applied++;
	switch (ev->kind) {
	case SCEN_STREAM_DOWN:
		n = demo_server_set_stream(srv, ev->stream, false, ev->status);
		ds_log(srv, "outage: %s down (%d), %d connection(s) dropped",
		       srv->fl->streams[ev->stream].ws_path, ev->status, n);
		break;
	case SCEN_STREAM_UP:
		demo_server_set_stream(srv, ev->stream, true, 0);
		ds_log(srv, "outage: %s up",
		       srv->fl->streams[ev->stream].ws_path);
		break;
	case SCEN_SERVER_STOP:
		srv_stop(srv);
		ds_log(srv, "outage: server stopped accepting connections");
		break;
	case SCEN_SERVER_START:
		srv_start(srv);
		ds_log(srv, "outage: server accepting again");
		break;
	}
}

/* Wall-clock due time (monotonic us) of a scenario event. */
static int64_t
scen_due_us(const struct demo_server *srv, const struct scen_event *ev)
{
	return srv->scen_t0_us +
	       (int64_t)((double)ev->at_ms * 1000.0 / srv->opts.speed);
}

static void
scen_fire(lws_sorted_usec_list_t *sul)
{
	struct demo_server *srv =
	    lws_container_of(sul, struct demo_server, sul_scen);
	int64_t now = clock_mono_us();

	while (scen_due_us(srv, &srv->next_ev) <= now) {
		scen_apply(srv, &srv->next_ev);
		srv->next_ev = scenario_next(&srv->scen);
	}
	lws_sul_schedule(srv->ctx, 0, &srv->sul_scen, scen_fire,
	                 scen_due_us(srv, &srv->next_ev) - now);
}

/*
 * The protocol of every HTTP request and WebSocket on the port: translate
 * the reason and hand it to the part that deals with it (demo_http.c,
 * demo_ws.c). Returns what lws expects (-1 closes the connection).
 */
static int
demo_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
              void *in, size_t len)
{
	struct lws_vhost *vh = lws_get_vhost(wsi);
	struct demo_server *srv = vh ? lws_get_vhost_user(vh) : NULL;
	struct ds_conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_WSI_DESTROY:
		sock_forget(wsi);
		break;
	case LWS_CALLBACK_HTTP_BIND_PROTOCOL:
		if (c != NULL && srv != NULL)
			ds_conn_link(srv, c, wsi, CONN_HTTP);
		break;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_CLOSED:
		if (c != NULL)
			ds_conn_unlink(c);
		break;

	case LWS_CALLBACK_HTTP:
		if (srv == NULL || c == NULL)
			return -1;
		ds_conn_link(srv, c, wsi, CONN_HTTP);
		if (dhttp_length_ambiguous(wsi)) {
			c->close_after = true;
			dhttp_error(c, 400,
			            "conflicting Content-Length (or with "
			            "Transfer-Encoding)");
			return dhttp_respond(wsi, c, false);
		}
		/* a POST without a length has no body (HTTP/1.1), but lws
		 * 4.1.6 reads up to 100 MB as one: answer, then close, so a
		 * request after it is not swallowed as a body */
		if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 &&
		    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) ==
		        0 &&
		    lws_hdr_total_length(wsi,
		                         WSI_TOKEN_HTTP_TRANSFER_ENCODING) == 0)
			c->close_after = true;
		/* A POST with a body is answered once the body is read. */
		if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 &&
		    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) >
		        0) {
			char cl[24];

			lws_hdr_copy(wsi, cl, sizeof(cl),
			             WSI_TOKEN_HTTP_CONTENT_LENGTH);
			if (atol(cl) > 0) {
				c->body_deferred = true;
				return 0;
			}
		}
		return dhttp_request(srv, wsi, c);
	case LWS_CALLBACK_HTTP_BODY:
		return 0; /* control requests take no body; discard it */
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (c == NULL || !c->body_deferred)
			return 0;
		c->body_deferred = false;
		return dhttp_request(srv, wsi, c);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (c == NULL || c->body == NULL)
			return 0;
		if (lws_write(wsi, c->body + LWS_PRE, c->body_len,
		              LWS_WRITE_HTTP_FINAL) < (int)c->body_len)
			return -1;
		free(c->body);
		c->body = NULL;
		return dhttp_done(wsi, c);

	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return srv ? dws_confirm_upgrade(srv, wsi) : -1;
	case LWS_CALLBACK_ESTABLISHED:
		return srv && c ? dws_established(srv, wsi, c) : -1;
	case LWS_CALLBACK_RECEIVE:
		return c && c->srv ? dws_receive(wsi, c, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c && c->srv ? dws_writeable(wsi, c) : -1;
	default:
		break;
	}
	return 0;
}

/* EMFILE is over (we hope): take connections again. */
static void
accept_resume(lws_sorted_usec_list_t *sul)
{
	struct demo_server *srv =
	    lws_container_of(sul, struct demo_server, sul_accept);

	if (srv->listen_wsi != NULL)
		lws_rx_flow_control(srv->listen_wsi, 1);
}

/*
 * Out of file descriptors. The listening socket stays readable, so calling
 * accept() again at once would spin a core: close the oldest idle HTTP
 * connections (no upgrade, no answer being written) to make room, and
 * accept again once they are closed (SHED_PAUSE_US: lws closes them on its
 * next pass), so a backlog of idle connections drains at thousands a
 * second and a real client queued behind it is reached (and, sending its
 * request at once, is not idle when its turn to be shed would come). With
 * nothing idle to close, wait EMFILE_PAUSE_US.
 */
static void
accept_overloaded(struct demo_server *srv, struct lws *listen_wsi, int err)
{
	int closed = 0;
	int64_t now = clock_mono_us();

	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1,
	                           lws_dll2_get_head(&srv->socks))
	{
		struct ds_sock *k = lws_container_of(d, struct ds_sock, list);

		if (closed < SHED_BATCH && sock_idle(k->wsi)) {
			struct lws *wsi = k->wsi;

			sock_forget(wsi);
			ds_kill_wsi(wsi);
			closed++;
		}
	}
	lws_end_foreach_dll_safe(d, d1);
	srv->shed += (uint64_t)closed;
	lws_rx_flow_control(listen_wsi, 0);
	lws_sul_schedule(srv->ctx, 0, &srv->sul_accept, accept_resume,
	                 closed ? SHED_PAUSE_US : EMFILE_PAUSE_US);
	if (now - srv->emfile_logged_us >= LWS_US_PER_SEC) {
		srv->emfile_logged_us = now;
		ds_log(srv,
		       "accept: %s: closed %d idle connection(s) (%llu in "
		       "all); accepting again in %ld ms",
		       strerror(err), closed, (unsigned long long)srv->shed,
		       (closed ? SHED_PAUSE_US : EMFILE_PAUSE_US) / 1000);
	}
}

/* The listening socket, adopted as a raw file: accept and hand to lws. */
static int
listen_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                void *in, size_t len)
{
	struct lws_vhost *vh = lws_get_vhost(wsi);
	struct demo_server *srv = vh ? lws_get_vhost_user(vh) : NULL;

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (srv == NULL || !srv->accepting || srv->listen_wsi != wsi)
			break; /* being closed: leave the backlog to the close
			        */
		for (int i = 0; i < ACCEPT_BATCH; i++) {
			struct lws *nwsi;
			int fd = accept4(lws_get_socket_fd(wsi), NULL, NULL,
			                 SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd < 0) {
				if (errno == EMFILE || errno == ENFILE ||
				    errno == ENOBUFS || errno == ENOMEM)
					accept_overloaded(srv, wsi, errno);
				break;
			}
			net_nodelay_fd(fd);
			/* On failure lws closes fd itself. */
			nwsi = lws_adopt_socket_vhost(srv->vh, fd);
			if (nwsi != NULL)
				sock_track(srv, nwsi);
		}
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (srv && srv->listen_wsi == wsi)
			srv->listen_wsi = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols demo_protocols[] = {
    {"http", demo_callback, sizeof(struct ds_conn), 4096, 0, NULL, 0},
    {"wsdash-listen", listen_callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- life cycle --------------------------------------------------------- */

/*
 * The address to listen on: numeric, or a name resolved once at start
 * (its first IPv4 address if it has one: "localhost" then means
 * 127.0.0.1, where every client looks, rather than ::1 alone).
 */
static bool
parse_addr(struct demo_server *srv, const char *bind_addr, int port, char *err,
           size_t errlen)
{
	struct addrinfo hints, *res = NULL, *pick = NULL;
	int r;

	memset(&srv->addr, 0, sizeof(srv->addr));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	r = getaddrinfo(bind_addr, NULL, &hints, &res);
	if (r != 0) {
		snprintf(err, errlen, "--bind: cannot resolve '%s': %s",
		         bind_addr, gai_strerror(r));
		return false;
	}
	for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
		if (a->ai_family == AF_INET) {
			pick = a;
			break;
		}
		if (a->ai_family == AF_INET6 && pick == NULL)
			pick = a;
	}
	if (pick == NULL || pick->ai_addrlen > sizeof(srv->addr)) {
		freeaddrinfo(res);
		snprintf(err, errlen, "--bind: '%s' has no IP address",
		         bind_addr);
		return false;
	}
	memcpy(&srv->addr, pick->ai_addr, pick->ai_addrlen);
	srv->addrlen = (socklen_t)pick->ai_addrlen;
	if (pick->ai_family == AF_INET)
		((struct sockaddr_in *)&srv->addr)->sin_port =
		    htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&srv->addr)->sin6_port =
		    htons((uint16_t)port);
	freeaddrinfo(res);
	return true;
}

struct demo_server *
demo_server_new(struct lws_context *ctx, const struct serve_opts *o, FILE *log,
                char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct demo_server *srv = calloc(1, sizeof(*srv));
	int r;

	if (srv == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->ctx = ctx;
	srv->opts = *o;
	srv->fl = demo_stream_flavor(o->flavor);
	srv->log = log;
	srv->port = o->port;
	srv->started_us = clock_mono_us();
	if (!srv->opts.seed_set)
		/* Short enough to retype, exact as a JSON number. */
		srv->opts.seed =
		    ((uint64_t)clock_wall_us() ^ ((uint64_t)getpid() << 16)) %
		    1000000;
	if (!parse_addr(srv, o->bind, o->port, err, errlen))
		goto err;
	if (getnameinfo((struct sockaddr *)&srv->addr, srv->addrlen, srv->bound,
	                sizeof(srv->bound), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(srv->bound, sizeof(srv->bound), "%s", o->bind);

	memset(&info, 0, sizeof(info));
	info.vhost_name = "wsdash-demo";
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = demo_protocols;
	info.user = srv;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	srv->vh = lws_create_vhost(ctx, &info);
	if (srv->vh == NULL) {
		snprintf(err, errlen, "cannot create the server vhost");
		goto err;
	}

	demo_world_init(&srv->world, srv->opts.seed, clock_wall_ms());
	rng_init(&srv->jitter, srv->opts.seed ^ 0x6a09e667f3bcc909ULL);
	dws_streams_init(srv);

	r = srv_listen(srv);
	if (r < 0) {
		snprintf(err, errlen, "cannot listen on %s port %d: %s",
		         o->bind, o->port, strerror(-r));
		goto err;
	}

	dws_streams_start(srv);
	if (o->scenario == SCENARIO_OUTAGES) {
		scenario_init(&srv->scen, srv->opts.seed);
		srv->next_ev = scenario_next(&srv->scen);
		srv->scen_t0_us = clock_mono_us();
		lws_sul_schedule(ctx, 0, &srv->sul_scen, scen_fire,
		                 scen_due_us(srv, &srv->next_ev) -
		                     srv->scen_t0_us);
	}
	return srv;
err:
	/* The vhost, if made, is torn down with the context. */
	free(srv);
	return NULL;
}

int
demo_server_port(const struct demo_server *srv)
{
	return srv->port;
}

const char *
demo_server_bind(const struct demo_server *srv)
{
	return srv->bound;
}

uint64_t
demo_server_seed(const struct demo_server *srv)
{
	return srv->opts.seed;
}

int
demo_server_shutdown(struct demo_server *srv)
{
	if (srv->fl->stop_close_code == 0)
		return 0; /* the context's destruction drops them, as ever */
	srv->accepting = false;
	if (srv->listen_wsi != NULL) {
		struct lws *l = srv->listen_wsi;

		srv->listen_wsi = NULL;
		lws_set_timeout(l, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
	}
	lws_sul_cancel(&srv->sul_scen);
	lws_sul_cancel(&srv->sul_relisten);
	return dws_close_all(srv, srv->fl->stop_close_code, "");
}

int
demo_server_open_sockets(const struct demo_server *srv)
{
	return dws_open_sockets(srv);
}

void
demo_server_free(struct demo_server *srv)
{
	if (srv == NULL)
		return;
	dws_streams_done(srv);
	free(srv->scratch);
	free(srv);
}
