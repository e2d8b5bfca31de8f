/* error.c — filling struct mv_error.
 * Messages are truncated, never overflowed, at MV_ERROR_MAX bytes. */
#include "mvsim/error.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

volatile sig_atomic_t mv_interrupt = 0;

int mv_error_interrupted(struct mv_error *err)
{
	int sig = (int)mv_interrupt;
	return mv_error_set(err, 128 + sig, "interrupted by %s",
			    sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
}

int mv_error_set(struct mv_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void mv_error_clear(struct mv_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
