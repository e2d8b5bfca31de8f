/* test_fit.c — calibration (docs/model.md §11, §11a): parameters recovered from observations the model
 * generated (exactly without noise, within their standard errors with it), bounds, identifiability,
 * thread independence, every input error with its message, non-convergence, the fitted file. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/fit.h"

#include <fcntl.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <sys/stat.h>

#define DIR "tests/data/fit/"
#define BAD DIR "bad/"

/* The values synth.cfg was written with: the truth the fits must find. */
static const double truth[3] = {0.8, 1.5, 2.5};

static char tmpdir[64];          /* build/test-fit-XXXXXX: generated data and fit files */
static char synth_abs[PATH_MAX]; /* absolute path of synth.cfg, for fit files in tmpdir */

/* ---------------------------------------------------------------- helpers */

static char *path_in(const char *name)
{
	return tu_dir_file(tmpdir, name);
}

/* Runs synth.cfg (with the assignments sets) at 2000, 2001, ..., 2020 and writes its shares of
 * A and B as data file `name` in tmpdir: %.17g, plus N(0, sigma²) noise from a seeded
 * generator; a 1998 row before the scenario's start and a gap (nan) for B in 2003. */
static void write_obs(const char *name, double sigma, unsigned long seed)
{
	struct mv_error err = {0};
	struct mv_keytab kt;
	struct mv_scenario *sc = mv_config_load(DIR "synth.cfg", 0, NULL, &kt, &err);
	if (sc == NULL)
		fail_msg("%s", err.msg);
	double times[21];
	for (int k = 0; k < 21; k++)
		times[k] = 2000 + k;
	struct mv_run_opts opts = {0};
	opts.times = times;
	opts.ntimes = 21;
	struct tu_rows rows = {0};
	struct mv_run *run = mv_run_create(sc, &kt, &opts, &err);
	assert_non_null(run);
	assert_int_equal(mv_run_exec(run, tu_rows_cb, &rows, &err), 0);
	assert_int_equal(rows.nrows, 21);
	int ca = tu_col(sc, "share_economy_a"), cb = tu_col(sc, "share_economy_b");
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	FILE *f = fopen(path_in(name), "w");
	assert_non_null(f);
	fprintf(f, "# synthetic: synth.cfg, noise sd %g, seed %lu\nyear\ta\tb\n1998\t0.5\t0.2\n", sigma,
		seed);
	for (long k = 0; k < rows.nrows; k++) {
		double a = tu_at(&rows, k, ca), b = tu_at(&rows, k, cb);
		if (sigma > 0) {
			a += gsl_ran_gaussian(rng, sigma);
			b += gsl_ran_gaussian(rng, sigma);
		}
		if (k == 3)
			fprintf(f, "%.17g\t%.17g\tnan\n", tu_at(&rows, k, 0), a);
		else
			fprintf(f, "%.17g\t%.17g\t%.17g\n", tu_at(&rows, k, 0), a, b);
	}
	assert_int_equal(fclose(f), 0);
	gsl_rng_free(rng);
	free(rows.v);
	mv_run_free(run);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
}

/* Writes fit file `name` in tmpdir against data file `obs`: saliences of A and B and the
 * inertia, started far from the truth, holdout 2016; `extra` goes into the fit group and
 * `params` (if not NULL) replaces the parameter list. */
static const char *write_fit(const char *name, const char *obs, const char *extra,
			     const char *params)
{
	char text[8192];
	snprintf(text, sizeof text,
		 "scenario = \"%s\";\n"
		 "fit = {\n"
		 "  observations = (\n"
		 "    { column = \"share_economy_a\"; file = \"%s\"; data_column = \"a\"; },\n"
		 "    { column = \"share_economy_b\"; file = \"%s\"; data_column = \"b\"; } );\n"
		 "  parameters = (\n%s );\n"
		 "  holdout = 2016.0;\n%s\n"
		 "};\n",
		 synth_abs, obs, obs,
		 params ? params
			: "    { key = \"vectors.a.salience.economy\"; min = 0.1; max = 10.0; start = 3.0; },\n"
			  "    { key = \"vectors.b.salience.economy\"; min = 0.1; max = 10.0; start = 0.3; },\n"
			  "    { key = \"domains.economy.inertia\"; min = 0.5; max = 20.0; start = 8.0; }",
		 extra ? extra : "");
	tu_write_file(path_in(name), text);
	return path_in(name);
}

static struct mv_fit *load(const char *path)
{
	struct mv_error err = {0};
	struct mv_fit *f = mv_fit_load(path, &err);
	if (f == NULL)
		fail_msg("%s", err.msg);
	return f;
}

/* Fits f with jobs threads; fails the test unless it converges at every origin. */
static struct mv_fit_results *fit_all(const struct mv_fit *f, int jobs)
{
	struct mv_error err = {0};
	struct mv_fit_results *R = NULL;
	struct mv_fit_opts opts = {jobs, NULL, NULL};
	if (mv_fit_run(f, &opts, &R, &err))
		fail_msg("fit failed: %s", err.msg);
	assert_non_null(R);
	assert_int_equal(R->norigins, f->norigins);
	for (int i = 0; i < R->norigins; i++)
		assert_int_equal(R->origin[i]->status, MV_FIT_CONVERGED);
	return R;
}

/* The result of the last (or only) origin, detached from the others (free it). */
static struct mv_fit_result *fit_ok(const struct mv_fit *f, int jobs)
{
	struct mv_fit_results *R = fit_all(f, jobs);
	struct mv_fit_result *r = R->origin[R->norigins - 1];
	R->origin[R->norigins - 1] = NULL;
	R->norigins--;
	mv_fit_results_free(R);
	return r;
}

/* Runs `mvsim fit ARGS` in this process with stdout and stderr captured; returns the exit
 * status, *out and *errs the captured text (free them). */
static int run_cmd(const char *const *args, char **out, char **errs)
{
	struct tu_capture co, ce;
	char *argv[32];
	int argc = 0;
	argv[argc++] = "fit";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	tu_capture_begin(&co, 1);
	tu_capture_begin(&ce, 2);
	int rc = mv_cmd_fit(argc, argv);
	*errs = tu_capture_end(&ce);
	*out = tu_capture_end(&co);
	return rc;
}

/* ---------------------------------------------------------------- fixtures */

static int setup(void **state)
{
	(void)state;
	mkdir("build", 0777);
	snprintf(tmpdir, sizeof tmpdir, "build/test-fit-XXXXXX");
	if (mkdtemp(tmpdir) == NULL || realpath(DIR "synth.cfg", synth_abs) == NULL)
		return -1;
	write_obs("exact.tsv", 0.0, 1);
	write_obs("noisy.tsv", 0.003, 7);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- recovery */

/* Noise-free observations, a start 3.75x, 0.2x and 3.2x the truth: the fit finds the truth to
 * 1e-6 (the runs are integrated to rtol 1e-10 and the Jacobian is accurate to ~1e-6, which
 * limits the last steps, not the point they converge to). */
static void test_recover_exact(void **state)
{
	(void)state;
	struct mv_fit *f = load(write_fit("exact.cfg", "exact.tsv", NULL, NULL));
	/* 2000-2015: 16 of A, 15 of B (2003 is a gap); 2016-2020: 5 each; 1998 is outside. */
	assert_int_equal(f->origins[0].m, 31);
	assert_int_equal(f->origins[0].mh, 10);
	assert_int_equal(f->noutside, 2);
	assert_int_equal(f->origins[0].ntimes, 21);
	assert_int_equal(f->origins[0].nfit_times, 16);
	struct mv_fit_result *r = fit_ok(f, 0);
	for (int j = 0; j < 3; j++)
		assert_double_equal(r->x[j], truth[j], 1e-6);
	assert_true(r->ssr < 1e-16);
	assert_true(r->ssr_start > 1);
	assert_int_equal(r->rank, 3);
	for (int j = 0; j < 3; j++)
		assert_int_equal(r->bound[j], 0);
	/* The holdout is predicted as exactly as the fitted period. */
	assert_true(r->scores[2].rmse_holdout < 1e-8);
	/* Persistence: the 2015 value carried over 2016-2020, by hand from the data file. */
	double *t, *v;
	int n;
	struct mv_error err = {0};
	assert_int_equal(mv_series_read(path_in("exact.tsv"), "a", 1.0, &t, &v, &n, &err), 0);
	double last = NAN, sum = 0;
	int nh = 0;
	for (int k = 0; k < n; k++) {
		if (t[k] >= 2000 && t[k] < 2016)
			last = v[k];
	}
	for (int k = 0; k < n; k++)
		if (t[k] >= 2016) {
			sum += (last - v[k]) * (last - v[k]);
			nh++;
		}
	assert_int_equal(nh, 5);
	assert_double_equal(r->scores[0].persistence, last, 0);
	assert_double_equal(r->scores[0].rmse_persistence, sqrt(sum / nh), 1e-15);
	assert_int_equal(r->scores[0].n_fit, 16);
	assert_int_equal(r->scores[1].n_fit, 15);
	free(t);
	free(v);
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* Noise of sd 0.003 on every observation (seeded): each value within 3 standard errors of the
 * truth (a 0.3% chance per parameter of failing for an unlucky seed; the seed is fixed), the
 * residual sd estimates the noise's, and the correlation matrix is one. */
static void test_recover_noisy(void **state)
{
	(void)state;
	struct mv_fit *f = load(write_fit("noisy.cfg", "noisy.tsv", NULL, NULL));
	struct mv_fit_result *r = fit_ok(f, 0);
	for (int j = 0; j < 3; j++) {
		assert_true(isfinite(r->se[j]) && r->se[j] > 0);
		if (!(fabs(r->x[j] - truth[j]) <= 3 * r->se[j]))
			fail_msg("%s = %g, truth %g, se %g", f->params[j].key, r->x[j], truth[j], r->se[j]);
	}
	/* 28 degrees of freedom: the estimate of sd 0.003 lies within [0.6, 1.4] of it. */
	assert_true(sqrt(r->sigma2) > 0.6 * 0.003 && sqrt(r->sigma2) < 1.4 * 0.003);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			double c = r->corr[i * 3 + j];
			assert_true(fabs(c) <= 1 + 1e-12);
			assert_double_equal(c, r->corr[j * 3 + i], 1e-12);
			if (i == j)
				assert_double_equal(c, 1.0, 0);
		}
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* The Jacobian's runs are split over threads, but each is a function of its point: one and two
 * jobs give the same bits. */
static void test_threads(void **state)
{
	(void)state;
	struct mv_fit *f = load(write_fit("threads.cfg", "noisy.tsv", NULL, NULL));
	struct mv_fit_result *r1 = fit_ok(f, 1), *r2 = fit_ok(f, 2);
	assert_memory_equal(r1->x, r2->x, 3 * sizeof *r1->x);
	assert_memory_equal(r1->se, r2->se, 3 * sizeof *r1->se);
	assert_int_equal(r1->nruns, r2->nruns);
	assert_int_equal(r1->iterations, r2->iterations);
	assert_int_equal(r1->jobs, 1);
	mv_fit_result_free(r1);
	mv_fit_result_free(r2);
	mv_fit_free(f);
}

/* Levenberg-Marquardt with geodesic acceleration finds the same point. */
static void test_lmaccel(void **state)
{
	(void)state;
	struct mv_fit *f = load(write_fit("accel.cfg", "exact.tsv", "  method = \"lmaccel\";", NULL));
	assert_int_equal(f->method, MV_FIT_LMACCEL);
	struct mv_fit_result *r = fit_ok(f, 0);
	for (int j = 0; j < 3; j++)
		assert_double_equal(r->x[j], truth[j], 1e-6);
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* B's salience (truth 1.5) boxed into [0.1, 1] and started on the bound: it ends on its upper
 * bound, flagged; the others move to compensate. */
static void test_bound(void **state)
{
	(void)state;
	struct mv_fit *f = load(write_fit(
		"bound.cfg", "exact.tsv", NULL,
		"    { key = \"vectors.a.salience.economy\"; min = 0.1; max = 10.0; start = 3.0; },\n"
		"    { key = \"vectors.b.salience.economy\"; min = 0.1; max = 1.0; start = 1.0; },\n"
		"    { key = \"domains.economy.inertia\"; min = 0.5; max = 20.0; start = 8.0; }"));
	struct mv_fit_result *r = fit_ok(f, 0);
	assert_int_equal(r->bound[0], 0);
	assert_int_equal(r->bound[1], 1);
	assert_int_equal(r->bound[2], 0);
	assert_double_equal(r->x[1], 1.0, MV_FIT_BOUND_TOL * 0.9);
	assert_true(r->ssr > 1e-4); /* the truth is out of reach */
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* Saliences are relative: those of A, B and C together are not identified (one direction,
 * scaling all three, leaves every share unchanged). The rank shows it and one SE is NaN. */
static void test_unidentified(void **state)
{
	(void)state;
	struct mv_fit *f = load(write_fit(
		"unid.cfg", "exact.tsv", NULL,
		"    { key = \"vectors.a.salience.economy\"; min = 0.1; max = 10.0; start = 3.0; },\n"
		"    { key = \"vectors.b.salience.economy\"; min = 0.1; max = 10.0; start = 0.3; },\n"
		"    { key = \"vectors.c.salience.economy\"; min = 0.1; max = 10.0; start = 2.0; }"));
	struct mv_fit_result *r = fit_ok(f, 0);
	assert_int_equal(r->rank, 2);
	int nan = 0;
	for (int j = 0; j < 3; j++)
		nan += isnan(r->se[j]);
	assert_int_equal(nan, 1);
	/* The ratios are still found: A/C and B/C as in the truth (C's salience is 1). */
	assert_double_equal(r->x[0] / r->x[2], 0.8, 1e-6);
	assert_double_equal(r->x[1] / r->x[2], 1.5, 1e-6);
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* Trial points the scenario cannot run (here: A's salience below 0.5, which an event makes
 * negative) are rejected as steps, counted, and the first reason kept; the fit still ends. */
static void test_failed_trials(void **state)
{
	(void)state;
	struct mv_fit *f = load(DIR "dip_fit.cfg");
	struct mv_fit_result *r = fit_ok(f, 0);
	assert_true(r->nfailed > 0);
	assert_true(r->ssr < r->ssr_start);
	const char *want = "the point vectors.a.salience.economy=";
	assert_memory_equal(r->first_failure, want, strlen(want));
	assert_non_null(strstr(r->first_failure, "makes the scenario invalid: " DIR
				"dip.cfg:3: event on 'vectors.a.salience.economy': expected the value to stay a number >= 0"));
	/* Every valid point keeps A's salience at or above 0.5. */
	assert_true(r->x[0] >= 0.5);
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* The committed fixture (data at 10 digits): the truth to 1e-7, holdout and all. */
static void test_committed(void **state)
{
	(void)state;
	struct mv_fit *f = load(DIR "good.cfg");
	assert_int_equal(f->origins[0].m, 32);
	assert_int_equal(f->noutside, 2);
	struct mv_fit_result *r = fit_ok(f, 0);
	for (int j = 0; j < 3; j++)
		assert_double_equal(r->x[j], truth[j], 1e-7);
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* The shipped backtest (configs/fits/backtest.cfg, docs/calibration.md) against the numbers the
 * docs quote: a change is a decision, not an accident. 1e-6 relative leaves room for another
 * libm or compiler, not for a changed model, scenario or data. If a change is intended, rerun
 * `mvsim fit configs/fits/backtest.cfg --report r.tsv` and update these and the docs. */
static void test_backtest_regression(void **state)
{
	(void)state;
	struct mv_fit *f = load("configs/fits/backtest.cfg");
	assert_int_equal(f->norigins, 3);
	assert_int_equal(f->nobs, 10);
	static const int m[3] = {125, 150, 180}, mh[3] = {55, 60, 60};
	for (int k = 0; k < 3; k++) {
		assert_int_equal(f->origins[k].m, m[k]);
		assert_int_equal(f->origins[k].mh, mh[k]);
	}
	struct mv_fit_results *R = fit_all(f, 0);
	/* scored RMSE of the model, persistence, the mean and drift, pooled over the ten series:
	 * origins 2008, 2011, 2014, then all three. The model loses to persistence and drift at
	 * 2008, beats every yardstick at 2011, beats persistence and drift but loses to the mean
	 * at 2014 (docs/calibration.md). */
	static const double sc[4][4] = {
		{0.06743243671867495, 0.052131949495312545, 0.12104562795530402, 0.048793182059379964},
		{0.0443042970683202, 0.048689010618413686, 0.09907773130241206, 0.08040869369272789},
		{0.07970583499906236, 0.08892538433053487, 0.0646523106242078, 0.12522146095668074},
		{0.0654237089395815, 0.06616759382485832, 0.09697250005277884, 0.09132988689928008}};
	for (int q = 0; q < 4; q++) {
		const struct mv_fit_score *s = q < 3 ? &R->origin[q]->scores[f->nobs] : &R->pooled[f->nobs];
		assert_double_equal(s->rmse_holdout, sc[q][0], 1e-6 * sc[q][0]);
		/* the yardsticks are data only: to rounding */
		assert_double_equal(s->rmse_persistence, sc[q][1], 1e-12);
		assert_double_equal(s->rmse_mean, sc[q][2], 1e-12);
		assert_double_equal(s->rmse_drift, sc[q][3], 1e-12);
	}
	/* origin 2014: trade saliences well determined; Russia's and China's arms saliences on
	 * their lower bounds (the model can only hold the arms shares still) */
	const struct mv_fit_result *r = R->origin[2];
	static const double x[4] = {0.4620810826786278, 0.8539385837449982, 0.028597666849441244,
				    0.3839479064617803};
	for (int j = 0; j < 4; j++) {
		assert_double_equal(r->x[j], x[j], 1e-5 * x[j]);
		assert_int_equal(r->bound[j], 0);
	}
	assert_int_equal(r->bound[4], -1);
	assert_int_equal(r->bound[5], -1);
	mv_fit_results_free(R);
	mv_fit_free(f);
}


/* ---------------------------------------------------------------- §11a: yardsticks, origins,
 * transforms, starts */

/* Writes fit file `name` in tmpdir: observations `obs` (entries), parameters `params`, then
 * `tail` inside the fit group. */
static const char *write_fit_text(const char *name, const char *obs, const char *params,
				  const char *tail)
{
	char text[8192];
	snprintf(text, sizeof text,
		 "scenario = \"%s\";\nfit = {\n  observations = (\n%s );\n  parameters = (\n%s );\n%s\n};\n",
		 synth_abs, obs, params, tail);
	tu_write_file(path_in(name), text);
	return path_in(name);
}

/* The yardsticks by hand on a tiny series: a = 0.50, 0.52, 0.56 fitted (2000-2002), 0.60,
 * 0.58 scored (origin 2003, horizon 2: 2003 and 2004; 2005 is after the horizon).
 *   persistence 0.56: errors 0.04, 0.02 -> RMSE sqrt(0.001)
 *   mean 1.58/3: errors 0.6 - 1.58/3, 0.58 - 1.58/3
 *   drift (0.56 - 0.50)/2 = 0.03 a year: forecasts 0.59, 0.62 -> errors 0.01, -0.04
 * Series b (weight 5: weights shape the fit, not the scores) is 0.3 throughout: every
 * yardstick is exact, so the pooled RMSEs are those of a over 4 points instead of 2. The
 * model's pooled RMSE is checked against its own values; skill is 1 - model/yardstick.
 * Tolerances: the data are read from %g text, so 1e-15 for sums of a few squares. */
static void test_yardsticks_by_hand(void **state)
{
	(void)state;
	tu_write_file(path_in("tiny.tsv"), "year\ta\tb\n2000\t0.50\t0.3\n2001\t0.52\t0.3\n2002\t0.56\t0.3\n"
					"2003\t0.60\t0.3\n2004\t0.58\t0.3\n2005\t0.9\t0.3\n");
	const char *path = write_fit_text(
		"tiny.cfg",
		"    { column = \"share_economy_a\"; file = \"tiny.tsv\"; data_column = \"a\"; },\n"
		"    { column = \"share_economy_b\"; file = \"tiny.tsv\"; data_column = \"b\"; weight = 5.0; }",
		"    { key = \"vectors.a.salience.economy\"; min = 0.1; max = 10.0; start = 1.0; }",
		"  origins = [2003.0];\n  horizon = 2.0;");
	struct mv_fit *f = load(path);
	assert_int_equal(f->norigins, 1);
	assert_int_equal(f->origins[0].m, 6);
	assert_int_equal(f->origins[0].mh, 4);
	struct mv_fit_results *R = fit_all(f, 1);
	const struct mv_fit_result *r = R->origin[0];
	const struct mv_fit_score *a = &r->scores[0], *b = &r->scores[1], *all = &r->scores[2];
	double mean = (0.50 + 0.52 + 0.56) / 3;
	assert_double_equal(a->persistence, 0.56, 1e-15);
	assert_double_equal(a->mean, mean, 1e-15);
	assert_double_equal(a->drift, 0.03, 1e-15);
	assert_double_equal(a->t_last, 2002, 0);
	assert_double_equal(a->rmse_persistence, sqrt((0.04 * 0.04 + 0.02 * 0.02) / 2), 1e-15);
	assert_double_equal(a->rmse_mean,
			    sqrt(((0.60 - mean) * (0.60 - mean) + (0.58 - mean) * (0.58 - mean)) / 2), 1e-15);
	assert_double_equal(a->rmse_drift, sqrt((0.01 * 0.01 + 0.04 * 0.04) / 2), 1e-15);
	assert_double_equal(b->rmse_persistence, 0, 1e-15);
	assert_double_equal(b->rmse_drift, 0, 1e-15);
	assert_int_equal(all->n_holdout, 4);
	assert_double_equal(all->rmse_persistence, sqrt((0.04 * 0.04 + 0.02 * 0.02) / 4), 1e-15);
	assert_double_equal(all->rmse_drift, sqrt((0.01 * 0.01 + 0.04 * 0.04) / 4), 1e-15);
	/* The model's scores, from its values: unweighted, untransformed, every point once. */
	const struct mv_fit_origin *og = &f->origins[0];
	double sf = 0, sh = 0;
	for (int k = 0; k < og->m + og->mh; k++) {
		double d = r->model[k] - og->points[k].y;
		if (k < og->m)
			sf += d * d;
		else
			sh += d * d;
	}
	assert_double_equal(all->rmse_fit, sqrt(sf / 6), 1e-15);
	assert_double_equal(all->rmse_holdout, sqrt(sh / 4), 1e-15);
	/* Pooled over the one origin: the same numbers. */
	assert_double_equal(R->pooled[2].rmse_holdout, all->rmse_holdout, 0);
	assert_double_equal(R->pooled[2].rmse_drift, all->rmse_drift, 0);
	/* Skill: its sign says who wins. */
	assert_double_equal(mv_fit_skill(0.5, 1.0), 0.5, 0);
	assert_double_equal(mv_fit_skill(2.0, 1.0), -1.0, 0);
	assert_true(isnan(mv_fit_skill(1.0, 0.0)));
	assert_true(isnan(mv_fit_skill(NAN, 1.0)));
	mv_fit_results_free(R);
	mv_fit_free(f);
}

/* A rolling-origin backtest on the model's own (noise-free) output: each origin, fitted
 * independently from the same three starts, recovers the truth (to 1e-6, as the single fit),
 * predicts its scored years (RMSE < 1e-8, where every yardstick is off by > 1e-3: skill near
 * 1 against each), and the origin 2016 with an unlimited horizon is exactly holdout = 2016. */
static void test_origins(void **state)
{
	(void)state;
	const char *obs = "    { column = \"share_economy_a\"; file = \"exact.tsv\"; data_column = \"a\"; },\n"
			  "    { column = \"share_economy_b\"; file = \"exact.tsv\"; data_column = \"b\"; }";
	const char *params = "    { key = \"vectors.a.salience.economy\"; min = 0.1; max = 10.0; start = 3.0; },\n"
			     "    { key = \"vectors.b.salience.economy\"; min = 0.1; max = 10.0; start = 0.3; },\n"
			     "    { key = \"domains.economy.inertia\"; min = 0.5; max = 20.0; start = 8.0; }";
	struct mv_fit *f = load(write_fit_text("roll.cfg", obs, params,
					       "  origins = [2008.0, 2012.0, 2016.0];\n  horizon = 3.0;\n"
					       "  starts = 3;\n  seed = 11;"));
	assert_int_equal(f->norigins, 3);
	/* 2000-2007: 8 of A, 7 of B (gap 2003); scored 2008-2010: 3 each. */
	assert_int_equal(f->origins[0].m, 15);
	assert_int_equal(f->origins[0].mh, 6);
	assert_int_equal(f->origins[2].m, 31);
	assert_int_equal(f->origins[2].mh, 6);
	struct mv_fit_results *R = fit_all(f, 0);
	for (int i = 0; i < 3; i++) {
		const struct mv_fit_result *r = R->origin[i];
		for (int j = 0; j < 3; j++)
			assert_double_equal(r->x[j], truth[j], 1e-6);
		/* Exact data: every start that converged reached the truth, although their SSRs
		 * (~1e-19) differ by more than 1e-6 relative: the same point counts. */
		for (int st = 0; st < 3; st++)
			if (r->starts[st].status == MV_FIT_CONVERGED &&
			    fabs(r->starts[st].x[0] - truth[0]) < 1e-6 &&
			    fabs(r->starts[st].x[1] - truth[1]) < 1e-6 && fabs(r->starts[st].x[2] - truth[2]) < 1e-6)
				assert_int_equal(r->starts[st].reached, 1);
		assert_true(r->nreached >= 1 && r->nreached <= 3);
		const struct mv_fit_score *s = &r->scores[2];
		assert_int_equal(s->n_holdout, 6);
		assert_true(s->rmse_holdout < 1e-8);
		assert_true(s->rmse_persistence > 1e-3 && s->rmse_mean > 1e-3 && s->rmse_drift > 1e-3);
		assert_true(mv_fit_skill(s->rmse_holdout, s->rmse_drift) > 0.99);
	}
	/* Pooled over origins: 18 scored points. */
	assert_int_equal(R->pooled[2].n_holdout, 18);
	assert_int_equal(R->pooled[0].n_holdout, 9);
	double sp = 0;
	for (int i = 0; i < 3; i++)
		sp += R->origin[i]->scores[2].rmse_persistence * R->origin[i]->scores[2].rmse_persistence * 6;
	assert_double_equal(R->pooled[2].rmse_persistence, sqrt(sp / 18), 1e-15);

	/* holdout = 2016 is the origin 2016 with an unlimited horizon. */
	struct mv_fit *g = load(write_fit_text("roll_hold.cfg", obs, params,
					       "  holdout = 2016.0;\n  starts = 3;\n  seed = 11;"));
	struct mv_fit *h = load(write_fit_text("roll_one.cfg", obs, params,
					       "  origins = [2016.0];\n  starts = 3;\n  seed = 11;"));
	assert_int_equal(g->origins[0].mh, 10);
	assert_int_equal(h->origins[0].mh, 10);
	struct mv_fit_results *Rg = fit_all(g, 1), *Rh = fit_all(h, 2);
	assert_memory_equal(Rg->origin[0]->x, Rh->origin[0]->x, 3 * sizeof(double));
	assert_memory_equal(Rg->origin[0]->se, Rh->origin[0]->se, 3 * sizeof(double));
	assert_memory_equal(Rg->origin[0]->model, Rh->origin[0]->model, 20 * sizeof(double));
	mv_fit_results_free(Rg);
	mv_fit_results_free(Rh);
	mv_fit_free(g);
	mv_fit_free(h);
	mv_fit_results_free(R);
	mv_fit_free(f);
}

/* Transforms: on the model's own output every transform has the truth as its optimum (all
 * residuals 0 there); the residuals are weight·(f(model) − f(y)) with f's clamp; every RMSE
 * stays untransformed. */
static void test_transforms(void **state)
{
	(void)state;
	/* The clamps of docs/model.md §11a. */
	const double lo = 1e-6, hi = 1 - 1e-6;
	assert_double_equal(mv_fit_transform(MV_FIT_LOGIT, 0.0), log(lo / (1 - lo)), 0);
	assert_double_equal(mv_fit_transform(MV_FIT_LOGIT, -0.5), log(lo / (1 - lo)), 0);
	assert_double_equal(mv_fit_transform(MV_FIT_LOGIT, 1.0), log(hi / (1 - hi)), 0);
	assert_double_equal(mv_fit_transform(MV_FIT_LOGIT, 0.25), log(1.0 / 3), 1e-15);
	assert_double_equal(mv_fit_transform(MV_FIT_LOG, 0.0), log(1e-12), 0);
	assert_double_equal(mv_fit_transform(MV_FIT_LOG, 2.0), log(2.0), 0);
	assert_double_equal(mv_fit_transform(MV_FIT_NONE, -3.0), -3.0, 0);

	const char *params = "    { key = \"vectors.a.salience.economy\"; min = 0.1; max = 10.0; start = 3.0; },\n"
			     "    { key = \"vectors.b.salience.economy\"; min = 0.1; max = 10.0; start = 0.3; },\n"
			     "    { key = \"domains.economy.inertia\"; min = 0.5; max = 20.0; start = 8.0; }";
	struct mv_fit *f = load(write_fit_text(
		"tr_exact.cfg",
		"    { column = \"share_economy_a\"; file = \"exact.tsv\"; data_column = \"a\"; transform = \"logit\"; },\n"
		"    { column = \"share_economy_b\"; file = \"exact.tsv\"; data_column = \"b\"; transform = \"log\"; weight = 2.0; }",
		params, "  holdout = 2016.0;"));
	assert_int_equal(f->obs[0].transform, MV_FIT_LOGIT);
	assert_int_equal(f->obs[1].transform, MV_FIT_LOG);
	struct mv_fit_result *r = fit_ok(f, 0);
	for (int j = 0; j < 3; j++)
		assert_double_equal(r->x[j], truth[j], 1e-6);
	mv_fit_result_free(r);
	mv_fit_free(f);

	f = load(write_fit_text(
		"tr_noisy.cfg",
		"    { column = \"share_economy_a\"; file = \"noisy.tsv\"; data_column = \"a\"; transform = \"logit\"; },\n"
		"    { column = \"share_economy_b\"; file = \"noisy.tsv\"; data_column = \"b\"; transform = \"log\"; weight = 2.0; }",
		params, "  holdout = 2016.0;"));
	r = fit_ok(f, 0);
	const struct mv_fit_origin *og = &f->origins[0];
	double sf = 0, sa = 0, ssr = 0;
	int na = 0;
	for (int k = 0; k < og->m + og->mh; k++) {
		const struct mv_fit_point *pt = &og->points[k];
		double want = pt->obs == 0 ? log(r->model[k] / (1 - r->model[k])) - log(pt->y / (1 - pt->y))
					   : 2.0 * (log(r->model[k]) - log(pt->y));
		assert_double_equal(r->resid[k], want, 1e-12);
		double d = r->model[k] - pt->y;
		if (k < og->m) {
			sf += d * d;
			ssr += r->resid[k] * r->resid[k];
			if (pt->obs == 0) {
				sa += d * d;
				na++;
			}
		}
	}
	assert_double_equal(r->ssr, ssr, 1e-15 * ssr);
	assert_double_equal(r->scores[2].rmse_fit, sqrt(sf / og->m), 1e-15);
	assert_double_equal(r->scores[0].rmse_fit, sqrt(sa / na), 1e-15);
	mv_fit_result_free(r);
	mv_fit_free(f);
}

/* Several starts: the given start first, then a Latin hypercube over the boxes (for each
 * parameter one point in each of the starts − 1 equal strata), drawn from the seed alone; the
 * best start has the lowest SSR and `reached` counts those within 1e-6 of it; results and the
 * report are the same for 1 and 2 jobs. */
static void test_starts(void **state)
{
	(void)state;
	const char *path = write_fit("starts.cfg", "noisy.tsv", "  starts = 5;\n  seed = 3;", NULL);
	struct mv_fit *f = load(path), *f2 = load(path);
	assert_int_equal(f->starts, 5);
	assert_memory_equal(f->start_points, f2->start_points, 15 * sizeof(double));
	for (int j = 0; j < 3; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		assert_double_equal(f->start_points[j], pp->start, 0);
		int seen[4] = {0};
		for (int i = 1; i < 5; i++) {
			double u = (f->start_points[i * 3 + j] - pp->min) / (pp->max - pp->min);
			assert_true(u >= 0 && u <= 1);
			int stratum = u >= 1 ? 3 : (int)(u * 4);
			seen[stratum]++;
		}
		for (int k = 0; k < 4; k++)
			assert_int_equal(seen[k], 1);
	}
	struct mv_fit_results *R1 = fit_all(f, 1), *R2 = fit_all(f, 2);
	const struct mv_fit_result *r = R1->origin[0];
	int reached = 0;
	for (int s = 0; s < 5; s++) {
		if (r->starts[s].status == MV_FIT_FAILED)
			continue;
		assert_true(r->starts[r->best].ssr <= r->starts[s].ssr);
		/* noisy data: the SSR rule decides (the same point has the same SSR to 1e-6) */
		assert_int_equal(r->starts[s].reached, r->starts[s].ssr <= r->starts[r->best].ssr * (1 + 1e-6));
		reached += r->starts[s].reached;
	}
	assert_int_equal(r->nreached, reached);
	assert_true(reached >= 1);
	for (int j = 0; j < 3; j++)
		assert_true(fabs(r->x[j] - truth[j]) <= 3 * r->se[j]);
	/* --jobs 1 and 2: the same bits, and the same report but for its '# jobs' line. */
	assert_int_equal(R1->nruns, R2->nruns);
	assert_memory_equal(R1->origin[0]->x, R2->origin[0]->x, 3 * sizeof(double));
	assert_memory_equal(R1->origin[0]->se, R2->origin[0]->se, 3 * sizeof(double));
	for (int s = 0; s < 5; s++)
		assert_memory_equal(R1->origin[0]->starts[s].x, R2->origin[0]->starts[s].x, 3 * sizeof(double));
	char *text[2];
	for (int k = 0; k < 2; k++) {
		size_t len;
		FILE *mem = open_memstream(&text[k], &len);
		struct mv_error err = {0};
		assert_int_equal(mv_fit_write_report(f, k ? R2 : R1, mem, &err), 0);
		fclose(mem);
		char *jobs = strstr(text[k], "# jobs\t");
		assert_non_null(jobs);
		memmove(jobs, strchr(jobs, '\n') + 1, strlen(strchr(jobs, '\n') + 1) + 1);
	}
	assert_string_equal(text[0], text[1]);
	free(text[0]);
	free(text[1]);
	mv_fit_results_free(R1);
	mv_fit_results_free(R2);
	mv_fit_free(f);
	mv_fit_free(f2);
}

/* Issue 15 (5): a box wider than the problem by many orders of magnitude. A's salience (truth
 * 0.8) in [0.05, 1e17], [0.05, 1e20] and [0.05, 1e300], and A's growth (truth 0.06) in
 * [-1e20, 1e20] from 0, and in [0, 0.1] from either bound: each fit finds the truth to 1e-6,
 * converged, not on a bound. (A sine transform over the box ended on the lower bound for 1e17
 * and at 2.47e13 for 1e20.) */
static void test_wide_box(void **state)
{
	(void)state;
	static const char *const boxes[] = {
		"    { key = \"vectors.a.salience.economy\"; min = 0.05; max = 1e17; start = 1.0; }",
		"    { key = \"vectors.a.salience.economy\"; min = 0.05; max = 1e20; start = 1.0; }",
		"    { key = \"vectors.a.salience.economy\"; min = 0.05; max = 1e300; start = 1.0; }",
		"    { key = \"vectors.a.growth\"; min = -1e20; max = 1e20; start = 0.0; }",
		/* Starts on a bound of a narrow box: the first step from the lower one jumped deep
		 * into the upper bound's band, where x hardly moves with u, and "converged" there on
		 * a bound the SSR falls away from; the bound check restarts it. */
		"    { key = \"vectors.a.growth\"; min = 0.0; max = 0.1; start = 0.0; }",
		"    { key = \"vectors.a.growth\"; min = 0.0; max = 0.1; start = 0.1; }",
	};
	static const double want[] = {0.8, 0.8, 0.8, 0.06, 0.06, 0.06};
	for (int b = 0; b < 6; b++) {
		char name[32];
		snprintf(name, sizeof name, "wide%d.cfg", b);
		struct mv_fit *f = load(write_fit_text(
			name, "    { column = \"share_economy_a\"; file = \"exact.tsv\"; data_column = \"a\"; }",
			boxes[b], "  holdout = 2016.0;"));
		struct mv_fit_result *r = fit_ok(f, 0);
		if (!(fabs(r->x[0] - want[b]) <= 1e-6))
			fail_msg("box %d: %.10g, want %g", b, r->x[0], want[b]);
		if (r->bound[0] != 0)
			fail_msg("box %d: %.10g flagged on a bound", b, r->x[0]);
		mv_fit_result_free(r);
		mv_fit_free(f);
	}
}

/* ---------------------------------------------------------------- bad input */

static void expect_load_error(const char *path, const char *msg)
{
	struct mv_error err = {0};
	struct mv_fit *f = mv_fit_load(path, &err);
	if (f != NULL)
		fail_msg("%s loaded, expected: %s", path, msg);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, msg);
}

static void test_bad_input(void **state)
{
	(void)state;
	static const struct {
		const char *file, *msg;
	} cases[] = {
		{"unknown_top", "setting 'scenari0': expected one of scenario, fit, found an unknown setting; did you mean 'scenario'?"},
		{"unknown_fit", "setting 'fit.holdot': expected one of observations, parameters, holdout, origins, horizon, starts, seed, max_iterations, method, found an unknown setting; did you mean 'holdout'?"},
		{"unknown_obs", "setting 'fit.observations[1].wieght': expected one of column, file, data_column, scale, weight, transform, found an unknown setting; did you mean 'weight'?"},
		{"unknown_param", "setting 'fit.parameters[1].strat': expected one of key, min, max, start, found an unknown setting; did you mean 'start'?"},
		{"unknown_key", "setting 'fit.parameters[1].key': expected a parameter or state key of the scenario (mvsim keys SCENARIO lists them), found unknown key 'vectors.b.salience.econmy'; did you mean 'vectors.b.salience.economy'?"},
		{"twice", "setting 'fit.parameters[2].key': expected a key not fitted already, found 'vectors.a.salience.economy' again (parameter 0, line 8)"},
		{"start_outside", "setting 'fit.parameters[1].start': expected a number in [min, max] = [0.1, 10], found 20"},
		{"min_ge_max", "setting 'fit.parameters[2].max': expected a number above min (20), found 0.5"},
		{"bound_rule", "setting 'fit.parameters[2].min': expected a number > 0 (the range of domains.economy.inertia), found 0"},
		{"setting_key", "setting 'fit.parameters[2].key': expected a parameter or state key, found the setting 'time.end'"},
		{"share_key", "setting 'fit.parameters[2].key': expected a parameter or state key, found the initial share 'vectors.a.share.economy' (the shares of a domain must sum to 1)"},
		{"series_key", "setting 'fit.parameters[0].key': expected a key not driven by a data series, found 'vectors.b.growth', driven by " BAD "../../series/a.tsv:idx from " BAD "../../series/base.cfg:8"},
		{"no_file", "setting 'fit.observations[0].file': expected a readable data file, found '" BAD "../missing.tsv' (No such file or directory)"},
		{"column", "setting 'fit.observations[1].column': expected an output column of the scenario (the header of 'mvsim run'), found 'share_econmy_b'; did you mean 'share_economy_b'?"},
		{"few_obs", "setting 'fit.observations': expected at least 3 fitted observations (one per free parameter), found 2 inside the scenario's time range [2000, 2025] and before the holdout (2000.5)"},
		{"method", "setting 'fit.method': expected one of lm, lmaccel, found \"gauss\""},
		{"maxiter", "setting 'fit.max_iterations': expected an integer in [1, 100000], found 0"},
		{"weight", "setting 'fit.observations[1].weight': expected a number >= 0, found -1"},
		{"noise", "setting 'scenario': expected a deterministic scenario (a fit compares one run with data), found noise in " BAD "../noisy.cfg (noise.sigma or a noise_sigma > 0)"},
		{"missing_scenario", "setting 'scenario': expected a readable scenario file, found '" BAD "../nowhere.cfg' (No such file or directory)"},
		{"no_params", "setting 'fit.parameters': expected a list ( { key = \"...\"; min = ...; max = ...; start = ...; }, ... ) of 1 to 32 parameters, found nothing (required)"},
		{"params_type", "setting 'fit.parameters': expected a list ( { key = \"...\"; min = ...; max = ...; start = ...; }, ... ) of 1 to 32 parameters, found 3"},
		{"holdout_type", "setting 'fit.holdout': expected a number, found a string (\"2016\")"},
		/* docs/model.md §11a */
		{"transform", "setting 'fit.observations[1].transform': expected one of none, log, logit, found \"sqrt\""},
		{"starts", "setting 'fit.starts': expected an integer in [1, 1000], found 0"},
		{"origins_order", "setting 'fit.origins[2]': expected a time after fit.origins[1] = 2012 (origins strictly increasing), found 2012"},
		{"holdout_origins", "setting 'fit.origins': expected either fit.holdout or fit.origins (holdout = X is the one origin X with an unlimited horizon), found both (fit.holdout on line 11)"},
		{"origin_no_fit", "setting 'fit.origins[0]': expected at least 3 fitted observations (one per free parameter), found 0 inside the scenario's time range [2000, 2025] and before the origin (2000)"},
		{"origin_no_score", "setting 'fit.origins[1]': expected observations to score in [origin, origin + horizon) = [2016.2, 2016.7), found none inside the scenario's time range [2000, 2025]"},
		{"horizon", "setting 'fit.horizon': expected a number of years > 0, found 0"},
		{"horizon_alone", "setting 'fit.horizon': expected fit.origins beside it (the years scored after each origin), found fit.holdout, which scores every year after it"},
		{"logit_range", "setting 'fit.observations[0].transform': expected observations in [0, 1] after scale for \"logit\", found 50 at t=2000 in " BAD "../obs.tsv (scale 100)"},
		{"log_negative", "setting 'fit.observations[0].transform': expected observations >= 0 after scale for \"log\", found -0.5 at t=2000 in " BAD "../obs.tsv (scale -1)"},
		{"holdout_no_score", "setting 'fit.holdout': expected observations to score at or after the holdout (2030), found none inside the scenario's time range [2000, 2025]"},
		{"seed", "setting 'fit.seed': expected an integer in [0, 4294967295], found 1.5"},
		/* issue 15 (13): all weights 0 is an input error, not a failed fit */
		{"weights_zero", "setting 'fit.observations': expected at least 3 fitted observations with weight > 0 (one per free parameter), found 0 of the 32 fitted"},
	};
	static const int lines[] = {3, 11, 6, 9, 9, 10, 9, 10, 10, 10, 10, 5, 5, 6, 4, 13, 12, 6, 2, 2, 3, 7, 11,
				    6, 12, 11, 12, 11, 11, 12, 12, 5, 5, 11, 13, 4};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char path[128], msg[1024];
		snprintf(path, sizeof path, BAD "%s.cfg", cases[k].file);
		snprintf(msg, sizeof msg, "%s:%d: %s", path, lines[k], cases[k].msg);
		expect_load_error(path, msg);
	}
	/* Errors in the data files name the data file and its line. */
	expect_load_error(BAD "no_column.cfg",
			  BAD "../obs.tsv:3: setting 'data_column': expected one of a, b, found 'nope'");
	expect_load_error(BAD "decreasing.cfg",
			  BAD "../obs_decreasing.tsv:5: expected times strictly increasing, found 2001 after 2002 (line 4)");
	expect_load_error(BAD "nonnumber.cfg",
			  BAD "../obs_nonnumber.tsv:4: column 'b': expected a number or nan, found 'abc'");
	/* No line to blame. */
	expect_load_error(BAD "no_scenario.cfg",
			  BAD "no_scenario.cfg: setting 'scenario': expected a scenario file name (relative to the fit file), found nothing (required)");
	expect_load_error(DIR "nowhere.cfg",
			  DIR "nowhere.cfg: cannot open fit file: No such file or directory");
}

/* A start the scenario's events make invalid is an input error of the run, before any fitting. */
static void test_start_invalid(void **state)
{
	(void)state;
	struct mv_fit *f = load(BAD "start_invalid.cfg");
	struct mv_error err = {0};
	struct mv_fit_results *r = (void *)1;
	assert_int_equal(mv_fit_run(f, NULL, &r, &err), -1);
	assert_null(r);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, "the point vectors.a.salience.economy=0.3 makes the scenario invalid: " BAD
				     "../dip.cfg:3: event on 'vectors.a.salience.economy': expected the value to stay a number >= 0, found -0.2 at t=2010");
	mv_fit_free(f);
}

/* One iteration is not enough: exit 1 with the best point and its SSR; the report is written
 * (status "not converged"), the fitted scenario is not. */
static void test_nonconvergence(void **state)
{
	(void)state;
	const char *path = write_fit("short.cfg", "exact.tsv", "  max_iterations = 1;", NULL);
	struct mv_fit *f = load(path);
	struct mv_error err = {0};
	struct mv_fit_results *R = NULL;
	assert_int_equal(mv_fit_run(f, NULL, &R, &err), -1);
	assert_non_null(R);
	struct mv_fit_result *r = R->origin[0];
	assert_int_equal(err.code, MV_EXIT_FAIL);
	assert_int_equal(r->status, MV_FIT_MAXITER);
	assert_int_equal(r->iterations, 1);
	assert_true(r->ssr < r->ssr_start);
	char want[1024];
	snprintf(want, sizeof want,
		 "fit did not converge within 1 iterations (fit.max_iterations): best SSR %.10g at "
		 "vectors.a.salience.economy=%.10g, vectors.b.salience.economy=%.10g, domains.economy.inertia=%.10g",
		 r->ssr, r->x[0], r->x[1], r->x[2]);
	assert_string_equal(err.msg, want);
	mv_fit_results_free(R);
	mv_fit_free(f);

	char *out, *errs;
	const char *args[] = {path, "-o", path_in("short-fitted.cfg"), "--report",
			      path_in("short-report.tsv"), NULL};
	assert_int_equal(run_cmd(args, &out, &errs), MV_EXIT_FAIL);
	assert_string_equal(out, "");
	assert_non_null(strstr(errs, "holdout 2016: NOT CONVERGED (iteration limit) after 1 iteration;"));
	assert_non_null(strstr(errs, "mvsim: fit did not converge within 1 iterations"));
	assert_non_null(strstr(errs, "not written: the fit did not converge"));
	char *rep = tu_read(path_in("short-report.tsv"));
	assert_non_null(rep);
	assert_non_null(strstr(rep, "# status\tnot converged\tsee the origins table\n"));
	assert_non_null(strstr(rep, "\n2016\tinf\tnot converged\titeration limit\t1\t"));
	free(rep);
	struct stat st;
	assert_int_equal(stat(path_in("short-fitted.cfg"), &st), -1);
	free(out);
	free(errs);
}

/* ---------------------------------------------------------------- the command and its files */

static void test_cmd_fitted_file(void **state)
{
	(void)state;
	const char *fitpath = write_fit("cmd.cfg", "noisy.tsv", NULL, NULL);
	char outdir[128];
	snprintf(outdir, sizeof outdir, "%s/out", tmpdir);
	mkdir(outdir, 0777);
	char fitted[192], report[192];
	snprintf(fitted, sizeof fitted, "%s/fitted.cfg", outdir);
	snprintf(report, sizeof report, "%s/report.tsv", outdir);

	char *out, *errs;
	const char *args[] = {fitpath, "-o", fitted, "--report", report, "--jobs", "2", "--quiet", NULL};
	int rc = run_cmd(args, &out, &errs);
	if (rc != 0)
		fail_msg("exit %d: %s", rc, errs);
	/* The summary goes to standard error; standard output stays empty. */
	assert_string_equal(out, "");
	assert_non_null(strstr(errs, ", lm (1 start, seed 1), "));
	assert_non_null(strstr(errs, "holdout 2016: converged ("));
	assert_non_null(strstr(errs, "points 31 fitted (2000-2015), 10 scored (2016-2020)\n"));
	assert_non_null(strstr(errs, "2 observations outside the scenario's time range (ignored)\n"));
	assert_non_null(strstr(errs, "vectors.b.salience.economy"));

	/* The base is relative to the fitted file's directory (out/ is not synth.cfg's). */
	char *text = tu_read(fitted);
	assert_non_null(text);
	const char *b = strstr(text, "\nbase = \"");
	assert_non_null(b);
	assert_true(b[9] != '/');
	free(text);

	/* The report's tables, in order, each after its `# table: NAME` line and two blank
	 * lines (gnuplot's index). */
	char *rep = tu_read(report);
	static const char *const heads[] = {
		"# table: origins\norigin\tend\tstatus\treason\titerations\tmodel_runs\tn_fit\tn_scored\t",
		"\n\n\n# table: parameters\norigin\tkey\tvalue\tse\tmin\tmax\tstart\tbound\n",
		"\n\n\n# table: correlation\norigin\tkey\tvectors.a.salience.economy\t",
		"\n\n\n# table: starts\norigin\tstart\tstatus\treason\titerations\tssr_start\tssr\treached\tbest\t",
		"\n\n\n# table: scores\norigin\tseries\tn_fit\trmse_fit\tn_scored\trmse_scored\trmse_persistence\t"
		"rmse_mean\trmse_drift\tskill_persistence\tskill_mean\tskill_drift\tpersistence\tmean\tdrift\tt_last\n",
		"\n\n\n# table: residuals\norigin\tt\tcolumn\tset\tobserved\tmodel\tweight\ttransform\tresidual\t"
		"persistence\tmean\tdrift\n"};
	const char *prev = rep;
	for (int t = 0; t < MV_FIT_NTABLES; t++) {
		const char *at = strstr(rep, heads[t]);
		if (at == NULL || at < prev)
			fail_msg("table %s missing or out of order", mv_fit_table_name(t));
		prev = at;
	}
	assert_non_null(strstr(rep, "# status\tconverged\t"));
	free(rep);

	/* The same fit in this process: its model values at the observation times. */
	struct mv_fit *f = load(fitpath);
	struct mv_fit_result *r = fit_ok(f, 1);

	/* `mvsim run fitted.cfg`: the scenario loads and runs; at the observation times (on its
	 * output grid) its columns match the fit's model to 1e-9 (a different set of output
	 * times changes the integrator's steps, within rtol 1e-10 of shares < 1). */
	struct mv_error err = {0};
	struct mv_keytab kt;
	struct mv_scenario *sc = mv_config_load(fitted, 0, NULL, &kt, &err);
	if (sc == NULL)
		fail_msg("%s", err.msg);
	for (int j = 0; j < 3; j++)
		assert_memory_equal(&sc->val[f->params[j].slot], &r->x[j], sizeof(double));
	struct tu_rows rows;
	assert_int_equal(tu_run(sc, &kt, NULL, &rows, &err), 0);
	int checked = 0;
	for (int k = 0; k < r->npoints; k++) {
		const struct mv_fit_point *pt = &f->origins[0].points[k];
		for (long q = 0; q < rows.nrows; q++)
			if (tu_at(&rows, q, 0) == pt->t) {
				assert_double_equal(tu_at(&rows, q, f->obs[pt->obs].col), r->model[k], 1e-9);
				checked++;
			}
	}
	assert_int_equal(checked, r->npoints);
	free(rows.v);

	/* Run at the observation times themselves: the very numbers of the fit. */
	struct mv_run_opts opts = {0};
	opts.times = f->origins[0].times;
	opts.ntimes = f->origins[0].ntimes;
	struct mv_run *run = mv_run_create(sc, &kt, &opts, &err);
	assert_non_null(run);
	memset(&rows, 0, sizeof rows);
	assert_int_equal(mv_run_exec(run, tu_rows_cb, &rows, &err), 0);
	for (int k = 0; k < r->npoints; k++) {
		const struct mv_fit_point *pt = &f->origins[0].points[k];
		assert_double_equal(tu_at(&rows, pt->time, f->obs[pt->obs].col), r->model[k], 0);
	}
	free(rows.v);
	mv_run_free(run);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	mv_fit_result_free(r);
	mv_fit_free(f);
	free(out);
	free(errs);
}

/* --report - writes the report on standard output (the summary stays on standard error), the
 * same bytes as --report FILE; --report-dir writes each table alone, every file the metadata,
 * its `# table: NAME` line, the header and rows, and nothing of another table. */
static void test_cmd_report_files(void **state)
{
	(void)state;
	const char *fitpath = DIR "roll.cfg";
	char dir[128], file[160];
	snprintf(dir, sizeof dir, "%s/tables", tmpdir);
	mkdir(dir, 0777);
	snprintf(file, sizeof file, "%s/roll-report.tsv", tmpdir);
	char *out, *errs, *out2, *errs2;
	const char *a1[] = {fitpath, "--report", "-", "--report-dir", dir, "--jobs", "1", NULL};
	assert_int_equal(run_cmd(a1, &out, &errs), MV_EXIT_OK);
	assert_non_null(strstr(errs, "origin 2016: converged ("));
	assert_non_null(strstr(errs, "all origins (every scored point counted once):"));
	assert_true(strncmp(out, "# mvsim ", 8) == 0);
	const char *a2[] = {fitpath, "--report", file, "--jobs", "1", NULL};
	assert_int_equal(run_cmd(a2, &out2, &errs2), MV_EXIT_OK);
	assert_string_equal(out2, "");
	char *rep = tu_read(file);
	assert_string_equal(out, rep);
	for (int t = 0; t < MV_FIT_NTABLES; t++) {
		char path[256], head[64];
		snprintf(path, sizeof path, "%s/%s.tsv", dir, mv_fit_table_name(t));
		char *text = tu_read(path);
		if (text == NULL)
			fail_msg("%s not written", path);
		assert_true(strncmp(text, "# mvsim ", 8) == 0);
		snprintf(head, sizeof head, "\n# table: %s\n", mv_fit_table_name(t));
		const char *h = strstr(text, head);
		assert_non_null(h);
		/* The table as it stands in the whole report, and nothing else. */
		const char *in_rep = strstr(rep, head);
		assert_non_null(in_rep);
		const char *end = strstr(in_rep + 1, "\n\n\n");
		size_t len = end ? (size_t)(end - in_rep) + 1 : strlen(in_rep);
		assert_int_equal(strlen(h), len);
		assert_memory_equal(h, in_rep, len);
		assert_null(strstr(h + strlen(head), "# table: "));
		free(text);
	}
	free(rep);
	free(out);
	free(errs);
	free(out2);
	free(errs2);
}

static void test_cmd_usage(void **state)
{
	(void)state;
	char *out, *errs;
	const char *none[] = {NULL};
	assert_int_equal(run_cmd(none, &out, &errs), MV_EXIT_INPUT);
	assert_string_equal(errs, "mvsim fit: missing FIT.cfg\n(see 'mvsim fit --help')\n");
	free(out);
	free(errs);

	const char *jobs[] = {DIR "good.cfg", "--jobs", "0", NULL};
	assert_int_equal(run_cmd(jobs, &out, &errs), MV_EXIT_INPUT);
	assert_string_equal(errs, "mvsim fit: --jobs: expected an integer in [1, 4096], found '0'\n(see 'mvsim fit --help')\n");
	free(out);
	free(errs);

	const char *unknown[] = {DIR "good.cfg", "--frobnicate", NULL};
	assert_int_equal(run_cmd(unknown, &out, &errs), MV_EXIT_INPUT);
	assert_string_equal(errs, "mvsim fit: unknown option '--frobnicate'\n(see 'mvsim fit --help')\n");
	free(out);
	free(errs);

	const char *same[] = {DIR "good.cfg", "-o", "x.cfg", "--report", "x.cfg", NULL};
	assert_int_equal(run_cmd(same, &out, &errs), MV_EXIT_INPUT);
	assert_non_null(strstr(errs, "-o and --report name the same file 'x.cfg'"));
	free(out);
	free(errs);

	const char *dash[] = {DIR "good.cfg", "-o", "-", NULL};
	assert_int_equal(run_cmd(dash, &out, &errs), MV_EXIT_INPUT);
	assert_string_equal(errs, "mvsim fit: -o: expected a file name ('-' is not standard output here: the fitted file's base is relative to its directory)\n(see 'mvsim fit --help')\n");
	free(out);
	free(errs);

	const char *help[] = {"--help", NULL};
	assert_int_equal(run_cmd(help, &out, &errs), MV_EXIT_OK);
	char *usage = mv_cli_usage_text(mv_fit_usage); /* its lists from their tables */
	assert_string_equal(out, usage);
	free(usage);
	free(out);
	free(errs);

	/* An input error: the message, exit 2, nothing written. */
	const char *bad[] = {BAD "method.cfg", "-o", path_in("never.cfg"), NULL};
	assert_int_equal(run_cmd(bad, &out, &errs), MV_EXIT_INPUT);
	assert_string_equal(errs, "mvsim: " BAD "method.cfg:13: setting 'fit.method': expected one of lm, lmaccel, found \"gauss\"\n");
	assert_string_equal(out, "");
	struct stat st;
	assert_int_equal(stat(path_in("never.cfg"), &st), -1);
	free(out);
	free(errs);

	/* An output directory that does not exist: exit 2 before any fitting. */
	const char *nodir[] = {DIR "good.cfg", "-o", "build/no-such-dir/fitted.cfg", NULL};
	assert_int_equal(run_cmd(nodir, &out, &errs), MV_EXIT_INPUT);
	assert_string_equal(errs, "mvsim: build/no-such-dir/fitted.cfg: cannot create output: No such file or directory\n");
	free(out);
	free(errs);
}

/* mv_fit_report_read on a report mv_fit_write_report wrote: the scenario's name, every table
 * in order at its gnuplot data set, its header and rows as written (one row per origin, per
 * parameter, per series and the pooled "all" twice over, per point); then what the reader
 * refuses or stops at, with its message, and where a table ends. */
static void test_report_read(void **state)
{
	(void)state;
	struct mv_fit *f = load(write_fit("read.cfg", "exact.tsv", NULL, NULL));
	struct mv_fit_results *R = fit_all(f, 1);
	struct mv_error err = {0};
	const char *path = path_in("read-report.tsv");
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(mv_fit_write_report(f, R, out, &err), 0);
	assert_int_equal(fclose(out), 0);

	struct mv_fit_report *rep;
	assert_int_equal(mv_fit_report_read(path, &rep, &err), 0);
	assert_string_equal(rep->scenario_name, f->sc->name);
	assert_int_equal(rep->ntables, MV_FIT_NTABLES);
	const struct mv_fit_origin *og = &f->origins[0];
	const long nrows[MV_FIT_NTABLES] = {
		[MV_FIT_T_ORIGINS] = 1, [MV_FIT_T_PARAMETERS] = 3, [MV_FIT_T_CORRELATION] = 3,
		[MV_FIT_T_STARTS] = 1, [MV_FIT_T_SCORES] = 2 * (2 + 1),
		[MV_FIT_T_RESIDUALS] = og->m + og->mh};
	for (int t = 0; t < MV_FIT_NTABLES; t++) {
		const struct mv_fit_report_table *tab = &rep->tables[t];
		assert_string_equal(tab->name, mv_fit_table_name(t));
		assert_int_equal(tab->dataset, t);
		assert_int_equal(tab->header_line, tab->line + 1);
		assert_string_equal(tab->columns[0], "origin");
		assert_int_equal(tab->nrows, nrows[t]);
		for (long k = 0; k < tab->nrows; k++) {
			assert_int_equal(tab->rows[k].line, tab->header_line + 1 + k);
			assert_int_equal(tab->rows[k].nfields, tab->ncolumns);
		}
	}
	const struct mv_fit_report_table *sc = &rep->tables[MV_FIT_T_SCORES];
	assert_string_equal(sc->columns[1], "series");
	static const char *const series[] = {"share_economy_a", "share_economy_b", "all"};
	for (int k = 0; k < 6; k++) {
		assert_string_equal(sc->rows[k].fields[0], k < 3 ? "2016" : "all");
		assert_string_equal(sc->rows[k].fields[1], series[k % 3]);
	}
	mv_fit_report_free(rep);
	mv_fit_results_free(R);
	mv_fit_free(f);

	/* A table ends at a blank line; two blank lines start the next data set, one does not.
	 * No header before the blank line: header_line 0. */
	const char *small = path_in("small-report.tsv");
	tu_write_file(small, "# mvsim 0.1.0 fit report\n# scenario_name\tx\ty\n# table: scores\n"
			  "origin\tseries\n2016\ta\n\n2017\tb\n# table: extra\n\n\n"
			  "# table: residuals\r\norigin\r\n# a comment\n2016\n");
	assert_int_equal(mv_fit_report_read(small, &rep, &err), 0);
	assert_string_equal(rep->scenario_name, "x");
	assert_int_equal(rep->ntables, 3);
	assert_string_equal(rep->tables[0].name, "scores");
	assert_int_equal(rep->tables[0].nrows, 1);
	assert_int_equal(rep->tables[0].rows[0].line, 5);
	assert_string_equal(rep->tables[1].name, "extra");
	assert_int_equal(rep->tables[1].dataset, 0);
	assert_int_equal(rep->tables[1].header_line, 0);
	assert_string_equal(rep->tables[2].name, "residuals");
	assert_int_equal(rep->tables[2].dataset, 1);
	assert_int_equal(rep->tables[2].header_line, 12);
	assert_int_equal(rep->tables[2].nrows, 1);
	assert_int_equal(rep->tables[2].rows[0].line, 14);
	mv_fit_report_free(rep);

	/* A NUL byte stops the reader: 1, the lines before it kept, err saying where. */
	FILE *nul = fopen(small, "wb");
	assert_non_null(nul);
	fputs("# mvsim 0.1.0 fit report\n# table: origins\norigin\n2016\n", nul);
	fputs("20", nul);
	fputc('\0', nul);
	fputs("17\n", nul);
	assert_int_equal(fclose(nul), 0);
	assert_int_equal(mv_fit_report_read(small, &rep, &err), 1);
	assert_int_equal(rep->ntables, 1);
	assert_int_equal(rep->tables[0].nrows, 1);
	char msg[512];
	snprintf(msg, sizeof msg, "%s:5: expected text, found a NUL byte", small);
	assert_string_equal(err.msg, msg);
	mv_fit_report_free(rep);

	/* Not a report, an empty file, no file: -1, nothing to free. */
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"# mvsim 0.1.0\nt\tx\n", ": not an mvsim fit report (the first line should be "
					   "'# mvsim ... fit report', as 'mvsim fit --report' writes)"},
		{"", ": empty file, not an mvsim fit report"},
		{NULL, ": cannot open: No such file or directory"},
	};
	for (int k = 0; k < 3; k++) {
		const char *p = bad[k].text ? small : path_in("no-such-report.tsv");
		if (bad[k].text)
			tu_write_file(small, bad[k].text);
		rep = (struct mv_fit_report *)&err; /* must come back NULL */
		assert_int_equal(mv_fit_report_read(p, &rep, &err), -1);
		assert_null(rep);
		assert_int_equal(err.code, MV_EXIT_INPUT);
		snprintf(msg, sizeof msg, "%s%s", p, bad[k].msg);
		assert_string_equal(err.msg, msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recover_exact),
		cmocka_unit_test(test_recover_noisy),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_lmaccel),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_unidentified),
		cmocka_unit_test(test_failed_trials),
		cmocka_unit_test(test_committed),
		cmocka_unit_test(test_backtest_regression),
		cmocka_unit_test(test_yardsticks_by_hand),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_transforms),
		cmocka_unit_test(test_starts),
		cmocka_unit_test(test_wide_box),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_start_invalid),
		cmocka_unit_test(test_nonconvergence),
		cmocka_unit_test(test_cmd_fitted_file),
		cmocka_unit_test(test_cmd_report_files),
		cmocka_unit_test(test_cmd_usage),
		cmocka_unit_test(test_report_read),
	};
	return cmocka_run_group_tests_name("fit", tests, setup, teardown);
}
