/* bench.c — `make bench`: the speed of a baseline run, with and without output, against the
 * pure cost of its right-hand-side evaluations, and per stepper. Prints a table; asserts
 * nothing (timings never decide a test). */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/model.h"
#include "mvsim/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per call of fn(ctx), the best of 5 batches each lasting >= 0.2 s. */
static double best_time(void (*fn)(void *), void *ctx)
{
	double best = 1e30;
	long reps = 1;

	for (;;) { /* size a batch */
		double t0 = now();
		for (long k = 0; k < reps; k++)
			fn(ctx);
		if (now() - t0 > 0.2)
			break;
		reps *= 2;
	}
	for (int b = 0; b < 5; b++) {
		double t0 = now();
		for (long k = 0; k < reps; k++)
			fn(ctx);
		double per = (now() - t0) / (double)reps;
		if (per < best)
			best = per;
	}
	return best;
}

struct job {
	struct mv_run *run;
	struct mv_writer *w;
	struct mv_model *m;
	double *y, *dy;
};

static void run_noout(void *p)
{
	struct job *j = p;
	struct mv_error err;
	if (mv_run_exec(j->run, NULL, NULL, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
}

static void run_devnull(void *p)
{
	struct job *j = p;
	struct mv_error err;
	if (mv_run_exec(j->run, mv_writer_row_cb, j->w, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
}

static void rhs_only(void *p)
{
	struct job *j = p;
	mv_model_rhs(2020.0, j->y, j->dy, j->m);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "configs/kazakhstan.cfg";
	struct mv_error err = {0};
	struct mv_keytab kt;
	struct mv_scenario *sc = mv_config_load(path, 0, NULL, &kt, &err);
	if (sc == NULL) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return 2;
	}
	FILE *devnull = fopen("/dev/null", "w");
	struct job j = {0};
	j.run = mv_run_create(sc, &kt, NULL, &err);
	j.w = mv_writer_open_stream(devnull, &err);
	if (j.run == NULL || j.w == NULL) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return 1;
	}
	run_noout(&j);
	const struct mv_run_stats st = *mv_run_stats(j.run);
	double t_noout = best_time(run_noout, &j);
	double t_out = best_time(run_devnull, &j);

	/* The pure RHS cost, at the scenario's initial state (with some tension) and its base
	 * parameters: the model alone, no events, no stepper. */
	struct mv_model model;
	int n = sc->nvec, D = sc->ndom;
	mv_model_init(&model, sc, sc->val);
	j.m = &model;
	j.y = calloc((size_t)model.ny, sizeof *j.y);
	j.dy = calloc((size_t)model.ny, sizeof *j.dy);
	for (int i = 0; i < n; i++) {
		for (int d = 0; d < D; d++)
			j.y[MV_Y_SHARE(n, d, i)] = sc->val[mv_key_share(n, D, i, d)];
		j.y[MV_Y_MASS(n, D, i)] = sc->val[mv_key_vec(n, D, i, MV_VP_MASS)];
		j.y[MV_Y_TENSION(n, D, i)] = 0.5;
	}
	double t_rhs = best_time(rhs_only, &j);

	printf("mvsim bench — %s (%s, rtol %g, %ld rows)\n\n", path, sc->method,
	       sc->val[MV_G_RTOL], mv_run_nrows(sc));
	printf("%-46s %12s\n", "figure", "value");
	printf("%-46s %12.4f\n", "run without output (ms)", 1e3 * t_noout);
	printf("%-46s %12.4f\n", "run with TSV to /dev/null (ms)", 1e3 * t_out);
	printf("%-46s %12.2f\n", "output share of the run (ratio out/no-out)", t_out / t_noout);
	printf("%-46s %12ld\n", "RHS evaluations per run", st.nevals);
	printf("%-46s %12ld / %ld\n", "steps per run (accepted / rejected)", st.nsteps, st.nfailed);
	printf("%-46s %12ld\n", "stepper resets (event boundaries)", st.nresets);
	printf("%-46s %12.1f\n", "time per RHS evaluation (ns)", 1e9 * t_rhs);
	printf("%-46s %12.4f\n", "pure RHS cost of a run (ms)", 1e3 * t_rhs * (double)st.nevals);
	printf("%-46s %12.2f\n", "run / pure RHS cost (target <= 1.5)",
	       t_noout / (t_rhs * (double)st.nevals));
	printf("%-46s %12s\n", "target: run without output < 1 ms",
	       t_noout < 1e-3 ? "met" : "NOT met");

	printf("\nper stepper (no output)\n%-10s %10s %10s %10s %12s\n", "stepper", "ms/run",
	       "RHS evals", "steps", "Jacobians");
	for (const char *const *m = mv_integrator_names; *m; m++) {
		struct mv_run_opts opts = {0};
		opts.method = *m;
		struct job js = {0};
		js.run = mv_run_create(sc, &kt, &opts, &err);
		run_noout(&js);
		const struct mv_run_stats s = *mv_run_stats(js.run);
		double t = best_time(run_noout, &js);
		printf("%-10s %10.3f %10ld %10ld %12ld\n", *m, 1e3 * t, s.nevals, s.nsteps, s.njac);
		mv_run_free(js.run);
	}
	mv_writer_commit(j.w, &err);
	fclose(devnull);
	free(j.y);
	free(j.dy);
	mv_run_free(j.run);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	return 0;
}
