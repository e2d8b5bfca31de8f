/* test_sensitivity.c — the estimators on functions with known indices: Ishigami and Sobol's
 * G-function (Sobol'/Saltelli/Jansen, bootstrap), linear functions (Morris, exactly), the
 * designs' structure, and bad input with its exact message. */
#include "testutil.h"

#include "mvsim/sensitivity.h"

#include <float.h>

#define PI 3.14159265358979323846

/* ------------------------------------------------------------ test functions */

/* Ishigami: f = sin x1 + a sin² x2 + b x3⁴ sin x1, x uniform on [−π, π]³ (u in [0,1)³). */
static const double ish_a = 7.0, ish_b = 0.1;

static double ishigami(const double *u)
{
	double x1 = -PI + 2 * PI * u[0], x2 = -PI + 2 * PI * u[1], x3 = -PI + 2 * PI * u[2];
	double s2 = sin(x2);
	return sin(x1) + ish_a * s2 * s2 + ish_b * pow(x3, 4) * sin(x1);
}

/* Its analytic partial variances (Ishigami & Homma 1990; Sobol' & Levitan 1999):
 * D1 = bπ⁴/5 + b²π⁸/50 + 1/2, D2 = a²/8, D13 = 8b²π⁸/225, D = D1 + D2 + D13. */
static void ishigami_exact(double S1[3], double ST[3])
{
	double p4 = pow(PI, 4), p8 = p4 * p4;
	double D1 = ish_b * p4 / 5 + ish_b * ish_b * p8 / 50 + 0.5;
	double D2 = ish_a * ish_a / 8, D13 = 8 * ish_b * ish_b * p8 / 225;
	double D = D1 + D2 + D13;
	S1[0] = D1 / D, S1[1] = D2 / D, S1[2] = 0;
	ST[0] = (D1 + D13) / D, ST[1] = D2 / D, ST[2] = D13 / D;
}

/* Sobol's G-function: f = Π_i (|4x_i − 2| + a_i)/(1 + a_i), x uniform on [0,1]^k. */
static const double g_a[8] = {0, 1, 4.5, 9, 99, 99, 99, 99};

static double gfun(const double *u)
{
	double f = 1;
	for (int i = 0; i < 8; i++)
		f *= (fabs(4 * u[i] - 2) + g_a[i]) / (1 + g_a[i]);
	return f;
}

/* V_i = 1/(3(1+a_i)²), V = Π(1 + V_i) − 1, S1_i = V_i/V, ST_i = V_i·Π_{j≠i}(1 + V_j)/V. */
static void gfun_exact(double S1[8], double ST[8])
{
	double Vi[8], prod = 1;
	for (int i = 0; i < 8; i++) {
		Vi[i] = 1 / (3 * (1 + g_a[i]) * (1 + g_a[i]));
		prod *= 1 + Vi[i];
	}
	double V = prod - 1;
	for (int i = 0; i < 8; i++) {
		S1[i] = Vi[i] / V;
		ST[i] = Vi[i] * (prod / (1 + Vi[i])) / V;
	}
}

/* Evaluates f on every row of a design (nrows × k). */
static double *evaluate(double (*f)(const double *), const double *X, long nrows, int k)
{
	double *Y = malloc((size_t)nrows * sizeof *Y);
	for (long r = 0; r < nrows; r++)
		Y[r] = f(X + r * k);
	return Y;
}

static struct mv_sobol_result sobol_of(double (*f)(const double *), int k, long N, int B,
				       uint64_t seed)
{
	struct mv_error err = {0};
	struct mv_sobol_result res;
	long nr = mv_sobol_nruns(k, N);
	double *X = malloc((size_t)nr * (size_t)k * sizeof *X);
	if (mv_sobol_design(k, N, seed, X, &err))
		fail_msg("design: %s", err.msg);
	double *Y = evaluate(f, X, nr, k);
	if (mv_sobol_indices(k, N, Y, B, seed, &res, &err))
		fail_msg("indices: %s", err.msg);
	free(X);
	free(Y);
	return res;
}

static void print_sobol(const char *name, const struct mv_sobol_result *r, const double *S1,
			const double *ST)
{
	printf("    %s, N = %ld, B = %d:\n", name, r->N, r->B);
	printf("      i   S1 [95%% interval]           exact    ST [95%% interval]           exact\n");
	for (int i = 0; i < r->k; i++)
		printf("      %d  %+.4f [%+.4f, %+.4f]  %.4f  %+.4f [%+.4f, %+.4f]  %.4f\n", i + 1,
		       r->S1[i], r->S1_lo[i], r->S1_hi[i], S1[i], r->ST[i], r->ST_lo[i],
		       r->ST_hi[i], ST[i]);
}

/* ------------------------------------------------------------ Sobol' */

/* The analytic values in the test agree with the four-decimal numbers. */
static void test_exact_values(void **state)
{
	(void)state;
	double S1[3], ST[3];
	const double want_S1[3] = {0.3139, 0.4424, 0}, want_ST[3] = {0.5576, 0.4424, 0.2437};
	ishigami_exact(S1, ST);
	for (int i = 0; i < 3; i++) {
		assert_double_equal(S1[i], want_S1[i], 5e-5); /* half the last quoted digit */
		assert_double_equal(ST[i], want_ST[i], 5e-5);
	}
}

/* Accuracy: at N = 2^14 every index within 0.02 of the analytic value (the issue's
 * tolerance; the randomised-QMC estimators land within ~0.005), and the bootstrap intervals
 * of the important parameters contain the exact value. x3 has S1 = 0: its interval is
 * expected to straddle 0. */
static void test_ishigami(void **state)
{
	(void)state;
	double S1[3], ST[3];
	ishigami_exact(S1, ST);
	struct mv_sobol_result r = sobol_of(ishigami, 3, 1L << 14, 500, 2024);
	print_sobol("Ishigami", &r, S1, ST);
	assert_int_equal(r.k, 3);
	for (int i = 0; i < 3; i++) {
		assert_double_equal(r.S1[i], S1[i], 0.02);
		assert_double_equal(r.ST[i], ST[i], 0.02);
		assert_true(r.ST_lo[i] <= ST[i] && ST[i] <= r.ST_hi[i]);
		assert_true(r.S1_lo[i] <= r.S1[i] && r.S1[i] <= r.S1_hi[i]);
	}
	for (int i = 0; i < 2; i++)
		assert_true(r.S1_lo[i] <= S1[i] && S1[i] <= r.S1_hi[i]);
	assert_true(r.S1_lo[2] < 0 && r.S1_hi[2] > 0);
	/* V(f) = D = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2 ≈ 13.845; QMC gets it within 0.1%. */
	double p4 = pow(PI, 4);
	double D = ish_a * ish_a / 8 + ish_b * p4 / 5 + ish_b * ish_b * p4 * p4 / 18 + 0.5;
	assert_double_equal(r.var, D, 1e-3 * D);
	assert_double_equal(r.mean, ish_a / 2, 0.01); /* E f = a/2 */
}

static void test_gfunction(void **state)
{
	(void)state;
	double S1[8], ST[8];
	gfun_exact(S1, ST);
	struct mv_sobol_result r = sobol_of(gfun, 8, 1L << 14, 500, 7);
	print_sobol("G-function", &r, S1, ST);
	for (int i = 0; i < 8; i++) {
		assert_double_equal(r.S1[i], S1[i], 0.02);
		assert_double_equal(r.ST[i], ST[i], 0.02);
	}
	/* The important parameters (a = 0, 1, 4.5): intervals contain the exact values. */
	for (int i = 0; i < 3; i++) {
		assert_true(r.S1_lo[i] <= S1[i] && S1[i] <= r.S1_hi[i]);
		assert_true(r.ST_lo[i] <= ST[i] && ST[i] <= r.ST_hi[i]);
	}
}

/* A linear f = Σ c_i x_i has S1_i = ST_i = c_i²/Σc² exactly; adding 10^6 to f changes
 * nothing (the outputs are centred first) beyond rounding of 10^6·ε/V ≈ 1e-9. This is
 * plain Monte Carlo (k = 21 > MV_SOBOL_QMC_MAX_K) at N = 4096: over 200 seeds the
 * estimators' root-mean-square errors here were at most 0.014 (S1 of x1), so 0.07 is 5 of
 * them — a check of the fallback design, not of precision. */
static const double lin_c[21] = {4, 2, 1, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
static double lin_offset;

static double linear(const double *u)
{
	double f = lin_offset;
	for (int i = 0; i < 21; i++)
		f += lin_c[i] * u[i];
	return f;
}

static void test_linear_and_offset(void **state)
{
	(void)state;
	double c2 = 0;
	for (int i = 0; i < 21; i++)
		c2 += lin_c[i] * lin_c[i];
	lin_offset = 0;
	struct mv_sobol_result a = sobol_of(linear, 21, 4096, 0, 1);
	lin_offset = 1e6;
	struct mv_sobol_result b = sobol_of(linear, 21, 4096, 0, 1);
	lin_offset = 0;
	for (int i = 0; i < 21; i++) {
		double want = lin_c[i] * lin_c[i] / c2;
		assert_double_equal(a.S1[i], want, 0.07);
		assert_double_equal(a.ST[i], want, 0.07);
		assert_true(isnan(a.S1_lo[i]) && isnan(a.ST_hi[i])); /* B = 0: no intervals */
		assert_double_equal(b.S1[i], a.S1[i], 1e-6);
		assert_double_equal(b.ST[i], a.ST[i], 1e-6);
		if (lin_c[i] == 0) /* f(A_B^(i)) = f(A) exactly: ST is exactly 0 */
			assert_true(a.ST[i] == 0);
	}
}

/* A constant output has no variance to share: every index NaN, no error. */
static double constant(const double *u)
{
	(void)u;
	return 0.25;
}

static void test_constant(void **state)
{
	(void)state;
	struct mv_sobol_result r = sobol_of(constant, 2, 64, 100, 1);
	assert_true(r.var == 0);
	assert_double_equal(r.mean, 0.25, 0);
	for (int i = 0; i < 2; i++)
		assert_true(isnan(r.S1[i]) && isnan(r.ST[i]) && isnan(r.S1_lo[i]) &&
			    isnan(r.ST_hi[i]));
}

/* The design: blocks A, B, A_B^(i) as documented; values in [0,1) on the 2^-30 lattice;
 * for N = 2^m each coordinate of A and of B puts exactly one point in each interval
 * [l/N, (l+1)/N) (the digital shift keeps the Sobol' net's stratification); the seed
 * changes the design and only the seed does. */
static void test_design(void **state)
{
	(void)state;
	enum { k = 3, N = 64 };
	struct mv_error err = {0};
	double *X = malloc(mv_sobol_nruns(k, N) * k * sizeof *X);
	double *X2 = malloc(mv_sobol_nruns(k, N) * k * sizeof *X);
	assert_int_equal(mv_sobol_nruns(k, N), N * (k + 2));
	assert_int_equal(mv_sobol_design(k, N, 5, X, &err), 0);
	for (long r = 0; r < N * (k + 2) * k; r++) {
		assert_true(X[r] >= 0 && X[r] < 1);
		double s = X[r] * 1073741824.0;
		assert_true(s == floor(s));
	}
	for (int j = 0; j < N; j++) {
		const double *a = X + j * k, *b = X + (N + j) * k;
		for (int i = 0; i < k; i++) {
			const double *ab = X + ((2 + i) * N + j) * k;
			for (int c = 0; c < k; c++)
				assert_true(ab[c] == (c == i ? b[c] : a[c]));
		}
	}
	for (int blk = 0; blk < 2; blk++)
		for (int c = 0; c < k; c++) {
			int seen[N] = {0};
			for (int j = 0; j < N; j++)
				seen[(int)(X[(blk * N + j) * k + c] * N)]++;
			for (int l = 0; l < N; l++)
				assert_int_equal(seen[l], 1);
		}
	size_t bytes = (size_t)mv_sobol_nruns(k, N) * k * sizeof *X;
	assert_int_equal(mv_sobol_design(k, N, 5, X2, &err), 0);
	assert_memory_equal(X, X2, bytes);
	assert_int_equal(mv_sobol_design(k, N, 6, X2, &err), 0);
	assert_memory_not_equal(X, X2, bytes);
	free(X);
	free(X2);
}

/* Bootstrap: same seed, same intervals; the intervals bracket the estimate. */
static void test_bootstrap_seeded(void **state)
{
	(void)state;
	struct mv_sobol_result a = sobol_of(ishigami, 3, 1024, 100, 3);
	struct mv_sobol_result b = sobol_of(ishigami, 3, 1024, 100, 3);
	assert_memory_equal(&a, &b, sizeof a);
	for (int i = 0; i < 3; i++)
		assert_true(a.ST_lo[i] < a.ST_hi[i]);
}

/* ------------------------------------------------------------ Morris */

static double lin_morris(const double *u)
{
	return 3 * u[0] - 2 * u[1] + 0.5 * u[2]; /* u[3] has no effect */
}

/* A linear function's elementary effects are its coefficients, whatever the trajectory:
 * μ = c, μ* = |c|, σ = 0, to rounding (Δ = 2/3 is not a binary fraction: 1e-12). */
static void test_morris_linear(void **state)
{
	(void)state;
	enum { k = 4, r = 10, p = 4 };
	struct mv_error err = {0};
	struct mv_morris_result res;
	double X[r * (k + 1) * k];
	assert_int_equal(mv_morris_nruns(k, r), r * (k + 1));
	assert_int_equal(mv_morris_design(k, r, p, 1, X, &err), 0);
	double *Y = evaluate(lin_morris, X, r * (k + 1), k);
	assert_int_equal(mv_morris_indices(k, r, X, Y, &res, &err), 0);
	const double c[4] = {3, -2, 0.5, 0};
	for (int i = 0; i < k; i++) {
		assert_double_equal(res.mu[i], c[i], 1e-12);
		assert_double_equal(res.mu_star[i], fabs(c[i]), 1e-12);
		assert_double_equal(res.sigma[i], 0, 1e-12);
	}
	free(Y);
}

/* The design: every point on the p-level grid, every step moves one coordinate by ±Δ
 * (Δ = p/(2(p−1))), each coordinate once per trajectory, and the starts use every level. */
static void test_morris_design(void **state)
{
	(void)state;
	enum { k = 5, r = 40, p = 6 };
	const double delta = p / (2.0 * (p - 1));
	struct mv_error err = {0};
	double X[r * (k + 1) * k];
	int levels_used[p] = {0};
	assert_int_equal(mv_morris_design(k, r, p, 9, X, &err), 0);
	for (int t = 0; t < r; t++) {
		int moved[k] = {0};
		for (int m = 0; m <= k; m++) {
			const double *x = X + (t * (k + 1) + m) * k, *prev = x - k;
			for (int c = 0; c < k; c++) {
				double l = x[c] * (p - 1);
				assert_double_equal(l, round(l), 1e-12);
				assert_true(x[c] >= 0 && x[c] <= 1);
				if (m == 0)
					levels_used[(int)round(l)]++;
			}
			if (m == 0)
				continue;
			int changed = 0;
			for (int c = 0; c < k; c++)
				if (x[c] != prev[c]) {
					changed++;
					moved[c]++;
					assert_double_equal(fabs(x[c] - prev[c]), delta, 1e-15);
				}
			assert_int_equal(changed, 1);
		}
		for (int c = 0; c < k; c++)
			assert_int_equal(moved[c], 1);
	}
	for (int l = 0; l < p; l++)
		assert_true(levels_used[l] > 0);
}

/* The G-function: μ* follows the analytic order of importance, a = 0 > 1 > 4.5 > 9 > 99
 * (the four a = 99 are tied). r = 100 trajectories, p = 4 levels. */
static void test_morris_gfunction(void **state)
{
	(void)state;
	enum { k = 8, r = 100, p = 4 };
	struct mv_error err = {0};
	struct mv_morris_result res;
	double *X = malloc((size_t)r * (k + 1) * k * sizeof *X);
	assert_int_equal(mv_morris_design(k, r, p, 2024, X, &err), 0);
	double *Y = evaluate(gfun, X, r * (k + 1), k);
	assert_int_equal(mv_morris_indices(k, r, X, Y, &res, &err), 0);
	printf("    Morris on the G-function, r = %d, p = %d:\n", r, p);
	for (int i = 0; i < k; i++)
		printf("      x%d (a = %4.1f)  mu = %+.4f  mu* = %.4f  sigma = %.4f\n", i + 1, g_a[i],
		       res.mu[i], res.mu_star[i], res.sigma[i]);
	for (int i = 0; i < 3; i++)
		assert_true(res.mu_star[i] > res.mu_star[i + 1]);
	for (int i = 4; i < 8; i++)
		assert_true(res.mu_star[3] > res.mu_star[i]);
	free(X);
	free(Y);
}

/* ------------------------------------------------------------ bad input */

#define EXPECT(call, code_, text)                                                          \
	do {                                                                               \
		struct mv_error e_ = {0};                                                  \
		struct mv_error *err = &e_;                                                \
		assert_int_equal((call), -1);                                              \
		assert_int_equal(e_.code, (code_));                                        \
		assert_string_equal(e_.msg, (text));                                       \
	} while (0)

static void test_bad_input(void **state)
{
	(void)state;
	double X[64 * 5 * 3], Y[64 * 5] = {0};
	struct mv_sobol_result sr;
	struct mv_morris_result mr;

	EXPECT(mv_sobol_design(0, 64, 1, X, err), MV_EXIT_INPUT,
	       "sobol: parameters: expected 1 to 64, found 0");
	EXPECT(mv_sobol_design(65, 64, 1, X, err), MV_EXIT_INPUT,
	       "sobol: parameters: expected 1 to 64, found 65");
	EXPECT(mv_sobol_design(3, 1, 1, X, err), MV_EXIT_INPUT,
	       "sobol: samples: expected at least 2 base points, found 1");
	EXPECT(mv_sobol_design(8, 100001, 1, NULL, err), MV_EXIT_INPUT,
	       "sobol: samples: expected a design of at most 1000000 runs, found N·(k+2) = "
	       "100001·10 = 1000010");
	EXPECT(mv_sobol_indices(3, 64, Y, 10, 1, &sr, err), MV_EXIT_INPUT,
	       "sobol: bootstrap: expected 0 (no intervals) or 40 to 10000 resamples, found 10");
	Y[64 * 3 + 5] = NAN;
	EXPECT(mv_sobol_indices(3, 64, Y, 0, 1, &sr, err), MV_EXIT_FAIL,
	       "sobol: output of run 197 (matrix A_B^(1), base point 5) is nan: expected a "
	       "finite number (did the run fail?)");
	Y[64 * 3 + 5] = 0;

	EXPECT(mv_morris_design(3, 1, 4, 1, X, err), MV_EXIT_INPUT,
	       "morris: trajectories: expected at least 2, found 1");
	EXPECT(mv_morris_design(3, 4, 5, 1, X, err), MV_EXIT_INPUT,
	       "morris: levels: expected an even number from 2 to 1000 (so that the jump "
	       "p/(2(p-1)) is a whole number of grid steps), found 5");
	EXPECT(mv_morris_design(3, 300000, 4, 1, NULL, err), MV_EXIT_INPUT,
	       "morris: trajectories: expected a design of at most 1000000 runs, found "
	       "r·(k+1) = 300000·4 = 1200000");
	/* Two trajectories of k = 2: the second moves both coordinates at once, then one twice. */
	double Xm[2 * 3 * 2] = {0, 0, 1, 0, 1, 1, /**/ 0, 0, 1, 1, 0, 0};
	double Ym[6] = {0};
	EXPECT(mv_morris_indices(2, 2, Xm, Ym, &mr, err), MV_EXIT_INPUT,
	       "morris: design: trajectory 1, step 0 changes 2 coordinates, expected exactly one");
	double Xt[2 * 3 * 2] = {0, 0, 1, 0, 1, 1, /**/ 0, 0, 1, 0, 0, 0};
	EXPECT(mv_morris_indices(2, 2, Xt, Ym, &mr, err), MV_EXIT_INPUT,
	       "morris: design: trajectory 1 moves parameter 0 twice, expected each parameter once");
	Ym[4] = INFINITY;
	EXPECT(mv_morris_indices(2, 2, Xm, Ym, &mr, err), MV_EXIT_FAIL,
	       "morris: output of run 4 (trajectory 1, point 1) is inf: expected a finite number "
	       "(did the run fail?)");
}

int main(void)
{
	const struct CMUnitTest sobol[] = {
		cmocka_unit_test(test_exact_values),
		cmocka_unit_test(test_ishigami),
		cmocka_unit_test(test_gfunction),
		cmocka_unit_test(test_linear_and_offset),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_design),
		cmocka_unit_test(test_bootstrap_seeded),
	};
	const struct CMUnitTest morris[] = {
		cmocka_unit_test(test_morris_linear),
		cmocka_unit_test(test_morris_design),
		cmocka_unit_test(test_morris_gfunction),
	};
	const struct CMUnitTest bad[] = {
		cmocka_unit_test(test_bad_input),
	};
	int fails = cmocka_run_group_tests_name("sensitivity: Sobol'", sobol, NULL, NULL);
	fails += cmocka_run_group_tests_name("sensitivity: Morris", morris, NULL, NULL);
	fails += cmocka_run_group_tests_name("sensitivity: bad input", bad, NULL, NULL);
	return fails ? 1 : 0;
}
