/* keys.c — key names, the slot layout of a scenario's numbers, and key lookup.
 * One syntax (docs/model.md §4) serves --set, overrides, events, sweeps and fits. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/keys.h"
#include "mvsim/fmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vec_block(int n, int D)
{
	return MV_VP_COUNT + D + n + D;
}

int mv_key_ideal(int n, int D, int i)
{
	(void)D;
	(void)n;
	return MV_G_COUNT + i;
}

int mv_key_dom_weight(int n, int D, int d)
{
	(void)D;
	return MV_G_COUNT + n + 2 * d;
}

int mv_key_dom_inertia(int n, int D, int d)
{
	(void)D;
	return MV_G_COUNT + n + 2 * d + 1;
}

int mv_key_vec(int n, int D, int i, int p)
{
	return MV_G_COUNT + n + 2 * D + i * vec_block(n, D) + p;
}

int mv_key_salience(int n, int D, int i, int d)
{
	return mv_key_vec(n, D, i, MV_VP_COUNT) + d;
}

int mv_key_restraint(int n, int D, int i, int j)
{
	return mv_key_vec(n, D, i, MV_VP_COUNT) + D + j;
}

int mv_key_share(int n, int D, int i, int d)
{
	return mv_key_vec(n, D, i, MV_VP_COUNT) + D + n + d;
}

int mv_key_nslots(int n, int D)
{
	return MV_G_COUNT + n + 2 * D + n * vec_block(n, D);
}

int mv_make_id(const char *name, char *id)
{
	int k = 0, pending = 0;

	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 128 && isalnum(c)) {
			if (pending && k > 0)
				id[k++] = '_';
			pending = 0;
			id[k++] = (char)tolower(c);
		} else {
			pending = 1;
		}
	}
	id[k] = '\0';
	return k > 0 ? 0 : -1;
}

/* The settings and per-vector parameters: the one source of every key's name, slot, kind,
 * rule, unit, meaning, default and whether a file must give it (docs/config.md). The loader
 * reads, defaults and lists them from here, so a new per-vector parameter is one line below
 * (and its MV_VP_* slot in keys.h). A default of NAN is computed (angle: evenly spaced). */
static const struct mv_param_def global_keys[] = {
	{"time.start", MV_G_START, MV_KEY_SETTING, MV_RULE_ANY, "year", "first output time", 0, 1},
	{"time.end", MV_G_END, MV_KEY_SETTING, MV_RULE_ANY, "year", "last output time", 0, 1},
	{"time.output_step", MV_G_OUTPUT_STEP, MV_KEY_SETTING, MV_RULE_POS, "years",
	 "interval between output rows", 0, 1},
	{"time.spinup", MV_G_SPINUP, MV_KEY_SETTING, MV_RULE_NONNEG, "years",
	 "spin-up with parameters frozen at their start values", 0, 0},
	{"integrator.rtol", MV_G_RTOL, MV_KEY_SETTING, MV_RULE_POS, "", "relative tolerance", 1e-8, 0},
	{"integrator.atol", MV_G_ATOL, MV_KEY_SETTING, MV_RULE_POS, "", "absolute tolerance", 1e-10, 0},
	{"integrator.initial_step", MV_G_INITIAL_STEP, MV_KEY_SETTING, MV_RULE_POS, "years",
	 "first trial step", 0.01, 0},
	{"noise.sigma", MV_G_NOISE_SIGMA, MV_KEY_SETTING, MV_RULE_NONNEG, "",
	 "OU shock s.d. on log-pull (0 = off)", 0, 0},
	{"noise.correlation", MV_G_NOISE_CORR, MV_KEY_SETTING, MV_RULE_POS, "years",
	 "OU correlation time", 1, 0},
	{"noise.step", MV_G_NOISE_STEP, MV_KEY_SETTING, MV_RULE_POS, "years", "OU grid step", 1.0 / 12.0, 0},
	{"noise.seed", MV_G_NOISE_SEED, MV_KEY_SETTING, MV_RULE_SEED, "", "random seed", 1, 0},
	{"model.alpha", MV_G_ALPHA, MV_KEY_PARAM, MV_RULE_ANY, "", "mass exponent", 1, 0},
	{"model.gamma", MV_G_GAMMA, MV_KEY_PARAM, MV_RULE_ANY, "", "distance exponent", 1, 0},
	{"model.beta", MV_G_BETA, MV_KEY_PARAM, MV_RULE_ANY, "1/tension",
	 "hedging (>0) or accommodation (<0) against tension", 0, 0},
	{"focal.autonomy", MV_G_AUTONOMY, MV_KEY_PARAM, MV_RULE_UNIT, "",
	 "weight of the ideal mix in the targets", 0, 0},
};

static const struct mv_param_def vec_keys[] = {
	{"angle", MV_VP_ANGLE, MV_KEY_PARAM, MV_RULE_ANY, "degrees",
	 "direction in the alignment plane", NAN, 0},
	{"growth", MV_VP_GROWTH, MV_KEY_PARAM, MV_RULE_ANY, "1/year", "mass growth rate g", 0, 0},
	{"distance", MV_VP_DISTANCE, MV_KEY_PARAM, MV_RULE_NONNEG, "", "distance", 1, 0},
	{"connectivity", MV_VP_CONNECTIVITY, MV_KEY_PARAM, MV_RULE_NONNEG, "",
	 "connectivity (shrinks effective distance)", 0, 0},
	{"aspiration", MV_VP_ASPIRATION, MV_KEY_PARAM, MV_RULE_UNIT, "share",
	 "share A below which effort rises", 0, 0},
	{"responsiveness", MV_VP_RESPONSIVENESS, MV_KEY_PARAM, MV_RULE_NONNEG, "1/year",
	 "effort build-up rate eta", 0, 0},
	{"effort_decay", MV_VP_EFFORT_DECAY, MV_KEY_PARAM, MV_RULE_POS, "years",
	 "effort decay time", 1, 0},
	{"red_line", MV_VP_RED_LINE, MV_KEY_PARAM, MV_RULE_UNIT, "share",
	 "share r below which coercion builds tension", 0, 0},
	{"coercion", MV_VP_COERCION, MV_KEY_PARAM, MV_RULE_NONNEG, "1/year",
	 "tension build-up rate c", 0, 0},
	{"tension_decay", MV_VP_TENSION_DECAY, MV_KEY_PARAM, MV_RULE_POS, "years",
	 "tension decay time", 1, 0},
	{"hazard.max", MV_VP_HAZARD_MAX, MV_KEY_PARAM, MV_RULE_NONNEG, "1/year",
	 "maximum crisis hazard", 0, 0},
	{"hazard.threshold", MV_VP_HAZARD_THRESHOLD, MV_KEY_PARAM, MV_RULE_ANY, "tension",
	 "tension at half the maximum hazard", 1, 0},
	{"hazard.width", MV_VP_HAZARD_WIDTH, MV_KEY_PARAM, MV_RULE_POS, "tension",
	 "width of the hazard's rise", 0.1, 0},
	{"noise_sigma", MV_VP_NOISE_SIGMA, MV_KEY_PARAM, MV_RULE_NONNEG, "",
	 "this vector's noise s.d. (default noise.sigma)", 0, 0},
	{"mass", MV_VP_MASS, MV_KEY_STATE, MV_RULE_NONNEG, "mass units", "power (mass)", 0, 1},
	{"effort", MV_VP_EFFORT, MV_KEY_STATE, MV_RULE_NONNEG, "", "inducement effort", 0, 0},
	{"tension", MV_VP_TENSION, MV_KEY_STATE, MV_RULE_ANY, "", "tension", 0, 0},
};

int mv_global_params(const struct mv_param_def **defs)
{
	*defs = global_keys;
	return (int)(sizeof global_keys / sizeof global_keys[0]);
}

int mv_vector_params(const struct mv_param_def **defs)
{
	*defs = vec_keys;
	return (int)(sizeof vec_keys / sizeof vec_keys[0]);
}

/* The default of slot for n vectors (docs/config.md): the table's, or computed. */
static double vec_default(const struct mv_param_def *k, int n, int i)
{
	if (k->slot == MV_VP_ANGLE) /* evenly spaced, 360/n apart, starting at 90 */
		return fmod(90.0 + 360.0 * i / n, 360.0);
	return k->def;
}

void mv_keys_set_defaults(struct mv_scenario *sc)
{
	int n = sc->nvec, D = sc->ndom;
	double *v = sc->val;

	for (int s = 0; s < sc->nval; s++) { /* salience, restraint, share: 0 */
		v[s] = 0.0;
		sc->src[s] = (struct mv_src){MV_SRC_DEFAULT, -1, 0, -1};
	}
	for (size_t g = 0; g < sizeof global_keys / sizeof global_keys[0]; g++)
		v[global_keys[g].slot] = global_keys[g].def;
	for (int i = 0; i < n; i++)
		v[mv_key_ideal(n, D, i)] = 1.0 / n;
	for (int d = 0; d < D; d++) {
		v[mv_key_dom_weight(n, D, d)] = 1.0;
		v[mv_key_dom_inertia(n, D, d)] = 1.0;
	}
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof vec_keys / sizeof vec_keys[0]; k++)
			v[mv_key_vec(n, D, i, vec_keys[k].slot)] = vec_default(&vec_keys[k], n, i);
}

static int add_key(struct mv_keytab *kt, int *cap, const char *name, int index, int kind,
		   int rule, const char *unit, const char *what)
{
	if (kt->nkeys == *cap) {
		int ncap = *cap ? 2 * *cap : 128;
		struct mv_key *k = realloc(kt->keys, (size_t)ncap * sizeof *k);
		if (k == NULL)
			return -1;
		kt->keys = k;
		*cap = ncap;
	}
	char *s = strdup(name);
	if (s == NULL)
		return -1;
	kt->keys[kt->nkeys++] = (struct mv_key){s, index, kind, rule, unit, what};
	return 0;
}

int mv_keytab_build(const struct mv_scenario *sc, struct mv_keytab *kt, struct mv_error *err)
{
	int n = sc->nvec, D = sc->ndom, cap = 0, nslots = mv_key_nslots(n, D);
	char name[3 * MV_MAX_NAME + 64];

	memset(kt, 0, sizeof *kt);
	for (size_t g = 0; g < sizeof global_keys / sizeof global_keys[0]; g++) {
		const struct mv_param_def *k = &global_keys[g];
		if (add_key(kt, &cap, k->name, k->slot, k->kind, k->rule, k->unit, k->what))
			goto oom;
	}
	for (int i = 0; i < n; i++) {
		mv_concat(name, sizeof name, "focal.ideal.", sc->vec_id[i], NULL);
		if (add_key(kt, &cap, name, mv_key_ideal(n, D, i), MV_KEY_PARAM, MV_RULE_NONNEG,
			    "", "ideal mix weight (normalised)"))
			goto oom;
	}
	for (int d = 0; d < D; d++) {
		mv_concat(name, sizeof name, "domains.", sc->dom_id[d], ".weight", NULL);
		if (add_key(kt, &cap, name, mv_key_dom_weight(n, D, d), MV_KEY_PARAM,
			    MV_RULE_NONNEG, "", "domain weight (normalised)"))
			goto oom;
		mv_concat(name, sizeof name, "domains.", sc->dom_id[d], ".inertia", NULL);
		if (add_key(kt, &cap, name, mv_key_dom_inertia(n, D, d), MV_KEY_PARAM,
			    MV_RULE_POS, "years", "alignment relaxation time"))
			goto oom;
	}
	for (int i = 0; i < n; i++) {
		for (size_t v = 0; v < sizeof vec_keys / sizeof vec_keys[0]; v++) {
			const struct mv_param_def *k = &vec_keys[v];
			mv_concat(name, sizeof name, "vectors.", sc->vec_id[i], ".", k->name, NULL);
			if (add_key(kt, &cap, name, mv_key_vec(n, D, i, k->slot), k->kind, k->rule,
				    k->unit, k->what))
				goto oom;
		}
		for (int d = 0; d < D; d++) {
			mv_concat(name, sizeof name, "vectors.", sc->vec_id[i], ".salience.",
				  sc->dom_id[d], NULL);
			if (add_key(kt, &cap, name, mv_key_salience(n, D, i, d), MV_KEY_PARAM,
				    MV_RULE_NONNEG, "", "salience in this domain"))
				goto oom;
		}
		for (int j = 0; j < n; j++) {
			if (j == i)
				continue;
			mv_concat(name, sizeof name, "vectors.", sc->vec_id[i], ".restraint.",
				  sc->vec_id[j], NULL);
			if (add_key(kt, &cap, name, mv_key_restraint(n, D, i, j), MV_KEY_PARAM,
				    MV_RULE_NONNEG, "1/share", "restraint of this vector by the other's share"))
				goto oom;
		}
		for (int d = 0; d < D; d++) {
			mv_concat(name, sizeof name, "vectors.", sc->vec_id[i], ".share.",
				  sc->dom_id[d], NULL);
			/* >= 0 only: the sum check (within 1e-6 of 1) bounds it above. */
			if (add_key(kt, &cap, name, mv_key_share(n, D, i, d), MV_KEY_SHARE,
				    MV_RULE_NONNEG, "share", "initial share in this domain"))
				goto oom;
		}
	}
	kt->by_index = malloc((size_t)nslots * sizeof *kt->by_index);
	if (kt->by_index == NULL)
		goto oom;
	for (int s = 0; s < nslots; s++)
		kt->by_index[s] = -1;
	for (int k = 0; k < kt->nkeys; k++)
		kt->by_index[kt->keys[k].index] = k;
	return 0;
oom:
	mv_keytab_free(kt);
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory building the key table");
}

void mv_keytab_free(struct mv_keytab *kt)
{
	if (kt == NULL)
		return;
	for (int k = 0; k < kt->nkeys; k++)
		free(kt->keys[k].name);
	free(kt->keys);
	free(kt->by_index);
	memset(kt, 0, sizeof *kt);
}

const struct mv_key *mv_keytab_find(const struct mv_keytab *kt, const char *name)
{
	for (int k = 0; k < kt->nkeys; k++)
		if (strcmp(kt->keys[k].name, name) == 0)
			return &kt->keys[k];
	return NULL;
}

/* Levenshtein distance, capped: only small distances matter for suggestions. */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[256];

	if (lb >= 255 || la >= 255)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int sub = prev + (a[i - 1] != b[j - 1]);
			int del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			prev = cur;
		}
	}
	return row[lb];
}

const char *mv_suggest(const char *name, const char *const *names, int n)
{
	const char *best = NULL;
	int bestd = 4; /* further than 3 edits is no suggestion */

	for (int k = 0; k < n; k++) {
		int d = edit_distance(name, names[k]);
		/* ... nor are as many edits as half the name ("time" is not a typo of "name") */
		if (d < bestd && 2 * (size_t)d < strlen(name)) {
			bestd = d;
			best = names[k];
		}
	}
	return best;
}

const struct mv_key *mv_keytab_suggest(const struct mv_keytab *kt, const char *name)
{
	const struct mv_key *best = NULL;
	int bestd = 4; /* as mv_suggest */

	for (int k = 0; k < kt->nkeys; k++) {
		int d = edit_distance(name, kt->keys[k].name);
		if (d < bestd && 2 * (size_t)d < strlen(name)) {
			bestd = d;
			best = &kt->keys[k];
		}
	}
	return best;
}

const char *mv_keytab_hint(const struct mv_keytab *kt, const char *name, char *buf, size_t size)
{
	char prefix[300];
	size_t used = 0;
	int count = 0;
	const char *alias = "";

	buf[0] = '\0';
	/* an array or group of keys: `vectors.x.salience` names `vectors.x.salience.<domain>`;
	 * `vectors.x.initial` (the file's array) names `vectors.x.share.<domain>` */
	size_t len = strlen(name);
	if (len >= 8 && strcmp(name + len - 8, ".initial") == 0) {
		snprintf(prefix, sizeof prefix, "%.*s.share.", (int)(len - 8), name);
		alias = " (initial shares are keyed share)";
	} else {
		mv_concat(prefix, sizeof prefix, name, ".", NULL);
	}
	size_t plen = strlen(prefix);
	for (int k = 0; k < kt->nkeys; k++)
		count += strncmp(kt->keys[k].name, prefix, plen) == 0 &&
			 strchr(kt->keys[k].name + plen, '.') == NULL;
	if (count > 0) {
		const char *what = strstr(prefix, ".salience.") || strstr(prefix, ".share.") ? "<domain>"
				   : strstr(prefix, ".restraint.") || strstr(prefix, ".ideal.") ? "<vector>"
				   : "<param>";
		used = (size_t)snprintf(buf, size, "; did you mean %s%s, one key per element%s: ", prefix,
					what, alias);
		int shown = 0;
		for (int k = 0; k < kt->nkeys && used < size; k++) {
			const char *kn = kt->keys[k].name;
			if (strncmp(kn, prefix, plen) != 0 || strchr(kn + plen, '.') != NULL)
				continue;
			if (shown == 8) {
				used += (size_t)snprintf(buf + used, size - used, ", ...");
				break;
			}
			used += (size_t)snprintf(buf + used, size - used, "%s'%s'", shown ? ", " : "", kn);
			shown++;
		}
		if (used < size)
			snprintf(buf + used, size - used, "?");
		return buf;
	}
	const struct mv_key *sug = mv_keytab_suggest(kt, name);
	if (sug)
		snprintf(buf, size, "; did you mean '%s'?", sug->name);
	return buf;
}

int mv_parse_date(const char *s, double *year)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	for (int k = 0; k < 10; k++)
		if (k == 4 || k == 7 ? s[k] != '-' : !isdigit((unsigned char)s[k]))
			return 1;
	if (s[10] != '\0')
		return 1;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	int doy = d;
	for (int k = 0; k < m - 1; k++)
		doy += mdays[k] + (k == 1 && leap);
	/* docs/config.md §3: the middle of the day, as a fraction of its year */
	*year = y + (doy - 1 + 0.5) / (365.0 + leap);
	return 0;
}

const char *mv_rule_str(int rule)
{
	switch (rule) {
	case MV_RULE_NONNEG: return "a number >= 0";
	case MV_RULE_POS: return "a number > 0";
	case MV_RULE_UNIT: return "a number in [0, 1]";
	case MV_RULE_SEED: return "an integer in [0, 2^53]";
	default: return "a finite number";
	}
}

int mv_rule_ok(int rule, double v)
{
	if (!isfinite(v))
		return 0;
	switch (rule) {
	case MV_RULE_NONNEG: return v >= 0;
	case MV_RULE_POS: return v > 0;
	case MV_RULE_UNIT: return v >= 0 && v <= 1;
	case MV_RULE_SEED: return v >= 0 && v <= 9007199254740992.0 && v == floor(v);
	default: return 1;
	}
}

int mv_parse_number(const char *s, double *out)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

const char *mv_text_quote(const char *s, char *buf, size_t size)
{
	size_t k = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && k + 5 < size; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == '\\') {
			buf[k++] = '\\';
			buf[k++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : *p == '\r' ? 'r' : '\\';
		} else if (*p < 0x20 || *p == 0x7f) {
			k += (size_t)snprintf(buf + k, size - k, "\\x%02x", *p);
		} else {
			buf[k++] = (char)*p;
		}
	}
	buf[k] = '\0';
	return buf;
}

int mv_text_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

int mv_key_parse_assignment(const struct mv_keytab *kt, const char *arg,
			    const struct mv_key **key, double *value, struct mv_error *err)
{
	const char *eq = strchr(arg, '=');
	char name[256];

	if (mv_text_has_control(arg)) {
		char q[600];
		return mv_error_set(err, MV_EXIT_INPUT,
				    "--set '%s': expected KEY=VALUE without control characters (newline, tab, ...), found one",
				    mv_text_quote(arg, q, sizeof q));
	}

	if (eq == NULL)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "--set '%s': expected KEY=VALUE, found no '='", arg);
	size_t len = (size_t)(eq - arg);
	if (len == 0 || len >= sizeof name)
		return mv_error_set(err, MV_EXIT_INPUT, "--set '%s': expected KEY=VALUE, found %s",
				    arg, len == 0 ? "an empty key" : "a key too long");
	memcpy(name, arg, len);
	name[len] = '\0';
	if (isspace((unsigned char)name[0]) || isspace((unsigned char)name[len - 1]))
		return mv_error_set(err, MV_EXIT_INPUT, /* docs/config.md §14: none around KEY */
				    "--set '%s': expected KEY=VALUE with no space around KEY, found a space %s",
				    arg, isspace((unsigned char)name[len - 1]) ? "before '='" : "before the key");
	const struct mv_key *k = mv_keytab_find(kt, name);
	if (k == NULL) {
		char hint[700];
		mv_keytab_hint(kt, name, hint, sizeof hint);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "--set '%s': expected a key of this scenario, found unknown key '%s'%s "
				    "(mvsim keys SCENARIO lists them)",
				    arg, name, hint);
	}
	if (mv_parse_number(eq + 1, value)) {
		int date = strcmp(k->unit, "year") == 0 ? mv_parse_date(eq + 1, value) : 1;
		if (date < 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "--set '%s': expected a time in years or a date YYYY-MM-DD after '=', found '%s' (no such day)",
					    arg, eq + 1);
		if (date > 0)
			return mv_error_set(err, MV_EXIT_INPUT,
					    "--set '%s': expected a finite number after '=', found '%s'", arg,
					    eq + 1);
	}
	*key = k;
	return 0;
}
