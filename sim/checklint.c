/* checklint.c — can a sweep's check fail? (docs/model.md §9). See checklint.h. */
#include "mvsim/checklint.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void mv_checklint_init(struct mv_checklint *l)
{
	l->n = 0;
	l->broken = 0;
	l->lo = INFINITY;
	l->hi = -INFINITY;
}

void mv_checklint_add(struct mv_checklint *l, const struct mv_check *c, double v, int failed)
{
	if (failed || !mv_check_ok(c, v))
		l->broken++;
	if (failed || !isfinite(v))
		return;
	if (l->n == 0 || v < l->lo)
		l->lo = v;
	if (l->n == 0 || v > l->hi)
		l->hi = v;
	l->n++;
}

double mv_checklint_scale(const char *metric, const struct mv_check *c, double t_start,
			  double t_end)
{
	static const char *const times[] = {"argmin:", "argmax:", "cross:"};
	for (size_t k = 0; k < sizeof times / sizeof *times; k++)
		if (strncmp(metric, times[k], strlen(times[k])) == 0)
			return fabs(t_end - t_start);
	double s = 0;
	if (isfinite(c->min))
		s = fabs(c->min);
	if (isfinite(c->max) && fabs(c->max) > s)
		s = fabs(c->max);
	return s > 0 ? s : 1.0;
}

enum mv_checklint_verdict mv_checklint_judge(const struct mv_checklint *l,
					     const struct mv_check *c, double scale,
					     double *closest)
{
	if (closest)
		*closest = NAN;
	if (l->broken > 0)
		return MV_CHECKLINT_OK;
	if (l->n == 0)
		return MV_CHECKLINT_EMPTY;
	/* the value nearest a bound: hi for an upper bound, lo for a lower one */
	double dmax = isfinite(c->max) ? c->max - l->hi : INFINITY;
	double dmin = isfinite(c->min) ? l->lo - c->min : INFINITY;
	if (closest)
		*closest = dmax <= dmin ? l->hi : l->lo;
	double big = fmax(1.0, fmax(fabs(l->lo), fabs(l->hi)));
	if (l->hi - l->lo <= 1e-9 * big)
		return MV_CHECKLINT_CONSTANT;
	if (fmin(dmax, dmin) > MV_CHECKLINT_MARGIN * scale)
		return MV_CHECKLINT_FAR;
	return MV_CHECKLINT_OK;
}

int mv_checklint_format(enum mv_checklint_verdict v, const struct mv_checklint *l,
			const struct mv_check *c, const char *label, const char *metric,
			double scale, long nruns, char *buf, size_t size)
{
	char a[32], b[32], m[32];

	if (v == MV_CHECKLINT_CONSTANT) {
		snprintf(a, sizeof a, "%.10g", l->lo);
		return snprintf(buf, size,
				"check %s: this check cannot fail here: %s is %s in every one of %ld "
				"runs",
				label, metric, a, nruns);
	}
	if (v == MV_CHECKLINT_FAR) {
		double dmax = isfinite(c->max) ? c->max - l->hi : INFINITY;
		double dmin = isfinite(c->min) ? l->lo - c->min : INFINITY;
		int upper = dmax <= dmin;
		mv_format_exact(upper ? c->max : c->min, a);
		snprintf(b, sizeof b, "%.6g", upper ? l->hi : l->lo);
		snprintf(m, sizeof m, "%.6g", MV_CHECKLINT_MARGIN * scale);
		return snprintf(buf, size,
				"check %s: this check cannot fail here: %s never comes within 10%% of "
				"its bound %s (closest %s over %ld runs; 10%% is %s)",
				label, metric, a, b, nruns, m);
	}
	if (size > 0)
		buf[0] = '\0';
	return 0;
}
