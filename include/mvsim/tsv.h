/* tsv.h — the one reader of mvsim's tab-separated files (results, sweep summaries, fit
 * reports): lines one at a time, '#' metadata told from rows, fields split on demand. */
#ifndef MVSIM_TSV_H
#define MVSIM_TSV_H

#include "mvsim/error.h"

#include <stdio.h>

struct mv_tsv;

/* Flags of mv_tsv_open / mv_tsv_reader. */
enum { MV_TSV_CRLF = 1 }; /* a '\r' before the newline is dropped too (files from Windows) */

/* The longest line a reader takes (bytes, without the newline): a summary row of the most
 * parameters and metrics mvsim allows is far shorter; a file without newlines (/dev/zero's
 * bytes in a regular file) is refused at this length instead of filling memory. */
#define MV_TSV_MAX_LINE (1 << 20)

/* Opens path for reading: a regular file only, refused at once otherwise (a FIFO does not
 * block, a device is not read). Returns the stream, or NULL with err (code 2: "PATH: cannot
 * open: <strerror>", "PATH: cannot read: not a regular file"). */
FILE *mv_tsv_fopen(const char *path, struct mv_error *err);

/* Opens path for reading (mv_tsv_fopen). Returns the reader, or NULL with err (code 2:
 * "PATH: cannot open: ...", "PATH: cannot read: not a regular file"; code 1 out of
 * memory). */
struct mv_tsv *mv_tsv_open(const char *path, int flags, struct mv_error *err);

/* A reader over the caller's stream f (not closed by mv_tsv_close), named name in messages.
 * Returns NULL out of memory (err code 1). */
struct mv_tsv *mv_tsv_reader(FILE *f, const char *name, int flags, struct mv_error *err);

/* Closes the reader (and the file when mv_tsv_open opened it). NULL is a no-op. */
void mv_tsv_close(struct mv_tsv *t);

/* Reads the next line. Returns 1 (a line: mv_tsv_line and the others describe it), 0 at the
 * end of the file, -1 on a read error, a line longer than MV_TSV_MAX_LINE, a NUL byte or out
 * of memory (err, code 2: "NAME: read error: ...", "NAME:LINE: expected a line of at most N
 * bytes, found M bytes", "NAME:LINE: expected text, found a NUL byte"; out of memory code 1). */
int mv_tsv_next(struct mv_tsv *t, struct mv_error *err);

/* The current line without its newline (valid until the next mv_tsv_next), its length,
 * whether it ended in a newline (a last line torn by a kill does not), its number (from 1),
 * and the byte offset just after it (where a row written after it would start). */
const char *mv_tsv_line(const struct mv_tsv *t);
size_t mv_tsv_len(const struct mv_tsv *t);
int mv_tsv_complete(const struct mv_tsv *t);
long mv_tsv_lineno(const struct mv_tsv *t);
long mv_tsv_offset(const struct mv_tsv *t);

/* 1 when the current line is a '#' line (metadata, a table name, a trailer). */
int mv_tsv_is_comment(const struct mv_tsv *t);

/* 1 when the current line starts with "# <key>\t" (a metadata line of that key), and then
 * *value (if not NULL) points at what follows the tab. */
int mv_tsv_meta(const struct mv_tsv *t, const char *key, const char **value);

/* Splits the current line at tabs into its fields (a copy; the line stays readable).
 * Returns the number of fields (at least 1) and *fields the array (owned by t, valid until
 * the next mv_tsv_next or mv_tsv_split), or -1 out of memory. */
int mv_tsv_split(struct mv_tsv *t, char ***fields);

/* Splits s (modified) at tabs into at most max fields (the rest are counted, not stored).
 * Returns the number of fields. For text that is not the reader's current line. */
int mv_tsv_split_text(char *s, char **fields, int max);

/* Field n (from 0) of the tab-separated text s, copied (malloc'd; stops at a tab, '\r' or
 * newline); NULL when s has fewer fields or out of memory. */
char *mv_tsv_field_dup(const char *s, int n);

/* Index (from 0) of the field equal to name in the tab-separated text s, or -1. */
int mv_tsv_field_index(const char *s, const char *name);

#endif
