/*
 * term: the terminal under curses. One idempotent term_done() restores it on
 * every way out: normal exit, atexit, SIGINT/TERM/HUP (via the watch loop's
 * flag), and a crash (SEGV/ABRT/BUS/FPE/ILL handler restores, then
 * re-raises). Colors are semantic roles (htop's ColorElements idea), 8-color
 * safe; with NO_COLOR, --no-color or a monochrome terminal, roles map to
 * attributes only, and the symbols and words still carry every state.
 */
#ifndef WSDASH_UI_TERM_H
#define WSDASH_UI_TERM_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>

/*
 * One colour per state, the same for its symbol, its word, its timeline
 * cells and its flag: green live, magenta stale, yellow polling, red down,
 * cyan connecting, dim paused. Badges and flags are dark text on the
 * state's colour (readable on dark and light backgrounds alike); without
 * colour they are reverse video, and the symbol and word still tell.
 */
enum ui_role {
	ROLE_NORMAL,
	ROLE_DIM,
	ROLE_HEADER,
	ROLE_TITLE,
	/* text in the state's colour: TL_* order (see ui_state_role) */
	ROLE_LIVE,
	ROLE_PAUSED,
	ROLE_CONNECTING,
	ROLE_STALE,
	ROLE_POLLING,
	ROLE_DOWN,
	/* badges and flags: on the state's colour, same order */
	ROLE_B_LIVE,
	ROLE_B_PAUSED,
	ROLE_B_CONNECTING,
	ROLE_B_STALE,
	ROLE_B_POLLING,
	ROLE_B_DOWN,
	ROLE_SELECTED, /* border of the selected panel */
	ROLE_KEY,      /* a key in the key bar and the help */
	ROLE_NROLES
};

/*
 * Whether the terminal named by $TERM can draw a dashboard: it has a
 * terminfo entry (else ncurses' initscr() would print "Error opening
 * terminal" and exit), it is not dumb/hardcopy/generic, and it can address
 * the cursor. If not, false with the reason in why ("TERM=xterm-kitty has
 * no terminfo entry here").
 */
bool term_usable(char *why, size_t len);

/*
 * Start curses on the terminal (the locale must be set). Returns false if
 * the terminal cannot be used (then nothing needs restoring).
 */
bool term_init(bool color);

/* Restore the terminal; safe to call any number of times, from anywhere. */
void term_done(void);

/*
 * Ctrl-Z: put the terminal back, stop (SIGTSTP's default action), and once
 * continued take the screen again, keypad mode included (the terminal left
 * application keypad mode when we stopped: without it an arrow key reads
 * as Esc). Call from the loop, not from the signal handler.
 */
void term_suspend(void);

/* The attributes of a role. */
attr_t term_attr(enum ui_role r);

/* Whether curses is active. */
bool term_active(void);

#endif
