/* sweep.h — sweep files (docs/model.md §8): which keys vary over which ranges, how they are sampled,
 * the metrics kept per run and the checks that gate CI; samplers as a table by method name. */
#ifndef MVSIM_SWEEP_H
#define MVSIM_SWEEP_H

#include <stdint.h>

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/metrics.h"
#include "mvsim/scenario.h"

#define MV_SWEEP_MAX_RUNS 1000000L    /* default sweep.max_runs: runs (grid points or samples) */
#define MV_SWEEP_MAX_PARAMS 64        /* parameters per sweep */
#define MV_SWEEP_MAX_METRICS 256      /* metrics per sweep (checks' metrics included) */
#define MV_SWEEP_MAX_LEVELS 1000000   /* `steps` or `values` of one parameter */
#define MV_SOBOL_MAX_DIM 40           /* GSL's Sobol generator supports 1 to 40 dimensions */

/* One swept key. A parameter is continuous over [min, max] (nlevels 0), or takes one of
 * nlevels values: `steps` evenly spaced from min to max, or a `values` list. */
struct mv_sweep_param {
	char *key;       /* e.g. "vectors.russia.coercion"; owned */
	int slot;        /* its slot in mv_scenario.val */
	double min, max; /* the range (of the levels, for a discrete parameter) */
	int nlevels;     /* 0: continuous */
	double *levels;  /* nlevels values in the file's order; owned */
	int line;        /* line of the parameter in the sweep file */
	int normalise;   /* `normalise = true` (initial shares only): the domain's other shares
			  * are rescaled at each point so that they sum to 1 (sc->normalise_domains) */
};

/* A loaded sweep (plain data; free with mv_sweep_free). */
struct mv_sweep {
	char *path;                  /* the sweep file as given */
	char sha256[65];             /* of the sweep file, hex */
	char *scenario_path;         /* `scenario`, joined to the sweep file's directory */
	struct mv_scenario *sc;      /* the scenario, with the --set assignments; owned */
	struct mv_keytab kt;         /* its keys; owned */
	char **columns;              /* its output columns (one block, free()); owned */
	int ncols;
	const char *method;          /* "grid", "random", "lhs" or "sobol" (static string); NULL
				      * when MV_SWEEP_DESIGN_UNUSED and the file names none */
	long samples;                /* `samples`; for grid, the number of grid points */
	long nruns;                  /* runs of the whole sweep: samples */
	long max_runs;               /* sweep.max_runs, default MV_SWEEP_MAX_RUNS */
	uint64_t seed;               /* sweep.seed, default 1: the samplers' and the runs' seeds */
	int nparams;
	struct mv_sweep_param *params;
	int nmetrics;                /* `metrics`, then the checks' metrics not listed there */
	struct mv_metric *metrics;
	char **metric_names;         /* their text, as in the summary header; owned */
	int nchecks;
	struct mv_check *checks;
};

/* Loads the sweep file at path: reads `scenario` (relative to the sweep file) and loads it
 * with the assignments sets[0..nsets) ("KEY=VALUE"), then reads and checks `sweep` against
 * that scenario's keys and columns. Returns the sweep, or NULL with err set: code 2 for every
 * input error (`file:line: setting 'sweep.x': expected X, found Y`: unknown settings, keys,
 * reducers or columns with a suggestion, min > max, steps < 1, samples < 1, a grid or sample
 * count above max_runs, values outside a key's range, ...), code 1 when out of memory. */
struct mv_sweep *mv_sweep_load(const char *path, int nsets, char *const *sets,
			       struct mv_error *err);

/* Flags of mv_sweep_load_opts. */
enum {
	/* The caller has its own design (mvsim sensitivity): `method` and `samples` may be left
	 * out (if `method` is given, both are read and checked as usual); without a method,
	 * sw->method is NULL and sw->samples, sw->nruns 0. */
	MV_SWEEP_DESIGN_UNUSED = 1u << 0
};

/* mv_sweep_load with flags (MV_SWEEP_*). */
struct mv_sweep *mv_sweep_load_opts(const char *path, int nsets, char *const *sets,
				    unsigned flags, struct mv_error *err);

/* Frees sw and everything it owns; NULL is a no-op. */
void mv_sweep_free(struct mv_sweep *sw);

/* Maps a point u of the unit cube [0,1)^nparams to parameter values x: a continuous
 * parameter takes min + u·(max − min); a discrete one level floor(u·nlevels). */
void mv_sweep_map(const struct mv_sweep *sw, const double *u, double *x);

/* The methods, NULL-terminated, in table order. */
extern const char *const mv_sweep_methods[];

/* A sampler: points of the unit cube by number. Stateful (one per thread of use). */
struct mv_sampler;

/* Creates a sampler of method for dim dimensions:
 *   grid    every combination of levels[0..dim) (u_j = (index_j + 0.5)/levels_j), the first
 *           dimension varying slowest; n is ignored (the product of the levels);
 *   random  independent uniforms from a GSL mt19937 generator seeded with `seed`, drawn in
 *           the order point then dimension;
 *   lhs     a Latin hypercube of n points: in each dimension point k lies in stratum
 *           π_j(k) of n equal strata, π_j a keyed pseudo-random permutation (a Feistel
 *           network with cycle walking, keys from mt19937(seed)), jittered uniformly within
 *           the stratum (the same generator, point then dimension); O(dim) memory for any n;
 *   sobol   GSL's Sobol sequence (gsl_qrng_sobol) from its first point; dim <= 40.
 * Returns NULL with err set (code 2: unknown method, dim out of range; 1: out of memory). */
struct mv_sampler *mv_sampler_create(const char *method, int dim, long n, uint64_t seed,
				     const int *levels, struct mv_error *err);

/* Fills u[0..dim) with point k (0-based). Any k < n may be asked; asking in increasing
 * order is cheapest (random, lhs and sobol generate sequentially and restart on a smaller k).
 * Returns 0, or -1 when k is out of range. */
int mv_sampler_next(struct mv_sampler *s, long k, double *u);

/* Frees s; NULL is a no-op. */
void mv_sampler_free(struct mv_sampler *s);

#endif
