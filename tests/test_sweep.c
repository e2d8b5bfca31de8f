/* test_sweep.c — sweeps: each sampler's design, sweep files and their errors, the batch loop
 * (order, failures, stop, sinks), and `mvsim sweep`/`mvsim merge` as a user meets them:
 * determinism over --jobs and shards, resume after kills, checks, JUnit, bad input. */
#include "testutil.h"

#include "mvsim/batch.h"
#include "mvsim/cmd_sweep.h"
#include "mvsim/sha256.h"
#include "mvsim/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define OUT "build/test-sweep"
#define DATA "tests/data/sweep"

static char bin[256]; /* the mvsim binary under test: $MVSIM, default build/mvsim */
static int no_sweep;  /* it has no sweep command (not wired into sim/cli.c yet) */
static int valgrind;  /* MV_UNDER_VALGRIND: every mvsim is ~50 times slower */

/* The CLI tests need `mvsim sweep`; without it they are skipped, loudly. */
#define NEED_SWEEP()                                                                     \
	do {                                                                               \
		if (no_sweep) {                                                            \
			print_message("%s has no sweep command: skipped\n", bin);          \
			skip();                                                            \
		}                                                                          \
	} while (0)

/* ================================================================ helpers */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Starts `mvsim ARGS` with stdout and stderr into OUT/stdout, OUT/stderr. */
static pid_t start(char *const args[])
{
	char *argv[32];
	int n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	argv[0] = bin;
	while (args[n] && n < 30) {
		argv[n + 1] = args[n];
		n++;
	}
	argv[n + 1] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, OUT "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, OUT "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) != 0)
		fail_msg("cannot run %s", bin);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Exit status, or 128 + the signal that ended it. */
static int finish(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Runs `mvsim ARGS` (NULL-terminated); *out and *err (if not NULL) receive its output. */
static int mv(char **out, char **err, ...)
{
	char *args[32];
	int n = 0;
	va_list ap;
	va_start(ap, err);
	while ((args[n] = va_arg(ap, char *)) != NULL && n < 30)
		n++;
	va_end(ap);
	args[n] = NULL;
	int rc = finish(start(args));
	if (out)
		*out = slurp(OUT "/stdout");
	if (err)
		*err = slurp(OUT "/stderr");
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long count_lines(const char *text, char first)
{
	long n = 0;
	for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		n += *p == first;
	return n;
}

/* ================================================================ samplers */

static struct mv_sampler *sampler(const char *method, int dim, long n, uint64_t seed,
				  const int *levels)
{
	struct mv_error err = {0};
	struct mv_sampler *s = mv_sampler_create(method, dim, n, seed, levels, &err);
	if (s == NULL)
		fail_msg("%s: %s", method, err.msg);
	return s;
}

/* Grid: every combination of levels exactly once, the first dimension slowest. */
static void test_grid_design(void **state)
{
	int levels[3] = {3, 4, 2}, seen[3][4][2] = {{{0}}};
	double u[3];
	(void)state;
	struct mv_sampler *s = sampler("grid", 3, 0, 0, levels);
	for (long k = 0; k < 24; k++) {
		assert_int_equal(mv_sampler_next(s, k, u), 0);
		int i = (int)(u[0] * 3), j = (int)(u[1] * 4), l = (int)(u[2] * 2);
		/* u sits in the middle of its level's cell */
		assert_double_equal(u[0], (i + 0.5) / 3, 1e-15);
		assert_double_equal(u[1], (j + 0.5) / 4, 1e-15);
		seen[i][j][l]++;
		assert_int_equal(k, (i * 4 + j) * 2 + l); /* row-major: first slowest */
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 4; j++)
			for (int l = 0; l < 2; l++)
				assert_int_equal(seen[i][j][l], 1);
	assert_int_equal(mv_sampler_next(s, 24, u), -1);
	assert_int_equal(mv_sampler_next(s, -1, u), -1);
	mv_sampler_free(s);
}

/* LHS: in each dimension, exactly one point per stratum; random access equals sequential;
 * the seed decides the design. */
static void test_lhs_design(void **state)
{
	static const long sizes[] = {1, 2, 37, 1000};
	(void)state;
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		long n = sizes[z];
		int dim = 4;
		double *pts = malloc((size_t)(n * dim) * sizeof *pts), u[4];
		char *hit = calloc((size_t)(n * dim), 1);
		struct mv_sampler *s = sampler("lhs", dim, n, 7, NULL);
		for (long k = 0; k < n; k++) {
			assert_int_equal(mv_sampler_next(s, k, pts + k * dim), 0);
			for (int j = 0; j < dim; j++) {
				double x = pts[k * dim + j];
				assert_true(x >= 0 && x < 1);
				long stratum = (long)(x * (double)n);
				assert_int_equal(hit[stratum * dim + j], 0); /* one per stratum */
				hit[stratum * dim + j] = 1;
			}
		}
		/* Asked out of order (a restart, then forward), the same points. */
		for (long k = n - 1; k >= 0; k -= 3) {
			mv_sampler_next(s, k, u);
			assert_memory_equal(u, pts + k * dim, sizeof u);
		}
		mv_sampler_free(s);
		/* Another seed, another design (for n > 2 the chance of equality is nil). */
		if (n > 2) {
			s = sampler("lhs", dim, n, 8, NULL);
			mv_sampler_next(s, 0, u);
			assert_true(memcmp(u, pts, sizeof u) != 0);
			mv_sampler_free(s);
		}
		free(pts);
		free(hit);
	}
}

/* Sobol: exactly GSL's sequence, from its first point. */
static void test_sobol_gsl(void **state)
{
	double u[5], g[5];
	(void)state;
	struct mv_sampler *s = sampler("sobol", 5, 300, 99, NULL);
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 5);
	for (long k = 0; k < 300; k++) {
		gsl_qrng_get(q, g);
		assert_int_equal(mv_sampler_next(s, k, u), 0);
		assert_memory_equal(u, g, sizeof u);
	}
	/* Random access restarts the sequence: point 10 again. */
	gsl_qrng_init(q);
	for (int k = 0; k <= 10; k++)
		gsl_qrng_get(q, g);
	mv_sampler_next(s, 10, u);
	assert_memory_equal(u, g, sizeof u);
	gsl_qrng_free(q);
	mv_sampler_free(s);
}

/* Random: GSL's mt19937 uniforms seeded with the seed, point then dimension. */
static void test_random_gsl(void **state)
{
	double u[3];
	(void)state;
	struct mv_sampler *s = sampler("random", 3, 100, 42, NULL);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 42);
	for (long k = 0; k < 100; k++) {
		mv_sampler_next(s, k, u);
		for (int j = 0; j < 3; j++)
			assert_true(u[j] == gsl_rng_uniform(r));
	}
	/* Skipping ahead (as a shard does) gives the same points. */
	struct mv_sampler *t = sampler("random", 3, 100, 42, NULL);
	double v[3];
	mv_sampler_next(t, 57, v);
	mv_sampler_next(s, 57, u);
	assert_memory_equal(u, v, sizeof u);
	gsl_rng_free(r);
	mv_sampler_free(s);
	mv_sampler_free(t);
}

static void test_sampler_errors(void **state)
{
	struct mv_error err = {0};
	(void)state;
	assert_null(mv_sampler_create("latin", 2, 10, 1, NULL, &err));
	assert_string_equal(err.msg, "expected a method of grid, random, lhs, sobol, found 'latin'");
	assert_null(mv_sampler_create("sobol", 41, 10, 1, NULL, &err));
	assert_string_equal(err.msg,
			    "sobol: expected at most 40 dimensions (GSL's Sobol sequence), found 41");
	assert_null(mv_sampler_create("lhs", 2, 0, 1, NULL, &err));
	assert_int_equal(err.code, MV_EXIT_INPUT);
	for (int k = 0; mv_sweep_methods[k]; k++) {
		int levels[1] = {2};
		struct mv_sampler *s = sampler(mv_sweep_methods[k], 1, 2, 1, levels);
		double u[1];
		assert_int_equal(mv_sampler_next(s, 2, u), -1);
		mv_sampler_free(s);
	}
	mv_sampler_free(NULL);
}

/* ================================================================ sweep files */

static void test_load_good(void **state)
{
	struct mv_error err = {0};
	char sha[65];
	(void)state;
	struct mv_sweep *sw = mv_sweep_load(DATA "/grid.cfg", 0, NULL, &err);
	if (sw == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(sw->scenario_path, DATA "/../../../configs/kazakhstan.cfg");
	assert_string_equal(sw->method, "grid");
	assert_int_equal(sw->nruns, 3 * 2 * 2);
	assert_int_equal(sw->nparams, 3);
	assert_int_equal(sw->params[0].nlevels, 3);
	assert_true(sw->params[0].levels[0] == 0 && sw->params[0].levels[1] == 1 &&
		    sw->params[0].levels[2] == 2);
	/* values keep the file's order; min and max are their range */
	assert_true(sw->params[1].levels[0] == 0.3 && sw->params[1].levels[1] == 0.1);
	assert_true(sw->params[1].min == 0.1 && sw->params[1].max == 0.3);
	assert_true(sw->params[2].levels[1] == 0.03); /* the last step is max exactly */
	assert_int_equal(sw->nmetrics, 2);          /* the check's metric is listed already */
	assert_string_equal(sw->metric_names[1], "argmax:share_china");
	assert_int_equal(sw->nchecks, 1);
	assert_true(sw->checks[0].min == 0 && isinf(sw->checks[0].max));
	assert_int_equal(sw->seed, 1); /* the default */
	assert_int_equal(sw->max_runs, MV_SWEEP_MAX_RUNS);
	assert_int_equal(mv_sha256_file(DATA "/grid.cfg", sha), 0);
	assert_string_equal(sw->sha256, sha);
	/* the grid mapping: point 5 = (0, 1, 1) in row-major order → 0.1 and 0.03 */
	struct mv_sampler *s = sampler("grid", 3, 0, 0, (int[]){3, 2, 2});
	double u[3], x[3];
	mv_sampler_next(s, 3, u);
	mv_sweep_map(sw, u, x);
	assert_true(x[0] == 0 && x[1] == 0.1 && x[2] == 0.03);
	mv_sampler_free(s);
	mv_sweep_free(sw);

	/* A check on a metric not listed adds it; continuous parameters map linearly. */
	sw = mv_sweep_load(DATA "/breaking.cfg", 0, NULL, &err);
	assert_non_null(sw);
	assert_int_equal(sw->nmetrics, 2);
	assert_string_equal(sw->metric_names[1], "final:crisis_prob");
	assert_int_equal(sw->checks[0].metric, 1);
	assert_int_equal(sw->checks[1].metric, 0);
	mv_sweep_free(sw);
	sw = mv_sweep_load(DATA "/lhs.cfg", 0, NULL, &err);
	double uu[3] = {0.5, 0.0, 0.999}, xx[3];
	mv_sweep_map(sw, uu, xx);
	assert_double_equal(xx[0], 1.25, 1e-15);
	assert_true(xx[1] == 0.2);
	assert_true(xx[2] == 0.06);
	mv_sweep_free(sw);
	mv_sweep_free(NULL);
}

static void test_load_bad(void **state)
{
	static const struct {
		const char *file, *msg;
	} cases[] = {
		{"unknown_key", ":3: setting 'sweep.parameters[0].key': expected a key of the scenario "
				"(mvsim keys SCENARIO lists them), found unknown key "
				"'vectors.russia.coersion'; did you mean 'vectors.russia.coercion'?"},
		{"unknown_reducer",
		 ":4: setting 'sweep.metrics[1]': expected REDUCER:COLUMN with REDUCER one of initial, "
		 "final, min, max, mean, argmin, argmax, cross, found unknown reducer 'fianl' in "
		 "'fianl:n_eff'; did you mean 'final'?"},
		{"unknown_column",
		 ":3: setting 'sweep.metrics[0]': expected a column of the scenario's output, found "
		 "unknown column 'share_wes' in 'cross:share_china>share_wes'; did you mean "
		 "'share_west'?"},
		{"min_gt_max", ":4: setting 'sweep.parameters[0]': expected min <= max, found min 2 > "
			       "max 1"},
		{"steps_zero", ":4: setting 'sweep.parameters[0].steps': expected an integer in [1, "
			       "1000000], found 0"},
		{"steps_fraction", ":3: setting 'sweep.parameters[0].steps': expected an integer in "
				   "[1, 1000000], found 2.5"},
		{"samples_zero", ":3: setting 'sweep.samples': expected an integer >= 1, found 0"},
		{"samples_over", ":3: setting 'sweep.samples': expected at most 1000 samples "
				 "(sweep.max_runs), found 1001"},
		{"grid_too_large", ":3: setting 'sweep.parameters': expected a grid of at most 1000000 "
				   "points (sweep.max_runs), found 1001 x 1000 = 1001000 points"},
		{"grid_max_runs", ":3: setting 'sweep.parameters': expected a grid of at most 100 "
				  "points (sweep.max_runs), found 11 x 3 x 4 = 132 points"},
		{"unknown_setting",
		 ":3: setting 'sweep.metric': expected one of method, samples, seed, max_runs, "
		 "parameters, metrics, checks, found an unknown setting; did you mean 'metrics'?"},
		{"unknown_top", ":2: setting 'swep': expected one of scenario, sweep, found an unknown "
				"setting; did you mean 'sweep'?"},
		{"bad_method", ":2: setting 'sweep.method': expected one of grid, random, lhs, sobol, "
			       "found \"latin\""},
		{"grid_continuous", ":2: setting 'sweep.parameters[0]': expected steps or values with "
				    "method grid, found only min and max"},
		{"grid_samples", ":2: setting 'sweep.samples': expected no samples with method grid "
				 "(it runs every combination of the parameters' steps or values), "
				 "found samples = 10"},
		{"out_of_range", ":3: setting 'sweep.parameters[0].values[1]': expected a number in "
				 "[0, 1] (the range of focal.autonomy), found 1.5"},
		{"duplicate_key", ":4: setting 'sweep.parameters[1].key': expected a key not swept "
				  "already, found 'focal.autonomy' again (parameter 0)"},
		{"values_and_min", ":3: setting 'sweep.parameters[0]': expected min and max (and "
				   "optionally steps), or values, found values together with min"},
		{"no_max", ":3: setting 'sweep.parameters[0]': expected min and max (and optionally "
			   "steps), or values, found min without max"},
		{"check_no_bounds", ":3: setting 'sweep.checks[0]': expected min, max or both, found "
				    "neither"},
		{"check_min_gt_max", ":3: setting 'sweep.checks[0]': expected min <= max, found min "
				     "0.5 > max 0.1"},
		{"duplicate_metric", ":3: setting 'sweep.metrics[1]': expected a metric not listed "
				     "before, found 'final:crisis_prob' again"},
		{"no_parameters", ":2: setting 'sweep.parameters': expected a list ( { key = \"...\"; "
				  "... }, ... ) of 1 to 64 parameters, found nothing (required)"},
		{"sobol_dims", ":3: setting 'sweep.parameters': expected at most 40 parameters with "
			       "method sobol (GSL's Sobol sequence), found 41"},
		{"syntax", ":2: syntax error"},
	};
	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char path[128], want[1024];
		struct mv_error err = {0};
		snprintf(path, sizeof path, DATA "/bad/%s.cfg", cases[k].file);
		snprintf(want, sizeof want, "%s%s", path, cases[k].msg);
		assert_null(mv_sweep_load(path, 0, NULL, &err));
		assert_int_equal(err.code, MV_EXIT_INPUT);
		assert_string_equal(err.msg, want);
	}
	struct mv_error err = {0};
	assert_null(mv_sweep_load(DATA "/bad/no_scenario_file.cfg", 0, NULL, &err));
	assert_string_equal(err.msg,
			    DATA "/bad/no-such.cfg: cannot open scenario: No such file or directory");
	assert_null(mv_sweep_load(DATA "/bad/none.cfg", 0, NULL, &err));
	assert_string_equal(err.msg,
			    DATA "/bad/none.cfg: cannot open sweep file: No such file or directory");
}

/* --set reaches the scenario (and its errors are --set's). */
static void test_load_set(void **state)
{
	struct mv_error err = {0};
	char *good[] = {"model.beta=0.5"}, *bad[] = {"model.bta=0.5"};
	(void)state;
	struct mv_sweep *sw = mv_sweep_load(DATA "/lhs.cfg", 1, good, &err);
	assert_non_null(sw);
	assert_true(sw->sc->val[MV_G_BETA] == 0.5);
	assert_int_equal(sw->sc->nsets, 1);
	mv_sweep_free(sw);
	assert_null(mv_sweep_load(DATA "/lhs.cfg", 1, bad, &err));
	assert_non_null(strstr(err.msg, "did you mean 'model.beta'?"));
}

/* ================================================================ the batch */

struct collect {
	long n, cap;
	long *k;
	double *m;   /* 2 metrics per result */
	int *status;
	char reason[4][MV_ERROR_MAX];
	long rows_payload;
	long stop_at;
	volatile sig_atomic_t *stop;
	int fail_at;
};

static int collect_cb(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct collect *c = ctx;
	if (c->fail_at >= 0 && res->k == c->fail_at)
		return mv_error_set(err, MV_EXIT_FAIL, "disk full at run %ld", res->k);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->k = realloc(c->k, (size_t)c->cap * sizeof *c->k);
		c->m = realloc(c->m, (size_t)c->cap * 2 * sizeof *c->m);
		c->status = realloc(c->status, (size_t)c->cap * sizeof *c->status);
	}
	c->k[c->n] = res->k;
	c->m[2 * c->n] = res->metrics[0];
	c->m[2 * c->n + 1] = res->metrics[1];
	c->status[c->n] = res->status;
	if (c->n < 4)
		snprintf(c->reason[c->n], MV_ERROR_MAX, "%s", res->reason);
	if (res->payload)
		c->rows_payload += *(long *)res->payload;
	c->n++;
	if (c->stop && res->k == c->stop_at)
		*c->stop = 1;
	return 0;
}

static void collect_free(struct collect *c)
{
	free(c->k);
	free(c->m);
	free(c->status);
}

/* Point k: coercion k/10 and west growth 0.01 + k/1000. */
static int points(void *ctx, long k, double *x, struct mv_error *err)
{
	(void)ctx;
	(void)err;
	x[0] = (double)k / 10;
	x[1] = 0.01 + (double)k / 1000;
	return 0;
}

struct fixture {
	struct mv_scenario *sc;
	struct mv_keytab kt;
	char **cols;
	int ncols;
	int slots[2];
	struct mv_metric metrics[2];
};

static int batch_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct mv_error err = {0};
	f->sc = mv_config_load("configs/scenarios/russia_pressure.cfg", 0, NULL, &f->kt, &err);
	if (f->sc == NULL)
		return -1;
	f->cols = mv_model_columns(f->sc, &f->ncols, &err);
	f->slots[0] = mv_keytab_find(&f->kt, "vectors.russia.coercion")->index;
	f->slots[1] = mv_keytab_find(&f->kt, "vectors.west.growth")->index;
	if (mv_metric_parse("final:crisis_prob", f->cols, f->ncols, "w", &f->metrics[0], &err) ||
	    mv_metric_parse("min:n_eff", f->cols, f->ncols, "w", &f->metrics[1], &err))
		return -1;
	*state = f;
	return 0;
}

static int batch_teardown(void **state)
{
	struct fixture *f = *state;
	free(f->cols);
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	free(f);
	return 0;
}

static struct mv_batch_spec spec_of(struct fixture *f, struct collect *c, int jobs, int window)
{
	struct mv_batch_spec s = {0};
	s.nparams = 2;
	s.slots = f->slots;
	s.nmetrics = 2;
	s.metrics = f->metrics;
	s.point = points;
	s.result = collect_cb;
	s.result_ctx = c;
	s.jobs = jobs;
	s.window = window;
	s.seed = 5;
	return s;
}

/* Results come in run order and are the same for 1, 2 and 4 threads, with a window of 2
 * (threads wait for the slowest) and the default. */
static void test_batch_order(void **state)
{
	struct fixture *f = *state;
	struct collect ref = {.fail_at = -1};
	struct mv_error err = {0};
	static const int jobs[] = {1, 2, 4, 4, 3};
	static const int windows[] = {0, 2, 2, 0, 5};

	for (size_t v = 0; v < sizeof jobs / sizeof jobs[0]; v++) {
		struct collect c = {.fail_at = -1};
		struct mv_batch_spec s = spec_of(f, &c, jobs[v], windows[v]);
		struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
		long ndone;
		assert_non_null(b);
		assert_int_equal(mv_batch_exec(b, 0, 40, 1, &ndone, &err), 0);
		assert_int_equal(ndone, 40);
		assert_int_equal(c.n, 40);
		for (long i = 0; i < 40; i++) {
			assert_int_equal(c.k[i], i);
			assert_int_equal(c.status[i], MV_RUN_OK);
		}
		/* the same numbers, bit for bit */
		if (v == 0)
			ref = c;
		else {
			assert_memory_equal(c.m, ref.m, 80 * sizeof *c.m);
			collect_free(&c);
		}
		/* exec again on the same batch: strided (a shard), from the middle */
		if (v == 1) {
			struct collect d = {.fail_at = -1};
			s.result_ctx = &d;
			mv_batch_free(b);
			b = mv_batch_create(f->sc, &f->kt, &s, &err);
			assert_int_equal(mv_batch_exec(b, 2, 13, 3, &ndone, &err), 0);
			assert_int_equal(d.n, 13);
			for (long i = 0; i < 13; i++) {
				assert_int_equal(d.k[i], 2 + 3 * i);
				assert_true(d.m[2 * i] == ref.m[2 * (2 + 3 * i)]);
			}
			collect_free(&d);
		}
		mv_batch_free(b);
	}
	/* More coercion, more risk: the model answers the points (not a constant). */
	assert_true(ref.m[2 * 39] > ref.m[0]);
	collect_free(&ref);
	mv_batch_free(NULL);
}

/* A failed run is a result (reason, NaN metrics) and the batch goes on. */
static int bad_points(void *ctx, long k, double *x, struct mv_error *err)
{
	(void)ctx;
	(void)err;
	x[0] = k == 1 ? 0.9 : 0.27; /* russia's economy share: 0.9 breaks the sum */
	x[1] = 0.01;
	return 0;
}

static void test_batch_failures(void **state)
{
	struct fixture *f = *state;
	struct collect c = {.fail_at = -1};
	struct mv_error err = {0};
	struct mv_batch_spec s = spec_of(f, &c, 2, 0);
	int slots[2] = {mv_keytab_find(&f->kt, "vectors.russia.share.economy")->index, f->slots[1]};
	s.slots = slots;
	s.point = bad_points;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 3, 1, NULL, &err), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.status[0], MV_RUN_OK);
	assert_int_equal(c.status[1], MV_RUN_FAILED);
	assert_int_equal(c.status[2], MV_RUN_OK);
	assert_true(isnan(c.m[2]) && isnan(c.m[3]));
	assert_string_equal(c.reason[0], "");
	assert_non_null(strstr(c.reason[1], "invalid point: "));
	assert_non_null(strstr(c.reason[1], "found a sum of 1.63"));
	mv_batch_free(b);
	collect_free(&c);

	/* A numerical failure: a step limit of 5 steps. */
	struct collect d = {.fail_at = -1};
	s = spec_of(f, &d, 1, 0);
	s.run_opts.max_steps = 5;
	b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 2, 1, NULL, &err), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.status[0], MV_RUN_FAILED);
	assert_non_null(strstr(d.reason[0], "run failed at t="));
	assert_non_null(strstr(d.reason[0], "step limit of 5 steps"));
	mv_batch_free(b);
	collect_free(&d);

	/* Bad specs. */
	int bad_slot[2] = {-1, 0};
	s = spec_of(f, &d, 1, 0);
	s.slots = bad_slot;
	assert_null(mv_batch_create(f->sc, &f->kt, &s, &err));
	assert_int_equal(err.code, MV_EXIT_INPUT);
	s = spec_of(f, &d, 1, 0);
	s.run_opts.method = "euler";
	assert_null(mv_batch_create(f->sc, &f->kt, &s, &err));
	assert_string_equal(err.msg, "unknown integrator 'euler'");
}

/* The stop flag ends the batch after the runs in flight: a prefix is delivered. A failing
 * result callback stops it with its error. */
static void test_batch_stop(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	volatile sig_atomic_t stop = 0;
	struct collect c = {.fail_at = -1, .stop = &stop, .stop_at = 10};
	struct mv_batch_spec s = spec_of(f, &c, 2, 0);
	s.stop = &stop;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	long ndone;
	assert_int_equal(mv_batch_exec(b, 0, 200, 1, &ndone, &err), 1);
	assert_int_equal(ndone, c.n);
	assert_true(c.n >= 11 && c.n < 200);
	for (long i = 0; i < c.n; i++)
		assert_int_equal(c.k[i], i);
	mv_batch_free(b);
	collect_free(&c);

	struct collect d = {.fail_at = 7};
	s = spec_of(f, &d, 2, 0);
	b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 30, 1, &ndone, &err), -1);
	assert_string_equal(err.msg, "disk full at run 7");
	assert_int_equal(ndone, 7);
	mv_batch_free(b);
	collect_free(&d);
}

/* A run cut short by mv_interrupt (SIGINT, SIGTERM) is no result: the batch stops there. */
static int interrupt_cb(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	if (res->k == 5)
		mv_interrupt = SIGINT;
	if (res->status != MV_RUN_OK)
		return mv_error_set(err, MV_EXIT_FAIL, "run %ld delivered as failed: %s", res->k,
				    res->reason);
	return collect_cb(ctx, res, err);
}

static void test_batch_interrupt(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	struct collect c = {.fail_at = -1};
	struct mv_batch_spec s = spec_of(f, &c, 2, 0);
	long ndone;
	s.result = interrupt_cb;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	int rc = mv_batch_exec(b, 0, 100, 1, &ndone, &err);
	mv_interrupt = 0;
	if (rc < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(rc, 1);
	assert_true(ndone >= 6 && ndone < 100);
	assert_int_equal(c.n, ndone);
	mv_batch_free(b);
	collect_free(&c);
}

/* A sink sees every row of every run on the worker threads, its payload travels with the
 * result and is released. */
struct sink_state {
	long released;
	long begun;
	int bad_seed;
};

struct run_rows {
	long rows;
};

static int sk_begin(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
		    void **run_ctx, struct mv_error *err)
{
	struct sink_state *s = ctx;
	(void)opts;
	(void)err;
	if (run->seed != mv_batch_seed(5, run->k))
		__atomic_store_n(&s->bad_seed, 1, __ATOMIC_RELAXED);
	/* the private scenario carries the point, also as the last --set */
	if (run->sc->val[mv_key_vec(4, 3, 0, MV_VP_COERCION)] != run->x[0] ||
	    strncmp(run->sc->sets[run->sc->nsets - 1], "vectors.west.growth=", 20) != 0)
		__atomic_store_n(&s->bad_seed, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->begun, 1, __ATOMIC_RELAXED);
	*run_ctx = calloc(1, sizeof(struct run_rows));
	return 0;
}

static int sk_row(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	(void)row;
	(void)ncols;
	(void)err;
	((struct run_rows *)ctx)->rows++;
	return 0;
}

static int sk_end(void *ctx, const struct mv_batch_run *run, void *run_ctx, int status,
		  void **payload, struct mv_error *err)
{
	(void)ctx;
	(void)run;
	(void)status;
	(void)err;
	*payload = run_ctx;
	return 0;
}

static void sk_release(void *ctx, void *payload)
{
	struct sink_state *s = ctx;
	s->released++; /* called under the batch's lock */
	free(payload);
}

static void test_batch_sink(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	struct collect c = {.fail_at = -1};
	struct sink_state st = {0};
	struct mv_batch_sink sink = {sk_begin, sk_row, sk_end, sk_release, &st};
	struct mv_batch_spec s = spec_of(f, &c, 2, 3);
	s.sink = &sink;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 12, 1, NULL, &err), 0);
	assert_int_equal(st.begun, 12);
	assert_int_equal(st.released, 12);
	assert_int_equal(st.bad_seed, 0);
	assert_int_equal(c.rows_payload, 12 * mv_run_nrows(f->sc));
	mv_batch_free(b);
	collect_free(&c);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Per-run seeds: a function of (seed, k) only, distinct over k, < 2^32. */
static void test_batch_seed(void **state)
{
	(void)state;
	enum { N = 20000 };
	uint64_t *s = malloc(N * sizeof *s);
	for (long k = 0; k < N; k++) {
		s[k] = mv_batch_seed(1, k);
		assert_true(s[k] < (1ULL << 32));
		assert_true(s[k] == mv_batch_seed(1, k));
	}
	qsort(s, N, sizeof *s, cmp_u64);
	for (long k = 1; k < N; k++) /* distinct (a bijection in k) */
		assert_true(s[k] != s[k - 1]);
	assert_true(mv_batch_seed(1, 0) != mv_batch_seed(2, 0));
	free(s);
	assert_true(mv_batch_jobs(3) == 3 && mv_batch_jobs(0) >= 1);
}

/* ================================================================ mvsim sweep, merge */

static int cli_setup(void **state)
{
	const char *m = getenv("MVSIM");
	(void)state;
	snprintf(bin, sizeof bin, "%s%s", m && m[0] != '/' ? "./" : "", m && m[0] ? m : "build/mvsim");
	mkdir("build", 0755);
	mkdir(OUT, 0755);
	if (access(bin, X_OK) != 0) {
		print_error("%s: not executable\n", bin);
		return -1;
	}
	valgrind = getenv("MV_UNDER_VALGRIND") != NULL;
	no_sweep = mv(NULL, NULL, "sweep", "--help", NULL) != 0;
	return 0;
}

/* The rows (lines not starting with '#') of a summary, in order, and the header. */
static void expect_complete(const char *text, long runs, long failed)
{
	char trailer[64];
	snprintf(trailer, sizeof trailer, "# complete\t%ld runs\t%ld failed\n", runs, failed);
	size_t tl = strlen(trailer), len = strlen(text);
	assert_true(len > tl);
	assert_string_equal(text + len - tl, trailer);
	assert_int_equal(count_lines(text, '#') > 5, 1);
	/* header + one row per run, numbered 0.. in order */
	long n = 0;
	const char *p = strstr(text, "\nrun\t");
	assert_non_null(p);
	for (p = strchr(p + 1, '\n') + 1; *p && *p != '#'; p = strchr(p, '\n') + 1) {
		assert_int_equal(strtol(p, NULL, 10), n);
		n++;
	}
	assert_int_equal(n, runs);
}

static void test_cli_jobs(void **state)
{
	char *out, *err, *a, *b, *c;
	(void)state;
	NEED_SWEEP();
	unlink(OUT "/j1.tsv");
	assert_int_equal(mv(NULL, &err, "sweep", DATA "/lhs.cfg", "-o", OUT "/j1.tsv", "--jobs", "1", NULL), 0);
	assert_string_equal(err, ""); /* not a terminal: no progress line */
	free(err);
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/j2.tsv", "-j", "2", NULL), 0);
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/j4.tsv", "-j4", NULL), 0);
	assert_int_equal(mv(&out, NULL, "sweep", DATA "/lhs.cfg", NULL), 0);
	a = slurp(OUT "/j1.tsv");
	b = slurp(OUT "/j2.tsv");
	c = slurp(OUT "/j4.tsv");
	assert_non_null(a);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	assert_string_equal(a, out); /* standard output carries the same summary */
	expect_complete(a, 90, 0);
	assert_non_null(strstr(a, "# mvsim 0.1.0 sweep summary\n# sweep\t" DATA "/lhs.cfg\t"));
	assert_non_null(strstr(a, "\n# shard\t1/1\n"));
	assert_non_null(strstr(a, "\nrun\tvectors.russia.coercion\tfocal.autonomy\tvectors.china.growth"
				  "\tfinal:crisis_prob\tmin:n_eff\tcross:share_china>share_west"
				  "\tmean:share_russia\tstatus\treason\n"));
	assert_false(exists(OUT "/j1.tsv.partial"));
	free(a);
	free(b);
	free(c);
	free(out);
}

static void test_cli_shards(void **state)
{
	char *full, *merged, *part;
	(void)state;
	NEED_SWEEP();
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/full.tsv", NULL), 0);
	for (int k = 1; k <= 4; k++) {
		char out[64], shard[16];
		snprintf(out, sizeof out, OUT "/part%d.tsv", k);
		snprintf(shard, sizeof shard, "%d/4", k);
		assert_int_equal(mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", out, "--shard", shard,
				    "-j", k % 2 ? "1" : "2", NULL), 0);
	}
	part = slurp(OUT "/part3.tsv");
	assert_non_null(strstr(part, "\n# shard\t3/4\n"));
	assert_non_null(strstr(part, "\n2\t"));  /* run 2 = 3 − 1 */
	assert_non_null(strstr(part, "\n6\t"));
	assert_null(strstr(part, "\n3\t"));
	assert_non_null(strstr(part, "# complete\t22 runs\t0 failed\n")); /* 2, 6, ..., 86 */
	free(part);
	/* parts in any order */
	assert_int_equal(mv(NULL, NULL, "merge", OUT "/part3.tsv", OUT "/part1.tsv", OUT "/part4.tsv",
			    OUT "/part2.tsv", "-o", OUT "/merged.tsv", NULL), 0);
	full = slurp(OUT "/full.tsv");
	merged = slurp(OUT "/merged.tsv");
	assert_string_equal(full, merged);
	free(merged);
	/* more shards than runs: an empty part is still a complete part */
	char *err;
	assert_int_equal(mv(NULL, &err, "sweep", DATA "/breaking.cfg", "-o", OUT "/b7.tsv", "--shard",
			    "7/7", NULL), 0);
	assert_string_equal(err, "");
	free(err);
	char *b7 = slurp(OUT "/b7.tsv");
	assert_non_null(strstr(b7, "\nrun\t"));
	assert_non_null(strstr(b7, "# complete\t0 runs\t0 failed\n"));
	free(b7);
	free(full);
}

/* SIGKILL at random moments, then --resume (killed again, resumed again): the summary is
 * the uninterrupted one, byte for byte; what a kill leaves is a prefix of it. */
static void test_cli_resume_kill(void **state)
{
	char *ref, *part;
	(void)state;
	NEED_SWEEP();
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/long-ref.tsv", NULL), 0);
	ref = slurp(OUT "/long-ref.tsv");
	srand((unsigned)time(NULL));
	for (int round = 0; round < (valgrind ? 1 : 3); round++) {
		unlink(OUT "/long.tsv");
		unlink(OUT "/long.tsv.partial");
		char *args[] = {"sweep", DATA "/long.cfg", "-o", OUT "/long.tsv", "-j", "2", NULL};
		pid_t pid = start(args);
		sleep_ms(5 + rand() % 120);
		kill(pid, SIGKILL);
		finish(pid);
		if (exists(OUT "/long.tsv")) { /* it finished before the kill */
			assert_false(exists(OUT "/long.tsv.partial"));
			part = slurp(OUT "/long.tsv");
			assert_string_equal(part, ref);
			free(part);
			continue;
		}
		/* killed while starting there is no partial yet; --resume then runs everything */
		if ((part = slurp(OUT "/long.tsv.partial")) != NULL) {
			/* a prefix of the reference, up to a row torn by the kill */
			size_t n = strlen(part);
			while (n > 0 && part[n - 1] != '\n')
				n--;
			assert_memory_equal(part, ref, n);
			free(part);
		}
		/* resume, and kill that too in the second round */
		char *res[] = {"sweep", DATA "/long.cfg", "-o", OUT "/long.tsv", "--resume", "-j", "2", NULL};
		if (round == 1) {
			pid = start(res);
			sleep_ms(5 + rand() % 60);
			kill(pid, SIGKILL);
			finish(pid);
		}
		assert_int_equal(finish(start(res)), 0);
		assert_false(exists(OUT "/long.tsv.partial"));
		part = slurp(OUT "/long.tsv");
		assert_string_equal(part, ref);
		free(part);
	}
	free(ref);
}

/* SIGINT and SIGTERM stop cleanly: exit 130 / 143, a message, the partial kept (whole rows of
 * finished runs only), no summary. */
static void test_cli_resume_signals(void **state)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	static const char *const names[] = {"SIGINT", "SIGTERM"};
	char *ref = slurp(OUT "/long-ref.tsv");
	(void)state;
	NEED_SWEEP();
	assert_non_null(ref);
	for (int s = 0; s < 2; s++) {
		unlink(OUT "/sig.tsv");
		unlink(OUT "/sig.tsv.partial");
		char *args[] = {"sweep", DATA "/long.cfg", "-o", OUT "/sig.tsv", NULL};
		pid_t pid = start(args);
		/* once the partial exists the handlers are in place (however slow the start) */
		for (int w = 0; w < 6000 && !exists(OUT "/sig.tsv.partial"); w++)
			sleep_ms(5);
		sleep_ms(20);
		kill(pid, sigs[s]);
		int rc = finish(pid);
		char *err = slurp(OUT "/stderr");
		if (rc == 0) { /* finished first: nothing to check */
			free(err);
			continue;
		}
		assert_int_equal(rc, 128 + sigs[s]); /* as every command interrupted */
		char want[64];
		snprintf(want, sizeof want, "mvsim: sweep interrupted by %s after ", names[s]);
		assert_non_null(strstr(err, want));
		assert_null(strstr(err, "failed")); /* the run cut short is no failed run */
		assert_non_null(strstr(err, "the finished runs are in " OUT "/sig.tsv.partial: run the "
					    "same command with --resume to finish it\n"));
		assert_false(exists(OUT "/sig.tsv"));
		char *part = slurp(OUT "/sig.tsv.partial");
		assert_memory_equal(part, ref, strlen(part)); /* whole rows only */
		assert_int_equal(part[strlen(part) - 1], '\n');
		free(part);
		free(err);
		assert_int_equal(mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/sig.tsv",
				    "--resume", NULL), 0);
		part = slurp(OUT "/sig.tsv");
		assert_string_equal(part, ref);
		free(part);
	}
	/* --resume of a complete summary runs nothing and judges it again */
	char *err;
	assert_int_equal(mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/long-ref.tsv",
			    "--resume", NULL), 0);
	assert_string_equal(err, "");
	free(err);
	free(ref);
}

/* What --resume refuses, with exit 2 and nothing changed. */
static void test_cli_resume_errors(void **state)
{
	char *err, *before, *after, sha[65], want[1024];
	(void)state;
	NEED_SWEEP();
	/* a partial of long.cfg: the header and three rows of the reference */
	char *ref = slurp(OUT "/long-ref.tsv");
	char *p = strstr(ref, "\nrun\t");
	for (int k = 0; k < 4; k++)
		p = strchr(p + 1, '\n');
	p[1] = '\0';
	write_file(OUT "/r.tsv.partial", ref);
	unlink(OUT "/r.tsv");

	assert_int_equal(mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", NULL), 2);
	assert_string_equal(err, "mvsim: " OUT "/r.tsv.partial exists: a sweep into " OUT
			    "/r.tsv was interrupted; continue it with --resume, or remove it\n");
	free(err);

	assert_int_equal(mv_sha256_file(DATA "/other.cfg", sha), 0);
	before = slurp(OUT "/r.tsv.partial");
	char ref_sha[65];
	assert_int_equal(mv_sha256_file(DATA "/long.cfg", ref_sha), 0);
	snprintf(want, sizeof want,
		 "mvsim: " OUT "/r.tsv.partial: cannot resume: it is from a different sweep: its line "
		 "'# sweep " DATA "/long.cfg %s' differs from this sweep's '# sweep " DATA
		 "/other.cfg %s'\n",
		 ref_sha, sha);
	assert_int_equal(mv(NULL, &err, "sweep", DATA "/other.cfg", "-o", OUT "/r.tsv", "--resume", NULL), 2);
	assert_string_equal(err, want);
	free(err);
	/* the same sweep file with another --set is another sweep too */
	assert_int_equal(mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", "--resume",
			    "--set", "model.beta=0.5", NULL), 2);
	assert_non_null(strstr(err, "cannot resume: it is from a different sweep: its line '# method "
				    "sobol' differs from this sweep's '# set model.beta=0.5'"));
	free(err);
	/* and another shard */
	assert_int_equal(mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", "--resume",
			    "--shard", "1/2", NULL), 2);
	assert_non_null(strstr(err, "its line '# shard 1/1' differs from this sweep's '# shard 1/2'"));
	free(err);
	after = slurp(OUT "/r.tsv.partial");
	assert_string_equal(before, after);
	assert_false(exists(OUT "/r.tsv"));
	/* the partial's own sweep finishes it */
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", "--resume", NULL), 0);
	char *done = slurp(OUT "/r.tsv"), *full = slurp(OUT "/long-ref.tsv");
	assert_string_equal(done, full);
	free(done);
	free(full);
	free(before);
	free(after);
	free(ref);
}

/* Checks: exit 1, every breaking run on stderr with its parameters and value; exit 0 when
 * they hold. Failed runs: exit 1, listed with their reason. */
static void test_cli_checks(void **state)
{
	char *out, *err;
	(void)state;
	NEED_SWEEP();
	assert_int_equal(mv(&out, &err, "sweep", DATA "/breaking.cfg", NULL), 1);
	assert_string_equal(
		err,
		"mvsim: run 2 breaks check final:crisis_prob <= 0.5: final:crisis_prob = 0.9907780474 "
		"(vectors.russia.coercion = 5, vectors.russia.restraint.china = 0)\n"
		"mvsim: run 4 breaks check final:crisis_prob <= 0.5: final:crisis_prob = 0.9987827059 "
		"(vectors.russia.coercion = 10, vectors.russia.restraint.china = 0)\n"
		"mvsim: run 5 breaks check final:crisis_prob <= 0.5: final:crisis_prob = 0.7946650578 "
		"(vectors.russia.coercion = 10, vectors.russia.restraint.china = 2)\n"
		"mvsim: sweep: check final:crisis_prob <= 0.5 broken by 3 of 6 runs\n");
	/* China's restraint keeps the crisis probability at the baseline's level */
	assert_non_null(strstr(out, "\n1\t0\t2\t0.7\t0.03025635228\tok\t-\n"));
	expect_complete(out, 6, 0);
	free(out);
	free(err);

	assert_int_equal(mv(&out, &err, "sweep", DATA "/invalid.cfg", NULL), 1);
	/* blamed on the sweep's parameter (issue 15), not on the scenario's line */
	assert_non_null(strstr(out, "\n1\t0.6\tnan\tfailed\tinvalid point: " DATA
				    "/invalid.cfg:5: setting 'vectors.*.share.economy'"));
	assert_non_null(strstr(err, "mvsim: run 1 failed: invalid point: "));
	/* each share of the domain with its value and origin (issue 16), then the point */
	assert_non_null(strstr(err, "found a sum of 1.33 (russia 0.6 at " DATA "/invalid.cfg:5, "
				    "china 0.25 at "));
	assert_non_null(strstr(err, ") (vectors.russia.share.economy = 0.6)\n"
				    "mvsim: sweep: 1 of 2 runs failed\n"));
	expect_complete(out, 2, 1);
	free(out);
	free(err);

	assert_int_equal(mv(NULL, &err, "sweep", DATA "/grid.cfg", "-o", OUT "/grid.tsv", "-q", NULL), 0);
	assert_string_equal(err, "");
	free(err);
}

/* A minimal XML well-formedness check: one root, tags balanced and nested, attributes
 * quoted, only the five predefined entities, no '<' or '&' loose in text. Returns the
 * number of elements named `count_name` (or -1 when malformed). */
static int xml_check(const char *x, const char *count_name, int *failures)
{
	char stack[16][64];
	int depth = 0, roots = 0, count = 0;
	const char *p = x;

	*failures = 0;
	if (strncmp(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) != 0)
		return -1;
	p = strstr(p, "?>") + 2;
	while (*p) {
		if (*p == '&') {
			if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
			    strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
				return -1;
			p++;
			continue;
		}
		if (*p != '<') {
			if (depth == 0 && !(*p == '\n' || *p == ' '))
				return -1;
			p++;
			continue;
		}
		const char *end = strchr(p, '>');
		if (end == NULL)
			return -1;
		if (p[1] == '/') {
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
				return -1;
			depth--;
		} else {
			size_t nl = strcspn(p + 1, " />");
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)nl, p + 1);
			if (strcmp(name, count_name) == 0)
				count++;
			if (strcmp(name, "failure") == 0)
				(*failures)++;
			/* attributes: name="value" with no '<' inside values */
			const char *q = p + 1 + nl;
			while (q < end) {
				while (*q == ' ')
					q++;
				if (*q == '/' || q >= end)
					break;
				const char *eq = strchr(q, '=');
				if (eq == NULL || eq > end || eq[1] != '"')
					return -1;
				const char *close = strchr(eq + 2, '"');
				if (close == NULL || memchr(eq + 2, '<', (size_t)(close - eq - 2)))
					return -1;
				q = close + 1;
				if (close > end)
					end = strchr(close, '>');
			}
			if (end[-1] != '/') {
				if (depth == 0 && roots++)
					return -1;
				snprintf(stack[depth++], 64, "%s", name);
			} else if (depth == 0) {
				return -1;
			}
		}
		p = end + 1;
	}
	return depth == 0 && roots == 1 ? count : -1;
}

static int have_xmllint(void)
{
	return access("/usr/bin/xmllint", X_OK) == 0 || access("/usr/local/bin/xmllint", X_OK) == 0;
}

static void xmllint(const char *path)
{
	if (!have_xmllint())
		return;
	char *argv[] = {"xmllint", "--noout", (char *)path, NULL};
	pid_t pid;
	assert_int_equal(posix_spawnp(&pid, "xmllint", NULL, NULL, argv, environ), 0);
	assert_int_equal(finish(pid), 0);
}

static void test_cli_junit(void **state)
{
	char *x;
	int failures;
	(void)state;
	NEED_SWEEP();
	unlink(OUT "/j.xml");
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "--junit", OUT "/j.xml", NULL), 1);
	x = slurp(OUT "/j.xml");
	assert_non_null(x);
	/* one test case per check, and one for failed runs */
	assert_int_equal(xml_check(x, "testcase", &failures), 3);
	assert_int_equal(failures, 1);
	assert_non_null(strstr(x, "<testsuites name=\"mvsim sweep\" tests=\"3\" failures=\"1\""));
	assert_non_null(strstr(x, "name=\"final:crisis_prob &lt;= 0.5\""));
	assert_non_null(strstr(x, "name=\"max:tension_russia &lt;= 100\" time=\"0\"/>"));
	assert_non_null(strstr(x, "message=\"3 of 6 runs break final:crisis_prob &lt;= 0.5\">"
				  "run 2: final:crisis_prob = 0.9907780474 (vectors.russia.coercion = 5, "
				  "vectors.russia.restraint.china = 0)\nrun 4: "));
	xmllint(OUT "/j.xml");
	free(x);

	/* failed runs: the "runs complete" case fails, and they break every check */
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/invalid.cfg", "--junit", OUT "/j2.xml", NULL), 1);
	x = slurp(OUT "/j2.xml");
	assert_int_equal(xml_check(x, "testcase", &failures), 1);
	assert_int_equal(failures, 1);
	assert_non_null(strstr(x, "<failure type=\"failed runs\" message=\"1 of 2 runs failed\">run 1: "
				  "invalid point: "));
	xmllint(OUT "/j2.xml");
	free(x);

	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "--junit", OUT "/j3.xml", "-o",
			    OUT "/j3.tsv", NULL), 0);
	x = slurp(OUT "/j3.xml");
	assert_int_equal(xml_check(x, "testcase", &failures), 3);
	assert_int_equal(failures, 0);
	assert_non_null(strstr(x, "name=\"min:n_eff in [2.5, 4]\""));
	xmllint(OUT "/j3.xml");
	free(x);

	/* the checker itself rejects what is not well formed */
	assert_int_equal(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a></b>", "b",
				   &failures), -1);
	assert_int_equal(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1\">&nbsp;</a>",
				   "a", &failures), -1);
	assert_int_equal(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/><b/>", "a",
				   &failures), -1);
}

/* --series DIR: one complete run file per run, whose last row gives the summary's metric. */
static void test_cli_series(void **state)
{
	char *sum;
	(void)state;
	NEED_SWEEP();
	DIR *old = opendir(OUT "/series");
	struct dirent *oe;
	while (old && (oe = readdir(old)) != NULL) {
		char path[512];
		snprintf(path, sizeof path, OUT "/series/%s", oe->d_name);
		if (oe->d_name[0] != '.')
			unlink(path);
	}
	if (old)
		closedir(old);
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/grid.cfg", "-o", OUT "/gs.tsv", "--series",
			    OUT "/series", "-j", "2", NULL), 0);
	sum = slurp(OUT "/gs.tsv");
	DIR *d = opendir(OUT "/series");
	int files = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 12); /* nothing else: no temporaries left */
	for (int k = 0; k < 12; k++) {
		char path[128], *run;
		snprintf(path, sizeof path, OUT "/series/run-%06d.tsv", k);
		run = slurp(path);
		assert_non_null(run);
		assert_non_null(strstr(run, "# set\tvectors.russia.coercion="));
		char line[32];
		snprintf(line, sizeof line, "\n# sweep run\t%d\n", k);
		assert_non_null(strstr(run, line));
		/* the summary's final:share_west is column share_west of the last row */
		const char *last = run + strlen(run) - 2;
		while (last > run && *last != '\n')
			last--;
		char *row = strdup(last + 1), *f[64];
		int nf = 0;
		for (char *t = strtok(row, "\t\n"); t && nf < 64; t = strtok(NULL, "\t\n"))
			f[nf++] = t;
		char needle[64];
		snprintf(needle, sizeof needle, "\n%d\t", k);
		const char *srow = strstr(sum, needle);
		assert_non_null(srow);
		char *sr = strndup(srow + 1, strcspn(srow + 1, "\n")), *g[16];
		int ng = 0;
		for (char *t = strtok(sr, "\t"); t && ng < 16; t = strtok(NULL, "\t"))
			g[ng++] = t;
		assert_string_equal(g[4], f[3]); /* share_west is the 4th column of a run */
		free(sr);
		free(row);
		free(run);
	}
	free(sum);
	/* --series on a file is an input error */
	char *err;
	assert_int_equal(mv(NULL, &err, "sweep", DATA "/grid.cfg", "--series", DATA "/grid.cfg", NULL), 2);
	assert_string_equal(err, "mvsim: --series " DATA "/grid.cfg: not a directory\n");
	free(err);
}

/* Usage and merge errors: exit 2, the exact message, and an existing output untouched. */
static void test_cli_bad_input(void **state)
{
	static const struct {
		const char *args[12];
		const char *err;
	} cases[] = {
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "0/3"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8), found '0/3'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "4/3"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8), found '4/3'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "2"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8), found '2'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "1/2x"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8), found '1/2x'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--jobs", "0"},
		 "mvsim sweep: --jobs: expected an integer in [1, 1024], found '0'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "--resume"},
		 "mvsim sweep: --resume needs -o FILE (it continues FILE.partial)\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", "-o", OUT "/keep.tsv"},
		 "mvsim sweep: missing SWEEP.cfg\n(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "--frobnicate"},
		 "mvsim sweep: unknown option '--frobnicate'\n(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/bad/min_gt_max.cfg", "-o", OUT "/keep.tsv"},
		 "mvsim: " DATA "/bad/min_gt_max.cfg:4: setting 'sweep.parameters[0]': expected min <= "
		 "max, found min 2 > max 1\n"},
		{{"sweep", DATA "/bad/noise.cfg", "-o", OUT "/keep.tsv"},
		 "mvsim: " DATA "/bad/noise.cfg: sweeps do not draw noise yet: expected noise.sigma and "
		 "every noise_sigma 0 (and not swept above 0), found noise\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--set", "model.bta=1"},
		 "mvsim: --set 'model.bta=1': expected a key of this scenario, found unknown key "
		 "'model.bta'; did you mean 'model.beta'? (mvsim keys SCENARIO lists them)\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/part4.tsv", "-o", OUT "/keep.tsv"},
		 "mvsim: expected the 4 parts 1/4 to 4/4 of the sweep, found 3: part 3/4 is missing\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/part2.tsv", OUT "/part4.tsv", "-o",
		  OUT "/keep.tsv"},
		 "mvsim: " OUT "/part2.tsv and " OUT "/part2.tsv are both part 2/4\n"},
		{{"merge", OUT "/part1.tsv", OUT "/full.tsv", "-o", OUT "/keep.tsv"},
		 "mvsim: " OUT "/full.tsv: part 1/1 of a sweep in 1 shards, but " OUT
		 "/part1.tsv is part 1/4\n"},
		{{"merge", "configs/kazakhstan.cfg", "-o", OUT "/keep.tsv"},
		 "mvsim: configs/kazakhstan.cfg: not an mvsim sweep summary (expected '# mvsim ... sweep "
		 "summary' lines and a header)\n"},
		{{"merge", OUT "/full.tsv"}, "mvsim merge: missing -o summary.tsv\n(see 'mvsim merge --help')\n"},
		{{"merge", "-o", OUT "/keep.tsv"}, "mvsim merge: missing PARTS\n(see 'mvsim merge --help')\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/trunc3.tsv", OUT "/part4.tsv", "-o",
		  OUT "/keep.tsv"},
		 "mvsim: " OUT "/trunc3.tsv: incomplete: run 86 is missing (finish the shard with "
		 "'mvsim sweep ... --shard 3/4 --resume')\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/notrailer3.tsv", OUT "/part4.tsv",
		  "-o", OUT "/keep.tsv"},
		 "mvsim: " OUT "/notrailer3.tsv: incomplete or not part 3/4 of a 90-run sweep (expected "
		 "'# complete...' after its 22 rows): finish it with 'mvsim sweep --resume'\n"},
	};
	char *err;
	(void)state;
	NEED_SWEEP();
	/* part 3 cut before its last row, and part 3 without its trailer */
	char *p3 = slurp(OUT "/part3.tsv");
	assert_non_null(p3);
	char *tr = strstr(p3, "# complete");
	*tr = '\0';
	write_file(OUT "/notrailer3.tsv", p3);
	tr[-1] = '\0';
	*(strrchr(p3, '\n') + 1) = '\0';
	write_file(OUT "/trunc3.tsv", p3);
	free(p3);
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *args[13];
		int n = 0;
		write_file(OUT "/keep.tsv", "precious\n");
		while (cases[k].args[n]) {
			args[n] = (char *)cases[k].args[n];
			n++;
		}
		args[n] = NULL;
		int rc = finish(start(args));
		err = slurp(OUT "/stderr");
		if (rc != 2 || strcmp(err, cases[k].err) != 0)
			fail_msg("case %zu (%s %s): exit %d, stderr:\n%s", k, args[0], args[1], rc, err);
		free(err);
		char *keep = slurp(OUT "/keep.tsv");
		assert_string_equal(keep, "precious\n");
		free(keep);
	}
	/* merging shards of different sweeps */
	char sha1[65], sha2[65], want[1024];
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/l1.tsv", "--shard", "1/2", NULL), 0);
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/other.cfg", "-o", OUT "/o2.tsv", "--shard", "2/2", NULL), 0);
	mv_sha256_file(DATA "/long.cfg", sha1);
	mv_sha256_file(DATA "/other.cfg", sha2);
	snprintf(want, sizeof want,
		 "mvsim: " OUT "/o2.tsv: not a part of the same sweep as " OUT "/l1.tsv: its line "
		 "'# sweep " DATA "/other.cfg %s' differs from '# sweep " DATA "/long.cfg %s'\n",
		 sha2, sha1);
	assert_int_equal(mv(NULL, &err, "merge", OUT "/l1.tsv", OUT "/o2.tsv", "-o", OUT "/keep.tsv", NULL), 2);
	assert_string_equal(err, want);
	free(err);
	char *keep = slurp(OUT "/keep.tsv");
	assert_string_equal(keep, "precious\n");
	free(keep);
	/* no temporaries left beside the output */
	DIR *d = opendir(OUT);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp."))
			fail_msg("temporary left behind: %s", e->d_name);
	closedir(d);
}

/* merge applies the checks of the merged summary (exit 1, the same list as the sweep). */
static void test_cli_merge_checks(void **state)
{
	char *err, *err1, *a, *b;
	(void)state;
	NEED_SWEEP();
	assert_int_equal(mv(NULL, &err1, "sweep", DATA "/breaking.cfg", "-o", OUT "/bk.tsv", NULL), 1);
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/bk1.tsv", "--shard", "1/2", NULL), 1);
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/bk2.tsv", "--shard", "2/2", NULL), 1);
	assert_int_equal(mv(NULL, &err, "merge", OUT "/bk2.tsv", OUT "/bk1.tsv", "-o", OUT "/bkm.tsv", NULL), 1);
	a = slurp(OUT "/bk.tsv");
	b = slurp(OUT "/bkm.tsv");
	assert_string_equal(a, b);
	/* the same lines, said by merge */
	char *s = strstr(err1, "mvsim: sweep: ");
	assert_non_null(s);
	assert_non_null(strstr(err, "mvsim: merge: check final:crisis_prob <= 0.5 broken by 3 of 6 runs\n"));
	assert_memory_equal(err, err1, (size_t)(s - err1));
	free(a);
	free(b);
	free(err);
	free(err1);
}

/* Runs gnuplot -e VARS SCRIPT; returns its exit status, *err its stderr. */
static int gnuplot(const char *vars, const char *script, char **err)
{
	char *argv[] = {"gnuplot", "-e", (char *)vars, (char *)script, NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, OUT "/gp-stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	int rc = finish(pid);
	*err = slurp(OUT "/gp-stderr");
	return rc;
}

static void expect_png(const char *path)
{
	char *png = slurp(path);
	assert_non_null(png);
	assert_memory_equal(png, "\x89PNG", 4);
	free(png);
}

/* scripts/heatmap.gp and scripts/scatter.gp on real summaries: a figure, nothing on stderr;
 * and their errors. (Skipped without gnuplot on PATH.) */
static void test_scripts(void **state)
{
	char *err;
	(void)state;
	NEED_SWEEP();
	if (access("/usr/bin/gnuplot", X_OK) != 0 && access("/usr/local/bin/gnuplot", X_OK) != 0)
		skip();
	/* bk.tsv: breaking.cfg, a 3 x 2 grid of exactly two parameters */
	assert_int_equal(mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/hm.tsv", NULL), 1);
	unlink(OUT "/hm.png");
	assert_int_equal(gnuplot("in='" OUT "/hm.tsv'; out='" OUT "/hm.png'; x='vectors.russia.coercion'; "
				 "y='vectors.russia.restraint.china'; z='final:crisis_prob'",
				 "scripts/heatmap.gp", &err), 0);
	assert_string_equal(err, "");
	free(err);
	expect_png(OUT "/hm.png");
	/* a sampled sweep (lhs): points; scatter: one panel per parameter */
	assert_int_equal(gnuplot("in='" OUT "/full.tsv'; out='" OUT "/sc.png'; z='min:n_eff'",
				 "scripts/scatter.gp", &err), 0);
	assert_string_equal(err, "");
	free(err);
	expect_png(OUT "/sc.png");
	/* errors: three parameters; a column that is not there; not a summary */
	assert_int_equal(gnuplot("in='" OUT "/gs.tsv'; out='" OUT "/x.png'; x='vectors.russia.coercion'; "
				 "y='focal.autonomy'; z='final:share_west'",
				 "scripts/heatmap.gp", &err), 1);
	assert_non_null(strstr(err, "a heatmap needs a sweep of exactly the two parameters x and y, "
				    "this one has 3"));
	free(err);
	assert_int_equal(gnuplot("in='" OUT "/full.tsv'; z='final:crisis_prb'", "scripts/scatter.gp",
				 &err), 1);
	assert_non_null(strstr(err, "column 'final:crisis_prb' is absent"));
	free(err);
	assert_int_equal(gnuplot("in='" OUT "/long-ref.tsv'; z='min:n_eff'", "scripts/scatter.gp", &err), 0);
	free(err);
	assert_int_equal(gnuplot("in='configs/kazakhstan.cfg'; z='x'", "scripts/scatter.gp", &err), 1);
	assert_non_null(strstr(err, "not an mvsim sweep summary"));
	free(err);
}

static void test_cli_help(void **state)
{
	char *out, *err;
	(void)state;
	NEED_SWEEP();
	assert_int_equal(mv(&out, &err, "sweep", "--help", NULL), 0);
	assert_string_equal(out, mv_sweep_usage);
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_int_equal(mv(&out, NULL, "merge", "-h", NULL), 0);
	assert_string_equal(out, mv_merge_usage);
	free(out);
}

int main(void)
{
	const struct CMUnitTest samplers[] = {
		cmocka_unit_test(test_grid_design),   cmocka_unit_test(test_lhs_design),
		cmocka_unit_test(test_sobol_gsl),     cmocka_unit_test(test_random_gsl),
		cmocka_unit_test(test_sampler_errors),
	};
	const struct CMUnitTest files[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_load_set),
	};
	const struct CMUnitTest batch[] = {
		cmocka_unit_test(test_batch_order), cmocka_unit_test(test_batch_failures),
		cmocka_unit_test(test_batch_stop),  cmocka_unit_test(test_batch_interrupt),
		cmocka_unit_test(test_batch_sink),
		cmocka_unit_test(test_batch_seed),
	};
	const struct CMUnitTest cli[] = {
		cmocka_unit_test(test_cli_jobs),          cmocka_unit_test(test_cli_shards),
		cmocka_unit_test(test_cli_resume_kill),   cmocka_unit_test(test_cli_resume_signals),
		cmocka_unit_test(test_cli_resume_errors), cmocka_unit_test(test_cli_checks),
		cmocka_unit_test(test_cli_junit),         cmocka_unit_test(test_cli_series),
		cmocka_unit_test(test_cli_bad_input),     cmocka_unit_test(test_cli_merge_checks),
		cmocka_unit_test(test_scripts),           cmocka_unit_test(test_cli_help),
	};
	int failed = cmocka_run_group_tests_name("samplers", samplers, NULL, NULL);
	failed += cmocka_run_group_tests_name("sweep files", files, NULL, NULL);
	failed += cmocka_run_group_tests_name("batch", batch, batch_setup, batch_teardown);
	failed += cmocka_run_group_tests_name("mvsim sweep, merge", cli, cli_setup, NULL);
	return failed ? 1 : 0;
}
