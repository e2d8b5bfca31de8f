/* test_hostile.c — issue 15, as a hostile tester meets mvsim: no command runs from a file
 * name, no input is overwritten, no device or link is replaced, a closed standard descriptor
 * does not swallow diagnostics, no reader takes unbounded memory, torn or edited summaries are
 * repaired or refused, and the messages say what happened. Each test is one class of the
 * issue; each runs the mvsim binary ($MVSIM, default build/mvsim) as a user would. */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#define OUT "build/test-hostile"
#define TU_OUT OUT
#include "testutil.h"

#include "mvsim/config.h"
#include "mvsim/integrate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
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

/* rc (a call that filled *errp) was want, with stderr *errp exactly msg (NULL: any). */
static inline void expect(int rc, int want, char **errp, const char *msg)
{
	char *err = *errp;
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
	/* the scripts of this tree, whichever binary runs (build/asan/mvsim has none beside) */
	char scripts[PATH_MAX + 16];
	snprintf(scripts, sizeof scripts, "%s/scripts", root);
	setenv("MVSIM_SCRIPTS", scripts, 0);
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

/* ================================================================ 2. an output that is an input */

#define IN OUT "/in"

/* The inputs of every command, copied into IN (a failing refusal overwrites only copies). */
static void make_inputs(void)
{
	mkdir(IN, 0755);
	copy_file("configs/kazakhstan.cfg", IN "/s.cfg");
	tu_write_file(IN "/whatif.cfg", "base = \"s.cfg\";\nname = \"what-if\";\n");
	tu_write_file(IN "/sw.cfg",
		      "scenario = \"s.cfg\";\nsweep = {\n  method = \"grid\";\n"
		      "  parameters = ( { key = \"focal.autonomy\"; values = [0.3, 0.1]; } );\n"
		      "  metrics = [ \"final:n_eff\" ];\n};\n");
	copy_file("tests/data/uq/small.cfg", IN "/small.cfg");
	copy_file("tests/data/uq/sens.cfg", IN "/sens.cfg");
	copy_file("tests/data/fit/good.cfg", IN "/fit.cfg");
	copy_file("tests/data/fit/synth.cfg", IN "/synth.cfg");
	copy_file("tests/data/fit/obs.tsv", IN "/obs.tsv");
	unlink(IN "/link.cfg");
	assert_int_equal(symlink("s.cfg", IN "/link.cfg"), 0);
}

/* `mvsim ARGS` must exit 2 with "mvsim: TARGET: is an input of this command: refusing to
 * overwrite it" and leave victim (the file the target names) byte for byte as it was. */
static void expect_refused(const char *target, const char *victim, char *const *args)
{
	char *before = tu_read(victim), *err;
	char *argv[24];
	int n = 0;
	while (args[n] && n < 23) {
		argv[n] = args[n];
		n++;
	}
	argv[n] = NULL;
	char *a[24] = {0};
	for (int k = 0; k <= n; k++)
		a[k] = argv[k];
	int rc = hx(NULL, NULL, &err, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
		    a[10], a[11], NULL);
	char msg[512];
	snprintf(msg, sizeof msg, "mvsim%s: %s: is an input of this command: refusing to overwrite it\n",
		 strcmp(args[0], "plot") == 0 ? " plot" : "", target);
	if (rc != 2 || strcmp(err, msg) != 0)
		fail_msg("mvsim %s ... -> %s: exit %d, stderr:\n%s", args[0], target, rc, err);
	char *after = tu_read(victim);
	assert_non_null(after);
	if (strcmp(before, after) != 0)
		fail_msg("%s was overwritten", victim);
	free(before);
	free(after);
	free(err);
}

#define REFUSED(target, victim, ...) expect_refused(target, victim, (char *const[]){__VA_ARGS__, NULL})

static void test_output_is_input(void **state)
{
	(void)state;
	make_inputs();
	REFUSED(IN "/s.cfg", IN "/s.cfg", "run", IN "/s.cfg", "-o", IN "/s.cfg");
	REFUSED(IN "/link.cfg", IN "/s.cfg", "run", IN "/s.cfg", "-o", IN "/link.cfg");
	REFUSED(IN "/s.cfg", IN "/s.cfg", "run", IN "/whatif.cfg", "-o", IN "/s.cfg"); /* its base */
	REFUSED(IN "/sw.cfg", IN "/sw.cfg", "sweep", IN "/sw.cfg", "-o", IN "/sw.cfg", "--quiet");
	REFUSED(IN "/s.cfg", IN "/s.cfg", "sweep", IN "/sw.cfg", "-o", IN "/s.cfg", "--quiet");
	REFUSED(IN "/sw.cfg", IN "/sw.cfg", "sweep", IN "/sw.cfg", "--junit", IN "/sw.cfg", "--quiet");
	REFUSED(IN "/s.cfg", IN "/s.cfg", "sweep", IN "/sw.cfg", "-o", OUT "/never.tsv", "--junit",
		IN "/s.cfg", "--quiet");
	REFUSED(IN "/small.cfg", IN "/small.cfg", "ensemble", IN "/small.cfg", "--runs", "3", "-o",
		IN "/small.cfg", "--quiet");
	REFUSED(IN "/small.cfg", IN "/small.cfg", "sensitivity", IN "/sens.cfg", "--method", "morris",
		"--samples", "2", "-o", IN "/small.cfg", "--quiet");
	REFUSED(IN "/sens.cfg", IN "/sens.cfg", "sensitivity", IN "/sens.cfg", "--method", "morris",
		"--samples", "2", "-o", IN "/sens.cfg", "--quiet");
	REFUSED(IN "/fit.cfg", IN "/fit.cfg", "fit", IN "/fit.cfg", "-o", IN "/fit.cfg", "--quiet");
	REFUSED(IN "/synth.cfg", IN "/synth.cfg", "fit", IN "/fit.cfg", "-o", IN "/synth.cfg", "--quiet");
	REFUSED(IN "/obs.tsv", IN "/obs.tsv", "fit", IN "/fit.cfg", "--report", IN "/obs.tsv", "--quiet");
	assert_false(tu_exists(OUT "/never.tsv"));
	assert_false(tu_exists(OUT "/never.tsv.partial"));
	/* merge: a part; plot: its input (named .png) and --report */
	assert_int_equal(MV(NULL, NULL, "sweep", IN "/sw.cfg", "--shard", "1/2", "-o", IN "/p1.tsv",
			    "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "sweep", IN "/sw.cfg", "--shard", "2/2", "-o", IN "/p2.tsv",
			    "--quiet"), 0);
	REFUSED(IN "/p2.tsv", IN "/p2.tsv", "merge", IN "/p1.tsv", IN "/p2.tsv", "-o", IN "/p2.tsv");
	assert_int_equal(MV(NULL, NULL, "run", IN "/s.cfg", "-o", IN "/r.png"), 0);
	REFUSED(IN "/r.png", IN "/r.png", "plot", IN "/r.png", "--kind", "shares", "-o", IN "/r.png");
	assert_int_equal(MV(NULL, NULL, "fit", IN "/fit.cfg", "-o", IN "/fitted.cfg", "--report",
			    IN "/report.png", "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "run", IN "/fitted.cfg", "-o", IN "/fitted.tsv"), 0);
	REFUSED(IN "/report.png", IN "/report.png", "plot", IN "/fitted.tsv", "--report",
		IN "/report.png", "-o", IN "/report.png");
}

/* ================================================================ 3. links and devices */

/* Every command's output through a symbolic link to /dev/null, to /proc/self/fd/1 and to a
 * regular file: the link stays a link (rename replaced it before), a device is written
 * through, a descriptor's link writes to the descriptor (stdout here: the bytes arrive),
 * a link to a regular file replaces the target. */
static void test_links_and_devices(void **state)
{
	char *out, *err;
	(void)state;
	make_inputs();
	unlink(OUT "/null");
	unlink(OUT "/fd1");
	unlink(OUT "/tofile");
	assert_int_equal(symlink("/dev/null", OUT "/null"), 0);
	assert_int_equal(symlink("/proc/self/fd/1", OUT "/fd1"), 0);
	assert_int_equal(symlink("target.tsv", OUT "/tofile"), 0);
	tu_write_file(OUT "/target.tsv", "old\n");
	static const char *const through[] = {OUT "/null", OUT "/fd1", "/dev/stdout", OUT "/tofile"};
	for (int k = 0; k < 4; k++) {
		const char *o = through[k];
		int fd1 = strcmp(o, OUT "/fd1") == 0 || strcmp(o, "/dev/stdout") == 0;
		/* run, ensemble, sensitivity, fit (both files), sweep (-o and --junit), merge */
		assert_int_equal(MV(&out, NULL, "run", IN "/s.cfg", "-o", o), 0);
		if (fd1)
			assert_true(strncmp(out, "# mvsim ", 8) == 0);
		free(out);
		assert_int_equal(MV(&out, NULL, "ensemble", IN "/small.cfg", "--set", "noise.sigma=0.1",
				    "--runs", "3", "-o", o, "--quiet"), 0);
		if (fd1)
			assert_contains(out, "# result\tensemble");
		free(out);
		assert_int_equal(MV(&out, NULL, "sensitivity", IN "/sens.cfg", "--method", "morris",
				    "--samples", "2", "-o", o, "--quiet"), 0);
		if (fd1)
			assert_contains(out, "# result\tsensitivity");
		free(out);
		assert_int_equal(MV(&out, NULL, "sweep", IN "/sw.cfg", "-o", o, "--quiet"), 0);
		if (fd1)
			assert_contains(out, "# complete\t2 runs\t0 failed\n");
		free(out);
		assert_int_equal(MV(&out, NULL, "sweep", IN "/sw.cfg", "--junit", o, "--quiet",
				    "-o", OUT "/junit-sum.tsv"), 0);
		if (fd1)
			assert_contains(out, "<testsuites name=\"mvsim sweep\"");
		free(out);
		unlink(OUT "/junit-sum.tsv");
		assert_int_equal(MV(&out, NULL, "merge", IN "/p1.tsv", IN "/p2.tsv", "-o", o), 0);
		if (fd1)
			assert_contains(out, "# complete\t2 runs\t0 failed\n");
		free(out);
		assert_int_equal(MV(&out, NULL, "fit", IN "/fit.cfg", "--report", o, "--quiet"), 0);
		if (fd1)
			assert_contains(out, " fit report\n");
		free(out);
		assert_int_equal(MV(NULL, NULL, "fit", IN "/fit.cfg", "-o", o, "--quiet"), 0);
		if (k == 3) {
			char *t = tu_read(OUT "/target.tsv");
			assert_contains(t, "base = ");
			free(t);
		}
	}
	assert_true(is_link(OUT "/null"));
	assert_true(is_link(OUT "/fd1"));
	assert_true(is_link(OUT "/tofile"));
	assert_true(is_regular(OUT "/target.tsv"));
	/* plot: a figure into a descriptor's link reaches stdout (gnuplot writes /dev/fd/N) */
	unlink(OUT "/fd1.svg");
	assert_int_equal(symlink("/proc/self/fd/1", OUT "/fd1.svg"), 0);
	assert_int_equal(MV(&out, &err, "plot", IN "/r.png", "--kind", "shares", "-o",
			    OUT "/fd1.svg"), 0);
	assert_contains(out, "<svg");
	assert_true(is_link(OUT "/fd1.svg"));
	free(out);
	free(err);
	/* ... and when stdout is a pipe (nothing tells how much gnuplot wrote there) */
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "'%s' plot " IN "/r.png --kind shares -o " OUT "/fd1.svg", bin);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char buf[4096];
	size_t got = fread(buf, 1, sizeof buf - 1, p);
	buf[got] = '\0';
	char c;
	while (fread(&c, 1, 1, p) == 1) /* the rest of the figure */
		;
	assert_int_equal(pclose(p), 0);
	assert_contains(buf, "<svg");
	/* --resume into a device: nothing to continue */
	assert_int_equal(MV(NULL, &err, "sweep", IN "/sw.cfg", "-o", OUT "/null", "--resume"), 2);
	assert_string_equal(err, "mvsim: " OUT "/null: not a regular file: a sweep into it cannot be "
				 "resumed (--resume continues FILE.partial)\n");
	free(err);
	/* /dev/full: written through, the failure reported (exit 1), the device kept */
	struct stat st;
	assert_int_equal(MV(NULL, &err, "merge", IN "/p1.tsv", IN "/p2.tsv", "-o", "/dev/full"), 1);
	assert_string_equal(err, "mvsim: /dev/full: write failed: No space left on device\n");
	free(err);
	assert_int_equal(stat("/dev/full", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

/* ================================================================ 9. unbounded memory */

/* Runs `mvsim ARGS` (NULL-terminated) with its address space limited to 512 MiB (so a reader
 * without bounds fails at once instead of taking the machine's memory) and a FIFO reader
 * that would block killed after 60 s (a hang, not a timing). *err receives stderr. */
static int hx_limited(char **err, char *const *args)
{
	char se[PATH_MAX + 32];
	char *argv[40] = {bin};
	int argc = 1;
	while (args[argc - 1] && argc < 39) {
		argv[argc] = args[argc - 1];
		argc++;
	}
	argv[argc] = NULL;
	snprintf(se, sizeof se, "%s/" OUT "/stderr", root);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
#if defined(__SANITIZE_ADDRESS__)
		/* ASan reserves terabytes of shadow: limit its resident memory instead */
		const char *o = getenv("ASAN_OPTIONS");
		char opts[1024];
		snprintf(opts, sizeof opts, "%s%shard_rss_limit_mb=512", o ? o : "", o && *o ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
#else
		struct rlimit rl = {512L << 20, 512L << 20};
#endif
		int fd = open(se, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(fd, 2);
		setrlimit(RLIMIT_AS, &rl);
		alarm(60); /* SIGALRM ends a read that blocks forever */
		execv(bin, argv);
		_exit(127);
	}
	int rc = tu_finish(pid);
	*err = tu_read(se);
	return rc;
}

#define LIMITED(err, ...) hx_limited(err, (char *const[]){__VA_ARGS__, NULL})

static void test_unbounded(void **state)
{
	char *err;
	(void)state;
	make_inputs();
	/* merge /dev/zero: refused at once, not read until the OOM killer comes */
	expect(LIMITED(&err, "merge", "/dev/zero", "-o", OUT "/x.tsv"), 2, &err,
	       "mvsim: /dev/zero: cannot read: not a regular file\n");
	assert_false(tu_exists(OUT "/x.tsv"));
	/* a FIFO part: refused without waiting for a writer */
	unlink(OUT "/fifo");
	assert_int_equal(mkfifo(OUT "/fifo", 0644), 0);
	expect(LIMITED(&err, "merge", IN "/p1.tsv", OUT "/fifo", "-o", OUT "/x.tsv"), 2, &err,
	       "mvsim: " OUT "/fifo: cannot read: not a regular file\n");
	expect(LIMITED(&err, "plot", OUT "/fifo"), 2, &err,
	       "mvsim plot: " OUT "/fifo: cannot read: not a regular file\n");
	/* a .partial that links to /dev/zero under --resume */
	unlink(OUT "/z.tsv.partial");
	assert_int_equal(symlink("/dev/zero", OUT "/z.tsv.partial"), 0);
	expect(LIMITED(&err, "sweep", IN "/sw.cfg", "-o", OUT "/z.tsv", "--resume", "--quiet"), 2, &err,
	       "mvsim: " OUT "/z.tsv.partial: cannot resume: not a regular file\n");
	assert_true(is_link(OUT "/z.tsv.partial"));
	/* a regular file of NUL bytes, and one line of 2 MiB: bounded, named */
	FILE *f = fopen(OUT "/zeros.tsv", "wb");
	assert_non_null(f);
	for (int k = 0; k < 1 << 16; k++)
		fputc(0, f);
	fclose(f);
	expect(LIMITED(&err, "plot", OUT "/zeros.tsv"), 2, &err,
	       "mvsim plot: " OUT "/zeros.tsv:1: expected text, found a NUL byte\n");
	f = fopen(OUT "/long.tsv", "wb");
	assert_non_null(f);
	fputs("# mvsim ", f);
	for (int k = 0; k < 2 << 20; k++)
		fputc('x', f);
	fclose(f);
	expect(LIMITED(&err, "plot", OUT "/long.tsv"), 2, &err,
	       "mvsim plot: " OUT "/long.tsv:1: expected a line of at most 1048576 bytes, found "
	       "2097160 bytes\n");
}

/* ================================================================ 11. torn partials */

/* A sweep of IN/sw.cfg into OUT/t.tsv whose .partial is `partial` (NULL: none), resumed:
 * exit 0, the note on stderr (NULL: nothing said), and the summary byte for byte the one a
 * sweep without interruption writes (ref). */
static void expect_resumed(const char *partial, const char *note, const char *ref)
{
	char *err;
	unlink(OUT "/t.tsv");
	tu_write_file(OUT "/t.tsv.partial", partial);
	int rc = MV(NULL, &err, "sweep", IN "/sw.cfg", "-o", OUT "/t.tsv", "--resume", "--quiet");
	if (rc != 0 || strcmp(err, note ? note : "") != 0)
		fail_msg("resume: exit %d, stderr:\n%s\nexpected:\n%s", rc, err, note ? note : "");
	free(err);
	char *got = tu_read(OUT "/t.tsv");
	assert_non_null(got);
	if (strcmp(got, ref) != 0)
		fail_msg("resumed summary differs:\n%s\nexpected:\n%s", got, ref);
	free(got);
	assert_false(tu_exists(OUT "/t.tsv.partial"));
}

static void test_torn_partials(void **state)
{
	char *err, note[1024];
	(void)state;
	make_inputs();
	unlink(OUT "/ref.tsv");
	assert_int_equal(MV(NULL, NULL, "sweep", IN "/sw.cfg", "-o", OUT "/ref.tsv", "--quiet"), 0);
	char *ref = tu_read(OUT "/ref.tsv");
	assert_non_null(ref);
	const char *hdr = strstr(ref, "\nrun\t");
	size_t meta = (size_t)(strchr(hdr + 1, '\n') + 1 - ref); /* metadata and header */
	char *part = strndup(ref, meta);
	/* empty: started again, said so */
	snprintf(note, sizeof note, "mvsim: " OUT "/t.tsv.partial: empty (0 of its %zu bytes of "
		 "metadata): started it again\n", meta);
	expect_resumed("", note, ref);
	/* metadata torn in its third line */
	char *torn = strndup(ref, 100);
	snprintf(note, sizeof note, "mvsim: " OUT "/t.tsv.partial: its metadata was cut short (100 "
		 "of its %zu bytes of metadata): started it again\n", meta);
	expect_resumed(torn, note, ref);
	free(torn);
	/* the first row whole, the second cut in its last field but ending in a newline */
	const char *row1 = ref + meta, *row2 = strchr(row1, '\n') + 1;
	const char *end2 = strchr(row2, '\n');
	size_t cut = (size_t)(end2 - ref) - 1; /* "...\tok\t-" loses its '-' */
	char *bad = malloc(cut + 2);
	memcpy(bad, ref, cut);
	strcpy(bad + cut, "\n");
	snprintf(note, sizeof note, "mvsim: " OUT "/t.tsv.partial: resumed after its 1 complete rows; "
		 "cut the %zu bytes after them (a row torn by the interruption, or not a row as "
		 "mvsim writes it): those runs run again\n", (size_t)(end2 - row2));
	expect_resumed(bad, note, ref);
	free(bad);
	/* the first row's status cut to "o": not a row as mvsim writes it */
	size_t n1 = (size_t)(row2 - row1);
	bad = malloc(meta + n1 + 1);
	memcpy(bad, ref, meta + n1);
	bad[meta + n1] = '\0';
	char *st = strstr(bad + meta, "\tok\t");
	memmove(st + 2, st + 3, strlen(st + 3) + 1);
	snprintf(note, sizeof note, "mvsim: " OUT "/t.tsv.partial: resumed after its 0 complete rows; "
		 "cut the %zu bytes after them (a row torn by the interruption, or not a row as "
		 "mvsim writes it): those runs run again\n", n1 - 1);
	expect_resumed(bad, note, ref);
	free(bad);
	/* the metadata whole, no rows: nothing to say */
	expect_resumed(part, NULL, ref);
	/* a complete summary edited by hand: --resume refuses to judge it again */
	char *edited = strdup(ref);
	char *v = strstr(edited + meta, "\t") + 1; /* the first row's parameter */
	*v = *v == '1' ? '2' : '1';
	unlink(OUT "/t.tsv.partial");
	tu_write_file(OUT "/t.tsv", edited);
	expect(MV(NULL, &err, "sweep", IN "/sw.cfg", "-o", OUT "/t.tsv", "--resume", "--quiet"), 2,
	       &err, "mvsim: " OUT "/t.tsv: cannot resume: its trailer does not match its rows (the "
	       "'# rows sha256' and '# complete' lines): edited or damaged; remove it to run the "
	       "sweep again\n");
	free(edited);
	free(part);
	free(ref);
}

/* ================================================================ 12. edited parts */

/* Part 2 of the two-shard sweep of IN/sw.cfg, edited by fn, merged with part 1: exit 2 and
 * msg, nothing written. */
static void expect_merge_refused(const char *part2, const char *msg)
{
	char *err;
	tu_write_file(OUT "/edited.tsv", part2);
	unlink(OUT "/m.tsv");
	expect(MV(NULL, &err, "merge", IN "/p1.tsv", OUT "/edited.tsv", "-o", OUT "/m.tsv"), 2, &err,
	       msg);
	assert_false(tu_exists(OUT "/m.tsv"));
}

static void test_edited_parts(void **state)
{
	(void)state;
	make_inputs();
	unlink(IN "/p1.tsv");
	unlink(IN "/p2.tsv");
	assert_int_equal(MV(NULL, NULL, "sweep", IN "/sw.cfg", "--shard", "1/2", "-o", IN "/p1.tsv",
			    "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "sweep", IN "/sw.cfg", "--shard", "2/2", "-o", IN "/p2.tsv",
			    "--quiet"), 0);
	assert_int_equal(MV(NULL, NULL, "sweep", IN "/sw.cfg", "-o", OUT "/whole.tsv", "--quiet"), 0);
	/* untouched: the merge is the unsharded summary, checksum and all */
	assert_int_equal(MV(NULL, NULL, "merge", IN "/p1.tsv", IN "/p2.tsv", "-o", OUT "/m.tsv"), 0);
	char *a = tu_read(OUT "/m.tsv"), *b = tu_read(OUT "/whole.tsv");
	assert_string_equal(a, b);
	assert_contains(a, "\n# rows sha256\t");
	free(a);
	free(b);
	char *p2 = tu_read(IN "/p2.tsv");
	const char *rows = strstr(p2, "\nrun\t");
	rows = strchr(rows + 1, '\n') + 1;
	const char *edit_msg = "mvsim: " OUT "/edited.tsv: its rows do not match its trailer (the "
			       "'# rows sha256' and '# complete' lines): the part was edited or "
			       "damaged after it was written; run the shard again ('mvsim sweep ... "
			       "--shard 2/2')\n";
	/* a changed value: the metric's last digit */
	char *e = strdup(p2);
	char *tab = strstr(e + (rows - p2), "\tok\t") - 1;
	*tab = *tab == '1' ? '2' : '1';
	expect_merge_refused(e, edit_msg);
	free(e);
	/* a wrong count of failed runs in the trailer */
	e = strdup(p2);
	char *fl = strstr(e, "\t0 failed");
	fl[1] = '1';
	expect_merge_refused(e, edit_msg);
	free(e);
	/* a wrong count of runs */
	e = strdup(p2);
	char *rn = strstr(e, "# complete\t1 runs");
	rn[11] = '2';
	expect_merge_refused(e, "mvsim: " OUT "/edited.tsv: incomplete or not part 2/2 of a 2-run "
			     "sweep (expected '# complete...' after its 1 rows): finish it with "
			     "'mvsim sweep --resume'\n");
	free(e);
	/* junk after the trailer */
	size_t n = strlen(p2);
	e = malloc(n + 16);
	memcpy(e, p2, n);
	strcpy(e + n, "junk\n");
	char msg[256];
	snprintf(msg, sizeof msg, "mvsim: " OUT "/edited.tsv:%ld: expected the end of the part after "
		 "its '# complete' line, found more\n", tu_count_lines(p2, '#') + 3);
	expect_merge_refused(e, msg);
	free(e);
	/* the checksum line removed (an older mvsim's part) */
	e = strdup(p2);
	char *cs = strstr(e, "# rows sha256\t");
	memmove(cs, strchr(cs, '\n') + 1, strlen(strchr(cs, '\n') + 1) + 1);
	snprintf(msg, sizeof msg, "mvsim: " OUT "/edited.tsv:%ld: no '# rows sha256' line before "
		 "'# complete' (an older mvsim's summary, or edited): run the shard again ('mvsim "
		 "sweep ... --shard 2/2')\n", tu_count_lines(p2, '#') + 1);
	expect_merge_refused(e, msg);
	free(e);
	free(p2);
}

/* ================================================================ 13. messages */

static void test_messages(void **state)
{
	char *err;
	(void)state;
	/* /dev/zero is no empty file: it is not a regular file */
	expect(MV(NULL, &err, "plot", "/dev/zero"), 2, &err,
	       "mvsim plot: /dev/zero: cannot read: not a regular file\n");
	/* torn results are refused, not drawn with exit 0 */
	expect(MV(NULL, &err, "plot", DATA "/torn_fields.tsv", "--kind", "shares", "-o",
		  OUT "/never.png"), 2, &err,
	       "mvsim plot: " DATA "/torn_fields.tsv:31: expected 42 fields (as the header), found "
	       "40: a torn or edited row\n");
	expect(MV(NULL, &err, "plot", DATA "/torn_end.tsv", "--kind", "shares", "-o",
		  OUT "/never.png"), 2, &err,
	       "mvsim plot: " DATA "/torn_end.tsv:30: the last line does not end in a newline: the "
	       "file is cut short (an interrupted write?)\n");
	assert_false(tu_exists(OUT "/never.png"));
	/* a numeric failure names the scenario */
	assert_int_equal(MV(NULL, &err, "run", "configs/kazakhstan.cfg", "--set",
			    "vectors.russia.distance=0", "-o", OUT "/never.tsv"), 1);
	assert_string_equal(err, "mvsim: configs/kazakhstan.cfg: run failed at t=2015: the "
				 "derivative of share_economy_russia is not finite (stepper rk8pd)\n");
	free(err);
	/* the stiff stepper does not advise itself */
	static const char *const methods[] = {"rk8pd", "msbdf"};
	for (int m = 0; m < 2; m++) {
		struct mv_keytab kt;
		struct mv_error e = {0};
		struct mv_scenario *sc = mv_config_load("configs/kazakhstan.cfg", 0, NULL, &kt, &e);
		assert_non_null(sc);
		struct mv_run_opts opts = {0};
		opts.max_steps = 5;
		opts.method = methods[m];
		struct mv_run *run = mv_run_create(sc, &kt, &opts, &e);
		assert_non_null(run);
		assert_int_equal(mv_run_exec(run, NULL, NULL, &e), -1);
		if (m == 0)
			assert_contains(e.msg, "(stepper rk8pd); the system may be stiff: try --integrator "
					       "msbdf");
		else
			assert_contains(e.msg, "(stepper msbdf); msbdf, the stepper for stiff systems, "
					       "needs this many: try a larger --rtol or --atol");
		mv_run_free(run);
		mv_keytab_free(&kt);
		mv_scenario_free(sc);
	}
}

/* ================================================================ 14. silent surprises */

static void test_surprises(void **state)
{
	char *out, *err;
	(void)state;
	make_inputs();
	/* 10,001 output times 1e-7 years apart: 10,001 distinct t (%.10g gave 1,001) */
	assert_int_equal(MV(&out, NULL, "run", "configs/kazakhstan.cfg", "--set",
			    "time.output_step=1e-7", "--set", "time.end=2015.001"), 0);
	long rows = 0, distinct = 0;
	char prev[64] = "";
	for (const char *p = strstr(out, "\nt\t"); p && (p = strchr(p + 1, '\n')) && p[1];) {
		char t[64];
		snprintf(t, sizeof t, "%.*s", (int)strcspn(p + 1, "\t"), p + 1);
		rows++;
		distinct += strcmp(t, prev) != 0;
		strcpy(prev, t);
	}
	assert_int_equal(rows, 10001);
	assert_int_equal(distinct, 10001);
	assert_string_equal(prev, "2015.001");
	free(out);
	/* --series temporaries of an interrupted sweep are removed by --resume (this shard's) */
	char *dir = OUT "/series";
	mkdir(dir, 0755);
	unlink(OUT "/ser.tsv");
	unlink(OUT "/ser.tsv.partial");
	assert_int_equal(MV(NULL, NULL, "sweep", IN "/sw.cfg", "--shard", "1/2", "-o", OUT "/ser.tsv",
			    "--series", dir, "--quiet"), 0);
	char *sum = tu_read(OUT "/ser.tsv");
	*(strstr(sum, "\nrun\t") + 1) = '\0';
	char *hdr = tu_read(OUT "/ser.tsv");
	const char *h = strstr(hdr, "\nrun\t") + 1;
	size_t hl = strcspn(h, "\n") + 1;
	char *partial = malloc(strlen(sum) + hl + 1);
	sprintf(partial, "%s%.*s", sum, (int)hl, h);
	unlink(OUT "/ser.tsv");
	tu_write_file(OUT "/ser.tsv.partial", partial);
	tu_write_file(OUT "/series/run-000000.tsv.tmp.AbCd12", "# mvsim half");
	tu_write_file(OUT "/series/run-000001.tsv.tmp.XyZw34", "# another shard's");
	assert_int_equal(MV(NULL, &err, "sweep", IN "/sw.cfg", "--shard", "1/2", "-o", OUT "/ser.tsv",
			    "--series", dir, "--resume", "--quiet"), 0);
	assert_string_equal(err, "mvsim: --series " OUT "/series: removed 1 unfinished series file of "
				 "the interrupted sweep\n");
	assert_false(tu_exists(OUT "/series/run-000000.tsv.tmp.AbCd12"));
	assert_true(tu_exists(OUT "/series/run-000001.tsv.tmp.XyZw34"));
	assert_true(is_regular(OUT "/series/run-000000.tsv"));
	free(err);
	free(sum);
	free(hdr);
	free(partial);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gnuplot_names),
		cmocka_unit_test(test_closed_descriptors),
		cmocka_unit_test(test_output_is_input),
		cmocka_unit_test(test_links_and_devices),
		cmocka_unit_test(test_unbounded),
		cmocka_unit_test(test_torn_partials),
		cmocka_unit_test(test_edited_parts),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_surprises),
	};
	return cmocka_run_group_tests_name("hostile (issue 15)", tests, setup, NULL);
}
