/* wsclient.c: lws-based synchronous test client; see wsclient.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <libwebsockets.h>

#include "wsclient.h"

struct msg {
	struct msg *next;
	char *data;
	size_t len;
	bool ping;
};

struct wsc {
	struct wsc_ctx *x;
	struct wsc *next_client;
	struct lws *wsi;
	enum wsc_state state;
	int http_status;
	char error[128];
	/* received, complete messages */
	struct msg *in_head, *in_tail;
	size_t received;
	char *rx;
	size_t rx_len;
	/* to send */
	struct msg *out_head, *out_tail;
	bool want_close;
	int pongs;
	int close_code;
};

struct wsc_ctx {
	struct lws_context *ctx;
	struct wsc *clients;
	lws_sorted_usec_list_t sul_wake;
	lws_sorted_usec_list_t sul_guard; /* see service_until() */
};

static void
push(struct msg **head, struct msg **tail, char *data, size_t len, bool ping)
{
	struct msg *m = calloc(1, sizeof(*m));

	m->data = data;
	m->len = len;
	m->ping = ping;
	if (*tail)
		(*tail)->next = m;
	else
		*head = m;
	*tail = m;
}

static struct msg *
pop(struct msg **head, struct msg **tail)
{
	struct msg *m = *head;

	if (m) {
		*head = m->next;
		if (*head == NULL)
			*tail = NULL;
	}
	return m;
}

static int
wsc_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
       size_t len)
{
	struct wsc *c = lws_get_opaque_user_data(wsi);

	if (c == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		c->http_status = (int)lws_http_client_http_response(wsi);
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!c->http_status)
			c->http_status =
			    (int)lws_http_client_http_response(wsi);
		snprintf(c->error, sizeof(c->error), "%s",
		         in ? (const char *)in : "");
		c->state = WSC_FAILED;
		c->wsi = NULL;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->state = WSC_OPEN;
		c->http_status = 101;
		if (c->out_head || c->want_close)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_is_first_fragment(wsi))
			c->rx_len = 0;
		c->rx = realloc(c->rx, c->rx_len + len + 1);
		memcpy(c->rx + c->rx_len, in, len);
		c->rx_len += len;
		if (lws_is_final_fragment(wsi) &&
		    !lws_remaining_packet_payload(wsi)) {
			c->rx[c->rx_len] = '\0';
			push(&c->in_head, &c->in_tail, c->rx, c->rx_len, false);
			c->received++;
			c->rx = NULL;
			c->rx_len = 0;
		}
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		c->pongs++;
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2)
			c->close_code = ((const unsigned char *)in)[0] << 8 |
			                ((const unsigned char *)in)[1];
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		struct msg *m = pop(&c->out_head, &c->out_tail);

		if (m == NULL && c->want_close) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		if (m != NULL) {
			unsigned char *p = malloc(LWS_PRE + m->len + 1);
			int r;

			memcpy(p + LWS_PRE, m->data, m->len);
			r = lws_write(wsi, p + LWS_PRE, m->len,
			              m->ping ? LWS_WRITE_PING
			                      : LWS_WRITE_TEXT);
			free(p);
			free(m->data);
			free(m);
			if (r < 0)
				return -1;
		}
		if (c->out_head || c->want_close)
			lws_callback_on_writable(wsi);
		break;
	}
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		if (c->state == WSC_CONNECTING)
			c->state = WSC_FAILED;
		else if (c->state == WSC_OPEN)
			c->state = WSC_CLOSED;
		c->wsi = NULL;
		break;
	default:
		break;
	}
	(void)user;
	return 0;
}

static const struct lws_protocols protocols[] = {
    {"wsc", wsc_cb, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

struct wsc_ctx *
wsc_ctx_new(void)
{
	struct lws_context_creation_info info;
	struct wsc_ctx *x = calloc(1, sizeof(*x));
	struct rlimit rl;

	/* Room for a thousand clients plus a server in the same test. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192) {
		rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.timeout_secs = 5;
	x->ctx = lws_create_context(&info);
	return x;
}

static void
wake(lws_sorted_usec_list_t *sul)
{
	(void)sul;
}

/*
 * One lws_service() pass that returns by end, or very soon after. lws
 * 4.1.6 runs the timers that are already due before it polls, and then
 * polls with no timeout at all if none is left (its own next wake-up can
 * be 30 s away): a wake-up that fell due in between (a few microseconds
 * left, or the process descheduled) made a 10 ms wait last 30 s. So a
 * second wake-up, WAKE_GUARD_US later, is always pending. Also, never
 * pass -1: lws_sul_schedule() reads it as "cancel".
 */
#define WAKE_GUARD_US 100000
static void
service_until(struct wsc_ctx *x, lws_usec_t end)
{
	lws_usec_t left = end - lws_now_usecs();

	if (left < 1)
		left = 1;
	lws_sul_schedule(x->ctx, 0, &x->sul_wake, wake, left);
	lws_sul_schedule(x->ctx, 0, &x->sul_guard, wake, left + WAKE_GUARD_US);
	lws_service(x->ctx, 0);
}

void
wsc_ctx_run(struct wsc_ctx *x, int ms)
{
	lws_usec_t end = lws_now_usecs() + (lws_usec_t)ms * 1000;

	while (lws_now_usecs() < end)
		service_until(x, end);
	lws_sul_cancel(&x->sul_wake);
	lws_sul_cancel(&x->sul_guard);
}

/* Service until pred(c) or timeout; returns pred's final value. */
static bool
run_until(struct wsc *c, bool (*pred)(const struct wsc *), int timeout_ms)
{
	lws_usec_t end = lws_now_usecs() + (lws_usec_t)timeout_ms * 1000;

	while (!pred(c) && lws_now_usecs() < end)
		service_until(c->x, end);
	lws_sul_cancel(&c->x->sul_wake);
	lws_sul_cancel(&c->x->sul_guard);
	return pred(c);
}

struct wsc *
wsc_open(struct wsc_ctx *x, int port, const char *path)
{
	struct lws_client_connect_info i;
	struct wsc *c = calloc(1, sizeof(*c));

	c->x = x;
	c->next_client = x->clients;
	x->clients = c;
	memset(&i, 0, sizeof(i));
	i.context = x->ctx;
	i.address = "127.0.0.1";
	i.port = port;
	i.path = path;
	i.host = "127.0.0.1";
	i.origin = "127.0.0.1";
	i.local_protocol_name = "wsc";
	i.opaque_user_data = c;
	i.pwsi = &c->wsi;
	if (lws_client_connect_via_info(&i) == NULL &&
	    c->state == WSC_CONNECTING) {
		c->state = WSC_FAILED;
		snprintf(c->error, sizeof(c->error), "connect failed");
	}
	return c;
}

static bool
not_connecting(const struct wsc *c)
{
	return c->state != WSC_CONNECTING;
}

enum wsc_state
wsc_wait_open(struct wsc *c, int timeout_ms)
{
	run_until(c, not_connecting, timeout_ms);
	return c->state;
}

enum wsc_state
wsc_state(const struct wsc *c)
{
	return c->state;
}

int
wsc_http_status(const struct wsc *c)
{
	return c->http_status;
}

const char *
wsc_error(const struct wsc *c)
{
	return c->error;
}

static bool
has_msg_or_done(const struct wsc *c)
{
	return c->in_head != NULL || c->state == WSC_FAILED ||
	       c->state == WSC_CLOSED;
}

char *
wsc_next(struct wsc *c, int timeout_ms)
{
	struct msg *m;
	char *d;

	run_until(c, has_msg_or_done, timeout_ms);
	m = pop(&c->in_head, &c->in_tail);
	if (m == NULL)
		return NULL;
	d = m->data;
	free(m);
	return d;
}

size_t
wsc_received(const struct wsc *c)
{
	return c->received;
}

void
wsc_send_len(struct wsc *c, const char *data, size_t len)
{
	char *d = malloc(len + 1);

	memcpy(d, data, len);
	d[len] = '\0';
	push(&c->out_head, &c->out_tail, d, len, false);
	if (c->wsi && c->state == WSC_OPEN)
		lws_callback_on_writable(c->wsi);
}

void
wsc_send(struct wsc *c, const char *text)
{
	wsc_send_len(c, text, strlen(text));
}

void
wsc_ping(struct wsc *c)
{
	push(&c->out_head, &c->out_tail, strdup("ping"), 4, true);
	if (c->wsi && c->state == WSC_OPEN)
		lws_callback_on_writable(c->wsi);
}

int
wsc_pongs(const struct wsc *c)
{
	return c->pongs;
}

static bool
is_closed(const struct wsc *c)
{
	return c->state == WSC_CLOSED || c->state == WSC_FAILED;
}

bool
wsc_wait_closed(struct wsc *c, int timeout_ms)
{
	return run_until(c, is_closed, timeout_ms);
}

int
wsc_close_code(const struct wsc *c)
{
	return c->close_code;
}

void
wsc_close(struct wsc *c)
{
	c->want_close = true;
	if (c->wsi && c->state == WSC_OPEN)
		lws_callback_on_writable(c->wsi);
}

void
wsc_ctx_free(struct wsc_ctx *x)
{
	struct wsc *c, *n;
	struct msg *m;

	lws_context_destroy(x->ctx);
	for (c = x->clients; c; c = n) {
		n = c->next_client;
		while ((m = pop(&c->in_head, &c->in_tail))) {
			free(m->data);
			free(m);
		}
		while ((m = pop(&c->out_head, &c->out_tail))) {
			free(m->data);
			free(m);
		}
		free(c->rx);
		free(c);
	}
	free(x);
}
