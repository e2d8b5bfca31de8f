/* resultfile.h — what a result file of mvsim is (a run's time series, an ensemble, a
 * sensitivity analysis, a sweep summary, a fit report, a discovery), read from its '#'
 * metadata lines and its header: the ids, the columns, what wrote it. Rows are checked
 * (whole, as many fields as the header), not kept: readers of the rows use tsv.h. */
#ifndef MVSIM_RESULTFILE_H
#define MVSIM_RESULTFILE_H

#include "mvsim/error.h"
#include "mvsim/scenario.h" /* MV_MAX_VECTORS, MV_MAX_DOMAINS */

/* A result file's metadata and header (plain data; free with mv_resultfile_free). */
struct mv_resultfile {
	int nvec, ndom, ncol;
	char *vec[MV_MAX_VECTORS]; /* the '# vector' lines' ids, in order */
	char *dom[MV_MAX_DOMAINS]; /* the '# domain' lines' ids */
	char **col;     /* header names, ncol of them */
	int nrows;      /* data rows after the header (counted up to 2) */
	char *result;   /* what the file is: the '# result' line's value ("ensemble", ...), else
			 * the words after the version on the first line ("sweep summary",
			 * "fit report"), else NULL (a run's time series) */
	char *scenario; /* the '# scenario' line's value (a run's), or NULL */
	int npar, nmet;
	char **par;     /* the keys of the '# parameter' lines, in order (a sweep's, an analysis') */
	char **met;     /* the names of the '# metric' lines, in order */
	int safe_names; /* a '# names\tsafe' line: the header has the safe forms (colnames.h) */
};

/* Reads path's metadata and header into r (zeroed first; free with mv_resultfile_free, also
 * on failure). The first table's rows must be whole (the last line ended) with as many
 * fields as the header; other tables (after a blank line or a '# table: ' line) are not
 * held to it. Returns 0, or -1 with err (code 2) when the file cannot be read, has a
 * newline in its name, is not an mvsim result (no '# mvsim' first line), has a torn or
 * short row, no header or no data row; code 1 out of memory. */
int mv_resultfile_read(struct mv_resultfile *r, const char *path, struct mv_error *err);

/* Frees what r holds and zeroes it. */
void mv_resultfile_free(struct mv_resultfile *r);

/* The index of the first column of r named name, or in a file written with --names safe
 * (r->safe_names) named by name's safe form (mv_colname_safe: options and '# parameter' /
 * '# metric' lines keep the names as written); -1 when there is none. */
int mv_resultfile_column(const struct mv_resultfile *r, const char *name);

#endif
