/* fit.c — calibration (MODEL.md §11): fit files → struct mv_fit; bounded least squares with
 * gsl_multifit_nlinear over model runs; standard errors, holdout scores, report, fitted file. */
#define _XOPEN_SOURCE 700 /* realpath, strdup */
#include "mvsim/cfgread.h"
#include "mvsim/fit.h"

#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/output.h"
#include "mvsim/series.h"
#include "mvsim/sha256.h"

#include <errno.h>
#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Forward-difference step of parameter j: FD_REL·max(|x_j|, FD_FLOOR·(max − min)). The model
 * is a numerical integration (rtol ~1e-8): a step much below ~1e-6 relative would difference
 * integration noise, a much larger one the curvature; see docs/calibration.md. */
#define FD_REL 1e-6
#define FD_FLOOR 1e-3
/* A start on a bound is moved this far (in u) inside: on a bound dx/du = 0 and the solver
 * could never leave it. x moves by (max − min)·(1 − cos 1e-3)/2 ≈ 2.5e-7·(max − min). */
#define U_NUDGE 1e-3
/* Residual of a trial point whose run fails: far above any real one, so the step is rejected. */
#define PENALTY 1e6
#define HALF_PI 1.57079632679489661923

static int oom(struct mv_error *err)
{
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
}

/* ================================================================ fit files */

struct loader {
	struct mv_fit *f;
	const char *file;
	struct mv_error *err;
};


/* `file:line: setting 'path': expected <expected>, found <found>`; returns -1. The root group
 * has no line (a missing top-level setting): then `file: setting ...`. */
static int fail(struct loader *L, const config_setting_t *s, const char *path,
		const char *expected, const char *found)
{
	int line = s ? config_setting_source_line(s) : 0;
	if (line <= 0)
		return mv_error_set(L->err, MV_EXIT_INPUT, "%s: setting '%s': expected %s, found %s",
				    L->file, path, expected, found);
	return mv_error_set(L->err, MV_EXIT_INPUT, "%s:%d: setting '%s': expected %s, found %s",
			    L->file, line, path, expected, found);
}

static int fail_type(struct loader *L, const config_setting_t *s, const char *path,
		     const char *expected)
{
	char buf[128];
	return fail(L, s, path, expected, mv_cfg_describe(s, buf, sizeof buf));
}



static int get_number(struct loader *L, const config_setting_t *s, const char *path, double *v)
{
	if (!mv_cfg_is_number(s))
		return fail_type(L, s, path, "a number");
	*v = mv_cfg_number(s);
	if (!isfinite(*v))
		return fail(L, s, path, "a finite number", "a non-finite value");
	return 0;
}

/* A string member `name` of g into *out (borrowed from the config); required or not. */
static int get_string(struct loader *L, const config_setting_t *g, const char *path,
		      const char *name, const char *expected, const char **out)
{
	char full[160];
	const config_setting_t *s = config_setting_get_member(g, name);

	snprintf(full, sizeof full, "%s.%s", path, name);
	*out = NULL;
	if (s == NULL)
		return fail(L, g, full, expected, "nothing (required)");
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_type(L, s, full, expected);
	*out = config_setting_get_string(s);
	return 0;
}


static int check_known(struct loader *L, const config_setting_t *g, const char *path,
		       const char *const *names)
{
	return mv_cfg_check_known(g, L->file, path, names, L->err);
}

/* rel relative to the directory of file (unless absolute); malloc'd. */
static char *join_dir(const char *file, const char *rel)
{
	const char *slash = strrchr(file, '/');
	size_t dlen = rel[0] == '/' || slash == NULL ? 0 : (size_t)(slash - file) + 1;
	char *out = malloc(dlen + strlen(rel) + 1);

	if (out) {
		memcpy(out, file, dlen);
		strcpy(out + dlen, rel);
	}
	return out;
}

static int read_obs(struct loader *L, const config_setting_t *g, int q)
{
	static const char *const obs_keys[] = {"column", "file", "data_column", "scale", "weight",
					       NULL};
	struct mv_fit *f = L->f;
	struct mv_fit_obs *o = &f->obs[q];
	char path[64], sub[96], found[700];
	const char *s;

	snprintf(path, sizeof path, "fit.observations[%d]", q);
	o->line = config_setting_source_line(g);
	o->scale = 1.0;
	o->weight = 1.0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail_type(L, g, path, "a group { column = \"...\"; file = \"...\"; data_column = \"...\"; }");
	if (check_known(L, g, path, obs_keys))
		return -1;

	const char *cexp = "an output column of the scenario (the header of 'mvsim run')";
	if (get_string(L, g, path, "column", cexp, &s))
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
		return fail(L, config_setting_get_member(g, "column"), sub, cexp, found);
	}
	if ((o->column = strdup(s)) == NULL)
		return oom(L->err);

	const config_setting_t *e;
	if ((e = config_setting_get_member(g, "scale"))) {
		snprintf(sub, sizeof sub, "%s.scale", path);
		if (get_number(L, e, sub, &o->scale))
			return -1;
	}
	if ((e = config_setting_get_member(g, "weight"))) {
		snprintf(sub, sizeof sub, "%s.weight", path);
		if (get_number(L, e, sub, &o->weight))
			return -1;
		if (o->weight < 0) {
			snprintf(found, sizeof found, "%.10g", o->weight);
			return fail(L, e, sub, "a number >= 0", found);
		}
	}

	if (get_string(L, g, path, "data_column", "the name of a column of the data file", &s))
		return -1;
	if ((o->data_column = strdup(s)) == NULL)
		return oom(L->err);
	if (get_string(L, g, path, "file", "a data file (relative to the fit file)", &s))
		return -1;
	if ((o->path = join_dir(L->file, s)) == NULL)
		return oom(L->err);
	if (access(o->path, R_OK) != 0) { /* not fopen: a FIFO would block (the reader refuses it) */
		snprintf(found, sizeof found, "'%.500s' (%s)", o->path, strerror(errno));
		snprintf(sub, sizeof sub, "%s.file", path);
		return fail(L, config_setting_get_member(g, "file"), sub, "a readable data file", found);
	}
	if (mv_series_read(o->path, o->data_column, o->scale, &o->t, &o->v, &o->npts, L->err)) {
		/* The series reader names its setting 'column'; in a fit file it is 'data_column'. */
		char *at = strstr(L->err->msg, ": setting 'column': ");
		if (at) {
			char rest[MV_ERROR_MAX];
			snprintf(rest, sizeof rest, "%s", at + strlen(": setting 'column'"));
			snprintf(at, sizeof L->err->msg - (size_t)(at - L->err->msg),
				 ": setting 'data_column'%s", rest);
		}
		return -1;
	}
	return 0;
}

static int check_rule(struct loader *L, const config_setting_t *s, const char *path,
		      const struct mv_key *key, double v)
{
	if (mv_rule_ok(key->rule, v))
		return 0;
	char expected[200], found[32];
	snprintf(expected, sizeof expected, "%s (the range of %s)", mv_rule_str(key->rule),
		 key->name);
	snprintf(found, sizeof found, "%.10g", v);
	return fail(L, s, path, expected, found);
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
		return fail_type(L, g, path, "a group { key = \"...\"; min = ...; max = ...; start = ...; }");
	if (check_known(L, g, path, param_keys))
		return -1;

	const char *kexp = "a parameter or state key of the scenario (mvsim keys SCENARIO lists them)";
	if (get_string(L, g, path, "key", kexp, &name))
		return -1;
	const config_setting_t *ks = config_setting_get_member(g, "key");
	snprintf(sub, sizeof sub, "%s.key", path);
	const struct mv_key *key = mv_keytab_find(&f->kt, name);
	if (key == NULL) {
		const struct mv_key *sug = mv_keytab_suggest(&f->kt, name);
		snprintf(found, sizeof found, "unknown key '%.100s'%s%.100s%s", name,
			 sug ? "; did you mean '" : "", sug ? sug->name : "", sug ? "'?" : "");
		return fail(L, ks, sub, kexp, found);
	}
	if (key->kind == MV_KEY_SETTING || key->kind == MV_KEY_SHARE) {
		snprintf(found, sizeof found, "the %s '%.100s'%s",
			 key->kind == MV_KEY_SETTING ? "setting" : "initial share", key->name,
			 key->kind == MV_KEY_SHARE ? " (the shares of a domain must sum to 1)" : "");
		return fail(L, ks, sub, "a parameter or state key", found);
	}
	const struct mv_src src = f->sc->src[key->index];
	if (src.kind == MV_SRC_SERIES) {
		const struct mv_series *se = &f->sc->series[src.arg];
		snprintf(found, sizeof found, "'%.100s', driven by %.200s:%.60s from %.200s:%d", key->name,
			 se->path, se->column, f->sc->files[se->file], se->line);
		return fail(L, ks, sub, "a key not driven by a data series", found);
	}
	for (int q = 0; q < j; q++)
		if (f->params[q].slot == key->index) {
			snprintf(found, sizeof found, "'%.100s' again (parameter %d, line %d)", name, q,
				 f->params[q].line);
			return fail(L, ks, sub, "a key not fitted already", found);
		}
	if ((p->key = strdup(name)) == NULL)
		return oom(L->err);
	p->slot = key->index;

	const config_setting_t *smin = config_setting_get_member(g, "min");
	const config_setting_t *smax = config_setting_get_member(g, "max");
	const config_setting_t *sstart = config_setting_get_member(g, "start");
	snprintf(sub, sizeof sub, "%s.min", path);
	if (smin == NULL)
		return fail(L, g, sub, "a number (the lower bound)", "nothing (required)");
	if (get_number(L, smin, sub, &p->min) || check_rule(L, smin, sub, key, p->min))
		return -1;
	snprintf(sub, sizeof sub, "%s.max", path);
	if (smax == NULL)
		return fail(L, g, sub, "a number (the upper bound)", "nothing (required)");
	if (get_number(L, smax, sub, &p->max) || check_rule(L, smax, sub, key, p->max))
		return -1;
	if (!(p->min < p->max)) {
		snprintf(expected, sizeof expected, "a number above min (%.10g)", p->min);
		snprintf(found, sizeof found, "%.10g", p->max);
		return fail(L, smax, sub, expected, found);
	}
	snprintf(sub, sizeof sub, "%s.start", path);
	snprintf(expected, sizeof expected, "a number in [min, max] = [%.10g, %.10g]", p->min, p->max);
	if (sstart) {
		if (get_number(L, sstart, sub, &p->start))
			return -1;
		if (!(p->start >= p->min && p->start <= p->max)) {
			snprintf(found, sizeof found, "%.10g", p->start);
			return fail(L, sstart, sub, expected, found);
		}
	} else {
		/* No start: the scenario's own value, which must then lie in the box. */
		p->start = f->sc->val[p->slot];
		if (!(p->start >= p->min && p->start <= p->max)) {
			snprintf(found, sizeof found, "nothing, and the scenario's value %.10g is outside",
				 p->start);
			return fail(L, g, sub, expected, found);
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The residual points: observations inside [start, end], fitted before the holdout. */
static int make_points(struct loader *L, const config_setting_t *obs_list)
{
	struct mv_fit *f = L->f;
	const double start = f->sc->val[MV_G_START], end = f->sc->val[MV_G_END];
	long total = 0;

	for (int q = 0; q < f->nobs; q++)
		total += f->obs[q].npts;
	f->points = calloc((size_t)total + 1, sizeof *f->points);
	f->times = malloc(((size_t)total + 1) * sizeof *f->times);
	if (f->points == NULL || f->times == NULL)
		return oom(L->err);
	for (int pass = 0; pass < 2; pass++)
		for (int q = 0; q < f->nobs; q++) {
			const struct mv_fit_obs *o = &f->obs[q];
			for (int k = 0; k < o->npts; k++) {
				double t = o->t[k];
				if (!(t >= start && t <= end)) {
					f->noutside += pass == 0;
					continue;
				}
				int hold = t >= f->holdout;
				if (hold != pass)
					continue;
				f->points[f->m + f->mh] = (struct mv_fit_point){q, -1, t, o->v[k],
										o->weight, hold};
				if (hold)
					f->mh++;
				else
					f->m++;
			}
		}
	if (f->m < f->nparams) {
		char expected[160], found[300];
		snprintf(expected, sizeof expected,
			 "at least %d fitted observation%s (one per free parameter)", f->nparams,
			 f->nparams == 1 ? "" : "s");
		char hold[64] = "";
		if (isfinite(f->holdout))
			snprintf(hold, sizeof hold, " and before the holdout (%.10g)", f->holdout);
		snprintf(found, sizeof found, "%d inside the scenario's time range [%.10g, %.10g]%s", f->m,
			 start, end, hold);
		return fail(L, obs_list, "fit.observations", expected, found);
	}
	int n = f->m + f->mh;
	for (int k = 0; k < n; k++)
		f->times[k] = f->points[k].t;
	qsort(f->times, (size_t)n, sizeof *f->times, cmp_double);
	int nt = 0;
	for (int k = 0; k < n; k++)
		if (nt == 0 || f->times[k] != f->times[nt - 1])
			f->times[nt++] = f->times[k];
	f->ntimes = nt;
	f->nfit_times = 0;
	while (f->nfit_times < nt && f->times[f->nfit_times] < f->holdout)
		f->nfit_times++;
	for (int k = 0; k < n; k++) {
		const double *hit = bsearch(&f->points[k].t, f->times, (size_t)nt, sizeof *f->times,
					    cmp_double);
		f->points[k].time = (int)(hit - f->times);
	}
	return 0;
}

static int read_fit(struct loader *L, const config_setting_t *root)
{
	static const char *const fit_keys[] = {"observations", "parameters", "holdout",
					       "max_iterations", "method", NULL};
	struct mv_fit *f = L->f;
	const config_setting_t *g = config_setting_get_member(root, "fit");
	const config_setting_t *s;
	char expected[160], found[96];
	const char *shape = "a group { observations = ( ... ); parameters = ( ... ); }";

	if (g == NULL)
		return fail(L, root, "fit", shape, "nothing (required)");
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail_type(L, g, "fit", shape);
	if (check_known(L, g, "fit", fit_keys))
		return -1;

	f->holdout = INFINITY;
	if ((s = config_setting_get_member(g, "holdout")) && get_number(L, s, "fit.holdout", &f->holdout))
		return -1;
	f->max_iterations = MV_FIT_DEFAULT_MAX_ITERATIONS;
	if ((s = config_setting_get_member(g, "max_iterations"))) {
		snprintf(expected, sizeof expected, "an integer in [1, %d]", MV_FIT_MAX_ITERATIONS);
		if (!mv_cfg_is_number(s))
			return fail_type(L, s, "fit.max_iterations", expected);
		double v = mv_cfg_number(s);
		if (!(v == floor(v) && v >= 1 && v <= MV_FIT_MAX_ITERATIONS)) {
			snprintf(found, sizeof found, "%.10g", v);
			return fail(L, s, "fit.max_iterations", expected, found);
		}
		f->max_iterations = (long)v;
	}
	f->method = MV_FIT_LM;
	if ((s = config_setting_get_member(g, "method"))) {
		const char *mexp = "one of lm, lmaccel";
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return fail_type(L, s, "fit.method", mexp);
		const char *name = config_setting_get_string(s);
		if (strcmp(name, "lm") == 0)
			f->method = MV_FIT_LM;
		else if (strcmp(name, "lmaccel") == 0)
			f->method = MV_FIT_LMACCEL;
		else {
			snprintf(found, sizeof found, "\"%.60s\"", name);
			return fail(L, s, "fit.method", mexp, found);
		}
	}

	const config_setting_t *plist = config_setting_get_member(g, "parameters");
	snprintf(expected, sizeof expected,
		 "a list ( { key = \"...\"; min = ...; max = ...; start = ...; }, ... ) of 1 to %d parameters",
		 MV_FIT_MAX_PARAMS);
	if (plist == NULL)
		return fail(L, g, "fit.parameters", expected, "nothing (required)");
	int len = config_setting_length(plist);
	if (config_setting_type(plist) != CONFIG_TYPE_LIST || len < 1 || len > MV_FIT_MAX_PARAMS)
		return fail_type(L, plist, "fit.parameters", expected);
	if ((f->params = calloc((size_t)len, sizeof *f->params)) == NULL)
		return oom(L->err);
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
		return fail(L, g, "fit.observations", expected, "nothing (required)");
	len = config_setting_length(olist);
	if (config_setting_type(olist) != CONFIG_TYPE_LIST || len < 1 || len > MV_FIT_MAX_OBS)
		return fail_type(L, olist, "fit.observations", expected);
	if ((f->obs = calloc((size_t)len, sizeof *f->obs)) == NULL)
		return oom(L->err);
	for (int q = 0; q < len; q++) {
		f->nobs = q + 1;
		if (read_obs(L, config_setting_get_elem(olist, (unsigned)q), q))
			return -1;
	}
	return make_points(L, olist);
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
	free(f->points);
	free(f->times);
	free(f);
}

struct mv_fit *mv_fit_load(const char *path, struct mv_error *err)
{
	struct mv_fit *f = calloc(1, sizeof *f);
	struct loader L = {f, path, err};
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
	if (check_known(&L, root, "", top_keys))
		goto fail;
	const config_setting_t *s = config_setting_get_member(root, "scenario");
	const char *sexp = "a scenario file name (relative to the fit file)";
	if (s == NULL) {
		fail(&L, NULL, "scenario", sexp, "nothing (required)");
		goto fail;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail_type(&L, s, "scenario", sexp);
		goto fail;
	}
	if ((f->scenario_path = join_dir(path, config_setting_get_string(s))) == NULL) {
		oom(err);
		goto fail;
	}
	if (access(f->scenario_path, R_OK) != 0) { /* not fopen: a FIFO would block */
		char found[600];
		snprintf(found, sizeof found, "'%.500s' (%s)", f->scenario_path, strerror(errno));
		fail(&L, s, "scenario", "a readable scenario file", found);
		goto fail;
	}
	if ((f->sc = mv_config_load(f->scenario_path, 0, NULL, &f->kt, err)) == NULL ||
	    (f->columns = mv_model_columns(f->sc, &f->ncols, err)) == NULL)
		goto fail;
	if (mv_noise_active(f->sc)) {
		char found[600];
		snprintf(found, sizeof found, "noise in %.500s (noise.sigma or a noise_sigma > 0)",
			 f->scenario_path);
		fail(&L, s, "scenario", "a deterministic scenario (a fit compares one run with data)",
		     found);
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

/* ================================================================ model evaluations */

/* A thread's private view of the scenario: the same events, series and names, its own values. */
struct worker {
	struct mv_scenario sc; /* shallow copy of the fit's scenario; only val is its own */
	double *rows;          /* ntimes × nobs: the observed columns at each time */
};

struct engine {
	const struct mv_fit *f;
	int p, m, jobs;
	struct worker *w;      /* jobs of them */
	long nruns, nfailed;
	struct mv_error first_failure; /* of a rejected trial point (for the report) */
	double *colres;        /* p × m: residuals of the Jacobian's runs, column j at j·m */
	struct mv_error *colerr; /* p: each column's run error */
	int *colbad;
	gsl_vector *cache_u, *cache_r; /* the last successful residual evaluation */
	int cache_ok;
	int fatal;             /* a Jacobian run failed: err holds why */
	struct mv_error err;
	double h[MV_FIT_MAX_PARAMS]; /* finite-difference steps of the last Jacobian */
};

struct row_ctx {
	const struct mv_fit *f;
	double *rows;
	long k;
};

static int keep_row(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	struct row_ctx *c = ctx;
	(void)ncols;
	(void)err;
	for (int q = 0; q < c->f->nobs; q++)
		c->rows[c->k * c->f->nobs + q] = row[c->f->obs[q].col];
	c->k++;
	return 0;
}

/* Describes x as "key=value, ..." into buf. */
static void point_str(const struct mv_fit *f, const double *x, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int j = 0; j < f->nparams && used < size; j++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s=%.10g", j ? ", " : "",
					 f->params[j].key, x[j]);
}

/* Runs the scenario with the parameters at x through the first ntimes observation times into
 * w->rows. Returns 0, or -1 with err set (code 2: x makes the scenario invalid; 1: the run
 * failed). */
static int run_at(const struct mv_fit *f, struct worker *w, const double *x, int ntimes,
		  struct mv_error *err)
{
	struct mv_run_opts opts = {0};
	struct row_ctx ctx = {f, w->rows, 0};
	struct mv_error e = {0};
	char at[1024];

	memcpy(w->sc.val, f->sc->val, (size_t)f->sc->nval * sizeof *w->sc.val);
	for (int j = 0; j < f->nparams; j++)
		w->sc.val[f->params[j].slot] = x[j];
	if (mv_config_validate(&w->sc, &f->kt, &e)) {
		point_str(f, x, at, sizeof at);
		return mv_error_set(err, MV_EXIT_INPUT, "the point %s makes the scenario invalid: %s",
				    at, e.msg);
	}
	opts.times = f->times;
	opts.ntimes = ntimes;
	struct mv_run *run = mv_run_create(&w->sc, &f->kt, &opts, &e);
	int rc = run ? mv_run_exec(run, keep_row, &ctx, &e) : -1;
	mv_run_free(run);
	if (rc) {
		point_str(f, x, at, sizeof at);
		return mv_error_set(err, e.code ? e.code : MV_EXIT_FAIL, "at %s: %s", at, e.msg);
	}
	return 0;
}

/* Residuals of points[0..n) from w->rows (which must hold their times). */
static void residuals(const struct mv_fit *f, const struct worker *w, int n, double *r)
{
	for (int k = 0; k < n; k++) {
		const struct mv_fit_point *pt = &f->points[k];
		r[k] = pt->weight * (w->rows[pt->time * f->nobs + pt->obs] - pt->y);
	}
}

/* The transform between the solver's unbounded u and the parameters in [min, max]. */
static double u_to_x(const struct mv_fit_param *p, double u)
{
	double x = p->min + (p->max - p->min) * (1 + sin(u)) / 2;
	return x < p->min ? p->min : x > p->max ? p->max : x;
}

static double dx_du(const struct mv_fit_param *p, double u)
{
	return (p->max - p->min) * cos(u) / 2;
}

static double x_to_u(const struct mv_fit_param *p, double x)
{
	double z = 2 * (x - p->min) / (p->max - p->min) - 1;
	double u = asin(z < -1 ? -1 : z > 1 ? 1 : z);
	if (u > HALF_PI - U_NUDGE)
		u = HALF_PI - U_NUDGE;
	if (u < -HALF_PI + U_NUDGE)
		u = -HALF_PI + U_NUDGE;
	return u;
}

static void vec_to_x(const struct mv_fit *f, const gsl_vector *u, double *x)
{
	for (int j = 0; j < f->nparams; j++)
		x[j] = u_to_x(&f->params[j], gsl_vector_get(u, (size_t)j));
}

/* ∂r/∂x by forward differences at x, whose residuals are r0[0..m): one run per parameter,
 * in parallel; column j of J (m × p, leading dimension ld) at J[i·ld + j]. Each run is a function of its point
 * only, so J does not depend on the number of threads. Returns 0, or -1 with E->err set
 * (the failed run of the lowest j). */
static int jacobian_x(struct engine *E, const double *x, const double *r0, int m, double *J,
		      size_t ld)
{
	const struct mv_fit *f = E->f;
	const int p = E->p;

	for (int j = 0; j < p; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		double h = FD_REL * fmax(fabs(x[j]), FD_FLOOR * (pp->max - pp->min));
		/* Step inward from the upper bound, so every run stays in the box (whose values
		 * are valid for the key), and take the step that is exactly representable. */
		volatile double xh = x[j] + h > pp->max ? x[j] - h : x[j] + h;
		E->h[j] = xh - x[j];
		E->colbad[j] = 0;
	}
#ifdef _OPENMP
#pragma omp parallel for num_threads(E->jobs) schedule(dynamic, 1)
#endif
	for (int j = 0; j < p; j++) {
#ifdef _OPENMP
		struct worker *w = &E->w[omp_get_thread_num()];
#else
		struct worker *w = &E->w[0];
#endif
		double xj[MV_FIT_MAX_PARAMS];
		memcpy(xj, x, (size_t)p * sizeof *xj);
		xj[j] = x[j] + E->h[j];
		if (run_at(f, w, xj, f->nfit_times, &E->colerr[j]))
			E->colbad[j] = 1;
		else
			residuals(f, w, m, E->colres + (size_t)j * (size_t)m);
	}
	E->nruns += p;
	for (int j = 0; j < p; j++)
		if (E->colbad[j]) {
			E->err = E->colerr[j];
			return -1;
		}
	for (int j = 0; j < p; j++)
		for (int i = 0; i < m; i++)
			J[(size_t)i * ld + (size_t)j] = (E->colres[(size_t)j * (size_t)m + i] - r0[i]) / E->h[j];
	return 0;
}

/* gsl_multifit_nlinear_fdf.f: residuals at u. A point whose run fails gets PENALTY residuals,
 * so the trust region rejects it and shrinks. */
static int cb_f(const gsl_vector *u, void *params, gsl_vector *r)
{
	struct engine *E = params;
	const struct mv_fit *f = E->f;
	double x[MV_FIT_MAX_PARAMS];
	struct mv_error e = {0};

	vec_to_x(f, u, x);
	E->nruns++;
	E->cache_ok = 0;
	if (run_at(f, &E->w[0], x, f->nfit_times, &e)) {
		if (E->nfailed++ == 0)
			E->first_failure = e;
		gsl_vector_set_all(r, PENALTY);
		return GSL_SUCCESS;
	}
	residuals(f, &E->w[0], E->m, r->data);
	gsl_vector_memcpy(E->cache_u, u);
	gsl_vector_memcpy(E->cache_r, r);
	E->cache_ok = 1;
	return GSL_SUCCESS;
}

/* gsl_multifit_nlinear_fdf.df: J_u = ∂r/∂x · diag(dx/du). GSL evaluates f at a point before
 * its Jacobian, so the base residuals come from the cache. */
static int cb_df(const gsl_vector *u, void *params, gsl_matrix *J)
{
	struct engine *E = params;
	const struct mv_fit *f = E->f;
	double x[MV_FIT_MAX_PARAMS];

	vec_to_x(f, u, x);
	if (!E->cache_ok || !gsl_vector_equal(u, E->cache_u)) {
		E->nruns++;
		if (run_at(f, &E->w[0], x, f->nfit_times, &E->err)) {
			E->fatal = 1;
			return GSL_EBADFUNC;
		}
		residuals(f, &E->w[0], E->m, E->cache_r->data);
		gsl_vector_memcpy(E->cache_u, u);
		E->cache_ok = 1;
	}
	if (jacobian_x(E, x, E->cache_r->data, E->m, J->data, J->tda)) {
		E->fatal = 1;
		return GSL_EBADFUNC;
	}
	for (int j = 0; j < E->p; j++) {
		double d = dx_du(&f->params[j], gsl_vector_get(u, (size_t)j));
		for (int i = 0; i < E->m; i++)
			J->data[i * J->tda + (size_t)j] *= d;
	}
	return GSL_SUCCESS;
}

static void engine_free(struct engine *E)
{
	if (E->w)
		for (int t = 0; t < E->jobs; t++) {
			free(E->w[t].sc.val);
			free(E->w[t].rows);
		}
	free(E->w);
	free(E->colres);
	free(E->colerr);
	free(E->colbad);
	if (E->cache_u)
		gsl_vector_free(E->cache_u);
	if (E->cache_r)
		gsl_vector_free(E->cache_r);
}

static int engine_init(struct engine *E, const struct mv_fit *f, int jobs, struct mv_error *err)
{
	memset(E, 0, sizeof *E);
	E->f = f;
	E->p = f->nparams;
	E->m = f->m;
#ifdef _OPENMP
	E->jobs = jobs > 0 ? jobs : omp_get_num_procs();
#else
	(void)jobs;
	E->jobs = 1;
#endif
	if (E->jobs > E->p)
		E->jobs = E->p; /* more threads than columns would idle */
	if (E->jobs < 1)
		E->jobs = 1;
	E->w = calloc((size_t)E->jobs, sizeof *E->w);
	E->colres = malloc((size_t)E->p * (size_t)(E->m + 1) * sizeof *E->colres);
	E->colerr = calloc((size_t)E->p, sizeof *E->colerr);
	E->colbad = calloc((size_t)E->p, sizeof *E->colbad);
	E->cache_u = gsl_vector_alloc((size_t)E->p);
	E->cache_r = gsl_vector_alloc((size_t)E->m);
	if (!E->w || !E->colres || !E->colerr || !E->colbad || !E->cache_u || !E->cache_r)
		return oom(err);
	for (int t = 0; t < E->jobs; t++) {
		E->w[t].sc = *f->sc;
		E->w[t].sc.val = malloc((size_t)f->sc->nval * sizeof *E->w[t].sc.val);
		E->w[t].rows = malloc(((size_t)f->ntimes + 1) * (size_t)f->nobs * sizeof *E->w[t].rows);
		if (!E->w[t].sc.val || !E->w[t].rows)
			return oom(err);
	}
	return 0;
}

/* ================================================================ results */

void mv_fit_result_free(struct mv_fit_result *r)
{
	if (r == NULL)
		return;
	free(r->x);
	free(r->se);
	free(r->corr);
	free(r->bound);
	free(r->model);
	free(r->resid);
	free(r->scores);
	free(r);
}

static struct mv_fit_result *result_new(const struct mv_fit *f)
{
	struct mv_fit_result *r = calloc(1, sizeof *r);
	size_t p = (size_t)f->nparams, n = (size_t)(f->m + f->mh);

	if (r == NULL)
		return NULL;
	r->nparams = f->nparams;
	r->npoints = f->m + f->mh;
	r->x = calloc(p, sizeof *r->x);
	r->se = calloc(p, sizeof *r->se);
	r->corr = calloc(p * p, sizeof *r->corr);
	r->bound = calloc(p, sizeof *r->bound);
	r->model = calloc(n + 1, sizeof *r->model);
	r->resid = calloc(n + 1, sizeof *r->resid);
	r->scores = calloc((size_t)f->nobs + 1, sizeof *r->scores);
	if (!r->x || !r->se || !r->corr || !r->bound || !r->model || !r->resid || !r->scores) {
		mv_fit_result_free(r);
		return NULL;
	}
	return r;
}

/* Standard errors and correlations from σ²(JᵀJ)⁻¹ with J = ∂r/∂x (m × p) at the best point.
 * J's columns are scaled to unit length first (then C = S C' S), so GSL's rank test
 * |R_kk| <= MV_FIT_RANK_TOL·|R_11| compares directions, not units; parameters in a dependent
 * direction (a forward-difference Jacobian is accurate to ~1e-6, so anything within 1e-5 of
 * dependence is) get NaN: not identified. */
static int covariance(const struct mv_fit *f, struct mv_fit_result *r, const double *Jx,
		      struct mv_error *err)
{
	const size_t m = (size_t)f->m, p = (size_t)f->nparams;
	gsl_matrix *J = gsl_matrix_alloc(m, p), *C = gsl_matrix_alloc(p, p);
	double scale[MV_FIT_MAX_PARAMS];

	if (J == NULL || C == NULL) {
		if (J)
			gsl_matrix_free(J);
		return oom(err);
	}
	memcpy(J->data, Jx, m * p * sizeof *Jx);
	for (size_t j = 0; j < p; j++) {
		gsl_vector_view col = gsl_matrix_column(J, j);
		double norm = gsl_blas_dnrm2(&col.vector);
		scale[j] = norm > 0 ? 1 / norm : 1;
		gsl_vector_scale(&col.vector, scale[j]);
	}
	int st = gsl_multifit_nlinear_covar(J, MV_FIT_RANK_TOL, C);
	r->sigma2 = f->m > f->nparams ? r->ssr / (f->m - f->nparams) : NAN;
	r->rank = 0;
	for (size_t j = 0; j < p; j++) {
		double c = gsl_matrix_get(C, j, j) * scale[j] * scale[j];
		r->rank += st == GSL_SUCCESS && c > 0;
		r->se[j] = st == GSL_SUCCESS && c > 0 ? sqrt(r->sigma2 * c) : NAN;
	}
	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j < p; j++) {
			double ci = gsl_matrix_get(C, i, i), cj = gsl_matrix_get(C, j, j);
			r->corr[i * p + j] = st == GSL_SUCCESS && ci > 0 && cj > 0
						     ? (i == j ? 1.0 : gsl_matrix_get(C, i, j) / sqrt(ci * cj))
						     : NAN;
		}
	gsl_matrix_free(J);
	gsl_matrix_free(C);
	return 0;
}

static double rms(double sum2, int n)
{
	return n > 0 ? sqrt(sum2 / n) : NAN;
}

/* RMSEs per observation entry and in all, and the persistence yardstick. */
static void scores(const struct mv_fit *f, struct mv_fit_result *r)
{
	const int n = f->m + f->mh, Q = f->nobs;
	double all_fit = 0, all_hold = 0, all_pers = 0;
	int nall_pers = 0;

	for (int q = 0; q < Q; q++) {
		struct mv_fit_score *s = &r->scores[q];
		double sf = 0, sh = 0, sp = 0, last = NAN, tlast = -INFINITY;
		memset(s, 0, sizeof *s);
		for (int k = 0; k < f->m; k++)
			if (f->points[k].obs == q) {
				double d = r->model[k] - f->points[k].y;
				sf += d * d;
				s->n_fit++;
				if (f->points[k].t > tlast) {
					tlast = f->points[k].t;
					last = f->points[k].y;
				}
			}
		for (int k = f->m; k < n; k++)
			if (f->points[k].obs == q) {
				double d = r->model[k] - f->points[k].y, dp = last - f->points[k].y;
				sh += d * d;
				sp += dp * dp;
				s->n_holdout++;
				all_pers += f->points[k].weight * f->points[k].weight * dp * dp;
				nall_pers += isfinite(dp);
			}
		s->rmse_fit = rms(sf, s->n_fit);
		s->rmse_holdout = rms(sh, s->n_holdout);
		s->rmse_persistence = rms(sp, s->n_holdout);
		s->persistence = last;
	}
	for (int k = 0; k < n; k++) {
		if (k < f->m)
			all_fit += r->resid[k] * r->resid[k];
		else
			all_hold += r->resid[k] * r->resid[k];
	}
	struct mv_fit_score *s = &r->scores[Q];
	s->n_fit = f->m;
	s->n_holdout = f->mh;
	s->rmse_fit = rms(all_fit, f->m);
	s->rmse_holdout = rms(all_hold, f->mh);
	/* A series with no fitted point has no persistence value: then neither has "all". */
	s->rmse_persistence = nall_pers == f->mh ? rms(all_pers, f->mh) : NAN;
	s->persistence = NAN;
}

/* Everything reported at the best point x: J_x and the covariance (p runs), one run through
 * every point for the model values, residuals and scores. */
static int finish(struct engine *E, struct mv_fit_result *r, struct mv_error *err)
{
	const struct mv_fit *f = E->f;
	const int p = f->nparams, n = f->m + f->mh;
	double *Jx = malloc((size_t)(f->m + 1) * (size_t)p * sizeof *Jx);

	if (Jx == NULL)
		return oom(err);
	E->nruns++;
	if (run_at(f, &E->w[0], r->x, f->ntimes, err)) {
		free(Jx);
		return -1;
	}
	residuals(f, &E->w[0], n, r->resid);
	for (int k = 0; k < n; k++)
		r->model[k] = E->w[0].rows[f->points[k].time * f->nobs + f->points[k].obs];
	r->ssr = 0;
	for (int k = 0; k < f->m; k++)
		r->ssr += r->resid[k] * r->resid[k];
	scores(f, r);
	for (int j = 0; j < p; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		double tol = MV_FIT_BOUND_TOL * (pp->max - pp->min);
		r->bound[j] = r->x[j] <= pp->min + tol ? -1 : r->x[j] >= pp->max - tol ? 1 : 0;
	}
	int rc = jacobian_x(E, r->x, r->resid, f->m, Jx, (size_t)p);
	if (rc == 0)
		rc = covariance(f, r, Jx, err);
	else
		*err = E->err;
	free(Jx);
	return rc;
}

int mv_fit_run(const struct mv_fit *f, const struct mv_fit_opts *opts,
	       struct mv_fit_result **res, struct mv_error *err)
{
	struct engine E;
	struct mv_fit_result *r = NULL;
	gsl_multifit_nlinear_workspace *w = NULL;
	gsl_vector *u0 = NULL;
	const int p = f->nparams;
	char at[1024];
	int rc = -1;

	*res = NULL;
	mv_error_clear(err);
	gsl_set_error_handler_off();
	if (engine_init(&E, f, opts ? opts->jobs : 0, err))
		goto out;
	if ((r = result_new(f)) == NULL || (u0 = gsl_vector_alloc((size_t)p)) == NULL) {
		oom(err);
		goto out;
	}
	r->jobs = E.jobs;
	for (int j = 0; j < p; j++)
		gsl_vector_set(u0, (size_t)j, x_to_u(&f->params[j], f->params[j].start));
	vec_to_x(f, u0, r->x);

	/* The start point, evaluated here so that a bad start is reported as such. */
	E.nruns++;
	if (run_at(f, &E.w[0], r->x, f->nfit_times, err))
		goto out;
	residuals(f, &E.w[0], f->m, E.cache_r->data);
	gsl_vector_memcpy(E.cache_u, u0);
	E.cache_ok = 1;
	r->ssr_start = 0;
	for (int k = 0; k < f->m; k++)
		r->ssr_start += E.cache_r->data[k] * E.cache_r->data[k];

	gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
	fp.trs = f->method == MV_FIT_LMACCEL ? gsl_multifit_nlinear_trs_lmaccel
					     : gsl_multifit_nlinear_trs_lm;
	gsl_multifit_nlinear_fdf fdf = {0};
	fdf.f = cb_f;
	fdf.df = cb_df;
	fdf.fvv = NULL; /* lmaccel: GSL differences the directional second derivative itself */
	fdf.n = (size_t)f->m;
	fdf.p = (size_t)p;
	fdf.params = &E;
	if ((w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, (size_t)f->m,
					    (size_t)p)) == NULL) {
		oom(err);
		goto out;
	}
	int st = gsl_multifit_nlinear_init(u0, &fdf, w);
	if (E.fatal) {
		*err = E.err;
		r->status = MV_FIT_FAILED;
		r->reason = "a model run failed";
		goto out;
	}
	if (st != GSL_SUCCESS) {
		mv_error_set(err, MV_EXIT_FAIL, "fit failed: GSL: %s", gsl_strerror(st));
		r->status = MV_FIT_FAILED;
		r->reason = "GSL failed";
		goto out;
	}
	int info = 0, iter = 0;
	do {
		st = gsl_multifit_nlinear_iterate(w);
		if (E.fatal) {
			*err = E.err;
			r->status = MV_FIT_FAILED;
			r->reason = "a model run failed";
			break;
		}
		if (st == GSL_ENOPROG && iter == 0) {
			/* Not a single step lowered the cost: more iterations will not help. */
			r->status = MV_FIT_NOPROGRESS;
			r->reason = "no step lowers the cost";
			break;
		}
		if (st != GSL_SUCCESS && st != GSL_ENOPROG) {
			mv_error_set(err, MV_EXIT_FAIL, "fit failed: GSL: %s", gsl_strerror(st));
			r->status = MV_FIT_FAILED;
			r->reason = "GSL failed";
			break;
		}
		iter++;
		if (opts && opts->progress) {
			double x[MV_FIT_MAX_PARAMS], fn = gsl_blas_dnrm2(w->f);
			vec_to_x(f, w->x, x);
			struct mv_fit_progress pr = {iter, E.nruns, fn * fn, x};
			opts->progress(opts->progress_ctx, &pr);
		}
		st = gsl_multifit_nlinear_test(MV_FIT_XTOL, MV_FIT_GTOL, 0.0, &info, w);
		if (st == GSL_SUCCESS) {
			r->status = MV_FIT_CONVERGED;
			r->reason = info == 1 ? "small step" : "small gradient";
		} else if (st != GSL_CONTINUE) {
			mv_error_set(err, MV_EXIT_FAIL, "fit failed: GSL: %s", gsl_strerror(st));
			r->status = MV_FIT_FAILED;
			r->reason = "GSL failed";
			break;
		} else if (iter >= f->max_iterations) {
			r->status = MV_FIT_MAXITER;
			r->reason = "iteration limit";
		}
	} while (st == GSL_CONTINUE && iter < f->max_iterations);
	r->iterations = iter;
	/* The trust region accepts only steps that lower the cost: w->x is the best point. */
	vec_to_x(f, w->x, r->x);
	if (r->status != MV_FIT_FAILED && finish(&E, r, err))
		r->status = MV_FIT_FAILED;
	if (r->status == MV_FIT_FAILED) {
		/* No scores to show: the message carries the best point instead. */
		double fn = gsl_blas_dnrm2(w->f);
		char msg[MV_ERROR_MAX];
		point_str(f, r->x, at, sizeof at);
		snprintf(msg, sizeof msg, "%s", err->code ? err->msg : "fit failed");
		mv_error_set(err, err->code ? err->code : MV_EXIT_FAIL,
			     "%s (after %d iterations; best SSR so far %.10g at %s)", msg, iter, fn * fn, at);
		goto out;
	}
	if (r->status != MV_FIT_CONVERGED) {
		point_str(f, r->x, at, sizeof at);
		if (r->status == MV_FIT_MAXITER)
			mv_error_set(err, MV_EXIT_FAIL,
				     "fit did not converge within %ld iterations (fit.max_iterations): best SSR %.10g at %s",
				     f->max_iterations, r->ssr, at);
		else
			mv_error_set(err, MV_EXIT_FAIL,
				     "fit made no progress: no step from the start lowers the SSR %.10g at %s",
				     r->ssr, at);
		goto out;
	}
	rc = 0;
out:
	if (r) {
		r->nruns = E.nruns;
		r->nfailed = E.nfailed;
		snprintf(r->first_failure, sizeof r->first_failure, "%s", E.first_failure.msg);
	}
	/* The caller gets the result when every number in it was evaluated. */
	if (r && (rc == 0 || r->status == MV_FIT_MAXITER || r->status == MV_FIT_NOPROGRESS)) {
		*res = r;
		r = NULL;
	}
	mv_fit_result_free(r);
	if (w)
		gsl_multifit_nlinear_free(w);
	if (u0)
		gsl_vector_free(u0);
	engine_free(&E);
	return rc;
}

/* ================================================================ report and fitted file */

static const char *status_name(int status)
{
	static const char *const names[] = {"converged", "not converged", "no progress", "failed"};
	return names[status];
}

static void num(FILE *out, double v)
{
	char buf[40];
	if (isnan(v))
		fputs("nan", out);
	else {
		mv_format_number(v, buf);
		fputs(buf, out);
	}
}

int mv_fit_write_report(const struct mv_fit *f, const struct mv_fit_result *r, FILE *out,
			struct mv_error *err)
{
	const int p = f->nparams, Q = f->nobs;

	fprintf(out, "# mvsim %s fit report\n", MV_VERSION);
	fprintf(out, "# fit\t%s\n# fit_sha256\t%s\n", f->path, f->sha256);
	fprintf(out, "# scenario\t%s\n# scenario_name\t%s\n# scenario_sha256\t%s\n", f->scenario_path,
		f->sc->name, f->sc->sha256);
	fprintf(out, "# method\t%s\n# status\t%s\t%s\n", mv_fit_method_name(f->method),
		status_name(r->status), r->reason ? r->reason : "");
	fprintf(out, "# iterations\t%d\n# max_iterations\t%ld\n# model_runs\t%ld\n", r->iterations,
		f->max_iterations, r->nruns);
	fprintf(out, "# failed_trial_runs\t%ld\t%s\n", r->nfailed, r->first_failure);
	fprintf(out, "# points\t%d fitted\t%d holdout\t%d outside the time range\n", f->m, f->mh,
		f->noutside);
	fprintf(out, "# holdout\t");
	num(out, f->holdout);
	fprintf(out, "\n# ssr_start\t");
	num(out, r->ssr_start);
	fprintf(out, "\n# ssr\t");
	num(out, r->ssr);
	fprintf(out, "\n# sigma2\t");
	num(out, r->sigma2);
	fprintf(out, "\n# dof\t%d\n# rank\t%d\n", f->m - p, r->rank);

	fprintf(out, "# table parameters\nkey\tvalue\tse\tmin\tmax\tstart\tbound\n");
	for (int j = 0; j < p; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		fprintf(out, "%s\t", pp->key);
		num(out, r->x[j]);
		fputc('\t', out);
		num(out, r->se[j]);
		fputc('\t', out);
		num(out, pp->min);
		fputc('\t', out);
		num(out, pp->max);
		fputc('\t', out);
		num(out, pp->start);
		fprintf(out, "\t%s\n", r->bound[j] < 0 ? "min" : r->bound[j] > 0 ? "max" : "-");
	}

	fprintf(out, "\n\n# table correlation\nkey");
	for (int j = 0; j < p; j++)
		fprintf(out, "\t%s", f->params[j].key);
	fputc('\n', out);
	for (int i = 0; i < p; i++) {
		fputs(f->params[i].key, out);
		for (int j = 0; j < p; j++) {
			fputc('\t', out);
			num(out, r->corr[i * p + j]);
		}
		fputc('\n', out);
	}

	fprintf(out, "\n\n# table scores\nseries\tn_fit\trmse_fit\tn_holdout\trmse_holdout\t"
		     "rmse_persistence\tpersistence\n");
	for (int q = 0; q <= Q; q++) {
		const struct mv_fit_score *s = &r->scores[q];
		fprintf(out, "%s\t%d\t", q < Q ? f->obs[q].column : "all", s->n_fit);
		num(out, s->rmse_fit);
		fprintf(out, "\t%d\t", s->n_holdout);
		num(out, s->rmse_holdout);
		fputc('\t', out);
		num(out, s->rmse_persistence);
		fputc('\t', out);
		num(out, s->persistence);
		fputc('\n', out);
	}

	fprintf(out, "\n\n# table residuals\nt\tcolumn\tobserved\tmodel\tweight\tresidual\tset\n");
	for (int k = 0; k < f->m + f->mh; k++) {
		const struct mv_fit_point *pt = &f->points[k];
		num(out, pt->t);
		fprintf(out, "\t%s\t", f->obs[pt->obs].column);
		num(out, pt->y);
		fputc('\t', out);
		num(out, r->model[k]);
		fputc('\t', out);
		num(out, pt->weight);
		fputc('\t', out);
		num(out, r->resid[k]);
		fprintf(out, "\t%s\n", pt->holdout ? "holdout" : "fit");
	}
	if (fflush(out) != 0 || ferror(out))
		return mv_error_set(err, MV_EXIT_FAIL, "report: write failed: %s", strerror(errno));
	return 0;
}

/* The path of file `target` relative to directory `dir` (both resolved), malloc'd; NULL with
 * err set when either cannot be resolved. */
static char *relative_path(const char *target, const char *dir, struct mv_error *err)
{
	char *t = realpath(target, NULL), *d = realpath(dir, NULL), *out = NULL;

	if (t == NULL || d == NULL) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot resolve: %s", t ? dir : target,
			     strerror(errno));
		goto done;
	}
	/* The longest common prefix of whole components: common indexes a '/' or the end of
	 * both; then one "../" per component of d after it. */
	size_t common = 0;
	for (size_t k = 0;; k++) {
		char a = t[k], b = d[k];
		if ((a == '/' || a == '\0') && (b == '/' || b == '\0'))
			common = k;
		if (a != b || a == '\0')
			break;
	}
	int ups = 0;
	for (const char *c = d + common; *c; c++)
		ups += *c == '/' && c[1] != '\0' && c[1] != '/';
	const char *rest = t + common + (t[common] == '/');
	if ((out = malloc(3 * (size_t)ups + strlen(rest) + 1)) == NULL) {
		oom(err);
		goto done;
	}
	out[0] = '\0';
	for (int q = 0; q < ups; q++)
		strcat(out, "../");
	strcat(out, rest);
done:
	free(t);
	free(d);
	return out;
}

/* s as a libconfig string body: backslashes and quotes escaped. */
static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

int mv_fit_write_fitted(const struct mv_fit *f, const struct mv_fit_result *r,
			const char *out_path, FILE *out, struct mv_error *err)
{
	const char *slash = strrchr(out_path, '/');
	char dir[4096];
	char *base;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == out_path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - out_path), out_path);
	if ((base = relative_path(f->scenario_path, dir, err)) == NULL)
		return -1;
	fprintf(out, "# Fitted by mvsim %s fit from %s (sha256 %s):\n", MV_VERSION, f->path, f->sha256);
	fprintf(out, "# %s after %d iterations (%s, %ld model runs); SSR ", status_name(r->status),
		r->iterations, mv_fit_method_name(f->method), r->nruns);
	num(out, r->ssr);
	fprintf(out, " over %d fitted points (RMSE ", f->m);
	num(out, r->scores[f->nobs].rmse_fit);
	fprintf(out, ")");
	if (f->mh) {
		fprintf(out, ", holdout RMSE ");
		num(out, r->scores[f->nobs].rmse_holdout);
		fprintf(out, " (persistence ");
		num(out, r->scores[f->nobs].rmse_persistence);
		fprintf(out, ")");
	}
	fprintf(out, ".\n# Values at full precision (%%.17g): 'mvsim run' of this file reproduces the fit.\n");
	fprintf(out, "base = ");
	put_string(out, base);
	fprintf(out, ";\nname = ");
	char name[600];
	snprintf(name, sizeof name, "%s (fitted)", f->sc->name);
	put_string(out, name);
	fprintf(out, ";\noverrides = (\n");
	for (int j = 0; j < f->nparams; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		fprintf(out, "  { key = ");
		put_string(out, pp->key);
		fprintf(out, "; value = %.17g; }%s  # se ", r->x[j], j + 1 < f->nparams ? "," : " ");
		num(out, r->se[j]);
		fprintf(out, ", bounds [");
		num(out, pp->min);
		fprintf(out, ", ");
		num(out, pp->max);
		fprintf(out, "]%s\n", r->bound[j] < 0 ? ", ON THE LOWER BOUND"
				      : r->bound[j] > 0 ? ", ON THE UPPER BOUND" : "");
	}
	fprintf(out, ");\n");
	free(base);
	if (fflush(out) != 0 || ferror(out))
		return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", out_path, strerror(errno));
	return 0;
}
