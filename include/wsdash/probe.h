/*
 * probe: what a WebSocket handshake attempt observed, and what it means.
 *
 * The transport fills a struct probe_obs with raw observations (status line,
 * lws's error text, the TLS verify error, whether TCP connected before a
 * timeout, a follow-up GET). probe_classify() turns that into the class a
 * user sees; probe_detail() writes the sentence that helps them act. Pure,
 * so every class is tested without a network.
 */
#ifndef WSDASH_PROBE_H
#define WSDASH_PROBE_H

#include <stdbool.h>
#include <stddef.h>

enum probe_result { PROBE_OK, PROBE_REACHABLE, PROBE_FAIL };

/* Header bytes an answer may carry (net.h's NET_MAX_HEADER_BYTES). */
#define PROBE_MAX_HEADER_KIB 32

enum probe_class {
	PC_UPGRADED,         /* 101, accept verified */
	PC_UPGRADE_REQUIRED, /* 426: path exists, upgrade refused */
	PC_BAD_REQUEST,      /* 400 */
	PC_UNAUTHORIZED,     /* 401 */
	PC_FORBIDDEN,        /* 403 */
	PC_NOT_FOUND,        /* 404 */
	PC_REDIRECT,         /* 3xx, not followed */
	PC_HTTP_ERROR,       /* any other non-101 status */
	PC_SERVER_ERROR,     /* 5xx */
	PC_BAD_ACCEPT,       /* 101 with a wrong accept or bad headers */
	PC_REFUSED,          /* connection refused */
	PC_TIMEOUT,          /* no connection or no answer in time */
	PC_DNS,              /* name did not resolve */
	PC_TLS,              /* TLS failed (reason in the detail) */
	PC_CLOSED,           /* closed, or garbage, before a valid answer */
	PC_NO_SUBPROTOCOL,   /* 101, but none of the subprotocols asked for */
	PC_COUNT
};

enum probe_outcome {
	PO_PENDING,
	PO_UPGRADED,   /* the handshake completed */
	PO_CONN_ERROR, /* lws reported a connection error (text in error) */
	PO_CLOSED,     /* closed with no error and no answer */
	PO_TIMEOUT,    /* our deadline passed first */
	PO_DNS,        /* resolution failed (text in error) */
};

struct probe_obs {
	enum probe_outcome outcome;
	int http_status;     /* status line of the answer, 0 if none */
	char error[128];     /* lws's error text / resolver error */
	int tls_error;       /* X509 verify error, 0 if none */
	char tls_reason[96]; /* X509_verify_cert_error_string() */
	bool tls;            /* the URL was wss:// */
	bool tcp_connected;  /* (timeouts) TCP was up when time ran out */
	int timeout_ms;
	char location[256];     /* Location: of a redirect (sanitized) */
	char server[64];        /* Server: header of the answer (sanitized) */
	bool via;               /* a Via: header was present */
	char subprotocol[64];   /* accepted subprotocol (sanitized) */
	int get_status;         /* follow-up plain GET: status, 0 not done,
	                           -1 no answer */
	int head_status;        /* --also-head: status, 0 not done, -1 none */
	double elapsed_ms;      /* start to outcome */
	bool asked_subprotocol; /* the upgrade named a Sec-WebSocket-Protocol */
};

/* The class of an observation (obs->outcome must not be PO_PENDING). */
enum probe_class probe_classify(const struct probe_obs *obs);

/* ok / reachable / fail for a class. */
enum probe_result probe_result_of(enum probe_class c);

/* "upgraded", "not_found", ... and "ok", "reachable", "fail". */
const char *probe_class_name(enum probe_class c);
const char *probe_result_name(enum probe_result r);

/* Whether a plain GET of the same URL would tell causes apart. */
bool probe_wants_get(const struct probe_obs *obs);

/*
 * One sentence for a person: what happened and what to try. hostport names
 * the server ("localhost:8000"); insecure marks skipped TLS verification.
 */
void probe_detail(const struct probe_obs *obs, enum probe_class c,
                  const char *hostport, bool insecure, char *out, size_t len);

/*
 * A few words for a state line: "connection refused", "no answer in 3000
 * ms", "TLS: self-signed certificate", "cannot resolve 'h'"... For answers
 * with a status the status says it, so this is "" then.
 */
void probe_brief(const struct probe_obs *obs, enum probe_class c, char *out,
                 size_t len);

/* Reason phrase of an HTTP status ("Not Found"), "" if unknown. */

const char *http_reason(int status);

#endif
