/* fit.c — the calibration solver (docs/model.md §11, §11a): for every origin and every start,
 * bounded least squares with gsl_multifit_nlinear over model runs, which all go through the
 * library's batch loop (mv_batch_exec: the Jacobian's columns in parallel, each run a function
 * of its point only); the best start's standard errors, scores and yardsticks. Loading is
 * fit_load.c, the report fit_report.c. */
#include "mvsim/fit.h"

#include "mvsim/batch.h"
#include "mvsim/integrate.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Forward-difference step of parameter j: FD_REL·max(|x_j|, FD_FLOOR·min(max − min,
 * max(|start_j|, 1))). The model is a numerical integration (rtol ~1e-8): a step much below
 * ~1e-6 relative would difference integration noise, a much larger one the curvature; the
 * floor (for x near 0) is tied to the box only as far as the start's magnitude, so a wide box
 * does not make the step wide. See docs/calibration.md. */
#define FD_REL 1e-6
#define FD_FLOOR 1e-3
/* The parameter's scale s: the start's magnitude, at least SCALE_FLOOR·min(max − min, 1). */
#define SCALE_FLOOR 1e-3
/* A start on a bound is moved this fraction of the bound's band w inside: there the slope
 * dx/du is NUDGE of the interior's, so the solver can leave the bound. */
#define NUDGE 1e-6
/* Restarts of a start that stopped on a bound the SSR falls away from (bound_violations). */
#define MAX_RESTARTS 3
/* Residual of a trial point whose run fails: far above any real one, so the step is rejected. */
#define PENALTY 1e6

static int oom(struct mv_error *err)
{
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
}

/* ================================================================ the bounds transform */

/* The solver works on an unbounded u; the model sees x = φ(s·u), φ the identity on
 * [min + w, max − w] and an exponential approach to each bound within its band:
 *   φ(y) = min + w·exp((y − min − w)/w)   below min + w,
 *   φ(y) = max − w·exp((max − w − y)/w)   above max − w,
 * C¹ everywhere, w = min(s, (max − min)/4). So u resolves x relative to the start's scale s
 * whatever the width of the box (a sine over the whole box, min + (max − min)(1 + sin u)/2,
 * resolves it relative to max − min: with max = 1e17 and an optimum at 0.8 it cannot find
 * it), and a bound is approached in log distance, reached within MV_FIT_BOUND_TOL in a few
 * steps. s is a power of two, so x → u → x is exact in the interior. */
struct xform {
	double lo, hi; /* the box */
	double s, w;   /* scale and band */
};

static void xform_init(struct xform *T, const struct mv_fit_param *p, double x0)
{
	double width = p->max / 2 - p->min / 2; /* half the width: finite for any finite box */
	double v = fmax(fabs(x0), SCALE_FLOOR * fmin(2 * width, 1.0));
	int e;
	frexp(v, &e);
	T->lo = p->min;
	T->hi = p->max;
	T->s = ldexp(1.0, e); /* in [v, 2v) */
	T->w = fmin(T->s, width / 2);
}

static double xform_x(const struct xform *T, double u)
{
	double y = T->s * u, x;
	if (y < T->lo + T->w)
		x = T->lo + T->w * exp((y - T->lo - T->w) / T->w);
	else if (y > T->hi - T->w)
		x = T->hi - T->w * exp((T->hi - T->w - y) / T->w);
	else
		x = y;
	return x < T->lo ? T->lo : x > T->hi ? T->hi : x;
}

static double xform_dxdu(const struct xform *T, double u)
{
	double y = T->s * u;
	if (y < T->lo + T->w)
		return T->s * exp((y - T->lo - T->w) / T->w);
	if (y > T->hi - T->w)
		return T->s * exp((T->hi - T->w - y) / T->w);
	return T->s;
}

static double xform_u(const struct xform *T, double x)
{
	double y;
	double dlo = x - T->lo, dhi = T->hi - x;
	if (dlo < NUDGE * T->w)
		dlo = NUDGE * T->w;
	if (dhi < NUDGE * T->w)
		dhi = NUDGE * T->w;
	if (dlo < T->w)
		y = T->lo + T->w + T->w * log(dlo / T->w);
	else if (dhi < T->w)
		y = T->hi - T->w - T->w * log(dhi / T->w);
	else
		y = x;
	return y / T->s;
}

/* ================================================================ model runs (the batch) */

/* Where one run's rows go: the observed columns at each of the run's times. */
struct run_slot {
	const struct mv_fit *f;
	double *rows; /* ntimes × nobs */
	long n;       /* rows received */
	long cap;
};

struct engine {
	const struct mv_fit *f;
	const struct mv_fit_origin *og;
	int p, m, jobs;
	struct mv_batch *batch;
	/* One mv_batch_exec: runs k = 0..ncall−1 at pts[k·p..], ntimes_call times each. */
	int ncall;
	int ntimes_call;
	double *pts;                 /* (p + 1) × p */
	struct run_slot *slots;      /* p + 1 */
	int *status;                 /* p + 1: enum mv_run_status */
	char (*reason)[MV_ERROR_MAX];/* p + 1 */
	struct xform T[MV_FIT_MAX_PARAMS];
	long nruns, nfailed;
	struct mv_error first_failure; /* of a rejected trial point (for the report) */
	double *colres;              /* p × m: residuals of the Jacobian's runs, column j at j·m */
	gsl_vector *cache_u, *cache_r; /* the last successful residual evaluation */
	int cache_ok;
	int fatal;                   /* a Jacobian run failed: err holds why */
	struct mv_error err;
	double h[MV_FIT_MAX_PARAMS]; /* finite-difference steps of the last Jacobian */
	int origin, start;           /* for progress */
};

static int cb_point(void *ctx, long k, double *x, struct mv_error *err)
{
	const struct engine *E = ctx;
	(void)err;
	memcpy(x, E->pts + (size_t)k * (size_t)E->p, (size_t)E->p * sizeof *x);
	return 0;
}

static int cb_result(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct engine *E = ctx;
	(void)err;
	E->status[res->k] = res->status;
	snprintf(E->reason[res->k], MV_ERROR_MAX, "%s", res->reason ? res->reason : "");
	return 0;
}

static int sink_begin(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
		      void **run_ctx, struct mv_error *err)
{
	struct engine *E = ctx;
	struct run_slot *s = &E->slots[run->k];
	(void)err;
	s->n = 0;
	s->cap = E->ntimes_call;
	opts->times = E->og->times;
	opts->ntimes = E->ntimes_call;
	*run_ctx = s;
	return 0;
}

static int sink_row(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	struct run_slot *s = ctx;
	const struct mv_fit *f = s->f;
	(void)ncols;
	(void)err;
	if (s->n < s->cap)
		for (int q = 0; q < f->nobs; q++)
			s->rows[s->n * f->nobs + q] = row[f->obs[q].col];
	s->n++;
	return 0;
}

/* Describes x as "key=value, ..." into buf. */
static void point_str(const struct mv_fit *f, const double *x, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int j = 0; j < f->nparams && used < size; j++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s=%.10g", j ? ", " : "",
					 f->params[j].key, x[j]);
}

/* Runs the points pts[0..n) through the origin's first ntimes times (mv_batch_exec). Returns
 * 0 with every run's status set, or -1 with err set when the batch itself failed or was
 * interrupted. */
static int run_points(struct engine *E, int n, int ntimes, struct mv_error *err)
{
	long done = 0;
	E->ncall = n;
	E->ntimes_call = ntimes;
	for (int k = 0; k < n; k++)
		E->status[k] = MV_RUN_FAILED;
	int rc = mv_batch_exec(E->batch, 0, n, 1, &done, err);
	E->nruns += done;
	if (rc > 0 || mv_interrupt)
		return mv_error_interrupted(err);
	return rc;
}

/* The error of run k (failed) at point x: code 2 "the point ... makes the scenario invalid:
 * ...", or code 1 "at ...: ...". */
static int run_error(const struct engine *E, int k, const double *x, struct mv_error *err)
{
	static const char invalid[] = "invalid point: ";
	char at[1024];
	point_str(E->f, x, at, sizeof at);
	if (strncmp(E->reason[k], invalid, sizeof invalid - 1) == 0)
		return mv_error_set(err, MV_EXIT_INPUT, "the point %s makes the scenario invalid: %s",
				    at, E->reason[k] + sizeof invalid - 1);
	return mv_error_set(err, MV_EXIT_FAIL, "at %s: %s", at, E->reason[k]);
}

/* One run at x through ntimes times into slot 0. Returns 0, or -1 with err set (code 2: x
 * makes the scenario invalid; 1: the run failed; 128 + signal: interrupted). */
static int run_at(struct engine *E, const double *x, int ntimes, struct mv_error *err)
{
	memcpy(E->pts, x, (size_t)E->p * sizeof *x);
	if (run_points(E, 1, ntimes, err))
		return -1;
	return E->status[0] == MV_RUN_OK ? 0 : run_error(E, 0, x, err);
}

/* Residuals of the origin's points[0..n) from slot k's rows (which must hold their times):
 * weight·(f(model) − f(y)). */
static void residuals(const struct engine *E, int k, int n, double *r)
{
	const struct mv_fit *f = E->f;
	const double *rows = E->slots[k].rows;
	for (int i = 0; i < n; i++) {
		const struct mv_fit_point *pt = &E->og->points[i];
		double model = rows[pt->time * f->nobs + pt->obs];
		r[i] = pt->weight * (mv_fit_transform(f->obs[pt->obs].transform, model) - pt->fy);
	}
}

static void vec_to_x(const struct engine *E, const gsl_vector *u, double *x)
{
	for (int j = 0; j < E->p; j++)
		x[j] = xform_x(&E->T[j], gsl_vector_get(u, (size_t)j));
}

/* ∂r/∂x by forward differences at x, whose residuals are r0[0..m): one run per parameter,
 * all in one mv_batch_exec; column j of J (m × p, leading dimension ld) at J[i·ld + j]. Each
 * run is a function of its point only, so J does not depend on the number of threads.
 * Returns 0, or -1 with E->err set (the failed run of the lowest j). */
static int jacobian_x(struct engine *E, const double *x, const double *r0, int m, double *J,
		      size_t ld)
{
	const struct mv_fit *f = E->f;
	const int p = E->p;

	for (int j = 0; j < p; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		double range = fmin(pp->max / 2 - pp->min / 2, 0.5 * fmax(fabs(pp->start), 1.0)) * 2;
		double h = FD_REL * fmax(fabs(x[j]), FD_FLOOR * range);
		/* Step inward from the upper bound, so every run stays in the box (whose values
		 * are valid for the key), and take the step that is exactly representable. */
		volatile double xh = x[j] + h > pp->max ? x[j] - h : x[j] + h;
		if (xh < pp->min) /* a box narrower than the step: half-way to the wider side */
			xh = pp->max - x[j] > x[j] - pp->min ? x[j] + (pp->max - x[j]) / 2
							      : x[j] - (x[j] - pp->min) / 2;
		E->h[j] = xh - x[j];
		memcpy(E->pts + (size_t)j * (size_t)p, x, (size_t)p * sizeof *x);
		E->pts[(size_t)j * (size_t)p + (size_t)j] = xh;
	}
	if (run_points(E, p, E->og->nfit_times, &E->err))
		return -1;
	for (int j = 0; j < p; j++)
		if (E->status[j] != MV_RUN_OK)
			return run_error(E, j, E->pts + (size_t)j * (size_t)p, &E->err);
	for (int j = 0; j < p; j++)
		residuals(E, j, m, E->colres + (size_t)j * (size_t)m);
	for (int j = 0; j < p; j++)
		for (int i = 0; i < m; i++)
			J[(size_t)i * ld + (size_t)j] =
				(E->colres[(size_t)j * (size_t)m + i] - r0[i]) / E->h[j];
	return 0;
}

/* gsl_multifit_nlinear_fdf.f: residuals at u. A point whose run fails gets PENALTY residuals,
 * so the trust region rejects it and shrinks. */
static int cb_f(const gsl_vector *u, void *params, gsl_vector *r)
{
	struct engine *E = params;
	double x[MV_FIT_MAX_PARAMS];
	struct mv_error e = {0};

	vec_to_x(E, u, x);
	E->cache_ok = 0;
	if (run_at(E, x, E->og->nfit_times, &e)) {
		if (e.code > MV_EXIT_INPUT) { /* interrupted: stop the fit */
			E->fatal = 1;
			E->err = e;
			return GSL_EBADFUNC;
		}
		if (E->nfailed++ == 0)
			E->first_failure = e;
		gsl_vector_set_all(r, PENALTY);
		return GSL_SUCCESS;
	}
	residuals(E, 0, E->m, r->data);
	gsl_vector_memcpy(E->cache_u, u);
	gsl_vector_memcpy(E->cache_r, r);
	E->cache_ok = 1;
	return GSL_SUCCESS;
}

/* gsl_multifit_nlinear_fdf.df: J_u = ∂r/∂x · diag(dx/du). GSL evaluates f at a point before
 * its Jacobian, so the base residuals come from the cache. */
static int cb_df(const gsl_vector *u, void *params, gsl_matrix *J)
{
	struct engine *E = params;
	double x[MV_FIT_MAX_PARAMS];

	vec_to_x(E, u, x);
	if (!E->cache_ok || !gsl_vector_equal(u, E->cache_u)) {
		if (run_at(E, x, E->og->nfit_times, &E->err)) {
			E->fatal = 1;
			return GSL_EBADFUNC;
		}
		residuals(E, 0, E->m, E->cache_r->data);
		gsl_vector_memcpy(E->cache_u, u);
		E->cache_ok = 1;
	}
	if (jacobian_x(E, x, E->cache_r->data, E->m, J->data, J->tda)) {
		E->fatal = 1;
		return GSL_EBADFUNC;
	}
	for (int j = 0; j < E->p; j++) {
		double d = xform_dxdu(&E->T[j], gsl_vector_get(u, (size_t)j));
		for (int i = 0; i < E->m; i++)
			J->data[i * J->tda + (size_t)j] *= d;
	}
	return GSL_SUCCESS;
}

static void engine_free(struct engine *E)
{
	mv_batch_free(E->batch);
	if (E->slots)
		for (int k = 0; k <= E->p; k++)
			free(E->slots[k].rows);
	free(E->slots);
	free(E->pts);
	free(E->status);
	free(E->reason);
	free(E->colres);
	if (E->cache_u)
		gsl_vector_free(E->cache_u);
	if (E->cache_r)
		gsl_vector_free(E->cache_r);
}

static int engine_init(struct engine *E, const struct mv_fit *f, int jobs, struct mv_error *err)
{
	int slots[MV_FIT_MAX_PARAMS], maxm = 1, maxt = 1;

	memset(E, 0, sizeof *E);
	E->f = f;
	E->p = f->nparams;
	for (int i = 0; i < f->norigins; i++) {
		maxm = f->origins[i].m > maxm ? f->origins[i].m : maxm;
		maxt = f->origins[i].ntimes > maxt ? f->origins[i].ntimes : maxt;
	}
	for (int j = 0; j < E->p; j++)
		slots[j] = f->params[j].slot;
	E->jobs = mv_batch_jobs(jobs);
	if (E->jobs > E->p)
		E->jobs = E->p; /* more threads than columns would idle */
	struct mv_batch_sink sink = {sink_begin, sink_row, NULL, NULL, E};
	struct mv_batch_spec spec = {0};
	spec.nparams = E->p;
	spec.slots = slots;
	spec.point = cb_point;
	spec.point_ctx = E;
	spec.result = cb_result;
	spec.result_ctx = E;
	spec.sink = &sink;
	spec.jobs = E->jobs;
	spec.window = E->p + 1; /* one exec never holds more runs */
	if ((E->batch = mv_batch_create(f->sc, &f->kt, &spec, err)) == NULL)
		return -1;
	E->slots = calloc((size_t)E->p + 1, sizeof *E->slots);
	E->pts = malloc(((size_t)E->p + 1) * (size_t)E->p * sizeof *E->pts);
	E->status = calloc((size_t)E->p + 1, sizeof *E->status);
	E->reason = calloc((size_t)E->p + 1, sizeof *E->reason);
	E->colres = malloc((size_t)E->p * (size_t)(maxm + 1) * sizeof *E->colres);
	E->cache_u = gsl_vector_alloc((size_t)E->p);
	if (!E->slots || !E->pts || !E->status || !E->reason || !E->colres || !E->cache_u)
		return oom(err);
	for (int k = 0; k <= E->p; k++) {
		E->slots[k].f = f;
		if ((E->slots[k].rows = malloc(((size_t)maxt + 1) * (size_t)f->nobs *
					       sizeof *E->slots[k].rows)) == NULL)
			return oom(err);
	}
	return 0;
}

/* Points the engine at origin i (the residual cache is sized to its fitted points). */
static int engine_origin(struct engine *E, int i, struct mv_error *err)
{
	E->origin = i;
	E->og = &E->f->origins[i];
	E->m = E->og->m;
	E->cache_ok = 0;
	E->fatal = 0;
	if (E->cache_r)
		gsl_vector_free(E->cache_r);
	if ((E->cache_r = gsl_vector_alloc((size_t)E->m)) == NULL)
		return oom(err);
	return 0;
}

/* ================================================================ results */

void mv_fit_result_free(struct mv_fit_result *r)
{
	if (r == NULL)
		return;
	free(r->starts);
	free(r->start_x);
	free(r->x);
	free(r->se);
	free(r->corr);
	free(r->bound);
	free(r->model);
	free(r->resid);
	free(r->scores);
	free(r);
}

void mv_fit_results_free(struct mv_fit_results *r)
{
	if (r == NULL)
		return;
	if (r->origin)
		for (int i = 0; i < r->norigins; i++)
			mv_fit_result_free(r->origin[i]);
	free(r->origin);
	free(r->pooled);
	free(r);
}

static struct mv_fit_result *result_new(const struct mv_fit *f, int i)
{
	struct mv_fit_result *r = calloc(1, sizeof *r);
	const struct mv_fit_origin *og = &f->origins[i];
	size_t p = (size_t)f->nparams, n = (size_t)(og->m + og->mh), S = (size_t)f->starts;

	if (r == NULL)
		return NULL;
	r->origin = i;
	r->nparams = f->nparams;
	r->npoints = og->m + og->mh;
	r->nstarts = f->starts;
	r->starts = calloc(S, sizeof *r->starts);
	r->start_x = calloc(S * p, sizeof *r->start_x);
	r->x = calloc(p, sizeof *r->x);
	r->se = calloc(p, sizeof *r->se);
	r->corr = calloc(p * p, sizeof *r->corr);
	r->bound = calloc(p, sizeof *r->bound);
	r->model = calloc(n + 1, sizeof *r->model);
	r->resid = calloc(n + 1, sizeof *r->resid);
	r->scores = calloc((size_t)f->nobs + 1, sizeof *r->scores);
	if (!r->starts || !r->start_x || !r->x || !r->se || !r->corr || !r->bound || !r->model ||
	    !r->resid || !r->scores) {
		mv_fit_result_free(r);
		return NULL;
	}
	for (size_t s = 0; s < S; s++)
		r->starts[s].x = r->start_x + s * p;
	return r;
}

/* Standard errors and correlations from σ²(JᵀJ)⁻¹ with J = ∂r/∂x (m × p) at the best point.
 * J's columns are scaled to unit length first (then C = S C' S), so GSL's rank test
 * |R_kk| <= MV_FIT_RANK_TOL·|R_11| compares directions, not units; parameters in a dependent
 * direction (a forward-difference Jacobian is accurate to ~1e-6, so anything within 1e-5 of
 * dependence is) get NaN: not identified. */
static int covariance(int m, int p, struct mv_fit_result *r, const double *Jx,
		      struct mv_error *err)
{
	gsl_matrix *J = gsl_matrix_alloc((size_t)m, (size_t)p), *C = gsl_matrix_alloc((size_t)p, (size_t)p);
	double scale[MV_FIT_MAX_PARAMS];

	if (J == NULL || C == NULL) {
		if (J)
			gsl_matrix_free(J);
		return oom(err);
	}
	memcpy(J->data, Jx, (size_t)m * (size_t)p * sizeof *Jx);
	for (int j = 0; j < p; j++) {
		gsl_vector_view col = gsl_matrix_column(J, (size_t)j);
		double norm = gsl_blas_dnrm2(&col.vector);
		scale[j] = norm > 0 ? 1 / norm : 1;
		gsl_vector_scale(&col.vector, scale[j]);
	}
	int st = gsl_multifit_nlinear_covar(J, MV_FIT_RANK_TOL, C);
	r->sigma2 = m > p ? r->ssr / (m - p) : NAN;
	r->rank = 0;
	for (int j = 0; j < p; j++) {
		double c = gsl_matrix_get(C, (size_t)j, (size_t)j) * scale[j] * scale[j];
		r->rank += st == GSL_SUCCESS && c > 0;
		r->se[j] = st == GSL_SUCCESS && c > 0 ? sqrt(r->sigma2 * c) : NAN;
	}
	for (int i = 0; i < p; i++)
		for (int j = 0; j < p; j++) {
			double ci = gsl_matrix_get(C, (size_t)i, (size_t)i);
			double cj = gsl_matrix_get(C, (size_t)j, (size_t)j);
			r->corr[i * p + j] = st == GSL_SUCCESS && ci > 0 && cj > 0
						     ? (i == j ? 1.0 : gsl_matrix_get(C, (size_t)i, (size_t)j) / sqrt(ci * cj))
						     : NAN;
		}
	gsl_matrix_free(J);
	gsl_matrix_free(C);
	return 0;
}

/* ================================================================ scores and yardsticks */

double mv_fit_skill(double model, double yardstick)
{
	return isfinite(model) && isfinite(yardstick) && yardstick > 0 ? 1 - model / yardstick : NAN;
}

/* Sums of squared errors, for one series or pooled. A yardstick missing at a scored point
 * (a series without fitted observations, or drift with fewer than two) makes it NaN. */
struct acc {
	double fit, hold, pers, mean, drift;
	int n_fit, n_hold, miss_pers, miss_mean, miss_drift;
};

static void acc_add(struct acc *a, const struct mv_fit_point *pt, double model,
		    const struct mv_fit_score *ys)
{
	double d = model - pt->y;
	if (!pt->holdout) {
		a->fit += d * d;
		a->n_fit++;
		return;
	}
	a->hold += d * d;
	a->n_hold++;
	double yp = ys->persistence, ym = ys->mean;
	double yd = ys->persistence + ys->drift * (pt->t - ys->t_last);
	if (isfinite(yp))
		a->pers += (yp - pt->y) * (yp - pt->y);
	else
		a->miss_pers++;
	if (isfinite(ym))
		a->mean += (ym - pt->y) * (ym - pt->y);
	else
		a->miss_mean++;
	if (isfinite(yd))
		a->drift += (yd - pt->y) * (yd - pt->y);
	else
		a->miss_drift++;
}

static double rms(double sum2, int n, int miss)
{
	return n > 0 && miss == 0 ? sqrt(sum2 / n) : NAN;
}

static void acc_to_score(const struct acc *a, struct mv_fit_score *s)
{
	s->n_fit = a->n_fit;
	s->n_holdout = a->n_hold;
	s->rmse_fit = rms(a->fit, a->n_fit, 0);
	s->rmse_holdout = rms(a->hold, a->n_hold, 0);
	s->rmse_persistence = rms(a->pers, a->n_hold, a->miss_pers);
	s->rmse_mean = rms(a->mean, a->n_hold, a->miss_mean);
	s->rmse_drift = rms(a->drift, a->n_hold, a->miss_drift);
}

/* The yardsticks of every series at origin og (from its fitted observations only), then the
 * RMSEs per series and pooled over the series (every point counted once). */
static void scores(const struct mv_fit *f, const struct mv_fit_origin *og, struct mv_fit_result *r)
{
	const int n = og->m + og->mh, Q = f->nobs;

	for (int q = 0; q < Q; q++) {
		struct mv_fit_score *s = &r->scores[q];
		double sum = 0, tf = INFINITY, yf = NAN, tl = -INFINITY, yl = NAN;
		int nf = 0;
		for (int k = 0; k < og->m; k++) {
			const struct mv_fit_point *pt = &og->points[k];
			if (pt->obs != q)
				continue;
			sum += pt->y;
			nf++;
			if (pt->t < tf) {
				tf = pt->t;
				yf = pt->y;
			}
			if (pt->t > tl) {
				tl = pt->t;
				yl = pt->y;
			}
		}
		s->persistence = nf > 0 ? yl : NAN;
		s->mean = nf > 0 ? sum / nf : NAN;
		s->drift = nf > 1 && tl > tf ? (yl - yf) / (tl - tf) : NAN;
		s->t_last = nf > 0 ? tl : NAN;
	}
	struct acc all = {0};
	for (int q = 0; q < Q; q++) {
		struct acc a = {0};
		for (int k = 0; k < n; k++)
			if (og->points[k].obs == q)
				acc_add(&a, &og->points[k], r->model[k], &r->scores[q]);
		acc_to_score(&a, &r->scores[q]);
		all.fit += a.fit;
		all.hold += a.hold;
		all.pers += a.pers;
		all.mean += a.mean;
		all.drift += a.drift;
		all.n_fit += a.n_fit;
		all.n_hold += a.n_hold;
		all.miss_pers += a.miss_pers;
		all.miss_mean += a.miss_mean;
		all.miss_drift += a.miss_drift;
	}
	struct mv_fit_score *s = &r->scores[Q];
	acc_to_score(&all, s);
	s->persistence = s->mean = s->drift = s->t_last = NAN;
}

/* Scores pooled over every origin: per series, then everything. */
static void pool(const struct mv_fit *f, struct mv_fit_results *R)
{
	const int Q = f->nobs;
	struct acc all = {0};
	for (int q = 0; q <= Q; q++) {
		struct acc a = {0};
		for (int i = 0; i < R->norigins; i++) {
			const struct mv_fit_origin *og = &f->origins[i];
			const struct mv_fit_result *r = R->origin[i];
			for (int k = 0; k < og->m + og->mh; k++)
				if (q == Q || og->points[k].obs == q)
					acc_add(q == Q ? &all : &a, &og->points[k], r->model[k],
						&r->scores[og->points[k].obs]);
		}
		acc_to_score(q == Q ? &all : &a, &R->pooled[q]);
		R->pooled[q].persistence = R->pooled[q].mean = R->pooled[q].drift = NAN;
		R->pooled[q].t_last = NAN;
	}
}

/* ================================================================ one start */

/* -1 when x is on p's lower bound, +1 on its upper, 0 inside: within MV_FIT_BOUND_TOL of the
 * box's width, or of the parameter's own scale when the box is wider (x = 0.8 is not "on" the
 * bound 0.05 of a box up to 1e17). */
static int on_bound(const struct mv_fit_param *pp, double x)
{
	double width = 2 * (pp->max / 2 - pp->min / 2);
	double floor_s = SCALE_FLOOR * fmin(width, 1.0);
	double tlo = MV_FIT_BOUND_TOL * fmin(width, fmax(fmax(fabs(pp->start), fabs(pp->min)), floor_s));
	double thi = MV_FIT_BOUND_TOL * fmin(width, fmax(fmax(fabs(pp->start), fabs(pp->max)), floor_s));
	return x - pp->min <= tlo ? -1 : pp->max - x <= thi ? 1 : 0;
}

/* A stop on a bound is a minimum only if the SSR rises into the box: at the lower bound
 * ∂SSR/∂x_j >= 0, at the upper <= 0. A step that lands deep in a bound's band, where x hardly
 * moves with u (dx/du may even underflow to 0), would otherwise pass the small-gradient test.
 * The gradient is taken in x (a forward-difference Jacobian at x, p + 1 runs, only when some
 * parameter is on a bound). Fills xr with the point to restart from (each such parameter at
 * the inner edge of its band) and returns how many parameters are such, or -1 with err set
 * when a run failed. */
static int bound_violations(struct engine *E, gsl_multifit_nlinear_workspace *w, double *xr,
			    struct mv_error *err)
{
	const int p = E->p, m = E->m;
	double x[MV_FIT_MAX_PARAMS];
	int any = 0, n = 0;

	vec_to_x(E, gsl_multifit_nlinear_position(w), x);
	memcpy(xr, x, (size_t)p * sizeof *x);
	for (int j = 0; j < p; j++)
		any |= on_bound(&E->f->params[j], x[j]) != 0;
	if (!any)
		return 0;
	double *r0 = malloc((size_t)m * sizeof *r0), *J = malloc((size_t)m * (size_t)p * sizeof *J);
	if (r0 == NULL || J == NULL) {
		free(r0);
		free(J);
		return oom(err);
	}
	if (run_at(E, x, E->og->nfit_times, err)) {
		free(r0);
		free(J);
		return -1;
	}
	residuals(E, 0, m, r0);
	if (jacobian_x(E, x, r0, m, J, (size_t)p)) {
		*err = E->err;
		free(r0);
		free(J);
		return -1;
	}
	for (int j = 0; j < p; j++) {
		int b = on_bound(&E->f->params[j], x[j]);
		double g = 0;
		for (int i = 0; b && i < m; i++)
			g += J[(size_t)i * (size_t)p + (size_t)j] * r0[i];
		if ((b < 0 && g < 0) || (b > 0 && g > 0)) {
			xr[j] = b < 0 ? E->T[j].lo + E->T[j].w : E->T[j].hi - E->T[j].w;
			n++;
		}
	}
	free(r0);
	free(J);
	E->cache_ok = 0;
	return n;
}

/* Fits from start point x0 at the current origin into st (x, ssr, status). Returns 0 when the
 * start produced a result (any status but MV_FIT_FAILED), -1 with err set when it failed
 * (st->status MV_FIT_FAILED; code 2 when x0 makes the scenario invalid, 128 + signal when
 * interrupted, else 1). */
static int solve_start(struct engine *E, const double *x0, const struct mv_fit_opts *opts,
		       struct mv_fit_start *st, struct mv_error *err)
{
	const struct mv_fit *f = E->f;
	const int p = E->p, m = E->m;
	gsl_multifit_nlinear_workspace *w = NULL;
	gsl_vector *u0 = gsl_vector_alloc((size_t)p);
	char at[1024];
	int rc = -1;

	st->status = MV_FIT_FAILED;
	st->reason = "a model run failed";
	st->iterations = 0;
	st->ssr_start = st->ssr = NAN;
	st->error[0] = '\0';
	E->cache_ok = 0;
	E->fatal = 0;
	if (u0 == NULL)
		return oom(err);
	for (int j = 0; j < p; j++) {
		xform_init(&E->T[j], &f->params[j], x0[j]);
		gsl_vector_set(u0, (size_t)j, xform_u(&E->T[j], x0[j]));
	}
	vec_to_x(E, u0, st->x);

	/* The start point, evaluated here so that a bad start is reported as such. */
	if (run_at(E, st->x, E->og->nfit_times, err))
		goto out;
	residuals(E, 0, m, E->cache_r->data);
	gsl_vector_memcpy(E->cache_u, u0);
	E->cache_ok = 1;
	st->ssr_start = 0;
	for (int k = 0; k < m; k++)
		st->ssr_start += E->cache_r->data[k] * E->cache_r->data[k];

	gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
	fp.trs = f->method == MV_FIT_LMACCEL ? gsl_multifit_nlinear_trs_lmaccel
					     : gsl_multifit_nlinear_trs_lm;
	gsl_multifit_nlinear_fdf fdf = {0};
	fdf.f = cb_f;
	fdf.df = cb_df;
	fdf.fvv = NULL; /* lmaccel: GSL differences the directional second derivative itself */
	fdf.n = (size_t)m;
	fdf.p = (size_t)p;
	fdf.params = E;
	if ((w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, (size_t)m,
					    (size_t)p)) == NULL) {
		oom(err);
		goto out;
	}
	int gst = gsl_multifit_nlinear_init(u0, &fdf, w);
	if (E->fatal) {
		*err = E->err;
		goto out;
	}
	if (gst != GSL_SUCCESS) {
		mv_error_set(err, MV_EXIT_FAIL, "fit failed: GSL: %s", gsl_strerror(gst));
		st->reason = "GSL failed";
		goto out;
	}
	int info = 0, iter = 0, failed = 0;
	for (int restart = 0;; restart++) {
	do {
		gst = gsl_multifit_nlinear_iterate(w);
		if (E->fatal) {
			*err = E->err;
			failed = 1;
			break;
		}
		if (gst == GSL_ENOPROG && iter == 0) {
			/* Not a single step lowered the cost: more iterations will not help. */
			st->status = MV_FIT_NOPROGRESS;
			st->reason = "no step lowers the cost";
			break;
		}
		if (gst != GSL_SUCCESS && gst != GSL_ENOPROG) {
			mv_error_set(err, MV_EXIT_FAIL, "fit failed: GSL: %s", gsl_strerror(gst));
			st->reason = "GSL failed";
			failed = 1;
			break;
		}
		iter++;
		if (opts && opts->progress) {
			double x[MV_FIT_MAX_PARAMS], fn = gsl_blas_dnrm2(w->f);
			vec_to_x(E, w->x, x);
			struct mv_fit_progress pr = {E->origin, E->start, iter, E->nruns, fn * fn, x};
			opts->progress(opts->progress_ctx, &pr);
		}
		gst = gsl_multifit_nlinear_test(MV_FIT_XTOL, MV_FIT_GTOL, 0.0, &info, w);
		if (gst == GSL_SUCCESS) {
			st->status = MV_FIT_CONVERGED;
			st->reason = info == 1 ? "small step" : "small gradient";
		} else if (gst != GSL_CONTINUE) {
			mv_error_set(err, MV_EXIT_FAIL, "fit failed: GSL: %s", gsl_strerror(gst));
			st->reason = "GSL failed";
			failed = 1;
			break;
		} else if (iter >= f->max_iterations) {
			st->status = MV_FIT_MAXITER;
			st->reason = "iteration limit";
		}
	} while (gst == GSL_CONTINUE && iter < f->max_iterations);
	if (failed || st->status != MV_FIT_CONVERGED)
		break;
	double xr[MV_FIT_MAX_PARAMS];
	int nv = bound_violations(E, w, xr, err);
	if (nv < 0) {
		failed = 1;
		break;
	}
	if (nv == 0)
		break;
	if (restart == MAX_RESTARTS || iter >= f->max_iterations) {
		st->status = MV_FIT_NOPROGRESS;
		st->reason = "stopped on a bound the SSR falls away from";
		break;
	}
	/* Again from inside the band, with a fresh trust region. */
	for (int j = 0; j < p; j++)
		gsl_vector_set(u0, (size_t)j, xform_u(&E->T[j], xr[j]));
	gst = gsl_multifit_nlinear_init(u0, &fdf, w);
	if (E->fatal || gst != GSL_SUCCESS) {
		if (E->fatal)
			*err = E->err;
		else
			mv_error_set(err, MV_EXIT_FAIL, "fit failed: GSL: %s", gsl_strerror(gst));
		failed = 1;
		break;
	}
	}
	st->iterations = iter;
	/* The trust region accepts only steps that lower the cost: w->x is the best point. */
	vec_to_x(E, w->x, st->x);
	double fn = gsl_blas_dnrm2(w->f);
	if (failed) {
		st->status = MV_FIT_FAILED;
		/* The message carries the best point. */
		char msg[MV_ERROR_MAX];
		point_str(f, st->x, at, sizeof at);
		snprintf(msg, sizeof msg, "%s", err->code ? err->msg : "fit failed");
		mv_error_set(err, err->code ? err->code : MV_EXIT_FAIL,
			     "%s (after %d iterations; best SSR so far %.10g at %s)", msg, iter, fn * fn,
			     at);
		goto out;
	}
	st->ssr = fn * fn;
	rc = 0;
out:
	if (rc)
		snprintf(st->error, sizeof st->error, "%s", err->msg);
	if (w)
		gsl_multifit_nlinear_free(w);
	gsl_vector_free(u0);
	return rc;
}

/* Everything reported at the best point r->x: one run through every time of the origin (the
 * model, residuals, scores), J_x and the covariance (p runs). */
static int finish(struct engine *E, struct mv_fit_result *r, struct mv_error *err)
{
	const struct mv_fit *f = E->f;
	const struct mv_fit_origin *og = E->og;
	const int p = f->nparams, n = og->m + og->mh;
	double *Jx = malloc((size_t)(og->m + 1) * (size_t)p * sizeof *Jx);

	if (Jx == NULL)
		return oom(err);
	if (run_at(E, r->x, og->ntimes, err)) {
		free(Jx);
		return -1;
	}
	residuals(E, 0, n, r->resid);
	for (int k = 0; k < n; k++)
		r->model[k] = E->slots[0].rows[og->points[k].time * f->nobs + og->points[k].obs];
	r->ssr = 0;
	for (int k = 0; k < og->m; k++)
		r->ssr += r->resid[k] * r->resid[k];
	scores(f, og, r);
	for (int j = 0; j < p; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		r->bound[j] = on_bound(pp, r->x[j]);
	}
	int rc = jacobian_x(E, r->x, r->resid, og->m, Jx, (size_t)p);
	if (rc == 0)
		rc = covariance(og->m, p, r, Jx, err);
	else
		*err = E->err;
	free(Jx);
	return rc;
}

/* Origin i: every start, the best one finished. Returns 0 (r filled, r->status the best
 * start's), or -1 with err set (no start produced a result, the given start is invalid, a run
 * at the best point failed, interrupted). */
static int fit_origin(struct engine *E, int i, const struct mv_fit_opts *opts,
		      struct mv_fit_result *r, struct mv_error *err)
{
	const struct mv_fit *f = E->f;
	const int p = f->nparams;
	struct mv_error first = {0};
	long runs0 = E->nruns;

	if (engine_origin(E, i, err))
		return -1;
	E->nfailed = 0;
	mv_error_clear(&E->first_failure);
	r->best = -1;
	for (int s = 0; s < f->starts; s++) {
		struct mv_error e = {0};
		E->start = s;
		if (solve_start(E, f->start_points + (size_t)s * (size_t)p, opts, &r->starts[s], &e)) {
			r->nstarts_failed++;
			/* The given start is the user's: a point that makes the scenario invalid is
			 * an input error; an interruption stops everything. */
			if ((s == 0 && e.code == MV_EXIT_INPUT) || e.code > MV_EXIT_INPUT) {
				*err = e;
				return -1;
			}
			if (first.code == 0)
				first = e;
			continue;
		}
		if (r->best < 0 || r->starts[s].ssr < r->starts[r->best].ssr)
			r->best = s;
	}
	r->nfailed = E->nfailed;
	snprintf(r->first_failure, sizeof r->first_failure, "%s", E->first_failure.msg);
	if (r->best < 0) {
		*err = first;
		r->nruns = E->nruns - runs0;
		return -1;
	}
	const struct mv_fit_start *b = &r->starts[r->best];
	r->nreached = 0;
	for (int s = 0; s < f->starts; s++) {
		struct mv_fit_start *st = &r->starts[s];
		int same = st->status != MV_FIT_FAILED;
		for (int j = 0; same && j < p; j++)
			same = fabs(st->x[j] - b->x[j]) <= MV_FIT_SAME_POINT * fmax(fabs(b->x[j]), SCALE_FLOOR);
		st->reached = st->status != MV_FIT_FAILED &&
			      (st->ssr <= b->ssr * (1 + MV_FIT_SAME_OPTIMUM) || same);
		r->nreached += st->reached;
	}
	r->status = b->status;
	r->reason = b->reason;
	r->iterations = b->iterations;
	r->ssr_start = b->ssr_start;
	memcpy(r->x, b->x, (size_t)p * sizeof *r->x);
	int rc = finish(E, r, err);
	r->nruns = E->nruns - runs0;
	return rc;
}

int mv_fit_run(const struct mv_fit *f, const struct mv_fit_opts *opts,
	       struct mv_fit_results **res, struct mv_error *err)
{
	struct engine E;
	struct mv_fit_results *R = calloc(1, sizeof *R);
	int rc = -1;

	*res = NULL;
	mv_error_clear(err);
	gsl_set_error_handler_off();
	if (engine_init(&E, f, opts ? opts->jobs : 0, err))
		goto out;
	if (R == NULL || (R->origin = calloc((size_t)f->norigins, sizeof *R->origin)) == NULL ||
	    (R->pooled = calloc((size_t)f->nobs + 1, sizeof *R->pooled)) == NULL) {
		oom(err);
		goto out;
	}
	R->norigins = f->norigins;
	R->jobs = E.jobs;
	for (int i = 0; i < f->norigins; i++) {
		if ((R->origin[i] = result_new(f, i)) == NULL) {
			oom(err);
			goto out;
		}
		R->origin[i]->jobs = E.jobs;
		int orc = fit_origin(&E, i, opts, R->origin[i], err);
		R->nruns += R->origin[i]->nruns;
		if (orc) {
			if (f->has_origins) {
				char msg[MV_ERROR_MAX];
				snprintf(msg, sizeof msg, "%s", err->msg);
				mv_error_set(err, err->code, "origin %.10g: %s", f->origins[i].t, msg);
			}
			goto out;
		}
	}
	pool(f, R);
	rc = 0;
	for (int i = 0; i < f->norigins && rc == 0; i++) {
		const struct mv_fit_result *r = R->origin[i];
		char at[1024], pre[64] = "";
		if (r->status == MV_FIT_CONVERGED)
			continue;
		if (f->has_origins)
			snprintf(pre, sizeof pre, "origin %.10g: ", f->origins[i].t);
		point_str(f, r->x, at, sizeof at);
		if (r->status == MV_FIT_MAXITER)
			mv_error_set(err, MV_EXIT_FAIL,
				     "%sfit did not converge within %ld iterations (fit.max_iterations): best SSR %.10g at %s",
				     pre, f->max_iterations, r->ssr, at);
		else if (strcmp(r->reason, "no step lowers the cost") == 0)
			mv_error_set(err, MV_EXIT_FAIL,
				     "%sfit made no progress: no step from the start lowers the SSR %.10g at %s",
				     pre, r->ssr, at);
		else
			mv_error_set(err, MV_EXIT_FAIL, "%sfit %s: SSR %.10g at %s", pre, r->reason,
				     r->ssr, at);
		rc = -1;
	}
	*res = R;
	R = NULL;
out:
	mv_fit_results_free(R);
	engine_free(&E);
	return rc;
}
