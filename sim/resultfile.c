/* resultfile.c — what a result file of mvsim is, from its '#' metadata lines and header
 * (the rows are only checked, not kept): the one reader behind `mvsim plot`. See resultfile.h. */
#define _POSIX_C_SOURCE 200809L /* strndup */
#include "mvsim/resultfile.h"

#include "mvsim/colnames.h"
#include "mvsim/tsv.h"

#include <stdlib.h>
#include <string.h>

void mv_resultfile_free(struct mv_resultfile *r)
{
	for (int i = 0; i < r->nvec; i++)
		free(r->vec[i]);
	for (int d = 0; d < r->ndom; d++)
		free(r->dom[d]);
	for (int c = 0; c < r->ncol; c++)
		free(r->col[c]);
	for (int k = 0; k < r->npar; k++)
		free(r->par[k]);
	for (int k = 0; k < r->nmet; k++)
		free(r->met[k]);
	free(r->col);
	free(r->par);
	free(r->met);
	free(r->result);
	free(r->scenario);
	memset(r, 0, sizeof *r);
}

static int split_header(struct mv_resultfile *r, const char *line)
{
	int n = 1;
	for (const char *s = line; *s; s++)
		n += *s == '\t';
	r->col = calloc((size_t)n, sizeof *r->col);
	if (r->col == NULL)
		return -1;
	for (int c = 0; c < n; c++) {
		r->col[c] = mv_tsv_field_dup(line, c);
		if (r->col[c] == NULL)
			return -1;
		r->ncol = c + 1;
	}
	return 0;
}

/* Appends field 1 of line to the list (*list, *n). Returns 0, or -1 out of memory. */
static int push_field(char ***list, int *n, const char *line)
{
	char **grown = realloc(*list, (size_t)(*n + 1) * sizeof **list);
	if (grown == NULL)
		return -1;
	*list = grown;
	if ((grown[*n] = mv_tsv_field_dup(line, 1)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

/* The words after "# mvsim VERSION " on a first line, copied; NULL when there are none. */
static char *first_line_words(const char *line)
{
	const char *s = line + strlen("# mvsim");
	s += strspn(s, " ");
	s += strcspn(s, " \t\r\n"); /* the version */
	s += strspn(s, " ");
	size_t n = strcspn(s, "\t\r\n");
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n > 0 ? strndup(s, n) : NULL;
}

/* See resultfile.h: the metadata lines, the header, then the first table's rows checked. */
int mv_resultfile_read(struct mv_resultfile *r, const char *path, struct mv_error *err)
{
	char *words = NULL;
	int lineno = 0, rc = -1, got, tables = 0;
	struct mv_tsv *t;

	memset(r, 0, sizeof *r);
	if (strchr(path, '\n'))
		return mv_error_set(err, MV_EXIT_INPUT, "a file name with a newline is not supported");
	if ((t = mv_tsv_open(path, MV_TSV_CRLF, err)) == NULL)
		return -1;
	while ((got = mv_tsv_next(t, err)) > 0) {
		const char *line = mv_tsv_line(t);
		lineno = (int)mv_tsv_lineno(t);
		if (lineno == 1 && strncmp(line, "# mvsim", 7) != 0) {
			mv_error_set(err, MV_EXIT_INPUT, "%s: not an mvsim result (the first line "
				     "should start with '# mvsim')", path);
			goto out;
		}
		if (lineno == 1) {
			words = first_line_words(line);
			continue;
		}
		if (r->col != NULL) {
			/* past the header: every row whole (issue 15: a torn file plotted with
			 * exit 0), as many fields as the header, the last line ended */
			if (!mv_tsv_complete(t)) {
				mv_error_set(err, MV_EXIT_INPUT, "%s:%d: the last line does not end in a "
					     "newline: the file is cut short (an interrupted write?)",
					     path, lineno);
				goto out;
			}
			if (mv_tsv_len(t) == 0 || strncmp(line, "# table: ", 9) == 0)
				tables = 1; /* other tables follow (a fit report, a discovery), each
					     * with its own header: only the first is held to it */
			if (mv_tsv_len(t) == 0 || line[0] == '#' || tables)
				continue;
			int nf = 1;
			for (const char *c = line; *c; c++)
				nf += *c == '\t';
			if (nf != r->ncol) {
				mv_error_set(err, MV_EXIT_INPUT, "%s:%d: expected %d fields (as the header), "
					     "found %d: a torn or edited row", path, lineno, r->ncol, nf);
				goto out;
			}
			if (r->nrows < 2)
				r->nrows++;
			continue;
		}
		if (line[0] != '#') {
			if (split_header(r, line)) {
				mv_error_set(err, MV_EXIT_FAIL, "out of memory");
				goto out;
			}
			continue;
		}
		if ((strncmp(line, "# result\t", 9) == 0 && r->result == NULL &&
		     (r->result = mv_tsv_field_dup(line, 1)) == NULL) ||
		    (strncmp(line, "# scenario\t", 11) == 0 && r->scenario == NULL &&
		     (r->scenario = mv_tsv_field_dup(line, 1)) == NULL) ||
		    (strncmp(line, "# parameter\t", 12) == 0 && push_field(&r->par, &r->npar, line)) ||
		    (strncmp(line, "# metric\t", 9) == 0 && push_field(&r->met, &r->nmet, line))) {
			mv_error_set(err, MV_EXIT_FAIL, "out of memory");
			goto out;
		}
		if (strcmp(line, "# names\tsafe") == 0)
			r->safe_names = 1;
		int isvec = strncmp(line, "# vector\t", 9) == 0;
		int isdom = strncmp(line, "# domain\t", 9) == 0;
		if ((isvec && r->nvec == MV_MAX_VECTORS) || (isdom && r->ndom == MV_MAX_DOMAINS)) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: more %s than mvsim allows", path,
				     lineno, isvec ? "vectors" : "domains");
			goto out;
		}
		if (isvec || isdom) {
			char *id = mv_tsv_field_dup(line, 1);
			if (id == NULL || id[0] == '\0') {
				free(id);
				mv_error_set(err, MV_EXIT_INPUT, "%s:%d: '# %s' line without an id",
					     path, lineno, isvec ? "vector" : "domain");
				goto out;
			}
			if (isvec)
				r->vec[r->nvec++] = id;
			else
				r->dom[r->ndom++] = id;
		}
	}
	if (r->result == NULL) {
		r->result = words;
		words = NULL;
	}
	if (got < 0)
		; /* err says what */
	else if (lineno == 0)
		mv_error_set(err, MV_EXIT_INPUT, "%s: empty file, not an mvsim result", path);
	else if (r->col == NULL)
		mv_error_set(err, MV_EXIT_INPUT, "%s: no header line after the '#' lines", path);
	else if (r->nrows == 0)
		mv_error_set(err, MV_EXIT_INPUT, "%s: no data rows after the header", path);
	else
		rc = 0;
out:
	free(words);
	mv_tsv_close(t);
	return rc;
}

int mv_resultfile_column(const struct mv_resultfile *r, const char *name)
{
	char safe[512];
	int have_safe = r->safe_names && mv_colname_safe(name, safe, sizeof safe) >= 0;

	for (int c = 0; c < r->ncol; c++)
		if (strcmp(r->col[c], name) == 0 || (have_safe && strcmp(r->col[c], safe) == 0))
			return c;
	return -1;
}
