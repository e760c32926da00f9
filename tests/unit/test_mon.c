/*
 * The live model with injected time: every (state, event) pair, fallback
 * bookkeeping, backoff, RTT statistics, rates, time share, history bounds.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/mon.h"
#include "wsdash/probe.h"

#define S 1000000LL /* one second in us */

static struct config cfg;
static struct mon m;

static void
setup_with(bool poll)
{
	char err[128];

	config_init(&cfg, NULL);
	cr_assert(config_add_url(&cfg, "ws://h:1/ws/live", err, sizeof(err)));
	cfg.eps[0].has_poll = poll;
	cr_assert(mon_init(&m, &cfg, 0, true));
}

static void
teardown_all(void)
{
	mon_done(&m);
	config_free(&cfg);
}

static unsigned
ev(struct mon_ep *ep, enum mon_ev_kind k, int64_t at)
{
	struct mon_event e = {.kind = k, .wall_ms = 1000};

	if (k == MEV_WS_FAIL) {
		e.status = 404;
		e.cls = PC_NOT_FOUND;
	}
	if (k == MEV_PONG)
		e.rtt_us = 500;
	if (k == MEV_POLL_OK || k == MEV_POLL_FAIL)
		e.status = k == MEV_POLL_OK ? 200 : 503;
	if (k == MEV_MESSAGE) {
		e.data = "{\"type\":\"x\"}";
		e.len = strlen(e.data);
	}
	return mon_apply(&m, ep, &e, at);
}

/* Put ep in state s by a realistic path. */
static void
reach(struct mon_ep *ep, enum mon_state s)
{
	switch (s) {
	case MON_CONNECTING:
		break;
	case MON_LIVE:
		ev(ep, MEV_WS_OPEN, 1);
		break;
	case MON_STALE:
		ev(ep, MEV_WS_OPEN, 1);
		ev(ep, MEV_PONG_LATE, 2);
		break;
	case MON_POLLING:
		ev(ep, MEV_WS_FAIL, 1);
		ev(ep, MEV_POLL_OK, 2);
		break;
	case MON_DOWN:
		ev(ep, MEV_WS_FAIL, 1);
		ev(ep, MEV_POLL_FAIL, 2);
		break;
	default:
		break;
	}
	cr_assert_eq(ep->state, s, "could not reach %s", mon_state_name(s));
}

/*
 * The whole table, with a poll URL. C=connecting L=live T=stale P=polling
 * D=down; "=" keeps the state. Losing the WebSocket means down until a
 * poll answers: polling is only ever reached through a poll that did.
 */
Test(mon, transition_table_with_polling, .fini = teardown_all)
{
	static const char *const table[MON_NSTATES] = {
	    /*              OPEN FAIL CLOSED PONG LATE MSG DROP POK PFAIL RESUME
	     */
	    /* connecting */ "L D D = = = = = = C",
	    /* live       */ "L = D = T = = = = C",
	    /* stale      */ "L = D L = = = = = C",
	    /* polling    */ "L = = = = = = = D C",
	    /* down       */ "L = = = = = = P = C",
	};
	static const enum mon_ev_kind kinds[] = {
	    MEV_WS_OPEN,   MEV_WS_FAIL, MEV_WS_CLOSED,   MEV_PONG,
	    MEV_PONG_LATE, MEV_MESSAGE, MEV_MSG_DROPPED, MEV_POLL_OK,
	    MEV_POLL_FAIL, MEV_RESUME};
	const char *letters = "CLTPD";

	for (int s = 0; s < MON_NSTATES; s++) {
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			char want = table[s][k * 2];
			enum mon_state expect =
			    want == '=' ? (enum mon_state)s
			                : (enum mon_state)(
			                      strchr(letters, want) - letters);
			struct mon_ep *ep;

			setup_with(true);
			ep = &m.eps[0];
			reach(ep, s);
			ev(ep, kinds[k], 10);
			cr_assert_eq(
			    ep->state, expect, "%s + event %d: got %s, want %s",
			    mon_state_name(s), kinds[k],
			    mon_state_name(ep->state), mon_state_name(expect));
			teardown_all();
		}
	}
	setup_with(true);
}

/* Without a poll URL the WebSocket's loss means down, not polling. */
Test(mon, no_poll_url_falls_to_down, .fini = teardown_all)
{
	struct mon_ep *ep;

	setup_with(false);
	ep = &m.eps[0];
	ev(ep, MEV_WS_FAIL, 1);
	cr_assert_eq(ep->state, MON_DOWN);
	cr_assert_eq(ep->mode, MON_MODE_NONE);
	ev(ep, MEV_WS_OPEN, 2);
	ev(ep, MEV_WS_CLOSED, 3);
	cr_assert_eq(ep->state, MON_DOWN);
	ev(ep, MEV_POLL_OK, 4); /* a stray poll cannot make it "polling" */
	cr_assert_eq(ep->state, MON_DOWN);
}

Test(mon, modes_follow_states, .fini = teardown_all)
{
	struct mon_ep *ep;

	setup_with(true);
	ep = &m.eps[0];
	cr_assert_eq(ep->mode, MON_MODE_NONE);
	ev(ep, MEV_WS_OPEN, 1);
	cr_assert_eq(ep->mode, MON_MODE_WEBSOCKET);
	ev(ep, MEV_PONG_LATE, 2);
	cr_assert_eq(ep->mode, MON_MODE_WEBSOCKET, "stale is still open");
	ev(ep, MEV_WS_CLOSED, 3);
	cr_assert_eq(ep->mode, MON_MODE_NONE, "no poll has answered yet");
	cr_assert(ep->poll_pending);
	ev(ep, MEV_POLL_OK, 4);
	cr_assert_eq(ep->mode, MON_MODE_POLLING);
	cr_assert_not(ep->poll_pending);
	ev(ep, MEV_POLL_FAIL, 5);
	cr_assert_eq(ep->mode, MON_MODE_NONE);
}

Test(mon, fallback_bookkeeping_and_recovery, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_event closed = {
	    .kind = MEV_WS_CLOSED, .close_code = 1001, .text = "stream down"};
	const struct mon_transition *t;

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_OPEN, 1 * S);
	cr_assert_eq(mon_apply(&m, ep, &closed, 5 * S) & MON_CHG_STATE,
	             MON_CHG_STATE);
	cr_assert_eq(ep->state, MON_DOWN, "flagged at once, not polling yet");
	cr_assert(ep->poll_pending);
	ev(ep, MEV_POLL_OK, 5 * S + 1000);
	cr_assert_eq(ep->state, MON_POLLING);
	cr_assert_eq(ep->fallbacks, 1);
	cr_assert_eq(ep->fallback_since_us, 5 * S);
	cr_assert(strstr(ep->fallback_reason, "1001") &&
	              strstr(ep->fallback_reason, "stream down"),
	          "%s", ep->fallback_reason);
	/* two retries fail; the count and last reason are kept, and the
	 * reason shown is the latest failure */
	cr_assert_eq(ev(ep, MEV_WS_FAIL, 6 * S), MON_CHG_OTHER);
	ev(ep, MEV_WS_FAIL, 8 * S);
	cr_assert_eq(ep->retries, 2);
	cr_assert(strstr(ep->retry_reason, "404"), "%s", ep->retry_reason);
	cr_assert_str_eq(ep->reason, ep->retry_reason);
	cr_assert(strstr(ep->fallback_reason, "1001"), "the cause is kept");
	mon_set_next_retry(ep, 12 * S);
	cr_assert_eq(ep->next_retry_us, 12 * S);
	/* recovery */
	ev(ep, MEV_WS_OPEN, 12 * S);
	cr_assert_eq(ep->state, MON_LIVE);
	cr_assert_eq(ep->last_fallback_us, 7 * S);
	cr_assert_eq(ep->fallback_since_us, 0);
	cr_assert_eq(ep->retries, 0);
	cr_assert_eq(ep->next_retry_us, 0);
	cr_assert_eq(ep->reconnects, 1);
	/* history, newest first, with times and reasons */
	t = mon_history(ep, 0);
	cr_assert_eq(t->from, MON_POLLING);
	cr_assert_eq(t->to, MON_LIVE);
	cr_assert_eq(t->at_us, 12 * S);
	t = mon_history(ep, 1);
	cr_assert_eq(t->to, MON_POLLING);
	t = mon_history(ep, 2);
	cr_assert_eq(t->to, MON_DOWN);
	cr_assert(strstr(t->reason, "closed by server (1001"), "%s", t->reason);
	t = mon_history(ep, 3);
	cr_assert_eq(t->from, MON_CONNECTING);
	cr_assert_null(mon_history(ep, 4));
}

Test(mon, reasons_name_class_status_and_errors, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_event fail = {.kind = MEV_WS_FAIL,
	                         .cls = PC_REFUSED,
	                         .text = "connection refused"};
	struct mon_event pf = {.kind = MEV_POLL_FAIL,
	                       .text = "no answer in 3000 ms"};

	setup_with(true);
	ep = &m.eps[0];
	mon_apply(&m, ep, &fail, 1);
	cr_assert_str_eq(ep->reason, "connection refused");
	mon_apply(&m, ep, &pf, 2);
	cr_assert_eq(ep->state, MON_DOWN);
	cr_assert_str_eq(ep->reason, "poll: no answer in 3000 ms");
	/* hostile text is sanitized on the way in */
	struct mon_event nasty = {.kind = MEV_WS_OPEN};
	struct mon_event closed = {.kind = MEV_WS_CLOSED,
	                           .close_code = 1000,
	                           .text = "\x1b]0;pwned\x07\x1b[2J"};
	mon_apply(&m, ep, &nasty, 3);
	mon_apply(&m, ep, &closed, 4);
	cr_assert_null(strchr(ep->reason, '\x1b'), "%s", ep->reason);
	cr_assert_null(strchr(ep->reason, '\x07'));
}

/* 1002 may be a restart (lws reports 1012-1014 as 1002): say so, and
 * call it a restart once the server refuses and comes back. */
Test(mon, a_1002_close_then_refused_reads_as_a_restart, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_event closed = {.kind = MEV_WS_CLOSED, .close_code = 1002};
	struct mon_event refused = {.kind = MEV_WS_FAIL,
	                            .cls = PC_REFUSED,
	                            .text = "connection refused"};

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_OPEN, 1 * S);
	mon_apply(&m, ep, &closed, 2 * S);
	cr_assert(strstr(ep->reason, "1002") && strstr(ep->reason, "1012"),
	          "%s", ep->reason);
	mon_apply(&m, ep, &refused, 3 * S);
	cr_assert(strstr(ep->reason, "server restarting"), "%s", ep->reason);
	cr_assert(strstr(ep->fallback_reason, "server restart"), "%s",
	          ep->fallback_reason);
	ev(ep, MEV_WS_OPEN, 4 * S);
	cr_assert(strstr(ep->reason, "back after a restart"), "%s", ep->reason);
	/* and a close without a reason text says what its code means */
	{
		struct mon_event c2 = {.kind = MEV_WS_CLOSED,
		                       .close_code = 1011};

		mon_apply(&m, ep, &c2, 5 * S);
		cr_assert(strstr(ep->reason, "(1011 server error)"), "%s",
		          ep->reason);
	}
}

/* Messages of types that are not the endpoint's own: other traffic. */
Test(mon, other_types_are_counted_apart, .fini = teardown_all)
{
	struct mon_ep *ep;
	static const char *const own[] = {"workflows_update"};
	struct mon_event mine = {.kind = MEV_MESSAGE,
	                         .data = "{\"type\":\"workflows_update\","
	                                 "\"data\":[]}"},
	                 other = {.kind = MEV_MESSAGE,
	                          .data = "{\"type\":\"queue_update\","
	                                  "\"data\":{}}"};

	setup_with(true);
	ep = &m.eps[0];
	cfg.eps[0].types = malloc(sizeof(char *));
	cfg.eps[0].types[0] = strdup(own[0]);
	cfg.eps[0].ntypes = 1;
	mine.len = strlen(mine.data);
	other.len = strlen(other.data);
	ev(ep, MEV_WS_OPEN, 1 * S);
	cr_assert_eq(mon_apply(&m, ep, &mine, 2 * S), MON_CHG_MESSAGE);
	cr_assert_eq(mon_apply(&m, ep, &other, 2 * S), MON_CHG_OTHER_MSG);
	cr_assert_eq(mon_apply(&m, ep, &other, 2 * S), MON_CHG_OTHER_MSG);
	cr_assert_eq(ep->msgs, 1);
	cr_assert_eq(ep->others, 2);
	cr_assert_str_eq(ep->other_type, "queue_update");
	cr_assert_str_eq(mon_last_info(ep)->type, "workflows_update",
	                 "other traffic is not the last event");
	cr_assert_float_eq(mon_rate(ep, 3 * S), 1.0 / MON_RATE_WINDOW, 1e-9,
	                   "nor counted in the rate");
}

/*
 * Without types, a message's type decides nothing: it is analysed only
 * when someone looks (a flood nobody reads is not parsed), and then right.
 */
Test(mon, untyped_messages_are_analysed_when_asked, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_event msg = {.kind = MEV_MESSAGE,
	                        .data = "{\"type\":\"routes_update\","
	                                "\"sent_at\":1764108000123,"
	                                "\"data\":[{\"status\":\"ok\"}]}"};

	setup_with(true);
	ep = &m.eps[0];
	msg.len = strlen(msg.data);
	ev(ep, MEV_WS_OPEN, 1 * S);
	cr_assert_eq(mon_apply(&m, ep, &msg, 2 * S), MON_CHG_MESSAGE);
	cr_assert_not(ep->last_info_ok, "parsed on arrival");
	cr_assert_str_eq(mon_last_info(ep)->type, "routes_update");
	cr_assert(ep->last_info_ok);
	cr_assert(mon_last_info(ep)->has_time);
	cr_assert(strstr(mon_last_info(ep)->summary, "1 item"), "%s",
	          mon_last_info(ep)->summary);
	/* a new message: its own analysis, not the old one's */
	msg.data = "[1,2,3]";
	msg.len = 7;
	mon_apply(&m, ep, &msg, 3 * S);
	cr_assert_str_neq(mon_last_info(ep)->type, "routes_update");
}

/*
 * What a browser with the web frontend shows: reconnects after 2, 4, 8,
 * 16, 30, 30... s (+0.5 s mean jitter), gives up after 10 tries; when the
 * stream is back for us it comes back at its next try.
 */
Test(mon, what_a_browser_would_show, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_browser_view v;
	struct mon_event closed = {.kind = MEV_WS_CLOSED, .close_code = 1001};

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_OPEN, 1 * S);
	mon_browser(ep, 2 * S, &v);
	cr_assert_eq(v.view, MB_LIVE);
	mon_apply(&m, ep, &closed, 10 * S);
	mon_browser(ep, 11 * S, &v);
	cr_assert_eq(v.view, MB_FALLBACK);
	cr_assert_eq(v.tries, 0);
	cr_assert_eq(v.next_try_us, 10 * S + 2500000);
	cr_assert_str_eq(mon_browser_text(v.view), "Polling fallback");
	/* back for us at 20 s: the browser's tries are at 12.5, 17, 25.5 s */
	ev(ep, MEV_WS_OPEN, 20 * S);
	mon_browser(ep, 21 * S, &v);
	cr_assert_eq(v.view, MB_FALLBACK, "the browser has not retried yet");
	cr_assert_eq(v.next_try_us, 10 * S + 2500000 + 4500000 + 8500000);
	mon_browser(ep, 26 * S, &v);
	cr_assert_eq(v.view, MB_LIVE);
	/* down for good: gives up after 10 tries (2+4+8+16+30x6 s + 5 s) */
	mon_apply(&m, ep, &closed, 100 * S);
	mon_browser(ep, 100 * S + 214 * S, &v);
	cr_assert_eq(v.view, MB_FALLBACK);
	mon_browser(ep, 100 * S + 216 * S, &v);
	cr_assert_eq(v.view, MB_GAVE_UP);
	cr_assert_eq(v.tries, MON_BROWSER_TRIES);
}

/* An open stream that answers pings but says nothing goes silent. */
Test(mon, an_open_stream_without_messages_goes_silent, .fini = teardown_all)
{
	struct mon_ep *ep;

	setup_with(true);
	ep = &m.eps[0];
	ep->max_silence_ms = 10000;
	ev(ep, MEV_WS_OPEN, 1 * S);
	cr_assert_not(mon_silence(ep, 5 * S));
	ev(ep, MEV_MESSAGE, 6 * S);
	cr_assert_not(mon_silence(ep, 15 * S), "a message 9 s ago");
	cr_assert(mon_silence(ep, 16 * S));
	cr_assert(ep->silent);
	cr_assert_not(mon_silence(ep, 17 * S), "reported once");
	ev(ep, MEV_MESSAGE, 18 * S);
	cr_assert(mon_silence(ep, 18 * S));
	cr_assert_not(ep->silent);
	ep->max_silence_ms = 0;
	cr_assert_not(mon_silence(ep, 100 * S), "off without a limit");
}

Test(mon, pause_ignores_late_events_and_resume_reconnects, .fini = teardown_all)
{
	struct mon_ep *ep;

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_OPEN, 1 * S);
	ev(ep, MEV_PAUSE, 2 * S);
	cr_assert(ep->paused);
	cr_assert_eq(ep->mode, MON_MODE_NONE);
	cr_assert_eq(ev(ep, MEV_MESSAGE, 3 * S), 0);
	cr_assert_eq(ep->msgs, 0);
	ev(ep, MEV_RESUME, 10 * S);
	cr_assert_not(ep->paused);
	cr_assert_eq(ep->state, MON_CONNECTING);
	/* 1 s connecting + 1 s live; the 8 paused seconds count for nothing */
	cr_assert_float_eq(mon_ws_share(ep, 10 * S), 0.5, 1e-9);
}

Test(mon, backoff_schedule)
{
	/* without jitter (u = 0.5 gives factor 1.0) */
	int64_t want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};

	for (unsigned a = 0; a < 7; a++)
		cr_assert_eq(mon_backoff_ms(a, 0.5, 1000), want[a],
		             "attempt %u", a);
	cr_assert_eq(mon_backoff_ms(1000, 0.5, 1000), 30000, "never gives up");
	cr_assert_eq(mon_backoff_ms(0, 0.0, 1000), 800);
	cr_assert_eq(mon_backoff_ms(0, 0.999, 1000), 1199);
	cr_assert_eq(mon_backoff_ms(10, 0.999, 1000), 30000,
	             "cap holds with jitter");
	cr_assert_geq(mon_backoff_ms(10, 0.0, 1000), 24000);
}

Test(mon, rtt_stats)
{
	struct rtt_ring r = {0};
	struct rtt_stats s;
	int32_t v[4];

	rtt_stats(&r, &s);
	cr_assert_eq(s.n, 0);
	for (int i = 1; i <= 100; i++)
		rtt_add(&r, i * 10);
	rtt_stats(&r, &s);
	cr_assert_eq(s.n, 100);
	cr_assert_eq(s.last, 1000);
	cr_assert_eq(s.min, 10);
	cr_assert_eq(s.avg, 505);
	cr_assert_eq(s.p95, 950);
	cr_assert_eq(s.jitter, 10);
	/* the ring keeps the last 120 */
	for (int i = 0; i < 200; i++)
		rtt_add(&r, 7);
	rtt_stats(&r, &s);
	cr_assert_eq(s.n, RTT_RING);
	cr_assert_eq(s.min, 7);
	cr_assert_eq(s.p95, 7);
	cr_assert_eq(s.jitter, 0);
	rtt_add(&r, 100);
	cr_assert_eq(rtt_recent(&r, v, 4), 4);
	cr_assert_eq(v[3], 100);
	cr_assert_eq(v[2], 7);
	rtt_add(&r, -5);
	rtt_stats(&r, &s);
	cr_assert_eq(s.last, 0, "negative samples clamp to 0");
}

Test(mon, counters_rate_and_share, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_event drop = {.kind = MEV_MSG_DROPPED, .len = 2000000};

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_OPEN, 0);
	for (int sec = 0; sec < 5; sec++)
		for (int i = 0; i < 20; i++)
			ev(ep, MEV_MESSAGE, sec * S + i * 1000);
	cr_assert_eq(ep->msgs, 100);
	cr_assert_eq(ep->bytes, 100 * strlen("{\"type\":\"x\"}"));
	cr_assert_float_eq(mon_rate(ep, 5 * S + 1), 20.0, 1e-9);
	cr_assert_float_eq(mon_rate(ep, 30 * S), 0.0, 1e-9,
	                   "old seconds expire");
	mon_apply(&m, ep, &drop, 5 * S);
	cr_assert_eq(ep->dropped, 1);
	cr_assert_eq(ep->msgs, 100, "dropped messages are not messages");
	/* 10 s on WebSocket, then 10 s polling: half */
	ev(ep, MEV_WS_CLOSED, 10 * S);
	cr_assert_float_eq(mon_ws_share(ep, 20 * S), 0.5, 1e-9);
	ev(ep, MEV_PONG, 20 * S);
	cr_assert_eq(ep->rtt.count, 1);
}

/*
 * A message larger than the copy kept for display is still analysed
 * whole: valid JSON of 3 x 64 KiB has its type, seq and summary.
 */
Test(mon, big_messages_are_analysed_whole_and_kept_bounded,
     .fini = teardown_all)
{
	struct mon_ep *ep;
	size_t cap = MON_LAST_MAX * 4, n;
	char *blob = malloc(cap);
	struct mon_event e = {.kind = MEV_MESSAGE, .wall_ms = 1764108000500};
	const struct msg_info *mi;
	double lag;
	int items = 0;

	setup_with(true);
	ep = &m.eps[0];
	n = (size_t)snprintf(blob, cap,
	                     "{\"type\":\"big_update\",\"seq\":7,"
	                     "\"data\":[");
	while (n < MON_LAST_MAX * 3) {
		n += (size_t)snprintf(blob + n, cap - n,
		                      "%s{\"status\":\"running\",\"pad\":"
		                      "\"%064d\"}",
		                      items ? "," : "", items);
		items++;
	}
	n += (size_t)snprintf(blob + n, cap - n, "]}");
	e.data = blob;
	e.len = n;
	mon_apply(&m, ep, &e, 1);
	cr_assert_eq(ep->last_len, MON_LAST_MAX, "the copy is bounded");
	cr_assert_eq(ep->last_full, n);
	mi = mon_last_info(ep);
	cr_assert_str_eq(mi->type, "big_update", "analysed from the copy?");
	cr_assert(mi->has_seq && mi->seq == 7);
	{
		char want[64];

		snprintf(want, sizeof(want), "%d items: %d running", items,
		         items);
		cr_assert_str_eq(mi->summary, want);
	}
	e.data = "{\"type\":\"t\",\"sent_at\":1764108000000,\"data\":[]}";
	e.len = strlen(e.data);
	mon_apply(&m, ep, &e, 2);
	mi = mon_last_info(ep);
	cr_assert_str_eq(mi->type, "t");
	cr_assert(mon_last_lag(ep, &lag));
	cr_assert_float_eq(lag, 500.0, 1e-6);
	/* an absurd send time is no send time: no lag, not -9e17 ms */
	e.data = "{\"type\":\"t\",\"sent_at\":1e308}";
	e.len = strlen(e.data);
	mon_apply(&m, ep, &e, 3);
	cr_assert_not(mon_last_lag(ep, &lag));
	free(blob);
}

Test(mon, history_is_bounded, .fini = teardown_all)
{
	struct mon_ep *ep;

	setup_with(true);
	ep = &m.eps[0];
	for (int i = 0; i < 1000; i++) {
		ev(ep, MEV_WS_OPEN, i * 10);
		ev(ep, MEV_WS_CLOSED, i * 10 + 5);
	}
	cr_assert_eq(ep->hist_len, MON_HISTORY);
	cr_assert_eq(ep->fallbacks, 1000);
	cr_assert_eq(ep->reconnects, 999);
	cr_assert_null(mon_history(ep, MON_HISTORY));
	cr_assert_eq(mon_history(ep, 0)->to, MON_DOWN);
}

/* ---- the exporter's counters (the block at the end of struct mon_ep) -- */

Test(mon, fallback_time_is_counted_while_polling_or_down, .fini = teardown_all)
{
	struct mon_ep *ep;
	int64_t ws, fb;

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_OPEN, 1 * S);           /* connecting 1 s: neither */
	ev(ep, MEV_WS_CLOSED, 3 * S);         /* live 2 s */
	ev(ep, MEV_POLL_OK, 4 * S);           /* down 1 s, then polling */
	mon_time_totals(ep, 6 * S, &ws, &fb); /* ... 2 s of it so far */
	cr_assert_eq(ws, 2 * S);
	cr_assert_eq(fb, 3 * S);
	cr_assert_eq(ep->fallback_us, 1 * S, "accounted up to the last event");
	ev(ep, MEV_WS_OPEN, 7 * S); /* fallback lasted 4 s in all */
	mon_time_totals(ep, 10 * S, &ws, &fb);
	cr_assert_eq(ws, 5 * S);
	cr_assert_eq(fb, 4 * S);
	/* paused time counts for neither */
	ev(ep, MEV_WS_CLOSED, 10 * S);
	ev(ep, MEV_PAUSE, 11 * S);
	mon_time_totals(ep, 20 * S, &ws, &fb);
	cr_assert_eq(fb, 5 * S);
	cr_assert_eq(ws, 5 * S);
}

Test(mon, rtt_histogram_buckets_and_sum, .fini = teardown_all)
{
	static const int64_t samples[] = {50,  100,  101,      250,
	                                  999, 1000, 10000000, 10000001};
	struct mon_ep *ep;
	uint64_t total = 0;

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_OPEN, 1);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct mon_event e = {.kind = MEV_PONG, .rtt_us = samples[i]};

		mon_apply(&m, ep, &e, 2 + (int64_t)i);
	}
	/* le is inclusive: 100 us is in the first bucket, 101 in the next */
	cr_assert_eq(ep->rtt_hist[0], 2); /* 50, 100 */
	cr_assert_eq(ep->rtt_hist[1], 2); /* 101, 250 */
	cr_assert_eq(ep->rtt_hist[3], 2); /* 999, 1000 (<= 1 ms) */
	cr_assert_eq(ep->rtt_hist[MON_HIST_BUCKETS - 1], 1); /* 10 s */
	cr_assert_eq(ep->rtt_hist[MON_HIST_BUCKETS], 1);     /* above */
	for (int i = 0; i <= MON_HIST_BUCKETS; i++)
		total += ep->rtt_hist[i];
	cr_assert_eq(total, 8);
	cr_assert_eq(ep->rtt_sum_us,
	             50 + 100 + 101 + 250 + 999 + 1000 + 10000000 + 10000001);
	cr_assert_eq(ep->poll_hist[0] + ep->poll_sum_us, 0, "polls apart");
}

Test(mon, poll_histogram_counts_answers_only, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_event ok = {
	    .kind = MEV_POLL_OK, .status = 200, .rtt_us = 3000};
	struct mon_event bad = {
	    .kind = MEV_POLL_FAIL, .status = 503, .rtt_us = 400};
	struct mon_event none = {.kind = MEV_POLL_FAIL,
	                         .status = 0,
	                         .rtt_us = 3000000,
	                         .text = "refused"};

	setup_with(true);
	ep = &m.eps[0];
	ev(ep, MEV_WS_FAIL, 1);
	mon_apply(&m, ep, &ok, 2);
	mon_apply(&m, ep, &bad, 3);
	mon_apply(&m, ep, &none, 4);       /* no answer: no round trip */
	cr_assert_eq(ep->poll_hist[5], 1); /* 3 ms: <= 5 ms */
	cr_assert_eq(ep->poll_hist[2], 1); /* 400 us: <= 500 us */
	cr_assert_eq(ep->poll_sum_us, 3400);
	cr_assert_eq(ep->polls, 3);
	cr_assert_eq(ep->poll_failures, 2);
}

Test(mon, last_message_time_is_own_messages_only, .fini = teardown_all)
{
	struct mon_ep *ep;
	struct mon_event other = {.kind = MEV_MESSAGE,
	                          .data = "{\"type\":\"routes_update\"}",
	                          .wall_ms = 9000};

	setup_with(true);
	ep = &m.eps[0];
	/* (config_free frees them) */
	cfg.eps[0].types = calloc(1, sizeof(char *));
	cr_assert_not_null(cfg.eps[0].types);
	cfg.eps[0].types[0] = strdup("x");
	cfg.eps[0].ntypes = 1;
	ev(ep, MEV_WS_OPEN, 1);
	cr_assert_eq(ep->last_msg_wall_ms, 0);
	ev(ep, MEV_MESSAGE, 2); /* type x, wall 1000 */
	cr_assert_eq(ep->last_msg_wall_ms, 1000);
	other.len = strlen(other.data);
	mon_apply(&m, ep, &other, 3);
	cr_assert_eq(ep->last_msg_wall_ms, 1000, "other traffic is apart");
	cr_assert_eq(ep->others, 1);
}
