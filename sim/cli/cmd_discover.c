/* cmd_discover.c — `mvsim discover`: scenario discovery with PRIM (docs/model.md §12) on a
 * sweep summary or any TSV (prim.h reads it), or on a sweep file run first through the batch
 * loop (sweeprun.h); the tables through mv_outfile, each box's summary on stderr. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include "mvsim/error.h"
#include "mvsim/keys.h" /* mv_suggest */
#include "mvsim/names.h"
#include "mvsim/outfile.h"
#include "mvsim/output.h" /* mv_format_number */
#include "mvsim/prim.h"
#include "mvsim/sweep.h"
#include "mvsim/sweeprun.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char mv_discover_usage[] =
	"usage: mvsim discover SUMMARY.tsv --metric NAME (--above X | --below X) [--params LIST]\n"
	"                      [--peel-alpha A] [--paste-alpha B] [--mass-min M]\n"
	"                      [--objective {bar:discover objectives}] [--boxes K]\n"
	"                      [--step S | --min-coverage C] [-o FILE]\n"
	"       mvsim discover SWEEP.cfg --metric NAME (--above X | --below X) [options above]\n"
	"                      [--jobs N] [--set KEY=VALUE]... [--quiet]\n"
	"\n"
	"Scenario discovery (PRIM, as the EMA Workbench does it): which ranges of the swept\n"
	"parameters hold the runs of interest, as boxes with their coverage and density.\n"
	"SUMMARY.tsv is an 'mvsim sweep' summary (its '# parameter' lines name the parameters)\n"
	"or any TSV with '#' comment lines and a header line (then --params names them); a\n"
	"file ending in .cfg is a sweep file, whose runs are made first. See docs/discovery.md.\n"
	"\n"
	"      --metric NAME     the column that decides a case of interest (required)\n"
	"      --above X         a case of interest has NAME > X\n"
	"      --below X         a case of interest has NAME < X (one of the two is required)\n"
	"      --params LIST     the parameter columns, comma-separated (default: the\n"
	"                        summary's or the sweep file's parameters)\n"
	"      --peel-alpha A    each peel removes about this share of the box, in (0, 0.5)\n"
	"                        (default 0.05)\n"
	"      --paste-alpha B   each paste adds about this share, in (0, 0.5) (default 0.05)\n"
	"      --mass-min M      no box keeps fewer than M of the points, in (0, 1)\n"
	"                        (default 0.05)\n"
	"      --objective F     {or:discover objectives} (default: the first)\n"
	"      --boxes K         up to K boxes, each on the points the earlier ones left\n"
	"                        (covering; 1 to 64, default 1)\n"
	"      --step S          the step of the trajectory taken as the box (default the\n"
	"                        last); S1,S2,...: one per box\n"
	"      --min-coverage C  instead: the last step with coverage >= C, in [0, 1]\n"
	"  -o, --output FILE     write the tables to FILE (via a temporary, renamed when\n"
	"                        complete); default: standard output\n"
	"  -j, --jobs N          a sweep file: threads for its runs (default: every core)\n"
	"  -s, --set KEY=VALUE   a sweep file: change one number of its scenario (repeatable)\n"
	"  -q, --quiet           a sweep file: no progress line (shown only on a terminal)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Output: the tables counts, trajectory, boxes and limits (labelled TSV, numbers\n"
	"exact); on stderr one line per box, e.g. 'box 1: coverage 0.72, density 0.78 -\n"
	"coercion >= 2.72, ...'. Draw them with 'mvsim plot FILE --kind tradeoff' or '--kind\n"
	"box'.\n"
	"\n"
	"Exit status: 0 ok (failed runs are left out and counted), 1 the output could not be\n"
	"written, 2 usage or input error (nothing written), 130/143 interrupted.\n";

/* ================================================================ options */

struct discover_opts {
	const char *file, *metric, *params, *output;
	const char *above, *below; /* as typed; parsed into opt */
	struct mv_prim_options opt;
	long boxes, jobs;
	int have_step, have_mincov, quiet;
	struct mv_cli_strings sets;
};

/* "found 0.7" for a number, "found 'abc'" for anything else. */
static void found(char *msg, size_t size, const char *option, const char *expected,
		  const char *arg, int number)
{
	snprintf(msg, size, number ? "--%s: expected %s, found %.100s"
				   : "--%s: expected %s, found '%.100s'", option, expected, arg);
}

/* arg as a whole finite number into *v. Returns 0, or -1. */
static int number(const char *arg, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(arg, &end);
	return end == arg || *end != '\0' || errno == ERANGE || !isfinite(*v) ? -1 : 0;
}

/* A number in an open or closed interval, with the option's name in the message. */
static int in_range(const char *option, const char *arg, double lo, double hi, int open,
		    double *out, char *msg, size_t size)
{
	char expected[64];
	double v;
	int ok = number(arg, &v) == 0;

	snprintf(expected, sizeof expected, "a number in %s%g, %g%s", open ? "(" : "[", lo, hi,
		 open ? ")" : "]");
	if (ok && (open ? v > lo && v < hi : v >= lo && v <= hi)) {
		*out = v;
		return 0;
	}
	found(msg, size, option, expected, arg, ok);
	return -1;
}

static int parse_threshold(void *value, const char *arg, char *msg, size_t size, const char *name)
{
	double v;
	if (number(arg, &v) == 0) {
		*(const char **)value = arg;
		return 0;
	}
	found(msg, size, name, "a number", arg, 0);
	return -1;
}

static int parse_above(void *value, const char *arg, char *msg, size_t size)
{
	return parse_threshold(value, arg, msg, size, "above");
}

static int parse_below(void *value, const char *arg, char *msg, size_t size)
{
	return parse_threshold(value, arg, msg, size, "below");
}

static int parse_peel(void *value, const char *arg, char *msg, size_t size)
{
	struct discover_opts *o = value;
	return in_range("peel-alpha", arg, 0, 0.5, 1, &o->opt.peel_alpha, msg, size);
}

static int parse_paste(void *value, const char *arg, char *msg, size_t size)
{
	struct discover_opts *o = value;
	return in_range("paste-alpha", arg, 0, 0.5, 1, &o->opt.paste_alpha, msg, size);
}

static int parse_mass(void *value, const char *arg, char *msg, size_t size)
{
	struct discover_opts *o = value;
	return in_range("mass-min", arg, 0, 1, 1, &o->opt.mass_min, msg, size);
}

static int parse_mincov(void *value, const char *arg, char *msg, size_t size)
{
	struct discover_opts *o = value;
	o->have_mincov = 1;
	return in_range("min-coverage", arg, 0, 1, 0, &o->opt.min_coverage, msg, size);
}

static const struct {
	const char *name;
	enum mv_prim_objective value;
} objectives[] = {
	{"lenient1", MV_PRIM_LENIENT1},
	{"lenient2", MV_PRIM_LENIENT2},
	{"original", MV_PRIM_ORIGINAL},
};
#define NOBJECTIVES (int)(sizeof objectives / sizeof objectives[0])

const char *mv_discover_objective(int k)
{
	return k >= 0 && k < NOBJECTIVES ? objectives[k].name : NULL;
}

static int parse_objective(void *value, const char *arg, char *msg, size_t size)
{
	struct discover_opts *o = value;
	char list[64];

	for (int k = 0; k < NOBJECTIVES; k++)
		if (strcmp(objectives[k].name, arg) == 0) {
			o->opt.objective = objectives[k].value;
			return 0;
		}
	mv_names_join_table(&objectives[0].name, NOBJECTIVES, sizeof objectives[0], ", ", " or ",
			    list, sizeof list);
	found(msg, size, "objective", list, arg, 0);
	return -1;
}

/* --step S or S1,S2,...: integers >= 0, at most one per box. */
static int parse_step(void *value, const char *arg, char *msg, size_t size)
{
	struct discover_opts *o = value;
	const char *s = arg;
	int n = 0;

	o->have_step = 1;
	while (1) {
		char *end;
		long v;
		errno = 0;
		v = *s >= '0' && *s <= '9' ? strtol(s, &end, 10) : -1;
		if (v < 0 || errno || v > 1000000000L || (*end != ',' && *end != '\0') ||
		    n == MV_PRIM_MAX_BOXES) {
			found(msg, size, "step", "a step >= 0, or a list S1,S2,... (one per box)",
			      arg, 0);
			return -1;
		}
		o->opt.step[n++] = (int)v;
		if (*end == '\0')
			break;
		s = end + 1;
	}
	o->opt.nsteps = n;
	return 0;
}

/* Returns -1 to go on, or an exit status. */
static int parse_discover_opts(int argc, char **argv, struct discover_opts *o)
{
	const struct mv_opt opts[] = {
		{"metric", 0, MV_OPT_STRING, &o->metric, 0, 0, NULL},
		{"above", 0, MV_OPT_FN, &o->above, 0, 0, parse_above},
		{"below", 0, MV_OPT_FN, &o->below, 0, 0, parse_below},
		{"params", 0, MV_OPT_STRING, &o->params, 0, 0, NULL},
		{"peel-alpha", 0, MV_OPT_FN, o, 0, 0, parse_peel},
		{"paste-alpha", 0, MV_OPT_FN, o, 0, 0, parse_paste},
		{"mass-min", 0, MV_OPT_FN, o, 0, 0, parse_mass},
		{"objective", 0, MV_OPT_FN, o, 0, 0, parse_objective},
		{"boxes", 0, MV_OPT_LONG, &o->boxes, 1, MV_PRIM_MAX_BOXES, NULL},
		{"step", 0, MV_OPT_FN, o, 0, 0, parse_step},
		{"min-coverage", 0, MV_OPT_FN, o, 0, 0, parse_mincov},
		{"output", 'o', MV_OPT_STRING, &o->output, 0, 0, NULL},
		{"jobs", 'j', MV_OPT_LONG, &o->jobs, 1, 1024, NULL},
		{"set", 's', MV_OPT_STRINGS, &o->sets, 0, 0, NULL},
		{"quiet", 'q', MV_OPT_FLAG, &o->quiet, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	int first, rc;

	memset(o, 0, sizeof *o);
	mv_prim_options_default(&o->opt);
	o->boxes = 1;
	if ((rc = mv_cli_options("discover", argc, argv, opts, &first)) >= 0 ||
	    (rc = mv_cli_one_operand("discover", argc, argv, first, "SUMMARY.tsv or SWEEP.cfg",
				     &o->file)) >= 0)
		return rc;
	if (o->metric == NULL)
		return mv_cli_usage_error("discover", "missing --metric NAME (the column that "
					  "decides a case of interest)");
	if (o->above && o->below)
		return mv_cli_usage_error("discover", "--above and --below: expected one of them, "
					  "found both");
	if (!o->above && !o->below)
		return mv_cli_usage_error("discover", "missing --above X or --below X (a case of "
					  "interest is %s > X or %s < X)", o->metric, o->metric);
	if (o->have_step && o->have_mincov)
		return mv_cli_usage_error("discover", "--step and --min-coverage: expected one way "
					  "to choose a box, found both");
	if (o->opt.nsteps > o->boxes)
		return mv_cli_usage_error("discover", "--step: expected at most one step per box "
					  "(--boxes %ld), found %d", o->boxes, o->opt.nsteps);
	size_t len = strlen(o->file);
	int sweep = len > 4 && strcmp(o->file + len - 4, ".cfg") == 0;
	if (!sweep && (o->jobs || o->sets.n || o->quiet))
		return mv_cli_usage_error("discover", "%s applies to a sweep file (SWEEP.cfg) only",
					  o->jobs ? "--jobs" : o->sets.n ? "--set" : "--quiet");
	o->opt.rule = o->above ? MV_PRIM_ABOVE : MV_PRIM_BELOW;
	o->opt.threshold = strtod(o->above ? o->above : o->below, NULL);
	o->opt.boxes = (int)o->boxes;
	return -1;
}

/* --params LIST split at commas into a malloc'd array of pointers into a malloc'd copy
 * (*copy). Returns the count, or -1 after a usage error (an empty name). */
static int split_params(const char *list, char **copy, char ***names)
{
	int n = 1;

	*names = NULL;
	if ((*copy = strdup(list)) == NULL)
		return mv_cli_usage_error("discover", "out of memory"), -1;
	for (const char *s = list; *s; s++)
		n += *s == ',';
	if ((*names = malloc((size_t)n * sizeof **names)) == NULL)
		return mv_cli_usage_error("discover", "out of memory"), -1;
	char *s = *copy;
	for (int k = 0; k < n; k++) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (*s == '\0') {
			mv_cli_usage_error("discover", "--params: expected comma-separated column "
					   "names, found an empty name in '%.100s'", list);
			return -1;
		}
		(*names)[k] = s;
		s = comma ? comma + 1 : s;
	}
	return n;
}

/* ================================================================ a sweep file */

/* The index of name among names[0..n), or -1 with err: "what 'name' is not ... (did you
 * mean)". */
static int find_name(const char *path, const char *name, char *const *names, int n,
		     const char *what, struct mv_error *err)
{
	char list[400];

	for (int k = 0; k < n; k++)
		if (strcmp(names[k], name) == 0)
			return k;
	const char *s = mv_suggest(name, (const char *const *)names, n);
	if (n == 0)
		snprintf(list, sizeof list, "none");
	else
		mv_names_join((const char *const *)names, n, ", ", " or ", list, sizeof list);
	mv_error_set(err, MV_EXIT_INPUT, "%s: no %s '%s' in the sweep (its %ss: %s)%s%s%s", path,
		     what, name, what, list, s ? "; did you mean '" : "", s ? s : "",
		     s ? "'?" : "");
	return -1;
}

/* v as the sweep's summary holds it (mv_format_number: %.10g), so that `discover SWEEP.cfg`
 * finds exactly the boxes `sweep SWEEP.cfg -o S.tsv` then `discover S.tsv` finds. */
static double as_summary(double v)
{
	char buf[40];
	if (isnan(v))
		return v;
	mv_format_number(v, buf);
	return strtod(buf, NULL);
}

struct progress_ctx {
	struct mv_progress prog;
	long done;
};

static void on_progress(void *ctx, long done)
{
	struct progress_ctx *p = ctx;
	p->done = done;
	mv_progress_update(&p->prog, done, 0);
}

/* Runs the sweep file's runs and makes PRIM's input of them: the metric and the parameters
 * (pnames, or every parameter of the sweep). Returns 0 with *out set, -1 with err set (its
 * code the exit status; an interruption 128 + signal). */
static int sweep_input(const struct discover_opts *o, char **pnames, int np,
		       struct mv_prim_input **out, struct mv_error *err)
{
	struct mv_sweep *sw = mv_sweep_load(o->file, o->sets.n, o->sets.v, err);
	struct mv_sweep_runs *runs = NULL;
	struct mv_prim_input *in = NULL;
	struct progress_ctx pc = {0};
	int cols[MV_PRIM_MAX_PARAMS], mcol, rc = -1;

	*out = NULL;
	if (sw == NULL)
		return -1;
	char **keys = malloc((size_t)sw->nparams * sizeof *keys);
	if (keys == NULL)
		goto oom;
	for (int j = 0; j < sw->nparams; j++)
		keys[j] = sw->params[j].key;
	if ((mcol = find_name(sw->path, o->metric, sw->metric_names, sw->nmetrics, "metric",
			      err)) < 0)
		goto out;
	if (pnames == NULL)
		np = sw->nparams;
	for (int j = 0; j < np; j++) {
		for (int q = 0; pnames && q < j; q++)
			if (strcmp(pnames[q], pnames[j]) == 0) {
				mv_error_set(err, MV_EXIT_INPUT, "%s: parameter '%s' is named twice",
					     sw->path, pnames[j]);
				goto out;
			}
		if ((cols[j] = pnames ? find_name(sw->path, pnames[j], keys, sw->nparams,
						  "parameter", err) : j) < 0)
			goto out;
	}
	mv_progress_start(&pc.prog, "discover", sw->nruns, 0, o->quiet);
	mv_progress_update(&pc.prog, 0, 1);
	int crc = mv_sweep_collect(sw, (int)o->jobs, on_progress, &pc, &runs, err);
	mv_progress_update(&pc.prog, pc.done, 1);
	mv_progress_clear(&pc.prog);
	if (crc > 0) {
		mv_cli_stopped_error(1, pc.done, sw->nruns, "discover", err);
		goto out;
	}
	if (crc < 0)
		goto out;
	if (runs->nfailed > 0)
		fprintf(stderr, "mvsim discover: %ld of %ld runs failed and are left out (the "
			"first, run %ld: %s)\n", runs->nfailed, runs->n, runs->first_failed,
			runs->first_reason);

	/* PRIM's input: the chosen columns of the runs. */
	if ((in = calloc(1, sizeof *in)) == NULL || (in->names = calloc((size_t)np, sizeof *in->names)) == NULL ||
	    (in->metric = strdup(o->metric)) == NULL || (in->source = strdup(sw->path)) == NULL ||
	    (in->x = malloc((size_t)runs->n * (size_t)np * sizeof *in->x)) == NULL ||
	    (in->y = malloc((size_t)runs->n * sizeof *in->y)) == NULL ||
	    (in->failed = malloc((size_t)runs->n)) == NULL)
		goto oom;
	for (int j = 0; j < np; j++) {
		if ((in->names[j] = strdup(keys[cols[j]])) == NULL)
			goto oom;
		in->p = j + 1;
	}
	in->n = runs->n;
	for (long r = 0; r < runs->n; r++) {
		for (int j = 0; j < np; j++)
			in->x[(size_t)r * np + j] =
				as_summary(runs->x[(size_t)r * runs->nparams + cols[j]]);
		in->y[r] = as_summary(runs->metrics[(size_t)r * runs->nmetrics + mcol]);
		in->failed[r] = runs->failed[r];
	}
	*out = in;
	in = NULL;
	rc = 0;
	goto out;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
out:
	mv_prim_input_free(in);
	mv_sweep_runs_free(runs);
	free(keys);
	mv_sweep_free(sw);
	return rc;
}

/* ================================================================ the command */

int mv_cmd_discover(int argc, char **argv)
{
	struct discover_opts o;
	struct mv_error err = {0};
	struct mv_prim_input *in = NULL;
	struct mv_prim_result *r = NULL;
	struct mv_outfile *of = NULL;
	struct mv_file_id id;
	char *copy = NULL, **pnames = NULL, line[2048];
	int np = 0, rc;

	if ((rc = parse_discover_opts(argc, argv, &o)) >= 0)
		goto out;
	if (o.params && (np = split_params(o.params, &copy, &pnames)) < 0) {
		rc = MV_EXIT_INPUT;
		goto out;
	}
	/* The output is opened first: a bad path is reported before any work, and the input
	 * is never overwritten. */
	int have_id = mv_file_id_of(o.file, &id) == 0;
	if (o.output && (of = mv_outfile_open(o.output, &id, have_id, &err)) == NULL)
		goto fail;
	size_t len = strlen(o.file);
	if (len > 4 && strcmp(o.file + len - 4, ".cfg") == 0) {
		if (sweep_input(&o, pnames, np, &in, &err))
			goto fail;
	} else if (mv_prim_read(o.file, o.metric, (const char *const *)pnames, np, &in, &err)) {
		goto fail;
	}
	if (mv_prim_options_check(&o.opt, &err) || mv_prim_run(in, &o.opt, &r, &err))
		goto fail;
	if (mv_prim_write(of ? mv_outfile_stream(of) : stdout, r, &err))
		goto fail;
	if (of) {
		struct mv_outfile *f = of;
		of = NULL;
		if (mv_outfile_commit(f, &err))
			goto fail;
	} else if ((rc = mv_cli_finish_stdout(MV_EXIT_OK)) != MV_EXIT_OK) {
		goto out;
	}
	if (r->left_failed || r->left_nan)
		fprintf(stderr, "mvsim discover: %ld of %ld runs left out (%ld failed, %ld with %s "
			"nan)\n", r->left_failed + r->left_nan, r->rows, r->left_failed, r->left_nan,
			r->metric);
	for (int b = 0; b < r->nboxes; b++) {
		mv_prim_summary(r, b, line, sizeof line);
		fprintf(stderr, "%s\n", line);
	}
	if (r->stopped[0])
		fprintf(stderr, "mvsim discover: %d of %d boxes: %s\n", r->nboxes, r->opt.boxes,
			r->stopped);
	rc = MV_EXIT_OK;
	goto out;
fail:
	rc = mv_cli_report(&err);
out:
	mv_outfile_abort(of);
	mv_prim_result_free(r);
	mv_prim_input_free(in);
	free(pnames);
	free(copy);
	free(o.sets.v);
	return rc;
}
