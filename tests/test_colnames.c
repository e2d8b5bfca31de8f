/* test_colnames.c — `--names safe` (colnames.h): the mapping for every reducer, operator and
 * key, collisions, the metadata line; `mvsim sweep --names safe` end to end: the header, the
 * checks still judged, --resume, shards merged, figures drawn. */
#define TU_CLIROOT "build/test-colnames"
#include "testutil.h"

#include "mvsim/colnames.h"
#include "mvsim/metrics.h"

static void expect_safe(const char *name, const char *want)
{
	char buf[256], again[256];
	assert_int_equal(mv_colname_safe(name, buf, sizeof buf), (int)strlen(want));
	assert_string_equal(buf, want);
	/* a safe name is its own safe form */
	assert_int_equal(mv_colname_safe(buf, again, sizeof again), (int)strlen(want));
	assert_string_equal(again, buf);
}

/* Every reducer of docs/model.md §9, cross's operator, keys with dots. */
static void test_mapping(void **state)
{
	(void)state;
	int n = 0;
	for (const char *const *r = mv_metric_reducers; *r; r++, n++) {
		char name[64], want[64];
		if (strcmp(*r, "cross") == 0) {
			snprintf(name, sizeof name, "cross:share_west>share_russia");
			snprintf(want, sizeof want, "cross_share_west_gt_share_russia");
		} else {
			snprintf(name, sizeof name, "%s:crisis_prob", *r);
			snprintf(want, sizeof want, "%s_crisis_prob", *r);
		}
		expect_safe(name, want);
	}
	assert_int_equal(n, 8); /* initial final min max mean argmin argmax cross */
	expect_safe("final:crisis_prob", "final_crisis_prob");
	expect_safe("cross:share_china>share_west", "cross_share_china_gt_share_west");
	expect_safe("cross:a<b", "cross_a_lt_b");
	expect_safe("vectors.russia.restraint.china", "vectors_russia_restraint_china");
	expect_safe("run", "run");
	expect_safe("status", "status");
	expect_safe("S1_lo", "S1_lo");
	expect_safe("a b-c", "a_b_c");
	/* too small a buffer: -1, a terminated cut */
	char small[8];
	assert_int_equal(mv_colname_safe("cross:a>b", small, sizeof small), -1);
	assert_string_equal(small, "cross_a");
}

static void test_header(void **state)
{
	(void)state;
	struct mv_error err = {0};
	char *h = mv_colnames_safe_header("run\tvectors.china.growth\tfinal:n_eff\tcross:a>b\tstatus\treason", &err);
	assert_non_null(h);
	assert_string_equal(h, "run\tvectors_china_growth\tfinal_n_eff\tcross_a_gt_b\tstatus\treason");
	free(h);
	/* two names with one safe form */
	h = mv_colnames_safe_header("run\tvectors.a_b.growth\tvectors.a.b_growth\tstatus", &err);
	assert_null(h);
	assert_int_equal(err.code, 2);
	assert_string_equal(err.msg, "--names safe: columns 'vectors.a_b.growth' and "
				     "'vectors.a.b_growth' would both be named 'vectors_a_b_growth'");
	char *m = mv_colnames_safe_meta("# mvsim 0.1.0 sweep summary\n# metric\tfinal:n_eff\n"
					"run\tfinal:n_eff\tstatus\treason\n", &err);
	assert_non_null(m);
	assert_string_equal(m, "# mvsim 0.1.0 sweep summary\n# metric\tfinal:n_eff\n# names\tsafe\n"
			       "run\tfinal_n_eff\tstatus\treason\n");
	free(m);
	enum mv_names nm = MV_NAMES_KEEP;
	char msg[128];
	assert_int_equal(mv_names_parse("safe", &nm, msg, sizeof msg), 0);
	assert_int_equal(nm, MV_NAMES_SAFE);
	assert_int_equal(mv_names_parse("keep", &nm, msg, sizeof msg), 0);
	assert_int_equal(nm, MV_NAMES_KEEP);
	assert_int_equal(mv_names_parse("Safe", &nm, msg, sizeof msg), -1);
	assert_string_equal(msg, "--names: expected safe or keep, found 'Safe'");
}

#define CHK "tests/data/names/check.cfg"
#define HEADER_SAFE "run\tvectors_china_growth\tvectors_west_growth\tinitial_n_eff\tfinal_crisis_prob\t" \
	"min_share_russia\tmax_tension_russia\tmean_entropy\targmin_n_eff\targmax_share_china\t" \
	"cross_share_china_gt_share_west\tstatus\treason\n"

/* The summary with --names safe: the same file but for the header and the '# names' line; its
 * check judged by the '# check' line's metric (14 runs break it, as without the option). */
static void test_sweep_safe(void **state)
{
	(void)state;
	struct result keep = RUN("sweep", CHK, "--quiet"), safe = RUN("sweep", CHK, "--quiet", "--names", "safe");
	expect_exit(&keep, 1);
	expect_exit(&safe, 1);
	assert_non_null(strstr(safe.out, "\n# check\tcross:share_china>share_west\t-inf\t2035\n# names\tsafe\n" HEADER_SAFE));
	assert_non_null(strstr(safe.err, "mvsim: sweep: check cross:share_china>share_west <= 2035 broken by 14 of 20 runs\n"));
	assert_non_null(strstr(keep.err, "mvsim: sweep: check cross:share_china>share_west <= 2035 broken by 14 of 20 runs\n"));
	/* the rest is the same: cut both at their headers */
	const char *hk = strstr(keep.out, "\nrun\t"), *hs = strstr(safe.out, "\nrun\t");
	assert_non_null(hk);
	assert_non_null(hs);
	assert_string_equal(strchr(hk + 1, '\n'), strchr(hs + 1, '\n'));
	size_t mk = (size_t)(hk - keep.out), ms = (size_t)(hs - safe.out);
	assert_int_equal(ms, mk + strlen("\n# names\tsafe"));
	assert_memory_equal(keep.out, safe.out, mk);
	result_free(&keep);
	result_free(&safe);

	struct result bad = RUN("sweep", CHK, "--names", "pretty");
	expect_error(&bad, 2, "mvsim sweep: --names: expected safe or keep, found 'pretty'\n"
			      "(see 'mvsim sweep --help')\n");
	result_free(&bad);
}

/* Shards of a safe sweep merge into the safe summary of the whole sweep, byte for byte but the
 * '# shard' line; a safe summary is drawn (heatmap, scatter) by the names as written. */
static void test_merge_plot_safe(void **state)
{
	(void)state;
	char whole[256], p1[256], p2[256], merged[256], heat[256], scat[256];
	snprintf(whole, sizeof whole, "%s/whole.tsv", rundir);
	snprintf(p1, sizeof p1, "%s/p1.tsv", rundir);
	snprintf(p2, sizeof p2, "%s/p2.tsv", rundir);
	snprintf(merged, sizeof merged, "%s/merged.tsv", rundir);
	snprintf(heat, sizeof heat, "%s/heat.svg", rundir);
	snprintf(scat, sizeof scat, "%s/scatter.png", rundir);
	struct result r = RUN("sweep", CHK, "--quiet", "--names", "safe", "-o", whole);
	expect_exit(&r, 1);
	result_free(&r);
	r = RUN("sweep", CHK, "--quiet", "--names", "safe", "--shard", "1/2", "-o", p1);
	expect_exit(&r, 1);
	result_free(&r);
	r = RUN("sweep", CHK, "--quiet", "--names", "safe", "--shard", "2/2", "-o", p2);
	expect_exit(&r, 1);
	result_free(&r);
	r = RUN("merge", p1, p2, "-o", merged);
	expect_exit(&r, 1); /* the check is broken in the whole too */
	result_free(&r);
	char *a = tu_slurp(whole, NULL), *b = tu_slurp(merged, NULL);
	assert_non_null(strstr(b, "\n# names\tsafe\n" HEADER_SAFE));
	assert_string_equal(a, b);
	free(b);
	/* shards written without it, merged with --names safe: the same file again */
	char r1[256], r2[256];
	snprintf(r1, sizeof r1, "%s/r1.tsv", rundir);
	snprintf(r2, sizeof r2, "%s/r2.tsv", rundir);
	r = RUN("sweep", CHK, "--quiet", "--shard", "1/2", "-o", r1);
	expect_exit(&r, 1);
	result_free(&r);
	r = RUN("sweep", CHK, "--quiet", "--shard", "2/2", "-o", r2);
	expect_exit(&r, 1);
	result_free(&r);
	r = RUN("merge", r1, r2, "-o", merged, "--names", "safe");
	expect_exit(&r, 1);
	/* the gate judged the raw parts (their names in its notes), then the header was renamed */
	assert_true(starts_with(r.err, "mvsim: run 0 breaks check cross:share_china>share_west <= 2035: "
				       "cross:share_china>share_west = nan (vectors.china.growth = 0, "
				       "vectors.west.growth = 0)\n"));
	assert_non_null(strstr(r.err, "\nmvsim: merge: check cross:share_china>share_west <= 2035 broken by 14 of 20 runs\n"));
	result_free(&r);
	b = tu_slurp(merged, NULL);
	assert_string_equal(a, b);
	free(b);
	/* and --names safe on safe parts changes nothing */
	r = RUN("merge", p1, p2, "-o", merged, "--names", "safe");
	expect_exit(&r, 1);
	result_free(&r);
	b = tu_slurp(merged, NULL);
	assert_string_equal(a, b);
	free(a);
	free(b);
	r = RUN("plot", whole, "--x", "vectors.china.growth", "--y", "vectors.west.growth", "--metric",
		"cross:share_china>share_west", "-o", heat);
	expect_ok(&r);
	result_free(&r);
	char *svg = tu_slurp(heat, NULL);
	assert_non_null(strstr(svg, "<text>never crosses (nan)</text>"));
	free(svg);
	r = RUN("plot", whole, "--metric", "final:crisis_prob", "-o", scat);
	expect_ok(&r);
	result_free(&r);
	/* the option names the metric as written; the safe name is not one */
	r = RUN("plot", whole, "--metric", "final_crisis_prob", "-o", scat);
	expect_exit(&r, 2);
	assert_non_null(strstr(r.err, "--metric 'final_crisis_prob' is not a metric of the sweep (its metrics: initial:n_eff, final:crisis_prob, "));
	result_free(&r);
}

/* --resume continues a safe summary's partial with --names safe (the result is the complete
 * summary byte for byte) and refuses it without (another sweep's summary). */
static void test_resume_safe(void **state)
{
	(void)state;
	char whole[256], again[256], partial[256];
	snprintf(whole, sizeof whole, "%s/rs-whole.tsv", rundir);
	snprintf(again, sizeof again, "%s/rs-again.tsv", rundir);
	snprintf(partial, sizeof partial, "%s/rs-again.tsv.partial", rundir);
	struct result r = RUN("sweep", CHK, "--quiet", "--names", "safe", "-o", whole);
	expect_exit(&r, 1);
	result_free(&r);
	/* the partial: the complete summary without its last three rows and its '# complete' */
	char *text = tu_slurp(whole, NULL);
	size_t len = strlen(text);
	for (int k = 0; k < 4; k++) {
		len--;
		while (len > 0 && text[len - 1] != '\n')
			len--;
	}
	FILE *f = fopen(partial, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	r = RUN("sweep", CHK, "--quiet", "--resume", "-o", again);
	expect_exit(&r, 2);
	assert_non_null(strstr(r.err, "cannot resume: it is from a different sweep: its line '# names safe' differs"));
	result_free(&r);
	r = RUN("sweep", CHK, "--quiet", "--names", "safe", "--resume", "-o", again);
	expect_exit(&r, 1); /* the check, as in the whole */
	result_free(&r);
	char *b = tu_slurp(again, NULL);
	assert_string_equal(b, text);
	free(b);
	free(text);
}

/* sensitivity --names safe: the same result but for the names in the metric and parameter
 * columns (and the '# names' line); the '# metric' and '# parameter' lines keep theirs. */
static void test_sensitivity_safe(void **state)
{
	(void)state;
	struct result keep = RUN("sensitivity", "tests/data/uq/sens.cfg", "--method", "sobol", "--samples",
				 "16", "--quiet"),
		      safe = RUN("sensitivity", "tests/data/uq/sens.cfg", "--method", "sobol", "--samples",
				 "16", "--quiet", "--names", "safe");
	expect_exit(&keep, 0);
	expect_exit(&safe, 0);
	assert_non_null(strstr(safe.out, "\n# metric\tfinal:n_eff\t"));
	assert_non_null(strstr(safe.out, "\n# names\tsafe\nmetric\tparameter\tS1\t"));
	assert_null(strstr(keep.out, "# names"));
	/* row by row: the first two fields mapped, the rest equal */
	const char *a = strstr(keep.out, "\nmetric\t"), *b = strstr(safe.out, "\nmetric\t");
	assert_non_null(a);
	assert_non_null(b);
	int rows = 0;
	for (a = strchr(a + 1, '\n') + 1, b = strchr(b + 1, '\n') + 1; *a && *b; rows++) {
		char f0[128], f1[128], want0[128], want1[128];
		assert_int_equal(sscanf(a, "%127[^\t]\t%127[^\t]", f0, f1), 2);
		mv_colname_safe(f0, want0, sizeof want0);
		mv_colname_safe(f1, want1, sizeof want1);
		char *ta = strchr(strchr(a, '\t') + 1, '\t'), *tb = strchr(strchr(b, '\t') + 1, '\t');
		assert_true(strncmp(b, want0, strlen(want0)) == 0 && b[strlen(want0)] == '\t');
		assert_true(strncmp(b + strlen(want0) + 1, want1, strlen(want1)) == 0);
		size_t la = strcspn(ta, "\n"), lb = strcspn(tb, "\n");
		assert_int_equal(la, lb);
		assert_memory_equal(ta, tb, la);
		a = ta + la + 1;
		b = tb + lb + 1;
	}
	assert_int_equal(rows, 6); /* 2 metrics x 3 parameters */
	assert_non_null(strstr(safe.out, "\nfinal_n_eff\tfocal_autonomy\t"));
	result_free(&keep);
	result_free(&safe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_sweep_safe),
		cmocka_unit_test(test_merge_plot_safe),
		cmocka_unit_test(test_resume_safe),
		cmocka_unit_test(test_sensitivity_safe),
	};
	return cmocka_run_group_tests_name("colnames", tests, tu_cli_setup_scripts, tu_cli_teardown);
}
