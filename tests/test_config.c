/* test_config.c — scenario loading (docs/model.md §3–§5): values, defaults, provenance, ids, share
 * normalisation, event order, what-if inheritance, --set, and every validation error's message. */
#include "testutil.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvsim/config.h"
#include "mvsim/keys.h"
#include "mvsim/model.h"
#include "mvsim/scenario.h"
#include "mvsim/sha256.h"
#include "mvsim/sweep.h"

/* Paths as passed to mv_config_load; the tests run from the repository root. */
#define DIR "tests/data/config/"
#define BAD DIR "bad/"
#define MIN DIR "min.cfg"
#define WHATIF DIR "whatif.cfg"
#define WHATIF2 DIR "deeper/whatif2.cfg"

/* Values read from a file must come back exactly (a double parsed once, never recomputed);
 * defaults computed in config.c (1/n, 1/12) are compared to the same expression. */
#define EXACT 0.0

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, eps) near((a), (b), (eps), #a, __FILE__, __LINE__)
static void near(double a, double b, double eps, const char *expr, const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("%s = %.17g, expected %.17g within %g\n", expr, a, b, eps);
		_fail(file, line);
	}
}

/* ---------------------------------------------------------------- helpers */

/* Loaded scenario and key table, freed by teardown. */
struct fixture {
	struct mv_scenario *sc;
	struct mv_keytab kt;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	free(f);
	return 0;
}

/* Loads path (with --set assignments) into the fixture, failing the test with the message. */
static struct mv_scenario *load(void **state, const char *path, int nsets, char *const *sets)
{
	struct fixture *f = *state;
	struct mv_error err = {0};

	f->sc = mv_config_load(path, nsets, sets, &f->kt, &err);
	if (f->sc == NULL)
		fail_msg("%s did not load: %s", path, err.msg);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	return f->sc;
}

static const struct mv_key *key(void **state, const char *name)
{
	struct fixture *f = *state;
	const struct mv_key *k = mv_keytab_find(&f->kt, name);
	if (k == NULL)
		fail_msg("no key '%s'", name);
	return k;
}

static double val(void **state, const char *name)
{
	struct fixture *f = *state;
	return f->sc->val[key(state, name)->index];
}

static struct mv_src src(void **state, const char *name)
{
	struct fixture *f = *state;
	return f->sc->src[key(state, name)->index];
}

/* The source of key as `mvsim check` shows it. */
static const char *src_str(void **state, const char *name)
{
	static char buf[600];
	struct fixture *f = *state;
	return mv_scenario_src_str(f->sc, src(state, name), buf, sizeof buf);
}

/* Asserts that key has value v and came from kind/file/line. */
#define assert_key(state, name, v, kind, file, line)                                      \
	check_key((state), (name), (v), (kind), (file), (line), __FILE__, __LINE__)
static void check_key(void **state, const char *name, double v, int kind, int file, int line,
		      const char *where, int at)
{
	struct mv_src s = src(state, name);

	if (val(state, name) != v || s.kind != kind || s.file != file || s.line != line) {
		print_error("%s = %.17g from source %d file %d line %d, expected %.17g from source "
			    "%d file %d line %d\n",
			    name, val(state, name), s.kind, s.file, s.line, v, kind, file, line);
		_fail(where, at);
	}
}

/* ---------------------------------------------------------------- a minimal scenario */

static void min_values(void **state)
{
	struct mv_scenario *sc = load(state, MIN, 0, NULL);

	assert_string_equal(sc->name, "Minimal");
	assert_string_equal(sc->description, "");
	assert_string_equal(sc->focal_name, "Kazakhstan");
	assert_int_equal(sc->nvec, 3);
	assert_int_equal(sc->ndom, 2);
	assert_int_equal(sc->nval, mv_key_nslots(3, 2));
	assert_string_equal(sc->vec_name[2], "South Asia");
	assert_string_equal(sc->dom_name[0], "Economy");
	assert_string_equal(sc->method, "rk8pd");
	assert_int_equal(sc->nsets, 0);

	assert_key(state, "time.start", 2000.0, MV_SRC_FILE, 0, 4);
	assert_key(state, "time.end", 2010.0, MV_SRC_FILE, 0, 4);
	assert_key(state, "time.output_step", 0.5, MV_SRC_FILE, 0, 4);
	assert_key(state, "domains.security.weight", 2.0, MV_SRC_FILE, 0, 5);
	assert_key(state, "domains.security.inertia", 3.0, MV_SRC_FILE, 0, 5);
	assert_key(state, "vectors.russia.mass", 2.0, MV_SRC_FILE, 0, 7);
	assert_key(state, "vectors.china.mass", 3.0, MV_SRC_FILE, 0, 10); /* an int reads as a number */
	assert_key(state, "vectors.china.growth", 0.05, MV_SRC_FILE, 0, 10);
	assert_key(state, "vectors.russia.salience.economy", 1.0, MV_SRC_FILE, 0, 8);
	assert_key(state, "vectors.russia.salience.security", 2.0, MV_SRC_FILE, 0, 8);
	assert_key(state, "vectors.china.salience.security", 0.0, MV_SRC_FILE, 0, 11);
	assert_key(state, "vectors.south_asia.salience.economy", 0.5, MV_SRC_FILE, 0, 14);
	assert_key(state, "vectors.russia.share.economy", 0.5, MV_SRC_FILE, 0, 9);
	assert_key(state, "vectors.china.share.economy", 0.3, MV_SRC_FILE, 0, 12);
	assert_key(state, "vectors.south_asia.share.economy", 0.2, MV_SRC_FILE, 0, 15);
}

/* docs/model.md §3 defaults, and the project's own (domain weight and inertia 1, initial_step
 * 0.01, noise correlation 1, step 1/12, seed 1, ideal uniform). */
static void min_defaults(void **state)
{
	static const struct {
		const char *key;
		double v;
	} defaults[] = {
		{"time.spinup", 0.0},
		{"integrator.rtol", 1e-8},
		{"integrator.atol", 1e-10},
		{"integrator.initial_step", 0.01},
		{"noise.sigma", 0.0},
		{"noise.correlation", 1.0},
		{"noise.step", 1.0 / 12.0},
		{"noise.seed", 1.0},
		{"model.alpha", 1.0},
		{"model.gamma", 1.0},
		{"model.beta", 0.0},
		{"focal.autonomy", 0.0},
		{"focal.ideal.russia", 1.0 / 3.0},
		{"focal.ideal.china", 1.0 / 3.0},
		{"focal.ideal.south_asia", 1.0 / 3.0},
		{"domains.economy.weight", 1.0},
		{"domains.economy.inertia", 1.0},
		/* angles evenly spaced, 360/n apart, starting at 90 */
		{"vectors.russia.angle", 90.0},
		{"vectors.china.angle", 210.0},
		{"vectors.south_asia.angle", 330.0},
		{"vectors.russia.growth", 0.0},
		{"vectors.south_asia.growth", 0.0},
		{"vectors.russia.distance", 1.0},
		{"vectors.china.connectivity", 0.0},
		{"vectors.russia.aspiration", 0.0},
		{"vectors.russia.responsiveness", 0.0},
		{"vectors.russia.effort_decay", 1.0},
		{"vectors.china.red_line", 0.0},
		{"vectors.china.coercion", 0.0},
		{"vectors.china.tension_decay", 1.0},
		{"vectors.south_asia.hazard.max", 0.0},
		{"vectors.south_asia.hazard.threshold", 1.0},
		{"vectors.south_asia.hazard.width", 0.1},
		{"vectors.south_asia.noise_sigma", 0.0},
		{"vectors.russia.effort", 0.0},
		{"vectors.russia.tension", 0.0},
		{"vectors.russia.restraint.china", 0.0},
		{"vectors.south_asia.restraint.russia", 0.0},
	};
	struct mv_scenario *sc = load(state, MIN, 0, NULL);

	for (size_t k = 0; k < sizeof defaults / sizeof defaults[0]; k++) {
		struct mv_src s = src(state, defaults[k].key);
		if (val(state, defaults[k].key) != defaults[k].v || s.kind != MV_SRC_DEFAULT ||
		    s.file != -1 || s.line != 0)
			fail_msg("%s = %.17g (source %d), expected the default %.17g", defaults[k].key,
				 val(state, defaults[k].key), s.kind, defaults[k].v);
		assert_string_equal(src_str(state, defaults[k].key), "default");
	}
	assert_string_equal(sc->method, "rk8pd");
	assert_int_equal(sc->method_src.kind, MV_SRC_DEFAULT);
}

/* Every key with its value and line, in a file that writes every setting out. */
static void full_values(void **state)
{
	static const struct {
		const char *key;
		double v;
		int line;
	} keys[] = {
		{"time.start", 1990.5, 5},
		{"time.end", 2001.0, 5},
		{"time.output_step", 0.25, 5},
		{"time.spinup", 3.0, 5},
		{"integrator.rtol", 1e-6, 6},
		{"integrator.atol", 1e-9, 6},
		{"integrator.initial_step", 0.05, 6},
		{"model.alpha", 0.5, 7},
		{"model.gamma", 2.0, 7},
		{"model.beta", -0.3, 7},
		{"focal.autonomy", 0.4, 8},
		{"focal.ideal.russia", 2.0, 8}, /* stored as written; the model normalises u */
		{"focal.ideal.the_west_eu_us", 1.0, 8},
		{"noise.sigma", 0.2, 9},
		{"noise.correlation", 2.5, 9},
		{"noise.step", 0.5, 9},
		{"noise.seed", 42.0, 9},
		{"domains.trade_investment.weight", 0.7, 10},
		{"domains.trade_investment.inertia", 4.0, 10},
		{"domains.security.weight", 0.3, 11},
		{"domains.security.inertia", 6.0, 11},
		{"vectors.russia.angle", 45.0, 13},
		{"vectors.russia.mass", 1.5, 13},
		{"vectors.russia.growth", -0.01, 13},
		{"vectors.russia.distance", 2.0, 13},
		{"vectors.russia.connectivity", 0.5, 13},
		{"vectors.russia.salience.trade_investment", 0.8, 14},
		{"vectors.russia.salience.security", 3.0, 14},
		{"vectors.russia.share.trade_investment", 0.5, 14},
		{"vectors.russia.share.security", 0.75, 14},
		{"vectors.russia.aspiration", 0.45, 15},
		{"vectors.russia.responsiveness", 0.6, 15},
		{"vectors.russia.effort_decay", 2.5, 15},
		{"vectors.russia.effort", 0.1, 15},
		{"vectors.russia.red_line", 0.3, 16},
		{"vectors.russia.coercion", 1.2, 16},
		{"vectors.russia.tension_decay", 1.5, 16},
		{"vectors.russia.tension", -0.2, 16},
		{"vectors.russia.noise_sigma", 0.05, 16},
		{"vectors.russia.restraint.china", 0.8, 17},
		{"vectors.russia.restraint.the_west_eu_us", 0.1, 17},
		{"vectors.russia.hazard.max", 0.3, 18},
		{"vectors.russia.hazard.threshold", 0.9, 18},
		{"vectors.russia.hazard.width", 0.15, 18},
		{"vectors.china.mass", 10.0, 19},
		{"vectors.the_west_eu_us.share.security", 0.125, 20},
	};
	struct mv_scenario *sc = load(state, DIR "full.cfg", 0, NULL);

	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		struct mv_src s = src(state, keys[k].key);
		if (val(state, keys[k].key) != keys[k].v || s.kind != MV_SRC_FILE || s.file != 0 ||
		    s.line != keys[k].line)
			fail_msg("%s = %.17g from line %d (source %d), expected %.17g from line %d",
				 keys[k].key, val(state, keys[k].key), s.line, s.kind, keys[k].v,
				 keys[k].line);
	}
	assert_string_equal(sc->description, "every setting");
	assert_string_equal(sc->focal_name, "Mongolia");
	assert_string_equal(sc->method, "rkf45");
	assert_int_equal(sc->method_src.kind, MV_SRC_FILE);
	assert_int_equal(sc->method_src.line, 6);
	assert_string_equal(sc->dom_id[0], "trade_investment");
	assert_string_equal(sc->vec_id[2], "the_west_eu_us");
	/* Angles not written keep their evenly spaced defaults. */
	assert_near(val(state, "vectors.china.angle"), 210.0, EXACT);
}

/* Where values came from: file and line, as `mvsim check` prints them. */
static void min_provenance(void **state)
{
	struct mv_scenario *sc = load(state, MIN, 0, NULL);
	char buf[600];

	assert_int_equal(sc->nfiles, 1);
	assert_int_equal(sc->top, 0);
	assert_string_equal(sc->files[0], MIN);
	assert_int_equal(sc->name_src.kind, MV_SRC_FILE);
	assert_int_equal(sc->name_src.line, 3);
	assert_string_equal(mv_scenario_src_str(sc, sc->name_src, buf, sizeof buf),
			    "file " MIN ":3");
	assert_string_equal(src_str(state, "vectors.russia.mass"), "file " MIN ":7");
	assert_string_equal(src_str(state, "domains.security.inertia"), "file " MIN ":5");
	assert_string_equal(src_str(state, "model.beta"), "default");

	char hex[65];
	assert_int_equal(mv_sha256_file(MIN, hex), 0);
	assert_string_equal(sc->sha256, hex);
}

/* docs/model.md §4: lower-case, each run of other characters one '_', none at either end. */
static void ids(void **state)
{
	static const struct {
		const char *name, *id;
	} cases[] = {
		{"South Asia", "south_asia"},
		{"south-asia", "south_asia"},
		{"The West (EU + US)", "the_west_eu_us"},
		{"  --Russia--  ", "russia"},
		{"G7", "g7"},
		{"T\xc3\xbcrkiye", "t_rkiye"}, /* bytes outside ASCII are not letters */
	};
	char id[64];

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		assert_int_equal(mv_make_id(cases[k].name, id), 0);
		assert_string_equal(id, cases[k].id);
	}
	assert_int_equal(mv_make_id("--", id), -1);
	assert_int_equal(mv_make_id("", id), -1);

	struct mv_scenario *sc = load(state, MIN, 0, NULL);
	assert_string_equal(sc->vec_id[0], "russia");
	assert_string_equal(sc->vec_id[2], "south_asia");
	assert_string_equal(sc->dom_id[0], "economy");
	assert_string_equal(sc->dom_id[1], "security");
	assert_non_null(mv_keytab_find(&((struct fixture *)*state)->kt,
				       "vectors.south_asia.restraint.china"));
}

/* Security shares in min.cfg sum to 1.0000005: inside the 1e-6 tolerance, so every share of
 * the domain is divided by the sum and the domain starts exactly on the simplex. */
static void share_normalisation(void **state)
{
	load(state, MIN, 0, NULL);
	const double sum = 0.6 + 0.2 + 0.2000005;
	const char *keys[] = {"vectors.russia.share.security", "vectors.china.share.security",
			      "vectors.south_asia.share.security"};
	const double raw[] = {0.6, 0.2, 0.2000005};
	double total = 0;

	for (int i = 0; i < 3; i++) {
		/* one division, so the result is the correctly rounded quotient */
		assert_near(val(state, keys[i]), raw[i] / sum, EXACT);
		total += val(state, keys[i]);
	}
	assert_near(total, 1.0, 4 * 2.2e-16); /* three additions of numbers ≤ 1 */
	/* A domain whose sum is exactly 1 in binary is left as written. */
	assert_near(val(state, "vectors.russia.share.economy"), 0.5, EXACT);
	assert_near(val(state, "vectors.china.share.economy"), 0.3, EXACT);
}

/* share_edge.cfg: [1.0000005, 0] is within the tolerance and must be normalised to [1, 0]. */
static void share_within_tolerance_above_one(void **state)
{
	load(state, DIR "share_edge.cfg", 0, NULL);
	assert_near(val(state, "vectors.russia.share.economy"), 1.0, EXACT);
	assert_near(val(state, "vectors.china.share.economy"), 0.0, EXACT);
}

/* Events sorted by `at`, ties in file order; fields as written. */
static void events_sorted(void **state)
{
	struct mv_scenario *sc = load(state, MIN, 0, NULL);
	const struct mv_event *e = sc->events;

	assert_int_equal(sc->nevents, 3);
	assert_near(e[0].at, 2001.0, EXACT);
	assert_near(e[0].over, 2.0, EXACT);
	assert_int_equal(e[0].op, MV_OP_SET);
	assert_near(e[0].x, 1.0, EXACT);
	assert_int_equal(e[0].key, key(state, "vectors.russia.connectivity")->index);
	assert_string_equal(e[0].label, "early");
	assert_int_equal(e[0].file, 0);
	assert_int_equal(e[0].line, 18);

	/* two events at 2005: file order (line 17 before line 19) */
	assert_near(e[1].at, 2005.0, EXACT);
	assert_near(e[1].over, 0.0, EXACT);
	assert_int_equal(e[1].op, MV_OP_ADD);
	assert_near(e[1].x, 0.01, EXACT);
	assert_int_equal(e[1].key, key(state, "vectors.china.growth")->index);
	assert_string_equal(e[1].label, "late");
	assert_int_equal(e[1].line, 17);
	assert_near(e[2].at, 2005.0, EXACT);
	assert_int_equal(e[2].key, key(state, "vectors.russia.tension")->index);
	assert_int_equal(e[2].line, 19);
	assert_true(e[1].order < e[2].order);
}

/* ---------------------------------------------------------------- what-if files */

static void whatif(void **state)
{
	struct mv_scenario *sc = load(state, WHATIF, 0, NULL);
	char buf[600];

	assert_int_equal(sc->nfiles, 2);
	assert_int_equal(sc->top, 0);
	assert_string_equal(sc->files[0], WHATIF);
	assert_string_equal(sc->files[1], MIN); /* the base, relative to the what-if */
	char hex[65];
	assert_int_equal(mv_sha256_file(WHATIF, hex), 0);
	assert_string_equal(sc->sha256, hex); /* the top file's, not the base's */

	/* name and description replace the base's */
	assert_string_equal(sc->name, "Minimal what-if");
	assert_string_equal(sc->description, "China grows faster");
	assert_int_equal(sc->name_src.file, 0);
	assert_int_equal(sc->name_src.line, 4);
	assert_string_equal(mv_scenario_src_str(sc, sc->name_src, buf, sizeof buf),
			    "file " WHATIF ":4");

	/* overrides: a parameter, a setting and two shares (valid only together) */
	assert_key(state, "vectors.china.growth", 0.1, MV_SRC_OVERRIDE, 0, 7);
	assert_key(state, "vectors.russia.share.economy", 0.4, MV_SRC_OVERRIDE, 0, 8);
	assert_key(state, "vectors.china.share.economy", 0.4, MV_SRC_OVERRIDE, 0, 9);
	assert_key(state, "time.end", 2020.0, MV_SRC_OVERRIDE, 0, 10);
	assert_string_equal(src_str(state, "vectors.china.growth"), "override " WHATIF ":7");
	/* the rest comes from the base */
	assert_key(state, "vectors.russia.mass", 2.0, MV_SRC_FILE, 1, 7);
	assert_string_equal(src_str(state, "vectors.russia.mass"), "base " MIN ":7");
	assert_string_equal(src_str(state, "model.beta"), "default");

	/* events added to the base's; at a tie the base's come first */
	assert_int_equal(sc->nevents, 5);
	static const struct {
		double at;
		const char *key;
		int file, line;
	} want[] = {
		{1999.0, "model.beta", 0, 13}, /* before time.start: allowed */
		{2001.0, "vectors.russia.connectivity", 1, 18},
		{2005.0, "vectors.china.growth", 1, 17},
		{2005.0, "vectors.russia.tension", 1, 19},
		{2005.0, "vectors.china.mass", 0, 12},
	};
	for (int k = 0; k < 5; k++) {
		const struct mv_event *e = &sc->events[k];
		if (e->at != want[k].at || e->key != key(state, want[k].key)->index ||
		    e->file != want[k].file || e->line != want[k].line)
			fail_msg("event %d: at %g in file %d line %d, expected %s at %g (file %d line %d)",
				 k, e->at, e->file, e->line, want[k].key, want[k].at, want[k].file,
				 want[k].line);
	}
	assert_int_equal(sc->events[4].op, MV_OP_MUL);
	assert_string_equal(sc->events[4].label, "what-if tie");
}

/* A what-if on a what-if in another directory: bases chain, later overrides win. */
static void whatif_chain(void **state)
{
	struct mv_scenario *sc = load(state, WHATIF2, 0, NULL);
	const char *mid = DIR "deeper/../whatif.cfg", *base = DIR "deeper/../min.cfg";

	assert_int_equal(sc->nfiles, 3);
	assert_string_equal(sc->files[0], WHATIF2);
	assert_string_equal(sc->files[1], mid);
	assert_string_equal(sc->files[2], base);
	/* name and description inherited from the middle file (whatif2 sets neither) */
	assert_string_equal(sc->name, "Minimal what-if");
	assert_string_equal(sc->description, "China grows faster");
	assert_int_equal(sc->name_src.file, 1);

	assert_key(state, "vectors.china.growth", 0.2, MV_SRC_OVERRIDE, 0, 3);
	assert_key(state, "time.end", 2020.0, MV_SRC_OVERRIDE, 1, 10);
	assert_key(state, "vectors.south_asia.mass", 1.0, MV_SRC_FILE, 2, 13);
	char want[300];
	snprintf(want, sizeof want, "override %s:10", mid);
	assert_string_equal(src_str(state, "time.end"), want);
	snprintf(want, sizeof want, "base %s:13", base);
	assert_string_equal(src_str(state, "vectors.south_asia.mass"), want);

	assert_int_equal(sc->nevents, 6);
	assert_int_equal(sc->events[5].key, key(state, "vectors.russia.coercion")->index);
	assert_int_equal(sc->events[5].file, 0);
	assert_string_equal(sc->events[5].label, "");
	assert_int_equal(sc->events[4].key, key(state, "vectors.china.mass")->index);
}

/* ---------------------------------------------------------------- --set */

static void sets(void **state)
{
	char *argv[] = {"vectors.china.growth=0.25", "time.end=2030", "vectors.china.growth=-0.5",
			"vectors.russia.share.economy=0.4", "vectors.china.share.economy=0.4",
			"noise.seed=7"};
	struct mv_scenario *sc = load(state, WHATIF2, 6, argv);

	assert_int_equal(sc->nsets, 6);
	for (int k = 0; k < 6; k++)
		assert_string_equal(sc->sets[k], argv[k]);
	/* the last assignment to a key wins; --set beats overrides */
	assert_near(val(state, "vectors.china.growth"), -0.5, EXACT);
	struct mv_src s = src(state, "vectors.china.growth");
	assert_int_equal(s.kind, MV_SRC_SET);
	assert_int_equal(s.arg, 2);
	assert_string_equal(src_str(state, "vectors.china.growth"),
			    "--set vectors.china.growth=-0.5");
	assert_near(val(state, "time.end"), 2030.0, EXACT);
	assert_int_equal(src(state, "time.end").arg, 1);
	assert_near(val(state, "noise.seed"), 7.0, EXACT);
	/* shares may be set, and are validated after every assignment */
	assert_near(val(state, "vectors.russia.share.economy"), 0.4, EXACT);
	assert_int_equal(src(state, "vectors.russia.share.economy").kind, MV_SRC_SET);
}

/* The key table handed back, and loading without one (no leak either way). */
static void keytab(void **state)
{
	struct mv_error err = {0};
	struct mv_scenario *sc = mv_config_load(MIN, 0, NULL, NULL, &err);

	assert_non_null(sc);
	mv_scenario_free(sc);

	load(state, MIN, 0, NULL);
	assert_int_equal(key(state, "time.end")->kind, MV_KEY_SETTING);
	assert_int_equal(key(state, "noise.seed")->kind, MV_KEY_SETTING);
	assert_int_equal(key(state, "model.beta")->kind, MV_KEY_PARAM);
	assert_int_equal(key(state, "vectors.south_asia.hazard.width")->kind, MV_KEY_PARAM);
	assert_int_equal(key(state, "vectors.china.mass")->kind, MV_KEY_STATE);
	assert_int_equal(key(state, "vectors.china.effort")->kind, MV_KEY_STATE);
	assert_int_equal(key(state, "vectors.china.tension")->kind, MV_KEY_STATE);
	assert_int_equal(key(state, "vectors.china.share.security")->kind, MV_KEY_SHARE);
	assert_null(mv_keytab_find(&((struct fixture *)*state)->kt, "vectors.china.restraint.china"));
	/* every slot that is a key maps back to it */
	const struct mv_keytab *kt = &((struct fixture *)*state)->kt;
	for (int k = 0; k < kt->nkeys; k++)
		assert_int_equal(kt->by_index[kt->keys[k].index], k);
}

/* mv_config_validate again after a change (as sweeps do): the message names the origin. */
static void revalidate(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	struct mv_scenario *sc = load(state, MIN, 0, NULL);

	assert_int_equal(mv_config_validate(sc, &f->kt, &err), 0);
	sc->val[key(state, "vectors.russia.mass")->index] = -1.0;
	assert_int_equal(mv_config_validate(sc, &f->kt, &err), -1);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, MIN ":7: setting 'vectors.russia.mass': expected a number "
				     ">= 0, found -1");
	sc->val[key(state, "vectors.russia.mass")->index] = 2.0;
	/* a default value is named as one */
	sc->val[key(state, "vectors.china.effort_decay")->index] = 0.0;
	assert_int_equal(mv_config_validate(sc, &f->kt, &err), -1);
	assert_string_equal(err.msg, MIN ": setting 'vectors.china.effort_decay' (default): "
				     "expected a number > 0, found 0");
}

/* Column names must differ (mv_model_columns): "Economy China" beside domain economy and
 * vector china would give two columns share_economy_china. */
static void column_collision(void **state)
{
	char **cols;
	int ncols = 0;
	struct mv_error err = {0};
	struct mv_scenario *sc = load(state, BAD "column_collision.cfg", 0, NULL);

	cols = mv_model_columns(sc, &ncols, &err);
	assert_null(cols);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg,
			    BAD "column_collision.cfg: setting 'vectors': expected names whose output "
				"columns differ, found two columns named 'share_economy_china' (rename a "
				"vector or domain)");

	/* and min.cfg's columns are all distinct, in docs/model.md §7 order */
	struct fixture *f = *state;
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	f->sc = NULL;
	sc = load(state, MIN, 0, NULL);
	cols = mv_model_columns(sc, &ncols, &err);
	assert_non_null(cols);
	assert_int_equal(ncols, 1 + 2 * 3 + 5 * 3 + 9);
	assert_string_equal(cols[0], "t");
	assert_string_equal(cols[3], "share_south_asia");
	assert_string_equal(cols[4], "share_economy_russia");
	assert_null(cols[ncols]);
	free(cols);
}

/* ---------------------------------------------------------------- every error */

/* One case per rule: the file given to mv_config_load (with --set assignments), and the
 * whole message, exit status 2. `head`/`tail` instead of `msg` assert the start and the end
 * of a message only. */
struct bad_case {
	const char *name;   /* test name */
	const char *path;
	const char *set[2]; /* up to two --set assignments (NULL: none) */
	const char *msg;    /* the exact message */
	const char *head, *tail;
};

#define F(x) BAD x ".cfg"
#define CASE(x, m) {x, F(x), {NULL, NULL}, F(x) m, NULL, NULL}
#define SET(x, s, m) {"set_" x, MIN, {s, NULL}, m, NULL, NULL}

static const struct bad_case bad_cases[] = {
	/* issue 16: remove_events, dates, array keys */
	CASE("remove_unknown", ":3: setting 'remove_events[0]': expected a label of the base's "
			       "events (\"late\", \"early\", \"tie second\"), found \"erly\"; did you "
			       "mean 'early'?"),
	CASE("date_invalid", ":3: setting 'events[0].at': expected a time in years or a date "
			     "\"YYYY-MM-DD\", found \"2021-02-29\" (no such day)"),
	CASE("override_array_key", ":3: setting 'overrides[0].key': expected a key of this scenario "
				   "(mvsim keys SCENARIO lists them), found unknown key "
				   "'vectors.russia.salience'; did you mean "
				   "vectors.russia.salience.<domain>, one key per element: "
				   "'vectors.russia.salience.economy', 'vectors.russia.salience.security'?"),
	CASE("override_initial_key", ":3: setting 'overrides[0].key': expected a key of this "
				     "scenario (mvsim keys SCENARIO lists them), found unknown key "
				     "'vectors.russia.initial'; did you mean vectors.russia.share.<domain>, "
				     "one key per element (initial shares are keyed share): "
				     "'vectors.russia.share.economy', 'vectors.russia.share.security'?"),
	SET("date_invalid", "time.end=2012-02-30",
	    "--set 'time.end=2012-02-30': expected a time in years or a date YYYY-MM-DD after '=', "
	    "found '2012-02-30' (no such day)"),
	/* issue 15: control characters, non-ASCII names, huge values printed short */
	CASE("label_newline", ":3: setting 'events[0].label': expected text without control "
			      "characters (newline, tab, ...), found \"first line\\nforged\""),
	CASE("name_tab", ":5: setting 'vectors[0].name': expected text without control characters "
			 "(newline, tab, ...), found \"Rus\\tsia\""),
	CASE("name_non_ascii", ":5: setting 'vectors[0].name': expected a name with at least one "
			       "ASCII letter or digit, found \"Россия\""),
	CASE("end_huge", ":3: setting 'time.output_step': expected at most 10000000 output rows, "
			 "found 2e+300 (raise it, or shorten the run)"),
	/* files */
	{"missing_file", F("no_such_file"), {NULL, NULL},
	 F("no_such_file") ": cannot open scenario: No such file or directory", NULL, NULL},
	CASE("syntax_error", ":3: syntax error"),
	/* unknown settings */
	CASE("unknown_setting", ":8: setting 'descripton': expected one of name, description, "
				"time, integrator, model, focal, domains, vectors, events, series, "
				"noise, found an unknown setting; did you mean 'description'?"),
	CASE("unknown_time_setting", ":3: setting 'time.output_stp': expected one of start, end, "
				     "output_step, spinup, found an unknown setting; did you mean 'output_step'?"),
	CASE("unknown_domain_setting", ":4: setting 'domains.economy.wieght': expected one of "
				       "name, weight, inertia, found an unknown setting; did you mean 'weight'?"),
	CASE("unknown_vector_setting",
	     ":6: setting 'vectors.russia.growht': expected one of name, angle, mass, growth, "
	     "distance, connectivity, salience, initial, aspiration, responsiveness, effort_decay, "
	     "effort, red_line, coercion, tension_decay, tension, restraint, hazard, noise_sigma, "
	     "found an unknown setting; did you mean 'growth'?"),
	CASE("unknown_hazard_setting", ":6: setting 'vectors.russia.hazard.treshold': expected "
				       "one of max, threshold, width, found an unknown setting; did you mean 'threshold'?"),
	CASE("unknown_event_setting", ":9: setting 'events[0].lable': expected one of at, over, "
				      "key, set, add, mul, label, found an unknown setting; did you mean 'label'?"),
	CASE("unknown_noise_setting", ":8: setting 'noise.sed': expected one of sigma, "
				      "correlation, step, seed, found an unknown setting; did you mean 'seed'?"),
	/* types */
	CASE("string_for_number", ":6: setting 'vectors.russia.mass': expected a number, found a "
				  "string (\"1.0\")"),
	CASE("group_for_array", ":6: setting 'vectors.russia.salience': expected an array of 2 "
				"numbers (one per domain), found a group"),
	CASE("boolean", ":8: setting 'model.beta': expected a number, found a boolean (true)"),
	CASE("array_mixed_types", ":6: mismatched element type in array"),
	CASE("string_in_array", ":7: setting 'vectors.china.salience[0]': expected a number, "
				"found a string (\"high\")"),
	CASE("time_not_group", ":3: setting 'time': expected a group { ... }, found 2000"),
	CASE("domain_not_group", ":4: setting 'domains[1]': expected a group { name = ...; ... }, "
				 "found a string (\"Security\")"),
	CASE("vectors_not_list", ":5: setting 'vectors': expected a list ( { name = ...; ... }, "
				 "... ) of 2 to 32 vectors, found an array of 2"),
	CASE("vector_not_group", ":7: setting 'vectors[1]': expected a group { name = ...; ... }, "
				 "found a string (\"China\")"),
	CASE("hazard_not_group", ":6: setting 'vectors.russia.hazard': expected a group { max = "
				 "...; ... }, found an array of 3"),
	CASE("restraint_not_group", ":6: setting 'vectors.russia.restraint': expected a group { "
				    "<vector id> = number; ... }, found 0.5"),
	CASE("restraint_string", ":6: setting 'vectors.russia.restraint.china': expected a number, "
				 "found a string (\"high\")"),
	CASE("name_not_string", ":2: setting 'name': expected a string, found 3"),
	CASE("method_unknown", ":8: setting 'integrator.method': expected one of rk2, rk4, rkf45, "
			       "rkck, rk8pd, msadams, rk1imp, rk2imp, rk4imp, bsimp, msbdf, found "
			       "\"euler\""),
	CASE("method_not_string", ":8: setting 'integrator.method': expected one of rk2, rk4, "
				  "rkf45, rkck, rk8pd, msadams, rk1imp, rk2imp, rk4imp, bsimp, msbdf, "
				  "found 45"),
	CASE("events_not_list", ":8: setting 'events': expected a list ( { at = ...; key = "
				"\"...\"; add = ...; }, ... ), found a group"),
	CASE("key_not_string", ":9: setting 'events[0].key': expected a key string such as "
			       "\"vectors.russia.coercion\", found 3"),
	CASE("label_not_string", ":9: setting 'events[0].label': expected a string, found 1"),
	CASE("non_finite", ":3: setting 'time.end': expected a finite number, found a non-finite "
			   "value"),
	/* arrays */
	CASE("array_length", ":6: setting 'vectors.russia.salience': expected an array of 2 "
			     "numbers (one per domain), found an array of 3"),
	CASE("initial_length", ":7: setting 'vectors.china.initial': expected an array of 2 "
			       "numbers (one per domain), found an array of 1"),
	CASE("ideal_length", ":8: setting 'focal.ideal': expected an array of 2 numbers (one per "
			     "vector), found an array of 3"),
	/* shares */
	CASE("shares_sum", ":7: setting 'vectors.*.share.economy': expected initial shares in "
			   "domain economy summing to 1 (within 1e-6), found a sum of 1.1 (russia 0.5 at "
			   F("shares_sum") ":6, china 0.6 at " F("shares_sum") ":7)"),
	CASE("shares_near_sum", ":7: setting 'vectors.*.share.economy': expected initial shares "
				"in domain economy summing to 1 (within 1e-6), found a sum of "
				"1.000002 (russia 0.5 at " F("shares_near_sum") ":6, china 0.500002 at "
				F("shares_near_sum") ":7)"),
	CASE("share_negative", ":6: setting 'vectors.russia.share.economy': expected a number >= "
			       "0, found -0.1"),
	/* ranges */
	CASE("negative_mass", ":7: setting 'vectors.china.mass': expected a number >= 0, found -1"),
	CASE("negative_salience", ":7: setting 'vectors.china.salience.security': expected a "
				  "number >= 0, found -0.5"),
	CASE("negative_distance", ":6: setting 'vectors.russia.distance': expected a number >= 0, "
				  "found -2"),
	CASE("effort_decay_zero", ":6: setting 'vectors.russia.effort_decay': expected a number "
				  "> 0, found 0"),
	CASE("tension_decay_negative", ":7: setting 'vectors.china.tension_decay': expected a "
				       "number > 0, found -1"),
	CASE("inertia_zero", ":4: setting 'domains.security.inertia': expected a number > 0, "
			     "found 0"),
	CASE("width_zero", ":6: setting 'vectors.russia.hazard.width': expected a number > 0, "
			   "found 0"),
	CASE("salience_all_zero", ":7: setting 'vectors.*.salience.security': expected at least "
				  "one salience > 0 in domain security, found all 0"),
	CASE("restraint_unknown", ":6: setting 'vectors.russia.restraint.west': expected the id of "
				  "another vector (china), found an unknown vector"),
	CASE("restraint_self", ":6: setting 'vectors.russia.restraint.russia': expected the id of "
			       "another vector, found the vector itself"),
	CASE("restraint_negative", ":6: setting 'vectors.russia.restraint.china': expected a "
				   "number >= 0, found -0.5"),
	CASE("autonomy_range", ":8: setting 'focal.autonomy': expected a number in [0, 1], found "
			       "1.5"),
	CASE("aspiration_range", ":6: setting 'vectors.russia.aspiration': expected a number in "
				 "[0, 1], found 1.2"),
	CASE("red_line_range", ":7: setting 'vectors.china.red_line': expected a number in [0, 1], "
			       "found -0.1"),
	CASE("effort_negative", ":6: setting 'vectors.russia.effort': expected a number >= 0, "
				"found -1"),
	CASE("responsiveness_negative", ":6: setting 'vectors.russia.responsiveness': expected a "
					"number >= 0, found -0.5"),
	CASE("ideal_all_zero", ":8: setting 'focal.ideal': expected at least one weight > 0, found "
			       "all 0"),
	CASE("ideal_negative", ":8: setting 'focal.ideal.china': expected a number >= 0, found "
			       "-0.5"),
	CASE("weights_all_zero", ":4: setting 'domains.*.weight': expected at least one domain "
				 "weight > 0, found all 0"),
	CASE("noise_step_horizon", ":8: setting 'noise.step': expected a step no longer than the "
				   "horizon (10 years), found 20"),
	CASE("seed_not_integer", ":8: setting 'noise.seed': expected an integer in [0, 2^53], "
				 "found 1.5"),
	CASE("output_step_zero", ":3: setting 'time.output_step': expected a number > 0, found 0"),
	CASE("end_before_start", ":3: setting 'time.end': expected a time after time.start (2000), "
				 "found 1990"),
	CASE("end_equal_start", ":3: setting 'time.end': expected a time after time.start (2000), "
				"found 2000"),
	CASE("spinup_negative", ":3: setting 'time.spinup': expected a number >= 0, found -5"),
	CASE("rtol_zero", ":8: setting 'integrator.rtol': expected a number > 0, found 0"),
	/* events */
	CASE("event_unknown_key", ":9: setting 'events[0].key': expected a key of this scenario "
				  "(mvsim keys SCENARIO lists them), found unknown key "
				  "'vectors.russia.growht'; did you mean 'vectors.russia.growth'?"),
	CASE("event_unknown_key_far", ":9: setting 'events[0].key': expected a key of this "
				      "scenario (mvsim keys SCENARIO lists them), found unknown key "
				      "'gdp'"),
	CASE("event_no_op", ":9: setting 'events[0]': expected exactly one of set, add, mul, "
			    "found none"),
	CASE("event_two_ops", ":9: setting 'events[0]': expected exactly one of set, add, mul, "
			      "found several"),
	CASE("event_over_negative", ":9: setting 'events[0].over': expected a duration in years "
				    ">= 0, found -1"),
	CASE("event_ramp_state", ":9: setting 'events[0].over': expected 0 (no ramp), found 2 on "
				 "the state key 'vectors.russia.mass' (a state changes by jumps)"),
	CASE("event_share", ":9: setting 'events[0].key': expected a parameter or state key, found "
			    "the share 'vectors.russia.share.economy' (shares change only through "
			    "the dynamics; override its initial value instead)"),
	CASE("event_setting", ":9: setting 'events[0].key': expected a parameter or state key, "
			      "found the setting 'time.end' (settings cannot change during a run)"),
	CASE("event_missing_key", ":9: setting 'events[0].key': expected a key string, found "
				  "nothing (required)"),
	CASE("event_missing_at", ":9: setting 'events[0].at': expected a time in years, found "
				 "nothing (required)"),
	CASE("event_at_string", ":9: setting 'events[0].at': expected a time in years, found a "
				"string (\"2001\")"),
	CASE("event_op_string", ":9: setting 'events[0].mul': expected a number, found a string "
				"(\"2\")"),
	CASE("event_out_of_range", ":9: event on 'vectors.china.distance': expected the value to "
				   "stay a number >= 0, found -0.5 at t=2005"),
	CASE("event_salience_zero", ":3: event on 'vectors.*.salience.security': expected at least "
				    "one salience > 0 in domain security, found all 0 at t=2008"),
	CASE("event_mass_negative", ":2: event on 'vectors.china.mass': expected a value that "
				    "keeps it >= 0, found set -1"),
	CASE("event_effort_mul_negative", ":2: event on 'vectors.china.effort': expected a factor "
					  "that keeps it >= 0, found mul -2"),
	CASE("event_ramp_out_of_range", ":10: event on 'focal.autonomy': expected the value to "
					"stay a number in [0, 1], found 1.5 at t=2010"),
	/* counts and names */
	CASE("too_many_vectors", ":5: setting 'vectors': expected a list ( { name = ...; ... }, "
				 "... ) of 2 to 32 vectors, found 33 vectors"),
	CASE("too_many_domains", ":4: setting 'domains': expected a list ( { name = ...; ... }, "
				 "... ) of 1 to 8 domains, found 9 domains"),
	CASE("one_vector", ":5: setting 'vectors': expected a list ( { name = ...; ... }, ... ) of "
			   "2 to 32 vectors, found 1 vector"),
	CASE("no_domains", ":4: setting 'domains': expected a list ( { name = ...; ... }, ... ) of "
			   "1 to 8 domains, found 0 domains"),
	CASE("duplicate_vector", ":7: setting 'vectors[1].name': expected a unique name, found "
				 "\"China\", whose id 'china' is also that of \"China\""),
	CASE("id_collision", ":7: setting 'vectors[1].name': expected a unique name, found "
			     "\"south-asia\", whose id 'south_asia' is also that of \"South Asia\""),
	CASE("duplicate_domain", ":4: setting 'domains[1].name': expected a unique name, found "
				 "\"ECONOMY\", whose id 'economy' is also that of \"Economy\""),
	CASE("name_no_alnum", ":7: setting 'vectors[1].name': expected a name with at least one "
			      "ASCII letter or digit, found \"--\""),
	CASE("name_too_long", ":7: setting 'vectors[1].name': expected a name shorter than 64 "
			      "bytes, found 64 bytes"),
	/* required settings; a missing top-level one has no line to name */
	CASE("missing_name", ": setting 'name': expected a string, found nothing (required)"),
	CASE("missing_time", ": setting 'time': expected a group { ... }, found nothing (required)"),
	CASE("missing_domains", ": setting 'domains': expected a list ( { name = ...; ... }, ... ) "
				"of 1 to 8 domains, found nothing (required)"),
	CASE("missing_vectors", ": setting 'vectors': expected a list ( { name = ...; ... }, ... ) "
				"of 2 to 32 vectors, found nothing (required)"),
	CASE("missing_start", ":3: setting 'time.start': expected a number, found nothing "
			      "(required)"),
	CASE("missing_end", ":3: setting 'time.end': expected a number, found nothing (required)"),
	CASE("missing_vector_name", ":7: setting 'vectors[1].name': expected a string, found "
				    "nothing (required)"),
	CASE("missing_mass", ":7: setting 'vectors.china.mass': expected a number, found nothing "
			     "(required)"),
	CASE("missing_salience", ":6: setting 'vectors.russia.salience': expected an array of 2 "
				 "numbers (one per domain), found nothing (required)"),
	CASE("missing_initial", ":7: setting 'vectors.china.initial': expected an array of 2 "
				"numbers (one per domain), found nothing (required)"),
	/* what-if files; a cycle is reported at the `base` that closes it */
	{"cycle", F("cycle_a"), {NULL, NULL},
	 F("cycle_b") ":2: setting 'base': expected a chain of bases without cycles, found '"
		 F("cycle_a") "', which is already in the chain",
	 NULL, NULL},
	CASE("base_self", ":2: setting 'base': expected a chain of bases without cycles, found '"
			  F("base_self") "', which is already in the chain"),
	CASE("base_missing", ":2: setting 'base': expected a readable scenario file, found "
			     BAD "no_such_base.cfg (No such file or directory)"),
	CASE("base_not_string", ":2: setting 'base': expected a path to the base scenario, found "
				"3"),
	{"base_bad", F("base_bad"), {NULL, NULL},
	 F("negative_mass") ":7: setting 'vectors.china.mass': expected a number >= 0, found -1",
	 NULL, NULL},
	CASE("whatif_time", ":3: setting 'time': expected only base, name, description, overrides, "
			    "events, series in a file with a base (change its values with overrides), "
			    "found a scenario setting"),
	CASE("override_unknown_key", ":4: setting 'overrides[0].key': expected a key of this "
				     "scenario (mvsim keys SCENARIO lists them), found unknown key "
				     "'vectors.china.groth'; did you mean 'vectors.china.growth'?"),
	CASE("override_unknown_setting", ":4: setting 'overrides[0].valeu': expected one of key, "
					 "value, found an unknown setting; did you mean 'value'?"),
	CASE("override_missing_value", ":4: setting 'overrides[0].value': expected a number, found "
				       "nothing (required)"),
	CASE("override_value_string", ":4: setting 'overrides[0].value': expected a number, found "
				      "a string (\"0.1\")"),
	CASE("override_breaks_sum", ":4: setting 'vectors.*.share.economy': expected initial "
				    "shares in domain economy summing to 1 (within 1e-6), found a "
				    "sum of 1.1 (russia 0.5 at " BAD "../min.cfg:9, china 0.4 at "
				    F("override_breaks_sum") ":4, south_asia 0.2 at " BAD "../min.cfg:15)"),
	CASE("override_out_of_range", ":4: setting 'vectors.south_asia.mass': expected a number "
				      ">= 0, found -3"),
	CASE("whatif_event_share", ":4: setting 'events[0].key': expected a parameter or state "
				   "key, found the share 'vectors.china.share.security' (shares change "
				   "only through the dynamics; override its initial value instead)"),
	/* --set */
	SET("unknown_key", "vectors.russia.growht=1",
	    "--set 'vectors.russia.growht=1': expected a key of this scenario, found unknown key "
	    "'vectors.russia.growht'; did you mean 'vectors.russia.growth'? (mvsim keys SCENARIO "
	    "lists them)"),
	SET("unknown_key_far", "gdp=1",
	    "--set 'gdp=1': expected a key of this scenario, found unknown key 'gdp' (mvsim keys "
	    "SCENARIO lists them)"),
	SET("not_a_number", "vectors.russia.growth=fast",
	    "--set 'vectors.russia.growth=fast': expected a finite number after '=', found 'fast'"),
	SET("nan", "vectors.russia.growth=nan",
	    "--set 'vectors.russia.growth=nan': expected a finite number after '=', found 'nan'"),
	SET("empty_value", "vectors.russia.growth=",
	    "--set 'vectors.russia.growth=': expected a finite number after '=', found ''"),
	SET("no_equals", "vectors.russia.growth",
	    "--set 'vectors.russia.growth': expected KEY=VALUE, found no '='"),
	SET("empty_key", "=3", "--set '=3': expected KEY=VALUE, found an empty key"),
	SET("out_of_range", "focal.autonomy=2",
	    "--set 'focal.autonomy=2': expected a number in [0, 1], found 2"),
	SET("end_before_start", "time.end=1990",
	    "--set 'time.end=1990': expected a time after time.start (2000), found 1990"),
	SET("breaks_sum", "vectors.russia.share.economy=0.6",
	    "--set 'vectors.russia.share.economy=0.6': expected initial shares in domain economy "
	    "summing to 1 (within 1e-6), found a sum of 1.1 (russia 0.6 at --set, china 0.3 at " MIN
	    ":12, south_asia 0.2 at " MIN ":15)"),
	SET("negative_seed", "noise.seed=-1",
	    "--set 'noise.seed=-1': expected an integer in [0, 2^53], found -1"),
	/* noise.step keeps its default 1/12 year, longer than a run of 0.05 years */
	{"set_noise_default_step", MIN, {"noise.sigma=0.1", "time.end=2000.05"},
	 MIN ": setting 'noise.step' (default): expected a step no longer than the horizon (0.05 "
	     "years), found 0.08333333333",
	 NULL, NULL},
};

#define NBAD (sizeof bad_cases / sizeof bad_cases[0])

static void bad(void **state)
{
	const struct bad_case *c = *state;
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	char *sets[2] = {(char *)c->set[0], (char *)c->set[1]};
	int nsets = (c->set[0] != NULL) + (c->set[1] != NULL);

	struct mv_scenario *sc = mv_config_load(c->path, nsets, sets, &kt, &err);
	if (sc != NULL) {
		mv_keytab_free(&kt);
		mv_scenario_free(sc);
		fail_msg("%s loaded; expected the error: %s", c->path, c->msg ? c->msg : c->tail);
	}
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_null(kt.keys); /* untouched on failure */
	if (c->msg) {
		assert_string_equal(err.msg, c->msg);
		return;
	}
	size_t lm = strlen(err.msg), lh = strlen(c->head), lt = strlen(c->tail);
	if (lm < lh + lt || strncmp(err.msg, c->head, lh) != 0 ||
	    strcmp(err.msg + lm - lt, c->tail) != 0)
		fail_msg("message \"%s\"\n  expected to start with \"%s\"\n  and end with \"%s\"",
			 err.msg, c->head, c->tail);
}

/* Limits on what is read: a file of more than 4 MiB, a line of more than 64 KiB, a
 * directory or device instead of a file, @include. */
static void expect_load_error(const char *path, const char *msg)
{
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = mv_config_load(path, 0, NULL, &kt, &err);
	if (sc) {
		mv_keytab_free(&kt);
		mv_scenario_free(sc);
		fail_msg("%s loaded", path);
	}
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, msg);
}

static void limits(void **state)
{
	(void)state;
	expect_load_error(BAD "include.cfg",
			  BAD "include.cfg:2: setting '@include': expected settings (one file holds "
			      "everything; a scenario builds on another with `base =`), found an "
			      "include directive");
	expect_load_error("tests/data", "tests/data: cannot read scenario: not a regular file");
	expect_load_error("/dev/zero", "/dev/zero: cannot read scenario: not a regular file");
	FILE *f = fopen("build/big.cfg", "w");
	assert_non_null(f);
	for (int k = 0; k < (4 << 20) / 64 + 1; k++)
		fprintf(f, "# %61d\n", k);
	fclose(f);
	expect_load_error("build/big.cfg",
			  "build/big.cfg: expected a scenario of at most 4194304 bytes, found 4194368 bytes");
	f = fopen("build/longline.cfg", "w");
	assert_non_null(f);
	fprintf(f, "name = \"x\";\n# ");
	for (int k = 0; k < 70000; k++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	expect_load_error("build/longline.cfg",
			  "build/longline.cfg:2: expected a line of at most 65536 bytes, found 70002 bytes");
	unlink("build/big.cfg");
	unlink("build/longline.cfg");
	/* 4097 events: one more than MV_MAX_EVENTS. */
	f = fopen("build/events.cfg", "w");
	assert_non_null(f);
	fprintf(f, "base = \"../tests/data/config/min.cfg\";\nevents = (\n");
	for (int k = 0; k < 4097; k++)
		fprintf(f, "{ at = %d.0; key = \"vectors.china.growth\"; add = 0.0; }%s\n", 2000 + k % 10,
			k < 4096 ? "," : "");
	fprintf(f, ");\n");
	fclose(f);
	expect_load_error("build/events.cfg", "build/events.cfg:2: setting 'events': expected at "
					      "most 4096 events, found 4100 in all");
	unlink("build/events.cfg");
}

/* Hostile inputs (issue 15): integers beyond 32 bits read exactly or refused; FIFOs refused at
 * once (never waited on) as a scenario, a base or a data series; nesting bounded. */
static void hostile_inputs(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = mv_config_load(DIR "int_exact.cfg", 0, NULL, &kt, &err);
	if (sc == NULL)
		fail_msg("%s", err.msg);
	int n = sc->nvec, D = sc->ndom;
	/* exact: each is an integer below 2^53, so its double is exact */
	assert_true(sc->val[mv_key_vec(n, D, 0, MV_VP_MASS)] == 4294967298.0);
	assert_true(sc->val[mv_key_vec(n, D, 1, MV_VP_GROWTH)] == 2147483647.0);
	assert_true(sc->val[mv_key_vec(n, D, 1, MV_VP_DISTANCE)] == 4294967296.0);
	assert_true(sc->val[MV_G_NOISE_SEED] == 4294967297.0);
	assert_true(sc->events[0].x == 2147483648.0);
	assert_string_equal(sc->events[0].label, "2147483648 in a string stays");
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	expect_load_error(BAD "int_wrap_array.cfg",
			  BAD "int_wrap_array.cfg:5: expected integers between -2147483648 and "
			      "2147483647 in an array or list (write larger numbers with a decimal "
			      "point), found 4294967298");
	expect_load_error(BAD "int_beyond_64.cfg",
			  BAD "int_beyond_64.cfg:5: expected an integer between -9223372036854775808 "
			      "and 9223372036854775807 (write a larger number with a decimal point), "
			      "found 99999999999999999999");
	expect_load_error(BAD "deep_nesting.cfg",
			  BAD "deep_nesting.cfg:3: expected groups, arrays and lists nested at most 64 "
			      "deep, found deeper");
	/* FIFOs: refused at once (the test would hang here before the fix). */
	unlink("build/fifo.cfg");
	assert_int_equal(mkfifo("build/fifo.cfg", 0600), 0);
	expect_load_error("build/fifo.cfg", "build/fifo.cfg: cannot read scenario: not a regular file");
	FILE *f = fopen("build/fifo_base.cfg", "w");
	assert_non_null(f);
	fprintf(f, "base = \"fifo.cfg\";\n");
	fclose(f);
	expect_load_error("build/fifo_base.cfg", "build/fifo.cfg: cannot read scenario: not a regular file");
	f = fopen("build/fifo_series.cfg", "w");
	assert_non_null(f);
	fprintf(f, "base = \"../" DIR "min.cfg\";\n"
		   "series = ( { key = \"vectors.china.growth\"; file = \"fifo.cfg\"; column = \"x\"; } );\n");
	fclose(f);
	expect_load_error("build/fifo_series.cfg", "build/fifo.cfg: cannot read data file: not a regular file");
	unlink("build/fifo.cfg");
	unlink("build/fifo_base.cfg");
	unlink("build/fifo_series.cfg");
}

/* Comments are left out of what libconfig reads (cfgread.c): the same scenario with comments
 * of every kind in every place (between tokens, in strings, spanning lines, at the end without
 * a newline) loads to the same values and labels, and an error after a multi-line block
 * comment names the file's line. */
static void comments_left_out(void **state)
{
	(void)state;
	const char *text =
		"# a line comment\n"
		"name = \"Minimal # not a comment // nor this /* nor this */\"; // trailing\n"
		"time = { start/**/=/* two\n lines */2000.0; end = 2010.0; output_step = 0.5; };\n"
		"domains = ( { name = \"Economy\"; }, /* between elements */\n"
		"  { name = \"Security\"; weight = 2.0; inertia = 3.0; } );\n"
		"vectors = (\n"
		"  { name = \"Russia\"; mass = 2.0; # comment\n"
		"    salience = [1.0,/**/2.0];\n"
		"    initial = [0.5, 0.6]; },\n"
		"  { name = \"China\"; mass = 3; growth = 0.05; //\n"
		"    salience = [1.0, 0.0];\n"
		"    initial = [0.3, 0.2]; },\n"
		"  { name = \"South Asia\"; mass = 1.0;\n"
		"    salience = [0.5, 1.0];\n"
		"    initial = [0.2, 0.2000005]; } );\n"
		"events = (\n"
		"  { at = 2005.0; key = \"vectors.china.growth\"; add = 0.01; label = \"late\"; },\n"
		"  { at = 2001.0; over = 2.0; key = \"vectors.russia.connectivity\"; set = 1.0; "
		"label = \"early\"; },\n"
		"  { at = 2005.0; key = \"vectors.russia.tension\"; add = 0.5; label = \"tie "
		"second\"; } ); # the end, without a newline";
	tu_write_file("build/comments.cfg", text);
	struct mv_error err = {0};
	struct mv_keytab k1 = {0}, k2 = {0};
	struct mv_scenario *a = mv_config_load("build/comments.cfg", 0, NULL, &k1, &err);
	if (a == NULL)
		fail_msg("%s", err.msg);
	struct mv_scenario *b = mv_config_load(DIR "min.cfg", 0, NULL, &k2, &err);
	if (b == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(a->name, "Minimal # not a comment // nor this /* nor this */");
	assert_int_equal(a->nval, b->nval);
	for (int k = 0; k < a->nval; k++)
		if (!(a->val[k] == b->val[k] || (isnan(a->val[k]) && isnan(b->val[k]))))
			fail_msg("slot %d: %.17g with comments, %.17g without", k, a->val[k], b->val[k]);
	assert_int_equal(a->nevents, b->nevents);
	for (int e = 0; e < a->nevents; e++)
		assert_string_equal(a->events[e].label, b->events[e].label);
	mv_keytab_free(&k1);
	mv_keytab_free(&k2);
	mv_scenario_free(a);
	mv_scenario_free(b);
	tu_write_file("build/comments_bad.cfg", "name = \"x\"; /* one\ntwo\nthree */ time = {\n"
						 "# four\n  start = ;\n};\n");
	expect_load_error("build/comments_bad.cfg", "build/comments_bad.cfg:5: syntax error");
	unlink("build/comments.cfg");
	unlink("build/comments_bad.cfg");
}

/* remove_events (issue 16): the base's events with those labels are gone, the what-if's own
 * event of the same label stays; the rest keep their order. */
static void whatif_remove_events(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	f->sc = mv_config_load(DIR "remove_events.cfg", 0, NULL, &f->kt, &err);
	if (f->sc == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(f->sc->nevents, 2);
	assert_string_equal(f->sc->events[0].label, "tie second");
	assert_string_equal(f->sc->events[1].label, "late");
	assert_true(f->sc->events[1].at == 2006.0);
	assert_int_equal(f->sc->events[1].file, 0); /* the what-if's own */
}

/* ISO dates wherever a time is (issue 16): the decimal year is year + (day of year − 1 + 0.5)
 * / days in the year; exact comparisons with that same expression. */
static void dates(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	f->sc = mv_config_load(DIR "dates.cfg", 0, NULL, &f->kt, &err);
	if (f->sc == NULL)
		fail_msg("%s", err.msg);
	assert_true(f->sc->val[MV_G_START] == 2000 + 0.5 / 366.0);          /* leap year, day 1 */
	assert_true(f->sc->val[MV_G_END] == 2010 + (365 - 1 + 0.5) / 365.0); /* day 365 */
	assert_true(f->sc->events[0].at == 2004 + (271 - 1 + 0.5) / 366.0);  /* 27 Sep, leap */
	assert_true(f->sc->events[1].at == 2005.5);
	double y;
	assert_int_equal(mv_parse_date("2020-09-27", &y), 0);
	assert_true(y == 2020 + 270.5 / 366.0);
	assert_near(y, 2020.739071, 1e-6); /* the example: 2020.74 */
	assert_int_equal(mv_parse_date("2100-02-29", &y), -1); /* not a leap year */
	assert_int_equal(mv_parse_date("2000-02-29", &y), 0);   /* a leap year */
	assert_int_equal(mv_parse_date("2020-13-01", &y), -1);
	assert_int_equal(mv_parse_date("2020-9-27", &y), 1);    /* not the shape */
	assert_int_equal(mv_parse_date("2020-09-27x", &y), 1);
	/* --set on a time key takes a date too */
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	char *sets[] = {"time.end=2012-02-29"};
	f->sc = mv_config_load(MIN, 1, sets, &f->kt, &err);
	if (f->sc == NULL)
		fail_msg("%s", err.msg);
	assert_true(f->sc->val[MV_G_END] == 2012 + (60 - 1 + 0.5) / 366.0);
}

/* sweep.method is required for a sweep, not where the design is the caller's (issue 16). */
static void sweep_design_unused(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct mv_sweep *sw = mv_sweep_load_opts(DIR "sensitivity_no_method.cfg", 0, NULL,
						 MV_SWEEP_DESIGN_UNUSED, &err);
	if (sw == NULL)
		fail_msg("%s", err.msg);
	assert_null(sw->method);
	assert_int_equal(sw->nparams, 2);
	assert_int_equal(sw->nmetrics, 1);
	mv_sweep_free(sw);
	sw = mv_sweep_load(DIR "sensitivity_no_method.cfg", 0, NULL, &err);
	assert_null(sw);
	assert_string_equal(err.msg, DIR "sensitivity_no_method.cfg:3: setting 'sweep.method': "
				     "expected one of grid, random, lhs, sobol, found nothing (required)");
}

/* normalise = true on a swept initial share (issue 16): at each point the domain's other shares
 * are rescaled by one factor so that the domain sums to 1 (ratios kept); the summary records
 * it. Closed form: others × (1 − x) / (sum of the others' base values). */
static void sweep_normalise(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct mv_sweep *sw = mv_sweep_load(DIR "sweep_normalise.cfg", 0, NULL, &err);
	if (sw == NULL)
		fail_msg("%s", err.msg);
	struct mv_scenario *sc = sw->sc;
	int n = sc->nvec, D = sc->ndom;
	assert_int_equal(sw->params[0].normalise, 1);
	assert_int_equal(sc->normalise_domains, 1u); /* economy only */
	double *base = malloc((size_t)sc->nval * sizeof *base);
	memcpy(base, sc->val, (size_t)sc->nval * sizeof *base);
	sc->val[sw->params[0].slot] = 0.8;
	mv_scenario_normalise_shares(sc);
	double china = base[mv_key_share(n, D, 1, 0)], sasia = base[mv_key_share(n, D, 2, 0)];
	/* 1e-15: one multiply and one division on numbers of order 1 */
	assert_near(sc->val[mv_key_share(n, D, 1, 0)], china * 0.2 / (china + sasia), 1e-15);
	assert_near(sc->val[mv_key_share(n, D, 2, 0)], sasia * 0.2 / (china + sasia), 1e-15);
	assert_true(sc->val[mv_key_share(n, D, 0, 1)] == base[mv_key_share(n, D, 0, 1)]); /* security untouched */
	assert_int_equal(mv_config_validate(sc, &sw->kt, &err), 0);
	memcpy(sc->val, base, (size_t)sc->nval * sizeof *base);
	free(base);
	mv_sweep_free(sw);
	/* through the command: every point valid (without normalise each one fails) */
	const char *mvsim = getenv("MVSIM") ? getenv("MVSIM") : "build/mvsim";
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s sweep " DIR "sweep_normalise.cfg -o build/normalise.tsv --quiet",
		 mvsim);
	assert_int_equal(system(cmd), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen("build/normalise.tsv", "r");
	assert_non_null(f);
	text = malloc(1 << 16);
	len = fread(text, 1, (1 << 16) - 1, f);
	text[len] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "# normalise\tvectors.russia.share.economy\n"));
	assert_non_null(strstr(text, "\n2\t0.8\t0.12\t0.08\tok\t"));
	assert_null(strstr(text, "\tfailed\t"));
	free(text);
	unlink("build/normalise.tsv");
}

/* Provenance (issue 12 item 8): every file that went into a scenario — the top file, the whole
 * chain of bases, every data file once — with the SHA-256 of the bytes read; a run's metadata
 * lists them. The hashes are checked against mv_sha256_file (an independent read). */
static void provenance(void **state)
{
	struct fixture *f = *state;
	struct mv_error err = {0};
	char sha[65];
	f->sc = mv_config_load(WHATIF2, 0, NULL, &f->kt, &err);
	if (f->sc == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(f->sc->ninputs, 3);
	const char *paths[] = {WHATIF2, DIR "deeper/../whatif.cfg", DIR "deeper/../min.cfg"};
	int roles[] = {MV_INPUT_SCENARIO, MV_INPUT_BASE, MV_INPUT_BASE};
	for (int k = 0; k < 3; k++) {
		assert_string_equal(f->sc->inputs[k].path, paths[k]);
		assert_int_equal(f->sc->inputs[k].role, roles[k]);
		assert_int_equal(mv_sha256_file(paths[k], sha), 0);
		assert_string_equal(f->sc->inputs[k].sha256, sha);
	}
	assert_string_equal(f->sc->sha256, f->sc->inputs[0].sha256);
	mv_keytab_free(&f->kt);
	mv_scenario_free(f->sc);
	/* two series on one data file: it is read once and listed once */
	f->sc = mv_config_load("tests/data/series/base.cfg", 0, NULL, &f->kt, &err);
	if (f->sc == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(f->sc->nseries, 2);
	assert_int_equal(f->sc->ninputs, 2);
	assert_int_equal(f->sc->inputs[1].role, MV_INPUT_SERIES);
	assert_string_equal(f->sc->inputs[1].path, "tests/data/series/a.tsv");
	assert_int_equal(mv_sha256_file("tests/data/series/a.tsv", sha), 0);
	assert_string_equal(f->sc->inputs[1].sha256, sha);
	assert_string_equal(f->sc->series[0].sha256, sha);
	/* the run's metadata */
	const char *mvsim = getenv("MVSIM") ? getenv("MVSIM") : "build/mvsim";
	char cmd[512], want[256];
	snprintf(cmd, sizeof cmd, "%s run tests/data/series/base.cfg -o build/provenance.tsv", mvsim);
	assert_int_equal(system(cmd), 0);
	FILE *out = fopen("build/provenance.tsv", "r");
	assert_non_null(out);
	char *text = malloc(1 << 16);
	size_t len = fread(text, 1, (1 << 16) - 1, out);
	text[len] = '\0';
	fclose(out);
	snprintf(want, sizeof want, "# data\ttests/data/series/a.tsv\t%s\n", sha);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof want, "# file\ttests/data/series/base.cfg\n# sha256\t%s\n# data\t",
		 f->sc->sha256);
	assert_non_null(strstr(text, want));
	assert_null(strstr(strstr(text, "# data\t") + 1, "# data\t")); /* listed once */
	free(text);
	unlink("build/provenance.tsv");
	/* a what-if: its whole chain of bases */
	snprintf(cmd, sizeof cmd, "%s run " WHATIF2 " -o build/provenance.tsv", mvsim);
	assert_int_equal(system(cmd), 0);
	text = tu_slurp("build/provenance.tsv", NULL);
	assert_int_equal(mv_sha256_file(DIR "deeper/../min.cfg", sha), 0);
	snprintf(want, sizeof want, "# base\t" DIR "deeper/../min.cfg\t%s\n", sha);
	assert_non_null(strstr(text, want));
	assert_int_equal(mv_sha256_file(DIR "deeper/../whatif.cfg", sha), 0);
	snprintf(want, sizeof want, "# base\t" DIR "deeper/../whatif.cfg\t%s\n", sha);
	assert_non_null(strstr(text, want));
	free(text);
	unlink("build/provenance.tsv");
}

/* Many events: 4093 overlapping ramps on one salience load (the check is n log n plus the
 * ramps under way, no longer cubic: minutes before); a signal while loading stops it with
 * the run's interruption error (exit 143 for SIGTERM). */
static void many_events(void **state)
{
	(void)state;
	FILE *f = fopen("build/ramps.cfg", "w");
	assert_non_null(f);
	fprintf(f, "base = \"../tests/data/config/min.cfg\";\nevents = (\n");
	for (int k = 0; k < 4093; k++)
		fprintf(f, "{ at = %.4f; over = 5.0; key = \"vectors.russia.salience.economy\"; add = %s; }%s\n",
			2000 + k * 10.0 / 4093, k % 2 ? "-0.001" : "0.001", k < 4092 ? "," : "");
	fprintf(f, ");\n");
	fclose(f);
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = mv_config_load("build/ramps.cfg", 0, NULL, &kt, &err);
	if (sc == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(sc->nevents, 4096);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	mv_interrupt = SIGTERM;
	sc = mv_config_load("build/ramps.cfg", 0, NULL, &kt, &err);
	mv_interrupt = 0;
	assert_null(sc);
	assert_int_equal(err.code, 128 + SIGTERM);
	assert_string_equal(err.msg, "interrupted by SIGTERM");
	unlink("build/ramps.cfg");
}

int main(void)
{
	const struct CMUnitTest loading[] = {
		cmocka_unit_test_setup_teardown(min_values, setup, teardown),
		cmocka_unit_test_setup_teardown(min_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(full_values, setup, teardown),
		cmocka_unit_test_setup_teardown(min_provenance, setup, teardown),
		cmocka_unit_test_setup_teardown(ids, setup, teardown),
		cmocka_unit_test_setup_teardown(share_normalisation, setup, teardown),
		cmocka_unit_test_setup_teardown(share_within_tolerance_above_one, setup, teardown),
		cmocka_unit_test_setup_teardown(events_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(whatif, setup, teardown),
		cmocka_unit_test_setup_teardown(whatif_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(sets, setup, teardown),
		cmocka_unit_test_setup_teardown(keytab, setup, teardown),
		cmocka_unit_test_setup_teardown(revalidate, setup, teardown),
		cmocka_unit_test_setup_teardown(column_collision, setup, teardown),
		cmocka_unit_test(limits),
		cmocka_unit_test(hostile_inputs),
		cmocka_unit_test(sweep_design_unused),
		cmocka_unit_test(sweep_normalise),
		cmocka_unit_test_setup_teardown(provenance, setup, teardown),
		cmocka_unit_test_setup_teardown(whatif_remove_events, setup, teardown),
		cmocka_unit_test_setup_teardown(comments_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(dates, setup, teardown),
		cmocka_unit_test(many_events),
	};
	/* One named test per bad input, so a failure names its case. */
	static struct CMUnitTest errors[NBAD];
	for (size_t k = 0; k < NBAD; k++)
		errors[k] = (struct CMUnitTest){bad_cases[k].name, bad, NULL, NULL,
						(void *)&bad_cases[k]};
	int failed = cmocka_run_group_tests_name("config: loading", loading, NULL, NULL);
	failed += cmocka_run_group_tests_name("config: errors", errors, NULL, NULL);
	return failed ? 1 : 0;
}
