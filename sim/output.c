/* output.c — TSV results: metadata, header, rows; every write checked.
 * A reader never sees half a file under the final name: we write "<path>.tmp.XXXXXX". */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/output.h"

#include "mvsim/fmt.h"
#include "mvsim/keys.h"
#include "mvsim/outfile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the bytes go. */
enum mode {
	MODE_FILE,   /* a file through mv_outfile (outfile.h): a temporary renamed into place
		      * on commit, or a FIFO or device written through */
	MODE_STDOUT, /* standard output, held in memory up to STDOUT_HOLD, so a failed run
		      * prints nothing; a longer result streams */
	MODE_STREAM  /* a stream of the caller's */
};

#define STDOUT_HOLD (16u << 20)

struct mv_writer {
	int mode;
	FILE *f;
	char *path; /* final name; NULL for stdout */
	struct mv_outfile *out; /* MODE_FILE: the file */
	char *mem;  /* MODE_STDOUT: bytes held back; NULL once streaming */
	size_t nmem, capmem;
	int failed; /* a write failed (errno saved) */
	int err_no;
	int tdigits; /* significant digits of the first column when it is "t" (0: %.10g) */
	int grid_digits; /* what the scenario's output grid needs (mv_writer_metadata) */
};

static struct mv_writer *writer_new(int mode, FILE *f, struct mv_error *err)
{
	struct mv_writer *w = calloc(1, sizeof *w);

	if (w == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	w->mode = mode;
	w->f = f;
	return w;
}

struct mv_writer *mv_writer_open(const char *path, struct mv_error *err)
{
	struct mv_writer *w;

	if (path == NULL || strcmp(path, "-") == 0)
		return writer_new(MODE_STDOUT, stdout, err);
	if (path[0] == '\0') {
		mv_error_set(err, MV_EXIT_INPUT, "output: expected a file name, found an empty one");
		return NULL;
	}
	/* A file through mv_outfile: a temporary renamed into place, or a FIFO or device
	 * written through. */
	struct mv_outfile *o = mv_outfile_open(path, NULL, 0, err);
	if (o == NULL)
		return NULL;
	if ((w = writer_new(MODE_FILE, mv_outfile_stream(o), err)) == NULL ||
	    (w->path = strdup(path)) == NULL) {
		if (w)
			mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		mv_outfile_abort(o);
		free(w);
		return NULL;
	}
	w->out = o;
	return w;
}

struct mv_writer *mv_writer_open_stream(FILE *f, struct mv_error *err)
{
	return writer_new(MODE_STREAM, f, err);
}

static int io_error(struct mv_writer *w, struct mv_error *err)
{
	return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s",
			    w->path ? w->path : "standard output",
			    strerror(w->err_no ? w->err_no : errno));
}

/* Writes n bytes; returns 0 or -1 (w->err_no set). */
static int put(struct mv_writer *w, const char *data, size_t n)
{
	if (w->mode == MODE_STDOUT && w->nmem + n <= STDOUT_HOLD) {
		if (w->nmem + n > w->capmem) {
			size_t cap = w->capmem ? 2 * w->capmem : 1 << 16;
			while (cap < w->nmem + n)
				cap *= 2;
			char *m = realloc(w->mem, cap);
			if (m == NULL) {
				w->err_no = ENOMEM;
				return -1;
			}
			w->mem = m;
			w->capmem = cap;
		}
		memcpy(w->mem + w->nmem, data, n);
		w->nmem += n;
		return 0;
	}
	if (w->mode == MODE_STDOUT && w->mem) { /* too long to hold: stream from here on */
		size_t held = w->nmem;
		w->nmem = 0;
		if (fwrite(w->mem, 1, held, w->f) != held) {
			w->err_no = errno;
			return -1;
		}
		free(w->mem);
		w->mem = NULL;
		w->mode = MODE_STREAM;
	}
	if (fwrite(data, 1, n, w->f) != n) {
		w->err_no = errno;
		return -1;
	}
	return 0;
}

/* The strings given, up to a NULL, into put() as one line (what putf does for "%s%s…"
 * formats, at a tenth of the cost: metadata is written on every run). */
static int putl(struct mv_writer *w, ...)
{
	char line[4096]; /* as putf did: metadata lines are short, a longer one is cut */
	va_list ap;

	va_start(ap, w);
	size_t len = (size_t)mv_vconcat(line, sizeof line, ap);
	va_end(ap);
	return put(w, line, len < sizeof line ? len : sizeof line - 1);
}

/* The significant digits that keep every output time of sc distinct (issue 15: %.10g made
 * 10,001 rows 1,001 times): the largest time over the step, in digits, and two more for the
 * step's own digits; never fewer than the 10 of every other number, at most the 17 that
 * give a double exactly. Grids whose times are distinct at %.10g print as before. */
static int grid_digits(const struct mv_scenario *sc)
{
	double start = sc->val[MV_G_START], end = sc->val[MV_G_END], step = sc->val[MV_G_OUTPUT_STEP];
	double m = fabs(start) > fabs(end) ? fabs(start) : fabs(end);

	if (!(step > 0) || !(m > 0) || !isfinite(m / step))
		return 10;
	int d = (int)ceil(log10(m / step)) + 2;
	return d < 10 ? 10 : d > 17 ? 17 : d;
}

int mv_writer_metadata(struct mv_writer *w, const struct mv_scenario *sc,
		       const struct mv_keytab *kt, const char *method, const char *seed,
		       struct mv_error *err)
{
	w->grid_digits = grid_digits(sc);
	double wsum = 0;
	int n = sc->nvec, D = sc->ndom, bad = 0;
	char num[32], a[32], b[32];

	mv_format_number(sc->val[MV_G_RTOL], a);
	mv_format_number(sc->val[MV_G_ATOL], b);
	bad |= putl(w, "# mvsim ", MV_VERSION, "\n", (char *)NULL);
	bad |= putl(w, "# scenario\t", sc->name, "\n", (char *)NULL);
	bad |= putl(w, "# file\t", sc->files[sc->top], "\n", (char *)NULL);
	bad |= putl(w, "# sha256\t", sc->sha256, "\n", (char *)NULL);
	/* provenance: the other files read (bases, data), hashed as read; as sweep summaries */
	for (int k = 0; k < sc->ninputs; k++)
		if (sc->inputs[k].role != MV_INPUT_SCENARIO)
			bad |= putl(w, "# ", sc->inputs[k].role == MV_INPUT_BASE ? "base" : "data",
				    "\t", sc->inputs[k].path, "\t", sc->inputs[k].sha256, "\n",
				    (char *)NULL);
	bad |= putl(w, "# integrator\t", method, "\trtol=", a, "\tatol=", b, "\n", (char *)NULL);
	bad |= putl(w, "# seed\t", seed ? seed : "none", "\n", (char *)NULL);
	for (int k = 0; k < sc->nsets; k++)
		bad |= putl(w, "# set\t", sc->sets[k], "\n", (char *)NULL);
	for (int i = 0; i < n; i++) {
		mv_format_number(sc->val[mv_key_vec(n, D, i, MV_VP_ANGLE)], num);
		bad |= putl(w, "# vector\t", sc->vec_id[i], "\t", num, "\t", sc->vec_name[i], "\n",
			    (char *)NULL);
	}
	for (int d = 0; d < D; d++)
		wsum += sc->val[mv_key_dom_weight(n, D, d)];
	for (int d = 0; d < D; d++) {
		mv_format_number(sc->val[mv_key_dom_weight(n, D, d)] / wsum, num);
		bad |= putl(w, "# domain\t", sc->dom_id[d], "\t", num, "\t", sc->dom_name[d], "\n",
			    (char *)NULL);
	}
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		mv_format_number(e->at, a);
		mv_format_number(e->over, b);
		bad |= putl(w, "# event\t", a, "\t", b, "\t", kt->keys[kt->by_index[e->key]].name,
			    "\t", e->label, "\n", (char *)NULL);
	}
	return bad ? io_error(w, err) : 0;
}

int mv_writer_meta(struct mv_writer *w, const char *key, const char *value,
		   struct mv_error *err)
{
	return putl(w, "# ", key, "\t", value, "\n", (char *)NULL) ? io_error(w, err) : 0;
}

int mv_writer_columns(struct mv_writer *w, char *const *columns, int ncols,
		      struct mv_error *err)
{
	int bad = 0;

	/* a time series: its times with the digits the grid needs */
	w->tdigits = ncols > 0 && strcmp(columns[0], "t") == 0 && w->grid_digits > 10
			     ? w->grid_digits
			     : 0;
	for (int c = 0; c < ncols; c++)
		bad |= putl(w, columns[c], c + 1 < ncols ? "\t" : "\n", (char *)NULL);
	return bad ? io_error(w, err) : 0;
}

int mv_writer_header(struct mv_writer *w, const struct mv_scenario *sc,
		     const struct mv_keytab *kt, const char *method, const char *seed,
		     char *const *columns, int ncols, struct mv_error *err)
{
	return mv_writer_metadata(w, sc, kt, method, seed, err) ||
			       mv_writer_columns(w, columns, ncols, err)
		       ? -1
		       : 0;
}

int mv_format_number(double v, char *buf)
{
	return mv_fmt_g10(v, buf); /* the bytes of %.10g, ~8x faster than snprintf (fmt.h) */
}

int mv_writer_row(struct mv_writer *w, const double *row, int ncols, struct mv_error *err)
{
	char line[64 * 1024];
	size_t used = 0;

	for (int c = 0; c < ncols; c++) {
		if (used + MV_FMT_BUF + 1 > sizeof line) {
			if (put(w, line, used))
				return io_error(w, err);
			used = 0;
		}
		if (c == 0 && w->tdigits) /* times that %.10g would merge (grid_digits) */
			used += (size_t)snprintf(line + used, 32, "%.*g", w->tdigits, row[c]);
		else
			used += (size_t)mv_fmt_g10(row[c], line + used);
		line[used++] = c + 1 < ncols ? '\t' : '\n';
	}
	if (put(w, line, used))
		return io_error(w, err);
	return 0;
}

int mv_writer_row_cb(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	return mv_writer_row(ctx, row, ncols, err);
}

int mv_writer_commit(struct mv_writer *w, struct mv_error *err)
{
	int rc = 0;

	switch (w->mode) {
	case MODE_STDOUT:
		if (w->nmem && fwrite(w->mem, 1, w->nmem, w->f) != w->nmem)
			w->err_no = errno;
		/* fall through */
	case MODE_STREAM:
		if (w->err_no || fflush(w->f) != 0 || ferror(w->f))
			rc = io_error(w, err);
		break;
	default:
		if (w->err_no) {
			rc = io_error(w, err);
			mv_outfile_abort(w->out);
		} else if (mv_outfile_commit(w->out, err)) {
			rc = -1;
		}
	}
	free(w->mem);
	free(w->path);
	free(w);
	return rc;
}

void mv_writer_abort(struct mv_writer *w)
{
	if (w == NULL)
		return;
	if (w->mode == MODE_FILE) {
		mv_outfile_abort(w->out);
	} else {
		fflush(w->f); /* what was streamed stays streamed; what was held is dropped */
	}
	free(w->mem);
	free(w->path);
	free(w);
}
