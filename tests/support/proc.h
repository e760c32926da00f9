/*
 * proc: start the real wsdash binary as a child for integration tests, read
 * the port from its "listening on ADDR:PORT" line, and stop it. The child
 * gets SIGTERM if the test process dies, so no server outlives its test.
 */
#ifndef TEST_PROC_H
#define TEST_PROC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	int outfd; /* the child's stdout (read end), -1 when closed */
	int port;  /* from "listening on ...:PORT", or 0 */
	char first_line[256];
	/*
	 * Bytes read from outfd that do not yet make a whole line. A read
	 * that times out keeps them, so a line is never returned in pieces
	 * or lost half-way, however slowly the machine runs.
	 */
	char *rbuf;
	size_t roff, rlen; /* unread bytes: rbuf[roff..rlen) */
	bool eof;
};

#define CHILD_LINE_MAX (1 << 20) /* longer lines come back truncated */

/*
 * Run WSDASH_BIN with argv (NULL-terminated, argv[0] not included), stdout
 * piped to c->outfd. If want_port, wait up to 5 s for the "listening on" line.
 * Returns false (and reaps the child) on failure.
 */
bool child_start(struct child *c, bool want_port, const char *const *argv);

/* child_start() with the child's stderr written to the file err_path. */
bool child_start_err(struct child *c, const char *const *argv,
                     const char *err_path);

/* Same for any program: argv[0] is its path. */
bool child_start_cmd(struct child *c, bool want_port, const char *const *argv);

/*
 * `wsdash HEAD... --server http://127.0.0.1:srv_port ARGS...`: head is
 * NULL-terminated, the args first, then from ap up to a NULL.
 */
bool child_start_server(struct child *c, bool want_port,
                        const char *const *head, int srv_port,
                        const char *first, va_list ap);

/* Convenience: `wsdash serve --port 0` plus extra args (NULL-terminated). */
bool serve_start(struct child *c, ...);

/*
 * The next whole line of the child's stdout (without the newline) into buf,
 * waiting up to timeout_ms; false on timeout or EOF. A line longer than len
 * is truncated to fit (and consumed whole).
 */
bool child_read_line(struct child *c, char *buf, size_t len, int timeout_ms);

/* Read and discard whatever the child has written so far; bytes read. */
size_t child_drain(struct child *c);

/* Send sig and wait
 up to timeout_ms; returns the wait status or -1. */
int child_signal_wait(struct child *c, int sig, int timeout_ms);

/*
 * SIGTERM, wait up to 5 s, SIGKILL if needed. Returns the exit code (0 for a
 * clean shutdown; sanitizer reports make it non-zero), 128+signal, or -1 if
 * it had to be killed. Safe to call twice (returns 0 the second time).
 */
int child_stop(struct child *c);

/* Monotonic milliseconds, for test timing. */
long long test_now_ms(void);

/* Resident set size of pid in KiB from /proc, or -1. */
long proc_rss_kib(pid_t pid);

/* CPU seconds (user + system) pid used so far, from /proc, or -1. */
double proc_cpu_s(pid_t pid);

/*
 * Run argv (argv[0] looked up in PATH; in a process group of its own) to
 * completion, stdout and stderr into out and err (truncated to their
 * buffers). Returns the exit code, 128+signal, 127 when the program is not
 * there, or -1 when it ran over timeout_ms (its group is then killed).
 */
int run_cmd(const char *const *argv, char *out, size_t outlen, char *err,
            size_t errlen, int timeout_ms);

/*
 * Run WSDASH_BIN with argv (NULL-terminated) to completion, capturing
 * stdout and stderr (truncated to their buffers). Returns the exit code, or
 * -1 if it did not exit within timeout_ms (it is then killed).
 */
int run_wsdash(const char *const *argv, char *out, size_t outlen, char *err,
               size_t errlen, int timeout_ms);
#endif
