/* summary.c — sweep summaries: the text format, the gate of its checks, the .partial file
 * (flock, resume) and the merge of shards. Never prints: notes go to the caller's function. */
#define _GNU_SOURCE /* open_memstream, flock, strndup */
#include "mvsim/summary.h"

#include "mvsim/checklint.h"

#include "mvsim/batch.h"
#include "mvsim/metrics.h"
#include "mvsim/outfile.h"
#include "mvsim/output.h"
#include "mvsim/sha256.h"
#include "mvsim/sweep.h"
#include "mvsim/tsv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ================================================================ the format */

char *mv_summary_meta(const struct mv_sweep *sw, int K, int N)
{
	char *meta = NULL, num[32], num2[32];
	size_t size = 0;
	FILE *m = open_memstream(&meta, &size);

	if (m == NULL)
		return NULL;
	fprintf(m, "# mvsim %s sweep summary\n", MV_VERSION);
	fprintf(m, "# sweep\t%s\t%s\n", sw->path, sw->sha256);
	fprintf(m, "# scenario\t%s\t%s\n", sw->scenario_path, sw->sc->sha256);
	/* a what-if's bases and the data series decide the runs too: as the loader read and
	 * hashed them (mv_scenario.inputs), bases first */
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < sw->sc->ninputs; k++) {
			const struct mv_input *in = &sw->sc->inputs[k];
			if (in->role == (pass ? MV_INPUT_SERIES : MV_INPUT_BASE))
				fprintf(m, "# %s\t%s\t%s\n", pass ? "data" : "base", in->path,
					in->sha256);
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

/* A value as the summary prints it: %.10g, "nan" for every NaN. Returns the length. */
static int format_value(double v, char *buf)
{
	if (isnan(v))
		return (int)(strcpy(buf, "nan"), 3);
	return mv_format_number(v, buf);
}

size_t mv_summary_row_size(const struct mv_sweep *sw)
{
	return (size_t)(sw->nparams + sw->nmetrics + 2) * 40 + MV_ERROR_MAX + 64;
}

/* The row of run k: its number, each parameter and metric (%.10g, "nan"), status and
 * reason ("-" when ok), into buf (size bytes: np + nm fields of at most 40 bytes and the
 * reason). The one layout of a row: the file's rows and the gate's checksum both use it. */
static size_t row_text(char *buf, size_t size, long k, const double *x, int np,
		       const double *metrics, int nm, int ok, const char *reason)
{
	size_t used = (size_t)snprintf(buf, size, "%ld", k);

	/* every number takes at most 32 bytes: the callers leave 40 per field */
	for (int j = 0; j < np; j++) {
		buf[used++] = '\t';
		used += (size_t)format_value(x[j], buf + used);
	}
	for (int m = 0; m < nm; m++) {
		buf[used++] = '\t';
		used += (size_t)format_value(metrics[m], buf + used);
	}
	used += (size_t)snprintf(buf + used, size - used, "\t%s\t%s", ok ? "ok" : "failed",
				 ok ? "-" : reason);
	return used < size ? used : size - 1;
}

size_t mv_summary_format_row(const struct mv_sweep *sw, const struct mv_batch_result *res,
			     char *buf, size_t size)
{
	return row_text(buf, size, res->k, res->x, sw->nparams, res->metrics, sw->nmetrics,
			res->status == MV_RUN_OK, res->reason);
}

char *mv_summary_read_meta(FILE *f, const char *name, struct mv_error *err)
{
	char *meta = NULL;
	size_t msize = 0;
	FILE *m = open_memstream(&meta, &msize);
	struct mv_tsv *t;
	int ok = 0;

	if (m == NULL || (t = mv_tsv_reader(f, name, 0, err)) == NULL) {
		if (m)
			fclose(m);
		free(meta);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	size_t total = 0;
	while (mv_tsv_next(t, NULL) > 0) {
		if (mv_tsv_lineno(t) == 1 && strncmp(mv_tsv_line(t), "# mvsim ", 8) != 0)
			break;
		if (!mv_tsv_complete(t) || (total += mv_tsv_len(t) + 1) > MV_SUMMARY_MAX_META)
			break;
		fputs(mv_tsv_line(t), m);
		fputc('\n', m);
		if (!mv_tsv_is_comment(t)) {
			ok = 1;
			break;
		}
	}
	mv_tsv_close(t);
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
			     name);
		return NULL;
	}
	return meta;
}

/* A line of the metadata that names a file read ("# sweep", "# scenario", "# base", "# data":
 * TAG, path, SHA-256): the file is known by its content, so the path is no part of the
 * sweep's identity. Returns the length of the tag with its tab, or 0. */
static size_t file_line(const char *line, size_t len)
{
	static const char *const tags[] = {"# sweep\t", "# scenario\t", "# base\t", "# data\t"};
	for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++) {
		size_t n = strlen(tags[k]);
		if (len > n && strncmp(line, tags[k], n) == 0 && memchr(line + n, '\t', len - n))
			return n;
	}
	return 0;
}

/* Whether two lines are the same for a sweep's identity: equal, or the same file line but
 * for the path (the same tag and hash). */
static int same_line(const char *a, size_t na, const char *b, size_t nb)
{
	if (na == nb && memcmp(a, b, na) == 0)
		return 1;
	size_t ta = file_line(a, na), tb = file_line(b, nb);
	if (ta == 0 || ta != tb || memcmp(a, b, ta) != 0)
		return 0;
	const char *ha = a + na, *hb = b + nb;
	while (ha > a && ha[-1] != '\t')
		ha--;
	while (hb > b && hb[-1] != '\t')
		hb--;
	return (size_t)(a + na - ha) == (size_t)(b + nb - hb) && memcmp(ha, hb, (size_t)(a + na - ha)) == 0;
}

/* Compares two metadata blocks as identities (docs/sweeps.md: the sweep file, scenario, bases
 * and data by their SHA-256, not their paths, and every other line as it is). Returns 1
 * when the same, else 0 with the first differing lines in la and lb (tabs as spaces). */
static int same_identity(const char *a, const char *b, char *la, char *lb, size_t size)
{
	for (;;) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
		if (!same_line(a, na, b, nb) || (ea == NULL) != (eb == NULL)) {
			snprintf(la, size, "%.*s", (int)na, a);
			snprintf(lb, size, "%.*s", (int)nb, b);
			for (char *c = la; *c; c++)
				if (*c == '\t')
					*c = ' ';
			for (char *c = lb; *c; c++)
				if (*c == '\t')
					*c = ' ';
			return 0;
		}
		if (ea == NULL)
			return 1;
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

int mv_summary_parse_shard(const char *s, int *k, int *n)
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

/* ================================================================ the gate */

/* A check as the summary's metadata states it ("# check\tNAME\tMIN\tMAX"), with its tally. */
struct gate_check {
	int metric;        /* index among the metrics */
	struct mv_check c;
	char label[MV_METRIC_MAX_NAME + 80];
	long broken;
	FILE *list;        /* for JUnit: one line per breaking run */
	struct mv_checklint lint;               /* can it fail here? (checklint.h) */
	char warning[MV_METRIC_MAX_NAME + 400]; /* "": none */
};

struct mv_gate {
	int nfields;       /* fields per row */
	int nparams, nmetrics;
	char **names;      /* header fields */
	char *header;      /* their storage */
	int nchecks;
	struct gate_check *checks;
	long nrows, nfailed;
	FILE *failed_list; /* for JUnit: the first MV_GATE_LIST_MAX failed runs */
	long listed, unlisted; /* runs with notes given / held back (beyond MV_GATE_LIST_MAX) */
	int quiet_run;     /* the run being judged is beyond the cap: its notes are held back */
	mv_gate_note_fn note;
	void *note_ctx;
	char *buf;         /* a row being read back */
	size_t bufsize;
	char **fields;
	char (*text)[32];  /* the printed values of a run judged by mv_gate_run */
	double *values;    /* a row's metrics read back */
	struct mv_sha256 rows; /* of the rows judged, as the file has them (with newlines) */
	char *row;         /* a row made by mv_gate_run, for the checksum */
	size_t rowsize;
};

static void note(struct mv_gate *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct mv_gate *g, const char *fmt, ...)
{
	char msg[MV_ERROR_MAX + 4096 + 512];
	va_list ap;

	if (g->note == NULL || g->quiet_run)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	g->note(g->note_ctx, msg);
}

void mv_gate_free(struct mv_gate *g)
{
	if (g == NULL)
		return;
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
	free(g->text);
	free(g->values);
	free(g->row);
	free(g);
}

struct mv_gate *mv_gate_create(const char *meta, int keep_lists, mv_gate_note_fn note_fn,
			       void *note_ctx, struct mv_error *err)
{
	struct mv_gate *g = calloc(1, sizeof *g);
	const char *p;
	int nmetrics = 0, nchecks = 0;

	if (g == NULL)
		goto oom;
	g->note = note_fn;
	g->note_ctx = note_ctx;
	mv_sha256_init(&g->rows);
	for (p = meta; *p == '#'; p = strchr(p, '\n') + 1) {
		nmetrics += strncmp(p, "# metric\t", 9) == 0;
		nchecks += strncmp(p, "# check\t", 8) == 0;
	}
	if ((g->header = strndup(p, strcspn(p, "\n"))) == NULL)
		goto oom;
	g->nfields = 1;
	for (const char *c = g->header; *c; c++)
		g->nfields += *c == '\t';
	g->names = malloc((size_t)g->nfields * sizeof *g->names);
	g->fields = malloc((size_t)g->nfields * sizeof *g->fields);
	g->text = malloc((size_t)g->nfields * sizeof *g->text);
	g->values = malloc((size_t)g->nfields * sizeof *g->values);
	g->rowsize = (size_t)g->nfields * 40 + MV_ERROR_MAX + 64;
	g->row = malloc(g->rowsize);
	g->checks = calloc((size_t)(nchecks > 0 ? nchecks : 1), sizeof *g->checks);
	if (!g->names || !g->fields || !g->text || !g->values || !g->checks || !g->row)
		goto oom;
	mv_tsv_split_text(g->header, g->names, g->nfields);
	g->nmetrics = nmetrics;
	g->nparams = g->nfields - 3 - nmetrics;
	if (g->nparams < 0 || strcmp(g->names[0], "run") != 0 ||
	    strcmp(g->names[g->nfields - 2], "status") != 0) {
		mv_error_set(err, MV_EXIT_INPUT,
			     "not a sweep summary header: expected 'run', the parameters, the "
			     "metrics, 'status' and 'reason'");
		goto fail;
	}
	for (p = meta; *p == '#'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, "# check\t", 8) != 0)
			continue;
		char line[1024], *f[5];
		snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
		if (mv_tsv_split_text(line, f, 5) != 4) {
			mv_error_set(err, MV_EXIT_INPUT, "malformed '# check' line '%.*s'",
				     (int)strcspn(p, "\n"), p);
			goto fail;
		}
		struct gate_check *ck = &g->checks[g->nchecks];
		ck->metric = -1;
		/* The metric by its '# metric' line (the m-th is the header's metric column m),
		 * not by the header's name, which `--names safe` changes (colnames.h). */
		int m = 0;
		for (const char *q = meta; *q == '#' && ck->metric < 0; q = strchr(q, '\n') + 1)
			if (strncmp(q, "# metric\t", 9) == 0) {
				size_t len = strcspn(q + 9, "\n");
				if (len == strlen(f[1]) && strncmp(q + 9, f[1], len) == 0 && m < g->nmetrics)
					ck->metric = m;
				m++;
			}
		if (ck->metric < 0) {
			mv_error_set(err, MV_EXIT_INPUT,
				     "'# check' on metric '%s', which is not a column", f[1]);
			goto fail;
		}
		ck->c.min = strtod(f[2], NULL);
		ck->c.max = strtod(f[3], NULL);
		mv_check_format(&ck->c, f[1], ck->label, sizeof ck->label);
		g->nchecks++;
		if (keep_lists && (ck->list = tmpfile()) == NULL)
			goto notmp;
	}
	if (keep_lists && (g->failed_list = tmpfile()) == NULL)
		goto notmp;
	return g;
notmp:
	mv_error_set(err, MV_EXIT_FAIL, "cannot create a temporary file: %s", strerror(errno));
	goto fail;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
fail:
	mv_gate_free(g);
	return NULL;
}

int mv_gate_nfields(const struct mv_gate *g)
{
	return g->nfields;
}

long mv_gate_nrows(const struct mv_gate *g)
{
	return g->nrows;
}

long mv_gate_nfailed(const struct mv_gate *g)
{
	return g->nfailed;
}

int mv_gate_nbroken(const struct mv_gate *g)
{
	int n = 0;
	for (int k = 0; k < g->nchecks; k++)
		n += g->checks[k].broken > 0;
	return n;
}

/* Judges one run: k and the parameters as printed, the metrics as values (and printed, for
 * the notes). */
static void judge(struct mv_gate *g, const char *k, char *const *params, const double *metrics,
		  char *const *mtext, int ok, const char *reason)
{
	char ptext[4096];
	size_t used = 0;

	ptext[0] = '\0';
	for (int j = 0; j < g->nparams && used < sizeof ptext; j++)
		used += (size_t)snprintf(ptext + used, sizeof ptext - used, "%s%s = %s",
					 j ? ", " : "", g->names[1 + j], params[j]);
	g->nrows++;
	/* A run with something to say is listed (its notes) while fewer than MV_GATE_LIST_MAX
	 * runs were; the others are counted, for "and N more" in the verdict. */
	int bad = !ok;
	for (int c = 0; c < g->nchecks && !bad; c++)
		bad = !mv_check_ok(&g->checks[c].c, metrics[g->checks[c].metric]);
	if (bad && g->listed >= MV_GATE_LIST_MAX) {
		g->unlisted++;
		g->quiet_run = 1;
	} else if (bad) {
		g->listed++;
	}
	if (!ok) {
		g->nfailed++;
		note(g, "run %s failed: %s (%s)", k, reason, ptext);
		if (g->failed_list && g->nfailed <= MV_GATE_LIST_MAX)
			fprintf(g->failed_list, "run %s: %s (%s)\n", k, reason, ptext);
	}
	for (int c = 0; c < g->nchecks; c++) {
		struct gate_check *ck = &g->checks[c];
		mv_checklint_add(&ck->lint, &ck->c, metrics[ck->metric], !ok);
		if (mv_check_ok(&ck->c, metrics[ck->metric]))
			continue;
		ck->broken++;
		int keep = ck->list && ck->broken <= MV_GATE_LIST_MAX;
		if (!ok) {
			if (keep)
				fprintf(ck->list, "run %s: the run failed: %s (%s)\n", k, reason, ptext);
			continue;
		}
		const char *name = g->names[1 + g->nparams + ck->metric];
		note(g, "run %s breaks check %s: %s = %s (%s)", k, ck->label, name,
		     mtext[ck->metric], ptext);
		if (keep)
			fprintf(ck->list, "run %s: %s = %s (%s)\n", k, name, mtext[ck->metric], ptext);
	}
	g->quiet_run = 0;
}

int mv_gate_run(struct mv_gate *g, long k, const double *x, const double *metrics, int ok,
		const char *reason)
{
	char **params = g->fields, **mtext = g->fields + g->nparams;
	double *judged = g->values;
	char num[32];

	size_t n = row_text(g->row, g->rowsize, k, x, g->nparams, metrics, g->nmetrics, ok, reason);
	mv_sha256_update(&g->rows, g->row, n);
	mv_sha256_update(&g->rows, "\n", 1);
	snprintf(num, sizeof num, "%ld", k);
	for (int j = 0; j < g->nparams; j++) {
		format_value(x[j], g->text[j]);
		params[j] = g->text[j];
	}
	for (int m = 0; m < g->nmetrics; m++) {
		char *t = g->text[g->nparams + m];
		format_value(metrics[m], t);
		mtext[m] = t;
		judged[m] = strtod(t, NULL); /* the value as printed: read back, it judges alike */
	}
	judge(g, num, params, judged, mtext, ok, reason);
	return 0;
}

/* 1 when s is a number as a summary prints it: all of it read by strtod, or "nan". */
static int is_number(const char *s)
{
	char *end;

	if (strcmp(s, "nan") == 0)
		return 1;
	if (s[0] == '\0' || s[0] == ' ')
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

/* A row as mvsim writes it: a run number, numbers for the parameters and metrics, "ok" with
 * reason "-" or "failed" with a reason. A row cut short (a field lost) or edited by hand
 * into something else is not. */
static int row_valid(const struct mv_gate *g, char *const *f)
{
	char *end;
	const char *status = f[g->nfields - 2], *reason = f[g->nfields - 1];

	if (f[0][0] < '0' || f[0][0] > '9' || (strtol(f[0], &end, 10), *end != '\0'))
		return 0;
	for (int c = 1; c < g->nfields - 2; c++)
		if (!is_number(f[c]))
			return 0;
	if (strcmp(status, "ok") == 0)
		return strcmp(reason, "-") == 0;
	return strcmp(status, "failed") == 0 && reason[0] != '\0' && strcmp(reason, "-") != 0;
}

int mv_gate_row(struct mv_gate *g, const char *row)
{
	size_t len = strlen(row);

	if (len + 1 > g->bufsize) {
		char *nb = realloc(g->buf, 2 * len + 1);
		if (nb == NULL)
			return -1;
		g->buf = nb;
		g->bufsize = 2 * len + 1;
	}
	memcpy(g->buf, row, len + 1);
	char **f = g->fields;
	if (mv_tsv_split_text(g->buf, f, g->nfields) != g->nfields || !row_valid(g, f))
		return -1;
	mv_sha256_update(&g->rows, row, len);
	mv_sha256_update(&g->rows, "\n", 1);
	for (int m = 0; m < g->nmetrics; m++)
		g->values[m] = strtod(f[1 + g->nparams + m], NULL);
	judge(g, f[0], f + 1, g->values, f + 1 + g->nparams, strcmp(f[g->nfields - 2], "ok") == 0,
	      f[g->nfields - 1]);
	return 0;
}

int mv_gate_verdict(struct mv_gate *g, const char *what)
{
	int broken = 0;

	if (g->unlisted)
		note(g, "and %ld more run%s failed or broke a check (see the summary)", g->unlisted,
		     g->unlisted == 1 ? "" : "s");
	if (g->nfailed)
		note(g, "%s: %ld of %ld runs failed", what, g->nfailed, g->nrows);
	for (int k = 0; k < g->nchecks; k++)
		if (g->checks[k].broken) {
			broken = 1;
			note(g, "%s: check %s broken by %ld of %ld runs", what, g->checks[k].label,
			     g->checks[k].broken, g->nrows);
		}
	return g->nfailed || broken ? MV_EXIT_FAIL : MV_EXIT_OK;
}

void mv_gate_lint(struct mv_gate *g, double t_start, double t_end)
{
	for (int k = 0; k < g->nchecks; k++) {
		struct gate_check *ck = &g->checks[k];
		const char *metric = g->names[1 + g->nparams + ck->metric];
		double scale = mv_checklint_scale(metric, &ck->c, t_start, t_end);
		enum mv_checklint_verdict v = mv_checklint_judge(&ck->lint, &ck->c, scale, NULL);
		if (mv_checklint_format(v, &ck->lint, &ck->c, ck->label, metric, scale, g->nrows,
					ck->warning, sizeof ck->warning) > 0)
			note(g, "warning: %s", ck->warning);
	}
}

void mv_gate_checksum(const struct mv_gate *g, char hex[65])
{
	struct mv_sha256 h = g->rows; /* the gate goes on: finish a copy */
	mv_sha256_final(&h, hex);
}

int mv_summary_write_trailer(FILE *f, const struct mv_gate *g)
{
	char hex[65];

	mv_gate_checksum(g, hex);
	return fprintf(f, MV_SUMMARY_CHECKSUM "\t%s\n" MV_SUMMARY_TRAILER "\t%ld runs\t%ld failed\n",
		       hex, g->nrows, g->nfailed) < 0
		       ? -1
		       : 0;
}

/* The trailer g would write (two lines, each ending in a newline) into buf. */
static void trailer_text(const struct mv_gate *g, char *buf, size_t size)
{
	char hex[65];

	mv_gate_checksum(g, hex);
	snprintf(buf, size, MV_SUMMARY_CHECKSUM "\t%s\n" MV_SUMMARY_TRAILER "\t%ld runs\t%ld failed\n",
		 hex, g->nrows, g->nfailed);
}

/* ---------------------------------------------------------------- JUnit */

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

void mv_gate_junit_name(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot && dot != base)
		n = (size_t)(dot - base);
	snprintf(buf, size, "%.*s", (int)n, base);
	for (char *c = buf; *c; c++)
		if (*c == '.')
			*c = '_'; /* Jenkins reads dots in a classname as packages */
	if (buf[0] == '\0')
		snprintf(buf, size, "sweep");
}

/* One test case: its failure (if count > 0) with the message and the listed runs, then
 * "and N more" beyond the list's MV_GATE_LIST_MAX. */
static void junit_case(FILE *f, const char *suite, const char *name, const char *type,
		       const char *message, long count, FILE *list, const char *warning)
{
	fputs("    <testcase classname=\"", f);
	xml_put(f, suite);
	fputs("\" name=\"", f);
	xml_put(f, name);
	fputs("\" time=\"0\"", f);
	if (count == 0 && warning && warning[0]) { /* a check that cannot fail here (mv_gate_lint) */
		fputs(">\n      <system-err>warning: ", f);
		xml_put(f, warning);
		fputs("</system-err>\n    </testcase>\n", f);
		return;
	}
	if (count == 0) {
		fputs("/>\n", f);
		return;
	}
	fprintf(f, ">\n      <failure type=\"%s\" message=\"", type);
	xml_put(f, message);
	fputs("\">", f);
	if (list)
		xml_copy(f, list);
	if (count > MV_GATE_LIST_MAX)
		fprintf(f, "and %ld more (see the summary)\n", count - MV_GATE_LIST_MAX);
	fputs("</failure>\n    </testcase>\n", f);
}

int mv_gate_write_junit(const struct mv_gate *g, FILE *f, const char *suite, double seconds)
{
	int failures = g->nfailed > 0;
	char msg[MV_METRIC_MAX_NAME + 200], stamp[32], host[256];
	time_t now = time(NULL);
	struct tm tm;

	if (g->failed_list == NULL)
		return -1;
	for (int k = 0; k < g->nchecks; k++)
		failures += g->checks[k].broken > 0;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"mvsim sweep\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
		   "time=\"%.3f\">\n", g->nchecks + 1, failures, seconds);
	fputs("  <testsuite name=\"", f);
	xml_put(f, suite);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\" "
		   "timestamp=\"%s\" hostname=\"", g->nchecks + 1, failures, seconds, stamp);
	xml_put(f, host);
	fputs("\">\n", f);
	snprintf(msg, sizeof msg, "%ld of %ld runs failed", g->nfailed, g->nrows);
	junit_case(f, suite, "runs complete", "failed runs", msg, g->nfailed, g->failed_list, NULL);
	for (int k = 0; k < g->nchecks; k++) {
		const struct gate_check *ck = &g->checks[k];
		snprintf(msg, sizeof msg, "%ld of %ld runs break %s", ck->broken, g->nrows, ck->label);
		junit_case(f, suite, ck->label, "check", msg, ck->broken, ck->list, ck->warning);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return 0;
}

/* ================================================================ the summary file */

struct mv_summary_file {
	char *path;    /* as given */
	char *dest;    /* where the partial is renamed to: path, or a link's target */
	char *partial; /* dest.partial, or NULL when written through (a FIFO, a device, stdout) */
	FILE *f;
};

static void summary_file_free(struct mv_summary_file *s)
{
	free(s->path);
	free(s->dest);
	free(s->partial);
	free(s);
}

/* Rows of an existing summary (after its metadata block, read by t) fed to the gate while
 * they are exactly runs first + i·stride and valid rows (mv_gate_row); *good receives their
 * count and *end the offset after the last. What follows them, when it is whole lines
 * starting with '#' to the end of the file (a trailer), is copied into tail (size bytes;
 * "" otherwise). Returns 1 when the rows end at such lines, 0 when at a torn or bad row or
 * the end of the file. */
static int scan_rows(struct mv_tsv *t, struct mv_gate *g, long first, long stride, long max,
		     long *good, long *end, char *tail, size_t size)
{
	int trailer = 0;
	size_t used = 0;

	*good = 0;
	*end = mv_tsv_offset(t);
	tail[0] = '\0';
	while (mv_tsv_next(t, NULL) > 0) {
		const char *line = mv_tsv_line(t);
		if (!mv_tsv_complete(t))
			break; /* torn by a kill mid-write */
		if (line[0] == '#') {
			trailer = 1;
			break;
		}
		char *endp;
		long k = strtol(line, &endp, 10);
		if (*good >= max || *endp != '\t' || k != first + *good * stride || mv_gate_row(g, line))
			break;
		(*good)++;
		*end = mv_tsv_offset(t);
	}
	/* the '#' lines after the rows, whole, to the end */
	for (int more = trailer; more;) {
		const char *line = mv_tsv_line(t);
		if (!mv_tsv_complete(t) || line[0] != '#' ||
		    used + mv_tsv_len(t) + 2 > size) {
			trailer = 0;
			break;
		}
		used += (size_t)snprintf(tail + used, size - used, "%s\n", line);
		more = mv_tsv_next(t, NULL) > 0;
	}
	if (!trailer)
		tail[0] = '\0';
	return trailer;
}

static int check_same(const char *path, const char *found, const char *want,
		      struct mv_error *err)
{
	char la[600], lb[600];

	if (same_identity(found, want, la, lb, sizeof la))
		return 0;
	return mv_error_set(err, MV_EXIT_INPUT,
			    "%s: cannot resume: it is from a different sweep: its line '%s' differs "
			    "from this sweep's '%s'",
			    path, la, lb);
}

/* Resume without a partial: a complete summary of the same sweep needs nothing more.
 * Returns 1 (complete, *done its rows) or -1 with err. */
static int judge_complete(FILE *r, const char *path, const char *partial, const char *meta,
			  long first, long stride, long total, struct mv_gate *g, long *done,
			  struct mv_error *err)
{
	char *found = mv_summary_read_meta(r, path, err);
	struct mv_tsv *t = NULL;
	long good = 0, end = 0;
	int rc = -1;
	char tail[512], want[512];

	if (found != NULL && check_same(path, found, meta, err) == 0 &&
	    (t = mv_tsv_reader(r, path, 0, err)) != NULL) {
		int trailer = scan_rows(t, g, first, stride, total, &good, &end, tail, sizeof tail);
		trailer_text(g, want, sizeof want);
		if (trailer && good == total && strcmp(tail, want) == 0)
			rc = 1;
		else if (trailer && good == total)
			mv_error_set(err, MV_EXIT_INPUT,
				     "%s: cannot resume: its trailer does not match its rows (the "
				     "'# rows sha256' and '# complete' lines): edited or damaged; remove "
				     "it to run the sweep again",
				     path);
		else
			mv_error_set(err, MV_EXIT_INPUT,
				     "%s: cannot resume: an incomplete summary without %s: remove it",
				     path, partial);
	}
	mv_tsv_close(t);
	free(found);
	*done = good;
	return rc;
}

/* Opens the partial of a resume at fd (locked here): checks its metadata, feeds its rows to
 * g, cuts the rest. Returns 0 with *f open at the end, or -1 with err (fd closed). */
static int continue_partial(int fd, const char *partial, const char *meta, long first,
			    long stride, long total, struct mv_gate *g, FILE **f, long *done,
			    struct mv_error *err)
{
	FILE *r;
	struct mv_tsv *t = NULL;
	char *found = NULL, tail[512];
	long good = 0, end = 0;
	struct stat st;

	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: another sweep is writing it", partial);
	}
	/* Empty, or its metadata cut short (interrupted as it began): start it again. */
	size_t M = strlen(meta);
	char *head = malloc(M + 1);
	ssize_t n = head ? pread(fd, head, M + 1, 0) : -1;
	int torn = n >= 0 && (size_t)n < M && memcmp(head, meta, (size_t)n) == 0;
	free(head);
	if (torn) {
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) < 0 ||
		    (*f = fdopen(fd, "w")) == NULL) {
			close(fd);
			return mv_error_set(err, MV_EXIT_FAIL, "%s: cannot continue it: %s", partial,
					    strerror(errno));
		}
		if (fputs(meta, *f) < 0 || fflush(*f) != 0) {
			fclose(*f);
			*f = NULL;
			return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", partial,
					    strerror(errno));
		}
		note(g, "%s: %s (%zd of its %zu bytes of metadata): started it again", partial,
		     n ? "its metadata was cut short" : "empty", n, M);
		*done = 0;
		return 0;
	}
	int rfd = dup(fd);
	if (rfd < 0 || (r = fdopen(rfd, "r")) == NULL) {
		if (rfd >= 0)
			close(rfd);
		close(fd);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read: %s", partial,
				    strerror(errno));
	}
	if ((found = mv_summary_read_meta(r, partial, err)) == NULL ||
	    check_same(partial, found, meta, err) || (t = mv_tsv_reader(r, partial, 0, err)) == NULL) {
		free(found);
		fclose(r);
		close(fd);
		return -1;
	}
	free(found);
	int trailer = scan_rows(t, g, first, stride, total, &good, &end, tail, sizeof tail);
	mv_tsv_close(t);
	fclose(r);
	/* Whatever follows the last good row (a torn row, a trailer written just before a
	 * kill) is cut off and run again; cutting more than a trailer is said. */
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)end && !trailer)
		note(g, "%s: resumed after its %ld complete rows; cut the %lld bytes after them (a "
		     "row torn by the interruption, or not a row as mvsim writes it): those runs "
		     "run again", partial, good, (long long)(st.st_size - (off_t)end));
	if (ftruncate(fd, (off_t)end) != 0 || lseek(fd, (off_t)end, SEEK_SET) < 0 ||
	    (*f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return mv_error_set(err, MV_EXIT_FAIL, "%s: cannot continue it: %s", partial,
				    strerror(errno));
	}
	*done = good;
	return 0;
}

int mv_summary_file_open(const char *path, const char *meta, int resume, long first,
			 long stride, long total, struct mv_gate *g, struct mv_summary_file **out,
			 long *done, struct mv_error *err)
{
	struct mv_summary_file *s = calloc(1, sizeof *s);
	char *real = NULL;
	int fd = -1, rc, kind = mv_outfile_target(path, &real, &fd, err);

	*out = NULL;
	*done = 0;
	if (kind < 0) {
		free(s);
		return -1;
	}
	if (s == NULL || (s->path = strdup(path)) == NULL ||
	    (s->dest = real ? real : strdup(path)) == NULL) {
		if (s)
			summary_file_free(s);
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	}
	if (kind == MV_OUTFILE_THROUGH || kind == MV_OUTFILE_FD) {
		/* A FIFO, a device or a descriptor is written through, never replaced: no
		 * partial, so nothing to resume. */
		if (resume) {
			summary_file_free(s);
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: not a regular file: a sweep into it cannot be resumed "
					    "(--resume continues FILE.partial)", path);
		}
		int wfd = kind == MV_OUTFILE_FD ? fcntl(fd, F_DUPFD_CLOEXEC, 3)
						: open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (wfd < 0 || (s->f = fdopen(wfd, "w")) == NULL) {
			rc = mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open output: %s", path,
					  strerror(errno));
			if (wfd >= 0)
				close(wfd);
			goto fail;
		}
		if (fputs(meta, s->f) < 0 || fflush(s->f) != 0) {
			rc = mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", path,
					  strerror(errno));
			fclose(s->f);
			goto fail;
		}
		*out = s;
		return 0;
	}
	size_t len = strlen(s->dest) + sizeof ".partial";
	if ((s->partial = malloc(len)) == NULL) {
		summary_file_free(s);
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	}
	snprintf(s->partial, len, "%s.partial", s->dest);
	fd = -1;
	if (resume) {
		struct stat pst;
		fd = open(s->partial, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT) {
			rc = mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open: %s", s->partial,
					  strerror(errno));
			goto fail;
		}
		if (fd >= 0 && (fstat(fd, &pst) != 0 || !S_ISREG(pst.st_mode))) {
			close(fd);
			rc = mv_error_set(err, MV_EXIT_INPUT, "%s: cannot resume: not a regular file",
					  s->partial);
			goto fail;
		}
		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		FILE *r;
		if (fd < 0 && (r = fopen(s->dest, "r")) != NULL) {
			rc = judge_complete(r, path, s->partial, meta, first, stride, total, g, done,
					    err);
			fclose(r);
			goto fail; /* nothing to write either way */
		}
		if (fd >= 0) {
			if ((rc = continue_partial(fd, s->partial, meta, first, stride, total, g, &s->f,
						   done, err)) != 0)
				goto fail;
			*out = s;
			return 0;
		}
	}
	fd = open(s->partial, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 && errno == EEXIST) {
		rc = mv_error_set(err, MV_EXIT_INPUT,
				  "%s exists: a sweep into %s was interrupted; continue it with "
				  "--resume, or remove it",
				  s->partial, path);
		goto fail;
	}
	if (fd < 0) {
		rc = mv_error_set(err, MV_EXIT_INPUT, "%s: cannot create: %s", s->partial,
				  strerror(errno));
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || (s->f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(s->partial);
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: cannot open: %s", s->partial,
				  strerror(errno));
		goto fail;
	}
	if (fputs(meta, s->f) < 0 || fflush(s->f) != 0) {
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", s->partial,
				  strerror(errno));
		fclose(s->f);
		unlink(s->partial);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	summary_file_free(s);
	return rc;
}

const char *mv_summary_file_partial(const struct mv_summary_file *s)
{
	return s->partial;
}

int mv_summary_file_row(struct mv_summary_file *s, const char *row, struct mv_error *err)
{
	if (fprintf(s->f, "%s\n", row) < 0 || fflush(s->f) != 0)
		return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", s->path,
				    strerror(errno));
	return 0;
}

int mv_summary_file_finish(struct mv_summary_file *s, const struct mv_gate *g,
			   struct mv_error *err)
{
	int bad = mv_summary_write_trailer(s->f, g) != 0;
	bad |= fflush(s->f) != 0 || ferror(s->f) || (s->partial && fsync(fileno(s->f)) != 0);
	int e = errno;
	bad |= fclose(s->f) != 0; /* also releases the lock */
	int rc = 0;

	if (bad)
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", s->path,
				  strerror(e ? e : errno));
	else if (s->partial && rename(s->partial, s->dest) != 0)
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: cannot rename %s into place: %s", s->path,
				  s->partial, strerror(errno));
	summary_file_free(s);
	return rc;
}

void mv_summary_file_close(struct mv_summary_file *s)
{
	if (s == NULL)
		return;
	fclose(s->f); /* flushes the finished rows; releases the lock */
	summary_file_free(s);
}

/* ================================================================ merge */

struct part {
	const char *path;
	FILE *f;
	struct mv_tsv *t;
	char *meta;
	int k, n;
	long rows, failed;
	long meta_lines;       /* lines of its metadata and header (t counts the rest) */
	struct mv_sha256 hash; /* of its rows, to check against its trailer */
};

/* The number in the part of the line its reader is at. */
static long part_line(const struct part *p)
{
	return p->meta_lines + mv_tsv_lineno(p->t);
}

/* meta without its "# shard" line, for comparing parts. */
static void strip_shard(char *meta)
{
	char *p = strstr(meta, "\n# shard\t");
	if (p) {
		char *e = strchr(p + 1, '\n');
		memmove(p, e, strlen(e) + 1);
	}
}

/* The rows of the parts in run order, then their trailers, into out. */
static int merge_rows(FILE *out, struct part *parts, int np, long total, struct mv_gate *g,
		      const char *meta, const char *outpath, struct mv_error *err)
{
	if (fputs(meta, out) < 0)
		goto io;
	for (long r = 0; r < total; r++) {
		struct part *p = NULL;
		for (int q = 0; q < np; q++)
			if (parts[q].k - 1 == (int)(r % parts[q].n))
				p = &parts[q];
		int got = mv_tsv_next(p->t, NULL);
		const char *line = mv_tsv_line(p->t);
		if (got <= 0 || !mv_tsv_complete(p->t) || line[0] == '#')
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: incomplete: run %ld is missing (finish the shard with "
					    "'mvsim sweep ... --shard %d/%d --resume')",
					    p->path, r, p->k, p->n);
		char *endp;
		long k = strtol(line, &endp, 10);
		if (k != r || *endp != '\t')
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: expected run %ld next (part %d/%d), found '%.40s'",
					    p->path, r, p->k, p->n, line);
		if (fputs(line, out) < 0 || fputc('\n', out) == EOF)
			goto io;
		long failed = mv_gate_nfailed(g);
		if (mv_gate_row(g, line)) {
			char shown[64];
			snprintf(shown, sizeof shown, "%.60s", line);
			for (char *c = shown; *c; c++)
				if (*c == '\t')
					*c = ' ';
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s:%ld: run %ld: expected a row as mvsim writes it (%d "
					    "fields: the run, numbers, ok or failed, the reason), found "
					    "'%s'",
					    p->path, part_line(p), r, mv_gate_nfields(g), shown);
		}
		mv_sha256_update(&p->hash, line, strlen(line));
		mv_sha256_update(&p->hash, "\n", 1);
		p->failed += mv_gate_nfailed(g) - failed;
		p->rows++;
	}
	for (int q = 0; q < np; q++) {
		struct part *p = &parts[q];
		char want[64], sum[128], tally[128], hex[65];
		int wl = snprintf(want, sizeof want, MV_SUMMARY_TRAILER "\t%ld runs\t", p->rows);
		int got = mv_tsv_next(p->t, NULL);
		if (got > 0 && strncmp(mv_tsv_line(p->t), MV_SUMMARY_TRAILER "\t",
				       sizeof MV_SUMMARY_TRAILER) == 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s:%ld: no '" MV_SUMMARY_CHECKSUM "' line before '"
					    MV_SUMMARY_TRAILER "' (an older mvsim's summary, or edited): "
					    "run the shard again ('mvsim sweep ... --shard %d/%d')",
					    p->path, part_line(p), p->k, p->n);
		mv_sha256_final(&p->hash, hex);
		snprintf(sum, sizeof sum, MV_SUMMARY_CHECKSUM "\t%s", hex);
		int sum_ok = got > 0 && mv_tsv_complete(p->t) && strcmp(mv_tsv_line(p->t), sum) == 0;
		int sum_line = got > 0 && strncmp(mv_tsv_line(p->t), MV_SUMMARY_CHECKSUM "\t",
						  sizeof MV_SUMMARY_CHECKSUM) == 0;
		if (got > 0)
			got = mv_tsv_next(p->t, NULL);
		if (!sum_line || got <= 0 || strncmp(mv_tsv_line(p->t), want, (size_t)wl) != 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: incomplete or not part %d/%d of a %ld-run sweep "
					    "(expected '%s...' after its %ld rows): finish it with "
					    "'mvsim sweep --resume'",
					    p->path, p->k, p->n, total, MV_SUMMARY_TRAILER, p->rows);
		snprintf(tally, sizeof tally, MV_SUMMARY_TRAILER "\t%ld runs\t%ld failed", p->rows,
			 p->failed);
		if (!sum_ok || !mv_tsv_complete(p->t) || strcmp(mv_tsv_line(p->t), tally) != 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: its rows do not match its trailer (the '"
					    MV_SUMMARY_CHECKSUM "' and '" MV_SUMMARY_TRAILER "' lines): "
					    "the part was edited or damaged after it was written; run the "
					    "shard again ('mvsim sweep ... --shard %d/%d')",
					    p->path, p->k, p->n);
		if (mv_tsv_next(p->t, NULL) != 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s:%ld: expected the end of the part after its '"
					    MV_SUMMARY_TRAILER "' line, found more",
					    p->path, part_line(p));
	}
	if (mv_summary_write_trailer(out, g) != 0)
		goto io;
	return 0;
io:
	return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", outpath, strerror(errno));
}

/* Opens the parts and checks they are the N shards of one sweep. */
static int merge_check_parts(struct part *parts, int np, struct mv_error *err)
{
	char field[256];

	for (int q = 0; q < np; q++) {
		struct part *p = &parts[q];
		if ((p->f = mv_tsv_fopen(p->path, err)) == NULL)
			return -1;
		if ((p->meta = mv_summary_read_meta(p->f, p->path, err)) == NULL ||
		    (p->t = mv_tsv_reader(p->f, p->path, 0, err)) == NULL)
			return -1;
		for (const char *c = p->meta; *c; c++)
			p->meta_lines += *c == '\n';
		if (meta_field(p->meta, "shard", field, sizeof field) ||
		    mv_summary_parse_shard(field, &p->k, &p->n))
			return mv_error_set(err, MV_EXIT_INPUT, "%s: no valid '# shard K/N' line",
					    p->path);
	}
	for (int q = 0; q < np; q++) {
		struct part *p = &parts[q];
		char a[600], b[600];
		if (q > 0) {
			char *m0 = strdup(parts[0].meta), *mq = strdup(p->meta);
			if (m0 == NULL || mq == NULL) {
				free(m0);
				free(mq);
				return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
			}
			strip_shard(m0);
			strip_shard(mq);
			int same = same_identity(mq, m0, a, b, sizeof a);
			free(m0);
			free(mq);
			if (!same)
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s: not a part of the same sweep as %s: its line '%s' "
						    "differs from '%s'",
						    p->path, parts[0].path, a, b);
		}
		if (p->n != parts[0].n)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: part %d/%d of a sweep in %d shards, but %s is part %d/%d",
					    p->path, p->k, p->n, p->n, parts[0].path, parts[0].k,
					    parts[0].n);
		for (int r = 0; r < q; r++)
			if (parts[r].k == p->k)
				return mv_error_set(err, MV_EXIT_INPUT, "%s and %s are both part %d/%d",
						    parts[r].path, p->path, p->k, p->n);
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
		return mv_error_set(err, MV_EXIT_INPUT,
				    "expected the %d parts 1/%d to %d/%d of the sweep, found %d: part "
				    "%d/%d is missing",
				    parts[0].n, parts[0].n, parts[0].n, parts[0].n, np, missing,
				    parts[0].n);
	}
	return 0;
}

int mv_summary_merge(const char *const *paths, int np, const char *output,
		     mv_gate_note_fn note_fn, void *note_ctx, struct mv_gate **gate,
		     struct mv_error *err)
{
	struct part *parts = calloc((size_t)np, sizeof *parts);
	struct mv_outfile *out = NULL;
	char *meta = NULL, field[256];
	long total = 0;
	int rc = -1;

	*gate = NULL;
	if (parts == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		goto out;
	}
	for (int q = 0; q < np; q++) {
		parts[q].path = paths[q];
		mv_sha256_init(&parts[q].hash);
	}
	if (merge_check_parts(parts, np, err))
		goto out;
	if (meta_field(parts[0].meta, "runs", field, sizeof field) ||
	    (total = strtol(field, NULL, 10)) < 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: no valid '# runs' line", parts[0].path);
		goto out;
	}
	/* The merged summary is the unsharded sweep's: its metadata says shard 1/1. */
	const char *p = strstr(parts[0].meta, "\n# shard\t");
	const char *e = strchr(p + 1, '\n');
	size_t head = (size_t)(p - parts[0].meta) + 1;
	size_t len = head + strlen("# shard\t1/1") + strlen(e) + 1;
	if ((meta = malloc(len)) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		goto out;
	}
	snprintf(meta, len, "%.*s# shard\t1/1%s", (int)head, parts[0].meta, e);
	/* "-" is standard output (written as the rows are merged); the parts are the inputs:
	 * none may be the output */
	int to_stdout = strcmp(output, "-") == 0;
	struct mv_file_ids ids = {0};
	for (int q = 0; q < np; q++)
		if (mv_file_ids_add(&ids, paths[q])) {
			mv_file_ids_free(&ids);
			mv_error_set(err, MV_EXIT_FAIL, "out of memory");
			goto out;
		}
	if ((*gate = mv_gate_create(meta, 1, note_fn, note_ctx, err)) != NULL && !to_stdout)
		out = mv_outfile_open(output, ids.v, ids.n, err);
	mv_file_ids_free(&ids);
	if (*gate == NULL || (!to_stdout && out == NULL))
		goto out;
	if (merge_rows(to_stdout ? stdout : mv_outfile_stream(out), parts, np, total, *gate, meta,
		       to_stdout ? "standard output" : output, err)) {
		mv_outfile_abort(out);
		goto out;
	}
	if (to_stdout)
		rc = fflush(stdout) == 0 && !ferror(stdout)
			     ? 0
			     : mv_error_set(err, MV_EXIT_FAIL, "standard output: write failed: %s",
					    strerror(errno));
	else
		rc = mv_outfile_commit(out, err);
out:
	for (int q = 0; q < np && parts; q++) {
		mv_tsv_close(parts[q].t);
		if (parts[q].f)
			fclose(parts[q].f);
		free(parts[q].meta);
	}
	free(parts);
	free(meta);
	return rc;
}
