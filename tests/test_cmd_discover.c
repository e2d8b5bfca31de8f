/* test_cmd_discover.c — `mvsim discover` as a user meets it: the tables of the worked example
 * of docs/discovery.md through the command, stdout and -o alike, the chosen step, a sweep file
 * run first (the same boxes as `mvsim sweep` then `mvsim discover SUMMARY.tsv`, for any
 * --jobs), and every usage and input error with its exact message and exit status 2, nothing
 * written. The algorithm itself is tested in test_prim.c. */
#define OUT "build/test-cmd-discover"
#define TU_OUT OUT
#include "testutil.h"

#include "cli/cli.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#define HAND "tests/data/prim/hand.tsv"
#define SWEEP "tests/data/discover/sweep.cfg"

static int cli_setup(void **state)
{
	(void)state;
	/* the figures' scripts of this tree, wherever the binary under test lives (build/asan) */
	setenv("MVSIM_SCRIPTS", "scripts", 1);
	unsetenv("GNUPLOT");
	return tu_setup_bin();
}

/* The text after the first line starting with "# table: counts" (the tables without the
 * metadata, which name the source). */
static const char *tables(const char *text)
{
	const char *t = strstr(text, "# table: counts\n");
	assert_non_null(t);
	return t;
}

/* The worked example of docs/discovery.md (alpha = beta = 0.2), its tables exactly as the
 * page shows them (derived by hand there and in test_prim.c's test_hand_worked), on stdout
 * and through -o alike, and its summary on stderr. */
static void test_hand_tables(void **state)
{
	static const char want[] =
		"# table: counts\n"
		"rows\tpoints\tcases\tleft_failed\tleft_nan\tboxes\n"
		"10\t10\t7\t0\t0\t1\n"
		"# table: trajectory\n"
		"box\tstep\tphase\tcoverage\tdensity\tmass\trestricted\tn\tcases\ta:min\ta:max\tb:min\tb:max\n"
		"1\t0\tinitial\t1\t0.7\t1\t0\t10\t7\t1\t10\t1\t10\n"
		"1\t1\tpeel\t0.8571428571428571\t0.75\t0.8\t1\t8\t6\t1\t10\t1\t8.5\n"
		"1\t2\tpeel\t0.7142857142857143\t0.8333333333333334\t0.6\t1\t6\t5\t1\t10\t2.5\t8.5\n"
		"1\t3\tpaste\t0.8571428571428571\t0.8571428571428571\t0.7\t1\t7\t6\t1\t10\t1.5\t8.5\n"
		"1\t4\tpaste\t1\t0.875\t0.8\t1\t8\t7\t1\t10\t1.5\t9.5\n"
		"# table: boxes\n"
		"box\tstep\trestricted\tpoints_remaining\tcases_remaining\tn\tcases\tcoverage\tdensity"
		"\tmass\tn_all\tcases_all\tcoverage_all\tdensity_all\tmass_all\n"
		"1\t4\t1\t10\t7\t8\t7\t1\t0.875\t0.8\t8\t7\t1\t0.875\t0.8\n"
		"# table: limits\n"
		"box\tparameter\tmin\tmax\tinitial_min\tinitial_max\trestricted\tqp_min\tqp_max\n"
		"1\ta\t1\t10\t1\t10\t0\tnan\tnan\n"
		"1\tb\t1.5\t9.5\t1\t10\t1\t0.44002164531881494\t0.44002164531881494\n";
	char *out, *err, *file;
	(void)state;

	assert_int_equal(tu_mv(&out, &err, "discover", HAND, "--params", "a,b", "--metric",
			       "crisis", "--above", "0.5", "--peel-alpha", "0.2", "--paste-alpha",
			       "0.2", NULL), 0);
	assert_string_equal(tables(out), want);
	assert_non_null(strstr(out, "# mvsim "));
	assert_non_null(strstr(out, "scenario discovery\n"));
	assert_non_null(strstr(out, "# source\t" HAND "\n# case\tcrisis > 0.5\n"));
	assert_string_equal(err, "box 1: coverage 1.00, density 0.88 \xe2\x80\x94 "
				 "1.5 \xe2\x89\xa4 b \xe2\x89\xa4 9.5\n");
	free(err);

	unlink(OUT "/hand.tsv");
	assert_int_equal(tu_mv(NULL, &err, "discover", HAND, "--params", "a,b", "--metric",
			       "crisis", "--above", "0.5", "--peel-alpha", "0.2", "--paste-alpha",
			       "0.2", "-o", OUT "/hand.tsv", NULL), 0);
	file = tu_read(OUT "/hand.tsv");
	assert_non_null(file);
	assert_string_equal(file, out); /* the same bytes as on stdout */
	free(file);
	free(out);
	free(err);
}

/* --step S takes step S as the box (its limits and quasi-p-values); --min-coverage C the
 * last step with coverage >= C; --below turns the rule round. */
static void test_choose_step(void **state)
{
	char *out, *err;
	(void)state;

	assert_int_equal(tu_mv(&out, &err, "discover", HAND, "--params", "a,b", "--metric",
			       "crisis", "--above", "0.5", "--peel-alpha", "0.2", "--paste-alpha",
			       "0.2", "--step", "2", NULL), 0);
	assert_non_null(strstr(out, "# step\t2\n"));
	/* step 2: 2.5 <= b <= 8.5, 6 points, 5 cases (docs/discovery.md) */
	assert_non_null(strstr(out, "\n1\t2\t1\t10\t7\t6\t5\t0.7142857142857143\t0.8333333333333334\t0.6\t"));
	assert_string_equal(err, "box 1: coverage 0.71, density 0.83 \xe2\x80\x94 "
				 "2.5 \xe2\x89\xa4 b \xe2\x89\xa4 8.5\n");
	free(out);
	free(err);

	/* coverage >= 0.8: steps 1 (0.857), 3 (0.857) and 4 (1) qualify; the last is 4 */
	assert_int_equal(tu_mv(&out, NULL, "discover", HAND, "--params", "a,b", "--metric",
			       "crisis", "--above", "0.5", "--peel-alpha", "0.2", "--paste-alpha",
			       "0.2", "--min-coverage", "0.8", NULL), 0);
	assert_non_null(strstr(out, "# min_coverage\t0.8\n"));
	assert_non_null(strstr(out, "# table: boxes\n"));
	assert_non_null(strstr(strstr(out, "# table: boxes\n"), "\n1\t4\t1\t10\t7\t8\t7\t"));
	free(out);

	/* --step S1,S2: one step per box (covering) */
	assert_int_equal(tu_mv(&out, NULL, "discover", "tests/data/prim/ema_case.tsv", "--params",
			       "x0,x1,x2", "--metric", "y", "--above", "0.5", "--boxes", "2", "--step",
			       "10,5", NULL), 0);
	assert_non_null(strstr(out, "# step\t10,5\n"));
	const char *boxes = strstr(out, "# table: boxes\n");
	assert_non_null(boxes);
	assert_non_null(strstr(boxes, "\n1\t10\t"));
	assert_non_null(strstr(boxes, "\n2\t5\t"));
	free(out);

	/* crisis < 0.5: the three non-cases are the cases of interest now */
	assert_int_equal(tu_mv(&out, NULL, "discover", HAND, "--params", "a,b", "--metric",
			       "crisis", "--below", "0.5", NULL), 0);
	assert_non_null(strstr(out, "# case\tcrisis < 0.5\n"));
	assert_non_null(strstr(out, "rows\tpoints\tcases\tleft_failed\tleft_nan\tboxes\n10\t10\t3\t0\t0\t1\n"));
	free(out);
}

/* Failed rows and nan metrics are left out, counted, and said on stderr. */
static void test_left_out(void **state)
{
	char *out, *err;
	(void)state;
	tu_write_file(OUT "/left.tsv", "a\ty\tstatus\n1\t1\tok\n2\t0\tok\n3\tnan\tok\n4\t1\tfailed\n"
				       "5\t0\tok\n6\t1\tok\n");
	assert_int_equal(tu_mv(&out, &err, "discover", OUT "/left.tsv", "--params", "a", "--metric",
			       "y", "--above", "0.5", NULL), 0);
	assert_non_null(strstr(out, "\n6\t4\t2\t1\t1\t1\n")); /* rows points cases failed nan boxes */
	assert_non_null(strstr(err, "mvsim discover: 2 of 6 runs left out (1 failed, 1 with y nan)\n"));
	free(out);
	free(err);
}

/* The median of column col (0-based) of a summary's rows. */
static double summary_median(const char *text, int col)
{
	double v[4096];
	int n = 0;
	for (const char *p = text; *p && n < 4096;) {
		const char *e = strchr(p, '\n');
		if (*p != '#' && strncmp(p, "run\t", 4) != 0 && *p != '\n') {
			const char *f = p;
			for (int c = 0; c < col && f; c++)
				f = strchr(f, '\t') ? strchr(f, '\t') + 1 : NULL;
			assert_non_null(f);
			v[n++] = strtod(f, NULL);
		}
		p = e ? e + 1 : p + strlen(p);
	}
	assert_true(n > 10);
	for (int i = 1; i < n; i++) /* insertion sort: a few dozen values */
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* A sweep file is run first through the batch loop: the tables are those of `mvsim sweep`
 * then `mvsim discover SUMMARY.tsv` (the values as the summary holds them), byte for byte
 * apart from the source line, and the same for --jobs 1 and 2. The threshold is the median
 * of the metric, so both kinds of runs exist whatever the baseline's numbers are. */
static void test_sweep_file(void **state)
{
	char *sum, *a, *b, *c, *ea, *eb, thr[64];
	(void)state;

	assert_int_equal(tu_mv(NULL, NULL, "sweep", SWEEP, "-o", OUT "/sweep.tsv", "--jobs", "2",
			       "--quiet", NULL), 0);
	sum = tu_read(OUT "/sweep.tsv");
	assert_non_null(sum);
	/* run, 3 parameters, max:tension_russia, final:crisis_prob */
	snprintf(thr, sizeof thr, "%.10g", summary_median(sum, 5));
	assert_int_equal(tu_mv(&a, &ea, "discover", OUT "/sweep.tsv", "--metric",
			       "final:crisis_prob", "--above", thr, "--boxes", "2", NULL), 0);
	assert_int_equal(tu_mv(&b, &eb, "discover", SWEEP, "--metric", "final:crisis_prob",
			       "--above", thr, "--boxes", "2", "--jobs", "1", NULL), 0);
	assert_int_equal(tu_mv(&c, NULL, "discover", SWEEP, "--metric", "final:crisis_prob",
			       "--above", thr, "--boxes", "2", "--jobs", "2", NULL), 0);
	assert_string_equal(tables(a), tables(b));
	assert_string_equal(b, c);
	assert_string_equal(ea, eb);
	assert_non_null(strstr(a, "# source\t" OUT "/sweep.tsv\n"));
	assert_non_null(strstr(b, "# source\t" SWEEP "\n"));
	/* the sweep's parameters, in its order */
	assert_non_null(strstr(b, "\tvectors.russia.coercion:min\tvectors.russia.coercion:max"
				  "\tvectors.russia.restraint.china:min"));
	assert_non_null(strstr(b, "rows\tpoints\tcases\tleft_failed\tleft_nan\tboxes\n80\t80\t"));
	free(a);
	free(b);
	free(c);
	free(ea);
	free(eb);

	/* --params picks some of the sweep's parameters, in the order given */
	assert_int_equal(tu_mv(&a, NULL, "discover", OUT "/sweep.tsv", "--metric",
			       "final:crisis_prob", "--above", thr, "--params",
			       "vectors.russia.red_line,vectors.russia.coercion", NULL), 0);
	assert_int_equal(tu_mv(&b, NULL, "discover", SWEEP, "--metric", "final:crisis_prob",
			       "--above", thr, "--params",
			       "vectors.russia.red_line,vectors.russia.coercion", NULL), 0);
	assert_string_equal(tables(a), tables(b));
	assert_non_null(strstr(b, "\tcases\tvectors.russia.red_line:min\tvectors.russia.red_line:max"
				  "\tvectors.russia.coercion:min\tvectors.russia.coercion:max\n"));
	free(a);
	free(b);
	free(sum);
}

/* One error: exit 2, exactly msg on stderr (and the help pointer for a usage error),
 * nothing on stdout, no -o file left. */
static void expect_error(const char *msg, int usage, char *const *args)
{
	char *argv[32], *out, *err, want[1024];
	int n = 0;

	argv[n++] = "discover";
	for (; args[n - 1]; n++)
		argv[n] = args[n - 1];
	argv[n++] = "-o";
	argv[n++] = OUT "/never.tsv";
	argv[n] = NULL;
	unlink(OUT "/never.tsv");
	int rc = tu_finish(tu_start(argv));
	out = tu_read(TU_OUT "/stdout");
	err = tu_read(TU_OUT "/stderr");
	if (usage)
		snprintf(want, sizeof want, "mvsim discover: %s\n(see 'mvsim discover --help')\n", msg);
	else
		snprintf(want, sizeof want, "mvsim: %s\n", msg);
	assert_string_equal(err, want);
	assert_int_equal(rc, 2);
	assert_string_equal(out, "");
	assert_false(tu_exists(OUT "/never.tsv"));
	free(out);
	free(err);
}

#define ERR(msg, usage, ...) expect_error(msg, usage, (char *const[]){__VA_ARGS__, NULL})
#define HANDARGS HAND, "--params", "a,b", "--metric", "crisis"

/* The input errors of issue 11, each with its exact message. */
static void test_input_errors(void **state)
{
	(void)state;
	/* a metric or parameter not in the file */
	ERR(HAND ": no column 'crisys' for the metric; did you mean 'crisis'?", 0, HAND,
	    "--params", "a,b", "--metric", "crisys", "--above", "0.5");
	ERR(HAND ": no column 'c' for the parameter", 0, HAND, "--params", "a,c", "--metric",
	    "crisis", "--above", "0.5");
	ERR(SWEEP ": no metric 'final:crisis_prb' in the sweep (its metrics: max:tension_russia or "
	    "final:crisis_prob); did you mean 'final:crisis_prob'?", 0, SWEEP, "--metric",
	    "final:crisis_prb", "--above", "0.5");
	ERR(SWEEP ": no parameter 'vectors.russia.coercio' in the sweep (its parameters: "
	    "vectors.russia.coercion, vectors.russia.restraint.china or vectors.russia.red_line); "
	    "did you mean 'vectors.russia.coercion'?", 0, SWEEP, "--metric", "final:crisis_prob",
	    "--above", "0.5", "--params", "vectors.russia.coercio");
	/* no case of interest; every point a case of interest */
	ERR(HAND ": no case of interest: no run has crisis > 1 (the largest value is 1, over 10 "
	    "runs)", 0, HANDARGS, "--above", "1");
	ERR(HAND ": every run is a case of interest: crisis < 2 in all 10 runs (the largest value "
	    "is 1); PRIM needs runs of both kinds", 0, HANDARGS, "--below", "2");
	/* fewer than one parameter: a plain TSV names none */
	ERR("tests/data/prim/plain.tsv: no parameters: the file has no '# parameter' lines (not "
	    "an mvsim sweep summary), so its parameter columns must be named", 0,
	    "tests/data/prim/plain.tsv", "--metric", "final:crisis_prob", "--above", "0.5");
	/* a non-numeric parameter column */
	ERR("tests/data/prim/nonnumeric.tsv:3: column 'restraint china': expected a finite "
	    "number, found 'high'", 0, "tests/data/prim/nonnumeric.tsv", "--params",
	    "x,restraint china", "--metric", "final:crisis_prob", "--above", "0.5");
	/* a step that does not exist (the default alphas: a shorter trajectory) */
	ERR(HAND ": step 9 does not exist: box 1's trajectory has steps 0 to 2", 0, HANDARGS,
	    "--above", "0.5", "--step", "9");
	ERR(HAND ": parameter 'a' is named twice", 0, HAND, "--params", "a,a", "--metric",
	    "crisis", "--above", "0.5");
	ERR("tests/data/discover/none.tsv: cannot open: No such file or directory", 0,
	    "tests/data/discover/none.tsv", "--metric", "y", "--above", "0");
}

/* The option errors name the option. */
static void test_option_errors(void **state)
{
	(void)state;
	ERR("--peel-alpha: expected a number in (0, 0.5), found 0.7", 1, HANDARGS, "--above",
	    "0.5", "--peel-alpha", "0.7");
	ERR("--peel-alpha: expected a number in (0, 0.5), found 0", 1, HANDARGS, "--above", "0.5",
	    "--peel-alpha", "0");
	ERR("--paste-alpha: expected a number in (0, 0.5), found 0.5", 1, HANDARGS, "--above",
	    "0.5", "--paste-alpha", "0.5");
	ERR("--paste-alpha: expected a number in (0, 0.5), found 'some'", 1, HANDARGS, "--above",
	    "0.5", "--paste-alpha", "some");
	ERR("--mass-min: expected a number in (0, 1), found 1", 1, HANDARGS, "--above", "0.5",
	    "--mass-min", "1");
	ERR("--mass-min: expected a number in (0, 1), found -0.1", 1, HANDARGS, "--above", "0.5",
	    "--mass-min", "-0.1");
	ERR("--min-coverage: expected a number in [0, 1], found 1.5", 1, HANDARGS, "--above",
	    "0.5", "--min-coverage", "1.5");
	ERR("--above: expected a number, found 'x'", 1, HANDARGS, "--above", "x");
	ERR("--below: expected a number, found 'nan'", 1, HANDARGS, "--below", "nan");
	ERR("--objective: expected lenient1, lenient2 or original, found 'best'", 1, HANDARGS,
	    "--above", "0.5", "--objective", "best");
	ERR("--boxes: expected an integer in [1, 64], found '0'", 1, HANDARGS, "--above", "0.5",
	    "--boxes", "0");
	ERR("--step: expected a step >= 0, or a list S1,S2,... (one per box), found '-1'", 1,
	    HANDARGS, "--above", "0.5", "--step", "-1");
	ERR("--step: expected at most one step per box (--boxes 1), found 2", 1, HANDARGS,
	    "--above", "0.5", "--step", "1,2");
	ERR("--step and --min-coverage: expected one way to choose a box, found both", 1,
	    HANDARGS, "--above", "0.5", "--step", "1", "--min-coverage", "0.5");
	ERR("--above and --below: expected one of them, found both", 1, HANDARGS, "--above",
	    "0.5", "--below", "0.2");
	ERR("missing --above X or --below X (a case of interest is crisis > X or crisis < X)", 1,
	    HANDARGS);
	ERR("missing --metric NAME (the column that decides a case of interest)", 1, HAND,
	    "--above", "0.5");
	ERR("--params: expected comma-separated column names, found an empty name in 'a,,b'", 1,
	    HAND, "--params", "a,,b", "--metric", "crisis", "--above", "0.5");
	ERR("--jobs applies to a sweep file (SWEEP.cfg) only", 1, HANDARGS, "--above", "0.5",
	    "--jobs", "2");
	ERR("missing SUMMARY.tsv or SWEEP.cfg", 1, "--metric", "crisis", "--above", "0.5");
	ERR("unknown option '--peal-alpha'", 1, HANDARGS, "--above", "0.5", "--peal-alpha", "0.1");
}

/* -o never overwrites the input. */
static void test_output_is_input(void **state)
{
	char *err;
	(void)state;
	tu_write_file(OUT "/in.tsv", "a\ty\n1\t1\n2\t0\n3\t1\n4\t0\n");
	assert_int_equal(tu_mv(NULL, &err, "discover", OUT "/in.tsv", "--params", "a", "--metric",
			       "y", "--above", "0.5", "-o", OUT "/in.tsv", NULL), 2);
	assert_non_null(strstr(err, "mvsim: "));
	char *text = tu_read(OUT "/in.tsv");
	assert_string_equal(text, "a\ty\n1\t1\n2\t0\n3\t1\n4\t0\n");
	free(text);
	free(err);
}

/* `mvsim help discover` and `mvsim discover --help` print the same usage, naming every
 * option; the command is in the command table. */
static void test_help(void **state)
{
	char *a, *b;
	int n;
	(void)state;
	assert_int_equal(tu_mv(&a, NULL, "help", "discover", NULL), 0);
	assert_int_equal(tu_mv(&b, NULL, "discover", "--help", NULL), 0);
	assert_string_equal(a, b);
	char *usage = mv_cli_usage_text(mv_discover_usage); /* its lists from their tables */
	assert_string_equal(a, usage);
	free(usage);
	const char *opts[] = {"--metric", "--above", "--below", "--params", "--peel-alpha",
			      "--paste-alpha", "--mass-min", "--objective", "--boxes", "--step",
			      "--min-coverage", "--output", "--jobs", "--set", "--quiet"};
	for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
		assert_non_null(strstr(a, opts[k]));
	free(a);
	free(b);
	const struct mv_command *cmds = mv_cli_commands(&n);
	int found = 0;
	for (int k = 0; k < n; k++)
		found |= strcmp(cmds[k].name, "discover") == 0 && cmds[k].fn == mv_cmd_discover;
	assert_true(found);
	assert_int_equal(tu_mv(&a, NULL, "--help", NULL), 0);
	assert_non_null(strstr(a, "\n  discover "));
	free(a);
}

/* The figures of a discovery: tradeoff and box in png and svg (both drawn without --kind),
 * their texts in the svg; a file that is not a discovery is refused (exit 2, nothing drawn). */
static void test_figures(void **state)
{
	char *out, *err, *svg;
	(void)state;
	assert_int_equal(tu_mv(NULL, NULL, "discover", "tests/data/prim/ema_case.tsv", "--params",
			       "x0,x1,x2", "--metric", "y", "--above", "0.5", "--boxes", "2", "-o",
			       OUT "/ema.tsv", NULL), 0);
	unlink(OUT "/ema-tradeoff.png");
	unlink(OUT "/ema-box.png");
	assert_int_equal(tu_mv(&out, &err, "plot", OUT "/ema.tsv", NULL), 0);
	assert_string_equal(out, OUT "/ema-tradeoff.png\n" OUT "/ema-box.png\n");
	assert_string_equal(err, "");
	free(out);
	free(err);
	for (int k = 0; k < 2; k++) {
		size_t len;
		char *png = tu_slurp(k ? OUT "/ema-box.png" : OUT "/ema-tradeoff.png", &len);
		assert_true(len > 10000);
		assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
		free(png);
	}
	/* box 1 of ema_case: step 30, 0.563 <= x0 <= 0.966 (test_prim.c checks these numbers) */
	assert_int_equal(tu_mv(&out, NULL, "plot", OUT "/ema.tsv", "--kind", "tradeoff", "-o",
			       OUT "/t.svg", NULL), 0);
	free(out);
	svg = tu_read(OUT "/t.svg");
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "PRIM trade-off for y > 0.5 (2 boxes)"));
	assert_non_null(strstr(svg, "box 1, step 30: coverage 0.73, density 0.94, 2 restricted"));
	assert_non_null(strstr(svg, "restricted dimensions"));
	free(svg);
	assert_int_equal(tu_mv(&out, NULL, "plot", OUT "/ema.tsv", "--kind", "box", "-o",
			       OUT "/b.svg", NULL), 0);
	free(out);
	svg = tu_read(OUT "/b.svg");
	assert_non_null(strstr(svg, "box 1 (step 30): coverage 0.73, density 0.94, mass 0.37"));
	assert_non_null(strstr(svg, "0.563 (p &lt; 0.001)"));
	assert_non_null(strstr(svg, "box 2 (step "));
	free(svg);

	/* not a discovery; a discovery without its limits table */
	assert_int_equal(tu_mv(NULL, &err, "plot", HAND, "--kind", "box", NULL), 2);
	assert_string_equal(err, "mvsim plot: " HAND ": not an mvsim result (the first line should "
				 "start with '# mvsim')\n");
	free(err);
	char *text = tu_read(OUT "/ema.tsv");
	*strstr(text, "# table: limits") = '\0';
	tu_write_file(OUT "/cut.tsv", text);
	free(text);
	assert_int_equal(tu_mv(NULL, &err, "plot", OUT "/cut.tsv", "--kind", "tradeoff", NULL), 2);
	assert_string_equal(err, "mvsim plot: " OUT "/cut.tsv: no table 'limits' (as 'mvsim "
				 "discover' writes it)\n");
	assert_false(tu_exists(OUT "/cut-tradeoff.png"));
	free(err);
}

/* The shipped analysis sweeps exactly the deep uncertainties of uncertainties.cfg (the same
 * scenario, parameters, ranges and metrics), only with more samples. */
static void test_shipped_sweep(void **state)
{
	char *a = tu_read("configs/sweeps/uncertainties.cfg");
	char *b = tu_read("configs/sweeps/ukraine_question.cfg");
	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	char *sa = strstr(a, "\nscenario = "), *sb = strstr(b, "\nscenario = ");
	assert_non_null(sa);
	assert_non_null(sb);
	char *na = strstr(sa, "samples = "), *nb = strstr(sb, "samples = 5000;");
	assert_non_null(na);
	assert_non_null(nb);
	*na = *nb = '\0';
	assert_string_equal(sa, sb); /* up to the samples line */
	na = strchr(na + 1, '\n');
	nb = strchr(nb + 1, '\n');
	assert_non_null(na);
	assert_non_null(nb);
	assert_string_equal(na, nb); /* after it */
	free(a);
	free(b);
}

/* SIGINT and SIGTERM during a sweep file's runs: exit 130 / 143, the message, nothing written
 * (the -o temporary is removed). */
static void test_interrupted(void **state)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	static const char *const names[] = {"SIGINT", "SIGTERM"};
	(void)state;
	for (int s = 0; s < 2; s++) {
		unlink(OUT "/sig.tsv");
		char *args[] = {"discover", "configs/sweeps/ukraine_question.cfg", "--metric",
				"final:crisis_prob", "--above", "0.5", "--jobs", "1", "-o",
				OUT "/sig.tsv", NULL};
		pid_t pid = tu_start(args);
		/* once the temporary exists the handlers are in place (however slow the start) */
		for (int w = 0; w < 6000 && tu_count_prefix(OUT, "sig.tsv.tmp.") == 0; w++)
			tu_sleep_ms(5);
		tu_sleep_ms(50);
		kill(pid, sigs[s]);
		int rc = tu_finish(pid);
		char *err = tu_read(OUT "/stderr"), want[96];
		if (rc == 0) { /* 5000 runs finished first: nothing to check */
			free(err);
			continue;
		}
		assert_int_equal(rc, 128 + sigs[s]);
		/* Either the signal came while the runs went (the usual case): "discover stopped
		 * after N of 5000 runs; nothing written", at a line's start (progress lines may come
		 * first when the runs are slow, as under valgrind); or, when the start is slow, while
		 * the sweep was still being prepared: then loading's own "interrupted by SIG" alone. */
		char early[64];
		snprintf(want, sizeof want, "mvsim: interrupted by %s: discover stopped after ", names[s]);
		snprintf(early, sizeof early, "mvsim: interrupted by %s\n", names[s]);
		const char *m = strstr(err, want);
		if (strcmp(err, early) != 0) {
			if (m == NULL || (m != err && m[-1] != '\n'))
				fail_msg("stderr lacks '%s' at a line's start:\n%s", want, err);
			assert_non_null(strstr(err, " of 5000 runs; nothing written\n"));
		}
		assert_false(tu_exists(OUT "/sig.tsv"));
		assert_int_equal(tu_count_prefix(OUT, "sig.tsv"), 0);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_tables),
		cmocka_unit_test(test_choose_step),
		cmocka_unit_test(test_left_out),
		cmocka_unit_test(test_sweep_file),
		cmocka_unit_test(test_input_errors),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_output_is_input),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_shipped_sweep),
		cmocka_unit_test(test_interrupted),
	};
	return cmocka_run_group_tests(tests, cli_setup, NULL);
}
