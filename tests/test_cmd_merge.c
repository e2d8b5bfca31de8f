/* test_cmd_merge.c — `mvsim merge` as a user meets it: the merged summary of a sweep's
 * shards is the unsharded one and is judged by its checks (the merge errors are in
 * test_cmd_sweep.c, beside the shards they use; the merge itself in test_summary.c). */
#define OUT "build/test-cmd-merge"
#define TU_OUT OUT
#include "testutil.h"

#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define DATA "tests/data/sweep"

static int cli_setup(void **state)
{
	(void)state;
	return tu_setup_bin();
}

/* merge applies the checks of the merged summary (exit 1, the same list as the sweep). */
static void test_cli_merge_checks(void **state)
{
	char *err, *err1, *a, *b;
	(void)state;
	TU_NEED_SWEEP();
	assert_int_equal(tu_mv(NULL, &err1, "sweep", DATA "/breaking.cfg", "-o", OUT "/bk.tsv", NULL), 1);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/bk1.tsv", "--shard", "1/2", NULL), 1);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/bk2.tsv", "--shard", "2/2", NULL), 1);
	assert_int_equal(tu_mv(NULL, &err, "merge", OUT "/bk2.tsv", OUT "/bk1.tsv", "-o", OUT "/bkm.tsv", NULL), 1);
	a = tu_read(OUT "/bk.tsv");
	b = tu_read(OUT "/bkm.tsv");
	assert_string_equal(a, b);
	/* the same lines, said by merge */
	char *s = strstr(err1, "mvsim: warning: ");
	if (s == NULL)
		s = strstr(err1, "mvsim: sweep: ");
	assert_non_null(s);
	assert_non_null(strstr(err, "mvsim: merge: check final:crisis_prob <= 0.5 broken by 3 of 6 runs\n"));
	assert_memory_equal(err, err1, (size_t)(s - err1));
	free(a);
	free(b);
	free(err);
	free(err1);
}

/* merge --junit: the merged gate's report, valid XML (xmllint) with the sweep's test cases
 * and counts; -o - writes the merged summary to standard output; a report path that cannot
 * be written fails before anything is merged (exit 2, no summary). */
static void test_cli_merge_junit(void **state)
{
	char *out, *err, *a, *b;
	(void)state;
	TU_NEED_SWEEP();
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/j.tsv", "--junit",
			       OUT "/j.xml", NULL), 1);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/j1.tsv", "--shard", "1/2", NULL), 1);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/j2.tsv", "--shard", "2/2", NULL), 1);
	unlink(OUT "/jm.tsv");
	assert_int_equal(tu_mv(NULL, &err, "merge", OUT "/j1.tsv", OUT "/j2.tsv", "-o", OUT "/jm.tsv",
			       "--junit", OUT "/jm.xml", NULL), 1);
	free(err);
	if (system("command -v xmllint >/dev/null") != 0)
		fail_msg("xmllint is missing (scripts/deps.sh installs libxml2-utils)");
	assert_int_equal(system("xmllint --noout " OUT "/j.xml " OUT "/jm.xml"), 0);
	a = tu_read(OUT "/j.xml");
	b = tu_read(OUT "/jm.xml");
	/* the same report but for time and timestamp: from <testcase ... on, byte for byte */
	assert_non_null(strstr(b, "<testsuite name=\"breaking\" tests=\"3\" failures=\"1\" errors=\"0\" "
				  "skipped=\"0\" time=\""));
	assert_non_null(strstr(b, "<failure type=\"check\" message=\"3 of 6 runs break "
				  "final:crisis_prob &lt;= 0.5\">run 2: final:crisis_prob = 0.9907780474"));
	assert_string_equal(strstr(a, "    <testcase "), strstr(b, "    <testcase "));
	free(a);
	free(b);
	/* -o -: standard output, the same bytes */
	assert_int_equal(tu_mv(&out, &err, "merge", OUT "/j1.tsv", OUT "/j2.tsv", "-o", "-", NULL), 1);
	a = tu_read(OUT "/jm.tsv");
	assert_string_equal(out, a);
	assert_false(tu_exists("-"));
	free(a);
	free(out);
	free(err);
	/* a report that cannot be written: exit 2 before the merge, nothing written */
	unlink(OUT "/jm2.tsv");
	assert_int_equal(tu_mv(NULL, &err, "merge", OUT "/j1.tsv", OUT "/j2.tsv", "-o", OUT "/jm2.tsv",
			       "--junit", OUT "/nodir/x.xml", NULL), 2);
	assert_string_equal(err, "mvsim: " OUT "/nodir/x.xml: cannot create output: No such file or directory\n");
	assert_false(tu_exists(OUT "/jm2.tsv"));
	free(err);
	assert_int_equal(tu_mv(NULL, &err, "merge", OUT "/j1.tsv", OUT "/j2.tsv", "-o", OUT "/jm2.tsv",
			       "--junit", OUT "/j1.tsv", NULL), 2);
	assert_string_equal(err, "mvsim: " OUT "/j1.tsv: is an input of this command: refusing to overwrite it\n");
	free(err);
	assert_int_equal(tu_mv(NULL, &err, "merge", OUT "/j1.tsv", "-o", "", NULL), 2);
	assert_string_equal(err, "mvsim merge: -o: expected a file name (or '-'), found ''\n"
				 "(see 'mvsim merge --help')\n");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_merge_checks),
		cmocka_unit_test(test_cli_merge_junit),
	};
	return cmocka_run_group_tests_name("mvsim merge", tests, cli_setup, NULL);
}
