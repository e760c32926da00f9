/*
 * rawws: a WebSocket client on a raw loopback socket, for tests that must
 * see the frames as they are on the wire. lws 4.1.6's client rewrites some
 * close codes (1012-1014 among them) to 1002 before the application sees
 * them; this client does not interpret anything: it sends the handshake,
 * masks what it sends, and hands back each frame's opcode and payload.
 * Blocking, one frame at a time, every wait bounded.
 */
#ifndef TEST_RAWWS_H
#define TEST_RAWWS_H

#include <stddef.h>

#define RAWWS_TIMEOUT (-2) /* rawws_next(): nothing within the wait */
#define RAWWS_EOF     (-1) /* rawws_next(): closed, or an error */

struct rawws {
	int fd;
	int status;         /* HTTP status of the handshake answer */
	char head[2048];    /* its status line and headers */
	unsigned char *buf; /* bytes read and not yet handed out */
	size_t len, cap;
};

/*
 * Connect to 127.0.0.1:port and ask to upgrade path. Returns the answer's
 * HTTP status (101 when upgraded), or -errno. On a status other than 101
 * the connection is closed.
 */
int rawws_open(struct rawws *w, int port, const char *path, int timeout_ms);

/* Send one masked frame: text, or a close with code (and no reason). */
int rawws_send_text(struct rawws *w, const char *text);
int rawws_send_close(struct rawws *w, int code);

/*
 * The next frame: its opcode (1 text, 2 binary, 8 close, 9 ping, 10 pong,
 * 0 continuation) with the payload in *data (malloc'd, NUL-terminated,
 * caller frees) and its length in *len; or RAWWS_TIMEOUT or RAWWS_EOF.
 */
int rawws_next(struct rawws *w, char **data, size_t *len, int timeout_ms);

/* Close the socket (no close frame) and free the buffer. */
void rawws_free(struct rawws *w);

#endif
