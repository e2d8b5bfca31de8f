/* infile.c — opening and reading input files: regular files only, refused before anything can
 * block, bounded, hashed once as they are read (see infile.h). */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/infile.h"

#include "mvsim/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mv_infile_open(const char *path, const char *what, struct stat *st, struct mv_error *err)
{
	struct stat sb;
	int fd;

	do /* a signal during open is no reason to fail: the loops poll mv_interrupt */
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR && !mv_interrupt);
	if (fd < 0) {
		if (errno == EINTR)
			return mv_error_interrupted(err);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open %s: %s", path, what,
				    strerror(errno));
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read %s: not a regular file",
				    path, what);
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read %s: %s", path, what,
				    strerror(e));
	}
	if (st)
		*st = sb;
	return fd;
}

FILE *mv_infile_fopen(const char *path, const char *what, struct mv_error *err)
{
	int fd = mv_infile_open(path, what, NULL, err);
	FILE *f;

	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	}
	return f;
}

void mv_infile_free(struct mv_infile *in)
{
	if (in == NULL)
		return;
	free(in->text);
	memset(in, 0, sizeof *in);
}

int mv_infile_read(const char *path, const char *what, size_t max_bytes, size_t max_line,
		   struct mv_infile *in, struct mv_error *err)
{
	struct stat st;
	struct mv_sha256 h;
	int fd;

	memset(in, 0, sizeof *in);
	if ((fd = mv_infile_open(path, what, &st, err)) < 0)
		return -1;
	if ((unsigned long long)st.st_size > (unsigned long long)max_bytes) {
		close(fd);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected a %s of at most %zu bytes, found %lld bytes", path, what,
				    max_bytes, (long long)st.st_size);
	}
	/* The size may change under us: read up to max_bytes + 1 and refuse more. */
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *text = malloc(cap + 1);
	if (text == NULL) {
		close(fd);
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	}
	for (;;) {
		if (mv_interrupt) {
			free(text);
			close(fd);
			return mv_error_interrupted(err);
		}
		if (n == cap) {
			if (cap > max_bytes)
				break;
			size_t ncap = 2 * cap > max_bytes + 1 ? max_bytes + 1 : 2 * cap;
			char *t = realloc(text, ncap + 1);
			if (t == NULL) {
				free(text);
				close(fd);
				return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
			}
			text = t;
			cap = ncap;
		}
		ssize_t k = read(fd, text + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			free(text);
			close(fd);
			return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read %s: %s", path, what,
					    strerror(e));
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (n > max_bytes) {
		free(text);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected a %s of at most %zu bytes, found more", path, what,
				    max_bytes);
	}
	text[n] = '\0';
	if (memchr(text, '\0', n) != NULL) {
		free(text);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: expected a text file, found a NUL byte",
				    path);
	}
	if (max_line > 0) { /* line by line with memchr: loading is on every run's path */
		int line = 1;
		for (const char *begin = text, *end = text + n;; line++) {
			const char *p = memchr(begin, '\n', (size_t)(end - begin));
			if (p == NULL)
				p = end;
			if ((size_t)(p - begin) > max_line) {
				free(text);
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s:%d: expected a line of at most %zu bytes, found %ld bytes",
						    path, line, max_line, (long)(p - begin));
			}
			if (p == end)
				break;
			begin = p + 1;
		}
	}
	mv_sha256_init(&h);
	mv_sha256_update(&h, text, n);
	mv_sha256_final(&h, in->sha256);
	in->text = text;
	in->len = n;
	in->dev = st.st_dev;
	in->ino = st.st_ino;
	return 0;
}
