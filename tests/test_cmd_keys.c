/* test_cmd_keys.c — `mvsim keys`: every key with kind, value, unit and meaning. */
#define TU_CLIROOT "build/test-cmd-keys"
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/output.h"

#include <time.h>

static void test_keys(void **state)
{
	(void)state;
	struct result r = RUN("keys", KZ);
	expect_ok(&r);
	char line[512];
	line_starting(r.out, "vectors.south_asia.growth ", line, sizeof line);
	assert_non_null(strstr(line, " parameter "));
	assert_non_null(strstr(line, " 0.0527 "));
	line_starting(r.out, "vectors.russia.mass ", line, sizeof line);
	assert_non_null(strstr(line, " state "));
	line_starting(r.out, "time.start ", line, sizeof line);
	assert_non_null(strstr(line, " setting "));
	line_starting(r.out, "vectors.west.share.economy ", line, sizeof line);
	assert_non_null(strstr(line, " share "));
	assert_true(starts_with(r.out, "KEY "));
	/* one line per key and the heading */
	int lines = 0;
	for (const char *p = r.out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + 129);
	result_free(&r);

	r = RUN("keys", "tests/data/cli/missing.cfg");
	expect_error(&r, 2,
		     "mvsim: tests/data/cli/missing.cfg: cannot open scenario: No such file or "
		     "directory\n");
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
	};
	return cmocka_run_group_tests_name("mvsim keys", tests, tu_cli_setup, tu_cli_teardown);
}
