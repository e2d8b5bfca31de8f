/* test_output.c — the TSV writer (docs/model.md §7): metadata lines in order, the header of column
 * names, rows that round-trip, the temporary-then-rename protocol, and every failure path. */
#include "testutil.h"

#include "mvsim/output.h"
#include "mvsim/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#define OUTROOT "build/test-output"

static char groupdir[128]; /* OUTROOT/run-XXXXXX, one per test process */

/* Three vectors (one with a two-word name), two domains whose weights do not sum to 1, three
 * events out of time order with a tie at 2002 (file order decides), explicit angles. */
static const char *scenario_text =
	"name = \"writer test: three vectors\";\n"
	"time = { start = 2000.0; end = 2005.0; output_step = 0.5; };\n"
	"integrator = { method = \"rkf45\"; rtol = 1e-9; atol = 1e-11; };\n"
	"model = { alpha = 0.5; beta = 0.3; };\n"
	"focal = { autonomy = 0.2; };\n"
	"domains = ( { name = \"Economy\"; weight = 2.0; inertia = 2.0; },\n"
	"            { name = \"Hard Security\"; weight = 1.0; inertia = 4.0; } );\n"
	"vectors = (\n"
	" { name = \"North\"; angle = 90.0; mass = 3.0; growth = 0.02; salience = [1.0, 2.0];\n"
	"   initial = [0.5, 0.6]; red_line = 0.5; coercion = 1.0;\n"
	"   hazard = { max = 0.2; threshold = 0.5; width = 0.2; }; },\n"
	" { name = \"East\"; angle = 0.0; mass = 2.0; salience = [1.0, 0.5]; initial = [0.3, 0.3];\n"
	"   aspiration = 0.5; responsiveness = 1.0; },\n"
	" { name = \"South Asia\"; angle = 247.5; mass = 1.0; salience = [0.5, 0.5];\n"
	"   initial = [0.2, 0.1]; } );\n"
	"events = (\n"
	" { at = 2002.0; key = \"vectors.north.tension\"; add = 0.3; label = \"jump\"; },\n"
	" { at = 2001.0; over = 2.0; key = \"vectors.east.connectivity\"; add = 1.0; label = \"ramp\"; },\n"
	" { at = 2002.0; key = \"model.beta\"; set = 0.5; label = \"tie, second in file\"; } );\n";

/* docs/model.md §7 for that scenario, written out by hand. */
static const char *const want_columns[] = {
	"t", "share_north", "share_east", "share_south_asia",
	"share_economy_north", "share_economy_east", "share_economy_south_asia",
	"share_hard_security_north", "share_hard_security_east", "share_hard_security_south_asia",
	"pull_north", "pull_east", "pull_south_asia",
	"mass_north", "mass_east", "mass_south_asia",
	"effort_north", "effort_east", "effort_south_asia",
	"tension_north", "tension_east", "tension_south_asia",
	"hhi", "n_eff", "entropy", "tilt_x", "tilt_y", "tilt", "tilt_angle", "hazard",
	"crisis_prob",
};
#define NWANT (int)(sizeof want_columns / sizeof want_columns[0])

/* ---------------------------------------------------------------- helpers */

static char *tu_path(const char *sub, const char *name)
{
	char *p = malloc(512);
	snprintf(p, 512, "%s/%s%s%s", groupdir, sub, name ? "/" : "", name ? name : "");
	return p;
}

/* A fresh, empty directory groupdir/sub; returns its path (caller frees). */
static char *fresh_dir(const char *sub)
{
	char *d = tu_path(sub, NULL);
	assert_int_equal(mkdir(d, 0777), 0);
	return d;
}

/* Names in dir (not . and ..), sorted, joined by '|' into buf. Returns how many. */
static int list_dir(const char *dir, char *buf, size_t size)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char *names[64];
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 64)
			names[n++] = strdup(e->d_name);
	closedir(dp);
	for (int a = 0; a < n; a++)
		for (int b = a + 1; b < n; b++)
			if (strcmp(names[b], names[a]) < 0) {
				char *t = names[a];
				names[a] = names[b];
				names[b] = t;
			}
	buf[0] = '\0';
	for (int k = 0; k < n; k++) {
		if (k)
			strncat(buf, "|", size - strlen(buf) - 1);
		strncat(buf, names[k], size - strlen(buf) - 1);
		free(names[k]);
	}
	return n;
}

/* Is `name` "<base>.tmp.XXXXXX" (six characters from mkstemp)? */
static int is_tmp_of(const char *name, const char *base)
{
	size_t lb = strlen(base);
	return strncmp(name, base, lb) == 0 && strncmp(name + lb, ".tmp.", 5) == 0 &&
	       strlen(name + lb + 5) == 6;
}


/* Splits text into lines in place (no trailing newline kept). Returns the count; the text
 * must end with '\n'. */
static int split_lines(char *text, char ***lines)
{
	int n = 0, cap = 256;
	*lines = malloc((size_t)cap * sizeof **lines);
	char *p = text;
	while (*p) {
		char *nl = strchr(p, '\n');
		assert_non_null(nl); /* every line ends with a newline */
		*nl = '\0';
		if (n == cap) {
			cap *= 2;
			*lines = realloc(*lines, (size_t)cap * sizeof **lines);
		}
		(*lines)[n++] = p;
		p = nl + 1;
	}
	return n;
}

/* Splits a line at tabs in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	for (char *p = line;;) {
		char *tab = strchr(p, '\t');
		if (n < max)
			f[n] = p;
		n++;
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

/* A loaded scenario with its columns; the scenario file stays on disk (for # file, # sha256). */
struct fixture {
	char *cfg;
	struct mv_scenario *sc;
	struct mv_keytab kt;
	char **cols;
	int ncols;
};

static void fixture_load(struct fixture *fx, const char *text, int nsets, char *const *sets)
{
	memset(fx, 0, sizeof *fx);
	if (text != NULL) {
		fx->cfg = tu_path("scenario.cfg", NULL);
		FILE *f = fopen(fx->cfg, "w");
		assert_non_null(f);
		fputs(text, f);
		assert_int_equal(fclose(f), 0);
	} else {
		fx->cfg = strdup("configs/kazakhstan.cfg");
	}
	struct mv_error err = {0};
	fx->sc = mv_config_load(fx->cfg, nsets, sets, &fx->kt, &err);
	if (fx->sc == NULL)
		fail_msg("%s: %s", fx->cfg, err.msg);
	fx->cols = mv_model_columns(fx->sc, &fx->ncols, &err);
	assert_non_null(fx->cols);
}

static void fixture_free(struct fixture *fx)
{
	if (strncmp(fx->cfg, groupdir, strlen(groupdir)) == 0)
		unlink(fx->cfg);
	free(fx->cfg);
	free(fx->cols);
	mv_keytab_free(&fx->kt);
	mv_scenario_free(fx->sc);
}

/* Row callback that both keeps the rows in memory and hands them to a writer. */
struct tee {
	struct tu_rows rows;
	struct mv_writer *w;
};

static int tee_cb(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	struct tee *t = ctx;
	tu_rows_cb(&t->rows, row, ncols, err);
	return mv_writer_row(t->w, row, ncols, err);
}

/* Runs fx's scenario into writer w (header included) and into tee->rows. */
static void run_into(struct fixture *fx, struct mv_writer *w, const char *seed, struct tee *t)
{
	struct mv_error err = {0};
	struct mv_run *run = mv_run_create(fx->sc, &fx->kt, NULL, &err);
	assert_non_null(run);
	memset(t, 0, sizeof *t);
	t->w = w;
	if (mv_writer_header(w, fx->sc, &fx->kt, fx->sc->method, seed, fx->cols, fx->ncols, &err))
		fail_msg("header: %s", err.msg);
	if (mv_run_exec(run, tee_cb, t, &err))
		fail_msg("run: %s", err.msg);
	mv_run_free(run);
}

/* ---------------------------------------------------------------- format */

static void test_format_number(void **state)
{
	(void)state;
	static const struct {
		double v;
		const char *s;
	} c[] = {
		{0, "0"}, {1, "1"}, {-2.5, "-2.5"}, {2040, "2040"}, {2015.25, "2015.25"},
		{0.1, "0.1"}, {1.0 / 3, "0.3333333333"}, {2.0 / 3, "0.6666666667"},
		{123456789012.0, "1.23456789e+11"}, {1e-300, "1e-300"},
		{-1.2345678912345e-300, "-1.234567891e-300"}, {1.7976931348623157e308, "1.797693135e+308"},
		{3.14159265358979, "3.141592654"},
	};
	char buf[32];
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
		int len = mv_format_number(c[k].v, buf);
		assert_string_equal(buf, c[k].s);
		assert_int_equal(len, (int)strlen(c[k].s));
	}
	mv_format_number(NAN, buf);
	assert_string_equal(buf, "nan");
	mv_format_number(-INFINITY, buf);
	assert_string_equal(buf, "-inf");
}

/* ---------------------------------------------------------------- a complete file */

static void test_file_contents(void **state)
{
	(void)state;
	char *sets[] = {"vectors.north.coercion=2", "integrator.rtol=1e-10"};
	struct fixture fx;
	fixture_load(&fx, scenario_text, 2, sets);
	char *dir = fresh_dir("contents");
	char *path = tu_path("contents", "out.tsv");
	struct mv_error err = {0};
	struct tee t;
	char sha[65];

	assert_string_equal(fx.sc->method, "rkf45");
	assert_int_equal(fx.ncols, NWANT);
	struct mv_writer *w = mv_writer_open(path, &err);
	assert_non_null(w);
	run_into(&fx, w, "42", &t);
	assert_int_equal(mv_writer_commit(w, &err), 0);
	assert_int_equal(t.rows.nrows, 11);

	/* metadata, exactly and in this order */
	assert_int_equal(mv_sha256_file(fx.cfg, sha), 0);
	char want[64][256];
	int nw = 0;
	snprintf(want[nw++], 256, "# mvsim %s", MV_VERSION);
	snprintf(want[nw++], 256, "# scenario\twriter test: three vectors");
	snprintf(want[nw++], 256, "# file\t%s", fx.cfg);
	snprintf(want[nw++], 256, "# sha256\t%s", sha);
	snprintf(want[nw++], 256, "# integrator\trkf45\trtol=1e-10\tatol=1e-11");
	snprintf(want[nw++], 256, "# seed\t42");
	snprintf(want[nw++], 256, "# set\tvectors.north.coercion=2");
	snprintf(want[nw++], 256, "# set\tintegrator.rtol=1e-10");
	snprintf(want[nw++], 256, "# vector\tnorth\t90\tNorth");
	snprintf(want[nw++], 256, "# vector\teast\t0\tEast");
	snprintf(want[nw++], 256, "# vector\tsouth_asia\t247.5\tSouth Asia");
	snprintf(want[nw++], 256, "# domain\teconomy\t0.6666666667\tEconomy");
	snprintf(want[nw++], 256, "# domain\thard_security\t0.3333333333\tHard Security");
	snprintf(want[nw++], 256, "# event\t2001\t2\tvectors.east.connectivity\tramp");
	snprintf(want[nw++], 256, "# event\t2002\t0\tvectors.north.tension\tjump");
	snprintf(want[nw++], 256, "# event\t2002\t0\tmodel.beta\ttie, second in file");

	size_t len;
	char *text = tu_slurp(path, &len);
	assert_true(len > 0 && text[len - 1] == '\n');
	char **lines;
	int nl = split_lines(text, &lines);
	assert_int_equal(nl, nw + 1 + 11);
	assert_string_equal(MV_VERSION, "0.1.0");
	for (int k = 0; k < nw; k++)
		if (strcmp(lines[k], want[k]) != 0)
			fail_msg("metadata line %d:\n  got      \"%s\"\n  expected \"%s\"", k + 1,
				 lines[k], want[k]);

	/* one header line: docs/model.md §7 order */
	char *f[NWANT + 8];
	char *header = lines[nw];
	assert_true(header[0] != '#');
	assert_int_equal(split_tabs(header, f, NWANT + 8), NWANT);
	for (int c = 0; c < NWANT; c++)
		assert_string_equal(f[c], want_columns[c]);

	/* rows: ncols fields each, printed %.10g, so each number is the value to within half a
	 * unit in its 10th significant digit (relative error <= 5e-10) */
	double worst = 0;
	for (long r = 0; r < t.rows.nrows; r++) {
		char *line = lines[nw + 1 + r];
		assert_int_equal(split_tabs(line, f, NWANT + 8), NWANT);
		for (int c = 0; c < NWANT; c++) {
			double v = tu_at(&t.rows, r, c), got;
			char num[32], *end;
			mv_format_number(v, num);
			assert_string_equal(f[c], num);
			got = strtod(f[c], &end);
			assert_true(*end == '\0');
			if (!(fabs(got - v) <= 5e-10 * fabs(v)))
				fail_msg("row %ld %s: %s read back as %.17g, value %.17g", r, want_columns[c],
					 f[c], got, v);
			if (v != 0 && fabs(got - v) / fabs(v) > worst)
				worst = fabs(got - v) / fabs(v);
		}
	}
	/* rows at the output times, the last at time.end */
	assert_double_equal(tu_at(&t.rows, 0, 0), 2000.0, 0);
	assert_double_equal(tu_at(&t.rows, 10, 0), 2005.0, 0);
	assert_true(worst > 0); /* the numbers really were rounded: the check above had work */

	free(lines);
	free(text);
	free(t.rows.v);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	fixture_free(&fx);
}

/* No --set, no seed, no events: the optional lines are absent, `# seed none`. */
static void test_minimal_metadata(void **state)
{
	(void)state;
	static const char *text =
		"name = \"bare\";\n"
		"time = { start = 0.0; end = 1.0; output_step = 1.0; };\n"
		"domains = ( { name = \"d\"; weight = 1.0; inertia = 1.0; } );\n"
		"vectors = ( { name = \"A\"; mass = 1.0; salience = [1.0]; initial = [0.5]; },\n"
		"            { name = \"B\"; mass = 1.0; salience = [1.0]; initial = [0.5]; } );\n";
	struct fixture fx;
	fixture_load(&fx, text, 0, NULL);
	char *dir = fresh_dir("minimal");
	char *path = tu_path("minimal", "m.tsv");
	struct mv_error err = {0};
	struct tee t;
	struct mv_writer *w = mv_writer_open(path, &err);

	assert_non_null(w);
	run_into(&fx, w, NULL, &t);
	assert_int_equal(mv_writer_commit(w, &err), 0);
	char *content = tu_slurp(path, NULL), **lines;
	int nl = split_lines(content, &lines);
	static const char *const kinds[] = {"# mvsim ", "# scenario\tbare", "# file\t", "# sha256\t",
					    "# integrator\trk8pd\trtol=1e-08\tatol=1e-10",
					    "# seed\tnone", "# vector\ta\t", "# vector\tb\t",
					    "# domain\td\t1\td", "t\tshare_a\tshare_b\t"};
	assert_int_equal(nl, 10 + 2);
	for (int k = 0; k < 10; k++)
		if (strncmp(lines[k], kinds[k], strlen(kinds[k])) != 0)
			fail_msg("line %d: \"%s\", expected it to start \"%s\"", k + 1, lines[k], kinds[k]);
	free(lines);
	free(content);
	free(t.rows.v);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	fixture_free(&fx);
}

/* A row wider than the writer's 64 KiB line buffer is written whole. */
static void test_wide_row(void **state)
{
	(void)state;
	enum { N = 5000 };
	char *dir = fresh_dir("wide");
	char *path = tu_path("wide", "w.tsv");
	struct mv_error err = {0};
	double *row = malloc(N * sizeof *row);

	for (int c = 0; c < N; c++)
		row[c] = -1.234567891234e-100 * (c + 1); /* long numbers: 17+ characters each */
	struct mv_writer *w = mv_writer_open(path, &err);
	assert_non_null(w);
	assert_int_equal(mv_writer_row(w, row, N, &err), 0);
	assert_int_equal(mv_writer_row(w, row, 3, &err), 0);
	assert_int_equal(mv_writer_commit(w, &err), 0);
	char *content = tu_slurp(path, NULL), **lines;
	assert_int_equal(split_lines(content, &lines), 2);
	char **f = malloc((N + 1) * sizeof *f);
	assert_int_equal(split_tabs(lines[0], f, N + 1), N);
	for (int c = 0; c < N; c++) {
		char num[32];
		mv_format_number(row[c], num);
		if (strcmp(f[c], num) != 0)
			fail_msg("field %d: \"%s\", expected \"%s\"", c, f[c], num);
	}
	assert_int_equal(split_tabs(lines[1], f, N + 1), 3);
	free(f);
	free(lines);
	free(content);
	free(row);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* ---------------------------------------------------------------- the temporary */

static void test_temporary_then_rename(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_load(&fx, scenario_text, 0, NULL);
	char *dir = fresh_dir("tmp");
	char *path = tu_path("tmp", "res.tsv");
	char names[1024];
	struct mv_error err = {0};
	struct tee t;

	struct mv_writer *w = mv_writer_open(path, &err);
	assert_non_null(w);
	/* created at open, before any work, beside the final name */
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	assert_true(is_tmp_of(names, "res.tsv"));
	run_into(&fx, w, NULL, &t);
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	assert_true(is_tmp_of(names, "res.tsv"));
	assert_true(access(path, F_OK) != 0); /* nothing under the final name yet */
	assert_int_equal(mv_writer_commit(w, &err), 0);
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	assert_string_equal(names, "res.tsv");

	/* Replacing an existing result: the old file stays whole until the commit. */
	FILE *f = fopen(path, "w");
	fputs("old contents\n", f);
	fclose(f);
	w = mv_writer_open(path, &err);
	assert_non_null(w);
	free(t.rows.v);
	run_into(&fx, w, NULL, &t);
	assert_int_equal(list_dir(dir, names, sizeof names), 2);
	char *old = tu_slurp(path, NULL);
	assert_string_equal(old, "old contents\n");
	free(old);
	assert_int_equal(mv_writer_commit(w, &err), 0);
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	char *now = tu_slurp(path, NULL);
	assert_true(strncmp(now, "# mvsim ", 8) == 0);
	free(now);

	free(t.rows.v);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	fixture_free(&fx);
}

static void test_abort_leaves_nothing(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_load(&fx, scenario_text, 0, NULL);
	char *dir = fresh_dir("abort");
	char *path = tu_path("abort", "res.tsv");
	char names[1024];
	struct mv_error err = {0};
	struct tee t;

	struct mv_writer *w = mv_writer_open(path, &err);
	assert_non_null(w);
	run_into(&fx, w, NULL, &t);
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	mv_writer_abort(w);
	assert_int_equal(list_dir(dir, names, sizeof names), 0);

	/* aborting right after open, and with an older result in place (which stays) */
	FILE *f = fopen(path, "w");
	fputs("previous\n", f);
	fclose(f);
	w = mv_writer_open(path, &err);
	assert_non_null(w);
	assert_int_equal(list_dir(dir, names, sizeof names), 2);
	mv_writer_abort(w);
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	assert_string_equal(names, "res.tsv");
	char *prev = tu_slurp(path, NULL);
	assert_string_equal(prev, "previous\n");
	free(prev);

	mv_writer_abort(NULL); /* a no-op */
	free(t.rows.v);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	fixture_free(&fx);
}

static void test_missing_directory(void **state)
{
	(void)state;
	char *dir = fresh_dir("missing");
	char *path = tu_path("missing", "no/such/dir/out.tsv");
	char names[1024], want[600];
	struct mv_error err = {0};

	assert_null(mv_writer_open(path, &err));
	assert_int_equal(err.code, MV_EXIT_INPUT);
	snprintf(want, sizeof want, "%s: cannot create output: No such file or directory", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(list_dir(dir, names, sizeof names), 0);
	rmdir(dir);
	free(path);
	free(dir);
}

/* mkstemp makes 0600 files; results get what any new file gets under the umask. */
static void test_permissions_follow_umask(void **state)
{
	(void)state;
	static const mode_t masks[] = {022, 002, 027};
	char *dir = fresh_dir("perm");
	char *path = tu_path("perm", "p.tsv");
	struct mv_error err = {0};
	double row[2] = {1, 2};
	mode_t saved = umask(022);

	for (size_t k = 0; k < sizeof masks / sizeof masks[0]; k++) {
		struct stat st;
		umask(masks[k]);
		struct mv_writer *w = mv_writer_open(path, &err);
		assert_non_null(w);
		assert_int_equal(mv_writer_row(w, row, 2, &err), 0);
		assert_int_equal(mv_writer_commit(w, &err), 0);
		assert_int_equal(stat(path, &st), 0);
		umask(saved);
		if ((st.st_mode & 0777) != (0666 & ~masks[k]))
			fail_msg("umask %03o: mode %03o, expected %03o", (unsigned)masks[k],
				 (unsigned)(st.st_mode & 0777), (unsigned)(0666 & ~masks[k]));
		unlink(path);
	}
	umask(saved);
	rmdir(dir);
	free(path);
	free(dir);
}

/* ---------------------------------------------------------------- failures, in a child */

/* What a child reports back through a pipe. */
struct child_report {
	int open_ok, rc_header, rc_row, rc_commit, code;
	char msg[MV_ERROR_MAX];
};

typedef void (*child_fn)(void *arg, struct child_report *r);

/* Runs fn in a child process (so it may redirect stdout or set resource limits) and returns
 * what it reported. */
static void in_child(child_fn fn, void *arg, struct child_report *out)
{
	int fd[2], status;

	assert_int_equal(pipe(fd), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct child_report r;
		memset(&r, 0, sizeof r);
		close(fd[0]);
		fn(arg, &r);
		ssize_t wr = write(fd[1], &r, sizeof r);
		_exit(wr == (ssize_t)sizeof r ? 0 : 3);
	}
	close(fd[1]);
	size_t got = 0;
	while (got < sizeof *out) {
		ssize_t n = read(fd[0], (char *)out + got, sizeof *out - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child failed: status 0x%x", (unsigned)status);
	assert_int_equal(got, sizeof *out);
}

struct write_job {
	struct fixture *fx;
	const char *path;     /* writer path (NULL: stdout) */
	const char *redirect; /* for stdout: file to put on fd 1 */
	long fsize_limit;     /* RLIMIT_FSIZE in bytes, 0: none */
	int nrows;
};

static void write_job(void *arg, struct child_report *r)
{
	struct write_job *j = arg;
	struct mv_error err = {0};
	double *row = calloc((size_t)j->fx->ncols, sizeof *row);

	if (j->redirect) {
		int fd = open(j->redirect, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(4);
		close(fd);
		/* as in a fresh process whose fd 1 is not a terminal: fully buffered */
		setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
	}
	if (j->fsize_limit) {
		struct rlimit rl = {(rlim_t)j->fsize_limit, (rlim_t)j->fsize_limit};
		signal(SIGXFSZ, SIG_IGN); /* so the write fails with EFBIG instead of killing us */
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(5);
	}
	struct mv_writer *w = mv_writer_open(j->path, &err);
	r->open_ok = w != NULL;
	if (w == NULL)
		goto out;
	r->rc_header = mv_writer_header(w, j->fx->sc, &j->fx->kt, "rk8pd", NULL, j->fx->cols,
					j->fx->ncols, &err);
	for (int k = 0; k < j->nrows && r->rc_row == 0; k++) {
		for (int c = 0; c < j->fx->ncols; c++)
			row[c] = 1.0 / 3.0 + k + c;
		r->rc_row = mv_writer_row(w, row, j->fx->ncols, &err);
	}
	r->rc_commit = mv_writer_commit(w, &err);
out:
	r->code = err.code;
	snprintf(r->msg, sizeof r->msg, "%s", err.msg);
	free(row);
}

/* The writer on standard output (path NULL or "-"). */
static void test_stdout(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_load(&fx, scenario_text, 0, NULL);
	char *dir = fresh_dir("stdout");
	char *file = tu_path("stdout", "captured.tsv");
	char names[1024];
	const char *paths[] = {NULL, "-"};

	for (int k = 0; k < 2; k++) {
		struct write_job j = {&fx, paths[k], file, 0, 3};
		struct child_report r;
		in_child(write_job, &j, &r);
		assert_true(r.open_ok);
		assert_int_equal(r.rc_header, 0);
		assert_int_equal(r.rc_row, 0);
		assert_int_equal(r.rc_commit, 0);
		/* only the redirect target: no temporary, no file named "-" */
		assert_int_equal(list_dir(dir, names, sizeof names), 1);
		assert_string_equal(names, "captured.tsv");
		char *content = tu_slurp(file, NULL), **lines;
		int nl = split_lines(content, &lines);
		assert_true(strncmp(lines[0], "# mvsim ", 8) == 0);
		assert_true(strncmp(lines[nl - 4], "t\tshare_north\t", 14) == 0);
		assert_true(strncmp(lines[nl - 1], "2.333333333\t3.333333333\t", 24) == 0);
		free(lines);
		free(content);
	}
	unlink(file);
	rmdir(dir);
	free(file);
	free(dir);
	fixture_free(&fx);
}

/* A full device under standard output: the commit (the final flush) fails, code 1, and the
 * message names the stream. */
static void test_stdout_dev_full(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_load(&fx, scenario_text, 0, NULL);
	if (access("/dev/full", W_OK) != 0)
		fail_msg("/dev/full is needed for this test");
	/* a header and two rows fit in the stream's buffer, so only the commit sees ENOSPC */
	struct write_job j = {&fx, NULL, "/dev/full", 0, 2};
	struct child_report r;

	in_child(write_job, &j, &r);
	assert_true(r.open_ok);
	assert_int_equal(r.rc_header, 0);
	assert_int_equal(r.rc_row, 0);
	assert_int_equal(r.rc_commit, -1);
	assert_int_equal(r.code, MV_EXIT_FAIL);
	assert_string_equal(r.msg, "standard output: write failed: No space left on device");
	fixture_free(&fx);
}

/* A file that cannot grow (RLIMIT_FSIZE: the way a full disk looks to write(2)): the commit
 * fails with code 1 naming the path, and neither the temporary nor the result is left. */
static void test_file_write_fails(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_load(&fx, scenario_text, 0, NULL);
	char *dir = fresh_dir("efbig");
	char *path = tu_path("efbig", "big.tsv");
	char names[1024], want[700];
	/* ~20 rows of ~400 bytes: more than the 1 KiB limit, less than the 64 KiB buffer, so
	 * nothing reaches the file before the commit */
	struct write_job j = {&fx, path, NULL, 1024, 20};
	struct child_report r;

	in_child(write_job, &j, &r);
	assert_true(r.open_ok);
	assert_int_equal(r.rc_header, 0);
	assert_int_equal(r.rc_row, 0);
	assert_int_equal(r.rc_commit, -1);
	assert_int_equal(r.code, MV_EXIT_FAIL);
	snprintf(want, sizeof want, "%s: write failed: File too large", path);
	assert_string_equal(r.msg, want);
	assert_int_equal(list_dir(dir, names, sizeof names), 0);

	/* the same with rows beyond the buffer: mv_writer_row reports it */
	j.nrows = 2000;
	in_child(write_job, &j, &r);
	assert_int_equal(r.rc_row, -1);
	assert_int_equal(r.rc_commit, -1);
	assert_int_equal(r.code, MV_EXIT_FAIL);
	assert_string_equal(r.msg, want);
	assert_int_equal(list_dir(dir, names, sizeof names), 0);

	rmdir(dir);
	free(path);
	free(dir);
	fixture_free(&fx);
}

/* ---------------------------------------------------------------- gnuplot */

/* gnuplot finds the column by its header name past the '#' lines and reads every row. */
static void test_gnuplot_reads_header(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_load(&fx, NULL, 0, NULL); /* configs/kazakhstan.cfg: 101 rows */
	char *dir = fresh_dir("gnuplot");
	char *path = tu_path("gnuplot", "kz.tsv");
	struct mv_error err = {0};
	struct tee t;
	char cmd[1024], out[512] = "";

	struct mv_writer *w = mv_writer_open(path, &err);
	assert_non_null(w);
	run_into(&fx, w, NULL, &t);
	assert_int_equal(mv_writer_commit(w, &err), 0);
	assert_int_equal(t.rows.nrows, 101);

	int c = tu_col(fx.sc, "n_eff");
	double lo = INFINITY, hi = -INFINITY;
	for (long r = 0; r < t.rows.nrows; r++) {
		lo = fmin(lo, tu_at(&t.rows, r, c));
		hi = fmax(hi, tu_at(&t.rows, r, c));
	}
	snprintf(cmd, sizeof cmd,
		 "gnuplot -e \"set datafile separator tab; stats '%s' using 'n_eff' nooutput; "
		 "print STATS_records; print sprintf('%%.12g %%.12g', STATS_min, STATS_max)\" 2>&1",
		 path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	if (status != 0)
		fail_msg("gnuplot exited with status 0x%x: %s", (unsigned)status, out);
	long records = -1;
	double gmin = NAN, gmax = NAN;
	if (sscanf(out, "%ld %lf %lf", &records, &gmin, &gmax) != 3)
		fail_msg("unexpected gnuplot output: %s", out);
	assert_int_equal(records, 101);
	/* gnuplot reads the %.10g text: within 5e-10 relative of the values */
	assert_double_equal(gmin, lo, 5e-10 * lo);
	assert_double_equal(gmax, hi, 5e-10 * hi);
	assert_true(hi > lo);

	free(t.rows.v);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	fixture_free(&fx);
}

static int group_setup(void **state)
{
	(void)state;
	mkdir("build", 0777);
	if (mkdir(OUTROOT, 0777) != 0 && errno != EEXIST)
		return -1;
	snprintf(groupdir, sizeof groupdir, OUTROOT "/run-XXXXXX");
	return mkdtemp(groupdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	/* every test removes what it made; a leftover (a failed test) keeps the directory */
	rmdir(groupdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_number),
		cmocka_unit_test(test_file_contents),
		cmocka_unit_test(test_minimal_metadata),
		cmocka_unit_test(test_wide_row),
		cmocka_unit_test(test_temporary_then_rename),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_missing_directory),
		cmocka_unit_test(test_permissions_follow_umask),
		cmocka_unit_test(test_stdout),
		cmocka_unit_test(test_stdout_dev_full),
		cmocka_unit_test(test_file_write_fails),
		cmocka_unit_test(test_gnuplot_reads_header),
	};
	return cmocka_run_group_tests_name("output", tests, group_setup, group_teardown);
}
