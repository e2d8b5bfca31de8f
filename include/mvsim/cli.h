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

/* Runs `mvsim ARGS...` (argv[0] is the program). Returns the exit status. */
int mv_cli_main(int argc, char **argv);

#endif
