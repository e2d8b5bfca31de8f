/* sensitivity.h — global sensitivity estimators (Sobol/Saltelli, Morris), separate from the
 * model: designs in the unit cube [0,1]^k, indices from a vector of model outputs.
 * Matrices are row-major, one row per model run; parameters are numbered from 0 (the
 * columns of X), also in error messages. The caller maps u in [0,1) to min + u·(max − min). */
#ifndef MVSIM_SENSITIVITY_H
#define MVSIM_SENSITIVITY_H

#include <stdint.h>

#include "mvsim/error.h"

#define MV_SENS_MAX_K 64           /* parameters */
#define MV_SENS_MAX_RUNS 1000000L  /* model evaluations in one design: the design holds
				    * runs·k doubles, at most 8 bytes × 10^6 × 64 = 512 MB */
#define MV_SOBOL_QMC_MAX_K 20      /* up to here the base points are Sobol' points (GSL
				    * offers 40 dimensions, the design needs 2k) */
#define MV_SOBOL_MIN_BOOTSTRAP 40  /* a 2.5% tail needs 40 resamples to hold one */
#define MV_SOBOL_MAX_BOOTSTRAP 10000  /* resamples: B·2k doubles, at most 10 MB */
#define MV_MORRIS_MAX_LEVELS 1000

/* ------------------------------------------------------------ Sobol' indices */

/* Evaluations of a Saltelli design with k parameters and N base points: N·(k+2). */
long mv_sobol_nruns(int k, long N);

/* Fills X (N·(k+2) rows × k columns, row-major, values in [0,1)) with the Saltelli (2010)
 * design in blocks of N rows: A (rows 0..N), B (rows N..2N), then for i = 0..k−1 the
 * matrix A_B^(i) — A with column i taken from B — in rows (2+i)N..(3+i)N. Row j of every
 * block belongs to base point j, which the estimators and the bootstrap rely on.
 * Base points: for k ≤ MV_SOBOL_QMC_MAX_K, points 0..N−1 of the 2k-dimensional Sobol'
 * sequence (gsl_qrng_sobol, with the origin as point 0, which GSL skips; A is its first k
 * coordinates, B its last k), each given the same random digital shift (XOR of the 30-bit
 * coordinates with a mask drawn from `seed`), which keeps the sequence's equidistribution;
 * N a power of two balances it best. For larger k: independent uniforms from mt19937
 * seeded with `seed` (plain Monte Carlo, drawn row by row of [A | B]).
 * Returns 0, or -1 with err set (code 2): k outside 1..MV_SENS_MAX_K, N < 2, N·(k+2) above
 * MV_SENS_MAX_RUNS; code 1 if out of memory. */
int mv_sobol_design(int k, long N, uint64_t seed, double *X, struct mv_error *err);

struct mv_sobol_result {
	int k;                    /* parameters */
	long N;                   /* base points */
	int B;                    /* bootstrap resamples, 0: no intervals */
	double mean;              /* mean of f over A and B (2N values) */
	double var;               /* variance V of f over A and B (2N values, divisor 2N − 1);
				   * 0 when f does not vary: every index is then NaN */
	double S1[MV_SENS_MAX_K]; /* first order (Saltelli 2010) */
	double ST[MV_SENS_MAX_K]; /* total effect (Jansen 1999) */
	double S1_lo[MV_SENS_MAX_K], S1_hi[MV_SENS_MAX_K]; /* 95% bootstrap percentile */
	double ST_lo[MV_SENS_MAX_K], ST_hi[MV_SENS_MAX_K]; /* intervals; NaN when B = 0 */
};

/* First-order and total Sobol' indices from the outputs Y of the design above (Y[r] = f of
 * row r of X, N·(k+2) values), with V the variance over A and B:
 *     S1_i = (1/N) Σ_j f(B)_j·(f(A_B^(i))_j − f(A)_j) / V        (Saltelli 2010)
 *     ST_i = (1/(2N)) Σ_j (f(A)_j − f(A_B^(i))_j)² / V            (Jansen 1999)
 * With B > 0, each of B resamples draws N base points with replacement (mt19937 seeded
 * with `seed`, resample by resample, point by point) and recomputes V, S1 and ST on them;
 * the intervals are the 2.5% and 97.5% quantiles of the resampled values (linear
 * interpolation between order statistics). S1 may come out slightly negative or above ST:
 * sampling error, visible in the interval. Returns 0, or -1 with err set: code 2 for
 * k, N as in mv_sobol_design, or B neither 0 nor within MV_SOBOL_MIN_BOOTSTRAP ..
 * MV_SOBOL_MAX_BOOTSTRAP; code 1 for a non-finite Y (the message names its row and block:
 * a failed run) or out of memory. */
int mv_sobol_indices(int k, long N, const double *Y, int B, uint64_t seed,
		     struct mv_sobol_result *res, struct mv_error *err);

/* ------------------------------------------------------------ Morris screening */

/* Evaluations of a Morris design with k parameters and r trajectories: r·(k+1). */
long mv_morris_nruns(int k, int r);

/* Fills X (r·(k+1) rows × k, row-major) with r Morris (1991) trajectories on the p-level
 * grid {0, 1/(p−1), ..., 1} with jump Δ = p/(2(p−1)). Each trajectory starts at a grid
 * point x (every coordinate uniform over the p levels), then moves one coordinate at a time,
 * in a random order, by +Δ or −Δ (whichever stays in [0,1]): rows t(k+1) .. t(k+1)+k.
 * Random choices from mt19937 seeded with `seed`, per trajectory: the k start levels, then
 * the order (gsl_ran_shuffle). p must be even so Δ is a whole number of grid steps.
 * Returns 0, or -1 with err set (code 2): k outside 1..MV_SENS_MAX_K, r < 2, p odd or
 * outside 2..MV_MORRIS_MAX_LEVELS, r·(k+1) above MV_SENS_MAX_RUNS; code 1 out of memory. */
int mv_morris_design(int k, int r, int p, uint64_t seed, double *X, struct mv_error *err);

struct mv_morris_result {
	int k, r;
	double mu[MV_SENS_MAX_K];      /* mean elementary effect */
	double mu_star[MV_SENS_MAX_K]; /* mean |elementary effect| (Campolongo et al. 2007) */
	double sigma[MV_SENS_MAX_K];   /* s.d. of the elementary effects (divisor r − 1) */
};

/* Elementary effects EE_i = (f(x + Δe_i) − f(x))/Δ from a design X (as made by
 * mv_morris_design, or any design of r one-at-a-time trajectories of k+1 rows in the unit
 * cube) and its outputs Y (r·(k+1) values): each step's parameter and signed Δ are read
 * off X, so effects are per unit of the normalised range [0,1] (divide by max − min for
 * the parameter's own unit). Returns 0, or -1 with err set: code 2 for k or r out of range,
 * or a step of X that does not change exactly one coordinate, or a trajectory that moves a
 * coordinate twice (the message names it); code 1 for a non-finite Y. */
int mv_morris_indices(int k, int r, const double *X, const double *Y,
		      struct mv_morris_result *res, struct mv_error *err);

#endif
