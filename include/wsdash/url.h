/*
 * url: strict parsing of the few URL forms wsdash accepts: ws://, wss://,
 * http:// and https://, with a host name, IPv4 or [IPv6] literal, optional
 * port, and a path with query. Pure; the transport hands the parts to lws.
 *
 * Strict on purpose: credentials in the URL, spaces, control characters,
 * empty hosts and bad ports are rejected with a message that says which,
 * instead of being passed on to the network.
 */
#ifndef WSDASH_URL_H
#define WSDASH_URL_H

#include <stdbool.h>
#include <stddef.h>

#define URL_HOST_MAX 256
#define URL_PATH_MAX 2048

enum url_scheme { URL_WS, URL_WSS, URL_HTTP, URL_HTTPS };

struct url {
	enum url_scheme scheme;
	bool tls;  /* wss or https */
	bool ipv6; /* host is an IPv6 literal (no brackets) */
	char host[URL_HOST_MAX];
	int port;                /* explicit or the scheme's default */
	char path[URL_PATH_MAX]; /* starts with '/', includes ?query */
};

/*
 * Parse s into u. Returns false with a one-line reason in err (which does
 * not repeat s: callers add context).
 */
bool url_parse(const char *s, struct url *u, char *err, size_t errlen);

/* "ws", "wss", "http", "https". */
const char *url_scheme_name(enum url_scheme s);

/*
 * Write u as text (default ports omitted, IPv6 in brackets). Returns the
 * length snprintf would; out is always terminated when len > 0.
 */
size_t url_format(const struct url *u, char *out, size_t len);

/* "host:port" / "[v6]:port", for messages. */
size_t url_hostport(const struct url *u, char *out, size_t len);

/*
 * Same host and port with another scheme and path: ws <-> http, wss <-> https
 * (the TLS-ness is kept). path must start with '/'. Returns false if the
 * result would be too long.
 */
bool url_with(const struct url *base, bool websocket, const char *path,
              struct url *out);

/*
 * s as it may be quoted back in an error: a password in its userinfo
 * (scheme://user:secret@host) becomes "***". Always terminates out.
 */
void url_redact(const char *s, char *out, size_t len);

#endif
