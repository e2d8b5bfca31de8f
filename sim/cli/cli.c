/* cli.c — the `mvsim` command line: subcommands as a table, each returning an exit status.
 * Commands print their own results and errors; only main() exits. */
#define _GNU_SOURCE /* getopt_long */
#include "cli.h"

#include "mvsim/config.h"
#include "mvsim/events.h"
#include "mvsim/integrate.h"
#include "mvsim/keys.h"
#include "mvsim/model.h"
#include "mvsim/noise.h"
#include "mvsim/output.h"

#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_version.h>
#include <libconfig.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmd_run(int argc, char **argv);
static int cmd_check(int argc, char **argv);
static int cmd_keys(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct mv_command commands[] = {
	{"run", cmd_run, "run a scenario and write its time series (TSV)",
	 "mvsim run SCENARIO [-o FILE] [--set KEY=VALUE]... [--integrator NAME]\n"
	 "                   [--rtol X] [--atol X]\n"
	 "\n"
	 "Integrates SCENARIO (a libconfig file) from time.start to time.end and writes one\n"
	 "row per output time: '#' metadata lines, a header line, tab-separated numbers.\n"
	 "\n"
	 "  -o, --output FILE      write to FILE (via a temporary, renamed when complete);\n"
	 "                         default: standard output\n"
	 "  -s, --set KEY=VALUE    change one number (repeatable; see 'mvsim keys SCENARIO')\n"
	 "  -i, --integrator NAME  GSL stepper: rk2 rk4 rkf45 rkck rk8pd msadams rk1imp\n"
	 "                         rk2imp rk4imp bsimp msbdf (default: the file's, or rk8pd)\n"
	 "      --rtol X           relative tolerance (default: the file's, or 1e-8)\n"
	 "      --atol X           absolute tolerance (default: the file's, or 1e-10)\n"
	 "  -h, --help             show this help\n"
	 "\n"
	 "Exit status: 0 ok, 1 the run failed numerically or could not be written,\n"
	 "2 usage or input error (nothing is written).\n"},
	{"check", cmd_check, "validate a scenario and show every value with its source",
	 "mvsim check SCENARIO [--set KEY=VALUE]...\n"
	 "\n"
	 "Loads SCENARIO with its bases and overrides, validates it, and prints every\n"
	 "parameter with its value and where it came from (default, file, base, override,\n"
	 "--set), then the event timeline.\n"
	 "\n"
	 "  -s, --set KEY=VALUE    change one number first (repeatable)\n"
	 "  -h, --help             show this help\n"
	 "\n"
	 "Exit status: 0 valid, 2 usage or input error.\n"},
	{"keys", cmd_keys, "list the keys of a scenario (for --set, events, sweeps)",
	 "mvsim keys SCENARIO\n"
	 "\n"
	 "Lists every key of SCENARIO with its kind, current value, unit and meaning.\n"
	 "Kinds: setting (--set and overrides only), parameter (events ramp or step it),\n"
	 "state (events are jumps), share (initial value only).\n"
	 "\n"
	 "  -h, --help             show this help\n"
	 "\n"
	 "Exit status: 0 ok, 2 usage or input error.\n"},
	{"plot", mv_cmd_plot, "draw figures of a result with gnuplot",
	 "mvsim plot RESULT.tsv [--kind shares|plane|tension|diversity|fan|sensitivity|all]\n"
	 "           [-o FILE] [--format png|svg|pdf]\n"
	 "mvsim plot SUMMARY.tsv [--kind scatter|heatmap] [--x KEY --y KEY] [--metric M]\n"
	 "mvsim plot FITTED.tsv --report REPORT.tsv [--kind fit]\n"
	 "mvsim plot --compare A.tsv B.tsv ... [--columns \"c1 c2\"] [-o FILE]\n"
	 "\n"
	 "See 'mvsim plot --help'.\n"},
	{"sweep", mv_cmd_sweep, "run a parameter sweep into a summary (TSV)", mv_sweep_usage},
	{"merge", mv_cmd_merge, "join the summaries of a sweep's shards", mv_merge_usage},
	{"ensemble", mv_cmd_ensemble, "run a scenario many times with noise: bands over the runs",
	 mv_ensemble_usage},
	{"sensitivity", mv_cmd_sensitivity, "Sobol' or Morris sensitivity of a sweep file's metrics",
	 mv_sensitivity_usage},
	{"fit", mv_cmd_fit, "fit a scenario's parameters to data; score a holdout against persistence",
	 mv_fit_usage},
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

static void print_main_usage(FILE *f)
{
	fprintf(f, "usage: mvsim [--version] [--help] COMMAND [ARGS]\n\n"
		   "mvsim simulates a small state's multi-vector balancing between outside powers.\n\n"
		   "Commands:\n");
	for (int k = 0; k < NCOMMANDS; k++)
		fprintf(f, "  %-12s %s\n", commands[k].name, commands[k].summary);
	fprintf(f, "\n'mvsim help COMMAND' or 'mvsim COMMAND --help' shows a command's options.\n"
		   "Docs: docs/model.md (the model), docs/config.md (every setting).\n");
}

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

double mv_cli_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Every command that prints results ends here: a failed write to stdout is an error. */
int mv_cli_finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mvsim: standard output: write failed: %s\n", strerror(errno));
		return MV_EXIT_FAIL;
	}
	return rc;
}

int mv_cli_report(const struct mv_error *err)
{
	fprintf(stderr, "mvsim: %s\n", err->msg);
	return err->code ? err->code : MV_EXIT_FAIL;
}

/* Options shared by run, check and keys. */
struct common {
	const char *scenario;
	const char *output;
	const char *method;
	int nsets;
	char **sets;
	char *owned[2]; /* sets made from --rtol / --atol */
};

static void common_free(struct common *c)
{
	free(c->sets);
	free(c->owned[0]);
	free(c->owned[1]);
}

static int add_set(struct common *c, char *s)
{
	char **n = realloc(c->sets, (size_t)(c->nsets + 1) * sizeof *n);
	if (n == NULL)
		return -1;
	c->sets = n;
	c->sets[c->nsets++] = s;
	return 0;
}

enum { OPT_RTOL = 256, OPT_ATOL };

/* Parses argv of command cmd. allow: which of o, s, i, t(olerances) the command takes.
 * Returns -1 to go on, or an exit status (help shown: 0; usage error: 2). */
static int parse_common(const char *cmd, int argc, char **argv, const char *allow,
			struct common *c)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"set", required_argument, NULL, 's'},
		{"integrator", required_argument, NULL, 'i'},
		{"rtol", required_argument, NULL, OPT_RTOL},
		{"atol", required_argument, NULL, OPT_ATOL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	memset(c, 0, sizeof *c);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:s:i:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(find_command(cmd)->usage, stdout);
			return mv_cli_finish_stdout(MV_EXIT_OK);
		}
		if (opt == '?')
			return mv_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return mv_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		int letter = opt == OPT_RTOL || opt == OPT_ATOL ? 't' : opt;
		if (strchr(allow, letter) == NULL) /* name the option, not its value */
			return mv_cli_usage_error(cmd, "option '%s' does not apply here",
					   argv[optind - 1] == optarg && optind >= 2 ? argv[optind - 2]
										 : argv[optind - 1]);
		switch (opt) {
		case 'o':
			c->output = optarg;
			break;
		case 's':
			if (add_set(c, optarg))
				return mv_cli_usage_error(cmd, "%s", "out of memory");
			break;
		case 'i':
			if (mv_integrator_implicit(optarg) < 0) {
				char msg[512];
				size_t used = (size_t)snprintf(msg, sizeof msg,
							       "--integrator: expected one of");
				for (const char *const *n = mv_integrator_names; *n; n++)
					used += (size_t)snprintf(msg + used, sizeof msg - used, " %s", *n);
				snprintf(msg + used, sizeof msg - used, ", found '%s'", optarg);
				return mv_cli_usage_error(cmd, "%s", msg);
			}
			c->method = optarg;
			break;
		default: {
			double v;
			const char *name = opt == OPT_RTOL ? "rtol" : "atol";
			if (mv_parse_number(optarg, &v) || !(v > 0)) {
				char msg[256];
				snprintf(msg, sizeof msg, "--%s: expected a number > 0, found '%.100s'",
					 name, optarg);
				return mv_cli_usage_error(cmd, "%s", msg);
			}
			size_t len = strlen(optarg) + 24;
			char *s = malloc(len);
			if (s == NULL)
				return mv_cli_usage_error(cmd, "%s", "out of memory");
			snprintf(s, len, "integrator.%s=%s", name, optarg);
			free(c->owned[opt - OPT_RTOL]);
			c->owned[opt - OPT_RTOL] = s;
			if (add_set(c, s))
				return mv_cli_usage_error(cmd, "%s", "out of memory");
		}
		}
	}
	if (optind >= argc)
		return mv_cli_usage_error(cmd, "%s", "missing SCENARIO");
	if (optind + 1 < argc)
		return mv_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	c->scenario = argv[optind];
	return -1;
}

/* ---------------------------------------------------------------- run */

static int cmd_run(int argc, char **argv)
{
	struct common c;
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_run_opts opts = {0};
	struct mv_scenario *sc = NULL;
	struct mv_run *run = NULL;
	struct mv_writer *w = NULL;
	struct mv_noise *noise = NULL;
	char **cols = NULL, seed[32];
	int ncols, rc = parse_common("run", argc, argv, "osit", &c);

	if (rc >= 0)
		goto out;
	if ((sc = mv_config_load(c.scenario, c.nsets, c.sets, &kt, &err)) == NULL ||
	    (cols = mv_model_columns(sc, &ncols, &err)) == NULL)
		goto fail;
	opts.method = c.method;
	/* With noise (MODEL.md §6) the run follows one OU path drawn from noise.seed. */
	uint64_t s = (uint64_t)sc->val[MV_G_NOISE_SEED];
	if (mv_noise_attach(sc, s, &opts, &noise, &err))
		goto fail;
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)s);
	if ((run = mv_run_create(sc, &kt, &opts, &err)) == NULL ||
	    (w = mv_writer_open(c.output, &err)) == NULL ||
	    mv_writer_header(w, sc, &kt, c.method ? c.method : sc->method, noise ? seed : NULL,
			     cols, ncols, &err) ||
	    mv_run_exec(run, mv_writer_row_cb, w, &err))
		goto fail;
	rc = mv_writer_commit(w, &err);
	w = NULL; /* commit frees it, success or not */
	if (rc)
		goto fail;
	rc = MV_EXIT_OK;
	goto out;
fail:
	rc = mv_cli_report(&err);
out:
	mv_writer_abort(w);
	free(cols);
	mv_run_free(run);
	mv_noise_free(noise);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	common_free(&c);
	return rc;
}

/* ---------------------------------------------------------------- check, keys */

static const char *kind_name(int kind)
{
	static const char *const names[] = {"setting", "parameter", "state", "share"};
	return names[kind];
}

static const char *op_name(int op)
{
	static const char *const names[] = {"set", "add", "mul"};
	return names[op];
}

static void print_check(const struct mv_scenario *sc, const struct mv_keytab *kt)
{
	char src[600], num[32];
	double start = sc->val[MV_G_START], end = sc->val[MV_G_END];

	printf("scenario    %s   (%s)\n", sc->name, mv_scenario_src_str(sc, sc->name_src, src, sizeof src));
	if (sc->description[0])
		printf("description %s\n", sc->description);
	printf("file        %s   sha256 %s\n", sc->files[sc->top], sc->sha256);
	for (int k = 0; k < sc->nfiles; k++)
		if (k != sc->top)
			printf("base        %s\n", sc->files[k]);
	printf("focal       %s\n", sc->focal_name);
	printf("vectors    ");
	for (int i = 0; i < sc->nvec; i++)
		printf(" %s (\"%s\")%s", sc->vec_id[i], sc->vec_name[i], i + 1 < sc->nvec ? "," : "\n");
	printf("domains    ");
	for (int d = 0; d < sc->ndom; d++)
		printf(" %s (\"%s\")%s", sc->dom_id[d], sc->dom_name[d], d + 1 < sc->ndom ? "," : "\n");
	printf("integrator  %s   (%s)\n", sc->method,
	       mv_scenario_src_str(sc, sc->method_src, src, sizeof src));
	printf("output      %ld rows, %g to %g every %g years\n", mv_run_nrows(sc), start, end,
	       sc->val[MV_G_OUTPUT_STEP]);
	printf("\n%-44s %-14s %s\n", "KEY", "VALUE", "SOURCE");
	for (int k = 0; k < kt->nkeys; k++) {
		const struct mv_key *key = &kt->keys[k];
		if (sc->src[key->index].kind == MV_SRC_SERIES)
			snprintf(num, sizeof num, "(data)");
		else
			mv_format_number(sc->val[key->index], num);
		printf("%-44s %-14s %s\n", key->name, num,
		       mv_scenario_src_str(sc, sc->src[key->index], src, sizeof src));
	}
	printf("\nevents (%d, in the order they apply)\n", sc->nevents);
	if (sc->nevents)
		printf("%-10s %-6s %-40s %-12s %-36s %s\n", "AT", "OVER", "KEY", "CHANGE", "LABEL",
		       "SOURCE");
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		const struct mv_key *key = &kt->keys[kt->by_index[e->key]];
		char change[48], at[32], over[32];
		struct mv_src s = {MV_SRC_FILE, (short)e->file, e->line, -1};
		mv_format_number(e->at, at);
		mv_format_number(e->over, over);
		mv_format_number(e->x, num);
		snprintf(change, sizeof change, "%s %s", op_name(e->op), num);
		const char *note = "";
		if (e->at > end)
			note = "   [after the end: no effect]";
		else if (e->at + e->over <= start && key->kind == MV_KEY_PARAM)
			note = "   [at or before the start: in effect from the first row]";
		else if (e->at <= start && key->kind == MV_KEY_STATE)
			note = "   [at or before the start: applied to the initial state]";
		printf("%-10s %-6s %-40s %-12s %-36s %s%s\n", at, over, key->name, change,
		       e->label[0] ? e->label : "-", mv_scenario_src_str(sc, s, src, sizeof src),
		       note);
	}
}

static int cmd_check(int argc, char **argv)
{
	struct common c;
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = NULL;
	char **cols = NULL;
	int ncols, rc = parse_common("check", argc, argv, "s", &c);

	if (rc >= 0)
		goto out;
	if ((sc = mv_config_load(c.scenario, c.nsets, c.sets, &kt, &err)) == NULL ||
	    (cols = mv_model_columns(sc, &ncols, &err)) == NULL) {
		rc = mv_cli_report(&err);
		goto out;
	}
	print_check(sc, &kt);
	rc = mv_cli_finish_stdout(MV_EXIT_OK);
out:
	free(cols);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	common_free(&c);
	return rc;
}

static int cmd_keys(int argc, char **argv)
{
	struct common c;
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = NULL;
	char num[32];
	int rc = parse_common("keys", argc, argv, "", &c);

	if (rc >= 0)
		goto out;
	if ((sc = mv_config_load(c.scenario, 0, NULL, &kt, &err)) == NULL) {
		rc = mv_cli_report(&err);
		goto out;
	}
	printf("%-44s %-10s %-14s %-10s %s\n", "KEY", "KIND", "VALUE", "UNIT", "MEANING");
	for (int k = 0; k < kt.nkeys; k++) {
		const struct mv_key *key = &kt.keys[k];
		mv_format_number(sc->val[key->index], num);
		printf("%-44s %-10s %-14s %-10s %s\n", key->name, kind_name(key->kind), num,
		       key->unit[0] ? key->unit : "-", key->what);
	}
	rc = mv_cli_finish_stdout(MV_EXIT_OK);
out:
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	common_free(&c);
	return rc;
}

/* ---------------------------------------------------------------- help, main */

static int cmd_help(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_main_usage(stdout);
		return mv_cli_finish_stdout(MV_EXIT_OK);
	}
	const struct mv_command *cmd = find_command(argv[1]);
	if (cmd == NULL)
		return mv_cli_usage_error("help", "unknown command '%s'", argv[1]);
	fputs(cmd->usage, stdout);
	return mv_cli_finish_stdout(MV_EXIT_OK);
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

const struct mv_command *mv_cli_commands(int *count)
{
	*count = NCOMMANDS;
	return commands;
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
		printf("mvsim %s (GSL %s, libconfig %d.%d.%d)\n", MV_VERSION, GSL_VERSION,
		       LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION);
		return mv_cli_finish_stdout(MV_EXIT_OK);
	}
	const struct mv_command *cmd = find_command(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "mvsim: unknown command '%s'\n\n", argv[1]);
		print_main_usage(stderr);
		return MV_EXIT_INPUT;
	}
	install_signal_handlers();
	return cmd->fn(argc - 1, argv + 1);
}
