/* cmd_sweep.c — `mvsim sweep`: a sweep file's runs through the batch (batch.h), their rows in
 * run order into a summary (summary.h: format, gate, .partial file), shards, JUnit, progress. */
#include "cli.h"

#include "mvsim/batch.h"
#include "mvsim/colnames.h"
#include "mvsim/config.h"
#include "mvsim/mpi_batch.h"
#include "mvsim/outfile.h"
#include "mvsim/output.h"
#include "mvsim/summary.h"
#include "mvsim/sweep.h"
#include "mvsim/sweeprun.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char mv_sweep_usage[] =
	"usage: mvsim sweep SWEEP.cfg [-o summary.tsv] [--jobs N] [--shard K/N|env] [--resume]\n"
	"                   [--junit FILE] [--series DIR] [--set KEY=VALUE]... [--progress S]\n"
	"                   [--quiet] [--names safe|keep]\n"
	"\n"
	"Runs the scenario of SWEEP.cfg once per point of its parameter design\n"
	"({or:sweep methods}) and writes one summary row per run, in run order:\n"
	"the run number, each parameter, each metric (REDUCER:COLUMN), status (ok/failed)\n"
	"and the failure's reason. Under mpirun the runs are spread over the ranks\n"
	"(docs/cluster.md). See docs/sweeps.md.\n"
	"\n"
	"  -o, --output FILE   write the summary to FILE: rows go to FILE.partial as runs\n"
	"                      finish, renamed to FILE when the sweep is complete (its last\n"
	"                      line is '# complete'); '-' or none: standard output\n"
	"  -j, --jobs N        threads (default: OMP_NUM_THREADS, else the CPUs this process\n"
	"                      may use); the summary is the same for any N\n"
	"      --shard K/N     run only part K of N (runs k with k mod N = K-1); join the parts\n"
	"                      with 'mvsim merge'; 'env': K and N of a Slurm job array\n"
	"                      (SLURM_ARRAY_TASK_ID, _COUNT, _MIN, _STEP)\n"
	"      --resume        continue an interrupted sweep from FILE.partial: check that it\n"
	"                      comes from the same sweep, run only the missing runs\n"
	"      --junit FILE    write the checks as JUnit XML (one test case per check)\n"
	"      --series DIR    also write each run's time series to DIR/run-NNNNNN.tsv\n"
	"  -s, --set KEY=VALUE change one number of the scenario first (repeatable)\n"
	"      --progress S    when stderr is not a terminal, a progress line every S seconds\n"
	"                      (default 30; 0: none); a final line always\n"
	"  -q, --quiet         only errors on stderr (no progress, no final line, at most the\n"
	"                      verdict)\n"
	"      --names safe    column names of letters, digits and '_' only, for R and\n"
	"                      pandas (final_crisis_prob, cross_share_china_gt_share_west,\n"
	"                      vectors_russia_coercion); '# names safe' records it. keep\n"
	"                      (default): as in the sweep file\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 every run ok and every check passed, 1 a run failed or a check broke\n"
	"(the first 20 such runs are listed on stderr), 2 usage or input error (nothing is\n"
	"written or overwritten: every output is checked before the first run), 130/143\n"
	"interrupted by SIGINT/SIGTERM (continue with --resume).\n";


/* ================================================================ options */

struct sweep_opts {
	const char *file;
	const char *output; /* NULL: standard output ("-" too) */
	long jobs;
	int shard_k, shard_n;
	int shard_env;
	int resume;
	const char *junit;
	const char *series;
	struct mv_cli_strings sets;
	long progress;
	int quiet;
	enum mv_names names;
};

static int parse_names_opt(void *value, const char *arg, char *msg, size_t size)
{
	return mv_names_parse(arg, &((struct sweep_opts *)value)->names, msg, size);
}

static int parse_shard_opt(void *value, const char *arg, char *msg, size_t size)
{
	struct sweep_opts *o = value;

	if (strcmp(arg, "env") == 0) {
		o->shard_env = 1;
		return 0;
	}
	o->shard_env = 0;
	if (mv_summary_parse_shard(arg, &o->shard_k, &o->shard_n) == 0)
		return 0;
	snprintf(msg, size, "--shard: expected K/N with 1 <= K <= N (e.g. 2/8) or 'env', found '%s'",
		 arg);
	return -1;
}

/* A number of the environment, or -1 when absent or not one. */
static long env_long(const char *name)
{
	const char *v = getenv(name);
	char *end;

	if (v == NULL || *v == '\0')
		return -1;
	errno = 0;
	long n = strtol(v, &end, 10);
	return *end || errno || n < 0 ? -1 : n;
}

/* --shard env: part K of N of a Slurm job array, K = (ID - MIN) / STEP + 1, N = COUNT. */
static int shard_from_env(struct sweep_opts *o)
{
	long id = env_long("SLURM_ARRAY_TASK_ID"), n = env_long("SLURM_ARRAY_TASK_COUNT");
	long min = env_long("SLURM_ARRAY_TASK_MIN"), step = env_long("SLURM_ARRAY_TASK_STEP");

	if (id < 0 || n < 1)
		return mv_cli_usage_error("sweep", "--shard env: expected SLURM_ARRAY_TASK_ID and "
					  "SLURM_ARRAY_TASK_COUNT in the environment (a Slurm job "
					  "array), found %s", id < 0 ? "no SLURM_ARRAY_TASK_ID"
								    : "no SLURM_ARRAY_TASK_COUNT");
	if (min < 0)
		min = 0 < id ? 1 : 0; /* arrays usually start at 1 (or 0) */
	if (step < 1)
		step = 1;
	long k = (id - min) / step + 1;
	if (id < min || (id - min) % step != 0 || k > n || n > 1000000)
		return mv_cli_usage_error("sweep", "--shard env: task %ld is not one of the %ld tasks "
					  "from %ld in steps of %ld", id, n, min, step);
	o->shard_k = (int)k;
	o->shard_n = (int)n;
	return -1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_sweep_opts(int argc, char **argv, struct sweep_opts *o)
{
	const struct mv_opt opts[] = {
		{"output", 'o', MV_OPT_STRING, &o->output, 0, 0, NULL},
		{"jobs", 'j', MV_OPT_LONG, &o->jobs, 1, 1024, NULL},
		{"shard", 0, MV_OPT_FN, o, 0, 0, parse_shard_opt},
		{"resume", 0, MV_OPT_FLAG, &o->resume, 0, 0, NULL},
		{"junit", 0, MV_OPT_STRING, &o->junit, 0, 0, NULL},
		{"series", 0, MV_OPT_STRING, &o->series, 0, 0, NULL},
		{"set", 's', MV_OPT_STRINGS, &o->sets, 0, 0, NULL},
		{"progress", 0, MV_OPT_LONG, &o->progress, 0, 1000000, NULL},
		{"quiet", 'q', MV_OPT_FLAG, &o->quiet, 0, 0, NULL},
		{"names", 0, MV_OPT_FN, o, 0, 0, parse_names_opt},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	int first, rc;

	memset(o, 0, sizeof *o);
	o->shard_k = o->shard_n = 1;
	o->progress = -1;
	if ((rc = mv_cli_options("sweep", argc, argv, opts, &first)) >= 0 ||
	    (rc = mv_cli_one_operand("sweep", argc, argv, first, "SWEEP.cfg", &o->file)) >= 0)
		return rc;
	/* Names are checked here, before anything is read or run. */
	if (o->output && o->output[0] == '\0')
		return mv_cli_usage_error("sweep", "-o: expected a file name (or '-'), found ''");
	if (o->junit && o->junit[0] == '\0')
		return mv_cli_usage_error("sweep", "--junit: expected a file name, found ''");
	if (o->series && o->series[0] == '\0')
		return mv_cli_usage_error("sweep", "--series: expected a directory, found ''");
	if (o->output && strcmp(o->output, "-") == 0)
		o->output = NULL;
	if (o->resume && o->output == NULL)
		return mv_cli_usage_error("sweep", "--resume needs -o FILE (it continues FILE.partial)");
	if (o->shard_env && (rc = shard_from_env(o)) >= 0)
		return rc;
	return -1;
}

/* ================================================================ the runs */

/* Everything a run of `mvsim sweep` shares between its callbacks. */
struct sweep_ctx {
	const struct mv_sweep *sw;
	struct mv_summary_file *file; /* the summary's FILE.partial, or NULL: stdout */
	char *line;                   /* a row being formatted */
	size_t linesize;
	struct mv_gate *gate;
	long done, total;             /* rows in the summary / runs of this shard */
	struct mv_progress prog;
};

/* The gate's notes on stderr, below the progress line. */
static void print_note(void *ctx, const char *msg)
{
	mv_progress_clear(ctx);
	fprintf(stderr, "mvsim: %s\n", msg);
}

static int on_result(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct sweep_ctx *c = ctx;

	mv_summary_format_row(c->sw, res, c->line, c->linesize);
	if (c->file ? mv_summary_file_row(c->file, c->line, err)
		    : (fprintf(stdout, "%s\n", c->line) < 0
			       ? mv_error_set(err, MV_EXIT_FAIL, "standard output: write failed: %s",
					      strerror(errno))
			       : 0))
		return -1;
	if (mv_gate_run(c->gate, res->k, res->x, res->metrics, res->status == MV_RUN_OK,
			res->reason))
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	c->done++;
	mv_progress_update(&c->prog, c->done, 0);
	return 0;
}

/* ---- --series DIR: each run's rows to DIR/run-NNNNNN.tsv */

struct series_ctx {
	const char *dir;
	const struct mv_sweep *sw;
};

static int series_begin(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
			void **run_ctx, struct mv_error *err)
{
	struct series_ctx *s = ctx;
	char path[4096];

	snprintf(path, sizeof path, "%s/run-%06ld.tsv", s->dir, run->k);
	struct mv_writer *w = mv_writer_open(path, err);
	if (w == NULL)
		return -1;
	char k[32];
	snprintf(k, sizeof k, "%ld", run->k);
	if (mv_writer_metadata(w, run->sc, &s->sw->kt,
			       opts->method ? opts->method : run->sc->method, NULL, err) ||
	    mv_writer_meta(w, "sweep run", k, err) ||
	    mv_writer_columns(w, s->sw->columns, s->sw->ncols, err)) {
		mv_writer_abort(w);
		return -1;
	}
	*run_ctx = w;
	return 0;
}

static int series_end(void *ctx, const struct mv_batch_run *run, void *run_ctx, int status,
		      void **payload, struct mv_error *err)
{
	(void)ctx;
	(void)run;
	(void)payload;
	if (run_ctx == NULL)
		return 0;
	if (status != MV_RUN_OK) { /* a failed run leaves no partial series behind */
		mv_writer_abort(run_ctx);
		return 0;
	}
	return mv_writer_commit(run_ctx, err);
}

static int prepare_series_dir(const char *dir, struct mv_error *err)
{
	struct stat st;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return mv_error_set(err, MV_EXIT_INPUT, "--series %s: cannot create: %s", dir,
				    strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return mv_error_set(err, MV_EXIT_INPUT, "--series %s: not a directory", dir);
	if (access(dir, W_OK) != 0)
		return mv_error_set(err, MV_EXIT_INPUT, "--series %s: not writable", dir);
	return 0;
}


/* --resume with --series DIR: the temporaries "run-NNNNNN.tsv.tmp.XXXXXX" that runs of this
 * shard (first, first + stride, ...) left when the sweep was killed are removed (issue 15:
 * they stayed); another shard's are not touched (it may be writing them). Returns how many. */
static long clean_series_temporaries(const char *dir, long first, long stride)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long removed = 0;

	while (d && (e = readdir(d)) != NULL) {
		long k;
		int n = 0;
		char path[4096];
		if (sscanf(e->d_name, "run-%6ld.tsv.tmp.%*6[A-Za-z0-9]%n", &k, &n) != 1 ||
		    n == 0 || e->d_name[n] != '\0' || strlen(e->d_name) != 25 || k < first ||
		    (k - first) % stride != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		removed += unlink(path) == 0;
	}
	if (d)
		closedir(d);
	return removed;
}

static int same_file(const char *a, const char *b)
{
	struct mv_file_id ia, ib;
	return mv_file_id_of(a, &ia) == 0 && mv_file_id_of(b, &ib) == 0 && ia.dev == ib.dev &&
	       ia.ino == ib.ino;
}

/* -o FILE, before any run: not a directory (not an input: mv_cli_refuse_input checked that;
 * FILE.partial is created next, which checks that it can be). */
static int check_output(const char *opt, const char *path, struct mv_error *err)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return mv_error_set(err, MV_EXIT_INPUT, "%s %s: is a directory: expected a file name",
				    opt, path);
	return 0;
}

/* After the batch stopped early: what happened, on stderr. Returns the exit status. */
static int report_stopped(int brc, const struct sweep_ctx *c, const struct sweep_opts *o,
			  const struct mv_error *err)
{
	int sig = (int)mv_interrupt;
	const char *why = brc < 0 ? "stopped" : sig == SIGINT ? "interrupted by SIGINT"
				 : sig == SIGTERM ? "interrupted by SIGTERM" : "interrupted";

	if (brc < 0)
		fprintf(stderr, "mvsim: %s\n", err->msg);
	if (o->output)
		fprintf(stderr,
			"mvsim: sweep %s after %ld of %ld runs; the finished runs are in %s.partial: "
			"run the same command with --resume to finish it\n",
			why, c->done, c->total, o->output);
	else
		fprintf(stderr, "mvsim: sweep %s after %ld of %ld runs (output incomplete)\n", why,
			c->done, c->total);
	/* 128 + signal, as every command interrupted (docs/errors.md) */
	return brc < 0 ? (err->code ? err->code : MV_EXIT_FAIL) : sig ? 128 + sig : MV_EXIT_FAIL;
}

int mv_cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o;
	struct mv_error err = {0};
	struct mv_sweep *sw = NULL;
	struct mv_mpi_batch *batch = NULL;
	struct mv_outfile *junit = NULL;
	struct sweep_ctx c;
	struct series_ctx sctx;
	struct mv_batch_sink sink;
	struct mv_sweep_points *points = NULL;
	char *meta = NULL;
	int rc, rank = mv_mpi_rank();
	long first, count;

	memset(&c, 0, sizeof c);
	if ((rc = parse_sweep_opts(argc, argv, &o)) >= 0)
		goto out;
	if ((sw = mv_sweep_load(o.file, o.sets.n, o.sets.v, &err)) == NULL ||
	    mv_cli_refuse_input(o.output, sw->sc, (const char *const *)&sw->path, 1, &err) ||
	    mv_cli_refuse_input(o.junit, sw->sc, (const char *const *)&sw->path, 1, &err))
		goto fail;
	/* Every output is checked before the first run (rank 0 writes them all). */
	if (rank == 0 && o.output && check_output("-o", o.output, &err))
		goto fail;
	if (rank == 0 && o.junit && o.output &&
	    (strcmp(o.junit, o.output) == 0 || same_file(o.junit, o.output))) {
		mv_error_set(&err, MV_EXIT_INPUT, "--junit %s: is the summary (-o %s) too", o.junit,
			     o.output);
		goto fail;
	}
	if (o.series && prepare_series_dir(o.series, &err))
		goto fail;
	if (rank == 0 && o.junit && (junit = mv_outfile_open(o.junit, NULL, 0, &err)) == NULL) {
		char msg[MV_ERROR_MAX];
		snprintf(msg, sizeof msg, "%s", err.msg);
		mv_error_set(&err, err.code, "--junit: %.1000s", msg);
		goto fail;
	}
	if ((meta = mv_summary_meta(sw, o.shard_k, o.shard_n)) == NULL)
		goto oom;
	if (o.names == MV_NAMES_SAFE) {
		char *safe = mv_colnames_safe_meta(meta, &err);
		free(meta);
		if ((meta = safe) == NULL)
			goto fail;
	}
	/* Shard K of N: runs K−1, K−1+N, K−1+2N, ... */
	first = o.shard_k - 1;
	count = sw->nruns > first ? (sw->nruns - first + o.shard_n - 1) / o.shard_n : 0;
	c.sw = sw;
	c.total = count;
	c.linesize = mv_summary_row_size(sw);
	if ((c.line = malloc(c.linesize)) == NULL)
		goto oom;
	if ((c.gate = mv_gate_create(meta, 1, print_note, &c.prog, &err)) == NULL)
		goto fail;
	struct mv_batch_spec spec;
	if ((points = mv_sweep_batch_spec(sw, &spec, &err)) == NULL)
		goto fail;
	spec.result = on_result;
	spec.result_ctx = &c;
	spec.jobs = mv_cli_jobs(o.jobs); /* SIGINT/SIGTERM stop it through mv_interrupt (error.h) */
	if (o.series) {
		sctx = (struct series_ctx){o.series, sw};
		sink = (struct mv_batch_sink){series_begin, mv_writer_row_cb, series_end, NULL, &sctx};
		spec.sink = &sink;
	}
	if ((batch = mv_mpi_batch_create(sw->sc, &sw->kt, &spec, NULL, &err)) == NULL)
		goto fail;

	/* The summary is opened last: an error above leaves no file behind. */
	if (rank > 0) {
		/* another rank of an MPI job: runs what rank 0 hands out, writes nothing */
		int wrc = mv_mpi_batch_exec(batch, first, count, o.shard_n, NULL, &err);
		rc = wrc == MV_MPI_WORKER ? MV_EXIT_OK : MV_EXIT_FAIL;
		goto out;
	}
	mv_progress_start(&c.prog, "sweep", count, 0, o.quiet);
	if (o.progress >= 0)
		mv_progress_every(&c.prog, (double)o.progress);
	if (o.output) {
		int orc = mv_summary_file_open(o.output, meta, o.resume, first, o.shard_n, count,
					       c.gate, &c.file, &c.done, &err);
		if (orc < 0)
			goto fail;
		if (o.resume && o.series) {
			long n = clean_series_temporaries(o.series, first, o.shard_n);
			if (n)
				fprintf(stderr, "mvsim: --series %s: removed %ld unfinished series "
					"file%s of the interrupted sweep\n", o.series, n, n == 1 ? "" : "s");
		}
		c.prog.done = c.prog.done0 = c.done;
		if (orc == 1) { /* complete already: judge it again, run nothing */
			mv_progress_say(&c.prog, "%s is complete already (%ld runs): nothing to run",
					o.output, c.done);
			goto judge;
		}
		if (o.resume && c.done > 0)
			mv_progress_say(&c.prog, "resumed %s.partial: %ld of %ld runs kept, %ld to run",
					o.output, c.done, count, count - c.done);
	} else if (fputs(meta, stdout) < 0) {
		goto io;
	}
	if (mv_mpi_size() > 1)
		mv_progress_say(&c.prog, "%ld runs over %d MPI ranks, %d threads on rank 0",
				count - c.done, mv_mpi_size(), spec.jobs);

	mv_progress_update(&c.prog, c.done, 1);
	long ndone;
	int brc = mv_mpi_batch_exec(batch, first + c.done * o.shard_n, count - c.done, o.shard_n,
				    &ndone, &err);
	mv_progress_update(&c.prog, c.done, 1);
	mv_progress_clear(&c.prog);
	if (brc != 0) {
		/* Completed rows stay in the partial: keep it for --resume. */
		mv_summary_file_close(c.file);
		c.file = NULL;
		rc = report_stopped(brc, &c, &o, &err);
		mv_progress_end(&c.prog, mv_gate_nfailed(c.gate), mv_gate_nbroken(c.gate));
		goto out;
	}
	if (c.file) {
		struct mv_summary_file *f = c.file;
		c.file = NULL;
		if (mv_summary_file_finish(f, c.gate, &err))
			goto fail;
	} else if (mv_summary_write_trailer(stdout, c.gate) != 0 || fflush(stdout) != 0 ||
		   ferror(stdout)) {
		goto io;
	}
judge:
	mv_gate_lint(c.gate, sw->sc->val[MV_G_START], sw->sc->val[MV_G_END]);
	if (junit) {
		char name[256];
		struct mv_outfile *jf = junit;
		junit = NULL;
		mv_gate_junit_name(sw->path, name, sizeof name);
		mv_gate_write_junit(c.gate, mv_outfile_stream(jf), name, mv_cli_now() - c.prog.t0);
		if (mv_outfile_commit(jf, &err))
			goto fail;
	}
	rc = mv_gate_verdict(c.gate, "sweep");
	mv_progress_end(&c.prog, mv_gate_nfailed(c.gate), mv_gate_nbroken(c.gate));
	goto out;
io:
	mv_error_set(&err, MV_EXIT_FAIL, "%s: write failed: %s", "standard output", strerror(errno));
	goto fail;
oom:
	mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
fail:
	mv_progress_clear(&c.prog);
	rc = mv_cli_report(&err);
out:
	mv_outfile_abort(junit);
	mv_summary_file_close(c.file);
	mv_mpi_batch_free(batch);
	mv_sweep_points_free(points);
	mv_gate_free(c.gate);
	free(c.line);
	free(meta);
	mv_sweep_free(sw);
	free(o.sets.v);
	return rc;
}
