/*
 * wsclient: a synchronous WebSocket client for tests, built on lws in its own
 * context (independent of wsdash's transport code). Many clients can share
 * one context; every wait services the loop until a condition or a deadline.
 */
#ifndef TEST_WSCLIENT_H
#define TEST_WSCLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct wsc_ctx;
struct wsc;

enum wsc_state { WSC_CONNECTING, WSC_OPEN, WSC_FAILED, WSC_CLOSED };

struct wsc_ctx *wsc_ctx_new(void);
void wsc_ctx_free(struct wsc_ctx *x); /* closes and frees every client */

/* Service the loop for up to ms milliseconds. */
void wsc_ctx_run(struct wsc_ctx *x, int ms);

/* Start an upgrade of ws://127.0.0.1:port<path>; never NULL. */
struct wsc *wsc_open(struct wsc_ctx *x, int port, const char *path);

/* Wait until open or failed; returns the state. */
enum wsc_state wsc_wait_open(struct wsc *c, int timeout_ms);

enum wsc_state wsc_state(const struct wsc *c);

/* HTTP status seen on the handshake (101 when upgraded), 0 if none. */
int wsc_http_status(const struct wsc *c);

/* lws's error text for a failed connect, "" if none. */
const char *wsc_error(const struct wsc *c);

/* Next complete text message (caller frees), or NULL on timeout/close. */
char *wsc_next(struct wsc *c, int timeout_ms);

/* Number of complete messages received so far (including consumed). */
size_t wsc_received(const struct wsc *c);

/* Queue a text message / a protocol PING; sent when writeable. */
void wsc_send(struct wsc *c, const char *text);
void wsc_send_len(struct wsc *c, const char *data, size_t len);
void wsc_ping(struct wsc *c);

/* PONG frames received so far. */
int wsc_pongs(const struct wsc *c);

/* Wait until closed by either side; returns true if closed. */
bool wsc_wait_closed(struct wsc *c, int timeout_ms);

/* Close code the peer sent (0 if none, e.g. dropped without a close). */
int wsc_close_code(const struct wsc *c);

/* Start a clean close (1000). */
void wsc_close(struct wsc *c);

#endif
