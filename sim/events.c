/* events.c — folding events into parameter values and planning where a run must stop.
 * Only parameters that have events are re-evaluated, and only while a ramp is under way. */
#include "mvsim/events.h"

#include "mvsim/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MERGE_TOL 1e-9 /* years: boundaries closer than this are one stop */

struct dyn {
	int slot;
	int first, count; /* its events: s->pev[first .. first+count) */
	const struct mv_series *ser; /* a data series replacing the base value, or NULL */
	/* Its first ndone events are complete for every t of the current segment (f = 1 in
	 * mv_event_apply): their fold, vdone, is the same at every evaluation (no series). */
	int ndone;
	double vdone;
};

struct mv_schedule {
	const struct mv_scenario *sc;
	const double *base;
	int ndyn;
	struct dyn *dyn;
	const struct mv_event **pev; /* parameter events grouped by slot, each group sorted */
	int nramp;
	int *ramp;       /* indices into dyn of parameters ramping in the current segment */
	double t_incl;   /* events with at <= t_incl count in the current segment */
	double t_seg;    /* the current segment's start (+inf before the first): the dyn's
			  * ndone/vdone hold for t >= t_seg */
	int nstate;
	const struct mv_event **sev; /* state events, sorted */
	int *sev_y;                  /* their state index */
	int nb;
	double *bounds;
	int nmass;
	const struct mv_series **mass; /* exogenous masses */
};

double mv_event_apply(const struct mv_event *e, double v, double t)
{
	double f = 1.0;

	if (e->over > 0) {
		f = (t - e->at) / e->over;
		f = f < 0 ? 0 : (f > 1 ? 1 : f);
	}
	switch (e->op) {
	case MV_OP_ADD: return v + f * e->x;
	case MV_OP_MUL: return v * (1 + f * (e->x - 1));
	default: return v + f * (e->x - v);
	}
}

double mv_events_value_at(const struct mv_event *ev, int nev, int slot, double base,
			  double t, double t_incl)
{
	double v = base;

	for (int k = 0; k < nev && ev[k].at <= t_incl; k++)
		if (ev[k].key == slot)
			v = mv_event_apply(&ev[k], v, t);
	return v;
}

static double fold_dyn(const struct mv_schedule *s, const struct dyn *d, double t)
{
	double v;
	int k = 0;

	if (d->ser) {
		v = mv_series_interp(d->ser, t);
	} else if (t >= s->t_seg) { /* the complete events' fold, computed once a segment */
		v = d->vdone;
		k = d->ndone;
	} else {
		v = s->base[d->slot];
	}
	for (; k < d->count; k++) {
		const struct mv_event *e = s->pev[d->first + k];
		if (e->at > s->t_incl)
			break;
		v = mv_event_apply(e, v, t);
	}
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* State index of a state key slot, or -1 when the slot is not a state key. */
static int state_index(const struct mv_scenario *sc, int slot)
{
	int n = sc->nvec, D = sc->ndom;

	for (int i = 0; i < n; i++) {
		if (slot == mv_key_vec(n, D, i, MV_VP_MASS))
			return MV_Y_MASS(n, D, i);
		if (slot == mv_key_vec(n, D, i, MV_VP_EFFORT))
			return MV_Y_EFFORT(n, D, i);
		if (slot == mv_key_vec(n, D, i, MV_VP_TENSION))
			return MV_Y_TENSION(n, D, i);
	}
	return -1;
}

struct mv_schedule *mv_schedule_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
				       struct mv_error *err)
{
	struct mv_schedule *s = calloc(1, sizeof *s);
	if (s)
		s->t_seg = INFINITY; /* no segment yet: fold_dyn folds from the base */
	int ne = sc->nevents;
	double start = sc->val[MV_G_START], end = sc->val[MV_G_END];

	if (s == NULL)
		goto oom;
	s->sc = sc;
	s->base = sc->val;
	size_t npts = 0, nser = (size_t)sc->nseries;
	for (int q = 0; q < sc->nseries; q++)
		npts += (size_t)sc->series[q].npts;
	s->dyn = calloc((size_t)ne + nser + 1, sizeof *s->dyn);
	s->pev = calloc((size_t)ne + 1, sizeof *s->pev);
	s->ramp = calloc((size_t)ne + nser + 1, sizeof *s->ramp);
	s->sev = calloc((size_t)ne + 1, sizeof *s->sev);
	s->sev_y = calloc((size_t)ne + 1, sizeof *s->sev_y);
	s->bounds = calloc(2 * (size_t)ne + npts + 1, sizeof *s->bounds);
	s->mass = calloc(nser + 1, sizeof *s->mass);
	if (!s->dyn || !s->pev || !s->ramp || !s->sev || !s->sev_y || !s->bounds || !s->mass)
		goto oom;
	/* Group parameter events by slot, keeping the global (at, file order) order inside. */
	int npev = 0;
	for (int k = 0; k < ne; k++) {
		const struct mv_event *e = &sc->events[k];
		if (kt->keys[kt->by_index[e->key]].kind != MV_KEY_PARAM)
			continue;
		int d;
		for (d = 0; d < s->ndyn; d++)
			if (s->dyn[d].slot == e->key)
				break;
		if (d == s->ndyn)
			s->dyn[s->ndyn++] = (struct dyn){e->key, 0, 0, NULL, 0, 0};
		s->dyn[d].count++;
		npev++;
	}
	for (int d = 0, first = 0; d < s->ndyn; d++) {
		s->dyn[d].first = first;
		first += s->dyn[d].count;
		s->dyn[d].count = 0;
	}
	for (int k = 0; k < ne; k++) {
		const struct mv_event *e = &sc->events[k];
		int kind = kt->keys[kt->by_index[e->key]].kind;
		if (kind == MV_KEY_STATE) {
			s->sev_y[s->nstate] = state_index(sc, e->key);
			s->sev[s->nstate++] = e;
			if (e->at > start && e->at <= end)
				s->bounds[s->nb++] = e->at;
			continue;
		}
		for (int d = 0; d < s->ndyn; d++)
			if (s->dyn[d].slot == e->key) {
				s->pev[s->dyn[d].first + s->dyn[d].count++] = e;
				break;
			}
		if (e->at > start && e->at < end)
			s->bounds[s->nb++] = e->at;
		if (e->over > 0 && e->at + e->over > start && e->at + e->over < end)
			s->bounds[s->nb++] = e->at + e->over;
	}
	(void)npev;
	/* Series: parameters become dynamic; every data point inside (start, end) is a stop. */
	for (int q = 0; q < sc->nseries; q++) {
		const struct mv_series *ser = &sc->series[q];
		if (ser->vector >= 0) {
			s->mass[s->nmass++] = ser;
		} else {
			int d;
			for (d = 0; d < s->ndyn; d++)
				if (s->dyn[d].slot == ser->key)
					break;
			if (d == s->ndyn)
				s->dyn[s->ndyn++] = (struct dyn){ser->key, 0, 0, NULL, 0, 0};
			s->dyn[d].ser = ser;
		}
		for (int k = 0; k < ser->npts; k++)
			if (ser->t[k] > start && ser->t[k] < end)
				s->bounds[s->nb++] = ser->t[k];
	}
	qsort(s->bounds, (size_t)s->nb, sizeof *s->bounds, cmp_double);
	int m = 0;
	for (int k = 0; k < s->nb; k++)
		if (m == 0 || s->bounds[k] - s->bounds[m - 1] > MERGE_TOL)
			s->bounds[m++] = s->bounds[k];
	s->nb = m;
	return s;
oom:
	mv_schedule_free(s);
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	return NULL;
}

void mv_schedule_free(struct mv_schedule *s)
{
	if (s == NULL)
		return;
	free(s->dyn);
	free(s->pev);
	free(s->ramp);
	free(s->sev);
	free(s->sev_y);
	free(s->bounds);
	free(s->mass);
	free(s);
}

int mv_schedule_nboundaries(const struct mv_schedule *s)
{
	return s->nb;
}

const double *mv_schedule_boundaries(const struct mv_schedule *s)
{
	return s->bounds;
}

void mv_schedule_segment(struct mv_schedule *s, double t0, double *p)
{
	memcpy(p, s->base, (size_t)s->sc->nval * sizeof *p);
	s->t_incl = t0 + MERGE_TOL;
	s->nramp = 0;
	s->t_seg = INFINITY;
	for (int d = 0; d < s->ndyn; d++) {
		/* The leading events complete at t0 (f >= 1, so f = 1 at every later t of the
		 * segment: (t − at)/over grows with t), folded as fold_dyn would fold them. */
		struct dyn *dy = &s->dyn[d];
		double v = s->base[dy->slot];
		int k = 0;
		for (; k < dy->count && !dy->ser; k++) {
			const struct mv_event *e = s->pev[dy->first + k];
			if (e->at > s->t_incl || (e->over > 0 && !((t0 - e->at) / e->over >= 1)))
				break;
			v = mv_event_apply(e, v, t0);
		}
		dy->ndone = k;
		dy->vdone = v;
	}
	s->t_seg = t0;
	for (int d = 0; d < s->ndyn; d++) {
		const struct dyn *dy = &s->dyn[d];
		int moving = dy->ser != NULL; /* a series is linear between its points */
		p[dy->slot] = fold_dyn(s, dy, t0);
		for (int k = 0; k < dy->count && !moving; k++) {
			const struct mv_event *e = s->pev[dy->first + k];
			moving = e->at <= s->t_incl && e->over > 0 && e->at + e->over > s->t_incl;
		}
		if (moving)
			s->ramp[s->nramp++] = d;
	}
}

int mv_schedule_update(struct mv_schedule *s, double t, double *p)
{
	for (int r = 0; r < s->nramp; r++) {
		const struct dyn *dy = &s->dyn[s->ramp[r]];
		p[dy->slot] = fold_dyn(s, dy, t);
	}
	return s->nramp;
}

int mv_schedule_moving(const struct mv_schedule *s, int *slots, int max)
{
	for (int r = 0; r < s->nramp && r < max; r++)
		slots[r] = s->dyn[s->ramp[r]].slot;
	return s->nramp;
}

int mv_schedule_masses(const struct mv_schedule *s, double t, const double *p, double *mexo,
			unsigned char *exo)
{
	const struct mv_scenario *sc = s->sc;

	for (int q = 0; q < s->nmass; q++) {
		int i = s->mass[q]->vector;
		double g = p[mv_key_vec(sc->nvec, sc->ndom, i, MV_VP_GROWTH)];
		mexo[i] = mv_series_mass(s->mass[q], t, g);
		if (exo)
			exo[i] = 1;
	}
	return s->nmass;
}

int mv_schedule_jumps(const struct mv_schedule *s, double t, int next, double *y)
{
	for (; next < s->nstate && s->sev[next]->at <= t + MERGE_TOL; next++) {
		const struct mv_event *e = s->sev[next];
		y[s->sev_y[next]] = mv_event_apply(e, y[s->sev_y[next]], e->at);
	}
	return next;
}

/* ---------------------------------------------------------------- event index */

struct mv_event_index {
	const struct mv_scenario *sc;
	int *first;                  /* per slot: its events are ev[first[slot] .. first[slot+1]) */
	const struct mv_event **ev;  /* grouped by slot, in the scenario's order inside */
	double *cmax;                /* running max of at + over inside each group */
	double *pre;                 /* pre[first + k]: the value after events 0..k-1 complete */
	const struct mv_series **ser; /* per slot: a series replacing the base value, or NULL */
};

void mv_event_index_free(struct mv_event_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->first);
	free(ix->ev);
	free(ix->cmax);
	free(ix->pre);
	free(ix->ser);
	free(ix);
}

struct mv_event_index *mv_event_index_create(const struct mv_scenario *sc, struct mv_error *err)
{
	struct mv_event_index *ix = calloc(1, sizeof *ix);
	int ne = sc->nevents, nval = sc->nval;

	if (ix == NULL)
		goto oom;
	ix->sc = sc;
	ix->first = calloc((size_t)nval + 1, sizeof *ix->first);
	ix->ev = calloc((size_t)ne + 1, sizeof *ix->ev);
	ix->cmax = calloc((size_t)ne + 1, sizeof *ix->cmax);
	ix->pre = calloc((size_t)ne + (size_t)nval + 1, sizeof *ix->pre);
	ix->ser = calloc((size_t)nval + 1, sizeof *ix->ser);
	int *fill = calloc((size_t)nval + 1, sizeof *fill);
	if (!ix->first || !ix->ev || !ix->cmax || !ix->pre || !ix->ser || !fill) {
		free(fill);
		goto oom;
	}
	/* counting sort by slot: stable, so each group keeps the (at, file order) order */
	for (int k = 0; k < ne; k++)
		ix->first[sc->events[k].key + 1]++;
	for (int s = 0; s < nval; s++)
		ix->first[s + 1] += ix->first[s];
	for (int k = 0; k < ne; k++) {
		int slot = sc->events[k].key;
		ix->ev[ix->first[slot] + fill[slot]++] = &sc->events[k];
	}
	free(fill);
	for (int q = 0; q < sc->nseries; q++)
		if (sc->series[q].vector < 0)
			ix->ser[sc->series[q].key] = &sc->series[q];
	/* pre has one more entry per group than events: index first[slot] + slot + k */
	for (int s = 0; s < nval; s++) {
		int a = ix->first[s], b = ix->first[s + 1];
		double v = sc->val[s], c = -INFINITY;
		ix->pre[a + s] = v;
		for (int k = a; k < b; k++) {
			const struct mv_event *e = ix->ev[k];
			v = mv_event_apply(e, v, INFINITY); /* complete: progress 1 */
			ix->pre[k + 1 + s] = v;
			c = fmax(c, e->at + e->over);
			ix->cmax[k] = c;
		}
	}
	return ix;
oom:
	mv_event_index_free(ix);
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	return NULL;
}

int mv_event_index_count(const struct mv_event_index *ix, int slot)
{
	return ix->first[slot + 1] - ix->first[slot];
}

double mv_event_index_value(const struct mv_event_index *ix, int slot, double t)
{
	int a = ix->first[slot], b = ix->first[slot + 1];
	int lo = a, hi = b;

	while (lo < hi) { /* P: the first event with at > t */
		int mid = lo + (hi - lo) / 2;
		if (ix->ev[mid]->at <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	int P = lo, K = a;
	double v;
	if (ix->ser[slot]) { /* the base moves with t: fold from the series' value */
		v = mv_series_interp(ix->ser[slot], t);
	} else {
		/* K: the longest prefix complete at t (at + over < t for all; strictly, so that
		 * progress computed at t is 1 whatever the rounding) */
		lo = a;
		hi = P;
		while (lo < hi) {
			int mid = lo + (hi - lo) / 2;
			if (ix->cmax[mid] < t && ix->ev[mid]->over >= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		K = lo;
		v = ix->pre[K + slot];
	}
	for (int k = K; k < P; k++)
		v = mv_event_apply(ix->ev[k], v, t);
	return v;
}
