/*
 * The man page and the shell completions (contrib/) against the program
 * itself. The commands come from `wsdash help`, each command's options from
 * `wsdash help COMMAND`, the scenario and ping names from the errors wsdash
 * prints for a bad one: nothing here repeats a list that could go stale.
 *
 *  - contrib/man/wsdash.1 names every command and option and every
 *    variable src/ and ui/ read with getenv(), has the usual sections, and
 *    renders with groff without a warning at the widths man uses;
 *  - bash, zsh (driven through zpty, so its real completion system runs)
 *    and fish each complete the commands, every option of every command,
 *    option values with a fixed set, and files where a file is wanted.
 *
 * A failure lists everything that is missing at once, and where.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

#define MAN_PAGE   WSDASH_CONTRIB "/man/wsdash.1"
#define BASH_COMP  WSDASH_CONTRIB "/completions/wsdash.bash"
#define ZSH_COMP   WSDASH_CONTRIB "/completions/_wsdash"
#define FISH_COMP  WSDASH_CONTRIB "/completions/wsdash.fish"
#define RUN_MS     20000
#define MAX_CMDS   16
#define MAX_OPTS   64
#define OUT_MAX    (256 * 1024)
#define REPORT_MAX (64 * 1024)

/* What the program says it has. */
struct cmd {
	char name[32];
	int nopts;
	char opts[MAX_OPTS][40]; /* "--timeout", "-H", as in its help */
};

struct prog {
	int ncmds;
	struct cmd cmds[MAX_CMDS];
	int nscen;
	char scen[8][32]; /* scenario names */
	int nping;
	char ping[8][32]; /* --ping kinds */
};

/* Everything missing, one line each. */
static char report[REPORT_MAX];

static void
missing(const char *fmt, ...)
{
	size_t n = strlen(report);
	va_list ap;

	if (n + 2 >= sizeof(report))
		return;
	va_start(ap, fmt);
	vsnprintf(report + n, sizeof(report) - n - 1, fmt, ap);
	va_end(ap);
	strcat(report, "\n");
}

/* Is prog in PATH? */
static bool
have(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[1024], file[1100];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
		snprintf(file, sizeof(file), "%s/%s", dir, prog);
		if (access(file, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

static char *
slurp_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* A character that can be part of an option or command name. */
static bool
namechar(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* Does word occur in text as a whole name (not inside a longer one)? */
static bool
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)) != NULL; p++)
		if ((p == text || !namechar(p[-1])) && !namechar(p[n]))
			return true;
	return false;
}

/* --- what the program says --------------------------------------------- */

/*
 * The names in the parentheses that follow the bad value in an error:
 * "unknown scenario 'x' (steady, outages, flood)", "'x' (use protocol or
 * json)".
 */
static int
names_in_parens(const char *msg, const char *bad, char names[][32], int max)
{
	const char *at = strstr(msg, bad), *open, *p;
	int n = 0;

	if (at == NULL || (open = strchr(at, '(')) == NULL)
		return 0;
	for (p = open + 1; *p && *p != ')' && n < max;) {
		size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz-_");

		if (len > 0 && len < 32) {
			snprintf(names[n], 32, "%.*s", (int)len, p);
			if (strcmp(names[n], "use") != 0 &&
			    strcmp(names[n], "or") != 0 &&
			    strcmp(names[n], "and") != 0)
				n++;
		}
		p += len ? len : 1;
	}
	return n;
}

/* Add opt to c's options unless it is there. */
static void
cmd_add(struct cmd *c, const char *opt, size_t n)
{
	for (int i = 0; i < c->nopts; i++)
		if (strlen(c->opts[i]) == n && strncmp(c->opts[i], opt, n) == 0)
			return;
	if (c->nopts < MAX_OPTS && n < sizeof(c->opts[0]))
		snprintf(c->opts[c->nopts++], sizeof(c->opts[0]), "%.*s",
		         (int)n, opt);
}

/* The length of the option name at p ("--max-message", "-H"). */
static size_t
optlen(const char *p)
{
	if (p[1] == '-')
		return 2 +
		       strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
	return isalnum((unsigned char)p[1]) ? 2 : 0;
}

/*
 * An option line of a help text: "  -H, --header 'Name: value'",
 * "  --ping json   ...". Adds its short and long names to c.
 */
static void
help_option_line(const char *l, struct cmd *c)
{
	const char *p = l + 2;

	while (p[0] == '-') {
		size_t n = optlen(p);

		if (n < 2)
			break;
		cmd_add(c, p, n);
		if (p[n] != ',' || p[n + 1] != ' ')
			break;
		p += n + 2;
	}
}

/*
 * A usage line ("usage: wsdash config --init [FILE] [--server URL]"): the
 * long options it names.
 */
static void
help_usage_line(const char *l, struct cmd *c)
{
	for (const char *p = l; *p; p++) {
		size_t n;

		if (p[0] != '-' || p[1] != '-' ||
		    (p > l && p[-1] != ' ' && p[-1] != '['))
			continue;
		n = optlen(p);
		if (n > 2)
			cmd_add(c, p, n);
		p += n ? n - 1 : 0;
	}
}

static void
prog_load(struct prog *pg)
{
	static char out[OUT_MAX], err[8192];
	const char *argv[6] = {WSDASH_BIN, "help", NULL, NULL};

	memset(pg, 0, sizeof(*pg));
	cr_assert_eq(run_cmd(argv, out, sizeof(out), err, sizeof(err), RUN_MS),
	             0, "wsdash help: %s", err);
	/* "  watch     live status...", "  help [COMMAND]  ..." */
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		size_t n = strspn(l + 2, "abcdefghijklmnopqrstuvwxyz");

		if (strncmp(l, "  ", 2) == 0 && n > 0 &&
		    (l[2 + n] == ' ' || l[2 + n] == '\0') &&
		    pg->ncmds < MAX_CMDS)
			snprintf(pg->cmds[pg->ncmds++].name, 32, "%.*s", (int)n,
			         l + 2);
	}
	cr_assert_geq(pg->ncmds, 5, "found only %d commands in `wsdash help`",
	              pg->ncmds);

	for (int i = 0; i < pg->ncmds; i++) {
		struct cmd *c = &pg->cmds[i];

		if (strcmp(c->name, "help") == 0 ||
		    strcmp(c->name, "version") == 0)
			continue;
		argv[2] = c->name;
		cr_assert_eq(
		    run_cmd(argv, out, sizeof(out), err, sizeof(err), RUN_MS),
		    0, "wsdash help %s: %s", c->name, err);
		for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
			if (strncmp(l, "  -", 3) == 0)
				help_option_line(l, c);
			else if (strncmp(l, "usage: ", 7) == 0 ||
			         strncmp(l, "       wsdash ", 14) == 0)
				help_usage_line(l, c);
		}
		cr_assert_gt(c->nopts, 0,
		             "no options found in `wsdash help %s`", c->name);
	}

	/* the fixed sets of values, from what wsdash says to a bad one */
	argv[1] = "serve";
	argv[2] = "--scenario";
	argv[3] = "no-such-scenario";
	cr_assert_eq(run_cmd(argv, out, sizeof(out), err, sizeof(err), RUN_MS),
	             2);
	pg->nscen = names_in_parens(err, argv[3], pg->scen, 8);
	cr_assert_geq(pg->nscen, 2, "no scenario names in: %s", err);
	argv[1] = "watch";
	argv[2] = "--ping";
	argv[3] = "no-such-ping";
	cr_assert_eq(run_cmd(argv, out, sizeof(out), err, sizeof(err), RUN_MS),
	             2);
	pg->nping = names_in_parens(err, argv[3], pg->ping, 8);
	cr_assert_geq(pg->nping, 2, "no --ping kinds in: %s", err);
}

/* --- the man page ------------------------------------------------------ */

/* The page's text without comments and font escapes: "\fB\-\-x\fR" -> --x */
static char *
man_text(void)
{
	char *src = slurp_file(MAN_PAGE), *out = calloc(1, strlen(src) + 1);
	char *o = out;

	cr_assert_not_null(out);
	for (char *p = src; *p;) {
		if (strncmp(p, ".\\\"", 3) == 0 &&
		    (p == src || p[-1] == '\n')) {
			p += strcspn(p, "\n");
			continue;
		}
		if (p[0] == '\\' && p[1] == '-') {
			*o++ = '-';
			p += 2;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2] != '\0') {
			p += 3;
		} else if (p[0] == '\\' && p[1] != '\0' &&
		           strchr("&%c", p[1])) {
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	free(src);
	return out;
}

/* A ".SH NAME" or ".SS NAME" line whose first word is word. */
static bool
has_heading(const char *text, const char *macro, const char *word)
{
	size_t n = strlen(word);

	for (const char *l = text; l != NULL; l = strchr(l, '\n')) {
		const char *p;

		if (*l == '\n')
			l++;
		if (strncmp(l, macro, 3) != 0 || l[3] != ' ')
			continue;
		p = l + 4 + (l[4] == '"');
		if (strncmp(p, word, n) == 0 && !namechar(p[n]))
			return true;
	}
	return false;
}

Test(docs, man_page_names_every_command_option_and_variable)
{
	static const char *const sections[] = {
	    "NAME",  "SYNOPSIS",    "DESCRIPTION", "COMMANDS", "STATES", "KEYS",
	    "FILES", "ENVIRONMENT", "EXIT",        "EXAMPLES", "SEE"};
	static const char *const dirs[] = {WSDASH_SOURCE_DIR "/src",
	                                   WSDASH_SOURCE_DIR "/src/transport",
	                                   WSDASH_SOURCE_DIR "/ui"};
	struct prog pg;
	char *man = man_text(), *env;

	prog_load(&pg);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!has_heading(man, ".SH", sections[i]))
			missing("contrib/man/wsdash.1: no .SH %s section",
			        sections[i]);
	for (int i = 0; i < pg.ncmds; i++) {
		const struct cmd *c = &pg.cmds[i];

		if (!has_heading(man, ".SS", c->name))
			missing("contrib/man/wsdash.1: no .SS %s (a command "
			        "of `wsdash help`)",
			        c->name);
		for (int k = 0; k < c->nopts; k++)
			if (!has_word(man, c->opts[k]))
				missing("contrib/man/wsdash.1: no %s (`wsdash "
				        "help %s`)",
				        c->opts[k], c->name);
	}
	for (int i = 0; i < pg.nscen; i++)
		if (!has_word(man, pg.scen[i]))
			missing("contrib/man/wsdash.1: no scenario %s",
			        pg.scen[i]);

	/* every getenv("X") of the program, in ENVIRONMENT */
	env = strstr(man, "\n.SH ENVIRONMENT");
	cr_assert_not_null(env, "contrib/man/wsdash.1: no ENVIRONMENT");
	env = strdup(env + 1);
	cr_assert_not_null(env);
	if (strstr(env, "\n.SH ") != NULL)
		*strstr(env, "\n.SH ") = '\0';
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		cr_assert_not_null(dir, "%s: %s", dirs[d], strerror(errno));
		while ((e = readdir(dir)) != NULL) {
			char path[1024], *src;
			size_t n = strlen(e->d_name);

			if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[d],
			         e->d_name);
			src = slurp_file(path);
			for (char *p = src; (p = strstr(p, "getenv(\""));) {
				char var[64];

				p += 8;
				snprintf(var, sizeof(var), "%.*s",
				         (int)strcspn(p, "\""), p);
				if (!has_word(env, var))
					missing("contrib/man/wsdash.1: "
					        "ENVIRONMENT has no %s (read "
					        "in %s)",
					        var,
					        path +
					            sizeof(WSDASH_SOURCE_DIR));
			}
			free(src);
		}
		closedir(dir);
	}
	free(env);
	free(man);
	cr_assert(report[0] == '\0', "\n%s", report);
}

Test(docs, man_page_renders_without_warnings)
{
	/* groff's own width, and 80 and 65 columns as man draws them */
	static const char *const widths[] = {NULL, "-rLL=78n", "-rLL=63n"};
	static const char *const devices[] = {"-Tutf8", "-Tascii"};
	static char out[OUT_MAX], err[OUT_MAX];

	cr_assert(have("groff"),
	          "groff is not installed (package groff-base, in the test "
	          "group of .ci/deps)");
	for (size_t d = 0; d < 2; d++) {
		for (size_t w = 0; w < 3; w++) {
			const char *argv[8] = {"groff", "-man", devices[d],
			                       "-ww", "-z"};
			int n = 5, rc;

			if (widths[w])
				argv[n++] = widths[w];
			argv[n++] = MAN_PAGE;
			argv[n] = NULL;
			rc = run_cmd(argv, out, sizeof(out), err, sizeof(err),
			             RUN_MS);
			if (rc != 0 || err[0] != '\0')
				missing("groff -man %s -ww -z%s%s "
				        "contrib/man/wsdash.1: exit %d\n%s",
				        devices[d], widths[w] ? " " : "",
				        widths[w] ? widths[w] : "", rc, err);
		}
	}
	cr_assert(report[0] == '\0', "\n%s", report);
}

/* --- the completions --------------------------------------------------- */

/* A shell, and how its completion answers. */
struct shell {
	const char *name;
	/*
	 * The completion of a command line (the cursor at its end), one
	 * candidate per line into out; false if the shell failed.
	 */
	bool (*complete)(const char *line, char *out, size_t len);
	bool file_basename;  /* files are offered without their directory */
	bool eq_with_option; /* --opt=<Tab> offers "--opt=value" */
};

static char run_err[OUT_MAX];

/* Trim each line of out to its candidate (up to a tab; no \r, no blanks). */
static void
candidates_only(char *out)
{
	char *w = out;

	for (char *l = out; *l;) {
		size_t n = strcspn(l, "\n");
		size_t c = strcspn(l, "\t\r");

		if (c > n)
			c = n;
		while (c > 0 && l[c - 1] == ' ')
			c--;
		if (c > 0) {
			memmove(w, l, c);
			w += c;
			*w++ = '\n';
		}
		l += n + (l[n] == '\n');
	}
	*w = '\0';
}

/* Is word one of the lines of out? */
static bool
offered(const char *out, const char *word)
{
	size_t n = strlen(word);

	for (const char *l = out; *l; l += strcspn(l, "\n") + 1) {
		if (strncmp(l, word, n) == 0 && (l[n] == '\n' || l[n] == '\0'))
			return true;
		if (l[strcspn(l, "\n")] == '\0')
			break;
	}
	return false;
}

/*
 * bash: as readline would call it. COMP_WORDBREAKS makes "--opt=value"
 * three words ("--opt" "=" "value"), and "--opt=" two.
 */
static const char bash_driver[] =
    "source \"$1\" || exit 3\n"
    "spec=$(complete -p wsdash) || { echo 'no complete -F for wsdash' >&2;"
    " exit 4; }\n"
    "fn=${spec#*-F }; fn=${fn%% *}\n"
    "line=$2\n"
    "COMP_LINE=$line; COMP_POINT=${#line}; COMP_TYPE=9; COMP_KEY=9\n"
    "read -ra COMP_WORDS <<<\"${line//=/ = }\"\n"
    "[[ $line == *' ' ]] && COMP_WORDS+=('')\n"
    "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
    "COMPREPLY=()\n"
    "\"$fn\" wsdash \"${COMP_WORDS[COMP_CWORD]}\" "
    "\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
    "printf '%s\\n' \"${COMPREPLY[@]}\"\n";

static bool
bash_complete(const char *line, char *out, size_t len)
{
	const char *argv[] = {"bash",    "--norc",    "--noprofile",
	                      "-c",      bash_driver, "bash",
	                      BASH_COMP, line,        NULL};

	return run_cmd(argv, out, len, run_err, sizeof(run_err), RUN_MS) == 0;
}

/* fish: only this file's completions (not an installed copy's) */
#define FISH_DRIVER                                      \
	"set -g fish_complete_path (dirname $argv[1]); " \
	"source $argv[1]; and complete -C $argv[2]"

static bool
fish_complete(const char *line, char *out, size_t len)
{
	const char *argv[] = {"fish",    "--no-config", "-c", FISH_DRIVER,
	                      FISH_COMP, line,          NULL};

	return run_cmd(argv, out, len, run_err, sizeof(run_err), RUN_MS) == 0;
}

/*
 * zsh: an interactive zsh in a pty (zpty) with compinit and _wsdash on
 * fpath, a line typed and Tab pressed; compadd is wrapped to print what
 * completion adds (the way zsh-capture-completion does it).
 */
static const char zsh_setup[] =
    "PROMPT= RPROMPT=\n"
    "fpath=($WSDASH_ZFPATH $fpath)\n"
    "autoload -Uz compinit && compinit -u -D\n"
    "zstyle ':completion:*' list-grouped false\n"
    "zstyle ':completion:*' insert-tab false\n"
    "null-line() { print -r -- $'\\0' }\n"
    "compprefuncs=(null-line)\n"
    "comppostfuncs=(null-line exit)\n"
    "compadd() {\n"
    "  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then\n"
    "    builtin compadd \"$@\"; return\n"
    "  fi\n"
    "  local -a __hits; builtin compadd -A __hits \"$@\"\n"
    "  local h; for h in $__hits; do print -r -- \"HIT:$h\"; done\n"
    "}\n"
    "bindkey '^M' undefined; bindkey '^J' undefined\n"
    "bindkey '^I' complete-word\n"
    "print SETUP-OK\n";

static const char zsh_driver[] =
    "zmodload zsh/zpty || exit 3\n"
    "zpty z env TERM=xterm zsh -f -i\n"
    "local line\n"
    "zpty -w z \"WSDASH_ZFPATH=${1:h} source $2\"\n"
    "repeat 50; do zpty -r z line; [[ $line == SETUP-OK* ]] && break; "
    "done\n"
    "[[ $line == SETUP-OK* ]] || { print 'zsh setup failed' >&2; exit 4 }\n"
    "zpty -w z \"$3\"$'\\t'\n"
    "integer tog=0\n"
    "while zpty -r z line; do\n"
    "  [[ $line == *$'\\0'* ]] && { (( tog++ )) && break || continue }\n"
    "  (( tog )) && [[ $line == HIT:* ]] && print -r -- ${line#HIT:}\n"
    "done\n"
    "zpty -d z\n";

static char zsh_setup_path[320];

static bool
zsh_complete(const char *line, char *out, size_t len)
{
	const char *argv[] = {"zsh",    "-f",           "-c", zsh_driver, "zsh",
	                      ZSH_COMP, zsh_setup_path, line, NULL};

	return run_cmd(argv, out, len, run_err, sizeof(run_err), RUN_MS) == 0;
}

/* Complete line with shell; every word in want must be offered. */
static void
expect(const struct shell *sh, const char *line, const char *const *want,
       int nwant)
{
	static char out[OUT_MAX];
	char lost[2048] = "";

	if (!sh->complete(line, out, sizeof(out))) {
		missing("%s: completing '%s' failed: %s", sh->name, line,
		        run_err);
		return;
	}
	candidates_only(out);
	for (int i = 0; i < nwant; i++)
		if (!offered(out, want[i]) &&
		    strlen(lost) + strlen(want[i]) + 2 < sizeof(lost)) {
			strcat(lost, " ");
			strcat(lost, want[i]);
		}
	if (lost[0] != '\0') {
		for (char *p = out; (p = strchr(p, '\n')); *p = ' ')
			;
		missing("%s: '%s' does not offer%s (it offers: %.400s)",
		        sh->name, line, lost, out[0] ? out : "nothing");
	}
}

/*
 * What every shell must complete: commands, each command's options (short
 * and long, from its help), the default command's options without a
 * command, fixed value sets (both --opt value and --opt=value), command
 * names after help, and files where a file is wanted.
 */
static void
completion_cases(const struct shell *sh, const char *tmpdir)
{
	struct prog pg;
	const char *want[MAX_OPTS + MAX_CMDS];
	char line[1024], file[512], eq[8][64];
	int n = 0;

	prog_load(&pg);
	for (int i = 0; i < pg.ncmds; i++)
		want[n++] = pg.cmds[i].name;
	expect(sh, "wsdash ", want, n);
	want[0] = "check";
	expect(sh, "wsdash ch", want, 1);

	n = 0;
	for (int i = 0; i < pg.ncmds; i++)
		if (pg.cmds[i].nopts > 0)
			want[n++] = pg.cmds[i].name;
	expect(sh, "wsdash help ", want, n);

	for (int i = 0; i < pg.ncmds; i++) {
		const struct cmd *c = &pg.cmds[i];

		if (c->nopts == 0)
			continue;
		n = 0;
		for (int k = 0; k < c->nopts; k++)
			want[n++] = c->opts[k];
		snprintf(line, sizeof(line), "wsdash %s -", c->name);
		expect(sh, line, want, n);
	}
	/* the default command */
	want[0] = "--plain";
	expect(sh, "wsdash --pl", want, 1);
	want[0] = "--timeout";
	expect(sh, "wsdash check --ti", want, 1);

	n = 0;
	for (int i = 0; i < pg.nscen; i++)
		want[n++] = pg.scen[i];
	expect(sh, "wsdash serve --scenario ", want, n);
	expect(sh, "wsdash demo --scenario ", want, n);
	n = 0;
	for (int i = 0; i < pg.nping; i++)
		want[n++] = pg.ping[i];
	expect(sh, "wsdash watch --ping ", want, n);
	expect(sh, "wsdash demo --ping ", want, n);

	/* --opt=value */
	for (int i = 0; i < pg.nscen && i < 8; i++) {
		snprintf(eq[i], sizeof(eq[i]), "%s%s",
		         sh->eq_with_option ? "--scenario=" : "", pg.scen[i]);
		want[i] = eq[i];
	}
	expect(sh, "wsdash serve --scenario=", want,
	       pg.nscen < 8 ? pg.nscen : 8);

	/* files: a CA bundle, a config file, config --init's target */
	snprintf(file, sizeof(file), "%s/ca-bundle.pem",
	         sh->file_basename ? "" : tmpdir);
	want[0] = sh->file_basename ? file + 1 : file;
	snprintf(line, sizeof(line), "wsdash check --cacert %s/ca-", tmpdir);
	expect(sh, line, want, 1);
	snprintf(line, sizeof(line), "wsdash watch --config %s/ca-", tmpdir);
	expect(sh, line, want, 1);
	snprintf(line, sizeof(line), "wsdash config --init %s/ca-", tmpdir);
	expect(sh, line, want, 1);
}

/* A scratch directory with one file to complete. */
static void
scratch(char *dir, size_t len)
{
	char path[512];
	int fd;

	snprintf(dir, len, "/tmp/wsdash-docs-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ca-bundle.pem", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void
scratch_done(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/ca-bundle.pem", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/zsetup.zsh", dir);
	unlink(path);
	rmdir(dir);
}

Test(docs, bash_completes_commands_options_and_values)
{
	static const struct shell bash = {"bash", bash_complete, false, false};
	char dir[256];

	cr_assert(have("bash"), "bash is not installed");
	scratch(dir, sizeof(dir));
	completion_cases(&bash, dir);
	scratch_done(dir);
	cr_assert(report[0] == '\0', "\n%s", report);
}

Test(docs, fish_completes_commands_options_and_values)
{
	static const struct shell fish = {"fish", fish_complete, false, true};
	char dir[256];

	cr_assert(have("fish"),
	          "fish is not installed (in the test group of .ci/deps)");
	scratch(dir, sizeof(dir));
	completion_cases(&fish, dir);
	scratch_done(dir);
	cr_assert(report[0] == '\0', "\n%s", report);
}

Test(docs, zsh_completes_commands_options_and_values)
{
	static const struct shell zsh = {"zsh", zsh_complete, true, false};
	static char out[OUT_MAX], err[OUT_MAX];
	const char *parse[] = {"zsh", "-n", ZSH_COMP, NULL};
	char dir[256];
	FILE *f;

	cr_assert(have("zsh"),
	          "zsh is not installed (in the test group of .ci/deps)");
	cr_assert_eq(run_cmd(parse, out, sizeof(out), err, sizeof(err), RUN_MS),
	             0, "zsh -n contrib/completions/_wsdash:\n%s", err);
	scratch(dir, sizeof(dir));
	snprintf(zsh_setup_path, sizeof(zsh_setup_path), "%s/zsetup.zsh", dir);
	f = fopen(zsh_setup_path, "w");
	cr_assert_not_null(f);
	fputs(zsh_setup, f);
	fclose(f);
	completion_cases(&zsh, dir);
	scratch_done(dir);
	cr_assert(report[0] == '\0', "\n%s", report);
}
