/*
 * url.c: a small, strict URL parser for ws/wss/http/https endpoint URLs.
 * It validates rather than repairs: wsdash prints what was wrong with a URL
 * the user typed, and never sends a half-understood one to the network.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wsdash/url.h"

static const struct {
	const char *name;
	enum url_scheme scheme;
	bool tls;
	int port;
} schemes[] = {
    {"ws", URL_WS, false, 80},
    {"wss", URL_WSS, true, 443},
    {"http", URL_HTTP, false, 80},
    {"https", URL_HTTPS, true, 443},
};

const char *
url_scheme_name(enum url_scheme s)
{
	return (unsigned)s < 4 ? schemes[s].name : "?";
}

static bool
host_char_ok(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

bool
url_parse(const char *s, struct url *u, char *err, size_t errlen)
{
	const char *p, *auth, *auth_end, *host, *host_end, *colon = NULL;
	size_t i, hl;

	memset(u, 0, sizeof(*u));
	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty URL");
		return false;
	}
	for (p = s; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			snprintf(err, errlen,
			         "URL contains a space or control character");
			return false;
		}
		/* URLs are ASCII: what a terminal shows of a URL is what is
		 * sent, with no byte that could act on it */
		if ((unsigned char)*p >= 0x80) {
			snprintf(err, errlen,
			         "URL contains a non-ASCII byte (0x%02x): "
			         "percent-encode it (%%%02X)",
			         (unsigned char)*p, (unsigned char)*p);
			return false;
		}
	}
	p = strstr(s, "://");
	if (p == NULL) {
		snprintf(err, errlen,
		         "missing scheme (expected ws://, wss://, "
		         "http:// or https://)");
		return false;
	}
	for (i = 0; i < 4; i++)
		if ((size_t)(p - s) == strlen(schemes[i].name) &&
		    strncasecmp(s, schemes[i].name, (size_t)(p - s)) == 0)
			break;
	if (i == 4) {
		snprintf(err, errlen,
		         "unsupported scheme '%.*s' (expected ws, "
		         "wss, http or https)",
		         (int)(p - s > 16 ? 16 : p - s), s);
		return false;
	}
	u->scheme = schemes[i].scheme;
	u->tls = schemes[i].tls;
	u->port = schemes[i].port;

	auth = p + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(auth_end - auth)) != NULL) {
		snprintf(err, errlen,
		         "credentials in the URL are not supported "
		         "(use -H 'Authorization: ...')");
		return false;
	}
	if (*auth == '[') {
		const char *close =
		    memchr(auth, ']', (size_t)(auth_end - auth));

		if (close == NULL) {
			snprintf(err, errlen, "unterminated '[' in IPv6 host");
			return false;
		}
		host = auth + 1;
		host_end = close;
		for (p = host; p < host_end; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' &&
			    *p != '.') {
				snprintf(err, errlen, "bad IPv6 address");
				return false;
			}
		u->ipv6 = true;
		if (close + 1 < auth_end) {
			if (close[1] != ':') {
				snprintf(err, errlen,
				         "unexpected text after ']'");
				return false;
			}
			colon = close + 1;
		}
	} else {
		host = auth;
		colon = memchr(auth, ':', (size_t)(auth_end - auth));
		host_end = colon ? colon : auth_end;
		for (p = host; p < host_end; p++)
			if (!host_char_ok(*p)) {
				snprintf(
				    err, errlen,
				    "bad character '%c' in host name",
				    *p); /* printable ASCII: checked above */
				return false;
			}
	}
	hl = (size_t)(host_end - host);
	if (hl == 0) {
		snprintf(err, errlen, "missing host");
		return false;
	}
	if (hl >= sizeof(u->host)) {
		snprintf(err, errlen, "host name too long");
		return false;
	}
	memcpy(u->host, host, hl);
	u->host[hl] = '\0';

	if (colon != NULL) {
		long port = 0;
		const char *d = colon + 1;

		if (d == auth_end) {
			snprintf(err, errlen, "missing port after ':'");
			return false;
		}
		for (; d < auth_end; d++) {
			if (!isdigit((unsigned char)*d) || port > 65535) {
				snprintf(err, errlen, "bad port '%.*s'",
				         (int)(auth_end - colon - 1 > 16
				                   ? 16
				                   : auth_end - colon - 1),
				         colon + 1);
				return false;
			}
			port = port * 10 + (*d - '0');
		}
		if (port < 1 || port > 65535) {
			snprintf(err, errlen, "port %ld out of range (1-65535)",
			         port);
			return false;
		}
		u->port = (int)port;
	}

	/* Path and query; a fragment is never sent, so drop it. */
	p = auth_end;
	{
		size_t pl = strcspn(p, "#");

		if (pl + 2 > sizeof(u->path)) {
			snprintf(err, errlen, "path too long");
			return false;
		}
		if (*p != '/')
			u->path[0] = '/';
		strncat(u->path, p, pl);
	}
	return true;
}

static bool
default_port(const struct url *u)
{
	return u->port == schemes[u->scheme].port;
}

size_t
url_hostport(const struct url *u, char *out, size_t len)
{
	int n =
	    snprintf(out, len, u->ipv6 ? "[%s]:%d" : "%s:%d", u->host, u->port);

	return n < 0 ? 0 : (size_t)n;
}

size_t
url_format(const struct url *u, char *out, size_t len)
{
	char port[8] = "";
	int n;

	if (!default_port(u))
		snprintf(port, sizeof(port), ":%d", u->port);
	n = snprintf(out, len, u->ipv6 ? "%s://[%s]%s%s" : "%s://%s%s%s",
	             url_scheme_name(u->scheme), u->host, port, u->path);
	return n < 0 ? 0 : (size_t)n;
}

bool
url_with(const struct url *base, bool websocket, const char *path,
         struct url *out)
{
	if (strlen(path) + 1 > sizeof(out->path) || path[0] != '/')
		return false;
	*out = *base;
	out->scheme = websocket ? (base->tls ? URL_WSS : URL_WS)
	                        : (base->tls ? URL_HTTPS : URL_HTTP);
	snprintf(out->path, sizeof(out->path), "%s", path);
	return true;
}

void
url_redact(const char *s, char *out, size_t len)
{
	const char *auth = strstr(s, "://"), *at, *colon;
	size_t end;

	if (auth == NULL) {
		snprintf(out, len, "%s", s);
		return;
	}
	auth += 3;
	end = strcspn(auth, "/?#");
	at = memchr(auth, '@', end);
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon == NULL) {
		snprintf(out, len, "%s", s);
		return;
	}
	snprintf(out, len, "%.*s:***%s", (int)(colon - s), s, at);
}
