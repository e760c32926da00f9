/*
 * watch: the `wsdash watch` command (and `wsdash demo`, which is watch on
 * the embedded backend). Options are parsed here; the headless output lives
 * in watch.c, the dashboard in ui/.
 */
#ifndef WSDASH_WATCH_H
#define WSDASH_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wsdash/cmdline.h"
#include "wsdash/config.h"
#include "wsdash/statusline.h"

struct watcher;
struct serve_opts;

struct watch_opts {
	struct cmdline cl;
	bool plain;
	bool no_bell;         /* the dashboard does not ring */
	int64_t duration_ms;  /* 0: until stopped */
	int ping_interval_ms; /* 0: config's */
	int ping_timeout_ms;
	enum ping_mode ping;
	bool ping_set;
	int poll_interval_ms;
	int retry_base_ms;
	int max_silence_ms;

	size_t max_message;
	const char *metrics; /* --metrics ADDR:PORT, or NULL */
	const char *hello;
	bool no_hello; /* --no-hello, --hello none */
	char *const *endpoints;
	int nendpoints;

	/* call-backs: the --on-change command, the --log file, tmux */
	const char *on_change;    /* --on-change CMD, or NULL */
	int on_change_timeout_ms; /* 0: NOTIFY_TIMEOUT_MS */
	const char *log_path;     /* --log FILE, or NULL */
	bool status_line;         /* --status-line */
	bool format_set;          /* --format given */
	enum statusline_format format;
};

/* 0 ok, 1 --help, -1 error (message in err). argv[0] is the command. */
int watch_parse(int argc, char **argv, struct watch_opts *o, char *err,
                size_t errlen);

/* The configuration for these options (see cmdline_config()). */
bool watch_config(const struct watch_opts *o, struct config *cfg, char *err,
                  size_t errlen);

void watch_usage(FILE *f);

/* The largest handshake timeout of cfg, and whether any endpoint is TLS. */
void watch_needs(const struct config *cfg, int *timeout, bool *tls);

/* SIGINT/SIGTERM/SIGHUP stop w's loop; SIGPIPE ignored. */
void watch_signals(struct watcher *w);
volatile sig_atomic_t *watch_stop_flag(void);

/* `wsdash watch`. */
int watch_main(int argc, char **argv);

/* `wsdash demo`: watch on the embedded backend. */
int demo_main(int argc, char **argv);
void demo_usage(FILE *f);

/*
 * Watch with these options: the dashboard on a terminal, lines otherwise.
 * demo: serve the demo backend in the same loop and watch it (NULL for
 * none). cmd names the command in messages. Returns an exit code.
 */
int watch_run(struct watch_opts *o, const struct serve_opts *demo,
              const char *cmd);

#endif
