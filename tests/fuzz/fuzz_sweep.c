/* fuzz_sweep.c — libFuzzer target: sweep files (docs/model.md §8) against the scenarios they name,
 * then the first points of their sampler. Input: the bytes of a sweep file. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/sweep.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_error err = {0};

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/mvsim-fuzz-sweep-%ld.cfg", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	struct mv_sweep *sw = mv_sweep_load(path, 0, NULL, &err);
	if (sw == NULL) {
		if (err.msg[0] == '\0' || (err.code != 1 && err.code != 2))
			abort();
		return 0;
	}
	/* The first points of the design, mapped to parameter values. */
	int levels[64];
	for (int j = 0; j < sw->nparams && j < 64; j++)
		levels[j] = sw->params[j].nlevels;
	struct mv_sampler *s = mv_sampler_create(sw->method, sw->nparams, sw->samples, sw->seed,
						 levels, &err);
	if (s) {
		double u[64], x[64];
		for (long k = 0; k < sw->nruns && k < 50; k++) {
			if (mv_sampler_next(s, k, u))
				abort();
			for (int j = 0; j < sw->nparams; j++)
				if (!(u[j] >= 0 && u[j] < 1))
					abort();
			mv_sweep_map(sw, u, x);
		}
		mv_sampler_free(s);
	}
	mv_sweep_free(sw);
	return 0;
}
