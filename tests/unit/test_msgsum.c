/* Message type, summary, timestamps (epoch s/ms/us, ISO 8601), bounds. */
#include <criterion/criterion.h>
#include <string.h>

#include "wsdash/msgsum.h"

static struct msg_info mi;

static void
an(const char *s)
{
	msgsum_analyze(s, strlen(s), false, true, &mi);
}

Test(msgsum, typed_update_with_status_counts)
{
	an("{\"type\":\"workflows_update\",\"seq\":7,\"sent_at\":1764108000123,"
	   "\"data\":[{\"status\":\"running\"},{\"status\":\"queued\"},"
	   "{\"status\":\"running\"},{\"status\":\"failed\"},"
	   "{\"status\":\"running\"}]}");
	cr_assert_str_eq(mi.type, "workflows_update");
	cr_assert_str_eq(mi.summary, "5 items: 3 running, 1 queued, 1 failed");
	cr_assert(mi.has_time);
	cr_assert_float_eq(mi.sent_ms, 1764108000123.0, 1e-3);
	cr_assert(mi.has_seq);
	cr_assert_eq(mi.seq, 7);
}

Test(msgsum, objects_arrays_scalars)
{
	an("{\"type\":\"workflow_history_update\",\"data\":{\"workflows\":"
	   "[{\"status\":\"success\"}],\"total_count\":14,\"analytics\":"
	   "{\"a\":1,\"b\":2}}}");
	cr_assert_str_eq(mi.summary,
	                 "workflows: 1 item: 1 success; total_count=14; "
	                 "analytics{2}");
	an("[1,2,3]");
	cr_assert_str_eq(mi.type, "json");
	cr_assert_str_eq(mi.summary, "3 items");
	an("{\"type\":\"tick\",\"n\":1.5,\"ok\":true,\"who\":null}");
	cr_assert_str_eq(mi.summary, "n=1.5; ok=true; who=null");
	an("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}");
	cr_assert_str_eq(mi.type, "json");
	cr_assert(strstr(mi.summary, "; ..."), "%s", mi.summary);
	an("42");
	cr_assert_str_eq(mi.summary, "42");
}

Test(msgsum, text_binary_invalid)
{
	an("hello there");
	cr_assert_str_eq(mi.type, "text");
	cr_assert_str_eq(mi.summary, "hello there");
	an("{\"type\": broken");
	cr_assert_str_eq(mi.type, "invalid json");
	msgsum_analyze("\x00\x01\x02", 3, true, true, &mi);
	cr_assert_str_eq(mi.type, "binary");
	cr_assert_str_eq(mi.summary, "3 bytes");
}

Test(msgsum, hostile_strings_are_sanitized_and_bounded)
{
	char big[4096];

	an("{\"type\":\"\\u001b[2J\\u001b]0;title\\u0007evil\","
	   "\"data\":{\"k\\u001b[H\":\"\\u009b31m\"}}");
	cr_assert_null(strchr(mi.type, '\x1b'), "%s", mi.type);
	cr_assert_null(strchr(mi.type, '\x07'));
	cr_assert_null(strchr(mi.summary, '\x1b'), "%s", mi.summary);
	cr_assert_null(strstr(mi.summary, "\xc2\x9b"));
	memset(big, 'a', sizeof(big));
	memcpy(big, "{\"type\":\"", 9);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	an(big);
	cr_assert_lt(strlen(mi.type), MSG_TYPE_MAX);
	cr_assert_lt(strlen(mi.summary), MSG_SUMMARY_MAX);
}

Test(msgsum, deep_nesting_is_rejected_not_recursed)
{
	size_t depth = 200000;
	char *s = malloc(depth * 2 + 1);

	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[depth * 2] = '\0';
	an(s);
	cr_assert_str_eq(mi.type, "invalid json");
	free(s);
}

Test(msgsum, timestamps)
{
	cJSON *v;
	double t;

	v = cJSON_CreateNumber(1764108000);
	cr_assert(msgsum_time(v, &t));
	cr_assert_float_eq(t, 1764108000000.0, 1e-3, "seconds");
	cJSON_Delete(v);
	v = cJSON_CreateNumber(1764108000.25);
	cr_assert(msgsum_time(v, &t));
	cr_assert_float_eq(t, 1764108000250.0, 1e-3);
	cJSON_Delete(v);
	v = cJSON_CreateNumber(1764108000123456.0);
	cr_assert(msgsum_time(v, &t));
	cr_assert_float_eq(t, 1764108000123.456, 1e-2, "microseconds");
	cJSON_Delete(v);
	v = cJSON_CreateString("2025-11-25T22:00:00Z");
	cr_assert(msgsum_time(v, &t));
	cr_assert_float_eq(t, 1764108000000.0, 1e-3);
	cJSON_Delete(v);
	v = cJSON_CreateNumber(-5);
	cr_assert_not(msgsum_time(v, &t));
	cJSON_Delete(v);
	v = cJSON_CreateBool(1);
	cr_assert_not(msgsum_time(v, &t));
	cJSON_Delete(v);
}

Test(msgsum, iso8601_forms)
{
	double t;

	cr_assert(msgsum_iso8601("1970-01-01T00:00:00Z", &t));
	cr_assert_float_eq(t, 0.0, 1e-9);
	cr_assert(msgsum_iso8601("2025-11-25T23:00:00.5+01:00", &t));
	cr_assert_float_eq(t, 1764108000500.0, 1e-3);
	cr_assert(msgsum_iso8601("2025-11-25 21:30:00-0030", &t));
	cr_assert_float_eq(t, 1764108000000.0, 1e-3);
	cr_assert(msgsum_iso8601("2024-02-29T12:00:00", &t), "no zone = UTC");
	cr_assert(msgsum_iso8601("2000-03-01T00:00:00Z", &t));
	cr_assert_float_eq(t, 951868800000.0, 1e-3);
	cr_assert_not(msgsum_iso8601("2025-13-01T00:00:00Z", &t));
	cr_assert_not(msgsum_iso8601("2025-11-25T25:00:00Z", &t));
	cr_assert_not(msgsum_iso8601("2025-11-25", &t));
	cr_assert_not(msgsum_iso8601("2025-11-25T22:00:00Zjunk", &t));
	cr_assert_not(msgsum_iso8601("2025-11-25T22:00:00.", &t));
	cr_assert_not(msgsum_iso8601("yesterday", &t));
}

/* The tac backend's shapes: workflows by phase, routes in an envelope. */
Test(msgsum, phase_and_state_and_one_array_objects)
{
	struct msg_info m;
	const char *wf = "{\"type\":\"workflows_update\",\"data\":["
	                 "{\"adw_id\":\"a\",\"phase\":\"build\"},"
	                 "{\"adw_id\":\"b\",\"phase\":\"test\"},"
	                 "{\"adw_id\":\"c\",\"phase\":\"build\"}]}";
	const char *routes =
	    "{\"routes\":[{\"path\":\"/a\"},{\"path\":\"/b\"}],"
	    "\"total\":117}";
	const char *st = "[{\"state\":\"up\"},{\"state\":\"down\"},{}]";
	const char *mixed = "[{\"status\":\"ok\",\"phase\":\"x\"},"
	                    "{\"phase\":\"y\"}]";
	const char *two = "{\"a\":[1],\"b\":[2],\"total\":2}";

	msgsum_analyze(wf, strlen(wf), false, true, &m);
	cr_assert_str_eq(m.summary, "3 items: 2 build, 1 test");
	msgsum_analyze(routes, strlen(routes), false, true, &m);
	cr_assert_str_eq(m.summary, "2 items");
	msgsum_analyze(st, strlen(st), false, true, &m);
	cr_assert_str_eq(m.summary, "3 items: 1 up, 1 down");
	/* status wins over phase when items have it */
	msgsum_analyze(mixed, strlen(mixed), false, true, &m);
	cr_assert_str_eq(m.summary, "2 items: 1 ok");
	/* two arrays: the object form */
	msgsum_analyze(two, strlen(two), false, true, &m);
	cr_assert_str_eq(m.summary, "a: 1 item; b: 1 item; total=2");
}
