/* cmd_plot.c — `mvsim plot`: checks result files, then runs gnuplot on scripts/<kind>.gp.
 * gnuplot runs without a shell; anything it prints on stderr counts as a failure. */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"


#include "mvsim/error.h"
#include "mvsim/fit.h"
#include "mvsim/gnuplot.h"
#include "mvsim/names.h"
#include "mvsim/outfile.h"
#include "mvsim/resultfile.h"
#include "mvsim/tsv.h"
#include "mvsim/keys.h"     /* mv_keytab_suggest, for "did you mean" */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MV_SCRIPTDIR
#define MV_SCRIPTDIR "/usr/local/share/mvsim/scripts" /* the Makefile passes $(PREFIX)/... */
#endif

struct mv_resultfile;

/* The options some figures take, each handed to the script as a gnuplot string variable. */
enum { FIG_X, FIG_Y, FIG_METRIC, FIG_REPORT, NFIGOPTS };
#define TAKES(o) (1u << (o))

/* What the value of a figure option names, which decides how it is checked. */
enum { NAMES_FILE, NAMES_PARAMETER, NAMES_METRIC };

struct fig_option {
	const char *option; /* on the command line */
	const char *var;    /* the script's variable */
	const char *value;  /* its argument, in messages ("KEY": "--x KEY") */
	int names;          /* NAMES_*: a parameter or metric of a sweep summary (letters,
			     * digits, '_', '.', ':', '>'), or a file */
	const char *(*dflt)(const struct mv_resultfile *r); /* the value when a kind takes the option
						       * and it is not given; NULL: none */
};

static const char *first_metric(const struct mv_resultfile *r);

static const struct fig_option fig_options[NFIGOPTS] = {
	[FIG_X] = {"--x", "x", "KEY", NAMES_PARAMETER, NULL},
	[FIG_Y] = {"--y", "y", "KEY", NAMES_PARAMETER, NULL},
	[FIG_METRIC] = {"--metric", "z", "METRIC", NAMES_METRIC, first_metric},
	[FIG_REPORT] = {"--report", "report", "REPORT.tsv", NAMES_FILE, NULL},
};

/* A figure kind: the script that draws it, the file it draws and the columns it needs. In a
 * column pattern, "%v" stands for every vector id and "%d" for every domain id (from the '#'
 * lines), and a leading "*" for any name that ends with the rest (at least one column must). */
struct plot_kind {
	const char *name;       /* --kind value */
	const char *script;     /* file in the scripts directory */
	const char *suffix;     /* output name: <input without .tsv>-<suffix>.<ext> */
	const char *columns[6]; /* required column patterns, NULL-terminated */
	const char *result;     /* what the file is: its '# result' line, else the words after
				 * the version on its first line ("sweep summary"); NULL: a
				 * run's time series */
	const char *from;       /* the command that writes such files (for messages) */
	int dflt;               /* 1: drawn when no --kind is given for such a file (for a
				 * run's time series: the figures of --kind all) */
	int vectors;            /* 1: the file must have '# vector' lines; 0: it must be a
				 * `result`, which is all that tells it apart */
	unsigned takes, needs;  /* TAKES(FIG_*): the options it reads; those without a default
				 * it cannot do without */
	/* Checks what the columns cannot tell (NULL: nothing more). val[FIG_*] holds each
	 * option taken, given or defaulted. Returns 0, or -1 with err (code 2). */
	int (*check)(const struct mv_resultfile *r, const char *path, const char *const *val,
		     struct mv_error *err);
};

static int check_heatmap(const struct mv_resultfile *r, const char *path, const char *const *val,
			 struct mv_error *err);
static int check_scatter(const struct mv_resultfile *r, const char *path, const char *const *val,
			 struct mv_error *err);
static int check_fit(const struct mv_resultfile *r, const char *path, const char *const *val,
		     struct mv_error *err);
static int check_discovery(const struct mv_resultfile *r, const char *path, const char *const *val,
			   struct mv_error *err);

static const struct plot_kind kinds[] = {
	{"shares", "shares.gp", "shares", {"t", "share_%v", "share_%d_%v", NULL}, NULL, "run",
	 .dflt = 1, .vectors = 1},
	{"plane", "plane.gp", "plane", {"t", "share_%v", "tilt_x", "tilt_y", NULL}, NULL, "run",
	 .dflt = 1, .vectors = 1},
	{"tension", "tension.gp", "tension", {"t", "tension_%v", "hazard", "crisis_prob", NULL},
	 NULL, "run", .dflt = 1, .vectors = 1},
	{"diversity", "diversity.gp", "diversity", {"t", "n_eff", "entropy", NULL}, NULL, "run",
	 .dflt = 1, .vectors = 1},
	{"fan", "fan.gp", "fan", {"t", "*_p05", "*_p25", "*_p50", "*_p75", NULL}, "ensemble",
	 "ensemble", .dflt = 1, .vectors = 1},
	{"sensitivity", "sensitivity.gp", "sensitivity", {"metric", "parameter", "rank", "note", NULL},
	 "sensitivity", "sensitivity", .dflt = 1, .vectors = 1},
	{"heatmap", "heatmap.gp", "heatmap", {"run", NULL}, "sweep summary", "sweep",
	 .takes = TAKES(FIG_X) | TAKES(FIG_Y) | TAKES(FIG_METRIC),
	 .needs = TAKES(FIG_X) | TAKES(FIG_Y) | TAKES(FIG_METRIC), .check = check_heatmap},
	{"scatter", "scatter.gp", "scatter", {"run", NULL}, "sweep summary", "sweep", .dflt = 1,
	 .takes = TAKES(FIG_METRIC), .check = check_scatter},
	{"fit", "fit.gp", "fit", {"t", NULL}, NULL, "run", .vectors = 1,
	 .takes = TAKES(FIG_REPORT), .needs = TAKES(FIG_REPORT), .check = check_fit},
	{"tradeoff", "tradeoff.gp", "tradeoff", {"rows", "points", "cases", NULL},
	 "scenario discovery", "discover", .dflt = 1, .check = check_discovery},
	{"box", "box.gp", "box", {"rows", "points", "cases", NULL}, "scenario discovery",
	 "discover", .dflt = 1, .check = check_discovery},
};
#define NKINDS (int)(sizeof kinds / sizeof kinds[0])

/* --compare: its columns come from --columns (or the default), checked in every file. */
static const struct plot_kind compare_kind = {"compare", "compare.gp", "compare", {"t", NULL},
					      NULL, "run", .vectors = 1};

/* An output format: its name (also the file extension) and the gnuplot terminal. */
struct plot_format {
	const char *name;
	const char *term;
};

static const struct plot_format formats[] = {
	{"png", "pngcairo"},
	{"svg", "svg"},
	{"pdf", "pdfcairo"},
};
#define NFORMATS (int)(sizeof formats / sizeof formats[0])

const char mv_plot_usage[] =
	"usage: mvsim plot RESULT.tsv [--kind KIND] [-o FILE] [--format {bar:plot formats}]\n"
	"       mvsim plot SUMMARY.tsv [--kind scatter] [--metric METRIC] [-o FILE] [...]\n"
	"       mvsim plot SUMMARY.tsv --kind heatmap --x KEY --y KEY --metric METRIC [...]\n"
	"       mvsim plot FITTED.tsv --report REPORT.tsv [-o FILE] [--format {bar:plot formats}]\n"
	"       mvsim plot --compare A.tsv B.tsv ... [--columns \"C1 C2 ...\"] [-o FILE]\n"
	"                  [--format {bar:plot formats}]\n"
	"\n"
	"Draws figures of results written by 'mvsim run', 'mvsim ensemble', 'mvsim\n"
	"sensitivity', 'mvsim sweep' (or 'merge') and 'mvsim fit', with gnuplot and the\n"
	"scripts <kind>.gp and compare.gp (docs/plotting.md).\n"
	"\n"
	"  -k, --kind KIND       shares     overall and per-domain alignment shares\n"
	"                        plane      the alignment plane: vectors, tilt trajectory\n"
	"                        tension    tension per vector, hazard, crisis probability\n"
	"                        diversity  n_eff and entropy against their ideal\n"
	"                        all        all four (the default for a run's result)\n"
	"                        fan        an ensemble's median, 50% and 90% bands per\n"
	"                                   column (the default for 'mvsim ensemble')\n"
	"                        sensitivity  Sobol' S1 and ST bars with their intervals, or\n"
	"                                   Morris mu* against sigma (the default for\n"
	"                                   'mvsim sensitivity')\n"
	"                        scatter    a sweep summary: --metric against each parameter,\n"
	"                                   a panel each (the default for 'mvsim sweep')\n"
	"                        heatmap    a sweep summary of exactly two parameters:\n"
	"                                   --metric over --x and --y as a colour map\n"
	"                        fit        a run of a fitted scenario ('mvsim run\n"
	"                                   FITTED.cfg') with the observations of --report,\n"
	"                                   the holdout shaded, persistence dashed\n"
	"                        tradeoff   'mvsim discover': coverage against density\n"
	"                                   along each box's trajectory, coloured by the\n"
	"                                   restricted dimensions, the chosen step marked\n"
	"                        box        'mvsim discover': each restricted parameter's\n"
	"                                   limits on its sampled range, quasi-p-values\n"
	"                                   (both are the default for 'mvsim discover')\n"
	"      --x KEY, --y KEY  heatmap: the parameters on the x and y axes ('# parameter')\n"
	"      --metric METRIC   heatmap, scatter: the metric drawn ('# metric'); scatter's\n"
	"                        default is the summary's first metric\n"
	"      --report FILE     fit: the report of 'mvsim fit --report FILE'; without\n"
	"                        --kind it means --kind fit\n"
	"  -o, --output FILE     write the figure to FILE (one figure only: not with\n"
	"                        --kind all); default: beside the input, named\n"
	"                        RESULT-KIND.EXT (out/baseline.tsv -> out/baseline-shares.png)\n"
	"  -f, --format FORMAT   {or:plot formats} (png: 1200x800 pixels); default: the extension\n"
	"                        of -o, else png\n"
	"      --compare         overlay two or more results, one panel per column, one\n"
	"                        line style per run; default output FIRST-compare.EXT\n"
	"      --columns \"C ...\" the columns to compare (default: share_<v> of every\n"
	"                        vector of the first result, then crisis_prob)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Without --kind, a file gets the figure of what it is: a run's result all four of\n"
	"its figures (fit with --report), an ensemble fan, an analysis sensitivity, a sweep\n"
	"summary scatter (heatmap with --x and --y), a discovery tradeoff and box.\n"
	"\n"
	"Environment: GNUPLOT, the gnuplot to run (default: gnuplot on PATH);\n"
	"MVSIM_SCRIPTS, the scripts directory (default: <dir of mvsim>/../scripts, then\n"
	MV_SCRIPTDIR ").\n"
	"\n"
	"Exit status: 0 ok, 1 gnuplot missing or failed (an error or warning from gnuplot\n"
	"counts; no figure is left behind), 2 usage or input error (nothing is drawn).\n";

/* ---- small helpers ------------------------------------------------------------------- */

static void usage_error(const char *msg, const char *arg)
{
	fputs("mvsim plot: ", stderr);
	fprintf(stderr, msg, arg);
	fputs("\n(see 'mvsim plot --help')\n", stderr);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- what a result file holds (resultfile.h) ---------------------------------------- */

static const char *first_metric(const struct mv_resultfile *r)
{
	return r->nmet > 0 ? r->met[0] : NULL;
}

/* 1 when r has a column `name` (mv_resultfile_column). */
static int result_has(const struct mv_resultfile *r, const char *name)
{
	return mv_resultfile_column(r, name) >= 0;
}

/* 1 when some column's name ends with suffix (and is longer). */
static int result_has_suffix(const struct mv_resultfile *r, const char *suffix)
{
	for (int c = 0; c < r->ncol; c++)
		if (strlen(r->col[c]) > strlen(suffix) && ends_with(r->col[c], suffix))
			return 1;
	return 0;
}

/* Expands pattern ("%v" -> vec, "%d" -> dom) into buf. Returns 0, or -1 if it is too long. */
static int expand(char *buf, size_t size, const char *pattern, const char *vec, const char *dom)
{
	size_t used = 0;
	for (const char *p = pattern; *p; p++) {
		const char *put = NULL;
		if (p[0] == '%' && p[1] == 'v')
			put = vec;
		else if (p[0] == '%' && p[1] == 'd')
			put = dom;
		size_t n = put ? strlen(put) : 1;
		if (used + n + 1 > size)
			return -1;
		memcpy(buf + used, put ? put : p, n);
		used += n;
		p += put != NULL;
	}
	buf[used] = '\0';
	return 0;
}

/* Checks r is the file kind k draws and has every column it needs, each vector's and domain's.
 * Returns 0, or -1 with err (code 2) saying what the file is or naming the first absent column. */
static int check_kind(const struct mv_resultfile *r, const char *path, const struct plot_kind *k,
		      struct mv_error *err)
{
	char name[256];
	if (!k->vectors && (r->result == NULL || strcmp(r->result, k->result) != 0))
		return mv_error_set(err, MV_EXIT_INPUT, "%s: not a%s %s (the first line should be "
				    "'# mvsim ... %s', as 'mvsim %s' writes)", path,
				    strchr("aeiou", k->result[0]) ? "n" : "", k->result, k->result,
				    k->from);
	if (k->vectors && r->nvec == 0) {
		if (r->result == NULL || (k->result && strcmp(r->result, k->result) == 0))
			return mv_error_set(err, MV_EXIT_INPUT, "%s: no '# vector' lines before the "
					    "header", path);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: a %s, not what 'mvsim %s' writes (the %s "
				    "figure draws that)%s%s", path, r->result, k->from, k->name,
				    strcmp(r->result, "fit report") == 0 ? "; a fit is drawn from a run "
				    "of the fitted scenario: mvsim plot FITTED.tsv --report " : "",
				    strcmp(r->result, "fit report") == 0 ? path : "");
	}
	for (const char *const *pat = k->columns; *pat; pat++) {
		if ((*pat)[0] == '*') {
			if (!result_has_suffix(r, *pat + 1))
				return mv_error_set(err, MV_EXIT_INPUT, "%s: no column ending in '%s' (the "
						    "%s figure needs one, as 'mvsim %s' writes)", path,
						    *pat + 1, k->name, k->from);
			continue;
		}
		int nv = strstr(*pat, "%v") ? r->nvec : 1;
		int nd = strstr(*pat, "%d") ? r->ndom : 1;
		for (int d = 0; d < nd; d++)
			for (int i = 0; i < nv; i++) {
				if (expand(name, sizeof name, *pat, r->nvec ? r->vec[i] : "",
					   r->ndom ? r->dom[d] : ""))
					return mv_error_set(err, MV_EXIT_INPUT, "%s: id too long", path);
				if (!result_has(r, name))
					return mv_error_set(err, MV_EXIT_INPUT, "%s: column '%s' is absent "
							    "(the %s figure needs it)", path, name, k->name);
			}
	}
	return 0;
}

/* ---- the options of sweep and fit figures --------------------------------------------- */

/* 1 when name is a column name a figure option may carry: letters, digits, '_', '.', ':',
 * '>' (docs/model.md §4 keys, §9 metrics), which also keeps it safe inside a gnuplot string. */
static int valid_name(const char *name)
{
	if (name[0] == '\0')
		return 0;
	for (const char *s = name; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_.:>", *s)))
			return 0;
	return 1;
}


/* "a, b or c" (last: " or ") of names[0..n) into buf, cut short with ", ..." when it does
 * not fit; "none" when n is 0. */
static void list_names(char *buf, size_t size, char *const *names, int n, const char *last)
{
	size_t used = 0;
	snprintf(buf, size, "none");
	for (int k = 0; k < n; k++) {
		const char *sep = k == 0 ? "" : k == n - 1 ? last : ", ";
		if (used + strlen(sep) + strlen(names[k]) + 6 >= size) {
			snprintf(buf + used, size - used, ", ...");
			return;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, names[k]);
	}
}

/* The names an option of kind NAMES_PARAMETER or NAMES_METRIC is one of. */
static char *const *option_names(const struct mv_resultfile *r, int names, int *n)
{
	*n = names == NAMES_PARAMETER ? r->npar : names == NAMES_METRIC ? r->nmet : 0;
	return names == NAMES_PARAMETER ? r->par : r->met;
}

/* Fills val[FIG_*] for kind k from the given options (given[FIG_*], NULL when absent) and the
 * defaults, then checks each: present when the kind needs it, a parameter or metric of the
 * sweep. Returns 0, or -1 with err (code 2) saying what is missing, or which column is
 * absent and what the sweep has (with the closest name). */
static int resolve_options(const struct mv_resultfile *r, const char *path, const struct plot_kind *k,
			   const char *const *given, const char **val, struct mv_error *err)
{
	static const char *const what[] = {
		[NAMES_FILE] = "the report written by 'mvsim fit FIT.cfg --report REPORT.tsv'",
		[NAMES_PARAMETER] = "a parameter of the sweep", [NAMES_METRIC] = "a metric of the sweep"};
	char list[400];

	for (int o = 0; o < NFIGOPTS; o++) {
		const struct fig_option *fo = &fig_options[o];
		int n;
		char *const *names = option_names(r, fo->names, &n);

		val[o] = NULL;
		if (!(k->takes & TAKES(o)))
			continue;
		val[o] = given[o] ? given[o]
			 : fo->dflt && !(k->needs & TAKES(o)) ? fo->dflt(r) : NULL;
		list_names(list, sizeof list, names, n, " or ");
		if (val[o] == NULL)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: the %s figure needs %s %s, %s%s%s",
					    path, k->name, fo->option, fo->value, what[fo->names],
					    fo->names == NAMES_FILE ? "" : ": ",
					    fo->names == NAMES_FILE ? "" : list);
		if (fo->names == NAMES_FILE)
			continue;
		int found = 0;
		for (int j = 0; j < n && !found; j++)
			found = strcmp(names[j], val[o]) == 0;
		if (found && result_has(r, val[o]))
			continue;
		if (result_has(r, val[o]))
			return mv_error_set(err, MV_EXIT_INPUT, "%s: %s '%s' is not %s (%s: %s)", path,
					    fo->option, val[o], what[fo->names],
					    fo->names == NAMES_PARAMETER ? "its parameters" : "its metrics",
					    list);
		const char *s = mv_suggest(val[o], (const char *const *)names, n);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: column '%s' is absent (%s takes %s: "
				    "%s)%s%s%s", path, val[o], fo->option, what[fo->names], list,
				    s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
	}
	return 0;
}

/* Reads a sweep summary's rows: it must end with the '# complete' line (the .partial file of
 * an interrupted sweep does not), and column `metric` must hold a number in some row (a
 * figure of nothing but nan draws nothing). Returns 0, or -1 with err (code 2). */
static int scan_summary(const struct mv_resultfile *r, const char *path, const char *metric,
			struct mv_error *err)
{
	int col, header = 0, complete = 0, got;
	long numbers = 0;
	struct mv_tsv *t;
	struct mv_error rerr = {0};

	col = mv_resultfile_column(r, metric);
	if ((t = mv_tsv_open(path, MV_TSV_CRLF, err)) == NULL)
		return -1;
	while ((got = mv_tsv_next(t, &rerr)) > 0) {
		const char *line = mv_tsv_line(t);
		if (line[0] == '\0')
			continue;
		complete = strncmp(line, "# complete", 10) == 0 && strchr("\t\r\n", line[10]);
		if (line[0] == '#')
			continue;
		if (!header) {
			header = 1;
			continue;
		}
		const char *s = line;
		for (int c = 0; c < col && s; c++)
			if ((s = strchr(s, '\t')) != NULL)
				s++;
		char *end;
		double v = s ? strtod(s, &end) : NAN;
		numbers += s && end != s && isfinite(v);
	}
	mv_tsv_close(t);
	if (got < 0)
		return mv_error_set(err, MV_EXIT_INPUT, "%s: read error", path);
	if (!complete)
		return mv_error_set(err, MV_EXIT_INPUT, "%s: an incomplete sweep summary (its last "
				    "line is not '# complete'): finish the sweep first (mvsim sweep "
				    "... --resume)", path);
	if (numbers == 0)
		return mv_error_set(err, MV_EXIT_INPUT, "%s: no run has a number for '%s' (every "
				    "value is nan: failed runs, or a cross: that never happens)", path,
				    metric);
	return 0;
}

static int check_scatter(const struct mv_resultfile *r, const char *path, const char *const *val,
			 struct mv_error *err)
{
	if (r->npar < 1)
		return mv_error_set(err, MV_EXIT_INPUT, "%s: no '# parameter' lines (the scatter "
				    "figure draws the metric against each parameter)", path);
	return scan_summary(r, path, val[FIG_METRIC], err);
}

/* A map needs one run per (x, y): a sweep of exactly these two parameters (heatmap.gp). */
static int check_heatmap(const struct mv_resultfile *r, const char *path, const char *const *val,
			 struct mv_error *err)
{
	char list[400];

	if (strcmp(val[FIG_X], val[FIG_Y]) == 0)
		return mv_error_set(err, MV_EXIT_INPUT, "--x and --y both name '%s': a heatmap needs "
				    "two different parameters", val[FIG_X]);
	if (r->npar != 2) {
		list_names(list, sizeof list, r->par, r->npar, " and ");
		return mv_error_set(err, MV_EXIT_INPUT, "%s: a heatmap needs a sweep of exactly two "
				    "parameters, --x and --y; this one has %d (%s): draw --kind "
				    "scatter, or sweep only two", path, r->npar, list);
	}
	return scan_summary(r, path, val[FIG_METRIC], err);
}

/* The tables of a fit report that fit.gp reads, by gnuplot data set (blocks separated by two
 * blank lines; the metadata and 'parameters' are the first), and the columns it reads. */
static const struct {
	const char *name;
	int index;
	const char *columns[10];
} report_tables[] = {
	{"origins", 0, {"origin", "end", "status", NULL}},
	{"scores", 4, {"origin", "series", "rmse_scored", "rmse_persistence", "rmse_mean", "rmse_drift", NULL}},
	{"residuals", 5, {"origin", "t", "column", "set", "observed", "model", "persistence", "mean", "drift", NULL}},
};
#define NREPORT_TABLES (int)(sizeof report_tables / sizeof report_tables[0])

/* Index (from 0) of column name among columns[0..n), or -1. */
static int column_index(char *const *columns, int n, const char *name)
{
	for (int c = 0; c < n; c++)
		if (strcmp(columns[c], name) == 0)
			return c;
	return -1;
}

/* Checks one table of a report (read by mv_fit_report_read) where fit.gp reads it as
 * report_tables[k]: its data set, its columns, and for the scores every series a column of
 * r (run path). Adds its rows to *rows (the scores' without the pooled "all"). Returns 0, or
 * -1 with err (code 2). */
static int check_report_table(const struct mv_resultfile *r, const char *path, const char *report,
			      const struct mv_fit_report_table *tab, int k, long *rows,
			      struct mv_error *err)
{
	int scores = strcmp(report_tables[k].name, "scores") == 0;

	if (tab->dataset != report_tables[k].index)
		return mv_error_set(err, MV_EXIT_INPUT, "--report %s:%ld: table '%s' is data set "
				    "%d, not %d where fit.gp reads it", report, tab->line,
				    report_tables[k].name, tab->dataset, report_tables[k].index);
	if (tab->header_line == 0)
		return 0;
	for (const char *const *c = report_tables[k].columns; *c; c++)
		if (column_index(tab->columns, tab->ncolumns, *c) < 0)
			return mv_error_set(err, MV_EXIT_INPUT, "--report %s:%ld: table '%s' has no "
					    "column '%s'", report, tab->header_line,
					    report_tables[k].name, *c);
	int series = column_index(tab->columns, tab->ncolumns, "series");
	for (long j = 0; j < tab->nrows; j++) {
		const struct mv_fit_report_row *row = &tab->rows[j];
		if (!scores) {
			(*rows)++;
			continue;
		}
		const char *ser = series < row->nfields ? row->fields[series] : NULL;
		if (ser == NULL)
			return mv_error_set(err, MV_EXIT_INPUT, "--report %s:%ld: a row without its "
					    "series", report, row->line);
		if (strcmp(ser, "all") != 0 && !result_has(r, ser))
			return mv_error_set(err, MV_EXIT_INPUT, "%s: column '%s' is absent (--report "
					    "%s scores it: draw a run of the fitted scenario, mvsim "
					    "run FITTED.cfg -o FITTED.tsv)", path, ser, report);
		*rows += strcmp(ser, "all") != 0;
	}
	return 0;
}

/* Checks the report of a fit (val[FIG_REPORT]) against r, a run to draw with it: a report
 * of 'mvsim fit' (mv_fit_report_read), its scores and residuals tables where fit.gp reads
 * them, with their columns and a row each, every series it scores a column of r, and r a
 * run of the scenario fitted ('# scenario_name') or of the fitted one (the name + "
 * (fitted)", as 'mvsim fit -o' writes it). Returns 0, or -1 with err (code 2). */
static int check_fit(const struct mv_resultfile *r, const char *path, const char *const *val,
		     struct mv_error *err)
{
	const char *report = val[FIG_REPORT];
	struct mv_fit_report *rep;
	struct mv_error rerr = {0};
	long rows[NREPORT_TABLES] = {0};
	int seen[NREPORT_TABLES] = {0}, rc = -1;

	if (strchr(report, '\n'))
		return mv_error_set(err, MV_EXIT_INPUT, "a file name with a newline is not supported");
	int got = mv_fit_report_read(report, &rep, &rerr);
	if (got < 0)
		return mv_error_set(err, rerr.code, "--report %s", rerr.msg);
	for (int t = 0; t < rep->ntables; t++)
		for (int k = 0; k < NREPORT_TABLES; k++)
			if (strcmp(rep->tables[t].name, report_tables[k].name) == 0) {
				seen[k] = 1;
				if (check_report_table(r, path, report, &rep->tables[t], k, &rows[k],
						       err))
					goto out;
			}
	if (got > 0) { /* the tables before the read error were sound: the error is the news */
		mv_error_set(err, rerr.code, "--report %s", rerr.msg);
		goto out;
	}
	for (int k = 0; k < NREPORT_TABLES; k++)
		if (!seen[k] || rows[k] == 0) {
			mv_error_set(err, MV_EXIT_INPUT, "--report %s: %s table '%s'", report,
				     seen[k] ? "no rows in" : "no", report_tables[k].name);
			goto out;
		}
	const char *name = rep->scenario_name;
	if (name != NULL && r->scenario != NULL && strcmp(r->scenario, name) != 0 &&
	    !(strncmp(r->scenario, name, strlen(name)) == 0 &&
	      strcmp(r->scenario + strlen(name), " (fitted)") == 0)) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: a run of '%s', but --report %s fits '%s' (draw "
			     "a run of the fitted scenario: mvsim run FITTED.cfg -o FITTED.tsv)", path,
			     r->scenario, report, name);
		goto out;
	}
	rc = 0;
out:
	mv_fit_report_free(rep);
	return rc;
}

/* The tables of `mvsim discover` (mv_prim_write) that tradeoff.gp and box.gp read: the
 * trajectory, boxes and limits tables, each with the columns the scripts read and a row.
 * Returns 0, or -1 with err (code 2) naming the table or column. */
static int check_discovery(const struct mv_resultfile *r, const char *path, const char *const *val,
			   struct mv_error *err)
{
	static const struct {
		const char *name;
		const char *columns[8];
	} tabs[] = {
		{"trajectory", {"box", "step", "phase", "coverage", "density", "restricted", NULL}},
		{"boxes", {"box", "step", "coverage_all", "density_all", "mass_all", NULL}},
		{"limits", {"box", "parameter", "min", "max", "initial_min", "initial_max", NULL}},
	};
	enum { NTABS = sizeof tabs / sizeof tabs[0] };
	int table = -1, header = 0, rows[NTABS] = {0}, seen[NTABS] = {0}, got;
	struct mv_error rerr = {0};
	struct mv_tsv *t;

	(void)r;
	(void)val;
	if ((t = mv_tsv_open(path, MV_TSV_CRLF, err)) == NULL)
		return -1;
	while ((got = mv_tsv_next(t, &rerr)) > 0) {
		const char *line = mv_tsv_line(t);
		if (strncmp(line, "# table: ", 9) == 0) {
			table = -1;
			header = 1;
			for (int k = 0; k < NTABS; k++)
				if (strcmp(line + 9, tabs[k].name) == 0)
					seen[table = k] = 1;
			continue;
		}
		if (line[0] == '#' || line[0] == '\0' || table < 0)
			continue;
		if (header) {
			header = 0;
			for (const char *const *c = tabs[table].columns; *c; c++)
				if (mv_tsv_field_index(line, *c) < 0) {
					mv_error_set(err, MV_EXIT_INPUT, "%s:%ld: table '%s' has no "
						     "column '%s' (as 'mvsim discover' writes it)", path,
						     mv_tsv_lineno(t), tabs[table].name, *c);
					mv_tsv_close(t);
					return -1;
				}
			continue;
		}
		rows[table]++;
	}
	mv_tsv_close(t);
	if (got < 0)
		return mv_error_set(err, MV_EXIT_INPUT, "%s: read error", path);
	for (int k = 0; k < NTABS; k++)
		if (!seen[k] || rows[k] == 0)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: %s table '%s' (as 'mvsim "
					    "discover' writes it)", path, seen[k] ? "no rows in" : "no",
					    tabs[k].name);
	return 0;
}

/* The settings of one gnuplot run: where things are and how to draw. */
struct plot_ctx {
	char gnuplot[PATH_MAX];
	char scripts[PATH_MAX];
	const struct plot_format *format;
	struct mv_file_ids inputs; /* the files read: no figure may overwrite one */
};

/* Draws one figure: runs kind k's script with the assignments `inputs` (in=... or
 * nfiles=...) into out through mv_outfile (a temporary beside out, renamed when gnuplot has
 * finished cleanly; a FIFO or device written through). Prints out on stdout. Returns 0, 1
 * (gnuplot failed; the temporary is removed; message on stderr) or 2 (out cannot be
 * created). */
static int draw(const struct plot_ctx *ctx, const struct plot_kind *k, const char *inputs,
		const char *out)
{
	char *vars = NULL; /* the inputs' assignments, then out's and term's (gnuplot.h) */
	struct mv_error err = {0};
	struct mv_outfile *o = NULL;
	char script[PATH_MAX + 64], *text = NULL;
	struct stat st;
	int rc = 1;

	if (strchr(out, '\n')) {
		usage_error("%s", "an output name with a newline is not supported");
		return MV_EXIT_INPUT;
	}
	snprintf(script, sizeof script, "%s/%s", ctx->scripts, k->script);
	if ((o = mv_outfile_open(out, ctx->inputs.v, ctx->inputs.n, &err)) == NULL) {
		fprintf(stderr, "mvsim plot: %s\n", err.msg);
		return err.code;
	}
	const char *name = mv_outfile_name(o); /* gnuplot writes there */
	if ((vars = strdup(inputs)) == NULL || mv_gnuplot_assign_file(&vars, "out", name) ||
	    mv_gnuplot_assign(&vars, "term", ctx->format->term)) {
		fputs("mvsim plot: out of memory\n", stderr);
		goto fail;
	}
	if (mv_gnuplot_run(ctx->gnuplot, script, vars, &text) != 0) {
		size_t n = strlen(text);
		fprintf(stderr, "mvsim plot: gnuplot failed on %s for %s:\n%s%s", script, out, text,
			n && text[n - 1] == '\n' ? "" : "\n");
		goto fail;
	}
	if (mv_outfile_temporary(o) && (stat(name, &st) != 0 || st.st_size == 0)) {
		fprintf(stderr, "mvsim plot: gnuplot wrote nothing for %s (script %s)\n", out, script);
		goto fail;
	}
	rc = mv_outfile_commit(o, &err);
	o = NULL;
	if (rc != 0) {
		fprintf(stderr, "mvsim plot: %s\n", err.msg);
		rc = MV_EXIT_FAIL;
		goto fail;
	}
	printf("%s\n", out);
fail:
	mv_outfile_abort(o);
	free(text);
	free(vars);
	return rc;
}

/* ---- the command ---------------------------------------------------------------------- */

struct plot_args {
	const char *kind;    /* NULL: all */
	const char *output;  /* -o */
	const char *format;  /* --format */
	const char *columns; /* --columns */
	const char *fig[NFIGOPTS]; /* --x, --y, --metric, --report (NULL: not given) */
	int compare;
	int nfiles;
	char **files;        /* the operands: points into argv */
};

/* Parses argv into a (the files: the operands, in order). Returns -1 to go on, or an exit
 * status (0 after --help, 2 after a usage error, already reported). */
static int parse_args(int argc, char **argv, struct plot_args *a)
{
	const struct mv_opt opts[] = {
		{"kind", 'k', MV_OPT_STRING, &a->kind, 0, 0, NULL},
		{"output", 'o', MV_OPT_STRING, &a->output, 0, 0, NULL},
		{"format", 'f', MV_OPT_STRING, &a->format, 0, 0, NULL},
		{"columns", 0, MV_OPT_STRING, &a->columns, 0, 0, NULL},
		{"x", 0, MV_OPT_STRING, &a->fig[FIG_X], 0, 0, NULL},
		{"y", 0, MV_OPT_STRING, &a->fig[FIG_Y], 0, 0, NULL},
		{"metric", 0, MV_OPT_STRING, &a->fig[FIG_METRIC], 0, 0, NULL},
		{"report", 0, MV_OPT_STRING, &a->fig[FIG_REPORT], 0, 0, NULL},
		{"compare", 0, MV_OPT_FLAG, &a->compare, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	int first, rc;

	memset(a, 0, sizeof *a);
	if ((rc = mv_cli_options("plot", argc, argv, opts, &first)) >= 0)
		return rc;
	a->files = argv + first;
	a->nfiles = argc - first;
	return -1;
}

const char *mv_plot_format(int k)
{
	return k >= 0 && k < NFORMATS ? formats[k].name : NULL;
}

static const struct plot_format *find_format(const char *name)
{
	for (int k = 0; k < NFORMATS; k++)
		if (strcmp(formats[k].name, name) == 0)
			return &formats[k];
	return NULL;
}

/* The format from --format and -o: either alone decides, both must agree, neither is png.
 * Returns NULL after reporting a usage error. */
static const struct plot_format *pick_format(const struct plot_args *a)
{
	const struct plot_format *f = NULL, *ext = NULL;
	const char *dot = a->output ? strrchr(a->output, '.') : NULL;

	if (dot && !strchr(dot, '/'))
		ext = find_format(dot + 1);
	if (a->format) {
		f = find_format(a->format);
		if (f == NULL) {
			char list[64], msg[160];
			mv_names_join_table(&formats[0].name, NFORMATS, sizeof formats[0], ", ", " or ",
					    list, sizeof list);
			snprintf(msg, sizeof msg, "--format: expected %s, found '%%s'", list);
			usage_error(msg, a->format);
			return NULL;
		}
		if (a->output && ext != f) {
			usage_error("-o '%s' does not end in the --format's extension", a->output);
			return NULL;
		}
		return f;
	}
	if (a->output && ext == NULL) {
		usage_error("cannot tell the format of '%s': end it in .png, .svg or .pdf, or "
			    "give --format", a->output);
		return NULL;
	}
	return ext ? ext : &formats[0];
}

/* <input without .tsv>-<suffix>.<ext>, malloc'd; NULL if out of memory. */
static char *output_beside(const char *input, const char *suffix, const char *ext)
{
	size_t stem = strlen(input) - (ends_with(input, ".tsv") ? 4 : 0);
	char *s = malloc(stem + strlen(suffix) + strlen(ext) + 3);
	if (s != NULL)
		sprintf(s, "%.*s-%s.%s", (int)stem, input, suffix, ext);
	return s;
}

/* Column names given to --columns: letters, digits and '_' (what docs/model.md §4 ids and §7
 * columns are made of), which also keeps them safe inside a gnuplot string. */
static int valid_columns(const char *cols)
{
	int any = 0;
	for (const char *s = cols; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == ',')
			continue;
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
		any = 1;
	}
	return any;
}

/* Checks every result has the columns of cols (space-, tab- or comma-separated) and "t".
 * Returns 0, or -1 with err (code 2) naming the file and column. */
static int check_columns(const struct mv_resultfile *r, const char *path, const char *cols,
			 struct mv_error *err)
{
	char name[256];
	if (check_kind(r, path, &compare_kind, err))
		return -1;
	for (const char *s = cols; *s;) {
		size_t n = strcspn(s, " \t,");
		if (n > 0 && n < sizeof name) {
			memcpy(name, s, n);
			name[n] = '\0';
			if (!result_has(r, name))
				return mv_error_set(err, MV_EXIT_INPUT, "%s: column '%s' is absent",
						    path, name);
		}
		s += n;
		s += *s != '\0';
	}
	return 0;
}

/* The kinds that take option o, as "--kind heatmap and scatter", into buf. */
static void kinds_taking(int o, char *buf, size_t size)
{
	int n = 0, seen = 0;
	size_t used = (size_t)snprintf(buf, size, "--kind");
	for (int k = 0; k < NKINDS; k++)
		n += (kinds[k].takes & TAKES(o)) != 0;
	for (int k = 0; k < NKINDS && used < size; k++)
		if (kinds[k].takes & TAKES(o))
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 seen++ == 0 ? " " : seen == n ? " and " : ", ",
						 kinds[k].name);
}

const char *mv_plot_kind(int k)
{
	int last = 0; /* "all" comes after the last figure of a run's time series it draws */

	for (int j = 0; j < NKINDS; j++)
		if (kinds[j].result == NULL && kinds[j].dflt)
			last = j;
	return k < 0 || k > NKINDS ? NULL : k <= last ? kinds[k].name : k == last + 1 ? "all"
		: kinds[k - 1].name;
}

/* The --kind values, as "shares, ..., all, ... or fit", into buf. */
static void kind_names(char *buf, size_t size)
{
	const char *names[NKINDS + 1];

	for (int k = 0; k <= NKINDS; k++)
		names[k] = mv_plot_kind(k);
	mv_names_join(names, NKINDS + 1, ", ", " or ", buf, size);
}

/* 1 when kind k draws files like r: r's result is k's, or, when no kind draws r's result
 * (a run's time series, or something unknown), k draws a run's time series. */
static int draws(const struct plot_kind *k, const struct mv_resultfile *r)
{
	int known = 0;
	for (int j = 0; j < NKINDS && r->result; j++)
		known |= kinds[j].result && strcmp(kinds[j].result, r->result) == 0;
	return known ? k->result && strcmp(k->result, r->result) == 0 : k->result == NULL;
}

/* Without --kind: the figures of what r is that take every option given (TAKES bits); of
 * those the default ones, or all of them when none is (--x --y: heatmap; --report: fit).
 * Fills chosen and returns their number; 0 with err (code 2) when none takes the options. */
static int choose_kinds(const struct mv_resultfile *r, const char *path, unsigned given,
			const struct plot_kind **chosen, struct mv_error *err)
{
	int n = 0, ndflt = 0;
	char list[128];

	for (int k = 0; k < NKINDS; k++)
		if (draws(&kinds[k], r) && (kinds[k].takes & given) == given) {
			chosen[n++] = &kinds[k];
			ndflt += kinds[k].dflt;
		}
	if (ndflt > 0) {
		int m = 0;
		for (int k = 0; k < n; k++)
			if (chosen[k]->dflt)
				chosen[m++] = chosen[k];
		n = m;
	}
	if (n > 0)
		return n;
	for (int o = 0; o < NFIGOPTS; o++) {
		int taken = 0;
		for (int k = 0; k < NKINDS; k++)
			taken |= draws(&kinds[k], r) && (kinds[k].takes & TAKES(o));
		if ((given & TAKES(o)) && !taken) {
			kinds_taking(o, list, sizeof list);
			mv_error_set(err, MV_EXIT_INPUT, "%s is %s%s: %s applies to %s only", path,
				     r->result ? "a " : "a run's result", r->result ? r->result : "",
				     fig_options[o].option, list);
			return 0;
		}
	}
	mv_error_set(err, MV_EXIT_INPUT, "%s: no one figure takes all the options given (give "
		     "--kind)", path);
	return 0;
}

static int plot_single(const struct plot_args *a, struct plot_ctx *ctx)
{
	const struct plot_kind *chosen[NKINDS];
	const char *val[NKINDS][NFIGOPTS];
	struct mv_error err = {0};
	struct mv_resultfile r;
	char msg[256], list[160];
	unsigned given = 0;
	int n = 0, status = 0, all = a->kind != NULL && strcmp(a->kind, "all") == 0;

	for (int o = 0; o < NFIGOPTS; o++) {
		const struct fig_option *fo = &fig_options[o];
		if (a->fig[o] == NULL)
			continue;
		given |= TAKES(o);
		if (fo->names != NAMES_FILE && !valid_name(a->fig[o])) {
			snprintf(msg, sizeof msg, "%s: expected a %s name (letters, digits, '_', '.', "
				 "':', '>'), found '%.100s'", fo->option,
				 fo->names == NAMES_PARAMETER ? "parameter" : "metric", a->fig[o]);
			usage_error("%s", msg);
			return MV_EXIT_INPUT;
		}
	}
	if (a->kind != NULL && !all) {
		for (int k = 0; k < NKINDS; k++)
			if (strcmp(kinds[k].name, a->kind) == 0)
				chosen[n++] = &kinds[k];
		if (n == 0) {
			kind_names(list, sizeof list);
			snprintf(msg, sizeof msg, "--kind: expected %s, found '%.60s'", list, a->kind);
			usage_error("%s", msg);
			return MV_EXIT_INPUT;
		}
	}
	for (int o = 0; o < NFIGOPTS && a->kind != NULL; o++)
		if ((given & TAKES(o)) && (all || !(chosen[0]->takes & TAKES(o)))) {
			kinds_taking(o, list, sizeof list);
			snprintf(msg, sizeof msg, "%s applies to %s only", fig_options[o].option, list);
			usage_error("%s", msg);
			return MV_EXIT_INPUT;
		}
	if (all && a->output) {
		usage_error("%s", "-o names one file: give --kind too (with --kind all the "
			    "figures go beside the input)");
		return MV_EXIT_INPUT;
	}
	if (mv_resultfile_read(&r, a->files[0], &err) == 0 && n == 0) {
		/* --kind all: the figures of a run; no --kind: those of what the file is. */
		for (int k = 0; k < NKINDS && all; k++)
			if (kinds[k].result == NULL && kinds[k].dflt)
				chosen[n++] = &kinds[k];
		if (!all)
			n = choose_kinds(&r, a->files[0], given, chosen, &err);
	}
	if (err.code == 0 && a->output && n > 1) {
		mv_resultfile_free(&r);
		usage_error("%s", "-o names one file: give --kind too (with --kind all the "
			    "figures go beside the input)");
		return MV_EXIT_INPUT;
	}
	for (int k = 0; k < n && err.code == 0; k++)
		if (check_kind(&r, a->files[0], chosen[k], &err) == 0 &&
		    resolve_options(&r, a->files[0], chosen[k], a->fig, val[k], &err) == 0 &&
		    chosen[k]->check)
			chosen[k]->check(&r, a->files[0], val[k], &err);
	if (err.code == 0)
		mv_gnuplot_find(ctx->gnuplot, sizeof ctx->gnuplot, &err);
	for (int k = 0; k < n && err.code == 0; k++)
		mv_gnuplot_scripts(chosen[k]->script, ctx->scripts, sizeof ctx->scripts, &err);
	if (err.code != 0) {
		mv_resultfile_free(&r);
		fprintf(stderr, "mvsim plot: %s\n", err.msg);
		return err.code;
	}

	/* The file, then each option the kind takes, as gnuplot strings (val may point into r). */
	for (int k = 0; k < n; k++) {
		char *inputs = NULL;
		int bad = mv_gnuplot_assign_file(&inputs, "in", a->files[0]);
		for (int o = 0; o < NFIGOPTS && !bad; o++)
			if (val[k][o] != NULL)
				bad = fig_options[o].names == NAMES_FILE
					      ? mv_gnuplot_assign_file(&inputs, fig_options[o].var, val[k][o])
					      : mv_gnuplot_assign(&inputs, fig_options[o].var, val[k][o]);
		char *out = bad ? NULL
			: a->output ? strdup(a->output)
				    : output_beside(a->files[0], chosen[k]->suffix, ctx->format->name);
		int rc = MV_EXIT_FAIL;
		if (out == NULL)
			fputs("mvsim plot: out of memory\n", stderr);
		else
			rc = draw(ctx, chosen[k], inputs, out);
		if (rc > status)
			status = rc;
		free(out);
		free(inputs);
	}
	mv_resultfile_free(&r);
	return status;
}

/* --compare's default columns: the first file's vector shares, then crisis_prob, as
 * "share_a share_b crisis_prob" (malloc'd; NULL out of memory). */
static char *default_columns(const struct mv_resultfile *r)
{
	size_t size = sizeof "crisis_prob", used = 0;
	char *cols;

	for (int i = 0; i < r->nvec; i++)
		size += strlen("share_ ") + strlen(r->vec[i]);
	if ((cols = malloc(size)) == NULL)
		return NULL;
	for (int i = 0; i < r->nvec; i++)
		used += (size_t)sprintf(cols + used, "share_%s ", r->vec[i]);
	strcpy(cols + used, "crisis_prob");
	return cols;
}

static int plot_compare(const struct plot_args *a, struct plot_ctx *ctx)
{
	struct mv_error err = {0};
	char *cols = NULL, *inputs = NULL;
	struct mv_resultfile r;
	char name[32];
	int status;

	if (a->nfiles < 2) {
		usage_error("%s", "--compare needs two or more result files");
		return MV_EXIT_INPUT;
	}
	if (a->kind) {
		usage_error("%s", "--kind does not apply to --compare (use --columns)");
		return MV_EXIT_INPUT;
	}
	for (int o = 0; o < NFIGOPTS; o++)
		if (a->fig[o]) {
			usage_error("%s does not apply to --compare", fig_options[o].option);
			return MV_EXIT_INPUT;
		}
	if (a->columns && !valid_columns(a->columns)) {
		usage_error("--columns: expected column names (letters, digits, '_'), found '%s'",
			    a->columns);
		return MV_EXIT_INPUT;
	}
	for (int f = 0; f < a->nfiles && err.code == 0; f++) {
		if (mv_resultfile_read(&r, a->files[f], &err) == 0) {
			if (f == 0 && (cols = a->columns ? strdup(a->columns)
							 : default_columns(&r)) == NULL)
				mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
			if (err.code == 0)
				check_columns(&r, a->files[f], cols, &err);
		}
		mv_resultfile_free(&r);
	}
	if (err.code == 0)
		mv_gnuplot_find(ctx->gnuplot, sizeof ctx->gnuplot, &err);
	if (err.code == 0)
		mv_gnuplot_scripts(compare_kind.script, ctx->scripts, sizeof ctx->scripts, &err);
	if (err.code != 0) {
		fprintf(stderr, "mvsim plot: %s\n", err.msg);
		free(cols);
		return err.code;
	}

	/* Files as file1..fileN (any name survives); columns normalised to spaces. */
	for (char *s = cols; *s; s++)
		if (*s == ',' || *s == '\t')
			*s = ' ';
	snprintf(name, sizeof name, "nfiles=%d; ", a->nfiles);
	int bad = (inputs = strdup(name)) == NULL;
	for (int f = 0; f < a->nfiles && !bad; f++) {
		snprintf(name, sizeof name, "file%d", f + 1);
		bad = mv_gnuplot_assign_file(&inputs, name, a->files[f]);
	}
	if (bad || mv_gnuplot_assign(&inputs, "cols", cols)) {
		fputs("mvsim plot: out of memory\n", stderr);
		status = MV_EXIT_FAIL;
	} else {
		char *out = a->output ? strdup(a->output)
				      : output_beside(a->files[0], compare_kind.suffix, ctx->format->name);
		status = out ? draw(ctx, &compare_kind, inputs, out) : MV_EXIT_FAIL;
		free(out);
	}
	free(inputs);
	free(cols);
	return status;
}

int mv_cmd_plot(int argc, char **argv)
{
	struct plot_args a;
	struct plot_ctx ctx;
	int status = parse_args(argc, argv, &a);

	if (status >= 0)
		goto out;
	memset(&ctx, 0, sizeof ctx);
	for (int f = 0; f < a.nfiles; f++)
		if (mv_file_ids_add(&ctx.inputs, a.files[f]))
			goto oom;
	if (mv_file_ids_add(&ctx.inputs, a.fig[FIG_REPORT]))
		goto oom;
	ctx.format = pick_format(&a);
	if (ctx.format == NULL) {
		status = MV_EXIT_INPUT;
	} else if (a.compare) {
		status = plot_compare(&a, &ctx);
	} else if (a.columns) {
		usage_error("%s", "--columns applies to --compare only");
		status = MV_EXIT_INPUT;
	} else if (a.nfiles != 1) {
		usage_error(a.nfiles ? "expected one result file (or --compare), found %s"
				     : "no result file given%s", a.nfiles ? "several" : "");
		status = MV_EXIT_INPUT;
	} else {
		status = plot_single(&a, &ctx);
	}
	mv_file_ids_free(&ctx.inputs);
out:
	return status;
oom:
	mv_file_ids_free(&ctx.inputs);
	fputs("mvsim plot: out of memory\n", stderr);
	return MV_EXIT_FAIL;
}
