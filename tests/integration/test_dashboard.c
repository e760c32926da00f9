/*
 * The dashboard end to end: the real binary in a detached tmux session (its
 * own tmux server socket per test), driven with send-keys and read with
 * capture-pane, as a user would see it.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wsdash/sanitize.h"
#include "tmuxs.h"
#include "proc.h"

static struct tmuxs T; /* the tmux server of the test's session */

static int
tmux(const char *fmt, ...)
{
	char args[1800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return tmuxs_cmd(&T, "%s", args);
}

/* The visible screen as text (caller frees). */
static char *
capture(void)
{
	return tmuxs_capture(&T, "s", "");
}

static int
count(const char *hay, const char *needle)
{
	return tmuxs_count(hay, needle);
}

/* Wait until the screen has at least times occurrences of text. */
static bool
wait_screen(const char *text, int times, int timeout_ms)
{
	return tmuxs_wait(&T, "s", text, times, timeout_ms);
}

static bool
wait_gone(const char *text, int timeout_ms)
{
	long long end = test_now_ms() + timeout_ms;

	do {
		char *s = capture();
		bool gone = strstr(s, text) == NULL;

		free(s);
		if (gone)
			return true;
		usleep(20000);
	} while (test_now_ms() < end);
	return false;
}

/*
 * Stop the tmux server of the last session, if any, and name a new one: a
 * new session on a server still shutting down after kill-server fails
 * ("server exited unexpectedly"), so each session gets a server of its own.
 */
static void
new_server(void)
{
	static int n;

	tmuxs_kill(&T);
	snprintf(T.sock, sizeof(T.sock), "wsdash-test-%d-%d", (int)getpid(),
	         ++n);
}

/* Start `wsdash ARGS` in a 120x36 tmux session; after it exits the pane
 * prints its status, the terminal settings and an end marker. */
static void
start(const char *args)
{
	new_server();
	cr_assert_eq(tmux("new-session -d -s s -x 120 -y 36 "
	                  "\"LANG=C.UTF-8 %s %s; "
	                  "echo EXIT=\\$?; stty -a; echo STTY-END; sleep 30\"",
	                  WSDASH_BIN, args),
	             0, "tmux did not start");
}

static void
stop(void)
{
	tmux("kill-server");
}

/* After the program ended: the exit status and a sane terminal. */
static void
assert_restored_status(const char *status)
{
	char *s;

	/* the marker comes after stty's whole output: read it only then */
	cr_assert(wait_screen("STTY-END", 1, 20000),
	          "wsdash did not exit (or stty did not finish)");
	s = capture();
	cr_assert(strstr(s, status), "want %s:\n%s", status, s);
	cr_assert(strstr(s, " icanon") && !strstr(s, "-icanon"),
	          "terminal left in raw mode:\n%s", s);
	cr_assert(strstr(s, " echo ") && !strstr(s, "-echo "),
	          "terminal left without echo:\n%s", s);
	free(s);
}

static void
assert_restored(void)
{
	assert_restored_status("EXIT=0");
}

Test(dashboard, demo_live_fallback_on_x_and_back)
{
	long long t0;
	char *s;

	start("demo --rate 2 --ping-timeout 10000");
	cr_assert(wait_screen("LIVE \u2500", 3, 20000), "three LIVE panels");
	s = capture();
	cr_assert(strstr(s, "workflows") && strstr(s, "workflow-history") &&
	              strstr(s, "routes"),
	          "%s", s);
	cr_assert(strstr(s, "WebSocket"), "%s", s);
	cr_assert(strstr(s, "RTT"), "%s", s);
	cr_assert(strstr(s, "msgs"), "%s", s);
	cr_assert(strstr(s, "3 endpoints"), "%s", s);
	free(s);

	/* x breaks the selected stream: POLLING and the flag, from the close
	 * itself (a 10 s ping timeout could not have done it this soon) */
	t0 = test_now_ms();
	tmux("send-keys -t s x");
	cr_assert(wait_screen("POLLING \u2500", 1, 20000));
	cr_assert(wait_screen("fallback ", 1, 20000));
	cr_assert_lt(test_now_ms() - t0, 5000, "fallback shown after %lld ms",
	             test_now_ms() - t0);
	s = capture();
	cr_assert(strstr(s, "polling"), "%s", s);
	cr_assert(strstr(s, "\u2192 \u2716 DOWN"), "event log:\n%s", s);
	/* what the user did is logged as such, not as a server outage */
	cr_assert(strstr(s, "broken from the keyboard (demo)"), "%s", s);
	free(s);

	/* x again restores it: LIVE comes back */
	tmux("send-keys -t s x");
	cr_assert(wait_screen("LIVE \u2500", 3, 20000), "not LIVE again");
	cr_assert(wait_screen("\u2192 \u25cf LIVE", 4, 20000),
	          "recovery logged");
	cr_assert(wait_screen("restored from the keyboard (demo)", 1, 20000));

	/* help */
	tmux("send-keys -t s '?'");
	cr_assert(wait_screen("keys", 1, 20000));
	cr_assert(wait_screen("reconnect", 1, 20000));
	tmux("send-keys -t s Escape");
	cr_assert(wait_gone("pause or resume", 20000));

	/* q quits and leaves the terminal sane */
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

Test(dashboard, small_pane_compact_and_too_small)
{
	char *s;

	start("demo");
	cr_assert(wait_screen("LIVE", 3, 20000));
	tmux("resize-window -t s -x 50 -y 14");
	/* the compact view: one line per endpoint, "ws" for the mode */
	cr_assert(wait_screen(" ws ", 3, 20000), "no compact view");
	s = capture();
	cr_assert(strstr(s, "\n\u25cf workflows ") &&
	              strstr(s, "\n\u25cf routes ") &&
	              count(s, "\n\u25cf ") == 3,
	          "%s", s);
	cr_assert_null(strstr(s, "\u250c"), "panels in a 50x14 pane:\n%s", s);
	free(s);
	tmux("resize-window -t s -x 20 -y 5");
	cr_assert(wait_screen("too small", 1, 20000));
	tmux("resize-window -t s -x 120 -y 36");
	cr_assert(wait_screen("\u250c", 3, 20000), "panels back");
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

Test(dashboard, detail_view_and_back)
{
	start("demo");
	cr_assert(wait_screen("LIVE", 3, 20000));
	tmux("send-keys -t s Enter");
	cr_assert(wait_screen("transitions", 1, 20000));
	cr_assert(wait_screen("last message", 1, 20000));
	cr_assert(wait_screen("RTT (last", 1, 20000));
	cr_assert(wait_screen("\"type\"", 1, 20000), "pretty-printed JSON");
	tmux("send-keys -t s Escape");
	cr_assert(wait_gone("transitions", 20000));
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

Test(dashboard, sigterm_restores_the_terminal)
{
	char cmd[256], args[64];

	/* a seed only this test uses, to find its process */
	snprintf(args, sizeof(args), "demo --seed %d", (int)getpid());
	start(args);
	cr_assert(wait_screen("LIVE", 3, 20000));
	snprintf(cmd, sizeof(cmd), "pkill -TERM -f '^%s %s$'", WSDASH_BIN,
	         args);
	cr_assert_eq(system(cmd), 0);
	assert_restored();
	stop();
}

Test(dashboard, monochrome_still_shows_every_state)
{
	char *s;

	start("demo --no-color");
	cr_assert(wait_screen("LIVE", 3, 20000));
	tmux("send-keys -t s x");
	cr_assert(wait_screen("POLLING", 1, 20000));
	s = capture();
	cr_assert(strstr(s, "\u21bb POLLING") && strstr(s, "\u25cf LIVE"), "%s",
	          s);
	free(s);
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

/* A crash: the handler restores the terminal, then the signal kills. */
Test(dashboard, crash_restores_the_terminal_then_dies)
{
	static const struct {
		const char *sig, *status;
	} crash[] = {{"SEGV", "EXIT=139"}, {"ABRT", "EXIT=134"}};

	for (int i = 0; i < 2; i++) {
		char cmd[256], args[64];

		snprintf(args, sizeof(args), "demo --seed %d%d", (int)getpid(),
		         i);
		start(args);
		cr_assert(wait_screen("LIVE", 3, 20000));
		snprintf(cmd, sizeof(cmd), "pkill -%s -f '^%s %s$'",
		         crash[i].sig, WSDASH_BIN, args);
		cr_assert_eq(system(cmd), 0);
		assert_restored_status(crash[i].status);
		stop();
	}
}

/* tmux's view of a pane variable, e.g. "#{pane_title}". */
static void
pane_var(const char *var, char *out, size_t len)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tmux -L %s display -p -t s '%s'", T.sock,
	         var);
	out[0] = '\0';
	p = popen(cmd, "r");
	if (p != NULL) {
		if (fgets(out, (int)len, p) == NULL)
			out[0] = '\0';
		pclose(p);
	}
	out[strcspn(out, "\n")] = '\0';
}

/*
 * Escape sequences from a hostile server (clear screen, cursor moves, OSC
 * title, bracketed paste, 8-bit C1) never act on the terminal: the title
 * stays, the header stays on the first row, the modes stay.
 */
Test(dashboard, hostile_bytes_never_act_on_the_terminal)
{
	struct child h;
	const char *argv[] = {PYTHON3, TEST_SERVERS "/../hostile/hostile.py",
	                      NULL};
	char args[512], title0[256], title[256], alt[16];
	char *s;

	cr_assert(child_start_cmd(&h, true, argv));
	snprintf(args, sizeof(args),
	         "watch ws://127.0.0.1:%d/ws/escapes "
	         "ws://127.0.0.1:%d/escape-headers ws://127.0.0.1:%d/garbage",
	         h.port, h.port, h.port);
	start(args);
	pane_var("#{pane_title}", title0, sizeof(title0));
	cr_assert(wait_screen("escapes", 1, 20000));
	tmux("send-keys -t s Enter"); /* the detail view shows the message */
	cr_assert(wait_screen("evil_update", 1, 20000),
	          "the hostile message was never drawn");
	pane_var("#{pane_title}", title, sizeof(title));
	cr_assert_str_eq(title, title0, "the server changed the title");
	cr_assert_null(strstr(title, "pwned"));
	s = capture();
	cr_assert(strncmp(s, " wsdash", 7) == 0,
	          "the header left the first row:\n%s", s);
	cr_assert(strstr(s, "last message"), "%s", s);
	free(s);
	tmux("send-keys -t s Escape");
	cr_assert(wait_screen("DOWN", 2, 20000),
	          "the two broken ones are DOWN");
	tmux("send-keys -t s q");
	assert_restored();
	pane_var("#{alternate_on}", alt, sizeof(alt));
	cr_assert_str_eq(alt, "0", "left in the alternate screen");
	pane_var("#{pane_title}", title, sizeof(title));
	cr_assert_str_eq(title, title0);
	stop();
	child_stop(&h);
}

Test(dashboard, insecure_is_flagged_in_the_header)
{
	start("watch --insecure ws://127.0.0.1:1/x");
	cr_assert(wait_screen("TLS NOT VERIFIED", 1, 20000));
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

/*
 * Ctrl-Z stops the dashboard with the terminal given back; fg brings it
 * back with keypad mode on: an arrow key is an arrow key (it used to read
 * as Esc, which closed the detail view). Run from an interactive shell, as
 * a user would: only a shell with job control can stop and continue it.
 */
Test(dashboard, ctrl_z_and_fg_keep_the_arrow_keys)
{
	char *s;

	new_server();
	cr_assert_eq(tmux("new-session -d -s s -x 120 -y 36 "
	                  "'env -i PATH=/usr/bin:/bin TERM=screen "
	                  "LANG=C.UTF-8 PS1=PROMPT/ bash --norc -i'"),
	             0, "tmux did not start");
	cr_assert(wait_screen("PROMPT/", 1, 20000), "no shell prompt");
	tmux("send-keys -t s '%s demo' Enter", WSDASH_BIN);
	cr_assert(wait_screen("LIVE", 3, 20000));
	tmux("send-keys -t s Enter");
	cr_assert(wait_screen("transitions", 1, 20000));
	cr_assert_eq(tmux("send-keys -t s C-z"), 0, "tmux sent no Ctrl-Z");
	if (!wait_screen("Stopped", 1, 20000)) {
		s = capture();
		cr_assert_fail("Ctrl-Z did not stop it (or the shell did not "
		               "say so):\n%s",
		               s);
	}
	tmux("send-keys -t s fg Enter");
	cr_assert(wait_screen("transitions", 1, 20000), "not redrawn");
	tmux("send-keys -t s Down");
	tmux("send-keys -t s '?'");
	cr_assert(wait_screen("keys", 1, 20000));
	s = capture();
	cr_assert(strstr(s, "transitions"),
	          "the arrow key closed the detail view (read as Esc):\n%s", s);
	free(s);
	/* q quits from the help too */
	tmux("send-keys -t s q");
	cr_assert(wait_screen("PROMPT/", 3, 20000), "did not quit");
	/* typed, so the marker must not be in the echoed command line:
	 * STTY-""END prints STTY-END only once stty has printed */
	tmux("send-keys -t s 'echo EXIT=$?; stty -a; echo STTY-\"\"END' "
	     "Enter");
	assert_restored();
	stop();
}

/*
 * A TERM without terminfo (xterm-kitty on a machine without kitty's entry)
 * or a dumb one: one line on stderr saying why, then --plain lines; never
 * ncurses' "Error opening terminal" exit.
 */
Test(dashboard, unusable_term_falls_back_to_lines)
{
	static const char *const terms[] = {"wsdash-no-such-terminal", "dumb"};
	for (size_t i = 0; i < 2; i++) {
		new_server();
		cr_assert_eq(tmux("new-session -d -s s -x 120 -y 36 "
		                  "\"TERM=%s LANG=C.UTF-8 %s demo --duration "
		                  "2; echo EXIT=\\$?; stty -a; echo "
		                  "STTY-END; sleep 30\"",
		                  terms[i], WSDASH_BIN),
		             0, "tmux did not start");
		cr_assert(wait_screen("printing lines instead of the "
		                      "dashboard",
		                      1, 20000));
		cr_assert(wait_screen(" state ", 1, 20000),
		          "no --plain lines after the notice");
		assert_restored();
		{
			char *s = capture();

			cr_assert_null(strstr(s, "Error opening terminal"),
			               "%s", s);
			cr_assert(strstr(s, terms[i]),
			          "the reason names TERM: %s", s);
			free(s);
		}
		stop();
	}
}

/* The visible screen's lines, and the last non-empty one. */
static int
longest_line(const char *s)
{
	int best = 0;

	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[2048];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (text_cols(line) > best)
			best = text_cols(line);
		p += n + (nl ? 1 : 0);
	}
	return best;
}

/*
 * Every size the issue names: every endpoint is a panel, a line, or
 * counted in "+N more"; the key bar is there when the pane has room; tall
 * panes give the timeline rows and fill up with the log; nothing is wider
 * than the pane, the too-small notice included.
 */
Test(dashboard, every_size_shows_every_endpoint)
{
	static const struct {
		int cols, rows;
		const char *want[4];
	} sizes[] = {
	    {120, 35, {"state ", "? help", "\u2500 events", NULL}},
	    {200, 55, {"state ", "msg/s", "rtt ", "? help"}},
	    {120,
	     10,
	     {"\u25cf workflows ", "\u25cf routes ", "events", "? help"}},
	    {60, 15, {"\u25cf workflows ", "\u25cf routes ", "? help", NULL}},
	    {60, 24, {"\u25cf workflows ", "\u25cf routes ", "? help", NULL}},
	    {30,
	     8,
	     {"\u25cf wor\u2026lows", "\u25cf wor\u2026tory", "\u25cf routes",
	      "? help"}},
	    {24, 3, {"+2 more", NULL}},
	    {23, 3, {"too small", NULL}},
	};
	char *s;

	setlocale(LC_ALL, "C.UTF-8");
	start("demo --rate 2");
	cr_assert(wait_screen("LIVE", 3, 20000));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tmux("resize-window -t s -x %d -y %d", sizes[i].cols,
		     sizes[i].rows);
		for (int k = 0; k < 4 && sizes[i].want[k]; k++)
			cr_assert(wait_screen(sizes[i].want[k], 1, 20000),
			          "%dx%d: no '%s'", sizes[i].cols,
			          sizes[i].rows, sizes[i].want[k]);
		s = capture();
		cr_assert_leq(longest_line(s), sizes[i].cols, "%dx%d:\n%s",
		              sizes[i].cols, sizes[i].rows, s);
		/* the grid sizes: three panels; the rest: three lines or
		 * fewer with the rest counted */
		if (sizes[i].rows >= 35)
			cr_assert_eq(count(s, "\u250c"), 3, "%s", s);
		free(s);
	}
	tmux("resize-window -t s -x 120 -y 36");
	cr_assert(wait_screen("\u250c", 3, 20000), "panels back");
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

/*
 * The help is an overlay with a legend; the key that closes it does
 * nothing else (j used to move the selection); q quits from it.
 */
/*
 * The arrow keys move the selection, in the TERM tmux gives its panes and in
 * the classic ones: a terminal left out of keypad transmit mode sends arrows
 * that ncurses reads as Esc, '[', 'C' (the selection stayed put and the key
 * bar said "'C' does nothing here").
 */
Test(dashboard, arrow_keys_move_the_selection)
{
	static const char *const terms[] = {"tmux-256color", "screen", "xterm"};

	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		char *s;

		new_server();
		cr_assert_eq(tmux("new-session -d -s s -x 120 -y 36 "
		                  "\"TERM=%s LANG=C.UTF-8 %s demo; "
		                  "echo EXIT=\\$?; stty -a; echo STTY-END; "
		                  "sleep 30\"",
		                  terms[i], WSDASH_BIN),
		             0, "tmux did not start");
		cr_assert(wait_screen("LIVE", 3, 20000), "TERM=%s", terms[i]);
		cr_assert(wait_screen("\u25b8 workflows", 1, 20000));
		tmux("send-keys -t s Right");
		cr_assert(wait_screen("\u25b8 workflow-history", 1, 20000),
		          "TERM=%s: Right did not move the selection",
		          terms[i]);
		tmux("send-keys -t s Right Left Right");
		cr_assert(wait_screen("\u25b8 routes", 1, 20000),
		          "TERM=%s: Right, Left, Right did not end on routes",
		          terms[i]);
		s = capture();
		cr_assert_null(strstr(s, "does nothing here"),
		               "TERM=%s: an arrow read as other keys:\n%s",
		               terms[i], s);
		free(s);
		tmux("send-keys -t s q");
		assert_restored();
	}
	stop();
}

Test(dashboard, help_legend_and_keys_that_mean_the_same_everywhere)
{
	char *s;

	start("demo");
	cr_assert(wait_screen("LIVE", 3, 20000));
	cr_assert(wait_screen("\u25b8 workflows", 1, 20000));
	tmux("send-keys -t s '?'");
	cr_assert(wait_screen("states", 1, 20000));
	s = capture();
	cr_assert(strstr(s, "\u25d0 STALE") && strstr(s, "\u21bb POLLING") &&
	              strstr(s, "RTT a/b/c ms") && strstr(s, "ws 87%") &&
	              strstr(s, "state row"),
	          "no legend:\n%s", s);
	free(s);
	tmux("send-keys -t s j");
	cr_assert(wait_gone("states", 20000));
	s = capture();
	cr_assert(strstr(s, "\u25b8 workflows"),
	          "the key that closed the help moved the selection:\n%s", s);
	free(s);
	/* a key that cannot act here says so */
	tmux("send-keys -t s Escape");
	cr_assert(wait_screen("Esc goes back from a detail view", 1, 20000));
	/* p is logged as what the user did */
	tmux("send-keys -t s p");
	cr_assert(wait_screen("paused (key p)", 1, 20000));
	cr_assert(wait_screen("\u2016 PAUSED", 1, 20000));
	tmux("send-keys -t s p");
	cr_assert(wait_screen("resumed (key p)", 1, 20000));
	/* q from the help quits */
	tmux("send-keys -t s '?'");
	cr_assert(wait_screen("states", 1, 20000));
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

/*
 * Outside the demo x says it does nothing; with nothing answering on the
 * default server the view says how to point wsdash elsewhere.
 */
Test(dashboard, nothing_answers_says_where_to_point_it)
{
	char args[160];
	struct child srv;
	int port;

	/* a port that was just free */
	cr_assert(serve_start(&srv, NULL));
	port = srv.port;
	child_stop(&srv);
	snprintf(args, sizeof(args), "--server http://127.0.0.1:%d", port);
	start(args);
	cr_assert(
	    wait_screen("nothing answers on http://127.0.0.1:", 1, 30000));
	cr_assert(wait_screen("--server URL", 1, 20000));
	tmux("send-keys -t s x");
	cr_assert(
	    wait_screen("x breaks a stream of the demo backend", 1, 20000));
	tmux("send-keys -t s q");
	assert_restored();
	stop();
}

/* The bell on a fallback: tmux flags the window it rang in. */
Test(dashboard, bell_flags_the_tmux_window_unless_no_bell)
{
	for (int quiet = 0; quiet < 2; quiet++) {
		char cmd[512], flag[16] = "";
		FILE *p;
		bool rang = false;
		long long end;

		start(quiet ? "demo --no-bell" : "demo");
		cr_assert(wait_screen("LIVE", 3, 20000));
		/* another window in front: the bell flags the demo's */
		tmux("new-window -d -t s:1 'sleep 60'");
		tmux("set-option -t s -g monitor-bell on");
		tmux("set-option -t s -g bell-action any");
		tmux("select-window -t s:1");
		tmux("send-keys -t s:0 x");
		/* the fallback shows in the demo's window... */
		end = test_now_ms() + 20000;
		while (test_now_ms() < end) {
			char buf[65536];
			size_t n = 0;

			snprintf(cmd, sizeof(cmd),
			         "tmux -L %s capture-pane -p -t s:0", T.sock);
			p = popen(cmd, "r");
			if (p != NULL) {
				n = fread(buf, 1, sizeof(buf) - 1, p);
				pclose(p);
			}
			buf[n] = '\0';
			if (strstr(buf, "\u2192 \u2716 DOWN"))
				break;
			usleep(50000);
		}
		cr_assert_lt(test_now_ms(), end, "no fallback in the demo");
		/* ...then its window's bell flag (a second more for none) */
		end = test_now_ms() + (quiet ? 1000 : 20000);
		while (test_now_ms() < end && !rang) {
			snprintf(cmd, sizeof(cmd),
			         "tmux -L %s display -p -t s:0 "
			         "'#{window_bell_flag}'",
			         T.sock);
			p = popen(cmd, "r");
			if (p != NULL) {
				if (fgets(flag, sizeof(flag), p) == NULL)
					flag[0] = '\0';
				pclose(p);
			}
			rang = flag[0] == '1';
			usleep(50000);
		}
		if (quiet)
			cr_assert_not(rang, "--no-bell rang");
		else
			cr_assert(rang, "no bell flag on the window");
		tmux("select-window -t s:0");
		tmux("send-keys -t s:0 q");
		assert_restored();
		stop();
	}
}
