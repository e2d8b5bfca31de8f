/* colnames.c — `--names safe`: column names of letters, digits and '_' only, so that R's
 * read.delim (check.names = TRUE turns ':' and '>' into '.') and every other tool read the
 * names of docs/model.md §9 (metrics `REDUCER:COLUMN`, `cross:A>B`) and §4 (keys) unchanged. */
#include "mvsim/colnames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mv_colname_safe(const char *name, char *buf, size_t size)
{
	size_t n = 0;
	int fits = 1;

	if (size == 0)
		return -1;
	for (const char *s = name; *s && fits; s++) {
		unsigned char c = (unsigned char)*s;
		const char *put;
		char one[2] = {0};
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
			one[0] = (char)c, put = one;
		else if (c == '>')
			put = "_gt_";
		else if (c == '<')
			put = "_lt_";
		else
			put = "_";
		size_t len = strlen(put);
		if (n + len >= size) {
			fits = 0;
			break;
		}
		memcpy(buf + n, put, len);
		n += len;
	}
	buf[n] = '\0';
	return fits ? (int)n : -1;
}

char *mv_colnames_safe_header(const char *header, struct mv_error *err)
{
	size_t len = strlen(header);
	/* each byte becomes at most 4 ("_gt_") */
	char *out = malloc(4 * len + 1);
	char **names = NULL;
	int n = 1, k = 0;

	for (const char *c = header; *c; c++)
		n += *c == '\t';
	names = malloc((size_t)n * sizeof *names);
	if (out == NULL || names == NULL)
		goto oom;
	char *w = out;
	for (const char *p = header;; k++) {
		size_t flen = strcspn(p, "\t");
		char field[1024], safe[4096];
		snprintf(field, sizeof field, "%.*s", (int)flen, p);
		mv_colname_safe(field, safe, sizeof safe);
		names[k] = w;
		memcpy(w, safe, strlen(safe) + 1);
		w += strlen(safe) + 1;
		if (p[flen] == '\0')
			break;
		p += flen + 1;
	}
	/* collisions: two names, one safe form */
	for (int a = 0; a < n; a++)
		for (int b = a + 1; b < n; b++)
			if (strcmp(names[a], names[b]) == 0) {
				char fa[1024], fb[1024];
				const char *p = header;
				for (int j = 0; j <= b; j++) {
					size_t flen = strcspn(p, "\t");
					if (j == a)
						snprintf(fa, sizeof fa, "%.*s", (int)flen, p);
					if (j == b)
						snprintf(fb, sizeof fb, "%.*s", (int)flen, p);
					p += flen + (p[flen] == '\t');
				}
				mv_error_set(err, MV_EXIT_INPUT,
					     "--names safe: columns '%s' and '%s' would both be named '%s'",
					     fa, fb, names[a]);
				free(names);
				free(out);
				return NULL;
			}
	/* join with tabs (the names were stored NUL-separated in out itself) */
	for (char *c = out; c < w - 1; c++)
		if (*c == '\0')
			*c = '\t';
	free(names);
	return out;
oom:
	free(names);
	free(out);
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	return NULL;
}

char *mv_colnames_safe_meta(const char *meta, struct mv_error *err)
{
	const char *h = meta;
	while (*h == '#') {
		const char *nl = strchr(h, '\n');
		if (nl == NULL)
			break;
		h = nl + 1;
	}
	size_t hlen = strcspn(h, "\n");
	char *line = malloc(hlen + 1);
	if (line == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	memcpy(line, h, hlen);
	line[hlen] = '\0';
	char *safe = mv_colnames_safe_header(line, err);
	free(line);
	if (safe == NULL)
		return NULL;
	static const char names_line[] = "# names\tsafe\n";
	size_t head = (size_t)(h - meta), slen = strlen(safe), tail = strlen(h + hlen);
	char *out = malloc(head + sizeof names_line + slen + tail + 1);
	if (out == NULL) {
		free(safe);
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	memcpy(out, meta, head);
	memcpy(out + head, names_line, sizeof names_line - 1);
	memcpy(out + head + sizeof names_line - 1, safe, slen);
	memcpy(out + head + sizeof names_line - 1 + slen, h + hlen, tail + 1);
	free(safe);
	return out;
}

int mv_names_parse(const char *arg, enum mv_names *out, char *msg, size_t size)
{
	if (strcmp(arg, "safe") == 0)
		*out = MV_NAMES_SAFE;
	else if (strcmp(arg, "keep") == 0)
		*out = MV_NAMES_KEEP;
	else {
		snprintf(msg, size, "--names: expected safe or keep, found '%s'", arg);
		return -1;
	}
	return 0;
}
