/* test_resultfile.c — reading what a result file is (resultfile.h): a run's time series, a
 * sweep summary written with --names safe, a fit report's tables after the first; every file
 * it refuses, with its message. */
#include "testutil.h"

#include "mvsim/resultfile.h"

/* Reads text (as a file under build/) into r; returns mv_resultfile_read's status, with the
 * file's name in path (size 64) and err filled. */
static int read_text(const char *text, struct mv_resultfile *r, char *path,
		     struct mv_error *err)
{
	char *p = tu_write_cfg(text);
	snprintf(path, 64, "%s", p);
	int rc = mv_resultfile_read(r, p, err);
	unlink(p);
	free(p);
	return rc;
}

/* The committed synthetic run (tests/data/plot_synth_four.tsv): four vectors and three domains
 * in their order, the header, no '# result' (a run's time series), its scenario's name. */
static void test_run(void **state)
{
	(void)state;
	struct mv_resultfile r;
	struct mv_error err = {0};
	static const char *const vec[] = {"russia", "china", "west", "south_asia"};

	if (mv_resultfile_read(&r, "tests/data/plot_synth_four.tsv", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.nvec, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(r.vec[i], vec[i]);
	assert_int_equal(r.ndom, 3);
	assert_string_equal(r.dom[0], "economy");
	assert_null(r.result);
	assert_string_equal(r.scenario, "Synthetic four-vector test");
	assert_string_equal(r.col[0], "t");
	assert_int_equal(mv_resultfile_column(&r, "t"), 0);
	assert_true(mv_resultfile_column(&r, "share_west") > 0);
	assert_int_equal(mv_resultfile_column(&r, "share_nowhere"), -1);
	assert_int_equal(r.nrows, 2); /* counted up to 2 */
	assert_int_equal(r.npar + r.nmet + r.safe_names, 0);
	mv_resultfile_free(&r);
	assert_null(r.col); /* zeroed */
}

/* A summary: what it is from its first line, its parameters and metrics as written, the
 * header in safe form found by either name; a fit report: only the first table is held to
 * the header's width (the second has other columns). */
static void test_summary_and_report(void **state)
{
	(void)state;
	struct mv_resultfile r;
	struct mv_error err = {0};
	char path[64];

	assert_int_equal(read_text("# mvsim 0.1.0 sweep summary \n# parameter\tfocal.autonomy\t0\t1\n"
				   "# metric\tfinal:crisis_prob\n# names\tsafe\n"
				   "run\tfocal_autonomy\tfinal_crisis_prob\tstatus\n"
				   "0\t0.5\t0.1\tok\n# complete\n",
				   &r, path, &err), 0);
	assert_string_equal(r.result, "sweep summary"); /* the trailing blank dropped */
	assert_int_equal(r.npar, 1);
	assert_string_equal(r.par[0], "focal.autonomy");
	assert_int_equal(r.nmet, 1);
	assert_string_equal(r.met[0], "final:crisis_prob");
	assert_int_equal(r.safe_names, 1);
	assert_int_equal(mv_resultfile_column(&r, "final:crisis_prob"), 2);
	assert_int_equal(mv_resultfile_column(&r, "final_crisis_prob"), 2);
	assert_int_equal(mv_resultfile_column(&r, "focal.autonomy"), 1);
	assert_int_equal(r.nrows, 1);
	mv_resultfile_free(&r);

	assert_int_equal(read_text("# mvsim 0.1.0 fit report\n# result\tfit report\n"
				   "# table: origins\norigin\tend\n2016\tinf\n\n\n"
				   "# table: scores\norigin\tseries\tn_fit\n2016\ta\t3\n",
				   &r, path, &err), 0);
	assert_string_equal(r.result, "fit report");
	assert_int_equal(r.ncol, 2);
	assert_int_equal(r.nrows, 1);
	mv_resultfile_free(&r);
}

/* Every refusal, with its exact message (code 2). */
static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg; /* msg after "PATH" */
	} cases[] = {
		{"t\tx\n1\t2\n", ": not an mvsim result (the first line should start with '# mvsim')"},
		{"", ": empty file, not an mvsim result"},
		{"# mvsim 0.1.0\n# vector\trussia\n", ": no header line after the '#' lines"},
		{"# mvsim 0.1.0\n# vector\trussia\nt\tx\n", ": no data rows after the header"},
		{"# mvsim 0.1.0\nt\tx\n1\t2\n3", ":4: the last line does not end in a newline: the "
						 "file is cut short (an interrupted write?)"},
		{"# mvsim 0.1.0\nt\tx\n1\t2\n3\n", ":4: expected 2 fields (as the header), found 1: a "
						   "torn or edited row"},
		{"# mvsim 0.1.0\n# vector\t\nt\n1\n", ":2: '# vector' line without an id"},
	};
	struct mv_resultfile r;
	struct mv_error err = {0};
	char path[64], msg[256];

	for (int k = 0; k < (int)(sizeof cases / sizeof cases[0]); k++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(read_text(cases[k].text, &r, path, &err), -1);
		mv_resultfile_free(&r);
		snprintf(msg, sizeof msg, "%s%s", path, cases[k].msg);
		assert_string_equal(err.msg, msg);
		assert_int_equal(err.code, MV_EXIT_INPUT);
	}
	assert_int_equal(mv_resultfile_read(&r, "build/no\nsuch.tsv", &err), -1);
	assert_string_equal(err.msg, "a file name with a newline is not supported");
	assert_int_equal(mv_resultfile_read(&r, "build/no-such-result.tsv", &err), -1);
	assert_string_equal(err.msg, "build/no-such-result.tsv: cannot open: No such file or directory");
	mv_resultfile_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_summary_and_report),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests_name("resultfile", tests, NULL, NULL);
}
