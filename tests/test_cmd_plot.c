/* test_cmd_plot.c — the figure scripts and `mvsim plot`: every script drawn (png and svg) from real
 * runs of two shapes of scenario, through gnuplot directly and through mv_cmd_plot; errors.
 * The fan and sensitivity figures from real `mvsim ensemble` and `mvsim sensitivity` results;
 * heatmap, scatter and fit from real `mvsim sweep` summaries and an `mvsim fit`. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

extern char **environ;

#define OUT "build/test-cmd-plot"

/* The results drawn: the baseline (4 vectors x 3 domains) and tests/data/plot_three_vectors.cfg
 * (3 x 2), both run by the mvsim binary in the group setup; a synthetic result with events
 * the real scenarios lack (one without a label, one near the end) kept in tests/data. */
static const char *const results[] = {
	OUT "/baseline.tsv",
	OUT "/three.tsv",
	"tests/data/plot_synth_four.tsv",
};
#define NRESULTS (int)(sizeof results / sizeof results[0])

static const char *const kinds[] = {"shares", "plane", "tension", "diversity"};
#define NKINDS (int)(sizeof kinds / sizeof kinds[0])

/* Results of `mvsim ensemble` and `mvsim sensitivity` (made in the setup, in-process), with the
 * kind each is drawn by. The flat one has a metric without indices (its panel says so). */
static const char *const uq_results[][2] = {
	{OUT "/ensemble.tsv", "fan"},
	{OUT "/sobol.tsv", "sensitivity"},
	{OUT "/morris.tsv", "sensitivity"},
	{OUT "/sobol-flat.tsv", "sensitivity"},
};
#define NUQ (int)(sizeof uq_results / sizeof uq_results[0])

/* ---- helpers -------------------------------------------------------------------------- */

/* Runs argv (argv[0] looked up on PATH) with stdout and stdin on /dev/null; its stderr is
 * returned in *err (malloc'd). Returns the exit status, or -1 if it could not be run. */
static int run(char *const argv[], char **err)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status;
	size_t len = 0, cap = 1024;
	char *buf = malloc(cap);
	pid_t pid;

	assert_non_null(buf);
	assert_int_equal(pipe(fds), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	for (;;) {
		if (len + 512 > cap)
			buf = realloc(buf, cap *= 2);
		assert_non_null(buf);
		ssize_t got = read(fds[0], buf + len, cap - len - 1);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	buf[len] = '\0';
	close(fds[0]);
	*err = buf;
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Fails unless path is a non-empty figure of its kind: a PNG signature, an SVG document that
 * is closed, a PDF header. */
static void assert_figure(const char *path)
{
	char head[8] = {0}, tail[64] = {0};
	long size = file_size(path);
	FILE *f;

	if (size <= 0)
		fail_msg("%s: missing or empty (size %ld)", path, size);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
	fseek(f, size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0, SEEK_SET);
	size_t n = fread(tail, 1, sizeof tail - 1, f);
	tail[n] = '\0';
	fclose(f);
	if (strstr(path, ".png"))
		assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
	else if (strstr(path, ".svg"))
		assert_non_null(strstr(tail, "</svg>"));
	else if (strstr(path, ".pdf"))
		assert_memory_equal(head, "%PDF", 4);
}

/* Calls mv_cmd_plot on a NULL-terminated argument list (after "plot"), keeping its stderr in
 * *err (static, overwritten by the next call) and its stdout out of the test log. */
static int plot(char **err, ...)
{
	static char *kept; /* the last call's stderr */
	struct tu_capture out, errs;
	char *argv[32] = {"plot"};
	int argc = 1;
	va_list ap;

	free(kept);
	va_start(ap, err);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	tu_capture_begin(&out, 1);
	tu_capture_begin(&errs, 2);
	int rc = mv_cmd_plot(argc, argv);
	*err = kept = tu_capture_end(&errs);
	free(tu_capture_end(&out));
	return rc;
}

/* Fails if a temporary (".tmp.") is left in OUT: figures are published only when complete. */
static void assert_no_temporaries(void)
{
	DIR *d = opendir(OUT);
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp."))
			fail_msg("temporary left behind: %s/%s", OUT, e->d_name);
	closedir(d);
}

/* ---- fixtures ------------------------------------------------------------------------- */

/* The uq_results, by the commands themselves (their notes on stderr kept out of the log). */
static int make_uq_results(void)
{
	static char *const runs[][16] = {
		{"ensemble", "tests/data/uq/small.cfg", "--set", "noise.sigma=0.2", "--runs", "40",
		 "-o", OUT "/ensemble.tsv", NULL},
		{"sensitivity", "tests/data/uq/sens.cfg", "--method", "sobol", "--samples", "16",
		 "--bootstrap", "40", "-o", OUT "/sobol.tsv", NULL},
		{"sensitivity", "tests/data/uq/sens.cfg", "--method", "morris", "--samples", "6", "-o",
		 OUT "/morris.tsv", NULL},
		{"sensitivity", "tests/data/uq/flat.cfg", "--method", "sobol", "--samples", "16", "-o",
		 OUT "/sobol-flat.tsv", NULL},
	};
	struct tu_capture errs;
	for (int k = 0; k < 4; k++) {
		char *argv[16]; /* getopt permutes argv: a writable copy */
		int argc = 0;
		while ((argv[argc] = runs[k][argc]) != NULL)
			argc++;
		tu_capture_begin(&errs, 2);
		int rc = (k == 0 ? mv_cmd_ensemble : mv_cmd_sensitivity)(argc, argv);
		char *text = tu_capture_end(&errs);
		if (rc != 0)
			print_error("mvsim %s %s: exit %d\n%s", runs[k][0], runs[k][1], rc, text);
		free(text);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Runs the mvsim binary (env MVSIM, default build/mvsim) with the arguments after it (up to
 * 15, NULL-terminated), its stdout on /dev/null. Returns 0, or -1 after printing its stderr. */
static int run_mvsim(const char *arg, ...)
{
	const char *mvsim = getenv("MVSIM");
	char bin[256], *argv[17], *err;
	int argc = 1;
	va_list ap;

	snprintf(bin, sizeof bin, "%s%s", mvsim && mvsim[0] && mvsim[0] != '/' ? "./" : "",
		 mvsim && mvsim[0] ? mvsim : "build/mvsim");
	argv[0] = bin;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && argc < 16; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	int rc = run(argv, &err);
	if (rc != 0)
		print_error("%s %s %s: exit %d\n%s", bin, argv[1], argv[2], rc, err);
	free(err);
	return rc == 0 ? 0 : -1;
}

/* Runs the mvsim binary on the two scenarios into OUT, and points mv_cmd_plot at the
 * repository's scripts. */
static int setup(void **state)
{
	(void)state;
	mkdir("build", 0755);
	mkdir(OUT, 0755);
	if (run_mvsim("run", "configs/kazakhstan.cfg", "-o", OUT "/baseline.tsv", NULL) ||
	    run_mvsim("run", "tests/data/plot_three_vectors.cfg", "-o", OUT "/three.tsv", NULL))
		return -1;
	setenv("MVSIM_SCRIPTS", "scripts", 1);
	unsetenv("GNUPLOT");
	return make_uq_results();
}

/* The sweep summaries and the fit, by the mvsim binary: a 5 x 4 grid (tests/data/plot_grid.cfg,
 * for heatmap and scatter), a 24-point Latin hypercube of three parameters (plot_lhs.cfg,
 * scatter), the noise-free synthetic fit of tests/data/fit/good.cfg (about 0.1 s) and a run
 * of its fitted scenario; a copy of that run renamed to another scenario, and a summary cut
 * before its '# complete' line. */
static int setup_sweep_fit(void **state)
{
	(void)state;
	mkdir("build", 0755);
	mkdir(OUT, 0755);
	setenv("MVSIM_SCRIPTS", "scripts", 1);
	unsetenv("GNUPLOT");
	if (run_mvsim("sweep", "tests/data/plot_grid.cfg", "-o", OUT "/grid.tsv", "--quiet", NULL) ||
	    run_mvsim("sweep", "tests/data/plot_lhs.cfg", "-o", OUT "/lhs.tsv", "--quiet", NULL) ||
	    run_mvsim("fit", "tests/data/fit/good.cfg", "-o", OUT "/fitted.cfg", "--report",
		      OUT "/report.tsv", "--quiet", NULL) ||
	    run_mvsim("run", OUT "/fitted.cfg", "-o", OUT "/fitted.tsv", NULL) ||
	    /* fitv2: a rolling-origin fit (three origins), for test_cmd_fit */
	    run_mvsim("fit", "tests/data/fit/roll.cfg", "-o", OUT "/roll-fitted.cfg", "--report",
		      OUT "/roll-report.tsv", "--quiet", NULL) ||
	    run_mvsim("run", OUT "/roll-fitted.cfg", "-o", OUT "/roll-fitted.tsv", NULL) ||
	    run_mvsim("run", "tests/data/plot_three_vectors.cfg", "-o", OUT "/three.tsv", NULL))
		return -1;
	char *rename_run[] = {"sed", "-n", "-e",
			      "s/^# scenario\tfit synthetic (fitted)$/# scenario\tanother/",
			      "-e", "w " OUT "/other.tsv", OUT "/fitted.tsv", NULL};
	char *cut[] = {"sed", "-n", "-e", "$!w " OUT "/grid-cut.tsv", OUT "/grid.tsv", NULL};
	char *const *cmds[] = {rename_run, cut};
	for (int k = 0; k < 2; k++) {
		char *err;
		int rc = run(cmds[k], &err);
		if (rc != 0)
			print_error("%s: exit %d\n%s", cmds[k][0], rc, err);
		free(err);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* ---- the scripts on their own ---------------------------------------------------------- */

/* gnuplot -e "in=...; out=..." scripts/KIND.gp, png and svg (term from the extension), for
 * every result: exit 0, not a byte on stderr, a complete figure. */
static void test_scripts_direct(void **state)
{
	static const char *const exts[] = {"png", "svg"};
	(void)state;
	for (int r = 0; r < NRESULTS; r++)
		for (int k = 0; k < NKINDS; k++)
			for (int e = 0; e < 2; e++) {
				char vars[512], script[64], out[256], *err;
				const char *base = strrchr(results[r], '/') + 1;
				snprintf(out, sizeof out, OUT "/direct-%.*s-%s.%s",
					 (int)(strlen(base) - 4), base, kinds[k], exts[e]);
				snprintf(vars, sizeof vars, "in='%s'; out='%s'", results[r], out);
				snprintf(script, sizeof script, "scripts/%s.gp", kinds[k]);
				unlink(out);
				char *argv[] = {"gnuplot", "-e", vars, script, NULL};
				int rc = run(argv, &err);
				if (rc != 0 || err[0] != '\0')
					fail_msg("gnuplot %s on %s: exit %d, stderr:\n%s", script,
						 results[r], rc, err);
				free(err);
				assert_figure(out);
			}
}

/* An explicit term overrides the extension; pdfcairo works too. */
static void test_scripts_term(void **state)
{
	(void)state;
	char *err, *argv[] = {"gnuplot", "-e",
			      "in='" OUT "/three.tsv'; out='" OUT "/direct-term.fig'; term='pdfcairo'",
			      "scripts/shares.gp", NULL};
	unlink(OUT "/direct-term.fig");
	int rc = run(argv, &err);
	if (rc != 0 || err[0] != '\0')
		fail_msg("exit %d, stderr:\n%s", rc, err);
	free(err);
	char head[4];
	FILE *f = fopen(OUT "/direct-term.fig", "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(head, "%PDF", 4);
}

/* compare.gp with files='...' and cols='...', across the two shapes (common columns). */
static void test_compare_direct(void **state)
{
	static const char *const exts[] = {"png", "svg"};
	(void)state;
	for (int e = 0; e < 2; e++) {
		char vars[512], out[128], *err;
		snprintf(out, sizeof out, OUT "/direct-compare.%s", exts[e]);
		snprintf(vars, sizeof vars,
			 "files='" OUT "/baseline.tsv " OUT "/three.tsv'; "
			 "cols='share_russia share_china share_west crisis_prob'; out='%s'", out);
		unlink(out);
		char *argv[] = {"gnuplot", "-e", vars, "scripts/compare.gp", NULL};
		int rc = run(argv, &err);
		if (rc != 0 || err[0] != '\0')
			fail_msg("compare.gp: exit %d, stderr:\n%s", rc, err);
		free(err);
		assert_figure(out);
	}
}

/* A script given a file that is not a result stops with gnuplot's error, naming the file. */
static void test_script_rejects_non_result(void **state)
{
	(void)state;
	char *err, *argv[] = {"gnuplot", "-e",
			      "in='tests/data/plot_not_mvsim.tsv'; out='" OUT "/direct-bad.png'",
			      "scripts/plane.gp", NULL};
	int rc = run(argv, &err);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(err, "tests/data/plot_not_mvsim.tsv: not an mvsim result"));
	free(err);
}

/* ---- mvsim plot --------------------------------------------------------------------------- */

/* --kind all, png and svg, for every result: four figures beside the input, status 0. */
static void test_cmd_all_kinds(void **state)
{
	static const char *const fmts[] = {"png", "svg"};
	(void)state;
	for (int r = 0; r < NRESULTS; r++)
		for (int f = 0; f < 2; f++) {
			char *err, out[256];
			const char *input = results[r];
			/* The synthetic result lives in tests/data: draw a copy in OUT instead. */
			if (strncmp(input, OUT, strlen(OUT)) != 0) {
				char *cp[] = {"cp", (char *)input, OUT "/synth.tsv", NULL}, *e2;
				assert_int_equal(run(cp, &e2), 0);
				free(e2);
				input = OUT "/synth.tsv";
			}
			int rc = plot(&err, input, "--kind", "all", "--format", fmts[f], NULL);
			if (rc != 0)
				fail_msg("mvsim plot %s --format %s: %d\n%s", input, fmts[f], rc, err);
			assert_string_equal(err, "");
			for (int k = 0; k < NKINDS; k++) {
				snprintf(out, sizeof out, "%.*s-%s.%s", (int)(strlen(input) - 4), input,
					 kinds[k], fmts[f]);
				assert_figure(out);
			}
		}
	assert_no_temporaries();
}

/* -o FILE for one kind; the format from its extension; the path printed on stdout. */
static void test_cmd_output(void **state)
{
	(void)state;
	struct tu_capture out;
	char *argv[] = {"plot", OUT "/three.tsv", "--kind", "plane", "-o", OUT "/one plane's.svg",
			NULL};
	unlink(OUT "/one plane's.svg");
	tu_capture_begin(&out, 1);
	int rc = mv_cmd_plot(6, argv);
	char *printed = tu_capture_end(&out);
	assert_int_equal(rc, 0);
	assert_string_equal(printed, OUT "/one plane's.svg\n");
	free(printed);
	assert_figure(OUT "/one plane's.svg");
}

/* --compare: default columns (the first file's shares and crisis_prob) for two runs of the
 * same shape, chosen columns across shapes; png and svg. */
static void test_cmd_compare(void **state)
{
	(void)state;
	char *err;
	assert_int_equal(plot(&err, "--compare", OUT "/baseline.tsv", OUT "/baseline.tsv", "-o",
			      OUT "/cmd-compare-default.png", NULL), 0);
	assert_figure(OUT "/cmd-compare-default.png");
	assert_int_equal(plot(&err, "--compare", OUT "/baseline.tsv", OUT "/three.tsv",
			      "--columns", "share_russia,share_west crisis_prob", "--format", "svg",
			      NULL), 0);
	assert_figure(OUT "/baseline-compare.svg");
}

/* ---- errors: status and exact message -------------------------------------------------- */

static void test_err_not_result(void **state)
{
	(void)state;
	char *err;
	assert_int_equal(plot(&err, "tests/data/plot_not_mvsim.tsv", NULL), 2);
	assert_string_equal(err, "mvsim plot: tests/data/plot_not_mvsim.tsv: not an mvsim result "
				 "(the first line should start with '# mvsim')\n");
}

static void test_err_no_header(void **state)
{
	(void)state;
	char *err;
	assert_int_equal(plot(&err, "tests/data/plot_no_header.tsv", NULL), 2);
	assert_string_equal(err, "mvsim plot: tests/data/plot_no_header.tsv: no header line after "
				 "the '#' lines\n");
}

static void test_err_missing_column(void **state)
{
	(void)state;
	char *err;
	assert_int_equal(plot(&err, "tests/data/plot_no_tilt.tsv", "--kind", "plane", "-o",
			      OUT "/never.png", NULL), 2);
	assert_string_equal(err, "mvsim plot: tests/data/plot_no_tilt.tsv: column 'tilt_x' is "
				 "absent (the plane figure needs it)\n");
	assert_int_equal(file_size(OUT "/never.png"), -1);
	/* The other kinds do not need tilt_x. */
	assert_int_equal(plot(&err, "tests/data/plot_no_tilt.tsv", "--kind", "diversity", "-o",
			      OUT "/no-tilt-diversity.png", NULL), 0);
	assert_figure(OUT "/no-tilt-diversity.png");
	/* --compare names the file and the column. */
	assert_int_equal(plot(&err, "--compare", OUT "/baseline.tsv", OUT "/three.tsv", NULL), 2);
	assert_string_equal(err, "mvsim plot: " OUT "/three.tsv: column 'share_south_asia' is "
				 "absent\n");
}

static void test_err_gnuplot_missing(void **state)
{
	(void)state;
	char *err, *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", "/nonexistent", 1);
	int rc = plot(&err, OUT "/three.tsv", "--kind", "shares", "-o", OUT "/never.png", NULL);
	setenv("PATH", path, 1);
	free(path);
	assert_int_equal(rc, 1);
	assert_string_equal(err, "mvsim plot: gnuplot not found on PATH; install it with: "
				 "apt-get install gnuplot-nox\n");
	assert_int_equal(file_size(OUT "/never.png"), -1);
}

/* A warning from gnuplot is a failure: status 1, the warning shown, no figure left. */
static void test_err_gnuplot_warning(void **state)
{
	(void)state;
	char *err;
	FILE *f;
	mkdir(OUT "/warnscripts", 0755);
	f = fopen(OUT "/warnscripts/diversity.gp", "w");
	assert_non_null(f);
	fputs("set terminal pngcairo\nset output out\nplot 'no-such-file.dat' using 1:2\n", f);
	assert_int_equal(fclose(f), 0);
	f = fopen(OUT "/warnscripts/common.gp", "w"); /* mv_cmd_plot wants it beside the script */
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	setenv("MVSIM_SCRIPTS", OUT "/warnscripts", 1);
	int rc = plot(&err, OUT "/three.tsv", "--kind", "diversity", "-o", OUT "/warned.png", NULL);
	setenv("MVSIM_SCRIPTS", "scripts", 1);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "mvsim plot: gnuplot failed on " OUT "/warnscripts/diversity.gp"
				    " for " OUT "/warned.png:\n"));
	assert_non_null(strstr(err, "warning: Cannot find or open file"));
	assert_int_equal(file_size(OUT "/warned.png"), -1);
	assert_no_temporaries();
}

static void test_err_scripts_missing(void **state)
{
	(void)state;
	char *err;
	setenv("MVSIM_SCRIPTS", OUT "/no-such-dir", 1);
	int rc = plot(&err, OUT "/three.tsv", "--kind", "plane", NULL);
	setenv("MVSIM_SCRIPTS", "scripts", 1);
	assert_int_equal(rc, 1);
	assert_string_equal(err, "mvsim plot: cannot find the plot scripts plane.gp and common.gp "
				 "in " OUT "/no-such-dir (set MVSIM_SCRIPTS to the scripts "
				 "directory)\n");
}

static void test_err_usage(void **state)
{
	(void)state;
	char *err;
	assert_int_equal(plot(&err, NULL), 2);
	assert_string_equal(err, "mvsim plot: no result file given\n(see 'mvsim plot --help')\n");
	assert_int_equal(plot(&err, OUT "/three.tsv", "-o", OUT "/x.png", NULL), 2);
	assert_string_equal(err, "mvsim plot: -o names one file: give --kind too (with --kind all "
				 "the figures go beside the input)\n(see 'mvsim plot --help')\n");
	assert_int_equal(plot(&err, OUT "/three.tsv", "--kind", "pie", NULL), 2);
	assert_string_equal(err, "mvsim plot: --kind: expected shares, plane, tension, diversity, "
				 "all, fan, sensitivity, heatmap, scatter, fit, tradeoff or box, found 'pie'\n"
				 "(see 'mvsim plot --help')\n");
	assert_int_equal(plot(&err, OUT "/three.tsv", "--kind", "plane", "-o", OUT "/x.jpg",
			      NULL), 2);
	assert_string_equal(err, "mvsim plot: cannot tell the format of '" OUT "/x.jpg': end it in "
				 ".png, .svg or .pdf, or give --format\n(see 'mvsim plot --help')\n");
	assert_int_equal(plot(&err, "--compare", OUT "/three.tsv", NULL), 2);
	assert_string_equal(err, "mvsim plot: --compare needs two or more result files\n"
				 "(see 'mvsim plot --help')\n");
	assert_int_equal(plot(&err, "--compare", OUT "/three.tsv", OUT "/three.tsv", "--columns",
			      "t'; system('true')", NULL), 2);
	assert_int_equal(plot(&err, "--compare", OUT "/three.tsv", OUT "/three.tsv", "--metric",
			      "n_eff", NULL), 2);
	assert_string_equal(err, "mvsim plot: --metric does not apply to --compare\n"
				 "(see 'mvsim plot --help')\n");
	assert_int_equal(plot(&err, OUT "/three.tsv", "--frobnicate", NULL), 2);
	assert_string_equal(err, "mvsim plot: unknown option '--frobnicate'\n"
				 "(see 'mvsim plot --help')\n");
}

/* ---- ensembles and sensitivity analyses ------------------------------------------------ */

/* fan.gp and sensitivity.gp directly, png and svg: exit 0, nothing on stderr, a figure. */
static void test_uq_scripts_direct(void **state)
{
	static const char *const exts[] = {"png", "svg"};
	(void)state;
	for (int r = 0; r < NUQ; r++)
		for (int e = 0; e < 2; e++) {
			char vars[512], script[64], out[256], *err;
			const char *base = strrchr(uq_results[r][0], '/') + 1;
			snprintf(out, sizeof out, OUT "/direct-%.*s.%s", (int)(strlen(base) - 4), base,
				 exts[e]);
			snprintf(vars, sizeof vars, "in='%s'; out='%s'", uq_results[r][0], out);
			snprintf(script, sizeof script, "scripts/%s.gp", uq_results[r][1]);
			unlink(out);
			char *argv[] = {"gnuplot", "-e", vars, script, NULL};
			int rc = run(argv, &err);
			if (rc != 0 || err[0] != '\0')
				fail_msg("gnuplot %s on %s: exit %d, stderr:\n%s", script, uq_results[r][0],
					 rc, err);
			free(err);
			assert_figure(out);
		}
	/* fan.gp with chosen columns */
	char *err, *argv[] = {"gnuplot", "-e",
			      "in='" OUT "/ensemble.tsv'; out='" OUT "/direct-fan-cols.png'; "
			      "cols='share_beta crisis_prob'", "scripts/fan.gp", NULL};
	int rc = run(argv, &err);
	if (rc != 0 || err[0] != '\0')
		fail_msg("fan.gp cols=...: exit %d, stderr:\n%s", rc, err);
	free(err);
	assert_figure(OUT "/direct-fan-cols.png");
}

/* Without --kind a result gets the figure of its '# result' line; --kind names it too. */
static void test_cmd_uq_kinds(void **state)
{
	struct tu_capture out;
	(void)state;
	for (int r = 0; r < NUQ; r++) {
		char fig[256], expect[260], *err;
		const char *in = uq_results[r][0];
		snprintf(fig, sizeof fig, "%.*s-%s.png", (int)(strlen(in) - 4), in, uq_results[r][1]);
		snprintf(expect, sizeof expect, "%s\n", fig);
		unlink(fig);
		char *argv[] = {"plot", (char *)in, NULL};
		tu_capture_begin(&out, 1);
		int rc = mv_cmd_plot(2, argv);
		char *printed = tu_capture_end(&out);
		assert_int_equal(rc, 0);
		assert_string_equal(printed, expect);
		free(printed);
		assert_figure(fig);
		assert_int_equal(plot(&err, in, "--kind", uq_results[r][1], "-o", OUT "/uq-kind.svg",
				      NULL), 0);
		assert_figure(OUT "/uq-kind.svg");
	}
	assert_no_temporaries();
}

/* A run's result is no ensemble nor analysis, and the other way round: exit 2, the column. */
static void test_err_uq_kinds(void **state)
{
	char *err;
	(void)state;
	assert_int_equal(plot(&err, OUT "/three.tsv", "--kind", "fan", "-o", OUT "/never.png", NULL),
			 2);
	assert_string_equal(err, "mvsim plot: " OUT "/three.tsv: no column ending in '_p05' (the "
				 "fan figure needs one, as 'mvsim ensemble' writes)\n");
	assert_int_equal(plot(&err, OUT "/three.tsv", "--kind", "sensitivity", "-o",
			      OUT "/never.png", NULL), 2);
	assert_string_equal(err, "mvsim plot: " OUT "/three.tsv: column 'metric' is absent (the "
				 "sensitivity figure needs it)\n");
	assert_int_equal(plot(&err, OUT "/ensemble.tsv", "--kind", "all", NULL), 2);
	assert_string_equal(err, "mvsim plot: " OUT "/ensemble.tsv: column 'share_alpha' is absent "
				 "(the shares figure needs it)\n");
	assert_int_equal(plot(&err, OUT "/sobol.tsv", "--kind", "fan", NULL), 2);
	assert_string_equal(err, "mvsim plot: " OUT "/sobol.tsv: column 't' is absent (the fan "
				 "figure needs it)\n");
	assert_int_equal(file_size(OUT "/never.png"), -1);
}

/* ---- sweep summaries and fits ----------------------------------------------------------- */

#define GRID_X "vectors.russia.coercion"
#define GRID_Y "vectors.russia.restraint.china"

/* Draws through mv_cmd_plot and fails unless it exits 0, says nothing on stderr (a word from
 * gnuplot is a failure), prints exactly `fig` on stdout and leaves a complete figure there. */
static void assert_draws(const char *fig, ...)
{
	struct tu_capture out, errs;
	char *argv[32] = {"plot"};
	int argc = 1;
	va_list ap;

	va_start(ap, fig);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	unlink(fig);
	tu_capture_begin(&out, 1);
	tu_capture_begin(&errs, 2);
	int rc = mv_cmd_plot(argc, argv);
	char *err = tu_capture_end(&errs), *printed = tu_capture_end(&out);
	if (rc != 0 || err[0] != '\0')
		fail_msg("mvsim plot %s --kind %s ...: exit %d, stderr:\n%s", argv[1],
			 argc > 3 ? argv[3] : "-", rc, err);
	if (strncmp(printed, fig, strlen(fig)) != 0 || strcmp(printed + strlen(fig), "\n") != 0)
		fail_msg("printed '%s', expected '%s'", printed, fig);
	free(err);
	free(printed);
	assert_figure(fig);
}

/* mvsim plot ARGS -o OUT/never.png must exit 2 with exactly msg on stderr, drawing nothing. */
static void assert_refused(const char *const *args, const char *msg)
{
	struct tu_capture out, errs;
	char *argv[16] = {"plot"};
	int argc = 1;

	while (argc < 13 && args[argc - 1] != NULL) {
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	argv[argc++] = "-o";
	argv[argc++] = OUT "/never.png";
	argv[argc] = NULL;
	tu_capture_begin(&out, 1);
	tu_capture_begin(&errs, 2);
	int rc = mv_cmd_plot(argc, argv);
	char *err = tu_capture_end(&errs);
	free(tu_capture_end(&out));
	if (rc != 2 || strcmp(err, msg) != 0)
		fail_msg("mvsim plot %s %s %s ...: exit %d, stderr:\n%s\nexpected:\n%s", argv[1],
			 argv[2], argc > 5 ? argv[3] : "", rc, err, msg);
	free(err);
	assert_int_equal(file_size(OUT "/never.png"), -1);
}

/* heatmap of the grid, png and svg, beside the input; without --kind, --x and --y choose it. */
static void test_cmd_heatmap(void **state)
{
	(void)state;
	assert_draws(OUT "/grid-heatmap.png", OUT "/grid.tsv", "--kind", "heatmap", "--x", GRID_X,
		     "--y", GRID_Y, "--metric", "final:crisis_prob", NULL);
	assert_draws(OUT "/grid-heatmap.svg", OUT "/grid.tsv", "--kind", "heatmap", "--x", GRID_Y,
		     "--y", GRID_X, "--metric=min:n_eff", "--format", "svg", NULL);
	assert_draws(OUT "/grid map.png", OUT "/grid.tsv", "--x", GRID_X, "--y", GRID_Y,
		     "--metric", "final:crisis_prob", "-o", OUT "/grid map.png", NULL);
	assert_no_temporaries();
}

/* scatter: the default for a summary (its first metric); a chosen metric with nan runs (the
 * cross: of the Latin hypercube), png and svg. */
static void test_cmd_scatter(void **state)
{
	(void)state;
	assert_draws(OUT "/grid-scatter.png", OUT "/grid.tsv", NULL);
	assert_draws(OUT "/grid-scatter.svg", OUT "/grid.tsv", "--kind", "scatter", "--format",
		     "svg", NULL);
	assert_draws(OUT "/lhs-scatter.png", OUT "/lhs.tsv", "--kind", "scatter", "--metric",
		     "cross:share_china>share_west", NULL);
	assert_draws(OUT "/lhs-scatter.svg", OUT "/lhs.tsv", "--metric", "mean:share_russia",
		     "--format", "svg", NULL);
	assert_no_temporaries();
}

/* fit: the fitted run with its report, png and svg; --report alone chooses it; a run of the
 * scenario before the fit (the report's scenario_name) may be drawn with the report too. */
static void test_cmd_fit(void **state)
{
	(void)state;
	assert_draws(OUT "/fitted-fit.png", OUT "/fitted.tsv", "--kind", "fit", "--report",
		     OUT "/report.tsv", NULL);
	assert_draws(OUT "/fitted-fit.svg", OUT "/fitted.tsv", "--report", OUT "/report.tsv",
		     "--format", "svg", NULL);
	/* fitv2: each origin's forecast beside the observations and the yardsticks. */
	assert_draws(OUT "/roll-fitted-fit.png", OUT "/roll-fitted.tsv", "--report",
		     OUT "/roll-report.tsv", NULL);
	assert_no_temporaries();
}

/* Every input or usage error: status 2, the exact message, no figure. */
static void test_err_sweep_kinds(void **state)
{
	static const struct {
		const char *argv[12];
		const char *msg;
	} cases[] = {
		{{OUT "/grid.tsv", "--kind", "heatmap", "--x", GRID_X, "--y", GRID_Y},
		 "mvsim plot: " OUT "/grid.tsv: the heatmap figure needs --metric METRIC, a metric of "
		 "the sweep: final:crisis_prob, min:n_eff or cross:share_china>share_west\n"},
		{{OUT "/grid.tsv", "--kind", "heatmap", "--x", GRID_X, "--metric", "min:n_eff"},
		 "mvsim plot: " OUT "/grid.tsv: the heatmap figure needs --y KEY, a parameter of the "
		 "sweep: " GRID_X " or " GRID_Y "\n"},
		{{OUT "/grid.tsv", "--kind", "scatter", "--metric", "final:crisis_prb"},
		 "mvsim plot: " OUT "/grid.tsv: column 'final:crisis_prb' is absent (--metric takes a "
		 "metric of the sweep: final:crisis_prob, min:n_eff or cross:share_china>share_west); "
		 "did you mean 'final:crisis_prob'?\n"},
		{{OUT "/grid.tsv", "--x", "vectors.russia.coercion_", "--y", GRID_Y, "--metric",
		  "min:n_eff"},
		 "mvsim plot: " OUT "/grid.tsv: column 'vectors.russia.coercion_' is absent (--x takes "
		 "a parameter of the sweep: " GRID_X " or " GRID_Y "); did you mean '" GRID_X "'?\n"},
		{{OUT "/grid.tsv", "--kind", "heatmap", "--x", "final:crisis_prob", "--y", GRID_Y,
		  "--metric", "min:n_eff"},
		 "mvsim plot: " OUT "/grid.tsv: --x 'final:crisis_prob' is not a parameter of the "
		 "sweep (its parameters: " GRID_X " or " GRID_Y ")\n"},
		{{OUT "/grid.tsv", "--metric", "run"},
		 "mvsim plot: " OUT "/grid.tsv: --metric 'run' is not a metric of the sweep (its "
		 "metrics: final:crisis_prob, min:n_eff or cross:share_china>share_west)\n"},
		{{OUT "/grid.tsv", "--metric", "final:crisis_prob'; system('touch x'); '"},
		 "mvsim plot: --metric: expected a metric name (letters, digits, '_', '.', ':', '>'), "
		 "found 'final:crisis_prob'; system('touch x'); ''\n(see 'mvsim plot --help')\n"},
		{{OUT "/grid.tsv", "--kind", "scatter", "--x", GRID_X},
		 "mvsim plot: --x applies to --kind heatmap only\n(see 'mvsim plot --help')\n"},
		{{OUT "/grid.tsv", "--kind", "all", "--metric", "min:n_eff"},
		 "mvsim plot: --metric applies to --kind heatmap and scatter only\n"
		 "(see 'mvsim plot --help')\n"},
		{{OUT "/grid.tsv", "--report", OUT "/report.tsv"},
		 "mvsim plot: " OUT "/grid.tsv is a sweep summary: --report applies to --kind fit "
		 "only\n"},
		{{OUT "/grid.tsv", "--kind", "heatmap", "--x", GRID_X, "--y", GRID_X, "--metric",
		  "min:n_eff"},
		 "mvsim plot: --x and --y both name '" GRID_X "': a heatmap needs two different "
		 "parameters\n"},
		{{OUT "/lhs.tsv", "--kind", "heatmap", "--x", GRID_X, "--y", "focal.autonomy",
		  "--metric", "final:crisis_prob"},
		 "mvsim plot: " OUT "/lhs.tsv: a heatmap needs a sweep of exactly two parameters, --x "
		 "and --y; this one has 3 (" GRID_X ", focal.autonomy and vectors.china.growth): draw "
		 "--kind scatter, or sweep only two\n"},
		{{OUT "/grid.tsv", "--metric", "cross:share_china>share_west"},
		 "mvsim plot: " OUT "/grid.tsv: no run has a number for 'cross:share_china>share_west' "
		 "(every value is nan: failed runs, or a cross: that never happens)\n"},
		{{OUT "/grid-cut.tsv"},
		 "mvsim plot: " OUT "/grid-cut.tsv: an incomplete sweep summary (its last line is not "
		 "'# complete'): finish the sweep first (mvsim sweep ... --resume)\n"},
		{{OUT "/grid.tsv", "--kind", "shares"},
		 "mvsim plot: " OUT "/grid.tsv: a sweep summary, not what 'mvsim run' writes (the "
		 "shares figure draws that)\n"},
		{{OUT "/fitted.tsv", "--kind", "scatter"},
		 "mvsim plot: " OUT "/fitted.tsv: not a sweep summary (the first line should be "
		 "'# mvsim ... sweep summary', as 'mvsim sweep' writes)\n"},
		{{OUT "/fitted.tsv", "--metric", "final:n_eff"},
		 "mvsim plot: " OUT "/fitted.tsv is a run's result: --metric applies to --kind heatmap "
		 "and scatter only\n"},
	};
	(void)state;
	for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++)
		assert_refused(cases[c].argv, cases[c].msg);
	assert_int_equal(file_size("x"), -1);
}

/* fit: --report missing, unreadable, not a report; the report given as the input; a run
 * without the report's series, or of another scenario. */
static void test_err_fit(void **state)
{
	static const struct {
		const char *argv[8];
		const char *msg;
	} cases[] = {
		{{OUT "/fitted.tsv", "--kind", "fit"},
		 "mvsim plot: " OUT "/fitted.tsv: the fit figure needs --report REPORT.tsv, the report "
		 "written by 'mvsim fit FIT.cfg --report REPORT.tsv'\n"},
		{{OUT "/fitted.tsv", "--kind", "fit", "--report", OUT "/no-such-report.tsv"},
		 "mvsim plot: --report " OUT "/no-such-report.tsv: cannot open: No such file or "
		 "directory\n"},
		{{OUT "/fitted.tsv", "--report", OUT "/grid.tsv"},
		 "mvsim plot: --report " OUT "/grid.tsv: not an mvsim fit report (the first line should "
		 "be '# mvsim ... fit report', as 'mvsim fit --report' writes)\n"},
		{{OUT "/report.tsv", "--kind", "shares"},
		 "mvsim plot: " OUT "/report.tsv: a fit report, not what 'mvsim run' writes (the shares "
		 "figure draws that); a fit is drawn from a run of the fitted scenario: mvsim plot "
		 "FITTED.tsv --report " OUT "/report.tsv\n"},
		{{OUT "/three.tsv", "--report", OUT "/report.tsv"},
		 "mvsim plot: " OUT "/three.tsv: column 'share_economy_a' is absent (--report " OUT
		 "/report.tsv scores it: draw a run of the fitted scenario, mvsim run FITTED.cfg -o "
		 "FITTED.tsv)\n"},
		{{OUT "/other.tsv", "--report", OUT "/report.tsv"},
		 "mvsim plot: " OUT "/other.tsv: a run of 'another', but --report " OUT "/report.tsv "
		 "fits 'fit synthetic' (draw a run of the fitted scenario: mvsim run FITTED.cfg -o "
		 "FITTED.tsv)\n"},
	};
	(void)state;
	for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++)
		assert_refused(cases[c].argv, cases[c].msg);
}

static void test_help(void **state)
{
	(void)state;
	struct tu_capture out;
	char *argv[] = {"plot", "--help", NULL};
	tu_capture_begin(&out, 1);
	int rc = mv_cmd_plot(2, argv);
	char *text = tu_capture_end(&out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "usage: mvsim plot RESULT.tsv"));
	assert_non_null(strstr(text, "--compare"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest scripts[] = {
		cmocka_unit_test(test_scripts_direct),
		cmocka_unit_test(test_scripts_term),
		cmocka_unit_test(test_compare_direct),
		cmocka_unit_test(test_script_rejects_non_result),
	};
	const struct CMUnitTest command[] = {
		cmocka_unit_test(test_cmd_all_kinds),
		cmocka_unit_test(test_cmd_output),
		cmocka_unit_test(test_cmd_compare),
		cmocka_unit_test(test_err_not_result),
		cmocka_unit_test(test_err_no_header),
		cmocka_unit_test(test_err_missing_column),
		cmocka_unit_test(test_err_gnuplot_missing),
		cmocka_unit_test(test_err_gnuplot_warning),
		cmocka_unit_test(test_err_scripts_missing),
		cmocka_unit_test(test_err_usage),
		cmocka_unit_test(test_uq_scripts_direct),
		cmocka_unit_test(test_cmd_uq_kinds),
		cmocka_unit_test(test_err_uq_kinds),
		cmocka_unit_test(test_help),
	};
	const struct CMUnitTest sweep_fit[] = {
		cmocka_unit_test(test_cmd_heatmap),
		cmocka_unit_test(test_cmd_scatter),
		cmocka_unit_test(test_cmd_fit),
		cmocka_unit_test(test_err_sweep_kinds),
		cmocka_unit_test(test_err_fit),
	};
	int failed = cmocka_run_group_tests_name("plot scripts (gnuplot directly)", scripts, setup,
						 NULL);
	failed += cmocka_run_group_tests_name("mvsim plot", command, setup, NULL);
	failed += cmocka_run_group_tests_name("mvsim plot: sweeps and fits", sweep_fit,
					      setup_sweep_fit, NULL);
	return failed ? 1 : 0;
}
