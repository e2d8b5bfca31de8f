/* tsv.c — reading mvsim's tab-separated files, one line at a time (getline), so a reader
 * never holds a whole file; fields split on demand. */
#define _GNU_SOURCE /* getc_unlocked, O_CLOEXEC */
#include "mvsim/tsv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct mv_tsv {
	FILE *f;
	int owned;      /* f was opened by mv_tsv_open */
	int flags;
	char *name;
	char *line;     /* the current line, its newline removed */
	size_t cap, len;
	int complete;
	long lineno, offset;
	char *copy;     /* the fields of mv_tsv_split */
	size_t copycap;
	char **fields;
	int fieldcap;
};

struct mv_tsv *mv_tsv_reader(FILE *f, const char *name, int flags, struct mv_error *err)
{
	struct mv_tsv *t = calloc(1, sizeof *t);

	if (t == NULL || (t->name = strdup(name)) == NULL) {
		free(t);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	t->f = f;
	t->flags = flags;
	long pos = ftell(f);
	t->offset = pos > 0 ? pos : 0;
	return t;
}

FILE *mv_tsv_fopen(const char *path, struct mv_error *err)
{
	/* O_NONBLOCK: opening a FIFO does not wait for a writer; it is refused below */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read: not a regular file", path);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	}
	return f;
}

struct mv_tsv *mv_tsv_open(const char *path, int flags, struct mv_error *err)
{
	FILE *f = mv_tsv_fopen(path, err);
	struct mv_tsv *t;

	if (f == NULL)
		return NULL;
	if ((t = mv_tsv_reader(f, path, flags, err)) == NULL) {
		fclose(f);
		return NULL;
	}
	t->owned = 1;
	return t;
}

void mv_tsv_close(struct mv_tsv *t)
{
	if (t == NULL)
		return;
	if (t->owned)
		fclose(t->f);
	free(t->name);
	free(t->line);
	free(t->copy);
	free(t->fields);
	free(t);
}

/* Reads one line (with its newline, if any) into t->line: at most MV_TSV_MAX_LINE bytes, no
 * NUL byte. Returns its length, 0 at the end of the file, -1 with err. */
static long read_line(struct mv_tsv *t, struct mv_error *err)
{
	size_t n = 0;
	int c;

	errno = 0;
	while ((c = getc_unlocked(t->f)) != EOF) {
		if (c == '\0')
			return mv_error_set(err, MV_EXIT_INPUT, "%s:%ld: expected text, found a NUL byte",
					    t->name, t->lineno + 1);
		if (n + 2 > t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 256;
			char *p = realloc(t->line, cap);
			if (p == NULL)
				return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
			t->line = p;
			t->cap = cap;
		}
		t->line[n++] = (char)c;
		if (c == '\n')
			break;
		if (n > MV_TSV_MAX_LINE) {
			/* how long it is, without keeping it */
			while ((c = getc_unlocked(t->f)) != EOF && c != '\n')
				n++;
			return mv_error_set(err, MV_EXIT_INPUT, "%s:%ld: expected a line of at most %d "
					    "bytes, found %zu bytes", t->name, t->lineno + 1,
					    MV_TSV_MAX_LINE, n);
		}
	}
	if (ferror(t->f))
		return errno == ENOMEM ? mv_error_set(err, MV_EXIT_FAIL, "out of memory")
				       : mv_error_set(err, MV_EXIT_INPUT, "%s: read error: %s", t->name,
						      strerror(errno ? errno : EIO));
	if (n > 0)
		t->line[n] = '\0';
	return (long)n;
}

int mv_tsv_next(struct mv_tsv *t, struct mv_error *err)
{
	long n = read_line(t, err);

	if (n <= 0)
		return (int)n;
	t->lineno++;
	t->offset += n;
	t->complete = t->line[n - 1] == '\n';
	if (t->complete)
		t->line[--n] = '\0';
	if ((t->flags & MV_TSV_CRLF) && n > 0 && t->line[n - 1] == '\r')
		t->line[--n] = '\0';
	t->len = (size_t)n;
	return 1;
}

const char *mv_tsv_line(const struct mv_tsv *t)
{
	return t->line ? t->line : "";
}

size_t mv_tsv_len(const struct mv_tsv *t)
{
	return t->len;
}

int mv_tsv_complete(const struct mv_tsv *t)
{
	return t->complete;
}

long mv_tsv_lineno(const struct mv_tsv *t)
{
	return t->lineno;
}

long mv_tsv_offset(const struct mv_tsv *t)
{
	return t->offset;
}

int mv_tsv_is_comment(const struct mv_tsv *t)
{
	return t->line && t->line[0] == '#';
}

int mv_tsv_meta(const struct mv_tsv *t, const char *key, const char **value)
{
	size_t n = strlen(key);

	if (t->line == NULL || t->line[0] != '#' || t->line[1] != ' ' ||
	    strncmp(t->line + 2, key, n) != 0 || t->line[2 + n] != '\t')
		return 0;
	if (value)
		*value = t->line + 3 + n;
	return 1;
}

int mv_tsv_split_text(char *s, char **fields, int max)
{
	int n = 0;

	for (char *p = s;;) {
		char *tab = strchr(p, '\t');
		if (n < max)
			fields[n] = p;
		n++;
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

int mv_tsv_split(struct mv_tsv *t, char ***fields)
{
	int n = 1;

	for (size_t k = 0; k < t->len; k++)
		n += t->line[k] == '\t';
	if (t->len + 1 > t->copycap) {
		char *c = realloc(t->copy, t->len + 1);
		if (c == NULL)
			return -1;
		t->copy = c;
		t->copycap = t->len + 1;
	}
	if (n > t->fieldcap) {
		char **fl = realloc(t->fields, (size_t)n * sizeof *fl);
		if (fl == NULL)
			return -1;
		t->fields = fl;
		t->fieldcap = n;
	}
	memcpy(t->copy, mv_tsv_line(t), t->len + 1);
	*fields = t->fields;
	return mv_tsv_split_text(t->copy, t->fields, n);
}

char *mv_tsv_field_dup(const char *s, int n)
{
	for (; n > 0; n--) {
		s = strchr(s, '\t');
		if (s == NULL)
			return NULL;
		s++;
	}
	return strndup(s, strcspn(s, "\t\r\n"));
}

int mv_tsv_field_index(const char *s, const char *name)
{
	size_t n = strlen(name);

	for (int c = 0;; c++) {
		size_t len = strcspn(s, "\t\r\n");
		if (len == n && strncmp(s, name, n) == 0)
			return c;
		if (s[len] != '\t')
			return -1;
		s += len + 1;
	}
}
