/* http.c: raw-socket HTTP requests for tests; see http.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
http_raw(int port, const char *raw, size_t raw_len, struct http_resp *r,
         int timeout_ms)
{
	struct sockaddr_in a = {0};
	long deadline = now_ms() + timeout_ms;
	size_t cap = 4096, n = 0;
	char *buf, *sep;
	int s, e;

	memset(r, 0, sizeof(*r));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		e = errno;
		close(s);
		return -e;
	}
	if (send(s, raw, raw_len, MSG_NOSIGNAL) != (ssize_t)raw_len) {
		e = errno;
		close(s);
		return -e;
	}
	buf = malloc(cap);
	for (;;) {
		struct pollfd p = {s, POLLIN, 0};
		long left = deadline - now_ms();
		ssize_t got;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			free(buf);
			close(s);
			return -ETIMEDOUT;
		}
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
		got = recv(s, buf + n, cap - n - 1, 0);
		if (got <= 0)
			break;
		n += (size_t)got;
		buf[n] = '\0';
		/* An upgraded connection stays open: stop after its headers. */
		if (strncmp(buf, "HTTP/1.1 101", 12) == 0 &&
		    strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	close(s);
	buf[n] = '\0';
	sscanf(buf, "HTTP/%*s %d", &r->status);
	sep = strstr(buf, "\r\n\r\n");
	if (sep != NULL) {
		*sep = '\0';
		r->body_len = n - (size_t)(sep + 4 - buf);
		r->body = malloc(r->body_len + 1);
		memcpy(r->body, sep + 4, r->body_len);
		r->body[r->body_len] = '\0';
	} else {
		r->body = strdup("");
	}
	r->head = buf;
	return 0;
}

int
http_req(int port, const char *method, const char *target,
         const char *extra_headers, const char *body, struct http_resp *r,
         int timeout_ms)
{
	char req[8192];
	int n;

	n = snprintf(req, sizeof(req),
	             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	             "Connection: close\r\n%s",
	             method, target, port, extra_headers ? extra_headers : "");
	if (body != NULL)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
		              "Content-Length: %zu\r\n\r\n%s", strlen(body),
		              body);
	else if (strcmp(method, "POST") == 0)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
		              "Content-Length: 0\r\n\r\n");
	else
		n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	return http_raw(port, req, (size_t)n, r, timeout_ms);
}

const char *
http_header(const struct http_resp *r, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);
	const char *p = r->head;

	while (p && (p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *e = strstr(v, "\r\n");
			size_t vl;

			while (*v == ' ')
				v++;
			vl = e ? (size_t)(e - v) : strlen(v);
			snprintf(buf, len, "%.*s", (int)vl, v);
			return buf;
		}
	}
	return NULL;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
