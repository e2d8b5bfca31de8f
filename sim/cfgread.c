/* cfgread.c — describing and reading libconfig settings for error messages.
 * No state; see cfgread.h. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/cfgread.h"

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/scenario.h"
#include "mvsim/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *mv_cfg_describe(const config_setting_t *s, char *buf, size_t size)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, size, "%lld", (long long)config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, size, "%.10g", config_setting_get_float(s));
		break;
	case CONFIG_TYPE_STRING:
		snprintf(buf, size, "a string (\"%.60s\")", config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, size, "a boolean (%s)", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, size, "a group");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, size, "an array of %d", config_setting_length(s));
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, size, "a list of %d", config_setting_length(s));
		break;
	default:
		snprintf(buf, size, "an unknown type");
	}
	return buf;
}

int mv_cfg_is_number(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

double mv_cfg_number(const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		return config_setting_get_float(s);
	return (double)config_setting_get_int64(s);
}

/* Reads a file whole: a regular file of at most MV_MAX_FILE_BYTES, lines of at most
 * MV_MAX_LINE_BYTES, no @include. Returns a NUL-terminated buffer (free it) or NULL with err
 * set. */
static char *read_text(const char *path, const char *what, struct mv_error *err)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	char *text = NULL;

	if (f == NULL) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open %s: %s", path, what,
			     strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read %s: not a regular file",
			     path, what);
		goto out;
	}
	if (st.st_size > MV_MAX_FILE_BYTES) {
		mv_error_set(err, MV_EXIT_INPUT,
			     "%s: expected a %s of at most %d bytes, found %lld bytes", path,
			     what, MV_MAX_FILE_BYTES, (long long)st.st_size);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		goto out;
	}
	size_t n = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot read %s: %s", path, what,
			     strerror(errno));
		goto fail;
	}
	text[n] = '\0';
	if (strlen(text) != n) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: expected a text file, found a NUL byte", path);
		goto fail;
	}
	int line = 1;
	for (const char *p = text, *begin = text;; p++) {
		if (*p == '\n' || *p == '\0') {
			if (p - begin > MV_MAX_LINE_BYTES) {
				mv_error_set(err, MV_EXIT_INPUT,
					     "%s:%d: expected a line of at most %d bytes, found %ld bytes",
					     path, line, MV_MAX_LINE_BYTES, (long)(p - begin));
				goto fail;
			}
			const char *q = begin;
			while (q < p && (*q == ' ' || *q == '\t'))
				q++;
			if (strncmp(q, "@include", 8) == 0) {
				mv_error_set(err, MV_EXIT_INPUT,
					     "%s:%d: setting '@include': expected settings (one file holds everything; a scenario builds on another with `base =`), found an include directive",
					     path, line);
				goto fail;
			}
			if (*p == '\0')
				break;
			begin = p + 1;
			line++;
		}
	}
	goto out;
fail:
	free(text);
	text = NULL;
out:
	fclose(f);
	return text;
}

int mv_cfg_read(config_t *cfg, const char *path, const char *what, struct mv_error *err)
{
	return mv_cfg_read_sha(cfg, path, what, NULL, err);
}

int mv_cfg_read_sha(config_t *cfg, const char *path, const char *what, char *sha256,
		    struct mv_error *err)
{
	char *text = read_text(path, what, err);

	if (text == NULL)
		return -1;
	if (sha256) {
		struct mv_sha256 h;
		mv_sha256_init(&h);
		mv_sha256_update(&h, text, strlen(text)); /* read_text refused NUL bytes */
		mv_sha256_final(&h, sha256);
	}
	config_init(cfg);
	config_set_auto_convert(cfg, CONFIG_TRUE);
	if (config_read_string(cfg, text) != CONFIG_TRUE) {
		mv_error_set(err, MV_EXIT_INPUT, "%s:%d: %s", path, config_error_line(cfg),
			     config_error_text(cfg));
		config_destroy(cfg);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

int mv_cfg_check_known(const config_setting_t *g, const char *file, const char *path,
		       const char *const *names, struct mv_error *err)
{
	int len = config_setting_length(g), nnames = 0;

	while (names[nnames])
		nnames++;
	for (int k = 0; k < len; k++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)k);
		const char *nm = config_setting_name(s);
		int known = nm == NULL;
		for (int q = 0; !known && q < nnames; q++)
			known = strcmp(nm, names[q]) == 0;
		if (known)
			continue;
		char expected[512];
		size_t used = (size_t)snprintf(expected, sizeof expected, "one of");
		for (int q = 0; q < nnames && used < sizeof expected; q++)
			used += (size_t)snprintf(expected + used, sizeof expected - used, "%s %s",
						 q ? "," : "", names[q]);
		const char *sug = mv_suggest(nm, names, nnames);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s:%d: setting '%s%s%s': expected %s, found an unknown setting%s%s%s",
				    file, config_setting_source_line(s), path, *path ? "." : "", nm,
				    expected, sug ? "; did you mean '" : "", sug ? sug : "",
				    sug ? "'?" : "");
	}
	return 0;
}
