/*
 * prober: the transport side of `wsdash check`. Probes every endpoint at
 * once in one lws event loop: a real upgrade with a fresh random key, the
 * 101 and its Sec-WebSocket-Accept verified (by lws), a close (1000) right
 * after; a plain GET of the same URL when that helps to explain a 404/400;
 * and a HEAD when asked. Fills each row's probe_obs; never waits for a
 * message from the server, never waits out a timeout after a success.
 */
#ifndef WSDASH_PROBER_H
#define WSDASH_PROBER_H

#include <stdbool.h>
#include <stddef.h>

#include "wsdash/check.h"
#include "wsdash/config.h"

/*
 * Run the probes for rows[0..n-1] (rows[i].ep set). Returns 0, or -1 with a
 * reason in err if the event loop could not be set up (e.g. an unreadable
 * --cacert file). Network failures are results, not errors.
 */
int prober_run(const struct config *c, struct check_row *rows, size_t n,
               bool also_head, char *err, size_t errlen);

struct lws_context;
struct prober;

/*
 * The same probes (no HEAD) inside a loop that is already running on ctx
 * (the exporter's /probe in the watcher's loop), on a client vhost of their
 * own made on first use. Returns at once; done(user) is called from ctx's
 * loop, never from inside prober_start(), once every row has its outcome.
 * The prober, rows and c must stay until then; free it with prober_free()
 * (done may do that). Returns NULL with a reason in err.
 */
struct prober *prober_start(struct lws_context *ctx, const struct config *c,
                            struct check_row *rows, size_t n,
                            void (*done)(void *user), void *user, char *err,
                            size_t errlen);

/*
 * Free p, done or not (not done: its connections are closed and done is
 * never called). NULL is ignored.
 */
void prober_free(struct prober *p);

#endif
