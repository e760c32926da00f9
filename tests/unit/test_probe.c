/* Handshake observations -> classes, advice, report and exit code. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wsdash/check.h"
#include "wsdash/sanitize.h"
#include "wsdash/probe.h"

static struct probe_obs
obs(enum probe_outcome out, int status, const char *error)
{
	struct probe_obs o = {0};

	o.outcome = out;
	o.http_status = status;
	snprintf(o.error, sizeof(o.error), "%s", error);
	o.timeout_ms = 3000;
	return o;
}

Test(probe, every_class_from_what_lws_reports)
{
	static const struct {
		enum probe_outcome out;
		int status;
		const char *error;
		int tls_error;
		enum probe_class want;
	} cases[] = {
	    {PO_UPGRADED, 101, "", 0, PC_UPGRADED},
	    {PO_CONN_ERROR, 426, "HS: ws upgrade response not 101", 0,
	     PC_UPGRADE_REQUIRED},
	    {PO_CONN_ERROR, 400, "HS: ws upgrade response not 101", 0,
	     PC_BAD_REQUEST},
	    {PO_CONN_ERROR, 401, "HS: ws upgrade unauthorized", 0,
	     PC_UNAUTHORIZED},
	    {PO_CONN_ERROR, 0, "HS: ws upgrade unauthorized", 0,
	     PC_UNAUTHORIZED},
	    {PO_CONN_ERROR, 403, "HS: ws upgrade response not 101", 0,
	     PC_FORBIDDEN},
	    {PO_CONN_ERROR, 404, "HS: ws upgrade response not 101", 0,
	     PC_NOT_FOUND},
	    {PO_CONN_ERROR, 302, "HS: ws upgrade response not 101", 0,
	     PC_REDIRECT},
	    {PO_CONN_ERROR, 308, "HS: ws upgrade response not 101", 0,
	     PC_REDIRECT},
	    {PO_CONN_ERROR, 429, "HS: ws upgrade response not 101", 0,
	     PC_HTTP_ERROR},
	    {PO_CONN_ERROR, 200, "HS: ws upgrade response not 101", 0,
	     PC_HTTP_ERROR},
	    {PO_CONN_ERROR, 500, "HS: ws upgrade response not 101", 0,
	     PC_SERVER_ERROR},
	    {PO_CONN_ERROR, 503, "HS: ws upgrade response not 101", 0,
	     PC_SERVER_ERROR},
	    {PO_CONN_ERROR, 101, "HS: Accept hash wrong", 0, PC_BAD_ACCEPT},
	    {PO_CONN_ERROR, 0, "HS: Accept hash wrong", 0, PC_BAD_ACCEPT},
	    {PO_CONN_ERROR, 101, "HS: UPGRADE malformed", 0, PC_BAD_ACCEPT},
	    {PO_CONN_ERROR, 0, "Unable to connect", 0, PC_REFUSED},
	    {PO_TIMEOUT, 0, "", 0, PC_TIMEOUT},
	    {PO_DNS, 0, "'x.invalid': Name or service not known", 0, PC_DNS},
	    {PO_CONN_ERROR, 0, "connect SSL err 1: error", 18, PC_TLS},
	    {PO_CONN_ERROR, 0, "Timed out waiting SSL", 0, PC_TLS},
	    {PO_CONN_ERROR, 0, "read failed", 0, PC_CLOSED},
	    {PO_CLOSED, 0, "", 0, PC_CLOSED},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_obs o =
		    obs(cases[i].out, cases[i].status, cases[i].error);

		o.tls_error = cases[i].tls_error;
		cr_assert_eq(probe_classify(&o), cases[i].want,
		             "case %zu: got %s want %s", i,
		             probe_class_name(probe_classify(&o)),
		             probe_class_name(cases[i].want));
	}
	cr_assert_eq(probe_result_of(PC_UPGRADED), PROBE_OK);
	cr_assert_eq(probe_result_of(PC_UPGRADE_REQUIRED), PROBE_REACHABLE);
	for (int c = PC_BAD_REQUEST; c < PC_COUNT; c++)
		cr_assert_eq(probe_result_of(c), PROBE_FAIL, "%s",
		             probe_class_name(c));
}

static const char *
detail(const struct probe_obs *o, bool insecure)
{
	static char out[640];

	probe_detail(o, probe_classify(o), "h:1", insecure, out, sizeof(out));
	return out;
}

Test(probe, details_help_a_person_act)
{
	struct probe_obs o;

	o = obs(PO_CONN_ERROR, 404, "HS: ws upgrade response not 101");
	o.get_status = 404;
	cr_assert(strstr(detail(&o, false), "server is up") &&
	              strstr(detail(&o, false), "Upgrade/Connection"),
	          "%s", detail(&o, false));
	o.get_status = 200;
	cr_assert(strstr(detail(&o, false), "HTTP route"), "%s",
	          detail(&o, false));
	strcpy(o.server, "nginx/1.22.1");
	cr_assert(strstr(detail(&o, false), "answered by nginx/1.22.1"), "%s",
	          detail(&o, false));

	o = obs(PO_CONN_ERROR, 400, "HS: ws upgrade response not 101");
	o.get_status = 404;
	cr_assert(strstr(detail(&o, false), "no WebSocket support"), "%s",
	          detail(&o, false));
	cr_assert(probe_wants_get(&o));
	o = obs(PO_CONN_ERROR, 503, "HS: ws upgrade response not 101");
	cr_assert_not(probe_wants_get(&o));

	/* FastAPI/Starlette answer 403 to upgrades on unknown paths */
	o = obs(PO_CONN_ERROR, 403, "HS: ws upgrade response not 101");
	cr_assert(probe_wants_get(&o));
	cr_assert(strstr(detail(&o, false), "--origin"));
	o.get_status = 404;
	strcpy(o.server, "uvicorn");
	cr_assert(strstr(detail(&o, false), "no WebSocket route") &&
	              strstr(detail(&o, false), "uvicorn answered"),
	          "%s", detail(&o, false));

	o = obs(PO_CONN_ERROR, 302, "");
	strcpy(o.location, "https://h/elsewhere");
	cr_assert(strstr(detail(&o, false), "302 Found to https://h/elsewhere"),
	          "%s", detail(&o, false));

	o = obs(PO_TIMEOUT, 0, "");
	o.tcp_connected = true;
	cr_assert(strstr(detail(&o, false), "connected, but no answer"));
	o.tcp_connected = false;
	cr_assert(strstr(detail(&o, false), "no TCP connection to h:1 within "
	                                    "3000 ms"));
	o = obs(PO_CONN_ERROR, 0, "read failed");
	cr_assert(strstr(detail(&o, false), "not an HTTP server"));
	o.asked_subprotocol = true;
	cr_assert(strstr(detail(&o, false), "--subprotocol"), "%s",
	          detail(&o, false));
	o = obs(PO_CONN_ERROR, 0, "Unable to connect");
	cr_assert(strstr(detail(&o, false), "nothing listens on h:1"));

	static const struct {
		int code;
		const char *want;
	} tls[] = {{18, "self-signed"},   {19, "self-signed"},
	           {10, "expired"},       {62, "name mismatch"},
	           {64, "name mismatch"}, {20, "unknown issuer"}};
	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		o = obs(PO_CONN_ERROR, 0, "connect SSL err 1: useless");
		o.tls_error = tls[i].code;
		cr_assert(strstr(detail(&o, false), tls[i].want) &&
		              strstr(detail(&o, false), "--insecure"),
		          "%d: %s", tls[i].code, detail(&o, false));
	}
	o = obs(PO_UPGRADED, 101, "");
	o.tls = true;
	cr_assert(strstr(detail(&o, true), "NOT VERIFIED"));
	cr_assert_null(strstr(detail(&o, false), "NOT VERIFIED"));
}

static struct endpoint_cfg ep_req = {.name = "workflows", .required = true};
static struct endpoint_cfg ep_opt = {.name = "routes", .required = false};

static void
row(struct check_row *r, struct endpoint_cfg *ep, enum probe_outcome out,
    int status, bool strict)
{
	char err[64];

	memset(r, 0, sizeof(*r));
	url_parse("ws://localhost:8000/ws/x", &ep->ws, err, sizeof(err));
	r->ep = ep;
	r->obs = obs(out, status, "HS: ws upgrade response not 101");
	r->obs.elapsed_ms = 1.5;
	check_finish_row(r, strict, false);
}

Test(check, exit_codes_required_optional_strict)
{
	struct check_row r[2];

	row(&r[0], &ep_req, PO_UPGRADED, 101, false);
	row(&r[1], &ep_opt, PO_CONN_ERROR, 404, false);
	cr_assert_eq(check_exit_code(r, 2), 0, "optional failures only warn");
	row(&r[1], &ep_req, PO_CONN_ERROR, 404, false);
	cr_assert_eq(check_exit_code(r, 2), 1);
	row(&r[1], &ep_req, PO_CONN_ERROR, 426, false);
	cr_assert(r[1].pass);
	cr_assert_eq(check_exit_code(r, 2), 0, "426 passes by default");
	row(&r[1], &ep_req, PO_CONN_ERROR, 426, true);
	cr_assert_not(r[1].pass);
	cr_assert_eq(check_exit_code(r, 2), 1, "--strict fails on 426");
}

Test(check, text_report_aligned_with_summary)
{
	struct check_row r[2];
	struct check_style st = {.utf8 = false};
	char *t;

	row(&r[0], &ep_req, PO_UPGRADED, 101, false);
	row(&r[1], &ep_opt, PO_CONN_ERROR, 404, false);
	t = check_report_text(r, 2, &st, 3.25);
	cr_assert(
	    strstr(t, "+ workflows  ws://localhost:8000/ws/x  101  upgraded"),
	    "%s", t);
	cr_assert(
	    strstr(t, "! routes     ws://localhost:8000/ws/x  404  not_found"),
	    "%s", t);
	cr_assert(strstr(t, "(optional)"), "%s", t);
	cr_assert(strstr(t, "ok: 2 endpoints, 1 upgraded, 1 failed (optional "
	                    "only) in 3.2 ms"),
	          "%s", t);
	cr_assert_null(strchr(t, '\033'), "no color unless asked");
	free(t);
	st.color = true;
	st.utf8 = true;
	row(&r[1], &ep_req, PO_CONN_ERROR, 404, false);
	t = check_report_text(r, 2, &st, 3);
	cr_assert(strstr(t, "\u2717"), "%s", t);
	cr_assert(strstr(t, "\033[31m"), "%s", t);
	cr_assert(strstr(t, "FAIL"), "%s", t);
	free(t);
}

/* Each line of t at most cols columns. */
static void
assert_fits(const char *t, int cols)
{
	char line[1024];

	for (const char *p = t, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		cr_assert_not_null(nl, "unterminated line: %s", p);
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		cr_assert_leq(text_cols(line), cols, "%d columns: '%s' in\n%s",
		              cols, line, t);
	}
}

Test(check, text_report_fits_the_terminal_width)
{
	static struct endpoint_cfg ep_long = {
	    .name = "workflow-history-of-the-week", .required = true};
	struct check_row r[2];
	struct check_style st = {.utf8 = true, .width = 80};
	char err[64], *t;

	setlocale(LC_ALL, "C.UTF-8");
	row(&r[0], &ep_req, PO_UPGRADED, 101, false);
	row(&r[1], &ep_long, PO_CONN_ERROR, 404, false);
	url_parse("ws://backend:8000/api/v1/ws/workflow-history-of-the-week",
	          &ep_long.ws, err, sizeof(err));
	check_finish_row(&r[1], false, false);
	for (int w = 80; w >= 60; w -= 10) {
		st.width = w;
		t = check_report_text(r, 2, &st, 3.25);
		assert_fits(t, w);
		/* the detail on an indented line of its own */
		cr_assert(strstr(t, "\n    404 Not Found"), "%s", t);
		/* shortened with an ellipsis, the URL keeps its host */
		cr_assert(strstr(t, "\u2026"), "%s", t);
		if (w >= 80) /* room for the host and the path's end */
			cr_assert(strstr(t, "ws://backend:8000/\u2026"), "%s",
			          t);
		cr_assert(strstr(t, "FAIL: "), "%s", t);
		free(t);
	}
	/* no width (a pipe): one line per endpoint, nothing shortened */
	st.width = 0;
	t = check_report_text(r, 2, &st, 3.25);
	cr_assert(strstr(t, "workflow-history-of-the-week  ws://backend:"),
	          "%s", t);
	cr_assert_null(strstr(t, "\n    "), "%s", t);
	cr_assert_null(strstr(t, "\u2026"), "%s", t);
	free(t);
	/* a wide terminal where everything fits: one line each too */
	st.width = 500;
	t = check_report_text(r, 2, &st, 3.25);
	cr_assert_null(strstr(t, "\n    "), "%s", t);
	free(t);
}

Test(check, json_report_shape_and_redaction)
{
	struct check_row r[2];
	struct check_style st = {0};
	struct config c;
	char err[128];
	char *j;
	cJSON *doc, *eps, *e;

	config_init(&c, NULL);
	cr_assert(config_add_header(&c.headers, &c.nheaders,
	                            "Authorization: Bearer s3cret", err,
	                            sizeof(err)));
	row(&r[0], &ep_req, PO_UPGRADED, 101, false);
	row(&r[1], &ep_opt, PO_TIMEOUT, 0, false);
	j = check_report_json(r, 2, &c, &st, 7);
	cr_assert_null(strstr(j, "s3cret"), "header value leaked: %s", j);
	doc = cJSON_Parse(j);
	cr_assert_not_null(doc);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "ok")));
	eps = cJSON_GetObjectItem(doc, "endpoints");
	cr_assert_eq(cJSON_GetArraySize(eps), 2);
	e = cJSON_GetArrayItem(eps, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(e, "name")->valuestring,
	                 "workflows");
	cr_assert_str_eq(cJSON_GetObjectItem(e, "url")->valuestring,
	                 "ws://localhost:8000/ws/x");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(e, "required")));
	cr_assert_str_eq(cJSON_GetObjectItem(e, "result")->valuestring, "ok");
	cr_assert_str_eq(cJSON_GetObjectItem(e, "class")->valuestring,
	                 "upgraded");
	cr_assert_eq(cJSON_GetObjectItem(e, "http_status")->valuedouble, 101);
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(e, "elapsed_ms")));
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(e, "detail")));
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "headers"),
	                                     "Authorization")
	                     ->valuestring,
	                 "<redacted>");
	e = cJSON_GetArrayItem(eps, 1);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(e, "http_status")));
	cr_assert_str_eq(cJSON_GetObjectItem(e, "class")->valuestring,
	                 "timeout");
	cr_assert_str_eq(cJSON_GetObjectItem(e, "result")->valuestring, "fail");
	cJSON_Delete(doc);
	free(j);
	config_free(&c);
}
