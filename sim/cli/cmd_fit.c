/* cmd_fit.c — `mvsim fit`: the fit file in, a readable summary out, the report and the fitted
 * what-if scenario written whole through temporaries; progress on a terminal. */
#define _GNU_SOURCE /* getopt_long, mkstemp, fdopen */
#include "cli.h"

#include "mvsim/fit.h"
#include "mvsim/output.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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





/* ---------------------------------------------------------------- output files */

/* A file written through "<path>.tmp.XXXXXX" and renamed into place when complete (or, for
 * an existing FIFO or device, written in place). */
struct outfile {
	const char *path;
	char *tmp;  /* NULL when written in place */
	FILE *f;
};

/* Opens o on path now, so a missing directory is reported before any work. */
static int out_open(struct outfile *o, const char *path, struct mv_error *err)
{
	struct stat st;

	o->path = path;
	o->tmp = NULL;
	o->f = NULL;
	if (path[0] == '\0')
		return mv_error_set(err, MV_EXIT_INPUT, "output: expected a file name, found an empty one");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot write output: Is a directory", path);
		if ((o->f = fopen(path, "w")) == NULL)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open output: %s", path,
					    strerror(errno));
		return 0;
	}
	size_t len = strlen(path) + 16;
	if ((o->tmp = malloc(len)) == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	snprintf(o->tmp, len, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot create output: %s", path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	/* mkstemp makes the file 0600; results get the permissions any new file would. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (o->f = fdopen(fd, "w")) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "%s: cannot open output: %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	return 0;
}

/* Discards o: the temporary is removed. */
static void out_abort(struct outfile *o)
{
	if (o->f)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	o->f = NULL;
	o->tmp = NULL;
}

/* Closes o and renames the temporary into place. */
static int out_commit(struct outfile *o, struct mv_error *err)
{
	int bad = fflush(o->f) != 0 || ferror(o->f);
	int e = errno;

	if (fclose(o->f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	o->f = NULL;
	if (!bad && o->tmp && rename(o->tmp, o->path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		if (o->tmp)
			unlink(o->tmp);
		mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", o->path, strerror(e));
	}
	free(o->tmp);
	o->tmp = NULL;
	return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- summary */

static void progress(void *ctx, const struct mv_fit_progress *p)
{
	const struct mv_fit *f = ctx;

	fprintf(stderr, "mvsim fit: iteration %d: SSR %.6g (%ld runs):", p->iteration, p->ssr,
		p->nruns);
	for (int j = 0; j < f->nparams; j++)
		fprintf(stderr, " %s=%.6g", f->params[j].key, p->x[j]);
	fputc('\n', stderr);
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
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"report", required_argument, NULL, 'r'},
		{"jobs", required_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL, *report_path = NULL;
	int jobs = 0, quiet = 0, opt, rc;
	struct mv_error err = {0};
	struct mv_fit *f = NULL;
	struct mv_fit_result *res = NULL;
	struct outfile fo = {0}, ro = {0};

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:r:j:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(mv_fit_usage, stdout);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "mvsim: standard output: write failed: %s\n", strerror(errno));
				return MV_EXIT_FAIL;
			}
			return MV_EXIT_OK;
		case 'o':
			output = optarg;
			break;
		case 'r':
			report_path = optarg;
			break;
		case 'j': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno || v < 1 || v > 4096)
				return mv_cli_usage_error("fit", "--jobs: expected an integer in [1, 4096], found '%.100s'",
						   optarg);
			jobs = (int)v;
			break;
		}
		case 'q':
			quiet = 1;
			break;
		case ':':
			return mv_cli_usage_error("fit", "option '%s' needs a value", argv[optind - 1]);
		default:
			return mv_cli_usage_error("fit", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return mv_cli_usage_error("fit", "missing FIT.cfg");
	if (optind + 1 < argc)
		return mv_cli_usage_error("fit", "unexpected argument '%s'", argv[optind + 1]);
	/* Standard output carries the summary; the fitted file's base is relative to its directory. */
	if ((output && strcmp(output, "-") == 0) || (report_path && strcmp(report_path, "-") == 0))
		return mv_cli_usage_error("fit", "%s: expected a file name ('-' is not standard output here: the "
				   "summary goes there)", output && strcmp(output, "-") == 0 ? "-o" : "--report");
	if (output && report_path && strcmp(output, report_path) == 0)
		return mv_cli_usage_error("fit", "-o and --report name the same file '%s'", output);

	if ((f = mv_fit_load(argv[optind], &err)) == NULL)
		return mv_cli_report(&err);
	if ((output && out_open(&fo, output, &err)) ||
	    (report_path && out_open(&ro, report_path, &err))) {
		rc = mv_cli_report(&err);
		goto out;
	}

	struct mv_fit_opts opts = {jobs, NULL, NULL};
	if (!quiet && isatty(2)) {
		opts.progress = progress;
		opts.progress_ctx = f;
	}
	double t0 = mv_cli_now();
	int fit_rc = mv_fit_run(f, &opts, &res, &err);
	double secs = mv_cli_now() - t0;
	if (res == NULL) {
		rc = mv_cli_report(&err);
		goto out;
	}
	struct mv_error werr = {0};
	int wrc = 0;
	if (report_path) {
		wrc = mv_fit_write_report(f, res, ro.f, &werr) || out_commit(&ro, &werr);
		if (wrc)
			out_abort(&ro);
	}
	if (output && fit_rc == 0 && wrc == 0) {
		wrc = mv_fit_write_fitted(f, res, output, fo.f, &werr) || out_commit(&fo, &werr);
		if (wrc)
			out_abort(&fo);
	}
	print_summary(f, res, secs);
	if (output && fit_rc == 0 && wrc == 0)
		printf("\nfitted scenario: %s (mvsim run %s)\n", output, output);
	if (report_path && wrc == 0)
		printf("%sreport: %s\n", output && fit_rc == 0 ? "" : "\n", report_path);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mvsim: standard output: write failed: %s\n", strerror(errno));
		rc = MV_EXIT_FAIL;
		goto out;
	}
	if (fit_rc) {
		rc = mv_cli_report(&err);
		if (output)
			fprintf(stderr, "mvsim: %s not written: the fit did not converge\n", output);
		goto out;
	}
	rc = wrc ? mv_cli_report(&werr) : MV_EXIT_OK;
out:
	if (fo.f)
		out_abort(&fo);
	if (ro.f)
		out_abort(&ro);
	mv_fit_result_free(res);
	mv_fit_free(f);
	return rc;
}
