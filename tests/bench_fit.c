/* bench_fit.c — `make bench`: wall time and model runs of the shipped backtest fit
 * (configs/fits/backtest.cfg) with 1 and 2 jobs. A main, not a test: timings never fail.
 * Usage: bench_fit [FIT.cfg [REPEATS]]  (run from the repository root) */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/fit.h"

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "configs/fits/backtest.cfg";
	int repeats = argc > 2 ? atoi(argv[2]) : 20;
	struct mv_error err = {0};
	struct mv_fit *f = mv_fit_load(path, &err);
	double t1 = 0;

	if (repeats < 1)
		repeats = 1;
	if (f == NULL) {
		fprintf(stderr, "bench_fit: %s\n", err.msg);
		return err.code ? err.code : 1;
	}
	printf("fit benchmark: %s (%d parameters, %d origin(s), %d starts, %d fitted + %d scored points at the last, method %s)\n",
	       path, f->nparams, f->norigins, f->starts, f->origins[f->norigins - 1].m,
	       f->origins[f->norigins - 1].mh, mv_fit_method_name(f->method));
	printf("wall time: median of %d fits (load excluded); runs: model runs per fit\n\n", repeats);
	printf("%-5s %-8s %-6s %-11s %-12s %-12s %s\n", "jobs", "threads", "runs", "iterations",
	       "wall (ms)", "ms/run", "speed-up");
	double *wall = malloc((size_t)repeats * sizeof *wall);
	for (int jobs = 1; jobs <= 2; jobs++) {
		struct mv_fit_opts opts = {jobs, NULL, NULL};
		long runs = 0;
		int iters = 0, threads = 0;
		for (int k = 0; k < repeats; k++) {
			struct mv_fit_results *r = NULL;
			double t0 = now();
			int rc = mv_fit_run(f, &opts, &r, &err);
			wall[k] = now() - t0;
			if (r == NULL) {
				fprintf(stderr, "bench_fit: %s\n", err.msg);
				free(wall);
				mv_fit_free(f);
				return 1;
			}
			if (rc)
				fprintf(stderr, "bench_fit: %s\n", err.msg);
			runs = r->nruns;
			iters = 0;
			for (int i = 0; i < r->norigins; i++)
				iters += r->origin[i]->iterations;
			threads = r->jobs;
			mv_fit_results_free(r);
		}
		qsort(wall, (size_t)repeats, sizeof *wall, cmp_double);
		double med = wall[repeats / 2];
		if (jobs == 1)
			t1 = med;
		printf("%-5d %-8d %-6ld %-11d %-12.3f %-12.4f %.2f\n", jobs, threads, runs, iters,
		       1e3 * med, 1e3 * med / (double)runs, t1 / med);
	}
#ifndef _OPENMP
	printf("\n(built without OpenMP: every fit runs on one thread)\n");
#endif
	free(wall);
	mv_fit_free(f);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return 0;
}
