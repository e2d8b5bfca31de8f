/* metrics.h — one number per run from its rows (docs/model.md §9), reduced as the rows stream by so
 * a run's series is never kept; and checks, bounds on a metric that sweeps use as CI gates. */
#ifndef MVSIM_METRICS_H
#define MVSIM_METRICS_H

#include <stddef.h>

#include "mvsim/error.h"

#define MV_METRIC_MAX_NAME 320 /* bytes of a metric's text, NUL included */

/* A metric bound to a scenario's output columns (plain data). */
struct mv_metric {
	int reducer; /* position in the reducer table: initial final min max mean argmin argmax cross */
	int col;     /* column reduced; for cross, column A */
	int col_b;   /* for cross, column B; -1 otherwise */
};

/* Parses spec — "REDUCER:COLUMN", or "cross:COLUMN_A>COLUMN_B" — against the column names
 * columns[0..ncols) into *m. `where` starts every message (e.g. "s.cfg:9: setting
 * 'sweep.metrics[0]'"). Returns 0, or -1 with err set (code 2):
 * `<where>: expected ..., found ...`, naming the closest reducer or column when one is near. */
int mv_metric_parse(const char *spec, char *const *columns, int ncols, const char *where,
		    struct mv_metric *m, struct mv_error *err);

/* Writes m as text ("final:crisis_prob") into buf (size >= MV_METRIC_MAX_NAME is always
 * enough). Returns the length. */
int mv_metric_format(const struct mv_metric *m, char *const *columns, char *buf, size_t size);

/* The reducers' names, NULL-terminated, in table order (for help and messages). */
extern const char *const mv_metric_reducers[];

/* The running state of a list of metrics over one run's rows. */
struct mv_metrics;

/* Prepares to reduce list[0..n) (copied). Returns NULL with err set (code 1) when out of
 * memory. n may be 0. */
struct mv_metrics *mv_metrics_create(const struct mv_metric *list, int n, struct mv_error *err);

/* Frees ms; NULL is a no-op. */
void mv_metrics_free(struct mv_metrics *ms);

/* Forgets every row seen: the next row starts a new run. */
void mv_metrics_reset(struct mv_metrics *ms);

/* Feeds one output row (row[0] is the time t); an mv_row_fn with ctx a struct mv_metrics *.
 * Rows must come in increasing time. Always returns 0. */
int mv_metrics_row(void *ctx, const double *row, int ncols, struct mv_error *err);

/* The metrics after the rows seen so far into out[0..n): initial, final, min, max: values;
 * mean: trapezoid time average (the value itself after a single row); argmin, argmax: the
 * time of the first row holding the extreme; cross: the first time A − B turns positive,
 * interpolated linearly between the last row with A <= B and the first with A > B (the
 * first row's time when A > B there), NaN when A never exceeds B. NaN for every metric
 * before any row. */
void mv_metrics_values(const struct mv_metrics *ms, double *out);

/* A check: bounds on one metric of a list (docs/model.md §9). */
struct mv_check {
	int metric; /* index in the metric list */
	double min; /* lower bound, -INFINITY when none */
	double max; /* upper bound, INFINITY when none */
};

/* 1 when v is a number within [c->min, c->max], else 0 (NaN breaks every check: a metric
 * that never happened, or a failed run, does not pass a gate). */
int mv_check_ok(const struct mv_check *c, double v);

/* Writes the check as text into buf: "NAME <= 0.25", "NAME >= 3" or "NAME in [1, 2]", with
 * NAME the metric's text and bounds in their shortest exact form. Returns the length. */
int mv_check_format(const struct mv_check *c, const char *name, char *buf, size_t size);

/* Formats v into buf (size >= 32) with the fewest significant digits (at most 17) that read
 * back as exactly v: "0.25", "1e-08", "inf", "nan". For metadata that must round-trip.
 * Returns the length. */
int mv_format_exact(double v, char *buf);

#endif
