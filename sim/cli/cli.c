/* cli.c — the `mvsim` command line's kit: the command table, help, signals, the one option
 * parser, the one progress reporter, and the one check of standard output after a command. */
#define _GNU_SOURCE /* getopt_long */
#include "cli.h"

#include "mvsim/error.h"
#include "mvsim/fit.h"
#include "mvsim/config.h" /* mv_integrator_names */
#include "mvsim/mpi_batch.h"
#include "mvsim/names.h"
#include "mvsim/outfile.h"
#include "mvsim/output.h" /* MV_VERSION */
#include "mvsim/sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gsl/gsl_version.h>
#include <libconfig.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int cmd_help(int argc, char **argv);

static const struct mv_command commands[] = {
	{"run", mv_cmd_run, "run a scenario and write its time series (TSV)", mv_run_usage},
	{"check", mv_cmd_check, "validate a scenario and show every value with its source",
	 mv_check_usage},
	{"keys", mv_cmd_keys, "list the keys of a scenario (for --set, events, sweeps)",
	 mv_keys_usage},
	{"plot", mv_cmd_plot, "draw figures of a result with gnuplot", mv_plot_usage},
	{"sweep", mv_cmd_sweep, "run a parameter sweep into a summary (TSV)", mv_sweep_usage},
	{"merge", mv_cmd_merge, "join the summaries of a sweep's shards", mv_merge_usage},
	{"ensemble", mv_cmd_ensemble, "run a scenario many times with noise: bands over the runs",
	 mv_ensemble_usage},
	{"sensitivity", mv_cmd_sensitivity, "Sobol' or Morris sensitivity of a sweep file's metrics",
	 mv_sensitivity_usage},
	{"fit", mv_cmd_fit, "fit a scenario's parameters to data; backtest against three yardsticks",
	 mv_fit_usage},
	{"discover", mv_cmd_discover, "scenario discovery (PRIM): the parameter boxes where an outcome happens",
	 mv_discover_usage},
	{"help", cmd_help, "show help for mvsim or one command", "mvsim help [COMMAND]\n"},
};

#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static const struct mv_command *find_command(const char *name)
{
	for (int k = 0; k < NCOMMANDS; k++)
		if (strcmp(commands[k].name, name) == 0)
			return &commands[k];
	return NULL;
}

const struct mv_command *mv_cli_commands(int *count)
{
	*count = NCOMMANDS;
	return commands;
}

/* ================================================================ name lists in --help */

static const char *integrator(int k)
{
	return mv_integrator_names[k];
}

static const char *sweep_method(int k)
{
	return mv_sweep_methods[k];
}

static const struct {
	const char *name;
	const char *(*at)(int k); /* name k, NULL past the last */
} usage_lists[] = {
	{"integrators", integrator},       /* config.h */
	{"sweep methods", sweep_method},
	{"fit tables", mv_fit_table_name},
	{"sensitivity methods", mv_sensitivity_method},
	{"discover objectives", mv_discover_objective},
	{"plot formats", mv_plot_format},
	{"plot kinds", mv_plot_kind},
};

static const struct {
	const char *name, *sep, *last;
} usage_styles[] = {
	{"sp", " ", NULL},
	{"or", ", ", " or "},
	{"bar", "|", NULL},
	{"comma", ", ", NULL},
};

const char *mv_cli_usage_list(const char *spec, size_t len, char *buf, size_t size)
{
	const char *colon = memchr(spec, ':', len), *names[64];
	int n = 0;

	if (colon == NULL)
		return NULL;
	for (size_t st = 0; st < sizeof usage_styles / sizeof usage_styles[0]; st++) {
		if (strlen(usage_styles[st].name) != (size_t)(colon - spec) ||
		    strncmp(spec, usage_styles[st].name, (size_t)(colon - spec)) != 0)
			continue;
		for (size_t l = 0; l < sizeof usage_lists / sizeof usage_lists[0]; l++) {
			const char *list = colon + 1;
			size_t ll = len - (size_t)(colon + 1 - spec);
			if (strlen(usage_lists[l].name) != ll || strncmp(list, usage_lists[l].name, ll))
				continue;
			while (n < 64 && (names[n] = usage_lists[l].at(n)) != NULL)
				n++;
			return mv_names_join(names, n, usage_styles[st].sep, usage_styles[st].last,
					     buf, size);
		}
	}
	return NULL;
}

char *mv_cli_usage_text(const char *usage)
{
	char *text = NULL, list[1024];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int col = 0;

	if (f == NULL)
		return NULL;
	for (const char *p = usage; *p; p++) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		if (end == NULL || mv_cli_usage_list(p + 1, (size_t)(end - p - 1), list,
						     sizeof list) == NULL) {
			fputc(*p, f);
			col = *p == '\n' ? 0 : col + 1;
			continue;
		}
		/* the list, word by word: a word that would pass column 80 starts a new line
		 * indented to where the list began */
		int indent = col;
		for (const char *w = list; *w;) {
			size_t wl = strcspn(w, " ");
			if (w != list && col + 1 + (int)wl > 80) {
				fprintf(f, "\n%*s", indent, "");
				col = indent;
			} else if (w != list) {
				fputc(' ', f);
				col++;
			}
			fwrite(w, 1, wl, f);
			col += (int)wl;
			w += wl + (w[wl] == ' ');
		}
		p = end;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Prints cmd's usage (its lists expanded) on stdout. */
static void print_usage(const struct mv_command *cmd)
{
	char *text = mv_cli_usage_text(cmd->usage);

	fputs(text ? text : cmd->usage, stdout);
	free(text);
}

/* ================================================================ errors, stdout, clock */

int mv_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mvsim %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'mvsim %s --help')\n", cmd);
	return MV_EXIT_INPUT;
}

int mv_cli_report(const struct mv_error *err)
{
	fprintf(stderr, "mvsim: %s\n", err->msg);
	return err->code ? err->code : MV_EXIT_FAIL;
}

/* The one check of standard output: a failed write is an error, reported once (the error
 * flag is cleared, so the check after the command does not report it again). */
int mv_cli_finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mvsim: standard output: write failed: %s\n", strerror(errno));
		clearerr(stdout);
		return rc == MV_EXIT_OK ? MV_EXIT_FAIL : rc;
	}
	return rc;
}

int mv_cli_refuse_input(const char *output, const struct mv_scenario *sc,
			const char *const *paths, int npaths, struct mv_error *err)
{
	struct mv_file_ids ids = {0};
	int rc = 0;

	if (output == NULL || strcmp(output, "-") == 0)
		return 0;
	if (mv_file_ids_add_scenario(&ids, sc))
		rc = mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	for (int k = 0; rc == 0 && k < npaths; k++)
		if (mv_file_ids_add(&ids, paths[k]))
			rc = mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	if (rc == 0)
		rc = mv_outfile_check(output, ids.v, ids.n, err);
	mv_file_ids_free(&ids);
	return rc;
}

double mv_cli_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

char *mv_cli_num(double v, char *buf)
{
	if (isnan(v))
		strcpy(buf, "nan");
	else
		mv_format_number(v, buf);
	return buf;
}

void mv_cli_bytes(double b, char *buf, size_t size)
{
	if (b >= 1024.0 * 1024 * 1024)
		snprintf(buf, size, "%.1f GiB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1e6)
		snprintf(buf, size, "%.1f MB", b / 1e6);
	else
		snprintf(buf, size, "%.0f kB", ceil(b / 1e3));
}

void mv_cli_stopped_error(int rc, long done, long total, const char *what, struct mv_error *err)
{
	if (rc > 0 && mv_interrupt) {
		mv_error_interrupted(err);
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len,
			 ": %s stopped after %ld of %ld runs; nothing written", what, done, total);
	} else if (rc > 0) {
		mv_error_set(err, MV_EXIT_FAIL, "%s stopped after %ld of %ld runs; nothing written",
			     what, done, total);
	}
}

/* ================================================================ options */

#define MAX_OPTS 32

/* The option as the user typed it, for messages: "--name" or "-x" (no attached value). */
static void typed_name(int argc, char **argv, const char *optarg_seen, char *buf, size_t size)
{
	const char *arg = argv[optind - 1];

	/* the value was the next word: the option is the word before it */
	if (arg == optarg_seen && optind >= 2 && optind - 2 < argc)
		arg = argv[optind - 2];
	snprintf(buf, size, "%.*s", (int)strcspn(arg, "="), arg);
}

int mv_cli_options(const char *cmd, int argc, char **argv, const struct mv_opt *opts, int *first)
{
	struct option longopts[MAX_OPTS + 2];
	char shorts[3 * MAX_OPTS + 8] = ":h";
	int n = 0, opt;

	for (; opts[n].name; n++) {
		longopts[n] = (struct option){opts[n].name,
					      opts[n].kind == MV_OPT_FLAG ? no_argument
									  : required_argument,
					      NULL, opts[n].letter ? opts[n].letter : 256 + n};
		if (opts[n].letter) {
			size_t len = strlen(shorts);
			shorts[len] = opts[n].letter;
			shorts[len + 1] = opts[n].kind == MV_OPT_FLAG ? '\0' : ':';
			shorts[len + 2] = '\0';
		}
	}
	longopts[n] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[n + 1] = (struct option){NULL, 0, NULL, 0};
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		char name[128], msg[512];
		if (opt == 'h') {
			print_usage(find_command(cmd));
			return mv_cli_finish_stdout(MV_EXIT_OK);
		}
		if (opt == '?')
			return mv_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return mv_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		int k = opt >= 256 ? opt - 256 : -1;
		for (int j = 0; k < 0 && j < n; j++)
			if (opts[j].letter == opt)
				k = j;
		const struct mv_opt *o = &opts[k];
		switch (o->kind) {
		case MV_OPT_NOT_HERE: /* name the option, not its value */
			typed_name(argc, argv, optarg, name, sizeof name);
			return mv_cli_usage_error(cmd, "option '%s' does not apply here", name);
		case MV_OPT_FLAG:
			*(int *)o->value = 1;
			break;
		case MV_OPT_STRING:
			*(const char **)o->value = optarg;
			break;
		case MV_OPT_STRINGS: {
			struct mv_cli_strings *s = o->value;
			char **grown = realloc(s->v, (size_t)(s->n + 1) * sizeof *grown);
			if (grown == NULL)
				return mv_cli_usage_error(cmd, "%s", "out of memory");
			s->v = grown;
			s->v[s->n++] = optarg;
			break;
		}
		case MV_OPT_LONG: {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno || v < o->lo || v > o->hi)
				return mv_cli_usage_error(cmd, "--%s: expected an integer in [%ld, %ld], "
							  "found '%.100s'", o->name, o->lo, o->hi, optarg);
			*(long *)o->value = v;
			break;
		}
		case MV_OPT_FN:
			if (o->fn(o->value, optarg, msg, sizeof msg))
				return mv_cli_usage_error(cmd, "%s", msg);
			break;
		}
	}
	*first = optind;
	return -1;
}

/* A seed: digits only, at most 2^53 (as noise.seed, so --seed S and --set noise.seed=S agree). */
int mv_cli_parse_seed(void *value, const char *arg, char *msg, size_t size)
{
	char *end;
	unsigned long long v = 0;

	errno = 0;
	if (arg[0] >= '0' && arg[0] <= '9')
		v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno || v > (1ULL << 53)) {
		snprintf(msg, size, "--seed: expected an integer in [0, 2^53], found '%.100s'", arg);
		return -1;
	}
	*(uint64_t *)value = (uint64_t)v;
	return 0;
}

int mv_cli_one_operand(const char *cmd, int argc, char **argv, int first, const char *what,
		       const char **operand)
{
	if (first >= argc)
		return mv_cli_usage_error(cmd, "missing %s", what);
	if (first + 1 < argc)
		return mv_cli_usage_error(cmd, "unexpected argument '%s'", argv[first + 1]);
	*operand = argv[first];
	return -1;
}

/* ================================================================ progress */

void mv_progress_start(struct mv_progress *p, const char *what, long total, long done0,
		       int quiet)
{
	memset(p, 0, sizeof *p);
	p->what = what;
	p->quiet = quiet;
	p->on = !quiet && isatty(2);
	p->log = !quiet && !p->on;
	p->interval = MV_PROGRESS_INTERVAL;
	p->total = total;
	p->done = p->done0 = done0;
	p->t0 = p->last = mv_cli_now();
}

void mv_progress_every(struct mv_progress *p, double seconds)
{
	p->interval = seconds;
}

static void format_left(double left, char *eta, size_t size)
{
	if (left < 60)
		snprintf(eta, size, "%.0f s", left);
	else if (left < 3600)
		snprintf(eta, size, "%d min %02d s", (int)(left / 60), (int)fmod(left, 60));
	else
		snprintf(eta, size, "%.0f h %02d min", floor(left / 3600), (int)fmod(left / 60, 60));
}

void mv_progress_update(struct mv_progress *p, long done, int force)
{
	double t = mv_cli_now();
	char eta[32];

	p->done = done;
	if (p->log) {
		/* a log: a line every interval seconds, none forced (start and end say enough) */
		if (p->interval <= 0 || t - p->last < p->interval)
			return;
	} else if (!p->on || (!force && t - p->last < 0.2)) {
		return;
	}
	p->last = t;
	double rate = t > p->t0 ? (double)(p->done - p->done0) / (t - p->t0) : 0;
	double left = rate > 0 ? (double)(p->total - p->done) / rate : 0;
	format_left(left, eta, sizeof eta);
	fprintf(stderr, "%smvsim %s: %ld/%ld runs (%.0f%%), %.0f runs/s, %s left%s",
		p->on ? "\r" : "", p->what, p->done, p->total,
		p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate, eta,
		p->on ? "\033[K" : "\n");
	p->shown = p->on;
}

void mv_progress_clear(struct mv_progress *p)
{
	if (p && p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = 0;
	}
}

void mv_progress_note(struct mv_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->on)
		return;
	mv_progress_clear(p);
	fprintf(stderr, "mvsim %s: ", p->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mv_progress_say(struct mv_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p->quiet)
		return;
	mv_progress_clear(p);
	fprintf(stderr, "mvsim %s: ", p->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mv_progress_end(struct mv_progress *p, long failed, long broken)
{
	char checks[64] = "", kept[48] = "";

	mv_progress_clear(p);
	if (p->quiet || p->what == NULL)
		return;
	double s = mv_cli_now() - p->t0;
	double rate = s > 0 ? (double)(p->done - p->done0) / s : 0;
	if (broken >= 0)
		snprintf(checks, sizeof checks, ", %ld broken check%s", broken, broken == 1 ? "" : "s");
	if (p->done0 > 0)
		snprintf(kept, sizeof kept, " (%ld kept)", p->done0);
	fprintf(stderr, "mvsim %s: %ld runs%s, %ld failed%s, %.1f s, %.0f runs/s\n", p->what,
		p->done, kept, failed, checks, s, rate);
}

int mv_cli_jobs(long jobs)
{
	if (jobs > 0)
		return (int)jobs;
	const char *omp = getenv("OMP_NUM_THREADS");
	if (omp && *omp) {
		char *end;
		long n = strtol(omp, &end, 10);
		if (end != omp && n > 0 && n <= 1024 && (*end == '\0' || *end == ','))
			return (int)n;
	}
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* ================================================================ help, signals, main */

#ifndef MV_DOCDIR /* the Makefile passes $(PREFIX)/share/doc/mvsim */
#define MV_DOCDIR "/usr/local/share/doc/mvsim"
#endif

static void print_main_usage(FILE *f)
{
	fprintf(f, "usage: mvsim [--version] [--help] COMMAND [ARGS]\n\n"
		   "mvsim simulates a small state's multi-vector balancing between outside powers.\n\n"
		   "Commands:\n");
	for (int k = 0; k < NCOMMANDS; k++)
		fprintf(f, "  %-12s %s\n", commands[k].name, commands[k].summary);
	fprintf(f, "\n'mvsim help COMMAND' or 'mvsim COMMAND --help' shows a command's options.\n"
		   "Docs: model.md (the model), config.md (every setting) and the rest in docs/ of\n"
		   "the source tree; installed in " MV_DOCDIR ", and 'man mvsim'.\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_main_usage(stdout);
		return MV_EXIT_OK;
	}
	const struct mv_command *cmd = find_command(argv[1]);
	if (cmd == NULL)
		return mv_cli_usage_error("help", "unknown command '%s'", argv[1]);
	print_usage(cmd);
	return MV_EXIT_OK;
}

static void on_signal(int sig)
{
	mv_interrupt = sig;
}

/* SIGINT and SIGTERM ask the running command to stop cleanly (temporaries removed, exit
 * 128 + signal); a second one kills at once (SA_RESETHAND). */
static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int mv_cli_main(int argc, char **argv)
{
	if (argc < 2) {
		print_main_usage(stderr);
		return MV_EXIT_INPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_main_usage(stdout);
		return mv_cli_finish_stdout(MV_EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mvsim %s (GSL %s, libconfig %d.%d.%d%s)\n", MV_VERSION, GSL_VERSION,
		       LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION,
		       mv_mpi_built() ? ", MPI" : "");
		return mv_cli_finish_stdout(MV_EXIT_OK);
	}
	const struct mv_command *cmd = find_command(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "mvsim: unknown command '%s'\n\n", argv[1]);
		print_main_usage(stderr);
		return MV_EXIT_INPUT;
	}
	/* Under mpirun every rank runs the command; rank 0 alone talks and writes: the other
	 * ranks only run the chunks of runs it hands them (mpi_batch.h), their stdout and
	 * stderr go nowhere (rank 0 reports their failures). */
	struct mv_error err = {0};
	if (mv_mpi_start(&err))
		return mv_cli_report(&err);
	if (mv_mpi_rank() > 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
	}
	install_signal_handlers();
	/* git's run_builtin: a command that succeeded must have reached stdout whole (one that
	 * failed has said why; its exit status stands) */
	int rc = cmd->fn(argc - 1, argv + 1);
	rc = rc == MV_EXIT_OK ? mv_cli_finish_stdout(rc) : rc;
	mv_mpi_end(rc);
	return rc;
}
