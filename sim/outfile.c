/* outfile.c — output files written whole: temporary + rename for regular files (through a
 * symbolic link: beside its target, so the link stays), written through for FIFOs, devices
 * and the names of open descriptors (/dev/stdout, /proc/self/fd/N); every write, flush, sync
 * and close checked; a target that is one of the command's inputs refused. */
#define _GNU_SOURCE /* realpath, O_CLOEXEC, dup3 */
#include "mvsim/outfile.h"

#include "mvsim/scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTFILE_BUFSIZE (1 << 16)

struct mv_outfile {
	char *path;   /* the target, as given */
	char *real;   /* where the temporary is renamed to (the link's target), or NULL */
	char *tmp;    /* the temporary, or NULL when written through */
	char *fdname; /* "/dev/fd/N" of a descriptor written through, for another process */
	FILE *f;
	char *buf;    /* the stream's buffer */
};

int mv_file_id_of(const char *path, struct mv_file_id *id)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	id->dev = (unsigned long long)st.st_dev;
	id->ino = (unsigned long long)st.st_ino;
	return 0;
}

int mv_file_ids_add(struct mv_file_ids *ids, const char *path)
{
	struct mv_file_id id;

	if (path == NULL || mv_file_id_of(path, &id) != 0)
		return 0; /* nothing there: nothing to overwrite */
	for (int k = 0; k < ids->n; k++)
		if (ids->v[k].dev == id.dev && ids->v[k].ino == id.ino)
			return 0;
	if (ids->n == ids->cap) {
		int cap = ids->cap ? 2 * ids->cap : 16;
		struct mv_file_id *v = realloc(ids->v, (size_t)cap * sizeof *v);
		if (v == NULL)
			return -1;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return 0;
}

int mv_file_ids_add_scenario(struct mv_file_ids *ids, const struct mv_scenario *sc)
{
	for (int k = 0; sc && k < sc->nfiles; k++)
		if (mv_file_ids_add(ids, sc->files[k]))
			return -1;
	for (int k = 0; sc && k < sc->nseries; k++)
		if (mv_file_ids_add(ids, sc->series[k].path))
			return -1;
	/* the loader's provenance: every file it read (data files included) */
	for (int k = 0; sc && k < sc->ninputs; k++)
		if (mv_file_ids_add(ids, sc->inputs[k].path))
			return -1;
	return 0;
}

void mv_file_ids_free(struct mv_file_ids *ids)
{
	free(ids->v);
	ids->v = NULL;
	ids->n = ids->cap = 0;
}

int mv_outfile_check(const char *path, const struct mv_file_id *inputs, int ninputs,
		     struct mv_error *err)
{
	struct mv_file_id id;

	if (path == NULL || mv_file_id_of(path, &id) != 0)
		return 0;
	for (int k = 0; k < ninputs; k++)
		if (inputs[k].dev == id.dev && inputs[k].ino == id.ino)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: is an input of this command: refusing to overwrite it",
					    path);
	return 0;
}

/* N when name is the name of descriptor N: /dev/stdin, /dev/stdout, /dev/stderr,
 * /dev/fd/N, /proc/self/fd/N; else -1. */
static int fd_of_name(const char *name)
{
	static const char *const std[] = {"in", "out", "err"}; /* /dev/std<...>: 0, 1, 2 */
	static const char *const dirs[] = {"/dev/fd/", "/proc/self/fd/"};

	for (int k = 0; k < 3; k++)
		if (strncmp(name, "/dev/std", 8) == 0 && strcmp(name + 8, std[k]) == 0)
			return k;
	for (int k = 0; k < 2; k++) {
		size_t n = strlen(dirs[k]);
		char *end;
		if (strncmp(name, dirs[k], n) != 0 || name[n] < '0' || name[n] > '9')
			continue;
		long fd = strtol(name + n, &end, 10);
		if (*end == '\0' && fd <= INT_MAX)
			return (int)fd;
	}
	return -1;
}

/* The descriptor path names, following its symbolic links (a link to /proc/self/fd/1 names
 * descriptor 1), or -1. */
static int fd_of_path(const char *path)
{
	char cur[PATH_MAX], next[PATH_MAX];

	if (strlen(path) >= sizeof cur)
		return -1;
	strcpy(cur, path);
	for (int hop = 0; hop < 16; hop++) {
		int fd = fd_of_name(cur);
		if (fd >= 0)
			return fd;
		/* /proc/self/fd/N's own link would lead to what the descriptor is: stop before */
		ssize_t n = readlink(cur, next, sizeof next - 1);
		if (n <= 0)
			return -1;
		next[n] = '\0';
		if (next[0] != '/') { /* relative to the link's directory */
			char *slash = strrchr(cur, '/');
			size_t dir = slash ? (size_t)(slash - cur) + 1 : 0;
			if (dir + (size_t)n >= sizeof cur)
				return -1;
			memmove(next + dir, next, (size_t)n + 1);
			memcpy(next, cur, dir);
		}
		strcpy(cur, next);
	}
	return -1;
}

int mv_outfile_target(const char *path, char **real, int *fd, struct mv_error *err)
{
	struct stat st, lst;

	*real = NULL;
	*fd = -1;
	if (path == NULL || path[0] == '\0')
		return mv_error_set(err, MV_EXIT_INPUT, "output: expected a file name, found an empty one");
	if ((*fd = fd_of_path(path)) >= 0) {
		if (fcntl(*fd, F_GETFD) < 0)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open output: descriptor %d "
					    "is not open", path, *fd);
		return MV_OUTFILE_FD;
	}
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open output: %s", path,
					    strerror(errno));
		/* a link to nothing yet: create its target through it */
		return lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) ? MV_OUTFILE_THROUGH
								   : MV_OUTFILE_NEW;
	}
	if (S_ISDIR(st.st_mode))
		return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot write output: Is a directory", path);
	if (!S_ISREG(st.st_mode))
		return MV_OUTFILE_THROUGH; /* a FIFO or a device must not be replaced */
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		/* replace the link's target, not the link */
		if ((*real = realpath(path, NULL)) == NULL)
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open output: %s", path,
					    strerror(errno));
	}
	return MV_OUTFILE_REPLACE;
}

static void outfile_free(struct mv_outfile *o)
{
	free(o->path);
	free(o->real);
	free(o->tmp);
	free(o->fdname);
	free(o->buf);
	free(o);
}

struct mv_outfile *mv_outfile_open(const char *path, const struct mv_file_id *inputs,
				   int ninputs, struct mv_error *err)
{
	struct mv_outfile *o;
	char *real;
	int fd, kind = mv_outfile_target(path, &real, &fd, err);

	if (kind < 0 || mv_outfile_check(path, inputs, ninputs, err)) {
		free(real);
		return NULL;
	}
	if ((o = calloc(1, sizeof *o)) == NULL || (o->path = strdup(path)) == NULL ||
	    (o->buf = malloc(OUTFILE_BUFSIZE)) == NULL) {
		if (o)
			outfile_free(o);
		free(real);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	o->real = real;
	if (kind == MV_OUTFILE_FD) {
		/* a copy of the descriptor (not close-on-exec: gnuplot writes to /dev/fd/N) */
		int d = fcntl(fd, F_DUPFD, 3);
		char name[32];
		snprintf(name, sizeof name, "/dev/fd/%d", d);
		if (d < 0 || (o->fdname = strdup(name)) == NULL || (o->f = fdopen(d, "w")) == NULL) {
			mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open output: %s", path,
				     strerror(errno));
			if (d >= 0)
				close(d);
			outfile_free(o);
			return NULL;
		}
		setvbuf(o->f, o->buf, _IOFBF, OUTFILE_BUFSIZE);
		return o;
	}
	if (kind == MV_OUTFILE_THROUGH) {
		/* A FIFO or a device must not be replaced by a regular file: write to it. */
		if ((o->f = fopen(path, "w")) == NULL) {
			mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open output: %s", path,
				     strerror(errno));
			outfile_free(o);
			return NULL;
		}
		setvbuf(o->f, o->buf, _IOFBF, OUTFILE_BUFSIZE);
		return o;
	}
	const char *dest = o->real ? o->real : path;
	size_t len = strlen(dest) + sizeof ".tmp.XXXXXX";
	if ((o->tmp = malloc(len)) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		outfile_free(o);
		return NULL;
	}
	snprintf(o->tmp, len, "%s.tmp.XXXXXX", dest);
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot create output: %s", path, strerror(errno));
		outfile_free(o);
		return NULL;
	}
	/* mkstemp makes the file 0600; results get the permissions any new file would. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (o->f = fdopen(fd, "w")) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "%s: cannot open output: %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		outfile_free(o);
		return NULL;
	}
	setvbuf(o->f, o->buf, _IOFBF, OUTFILE_BUFSIZE);
	return o;
}

FILE *mv_outfile_stream(struct mv_outfile *o)
{
	return o->f;
}

const char *mv_outfile_name(const struct mv_outfile *o)
{
	return o->tmp ? o->tmp : o->fdname ? o->fdname : o->path;
}

const char *mv_outfile_temporary(const struct mv_outfile *o)
{
	return o->tmp;
}

const char *mv_outfile_path(const struct mv_outfile *o)
{
	return o->path;
}

int mv_outfile_commit(struct mv_outfile *o, struct mv_error *err)
{
	int rc = 0, e = 0;

	if (fflush(o->f) != 0 || ferror(o->f) || (o->tmp && fsync(fileno(o->f)) != 0)) {
		rc = -1;
		e = errno;
	}
	if (fclose(o->f) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc)
		mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", o->path,
			     strerror(e ? e : EIO));
	else if (o->tmp && rename(o->tmp, o->real ? o->real : o->path) != 0)
		rc = mv_error_set(err, MV_EXIT_FAIL, "%s: cannot rename %s into place: %s", o->path,
				  o->tmp, strerror(errno));
	if (rc && o->tmp)
		unlink(o->tmp);
	outfile_free(o);
	return rc;
}

void mv_outfile_abort(struct mv_outfile *o)
{
	if (o == NULL)
		return;
	fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	outfile_free(o);
}
