/* integrate.h — a run: the scenario's state stepped with gsl_odeiv2 through its events,
 * rows handed to a callback at every output time (docs/model.md §5). */
#ifndef MVSIM_INTEGRATE_H
#define MVSIM_INTEGRATE_H

#include <stdint.h>

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/model.h"
#include "mvsim/scenario.h"

#define MV_DEFAULT_MAX_STEPS 1000000L

struct mv_run_opts {
	const char *method; /* stepper name; NULL: the scenario's integrator.method */
	long max_steps;     /* accepted + rejected steps allowed; 0: MV_DEFAULT_MAX_STEPS */
	mv_eps_fn eps;      /* noise ε_i(t) on log-pulls (a path of the caller's); NULL: see noise */
	void *eps_ctx;
	double eps_step;    /* > 0: also stop at start + k·eps_step, the kinks of a piecewise-
			     * linear ε (noise.step), where steps would otherwise be rejected */
	const double *times; /* output times instead of the scenario's grid (e.g. observation
			      * times of a fit): strictly increasing, inside [start, end];
			      * NULL: start + k·output_step and end. Not copied. */
	long ntimes;
	int noise;           /* without eps: MV_RUN_NOISE_SCENARIO (0, the default) draws the
			      * scenario's own noise when mv_noise_active(sc) says it has any
			      * (docs/model.md §6), with generator seed noise_seed when
			      * noise_seed_set, else noise.seed; MV_RUN_NOISE_OFF: none */
	int noise_seed_set;
	uint64_t noise_seed;
};

enum { MV_RUN_NOISE_SCENARIO = 0, MV_RUN_NOISE_OFF = 1 };

struct mv_run_stats {
	long nevals;  /* right-hand-side evaluations (Jacobian columns included) */
	long nsteps;  /* accepted steps */
	long nfailed; /* rejected steps */
	long nresets; /* stepper resets at event boundaries */
	long nrows;   /* rows handed to the callback */
	long njac;    /* Jacobian evaluations */
};

/* Receives one output row (docs/model.md §7 column order). Returns 0 to go on; nonzero stops the
 * run, which then fails with the error the callback set in err. */
typedef int (*mv_row_fn)(void *ctx, const double *row, int ncols, struct mv_error *err);

struct mv_run;

/* Prepares a run of sc (key table kt; both must outlive the run), with the scenario's noise
 * unless opts bring their own (eps) or refuse it (opts->noise). Returns NULL with err set:
 * code 2 for an unknown stepper name, too many rows, bad output times or noise settings,
 * 1 on allocation failure. */
struct mv_run *mv_run_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
			     const struct mv_run_opts *opts, struct mv_error *err);

/* Makes r ready for another run of the same scenario object after its values changed (a
 * batch's worker sets each point into one scenario), with new opts: the stepper, control,
 * evolve object and buffers are kept (a new stepper only if opts name another), the
 * tolerances, row limit, output times and noise are taken anew, the event schedule is
 * rebuilt only if time.start or time.end moved. The result of mv_run_exec is then that of
 * a run created afresh. Returns 0, or -1 with err set as mv_run_create. */
int mv_run_reuse(struct mv_run *r, const struct mv_run_opts *opts, struct mv_error *err);
void mv_run_free(struct mv_run *r);

/* Integrates from time.start to time.end, calling row(ctx, ...) at every output time.
 * Returns 0, or -1 with err set: code 1 when a step fails, a derivative or state is not
 * finite, or the step limit is reached (the message names the time, the variable and the
 * stepper), or the callback's own error. A run may be executed again (same result). */
int mv_run_exec(struct mv_run *r, mv_row_fn row, void *ctx, struct mv_error *err);

/* Statistics of the last mv_run_exec. */
const struct mv_run_stats *mv_run_stats(const struct mv_run *r);

/* Number of output rows the scenario asks for. */
long mv_run_nrows(const struct mv_scenario *sc);

/* The Jacobian by finite differences at (t, y) with the run's current parameters, in GSL's
 * layout (dfdy[i*ny + j] = ∂f_i/∂y_j), and ∂f/∂t. Exposed for tests. Returns a GSL status. */
int mv_run_jacobian(struct mv_run *r, double t, const double *y, double *dfdy, double *dfdt);

/* The run's model and current parameter values (for tests and tools). */
struct mv_model *mv_run_model(struct mv_run *r);

/* Is name a stepper that needs a Jacobian? -1 if unknown. */
int mv_integrator_implicit(const char *name);

#endif
