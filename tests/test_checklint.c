/* test_checklint.c — can a check fail over a sweep? (checklint.h, docs/model.md §9 checks) */
#include "testutil.h"

#include "mvsim/checklint.h"

static const struct mv_check upper = {0, -INFINITY, 1.0};  /* NAME <= 1 */
static const struct mv_check lower = {0, 3.0, INFINITY};   /* NAME >= 3 */
static const struct mv_check both = {0, 2.0, 10.0};        /* NAME in [2, 10] */

static struct mv_checklint feed(const struct mv_check *c, const double *v, int n)
{
	struct mv_checklint l;
	mv_checklint_init(&l);
	for (int k = 0; k < n; k++)
		mv_checklint_add(&l, c, v[k], 0);
	return l;
}

/* The two cases of issue 10: a metric equal in every run, and one far from its bound. */
static void test_constant_and_far(void **state)
{
	(void)state;
	double closest;
	const double tension[] = {0.7, 0.7, 0.7}; /* max:tension_russia of the old CI gate */
	struct mv_checklint l = feed(&upper, tension, 3);
	assert_int_equal(mv_checklint_judge(&l, &upper, 1.0, &closest), MV_CHECKLINT_CONSTANT);
	assert_true(closest == 0.7);
	char buf[512];
	mv_checklint_format(MV_CHECKLINT_CONSTANT, &l, &upper, "max:tension_russia <= 1",
			    "max:tension_russia", 1.0, 3, buf, sizeof buf);
	assert_string_equal(buf, "check max:tension_russia <= 1: this check cannot fail here: "
				 "max:tension_russia is 0.7 in every one of 3 runs");

	const double neff[] = {3.5, 3.4, 3.6}; /* >= 3: closest 3.4, 0.4 away, margin 0.3 */
	l = feed(&lower, neff, 3);
	assert_int_equal(mv_checklint_judge(&l, &lower, 3.0, &closest), MV_CHECKLINT_FAR);
	assert_true(closest == 3.4);
	mv_checklint_format(MV_CHECKLINT_FAR, &l, &lower, "min:n_eff >= 3", "min:n_eff", 3.0, 3, buf,
			    sizeof buf);
	assert_string_equal(buf, "check min:n_eff >= 3: this check cannot fail here: min:n_eff "
				 "never comes within 10% of its bound 3 (closest 3.4 over 3 runs; 10% "
				 "is 0.3)");
}

/* The margin is inclusive: a value exactly 10% of the scale from its bound is close enough,
 * the next double beyond is not. Bound 10 and scale 10: 0.1 * 10 rounds to exactly 1 and
 * 10 - 9 is exactly 1, so the edge is exact in binary. */
static void test_margin_edge(void **state)
{
	(void)state;
	const struct mv_check c = {0, -INFINITY, 10.0};
	assert_true(MV_CHECKLINT_MARGIN * 10.0 == 1.0);
	const double edge[] = {1.0, 9.0};
	struct mv_checklint l = feed(&c, edge, 2);
	assert_int_equal(mv_checklint_judge(&l, &c, 10.0, NULL), MV_CHECKLINT_OK);
	const double beyond[] = {1.0, nextafter(9.0, 0.0)};
	l = feed(&c, beyond, 2);
	assert_int_equal(mv_checklint_judge(&l, &c, 10.0, NULL), MV_CHECKLINT_FAR);
}

/* A check broken by one run can fail (it did), constant or not; NaN and failed runs break it
 * and do not count as values. No finite value and nothing broken: nothing to judge. */
static void test_broken_nan_failed_empty(void **state)
{
	(void)state;
	const double v[] = {5.0, 5.0, 0.5};
	struct mv_checklint l = feed(&upper, v, 3);
	assert_int_equal(l.broken, 2);
	assert_int_equal(mv_checklint_judge(&l, &upper, 1.0, NULL), MV_CHECKLINT_OK);

	mv_checklint_init(&l);
	mv_checklint_add(&l, &upper, 0.2, 0);
	mv_checklint_add(&l, &upper, NAN, 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.broken, 1);
	assert_int_equal(mv_checklint_judge(&l, &upper, 1.0, NULL), MV_CHECKLINT_OK);

	mv_checklint_init(&l);
	mv_checklint_add(&l, &upper, 0.2, 1); /* a failed run's value is not a value */
	assert_int_equal(l.n, 0);
	assert_int_equal(mv_checklint_judge(&l, &upper, 1.0, NULL), MV_CHECKLINT_OK);

	mv_checklint_init(&l);
	assert_int_equal(mv_checklint_judge(&l, &upper, 1.0, NULL), MV_CHECKLINT_EMPTY);
	char buf[64] = "x";
	assert_int_equal(mv_checklint_format(MV_CHECKLINT_EMPTY, &l, &upper, "a", "b", 1, 0, buf,
					     sizeof buf),
			 0);
	assert_string_equal(buf, "");
}

/* Both bounds: close to either one is enough; "does not vary" uses 1e-9 relative. */
static void test_two_bounds_and_constant_tolerance(void **state)
{
	(void)state;
	const double near_hi[] = {5.0, 9.5}; /* 0.5 from 10, margin 1 */
	struct mv_checklint l = feed(&both, near_hi, 2);
	assert_int_equal(mv_checklint_judge(&l, &both, 10.0, NULL), MV_CHECKLINT_OK);
	const double mid[] = {5.0, 6.0}; /* 3 from 2, 4 from 10: far */
	l = feed(&both, mid, 2);
	double closest;
	assert_int_equal(mv_checklint_judge(&l, &both, 10.0, &closest), MV_CHECKLINT_FAR);
	assert_true(closest == 5.0);
	const double jitter[] = {5.0, 5.0 * (1 + 5e-10)}; /* within 1e-9: the same value */
	l = feed(&both, jitter, 2);
	assert_int_equal(mv_checklint_judge(&l, &both, 10.0, NULL), MV_CHECKLINT_CONSTANT);
	const double moved[] = {5.0, 5.0 * (1 + 5e-9)};
	l = feed(&both, moved, 2);
	assert_int_equal(mv_checklint_judge(&l, &both, 10.0, NULL), MV_CHECKLINT_FAR);
}

/* The scale: a time metric's is the scenario's span, anything else's is |bound|, 1 at 0. */
static void test_scale(void **state)
{
	(void)state;
	const struct mv_check year = {0, -INFINITY, 2035.0};
	assert_double_equal(mv_checklint_scale("cross:share_china>share_west", &year, 2015, 2040),
			    25.0, 0);
	assert_double_equal(mv_checklint_scale("argmax:tension_russia", &year, 2015, 2040), 25.0, 0);
	assert_double_equal(mv_checklint_scale("argmin:n_eff", &year, 2015, 2040), 25.0, 0);
	assert_double_equal(mv_checklint_scale("max:tension_russia", &upper, 2015, 2040), 1.0, 0);
	assert_double_equal(mv_checklint_scale("min:n_eff", &lower, 2015, 2040), 3.0, 0);
	assert_double_equal(mv_checklint_scale("final:x", &both, 2015, 2040), 10.0, 0);
	const struct mv_check zero = {0, 0.0, INFINITY};
	assert_double_equal(mv_checklint_scale("min:x", &zero, 2015, 2040), 1.0, 0);
	const struct mv_check neg = {0, -INFINITY, -4.0};
	assert_double_equal(mv_checklint_scale("max:x", &neg, 2015, 2040), 4.0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constant_and_far),
		cmocka_unit_test(test_margin_edge),
		cmocka_unit_test(test_broken_nan_failed_empty),
		cmocka_unit_test(test_two_bounds_and_constant_tolerance),
		cmocka_unit_test(test_scale),
	};
	return cmocka_run_group_tests_name("checklint", tests, NULL, NULL);
}
