/* fit.h — calibration (MODEL.md §11): fit files, bounded nonlinear least squares of a scenario's
 * parameters against observed series (gsl_multifit_nlinear), standard errors and a holdout score. */
#ifndef MVSIM_FIT_H
#define MVSIM_FIT_H

#include <stdio.h>

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/scenario.h"

#define MV_FIT_MAX_PARAMS 32             /* free parameters per fit */
#define MV_FIT_MAX_OBS 64                /* entries of fit.observations */
#define MV_FIT_DEFAULT_MAX_ITERATIONS 100 /* fit.max_iterations when not given */
#define MV_FIT_MAX_ITERATIONS 100000     /* the largest fit.max_iterations accepted */
#define MV_FIT_XTOL 1e-10                /* converged: every step |du_j| < xtol·(|u_j| + xtol) */
#define MV_FIT_GTOL 1e-10                /* converged: max_j |g_j|·max(|u_j|, 1) <= gtol·max(½Σr², 1) */
#define MV_FIT_BOUND_TOL 1e-6            /* a value within this fraction of max − min of a bound is on it */
#define MV_FIT_RANK_TOL 1e-5             /* J's unit-scaled columns within this of dependence: not identified */

/* fit.method: GSL's trust-region subproblem. */
enum mv_fit_method {
	MV_FIT_LM = 0,  /* "lm": Levenberg–Marquardt (the default) */
	MV_FIT_LMACCEL  /* "lmaccel": Levenberg–Marquardt with geodesic acceleration */
};

/* One entry of fit.observations: a data column compared with a model output column. */
struct mv_fit_obs {
	char *column;      /* model output column, e.g. "share_economy_china"; owned */
	int col;           /* its index in the run's rows (MODEL.md §7 order) */
	char *path;        /* data file, joined to the fit file's directory; owned */
	char *data_column; /* column of the data file; owned */
	double scale;      /* observation × scale is in the model column's unit; default 1 */
	double weight;     /* residual weight, >= 0; default 1 */
	int npts;          /* data points read (gaps skipped) */
	double *t, *v;     /* times (years) and values already × scale; owned */
	int line;          /* line of the entry in the fit file */
};

/* One entry of fit.parameters: a free parameter and its box. */
struct mv_fit_param {
	char *key;  /* e.g. "vectors.china.salience.economy"; owned */
	int slot;   /* its slot in mv_scenario.val */
	double min, max; /* bounds, min < max, both within the key's rule */
	double start;    /* starting value, in [min, max] */
	int line;   /* line of the entry in the fit file */
};

/* One residual: observation `obs` at time t; r = weight·(model − y). */
struct mv_fit_point {
	int obs;        /* index into mv_fit.obs */
	int time;       /* index into mv_fit.times */
	double t;       /* years */
	double y;       /* scale × observed value */
	double weight;
	int holdout;    /* 1: at or after fit.holdout — scored, not fitted */
};

/* A loaded fit file (plain data; free with mv_fit_free). */
struct mv_fit {
	char *path;              /* the fit file as given; owned */
	char sha256[65];         /* of the fit file, hex */
	char *scenario_path;     /* `scenario`, joined to the fit file's directory; owned */
	struct mv_scenario *sc;  /* the scenario; owned */
	struct mv_keytab kt;     /* its keys; owned */
	char **columns;          /* its output columns (one block, free()); owned */
	int ncols;
	int nobs;
	struct mv_fit_obs *obs;
	int nparams;
	struct mv_fit_param *params;
	double holdout;          /* years; +INFINITY when the file sets none */
	long max_iterations;     /* default MV_FIT_DEFAULT_MAX_ITERATIONS */
	int method;              /* enum mv_fit_method */
	/* The residuals: points[0..m) are fitted, points[m..m+mh) the holdout, each part
	 * ordered by observation entry, then time. Observations outside [start, end] are
	 * dropped (counted in noutside). */
	int m, mh, noutside;
	struct mv_fit_point *points;
	int ntimes;              /* distinct times of the points, increasing */
	double *times;
	int nfit_times;          /* times[0..nfit_times) are before the holdout */
};

/* Loads the fit file at path (MODEL.md §11): its scenario (relative to the fit file), the
 * observation data files (relative to the fit file, read with mv_series_read) and the free
 * parameters. Returns the fit, or NULL with err set: code 2 for every input error
 * (`file:line: setting 'fit.x': expected X, found Y`: unknown settings with a suggestion,
 * unknown keys, keys that cannot be fitted (settings, initial shares, keys driven by a data
 * series), a key given twice, min >= max, bounds outside the key's range, start outside
 * [min, max], columns the model does not write, missing data files or columns, bad data
 * lines, fewer fitted observations than free parameters, a scenario with noise), code 1 when
 * out of memory. */
struct mv_fit *mv_fit_load(const char *path, struct mv_error *err);

/* Frees f and everything it owns; NULL is a no-op. */
void mv_fit_free(struct mv_fit *f);

/* The method's name ("lm", "lmaccel"). */
const char *mv_fit_method_name(int method);

/* What the progress hook sees after each iteration (valid during the call only). */
struct mv_fit_progress {
	int iteration;      /* 1, 2, ... */
	long nruns;         /* model runs so far */
	double ssr;         /* Σ r² over the fitted points at x */
	const double *x;    /* the current (best) parameter values, nparams */
};

typedef void (*mv_fit_progress_fn)(void *ctx, const struct mv_fit_progress *p);

struct mv_fit_opts {
	int jobs;                    /* threads for the Jacobian's columns; <= 0: every core
				      * (1 without OpenMP). Results do not depend on it. */
	mv_fit_progress_fn progress; /* NULL: none */
	void *progress_ctx;
};

/* Scores of one observation entry (or, for the last entry of mv_fit_result.scores, of all of
 * them together with their weights). RMSEs of model − scale·observation, in the model
 * column's unit (the "all" row: of the weighted residuals); NaN where there is no point. */
struct mv_fit_score {
	int n_fit, n_holdout;
	double rmse_fit;
	double rmse_holdout;
	double rmse_persistence; /* holdout RMSE of the last fitted observation carried forward */
	double persistence;      /* that value (scale × observation); NaN for "all" */
};

/* Why the iterations stopped. */
enum mv_fit_status {
	MV_FIT_CONVERGED = 0, /* a step or the gradient fell below MV_FIT_XTOL / MV_FIT_GTOL */
	MV_FIT_MAXITER,       /* max_iterations reached first */
	MV_FIT_NOPROGRESS,    /* the first iteration found no step that lowers the cost */
	MV_FIT_FAILED         /* a model run or GSL failed (see the error) */
};

/* A fit's outcome (free with mv_fit_result_free). Values are at the best point found. */
struct mv_fit_result {
	int status;          /* enum mv_fit_status */
	const char *reason;  /* "small step", "small gradient", "iteration limit", ... (static) */
	int iterations;
	long nruns;          /* model runs, all of them (residuals, Jacobians, acceleration) */
	long nfailed;        /* trial points whose run failed (rejected as steps) */
	char first_failure[MV_ERROR_MAX]; /* why the first of them failed; "" if none */
	int jobs;            /* threads used */
	double ssr_start;    /* Σ r² over the fitted points at the start values */
	double ssr;          /* Σ r² over the fitted points at x */
	double sigma2;       /* ssr/(m − p); NaN when m = p */
	int nparams;
	double *x;           /* fitted values */
	double *se;          /* standard errors sqrt(diag σ²(JᵀJ)⁻¹), J = ∂r/∂x; NaN if undefined */
	double *corr;        /* correlation matrix, nparams × nparams, row-major; NaN if undefined */
	int *bound;          /* -1 on min, +1 on max, 0 inside (within MV_FIT_BOUND_TOL) */
	int rank;            /* numerical rank of J (< nparams: some parameters not identified) */
	int npoints;
	double *model;       /* the model at every point (fitted and holdout) */
	double *resid;       /* weight·(model − y) at every point */
	struct mv_fit_score *scores; /* nobs + 1: one per observation entry, then all */
};

void mv_fit_result_free(struct mv_fit_result *r);

/* Fits f's parameters: minimises Σ r_k² over the fitted points with GSL's trust-region
 * solver (fit.method), each parameter kept in [min, max] by the transform
 * x = min + (max − min)·(1 + sin u)/2 over an unbounded u (so x can reach a bound exactly,
 * where the solver sees a zero slope); the Jacobian ∂r/∂x by forward differences (one model
 * run per parameter, in parallel over the parameters), chained with dx/du. Then evaluates
 * the standard errors, correlations, bounds, and (one more run over all the points) the
 * holdout scores. A trial point whose run fails counts as a step that raises the cost.
 * Returns 0 when converged, with *res the result (free it). Otherwise -1 with err set and
 * the best point found in the message: code 1 with *res set (status MV_FIT_MAXITER or
 * MV_FIT_NOPROGRESS, everything evaluated at the best point); code 1 with *res NULL when a
 * run at the start, in a Jacobian or at the end failed, or GSL failed (MV_FIT_FAILED); code 2
 * with *res NULL when the start point makes the scenario invalid. */
int mv_fit_run(const struct mv_fit *f, const struct mv_fit_opts *opts,
	       struct mv_fit_result **res, struct mv_error *err);

/* Writes the report of fit f with result r to out (TSV; see docs/calibration.md): `#` metadata
 * lines, then four tables, each a `# table NAME` line, a header line and rows, separated by
 * two blank lines (gnuplot's `index` 0..3): parameters, correlation, scores, residuals.
 * Returns 0, or -1 with err set (code 1) when a write fails. */
int mv_fit_write_report(const struct mv_fit *f, const struct mv_fit_result *r, FILE *out,
			struct mv_error *err);

/* Writes the fitted what-if scenario: `base =` f's scenario as a path relative to the
 * directory of out_path (which must exist), `name`, and `overrides` with r's values (%.17g,
 * so `mvsim run` of the file reproduces the fit exactly). Returns 0, or -1 with err set
 * (code 2 when the directory cannot be resolved, 1 when a write fails). */
int mv_fit_write_fitted(const struct mv_fit *f, const struct mv_fit_result *r,
			const char *out_path, FILE *out, struct mv_error *err);

#endif
