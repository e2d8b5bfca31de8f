/* cmd_fit.c — `mvsim fit`: the fit file in, a readable summary out, the report and the fitted
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
	"usage: mvsim fit FIT.cfg [-o fitted.cfg] [--report report.tsv] [--jobs N] [--quiet]\n"
	"\n"
	"Fits the free parameters of FIT.cfg (fit.parameters, each within [min, max]) so that\n"
	"the scenario's output columns match observed data (fit.observations) before\n"
	"fit.holdout, by nonlinear least squares (GSL trust region, Levenberg-Marquardt), then\n"
	"scores the holdout against persistence. Prints a summary: the fitted values with\n"
	"standard errors, parameters stuck on a bound, the correlation matrix, RMSEs.\n"
	"See docs/calibration.md.\n"
	"\n"
	"  -o, --output FILE   write the fitted scenario: a what-if file with base = the fit's\n"
	"                      scenario and the fitted values as overrides ('mvsim run FILE'\n"
	"                      reproduces the fit); only when the fit converged\n"
	"  -r, --report FILE   write the report (TSV: parameters, correlation, scores,\n"
	"                      residuals), also when the fit did not converge\n"
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
	mv_progress_note(&pc->p, "iteration %d: SSR %.6g (%ld runs):%s", p->iteration, p->ssr,
			 p->nruns, params);
}

static const char *g6(double v, char *buf)
{
	if (isnan(v))
		return "-";
	snprintf(buf, 32, "%.6g", v);
	return buf;
}

/* The times of points[a..b) as "first-last". */
static void span(const struct mv_fit *f, int a, int b, char *buf, size_t size)
{
	if (a >= b) {
		snprintf(buf, size, "none");
		return;
	}
	double lo = INFINITY, hi = -INFINITY;
	for (int k = a; k < b; k++) {
		lo = fmin(lo, f->points[k].t);
		hi = fmax(hi, f->points[k].t);
	}
	snprintf(buf, size, "%g-%g", lo, hi);
}

static void print_summary(const struct mv_fit *f, const struct mv_fit_result *r, double secs)
{
	const int p = f->nparams, Q = f->nobs;
	char a[32], b[32], c[32], d[32], s1[64], s2[64];
	int kw = 9;

	for (int j = 0; j < p; j++)
		kw = (int)strlen(f->params[j].key) > kw ? (int)strlen(f->params[j].key) : kw;
	printf("fit         %s\n", f->path);
	printf("scenario    %s (%s)\n", f->sc->name, f->scenario_path);
	printf("method      %s: %s (%s) after %d iteration%s, %ld model runs, %d job%s, %.3g s\n",
	       mv_fit_method_name(f->method),
	       r->status == MV_FIT_CONVERGED ? "converged" : "NOT CONVERGED", r->reason,
	       r->iterations, r->iterations == 1 ? "" : "s", r->nruns, r->jobs,
	       r->jobs == 1 ? "" : "s", secs);
	if (r->nfailed)
		printf("            %ld trial point%s could not be run and %s rejected; the first: %s\n"
		       "            (the fit may have stopped on the edge of the region where the\n"
		       "            scenario runs: try other starts or bounds)\n",
		       r->nfailed, r->nfailed == 1 ? "" : "s", r->nfailed == 1 ? "was" : "were",
		       r->first_failure);
	span(f, 0, f->m, s1, sizeof s1);
	span(f, f->m, f->m + f->mh, s2, sizeof s2);
	printf("points      %d fitted (%s), %d holdout (%s)", f->m, s1, f->mh, s2);
	if (f->noutside)
		printf(", %d outside the scenario's time range (ignored)", f->noutside);
	printf("\nSSR         %s (start %s), sigma %s with %d degrees of freedom\n", g6(r->ssr, a),
	       g6(r->ssr_start, b), g6(sqrt(r->sigma2), c), f->m - p);

	printf("\n%-*s  %-12s %-12s %-10s %-10s %s\n", kw, "PARAMETER", "VALUE", "SE", "MIN", "MAX",
	       "NOTE");
	for (int j = 0; j < p; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		const char *note = r->bound[j] < 0 ? "on the lower bound"
				 : r->bound[j] > 0 ? "on the upper bound"
				 : isnan(r->se[j]) ? (isnan(r->sigma2) ? "no SE: as many points as parameters"
								  : "not identified")
				 : "";
		printf("%-*s  %-12s %-12s %-10s %-10s %s\n", kw, pp->key, g6(r->x[j], a), g6(r->se[j], b),
		       g6(pp->min, c), g6(pp->max, d), note);
	}
	if (r->rank < p)
		printf("rank %d < %d: the data cannot resolve a direction in these parameters; the\n"
		       "SEs of the others hold those marked 'not identified' fixed\n", r->rank, p);
	if (p > 1) {
		printf("\ncorrelation\n");
		for (int i = 0; i < p; i++) {
			printf("  (%d) %-*s", i + 1, kw, f->params[i].key);
			for (int j = 0; j < p; j++) {
				double v = r->corr[i * p + j];
				if (isnan(v))
					printf("      -");
				else
					printf(" %6.3f", v);
			}
			putchar('\n');
		}
		int strong = 0;
		for (int i = 0; i < p; i++)
			for (int j = i + 1; j < p; j++)
				strong |= fabs(r->corr[i * p + j]) > 0.9;
		if (strong)
			printf("  |correlation| > 0.9: those parameters are hard to tell apart from these data\n");
	}

	int cw = 14;
	for (int q = 0; q < Q; q++)
		cw = (int)strlen(f->obs[q].column) > cw ? (int)strlen(f->obs[q].column) : cw;
	printf("\n%-*s  %-5s %-10s %-5s %-12s %-12s %s\n", cw, "SERIES", "N FIT", "RMSE FIT", "N OUT",
	       "RMSE HOLDOUT", "PERSISTENCE", "HOLDOUT VS PERSISTENCE");
	for (int q = 0; q <= Q; q++) {
		const struct mv_fit_score *s = &r->scores[q];
		char verdict[80] = "-";
		if (s->n_holdout > 0 && isfinite(s->rmse_persistence) && s->rmse_persistence > 0) {
			double gain = 1 - s->rmse_holdout / s->rmse_persistence;
			snprintf(verdict, sizeof verdict, "model %s by %.0f%%",
				 gain >= 0 ? "better" : "worse", 100 * fabs(gain));
		}
		printf("%-*s  %-5d %-10s %-5d %-12s %-12s %s\n", cw,
		       q < Q ? f->obs[q].column : "all (weighted)", s->n_fit, g6(s->rmse_fit, a),
		       s->n_holdout, g6(s->rmse_holdout, b), g6(s->rmse_persistence, c), verdict);
	}
}

/* ---------------------------------------------------------------- the command */

int mv_cmd_fit(int argc, char **argv)
{
	const char *output = NULL, *report_path = NULL, *file;
	long jobs = 0;
	int quiet = 0, first, rc;
	const struct mv_opt opts[] = {
		{"output", 'o', MV_OPT_STRING, &output, 0, 0, NULL},
		{"report", 'r', MV_OPT_STRING, &report_path, 0, 0, NULL},
		{"jobs", 'j', MV_OPT_LONG, &jobs, 1, 4096, NULL},
		{"quiet", 'q', MV_OPT_FLAG, &quiet, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	struct mv_error err = {0};
	struct mv_fit *f = NULL;
	struct mv_fit_result *res = NULL;
	struct mv_outfile *fo = NULL, *ro = NULL;
	struct progress_ctx pc;

	if ((rc = mv_cli_options("fit", argc, argv, opts, &first)) >= 0 ||
	    (rc = mv_cli_one_operand("fit", argc, argv, first, "FIT.cfg", &file)) >= 0)
		return rc;
	/* Standard output carries the summary; the fitted file's base is relative to its directory. */
	if ((output && strcmp(output, "-") == 0) || (report_path && strcmp(report_path, "-") == 0))
		return mv_cli_usage_error("fit", "%s: expected a file name ('-' is not standard output here: the "
				   "summary goes there)", output && strcmp(output, "-") == 0 ? "-o" : "--report");
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
	    (report_path && (ro = mv_outfile_open(report_path, NULL, 0, &err)) == NULL)) {
		rc = mv_cli_report(&err);
		goto out;
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
	if (report_path) {
		wrc = mv_fit_write_report(f, res, mv_outfile_stream(ro), &werr);
		if (wrc)
			mv_outfile_abort(ro);
		else
			wrc = mv_outfile_commit(ro, &werr) != 0;
		ro = NULL;
	}
	if (output && fit_rc == 0 && wrc == 0) {
		wrc = mv_fit_write_fitted(f, res, output, mv_outfile_stream(fo), &werr);
		if (wrc)
			mv_outfile_abort(fo);
		else
			wrc = mv_outfile_commit(fo, &werr) != 0;
		fo = NULL;
	}
	print_summary(f, res, secs);
	if (output && fit_rc == 0 && wrc == 0)
		printf("\nfitted scenario: %s (mvsim run %s)\n", output, output);
	if (report_path && wrc == 0)
		printf("%sreport: %s\n", output && fit_rc == 0 ? "" : "\n", report_path);
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
	mv_fit_result_free(res);
	mv_fit_free(f);
	return rc;
}
