/* test_batch.c — the batch loop (batch.h): results in run order for any number of threads and
 * window, failures reported per run, stopping, interrupts, per-run sinks, seeds. */
#include "testutil.h"

#include "mvsim/batch.h"
#include "mvsim/metrics.h"

#include <signal.h>

/* ================================================================ the batch */

struct collect {
	long n, cap;
	long *k;
	double *m;   /* 2 metrics per result */
	int *status;
	char reason[4][MV_ERROR_MAX];
	long rows_payload;
	long stop_at;
	volatile sig_atomic_t *stop;
	int fail_at;
};

static int collect_cb(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct collect *c = ctx;
	if (c->fail_at >= 0 && res->k == c->fail_at)
		return mv_error_set(err, MV_EXIT_FAIL, "disk full at run %ld", res->k);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->k = realloc(c->k, (size_t)c->cap * sizeof *c->k);
		c->m = realloc(c->m, (size_t)c->cap * 2 * sizeof *c->m);
		c->status = realloc(c->status, (size_t)c->cap * sizeof *c->status);
	}
	c->k[c->n] = res->k;
	c->m[2 * c->n] = res->metrics[0];
	c->m[2 * c->n + 1] = res->metrics[1];
	c->status[c->n] = res->status;
	if (c->n < 4)
		snprintf(c->reason[c->n], MV_ERROR_MAX, "%s", res->reason);
	if (res->payload)
		c->rows_payload += *(long *)res->payload;
	c->n++;
	if (c->stop && res->k == c->stop_at)
		*c->stop = 1;
	return 0;
}

static void collect_free(struct collect *c)
{
	free(c->k);
	free(c->m);
	free(c->status);
}

/* Point k: coercion k/10 and west growth 0.01 + k/1000. */
static int points(void *ctx, long k, double *x, struct mv_error *err)
{
	(void)ctx;
	(void)err;
	x[0] = (double)k / 10;
	x[1] = 0.01 + (double)k / 1000;
	return 0;
}

struct fixture {
	struct mv_scenario *sc;
	struct mv_keytab kt;
	char **cols;
	int ncols;
	int slots[2];
	struct mv_metric metrics[2];
};

static int batch_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct mv_error err = {0};
	f->sc = mv_config_load("tests/data/sweep/russia_pressure.cfg", 0, NULL, &f->kt, &err);
	if (f->sc == NULL)
		return -1;
	f->cols = mv_model_columns(f->sc, &f->ncols, &err);
	f->slots[0] = mv_keytab_find(&f->kt, "vectors.russia.coercion")->index;
	f->slots[1] = mv_keytab_find(&f->kt, "vectors.west.growth")->index;
	if (mv_metric_parse("final:crisis_prob", f->cols, f->ncols, "w", &f->metrics[0], &err) ||
	    mv_metric_parse("min:n_eff", f->cols, f->ncols, "w", &f->metrics[1], &err))
		return -1;
	*state = f;
	return 0;
}

static int batch_teardown(void **state)
{
	struct fixture *f = *state;
	free(f->cols);
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	free(f);
	return 0;
}

static struct mv_batch_spec spec_of(struct fixture *f, struct collect *c, int jobs, int window)
{
	struct mv_batch_spec s = {0};
	s.nparams = 2;
	s.slots = f->slots;
	s.nmetrics = 2;
	s.metrics = f->metrics;
	s.point = points;
	s.result = collect_cb;
	s.result_ctx = c;
	s.jobs = jobs;
	s.window = window;
	s.seed = 5;
	return s;
}

/* Results come in run order and are the same for 1, 2 and 4 threads, with a window of 2
 * (threads wait for the slowest) and the default. */
static void test_batch_order(void **state)
{
	struct fixture *f = *state;
	struct collect ref = {.fail_at = -1};
	struct mv_error err = {0};
	static const int jobs[] = {1, 2, 4, 4, 3};
	static const int windows[] = {0, 2, 2, 0, 5};

	for (size_t v = 0; v < sizeof jobs / sizeof jobs[0]; v++) {
		struct collect c = {.fail_at = -1};
		struct mv_batch_spec s = spec_of(f, &c, jobs[v], windows[v]);
		struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
		long ndone;
		assert_non_null(b);
		assert_int_equal(mv_batch_exec(b, 0, 40, 1, &ndone, &err), 0);
		assert_int_equal(ndone, 40);
		assert_int_equal(c.n, 40);
		for (long i = 0; i < 40; i++) {
			assert_int_equal(c.k[i], i);
			assert_int_equal(c.status[i], MV_RUN_OK);
		}
		/* the same numbers, bit for bit */
		if (v == 0)
			ref = c;
		else {
			assert_memory_equal(c.m, ref.m, 80 * sizeof *c.m);
			collect_free(&c);
		}
		/* exec again on the same batch: strided (a shard), from the middle */
		if (v == 1) {
			struct collect d = {.fail_at = -1};
			s.result_ctx = &d;
			mv_batch_free(b);
			b = mv_batch_create(f->sc, &f->kt, &s, &err);
			assert_int_equal(mv_batch_exec(b, 2, 13, 3, &ndone, &err), 0);
			assert_int_equal(d.n, 13);
			for (long i = 0; i < 13; i++) {
				assert_int_equal(d.k[i], 2 + 3 * i);
				assert_true(d.m[2 * i] == ref.m[2 * (2 + 3 * i)]);
			}
			collect_free(&d);
		}
		mv_batch_free(b);
	}
	/* More coercion, more risk: the model answers the points (not a constant). */
	assert_true(ref.m[2 * 39] > ref.m[0]);
	collect_free(&ref);
	mv_batch_free(NULL);
}

/* A failed run is a result (reason, NaN metrics) and the batch goes on. */
static int bad_points(void *ctx, long k, double *x, struct mv_error *err)
{
	(void)ctx;
	(void)err;
	x[0] = k == 1 ? 0.9 : 0.27; /* russia's economy share: 0.9 breaks the sum */
	x[1] = 0.01;
	return 0;
}

static void test_batch_failures(void **state)
{
	struct fixture *f = *state;
	struct collect c = {.fail_at = -1};
	struct mv_error err = {0};
	struct mv_batch_spec s = spec_of(f, &c, 2, 0);
	int slots[2] = {mv_keytab_find(&f->kt, "vectors.russia.share.economy")->index, f->slots[1]};
	s.slots = slots;
	s.point = bad_points;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 3, 1, NULL, &err), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.status[0], MV_RUN_OK);
	assert_int_equal(c.status[1], MV_RUN_FAILED);
	assert_int_equal(c.status[2], MV_RUN_OK);
	assert_true(isnan(c.m[2]) && isnan(c.m[3]));
	assert_string_equal(c.reason[0], "");
	assert_non_null(strstr(c.reason[1], "invalid point: "));
	assert_non_null(strstr(c.reason[1], "found a sum of 1.63"));
	mv_batch_free(b);
	collect_free(&c);

	/* A numerical failure: a step limit of 5 steps. */
	struct collect d = {.fail_at = -1};
	s = spec_of(f, &d, 1, 0);
	s.run_opts.max_steps = 5;
	b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 2, 1, NULL, &err), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.status[0], MV_RUN_FAILED);
	assert_non_null(strstr(d.reason[0], "run failed at t="));
	assert_non_null(strstr(d.reason[0], "step limit of 5 steps"));
	mv_batch_free(b);
	collect_free(&d);

	/* Bad specs. */
	int bad_slot[2] = {-1, 0};
	s = spec_of(f, &d, 1, 0);
	s.slots = bad_slot;
	assert_null(mv_batch_create(f->sc, &f->kt, &s, &err));
	assert_int_equal(err.code, MV_EXIT_INPUT);
	s = spec_of(f, &d, 1, 0);
	s.run_opts.method = "euler";
	assert_null(mv_batch_create(f->sc, &f->kt, &s, &err));
	assert_string_equal(err.msg, "unknown integrator 'euler'");
}

/* The stop flag ends the batch after the runs in flight: a prefix is delivered. A failing
 * result callback stops it with its error. */
static void test_batch_stop(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	volatile sig_atomic_t stop = 0;
	struct collect c = {.fail_at = -1, .stop = &stop, .stop_at = 10};
	struct mv_batch_spec s = spec_of(f, &c, 2, 0);
	s.stop = &stop;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	long ndone;
	assert_int_equal(mv_batch_exec(b, 0, 200, 1, &ndone, &err), 1);
	assert_int_equal(ndone, c.n);
	assert_true(c.n >= 11 && c.n < 200);
	for (long i = 0; i < c.n; i++)
		assert_int_equal(c.k[i], i);
	mv_batch_free(b);
	collect_free(&c);

	struct collect d = {.fail_at = 7};
	s = spec_of(f, &d, 2, 0);
	b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 30, 1, &ndone, &err), -1);
	assert_string_equal(err.msg, "disk full at run 7");
	assert_int_equal(ndone, 7);
	mv_batch_free(b);
	collect_free(&d);
}

/* A run cut short by mv_interrupt (SIGINT, SIGTERM) is no result: the batch stops there. */
static int interrupt_cb(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	if (res->k == 5)
		mv_interrupt = SIGINT;
	if (res->status != MV_RUN_OK)
		return mv_error_set(err, MV_EXIT_FAIL, "run %ld delivered as failed: %s", res->k,
				    res->reason);
	return collect_cb(ctx, res, err);
}

static void test_batch_interrupt(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	struct collect c = {.fail_at = -1};
	struct mv_batch_spec s = spec_of(f, &c, 2, 0);
	long ndone;
	s.result = interrupt_cb;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	int rc = mv_batch_exec(b, 0, 100, 1, &ndone, &err);
	mv_interrupt = 0;
	if (rc < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(rc, 1);
	assert_true(ndone >= 6 && ndone < 100);
	assert_int_equal(c.n, ndone);
	mv_batch_free(b);
	collect_free(&c);
}

/* A sink sees every row of every run on the worker threads, its payload travels with the
 * result and is released. */
struct sink_state {
	long released;
	long begun;
	int bad_seed;
};

struct run_rows {
	long rows;
};

static int sk_begin(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
		    void **run_ctx, struct mv_error *err)
{
	struct sink_state *s = ctx;
	(void)opts;
	(void)err;
	if (run->seed != mv_batch_seed(5, run->k))
		__atomic_store_n(&s->bad_seed, 1, __ATOMIC_RELAXED);
	/* the private scenario carries the point, also as the last --set */
	if (run->sc->val[mv_key_vec(4, 3, 0, MV_VP_COERCION)] != run->x[0] ||
	    strncmp(run->sc->sets[run->sc->nsets - 1], "vectors.west.growth=", 20) != 0)
		__atomic_store_n(&s->bad_seed, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->begun, 1, __ATOMIC_RELAXED);
	*run_ctx = calloc(1, sizeof(struct run_rows));
	return 0;
}

static int sk_row(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	(void)row;
	(void)ncols;
	(void)err;
	((struct run_rows *)ctx)->rows++;
	return 0;
}

static int sk_end(void *ctx, const struct mv_batch_run *run, void *run_ctx, int status,
		  void **payload, struct mv_error *err)
{
	(void)ctx;
	(void)run;
	(void)status;
	(void)err;
	*payload = run_ctx;
	return 0;
}

static void sk_release(void *ctx, void *payload)
{
	struct sink_state *s = ctx;
	s->released++; /* called under the batch's lock */
	free(payload);
}

static void test_batch_sink(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	struct collect c = {.fail_at = -1};
	struct sink_state st = {0};
	struct mv_batch_sink sink = {sk_begin, sk_row, sk_end, sk_release, &st};
	struct mv_batch_spec s = spec_of(f, &c, 2, 3);
	s.sink = &sink;
	struct mv_batch *b = mv_batch_create(f->sc, &f->kt, &s, &err);
	assert_int_equal(mv_batch_exec(b, 0, 12, 1, NULL, &err), 0);
	assert_int_equal(st.begun, 12);
	assert_int_equal(st.released, 12);
	assert_int_equal(st.bad_seed, 0);
	assert_int_equal(c.rows_payload, 12 * mv_run_nrows(f->sc));
	mv_batch_free(b);
	collect_free(&c);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Per-run seeds: a function of (seed, k) only, distinct over k, < 2^32. */
static void test_batch_seed(void **state)
{
	(void)state;
	enum { N = 20000 };
	uint64_t *s = malloc(N * sizeof *s);
	for (long k = 0; k < N; k++) {
		s[k] = mv_batch_seed(1, k);
		assert_true(s[k] < (1ULL << 32));
		assert_true(s[k] == mv_batch_seed(1, k));
	}
	qsort(s, N, sizeof *s, cmp_u64);
	for (long k = 1; k < N; k++) /* distinct (a bijection in k) */
		assert_true(s[k] != s[k - 1]);
	assert_true(mv_batch_seed(1, 0) != mv_batch_seed(2, 0));
	free(s);
	assert_true(mv_batch_jobs(3) == 3 && mv_batch_jobs(0) >= 1);
}

int main(void)
{
	const struct CMUnitTest batch[] = {
		cmocka_unit_test(test_batch_order), cmocka_unit_test(test_batch_failures),
		cmocka_unit_test(test_batch_stop),  cmocka_unit_test(test_batch_interrupt),
		cmocka_unit_test(test_batch_sink),
		cmocka_unit_test(test_batch_seed),
	};
	return cmocka_run_group_tests_name("batch", batch, batch_setup, batch_teardown);
}
