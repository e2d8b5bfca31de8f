/* checklint.h — can a sweep's check fail? (docs/model.md §9: checks). A check whose metric
 * takes the same value in every run of a sweep, or never comes within 10% of its bound, passes
 * whatever happens to the model: it gates nothing. The sweep command feeds every run's value to
 * an accumulator and, after the verdict, warns "this check cannot fail here". */
#ifndef MVSIM_CHECKLINT_H
#define MVSIM_CHECKLINT_H

#include <stddef.h>

#include "mvsim/metrics.h"

/* How close to its bound a metric must come, as a fraction of the check's scale. */
#define MV_CHECKLINT_MARGIN 0.1

/* What one check's metric did over the runs of a sweep (plain data; zero it, or call
 * mv_checklint_init). */
struct mv_checklint {
	long n;        /* finite values of runs that completed */
	long broken;   /* values that broke the check (NaN and failed runs included) */
	double lo, hi; /* smallest and largest finite value (meaningless while n == 0) */
};

/* The verdicts of mv_checklint_judge. */
enum mv_checklint_verdict {
	MV_CHECKLINT_OK = 0,    /* broken by some run, or within the margin of a bound */
	MV_CHECKLINT_EMPTY,     /* no completed run with a finite value: nothing to judge */
	MV_CHECKLINT_CONSTANT,  /* the same value in every run (to 1e-9 relative) */
	MV_CHECKLINT_FAR        /* varies, but never within the margin of any bound */
};

void mv_checklint_init(struct mv_checklint *l);

/* Adds one run's value v of the check c's metric; failed says the run did not complete (its
 * value is not counted among the finite ones, but a failed run breaks the check). */
void mv_checklint_add(struct mv_checklint *l, const struct mv_check *c, double v, int failed);

/* The scale the margin is a fraction of, for the check c on the metric named metric
 * ("REDUCER:COLUMN"): for a time (argmin, argmax, cross) the scenario's span t_end - t_start,
 * because a year's size (2035) says nothing about closeness; otherwise |bound| (the larger of
 * the two when both are finite), or 1 when that is 0. */
double mv_checklint_scale(const char *metric, const struct mv_check *c, double t_start,
			  double t_end);

/* Judges l for c with the given scale: CONSTANT if hi - lo <= 1e-9 * max(1, |lo|, |hi|) and
 * no run broke the check; FAR if no run broke it and, for every finite bound, the closest
 * value is farther from it than MV_CHECKLINT_MARGIN * scale; OK otherwise; EMPTY when n == 0
 * and no run broke it. *closest (if not NULL) gets the value nearest to a bound (lo or hi). */
enum mv_checklint_verdict mv_checklint_judge(const struct mv_checklint *l,
					     const struct mv_check *c, double scale,
					     double *closest);

/* Writes the warning for a verdict other than OK and EMPTY into buf: label is the check as
 * text ("max:tension_russia <= 1"), metric its metric's name, nruns the runs of the sweep:
 *   "check max:tension_russia <= 1: this check cannot fail here: max:tension_russia is 0.7 in
 *    every one of 1000 runs"
 *   "check min:n_eff >= 2: this check cannot fail here: min:n_eff never comes within 10% of its
 *    bound 2 (closest 3.1 over 1000 runs; 10% is 0.2)"
 * Returns the length (0, and buf "", for OK and EMPTY). */
int mv_checklint_format(enum mv_checklint_verdict v, const struct mv_checklint *l,
			const struct mv_check *c, const char *label, const char *metric,
			double scale, long nruns, char *buf, size_t size);

#endif
