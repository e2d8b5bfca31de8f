/* embed.c — mvsim as a library: load the scenario named on the command line, run it, and print
 * its rows as TSV (the header line, then one row per output time; the columns of `mvsim run`).
 *
 *     cc embed.c $(pkg-config --cflags --libs mvsim) -o embed
 *     ./embed /usr/local/share/mvsim/configs/kazakhstan.cfg [KEY=VALUE]...
 *
 * KEY=VALUE arguments change one number each, as `mvsim run --set` does. Exit status: 0 ok,
 * 1 the run failed, 2 a usage or input error (docs/library.md walks through this file). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <mvsim/mvsim.h>

int main(int argc, char **argv)
{
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_run_opts opts = {0}; /* zeros: the scenario's own integrator and limits */
	struct mv_scenario *sc = NULL;
	struct mv_noise *noise = NULL;
	struct mv_run *run = NULL;
	struct mv_writer *w = NULL;
	char **cols = NULL;
	int ncols = 0, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SCENARIO [KEY=VALUE]...  (libmvsim %s)\n", argv[0],
			mv_version());
		return MV_EXIT_INPUT;
	}
	/* The scenario as plain data (its bases, overrides and data series resolved, the
	 * KEY=VALUE assignments applied, everything validated) and its key table. */
	sc = mv_config_load(argv[1], argc - 2, argv + 2, &kt, &err);
	if (sc == NULL)
		goto fail;
	cols = mv_model_columns(sc, &ncols, &err);
	if (cols == NULL)
		goto fail;
	/* The scenario's noise, if it has any, drawn from noise.seed as `mvsim run` draws it;
	 * noise stays NULL for a deterministic scenario. */
	if (mv_noise_attach(sc, (uint64_t)sc->val[MV_G_NOISE_SEED], &opts, &noise, &err))
		goto fail;
	run = mv_run_create(sc, &kt, &opts, &err);
	if (run == NULL)
		goto fail;
	/* The library's writer on standard output: the header line, then every row the run
	 * hands to the callback, formatted as `mvsim run` formats them (%.10g). */
	w = mv_writer_open_stream(stdout, &err);
	if (w == NULL || mv_writer_columns(w, cols, ncols, &err) ||
	    mv_run_exec(run, mv_writer_row_cb, w, &err))
		goto fail;
	rc = mv_writer_commit(w, &err); /* flushes and checks stdout; frees w */
	w = NULL;
	if (rc)
		goto fail;
	fprintf(stderr, "%s: %ld rows, %ld steps\n", sc->name, mv_run_stats(run)->nrows,
		mv_run_stats(run)->nsteps);
	rc = MV_EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "embed: %s\n", err.msg);
	rc = err.code ? err.code : MV_EXIT_FAIL;
out:
	mv_writer_abort(w); /* NULL after a commit: a no-op */
	mv_run_free(run);
	mv_noise_free(noise);
	free(cols);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	return rc;
}
