/* cmd_fit.c — `mvsim fit`: the fit file in, a short summary on standard error (written by
 * fit_report.c), the report (whole, on standard output, or one file per table) and the fitted
 * what-if scenario written whole through temporaries; progress on a terminal. */
#include "cli.h"

#include "mvsim/fit.h"
#include "mvsim/outfile.h"
#include "mvsim/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char mv_fit_usage[] =
	"usage: mvsim fit FIT.cfg [-o fitted.cfg] [--report report.tsv|-] [--report-dir DIR]\n"
	"                 [--jobs N] [--quiet]\n"
	"\n"
	"Fits the free parameters of FIT.cfg (fit.parameters, each within [min, max]) so that\n"
	"the scenario's output columns match observed data (fit.observations), by nonlinear\n"
	"least squares (GSL trust region, Levenberg-Marquardt) from fit.starts starts, at each\n"
	"origin of fit.origins (or before fit.holdout), and scores the years after each origin\n"
	"against three yardsticks: persistence, the mean and drift. Prints a short summary on\n"
	"standard error. See docs/calibration.md (\"Fit file reference\").\n"
	"\n"
	"  -o, --output FILE   write the fitted scenario of the last origin: a what-if file\n"
	"                      with base = the fit's scenario and the fitted values as\n"
	"                      overrides ('mvsim run FILE' reproduces the fit); only when the\n"
	"                      fit converged\n"
	"  -r, --report FILE   write the report (TSV; '-': standard output), also when the\n"
	"                      fit did not converge; each table after a '# table: NAME' line:\n"
	"                      {sp:fit tables}\n"
	"  -d, --report-dir DIR  write each table of the report as DIR/NAME.tsv (DIR must exist)\n"
	"  -j, --jobs N        threads for the Jacobian's model runs (default: every core);\n"
	"                      the result is the same for any N\n"
	"  -q, --quiet         no progress lines (shown only when stderr is a terminal)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 the fit converged, 1 it did not converge within fit.max_iterations\n"
	"(the best point and its SSR are shown), a model run failed or a file could not be\n"
	"written, 2 usage or input error (nothing is written).\n";

/* ---------------------------------------------------------------- summary */

/* The fit's iterations, one line each, through the progress reporter. */
struct progress_ctx {
	const struct mv_fit *f;
	struct mv_progress p;
};

static void progress(void *ctx, const struct mv_fit_progress *p)
{
	struct progress_ctx *pc = ctx;
	char params[2048];
	size_t used = 0;

	params[0] = '\0';
	for (int j = 0; j < pc->f->nparams && used < sizeof params; j++)
		used += (size_t)snprintf(params + used, sizeof params - used, " %s=%.6g",
					 pc->f->params[j].key, p->x[j]);
	mv_progress_note(&pc->p, "origin %d start %d iteration %d: SSR %.6g (%ld runs):%s", p->origin,
			 p->start, p->iteration, p->ssr, p->nruns, params);
}

/* ---------------------------------------------------------------- the command */

int mv_cmd_fit(int argc, char **argv)
{
	const char *output = NULL, *report_path = NULL, *report_dir = NULL, *file;
	long jobs = 0;
	int quiet = 0, first, rc;
	const struct mv_opt opts[] = {
		{"output", 'o', MV_OPT_STRING, &output, 0, 0, NULL},
		{"report", 'r', MV_OPT_STRING, &report_path, 0, 0, NULL},
		{"report-dir", 'd', MV_OPT_STRING, &report_dir, 0, 0, NULL},
		{"jobs", 'j', MV_OPT_LONG, &jobs, 1, 4096, NULL},
		{"quiet", 'q', MV_OPT_FLAG, &quiet, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	struct mv_error err = {0};
	struct mv_fit *f = NULL;
	struct mv_fit_results *res = NULL;
	struct mv_outfile *fo = NULL, *ro = NULL, *to[MV_FIT_NTABLES] = {NULL};
	char tpath[MV_FIT_NTABLES][4200];
	struct progress_ctx pc;

	if ((rc = mv_cli_options("fit", argc, argv, opts, &first)) >= 0 ||
	    (rc = mv_cli_one_operand("fit", argc, argv, first, "FIT.cfg", &file)) >= 0)
		return rc;
	/* The fitted file's base is relative to its directory: it needs one. */
	if (output && strcmp(output, "-") == 0)
		return mv_cli_usage_error("fit", "-o: expected a file name ('-' is not standard output here: "
				   "the fitted file's base is relative to its directory)");
	int report_stdout = report_path && strcmp(report_path, "-") == 0;
	if (output && report_path && strcmp(output, report_path) == 0)
		return mv_cli_usage_error("fit", "-o and --report name the same file '%s'", output);

	if ((f = mv_fit_load(file, &err)) == NULL)
		return mv_cli_report(&err);
	/* Neither output may be one of the fit's inputs: the fit file, the scenario, its
	 * bases and series, the observation data. */
	const char **inputs = malloc((size_t)(f->nobs + 1) * sizeof *inputs);
	if (inputs == NULL) {
		mv_fit_free(f);
		return mv_cli_report(&(struct mv_error){MV_EXIT_FAIL, "out of memory"});
	}
	inputs[0] = f->path;
	for (int q = 0; q < f->nobs; q++)
		inputs[q + 1] = f->obs[q].path;
	int refused = mv_cli_refuse_input(output, f->sc, inputs, f->nobs + 1, &err) ||
		      mv_cli_refuse_input(report_path, f->sc, inputs, f->nobs + 1, &err);
	free(inputs);
	if (refused) {
		mv_fit_free(f);
		return mv_cli_report(&err);
	}
	/* Opened before the fit: a bad path is reported before any work. */
	if ((output && (fo = mv_outfile_open(output, NULL, 0, &err)) == NULL) ||
	    (report_path && !report_stdout &&
	     (ro = mv_outfile_open(report_path, NULL, 0, &err)) == NULL)) {
		rc = mv_cli_report(&err);
		goto out;
	}
	for (int t = 0; report_dir && t < MV_FIT_NTABLES; t++) {
		snprintf(tpath[t], sizeof tpath[t], "%.4000s/%s.tsv", report_dir, mv_fit_table_name(t));
		if ((to[t] = mv_outfile_open(tpath[t], NULL, 0, &err)) == NULL) {
			rc = mv_cli_report(&err);
			goto out;
		}
	}

	struct mv_fit_opts fopts = {(int)jobs, NULL, NULL};
	pc.f = f;
	mv_progress_start(&pc.p, "fit", 0, 0, quiet);
	if (pc.p.on) {
		fopts.progress = progress;
		fopts.progress_ctx = &pc;
	}
	double t0 = mv_cli_now();
	int fit_rc = mv_fit_run(f, &fopts, &res, &err);
	double secs = mv_cli_now() - t0;
	if (res == NULL) {
		rc = mv_cli_report(&err);
		goto out;
	}
	struct mv_error werr = {0};
	int wrc = 0;
	if (report_stdout)
		wrc = mv_fit_write_report(f, res, stdout, &werr);
	else if (report_path) {
		wrc = mv_fit_write_report(f, res, mv_outfile_stream(ro), &werr);
		if (wrc)
			mv_outfile_abort(ro);
		else
			wrc = mv_outfile_commit(ro, &werr) != 0;
		ro = NULL;
	}
	for (int t = 0; report_dir && t < MV_FIT_NTABLES && wrc == 0; t++) {
		wrc = mv_fit_write_table(f, res, t, mv_outfile_stream(to[t]), &werr);
		if (wrc)
			mv_outfile_abort(to[t]);
		else
			wrc = mv_outfile_commit(to[t], &werr) != 0;
		to[t] = NULL;
	}
	if (output && fit_rc == 0 && wrc == 0) {
		wrc = mv_fit_write_fitted(f, res, output, mv_outfile_stream(fo), &werr);
		if (wrc)
			mv_outfile_abort(fo);
		else
			wrc = mv_outfile_commit(fo, &werr) != 0;
		fo = NULL;
	}
	/* The summary goes to standard error; standard output is the report's (--report -). */
	mv_fit_write_summary(f, res, secs, stderr);
	if (output && fit_rc == 0 && wrc == 0)
		fprintf(stderr, "fitted scenario: %s (mvsim run %s)\n", output, output);
	if (report_path && !report_stdout && wrc == 0)
		fprintf(stderr, "report: %s\n", report_path);
	if (report_dir && wrc == 0)
		fprintf(stderr, "report tables: %s/{%s,...}.tsv\n", report_dir, mv_fit_table_name(0));
	if ((rc = mv_cli_finish_stdout(MV_EXIT_OK)) != MV_EXIT_OK)
		goto out;
	if (fit_rc) {
		rc = mv_cli_report(&err);
		if (output)
			fprintf(stderr, "mvsim: %s not written: the fit did not converge\n", output);
		goto out;
	}
	rc = wrc ? mv_cli_report(&werr) : MV_EXIT_OK;
out:
	mv_outfile_abort(fo);
	mv_outfile_abort(ro);
	for (int t = 0; t < MV_FIT_NTABLES; t++)
		mv_outfile_abort(to[t]);
	mv_fit_results_free(res);
	mv_fit_free(f);
	return rc;
}
