/* cmd_run.c — `mvsim run`: one scenario integrated into one result file (or stdout).
 * The run itself is the library's (integrate.h, output.h); this file is options and errors. */
#include "cli.h"

#include "mvsim/config.h"
#include "mvsim/integrate.h"
#include "mvsim/keys.h"
#include "mvsim/model.h"
#include "mvsim/names.h"
#include "mvsim/noise.h"
#include "mvsim/output.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char mv_run_usage[] =
	"mvsim run SCENARIO [-o FILE] [--set KEY=VALUE]... [--integrator NAME]\n"
	"                   [--rtol X] [--atol X] [--event-rows]\n"
	"\n"
	"Integrates SCENARIO (a libconfig file) from time.start to time.end and writes one\n"
	"row per output time: '#' metadata lines, a header line, tab-separated numbers.\n"
	"\n"
	"  -o, --output FILE      write to FILE (via a temporary, renamed when complete);\n"
	"                         default: standard output\n"
	"  -s, --set KEY=VALUE    change one number (repeatable; see 'mvsim keys SCENARIO')\n"
	"  -i, --integrator NAME  the GSL stepper (default: the file's, or rk8pd), one of\n"
	"                         {sp:integrators}\n"
	"      --rtol X           relative tolerance (default: the file's, or 1e-8)\n"
	"      --atol X           absolute tolerance (default: the file's, or 1e-10)\n"
	"      --event-rows       also write rows at every event inside the run: one 1e-6\n"
	"                         years before it (the state just before a jump) and one\n"
	"                         at it (just after), and one where a ramp ends, so a\n"
	"                         plot draws each jump at its exact time\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 ok, 1 the run failed numerically or could not be written,\n"
	"2 usage or input error (nothing is written).\n";

/* What the options of run give: --rtol/--atol become sets ("integrator.rtol=X") in the
 * order given, so a later --set of the same key wins as it would on the command line. */
struct run_opts {
	const char *output;
	const char *method;
	struct mv_cli_strings sets;
	struct mv_cli_strings owned; /* the sets made from --rtol / --atol (freed at the end) */
};

static int parse_integrator(void *value, const char *arg, char *msg, size_t size)
{
	char names[256];

	if (mv_integrator_implicit(arg) >= 0) {
		((struct run_opts *)value)->method = arg;
		return 0;
	}
	mv_names_join(mv_integrator_names, -1, " ", NULL, names, sizeof names);
	snprintf(msg, size, "--integrator: expected one of %s, found '%s'", names, arg);
	return -1;
}

/* The output times of --event-rows: the scenario's grid (start + k·output_step, and end) and,
 * for every event inside (start, end], a time EVENT_ROW_BEFORE years before it (a row of the
 * state just before its jump), the event time itself (just after: the run applies jumps
 * before it writes a row at a boundary, docs/model.md §5), and the end of a ramp. Sorted;
 * times within 2e-9 years of the previous one (the integrator's stop tolerance, 1e-9, twice)
 * are dropped. Returns a malloc'd array, its length in *n, or NULL when out of memory. */
#define EVENT_ROW_BEFORE 1e-6

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double *event_row_times(const struct mv_scenario *sc, long *n)
{
	const double start = sc->val[MV_G_START], end = sc->val[MV_G_END];
	const double step = sc->val[MV_G_OUTPUT_STEP];
	const long nrows = mv_run_nrows(sc);
	double *t = malloc((size_t)(nrows + 3 * (long)sc->nevents) * sizeof *t);
	long m = 0;

	if (t == NULL)
		return NULL;
	for (long k = 0; k < nrows; k++)
		t[m++] = k == nrows - 1 ? end : start + (double)k * step;
	for (int e = 0; e < sc->nevents; e++) {
		const struct mv_event *ev = &sc->events[e];
		if (!(ev->at > start && ev->at <= end))
			continue;
		if (ev->at - EVENT_ROW_BEFORE > start)
			t[m++] = ev->at - EVENT_ROW_BEFORE;
		t[m++] = ev->at;
		if (ev->over > 0 && ev->at + ev->over < end)
			t[m++] = ev->at + ev->over;
	}
	qsort(t, (size_t)m, sizeof *t, cmp_double);
	long k = 0;
	for (long j = 0; j < m; j++)
		if (k == 0 || t[j] > t[k - 1] + 2e-9)
			t[k++] = t[j];
	*n = k;
	return t;
}

static int parse_tolerance(struct run_opts *o, int which, const char *arg, char *msg,
			   size_t size)
{
	const char *name = which ? "atol" : "rtol";
	double v;

	if (mv_parse_number(arg, &v) || !(v > 0)) {
		snprintf(msg, size, "--%s: expected a number > 0, found '%.100s'", name, arg);
		return -1;
	}
	size_t len = strlen(arg) + 24;
	char *s = malloc(len), **sets = realloc(o->sets.v, (size_t)(o->sets.n + 1) * sizeof *sets);
	if (sets)
		o->sets.v = sets;
	char **owned = realloc(o->owned.v, (size_t)(o->owned.n + 1) * sizeof *owned);
	if (owned)
		o->owned.v = owned;
	if (s == NULL || sets == NULL || owned == NULL) {
		free(s);
		snprintf(msg, size, "out of memory");
		return -1;
	}
	snprintf(s, len, "integrator.%s=%s", name, arg);
	o->owned.v[o->owned.n++] = s;
	o->sets.v[o->sets.n++] = s;
	return 0;
}

static int parse_rtol(void *value, const char *arg, char *msg, size_t size)
{
	return parse_tolerance(value, 0, arg, msg, size);
}

static int parse_atol(void *value, const char *arg, char *msg, size_t size)
{
	return parse_tolerance(value, 1, arg, msg, size);
}

int mv_cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	int event_rows = 0;
	double *times = NULL;
	const struct mv_opt opts[] = {
		{"output", 'o', MV_OPT_STRING, &o.output, 0, 0, NULL},
		{"set", 's', MV_OPT_STRINGS, &o.sets, 0, 0, NULL},
		{"integrator", 'i', MV_OPT_FN, &o, 0, 0, parse_integrator},
		{"rtol", 0, MV_OPT_FN, &o, 0, 0, parse_rtol},
		{"atol", 0, MV_OPT_FN, &o, 0, 0, parse_atol},
		{"event-rows", 0, MV_OPT_FLAG, &event_rows, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_run_opts ropts = {0};
	struct mv_scenario *sc = NULL;
	struct mv_run *run = NULL;
	struct mv_writer *w = NULL;
	struct mv_noise *noise = NULL;
	const char *scenario;
	char **cols = NULL, seed[32];
	int ncols, first, rc = mv_cli_options("run", argc, argv, opts, &first);

	if (rc >= 0 || (rc = mv_cli_one_operand("run", argc, argv, first, "SCENARIO", &scenario)) >= 0)
		goto out;
	if ((sc = mv_config_load(scenario, o.sets.n, o.sets.v, &kt, &err)) == NULL ||
	    (cols = mv_model_columns(sc, &ncols, &err)) == NULL)
		goto fail;
	ropts.method = o.method;
	/* With noise (docs/model.md §6) the run follows one OU path drawn from noise.seed. */
	uint64_t s = (uint64_t)sc->val[MV_G_NOISE_SEED];
	if (mv_noise_attach(sc, s, &ropts, &noise, &err))
		goto fail;
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)s);
	if (event_rows) {
		if ((times = event_row_times(sc, &ropts.ntimes)) == NULL) {
			mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
			goto fail;
		}
		ropts.times = times;
	}
	if ((run = mv_run_create(sc, &kt, &ropts, &err)) == NULL ||
	    mv_cli_refuse_input(o.output, sc, NULL, 0, &err) ||
	    (w = mv_writer_open(o.output, &err)) == NULL ||
	    mv_writer_metadata(w, sc, &kt, o.method ? o.method : sc->method, noise ? seed : NULL,
			       &err) ||
	    (event_rows && mv_writer_meta(w, "rows", "output_step and events (--event-rows: "
				   "1e-6 years before each event, at it, at a ramp's end)", &err)) ||
	    mv_writer_columns(w, cols, ncols, &err))
		goto fail;
	if (mv_run_exec(run, mv_writer_row_cb, w, &err)) {
		/* a numeric failure names the scenario that failed (issue 15) */
		if (strncmp(err.msg, "run failed at ", 14) == 0) {
			char msg[MV_ERROR_MAX];
			snprintf(msg, sizeof msg, "%s", err.msg);
			mv_error_set(&err, err.code, "%s: %s", scenario, msg);
		}
		goto fail;
	}
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
	free(times);
	mv_noise_free(noise);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	free(o.sets.v);
	for (int k = 0; k < o.owned.n; k++)
		free(o.owned.v[k]);
	free(o.owned.v);
	return rc;
}
