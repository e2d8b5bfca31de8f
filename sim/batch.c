/* batch.c — runs many points of one scenario on OpenMP threads; a reorder window with a bounded
 * number of slots delivers results in run order, so output is the same for any thread count. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/noise.h"
#include "mvsim/batch.h"

#include "mvsim/config.h"
#include "mvsim/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define SET_MAX 384 /* bytes of one "KEY=VALUE" of a point (keys are < 200 bytes) */

/* A result slot of the window: run first + i·stride sits in slot i mod window. */
enum { SLOT_FREE = 0, SLOT_RUNNING, SLOT_DONE, SLOT_CUT };

struct slot {
	int state;
	long k;
	uint64_t seed;
	int status;
	double *x;       /* nparams */
	double *metrics; /* nmetrics */
	char reason[MV_ERROR_MAX];
	void *payload;
	struct mv_run_stats stats;
	int cut;         /* interrupted mid-run: never delivered */
};

/* What one thread owns: a scenario that shares everything with the base but its values
 * and its --set list, and the metrics' running state. */
struct worker {
	struct mv_scenario sc;
	double *val;
	char **sets;   /* the base's --set strings, then one per point value */
	char *setbuf;  /* nparams × SET_MAX */
	struct mv_metrics *ms;
	struct mv_run *run; /* created by the worker's first run, reused by the next ones */
	const struct mv_batch_sink *sink;
	void *run_ctx;
	int sink_failed; /* the sink's row hook failed: a batch error, not a failed run */
	struct mv_error sink_err;
};

struct mv_batch {
	const struct mv_scenario *sc;
	const struct mv_keytab *kt;
	struct mv_batch_spec spec;
	int *slots;
	struct mv_metric *metrics;
	struct mv_batch_sink sink;
	int has_sink;
	int jobs;
	int window;
	struct slot *win;
	struct worker *workers;
};

/* ---------------------------------------------------------------- locking */

#ifdef _OPENMP
typedef omp_lock_t lock_t;
static void lock_init(lock_t *l) { omp_init_lock(l); }
static void lock_destroy(lock_t *l) { omp_destroy_lock(l); }
static void lock(lock_t *l) { omp_set_lock(l); }
static void unlock(lock_t *l) { omp_unset_lock(l); }
static int thread_num(void) { return omp_get_thread_num(); }
#else
typedef int lock_t;
static void lock_init(lock_t *l) { *l = 0; }
static void lock_destroy(lock_t *l) { (void)l; }
static void lock(lock_t *l) { (void)l; }
static void unlock(lock_t *l) { (void)l; }
static int thread_num(void) { return 0; }
#endif

int mv_batch_jobs(int jobs)
{
	if (jobs > 0)
		return jobs;
#ifdef _OPENMP
	return omp_get_num_procs();
#else
	return 1;
#endif
}

/* ---------------------------------------------------------------- seeds */

/* The per-run seed is noise.h's: one derivation for sweeps, ensembles and runs. */
uint64_t mv_batch_seed(uint64_t seed, long k)
{
	return mv_noise_run_seed(seed, (uint64_t)k);
}

/* ---------------------------------------------------------------- create, free */

static void worker_free(struct worker *w)
{
	free(w->val);
	free(w->sets);
	free(w->setbuf);
	mv_metrics_free(w->ms);
	mv_run_free(w->run);
}

void mv_batch_free(struct mv_batch *b)
{
	if (b == NULL)
		return;
	if (b->win)
		for (int s = 0; s < b->window; s++) {
			free(b->win[s].x);
			free(b->win[s].metrics);
		}
	if (b->workers)
		for (int j = 0; j < b->jobs; j++)
			worker_free(&b->workers[j]);
	free(b->win);
	free(b->workers);
	free(b->slots);
	free(b->metrics);
	free(b);
}

static int worker_init(struct mv_batch *b, struct worker *w, struct mv_error *err)
{
	const struct mv_scenario *sc = b->sc;
	int np = b->spec.nparams;

	w->sc = *sc; /* shallow: names, events, files, series are shared and only read */
	w->val = malloc((size_t)sc->nval * sizeof *w->val);
	w->sets = malloc((size_t)(sc->nsets + np + 1) * sizeof *w->sets);
	w->setbuf = malloc((size_t)(np > 0 ? np : 1) * SET_MAX);
	if (w->val == NULL || w->sets == NULL || w->setbuf == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	if ((w->ms = mv_metrics_create(b->metrics, b->spec.nmetrics, err)) == NULL)
		return -1;
	for (int k = 0; k < sc->nsets; k++)
		w->sets[k] = sc->sets[k];
	for (int j = 0; j < np; j++)
		w->sets[sc->nsets + j] = w->setbuf + (size_t)j * SET_MAX;
	w->sc.val = w->val;
	w->sc.sets = w->sets;
	w->sc.nsets = sc->nsets + np;
	w->sink = b->has_sink ? &b->sink : NULL;
	return 0;
}

struct mv_batch *mv_batch_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
				 const struct mv_batch_spec *spec, struct mv_error *err)
{
	struct mv_batch *b = calloc(1, sizeof *b);
	int np = spec->nparams, nm = spec->nmetrics;

	if (b == NULL)
		goto oom;
	for (int j = 0; j < np; j++)
		if (spec->slots[j] < 0 || spec->slots[j] >= sc->nval ||
		    kt->by_index[spec->slots[j]] < 0) {
			mv_error_set(err, MV_EXIT_INPUT, "batch: slot %d is not a key of the scenario",
				     spec->slots[j]);
			goto fail;
		}
	if (spec->run_opts.method && mv_integrator_implicit(spec->run_opts.method) < 0) {
		mv_error_set(err, MV_EXIT_INPUT, "unknown integrator '%s'", spec->run_opts.method);
		goto fail;
	}
	b->sc = sc;
	b->kt = kt;
	b->spec = *spec;
	b->jobs = mv_batch_jobs(spec->jobs);
	b->window = spec->window > 0 ? spec->window : MV_BATCH_WINDOW_PER_JOB * b->jobs;
	if (b->window < b->jobs)
		b->window = b->jobs;
	b->slots = malloc((size_t)(np > 0 ? np : 1) * sizeof *b->slots);
	b->metrics = malloc((size_t)(nm > 0 ? nm : 1) * sizeof *b->metrics);
	b->win = calloc((size_t)b->window, sizeof *b->win);
	b->workers = calloc((size_t)b->jobs, sizeof *b->workers);
	if (!b->slots || !b->metrics || !b->win || !b->workers)
		goto oom;
	if (np > 0)
		memcpy(b->slots, spec->slots, (size_t)np * sizeof *b->slots);
	if (nm > 0)
		memcpy(b->metrics, spec->metrics, (size_t)nm * sizeof *b->metrics);
	b->spec.slots = b->slots;
	b->spec.metrics = b->metrics;
	if (spec->sink) {
		b->sink = *spec->sink;
		b->has_sink = 1;
	}
	b->spec.sink = NULL;
	for (int s = 0; s < b->window; s++) {
		b->win[s].x = malloc((size_t)(np > 0 ? np : 1) * sizeof *b->win[s].x);
		b->win[s].metrics = malloc((size_t)(nm > 0 ? nm : 1) * sizeof *b->win[s].metrics);
		if (b->win[s].x == NULL || b->win[s].metrics == NULL)
			goto oom;
	}
	for (int j = 0; j < b->jobs; j++)
		if (worker_init(b, &b->workers[j], err))
			goto fail;
	return b;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
fail:
	mv_batch_free(b);
	return NULL;
}

/* ---------------------------------------------------------------- one run */

/* The run's rows go to the metrics and, when there is one, to the sink. */
static int row_cb(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	struct worker *w = ctx;

	mv_metrics_row(w->ms, row, ncols, err);
	if (w->sink && w->sink->row && w->sink->row(w->run_ctx, row, ncols, err)) {
		w->sink_failed = 1;
		w->sink_err = *err;
		return -1;
	}
	return 0;
}

/* One line: a reason goes into a TSV cell. */
static void set_reason(struct slot *s, const char *prefix, const char *msg)
{
	size_t len = strlen(prefix);
	memcpy(s->reason, prefix, len); /* prefixes are short literals */
	snprintf(s->reason + len, sizeof s->reason - len, "%.*s", (int)(sizeof s->reason - len - 1),
		 msg);
	for (char *c = s->reason; *c; c++)
		if (*c == '\t' || *c == '\n' || *c == '\r')
			*c = ' ';
}

/* Runs the point in slot s on worker w. Returns 0 (the slot holds the run's result, ok or
 * failed), or -1 with err set when a hook failed (a batch error). */
static int run_one(struct mv_batch *b, struct worker *w, struct slot *s, struct mv_error *err)
{
	const struct mv_scenario *base = b->sc;
	const int n = base->nvec, D = base->ndom;
	struct mv_error rerr = {0};
	struct mv_run *run = NULL;
	struct mv_run_opts opts = b->spec.run_opts;
	int ready;
	struct mv_batch_run info = {s->k, s->seed, s->x, &w->sc};
	int rc = 0;

	memcpy(w->val, base->val, (size_t)base->nval * sizeof *w->val);
	for (int j = 0; j < b->spec.nparams; j++) {
		w->val[b->slots[j]] = s->x[j];
		char num[32];
		mv_format_exact(s->x[j], num); /* shortest text that reads back as x[j] */
		snprintf(w->sets[base->nsets + j], SET_MAX, "%s=%s",
			 b->kt->keys[b->kt->by_index[b->slots[j]]].name, num);
	}
	mv_scenario_normalise_shares(&w->sc); /* a sweep's `normalise = true` (config.md §9) */
	memset(&s->stats, 0, sizeof s->stats);
	s->status = MV_RUN_FAILED;
	s->reason[0] = '\0';
	s->payload = NULL;
	s->cut = 0;
	w->run_ctx = NULL;
	w->sink_failed = 0;
	mv_metrics_reset(w->ms);
	if (mv_config_validate(&w->sc, b->kt, &rerr)) {
		set_reason(s, "invalid point: ", rerr.msg);
		goto end;
	}
	/* As mv_config_load does: shares within the tolerance start exactly on the simplex. */
	for (int d = 0; d < D; d++) {
		double sum = 0;
		for (int i = 0; i < n; i++)
			sum += w->val[mv_key_share(n, D, i, d)];
		for (int i = 0; i < n; i++)
			w->val[mv_key_share(n, D, i, d)] /= sum;
	}
	if (w->sink && w->sink->begin &&
	    w->sink->begin(w->sink->ctx, &info, &opts, &w->run_ctx, err))
		return -1;
	/* Noise belongs to the batch (docs/model.md §6): unless the sink brought its own path,
	 * the run draws the point's noise, by mv_noise_active's rule, from generator seed
	 * mv_batch_seed(spec.seed, k), a function of (seed, k) only. */
	if (opts.eps == NULL) {
		opts.noise_seed_set = 1;
		opts.noise_seed = s->seed;
	}
	/* One run object per worker: stepper, control, evolve and buffers are reused. */
	if (w->run)
		ready = mv_run_reuse(w->run, &opts, &rerr) == 0;
	else
		ready = (w->run = mv_run_create(&w->sc, b->kt, &opts, &rerr)) != NULL;
	run = w->run;
	if (!ready) {
		set_reason(s, "", rerr.msg);
	} else if (mv_run_exec(run, row_cb, w, &rerr)) {
		s->stats = *mv_run_stats(run);
		if (w->sink_failed) {
			*err = w->sink_err;
			rc = -1;
		}
		if (rerr.code > MV_EXIT_INPUT)
			s->cut = 1; /* stopped by mv_interrupt (128 + signal): no result at all */
		set_reason(s, "", rerr.msg);
	} else {
		s->stats = *mv_run_stats(run);
		s->status = MV_RUN_OK;
	}
	if (w->sink && w->sink->end &&
	    w->sink->end(w->sink->ctx, &info, w->run_ctx, s->status, &s->payload,
			 rc ? &rerr : err))
		rc = -1;
end:
	if (s->status == MV_RUN_OK)
		mv_metrics_values(w->ms, s->metrics);
	else
		for (int m = 0; m < b->spec.nmetrics; m++)
			s->metrics[m] = NAN;
	return rc;
}

/* ---------------------------------------------------------------- the loop */

/* Shared state of one mv_batch_exec. */
struct exec {
	lock_t lk;
	long first, count, stride;
	long next;      /* next position i to claim */
	long delivered; /* positions [0, delivered) have been delivered */
	int failed;     /* a batch error is set in err */
	int stopped;
	struct mv_error err;
};

static void release(struct mv_batch *b, struct slot *s)
{
	if (s->payload && b->has_sink && b->sink.release)
		b->sink.release(b->sink.ctx, s->payload);
	s->payload = NULL;
	s->state = SLOT_FREE;
}

/* Delivers every completed result that is next in order. Called with the lock held. */
static void deliver(struct mv_batch *b, struct exec *e)
{
	while (e->delivered < e->next) {
		struct slot *s = &b->win[e->delivered % b->window];
		if (s->state != SLOT_DONE)
			return; /* running, or cut: a gap that only a stop can follow */
		if (!e->failed) {
			struct mv_batch_result res = {s->k,      s->seed,   s->x,       s->metrics,
						      s->status, s->reason, s->payload, &s->stats};
			if (b->spec.result(b->spec.result_ctx, &res, &e->err))
				e->failed = 1;
		}
		release(b, s);
		if (e->failed)
			return;
		e->delivered++;
	}
}

static void nap(void)
{
	struct timespec ts = {0, 200000}; /* 0.2 ms: the window is full only behind a slow run */
	nanosleep(&ts, NULL);
}

static void work(struct mv_batch *b, struct exec *e)
{
	struct worker *w = &b->workers[thread_num()];
	struct mv_error err = {0};

	for (;;) {
		lock(&e->lk);
		if (e->failed || e->next >= e->count) {
			unlock(&e->lk);
			return;
		}
		if (e->stopped || mv_interrupt || (b->spec.stop && *b->spec.stop)) {
			e->stopped = 1;
			unlock(&e->lk);
			return;
		}
		if (e->next >= e->delivered + b->window) {
			unlock(&e->lk);
			nap();
			continue;
		}
		long i = e->next;
		struct slot *s = &b->win[i % b->window];
		s->k = e->first + i * e->stride;
		s->seed = mv_batch_seed(b->spec.seed, s->k);
		s->state = SLOT_RUNNING;
		if (b->spec.point(b->spec.point_ctx, s->k, s->x, &e->err)) {
			e->failed = 1;
			s->state = SLOT_FREE;
			unlock(&e->lk);
			return;
		}
		e->next++;
		unlock(&e->lk);

		int rc = run_one(b, w, s, &err);

		lock(&e->lk);
		s->state = s->cut ? SLOT_CUT : SLOT_DONE;
		if (s->cut)
			e->stopped = 1;
		if (rc && !e->failed) {
			e->failed = 1;
			e->err = err;
		}
		deliver(b, e);
		unlock(&e->lk);
	}
}

int mv_batch_exec(struct mv_batch *b, long first, long count, long stride, long *ndone,
		  struct mv_error *err)
{
	struct exec e;

	memset(&e, 0, sizeof e);
	e.first = first;
	e.count = count > 0 ? count : 0;
	e.stride = stride > 0 ? stride : 1;
	lock_init(&e.lk);
	for (int s = 0; s < b->window; s++)
		b->win[s].state = SLOT_FREE;
	int jobs = b->jobs;
	if ((long)jobs > e.count)
		jobs = e.count > 0 ? (int)e.count : 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(jobs)
	work(b, &e);
#else
	(void)jobs;
	work(b, &e);
#endif
	/* Results behind a gap (a stop or an error came first) are discarded. */
	for (int s = 0; s < b->window; s++)
		if (b->win[s].state != SLOT_FREE)
			release(b, &b->win[s]);
	lock_destroy(&e.lk);
	if (ndone)
		*ndone = e.delivered;
	if (e.failed) {
		*err = e.err;
		if (err->code == 0)
			err->code = MV_EXIT_FAIL;
		return -1;
	}
	return e.delivered < e.count ? 1 : 0;
}
