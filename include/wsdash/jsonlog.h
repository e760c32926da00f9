/*
 * jsonlog: the --log FILE of `wsdash watch`: the lines `watch --json`
 * prints (wprint, in JSON), appended to a file while the dashboard or the
 * headless output runs, plus "warning" lines for what the watch tells the
 * user once (an --on-change command that fails...).
 *
 * The file is opened O_APPEND (several writers, logrotate's copytruncate),
 * O_CLOEXEC (no command of --on-change inherits it) and O_NONBLOCK (a FIFO
 * without a reader fails at once, one that is full loses lines instead of
 * stopping the loop). A failed write (a full disk, EFBIG: SIGXFSZ is
 * ignored) loses its lines, which are counted; a line cut by a full disk
 * is cut off again (ftruncate), so the file stays whole lines of JSON. The
 * first failure is told once (jsonlog_warning); once writes succeed again
 * an "output_dropped" line says how many lines were lost.
 */
#ifndef WSDASH_JSONLOG_H
#define WSDASH_JSONLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/config.h"
#include "wsdash/mon.h"

struct jsonlog;

/*
 * Open path for appending (created 0644) for the model m. NULL with
 * "PATH: reason" in err when it cannot be opened.
 */
struct jsonlog *jsonlog_open(const char *path, struct mon *m, char *err,
                             size_t errlen);

/* The "start" line (as `watch --json` prints first). */
void jsonlog_start(struct jsonlog *l, const struct config *c, double wall_ms);

/* The lines for one model change (see wprint_change). */
void jsonlog_change(struct jsonlog *l, struct mon_ep *ep, unsigned flags,
                    const struct mon_event *ev, int64_t now_us, double wall_ms);

/* The per-second lines (see wprint_tick). */
void jsonlog_tick(struct jsonlog *l, int64_t now_us, double wall_ms);

/* A {"event":"warning","text":...} line. */
void jsonlog_warn(struct jsonlog *l, const char *text, double wall_ms);

/* The first write failure, once, into buf; false if there is none new. */
bool jsonlog_warning(struct jsonlog *l, char *buf, size_t len);

/* Lines lost so far (writes that failed). */
uint64_t jsonlog_lost(const struct jsonlog *l);

/* Close and free. NULL is ignored. */
void jsonlog_close(struct jsonlog *l);

#endif
