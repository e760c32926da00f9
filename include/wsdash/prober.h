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

#endif
