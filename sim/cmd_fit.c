/* cmd_fit.c — `mvsim fit`: the fit file in, a readable summary out, the report and the fitted
 * what-if scenario written whole through temporaries; progress on a terminal. */
#define _GNU_SOURCE /* getopt_long, mkstemp, fdopen */
#include "mvsim/cli.h"
#include "mvsim/cmd_fit.h"

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
	"  -r, --report FILE   write the report (TSV, tables origins, parameters, correlation,\n"
	"                      starts, scores, residuals, each after a '# table: NAME' line),\n"
	"                      also when the fit did not converge; '-': standard output\n"
	"  -d, --report-dir DIR  write each table of the report as DIR/NAME.tsv (DIR must exist)\n"
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

	fprintf(stderr, "mvsim fit: origin %d start %d iteration %d: SSR %.6g (%ld runs):",
		p->origin, p->start, p->iteration, p->ssr, p->nruns);
	for (int j = 0; j < f->nparams; j++)
		fprintf(stderr, " %s=%.6g", f->params[j].key, p->x[j]);
	fputc('\n', stderr);
}

/* ---------------------------------------------------------------- the command */

int mv_cmd_fit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"report", required_argument, NULL, 'r'},
		{"report-dir", required_argument, NULL, 'd'},
		{"jobs", required_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL, *report_path = NULL, *report_dir = NULL;
	int jobs = 0, quiet = 0, opt, rc;
	struct mv_error err = {0};
	struct mv_fit *f = NULL;
	struct mv_fit_results *res = NULL;
	struct outfile fo = {0}, ro = {0}, to[MV_FIT_NTABLES] = {{0}};
	char tpath[MV_FIT_NTABLES][4200];

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:r:d:j:qh", longopts, NULL)) != -1) {
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
		case 'd':
			report_dir = optarg;
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
	/* The fitted file's base is relative to its directory: it needs one. */
	if (output && strcmp(output, "-") == 0)
		return mv_cli_usage_error("fit", "-o: expected a file name ('-' is not standard output here: "
				   "the fitted file's base is relative to its directory)");
	int report_stdout = report_path && strcmp(report_path, "-") == 0;
	if (output && report_path && strcmp(output, report_path) == 0)
		return mv_cli_usage_error("fit", "-o and --report name the same file '%s'", output);

	if ((f = mv_fit_load(argv[optind], &err)) == NULL)
		return mv_cli_report(&err);
	if ((output && out_open(&fo, output, &err)) ||
	    (report_path && !report_stdout && out_open(&ro, report_path, &err))) {
		rc = mv_cli_report(&err);
		goto out;
	}
	for (int t = 0; report_dir && t < MV_FIT_NTABLES; t++) {
		snprintf(tpath[t], sizeof tpath[t], "%.4000s/%s.tsv", report_dir, mv_fit_table_name(t));
		if (out_open(&to[t], tpath[t], &err)) {
			rc = mv_cli_report(&err);
			goto out;
		}
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
	if (report_stdout)
		wrc = mv_fit_write_report(f, res, stdout, &werr);
	else if (report_path) {
		wrc = mv_fit_write_report(f, res, ro.f, &werr) || out_commit(&ro, &werr);
		if (wrc)
			out_abort(&ro);
	}
	for (int t = 0; report_dir && t < MV_FIT_NTABLES && wrc == 0; t++) {
		wrc = mv_fit_write_table(f, res, t, to[t].f, &werr) || out_commit(&to[t], &werr);
		if (wrc)
			out_abort(&to[t]);
	}
	if (output && fit_rc == 0 && wrc == 0) {
		wrc = mv_fit_write_fitted(f, res, output, fo.f, &werr) || out_commit(&fo, &werr);
		if (wrc)
			out_abort(&fo);
	}
	mv_fit_write_summary(f, res, secs, stderr);
	if (output && fit_rc == 0 && wrc == 0)
		fprintf(stderr, "fitted scenario: %s (mvsim run %s)\n", output, output);
	if (report_path && !report_stdout && wrc == 0)
		fprintf(stderr, "report: %s\n", report_path);
	if (report_dir && wrc == 0)
		fprintf(stderr, "report tables: %s/{%s,...}.tsv\n", report_dir, mv_fit_table_name(0));
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
	for (int t = 0; t < MV_FIT_NTABLES; t++)
		if (to[t].f)
			out_abort(&to[t]);
	mv_fit_results_free(res);
	mv_fit_free(f);
	return rc;
}
