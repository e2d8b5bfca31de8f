/* fit.h — calibration (docs/model.md §11, §11a): fit files, bounded nonlinear least squares of a
 * scenario's parameters against observed series (gsl_multifit_nlinear) from one or several
 * starts, per-observation transforms, rolling origins scored against three yardsticks
 * (persistence, mean, drift), standard errors, the report and the fitted what-if file.
 *
 * The code: fit_load.c (fit files → struct mv_fit), fit.c (the solver: starts, origins,
 * model runs through mv_batch_exec), fit_report.c (report tables, summary, fitted file). */
#ifndef MVSIM_FIT_H
#define MVSIM_FIT_H

#include <stdint.h>
#include <stdio.h>

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/scenario.h"

#define MV_FIT_MAX_PARAMS 32             /* free parameters per fit */
#define MV_FIT_MAX_OBS 64                /* entries of fit.observations */
#define MV_FIT_MAX_ORIGINS 64            /* entries of fit.origins */
#define MV_FIT_MAX_STARTS 1000           /* the largest fit.starts accepted */
#define MV_FIT_DEFAULT_MAX_ITERATIONS 100 /* fit.max_iterations when not given */
#define MV_FIT_MAX_ITERATIONS 100000     /* the largest fit.max_iterations accepted */
#define MV_FIT_XTOL 1e-10                /* converged: every step |du_j| < xtol·(|u_j| + xtol) */
#define MV_FIT_GTOL 1e-10                /* converged: max_j |g_j|·max(|u_j|, 1) <= gtol·max(½Σr², 1) */
#define MV_FIT_BOUND_TOL 1e-6            /* on a bound: within this fraction of min(max − min, the
					  * parameter's scale max(|start|, |bound|, 1e-3·min(max − min, 1))) */
#define MV_FIT_RANK_TOL 1e-5             /* J's unit-scaled columns within this of dependence: not identified */
#define MV_FIT_SAME_OPTIMUM 1e-6         /* a start reached the best: its SSR within this relative, */
#define MV_FIT_SAME_POINT 1e-5           /* or every value within this relative of the best's (an SSR
					  * near 0 has no relative precision) */
#define MV_FIT_LOGIT_CLAMP 1e-6          /* logit: both sides clamped to [c, 1 − c] (§11a) */
#define MV_FIT_LOG_CLAMP 1e-12           /* log: both sides clamped to [c, ∞) (§11a) */

/* fit.method: GSL's trust-region subproblem. */
enum mv_fit_method {
	MV_FIT_LM = 0,  /* "lm": Levenberg–Marquardt (the default) */
	MV_FIT_LMACCEL  /* "lmaccel": Levenberg–Marquardt with geodesic acceleration */
};

/* fit.observations[].transform (§11a): residuals are taken after f on both sides. */
enum mv_fit_transform {
	MV_FIT_NONE = 0, /* "none": f(x) = x (the default) */
	MV_FIT_LOG,      /* "log": f(x) = ln max(x, 1e-12) */
	MV_FIT_LOGIT     /* "logit": f(x) = ln(c/(1 − c)), c = x clamped to [1e-6, 1 − 1e-6] */
};

/* One entry of fit.observations: a data column compared with a model output column. */
struct mv_fit_obs {
	char *column;      /* model output column, e.g. "share_economy_china"; owned */
	int col;           /* its index in the run's rows (docs/model.md §7 order) */
	char *path;        /* data file, joined to the fit file's directory; owned */
	char *data_column; /* column of the data file; owned */
	double scale;      /* observation × scale is in the model column's unit; default 1 */
	double weight;     /* residual weight, >= 0; default 1 */
	int transform;     /* enum mv_fit_transform */
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

/* One observation used by an origin: observation entry `obs` at time t. Its residual is
 * r = weight·(f(model) − f(y)), f the entry's transform. */
struct mv_fit_point {
	int obs;        /* index into mv_fit.obs */
	int time;       /* index into the origin's times */
	double t;       /* years */
	double y;       /* scale × observed value */
	double fy;      /* f(y), the transform of the clamped y */
	double weight;
	int holdout;    /* 1: scored (o <= t < o + horizon), not fitted */
};

/* One forecast origin (§11a): fit on t < t_origin, score t_origin <= t < t_origin + horizon.
 * Without origins or holdout there is one "origin" at +∞ (every observation fitted). */
struct mv_fit_origin {
	double t;       /* the origin, years; +INFINITY: none */
	double end;     /* t + horizon; +INFINITY: unlimited */
	int m, mh;      /* fitted and scored points */
	struct mv_fit_point *points; /* m fitted then mh scored, each by entry then time; owned */
	int ntimes;     /* distinct times of the points, increasing */
	double *times;  /* owned */
	int nfit_times; /* times[0..nfit_times) are before the origin */
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
	int has_origins;         /* 1: fit.origins was given */
	double horizon;          /* years; +INFINITY when the file sets none */
	int starts;              /* fit.starts, default 1 */
	uint64_t seed;           /* fit.seed, default 1: of the Latin-hypercube starts */
	double *start_points;    /* starts × nparams: the given start, then the hypercube; owned */
	long max_iterations;     /* default MV_FIT_DEFAULT_MAX_ITERATIONS */
	int method;              /* enum mv_fit_method */
	int noutside;            /* observations outside the scenario's [start, end] (dropped) */
	int norigins;            /* >= 1 */
	struct mv_fit_origin *origins; /* owned */
};

/* Loads the fit file at path (docs/model.md §11, §11a): its scenario (relative to the fit
 * file), the observation data files (relative to the fit file, read with mv_series_read),
 * the free parameters, the origins and the starts (drawn here, from fit.seed). Returns the
 * fit, or NULL with err set: code 2 for every input error (`file:line: setting 'fit.x':
 * expected X, found Y`: unknown settings with a suggestion, unknown keys, keys that cannot be
 * fitted (settings, initial shares, keys driven by a data series), a key given twice,
 * min >= max, bounds outside the key's range, start outside [min, max], columns the model
 * does not write, missing data files or columns, bad data lines, an unknown transform, a
 * logit observation outside [0, 1] or a log observation below 0 after scale, starts < 1,
 * origins not strictly increasing, both holdout and origins, horizon <= 0 or without
 * origins, an origin with fewer fitted observations than free parameters or nothing to
 * score, a scenario with noise), code 1 when out of memory. */
struct mv_fit *mv_fit_load(const char *path, struct mv_error *err);

/* Frees f and everything it owns; NULL is a no-op. */
void mv_fit_free(struct mv_fit *f);

/* The method's name ("lm", "lmaccel") and the transform's ("none", "log", "logit"). */
const char *mv_fit_method_name(int method);
const char *mv_fit_transform_name(int transform);

/* f(x) of the transform, after its clamp (§11a). */
double mv_fit_transform(int transform, double x);

/* What the progress hook sees after each iteration (valid during the call only). */
struct mv_fit_progress {
	int origin;         /* index into mv_fit.origins */
	int start;          /* 0: the given start; 1..: the hypercube's */
	int iteration;      /* 1, 2, ... */
	long nruns;         /* model runs so far (this origin) */
	double ssr;         /* Σ r² over the fitted points at x */
	const double *x;    /* the current (best) parameter values, nparams */
};

typedef void (*mv_fit_progress_fn)(void *ctx, const struct mv_fit_progress *p);

struct mv_fit_opts {
	int jobs;                    /* threads for the model runs of a Jacobian (mv_batch_exec);
				      * <= 0: every core (1 without OpenMP). Results do not depend
				      * on it. */
	mv_fit_progress_fn progress; /* NULL: none */
	void *progress_ctx;
};

/* Scores of one series (observation entry) at one origin, or pooled (§11a). Every RMSE is of
 * the untransformed values, in the observation's unit after scale, every point counted once
 * (weights shape the fit only); NaN where there is no point or no yardstick. */
struct mv_fit_score {
	int n_fit, n_holdout;    /* fitted and scored points */
	double rmse_fit;         /* model, fitted period */
	double rmse_holdout;     /* model, scored period */
	double rmse_persistence; /* scored RMSE of the yardsticks */
	double rmse_mean;
	double rmse_drift;
	/* Per series and origin only (NaN when pooled): the yardsticks' values, from the
	 * series' fitted-period observations. */
	double persistence;      /* the last fitted observation */
	double mean;             /* the mean of the fitted observations */
	double drift;            /* yearly change: (last − first)/(t_last − t_first); NaN if < 2 */
	double t_last;           /* time of the last fitted observation */
};

/* Skill of RMSE `model` against a yardstick's: 1 − model/yardstick; NaN unless both are
 * finite and the yardstick's > 0. */
double mv_fit_skill(double model, double yardstick);

/* Why the iterations stopped. */
enum mv_fit_status {
	MV_FIT_CONVERGED = 0, /* a step or the gradient fell below MV_FIT_XTOL / MV_FIT_GTOL */
	MV_FIT_MAXITER,       /* max_iterations reached first */
	MV_FIT_NOPROGRESS,    /* the first iteration found no step that lowers the cost */
	MV_FIT_FAILED         /* a model run or GSL failed (see the error) */
};

/* One start's outcome at one origin. */
struct mv_fit_start {
	int status;          /* enum mv_fit_status */
	const char *reason;  /* static */
	int iterations;
	double ssr_start;    /* Σ r² at the start point; NaN when its run failed */
	double ssr;          /* at the end point; NaN when failed */
	double *x;           /* end point, nparams (points into mv_fit_result.start_x) */
	int reached;         /* 1: it reached the best (MV_FIT_SAME_OPTIMUM or MV_FIT_SAME_POINT) */
	char error[MV_ERROR_MAX]; /* why it failed; "" */
};

/* One origin's outcome (free with mv_fit_result_free). Values are at the best point found
 * (the start with the lowest SSR). */
struct mv_fit_result {
	int origin;          /* index into mv_fit.origins */
	int status;          /* enum mv_fit_status of the best start */
	const char *reason;  /* "small step", "small gradient", "iteration limit", ... (static) */
	int iterations;      /* of the best start */
	long nruns;          /* model runs, all of them (every start, Jacobians, final runs) */
	long nfailed;        /* trial points whose run failed (rejected as steps) */
	char first_failure[MV_ERROR_MAX]; /* why the first of them failed; "" if none */
	int jobs;            /* threads used */
	int best;            /* index of the best start */
	int nreached;        /* starts that reached the best (mv_fit_start.reached) */
	int nstarts_failed;  /* starts that produced no result */
	int nstarts;
	struct mv_fit_start *starts; /* nstarts */
	double *start_x;     /* nstarts × nparams */
	double ssr_start;    /* Σ r² over the fitted points at the best start's start values */
	double ssr;          /* Σ r² over the fitted points at x */
	double sigma2;       /* ssr/(m − p); NaN when m = p */
	int nparams;
	double *x;           /* fitted values */
	double *se;          /* standard errors sqrt(diag σ²(JᵀJ)⁻¹), J = ∂r/∂x; NaN if undefined */
	double *corr;        /* correlation matrix, nparams × nparams, row-major; NaN if undefined */
	int *bound;          /* -1 on min, +1 on max, 0 inside (within MV_FIT_BOUND_TOL) */
	int rank;            /* numerical rank of J (< nparams: some parameters not identified) */
	int npoints;         /* of the origin: m + mh */
	double *model;       /* the model at every point (fitted and scored) */
	double *resid;       /* weight·(f(model) − f(y)) at every point */
	struct mv_fit_score *scores; /* nobs + 1: one per series, then pooled over them */
};

void mv_fit_result_free(struct mv_fit_result *r);

/* Every origin's outcome, and the scores pooled over origins (free with mv_fit_results_free). */
struct mv_fit_results {
	int norigins;
	struct mv_fit_result **origin; /* norigins; each non-NULL */
	struct mv_fit_score *pooled;   /* nobs + 1: per series over all origins, then everything */
	long nruns;
	int jobs;
};

void mv_fit_results_free(struct mv_fit_results *r);

/* Fits f's parameters at every origin, each from every start (independently, the same
 * starts): minimises Σ r_k² over the origin's fitted points with GSL's trust-region solver
 * (fit.method), each parameter kept inside [min, max] by a transform that is the identity in
 * the scaled variable u = x/s (s the start's magnitude) away from the bounds and approaches
 * each bound exponentially within a band of width w = min(s, (max − min)/4): well
 * conditioned for any finite box (docs/calibration.md). The Jacobian ∂r/∂x by forward
 * differences, its columns run through mv_batch_exec (in parallel; each run a function of its
 * point only, so the result does not depend on opts->jobs). The best start (lowest SSR) is
 * kept; at it: standard errors, correlations, bounds, the model at every point, the scores
 * and the three yardsticks. A trial point whose run fails counts as a step that raises the
 * cost; a start whose runs fail otherwise is recorded as failed.
 * Returns 0 when the best start converged at every origin, with *res set (free it).
 * Otherwise -1 with err set: code 1 with *res set when some origin's best start did not
 * converge (MV_FIT_MAXITER or MV_FIT_NOPROGRESS; the best point in the message); code 1 with
 * *res NULL when every start of an origin failed or a run at the best point failed; code 2
 * with *res NULL when the given start makes the scenario invalid. */
int mv_fit_run(const struct mv_fit *f, const struct mv_fit_opts *opts,
	       struct mv_fit_results **res, struct mv_error *err);

/* The report's tables (docs/calibration.md "Fit file reference"), in the order written. */
enum mv_fit_table {
	MV_FIT_T_ORIGINS = 0, /* per origin: status, SSR, starts reached, points */
	MV_FIT_T_PARAMETERS,  /* per origin and parameter: value, se, bounds, bound flag */
	MV_FIT_T_CORRELATION, /* per origin: the correlation matrix, one row per parameter */
	MV_FIT_T_STARTS,      /* per origin and start: start and end points, SSR, status */
	MV_FIT_T_SCORES,      /* per origin and series (and pooled): RMSEs, yardsticks, skill */
	MV_FIT_T_RESIDUALS,   /* per origin and point: observed, model, residual, yardsticks */
	MV_FIT_NTABLES
};

/* The table's name (as in its `# table: NAME` line and --report-dir's NAME.tsv). */
const char *mv_fit_table_name(int table);

/* Writes the report of fit f with results r to out (TSV): `#` metadata lines, then every
 * table, each a `# table: NAME` line, a header line and rows, tables separated by two blank
 * lines (gnuplot's `index` 0, 1, ... in the order of enum mv_fit_table). Numbers are %.10g
 * at least (exact where mv_format_number is). Returns 0, or -1 with err set (code 1) when a
 * write fails. */
int mv_fit_write_report(const struct mv_fit *f, const struct mv_fit_results *r, FILE *out,
			struct mv_error *err);

/* Writes one table alone: the report's `#` metadata lines, the `# table: NAME` line, the
 * header and the rows (a file that any TSV reader with `#` comments reads as one frame).
 * Returns 0, or -1 with err set (code 1). */
int mv_fit_write_table(const struct mv_fit *f, const struct mv_fit_results *r, int table,
		       FILE *out, struct mv_error *err);

/* ---- a report read back (`mvsim plot --report`): what its `#` lines and tables hold */

/* A row of a table as read: its line number and its tab-separated fields. */
struct mv_fit_report_row {
	long line;
	int nfields;
	char **fields; /* owned */
};

/* One `# table: NAME` section, in the order of the file. A table ends at a blank line. */
struct mv_fit_report_table {
	char *name;        /* NAME as written (mv_fit_table_name's, or another) */
	long line;         /* the `# table: NAME` line */
	int dataset;       /* its gnuplot data set (`index`): blocks separated by two or more
			    * blank lines, from 0 (mv_fit_write_report writes table t at t) */
	long header_line;  /* the header's line; 0 when the table ends before one */
	int ncolumns;
	char **columns;    /* the header's fields (owned) */
	long nrows;
	struct mv_fit_report_row *rows; /* the rows after the header ('#' lines skipped) */
};

/* A fit report as read back (plain data; free with mv_fit_report_free). */
struct mv_fit_report {
	char *scenario_name; /* the first `# scenario_name` line's value, or NULL */
	int ntables;
	struct mv_fit_report_table *tables;
};

/* Reads the report at path (what mv_fit_write_report writes: its first line "# mvsim
 * VERSION fit report") into *out. Returns 0; 1 when a read error (a NUL byte, a line longer
 * than MV_TSV_MAX_LINE) stopped it, with *out holding the lines before and err saying why;
 * -1 with *out NULL and err (code 2: "PATH: cannot open: ...", "PATH: not an mvsim fit
 * report (...)", "PATH: empty file, not an mvsim fit report"; code 1 out of memory). It
 * checks nothing else: which tables a reader needs, and their columns, are the reader's. */
int mv_fit_report_read(const char *path, struct mv_fit_report **out, struct mv_error *err);

/* Frees r (NULL: nothing). */
void mv_fit_report_free(struct mv_fit_report *r);

/* Writes a short human summary of the fit (for standard error): per origin, the status, the
 * starts that reached the best, the fitted values with standard errors and bound notes, and
 * the scores against the yardsticks; then the pooled scores. secs: wall time (< 0: not
 * shown). Returns 0 (write errors are the caller's to check on out). */
int mv_fit_write_summary(const struct mv_fit *f, const struct mv_fit_results *r, double secs,
			 FILE *out);

/* Writes the fitted what-if scenario of the last origin (without origins or holdout: of all
 * observations): `base =` f's scenario as a path relative to the directory of out_path
 * (which must exist), `name`, and `overrides` with its values (%.17g, so `mvsim run` of the
 * file reproduces the fit exactly). Returns 0, or -1 with err set (code 2 when the directory
 * cannot be resolved, 1 when a write fails). */
int mv_fit_write_fitted(const struct mv_fit *f, const struct mv_fit_results *r,
			const char *out_path, FILE *out, struct mv_error *err);

#endif
