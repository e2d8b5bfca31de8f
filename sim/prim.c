/* prim.c — PRIM scenario discovery (docs/model.md §12): peeling, pasting, quasi-p-values and
 * covering over N points × p parameters, each dimension sorted once per box, never per candidate. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/prim.h"

#include "mvsim/keys.h"
#include "mvsim/metrics.h"
#include "mvsim/tsv.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ options */

void mv_prim_options_default(struct mv_prim_options *o)
{
	memset(o, 0, sizeof *o);
	o->rule = MV_PRIM_ABOVE;
	o->threshold = NAN;
	o->peel_alpha = 0.05;
	o->paste_alpha = 0.05;
	o->mass_min = 0.05;
	o->objective = MV_PRIM_LENIENT1;
	o->boxes = 1;
	o->nsteps = 0;
	o->min_coverage = NAN;
}

int mv_prim_options_check(const struct mv_prim_options *o, struct mv_error *err)
{
	char v[32];

	if (!isfinite(o->threshold))
		return mv_error_set(err, MV_EXIT_INPUT, "threshold: expected a finite number, found %s",
				    (mv_format_exact(o->threshold, v), v));
	if (!(o->peel_alpha > 0 && o->peel_alpha < 0.5))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "peel_alpha: expected a number in (0, 0.5), found %s",
				    (mv_format_exact(o->peel_alpha, v), v));
	if (!(o->paste_alpha > 0 && o->paste_alpha < 0.5))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "paste_alpha: expected a number in (0, 0.5), found %s",
				    (mv_format_exact(o->paste_alpha, v), v));
	if (!(o->mass_min > 0 && o->mass_min < 1))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "mass_min: expected a number in (0, 1), found %s",
				    (mv_format_exact(o->mass_min, v), v));
	if (o->objective != MV_PRIM_LENIENT1 && o->objective != MV_PRIM_LENIENT2 &&
	    o->objective != MV_PRIM_ORIGINAL)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "objective: expected lenient1, lenient2 or original, found %d",
				    (int)o->objective);
	if (o->rule != MV_PRIM_ABOVE && o->rule != MV_PRIM_BELOW)
		return mv_error_set(err, MV_EXIT_INPUT, "rule: expected above or below, found %d",
				    (int)o->rule);
	if (o->boxes < 1 || o->boxes > MV_PRIM_MAX_BOXES)
		return mv_error_set(err, MV_EXIT_INPUT, "boxes: expected an integer in [1, %d], found %d",
				    MV_PRIM_MAX_BOXES, o->boxes);
	if (o->nsteps < 0 || o->nsteps > o->boxes)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "step: expected at most one step per box (%d), found %d",
				    o->boxes, o->nsteps);
	for (int b = 0; b < o->nsteps; b++)
		if (o->step[b] < 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "step: expected a step >= 0, found %d", o->step[b]);
	if (!isnan(o->min_coverage) && !(o->min_coverage >= 0 && o->min_coverage <= 1))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "min_coverage: expected a number in [0, 1], found %s",
				    (mv_format_exact(o->min_coverage, v), v));
	if (o->nsteps > 0 && !isnan(o->min_coverage))
		return mv_error_set(err, MV_EXIT_INPUT,
				    "step and min_coverage: expected one way to choose a box, found both");
	return 0;
}

/* ------------------------------------------------------------ numbers */

double mv_prim_quantile(const double *v, long n, double q)
{
	double i = (double)(n - 1) * q;
	long lo = (long)floor(i), hi = (long)ceil(i);

	if (q > 0.5) {
		while (v[lo] == v[hi] && lo > 0)
			lo--;
	} else {
		while (v[lo] == v[hi] && hi < n - 1)
			hi++;
	}
	return (v[lo] + v[hi]) / 2;
}

double mv_prim_binom_sf(long h, long t, double p)
{
	if (h <= 0)
		return 1.0;
	if (h > t)
		return 0.0;
	/* P(X >= h) = P(X > h − 1): GSL's upper tail, through the incomplete beta function. */
	return gsl_cdf_binomial_Q((unsigned)(h - 1), p, (unsigned)t);
}

/* The objective of a candidate with n_new points, k_new of them cases, against the current
 * box's n_old, k_old (§12). The arithmetic is the EMA Workbench's, operation by operation,
 * so that ties between candidates fall the same way. */
static double objective(enum mv_prim_objective f, long n_old, long k_old, long n_new, long k_new)
{
	double mean_old = (double)k_old / (double)n_old;
	double mean_new = n_new > 0 ? (double)k_new / (double)n_new : 0.0;

	if (f == MV_PRIM_ORIGINAL)
		return n_new > 0 ? mean_new : -1.0;
	if (mean_old == mean_new)
		return 0.0;
	double dn = (double)labs(n_old - n_new), delta = mean_new - mean_old;
	if (f == MV_PRIM_LENIENT2)
		return (double)n_new * delta / dn;
	return delta / dn;
}

/* ------------------------------------------------------------ the algorithm */

struct cand {
	int dim;       /* parameter */
	int upper;     /* 1: the upper limit moves, 0: the lower */
	double value;  /* its new value */
	long n, k;     /* points, cases of interest in the candidate box */
	int restricted;
	double obj;
};

struct prim {
	int p;
	long N, K;
	const double *xc;          /* p·N, column-major: xc[j·N + i] */
	const unsigned char *c;    /* N: 1 for a case of interest */
	const double *init_lo, *init_hi;
	const struct mv_prim_options *o;

	long nr;                   /* remaining points */
	long *rem;                 /* their indices, ascending */
	unsigned char *in;         /* N: 1 when in the current box */
	long *ord;                 /* p·N: per dimension, the box's points sorted by x */
	double *val;               /* p·N: their x, in the same order */
	long *pre;                 /* p·(N+1): cases of interest among the first t of ord */
	long nb, kb;               /* points, cases in the current box */
	double *lo, *hi;           /* its limits */
	long *tmp;                 /* N scratch */
	double *buf;               /* N scratch */
};

static double xv(const struct prim *P, int j, long i)
{
	return P->xc[(size_t)j * P->N + i];
}

static int count_restricted(const struct prim *P, const double *lo, const double *hi)
{
	int r = 0;
	for (int j = 0; j < P->p; j++)
		r += lo[j] != P->init_lo[j] || hi[j] != P->init_hi[j];
	return r;
}

/* Restricted dimensions of the current box with one limit of dimension j set to v. */
static int restricted_with(const struct prim *P, int j, int upper, double v)
{
	int r = 0;
	for (int d = 0; d < P->p; d++) {
		double l = P->lo[d], h = P->hi[d];
		if (d == j)
			*(upper ? &h : &l) = v;
		r += l != P->init_lo[d] || h != P->init_hi[d];
	}
	return r;
}

/* Candidate a beats the best so far: a higher objective, then more unrestricted dimensions;
 * a full tie keeps the earlier candidate (the EMA Workbench's stable sort). */
static int beats(const struct prim *P, const struct cand *a, const struct cand *best, int have)
{
	if (!have)
		return 1;
	if (a->obj != best->obj)
		return a->obj > best->obj;
	return P->p - a->restricted > P->p - best->restricted;
}

static int append_step(struct mv_prim_box *B, int *cap, const struct prim *P, char phase)
{
	if (B->nsteps == *cap) {
		int nc = *cap ? 2 * *cap : 64;
		struct mv_prim_step *s = realloc(B->steps, (size_t)nc * sizeof *s);
		if (s == NULL)
			return -1;
		B->steps = s;
		*cap = nc;
	}
	struct mv_prim_step *s = &B->steps[B->nsteps];
	s->lo = malloc(2 * (size_t)P->p * sizeof *s->lo);
	if (s->lo == NULL)
		return -1;
	s->hi = s->lo + P->p;
	memcpy(s->lo, P->lo, (size_t)P->p * sizeof *s->lo);
	memcpy(s->hi, P->hi, (size_t)P->p * sizeof *s->hi);
	s->phase = phase;
	s->n = P->nb;
	s->k = P->kb;
	s->coverage = (double)P->kb / (double)P->K;
	s->density = (double)P->kb / (double)P->nb;
	s->mass = (double)P->nb / (double)P->N;
	s->restricted = count_restricted(P, P->lo, P->hi);
	B->nsteps++;
	return 0;
}

struct keyed {
	double v;
	long i;
};

static int by_value(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* The box's points, sorted once per dimension (ties by index, so the order is the same on
 * every platform), with their running counts of cases. */
static int sort_box(struct prim *P)
{
	struct keyed *k = malloc((size_t)(P->nr ? P->nr : 1) * sizeof *k);
	if (k == NULL)
		return -1;
	for (int j = 0; j < P->p; j++) {
		long *ord = P->ord + (size_t)j * P->N;
		double *val = P->val + (size_t)j * P->N;
		long *pre = P->pre + (size_t)j * (P->N + 1);
		for (long t = 0; t < P->nr; t++) {
			k[t].i = P->rem[t];
			k[t].v = xv(P, j, P->rem[t]);
		}
		qsort(k, (size_t)P->nr, sizeof *k, by_value);
		pre[0] = 0;
		for (long t = 0; t < P->nr; t++) {
			ord[t] = k[t].i;
			val[t] = k[t].v;
			pre[t + 1] = pre[t] + P->c[ord[t]];
		}
	}
	free(k);
	return 0;
}

/* Drops the points no longer in the box (P->in) from every dimension's sorted list. */
static void compact(struct prim *P)
{
	for (int j = 0; j < P->p; j++) {
		long *ord = P->ord + (size_t)j * P->N;
		double *val = P->val + (size_t)j * P->N;
		long *pre = P->pre + (size_t)j * (P->N + 1);
		long m = 0;
		for (long t = 0; t < P->nb; t++)
			if (P->in[ord[t]]) {
				ord[m] = ord[t];
				val[m] = val[t];
				pre[m + 1] = pre[m] + P->c[ord[m]];
				m++;
			}
	}
}

/* Values v[0..n) sorted: the first index with v >= q, and the first with v > q. */
static long lower_bound(const double *v, long n, double q)
{
	long a = 0, b = n;
	while (a < b) {
		long m = a + (b - a) / 2;
		if (v[m] < q)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

static long upper_bound(const double *v, long n, double q)
{
	long a = 0, b = n;
	while (a < b) {
		long m = a + (b - a) / 2;
		if (v[m] <= q)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* Peeling (§12): per parameter, upper then lower, each the α-quantile of the box's points;
 * the best candidate is accepted while its mass >= mass_min, below the box's, objective > 0. */
static int peel(struct prim *P, struct mv_prim_box *B, int *cap)
{
	const struct mv_prim_options *o = P->o;

	for (;;) {
		struct cand best = { 0 }, c;
		int have = 0;
		for (int j = 0; j < P->p; j++) {
			const double *val = P->val + (size_t)j * P->N;
			const long *pre = P->pre + (size_t)j * (P->N + 1);

			c.dim = j;
			c.upper = 1;
			c.value = mv_prim_quantile(val, P->nb, 1 - o->peel_alpha);
			c.n = upper_bound(val, P->nb, c.value);
			c.k = pre[c.n];
			c.restricted = restricted_with(P, j, 1, c.value);
			c.obj = objective(o->objective, P->nb, P->kb, c.n, c.k);
			if (beats(P, &c, &best, have))
				best = c, have = 1;

			c.upper = 0;
			c.value = mv_prim_quantile(val, P->nb, o->peel_alpha);
			long first = lower_bound(val, P->nb, c.value);
			c.n = P->nb - first;
			c.k = P->kb - pre[first];
			c.restricted = restricted_with(P, j, 0, c.value);
			c.obj = objective(o->objective, P->nb, P->kb, c.n, c.k);
			if (beats(P, &c, &best, have))
				best = c, have = 1;
		}
		double mass_new = (double)best.n / (double)P->N;
		double mass_old = (double)P->nb / (double)P->N;
		if (!have || !(mass_new >= o->mass_min && mass_new < mass_old && best.obj > 0))
			return 0;

		const long *ord = P->ord + (size_t)best.dim * P->N;
		const double *val = P->val + (size_t)best.dim * P->N;
		if (best.upper) {
			for (long t = upper_bound(val, P->nb, best.value); t < P->nb; t++)
				P->in[ord[t]] = 0;
			P->hi[best.dim] = best.value;
		} else {
			for (long t = 0, e = lower_bound(val, P->nb, best.value); t < e; t++)
				P->in[ord[t]] = 0;
			P->lo[best.dim] = best.value;
		}
		compact(P);
		P->nb = best.n;
		P->kb = best.k;
		if (append_step(B, cap, P, 'p'))
			return -1;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Pasting (§12), over the remaining points: per restricted parameter, lower then upper, the
 * limit moves out to a quantile of the points beyond it that satisfy every other restriction
 * (the points on the limit itself included, as the EMA Workbench's inclusive box test has
 * it); accepted while mass >= mass_min, mass grows, objective > 0 and density grows. */
static int paste(struct prim *P, struct mv_prim_box *B, int *cap)
{
	const struct mv_prim_options *o = P->o;
	int *rd = malloc((size_t)P->p * sizeof *rd);
	if (rd == NULL)
		return -1;

	for (;;) {
		int nrd = 0;
		for (int j = 0; j < P->p; j++)
			if (P->lo[j] != P->init_lo[j] || P->hi[j] != P->init_hi[j])
				rd[nrd++] = j;
		if (nrd == 0)
			break;
		/* tmp[i]: -1 inside the box, -2 outside on two or more restricted parameters,
		 * else the one restricted parameter whose limits the point is outside. */
		for (long t = 0; t < P->nr; t++) {
			long i = P->rem[t];
			int s = -1;
			for (int q = 0; q < nrd; q++) {
				int j = rd[q];
				double x = xv(P, j, i);
				if (x < P->lo[j] || x > P->hi[j]) {
					if (s != -1) {
						s = -2;
						break;
					}
					s = j;
				}
			}
			P->tmp[i] = s;
		}
		struct cand best = { 0 }, c;
		int have = 0;
		for (int q = 0; q < nrd; q++) {
			int u = rd[q];
			for (int upper = 0; upper <= 1; upper++) {
				double lim = upper ? P->hi[u] : P->lo[u];
				long m = 0;
				for (long t = 0; t < P->nr; t++) {
					long i = P->rem[t];
					double x = xv(P, u, i);
					if ((P->tmp[i] == u && (upper ? x > lim : x < lim)) ||
					    (P->tmp[i] == -1 && x == lim))
						P->buf[m++] = x;
				}
				c.dim = u;
				c.upper = upper;
				if (m == 0) {
					c.value = upper ? P->init_hi[u] : P->init_lo[u];
				} else {
					qsort(P->buf, (size_t)m, sizeof *P->buf, cmp_double);
					c.value = mv_prim_quantile(P->buf, m,
								   upper ? o->paste_alpha
									 : 1 - o->paste_alpha);
				}
				c.n = P->nb;
				c.k = P->kb;
				for (long t = 0; t < P->nr; t++) {
					long i = P->rem[t];
					double x = xv(P, u, i);
					if (P->tmp[i] == u &&
					    (upper ? x > lim && x <= c.value : x < lim && x >= c.value)) {
						c.n++;
						c.k += P->c[i];
					}
				}
				c.restricted = restricted_with(P, u, upper, c.value);
				c.obj = objective(o->objective, P->nb, P->kb, c.n, c.k);
				if (beats(P, &c, &best, have))
					best = c, have = 1;
			}
		}
		double mass_new = (double)best.n / (double)P->N;
		double mass_old = (double)P->nb / (double)P->N;
		double mean_new = (double)best.k / (double)best.n;
		double mean_old = (double)P->kb / (double)P->nb;
		if (!have || !(mass_new >= o->mass_min && mass_new > mass_old && best.obj > 0 &&
			       mean_new > mean_old))
			break;
		int u = best.dim;
		double lim = best.upper ? P->hi[u] : P->lo[u];
		for (long t = 0; t < P->nr; t++) {
			long i = P->rem[t];
			double x = xv(P, u, i);
			if (P->tmp[i] == u && (best.upper ? x > lim && x <= best.value
							  : x < lim && x >= best.value))
				P->in[i] = 1;
		}
		*(best.upper ? &P->hi[u] : &P->lo[u]) = best.value;
		P->nb = best.n;
		P->kb = best.k;
		if (append_step(B, cap, P, 'a')) {
			free(rd);
			return -1;
		}
	}
	free(rd);
	return 0;
}

static int inside(const struct prim *P, long i, const double *lo, const double *hi)
{
	for (int j = 0; j < P->p; j++) {
		double x = xv(P, j, i);
		if (x < lo[j] || x > hi[j])
			return 0;
	}
	return 1;
}

/* Quasi-p-values of box B's chosen limits (§12, Bryant & Lempert 2010): one limit back at its
 * initial value, p the density of that box over the remaining points, P(X >= H) for
 * X ~ Binomial(T, p) with H, T the box's cases and points. */
static void quasi_p(const struct prim *P, struct mv_prim_box *B, double *lo, double *hi)
{
	for (int j = 0; j < P->p; j++) {
		B->qp_lo[j] = B->qp_hi[j] = NAN;
		for (int upper = 0; upper <= 1; upper++) {
			double *lim = upper ? &hi[j] : &lo[j];
			double init = upper ? P->init_hi[j] : P->init_lo[j];
			if (*lim == init)
				continue;
			double keep = *lim;
			*lim = init;
			long tj = 0, hj = 0;
			for (long t = 0; t < P->nr; t++)
				if (inside(P, P->rem[t], lo, hi)) {
					tj++;
					hj += P->c[P->rem[t]];
				}
			*lim = keep;
			double pj = (double)hj / (double)tj;
			(upper ? B->qp_hi : B->qp_lo)[j] = mv_prim_binom_sf(B->k, B->n, pj);
		}
	}
}

static void box_free(struct mv_prim_box *B)
{
	for (int s = 0; s < B->nsteps; s++)
		free(B->steps[s].lo);
	free(B->steps);
	free(B->qp_lo);
}

void mv_prim_result_free(struct mv_prim_result *r)
{
	if (r == NULL)
		return;
	for (int b = 0; b < r->nboxes; b++)
		box_free(&r->boxes[b]);
	free(r->boxes);
	for (int j = 0; j < r->p; j++)
		free(r->names[j]);
	free(r->names);
	free(r->metric);
	free(r->source);
	free(r->init_lo);
	free(r);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The message prefix: "SOURCE: " or nothing. */
static const char *pre_src(const struct mv_prim_input *in, char *buf, size_t size)
{
	if (in->source)
		snprintf(buf, size, "%s: ", in->source);
	else
		buf[0] = '\0';
	return buf;
}

/* One box: sort, peel, paste, choose the step, quasi-p-values, statistics. Returns 0, 1 when
 * covering must stop (P->o->min_coverage not reached; why in r->stopped), or -1 with err. */
static int find_box(struct prim *P, struct mv_prim_result *r, int b, const char *src,
		    struct mv_error *err)
{
	struct mv_prim_box *B = &r->boxes[b];
	int cap = 0;

	memset(B, 0, sizeof *B);
	r->nboxes = b + 1; /* from here the result owns B, freed with it on failure */
	B->qp_lo = malloc(2 * (size_t)P->p * sizeof *B->qp_lo);
	if (B->qp_lo == NULL)
		goto oom;
	B->qp_hi = B->qp_lo + P->p;
	memcpy(P->lo, P->init_lo, (size_t)P->p * sizeof *P->lo);
	memcpy(P->hi, P->init_hi, (size_t)P->p * sizeof *P->hi);
	P->nb = P->nr;
	P->kb = 0;
	for (long t = 0; t < P->nr; t++) {
		P->in[P->rem[t]] = 1;
		P->kb += P->c[P->rem[t]];
	}
	B->n_remaining = P->nr;
	B->k_remaining = P->kb;
	if (sort_box(P) || append_step(B, &cap, P, 'i') || peel(P, B, &cap) || paste(P, B, &cap))
		goto oom;

	const struct mv_prim_options *o = P->o;
	int s = B->nsteps - 1;
	if (b < o->nsteps) {
		s = o->step[b];
		if (s >= B->nsteps)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%sstep %d does not exist: box %d's trajectory has steps 0 to %d",
					    src, s, b + 1, B->nsteps - 1);
	} else if (!isnan(o->min_coverage)) {
		while (s >= 0 && !(B->steps[s].coverage >= o->min_coverage))
			s--;
		if (s < 0) {
			char v[32], w[32];
			mv_format_exact(o->min_coverage, v);
			mv_format_exact(B->steps[0].coverage, w);
			snprintf(r->stopped, sizeof r->stopped,
				 "box %d: no step reaches coverage %s (the initial box has %s)",
				 b + 1, v, w);
			box_free(B);
			r->nboxes = b;
			return 1;
		}
	}
	B->chosen = s;
	B->lo = B->steps[s].lo;
	B->hi = B->steps[s].hi;
	B->n = B->steps[s].n;
	B->k = B->steps[s].k;
	B->coverage = B->k_remaining ? (double)B->k / (double)B->k_remaining : NAN;
	B->density = (double)B->k / (double)B->n;
	B->mass = (double)B->n / (double)B->n_remaining;
	quasi_p(P, B, B->steps[s].lo, B->steps[s].hi);
	for (long i = 0; i < P->N; i++)
		if (inside(P, i, B->lo, B->hi)) {
			B->n_all++;
			B->k_all += P->c[i];
		}
	B->coverage_all = (double)B->k_all / (double)P->K;
	B->density_all = (double)B->k_all / (double)B->n_all;
	B->mass_all = (double)B->n_all / (double)P->N;
	/* Covering: the chosen box's points leave the remaining set. */
	long m = 0;
	for (long t = 0; t < P->nr; t++)
		if (!inside(P, P->rem[t], B->lo, B->hi))
			P->rem[m++] = P->rem[t];
	P->nr = m;
	return 0;
oom:
	return mv_error_set(err, MV_EXIT_FAIL, "%sout of memory", src);
}

int mv_prim_run(const struct mv_prim_input *in, const struct mv_prim_options *opt,
		struct mv_prim_result **out, struct mv_error *err)
{
	char src[1100], v[32], w[32];
	struct prim P = { 0 };
	struct mv_prim_result *r = NULL;
	double *xc = NULL;
	unsigned char *c = NULL;
	int rc = -1;

	*out = NULL;
	pre_src(in, src, sizeof src);
	if (mv_prim_options_check(opt, err)) {
		char msg[MV_ERROR_MAX];
		snprintf(msg, sizeof msg, "%s", err->msg);
		return mv_error_set(err, MV_EXIT_INPUT, "%s%s", src, msg);
	}
	if (in->p < 1 || in->p > MV_PRIM_MAX_PARAMS)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%sexpected 1 to %d parameters, found %d", src,
				    MV_PRIM_MAX_PARAMS, in->p);

	r = calloc(1, sizeof *r);
	if (r == NULL)
		goto oom;
	r->p = in->p;
	r->opt = *opt;
	r->rows = in->n;
	r->names = calloc((size_t)in->p, sizeof *r->names);
	r->init_lo = malloc(2 * (size_t)in->p * sizeof *r->init_lo);
	r->metric = dup_or_null(in->metric ? in->metric : "metric");
	r->source = dup_or_null(in->source);
	if (r->names == NULL || r->init_lo == NULL || r->metric == NULL ||
	    (in->source && r->source == NULL))
		goto oom;
	r->init_hi = r->init_lo + in->p;
	for (int j = 0; j < in->p; j++)
		if ((r->names[j] = strdup(in->names[j])) == NULL)
			goto oom;

	/* Left out: failed runs, NaN metrics. */
	long N = 0, K = 0;
	double ymin = INFINITY, ymax = -INFINITY;
	for (long i = 0; i < in->n; i++) {
		if (in->failed && in->failed[i])
			r->left_failed++;
		else if (isnan(in->y[i]))
			r->left_nan++;
		else
			N++;
	}
	r->N = N;
	if (N == 0) {
		mv_error_set(err, MV_EXIT_INPUT,
			     "%sno runs to analyse: all %ld rows are left out (%ld failed, %ld with %s nan)",
			     src, in->n, r->left_failed, r->left_nan, r->metric);
		goto fail;
	}
	xc = malloc((size_t)N * (size_t)in->p * sizeof *xc);
	c = malloc((size_t)N);
	if (xc == NULL || c == NULL)
		goto oom;
	for (int j = 0; j < in->p; j++) {
		r->init_lo[j] = INFINITY;
		r->init_hi[j] = -INFINITY;
	}
	long m = 0;
	for (long i = 0; i < in->n; i++) {
		if ((in->failed && in->failed[i]) || isnan(in->y[i]))
			continue;
		for (int j = 0; j < in->p; j++) {
			double x = in->x[(size_t)i * in->p + j];
			if (!isfinite(x)) {
				mv_format_exact(x, v);
				mv_error_set(err, MV_EXIT_INPUT,
					     "%srow %ld: parameter '%s': expected a finite number, found %s",
					     src, i + 1, in->names[j], v);
				goto fail;
			}
			xc[(size_t)j * N + m] = x;
			if (x < r->init_lo[j])
				r->init_lo[j] = x;
			if (x > r->init_hi[j])
				r->init_hi[j] = x;
		}
		double y = in->y[i];
		c[m] = opt->rule == MV_PRIM_ABOVE ? y > opt->threshold : y < opt->threshold;
		K += c[m];
		if (y < ymin)
			ymin = y;
		if (y > ymax)
			ymax = y;
		m++;
	}
	r->K = K;
	const char *op = opt->rule == MV_PRIM_ABOVE ? ">" : "<";
	mv_format_exact(opt->threshold, w);
	if (K == 0) {
		mv_format_exact(opt->rule == MV_PRIM_ABOVE ? ymax : ymin, v);
		mv_error_set(err, MV_EXIT_INPUT,
			     "%sno case of interest: no run has %s %s %s (the %s value is %s, over %ld runs)",
			     src, r->metric, op, w, opt->rule == MV_PRIM_ABOVE ? "largest" : "smallest",
			     v, N);
		goto fail;
	}
	if (K == N) {
		mv_format_exact(opt->rule == MV_PRIM_ABOVE ? ymin : ymax, v);
		mv_error_set(err, MV_EXIT_INPUT,
			     "%severy run is a case of interest: %s %s %s in all %ld runs (the %s value is %s); "
			     "PRIM needs runs of both kinds",
			     src, r->metric, op, w, N, opt->rule == MV_PRIM_ABOVE ? "smallest" : "largest",
			     v);
		goto fail;
	}

	P.p = in->p;
	P.N = N;
	P.K = K;
	P.xc = xc;
	P.c = c;
	P.init_lo = r->init_lo;
	P.init_hi = r->init_hi;
	P.o = opt;
	P.rem = malloc((size_t)N * sizeof *P.rem);
	P.in = calloc((size_t)N, 1);
	P.ord = malloc((size_t)N * (size_t)in->p * sizeof *P.ord);
	P.val = malloc((size_t)N * (size_t)in->p * sizeof *P.val);
	P.pre = malloc(((size_t)N + 1) * (size_t)in->p * sizeof *P.pre);
	P.lo = malloc(2 * (size_t)in->p * sizeof *P.lo);
	P.tmp = malloc((size_t)N * sizeof *P.tmp);
	P.buf = malloc((size_t)N * sizeof *P.buf);
	r->boxes = calloc((size_t)opt->boxes, sizeof *r->boxes);
	if (!P.rem || !P.in || !P.ord || !P.val || !P.pre || !P.lo || !P.tmp || !P.buf ||
	    !r->boxes)
		goto oom;
	P.hi = P.lo + in->p;
	for (long i = 0; i < N; i++)
		P.rem[i] = i;
	P.nr = N;

	for (int b = 0; b < opt->boxes; b++) {
		if (b > 0) {
			long k = 0;
			for (long t = 0; t < P.nr; t++)
				k += c[P.rem[t]];
			if (P.nr == 0) {
				snprintf(r->stopped, sizeof r->stopped,
					 "after box %d: no point remains", b);
				break;
			}
			if (k == 0) {
				snprintf(r->stopped, sizeof r->stopped,
					 "after box %d: no case of interest remains (%ld points)", b,
					 P.nr);
				break;
			}
		}
		int st = find_box(&P, r, b, src, err);
		if (st < 0)
			goto fail;
		if (st > 0)
			break;
	}
	*out = r;
	r = NULL;
	rc = 0;
	goto done;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "%sout of memory", src);
fail:
done:
	mv_prim_result_free(r);
	free(xc);
	free(c);
	free(P.rem);
	free(P.in);
	free(P.ord);
	free(P.val);
	free(P.pre);
	free(P.lo);
	free(P.tmp);
	free(P.buf);
	return rc;
}

/* ------------------------------------------------------------ reading a TSV */

void mv_prim_input_free(struct mv_prim_input *in)
{
	if (in == NULL)
		return;
	for (int j = 0; j < in->p; j++)
		free(in->names[j]);
	free(in->names);
	free(in->x);
	free(in->y);
	free(in->failed);
	free(in->metric);
	free(in->source);
	free(in);
}

static int parse_number(const char *s, double *v)
{
	char *end;
	if (*s == '\0')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' ? 0 : -1;
}

/* Finds name among the header's fields; a column named twice is an error. */
static int find_column(char *const *hdr, int nf, const char *name, const char *what,
		       const char *path, long hline, struct mv_error *err)
{
	int at = -1;
	for (int k = 0; k < nf; k++)
		if (strcmp(hdr[k], name) == 0) {
			if (at >= 0)
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s:%ld: column '%s' appears twice in the header (fields %d and %d)",
						    path, hline, name, at + 1, k + 1), -2;
			at = k;
		}
	if (at < 0) {
		const char *near = mv_suggest(name, (const char *const *)hdr, nf);
		if (near)
			mv_error_set(err, MV_EXIT_INPUT, "%s: no column '%s' for the %s; did you mean '%s'?",
				     path, name, what, near);
		else
			mv_error_set(err, MV_EXIT_INPUT, "%s: no column '%s' for the %s", path, name,
				     what);
		return -2;
	}
	return at;
}

int mv_prim_read(const char *path, const char *metric, const char *const *params, int nparams,
		 struct mv_prim_input **out, struct mv_error *err)
{
	struct mv_tsv *t = mv_tsv_open(path, MV_TSV_CRLF, err);
	char **hdr = NULL, **fld = NULL, **meta = NULL; /* meta: names from `# parameter` lines */
	int nmeta = 0, nf = 0, *col = NULL, mcol = -1, scol = -1, st;
	long hline = 0, rows_cap = 0;
	struct mv_prim_input *in = NULL;
	int rc = -1;

	*out = NULL;
	if (t == NULL)
		return -1;
	in = calloc(1, sizeof *in);
	if (in == NULL || (in->source = strdup(path)) == NULL || (in->metric = strdup(metric)) == NULL)
		goto oom;

	while ((st = mv_tsv_next(t, err)) > 0) {
		const char *value;
		long lineno = mv_tsv_lineno(t);
		if (mv_tsv_is_comment(t)) {
			if (hdr == NULL && mv_tsv_meta(t, "parameter", &value)) {
				size_t len = strcspn(value, "\t");
				char **nm = realloc(meta, (size_t)(nmeta + 1) * sizeof *nm);
				if (nm == NULL)
					goto oom;
				meta = nm;
				if ((meta[nmeta] = strndup(value, len)) == NULL)
					goto oom;
				nmeta++;
			}
			continue;
		}
		if (mv_tsv_len(t) == 0)
			continue;
		if (hdr == NULL) {
			/* The header: pick the columns. */
			hline = lineno;
			char **h;
			if ((nf = mv_tsv_split(t, &h)) < 0 || (hdr = calloc((size_t)nf, sizeof *hdr)) == NULL)
				goto oom;
			for (int k = 0; k < nf; k++)
				if ((hdr[k] = strdup(h[k])) == NULL)
					goto oom;
			const char *const *names = params ? params : (const char *const *)meta;
			int np = params ? nparams : nmeta;
			if (np < 1) {
				if (params)
					mv_error_set(err, MV_EXIT_INPUT,
						     "%s: no parameters: expected at least one parameter column",
						     path);
				else
					mv_error_set(err, MV_EXIT_INPUT,
						     "%s: no parameters: the file has no '# parameter' lines "
						     "(not an mvsim sweep summary), so its parameter columns must be named",
						     path);
				goto fail;
			}
			if (np > MV_PRIM_MAX_PARAMS) {
				mv_error_set(err, MV_EXIT_INPUT, "%s: expected at most %d parameters, found %d",
					     path, MV_PRIM_MAX_PARAMS, np);
				goto fail;
			}
			if ((mcol = find_column(hdr, nf, metric, "metric", path, hline, err)) < 0)
				goto fail;
			col = malloc((size_t)np * sizeof *col);
			in->names = calloc((size_t)np, sizeof *in->names);
			if (col == NULL || in->names == NULL)
				goto oom;
			for (int j = 0; j < np; j++) {
				if ((in->names[j] = strdup(names[j])) == NULL)
					goto oom;
				in->p = j + 1;
				if (strcmp(names[j], metric) == 0) {
					mv_error_set(err, MV_EXIT_INPUT,
						     "%s: '%s' is both the metric and a parameter", path,
						     metric);
					goto fail;
				}
				for (int q = 0; q < j; q++)
					if (strcmp(names[q], names[j]) == 0) {
						mv_error_set(err, MV_EXIT_INPUT,
							     "%s: parameter '%s' is named twice", path,
							     names[j]);
						goto fail;
					}
				if ((col[j] = find_column(hdr, nf, names[j], params ? "parameter"
							  : "parameter (named by a '# parameter' line)",
							  path, hline, err)) < 0)
					goto fail;
			}
			for (int k = 0; k < nf; k++)
				if (strcmp(hdr[k], "status") == 0)
					scol = k;
			continue;
		}
		/* A row. */
		int n = mv_tsv_split(t, &fld);
		if (n < 0)
			goto oom;
		if (n != nf) {
			mv_error_set(err, MV_EXIT_INPUT,
				     "%s:%ld: expected %d tab-separated fields (as the header), found %d",
				     path, lineno, nf, n);
			goto fail;
		}
		if (in->n == rows_cap) {
			long nc = rows_cap ? 2 * rows_cap : 1024;
			double *x = realloc(in->x, (size_t)nc * (size_t)in->p * sizeof *x);
			if (x == NULL)
				goto oom;
			in->x = x;
			double *y = realloc(in->y, (size_t)nc * sizeof *y);
			if (y == NULL)
				goto oom;
			in->y = y;
			unsigned char *fl = realloc(in->failed, (size_t)nc);
			if (fl == NULL)
				goto oom;
			in->failed = fl;
			rows_cap = nc;
		}
		long r = in->n;
		in->failed[r] = scol >= 0 && strcmp(fld[scol], "ok") != 0;
		for (int j = 0; j < in->p; j++) {
			double x = NAN;
			if (in->failed[r])
				; /* a failed run's fields are not analysed */
			else if (parse_number(fld[col[j]], &x) || !isfinite(x)) {
				mv_error_set(err, MV_EXIT_INPUT,
					     "%s:%ld: column '%s': expected a finite number, found '%s'",
					     path, lineno, in->names[j], fld[col[j]]);
				goto fail;
			}
			in->x[(size_t)r * in->p + j] = x;
		}
		double y = NAN;
		if (!in->failed[r] && parse_number(fld[mcol], &y)) {
			mv_error_set(err, MV_EXIT_INPUT,
				     "%s:%ld: column '%s': expected a number or nan, found '%s'", path,
				     lineno, metric, fld[mcol]);
			goto fail;
		}
		in->y[r] = y;
		in->n++;
	}
	if (st < 0)
		goto fail;
	if (hdr == NULL) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: no header line (the file has only comments)", path);
		goto fail;
	}
	if (in->n == 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: no rows after the header (line %ld)", path, hline);
		goto fail;
	}
	*out = in;
	in = NULL;
	rc = 0;
	goto done;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "%s: out of memory", path);
fail:
done:
	mv_prim_input_free(in);
	for (int k = 0; k < nmeta; k++)
		free(meta[k]);
	free(meta);
	for (int k = 0; hdr && k < nf; k++)
		free(hdr[k]);
	free(hdr);
	free(col);
	mv_tsv_close(t);
	return rc;
}

/* ------------------------------------------------------------ writing */

static const char *objective_name(enum mv_prim_objective o)
{
	return o == MV_PRIM_LENIENT2 ? "lenient2" : o == MV_PRIM_ORIGINAL ? "original" : "lenient1";
}

static void num(FILE *f, const char *sep, double v)
{
	char b[32];
	mv_format_exact(v, b);
	fprintf(f, "%s%s", sep, b);
}

int mv_prim_write(FILE *f, const struct mv_prim_result *r, struct mv_error *err)
{
	const struct mv_prim_options *o = &r->opt;
	char b[32];

	fputs("# mvsim scenario discovery (PRIM, docs/discovery.md)\n", f);
	if (r->source)
		fprintf(f, "# source\t%s\n", r->source);
	mv_format_exact(o->threshold, b);
	fprintf(f, "# case\t%s %s %s\n", r->metric, o->rule == MV_PRIM_ABOVE ? ">" : "<", b);
	fprintf(f, "# objective\t%s\n", objective_name(o->objective));
	fputs("# peel_alpha", f), num(f, "\t", o->peel_alpha), fputc('\n', f);
	fputs("# paste_alpha", f), num(f, "\t", o->paste_alpha), fputc('\n', f);
	fputs("# mass_min", f), num(f, "\t", o->mass_min), fputc('\n', f);
	fprintf(f, "# boxes\t%d\n", o->boxes);
	if (o->nsteps) {
		fputs("# step", f);
		for (int k = 0; k < o->nsteps; k++)
			fprintf(f, "%s%d", k ? "," : "\t", o->step[k]);
		fputc('\n', f);
	}
	if (!isnan(o->min_coverage))
		fputs("# min_coverage", f), num(f, "\t", o->min_coverage), fputc('\n', f);
	if (r->stopped[0])
		fprintf(f, "# stopped\t%s\n", r->stopped);

	fputs("# table: counts\nrows\tpoints\tcases\tleft_failed\tleft_nan\tboxes\n", f);
	fprintf(f, "%ld\t%ld\t%ld\t%ld\t%ld\t%d\n", r->rows, r->N, r->K, r->left_failed,
		r->left_nan, r->nboxes);

	fputs("# table: trajectory\nbox\tstep\tphase\tcoverage\tdensity\tmass\trestricted\tn\tcases", f);
	for (int j = 0; j < r->p; j++)
		fprintf(f, "\t%s:min\t%s:max", r->names[j], r->names[j]);
	fputc('\n', f);
	for (int bx = 0; bx < r->nboxes; bx++) {
		const struct mv_prim_box *B = &r->boxes[bx];
		for (int s = 0; s < B->nsteps; s++) {
			const struct mv_prim_step *S = &B->steps[s];
			fprintf(f, "%d\t%d\t%s", bx + 1, s,
				S->phase == 'i' ? "initial" : S->phase == 'p' ? "peel" : "paste");
			num(f, "\t", S->coverage);
			num(f, "\t", S->density);
			num(f, "\t", S->mass);
			fprintf(f, "\t%d\t%ld\t%ld", S->restricted, S->n, S->k);
			for (int j = 0; j < r->p; j++) {
				num(f, "\t", S->lo[j]);
				num(f, "\t", S->hi[j]);
			}
			fputc('\n', f);
		}
	}

	fputs("# table: boxes\nbox\tstep\trestricted\tpoints_remaining\tcases_remaining\tn\tcases"
	      "\tcoverage\tdensity\tmass\tn_all\tcases_all\tcoverage_all\tdensity_all\tmass_all\n", f);
	for (int bx = 0; bx < r->nboxes; bx++) {
		const struct mv_prim_box *B = &r->boxes[bx];
		fprintf(f, "%d\t%d\t%d\t%ld\t%ld\t%ld\t%ld", bx + 1, B->chosen,
			B->steps[B->chosen].restricted, B->n_remaining, B->k_remaining, B->n, B->k);
		num(f, "\t", B->coverage);
		num(f, "\t", B->density);
		num(f, "\t", B->mass);
		fprintf(f, "\t%ld\t%ld", B->n_all, B->k_all);
		num(f, "\t", B->coverage_all);
		num(f, "\t", B->density_all);
		num(f, "\t", B->mass_all);
		fputc('\n', f);
	}

	fputs("# table: limits\nbox\tparameter\tmin\tmax\tinitial_min\tinitial_max\trestricted"
	      "\tqp_min\tqp_max\n", f);
	for (int bx = 0; bx < r->nboxes; bx++) {
		const struct mv_prim_box *B = &r->boxes[bx];
		for (int j = 0; j < r->p; j++) {
			int res = B->lo[j] != r->init_lo[j] || B->hi[j] != r->init_hi[j];
			fprintf(f, "%d\t%s", bx + 1, r->names[j]);
			num(f, "\t", B->lo[j]);
			num(f, "\t", B->hi[j]);
			num(f, "\t", r->init_lo[j]);
			num(f, "\t", r->init_hi[j]);
			fprintf(f, "\t%d", res);
			num(f, "\t", B->qp_lo[j]);
			num(f, "\t", B->qp_hi[j]);
			fputc('\n', f);
		}
	}
	if (fflush(f) != 0 || ferror(f))
		return mv_error_set(err, MV_EXIT_FAIL, "write failed: %s", strerror(errno));
	return 0;
}

/* The smallest quasi-p-value of parameter j's restricted limits (NaN counts as +inf). */
static double min_qp(const struct mv_prim_box *B, int j)
{
	double a = isnan(B->qp_lo[j]) ? INFINITY : B->qp_lo[j];
	double b = isnan(B->qp_hi[j]) ? INFINITY : B->qp_hi[j];
	return a < b ? a : b;
}

int mv_prim_summary(const struct mv_prim_result *r, int b, char *buf, size_t size)
{
	size_t len = 0;
	int order[MV_PRIM_MAX_PARAMS], n = 0;

	if (b < 0 || b >= r->nboxes) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	const struct mv_prim_box *B = &r->boxes[b];

#define OUT(...)                                                                               \
	do {                                                                                   \
		int w_ = snprintf(buf + (len < size ? len : size), len < size ? size - len : 0, \
				  __VA_ARGS__);                                                \
		if (w_ > 0)                                                                    \
			len += (size_t)w_;                                                     \
	} while (0)

	if (size > 0)
		buf[0] = '\0';
	OUT("box %d: coverage %.2f, density %.2f", b + 1, B->coverage_all, B->density_all);
	if (b > 0)
		OUT(" (among the points outside earlier boxes: coverage %.2f, density %.2f)",
		    B->coverage, B->density);
	for (int j = 0; j < r->p; j++)
		if (B->lo[j] != r->init_lo[j] || B->hi[j] != r->init_hi[j]) {
			/* insertion by smallest quasi-p-value, stable */
			int at = n;
			while (at > 0 && min_qp(B, order[at - 1]) > min_qp(B, j)) {
				order[at] = order[at - 1];
				at--;
			}
			order[at] = j;
			n++;
		}
	if (n == 0)
		OUT(" \xe2\x80\x94 no restriction (the whole space)");
	for (int q = 0; q < n; q++) {
		int j = order[q];
		int l = B->lo[j] != r->init_lo[j], h = B->hi[j] != r->init_hi[j];
		OUT("%s", q ? ", " : " \xe2\x80\x94 ");
		if (l && h)
			OUT("%.3g \xe2\x89\xa4 %s \xe2\x89\xa4 %.3g", B->lo[j], r->names[j], B->hi[j]);
		else if (l)
			OUT("%s \xe2\x89\xa5 %.3g", r->names[j], B->lo[j]);
		else
			OUT("%s \xe2\x89\xa4 %.3g", r->names[j], B->hi[j]);
	}
#undef OUT
	return (int)len;
}
