/* testutil.h — helpers shared by mvsim's cmocka tests (header-only, static functions).
 * Scenario text → temporary file → loaded scenario; run a scenario into memory. */
#ifndef MVSIM_TESTUTIL_H
#define MVSIM_TESTUTIL_H

#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/keys.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/scenario.h"

/* The batch commands end with one line on stderr unless --quiet (docs/sweeps.md, "Logs"):
 * "mvsim WHAT: N runs[ (K kept)], F failed[, B broken checks], S s, R runs/s". Checks that
 * err ends with it and removes it (err keeps what came before); returns its run count, or
 * -1 when the last line is not one. */
static inline long tu_final_line(char *err, const char *what)
{
	size_t n = strlen(err);
	char head[64];
	if (n == 0 || err[n - 1] != '\n')
		return -1;
	char *line = err + n - 1;
	while (line > err && line[-1] != '\n')
		line--;
	int hn = snprintf(head, sizeof head, "mvsim %s: ", what);
	char *end;
	long runs = strtol(line + hn, &end, 10);
	if (strncmp(line, head, (size_t)hn) != 0 || end == line + hn || strncmp(end, " runs", 5) != 0 ||
	    strstr(line, " failed, ") == NULL || n < 8 || strcmp(err + n - 8, " runs/s\n") != 0)
		return -1;
	*line = '\0';
	return runs;
}

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal: |a − b| <= eps, or fail with both. */
#ifndef assert_double_equal
#define assert_double_equal(a, b, eps) tu_assert_near((a), (b), (eps), #a, __FILE__, __LINE__)
#endif
static inline void tu_assert_near(double a, double b, double eps, const char *expr,
				  const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("%s = %.15g, expected %.15g within %g\n", expr, a, b, eps);
		_fail(file, line);
	}
}

/* Writes text to a new temporary .cfg file under build/; returns its path (static buffer
 * per call site is not needed: the caller frees). */
static inline char *tu_write_cfg(const char *text)
{
	char *path = malloc(64);
	snprintf(path, 64, "build/tu-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* The whole file at path as a NUL-terminated string (free it); *len (if not NULL) its size.
 * Fails the test when the file cannot be opened. */
static inline char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	do {
		if (cap - n < 65536) {
			cap = cap ? 2 * cap : 1 << 17;
			buf = realloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The whole file at path (free it), or NULL when it cannot be opened. */
static inline char *tu_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fclose(f);
	return tu_slurp(path, NULL);
}

/* Writes text to path (created or truncated); fails the test when it cannot. */
static inline void tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static inline int tu_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* dir/name in one of 8 static buffers used in turn (so a call may take a few at once). */
static inline char *tu_dir_file(const char *dir, const char *name)
{
	static char buf[8][256];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

/* Entries of directory dir whose name starts with prefix. */
static inline int tu_count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* Redirects descriptor fd (1 or 2) into a fresh file under build/ until tu_capture_end,
 * which restores it and returns what was written (malloc'd); the file is removed. For a
 * command called in-process. */
struct tu_capture {
	int fd, saved;
	char path[64];
};

static inline void tu_capture_begin(struct tu_capture *c, int fd)
{
	fflush(fd == 1 ? stdout : stderr);
	mkdir("build", 0755);
	c->fd = fd;
	snprintf(c->path, sizeof c->path, "build/tu-capture-XXXXXX");
	int out = mkstemp(c->path);
	c->saved = dup(fd);
	assert_true(c->saved >= 0 && out >= 0);
	dup2(out, fd);
	close(out);
}

static inline char *tu_capture_end(struct tu_capture *c)
{
	fflush(c->fd == 1 ? stdout : stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	char *text = tu_slurp(c->path, NULL);
	unlink(c->path);
	return text;
}

/* Loads scenario text with optional --set assignments; fails the test on error. */
static inline struct mv_scenario *tu_load_text(const char *text, int nsets, char *const *sets,
					       struct mv_keytab *kt)
{
	char *path = tu_write_cfg(text);
	struct mv_error err = {0};
	struct mv_scenario *sc = mv_config_load(path, nsets, sets, kt, &err);
	if (sc == NULL)
		fail_msg("loading failed: %s", err.msg);
	unlink(path);
	free(path);
	return sc;
}

/* Rows of a run kept in memory. */
struct tu_rows {
	int ncols;
	long nrows, cap;
	double *v; /* nrows × ncols */
};

static inline int tu_rows_cb(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	struct tu_rows *r = ctx;
	(void)err;
	if (r->nrows == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->v = realloc(r->v, (size_t)r->cap * (size_t)ncols * sizeof *r->v);
	}
	r->ncols = ncols;
	memcpy(r->v + r->nrows * ncols, row, (size_t)ncols * sizeof *row);
	r->nrows++;
	return 0;
}

/* Runs sc as `mvsim run` does (with its noise, if any) with method (NULL: the scenario's)
 * into rows; returns mv_run_exec's status. */
static inline int tu_run(const struct mv_scenario *sc, const struct mv_keytab *kt,
			 const char *method, struct tu_rows *rows, struct mv_error *err)
{
	struct mv_run_opts opts = {0};
	struct mv_noise *nz = NULL;
	opts.method = method;
	memset(rows, 0, sizeof *rows);
	if (mv_noise_attach(sc, (uint64_t)sc->val[MV_G_NOISE_SEED], &opts, &nz, err))
		return -1;
	struct mv_run *run = mv_run_create(sc, kt, &opts, err);
	if (run == NULL) {
		mv_noise_free(nz);
		return -1;
	}
	int rc = mv_run_exec(run, tu_rows_cb, rows, err);
	mv_run_free(run);
	mv_noise_free(nz);
	return rc;
}

/* Column index of name in sc's output, or fails the test. */
static inline int tu_col(const struct mv_scenario *sc, const char *name)
{
	struct mv_error err = {0};
	int nc;
	char **cols = mv_model_columns(sc, &nc, &err);
	assert_non_null(cols);
	for (int c = 0; c < nc; c++)
		if (strcmp(cols[c], name) == 0) {
			free(cols);
			return c;
		}
	free(cols);
	fail_msg("no column %s", name);
	return -1;
}

static inline double tu_at(const struct tu_rows *r, long row, int col)
{
	return r->v[row * r->ncols + col];
}

/* ================================================================ running mvsim
 * For the command tests: define TU_OUT (their scratch directory under build/) before
 * including this header. tu_bin is the binary under test ($MVSIM, default build/mvsim; the
 * test's setup fills it); its stdout and stderr go to TU_OUT/stdout and TU_OUT/stderr. */
#ifdef TU_OUT
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static char tu_bin[256];
static int tu_valgrind; /* MV_UNDER_VALGRIND: every mvsim is ~50 times slower */
static int tu_no_sweep; /* the binary has no sweep command (TU_NEED_SWEEP skips) */

/* A command test's group setup: tu_bin from $MVSIM (default build/mvsim; a relative name
 * run as ./NAME), build/ and TU_OUT made, tu_valgrind and tu_no_sweep set. Returns 0, or -1
 * when the binary is not executable. */
static inline int tu_setup_bin(void);

/* The tests that need `mvsim sweep` skip, loudly, without it. */
#define TU_NEED_SWEEP()                                                                   \
	do {                                                                               \
		if (tu_no_sweep) {                                                         \
			print_message("%s has no sweep command: skipped\n", tu_bin);      \
			skip();                                                            \
		}                                                                          \
	} while (0)

/* Starts `mvsim ARGS` (NULL-terminated) with stdout and stderr into TU_OUT/stdout, stderr. */
static inline pid_t tu_start(char *const args[])
{
	char *argv[32];
	int n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	argv[0] = tu_bin;
	while (args[n] && n < 30) {
		argv[n + 1] = args[n];
		n++;
	}
	argv[n + 1] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, TU_OUT "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, TU_OUT "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (posix_spawn(&pid, tu_bin, &fa, NULL, argv, environ) != 0)
		fail_msg("cannot run %s", tu_bin);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Exit status, or 128 + the signal that ended it. */
static inline int tu_finish(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Runs `mvsim ARGS` (NULL-terminated); *out and *err (if not NULL) receive its output. */
static inline int tu_mv(char **out, char **err, ...)
{
	char *args[32];
	int n = 0;
	va_list ap;
	va_start(ap, err);
	while ((args[n] = va_arg(ap, char *)) != NULL && n < 30)
		n++;
	va_end(ap);
	args[n] = NULL;
	int rc = tu_finish(tu_start(args));
	if (out)
		*out = tu_read(TU_OUT "/stdout");
	if (err)
		*err = tu_read(TU_OUT "/stderr");
	return rc;
}

static inline int tu_setup_bin(void)
{
	const char *m = getenv("MVSIM");

	snprintf(tu_bin, sizeof tu_bin, "%s%s", m && m[0] != '/' ? "./" : "",
		 m && m[0] ? m : "build/mvsim");
	mkdir("build", 0755);
	mkdir(TU_OUT, 0755);
	if (access(tu_bin, X_OK) != 0) {
		print_error("%s: not executable\n", tu_bin);
		return -1;
	}
	tu_valgrind = getenv("MV_UNDER_VALGRIND") != NULL;
	tu_no_sweep = tu_mv(NULL, NULL, "sweep", "--help", NULL) != 0;
	return 0;
}

static inline void tu_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Lines of text that start with the character first. */
static inline long tu_count_lines(const char *text, char first)
{
	long n = 0;
	for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		n += *p == first;
	return n;
}
#endif /* TU_OUT */

/* ================================================================ the mvsim binary, whole
 * For the tests of run, check, keys and the kit: define TU_CLIROOT (a directory under build/)
 * before including this header. tu_cli_setup finds $MVSIM (default build/mvsim), makes a
 * fresh TU_CLIROOT/run-XXXXXX for captures and runs the baseline once (baseline_out);
 * RUN(args...) runs mvsim to completion; expect_ok / expect_error check what it did. */
#ifdef TU_CLIROOT
#define CLIROOT TU_CLIROOT
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

extern char **environ;

#define KZ "configs/kazakhstan.cfg"
#define WHATIF "tests/data/cli/whatif.cfg"

static const char *mvsim;  /* the binary under test */
static char rundir[128];   /* CLIROOT/run-XXXXXX: stdout/stderr captures, scratch */
static char *baseline_out; /* stdout of `mvsim run KZ`, shared by several tests */

/* ---------------------------------------------------------------- running mvsim */

struct result {
	int status;   /* from waitpid */
	char *out;    /* captured stdout, NUL-terminated */
	size_t nout;
	char *err;    /* captured stderr */
	size_t nerr;
	char cmd[512]; /* for messages */
};


static inline void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

/* Spawns `mvsim args...` (NULL-terminated) with stdin from /dev/null, stdout into
 * rundir/stdout (or stdout_path if not NULL), stderr into rundir/stderr; SIGPIPE has its
 * default action unless ignore_sigpipe. Returns the pid; stdout_fd >= 0 puts that fd on 1. */
static inline pid_t spawn_mvsim(const char *const *args, const char *stdout_path, int stdout_fd,
			 int ignore_sigpipe, char *cmd, size_t cmdsize)
{
	char *argv[64];
	char outp[256], errp[256];
	int argc = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t sigs;
	pid_t pid;

	argv[argc++] = (char *)mvsim;
	for (const char *const *a = args; *a; a++)
		argv[argc++] = (char *)*a;
	argv[argc] = NULL;
	cmd[0] = '\0';
	for (int k = 0; k < argc; k++) {
		strncat(cmd, k ? " " : "", cmdsize - strlen(cmd) - 1);
		strncat(cmd, argv[k], cmdsize - strlen(cmd) - 1);
	}
	snprintf(outp, sizeof outp, "%s/stdout", rundir);
	snprintf(errp, sizeof errp, "%s/stderr", rundir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (stdout_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, stdout_path ? stdout_path : outp,
						 O_WRONLY | O_CREAT | O_TRUNC, 0666);
	posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	posix_spawnattr_init(&at);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGPIPE);
	if (ignore_sigpipe) {
		/* an ignored signal stays ignored across exec */
		signal(SIGPIPE, SIG_IGN);
	} else {
		posix_spawnattr_setsigdefault(&at, &sigs);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	}
	int rc = posix_spawn(&pid, mvsim, &fa, &at, argv, environ);
	if (ignore_sigpipe)
		signal(SIGPIPE, SIG_DFL);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0)
		fail_msg("cannot run %s: %s", mvsim, strerror(rc));
	return pid;
}

/* Runs mvsim to completion and collects its status and output. */
static inline struct result run_args(const char *const *args, const char *stdout_path)
{
	struct result r;
	char p[256];

	memset(&r, 0, sizeof r);
	pid_t pid = spawn_mvsim(args, stdout_path, -1, 0, r.cmd, sizeof r.cmd);
	assert_int_equal(waitpid(pid, &r.status, 0), pid);
	snprintf(p, sizeof p, "%s/stdout", rundir);
	r.out = stdout_path ? strdup("") : tu_slurp(p, &r.nout);
	snprintf(p, sizeof p, "%s/stderr", rundir);
	r.err = tu_slurp(p, &r.nerr);
	/* a sanitizer report is a failure whatever the exit status */
	if (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error:"))
		fail_msg("%s: sanitizer report:\n%s", r.cmd, r.err);
	return r;
}

#define RUN(...) run_args((const char *const[]){__VA_ARGS__, NULL}, NULL)

static inline void expect_exit(const struct result *r, int code)
{
	if (WIFSIGNALED(r->status))
		fail_msg("%s: killed by signal %d\nstderr: %s", r->cmd, WTERMSIG(r->status), r->err);
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != code)
		fail_msg("%s: exit status %d, expected %d\nstderr: %s", r->cmd, WEXITSTATUS(r->status),
			 code, r->err);
}

/* Exit 0, nothing on stderr. */
static inline void expect_ok(const struct result *r)
{
	expect_exit(r, 0);
	if (r->nerr != 0)
		fail_msg("%s: succeeded but wrote to stderr:\n%s", r->cmd, r->err);
}

/* An error: exit code, nothing on stdout, and stderr exactly msg (if not NULL). */
static inline void expect_error(const struct result *r, int code, const char *msg)
{
	expect_exit(r, code);
	if (r->nout != 0)
		fail_msg("%s: failed but wrote %zu bytes to stdout:\n%.500s", r->cmd, r->nout, r->out);
	if (r->nerr == 0)
		fail_msg("%s: failed with nothing on stderr", r->cmd);
	if (msg && strcmp(r->err, msg) != 0)
		fail_msg("%s: stderr\n  got      \"%s\"\n  expected \"%s\"", r->cmd, r->err, msg);
}

static inline int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---------------------------------------------------------------- scratch directories */

/* A fresh empty directory rundir/name; returns its path (caller frees). */
static inline char *fresh_dir(const char *name)
{
	char *d = malloc(256);
	snprintf(d, 256, "%s/%s", rundir, name);
	assert_int_equal(mkdir(d, 0777), 0);
	return d;
}

/* Entries of dir (not . and ..) joined by '|'; returns their number. */
static inline int list_dir(const char *dir, char *buf, size_t size)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(dp);
	buf[0] = '\0';
	while ((e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n++)
			strncat(buf, "|", size - strlen(buf) - 1);
		strncat(buf, e->d_name, size - strlen(buf) - 1);
	}
	closedir(dp);
	return n;
}

/* Removes the files in dir, then dir. */
static inline void remove_dir(char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char p[512];

	if (dp) {
		while ((e = readdir(dp)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(dp);
	}
	rmdir(dir);
	free(dir);
}

/* ---------------------------------------------------------------- parsing output */

/* Data rows (lines after the header line), checking that each has as many tab-separated
 * fields as the header. */
static inline int count_rows(const char *text)
{
	int header_fields = 0, rows = 0, seen_header = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		if (*p != '#') {
			int fields = 1;
			for (const char *q = p; q < nl; q++)
				fields += *q == '\t';
			if (!seen_header) {
				seen_header = 1;
				header_fields = fields;
				assert_true(starts_with(p, "t\t"));
			} else {
				if (fields != header_fields)
					fail_msg("row %d has %d fields, the header %d", rows + 1, fields,
						 header_fields);
				rows++;
			}
		} else {
			assert_false(seen_header); /* metadata only before the header */
		}
		p = nl + 1;
	}
	assert_true(seen_header);
	return rows;
}

/* The part of text after the header line (the numbers). */
static inline const char *data_part(const char *text)
{
	const char *p = text;
	while (*p == '#')
		p = strchr(p, '\n') + 1;
	return strchr(p, '\n') + 1;
}

/* Does text have a line exactly equal to line? */
static inline int has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) == len && strncmp(p, line, len) == 0)
			return 1;
		p = *nl ? nl + 1 : nl;
	}
	return 0;
}

/* The line of text that starts with prefix (copied into buf), or fails. */
static inline const char *line_starting(const char *text, const char *prefix, char *buf, size_t size)
{
	size_t len = strlen(prefix);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (strncmp(p, prefix, len) == 0) {
			size_t n = (size_t)(nl - p) < size - 1 ? (size_t)(nl - p) : size - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return buf;
		}
		p = *nl ? nl + 1 : nl;
	}
	fail_msg("no line starting \"%s\"", prefix);
	return NULL;
}

/* The last data row's numbers. */
static inline int last_row(const char *text, double *v, int max)
{
	const char *end = text + strlen(text) - 1, *p = end;
	while (p > text && p[-1] != '\n')
		p--;
	int n = 0;
	char *q;
	while (p < end && n < max) {
		v[n++] = strtod(p, &q);
		assert_true(q != p);
		p = q + (*q == '\t');
	}
	return n;
}

static const char *const sources[] = {"default", "file ", "base ", "override ", "--set",
				      "derived"};

/* Every key of scenario `cfg` has a line "KEY  VALUE  SOURCE" in text. */
static inline void expect_every_key(const char *text, const char *cfg)
{
	struct mv_keytab kt;
	struct mv_error err = {0};
	struct mv_scenario *sc = mv_config_load(cfg, 0, NULL, &kt, &err);
	if (sc == NULL)
		fail_msg("%s: %s", cfg, err.msg);
	for (int k = 0; k < kt.nkeys; k++) {
		char prefix[256], line[1024];
		snprintf(prefix, sizeof prefix, "%s ", kt.keys[k].name);
		line_starting(text, prefix, line, sizeof line);
		/* the value, then a source */
		char *p = line + strlen(prefix);
		while (*p == ' ')
			p++;
		char *endv;
		strtod(p, &endv);
		if (endv == p)
			fail_msg("no value in \"%s\"", line);
		p = endv;
		while (*p == ' ')
			p++;
		int known = 0;
		for (size_t s = 0; s < sizeof sources / sizeof sources[0]; s++)
			known |= starts_with(p, sources[s]);
		if (!known)
			fail_msg("no source in \"%s\"", line);
	}
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
}

static inline void expect_key_source(const char *text, const char *key, const char *source)
{
	char prefix[256], line[1024];
	snprintf(prefix, sizeof prefix, "%s ", key);
	line_starting(text, prefix, line, sizeof line);
	if (strstr(line, source) == NULL)
		fail_msg("\"%s\": expected the source \"%s\"", line, source);
}

static inline int tu_cli_setup(void **state)
{
	(void)state;
	char p[256];
	struct stat st;

	mvsim = getenv("MVSIM");
	if (mvsim == NULL || mvsim[0] == '\0')
		mvsim = "build/mvsim";
	if (stat(mvsim, &st) != 0 || !(st.st_mode & S_IXUSR)) {
		fprintf(stderr, "%s is not an executable (set MVSIM)\n", mvsim);
		return -1;
	}
	mkdir("build", 0777);
	if (mkdir(CLIROOT, 0777) != 0 && errno != EEXIST)
		return -1;
	snprintf(rundir, sizeof rundir, CLIROOT "/run-XXXXXX");
	if (mkdtemp(rundir) == NULL)
		return -1;
	/* the baseline on stdout, which several tests compare with */
	pid_t pid;
	int status;
	char *argv[] = {(char *)mvsim, "run", KZ, NULL};
	posix_spawn_file_actions_t fa;
	snprintf(p, sizeof p, "%s/baseline.tsv", rundir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, p, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (posix_spawn(&pid, mvsim, &fa, NULL, argv, environ) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s run %s failed\n", mvsim, KZ);
		return -1;
	}
	FILE *f = fopen(p, "rb");
	if (f == NULL)
		return -1;
	fclose(f);
	baseline_out = tu_slurp(p, NULL);
	unlink(p);
	return 0;
}

/* tu_cli_setup, and the repository's scripts for `mvsim plot` wherever the binary under
 * test lives (make check runs build/asan/mvsim, which has no scripts beside it). */
static inline int tu_cli_setup_scripts(void **state)
{
	setenv("MVSIM_SCRIPTS", "scripts", 1);
	unsetenv("GNUPLOT");
	return tu_cli_setup(state);
}

static inline int tu_cli_teardown(void **state)
{
	(void)state;
	char p[256];
	free(baseline_out);
	snprintf(p, sizeof p, "%s/stdout", rundir);
	unlink(p);
	snprintf(p, sizeof p, "%s/stderr", rundir);
	unlink(p);
	rmdir(rundir); /* stays if a test left something behind */
	return 0;
}

#endif /* TU_CLIROOT */

/* ================================================================ ensemble, sensitivity
 * For test_cmd_ensemble.c and test_cmd_sensitivity.c: define TU_UQ_OUT (their scratch
 * directory) and DATA before including. ENS(...) / SENSI(...) call a command in-process with
 * its stdout and stderr captured; cli(...) runs $MVSIM; table_read reads a result. */
#ifdef TU_UQ_OUT
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static char bin[256];  /* the mvsim binary: $MVSIM, default build/mvsim */
static int have_cli;   /* it has the ensemble and sensitivity commands */

/* ================================================================ helpers */


/* Calls fn (mv_cmd_ensemble or mv_cmd_sensitivity) with argv = {name, args..., NULL}; its
 * stderr into *err and its stdout into *out (each malloc'd; NULL: discarded). */
static inline int cmd(int (*fn)(int, char **), const char *name, char **out, char **err, ...)
{
	struct tu_capture co, ce;
	char *argv[64] = {(char *)name};
	int argc = 1;
	va_list ap;

	va_start(ap, err);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	tu_capture_begin(&co, 1);
	tu_capture_begin(&ce, 2);
	int rc = fn(argc, argv);
	char *e = tu_capture_end(&ce), *o = tu_capture_end(&co);
	if (err)
		*err = e;
	else
		free(e);
	if (out)
		*out = o;
	else
		free(o);
	return rc;
}

#define ENS(out, err, ...) cmd(mv_cmd_ensemble, "ensemble", out, err, __VA_ARGS__, NULL)
#define SENSI(out, err, ...) cmd(mv_cmd_sensitivity, "sensitivity", out, err, __VA_ARGS__, NULL)

/* Runs `$MVSIM args...` (NULL-terminated), stdout and stderr to files; returns the exit
 * status (128 + signal when killed). If interrupt_after > 0, sends SIGINT after that many
 * seconds. *err receives stderr (malloc'd). */
static inline int cli(double interrupt_after, char **err, ...)
{
	char *argv[64] = {bin};
	int argc = 1, status;
	va_list ap;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	va_start(ap, err);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, TU_UQ_OUT "/cli-stdout", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, TU_UQ_OUT "/cli-stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		fail_msg("cannot run %s: %s", bin, strerror(rc));
	if (interrupt_after > 0) {
		struct timespec ts = {(time_t)interrupt_after,
				      (long)((interrupt_after - (double)(time_t)interrupt_after) * 1e9)};
		nanosleep(&ts, NULL);
		kill(pid, SIGINT);
	}
	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	char *e = tu_slurp(TU_UQ_OUT "/cli-stderr", NULL);
	if (strstr(e, "Sanitizer") || strstr(e, "runtime error:"))
		fail_msg("%s: sanitizer report:\n%s", bin, e);
	if (err)
		*err = e;
	else
		free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define NEED_CLI()                                                                        \
	do {                                                                              \
		if (!have_cli) {                                                          \
			print_message("      skipped: %s has no 'ensemble' command yet (add "  \
				      "the commands to the table in sim/cli/cli.c)\n", bin); \
			skip();                                                           \
		}                                                                         \
	} while (0)

/* A result table: metadata text, header names, numbers (text fields read as NaN). */
struct table {
	char *meta;      /* the '#' lines */
	int ncol;
	char **names;
	char **text;     /* nrows × ncol fields, as written */
	double *v;       /* nrows × ncol */
	long nrows;
	char *buf;
};

static inline void table_free(struct table *t)
{
	free(t->meta);
	free(t->names);
	free(t->text);
	free(t->v);
	free(t->buf);
	memset(t, 0, sizeof *t);
}

static inline int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	for (char *p = line;; n++) {
		char *tab = strchr(p, '\t');
		if (n < max)
			f[n] = p;
		if (tab == NULL) {
			n++;
			break;
		}
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

static inline void table_read(struct table *t, const char *path)
{
	memset(t, 0, sizeof *t);
	t->buf = tu_slurp(path, NULL);
	size_t mlen = 0;
	char *p = t->buf;
	while (*p == '#') {
		char *nl = strchr(p, '\n');
		assert_non_null(nl);
		p = nl + 1;
	}
	mlen = (size_t)(p - t->buf);
	t->meta = strndup(t->buf, mlen);
	char *nl = strchr(p, '\n');
	assert_non_null(nl);
	*nl = '\0';
	t->ncol = 1;
	for (char *c = p; *c; c++)
		t->ncol += *c == '\t';
	t->names = malloc((size_t)t->ncol * sizeof *t->names);
	split_tabs(p, t->names, t->ncol);
	long cap = 16;
	t->text = malloc((size_t)cap * (size_t)t->ncol * sizeof *t->text);
	t->v = malloc((size_t)cap * (size_t)t->ncol * sizeof *t->v);
	for (p = nl + 1; *p && *p != '#'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (t->nrows == cap) {
			cap *= 2;
			t->text = realloc(t->text, (size_t)cap * (size_t)t->ncol * sizeof *t->text);
			t->v = realloc(t->v, (size_t)cap * (size_t)t->ncol * sizeof *t->v);
		}
		char **f = t->text + t->nrows * t->ncol;
		assert_int_equal(split_tabs(p, f, t->ncol), t->ncol);
		for (int c = 0; c < t->ncol; c++) {
			char *end;
			double x = strtod(f[c], &end);
			t->v[t->nrows * t->ncol + c] = *end ? NAN : x;
		}
		t->nrows++;
	}
}

static inline int table_col(const struct table *t, const char *name)
{
	for (int c = 0; c < t->ncol; c++)
		if (strcmp(t->names[c], name) == 0)
			return c;
	fail_msg("no column %s", name);
	return -1;
}

/* The value of column "<col>_<stat>" in row r. */
static inline double bstat(const struct table *t, long r, const char *col, const char *st)
{
	char name[160];
	snprintf(name, sizeof name, "%s_%s", col, st);
	return t->v[r * t->ncol + table_col(t, name)];
}

/* Row of (metric, parameter) in a sensitivity table. */
static inline long srow(const struct table *t, const char *metric, const char *param)
{
	for (long r = 0; r < t->nrows; r++)
		if (strcmp(t->text[r * t->ncol], metric) == 0 &&
		    strcmp(t->text[r * t->ncol + 1], param) == 0)
			return r;
	fail_msg("no row %s %s", metric, param);
	return -1;
}

static inline double sval(const struct table *t, const char *metric, const char *param, const char *col)
{
	return t->v[srow(t, metric, param) * t->ncol + table_col(t, col)];
}

static inline const char *stext(const struct table *t, const char *metric, const char *param,
			 const char *col)
{
	return t->text[srow(t, metric, param) * t->ncol + table_col(t, col)];
}

static inline void assert_contains(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		fail_msg("expected to find:\n%s\nin:\n%s", part, text);
}

static inline void assert_same_file(const char *a, const char *b)
{
	char *x = tu_slurp(a, NULL), *y = tu_slurp(b, NULL);
	if (strcmp(x, y) != 0)
		fail_msg("%s and %s differ", a, b);
	free(x);
	free(y);
}

/* The deterministic run of SMALL (no noise), in memory. */
static struct tu_rows det_rows;
static struct mv_scenario *det_sc;
static struct mv_keytab det_kt;

static inline int setup(void **state)
{
	struct mv_error err = {0};
	const char *m = getenv("MVSIM");

	(void)state;
	mkdir("build", 0755);
	mkdir(TU_UQ_OUT, 0755);
	snprintf(bin, sizeof bin, "%s%s", m && m[0] != '/' ? "./" : "", m && m[0] ? m : "build/mvsim");
	have_cli = access(bin, X_OK) == 0 && cli(0, NULL, "ensemble", "--help", NULL) == 0;
	det_sc = mv_config_load(SMALL, 0, NULL, &det_kt, &err);
	if (det_sc == NULL || tu_run(det_sc, &det_kt, NULL, &det_rows, &err)) {
		print_error("%s: %s\n", SMALL, err.msg);
		return -1;
	}
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	free(det_rows.v);
	mv_keytab_free(&det_kt);
	mv_scenario_free(det_sc);
	return 0;
}

static const char *const small_cols[] = {"share_alpha", "share_beta", "share_gamma", "n_eff",
					 "tension_alpha", "crisis_prob"};
#define NSMALL (int)(sizeof small_cols / sizeof small_cols[0])

#endif /* TU_UQ_OUT */

#endif
