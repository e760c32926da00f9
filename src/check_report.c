/*
 * check_report.c: verdicts, exit code and the two output formats of `wsdash
 * check`. Everything shown that came from the network was sanitized by the
 * transport when it was stored; names and URLs were validated by config.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wsdash/check.h"
#include "wsdash/sanitize.h"

#define C_RESET  "\033[0m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED    "\033[31m"
#define C_DIM    "\033[2m"
#define C_BOLD   "\033[1m"

void
check_finish_row(struct check_row *r, bool strict, bool insecure)
{
	char hp[URL_HOST_MAX + 16];

	r->cls = probe_classify(&r->obs);
	r->res = probe_result_of(r->cls);
	r->pass = r->res == PROBE_OK || (r->res == PROBE_REACHABLE && !strict);
	url_hostport(&r->ep->ws, hp, sizeof(hp));
	probe_detail(&r->obs, r->cls, hp, insecure, r->detail,
	             sizeof(r->detail));
}

int
check_exit_code(const struct check_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].ep->required && !rows[i].pass)
			return 1;
	return 0;
}

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt,
		              ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = (b->cap + (size_t)n + 1) * 2;
		char *p = realloc(b->s, ncap);

		if (p == NULL)
			return;
		b->s = p;
		b->cap = ncap;
	}
}

/* Append s padded with spaces to width columns. */
static void
sb_pad(struct sbuf *b, const char *s, int width)
{
	sb_printf(b, "%s%*s", s,
	          width - text_cols(s) > 0 ? width - text_cols(s) : 0, "");
}

/* The detail's prefix and the detail itself, as shown. */
static void
row_detail(const struct check_row *r, char *out, size_t len)
{
	snprintf(out, len, "%s%s", r->ep->required ? "" : "(optional) ",
	         r->detail);
}

/* Columns of a row without its detail. */
static int
row_cols(int wname, int wurl, int wclass, bool also_head)
{
	return 2 + wname + 2 + wurl + 2 + 3 + 2 + wclass + 1 + 8 +
	       (also_head ? 10 : 0);
}

char *
check_report_text(const struct check_row *rows, size_t n,
                  const struct check_style *st, double total_ms)
{
	struct sbuf b = {0}, sum = {0};
	int wname = 4, wurl = 3, wclass = 4;
	bool wrap = false;
	size_t up = 0, reach = 0, failed = 0, req_failed = 0, opt_failed = 0;
	char url[URL_HOST_MAX + URL_PATH_MAX + 32],
	    detail[sizeof(rows->detail) + 16];

	for (size_t i = 0; i < n; i++) {
		int w = text_cols(rows[i].ep->name);
		int wc = (int)strlen(probe_class_name(rows[i].cls));

		url_format(&rows[i].ep->ws, url, sizeof(url));
		if (w > wname)
			wname = w;
		if (text_cols(url) > wurl)
			wurl = text_cols(url);
		if (wc > wclass)
			wclass = wc;
	}
	if (wurl > 60)
		wurl = 60;
	if (st->width > 0) {
		int fixed = row_cols(wname, wurl, wclass, st->also_head);

		for (size_t i = 0; i < n && !wrap; i++) {
			row_detail(&rows[i], detail, sizeof(detail));
			wrap = fixed + 2 + text_cols(detail) > st->width;
		}
		/*
		 * Still too wide: shorten URLs (down to 20 columns) and names
		 * (down to 8), whichever has more to spare, a column at a
		 * time; below that the terminal wraps what is left.
		 */
		for (int over = fixed - st->width; wrap && over > 0; over--) {
			if (wurl > 20 && wurl - 20 >= wname - 8)
				wurl--;
			else if (wname > 8)
				wname--;
			else
				break;
		}
	}

	for (size_t i = 0; i < n; i++) {
		const struct check_row *r = &rows[i];
		const char *sym, *color;
		char status[16], ms[24], head[24],
		    cut[URL_HOST_MAX + URL_PATH_MAX + 32];

		if (r->res == PROBE_OK) {
			sym = st->utf8 ? "\u2713" : "+";
			color = C_GREEN;
			up++;
		} else if (r->pass) {
			sym = "!";
			color = C_YELLOW;
			reach++;
		} else {
			failed++;
			if (r->ep->required) {
				req_failed++;
				sym = st->utf8 ? "\u2717" : "x";
				color = C_RED;
			} else {
				opt_failed++;
				sym = "!";
				color = C_YELLOW;
			}
		}
		if (r->obs.http_status > 0)
			snprintf(status, sizeof(status), "%d",
			         r->obs.http_status);
		else
			snprintf(status, sizeof(status), "---");
		snprintf(ms, sizeof(ms),
		         r->obs.elapsed_ms < 10 ? "%.1f ms" : "%.0f ms",
		         r->obs.elapsed_ms);

		sb_printf(&b, "%s%s%s ", st->color ? color : "", sym,
		          st->color ? C_RESET : "");
		text_cut(cut, sizeof(cut), r->ep->name, wname, st->utf8);
		sb_pad(&b, cut, wname);
		sb_printf(&b, "  ");
		url_format(&r->ep->ws, url, sizeof(url));
		if (wrap)
			text_cut_url(cut, sizeof(cut), url, wurl, st->utf8);
		else
			snprintf(cut, sizeof(cut), "%s", url);
		sb_pad(&b, cut, wurl);
		sb_printf(&b, "  %s%3s  %-*s%s %8s", st->color ? C_BOLD : "",
		          status, wclass, probe_class_name(r->cls),
		          st->color ? C_RESET : "", ms);
		if (st->also_head) {
			if (r->obs.head_status > 0)
				snprintf(head, sizeof(head), "HEAD %d",
				         r->obs.head_status);
			else
				snprintf(head, sizeof(head), "HEAD ---");
			sb_printf(&b, "  %-8s", head);
		}
		row_detail(r, detail, sizeof(detail));
		if (!wrap) {
			sb_printf(&b, "  %s%s%s\n", st->color ? C_DIM : "",
			          detail, st->color ? C_RESET : "");
			continue;
		}
		/* the detail on indented lines of its own */
		sb_printf(&b, "\n");
		for (const char *p = detail, *next; *p; p = next) {
			size_t len = text_wrap(p, st->width - 4, &next);

			sb_printf(&b, "    %s%.*s%s\n", st->color ? C_DIM : "",
			          (int)len, p, st->color ? C_RESET : "");
		}
	}

	/* Summary: the verdict, then the counts (wrapped to fit). */
	if (req_failed == 0)
		sb_printf(&b, "%sok%s: ", st->color ? C_GREEN C_BOLD : "",
		          st->color ? C_RESET : "");
	else
		sb_printf(&b, "%sFAIL%s: ", st->color ? C_RED C_BOLD : "",
		          st->color ? C_RESET : "");
	sb_printf(&sum, "%zu endpoint%s, %zu upgraded", n, n == 1 ? "" : "s",
	          up);
	if (reach)
		sb_printf(&sum, ", %zu reachable (426)", reach);
	if (failed)
		sb_printf(&sum, ", %zu failed", failed);
	if (req_failed)
		sb_printf(&sum, " (%zu required)", req_failed);
	else if (opt_failed)
		sb_printf(&sum, " (optional only)");
	sb_printf(&sum, total_ms < 10 ? " in %.1f ms" : " in %.0f ms",
	          total_ms);
	if (st->strict)
		sb_printf(&sum, " [--strict]");
	if (st->insecure)
		sb_printf(&sum, " [--insecure: TLS certificates NOT verified]");
	if (sum.s == NULL || st->width <= 0) {
		sb_printf(&b, "%s\n", sum.s ? sum.s : "");
	} else {
		int cols = st->width - (req_failed == 0 ? 4 : 6);

		for (const char *p = sum.s, *next; *p; p = next) {
			size_t len = text_wrap(p, cols, &next);

			sb_printf(&b, "%s%.*s\n", p == sum.s ? "" : "    ",
			          (int)len, p);
			cols = st->width - 4;
		}
	}
	free(sum.s);
	if (st->layout != NULL)
		sb_printf(&b, "layout: %s\n", st->layout);
	return b.s;
}

static void
add_status(cJSON *o, const char *key, int status)
{
	if (status > 0)
		cJSON_AddNumberToObject(o, key, status);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *
headers_json(const struct header *h, size_t n, cJSON *into)
{
	for (size_t i = 0; i < n; i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(into, h[i].name);
		cJSON_AddStringToObject(into, h[i].name, config_redacted);
	}
	return into;
}

char *
check_report_json(const struct check_row *rows, size_t n,
                  const struct config *c, const struct check_style *st,
                  double total_ms)
{
	cJSON *root = cJSON_CreateObject(), *arr, *sum;
	size_t up = 0, reach = 0, failed = 0, req_failed = 0;
	char url[URL_HOST_MAX + URL_PATH_MAX + 32];
	char *out;

	cJSON_AddBoolToObject(root, "ok", check_exit_code(rows, n) == 0);
	cJSON_AddBoolToObject(root, "strict", st->strict);
	cJSON_AddBoolToObject(root, "insecure", st->insecure);
	cJSON_AddNumberToObject(root, "elapsed_ms",
	                        (double)(long)(total_ms * 10) / 10);
	if (st->layout != NULL)
		cJSON_AddStringToObject(root, "layout", st->layout);
	arr = cJSON_AddArrayToObject(root, "endpoints");
	for (size_t i = 0; i < n; i++) {
		const struct check_row *r = &rows[i];
		cJSON *e = cJSON_CreateObject();

		url_format(&r->ep->ws, url, sizeof(url));
		cJSON_AddStringToObject(e, "name", r->ep->name);
		cJSON_AddStringToObject(e, "url", url);
		cJSON_AddBoolToObject(e, "required", r->ep->required);
		cJSON_AddStringToObject(e, "result", probe_result_name(r->res));
		cJSON_AddStringToObject(e, "class", probe_class_name(r->cls));
		cJSON_AddBoolToObject(e, "pass", r->pass);
		add_status(e, "http_status", r->obs.http_status);
		cJSON_AddNumberToObject(e, "elapsed_ms",
		                        (double)(long)(r->obs.elapsed_ms * 10) /
		                            10);
		cJSON_AddStringToObject(e, "detail", r->detail);
		if (r->obs.get_status != 0)
			add_status(e, "get_status", r->obs.get_status);
		if (st->also_head)
			add_status(e, "head_status", r->obs.head_status);
		if (r->cls == PC_TLS && r->obs.tls_error)
			cJSON_AddNumberToObject(e, "tls_verify_error",
			                        r->obs.tls_error);
		if (r->res == PROBE_OK && r->obs.subprotocol[0])
			cJSON_AddStringToObject(e, "subprotocol",
			                        r->obs.subprotocol);
		if (c->nheaders || r->ep->nheaders) {
			cJSON *h = cJSON_AddObjectToObject(e, "headers");

			headers_json(c->headers, c->nheaders, h);
			headers_json(r->ep->headers, r->ep->nheaders, h);
		}
		cJSON_AddItemToArray(arr, e);
		if (r->res == PROBE_OK)
			up++;
		else if (r->pass)
			reach++;
		else {
			failed++;
			req_failed += r->ep->required;
		}
	}
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "total", (double)n);
	cJSON_AddNumberToObject(sum, "upgraded", (double)up);
	cJSON_AddNumberToObject(sum, "reachable", (double)reach);
	cJSON_AddNumberToObject(sum, "failed", (double)failed);
	cJSON_AddNumberToObject(sum, "required_failed", (double)req_failed);
	/* one line: for jq, log shippers and grep alike */
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}
