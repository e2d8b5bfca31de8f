/* cmd_uq.c — `mvsim ensemble` and `mvsim sensitivity`: loops around runs through batch.h, the
 * noise of noise.h drawn per run in the batch's begin hook, the estimators of sensitivity.h. */
#define _GNU_SOURCE /* getopt_long */
#include "mvsim/cli.h"
#include "mvsim/cmd_uq.h"

#include "mvsim/batch.h"
#include "mvsim/config.h"
#include "mvsim/keys.h"
#include "mvsim/metrics.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/output.h"
#include "mvsim/sensitivity.h"
#include "mvsim/sweep.h"

#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_RUNS 200
#define SEED_MAX (1ULL << 53) /* the rule of noise.seed (keys.h MV_RULE_SEED) */

const char mv_ensemble_usage[] =
	"usage: mvsim ensemble SCENARIO [--runs N] [--seed S] [--jobs N] [--columns LIST]\n"
	"                      [-o bands.tsv] [--set KEY=VALUE]... [--allow-failed] [--quiet]\n"
	"\n"
	"Runs SCENARIO N times with its noise (MODEL.md section 6: noise.sigma, noise.correlation,\n"
	"noise.step and each vector's noise_sigma), run k with the noise seed\n"
	"mv_noise_run_seed(S, k), and writes for every output time and chosen column C:\n"
	"C_mean, C_sd (divisor n-1) and the percentiles C_p05 C_p25 C_p50 C_p75 C_p95 over the\n"
	"runs (linear between order statistics, as GSL's gsl_stats_quantile_from_sorted_data).\n"
	"The result is the same, byte for byte, for any --jobs. See docs/uncertainty.md.\n"
	"\n"
	"  -n, --runs N          runs, an integer in [2, 100000000] (default 200)\n"
	"      --seed S          base seed, an integer in [0, 2^53] (default: noise.seed)\n"
	"  -j, --jobs N          threads (default: every core)\n"
	"  -c, --columns LIST    columns of the run's output, separated by commas or spaces\n"
	"                        (default: share_<v> of every vector, n_eff, tension_<v> of\n"
	"                        every vector, crisis_prob)\n"
	"  -o, --output FILE     write to FILE (via a temporary, renamed when complete);\n"
	"                        default: standard output\n"
	"  -s, --set KEY=VALUE   change one number of the scenario first (repeatable)\n"
	"      --allow-failed    when some runs fail, compute the bands from the others (at\n"
	"                        least 2; the metadata says how many failed); default: exit 1\n"
	"  -q, --quiet           no progress line (shown only when stderr is a terminal)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Memory: every run's rows of the chosen columns are kept until all runs are in:\n"
	"runs x rows x (columns + 1) x 8 bytes (1000 runs of the baseline, 101 rows, the 10\n"
	"default columns: 8.9 MB). Above 1 GiB the command refuses (exit 2).\n"
	"With the noise off (noise.sigma and every noise_sigma 0) every run is the deterministic\n"
	"run: a warning on stderr, and bands of zero width.\n"
	"\n"
	"Exit status: 0 ok, 1 runs failed (without --allow-failed, or fewer than 2 succeeded)\n"
	"or the output could not be written, 2 usage or input error, 130/143 interrupted by\n"
	"SIGINT/SIGTERM; on every error nothing is written.\n";

const char mv_sensitivity_usage[] =
	"usage: mvsim sensitivity SWEEP.cfg --method sobol|morris [--samples N] [--bootstrap B]\n"
	"                         [--levels P] [--seed S] [--jobs N] [-o indices.tsv]\n"
	"                         [--set KEY=VALUE]... [--quiet]\n"
	"\n"
	"Global sensitivity of each metric of SWEEP.cfg to its parameters, each uniform on\n"
	"[min, max] (a parameter with steps or values takes level floor(u*L), the last at u = 1).\n"
	"The file's method and samples are not used: the design is the analysis's own.\n"
	"Writes one row per (metric, parameter). See docs/uncertainty.md.\n"
	"\n"
	"  sobol   Saltelli design, N*(k+2) runs for k parameters: first-order S1 (Saltelli\n"
	"          2010) and total ST (Jansen 1999) indices with bootstrap 95% intervals; the\n"
	"          column 'note' (and a line on stderr) says when an interval contains 0\n"
	"  morris  r trajectories on a p-level grid, r*(k+1) runs: mu, mu* and sigma of the\n"
	"          elementary effects, per unit of the normalised range [0, 1]\n"
	"\n"
	"  -m, --method M        sobol or morris (required)\n"
	"  -N, --samples N       sobol: base points N (default 1024; a power of two is best,\n"
	"                        others are warned about); morris: trajectories r (default 20)\n"
	"  -B, --bootstrap B     sobol: resamples, 0 (no intervals) or 40 to 10000\n"
	"                        (default 1000)\n"
	"  -p, --levels P        morris: grid levels, even, 2 to 1000 (default 4)\n"
	"      --seed S          seed of the design, the bootstrap and any noise, an integer in\n"
	"                        [0, 2^53] (default: the file's sweep.seed)\n"
	"  -j, --jobs N          threads (default: every core); the result is the same for any N\n"
	"  -o, --output FILE     write to FILE (via a temporary, renamed when complete);\n"
	"                        default: standard output\n"
	"  -s, --set KEY=VALUE   change one number of the scenario first (repeatable)\n"
	"  -q, --quiet           no progress line (shown only when stderr is a terminal)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Limits: a design of at most sweep.max_runs runs (default 1000000); at most 64\n"
	"parameters. The estimators need every run: a failed run, or a metric that is not a\n"
	"number in some run (a cross: that never happens), is an error and nothing is written.\n"
	"With noise, the runs of one base point (sobol) or one trajectory (morris) share one\n"
	"noise path (common random numbers).\n"
	"\n"
	"Exit status: 0 ok, 1 a run failed, a metric was not a number or the output could not\n"
	"be written, 2 usage or input error (a design above the limit too), 130/143\n"
	"interrupted by SIGINT/SIGTERM; on every error nothing is written.\n";

/* ================================================================ small helpers */





/* A number for a TSV cell or a message: %.10g, and "nan" for every NaN (printf may say -nan). */
static char *num(double v, char *buf)
{
	if (isnan(v))
		strcpy(buf, "nan");
	else
		mv_format_number(v, buf);
	return buf;
}

/* A progress line on stderr ("\r...", cleared at the end), only on a terminal. */
struct progress {
	const char *what;
	int on, shown;
	long done, total;
	double t0, last;
};

static void progress_show(struct progress *p, int force)
{
	double t = mv_cli_now();

	if (!p->on || (!force && t - p->last < 0.2))
		return;
	p->last = t;
	double rate = t > p->t0 ? (double)p->done / (t - p->t0) : 0;
	double left = rate > 0 ? (double)(p->total - p->done) / rate : 0;
	fprintf(stderr, "\rmvsim %s: %ld/%ld runs (%.0f%%), %.0f runs/s, %.0f s left\033[K", p->what,
		p->done, p->total, p->total ? 100.0 * (double)p->done / (double)p->total : 100.0,
		rate, left);
	p->shown = 1;
}

static void progress_clear(struct progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = 0;
	}
}

/* The integer in s (the whole string, decimal) within [lo, hi]. Returns 0 or -1. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* A seed: digits only, at most 2^53 (as noise.seed, so --seed S and --set noise.seed=S agree). */
static int parse_seed(const char *s, uint64_t *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end != '\0' || errno || v > SEED_MAX)
		return -1;
	*out = (uint64_t)v;
	return 0;
}


/* After mv_batch_exec returned rc (1: stopped): the error to report. */
static void stopped_error(int rc, long done, long total, const char *what, struct mv_error *err)
{
	if (rc > 0 && mv_interrupt) {
		mv_error_interrupted(err);
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len,
			 ": %s stopped after %ld of %ld runs; nothing written", what, done, total);
	} else if (rc > 0) {
		mv_error_set(err, MV_EXIT_FAIL, "%s stopped after %ld of %ld runs; nothing written",
			     what, done, total);
	}
}

/* ================================================================ options */

struct uq_opts {
	const char *file;
	const char *output;
	const char *columns;
	const char *method;
	long runs;             /* ensemble */
	long samples;          /* sensitivity: N or r; 0: default */
	long bootstrap;        /* -1: default */
	long levels;           /* 0: default */
	int have_seed;
	uint64_t seed;
	int jobs;
	int allow_failed;
	int quiet;
	int nsets;
	char **sets;
};

enum { OPT_SEED = 256, OPT_ALLOW_FAILED };

/* Parses argv of `mvsim cmd`; `allow` lists the option letters (and 'S' for --seed, 'F' for
 * --allow-failed) the command takes. Returns -1 to go on, or an exit status. */
static int parse_opts(const char *cmd, int argc, char **argv, const char *allow,
		      const char *usage, struct uq_opts *o)
{
	static const struct option longopts[] = {
		{"runs", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, OPT_SEED},
		{"jobs", required_argument, NULL, 'j'},
		{"columns", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"set", required_argument, NULL, 's'},
		{"allow-failed", no_argument, NULL, OPT_ALLOW_FAILED},
		{"method", required_argument, NULL, 'm'},
		{"samples", required_argument, NULL, 'N'},
		{"bootstrap", required_argument, NULL, 'B'},
		{"levels", required_argument, NULL, 'p'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof *o);
	o->runs = DEFAULT_RUNS;
	o->bootstrap = -1;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":n:j:c:o:s:m:N:B:p:qh", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return fflush(stdout) != 0 || ferror(stdout) ? MV_EXIT_FAIL : MV_EXIT_OK;
		}
		if (opt == '?')
			return mv_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return mv_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		int letter = opt == OPT_SEED ? 'S' : opt == OPT_ALLOW_FAILED ? 'F' : opt;
		if (strchr(allow, letter) == NULL) /* name the option, not its value */
			return mv_cli_usage_error(cmd, "option '%s' does not apply here",
					   argv[optind - 1] == optarg && optind >= 2 ? argv[optind - 2]
										 : argv[optind - 1]);
		switch (opt) {
		case 'n':
			if (parse_long(optarg, 2, MV_ENSEMBLE_MAX_RUNS, &o->runs))
				return mv_cli_usage_error(cmd, "--runs: expected an integer in [2, %ld], found '%s'",
						   MV_ENSEMBLE_MAX_RUNS, optarg);
			break;
		case OPT_SEED:
			if (parse_seed(optarg, &o->seed))
				return mv_cli_usage_error(cmd, "--seed: expected an integer in [0, 2^53], found '%s'",
						   optarg);
			o->have_seed = 1;
			break;
		case 'j': {
			long j;
			if (parse_long(optarg, 1, 1024, &j))
				return mv_cli_usage_error(cmd, "--jobs: expected an integer in [1, 1024], found '%s'",
						   optarg);
			o->jobs = (int)j;
			break;
		}
		case 'c':
			o->columns = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 's': {
			char **n = realloc(o->sets, (size_t)(o->nsets + 1) * sizeof *n);
			if (n == NULL)
				return mv_cli_usage_error(cmd, "out of memory");
			o->sets = n;
			o->sets[o->nsets++] = optarg;
			break;
		}
		case OPT_ALLOW_FAILED:
			o->allow_failed = 1;
			break;
		case 'm':
			if (strcmp(optarg, "sobol") != 0 && strcmp(optarg, "morris") != 0)
				return mv_cli_usage_error(cmd, "--method: expected sobol or morris, found '%s'",
						   optarg);
			o->method = optarg;
			break;
		case 'N':
			if (parse_long(optarg, 2, 100000000L, &o->samples))
				return mv_cli_usage_error(cmd, "--samples: expected an integer in [2, 100000000], "
						   "found '%s'", optarg);
			break;
		case 'B':
			if (parse_long(optarg, 0, MV_SOBOL_MAX_BOOTSTRAP, &o->bootstrap) ||
			    (o->bootstrap > 0 && o->bootstrap < MV_SOBOL_MIN_BOOTSTRAP))
				return mv_cli_usage_error(cmd, "--bootstrap: expected 0 or an integer in [%d, %d], "
						   "found '%s'", MV_SOBOL_MIN_BOOTSTRAP,
						   MV_SOBOL_MAX_BOOTSTRAP, optarg);
			break;
		case 'p':
			if (parse_long(optarg, 2, MV_MORRIS_MAX_LEVELS, &o->levels) || o->levels % 2)
				return mv_cli_usage_error(cmd, "--levels: expected an even integer in [2, %d], "
						   "found '%s'", MV_MORRIS_MAX_LEVELS, optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		}
	}
	if (optind >= argc)
		return mv_cli_usage_error(cmd, "missing %s", strcmp(cmd, "ensemble") == 0 ? "SCENARIO"
										  : "SWEEP.cfg");
	if (optind + 1 < argc)
		return mv_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	o->file = argv[optind];
	return -1;
}

/* ================================================================ mvsim ensemble */

#define NSTATS 7
static const char *const stat_names[NSTATS] = {"mean", "sd", "p05", "p25", "p50", "p75", "p95"};
static const double quantiles[5] = {0.05, 0.25, 0.50, 0.75, 0.95};

/* Everything an ensemble's hooks and callbacks share. */
struct ens {
	int ncol;            /* chosen columns */
	int *col;            /* their positions in a run's row */
	int nv;              /* values kept per row: t, then the chosen columns */
	long nrows, nruns;
	double *data;        /* nruns × nrows × nv: run k's rows in its own slice */
	unsigned char *ok;   /* per run: 1 when it succeeded */
	int noise;           /* draw noise for each run */
	long nfailed;
	long first_failed;   /* the first failed run (run order), its seed and reason */
	uint64_t first_seed;
	char first_reason[MV_ERROR_MAX];
	struct progress prog;
};

/* One run in flight: where its rows go, its noise path. */
struct ens_run {
	struct ens *e;
	long k, row;
	struct mv_noise *nz;
};

static int ens_point(void *ctx, long k, double *x, struct mv_error *err)
{
	(void)ctx, (void)k, (void)x, (void)err; /* no parameters: every run is the scenario */
	return 0;
}

static int ens_begin(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
		     void **run_ctx, struct mv_error *err)
{
	struct ens *e = ctx;
	struct ens_run *r = calloc(1, sizeof *r);

	if (r == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	r->e = e;
	r->k = run->k;
	/* run->seed = mv_batch_seed(S, k) = mv_noise_run_seed(S, k): never thread-dependent */
	if (e->noise && mv_noise_attach(run->sc, run->seed, opts, &r->nz, err)) {
		free(r);
		return -1;
	}
	*run_ctx = r;
	return 0;
}

/* Keeps t and the chosen columns of one row in the run's own slice (threads never share one). */
static int ens_row(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	struct ens_run *r = ctx;
	struct ens *e = r->e;

	(void)ncols;
	if (r->row >= e->nrows)
		return mv_error_set(err, MV_EXIT_FAIL, "run %ld: more than the %ld rows expected",
				    r->k, e->nrows);
	double *out = e->data + ((size_t)r->k * (size_t)e->nrows + (size_t)r->row) * (size_t)e->nv;
	out[0] = row[0];
	for (int c = 0; c < e->ncol; c++)
		out[1 + c] = row[e->col[c]];
	r->row++;
	return 0;
}

static int ens_end(void *ctx, const struct mv_batch_run *run, void *run_ctx, int status,
		   void **payload, struct mv_error *err)
{
	struct ens *e = ctx;
	struct ens_run *r = run_ctx;
	long rows = r ? r->row : 0;

	(void)payload;
	if (r) {
		mv_noise_free(r->nz);
		free(r);
	}
	if (status == MV_RUN_OK && rows != e->nrows)
		return mv_error_set(err, MV_EXIT_FAIL, "run %ld: %ld rows, expected %ld", run->k,
				    rows, e->nrows);
	return 0;
}

/* Results arrive in run order: the first failure is the same for any --jobs. */
static int ens_result(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct ens *e = ctx;

	(void)err;
	e->ok[res->k] = res->status == MV_RUN_OK;
	if (res->status != MV_RUN_OK && e->nfailed++ == 0) {
		e->first_failed = res->k;
		e->first_seed = res->seed;
		snprintf(e->first_reason, sizeof e->first_reason, "%s", res->reason);
	}
	e->prog.done++;
	progress_show(&e->prog, 0);
	return 0;
}

/* The columns of --columns (or the default) into e->col. Returns 0, or -1 with err (code 2). */
static int ens_columns(struct ens *e, const struct mv_scenario *sc, const char *list,
		       char *const *cols, int ncols, struct mv_error *err)
{
	char name[256];

	e->col = malloc((size_t)ncols * sizeof *e->col);
	if (e->col == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	e->ncol = 0;
	if (list == NULL) { /* share_<v>, n_eff, tension_<v>, crisis_prob */
		for (int pass = 0; pass < 4; pass++) {
			int nn = pass == 0 || pass == 2 ? sc->nvec : 1;
			for (int i = 0; i < nn; i++) {
				if (pass == 0 || pass == 2)
					snprintf(name, sizeof name, "%s_%s", pass ? "tension" : "share",
						 sc->vec_id[i]);
				else
					snprintf(name, sizeof name, "%s", pass == 1 ? "n_eff" : "crisis_prob");
				for (int c = 0; c < ncols; c++)
					if (strcmp(cols[c], name) == 0)
						e->col[e->ncol++] = c;
			}
		}
		return 0;
	}
	for (const char *s = list;;) {
		s += strspn(s, ", \t");
		size_t n = strcspn(s, ", \t");
		if (n == 0)
			break;
		if (n >= sizeof name)
			return mv_error_set(err, MV_EXIT_INPUT, "--columns: expected a column of the "
					    "scenario's output, found '%.40s...'", s);
		memcpy(name, s, n);
		name[n] = '\0';
		s += n;
		int found = -1;
		for (int c = 1; c < ncols; c++)
			if (strcmp(cols[c], name) == 0)
				found = c;
		if (strcmp(name, cols[0]) == 0)
			return mv_error_set(err, MV_EXIT_INPUT, "--columns: '%s' is the time, always the "
					    "first column of the result", name);
		if (found < 0) {
			const char *sg = mv_suggest(name, (const char *const *)(cols + 1), ncols - 1);
			return mv_error_set(err, MV_EXIT_INPUT,
					    "--columns: expected a column of the scenario's output (see the "
					    "header of 'mvsim run'), found unknown column '%s'%s%s%s",
					    name, sg ? "; did you mean '" : "", sg ? sg : "", sg ? "'?" : "");
		}
		for (int c = 0; c < e->ncol; c++)
			if (e->col[c] == found)
				return mv_error_set(err, MV_EXIT_INPUT, "--columns: '%s' is given twice",
						    name);
		e->col[e->ncol++] = found;
	}
	if (e->ncol == 0)
		return mv_error_set(err, MV_EXIT_INPUT, "--columns: expected column names, found '%s'",
				    list);
	return 0;
}

/* "1.5 GiB", "8.9 MB": a size for messages. */
static void human_bytes(double b, char *buf, size_t size)
{
	if (b >= 1024.0 * 1024 * 1024)
		snprintf(buf, size, "%.1f GiB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1e6)
		snprintf(buf, size, "%.1f MB", b / 1e6);
	else
		snprintf(buf, size, "%.0f kB", ceil(b / 1e3));
}

/* The statistics of the n values v (in run order; sorted on return) into out[0..NSTATS):
 * mean, s.d. (divisor n − 1), then the percentiles of `quantiles` with GSL's definition
 * (x[i] + f·(x[i+1] − x[i]) at (n − 1)q = i + f), each kept within its two order statistics so
 * rounding never puts them out of order; the mean is kept within [min, max] likewise. */
static void stats_of(double *v, long n, double *out)
{
	double mean = gsl_stats_mean(v, 1, (size_t)n);
	out[1] = gsl_stats_sd_m(v, 1, (size_t)n, mean);
	gsl_sort(v, 1, (size_t)n);
	out[0] = mean < v[0] ? v[0] : mean > v[n - 1] ? v[n - 1] : mean;
	for (int q = 0; q < 5; q++) {
		double x = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)n, quantiles[q]);
		double pos = (double)(n - 1) * quantiles[q];
		long i = (long)floor(pos);
		double lo = v[i], hi = v[i + 1 < n ? i + 1 : i];
		out[2 + q] = x < lo ? lo : x > hi ? hi : x;
	}
}

/* Writes the metadata, the header and the bands of the runs that succeeded. */
static int ens_write(struct ens *e, struct mv_writer *w, const struct mv_scenario *sc,
		     const struct mv_keytab *kt, char *const *cols, uint64_t seed,
		     struct mv_error *err)
{
	const int nout = 1 + NSTATS * e->ncol;
	long nok = e->nruns - e->nfailed, first_ok = -1;
	char buf[MV_ERROR_MAX + 256], a[32], b[32], c[32];
	char **names = calloc((size_t)nout, sizeof *names);
	char *namebuf = malloc((size_t)nout * 80);
	double *v = malloc((size_t)nok * sizeof *v), *row = malloc((size_t)nout * sizeof *row);
	int rc = -1;

	if (!names || !namebuf || !v || !row) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (long k = 0; k < e->nruns && first_ok < 0; k++)
		if (e->ok[k])
			first_ok = k;
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)seed);
	if (mv_writer_metadata(w, sc, kt, sc->method, buf, err) ||
	    mv_writer_meta(w, "result", "ensemble", err))
		goto out;
	snprintf(buf, sizeof buf, "%ld", e->nruns);
	if (mv_writer_meta(w, "runs", buf, err))
		goto out;
	if (e->nfailed == 0)
		snprintf(buf, sizeof buf, "0");
	else
		snprintf(buf, sizeof buf, "%ld\tthe bands come from the %ld other runs "
			 "(--allow-failed)\tfirst: run %ld: %s", e->nfailed, nok, e->first_failed,
			 e->first_reason);
	if (mv_writer_meta(w, "failed", buf, err))
		goto out;
	size_t used = 0;
	for (int k = 0; k < e->ncol; k++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", k ? " " : "",
					 cols[e->col[k]]);
	if (used >= sizeof buf - 1) /* many columns: the header lists them anyway */
		snprintf(buf, sizeof buf, "%d columns (see the header)", e->ncol);
	if (mv_writer_meta(w, "columns", buf, err) ||
	    mv_writer_meta(w, "statistics", "mean sd p05 p25 p50 p75 p95", err) ||
	    mv_writer_meta(w, "sd", "sample standard deviation over the runs (divisor n-1)", err) ||
	    mv_writer_meta(w, "percentiles",
			   "linear between order statistics: x[i] + f*(x[i+1] - x[i]) at (n-1)q = i + f "
			   "(GSL gsl_stats_quantile_from_sorted_data; R type 7)", err) ||
	    mv_writer_meta(w, "run seeds",
			   "run k uses noise seed mv_noise_run_seed(seed, k); replay it alone with "
			   "mvsim run --set noise.seed=<that seed>", err))
		goto out;
	if (e->noise)
		snprintf(buf, sizeof buf, "sigma=%s\tcorrelation=%s\tstep=%s",
			 num(sc->val[MV_G_NOISE_SIGMA], a), num(sc->val[MV_G_NOISE_CORR], b),
			 num(sc->val[MV_G_NOISE_STEP], c));
	else
		snprintf(buf, sizeof buf, "off (noise.sigma and every noise_sigma 0): every run is "
			 "the deterministic run");
	if (mv_writer_meta(w, "noise", buf, err))
		goto out;

	names[0] = "t";
	for (int k = 0; k < e->ncol; k++)
		for (int s = 0; s < NSTATS; s++) {
			char *nm = namebuf + (size_t)(1 + k * NSTATS + s) * 80;
			snprintf(nm, 80, "%.70s_%s", cols[e->col[k]], stat_names[s]);
			names[1 + k * NSTATS + s] = nm;
		}
	if (mv_writer_columns(w, names, nout, err))
		goto out;
	const size_t stride = (size_t)e->nrows * (size_t)e->nv;
	for (long r = 0; r < e->nrows; r++) {
		row[0] = e->data[(size_t)first_ok * stride + (size_t)r * (size_t)e->nv];
		for (int k = 0; k < e->ncol; k++) {
			long n = 0;
			for (long q = 0; q < e->nruns; q++)
				if (e->ok[q])
					v[n++] = e->data[(size_t)q * stride + (size_t)r * (size_t)e->nv + 1 +
							 (size_t)k];
			for (long q = 0; q < n; q++)
				if (!isfinite(v[q])) {
					mv_error_set(err, MV_EXIT_FAIL, "column %s is not a number at t=%s in "
						     "a run that succeeded", cols[e->col[k]], num(row[0], a));
					goto out;
				}
			stats_of(v, n, row + 1 + k * NSTATS);
		}
		if (mv_writer_row(w, row, nout, err))
			goto out;
	}
	rc = 0;
out:
	free(names);
	free(namebuf);
	free(v);
	free(row);
	return rc;
}

int mv_cmd_ensemble(int argc, char **argv)
{
	struct uq_opts o;
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = NULL;
	struct mv_batch *batch = NULL;
	struct mv_writer *w = NULL;
	struct ens e;
	char **cols = NULL, sz[32], lim[32];
	int ncols, rc;

	memset(&e, 0, sizeof e);
	if ((rc = parse_opts("ensemble", argc, argv, "njcosSFqh", mv_ensemble_usage, &o)) >= 0)
		goto out;
	gsl_set_error_handler_off();
	if ((sc = mv_config_load(o.file, o.nsets, o.sets, &kt, &err)) == NULL ||
	    (cols = mv_model_columns(sc, &ncols, &err)) == NULL ||
	    ens_columns(&e, sc, o.columns, cols, ncols, &err))
		goto fail;
	uint64_t seed = o.have_seed ? o.seed : (uint64_t)sc->val[MV_G_NOISE_SEED];
	e.nruns = o.runs;
	e.nrows = mv_run_nrows(sc);
	e.nv = 1 + e.ncol;
	double bytes = (double)e.nruns * (double)e.nrows * (double)e.nv * sizeof(double);
	if (bytes > (double)MV_ENSEMBLE_MAX_BYTES) {
		human_bytes(bytes, sz, sizeof sz);
		human_bytes((double)MV_ENSEMBLE_MAX_BYTES, lim, sizeof lim);
		mv_error_set(&err, MV_EXIT_INPUT,
			     "--runs %ld: an ensemble keeps every run's rows until all are in: %ld runs "
			     "x %ld rows x %d values (t and %d columns) x 8 bytes = %s, above the limit "
			     "of %s; use fewer runs or columns, or a longer time.output_step",
			     e.nruns, e.nruns, e.nrows, e.nv, e.ncol, sz, lim);
		goto fail;
	}
	/* The noise settings are checked once here, so no run fails on them (code 2). */
	e.noise = mv_noise_active(sc);
	if (e.noise) {
		struct mv_noise *nz = mv_noise_create(sc, seed, &err);
		if (nz == NULL)
			goto fail;
		mv_noise_free(nz);
	}
	e.data = malloc((size_t)bytes > 0 ? (size_t)bytes : 1);
	e.ok = calloc((size_t)e.nruns, 1);
	if (e.data == NULL || e.ok == NULL) {
		human_bytes(bytes, sz, sizeof sz);
		mv_error_set(&err, MV_EXIT_FAIL, "out of memory for the ensemble's rows (%s)", sz);
		goto fail;
	}
	/* Opened before the runs: a bad output path is reported before any work. */
	if ((w = mv_writer_open(o.output, &err)) == NULL)
		goto fail;
	if (!e.noise)
		fprintf(stderr, "mvsim: warning: %s has no noise (noise.sigma and every noise_sigma "
			"are 0): every run is the deterministic run and the bands have zero width\n",
			o.file);

	struct mv_batch_sink sink = {ens_begin, ens_row, ens_end, NULL, &e};
	struct mv_batch_spec spec = {0};
	spec.point = ens_point;
	spec.result = ens_result;
	spec.result_ctx = &e;
	spec.sink = &sink;
	spec.jobs = o.jobs;
	spec.seed = seed;
	if ((batch = mv_batch_create(sc, &kt, &spec, &err)) == NULL)
		goto fail;
	e.prog = (struct progress){"ensemble", !o.quiet && isatty(2), 0, 0, e.nruns, mv_cli_now(), 0};
	progress_show(&e.prog, 1);
	long ndone = 0;
	int brc = mv_batch_exec(batch, 0, e.nruns, 1, &ndone, &err);
	progress_clear(&e.prog);
	if (brc != 0) {
		stopped_error(brc, ndone, e.nruns, "ensemble", &err);
		goto fail;
	}
	long nok = e.nruns - e.nfailed;
	if (e.nfailed && (!o.allow_failed || nok < 2)) {
		mv_error_set(&err, MV_EXIT_FAIL,
			     "%ld of %ld runs failed (first: run %ld, noise seed %llu: %s); %s", e.nfailed,
			     e.nruns, e.first_failed, (unsigned long long)e.first_seed, e.first_reason,
			     nok < 2 && o.allow_failed
				     ? "fewer than 2 runs succeeded: no bands; nothing written"
				     : "bands need every run: nothing written (--allow-failed computes "
				       "them from the others)");
		goto fail;
	}
	if (e.nfailed)
		fprintf(stderr, "mvsim: warning: %ld of %ld runs failed (first: run %ld, noise seed "
			"%llu: %s); the bands come from the %ld others\n", e.nfailed, e.nruns,
			e.first_failed, (unsigned long long)e.first_seed, e.first_reason, nok);
	if (ens_write(&e, w, sc, &kt, cols, seed, &err))
		goto fail;
	rc = mv_writer_commit(w, &err);
	w = NULL; /* commit frees it, success or not */
	if (rc)
		goto fail;
	rc = MV_EXIT_OK;
	goto out;
fail:
	progress_clear(&e.prog);
	rc = mv_cli_report(&err);
out:
	mv_writer_abort(w);
	mv_batch_free(batch);
	free(e.col);
	free(e.data);
	free(e.ok);
	free(cols);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	free(o.sets);
	return rc;
}

/* ================================================================ mvsim sensitivity */

enum { SOBOL = 0, MORRIS };

/* Everything a sensitivity analysis's callbacks share. */
struct sens {
	const struct mv_sweep *sw;
	int method;          /* SOBOL or MORRIS */
	int k;               /* parameters */
	long n;              /* Sobol': base points N; Morris: trajectories r */
	long nruns;
	double *X;           /* nruns × k: the design in the unit cube */
	double *Y;           /* nmetrics × nruns: the metrics of every run */
	uint64_t seed;
	long nfailed;
	long first_failed;
	char first_reason[MV_ERROR_MAX];
	double first_x[MV_SENS_MAX_K];
	struct progress prog;
};

static int sens_point(void *ctx, long k, double *x, struct mv_error *err)
{
	struct sens *s = ctx;

	(void)err;
	mv_sweep_map(s->sw, s->X + (size_t)k * (size_t)s->k, x);
	return 0;
}

/* The noise seed of design row k: common random numbers, so that differences between the
 * rows an estimator compares come from the parameters alone. Sobol': rows j of A and of
 * every A_B^(i) share stream j, row j of B has stream N + j (the noise is one more input that
 * A_B^(i) takes from A); Morris: every point of trajectory t shares stream t. */
static uint64_t sens_noise_seed(const struct sens *s, long k)
{
	if (s->method == MORRIS)
		return mv_noise_run_seed(s->seed, (uint64_t)(k / (s->k + 1)));
	long block = k / s->n, j = k % s->n;
	return mv_noise_run_seed(s->seed, (uint64_t)(block == 1 ? s->n + j : j));
}

static int sens_begin(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
		      void **run_ctx, struct mv_error *err)
{
	struct sens *s = ctx;
	struct mv_noise *nz;

	if (mv_noise_attach(run->sc, sens_noise_seed(s, run->k), opts, &nz, err)) {
		char msg[MV_ERROR_MAX];
		snprintf(msg, sizeof msg, "%s", err->msg);
		return mv_error_set(err, err->code, "run %ld: %s", run->k, msg);
	}
	*run_ctx = nz;
	return 0;
}

static int sens_end(void *ctx, const struct mv_batch_run *run, void *run_ctx, int status,
		    void **payload, struct mv_error *err)
{
	(void)ctx, (void)run, (void)status, (void)payload, (void)err;
	mv_noise_free(run_ctx);
	return 0;
}

static int sens_result(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct sens *s = ctx;

	(void)err;
	for (int m = 0; m < s->sw->nmetrics; m++)
		s->Y[(size_t)m * (size_t)s->nruns + (size_t)res->k] = res->metrics[m];
	if (res->status != MV_RUN_OK && s->nfailed++ == 0) {
		s->first_failed = res->k;
		snprintf(s->first_reason, sizeof s->first_reason, "%s", res->reason);
		memcpy(s->first_x, res->x, (size_t)s->k * sizeof *res->x);
	}
	s->prog.done++;
	progress_show(&s->prog, 0);
	return 0;
}

/* "key = value, ..." of design row k into buf. */
static void point_text(const struct sens *s, const double *x, char *buf, size_t size)
{
	size_t used = 0;
	char v[32];

	buf[0] = '\0';
	for (int j = 0; j < s->k && used < size; j++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s = %s", j ? ", " : "",
					 s->sw->params[j].key, num(x[j], v));
}

/* Refuses what the analysis cannot take: noise.seed as a parameter (the analysis draws the
 * noise itself), more parameters than the estimators take. Returns 0 or -1 (err, code 2). */
static int sens_check_params(const struct mv_sweep *sw, struct mv_error *err)
{
	if (sw->nparams > MV_SENS_MAX_K)
		return mv_error_set(err, MV_EXIT_INPUT, "%s: expected at most %d parameters for a "
				    "sensitivity analysis, found %d", sw->path, MV_SENS_MAX_K,
				    sw->nparams);
	for (int j = 0; j < sw->nparams; j++)
		if (sw->params[j].slot == MV_G_NOISE_SEED)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s:%d: parameter 'noise.seed': a seed is not a model input; "
					    "the analysis draws its noise from --seed (or sweep.seed)",
					    sw->path, sw->params[j].line);
	return 0;
}

/* 1 when some run of the analysis may draw noise: the scenario's, or a swept noise s.d. */
static int sens_noisy(const struct mv_sweep *sw)
{
	const struct mv_scenario *sc = sw->sc;

	if (mv_noise_active(sc))
		return 1;
	for (int j = 0; j < sw->nparams; j++) {
		int slot = sw->params[j].slot, sigma = slot == MV_G_NOISE_SIGMA;
		for (int i = 0; i < sc->nvec; i++)
			sigma |= slot == mv_key_vec(sc->nvec, sc->ndom, i, MV_VP_NOISE_SIGMA);
		if (sigma && sw->params[j].max > 0)
			return 1;
	}
	return 0;
}

/* Rank of parameter j among v[0..k) (1: the largest; ties to the earlier; NaN: 0). */
static int rank_of(const double *v, int k, int j)
{
	int r = 1;

	if (isnan(v[j]))
		return 0;
	for (int i = 0; i < k; i++)
		if (i != j && !isnan(v[i]) && (v[i] > v[j] || (v[i] == v[j] && i < j)))
			r++;
	return r;
}

/* Writes the metadata shared by both methods. */
static int sens_metadata(struct mv_writer *w, const struct sens *s, int noisy, int B, int levels,
			 struct mv_error *err)
{
	const struct mv_sweep *sw = s->sw;
	char buf[1024], a[32], b[32];

	snprintf(buf, sizeof buf, "%llu", (unsigned long long)s->seed);
	if (mv_writer_metadata(w, sw->sc, &sw->kt, sw->sc->method, buf, err) ||
	    mv_writer_meta(w, "result", "sensitivity", err))
		return -1;
	snprintf(buf, sizeof buf, "%s\t%s", sw->path, sw->sha256);
	if (mv_writer_meta(w, "sweep", buf, err) ||
	    mv_writer_meta(w, "method", s->method == SOBOL ? "sobol" : "morris", err))
		return -1;
	if (s->method == SOBOL)
		snprintf(buf, sizeof buf, "%ld\tbase points N; Saltelli design, %s", s->n,
			 s->k <= MV_SOBOL_QMC_MAX_K ? "digitally shifted Sobol' points"
						    : "pseudo-random points (k > 20)");
	else
		snprintf(buf, sizeof buf, "%ld\ttrajectories r on a %d-level grid", s->n, levels);
	if (mv_writer_meta(w, "samples", buf, err))
		return -1;
	snprintf(buf, sizeof buf, "%ld", s->nruns);
	if (mv_writer_meta(w, "runs", buf, err))
		return -1;
	if (s->method == SOBOL) {
		if (B > 0)
			snprintf(buf, sizeof buf, "%d\t95%% intervals: the 2.5%% and 97.5%% quantiles of "
				 "%d resamples of the base points (percentile bootstrap)", B, B);
		else
			snprintf(buf, sizeof buf, "0\tno intervals");
		if (mv_writer_meta(w, "bootstrap", buf, err) ||
		    mv_writer_meta(w, "estimators", "S1: Saltelli et al. 2010; ST: Jansen 1999; "
				   "V over the 2N runs of A and B", err))
			return -1;
	} else if (mv_writer_meta(w, "effects", "mu, mu* (mean |EE|) and sigma (divisor r-1) of the "
				  "elementary effects, per unit of the normalised range [0, 1]", err)) {
		return -1;
	}
	if (noisy && mv_writer_meta(w, "noise", s->method == SOBOL
			    ? "common random numbers: the rows j of A and of every A_B^(i) share "
			      "noise seed mv_noise_run_seed(seed, j), row j of B uses (seed, N + j)"
			    : "common random numbers: the points of trajectory t share noise seed "
			      "mv_noise_run_seed(seed, t)", err))
		return -1;
	for (int j = 0; j < sw->nparams; j++) {
		const struct mv_sweep_param *sp = &sw->params[j];
		char lv[48];
		if (sp->nlevels)
			snprintf(lv, sizeof lv, "%d levels (level floor(u*%d))", sp->nlevels,
				 sp->nlevels);
		else
			snprintf(lv, sizeof lv, "continuous");
		snprintf(buf, sizeof buf, "%s\t%s\t%s\t%s", sp->key, num(sp->min, a), num(sp->max, b),
			 lv);
		if (mv_writer_meta(w, "parameter", buf, err))
			return -1;
	}
	return 0;
}

/* 1 when the metric's spread over the design, sd, is within what the integrator resolves
 * (rtol·|mean| + atol of the scenario's tolerances): its differences are rounding and
 * truncation error, and any index of them would be noise presented as a finding. */
static int metric_flat(const struct mv_scenario *sc, double mean, double sd)
{
	return !(sd > sc->val[MV_G_RTOL] * fabs(mean) + sc->val[MV_G_ATOL]);
}

/* Computes the indices of every metric and writes them, one row per (metric, parameter);
 * notes on stderr for Sobol' intervals that contain 0 and for metrics that do not vary.
 * Returns 0 or -1 with err. */
static int sens_write(struct mv_writer *w, struct sens *s, int noisy, int B, int levels,
		      struct mv_error *err)
{
	const struct mv_sweep *sw = s->sw;
	const int k = s->k, nm = sw->nmetrics;
	struct mv_sobol_result *sob = calloc((size_t)nm, sizeof *sob);
	struct mv_morris_result *mor = calloc((size_t)nm, sizeof *mor);
	double *mean = calloc((size_t)nm, sizeof *mean), *sd = calloc((size_t)nm, sizeof *sd);
	int *flat = calloc((size_t)nm, sizeof *flat);
	char buf[1024], f[10][64];
	char *fields[10];
	int rc = -1;

	if (!sob || !mor || !mean || !sd || !flat) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (int m = 0; m < nm; m++) {
		const double *Y = s->Y + (size_t)m * (size_t)s->nruns;
		mean[m] = gsl_stats_mean(Y, 1, (size_t)s->nruns);
		sd[m] = gsl_stats_sd_m(Y, 1, (size_t)s->nruns, mean[m]);
		flat[m] = metric_flat(sw->sc, mean[m], sd[m]);
		if (s->method == SOBOL ? mv_sobol_indices(k, s->n, Y, B, s->seed, &sob[m], err)
				       : mv_morris_indices(k, (int)s->n, s->X, Y, &mor[m], err))
			goto out;
		for (int j = 0; flat[m] && j < k; j++) {
			sob[m].S1[j] = sob[m].S1_lo[j] = sob[m].S1_hi[j] = NAN;
			sob[m].ST[j] = sob[m].ST_lo[j] = sob[m].ST_hi[j] = NAN;
			mor[m].mu[j] = mor[m].mu_star[j] = mor[m].sigma[j] = NAN;
		}
		if (flat[m])
			fprintf(stderr, "mvsim: warning: %s does not vary beyond the integrator's tolerance "
				"over the design (sd %s around %s): none of the parameters moves it; its "
				"indices are nan\n", sw->metric_names[m], num(sd[m], f[0]),
				num(mean[m], f[1]));
	}
	if (sens_metadata(w, s, noisy, B, levels, err))
		goto out;
	for (int m = 0; m < nm; m++) {
		snprintf(buf, sizeof buf, "%s\tmean=%s\tsd=%s%s", sw->metric_names[m],
			 num(mean[m], f[0]), num(sd[m], f[1]),
			 flat[m] ? "\tdoes not vary beyond the integrator's tolerance: no index" : "");
		if (mv_writer_meta(w, "metric", buf, err))
			goto out;
	}
	static const char *const sobol_cols[] = {"metric", "parameter", "S1", "S1_lo", "S1_hi",
						 "ST", "ST_lo", "ST_hi", "rank", "note"};
	static const char *const morris_cols[] = {"metric", "parameter", "mu", "mu_star",
						  "sigma", "rank", "note"};
	int nf = s->method == SOBOL ? 10 : 7;
	if (mv_writer_columns(w, (char *const *)(s->method == SOBOL ? sobol_cols : morris_cols), nf,
			      err))
		goto out;
	for (int i = 0; i < nf; i++)
		fields[i] = f[i];
	for (int m = 0; m < nm; m++) {
		for (int j = 0; j < k; j++) {
			const char *note = "-";
			fields[0] = sw->metric_names[m];
			fields[1] = sw->params[j].key;
			if (s->method == SOBOL) {
				const struct mv_sobol_result *r = &sob[m];
				num(r->S1[j], f[2]), num(r->S1_lo[j], f[3]), num(r->S1_hi[j], f[4]);
				num(r->ST[j], f[5]), num(r->ST_lo[j], f[6]), num(r->ST_hi[j], f[7]);
				snprintf(f[8], sizeof f[8], "%d", rank_of(r->ST, k, j));
				/* NaN bounds (no bootstrap, no variance) contain nothing */
				int z1 = r->S1_lo[j] <= 0 && r->S1_hi[j] >= 0;
				int zt = r->ST_lo[j] <= 0 && r->ST_hi[j] >= 0;
				if (flat[m] || !(r->var > 0))
					note = "the metric does not vary: no index";
				else if (z1 && zt)
					note = "S1 and ST intervals contain 0";
				else if (z1)
					note = "S1 interval contains 0";
				else if (zt)
					note = "ST interval contains 0";
				if (z1 && zt)
					fprintf(stderr, "mvsim: note: %s: %s: the 95%% intervals of S1 [%s, %s] "
						"and ST [%s, %s] contain 0: its effect is not distinguishable "
						"from none at N = %ld (raise --samples to resolve it)\n",
						sw->metric_names[m], sw->params[j].key, f[3], f[4], f[6],
						f[7], s->n);
				else if (z1 || zt)
					fprintf(stderr, "mvsim: note: %s: %s: the 95%% interval of %s [%s, %s] "
						"contains 0: %s is not distinguishable from none at N = %ld "
						"(raise --samples to resolve it)\n",
						sw->metric_names[m], sw->params[j].key, z1 ? "S1" : "ST",
						z1 ? f[3] : f[6], z1 ? f[4] : f[7],
						z1 ? "its effect on its own (apart from interactions)"
						   : "its total effect", s->n);
				fields[9] = (char *)note;
			} else {
				const struct mv_morris_result *r = &mor[m];
				num(r->mu[j], f[2]), num(r->mu_star[j], f[3]), num(r->sigma[j], f[4]);
				snprintf(f[5], sizeof f[5], "%d", rank_of(r->mu_star, k, j));
				if (flat[m])
					note = "the metric does not vary: no effect";
				else if (r->mu_star[j] == 0)
					note = "mu* = 0: no effect at the design's points";
				fields[6] = (char *)note;
			}
			if (mv_writer_columns(w, fields, nf, err)) /* a row of text fields */
				goto out;
		}
	}
	rc = 0;
out:
	free(sob);
	free(mor);
	free(mean);
	free(sd);
	free(flat);
	return rc;
}

int mv_cmd_sensitivity(int argc, char **argv)
{
	struct uq_opts o;
	struct mv_error err = {0};
	struct mv_sweep *sw = NULL;
	struct mv_batch *batch = NULL;
	struct mv_writer *w = NULL;
	struct sens s;
	char buf[4096], sz[32];
	int rc;

	memset(&s, 0, sizeof s);
	if ((rc = parse_opts("sensitivity", argc, argv, "mNBpSjosqh", mv_sensitivity_usage, &o)) >= 0)
		goto out;
	if (o.method == NULL) {
		rc = mv_cli_usage_error("sensitivity", "missing --method (sobol or morris)");
		goto out;
	}
	s.method = strcmp(o.method, "sobol") == 0 ? SOBOL : MORRIS;
	if (s.method == MORRIS && o.bootstrap >= 0) {
		rc = mv_cli_usage_error("sensitivity", "--bootstrap applies to --method sobol only");
		goto out;
	}
	if (s.method == SOBOL && o.levels) {
		rc = mv_cli_usage_error("sensitivity", "--levels applies to --method morris only");
		goto out;
	}
	int B = o.bootstrap >= 0 ? (int)o.bootstrap : MV_SOBOL_DEFAULT_BOOTSTRAP;
	int p = o.levels ? (int)o.levels : MV_MORRIS_DEFAULT_LEVELS;
	s.n = o.samples ? o.samples
			: s.method == SOBOL ? MV_SOBOL_DEFAULT_SAMPLES : MV_MORRIS_DEFAULT_SAMPLES;
	gsl_set_error_handler_off();
	if ((sw = mv_sweep_load_opts(o.file, o.nsets, o.sets, MV_SWEEP_DESIGN_UNUSED, &err)) == NULL ||
	    sens_check_params(sw, &err))
		goto fail;
	s.sw = sw;
	s.k = sw->nparams;
	s.seed = o.have_seed ? o.seed : sw->seed;
	s.nruns = s.method == SOBOL ? mv_sobol_nruns(s.k, s.n) : mv_morris_nruns(s.k, (int)s.n);
	long limit = sw->max_runs < MV_SENS_MAX_RUNS ? sw->max_runs : MV_SENS_MAX_RUNS;
	if (s.nruns > limit) {
		mv_error_set(&err, MV_EXIT_INPUT,
			     "--samples %ld: a %s design of %s = %ld x %d = %ld runs is above the limit "
			     "of %ld runs (%s); lower --samples", s.n,
			     s.method == SOBOL ? "Sobol'" : "Morris", s.method == SOBOL ? "N(k+2)" : "r(k+1)",
			     s.n, s.k + (s.method == SOBOL ? 2 : 1), s.nruns, limit,
			     limit == sw->max_runs ? "sweep.max_runs" : "the estimators' limit");
		goto fail;
	}
	double ybytes = (double)s.nruns * (double)sw->nmetrics * sizeof(double);
	if (ybytes > (double)MV_SENS_MAX_OUTPUT_BYTES) {
		human_bytes(ybytes, sz, sizeof sz);
		mv_error_set(&err, MV_EXIT_INPUT, "%ld runs x %d metrics x 8 bytes = %s of outputs, "
			     "above the limit of 1 GiB; lower --samples or drop metrics", s.nruns,
			     sw->nmetrics, sz);
		goto fail;
	}
	s.X = malloc((size_t)s.nruns * (size_t)s.k * sizeof *s.X);
	s.Y = malloc((size_t)s.nruns * (size_t)sw->nmetrics * sizeof *s.Y);
	if (s.X == NULL || s.Y == NULL) {
		mv_error_set(&err, MV_EXIT_FAIL, "out of memory for a design of %ld runs", s.nruns);
		goto fail;
	}
	if (s.method == SOBOL ? mv_sobol_design(s.k, s.n, s.seed, s.X, &err)
			      : mv_morris_design(s.k, (int)s.n, p, s.seed, s.X, &err))
		goto fail;
	if ((w = mv_writer_open(o.output, &err)) == NULL)
		goto fail;
	if (s.method == SOBOL && (s.n & (s.n - 1)) != 0) {
		long lo = 1;
		while (lo * 2 <= s.n)
			lo *= 2;
		fprintf(stderr, "mvsim: warning: --samples %ld is not a power of two: the Sobol' points "
			"are less balanced (%ld or %ld are)\n", s.n, lo, 2 * lo);
	}
	if (s.method == SOBOL && s.k > MV_SOBOL_QMC_MAX_K)
		fprintf(stderr, "mvsim: warning: %d parameters: above %d the base points are "
			"pseudo-random, not Sobol' points (plain Monte Carlo error)\n", s.k,
			MV_SOBOL_QMC_MAX_K);

	int slots[MV_SENS_MAX_K];
	for (int j = 0; j < s.k; j++)
		slots[j] = sw->params[j].slot;
	struct mv_batch_sink sink = {sens_begin, NULL, sens_end, NULL, &s};
	struct mv_batch_spec spec = {0};
	spec.nparams = s.k;
	spec.slots = slots;
	spec.nmetrics = sw->nmetrics;
	spec.metrics = sw->metrics;
	spec.point = sens_point;
	spec.point_ctx = &s;
	spec.result = sens_result;
	spec.result_ctx = &s;
	spec.sink = &sink;
	spec.jobs = o.jobs;
	spec.seed = s.seed;
	if ((batch = mv_batch_create(sw->sc, &sw->kt, &spec, &err)) == NULL)
		goto fail;
	s.prog = (struct progress){"sensitivity", !o.quiet && isatty(2), 0, 0, s.nruns, mv_cli_now(), 0};
	progress_show(&s.prog, 1);
	long ndone = 0;
	int brc = mv_batch_exec(batch, 0, s.nruns, 1, &ndone, &err);
	progress_clear(&s.prog);
	if (brc != 0) {
		stopped_error(brc, ndone, s.nruns, "sensitivity analysis", &err);
		goto fail;
	}
	if (s.nfailed) {
		point_text(&s, s.first_x, buf, sizeof buf);
		mv_error_set(&err, MV_EXIT_FAIL,
			     "%ld of %ld runs failed (first: run %ld (%s): %s); the estimators need every "
			     "run: nothing written", s.nfailed, s.nruns, s.first_failed, buf,
			     s.first_reason);
		goto fail;
	}
	for (int m = 0; m < sw->nmetrics; m++) {
		const double *Y = s.Y + (size_t)m * (size_t)s.nruns;
		long bad = 0, first = -1;
		for (long r = 0; r < s.nruns; r++)
			if (!isfinite(Y[r]) && bad++ == 0)
				first = r;
		if (bad) {
			double x[MV_SENS_MAX_K];
			mv_sweep_map(sw, s.X + (size_t)first * (size_t)s.k, x);
			point_text(&s, x, buf, sizeof buf);
			mv_error_set(&err, MV_EXIT_FAIL,
				     "metric '%s' is not a number in %ld of %ld runs (first: run %ld (%s)); "
				     "the estimators need a number from every run (a cross: metric is "
				     "nan when the crossing never happens): nothing written",
				     sw->metric_names[m], bad, s.nruns, first, buf);
			goto fail;
		}
	}
	if (sens_write(w, &s, sens_noisy(sw), B, p, &err))
		goto fail;
	rc = mv_writer_commit(w, &err);
	w = NULL;
	if (rc)
		goto fail;
	rc = MV_EXIT_OK;
	goto out;
fail:
	progress_clear(&s.prog);
	rc = mv_cli_report(&err);
out:
	mv_writer_abort(w);
	mv_batch_free(batch);
	free(s.X);
	free(s.Y);
	mv_sweep_free(sw);
	free(o.sets);
	return rc;
}
