/*
 * callbacks.c: --on-change and --log, wired to the model's changes for
 * whichever view runs (see callbacks.h).
 */
#include <stdio.h>
#include <string.h>

#include "wsdash/callbacks.h"
#include "wsdash/cli.h"
#include "wsdash/clock.h"
#include "wsdash/jsonlog.h"
#include "wsdash/notify.h"

/* Tell the user text: in the log (unless it is about the log), and on
 * stderr now or after the dashboard. */
static void
say(struct callbacks *cb, const char *text, bool to_log)
{
	if (cb->log != NULL && to_log)
		jsonlog_warn(cb->log, text, (double)clock_wall_ms());
	if (!cb->defer)
		cli_error(cb->cmd, "%s", text);
	else if (cb->ndeferred < CALLBACKS_DEFERRED)
		snprintf(cb->deferred[cb->ndeferred++], sizeof(cb->deferred[0]),
		         "%s", text);
}

/* Whatever notify and the log have to tell since the last call. */
static void
tell(struct callbacks *cb)
{
	char buf[320];

	while (cb->notify != NULL &&
	       notify_warning(cb->notify, buf, sizeof(buf)))
		say(cb, buf, true);
	if (cb->log != NULL && jsonlog_warning(cb->log, buf, sizeof(buf)))
		say(cb, buf, false);
}

bool
callbacks_init(struct callbacks *cb, struct mon *m, const struct config *c,
               const char *on_change, int on_change_timeout_ms,
               const char *log_path, bool defer, const char *cmd, char *err,
               size_t errlen)
{
	memset(cb, 0, sizeof(*cb));
	cb->m = m;
	cb->cmd = cmd;
	cb->defer = defer;
	if (log_path != NULL) {
		cb->log = jsonlog_open(log_path, m, err, errlen);
		if (cb->log == NULL)
			return false;
		jsonlog_start(cb->log, c, (double)clock_wall_us() / 1000.0);
	}
	if (on_change != NULL) {
		cb->notify = notify_new(on_change, on_change_timeout_ms);
		if (cb->notify == NULL) {
			snprintf(err, errlen, "out of memory");
			jsonlog_close(cb->log);
			cb->log = NULL;
			return false;
		}
	}
	return true;
}

void
callbacks_changed(void *user, struct mon_ep *ep, unsigned flags,
                  const struct mon_event *ev)
{
	struct callbacks *cb = user;
	int64_t now_us = clock_mono_us();

	if (cb->log != NULL)
		jsonlog_change(cb->log, ep, flags, ev, now_us,
		               (double)clock_wall_us() / 1000.0);
	if (cb->notify != NULL && (flags & MON_CHG_STATE))
		notify_change(cb->notify, cb->m, ep, now_us, clock_wall_ms());
	tell(cb);
}

void
callbacks_tick(void *user, int64_t now_us)
{
	struct callbacks *cb = user;

	if (cb->log != NULL)
		jsonlog_tick(cb->log, now_us, (double)clock_wall_us() / 1000.0);
	if (cb->notify != NULL)
		notify_poll(cb->notify, now_us);
	tell(cb);
}

int64_t
callbacks_chores(void *user, int64_t now_us)
{
	struct callbacks *cb = user;
	int64_t next;

	if (cb->notify == NULL)
		return 0;
	notify_poll(cb->notify, now_us);
	next = notify_next_us(cb->notify, now_us);
	tell(cb);
	return next;
}

void
callbacks_done(struct callbacks *cb)
{
	char buf[320];

	/* the terminal is ours again */
	for (int i = 0; i < cb->ndeferred; i++)
		cli_error(cb->cmd, "%s", cb->deferred[i]);
	cb->ndeferred = 0;
	cb->defer = false;
	if (cb->notify != NULL) {
		const struct notify_stats *st = notify_stats(cb->notify);
		size_t stopped = notify_finish(cb->notify, NOTIFY_EXIT_MS);

		tell(cb);
		if (st->dropped > 0 || stopped > 0) {
			snprintf(
			    buf, sizeof(buf),
			    "--on-change: %llu of %llu runs dropped, %zu "
			    "stopped at exit",
			    (unsigned long long)st->dropped,
			    (unsigned long long)(st->started + st->dropped),
			    stopped);
			say(cb, buf, true);
		}
	}
	if (cb->log != NULL && jsonlog_lost(cb->log) > 0) {
		snprintf(buf, sizeof(buf),
		         "--log: %llu lines could not be written",
		         (unsigned long long)jsonlog_lost(cb->log));
		say(cb, buf, false);
	}
	jsonlog_close(cb->log);
	notify_free(cb->notify);
	memset(cb, 0, sizeof(*cb));
}
