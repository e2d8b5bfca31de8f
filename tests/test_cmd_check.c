/* test_cmd_check.c — `mvsim check`: every key with its value and source, the events. */
#define TU_CLIROOT "build/test-cmd-check"
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/output.h"

#include <math.h>
#include <time.h>

static void test_check(void **state)
{
	(void)state;
	struct result r = RUN("check", KZ);
	expect_ok(&r);
	expect_every_key(r.out, KZ);
	expect_key_source(r.out, "vectors.russia.coercion", "file " KZ ":");
	expect_key_source(r.out, "integrator.initial_step", "default");
	expect_key_source(r.out, "noise.seed", "default");
	expect_key_source(r.out, "time.end", "file " KZ ":");
	assert_non_null(strstr(r.out, "\nevents (14, in the order they apply)\n"));
	assert_non_null(strstr(r.out, "output      101 rows, 2015 to 2040 every 0.25 years\n"));
	result_free(&r);

	/* a what-if: overrides and the base's values, each from its file and line */
	r = RUN("check", WHATIF);
	expect_ok(&r);
	expect_every_key(r.out, WHATIF);
	expect_key_source(r.out, "vectors.russia.coercion", "override " WHATIF ":5");
	expect_key_source(r.out, "vectors.russia.red_line", "override " WHATIF ":6");
	expect_key_source(r.out, "vectors.russia.growth", "base tests/data/cli/../../../" KZ ":");
	expect_key_source(r.out, "integrator.initial_step", "default");
	assert_non_null(strstr(r.out, "\nevents (15, in the order they apply)\n"));
	result_free(&r);

	/* --set on top */
	r = RUN("check", WHATIF, "--set", "vectors.russia.coercion=2", "-s", "model.beta=0.1");
	expect_ok(&r);
	expect_key_source(r.out, "vectors.russia.coercion", "--set");
	expect_key_source(r.out, "model.beta", "--set");
	expect_key_source(r.out, "vectors.russia.red_line", "override " WHATIF ":6");
	char line[512];
	line_starting(r.out, "vectors.russia.coercion ", line, sizeof line);
	assert_non_null(strstr(line, " 2 "));
	result_free(&r);

	r = RUN("check", KZ, "--set", "vectors.russia.coersion=2");
	expect_error(&r, 2, NULL);
	assert_non_null(strstr(r.err, "did you mean 'vectors.russia.coercion'?"));
	result_free(&r);

	r = RUN("check", "tests/data/cli/bad_setting.cfg");
	expect_error(&r, 2, NULL);
	assert_true(starts_with(r.err, "mvsim: tests/data/cli/bad_setting.cfg:4: "));
	result_free(&r);
}

/* Spin-up (time.spinup > 0): `check` runs it and shows each initial state key's file value
 * beside the spun-up one, the value of the first row of `mvsim run`. */
static void test_check_spinup(void **state)
{
	(void)state;
	const char *cfg = "tests/data/config/full.cfg"; /* spinup = 3, rkf45, rtol 1e-6 */
	struct result r = RUN("check", cfg), run = RUN("run", cfg);
	expect_ok(&r);
	expect_ok(&run);
	expect_every_key(r.out, cfg);
	assert_non_null(strstr(r.out, "\nspin-up     3 years before 1990.5, parameters frozen: the run "
				      "starts from the spun-up state (SPUN UP below)\n"));
	assert_non_null(strstr(r.out, "\n\ninitial state after 3 years of spin-up (the first row, t = 1990.5)\n"
				      "KEY                                          FILE           SPUN UP        SOURCE\n"
				      "vectors.russia.mass                          1.5            1.5            "
				      "file tests/data/config/full.cfg:13\n"));
	/* masses are frozen in the spin-up; effort and tension that start at 0 with no coercion
	 * and no effort source stay 0 */
	assert_non_null(strstr(r.out, "\nvectors.china.mass                           10             10             "
				      "file tests/data/config/full.cfg:19\n"));
	assert_non_null(strstr(r.out, "\nvectors.china.effort                         0              0              default\n"));
	assert_non_null(strstr(r.out, "\nvectors.the_west_eu_us.tension               0              0              default\n"));

	/* Russia's overall share stays above its red line 0.3 through the spin-up (0.575 ->
	 * 0.436), so no tension builds and z0 = -0.2 decays: z = -0.2 exp(-3 / 1.5) (docs/model.md
	 * §3). Tolerance 1e-6 relative: the scenario's rtol. */
	const char *spun = strstr(r.out, "\ninitial state after");
	assert_non_null(spun);
	char line[512];
	line_starting(spun, "vectors.russia.tension ", line, sizeof line);
	double file_z, spun_z;
	assert_int_equal(sscanf(line, "vectors.russia.tension %lf %lf", &file_z, &spun_z), 2);
	assert_double_equal(file_z, -0.2, 0);
	assert_double_equal(spun_z, -0.2 * exp(-2.0), 1e-6 * 0.2 * exp(-2.0));

	/* every share: the file's value, then exactly the first row's value, and each domain's
	 * spun-up shares sum to 1 (the model keeps the simplex; 1e-9: rounding of %.10g) */
	static const char *const vec[] = {"russia", "china", "the_west_eu_us"};
	static const char *const dom[] = {"trade_investment", "security"};
	static const char *const file[2][3] = {{"0.5", "0.25", "0.25"}, {"0.75", "0.125", "0.125"}};
	const char *hdr = strstr(run.out, "\nt\t");
	assert_non_null(hdr);
	char first[4096];
	line_starting(strchr(hdr + 1, '\n') + 1, "1990.5\t", first, sizeof first);
	for (int d = 0; d < 2; d++) {
		double sum = 0;
		for (int i = 0; i < 3; i++) {
			/* the run's column share_<d>_<v>: 1 + 3 + 3d + i (t, overall shares, domains) */
			char *p = first;
			for (int c = 0; c < 1 + 3 + 3 * d + i; c++)
				p = strchr(p, '\t') + 1;
			char value[32];
			size_t len = strcspn(p, "\t");
			memcpy(value, p, len);
			value[len] = '\0';
			char key[128], want[512];
			snprintf(key, sizeof key, "vectors.%s.share.%s", vec[i], dom[d]);
			snprintf(want, sizeof want, "%-44s %-14s %-14s file tests/data/config/full.cfg:%d",
				 key, file[d][i], value, i == 0 ? 14 : i == 1 ? 19 : 20);
			strcat(key, " ");
			line_starting(spun, key, line, sizeof line);
			assert_string_equal(line, want);
			sum += strtod(value, NULL);
		}
		assert_double_equal(sum, 1.0, 1e-9);
	}
	result_free(&r);
	result_free(&run);

	/* without spin-up, no second table */
	r = RUN("check", KZ);
	expect_ok(&r);
	assert_null(strstr(r.out, "spin-up "));
	assert_null(strstr(r.out, "SPUN UP"));
	result_free(&r);
}

/* examples/armenia.cfg, the example written from the docs alone: valid (every key listed with a
 * source), it runs, and its comment's claim holds: the saliences put the 2015 shares near the
 * model's equilibrium, each spun-up share (30 years, everything frozen) within 0.05 of the
 * file's (the largest gap, Russia's security share 0.85, is the autonomy floor of the others). */
static void test_example_armenia(void **state)
{
	(void)state;
	const char *cfg = "examples/armenia.cfg";
	struct result r = RUN("check", cfg, "--set", "time.spinup=30"), run = RUN("run", cfg);
	expect_ok(&r);
	expect_ok(&run);
	expect_every_key(r.out, cfg);
	assert_non_null(strstr(r.out, "\nfocal       Armenia\n"));
	assert_non_null(strstr(r.out, "\nevents (10, in the order they apply)\n"));
	const char *spun = strstr(r.out, "\ninitial state after 30 years of spin-up");
	assert_non_null(spun);
	int nshares = 0;
	for (const char *p = spun; (p = strstr(p, ".share.")) != NULL; p++) {
		const char *sp = strchr(p, ' ');
		double file = strtod(sp, NULL), after;
		char *end;
		file = strtod(sp, &end);
		after = strtod(end, NULL);
		assert_true(fabs(after - file) <= 0.05);
		nshares++;
	}
	assert_int_equal(nshares, 15); /* 5 vectors x 3 domains */
	result_free(&r);
	result_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_spinup),
		cmocka_unit_test(test_example_armenia),
	};
	return cmocka_run_group_tests_name("mvsim check", tests, tu_cli_setup, tu_cli_teardown);
}
