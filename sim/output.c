/* output.c — TSV results: metadata, header, rows; every write checked.
 * A reader never sees half a file under the final name: we write "<path>.tmp.XXXXXX". */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/output.h"

#include "mvsim/fmt.h"
#include "mvsim/keys.h"
#include "mvsim/outfile.h"

#include <errno.h>
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

/* printf into put(). */
static int putf(struct mv_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int putf(struct mv_writer *w, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	int len = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	if ((size_t)len >= sizeof line)
		len = (int)sizeof line - 1; /* metadata lines are short: names are < 64 bytes */
	return put(w, line, (size_t)len);
}

int mv_writer_metadata(struct mv_writer *w, const struct mv_scenario *sc,
		       const struct mv_keytab *kt, const char *method, const char *seed,
		       struct mv_error *err)
{
	double wsum = 0;
	int n = sc->nvec, D = sc->ndom, bad = 0;
	char num[32], a[32], b[32];

	mv_format_number(sc->val[MV_G_RTOL], a);
	mv_format_number(sc->val[MV_G_ATOL], b);
	bad |= putf(w, "# mvsim %s\n", MV_VERSION);
	bad |= putf(w, "# scenario\t%s\n", sc->name);
	bad |= putf(w, "# file\t%s\n", sc->files[sc->top]);
	bad |= putf(w, "# sha256\t%s\n", sc->sha256);
	/* provenance: the other files read (bases, data), hashed as read; as sweep summaries */
	for (int k = 0; k < sc->ninputs; k++)
		if (sc->inputs[k].role != MV_INPUT_SCENARIO)
			bad |= putf(w, "# %s\t%s\t%s\n",
				    sc->inputs[k].role == MV_INPUT_BASE ? "base" : "data",
				    sc->inputs[k].path, sc->inputs[k].sha256);
	bad |= putf(w, "# integrator\t%s\trtol=%s\tatol=%s\n", method, a, b);
	bad |= putf(w, "# seed\t%s\n", seed ? seed : "none");
	for (int k = 0; k < sc->nsets; k++)
		bad |= putf(w, "# set\t%s\n", sc->sets[k]);
	for (int i = 0; i < n; i++) {
		mv_format_number(sc->val[mv_key_vec(n, D, i, MV_VP_ANGLE)], num);
		bad |= putf(w, "# vector\t%s\t%s\t%s\n", sc->vec_id[i], num, sc->vec_name[i]);
	}
	for (int d = 0; d < D; d++)
		wsum += sc->val[mv_key_dom_weight(n, D, d)];
	for (int d = 0; d < D; d++) {
		mv_format_number(sc->val[mv_key_dom_weight(n, D, d)] / wsum, num);
		bad |= putf(w, "# domain\t%s\t%s\t%s\n", sc->dom_id[d], num, sc->dom_name[d]);
	}
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		mv_format_number(e->at, a);
		mv_format_number(e->over, b);
		bad |= putf(w, "# event\t%s\t%s\t%s\t%s\n", a, b,
			    kt->keys[kt->by_index[e->key]].name, e->label);
	}
	return bad ? io_error(w, err) : 0;
}

int mv_writer_meta(struct mv_writer *w, const char *key, const char *value,
		   struct mv_error *err)
{
	return putf(w, "# %s\t%s\n", key, value) ? io_error(w, err) : 0;
}

int mv_writer_columns(struct mv_writer *w, char *const *columns, int ncols,
		      struct mv_error *err)
{
	int bad = 0;

	for (int c = 0; c < ncols; c++)
		bad |= putf(w, "%s%c", columns[c], c + 1 < ncols ? '\t' : '\n');
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
