/* output.c — TSV results: metadata, header, rows; every write checked.
 * A reader never sees half a file under the final name: we write "<path>.tmp.XXXXXX". */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/output.h"

#include "mvsim/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mv_writer {
	FILE *f;
	char *path; /* final name; NULL for stdout */
	char *tmp;  /* temporary name */
	char buf[1 << 16];
};

struct mv_writer *mv_writer_open(const char *path, struct mv_error *err)
{
	struct mv_writer *w = calloc(1, sizeof *w);

	if (w == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	if (path == NULL || strcmp(path, "-") == 0) {
		w->f = stdout;
		return w;
	}
	size_t len = strlen(path);
	w->path = strdup(path);
	w->tmp = malloc(len + 16);
	if (w->path == NULL || w->tmp == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		goto fail;
	}
	snprintf(w->tmp, len + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(w->tmp);
	if (fd < 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot create output: %s", path,
			     strerror(errno));
		goto fail;
	}
	/* mkstemp makes the file 0600; results get the permissions any new file would. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (w->f = fdopen(fd, "w")) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "%s: cannot open output: %s", path, strerror(errno));
		close(fd);
		unlink(w->tmp);
		goto fail;
	}
	setvbuf(w->f, w->buf, _IOFBF, sizeof w->buf);
	return w;
fail:
	free(w->path);
	free(w->tmp);
	free(w);
	return NULL;
}

struct mv_writer *mv_writer_open_stream(FILE *f, struct mv_error *err)
{
	struct mv_writer *w = calloc(1, sizeof *w);

	if (w == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	w->f = f;
	return w;
}

static int io_error(struct mv_writer *w, struct mv_error *err)
{
	return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s",
			    w->path ? w->path : "standard output", strerror(errno));
}

int mv_writer_header(struct mv_writer *w, const struct mv_scenario *sc,
		     const struct mv_keytab *kt, const char *method, const char *seed, char *const *columns, int ncols, struct mv_error *err)
{
	FILE *f = w->f;
	double wsum = 0;
	int n = sc->nvec, D = sc->ndom;
	char num[32];

	fprintf(f, "# mvsim %s\n", MV_VERSION);
	fprintf(f, "# scenario\t%s\n", sc->name);
	fprintf(f, "# file\t%s\n", sc->files[sc->top]);
	fprintf(f, "# sha256\t%s\n", sc->sha256);
	fprintf(f, "# integrator\t%s\trtol=%g\tatol=%g\n", method, sc->val[MV_G_RTOL],
		sc->val[MV_G_ATOL]);
	fprintf(f, "# seed\t%s\n", seed ? seed : "none");
	for (int k = 0; k < sc->nsets; k++)
		fprintf(f, "# set\t%s\n", sc->sets[k]);
	for (int i = 0; i < n; i++) {
		mv_format_number(sc->val[mv_key_vec(n, D, i, MV_VP_ANGLE)], num);
		fprintf(f, "# vector\t%s\t%s\t%s\n", sc->vec_id[i], num, sc->vec_name[i]);
	}
	for (int d = 0; d < D; d++)
		wsum += sc->val[mv_key_dom_weight(n, D, d)];
	for (int d = 0; d < D; d++) {
		mv_format_number(sc->val[mv_key_dom_weight(n, D, d)] / wsum, num);
		fprintf(f, "# domain\t%s\t%s\t%s\n", sc->dom_id[d], num, sc->dom_name[d]);
	}
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		char at[32], over[32];
		mv_format_number(e->at, at);
		mv_format_number(e->over, over);
		fprintf(f, "# event\t%s\t%s\t%s\t%s\n", at, over,
			kt->keys[kt->by_index[e->key]].name, e->label);
	}
	for (int c = 0; c < ncols; c++)
		fprintf(f, "%s%c", columns[c], c + 1 < ncols ? '\t' : '\n');
	return ferror(f) ? io_error(w, err) : 0;
}

int mv_format_number(double v, char *buf)
{
	return snprintf(buf, 32, "%.10g", v);
}

int mv_writer_row(struct mv_writer *w, const double *row, int ncols, struct mv_error *err)
{
	char line[64 * 1024];
	size_t used = 0;

	for (int c = 0; c < ncols; c++) {
		if (used + 40 > sizeof line) {
			if (fwrite(line, 1, used, w->f) != used)
				return io_error(w, err);
			used = 0;
		}
		used += (size_t)mv_format_number(row[c], line + used);
		line[used++] = c + 1 < ncols ? '\t' : '\n';
	}
	if (fwrite(line, 1, used, w->f) != used)
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

	if (w->path == NULL) {
		if (fflush(w->f) != 0 || ferror(w->f))
			rc = io_error(w, err);
		free(w);
		return rc;
	}
	if (fflush(w->f) != 0 || ferror(w->f) || fsync(fileno(w->f)) != 0)
		rc = io_error(w, err);
	if (fclose(w->f) != 0 && rc == 0)
		rc = io_error(w, err);
	if (rc == 0 && rename(w->tmp, w->path) != 0)
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: cannot rename %s into place: %s", w->path,
				  w->tmp, strerror(errno));
	if (rc)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	free(w);
	return rc;
}

void mv_writer_abort(struct mv_writer *w)
{
	if (w == NULL)
		return;
	if (w->path) {
		fclose(w->f);
		unlink(w->tmp);
	} else {
		fflush(w->f);
	}
	free(w->path);
	free(w->tmp);
	free(w);
}
