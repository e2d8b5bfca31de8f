/* cmd_ensemble.c — `mvsim ensemble`: one scenario run many times with noise (noise.h drawn
 * per run in the batch's begin hook, batch.h), bands over the runs. */
#include "cli.h"

#include "mvsim/batch.h"
#include "mvsim/mpi_batch.h"
#include "mvsim/config.h"
#include "mvsim/keys.h"
#include "mvsim/metrics.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/output.h"
#include "mvsim/sensitivity.h"
#include "mvsim/sweep.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RUNS 200

#define SEED_MAX (1ULL << 53) /* the rule of noise.seed (keys.h MV_RULE_SEED) */

const char mv_ensemble_usage[] =
	"usage: mvsim ensemble SCENARIO [--runs N] [--seed S] [--jobs N] [--columns LIST]\n"
	"                      [-o bands.tsv] [--set KEY=VALUE]... [--allow-failed] [--quiet]\n"
	"\n"
	"Runs SCENARIO N times with its noise (docs/model.md section 6: noise.sigma,\n"
	"noise.correlation, noise.step and each vector's noise_sigma), run k with the noise\n"
	"seed mv_noise_run_seed(S, k), and writes for every output time and chosen column C:\n"
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

/* ================================================================ options */

struct ens_opts {
	const char *output;
	const char *columns;
	long runs;
	long jobs;
	int have_seed;
	uint64_t seed;
	int allow_failed;
	int quiet;
	struct mv_cli_strings sets;
};

static int parse_ens_seed(void *value, const char *arg, char *msg, size_t size)
{
	struct ens_opts *o = value;
	o->have_seed = 1;
	return mv_cli_parse_seed(&o->seed, arg, msg, size);
}

/* Returns -1 to go on with *file set, or an exit status. */
static int parse_ens_opts(int argc, char **argv, struct ens_opts *o, const char **file)
{
	const struct mv_opt opts[] = {
		{"runs", 'n', MV_OPT_LONG, &o->runs, 2, MV_ENSEMBLE_MAX_RUNS, NULL},
		{"seed", 0, MV_OPT_FN, o, 0, 0, parse_ens_seed},
		{"jobs", 'j', MV_OPT_LONG, &o->jobs, 1, 1024, NULL},
		{"columns", 'c', MV_OPT_STRING, &o->columns, 0, 0, NULL},
		{"output", 'o', MV_OPT_STRING, &o->output, 0, 0, NULL},
		{"set", 's', MV_OPT_STRINGS, &o->sets, 0, 0, NULL},
		{"allow-failed", 0, MV_OPT_FLAG, &o->allow_failed, 0, 0, NULL},
		{"quiet", 'q', MV_OPT_FLAG, &o->quiet, 0, 0, NULL},
		/* sensitivity's */
		{"method", 'm', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"samples", 'N', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"bootstrap", 'B', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"levels", 'p', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	int first, rc;

	memset(o, 0, sizeof *o);
	o->runs = DEFAULT_RUNS;
	if ((rc = mv_cli_options("ensemble", argc, argv, opts, &first)) >= 0)
		return rc;
	return mv_cli_one_operand("ensemble", argc, argv, first, "SCENARIO", file);
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
	struct mv_progress prog;
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

/* Under MPI a run's rows travel to rank 0 with its result (mpi_batch.h): its slice of the
 * rows kept, packed where it ran and put in place on rank 0. */
static void ens_pack(void *ctx, const struct mv_batch_result *res, void *buf)
{
	struct ens *e = ctx;
	size_t n = (size_t)e->nrows * (size_t)e->nv;
	memcpy(buf, e->data + (size_t)res->k * n, n * sizeof *e->data);
}

static void *ens_unpack(void *ctx, long k, const void *buf)
{
	struct ens *e = ctx;
	size_t n = (size_t)e->nrows * (size_t)e->nv;
	double *slice = e->data + (size_t)k * n;
	if ((const void *)slice != buf)
		memmove(slice, buf, n * sizeof *e->data);
	return slice;
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
	mv_progress_update(&e->prog, e->prog.done + 1, 0);
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
			 mv_cli_num(sc->val[MV_G_NOISE_SIGMA], a), mv_cli_num(sc->val[MV_G_NOISE_CORR], b),
			 mv_cli_num(sc->val[MV_G_NOISE_STEP], c));
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
						     "a run that succeeded", cols[e->col[k]], mv_cli_num(row[0], a));
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
	struct ens_opts o;
	const char *file;
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = NULL;
	struct mv_mpi_batch *batch = NULL;
	struct mv_writer *w = NULL;
	struct ens e;
	int rank = mv_mpi_rank(); /* under mpirun: rank 0 writes, the others only run */
	char **cols = NULL, sz[32], lim[32];
	int ncols, rc;

	memset(&e, 0, sizeof e);
	if ((rc = parse_ens_opts(argc, argv, &o, &file)) >= 0)
		goto out;
	gsl_set_error_handler_off();
	if ((sc = mv_config_load(file, o.sets.n, o.sets.v, &kt, &err)) == NULL ||
	    mv_cli_refuse_input(o.output, sc, NULL, 0, &err) ||
	    (cols = mv_model_columns(sc, &ncols, &err)) == NULL ||
	    ens_columns(&e, sc, o.columns, cols, ncols, &err))
		goto fail;
	uint64_t seed = o.have_seed ? o.seed : (uint64_t)sc->val[MV_G_NOISE_SEED];
	e.nruns = o.runs;
	e.nrows = mv_run_nrows(sc);
	e.nv = 1 + e.ncol;
	double bytes = (double)e.nruns * (double)e.nrows * (double)e.nv * sizeof(double);
	if (bytes > (double)MV_ENSEMBLE_MAX_BYTES) {
		mv_cli_bytes(bytes, sz, sizeof sz);
		mv_cli_bytes((double)MV_ENSEMBLE_MAX_BYTES, lim, sizeof lim);
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
		mv_cli_bytes(bytes, sz, sizeof sz);
		mv_error_set(&err, MV_EXIT_FAIL, "out of memory for the ensemble's rows (%s)", sz);
		goto fail;
	}
	/* Opened before the runs: a bad output path is reported before any work. */
	if (rank == 0 && (w = mv_writer_open(o.output, &err)) == NULL)
		goto fail;
	if (rank == 0 && !e.noise)
		fprintf(stderr, "mvsim: warning: %s has no noise (noise.sigma and every noise_sigma "
			"are 0): every run is the deterministic run and the bands have zero width\n",
			file);

	struct mv_batch_sink sink = {ens_begin, ens_row, ens_end, NULL, &e};
	struct mv_batch_spec spec = {0};
	spec.point = ens_point;
	spec.result = ens_result;
	spec.result_ctx = &e;
	spec.sink = &sink;
	spec.jobs = mv_cli_jobs(o.jobs);
	spec.seed = seed;
	struct mv_mpi_payload pay = {(size_t)e.nrows * (size_t)e.nv * sizeof(double), ens_pack,
				     ens_unpack, &e};
	if ((batch = mv_mpi_batch_create(sc, &kt, &spec, &pay, &err)) == NULL)
		goto fail;
	mv_progress_start(&e.prog, "ensemble", e.nruns, 0, o.quiet);
	mv_progress_update(&e.prog, 0, 1);
	long ndone = 0;
	int brc = mv_mpi_batch_exec(batch, 0, e.nruns, 1, &ndone, &err);
	if (brc == MV_MPI_WORKER) { /* another rank of an MPI job: rank 0 has the results */
		rc = MV_EXIT_OK;
		goto out;
	}
	mv_progress_clear(&e.prog);
	if (brc != 0) {
		mv_cli_stopped_error(brc, ndone, e.nruns, "ensemble", &err);
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
	mv_progress_clear(&e.prog);
	rc = mv_cli_report(&err);
out:
	if (e.prog.what && rank == 0) /* the final line, last (unless --quiet) */
		mv_progress_end(&e.prog, e.nfailed, -1);
	mv_writer_abort(w);
	mv_mpi_batch_free(batch);
	free(e.col);
	free(e.data);
	free(e.ok);
	free(cols);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	free(o.sets.v);
	return rc;
}

