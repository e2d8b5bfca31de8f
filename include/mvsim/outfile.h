/* outfile.h — the one way mvsim writes an output file: a regular file (or a new name) is
 * written to "<path>.tmp.XXXXXX" and renamed into place when complete, so no reader ever
 * sees half a file under the final name (a symbolic link to a regular file: its target is
 * replaced so, the link stays); a FIFO, a device, a link to one and the name of an open
 * descriptor (/dev/stdout, /dev/fd/N, /proc/self/fd/N, a link to one) are written through in
 * place (none is ever replaced by a regular file). A target that is one of the command's
 * inputs (the same device and inode) is refused before any work. */
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

struct mv_scenario;

/* The files a command read (for the refusal of mv_outfile_open / mv_outfile_check): a growable
 * list; start it zeroed. */
struct mv_file_ids {
	int n, cap;
	struct mv_file_id *v;
};

/* Adds the file at path (nothing when there is none, or when it is listed already). Returns
 * 0, or -1 out of memory. */
int mv_file_ids_add(struct mv_file_ids *ids, const char *path);

/* Adds every file the scenario was read from: the file given, its bases and data series. */
int mv_file_ids_add_scenario(struct mv_file_ids *ids, const struct mv_scenario *sc);

void mv_file_ids_free(struct mv_file_ids *ids);

/* Refuses path when it names one of inputs[0..n): returns 0, or -1 with err (code 2:
 * "PATH: is an input of this command: refusing to overwrite it"). A path that does not
 * exist is no input. For writers whose file is opened later (a sweep's summary, JUnit). */
int mv_outfile_check(const char *path, const struct mv_file_id *inputs, int ninputs,
		     struct mv_error *err);

/* How an output at path is written (mv_outfile_open, and the sweep summary's .partial). */
enum mv_outfile_kind {
	MV_OUTFILE_NEW,     /* no such file: a temporary beside it, renamed */
	MV_OUTFILE_REPLACE, /* a regular file: a temporary beside it (or beside *real, the
			     * target of a link) renamed over it */
	MV_OUTFILE_THROUGH, /* a FIFO, a device, a link to nothing yet: opened and written */
	MV_OUTFILE_FD,      /* the name of open descriptor *fd: written to a copy of it */
};

/* Classifies path. Returns its enum mv_outfile_kind, with *real (malloc'd; NULL but for a
 * link to a regular file) and *fd (MV_OUTFILE_FD), or -1 with err (code 2: an empty name, a
 * directory, a descriptor that is not open, a path that cannot be examined). */
int mv_outfile_target(const char *path, char **real, int *fd, struct mv_error *err);

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

/* The name the bytes go to now: the temporary, the target when written through, or
 * "/dev/fd/N" for a descriptor (a copy inherited by child processes). For a writer that is
 * another process (gnuplot): it writes there, then o is committed. */
const char *mv_outfile_name(const struct mv_outfile *o);

/* The temporary the bytes go to (renamed into place on commit), or NULL when the target is
 * written through (a FIFO, a device, a descriptor): then nothing tells how much arrived. */
const char *mv_outfile_temporary(const struct mv_outfile *o);

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
