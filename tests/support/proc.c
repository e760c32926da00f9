/* proc.c: child processes for integration tests; see proc.h. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

long long
test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Hand out the first whole line of c->rbuf, if there is one. */
static bool
take_line(struct child *c, char *buf, size_t len)
{
	char *start = c->rbuf + c->roff;
	size_t have = c->rlen - c->roff, n, copy;
	char *nl = memchr(start, '\n', have);

	if (nl == NULL) {
		/* a line longer than the buffer, or the last one: as it is */
		if (have == 0 || (have < CHILD_LINE_MAX && !c->eof))
			return false;
		nl = start + have;
	}
	n = (size_t)(nl - start);
	copy = n < len - 1 ? n : len - 1;
	memcpy(buf, start, copy);
	buf[copy] = '\0';
	c->roff += n < have ? n + 1 : n;
	return true;
}

/* Read what is there now (waiting up to wait_ms for something). */
static bool
fill(struct child *c, int wait_ms)
{
	struct pollfd p = {c->outfd, POLLIN, 0};
	ssize_t r;

	if (c->outfd < 0 || c->eof)
		return false;
	if (c->rbuf == NULL && (c->rbuf = malloc(CHILD_LINE_MAX)) == NULL)
		return false;
	if (c->roff > 0) { /* what was handed out makes room */
		memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
		c->rlen -= c->roff;
		c->roff = 0;
	}
	if (c->rlen >= CHILD_LINE_MAX ||
	    poll(&p, 1, wait_ms < 0 ? 0 : wait_ms) <= 0)
		return false;
	r = read(c->outfd, c->rbuf + c->rlen, CHILD_LINE_MAX - c->rlen);
	if (r <= 0) {
		if (r == 0 || errno != EINTR)
			c->eof = true;
		return r < 0 && errno == EINTR;
	}
	c->rlen += (size_t)r;
	return true;
}

bool
child_read_line(struct child *c, char *buf, size_t len, int timeout_ms)
{
	long long deadline = test_now_ms() + timeout_ms;

	for (;;) {
		if (c->rbuf != NULL && take_line(c, buf, len))
			return true;
		if (c->eof || test_now_ms() >= deadline)
			return false;
		fill(c, (int)(deadline - test_now_ms()));
	}
}

/* Fork and exec argv (argv[0] a path); stderr to err_path if not NULL. */
static bool
spawn(struct child *c, bool want_port, const char *const *argv,
      const char *err_path)
{
	int pfd[2];
	pid_t parent = getpid();
	const char *colon;

	memset(c, 0, sizeof(*c));
	c->outfd = -1;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return false;
	c->pid = fork();
	if (c->pid < 0)
		return false;
	if (c->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		dup2(pfd[1], 1);
		if (err_path != NULL) {
			int e =
			    open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			if (e >= 0)
				dup2(e, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	c->outfd = pfd[0];
	if (!want_port)
		return true;
	if (!child_read_line(c, c->first_line, sizeof(c->first_line), 10000)) {
		child_stop(c);
		return false;
	}
	colon = strrchr(c->first_line, ':');
	if (strncmp(c->first_line, "listening on ", 13) != 0 || !colon) {
		child_stop(c);
		return false;
	}
	c->port = atoi(colon + 1);
	return c->port > 0;
}

bool
child_start_cmd(struct child *c, bool want_port, const char *const *argv)
{
	return spawn(c, want_port, argv, NULL);
}

/* WSDASH_BIN followed by argv (caller frees). */
static const char **
wsdash_argv(const char *const *argv)
{
	size_t n = 0;
	const char **args;

	while (argv && argv[n])
		n++;
	args = calloc(n + 2, sizeof(*args));
	cr_assert_not_null(args);
	args[0] = WSDASH_BIN;
	for (size_t i = 0; i < n; i++)
		args[i + 1] = argv[i];
	return args;
}

bool
child_start(struct child *c, bool want_port, const char *const *argv)
{
	const char **args = wsdash_argv(argv);
	bool ok = spawn(c, want_port, args, NULL);

	free(args);
	return ok;
}

bool
child_start_err(struct child *c, const char *const *argv, const char *err_path)
{
	const char **args = wsdash_argv(argv);
	bool ok = spawn(c, false, args, err_path);

	free(args);
	return ok;
}

bool
child_start_server(struct child *c, bool want_port, const char *const *head,
                   int srv_port, const char *first, va_list ap)
{
	const char *argv[48];
	static char server[64];
	int n = 0;

	while (head[n] != NULL && n < 8) {
		argv[n] = head[n];
		n++;
	}
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv_port);
	argv[n++] = "--server";
	argv[n++] = server;
	for (const char *a = first; a && n < 46; a = va_arg(ap, const char *))
		argv[n++] = a;
	argv[n] = NULL;
	return child_start(c, want_port, argv);
}

bool
serve_start(struct child *c, ...)
{
	const char *argv[60] = {"serve", "--port", "0"};
	int n = 3;
	va_list ap;
	const char *a;

	va_start(ap, c);
	while ((a = va_arg(ap, const char *)) != NULL && n < 58)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return child_start(c, true, argv);
}

int
child_signal_wait(struct child *c, int sig, int timeout_ms)
{
	long long deadline = test_now_ms() + timeout_ms;
	int status;

	if (c->pid <= 0)
		return -1;
	kill(c->pid, sig);
	while (test_now_ms() < deadline) {
		pid_t r = waitpid(c->pid, &status, WNOHANG);

		if (r == c->pid) {
			c->pid = 0;
			return status;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(2000);
	}
	return -1;
}

int
child_stop(struct child *c)
{
	int status, rc = 0;

	if (c->pid > 0) {
		status = child_signal_wait(c, SIGTERM, 5000);
		if (status < 0 && c->pid > 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
			c->pid = 0;
			rc = -1;
		} else if (status >= 0) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status)
			                       : 128 + WTERMSIG(status);
		}
	}
	if (c->outfd >= 0) {
		close(c->outfd);
		c->outfd = -1;
	}
	free(c->rbuf);
	c->rbuf = NULL;
	c->roff = c->rlen = 0;
	return rc;
}

long
proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = strtol(line + 6, NULL, 10);
	fclose(f);
	return kib;
}

double
proc_cpu_s(pid_t pid)
{
	char path[64];
	long ut = 0, st = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fscanf(f,
	           "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	           "%ld %ld",
	           &ut, &st);
	fclose(f);
	return n == 2 ? (double)(ut + st) / (double)sysconf(_SC_CLK_TCK) : -1;
}

/* Drain fd into buf (bounded), until EOF. */
static void
slurp(int fd, char *buf, size_t len, size_t *n)
{
	char tmp[4096];
	ssize_t r;

	while ((r = read(fd, tmp, sizeof(tmp))) > 0) {
		size_t room = len - 1 - *n;
		size_t take = (size_t)r < room ? (size_t)r : room;

		memcpy(buf + *n, tmp, take);
		*n += take;
	}
	buf[*n] = '\0';
}

int
run_cmd(const char *const *argv, char *out, size_t outlen, char *err,
        size_t errlen, int timeout_ms)
{
	int po[2], pe[2], status = 0;
	size_t no = 0, ne = 0;
	long long deadline = test_now_ms() + timeout_ms;
	pid_t pid;

	out[0] = err[0] = '\0';
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};

		slurp(po[0], out, outlen, &no);
		slurp(pe[0], err, errlen, &ne);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (test_now_ms() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(po[0]);
			close(pe[0]);
			return -1;
		}
		poll(p, 2, 20);
	}
	slurp(po[0], out, outlen, &no);
	slurp(pe[0], err, errlen, &ne);
	close(po[0]);
	close(pe[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
run_wsdash(const char *const *argv, char *out, size_t outlen, char *err,
           size_t errlen, int timeout_ms)
{
	const char **args = wsdash_argv(argv);
	int rc = run_cmd(args, out, outlen, err, errlen, timeout_ms);

	free(args);
	return rc;
}

size_t
child_drain(struct child *c)
{
	size_t total = c->rlen - c->roff;

	c->roff = c->rlen = 0;
	while (fill(c, 0)) {
		total += c->rlen;
		c->rlen = 0;
	}
	return total;
}
