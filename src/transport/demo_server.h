/*
 * demo_server: the embedded demo backend as an lws vhost. Private to the
 * transport; `wsdash serve` (serve.c) and, later, `wsdash demo` run it in
 * their own lws context and event loop.
 */
#ifndef WSDASH_DEMO_SERVER_H
#define WSDASH_DEMO_SERVER_H

#include <stdbool.h>
#include <stdio.h>

#include <libwebsockets.h>

#include "wsdash/serve.h"

struct demo_server;

/*
 * Create the backend's vhost in ctx (made with EXPLICIT_VHOSTS) and start
 * listening on o->bind:o->port. log, if not NULL, gets one line per outage
 * event and per control action. Returns NULL with a one-line reason in err
 * when the port cannot be bound. Free with demo_server_free() only after
 * lws_context_destroy(ctx): connections still point at the server while the
 * context closes them.
 */
struct demo_server *demo_server_new(struct lws_context *ctx,
                                    const struct serve_opts *o, FILE *log,
                                    char *err, size_t errlen);

/* Port actually bound (useful with --port 0). */
int demo_server_port(const struct demo_server *srv);

/* The numeric address listened on (--bind resolved). */
const char *demo_server_bind(const struct demo_server *srv);

/* Seed used for data and outages (picked at random if none was given). */
uint64_t demo_server_seed(const struct demo_server *srv);

/*
 * Take stream s (an index into the flavor's table, demo_stream.h) down,
 * refusing upgrades with status (404 or 503) and closing its live connections,
 * or bring it back up. Returns the number of connections dropped.
 */
int demo_server_set_stream(struct demo_server *srv, int s, bool up, int status);

/* Whether stream s currently accepts upgrades. */
bool demo_server_stream_up(const struct demo_server *srv, int s);

/*
 * Begin a clean shutdown, the loop still running: stop accepting and close
 * every WebSocket with the flavor's stop close code (tac: 1012, as uvicorn
 * does). Returns how many sockets are being closed; 0 when the flavor
 * leaves them to the context's destruction (demo). Run the loop until
 * demo_server_open_sockets() is 0, or a deadline, then destroy the context.
 */
int demo_server_shutdown(struct demo_server *srv);

/* WebSockets still open (or still closing). */
int demo_server_open_sockets(const struct demo_server *srv);

/* Release everything; see demo_server_new() for when. NULL is ignored. */
void demo_server_free(struct demo_server *srv);

#endif
