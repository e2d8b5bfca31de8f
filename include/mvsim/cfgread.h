/* cfgread.h — helpers for reading libconfig settings, shared by the scenario, sweep and fit
 * loaders, so that every file mvsim reads describes bad values the same way. */
#ifndef MVSIM_CFGREAD_H
#define MVSIM_CFGREAD_H

#include <libconfig.h>
#include <stddef.h>

/* What a setting holds, for "found ..." in messages: the number itself (%.10g), or
 * "a string ("...")", "a boolean (true)", "a group", "an array of N", "a list of N".
 * Writes into buf (size bytes) and returns it. */
const char *mv_cfg_describe(const config_setting_t *s, char *buf, size_t size);

/* Is s an integer or a floating-point setting? */
int mv_cfg_is_number(const config_setting_t *s);

/* The value of a number setting as a double (integers converted). */
double mv_cfg_number(const config_setting_t *s);

struct mv_error;

/* Reads the libconfig file at path into cfg (auto-convert on) the same way for every kind of
 * file (`what`: "scenario", "sweep file", "fit file", for messages): a regular file of at most
 * MV_MAX_FILE_BYTES with lines of at most MV_MAX_LINE_BYTES and no @include directive (which
 * could pull in any file, /dev/zero included), opened by mv_infile_open (a FIFO or device is
 * refused at once, never waited on). Returns 0 (destroy cfg when done), or -1 with
 * err set (code 2: `path: cannot open what: reason`, `path:line: <libconfig's message>`, ...)
 * and cfg not initialised. */
int mv_cfg_read(config_t *cfg, const char *path, const char *what, struct mv_error *err);

/* Nesting of groups, arrays and lists a file may have (deeper is an input error, not
 * libconfig's "memory exhausted"). */
#define MV_CFG_MAX_DEPTH 64

/* Integer literals: libconfig 1.5 wraps one beyond 32 bits without an L suffix (4294967298
 * reads as 2). mv_cfg_read reads such a literal exactly when it is a setting of its own (as if
 * written with L), and refuses it inside an array or list (whose elements share one type) or
 * beyond 64 bits: `path:line: expected ..., found 99999999999999999999`. */

struct mv_infile;

/* mv_cfg_read that also hands back the file as read (its bytes, SHA-256 and identity) in *in
 * (free with mv_infile_free), so that a file is read and hashed once. in may be NULL. */
int mv_cfg_read_file(config_t *cfg, const char *path, const char *what, struct mv_infile *in,
		     struct mv_error *err);

/* Every member of group g (at path, in file) must be one of names (NULL-terminated); else
 * `file:line: setting 'path.typo': expected one of ..., found an unknown setting; did you
 * mean 'x'?` (code 2) and -1. A typo must not pass silently. */
int mv_cfg_check_known(const config_setting_t *g, const char *file, const char *path,
		       const char *const *names, struct mv_error *err);

/* ---- the loader kit: one way for the scenario, sweep and fit loaders to describe a bad
 * setting. A context names the file the settings come from. */
struct mv_cfg_ctx {
	const char *file;      /* for messages */
	struct mv_error *err;  /* receives the error */
};

/* `file:line: setting 'path': expected <expected>, found <found>` (code 2), or without `:line`
 * when s has none (the root group: a missing top-level setting). Returns -1. */
int mv_cfg_fail(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		const char *expected, const char *found);

/* mv_cfg_fail with what s holds as `found` (mv_cfg_describe). Returns -1. */
int mv_cfg_fail_type(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		     const char *expected);

/* A finite number setting into *v: 0, or -1 with `expected a number, found ...` or `expected
 * a finite number, found a non-finite value`. */
int mv_cfg_get_number(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		      double *v);

/* An integer setting (a float with an integral value is one) in [lo, hi] into *v: 0, or -1
 * with `expected an integer in [lo, hi], found ...` (`an integer >= lo` when hi >= 1e15, no
 * bound worth naming). */
int mv_cfg_get_integer(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		       double lo, double hi, long *v);

/* The string member `name` of group g (setting `path.name`, or `name` when path is "") into
 * *out (borrowed from the config): 0, or -1 with `expected <expected>, found nothing
 * (required)` (blamed on g) or `found <what it holds>`. */
int mv_cfg_get_string(const struct mv_cfg_ctx *c, const config_setting_t *g, const char *path,
		      const char *name, const char *expected, const char **out);

struct mv_key;

/* 0 when v obeys key's rule (keys.h), else -1 with `expected <the rule> (the range of KEY),
 * found v` blamed on s. */
int mv_cfg_check_rule(const struct mv_cfg_ctx *c, const config_setting_t *s, const char *path,
		      const struct mv_key *key, double v);

/* The bounds of a parameter that varies key (a sweep's or a fit's): the members min and max of
 * group g (at path), each a finite number inside key's rule, into *min and *max. Returns 0,
 * or -1 with the first bad one described, in the order min, max (a missing one: `setting
 * 'path.min': expected a number (the lower bound), found nothing (required)`). Their order
 * (min < max, or min <= max) is the caller's to check. */
int mv_cfg_get_bounds(const struct mv_cfg_ctx *c, const config_setting_t *g, const char *path,
		      const struct mv_key *key, double *min, double *max);

/* rel joined to the directory of file (unless rel is absolute); malloc'd, NULL when out of
 * memory. Every path a file names is relative to that file. */
char *mv_cfg_join_dir(const char *file, const char *rel);

#endif
