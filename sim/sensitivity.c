/* sensitivity.c — Saltelli designs with Sobol'/Jansen estimators and bootstrap intervals,
 * Morris trajectories and elementary effects. Knows nothing of the model: numbers in, out. */
#include "mvsim/sensitivity.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Salts so that one user seed drives unrelated streams in each use. */
#define SALT_SHIFT 0x5A17E11100000001ULL
#define SALT_BOOT 0xB0075724A9000002ULL
#define SALT_MORRIS 0x3022155EED000003ULL

static uint64_t splitmix64(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* An mt19937 seeded from (seed, salt); NULL when out of memory. */
static gsl_rng *rng_for(uint64_t seed, uint64_t salt)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (r)
		gsl_rng_set(r, (unsigned long)(splitmix64(seed ^ salt) & 0xFFFFFFFFULL));
	return r;
}

static int check_k(const char *what, int k, struct mv_error *err)
{
	if (k < 1 || k > MV_SENS_MAX_K)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: parameters: expected 1 to %d, found %d", what,
				    MV_SENS_MAX_K, k);
	return 0;
}

static int check_sobol(int k, long N, struct mv_error *err)
{
	if (check_k("sobol", k, err))
		return -1;
	if (N < 2)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "sobol: samples: expected at least 2 base points, found %ld", N);
	if (N > MV_SENS_MAX_RUNS / (k + 2))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "sobol: samples: expected a design of at most %ld runs, found "
				    "N·(k+2) = %ld·%d = %.0f",
				    MV_SENS_MAX_RUNS, N, k + 2, (double)N * (k + 2));
	return 0;
}

long mv_sobol_nruns(int k, long N)
{
	return N * (long)(k + 2);
}

/* Writes base point j's A row a[0..k) and B row b[0..k) into the blocks of X. */
static void put_point(int k, long N, long j, const double *a, const double *b, double *X)
{
	memcpy(X + j * k, a, (size_t)k * sizeof *X);
	memcpy(X + (N + j) * k, b, (size_t)k * sizeof *X);
	for (int i = 0; i < k; i++) {
		double *row = X + ((2 + i) * N + j) * k;
		memcpy(row, a, (size_t)k * sizeof *X);
		row[i] = b[i];
	}
}

int mv_sobol_design(int k, long N, uint64_t seed, double *X, struct mv_error *err)
{
	if (check_sobol(k, N, err))
		return -1;
	const int dim = 2 * k;
	double pt[2 * MV_SENS_MAX_K];
	gsl_rng *rng = rng_for(seed, SALT_SHIFT);
	if (rng == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "sobol: out of memory");

	if (k > MV_SOBOL_QMC_MAX_K) {
		for (long j = 0; j < N; j++) {
			for (int c = 0; c < dim; c++)
				pt[c] = gsl_rng_uniform(rng);
			put_point(k, N, j, pt, pt + k, X);
		}
		gsl_rng_free(rng);
		return 0;
	}
	/* GSL's Sobol' points are multiples of 2^-30: as 30-bit integers they take a digital
	 * shift (XOR) exactly, which maps the sequence's elementary intervals onto each
	 * other, so the shifted points keep its equidistribution. */
	const double scale = 1073741824.0; /* 2^30 */
	uint32_t mask[2 * MV_SENS_MAX_K];
	for (int c = 0; c < dim; c++)
		mask[c] = (uint32_t)(gsl_rng_get(rng) >> 2) & 0x3FFFFFFFU;
	gsl_rng_free(rng);
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
	if (q == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "sobol: out of memory");
	for (long j = 0; j < N; j++) {
		/* Point 0 is the origin, which GSL's gsl_qrng_get skips: the first N points
		 * (N a power of two) then form a balanced net. */
		if (j == 0)
			memset(pt, 0, (size_t)dim * sizeof *pt);
		else if (gsl_qrng_get(q, pt) != GSL_SUCCESS) {
			gsl_qrng_free(q);
			return mv_error_set(err, MV_EXIT_FAIL,
					    "sobol: the Sobol' sequence ran out at point %ld", j);
		}
		for (int c = 0; c < dim; c++) {
			uint32_t u = (uint32_t)(pt[c] * scale);
			pt[c] = (double)(u ^ mask[c]) / scale;
		}
		put_point(k, N, j, pt, pt + k, X);
	}
	gsl_qrng_free(q);
	return 0;
}

/* S1 and ST on base points idx[0..N) (NULL: 0..N−1) into s1[k], st[k]; returns V. The
 * outputs are centred on their mean over A and B first: that leaves both estimators'
 * expectations unchanged and keeps a large mean of f from adding noise to S1's sum. */
static double estimate(int k, long N, const double *Y, const long *idx, double *s1, double *st)
{
	const double *fA = Y, *fB = Y + N;
	double mean = 0, var = 0;

	for (long j = 0; j < N; j++) {
		long q = idx ? idx[j] : j;
		mean += fA[q] + fB[q];
	}
	mean /= 2.0 * (double)N;
	for (long j = 0; j < N; j++) {
		long q = idx ? idx[j] : j;
		var += (fA[q] - mean) * (fA[q] - mean) + (fB[q] - mean) * (fB[q] - mean);
	}
	var /= 2.0 * (double)N - 1;
	for (int i = 0; i < k; i++) {
		const double *fAB = Y + (2 + (long)i) * N;
		double a = 0, b = 0;
		for (long j = 0; j < N; j++) {
			long q = idx ? idx[j] : j;
			double d = fAB[q] - fA[q];
			a += (fB[q] - mean) * d;   /* Saltelli (2010) */
			b += d * d;                /* Jansen (1999) */
		}
		s1[i] = var > 0 ? a / (double)N / var : NAN;
		st[i] = var > 0 ? b / (2.0 * (double)N) / var : NAN;
	}
	return var;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int mv_sobol_indices(int k, long N, const double *Y, int B, uint64_t seed,
		     struct mv_sobol_result *res, struct mv_error *err)
{
	if (check_sobol(k, N, err))
		return -1;
	if (B != 0 && (B < MV_SOBOL_MIN_BOOTSTRAP || B > MV_SOBOL_MAX_BOOTSTRAP))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "sobol: bootstrap: expected 0 (no intervals) or %d to %d "
				    "resamples, found %d",
				    MV_SOBOL_MIN_BOOTSTRAP, MV_SOBOL_MAX_BOOTSTRAP, B);
	const long nruns = mv_sobol_nruns(k, N);
	for (long r = 0; r < nruns; r++) {
		if (isfinite(Y[r]))
			continue;
		long blk = r / N;
		char name[32];
		if (blk == 0)
			strcpy(name, "A");
		else if (blk == 1)
			strcpy(name, "B");
		else
			snprintf(name, sizeof name, "A_B^(%ld)", blk - 2);
		return mv_error_set(err, MV_EXIT_FAIL,
				    "sobol: output of run %ld (matrix %s, base point %ld) is %g: "
				    "expected a finite number (did the run fail?)",
				    r, name, r % N, Y[r]);
	}

	memset(res, 0, sizeof *res);
	res->k = k;
	res->N = N;
	res->B = B;
	res->var = estimate(k, N, Y, NULL, res->S1, res->ST);
	double mean = 0;
	for (long j = 0; j < 2 * N; j++)
		mean += Y[j];
	res->mean = mean / (2.0 * (double)N);
	for (int i = 0; i < k; i++)
		res->S1_lo[i] = res->S1_hi[i] = res->ST_lo[i] = res->ST_hi[i] = NAN;
	if (B == 0 || !(res->var > 0))
		return 0;

	long *idx = malloc((size_t)N * sizeof *idx);
	double *bs = malloc((size_t)B * 2 * (size_t)k * sizeof *bs); /* [i][b]: S1 then ST */
	gsl_rng *rng = rng_for(seed, SALT_BOOT);
	if (!idx || !bs || !rng) {
		free(idx);
		free(bs);
		gsl_rng_free(rng);
		return mv_error_set(err, MV_EXIT_FAIL, "sobol: out of memory for %d resamples", B);
	}
	int degenerate = 0;
	for (int b = 0; b < B; b++) {
		double s1[MV_SENS_MAX_K], st[MV_SENS_MAX_K];
		for (long j = 0; j < N; j++)
			idx[j] = (long)gsl_rng_uniform_int(rng, (unsigned long)N);
		if (!(estimate(k, N, Y, idx, s1, st) > 0))
			degenerate = 1;
		for (int i = 0; i < k; i++) {
			bs[(size_t)i * (size_t)B + (size_t)b] = s1[i];
			bs[((size_t)k + (size_t)i) * (size_t)B + (size_t)b] = st[i];
		}
	}
	/* A resample where f happened not to vary has no indices: the output is too nearly
	 * constant for the bootstrap, and the intervals stay NaN. */
	for (int i = 0; i < 2 * k && !degenerate; i++) {
		double *v = bs + (size_t)i * (size_t)B;
		qsort(v, (size_t)B, sizeof *v, cmp_double);
		double lo = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)B, 0.025);
		double hi = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)B, 0.975);
		if (i < k) {
			res->S1_lo[i] = lo;
			res->S1_hi[i] = hi;
		} else {
			res->ST_lo[i - k] = lo;
			res->ST_hi[i - k] = hi;
		}
	}
	free(idx);
	free(bs);
	gsl_rng_free(rng);
	return 0;
}

/* ------------------------------------------------------------ Morris */

long mv_morris_nruns(int k, int r)
{
	return (long)r * (long)(k + 1);
}

static int check_morris(int k, int r, struct mv_error *err)
{
	if (check_k("morris", k, err))
		return -1;
	if (r < 2)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "morris: trajectories: expected at least 2, found %d", r);
	if (r > MV_SENS_MAX_RUNS / (k + 1))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "morris: trajectories: expected a design of at most %ld runs, "
				    "found r·(k+1) = %d·%d = %.0f",
				    MV_SENS_MAX_RUNS, r, k + 1, (double)r * (k + 1));
	return 0;
}

int mv_morris_design(int k, int r, int p, uint64_t seed, double *X, struct mv_error *err)
{
	if (check_morris(k, r, err))
		return -1;
	if (p < 2 || p > MV_MORRIS_MAX_LEVELS || p % 2 != 0)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "morris: levels: expected an even number from 2 to %d (so that "
				    "the jump p/(2(p-1)) is a whole number of grid steps), found %d",
				    MV_MORRIS_MAX_LEVELS, p);
	gsl_rng *rng = rng_for(seed, SALT_MORRIS);
	if (rng == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "morris: out of memory");
	const int half = p / 2; /* Δ = half grid steps */
	int level[MV_SENS_MAX_K], order[MV_SENS_MAX_K];
	for (int t = 0; t < r; t++) {
		double *row = X + (size_t)t * (size_t)(k + 1) * (size_t)k;
		for (int c = 0; c < k; c++) {
			level[c] = (int)gsl_rng_uniform_int(rng, (unsigned long)p);
			row[c] = level[c] / (double)(p - 1);
			order[c] = c;
		}
		gsl_ran_shuffle(rng, order, (size_t)k, sizeof *order);
		for (int m = 0; m < k; m++) {
			double *next = row + k;
			int c = order[m];
			memcpy(next, row, (size_t)k * sizeof *row);
			/* Up by Δ from the lower half of the levels, down from the upper half. */
			level[c] += level[c] < half ? half : -half;
			next[c] = level[c] / (double)(p - 1);
			row = next;
		}
	}
	gsl_rng_free(rng);
	return 0;
}

int mv_morris_indices(int k, int r, const double *X, const double *Y,
		      struct mv_morris_result *res, struct mv_error *err)
{
	if (check_morris(k, r, err))
		return -1;
	const long nruns = mv_morris_nruns(k, r);
	for (long q = 0; q < nruns; q++)
		if (!isfinite(Y[q]))
			return mv_error_set(err, MV_EXIT_FAIL,
					    "morris: output of run %ld (trajectory %ld, point %ld) is "
					    "%g: expected a finite number (did the run fail?)",
					    q, q / (k + 1), q % (k + 1), Y[q]);
	memset(res, 0, sizeof *res);
	res->k = k;
	res->r = r;
	/* Welford's running mean and sum of squares of each parameter's effects. */
	double m2[MV_SENS_MAX_K] = {0};
	for (int t = 0; t < r; t++) {
		unsigned char moved[MV_SENS_MAX_K] = {0};
		for (int m = 0; m < k; m++) {
			long q = (long)t * (k + 1) + m;
			const double *x0 = X + q * k, *x1 = x0 + k;
			int c = -1, nchanged = 0;
			for (int i = 0; i < k; i++)
				if (x1[i] != x0[i]) {
					c = i;
					nchanged++;
				}
			if (nchanged != 1 || !isfinite(x1[c] - x0[c]))
				return mv_error_set(err, MV_EXIT_INPUT,
						    "morris: design: trajectory %d, step %d changes %d "
						    "coordinates, expected exactly one",
						    t, m, nchanged);
			if (moved[c])
				return mv_error_set(err, MV_EXIT_INPUT,
						    "morris: design: trajectory %d moves parameter %d "
						    "twice, expected each parameter once",
						    t, c);
			moved[c] = 1;
			double ee = (Y[q + 1] - Y[q]) / (x1[c] - x0[c]);
			double d = ee - res->mu[c];
			res->mu[c] += d / (t + 1);
			m2[c] += d * (ee - res->mu[c]);
			res->mu_star[c] += (fabs(ee) - res->mu_star[c]) / (t + 1);
		}
	}
	for (int i = 0; i < k; i++)
		res->sigma[i] = sqrt(m2[i] / (r - 1));
	return 0;
}
