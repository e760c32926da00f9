/*
 * probe.c: handshake observations to classes and advice.
 *
 * lws reports a failed upgrade with a short error text and, where there was
 * an answer, its status; the mapping below is checked against lws 4.1.6
 * (see notes/lws-4.1.6.md): "HS: ws upgrade response not 101" for any
 * non-101 status, "HS: ws upgrade unauthorized" for 401, "HS: Accept hash
 * wrong", "Unable to connect", "read failed", "Timed out waiting SSL",
 * "connect SSL err ...".
 */
#include <stdio.h>
#include <string.h>

#include "wsdash/probe.h"

static const char *const class_names[PC_COUNT] = {
    "upgraded",     "upgrade_required",
    "bad_request",  "unauthorized",
    "forbidden",    "not_found",
    "redirect",     "http_error",
    "server_error", "bad_accept",
    "refused",      "timeout",
    "dns",          "tls",
    "closed",       "no_subprotocol",
};

const char *
probe_class_name(enum probe_class c)
{
	return (unsigned)c < PC_COUNT ? class_names[c] : "unknown";
}

const char *
probe_result_name(enum probe_result r)
{
	return r == PROBE_OK          ? "ok"
	       : r == PROBE_REACHABLE ? "reachable"
	                              : "fail";
}

enum probe_result
probe_result_of(enum probe_class c)
{
	return c == PC_UPGRADED           ? PROBE_OK
	       : c == PC_UPGRADE_REQUIRED ? PROBE_REACHABLE
	                                  : PROBE_FAIL;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 101:
		return "Switching Protocols";
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 307:
		return "Temporary Redirect";
	case 308:
		return "Permanent Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 426:
		return "Upgrade Required";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "";
	}
}

static bool
has(const char *s, const char *what)
{
	return strstr(s, what) != NULL;
}

/* "404 Not Found", or just "1010" when the status has no known phrase. */
static const char *
status_words(int st, char *buf, size_t len)
{
	const char *r = http_reason(st);

	snprintf(buf, len, "%d%s%s", st, r[0] ? " " : "", r);
	return buf;
}

static enum probe_class
class_of_status(int st)
{
	if (st == 426)
		return PC_UPGRADE_REQUIRED;
	if (st == 400)
		return PC_BAD_REQUEST;
	if (st == 401)
		return PC_UNAUTHORIZED;
	if (st == 403)
		return PC_FORBIDDEN;
	if (st == 404)
		return PC_NOT_FOUND;
	if (st >= 300 && st < 400)
		return PC_REDIRECT;
	if (st >= 500 && st < 600)
		return PC_SERVER_ERROR;
	return PC_HTTP_ERROR;
}

enum probe_class
probe_classify(const struct probe_obs *o)
{
	switch (o->outcome) {
	case PO_UPGRADED:
		/* a 101 that picked none of the subprotocols asked for: a
		 * browser's new WebSocket(url, protocols) fails on it */
		return o->asked_subprotocol && o->subprotocol[0] == '\0'
		           ? PC_NO_SUBPROTOCOL
		           : PC_UPGRADED;
	case PO_DNS:
		return PC_DNS;
	case PO_TIMEOUT:
		return PC_TIMEOUT;
	case PO_PENDING:
	case PO_CONN_ERROR:
	case PO_CLOSED:
		break;
	}
	if (o->tls_error != 0 || has(o->error, "SSL") || has(o->error, "TLS") ||
	    has(o->error, "tls"))
		return PC_TLS;
	if (has(o->error, "Accept hash") || o->http_status == 101)
		return PC_BAD_ACCEPT;
	if (o->http_status >= 100)
		return class_of_status(o->http_status);
	if (has(o->error, "unauthorized"))
		return PC_UNAUTHORIZED;
	if (has(o->error, "Unable to connect") || has(o->error, "refused"))
		return PC_REFUSED;
	return PC_CLOSED;
}

bool
probe_wants_get(const struct probe_obs *o)
{
	enum probe_class c = probe_classify(o);

	return c == PC_NOT_FOUND || c == PC_BAD_REQUEST || c == PC_HTTP_ERROR ||
	       c == PC_FORBIDDEN;
}

/* Names of common reverse proxies, as they appear in Server: headers. */
static bool
server_is_proxy(const char *server)
{
	static const char *const proxies[] = {
	    "nginx",   "apache",     "envoy",   "haproxy", "caddy",
	    "traefik", "cloudflare", "varnish", "squid",   "openresty",
	    "awselb",  "istio",      NULL};
	char low[64];
	size_t i;

	for (i = 0; server[i] && i + 1 < sizeof(low); i++)
		low[i] =
		    (char)(server[i] >= 'A' && server[i] <= 'Z' ? server[i] + 32
		                                                : server[i]);
	low[i] = '\0';
	for (const char *const *p = proxies; *p; p++)
		if (strstr(low, *p))
			return true;
	return false;
}

static const char proxy_hint[] =
    "a reverse proxy in front may be dropping the Upgrade/Connection headers "
    "(nginx: proxy_http_version 1.1; proxy_set_header Upgrade "
    "$http_upgrade; proxy_set_header Connection \"upgrade\")";

/* What the follow-up GET adds for 404/400/other 4xx answers. */
static void
detail_missing(const struct probe_obs *o, char *out, size_t len)
{
	char status[64];
	bool proxy = o->via || (o->server[0] && server_is_proxy(o->server));
	char who[96] = "";

	status_words(o->http_status, status, sizeof(status));
	if (proxy)
		snprintf(who, sizeof(who), " (answered by %s)",
		         o->server[0] ? o->server : "a proxy (Via header)");
	if (proxy && o->http_status != 400) {
		/* A known proxy answered: the likeliest cause comes first. */
		snprintf(out, len,
		         "%s on upgrade%s: %s; or the WebSocket route is "
		         "missing behind it",
		         status, who, proxy_hint);
		return;
	}
	if (o->get_status > 0 && o->get_status < 300) {
		snprintf(out, len,
		         "%s on upgrade%s, but a plain GET of the same path "
		         "answers %d: it is an HTTP route, not a WebSocket "
		         "endpoint, or %s",
		         status, who, o->get_status, proxy_hint);
	} else if (o->get_status > 0) {
		snprintf(out, len,
		         "%s on upgrade%s; the server is up (plain GET answers "
		         "%d): the WebSocket route is missing, or %s%s",
		         status, who, o->get_status, proxy_hint,
		         o->http_status == 400
		             ? "; a 400 can also mean the server has no "
		               "WebSocket support installed (uvicorn: install "
		               "'websockets' or 'wsproto')"
		             : "");
	} else {
		snprintf(out, len,
		         "%s on upgrade%s: the route is missing, "
		         "or %s",
		         status, who, proxy_hint);
	}
}

static void
detail_tls(const struct probe_obs *o, char *out, size_t len)
{
	const char *why;
	const char *fix = "; trust its CA with --cacert FILE, or skip "
	                  "verification with --insecure";

	switch (o->tls_error) {
	case 18: /* X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT */
	case 19: /* X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN */
		why = "self-signed certificate";
		break;
	case 10: /* X509_V_ERR_CERT_HAS_EXPIRED */
		why = "certificate expired";
		fix = "; the server needs a renewed certificate (--insecure "
		      "skips verification)";
		break;
	case 9: /* X509_V_ERR_CERT_NOT_YET_VALID */
		why = "certificate not yet valid";
		fix = "; check the clocks (--insecure skips verification)";
		break;
	case 62: /* X509_V_ERR_HOSTNAME_MISMATCH */
	case 63: /* X509_V_ERR_EMAIL_MISMATCH */
	case 64: /* X509_V_ERR_IP_ADDRESS_MISMATCH */
		why = "name mismatch: the certificate is not for this host";
		fix = "; use the host name it was issued for (--insecure "
		      "skips verification)";
		break;
	case 2:  /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT */
	case 20: /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */
	case 21: /* X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE */
		why = "unknown issuer: the certificate's CA is not trusted";
		break;
	case 0:
		if (has(o->error, "Timed out waiting SSL")) {
			snprintf(out, len,
			         "TLS handshake got no answer: the "
			         "server may not speak TLS on this "
			         "port (use ws:// for plain)");
			return;
		}
		/* lws's own text ("connect SSL err 1: ...") says nothing. */
		snprintf(out, len,
		         "TLS handshake failed: the server may not "
		         "speak TLS on this port (use ws:// for "
		         "plain)");
		return;
	default:
		snprintf(out, len, "TLS: %s (verify error %d)%s",
		         o->tls_reason[0] ? o->tls_reason : "verify failed",
		         o->tls_error, fix);
		return;
	}
	snprintf(out, len, "TLS: %s%s", why, fix);
}

void
probe_detail(const struct probe_obs *o, enum probe_class c,
             const char *hostport, bool insecure, char *out, size_t len)
{
	char extra[160] = "", st[64];

	status_words(o->http_status, st, sizeof(st));
	switch (c) {
	case PC_UPGRADED:
		if (o->subprotocol[0])
			snprintf(extra, sizeof(extra), ", subprotocol '%s'",
			         o->subprotocol);
		snprintf(out, len,
		         "101 Switching Protocols, accept verified%s%s", extra,
		         o->tls && insecure ? "; TLS NOT VERIFIED (--insecure)"
		                            : "");
		return;
	case PC_UPGRADE_REQUIRED:
		snprintf(out, len,
		         "426 Upgrade Required: the path exists but "
		         "refused this upgrade (it may want another "
		         "WebSocket version or --subprotocol)");
		return;
	case PC_NOT_FOUND:
	case PC_BAD_REQUEST:
	case PC_HTTP_ERROR:
		if (c == PC_HTTP_ERROR && o->http_status >= 200 &&
		    o->http_status < 300) {
			snprintf(out, len,
			         "%s to an upgrade: the server ignored the "
			         "Upgrade header; %s",
			         st, proxy_hint);
			return;
		}
		if (c == PC_HTTP_ERROR && o->http_status == 429) {
			snprintf(out, len,
			         "429 Too Many Requests: the server "
			         "(or a proxy) is rate limiting "
			         "connections; retry later");
			return;
		}
		if (c == PC_HTTP_ERROR && o->http_status != 405) {
			snprintf(out, len, "%s on upgrade%s", st,
			         o->get_status > 0 ? " (a plain GET answers "
			                             "too: the server is up)"
			                           : "");
			return;
		}
		detail_missing(o, out, len);
		return;
	case PC_UNAUTHORIZED:
		snprintf(out, len,
		         "401 Unauthorized: credentials needed "
		         "(-H 'Authorization: Bearer ...')");
		return;
	case PC_FORBIDDEN:
		if (o->get_status == 404)
			snprintf(
			    out, len,
			    "403 on upgrade and a plain GET answers 404: "
			    "most likely no WebSocket route at this path "
			    "(FastAPI/Starlette refuse upgrades on unknown "
			    "paths with 403%s); otherwise the Origin "
			    "(--origin) or credentials were refused",
			    strstr(o->server, "uvicorn") ? ", and uvicorn "
			                                   "answered"
			                                 : "");
		else
			snprintf(out, len,
			         "403 Forbidden: refused; check the "
			         "Origin the server allows (--origin) "
			         "and credentials");
		return;

	case PC_REDIRECT:
		snprintf(out, len,
		         "%s to %s (not followed: point the check "
		         "at the final URL)",
		         st,
		         o->location[0] ? o->location : "an unnamed location");
		return;
	case PC_SERVER_ERROR:
		snprintf(out, len,
		         "%s: the server%s failed to handle the "
		         "upgrade",
		         st,
		         o->http_status == 502 || o->http_status == 504
		             ? " behind the proxy"
		             : " (or a proxy in front)");
		return;
	case PC_BAD_ACCEPT:
		if (has(o->error, "Accept hash"))
			snprintf(out, len,
			         "101 with a wrong Sec-WebSocket-Accept: "
			         "not a WebSocket server, or a proxy "
			         "rewrote the handshake");
		else
			snprintf(out, len, "101 but an invalid handshake (%s)",
			         o->error[0] ? o->error : "bad headers");
		return;
	case PC_REFUSED:
		snprintf(out, len, "connection refused: nothing listens on %s",
		         hostport);
		return;
	case PC_TIMEOUT:
		if (o->tcp_connected)
			snprintf(out, len,
			         "connected, but no answer to the "
			         "upgrade within %d ms",
			         o->timeout_ms);
		else
			snprintf(out, len,
			         "no TCP connection to %s within %d ms "
			         "(host down, or packets dropped)",
			         hostport, o->timeout_ms);
		return;
	case PC_DNS:
		snprintf(out, len, "cannot resolve %s",
		         o->error[0] ? o->error : "the host name");
		return;
	case PC_TLS:
		detail_tls(o, out, len);
		return;
	case PC_NO_SUBPROTOCOL:
		snprintf(out, len,
		         "101, but the server chose none of the subprotocols "
		         "asked for (--subprotocol): a browser's new "
		         "WebSocket(url, protocols) fails on this handshake");
		return;
	case PC_CLOSED:
	default:
		if (has(o->error, "parsing header")) {
			snprintf(out, len,
			         "the answer's headers could not be read: "
			         "larger than %d KiB (lws's limit), or "
			         "malformed",
			         PROBE_MAX_HEADER_KIB);
			return;
		}
		snprintf(out, len,
		         "connection closed before a valid HTTP answer (%s): "
		         "%s",
		         o->error[0] ? o->error : "no data",
		         o->asked_subprotocol
		             ? "the server may refuse the requested "
		               "--subprotocol (some hang up instead of "
		               "answering), or it is not an HTTP server"
		             : "not an HTTP server, or it crashed");
		return;
	}
}

void
probe_brief(const struct probe_obs *o, enum probe_class c, char *out,
            size_t len)
{
	switch (c) {
	case PC_REFUSED:
		snprintf(out, len, "connection refused");
		return;
	case PC_TIMEOUT:
		snprintf(out, len,
		         o->tcp_connected ? "no answer in %d ms"
		                          : "no connection in %d ms",
		         o->timeout_ms);
		return;
	case PC_DNS:
		snprintf(out, len, "cannot resolve %s",
		         o->error[0] ? o->error : "the host");
		return;
	case PC_TLS:
		switch (o->tls_error) {
		case 18:
		case 19:
			snprintf(out, len, "TLS: self-signed certificate");
			return;
		case 10:
			snprintf(out, len, "TLS: certificate expired");
			return;
		case 62:
		case 64:
			snprintf(out, len, "TLS: name mismatch");
			return;
		case 2:
		case 20:
		case 21:
			snprintf(out, len, "TLS: unknown issuer");
			return;
		case 0:
			snprintf(out, len, "TLS handshake failed");
			return;
		default:
			snprintf(out, len, "TLS: %s", o->tls_reason);
			return;
		}
	case PC_BAD_ACCEPT:
		snprintf(out, len, "invalid 101 answer");
		return;
	case PC_CLOSED:
		snprintf(out, len,
		         has(o->error, "parsing header")
		             ? "answer headers over %d KiB, or malformed"
		             : "closed before an answer",
		         PROBE_MAX_HEADER_KIB);
		return;
	case PC_NO_SUBPROTOCOL:
		snprintf(out, len, "no subprotocol chosen");
		return;
	default:
		out[0] = '\0';
		return;
	}
}
