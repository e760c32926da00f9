/*
 * demo_server_int.h: what the parts of the demo backend share (private to
 * src/transport/).
 *
 *   demo_server.c    life cycle, the listening socket we own, accept and
 *                    out-of-descriptors shedding, the outages scenario,
 *                    shutdown, and the lws callback that hands each
 *                    reason to one of the parts below
 *   demo_ws.c        the WebSocket streams: upgrades, the ready wait,
 *                    what each socket still has to be sent, broadcasts,
 *                    ticks and change checks, stall, flood
 *   demo_http.c      plain HTTP: the API GETs, FastAPI's 404/405/307
 *                    manners, writing an answer
 *   demo_control.c   the /control/ API (not part of any real backend)
 *
 * Which backend is imitated is data (struct demo_flavor, demo_stream.h);
 * these files read its switches and never test the flavor by name.
 *
 * Nothing is queued per message: each socket keeps the set of streams it
 * still has to hear from (at most one entry per stream, in the order they
 * were asked for) and the writeable callback sends each stream's current
 * state. A slow client costs no memory; it just sees fewer updates.
 */
#ifndef WSDASH_DEMO_SERVER_INT_H
#define WSDASH_DEMO_SERVER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <libwebsockets.h>

#include "wsdash/demo_world.h"
#include "wsdash/rng.h"
#include "wsdash/scenario.h"
#include "wsdash/serve.h"
#include "demo_server.h"

#define PONG_SLOTS 4   /* app-level pongs waiting to be written */
#define PONG_MAX   256 /* longer pongs are not echoed */

enum conn_kind { CONN_NONE, CONN_HTTP, CONN_WS };

/* One live stream (a WebSocket path) and the sockets opened on it. */
struct ds_stream {
	struct demo_server *srv;
	int idx;
	const struct demo_stream_info *info;
	bool up;
	int down_status; /* 404 or 503 while !up */
	bool stalled;    /* its handler "died": its sockets hear nothing */
	lws_dll2_owner_t conns; /* struct ds_conn.in_stream */
	/* demo: the --rate tick; change-only: the change check */
	lws_sorted_usec_list_t sul_tick;
	char *data; /* cached JSON of the socket form of its data */
	size_t data_len;
	uint64_t data_gen; /* world generation the cache is from */
	/* change-only: the data as last broadcast (or at start) */
	char *last;
	size_t last_len;
	uint64_t last_gen; /* world generation last looked at */
	uint64_t sent;     /* messages written by this stream */
};

struct demo_server {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct serve_opts opts;
	const struct demo_flavor *fl;
	FILE *log;

	struct sockaddr_storage addr;
	socklen_t addrlen;
	char bound[64]; /* the numeric address listened on */
	int port;
	struct lws *listen_wsi; /* NULL while not accepting */
	bool accepting;
	lws_sorted_usec_list_t sul_relisten;
	lws_sorted_usec_list_t sul_accept; /* resume accepting after EMFILE */
	int64_t emfile_logged_us;
	uint64_t shed; /* idle connections closed to make room */

	struct demo_world world;
	struct rng jitter;
	struct ds_stream streams[DEMO_MAX_STREAMS];
	lws_sorted_usec_list_t sul_world; /* change-only: the world's tick */
	lws_dll2_owner_t conns; /* every connection, struct ds_conn.all */
	unsigned nws;           /* of which WebSockets */
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
	bool ready;     /* first frame seen or waited out */
	bool closing;   /* close with close_code when writeable */
	int close_code; /* 0: drop without a close frame */
	const char *close_why;
	uint8_t pend[DEMO_MAX_STREAMS]; /* streams to send, in order */
	uint8_t npend;
	uint16_t pend_mask; /* bit s: stream s is in pend[] */
	uint16_t snap_mask; /* bit s: ... as a snapshot (current state) */
	uint8_t greet_left; /* snapshot messages to send before any pong */
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
	char *location;     /* 307: where to (heap) */
	const char *allow;  /* 405: the methods allowed */
	bool body_deferred; /* answer after the request body is read */
	bool close_after;   /* the request's length is unknowable: close */
	int method;
};

/* ---- demo_server.c ---- */

/* One time-stamped line on the server's log (stdout for `wsdash serve`). */
void ds_log(struct demo_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Count c among srv's connections (kind CONN_WS: it was upgraded). */
void ds_conn_link(struct demo_server *srv, struct ds_conn *c, struct lws *wsi,
                  enum conn_kind kind);
/* Forget c: lists, timer, buffers. Safe to call twice. */
void ds_conn_unlink(struct ds_conn *c);
/* Have lws drop wsi on its next pass, without a close frame. */
void ds_kill_wsi(struct lws *wsi);
/* srv->scratch holds LWS_PRE + need bytes; false if out of memory. */
bool ds_scratch_reserve(struct demo_server *srv, size_t need);

/* ---- demo_ws.c ---- */

/* HTTP_CONFIRM_UPGRADE, ESTABLISHED, RECEIVE and SERVER_WRITEABLE, answered
 * as lws wants (-1 closes; 1 from the first: refused and answered). */
int dws_confirm_upgrade(struct demo_server *srv, struct lws *wsi);
int dws_established(struct demo_server *srv, struct lws *wsi,
                    struct ds_conn *c);
int dws_receive(struct lws *wsi, struct ds_conn *c, const void *in, size_t len);
int dws_writeable(struct lws *wsi, struct ds_conn *c);
/* The flavor's streams: set up, start their timers, free their data. */
void dws_streams_init(struct demo_server *srv);
void dws_streams_start(struct demo_server *srv);
void dws_streams_done(struct demo_server *srv);
/* The stream's data (socket form) as JSON text, owned by the stream. */
const char *dws_stream_data(struct ds_stream *st, size_t *len);
/* One update of st now (/control/send); returns the sockets queued. */
int dws_stream_push(struct ds_stream *st);
/* Stall or unstall stream s; returns its sockets. */
int dws_set_stalled(struct demo_server *srv, int s, bool stalled);
/* Close every connection: WebSockets with code (0: dropped), HTTP ones
 * dropped. Returns the WebSockets being closed with a close frame. */
int dws_close_all(struct demo_server *srv, int code, const char *why);
/* WebSockets still open, those being closed included. */
int dws_open_sockets(const struct demo_server *srv);

/* ---- demo_http.c ---- */

/* Route and answer the request on wsi. Returns -1 to close. */
int dhttp_request(struct demo_server *srv, struct lws *wsi, struct ds_conn *c);
/* Send the headers of c's answer; the body follows when writeable (none
 * for HEAD). Returns -1 to close. */
int dhttp_respond(struct lws *wsi, struct ds_conn *c, bool head);
/* The answer is out: next request, or close. Returns -1 to close. */
int dhttp_done(struct lws *wsi, struct ds_conn *c);
/* The request's length is ambiguous (smuggling-shaped headers). */
bool dhttp_length_ambiguous(struct lws *wsi);
/* c's answer: status and JSON (json is taken), or {"error": msg}. */
void dhttp_set_json(struct ds_conn *c, int status, cJSON *json);
void dhttp_error(struct ds_conn *c, int status, const char *msg);
/* Status line, Content-Type (if type), Content-Length and the flavor's
 * server headers into *p. Nonzero if they do not fit. */
int dhttp_headers(struct demo_server *srv, struct lws *wsi, unsigned code,
                  const char *type, size_t len, unsigned char **p,
                  unsigned char *end);

/* ---- demo_control.c ---- */

/* Answer /control/<what> (the part after /control/) into c's response. */
void dctl_handle(struct demo_server *srv, struct lws *wsi, struct ds_conn *c,
                 const char *what);

#endif
