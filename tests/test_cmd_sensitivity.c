/* test_cmd_sensitivity.c — `mvsim sensitivity` (sim/cli/cmd_sensitivity.c): Sobol' and Morris
 * indices on small designs with their notes, the same for any --jobs and with noise, a flat
 * metric, failed runs, every bad input with its exact message and exit status.
 * Helpers: testutil.h (TU_UQ_OUT). */
#define TU_UQ_OUT "build/test-cmd-sensitivity"
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
	assert_int_equal(tu_final_line(err, "sensitivity"), 40);
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
	assert_int_equal(tu_final_line(err, "sensitivity"), 64);
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
	assert_false(tu_exists(OUT "/never.tsv"));
	free(err);
	assert_int_equal(SENSI(NULL, &err, DATA "/nan_metric.cfg", "--method", "morris", "--samples",
			       "4", "-o", OUT "/never.tsv"), 1);
	assert_contains(err, "mvsim: metric 'cross:share_gamma>share_alpha' is not a number in 12 of "
			     "12 runs (first: run 0 (focal.autonomy = ");
	assert_contains(err, "); the estimators need a number from every run (a cross: metric is "
			     "nan when the crossing never happens): nothing written\n");
	assert_false(tu_exists(OUT "/never.tsv"));
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
		struct tu_capture ce;
		tu_capture_begin(&ce, 2);
		int rc = mv_cmd_sensitivity(argc, argv);
		err = tu_capture_end(&ce);
		if (rc != cases[k].rc || strcmp(err, cases[k].msg) != 0)
			fail_msg("case %zu: exit %d, expected %d; stderr:\n%s\nexpected:\n%s", k, rc,
				 cases[k].rc, err, cases[k].msg);
		free(err);
		assert_false(tu_exists(OUT "/never.tsv"));
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
	char *usage = mv_cli_usage_text(mv_sensitivity_usage); /* its lists from their tables */
	assert_string_equal(out, usage);
	free(usage);
	assert_string_equal(err, "");
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sobol_small),
		cmocka_unit_test(test_sens_jobs_noise),
		cmocka_unit_test(test_morris_small),
		cmocka_unit_test(test_sens_flat),
		cmocka_unit_test(test_sens_failed),
		cmocka_unit_test(test_sens_bad_input),
	};
	return cmocka_run_group_tests_name("mvsim sensitivity", tests, setup, teardown);
}
