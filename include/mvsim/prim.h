/* prim.h — scenario discovery with PRIM (docs/model.md §12): which boxes of the swept
 * parameters hold the runs of interest, with the EMA Workbench's conventions point by point. */
#ifndef MVSIM_PRIM_H
#define MVSIM_PRIM_H

#include <stdio.h>
#include <stddef.h>

#include "mvsim/error.h"

#define MV_PRIM_MAX_PARAMS 256 /* parameter columns */
#define MV_PRIM_MAX_BOXES 64   /* boxes found by covering */

/* Which runs are cases of interest: y > threshold (ABOVE) or y < threshold (BELOW). */
enum mv_prim_rule { MV_PRIM_ABOVE, MV_PRIM_BELOW };

/* The objective peeling and pasting maximise (§12), with n the points in a box and mean its
 * density, "old" the current box and "new" a candidate:
 * LENIENT1 (mean_new − mean_old) / |n_old − n_new| (0 when the means are equal),
 * LENIENT2 n_new·(mean_new − mean_old) / |n_old − n_new|, ORIGINAL mean_new (−1 when empty). */
enum mv_prim_objective { MV_PRIM_LENIENT1, MV_PRIM_LENIENT2, MV_PRIM_ORIGINAL };

/* The data PRIM reads (plain data; mv_prim_read allocates one, a caller may fill its own).
 * Rows that failed, or whose metric is NaN, are left out of the analysis and counted. */
struct mv_prim_input {
	int p;                 /* parameters, 1 .. MV_PRIM_MAX_PARAMS */
	long n;                /* rows, left-out ones included */
	char **names;          /* p parameter names (column names) */
	double *x;             /* n·p parameter values, row-major: x[r·p + j]; finite */
	double *y;             /* n metric values; NaN: left out */
	unsigned char *failed; /* n flags, 1: the run failed (left out); NULL: none failed */
	char *metric;          /* the metric's name (for reports), e.g. "final:crisis_prob" */
	char *source;          /* where the data came from (a file name), starts messages; may be NULL */
};

/* Reads a TSV: `#` comment lines anywhere, one header line of column names (any text but a
 * tab), then rows with as many tab-separated fields as the header. The metric is the column
 * named `metric`; the parameters are the columns named params[0..nparams), or, when params
 * is NULL, those named by the file's `# parameter\tKEY\t...` lines (an mvsim sweep
 * summary's metadata), in that order. A `status` column, if present, marks a row failed
 * when it is not "ok"; a failed row's fields are not read (x and y are NaN there). In the
 * other rows parameter fields must be finite numbers, the metric a number or nan (NaN: the
 * row is left out of the analysis).
 * On success *out is a new input (free with mv_prim_input_free) and 0 is returned; on
 * failure -1 with err set (code 2, `path:line: ...` where a line is to blame):
 * the file cannot be read; no header; a row with the wrong number of fields; the metric or
 * a parameter not in the file (naming the closest column); a column named twice among them;
 * fewer than one parameter; a parameter that is also the metric; a non-numeric or
 * non-finite parameter field; a metric field that is not a number; no rows. Code 1 when
 * out of memory. */
int mv_prim_read(const char *path, const char *metric, const char *const *params, int nparams,
		 struct mv_prim_input **out, struct mv_error *err);

/* Frees an input made by mv_prim_read (NULL: nothing). */
void mv_prim_input_free(struct mv_prim_input *in);

/* Options (plain data); mv_prim_options_default fills the defaults given beside each. */
struct mv_prim_options {
	enum mv_prim_rule rule;           /* ABOVE */
	double threshold;                 /* NaN: must be set */
	double peel_alpha;                /* α, in (0, 0.5); 0.05 */
	double paste_alpha;               /* β, in (0, 0.5); 0.05 */
	double mass_min;                  /* in (0, 1); 0.05 */
	enum mv_prim_objective objective; /* LENIENT1 */
	int boxes;                        /* boxes to find by covering, 1 .. MV_PRIM_MAX_BOXES; 1 */
	int nsteps;                       /* chosen steps given: box b < nsteps takes step[b]; 0 */
	int step[MV_PRIM_MAX_BOXES];      /* a step of that box's trajectory (0 = initial box) */
	double min_coverage;              /* NaN: unset; else in [0, 1]: a box without a given
					   * step takes its last step whose coverage >= this */
};

/* Fills o with the defaults above (threshold NaN). */
void mv_prim_options_default(struct mv_prim_options *o);

/* Checks o. Returns 0, or -1 with err set (code 2), e.g.
 * `peel_alpha: expected a number in (0, 0.5), found 0.7`, for: threshold not a finite
 * number; peel_alpha or paste_alpha outside (0, 0.5); mass_min outside (0, 1); boxes outside
 * 1 .. MV_PRIM_MAX_BOXES; nsteps outside 0 .. boxes; a negative step; min_coverage neither
 * NaN nor in [0, 1]; both a step and min_coverage given. */
int mv_prim_options_check(const struct mv_prim_options *o, struct mv_error *err);

/* One box of a peeling trajectory, with its statistics as the EMA Workbench reports them:
 * over the points the run of PRIM saw (those not removed by earlier boxes), with N all the
 * points and K all the cases of interest of the analysis. */
struct mv_prim_step {
	char phase;       /* 'i' the initial box (step 0), 'p' a peel, 'a' a paste */
	long n;           /* points in the box */
	long k;           /* cases of interest in the box */
	double coverage;  /* k / K */
	double density;   /* k / n */
	double mass;      /* n / N */
	int restricted;   /* dimensions whose limits differ from the initial box's */
	double *lo, *hi;  /* p limits (inside the result's storage) */
};

/* A box found by one run of PRIM, and the step chosen from its trajectory. */
struct mv_prim_box {
	int nsteps;                 /* trajectory length, >= 1 */
	struct mv_prim_step *steps; /* the peeling and pasting trajectory; steps[0] initial box */
	int chosen;                 /* the chosen step */
	const double *lo, *hi;      /* its limits (= steps[chosen].lo, .hi) */
	double *qp_lo, *qp_hi;      /* p quasi-p-values of the lower and upper limits: NaN for a
				     * limit that is not restricted */
	long n_remaining;           /* points this run of PRIM saw */
	long k_remaining;           /* cases of interest among them */
	long n, k;                  /* points, cases of interest in the box among those */
	double coverage, density, mass;             /* among the remaining: k/k_remaining, k/n,
						     * n/n_remaining */
	long n_all, k_all;          /* points, cases of interest of all N inside the limits */
	double coverage_all, density_all, mass_all; /* k_all/K, k_all/n_all, n_all/N */
};

/* The result (plain data, owned by the caller: free with mv_prim_result_free). */
struct mv_prim_result {
	int p;                     /* parameters */
	char **names;              /* their names */
	char *metric;              /* the metric's name */
	char *source;              /* the input's source, or NULL */
	struct mv_prim_options opt;/* the options used */
	long rows;                 /* rows given */
	long left_failed;          /* rows left out: the run failed */
	long left_nan;             /* rows left out: the metric is NaN */
	long N;                    /* points analysed: rows − left_failed − left_nan */
	long K;                    /* cases of interest among them */
	double *init_lo, *init_hi; /* the initial box: each parameter's observed [min, max] */
	int nboxes;                /* boxes found, 1 .. opt.boxes */
	struct mv_prim_box *boxes;
	char stopped[256];         /* why covering stopped before opt.boxes boxes, or "" */
};

/* Runs PRIM with covering (§12) on in with options opt: peeling, pasting, the chosen step,
 * quasi-p-values, then again on the points outside the chosen boxes, up to opt->boxes boxes
 * (fewer when no point or no case of interest remains, or no step of a later box reaches
 * opt->min_coverage: result->stopped says which). Costs O(p·N log N) per box to sort, then
 * O(p·n) per step with n the points in the box. On success *out is a new result and 0 is
 * returned; on failure -1 with err set (code 2, messages starting with in->source when set):
 * bad options (as mv_prim_options_check); a non-finite parameter value; no row left (all
 * failed or NaN); no case of interest; every point a case of interest; a given step that
 * does not exist in its box's trajectory. Code 1 when out of memory. */
int mv_prim_run(const struct mv_prim_input *in, const struct mv_prim_options *opt,
		struct mv_prim_result **out, struct mv_error *err);

/* Frees a result (NULL: nothing). */
void mv_prim_result_free(struct mv_prim_result *r);

/* The EMA Workbench's quantile (from sdtoolkit) of the n values v, sorted ascending, at q in
 * (0, 1): i = (n − 1)·q, lo = ⌊i⌋, hi = ⌈i⌉; for q > 0.5, while v[lo] = v[hi] and lo > 0,
 * lo −= 1; otherwise, while v[lo] = v[hi] and hi < n − 1, hi += 1; returns
 * (v[lo] + v[hi]) / 2. n must be >= 1. */
double mv_prim_quantile(const double *v, long n, double q);

/* P(X >= h) for X ~ Binomial(t, p): the one-sided quasi-p-value (1 when h = 0). */
double mv_prim_binom_sf(long h, long t, double p);

/* Writes r to f as labelled TSV tables, each a line `# table: NAME`, a header line, rows:
 * counts, trajectory (every box's steps), boxes (their statistics), limits (one row per box
 * and parameter), after `#` lines naming the source, metric, rule and options. Numbers in
 * their shortest exact form (mv_format_exact: they read back as the same double).
 * Returns 0, or -1 with err set (code 1) when writing fails (ferror on f). Does not close f. */
int mv_prim_write(FILE *f, const struct mv_prim_result *r, struct mv_error *err);

/* Writes the one-line human summary of box b (0-based, < r->nboxes; otherwise an empty
 * string) into buf (always NUL-terminated when size > 0):
 * `box 1: coverage 0.72, density 0.78 — coercion ≥ 2.72, red_line ≥ 0.42, ...`, the
 * restrictions ordered by their smallest quasi-p-value (most significant first); later
 * boxes also give their coverage and density among the remaining points. Returns the length
 * it needed (as snprintf). */
int mv_prim_summary(const struct mv_prim_result *r, int b, char *buf, size_t size);

#endif
