/*
 * notify.c: run the --on-change command without ever waiting for it.
 *
 * A run is made (its WSDASH_* variables) the moment the state changes, so
 * it describes that change even if it has to wait for a slot. Slots hold
 * running commands; the queue holds made runs, oldest first. Nothing here
 * blocks but notify_finish() at exit: posix_spawn returns once the child
 * has exec'd /bin/sh, and children are reaped with WNOHANG from the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wsdash/clock.h"
#include "wsdash/notify.h"
#include "wsdash/sanitize.h"
#include "wsdash/statusline.h"

extern char **environ;

struct slot {
	pid_t pid; /* 0: free */
	int64_t started_us;
	int64_t term_us; /* SIGTERM sent (timed out); 0: not yet */
};

/* The newest transition an endpoint had queued, not to queue it twice. */
struct seen {
	const struct mon_transition *t;
	int64_t at_us;
};

enum { TOLD_DROP = 1, TOLD_FAIL = 2, TOLD_TIMEOUT = 4, TOLD_SPAWN = 8 };

struct notify {
	char *cmd;
	int64_t timeout_us;
	struct slot slots[NOTIFY_RUNNING];
	struct notify_env queue[NOTIFY_QUEUE]; /* ring, oldest at qhead */
	size_t qhead, qlen;
	struct seen *seen; /* one per endpoint, made on first use */
	size_t nseen;
	struct notify_stats st;
	int spawn_errno;
	unsigned told;
};

/* "NAME=value" with value sanitized, into e (false: out of memory). */
static bool
env_add(struct notify_env *e, const char *name, const char *value, bool utf8)
{
	char clean[NOTIFY_VALUE_MAX];
	size_t l;

	if (e->n >= NOTIFY_NVARS)
		return false;
	sanitize_text(clean, sizeof(clean), value, strlen(value), utf8);
	l = strlen(name) + strlen(clean) + 2;
	e->vars[e->n] = malloc(l);
	if (e->vars[e->n] == NULL)
		return false;
	snprintf(e->vars[e->n++], l, "%s=%s", name, clean);
	return true;
}

bool
notify_env_make(struct notify_env *e, const struct mon *m,
                const struct mon_ep *ep, int64_t wall_ms)
{
	const struct mon_transition *t = mon_history(ep, 0);
	enum mon_state to = t ? t->to : ep->state, from = t ? t->from : to;
	char url[URL_HOST_MAX + URL_PATH_MAX + 16] = "", poll[sizeof(url)] = "";
	char time_s[32], live_s[32], total_s[32], sum[STATUSLINE_MAX];
	size_t live = 0;
	bool ok = true;

	memset(e, 0, sizeof(*e));
	if (ep->cfg != NULL) {
		url_format(&ep->cfg->ws, url, sizeof(url));
		if (ep->poll_url != NULL)
			url_format(ep->poll_url, poll, sizeof(poll));
		else if (ep->cfg->has_poll)
			url_format(&ep->cfg->poll, poll, sizeof(poll));
	}
	for (size_t i = 0; i < m->n; i++)
		live += m->eps[i].state == MON_LIVE && !m->eps[i].paused;
	snprintf(time_s, sizeof(time_s), "%lld",
	         (long long)(t && t->wall_ms > 0 ? t->wall_ms : wall_ms));
	snprintf(live_s, sizeof(live_s), "%zu", live);
	snprintf(total_s, sizeof(total_s), "%zu", m->n);
	statusline_text(sum, sizeof(sum), m, STATUSLINE_PLAIN, m->utf8, 80);

	ok &= env_add(e, "WSDASH_ENDPOINT",
	              ep->cfg && ep->cfg->name ? ep->cfg->name : "", m->utf8);
	ok &= env_add(e, "WSDASH_URL", url, m->utf8);
	ok &= env_add(e, "WSDASH_STATE", mon_state_name(to), m->utf8);
	ok &= env_add(e, "WSDASH_FROM", mon_state_name(from), m->utf8);
	ok &= env_add(e, "WSDASH_MODE", mon_mode_name(ep->mode), m->utf8);
	ok &= env_add(e, "WSDASH_REASON", t ? t->reason : ep->reason, m->utf8);
	ok &= env_add(e, "WSDASH_TIME", time_s, m->utf8);
	ok &= env_add(e, "WSDASH_POLL_URL", poll, m->utf8);
	ok &= env_add(e, "WSDASH_FALLBACK",
	              to == MON_POLLING || to == MON_DOWN ? "1" : "0", m->utf8);
	ok &= env_add(e, "WSDASH_LIVE", live_s, m->utf8);
	ok &= env_add(e, "WSDASH_TOTAL", total_s, m->utf8);
	ok &= env_add(e, "WSDASH_SUMMARY", sum, m->utf8);
	if (!ok)
		notify_env_free(e);
	return ok;
}

void
notify_env_free(struct notify_env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->vars[i]);
	e->n = 0;
}

struct notify *
notify_new(const char *cmd, int timeout_ms)
{
	struct notify *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->cmd = strdup(cmd);
	if (n->cmd == NULL) {
		free(n);
		return NULL;
	}
	n->timeout_us =
	    (int64_t)(timeout_ms > 0 ? timeout_ms : NOTIFY_TIMEOUT_MS) * 1000;
	return n;
}

/*
 * The child's environment: ours, with every inherited variable of the same
 * name left out (the pointers are borrowed; free the array only).
 */
static char **
child_env(const struct notify_env *e)
{
	size_t ne = 0, k = 0;
	char **env;

	while (environ != NULL && environ[ne] != NULL)
		ne++;
	env = calloc(ne + e->n + 1, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < ne; i++) {
		bool ours = false;

		for (size_t j = 0; j < e->n && !ours; j++) {
			size_t l =
			    (size_t)(strchr(e->vars[j], '=') - e->vars[j]) + 1;

			ours = strncmp(environ[i], e->vars[j], l) == 0;
		}
		if (!ours)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < e->n; j++)
		env[k++] = e->vars[j];
	return env;
}

/*
 * Start /bin/sh -c CMD for run e in slot s. The child gets /dev/null for
 * its standard descriptors and none of ours (lws sockets, the log file),
 * an empty signal mask and default dispositions (we ignore SIGPIPE; a
 * pipeline in CMD must not), and a process group of its own, so that a
 * timeout stops what it started too and the terminal's ^C is ours alone.
 */
static void
spawn(struct notify *n, struct slot *s, const struct notify_env *e,
      int64_t now_us)
{
	static const int dflt[] = {SIGPIPE, SIGXFSZ, SIGINT,  SIGQUIT, SIGTERM,
	                           SIGHUP,  SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU,
	                           SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH};
	char *argv[] = {"sh", "-c", n->cmd, "wsdash-on-change", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	char **env = child_env(e);
	pid_t pid;
	int r;

	if (env == NULL) {
		r = ENOMEM;
		goto err;
	}
	sigemptyset(&none);
	sigemptyset(&def);
	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
		sigaddset(&def, dflt[i]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	                                  POSIX_SPAWN_SETSIGMASK |
	                                  POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	r = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (r != 0)
		goto err;
	s->pid = pid;
	s->started_us = now_us;
	s->term_us = 0;
	n->st.started++;
	return;
err:
	n->st.spawn_errors++;
	n->spawn_errno = r;
}

/* Reap slot s if its command ended; stop it if it is overdue. */
static void
slot_poll(struct notify *n, struct slot *s, int64_t now_us)
{
	int status;
	pid_t r = waitpid(s->pid, &status, WNOHANG);

	if (r == s->pid || (r < 0 && errno == ECHILD)) {
		if (r == s->pid && s->term_us == 0) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
				n->st.ok++;
			} else {
				n->st.failed++;
				n->st.last_status = status;
			}
		}
		s->pid = 0;
		return;
	}
	if (s->term_us == 0 && now_us - s->started_us >= n->timeout_us) {
		kill(-s->pid, SIGTERM);
		s->term_us = now_us;
		n->st.timed_out++;
	} else if (s->term_us != 0 &&
	           now_us - s->term_us >= (int64_t)NOTIFY_GRACE_MS * 1000) {
		kill(-s->pid, SIGKILL);
	}
}

void
notify_poll(struct notify *n, int64_t now_us)
{
	for (size_t i = 0; i < NOTIFY_RUNNING; i++)
		if (n->slots[i].pid > 0)
			slot_poll(n, &n->slots[i], now_us);
	for (size_t i = 0; i < NOTIFY_RUNNING && n->qlen > 0; i++) {
		struct notify_env *e = &n->queue[n->qhead];

		if (n->slots[i].pid > 0)
			continue;
		spawn(n, &n->slots[i], e, now_us);
		notify_env_free(e);
		n->qhead = (n->qhead + 1) % NOTIFY_QUEUE;
		n->qlen--;
	}
}

int64_t
notify_next_us(const struct notify *n, int64_t now_us)
{
	int64_t next = 0;

	for (size_t i = 0; i < NOTIFY_RUNNING; i++) {
		const struct slot *s = &n->slots[i];
		int64_t at, in;

		if (s->pid <= 0)
			continue;
		at = s->term_us == 0
		         ? s->started_us + n->timeout_us
		         : s->term_us + (int64_t)NOTIFY_GRACE_MS * 1000;
		in = at - now_us;
		if (in > (int64_t)NOTIFY_REAP_MS * 1000)
			in = (int64_t)NOTIFY_REAP_MS * 1000;
		if (in < 1)
			in = 1;
		if (next == 0 || in < next)
			next = in;
	}
	return next;
}

/* Whether ep's newest transition is one not queued yet (and mark it). */
static bool
is_new(struct notify *n, const struct mon *m, const struct mon_ep *ep)
{
	const struct mon_transition *t = mon_history(ep, 0);
	size_t i = (size_t)(ep - m->eps);
	struct seen *s;

	if (t == NULL || i >= m->n)
		return false;
	if (n->seen == NULL) {
		n->seen = calloc(m->n, sizeof(*n->seen));
		if (n->seen == NULL)
			return false;
		n->nseen = m->n;
	}
	if (i >= n->nseen)
		return false;
	s = &n->seen[i];
	if (s->t == t && s->at_us == t->at_us)
		return false;
	s->t = t;
	s->at_us = t->at_us;
	return true;
}

void
notify_change(struct notify *n, const struct mon *m, const struct mon_ep *ep,
              int64_t now_us, int64_t wall_ms)
{
	struct notify_env e;

	if (!is_new(n, m, ep))
		return;
	if (!notify_env_make(&e, m, ep, wall_ms)) {
		n->st.spawn_errors++;
		n->spawn_errno = ENOMEM;
		return;
	}
	if (n->qlen == NOTIFY_QUEUE) {
		/* the oldest waiting run gives way */
		notify_env_free(&n->queue[n->qhead]);
		n->qhead = (n->qhead + 1) % NOTIFY_QUEUE;
		n->qlen--;
		n->st.dropped++;
	}
	n->queue[(n->qhead + n->qlen) % NOTIFY_QUEUE] = e;
	n->qlen++;
	notify_poll(n, now_us);
}

bool
notify_warning(struct notify *n, char *buf, size_t len)
{
	if (n->st.dropped > 0 && !(n->told & TOLD_DROP)) {
		n->told |= TOLD_DROP;
		snprintf(buf, len,
		         "--on-change: changes come faster than the command "
		         "finishes (%d run at once, %d wait): the oldest "
		         "waiting runs are dropped",
		         NOTIFY_RUNNING, NOTIFY_QUEUE);
		return true;
	}
	if (n->st.failed > 0 && !(n->told & TOLD_FAIL)) {
		int s = n->st.last_status;

		n->told |= TOLD_FAIL;
		if (WIFEXITED(s))
			snprintf(buf, len,
			         "--on-change: the command exited with status "
			         "%d%s",
			         WEXITSTATUS(s),
			         WEXITSTATUS(s) == 127 ? " (command not found?)"
			                               : "");
		else
			snprintf(buf, len,
			         "--on-change: the command was killed by "
			         "signal %d",
			         WIFSIGNALED(s) ? WTERMSIG(s) : 0);
		return true;
	}
	if (n->st.timed_out > 0 && !(n->told & TOLD_TIMEOUT)) {
		n->told |= TOLD_TIMEOUT;
		snprintf(buf, len,
		         "--on-change: a command ran longer than %.3g s and "
		         "was stopped",
		         (double)n->timeout_us / 1e6);
		return true;
	}
	if (n->st.spawn_errors > 0 && !(n->told & TOLD_SPAWN)) {
		n->told |= TOLD_SPAWN;
		snprintf(buf, len, "--on-change: cannot run /bin/sh: %s",
		         strerror(n->spawn_errno));
		return true;
	}
	return false;
}

size_t
notify_running(const struct notify *n)
{
	size_t k = 0;

	for (size_t i = 0; i < NOTIFY_RUNNING; i++)
		k += n->slots[i].pid > 0;
	return k;
}

size_t
notify_waiting(const struct notify *n)
{
	return n->qlen;
}

const struct notify_stats *
notify_stats(const struct notify *n)
{
	return &n->st;
}

/* Poll until nothing runs or until_us; true if nothing runs. */
static bool
wait_all(struct notify *n, int64_t until_us)
{
	const struct timespec tick = {0, 10 * 1000 * 1000};

	for (;;) {
		for (size_t i = 0; i < NOTIFY_RUNNING; i++)
			if (n->slots[i].pid > 0)
				slot_poll(n, &n->slots[i], clock_mono_us());
		if (notify_running(n) == 0)
			return true;
		if (clock_mono_us() >= until_us)
			return false;
		nanosleep(&tick, NULL);
	}
}

size_t
notify_finish(struct notify *n, int wait_ms)
{
	size_t stopped = 0;

	while (n->qlen > 0) {
		notify_env_free(&n->queue[n->qhead]);
		n->qhead = (n->qhead + 1) % NOTIFY_QUEUE;
		n->qlen--;
		n->st.dropped++;
	}
	if (wait_all(n, clock_mono_us() + (int64_t)wait_ms * 1000))
		return 0;
	for (size_t i = 0; i < NOTIFY_RUNNING; i++) {
		if (n->slots[i].pid > 0 && n->slots[i].term_us == 0) {
			kill(-n->slots[i].pid, SIGTERM);
			n->slots[i].term_us = clock_mono_us();
			stopped++;
		}
	}
	if (!wait_all(n, clock_mono_us() + (int64_t)NOTIFY_GRACE_MS * 1000)) {
		for (size_t i = 0; i < NOTIFY_RUNNING; i++) {
			if (n->slots[i].pid > 0) {
				kill(-n->slots[i].pid, SIGKILL);
				waitpid(n->slots[i].pid, NULL, 0);
				n->slots[i].pid = 0;
			}
		}
	}
	return stopped;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	while (n->qlen > 0) {
		notify_env_free(&n->queue[n->qhead]);
		n->qhead = (n->qhead + 1) % NOTIFY_QUEUE;
		n->qlen--;
	}
	free(n->seen);
	free(n->cmd);
	free(n);
}
