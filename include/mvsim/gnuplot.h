/* gnuplot.h — the gnuplot runner of `mvsim plot`: where gnuplot and the scripts are, and one
 * run of a script (no shell; anything gnuplot says on stderr counts as a failure). */
#ifndef MVSIM_GNUPLOT_H
#define MVSIM_GNUPLOT_H

#include "mvsim/error.h"

#include <stddef.h>

/* Finds the gnuplot to run: env GNUPLOT (a path, or a name looked up on PATH), else
 * "gnuplot" on PATH. Fills path (size n). Returns 0, or -1 with err (code 1) that says how
 * to install it. */
int mv_gnuplot_find(char *path, size_t n, struct mv_error *err);

/* Finds the directory holding script and common.gp, in this order: env MVSIM_SCRIPTS (when
 * set, the only place looked at), <dir of this executable>/../scripts (the build tree:
 * build/mvsim), <dir>/../share/mvsim/scripts (an installed tree, wherever it was moved),
 * MV_SCRIPTDIR (the installed copy, set at build time). Fills dir (size n). Returns 0, or
 * -1 with err (code 1) listing where it looked. */
int mv_gnuplot_scripts(const char *script, char *dir, size_t n, struct mv_error *err);

/* Appends `name='value'; ` to *vars (malloc'd, grown; *vars may be NULL) with value as a
 * gnuplot single-quoted string ('' for '). Returns 0, or -1 out of memory or when value has
 * a newline (which a gnuplot string cannot hold). */
int mv_gnuplot_assign(char **vars, const char *name, const char *value);

/* As mv_gnuplot_assign for a file name gnuplot opens (`set output`, `plot`, `stats`, `load`):
 * a name that is not absolute gets "./" in front, so gnuplot can never read it as one of its
 * special names: a leading '|' (`set output` pipes to a shell command, also after blanks),
 * '<' (`plot`/`stats`/`load` read a shell command's output; '<&N' a descriptor), '-'
 * (inline data), '+' and '++' (pseudo-files), '' (the previous file), '$' (a datablock)
 * or '~' (the home directory). The file is the same one the name meant. */
int mv_gnuplot_assign_file(char **vars, const char *name, const char *path);

/* Runs `gnuplot -e VARS SCRIPT` (no shell: names reach gnuplot only as quoted strings),
 * stdin and stdout on /dev/null, stderr collected into *text (malloc'd, NUL-terminated; the
 * caller frees it). Returns 0 when gnuplot exited 0 and printed nothing on stderr; otherwise
 * 1, with *text what it printed or how it ended (an error, a warning or a crash all count). */
int mv_gnuplot_run(const char *gnuplot, const char *script, const char *vars, char **text);
/* The script is passed as mv_gnuplot_assign_file passes a file: "./" before a relative name. */

#endif
