/* tmuxs: private tmux servers for tests (see tmuxs.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "tmuxs.h"

void
tmuxs_init(struct tmuxs *t, const char *tag)
{
	snprintf(t->sock, sizeof(t->sock), "wsdash-%s-%d", tag, (int)getpid());
	tmuxs_kill(t);
}

int
tmuxs_cmd(const struct tmuxs *t, const char *fmt, ...)
{
	char cmd[4096], args[3900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "tmux -L %s %s >/dev/null 2>&1", t->sock,
	         args);
	/*
	 * Keys that tmux failed to send (its client could not reach a busy
	 * server) are sent again: tmux sends nothing when it fails, so
	 * nothing is sent twice. Other failures are said in the test's log.
	 */
	for (int tries = 0;; tries++) {
		int rc = system(cmd);

		if (rc == 0)
			return 0;
		if (strncmp(args, "send-keys", 9) != 0 || tries == 4) {
			if (strcmp(args, "kill-server") != 0)
				fprintf(stderr, "tmux %s: exit status %d\n",
				        args, rc);
			return rc;
		}
		usleep(100000);
	}
}

char *
tmuxs_capture(const struct tmuxs *t, const char *target, const char *flags)
{
	char cmd[256];
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -p %s -t %s",
	         t->sock, flags, target);
	p = popen(cmd, "r");
	if (p != NULL) {
		n = fread(buf, 1, cap - 1, p);
		pclose(p);
	}
	buf[n] = '\0';
	return buf;
}

int
tmuxs_count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

bool
tmuxs_wait(const struct tmuxs *t, const char *target, const char *text,
           int times, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;

	do {
		char *s = tmuxs_capture(t, target, "");
		bool ok = tmuxs_count(s, text) >= times;

		free(s);
		if (ok)
			return true;
		usleep(20000);
	} while (test_now_ms() < end);
	return false;
}

void
tmuxs_kill(const struct tmuxs *t)
{
	const char *tmp = getenv("TMUX_TMPDIR");
	char path[512];

	if (!t->sock[0])
		return;
	tmuxs_cmd(t, "kill-server");
	/* a server that went by itself may leave its socket behind */
	snprintf(path, sizeof(path), "%s/tmux-%d/%s",
	         tmp && *tmp ? tmp : "/tmp", (int)getuid(), t->sock);
	unlink(path);
}
