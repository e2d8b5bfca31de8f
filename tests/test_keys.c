/* test_keys.c — ids (docs/model.md §4), the key table of a scenario, lookup and suggestions,
 * --set assignments with their exact messages, value rules and number parsing. */
#include "testutil.h"

/* ---------------------------------------------------------------- ids */

static void expect_id(const char *name, const char *want)
{
	char id[256];
	memset(id, '#', sizeof id);
	int rc = mv_make_id(name, id);
	if (want == NULL) {
		if (rc != -1)
			fail_msg("mv_make_id(\"%s\") = %d (\"%s\"), expected -1", name, rc, id);
		return;
	}
	if (rc != 0 || strcmp(id, want) != 0)
		fail_msg("mv_make_id(\"%s\") = %d \"%s\", expected \"%s\"", name, rc, rc ? "" : id,
			 want);
}

static void test_make_id(void **state)
{
	(void)state;
	/* docs/model.md §4 */
	expect_id("South Asia", "south_asia");
	expect_id("  EU--27 ", "eu_27");
	expect_id("Россия", NULL); /* no ASCII letter or digit */
	/* plain, case, digits */
	expect_id("Russia", "russia");
	expect_id("WEST", "west");
	expect_id("g7", "g7");
	expect_id("2024", "2024");
	/* runs of anything else become one '_', none at either end */
	expect_id("a  b\t\tc", "a_b_c");
	expect_id("--x--", "x");
	expect_id("EU + US", "eu_us");
	expect_id("already_an_id", "already_an_id"); /* '_' itself is not a letter or digit */
	expect_id("a__b", "a_b");
	expect_id("India/Pakistan (SAARC)", "india_pakistan_saarc");
	/* mixed scripts: non-ASCII bytes are separators, ASCII survives */
	expect_id("Россия 2", "2");
	expect_id("Côte d'Ivoire", "c_te_d_ivoire");
	expect_id("Türkiye", "t_rkiye");
	expect_id("中国 China", "china");
	/* nothing left */
	expect_id("", NULL);
	expect_id("   ", NULL);
	expect_id("___", NULL);
	expect_id("!?", NULL);
	expect_id("中国", NULL);
}

/* ---------------------------------------------------------------- key table */

struct loaded {
	struct mv_scenario *sc;
	struct mv_keytab kt;
};

static int load_kazakhstan(void **state)
{
	struct loaded *l = calloc(1, sizeof *l);
	struct mv_error err = {0};
	if (l == NULL)
		return -1;
	l->sc = mv_config_load("configs/kazakhstan.cfg", 0, NULL, &l->kt, &err);
	if (l->sc == NULL) {
		fprintf(stderr, "configs/kazakhstan.cfg: %s\n", err.msg);
		free(l);
		return -1;
	}
	*state = l;
	return 0;
}

static int free_loaded(void **state)
{
	struct loaded *l = *state;
	mv_keytab_free(&l->kt);
	mv_scenario_free(l->sc);
	free(l);
	return 0;
}

/* Keys per scenario: 15 global, n ideal weights, 2 per domain, and per vector its 17 fixed
 * keys, D saliences, n − 1 restraints (none by itself), D initial shares. */
static int expected_nkeys(int n, int D)
{
	return MV_G_COUNT + n + 2 * D + n * (MV_VP_COUNT + D + (n - 1) + D);
}

/* The invariants every key table must have. */
static void check_table(const struct mv_scenario *sc, const struct mv_keytab *kt)
{
	int n = sc->nvec, D = sc->ndom, nslots = mv_key_nslots(n, D);
	int *seen = calloc((size_t)nslots, sizeof *seen);

	assert_int_equal(MV_G_COUNT, 15);
	assert_int_equal(MV_VP_COUNT, 17);
	assert_int_equal(kt->nkeys, expected_nkeys(n, D));
	assert_int_equal(nslots, sc->nval);
	for (int k = 0; k < kt->nkeys; k++) {
		const struct mv_key *key = &kt->keys[k];
		assert_non_null(key->name);
		assert_true(key->index >= 0 && key->index < nslots);
		assert_int_equal(seen[key->index]++, 0); /* slots unique */
		assert_int_equal(kt->by_index[key->index], k);
		assert_true(key->kind >= MV_KEY_SETTING && key->kind <= MV_KEY_SHARE);
		assert_true(key->rule >= MV_RULE_ANY && key->rule <= MV_RULE_SEED);
		assert_non_null(key->unit);
		assert_non_null(key->what);
		assert_true(key->what[0] != '\0');
		assert_ptr_equal(mv_keytab_find(kt, key->name), key); /* names unique */
		for (const char *p = key->name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
				    *p == '.');
	}
	/* by_index is the inverse: the slots that are no key are exactly the n "restraint of
	 * i by itself" slots. */
	int nokey = 0;
	for (int s = 0; s < nslots; s++) {
		if (kt->by_index[s] < 0) {
			nokey++;
			int self = 0;
			for (int i = 0; i < n; i++)
				self |= s == mv_key_restraint(n, D, i, i);
			assert_true(self);
		} else {
			assert_true(kt->by_index[s] < kt->nkeys);
			assert_int_equal(kt->keys[kt->by_index[s]].index, s);
		}
	}
	assert_int_equal(nokey, n);
	assert_int_equal(nslots - kt->nkeys, n);
	free(seen);
}

static void expect_key(const struct mv_keytab *kt, const char *name, int index, int kind,
		       int rule)
{
	const struct mv_key *k = mv_keytab_find(kt, name);
	if (k == NULL)
		fail_msg("no key %s", name);
	if (k->index != index || k->kind != kind || k->rule != rule)
		fail_msg("%s: index %d kind %d rule %d, expected %d %d %d", name, k->index, k->kind,
			 k->rule, index, kind, rule);
}

static void test_keytab_kazakhstan(void **state)
{
	struct loaded *l = *state;
	const struct mv_keytab *kt = &l->kt;
	const int n = 4, D = 3;

	assert_int_equal(l->sc->nvec, n);
	assert_int_equal(l->sc->ndom, D);
	check_table(l->sc, kt);
	assert_int_equal(kt->nkeys, 129);
	assert_string_equal(kt->keys[0].name, "time.start"); /* stable order: globals first */

	expect_key(kt, "time.start", MV_G_START, MV_KEY_SETTING, MV_RULE_ANY);
	expect_key(kt, "time.output_step", MV_G_OUTPUT_STEP, MV_KEY_SETTING, MV_RULE_POS);
	expect_key(kt, "integrator.rtol", MV_G_RTOL, MV_KEY_SETTING, MV_RULE_POS);
	expect_key(kt, "noise.seed", MV_G_NOISE_SEED, MV_KEY_SETTING, MV_RULE_SEED);
	expect_key(kt, "model.beta", MV_G_BETA, MV_KEY_PARAM, MV_RULE_ANY);
	expect_key(kt, "focal.autonomy", MV_G_AUTONOMY, MV_KEY_PARAM, MV_RULE_UNIT);
	expect_key(kt, "focal.ideal.south_asia", mv_key_ideal(n, D, 3), MV_KEY_PARAM,
		   MV_RULE_NONNEG);
	expect_key(kt, "domains.security.weight", mv_key_dom_weight(n, D, 1), MV_KEY_PARAM,
		   MV_RULE_NONNEG);
	expect_key(kt, "domains.diplomacy.inertia", mv_key_dom_inertia(n, D, 2), MV_KEY_PARAM,
		   MV_RULE_POS);
	expect_key(kt, "vectors.russia.coercion", mv_key_vec(n, D, 0, MV_VP_COERCION), MV_KEY_PARAM,
		   MV_RULE_NONNEG);
	expect_key(kt, "vectors.south_asia.growth", mv_key_vec(n, D, 3, MV_VP_GROWTH), MV_KEY_PARAM,
		   MV_RULE_ANY);
	expect_key(kt, "vectors.china.red_line", mv_key_vec(n, D, 1, MV_VP_RED_LINE), MV_KEY_PARAM,
		   MV_RULE_UNIT);
	expect_key(kt, "vectors.west.hazard.width", mv_key_vec(n, D, 2, MV_VP_HAZARD_WIDTH),
		   MV_KEY_PARAM, MV_RULE_POS);
	expect_key(kt, "vectors.russia.mass", mv_key_vec(n, D, 0, MV_VP_MASS), MV_KEY_STATE,
		   MV_RULE_NONNEG);
	expect_key(kt, "vectors.russia.effort", mv_key_vec(n, D, 0, MV_VP_EFFORT), MV_KEY_STATE,
		   MV_RULE_NONNEG);
	expect_key(kt, "vectors.russia.tension", mv_key_vec(n, D, 0, MV_VP_TENSION), MV_KEY_STATE,
		   MV_RULE_ANY);
	expect_key(kt, "vectors.china.salience.diplomacy", mv_key_salience(n, D, 1, 2), MV_KEY_PARAM,
		   MV_RULE_NONNEG);
	expect_key(kt, "vectors.russia.restraint.china", mv_key_restraint(n, D, 0, 1), MV_KEY_PARAM,
		   MV_RULE_NONNEG);
	/* >= 0 only: the sum check (within 1e-6 of 1) bounds an initial share above */
	expect_key(kt, "vectors.west.share.economy", mv_key_share(n, D, 2, 0), MV_KEY_SHARE,
		   MV_RULE_NONNEG);
	/* the values sit in those slots */
	assert_double_equal(l->sc->val[mv_keytab_find(kt, "vectors.russia.coercion")->index], 4.0, 0);
	assert_double_equal(l->sc->val[mv_keytab_find(kt, "vectors.russia.restraint.china")->index],
			    2.5, 0);
	assert_double_equal(l->sc->val[mv_keytab_find(kt, "vectors.west.share.economy")->index],
			    0.5832, 1e-6);
	/* every key docs/model.md §4 promises, for every vector and domain */
	static const char *const vp[] = {"angle", "growth", "distance", "connectivity",
					 "aspiration", "responsiveness", "effort_decay", "red_line",
					 "coercion", "tension_decay", "hazard.max",
					 "hazard.threshold", "hazard.width", "mass", "effort",
					 "tension"};
	char name[128];
	for (int i = 0; i < n; i++) {
		for (size_t p = 0; p < sizeof vp / sizeof vp[0]; p++) {
			snprintf(name, sizeof name, "vectors.%s.%s", l->sc->vec_id[i], vp[p]);
			assert_non_null(mv_keytab_find(kt, name));
		}
		for (int d = 0; d < D; d++) {
			snprintf(name, sizeof name, "vectors.%s.salience.%s", l->sc->vec_id[i],
				 l->sc->dom_id[d]);
			assert_non_null(mv_keytab_find(kt, name));
			snprintf(name, sizeof name, "vectors.%s.share.%s", l->sc->vec_id[i],
				 l->sc->dom_id[d]);
			assert_non_null(mv_keytab_find(kt, name));
		}
		snprintf(name, sizeof name, "vectors.%s.restraint.%s", l->sc->vec_id[i],
			 l->sc->vec_id[i]);
		assert_null(mv_keytab_find(kt, name)); /* no restraint by itself */
	}
	static const char *const globals[] = {"time.end", "time.spinup", "integrator.atol",
					      "noise.sigma", "noise.correlation", "model.alpha",
					      "model.gamma"};
	for (size_t g = 0; g < sizeof globals / sizeof globals[0]; g++)
		assert_non_null(mv_keytab_find(kt, globals[g]));
}

/* A second shape (n = 2, D = 1, and n = 3, D = 2 with awkward names) built directly. */
static void test_keytab_shapes(void **state)
{
	(void)state;
	static const char *two =
		"name = \"two\";\n"
		"time = { start = 0.0; end = 1.0; output_step = 0.5; };\n"
		"domains = ( { name = \"All Fields\"; weight = 1.0; inertia = 1.0; } );\n"
		"vectors = ( { name = \"North\"; mass = 1.0; salience = [1.0]; initial = [0.5]; },\n"
		"            { name = \"South-East\"; mass = 1.0; salience = [1.0]; initial = [0.5]; } );\n";
	static const char *three =
		"name = \"three\";\n"
		"time = { start = 0.0; end = 1.0; output_step = 0.5; };\n"
		"domains = ( { name = \"A\"; weight = 1.0; inertia = 1.0; },\n"
		"            { name = \"B b\"; weight = 1.0; inertia = 1.0; } );\n"
		"vectors = ( { name = \"X\"; mass = 1.0; salience = [1.0, 1.0]; initial = [0.2, 0.5]; },\n"
		"            { name = \"Y\"; mass = 1.0; salience = [1.0, 1.0]; initial = [0.3, 0.2]; },\n"
		"            { name = \"Z  z\"; mass = 1.0; salience = [1.0, 1.0]; initial = [0.5, 0.3]; } );\n";
	struct mv_keytab kt;
	struct mv_scenario *sc = tu_load_text(two, 0, NULL, &kt);

	check_table(sc, &kt);
	assert_int_equal(kt.nkeys, expected_nkeys(2, 1));
	assert_int_equal(kt.nkeys, 15 + 2 + 2 + 2 * (17 + 1 + 1 + 1));
	expect_key(&kt, "vectors.south_east.restraint.north", mv_key_restraint(2, 1, 1, 0),
		   MV_KEY_PARAM, MV_RULE_NONNEG);
	expect_key(&kt, "domains.all_fields.inertia", mv_key_dom_inertia(2, 1, 0), MV_KEY_PARAM,
		   MV_RULE_POS);
	expect_key(&kt, "vectors.north.share.all_fields", mv_key_share(2, 1, 0, 0), MV_KEY_SHARE,
		   MV_RULE_NONNEG);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);

	sc = tu_load_text(three, 0, NULL, &kt);
	check_table(sc, &kt);
	assert_int_equal(kt.nkeys, expected_nkeys(3, 2));
	expect_key(&kt, "vectors.z_z.salience.b_b", mv_key_salience(3, 2, 2, 1), MV_KEY_PARAM,
		   MV_RULE_NONNEG);
	expect_key(&kt, "vectors.y.restraint.z_z", mv_key_restraint(3, 2, 1, 2), MV_KEY_PARAM,
		   MV_RULE_NONNEG);
	/* rebuilding from the scenario gives the same table */
	struct mv_keytab kt2;
	struct mv_error err = {0};
	assert_int_equal(mv_keytab_build(sc, &kt2, &err), 0);
	assert_int_equal(kt2.nkeys, kt.nkeys);
	for (int k = 0; k < kt.nkeys; k++) {
		assert_string_equal(kt2.keys[k].name, kt.keys[k].name);
		assert_int_equal(kt2.keys[k].index, kt.keys[k].index);
	}
	mv_keytab_free(&kt2);
	assert_int_equal(kt2.nkeys, 0);
	assert_null(kt2.keys);
	mv_keytab_free(&kt2); /* twice is harmless */
	mv_keytab_free(NULL);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
}

/* The slot layout: disjoint ranges covering [0, nslots) exactly once. */
static void test_slot_layout(void **state)
{
	(void)state;
	for (int n = 2; n <= 5; n++)
		for (int D = 1; D <= 4; D++) {
			int nslots = mv_key_nslots(n, D);
			int *hit = calloc((size_t)nslots, sizeof *hit);
			for (int g = 0; g < MV_G_COUNT; g++)
				hit[g]++;
			for (int i = 0; i < n; i++) {
				hit[mv_key_ideal(n, D, i)]++;
				for (int p = 0; p < MV_VP_COUNT; p++)
					hit[mv_key_vec(n, D, i, p)]++;
				for (int d = 0; d < D; d++) {
					hit[mv_key_salience(n, D, i, d)]++;
					hit[mv_key_share(n, D, i, d)]++;
				}
				for (int j = 0; j < n; j++)
					hit[mv_key_restraint(n, D, i, j)]++;
			}
			for (int d = 0; d < D; d++) {
				hit[mv_key_dom_weight(n, D, d)]++;
				hit[mv_key_dom_inertia(n, D, d)]++;
			}
			for (int s = 0; s < nslots; s++)
				if (hit[s] != 1)
					fail_msg("n=%d D=%d: slot %d used %d times", n, D, s, hit[s]);
			free(hit);
		}
}

/* ---------------------------------------------------------------- lookup, suggestions */

static void test_find(void **state)
{
	struct loaded *l = *state;
	const struct mv_keytab *kt = &l->kt;

	assert_non_null(mv_keytab_find(kt, "vectors.russia.coercion"));
	assert_string_equal(mv_keytab_find(kt, "vectors.russia.coercion")->name,
			    "vectors.russia.coercion");
	assert_null(mv_keytab_find(kt, "vectors.russia.coersion"));
	assert_null(mv_keytab_find(kt, "vectors.Russia.coercion")); /* ids, case-sensitive */
	assert_null(mv_keytab_find(kt, "vectors.russia.coercion ")); /* exact, no trimming */
	assert_null(mv_keytab_find(kt, "vectors.russia"));
	assert_null(mv_keytab_find(kt, ""));
	assert_null(mv_keytab_find(kt, "vectors.russia.share")); /* a prefix is not a key */
}

static void expect_suggest(const struct mv_keytab *kt, const char *name, const char *want)
{
	const struct mv_key *k = mv_keytab_suggest(kt, name);
	if (want == NULL && k != NULL)
		fail_msg("suggest(\"%s\") = \"%s\", expected none", name, k->name);
	if (want != NULL && (k == NULL || strcmp(k->name, want) != 0))
		fail_msg("suggest(\"%s\") = %s, expected \"%s\"", name, k ? k->name : "none", want);
}

static void test_suggest(void **state)
{
	struct loaded *l = *state;
	const struct mv_keytab *kt = &l->kt;

	expect_suggest(kt, "vectors.russia.coersion", "vectors.russia.coercion");
	expect_suggest(kt, "vectors.russia.coercion", "vectors.russia.coercion");
	expect_suggest(kt, "vectors.rusia.growth", "vectors.russia.growth");
	expect_suggest(kt, "vectors.south-asia.growth", "vectors.south_asia.growth");
	expect_suggest(kt, "model.alfa", "model.alpha");
	expect_suggest(kt, "time.ned", "time.end"); /* a transposition: two edits */
	expect_suggest(kt, "vectors.china.conectivty", "vectors.china.connectivity");
	/* far strings: nothing */
	expect_suggest(kt, "zzzzzz", NULL);
	expect_suggest(kt, "", NULL);
	expect_suggest(kt, "vectors.russia.influence", NULL);
	expect_suggest(kt, "vectors.mars.coercion", NULL);
	expect_suggest(kt, "vectors.russia.coercionxxxx", NULL); /* four edits */
	char longname[400];
	memset(longname, 'v', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	expect_suggest(kt, longname, NULL);
}

/* ---------------------------------------------------------------- --set KEY=VALUE */

static void expect_assign_error(const struct mv_keytab *kt, const char *arg, const char *msg)
{
	static const struct mv_key sentinel;
	const struct mv_key *key = &sentinel; /* must stay untouched */
	double v = 12345.0;
	struct mv_error err = {0};

	assert_int_equal(mv_key_parse_assignment(kt, arg, &key, &v, &err), -1);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	if (strcmp(err.msg, msg) != 0)
		fail_msg("--set '%s':\n  got      \"%s\"\n  expected \"%s\"", arg, err.msg, msg);
	assert_ptr_equal(key, &sentinel);
}

static void test_assignment_ok(void **state)
{
	struct loaded *l = *state;
	const struct mv_key *key = NULL;
	double v = 0;
	struct mv_error err = {0};

	assert_int_equal(mv_key_parse_assignment(&l->kt, "vectors.russia.coercion=2", &key, &v, &err),
			 0);
	assert_ptr_equal(key, mv_keytab_find(&l->kt, "vectors.russia.coercion"));
	assert_double_equal(v, 2.0, 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(mv_key_parse_assignment(&l->kt, "model.beta=-1.5e-1", &key, &v, &err), 0);
	assert_string_equal(key->name, "model.beta");
	assert_double_equal(v, -0.15, 0);
	/* spaces around the value are allowed, as in a scenario file */
	assert_int_equal(mv_key_parse_assignment(&l->kt, "time.end= 2030 ", &key, &v, &err), 0);
	assert_double_equal(v, 2030, 0);
	/* the rule is checked later (after all overrides), not here */
	assert_int_equal(mv_key_parse_assignment(&l->kt, "focal.autonomy=7", &key, &v, &err), 0);
	assert_double_equal(v, 7, 0);
}

static void test_assignment_errors(void **state)
{
	struct loaded *l = *state;
	const struct mv_keytab *kt = &l->kt;

	expect_assign_error(kt, "vectors.russia.coercion",
			    "--set 'vectors.russia.coercion': expected KEY=VALUE, found no '='");
	expect_assign_error(kt, "", "--set '': expected KEY=VALUE, found no '='");
	expect_assign_error(kt, "=2", "--set '=2': expected KEY=VALUE, found an empty key");
	expect_assign_error(kt, "vectors.russia.coersion=2",
			    "--set 'vectors.russia.coersion=2': expected a key of this scenario, found "
			    "unknown key 'vectors.russia.coersion'; did you mean "
			    "'vectors.russia.coercion'? (mvsim keys SCENARIO lists them)");
	expect_assign_error(kt, "nothing.like.this=2",
			    "--set 'nothing.like.this=2': expected a key of this scenario, found "
			    "unknown key 'nothing.like.this' (mvsim keys SCENARIO lists them)");
	expect_assign_error(kt, "vectors.russia.coercion=abc",
			    "--set 'vectors.russia.coercion=abc': expected a finite number after '=', "
			    "found 'abc'");
	expect_assign_error(kt, "vectors.russia.coercion=",
			    "--set 'vectors.russia.coercion=': expected a finite number after '=', "
			    "found ''");
	expect_assign_error(kt, "vectors.russia.coercion=inf",
			    "--set 'vectors.russia.coercion=inf': expected a finite number after '=', "
			    "found 'inf'");
	expect_assign_error(kt, "vectors.russia.coercion=-Infinity",
			    "--set 'vectors.russia.coercion=-Infinity': expected a finite number after "
			    "'=', found '-Infinity'");
	expect_assign_error(kt, "vectors.russia.coercion=nan",
			    "--set 'vectors.russia.coercion=nan': expected a finite number after '=', "
			    "found 'nan'");
	expect_assign_error(kt, "vectors.russia.coercion=1e999",
			    "--set 'vectors.russia.coercion=1e999': expected a finite number after '=', "
			    "found '1e999'");
	expect_assign_error(kt, "vectors.russia.coercion=2x",
			    "--set 'vectors.russia.coercion=2x': expected a finite number after '=', "
			    "found '2x'");
	expect_assign_error(kt, "vectors.russia.coercion=2=3",
			    "--set 'vectors.russia.coercion=2=3': expected a finite number after '=', "
			    "found '2=3'");
	expect_assign_error(kt, "vectors.russia.coercion=2 3",
			    "--set 'vectors.russia.coercion=2 3': expected a finite number after '=', "
			    "found '2 3'");
	/* no space around the key (docs/config.md §14; issue 15: "k =3" was trimmed and accepted) */
	const struct mv_key *k = NULL;
	double v = 0;
	struct mv_error err = {0};
	expect_assign_error(kt, "vectors.russia.coercion =2",
			    "--set 'vectors.russia.coercion =2': expected KEY=VALUE with no space "
			    "around KEY, found a space before '='");
	expect_assign_error(kt, " vectors.russia.coercion=2",
			    "--set ' vectors.russia.coercion=2': expected KEY=VALUE with no space "
			    "around KEY, found a space before the key");
	/* nor control characters: they would break the one-line metadata */
	expect_assign_error(kt, "vectors.russia.coercion=2\n# forged",
			    "--set 'vectors.russia.coercion=2\\n# forged': expected KEY=VALUE without "
			    "control characters (newline, tab, ...), found one");
	expect_assign_error(kt, "vectors.russia.coercion=\t2",
			    "--set 'vectors.russia.coercion=\\t2': expected KEY=VALUE without "
			    "control characters (newline, tab, ...), found one");
	expect_assign_error(kt, "vectors. russia.coercion=2",
			    "--set 'vectors. russia.coercion=2': expected a key of this scenario, found "
			    "unknown key 'vectors. russia.coercion'; did you mean "
			    "'vectors.russia.coercion'? (mvsim keys SCENARIO lists them)");
	/* a key longer than any key can be */
	char arg[400];
	memset(arg, 'k', 300);
	strcpy(arg + 300, "=1");
	assert_int_equal(mv_key_parse_assignment(kt, arg, &k, &v, &err), -1);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "expected KEY=VALUE, found a key too long"));
}

/* ---------------------------------------------------------------- rules, numbers */

static void test_rule_ok(void **state)
{
	(void)state;
	static const struct {
		int rule;
		double v;
		int ok;
	} c[] = {
		{MV_RULE_ANY, -1e300, 1}, {MV_RULE_ANY, 0, 1}, {MV_RULE_ANY, 1e300, 1},
		{MV_RULE_NONNEG, 0, 1}, {MV_RULE_NONNEG, -0.0, 1}, {MV_RULE_NONNEG, 5, 1},
		{MV_RULE_NONNEG, -1e-300, 0},
		{MV_RULE_POS, 1e-300, 1}, {MV_RULE_POS, 0, 0}, {MV_RULE_POS, -1, 0},
		{MV_RULE_UNIT, 0, 1}, {MV_RULE_UNIT, 1, 1}, {MV_RULE_UNIT, 0.5, 1},
		{MV_RULE_UNIT, 1.0000001, 0}, {MV_RULE_UNIT, -1e-12, 0},
		{MV_RULE_SEED, 0, 1}, {MV_RULE_SEED, 42, 1}, {MV_RULE_SEED, 9007199254740992.0, 1},
		{MV_RULE_SEED, 9007199254740994.0, 0}, {MV_RULE_SEED, 1.5, 0}, {MV_RULE_SEED, -1, 0},
	};
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
		if (mv_rule_ok(c[k].rule, c[k].v) != c[k].ok)
			fail_msg("mv_rule_ok(%d, %g) = %d, expected %d", c[k].rule, c[k].v,
				 mv_rule_ok(c[k].rule, c[k].v), c[k].ok);
	/* non-finite numbers satisfy no rule */
	for (int rule = MV_RULE_ANY; rule <= MV_RULE_SEED; rule++) {
		assert_int_equal(mv_rule_ok(rule, NAN), 0);
		assert_int_equal(mv_rule_ok(rule, INFINITY), 0);
		assert_int_equal(mv_rule_ok(rule, -INFINITY), 0);
	}
	assert_string_equal(mv_rule_str(MV_RULE_ANY), "a finite number");
	assert_string_equal(mv_rule_str(MV_RULE_NONNEG), "a number >= 0");
	assert_string_equal(mv_rule_str(MV_RULE_POS), "a number > 0");
	assert_string_equal(mv_rule_str(MV_RULE_UNIT), "a number in [0, 1]");
	assert_string_equal(mv_rule_str(MV_RULE_SEED), "an integer in [0, 2^53]");
}

static void test_parse_number(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		double v;
	} good[] = {
		{"0", 0}, {"1.5", 1.5}, {"-2", -2}, {"+3", 3}, {"1e-3", 1e-3}, {"2.5E2", 250},
		{" 7", 7}, {"7 ", 7}, {"\t7\n", 7}, {".5", 0.5}, {"-0", 0},
		{"1.7976931348623157e308", 1.7976931348623157e308},
	};
	static const char *const bad[] = {
		"", " ", "abc", "1.5x", "x1.5", "1 2", "1,5", "--1", "inf", "-inf", "Infinity",
		"nan", "NaN", "1e999", "-1e999", "e5", "=", "1.5.",
	};
	for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
		double v = -99;
		if (mv_parse_number(good[k].s, &v) != 0)
			fail_msg("mv_parse_number(\"%s\") failed", good[k].s);
		assert_double_equal(v, good[k].v, 0);
	}
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		double v = -99;
		if (mv_parse_number(bad[k], &v) != -1)
			fail_msg("mv_parse_number(\"%s\") accepted it as %g", bad[k], v);
		assert_double_equal(v, -99, 0); /* untouched on failure */
	}
}

/* The key table is the one source of every setting and per-vector parameter (issue 12): each
 * table entry is read from a file under its name (hazard.* inside `hazard`) into its slot, and
 * left out it takes the table's default. So a new row in keys.c is read, defaulted and listed
 * without touching the loader. Values written are exact binary fractions: compared exactly. */
static void test_table_single_source(void **state)
{
	(void)state;
	const struct mv_param_def *vp, *gp;
	int nv = mv_vector_params(&vp), ng = mv_global_params(&gp);
	char text[8192], hazard[512] = "";
	size_t used = (size_t)snprintf(text, sizeof text,
				       "name = \"t\";\ntime = { start = 2000.0; end = 2001.0; output_step = 1.0; };\n"
				       "domains = ( { name = \"d\"; } );\nvectors = ( { name = \"A\"; ");
	size_t hused = 0;
	for (int k = 0; k < nv; k++) {
		double x = 0.25 + k / 64.0; /* distinct, in every rule's range */
		if (strncmp(vp[k].name, "hazard.", 7) == 0)
			hused += (size_t)snprintf(hazard + hused, sizeof hazard - hused, "%s = %g; ",
						  vp[k].name + 7, x);
		else
			used += (size_t)snprintf(text + used, sizeof text - used, "%s = %g; ",
						 vp[k].name, x);
	}
	snprintf(text + used, sizeof text - used,
		 "hazard = { %s}; salience = [1.0]; initial = [0.5]; },\n"
		 "  { name = \"B\"; mass = 1.0; salience = [1.0]; initial = [0.5]; } );\n", hazard);
	char *path = tu_write_cfg(text);
	struct mv_error err = {0};
	struct mv_keytab kt;
	struct mv_scenario *sc = mv_config_load(path, 0, NULL, &kt, &err);
	if (sc == NULL)
		fail_msg("%s\n%s", err.msg, text);
	for (int k = 0; k < nv; k++) {
		double x = 0.25 + k / 64.0;
		if (sc->val[mv_key_vec(2, 1, 0, vp[k].slot)] != x)
			fail_msg("vectors.a.%s = %g, expected %g", vp[k].name,
				 sc->val[mv_key_vec(2, 1, 0, vp[k].slot)], x);
		double def = vp[k].slot == MV_VP_ANGLE ? 270.0 : vp[k].def; /* 90 + 360·1/2 */
		if (!vp[k].required && sc->val[mv_key_vec(2, 1, 1, vp[k].slot)] != def)
			fail_msg("vectors.b.%s = %g, expected the default %g", vp[k].name,
				 sc->val[mv_key_vec(2, 1, 1, vp[k].slot)], def);
		char name[128];
		snprintf(name, sizeof name, "vectors.a.%s", vp[k].name);
		const struct mv_key *key = mv_keytab_find(&kt, name);
		assert_non_null(key);
		assert_string_equal(key->unit, vp[k].unit);
		assert_string_equal(key->what, vp[k].what);
	}
	for (int k = 0; k < ng; k++) {
		const struct mv_key *key = mv_keytab_find(&kt, gp[k].name);
		assert_non_null(key);
		if (!gp[k].required && sc->src[gp[k].slot].kind == MV_SRC_DEFAULT &&
		    sc->val[gp[k].slot] != gp[k].def)
			fail_msg("%s = %g, expected the default %g", gp[k].name, sc->val[gp[k].slot],
				 gp[k].def);
	}
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_id),
		cmocka_unit_test(test_table_single_source),
		cmocka_unit_test_setup_teardown(test_keytab_kazakhstan, load_kazakhstan, free_loaded),
		cmocka_unit_test(test_keytab_shapes),
		cmocka_unit_test(test_slot_layout),
		cmocka_unit_test_setup_teardown(test_find, load_kazakhstan, free_loaded),
		cmocka_unit_test_setup_teardown(test_suggest, load_kazakhstan, free_loaded),
		cmocka_unit_test_setup_teardown(test_assignment_ok, load_kazakhstan, free_loaded),
		cmocka_unit_test_setup_teardown(test_assignment_errors, load_kazakhstan, free_loaded),
		cmocka_unit_test(test_rule_ok),
		cmocka_unit_test(test_parse_number),
	};
	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
