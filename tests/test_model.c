/* test_model.c — the right-hand side and output row of MODEL.md §2 and §7, term by term,
 * and its invariants on random states: per-domain derivative sums vanish, p stays in [0,1]. */
#include "testutil.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

static const char *cfg =
	"name = \"model\";\n"
	"time = { start = 0.0; end = 10.0; output_step = 1.0; };\n"
	"model = { alpha = 0.7; gamma = 1.3; beta = 0.6; };\n"
	"focal = { autonomy = 0.25; ideal = [2.0, 1.0, 1.0]; };\n"
	"domains = ( { name = \"eco\"; weight = 3.0; inertia = 2.0; },\n"
	"            { name = \"sec\"; weight = 1.0; inertia = 4.0; } );\n"
	"vectors = (\n"
	" { name = \"R\"; angle = 90.0; mass = 2.0; growth = 0.01; distance = 2.0; connectivity = 1.0;\n"
	"   salience = [1.0, 3.0]; initial = [0.5, 0.6]; aspiration = 0.6; responsiveness = 0.8;\n"
	"   effort_decay = 2.0; red_line = 0.55; coercion = 1.5; tension_decay = 3.0;\n"
	"   restraint = { c = 0.8; w = 0.5; };\n"
	"   hazard = { max = 0.3; threshold = 1.0; width = 0.2; }; },\n"
	" { name = \"C\"; angle = 0.0; mass = 5.0; growth = 0.05; distance = 1.5; connectivity = 3.0;\n"
	"   salience = [1.5, 0.5]; initial = [0.3, 0.2]; },\n"
	" { name = \"W\"; angle = 180.0; mass = 8.0; distance = 5.0;\n"
	"   salience = [1.0, 1.0]; initial = [0.2, 0.2]; hazard = { max = 0.1; }; } );\n";

enum { N = 3, D = 2, NY = D * N + 3 * N + 1 };

struct fix {
	struct mv_keytab kt;
	struct mv_scenario *sc;
	struct mv_model m;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	f->sc = tu_load_text(cfg, 0, NULL, &f->kt);
	mv_model_init(&f->m, f->sc, f->sc->val);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	free(f);
	return 0;
}

static void state_at(double y[NY], const double a[D][N], const double m[N], const double e[N],
		     const double z[N], double p)
{
	for (int d = 0; d < D; d++)
		for (int i = 0; i < N; i++)
			y[MV_Y_SHARE(N, d, i)] = a[d][i];
	for (int i = 0; i < N; i++) {
		y[MV_Y_MASS(N, D, i)] = m[i];
		y[MV_Y_EFFORT(N, D, i)] = e[i];
		y[MV_Y_TENSION(N, D, i)] = z[i];
	}
	y[MV_Y_PROB(N, D)] = p;
}

/* Every term of §2 recomputed here from the file's numbers, at one state. */
static void test_rhs_terms(void **state)
{
	struct fix *f = *state;
	const double a[D][N] = {{0.5, 0.3, 0.2}, {0.6, 0.2, 0.2}};
	const double m[N] = {2.0, 5.0, 8.0}, e[N] = {0.1, 0.0, 0.3}, z[N] = {0.4, 0.0, 0.2};
	double y[NY], dy[NY];
	state_at(y, a, m, e, z, 0.2);
	assert_int_equal(mv_model_rhs(0.0, y, dy, &f->m), GSL_SUCCESS);

	const double omega[D] = {0.75, 0.25};
	double abar[N];
	for (int i = 0; i < N; i++)
		abar[i] = omega[0] * a[0][i] + omega[1] * a[1][i];
	const double dist[N] = {2.0, 1.5, 5.0}, conn[N] = {1.0, 3.0, 0.0};
	const double sal[D][N] = {{1.0, 1.5, 1.0}, {3.0, 0.5, 1.0}};
	const double u[N] = {0.5, 0.25, 0.25}, kappa = 0.25, tau[D] = {2.0, 4.0};
	double q[N];
	for (int i = 0; i < N; i++)
		q[i] = pow(m[i], 0.7) * pow(dist[i] / (1 + conn[i]), -1.3) * (1 + e[i]) *
		       exp(-0.6 * z[i]);
	for (int d = 0; d < D; d++) {
		double sum = 0;
		for (int i = 0; i < N; i++)
			sum += sal[d][i] * q[i];
		for (int i = 0; i < N; i++) {
			double T = (1 - kappa) * sal[d][i] * q[i] / sum + kappa * u[i];
			assert_double_equal(dy[MV_Y_SHARE(N, d, i)], (T - a[d][i]) / tau[d], 1e-14);
		}
	}
	/* masses: g m */
	assert_double_equal(dy[MV_Y_MASS(N, D, 0)], 0.01 * 2.0, 1e-15);
	assert_double_equal(dy[MV_Y_MASS(N, D, 1)], 0.05 * 5.0, 1e-15);
	assert_double_equal(dy[MV_Y_MASS(N, D, 2)], 0.0, 0);
	/* effort of R: η max(0, A − ā) − e/τe */
	assert_double_equal(dy[MV_Y_EFFORT(N, D, 0)], 0.8 * (0.6 - abar[0]) - 0.1 / 2.0, 1e-15);
	assert_double_equal(dy[MV_Y_EFFORT(N, D, 2)], -0.3, 1e-15); /* η = 0, τe = 1 */
	/* tension of R: c R max(0, r − ā) − z/τz, R = (1 − 0.8 ā_C)(1 − 0.5 ā_W) */
	double R = (1 - 0.8 * abar[1]) * (1 - 0.5 * abar[2]);
	double gap = 0.55 - abar[0];
	assert_true(gap > 0);
	assert_double_equal(dy[MV_Y_TENSION(N, D, 0)], 1.5 * R * gap - 0.4 / 3.0, 1e-15);
	/* hazard: h_i = hmax/(1 + exp(−(z − θ)/w)) */
	double h = 0.3 / (1 + exp(-(0.4 - 1.0) / 0.2)) + 0.1 / (1 + exp(-(0.2 - 1.0) / 0.1));
	assert_double_equal(dy[MV_Y_PROB(N, D)], h * (1 - 0.2), 1e-15);
	assert_int_equal(f->m.nevals, 1);
}

/* The restraint factor clamps at 0: when 1 − ρ ā_j < 0, coercion builds no tension. */
static void test_restraint_clamp(void **state)
{
	struct fix *f = *state;
	double *v = f->sc->val;
	int slot = mv_key_restraint(N, D, 0, 1);
	double keep = v[slot];
	v[slot] = 5.0; /* 1 − 5·ā_C < 0 */
	mv_model_prepare(&f->m); /* p changed: the restraint pattern is derived from it */
	const double a[D][N] = {{0.4, 0.4, 0.2}, {0.4, 0.4, 0.2}};
	const double m[N] = {1, 1, 1}, e[N] = {0, 0, 0}, z[N] = {0.3, 0, 0};
	double y[NY], dy[NY];
	state_at(y, a, m, e, z, 0);
	assert_int_equal(mv_model_rhs(0.0, y, dy, &f->m), GSL_SUCCESS);
	assert_double_equal(dy[MV_Y_TENSION(N, D, 0)], -0.3 / 3.0, 1e-15);
	/* Below its red line with no restraint at all: full coercion. */
	v[slot] = 0;
	v[mv_key_restraint(N, D, 0, 2)] = 0;
	mv_model_prepare(&f->m);
	assert_int_equal(mv_model_rhs(0.0, y, dy, &f->m), GSL_SUCCESS);
	assert_double_equal(dy[MV_Y_TENSION(N, D, 0)], 1.5 * (0.55 - 0.4) - 0.1, 1e-15);
	v[slot] = keep;
	v[mv_key_restraint(N, D, 0, 2)] = 0.5;
	mv_model_prepare(&f->m);
}

/* On random states on the simplex, Σ_i da[d][i]/dt = 0 (the targets sum to 1), and
 * dp/dt >= 0 with dp/dt = 0 at p = 1 — so p cannot leave [0, 1]. Tolerance: a few ulps
 * of the terms, which are O(1/τ). */
static void test_invariants_random(void **state)
{
	struct fix *f = *state;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 42);
	double *v = f->sc->val;
	for (int trial = 0; trial < 2000; trial++) {
		double y[NY], dy[NY];
		v[MV_G_AUTONOMY] = gsl_rng_uniform(rng);
		v[MV_G_BETA] = 4 * gsl_rng_uniform(rng) - 2;
		mv_model_prepare(&f->m);
		for (int d = 0; d < D; d++) {
			double sum = 0, w[N];
			for (int i = 0; i < N; i++)
				sum += w[i] = -log(gsl_rng_uniform_pos(rng));
			for (int i = 0; i < N; i++)
				y[MV_Y_SHARE(N, d, i)] = w[i] / sum;
		}
		for (int i = 0; i < N; i++) {
			y[MV_Y_MASS(N, D, i)] = 10 * gsl_rng_uniform(rng);
			y[MV_Y_EFFORT(N, D, i)] = 2 * gsl_rng_uniform(rng);
			y[MV_Y_TENSION(N, D, i)] = 3 * gsl_rng_uniform(rng) - 1;
		}
		y[MV_Y_PROB(N, D)] = trial % 10 == 0 ? 1.0 : gsl_rng_uniform(rng);
		assert_int_equal(mv_model_rhs(0.0, y, dy, &f->m), GSL_SUCCESS);
		for (int d = 0; d < D; d++) {
			double sum = 0;
			for (int i = 0; i < N; i++)
				sum += dy[MV_Y_SHARE(N, d, i)];
			if (fabs(sum) > 1e-15)
				fail_msg("trial %d: domain %d derivatives sum to %g", trial, d, sum);
		}
		double dp = dy[MV_Y_PROB(N, D)];
		assert_true(dp >= 0);
		if (y[MV_Y_PROB(N, D)] == 1.0)
			assert_true(dp == 0);
	}
	v[MV_G_AUTONOMY] = 0.25;
	v[MV_G_BETA] = 0.6;
	mv_model_prepare(&f->m);
	gsl_rng_free(rng);
}

/* Spin-up freezes masses and p. */
static void test_frozen(void **state)
{
	struct fix *f = *state;
	const double a[D][N] = {{0.5, 0.3, 0.2}, {0.6, 0.2, 0.2}};
	const double m[N] = {2, 5, 8}, e[N] = {0, 0, 0}, z[N] = {2, 0, 0};
	double y[NY], dy[NY];
	state_at(y, a, m, e, z, 0.5);
	f->m.frozen = 1;
	mv_model_prepare(&f->m);
	assert_int_equal(mv_model_rhs(0.0, y, dy, &f->m), GSL_SUCCESS);
	f->m.frozen = 0;
	mv_model_prepare(&f->m);
	for (int i = 0; i < N; i++)
		assert_true(dy[MV_Y_MASS(N, D, i)] == 0);
	assert_true(dy[MV_Y_PROB(N, D)] == 0);
	assert_true(dy[MV_Y_TENSION(N, D, 0)] != 0);
}

/* A non-finite derivative is reported with its index. */
static void test_badfunc(void **state)
{
	struct fix *f = *state;
	const double a[D][N] = {{0.5, 0.3, 0.2}, {0.6, 0.2, 0.2}};
	const double m[N] = {2, 5, 8}, e[N] = {0, 0, 0}, z[N] = {0, 0, 0};
	double y[NY], dy[NY];
	state_at(y, a, m, e, z, 0);
	y[MV_Y_EFFORT(N, D, 1)] = INFINITY;
	assert_int_equal(mv_model_rhs(3.5, y, dy, &f->m), GSL_EBADFUNC);
	assert_true(f->m.bad_t == 3.5);
	char name[64];
	mv_model_state_name(f->sc, f->m.bad, name, sizeof name);
	/* An infinite effort makes C's pull infinite: its share is reported first. */
	assert_string_equal(name, "share_eco_c");
}

/* The output row: shares, pulls, hhi, n_eff, entropy, tilt from the angles, hazard, p. */
static void test_row(void **state)
{
	struct fix *f = *state;
	const double a[D][N] = {{0.5, 0.3, 0.2}, {0.6, 0.2, 0.2}};
	const double m[N] = {2, 5, 8}, e[N] = {0, 0, 0}, z[N] = {0, 0, 0};
	double y[NY], row[64];
	state_at(y, a, m, e, z, 0.125);
	assert_int_equal(f->m.ncols, 1 + D * N + 5 * N + 9);
	mv_model_row(&f->m, 7.0, y, row);
	double abar[N] = {0.75 * 0.5 + 0.25 * 0.6, 0.75 * 0.3 + 0.25 * 0.2, 0.2};
	assert_true(row[0] == 7.0);
	for (int i = 0; i < N; i++)
		assert_double_equal(row[1 + i], abar[i], 1e-15);
	assert_double_equal(row[1 + N + 1 * N + 0], 0.6, 0); /* share_sec_r */
	double pullsum = 0;
	for (int i = 0; i < N; i++)
		pullsum += row[1 + N + D * N + i];
	assert_double_equal(pullsum, 1.0, 1e-15);
	int c = 1 + D * N + 5 * N;
	double hhi = 0, ent = 0;
	for (int i = 0; i < N; i++) {
		hhi += abar[i] * abar[i];
		ent -= abar[i] * log(abar[i]);
	}
	assert_double_equal(row[c], hhi, 1e-15);
	assert_double_equal(row[c + 1], 1 / hhi, 1e-14);
	assert_double_equal(row[c + 2], ent, 1e-15);
	/* R at 90°, C at 0°, W at 180°. */
	assert_double_equal(row[c + 3], abar[1] - abar[2], 1e-15);
	assert_double_equal(row[c + 4], abar[0], 1e-15);
	assert_double_equal(row[c + 5], hypot(abar[1] - abar[2], abar[0]), 1e-15);
	assert_double_equal(row[c + 6], atan2(abar[0], abar[1] - abar[2]) * 180 / 3.14159265358979323846, 1e-12);
	assert_double_equal(row[c + 8], 0.125, 0);
}

/* Column names (MODEL.md §7) and their collisions. */
static void test_columns(void **state)
{
	struct fix *f = *state;
	struct mv_error err = {0};
	int nc;
	char **cols = mv_model_columns(f->sc, &nc, &err);
	const char *want[] = {"t", "share_r", "share_c", "share_w", "share_eco_r", "share_eco_c",
			      "share_eco_w", "share_sec_r", "share_sec_c", "share_sec_w", "pull_r",
			      "pull_c", "pull_w", "mass_r", "mass_c", "mass_w", "effort_r",
			      "effort_c", "effort_w", "tension_r", "tension_c", "tension_w", "hhi",
			      "n_eff", "entropy", "tilt_x", "tilt_y", "tilt", "tilt_angle",
			      "hazard", "crisis_prob"};
	assert_int_equal(nc, (int)(sizeof want / sizeof want[0]));
	for (int c = 0; c < nc; c++)
		assert_string_equal(cols[c], want[c]);
	assert_null(cols[nc]);
	free(cols);
	/* A vector called "eco r" has the column share_eco_r, like vector r in domain eco. */
	char *saved = f->sc->vec_id[1];
	f->sc->vec_id[1] = "eco_r";
	assert_null(mv_model_columns(f->sc, &nc, &err));
	f->sc->vec_id[1] = saved;
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "found two columns named 'share_eco_r'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rhs_terms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restraint_clamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invariants_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frozen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_badfunc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns, setup, teardown),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
