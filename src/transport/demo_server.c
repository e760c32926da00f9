/*
 * demo_server.c: the embedded demo backend, an lws vhost that behaves like a
 * FastAPI app's live-update backend.
 *
 * One protocol handles everything on the port: plain HTTP (the /api/ data,
 * the /control/ API, 404s) and the WebSocket streams, which lws 4.1.6 hands
 * to protocols[0] when the client names no subprotocol. Routing of upgrades
 * by path happens in HTTP_CONFIRM_UPGRADE.
 *
 * We own the listening socket instead of letting lws listen: lws adopts it as
 * a raw file, we accept() and adopt each connection. That is what lets the
 * outages scenario stop the whole server (close the socket, so connects are
 * refused) and start it again on the same port, which lws_vhost_destroy()
 * cannot do in 4.1.6.
 *
 * Streams do not queue messages: a tick marks each connection "pending" and
 * the writeable callback sends the current state with the connection's next
 * seq. A slow client therefore costs no memory; it just sees fewer updates.
 */
#include <arpa/inet.h>
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
#include "wsdash/demo_world.h"
#include "wsdash/rng.h"
#include "demo_server.h"
#include "net.h"

#define READY_WAIT_US     (2 * LWS_US_PER_SEC) /* wait for client_ready */
#define PONG_SLOTS        4   /* app-level pongs waiting to be written */
#define PONG_MAX          256 /* longer pongs are not echoed */
#define ACCEPT_BATCH      64  /* accepts per readable event, for fairness */
#define FLOOD_BATCH       64  /* flood writes per writeable event */
#define RELISTEN_RETRY_US (500 * LWS_US_PER_MS)
#define EMFILE_PAUSE_US   (100 * LWS_US_PER_MS) /* no accept() for this long */
#define SHED_BATCH        16 /* idle connections closed per EMFILE */

enum conn_kind { CONN_NONE, CONN_HTTP, CONN_WS };

/* One live stream (a /ws/ path) and its subscribers. */
struct ds_stream {
	struct demo_server *srv;
	int idx;
	bool up;
	int down_status;        /* 404 or 503 while !up */
	lws_dll2_owner_t conns; /* struct ds_conn.in_stream */
	lws_sorted_usec_list_t sul_tick;
	char *data; /* cached JSON of the data payload */
	size_t data_len;
	uint64_t data_gen; /* world generation the cache is from */
	uint64_t sent;     /* messages written on this stream */
};

struct demo_server {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct serve_opts opts;
	FILE *log;

	struct sockaddr_storage addr;
	socklen_t addrlen;
	int port;
	struct lws *listen_wsi; /* NULL while not accepting */
	bool accepting;
	lws_sorted_usec_list_t sul_relisten;
	lws_sorted_usec_list_t sul_accept; /* resume accepting after EMFILE */
	int64_t emfile_logged_us;
	uint64_t shed; /* idle connections closed to make room */

	struct demo_world world;
	struct rng jitter;
	struct ds_stream streams[DEMO_NSTREAMS];
	lws_dll2_owner_t conns; /* every connection, struct ds_conn.all */
	lws_dll2_owner_t socks; /* every accepted one, oldest first */

	struct scenario scen;
	struct scen_event next_ev;
	int64_t scen_t0_us;
	uint64_t scen_applied;
	lws_sorted_usec_list_t sul_scen;

	unsigned char *scratch; /* LWS_PRE + message being written */
	size_t scratch_cap;
	int64_t started_us;
};

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

/* Per-connection state, allocated and zeroed by lws (per_session_data). */
struct ds_conn {
	struct demo_server *srv; /* NULL until linked */
	struct lws *wsi;
	enum conn_kind kind;
	lws_dll2_t all;
	lws_dll2_t in_stream;
	int stream;

	/* WebSocket */
	lws_sorted_usec_list_t sul_ready;
	bool ready;   /* client_ready seen or waited out */
	bool pending; /* send the current state when writeable */
	bool closing; /* stream went down: close when writeable */
	bool flood_done_pending;
	int64_t flood_left;
	int64_t flood_t0_us;
	uint64_t seq;
	char *rx; /* reassembly, <= SERVE_MAX_CLIENT_MSG bytes */
	size_t rx_len;
	char pong[PONG_SLOTS][PONG_MAX];
	unsigned npong;

	/* HTTP */
	unsigned char *body; /* LWS_PRE + body */
	size_t body_len;
	int http_status;
	bool body_deferred; /* answer after the request body is read */
	bool close_after;   /* the request's length is unknowable: close */
	int method;
};

static void srv_log(struct demo_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
srv_log(struct demo_server *srv, const char *fmt, ...)
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

static void
conn_link(struct demo_server *srv, struct ds_conn *c, struct lws *wsi,
          enum conn_kind kind)
{
	if (c->srv != NULL)
		return;
	c->srv = srv;
	c->wsi = wsi;
	c->kind = kind;
	lws_dll2_add_tail(&c->all, &srv->conns);
}

/* Forget a connection: lists, timer and buffers. Safe to call twice. */
static void
conn_unlink(struct ds_conn *c)
{
	if (c->srv == NULL)
		return;
	lws_dll2_remove(&c->all);
	lws_dll2_remove(&c->in_stream);
	lws_sul_cancel(&c->sul_ready);
	free(c->rx);
	c->rx = NULL;
	free(c->body);
	c->body = NULL;
	c->srv = NULL;
}

static void
kill_wsi(struct lws *wsi)
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

/* ---- stream data -------------------------------------------------------- */

/* The stream's data payload as JSON text, rebuilt when the world changed. */
static const char *
stream_data(struct ds_stream *st, size_t *len)
{
	struct demo_server *srv = st->srv;

	if (st->data == NULL || st->data_gen != srv->world.generation) {
		cJSON *j = demo_world_data(&srv->world, st->idx);
		char *s = j ? cJSON_PrintUnformatted(j) : NULL;

		cJSON_Delete(j);
		if (s != NULL) {
			free(st->data);
			st->data = s;
			st->data_len = strlen(s);
			st->data_gen = srv->world.generation;
		}
	}
	*len = st->data ? st->data_len : 0;
	return st->data ? st->data : "null";
}

/* Make sure the scratch buffer holds LWS_PRE + need bytes. */
static bool
scratch_reserve(struct demo_server *srv, size_t need)
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

/* Write one stream message (the current state) on c. */
static int
conn_write_update(struct ds_conn *c)
{
	struct ds_stream *st = &c->srv->streams[c->stream];
	size_t dlen, n;
	const char *data = stream_data(st, &dlen);

	if (!scratch_reserve(c->srv, dlen + 128))
		return -1;
	n = demo_format_message((char *)c->srv->scratch + LWS_PRE,
	                        c->srv->scratch_cap - LWS_PRE, st->idx,
	                        ++c->seq, clock_wall_ms(), data);
	if (lws_write(c->wsi, c->srv->scratch + LWS_PRE, n, LWS_WRITE_TEXT) <
	    (int)n)
		return -1;
	st->sent++;
	return 0;
}

static int
conn_write_text(struct ds_conn *c, const char *text)
{
	size_t n = strlen(text);

	if (!scratch_reserve(c->srv, n))
		return -1;
	memcpy(c->srv->scratch + LWS_PRE, text, n);
	return lws_write(c->wsi, c->srv->scratch + LWS_PRE, n, LWS_WRITE_TEXT) <
	               (int)n
	           ? -1
	           : 0;
}

/* The client is ready (or we stopped waiting): start its updates. */
static void
conn_start(struct ds_conn *c)
{
	if (c->ready)
		return;
	c->ready = true;
	lws_sul_cancel(&c->sul_ready);
	if (c->srv->opts.scenario == SCENARIO_FLOOD) {
		c->flood_left = c->srv->opts.count;
		c->flood_t0_us = clock_mono_us();
	} else
		c->pending = true; /* the initial snapshot */
	lws_callback_on_writable(c->wsi);
}

static void
conn_ready_timeout(lws_sorted_usec_list_t *sul)
{
	conn_start(lws_container_of(sul, struct ds_conn, sul_ready));
}

/* Queue updates for every ready subscriber of st. Returns how many. */
static int
stream_broadcast(struct ds_stream *st)
{
	int n = 0;

	lws_start_foreach_dll(struct lws_dll2 *, d,
	                      lws_dll2_get_head(&st->conns))
	{
		struct ds_conn *c =
		    lws_container_of(d, struct ds_conn, in_stream);

		if (c->ready && !c->closing) {
			c->pending = true;
			lws_callback_on_writable(c->wsi);
			n++;
		}
	}
	lws_end_foreach_dll(d);
	return n;
}

/* One update on stream st: the world moves on, subscribers hear of it. */
static int
stream_update(struct ds_stream *st)
{
	if (st->idx == DEMO_WORKFLOWS)
		demo_world_step(&st->srv->world, clock_wall_ms());
	return stream_broadcast(st);
}

static void stream_tick(lws_sorted_usec_list_t *sul);

static void
stream_schedule_tick(struct ds_stream *st)
{
	struct demo_server *srv = st->srv;
	double period_us;

	if (srv->opts.rate <= 0 || srv->opts.scenario == SCENARIO_FLOOD)
		return;
	/* +-10% jitter so streams drift apart like real ones. */
	period_us = 1e6 / srv->opts.rate * (0.9 + 0.2 * rng_unit(&srv->jitter));
	lws_sul_schedule(srv->ctx, 0, &st->sul_tick, stream_tick,
	                 (lws_usec_t)period_us);
}

static void
stream_tick(lws_sorted_usec_list_t *sul)
{
	struct ds_stream *st =
	    lws_container_of(sul, struct ds_stream, sul_tick);

	stream_update(st);
	stream_schedule_tick(st);
}

int
demo_server_set_stream(struct demo_server *srv, int s, bool up, int status)
{
	struct ds_stream *st;
	int dropped = 0;

	if (s < 0 || s >= DEMO_NSTREAMS)
		return 0;
	st = &srv->streams[s];
	st->up = up;
	st->down_status = up ? 0 : status;
	if (up)
		return 0;
	/* Close live subscribers now; they leave the list at once. */
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1,
	                           lws_dll2_get_head(&st->conns))
	{
		struct ds_conn *c =
		    lws_container_of(d, struct ds_conn, in_stream);

		c->closing = true;
		lws_dll2_remove(&c->in_stream);
		lws_callback_on_writable(c->wsi);
		dropped++;
	}
	lws_end_foreach_dll_safe(d, d1);
	return dropped;
}

bool
demo_server_stream_up(const struct demo_server *srv, int s)
{
	return s >= 0 && s < DEMO_NSTREAMS && srv->streams[s].up;
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
		srv_log(srv, "cannot listen again on port %d: %s; retrying",
		        srv->port, strerror(-r));
		lws_sul_schedule(srv->ctx, 0, &srv->sul_relisten, srv_relisten,
		                 RELISTEN_RETRY_US);
	}
}

/* Stop accepting (connections are refused) and drop every connection. */
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
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1,
	                           lws_dll2_get_head(&srv->conns))
	{
		struct ds_conn *c = lws_container_of(d, struct ds_conn, all);

		kill_wsi(c->wsi);
		conn_unlink(c);
	}
	lws_end_foreach_dll_safe(d, d1);
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
		srv_log(srv, "outage: %s down (%d), %d connection(s) dropped",
		        demo_stream_info(ev->stream)->ws_path, ev->status, n);
		break;
	case SCEN_STREAM_UP:
		demo_server_set_stream(srv, ev->stream, true, 0);
		srv_log(srv, "outage: %s up",
		        demo_stream_info(ev->stream)->ws_path);
		break;
	case SCEN_SERVER_STOP:
		srv_stop(srv);
		srv_log(srv, "outage: server stopped accepting connections");
		break;
	case SCEN_SERVER_START:
		srv_start(srv);
		srv_log(srv, "outage: server accepting again");
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

/* ---- HTTP ------------------------------------------------------------- */

/* Set c's response to status + a JSON body (takes ownership of json). */
static void
http_set_json(struct ds_conn *c, int status, cJSON *json)
{
	char *s = json ? cJSON_PrintUnformatted(json) : NULL;
	size_t n = s ? strlen(s) : 0;

	cJSON_Delete(json);
	free(c->body);
	c->body = malloc(LWS_PRE + n + 1);
	c->body_len = 0;
	if (c->body != NULL && s != NULL) {
		memcpy(c->body + LWS_PRE, s, n);
		c->body_len = n;
	}
	free(s);
	c->http_status = status;
}

static void
http_error(struct ds_conn *c, int status, const char *msg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "error", msg);
	http_set_json(c, status, j);
}

/* FastAPI's 404 body. */
static void
http_not_found(struct ds_conn *c)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "detail", "Not Found");
	http_set_json(c, 404, j);
}

/* The answer is out: next request, or close. Returns -1 to close. */
static int
http_done(struct lws *wsi, struct ds_conn *c)
{
	if (c->close_after)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/*
 * Where a request's body ends is unknowable, or ambiguous: duplicate or
 * listed Content-Length values, or Content-Length with Transfer-Encoding
 * (the way requests are smuggled past proxies). Returns true if so.
 */
static bool
http_length_ambiguous(struct lws *wsi)
{
	char cl[64];

	if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, 1) > 0)
		return true;
	if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) >
	        0 &&
	    (strchr(cl, ',') != NULL ||
	     lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0))
		return true;
	return false;
}

/* Send headers; the body follows in HTTP_WRITEABLE. Returns -1 to close. */
static int
http_respond(struct lws *wsi, struct ds_conn *c, bool head)
{
	unsigned char buf[LWS_PRE + 512];
	unsigned char *start = buf + LWS_PRE, *p = start,
	              *end = buf + sizeof(buf) - 1;

	if (lws_add_http_common_headers(wsi, (unsigned)c->http_status,
	                                "application/json", c->body_len, &p,
	                                end) ||
	    lws_add_http_header_by_name(
	        wsi, (const unsigned char *)"cache-control:",
	        (const unsigned char *)"no-store", 8, &p, end) ||
	    (c->close_after &&
	     lws_add_http_header_by_name(
	         wsi, (const unsigned char *)"connection:",
	         (const unsigned char *)"close", 5, &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	if (head || c->body_len == 0) {
		free(c->body);
		c->body = NULL;
		return http_done(wsi, c);
	}
	lws_callback_on_writable(wsi);
	return 0;
}

static cJSON *
state_json(struct demo_server *srv)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	uint64_t clients = 0;

	cJSON_AddStringToObject(o, "scenario",
	                        scenario_mode_name(srv->opts.scenario));
	cJSON_AddNumberToObject(o, "seed", (double)srv->opts.seed);
	cJSON_AddNumberToObject(o, "rate", srv->opts.rate);
	cJSON_AddNumberToObject(o, "speed", srv->opts.speed);
	cJSON_AddBoolToObject(o, "accepting", srv->accepting);
	cJSON_AddNumberToObject(
	    o, "uptime_ms",
	    (double)((clock_mono_us() - srv->started_us) / 1000));
	arr = cJSON_AddArrayToObject(o, "streams");
	for (int i = 0; i < DEMO_NSTREAMS; i++) {
		struct ds_stream *st = &srv->streams[i];
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "name", demo_stream_info(i)->name);
		cJSON_AddStringToObject(s, "path",
		                        demo_stream_info(i)->ws_path);
		cJSON_AddBoolToObject(s, "up", st->up);
		if (st->up)
			cJSON_AddNullToObject(s, "status");
		else
			cJSON_AddNumberToObject(s, "status", st->down_status);
		cJSON_AddNumberToObject(s, "clients", st->conns.count);
		cJSON_AddNumberToObject(s, "messages_sent", (double)st->sent);
		cJSON_AddItemToArray(arr, s);
		clients += st->conns.count;
	}
	cJSON_AddNumberToObject(o, "clients", (double)clients);
	cJSON_AddNumberToObject(o, "scenario_events",
	                        (double)srv->scen_applied);
	return o;
}

/* /control/...: fills c's response. */
static void
control_handle(struct demo_server *srv, struct lws *wsi, struct ds_conn *c,
               const char *what)
{
	char pbuf[256], sbuf[64];
	const char *path, *status;
	int s = -1, code = 0;
	cJSON *j;

	if (strcmp(what, "state") == 0) {
		if (c->method != LWSHUMETH_GET) {
			http_error(c, 405, "use GET for /control/state");
			return;
		}
		http_set_json(c, 200, state_json(srv));
		return;
	}
	if (strcmp(what, "down") != 0 && strcmp(what, "up") != 0 &&
	    strcmp(what, "send") != 0) {
		http_error(c, 404,
		           "unknown control action (down, up, send, "
		           "state)");
		return;
	}
	if (c->method != LWSHUMETH_POST) {
		http_error(c, 405, "use POST for this control action");
		return;
	}
	path = lws_get_urlarg_by_name(wsi, "path=", pbuf, sizeof(pbuf));
	if (path == NULL || *path == '\0') {
		http_error(c, 400, "missing parameter: path");
		return;
	}
	s = demo_stream_by_ws_path(path);
	if (s < 0) {
		http_error(c, 400,
		           "unknown stream path (use /ws/workflows, "
		           "/ws/workflow-history or /ws/routes)");
		return;
	}
	j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "ok", 1);
	cJSON_AddStringToObject(j, "path", demo_stream_info(s)->ws_path);
	if (strcmp(what, "down") == 0) {
		status =
		    lws_get_urlarg_by_name(wsi, "status=", sbuf, sizeof(sbuf));
		if (status == NULL || (strcmp(status, "404") != 0 &&
		                       strcmp(status, "503") != 0)) {
			cJSON_Delete(j);
			http_error(c, 400,
			           status ? "status must be 404 or 503"
			                  : "missing parameter: status "
			                    "(404 or 503)");
			return;
		}
		code = atoi(status);
		cJSON_AddNumberToObject(
		    j, "dropped", demo_server_set_stream(srv, s, false, code));
		cJSON_AddBoolToObject(j, "up", 0);
		cJSON_AddNumberToObject(j, "status", code);
		srv_log(srv, "control: %s down (%d)",
		        demo_stream_info(s)->ws_path, code);
	} else if (strcmp(what, "up") == 0) {
		demo_server_set_stream(srv, s, true, 0);
		cJSON_AddBoolToObject(j, "up", 1);
		srv_log(srv, "control: %s up", demo_stream_info(s)->ws_path);
	} else {
		cJSON_AddNumberToObject(j, "clients",
		                        stream_update(&srv->streams[s]));
	}
	http_set_json(c, 200, j);
}

/* Route one HTTP request (not an upgrade) and set c's response. */
static void
http_route(struct demo_server *srv, struct lws *wsi, struct ds_conn *c,
           const char *uri)
{
	int s;

	if (strncmp(uri, "/control/", 9) == 0) {
		control_handle(srv, wsi, c, uri + 9);
		return;
	}
	s = demo_stream_by_api_path(uri);
	if (s >= 0 &&
	    (c->method == LWSHUMETH_GET || c->method == LWSHUMETH_HEAD)) {
		size_t n;
		const char *d = stream_data(&srv->streams[s], &n);

		free(c->body);
		c->body = malloc(LWS_PRE + n + 1);
		c->body_len = c->body ? n : 0;
		if (c->body)
			memcpy(c->body + LWS_PRE, d, n);
		c->http_status = c->body ? 200 : 500;
		return;
	}
	if (s >= 0) {
		http_error(c, 405, "Method Not Allowed");
		return;
	}
	/* /ws/ paths without an upgrade, HEAD included, and everything else:
	 * 404, as the FastAPI backend answers. */
	http_not_found(c);
}

static int
http_request(struct demo_server *srv, struct lws *wsi, struct ds_conn *c)
{
	char *uri = NULL;
	char path[256];
	int ulen = 0;

	c->method = lws_http_get_uri_and_method(wsi, &uri, &ulen);
	if (c->method < 0 || uri == NULL || ulen <= 0) {
		http_error(c, 400, "bad request");
		return http_respond(wsi, c, false);
	}
	snprintf(path, sizeof(path), "%.*s", ulen, uri);
	http_route(srv, wsi, c, path);
	return http_respond(wsi, c, c->method == LWSHUMETH_HEAD);
}

/* ---- the protocol callbacks ------------------------------------------- */

/* Parse one complete client message. Returns -1 to close the connection. */
static int
ws_client_message(struct ds_conn *c)
{
	cJSON *j = cJSON_ParseWithLength(c->rx, c->rx_len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");

	if (cJSON_IsString(type) &&
	    strcmp(type->valuestring, "client_ready") == 0) {
		conn_start(c);
	} else if (cJSON_IsString(type) &&
	           strcmp(type->valuestring, "ping") == 0) {
		const cJSON *ts =
		    cJSON_GetObjectItemCaseSensitive(j, "timestamp");
		cJSON *pong = cJSON_CreateObject();
		char *s;

		cJSON_AddStringToObject(pong, "type", "pong");
		cJSON_AddItemToObject(pong, "timestamp",
		                      ts ? cJSON_Duplicate(ts, 1)
		                         : cJSON_CreateNull());
		s = cJSON_PrintUnformatted(pong);
		cJSON_Delete(pong);
		if (s != NULL && strlen(s) < PONG_MAX) {
			/* Full: the oldest waiting pong makes room. */
			if (c->npong == PONG_SLOTS) {
				memmove(c->pong[0], c->pong[1],
				        sizeof(c->pong[0]) * (PONG_SLOTS - 1));
				c->npong--;
			}
			memcpy(c->pong[c->npong++], s, strlen(s) + 1);
			lws_callback_on_writable(c->wsi);
		}
		free(s);
	}
	cJSON_Delete(j);
	return 0;
}

static int
ws_receive(struct lws *wsi, struct ds_conn *c, const void *in, size_t len)
{
	char *p;

	if (lws_is_first_fragment(wsi) && c->rx_len > 0)
		c->rx_len = 0;
	if (c->rx_len + len > SERVE_MAX_CLIENT_MSG) {
		static const char why[] = "message over 64 KiB";

		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		                 (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	if (len > 0) {
		p = realloc(c->rx, c->rx_len + len + 1);
		if (p == NULL)
			return -1;
		c->rx = p;
		memcpy(c->rx + c->rx_len, in, len);
		c->rx_len += len;
	}
	if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
		int r = lws_frame_is_binary(wsi) ? 0 : ws_client_message(c);

		c->rx_len = 0;
		/* Do not keep a large buffer for an idle connection. */
		if (c->rx != NULL && len > 4096) {
			free(c->rx);
			c->rx = NULL;
		}
		return r;
	}
	return 0;
}

static int
ws_writeable(struct lws *wsi, struct ds_conn *c)
{
	if (c->closing) {
		static const char why[] = "stream down";

		lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY,
		                 (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	if (c->npong > 0) {
		if (conn_write_text(c, c->pong[0]) < 0)
			return -1;
		memmove(c->pong[0], c->pong[1],
		        sizeof(c->pong[0]) * (PONG_SLOTS - 1));
		c->npong--;
	} else if (c->pending) {
		c->pending = false;
		if (conn_write_update(c) < 0)
			return -1;
	} else if (c->flood_left > 0) {
		for (int i = 0; i < FLOOD_BATCH && c->flood_left > 0; i++) {
			if (conn_write_update(c) < 0)
				return -1;
			if (--c->flood_left == 0)
				c->flood_done_pending = true;
			if (lws_send_pipe_choked(wsi))
				break;
		}
	} else if (c->flood_done_pending) {
		char msg[128];

		c->flood_done_pending = false;
		snprintf(msg, sizeof(msg),
		         "{\"type\":\"flood_done\",\"seq\":%llu,"
		         "\"sent_at\":%lld,\"count\":%lld}",
		         (unsigned long long)++c->seq,
		         (long long)clock_wall_ms(),
		         (long long)c->srv->opts.count);
		if (conn_write_text(c, msg) < 0)
			return -1;
		{
			double secs =
			    (double)(clock_mono_us() - c->flood_t0_us) / 1e6;

			srv_log(c->srv,
			        "flood: %lld messages in %.3f s (%.0f msg/s)",
			        (long long)c->srv->opts.count, secs,
			        secs > 0 ? (double)c->srv->opts.count / secs
			                 : 0.0);
		}
	}
	if (c->npong > 0 || c->pending || c->flood_left > 0 ||

	    c->flood_done_pending)
		lws_callback_on_writable(wsi);
	return 0;
}

/* Accept or refuse an upgrade by path and stream state. */
static int
ws_confirm_upgrade(struct demo_server *srv, struct lws *wsi)
{
	char uri[256];
	int s;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0) {
		lws_return_http_status(wsi, 404, NULL);
		return 1;
	}
	s = demo_stream_by_ws_path(uri);
	if (s < 0) {
		lws_return_http_status(wsi, 404, NULL);
		return 1;
	}
	if (!srv->streams[s].up) {
		lws_return_http_status(
		    wsi, (unsigned)srv->streams[s].down_status, NULL);
		return 1;
	}
	return 0;
}

static int
ws_established(struct demo_server *srv, struct lws *wsi, struct ds_conn *c)
{
	char uri[256];
	int s = -1;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) > 0)
		s = demo_stream_by_ws_path(uri);
	if (s < 0 || !srv->streams[s].up)
		return -1; /* raced with a stream going down */
	conn_link(srv, c, wsi, CONN_WS);
	c->stream = s;
	lws_dll2_add_tail(&c->in_stream, &srv->streams[s].conns);
	lws_sul_schedule(srv->ctx, 0, &c->sul_ready, conn_ready_timeout,
	                 READY_WAIT_US);
	return 0;
}

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
			conn_link(srv, c, wsi, CONN_HTTP);
		break;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_CLOSED:
		if (c != NULL)
			conn_unlink(c);
		break;

	case LWS_CALLBACK_HTTP:
		if (srv == NULL || c == NULL)
			return -1;
		conn_link(srv, c, wsi, CONN_HTTP);
		if (http_length_ambiguous(wsi)) {
			c->close_after = true;
			http_error(c, 400,
			           "conflicting Content-Length (or with "
			           "Transfer-Encoding)");
			return http_respond(wsi, c, false);
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
		return http_request(srv, wsi, c);
	case LWS_CALLBACK_HTTP_BODY:
		return 0; /* control requests take no body; discard it */
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (c == NULL || !c->body_deferred)
			return 0;
		c->body_deferred = false;
		return http_request(srv, wsi, c);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (c == NULL || c->body == NULL)
			return 0;
		if (lws_write(wsi, c->body + LWS_PRE, c->body_len,
		              LWS_WRITE_HTTP_FINAL) < (int)c->body_len)
			return -1;
		free(c->body);
		c->body = NULL;
		return http_done(wsi, c);

	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return srv ? ws_confirm_upgrade(srv, wsi) : -1;
	case LWS_CALLBACK_ESTABLISHED:
		return srv && c ? ws_established(srv, wsi, c) : -1;
	case LWS_CALLBACK_RECEIVE:
		return c && c->srv ? ws_receive(wsi, c, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c && c->srv ? ws_writeable(wsi, c) : -1;
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
 * connections (no upgrade, no answer being written) to make room, and stop
 * accepting for EMFILE_PAUSE_US.
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
			kill_wsi(wsi);
			closed++;
		}
	}
	lws_end_foreach_dll_safe(d, d1);
	srv->shed += (uint64_t)closed;
	lws_rx_flow_control(listen_wsi, 0);
	lws_sul_schedule(srv->ctx, 0, &srv->sul_accept, accept_resume,
	                 EMFILE_PAUSE_US);
	if (now - srv->emfile_logged_us >= LWS_US_PER_SEC) {
		srv->emfile_logged_us = now;
		srv_log(srv,
		        "accept: %s: closed %d idle connection(s) (%llu in "
		        "all); accepting again in %ld ms",
		        strerror(err), closed, (unsigned long long)srv->shed,
		        EMFILE_PAUSE_US / 1000);
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

static bool
parse_addr(struct demo_server *srv, const char *bind_addr, int port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&srv->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&srv->addr;

	memset(&srv->addr, 0, sizeof(srv->addr));
	if (inet_pton(AF_INET, bind_addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		srv->addrlen = sizeof(*a4);
		return true;
	}
	if (inet_pton(AF_INET6, bind_addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		srv->addrlen = sizeof(*a6);
		return true;
	}
	return false;
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
	srv->log = log;
	srv->port = o->port;
	srv->started_us = clock_mono_us();
	if (!srv->opts.seed_set)
		/* Short enough to retype, exact as a JSON number. */
		srv->opts.seed =
		    ((uint64_t)clock_wall_us() ^ ((uint64_t)getpid() << 16)) %
		    1000000;
	if (!parse_addr(srv, o->bind, o->port)) {
		snprintf(err, errlen, "bad bind address '%s'", o->bind);
		goto err;
	}

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
	for (int i = 0; i < DEMO_NSTREAMS; i++) {
		srv->streams[i].srv = srv;
		srv->streams[i].idx = i;
		srv->streams[i].up = true;
	}

	r = srv_listen(srv);
	if (r < 0) {
		snprintf(err, errlen, "cannot listen on %s port %d: %s",
		         o->bind, o->port, strerror(-r));
		goto err;
	}

	for (int i = 0; i < DEMO_NSTREAMS; i++)
		stream_schedule_tick(&srv->streams[i]);
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
	return srv->opts.bind;
}

uint64_t
demo_server_seed(const struct demo_server *srv)
{
	return srv->opts.seed;
}

void
demo_server_free(struct demo_server *srv)
{
	if (srv == NULL)
		return;
	for (int i = 0; i < DEMO_NSTREAMS; i++)
		free(srv->streams[i].data);
	free(srv->scratch);
	free(srv);
}
