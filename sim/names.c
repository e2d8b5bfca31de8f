/* names.c — name lists for messages, derived from the tables that hold the names.
 * Never allocates: the caller's buffer, truncated but always terminated. */
#include "mvsim/names.h"

#include <stdio.h>
#include <string.h>

char *mv_names_join_table(const char *const *names, int n, size_t stride, const char *sep,
			  const char *last, char *buf, size_t size)
{
	const char *base = (const char *)names;
	size_t used = 0;
	int count = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (n < 0)
		for (n = 0; *(const char *const *)(base + (size_t)n * stride) != NULL; n++)
			;
	for (int k = 0; k < n && used < size; k++) {
		const char *name = *(const char *const *)(base + (size_t)k * stride);
		const char *join = count == 0 ? "" : (k == n - 1 && last) ? last : sep;
		int w = snprintf(buf + used, size - used, "%s%s", join, name);
		if (w < 0)
			break;
		used += (size_t)w;
		count++;
	}
	return buf;
}

char *mv_names_join(const char *const *names, int n, const char *sep, const char *last,
		    char *buf, size_t size)
{
	return mv_names_join_table(names, n, sizeof *names, sep, last, buf, size);
}
