/* keys.h — the one key syntax (docs/model.md §4) and the layout of a scenario's numbers.
 * `vectors.russia.coercion` names slot mv_key_vec(sc, i, MV_VP_COERCION) of sc->val. */
#ifndef MVSIM_KEYS_H
#define MVSIM_KEYS_H

#include <stddef.h>

#include "mvsim/error.h"
#include "mvsim/scenario.h"

/* Global slots, in order. */
enum {
	MV_G_START = 0,     /* time.start, years */
	MV_G_END,           /* time.end, years */
	MV_G_OUTPUT_STEP,   /* time.output_step, years */
	MV_G_SPINUP,        /* time.spinup, years, default 0 */
	MV_G_RTOL,          /* integrator.rtol, default 1e-8 */
	MV_G_ATOL,          /* integrator.atol, default 1e-10 */
	MV_G_INITIAL_STEP,  /* integrator.initial_step, years, default 0.01 */
	MV_G_NOISE_SIGMA,   /* noise.sigma, default 0 (off) */
	MV_G_NOISE_CORR,    /* noise.correlation θ, years, default 1 */
	MV_G_NOISE_STEP,    /* noise.step, years, default 1/12 */
	MV_G_NOISE_SEED,    /* noise.seed, default 1 */
	MV_G_ALPHA,         /* model.alpha, default 1 */
	MV_G_GAMMA,         /* model.gamma, default 1 */
	MV_G_BETA,          /* model.beta, default 0 */
	MV_G_AUTONOMY,      /* focal.autonomy κ, default 0 */
	MV_G_COUNT
};

/* Per-vector slots before the variable-length parts (salience[D], restraint[n], share[D]). */
enum {
	MV_VP_ANGLE = 0, MV_VP_GROWTH, MV_VP_DISTANCE, MV_VP_CONNECTIVITY, MV_VP_ASPIRATION,
	MV_VP_RESPONSIVENESS, MV_VP_EFFORT_DECAY, MV_VP_RED_LINE, MV_VP_COERCION,
	MV_VP_TENSION_DECAY, MV_VP_HAZARD_MAX, MV_VP_HAZARD_THRESHOLD, MV_VP_HAZARD_WIDTH,
	MV_VP_NOISE_SIGMA,
	MV_VP_MASS, MV_VP_EFFORT, MV_VP_TENSION, /* state keys */
	MV_VP_COUNT
};

/* What a key names, which decides what may be done with it. */
enum mv_key_kind {
	MV_KEY_SETTING = 0, /* time, integrator, noise: --set, overrides, sweeps; no events */
	MV_KEY_PARAM,       /* a model parameter: piecewise-linear in time through events */
	MV_KEY_STATE,       /* mass, effort, tension: initial value; events are jumps */
	MV_KEY_SHARE        /* an initial share: --set and overrides only, no events */
};

/* The value a key must have (checked after all overrides). */
enum mv_rule {
	MV_RULE_ANY = 0, /* any finite number */
	MV_RULE_NONNEG,  /* ≥ 0 */
	MV_RULE_POS,     /* > 0 */
	MV_RULE_UNIT,    /* in [0, 1] */
	MV_RULE_SEED     /* an integer in [0, 2^53] */
};

struct mv_key {
	char *name;        /* e.g. "vectors.south_asia.growth"; owned */
	int index;         /* slot in mv_scenario.val */
	int kind;          /* enum mv_key_kind */
	int rule;          /* enum mv_rule */
	const char *unit;  /* e.g. "1/year", "years", "share", "" */
	const char *what;  /* one-line description */
};

/* The keys of a scenario, in a stable order (the order `mvsim keys` lists them). */
struct mv_keytab {
	int nkeys;
	struct mv_key *keys;
	int *by_index; /* slot -> position in keys, -1 for slots that are no key */
};

/* A setting or per-vector parameter: the key table's template (keys.c), the one source of its
 * name, unit, meaning, default and whether a file must give it. */
struct mv_param_def {
	const char *name;  /* "time.start"; per vector the part after "vectors.<v>.": "hazard.max" */
	int slot;          /* MV_G_* (settings), MV_VP_* (per vector) */
	int kind, rule;    /* enum mv_key_kind, enum mv_rule */
	const char *unit, *what;
	double def;        /* default; NAN when computed (angle: 360/n apart from 90) */
	int required;      /* 1: a scenario file must give it */
};

/* The tables, in key order (the order `mvsim keys` lists them); return their length. */
int mv_global_params(const struct mv_param_def **defs);
int mv_vector_params(const struct mv_param_def **defs);

/* Sets every slot of sc->val (nvec, ndom, nval set) to its default, source MV_SRC_DEFAULT. */
void mv_keys_set_defaults(struct mv_scenario *sc);

/* Slot layout for n vectors and D domains. */
int mv_key_ideal(int n, int D, int i);
int mv_key_dom_weight(int n, int D, int d);
int mv_key_dom_inertia(int n, int D, int d);
int mv_key_vec(int n, int D, int i, int p);          /* p: MV_VP_* */
int mv_key_salience(int n, int D, int i, int d);
int mv_key_restraint(int n, int D, int i, int j);    /* restraint of i by j */
int mv_key_share(int n, int D, int i, int d);        /* initial share of i in d */
int mv_key_nslots(int n, int D);

/* Writes the id of name (docs/model.md §4: lower-case, runs of other characters → one '_',
 * none at either end) into id (size ≥ strlen(name)+1). Returns 0, or -1 when the name has
 * no ASCII letter or digit. */
int mv_make_id(const char *name, char *id);

/* Builds the key table of sc (its vectors and domains must be set). Returns 0, or -1 with
 * err set on allocation failure. The table owns its strings; free with mv_keytab_free. */
int mv_keytab_build(const struct mv_scenario *sc, struct mv_keytab *kt, struct mv_error *err);
void mv_keytab_free(struct mv_keytab *kt);

/* Finds key name; returns its entry or NULL. */
const struct mv_key *mv_keytab_find(const struct mv_keytab *kt, const char *name);

/* The closest key to name (for "did you mean"), or NULL when nothing is close. */
const struct mv_key *mv_keytab_suggest(const struct mv_keytab *kt, const char *name);

/* The closest of names[0..n) to name (at most 3 edits), or NULL: the "did you mean" of every
 * message about an unknown name (keys, settings, columns, reducers, options). */
const char *mv_suggest(const char *name, const char *const *names, int n);

/* The hint of a message about an unknown key name, into buf: for an array or group
 * (`vectors.russia.salience`, `vectors.russia.initial`, `vectors.russia.hazard`) its per-element
 * keys ("; did you mean vectors.russia.salience.<domain>, one key per element: '...', '...'"),
 * else the closest key ("; did you mean 'x'?"), else "". Returns buf. */
const char *mv_keytab_hint(const struct mv_keytab *kt, const char *name, char *buf, size_t size);

/* Parses an ISO date "YYYY-MM-DD" into a decimal year: year + (day of year − 1 + 0.5) / days
 * in the year (the middle of the day; "2020-09-27" → 2020.7391). Returns 0; 1 when s is not
 * shaped like a date; -1 when it is but the day does not exist ("2021-02-30"). */
int mv_parse_date(const char *s, double *year);

/* Describes a rule for messages: "a number >= 0", ... */
const char *mv_rule_str(int rule);

/* Returns 1 when v satisfies rule. */
int mv_rule_ok(int rule, double v);

/* Parses "KEY=VALUE" against kt: sets *key and *value. Returns 0, or -1 with err set
 * (exit 2): no '=', a space in or around KEY (docs/config.md §14), a control character, unknown
 * key (with a suggestion), a value that is not a finite number. */
int mv_key_parse_assignment(const struct mv_keytab *kt, const char *arg,
			    const struct mv_key **key, double *value, struct mv_error *err);

/* Text for messages: s with newline, tab, CR and backslash written \n, \t, \r, \\ and other
 * control characters \xHH, into buf (size bytes, truncated); returns buf. */
const char *mv_text_quote(const char *s, char *buf, size_t size);

/* Does s contain a control character (below 0x20, or DEL)? Names, labels and --set values may
 * not: they travel in tab-separated output and one-line metadata. */
int mv_text_has_control(const char *s);

/* Parses a number the way scenario values are read: the whole string, finite.
 * Returns 0 or -1. */
int mv_parse_number(const char *s, double *out);

#endif
