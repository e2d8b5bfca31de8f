/* output.h — the TSV writer (MODEL.md §7): `#` metadata, one header line, rows.
 * Files are written under a temporary name and renamed into place only when complete. */
#ifndef MVSIM_OUTPUT_H
#define MVSIM_OUTPUT_H

#include <stdio.h>

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/scenario.h"
#include "mvsim/version.h" /* MV_VERSION, for the metadata lines */

struct mv_writer;

/* Opens a writer on path, or on stdout when path is NULL or "-". For a file, creates
 * "<path>.tmp.XXXXXX" in the same directory now, so a missing or read-only directory is
 * reported before any work (code 2). Returns NULL with err set. */
struct mv_writer *mv_writer_open(const char *path, struct mv_error *err);

/* Opens a writer on an open stream f, which stays the caller's (commit flushes it but does
 * not close it). Returns NULL with err set on allocation failure. */
struct mv_writer *mv_writer_open_stream(FILE *f, struct mv_error *err);

/* Writes the metadata lines for sc (key table kt; integrator `method`, tolerances from sc,
 * `seed` as text or NULL for "none") and the header line of column names.
 * Returns 0 or -1 (err set). */
int mv_writer_header(struct mv_writer *w, const struct mv_scenario *sc,
		     const struct mv_keytab *kt, const char *method, const char *seed, char *const *columns, int ncols, struct mv_error *err);

/* The two halves of mv_writer_header, for results with other columns (ensembles, sweeps):
 * the `#` metadata lines of sc; one more `# key<TAB>value` line; the header line. */
int mv_writer_metadata(struct mv_writer *w, const struct mv_scenario *sc,
		       const struct mv_keytab *kt, const char *method, const char *seed,
		       struct mv_error *err);
int mv_writer_meta(struct mv_writer *w, const char *key, const char *value,
		   struct mv_error *err);
int mv_writer_columns(struct mv_writer *w, char *const *columns, int ncols,
		      struct mv_error *err);

/* Writes one row of ncols numbers (%.10g, tab-separated). Returns 0 or -1 (err set: I/O). */
int mv_writer_row(struct mv_writer *w, const double *row, int ncols, struct mv_error *err);

/* A mv_row_fn adapter: ctx is a struct mv_writer *. */
int mv_writer_row_cb(void *ctx, const double *row, int ncols, struct mv_error *err);

/* Flushes, checks, closes and (for a file) renames the temporary into place.
 * Returns 0, or -1 with err set (code 1: the write failed; the temporary is removed).
 * Frees w in every case. */
int mv_writer_commit(struct mv_writer *w, struct mv_error *err);

/* Closes w without publishing anything: a file's temporary is removed. w may be NULL. */
void mv_writer_abort(struct mv_writer *w);

/* Formats v as %.10g into buf (size >= 32); returns the length. The bytes of snprintf
 * "%.10g" (mv_fmt_g10, fmt.h), without printf. */
int mv_format_number(double v, char *buf);

#endif
