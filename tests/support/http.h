/*
 * http: a blocking HTTP/1.1 request over a raw loopback socket, for tests.
 * Sends exactly the bytes asked for (Connection: close) and reads until the
 * server closes, so tests can see status, headers and body as a client
 * would, including HEAD answers and refused connections.
 */
#ifndef TEST_HTTP_H
#define TEST_HTTP_H

#include <stddef.h>

struct http_resp {
	int status; /* from the status line, 0 if none */
	char *head; /* status line and headers, NUL-terminated */
	char *body; /* NUL-terminated */
	size_t body_len;
};

/*
 * METHOD target to 127.0.0.1:port with optional extra header lines (each
 * ending in \r\n) and body. Returns 0, or -errno (-ECONNREFUSED when
 * nothing listens, -ETIMEDOUT after timeout_ms).
 */
int http_req(int port, const char *method, const char *target,
             const char *extra_headers, const char *body, struct http_resp *r,
             int timeout_ms);

/* Send raw bytes and read the whole answer until close (same returns). */
int http_raw(int port, const char *raw, size_t raw_len, struct http_resp *r,
             int timeout_ms);

/* Header value (case-insensitive name) copied into buf, or NULL. */
const char *http_header(const struct http_resp *r, const char *name, char *buf,
                        size_t len);

void http_resp_free(struct http_resp *r);

#endif
