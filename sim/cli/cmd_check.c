/* cmd_check.c — `mvsim check`: a scenario validated and shown, every value with its source,
 * then the event timeline in the order the events apply. */
#include "cli.h"

#include "mvsim/config.h"
#include "mvsim/events.h"
#include "mvsim/integrate.h"
#include "mvsim/keys.h"
#include "mvsim/model.h"
#include "mvsim/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char mv_check_usage[] =
	"mvsim check SCENARIO [--set KEY=VALUE]...\n"
	"\n"
	"Loads SCENARIO with its bases and overrides, validates it, and prints every\n"
	"parameter with its value and where it came from (default, file, base, override,\n"
	"--set), then the event timeline. With time.spinup > 0 it also runs the spin-up\n"
	"and shows each initial share, effort, tension and mass beside the value the run\n"
	"starts from (the first output row).\n"
	"\n"
	"  -s, --set KEY=VALUE    change one number first (repeatable)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 valid, 1 the spin-up failed numerically, 2 usage or input error.\n";

static const char *op_name(int op)
{
	static const char *const names[] = {"set", "add", "mul"};
	return names[op];
}

/* The first output row of a run of sc: the state after the spin-up (docs/model.md §5), and
 * after any jump at or before the start, which is what the run starts from. */
static int first_row_cb(void *ctx, const double *row, int ncols, struct mv_error *err)
{
	(void)err;
	memcpy(ctx, row, (size_t)ncols * sizeof *row);
	return 0;
}

static double *spun_up_row(const struct mv_scenario *sc, const struct mv_keytab *kt, int ncols,
			   struct mv_error *err)
{
	const double start = sc->val[MV_G_START];
	struct mv_run_opts opts = {0};
	double *row = calloc((size_t)ncols, sizeof *row);
	struct mv_run *run = NULL;

	if (row == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	opts.times = &start;
	opts.ntimes = 1;
	if ((run = mv_run_create(sc, kt, &opts, err)) == NULL || mv_run_exec(run, first_row_cb, row, err)) {
		mv_run_free(run);
		free(row);
		return NULL;
	}
	mv_run_free(run);
	return row;
}

static int column_of(char *const *cols, int ncols, const char *name)
{
	for (int c = 0; c < ncols; c++)
		if (strcmp(cols[c], name) == 0)
			return c;
	return -1;
}

/* The initial state's keys (shares, then mass, effort, tension per vector) with the file's
 * value beside the spun-up one. */
static void print_spun_up(const struct mv_scenario *sc, const struct mv_keytab *kt,
			  char *const *cols, int ncols, const double *row)
{
	const int n = sc->nvec, D = sc->ndom;
	char src[600], num[32], spun[32], name[2 * MV_MAX_NAME + 16];

	printf("\ninitial state after %g years of spin-up (the first row, t = %g)\n",
	       sc->val[MV_G_SPINUP], sc->val[MV_G_START]);
	printf("%-44s %-14s %-14s %s\n", "KEY", "FILE", "SPUN UP", "SOURCE");
	for (int k = 0; k < kt->nkeys; k++) {
		const struct mv_key *key = &kt->keys[k];
		int c = -1;
		if (key->kind != MV_KEY_SHARE && key->kind != MV_KEY_STATE)
			continue;
		for (int i = 0; i < n && c < 0; i++) {
			for (int d = 0; d < D && c < 0; d++)
				if (key->index == mv_key_share(n, D, i, d)) {
					snprintf(name, sizeof name, "share_%s_%s", sc->dom_id[d], sc->vec_id[i]);
					c = column_of(cols, ncols, name);
				}
			static const struct { int vp; const char *col; } st[] = {
				{MV_VP_MASS, "mass"}, {MV_VP_EFFORT, "effort"}, {MV_VP_TENSION, "tension"}};
			for (int s = 0; s < 3 && c < 0; s++)
				if (key->index == mv_key_vec(n, D, i, st[s].vp)) {
					snprintf(name, sizeof name, "%s_%s", st[s].col, sc->vec_id[i]);
					c = column_of(cols, ncols, name);
				}
		}
		if (c < 0)
			continue;
		if (sc->src[key->index].kind == MV_SRC_SERIES)
			snprintf(num, sizeof num, "(data)");
		else
			mv_format_number(sc->val[key->index], num);
		mv_format_number(row[c], spun);
		printf("%-44s %-14s %-14s %s\n", key->name, num, spun,
		       mv_scenario_src_str(sc, sc->src[key->index], src, sizeof src));
	}
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
	if (sc->val[MV_G_SPINUP] > 0)
		printf("spin-up     %g years before %g, parameters frozen: the run starts from the "
		       "spun-up state (SPUN UP below)\n",
		       sc->val[MV_G_SPINUP], start);
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
}

static void print_events(const struct mv_scenario *sc, const struct mv_keytab *kt)
{
	char src[600], num[32];
	double start = sc->val[MV_G_START], end = sc->val[MV_G_END];

	printf("\nevents (%d, in the order they apply)\n", sc->nevents);
	if (sc->nevents)
		printf("%-12s %-6s %-40s %-12s %-36s %s\n", "AT", "OVER", "KEY", "CHANGE", "LABEL",
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
		printf("%-12s %-6s %-40s %-12s %-36s %s%s\n", at, over, key->name, change,
		       e->label[0] ? e->label : "-", mv_scenario_src_str(sc, s, src, sizeof src),
		       note);
	}
}

int mv_cmd_check(int argc, char **argv)
{
	struct mv_cli_strings sets = {0};
	const struct mv_opt opts[] = {
		{"set", 's', MV_OPT_STRINGS, &sets, 0, 0, NULL},
		{"output", 'o', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"integrator", 'i', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"rtol", 0, MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"atol", 0, MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = NULL;
	const char *scenario;
	char **cols = NULL;
	double *row = NULL;
	int ncols, first, rc = mv_cli_options("check", argc, argv, opts, &first);

	if (rc >= 0 || (rc = mv_cli_one_operand("check", argc, argv, first, "SCENARIO", &scenario)) >= 0)
		goto out;
	if ((sc = mv_config_load(scenario, sets.n, sets.v, &kt, &err)) == NULL ||
	    (cols = mv_model_columns(sc, &ncols, &err)) == NULL) {
		rc = mv_cli_report(&err);
		goto out;
	}
	if (sc->val[MV_G_SPINUP] > 0 && (row = spun_up_row(sc, &kt, ncols, &err)) == NULL) {
		rc = mv_cli_report(&err);
		goto out;
	}
	print_check(sc, &kt);
	if (row)
		print_spun_up(sc, &kt, cols, ncols, row);
	print_events(sc, &kt);
	rc = MV_EXIT_OK;
out:
	free(row);
	free(cols);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	free(sets.v);
	return rc;
}
