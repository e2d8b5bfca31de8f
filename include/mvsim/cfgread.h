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
 * could pull in any file, /dev/zero included). Returns 0 (destroy cfg when done), or -1 with
 * err set (code 2: `path: cannot open what: reason`, `path:line: <libconfig's message>`, ...)
 * and cfg not initialised. */
int mv_cfg_read(config_t *cfg, const char *path, const char *what, struct mv_error *err);

/* mv_cfg_read that also fingerprints the bytes it parsed: sha256 (65 bytes, or NULL) receives
 * their SHA-256 in hex, so a file is read and hashed once (the scenario's `# sha256`). */
int mv_cfg_read_sha(config_t *cfg, const char *path, const char *what, char *sha256,
		    struct mv_error *err);

/* Every member of group g (at path, in file) must be one of names (NULL-terminated); else
 * `file:line: setting 'path.typo': expected one of ..., found an unknown setting; did you
 * mean 'x'?` (code 2) and -1. A typo must not pass silently. */
int mv_cfg_check_known(const config_setting_t *g, const char *file, const char *path,
		       const char *const *names, struct mv_error *err);

#endif
