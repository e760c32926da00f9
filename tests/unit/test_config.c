/* Endpoint set and options: defaults, the JSON file, its errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wsdash/config.h"
#include "wsdash/layout.h"

static char err[1024];

static bool
load(struct config *c, const char *json)
{
	err[0] = '\0';
	return config_load_json(c, json, strlen(json), "cfg.json", err,
	                        sizeof(err));
}

static const char *
url_of(const struct url *u)
{
	static char out[512];

	url_format(u, out, sizeof(out));
	return out;
}

Test(config, default_sets_of_both_layouts_on_backend_port)
{
	struct config c;

	config_init(&c, "8123");
	layout_add_set(&c, LAYOUT_LEGACY, NULL);
	cr_assert_eq(c.neps, 3);
	cr_assert_str_eq(c.eps[0].name, "workflows");
	cr_assert_str_eq(url_of(&c.eps[0].ws),
	                 "ws://localhost:8123/ws/workflows");
	cr_assert(c.eps[0].has_poll);
	cr_assert_not(c.eps[0].has_poll_alt, "the layout knows its polls");
	cr_assert_str_eq(url_of(&c.eps[0].poll),
	                 "http://localhost:8123/api/workflows");
	cr_assert(c.eps[1].required);
	cr_assert_str_eq(c.eps[1].name, "workflow-history");
	cr_assert_not(c.eps[2].required, "routes is optional");
	cr_assert_str_eq(c.eps[2].hello, "{\"type\":\"client_ready\"}");
	cr_assert(config_own_type(&c.eps[2], "routes_update"));
	cr_assert_not(config_own_type(&c.eps[2], "queue_update"));
	config_free(&c);

	/* /api/v1: the three, and the optional ones the backend has */
	config_init(&c, "8123");
	{
		bool extra[LAYOUT_NSTREAMS] = {[3] = true, [7] = true};

		layout_add_set(&c, LAYOUT_V1, extra);
	}
	cr_assert_eq(c.neps, 5);
	cr_assert_str_eq(url_of(&c.eps[0].ws),
	                 "ws://localhost:8123/api/v1/ws/workflows");
	cr_assert_str_eq(url_of(&c.eps[0].poll),
	                 "http://localhost:8123/api/v1/workflows");
	cr_assert_str_eq(c.eps[3].name, "queue");
	cr_assert_not(c.eps[3].required);
	cr_assert_str_eq(c.eps[4].name, "webhook-status");
	cr_assert_not(c.eps[4].has_poll, "webhook status has no HTTP twin");
	config_free(&c);

	/* unset or nonsense BACKEND_PORT: 8000 */
	config_init(&c, "http");
	layout_add_set(&c, LAYOUT_LEGACY, NULL);
	cr_assert_str_eq(url_of(&c.eps[0].ws),
	                 "ws://localhost:8000/ws/workflows");
	config_free(&c);
}

Test(config, layout_choice)
{
	struct layout_obs v1 = {0}, legacy = {0};
	enum layout_why why;

	cr_assert_eq(layout_choose(&v1, &legacy, &why), LAYOUT_V1);
	cr_assert_eq(why, LAYOUT_GUESSED);
	legacy.polls_answer = true;
	cr_assert_eq(layout_choose(&v1, &legacy, &why), LAYOUT_LEGACY);
	cr_assert_eq(why, LAYOUT_BY_POLLS);
	v1.upgraded = 1;
	cr_assert_eq(layout_choose(&v1, &legacy, &why), LAYOUT_V1,
	             "upgrades before polls");
	cr_assert_eq(why, LAYOUT_BY_UPGRADES);
	legacy.upgraded = 3;
	cr_assert_eq(layout_choose(&v1, &legacy, &why), LAYOUT_LEGACY);
	v1.upgraded = 3;
	cr_assert_eq(layout_choose(&v1, &legacy, &why), LAYOUT_V1, "a tie");
}

Test(config, server_with_prefix_and_tls)
{
	struct config c;

	config_init(&c, NULL);
	cr_assert(config_set_server(&c, "https://api.example.com/app/", err,
	                            sizeof(err)));
	layout_add_set(&c, LAYOUT_PREFIX, NULL);
	cr_assert_str_eq(url_of(&c.eps[1].ws),
	                 "wss://api.example.com/app/ws/workflow-history");
	/* the poll URL is found: /app/api/NAME or /app/NAME */
	cr_assert_str_eq(url_of(&c.eps[1].poll),
	                 "https://api.example.com/app/api/workflow-history");
	cr_assert(c.eps[1].has_poll_alt);
	cr_assert_str_eq(url_of(&c.eps[1].poll_alt),
	                 "https://api.example.com/app/workflow-history");
	cr_assert_not(config_set_server(&c, "ws://x/", err, sizeof(err)));
	cr_assert(strstr(err, "http://"), "%s", err);
	config_free(&c);
}

Test(config, command_line_urls)
{
	struct config c;

	config_init(&c, NULL);
	cr_assert(config_add_url(&c, "ws://h:1/ws/live", err, sizeof(err)));
	cr_assert(config_add_url(&c, "wss://g/ws/live", err, sizeof(err)));
	cr_assert(config_add_url(&c, "ws://h:2/", err, sizeof(err)));
	cr_assert_eq(c.neps, 3);
	cr_assert_str_eq(c.eps[0].name, "live");
	cr_assert_str_eq(c.eps[1].name, "live#2");
	cr_assert_str_eq(c.eps[2].name, "h");
	cr_assert(c.eps[0].required && c.eps[1].required);
	cr_assert_str_eq(url_of(&c.eps[1].poll), "https://g/api/live");
	cr_assert_not(c.eps[2].has_poll);
	cr_assert_null(c.eps[0].hello);

	cr_assert_not(config_add_url(&c, "http://h/ws/x", err, sizeof(err)));
	cr_assert(strstr(err, "not a ws:// or wss:// URL") &&
	              strstr(err, "did you mean ws://"),
	          "%s", err);
	config_free(&c);
}

Test(config, full_file)
{
	struct config c;

	config_init(&c, NULL);
	cr_assert(
	    load(&c, "{\"server\":\"http://10.0.0.5:9000\","
	             " \"defaults\":{\"timeout_ms\":1500,"
	             "   \"headers\":{\"Authorization\":\"Bearer s3cret\"},"
	             "   \"origin\":\"http://app\",\"subprotocol\":\"v1\","
	             "   \"insecure\":true,\"poll_interval_ms\":2000,"
	             "   \"ping_interval_ms\":500,\"ping_timeout_ms\":1500,"
	             "   \"ping\":\"json\",\"hello\":{\"type\":\"hi\"},"
	             "   \"max_message\":65536},"
	             " \"endpoints\":["
	             "   {\"name\":\"a\",\"url\":\"/ws/a\"},"
	             "   {\"url\":\"wss://other/stream\",\"required\":false,"
	             "    \"poll_url\":\"https://other/api/s\","
	             "    \"headers\":{\"X-Tenant\":\"t1\"},\"timeout_ms\":99},"
	             "   {\"name\":\"c\",\"url\":\"/ws/c\",\"poll_url\":null,"
	             "    \"hello\":null}]}"),
	    "%s", err);
	cr_assert_eq(c.timeout_ms, 1500);
	cr_assert_eq(c.nheaders, 1);
	cr_assert_str_eq(c.headers[0].name, "Authorization");
	cr_assert_str_eq(c.origin, "http://app");
	cr_assert_str_eq(c.subprotocol, "v1");
	cr_assert(c.insecure);
	cr_assert_eq(c.poll_interval_ms, 2000);
	cr_assert_eq(c.ping, PING_JSON);
	cr_assert_str_eq(c.hello, "{\"type\":\"hi\"}");
	cr_assert_eq(c.max_message, 65536);
	cr_assert_eq(c.neps, 3);
	cr_assert_str_eq(url_of(&c.eps[0].ws), "ws://10.0.0.5:9000/ws/a");
	cr_assert_str_eq(url_of(&c.eps[0].poll), "http://10.0.0.5:9000/api/a");
	cr_assert_str_eq(c.eps[1].name, "stream");
	cr_assert_not(c.eps[1].required);
	cr_assert_str_eq(url_of(&c.eps[1].poll), "https://other/api/s");
	cr_assert_eq(config_timeout(&c, &c.eps[1]), 99);
	cr_assert_eq(config_timeout(&c, &c.eps[0]), 1500);
	cr_assert_str_eq(c.eps[1].headers[0].value, "t1");
	cr_assert_not(c.eps[2].has_poll);
	cr_assert(c.eps[2].hello_set && c.eps[2].hello == NULL);
	config_free(&c);
}

Test(config, errors_name_file_key_and_problem)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
	    {"{\"endpoints\":[{\"url\":\"/ws/a\"},", "cfg.json:1:"},
	    {"{\"endpoints\":[\n  {\"url\": 5}]}",
	     "cfg.json: endpoints[0].url: expected a string"},
	    {"[1,2]", "cfg.json: expected a JSON object"},
	    {"{\"endpoint\":[]}", "cfg.json: unknown key 'endpoint'"},
	    {"{\"endpoints\":[{\"name\":\"x\"}]}", "endpoints[0].url: missing"},
	    {"{\"endpoints\":[{\"url\":\"/ws/a\"},{\"url\":\"http://h/ws\"}]}",
	     "endpoints[1].url: 'http://h/ws' is not a ws:// or wss:// URL"},
	    {"{\"endpoints\":[{\"url\":\"/ws/a\",\"requred\":true}]}",
	     "endpoints[0]: unknown key 'requred'"},
	    {"{\"endpoints\":[{\"url\":\"/ws/a\",\"required\":\"yes\"}]}",
	     "endpoints[0].required: expected true or false"},
	    {"{\"endpoints\":[{\"url\":\"/ws/a\",\"poll_url\":\"ws://h/a\"}]}",
	     "endpoints[0].poll_url: 'ws://h/a' is not an http"},
	    {"{\"endpoints\":[{\"name\":\"a\",\"url\":\"/ws/a\"},"
	     "{\"name\":\"a\",\"url\":\"/ws/b\"}]}",
	     "endpoints[1].name: duplicate name 'a'"},
	    {"{\"defaults\":{\"timeout_ms\":0}}",
	     "defaults.timeout_ms: 0 is out of range"},
	    {"{\"defaults\":{\"timeout_ms\":1.5}}",
	     "defaults.timeout_ms: expected a whole number"},
	    {"{\"defaults\":{\"ping\":\"icmp\"}}",
	     "defaults.ping: expected \"protocol\" or \"json\""},
	    {"{\"defaults\":{\"headers\":{\"X\":\"a\\r\\nEvil: 1\"}}}",
	     "defaults.headers.X: header 'X' has a control character"},
	    {"{\"defaults\":{\"headers\":{\"Bad Name\":\"v\"}}}",
	     "defaults.headers.Bad Name: bad character in header name"},
	    {"{\"server\":\"localhost:8000\"}",
	     "server: 'localhost:8000' is not a valid URL (missing scheme"},
	    {"{\"endpoints\":[{\"url\":\"ws://h:99999/a\"}]}",
	     "port 99999 out of range"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config c;

		config_init(&c, NULL);
		cr_assert_not(load(&c, bad[i].json), "accepted: %s",
		              bad[i].json);
		cr_assert(strstr(err, bad[i].want),
		          "for %s\n got: %s\nwant: %s", bad[i].json, err,
		          bad[i].want);
		config_free(&c);
	}
}

Test(config, json_error_position)
{
	struct config c;

	config_init(&c, NULL);
	cr_assert_not(load(&c, "{\n  \"server\": \"http://h\",\n  oops\n}"));
	cr_assert(strstr(err, "cfg.json:3:"), "%s", err);
	config_free(&c);
}

Test(config, missing_file_and_huge_file)
{
	struct config c;
	char *big = malloc(CONFIG_MAX_FILE + 10);

	config_init(&c, NULL);
	cr_assert_not(
	    config_load_file(&c, "/nonexistent/wsdash.json", err, sizeof(err)));
	cr_assert(strstr(err, "/nonexistent/wsdash.json: No such file"), "%s",
	          err);
	memset(big, ' ', CONFIG_MAX_FILE + 10);
	cr_assert_not(config_load_json(&c, big, CONFIG_MAX_FILE + 10, "big",
	                               err, sizeof(err)));
	cr_assert(strstr(err, "larger than"), "%s", err);
	free(big);
	config_free(&c);
}

Test(config, headers_replace_by_name)
{
	struct header *h = NULL;
	size_t n = 0;

	cr_assert(config_add_header(&h, &n, "Authorization: Bearer a", err,
	                            sizeof(err)));
	cr_assert(config_add_header(&h, &n, "authorization:Bearer b", err,
	                            sizeof(err)));
	cr_assert_eq(n, 1);
	cr_assert_str_eq(h[0].value, "Bearer b");
	cr_assert_not(config_add_header(&h, &n, "NoColon", err, sizeof(err)));
	cr_assert_not(config_add_header(&h, &n, ": v", err, sizeof(err)));
	cr_assert_not(config_add_header(&h, &n, "X: a\nb", err, sizeof(err)));
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

/*
 * 10,000 endpoints whose URLs end in the same segment get distinct names
 * (same, same#2 ... same#10000) in linear time: it took minutes when each
 * candidate was checked against every name. The bound only tells linear
 * from cubic on any machine.
 */
Test(config, many_endpoints_with_one_name_load_fast)
{
	struct config c;
	char url[96], why[256];
	struct timespec t0, t1;
	double secs;

	config_init(&c, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 9997; i++) {
		snprintf(url, sizeof(url), "ws://h%d.example:80/ws/same", i);
		cr_assert(config_add_url(&c, url, why, sizeof(why)), "%s", why);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_str_eq(c.eps[0].name, "same");
	cr_assert_str_eq(c.eps[1].name, "same#2");
	cr_assert_str_eq(c.eps[9996].name, "same#9997");
	cr_assert_lt(secs, 5.0, "9,997 names took %.2f s", secs);
	/* an explicit name that a derived one would have taken */
	cr_assert(config_load_json(
	              &c,
	              "{\"endpoints\":[{\"name\":\"x#2\",\"url\":\"ws://a/x\"},"
	              "{\"url\":\"ws://b/x\"},{\"url\":\"ws://c/x\"}]}",
	              strlen("{\"endpoints\":[{\"name\":\"x#2\",\"url\":"
	                     "\"ws://a/x\"},{\"url\":\"ws://b/x\"},{\"url\":"
	                     "\"ws://c/x\"}]}"),
	              "t.json", why, sizeof(why)),
	          "%s", why);
	cr_assert_str_eq(c.eps[9998].name, "x");
	cr_assert_str_eq(c.eps[9999].name, "x#3", "x#2 is taken");
	config_free(&c);
}
