/*
 * watcher: the live side of the transport. One lws event loop keeps a
 * WebSocket subscription to every endpoint, pings it for round-trip time,
 * falls back to HTTP polling the moment a stream is lost or refused, retries
 * the WebSocket with backoff, and turns all of it into mon_apply() calls.
 * Optionally the same loop serves the embedded demo backend (`wsdash demo`)
 * and reads the keyboard (the dashboard).
 *
 * Nothing here prints or draws: hooks tell the caller what changed, and the
 * caller decides (headless lines, or a dirty flag for the next frame).
 */
#ifndef WSDASH_WATCHER_H
#define WSDASH_WATCHER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/config.h"
#include "wsdash/mon.h"
#include "wsdash/serve.h"

struct watcher;

struct watcher_hooks {
	void *user;
	/* After every mon_apply() that changed something (flags). */
	void (*changed)(void *user, struct mon_ep *ep, unsigned flags,
	                const struct mon_event *ev);
	/* Every tick_ms (0: never), e.g. per-second summaries or frames. */
	void (*tick)(void *user, int64_t now_us);
	int tick_ms;
	/* stdin is readable (only if watcher_adopt_stdin() was called). */
	void (*input)(void *user);
	/* After every pass of the event loop (cheap checks, e.g. a resize
	 * flag set by a signal handler). */
	void (*wake)(void *user);
	/* A frame asked for with watcher_frame() is due. */
	void (*frame)(void *user);
	/* Timed work of the caller's (an --on-change command to reap or stop
	 * when its timeout ends): called after every state change and then
	 * when it asked, it returns microseconds until the next call (0: none
	 * until the next state change). */
	int64_t (*chores)(void *user, int64_t now_us);
};

/*
 * A watcher with its event loop. tls: some endpoint is wss:// (load the CA
 * bundle, or cacert). timeout_ms: the largest handshake timeout. Returns NULL
 * with a reason in err. lws logs are off unless WSDASH_DEBUG is set; then
 * they go to log_path (the dashboard's choice: nothing may write over the
 * screen) or to stderr when log_path is NULL.
 */
struct watcher *watcher_new(bool tls, const char *cacert, int timeout_ms,
                            const char *log_path, char *err, size_t errlen);

/*
 * Serve the demo backend in the same loop (o->port 0 picks a port). Returns
 * the port, or -1 with a reason in err.
 */
int watcher_serve_demo(struct watcher *w, const struct serve_opts *o, char *err,
                       size_t errlen);

/*
 * Demo only: take demo stream s (enum demo_stream) down with 503 or bring it
 * back up. Returns the new "up" state.
 */
bool watcher_demo_toggle(struct watcher *w, int s);

/* Deliver keyboard input through hooks->input (dashboard). */
bool watcher_adopt_stdin(struct watcher *w);

/*
 * Watch every endpoint of c (mon made from the same config) until *stop
 * becomes non-zero or duration_ms passes (0: no limit). Signal handlers set
 * *stop and call watcher_wake(). Returns 0, or -1 with a reason in err.
 */
int watcher_run(struct watcher *w, const struct config *c, struct mon *m,
                const struct watcher_hooks *h, volatile sig_atomic_t *stop,
                int64_t duration_ms, char *err, size_t errlen);

/*
 * Call hooks->frame after delay_us (0: on the next pass), unless a frame is
 * already scheduled. This is how the dashboard draws at most once per frame
 * interval, and never from inside a network callback.
 */
void watcher_frame(struct watcher *w, int64_t delay_us);

/* Wake the loop from a signal handler (async-signal-safe). */

void watcher_wake(struct watcher *w);

/* Reconnect endpoint i now (skipping any backoff wait). */
void watcher_reconnect(struct watcher *w, size_t i);

/* Pause (drop connections, stop polling) or resume endpoint i. */
void watcher_pause(struct watcher *w, size_t i, bool paused);

/* Free the watcher (after watcher_run returned). NULL is ignored. */
void watcher_free(struct watcher *w);

#endif
