/*
 * config.c: endpoint set and options from defaults, a JSON file and the
 * command line (see config.h for the file format). Every error names the
 * source, the key path and what is wrong, e.g.
 *   "wsdash.json: endpoints[2].poll_url: 'ftp://x' is not an http:// or
 *    https:// URL (unsupported scheme 'ftp' ...)".
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "wsdash/config.h"
#include "wsdash/sanitize.h"
#include "wsdash/strmap.h"

const char config_redacted[] = "<redacted>";

static void
headers_free(struct header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

static void
types_free(char **t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

static void
endpoint_free(struct endpoint_cfg *e)
{
	free(e->name);
	free(e->hello);
	types_free(e->types, e->ntypes);
	headers_free(e->headers, e->nheaders);
	memset(e, 0, sizeof(*e));
}

void
config_init(struct config *c, const char *backend_port)
{
	char err[128], url[64];
	long port = CONFIG_DEFAULT_PORT;

	memset(c, 0, sizeof(*c));
	if (backend_port != NULL && *backend_port != '\0') {
		char *end;
		long v = strtol(backend_port, &end, 10);

		if (*end == '\0' && v >= 1 && v <= 65535)
			port = v;
	}
	snprintf(url, sizeof(url), "http://localhost:%ld", port);
	url_parse(url, &c->server, err, sizeof(err));
	c->timeout_ms = 3000;
	c->poll_interval_ms = 3000;
	c->ping_interval_ms = 1000;
	c->ping_timeout_ms = 3000;
	c->retry_base_ms = 1000;
	c->ping = PING_PROTOCOL;
	c->max_message = 1024 * 1024;
}

void
config_free(struct config *c)
{
	config_clear_endpoints(c);
	headers_free(c->headers, c->nheaders);
	free(c->origin);
	free(c->subprotocol);
	free(c->cacert);
	free(c->hello);
	memset(c, 0, sizeof(*c));
}

void
config_clear_endpoints(struct config *c)
{
	for (size_t i = 0; i < c->neps; i++)
		endpoint_free(&c->eps[i]);
	free(c->eps);
	c->eps = NULL;
	c->neps = c->eps_cap = 0;
	strmap_free(&c->names);
	strmap_free(&c->name_next);
}

int
config_timeout(const struct config *c, const struct endpoint_cfg *e)
{
	return e->timeout_ms > 0 ? e->timeout_ms : c->timeout_ms;
}

/* RFC 7230 token characters. */
static bool
tchar(int ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static bool
header_set(struct header **h, size_t *n, const char *name, size_t nl,
           const char *value, char *err, size_t errlen)
{
	struct header *nh;

	if (nl == 0) {
		snprintf(err, errlen, "header name is empty");
		return false;
	}
	for (size_t i = 0; i < nl; i++)
		if (!tchar((unsigned char)name[i])) {
			snprintf(err, errlen, "bad character in header name");
			return false;
		}
	for (const char *p = value; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			snprintf(err, errlen,
			         "header '%.*s' has a control "
			         "character (CR/LF) in its value",
			         (int)(nl > 64 ? 64 : nl), name);
			return false;
		}
	for (size_t i = 0; i < *n; i++) {
		if (strlen((*h)[i].name) == nl &&
		    strncasecmp((*h)[i].name, name, nl) == 0) {
			free((*h)[i].value);
			(*h)[i].value = strdup(value);
			return true;
		}
	}
	if (*n >= CONFIG_MAX_HEADERS) {
		snprintf(err, errlen, "more than %d headers",
		         CONFIG_MAX_HEADERS);
		return false;
	}
	nh = realloc(*h, (*n + 1) * sizeof(**h));
	if (nh == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	*h = nh;
	nh[*n].name = strndup(name, nl);
	nh[*n].value = strdup(value);
	(*n)++;
	return true;
}

bool
config_add_header(struct header **h, size_t *n, const char *line, char *err,
                  size_t errlen)
{
	const char *colon = strchr(line, ':');
	const char *v;

	if (colon == NULL) {
		snprintf(err, errlen, "header must look like 'Name: value'");
		return false;
	}
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	return header_set(h, n, line, (size_t)(colon - line), v, err, errlen);
}

bool
config_set_server(struct config *c, const char *url, char *err, size_t errlen)
{
	struct url u;
	char why[160], shown[256];

	url_redact(url, shown, sizeof(shown));
	if (!url_parse(url, &u, why, sizeof(why))) {
		snprintf(err, errlen, "'%.60s' is not a valid URL (%.120s)",
		         shown, why);
		return false;
	}
	if (u.scheme != URL_HTTP && u.scheme != URL_HTTPS) {
		snprintf(err, errlen,
		         "'%.200s' is not an http:// or https:// URL", shown);
		return false;
	}
	c->server = u;
	c->server_set = true;
	return true;
}

void
config_server_prefix(const struct config *c, char *out, size_t len)
{
	size_t n = strcspn(c->server.path, "?");

	while (n > 0 && c->server.path[n - 1] == '/')
		n--;
	snprintf(out, len, "%.*s", (int)n, c->server.path);
}

/*
 * Resolve an endpoint or poll URL: absolute (scheme must fit) or a path
 * relative to the server.
 */
static bool
resolve_url(const struct config *c, const char *s, bool websocket,
            struct url *out, char *err, size_t errlen)
{
	char why[160], prefix[URL_PATH_MAX], path[URL_PATH_MAX + 8], shown[256];

	if (s[0] == '/') {
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
				snprintf(err, errlen,
				         "'%.200s' contains a "
				         "space or control "
				         "character",
				         s);
				return false;
			}
		config_server_prefix(c, prefix, sizeof(prefix));
		if (snprintf(path, sizeof(path), "%s%s", prefix, s) >=
		        (int)URL_PATH_MAX ||
		    !url_with(&c->server, websocket, path, out)) {
			snprintf(err, errlen, "path too long");
			return false;
		}
		return true;
	}
	url_redact(s, shown, sizeof(shown));
	if (!url_parse(s, out, why, sizeof(why))) {
		snprintf(err, errlen, "'%.200s' is not a valid URL (%s)", shown,
		         why);
		return false;
	}
	if (websocket && out->scheme != URL_WS && out->scheme != URL_WSS) {
		snprintf(err, errlen, "'%.200s' is not a ws:// or wss:// URL%s",
		         shown,
		         out->scheme == URL_HTTP ? " (did you mean ws://...?)"
		         : out->scheme == URL_HTTPS
		             ? " (did you mean wss://...?)"
		             : "");
		return false;
	}
	if (!websocket && out->scheme != URL_HTTP && out->scheme != URL_HTTPS) {
		snprintf(err, errlen,
		         "'%.200s' is not an http:// or https:// URL", shown);
		return false;
	}
	return true;
}

/*
 * /P/ws/NAME (the last "/ws/" in the path) is polled at /P/api/NAME, or
 * /P/NAME if that one does not answer; other paths are not polled.
 */
static void
default_poll(struct endpoint_cfg *e)
{
	char path[URL_PATH_MAX + 8];
	const char *p = e->ws.path, *hit = NULL;
	int pre;

	while ((p = strstr(p, "/ws/")) != NULL)
		hit = p++;
	e->has_poll = e->has_poll_alt = false;
	if (hit == NULL)
		return;
	pre = (int)(hit - e->ws.path);
	snprintf(path, sizeof(path), "%.*s/api/%s", pre, e->ws.path, hit + 4);
	e->has_poll = url_with(&e->ws, false, path, &e->poll);
	snprintf(path, sizeof(path), "%.*s/%s", pre, e->ws.path, hit + 4);
	e->has_poll_alt =
	    e->has_poll && url_with(&e->ws, false, path, &e->poll_alt);
}

static bool
name_taken(const struct config *c, const char *name)
{
	return strmap_get(&c->names, name) != NULL;
}

/* e is called name (a copy), and the name is taken. */
static bool
name_set(struct config *c, struct endpoint_cfg *e, const char *name)
{
	e->name = strdup(name);
	return e->name != NULL && strmap_put(&c->names, name, 1);
}

/*
 * Name from the last path segment, made unique with "#2", "#3"... Each
 * segment remembers the next number to try, so 10,000 endpoints ending in
 * the same segment cost 10,000 steps, not 10,000 squared.
 */
static bool
derive_name(struct config *c, struct endpoint_cfg *e, const struct url *u)
{
	char seg[CONFIG_NAME_MAX], cand[CONFIG_NAME_MAX + 8];
	size_t n = strcspn(u->path, "?");
	const char *end, *start;

	while (n > 1 && u->path[n - 1] == '/')
		n--;
	end = u->path + n;
	start = end;
	while (start > u->path && start[-1] != '/')
		start--;
	/* a path may hold any byte: the name is shown, so it is sanitized */
	if (end == start)
		sanitize_text(seg, sizeof(seg) - 8, u->host, strlen(u->host),
		              true);
	else
		sanitize_text(seg, sizeof(seg) - 8, start,
		              (size_t)(end - start), true);
	snprintf(cand, sizeof(cand), "%s", seg);
	if (name_taken(c, cand)) {
		int *next = strmap_get(&c->name_next, seg);
		int i = next ? *next : 2;

		do
			snprintf(cand, sizeof(cand), "%s#%d", seg, i++);
		while (name_taken(c, cand));
		if (!strmap_put(&c->name_next, seg, i))
			return false;
	}
	return name_set(c, e, cand);
}

static struct endpoint_cfg *
endpoint_new(struct config *c)
{
	struct endpoint_cfg *eps;

	if (c->neps >= CONFIG_MAX_ENDPOINTS)
		return NULL;
	if (c->neps == c->eps_cap) { /* doubling: 10,000 adds, not n^2 */
		size_t ncap = c->eps_cap ? c->eps_cap * 2 : 8;

		eps = realloc(c->eps, ncap * sizeof(*eps));
		if (eps == NULL)
			return NULL;
		c->eps = eps;
		c->eps_cap = ncap;
	}
	eps = c->eps;
	memset(&eps[c->neps], 0, sizeof(eps[0]));
	eps[c->neps].required = true;
	return &eps[c->neps++];
}

bool
config_add_url(struct config *c, const char *url, char *err, size_t errlen)
{
	struct endpoint_cfg *e;
	struct url u;

	if (!resolve_url(c, url, true, &u, err, errlen))
		return false;
	e = endpoint_new(c);
	if (e == NULL) {
		snprintf(err, errlen, "too many endpoints (at most %d)",
		         CONFIG_MAX_ENDPOINTS);
		return false;
	}
	e->ws = u;
	if (!derive_name(c, e, &u)) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	default_poll(e);
	return true;
}

/* Copy n type names into e (replacing any). */
static bool
types_set(struct endpoint_cfg *e, const char *const *types, size_t n)
{
	char **t = n ? calloc(n, sizeof(*t)) : NULL;

	if (n && t == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((t[i] = strdup(types[i])) == NULL) {
			types_free(t, i);
			return false;
		}
	types_free(e->types, e->ntypes);
	e->types = t;
	e->ntypes = n;
	return true;
}

bool
config_own_type(const struct endpoint_cfg *e, const char *type)
{
	if (e->ntypes == 0)
		return true;
	for (size_t i = 0; i < e->ntypes; i++)
		if (strcmp(e->types[i], type) == 0)
			return true;
	return false;
}

struct endpoint_cfg *
config_add_endpoint(struct config *c, const char *name, const char *path,
                    const char *poll, const char *const *types, size_t ntypes,
                    char *err, size_t errlen)
{
	struct endpoint_cfg *e;
	struct url u, pu;

	if (!resolve_url(c, path, true, &u, err, errlen))
		return NULL;
	if (poll != NULL && poll[0] != '\0' &&
	    !resolve_url(c, poll, false, &pu, err, errlen))
		return NULL;
	if (name_taken(c, name)) {
		snprintf(err, errlen, "duplicate name '%s'", name);
		return NULL;
	}
	e = endpoint_new(c);
	if (e == NULL || !name_set(c, e, name) ||
	    !types_set(e, types, ntypes)) {
		snprintf(err, errlen, "out of memory or too many endpoints");
		return NULL;
	}
	e->ws = u;
	if (poll == NULL) {
		default_poll(e);
	} else if (poll[0] != '\0') {
		e->poll = pu;
		e->has_poll = true;
	}
	return e;
}

/* ---- the JSON file ------------------------------------------------------ */

struct loader {
	struct config *c;
	const char *fname;
	char *err;
	size_t errlen;
};

static bool ld_fail(struct loader *l, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
ld_fail(struct loader *l, const char *where, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s: %s%s%s", l->fname, where,
	         *where ? ": " : "", msg);
	return false;
}

/* Reject keys of obj not in allowed (NULL-terminated). */
static bool
ld_keys(struct loader *l, const cJSON *obj, const char *where,
        const char *const *allowed)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj)
	{
		/* "//" keys are comments (JSON has none of its own) */
		bool ok = strncmp(it->string, "//", 2) == 0;

		for (const char *const *a = allowed; *a; a++)
			if (strcmp(it->string, *a) == 0)
				ok = true;
		if (!ok) {
			char list[256] = "";

			for (const char *const *a = allowed; *a; a++) {
				strncat(list, *a,
				        sizeof(list) - strlen(list) - 3);
				if (a[1])
					strncat(list, ", ",
					        sizeof(list) - strlen(list) -
					            1);
			}
			return ld_fail(l, where,
			               "unknown key '%.64s' (known: %s)",
			               it->string, list);
		}
	}
	return true;
}

static bool
ld_int(struct loader *l, const cJSON *obj, const char *key, const char *where,
       long lo, long hi, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char w[160];

	if (v == NULL)
		return true;
	snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", key);
	/* compare as doubles: casting 1e300 to an integer is undefined */
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    floor(v->valuedouble) != v->valuedouble)
		return ld_fail(l, w, "expected a whole number");
	if (v->valuedouble < (double)lo || v->valuedouble > (double)hi)
		return ld_fail(l, w, "%g is out of range (%ld to %ld)",
		               v->valuedouble, lo, hi);
	*out = (int)v->valuedouble;
	return true;
}

static bool
ld_str(struct loader *l, const cJSON *obj, const char *key, const char *where,
       char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char w[160];

	if (v == NULL)
		return true;
	snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", key);
	if (!cJSON_IsString(v))
		return ld_fail(l, w, "expected a string");
	for (const char *p = v->valuestring; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return ld_fail(l, w, "contains a control character");
	free(*out);
	*out = strdup(v->valuestring);
	return true;
}

static bool
ld_bool(struct loader *l, const cJSON *obj, const char *key, const char *where,
        bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char w[160];

	if (v == NULL)
		return true;
	snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", key);
	if (!cJSON_IsBool(v))
		return ld_fail(l, w, "expected true or false");
	*out = cJSON_IsTrue(v);
	return true;
}

static bool
ld_headers(struct loader *l, const cJSON *obj, const char *where,
           struct header **h, size_t *n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "headers"), *it;
	char w[160], why[160];

	if (v == NULL)
		return true;
	snprintf(w, sizeof(w), "%s%sheaders", where, *where ? "." : "");
	if (!cJSON_IsObject(v))
		return ld_fail(l, w,
		               "expected an object of \"Name\": "
		               "\"value\" pairs");
	cJSON_ArrayForEach(it, v)
	{
		char hw[240];

		snprintf(hw, sizeof(hw), "%s.%.64s", w, it->string);
		if (!cJSON_IsString(it))
			return ld_fail(l, hw, "expected a string value");
		if (!header_set(h, n, it->string, strlen(it->string),
		                it->valuestring, why, sizeof(why)))
			return ld_fail(l, hw, "%s", why);
	}
	return true;
}

/* hello: any JSON value is sent as its text; a string is sent as is. */
static bool
ld_hello(struct loader *l, const cJSON *obj, const char *where, char **out,
         bool *set)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "hello");

	if (v == NULL)
		return true;
	free(*out);
	*out = NULL;
	*set = true;
	if (cJSON_IsNull(v))
		return true;
	*out = cJSON_IsString(v) ? strdup(v->valuestring)
	                         : cJSON_PrintUnformatted(v);
	if (*out == NULL)
		return ld_fail(l, where, "hello: out of memory");
	return true;
}

static bool
ld_defaults(struct loader *l, const cJSON *d)
{
	static const char *const keys[] = {"timeout_ms",
	                                   "headers",
	                                   "origin",
	                                   "subprotocol",
	                                   "cacert",
	                                   "insecure",
	                                   "poll_interval_ms",
	                                   "ping_interval_ms",
	                                   "ping_timeout_ms",
	                                   "ping",
	                                   "hello",
	                                   "max_message",
	                                   "retry_base_ms",
	                                   "max_silence_ms",
	                                   NULL};
	struct config *c = l->c;
	const cJSON *ping;
	int maxmsg = (int)c->max_message;

	if (!cJSON_IsObject(d))
		return ld_fail(l, "defaults", "expected an object");
	if (!ld_keys(l, d, "defaults", keys) ||
	    !ld_int(l, d, "timeout_ms", "defaults", 1, 600000,
	            &c->timeout_ms) ||
	    !ld_headers(l, d, "defaults", &c->headers, &c->nheaders) ||
	    !ld_str(l, d, "origin", "defaults", &c->origin) ||
	    !ld_str(l, d, "subprotocol", "defaults", &c->subprotocol) ||
	    !ld_str(l, d, "cacert", "defaults", &c->cacert) ||
	    !ld_bool(l, d, "insecure", "defaults", &c->insecure) ||
	    !ld_int(l, d, "poll_interval_ms", "defaults", 100, 3600000,
	            &c->poll_interval_ms) ||
	    !ld_int(l, d, "ping_interval_ms", "defaults", 100, 600000,
	            &c->ping_interval_ms) ||
	    !ld_int(l, d, "ping_timeout_ms", "defaults", 100, 600000,
	            &c->ping_timeout_ms) ||
	    !ld_int(l, d, "max_message", "defaults", 1024, 64 * 1024 * 1024,
	            &maxmsg) ||
	    !ld_int(l, d, "retry_base_ms", "defaults", 1, 60000,
	            &c->retry_base_ms) ||
	    !ld_int(l, d, "max_silence_ms", "defaults", 0, 86400000,
	            &c->max_silence_ms) ||
	    !ld_hello(l, d, "defaults", &c->hello, &c->hello_set))
		return false;
	c->max_message = (size_t)maxmsg;
	ping = cJSON_GetObjectItemCaseSensitive(d, "ping");
	if (ping != NULL) {
		if (cJSON_IsString(ping) &&
		    strcmp(ping->valuestring, "protocol") == 0)
			c->ping = PING_PROTOCOL;
		else if (cJSON_IsString(ping) &&
		         strcmp(ping->valuestring, "json") == 0)
			c->ping = PING_JSON;
		else
			return ld_fail(l, "defaults.ping",
			               "expected \"protocol\" or \"json\"");
	}
	return true;
}

/* "types": the endpoint's own message types, an array of strings. */
static bool
ld_types(struct loader *l, const cJSON *o, const char *where,
         struct endpoint_cfg *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "types"), *it;
	const char *list[CONFIG_MAX_TYPES];
	size_t n = 0;
	char w[96];

	if (v == NULL)
		return true;
	snprintf(w, sizeof(w), "%s.types", where);
	if (!cJSON_IsArray(v))
		return ld_fail(l, w, "expected an array of message types");
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it) || it->valuestring[0] == '\0' ||
		    !sanitize_is_clean(it->valuestring,
		                       strlen(it->valuestring)))
			return ld_fail(l, w,
			               "expected non-empty strings of "
			               "printable text");
		if (n == CONFIG_MAX_TYPES)
			return ld_fail(l, w, "more than %d types",
			               CONFIG_MAX_TYPES);
		list[n++] = it->valuestring;
	}
	if (!types_set(e, list, n))
		return ld_fail(l, w, "out of memory");
	return true;
}

static bool
ld_endpoint(struct loader *l, const cJSON *o, size_t idx)
{
	static const char *const keys[] = {
	    "name",  "url",        "poll_url", "required",       "headers",
	    "hello", "timeout_ms", "types",    "max_silence_ms", NULL};
	struct config *c = l->c;
	struct endpoint_cfg *e;
	const cJSON *url, *poll, *name;
	char where[48], w[80], why[320];

	snprintf(where, sizeof(where), "endpoints[%zu]", idx);
	if (!cJSON_IsObject(o))
		return ld_fail(l, where, "expected an object");
	if (!ld_keys(l, o, where, keys))
		return false;
	url = cJSON_GetObjectItemCaseSensitive(o, "url");
	snprintf(w, sizeof(w), "%s.url", where);
	if (url == NULL)
		return ld_fail(l, w, "missing (every endpoint needs a url)");
	if (!cJSON_IsString(url))
		return ld_fail(l, w, "expected a string");
	e = endpoint_new(c);
	if (e == NULL)
		return ld_fail(l, "endpoints",
		               "too many endpoints (at most %d)",
		               CONFIG_MAX_ENDPOINTS);
	if (!resolve_url(c, url->valuestring, true, &e->ws, why, sizeof(why)))
		return ld_fail(l, w, "%s", why);

	name = cJSON_GetObjectItemCaseSensitive(o, "name");
	snprintf(w, sizeof(w), "%s.name", where);
	if (name != NULL) {
		size_t n;

		if (!cJSON_IsString(name))
			return ld_fail(l, w, "expected a string");
		n = strlen(name->valuestring);
		if (n == 0 || n >= CONFIG_NAME_MAX)
			return ld_fail(l, w, "must be 1 to %d characters",
			               CONFIG_NAME_MAX - 1);
		/* names reach terminals, JSON and the dashboard as they are */
		if (!sanitize_is_clean(name->valuestring, n))
			return ld_fail(l, w,
			               "contains a control, bidi or invalid "
			               "UTF-8 character");
		if (name_taken(c, name->valuestring))
			return ld_fail(l, w, "duplicate name '%s'",
			               name->valuestring);
		if (!name_set(c, e, name->valuestring))
			return ld_fail(l, w, "out of memory");
	} else if (!derive_name(c, e, &e->ws)) {
		return ld_fail(l, w, "out of memory");
	}

	poll = cJSON_GetObjectItemCaseSensitive(o, "poll_url");
	snprintf(w, sizeof(w), "%s.poll_url", where);
	if (poll == NULL) {
		default_poll(e);
	} else if (cJSON_IsNull(poll)) {
		e->has_poll = false;
	} else if (!cJSON_IsString(poll)) {
		return ld_fail(l, w, "expected a string or null");
	} else {
		if (!resolve_url(c, poll->valuestring, false, &e->poll, why,
		                 sizeof(why)))
			return ld_fail(l, w, "%s", why);
		e->has_poll = true;
	}
	return ld_bool(l, o, "required", where, &e->required) &&
	       ld_headers(l, o, where, &e->headers, &e->nheaders) &&
	       ld_hello(l, o, where, &e->hello, &e->hello_set) &&
	       ld_int(l, o, "timeout_ms", where, 1, 600000, &e->timeout_ms) &&
	       ld_int(l, o, "max_silence_ms", where, 0, 86400000,
	              &e->max_silence_ms) &&
	       ld_types(l, o, where, e);
}

/* "line L, column C" of offset off in text. */
static void
text_position(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

bool
config_load_json(struct config *c, const char *text, size_t len,
                 const char *fname, char *err, size_t errlen)
{
	static const char *const keys[] = {"server", "defaults", "endpoints",
	                                   NULL};
	struct loader l = {c, fname, err, errlen};
	const char *end = NULL;
	cJSON *root, *v, *it;
	bool ok = false;
	size_t i = 0;
	char why[256];

	if (len > CONFIG_MAX_FILE)
		return ld_fail(&l, "", "file is larger than %d bytes",
		               CONFIG_MAX_FILE);
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		int line, col;
		size_t off = end && end >= text && end <= text + len
		                 ? (size_t)(end - text)
		                 : 0;

		text_position(text, off, &line, &col);
		snprintf(err, errlen, "%s:%d:%d: invalid JSON", fname, line,
		         col);
		return false;
	}
	if (!cJSON_IsObject(root)) {
		ld_fail(&l, "", "expected a JSON object at the top level");
		goto out;
	}
	if (!ld_keys(&l, root, "", keys))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(root, "server");
	if (v != NULL) {
		if (!cJSON_IsString(v)) {
			ld_fail(&l, "server", "expected a string");
			goto out;
		}
		if (!c->server_locked &&
		    !config_set_server(c, v->valuestring, why, sizeof(why))) {
			ld_fail(&l, "server", "%s", why);
			goto out;
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "defaults");
	if (v != NULL && !ld_defaults(&l, v))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
	if (v != NULL) {
		if (!cJSON_IsArray(v)) {
			ld_fail(&l, "endpoints", "expected an array");
			goto out;
		}
		if (cJSON_GetArraySize(v) == 0) {
			ld_fail(&l, "endpoints",
			        "empty: list at least one endpoint, or leave "
			        "the key out for the default set");
			goto out;
		}
		cJSON_ArrayForEach(it, v)
		{
			if (!ld_endpoint(&l, it, i++))
				goto out;
		}
	}
	ok = true;
out:
	cJSON_Delete(root);
	return ok;
}

bool
config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	bool ok;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	buf = malloc(CONFIG_MAX_FILE + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return false;
	}
	n = fread(buf, 1, CONFIG_MAX_FILE + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path,
		         strerror(errno));
		fclose(f);
		free(buf);
		return false;
	}
	fclose(f);
	ok = config_load_json(c, buf, n, path, err, errlen);
	free(buf);
	return ok;
}
