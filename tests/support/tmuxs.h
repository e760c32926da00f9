/*
 * tmuxs: a private tmux server for tests that look at a terminal as a user
 * would: each server has its own socket name (tmux -L), commands are run
 * quietly, panes are read with capture-pane, and waits are for text with
 * a deadline. Nothing here touches a tmux server the test did not start.
 */
#ifndef TEST_TMUXS_H
#define TEST_TMUXS_H

#include <stdbool.h>

struct tmuxs {
	char sock[64]; /* the -L name: "wsdash-TAG-PID" */
};

/* Name a server after tag and this process, and kill any stale one. */
void tmuxs_init(struct tmuxs *t, const char *tag);

/* Run `tmux -L sock ARGS` (printf-style), output discarded; the status
 * of system(). A send-keys that fails is tried again (up to 5 times);
 * failures are said on stderr. */
int tmuxs_cmd(const struct tmuxs *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Pane target as text (flags: "" or "-e" for colours); caller frees. */
char *tmuxs_capture(const struct tmuxs *t, const char *target,
                    const char *flags);

/* Wait until target shows text at least times times. */
bool tmuxs_wait(const struct tmuxs *t, const char *target, const char *text,
                int times, int timeout_ms);

/* Kill the server (if any) and remove its socket. Safe to call twice. */
void tmuxs_kill(const struct tmuxs *t);

/* How often needle occurs in hay. */
int tmuxs_count(const char *hay, const char *needle);

#endif
