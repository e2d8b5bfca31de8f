/* infile.h — the one way mvsim opens a file it reads: a regular file only, checked before any
 * read can block (a FIFO or a device is refused at once), of bounded size, hashed as it is read.
 * Every reader of the library uses it; the commands' readers (merge, plot, resume) should too. */
#ifndef MVSIM_INFILE_H
#define MVSIM_INFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mvsim/error.h"

#define MV_INFILE_MAX_DATA_BYTES (64L << 20) /* a data file (series, observations) */

/* Opens path for reading: open(O_RDONLY | O_NONBLOCK | O_CLOEXEC), so that a FIFO cannot block,
 * then fstat; anything but a regular file is refused; then O_NONBLOCK is cleared. `what` names
 * the file in messages ("scenario", "data file", "sweep file", ...). Returns the descriptor, or
 * -1 with err set (code 2): `path: cannot open what: <strerror>` or
 * `path: cannot read what: not a regular file`. st (if not NULL) receives the file's status. */
int mv_infile_open(const char *path, const char *what, struct stat *st, struct mv_error *err);

/* mv_infile_open as a stdio stream ("r"); NULL with err set. */
FILE *mv_infile_fopen(const char *path, const char *what, struct mv_error *err);

/* A file read whole. */
struct mv_infile {
	char *text;       /* len bytes and a NUL; owned (free) */
	size_t len;
	char sha256[65];  /* of the bytes read, hex */
	dev_t dev;        /* identity, for cycles and for "an output that is an input" */
	ino_t ino;
};

/* Reads the regular file at path whole (at most max_bytes, else `path: expected a what of at
 * most N bytes, found M bytes`), hashing it (SHA-256) on the way; a NUL byte is refused
 * (`path: expected a text file, found a NUL byte`), and so is a line longer than max_line bytes
 * when max_line > 0 (`path:line: expected a line of at most N bytes, found M bytes`). Polls
 * mv_interrupt. Returns 0, or -1 with err set (code 2; 1 when out of memory) and *in zeroed. */
int mv_infile_read(const char *path, const char *what, size_t max_bytes, size_t max_line,
		   struct mv_infile *in, struct mv_error *err);

void mv_infile_free(struct mv_infile *in);

#endif
