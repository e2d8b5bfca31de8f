/* test_cli.c — the kit of the mvsim executable (sim/cli/cli.c) as a user meets it: the
 * command table in --help, help for every command, --version, the option parser's usage
 * errors. The commands have their own tests (test_cmd_<name>.c). Runs $MVSIM. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#define TU_CLIROOT "build/test-cli"
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/config.h"
#include "mvsim/output.h"

#include <sched.h>
#include <time.h>

static void test_help(void **state)
{
	(void)state;
	static const char *const main_forms[][3] = {{"--help"}, {"-h"}, {"help"}, {"help", "--help"}};
	struct result r;
	char *main_usage = NULL;

	for (size_t k = 0; k < sizeof main_forms / sizeof main_forms[0]; k++) {
		const char *args[4] = {main_forms[k][0], main_forms[k][1], NULL, NULL};
		r = run_args(args, NULL);
		expect_ok(&r);
		assert_true(starts_with(r.out, "usage: mvsim [--version] [--help] COMMAND [ARGS]\n"));
		int ncmd;
		const struct mv_command *cmds = mv_cli_commands(&ncmd);
		for (int c = 0; c < ncmd; c++) {
			char line[256];
			snprintf(line, sizeof line, "  %-12s %s", cmds[c].name, cmds[c].summary);
			if (!has_line(r.out, line))
				fail_msg("%s: no line \"%s\"", r.cmd, line);
		}
		if (main_usage == NULL)
			main_usage = strdup(r.out);
		else
			assert_string_equal(r.out, main_usage); /* every form prints the same */
		result_free(&r);
	}
	free(main_usage);

	/* each command's usage, by `help CMD`, `CMD --help` and `CMD -h` */
	static const char *const cmds[] = {"run", "check", "keys"};
	for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
		char want[64];
		snprintf(want, sizeof want, "mvsim %s SCENARIO", cmds[k]);
		struct result a = RUN("help", cmds[k]), b = RUN(cmds[k], "--help"),
			      c = RUN(cmds[k], "-h");
		expect_ok(&a);
		expect_ok(&b);
		expect_ok(&c);
		if (!starts_with(a.out, want))
			fail_msg("%s: \"%.80s\", expected it to start \"%s\"", a.cmd, a.out, want);
		assert_non_null(strstr(a.out, "-h, --help"));
		assert_non_null(strstr(a.out, "Exit status:"));
		assert_string_equal(b.out, a.out);
		assert_string_equal(c.out, a.out);
		result_free(&a);
		result_free(&b);
		result_free(&c);
	}
	/* help wins over a missing SCENARIO or other options */
	r = RUN("run", "--set", "x=1", "--help");
	expect_ok(&r);
	assert_true(starts_with(r.out, "mvsim run SCENARIO"));
	result_free(&r);

	r = RUN("help", "frobnicate");
	expect_error(&r, 2, "mvsim help: unknown command 'frobnicate'\n(see 'mvsim help --help')\n");
	result_free(&r);
}

static void test_version(void **state)
{
	(void)state;
	struct result r = RUN("--version");
	expect_ok(&r);
	assert_true(starts_with(r.out, "mvsim 0.1.0"));
	assert_true(starts_with(r.out, "mvsim " MV_VERSION));
	assert_true(r.out[6 + strlen(MV_VERSION)] == ' ' || r.out[6 + strlen(MV_VERSION)] == '\n');
	assert_non_null(strchr(r.out, '\n'));
	assert_int_equal(strchr(r.out, '\n') - r.out + 1, (long)r.nout); /* one line */
	result_free(&r);
}

/* The default thread count: --jobs N, else OMP_NUM_THREADS (its first number), else the
 * CPUs of this process's affinity mask. */
static void test_default_jobs(void **state)
{
	(void)state;
	cpu_set_t set;
	assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
	const char *saved = getenv("OMP_NUM_THREADS");
	char *keep = saved ? strdup(saved) : NULL;
	setenv("OMP_NUM_THREADS", "3", 1);
	assert_int_equal(mv_cli_jobs(0), 3);
	assert_int_equal(mv_cli_jobs(5), 5);
	setenv("OMP_NUM_THREADS", "2,1", 1); /* nested levels: the outer one */
	assert_int_equal(mv_cli_jobs(0), 2);
	setenv("OMP_NUM_THREADS", "many", 1);
	assert_int_equal(mv_cli_jobs(0), CPU_COUNT(&set));
	unsetenv("OMP_NUM_THREADS");
	assert_int_equal(mv_cli_jobs(0), CPU_COUNT(&set));
	/* a narrower mask is honoured */
	cpu_set_t one;
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set)) {
			CPU_SET(c, &one);
			break;
		}
	assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
	assert_int_equal(mv_cli_jobs(0), 1);
	assert_int_equal(sched_setaffinity(0, sizeof set, &set), 0);
	if (keep)
		setenv("OMP_NUM_THREADS", keep, 1);
	free(keep);
}

static void test_usage_errors(void **state)
{
	(void)state;
	struct result r;

	/* no arguments: the usage, on stderr */
	r = run_args((const char *const[]){NULL}, NULL);
	expect_error(&r, 2, NULL);
	assert_true(starts_with(r.err, "usage: mvsim "));
	result_free(&r);

	r = RUN("frobnicate");
	expect_error(&r, 2, NULL);
	assert_true(starts_with(r.err, "mvsim: unknown command 'frobnicate'\n"));
	assert_non_null(strstr(r.err, "usage: mvsim "));
	result_free(&r);

	r = RUN("--frobnicate");
	expect_error(&r, 2, NULL);
	assert_true(starts_with(r.err, "mvsim: unknown command '--frobnicate'\n"));
	result_free(&r);

	static const char *const cmds[] = {"run", "check", "keys"};
	for (size_t k = 0; k < 3; k++) {
		char want[128];
		snprintf(want, sizeof want, "mvsim %s: missing SCENARIO\n(see 'mvsim %s --help')\n",
			 cmds[k], cmds[k]);
		r = RUN(cmds[k]);
		expect_error(&r, 2, want);
		result_free(&r);
	}

	r = RUN("run", "--frobnicate", KZ);
	expect_error(&r, 2, "mvsim run: unknown option '--frobnicate'\n(see 'mvsim run --help')\n");
	result_free(&r);
	r = RUN("run", KZ, "-q");
	expect_error(&r, 2, "mvsim run: unknown option '-q'\n(see 'mvsim run --help')\n");
	result_free(&r);
	r = RUN("run", KZ, "-o");
	expect_error(&r, 2, "mvsim run: option '-o' needs a value\n(see 'mvsim run --help')\n");
	result_free(&r);
	r = RUN("run", KZ, "extra.cfg");
	expect_error(&r, 2, "mvsim run: unexpected argument 'extra.cfg'\n(see 'mvsim run --help')\n");
	result_free(&r);
	/* an option the command does not take (the message's wording is not asserted: with the
	 * value as a separate argument it currently names the value, see the report) */
	r = RUN("check", KZ, "-o", "x.tsv");
	expect_error(&r, 2, NULL);
	assert_true(starts_with(r.err, "mvsim check: option '"));
	assert_non_null(strstr(r.err, "' does not apply here\n(see 'mvsim check --help')\n"));
	result_free(&r);
	r = RUN("keys", "--set", "model.alpha=1", KZ);
	expect_error(&r, 2, NULL);
	assert_non_null(strstr(r.err, "' does not apply here\n(see 'mvsim keys --help')\n"));
	result_free(&r);
	assert_true(access("x.tsv", F_OK) != 0);
}

/* ---------------------------------------------------------------- run */

/* text with roff's font escapes (\fB, \fI, \fR, \fP) and the names of macro lines (.TP, .B)
 * dropped, "\-" as "-" and every run of blanks and newlines as one space (malloc'd). A
 * list that a man page or the completion wraps over lines reads as the help's. */
static char *flat(const char *text)
{
	char *out = malloc(strlen(text) + 2), *o = out;
	int bol = 1;

	assert_non_null(out);
	for (const char *p = text; *p; p++) {
		if (bol && *p == '.') { /* a macro's name: its arguments stay */
			p += strcspn(p, " \t\n");
			if (*p == '\0')
				break;
		}
		bol = *p == '\n';
		if (p[0] == '\\' && p[1] == 'f' && p[2]) {
			p += 2;
			continue;
		}
		if (p[0] == '\\' && p[1] == '-')
			p++;
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			if (o > out && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* Every name list in a --help text comes from its table ({STYLE:LIST} tokens, cli.h): the
 * help shows each as its table gives it, and the command's man page holds the same list in
 * the same style, so a page kept by hand fails here when a table grows; the completion
 * offers the value lists; every listed integrator is one the run accepts; a long list wraps
 * under its first name within 80 columns. */
static void test_usage_lists(void **state)
{
	(void)state;
	int n, tokens = 0;
	const struct mv_command *cmds = mv_cli_commands(&n);
	char list[1024], path[64];

	for (int k = 0; k < n; k++) {
		if (strcmp(cmds[k].name, "help") == 0)
			continue;
		char *text = mv_cli_usage_text(cmds[k].usage);
		assert_non_null(text);
		snprintf(path, sizeof path, "man/mvsim-%s.1", cmds[k].name);
		char *page = tu_slurp(path, NULL), *man = flat(page), *help = flat(text);
		for (const char *p = strchr(cmds[k].usage, '{'); p; p = strchr(p + 1, '{')) {
			const char *end = strchr(p, '}');
			if (end == NULL ||
			    mv_cli_usage_list(p + 1, (size_t)(end - p - 1), list, sizeof list) == NULL)
				continue;
			tokens++;
			assert_true(strlen(list) > 0);
			if (strstr(help, list) == NULL)
				fail_msg("mvsim help %s: '%s' not shown", cmds[k].name, list);
			if (strstr(man, list) == NULL)
				fail_msg("%s: the list %.*s is not '%s' (its table's)", path,
					 (int)(end - p + 1), p, list);
		}
		assert_null(strstr(text, "{sp:"));
		assert_null(strstr(text, "{or:"));
		assert_null(strstr(text, "{bar:"));
		free(page);
		free(man);
		free(help);
		free(text);
	}
	assert_true(tokens >= 9); /* run 1, sweep 1, fit 1, discover 2, sensitivity 2, plot 4 */

	char *script = tu_slurp("scripts/mvsim-completion.bash", NULL), *comp = flat(script);
	static const char *const offered[] = {"sp:integrators", "sp:sensitivity methods",
					      "sp:plot formats", "sp:plot kinds",
					      "sp:discover objectives"};
	for (int k = 0; k < 5; k++) {
		assert_non_null(mv_cli_usage_list(offered[k], strlen(offered[k]), list, sizeof list));
		char want[1100];
		snprintf(want, sizeof want, "compgen -W \"%s\"", list);
		if (strstr(comp, want) == NULL)
			fail_msg("scripts/mvsim-completion.bash: no %s", want);
	}
	free(script);
	free(comp);

	assert_non_null(mv_cli_usage_list("sp:integrators", 14, list, sizeof list));
	for (char *w = strtok(list, " "); w; w = strtok(NULL, " "))
		assert_true(mv_integrator_implicit(w) >= 0);
	assert_null(mv_cli_usage_list("sp:nothing", 10, list, sizeof list));
	assert_null(mv_cli_usage_list("italic:integrators", 18, list, sizeof list));
	/* an unknown token stays; a list at column 20 passes column 80 at its last name */
	char *wrapped = mv_cli_usage_text("{nope} characters-x {sp:integrators} y\n"
					  "   {bar:plot formats}\n");
	assert_non_null(wrapped);
	assert_string_equal(wrapped, "{nope} characters-x rk2 rk4 rkf45 rkck rk8pd msadams rk1imp "
				     "rk2imp rk4imp bsimp\n                    msbdf y\n"
				     "   png|svg|pdf\n");
	free(wrapped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_default_jobs),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_usage_lists),
	};
	return cmocka_run_group_tests_name("cli", tests, tu_cli_setup, tu_cli_teardown);
}
