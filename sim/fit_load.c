/* fit_load.c — fit files (docs/model.md §11, §11a) → struct mv_fit: the scenario, the
 * observations with their transforms, the free parameters and their boxes, the origins with
 * each one's fitted and scored points, and the starts (the given one, then a Latin hypercube
 * over the boxes drawn from fit.seed). The solver is fit.c, the report fit_report.c. */
#define _XOPEN_SOURCE 700 /* strdup */
#include "mvsim/cfgread.h"
#include "mvsim/fit.h"

#include "mvsim/config.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/series.h"
#include "mvsim/sha256.h"

#include <errno.h>
#include <gsl/gsl_rng.h>
#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int oom(struct mv_error *err)
{
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
}

/* ================================================================ fit files */

/* The loader kit (cfgread.h) names the fit file in messages. */
struct loader {
	struct mv_cfg_ctx c; /* the fit file and the error */
	struct mv_fit *f;
};

static int read_obs(struct loader *L, const config_setting_t *g, int q)
{
	static const char *const obs_keys[] = {"column", "file", "data_column", "scale", "weight",
					       "transform", NULL};
	struct mv_fit *f = L->f;
	struct mv_fit_obs *o = &f->obs[q];
	char path[64], sub[96], found[700];
	const char *s;

	snprintf(path, sizeof path, "fit.observations[%d]", q);
	o->line = config_setting_source_line(g);
	o->scale = 1.0;
	o->weight = 1.0;
	o->transform = MV_FIT_NONE;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return mv_cfg_fail_type(&L->c, g, path, "a group { column = \"...\"; "
					"file = \"...\"; data_column = \"...\"; }");
	if (mv_cfg_check_known(g, L->c.file, path, obs_keys, L->c.err))
		return -1;

	const char *cexp = "an output column of the scenario (the header of 'mvsim run')";
	if (mv_cfg_get_string(&L->c, g, path, "column", cexp, &s))
		return -1;
	o->col = -1;
	for (int c = 0; c < f->ncols; c++)
		if (strcmp(f->columns[c], s) == 0)
			o->col = c;
	if (o->col < 0) {
		const char *sug = mv_suggest(s, (const char *const *)f->columns, f->ncols);
		snprintf(found, sizeof found, "'%.100s'%s%s%s", s, sug ? "; did you mean '" : "",
			 sug ? sug : "", sug ? "'?" : "");
		snprintf(sub, sizeof sub, "%s.column", path);
		return mv_cfg_fail(&L->c, config_setting_get_member(g, "column"), sub, cexp, found);
	}
	if ((o->column = strdup(s)) == NULL)
		return oom(L->c.err);

	const config_setting_t *e;
	if ((e = config_setting_get_member(g, "scale"))) {
		snprintf(sub, sizeof sub, "%s.scale", path);
		if (mv_cfg_get_number(&L->c, e, sub, &o->scale))
			return -1;
	}
	if ((e = config_setting_get_member(g, "weight"))) {
		snprintf(sub, sizeof sub, "%s.weight", path);
		if (mv_cfg_get_number(&L->c, e, sub, &o->weight))
			return -1;
		if (o->weight < 0) {
			snprintf(found, sizeof found, "%.10g", o->weight);
			return mv_cfg_fail(&L->c, e, sub, "a number >= 0", found);
		}
	}

	if ((e = config_setting_get_member(g, "transform"))) {
		const char *texp = "one of none, log, logit";
		snprintf(sub, sizeof sub, "%s.transform", path);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return mv_cfg_fail_type(&L->c, e, sub, texp);
		const char *name = config_setting_get_string(e);
		int t = -1;
		for (int k = MV_FIT_NONE; k <= MV_FIT_LOGIT; k++)
			if (strcmp(name, mv_fit_transform_name(k)) == 0)
				t = k;
		if (t < 0) {
			snprintf(found, sizeof found, "\"%.60s\"", name);
			return mv_cfg_fail(&L->c, e, sub, texp, found);
		}
		o->transform = t;
	}

	if (mv_cfg_get_string(&L->c, g, path, "data_column", "the name of a column of the data file",
			      &s))
		return -1;
	if ((o->data_column = strdup(s)) == NULL)
		return oom(L->c.err);
	if (mv_cfg_get_string(&L->c, g, path, "file", "a data file (relative to the fit file)", &s))
		return -1;
	if ((o->path = mv_cfg_join_dir(L->c.file, s)) == NULL)
		return oom(L->c.err);
	if (access(o->path, R_OK) != 0) { /* not fopen: a FIFO would block (the reader refuses it) */
		snprintf(found, sizeof found, "'%.500s' (%s)", o->path, strerror(errno));
		snprintf(sub, sizeof sub, "%s.file", path);
		return mv_cfg_fail(&L->c, config_setting_get_member(g, "file"), sub,
				   "a readable data file", found);
	}
	if (mv_series_read(o->path, o->data_column, o->scale, &o->t, &o->v, &o->npts, L->c.err)) {
		/* The series reader names its setting 'column'; in a fit file it is 'data_column'. */
		char *at = strstr(L->c.err->msg, ": setting 'column': ");
		if (at) {
			char rest[MV_ERROR_MAX];
			snprintf(rest, sizeof rest, "%s", at + strlen(": setting 'column'"));
			snprintf(at, sizeof L->c.err->msg - (size_t)(at - L->c.err->msg),
				 ": setting 'data_column'%s", rest);
		}
		return -1;
	}
	return 0;
}

static int read_param(struct loader *L, const config_setting_t *g, int j)
{
	static const char *const param_keys[] = {"key", "min", "max", "start", NULL};
	struct mv_fit *f = L->f;
	struct mv_fit_param *p = &f->params[j];
	char path[64], sub[96], found[700], expected[160];
	const char *name;

	snprintf(path, sizeof path, "fit.parameters[%d]", j);
	p->line = config_setting_source_line(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return mv_cfg_fail_type(&L->c, g, path, "a group { key = \"...\"; min = ...; "
					"max = ...; start = ...; }");
	if (mv_cfg_check_known(g, L->c.file, path, param_keys, L->c.err))
		return -1;

	const char *kexp = "a parameter or state key of the scenario (mvsim keys SCENARIO lists them)";
	if (mv_cfg_get_string(&L->c, g, path, "key", kexp, &name))
		return -1;
	const config_setting_t *ks = config_setting_get_member(g, "key");
	snprintf(sub, sizeof sub, "%s.key", path);
	const struct mv_key *key = mv_keytab_find(&f->kt, name);
	if (key == NULL) {
		const struct mv_key *sug = mv_keytab_suggest(&f->kt, name);
		snprintf(found, sizeof found, "unknown key '%.100s'%s%.100s%s", name,
			 sug ? "; did you mean '" : "", sug ? sug->name : "", sug ? "'?" : "");
		return mv_cfg_fail(&L->c, ks, sub, kexp, found);
	}
	if (key->kind == MV_KEY_SETTING || key->kind == MV_KEY_SHARE) {
		snprintf(found, sizeof found, "the %s '%.100s'%s",
			 key->kind == MV_KEY_SETTING ? "setting" : "initial share", key->name,
			 key->kind == MV_KEY_SHARE ? " (the shares of a domain must sum to 1)" : "");
		return mv_cfg_fail(&L->c, ks, sub, "a parameter or state key", found);
	}
	const struct mv_src src = f->sc->src[key->index];
	if (src.kind == MV_SRC_SERIES) {
		const struct mv_series *se = &f->sc->series[src.arg];
		snprintf(found, sizeof found, "'%.100s', driven by %.200s:%.60s from %.200s:%d", key->name,
			 se->path, se->column, f->sc->files[se->file], se->line);
		return mv_cfg_fail(&L->c, ks, sub, "a key not driven by a data series", found);
	}
	for (int q = 0; q < j; q++)
		if (f->params[q].slot == key->index) {
			snprintf(found, sizeof found, "'%.100s' again (parameter %d, line %d)", name, q,
				 f->params[q].line);
			return mv_cfg_fail(&L->c, ks, sub, "a key not fitted already", found);
		}
	if ((p->key = strdup(name)) == NULL)
		return oom(L->c.err);
	p->slot = key->index;

	const config_setting_t *smax = config_setting_get_member(g, "max");
	const config_setting_t *sstart = config_setting_get_member(g, "start");
	if (mv_cfg_get_bounds(&L->c, g, path, key, &p->min, &p->max))
		return -1;
	snprintf(sub, sizeof sub, "%s.max", path);
	if (!(p->min < p->max)) {
		snprintf(expected, sizeof expected, "a number above min (%.10g)", p->min);
		snprintf(found, sizeof found, "%.10g", p->max);
		return mv_cfg_fail(&L->c, smax, sub, expected, found);
	}
	snprintf(sub, sizeof sub, "%s.start", path);
	snprintf(expected, sizeof expected, "a number in [min, max] = [%.10g, %.10g]", p->min, p->max);
	if (sstart) {
		if (mv_cfg_get_number(&L->c, sstart, sub, &p->start))
			return -1;
		if (!(p->start >= p->min && p->start <= p->max)) {
			snprintf(found, sizeof found, "%.10g", p->start);
			return mv_cfg_fail(&L->c, sstart, sub, expected, found);
		}
	} else {
		/* No start: the scenario's own value, which must then lie in the box. */
		p->start = f->sc->val[p->slot];
		if (!(p->start >= p->min && p->start <= p->max)) {
			snprintf(found, sizeof found, "nothing, and the scenario's value %.10g is outside",
				 p->start);
			return mv_cfg_fail(&L->c, g, sub, expected, found);
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Every used observation must be in the domain of its entry's transform (after scale): logit
 * in [0, 1], log >= 0 (their clamps are for the model's side and for 0 and 1 exactly). */
static int check_domains(struct loader *L, const config_setting_t *obs_list)
{
	const struct mv_fit *f = L->f;
	const double start = f->sc->val[MV_G_START], end = f->sc->val[MV_G_END];

	for (int q = 0; q < f->nobs; q++) {
		const struct mv_fit_obs *o = &f->obs[q];
		if (o->transform == MV_FIT_NONE)
			continue;
		for (int k = 0; k < o->npts; k++) {
			double t = o->t[k], v = o->v[k];
			if (!(t >= start && t <= end))
				continue;
			int bad = o->transform == MV_FIT_LOGIT ? !(v >= 0 && v <= 1) : !(v >= 0);
			if (!bad)
				continue;
			char path[96], expected[160], found[700];
			const config_setting_t *g = config_setting_get_elem(obs_list, (unsigned)q);
			snprintf(path, sizeof path, "fit.observations[%d].transform", q);
			snprintf(expected, sizeof expected, "observations %s after scale for \"%s\"",
				 o->transform == MV_FIT_LOGIT ? "in [0, 1]" : ">= 0",
				 mv_fit_transform_name(o->transform));
			snprintf(found, sizeof found, "%.10g at t=%.10g in %.500s (scale %.10g)", v, t,
				 o->path, o->scale);
			return mv_cfg_fail(&L->c, config_setting_get_member(g, "transform"), path,
					   expected, found);
		}
	}
	return 0;
}

/* Origin i's points: the observations inside [start, end], fitted before the origin, scored
 * in [origin, origin + horizon); and their times. Too few fitted points are blamed on
 * few/fpath, nothing to score on none/npath. */
static int make_origin(struct loader *L, int i, const config_setting_t *few, const char *fpath,
		       const config_setting_t *none, const char *npath)
{
	struct mv_fit *f = L->f;
	struct mv_fit_origin *og = &f->origins[i];
	const double start = f->sc->val[MV_G_START], end = f->sc->val[MV_G_END];
	long total = 0;

	for (int q = 0; q < f->nobs; q++)
		total += f->obs[q].npts;
	og->points = calloc((size_t)total + 1, sizeof *og->points);
	og->times = malloc(((size_t)total + 1) * sizeof *og->times);
	if (og->points == NULL || og->times == NULL)
		return oom(L->c.err);
	for (int pass = 0; pass < 2; pass++)
		for (int q = 0; q < f->nobs; q++) {
			const struct mv_fit_obs *o = &f->obs[q];
			for (int k = 0; k < o->npts; k++) {
				double t = o->t[k];
				if (!(t >= start && t <= end))
					continue;
				int hold = t >= og->t;
				if (hold != pass || (hold && !(t < og->end)))
					continue;
				og->points[og->m + og->mh] = (struct mv_fit_point){
					q, -1, t, o->v[k], mv_fit_transform(o->transform, o->v[k]),
					o->weight, hold};
				if (hold)
					og->mh++;
				else
					og->m++;
			}
		}
	char expected[200], found[300];
	if (og->m < f->nparams) {
		snprintf(expected, sizeof expected,
			 "at least %d fitted observation%s (one per free parameter)", f->nparams,
			 f->nparams == 1 ? "" : "s");
		char hold[64] = "";
		if (f->has_origins)
			snprintf(hold, sizeof hold, " and before the origin (%.10g)", og->t);
		else if (isfinite(og->t))
			snprintf(hold, sizeof hold, " and before the holdout (%.10g)", og->t);
		snprintf(found, sizeof found, "%d inside the scenario's time range [%.10g, %.10g]%s",
			 og->m, start, end, hold);
		return mv_cfg_fail(&L->c, few, fpath, expected, found);
	}
	int nw = 0;
	for (int k = 0; k < og->m; k++)
		nw += og->points[k].weight > 0;
	if (nw < f->nparams) { /* all weights 0: nothing to fit (issue 15: was exit 1) */
		snprintf(expected, sizeof expected,
			 "at least %d fitted observation%s with weight > 0 (one per free parameter)",
			 f->nparams, f->nparams == 1 ? "" : "s");
		snprintf(found, sizeof found, "%d of the %d fitted", nw, og->m);
		return mv_cfg_fail(&L->c, few, fpath, expected, found);
	}
	if (isfinite(og->t) && og->mh == 0) {
		if (isfinite(og->end))
			snprintf(expected, sizeof expected,
				 "observations to score in [origin, origin + horizon) = [%.10g, %.10g)",
				 og->t, og->end);
		else
			snprintf(expected, sizeof expected,
				 "observations to score at or after the %s (%.10g)",
				 f->has_origins ? "origin" : "holdout", og->t);
		snprintf(found, sizeof found, "none inside the scenario's time range [%.10g, %.10g]",
			 start, end);
		return mv_cfg_fail(&L->c, none, npath, expected, found);
	}
	int n = og->m + og->mh;
	for (int k = 0; k < n; k++)
		og->times[k] = og->points[k].t;
	qsort(og->times, (size_t)n, sizeof *og->times, cmp_double);
	int nt = 0;
	for (int k = 0; k < n; k++)
		if (nt == 0 || og->times[k] != og->times[nt - 1])
			og->times[nt++] = og->times[k];
	og->ntimes = nt;
	og->nfit_times = 0;
	while (og->nfit_times < nt && og->times[og->nfit_times] < og->t)
		og->nfit_times++;
	for (int k = 0; k < n; k++) {
		const double *hit = bsearch(&og->points[k].t, og->times, (size_t)nt, sizeof *og->times,
					    cmp_double);
		og->points[k].time = (int)(hit - og->times);
	}
	return 0;
}

/* fit.origins, fit.horizon, fit.holdout → f->origins, then each origin's points. */
static int make_origins(struct loader *L, const config_setting_t *g, const config_setting_t *obs_list)
{
	struct mv_fit *f = L->f;
	const config_setting_t *so = config_setting_get_member(g, "origins");
	const config_setting_t *sh = config_setting_get_member(g, "holdout");
	const config_setting_t *sz = config_setting_get_member(g, "horizon");
	const double start = f->sc->val[MV_G_START], end = f->sc->val[MV_G_END];
	char expected[200], found[200];

	f->noutside = 0;
	for (int q = 0; q < f->nobs; q++)
		for (int k = 0; k < f->obs[q].npts; k++)
			f->noutside += !(f->obs[q].t[k] >= start && f->obs[q].t[k] <= end);
	if (check_domains(L, obs_list))
		return -1;
	f->horizon = INFINITY;
	if (so && sh) {
		snprintf(found, sizeof found, "both (fit.holdout on line %d)",
			 config_setting_source_line(sh));
		return mv_cfg_fail(&L->c, so, "fit.origins",
				   "either fit.holdout or fit.origins (holdout = X is the one "
				   "origin X with an unlimited horizon)", found);
	}
	if (sz) {
		if (mv_cfg_get_number(&L->c, sz, "fit.horizon", &f->horizon))
			return -1;
		if (!(f->horizon > 0)) {
			snprintf(found, sizeof found, "%.10g", f->horizon);
			return mv_cfg_fail(&L->c, sz, "fit.horizon", "a number of years > 0",
					   found);
		}
		if (so == NULL)
			return mv_cfg_fail(&L->c, sz, "fit.horizon",
					   "fit.origins beside it (the years scored after each "
					   "origin)", sh ? "fit.holdout, which scores every year "
					   "after it" : "no origins");
	}
	if (so == NULL) {
		f->norigins = 1;
		if ((f->origins = calloc(1, sizeof *f->origins)) == NULL)
			return oom(L->c.err);
		f->origins[0].t = f->holdout;
		f->origins[0].end = INFINITY;
		return make_origin(L, 0, obs_list, "fit.observations", sh, "fit.holdout");
	}
	int n = config_setting_length(so);
	int type = config_setting_type(so);
	snprintf(expected, sizeof expected,
		 "an array [t1, t2, ...] of 1 to %d times (years), strictly increasing",
		 MV_FIT_MAX_ORIGINS);
	if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || n < 1 ||
	    n > MV_FIT_MAX_ORIGINS)
		return mv_cfg_fail_type(&L->c, so, "fit.origins", expected);
	f->has_origins = 1;
	if ((f->origins = calloc((size_t)n, sizeof *f->origins)) == NULL)
		return oom(L->c.err);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(so, (unsigned)i);
		char path[48];
		double t;
		snprintf(path, sizeof path, "fit.origins[%d]", i);
		if (mv_cfg_get_number(&L->c, e, path, &t))
			return -1;
		if (i > 0 && !(t > f->origins[i - 1].t)) {
			snprintf(expected, sizeof expected,
				 "a time after fit.origins[%d] = %.10g (origins strictly increasing)",
				 i - 1, f->origins[i - 1].t);
			snprintf(found, sizeof found, "%.10g", t);
			return mv_cfg_fail(&L->c, e, path, expected, found);
		}
		f->origins[i].t = t;
		f->origins[i].end = t + f->horizon;
		f->norigins = i + 1;
	}
	for (int i = 0; i < n; i++) {
		char path[48];
		snprintf(path, sizeof path, "fit.origins[%d]", i);
		const config_setting_t *e = config_setting_get_elem(so, (unsigned)i);
		if (make_origin(L, i, e, path, e, path))
			return -1;
	}
	return 0;
}

/* The starts (§11a): the given start, then starts − 1 points of a Latin hypercube over the
 * boxes: for parameter j, the stratum of point i is a random permutation of 0..n−1 and the
 * point is uniform inside it (GSL's MT19937 seeded with fit.seed, so the starts are a function
 * of the file only). x = (1 − u)·min + u·max stays finite for any finite box. */
static int draw_starts(struct loader *L)
{
	struct mv_fit *f = L->f;
	const int p = f->nparams, n = f->starts - 1;

	if ((f->start_points = malloc((size_t)f->starts * (size_t)p * sizeof *f->start_points)) == NULL)
		return oom(L->c.err);
	for (int j = 0; j < p; j++)
		f->start_points[j] = f->params[j].start;
	if (n == 0)
		return 0;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int *perm = malloc((size_t)n * sizeof *perm);
	if (rng == NULL || perm == NULL) {
		if (rng)
			gsl_rng_free(rng);
		free(perm);
		return oom(L->c.err);
	}
	gsl_rng_set(rng, (unsigned long)f->seed);
	for (int j = 0; j < p; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		for (int i = 0; i < n; i++)
			perm[i] = i;
		for (int i = n - 1; i > 0; i--) { /* Fisher–Yates */
			int k = (int)gsl_rng_uniform_int(rng, (unsigned long)i + 1);
			int tmp = perm[i];
			perm[i] = perm[k];
			perm[k] = tmp;
		}
		for (int i = 0; i < n; i++) {
			double u = (perm[i] + gsl_rng_uniform(rng)) / n;
			double x = (1 - u) * pp->min + u * pp->max;
			f->start_points[(size_t)(i + 1) * (size_t)p + (size_t)j] =
				x < pp->min ? pp->min : x > pp->max ? pp->max : x;
		}
	}
	gsl_rng_free(rng);
	free(perm);
	return 0;
}

static int read_fit(struct loader *L, const config_setting_t *root)
{
	static const char *const fit_keys[] = {"observations", "parameters", "holdout", "origins",
					       "horizon", "starts", "seed", "max_iterations", "method",
					       NULL};
	struct mv_fit *f = L->f;
	const config_setting_t *g = config_setting_get_member(root, "fit");
	const config_setting_t *s;
	char expected[160], found[96];
	const char *shape = "a group { observations = ( ... ); parameters = ( ... ); }";

	if (g == NULL)
		return mv_cfg_fail(&L->c, root, "fit", shape, "nothing (required)");
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return mv_cfg_fail_type(&L->c, g, "fit", shape);
	if (mv_cfg_check_known(g, L->c.file, "fit", fit_keys, L->c.err))
		return -1;

	f->holdout = INFINITY;
	if ((s = config_setting_get_member(g, "holdout")) &&
	    mv_cfg_get_number(&L->c, s, "fit.holdout", &f->holdout))
		return -1;
	long v;
	f->starts = 1;
	if ((s = config_setting_get_member(g, "starts"))) {
		if (mv_cfg_get_integer(&L->c, s, "fit.starts", 1, MV_FIT_MAX_STARTS, &v))
			return -1;
		f->starts = (int)v;
	}
	f->seed = 1;
	if ((s = config_setting_get_member(g, "seed"))) {
		if (mv_cfg_get_integer(&L->c, s, "fit.seed", 0, 4294967295.0, &v))
			return -1;
		f->seed = (uint64_t)v;
	}
	f->max_iterations = MV_FIT_DEFAULT_MAX_ITERATIONS;
	if ((s = config_setting_get_member(g, "max_iterations"))) {
		if (mv_cfg_get_integer(&L->c, s, "fit.max_iterations", 1, MV_FIT_MAX_ITERATIONS,
				       &v))
			return -1;
		f->max_iterations = (long)v;
	}
	f->method = MV_FIT_LM;
	if ((s = config_setting_get_member(g, "method"))) {
		const char *mexp = "one of lm, lmaccel";
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return mv_cfg_fail_type(&L->c, s, "fit.method", mexp);
		const char *name = config_setting_get_string(s);
		if (strcmp(name, "lm") == 0)
			f->method = MV_FIT_LM;
		else if (strcmp(name, "lmaccel") == 0)
			f->method = MV_FIT_LMACCEL;
		else {
			snprintf(found, sizeof found, "\"%.60s\"", name);
			return mv_cfg_fail(&L->c, s, "fit.method", mexp, found);
		}
	}

	const config_setting_t *plist = config_setting_get_member(g, "parameters");
	snprintf(expected, sizeof expected,
		 "a list ( { key = \"...\"; min = ...; max = ...; start = ...; }, ... ) of 1 to %d parameters",
		 MV_FIT_MAX_PARAMS);
	if (plist == NULL)
		return mv_cfg_fail(&L->c, g, "fit.parameters", expected, "nothing (required)");
	int len = config_setting_length(plist);
	if (config_setting_type(plist) != CONFIG_TYPE_LIST || len < 1 || len > MV_FIT_MAX_PARAMS)
		return mv_cfg_fail_type(&L->c, plist, "fit.parameters", expected);
	if ((f->params = calloc((size_t)len, sizeof *f->params)) == NULL)
		return oom(L->c.err);
	for (int j = 0; j < len; j++) {
		f->nparams = j + 1;
		if (read_param(L, config_setting_get_elem(plist, (unsigned)j), j))
			return -1;
	}

	const config_setting_t *olist = config_setting_get_member(g, "observations");
	snprintf(expected, sizeof expected,
		 "a list ( { column = \"...\"; file = \"...\"; data_column = \"...\"; }, ... ) of 1 to %d observations",
		 MV_FIT_MAX_OBS);
	if (olist == NULL)
		return mv_cfg_fail(&L->c, g, "fit.observations", expected, "nothing (required)");
	len = config_setting_length(olist);
	if (config_setting_type(olist) != CONFIG_TYPE_LIST || len < 1 || len > MV_FIT_MAX_OBS)
		return mv_cfg_fail_type(&L->c, olist, "fit.observations", expected);
	if ((f->obs = calloc((size_t)len, sizeof *f->obs)) == NULL)
		return oom(L->c.err);
	for (int q = 0; q < len; q++) {
		f->nobs = q + 1;
		if (read_obs(L, config_setting_get_elem(olist, (unsigned)q), q))
			return -1;
	}
	if (make_origins(L, g, olist))
		return -1;
	return draw_starts(L);
}

void mv_fit_free(struct mv_fit *f)
{
	if (f == NULL)
		return;
	free(f->path);
	free(f->scenario_path);
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	free(f->columns);
	for (int q = 0; q < f->nobs; q++) {
		free(f->obs[q].column);
		free(f->obs[q].path);
		free(f->obs[q].data_column);
		free(f->obs[q].t);
		free(f->obs[q].v);
	}
	free(f->obs);
	for (int j = 0; j < f->nparams; j++)
		free(f->params[j].key);
	free(f->params);
	for (int i = 0; i < f->norigins; i++) {
		free(f->origins[i].points);
		free(f->origins[i].times);
	}
	free(f->origins);
	free(f->start_points);
	free(f);
}

struct mv_fit *mv_fit_load(const char *path, struct mv_error *err)
{
	struct mv_fit *f = calloc(1, sizeof *f);
	struct loader L = {{path, err}, f};
	config_t cfg;
	int have_cfg = 0;

	mv_error_clear(err);
	if (f == NULL || (f->path = strdup(path)) == NULL) {
		oom(err);
		goto fail;
	}
	if (mv_cfg_read(&cfg, path, "fit file", err))
		goto fail;
	have_cfg = 1;
	static const char *const top_keys[] = {"scenario", "fit", NULL};
	const config_setting_t *root = config_root_setting(&cfg);
	if (mv_cfg_check_known(root, path, "", top_keys, err))
		goto fail;
	const config_setting_t *s = config_setting_get_member(root, "scenario");
	const char *name;
	if (mv_cfg_get_string(&L.c, root, "", "scenario",
			      "a scenario file name (relative to the fit file)", &name))
		goto fail;
	if ((f->scenario_path = mv_cfg_join_dir(path, name)) == NULL) {
		oom(err);
		goto fail;
	}
	if (access(f->scenario_path, R_OK) != 0) { /* not fopen: a FIFO would block */
		char found[600];
		snprintf(found, sizeof found, "'%.500s' (%s)", f->scenario_path, strerror(errno));
		mv_cfg_fail(&L.c, s, "scenario", "a readable scenario file", found);
		goto fail;
	}
	if ((f->sc = mv_config_load(f->scenario_path, 0, NULL, &f->kt, err)) == NULL ||
	    (f->columns = mv_model_columns(f->sc, &f->ncols, err)) == NULL)
		goto fail;
	if (mv_noise_active(f->sc)) {
		char found[600];
		snprintf(found, sizeof found, "noise in %.500s (noise.sigma or a noise_sigma > 0)",
			 f->scenario_path);
		mv_cfg_fail(&L.c, s, "scenario",
			    "a deterministic scenario (a fit compares one run with data)", found);
		goto fail;
	}
	if (read_fit(&L, root))
		goto fail;
	config_destroy(&cfg);
	have_cfg = 0;
	if (mv_sha256_file(path, f->sha256)) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read fit file: %s", path, strerror(errno));
		goto fail;
	}
	return f;
fail:
	if (have_cfg)
		config_destroy(&cfg);
	mv_fit_free(f);
	return NULL;
}

const char *mv_fit_method_name(int method)
{
	return method == MV_FIT_LMACCEL ? "lmaccel" : "lm";
}


const char *mv_fit_transform_name(int transform)
{
	return transform == MV_FIT_LOG ? "log" : transform == MV_FIT_LOGIT ? "logit" : "none";
}

double mv_fit_transform(int transform, double x)
{
	switch (transform) {
	case MV_FIT_LOG:
		return log(x > MV_FIT_LOG_CLAMP ? x : MV_FIT_LOG_CLAMP);
	case MV_FIT_LOGIT: {
		double c = x < MV_FIT_LOGIT_CLAMP ? MV_FIT_LOGIT_CLAMP
			 : x > 1 - MV_FIT_LOGIT_CLAMP ? 1 - MV_FIT_LOGIT_CLAMP : x;
		return log(c / (1 - c));
	}
	default:
		return x;
	}
}
