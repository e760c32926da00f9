/*
 * demo_ws.c: the demo backend's WebSocket streams; see demo_server_int.h.
 *
 * An upgrade is routed by path in HTTP_CONFIRM_UPGRADE (lws 4.1.6 does not
 * route WebSockets by path). A new socket waits up to 2 s to be ready (the
 * flavor says what ends the wait), then is sent its snapshot. Updates come
 * either from each stream's own --rate tick (demo) or from change checks
 * on a world that moves at --rate (tac), and go to the stream's own ready
 * sockets or to every open socket, as the flavor says.
 *
 * A socket's pending work is a small ordered set of streams (one entry per
 * stream at most): asking twice for the same stream before the socket
 * drains costs nothing, and the writeable callback always sends the
 * stream's current state. A stalled stream's sockets keep that set but
 * write nothing (bar lws's own PONGs) until the stall ends.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wsdash/clock.h"
#include "demo_server_int.h"

#define READY_WAIT_US (2 * LWS_US_PER_SEC) /* wait for the first frame */
#define FLOOD_BATCH   64                   /* flood writes per writeable */

/* ---- stream data -------------------------------------------------------- */

/* The stream's data (socket form) as JSON text, rebuilt on a world change. */
const char *
dws_stream_data(struct ds_stream *st, size_t *len)
{
	struct demo_server *srv = st->srv;

	if (st->data == NULL || st->data_gen != srv->world.generation) {
		cJSON *j =
		    demo_world_json(&srv->world, st->info->data, DEMO_FORM_WS);
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

/* ---- one socket ------------------------------------------------------- */

/*
 * Ask for a message of stream s on c (once, in order): a snapshot (the
 * state when it is written) or a broadcast (see conn_write_stream()).
 */
static void
conn_pend(struct ds_conn *c, int s, bool snapshot)
{
	if (snapshot)
		c->snap_mask |= (uint16_t)(1u << s);
	if (c->pend_mask & (1u << s))
		return;
	c->pend[c->npend++] = (uint8_t)s;
	c->pend_mask |= (uint16_t)(1u << s);
	lws_callback_on_writable(c->wsi);
}

/* The first stream c still has to hear from, taken off its set. */
static int
conn_take(struct ds_conn *c, bool *snapshot)
{
	int s = c->pend[0];

	memmove(c->pend, c->pend + 1, --c->npend);
	*snapshot = (c->snap_mask & (1u << s)) != 0;
	c->pend_mask &= (uint16_t) ~(1u << s);
	c->snap_mask &= (uint16_t) ~(1u << s);
	return s;
}

/* c's stream is stalled: nothing may be written on c. */
static bool
conn_stalled(const struct ds_conn *c)
{
	return c->srv->streams[c->stream].stalled;
}

/*
 * Write one message of stream s on c: its current state, except that a
 * change-only broadcast carries the data as it was broadcast (st->last),
 * so a socket that drains after the world moved on does not get the newer
 * state now and again with the next broadcast.
 */
static int
conn_write_stream(struct ds_conn *c, int s, bool snapshot)
{
	struct demo_server *srv = c->srv;
	struct ds_stream *st = &srv->streams[s];
	char *out;
	size_t dlen, n, cap;
	const char *data = dws_stream_data(st, &dlen);

	if (srv->fl->change_only && !snapshot && st->last != NULL) {
		data = st->last;
		dlen = st->last_len;
	}
	if (!ds_scratch_reserve(srv, dlen + 128))
		return -1;
	out = (char *)srv->scratch + LWS_PRE;
	cap = srv->scratch_cap - LWS_PRE;
	if (srv->fl->seq_envelope)
		n = demo_format_seq(out, cap, st->info->msg_type, ++c->seq,
		                    clock_wall_ms(), data);
	else
		n = demo_format_bare(out, cap, st->info->msg_type, data);
	if (lws_write(c->wsi, srv->scratch + LWS_PRE, n, LWS_WRITE_TEXT) <
	    (int)n)
		return -1;
	st->sent++;
	return 0;
}

/* Write text as one message on c. Returns -1 on failure. */
static int
conn_write_text(struct ds_conn *c, const char *text)
{
	size_t n = strlen(text);

	if (!ds_scratch_reserve(c->srv, n))
		return -1;
	memcpy(c->srv->scratch + LWS_PRE, text, n);
	return lws_write(c->wsi, c->srv->scratch + LWS_PRE, n, LWS_WRITE_TEXT) <
	               (int)n
	           ? -1
	           : 0;
}

/* The client is ready (or we stopped waiting): its snapshot, or a flood. */
static void
conn_start(struct ds_conn *c)
{
	const struct demo_stream_info *in;

	if (c->ready)
		return;
	c->ready = true;
	lws_sul_cancel(&c->sul_ready);
	if (c->srv->opts.scenario == SCENARIO_FLOOD) {
		c->flood_left = c->srv->opts.count;
		c->flood_t0_us = clock_mono_us();
		lws_callback_on_writable(c->wsi);
		return;
	}
	in = c->srv->streams[c->stream].info;
	if (in->before >= 0)
		conn_pend(c, in->before, true);
	conn_pend(c, c->stream, true);
	/* the tac backend's handler sends the snapshot before it reads the
	 * next frame: a ping that came with the ready frame is answered
	 * after it */
	if (c->srv->fl->first_frame_ready)
		c->greet_left = c->npend;
}

/* The ready wait is over without a first frame. */
static void
conn_ready_timeout(lws_sorted_usec_list_t *sul)
{
	conn_start(lws_container_of(sul, struct ds_conn, sul_ready));
}

/*
 * Close c when it is next writeable, with close code (0: drop it without
 * a close frame, at once). It leaves its stream's list now, so nothing is
 * sent to it and it no longer counts as a client.
 */
static void
conn_close_later(struct ds_conn *c, int code, const char *why)
{
	lws_dll2_remove(&c->in_stream);
	if (code == 0) {
		ds_kill_wsi(c->wsi);
		ds_conn_unlink(c);
		return;
	}
	c->closing = true;
	c->close_code = code;
	c->close_why = why;
	lws_callback_on_writable(c->wsi);
}

/* ---- updates ------------------------------------------------------------ */

/* Queue st's update on its audience. Returns how many sockets. */
static int
stream_send(struct ds_stream *st)
{
	struct demo_server *srv = st->srv;
	int n = 0;

	for (int t = 0; t < srv->fl->nstreams; t++) {
		struct ds_stream *to = &srv->streams[t];

		if (!srv->fl->broadcast_all && to != st)
			continue;
		lws_start_foreach_dll(struct lws_dll2 *, d,
		                      lws_dll2_get_head(&to->conns))
		{
			struct ds_conn *c =
			    lws_container_of(d, struct ds_conn, in_stream);

			/* every open socket hears a broadcast, ready or not,
			 * as the tac backend's connection manager does; the
			 * demo sends only after the ready wait */
			if (!c->closing &&
			    (srv->fl->broadcast_all || c->ready)) {
				conn_pend(c, st->idx, false);
				n++;
			}
		}
		lws_end_foreach_dll(d);
	}
	return n;
}

/* Change-only: remember st's data as sent. */
static void
stream_remember(struct ds_stream *st)
{
	size_t n;
	const char *d = dws_stream_data(st, &n);
	char *copy = malloc(n + 1);

	if (copy != NULL) {
		memcpy(copy, d, n);
		copy[n] = '\0';
		free(st->last);
		st->last = copy;
		st->last_len = n;
	}
	st->last_gen = st->srv->world.generation;
}

int
dws_stream_push(struct ds_stream *st)
{
	if (st->srv->fl->change_only)
		stream_remember(st); /* the next check sees no change */
	else if (st->info->data == DEMO_DATA_WORKFLOWS)
		demo_world_step(&st->srv->world, clock_wall_ms());
	return stream_send(st);
}

/*
 * Change-only: broadcast st if its data changed since it was last sent.
 * Like the tac backend's watchers, it does nothing while no socket is
 * open (the change is then sent once someone is there to hear it).
 */
static void
stream_check(struct ds_stream *st)
{
	struct demo_server *srv = st->srv;
	size_t n;
	const char *d;

	if (st->last_gen == srv->world.generation || dws_open_sockets(srv) == 0)
		return;
	st->last_gen = srv->world.generation;
	d = dws_stream_data(st, &n);
	if (st->last != NULL && strcmp(st->last, d) == 0)
		return;
	stream_remember(st);
	stream_send(st);
}

/* The --rate period with +-10% jitter, so streams drift apart. */
static lws_usec_t
rate_period_us(struct demo_server *srv)
{
	return (lws_usec_t)(1e6 / srv->opts.rate *
	                    (0.9 + 0.2 * rng_unit(&srv->jitter)));
}

/* Whether anything moves at --rate (not with 0, not in a flood). */
static bool
rate_ticks(const struct demo_server *srv)
{
	return srv->opts.rate > 0 && srv->opts.scenario != SCENARIO_FLOOD;
}

static void stream_tick(lws_sorted_usec_list_t *sul);

/* Arm st's next --rate tick (demo) or change check (change-only). */
static void
stream_schedule_tick(struct ds_stream *st)
{
	struct demo_server *srv = st->srv;
	lws_usec_t us;

	if (srv->fl->change_only) {
		if (st->info->check_ms <= 0 ||
		    srv->opts.scenario == SCENARIO_FLOOD)
			return;
		us = (lws_usec_t)((double)st->info->check_ms * 1000.0 /
		                  srv->opts.speed);
	} else {
		if (!rate_ticks(srv))
			return;
		us = rate_period_us(srv);
	}
	lws_sul_schedule(srv->ctx, 0, &st->sul_tick, stream_tick, us);
}

/* demo: one update on this stream; change-only: look for a change. */
static void
stream_tick(lws_sorted_usec_list_t *sul)
{
	struct ds_stream *st =
	    lws_container_of(sul, struct ds_stream, sul_tick);

	if (st->srv->fl->change_only)
		stream_check(st);
	else
		dws_stream_push(st);
	stream_schedule_tick(st);
}

/* Change-only: the world moves on; event-driven streams look at once. */
static void
world_tick(lws_sorted_usec_list_t *sul)
{
	struct demo_server *srv =
	    lws_container_of(sul, struct demo_server, sul_world);

	demo_world_step(&srv->world, clock_wall_ms());
	for (int i = 0; i < srv->fl->nstreams; i++)
		if (srv->streams[i].info->check_ms == DEMO_CHECK_ON_CHANGE)
			stream_check(&srv->streams[i]);
	lws_sul_schedule(srv->ctx, 0, &srv->sul_world, world_tick,
	                 rate_period_us(srv));
}

void
dws_streams_init(struct demo_server *srv)
{
	for (int i = 0; i < srv->fl->nstreams; i++) {
		struct ds_stream *st = &srv->streams[i];

		st->srv = srv;
		st->idx = i;
		st->info = &srv->fl->streams[i];
		st->up = true;
	}
}

void
dws_streams_start(struct demo_server *srv)
{
	for (int i = 0; i < srv->fl->nstreams; i++) {
		if (srv->fl->change_only)
			stream_remember(&srv->streams[i]);
		stream_schedule_tick(&srv->streams[i]);
	}
	if (srv->fl->change_only && rate_ticks(srv))
		lws_sul_schedule(srv->ctx, 0, &srv->sul_world, world_tick,
		                 rate_period_us(srv));
}

void
dws_streams_done(struct demo_server *srv)
{
	for (int i = 0; i < srv->fl->nstreams; i++) {
		free(srv->streams[i].data);
		free(srv->streams[i].last);
	}
}

/* ---- stream state ------------------------------------------------------- */

int
demo_server_set_stream(struct demo_server *srv, int s, bool up, int status)
{
	struct ds_stream *st;
	int dropped = 0;

	if (s < 0 || s >= srv->fl->nstreams)
		return 0;
	st = &srv->streams[s];
	st->up = up;
	st->down_status = up ? 0 : status;
	if (up)
		return 0;
	/* Close live sockets now; they leave the list at once. */
	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1,
	                           lws_dll2_get_head(&st->conns))
	{
		conn_close_later(lws_container_of(d, struct ds_conn, in_stream),
		                 LWS_CLOSE_STATUS_GOINGAWAY, "stream down");
		dropped++;
	}
	lws_end_foreach_dll_safe(d, d1);
	return dropped;
}

bool
demo_server_stream_up(const struct demo_server *srv, int s)
{
	return s >= 0 && s < srv->fl->nstreams && srv->streams[s].up;
}

/*
 * Stall stream s (its sockets write nothing but lws's PONGs, and JSON
 * pings go unanswered) or end the stall (what they missed, the latest
 * state of each stream, goes out now). Returns the sockets affected.
 */
int
dws_set_stalled(struct demo_server *srv, int s, bool stalled)
{
	struct ds_stream *st = &srv->streams[s];

	st->stalled = stalled;
	if (stalled)
		return (int)st->conns.count;
	lws_start_foreach_dll(struct lws_dll2 *, d,
	                      lws_dll2_get_head(&st->conns))
	{
		struct ds_conn *c =
		    lws_container_of(d, struct ds_conn, in_stream);

		lws_callback_on_writable(c->wsi);
	}
	lws_end_foreach_dll(d);
	return (int)st->conns.count;
}

/*
 * Close every connection: WebSockets with code (0: dropped at once without
 * a close frame), plain HTTP ones dropped. Returns the WebSockets that are
 * being closed with a close frame.
 */
int
dws_close_all(struct demo_server *srv, int code, const char *why)
{
	int n = 0;

	lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1,
	                           lws_dll2_get_head(&srv->conns))
	{
		struct ds_conn *c = lws_container_of(d, struct ds_conn, all);

		if (c->kind == CONN_WS && code != 0) {
			if (!c->closing) {
				conn_close_later(c, code, why);
				n++;
			}
		} else {
			lws_dll2_remove(&c->in_stream);
			ds_kill_wsi(c->wsi);
			ds_conn_unlink(c);
		}
	}
	lws_end_foreach_dll_safe(d, d1);
	return n;
}

/* Open WebSockets, those being closed included. */
int
dws_open_sockets(const struct demo_server *srv)
{
	return (int)srv->nws;
}

/* ---- lws callbacks ------------------------------------------------------ */

/* Queue {"type":"pong","timestamp":<the ping's>} on c. */
static void
conn_queue_pong(struct ds_conn *c, const cJSON *ping)
{
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ping, "timestamp");
	cJSON *pong = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(pong, "type", "pong");
	cJSON_AddItemToObject(pong, "timestamp",
	                      ts ? cJSON_Duplicate(ts, 1) : cJSON_CreateNull());
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

/* Act on one complete text message from the client. */
static int
conn_client_message(struct ds_conn *c)
{
	cJSON *j = cJSON_ParseWithLength(c->rx, c->rx_len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");

	if (!c->ready && c->srv->fl->first_frame_ready) {
		/* whatever it is, even a ping: read as "ready", unanswered */
		conn_start(c);
	} else if (cJSON_IsString(type) &&
	           strcmp(type->valuestring, "client_ready") == 0) {
		conn_start(c);
	} else if (cJSON_IsString(type) &&
	           strcmp(type->valuestring, "ping") == 0 && !conn_stalled(c)) {
		conn_queue_pong(c, j);
	}
	cJSON_Delete(j);
	return 0;
}

int
dws_receive(struct lws *wsi, struct ds_conn *c, const void *in, size_t len)
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
		int r = lws_frame_is_binary(wsi) ? 0 : conn_client_message(c);

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

/* Flood: as many updates as the socket takes now, then flood_done. */
static int
conn_flood(struct lws *wsi, struct ds_conn *c)
{
	char msg[160];
	double secs;

	if (c->flood_left > 0) {
		for (int i = 0; i < FLOOD_BATCH && c->flood_left > 0; i++) {
			if (conn_write_stream(c, c->stream, true) < 0)
				return -1;
			if (--c->flood_left == 0)
				c->flood_done_pending = true;
			if (lws_send_pipe_choked(wsi))
				break;
		}
		return 0;
	}
	c->flood_done_pending = false;
	if (c->srv->fl->seq_envelope)
		snprintf(msg, sizeof(msg),
		         "{\"type\":\"flood_done\",\"seq\":%llu,"
		         "\"sent_at\":%lld,\"count\":%lld}",
		         (unsigned long long)++c->seq,
		         (long long)clock_wall_ms(),
		         (long long)c->srv->opts.count);
	else
		snprintf(msg, sizeof(msg),
		         "{\"type\":\"flood_done\",\"data\":{\"count\":%lld}}",
		         (long long)c->srv->opts.count);
	if (conn_write_text(c, msg) < 0)
		return -1;
	secs = (double)(clock_mono_us() - c->flood_t0_us) / 1e6;
	ds_log(c->srv, "flood: %lld messages in %.3f s (%.0f msg/s)",
	       (long long)c->srv->opts.count, secs,
	       secs > 0 ? (double)c->srv->opts.count / secs : 0.0);
	return 0;
}

int
dws_writeable(struct lws *wsi, struct ds_conn *c)
{
	if (c->closing) {
		size_t n = c->close_why ? strlen(c->close_why) : 0;

		lws_close_reason(wsi, (enum lws_close_status)c->close_code,
		                 (unsigned char *)c->close_why, n);
		return -1;
	}
	if (conn_stalled(c))
		return 0; /* asked again when the stall ends */
	if (c->npong > 0 && !(c->greet_left > 0 && c->npend > 0)) {
		if (conn_write_text(c, c->pong[0]) < 0)
			return -1;
		memmove(c->pong[0], c->pong[1],
		        sizeof(c->pong[0]) * (PONG_SLOTS - 1));
		c->npong--;
	} else if (c->npend > 0) {
		bool snap;
		int s = conn_take(c, &snap);

		if (c->greet_left > 0)
			c->greet_left--;
		if (conn_write_stream(c, s, snap) < 0)
			return -1;
	} else if (c->flood_left > 0 || c->flood_done_pending) {
		if (conn_flood(wsi, c) < 0)
			return -1;
	}
	if (c->npong > 0 || c->npend > 0 || c->flood_left > 0 ||
	    c->flood_done_pending)
		lws_callback_on_writable(wsi);
	return 0;
}

/*
 * The tac backend's refusal of an unknown WebSocket path: 403, no body,
 * and the connection closed (Starlette closes before accepting).
 */
static int
refuse_403(struct demo_server *srv, struct lws *wsi)
{
	unsigned char buf[LWS_PRE + 512];
	unsigned char *start = buf + LWS_PRE, *p = start,
	              *end = buf + sizeof(buf) - 1;

	if (dhttp_headers(srv, wsi, 403, NULL, 0, &p, end) ||
	    lws_add_http_header_by_name(
	        wsi, (const unsigned char *)"connection:",
	        (const unsigned char *)"close", 5, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	return -1; /* the header is out: hang up */
}

int
dws_confirm_upgrade(struct demo_server *srv, struct lws *wsi)
{
	char uri[256];
	int s = -1;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) > 0)
		s = demo_stream_find_ws(srv->fl, uri);
	if (s < 0) {
		if (srv->fl->unknown_upgrade_status == 403)
			return refuse_403(srv, wsi);
		lws_return_http_status(
		    wsi, (unsigned)srv->fl->unknown_upgrade_status, NULL);
		return 1;
	}
	if (!srv->streams[s].up) {
		lws_return_http_status(
		    wsi, (unsigned)srv->streams[s].down_status, NULL);
		return 1;
	}
	return 0;
}

int
dws_established(struct demo_server *srv, struct lws *wsi, struct ds_conn *c)
{
	char uri[256];
	int s = -1;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) > 0)
		s = demo_stream_find_ws(srv->fl, uri);
	if (s < 0 || !srv->streams[s].up || !srv->accepting)
		return -1; /* raced with a stream going down or a stop */
	ds_conn_link(srv, c, wsi, CONN_WS);
	c->stream = s;
	lws_dll2_add_tail(&c->in_stream, &srv->streams[s].conns);
	lws_sul_schedule(srv->ctx, 0, &c->sul_ready, conn_ready_timeout,
	                 READY_WAIT_US);
	return 0;
}
