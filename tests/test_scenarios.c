/* test_scenarios.c — the shipped scenarios: the article's story as assertions, invariants
 * under every stepper, and a regression against committed reference output. */
#include "testutil.h"

#include <glob.h>

static struct mv_scenario *load(const char *path, struct mv_keytab *kt)
{
	struct mv_error err = {0};
	struct mv_scenario *sc = mv_config_load(path, 0, NULL, kt, &err);
	if (sc == NULL)
		fail_msg("%s: %s", path, err.msg);
	return sc;
}

struct result {
	struct mv_scenario *sc;
	struct mv_keytab kt;
	struct tu_rows rows;
};

static void run_file(const char *path, const char *method, struct result *r)
{
	struct mv_error err = {0};
	r->sc = load(path, &r->kt);
	if (tu_run(r->sc, &r->kt, method, &r->rows, &err))
		fail_msg("%s (%s): %s", path, method ? method : "default", err.msg);
}

static void result_free(struct result *r)
{
	free(r->rows.v);
	mv_keytab_free(&r->kt);
	mv_scenario_free(r->sc);
}

static double col_at(const struct result *r, long row, const char *name)
{
	return tu_at(&r->rows, row < 0 ? r->rows.nrows + row : row, tu_col(r->sc, name));
}

/* Simplex per domain (sum 1 within 1e-9, none below −1e-12), overall shares sum to 1,
 * p in [0, 1], hazard >= 0 — MODEL.md §2's properties, on every row. */
static void check_invariants(const struct result *r, const char *what)
{
	const struct mv_scenario *sc = r->sc;
	char name[160];

	for (long k = 0; k < r->rows.nrows; k++) {
		double overall = 0;
		for (int i = 0; i < sc->nvec; i++) {
			snprintf(name, sizeof name, "share_%s", sc->vec_id[i]);
			overall += col_at(r, k, name);
		}
		if (fabs(overall - 1) > 1e-9)
			fail_msg("%s: overall shares sum to %.15g at row %ld", what, overall, k);
		for (int d = 0; d < sc->ndom; d++) {
			double sum = 0;
			for (int i = 0; i < sc->nvec; i++) {
				snprintf(name, sizeof name, "share_%s_%s", sc->dom_id[d], sc->vec_id[i]);
				double a = col_at(r, k, name);
				if (a < -1e-12)
					fail_msg("%s: %s = %g at row %ld", what, name, a, k);
				sum += a;
			}
			if (fabs(sum - 1) > 1e-9)
				fail_msg("%s: domain %s sums to %.15g at row %ld", what, sc->dom_id[d], sum,
					 k);
		}
		double p = col_at(r, k, "crisis_prob");
		if (!(p >= 0 && p <= 1))
			fail_msg("%s: crisis_prob %g at row %ld", what, p, k);
		assert_true(col_at(r, k, "hazard") >= 0);
	}
}

/* The baseline tells the article's story through 2040. */
static void test_baseline_story(void **state)
{
	(void)state;
	struct result b;
	run_file("configs/kazakhstan.cfg", NULL, &b);
	long n = b.rows.nrows;
	assert_true(col_at(&b, -1, "t") == 2040.0);
	/* Balance holds: n_eff >= 3 throughout, crisis unlikely. */
	for (long k = 0; k < n; k++)
		if (col_at(&b, k, "n_eff") < 3)
			fail_msg("n_eff %g < 3 at t=%g", col_at(&b, k, "n_eff"), col_at(&b, k, "t"));
	double p2040 = col_at(&b, -1, "crisis_prob");
	if (p2040 > 0.10)
		fail_msg("crisis_prob(2040) = %g > 0.10", p2040);
	/* China rises and passes the West before 2035 (not already ahead at the start). */
	assert_true(col_at(&b, -1, "share_china") > col_at(&b, 0, "share_china"));
	assert_true(col_at(&b, 0, "share_china") <= col_at(&b, 0, "share_west"));
	double cross = NAN;
	for (long k = 0; k < n && isnan(cross); k++)
		if (col_at(&b, k, "share_china") > col_at(&b, k, "share_west"))
			cross = col_at(&b, k, "t");
	if (!(cross < 2035))
		fail_msg("China passes the West at %g, expected before 2035", cross);
	/* Russia stays the largest security partner and above its red line. */
	double red = b.sc->val[mv_key_vec(b.sc->nvec, b.sc->ndom, 0, MV_VP_RED_LINE)];
	assert_string_equal(b.sc->vec_id[0], "russia");
	for (long k = 0; k < n; k++) {
		double ru = col_at(&b, k, "share_security_russia");
		const char *others[] = {"share_security_china", "share_security_west",
					"share_security_south_asia"};
		for (int j = 0; j < 3; j++)
			if (!(ru > col_at(&b, k, others[j])))
				fail_msg("t=%g: Russia's security share %g <= %s %g", col_at(&b, k, "t"),
					 ru, others[j], col_at(&b, k, others[j]));
		if (!(col_at(&b, k, "share_russia") > red))
			fail_msg("t=%g: share_russia %g at or below its red line %g",
				 col_at(&b, k, "t"), col_at(&b, k, "share_russia"), red);
	}
	/* South Asia grows: by at least a fifth of its starting share. */
	assert_true(col_at(&b, -1, "share_south_asia") > 1.2 * col_at(&b, 0, "share_south_asia"));
	check_invariants(&b, "baseline");
	result_free(&b);
}

/* A Ukraine-style tilt West with Russia's red line and coercion high and no Chinese restraint
 * ends in crisis; Russia's pressure is far more dangerous without China's goodwill. */
static void test_whatif_story(void **state)
{
	(void)state;
	struct result u, rp, rn, base, w;
	run_file("configs/scenarios/ukraine_style.cfg", NULL, &u);
	double pu = col_at(&u, -1, "crisis_prob");
	if (pu < 0.5)
		fail_msg("ukraine_style crisis_prob(2040) = %g < 0.5", pu);
	run_file("configs/scenarios/russia_pressure.cfg", NULL, &rp);
	run_file("configs/scenarios/russia_pressure_norestraint.cfg", NULL, &rn);
	double with = col_at(&rp, -1, "crisis_prob"), without = col_at(&rn, -1, "crisis_prob");
	if (!(without >= 2 * with && without >= with + 0.1))
		fail_msg("crisis_prob(2040): %g with China's restraint, %g without", with, without);
	run_file("configs/kazakhstan.cfg", NULL, &base);
	result_free(&u);
	run_file("configs/scenarios/china_slowdown.cfg", NULL, &u);
	assert_true(col_at(&u, -1, "share_china") < col_at(&base, -1, "share_china"));
	run_file("configs/scenarios/western_reengagement.cfg", NULL, &w);
	assert_true(col_at(&w, -1, "share_west") > col_at(&base, -1, "share_west"));
	result_free(&w);
	run_file("configs/scenarios/south_asia_rise.cfg", NULL, &w);
	assert_true(col_at(&w, -1, "share_south_asia") > col_at(&base, -1, "share_south_asia"));
	result_free(&w);
	run_file("configs/scenarios/no_multivector.cfg", NULL, &w);
	assert_true(col_at(&w, -1, "n_eff") < col_at(&base, -1, "n_eff"));
	assert_double_equal(w.sc->val[MV_G_AUTONOMY], 0, 0);
	result_free(&w);
	result_free(&u);
	result_free(&rp);
	result_free(&rn);
	result_free(&base);
}

/* Every stepper keeps the invariants on the baseline and agrees with rk8pd to 1e-5
 * (rk1imp, first order, to 1e-3 at its default tolerances). */
static void test_all_steppers_baseline(void **state)
{
	(void)state;
	struct result ref;
	run_file("configs/kazakhstan.cfg", "rk8pd", &ref);
	for (const char *const *m = mv_integrator_names; *m; m++) {
		struct result r;
		run_file("configs/kazakhstan.cfg", *m, &r);
		check_invariants(&r, *m);
		assert_int_equal(r.rows.nrows, ref.rows.nrows);
		double tol = strcmp(*m, "rk1imp") == 0 ? 1e-3 : 1e-5;
		for (long k = 0; k < r.rows.nrows * r.rows.ncols; k++) {
			double a = r.rows.v[k], b = ref.rows.v[k];
			if (fabs(a - b) > tol * fmax(1, fabs(b)))
				fail_msg("%s: value %ld is %.12g, rk8pd %.12g", *m, k, a, b);
		}
		result_free(&r);
	}
	result_free(&ref);
}

/* Reads a TSV result: header names into cols, numbers into rows. */
static int read_tsv(const char *path, char ***cols, int *ncols, double **v, long *nrows)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long cap_rows = 0;

	if (f == NULL)
		return -1;
	*cols = NULL;
	*ncols = 0;
	*v = NULL;
	*nrows = 0;
	while (getline(&line, &cap, f) > 0) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (*cols == NULL) {
			for (char *tok = strtok(line, "\t"); tok; tok = strtok(NULL, "\t")) {
				*cols = realloc(*cols, (size_t)(*ncols + 1) * sizeof **cols);
				(*cols)[(*ncols)++] = strdup(tok);
			}
			continue;
		}
		if (*nrows == cap_rows) {
			cap_rows = cap_rows ? 2 * cap_rows : 128;
			*v = realloc(*v, (size_t)cap_rows * (size_t)*ncols * sizeof **v);
		}
		char *p = line;
		for (int c = 0; c < *ncols; c++) {
			char *end;
			(*v)[*nrows * *ncols + c] = strtod(p, &end);
			if (end == p) {
				free(line);
				fclose(f);
				return -1;
			}
			p = end;
		}
		(*nrows)++;
	}
	free(line);
	fclose(f);
	return 0;
}

/* Each shipped scenario against tests/data/ref/<name>.tsv (regenerate with `make refs`, a
 * deliberate decision). Tolerance 1e-7·max(1, |ref|): far above the ~1e-12 a different
 * libm or compiler can move results at rtol 1e-8 with the same steps, far below any change
 * of the model or a scenario (the smallest effect of a one-digit edit is ~1e-4). */
static void test_regression(void **state)
{
	(void)state;
	glob_t gl;
	assert_int_equal(glob("configs/scenarios/*.cfg", 0, NULL, &gl), 0);
	for (size_t q = 0; q <= gl.gl_pathc; q++) {
		const char *path = q == gl.gl_pathc ? "configs/kazakhstan.cfg" : gl.gl_pathv[q];
		const char *base = strrchr(path, '/') + 1;
		char ref[512];
		snprintf(ref, sizeof ref, "tests/data/ref/%.*s.tsv", (int)(strlen(base) - 4), base);
		char **cols = NULL;
		int ncols = 0;
		double *v = NULL;
		long nrows = 0;
		if (read_tsv(ref, &cols, &ncols, &v, &nrows))
			fail_msg("%s: missing or unreadable reference (run `make refs`)", ref);
		struct result r;
		run_file(path, NULL, &r);
		check_invariants(&r, path);
		assert_int_equal(nrows, r.rows.nrows);
		assert_int_equal(ncols, r.rows.ncols);
		for (int c = 0; c < ncols; c++)
			assert_int_equal(tu_col(r.sc, cols[c]), c);
		for (long k = 0; k < nrows * ncols; k++) {
			double a = r.rows.v[k], b = v[k];
			if (fabs(a - b) > 1e-7 * fmax(1, fabs(b)))
				fail_msg("%s: %s at row %ld is %.12g, reference %.12g", path,
					 cols[k % ncols], k / ncols, a, b);
		}
		for (int c = 0; c < ncols; c++)
			free(cols[c]);
		free(cols);
		free(v);
		result_free(&r);
	}
	globfree(&gl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_story),
		cmocka_unit_test(test_whatif_story),
		cmocka_unit_test(test_all_steppers_baseline),
		cmocka_unit_test(test_regression),
	};
	return cmocka_run_group_tests_name("scenarios", tests, NULL, NULL);
}
