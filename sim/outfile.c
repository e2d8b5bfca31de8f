/* outfile.c — output files written whole: temporary + rename for regular files, written
 * through for FIFOs and devices; every write, flush, sync and close checked. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTFILE_BUFSIZE (1 << 16)

struct mv_outfile {
	char *path; /* the target */
	char *tmp;  /* the temporary, or NULL when written through */
	FILE *f;
	char *buf;  /* the stream's buffer */
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

static void outfile_free(struct mv_outfile *o)
{
	free(o->path);
	free(o->tmp);
	free(o->buf);
	free(o);
}

struct mv_outfile *mv_outfile_open(const char *path, const struct mv_file_id *inputs,
				   int ninputs, struct mv_error *err)
{
	struct mv_outfile *o;
	struct stat st;
	int exists;

	if (path == NULL || path[0] == '\0') {
		mv_error_set(err, MV_EXIT_INPUT, "output: expected a file name, found an empty one");
		return NULL;
	}
	exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot write output: Is a directory", path);
		return NULL;
	}
	for (int k = 0; exists && k < ninputs; k++)
		if (inputs[k].dev == (unsigned long long)st.st_dev &&
		    inputs[k].ino == (unsigned long long)st.st_ino) {
			mv_error_set(err, MV_EXIT_INPUT,
				     "%s: is an input of this command: refusing to overwrite it", path);
			return NULL;
		}
	if ((o = calloc(1, sizeof *o)) == NULL || (o->path = strdup(path)) == NULL ||
	    (o->buf = malloc(OUTFILE_BUFSIZE)) == NULL) {
		if (o)
			outfile_free(o);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	if (exists && !S_ISREG(st.st_mode)) {
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
	size_t len = strlen(path) + sizeof ".tmp.XXXXXX";
	if ((o->tmp = malloc(len)) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		outfile_free(o);
		return NULL;
	}
	snprintf(o->tmp, len, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(o->tmp);
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
	return o->tmp ? o->tmp : o->path;
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
	else if (o->tmp && rename(o->tmp, o->path) != 0)
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
