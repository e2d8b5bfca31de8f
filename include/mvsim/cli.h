/* cli.h — the `mvsim` command line: a table of subcommands (git's builtin style).
 * Every command returns an exit status (0 ok, 1 failed run or check, 2 usage/input error). */
#ifndef MVSIM_CLI_H
#define MVSIM_CLI_H

struct mv_command {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;              /* one line for `mvsim --help` */
	const char *usage;                /* the command's --help text */
};

/* The command table (for help and tests); *count receives its length. */
const struct mv_command *mv_cli_commands(int *count);

/* Helpers every command uses, so they all speak alike:
 * a usage error ("mvsim CMD: ..." and a pointer to --help on stderr; returns 2); an error
 * ("mvsim: <msg>" on stderr; returns err->code, or 1); the end of a command that printed its
 * result on stdout (a failed write is reported and turns rc into 1); a monotonic clock in
 * seconds (progress lines, timings). */
int mv_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct mv_error;
int mv_cli_report(const struct mv_error *err);
int mv_cli_finish_stdout(int rc);
double mv_cli_now(void);

/* Runs `mvsim ARGS...` (argv[0] is the program). Returns the exit status. */
int mv_cli_main(int argc, char **argv);

#endif
