/* test_summary.c — sweep summaries (summary.h) without the command line: the row format, the
 * gate (by value and read back, which must agree), its notes and verdict, JUnit, the
 * .partial file and resume, and the merge of shards with its refusals. */
#include "testutil.h"

#include "mvsim/batch.h"
#include "mvsim/summary.h"
#include "mvsim/sweep.h"

#include <sys/stat.h>

#define OUT "build/test-summary"
#define BREAKING "tests/data/sweep/breaking.cfg"

/* breaking.cfg: parameters coercion, restraint.china; metrics max:tension_russia (listed)
 * and final:crisis_prob (a check's); checks crisis_prob <= 0.5 and tension <= 100. */
static struct mv_sweep *sw;

/* The notes a gate gave, joined by newlines. */
struct notes {
	char text[8192];
};

static void collect_note(void *ctx, const char *msg)
{
	struct notes *n = ctx;
	size_t used = strlen(n->text);
	snprintf(n->text + used, sizeof n->text - used, "%s\n", msg);
}

static struct mv_batch_result result(long k, const double *x, const double *m, int ok,
				     const char *reason)
{
	struct mv_batch_result r = {0};
	r.k = k;
	r.x = x;
	r.metrics = m;
	r.status = ok ? MV_RUN_OK : MV_RUN_FAILED;
	r.reason = ok ? "" : reason;
	return r;
}

static int setup(void **state)
{
	struct mv_error err = {0};
	(void)state;
	mkdir("build", 0777);
	mkdir(OUT, 0777);
	sw = mv_sweep_load(BREAKING, 0, NULL, &err);
	if (sw == NULL) {
		print_error("%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mv_sweep_free(sw);
	return 0;
}

static void test_meta_and_row(void **state)
{
	(void)state;
	char *meta = mv_summary_meta(sw, 2, 3);
	assert_non_null(meta);
	assert_true(strncmp(meta, "# mvsim ", 8) == 0);
	assert_non_null(strstr(meta, " sweep summary\n# sweep\t" BREAKING "\t"));
	assert_non_null(strstr(meta, "\n# shard\t2/3\n"));
	assert_non_null(strstr(meta, "\n# check\tfinal:crisis_prob\t-inf\t0.5\n"));
	/* the header ends the metadata */
	const char *hdr = "run\tvectors.russia.coercion\tvectors.russia.restraint.china"
			  "\tmax:tension_russia\tfinal:crisis_prob\tstatus\treason\n";
	size_t lm = strlen(meta), lh = strlen(hdr);
	assert_true(lm > lh);
	assert_string_equal(meta + lm - lh, hdr);
	free(meta);

	char row[2048];
	double x[2] = {5, 0.125}, m[2] = {12.5, NAN};
	struct mv_batch_result r = result(4, x, m, 1, NULL);
	assert_true(mv_summary_row_size(sw) <= sizeof row);
	size_t n = mv_summary_format_row(sw, &r, row, sizeof row);
	assert_string_equal(row, "4\t5\t0.125\t12.5\tnan\tok\t-");
	assert_int_equal(n, strlen(row));
	r = result(5, x, m, 0, "run failed at t=2001: the step size underflowed");
	mv_summary_format_row(sw, &r, row, sizeof row);
	assert_string_equal(row, "5\t5\t0.125\t12.5\tnan\tfailed\trun failed at t=2001: the step "
				 "size underflowed");
}

/* A run judged by value and the same run's row read back give the same tallies and notes:
 * also a metric above the bound only beyond the printed digits (0.5 + 1e-12 prints as 0.5,
 * which passes <= 0.5, as a resumed summary will judge it). */
static void test_gate_value_and_row_agree(void **state)
{
	(void)state;
	struct mv_error err = {0};
	char *meta = mv_summary_meta(sw, 1, 1);
	struct notes a = {""}, b = {""};
	struct mv_gate *gv = mv_gate_create(meta, 0, collect_note, &a, &err);
	struct mv_gate *gr = mv_gate_create(meta, 0, collect_note, &b, &err);
	assert_non_null(gv);
	assert_non_null(gr);
	const double xs[4][2] = {{0, 0}, {5, 2}, {10, 0}, {10, 2}};
	const double ms[4][2] = {{3, 0.5 + 1e-12}, {150, 0.25}, {40, 0.75}, {0, NAN}};
	const int ok[4] = {1, 1, 1, 0};
	char row[2048];
	for (int k = 0; k < 4; k++) {
		struct mv_batch_result r = result(k, xs[k], ms[k], ok[k], "it failed");
		assert_int_equal(mv_gate_run(gv, k, xs[k], ms[k], ok[k], r.reason), 0);
		mv_summary_format_row(sw, &r, row, sizeof row);
		assert_int_equal(mv_gate_row(gr, row), 0);
	}
	assert_string_equal(a.text, b.text);
	assert_string_equal(a.text,
			    "run 1 breaks check max:tension_russia <= 100: max:tension_russia = 150 "
			    "(vectors.russia.coercion = 5, vectors.russia.restraint.china = 2)\n"
			    "run 2 breaks check final:crisis_prob <= 0.5: final:crisis_prob = 0.75 "
			    "(vectors.russia.coercion = 10, vectors.russia.restraint.china = 0)\n"
			    "run 3 failed: it failed (vectors.russia.coercion = 10, "
			    "vectors.russia.restraint.china = 2)\n");
	assert_int_equal(mv_gate_nrows(gv), 4);
	assert_int_equal(mv_gate_nfailed(gv), 1);
	assert_int_equal(mv_gate_verdict(gv, "sweep"), MV_EXIT_FAIL);
	assert_non_null(strstr(a.text, "sweep: 1 of 4 runs failed\n"
				       "sweep: check final:crisis_prob <= 0.5 broken by 2 of 4 runs\n"
				       "sweep: check max:tension_russia <= 100 broken by 1 of 4 runs\n"));
	/* a row without the header's fields is refused, not judged */
	assert_int_equal(mv_gate_row(gr, "4\t1\t2"), -1);
	assert_int_equal(mv_gate_nrows(gr), 4);
	mv_gate_free(gv);
	mv_gate_free(gr);
	free(meta);
}

/* Notes counted for the capped-list test. */
struct count {
	int n, runs;
	char last[1024];
};

static void count_note(void *ctx, const char *msg)
{
	struct count *c = ctx;
	c->n++;
	c->runs += strncmp(msg, "run ", 4) == 0;
	snprintf(c->last, sizeof c->last, "%s", msg);
}

/* 25 runs break a check, 3 of them failed: at most 20 runs have notes, then "and 5 more";
 * JUnit lists the first 20 of each failure, then "and N more (see the summary)". */
static void test_gate_capped(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct count c = {0};
	char *meta = mv_summary_meta(sw, 1, 1);
	struct mv_gate *g = mv_gate_create(meta, 1, count_note, &c, &err);
	assert_non_null(g);
	double x[2] = {0, 2}, bad[2] = {10, 0.9}, nan2[2] = {NAN, NAN};
	for (long k = 0; k < 25; k++)
		assert_int_equal(mv_gate_run(g, k, x, k < 3 ? nan2 : bad, k >= 3, "boom"), 0);
	/* 20 runs listed: 3 failed (one note each, the check's is the failure) + 17 breaking */
	assert_int_equal(c.runs, 20);
	assert_int_equal(mv_gate_verdict(g, "sweep"), MV_EXIT_FAIL);
	/* the failed runs (nan) break the other check too */
	assert_string_equal(c.last, "sweep: check max:tension_russia <= 100 broken by 3 of 25 runs");
	assert_int_equal(c.n, 20 + 4); /* the runs; "and 5 more", failed runs, the two checks */
	FILE *f = tmpfile();
	assert_int_equal(mv_gate_write_junit(g, f, "ci", 2), 0);
	long len = ftell(f);
	rewind(f);
	char *xml = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(xml, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_non_null(strstr(xml, "message=\"25 of 25 runs break final:crisis_prob &lt;= 0.5\">"));
	assert_non_null(strstr(xml, "run 19: final:crisis_prob = 0.9 (vectors.russia.coercion = 0, "
				    "vectors.russia.restraint.china = 2)\nand 5 more (see the summary)\n"
				    "</failure>"));
	assert_null(strstr(xml, "run 20: "));
	assert_non_null(strstr(xml, "message=\"3 of 25 runs failed\">run 0: boom"));
	free(xml);
	mv_gate_free(g);
	free(meta);
	char name[64];
	mv_gate_junit_name("configs/sweeps/ci.v2.cfg", name, sizeof name);
	assert_string_equal(name, "ci_v2");
	mv_gate_junit_name("./a.b/x", name, sizeof name);
	assert_string_equal(name, "x");
}

static void test_gate_passes_and_junit(void **state)
{
	(void)state;
	struct mv_error err = {0};
	char *meta = mv_summary_meta(sw, 1, 1);
	struct mv_gate *g = mv_gate_create(meta, 1, NULL, NULL, &err);
	assert_non_null(g);
	double x[2] = {0, 2}, m[2] = {10, 0.1}, bad[2] = {10, 0.9};
	assert_int_equal(mv_gate_run(g, 0, x, m, 1, ""), 0);
	assert_int_equal(mv_gate_verdict(g, "sweep"), MV_EXIT_OK);
	assert_int_equal(mv_gate_run(g, 1, x, bad, 1, ""), 0);
	assert_int_equal(mv_gate_verdict(g, "sweep"), MV_EXIT_FAIL);
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(mv_gate_write_junit(g, f, "a<b>.cfg", 1.5), 0);
	long len = ftell(f);
	rewind(f);
	char *xml = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(xml, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_non_null(strstr(xml, "<testsuites name=\"mvsim sweep\" tests=\"3\" failures=\"1\""));
	assert_non_null(strstr(xml, "<testsuite name=\"a&lt;b&gt;.cfg\" tests=\"3\" failures=\"1\" "
				    "errors=\"0\" skipped=\"0\" time=\"1.500\" timestamp=\"20"));
	char host[256] = "";
	gethostname(host, sizeof host);
	char want[400];
	snprintf(want, sizeof want, "Z\" hostname=\"%s\">\n", host);
	assert_non_null(strstr(xml, want));
	assert_non_null(strstr(xml, "message=\"1 of 2 runs break final:crisis_prob &lt;= 0.5\">"
				    "run 1: final:crisis_prob = 0.9 (vectors.russia.coercion = 0, "
				    "vectors.russia.restraint.china = 2)\n</failure>"));
	free(xml);
	/* without lists there is nothing to write */
	struct mv_gate *g2 = mv_gate_create(meta, 0, NULL, NULL, &err);
	assert_int_equal(mv_gate_write_junit(g2, stderr, "x", 0), -1);
	mv_gate_free(g2);
	mv_gate_free(g);
	free(meta);
}

static void test_gate_bad_meta(void **state)
{
	(void)state;
	struct mv_error err = {0};
	assert_null(mv_gate_create("# mvsim 0 sweep summary\nx\ty\n", 0, NULL, NULL, &err));
	assert_string_equal(err.msg, "not a sweep summary header: expected 'run', the parameters, "
				     "the metrics, 'status' and 'reason'");
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_null(mv_gate_create("# metric\tm\n# check\tq\t0\t1\nrun\tm\tstatus\treason\n", 0, NULL,
				   NULL, &err));
	assert_string_equal(err.msg, "'# check' on metric 'q', which is not a column");
	assert_null(mv_gate_create("# metric\tm\n# check\tm\t0\nrun\tm\tstatus\treason\n", 0, NULL,
				   NULL, &err));
	assert_string_equal(err.msg, "malformed '# check' line '# check\tm\t0'");
}

static void test_parse_shard(void **state)
{
	(void)state;
	int k = 0, n = 0;
	assert_int_equal(mv_summary_parse_shard("2/8", &k, &n), 0);
	assert_int_equal(k, 2);
	assert_int_equal(n, 8);
	const char *bad[] = {"0/8", "9/8", "2", "2/", "/8", "a/b", "2/8x", "1/1000001", ""};
	for (size_t q = 0; q < sizeof bad / sizeof bad[0]; q++)
		if (mv_summary_parse_shard(bad[q], &k, &n) == 0)
			fail_msg("'%s' accepted", bad[q]);
}

/* Writes the summary of runs first, first + stride, ... < nruns of part K/N to path, every
 * run ok with made-up values; complete: with its trailer. */
static void write_part(const char *path, int K, int N, int complete)
{
	struct mv_error err = {0};
	char *meta = mv_summary_meta(sw, K, N), row[2048];
	struct mv_gate *g = mv_gate_create(meta, 0, NULL, NULL, &err);
	FILE *f = fopen(path, "w");
	assert_non_null(g);
	assert_non_null(f);
	fputs(meta, f);
	for (long k = K - 1; k < sw->nruns; k += N) {
		double x[2] = {(double)k, 1.0 / (double)(k + 1)}, m[2] = {(double)k * 3, 0.1};
		struct mv_batch_result r = result(k, x, m, 1, NULL);
		mv_summary_format_row(sw, &r, row, sizeof row);
		fprintf(f, "%s\n", row);
		mv_gate_row(g, row);
	}
	if (complete)
		mv_summary_write_trailer(f, g);
	assert_int_equal(fclose(f), 0);
	mv_gate_free(g);
	free(meta);
}

static void test_merge(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct mv_gate *g = NULL;
	write_part(OUT "/whole.tsv", 1, 1, 1);
	write_part(OUT "/p1.tsv", 1, 3, 1);
	write_part(OUT "/p2.tsv", 2, 3, 1);
	write_part(OUT "/p3.tsv", 3, 3, 1);
	write_part(OUT "/p3-torn.tsv", 3, 3, 0);
	const char *parts[] = {OUT "/p3.tsv", OUT "/p1.tsv", OUT "/p2.tsv"};
	assert_int_equal(mv_summary_merge(parts, 3, OUT "/merged.tsv", NULL, NULL, &g, &err), 0);
	char *a = tu_slurp(OUT "/whole.tsv", NULL), *b = tu_slurp(OUT "/merged.tsv", NULL);
	assert_string_equal(a, b); /* byte for byte the unsharded summary */
	free(a);
	free(b);
	assert_int_equal(mv_gate_nrows(g), sw->nruns);
	assert_int_equal(mv_gate_verdict(g, "merge"), MV_EXIT_OK);
	mv_gate_free(g);

	/* refusals: nothing written */
	unlink(OUT "/refused.tsv");
	const char *missing[] = {OUT "/p1.tsv", OUT "/p3.tsv"};
	assert_int_equal(mv_summary_merge(missing, 2, OUT "/refused.tsv", NULL, NULL, &g, &err), -1);
	assert_string_equal(err.msg, "expected the 3 parts 1/3 to 3/3 of the sweep, found 2: part 2/3 "
				     "is missing");
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_null(g);
	const char *twice[] = {OUT "/p1.tsv", OUT "/p1.tsv", OUT "/p2.tsv"};
	assert_int_equal(mv_summary_merge(twice, 3, OUT "/refused.tsv", NULL, NULL, &g, &err), -1);
	assert_string_equal(err.msg, OUT "/p1.tsv and " OUT "/p1.tsv are both part 1/3");
	const char *torn[] = {OUT "/p1.tsv", OUT "/p2.tsv", OUT "/p3-torn.tsv"};
	assert_int_equal(mv_summary_merge(torn, 3, OUT "/refused.tsv", NULL, NULL, &g, &err), -1);
	assert_string_equal(err.msg, OUT "/p3-torn.tsv: incomplete or not part 3/3 of a 6-run sweep "
				     "(expected '# complete...' after its 2 rows): finish it with "
				     "'mvsim sweep --resume'");
	mv_gate_free(g);
	g = NULL;
	const char *notsum[] = {"configs/kazakhstan.cfg"};
	assert_int_equal(mv_summary_merge(notsum, 1, OUT "/refused.tsv", NULL, NULL, &g, &err), -1);
	assert_string_equal(err.msg, "configs/kazakhstan.cfg: not an mvsim sweep summary (expected "
				     "'# mvsim ... sweep summary' lines and a header)");
	struct stat st;
	assert_int_equal(stat(OUT "/refused.tsv", &st), -1);
}

/* The .partial file: fresh, refused while it exists, resumed (torn row cut), finished. */
static void test_summary_file(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct mv_summary_file *s = NULL;
	char *meta = mv_summary_meta(sw, 1, 1), row[2048];
	long done = -1;
	unlink(OUT "/s.tsv");
	unlink(OUT "/s.tsv.partial");
	struct mv_gate *g = mv_gate_create(meta, 0, NULL, NULL, &err);
	assert_int_equal(mv_summary_file_open(OUT "/s.tsv", meta, 0, 0, 1, sw->nruns, g, &s, &done,
					      &err), 0);
	assert_int_equal(done, 0);
	assert_string_equal(mv_summary_file_partial(s), OUT "/s.tsv.partial");
	for (long k = 0; k < 2; k++) {
		double x[2] = {(double)k, 0}, m[2] = {1, 0.1};
		struct mv_batch_result r = result(k, x, m, 1, NULL);
		mv_summary_format_row(sw, &r, row, sizeof row);
		assert_int_equal(mv_summary_file_row(s, row, &err), 0);
		mv_gate_run(g, k, x, m, 1, "");
	}
	mv_summary_file_close(s); /* interrupted */
	FILE *f = fopen(OUT "/s.tsv.partial", "a");
	fputs("2\t1\t", f); /* a row torn by a kill */
	fclose(f);
	mv_gate_free(g);

	/* a fresh sweep into the same name is refused while the partial is there */
	g = mv_gate_create(meta, 0, NULL, NULL, &err);
	assert_int_equal(mv_summary_file_open(OUT "/s.tsv", meta, 0, 0, 1, sw->nruns, g, &s, &done,
					      &err), -1);
	assert_string_equal(err.msg, OUT "/s.tsv.partial exists: a sweep into " OUT "/s.tsv was "
				     "interrupted; continue it with --resume, or remove it");
	/* resumed: the two good rows are judged, the torn one cut */
	assert_int_equal(mv_summary_file_open(OUT "/s.tsv", meta, 1, 0, 1, sw->nruns, g, &s, &done,
					      &err), 0);
	assert_int_equal(done, 2);
	assert_int_equal(mv_gate_nrows(g), 2);
	for (long k = 2; k < sw->nruns; k++) {
		double x[2] = {(double)k, 0}, m[2] = {1, 0.1};
		struct mv_batch_result r = result(k, x, m, 1, NULL);
		mv_summary_format_row(sw, &r, row, sizeof row);
		assert_int_equal(mv_summary_file_row(s, row, &err), 0);
		mv_gate_run(g, k, x, m, 1, "");
	}
	assert_int_equal(mv_summary_file_finish(s, g, &err), 0);
	char *text = tu_slurp(OUT "/s.tsv", NULL);
	assert_non_null(strstr(text, "\n1\t1\t0\t1\t0.1\tok\t-\n2\t2\t0\t1\t0.1\tok\t-\n"));
	assert_non_null(strstr(text, "# complete\t6 runs\t0 failed\n"));
	free(text);
	mv_gate_free(g);

	/* resumed once complete: nothing to run, the rows judged again */
	g = mv_gate_create(meta, 0, NULL, NULL, &err);
	assert_int_equal(mv_summary_file_open(OUT "/s.tsv", meta, 1, 0, 1, sw->nruns, g, &s, &done,
					      &err), 1);
	assert_null(s);
	assert_int_equal(done, 6);
	assert_int_equal(mv_gate_nrows(g), 6);
	mv_gate_free(g);
	/* resumed with another sweep's metadata: refused, naming the line */
	char *other = mv_summary_meta(sw, 1, 2);
	g = mv_gate_create(other, 0, NULL, NULL, &err);
	assert_int_equal(mv_summary_file_open(OUT "/s.tsv", other, 1, 0, 2, 3, g, &s, &done, &err), -1);
	assert_string_equal(err.msg, OUT "/s.tsv: cannot resume: it is from a different sweep: its "
				     "line '# shard 1/1' differs from this sweep's '# shard 1/2'");
	mv_gate_free(g);
	free(other);
	free(meta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_and_row),
		cmocka_unit_test(test_gate_value_and_row_agree),
		cmocka_unit_test(test_gate_passes_and_junit),
		cmocka_unit_test(test_gate_capped),
		cmocka_unit_test(test_gate_bad_meta),
		cmocka_unit_test(test_parse_shard),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_summary_file),
	};
	return cmocka_run_group_tests_name("summary", tests, setup, teardown);
}
