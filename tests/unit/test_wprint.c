/* Headless lines: shapes, JSON fields, rate limiting, escaping. */
#include <criterion/criterion.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wsdash/wprint.h"

static struct config cfg;
static struct mon m;
static struct wprint p;

static void
setup(bool json)
{
	char err[128];

	config_init(&cfg, NULL);
	cr_assert(config_add_url(&cfg, "ws://h:1/ws/live", err, sizeof(err)));
	cr_assert(mon_init(&m, &cfg, 0, true));
	cr_assert(wprint_init(&p, &m, json, true));
}

static void
fini(void)
{
	wprint_done(&p);
	mon_done(&m);
	config_free(&cfg);
}

static char *
apply(struct mon_event *e, int64_t now)
{
	unsigned chg = mon_apply(&m, &m.eps[0], e, now);

	return chg ? wprint_change(&p, &m.eps[0], chg, e, now, 1764108000000.0)
	           : NULL;
}

static cJSON *
parse_line(char *s)
{
	cJSON *j;

	cr_assert_not_null(s);
	cr_assert_eq(strchr(s, '\n'), s + strlen(s) - 1, "one line: %s", s);
	j = cJSON_Parse(s);
	cr_assert_not_null(j, "not JSON: %s", s);
	free(s);
	return j;
}

Test(wprint, json_state_message_rtt_poll, .fini = fini)
{
	struct mon_event open = {.kind = MEV_WS_OPEN};
	struct mon_event msg = {.kind = MEV_MESSAGE, .wall_ms = 1764108000100};
	struct mon_event pong = {.kind = MEV_PONG, .rtt_us = 1500};
	struct mon_event closed = {.kind = MEV_WS_CLOSED, .close_code = 1001};
	struct mon_event poll = {.kind = MEV_POLL_OK,
	                         .status = 200,
	                         .rtt_us = 2500,
	                         .data = "[1,2]",
	                         .len = 5};
	cJSON *j;

	setup(true);
	j = parse_line(apply(&open, 1));
	cr_assert_str_eq(cJSON_GetObjectItem(j, "endpoint")->valuestring,
	                 "live");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "event")->valuestring, "state");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "state")->valuestring, "live");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "mode")->valuestring,
	                 "websocket");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "reason")));
	cr_assert_float_eq(cJSON_GetObjectItem(j, "ts_ms")->valuedouble,
	                   1764108000000.0, 1e-3);
	cJSON_Delete(j);

	msg.data =
	    "{\"type\":\"u\",\"sent_at\":1764108000090,\"x\":\"\\u001b[2J\"}";
	msg.len = strlen(msg.data);
	j = parse_line(apply(&msg, 2));
	cr_assert_str_eq(cJSON_GetObjectItem(j, "event")->valuestring,
	                 "message");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "msg_type")->valuestring, "u");
	cr_assert_eq(cJSON_GetObjectItem(j, "bytes")->valuedouble, msg.len);
	cr_assert_float_eq(cJSON_GetObjectItem(j, "lag_ms")->valuedouble, 10,
	                   1e-9);
	cr_assert_null(
	    strchr(cJSON_GetObjectItem(j, "summary")->valuestring, '\x1b'));
	cJSON_Delete(j);

	j = parse_line(apply(&pong, 3));
	cr_assert_str_eq(cJSON_GetObjectItem(j, "event")->valuestring, "rtt");
	cr_assert_float_eq(cJSON_GetObjectItem(j, "rtt_ms")->valuedouble, 1.5,
	                   1e-9);
	cJSON_Delete(j);

	j = parse_line(apply(&closed, 4));
	cr_assert_str_eq(cJSON_GetObjectItem(j, "state")->valuestring, "down",
	                 "down until a poll answers");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "from")->valuestring, "live");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "poll_pending")));
	cr_assert_str_eq(cJSON_GetObjectItem(j, "browser")->valuestring,
	                 "Polling fallback");
	cJSON_Delete(j);

	/* the first poll that answers: its line, then down -> polling */
	{
		char *two = apply(&poll, 5), *nl = strchr(two, '\n');

		cr_assert_not_null(nl);
		cr_assert(strstr(nl + 1, "\"state\":\"polling\""), "%s", two);
		nl[1] = '\0';
		j = parse_line(two);
	}
	cr_assert_str_eq(cJSON_GetObjectItem(j, "event")->valuestring, "poll");
	cr_assert_eq(cJSON_GetObjectItem(j, "http_status")->valuedouble, 200);
	cr_assert_float_eq(cJSON_GetObjectItem(j, "rtt_ms")->valuedouble, 2.5,
	                   1e-9);
	cJSON_Delete(j);
}

Test(wprint, plain_lines_and_flood_summary, .fini = fini)
{
	struct mon_event open = {.kind = MEV_WS_OPEN};
	struct mon_event msg = {.kind = MEV_MESSAGE,
	                        .data = "{\"type\":\"tick\"}"};
	int lines = 0;
	char *s;

	setup(false);
	msg.len = strlen(msg.data);
	s = apply(&open, 1);
	cr_assert(strstr(s, "  live  ") && strstr(s, "connecting -> live"),
	          "%s", s);
	free(s);
	for (int i = 0; i < 50; i++) {
		s = apply(&msg, 10 + i);
		if (s) {
			cr_assert(strstr(s, "message  tick"), "%s", s);
			lines++;
			free(s);
		}
	}
	cr_assert_eq(lines, WPRINT_MSG_LINES);
	s = wprint_tick(&p, 1000000, 1764108001000.0);
	cr_assert(strstr(s, "summary") && strstr(s, "50 msgs/s"), "%s", s);
	free(s);
	/* while flooding: no message lines at all, one summary a second */
	s = apply(&msg, 1000100);
	cr_assert_null(s);
	s = wprint_tick(&p, 2000000, 1764108002000.0);
	cr_assert_null(s, "1 msg/s is no flood");
	s = apply(&msg, 2000100);
	cr_assert_not_null(s, "quiet again: lines are back");
	free(s);
}
