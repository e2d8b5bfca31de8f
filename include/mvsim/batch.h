/* batch.h — the one loop around runs: sweeps, ensembles and sensitivity analyses hand it points,
 * it runs them on OpenMP threads and hands the results back in run order, whatever the threads. */
#ifndef MVSIM_BATCH_H
#define MVSIM_BATCH_H

#include <signal.h>
#include <stdint.h>

#include "mvsim/error.h"
#include "mvsim/integrate.h"
#include "mvsim/keys.h"
#include "mvsim/metrics.h"
#include "mvsim/scenario.h"

#define MV_BATCH_WINDOW_PER_JOB 64 /* default reorder window: runs per thread */

enum mv_run_status {
	MV_RUN_OK = 0, /* the run went from start to end */
	MV_RUN_FAILED  /* invalid point, numerical failure, or the run could not be set up */
};

/* A run, as the per-run hooks see it. Valid during the hook only. */
struct mv_batch_run {
	long k;                       /* run number */
	uint64_t seed;                /* mv_batch_seed(spec seed, k): for noise, never thread-dependent */
	const double *x;              /* the point: one value per spec slot */
	const struct mv_scenario *sc; /* the run's private scenario: the base values with x set; its
				       * `sets` end with one "KEY=VALUE" per point value (exact:
				       * mv_format_exact) */
};

/* Fills x[0..nparams) with point k. The batch calls it under its lock, one call at a time,
 * with k increasing within one mv_batch_exec (so a sequential generator can step forward);
 * the result must depend on k only. Returns 0, or -1 with err set (the batch stops). */
typedef int (*mv_point_fn)(void *ctx, long k, double *x, struct mv_error *err);

/* One run's result. Valid during the callback only. */
struct mv_batch_result {
	long k;                           /* run number */
	uint64_t seed;                    /* as in struct mv_batch_run */
	const double *x;                  /* the point */
	const double *metrics;            /* one per spec metric; NaN for every one when failed */
	int status;                       /* enum mv_run_status */
	const char *reason;               /* "" when ok; else the error (one line) */
	void *payload;                    /* what the sink's end returned (NULL without a sink) */
	const struct mv_run_stats *stats; /* of the integration (zeros if it never started) */
};

/* Receives the results in increasing run order, one call at a time (under the batch's lock,
 * from whichever thread completed the gap). Returns 0, or -1 with err set: the batch stops. */
typedef int (*mv_result_fn)(void *ctx, const struct mv_batch_result *res, struct mv_error *err);

/* Optional per-run hooks: called on worker threads, several at once (each for its own run),
 * so they must only touch their run's own state or lock. Any hook may be NULL.
 *   begin   before the run starts: may set opts->eps/eps_ctx (a noise path of its own) and
 *           a per-run context *run_ctx for row and end. Without a path of the hook's, the
 *           batch runs the point with its scenario's noise whenever mv_noise_active says it
 *           has any (an event on a noise_sigma included), drawn from generator seed
 *           mv_batch_seed(spec.seed, k) (docs/model.md §6).
 *   row     every output row of the run (ctx: *run_ctx); nonzero with err set: I/O failure,
 *           the batch stops (a sink failure is not the run's fault).
 *   end     after the run (status: enum mv_run_status); *payload travels with the result.
 *   release after the result carrying the payload was delivered, or when a stopped batch
 *           discards it.
 * begin, row and end return 0, or -1 with err set: the batch stops with that error. */
struct mv_batch_sink {
	int (*begin)(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
		     void **run_ctx, struct mv_error *err);
	mv_row_fn row;
	int (*end)(void *ctx, const struct mv_batch_run *run, void *run_ctx, int status,
		   void **payload, struct mv_error *err);
	void (*release)(void *ctx, void *payload);
	void *ctx;
};

/* What to run (plain data; mv_batch_create copies the arrays). */
struct mv_batch_spec {
	int nparams;                      /* values per point */
	const int *slots;                 /* key slot (mv_scenario.val index) of each value */
	int nmetrics;
	const struct mv_metric *metrics;  /* reduced per run (metrics.h) */
	mv_point_fn point;                /* required */
	void *point_ctx;
	mv_result_fn result;              /* required */
	void *result_ctx;
	const struct mv_batch_sink *sink; /* NULL: none (copied) */
	struct mv_run_opts run_opts;      /* stepper, step limit; the defaults of each run's opts */
	int jobs;                         /* threads; <= 0: every core (1 without OpenMP) */
	int window;                       /* results held for reordering; <= 0: 64 per job */
	uint64_t seed;                    /* base of the per-run seeds */
	volatile sig_atomic_t *stop;      /* NULL, or a flag of the caller's: when nonzero no
					   * new run starts (mv_interrupt is always such a flag) */
};

struct mv_batch;

/* Prepares runs of scenario sc (key table kt; both must outlive the batch and are only read).
 * Returns NULL with err set: code 2 for a slot that is not a key or an unknown stepper, 1 when
 * out of memory. */
struct mv_batch *mv_batch_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
				 const struct mv_batch_spec *spec, struct mv_error *err);

/* Frees b; NULL is a no-op. */
void mv_batch_free(struct mv_batch *b);

/* Runs k = first + i·stride for i in [0, count): each on a private copy of the scenario's
 * values with the point set, validated (mv_config_validate; an invalid point is a failed run
 * whose reason starts "invalid point: "), integrated, reduced to its metrics; delivers each
 * result through spec.result in increasing k. A run that fails is a result with status
 * MV_RUN_FAILED and the error's message as reason; the batch goes on. At most `window`
 * results wait for an earlier one, so memory does not grow with count.
 * *ndone (if not NULL) receives the number of results delivered: always a prefix of the runs.
 * Stopping: when mv_interrupt (error.h: SIGINT/SIGTERM) or spec.stop is set, no new run
 * starts; runs in flight finish, except that a run stopped by mv_interrupt itself (its error
 * code is 128 + signal) is no result and is never delivered; results after the first run
 * not delivered are discarded.
 * Returns 0 when every run was delivered, 1 when a stop ended it early, -1 with err set when
 * a callback or hook failed, the point generator failed, or memory ran out. */
int mv_batch_exec(struct mv_batch *b, long first, long count, long stride, long *ndone,
		  struct mv_error *err);

/* The seed of run k for base seed `seed`: a function of (seed, k) only (docs/model.md §6),
 * < 2^32 so `--set noise.seed=<it>` replays the run. */
uint64_t mv_batch_seed(uint64_t seed, long k);

/* Number of threads mv_batch_exec uses for jobs (<= 0: every core). */
int mv_batch_jobs(int jobs);

#endif
