/*
 * The --status-line text: groups and words per state, tmux styles or none,
 * ASCII without UTF-8, '#' made literal for tmux, and a line that fits its
 * columns with names told apart.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "wsdash/sanitize.h"
#include "wsdash/statusline.h"

static struct config cfg;
static struct mon m;

static void
setup(const char *const *urls, bool utf8)
{
	char err[128];

	config_init(&cfg, NULL);
	for (; *urls; urls++)
		cr_assert(config_add_url(&cfg, *urls, err, sizeof(err)), "%s",
		          err);
	cr_assert(mon_init(&m, &cfg, 0, utf8));
}

static void
fini(void)
{
	mon_done(&m);
	config_free(&cfg);
}

static const char *const three[] = {"ws://h:1/ws/workflows",
                                    "ws://h:1/ws/workflow-history",
                                    "ws://h:1/ws/routes", NULL};

/* Put endpoint i in a state the way the transport would. */
static void
to_state(size_t i, enum mon_state s, int64_t at)
{
	struct mon_event e = {.kind = MEV_WS_OPEN};

	mon_apply(&m, &m.eps[i], &e, at);
	if (s == MON_LIVE)
		return;
	e = (struct mon_event){.kind = MEV_WS_CLOSED, .close_code = 1001};
	mon_apply(&m, &m.eps[i], &e, at + 1);
	if (s == MON_POLLING) {
		e = (struct mon_event){.kind = MEV_POLL_OK, .status = 200};
		mon_apply(&m, &m.eps[i], &e, at + 2);
	}
	cr_assert_eq(m.eps[i].state, s, "%s", mon_state_name(m.eps[i].state));
}

static const char *
line(enum statusline_format f, bool utf8, int cols)
{
	static char out[STATUSLINE_MAX];

	statusline_text(out, sizeof(out), &m, f, utf8, cols);
	cr_assert_null(strchr(out, '\n'), "%s", out);
	return out;
}

Test(statusline, groups_words_and_symbols, .fini = fini)
{
	setup(three, true);
	cr_assert_str_eq(line(STATUSLINE_PLAIN, true, 80),
	                 "\u25cb workflows,workflow-history,routes connecting");
	for (size_t i = 0; i < 3; i++)
		to_state(i, MON_LIVE, 1000);
	cr_assert_str_eq(line(STATUSLINE_PLAIN, true, 40), "\u25cf 3 live");
	to_state(2, MON_POLLING, 2000);
	cr_assert_str_eq(line(STATUSLINE_PLAIN, true, 40),
	                 "\u25cf 2 live \u21bb routes polling");
	to_state(0, MON_DOWN, 3000);
	cr_assert_str_eq(line(STATUSLINE_PLAIN, true, 80),
	                 "\u25cf 1 live \u2716 workflows down \u21bb routes "
	                 "polling");
	/* two columns too many: the longest name gives them */
	cr_assert_str_eq(line(STATUSLINE_PLAIN, true, 40),
	                 "\u25cf 1 live \u2716 wor\u2026ows down \u21bb routes "
	                 "polling");
	/* nothing live: no "0 live" */
	to_state(1, MON_DOWN, 4000);
	cr_assert_str_eq(line(STATUSLINE_PLAIN, true, 80),
	                 "\u2716 workflows,workflow-history down \u21bb routes "
	                 "polling");
}

Test(statusline, tmux_styles_and_plain_without, .fini = fini)
{
	const char *s;

	setup(three, true);
	for (size_t i = 0; i < 3; i++)
		to_state(i, MON_LIVE, 1000);
	to_state(2, MON_POLLING, 2000);
	s = line(STATUSLINE_TMUX, true, 40);
	cr_assert_str_eq(s, "#[fg=green]\u25cf 2 live#[default] "
	                    "#[fg=yellow]\u21bb routes polling#[default]");
	/* styles take no columns: the same shape as plain */
	cr_assert_null(strstr(line(STATUSLINE_PLAIN, true, 40), "#["));
	cr_assert_null(strstr(line(STATUSLINE_PLAIN, true, 40), "default"));
}

Test(statusline, ascii_without_utf8, .fini = fini)
{
	const char *s;

	setup(three, false);
	to_state(0, MON_LIVE, 1000);
	to_state(1, MON_DOWN, 1000);
	to_state(2, MON_POLLING, 1000);
	s = line(STATUSLINE_PLAIN, false, 80);
	cr_assert_str_eq(s,
	                 "* 1 live x workflow-history down % routes polling");
	s = line(STATUSLINE_TMUX, false, 80);
	for (const char *p = s; *p; p++)
		cr_assert_lt((unsigned char)*p, 0x80, "non-ASCII in %s", s);
}

Test(statusline, stale_connecting_and_paused, .fini = fini)
{
	struct mon_event late = {.kind = MEV_PONG_LATE};
	struct mon_event pause = {.kind = MEV_PAUSE};

	setup(three, true);
	to_state(0, MON_LIVE, 1000);
	mon_apply(&m, &m.eps[0], &late, 2000);
	cr_assert_eq(m.eps[0].state, MON_STALE);
	to_state(1, MON_LIVE, 1000);
	mon_apply(&m, &m.eps[1], &pause, 2000);
	cr_assert_str_eq(line(STATUSLINE_PLAIN, true, 80),
	                 "\u25d0 workflows stale \u25cb routes connecting "
	                 "\u2016 workflow-history paused");
	cr_assert(strstr(line(STATUSLINE_TMUX, true, 80),
	                 "#[fg=magenta]\u25d0 workflows stale#[default]"));
}

/* Visible columns of a tmux-format line: styles removed, "##" is one. */
static int
visible_cols(const char *s)
{
	char plain[STATUSLINE_MAX];
	size_t o = 0;

	while (*s && o + 1 < sizeof(plain)) {
		if (s[0] == '#' && s[1] == '[') {
			s = strchr(s, ']') + 1;
			continue;
		}
		if (s[0] == '#' && s[1] == '#')
			s++;
		plain[o++] = *s++;
	}
	plain[o] = '\0';
	return text_cols(plain);
}

Test(statusline, long_names_shortened_in_the_middle_then_counted, .fini = fini)
{
	static const char *const urls[] = {
	    "ws://h:1/ws/workflow-history-for-the-whole-team",
	    "ws://h:1/ws/workflow-status-for-the-whole-team",
	    "ws://h:1/ws/routes", NULL};
	const char *s;

	setup(urls, true);
	to_state(0, MON_DOWN, 1000);
	to_state(1, MON_DOWN, 1000);
	to_state(2, MON_LIVE, 1000);
	s = line(STATUSLINE_TMUX, true, 40);
	cr_assert_leq(visible_cols(s), 40, "%d columns: %s", visible_cols(s),
	              s);
	/* both names kept apart: their start and their end */
	cr_assert(strstr(s, "workf") && strstr(s, "\u2026"), "%s", s);
	cr_assert(strstr(s, "\u2716 ") && strstr(s, " down"), "%s", s);
	/* in 24 columns only counts are left */
	s = line(STATUSLINE_PLAIN, true, 24);
	cr_assert_str_eq(s, "\u25cf 1 live \u2716 2 down");
}

Test(statusline, many_endpoints_stay_short, .fini = fini)
{
	const char *urls[41];
	char buf[40][64];
	const char *s;

	for (int i = 0; i < 40; i++) {
		snprintf(buf[i], sizeof(buf[i]), "ws://h:1/ws/stream-%d", i);
		urls[i] = buf[i];
	}
	urls[40] = NULL;
	setup(urls, true);
	for (int i = 0; i < 40; i++)
		to_state((size_t)i, i % 3 ? MON_LIVE : MON_POLLING, 1000);
	s = line(STATUSLINE_TMUX, true, STATUSLINE_COLS);
	cr_assert_leq(visible_cols(s), STATUSLINE_COLS, "%s", s);
	cr_assert(strstr(s, "\u25cf 26 live"), "%s", s);
	cr_assert(strstr(s, "\u21bb 14 polling"), "%s", s);
}

/* tmux expands #{...} and #(...) in what a command prints: a '#' of a
 * name is doubled (shown as one), in plain it stays one. */
Test(statusline, hash_in_names_is_literal_for_tmux, .fini = fini)
{
	char err[128];
	const char *s;

	config_init(&cfg, NULL);
	cr_assert(config_add_url(&cfg, "ws://h:1/ws/x", err, sizeof(err)));
	cr_assert(config_add_url(&cfg, "ws://h:2/ws/x", err, sizeof(err)));
	cr_assert_str_eq(cfg.eps[1].name, "x#2");
	free(cfg.eps[0].name);
	cfg.eps[0].name = strdup("#(touch pwned)#{host}");
	cr_assert(mon_init(&m, &cfg, 0, true));
	to_state(0, MON_DOWN, 1000);
	to_state(1, MON_DOWN, 1000);
	s = line(STATUSLINE_TMUX, true, 80);
	cr_assert(strstr(s, "x##2"), "%s", s);
	cr_assert(strstr(s, "##(touch pwned)##{host}"), "%s", s);
	for (const char *p = strchr(s, '#'); p; p = strchr(p + 2, '#'))
		cr_assert(p[1] == '#' || p[1] == '[', "a lone '#' in %s", s);
	s = line(STATUSLINE_PLAIN, true, 80);
	cr_assert(strstr(s, "x#2") && !strstr(s, "##"), "%s", s);
}

Test(statusline, control_characters_in_names_never_pass, .fini = fini)
{
	char err[128];
	const char *s;

	config_init(&cfg, NULL);
	cr_assert(config_add_url(&cfg, "ws://h:1/ws/x", err, sizeof(err)));
	free(cfg.eps[0].name);
	cfg.eps[0].name = strdup("a\x1b]0;t\x07\x9b"
	                         "b");
	cr_assert(mon_init(&m, &cfg, 0, true));
	s = line(STATUSLINE_TMUX, true, 80);
	for (const char *p = s; *p; p++)
		cr_assert((unsigned char)*p >= 0x20 && *p != 0x7f,
		          "control byte in %s", s);
}

Test(statusline, format_names)
{
	enum statusline_format f;

	cr_assert(statusline_parse_format("tmux", &f) && f == STATUSLINE_TMUX);
	cr_assert(statusline_parse_format("plain", &f) &&
	          f == STATUSLINE_PLAIN);
	cr_assert_not(statusline_parse_format("i3", &f));
}
