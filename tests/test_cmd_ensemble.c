/* test_cmd_ensemble.c — `mvsim ensemble` (sim/cli/cmd_ensemble.c): bands that widen with the
 * noise and collapse onto the deterministic run without it, ordered percentiles, the seeds,
 * output identical for any --jobs (in-process and through $MVSIM), failed runs, every bad
 * input with its exact message and exit status, the memory limit, interrupts.
 * In-process on tests/data/uq/small.cfg (3 vectors, 10 years, 11 rows); the CLI tests run
 * $MVSIM (default build/mvsim). Helpers: testutil.h (TU_UQ_OUT). */
#define TU_UQ_OUT "build/test-cmd-ensemble"
#define OUT TU_UQ_OUT
#define DATA "tests/data/uq"
#define SMALL DATA "/small.cfg"
#define SENS DATA "/sens.cfg"
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/noise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

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
	assert_int_equal(tu_final_line(err, "ensemble"), 5);
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
	char *p = tu_slurp(OUT "/seeds.tsv", NULL), *q = tu_slurp(OUT "/seed11.tsv", NULL);
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
	assert_false(tu_exists(OUT "/failed.tsv"));
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
	assert_false(tu_exists(OUT "/failed3.tsv"));
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
		struct tu_capture ce;
		tu_capture_begin(&ce, 2);
		int rc = mv_cmd_ensemble(argc, argv);
		err = tu_capture_end(&ce);
		if (rc != cases[k].rc || strcmp(err, cases[k].msg) != 0)
			fail_msg("case %zu (%s ...): exit %d, expected %d; stderr:\n%s\nexpected:\n%s", k,
				 cases[k].args[0], rc, cases[k].rc, err, cases[k].msg);
		free(err);
		assert_false(tu_exists(OUT "/never.tsv"));
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
	assert_false(tu_exists(OUT "/never.tsv"));
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
	assert_int_equal(tu_final_line(err, "ensemble"), 3);
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
	assert_false(tu_exists(OUT "/interrupted.tsv"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	return cmocka_run_group_tests_name("mvsim ensemble", tests, setup, teardown);
}
