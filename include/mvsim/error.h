/* error.h — the one error type of mvsim.
 * Library code fills a struct mv_error and returns; only main() prints and exits. */
#ifndef MVSIM_ERROR_H
#define MVSIM_ERROR_H

#include <signal.h>
#include <stddef.h>

#define MV_ERROR_MAX 1024

/* Exit statuses (POSIX): success, a run failed or a check broke, usage or input error. */
enum { MV_EXIT_OK = 0, MV_EXIT_FAIL = 1, MV_EXIT_INPUT = 2 };

/* An error: one line, shaped `file:line: setting 'key': expected X, found Y` for input
 * errors and `run failed at t=T: ...` for numerical ones. `code` is the exit status the
 * error calls for (MV_EXIT_INPUT or MV_EXIT_FAIL); 0 while no error is set. */
struct mv_error {
	int code;
	char msg[MV_ERROR_MAX];
};

/* Set to the signal number by a signal handler (the CLI installs them for SIGINT and
 * SIGTERM) to ask long loops to stop; 0 otherwise. Runs stop at their next step with an
 * error of code 128 + signal (130 for SIGINT, 143 for SIGTERM). */
extern volatile sig_atomic_t mv_interrupt;

/* Fills err for an interruption by mv_interrupt; returns -1. */
int mv_error_interrupted(struct mv_error *err);

/* Sets err (if not NULL) to a printf-formatted message with exit status code.
 * Returns -1 so callers can write `return mv_error_set(err, ...);`. */
int mv_error_set(struct mv_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clears err (code 0, empty message). */
void mv_error_clear(struct mv_error *err);

#endif
