/* bench.c — `make bench`: this tree against a baseline commit, side by side, in one
 * invocation, so every figure is a ratio measured on the same machine at the same time.
 *
 *   bench --raw [SCENARIO]   the in-process figures of the library it is linked with, as
 *                            "key value" lines: per-run time without output and with TSV
 *                            to /dev/null, RHS time per evaluation, evaluations per run,
 *                            per-stepper times. Uses only API that 46312d7 already had, so
 *                            the same source builds against the baseline's library.
 *   bench --base BENCH --base-mvsim MVSIM [--mvsim MVSIM] [SCENARIO]
 *                            the table: runs this binary's and the baseline BENCH's --raw
 *                            alternately (best of 3 each), counts instructions with
 *                            callgrind (whole `mvsim run` process, its mv_run_exec, and
 *                            `mvsim --version`), times whole processes, and sweeps 4,000
 *                            LHS runs with 1 and 2 jobs with both mvsim binaries.
 * Prints; asserts nothing (timings never decide a test). The targets of issue 14 are
 * reported as met or not. */
#define _GNU_SOURCE /* wait4, realpath */
#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/model.h"
#include "mvsim/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DIR "build/bench-out"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per call of fn(ctx), the best of 5 batches each lasting >= 0.2 s. */
static double best_time(void (*fn)(void *), void *ctx)
{
	double best = 1e30;
	long reps = 1;

	for (;;) { /* size a batch */
		double t0 = now();
		for (long k = 0; k < reps; k++)
			fn(ctx);
		if (now() - t0 > 0.2)
			break;
		reps *= 2;
	}
	for (int b = 0; b < 5; b++) {
		double t0 = now();
		for (long k = 0; k < reps; k++)
			fn(ctx);
		double per = (now() - t0) / (double)reps;
		if (per < best)
			best = per;
	}
	return best;
}

/* ================================================================ --raw */

struct job {
	struct mv_run *run;
	struct mv_writer *w;
	struct mv_model *m;
	double *y, *dy;
};

static void run_noout(void *p)
{
	struct job *j = p;
	struct mv_error err;
	if (mv_run_exec(j->run, NULL, NULL, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
}

static void run_devnull(void *p)
{
	struct job *j = p;
	struct mv_error err;
	if (mv_run_exec(j->run, mv_writer_row_cb, j->w, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
}

static void rhs_only(void *p)
{
	struct job *j = p;
	mv_model_rhs(2020.0, j->y, j->dy, j->m);
}

static int raw(const char *path)
{
	struct mv_error err = {0};
	struct mv_keytab kt;
	struct mv_scenario *sc = mv_config_load(path, 0, NULL, &kt, &err);
	if (sc == NULL) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return 2;
	}
	FILE *devnull = fopen("/dev/null", "w");
	struct job j = {0};
	j.run = mv_run_create(sc, &kt, NULL, &err);
	j.w = mv_writer_open_stream(devnull, &err);
	if (j.run == NULL || j.w == NULL) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return 1;
	}
	run_noout(&j);
	const struct mv_run_stats st = *mv_run_stats(j.run);
	printf("run_noout_s %.9g\n", best_time(run_noout, &j));
	printf("run_tsv_s %.9g\n", best_time(run_devnull, &j));
	printf("nevals %ld\nnsteps %ld\nnfailed %ld\nnresets %ld\nnrows %ld\n", st.nevals,
	       st.nsteps, st.nfailed, st.nresets, st.nrows);

	/* The pure RHS cost, at the scenario's initial state (with some tension) and its base
	 * parameters: the model alone, no events, no stepper. */
	struct mv_model model;
	int n = sc->nvec, D = sc->ndom;
	mv_model_init(&model, sc, sc->val);
	j.m = &model;
	j.y = calloc((size_t)model.ny, sizeof *j.y);
	j.dy = calloc((size_t)model.ny, sizeof *j.dy);
	for (int i = 0; i < n; i++) {
		for (int d = 0; d < D; d++)
			j.y[MV_Y_SHARE(n, d, i)] = sc->val[mv_key_share(n, D, i, d)];
		j.y[MV_Y_MASS(n, D, i)] = sc->val[mv_key_vec(n, D, i, MV_VP_MASS)];
		j.y[MV_Y_TENSION(n, D, i)] = 0.5;
	}
	printf("rhs_s %.9g\n", best_time(rhs_only, &j));
	for (const char *const *m = mv_integrator_names; *m; m++) {
		struct mv_run_opts opts = {0};
		opts.method = *m;
		struct job js = {0};
		js.run = mv_run_create(sc, &kt, &opts, &err);
		double t0 = now();
		run_noout(&js);
		double once = now() - t0; /* a stepper this slow (rk1imp: seconds) is timed once */
		const struct mv_run_stats s = *mv_run_stats(js.run);
		printf("stepper_%s %.9g %ld %ld %ld\n", *m, once > 0.1 ? once : best_time(run_noout, &js),
		       s.nevals, s.nsteps, s.njac);
		mv_run_free(js.run);
	}
	mv_writer_commit(j.w, &err);
	fclose(devnull);
	free(j.y);
	free(j.dy);
	mv_run_free(j.run);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	return 0;
}

/* ================================================================ the table */

#define MAXF 64

struct figs { /* one binary's --raw figures */
	int n;
	char key[MAXF][32];
	double v[MAXF][4];
};

static double *fig(struct figs *f, const char *key)
{
	for (int k = 0; k < f->n; k++)
		if (strcmp(f->key[k], key) == 0)
			return f->v[k];
	return NULL;
}

/* Runs `bench --raw scenario` and keeps, figure by figure, the smallest time seen. */
static int read_raw(const char *bench, const char *scenario, struct figs *f)
{
	char cmd[3 * PATH_MAX], line[256];
	snprintf(cmd, sizeof cmd, "'%s' --raw '%s'", bench, scenario);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (fgets(line, sizeof line, p)) {
		char key[32];
		double v[4] = {0, 0, 0, 0};
		int got = sscanf(line, "%31s %lf %lf %lf %lf", key, &v[0], &v[1], &v[2], &v[3]);
		if (got < 2)
			continue;
		double *old = fig(f, key);
		if (old == NULL && f->n < MAXF) {
			snprintf(f->key[f->n], sizeof f->key[0], "%s", key);
			old = f->v[f->n++];
			memcpy(old, v, sizeof v);
		} else if (old && v[0] < old[0]) {
			old[0] = v[0]; /* times: the best; counts do not change */
		}
	}
	return pclose(p) == 0 ? 0 : -1;
}

/* Spawns argv with stdout/stderr to log; returns the exit status (-1: cannot run) and the
 * wall time in *sec. */
static int spawn(char *const argv[], const char *log, double *sec)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	double t0 = now();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (sec)
		*sec = now() - t0;
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Instructions callgrind counts for argv (toggle: only inside that function, or NULL). */
static double instructions(char *const *argv, const char *toggle)
{
	char *va[16], tog[128];
	int n = 0;
	va[n++] = "valgrind";
	va[n++] = "--tool=callgrind";
	va[n++] = "--callgrind-out-file=/dev/null";
	if (toggle) {
		snprintf(tog, sizeof tog, "--toggle-collect=%s", toggle);
		va[n++] = tog;
	}
	for (int k = 0; argv[k] && n < 15; k++)
		va[n++] = argv[k];
	va[n] = NULL;
	if (spawn(va, DIR "/callgrind.log", NULL) != 0)
		return -1;
	FILE *f = fopen(DIR "/callgrind.log", "r");
	char line[512];
	double v = -1;
	while (f && fgets(line, sizeof line, f)) {
		char *p = strstr(line, "Collected :");
		if (p)
			v = strtod(p + 11, NULL);
	}
	if (f)
		fclose(f);
	return v;
}

/* Best wall time of `argv` over reps processes. */
static double process_time(char *const *argv, int reps)
{
	double best = 1e30, t;
	for (int k = 0; k < reps; k++)
		if (spawn(argv, DIR "/process.log", &t) == 0 && t < best)
			best = t;
	return best;
}

static int write_sweep(const char *path, const char *scenario, long n)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
		"scenario = \"%s\";\n"
		"sweep = {\n"
		"  method = \"lhs\"; samples = %ld; seed = 1;\n"
		"  parameters = (\n"
		"    { key = \"vectors.russia.coercion\"; min = 0.0; max = 3.0; },\n"
		"    { key = \"focal.autonomy\"; min = 0.1; max = 0.5; },\n"
		"    { key = \"vectors.china.growth\"; min = 0.02; max = 0.06; } );\n"
		"  metrics = [ \"final:crisis_prob\", \"min:n_eff\", \"cross:share_china>share_west\" ];\n"
		"};\n",
		scenario, n);
	return fclose(f);
}

/* Runs per second of `mvsim sweep` over nruns with jobs threads (best of 2). */
static double sweep_rate(const char *mvsim, long nruns, int jobs)
{
	char j[16];
	double best = 1e30, t;
	snprintf(j, sizeof j, "%d", jobs);
	char *argv[] = {(char *)mvsim, "sweep", DIR "/sweep.cfg", "-o", DIR "/sweep.tsv", "--jobs",
			j, "--quiet", NULL};
	for (int k = 0; k < 2; k++) {
		unlink(DIR "/sweep.tsv");
		if (spawn(argv, DIR "/sweep.log", &t) != 0)
			return -1;
		if (t < best)
			best = t;
	}
	return (double)nruns / best;
}

static void row(const char *name, double base, double cur, const char *unit, int higher_better)
{
	double ratio = higher_better ? cur / base : base / cur;
	if (base < 0 || cur < 0)
		printf("%-44s %14s %14s %9s\n", name, "n/a", "n/a", "");
	else
		printf("%-44s %14.4g %14.4g %8.2fx  %s\n", name, base, cur, ratio, unit);
}

static int table(const char *self, const char *base_bench, const char *base_mvsim,
		 const char *mvsim, const char *scenario)
{
	struct figs fb = {0}, fn = {0};
	char scen[PATH_MAX];
	const long nsweep = 4000;

	if (realpath(scenario, scen) == NULL) {
		fprintf(stderr, "bench: %s: %s\n", scenario, strerror(errno));
		return 2;
	}
	mkdir("build", 0755);
	mkdir(DIR, 0755);
	for (int r = 0; r < 3; r++) /* interleaved, so both see the same machine load */
		if (read_raw(self, scen, &fn) || read_raw(base_bench, scen, &fb)) {
			fprintf(stderr, "bench: %s --raw failed\n", r & 1 ? base_bench : self);
			return 1;
		}
	char *run_n[] = {(char *)mvsim, "run", scen, "-o", "/dev/null", NULL};
	char *run_b[] = {(char *)base_mvsim, "run", scen, "-o", "/dev/null", NULL};
	char *ver_n[] = {(char *)mvsim, "--version", NULL};
	char *ver_b[] = {(char *)base_mvsim, "--version", NULL};
	double ib = instructions(run_b, NULL), in = instructions(run_n, NULL);
	double ieb = instructions(run_b, "mv_run_exec"), ien = instructions(run_n, "mv_run_exec");
	double ivb = instructions(ver_b, NULL), ivn = instructions(ver_n, NULL);
	double pb = 1e30, pn = 1e30, vb = 1e30, vn = 1e30;
	for (int r = 0; r < 5; r++) {
		pb = fmin(pb, process_time(run_b, 4));
		pn = fmin(pn, process_time(run_n, 4));
		vb = fmin(vb, process_time(ver_b, 4));
		vn = fmin(vn, process_time(ver_n, 4));
	}
	if (write_sweep(DIR "/sweep.cfg", scen, nsweep)) {
		fprintf(stderr, "bench: cannot write " DIR "/sweep.cfg\n");
		return 2;
	}
	double s1b = sweep_rate(base_mvsim, nsweep, 1), s1n = sweep_rate(mvsim, nsweep, 1);
	double s2b = sweep_rate(base_mvsim, nsweep, 2), s2n = sweep_rate(mvsim, nsweep, 2);

	double *b_no = fig(&fb, "run_noout_s"), *n_no = fig(&fn, "run_noout_s");
	double *b_tsv = fig(&fb, "run_tsv_s"), *n_tsv = fig(&fn, "run_tsv_s");
	double *b_rhs = fig(&fb, "rhs_s"), *n_rhs = fig(&fn, "rhs_s");
	double *b_ev = fig(&fb, "nevals"), *n_ev = fig(&fn, "nevals");
	if (!b_no || !n_no || !b_tsv || !n_tsv || !b_rhs || !n_rhs || !b_ev || !n_ev) {
		fprintf(stderr, "bench: a --raw figure is missing\n");
		return 1;
	}
	printf("mvsim bench — %s, this tree against the baseline %s\n", scenario, base_mvsim);
	printf("(in-process times: best of 3 interleaved --raw runs of each; processes: best of 20)\n\n");
	printf("%-44s %14s %14s %9s\n", "figure", "baseline", "now", "ratio");
	row("run without output (ms)", 1e3 * b_no[0], 1e3 * n_no[0], "faster", 0);
	row("run with TSV to /dev/null (ms)", 1e3 * b_tsv[0], 1e3 * n_tsv[0], "faster", 0);
	row("TSV's share: with / without output", b_tsv[0] / b_no[0], n_tsv[0] / n_no[0], "", 0);
	row("RHS evaluations per run", b_ev[0], n_ev[0], "", 0);
	row("RHS time per evaluation (ns)", 1e9 * b_rhs[0], 1e9 * n_rhs[0], "faster", 0);
	row("run / pure RHS cost", b_no[0] / (b_rhs[0] * b_ev[0]), n_no[0] / (n_rhs[0] * n_ev[0]),
	    "", 0);
	row("instructions, whole `mvsim run` process", ib, in, "fewer", 0);
	row("instructions, its mv_run_exec (run + TSV)", ieb, ien, "fewer", 0);
	row("instructions, `mvsim --version`", ivb, ivn, "", 0);
	row("process / (mv_run_exec + --version), instr.", ib / (ieb + ivb), in / (ien + ivn), "",
	    0);
	row("wall time, whole `mvsim run` process (ms)", 1e3 * pb, 1e3 * pn, "faster", 0);
	row("wall time, `mvsim --version` (ms)", 1e3 * vb, 1e3 * vn, "", 0);
	row("process / (run with TSV + --version), wall", pb / (b_tsv[0] + vb),
	    pn / (n_tsv[0] + vn), "", 0);
	row("sweep runs/s, 1 job (4,000 LHS runs)", s1b, s1n, "faster", 1);
	row("sweep runs/s, 2 jobs", s2b, s2n, "faster", 1);

	printf("\nper stepper, ms per run without output (baseline -> now)\n");
	for (const char *const *m = mv_integrator_names; *m; m++) {
		char key[32];
		snprintf(key, sizeof key, "stepper_%s", *m);
		double *a = fig(&fb, key), *b = fig(&fn, key);
		if (a && b)
			printf("  %-8s %8.3f -> %8.3f  (%5.2fx; %ld RHS evaluations, %ld Jacobians)\n", *m,
			       1e3 * a[0], 1e3 * b[0], a[0] / b[0], (long)b[1], (long)b[3]);
	}

	printf("\ntargets (issue 14)\n");
	double tsv_add = n_tsv[0] / n_no[0] - 1;
	printf("  %-60s %s (%.0f%%)\n", "TSV output adds at most 30% to a run",
	       tsv_add <= 0.30 ? "met" : "NOT met", 100 * tsv_add);
	double wall_ratio = pn / (n_tsv[0] + vn), instr_ratio = in / (ien + ivn);
	printf("  %-60s %s (%.2f wall, %.2f instructions)\n",
	       "whole process <= 1.5 x (run with TSV + mvsim --version)",
	       wall_ratio <= 1.5 && instr_ratio <= 1.5 ? "met" : "NOT met", wall_ratio, instr_ratio);
	printf("  %-60s %s (%.2fx wall, %.2fx instructions)\n",
	       "whole baseline process >= 2.5x faster than the baseline commit",
	       pb / pn >= 2.5 && ib / in >= 2.5 ? "met" : "NOT met", pb / pn, ib / in);
	printf("  %-60s %s (%.2fx with 1 job, %.2fx with 2)\n", "sweep runs/s >= 1.5x",
	       s1n / s1b >= 1.5 && s2n / s2b >= 1.5 ? "met" : "NOT met", s1n / s1b, s2n / s2b);
	unlink(DIR "/sweep.tsv");
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = NULL, *base_mvsim = NULL, *mvsim = "build/mvsim";
	const char *scenario = "configs/kazakhstan.cfg";
	char self[PATH_MAX];
	int k;

	if (argc > 1 && strcmp(argv[1], "--raw") == 0)
		return raw(argc > 2 ? argv[2] : scenario);
	for (k = 1; k + 1 < argc && strncmp(argv[k], "--", 2) == 0; k += 2) {
		if (strcmp(argv[k], "--base") == 0)
			base = argv[k + 1];
		else if (strcmp(argv[k], "--base-mvsim") == 0)
			base_mvsim = argv[k + 1];
		else if (strcmp(argv[k], "--mvsim") == 0)
			mvsim = argv[k + 1];
	}
	if (k < argc)
		scenario = argv[k];
	if (base == NULL || base_mvsim == NULL) {
		fprintf(stderr, "usage: bench --raw [SCENARIO]\n"
				"       bench --base BENCH --base-mvsim MVSIM [--mvsim MVSIM] [SCENARIO]\n");
		return 2;
	}
	if (realpath(argv[0], self) == NULL) {
		fprintf(stderr, "bench: %s: %s\n", argv[0], strerror(errno));
		return 2;
	}
	return table(self, base, base_mvsim, mvsim, scenario);
}
