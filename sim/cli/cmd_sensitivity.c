/* cmd_sensitivity.c — `mvsim sensitivity`: a Saltelli or Morris design over a sweep file's
 * parameters run through batch.h, the estimators of sensitivity.h. */
#include "cli.h"

#include "mvsim/batch.h"
#include "mvsim/mpi_batch.h"
#include "mvsim/colnames.h"
#include "mvsim/config.h"
#include "mvsim/keys.h"
#include "mvsim/metrics.h"
#include "mvsim/names.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/output.h"
#include "mvsim/sensitivity.h"
#include "mvsim/sweep.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char mv_sensitivity_usage[] =
	"usage: mvsim sensitivity SWEEP.cfg --method {bar:sensitivity methods} [--samples N] [--bootstrap B]\n"
	"                         [--levels P] [--seed S] [--jobs N] [-o indices.tsv]\n"
	"                         [--set KEY=VALUE]... [--quiet] [--names safe|keep]\n"
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
	"  -m, --method M        {or:sensitivity methods} (required)\n"
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
	"      --names safe      the metric and parameter names in the rows with letters,\n"
	"                        digits and '_' only, as mvsim sweep --names safe names its\n"
	"                        columns (final_crisis_prob, vectors_russia_coercion);\n"
	"                        keep (default): as in the sweep file\n"
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

/* ================================================================ options */

struct sens_opts {
	const char *output;
	const char *method;
	long samples;          /* N or r; 0: default */
	long bootstrap;        /* -1: default */
	long levels;           /* 0: default */
	long jobs;
	int have_seed;
	uint64_t seed;
	int quiet;
	struct mv_cli_strings sets;
	enum mv_names names;
};

static int parse_names_opt(void *value, const char *arg, char *msg, size_t size)
{
	return mv_names_parse(arg, value, msg, size);
}

static const char *const method_names[] = {"sobol", "morris", NULL};

const char *mv_sensitivity_method(int k)
{
	return method_names[k];
}

static int parse_method(void *value, const char *arg, char *msg, size_t size)
{
	for (const char *const *m = method_names; *m; m++)
		if (strcmp(arg, *m) == 0) {
			*(const char **)value = *m;
			return 0;
		}
	char list[64];
	mv_names_join(method_names, -1, ", ", " or ", list, sizeof list);
	snprintf(msg, size, "--method: expected %s, found '%s'", list, arg);
	return -1;
}

static int parse_bootstrap(void *value, const char *arg, char *msg, size_t size)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno || v < 0 || v > MV_SOBOL_MAX_BOOTSTRAP ||
	    (v > 0 && v < MV_SOBOL_MIN_BOOTSTRAP)) {
		snprintf(msg, size, "--bootstrap: expected 0 or an integer in [%d, %d], found '%s'",
			 MV_SOBOL_MIN_BOOTSTRAP, MV_SOBOL_MAX_BOOTSTRAP, arg);
		return -1;
	}
	*(long *)value = v;
	return 0;
}

static int parse_levels(void *value, const char *arg, char *msg, size_t size)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno || v < 2 || v > MV_MORRIS_MAX_LEVELS || v % 2) {
		snprintf(msg, size, "--levels: expected an even integer in [2, %d], found '%s'",
			 MV_MORRIS_MAX_LEVELS, arg);
		return -1;
	}
	*(long *)value = v;
	return 0;
}

static int parse_sens_seed(void *value, const char *arg, char *msg, size_t size)
{
	struct sens_opts *o = value;
	o->have_seed = 1;
	return mv_cli_parse_seed(&o->seed, arg, msg, size);
}

/* Returns -1 to go on with *file set, or an exit status. */
static int parse_sens_opts(int argc, char **argv, struct sens_opts *o, const char **file)
{
	const struct mv_opt opts[] = {
		{"method", 'm', MV_OPT_FN, &o->method, 0, 0, parse_method},
		{"samples", 'N', MV_OPT_LONG, &o->samples, 2, 100000000L, NULL},
		{"bootstrap", 'B', MV_OPT_FN, &o->bootstrap, 0, 0, parse_bootstrap},
		{"levels", 'p', MV_OPT_FN, &o->levels, 0, 0, parse_levels},
		{"seed", 0, MV_OPT_FN, o, 0, 0, parse_sens_seed},
		{"jobs", 'j', MV_OPT_LONG, &o->jobs, 1, 1024, NULL},
		{"output", 'o', MV_OPT_STRING, &o->output, 0, 0, NULL},
		{"set", 's', MV_OPT_STRINGS, &o->sets, 0, 0, NULL},
		{"quiet", 'q', MV_OPT_FLAG, &o->quiet, 0, 0, NULL},
		{"names", 0, MV_OPT_FN, &o->names, 0, 0, parse_names_opt},
		/* ensemble's */
		{"runs", 'n', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"columns", 'c', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"allow-failed", 0, MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	int first, rc;

	memset(o, 0, sizeof *o);
	o->bootstrap = -1;
	if ((rc = mv_cli_options("sensitivity", argc, argv, opts, &first)) >= 0)
		return rc;
	return mv_cli_one_operand("sensitivity", argc, argv, first, "SWEEP.cfg", file);
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
	struct mv_progress prog;
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
	mv_progress_update(&s->prog, s->prog.done + 1, 0);
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
					 s->sw->params[j].key, mv_cli_num(x[j], v));
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
		snprintf(buf, sizeof buf, "%s\t%s\t%s\t%s", sp->key, mv_cli_num(sp->min, a), mv_cli_num(sp->max, b),
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
		      enum mv_names names, struct mv_error *err)
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
				"indices are nan\n", sw->metric_names[m], mv_cli_num(sd[m], f[0]),
				mv_cli_num(mean[m], f[1]));
	}
	if (sens_metadata(w, s, noisy, B, levels, err))
		goto out;
	for (int m = 0; m < nm; m++) {
		snprintf(buf, sizeof buf, "%s\tmean=%s\tsd=%s%s", sw->metric_names[m],
			 mv_cli_num(mean[m], f[0]), mv_cli_num(sd[m], f[1]),
			 flat[m] ? "\tdoes not vary beyond the integrator's tolerance: no index" : "");
		if (mv_writer_meta(w, "metric", buf, err))
			goto out;
	}
	static const char *const sobol_cols[] = {"metric", "parameter", "S1", "S1_lo", "S1_hi",
						 "ST", "ST_lo", "ST_hi", "rank", "note"};
	static const char *const morris_cols[] = {"metric", "parameter", "mu", "mu_star",
						  "sigma", "rank", "note"};
	int nf = s->method == SOBOL ? 10 : 7;
	/* --names safe: the names in the rows as `mvsim sweep --names safe` names the columns
	 * (colnames.h); the '# metric' and '# parameter' lines keep them as written */
	char safe_metric[256], safe_key[256];
	if (names == MV_NAMES_SAFE && mv_writer_meta(w, "names", "safe", err))
		goto out;
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
			if (names == MV_NAMES_SAFE) {
				mv_colname_safe(sw->metric_names[m], safe_metric, sizeof safe_metric);
				mv_colname_safe(sw->params[j].key, safe_key, sizeof safe_key);
				fields[0] = safe_metric;
				fields[1] = safe_key;
			}
			if (s->method == SOBOL) {
				const struct mv_sobol_result *r = &sob[m];
				mv_cli_num(r->S1[j], f[2]), mv_cli_num(r->S1_lo[j], f[3]), mv_cli_num(r->S1_hi[j], f[4]);
				mv_cli_num(r->ST[j], f[5]), mv_cli_num(r->ST_lo[j], f[6]), mv_cli_num(r->ST_hi[j], f[7]);
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
				mv_cli_num(r->mu[j], f[2]), mv_cli_num(r->mu_star[j], f[3]), mv_cli_num(r->sigma[j], f[4]);
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
	struct sens_opts o;
	const char *file;
	struct mv_error err = {0};
	struct mv_sweep *sw = NULL;
	struct mv_mpi_batch *batch = NULL;
	struct mv_writer *w = NULL;
	struct sens s;
	int rank = mv_mpi_rank(); /* under mpirun: rank 0 writes, the others only run */
	char buf[4096], sz[32];
	int rc;

	memset(&s, 0, sizeof s);
	if ((rc = parse_sens_opts(argc, argv, &o, &file)) >= 0)
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
	/* the analysis has its own design: sweep.method and samples are not needed */
	if ((sw = mv_sweep_load_opts(file, o.sets.n, o.sets.v, MV_SWEEP_DESIGN_UNUSED, &err)) ==
		    NULL ||
	    mv_cli_refuse_input(o.output, sw->sc, (const char *const *)&sw->path, 1, &err) ||
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
		mv_cli_bytes(ybytes, sz, sizeof sz);
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
	if (rank == 0 && (w = mv_writer_open(o.output, &err)) == NULL)
		goto fail;
	if (rank == 0 && s.method == SOBOL && (s.n & (s.n - 1)) != 0) {
		long lo = 1;
		while (lo * 2 <= s.n)
			lo *= 2;
		fprintf(stderr, "mvsim: warning: --samples %ld is not a power of two: the Sobol' points "
			"are less balanced (%ld or %ld are)\n", s.n, lo, 2 * lo);
	}
	if (rank == 0 && s.method == SOBOL && s.k > MV_SOBOL_QMC_MAX_K)
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
	spec.jobs = mv_cli_jobs(o.jobs);
	spec.seed = s.seed;
	if ((batch = mv_mpi_batch_create(sw->sc, &sw->kt, &spec, NULL, &err)) == NULL)
		goto fail;
	mv_progress_start(&s.prog, "sensitivity", s.nruns, 0, o.quiet);
	mv_progress_update(&s.prog, 0, 1);
	long ndone = 0;
	int brc = mv_mpi_batch_exec(batch, 0, s.nruns, 1, &ndone, &err);
	if (brc == MV_MPI_WORKER) { /* another rank of an MPI job: rank 0 has the results */
		rc = MV_EXIT_OK;
		goto out;
	}
	mv_progress_clear(&s.prog);
	if (brc != 0) {
		mv_cli_stopped_error(brc, ndone, s.nruns, "sensitivity analysis", &err);
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
	if (sens_write(w, &s, sens_noisy(sw), B, p, o.names, &err))
		goto fail;
	rc = mv_writer_commit(w, &err);
	w = NULL;
	if (rc)
		goto fail;
	rc = MV_EXIT_OK;
	goto out;
fail:
	mv_progress_clear(&s.prog);
	rc = mv_cli_report(&err);
out:
	if (s.prog.what && rank == 0) /* the final line, last (unless --quiet) */
		mv_progress_end(&s.prog, s.nfailed, -1);
	mv_writer_abort(w);
	mv_mpi_batch_free(batch);
	free(s.X);
	free(s.Y);
	mv_sweep_free(sw);
	free(o.sets.v);
	return rc;
}
