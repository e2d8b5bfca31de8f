/* fuzz_scenario.c — libFuzzer target: scenario loading and validation, then a short run of
 * whatever loads. Input: the bytes of a scenario file. `make fuzz` builds and runs it. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/model.h"

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
	struct mv_keytab kt;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/mvsim-fuzz-%ld.cfg", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	struct mv_scenario *sc = mv_config_load(path, 0, NULL, &kt, &err);
	if (sc == NULL) {
		/* Every failure carries a message and an exit status. */
		if (err.msg[0] == '\0' || (err.code != 1 && err.code != 2))
			abort();
		return 0;
	}
	int ncols;
	char **cols = mv_model_columns(sc, &ncols, &err);
	/* Runs that stay small: a bounded number of rows and steps. */
	if (cols && mv_run_nrows(sc) <= 2000 && sc->val[MV_G_END] - sc->val[MV_G_START] <= 200) {
		struct mv_run_opts opts = {0};
		opts.max_steps = 20000;
		struct mv_run *run = mv_run_create(sc, &kt, &opts, &err);
		if (run) {
			if (mv_run_exec(run, NULL, NULL, &err) && err.msg[0] == '\0')
				abort();
			mv_run_free(run);
		}
	}
	free(cols);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	return 0;
}
