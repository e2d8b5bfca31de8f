/* cmd_sweep.c — `mvsim sweep` and `mvsim merge`: summaries written in run order through a
 * .partial file (resumable, never mistaken for complete), shards, checks, JUnit, progress. */
#define _GNU_SOURCE /* getopt_long, open_memstream, flock */
#include "mvsim/cli.h"
#include "mvsim/cmd_sweep.h"

#include "mvsim/batch.h"
#include "mvsim/config.h"
#include "mvsim/metrics.h"
#include "mvsim/output.h"
#include "mvsim/sha256.h"
#include "mvsim/sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char mv_sweep_usage[] =
	"usage: mvsim sweep SWEEP.cfg [-o summary.tsv] [--jobs N] [--shard K/N] [--resume]\n"
	"                   [--junit FILE] [--series DIR] [--set KEY=VALUE]... [--quiet]\n"
	"\n"
	"Runs the scenario of SWEEP.cfg once per point of its parameter design (grid, random,\n"
	"lhs or sobol) and writes one summary row per run, in run order: the run number, each\n"
	"parameter, each metric (REDUCER:COLUMN), status (ok/failed) and the failure's reason.\n"
	"See docs/sweeps.md.\n"
	"\n"
	"  -o, --output FILE   write the summary to FILE: rows go to FILE.partial as runs\n"
	"                      finish, renamed to FILE when the sweep is complete (its last\n"
	"                      line is '# complete'); default: standard output\n"
	"  -j, --jobs N        threads (default: every core); the summary is the same for any N\n"
	"      --shard K/N     run only part K of N (runs k with k mod N = K-1); join the parts\n"
	"                      with 'mvsim merge'\n"
	"      --resume        continue an interrupted sweep from FILE.partial: check that it\n"
	"                      comes from the same sweep, run only the missing runs\n"
	"      --junit FILE    write the checks as JUnit XML (one test case per check)\n"
	"      --series DIR    also write each run's time series to DIR/run-NNNNNN.tsv\n"
	"  -s, --set KEY=VALUE change one number of the scenario first (repeatable)\n"
	"  -q, --quiet         no progress line (shown only when stderr is a terminal)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 every run ok and every check passed, 1 a run failed or a check broke\n"
	"(each breaking run is listed on stderr), 2 usage or input error (nothing is written or\n"
	"overwritten), 130/143 interrupted by SIGINT/SIGTERM (continue with --resume).\n";

const char mv_merge_usage[] =
	"usage: mvsim merge PARTS... -o summary.tsv\n"
	"\n"
	"Joins the summaries of the shards 1/N to N/N of one sweep (mvsim sweep --shard K/N)\n"
	"into the summary the unsharded sweep writes, byte for byte, and applies its checks.\n"
	"\n"
	"  -o, --output FILE   the merged summary (written via a temporary, renamed when complete)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 ok, 1 a run failed or a check broke (listed on stderr) or the output could\n"
	"not be written, 2 usage or input error: parts that are incomplete, from different\n"
	"sweeps, missing or repeated (nothing is written).\n";

#define TRAILER "# complete"

/* ================================================================ small helpers */





/* Splits line (modified) at tabs into at most max fields; returns the count. */
static int split(char *line, char **fields, int max)
{
	int n = 0;

	for (char *p = line;;) {
		char *tab = strchr(p, '\t');
		if (n < max)
			fields[n] = p;
		n++;
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

/* Reads the metadata and header of a summary: every line up to and including the first
 * that does not start with '#'. Returns them as one string (malloc'd) or NULL with err set. */
static char *read_meta(FILE *f, const char *path, struct mv_error *err)
{
	char *meta = NULL, *line = NULL;
	size_t msize = 0, cap = 0;
	FILE *m = open_memstream(&meta, &msize);
	ssize_t len;
	int first = 1, ok = 0;

	if (m == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (first && strncmp(line, "# mvsim ", 8) != 0)
			break;
		first = 0;
		if (line[len - 1] != '\n')
			break;
		fputs(line, m);
		if (line[0] != '#') {
			ok = 1;
			break;
		}
	}
	free(line);
	if (fclose(m) != 0) {
		free(meta);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	if (!ok || strstr(meta, " sweep summary\n") == NULL) {
		free(meta);
		mv_error_set(err, MV_EXIT_INPUT,
			     "%s: not an mvsim sweep summary (expected '# mvsim ... sweep summary' "
			     "lines and a header)",
			     path);
		return NULL;
	}
	return meta;
}

/* The first line where a and b differ, into la and lb (without newlines). */
static void first_difference(const char *a, const char *b, char *la, char *lb, size_t size)
{
	for (;;) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
		if (na != nb || memcmp(a, b, na) != 0 || ea == NULL || eb == NULL) {
			snprintf(la, size, "%.*s", (int)na, a);
			snprintf(lb, size, "%.*s", (int)nb, b);
			for (char *c = la; *c; c++)
				if (*c == '\t')
					*c = ' ';
			for (char *c = lb; *c; c++)
				if (*c == '\t')
					*c = ' ';
			return;
		}
		a = ea + 1;
		b = eb + 1;
	}
}

/* The value of metadata line "# <name>\t..." of meta (the rest of the line), into buf. */
static int meta_field(const char *meta, const char *name, char *buf, size_t size)
{
	char key[64];
	int klen = snprintf(key, sizeof key, "# %s\t", name);

	for (const char *p = meta; p && *p == '#'; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, (size_t)klen) == 0) {
			const char *e = strchr(p, '\n');
			snprintf(buf, size, "%.*s", (int)(e - p - klen), p + klen);
			return 0;
		}
	return -1;
}

/* ================================================================ checks over summary rows */

/* A check as the summary's metadata states it ("# check\tNAME\tMIN\tMAX"), with its tally. */
struct gate_check {
	int col;           /* field of the metric in a row */
	struct mv_check c;
	char label[MV_METRIC_MAX_NAME + 80];
	long broken;
	FILE *list;        /* for JUnit: one line per breaking run */
};

/* Applies the checks of a summary to its rows, as they are written or read back: checks
 * read the printed numbers, so a resumed or merged summary judges exactly as a fresh one. */
struct gate {
	int nfields;       /* fields per row */
	int nparams;
	char **names;      /* header fields */
	char *header;      /* their storage */
	int nchecks;
	struct gate_check *checks;
	long nrows, nfailed;
	FILE *failed_list; /* for JUnit */
	int keep_lists;
	int *progress_shown; /* a progress line is on stderr: clear it before printing */
	char *buf;         /* a row being judged */
	size_t bufsize;
	char **fields;
};

static void gate_free(struct gate *g)
{
	for (int k = 0; k < g->nchecks; k++)
		if (g->checks[k].list)
			fclose(g->checks[k].list);
	if (g->failed_list)
		fclose(g->failed_list);
	free(g->checks);
	free(g->names);
	free(g->header);
	free(g->buf);
	free(g->fields);
	memset(g, 0, sizeof *g);
}

static int gate_init(struct gate *g, const char *meta, int keep_lists, struct mv_error *err)
{
	const char *hdr = meta, *p;
	int nmetrics = 0, nchecks = 0;

	memset(g, 0, sizeof *g);
	g->keep_lists = keep_lists;
	for (p = meta; *p == '#'; p = strchr(p, '\n') + 1) {
		nmetrics += strncmp(p, "# metric\t", 9) == 0;
		nchecks += strncmp(p, "# check\t", 8) == 0;
	}
	hdr = p;
	g->header = strndup(hdr, strcspn(hdr, "\n"));
	if (g->header == NULL)
		goto oom;
	g->nfields = 1;
	for (const char *c = g->header; *c; c++)
		g->nfields += *c == '\t';
	g->names = malloc((size_t)g->nfields * sizeof *g->names);
	g->fields = malloc((size_t)g->nfields * sizeof *g->fields);
	g->checks = calloc((size_t)(nchecks > 0 ? nchecks : 1), sizeof *g->checks);
	if (!g->names || !g->fields || !g->checks)
		goto oom;
	split(g->header, g->names, g->nfields);
	g->nparams = g->nfields - 3 - nmetrics;
	if (g->nparams < 0 || strcmp(g->names[0], "run") != 0 ||
	    strcmp(g->names[g->nfields - 2], "status") != 0)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "not a sweep summary header: expected 'run', the parameters, the "
				    "metrics, 'status' and 'reason'");
	for (p = meta; *p == '#'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, "# check\t", 8) != 0)
			continue;
		char line[1024], *f[5];
		snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
		if (split(line, f, 5) != 4)
			return mv_error_set(err, MV_EXIT_INPUT, "malformed '# check' line '%s'", line);
		struct gate_check *ck = &g->checks[g->nchecks];
		ck->col = -1;
		for (int c = 1 + g->nparams; c < g->nfields - 2; c++)
			if (strcmp(g->names[c], f[1]) == 0)
				ck->col = c;
		if (ck->col < 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "'# check' on metric '%s', which is not a column", f[1]);
		ck->c.min = strtod(f[2], NULL);
		ck->c.max = strtod(f[3], NULL);
		mv_check_format(&ck->c, f[1], ck->label, sizeof ck->label);
		if (keep_lists && (ck->list = tmpfile()) == NULL)
			return mv_error_set(err, MV_EXIT_FAIL, "cannot create a temporary file: %s",
					    strerror(errno));
		g->nchecks++;
	}
	if (keep_lists && (g->failed_list = tmpfile()) == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "cannot create a temporary file: %s",
				    strerror(errno));
	return 0;
oom:
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
}

static void clear_progress(struct gate *g)
{
	if (g->progress_shown && *g->progress_shown) {
		fputs("\r\033[K", stderr);
		*g->progress_shown = 0;
	}
}

/* "key = value, key = value" of a row's parameters into out. */
static void params_text(struct gate *g, char **f, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (int j = 0; j < g->nparams && used < size; j++)
		used += (size_t)snprintf(out + used, size - used, "%s%s = %s", j ? ", " : "",
					 g->names[1 + j], f[1 + j]);
}

/* Judges one row (text without its newline). Returns 0, or -1 when the row does not have
 * the header's fields (the caller decides what that means). */
static int gate_row(struct gate *g, const char *row)
{
	size_t len = strlen(row);
	char params[4096];

	if (len + 1 > g->bufsize) {
		char *nb = realloc(g->buf, 2 * len + 1);
		if (nb == NULL)
			return -1;
		g->buf = nb;
		g->bufsize = 2 * len + 1;
	}
	memcpy(g->buf, row, len + 1);
	char **f = g->fields;
	if (split(g->buf, f, g->nfields) != g->nfields)
		return -1;
	g->nrows++;
	params_text(g, f, params, sizeof params);
	int failed = strcmp(f[g->nfields - 2], "ok") != 0;
	if (failed) {
		g->nfailed++;
		clear_progress(g);
		fprintf(stderr, "mvsim: run %s failed: %s (%s)\n", f[0], f[g->nfields - 1], params);
		if (g->failed_list)
			fprintf(g->failed_list, "run %s: %s (%s)\n", f[0], f[g->nfields - 1], params);
	}
	for (int k = 0; k < g->nchecks; k++) {
		struct gate_check *ck = &g->checks[k];
		double v = strtod(f[ck->col], NULL);
		if (mv_check_ok(&ck->c, v))
			continue;
		ck->broken++;
		if (failed) {
			if (ck->list)
				fprintf(ck->list, "run %s: the run failed: %s (%s)\n", f[0],
					f[g->nfields - 1], params);
			continue;
		}
		clear_progress(g);
		fprintf(stderr, "mvsim: run %s breaks check %s: %s = %s (%s)\n", f[0], ck->label,
			g->names[ck->col], f[ck->col], params);
		if (ck->list)
			fprintf(ck->list, "run %s: %s = %s (%s)\n", f[0], g->names[ck->col], f[ck->col],
				params);
	}
	return 0;
}

/* The verdict on stderr; returns the exit status it calls for. */
static int gate_verdict(struct gate *g, const char *what)
{
	int broken = 0;

	clear_progress(g);
	if (g->nfailed)
		fprintf(stderr, "mvsim: %s: %ld of %ld runs failed\n", what, g->nfailed, g->nrows);
	for (int k = 0; k < g->nchecks; k++)
		if (g->checks[k].broken) {
			broken = 1;
			fprintf(stderr, "mvsim: %s: check %s broken by %ld of %ld runs\n", what,
				g->checks[k].label, g->checks[k].broken, g->nrows);
		}
	return g->nfailed || broken ? MV_EXIT_FAIL : MV_EXIT_OK;
}

/* XML text: the five special characters escaped, control characters but tab and newline
 * dropped (XML 1.0 forbids them). */
static void xml_put(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&apos;", f);
		else if (c >= 0x20 || c == '\n' || c == '\t')
			fputc(c, f);
	}
}

static void xml_copy(FILE *f, FILE *list)
{
	char buf[4096];
	size_t n;

	rewind(list);
	while ((n = fread(buf, 1, sizeof buf - 1, list)) > 0) {
		buf[n] = '\0';
		xml_put(f, buf);
	}
}

/* Publishes text written by fn to path via a temporary renamed into place. */
static int publish(const char *path, int (*fn)(FILE *, void *), void *ctx, struct mv_error *err)
{
	size_t len = strlen(path) + 16;
	char *tmp = malloc(len);
	int fd, rc = 0;
	FILE *f;

	if (tmp == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	snprintf(tmp, len, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = mv_error_set(err, MV_EXIT_INPUT, "%s: cannot create: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return rc;
	}
	fn(f, ctx);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", path, strerror(errno));
	if (fclose(f) != 0 && rc == 0)
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", path, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: cannot rename %s into place: %s", path, tmp,
				  strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

struct junit_ctx {
	struct gate *g;
	const char *suite;
	double seconds;
};

/* One test case per check, and one ("runs complete") for runs that failed. */
static int junit_write(FILE *f, void *p)
{
	struct junit_ctx *j = p;
	struct gate *g = j->g;
	int failures = g->nfailed > 0;
	char msg[256];

	for (int k = 0; k < g->nchecks; k++)
		failures += g->checks[k].broken > 0;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"mvsim sweep\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n",
		g->nchecks + 1, failures);
	fputs("  <testsuite name=\"", f);
	xml_put(f, j->suite);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n",
		g->nchecks + 1, failures, j->seconds);
	fputs("    <testcase classname=\"", f);
	xml_put(f, j->suite);
	fputs("\" name=\"runs complete\" time=\"0\"", f);
	if (g->nfailed == 0) {
		fputs("/>\n", f);
	} else {
		snprintf(msg, sizeof msg, "%ld of %ld runs failed", g->nfailed, g->nrows);
		fprintf(f, ">\n      <failure type=\"failed runs\" message=\"%s\">", msg);
		xml_copy(f, g->failed_list);
		fputs("</failure>\n    </testcase>\n", f);
	}
	for (int k = 0; k < g->nchecks; k++) {
		struct gate_check *ck = &g->checks[k];
		fputs("    <testcase classname=\"", f);
		xml_put(f, j->suite);
		fputs("\" name=\"", f);
		xml_put(f, ck->label);
		fputs("\" time=\"0\"", f);
		if (ck->broken == 0) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n      <failure type=\"check\" message=\"", f);
		snprintf(msg, sizeof msg, "%ld of %ld runs break ", ck->broken, g->nrows);
		xml_put(f, msg);
		xml_put(f, ck->label);
		fputs("\">", f);
		xml_copy(f, ck->list);
		fputs("</failure>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return 0;
}

/* ================================================================ the summary's text */

/* Metadata and header of the summary of sw, part K of N. Returns a malloc'd string. */
static char *summary_meta(const struct mv_sweep *sw, int K, int N)
{
	char *meta = NULL, num[32], num2[32];
	size_t size = 0;
	FILE *m = open_memstream(&meta, &size);

	if (m == NULL)
		return NULL;
	fprintf(m, "# mvsim %s sweep summary\n", MV_VERSION);
	fprintf(m, "# sweep\t%s\t%s\n", sw->path, sw->sha256);
	fprintf(m, "# scenario\t%s\t%s\n", sw->scenario_path, sw->sc->sha256);
	/* a what-if's bases and the data series decide the runs too */
	for (int k = 0; k < sw->sc->nfiles; k++) {
		char sha[65];
		if (k == sw->sc->top)
			continue;
		if (mv_sha256_file(sw->sc->files[k], sha))
			snprintf(sha, sizeof sha, "unreadable");
		fprintf(m, "# base\t%s\t%s\n", sw->sc->files[k], sha);
	}
	for (int k = 0; k < sw->sc->nseries; k++) {
		char sha[65];
		int seen = 0;
		for (int q = 0; q < k; q++)
			seen |= strcmp(sw->sc->series[q].path, sw->sc->series[k].path) == 0;
		if (seen)
			continue;
		if (mv_sha256_file(sw->sc->series[k].path, sha))
			snprintf(sha, sizeof sha, "unreadable");
		fprintf(m, "# data\t%s\t%s\n", sw->sc->series[k].path, sha);
	}
	for (int k = 0; k < sw->sc->nsets; k++)
		fprintf(m, "# set\t%s\n", sw->sc->sets[k]);
	fprintf(m, "# method\t%s\n", sw->method);
	fprintf(m, "# samples\t%ld\n", sw->samples);
	fprintf(m, "# seed\t%llu\n", (unsigned long long)sw->seed);
	fprintf(m, "# runs\t%ld\n", sw->nruns);
	fprintf(m, "# shard\t%d/%d\n", K, N);
	for (int j = 0; j < sw->nparams; j++) {
		const struct mv_sweep_param *p = &sw->params[j];
		mv_format_exact(p->min, num);
		mv_format_exact(p->max, num2);
		if (p->nlevels)
			fprintf(m, "# parameter\t%s\t%s\t%s\t%d levels\n", p->key, num, num2, p->nlevels);
		else
			fprintf(m, "# parameter\t%s\t%s\t%s\tcontinuous\n", p->key, num, num2);
		if (p->normalise) /* the domain's other initial shares follow it (load: sweep.c) */
			fprintf(m, "# normalise\t%s\n", p->key);
	}
	for (int k = 0; k < sw->nmetrics; k++)
		fprintf(m, "# metric\t%s\n", sw->metric_names[k]);
	for (int k = 0; k < sw->nchecks; k++) {
		mv_format_exact(sw->checks[k].min, num);
		mv_format_exact(sw->checks[k].max, num2);
		fprintf(m, "# check\t%s\t%s\t%s\n", sw->metric_names[sw->checks[k].metric], num, num2);
	}
	fputs("run", m);
	for (int j = 0; j < sw->nparams; j++)
		fprintf(m, "\t%s", sw->params[j].key);
	for (int k = 0; k < sw->nmetrics; k++)
		fprintf(m, "\t%s", sw->metric_names[k]);
	fputs("\tstatus\treason\n", m);
	if (fclose(m) != 0) {
		free(meta);
		return NULL;
	}
	return meta;
}

static int format_value(double v, char *buf)
{
	if (isnan(v))
		return (int)(strcpy(buf, "nan"), 3);
	return mv_format_number(v, buf);
}

/* ================================================================ mvsim sweep */

struct sweep_opts {
	const char *file;
	const char *output;
	int jobs;
	int shard_k, shard_n;
	int resume;
	const char *junit;
	const char *series;
	int nsets;
	char **sets;
	int quiet;
};

/* Everything a run of `mvsim sweep` shares between its callbacks. */
struct sweep_ctx {
	const struct mv_sweep *sw;
	struct mv_sampler *sampler;
	double *u;
	FILE *out;          /* the summary (partial file or stdout) */
	int flush_rows;     /* a .partial: every row reaches the file when delivered */
	const char *out_name;
	char *line;         /* a row being formatted */
	size_t linesize;
	struct gate gate;
	long done, total;   /* rows in the summary / runs of this shard */
	long done0;         /* rows already there when this process started */
	int progress;       /* show a progress line */
	int progress_shown;
	double t0, last;
};

static int point_fn(void *ctx, long k, double *x, struct mv_error *err)
{
	struct sweep_ctx *c = ctx;

	if (mv_sampler_next(c->sampler, k, c->u))
		return mv_error_set(err, MV_EXIT_FAIL, "sampler: no point %ld", k);
	mv_sweep_map(c->sw, c->u, x);
	return 0;
}

static void show_progress(struct sweep_ctx *c, int force)
{
	double t = mv_cli_now();

	if (!c->progress || (!force && t - c->last < 0.2))
		return;
	c->last = t;
	double rate = t > c->t0 ? (double)(c->done - c->done0) / (t - c->t0) : 0;
	double left = rate > 0 ? (double)(c->total - c->done) / rate : 0;
	char eta[32];
	if (left < 60)
		snprintf(eta, sizeof eta, "%.0f s", left);
	else if (left < 3600)
		snprintf(eta, sizeof eta, "%d min %02d s", (int)(left / 60), (int)fmod(left, 60));
	else
		snprintf(eta, sizeof eta, "%.0f h %02d min", floor(left / 3600),
			 (int)fmod(left / 60, 60));
	fprintf(stderr, "\rmvsim sweep: %ld/%ld runs (%.0f%%), %.0f runs/s, %s left\033[K", c->done,
		c->total, c->total ? 100.0 * (double)c->done / (double)c->total : 100.0, rate, eta);
	c->progress_shown = 1;
}

static int on_result(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct sweep_ctx *c = ctx;
	const struct mv_sweep *sw = c->sw;
	size_t used = (size_t)snprintf(c->line, c->linesize, "%ld", res->k);

	for (int j = 0; j < sw->nparams; j++) {
		c->line[used++] = '\t';
		used += (size_t)format_value(res->x[j], c->line + used);
	}
	for (int m = 0; m < sw->nmetrics; m++) {
		c->line[used++] = '\t';
		used += (size_t)format_value(res->metrics[m], c->line + used);
	}
	used += (size_t)snprintf(c->line + used, c->linesize - used, "\t%s\t%s",
				 res->status == MV_RUN_OK ? "ok" : "failed",
				 res->status == MV_RUN_OK ? "-" : res->reason);
	if (fprintf(c->out, "%s\n", c->line) < 0 || (c->flush_rows && fflush(c->out) != 0))
		return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", c->out_name,
				    strerror(errno));
	gate_row(&c->gate, c->line);
	c->done++;
	show_progress(c, 0);
	return 0;
}

/* ---- --series DIR: each run's rows to DIR/run-NNNNNN.tsv */

struct series_ctx {
	const char *dir;
	const struct mv_sweep *sw;
};

static int series_begin(void *ctx, const struct mv_batch_run *run, struct mv_run_opts *opts,
			void **run_ctx, struct mv_error *err)
{
	struct series_ctx *s = ctx;
	char path[4096];

	snprintf(path, sizeof path, "%s/run-%06ld.tsv", s->dir, run->k);
	struct mv_writer *w = mv_writer_open(path, err);
	if (w == NULL)
		return -1;
	char k[32];
	snprintf(k, sizeof k, "%ld", run->k);
	if (mv_writer_metadata(w, run->sc, &s->sw->kt,
			       opts->method ? opts->method : run->sc->method, NULL, err) ||
	    mv_writer_meta(w, "sweep run", k, err) ||
	    mv_writer_columns(w, s->sw->columns, s->sw->ncols, err)) {
		mv_writer_abort(w);
		return -1;
	}
	*run_ctx = w;
	return 0;
}

static int series_end(void *ctx, const struct mv_batch_run *run, void *run_ctx, int status,
		      void **payload, struct mv_error *err)
{
	(void)ctx;
	(void)run;
	(void)payload;
	if (run_ctx == NULL)
		return 0;
	if (status != MV_RUN_OK) { /* a failed run leaves no partial series behind */
		mv_writer_abort(run_ctx);
		return 0;
	}
	return mv_writer_commit(run_ctx, err);
}

/* ---- options */

static int parse_shard(const char *s, int *k, int *n)
{
	char *end;
	errno = 0;
	long a = strtol(s, &end, 10);
	if (end == s || *end != '/' || errno)
		return -1;
	const char *b = end + 1;
	long c = strtol(b, &end, 10);
	if (end == b || *end != '\0' || errno || a < 1 || c < 1 || a > c || c > 1000000)
		return -1;
	*k = (int)a;
	*n = (int)c;
	return 0;
}

enum { OPT_SHARD = 256, OPT_RESUME, OPT_JUNIT, OPT_SERIES };

/* Returns -1 to go on, or an exit status. */
static int parse_sweep_opts(int argc, char **argv, struct sweep_opts *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
		{"shard", required_argument, NULL, OPT_SHARD}, {"resume", no_argument, NULL, OPT_RESUME},
		{"junit", required_argument, NULL, OPT_JUNIT}, {"series", required_argument, NULL, OPT_SERIES},
		{"set", required_argument, NULL, 's'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof *o);
	o->shard_k = o->shard_n = 1;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:j:s:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(mv_sweep_usage, stdout);
			return fflush(stdout) ? MV_EXIT_FAIL : MV_EXIT_OK;
		case '?':
			return mv_cli_usage_error("sweep", "unknown option '%s'", argv[optind - 1]);
		case ':':
			return mv_cli_usage_error("sweep", "option '%s' needs a value", argv[optind - 1]);
		case 'o':
			o->output = optarg;
			break;
		case 'j': {
			char *end;
			errno = 0;
			long j = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || j < 1 || j > 1024)
				return mv_cli_usage_error("sweep", "--jobs: expected an integer in [1, 1024], found '%s'",
						   optarg);
			o->jobs = (int)j;
			break;
		}
		case OPT_SHARD:
			if (parse_shard(optarg, &o->shard_k, &o->shard_n))
				return mv_cli_usage_error("sweep",
						   "--shard: expected K/N with 1 <= K <= N (e.g. 2/8), found '%s'",
						   optarg);
			break;
		case OPT_RESUME:
			o->resume = 1;
			break;
		case OPT_JUNIT:
			o->junit = optarg;
			break;
		case OPT_SERIES:
			o->series = optarg;
			break;
		case 's': {
			char **n = realloc(o->sets, (size_t)(o->nsets + 1) * sizeof *n);
			if (n == NULL)
				return mv_cli_usage_error("sweep", "out of memory");
			o->sets = n;
			o->sets[o->nsets++] = optarg;
			break;
		}
		case 'q':
			o->quiet = 1;
			break;
		}
	}
	if (optind >= argc)
		return mv_cli_usage_error("sweep", "missing SWEEP.cfg");
	if (optind + 1 < argc)
		return mv_cli_usage_error("sweep", "unexpected argument '%s'", argv[optind + 1]);
	o->file = argv[optind];
	if (o->resume && o->output == NULL)
		return mv_cli_usage_error("sweep", "--resume needs -o FILE (it continues FILE.partial)");
	return -1;
}

/* ---- the summary file: FILE.partial, fresh or resumed */

/* Rows of an existing summary (after its metadata block) fed to the gate while they are
 * exactly runs first + i·stride; *good receives their count and *end the offset after the
 * last. Returns 1 if a complete trailer follows them, else 0. */
static int scan_rows(FILE *f, struct gate *g, long first, long stride, long max, long *good,
		     long *end)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int trailer = 0;

	*good = 0;
	*end = ftell(f);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] != '\n')
			break; /* torn by a kill mid-write */
		line[len - 1] = '\0';
		if (line[0] == '#') {
			trailer = strncmp(line, TRAILER "\t", sizeof TRAILER) == 0;
			break;
		}
		char *endp;
		long k = strtol(line, &endp, 10);
		if (*good >= max || *endp != '\t' || k != first + *good * stride || gate_row(g, line))
			break;
		(*good)++;
		*end = ftell(f);
	}
	free(line);
	return trailer;
}

static int check_same(const char *path, const char *found, const char *want,
		      struct mv_error *err)
{
	char la[600], lb[600];

	if (strcmp(found, want) == 0)
		return 0;
	first_difference(found, want, la, lb, sizeof la);
	return mv_error_set(err, MV_EXIT_INPUT,
			    "%s: cannot resume: it is from a different sweep: its line '%s' differs "
			    "from this sweep's '%s'",
			    path, la, lb);
}

/* Opens the summary for writing at the first missing run. Sets c->out, c->done.
 * Returns 0, 1 when a complete summary is there already (nothing to run), -1 with err set. */
static int open_summary(struct sweep_ctx *c, const struct sweep_opts *o, const char *meta,
			const char *partial, long first, long stride, int *fd_out,
			struct mv_error *err)
{
	int fd = -1;
	FILE *r = NULL;
	char *found = NULL;
	long good = 0, end = 0;

	if (o->resume) {
		fd = open(partial, O_RDWR);
		if (fd < 0 && errno != ENOENT)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open: %s", partial,
					    strerror(errno));
		if (fd < 0) {
			/* No partial: a complete summary of the same sweep needs nothing more. */
			if ((r = fopen(o->output, "r")) != NULL) {
				int rc = -1;
				if ((found = read_meta(r, o->output, err)) != NULL &&
				    check_same(o->output, found, meta, err) == 0) {
					int trailer = scan_rows(r, &c->gate, first, stride, c->total, &good,
								&end);
					if (trailer && good == c->total)
						rc = 1;
					else
						mv_error_set(err, MV_EXIT_INPUT,
							     "%s: cannot resume: an incomplete summary without "
							     "%s: remove it",
							     o->output, partial);
				}
				fclose(r);
				free(found);
				c->done = good;
				return rc;
			}
		}
	}
	if (fd < 0) {
		fd = open(partial, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd < 0 && errno == EEXIST)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s exists: a sweep into %s was interrupted; continue it with "
					    "--resume, or remove it",
					    partial, o->output);
		if (fd < 0)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot create: %s", partial,
					    strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) != 0 || (c->out = fdopen(fd, "w")) == NULL) {
			close(fd);
			unlink(partial);
			return mv_error_set(err, MV_EXIT_FAIL, "%s: cannot open: %s", partial,
					    strerror(errno));
		}
		*fd_out = fd;
		if (fputs(meta, c->out) < 0 || fflush(c->out) != 0)
			return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", partial,
					    strerror(errno));
		return 0;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: another sweep is writing it", partial);
	}
	if ((r = fopen(partial, "r")) == NULL) {
		close(fd);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read: %s", partial,
				    strerror(errno));
	}
	if ((found = read_meta(r, partial, err)) == NULL || check_same(partial, found, meta, err)) {
		free(found);
		fclose(r);
		close(fd);
		return -1;
	}
	free(found);
	scan_rows(r, &c->gate, first, stride, c->total, &good, &end);
	fclose(r);
	/* Whatever follows the last good row (a torn row, a trailer written just before a
	 * kill) is cut off and run again. */
	if (ftruncate(fd, (off_t)end) != 0 || lseek(fd, (off_t)end, SEEK_SET) < 0 ||
	    (c->out = fdopen(fd, "w")) == NULL) {
		close(fd);
		return mv_error_set(err, MV_EXIT_FAIL, "%s: cannot continue it: %s", partial,
				    strerror(errno));
	}
	*fd_out = fd;
	c->done = good;
	return 0;
}

/* Noise is not drawn in sweeps yet: refuse rather than silently run without it. */
static int check_no_noise(const struct mv_sweep *sw, struct mv_error *err)
{
	const struct mv_scenario *sc = sw->sc;
	int n = sc->nvec, D = sc->ndom;
	int noisy = sc->val[MV_G_NOISE_SIGMA] > 0;

	for (int i = 0; i < n; i++)
		noisy |= sc->val[mv_key_vec(n, D, i, MV_VP_NOISE_SIGMA)] > 0;
	for (int j = 0; j < sw->nparams; j++) {
		int slot = sw->params[j].slot, sigma = slot == MV_G_NOISE_SIGMA;
		for (int i = 0; i < n; i++)
			sigma |= slot == mv_key_vec(n, D, i, MV_VP_NOISE_SIGMA);
		noisy |= sigma && sw->params[j].max > 0;
	}
	if (noisy)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: sweeps do not draw noise yet: expected noise.sigma and every "
				    "noise_sigma 0 (and not swept above 0), found noise",
				    sw->path);
	return 0;
}

static int prepare_series_dir(const char *dir, struct mv_error *err)
{
	struct stat st;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return mv_error_set(err, MV_EXIT_INPUT, "--series %s: cannot create: %s", dir,
				    strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return mv_error_set(err, MV_EXIT_INPUT, "--series %s: not a directory", dir);
	if (access(dir, W_OK) != 0)
		return mv_error_set(err, MV_EXIT_INPUT, "--series %s: not writable", dir);
	return 0;
}

int mv_cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o;
	struct mv_error err = {0};
	struct mv_sweep *sw = NULL;
	struct mv_batch *batch = NULL;
	struct sweep_ctx c;
	struct series_ctx sctx;
	struct mv_batch_sink sink;
	char *meta = NULL, *partial = NULL;
	int fd = -1, rc;
	long first, count;

	memset(&c, 0, sizeof c);
	if ((rc = parse_sweep_opts(argc, argv, &o)) >= 0)
		goto out;
	if ((sw = mv_sweep_load(o.file, o.nsets, o.sets, &err)) == NULL ||
	    check_no_noise(sw, &err) || (o.series && prepare_series_dir(o.series, &err)))
		goto fail;
	if ((meta = summary_meta(sw, o.shard_k, o.shard_n)) == NULL)
		goto oom;
	/* Shard K of N: runs K−1, K−1+N, K−1+2N, ... */
	first = o.shard_k - 1;
	count = sw->nruns > first ? (sw->nruns - first + o.shard_n - 1) / o.shard_n : 0;
	c.sw = sw;
	c.total = count;
	c.out_name = o.output ? o.output : "standard output";
	c.progress = !o.quiet && isatty(2);
	c.linesize = (size_t)(sw->nparams + sw->nmetrics + 2) * 40 + MV_ERROR_MAX + 64;
	c.u = malloc((size_t)sw->nparams * sizeof *c.u);
	c.line = malloc(c.linesize);
	if (c.u == NULL || c.line == NULL)
		goto oom;
	if (gate_init(&c.gate, meta, o.junit != NULL, &err))
		goto fail;
	c.gate.progress_shown = &c.progress_shown;
	int levels[MV_SWEEP_MAX_PARAMS];
	for (int j = 0; j < sw->nparams; j++)
		levels[j] = sw->params[j].nlevels;
	if ((c.sampler = mv_sampler_create(sw->method, sw->nparams, sw->samples, sw->seed, levels,
					   &err)) == NULL)
		goto fail;

	int slots[MV_SWEEP_MAX_PARAMS];
	for (int j = 0; j < sw->nparams; j++)
		slots[j] = sw->params[j].slot;
	struct mv_batch_spec spec = {0};
	spec.nparams = sw->nparams;
	spec.slots = slots;
	spec.nmetrics = sw->nmetrics;
	spec.metrics = sw->metrics;
	spec.point = point_fn;
	spec.point_ctx = &c;
	spec.result = on_result;
	spec.result_ctx = &c;
	spec.jobs = o.jobs;
	spec.seed = sw->seed; /* SIGINT/SIGTERM stop it through mv_interrupt (error.h) */
	if (o.series) {
		sctx = (struct series_ctx){o.series, sw};
		sink = (struct mv_batch_sink){series_begin, mv_writer_row_cb, series_end, NULL, &sctx};
		spec.sink = &sink;
	}
	if ((batch = mv_batch_create(sw->sc, &sw->kt, &spec, &err)) == NULL)
		goto fail;

	/* The summary is opened last: an error above leaves no file behind. */
	if (o.output) {
		size_t len = strlen(o.output) + 16;
		if ((partial = malloc(len)) == NULL)
			goto oom;
		snprintf(partial, len, "%s.partial", o.output);
		int orc = open_summary(&c, &o, meta, partial, first, o.shard_n, &fd, &err);
		if (orc < 0)
			goto fail;
		if (orc == 1) /* complete already: judge it again, run nothing */
			goto judge;
		c.flush_rows = 1;
	} else {
		c.out = stdout;
		if (fputs(meta, stdout) < 0)
			goto io;
	}

	c.done0 = c.done;
	c.t0 = mv_cli_now();
	show_progress(&c, 1);
	long ndone;
	int brc = mv_batch_exec(batch, first + c.done * o.shard_n, count - c.done, o.shard_n,
				&ndone, &err);
	show_progress(&c, 1);
	clear_progress(&c.gate);
	if (brc != 0) {
		/* Completed rows stay in the partial: flush them, keep it for --resume. */
		int sig = (int)mv_interrupt;
		char why[64];
		if (c.out && c.out != stdout)
			fflush(c.out);
		if (brc < 0)
			fprintf(stderr, "mvsim: %s\n", err.msg);
		snprintf(why, sizeof why, "%s", brc < 0 ? "stopped" : sig == SIGINT ? "interrupted by SIGINT"
					 : sig == SIGTERM ? "interrupted by SIGTERM" : "interrupted");
		if (o.output)
			fprintf(stderr,
				"mvsim: sweep %s after %ld of %ld runs; the finished runs are in %s: "
				"run the same command with --resume to finish it\n",
				why, c.done, count, partial);
		else
			fprintf(stderr, "mvsim: sweep %s after %ld of %ld runs (output incomplete)\n", why,
				c.done, count);
		/* 128 + signal, as every command interrupted (docs/errors.md) */
		rc = brc < 0 ? (err.code ? err.code : MV_EXIT_FAIL) : sig ? 128 + sig : MV_EXIT_FAIL;
		goto out;
	}
	if (fprintf(c.out, TRAILER "\t%ld runs\t%ld failed\n", c.gate.nrows, c.gate.nfailed) < 0)
		goto io;
	if (o.output) {
		FILE *f = c.out;
		c.out = NULL;
		fd = -1;
		int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
		bad |= fclose(f) != 0; /* also releases the lock */
		if (bad)
			goto io;
		if (rename(partial, o.output) != 0) {
			mv_error_set(&err, MV_EXIT_FAIL, "%s: cannot rename %s into place: %s", o.output,
				     partial, strerror(errno));
			goto fail;
		}
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		goto io;
	}
judge:
	if (o.junit) {
		struct junit_ctx j = {&c.gate, sw->path, c.t0 > 0 ? mv_cli_now() - c.t0 : 0};
		if (publish(o.junit, junit_write, &j, &err))
			goto fail;
	}
	rc = gate_verdict(&c.gate, "sweep");
	goto out;
io:
	mv_error_set(&err, MV_EXIT_FAIL, "%s: write failed: %s", c.out_name, strerror(errno));
	goto fail;
oom:
	mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
fail:
	clear_progress(&c.gate);
	rc = mv_cli_report(&err);
out:
	if (c.out && c.out != stdout)
		fclose(c.out);
	else if (fd >= 0)
		close(fd);
	mv_batch_free(batch);
	mv_sampler_free(c.sampler);
	gate_free(&c.gate);
	free(c.u);
	free(c.line);
	free(meta);
	free(partial);
	mv_sweep_free(sw);
	free(o.sets);
	return rc;
}

/* ================================================================ mvsim merge */

struct part {
	const char *path;
	FILE *f;
	char *meta;
	int k, n;
	long rows;
};

/* meta without its "# shard" line, for comparing parts. */
static void strip_shard(char *meta)
{
	char *p = strstr(meta, "\n# shard\t");
	if (p) {
		char *e = strchr(p + 1, '\n');
		memmove(p, e, strlen(e) + 1);
	}
}

static int merge_write(FILE *out, struct part *parts, int np, long total, struct gate *g,
		       const char *meta, const char *outpath, struct mv_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	if (fputs(meta, out) < 0)
		goto io;
	for (long r = 0; r < total; r++) {
		struct part *p = NULL;
		for (int q = 0; q < np; q++)
			if (parts[q].k - 1 == (int)(r % parts[q].n))
				p = &parts[q];
		len = getline(&line, &cap, p->f);
		if (len <= 0 || line[len - 1] != '\n' || line[0] == '#') {
			rc = mv_error_set(err, MV_EXIT_INPUT,
					  "%s: incomplete: run %ld is missing (finish the shard with "
					  "'mvsim sweep ... --shard %d/%d --resume')",
					  p->path, r, p->k, p->n);
			goto done;
		}
		char *endp;
		long k = strtol(line, &endp, 10);
		if (k != r || *endp != '\t') {
			rc = mv_error_set(err, MV_EXIT_INPUT,
					  "%s: expected run %ld next (part %d/%d), found '%.40s'", p->path,
					  r, p->k, p->n, line);
			goto done;
		}
		if (fputs(line, out) < 0)
			goto io;
		line[len - 1] = '\0';
		if (gate_row(g, line)) {
			rc = mv_error_set(err, MV_EXIT_INPUT, "%s: run %ld: expected %d fields", p->path,
					  r, g->nfields);
			goto done;
		}
		p->rows++;
	}
	for (int q = 0; q < np; q++) {
		char want[64];
		int wl = snprintf(want, sizeof want, TRAILER "\t%ld runs\t", parts[q].rows);
		len = getline(&line, &cap, parts[q].f);
		if (len <= 0 || strncmp(line, want, (size_t)wl) != 0) {
			rc = mv_error_set(err, MV_EXIT_INPUT,
					  "%s: incomplete or not part %d/%d of a %ld-run sweep (expected "
					  "'%s...' after its %ld rows): finish it with 'mvsim sweep --resume'",
					  parts[q].path, parts[q].k, parts[q].n, total, TRAILER,
					  parts[q].rows);
			goto done;
		}
	}
	if (fprintf(out, TRAILER "\t%ld runs\t%ld failed\n", g->nrows, g->nfailed) < 0)
		goto io;
	goto done;
io:
	rc = mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", outpath, strerror(errno));
done:
	free(line);
	return rc;
}

int mv_cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct mv_error err = {0};
	struct part *parts = NULL;
	struct gate g;
	const char *output = NULL;
	char *tmp = NULL, *meta = NULL, field[256];
	FILE *out = NULL;
	int np = 0, opt, rc;
	long total = 0;

	memset(&g, 0, sizeof g);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(mv_merge_usage, stdout);
			return fflush(stdout) ? MV_EXIT_FAIL : MV_EXIT_OK;
		}
		if (opt == '?')
			return mv_cli_usage_error("merge", "unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return mv_cli_usage_error("merge", "option '%s' needs a value", argv[optind - 1]);
		output = optarg;
	}
	if (optind >= argc)
		return mv_cli_usage_error("merge", "missing PARTS");
	if (output == NULL)
		return mv_cli_usage_error("merge", "missing -o summary.tsv");
	np = argc - optind;
	if ((parts = calloc((size_t)np, sizeof *parts)) == NULL)
		goto oom;
	for (int q = 0; q < np; q++) {
		struct part *p = &parts[q];
		p->path = argv[optind + q];
		if ((p->f = fopen(p->path, "r")) == NULL) {
			mv_error_set(&err, MV_EXIT_INPUT, "%s: cannot open: %s", p->path, strerror(errno));
			goto fail;
		}
		if ((p->meta = read_meta(p->f, p->path, &err)) == NULL)
			goto fail;
		if (meta_field(p->meta, "shard", field, sizeof field) ||
		    parse_shard(field, &p->k, &p->n)) {
			mv_error_set(&err, MV_EXIT_INPUT, "%s: no valid '# shard K/N' line", p->path);
			goto fail;
		}
	}
	for (int q = 0; q < np; q++) {
		struct part *p = &parts[q];
		char a[600], b[600];
		if (q > 0) {
			char *m0 = strdup(parts[0].meta), *mq = strdup(p->meta);
			if (m0 == NULL || mq == NULL) {
				free(m0);
				free(mq);
				goto oom;
			}
			strip_shard(m0);
			strip_shard(mq);
			int same = strcmp(m0, mq) == 0;
			if (!same)
				first_difference(mq, m0, a, b, sizeof a);
			free(m0);
			free(mq);
			if (!same) {
				mv_error_set(&err, MV_EXIT_INPUT,
					     "%s: not a part of the same sweep as %s: its line '%s' "
					     "differs from '%s'",
					     p->path, parts[0].path, a, b);
				goto fail;
			}
		}
		if (p->n != parts[0].n) {
			mv_error_set(&err, MV_EXIT_INPUT,
				     "%s: part %d/%d of a sweep in %d shards, but %s is part %d/%d",
				     p->path, p->k, p->n, p->n, parts[0].path, parts[0].k, parts[0].n);
			goto fail;
		}
		for (int r = 0; r < q; r++)
			if (parts[r].k == p->k) {
				mv_error_set(&err, MV_EXIT_INPUT, "%s and %s are both part %d/%d",
					     parts[r].path, p->path, p->k, p->n);
				goto fail;
			}
	}
	if (np != parts[0].n) {
		int missing = 1;
		for (int k = 1; k <= parts[0].n; k++) {
			int found = 0;
			for (int q = 0; q < np; q++)
				found |= parts[q].k == k;
			if (!found) {
				missing = k;
				break;
			}
		}
		mv_error_set(&err, MV_EXIT_INPUT,
			     "expected the %d parts 1/%d to %d/%d of the sweep, found %d: part %d/%d "
			     "is missing",
			     parts[0].n, parts[0].n, parts[0].n, parts[0].n, np, missing, parts[0].n);
		goto fail;
	}
	if (meta_field(parts[0].meta, "runs", field, sizeof field) ||
	    (total = strtol(field, NULL, 10)) < 0) {
		mv_error_set(&err, MV_EXIT_INPUT, "%s: no valid '# runs' line", parts[0].path);
		goto fail;
	}
	/* The merged summary is the unsharded sweep's: its metadata says shard 1/1. */
	{
		char *p = strstr(parts[0].meta, "\n# shard\t");
		char *e = strchr(p + 1, '\n');
		size_t head = (size_t)(p - parts[0].meta) + 1;
		size_t len = head + strlen("# shard\t1/1") + strlen(e) + 1;
		if ((meta = malloc(len)) == NULL)
			goto oom;
		snprintf(meta, len, "%.*s# shard\t1/1%s", (int)head, parts[0].meta, e);
	}
	if (gate_init(&g, meta, 0, &err))
		goto fail;
	size_t tlen = strlen(output) + 16;
	if ((tmp = malloc(tlen)) == NULL)
		goto oom;
	snprintf(tmp, tlen, "%s.tmp.XXXXXX", output);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		mv_error_set(&err, MV_EXIT_INPUT, "%s: cannot create: %s", output, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (out = fdopen(fd, "w")) == NULL) {
		close(fd);
		mv_error_set(&err, MV_EXIT_FAIL, "%s: cannot write: %s", output, strerror(errno));
		goto fail;
	}
	if (merge_write(out, parts, np, total, &g, meta, output, &err))
		goto fail;
	int bad = fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0;
	bad |= fclose(out) != 0;
	out = NULL;
	if (bad) {
		mv_error_set(&err, MV_EXIT_FAIL, "%s: write failed: %s", output, strerror(errno));
		goto fail;
	}
	if (rename(tmp, output) != 0) {
		mv_error_set(&err, MV_EXIT_FAIL, "%s: cannot rename %s into place: %s", output, tmp,
			     strerror(errno));
		goto fail;
	}
	free(tmp);
	tmp = NULL;
	rc = gate_verdict(&g, "merge");
	goto out;
oom:
	mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
fail:
	rc = mv_cli_report(&err);
out:
	if (out)
		fclose(out);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	for (int q = 0; q < np && parts; q++) {
		if (parts[q].f)
			fclose(parts[q].f);
		free(parts[q].meta);
	}
	free(parts);
	free(meta);
	gate_free(&g);
	return rc;
}
