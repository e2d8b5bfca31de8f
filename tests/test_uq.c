/* test_uq.c — `mvsim ensemble` and `mvsim sensitivity` (sim/cmd_uq.c): bands that widen with
 * the noise and collapse onto the deterministic run without it, ordered percentiles, the seeds,
 * output identical for any --jobs (in-process and through the CLI $MVSIM), indices with their
 * notes, and every bad input with its exact message and exit status.
 *
 * The commands run in-process (mv_cmd_ensemble, mv_cmd_sensitivity) on tests/data/uq/small.cfg,
 * 3 vectors over 10 years with 11 rows, so the whole file takes a few seconds. The CLI tests
 * run $MVSIM (default build/mvsim) and are skipped, saying so, when its command table has no
 * `ensemble` yet. */
#include "testutil.h"

#include "mvsim/cmd_uq.h"
#include "mvsim/noise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define OUT "build/test-uq"
#define DATA "tests/data/uq"
#define SMALL DATA "/small.cfg"
#define SENS DATA "/sens.cfg"

static char bin[256];  /* the mvsim binary: $MVSIM, default build/mvsim */
static int have_cli;   /* it has the ensemble and sensitivity commands */

/* ================================================================ helpers */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	size_t n = 0, cap = 1 << 16, got;
	char *buf = malloc(cap + 1);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Redirects fd to a file until capture_end, which returns what was written (malloc'd). */
struct capture {
	int fd, saved;
	char path[64];
};

static void capture_begin(struct capture *c, int fd)
{
	fflush(fd == 1 ? stdout : stderr);
	c->fd = fd;
	snprintf(c->path, sizeof c->path, OUT "/capture-%d.txt", fd);
	c->saved = dup(fd);
	int out = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(c->saved >= 0 && out >= 0);
	dup2(out, fd);
	close(out);
}

static char *capture_end(struct capture *c)
{
	fflush(c->fd == 1 ? stdout : stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	return slurp(c->path);
}

/* Calls fn (mv_cmd_ensemble or mv_cmd_sensitivity) with argv = {name, args..., NULL}; its
 * stderr into *err and its stdout into *out (each malloc'd; NULL: discarded). */
static int cmd(int (*fn)(int, char **), const char *name, char **out, char **err, ...)
{
	struct capture co, ce;
	char *argv[64] = {(char *)name};
	int argc = 1;
	va_list ap;

	va_start(ap, err);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	capture_begin(&co, 1);
	capture_begin(&ce, 2);
	int rc = fn(argc, argv);
	char *e = capture_end(&ce), *o = capture_end(&co);
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
static int cli(double interrupt_after, char **err, ...)
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
	posix_spawn_file_actions_addopen(&fa, 1, OUT "/cli-stdout", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, OUT "/cli-stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
	char *e = slurp(OUT "/cli-stderr");
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
				      "cmd_uq.h's commands to the table in sim/cli.c)\n", bin); \
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

static void table_free(struct table *t)
{
	free(t->meta);
	free(t->names);
	free(t->text);
	free(t->v);
	free(t->buf);
	memset(t, 0, sizeof *t);
}

static int split_tabs(char *line, char **f, int max)
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

static void table_read(struct table *t, const char *path)
{
	memset(t, 0, sizeof *t);
	t->buf = slurp(path);
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

static int table_col(const struct table *t, const char *name)
{
	for (int c = 0; c < t->ncol; c++)
		if (strcmp(t->names[c], name) == 0)
			return c;
	fail_msg("no column %s", name);
	return -1;
}

/* The value of column "<col>_<stat>" in row r. */
static double bstat(const struct table *t, long r, const char *col, const char *st)
{
	char name[160];
	snprintf(name, sizeof name, "%s_%s", col, st);
	return t->v[r * t->ncol + table_col(t, name)];
}

/* Row of (metric, parameter) in a sensitivity table. */
static long srow(const struct table *t, const char *metric, const char *param)
{
	for (long r = 0; r < t->nrows; r++)
		if (strcmp(t->text[r * t->ncol], metric) == 0 &&
		    strcmp(t->text[r * t->ncol + 1], param) == 0)
			return r;
	fail_msg("no row %s %s", metric, param);
	return -1;
}

static double sval(const struct table *t, const char *metric, const char *param, const char *col)
{
	return t->v[srow(t, metric, param) * t->ncol + table_col(t, col)];
}

static const char *stext(const struct table *t, const char *metric, const char *param,
			 const char *col)
{
	return t->text[srow(t, metric, param) * t->ncol + table_col(t, col)];
}

static void assert_contains(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		fail_msg("expected to find:\n%s\nin:\n%s", part, text);
}

static void assert_same_file(const char *a, const char *b)
{
	char *x = slurp(a), *y = slurp(b);
	if (strcmp(x, y) != 0)
		fail_msg("%s and %s differ", a, b);
	free(x);
	free(y);
}

/* The deterministic run of SMALL (no noise), in memory. */
static struct tu_rows det_rows;
static struct mv_scenario *det_sc;
static struct mv_keytab det_kt;

static int setup(void **state)
{
	struct mv_error err = {0};
	const char *m = getenv("MVSIM");

	(void)state;
	mkdir("build", 0755);
	mkdir(OUT, 0755);
	snprintf(bin, sizeof bin, "%s%s", m && m[0] != '/' ? "./" : "", m && m[0] ? m : "build/mvsim");
	have_cli = access(bin, X_OK) == 0 && cli(0, NULL, "ensemble", "--help", NULL) == 0;
	det_sc = mv_config_load(SMALL, 0, NULL, &det_kt, &err);
	if (det_sc == NULL || tu_run(det_sc, &det_kt, NULL, &det_rows, &err)) {
		print_error("%s: %s\n", SMALL, err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
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

/* ================================================================ ensemble */

/* Bands widen with sigma: at the end, p95 − p05 and sd of every column that moves are larger
 * with sigma 0.2 than with 0.05 (same seeds, so the same normals scaled by 4); at the start
 * every run is the same (ε_0 = 0), so every band has zero width there. */
static void test_ens_widen(void **state)
{
	struct table lo, hi;
	(void)state;
	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.05", "--runs", "40", "-o",
			     OUT "/widen-lo.tsv"), 0);
	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.2", "--runs", "40", "-o",
			     OUT "/widen-hi.tsv"), 0);
	table_read(&lo, OUT "/widen-lo.tsv");
	table_read(&hi, OUT "/widen-hi.tsv");
	assert_int_equal(lo.nrows, 11);
	long e = lo.nrows - 1;
	for (int c = 0; c < NSMALL; c++) {
		const char *C = small_cols[c];
		assert_true(bstat(&lo, 0, C, "sd") == 0 && bstat(&hi, 0, C, "sd") == 0);
		assert_true(bstat(&hi, 0, C, "p95") == bstat(&hi, 0, C, "p05"));
		double wlo = bstat(&lo, e, C, "p95") - bstat(&lo, e, C, "p05");
		double whi = bstat(&hi, e, C, "p95") - bstat(&hi, e, C, "p05");
		if (!(whi > wlo && wlo > 0 && bstat(&hi, e, C, "sd") > bstat(&lo, e, C, "sd")))
			fail_msg("%s: 90%% band %g (sigma 0.2) not wider than %g (sigma 0.05)", C, whi,
				 wlo);
	}
	table_free(&lo);
	table_free(&hi);
}

/* With sigma = 0 every run is the deterministic run: a warning, and every statistic equals
 * the deterministic value (to the 10 digits printed: 1e-9 relative), sd exactly 0. With
 * sigma = 1e-6 the bands are within 1e-4 of it: responses are linear in ε for small ε, and
 * no column here moves by more than ~10 per unit of log-pull (shares by at most 1/4), so
 * 100·sigma bounds them; sd > 0 shows the noise is on. */
static void test_ens_collapse(void **state)
{
	static const char *const st[] = {"mean", "p05", "p25", "p50", "p75", "p95"};
	struct table t;
	char *err;
	(void)state;
	assert_int_equal(ENS(NULL, &err, SMALL, "--runs", "5", "-o", OUT "/zero.tsv"), 0);
	assert_string_equal(err, "mvsim: warning: " SMALL " has no noise (noise.sigma and every "
				 "noise_sigma are 0): every run is the deterministic run and the bands "
				 "have zero width\n");
	free(err);
	table_read(&t, OUT "/zero.tsv");
	assert_contains(t.meta, "# noise\toff (noise.sigma and every noise_sigma 0)");
	assert_int_equal(t.nrows, det_rows.nrows);
	for (long r = 0; r < t.nrows; r++)
		for (int c = 0; c < NSMALL; c++) {
			double d = tu_at(&det_rows, r, tu_col(det_sc, small_cols[c]));
			assert_true(bstat(&t, r, small_cols[c], "sd") == 0);
			for (int s = 0; s < 6; s++)
				assert_double_equal(bstat(&t, r, small_cols[c], st[s]), d,
						    1e-9 * fmax(1, fabs(d)));
		}
	table_free(&t);

	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=1e-6", "--runs", "20", "-o",
			     OUT "/tiny.tsv"), 0);
	table_read(&t, OUT "/tiny.tsv");
	for (long r = 0; r < t.nrows; r++)
		for (int c = 0; c < NSMALL; c++) {
			double d = tu_at(&det_rows, r, tu_col(det_sc, small_cols[c]));
			for (int s = 0; s < 6; s++)
				assert_double_equal(bstat(&t, r, small_cols[c], st[s]), d, 1e-4);
		}
	assert_true(bstat(&t, t.nrows - 1, "share_alpha", "sd") > 0);
	table_free(&t);
}

/* The same bytes for --jobs 1, 2 and 4 (threads finish runs in any order). */
static void test_ens_jobs(void **state)
{
	static const char *const jobs[] = {"1", "2", "4"};
	(void)state;
	for (int j = 0; j < 3; j++) {
		char out[64];
		snprintf(out, sizeof out, OUT "/jobs-%s.tsv", jobs[j]);
		assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.2", "--runs", "30",
				     "--jobs", jobs[j], "-o", out), 0);
	}
	assert_same_file(OUT "/jobs-1.tsv", OUT "/jobs-2.tsv");
	assert_same_file(OUT "/jobs-1.tsv", OUT "/jobs-4.tsv");
}

/* Through the executable: --jobs 1, 2, 4 byte for byte, and the same as in-process. */
static void test_ens_cli_jobs(void **state)
{
	static const char *const jobs[] = {"1", "2", "4"};
	(void)state;
	NEED_CLI();
	for (int j = 0; j < 3; j++) {
		char out[64];
		snprintf(out, sizeof out, OUT "/cli-jobs-%s.tsv", jobs[j]);
		assert_int_equal(cli(0, NULL, "ensemble", SMALL, "--set", "noise.sigma=0.2", "--runs",
				     "30", "--jobs", jobs[j], "-o", out, NULL), 0);
	}
	assert_same_file(OUT "/cli-jobs-1.tsv", OUT "/cli-jobs-2.tsv");
	assert_same_file(OUT "/cli-jobs-1.tsv", OUT "/cli-jobs-4.tsv");
	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.2", "--runs", "30", "-o",
			     OUT "/inproc.tsv"), 0);
	assert_same_file(OUT "/cli-jobs-1.tsv", OUT "/inproc.tsv");
}

/* p05 <= p25 <= p50 <= p75 <= p95 and sd >= 0 everywhere; shares and probabilities (every
 * statistic but sd) within [0, 1]; n_eff within [1, n]. Large noise, many rows. */
static void test_ens_order(void **state)
{
	static const char *const q[] = {"p05", "p25", "p50", "p75", "p95"};
	struct table t;
	(void)state;
	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.6", "--set",
			     "time.output_step=0.25", "--runs", "60", "-o", OUT "/order.tsv"), 0);
	table_read(&t, OUT "/order.tsv");
	assert_int_equal(t.nrows, 41);
	for (long r = 0; r < t.nrows; r++)
		for (int c = 0; c < NSMALL; c++) {
			const char *C = small_cols[c];
			assert_true(bstat(&t, r, C, "sd") >= 0);
			for (int k = 0; k + 1 < 5; k++)
				if (!(bstat(&t, r, C, q[k]) <= bstat(&t, r, C, q[k + 1])))
					fail_msg("row %ld: %s_%s = %.10g > %s_%s = %.10g", r, C, q[k],
						 bstat(&t, r, C, q[k]), C, q[k + 1], bstat(&t, r, C, q[k + 1]));
			double lo = 0, hi = 1;
			if (strcmp(C, "n_eff") == 0)
				lo = 1, hi = 3;
			else if (strncmp(C, "tension", 7) == 0)
				hi = INFINITY;
			for (int k = 0; k < 5; k++)
				assert_true(bstat(&t, r, C, q[k]) >= lo && bstat(&t, r, C, q[k]) <= hi);
			assert_true(bstat(&t, r, C, "mean") >= lo && bstat(&t, r, C, "mean") <= hi);
		}
	/* the noise reached the crisis probability: its band is not a point at the end */
	assert_true(bstat(&t, t.nrows - 1, "crisis_prob", "p95") >
		    bstat(&t, t.nrows - 1, "crisis_prob", "p05"));
	table_free(&t);
}

/* Run k uses noise seed mv_noise_run_seed(S, k): two runs done by hand with those seeds give
 * the ensemble's mean and percentiles (GSL's definition: x0 + q·(x1 − x0) for two values).
 * The default S is the scenario's noise.seed (7); the metadata records S, runs, columns. */
static void test_ens_seeds(void **state)
{
	struct table t;
	struct mv_error err = {0};
	char *sets[] = {"noise.sigma=0.3"};
	struct mv_keytab kt;
	(void)state;
	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.3", "--runs", "2", "--seed",
			     "11", "--columns", "share_alpha,crisis_prob", "-o", OUT "/seeds.tsv"), 0);
	table_read(&t, OUT "/seeds.tsv");
	assert_contains(t.meta, "\n# seed\t11\n");
	assert_contains(t.meta, "\n# set\tnoise.sigma=0.3\n");
	assert_contains(t.meta, "\n# result\tensemble\n# runs\t2\n# failed\t0\n"
				"# columns\tshare_alpha crisis_prob\n");
	assert_int_equal(t.ncol, 1 + 2 * 7);
	assert_string_equal(t.names[1], "share_alpha_mean");
	assert_string_equal(t.names[14], "crisis_prob_p95");

	struct mv_scenario *sc = mv_config_load(SMALL, 1, sets, &kt, &err);
	assert_non_null(sc);
	double x[2];
	int col = tu_col(sc, "share_alpha");
	for (int k = 0; k < 2; k++) {
		struct mv_noise *nz = mv_noise_create(sc, mv_noise_run_seed(11, (uint64_t)k), &err);
		assert_non_null(nz);
		struct mv_run_opts opts = {0};
		opts.eps = mv_noise_eps;
		opts.eps_ctx = nz;
		opts.eps_step = mv_noise_step(nz);
		struct tu_rows rows = {0};
		struct mv_run *run = mv_run_create(sc, &kt, &opts, &err);
		assert_non_null(run);
		assert_int_equal(mv_run_exec(run, tu_rows_cb, &rows, &err), 0);
		x[k] = tu_at(&rows, rows.nrows - 1, col);
		mv_run_free(run);
		mv_noise_free(nz);
		free(rows.v);
	}
	double a = fmin(x[0], x[1]), b = fmax(x[0], x[1]);
	long e = t.nrows - 1;
	assert_true(b > a);
	assert_double_equal(bstat(&t, e, "share_alpha", "mean"), (x[0] + x[1]) / 2, 1e-9);
	assert_double_equal(bstat(&t, e, "share_alpha", "p05"), a + 0.05 * (b - a), 1e-9);
	assert_double_equal(bstat(&t, e, "share_alpha", "p50"), a + 0.50 * (b - a), 1e-9);
	assert_double_equal(bstat(&t, e, "share_alpha", "p95"), a + 0.95 * (b - a), 1e-9);
	assert_double_equal(bstat(&t, e, "share_alpha", "sd"), (b - a) / sqrt(2), 1e-9);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	table_free(&t);

	/* default seed: noise.seed of the file (7); another --seed, other numbers */
	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.3", "--runs", "2", "-o",
			     OUT "/seed7.tsv"), 0);
	table_read(&t, OUT "/seed7.tsv");
	assert_contains(t.meta, "\n# seed\t7\n");
	table_free(&t);
	assert_int_equal(ENS(NULL, NULL, SMALL, "--set", "noise.sigma=0.3", "--set", "noise.seed=11",
			     "--runs", "2", "--columns", "share_alpha crisis_prob", "-o",
			     OUT "/seed11.tsv"), 0);
	char *p = slurp(OUT "/seeds.tsv"), *q = slurp(OUT "/seed11.tsv");
	assert_non_null(strstr(q, "\nt\t"));
	assert_string_equal(strstr(p, "\nt\t"), strstr(q, "\nt\t")); /* same rows */
	free(p);
	free(q);
}

/* Failed runs: counted and the first reason given, exit 1 and nothing written; with
 * --allow-failed the bands come from the others and the metadata says so. Noise of s.d. 300
 * overflows exp(ε) in some runs (a derivative is not finite): 4 of these 20. */
static void test_ens_failed(void **state)
{
	char *err;
	struct table t;
	(void)state;
	unlink(OUT "/failed.tsv");
	assert_int_equal(ENS(NULL, &err, SMALL, "--set", "noise.sigma=300", "--runs", "20", "-o",
			     OUT "/failed.tsv"), 1);
	assert_contains(err, "mvsim: 4 of 20 runs failed (first: run 2, noise seed ");
	assert_contains(err, ": run failed at t=");
	assert_contains(err, "is not finite");
	assert_contains(err, "); bands need every run: nothing written (--allow-failed computes "
			     "them from the others)\n");
	assert_false(exists(OUT "/failed.tsv"));
	free(err);

	assert_int_equal(ENS(NULL, &err, SMALL, "--set", "noise.sigma=300", "--runs", "20",
			     "--allow-failed", "-o", OUT "/failed.tsv"), 0);
	assert_contains(err, "mvsim: warning: 4 of 20 runs failed (first: run 2, noise seed ");
	assert_contains(err, "); the bands come from the 16 others\n");
	free(err);
	table_read(&t, OUT "/failed.tsv");
	assert_contains(t.meta, "\n# failed\t4\tthe bands come from the 16 other runs "
				"(--allow-failed)\tfirst: run 2: run failed at t=");
	for (long r = 0; r < t.nrows; r++)
		assert_true(bstat(&t, r, "share_alpha", "p05") <= bstat(&t, r, "share_alpha", "p95"));
	table_free(&t);

	/* fewer than two left: no bands even with --allow-failed */
	assert_int_equal(ENS(NULL, &err, SMALL, "--set", "noise.sigma=3000", "--runs", "3",
			     "--allow-failed", "-o", OUT "/failed3.tsv"), 1);
	assert_contains(err, "fewer than 2 runs succeeded: no bands; nothing written\n");
	assert_false(exists(OUT "/failed3.tsv"));
	free(err);
}

/* Usage and input errors: exit 2, the exact message, nothing written. */
static void test_ens_bad_input(void **state)
{
	static const struct {
		const char *args[8];
		int rc;
		const char *msg;
	} cases[] = {
		{{"--runs", "1"}, 2,
		 "mvsim ensemble: --runs: expected an integer in [2, 100000000], found '1'\n"
		 "(see 'mvsim ensemble --help')\n"},
		{{"--runs", "ten"}, 2,
		 "mvsim ensemble: --runs: expected an integer in [2, 100000000], found 'ten'\n"
		 "(see 'mvsim ensemble --help')\n"},
		{{"--jobs", "0"}, 2,
		 "mvsim ensemble: --jobs: expected an integer in [1, 1024], found '0'\n"
		 "(see 'mvsim ensemble --help')\n"},
		{{"--seed", "-1"}, 2,
		 "mvsim ensemble: --seed: expected an integer in [0, 2^53], found '-1'\n"
		 "(see 'mvsim ensemble --help')\n"},
		{{"--seed", "9007199254740993"}, 2,
		 "mvsim ensemble: --seed: expected an integer in [0, 2^53], found "
		 "'9007199254740993'\n(see 'mvsim ensemble --help')\n"},
		{{"--method", "sobol"}, 2,
		 "mvsim ensemble: option '--method' does not apply here\n"
		 "(see 'mvsim ensemble --help')\n"},
		{{"--frobnicate"}, 2,
		 "mvsim ensemble: unknown option '--frobnicate'\n(see 'mvsim ensemble --help')\n"},
		{{"--columns", "share_alfa"}, 2,
		 "mvsim: --columns: expected a column of the scenario's output (see the header of "
		 "'mvsim run'), found unknown column 'share_alfa'; did you mean 'share_alpha'?\n"},
		{{"--columns", "n_eff,zzzzzzzz"}, 2,
		 "mvsim: --columns: expected a column of the scenario's output (see the header of "
		 "'mvsim run'), found unknown column 'zzzzzzzz'\n"},
		{{"--columns", "t"}, 2,
		 "mvsim: --columns: 't' is the time, always the first column of the result\n"},
		{{"--columns", "n_eff n_eff"}, 2, "mvsim: --columns: 'n_eff' is given twice\n"},
		{{"--columns", " , "}, 2, "mvsim: --columns: expected column names, found ' , '\n"},
		{{"--set", "noise.sigma=-0.1"}, 2,
		 "mvsim: --set 'noise.sigma=-0.1': expected a number >= 0, found -0.1\n"},
		{{"--set", "noise.correlation=0"}, 2,
		 "mvsim: --set 'noise.correlation=0': expected a number > 0, found 0\n"},
		{{"--set", "noise.sigma=0.1", "--set", "noise.step=20"}, 2,
		 "mvsim: --set 'noise.step=20': expected a step no longer than the horizon "
		 "(10 years), found 20\n"},
		{{"--set", "noise.sigma=0.1", "--set", "noise.step=0"}, 2,
		 "mvsim: --set 'noise.step=0': expected a number > 0, found 0\n"},
		{{"-o", OUT "/no-such-dir/x.tsv"}, 2,
		 "mvsim: " OUT "/no-such-dir/x.tsv: cannot create output: No such file or "
		 "directory\n"},
	};
	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *argv[16] = {"ensemble", SMALL}, *err;
		int argc = 2;
		for (int a = 0; a < 8 && cases[k].args[a]; a++)
			argv[argc++] = (char *)cases[k].args[a];
		if (strcmp(argv[argc - 2], "-o") != 0) {
			argv[argc++] = "-o";
			argv[argc++] = OUT "/never.tsv";
		}
		argv[argc] = NULL;
		struct capture ce;
		capture_begin(&ce, 2);
		int rc = mv_cmd_ensemble(argc, argv);
		err = capture_end(&ce);
		if (rc != cases[k].rc || strcmp(err, cases[k].msg) != 0)
			fail_msg("case %zu (%s ...): exit %d, expected %d; stderr:\n%s\nexpected:\n%s", k,
				 cases[k].args[0], rc, cases[k].rc, err, cases[k].msg);
		free(err);
		assert_false(exists(OUT "/never.tsv"));
	}
	char *err;
	assert_int_equal(ENS(NULL, &err, DATA "/no-such.cfg"), 2);
	assert_contains(err, "mvsim: " DATA "/no-such.cfg");
	free(err);
	assert_int_equal(cmd(mv_cmd_ensemble, "ensemble", NULL, &err, NULL), 2);
	assert_string_equal(err, "mvsim ensemble: missing SCENARIO\n(see 'mvsim ensemble --help')\n");
	free(err);
	assert_int_equal(ENS(NULL, &err, SMALL, SMALL), 2);
	assert_string_equal(err, "mvsim ensemble: unexpected argument '" SMALL "'\n"
				 "(see 'mvsim ensemble --help')\n");
	free(err);
}

/* The memory limit: the bytes asked for, in the message, exit 2, nothing run. */
static void test_ens_memory_limit(void **state)
{
	char *err;
	(void)state;
	assert_int_equal(ENS(NULL, &err, SMALL, "--runs", "100000000", "-o", OUT "/never.tsv"), 2);
	assert_string_equal(err, "mvsim: --runs 100000000: an ensemble keeps every run's rows until "
				 "all are in: 100000000 runs x 11 rows x 9 values (t and 8 columns) "
				 "x 8 bytes = 73.8 GiB, above the limit of 1.0 GiB; use fewer runs or "
				 "columns, or a longer time.output_step\n");
	free(err);
	assert_false(exists(OUT "/never.tsv"));
	/* just under: 1 GiB / (11 rows x 2 values x 8 bytes) = 6100805 runs fit, 6100806 do not */
	assert_int_equal(ENS(NULL, &err, SMALL, "--runs", "6100806", "--columns", "crisis_prob",
			     "-o", OUT "/never.tsv"), 2);
	assert_contains(err, "6100806 runs x 11 rows x 2 values (t and 1 columns)");
	free(err);
}

static void test_ens_help(void **state)
{
	char *out, *err;
	(void)state;
	assert_int_equal(ENS(&out, &err, "--help"), 0);
	assert_string_equal(out, mv_ensemble_usage);
	assert_string_equal(err, "");
	assert_contains(out, "usage: mvsim ensemble SCENARIO");
	assert_contains(out, "Above 1 GiB the command refuses (exit 2)");
	free(out);
	free(err);
	/* stdout without -o: the result there, nothing on stderr */
	assert_int_equal(ENS(&out, &err, SMALL, "--set", "noise.sigma=0.1", "--runs", "3",
			     "--columns", "n_eff"), 0);
	assert_string_equal(err, "");
	assert_contains(out, "# mvsim ");
	assert_contains(out, "\nt\tn_eff_mean\tn_eff_sd\tn_eff_p05\tn_eff_p25\tn_eff_p50\t"
			     "n_eff_p75\tn_eff_p95\n2010\t");
	free(out);
	free(err);
}

/* SIGINT stops an ensemble: exit 130, the interruption reported, nothing written. */
static void test_ens_interrupt(void **state)
{
	char *err;
	(void)state;
	NEED_CLI();
	if (getenv("MV_UNDER_VALGRIND")) {
		print_message("      skipped under valgrind (start-up time)\n");
		skip();
	}
	unlink(OUT "/interrupted.tsv");
	int rc = cli(0.5, &err, "ensemble", SMALL, "--set", "noise.sigma=0.1", "--runs", "2000000",
		     "--columns", "crisis_prob", "--quiet", "-o", OUT "/interrupted.tsv", NULL);
	assert_int_equal(rc, 130);
	assert_contains(err, "mvsim: interrupted by SIGINT: ensemble stopped after ");
	assert_contains(err, " of 2000000 runs; nothing written\n");
	assert_false(exists(OUT "/interrupted.tsv"));
	free(err);
}

/* ================================================================ sensitivity */

/* Sobol' on the small sweep: finite indices for the two parameters that act, S1 <= ST within
 * bootstrap noise (S1 below ST's upper bound plus S1's own half-width), 0 <= ST <= 1 up to
 * that noise; gamma.red_line acts not at all: every index and bound exactly 0 (the runs are
 * bit-identical), the note column and a stderr note say its intervals contain 0. */
static void test_sobol_small(void **state)
{
	static const char *const metrics[] = {"final:n_eff", "final:share_alpha"};
	static const char *const acting[] = {"focal.autonomy", "vectors.beta.growth"};
	struct table t;
	char *err;
	(void)state;
	assert_int_equal(SENSI(NULL, &err, SENS, "--method", "sobol", "--samples", "64",
			       "--bootstrap", "200", "-o", OUT "/sobol.tsv"), 0);
	for (int m = 0; m < 2; m++) {
		char line[512];
		snprintf(line, sizeof line, "mvsim: note: %s: vectors.gamma.red_line: the 95%% "
			 "intervals of S1 [0, 0] and ST [0, 0] contain 0: its effect is not "
			 "distinguishable from none at N = 64 (raise --samples to resolve it)\n",
			 metrics[m]);
		assert_contains(err, line);
	}
	assert_null(strstr(err, "warning")); /* 64 is a power of two */
	free(err);
	table_read(&t, OUT "/sobol.tsv");
	assert_contains(t.meta, "\n# result\tsensitivity\n");
	assert_contains(t.meta, "\n# method\tsobol\n# samples\t64\tbase points N; Saltelli design, "
				"digitally shifted Sobol' points\n# runs\t320\n# bootstrap\t200\t");
	assert_contains(t.meta, "\n# parameter\tvectors.beta.growth\t0\t0.06\tcontinuous\n");
	assert_contains(t.meta, "\n# seed\t5\n");
	assert_int_equal(t.nrows, 6);
	assert_int_equal(t.ncol, 10);
	for (int m = 0; m < 2; m++) {
		double sum = 0;
		for (int j = 0; j < 2; j++) {
			const char *M = metrics[m], *P = acting[j];
			double S1 = sval(&t, M, P, "S1"), ST = sval(&t, M, P, "ST");
			double h1 = (sval(&t, M, P, "S1_hi") - sval(&t, M, P, "S1_lo")) / 2;
			assert_true(isfinite(S1) && isfinite(ST) && isfinite(h1));
			assert_true(sval(&t, M, P, "S1_lo") <= S1 && S1 <= sval(&t, M, P, "S1_hi"));
			assert_true(sval(&t, M, P, "ST_lo") <= ST && ST <= sval(&t, M, P, "ST_hi"));
			if (!(S1 <= sval(&t, M, P, "ST_hi") + h1))
				fail_msg("%s %s: S1 %g above ST %g beyond the bootstrap noise", M, P, S1,
					 ST);
			assert_true(ST >= 0 && ST <= 1 + h1);
			sum += S1;
		}
		assert_true(sum <= 1.25); /* Σ S1 <= 1, up to the noise of N = 64 */
		/* autonomy drives both metrics here, far above growth */
		assert_true(sval(&t, metrics[m], "focal.autonomy", "ST") >
			    sval(&t, metrics[m], "vectors.beta.growth", "ST_hi"));
		assert_string_equal(stext(&t, metrics[m], "focal.autonomy", "rank"), "1");
		static const char *const cols[] = {"S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"};
		for (int c = 0; c < 6; c++)
			assert_string_equal(stext(&t, metrics[m], "vectors.gamma.red_line", cols[c]), "0");
		assert_string_equal(stext(&t, metrics[m], "vectors.gamma.red_line", "note"),
				    "S1 and ST intervals contain 0");
		assert_string_equal(stext(&t, metrics[m], "vectors.gamma.red_line", "rank"), "3");
	}
	table_free(&t);
}

/* Determinism: the same bytes for --jobs 1, 2, 4, for both methods, with noise in the runs;
 * with noise (common random numbers) the parameter without effect still has ST exactly 0,
 * because A and A_B^(i) rows share their noise path. */
static void test_sens_jobs_noise(void **state)
{
	static const char *const jobs[] = {"1", "2", "4"};
	static const char *const methods[] = {"sobol", "morris"};
	struct table t;
	(void)state;
	for (int m = 0; m < 2; m++)
		for (int j = 0; j < 3; j++) {
			char out[64];
			snprintf(out, sizeof out, OUT "/sens-%s-%s.tsv", methods[m], jobs[j]);
			assert_int_equal(SENSI(NULL, NULL, SENS, "--method", methods[m], "--samples", "16",
					       "--jobs", jobs[j], "--set", "noise.sigma=0.2", "-o",
					       out), 0);
			if (j > 0) {
				char first[64];
				snprintf(first, sizeof first, OUT "/sens-%s-1.tsv", methods[m]);
				assert_same_file(first, out);
			}
		}
	table_read(&t, OUT "/sens-sobol-1.tsv");
	assert_contains(t.meta, "\n# noise\tcommon random numbers: ");
	assert_true(sval(&t, "final:n_eff", "vectors.gamma.red_line", "ST") == 0);
	assert_true(sval(&t, "final:n_eff", "focal.autonomy", "ST") > 0);
	table_free(&t);
	if (have_cli) {
		assert_int_equal(cli(0, NULL, "sensitivity", SENS, "--method", "sobol", "--samples", "16",
				     "--jobs", "2", "--set", "noise.sigma=0.2", "-o",
				     OUT "/cli-sens.tsv", NULL), 0);
		assert_same_file(OUT "/sens-sobol-1.tsv", OUT "/cli-sens.tsv");
	}
}

/* Morris: mu* > 0 for the parameters that act, exactly 0 (and the note) for the one that
 * does not, which ranks last; mu* >= |mu|. */
static void test_morris_small(void **state)
{
	struct table t;
	char *err;
	(void)state;
	assert_int_equal(SENSI(NULL, &err, SENS, "--method", "morris", "--samples", "10", "-o",
			       OUT "/morris.tsv"), 0);
	assert_string_equal(err, "");
	free(err);
	table_read(&t, OUT "/morris.tsv");
	assert_contains(t.meta, "\n# method\tmorris\n# samples\t10\ttrajectories r on a 4-level "
				"grid\n# runs\t40\n");
	assert_int_equal(t.ncol, 7);
	const char *M = "final:n_eff";
	assert_true(sval(&t, M, "focal.autonomy", "mu_star") > 0);
	assert_true(sval(&t, M, "vectors.beta.growth", "mu_star") > 0);
	for (long r = 0; r < t.nrows; r++)
		assert_true(t.v[r * t.ncol + 3] >= fabs(t.v[r * t.ncol + 2]) - 1e-15);
	assert_true(sval(&t, M, "vectors.gamma.red_line", "mu_star") == 0);
	assert_string_equal(stext(&t, M, "vectors.gamma.red_line", "rank"), "3");
	assert_string_equal(stext(&t, M, "vectors.gamma.red_line", "note"),
			    "mu* = 0: no effect at the design's points");
	table_free(&t);
	/* --levels 6 is recorded */
	assert_int_equal(SENSI(NULL, NULL, SENS, "--method", "morris", "--samples", "4", "--levels",
			       "6", "-o", OUT "/morris6.tsv"), 0);
	table_read(&t, OUT "/morris6.tsv");
	assert_contains(t.meta, "# samples\t4\ttrajectories r on a 6-level grid\n# runs\t16\n");
	table_free(&t);
}

/* A metric no parameter moves: a warning, nan indices, the note; the other metric as usual. */
static void test_sens_flat(void **state)
{
	struct table t;
	char *err;
	(void)state;
	assert_int_equal(SENSI(NULL, &err, DATA "/flat.cfg", "--method", "sobol", "--samples", "16",
			       "--bootstrap", "0", "-o", OUT "/flat.tsv"), 0);
	assert_string_equal(err, "mvsim: warning: max:tension_gamma does not vary beyond the "
				 "integrator's tolerance over the design (sd 0 around 0): none of the "
				 "parameters moves it; its indices are nan\n");
	free(err);
	table_read(&t, OUT "/flat.tsv");
	assert_contains(t.meta, "\n# bootstrap\t0\tno intervals\n");
	assert_contains(t.meta, "\n# metric\tmax:tension_gamma\tmean=0\tsd=0\tdoes not vary beyond "
				"the integrator's tolerance: no index\n");
	assert_string_equal(stext(&t, "max:tension_gamma", "focal.autonomy", "S1"), "nan");
	assert_string_equal(stext(&t, "max:tension_gamma", "focal.autonomy", "note"),
			    "the metric does not vary: no index");
	assert_string_equal(stext(&t, "max:tension_gamma", "focal.autonomy", "rank"), "0");
	assert_true(isfinite(sval(&t, "final:n_eff", "focal.autonomy", "ST")));
	assert_string_equal(stext(&t, "final:n_eff", "focal.autonomy", "ST_lo"), "nan");
	assert_string_equal(stext(&t, "final:n_eff", "focal.autonomy", "note"), "-");
	table_free(&t);
}

/* Runs that fail, or a metric that is nan: exit 1, how many and the first, nothing written. */
static void test_sens_failed(void **state)
{
	char *err;
	(void)state;
	unlink(OUT "/never.tsv");
	assert_int_equal(SENSI(NULL, &err, DATA "/failing.cfg", "--method", "sobol", "--samples", "16",
			       "-o", OUT "/never.tsv"), 1);
	assert_contains(err, " runs failed (first: run ");
	assert_contains(err, "(time.end = ");
	/* blamed on the sweep's parameter (issue 15), not on the scenario's line */
	assert_contains(err, "): invalid point: " DATA "/failing.cfg:7: setting 'time.end': expected "
			     "a time after time.start (2010), found ");
	assert_contains(err, "); the estimators need every run: nothing written\n");
	assert_int_equal(strncmp(err, "mvsim: ", 7), 0);
	assert_false(exists(OUT "/never.tsv"));
	free(err);
	assert_int_equal(SENSI(NULL, &err, DATA "/nan_metric.cfg", "--method", "morris", "--samples",
			       "4", "-o", OUT "/never.tsv"), 1);
	assert_contains(err, "mvsim: metric 'cross:share_gamma>share_alpha' is not a number in 12 of "
			     "12 runs (first: run 0 (focal.autonomy = ");
	assert_contains(err, "); the estimators need a number from every run (a cross: metric is "
			     "nan when the crossing never happens): nothing written\n");
	assert_false(exists(OUT "/never.tsv"));
	free(err);
}

static void test_sens_bad_input(void **state)
{
	static const struct {
		const char *args[8];
		int rc;
		const char *msg;
	} cases[] = {
		{{NULL}, 2,
		 "mvsim sensitivity: missing --method (sobol or morris)\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "fast"}, 2,
		 "mvsim sensitivity: --method: expected sobol or morris, found 'fast'\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "sobol", "--samples", "1"}, 2,
		 "mvsim sensitivity: --samples: expected an integer in [2, 100000000], found '1'\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "sobol", "--bootstrap", "10"}, 2,
		 "mvsim sensitivity: --bootstrap: expected 0 or an integer in [40, 10000], found "
		 "'10'\n(see 'mvsim sensitivity --help')\n"},
		{{"--method", "morris", "--levels", "3"}, 2,
		 "mvsim sensitivity: --levels: expected an even integer in [2, 1000], found '3'\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "morris", "--bootstrap", "100"}, 2,
		 "mvsim sensitivity: --bootstrap applies to --method sobol only\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "sobol", "--levels", "4"}, 2,
		 "mvsim sensitivity: --levels applies to --method morris only\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "sobol", "--runs", "4"}, 2,
		 "mvsim sensitivity: option '--runs' does not apply here\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "sobol", "--allow-failed"}, 2,
		 "mvsim sensitivity: option '--allow-failed' does not apply here\n"
		 "(see 'mvsim sensitivity --help')\n"},
		{{"--method", "sobol", "--samples", "1000000"}, 2,
		 "mvsim: --samples 1000000: a Sobol' design of N(k+2) = 1000000 x 5 = 5000000 runs "
		 "is above the limit of 1000000 runs (sweep.max_runs); lower --samples\n"},
		{{"--method", "morris", "--samples", "300000"}, 2,
		 "mvsim: --samples 300000: a Morris design of r(k+1) = 300000 x 4 = 1200000 runs is "
		 "above the limit of 1000000 runs (sweep.max_runs); lower --samples\n"},
		{{"--method", "sobol", "--set", "vectors.alpha.coercion=-1"}, 2,
		 "mvsim: --set 'vectors.alpha.coercion=-1': expected a number >= 0, found -1\n"},
	};
	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *argv[16] = {"sensitivity", SENS}, *err;
		int argc = 2;
		for (int a = 0; a < 8 && cases[k].args[a]; a++)
			argv[argc++] = (char *)cases[k].args[a];
		argv[argc++] = "-o";
		argv[argc++] = OUT "/never.tsv";
		argv[argc] = NULL;
		struct capture ce;
		capture_begin(&ce, 2);
		int rc = mv_cmd_sensitivity(argc, argv);
		err = capture_end(&ce);
		if (rc != cases[k].rc || strcmp(err, cases[k].msg) != 0)
			fail_msg("case %zu: exit %d, expected %d; stderr:\n%s\nexpected:\n%s", k, rc,
				 cases[k].rc, err, cases[k].msg);
		free(err);
		assert_false(exists(OUT "/never.tsv"));
	}
	char *err;
	assert_int_equal(SENSI(NULL, &err, DATA "/seed_param.cfg", "--method", "sobol"), 2);
	assert_string_equal(err, "mvsim: " DATA "/seed_param.cfg:8: parameter 'noise.seed': a seed is "
				 "not a model input; the analysis draws its noise from --seed (or "
				 "sweep.seed)\n");
	free(err);
	assert_int_equal(cmd(mv_cmd_sensitivity, "sensitivity", NULL, &err, "--method", "sobol",
			     NULL), 2);
	assert_string_equal(err, "mvsim sensitivity: missing SWEEP.cfg\n"
				 "(see 'mvsim sensitivity --help')\n");
	free(err);
	/* N not a power of two: a warning, and the run goes on */
	assert_int_equal(SENSI(NULL, &err, SENS, "--method", "sobol", "--samples", "24",
			       "--bootstrap", "0", "-o", OUT "/pow2.tsv"), 0);
	assert_contains(err, "mvsim: warning: --samples 24 is not a power of two: the Sobol' points "
			     "are less balanced (16 or 32 are)\n");
	free(err);
	char *out;
	assert_int_equal(SENSI(&out, &err, "--help"), 0);
	assert_string_equal(out, mv_sensitivity_usage);
	assert_string_equal(err, "");
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest ensemble[] = {
		cmocka_unit_test(test_ens_widen),
		cmocka_unit_test(test_ens_collapse),
		cmocka_unit_test(test_ens_jobs),
		cmocka_unit_test(test_ens_cli_jobs),
		cmocka_unit_test(test_ens_order),
		cmocka_unit_test(test_ens_seeds),
		cmocka_unit_test(test_ens_failed),
		cmocka_unit_test(test_ens_bad_input),
		cmocka_unit_test(test_ens_memory_limit),
		cmocka_unit_test(test_ens_help),
		cmocka_unit_test(test_ens_interrupt),
	};
	const struct CMUnitTest sensitivity[] = {
		cmocka_unit_test(test_sobol_small),
		cmocka_unit_test(test_sens_jobs_noise),
		cmocka_unit_test(test_morris_small),
		cmocka_unit_test(test_sens_flat),
		cmocka_unit_test(test_sens_failed),
		cmocka_unit_test(test_sens_bad_input),
	};
	int failed = cmocka_run_group_tests_name("mvsim ensemble", ensemble, setup, teardown);
	failed += cmocka_run_group_tests_name("mvsim sensitivity", sensitivity, setup, teardown);
	return failed ? 1 : 0;
}
