/*
 * demo_http.c: plain HTTP on the demo backend; see demo_server_int.h.
 *
 * A request gets one answer, built whole into the connection (status,
 * JSON body, a Location or Allow header) and written as headers now, body
 * when writeable. The API GETs serve the world's data in its HTTP form;
 * everything else is the FastAPI backend's 404. With the flavor's FastAPI
 * manners, a method other than GET on an API route is 405 with Allow (HEAD
 * included: FastAPI adds no HEAD to GET routes), a path that exists with
 * or without a trailing slash is redirected there with 307 (Starlette's
 * redirect_slashes), and answers carry Date and Server: uvicorn.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "wsdash/probe.h"
#include "demo_server_int.h"

void
dhttp_set_json(struct ds_conn *c, int status, cJSON *json)
{
	char *s = json ? cJSON_PrintUnformatted(json) : NULL;
	size_t n = s ? strlen(s) : 0;

	cJSON_Delete(json);
	free(c->body);
	c->body = malloc(LWS_PRE + n + 1);
	c->body_len = 0;
	if (c->body != NULL && s != NULL) {
		memcpy(c->body + LWS_PRE, s, n);
		c->body_len = n;
	}
	free(s);
	c->http_status = status;
}

void
dhttp_error(struct ds_conn *c, int status, const char *msg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "error", msg);
	dhttp_set_json(c, status, j);
}

/* FastAPI's error body: {"detail": "..."}. */
static void
http_detail(struct ds_conn *c, int status, const char *detail)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "detail", detail);
	dhttp_set_json(c, status, j);
}

int
dhttp_done(struct lws *wsi, struct ds_conn *c)
{
	if (c->close_after)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/*
 * Where a request's body ends is unknowable, or ambiguous: duplicate or
 * listed Content-Length values, or Content-Length with Transfer-Encoding
 * (the way requests are smuggled past proxies). Returns true if so.
 */
bool
dhttp_length_ambiguous(struct lws *wsi)
{
	char cl[64];

	if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, 1) > 0)
		return true;
	if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) >
	        0 &&
	    (strchr(cl, ',') != NULL ||
	     lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0))
		return true;
	return false;
}

/* One "name: value" header into *p. Nonzero if it does not fit. */
static int
http_header(struct lws *wsi, const char *name, const char *value,
            unsigned char **p, unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
	                                   (const unsigned char *)value,
	                                   (int)strlen(value), p, end);
}

/* Date and Server: uvicorn, as uvicorn sends them (FastAPI manners only). */
static int
http_server_headers(struct demo_server *srv, struct lws *wsi, unsigned char **p,
                    unsigned char *end)
{
	char date[64];
	time_t t = time(NULL);
	struct tm tm;

	if (!srv->fl->fastapi_http)
		return 0;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return http_header(wsi, "date:", date, p, end) ||
	       http_header(wsi, "server:", "uvicorn", p, end);
}

/* The standard phrase (Python's, which uvicorn sends, is the same). */
static const char *
http_phrase(unsigned code)
{
	const char *r = http_reason((int)code);

	return r[0] != '\0' ? r : "Internal Server Error";
}

/*
 * Status line, Content-Type (if type) and Content-Length, then Date and
 * Server with the FastAPI manners. lws's own status line would say
 * "HTTP/1.0" while an upgrade is being confirmed and "Redirect" for a 307;
 * uvicorn's says HTTP/1.1 and Python's phrase.
 */
int
dhttp_headers(struct demo_server *srv, struct lws *wsi, unsigned code,
              const char *type, size_t len, unsigned char **p,
              unsigned char *end)
{
	char line[64];
	int n;

	if (!srv->fl->fastapi_http)
		return lws_add_http_common_headers(wsi, code, type, len, p,
		                                   end);
	n = snprintf(line, sizeof(line), "HTTP/1.1 %u %s", code,
	             http_phrase(code));
	return lws_add_http_header_by_name(
	           wsi, NULL, (const unsigned char *)line, n, p, end) ||
	       (type != NULL &&
	        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
	                                     (const unsigned char *)type,
	                                     (int)strlen(type), p, end)) ||
	       lws_add_http_header_content_length(wsi, len, p, end) ||
	       http_server_headers(srv, wsi, p, end);
}

int
dhttp_respond(struct lws *wsi, struct ds_conn *c, bool head)
{
	unsigned char buf[LWS_PRE + 1024];
	unsigned char *start = buf + LWS_PRE, *p = start,
	              *end = buf + sizeof(buf) - 1;
	struct demo_server *srv = c->srv;
	/* a redirect has no body, hence no type */
	const char *type = c->http_status == 307 ? NULL : "application/json";

	if (dhttp_headers(srv, wsi, (unsigned)c->http_status, type, c->body_len,
	                  &p, end) ||
	    (!srv->fl->fastapi_http &&
	     http_header(wsi, "cache-control:", "no-store", &p, end)) ||
	    (c->location &&
	     http_header(wsi, "location:", c->location, &p, end)) ||
	    (c->allow && http_header(wsi, "allow:", c->allow, &p, end)) ||
	    (c->close_after &&
	     http_header(wsi, "connection:", "close", &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	free(c->location);
	c->location = NULL;
	c->allow = NULL;
	if (head || c->body_len == 0) {
		free(c->body);
		c->body = NULL;
		return dhttp_done(wsi, c);
	}
	lws_callback_on_writable(wsi);
	return 0;
}

/* The API GET of stream s: its data in the HTTP form. */
static void
http_api(struct demo_server *srv, struct ds_conn *c, int s)
{
	cJSON *j = demo_world_json(&srv->world, srv->fl->streams[s].data,
	                           DEMO_FORM_HTTP);

	if (j == NULL) {
		dhttp_error(c, 500, "out of memory");
		return;
	}
	dhttp_set_json(c, 200, j);
}

/*
 * Starlette's redirect_slashes: if uri, with its trailing slash added or
 * taken off, is an API route, answer 307 to it on the Host the client
 * named. Returns true if so.
 */
static bool
http_slash_redirect(struct demo_server *srv, struct lws *wsi, struct ds_conn *c,
                    const char *uri)
{
	char other[256], host[128];
	size_t n = strlen(uri);

	if (n == 0 || n + 2 > sizeof(other))
		return false;
	if (uri[n - 1] == '/')
		snprintf(other, sizeof(other), "%.*s", (int)(n - 1), uri);
	else
		snprintf(other, sizeof(other), "%s/", uri);
	if (demo_stream_find_api(srv->fl, other) < 0)
		return false;
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
		snprintf(host, sizeof(host), "%s:%d", srv->opts.bind,
		         srv->port);
	free(c->location);
	c->location = malloc(sizeof(host) + sizeof(other) + 8);
	if (c->location == NULL) {
		dhttp_error(c, 500, "out of memory");
		return true;
	}
	snprintf(c->location, sizeof(host) + sizeof(other) + 8, "http://%s%s",
	         host, other);
	free(c->body);
	c->body = NULL;
	c->body_len = 0;
	c->http_status = 307;
	return true;
}

/* Route one HTTP request (not an upgrade) and set c's response. */
static void
http_route(struct demo_server *srv, struct lws *wsi, struct ds_conn *c,
           const char *uri)
{
	bool fastapi = srv->fl->fastapi_http;
	int s;

	if (strncmp(uri, "/control/", 9) == 0) {
		dctl_handle(srv, wsi, c, uri + 9);
		return;
	}
	s = demo_stream_find_api(srv->fl, uri);
	if (s >= 0) {
		if (c->method == LWSHUMETH_GET ||
		    (c->method == LWSHUMETH_HEAD && !fastapi)) {
			http_api(srv, c, s);
		} else if (fastapi) {
			http_detail(c, 405, "Method Not Allowed");
			c->allow = "GET";
		} else {
			dhttp_error(c, 405, "Method Not Allowed");
		}
		return;
	}
	if (fastapi && http_slash_redirect(srv, wsi, c, uri))
		return;
	/* WebSocket paths without an upgrade, HEAD included, and everything
	 * else: 404, as the FastAPI backend answers. */
	http_detail(c, 404, "Not Found");
}

int
dhttp_request(struct demo_server *srv, struct lws *wsi, struct ds_conn *c)
{
	char *uri = NULL;
	char path[256];
	int ulen = 0;

	c->method = lws_http_get_uri_and_method(wsi, &uri, &ulen);
	if (c->method < 0 || uri == NULL || ulen <= 0) {
		dhttp_error(c, 400, "bad request");
		return dhttp_respond(wsi, c, false);
	}
	snprintf(path, sizeof(path), "%.*s", ulen, uri);
	http_route(srv, wsi, c, path);
	return dhttp_respond(wsi, c, c->method == LWSHUMETH_HEAD);
}
