/* test_metrics.c — the reducers against hand-computed values on synthetic rows and against a
 * real run's rows, parsing with its exact messages, checks and exact number formatting. */
#include "testutil.h"

#include "mvsim/metrics.h"

#include <float.h>
#include <stdlib.h>

/* Synthetic output: columns t, a, b. */
static char *cols3[] = {"t", "a", "b", NULL};

static struct mv_metric parse_ok(const char *spec)
{
	struct mv_metric m;
	struct mv_error err = {0};
	if (mv_metric_parse(spec, cols3, 3, "where", &m, &err))
		fail_msg("%s: %s", spec, err.msg);
	return m;
}

/* Feeds rows[n][3] to the metrics specs[0..nm) and returns their values in out. */
static void reduce(const char *const *specs, int nm, const double (*rows)[3], int n, double *out)
{
	struct mv_metric ms[16];
	struct mv_error err = {0};
	for (int k = 0; k < nm; k++)
		ms[k] = parse_ok(specs[k]);
	struct mv_metrics *st = mv_metrics_create(ms, nm, &err);
	assert_non_null(st);
	for (int r = 0; r < n; r++)
		assert_int_equal(mv_metrics_row(st, rows[r], 3, &err), 0);
	mv_metrics_values(st, out);
	mv_metrics_free(st);
}

/* ---------------------------------------------------------------- reducers */

/* a: 1, 3, -1, 3, 2 at t = 0, 1, 2, 4, 5 (uneven steps); hand values in the comments. */
static const double rows5[5][3] = {
	{0, 1, 2}, {1, 3, 2}, {2, -1, 0}, {4, 3, 1}, {5, 2, 5},
};

static void test_reducers(void **state)
{
	static const char *const specs[] = {"initial:a", "final:a", "min:a", "max:a",
					    "mean:a",    "argmin:a", "argmax:a"};
	double v[7];
	(void)state;
	reduce(specs, 7, rows5, 5, v);
	assert_true(v[0] == 1);  /* first row */
	assert_true(v[1] == 2);  /* last row */
	assert_true(v[2] == -1); /* smallest */
	assert_true(v[3] == 3);  /* largest */
	/* Trapezoids: (1+3)/2·1 + (3−1)/2·1 + (−1+3)/2·2 + (3+2)/2·1 = 2 + 1 + 2 + 2.5 = 7.5 over
	 * 5 years; exact in binary, so equality. */
	assert_true(v[4] == 7.5 / 5);
	assert_true(v[5] == 2); /* the time of the minimum */
	assert_true(v[6] == 1); /* max 3 at t = 1 and t = 4: the first */
}

static void test_cross(void **state)
{
	static const char *const specs[] = {"cross:a>b", "cross:b>a"};
	double v[2];
	(void)state;
	/* a − b: −1, 1, −1, 2, −3. A first exceeds B between t = 0 (−1) and t = 1 (+1): the chord's
	 * root is t = 0.5. B > A from the start? b − a = 1 at t = 0 > 0: t = 0. */
	reduce(specs, 2, rows5, 5, v);
	assert_true(v[0] == 0.5);
	assert_true(v[1] == 0);

	/* Never: NaN. A touching B (difference 0) is not exceeding it. */
	static const double never[3][3] = {{2000, 0, 1}, {2001, 1, 1}, {2002, 0.5, 1}};
	reduce(specs, 1, never, 3, v);
	assert_true(isnan(v[0]));

	/* From equality: a − b = 0 at 2001, 0.25 at 2003: the crossing starts at 2001. Then
	 * uneven: −3 at 2010, +1 at 2014: root 2010 + 4·3/4 = 2013. */
	static const double touch[3][3] = {{2000, 0, 1}, {2001, 1, 1}, {2003, 1.25, 1}};
	reduce(specs, 1, touch, 3, v);
	assert_true(v[0] == 2001);
	static const double uneven[2][3] = {{2010, 0, 3}, {2014, 2, 1}};
	reduce(specs, 1, uneven, 2, v);
	assert_true(v[0] == 2013);
}

/* One row: every reducer is defined (mean is the value itself); none at all: NaN. Reset
 * starts a new run. */
static void test_single_row_and_reset(void **state)
{
	static const char *const specs[] = {"initial:a", "final:a", "min:a", "max:a", "mean:a",
					    "argmin:a",  "argmax:a", "cross:a>b"};
	struct mv_metric ms[8];
	struct mv_error err = {0};
	double v[8], row[3] = {2020, 4, 1};
	(void)state;
	for (int k = 0; k < 8; k++)
		ms[k] = parse_ok(specs[k]);
	struct mv_metrics *st = mv_metrics_create(ms, 8, &err);
	mv_metrics_values(st, v);
	for (int k = 0; k < 8; k++)
		assert_true(isnan(v[k]));
	mv_metrics_row(st, row, 3, &err);
	mv_metrics_values(st, v);
	for (int k = 0; k < 5; k++)
		assert_true(v[k] == 4);
	assert_true(v[5] == 2020 && v[6] == 2020 && v[7] == 2020);
	mv_metrics_reset(st);
	row[1] = 0; /* a < b now: no crossing */
	mv_metrics_row(st, row, 3, &err);
	mv_metrics_values(st, v);
	assert_true(v[0] == 0 && v[4] == 0);
	assert_true(isnan(v[7]));
	mv_metrics_free(st);
	mv_metrics_free(NULL);
}

/* The metrics of a real run equal what the run's rows give when reduced by hand. */
static void test_real_run(void **state)
{
	struct mv_keytab kt;
	struct mv_error err = {0};
	struct tu_rows rows;
	int ncols;
	(void)state;
	struct mv_scenario *sc = mv_config_load("configs/kazakhstan.cfg", 0, NULL, &kt, &err);
	assert_non_null(sc);
	char **cols = mv_model_columns(sc, &ncols, &err);
	const char *specs[] = {"final:crisis_prob", "max:n_eff", "mean:share_china",
			       "cross:share_economy_china>share_economy_russia",
			       "argmax:tension_russia"};
	struct mv_metric ms[5];
	for (int k = 0; k < 5; k++)
		assert_int_equal(mv_metric_parse(specs[k], cols, ncols, "w", &ms[k], &err), 0);
	struct mv_metrics *st = mv_metrics_create(ms, 5, &err);
	struct mv_run *run = mv_run_create(sc, &kt, NULL, &err);
	assert_int_equal(mv_run_exec(run, mv_metrics_row, st, &err), 0);
	double v[5];
	mv_metrics_values(st, v);
	assert_int_equal(tu_run(sc, &kt, NULL, &rows, &err), 0);

	int cp = tu_col(sc, "crisis_prob"), cn = tu_col(sc, "n_eff"), cc = tu_col(sc, "share_china");
	int cx = tu_col(sc, "share_economy_china"), cy = tu_col(sc, "share_economy_russia");
	double maxn = -1, integral = 0, cross = NAN;
	for (long r = 0; r < rows.nrows; r++) {
		maxn = fmax(maxn, tu_at(&rows, r, cn));
		if (r > 0) {
			double dt = tu_at(&rows, r, 0) - tu_at(&rows, r - 1, 0);
			integral += 0.5 * dt * (tu_at(&rows, r, cc) + tu_at(&rows, r - 1, cc));
			double d0 = tu_at(&rows, r - 1, cx) - tu_at(&rows, r - 1, cy);
			double d1 = tu_at(&rows, r, cx) - tu_at(&rows, r, cy);
			if (isnan(cross) && d1 > 0)
				cross = tu_at(&rows, r - 1, 0) - d0 * dt / (d1 - d0);
		}
	}
	double span = tu_at(&rows, rows.nrows - 1, 0) - tu_at(&rows, 0, 0);
	assert_true(v[0] == tu_at(&rows, rows.nrows - 1, cp)); /* the same doubles */
	assert_true(v[1] == maxn);
	/* Summation order differs from the reducer's by at most a few ulps of the integral. */
	assert_double_equal(v[2], integral / span, 1e-14);
	assert_double_equal(v[3], cross, 1e-9);
	/* The story: China passes Russia in Kazakhstan's trade around 2020 (configs/README.md). */
	assert_true(v[3] > 2016 && v[3] < 2025);
	/* Russia's tension peaks at the start (Crimea, 0.7) and decays. */
	assert_true(v[4] == 2015);
	free(rows.v);
	mv_run_free(run);
	mv_metrics_free(st);
	free(cols);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
}

/* ---------------------------------------------------------------- parsing */

static void test_parse_format(void **state)
{
	char buf[MV_METRIC_MAX_NAME];
	(void)state;
	static const char *const ok[] = {"initial:t", "final:a", "min:b", "max:a", "mean:b",
					 "argmin:a", "argmax:b", "cross:a>b", "cross:b>t"};
	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
		struct mv_metric m = parse_ok(ok[k]);
		mv_metric_format(&m, cols3, buf, sizeof buf);
		assert_string_equal(buf, ok[k]);
	}
	struct mv_metric m = parse_ok("cross:a>b");
	assert_int_equal(m.col, 1);
	assert_int_equal(m.col_b, 2);
	m = parse_ok("final:b");
	assert_int_equal(m.col, 2);
	assert_int_equal(m.col_b, -1);
	for (int r = 0; mv_metric_reducers[r]; r++) {
		snprintf(buf, sizeof buf, "%s:a%s", mv_metric_reducers[r],
			 strcmp(mv_metric_reducers[r], "cross") == 0 ? ">b" : "");
		parse_ok(buf);
	}
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *spec, *msg;
	} cases[] = {
		{"final_crisis",
		 "W: expected REDUCER:COLUMN with REDUCER one of initial, final, min, max, mean, argmin, "
		 "argmax, cross, found 'final_crisis'"},
		{"fnal:a",
		 "W: expected REDUCER:COLUMN with REDUCER one of initial, final, min, max, mean, argmin, "
		 "argmax, cross, found unknown reducer 'fnal' in 'fnal:a'; did you mean 'final'?"},
		{"median:a",
		 "W: expected REDUCER:COLUMN with REDUCER one of initial, final, min, max, mean, argmin, "
		 "argmax, cross, found unknown reducer 'median' in 'median:a'; did you mean 'mean'?"},
		{"integral:a",
		 "W: expected REDUCER:COLUMN with REDUCER one of initial, final, min, max, mean, argmin, "
		 "argmax, cross, found unknown reducer 'integral' in 'integral:a'"},
		{"final:crisis_prb",
		 "W: expected a column of the scenario's output, found unknown column 'crisis_prb' in "
		 "'final:crisis_prb'; did you mean 'crisis_prob'?"},
		{"final:zzzzzzzzzz",
		 "W: expected a column of the scenario's output, found unknown column 'zzzzzzzzzz' in "
		 "'final:zzzzzzzzzz'"},
		{"cross:share_china>share_wst",
		 "W: expected a column of the scenario's output, found unknown column 'share_wst' in "
		 "'cross:share_china>share_wst'; did you mean 'share_west'?"},
		{"cross:share_chin>share_west",
		 "W: expected a column of the scenario's output, found unknown column 'share_chin' in "
		 "'cross:share_chin>share_west'; did you mean 'share_china'?"},
		{"cross:share_china", "W: expected cross:COLUMN_A>COLUMN_B, found 'cross:share_china'"},
		{"max:share_china>share_west",
		 "W: expected '>' only in cross:COLUMN_A>COLUMN_B, found 'max:share_china>share_west'"},
	};
	char *cols[] = {"t", "share_china", "share_west", "crisis_prob", NULL};
	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct mv_metric m;
		struct mv_error err = {0};
		assert_int_equal(mv_metric_parse(cases[k].spec, cols, 4, "W", &m, &err), -1);
		assert_int_equal(err.code, MV_EXIT_INPUT);
		assert_string_equal(err.msg, cases[k].msg);
	}
}

/* ---------------------------------------------------------------- checks, numbers */

static void test_checks(void **state)
{
	struct mv_check both = {0, 1, 2}, lo = {0, 3, INFINITY}, hi = {0, -INFINITY, 0.25};
	char buf[128];
	(void)state;
	assert_true(mv_check_ok(&both, 1) && mv_check_ok(&both, 2) && mv_check_ok(&both, 1.5));
	assert_false(mv_check_ok(&both, 0.999) || mv_check_ok(&both, 2.001));
	assert_false(mv_check_ok(&both, NAN) || mv_check_ok(&lo, NAN) || mv_check_ok(&hi, NAN));
	assert_true(mv_check_ok(&lo, INFINITY) && mv_check_ok(&hi, -INFINITY));
	mv_check_format(&both, "min:n_eff", buf, sizeof buf);
	assert_string_equal(buf, "min:n_eff in [1, 2]");
	mv_check_format(&lo, "min:n_eff", buf, sizeof buf);
	assert_string_equal(buf, "min:n_eff >= 3");
	mv_check_format(&hi, "final:crisis_prob", buf, sizeof buf);
	assert_string_equal(buf, "final:crisis_prob <= 0.25");
}

static void test_format_exact(void **state)
{
	char buf[32];
	(void)state;
	mv_format_exact(0.1, buf);
	assert_string_equal(buf, "0.1");
	mv_format_exact(1e-8, buf);
	assert_string_equal(buf, "1e-08");
	mv_format_exact(100, buf);
	assert_string_equal(buf, "100");
	mv_format_exact(2035, buf);
	assert_string_equal(buf, "2035");
	mv_format_exact(1.5e20, buf);
	assert_string_equal(buf, "1.5e+20");
	mv_format_exact(-INFINITY, buf);
	assert_string_equal(buf, "-inf");
	mv_format_exact(NAN, buf);
	assert_string_equal(buf, "nan");
	mv_format_exact(0.1 + 0.2, buf);
	assert_string_equal(buf, "0.30000000000000004");
	/* Round trip, whatever the magnitude. */
	unsigned long long x = 88172645463325252ULL;
	for (int k = 0; k < 2000; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double v = ldexp((double)(x >> 11), (int)(x % 200) - 150) * (x & 1 ? -1 : 1);
		mv_format_exact(v, buf);
		assert_true(strtod(buf, NULL) == v);
	}
	mv_format_exact(DBL_MAX, buf);
	assert_true(strtod(buf, NULL) == DBL_MAX);
}

/* The definition mv_format_exact implements (the first precision that reads back, waiting
 * for plain digits where %g gives them), tried precision by precision: its fast path must
 * write the same bytes. */
static int format_exact_ref(double v, char *buf)
{
	if (isnan(v))
		return snprintf(buf, 32, "nan");
	for (int p = 1; p < 17; p++) {
		int len = snprintf(buf, 32, "%.*g", p, v);
		if (strchr(buf, 'e') && fabs(v) >= 1e-4 && fabs(v) < 1e15)
			continue;
		if (strtod(buf, NULL) == v)
			return len;
	}
	return snprintf(buf, 32, "%.17g", v);
}

static void check_exact(double v)
{
	char a[32], b[32];
	int la = mv_format_exact(v, a), lb = format_exact_ref(v, b);
	if (strcmp(a, b) != 0 || la != lb)
		fail_msg("%a: mv_format_exact \"%s\", the definition \"%s\"", v, a, b);
}

/* 2·10^5 random values (MV_FMT_TEST_COUNT/50 when set: make check and make valgrind lower it):
 * random bits over all magnitudes, short decimals (0.25, 1.2e-3, 2035, ...),
 * decimals with 15, 16 and 17 digits, powers of two and their neighbours, ±0, subnormals,
 * infinities, NaN, and values next to 1e-4 and 1e15 (where the plain-digits rule turns). */
static void test_format_exact_definition(void **state)
{
	(void)state;
	unsigned long long x = 0x9E3779B97F4A7C15ULL; /* fixed seed: the same values every run */
	const double fixed[] = {0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
				DBL_MAX, -DBL_MAX, INFINITY, -INFINITY, NAN, 1e-4, 1e15,
				999999999999999.9, 1e15 - 0.5, 9.9999999999999995e-5, 0.5, 1, 2};
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
		check_exact(fixed[k]);
		check_exact(nextafter(fixed[k], INFINITY));
		check_exact(nextafter(fixed[k], -INFINITY));
	}
	for (int e = -1074; e <= 1023; e++) { /* every power of two and both neighbours */
		double v = ldexp(1, e);
		check_exact(v);
		check_exact(nextafter(v, 0));
		check_exact(nextafter(v, INFINITY));
		check_exact(-v);
	}
	const char *env = getenv("MV_FMT_TEST_COUNT");
	long count = env ? atol(env) / 50 : 200000;
	printf("format_exact: %ld random values from seed 0x9E3779B97F4A7C15\n", count);
	for (long k = 0; k < count; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double v;
		switch (k % 4) {
		case 0: /* any bits: every magnitude */
			memcpy(&v, &x, sizeof v);
			break;
		case 1: /* a decimal of 1 to 17 digits, exponent -30 .. 30 */
			v = (double)(x % 100000000000000000ULL) /
			    pow(10, (double)((x >> 58) % 17)) * pow(10, (double)((x >> 40) % 61) - 30);
			break;
		case 2: /* a share or a probability */
			v = (double)(x >> 11) / 9007199254740992.0;
			break;
		default: /* a year, a mass, a count */
			v = (double)(x % 100000) / (double)(1 + (x >> 50) % 1000);
		}
		check_exact(v);
	}
}

int main(void)
{
	const struct CMUnitTest reducers[] = {
		cmocka_unit_test(test_reducers),
		cmocka_unit_test(test_cross),
		cmocka_unit_test(test_single_row_and_reset),
		cmocka_unit_test(test_real_run),
	};
	const struct CMUnitTest parsing[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_format_exact),
		cmocka_unit_test(test_format_exact_definition),
	};
	int failed = cmocka_run_group_tests_name("metric reducers", reducers, NULL, NULL);
	failed += cmocka_run_group_tests_name("metric parsing, checks", parsing, NULL, NULL);
	return failed ? 1 : 0;
}
