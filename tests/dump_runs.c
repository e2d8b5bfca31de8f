/* dump_runs.c — every row of every scenario named on the command line under every stepper,
 * at full precision (%.17g), for scripts/check-equal.sh: built once against this tree's
 * library and once against a baseline commit's, so a change to the model or the integrator
 * is checked against the previous code's numbers (not against the 10 digits of a TSV).
 * Uses only API both have: mv_config_load, mv_noise_attach, mv_run_create/exec. */
#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/noise.h"

#include <stdio.h>
#include <stdlib.h>

static int print_row(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	(void)ctx;
	(void)err;
	for (int c = 0; c < ncols; c++)
		printf("%s%.17g", c ? "\t" : "", row[c]);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int a = 1; a < argc; a++)
		for (const char *const *m = mv_integrator_names; *m; m++) {
			struct mv_error err = {0};
			struct mv_keytab kt;
			struct mv_scenario *sc = mv_config_load(argv[a], 0, NULL, &kt, &err);
			struct mv_run_opts opts = {0};
			struct mv_noise *nz = NULL;
			struct mv_run *run = NULL;
			if (sc == NULL) {
				fprintf(stderr, "dump_runs: %s\n", err.msg);
				return 2;
			}
			opts.method = *m;
			printf("# %s %s\n", argv[a], *m);
			if (mv_noise_attach(sc, (uint64_t)sc->val[MV_G_NOISE_SEED], &opts, &nz, &err) ||
			    (run = mv_run_create(sc, &kt, &opts, &err)) == NULL ||
			    mv_run_exec(run, print_row, NULL, &err)) {
				printf("# failed: %s\n", err.msg); /* compared like a row */
				rc = 1;
			}
			mv_run_free(run);
			mv_noise_free(nz);
			mv_keytab_free(&kt);
			mv_scenario_free(sc);
		}
	return rc;
}
