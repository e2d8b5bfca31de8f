/* test_cmd_run.c — `mvsim run` as a user meets it: exit statuses, what goes to stdout and
 * stderr, --set, integrators, tolerances, signals, output files written whole or not at
 * all. The stop latency is measured by tests/bench_cli.c (make bench). Runs $MVSIM. */
#define TU_CLIROOT "build/test-cmd-run"
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/output.h"

#include <time.h>

static void test_run_stdout(void **state)
{
	(void)state;
	struct result r = RUN("run", KZ);
	expect_ok(&r);
	assert_int_equal(count_rows(r.out), 101); /* 2015..2040 every 0.25 */
	assert_true(starts_with(r.out, "# mvsim 0.1.0\n"));
	assert_true(has_line(r.out, "# file\t" KZ));
	assert_true(has_line(r.out, "# integrator\trk8pd\trtol=1e-08\tatol=1e-10"));
	assert_true(has_line(r.out, "# seed\tnone"));
	assert_false(strstr(r.out, "# set\t"));
	char buf[512];
	line_starting(r.out, "t\t", buf, sizeof buf);
	assert_true(starts_with(buf, "t\tshare_russia\tshare_china\tshare_west\tshare_south_asia\t"
				     "share_economy_russia\t"));
	assert_true(starts_with(data_part(r.out), "2015\t"));
	assert_non_null(strstr(r.out, "\n2040\t"));
	/* the same run again: the same bytes */
	struct result again = RUN("run", KZ);
	expect_ok(&again);
	assert_string_equal(again.out, r.out);
	result_free(&again);
	result_free(&r);
}

static void test_run_output_file(void **state)
{
	(void)state;
	char *dir = fresh_dir("ofile");
	char path[300], names[512];
	snprintf(path, sizeof path, "%s/out.tsv", dir);

	struct result r = RUN("run", KZ, "-o", path);
	expect_ok(&r);
	assert_int_equal(r.nout, 0); /* nothing on stdout */
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	assert_string_equal(names, "out.tsv");
	char *content = tu_slurp(path, NULL);
	assert_string_equal(content, baseline_out); /* the same bytes as on stdout */
	free(content);
	result_free(&r);

	/* long form, replacing the file */
	char opt[320];
	snprintf(opt, sizeof opt, "--output=%s", path);
	r = RUN("run", opt, KZ);
	expect_ok(&r);
	assert_int_equal(r.nout, 0);
	content = tu_slurp(path, NULL);
	assert_string_equal(content, baseline_out);
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	free(content);
	result_free(&r);

	/* "-" is standard output */
	r = RUN("run", KZ, "-o", "-");
	expect_ok(&r);
	assert_string_equal(r.out, baseline_out);
	result_free(&r);
	remove_dir(dir);
}

static void test_run_set(void **state)
{
	(void)state;
	struct result r = RUN("run", KZ, "--set", "vectors.russia.coercion=2");
	expect_ok(&r);
	assert_int_equal(count_rows(r.out), 101);
	assert_true(has_line(r.out, "# set\tvectors.russia.coercion=2"));
	/* the # set line comes right after # seed */
	assert_non_null(strstr(r.out, "# seed\tnone\n# set\tvectors.russia.coercion=2\n# vector\t"));
	char h1[4096], h2[4096];
	line_starting(r.out, "t\t", h1, sizeof h1);
	line_starting(baseline_out, "t\t", h2, sizeof h2);
	assert_string_equal(h1, h2); /* same columns */
	result_free(&r);

	/* Coercion builds tension only while Russia is below its red line (docs/model.md §2); with
	 * a red line of 0.50, above Russia's share throughout the baseline, coercion 2 changes the
	 * numbers against the same red line with the baseline's coercion. */
	struct result red = RUN("run", KZ, "--set", "vectors.russia.red_line=0.50");
	r = RUN("run", KZ, "--set", "vectors.russia.red_line=0.50", "--set",
		"vectors.russia.coercion=2");
	expect_ok(&red);
	expect_ok(&r);
	assert_int_equal(count_rows(r.out), 101);
	assert_string_not_equal(data_part(red.out), data_part(baseline_out));
	assert_string_not_equal(data_part(r.out), data_part(red.out));
	line_starting(r.out, "t\t", h1, sizeof h1);
	assert_string_equal(h1, h2);
	assert_non_null(strstr(r.out, "# set\tvectors.russia.red_line=0.50\n"
				      "# set\tvectors.russia.coercion=2\n"));
	result_free(&red);

	/* -s is --set; several in order; --rtol is recorded as a set */
	struct result s = RUN("run", KZ, "-s", "vectors.russia.red_line=0.50", "-s",
			      "vectors.russia.coercion=2");
	expect_ok(&s);
	assert_string_equal(s.out, r.out);
	result_free(&s);
	s = RUN("run", KZ, "-s", "model.beta=0.5", "--rtol", "1e-6", "-s", "focal.autonomy=0.4");
	expect_ok(&s);
	assert_non_null(strstr(s.out, "# set\tmodel.beta=0.5\n# set\tintegrator.rtol=1e-6\n"
				      "# set\tfocal.autonomy=0.4\n"));
	assert_true(has_line(s.out, "# integrator\trk8pd\trtol=1e-06\tatol=1e-10"));
	assert_string_not_equal(data_part(s.out), data_part(baseline_out));
	result_free(&s);
	result_free(&r);
}

static void test_run_set_errors(void **state)
{
	(void)state;
	char *dir = fresh_dir("seterr");
	char path[300], names[512];
	snprintf(path, sizeof path, "%s/out.tsv", dir);

	struct result r = RUN("run", KZ, "-o", path, "--set", "vectors.russia.coersion=2");
	expect_error(&r, 2,
		     "mvsim: --set 'vectors.russia.coersion=2': expected a key of this scenario, "
		     "found unknown key 'vectors.russia.coersion'; did you mean "
		     "'vectors.russia.coercion'? (mvsim keys SCENARIO lists them)\n");
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	result_free(&r);

	r = RUN("run", KZ, "-o", path, "--set", "vectors.russia.coercion=abc");
	expect_error(&r, 2,
		     "mvsim: --set 'vectors.russia.coercion=abc': expected a finite number after "
		     "'=', found 'abc'\n");
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	result_free(&r);

	r = RUN("run", KZ, "--set", "vectors.russia.coercion");
	expect_error(&r, 2,
		     "mvsim: --set 'vectors.russia.coercion': expected KEY=VALUE, found no '='\n");
	result_free(&r);

	/* a value the key's rule refuses: an input error, nothing written */
	r = RUN("run", KZ, "-o", path, "--set", "focal.autonomy=1.5");
	expect_error(&r, 2, NULL);
	assert_true(starts_with(r.err, "mvsim: "));
	assert_non_null(strstr(r.err, "focal.autonomy"));
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	result_free(&r);
	remove_dir(dir);
}

static void test_run_integrator(void **state)
{
	(void)state;
	struct result r = RUN("run", KZ, "--integrator", "euler");
	expect_error(&r, 2,
		     "mvsim run: --integrator: expected one of rk2 rk4 rkf45 rkck rk8pd msadams "
		     "rk1imp rk2imp rk4imp bsimp msbdf, found 'euler'\n(see 'mvsim run --help')\n");
	result_free(&r);

	r = RUN("run", KZ, "--integrator", "msbdf");
	expect_ok(&r);
	assert_int_equal(count_rows(r.out), 101);
	assert_true(has_line(r.out, "# integrator\tmsbdf\trtol=1e-08\tatol=1e-10"));
	/* another stepper, the same solution: the last rows agree to well within the tolerances
	 * (rtol 1e-8 per step; the runs differ by ~5e-6 at most, masses being ~40) */
	double a[256], b[256];
	int na = last_row(r.out, a, 256), nb = last_row(baseline_out, b, 256);
	assert_int_equal(na, nb);
	assert_int_equal(na, 1 + 4 + 3 * 4 + 4 * 4 + 9); /* n = 4 vectors, D = 3 domains */
	assert_double_equal(a[0], 2040.0, 0);
	for (int c = 0; c < na; c++)
		assert_double_equal(a[c], b[c], 1e-5 * fmax(1, fabs(b[c])));
	result_free(&r);

	r = RUN("run", KZ, "-i", "rk4");
	expect_ok(&r);
	assert_true(has_line(r.out, "# integrator\trk4\trtol=1e-08\tatol=1e-10"));
	result_free(&r);
}

static void test_run_tolerances(void **state)
{
	(void)state;
	static const char *const bad[][2] = {{"--rtol", "0"}, {"--rtol", "abc"}, {"--rtol", "-1e-6"},
					     {"--atol", "0"}, {"--atol", "nan"}, {"--rtol", "inf"}};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		char want[256];
		snprintf(want, sizeof want,
			 "mvsim run: %s: expected a number > 0, found '%s'\n(see 'mvsim run --help')\n",
			 bad[k][0], bad[k][1]);
		struct result r = RUN("run", KZ, bad[k][0], bad[k][1]);
		expect_error(&r, 2, want);
		result_free(&r);
	}
	struct result r = RUN("run", KZ, "--atol", "1e-12");
	expect_ok(&r);
	assert_true(has_line(r.out, "# integrator\trk8pd\trtol=1e-08\tatol=1e-12"));
	assert_true(has_line(r.out, "# set\tintegrator.atol=1e-12"));
	result_free(&r);
}

static void test_run_input_errors(void **state)
{
	(void)state;
	char *dir = fresh_dir("inerr");
	char path[300], cfg[300], names[512], want[800];
	snprintf(path, sizeof path, "%s/out.tsv", dir);
	snprintf(cfg, sizeof cfg, "%s/none.cfg", dir);

	/* missing scenario file */
	struct result r = RUN("run", cfg, "-o", path);
	snprintf(want, sizeof want, "mvsim: %s: cannot open scenario: No such file or directory\n",
		 cfg);
	expect_error(&r, 2, want);
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	result_free(&r);

	/* a scenario with an unknown setting */
	r = RUN("run", "tests/data/cli/bad_setting.cfg", "-o", path);
	expect_error(&r, 2,
		     "mvsim: tests/data/cli/bad_setting.cfg:4: setting 'domains.d.intertia': "
		     "expected one of name, weight, inertia, found an unknown setting; did you mean "
		     "'inertia'?\n");
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	result_free(&r);

	/* output in a missing directory: reported before any work, nothing created */
	char nodir[320];
	snprintf(nodir, sizeof nodir, "%s/no/such/dir/out.tsv", dir);
	r = RUN("run", KZ, "-o", nodir);
	snprintf(want, sizeof want, "mvsim: %s: cannot create output: No such file or directory\n",
		 nodir);
	expect_error(&r, 2, want);
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	result_free(&r);
	remove_dir(dir);
}

/* A run that fails numerically (distance 0 makes Russia's pull infinite): exit 1, the time
 * on stderr, and nothing left in the output directory — neither result nor temporary. */
static void test_run_fails_numerically(void **state)
{
	(void)state;
	char *dir = fresh_dir("numfail");
	char path[300], names[512];
	snprintf(path, sizeof path, "%s/out.tsv", dir);

	struct result r = RUN("run", KZ, "--set", "vectors.russia.distance=0", "-o", path);
	expect_error(&r, 1, NULL);
	assert_true(starts_with(r.err, "mvsim: run failed at t="));
	assert_non_null(strstr(r.err, "(stepper rk8pd)"));
	assert_int_equal(strchr(r.err, '\n') - r.err + 1, (long)r.nerr); /* one line */
	if (list_dir(dir, names, sizeof names) != 0)
		fail_msg("left behind in %s: %s", dir, names);
	result_free(&r);

	/* an implicit stepper fails the same way */
	r = RUN("run", KZ, "--set", "vectors.russia.distance=0", "-o", path, "-i", "msbdf");
	expect_error(&r, 1, NULL);
	assert_true(starts_with(r.err, "mvsim: run failed at t="));
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	result_free(&r);
	remove_dir(dir);
}

/* SIGINT / SIGTERM during a run (rk1imp takes seconds on the baseline): the run stops,
 * removes its temporary, prints one line, exits 130 / 143; nothing on stdout. */
static void test_run_signals(void **state)
{
	(void)state;
	const int sigs[2] = {SIGINT, SIGTERM};
	const char *names[2] = {"SIGINT", "SIGTERM"};
	for (int q = 0; q < 2; q++) {
		char *dir = fresh_dir("signal");
		char path[300], left[512], cmd[1024], p[300], msg[64];
		snprintf(path, sizeof path, "%s/out.tsv", dir);
		const char *args[] = {"run", KZ, "-i", "rk1imp", "-o", path, NULL};
		pid_t pid = spawn_mvsim(args, NULL, -1, 0, cmd, sizeof cmd);
		/* Under valgrind (make valgrind) start-up takes seconds and timing means nothing. */
		int slow = getenv("MV_UNDER_VALGRIND") != NULL;
		struct timespec nap = {slow ? 5 : 0, slow ? 0 : 300 * 1000 * 1000};
		nanosleep(&nap, NULL);
		assert_int_equal(kill(pid, sigs[q]), 0);
		/* how fast it stops is measured by tests/bench_cli.c, not judged here */
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 128 + sigs[q]);
		snprintf(p, sizeof p, "%s/stderr", rundir);
		size_t n;
		char *err = tu_slurp(p, &n);
		snprintf(msg, sizeof msg, "mvsim: interrupted by %s\n", names[q]);
		assert_string_equal(err, msg);
		free(err);
		if (list_dir(dir, left, sizeof left) != 0)
			fail_msg("left behind in %s: %s", dir, left);
		remove_dir(dir);
	}
}

/* The temporary result deleted mid-run (a cleaner, a user): the run cannot publish it, says
 * so and exits 1; nothing appears under the final name. An output directory that is not
 * writable (here: a directory of /proc, which even root cannot write) is an input error found
 * before any work. */
static void test_run_output_vanishes(void **state)
{
	(void)state;
	char *dir = fresh_dir("vanish");
	char path[300], left[512], cmd[1024], p[300];
	snprintf(path, sizeof path, "%s/out.tsv", dir);
	const char *args[] = {"run", KZ, "-i", "rk1imp", "-o", path, NULL};
	pid_t pid = spawn_mvsim(args, NULL, -1, 0, cmd, sizeof cmd);
	int slow = getenv("MV_UNDER_VALGRIND") != NULL;
	struct timespec nap = {slow ? 5 : 0, slow ? 0 : 200 * 1000 * 1000};
	nanosleep(&nap, NULL);
	/* remove the temporary (out.tsv.tmp.XXXXXX) while the run goes on */
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int removed = 0;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "out.tsv.tmp.", 12) == 0) {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			removed += unlink(p) == 0;
		}
	closedir(d);
	assert_int_equal(removed, 1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	snprintf(p, sizeof p, "%s/stderr", rundir);
	size_t n;
	char *err = tu_slurp(p, &n);
	assert_true(starts_with(err, "mvsim: "));
	assert_non_null(strstr(err, "into place: No such file or directory"));
	free(err);
	if (list_dir(dir, left, sizeof left) != 0)
		fail_msg("left behind in %s: %s", dir, left);
	remove_dir(dir);

	struct result r = RUN("run", KZ, "-o", "/proc/self/mvsim-out.tsv");
	expect_error(&r, 2, NULL);
	assert_true(starts_with(r.err, "mvsim: /proc/self/mvsim-out.tsv: cannot create output: "));
	result_free(&r);
}

/* Standard output on a full device: exit 1 with the reason. */
static void test_run_stdout_full(void **state)
{
	(void)state;
	if (access("/dev/full", W_OK) != 0)
		fail_msg("/dev/full is needed for this test");
	struct result r = run_args((const char *const[]){"run", KZ, NULL}, "/dev/full");
	expect_exit(&r, 1);
	assert_string_equal(r.err, "mvsim: standard output: write failed: No space left on device\n");
	result_free(&r);
}

/* `mvsim run X | head -1`: the reader goes away after one line. Killed by SIGPIPE, or exit
 * 0 or 1, are all fine; a crash or a sanitizer report is not. A small output step makes the
 * output (~12 MB) far larger than any pipe buffer, so mvsim is still writing. */
static void test_run_stdout_closed_early(void **state)
{
	(void)state;
	static const char *const args[] = {"run", KZ, "--set", "time.output_step=0.001", NULL};

	for (int ignore = 0; ignore < 2; ignore++) {
		int fd[2], status;
		char cmd[512], line[64], errp[300];
		assert_int_equal(pipe(fd), 0);
		/* mvsim must not inherit the read end, or the pipe never breaks */
		assert_int_equal(fcntl(fd[0], F_SETFD, FD_CLOEXEC), 0);
		assert_int_equal(fcntl(fd[1], F_SETFD, FD_CLOEXEC), 0);
		pid_t pid = spawn_mvsim(args, NULL, fd[1], ignore, cmd, sizeof cmd);
		close(fd[1]);
		size_t n = 0;
		while (n < sizeof line - 1 && read(fd[0], line + n, 1) == 1 && line[n] != '\n')
			n++;
		line[n] = '\0';
		close(fd[0]);
		assert_string_equal(line, "# mvsim 0.1.0");
		assert_int_equal(waitpid(pid, &status, 0), pid);
		snprintf(errp, sizeof errp, "%s/stderr", rundir);
		char *err = tu_slurp(errp, NULL);
		if (strstr(err, "Sanitizer") || strstr(err, "runtime error:"))
			fail_msg("%s: sanitizer report:\n%s", cmd, err);
		if (WIFSIGNALED(status)) {
			if (ignore || WTERMSIG(status) != SIGPIPE)
				fail_msg("%s: killed by signal %d (SIGPIPE %s)\n%s", cmd,
					 WTERMSIG(status), ignore ? "ignored" : "default", err);
		} else {
			assert_true(WIFEXITED(status));
			int code = WEXITSTATUS(status);
			if (code != 0 && code != 1)
				fail_msg("%s: exit status %d\n%s", cmd, code, err);
			if (ignore) {
				/* with SIGPIPE ignored the write fails with EPIPE: exit 1 with the reason */
				assert_int_equal(code, 1);
				assert_string_equal(err,
						    "mvsim: standard output: write failed: Broken pipe\n");
			}
		}
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_stdout),
		cmocka_unit_test(test_run_output_file),
		cmocka_unit_test(test_run_set),
		cmocka_unit_test(test_run_set_errors),
		cmocka_unit_test(test_run_integrator),
		cmocka_unit_test(test_run_tolerances),
		cmocka_unit_test(test_run_input_errors),
		cmocka_unit_test(test_run_fails_numerically),
		cmocka_unit_test(test_run_signals),
		cmocka_unit_test(test_run_output_vanishes),
		cmocka_unit_test(test_run_stdout_full),
		cmocka_unit_test(test_run_stdout_closed_early),
	};
	return cmocka_run_group_tests_name("mvsim run", tests, tu_cli_setup, tu_cli_teardown);
}
