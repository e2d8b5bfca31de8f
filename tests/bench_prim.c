/* bench_prim.c — `make bench`: the time of PRIM scenario discovery (sim/prim.c) on 10^5 rows ×
 * 10 parameters: reading the TSV, one box, three boxes (covering), writing the tables. Library
 * calls, no CLI. Data: uniform parameters from a fixed LCG, cases x0 > 0.7 and x1 < 0.4 with
 * 10% of the labels flipped. Each time is the best of 3 (a busy machine only slows a run
 * down); prints a table, asserts nothing (timings never decide a test). `--quick`: 10^4 rows. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mvsim/prim.h"

#define DIR "build/bench-prim"
#define P 10

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double lcg(uint32_t *s)
{
	*s = 1664525u * *s + 1013904223u;
	return *s / 4294967296.0;
}

static int write_data(const char *path, long n)
{
	FILE *f = fopen(path, "w");
	uint32_t s = 2015;
	if (f == NULL)
		return -1;
	fputs("# bench_prim data\n", f);
	for (int j = 0; j < P; j++)
		fprintf(f, "# parameter\tp%d\t0\t1\tcontinuous\n", j);
	fputs("run", f);
	for (int j = 0; j < P; j++)
		fprintf(f, "\tp%d", j);
	fputs("\tcrisis\tstatus\treason\n", f);
	for (long i = 0; i < n; i++) {
		double x[P];
		fprintf(f, "%ld", i);
		for (int j = 0; j < P; j++) {
			x[j] = lcg(&s);
			fprintf(f, "\t%.10g", x[j]);
		}
		int c = x[0] > 0.7 && x[1] < 0.4;
		if (lcg(&s) < 0.1)
			c = !c;
		fprintf(f, "\t%d\tok\t-\n", c);
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	long n = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 10000 : 100000;
	const char *path = DIR "/data.tsv";
	struct mv_error err = { 0 };
	double best[4] = { 1e30, 1e30, 1e30, 1e30 };
	int steps1 = 0, nboxes3 = 0;
	char line[512] = "";

	mkdir("build", 0755);
	mkdir(DIR, 0755);
	if (write_data(path, n)) {
		fprintf(stderr, "bench_prim: cannot write %s\n", path);
		return 1;
	}
	for (int rep = 0; rep < 3; rep++) {
		struct mv_prim_input *in = NULL;
		struct mv_prim_result *r1 = NULL, *r3 = NULL;
		struct mv_prim_options o;
		double t0 = now();
		if (mv_prim_read(path, "crisis", NULL, 0, &in, &err))
			goto fail;
		double t1 = now();
		mv_prim_options_default(&o);
		o.threshold = 0.5;
		if (mv_prim_run(in, &o, &r1, &err))
			goto fail;
		double t2 = now();
		o.boxes = 3;
		if (mv_prim_run(in, &o, &r3, &err))
			goto fail;
		double t3 = now();
		FILE *f = fopen(DIR "/result.tsv", "w");
		if (f == NULL || mv_prim_write(f, r3, &err) || fclose(f))
			goto fail;
		double t4 = now();
		double t[4] = { t1 - t0, t2 - t1, t3 - t2, t4 - t3 };
		for (int k = 0; k < 4; k++)
			if (t[k] < best[k])
				best[k] = t[k];
		steps1 = r1->boxes[0].nsteps;
		nboxes3 = r3->nboxes;
		mv_prim_summary(r1, 0, line, sizeof line);
		mv_prim_result_free(r1);
		mv_prim_result_free(r3);
		mv_prim_input_free(in);
		continue;
fail:
		fprintf(stderr, "bench_prim: %s\n", err.msg);
		return 1;
	}
	printf("PRIM (sim/prim.c), %ld rows x %d parameters, best of 3\n", n, P);
	printf("  %-34s %8.3f s\n", "read the TSV (mv_prim_read)", best[0]);
	printf("  %-34s %8.3f s   (%d steps)\n", "discover, 1 box", best[1], steps1);
	printf("  %-34s %8.3f s   (%d boxes)\n", "discover, 3 boxes (covering)", best[2], nboxes3);
	printf("  %-34s %8.3f s\n", "write the tables (mv_prim_write)", best[3]);
	printf("  %s\n", line);
	return 0;
}
