/* metrics.c — streaming reducers over a run's rows (docs/model.md §9), as a table {name, fn}; checks.
 * Each reducer folds one row into an accumulator whose `value` is the metric so far. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/metrics.h"

#include "mvsim/keys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reducer's accumulator. x is the reduced quantity: the column, or A − B for cross. */
struct acc {
	long n;        /* rows seen */
	double value;  /* the metric after those rows */
	double best;   /* argmin/argmax: the extreme so far */
	double sum;    /* mean: ∫ x dt so far (trapezoid rule) */
	double t0;     /* time of the first row */
	double t_prev; /* time and x of the previous row */
	double x_prev;
};

typedef void (*reduce_fn)(struct acc *a, double t, double x);

static void red_initial(struct acc *a, double t, double x)
{
	(void)t;
	if (a->n == 0)
		a->value = x;
}

static void red_final(struct acc *a, double t, double x)
{
	(void)t;
	a->value = x;
}

static void red_min(struct acc *a, double t, double x)
{
	(void)t;
	if (a->n == 0 || x < a->value)
		a->value = x;
}

static void red_max(struct acc *a, double t, double x)
{
	(void)t;
	if (a->n == 0 || x > a->value)
		a->value = x;
}

static void red_mean(struct acc *a, double t, double x)
{
	if (a->n == 0) {
		a->sum = 0;
		a->value = x;
		return;
	}
	a->sum += 0.5 * (x + a->x_prev) * (t - a->t_prev);
	if (t > a->t0)
		a->value = a->sum / (t - a->t0);
}

static void red_argmin(struct acc *a, double t, double x)
{
	if (a->n == 0 || x < a->best) {
		a->best = x;
		a->value = t;
	}
}

static void red_argmax(struct acc *a, double t, double x)
{
	if (a->n == 0 || x > a->best) {
		a->best = x;
		a->value = t;
	}
}

/* x = A − B. While no crossing is known, x_prev <= 0, so the root of the chord lies in
 * (t_prev, t]. */
static void red_cross(struct acc *a, double t, double x)
{
	if (!(x > 0) || !isnan(a->value))
		return;
	if (a->n == 0)
		a->value = t;
	else
		a->value = a->t_prev + (t - a->t_prev) * (-a->x_prev) / (x - a->x_prev);
}

static const struct reducer {
	const char *name;
	reduce_fn fn;
	int binary; /* takes COLUMN_A>COLUMN_B */
} reducers[] = {
	{"initial", red_initial, 0}, {"final", red_final, 0},   {"min", red_min, 0},
	{"max", red_max, 0},         {"mean", red_mean, 0},     {"argmin", red_argmin, 0},
	{"argmax", red_argmax, 0},   {"cross", red_cross, 1},
};
#define NREDUCERS (int)(sizeof reducers / sizeof reducers[0])

const char *const mv_metric_reducers[] = {"initial", "final", "min",   "max", "mean",
					  "argmin",  "argmax", "cross", NULL};


static int find_column(const char *name, size_t len, char *const *columns, int ncols)
{
	for (int c = 0; c < ncols; c++)
		if (strlen(columns[c]) == len && strncmp(columns[c], name, len) == 0)
			return c;
	return -1;
}

static int bad_column(const char *spec, const char *name, size_t len, char *const *columns,
		      int ncols, const char *where, struct mv_error *err)
{
	char col[MV_METRIC_MAX_NAME];
	snprintf(col, sizeof col, "%.*s", (int)(len < sizeof col - 1 ? len : sizeof col - 1), name);
	const char *s = mv_suggest(col, (const char *const *)columns, ncols);
	return mv_error_set(err, MV_EXIT_INPUT,
			    "%s: expected a column of the scenario's output, found unknown column '%s' in "
			    "'%s'%s%s%s",
			    where, col, spec, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
}

int mv_metric_parse(const char *spec, char *const *columns, int ncols, const char *where,
		    struct mv_metric *m, struct mv_error *err)
{
	const char *colon = strchr(spec, ':');
	char list[160];
	size_t used = 0;

	for (int r = 0; r < NREDUCERS; r++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", r ? ", " : "",
					 reducers[r].name);
	if (strlen(spec) >= MV_METRIC_MAX_NAME)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected a metric shorter than %d bytes, found %zu bytes", where,
				    MV_METRIC_MAX_NAME, strlen(spec));
	if (colon == NULL)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected REDUCER:COLUMN with REDUCER one of %s, found '%s'", where,
				    list, spec);
	int r;
	size_t rlen = (size_t)(colon - spec);
	for (r = 0; r < NREDUCERS; r++)
		if (strlen(reducers[r].name) == rlen && strncmp(reducers[r].name, spec, rlen) == 0)
			break;
	if (r == NREDUCERS) {
		char name[MV_METRIC_MAX_NAME];
		snprintf(name, sizeof name, "%.*s", (int)rlen, spec);
		const char *s = mv_suggest(name, mv_metric_reducers, NREDUCERS);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected REDUCER:COLUMN with REDUCER one of %s, found unknown "
				    "reducer '%s' in '%s'%s%s%s",
				    where, list, name, spec, s ? "; did you mean '" : "", s ? s : "",
				    s ? "'?" : "");
	}
	const char *a = colon + 1, *gt = strchr(a, '>');
	m->reducer = r;
	m->col_b = -1;
	if (!reducers[r].binary) {
		if (gt != NULL)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: expected '>' only in cross:COLUMN_A>COLUMN_B, found '%s'",
					    where, spec);
		if ((m->col = find_column(a, strlen(a), columns, ncols)) < 0)
			return bad_column(spec, a, strlen(a), columns, ncols, where, err);
		return 0;
	}
	if (gt == NULL)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected cross:COLUMN_A>COLUMN_B, found '%s'", where, spec);
	if ((m->col = find_column(a, (size_t)(gt - a), columns, ncols)) < 0)
		return bad_column(spec, a, (size_t)(gt - a), columns, ncols, where, err);
	if ((m->col_b = find_column(gt + 1, strlen(gt + 1), columns, ncols)) < 0)
		return bad_column(spec, gt + 1, strlen(gt + 1), columns, ncols, where, err);
	return 0;
}

int mv_metric_format(const struct mv_metric *m, char *const *columns, char *buf, size_t size)
{
	if (m->col_b >= 0)
		return snprintf(buf, size, "%s:%s>%s", reducers[m->reducer].name, columns[m->col],
				columns[m->col_b]);
	return snprintf(buf, size, "%s:%s", reducers[m->reducer].name, columns[m->col]);
}

struct mv_metrics {
	int n;
	struct mv_metric *list;
	struct acc *acc;
};

struct mv_metrics *mv_metrics_create(const struct mv_metric *list, int n, struct mv_error *err)
{
	struct mv_metrics *ms = calloc(1, sizeof *ms);

	if (ms == NULL)
		goto oom;
	ms->n = n;
	ms->list = malloc((size_t)(n > 0 ? n : 1) * sizeof *ms->list);
	ms->acc = calloc((size_t)(n > 0 ? n : 1), sizeof *ms->acc);
	if (ms->list == NULL || ms->acc == NULL)
		goto oom;
	if (n > 0)
		memcpy(ms->list, list, (size_t)n * sizeof *list);
	mv_metrics_reset(ms);
	return ms;
oom:
	mv_metrics_free(ms);
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	return NULL;
}

void mv_metrics_free(struct mv_metrics *ms)
{
	if (ms == NULL)
		return;
	free(ms->list);
	free(ms->acc);
	free(ms);
}

void mv_metrics_reset(struct mv_metrics *ms)
{
	for (int k = 0; k < ms->n; k++) {
		memset(&ms->acc[k], 0, sizeof ms->acc[k]);
		ms->acc[k].value = NAN;
	}
}

int mv_metrics_row(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	struct mv_metrics *ms = ctx;
	double t = row[0];

	(void)ncols;
	(void)err;
	for (int k = 0; k < ms->n; k++) {
		const struct mv_metric *m = &ms->list[k];
		struct acc *a = &ms->acc[k];
		double x = m->col_b >= 0 ? row[m->col] - row[m->col_b] : row[m->col];
		if (a->n == 0)
			a->t0 = t;
		reducers[m->reducer].fn(a, t, x);
		a->t_prev = t;
		a->x_prev = x;
		a->n++;
	}
	return 0;
}

void mv_metrics_values(const struct mv_metrics *ms, double *out)
{
	for (int k = 0; k < ms->n; k++)
		out[k] = ms->acc[k].value;
}

int mv_check_ok(const struct mv_check *c, double v)
{
	return v >= c->min && v <= c->max; /* false for NaN */
}

int mv_format_exact(double v, char *buf)
{
	if (isnan(v))
		return snprintf(buf, 32, "nan");
	/* Most values need 16 or 17 digits: if 15 do not read back, none fewer do (the nearest
	 * 15-digit decimal is at least as close to v as any shorter one, so when it falls outside
	 * v's rounding interval they all do), and the answer is 16 or 17 digits as the loop
	 * below would find. A power of two is the exception (its interval is narrower below than
	 * above): it takes the loop. tests/test_metrics.c compares both ways on 2·10^5 values
	 * and edge cases. */
	int e2;
	if (frexp(v, &e2) != 0.5 && frexp(v, &e2) != -0.5 && isfinite(v)) {
		snprintf(buf, 32, "%.15g", v);
		if (strtod(buf, NULL) != v) {
			int len = snprintf(buf, 32, "%.16g", v);
			if (strtod(buf, NULL) == v)
				return len;
			return snprintf(buf, 32, "%.17g", v);
		}
	}
	for (int p = 1; p < 17; p++) {
		int len = snprintf(buf, 32, "%.*g", p, v);
		/* "1e+02" reads back as 100 but "100" reads better: in the range where %g writes
		 * plain digits once the precision allows, wait for them. */
		if (strchr(buf, 'e') && fabs(v) >= 1e-4 && fabs(v) < 1e15)
			continue;
		if (strtod(buf, NULL) == v)
			return len;
	}
	return snprintf(buf, 32, "%.17g", v);
}

int mv_check_format(const struct mv_check *c, const char *name, char *buf, size_t size)
{
	char lo[32], hi[32];

	mv_format_exact(c->min, lo);
	mv_format_exact(c->max, hi);
	if (isinf(c->min) && c->min < 0)
		return snprintf(buf, size, "%s <= %s", name, hi);
	if (isinf(c->max) && c->max > 0)
		return snprintf(buf, size, "%s >= %s", name, lo);
	return snprintf(buf, size, "%s in [%s, %s]", name, lo, hi);
}
