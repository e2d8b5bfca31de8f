/* fmt.h — number output: the bytes printf("%.10g") writes, without printf (docs/model.md §7).
 * A run prints ~10^4 numbers; glibc's printf spends ~2000 instructions on each. */
#ifndef MVSIM_FMT_H
#define MVSIM_FMT_H

#define MV_FMT_BUF 32 /* bytes a formatted number needs, NUL included ("-1.234567891e-308" is 17) */

/* Writes v into buf exactly as snprintf(buf, MV_FMT_BUF, "%.10g", v) does under the default
 * rounding mode (round to nearest, ties to even) and the C locale's decimal point: the same
 * digits, exponent form (e±XX, at least two digits), trailing zeros removed, "-0", "inf",
 * "-inf", "nan" and "-nan" (glibc prints the sign of a NaN). Returns the length (no NUL).
 * Thread-safe, allocates nothing. The rare value within 2^-60 of a rounding tie (exact ties
 * such as 2^-15 = 3.0517578125e-05 among them) is handed to snprintf itself. */
int mv_fmt_g10(double v, char *buf);

#include <stddef.h>

/* Concatenates the strings given, up to a NULL, into buf (size bytes, NUL included),
 * truncating as snprintf does; returns the length the whole concatenation has. What the
 * loaders use to build key names ("vectors." id "." name): a tenth of snprintf's cost. */
int mv_concat(char *buf, size_t size, ...);

#include <stdarg.h>

/* mv_concat with the strings in ap (for functions that take them as "..."). */
int mv_vconcat(char *buf, size_t size, va_list ap);

#endif
