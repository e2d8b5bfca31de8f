/* cfgread.c — describing and reading libconfig settings for error messages.
 * No state; see cfgread.h. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/cfgread.h"

#include "mvsim/error.h"
#include "mvsim/infile.h"
#include "mvsim/keys.h"
#include "mvsim/scenario.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
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

/* Lines of a text: the @include refusal (one file holds everything). */
static int check_include(const char *path, const char *text, struct mv_error *err)
{
	int line = 1;

	for (const char *begin = text;; line++) { /* the text ends in '\0' (mv_infile_read) */
		const char *q = begin;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '@' && strncmp(q, "@include", 8) == 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s:%d: setting '@include': expected settings (one file holds everything; a scenario builds on another with `base =`), found an include directive",
					    path, line);
		const char *p = strchr(q, '\n');
		if (p == NULL)
			return 0;
		begin = p + 1;
	}
}

static int is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static int is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* libconfig 1.5 reads an integer literal without the L suffix with atoi/strtoul, so one beyond
 * 32 bits wraps silently (4294967298 is read as 2), and one with L beyond 64 bits saturates.
 * This pass finds every integer literal (outside strings and comments) and either marks it to
 * be read exactly (an `L` appended: a single setting), or refuses it (an element of an array
 * or list, whose elements must share one type, or beyond 64 bits). It also bounds nesting,
 * which libconfig's parser otherwise answers with "memory exhausted".
 * It also finds the comments, which are most of a commented scenario's bytes, so that
 * libconfig's scanner need not read them (mv_cfg_read_file hands it the text without them).
 * On success sets *fix (malloc'd edits in text order, may be NULL: an `L` to insert, or a
 * comment to leave out) and *nfix. */
struct edit {
	size_t at;  /* offset: just past a literal (cut 0), or a comment's first byte */
	size_t cut; /* 0: insert 'L'; else the comment's length (its newlines are kept) */
};

static int add_edit(struct edit **fix, int *nfix, int *cap, size_t at, size_t cut)
{
	if (*nfix == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		struct edit *f = realloc(*fix, (size_t)*cap * sizeof *f);
		if (f == NULL)
			return -1;
		*fix = f;
	}
	(*fix)[(*nfix)++] = (struct edit){at, cut};
	return 0;
}

static int scan_literals(const char *path, const char *text, struct edit **fix, int *nfix,
			 struct mv_error *err)
{
	char stack[MV_CFG_MAX_DEPTH];
	int depth = 0, line = 1, cap = 0;
	const char *p = text;

	*fix = NULL;
	*nfix = 0;
	while (*p) {
		char c = *p;
		if (c == '\n') {
			line++;
			p++;
		} else if (c == '#' || (c == '/' && p[1] == '/')) { /* most of a scenario's bytes */
			const char *begin = p, *nl = strchr(p, '\n');
			p = nl ? nl : p + strlen(p);
			if (add_edit(fix, nfix, &cap, (size_t)(begin - text), (size_t)(p - begin)))
				goto oom;
		} else if (c == '/' && p[1] == '*') {
			const char *begin = p;
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			if (*p)
				p += 2;
			if (add_edit(fix, nfix, &cap, (size_t)(begin - text), (size_t)(p - begin)))
				goto oom;
		} else if (c == '"') {
			for (p++; *(p += strcspn(p, "\"\\\n")) && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				line += *p == '\n';
			}
			if (*p)
				p++;
		} else if (c == '{' || c == '[' || c == '(') {
			if (depth == MV_CFG_MAX_DEPTH) {
				free(*fix);
				*fix = NULL;
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s:%d: expected groups, arrays and lists nested at most %d deep, found deeper",
						    path, line, MV_CFG_MAX_DEPTH);
			}
			stack[depth++] = c;
			p++;
		} else if (c == '}' || c == ']' || c == ')') {
			if (depth > 0)
				depth--;
			p++;
		} else if (is_name_start((unsigned char)c)) {
			while (is_name_char((unsigned char)*p))
				p++;
		} else if ((c >= '0' && c <= '9') || ((c == '-' || c == '+' || c == '.') &&
						      p[1] >= '0' && p[1] <= '9') ||
			   ((c == '-' || c == '+') && p[1] == '.')) {
			const char *begin = p;
			int neg = c == '-', hex = 0, isfloat = 0;
			if (c == '-' || c == '+')
				p++;
			const char *digits = p;
			if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
				hex = 1;
				p += 2;
				digits = p;
				while (isxdigit((unsigned char)*p))
					p++;
			} else {
				while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
				       ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E'))) {
					isfloat |= *p == '.' || *p == 'e' || *p == 'E';
					p++;
				}
			}
			if (isfloat)
				continue;
			const char *end = p;
			int suffix = *p == 'L';
			while (*p == 'L')
				p++;
			/* The literal's value, exactly, as far as 64 bits go. */
			while (digits < end - 1 && *digits == '0')
				digits++;
			size_t nd = (size_t)(end - digits);
			int fits64, fits32;
			if (hex) {
				fits64 = nd < 16 || (nd == 16 && strchr("01234567", *digits));
				fits32 = nd < 8 || (nd == 8 && strchr("01234567", *digits));
				/* libconfig reads hex without a sign */
			} else {
				const char *lim64 = neg ? "9223372036854775808" : "9223372036854775807";
				const char *lim32 = neg ? "2147483648" : "2147483647";
				fits64 = nd < 19 || (nd == 19 && strncmp(digits, lim64, 19) <= 0);
				fits32 = nd < 10 || (nd == 10 && strncmp(digits, lim32, 10) <= 0);
			}
			int scalar = depth == 0 || stack[depth - 1] == '{';
			if (!fits64 || (!fits32 && !suffix && !scalar)) {
				free(*fix);
				*fix = NULL;
				if (!fits64)
					return mv_error_set(err, MV_EXIT_INPUT,
							    "%s:%d: expected an integer between -9223372036854775808 and 9223372036854775807 (write a larger number with a decimal point), found %.*s",
							    path, line, (int)(end - begin > 60 ? 60 : end - begin), begin);
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s:%d: expected integers between -2147483648 and 2147483647 in an array or list (write larger numbers with a decimal point), found %.*s",
						    path, line, (int)(end - begin), begin);
			}
			if (!fits32 && !suffix &&
			    add_edit(fix, nfix, &cap, (size_t)(end - text), 0))
				goto oom;
		} else {
			p++;
		}
	}
	return 0;
oom:
	free(*fix);
	*fix = NULL;
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
}

int mv_cfg_read_file(config_t *cfg, const char *path, const char *what, struct mv_infile *in,
		     struct mv_error *err)
{
	struct mv_infile local;
	struct edit *fix = NULL;
	int nfix = 0;

	if (in == NULL)
		in = &local;
	if (mv_infile_read(path, what, MV_MAX_FILE_BYTES, MV_MAX_LINE_BYTES, in, err))
		return -1;
	if (check_include(path, in->text, err) || scan_literals(path, in->text, &fix, &nfix, err)) {
		mv_infile_free(in);
		return -1;
	}
	/* The text libconfig reads: the literals suffixed, the comments left out (a block
	 * comment becomes a space, so the tokens around it stay apart; newlines stay, so
	 * libconfig's line numbers are the file's). At most one 'L' per 10-digit literal. */
	const char *text = in->text;
	char *fixed = NULL;
	if (nfix > 0) {
		if ((fixed = malloc(in->len + in->len / 10 + 2)) == NULL) {
			free(fix);
			mv_infile_free(in);
			return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		}
		size_t from = 0, to = 0;
		for (int k = 0; k < nfix; k++) {
			memcpy(fixed + to, in->text + from, fix[k].at - from);
			to += fix[k].at - from;
			from = fix[k].at;
			if (fix[k].cut == 0) {
				fixed[to++] = 'L';
				continue;
			}
			if (in->text[from] == '/' && in->text[from + 1] == '*') {
				fixed[to++] = ' ';
				for (size_t q = from; q < from + fix[k].cut; q++)
					if (in->text[q] == '\n')
						fixed[to++] = '\n';
			}
			from += fix[k].cut;
		}
		memcpy(fixed + to, in->text + from, in->len - from + 1);
		text = fixed;
	}
	free(fix);
	config_init(cfg);
	config_set_auto_convert(cfg, CONFIG_TRUE);
	int ok = config_read_string(cfg, text) == CONFIG_TRUE;
	free(fixed);
	if (!ok) {
		const char *msg = config_error_text(cfg);
		if (msg && strcmp(msg, "memory exhausted") == 0)
			mv_error_set(err, MV_EXIT_INPUT,
				     "%s:%d: expected groups, arrays and lists nested at most %d deep, found deeper",
				     path, config_error_line(cfg), MV_CFG_MAX_DEPTH);
		else
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: %s", path, config_error_line(cfg), msg);
		config_destroy(cfg);
		mv_infile_free(in);
		return -1;
	}
	if (in == &local)
		mv_infile_free(in);
	return 0;
}

int mv_cfg_read(config_t *cfg, const char *path, const char *what, struct mv_error *err)
{
	return mv_cfg_read_file(cfg, path, what, NULL, err);
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

/* ---------------------------------------------------------------- the loader kit */

int mv_cfg_fail(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		const char *expected, const char *found)
{
	int line = s ? config_setting_source_line(s) : 0;

	if (line <= 0)
		return mv_error_set(c->err, MV_EXIT_INPUT, "%s: setting '%s': expected %s, found %s",
				    c->file, path, expected, found);
	return mv_error_set(c->err, MV_EXIT_INPUT, "%s:%d: setting '%s': expected %s, found %s",
			    c->file, line, path, expected, found);
}

int mv_cfg_fail_type(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		     const char *expected)
{
	char buf[128];
	return mv_cfg_fail(c, s, path, expected, mv_cfg_describe(s, buf, sizeof buf));
}

int mv_cfg_get_number(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		      double *v)
{
	if (!mv_cfg_is_number(s))
		return mv_cfg_fail_type(c, s, path, "a number");
	*v = mv_cfg_number(s);
	if (!isfinite(*v))
		return mv_cfg_fail(c, s, path, "a finite number", "a non-finite value");
	return 0;
}

int mv_cfg_get_integer(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		       double lo, double hi, long *v)
{
	char expected[96], found[64];

	if (hi >= 1e15)
		snprintf(expected, sizeof expected, "an integer >= %.0f", lo);
	else
		snprintf(expected, sizeof expected, "an integer in [%.0f, %.0f]", lo, hi);
	if (!mv_cfg_is_number(s))
		return mv_cfg_fail_type(c, s, path, expected);
	double x = mv_cfg_number(s);
	if (!(x == floor(x) && x >= lo && x <= hi)) {
		snprintf(found, sizeof found, "%.10g", x);
		return mv_cfg_fail(c, s, path, expected, found);
	}
	*v = (long)x;
	return 0;
}

int mv_cfg_get_string(const struct mv_cfg_ctx *c, const config_setting_t *g, const char *path,
		      const char *name, const char *expected, const char **out)
{
	char full[160];
	const config_setting_t *s = config_setting_get_member(g, name);

	snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", name);
	*out = NULL;
	if (s == NULL)
		return mv_cfg_fail(c, g, full, expected, "nothing (required)");
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return mv_cfg_fail_type(c, s, full, expected);
	*out = config_setting_get_string(s);
	return 0;
}

int mv_cfg_check_rule(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		      const struct mv_key *key, double v)
{
	char expected[200], found[32];

	if (mv_rule_ok(key->rule, v))
		return 0;
	snprintf(expected, sizeof expected, "%s (the range of %s)", mv_rule_str(key->rule),
		 key->name);
	snprintf(found, sizeof found, "%.10g", v);
	return mv_cfg_fail(c, s, path, expected, found);
}

int mv_cfg_get_bounds(const struct mv_cfg_ctx *c, const config_setting_t *g, const char *path,
		      const struct mv_key *key, double *min, double *max)
{
	static const char *const names[2] = {"min", "max"};
	static const char *const missing[2] = {"a number (the lower bound)",
					       "a number (the upper bound)"};
	double *v[2] = {min, max};
	char sub[160];

	for (int k = 0; k < 2; k++) {
		const config_setting_t *s = config_setting_get_member(g, names[k]);
		snprintf(sub, sizeof sub, "%s.%s", path, names[k]);
		if (s == NULL)
			return mv_cfg_fail(c, g, sub, missing[k], "nothing (required)");
		if (mv_cfg_get_number(c, s, sub, v[k]) || mv_cfg_check_rule(c, s, sub, key, *v[k]))
			return -1;
	}
	return 0;
}

char *mv_cfg_join_dir(const char *file, const char *rel)
{
	const char *slash = strrchr(file, '/');
	size_t dlen = rel[0] == '/' || slash == NULL ? 0 : (size_t)(slash - file) + 1;
	char *out = malloc(dlen + strlen(rel) + 1);

	if (out) {
		memcpy(out, file, dlen);
		strcpy(out + dlen, rel);
	}
	return out;
}
