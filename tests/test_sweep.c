/* test_sweep.c — sweeps (sweep.h): each sampler's design, sweep files and their errors.
 * The batch loop is in test_batch.c, summaries in test_summary.c, the commands in
 * test_cmd_sweep.c and test_cmd_merge.c. */
#include "testutil.h"

#include "mvsim/sha256.h"
#include "mvsim/sweep.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>

#define DATA "tests/data/sweep"

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
	assert_string_equal(sw->scenario_path, DATA "/kazakhstan.cfg");
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
	int failed = cmocka_run_group_tests_name("samplers", samplers, NULL, NULL);
	failed += cmocka_run_group_tests_name("sweep files", files, NULL, NULL);
	return failed ? 1 : 0;
}
