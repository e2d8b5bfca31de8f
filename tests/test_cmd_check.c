/* test_cmd_check.c — `mvsim check`: every key with its value and source, the events. */
#define TU_CLIROOT "build/test-cmd-check"
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/output.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests_name("mvsim check", tests, tu_cli_setup, tu_cli_teardown);
}
