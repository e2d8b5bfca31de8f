/* outfile.h — the one way mvsim writes an output file: a regular file (or a new name) is
 * written to "<path>.tmp.XXXXXX" and renamed into place when complete, so no reader ever
 * sees half a file under the final name; a FIFO, a device or a link to one is written
 * through in place (it cannot be replaced by a regular file). */
#ifndef MVSIM_OUTFILE_H
#define MVSIM_OUTFILE_H

#include "mvsim/error.h"

#include <stdio.h>

/* A file's identity (device and inode), to recognise one file under two names. */
struct mv_file_id {
	unsigned long long dev, ino;
};

/* The identity of the file path names now (links followed) into *id. Returns 0, or -1 when
 * there is no such file (errno set). */
int mv_file_id_of(const char *path, struct mv_file_id *id);

struct mv_outfile;

/* Opens an output at path now, so a bad path is reported before any work: a temporary
 * beside it (permissions as any new file: 0666 & ~umask), or the target itself when it
 * exists and is not a regular file (a FIFO, a device, a link to one). inputs[0..ninputs)
 * (may be NULL, 0) are the files the command reads: a path naming one of them is refused,
 * so a command never overwrites its own input. Returns the outfile, or NULL with err:
 * code 2 for an empty name, a directory, an input, a path that cannot be created or
 * opened; code 1 out of memory. */
struct mv_outfile *mv_outfile_open(const char *path, const struct mv_file_id *inputs,
				   int ninputs, struct mv_error *err);

/* The stream to write to (buffered; owned by o). */
FILE *mv_outfile_stream(struct mv_outfile *o);

/* The name the bytes go to now: the temporary, or the target when written through. For a
 * writer that is another process (gnuplot): it writes there, then o is committed. */
const char *mv_outfile_name(const struct mv_outfile *o);

/* The target, as given to mv_outfile_open. */
const char *mv_outfile_path(const struct mv_outfile *o);

/* Finishes o: flushes, syncs and closes the stream, renames the temporary into place.
 * Frees o, success or not. Returns 0, or -1 with err (code 1: "PATH: write failed: ..." or
 * "PATH: cannot rename TMP into place: ..."); on failure the temporary is removed. */
int mv_outfile_commit(struct mv_outfile *o, struct mv_error *err);

/* Discards o: the stream closed, the temporary removed (a written-through target keeps what
 * reached it). Frees o. NULL is a no-op. */
void mv_outfile_abort(struct mv_outfile *o);

#endif
