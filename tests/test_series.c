/* test_series.c — data series (docs/model.md §10): reading, gaps, interpolation, the mass rule
 * (exogenous inside the data, growth outside) against closed forms, and every input error. */
#include "testutil.h"

#include "mvsim/events.h"
#include "mvsim/series.h"

#define DIR "tests/data/series/"

static void test_read(void **state)
{
	(void)state;
	struct mv_error err = {0};
	double *t, *v;
	int n;
	assert_int_equal(mv_series_read(DIR "a.tsv", "gdp", 2.0, &t, &v, &n, &err), 0);
	/* 2014 is a gap (nan) and skipped. */
	assert_int_equal(n, 3);
	assert_true(t[0] == 2010 && t[1] == 2016 && t[2] == 2020);
	assert_true(v[0] == 2 && v[1] == 6 && v[2] == 4);
	free(t);
	free(v);
}

static void expect_read_error(const char *file, const char *column, const char *msg)
{
	struct mv_error err = {0};
	double *t, *v;
	int n;
	assert_int_equal(mv_series_read(file, column, 1.0, &t, &v, &n, &err), -1);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, msg);
	assert_null(t);
}

static void test_read_errors(void **state)
{
	(void)state;
	expect_read_error(DIR "missing.tsv", "gdp",
			  DIR "missing.tsv: cannot open data file: No such file or directory");
	expect_read_error(DIR "a.tsv", "nope",
			  DIR "a.tsv:2: setting 'column': expected one of gdp, idx, bad, found 'nope'");
	expect_read_error(DIR "a.tsv", "bad",
			  DIR "a.tsv:5: column 'bad': expected a number or nan, found 'x'");
	expect_read_error(DIR "decreasing.tsv", "gdp",
			  DIR "decreasing.tsv:3: expected times strictly increasing, found 2009 after 2010 (line 2)");
	expect_read_error(DIR "onepoint.tsv", "gdp",
			  DIR "onepoint.tsv: column 'gdp': expected at least 2 data points, found 1");
	expect_read_error(DIR "short.tsv", "gdp",
			  DIR "short.tsv: column 'gdp': expected at least 2 data points, found 1");
}

static void test_interp_and_mass(void **state)
{
	(void)state;
	double t[] = {2010, 2016, 2020}, v[] = {2, 6, 4};
	struct mv_series s = {0};
	s.npts = 3;
	s.t = t;
	s.v = v;
	assert_double_equal(mv_series_interp(&s, 2000), 2, 0); /* flat outside */
	assert_double_equal(mv_series_interp(&s, 2013), 4, 1e-15);
	assert_double_equal(mv_series_interp(&s, 2018), 5, 1e-15);
	assert_double_equal(mv_series_interp(&s, 2030), 4, 0);
	assert_double_equal(mv_series_mass(&s, 2018, 0.1), 5, 1e-15);
	assert_double_equal(mv_series_mass(&s, 2025, 0.1), 4 * exp(0.5), 1e-14);
	assert_double_equal(mv_series_mass(&s, 2008, 0.1), 2 * exp(-0.2), 1e-14);
}

/* ∫ from 2012 to t of g = 0.1 × idx: linear 0 → 0.05 over [2010, 2014], 0.05 → 0.1 over
 * [2014, 2016], then flat at 0.1 (the 2020 point is a gap). */
static double growth_integral(double t)
{
	if (t <= 2014)
		return 0.0125 * ((t - 2010) * (t - 2010) - 4) / 2;
	if (t <= 2016)
		return 0.075 + 0.05 * (t - 2014) + 0.0125 * (t - 2014) * (t - 2014);
	return 0.075 + 0.15 + 0.1 * (t - 2016);
}

/* A run: a's mass follows the data (2× gdp) and grows at 10%/yr after the last point;
 * b's growth follows 0.1 × idx, so mass_b = exp(∫ g). Data points are stops. */
static void test_run(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct mv_keytab kt;
	struct mv_scenario *sc = mv_config_load(DIR "base.cfg", 0, NULL, &kt, &err);
	if (sc == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(sc->nseries, 2);
	assert_int_equal(sc->src[mv_key_vec(2, 1, 0, MV_VP_MASS)].kind, MV_SRC_SERIES);
	struct mv_schedule *s = mv_schedule_create(sc, &kt, &err);
	assert_int_equal(mv_schedule_nboundaries(s), 3); /* 2014, 2016, 2020 */
	mv_schedule_free(s);
	struct tu_rows rows;
	assert_int_equal(tu_run(sc, &kt, NULL, &rows, &err), 0);
	int ma = tu_col(sc, "mass_a"), mb = tu_col(sc, "mass_b");
	for (long k = 0; k < rows.nrows; k++) {
		double t = tu_at(&rows, k, 0);
		double want = t <= 2016 ? 2 + (t - 2010) * 4 / 6
			    : t <= 2020 ? 6 - (t - 2016) * 2 / 4 : 4 * exp(0.1 * (t - 2020));
		assert_double_equal(tu_at(&rows, k, ma), want, 1e-12 * want);
		/* rtol 1e-8 over ten years: 1e-8 relative is ample. */
		want = exp(growth_integral(t));
		assert_double_equal(tu_at(&rows, k, mb), want, 1e-8 * want);
	}
	free(rows.v);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
}

static void expect_load_error(const char *path, const char *msg)
{
	struct mv_error err = {0};
	struct mv_keytab kt;
	assert_null(mv_config_load(path, 0, NULL, &kt, &err));
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, msg);
}

static void test_load_errors(void **state)
{
	(void)state;
	expect_load_error(DIR "bad_no_file.cfg",
			  DIR "bad_no_file.cfg:2: setting 'series[0].file': expected a readable data file, found '" DIR
			      "missing.tsv' (No such file or directory)");
	expect_load_error(DIR "bad_no_column.cfg",
			  DIR "a.tsv:2: setting 'column': expected one of gdp, idx, bad, found 'nope'");
	expect_load_error(DIR "bad_decreasing.cfg",
			  DIR "decreasing.tsv:3: expected times strictly increasing, found 2009 after 2010 (line 2)");
	expect_load_error(DIR "bad_onepoint.cfg",
			  DIR "onepoint.tsv: column 'gdp': expected at least 2 data points, found 1");
	expect_load_error(DIR "bad_nonnumber.cfg",
			  DIR "a.tsv:5: column 'bad': expected a number or nan, found 'x'");
	expect_load_error(DIR "bad_not_param.cfg",
			  DIR "bad_not_param.cfg:2: setting 'series[0].key': expected a parameter or a mass key, found the state key 'vectors.a.tension'");
	expect_load_error(DIR "bad_twice.cfg",
			  DIR "bad_twice.cfg:2: setting 'series[0].key': expected one series per key, found a second series on 'vectors.a.mass' (the first: " DIR "base.cfg:7)");
	expect_load_error(DIR "bad_override.cfg",
			  DIR "bad_override.cfg:2: setting 'vectors.a.mass': expected a key not driven by a data series, found 'vectors.a.mass' (driven by " DIR "a.tsv:gdp from " DIR "base.cfg:7)");
	expect_load_error(DIR "bad_event.cfg",
			  DIR "bad_event.cfg:2: event on 'vectors.a.mass': expected no events on a mass driven by a data series, found one (the series: " DIR "a.tsv:gdp)");
	/* --set on a driven key is refused the same way. */
	struct mv_error err = {0};
	struct mv_keytab kt;
	char *sets[] = {"vectors.b.growth=1"};
	assert_null(mv_config_load(DIR "base.cfg", 1, sets, &kt, &err));
	assert_string_equal(err.msg, "--set 'vectors.b.growth=1': expected a key not driven by a data series, found 'vectors.b.growth' (driven by " DIR "a.tsv:idx from " DIR "base.cfg:8)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_interp_and_mass),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
