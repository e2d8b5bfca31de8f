/* colnames.h — `--names safe`: column names that every data tool reads unchanged (R's
 * read.delim, pandas, SQL, Stata): letters, digits and '_' only (docs/reading-results.md). */
#ifndef MVSIM_COLNAMES_H
#define MVSIM_COLNAMES_H

#include "mvsim/error.h"

#include <stddef.h>

/* How a command names its columns: as written (the default) or safe. */
enum mv_names { MV_NAMES_KEEP = 0, MV_NAMES_SAFE };

/* The safe form of a column name, into buf (size bytes): '>' becomes "_gt_", '<' "_lt_", every
 * other character that is not an ASCII letter, digit or '_' (the ':' after a reducer, the '.'
 * of a key) becomes '_'; letters, digits and '_' stay. A safe name is its own safe form.
 * `final:crisis_prob` -> `final_crisis_prob`, `cross:share_west>share_russia` ->
 * `cross_share_west_gt_share_russia`, `vectors.russia.coercion` -> `vectors_russia_coercion`.
 * Returns the length, or -1 when it does not fit (buf then holds a cut, terminated copy). */
int mv_colname_safe(const char *name, char *buf, size_t size);

/* The safe form of a tab-separated header line (no newline), malloc'd. Two names with the same
 * safe form are an error (code 2): "--names safe: columns 'A' and 'B' would both be named 'S'".
 * Returns NULL with err set (code 1 out of memory). */
char *mv_colnames_safe_header(const char *header, struct mv_error *err);

/* A result's metadata and header, meta ('#' lines, then the header line ending in '\n'), with
 * its header made safe and a line "# names\tsafe" before it; malloc'd. NULL with err set. */
char *mv_colnames_safe_meta(const char *meta, struct mv_error *err);

/* Parses the argument of --names: "safe" or "keep". Returns 0, or -1 with msg (size bytes) the
 * usage error. */
int mv_names_parse(const char *arg, enum mv_names *out, char *msg, size_t size);

#endif
