/* noise.h — Ornstein–Uhlenbeck shocks ε_i(t) on each vector's log-pull (docs/model.md §6):
 * one path per run, drawn up front from one seeded generator, interpolated linearly in t. */
#ifndef MVSIM_NOISE_H
#define MVSIM_NOISE_H

#include <stdint.h>

#include "mvsim/error.h"
#include "mvsim/scenario.h"

/* Values a path may hold: (K+1)·n doubles, K = ceil((end − start)/step). 10^7 doubles are
 * 80 MB; e.g. 32 vectors over 100 years at a daily step are 1.2·10^6. Beyond: input error. */
#define MV_NOISE_MAX_VALUES 10000000L

struct mv_noise;

/* The effective s.d. σ_i(t) of vector i's shock: its `noise_sigma` when the scenario sets it
 * (file, override, --set or a data series, docs/model.md §10), else noise.sigma; events on
 * vectors.<v>.noise_sigma fold over that base as on any parameter (docs/model.md §5). */
double mv_noise_sigma(const struct mv_scenario *sc, int i, double t);

/* 1 when some vector's σ_i can be > 0 during the run (its base value, or the value at any
 * event boundary of its noise_sigma inside [start, end], is > 0), else 0. With 0 the caller
 * passes no eps to the run at all, so the run is bit-identical to one without noise. */
int mv_noise_active(const struct mv_scenario *sc);

/* Draws the path of scenario sc for generator seed `seed`: on the grid t_k = start + k·step
 * (k = 0..K, t_K ≥ end), ε_0 = 0 and
 *     ε_{k+1,i} = ε_{k,i}·φ + σ_i(t_k)·sqrt(1 − φ²)·N(0,1),   φ = e^{−step/θ},
 * θ = noise.correlation. The N(0,1) come from one GSL mt19937 generator (Ziggurat method,
 * gsl_ran_gaussian_ziggurat), drawn in the order k then i — one draw for every vector, even
 * one with σ_i = 0, so changing one vector's σ never changes another's shocks. mt19937 takes
 * a 32-bit seed: only seed mod 2^32 matters, and every value in [0, 2^32) gives its own
 * stream (0 included; GSL would otherwise map 0 to its default 4357).
 * A single run (`mvsim run`) passes noise.seed; run k of an ensemble or sweep passes
 * mv_noise_run_seed(seed, k). sc is not kept. Returns NULL with err set: code 2 when
 * noise.step or noise.correlation is not > 0, the step is longer than the horizon, a
 * σ_i(t_k) is negative or not finite, or the path would exceed MV_NOISE_MAX_VALUES;
 * code 1 when out of memory. */
struct mv_noise *mv_noise_create(const struct mv_scenario *sc, uint64_t seed,
				 struct mv_error *err);

/* Frees nz; NULL is a no-op. */
void mv_noise_free(struct mv_noise *nz);

/* ε(t) into eps[0..n) with the mv_eps_fn signature (ctx: a struct mv_noise *): linear
 * interpolation between the grid points around t, found in O(1); exactly ε_k at t = t_k
 * computed as start + k·step. Before start it holds ε_0 = 0, after t_K it holds ε_K; a NaN t
 * gives NaN. Reads nz only, so runs in several threads may share one path. */
void mv_noise_eps(void *ctx, double t, double *eps);

/* Run k of an ensemble or sweep with base seed `seed` uses generator seed
 * mv_noise_run_seed(seed, k), which depends on (seed, k) only, never on job count:
 * a 32-bit Murmur3 finaliser of (high half of splitmix64(seed)) + k·0x9E3779B9 (mod 2^32).
 * Both steps are bijections, so for one base seed runs k < 2^32 get distinct streams.
 * The result is < 2^32: `mvsim run --set noise.seed=<it>` replays run k on its own. */
uint64_t mv_noise_run_seed(uint64_t seed, uint64_t k);

/* The grid: K+1 points from start, `step` apart; the path as (K+1) rows of n values
 * (row k is ε(t_k)), owned by nz. For tests and tools. */
long mv_noise_npoints(const struct mv_noise *nz);
int mv_noise_nvec(const struct mv_noise *nz);
double mv_noise_start(const struct mv_noise *nz);
double mv_noise_step(const struct mv_noise *nz);
const double *mv_noise_path(const struct mv_noise *nz);

/* A run's noise, the way `mvsim run`, ensembles and sweeps draw it: when mv_noise_active(sc),
 * the path for generator seed `seed`, handed to the run through opts (eps, eps_ctx, and
 * eps_step so the run lands on the path's kinks). Returns 0 with *nz NULL (no noise) or the
 * path (the caller frees it after the run), or -1 with err set. */
struct mv_run_opts;
int mv_noise_attach(const struct mv_scenario *sc, uint64_t seed, struct mv_run_opts *opts,
		    struct mv_noise **nz, struct mv_error *err);

#endif
