/*
 * config: the endpoint set and connection options shared by `check` and
 * `watch`, from three sources in rising precedence: built-in defaults, a
 * JSON file (--config), and the command line. Pure: the file is read into
 * memory by config_load_file() and everything else works on text.
 *
 * File format (every key optional except endpoints[].url):
 *
 *   {
 *     "server": "http://localhost:8000",
 *     "defaults": {
 *       "timeout_ms": 3000, "headers": {"Authorization": "Bearer ..."},
 *       "origin": "http://localhost:3000", "subprotocol": "v1",
 *       "cacert": "ca.pem", "insecure": false,
 *       "poll_interval_ms": 3000, "ping_interval_ms": 1000,
 *       "ping_timeout_ms": 3000, "ping": "protocol" | "json",
 *       "retry_base_ms": 1000,

 *       "hello": {"type": "client_ready"} | null,
 *       "max_message": 1048576, "max_silence_ms": 0
 *     },
 *     "endpoints": [
 *       {"name": "workflows", "url": "/ws/workflows",
 *        "poll_url": "/api/workflows" | null, "required": true,
 *        "headers": {...}, "hello": {...} | null, "timeout_ms": 3000,
 *        "types": ["workflows_update"], "max_silence_ms": 60000}
 *     ]
 *   }
 *
 * URLs starting with '/' are relative to "server". Without "poll_url", a
 * /P/ws/NAME endpoint polls /P/api/NAME or /P/NAME on the same server
 * (whichever answers); null turns polling off. "types" lists the
 * endpoint's own message types: others arriving on its socket are counted
 * as other traffic. Unknown keys are errors (a typo should not silently do
 * nothing); keys starting with "//" are comments.
 */
#ifndef WSDASH_CONFIG_H
#define WSDASH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "wsdash/strmap.h"
#include "wsdash/url.h"

#define CONFIG_MAX_FILE      (1024 * 1024) /* bytes of JSON */
#define CONFIG_MAX_ENDPOINTS 10000
#define CONFIG_MAX_HEADERS   64
#define CONFIG_NAME_MAX      64
#define CONFIG_MAX_TYPES     32 /* own message types per endpoint */
#define CONFIG_DEFAULT_PORT  8000

struct header {
	char *name;
	char *value; /* secret: never printed (see config_redacted) */
};

enum ping_mode { PING_PROTOCOL, PING_JSON };

struct endpoint_cfg {
	char *name;
	struct url ws;   /* the ws:// or wss:// URL */
	bool has_poll;   /* false: no polling fallback */
	struct url poll; /* http(s) URL polled while in fallback */
	/*
	 * Without a configured poll_url, /P/ws/NAME may be polled at
	 * /P/api/NAME (poll) or /P/NAME (poll_alt): the first that answers
	 * 2xx is used from then on.
	 */
	bool has_poll_alt;
	struct url poll_alt;
	char **types; /* its own message types; NULL: every message is */
	size_t ntypes;
	int max_silence_ms; /* 0: config's */
	bool required;
	int timeout_ms;         /* 0: use config.timeout_ms */
	char *hello;            /* JSON text sent on connect, or NULL */
	bool hello_set;         /* hello given for this endpoint (even null) */
	struct header *headers; /* endpoint-specific, on top of defaults */
	size_t nheaders;
};

struct config {
	struct url server;   /* base for the default set and relative URLs */
	struct strmap names; /* endpoint names taken */
	struct strmap name_next; /* derived names: next "#N" per segment */
	bool server_set;
	bool server_locked; /* set on the command line: the file's is ignored */
	struct endpoint_cfg *eps;
	size_t neps, eps_cap;
	struct header *headers; /* sent to every endpoint */
	size_t nheaders;
	int timeout_ms;
	char *origin;
	char *subprotocol;
	char *cacert;
	bool insecure;
	int poll_interval_ms;
	int ping_interval_ms;
	int ping_timeout_ms;
	int retry_base_ms;  /* first WebSocket retry delay (backoff base) */
	int max_silence_ms; /* open stream, no message this long: silent (0 off)
	                     */
	bool default_set;   /* no endpoints given: the command adds the set */
	char layout[96];    /* the default set's layout, and why ("" if none) */
	enum ping_mode ping;
	char *hello; /* default hello for the default set */
	bool hello_set;
	size_t max_message;
};

/*
 * Defaults: server http://localhost:$BACKEND_PORT (8000 when unset or bad;
 * backend_port is the variable's value or NULL), timeout 3000 ms, poll
 * 3000 ms, ping 1000/3000 ms protocol, max message 1 MiB, no endpoints.
 */
void config_init(struct config *c, const char *backend_port);

/* Free everything c owns; c can be config_init()ed again. */
void config_free(struct config *c);

/*
 * Apply a JSON config document (text, len bytes) on top of c. fname names
 * the source in errors: "FILE: endpoints[1].url: ...". On error c may hold
 * part of the file; callers exit.
 */
bool config_load_json(struct config *c, const char *text, size_t len,
                      const char *fname, char *err, size_t errlen);

/* Read path (at most CONFIG_MAX_FILE bytes) and config_load_json() it. */
bool config_load_file(struct config *c, const char *path, char *err,
                      size_t errlen);

/* Set the base server from an http(s):// URL. */
bool config_set_server(struct config *c, const char *url, char *err,
                       size_t errlen);

/*
 * Add an endpoint from a ws:// or wss:// URL given on the command line:
 * required, named after its last path segment (unique), polling /api/NAME
 * if its path is /ws/NAME.
 */
bool config_add_url(struct config *c, const char *url, char *err,
                    size_t errlen);

/*
 * Add endpoint name at path (relative to c->server, or absolute). poll:
 * NULL to derive the poll URL from the path (/P/ws/NAME: /P/api/NAME, else
 * /P/NAME), "" for none, else a path or URL. types: its own message types
 * (ntypes of them, copied). The endpoint is required. Returns it, or NULL
 * with a reason in err.
 */
struct endpoint_cfg *config_add_endpoint(struct config *c, const char *name,
                                         const char *path, const char *poll,
                                         const char *const *types,
                                         size_t ntypes, char *err,
                                         size_t errlen);

/* Whether type is one of e's own message types (or e has no list). */
bool config_own_type(const struct endpoint_cfg *e, const char *type);

/* The server's path prefix without a trailing '/' ("/api/v1", or ""). */
void config_server_prefix(const struct config *c, char *out, size_t len);

/* Drop all endpoints (command-line endpoints replace the file's). */
void config_clear_endpoints(struct config *c);

/*
 * Parse "Name: value" into (*h, *n), replacing a header of the same name
 * (case-insensitive). Rejects empty names, bad characters and CR/LF.
 */
bool config_add_header(struct header **h, size_t *n, const char *line,
                       char *err, size_t errlen);

/* Effective timeout of endpoint e (its own, or c's). */
int config_timeout(const struct config *c, const struct endpoint_cfg *e);

/* The value shown wherever a header value would be: "<redacted>". */
extern const char config_redacted[];

#endif
