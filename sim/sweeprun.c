/* sweeprun.c — a sweep's runs collected in memory through the batch loop, the way
 * `mvsim sweep` runs them: point k is the sampler's point k mapped by mv_sweep_map, run with
 * the sweep's seed and metrics (docs/model.md §8). */
#include "mvsim/sweeprun.h"

#include "mvsim/batch.h"
#include "mvsim/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mv_sweep_runs_free(struct mv_sweep_runs *r)
{
	if (r == NULL)
		return;
	free(r->x);
	free(r->metrics);
	free(r->failed);
	free(r);
}

struct mv_sweep_points {
	const struct mv_sweep *sw;
	struct mv_sampler *sampler;
	double *u;                       /* the sampler's point in [0, 1)^nparams */
	int slots[MV_SWEEP_MAX_PARAMS];  /* spec.slots */
};

static int point_fn(void *ctx, long k, double *x, struct mv_error *err)
{
	struct mv_sweep_points *p = ctx;

	if (mv_sampler_next(p->sampler, k, p->u))
		return mv_error_set(err, MV_EXIT_FAIL, "sampler: no point %ld", k);
	mv_sweep_map(p->sw, p->u, x);
	return 0;
}

void mv_sweep_points_free(struct mv_sweep_points *p)
{
	if (p == NULL)
		return;
	mv_sampler_free(p->sampler);
	free(p->u);
	free(p);
}

struct mv_sweep_points *mv_sweep_batch_spec(const struct mv_sweep *sw,
					    struct mv_batch_spec *spec, struct mv_error *err)
{
	struct mv_sweep_points *p = calloc(1, sizeof *p);
	int levels[MV_SWEEP_MAX_PARAMS];

	memset(spec, 0, sizeof *spec);
	if (p == NULL || (p->u = malloc((size_t)sw->nparams * sizeof *p->u)) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		mv_sweep_points_free(p);
		return NULL;
	}
	p->sw = sw;
	for (int j = 0; j < sw->nparams; j++) {
		levels[j] = sw->params[j].nlevels;
		p->slots[j] = sw->params[j].slot;
	}
	if ((p->sampler = mv_sampler_create(sw->method, sw->nparams, sw->samples, sw->seed, levels,
					    err)) == NULL) {
		mv_sweep_points_free(p);
		return NULL;
	}
	spec->nparams = sw->nparams;
	spec->slots = p->slots;
	spec->nmetrics = sw->nmetrics;
	spec->metrics = sw->metrics;
	spec->point = point_fn;
	spec->point_ctx = p;
	spec->seed = sw->seed;
	return p;
}

struct collect {
	struct mv_sweep_runs *r;
	mv_sweep_progress_fn progress;
	void *ctx;
	long done;
};

static int on_result(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct collect *c = ctx;
	struct mv_sweep_runs *r = c->r;
	long k = res->k;

	(void)err;
	memcpy(r->x + (size_t)k * (size_t)r->nparams, res->x, (size_t)r->nparams * sizeof *r->x);
	memcpy(r->metrics + (size_t)k * (size_t)r->nmetrics, res->metrics,
	       (size_t)r->nmetrics * sizeof *r->metrics);
	r->failed[k] = res->status != MV_RUN_OK;
	if (r->failed[k] && r->nfailed++ == 0) {
		r->first_failed = k;
		snprintf(r->first_reason, sizeof r->first_reason, "%s", res->reason);
	}
	c->done++;
	if (c->progress)
		c->progress(c->ctx, c->done);
	return 0;
}

int mv_sweep_collect(const struct mv_sweep *sw, int jobs, mv_sweep_progress_fn progress,
		     void *ctx, struct mv_sweep_runs **out, struct mv_error *err)
{
	struct collect c = {NULL, progress, ctx, 0};
	struct mv_sweep_points *points = NULL;
	struct mv_batch *batch = NULL;
	struct mv_batch_spec spec;
	int rc = -1;
	double bytes = (double)sw->nruns * (double)(sw->nparams + sw->nmetrics) * 8.0;

	*out = NULL;
	if (bytes > (double)MV_SWEEPRUN_MAX_BYTES)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: %ld runs of %d parameters and %d metrics take %.0f MB in "
				    "memory, more than the %ld MB allowed: run 'mvsim sweep' into a "
				    "summary and analyse that", sw->path, sw->nruns, sw->nparams,
				    sw->nmetrics, bytes / 1e6, MV_SWEEPRUN_MAX_BYTES / 1000000L);
	if ((c.r = calloc(1, sizeof *c.r)) == NULL)
		goto oom;
	c.r->n = sw->nruns;
	c.r->nparams = sw->nparams;
	c.r->nmetrics = sw->nmetrics;
	c.r->first_failed = -1;
	c.r->x = malloc((size_t)sw->nruns * (size_t)sw->nparams * sizeof *c.r->x);
	c.r->metrics = malloc((size_t)sw->nruns * (size_t)(sw->nmetrics ? sw->nmetrics : 1) *
			      sizeof *c.r->metrics);
	c.r->failed = calloc((size_t)sw->nruns, 1);
	if (c.r->x == NULL || c.r->metrics == NULL || c.r->failed == NULL)
		goto oom;
	/* as `mvsim sweep`: the same points, seeds and metrics, so the same runs */
	if ((points = mv_sweep_batch_spec(sw, &spec, err)) == NULL)
		goto out;
	spec.result = on_result;
	spec.result_ctx = &c;
	spec.jobs = jobs;
	if ((batch = mv_batch_create(sw->sc, &sw->kt, &spec, err)) == NULL)
		goto out;
	long ndone;
	int brc = mv_batch_exec(batch, 0, sw->nruns, 1, &ndone, err);
	if (brc < 0)
		goto out;
	if (brc > 0) {
		if (mv_interrupt)
			mv_error_interrupted(err);
		else
			mv_error_set(err, MV_EXIT_FAIL, "stopped");
		rc = 1;
		goto out;
	}
	*out = c.r;
	c.r = NULL;
	rc = 0;
	goto out;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
out:
	mv_batch_free(batch);
	mv_sweep_points_free(points);
	mv_sweep_runs_free(c.r);
	return rc;
}
