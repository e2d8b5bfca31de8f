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

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/keys.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/scenario.h"

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

/* The whole file at path (free it), or NULL when it cannot be opened. */
static inline char *tu_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fclose(f);
	return tu_slurp(path, NULL);
}

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

#endif
