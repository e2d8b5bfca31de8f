/* names.h — lists of names for messages, built from the tables that hold the names
 * ("expected one of rk2, rk4, ..."), so no list is kept by hand beside its table. */
#ifndef MVSIM_NAMES_H
#define MVSIM_NAMES_H

#include <stddef.h>

/* Joins names[0..n) (n < 0: up to a NULL entry) into buf (size bytes, always terminated):
 * "a, b or c" with sep ", " and last " or " (last NULL: sep throughout). Truncates at size.
 * Returns buf. */
char *mv_names_join(const char *const *names, int n, const char *sep, const char *last,
		    char *buf, size_t size);

/* The same over a table of structs with a `const char *` name member: the k-th name is read
 * at (const char *)names + k * stride, for k < n (n < 0: up to a NULL name). For a table of
 * {name, ...} entries: mv_names_join_table(&tab[0].name, ntab, sizeof tab[0], ...).
 * Returns buf. */
char *mv_names_join_table(const char *const *names, int n, size_t stride, const char *sep,
			  const char *last, char *buf, size_t size);

#endif
