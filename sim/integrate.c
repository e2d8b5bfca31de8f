/* integrate.c — a run: gsl_odeiv2 steps the model from stop to stop (output times and event
 * boundaries), lands exactly on each, and resets the stepper only at event boundaries
 * (docs/model.md §5). The run owns GSL's step, control and evolve objects and applies them
 * itself (gsl_odeiv2_evolve_apply), no gsl_odeiv2_driver in between. */
#include "mvsim/integrate.h"

#include "mvsim/config.h"
#include "mvsim/events.h"
#include "mvsim/noise.h"

#include <float.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STOP_TOL 1e-9 /* years: an output time this close to a boundary is that boundary */

/* Steppers by name (GSL's odeiv2 step types). Implicit ones call the Jacobian. */
static const struct stepper {
	const char *name;
	const gsl_odeiv2_step_type *const *type;
	int implicit;
} steppers[] = {
	{"rk2", &gsl_odeiv2_step_rk2, 0},       {"rk4", &gsl_odeiv2_step_rk4, 0},
	{"rkf45", &gsl_odeiv2_step_rkf45, 0},   {"rkck", &gsl_odeiv2_step_rkck, 0},
	{"rk8pd", &gsl_odeiv2_step_rk8pd, 0},   {"msadams", &gsl_odeiv2_step_msadams, 0},
	{"rk1imp", &gsl_odeiv2_step_rk1imp, 1}, {"rk2imp", &gsl_odeiv2_step_rk2imp, 1},
	{"rk4imp", &gsl_odeiv2_step_rk4imp, 1}, {"bsimp", &gsl_odeiv2_step_bsimp, 1},
	{"msbdf", &gsl_odeiv2_step_msbdf, 1},
};

const char *const mv_integrator_names[] = {"rk2",    "rk4",    "rkf45",  "rkck",
					   "rk8pd",  "msadams", "rk1imp", "rk2imp",
					   "rk4imp", "bsimp",  "msbdf",  NULL};

static const struct stepper *find_stepper(const char *name)
{
	for (size_t k = 0; k < sizeof steppers / sizeof steppers[0]; k++)
		if (strcmp(steppers[k].name, name) == 0)
			return &steppers[k];
	return NULL;
}

int mv_integrator_implicit(const char *name)
{
	const struct stepper *s = find_stepper(name);
	return s ? s->implicit : -1;
}

struct mv_run {
	const struct mv_scenario *sc;
	const struct mv_keytab *kt;
	const struct stepper *stepper;
	long max_steps;
	const double *times; /* output times given by the caller, or NULL */
	long ntimes;
	double eps_step;     /* noise grid step, or 0 */
	struct mv_model model;
	mv_eps_fn eps;       /* noise ε(t), or NULL */
	void *eps_ctx;
	struct mv_noise *nz; /* the scenario's own noise path, drawn by the run (bind), or NULL */
	int ramping;         /* parameters ramp in the current segment: update them each call */
	unsigned ramp_parts; /* and the parts of the prepared model they move (model.h) */
	int nmass;           /* exogenous masses (data series): recompute them each call */
	struct mv_schedule *sched;
	double sched_start, sched_end; /* the horizon sched was compiled for */
	double *p;      /* current parameter values, every slot */
	double *y;      /* state */
	double *row;    /* output row */
	double *work;   /* Jacobian scratch: 3·ny */
	char **cols;    /* output column names, for messages */
	double seg_a, seg_b; /* current segment, for ∂f/∂t */
	int spinning;   /* spin-up: parameters frozen, no ramp updates */
	gsl_odeiv2_system sys;
	gsl_odeiv2_step *step;
	gsl_odeiv2_control *control;
	gsl_odeiv2_evolve *evolve;
	/* GSL's implicit and multistep steppers (rk*imp, bsimp, msadams, msbdf) read the error
	 * levels of the control through step->driver->c (gsl_odeiv2_control_errlevel): this
	 * record names our control for them. It is never allocated, applied or reset as a
	 * driver. */
	gsl_odeiv2_driver link;
	struct mv_run_stats stats;
};

/* The right-hand side while nothing moves between event boundaries (no ramp, no mass series,
 * no noise, or spin-up): the model alone, prepared at the segment's start. */
static int rhs_fixed(double t, const double y[], double dydt[], void *params)
{
	struct mv_run *r = params;
	return mv_model_rhs(t, y, dydt, &r->model);
}

/* The right-hand side while something moves with t: ramping parameters (then the model is
 * prepared again), exogenous masses, the noise. */
static int rhs_moving(double t, const double y[], double dydt[], void *params)
{
	struct mv_run *r = params;

	if (r->ramping) {
		mv_schedule_update(r->sched, t, r->p);
		mv_model_prepare_parts(&r->model, r->ramp_parts);
	}
	if (r->nmass)
		mv_schedule_masses(r->sched, t, r->p, r->model.mexo, NULL);
	if (r->eps)
		r->eps(r->eps_ctx, t, r->model.eps);
	return mv_model_rhs(t, y, dydt, &r->model);
}

/* Picks the right-hand side for what moves now (after a segment starts or spin-up toggles). */
static void choose_rhs(struct mv_run *r)
{
	r->sys.function = !r->spinning && (r->ramping || r->nmass || r->eps) ? rhs_moving : rhs_fixed;
}

static int run_rhs(double t, const double y[], double dydt[], void *params)
{
	struct mv_run *r = params;
	return r->sys.function(t, y, dydt, params);
}

int mv_run_jacobian(struct mv_run *r, double t, const double *y, double *dfdy, double *dfdt)
{
	const int ny = r->model.ny;
	double *f0 = r->work, *f1 = r->work + ny, *yp = r->work + 2 * ny;
	int st;

	r->stats.njac++;
	if ((st = run_rhs(t, y, f0, r)) != GSL_SUCCESS)
		return st;
	memcpy(yp, y, (size_t)ny * sizeof *yp);
	/* Forward differences, step √ε·max(|y_j|, 1): error O(√ε) relative, enough for
	 * the Newton iterations of the implicit steppers. */
	for (int j = 0; j < ny; j++) {
		double h = sqrt(DBL_EPSILON) * fmax(fabs(y[j]), 1.0);
		volatile double yh = y[j] + h;
		h = yh - y[j];
		yp[j] = yh;
		if ((st = run_rhs(t, yp, f1, r)) != GSL_SUCCESS)
			return st;
		for (int i = 0; i < ny; i++)
			dfdy[i * ny + j] = (f1[i] - f0[i]) / h;
		yp[j] = y[j];
	}
	/* ∂f/∂t: nonzero only while a parameter ramps (or noise moves); difference inside
	 * the current segment so no event boundary is crossed. */
	if (r->spinning || (r->eps == NULL && !r->ramping)) {
		for (int i = 0; i < ny; i++)
			dfdt[i] = 0;
		return GSL_SUCCESS;
	}
	double ht = sqrt(DBL_EPSILON) * fmax(fabs(t), 1.0);
	if (ht > 0.5 * (r->seg_b - r->seg_a))
		ht = 0.5 * (r->seg_b - r->seg_a);
	double t1 = t + ht <= r->seg_b ? t + ht : t - ht;
	if ((st = run_rhs(t1, y, f1, r)) != GSL_SUCCESS)
		return st;
	for (int i = 0; i < ny; i++)
		dfdt[i] = (f1[i] - f0[i]) / (t1 - t);
	if (r->ramping) {
		mv_schedule_update(r->sched, t, r->p);
		mv_model_prepare_parts(&r->model, r->ramp_parts);
	}
	return GSL_SUCCESS;
}

static int run_jac(double t, const double y[], double *dfdy, double dfdt[], void *params)
{
	return mv_run_jacobian(params, t, y, dfdy, dfdt);
}

struct mv_model *mv_run_model(struct mv_run *r)
{
	return &r->model;
}

const struct mv_run_stats *mv_run_stats(const struct mv_run *r)
{
	return &r->stats;
}

void mv_run_free(struct mv_run *r)
{
	if (r == NULL)
		return;
	if (r->evolve)
		gsl_odeiv2_evolve_free(r->evolve);
	if (r->control)
		gsl_odeiv2_control_free(r->control);
	if (r->step)
		gsl_odeiv2_step_free(r->step);
	mv_noise_free(r->nz);
	mv_schedule_free(r->sched);
	free(r->p);
	free(r->y);
	free(r->row);
	free(r->work);
	free(r->cols);
	free(r);
}

/* "expected one of rk2, rk4, ..." for an unknown stepper name. */
static int unknown_stepper(const char *method, struct mv_error *err)
{
	char list[256];
	size_t used = 0;

	for (const char *const *n = mv_integrator_names; *n; n++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
					 n == mv_integrator_names ? "" : ", ", *n);
	return mv_error_set(err, MV_EXIT_INPUT, "unknown integrator '%s': expected one of %s",
			    method, list);
}

/* A stepper of type st for the run, replacing the one it has; its driver record names the
 * run's control (see struct mv_run). Returns 0 or -1 (out of memory). */
static int set_stepper(struct mv_run *r, const struct stepper *st)
{
	if (r->step)
		gsl_odeiv2_step_free(r->step);
	r->stepper = st;
	if ((r->step = gsl_odeiv2_step_alloc(*st->type, (size_t)r->model.ny)) == NULL)
		return -1;
	r->link.sys = &r->sys;
	r->link.s = r->step;
	r->link.c = r->control;
	r->link.e = r->evolve;
	gsl_odeiv2_step_set_driver(r->step, &r->link);
	return 0;
}

/* Everything of a run that depends on the scenario's current values and on opts: the row
 * limit, the output times, the tolerances, the event schedule (rebuilt when the horizon
 * moved), the noise. Shared by create and reuse. Returns 0 or -1 with err set. */
static int bind(struct mv_run *r, const struct mv_run_opts *opts, struct mv_error *err)
{
	const struct mv_scenario *sc = r->sc;

	if (mv_run_nrows(sc) > MV_MAX_ROWS)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: setting 'time.output_step': expected at most %ld output rows, found %ld",
				    sc->files[sc->top], MV_MAX_ROWS, mv_run_nrows(sc));
	r->max_steps = opts && opts->max_steps > 0 ? opts->max_steps : MV_DEFAULT_MAX_STEPS;
	r->times = NULL;
	r->ntimes = 0;
	if (opts && opts->times) {
		for (long k = 0; k < opts->ntimes; k++)
			if (!(opts->times[k] >= sc->val[MV_G_START] && opts->times[k] <= sc->val[MV_G_END]) ||
			    (k > 0 && !(opts->times[k] > opts->times[k - 1])))
				return mv_error_set(err, MV_EXIT_INPUT,
						    "output time %ld (%.10g): expected strictly increasing times inside [%.10g, %.10g]",
						    k + 1, opts->times[k], sc->val[MV_G_START], sc->val[MV_G_END]);
		r->times = opts->times;
		r->ntimes = opts->ntimes;
	}
	/* The standard control on y alone (a_y = 1, a_dydt = 0), as gsl_odeiv2_control_y_new. */
	gsl_odeiv2_control_init(r->control, sc->val[MV_G_ATOL], sc->val[MV_G_RTOL], 1.0, 0.0);
	if (r->sched == NULL || r->sched_start != sc->val[MV_G_START] ||
	    r->sched_end != sc->val[MV_G_END]) {
		mv_schedule_free(r->sched);
		if ((r->sched = mv_schedule_create(sc, r->kt, err)) == NULL)
			return -1;
		r->sched_start = sc->val[MV_G_START];
		r->sched_end = sc->val[MV_G_END];
	}
	/* Noise (docs/model.md §6): the caller's path, or the scenario's own unless refused. */
	mv_noise_free(r->nz);
	r->nz = NULL;
	r->eps = opts ? opts->eps : NULL;
	r->eps_ctx = opts ? opts->eps_ctx : NULL;
	r->eps_step = r->eps ? opts->eps_step : 0;
	if (r->eps == NULL && !(opts && opts->noise == MV_RUN_NOISE_OFF)) {
		struct mv_run_opts o = {0};
		uint64_t seed = opts && opts->noise_seed_set ? opts->noise_seed
							      : (uint64_t)sc->val[MV_G_NOISE_SEED];
		if (mv_noise_attach(sc, seed, &o, &r->nz, err))
			return -1;
		r->eps = o.eps;
		r->eps_ctx = o.eps_ctx;
		r->eps_step = o.eps_step;
	}
	return 0;
}

struct mv_run *mv_run_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
			     const struct mv_run_opts *opts, struct mv_error *err)
{
	const char *method = opts && opts->method ? opts->method : sc->method;
	const struct stepper *st = find_stepper(method);
	struct mv_run *r;

	gsl_set_error_handler_off();
	if (st == NULL) {
		unknown_stepper(method, err);
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL)
		goto oom;
	r->sc = sc;
	r->kt = kt;
	r->p = malloc((size_t)sc->nval * sizeof *r->p);
	if (r->p == NULL)
		goto oom;
	memcpy(r->p, sc->val, (size_t)sc->nval * sizeof *r->p);
	mv_model_init(&r->model, sc, r->p);
	r->y = malloc((size_t)r->model.ny * sizeof *r->y);
	r->row = malloc((size_t)r->model.ncols * sizeof *r->row);
	r->work = malloc(3 * (size_t)r->model.ny * sizeof *r->work);
	if (!r->y || !r->row || !r->work)
		goto oom;
	int ncols;
	if ((r->cols = mv_model_columns(sc, &ncols, err)) == NULL) {
		mv_run_free(r);
		return NULL;
	}
	r->sys = (gsl_odeiv2_system){rhs_fixed, run_jac, (size_t)r->model.ny, r};
	/* What gsl_odeiv2_driver_alloc_y_new would build: the stepper, the standard control,
	 * the evolve object (tolerances set by bind). */
	r->control = gsl_odeiv2_control_y_new(sc->val[MV_G_ATOL], sc->val[MV_G_RTOL]);
	r->evolve = gsl_odeiv2_evolve_alloc((size_t)r->model.ny);
	if (r->control == NULL || r->evolve == NULL || set_stepper(r, st))
		goto oom;
	if (bind(r, opts, err)) {
		mv_run_free(r);
		return NULL;
	}
	return r;
oom:
	mv_run_free(r);
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	return NULL;
}

int mv_run_reuse(struct mv_run *r, const struct mv_run_opts *opts, struct mv_error *err)
{
	const char *method = opts && opts->method ? opts->method : r->sc->method;

	if (r->step == NULL || strcmp(method, r->stepper->name) != 0) {
		const struct stepper *st = find_stepper(method);
		if (st == NULL)
			return unknown_stepper(method, err);
		if (set_stepper(r, st))
			return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	}
	return bind(r, opts, err);
}

long mv_run_nrows(const struct mv_scenario *sc)
{
	double span = sc->val[MV_G_END] - sc->val[MV_G_START], step = sc->val[MV_G_OUTPUT_STEP];
	double k = floor(span / step + 1e-9);

	if (!(k < 1e15))
		return LONG_MAX;
	/* Rows at start + k·step, and at end unless the last of those is end already. */
	return (long)k + (span - k * step > STOP_TOL ? 2 : 1);
}

/* Output time number k of nrows. */
static double out_time(const struct mv_run *r, long k, long nrows)
{
	const struct mv_scenario *sc = r->sc;

	if (r->times)
		return r->times[k];
	if (k == nrows - 1)
		return sc->val[MV_G_END];
	return sc->val[MV_G_START] + (double)k * sc->val[MV_G_OUTPUT_STEP];
}

static int check_state(struct mv_run *r, double t, struct mv_error *err)
{
	const int n = r->sc->nvec, D = r->sc->ndom;

	/* Masses and efforts can only go negative through an event's jump (an `add`). */
	for (int i = 0; i < n; i++)
		for (int k = MV_Y_MASS(n, D, i); k <= MV_Y_EFFORT(n, D, i); k += n)
			if (r->y[k] < 0) {
				char name[160];
				mv_model_state_name(r->sc, k, name, sizeof name);
				return mv_error_set(err, MV_EXIT_FAIL,
						    "run failed at t=%.10g: an event made %s = %g (expected >= 0)",
						    t, name, r->y[k]);
			}
	for (int k = 0; k < r->model.ny; k++)
		if (!isfinite(r->y[k])) {
			char name[160];
			mv_model_state_name(r->sc, k, name, sizeof name);
			return mv_error_set(err, MV_EXIT_FAIL,
					    "run failed at t=%.10g: %s = %g is not finite (stepper %s)", t,
					    name, r->y[k], r->stepper->name);
		}
	return 0;
}

static int bad_derivative(struct mv_run *r, struct mv_error *err)
{
	char name[160];

	mv_model_state_name(r->sc, r->model.bad, name, sizeof name);
	return mv_error_set(err, MV_EXIT_FAIL,
			    "run failed at t=%.10g: the derivative of %s is not finite (stepper %s)",
			    r->model.bad_t, name, r->stepper->name);
}

/* The derivatives at the start, so a bad start is reported as such, before any row. */
static int check_rhs(struct mv_run *r, double t, struct mv_error *err)
{
	return run_rhs(t, r->y, r->work, r) == GSL_SUCCESS ? 0 : bad_derivative(r, err);
}

/* Restarts GSL's stepper and evolve objects (what gsl_odeiv2_driver_reset does). */
static void restart(struct mv_run *r)
{
	gsl_odeiv2_evolve_reset(r->evolve);
	gsl_odeiv2_step_reset(r->step);
}

/* Steps from *t to exactly t1. */
static int advance(struct mv_run *r, double *t, double t1, double *h, struct mv_error *err)
{
	while (*t < t1) {
		double h_before = *h;
		if (mv_interrupt)
			return mv_error_interrupted(err);
		if (r->stats.nsteps + r->stats.nfailed >= r->max_steps)
			return mv_error_set(err, MV_EXIT_FAIL,
					    "run failed at t=%.10g: step limit of %ld steps reached (stepper %s); "
					    "the system may be stiff: try --integrator msbdf",
					    *t, r->max_steps, r->stepper->name);
		unsigned long failed0 = r->evolve->failed_steps;
		int st = gsl_odeiv2_evolve_apply(r->evolve, r->control, r->step, &r->sys, t, t1, h,
						 r->y);
		r->stats.nfailed += (long)(r->evolve->failed_steps - failed0);
		if (st == GSL_EBADFUNC)
			return bad_derivative(r, err);
		if (st != GSL_SUCCESS)
			return mv_error_set(err, MV_EXIT_FAIL,
					    "run failed at t=%.10g: %s (stepper %s, step %g); the system may be "
					    "stiff or discontinuous: try --integrator msbdf or a larger --rtol",
					    *t, st == GSL_FAILURE ? "the step size fell below the precision of t"
								  : gsl_strerror(st),
					    r->stepper->name, *h);
		r->stats.nsteps++;
		/* A step shortened to land on t1 says nothing about the next step's size. */
		if (*t == t1 && *h < h_before)
			*h = h_before;
	}
	return check_state(r, *t, err);
}

static int emit(struct mv_run *r, double t, mv_row_fn row, void *ctx, struct mv_error *err)
{
	const int n = r->sc->nvec, D = r->sc->ndom;

	if (r->ramping) {
		mv_schedule_update(r->sched, t, r->p);
		mv_model_prepare_parts(&r->model, r->ramp_parts);
	}
	mv_schedule_masses(r->sched, t, r->p, r->model.mexo, NULL);
	for (int i = 0; i < n; i++)
		if (r->model.exo[i])
			r->y[MV_Y_MASS(n, D, i)] = r->model.mexo[i];
	if (r->eps)
		r->eps(r->eps_ctx, t, r->model.eps);
	mv_model_row(&r->model, t, r->y, r->row);
	for (int c = 0; c < r->model.ncols; c++)
		if (!isfinite(r->row[c]))
			return mv_error_set(err, MV_EXIT_FAIL,
					    "run failed at t=%.10g: %s = %g is not finite (stepper %s)", t,
					    r->cols[c], r->row[c], r->stepper->name);
	r->stats.nrows++;
	return row ? row(ctx, r->row, r->model.ncols, err) : 0;
}

/* Starts the segment [a, b] between event boundaries: the parameters valid on it, what
 * cannot change on it prepared once, the right-hand side for what moves. */
static void segment(struct mv_run *r, double a, double b)
{
	int slots[64];
	mv_schedule_segment(r->sched, a, r->p);
	r->ramping = mv_schedule_update(r->sched, a, r->p) > 0; /* the same values at a */
	int nmove = mv_schedule_moving(r->sched, slots, 64);
	r->ramp_parts = nmove > 64 ? MV_PREP_ALL : 0;
	for (int k = 0; k < nmove && k < 64; k++)
		r->ramp_parts |= mv_model_depends(&r->model, slots[k]);
	mv_model_prepare(&r->model);
	choose_rhs(r);
	r->seg_a = a;
	r->seg_b = b;
}

int mv_run_exec(struct mv_run *r, mv_row_fn row, void *ctx, struct mv_error *err)
{
	const struct mv_scenario *sc = r->sc;
	const int n = sc->nvec, D = sc->ndom;
	const double start = sc->val[MV_G_START], end = sc->val[MV_G_END];
	const double spinup = sc->val[MV_G_SPINUP];
	const double *bounds = mv_schedule_boundaries(r->sched);
	const int nb = mv_schedule_nboundaries(r->sched);
	const long nrows = r->times ? r->ntimes : mv_run_nrows(sc);
	double h = sc->val[MV_G_INITIAL_STEP], t;

	memset(&r->stats, 0, sizeof r->stats);
	r->model.nevals = 0;
	for (int i = 0; i < n; i++) {
		for (int d = 0; d < D; d++)
			r->y[MV_Y_SHARE(n, d, i)] = sc->val[mv_key_share(n, D, i, d)];
		r->y[MV_Y_MASS(n, D, i)] = sc->val[mv_key_vec(n, D, i, MV_VP_MASS)];
		r->y[MV_Y_EFFORT(n, D, i)] = sc->val[mv_key_vec(n, D, i, MV_VP_EFFORT)];
		r->y[MV_Y_TENSION(n, D, i)] = sc->val[mv_key_vec(n, D, i, MV_VP_TENSION)];
	}
	r->y[MV_Y_PROB(n, D)] = 0;
	restart(r);
	memset(r->model.eps, 0, sizeof r->model.eps);
	/* Masses driven by data start at the series' value (and stay there in spin-up). */
	memset(r->model.exo, 0, sizeof r->model.exo);
	segment(r, start, nb > 0 ? bounds[0] : end);
	r->nmass = mv_schedule_masses(r->sched, start, r->p, r->model.mexo, r->model.exo);
	mv_model_prepare(&r->model); /* the exogenous masses' growth is 0 */
	choose_rhs(r);
	for (int i = 0; i < n; i++)
		if (r->model.exo[i])
			r->y[MV_Y_MASS(n, D, i)] = r->model.mexo[i];

	if (spinup > 0) {
		/* Shares, effort and tension relax with every parameter and mass frozen at its
		 * start value; the time axis of the spin-up is start − spinup .. start. */
		mv_eps_fn eps = r->eps;
		r->spinning = 1;
		r->model.frozen = 1;
		r->eps = NULL;
		mv_model_prepare(&r->model);
		choose_rhs(r);
		t = start - spinup;
		int rc = advance(r, &t, start, &h, err);
		r->spinning = 0;
		r->model.frozen = 0;
		r->eps = eps;
		mv_model_prepare(&r->model);
		choose_rhs(r);
		if (rc)
			return rc;
		r->y[MV_Y_PROB(n, D)] = 0;
		restart(r);
		h = sc->val[MV_G_INITIAL_STEP];
	}
	t = start;
	int next_jump = mv_schedule_jumps(r->sched, start, 0, r->y);
	if (check_state(r, t, err) || check_rhs(r, t, err))
		goto fail;
	long ko = 0, kn = 1;
	if (nrows > 0 && out_time(r, 0, nrows) <= start + STOP_TOL) {
		if (emit(r, t, row, ctx, err))
			goto fail;
		ko = 1;
	}
	int kb = 0;
	while (ko < nrows) { /* past the last output nothing more can be seen */
		double tout = ko < nrows ? out_time(r, ko, nrows) : INFINITY;
		double tb = kb < nb ? bounds[kb] : INFINITY;
		int is_b = tb <= tout + STOP_TOL, is_out = tout <= tb + STOP_TOL;
		double s = is_b ? tb : tout;
		/* Noise kinks before the next stop: land on them without a reset. */
		while (r->eps_step > 0) {
			double tn = start + (double)kn * r->eps_step;
			if (tn >= s - STOP_TOL)
				break;
			if (advance(r, &t, tn, &h, err))
				goto fail;
			kn++;
		}
		if (r->eps_step > 0 && fabs(start + (double)kn * r->eps_step - s) <= STOP_TOL)
			kn++;

		if (advance(r, &t, s, &h, err))
			goto fail;
		if (is_b) {
			next_jump = mv_schedule_jumps(r->sched, s, next_jump, r->y);
			kb++;
			segment(r, s, kb < nb ? bounds[kb] : end);
			/* The right-hand side changes abruptly here: restart the stepper. */
			gsl_odeiv2_step_reset(r->step);
			gsl_odeiv2_evolve_reset(r->evolve);
			r->stats.nresets++;
			if (check_state(r, t, err))
				goto fail;
		}
		if (is_out) {
			if (emit(r, is_b ? tout : s, row, ctx, err))
				goto fail;
			ko++;
		}
	}
	r->stats.nevals = r->model.nevals;
	return 0;
fail:
	r->stats.nevals = r->model.nevals;
	return -1;
}
