/* sweeprun.h — a sweep's runs collected in memory: the points of its design through the batch
 * loop (batch.h), as `mvsim sweep` runs them (the same sampler, map, seeds and metrics), with
 * every run's parameter values, metrics and status kept for an analysis that needs them all
 * at once (scenario discovery, docs/discovery.md). */
#ifndef MVSIM_SWEEPRUN_H
#define MVSIM_SWEEPRUN_H

#include "mvsim/error.h"
#include "mvsim/sweep.h"

#include "mvsim/batch.h"

/* ---- a sweep's design as a batch: what `mvsim sweep` and mv_sweep_collect share */

struct mv_sweep_points; /* opaque: the sampler, its point buffer and the parameters' slots */

/* Fills the fields of *spec (zeroed first) that come from sweep sw: its parameters' key
 * slots, point k the sampler's point k mapped by mv_sweep_map (docs/model.md §8), its
 * metrics and its seed (run k's seed mv_batch_seed(sw->seed, k)). The caller adds result,
 * jobs and sink. Returns the points' state, which spec points into (free it with
 * mv_sweep_points_free after the batch), or NULL with err (code 1 out of memory; code 2 a
 * design the sampler refuses). */
struct mv_sweep_points *mv_sweep_batch_spec(const struct mv_sweep *sw,
					    struct mv_batch_spec *spec, struct mv_error *err);

/* Frees p (NULL: nothing). */
void mv_sweep_points_free(struct mv_sweep_points *p);

/* ---- all of a sweep's runs in memory */

/* The runs kept in memory take runs × (parameters + metrics) × 8 bytes, at most this. */
#define MV_SWEEPRUN_MAX_BYTES (1L << 30) /* 1 GiB: 10^6 runs of 64 parameters, 64 metrics */

/* The runs of a sweep (plain data; free with mv_sweep_runs_free). */
struct mv_sweep_runs {
	long n;                /* runs, in run order (run k is row k) */
	int nparams, nmetrics; /* as the sweep's */
	double *x;             /* n·nparams parameter values, row-major */
	double *metrics;       /* n·nmetrics metrics, row-major; NaN for every one of a failed run */
	unsigned char *failed; /* n flags: 1 the run failed */
	long nfailed;          /* runs that failed */
	long first_failed;     /* the first failed run's number, or -1 */
	char first_reason[256];/* its reason ("" when none failed) */
};

/* Called after each run delivered (done of the sweep's runs so far), in run order. */
typedef void (*mv_sweep_progress_fn)(void *ctx, long done);

/* Runs every point of sw (a noisy point runs noisy, run k with seed mv_batch_seed(seed, k), as in `mvsim sweep`) through mv_batch_exec with jobs
 * threads (<= 0: every core) and keeps them. A failed run is kept as failed (its metrics
 * NaN); the sweep goes on. progress (may be NULL) is called after each run.
 * Returns 0 with *out set; 1 when mv_interrupt stopped it (err set as mv_error_interrupted,
 * *out NULL); -1 with err set: code 2 for noise or a sweep whose runs would take more than
 * MV_SWEEPRUN_MAX_BYTES, 1 when out of memory or the batch failed. */
int mv_sweep_collect(const struct mv_sweep *sw, int jobs, mv_sweep_progress_fn progress,
		     void *ctx, struct mv_sweep_runs **out, struct mv_error *err);

/* Frees r (NULL: nothing). */
void mv_sweep_runs_free(struct mv_sweep_runs *r);

#endif
