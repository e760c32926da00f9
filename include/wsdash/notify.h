/*
 * notify: the --on-change command of `wsdash watch`.
 *
 * Every state change of an endpoint runs the user's command with
 * `/bin/sh -c CMD`, with what changed in WSDASH_* environment variables:
 *
 *   WSDASH_ENDPOINT  the endpoint's name      WSDASH_URL       its ws(s):// URL
 *   WSDASH_STATE     the new state            WSDASH_FROM      the old one
 *   WSDASH_MODE      websocket|polling|none   WSDASH_REASON    why
 *   WSDASH_TIME      epoch ms of the change   WSDASH_POLL_URL  "" if none
 *   WSDASH_FALLBACK  1 in polling/down, else 0
 *   WSDASH_LIVE, WSDASH_TOTAL  endpoints live now / watched
 *   WSDASH_SUMMARY   the --status-line text ("● 2 live ↻ routes polling")
 *
 * The command runs with the user's privileges. Text a server controls (the
 * reason) reaches it only through these variables, sanitized (no control
 * characters), and never in the command line: "$WSDASH_REASON" is data,
 * whatever it holds, unless the command passes it to eval or sh -c.
 *
 * It never blocks the event loop: commands are started with posix_spawn
 * (stdin, stdout and stderr on /dev/null, so nothing reaches the screen;
 * no other descriptor of ours; default signal dispositions; a process
 * group of their own), at most NOTIFY_RUNNING at once. Runs that find every
 * slot taken wait in a queue of NOTIFY_QUEUE; beyond it the oldest waiting
 * run is dropped and counted. notify_poll() reaps finished commands with
 * waitpid(WNOHANG), starts waiting ones, and stops (SIGTERM to the group,
 * SIGKILL NOTIFY_GRACE_MS later) a command that runs past its timeout.
 * One loop calls everything here.
 */
#ifndef WSDASH_NOTIFY_H
#define WSDASH_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsdash/mon.h"

#define NOTIFY_RUNNING    4     /* commands at once */
#define NOTIFY_QUEUE      32    /* runs waiting for a slot */
#define NOTIFY_TIMEOUT_MS 30000 /* default: longer is stopped */
#define NOTIFY_GRACE_MS   2000  /* from SIGTERM to SIGKILL */
#define NOTIFY_EXIT_MS    2000  /* at exit: wait this long for commands */
#define NOTIFY_REAP_MS    50    /* look for ended commands this often */
#define NOTIFY_NVARS      13    /* WSDASH_* variables of a run */
#define NOTIFY_VALUE_MAX  1024  /* bytes of one value, at most */

/* The WSDASH_* variables of one run: "NAME=value" strings, owned. */
struct notify_env {
	char *vars[NOTIFY_NVARS];
	size_t n;
};

/*
 * The variables for ep's newest transition (mon_history(ep, 0); ep's
 * current state if it has none), every value sanitized for m->utf8.
 * wall_ms stands in when the transition carries no wall time. Pure.
 * Returns false when out of memory (e is then empty).
 */
bool notify_env_make(struct notify_env *e, const struct mon *m,
                     const struct mon_ep *ep, int64_t wall_ms);
void notify_env_free(struct notify_env *e);

/* What happened to the runs so far. */
struct notify_stats {
	uint64_t started, ok, failed; /* failed: exit status != 0 or signal */
	uint64_t dropped;             /* never started: the queue overflowed */
	uint64_t timed_out;           /* stopped after the timeout */
	uint64_t spawn_errors;        /* posix_spawn failed */
	int last_status;              /* wait status of the last failure */
};

struct notify;

/*
 * A runner for cmd (copied), stopping commands after timeout_ms (0:
 * NOTIFY_TIMEOUT_MS). NULL when out of memory.
 */
struct notify *notify_new(const char *cmd, int timeout_ms);

/*
 * Queue a run for ep's newest transition and start it if a slot is free.
 * Call after every mon_apply() that returned MON_CHG_STATE; a transition
 * that was queued already is not queued again (a pause, which changes no
 * state, queues nothing).
 */
void notify_change(struct notify *n, const struct mon *m,
                   const struct mon_ep *ep, int64_t now_us, int64_t wall_ms);

/*
 * Reap finished commands, stop overdue ones, start waiting ones. Never
 * blocks; call it when notify_next_us() says (the loop's chores timer does).
 */
void notify_poll(struct notify *n, int64_t now_us);

/*
 * Microseconds from now_us until notify_poll() has work: a running command's
 * timeout or grace period ends, or NOTIFY_REAP_MS to see whether one ended
 * (a slot freed at once lets a waiting run start at once). 0: nothing runs,
 * nothing until the next notify_change().
 */
int64_t notify_next_us(const struct notify *n, int64_t now_us);

/*
 * The next thing worth telling the user once (the first drop, the first
 * failing command with its status, the first timeout, a spawn error) into
 * buf; false when there is nothing new. Each kind is told once.
 */
bool notify_warning(struct notify *n, char *buf, size_t len);

/* Commands running now, runs waiting. */
size_t notify_running(const struct notify *n);
size_t notify_waiting(const struct notify *n);

const struct notify_stats *notify_stats(const struct notify *n);

/*
 * At exit: drop waiting runs (counted as dropped), give running commands
 * up to wait_ms to finish, then stop them (SIGTERM, SIGKILL) and reap
 * them. Blocks for at most about wait_ms + NOTIFY_GRACE_MS. Returns how
 * many had to be stopped.
 */
size_t notify_finish(struct notify *n, int wait_ms);

/* Free n (call notify_finish first: running commands are not waited for
 * here). NULL is ignored. */
void notify_free(struct notify *n);

#endif
