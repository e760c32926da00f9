/* rawws.c: a raw-socket WebSocket client for tests; see rawws.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rawws.h"

#define RAWWS_MAX_FRAME (16 << 20) /* larger frames end the connection */

static long long
rawws_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what arrives within the wait. Returns bytes read, 0 on timeout,
 * -1 on EOF or error. */
static int
rawws_fill(struct rawws *w, long long deadline)
{
	struct pollfd p = {w->fd, POLLIN, 0};
	long long left = deadline - rawws_now_ms();
	ssize_t got;

	if (left < 0)
		left = 0;
	if (poll(&p, 1, (int)left) <= 0)
		return 0;
	if (w->len + 65536 > w->cap) {
		unsigned char *n = realloc(w->buf, w->len + 65536);

		if (n == NULL)
			return -1;
		w->buf = n;
		w->cap = w->len + 65536;
	}
	got = recv(w->fd, w->buf + w->len, w->cap - w->len, 0);
	if (got <= 0)
		return -1;
	w->len += (size_t)got;
	return (int)got;
}

int
rawws_open(struct rawws *w, int port, const char *path, int timeout_ms)
{
	struct sockaddr_in a = {0};
	long long deadline = rawws_now_ms() + timeout_ms;
	char req[1024];
	unsigned char *end = NULL;
	int n, e;

	memset(w, 0, sizeof(*w));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	w->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->fd < 0)
		return -errno;
	if (connect(w->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		e = errno;
		rawws_free(w);
		return -e;
	}
	n = snprintf(req, sizeof(req),
	             "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	             "Sec-WebSocket-Version: 13\r\n"
	             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	             path, port);
	if (send(w->fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		e = errno;
		rawws_free(w);
		return -e;
	}
	while (end == NULL) {
		if (w->len > 0)
			end = memmem(w->buf, w->len, "\r\n\r\n", 4);
		if (end == NULL && rawws_fill(w, deadline) <= 0) {
			rawws_free(w);
			return -ETIMEDOUT;
		}
	}
	n = (int)(end - w->buf);
	snprintf(w->head, sizeof(w->head), "%.*s", n, (char *)w->buf);
	sscanf(w->head, "HTTP/%*s %d", &w->status);
	/* what follows the headers is the first frames */
	memmove(w->buf, end + 4, w->len - (size_t)n - 4);
	w->len -= (size_t)n + 4;
	if (w->status != 101) {
		int st = w->status;

		rawws_free(w);
		return st;
	}
	return 101;
}

static int
rawws_send_frame(struct rawws *w, int opcode, const void *data, size_t n)
{
	unsigned char hdr[14], mask[4] = {0x12, 0x34, 0x56, 0x78};
	unsigned char *frame;
	size_t h = 0;
	ssize_t sent;

	hdr[h++] = (unsigned char)(0x80 | opcode);
	if (n < 126) {
		hdr[h++] = (unsigned char)(0x80 | n);
	} else if (n < 65536) {
		hdr[h++] = 0x80 | 126;
		hdr[h++] = (unsigned char)(n >> 8);
		hdr[h++] = (unsigned char)n;
	} else {
		hdr[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			hdr[h++] = (unsigned char)((uint64_t)n >> (8 * i));
	}
	memcpy(hdr + h, mask, 4);
	h += 4;
	frame = malloc(h + n);
	if (frame == NULL)
		return -1;
	memcpy(frame, hdr, h);
	for (size_t i = 0; i < n; i++)
		frame[h + i] = ((const unsigned char *)data)[i] ^ mask[i % 4];
	sent = send(w->fd, frame, h + n, MSG_NOSIGNAL);
	free(frame);
	return sent == (ssize_t)(h + n) ? 0 : -1;
}

int
rawws_send_text(struct rawws *w, const char *text)
{
	return rawws_send_frame(w, 1, text, strlen(text));
}

int
rawws_send_close(struct rawws *w, int code)
{
	unsigned char c[2] = {(unsigned char)(code >> 8), (unsigned char)code};

	return rawws_send_frame(w, 8, c, 2);
}

int
rawws_next(struct rawws *w, char **data, size_t *len, int timeout_ms)
{
	long long deadline = rawws_now_ms() + timeout_ms;

	*data = NULL;
	*len = 0;
	for (;;) {
		size_t off = 2;
		uint64_t n;

		if (w->len >= 2) {
			n = w->buf[1] & 0x7f;
			if (n == 126 && w->len >= 4) {
				n = (uint64_t)w->buf[2] << 8 | w->buf[3];
				off = 4;
			} else if (n == 127 && w->len >= 10) {
				n = 0;
				for (int i = 0; i < 8; i++)
					n = n << 8 | w->buf[2 + i];
				off = 10;
			} else if (n >= 126) {
				off = 0; /* length not all here yet */
			}
			if (off > 0 && n > RAWWS_MAX_FRAME)
				return RAWWS_EOF;
			if (off > 0 && w->len >= off + n) {
				int op = w->buf[0] & 0x0f;

				*data = malloc((size_t)n + 1);
				if (*data == NULL)
					return RAWWS_EOF;
				memcpy(*data, w->buf + off, (size_t)n);
				(*data)[n] = '\0';
				*len = (size_t)n;
				memmove(w->buf, w->buf + off + n,
				        w->len - off - (size_t)n);
				w->len -= off + (size_t)n;
				return op;
			}
		}
		switch (rawws_fill(w, deadline)) {
		case 0:
			return RAWWS_TIMEOUT;
		case -1:
			return RAWWS_EOF;
		default:
			break;
		}
	}
}

void
rawws_free(struct rawws *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}
