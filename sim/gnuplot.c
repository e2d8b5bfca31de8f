/* gnuplot.c — finding gnuplot and the plot scripts, and running gnuplot without a shell:
 * names reach it only inside gnuplot strings, its stderr is collected, never printed. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MV_SCRIPTDIR
#define MV_SCRIPTDIR "/usr/local/share/mvsim/scripts" /* the Makefile passes $(PREFIX)/... */
#endif

extern char **environ;

/* A growable string; `p` is NULL-terminated whenever len > 0. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static int sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int sb_add(struct sbuf *b, const char *s)
{
	return sb_addn(b, s, strlen(s));
}

/* ---- finding gnuplot and the scripts ------------------------------------------------- */

static int is_file(const char *path, int mode)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, mode) == 0;
}

/* Finds the gnuplot to run: env GNUPLOT (a path, or a name looked up on PATH), else
 * "gnuplot" on PATH. Fills path (size n). Returns 0, or -1 with err (code 1) that says how
 * to install it. */
int mv_gnuplot_find(char *path, size_t n, struct mv_error *err)
{
	const char *name = getenv("GNUPLOT");
	const char *dirs = getenv("PATH");

	if (name == NULL || name[0] == '\0')
		name = "gnuplot";
	if (strchr(name, '/')) {
		if (strlen(name) < n && is_file(name, X_OK)) {
			strcpy(path, name);
			return 0;
		}
		return mv_error_set(err, MV_EXIT_FAIL, "gnuplot not found: GNUPLOT='%s' is not an "
				    "executable file", name);
	}
	for (const char *d = dirs ? dirs : ""; dirs != NULL; d++) {
		size_t len = strcspn(d, ":");
		int w = snprintf(path, n, "%.*s/%s", (int)len, len ? d : ".", name);
		if (w > 0 && (size_t)w < n && is_file(path, X_OK))
			return 0;
		d += len;
		if (*d == '\0')
			break;
	}
	return mv_error_set(err, MV_EXIT_FAIL, "%s not found on PATH; install it with: "
			    "apt-get install gnuplot-nox", name);
}

/* Finds the directory holding script and common.gp, in this order: env MVSIM_SCRIPTS (when
 * set, the only place looked at), <dir of this executable>/../scripts (the build tree:
 * build/mvsim), <dir>/../share/mvsim/scripts (an installed tree, wherever it was moved),
 * MV_SCRIPTDIR (the installed copy). Fills dir (size n). Returns 0, or -1 with
 * err (code 1) listing where it looked. */
int mv_gnuplot_scripts(const char *script, char *dir, size_t n, struct mv_error *err)
{
	char exe[PATH_MAX], places[4][PATH_MAX], file[PATH_MAX];
	const char *env = getenv("MVSIM_SCRIPTS");
	int np = 0;

	if (env != NULL && env[0] != '\0') {
		snprintf(places[np++], sizeof places[0], "%s", env);
	} else {
		ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
		char *slash = len > 0 ? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
		if (slash != NULL) {
			*slash = '\0';
			int w = snprintf(places[np], sizeof places[0], "%s/../scripts", exe);
			np += w > 0 && (size_t)w < sizeof places[0];
			/* an install moved as a whole: <prefix>/bin/mvsim, <prefix>/share/mvsim */
			w = snprintf(places[np], sizeof places[0], "%s/../share/mvsim/scripts", exe);
			np += w > 0 && (size_t)w < sizeof places[0];
		}
		snprintf(places[np++], sizeof places[0], "%s", MV_SCRIPTDIR);
	}
	for (int k = 0; k < np; k++) {
		/* Every script loads common.gp from its own directory: both must be there. */
		int w = snprintf(file, sizeof file, "%s/%s", places[k], script);
		if (w <= 0 || (size_t)w >= sizeof file || !is_file(file, R_OK))
			continue;
		w = snprintf(file, sizeof file, "%s/common.gp", places[k]);
		if (w > 0 && (size_t)w < sizeof file && is_file(file, R_OK) && strlen(places[k]) < n) {
			strcpy(dir, places[k]);
			return 0;
		}
	}
	return mv_error_set(err, MV_EXIT_FAIL, "cannot find the plot scripts %s and common.gp "
			    "in %s%s%s%s%s%s%s (set MVSIM_SCRIPTS to the scripts directory)", script,
			    places[0], np > 1 ? ", " : "", np > 1 ? places[1] : "",
			    np > 2 ? ", " : "", np > 2 ? places[2] : "", np > 3 ? ", " : "",
			    np > 3 ? places[3] : "");
}

/* ---- names in gnuplot strings ------------------------------------------------------- */

int mv_gnuplot_assign(char **vars, const char *name, const char *value)
{
	struct sbuf b = {*vars, *vars ? strlen(*vars) : 0, 0};

	if (strchr(value, '\n') || strchr(value, '\r'))
		return -1;
	b.cap = b.len ? b.len + 1 : 0;
	if (sb_add(&b, name) || sb_add(&b, "='"))
		goto oom;
	for (const char *s = value; *s; s++)
		if (sb_addn(&b, s, 1) || (*s == '\'' && sb_addn(&b, s, 1)))
			goto oom;
	if (sb_add(&b, "'; "))
		goto oom;
	*vars = b.p;
	return 0;
oom:
	*vars = b.p;
	return -1;
}

/* "./" before a relative name: gnuplot's special names (docs/plotting.md) all begin with
 * one of | < - + $ ~ or a blank, or are empty; "./NAME" begins with '.' and names the same
 * file. An absolute name begins with '/', which gnuplot never interprets. */
static char *safe_file_name(const char *path)
{
	size_t n = strlen(path);
	char *s = malloc(n + 3);

	if (s == NULL)
		return NULL;
	if (path[0] == '/')
		memcpy(s, path, n + 1);
	else {
		memcpy(s, "./", 2);
		memcpy(s + 2, path, n + 1);
	}
	return s;
}

int mv_gnuplot_assign_file(char **vars, const char *name, const char *path)
{
	char *safe = safe_file_name(path);
	int rc = safe ? mv_gnuplot_assign(vars, name, safe) : -1;

	free(safe);
	return rc;
}

/* ---- running gnuplot ----------------------------------------------------------------- */

/* Runs `gnuplot -e VARS SCRIPT` (no shell: names reach gnuplot only as quoted strings), stdin
 * and stdout on /dev/null, stderr collected into *text (malloc'd, NUL-terminated; the caller
 * frees it). Returns 0 when gnuplot exited 0 and printed nothing on stderr; otherwise 1,
 * with *text what it printed or how it ended (an error, a warning or a crash all count). */
int mv_gnuplot_run(const char *gnuplot, const char *script, const char *vars, char **text)
{
	posix_spawn_file_actions_t fa;
	struct sbuf out = {0};
	char *safe_script = safe_file_name(script);
	char *argv[] = {(char *)gnuplot, "-e", (char *)vars, safe_script, NULL};
	char chunk[4096];
	int fds[2], status = 0, rc;
	pid_t pid;

	*text = NULL;
	if (safe_script == NULL) {
		*text = strdup("out of memory");
		return 1;
	}
	if (pipe(fds) != 0) {
		free(safe_script);
		sb_add(&out, strerror(errno));
		*text = out.p;
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(safe_script);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		sb_add(&out, "cannot run ");
		sb_add(&out, gnuplot);
		sb_add(&out, ": ");
		sb_add(&out, strerror(rc));
		*text = out.p;
		return 1;
	}
	for (;;) {
		ssize_t got = read(fds[0], chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		sb_addn(&out, chunk, (size_t)got);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == 0 && out.len == 0) {
		free(out.p);
		return 0;
	}
	if (out.len == 0) {
		snprintf(chunk, sizeof chunk, "gnuplot %s %d without a message",
			 status != -1 && WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
			 status == -1 ? -1 : WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		sb_add(&out, chunk);
	}
	*text = out.p ? out.p : strdup("out of memory");
	return 1;
}

