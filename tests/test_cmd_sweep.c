/* test_cmd_sweep.c — `mvsim sweep` as a user meets it: determinism over --jobs and shards,
 * resume after kills and signals, checks, JUnit, --series, bad input (merge's too: they use
 * the shards made here), the sweep scripts on real summaries. Runs $MVSIM. */
#define OUT "build/test-cmd-sweep"
#define TU_OUT OUT
#include "testutil.h"

#include "cli/cli.h"
#include "mvsim/sha256.h"

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

/* checklint.h's warnings on every sweep of lhs.cfg (its checks cannot fail there) */
#define LHS_LINT                                                                            \
	"mvsim: warning: check final:crisis_prob <= 0.2: this check cannot fail here: "        \
	"final:crisis_prob is 0.03025635228 in every one of 90 runs\n"                          \
	"mvsim: warning: check min:n_eff in [2.5, 4]: this check cannot fail here: min:n_eff " \
	"is 3.1466133 in every one of 90 runs\n"


/* ================================================================ mvsim sweep */

static int cli_setup(void **state)
{
	(void)state;
	return tu_setup_bin();
}



/* The rows (lines not starting with '#') of a summary, in order, and the header. */
static void expect_complete(const char *text, long runs, long failed)
{
	char trailer[64];
	snprintf(trailer, sizeof trailer, "# complete\t%ld runs\t%ld failed\n", runs, failed);
	size_t tl = strlen(trailer), len = strlen(text);
	assert_true(len > tl);
	assert_string_equal(text + len - tl, trailer);
	assert_int_equal(tu_count_lines(text, '#') > 5, 1);
	/* header + one row per run, numbered 0.. in order */
	long n = 0;
	const char *p = strstr(text, "\nrun\t");
	assert_non_null(p);
	for (p = strchr(p + 1, '\n') + 1; *p && *p != '#'; p = strchr(p, '\n') + 1) {
		assert_int_equal(strtol(p, NULL, 10), n);
		n++;
	}
	assert_int_equal(n, runs);
}

static void test_cli_jobs(void **state)
{
	char *out, *err, *a, *b, *c;
	(void)state;
	TU_NEED_SWEEP();
	unlink(OUT "/j1.tsv");
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/lhs.cfg", "-o", OUT "/j1.tsv", "--jobs", "1", NULL), 0);
	/* not a terminal: the final line; checklint.h's warnings on lhs.cfg's two checks */
	assert_int_equal(tu_final_line(err, "sweep"), 90);
	assert_string_equal(err, LHS_LINT);
	free(err);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/j2.tsv", "-j", "2", NULL), 0);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/j4.tsv", "-j4", NULL), 0);
	assert_int_equal(tu_mv(&out, NULL, "sweep", DATA "/lhs.cfg", NULL), 0);
	a = tu_read(OUT "/j1.tsv");
	b = tu_read(OUT "/j2.tsv");
	c = tu_read(OUT "/j4.tsv");
	assert_non_null(a);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	assert_string_equal(a, out); /* standard output carries the same summary */
	expect_complete(a, 90, 0);
	assert_non_null(strstr(a, "# mvsim 0.1.0 sweep summary\n# sweep\t" DATA "/lhs.cfg\t"));
	assert_non_null(strstr(a, "\n# shard\t1/1\n"));
	assert_non_null(strstr(a, "\nrun\tvectors.russia.coercion\tfocal.autonomy\tvectors.china.growth"
				  "\tfinal:crisis_prob\tmin:n_eff\tcross:share_china>share_west"
				  "\tmean:share_russia\tstatus\treason\n"));
	assert_false(tu_exists(OUT "/j1.tsv.partial"));
	free(a);
	free(b);
	free(c);
	free(out);
}

static void test_cli_shards(void **state)
{
	char *full, *merged, *part;
	(void)state;
	TU_NEED_SWEEP();
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/full.tsv", NULL), 0);
	for (int k = 1; k <= 4; k++) {
		char out[64], shard[16];
		snprintf(out, sizeof out, OUT "/part%d.tsv", k);
		snprintf(shard, sizeof shard, "%d/4", k);
		assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", out, "--shard", shard,
				    "-j", k % 2 ? "1" : "2", NULL), 0);
	}
	part = tu_read(OUT "/part3.tsv");
	assert_non_null(strstr(part, "\n# shard\t3/4\n"));
	assert_non_null(strstr(part, "\n2\t"));  /* run 2 = 3 − 1 */
	assert_non_null(strstr(part, "\n6\t"));
	assert_null(strstr(part, "\n3\t"));
	assert_non_null(strstr(part, "# complete\t22 runs\t0 failed\n")); /* 2, 6, ..., 86 */
	free(part);
	/* parts in any order */
	assert_int_equal(tu_mv(NULL, NULL, "merge", OUT "/part3.tsv", OUT "/part1.tsv", OUT "/part4.tsv",
			    OUT "/part2.tsv", "-o", OUT "/merged.tsv", NULL), 0);
	full = tu_read(OUT "/full.tsv");
	merged = tu_read(OUT "/merged.tsv");
	assert_string_equal(full, merged);
	free(merged);
	/* more shards than runs: an empty part is still a complete part */
	char *err;
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/breaking.cfg", "-o", OUT "/b7.tsv", "--shard",
			    "7/7", NULL), 0);
	assert_int_equal(tu_final_line(err, "sweep"), 0);
	assert_string_equal(err, "");
	free(err);
	char *b7 = tu_read(OUT "/b7.tsv");
	assert_non_null(strstr(b7, "\nrun\t"));
	assert_non_null(strstr(b7, "# complete\t0 runs\t0 failed\n"));
	free(b7);
	free(full);
}

/* SIGKILL at random moments, then --resume (killed again, resumed again): the summary is
 * the uninterrupted one, byte for byte; what a kill leaves is a prefix of it. */
static void test_cli_resume_kill(void **state)
{
	char *ref, *part;
	(void)state;
	TU_NEED_SWEEP();
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/long-ref.tsv", NULL), 0);
	ref = tu_read(OUT "/long-ref.tsv");
	/* a fixed seed (printed), so a failure can be replayed: MV_TEST_SEED=S overrides it */
	const char *seed_env = getenv("MV_TEST_SEED");
	unsigned seed = seed_env ? (unsigned)strtoul(seed_env, NULL, 10) : 20261201u;
	print_message("test_cli_resume_kill: kill times from seed %u (MV_TEST_SEED)\n", seed);
	srand(seed);
	for (int round = 0; round < (tu_valgrind ? 1 : 3); round++) {
		unlink(OUT "/long.tsv");
		unlink(OUT "/long.tsv.partial");
		char *args[] = {"sweep", DATA "/long.cfg", "-o", OUT "/long.tsv", "-j", "2", NULL};
		pid_t pid = tu_start(args);
		tu_sleep_ms(5 + rand() % 120);
		kill(pid, SIGKILL);
		tu_finish(pid);
		if (tu_exists(OUT "/long.tsv")) { /* it finished before the kill */
			assert_false(tu_exists(OUT "/long.tsv.partial"));
			part = tu_read(OUT "/long.tsv");
			assert_string_equal(part, ref);
			free(part);
			continue;
		}
		/* killed while starting there is no partial yet; --resume then runs everything */
		if ((part = tu_read(OUT "/long.tsv.partial")) != NULL) {
			/* a prefix of the reference, up to a row torn by the kill */
			size_t n = strlen(part);
			while (n > 0 && part[n - 1] != '\n')
				n--;
			assert_memory_equal(part, ref, n);
			free(part);
		}
		/* resume, and kill that too in the second round */
		char *res[] = {"sweep", DATA "/long.cfg", "-o", OUT "/long.tsv", "--resume", "-j", "2", NULL};
		if (round == 1) {
			pid = tu_start(res);
			tu_sleep_ms(5 + rand() % 60);
			kill(pid, SIGKILL);
			tu_finish(pid);
		}
		assert_int_equal(tu_finish(tu_start(res)), 0);
		assert_false(tu_exists(OUT "/long.tsv.partial"));
		part = tu_read(OUT "/long.tsv");
		assert_string_equal(part, ref);
		free(part);
	}
	free(ref);
}

/* SIGINT and SIGTERM stop cleanly: exit 130 / 143, a message, the partial kept (whole rows of
 * finished runs only), no summary. */
static void test_cli_resume_signals(void **state)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	static const char *const names[] = {"SIGINT", "SIGTERM"};
	char *ref = tu_read(OUT "/long-ref.tsv");
	(void)state;
	TU_NEED_SWEEP();
	assert_non_null(ref);
	for (int s = 0; s < 2; s++) {
		unlink(OUT "/sig.tsv");
		unlink(OUT "/sig.tsv.partial");
		char *args[] = {"sweep", DATA "/long.cfg", "-o", OUT "/sig.tsv", NULL};
		pid_t pid = tu_start(args);
		/* once the partial exists the handlers are in place (however slow the start) */
		for (int w = 0; w < 6000 && !tu_exists(OUT "/sig.tsv.partial"); w++)
			tu_sleep_ms(5);
		tu_sleep_ms(20);
		kill(pid, sigs[s]);
		int rc = tu_finish(pid);
		char *err = tu_read(OUT "/stderr");
		if (rc == 0) { /* finished first: nothing to check */
			free(err);
			continue;
		}
		assert_int_equal(rc, 128 + sigs[s]); /* as every command interrupted */
		char want[64];
		snprintf(want, sizeof want, "mvsim: sweep interrupted by %s after ", names[s]);
		assert_non_null(strstr(err, want));
		assert_true(tu_final_line(err, "sweep") >= 0);
		assert_null(strstr(err, "failed")); /* the run cut short is no failed run */
		assert_non_null(strstr(err, "the finished runs are in " OUT "/sig.tsv.partial: run the "
					    "same command with --resume to finish it\n"));
		assert_false(tu_exists(OUT "/sig.tsv"));
		char *part = tu_read(OUT "/sig.tsv.partial");
		assert_memory_equal(part, ref, strlen(part)); /* whole rows only */
		assert_int_equal(part[strlen(part) - 1], '\n');
		free(part);
		free(err);
		assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/sig.tsv",
				    "--resume", NULL), 0);
		part = tu_read(OUT "/sig.tsv");
		assert_string_equal(part, ref);
		free(part);
	}
	/* --resume of a complete summary runs nothing and judges it again */
	char *err;
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/long-ref.tsv",
			    "--resume", NULL), 0);
	assert_int_equal(tu_final_line(err, "sweep"), 600);
	assert_string_equal(err, "mvsim sweep: " OUT "/long-ref.tsv is complete already (600 runs): "
				 "nothing to run\n");
	free(err);
	free(ref);
}

/* What --resume refuses, with exit 2 and nothing changed. */
static void test_cli_resume_errors(void **state)
{
	char *err, *before, *after, sha[65], want[1024];
	(void)state;
	TU_NEED_SWEEP();
	/* a partial of long.cfg: the header and three rows of the reference */
	char *ref = tu_read(OUT "/long-ref.tsv");
	char *p = strstr(ref, "\nrun\t");
	for (int k = 0; k < 4; k++)
		p = strchr(p + 1, '\n');
	p[1] = '\0';
	tu_write_file(OUT "/r.tsv.partial", ref);
	unlink(OUT "/r.tsv");

	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", NULL), 2);
	assert_string_equal(err, "mvsim: " OUT "/r.tsv.partial exists: a sweep into " OUT
			    "/r.tsv was interrupted; continue it with --resume, or remove it\n");
	free(err);

	assert_int_equal(mv_sha256_file(DATA "/other.cfg", sha), 0);
	before = tu_read(OUT "/r.tsv.partial");
	char ref_sha[65];
	assert_int_equal(mv_sha256_file(DATA "/long.cfg", ref_sha), 0);
	snprintf(want, sizeof want,
		 "mvsim: " OUT "/r.tsv.partial: cannot resume: it is from a different sweep: its line "
		 "'# sweep " DATA "/long.cfg %s' differs from this sweep's '# sweep " DATA
		 "/other.cfg %s'\n",
		 ref_sha, sha);
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/other.cfg", "-o", OUT "/r.tsv", "--resume", NULL), 2);
	assert_string_equal(err, want);
	free(err);
	/* the same sweep file with another --set is another sweep too */
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", "--resume",
			    "--set", "model.beta=0.5", NULL), 2);
	assert_non_null(strstr(err, "cannot resume: it is from a different sweep: its line '# method "
				    "sobol' differs from this sweep's '# set model.beta=0.5'"));
	free(err);
	/* and another shard */
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", "--resume",
			    "--shard", "1/2", NULL), 2);
	assert_non_null(strstr(err, "its line '# shard 1/1' differs from this sweep's '# shard 1/2'"));
	free(err);
	after = tu_read(OUT "/r.tsv.partial");
	assert_string_equal(before, after);
	assert_false(tu_exists(OUT "/r.tsv"));
	/* the partial's own sweep finishes it */
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/r.tsv", "--resume", NULL), 0);
	char *done = tu_read(OUT "/r.tsv"), *full = tu_read(OUT "/long-ref.tsv");
	assert_string_equal(done, full);
	free(done);
	free(full);
	free(before);
	free(after);
	free(ref);
}

/* Checks: exit 1, every breaking run on stderr with its parameters and value; exit 0 when
 * they hold. Failed runs: exit 1, listed with their reason. */
static void test_cli_checks(void **state)
{
	char *out, *err;
	(void)state;
	TU_NEED_SWEEP();
	assert_int_equal(tu_mv(&out, &err, "sweep", DATA "/breaking.cfg", NULL), 1);
	assert_int_equal(tu_final_line(err, "sweep"), 6);
	assert_string_equal(
		err,
		"mvsim: run 2 breaks check final:crisis_prob <= 0.5: final:crisis_prob = 0.9907780474 "
		"(vectors.russia.coercion = 5, vectors.russia.restraint.china = 0)\n"
		"mvsim: run 4 breaks check final:crisis_prob <= 0.5: final:crisis_prob = 0.9987827059 "
		"(vectors.russia.coercion = 10, vectors.russia.restraint.china = 0)\n"
		"mvsim: run 5 breaks check final:crisis_prob <= 0.5: final:crisis_prob = 0.7946650578 "
		"(vectors.russia.coercion = 10, vectors.russia.restraint.china = 2)\n"
		/* checklint.h: a bound of 100 on a peak tension of at most 5.9 gates nothing */
		"mvsim: warning: check max:tension_russia <= 100: this check cannot fail here: "
		"max:tension_russia never comes within 10% of its bound 100 (closest 5.93038 over 6 "
		"runs; 10% is 10)\n"
		"mvsim: sweep: check final:crisis_prob <= 0.5 broken by 3 of 6 runs\n");
	/* China's restraint keeps the crisis probability at the baseline's level */
	assert_non_null(strstr(out, "\n1\t0\t2\t0.7\t0.03025635228\tok\t-\n"));
	expect_complete(out, 6, 0);
	free(out);
	free(err);

	assert_int_equal(tu_mv(&out, &err, "sweep", DATA "/invalid.cfg", NULL), 1);
	/* blamed on the sweep's parameter (issue 15), not on the scenario's line */
	assert_non_null(strstr(out, "\n1\t0.6\tnan\tfailed\tinvalid point: " DATA
				    "/invalid.cfg:5: setting 'vectors.*.share.economy'"));
	assert_non_null(strstr(err, "mvsim: run 1 failed: invalid point: "));
	/* each share of the domain with its value and origin (issue 16), then the point */
	assert_non_null(strstr(err, "found a sum of 1.33 (russia 0.6 at " DATA "/invalid.cfg:5, "
				    "china 0.25 at "));
	assert_non_null(strstr(err, ") (vectors.russia.share.economy = 0.6)\n"
				    "mvsim: sweep: 1 of 2 runs failed\n"));
	expect_complete(out, 2, 1);
	free(out);
	free(err);

	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/grid.cfg", "-o", OUT "/grid.tsv", "-q", NULL), 0);
	/* passes; a share >= 0 cannot fail, and checklint.h says so (the exit status stays 0) */
	assert_string_equal(err, "mvsim: warning: check final:share_west >= 0: this check cannot fail "
				 "here: final:share_west never comes within 10% of its bound 0 (closest "
				 "0.246937 over 12 runs; 10% is 0.1)\n");
	free(err);
}

/* A minimal XML well-formedness check: one root, tags balanced and nested, attributes
 * quoted, only the five predefined entities, no '<' or '&' loose in text. Returns the
 * number of elements named `count_name` (or -1 when malformed). */
static int xml_check(const char *x, const char *count_name, int *failures)
{
	char stack[16][64];
	int depth = 0, roots = 0, count = 0;
	const char *p = x;

	*failures = 0;
	if (strncmp(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) != 0)
		return -1;
	p = strstr(p, "?>") + 2;
	while (*p) {
		if (*p == '&') {
			if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
			    strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
				return -1;
			p++;
			continue;
		}
		if (*p != '<') {
			if (depth == 0 && !(*p == '\n' || *p == ' '))
				return -1;
			p++;
			continue;
		}
		const char *end = strchr(p, '>');
		if (end == NULL)
			return -1;
		if (p[1] == '/') {
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
				return -1;
			depth--;
		} else {
			size_t nl = strcspn(p + 1, " />");
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)nl, p + 1);
			if (strcmp(name, count_name) == 0)
				count++;
			if (strcmp(name, "failure") == 0)
				(*failures)++;
			/* attributes: name="value" with no '<' inside values */
			const char *q = p + 1 + nl;
			while (q < end) {
				while (*q == ' ')
					q++;
				if (*q == '/' || q >= end)
					break;
				const char *eq = strchr(q, '=');
				if (eq == NULL || eq > end || eq[1] != '"')
					return -1;
				const char *close = strchr(eq + 2, '"');
				if (close == NULL || memchr(eq + 2, '<', (size_t)(close - eq - 2)))
					return -1;
				q = close + 1;
				if (close > end)
					end = strchr(close, '>');
			}
			if (end[-1] != '/') {
				if (depth == 0 && roots++)
					return -1;
				snprintf(stack[depth++], 64, "%s", name);
			} else if (depth == 0) {
				return -1;
			}
		}
		p = end + 1;
	}
	return depth == 0 && roots == 1 ? count : -1;
}

static int have_xmllint(void)
{
	return access("/usr/bin/xmllint", X_OK) == 0 || access("/usr/local/bin/xmllint", X_OK) == 0;
}

static void xmllint(const char *path)
{
	if (!have_xmllint())
		return;
	char *argv[] = {"xmllint", "--noout", (char *)path, NULL};
	pid_t pid;
	assert_int_equal(posix_spawnp(&pid, "xmllint", NULL, NULL, argv, environ), 0);
	assert_int_equal(tu_finish(pid), 0);
}

static void test_cli_junit(void **state)
{
	char *x;
	int failures;
	(void)state;
	TU_NEED_SWEEP();
	unlink(OUT "/j.xml");
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "--junit", OUT "/j.xml", NULL), 1);
	x = tu_read(OUT "/j.xml");
	assert_non_null(x);
	/* one test case per check, and one for failed runs */
	assert_int_equal(xml_check(x, "testcase", &failures), 3);
	assert_int_equal(failures, 1);
	assert_non_null(strstr(x, "<testsuites name=\"mvsim sweep\" tests=\"3\" failures=\"1\""));
	assert_non_null(strstr(x, "name=\"final:crisis_prob &lt;= 0.5\""));
	/* passed, with the warning that it cannot fail here (checklint.h) */
	assert_non_null(strstr(x, "name=\"max:tension_russia &lt;= 100\" time=\"0\">\n"
				  "      <system-err>warning: check max:tension_russia &lt;= 100: this "
				  "check cannot fail here: "));
	assert_non_null(strstr(x, "message=\"3 of 6 runs break final:crisis_prob &lt;= 0.5\">"
				  "run 2: final:crisis_prob = 0.9907780474 (vectors.russia.coercion = 5, "
				  "vectors.russia.restraint.china = 0)\nrun 4: "));
	xmllint(OUT "/j.xml");
	free(x);

	/* failed runs: the "runs complete" case fails, and they break every check */
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/invalid.cfg", "--junit", OUT "/j2.xml", NULL), 1);
	x = tu_read(OUT "/j2.xml");
	assert_int_equal(xml_check(x, "testcase", &failures), 1);
	assert_int_equal(failures, 1);
	assert_non_null(strstr(x, "<failure type=\"failed runs\" message=\"1 of 2 runs failed\">run 1: "
				  "invalid point: "));
	xmllint(OUT "/j2.xml");
	free(x);

	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "--junit", OUT "/j3.xml", "-o",
			    OUT "/j3.tsv", NULL), 0);
	x = tu_read(OUT "/j3.xml");
	assert_int_equal(xml_check(x, "testcase", &failures), 3);
	assert_int_equal(failures, 0);
	assert_non_null(strstr(x, "name=\"min:n_eff in [2.5, 4]\""));
	xmllint(OUT "/j3.xml");
	free(x);

	/* the checker itself rejects what is not well formed */
	assert_int_equal(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a></b>", "b",
				   &failures), -1);
	assert_int_equal(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1\">&nbsp;</a>",
				   "a", &failures), -1);
	assert_int_equal(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/><b/>", "a",
				   &failures), -1);
}

/* --series DIR: one complete run file per run, whose last row gives the summary's metric. */
static void test_cli_series(void **state)
{
	char *sum;
	(void)state;
	TU_NEED_SWEEP();
	DIR *old = opendir(OUT "/series");
	struct dirent *oe;
	while (old && (oe = readdir(old)) != NULL) {
		char path[512];
		snprintf(path, sizeof path, OUT "/series/%s", oe->d_name);
		if (oe->d_name[0] != '.')
			unlink(path);
	}
	if (old)
		closedir(old);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/grid.cfg", "-o", OUT "/gs.tsv", "--series",
			    OUT "/series", "-j", "2", NULL), 0);
	sum = tu_read(OUT "/gs.tsv");
	DIR *d = opendir(OUT "/series");
	int files = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 12); /* nothing else: no temporaries left */
	for (int k = 0; k < 12; k++) {
		char path[128], *run;
		snprintf(path, sizeof path, OUT "/series/run-%06d.tsv", k);
		run = tu_read(path);
		assert_non_null(run);
		assert_non_null(strstr(run, "# set\tvectors.russia.coercion="));
		char line[32];
		snprintf(line, sizeof line, "\n# sweep run\t%d\n", k);
		assert_non_null(strstr(run, line));
		/* the summary's final:share_west is column share_west of the last row */
		const char *last = run + strlen(run) - 2;
		while (last > run && *last != '\n')
			last--;
		char *row = strdup(last + 1), *f[64];
		int nf = 0;
		for (char *t = strtok(row, "\t\n"); t && nf < 64; t = strtok(NULL, "\t\n"))
			f[nf++] = t;
		char needle[64];
		snprintf(needle, sizeof needle, "\n%d\t", k);
		const char *srow = strstr(sum, needle);
		assert_non_null(srow);
		char *sr = strndup(srow + 1, strcspn(srow + 1, "\n")), *g[16];
		int ng = 0;
		for (char *t = strtok(sr, "\t"); t && ng < 16; t = strtok(NULL, "\t"))
			g[ng++] = t;
		assert_string_equal(g[4], f[3]); /* share_west is the 4th column of a run */
		free(sr);
		free(row);
		free(run);
	}
	free(sum);
	/* --series on a file is an input error */
	char *err;
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/grid.cfg", "--series", DATA "/grid.cfg", NULL), 2);
	assert_string_equal(err, "mvsim: --series " DATA "/grid.cfg: not a directory\n");
	free(err);
}

/* Usage and merge errors: exit 2, the exact message, and an existing output untouched. */
static void test_cli_bad_input(void **state)
{
	static const struct {
		const char *args[12];
		const char *err;
	} cases[] = {
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "0/3"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8) or 'env', found '0/3'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "4/3"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8) or 'env', found '4/3'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "2"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8) or 'env', found '2'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--shard", "1/2x"},
		 "mvsim sweep: --shard: expected K/N with 1 <= K <= N (e.g. 2/8) or 'env', found '1/2x'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--jobs", "0"},
		 "mvsim sweep: --jobs: expected an integer in [1, 1024], found '0'\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "--resume"},
		 "mvsim sweep: --resume needs -o FILE (it continues FILE.partial)\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"sweep", "-o", OUT "/keep.tsv"},
		 "mvsim sweep: missing SWEEP.cfg\n(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/lhs.cfg", "--frobnicate"},
		 "mvsim sweep: unknown option '--frobnicate'\n(see 'mvsim sweep --help')\n"},
		{{"sweep", DATA "/bad/min_gt_max.cfg", "-o", OUT "/keep.tsv"},
		 "mvsim: " DATA "/bad/min_gt_max.cfg:4: setting 'sweep.parameters[0]': expected min <= "
		 "max, found min 2 > max 1\n"},
		{{"sweep", DATA "/lhs.cfg", "-o", OUT "/keep.tsv", "--set", "model.bta=1"},
		 "mvsim: --set 'model.bta=1': expected a key of this scenario, found unknown key "
		 "'model.bta'; did you mean 'model.beta'? (mvsim keys SCENARIO lists them)\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/part4.tsv", "-o", OUT "/keep.tsv"},
		 "mvsim: expected the 4 parts 1/4 to 4/4 of the sweep, found 3: part 3/4 is missing\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/part2.tsv", OUT "/part4.tsv", "-o",
		  OUT "/keep.tsv"},
		 "mvsim: " OUT "/part2.tsv and " OUT "/part2.tsv are both part 2/4\n"},
		{{"merge", OUT "/part1.tsv", OUT "/full.tsv", "-o", OUT "/keep.tsv"},
		 "mvsim: " OUT "/full.tsv: part 1/1 of a sweep in 1 shards, but " OUT
		 "/part1.tsv is part 1/4\n"},
		{{"merge", "configs/kazakhstan.cfg", "-o", OUT "/keep.tsv"},
		 "mvsim: configs/kazakhstan.cfg: not an mvsim sweep summary (expected '# mvsim ... sweep "
		 "summary' lines and a header)\n"},
		{{"merge", OUT "/full.tsv"}, "mvsim merge: missing -o summary.tsv\n(see 'mvsim merge --help')\n"},
		{{"merge", "-o", OUT "/keep.tsv"}, "mvsim merge: missing PARTS\n(see 'mvsim merge --help')\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/trunc3.tsv", OUT "/part4.tsv", "-o",
		  OUT "/keep.tsv"},
		 "mvsim: " OUT "/trunc3.tsv: incomplete: run 86 is missing (finish the shard with "
		 "'mvsim sweep ... --shard 3/4 --resume')\n"},
		{{"merge", OUT "/part1.tsv", OUT "/part2.tsv", OUT "/notrailer3.tsv", OUT "/part4.tsv",
		  "-o", OUT "/keep.tsv"},
		 "mvsim: " OUT "/notrailer3.tsv: incomplete or not part 3/4 of a 90-run sweep (expected "
		 "'# complete...' after its 22 rows): finish it with 'mvsim sweep --resume'\n"},
	};
	char *err;
	(void)state;
	TU_NEED_SWEEP();
	/* part 3 cut before its last row, and part 3 without its trailer */
	char *p3 = tu_read(OUT "/part3.tsv");
	assert_non_null(p3);
	char *tr = strstr(p3, "# rows sha256"); /* the trailer: checksum, then "# complete" */
	*tr = '\0';
	tu_write_file(OUT "/notrailer3.tsv", p3);
	tr[-1] = '\0';
	*(strrchr(p3, '\n') + 1) = '\0';
	tu_write_file(OUT "/trunc3.tsv", p3);
	free(p3);
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *args[13];
		int n = 0;
		tu_write_file(OUT "/keep.tsv", "precious\n");
		while (cases[k].args[n]) {
			args[n] = (char *)cases[k].args[n];
			n++;
		}
		args[n] = NULL;
		int rc = tu_finish(tu_start(args));
		err = tu_read(OUT "/stderr");
		if (rc != 2 || strcmp(err, cases[k].err) != 0)
			fail_msg("case %zu (%s %s): exit %d, stderr:\n%s", k, args[0], args[1], rc, err);
		free(err);
		char *keep = tu_read(OUT "/keep.tsv");
		assert_string_equal(keep, "precious\n");
		free(keep);
	}
	/* merging shards of different sweeps */
	char sha1[65], sha2[65], want[1024];
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/long.cfg", "-o", OUT "/l1.tsv", "--shard", "1/2", NULL), 0);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/other.cfg", "-o", OUT "/o2.tsv", "--shard", "2/2", NULL), 0);
	mv_sha256_file(DATA "/long.cfg", sha1);
	mv_sha256_file(DATA "/other.cfg", sha2);
	snprintf(want, sizeof want,
		 "mvsim: " OUT "/o2.tsv: not a part of the same sweep as " OUT "/l1.tsv: its line "
		 "'# sweep " DATA "/other.cfg %s' differs from '# sweep " DATA "/long.cfg %s'\n",
		 sha2, sha1);
	assert_int_equal(tu_mv(NULL, &err, "merge", OUT "/l1.tsv", OUT "/o2.tsv", "-o", OUT "/keep.tsv", NULL), 2);
	assert_string_equal(err, want);
	free(err);
	char *keep = tu_read(OUT "/keep.tsv");
	assert_string_equal(keep, "precious\n");
	free(keep);
	/* no temporaries left beside the output */
	DIR *d = opendir(OUT);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp."))
			fail_msg("temporary left behind: %s", e->d_name);
	closedir(d);
}

/* Runs gnuplot -e VARS SCRIPT; returns its exit status, *err its stderr. */
static int gnuplot(const char *vars, const char *script, char **err)
{
	char *argv[] = {"gnuplot", "-e", (char *)vars, (char *)script, NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, OUT "/gp-stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	int rc = tu_finish(pid);
	*err = tu_read(OUT "/gp-stderr");
	return rc;
}

static void expect_png(const char *path)
{
	char *png = tu_read(path);
	assert_non_null(png);
	assert_memory_equal(png, "\x89PNG", 4);
	free(png);
}

/* scripts/heatmap.gp and scripts/scatter.gp on real summaries: a figure, nothing on stderr;
 * and their errors. (Skipped without gnuplot on PATH.) */
static void test_scripts(void **state)
{
	char *err;
	(void)state;
	TU_NEED_SWEEP();
	if (access("/usr/bin/gnuplot", X_OK) != 0 && access("/usr/local/bin/gnuplot", X_OK) != 0)
		skip();
	/* bk.tsv: breaking.cfg, a 3 x 2 grid of exactly two parameters */
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/breaking.cfg", "-o", OUT "/hm.tsv", NULL), 1);
	unlink(OUT "/hm.png");
	assert_int_equal(gnuplot("in='" OUT "/hm.tsv'; out='" OUT "/hm.png'; x='vectors.russia.coercion'; "
				 "y='vectors.russia.restraint.china'; z='final:crisis_prob'",
				 "scripts/heatmap.gp", &err), 0);
	assert_string_equal(err, "");
	free(err);
	expect_png(OUT "/hm.png");
	/* a sampled sweep (lhs): points; scatter: one panel per parameter */
	assert_int_equal(gnuplot("in='" OUT "/full.tsv'; out='" OUT "/sc.png'; z='min:n_eff'",
				 "scripts/scatter.gp", &err), 0);
	assert_string_equal(err, "");
	free(err);
	expect_png(OUT "/sc.png");
	/* errors: three parameters; a column that is not there; not a summary */
	assert_int_equal(gnuplot("in='" OUT "/gs.tsv'; out='" OUT "/x.png'; x='vectors.russia.coercion'; "
				 "y='focal.autonomy'; z='final:share_west'",
				 "scripts/heatmap.gp", &err), 1);
	assert_non_null(strstr(err, "a heatmap needs a sweep of exactly the two parameters x and y, "
				    "this one has 3"));
	free(err);
	assert_int_equal(gnuplot("in='" OUT "/full.tsv'; z='final:crisis_prb'", "scripts/scatter.gp",
				 &err), 1);
	assert_non_null(strstr(err, "column 'final:crisis_prb' is absent"));
	free(err);
	assert_int_equal(gnuplot("in='" OUT "/long-ref.tsv'; z='min:n_eff'", "scripts/scatter.gp", &err), 0);
	free(err);
	assert_int_equal(gnuplot("in='configs/kazakhstan.cfg'; z='x'", "scripts/scatter.gp", &err), 1);
	assert_non_null(strstr(err, "not an mvsim sweep summary"));
	free(err);
}

static void test_cli_help(void **state)
{
	char *out, *err;
	(void)state;
	TU_NEED_SWEEP();
	assert_int_equal(tu_mv(&out, &err, "sweep", "--help", NULL), 0);
	char *usage = mv_cli_usage_text(mv_sweep_usage); /* its lists from their tables */
	assert_string_equal(out, usage);
	free(usage);
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_int_equal(tu_mv(&out, NULL, "merge", "-h", NULL), 0);
	assert_string_equal(out, mv_merge_usage);
	free(out);
}

/* ================================================================ issue 13: clusters and CI */

/* Every output is checked before the first run: exit 2 with the message, nothing written
 * (no summary, no partial, no report). OUT/ff/lhs.cfg is a byte copy of DATA/lhs.cfg with
 * its scenario beside it. */
static void test_cli_fail_fast(void **state)
{
	static const struct {
		const char *args[12];
		const char *err;
	} cases[] = {
		{{"-o", ""}, "mvsim sweep: -o: expected a file name (or '-'), found ''\n"
			     "(see 'mvsim sweep --help')\n"},
		{{"-o", OUT "/ff/s.tsv", "--junit", ""},
		 "mvsim sweep: --junit: expected a file name, found ''\n(see 'mvsim sweep --help')\n"},
		{{"-o", OUT "/ff/s.tsv", "--series", ""},
		 "mvsim sweep: --series: expected a directory, found ''\n(see 'mvsim sweep --help')\n"},
		{{"-o", "-", "--resume"},
		 "mvsim sweep: --resume needs -o FILE (it continues FILE.partial)\n"
		 "(see 'mvsim sweep --help')\n"},
		{{"-o", OUT "/ff"}, "mvsim: -o " OUT "/ff: is a directory: expected a file name\n"},
		{{"-o", OUT "/ff/lhs.cfg"},
		 "mvsim: " OUT "/ff/lhs.cfg: is an input of this command: refusing to overwrite it\n"},
		{{"-o", OUT "/ff/kazakhstan.cfg"}, /* the scenario */
		 "mvsim: " OUT "/ff/kazakhstan.cfg: is an input of this command: refusing to "
		 "overwrite it\n"},
		{{"-o", OUT "/ff/nodir/s.tsv"},
		 "mvsim: " OUT "/ff/nodir/s.tsv.partial: cannot create: No such file or directory\n"},
		{{"-o", OUT "/ff/s.tsv", "--junit", OUT "/ff/nodir/j.xml"},
		 "mvsim: --junit: " OUT "/ff/nodir/j.xml: cannot create output: No such file or "
		 "directory\n"},
		{{"-o", OUT "/ff/s.tsv", "--junit", OUT "/ff/s.tsv"},
		 "mvsim: --junit " OUT "/ff/s.tsv: is the summary (-o " OUT "/ff/s.tsv) too\n"},
		{{"-o", OUT "/ff/s.tsv", "--junit", OUT "/ff/lhs.cfg"},
		 "mvsim: " OUT "/ff/lhs.cfg: is an input of this command: refusing to "
		 "overwrite it\n"},
		{{"-o", OUT "/ff/s.tsv", "--junit", OUT "/ff"},
		 "mvsim: --junit: " OUT "/ff: cannot write output: Is a directory\n"},
		{{"-o", OUT "/ff/s.tsv", "--series", OUT "/ff/lhs.cfg"},
		 "mvsim: --series " OUT "/ff/lhs.cfg: not a directory\n"},
	};
	(void)state;
	TU_NEED_SWEEP();
	mkdir(OUT "/ff", 0777);
	char *cfg = tu_read(DATA "/lhs.cfg"), *scen = tu_read(DATA "/kazakhstan.cfg");
	tu_write_file(OUT "/ff/lhs.cfg", cfg);
	tu_write_file(OUT "/ff/kazakhstan.cfg", scen); /* its scenario, beside it */
	free(scen);
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *args[16] = {"sweep", OUT "/ff/lhs.cfg"};
		int n = 2;
		for (int a = 0; cases[k].args[a]; a++)
			args[n++] = (char *)cases[k].args[a];
		args[n] = NULL;
		int rc = tu_finish(tu_start(args));
		char *err = tu_read(OUT "/stderr");
		if (rc != 2 || strcmp(err, cases[k].err) != 0)
			fail_msg("case %zu (%s): exit %d, stderr:\n%s\nexpected:\n%s", k,
				 cases[k].args[0], rc, err, cases[k].err);
		free(err);
		assert_false(tu_exists(OUT "/ff/s.tsv"));
		assert_false(tu_exists(OUT "/ff/s.tsv.partial"));
		assert_false(tu_exists(OUT "/ff/nodir"));
		char *now = tu_read(OUT "/ff/lhs.cfg"); /* the input untouched */
		assert_string_equal(now, cfg);
		free(now);
		DIR *d = opendir(OUT "/ff"); /* and no temporary left */
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (strstr(e->d_name, ".tmp."))
				fail_msg("case %zu left %s", k, e->d_name);
		closedir(d);
	}
	free(cfg);
}

/* The first n rows of summary text (its metadata, header and n rows) into path. */
static void write_head(const char *path, const char *summary, int n)
{
	const char *p = summary;
	while (*p == '#')
		p = strchr(p, '\n') + 1;
	p = strchr(p, '\n') + 1; /* the header */
	for (int r = 0; r < n; r++)
		p = strchr(p, '\n') + 1;
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite(summary, 1, (size_t)(p - summary), f);
	fputs("1\t0.3", f); /* a torn row, as a kill leaves */
	assert_int_equal(fclose(f), 0);
}

/* A sweep is known by the content of its files, not by their paths: a partial left by
 * `sweep DATA/lhs.cfg` resumes under `./DATA/lhs.cfg`, an absolute path or a byte copy
 * elsewhere, and shards run under two spellings merge; the metadata keeps the paths as
 * first given. A copy that differs in one byte is another sweep. */
static void test_cli_identity(void **state)
{
	char *ref, *got, *err, abs[4096], want[1024];
	(void)state;
	TU_NEED_SWEEP();
	mkdir(OUT "/x", 0777);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/id-ref.tsv", "-q", NULL), 0);
	ref = tu_read(OUT "/id-ref.tsv");
	char *cfg = tu_read(DATA "/lhs.cfg"), *scen = tu_read(DATA "/kazakhstan.cfg");
	tu_write_file(OUT "/x/lhs.cfg", cfg); /* byte copies of the sweep and its scenario */
	tu_write_file(OUT "/x/kazakhstan.cfg", scen);
	free(scen);
	assert_non_null(getcwd(abs, sizeof abs - 64));
	strcat(abs, "/" DATA "/lhs.cfg");
	const char *spellings[] = {"./" DATA "/lhs.cfg", abs, OUT "/x/lhs.cfg"};
	for (int k = 0; k < 3; k++) {
		unlink(OUT "/id.tsv");
		write_head(OUT "/id.tsv.partial", ref, 30);
		assert_int_equal(tu_mv(NULL, &err, "sweep", spellings[k], "-o", OUT "/id.tsv",
				       "--resume", NULL), 0);
		/* the torn row write_head leaves is cut and said so (issue 15), then the resume */
		snprintf(want, sizeof want, "mvsim: %s.partial: resumed after its 30 complete rows; "
			 "cut the 5 bytes after them (a row torn by the interruption, or not a row as "
			 "mvsim writes it): those runs run again\n"
			 "mvsim sweep: resumed %s.partial: 30 of 90 runs kept, 60 to run\n",
			 OUT "/id.tsv", OUT "/id.tsv");
		assert_int_equal(tu_final_line(err, "sweep"), 90);
		strcat(want, LHS_LINT);
		assert_string_equal(err, want);
		free(err);
		got = tu_read(OUT "/id.tsv");
		assert_string_equal(got, ref); /* paths as first given: "# sweep\t" DATA "/lhs.cfg" */
		free(got);
	}
	assert_non_null(strstr(ref, "\n# sweep\t" DATA "/lhs.cfg\t"));
	/* shards under two spellings merge into the unsharded summary */
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/id1.tsv", "--shard",
			       "1/2", "-q", NULL), 0);
	assert_int_equal(tu_mv(NULL, NULL, "sweep", OUT "/x/lhs.cfg", "-o", OUT "/id2.tsv", "--shard",
			       "2/2", "-q", NULL), 0);
	assert_int_equal(tu_mv(NULL, &err, "merge", OUT "/id1.tsv", OUT "/id2.tsv", "-o",
			       OUT "/idm.tsv", NULL), 0);
	free(err);
	got = tu_read(OUT "/idm.tsv");
	assert_string_equal(got, ref);
	free(got);
	/* one byte more (a comment) is another sweep file: refused, the partial untouched */
	char *cfg2 = malloc(strlen(cfg) + 8);
	sprintf(cfg2, "%s# x\n", cfg);
	tu_write_file(OUT "/x/lhs.cfg", cfg2);
	unlink(OUT "/id.tsv");
	write_head(OUT "/id.tsv.partial", ref, 30);
	char *before = tu_read(OUT "/id.tsv.partial");
	assert_int_equal(tu_mv(NULL, &err, "sweep", OUT "/x/lhs.cfg", "-o", OUT "/id.tsv", "--resume",
			       NULL), 2);
	assert_non_null(strstr(err, "cannot resume: it is from a different sweep: its line '# sweep "
				    DATA "/lhs.cfg "));
	free(err);
	got = tu_read(OUT "/id.tsv.partial");
	assert_string_equal(got, before);
	free(got);
	free(before);
	unlink(OUT "/id.tsv.partial");
	free(cfg2);
	free(cfg);
	free(ref);
}

/* Starts a sweep of long.cfg (600 runs; under valgrind lhs.cfg, 90) with --progress, stops
 * it with SIGSTOP once 20 rows are in, lets the clock pass more than a second, continues
 * it. Returns its stderr. */
#define LOG_RUNS (tu_valgrind ? 90 : 600)
static char *paused_sweep(const char *progress)
{
	char *args[] = {"sweep", tu_valgrind ? DATA "/lhs.cfg" : DATA "/long.cfg", "-o", OUT "/log.tsv",
			"-j", "1", "--progress", (char *)progress, NULL};
	unlink(OUT "/log.tsv");
	pid_t pid = tu_start(args);
	for (int i = 0; i < 4000; i++) {
		char *p = tu_read(OUT "/log.tsv.partial");
		long rows = -1; /* lines but the metadata and the header */
		for (const char *c = p ? p : ""; *c; c++)
			rows += *c == '\n';
		rows -= p ? tu_count_lines(p, '#') : 0;
		free(p);
		if (rows >= 20 || tu_exists(OUT "/log.tsv"))
			break;
		tu_sleep_ms(5);
	}
	assert_false(tu_exists(OUT "/log.tsv")); /* not finished yet: 600 runs take ~1 s */
	kill(pid, SIGSTOP);
	tu_sleep_ms(1200);
	kill(pid, SIGCONT);
	assert_int_equal(tu_finish(pid), 0);
	return tu_read(OUT "/stderr");
}

/* stderr not a terminal (a file here): a progress line every --progress seconds, one final
 * line; --progress 0 only the final line; --quiet nothing. */
static void test_cli_logs(void **state)
{
	char *err;
	(void)state;
	TU_NEED_SWEEP();
	err = paused_sweep("1");
	assert_int_equal(tu_final_line(err, "sweep"), LOG_RUNS);
	/* after the pause the clock is > 1 s on: "mvsim sweep: N/600 runs (P%), R runs/s, T left" */
	char *line = strstr(err, "mvsim sweep: ");
	assert_non_null(line);
	long done = strtol(line + 13, NULL, 10);
	assert_true(done >= 20 && done <= LOG_RUNS);
	char want[64];
	snprintf(want, sizeof want, "mvsim sweep: %ld/%d runs (", done, LOG_RUNS);
	assert_int_equal(strncmp(line, want, strlen(want)), 0);
	assert_non_null(strstr(line, " runs/s, "));
	assert_non_null(strstr(line, " left\n"));
	assert_null(strchr(err, '\r')); /* lines of their own, no terminal codes */
	assert_null(strchr(err, '\033'));
	free(err);
	err = paused_sweep("0");
	assert_int_equal(tu_final_line(err, "sweep"), LOG_RUNS);
	assert_string_equal(err, tu_valgrind ? LHS_LINT : ""); /* lhs.cfg's checks cannot fail */
	free(err);
	unlink(OUT "/log.tsv");
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/lhs.cfg", "-o", OUT "/log.tsv", "-q", NULL), 0);
	assert_string_equal(err, LHS_LINT); /* warnings stay: they are the gate's */
	free(err);
}

/* More than 20 breaking runs: 20 listed on stderr, then "and N more"; the summary has them
 * all; the JUnit report (valid XML, xmllint) lists 20 per failure, then "and N more". */
static void test_cli_capped(void **state)
{
	char *out, *err, cfg[4096], cwd[2048];
	(void)state;
	TU_NEED_SWEEP();
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(cfg, sizeof cfg,
		 "scenario = \"%s/configs/kazakhstan.cfg\";\n"
		 "sweep = { method = \"grid\";\n"
		 "  parameters = ( { key = \"vectors.russia.coercion\"; min = 0.0; max = 2.9; steps = 30; } );\n"
		 "  metrics = [ \"final:crisis_prob\" ];\n"
		 "  checks = ( { metric = \"final:crisis_prob\"; max = 0.0; } ); };\n", cwd);
	tu_write_file(OUT "/many.v1.cfg", cfg);
	unlink(OUT "/many.tsv");
	assert_int_equal(tu_mv(&out, &err, "sweep", OUT "/many.v1.cfg", "-o", OUT "/many.tsv",
			       "--junit", OUT "/many.xml", NULL), 1);
	assert_int_equal(tu_final_line(err, "sweep"), 30);
	assert_int_equal(tu_count_lines(err, 'm'), 22);
	char *tail = strstr(err, "mvsim: run 19 breaks check");
	assert_non_null(tail);
	tail = strchr(tail, '\n') + 1;
	assert_string_equal(tail, "mvsim: and 10 more runs failed or broke a check (see the summary)\n"
				  "mvsim: sweep: check final:crisis_prob <= 0 broken by 30 of 30 runs\n");
	free(err);
	free(out);
	char *sum = tu_read(OUT "/many.tsv");
	assert_non_null(strstr(sum, "\n29\t2.9\t"));
	assert_non_null(strstr(sum, "# complete\t30 runs\t0 failed\n"));
	free(sum);
	if (system("command -v xmllint >/dev/null") != 0)
		fail_msg("xmllint is missing (scripts/deps.sh installs libxml2-utils)");
	assert_int_equal(system("xmllint --noout " OUT "/many.xml"), 0);
	char *xml = tu_read(OUT "/many.xml");
	assert_non_null(strstr(xml, "<testsuites name=\"mvsim sweep\" tests=\"2\" failures=\"1\" errors=\"0\" time=\""));
	assert_non_null(strstr(xml, "<testsuite name=\"many_v1\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\""));
	assert_non_null(strstr(xml, "<testcase classname=\"many_v1\" name=\"runs complete\" time=\"0\"/>"));
	assert_non_null(strstr(xml, "<testcase classname=\"many_v1\" name=\"final:crisis_prob &lt;= 0\" time=\"0\">\n"
				    "      <failure type=\"check\" message=\"30 of 30 runs break final:crisis_prob &lt;= 0\">run 0: "));
	assert_non_null(strstr(xml, "(vectors.russia.coercion = 1.9)\nand 10 more (see the summary)\n</failure>"));
	assert_null(strstr(xml, "run 20:"));
	free(xml);
}

/* --shard env: K and N of a Slurm job array (ID, COUNT, MIN, STEP), the same part as K/N. */
static void test_cli_shard_env(void **state)
{
	char *err, *a, *b;
	(void)state;
	TU_NEED_SWEEP();
	assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/se-ref.tsv", "--shard",
			       "3/4", "-q", NULL), 0);
	a = tu_read(OUT "/se-ref.tsv");
	static const char *const env[][4] = {{"3", "4", "1", NULL}, {"2", "4", "0", NULL},
					     {"5", "4", "1", "2"}, {"3", "4", NULL, NULL}};
	for (int k = 0; k < 4; k++) {
		setenv("SLURM_ARRAY_TASK_ID", env[k][0], 1);
		setenv("SLURM_ARRAY_TASK_COUNT", env[k][1], 1);
		if (env[k][2])
			setenv("SLURM_ARRAY_TASK_MIN", env[k][2], 1);
		else
			unsetenv("SLURM_ARRAY_TASK_MIN");
		if (env[k][3])
			setenv("SLURM_ARRAY_TASK_STEP", env[k][3], 1);
		else
			unsetenv("SLURM_ARRAY_TASK_STEP");
		unlink(OUT "/se.tsv");
		assert_int_equal(tu_mv(NULL, NULL, "sweep", DATA "/lhs.cfg", "-o", OUT "/se.tsv",
				       "--shard", "env", "-q", NULL), 0);
		b = tu_read(OUT "/se.tsv");
		assert_string_equal(a, b);
		free(b);
	}
	setenv("SLURM_ARRAY_TASK_ID", "9", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/lhs.cfg", "--shard", "env", NULL), 2);
	assert_string_equal(err, "mvsim sweep: --shard env: task 9 is not one of the 4 tasks from 1 in "
				 "steps of 1\n(see 'mvsim sweep --help')\n");
	free(err);
	unsetenv("SLURM_ARRAY_TASK_ID");
	assert_int_equal(tu_mv(NULL, &err, "sweep", DATA "/lhs.cfg", "--shard", "env", NULL), 2);
	assert_string_equal(err, "mvsim sweep: --shard env: expected SLURM_ARRAY_TASK_ID and "
				 "SLURM_ARRAY_TASK_COUNT in the environment (a Slurm job array), found no "
				 "SLURM_ARRAY_TASK_ID\n(see 'mvsim sweep --help')\n");
	free(err);
	unsetenv("SLURM_ARRAY_TASK_COUNT");
	unsetenv("SLURM_ARRAY_TASK_MIN");
	free(a);
}

int main(void)
{
	const struct CMUnitTest cli[] = {
		cmocka_unit_test(test_cli_jobs),          cmocka_unit_test(test_cli_shards),
		cmocka_unit_test(test_cli_resume_kill),   cmocka_unit_test(test_cli_resume_signals),
		cmocka_unit_test(test_cli_resume_errors), cmocka_unit_test(test_cli_checks),
		cmocka_unit_test(test_cli_junit),         cmocka_unit_test(test_cli_series),
		cmocka_unit_test(test_cli_bad_input),     cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_cli_help),          cmocka_unit_test(test_cli_fail_fast),
		cmocka_unit_test(test_cli_identity),      cmocka_unit_test(test_cli_logs),
		cmocka_unit_test(test_cli_capped),        cmocka_unit_test(test_cli_shard_env),
	};
	return cmocka_run_group_tests_name("mvsim sweep", cli, cli_setup, NULL);
}
