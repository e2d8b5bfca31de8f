/* test_hostile.c — issue 15, as a hostile tester meets mvsim: no command runs from a file
 * name, no input is overwritten, no device or link is replaced, a closed standard descriptor
 * does not swallow diagnostics, no reader takes unbounded memory, torn or edited summaries are
 * repaired or refused, and the messages say what happened. Each test is one class of the
 * issue; each runs the mvsim binary ($MVSIM, default build/mvsim) as a user would. */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#define OUT "build/test-hostile"
#define TU_OUT OUT
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA "tests/data/hostile"

static char root[PATH_MAX]; /* the repository (the tests run from it) */
static char bin[2 * PATH_MAX];  /* the binary, absolute: some tests run it in OUT */

/* Runs `mvsim ARGS` (NULL-terminated) in directory dir (NULL: the repository) with stdin
 * from /dev/null and stdout, stderr captured; *out, *err (if not NULL) receive them. Returns
 * the exit status (128 + signal when killed). */
static int hx(const char *dir, char **out, char **err, ...)
{
	char *argv[40] = {bin}, so[PATH_MAX + 32], se[PATH_MAX + 32];
	int argc = 1;
	va_list ap;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	va_start(ap, err);
	while (argc < 39 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	snprintf(so, sizeof so, "%s/" OUT "/stdout", root);
	snprintf(se, sizeof se, "%s/" OUT "/stderr", root);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, so, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, se, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) != 0)
		fail_msg("cannot run %s", bin);
	posix_spawn_file_actions_destroy(&fa);
	int rc = tu_finish(pid);
	char *o = tu_read(so), *e = tu_read(se);
	if (e && (strstr(e, "Sanitizer") || strstr(e, "runtime error:")))
		fail_msg("sanitizer report:\n%s", e);
	if (out)
		*out = o;
	else
		free(o);
	if (err)
		*err = e;
	else
		free(e);
	return rc;
}

#define MV(out, err, ...) hx(NULL, out, err, __VA_ARGS__, NULL)
#define MVIN(dir, out, err, ...) hx(dir, out, err, __VA_ARGS__, NULL)

static inline void copy_file(const char *from, const char *to)
{
	size_t n;
	char *text = tu_slurp(from, &n);
	FILE *f = fopen(to, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	free(text);
}

static inline void assert_contains(const char *text, const char *part)
{
	if (text == NULL || strstr(text, part) == NULL)
		fail_msg("expected to find:\n%s\nin:\n%s", part, text ? text : "(null)");
}

static inline void expect(int rc, int want, char *err, const char *msg)
{
	if (rc != want || (msg && strcmp(err ? err : "", msg) != 0))
		fail_msg("exit %d (expected %d); stderr:\n%s\nexpected:\n%s", rc, want,
			 err ? err : "(null)", msg ? msg : "(any)");
	free(err);
}

static inline int is_regular(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static inline int is_link(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int setup(void **state)
{
	const char *m = getenv("MVSIM");
	(void)state;
	if (getcwd(root, sizeof root) == NULL)
		return -1;
	m = m && m[0] ? m : "build/mvsim";
	snprintf(bin, sizeof bin, "%s%s%s", m[0] == '/' ? "" : root, m[0] == '/' ? "" : "/", m);
	mkdir("build", 0755);
	mkdir(OUT, 0755);
	/* a fresh directory: no marker or figure of an earlier run */
	DIR *d = opendir(OUT);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		char p[PATH_MAX];
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(p, sizeof p, OUT "/%s", e->d_name), unlink(p);
	}
	if (d)
		closedir(d);
	return access(bin, X_OK) == 0 ? 0 : -1;
}

/* ================================================================ 1. command injection */

/* gnuplot reads a file name beginning with '|' (set output) or '<' (plot, stats, load) as a
 * shell command: every name mvsim hands it (the input of every figure kind, the default
 * output beside it, -o, the --compare inputs, --report) is "./NAME" when relative. Each
 * name below would create a marker file in OUT if gnuplot ran it. */
static void test_gnuplot_names(void **state)
{
	char *err;
	(void)state;
	/* the results of every kind of figure, made under plain names */
	assert_int_equal(MV(NULL, NULL, "run", "configs/kazakhstan.cfg", "-o", OUT "/run.tsv"), 0);
	assert_int_equal(MV(NULL, NULL, "ensemble", "tests/data/uq/small.cfg", "--set",
			    "noise.sigma=0.1", "--runs", "6", "-o", OUT "/ens.tsv", "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "sensitivity", "tests/data/uq/sens.cfg", "--method", "morris",
			    "--samples", "4", "-o", OUT "/sens.tsv", "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "sweep", "tests/data/plot_grid.cfg", "-o", OUT "/grid.tsv",
			    "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "fit", "tests/data/fit/good.cfg", "-o", OUT "/fitted.cfg",
			    "--report", OUT "/report.tsv", "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "run", OUT "/fitted.cfg", "-o", OUT "/fitted.tsv"), 0);
	static const struct {
		const char *from, *name;
	} copies[] = {
		{OUT "/run.tsv", OUT "/|touch M1;run.tsv"},
		{OUT "/run.tsv", OUT "/<touch M2;run.tsv"},
		{OUT "/ens.tsv", OUT "/|touch M3;ens.tsv"},
		{OUT "/sens.tsv", OUT "/<touch M4;sens.tsv"},
		{OUT "/grid.tsv", OUT "/|touch M5;grid.tsv"},
		{OUT "/fitted.tsv", OUT "/|touch M6;fitted.tsv"},
		{OUT "/report.tsv", OUT "/<touch M7;report.tsv"},
		{OUT "/run.tsv", OUT "/-"},
		{OUT "/run.tsv", OUT "/+"},
	};
	for (size_t k = 0; k < sizeof copies / sizeof copies[0]; k++)
		copy_file(copies[k].from, copies[k].name);
	/* default output names beside each input (they begin with '|' or '<' too) */
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "|touch M1;run.tsv"), 0);
	free(err);
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "<touch M2;run.tsv", "--kind", "shares"), 0);
	free(err);
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "|touch M3;ens.tsv"), 0);
	free(err);
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "<touch M4;sens.tsv"), 0);
	free(err);
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "|touch M5;grid.tsv"), 0);
	free(err);
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "|touch M5;grid.tsv", "--kind", "heatmap",
			      "--x", "vectors.russia.coercion", "--y",
			      "vectors.russia.restraint.china", "--metric", "min:n_eff"), 0);
	free(err);
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "|touch M6;fitted.tsv", "--report",
			      "<touch M7;report.tsv"), 0);
	free(err);
	/* -o, with and without a blank before the '|' */
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "run.tsv", "--kind", "tension", "-o",
			      "|touch M8;o.png"), 0);
	free(err);
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "run.tsv", "--kind", "plane", "-o",
			      " |touch M9;o.svg"), 0);
	free(err);
	/* --compare inputs, and gnuplot's special names '-' (inline data) and '+' */
	assert_int_equal(MVIN(OUT, NULL, &err, "plot", "--compare", "run.tsv", "<touch M2;run.tsv",
			      "-", "+", "-o", "cmp.png"), 0);
	free(err);
	static const char *const markers[] = {"M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9",
					      "M10"};
	for (size_t k = 0; k < sizeof markers / sizeof markers[0]; k++) {
		char p[64];
		snprintf(p, sizeof p, OUT "/%s", markers[k]);
		if (tu_exists(p))
			fail_msg("gnuplot ran a file name as a command: %s exists", p);
	}
	static const char *const figures[] = {
		OUT "/|touch M1;run-shares.png", OUT "/|touch M1;run-diversity.png",
		OUT "/<touch M2;run-shares.png", OUT "/|touch M3;ens-fan.png",
		OUT "/<touch M4;sens-sensitivity.png", OUT "/|touch M5;grid-scatter.png",
		OUT "/|touch M5;grid-heatmap.png", OUT "/|touch M6;fitted-fit.png",
		OUT "/|touch M8;o.png", OUT "/ |touch M9;o.svg", OUT "/cmp.png"};
	for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
		if (!is_regular(figures[k]))
			fail_msg("no figure %s", figures[k]);
}

/* ================================================================ 6. closed descriptors */

/* Runs `mvsim ARGS` with the descriptors in `closed` (bit fd) closed, the others on
 * /dev/null. Returns the exit status. */
static int run_closed(unsigned closed, char *const *args)
{
	char *argv[40] = {bin};
	int argc = 1;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	while (args[argc - 1] && argc < 39) {
		argv[argc] = args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd <= 2; fd++)
		if (closed & (1u << fd))
			posix_spawn_file_actions_addclose(&fa, fd);
		else
			posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) != 0)
		fail_msg("cannot run %s", bin);
	posix_spawn_file_actions_destroy(&fa);
	return tu_finish(pid);
}

/* With `2>&-` the summary's .partial became descriptor 2 and the sweep's notes about runs
 * breaking checks landed between its rows. Now descriptors 0-2 are opened on /dev/null when
 * closed: the summary is exactly the one written with stderr open, whatever is closed. */
static void test_closed_descriptors(void **state)
{
	(void)state;
	char *args[] = {"sweep", "tests/data/sweep/breaking.cfg", "-o", OUT "/closed-ref.tsv",
			"--jobs", "1", "--quiet", NULL};
	assert_int_equal(run_closed(0, args), 1); /* checks break: notes on stderr */
	char *ref = tu_read(OUT "/closed-ref.tsv");
	assert_non_null(ref);
	for (unsigned closed = 1; closed < 8; closed++) {
		unlink(OUT "/closed.tsv");
		args[3] = OUT "/closed.tsv";
		assert_int_equal(run_closed(closed, args), 1);
		char *got = tu_read(OUT "/closed.tsv");
		assert_non_null(got);
		if (strcmp(got, ref) != 0)
			fail_msg("descriptors %u closed: the summary differs:\n%s", closed, got);
		free(got);
	}
	/* run -o with stdout closed: the result is whole */
	char *run[] = {"run", "configs/kazakhstan.cfg", "-o", OUT "/closed-run.tsv", NULL};
	assert_int_equal(run_closed(7, run), 0);
	char *a = tu_read(OUT "/closed-run.tsv");
	assert_int_equal(MV(NULL, NULL, "run", "configs/kazakhstan.cfg", "-o", OUT "/open-run.tsv"), 0);
	char *b = tu_read(OUT "/open-run.tsv");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gnuplot_names),
		cmocka_unit_test(test_closed_descriptors),
	};
	return cmocka_run_group_tests_name("hostile (issue 15)", tests, setup, NULL);
}
