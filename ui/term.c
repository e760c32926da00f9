/*
 * term.c: curses set-up and teardown; see term.h. The crash handler is the
 * htop CRT_handleSIGSEGV idea: put the terminal back first, then let the
 * default action (core dump, message) happen.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdio.h>

#include "term.h"
/* terminfo's own term.h (ours shadows the name on the include path) */
#include <ncursesw/term.h>

static volatile sig_atomic_t term_on;
static attr_t roles[ROLE_NROLES];

void
term_done(void)
{
	if (!term_on)
		return;
	term_on = 0;
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	/* leave the cursor on a fresh line below whatever was drawn */
	(void)!write(STDOUT_FILENO, "\r\n", 2);
}

void
term_suspend(void)
{
	struct sigaction dfl, old;

	if (!term_on)
		return;
	endwin();
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &old);
	raise(SIGTSTP); /* stopped here until SIGCONT (fg) */
	sigaction(SIGTSTP, &old, NULL);
	/* back: program mode, keypad transmit mode, a full redraw */
	reset_prog_mode();
	keypad(stdscr, FALSE);
	keypad(stdscr, TRUE);
	clearok(curscr, TRUE);
	refresh();
}

bool
term_active(void)
{
	return term_on;
}

static void
term_crash(int sig)
{
	term_done();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
term_roles(bool color)
{
	static const struct {
		short fg, bg;
		attr_t mono;  /* without colour */
		attr_t extra; /* with colour, on top of the pair */
	} def[ROLE_NROLES] = {
	    [ROLE_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
	    [ROLE_DIM] = {-1, -1, A_DIM, A_DIM},
	    [ROLE_HEADER] = {COLOR_BLACK, COLOR_CYAN, A_REVERSE | A_BOLD,
	                     A_NORMAL},
	    [ROLE_TITLE] = {-1, -1, A_BOLD, A_BOLD},
	    [ROLE_LIVE] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
	    [ROLE_PAUSED] = {-1, -1, A_DIM, A_DIM},
	    [ROLE_CONNECTING] = {COLOR_CYAN, -1, A_NORMAL, A_BOLD},
	    [ROLE_STALE] = {COLOR_MAGENTA, -1, A_UNDERLINE, A_BOLD},
	    [ROLE_POLLING] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
	    [ROLE_DOWN] = {COLOR_RED, -1, A_BOLD, A_BOLD},
	    [ROLE_B_LIVE] = {COLOR_BLACK, COLOR_GREEN, A_REVERSE, A_NORMAL},
	    [ROLE_B_PAUSED] = {-1, -1, A_REVERSE | A_DIM, A_REVERSE | A_DIM},
	    [ROLE_B_CONNECTING] = {COLOR_BLACK, COLOR_CYAN, A_REVERSE,
	                           A_NORMAL},
	    [ROLE_B_STALE] = {COLOR_BLACK, COLOR_MAGENTA, A_REVERSE, A_NORMAL},
	    [ROLE_B_POLLING] = {COLOR_BLACK, COLOR_YELLOW, A_REVERSE | A_BOLD,
	                        A_NORMAL},
	    [ROLE_B_DOWN] = {COLOR_WHITE, COLOR_RED, A_REVERSE | A_BOLD,
	                     A_BOLD},
	    [ROLE_SELECTED] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
	    [ROLE_KEY] = {-1, -1, A_REVERSE, A_REVERSE},
	};

	for (int r = 0; r < ROLE_NROLES; r++) {
		if (color && (def[r].fg >= 0 || def[r].bg >= 0) &&
		    r < COLOR_PAIRS) {
			init_pair((short)r, def[r].fg, def[r].bg);
			roles[r] = COLOR_PAIR(r) | def[r].extra;
		} else {
			roles[r] = color ? def[r].extra : def[r].mono;
		}
	}
}

bool
term_usable(char *why, size_t len)
{
	const char *name = getenv("TERM");
	int err = 0;
	bool ok;
	char *cup;

	if (name == NULL || name[0] == '\0') {
		snprintf(why, len, "TERM is not set");
		return false;
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		if (err == -1)
			snprintf(why, len, "no terminfo database found");
		else if (err == 0)
			snprintf(why, len,
			         "TERM=%.40s has no terminfo entry here", name);
		else if (err == 1)
			snprintf(why, len, "TERM=%.40s is a hardcopy terminal",
			         name);
		else
			snprintf(why, len, "TERM=%.40s cannot be used", name);
		return false;
	}
	cup = tigetstr("cup");
	ok = tigetflag("gn") <= 0 && tigetflag("hc") <= 0 && cup != NULL &&
	     cup != (char *)-1 && strcmp(name, "dumb") != 0;
	if (!ok)
		snprintf(why, len, "TERM=%.40s cannot move the cursor", name);
	del_curterm(cur_term);
	return ok;
}

bool
term_init(bool color)
{
	struct sigaction sa;
	static const int crash[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

	if (initscr() == NULL)
		return false;
	term_on = 1;
	atexit(term_done);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);

	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* clicks select, the wheel scrolls (the log, a message) */
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED |
	              BUTTON5_PRESSED,
	          NULL);
	mouseinterval(0);
	color = color && has_colors();
	if (color) {
		start_color();
		use_default_colors();
	}
	term_roles(color);
	/*
	 * Until its first endwin(), ncurses 6.4 flushes after every cursor
	 * move (lib_mvcur.c), so a frame goes out in 10-20 writes and a
	 * reader can see it half drawn. Leaving and re-entering once now
	 * makes every later frame one write. endwin() also left keypad
	 * transmit mode (rmkx), which doupdate() does not restore: without
	 * smkx again the terminal sends arrows as ESC [ C, not the ESC O C
	 * of its terminfo entry, and they read as Esc, '[', 'C'.
	 */
	endwin();
	doupdate();
	keypad(stdscr, FALSE);
	keypad(stdscr, TRUE);
	return true;
}

attr_t
term_attr(enum ui_role r)
{
	return (unsigned)r < ROLE_NROLES ? roles[r] : A_NORMAL;
}
