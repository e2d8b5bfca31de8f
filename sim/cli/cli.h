/* cli.h — the `mvsim` executable's private header (not installed): the command table, the
 * kit every command uses (options, progress, errors, stdout), and the commands, one per file. */
#ifndef MVSIM_CLI_CLI_H
#define MVSIM_CLI_CLI_H

#include <stdio.h>

struct mv_error;

/* ================================================================ the command table */

/* One subcommand (git's builtin style). Every command returns an exit status: 0 ok, 1 failed
 * run or check, 2 usage/input error, 128 + signal when SIGINT/SIGTERM stopped it. */
struct mv_command {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;              /* one line for `mvsim --help` */
	const char *usage;                /* the command's --help text */
};

/* The command table (for help and tests); *count receives its length. */
const struct mv_command *mv_cli_commands(int *count);

/* ---- name lists in --help texts, from the tables that hold the names
 * A usage text writes a list as a token {STYLE:LIST}: STYLE sp ("a b c"), or ("a, b or c"),
 * bar ("a|b|c") or comma ("a, b, c"); LIST one of integrators (config.h), sweep methods
 * (sweep.h), fit tables (fit.h), sensitivity methods, discover objectives, plot formats, plot
 * kinds (the commands' own tables). So a list is never kept by hand beside its table. */

/* The list of token spec ("STYLE:LIST", len bytes, without the braces) into buf (size
 * bytes, mv_names_join). Returns buf, or NULL when spec names no style or list. */
const char *mv_cli_usage_list(const char *spec, size_t len, char *buf, size_t size);

/* usage with every token replaced by its list (malloc'd; NULL out of memory): a list that
 * would pass column 80 goes on under its first name. What --help and `mvsim help` print. */
char *mv_cli_usage_text(const char *usage);

/* The names of the commands' own tables, for the lists above: name k, NULL past the last. */
const char *mv_sensitivity_method(int k);
const char *mv_discover_objective(int k);
const char *mv_plot_format(int k);
const char *mv_plot_kind(int k); /* the --kind values, "all" among them */

/* Runs `mvsim ARGS...` (argv[0] is the program): finds the command, installs the signal
 * handlers, runs it, and checks standard output once after it succeeded (a failed write is
 * reported and turns the status 0 into 1, as git's run_builtin). Returns the exit status. */
int mv_cli_main(int argc, char **argv);

/* ================================================================ the kit */

/* A usage error: "mvsim CMD: <message>" and a pointer to --help on stderr. Returns 2. */
int mv_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error: "mvsim: <msg>" on stderr. Returns err->code, or 1 when it has none. */
int mv_cli_report(const struct mv_error *err);

/* A failed write to stdout so far is reported ("mvsim: standard output: write failed") and
 * turns rc into 1; otherwise returns rc. mv_cli_main calls it after every command; commands
 * that print a result before writing files may call it earlier. */
int mv_cli_finish_stdout(int rc);

/* Refuses an output (NULL or "-": standard output, nothing to refuse) that is one of the
 * command's inputs: a file sc was read from (the scenario, its bases, its data series; sc
 * may be NULL) or one of paths[0..npaths) (a sweep file, a fit file, observation data).
 * Called before any work. Returns 0, or -1 with err (code 2: "OUTPUT: is an input of this
 * command: refusing to overwrite it"; code 1 out of memory). */
struct mv_scenario;
int mv_cli_refuse_input(const char *output, const struct mv_scenario *sc,
			const char *const *paths, int npaths, struct mv_error *err);

/* A monotonic clock in seconds (progress, timings). */
double mv_cli_now(void);

/* A number for a TSV cell or a message: %.10g, and "nan" for every NaN (printf may say
 * -nan). buf holds 32 bytes; returns buf. */
char *mv_cli_num(double v, char *buf);

/* "1.5 GiB", "8.9 MB", "12 kB": a size in bytes for messages, into buf. */
void mv_cli_bytes(double b, char *buf, size_t size);

/* After mv_batch_exec returned rc > 0 (stopped after done of total runs): err says why,
 * "interrupted by SIGINT: <what> stopped after ... runs; nothing written" (code 128 +
 * signal) or "<what> stopped after ..." (code 1). rc <= 0 leaves err as it is. */
void mv_cli_stopped_error(int rc, long done, long total, const char *what, struct mv_error *err);

/* ---------------------------------------------------------------- options */

enum mv_opt_kind {
	MV_OPT_FLAG,     /* value: int *, set to 1 */
	MV_OPT_STRING,   /* value: const char **, the argument (the last one given wins) */
	MV_OPT_STRINGS,  /* value: struct mv_cli_strings *, every argument in order */
	MV_OPT_LONG,     /* value: long *, an integer in [lo, hi] */
	MV_OPT_FN,       /* fn(value, arg, msg, size) parses the argument */
	MV_OPT_NOT_HERE, /* an option of a sibling command: "option '...' does not apply here" */
};

/* A repeatable option's arguments (pointers into argv, or owned by the command). */
struct mv_cli_strings {
	int n;
	char **v; /* malloc'd array; free(v) */
};

/* One option of a command. A table ends with an entry whose name is NULL; --help/-h is
 * always known and needs no entry. */
struct mv_opt {
	const char *name;     /* long name without "--" */
	char letter;          /* short letter, or 0 for the long form only */
	enum mv_opt_kind kind;
	void *value;          /* see the kind */
	long lo, hi;          /* MV_OPT_LONG: the accepted range */
	/* MV_OPT_FN: 0, or -1 with msg the usage error ("--name: expected ..., found '...'") */
	int (*fn)(void *value, const char *arg, char *msg, size_t size);
};

/* Parses argv (argv[0] the command's name) with the options of opts, in order, as
 * getopt_long does (options and operands may mix; "--" ends the options). --help prints the
 * command's usage from the table. Returns -1 to go on, with *first the index of the first
 * operand (operands are argv[*first..argc)); otherwise the exit status to return: 0 after
 * --help, 2 after a usage error (reported). */
int mv_cli_options(const char *cmd, int argc, char **argv, const struct mv_opt *opts, int *first);

/* The parsers of MV_OPT_FN for options several commands share. */
int mv_cli_parse_seed(void *value, const char *arg, char *msg, size_t size); /* uint64_t * */

/* Operands: exactly one (named what in "missing WHAT"). Returns -1 to go on with *operand
 * set, else 2 (reported). */
int mv_cli_one_operand(const char *cmd, int argc, char **argv, int first, const char *what,
		       const char **operand);

/* ---------------------------------------------------------------- progress */

/* The one progress reporter. On a terminal: a live line on stderr ("\r...", rewritten at
 * most every 0.2 s, cleared at the end). Not a terminal (a batch system's or CI's log): a
 * line of its own every `interval` seconds (default MV_PROGRESS_INTERVAL; 0: none). Either
 * way mv_progress_end prints one final line. --quiet (quiet) leaves only errors. Every
 * command reports progress through it. Plain data: set with mv_progress_start. */
#define MV_PROGRESS_INTERVAL 30.0 /* seconds between log lines (--progress) */

struct mv_progress {
	const char *what;   /* the command's name: "mvsim <what>: ..." */
	int on;             /* a terminal and not --quiet: the live line */
	int log;            /* not a terminal and not --quiet: periodic lines */
	int quiet;
	int shown;          /* a live line is on stderr now */
	long done, total;   /* runs done (of this invocation and before) / to do */
	long done0;         /* runs done before this invocation started (resume) */
	double interval;    /* seconds between log lines; 0: none */
	double t0, last;    /* mv_cli_now() at start / at the last line */
};

/* Starts p for total runs of which done0 are done already; quiet turns it off. */
void mv_progress_start(struct mv_progress *p, const char *what, long total, long done0,
		       int quiet);

/* Seconds between log lines (--progress SECONDS; 0: none), after mv_progress_start. */
void mv_progress_every(struct mv_progress *p, double seconds);

/* done runs so far; force: draw now (start and end), else at most every 0.2 s. */
void mv_progress_update(struct mv_progress *p, long done, int force);

/* Removes the live line (before a message on stderr, and at the end). NULL is a no-op. */
void mv_progress_clear(struct mv_progress *p);

/* A line of its own on stderr when the reporter is on ("mvsim <what>: <text>"), below the
 * live line: the fit's iterations. */
void mv_progress_note(struct mv_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As mv_progress_note, but also in a log (stderr not a terminal): unless --quiet. */
void mv_progress_say(struct mv_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The final line, unless --quiet: "mvsim <what>: N runs (K kept), F failed, B broken
 * checks, S s, R runs/s" (runs: all done, kept: done before this invocation, omitted when
 * 0; broken < 0 omits the checks; the rate is of this invocation's runs). */
void mv_progress_end(struct mv_progress *p, long failed, long broken);

/* The number of threads for --jobs N: N when given (> 0); else OMP_NUM_THREADS (its first
 * number); else the CPUs this process may run on (sched_getaffinity); at least 1. */
int mv_cli_jobs(long jobs);

/* ================================================================ the commands */

/* The --help texts (also the `usage` of the commands' entries in the command table). */
extern const char mv_run_usage[], mv_check_usage[], mv_keys_usage[], mv_sweep_usage[],
	mv_merge_usage[], mv_ensemble_usage[], mv_sensitivity_usage[], mv_fit_usage[],
	mv_plot_usage[], mv_discover_usage[];

/* mvsim run SCENARIO [-o FILE] [--set KEY=VALUE]... [--integrator NAME] [--rtol X] [--atol X]
 * Integrates SCENARIO and writes its rows (metadata, header, TSV) to FILE or stdout.
 * Returns 0, 1 (the run failed or could not be written), 2 (usage/input: nothing written). */
int mv_cmd_run(int argc, char **argv);

/* mvsim check SCENARIO [--set KEY=VALUE]...: every value with its source, then the events.
 * Returns 0 (valid) or 2. */
int mv_cmd_check(int argc, char **argv);

/* mvsim keys SCENARIO: every key with kind, value, unit and meaning. Returns 0 or 2. */
int mv_cmd_keys(int argc, char **argv);

/* mvsim sweep SWEEP.cfg [-o summary.tsv] [--jobs N] [--shard K/N] [--resume] [--junit FILE]
 *                       [--series DIR] [--set KEY=VALUE]... [--quiet]
 * Writes the summary (summary.h) to FILE via FILE.partial, renamed when complete, or to
 * standard output. Prints errors, failed runs and runs breaking checks on stderr. Returns 0
 * when every run completed and passed every check (also for --help), 1 when a run failed, a
 * check broke or output failed, 2 on a usage or input error (nothing written or
 * overwritten), 128 + signal when mv_interrupt stopped it (FILE.partial keeps the finished
 * runs for --resume). */
int mv_cmd_sweep(int argc, char **argv);

/* mvsim merge PARTS... -o summary.tsv
 * Joins the complete summaries of shards 1/N..N/N of one sweep into exactly the summary the
 * unsharded sweep writes, and applies its checks. Returns 0, 1 (a run failed or a check
 * broke in the merged summary, or output failed), or 2 (usage; parts that are not
 * summaries, incomplete, from different sweeps, missing or repeated: nothing written). */
int mv_cmd_merge(int argc, char **argv);

/* An ensemble keeps every run's rows of the chosen columns until all runs are in (the
 * percentiles need them all): runs × rows × (columns + 1) × 8 bytes (the +1 is the time).
 * Above this it refuses (exit 2) rather than swap. 1000 runs of the baseline (101 rows) with
 * the default 10 columns take 8.9 MB. */
#define MV_ENSEMBLE_MAX_BYTES (1L << 30)  /* 1 GiB */
#define MV_ENSEMBLE_MAX_RUNS 100000000L   /* --runs: 10^8 (seeds stay distinct below 2^32) */

/* sensitivity: the outputs of a design take runs × metrics × 8 bytes, at most this too. */
#define MV_SENS_MAX_OUTPUT_BYTES (1L << 30)

#define MV_SOBOL_DEFAULT_SAMPLES 1024 /* N base points: a power of two */
#define MV_SOBOL_DEFAULT_BOOTSTRAP 1000
#define MV_MORRIS_DEFAULT_SAMPLES 20  /* r trajectories */
#define MV_MORRIS_DEFAULT_LEVELS 4    /* p */

/* mvsim ensemble SCENARIO [--runs N] [--seed S] [--jobs N] [--columns LIST] [-o FILE]
 *                         [--set KEY=VALUE]... [--allow-failed] [--quiet]
 * Runs SCENARIO N times (default 200), run k with noise seed mv_noise_run_seed(S, k), and
 * writes for every output time and chosen column the mean, s.d. and 5/25/50/75/95%
 * percentiles over the runs to FILE (via a temporary) or stdout; the same for any --jobs.
 * Returns 0 (also for --help), 1 when runs failed (unless --allow-failed and at least two
 * succeeded) or output failed, 2 on a usage or input error (nothing written), 128 + signal
 * when interrupted (nothing written). */
int mv_cmd_ensemble(int argc, char **argv);

/* mvsim sensitivity SWEEP.cfg --method sobol|morris [--samples N] [--bootstrap B] [--seed S]
 *                   [--levels P] [--jobs N] [-o FILE] [--set KEY=VALUE]... [--quiet]
 * Samples the sweep file's parameters with a Saltelli or Morris design, runs every point,
 * and writes one row per (metric, parameter): S1 and ST with bootstrap 95% intervals, or
 * μ, μ*, σ. Returns 0 (also for --help), 1 when a run failed or a metric was not a number
 * (nothing written) or output failed, 2 on a usage or input error, 128 + signal when
 * interrupted. */
int mv_cmd_sensitivity(int argc, char **argv);

/* mvsim fit FIT.cfg [-o fitted.cfg] [--report report.tsv|-] [--report-dir DIR] [--jobs N] [--quiet]
 * Loads the fit file, fits (docs/model.md §11, §11a: every origin, every start), prints a
 * short summary on stderr (mv_fit_write_summary) and, through the progress reporter, one
 * line per iteration. Writes the report (also when the fit does not converge; '-': standard
 * output), each of its tables as DIR/NAME.tsv with --report-dir, and, only when every origin
 * converged, the fitted scenario of the last origin, each through mv_outfile. Returns 0 when
 * the fit converged and everything was written (also for --help), 1 when it did not
 * converge, a model run failed or a write failed, 2 on a usage or input error (nothing
 * written). */
int mv_cmd_fit(int argc, char **argv);

/* mvsim plot RESULT.tsv [--kind ...] [-o FILE] [--format png|svg|pdf], plot SUMMARY.tsv
 * [--kind scatter|heatmap], plot FITTED.tsv --report REPORT.tsv, plot --compare A B ...
 * Checks each input is an mvsim result of the right sort with the columns the figure needs,
 * runs gnuplot (gnuplot.h) and publishes each figure through mv_outfile. Prints each file
 * written to stdout, errors to stderr as `mvsim plot: <message>`. Returns 0 ok (also for
 * --help), 1 if gnuplot is missing, fails or prints anything on stderr (no figure is left
 * behind), 2 on a usage or input error (nothing is drawn). */
int mv_cmd_plot(int argc, char **argv);

/* mvsim discover SUMMARY.tsv|SWEEP.cfg --metric NAME (--above X | --below X) [--params LIST]
 *                [--peel-alpha A] [--paste-alpha B] [--mass-min M] [--objective F]
 *                [--boxes K] [--step S | --min-coverage C] [-o FILE] [--jobs N] [--set ...]
 * Scenario discovery with PRIM (prim.h, docs/model.md §12) on a summary or TSV, or on a sweep
 * file's runs (sweeprun.h); writes the tables (mv_prim_write) through mv_outfile or to stdout,
 * each box's summary line on stderr. Returns 0 (also for --help), 1 when the output could
 * not be written, 2 on a usage or input error (nothing written), 128 + signal when
 * interrupted. */
int mv_cmd_discover(int argc, char **argv);

#endif
