/* test_names.c — name lists built from their tables (names.h). */
#include "testutil.h"

#include "mvsim/names.h"

static void test_join(void **state)
{
	(void)state;
	static const char *const three[] = {"grid", "lhs", "sobol", NULL};
	char buf[64];
	assert_string_equal(mv_names_join(three, -1, ", ", " or ", buf, sizeof buf),
			    "grid, lhs or sobol");
	assert_string_equal(mv_names_join(three, 2, " ", NULL, buf, sizeof buf), "grid lhs");
	assert_string_equal(mv_names_join(three, 1, ", ", " or ", buf, sizeof buf), "grid");
	assert_string_equal(mv_names_join(three, 0, ", ", " or ", buf, sizeof buf), "");
	assert_string_equal(mv_names_join(three, -1, ", ", NULL, buf, 8), "grid, l"); /* truncated */
	struct { const char *name; int x; } tab[] = {{"png", 1}, {"svg", 2}, {"pdf", 3}};
	assert_string_equal(mv_names_join_table(&tab[0].name, 3, sizeof tab[0], ", ", " or ", buf,
						sizeof buf), "png, svg or pdf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_join)};
	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
