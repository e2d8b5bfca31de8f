/* sweep.c — sweep files (libconfig → struct mv_sweep, checked against the scenario's keys and
 * columns) and the samplers grid, random, lhs, sobol as a table {name, create, next, free}. */
#define _XOPEN_SOURCE 700 /* strdup */
#include "mvsim/cfgread.h"
#include "mvsim/sweep.h"

#include "mvsim/config.h"
#include "mvsim/model.h"
#include "mvsim/infile.h"

#include <errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOBOL_MAX_POINTS (1L << 30) /* GSL's Sobol generator has 30 bits per coordinate */

/* ================================================================ samplers */

#define FEISTEL_ROUNDS 6

/* A keyed pseudo-random permutation of [0, n): a balanced Feistel network on 2h bits
 * (4^h >= n), applied again until the image falls inside [0, n) (cycle walking). */
struct perm {
	uint64_t n;
	int h;
	uint64_t mask;
	uint64_t key[FEISTEL_ROUNDS];
};

static uint64_t mix64(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t perm_apply(const struct perm *p, uint64_t x)
{
	do {
		uint64_t l = x >> p->h, r = x & p->mask;
		for (int i = 0; i < FEISTEL_ROUNDS; i++) {
			uint64_t f = mix64(r ^ p->key[i]) & p->mask;
			uint64_t t = l ^ f;
			l = r;
			r = t;
		}
		x = (l << p->h) | r;
	} while (x >= p->n);
	return x;
}

struct mv_sampler {
	const struct sampler_type *type;
	int dim;
	long n;        /* points */
	long next_k;   /* the point a sequential generator produces next */
	int *levels;   /* grid: levels per dimension */
	gsl_rng *rng;  /* random, lhs: the generator; rng0 its state at point 0 */
	gsl_rng *rng0;
	gsl_qrng *q;   /* sobol */
	struct perm *perm; /* lhs: one per dimension */
};

/* A method: create sets up s (dim and n are set; on failure free still runs), next fills
 * point k, free releases what create allocated. */
struct sampler_type {
	const char *name;
	int (*create)(struct mv_sampler *s, uint64_t seed, const int *levels, struct mv_error *err);
	void (*next)(struct mv_sampler *s, long k, double *u);
	void (*free)(struct mv_sampler *s);
};

static int oom(struct mv_error *err)
{
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
}

/* Steps a sequential generator to point k: restart when k is behind, skip points ahead. */
static void seek(struct mv_sampler *s, long k, void (*one)(struct mv_sampler *, double *),
		 void (*restart)(struct mv_sampler *), double *u)
{
	if (k < s->next_k) {
		restart(s);
		s->next_k = 0;
	}
	while (s->next_k < k) {
		one(s, u);
		s->next_k++;
	}
	one(s, u);
	s->next_k++;
}

/* ---- grid */

static int grid_create(struct mv_sampler *s, uint64_t seed, const int *levels,
		       struct mv_error *err)
{
	(void)seed;
	if ((s->levels = malloc((size_t)s->dim * sizeof *s->levels)) == NULL)
		return oom(err);
	s->n = 1;
	for (int j = 0; j < s->dim; j++) {
		if (levels == NULL || levels[j] < 1)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "grid: expected at least 1 level in dimension %d", j);
		s->levels[j] = levels[j];
		s->n *= levels[j];
	}
	return 0;
}

static void grid_next(struct mv_sampler *s, long k, double *u)
{
	for (int j = s->dim - 1; j >= 0; j--) {
		long idx = k % s->levels[j];
		k /= s->levels[j];
		u[j] = ((double)idx + 0.5) / s->levels[j];
	}
}

static void grid_free(struct mv_sampler *s)
{
	free(s->levels);
}

/* ---- random */

static int rng_create(struct mv_sampler *s, uint64_t seed, struct mv_error *err)
{
	s->rng = gsl_rng_alloc(gsl_rng_mt19937);
	s->rng0 = gsl_rng_alloc(gsl_rng_mt19937);
	if (s->rng == NULL || s->rng0 == NULL)
		return oom(err);
	gsl_rng_set(s->rng, (unsigned long)seed);
	return 0;
}

static void rng_restart(struct mv_sampler *s)
{
	gsl_rng_memcpy(s->rng, s->rng0);
}

static int random_create(struct mv_sampler *s, uint64_t seed, const int *levels,
			 struct mv_error *err)
{
	(void)levels;
	if (rng_create(s, seed, err))
		return -1;
	gsl_rng_memcpy(s->rng0, s->rng);
	return 0;
}

static void random_one(struct mv_sampler *s, double *u)
{
	for (int j = 0; j < s->dim; j++)
		u[j] = gsl_rng_uniform(s->rng);
}

static void random_next(struct mv_sampler *s, long k, double *u)
{
	seek(s, k, random_one, rng_restart, u);
}

static void rng_free(struct mv_sampler *s)
{
	if (s->rng)
		gsl_rng_free(s->rng);
	if (s->rng0)
		gsl_rng_free(s->rng0);
}

/* ---- lhs */

static int lhs_create(struct mv_sampler *s, uint64_t seed, const int *levels,
		      struct mv_error *err)
{
	(void)levels;
	if (rng_create(s, seed, err))
		return -1;
	if ((s->perm = calloc((size_t)s->dim, sizeof *s->perm)) == NULL)
		return oom(err);
	for (int j = 0; j < s->dim; j++) {
		struct perm *p = &s->perm[j];
		p->n = (uint64_t)s->n;
		while ((1ULL << (2 * p->h)) < p->n)
			p->h++;
		p->mask = (1ULL << p->h) - 1;
		for (int r = 0; r < FEISTEL_ROUNDS; r++)
			p->key[r] = ((uint64_t)gsl_rng_get(s->rng) << 32) | gsl_rng_get(s->rng);
	}
	/* The jitter stream starts after the keys. */
	gsl_rng_memcpy(s->rng0, s->rng);
	return 0;
}

static void lhs_one(struct mv_sampler *s, double *u)
{
	for (int j = 0; j < s->dim; j++) {
		double jitter = gsl_rng_uniform(s->rng);
		uint64_t stratum = perm_apply(&s->perm[j], (uint64_t)s->next_k);
		u[j] = ((double)stratum + jitter) / (double)s->n;
		if (u[j] >= 1.0) /* rounding, for n beyond 2^32 / DBL_EPSILON-ish */
			u[j] = nextafter(1.0, 0.0);
	}
}

static void lhs_next(struct mv_sampler *s, long k, double *u)
{
	seek(s, k, lhs_one, rng_restart, u);
}

static void lhs_free(struct mv_sampler *s)
{
	rng_free(s);
	free(s->perm);
}

/* ---- sobol */

static int sobol_create(struct mv_sampler *s, uint64_t seed, const int *levels,
			struct mv_error *err)
{
	(void)seed;
	(void)levels;
	if (s->dim > MV_SOBOL_MAX_DIM)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "sobol: expected at most %d dimensions (GSL's Sobol sequence), found %d",
				    MV_SOBOL_MAX_DIM, s->dim);
	if (s->n > SOBOL_MAX_POINTS)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "sobol: expected at most %ld points (GSL's Sobol sequence), found %ld",
				    SOBOL_MAX_POINTS, s->n);
	if ((s->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)s->dim)) == NULL)
		return oom(err);
	return 0;
}

static void sobol_one(struct mv_sampler *s, double *u)
{
	gsl_qrng_get(s->q, u);
}

static void sobol_restart(struct mv_sampler *s)
{
	gsl_qrng_init(s->q);
}

static void sobol_next(struct mv_sampler *s, long k, double *u)
{
	seek(s, k, sobol_one, sobol_restart, u);
}

static void sobol_free(struct mv_sampler *s)
{
	if (s->q)
		gsl_qrng_free(s->q);
}

static const struct sampler_type samplers[] = {
	{"grid", grid_create, grid_next, grid_free},
	{"random", random_create, random_next, rng_free},
	{"lhs", lhs_create, lhs_next, lhs_free},
	{"sobol", sobol_create, sobol_next, sobol_free},
};
#define NSAMPLERS (int)(sizeof samplers / sizeof samplers[0])

const char *const mv_sweep_methods[] = {"grid", "random", "lhs", "sobol", NULL};

static const struct sampler_type *find_sampler(const char *name)
{
	for (int k = 0; k < NSAMPLERS; k++)
		if (strcmp(samplers[k].name, name) == 0)
			return &samplers[k];
	return NULL;
}

void mv_sampler_free(struct mv_sampler *s)
{
	if (s == NULL)
		return;
	if (s->type)
		s->type->free(s);
	free(s);
}

struct mv_sampler *mv_sampler_create(const char *method, int dim, long n, uint64_t seed,
				     const int *levels, struct mv_error *err)
{
	const struct sampler_type *type = find_sampler(method);
	struct mv_sampler *s;

	if (type == NULL) {
		mv_error_set(err, MV_EXIT_INPUT,
			     "expected a method of grid, random, lhs, sobol, found '%s'", method);
		return NULL;
	}
	if (dim < 1 || (strcmp(method, "grid") != 0 && n < 1)) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: expected dim >= 1 and n >= 1, found %d and %ld",
			     method, dim, n);
		return NULL;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		oom(err);
		return NULL;
	}
	s->dim = dim;
	s->n = n;
	if (type->create(s, seed, levels, err)) {
		type->free(s);
		free(s);
		return NULL;
	}
	s->type = type;
	return s;
}

int mv_sampler_next(struct mv_sampler *s, long k, double *u)
{
	if (k < 0 || k >= s->n)
		return -1;
	s->type->next(s, k, u);
	return 0;
}

void mv_sweep_map(const struct mv_sweep *sw, const double *u, double *x)
{
	for (int j = 0; j < sw->nparams; j++) {
		const struct mv_sweep_param *p = &sw->params[j];
		if (p->nlevels == 0) {
			x[j] = p->max > p->min ? p->min + u[j] * (p->max - p->min) : p->min;
			continue;
		}
		long idx = (long)(u[j] * p->nlevels);
		if (idx >= p->nlevels)
			idx = p->nlevels - 1;
		if (idx < 0)
			idx = 0;
		x[j] = p->levels[idx];
	}
}

/* ================================================================ sweep files */

/* The loader kit (cfgread.h) names the sweep file in messages. */
struct loader {
	struct mv_cfg_ctx c; /* the sweep file and the error */
	struct mv_sweep *sw;
	unsigned flags; /* MV_SWEEP_* */
};

static int read_method(struct loader *L, const config_setting_t *g)
{
	const config_setting_t *m = config_setting_get_member(g, "method");
	const char *expected = "one of grid, random, lhs, sobol", *name;

	if (mv_cfg_get_string(&L->c, g, "sweep", "method", expected, &name))
		return -1;
	for (int k = 0; k < NSAMPLERS; k++)
		if (strcmp(samplers[k].name, name) == 0) {
			L->sw->method = samplers[k].name;
			return 0;
		}
	char found[96];
	snprintf(found, sizeof found, "\"%.60s\"", name);
	return mv_cfg_fail(&L->c, m, "sweep.method", expected, found);
}

static int read_param(struct loader *L, const config_setting_t *g, int j)
{
	static const char *const param_keys[] = {"key", "min", "max", "steps", "values",
						 "normalise", NULL};
	struct mv_sweep *sw = L->sw;
	struct mv_sweep_param *p = &sw->params[j];
	char path[64], sub[96], found[900];

	snprintf(path, sizeof path, "sweep.parameters[%d]", j);
	p->line = config_setting_source_line(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return mv_cfg_fail_type(&L->c, g, path,
					"a group { key = \"...\"; min = ...; max = ...; }");
	if (mv_cfg_check_known(g, L->c.file, path, param_keys, L->c.err))
		return -1;

	snprintf(sub, sizeof sub, "%s.key", path);
	const config_setting_t *ks = config_setting_get_member(g, "key");
	const char *kexp = "a key of the scenario (mvsim keys SCENARIO lists them)", *name;
	if (mv_cfg_get_string(&L->c, g, path, "key", kexp, &name))
		return -1;
	const struct mv_key *key = mv_keytab_find(&sw->kt, name);
	if (key == NULL) {
		char hint[700];
		mv_keytab_hint(&sw->kt, name, hint, sizeof hint);
		snprintf(found, sizeof found, "unknown key '%.100s'%s", name, hint);
		return mv_cfg_fail(&L->c, ks, sub, kexp, found);
	}
	for (int q = 0; q < j; q++)
		if (sw->params[q].slot == key->index) {
			snprintf(found, sizeof found, "'%.100s' again (parameter %d)", name, q);
			return mv_cfg_fail(&L->c, ks, sub, "a key not swept already", found);
		}
	if ((p->key = strdup(name)) == NULL)
		return oom(L->c.err);
	p->slot = key->index;
	const config_setting_t *sn = config_setting_get_member(g, "normalise");
	if (sn) {
		snprintf(sub, sizeof sub, "%s.normalise", path);
		if (config_setting_type(sn) != CONFIG_TYPE_BOOL)
			return mv_cfg_fail_type(&L->c, sn, sub, "a boolean (true or false)");
		p->normalise = config_setting_get_bool(sn);
		if (p->normalise && key->kind != MV_KEY_SHARE) {
			snprintf(found, sizeof found, "normalise on '%.100s'", name);
			return mv_cfg_fail(&L->c, sn, sub,
					   "normalise only on an initial share (vectors.<v>.share.<d>)",
					   found);
		}
	}

	const config_setting_t *smin = config_setting_get_member(g, "min");
	const config_setting_t *smax = config_setting_get_member(g, "max");
	const config_setting_t *ssteps = config_setting_get_member(g, "steps");
	const config_setting_t *svalues = config_setting_get_member(g, "values");
	const char *shape = "min and max (and optionally steps), or values";

	if (svalues && (smin || smax || ssteps)) {
		snprintf(found, sizeof found, "values together with %s",
			 smin ? "min" : smax ? "max" : "steps");
		return mv_cfg_fail(&L->c, g, path, shape, found);
	}
	if (svalues) {
		snprintf(sub, sizeof sub, "%s.values", path);
		int t = config_setting_type(svalues), len = config_setting_length(svalues);
		char expected[96];
		snprintf(expected, sizeof expected, "an array of 1 to %d numbers",
			 MV_SWEEP_MAX_LEVELS);
		if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || len < 1 ||
		    len > MV_SWEEP_MAX_LEVELS)
			return mv_cfg_fail_type(&L->c, svalues, sub, expected);
		if ((p->levels = malloc((size_t)len * sizeof *p->levels)) == NULL)
			return oom(L->c.err);
		p->nlevels = len;
		for (int k = 0; k < len; k++) {
			const config_setting_t *e = config_setting_get_elem(svalues, (unsigned)k);
			char el[128];
			snprintf(el, sizeof el, "%s[%d]", sub, k);
			if (mv_cfg_get_number(&L->c, e, el, &p->levels[k]) ||
			    mv_cfg_check_rule(&L->c, e, el, key, p->levels[k]))
				return -1;
			if (k == 0 || p->levels[k] < p->min)
				p->min = p->levels[k];
			if (k == 0 || p->levels[k] > p->max)
				p->max = p->levels[k];
		}
		return 0;
	}
	if (smin == NULL || smax == NULL) {
		snprintf(found, sizeof found, "%s", smin ? "min without max" : smax ? "max without min"
						    : ssteps ? "steps without min and max" : "none of them");
		return mv_cfg_fail(&L->c, g, path, shape, found);
	}
	if (mv_cfg_get_bounds(&L->c, g, path, key, &p->min, &p->max))
		return -1;
	if (p->min > p->max) {
		char lo[32], hi[32];
		snprintf(lo, sizeof lo, "%.10g", p->min);
		snprintf(hi, sizeof hi, "%.10g", p->max);
		snprintf(found, sizeof found, "min %s > max %s", lo, hi);
		return mv_cfg_fail(&L->c, smax, path, "min <= max", found);
	}
	if (ssteps) {
		long steps;
		snprintf(sub, sizeof sub, "%s.steps", path);
		if (mv_cfg_get_integer(&L->c, ssteps, sub, 1, MV_SWEEP_MAX_LEVELS, &steps))
			return -1;
		if ((p->levels = malloc((size_t)steps * sizeof *p->levels)) == NULL)
			return oom(L->c.err);
		p->nlevels = (int)steps;
		for (long k = 0; k < steps; k++)
			p->levels[k] = steps == 1 ? p->min
				     : k == steps - 1 ? p->max
				     : p->min + (double)k * (p->max - p->min) / (double)(steps - 1);
		return 0;
	}
	if (key->rule == MV_RULE_SEED)
		return mv_cfg_fail(&L->c, g, path, "steps or values for a seed (an integer)",
				   "a continuous range");
	return 0;
}

static int read_params(struct loader *L, const config_setting_t *g)
{
	struct mv_sweep *sw = L->sw;
	const config_setting_t *list = config_setting_get_member(g, "parameters");
	char expected[128];

	snprintf(expected, sizeof expected, "a list ( { key = \"...\"; ... }, ... ) of 1 to %d parameters",
		 MV_SWEEP_MAX_PARAMS);
	if (list == NULL)
		return mv_cfg_fail(&L->c, g, "sweep.parameters", expected, "nothing (required)");
	int len = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST || len < 1 || len > MV_SWEEP_MAX_PARAMS)
		return mv_cfg_fail_type(&L->c, list, "sweep.parameters", expected);
	if ((sw->params = calloc((size_t)len, sizeof *sw->params)) == NULL)
		return oom(L->c.err);
	for (int j = 0; j < len; j++) {
		sw->nparams = j + 1;
		if (read_param(L, config_setting_get_elem(list, (unsigned)j), j))
			return -1;
	}
	return 0;
}

/* Number of runs: the grid's points, or `samples`, within max_runs. */
static int read_runs(struct loader *L, const config_setting_t *g)
{
	struct mv_sweep *sw = L->sw;
	const config_setting_t *list = config_setting_get_member(g, "parameters");
	const config_setting_t *ss = config_setting_get_member(g, "samples");
	char expected[160], found[1024];

	if (strcmp(sw->method, "grid") == 0) {
		if (ss) {
			snprintf(found, sizeof found, "samples = %.10g",
				 mv_cfg_is_number(ss) ? mv_cfg_number(ss) : NAN);
			return mv_cfg_fail(&L->c, ss, "sweep.samples",
					   "no samples with method grid (it runs every combination "
					   "of the parameters' steps or values)",
					   found);
		}
		double points = 1;
		size_t used = 0;
		for (int j = 0; j < sw->nparams; j++) {
			const struct mv_sweep_param *p = &sw->params[j];
			char path[64];
			snprintf(path, sizeof path, "sweep.parameters[%d]", j);
			if (p->nlevels == 0)
				return mv_cfg_fail(&L->c, config_setting_get_elem(list, (unsigned)j),
						   path, "steps or values with method grid",
						   "only min and max");
			points *= p->nlevels;
			if (used < sizeof found - 64)
				used += (size_t)snprintf(found + used, sizeof found - used, "%s%d",
							 j ? " x " : "", p->nlevels);
		}
		if (points > (double)sw->max_runs) {
			snprintf(found + used, sizeof found - used, " = %.10g points", points);
			snprintf(expected, sizeof expected,
				 "a grid of at most %ld points (sweep.max_runs)", sw->max_runs);
			return mv_cfg_fail(&L->c, list, "sweep.parameters", expected, found);
		}
		sw->samples = sw->nruns = (long)points;
		return 0;
	}
	if (ss == NULL) {
		snprintf(found, sizeof found, "nothing (required with method %s)", sw->method);
		return mv_cfg_fail(&L->c, g, "sweep.samples", "an integer >= 1", found);
	}
	long n;
	if (mv_cfg_get_integer(&L->c, ss, "sweep.samples", 1, 1e18, &n))
		return -1;
	if (n > sw->max_runs) {
		snprintf(expected, sizeof expected, "at most %ld samples (sweep.max_runs)",
			 sw->max_runs);
		snprintf(found, sizeof found, "%ld", n);
		return mv_cfg_fail(&L->c, ss, "sweep.samples", expected, found);
	}
	if (strcmp(sw->method, "sobol") == 0) {
		if (sw->nparams > MV_SOBOL_MAX_DIM) {
			snprintf(expected, sizeof expected,
				 "at most %d parameters with method sobol (GSL's Sobol sequence)",
				 MV_SOBOL_MAX_DIM);
			snprintf(found, sizeof found, "%d", sw->nparams);
			return mv_cfg_fail(&L->c, list, "sweep.parameters", expected, found);
		}
		if (n > SOBOL_MAX_POINTS) {
			snprintf(expected, sizeof expected,
				 "at most %ld samples with method sobol (GSL's Sobol sequence)",
				 SOBOL_MAX_POINTS);
			snprintf(found, sizeof found, "%ld", n);
			return mv_cfg_fail(&L->c, ss, "sweep.samples", expected, found);
		}
	}
	sw->samples = sw->nruns = n;
	return 0;
}

/* Adds metric text spec (parsed, at where) unless listed; *index receives its position.
 * dup_ok: a repeat is no error (a check on a listed metric). */
static int add_metric(struct loader *L, const char *spec, const char *where,
		      const config_setting_t *s, const char *path, int dup_ok, int *index)
{
	struct mv_sweep *sw = L->sw;
	struct mv_metric m;
	char name[MV_METRIC_MAX_NAME];

	if (mv_metric_parse(spec, sw->columns, sw->ncols, where, &m, L->c.err))
		return -1;
	mv_metric_format(&m, sw->columns, name, sizeof name);
	for (int k = 0; k < sw->nmetrics; k++)
		if (strcmp(sw->metric_names[k], name) == 0) {
			if (dup_ok) {
				*index = k;
				return 0;
			}
			char found[MV_METRIC_MAX_NAME + 32];
			snprintf(found, sizeof found, "'%s' again", name);
			return mv_cfg_fail(&L->c, s, path, "a metric not listed before", found);
		}
	if (sw->nmetrics == MV_SWEEP_MAX_METRICS) {
		char expected[64];
		snprintf(expected, sizeof expected, "at most %d metrics", MV_SWEEP_MAX_METRICS);
		return mv_cfg_fail(&L->c, s, path, expected, "more");
	}
	if ((sw->metric_names[sw->nmetrics] = strdup(name)) == NULL)
		return oom(L->c.err);
	sw->metrics[sw->nmetrics] = m;
	*index = sw->nmetrics++;
	return 0;
}

static int read_metrics(struct loader *L, const config_setting_t *g)
{
	struct mv_sweep *sw = L->sw;
	const config_setting_t *list = config_setting_get_member(g, "metrics");
	const char *expected = "an array of metric strings [ \"REDUCER:COLUMN\", ... ]";

	sw->metrics = calloc(MV_SWEEP_MAX_METRICS, sizeof *sw->metrics);
	sw->metric_names = calloc(MV_SWEEP_MAX_METRICS, sizeof *sw->metric_names);
	if (sw->metrics == NULL || sw->metric_names == NULL)
		return oom(L->c.err);
	if (list == NULL)
		return 0;
	int t = config_setting_type(list);
	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return mv_cfg_fail_type(&L->c, list, "sweep.metrics", expected);
	for (int k = 0; k < config_setting_length(list); k++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)k);
		char path[64], where[600];
		int index;
		snprintf(path, sizeof path, "sweep.metrics[%d]", k);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return mv_cfg_fail_type(&L->c, e, path,
						"a metric string \"REDUCER:COLUMN\"");
		snprintf(where, sizeof where, "%s:%d: setting '%s'", L->c.file,
			 config_setting_source_line(e), path);
		if (add_metric(L, config_setting_get_string(e), where, e, path, 0, &index))
			return -1;
	}
	return 0;
}

static int read_checks(struct loader *L, const config_setting_t *g)
{
	static const char *const check_keys[] = {"metric", "min", "max", NULL};
	struct mv_sweep *sw = L->sw;
	const config_setting_t *list = config_setting_get_member(g, "checks");
	const char *expected = "a list ( { metric = \"...\"; min = ...; max = ...; }, ... )";

	if (list == NULL)
		return 0;
	int len = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return mv_cfg_fail_type(&L->c, list, "sweep.checks", expected);
	if ((sw->checks = calloc((size_t)(len > 0 ? len : 1), sizeof *sw->checks)) == NULL)
		return oom(L->c.err);
	for (int k = 0; k < len; k++) {
		const config_setting_t *c = config_setting_get_elem(list, (unsigned)k);
		struct mv_check *ck = &sw->checks[k];
		char path[64], sub[80], where[600];
		snprintf(path, sizeof path, "sweep.checks[%d]", k);
		if (config_setting_type(c) != CONFIG_TYPE_GROUP)
			return mv_cfg_fail_type(&L->c, c, path, "a group { metric = \"...\"; "
						"min = ...; max = ...; }");
		if (mv_cfg_check_known(c, L->c.file, path, check_keys, L->c.err))
			return -1;
		snprintf(sub, sizeof sub, "%s.metric", path);
		const config_setting_t *m = config_setting_get_member(c, "metric");
		const char *spec;
		if (mv_cfg_get_string(&L->c, c, path, "metric",
				      "a metric string \"REDUCER:COLUMN\"", &spec))
			return -1;
		snprintf(where, sizeof where, "%s:%d: setting '%s'", L->c.file,
			 config_setting_source_line(m), sub);
		if (add_metric(L, spec, where, m, sub, 1, &ck->metric))
			return -1;
		const config_setting_t *smin = config_setting_get_member(c, "min");
		const config_setting_t *smax = config_setting_get_member(c, "max");
		ck->min = -INFINITY;
		ck->max = INFINITY;
		if (smin == NULL && smax == NULL)
			return mv_cfg_fail(&L->c, c, path, "min, max or both", "neither");
		snprintf(sub, sizeof sub, "%s.min", path);
		if (smin && mv_cfg_get_number(&L->c, smin, sub, &ck->min))
			return -1;
		snprintf(sub, sizeof sub, "%s.max", path);
		if (smax && mv_cfg_get_number(&L->c, smax, sub, &ck->max))
			return -1;
		if (ck->min > ck->max) {
			char found[96];
			snprintf(found, sizeof found, "min %.10g > max %.10g", ck->min, ck->max);
			return mv_cfg_fail(&L->c, smax, path, "min <= max", found);
		}
		sw->nchecks = k + 1;
	}
	return 0;
}

static int read_sweep(struct loader *L, const config_setting_t *root)
{
	static const char *const sweep_keys[] = {"method", "samples", "seed", "max_runs",
						 "parameters", "metrics", "checks", NULL};
	struct mv_sweep *sw = L->sw;
	const config_setting_t *g = config_setting_get_member(root, "sweep");
	const config_setting_t *s;
	const char *shape = "a group { method = ...; parameters = ...; }";

	if (g == NULL)
		return mv_cfg_fail(&L->c, root, "sweep", shape, "nothing (required)");
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return mv_cfg_fail_type(&L->c, g, "sweep", shape);
	int design = !(L->flags & MV_SWEEP_DESIGN_UNUSED) ||
		     config_setting_get_member(g, "method") != NULL;
	if (mv_cfg_check_known(g, L->c.file, "sweep", sweep_keys, L->c.err) ||
	    (design && read_method(L, g)))
		return -1;
	sw->max_runs = MV_SWEEP_MAX_RUNS;
	sw->seed = 1;
	if ((s = config_setting_get_member(g, "max_runs")) &&
	    mv_cfg_get_integer(&L->c, s, "sweep.max_runs", 1, 1e15, &sw->max_runs))
		return -1;
	if ((s = config_setting_get_member(g, "seed"))) {
		long seed;
		if (mv_cfg_get_integer(&L->c, s, "sweep.seed", 0, 4294967295.0, &seed))
			return -1;
		sw->seed = (uint64_t)seed;
	}
	/* without a method (a sensitivity file: its analysis has its own design), no samples */
	if (read_params(L, g) || (design && read_runs(L, g)) || read_metrics(L, g) ||
	    read_checks(L, g))
		return -1;
	return 0;
}

/* A --set on a swept key would be recorded and then overridden by every point: refused. The
 * swept keys' values then come from the sweep (MV_SRC_SWEEP), so that an invalid point is
 * blamed on the sweep's parameter, not on the scenario's line. */
static int mark_swept(struct loader *L)
{
	struct mv_sweep *sw = L->sw;
	struct mv_scenario *sc = sw->sc;

	for (int j = 0; j < sw->nparams; j++) {
		struct mv_src src = sc->src[sw->params[j].slot];
		if (src.kind == MV_SRC_SET)
			return mv_error_set(L->c.err, MV_EXIT_INPUT,
					    "--set '%s': expected a key the sweep does not vary, found '%s' (swept by %s:%d, which would override it)",
					    sc->sets[src.arg], sw->params[j].key, L->c.file,
					    sw->params[j].line);
	}
	free(sc->sweep_file);
	if ((sc->sweep_file = strdup(L->c.file)) == NULL)
		return oom(L->c.err);
	for (int j = 0; j < sw->nparams; j++)
		sc->src[sw->params[j].slot] =
			(struct mv_src){MV_SRC_SWEEP, -1, sw->params[j].line, j};
	/* normalise: the domain's other shares follow (mv_scenario_normalise_shares); one of
	 * them at least must be left to follow */
	sc->normalise_domains = 0;
	for (int j = 0; j < sw->nparams; j++) {
		if (!sw->params[j].normalise)
			continue;
		int d = (sw->params[j].slot - mv_key_share(sc->nvec, sc->ndom, 0, 0)) %
			(mv_key_share(sc->nvec, sc->ndom, 1, 0) - mv_key_share(sc->nvec, sc->ndom, 0, 0));
		int free_left = 0;
		for (int i = 0; i < sc->nvec; i++)
			free_left |= sc->src[mv_key_share(sc->nvec, sc->ndom, i, d)].kind != MV_SRC_SWEEP;
		if (!free_left)
			return mv_error_set(L->c.err, MV_EXIT_INPUT,
					    "%s:%d: setting 'sweep.parameters[%d].normalise': expected a share of domain %s that the sweep does not vary (to rescale), found every one swept",
					    L->c.file, sw->params[j].line, j, sc->dom_id[d]);
		sc->normalise_domains |= 1u << d;
	}
	return 0;
}

void mv_sweep_free(struct mv_sweep *sw)
{
	if (sw == NULL)
		return;
	free(sw->path);
	free(sw->scenario_path);
	mv_keytab_free(&sw->kt);
	mv_scenario_free(sw->sc);
	free(sw->columns);
	for (int j = 0; j < sw->nparams; j++) {
		free(sw->params[j].key);
		free(sw->params[j].levels);
	}
	free(sw->params);
	if (sw->metric_names)
		for (int k = 0; k < sw->nmetrics; k++)
			free(sw->metric_names[k]);
	free(sw->metric_names);
	free(sw->metrics);
	free(sw->checks);
	free(sw);
}

struct mv_sweep *mv_sweep_load(const char *path, int nsets, char *const *sets,
			       struct mv_error *err)
{
	return mv_sweep_load_opts(path, nsets, sets, 0, err);
}

struct mv_sweep *mv_sweep_load_opts(const char *path, int nsets, char *const *sets,
				    unsigned flags, struct mv_error *err)
{
	struct mv_sweep *sw = calloc(1, sizeof *sw);
	struct loader L = {{path, err}, sw, flags};
	config_t cfg;
	int have_cfg = 0;

	mv_error_clear(err);
	if (sw == NULL || (sw->path = strdup(path)) == NULL) {
		oom(err);
		goto fail;
	}
	struct mv_infile in;
	if (mv_cfg_read_file(&cfg, path, "sweep file", &in, err))
		goto fail;
	memcpy(sw->sha256, in.sha256, sizeof sw->sha256); /* read and hashed once */
	mv_infile_free(&in);
	have_cfg = 1;
	static const char *const top_keys[] = {"scenario", "sweep", NULL};
	const config_setting_t *root = config_root_setting(&cfg);
	if (mv_cfg_check_known(root, path, "", top_keys, err))
		goto fail;
	const char *name;
	if (mv_cfg_get_string(&L.c, root, "", "scenario",
			      "a scenario file name (relative to the sweep file)", &name))
		goto fail;
	if ((sw->scenario_path = mv_cfg_join_dir(path, name)) == NULL) {
		oom(err);
		goto fail;
	}
	if ((sw->sc = mv_config_load(sw->scenario_path, nsets, sets, &sw->kt, err)) == NULL ||
	    (sw->columns = mv_model_columns(sw->sc, &sw->ncols, err)) == NULL)
		goto fail;
	if (read_sweep(&L, root) || mark_swept(&L))
		goto fail;
	config_destroy(&cfg);
	have_cfg = 0;
	return sw;
fail:
	if (have_cfg)
		config_destroy(&cfg);
	mv_sweep_free(sw);
	return NULL;
}
