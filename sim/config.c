/* config.c — scenario files (libconfig) → struct mv_scenario, with every rule of MODEL.md §3.
 * Errors read `file:line: setting 'key': expected X, found Y`; libconfig is closed on return. */
#define _XOPEN_SOURCE 700 /* realpath, strdup */
#include "mvsim/cfgread.h"
#include "mvsim/config.h"
#include "mvsim/sha256.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SHARE_TOL 1e-6 /* MODEL.md §3: initial shares must sum to 1 within this */

struct loader {
	struct mv_scenario *sc;
	struct mv_keytab kt;
	int have_kt;
	struct mv_error *err;
	char *chain[MV_MAX_BASES + 1]; /* real paths of the files being loaded, for cycles */
	int depth;
	int nevents_cap;
	int order; /* file order of events across the chain */
};

/* ---------------------------------------------------------------- helpers */


static const char *file_of(struct loader *L, const config_setting_t *s, int file)
{
	const char *f = config_setting_source_file(s);
	return f ? f : L->sc->files[file];
}

/* Error at setting s: `file:line: setting 'path': expected <expected>, found <found>`. */
static int fail(struct loader *L, const config_setting_t *s, int file, const char *path,
		const char *expected, const char *found)
{
	int line = config_setting_source_line(s);
	if (line <= 0) /* the root group has no line: a missing top-level setting */
		return mv_error_set(L->err, MV_EXIT_INPUT, "%s: setting '%s': expected %s, found %s",
				    file_of(L, s, file), path, expected, found);
	return mv_error_set(L->err, MV_EXIT_INPUT, "%s:%d: setting '%s': expected %s, found %s",
			    file_of(L, s, file), line, path, expected, found);
}

static int fail_type(struct loader *L, const config_setting_t *s, int file, const char *path,
		     const char *expected)
{
	char buf[128];
	return fail(L, s, file, path, expected, mv_cfg_describe(s, buf, sizeof buf));
}




static int check_known(struct loader *L, const config_setting_t *g, int file, const char *path,
		       const char *const *names)
{
	return mv_cfg_check_known(g, L->sc->files[file], path, names, L->err);
}

static int set_val(struct loader *L, int slot, double v, int kind, int file, int line)
{
	L->sc->val[slot] = v;
	L->sc->src[slot] = (struct mv_src){(unsigned char)kind, (short)file, line, -1};
	return 0;
}

/* Reads member `name` of group g as a number into slot. Missing: error if required. */
static int read_num(struct loader *L, const config_setting_t *g, int file, const char *path,
		    const char *name, int slot, int required)
{
	char full[256];
	const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;

	snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", name);
	if (s == NULL) {
		if (!required)
			return 0;
		if (g == NULL)
			return mv_error_set(L->err, MV_EXIT_INPUT,
					    "%s: setting '%s': expected a number, found nothing (required)",
					    L->sc->files[file], full);
		return fail(L, g, file, full, "a number", "nothing (required)");
	}
	if (!mv_cfg_is_number(s))
		return fail_type(L, s, file, full, "a number");
	double v = mv_cfg_number(s);
	if (!isfinite(v))
		return fail(L, s, file, full, "a finite number", "a non-finite value");
	return set_val(L, slot, v, MV_SRC_FILE, file, config_setting_source_line(s));
}

/* Reads member `name` of g as a string, strdup'd into *out. */
static int read_str(struct loader *L, const config_setting_t *g, int file, const char *path,
		    const char *name, char **out, int required, int *line)
{
	char full[256];
	const config_setting_t *s = config_setting_get_member(g, name);

	snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", name);
	if (s == NULL) {
		if (!required)
			return 0;
		return fail(L, g, file, full, "a string", "nothing (required)");
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_type(L, s, file, full, "a string");
	char *copy = strdup(config_setting_get_string(s));
	if (copy == NULL)
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	free(*out);
	*out = copy;
	if (line)
		*line = config_setting_source_line(s);
	return 0;
}

/* Reads member `name` of g as an array of `count` numbers into slot(k) for each k. */
static int read_array(struct loader *L, const config_setting_t *g, int file, const char *path,
		      const char *name, int count, const char *what, int (*slot)(void *, int),
		      void *ctx, int required)
{
	char full[256], expected[96];
	const config_setting_t *s = config_setting_get_member(g, name);

	snprintf(full, sizeof full, "%s.%s", path, name);
	snprintf(expected, sizeof expected, "an array of %d numbers (one per %s)", count, what);
	if (s == NULL) {
		if (!required)
			return 0;
		return fail(L, g, file, full, expected, "nothing (required)");
	}
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return fail_type(L, s, file, full, expected);
	if (config_setting_length(s) != count)
		return fail_type(L, s, file, full, expected);
	for (int k = 0; k < count; k++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)k);
		char el[300];
		snprintf(el, sizeof el, "%s[%d]", full, k);
		if (!mv_cfg_is_number(e))
			return fail_type(L, e, file, el, "a number");
		double v = mv_cfg_number(e);
		if (!isfinite(v))
			return fail(L, e, file, el, "a finite number", "a non-finite value");
		set_val(L, slot(ctx, k), v, MV_SRC_FILE, file, config_setting_source_line(s));
	}
	return 0;
}

struct slot_ctx {
	int n, D, i;
};

static int slot_salience(void *p, int d)
{
	struct slot_ctx *c = p;
	return mv_key_salience(c->n, c->D, c->i, d);
}

static int slot_share(void *p, int d)
{
	struct slot_ctx *c = p;
	return mv_key_share(c->n, c->D, c->i, d);
}

static int slot_ideal(void *p, int i)
{
	struct slot_ctx *c = p;
	return mv_key_ideal(c->n, c->D, i);
}

static const config_setting_t *get_group(struct loader *L, const config_setting_t *parent,
					 int file, const char *name, int required, int *bad)
{
	const config_setting_t *g = config_setting_get_member(parent, name);

	*bad = 0;
	if (g == NULL) {
		if (required) {
			fail(L, parent, file, name, "a group { ... }", "nothing (required)");
			*bad = 1;
		}
		return NULL;
	}
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		fail_type(L, g, file, name, "a group { ... }");
		*bad = 1;
		return NULL;
	}
	return g;
}

/* Reads the `name` members of a list of groups (domains or vectors) and their ids. */
static int read_names(struct loader *L, const config_setting_t *root, int file,
		      const char *what, int min, int max, char **names, char **ids, int *count)
{
	const config_setting_t *list = config_setting_get_member(root, what);
	char expected[128], path[64];

	snprintf(expected, sizeof expected, "a list ( { name = ...; ... }, ... ) of %d to %d %s",
		 min, max, what);
	if (list == NULL)
		return fail(L, root, file, what, expected, "nothing (required)");
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return fail_type(L, list, file, what, expected);
	int len = config_setting_length(list);
	if (len < min || len > max) {
		char found[64];
		/* "1 vector", "9 domains" */
		snprintf(found, sizeof found, "%d %.*s", len,
			 (int)strlen(what) - (len == 1 ? 1 : 0), what);
		return fail(L, list, file, what, expected, found);
	}
	for (int k = 0; k < len; k++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)k);
		snprintf(path, sizeof path, "%s[%d]", what, k);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return fail_type(L, g, file, path, "a group { name = ...; ... }");
		if (read_str(L, g, file, path, "name", &names[k], 1, NULL))
			return -1;
		const config_setting_t *ns = config_setting_get_member(g, "name");
		char full[80];
		snprintf(full, sizeof full, "%s.name", path);
		if (strlen(names[k]) >= MV_MAX_NAME) {
			char found[64];
			snprintf(found, sizeof found, "%zu bytes", strlen(names[k]));
			return fail(L, ns, file, full, "a name shorter than 64 bytes", found);
		}
		ids[k] = malloc(strlen(names[k]) + 1);
		if (ids[k] == NULL)
			return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
		if (mv_make_id(names[k], ids[k])) {
			char found[96];
			snprintf(found, sizeof found, "\"%.60s\"", names[k]);
			return fail(L, ns, file, full, "a name with at least one letter or digit",
				    found);
		}
		for (int j = 0; j < k; j++)
			if (strcmp(ids[j], ids[k]) == 0) {
				char found[200];
				snprintf(found, sizeof found, "\"%s\", whose id '%s' is also that of \"%s\"",
					 names[k], ids[k], names[j]);
				return fail(L, ns, file, full, "a unique name", found);
			}
		*count = k + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- sections */

static const char *const top_keys[] = {"name", "description", "time", "integrator", "model",
				       "focal", "domains", "vectors", "events", "series", "noise",
				       NULL};
static const char *const whatif_keys[] = {"base", "name", "description", "overrides", "events",
					  "series", NULL};

static void set_defaults(struct mv_scenario *sc)
{
	int n = sc->nvec, D = sc->ndom;
	double *v = sc->val;

	for (int s = 0; s < sc->nval; s++) {
		v[s] = 0.0;
		sc->src[s] = (struct mv_src){MV_SRC_DEFAULT, -1, 0, -1};
	}
	v[MV_G_RTOL] = 1e-8;
	v[MV_G_ATOL] = 1e-10;
	v[MV_G_INITIAL_STEP] = 0.01;
	v[MV_G_NOISE_CORR] = 1.0;
	v[MV_G_NOISE_STEP] = 1.0 / 12.0;
	v[MV_G_NOISE_SEED] = 1.0;
	v[MV_G_ALPHA] = 1.0;
	v[MV_G_GAMMA] = 1.0;
	for (int i = 0; i < n; i++)
		v[mv_key_ideal(n, D, i)] = 1.0 / n;
	for (int d = 0; d < D; d++) {
		v[mv_key_dom_weight(n, D, d)] = 1.0;
		v[mv_key_dom_inertia(n, D, d)] = 1.0;
	}
	for (int i = 0; i < n; i++) {
		v[mv_key_vec(n, D, i, MV_VP_ANGLE)] = fmod(90.0 + 360.0 * i / n, 360.0);
		v[mv_key_vec(n, D, i, MV_VP_DISTANCE)] = 1.0;
		v[mv_key_vec(n, D, i, MV_VP_EFFORT_DECAY)] = 1.0;
		v[mv_key_vec(n, D, i, MV_VP_TENSION_DECAY)] = 1.0;
		v[mv_key_vec(n, D, i, MV_VP_HAZARD_THRESHOLD)] = 1.0;
		v[mv_key_vec(n, D, i, MV_VP_HAZARD_WIDTH)] = 0.1;
	}
	snprintf(sc->method, sizeof sc->method, "rk8pd");
	sc->method_src = (struct mv_src){MV_SRC_DEFAULT, -1, 0, -1};
}

static int known_integrator(const char *name)
{
	for (const char *const *n = mv_integrator_names; *n; n++)
		if (strcmp(*n, name) == 0)
			return 1;
	return 0;
}

static int integrator_list(char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "one of");
	for (const char *const *n = mv_integrator_names; *n && used < size; n++)
		used += (size_t)snprintf(buf + used, size - used, "%s %s",
					 n == mv_integrator_names ? "" : ",", *n);
	return 0;
}

static int read_time_model_focal(struct loader *L, const config_setting_t *root, int file)
{
	struct mv_scenario *sc = L->sc;
	int n = sc->nvec, D = sc->ndom, bad;
	const config_setting_t *g;
	static const char *const time_keys[] = {"start", "end", "output_step", "spinup", NULL};
	static const char *const integ_keys[] = {"method", "rtol", "atol", "initial_step", NULL};
	static const char *const model_keys[] = {"alpha", "gamma", "beta", NULL};
	static const char *const focal_keys[] = {"name", "autonomy", "ideal", NULL};
	static const char *const noise_keys[] = {"sigma", "correlation", "step", "seed", NULL};

	g = get_group(L, root, file, "time", 1, &bad);
	if (bad || check_known(L, g, file, "time", time_keys) ||
	    read_num(L, g, file, "time", "start", MV_G_START, 1) ||
	    read_num(L, g, file, "time", "end", MV_G_END, 1) ||
	    read_num(L, g, file, "time", "output_step", MV_G_OUTPUT_STEP, 1) ||
	    read_num(L, g, file, "time", "spinup", MV_G_SPINUP, 0))
		return -1;

	g = get_group(L, root, file, "integrator", 0, &bad);
	if (bad)
		return -1;
	if (g) {
		if (check_known(L, g, file, "integrator", integ_keys) ||
		    read_num(L, g, file, "integrator", "rtol", MV_G_RTOL, 0) ||
		    read_num(L, g, file, "integrator", "atol", MV_G_ATOL, 0) ||
		    read_num(L, g, file, "integrator", "initial_step", MV_G_INITIAL_STEP, 0))
			return -1;
		const config_setting_t *m = config_setting_get_member(g, "method");
		if (m) {
			char expected[256];
			integrator_list(expected, sizeof expected);
			if (config_setting_type(m) != CONFIG_TYPE_STRING)
				return fail_type(L, m, file, "integrator.method", expected);
			const char *name = config_setting_get_string(m);
			if (!known_integrator(name)) {
				char found[96];
				snprintf(found, sizeof found, "\"%.60s\"", name);
				return fail(L, m, file, "integrator.method", expected, found);
			}
			snprintf(sc->method, sizeof sc->method, "%s", name);
			sc->method_src = (struct mv_src){MV_SRC_FILE, (short)file,
							 config_setting_source_line(m), -1};
		}
	}

	g = get_group(L, root, file, "model", 0, &bad);
	if (bad || (g && (check_known(L, g, file, "model", model_keys) ||
			  read_num(L, g, file, "model", "alpha", MV_G_ALPHA, 0) ||
			  read_num(L, g, file, "model", "gamma", MV_G_GAMMA, 0) ||
			  read_num(L, g, file, "model", "beta", MV_G_BETA, 0))))
		return -1;

	g = get_group(L, root, file, "focal", 0, &bad);
	if (bad)
		return -1;
	if (g) {
		struct slot_ctx c = {n, D, 0};
		char expected_n[32];
		snprintf(expected_n, sizeof expected_n, "vector");
		if (check_known(L, g, file, "focal", focal_keys) ||
		    read_str(L, g, file, "focal", "name", &sc->focal_name, 0, NULL) ||
		    read_num(L, g, file, "focal", "autonomy", MV_G_AUTONOMY, 0) ||
		    read_array(L, g, file, "focal", "ideal", n, expected_n, slot_ideal, &c, 0))
			return -1;
	}

	g = get_group(L, root, file, "noise", 0, &bad);
	if (bad || (g && (check_known(L, g, file, "noise", noise_keys) ||
			  read_num(L, g, file, "noise", "sigma", MV_G_NOISE_SIGMA, 0) ||
			  read_num(L, g, file, "noise", "correlation", MV_G_NOISE_CORR, 0) ||
			  read_num(L, g, file, "noise", "step", MV_G_NOISE_STEP, 0) ||
			  read_num(L, g, file, "noise", "seed", MV_G_NOISE_SEED, 0))))
		return -1;
	return 0;
}

static int read_domains(struct loader *L, const config_setting_t *root, int file)
{
	struct mv_scenario *sc = L->sc;
	const config_setting_t *list = config_setting_get_member(root, "domains");
	static const char *const dom_keys[] = {"name", "weight", "inertia", NULL};
	char path[96];

	for (int d = 0; d < sc->ndom; d++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)d);
		snprintf(path, sizeof path, "domains.%s", sc->dom_id[d]);
		if (check_known(L, g, file, path, dom_keys) ||
		    read_num(L, g, file, path, "weight",
			     mv_key_dom_weight(sc->nvec, sc->ndom, d), 0) ||
		    read_num(L, g, file, path, "inertia",
			     mv_key_dom_inertia(sc->nvec, sc->ndom, d), 0))
			return -1;
	}
	return 0;
}

static int read_vectors(struct loader *L, const config_setting_t *root, int file)
{
	struct mv_scenario *sc = L->sc;
	int n = sc->nvec, D = sc->ndom;
	const config_setting_t *list = config_setting_get_member(root, "vectors");
	static const char *const vec_keys[] = {
		"name", "angle", "mass", "growth", "distance", "connectivity", "salience",
		"initial", "aspiration", "responsiveness", "effort_decay", "effort", "red_line",
		"coercion", "tension_decay", "tension", "restraint", "hazard", "noise_sigma", NULL};
	static const struct {
		const char *name;
		int p, required;
	} scalars[] = {
		{"angle", MV_VP_ANGLE, 0}, {"mass", MV_VP_MASS, 1},
		{"growth", MV_VP_GROWTH, 0}, {"distance", MV_VP_DISTANCE, 0},
		{"connectivity", MV_VP_CONNECTIVITY, 0}, {"aspiration", MV_VP_ASPIRATION, 0},
		{"responsiveness", MV_VP_RESPONSIVENESS, 0},
		{"effort_decay", MV_VP_EFFORT_DECAY, 0}, {"effort", MV_VP_EFFORT, 0},
		{"red_line", MV_VP_RED_LINE, 0}, {"coercion", MV_VP_COERCION, 0},
		{"tension_decay", MV_VP_TENSION_DECAY, 0}, {"tension", MV_VP_TENSION, 0},
		{"noise_sigma", MV_VP_NOISE_SIGMA, 0},
	};
	static const char *const hazard_keys[] = {"max", "threshold", "width", NULL};
	char path[96], sub[128];

	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct slot_ctx c = {n, D, i};
		int bad;

		snprintf(path, sizeof path, "vectors.%s", sc->vec_id[i]);
		if (check_known(L, g, file, path, vec_keys))
			return -1;
		for (size_t k = 0; k < sizeof scalars / sizeof scalars[0]; k++)
			if (read_num(L, g, file, path, scalars[k].name,
				     mv_key_vec(n, D, i, scalars[k].p), scalars[k].required))
				return -1;
		if (read_array(L, g, file, path, "salience", D, "domain", slot_salience, &c, 1) ||
		    read_array(L, g, file, path, "initial", D, "domain", slot_share, &c, 1))
			return -1;

		snprintf(sub, sizeof sub, "%s.hazard", path);
		const config_setting_t *h = config_setting_get_member(g, "hazard");
		if (h) {
			if (config_setting_type(h) != CONFIG_TYPE_GROUP)
				return fail_type(L, h, file, sub, "a group { max = ...; ... }");
			if (check_known(L, h, file, sub, hazard_keys) ||
			    read_num(L, h, file, sub, "max", mv_key_vec(n, D, i, MV_VP_HAZARD_MAX), 0) ||
			    read_num(L, h, file, sub, "threshold",
				     mv_key_vec(n, D, i, MV_VP_HAZARD_THRESHOLD), 0) ||
			    read_num(L, h, file, sub, "width",
				     mv_key_vec(n, D, i, MV_VP_HAZARD_WIDTH), 0))
				return -1;
		}

		snprintf(sub, sizeof sub, "%s.restraint", path);
		const config_setting_t *r = get_group(L, g, file, "restraint", 0, &bad);
		if (bad) {
			/* get_group names the setting without its vector; name it fully. */
			return fail_type(L, config_setting_get_member(g, "restraint"), file, sub,
					 "a group { <vector id> = number; ... }");
		}
		for (int k = 0; r && k < config_setting_length(r); k++) {
			const config_setting_t *e = config_setting_get_elem(r, (unsigned)k);
			const char *other = config_setting_name(e);
			char full[256];
			int j;
			snprintf(full, sizeof full, "%s.%s", sub, other);
			for (j = 0; j < n; j++)
				if (strcmp(sc->vec_id[j], other) == 0)
					break;
			if (j == n) {
				char expected[64 + MV_MAX_VECTORS * (MV_MAX_NAME + 2)];
				size_t used = (size_t)snprintf(expected, sizeof expected,
							       "the id of another vector (");
				for (int q = 0; q < n; q++)
					if (q != i)
						used += (size_t)snprintf(expected + used,
									 sizeof expected - used, "%s%s",
									 sc->vec_id[q],
									 q == n - 1 || (q == n - 2 && i == n - 1) ? ")" : ", ");
				return fail(L, e, file, full, expected, "an unknown vector");
			}
			if (j == i)
				return fail(L, e, file, full, "the id of another vector",
					    "the vector itself");
			if (!mv_cfg_is_number(e))
				return fail_type(L, e, file, full, "a number");
			double v = mv_cfg_number(e);
			if (!isfinite(v))
				return fail(L, e, file, full, "a finite number", "a non-finite value");
			set_val(L, mv_key_restraint(n, D, i, j), v, MV_SRC_FILE, file,
				config_setting_source_line(e));
		}
	}
	return 0;
}

/* Finds a key for an override or event, with a "did you mean" on failure. */
static const struct mv_key *find_key(struct loader *L, const config_setting_t *s, int file,
				     const char *path)
{
	char found[300];

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail_type(L, s, file, path, "a key string such as \"vectors.russia.coercion\"");
		return NULL;
	}
	const char *name = config_setting_get_string(s);
	const struct mv_key *k = mv_keytab_find(&L->kt, name);
	if (k)
		return k;
	const struct mv_key *sug = mv_keytab_suggest(&L->kt, name);
	snprintf(found, sizeof found, "unknown key '%.100s'%s%.100s%s", name,
		 sug ? "; did you mean '" : "", sug ? sug->name : "", sug ? "'?" : "");
	fail(L, s, file, path, "a key of this scenario (mvsim keys SCENARIO lists them)", found);
	return NULL;
}

static int read_overrides(struct loader *L, const config_setting_t *root, int file)
{
	const config_setting_t *list = config_setting_get_member(root, "overrides");
	static const char *const ov_keys[] = {"key", "value", NULL};
	char path[64], sub[80];

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return fail_type(L, list, file, "overrides",
				 "a list ( { key = \"...\"; value = ...; }, ... )");
	for (int k = 0; k < config_setting_length(list); k++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)k);
		snprintf(path, sizeof path, "overrides[%d]", k);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return fail_type(L, g, file, path, "a group { key = \"...\"; value = ...; }");
		if (check_known(L, g, file, path, ov_keys))
			return -1;
		const config_setting_t *ks = config_setting_get_member(g, "key");
		const config_setting_t *vs = config_setting_get_member(g, "value");
		snprintf(sub, sizeof sub, "%s.key", path);
		if (ks == NULL)
			return fail(L, g, file, sub, "a key string", "nothing (required)");
		const struct mv_key *key = find_key(L, ks, file, sub);
		if (key == NULL)
			return -1;
		snprintf(sub, sizeof sub, "%s.value", path);
		if (vs == NULL)
			return fail(L, g, file, sub, "a number", "nothing (required)");
		if (!mv_cfg_is_number(vs))
			return fail_type(L, vs, file, sub, "a number");
		double v = mv_cfg_number(vs);
		if (!isfinite(v))
			return fail(L, vs, file, sub, "a finite number", "a non-finite value");
		set_val(L, key->index, v, MV_SRC_OVERRIDE, file, config_setting_source_line(vs));
	}
	return 0;
}

static int read_events(struct loader *L, const config_setting_t *root, int file)
{
	struct mv_scenario *sc = L->sc;
	const config_setting_t *list = config_setting_get_member(root, "events");
	static const char *const ev_keys[] = {"at", "over", "key", "set", "add", "mul", "label",
					      NULL};
	static const char *const ops[] = {"set", "add", "mul"};
	char path[64], sub[80];

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return fail_type(L, list, file, "events",
				 "a list ( { at = ...; key = \"...\"; add = ...; }, ... )");
	int len = config_setting_length(list);
	if (sc->nevents + len > MV_MAX_EVENTS) {
		char found[64];
		snprintf(found, sizeof found, "%d in all", sc->nevents + len);
		return fail(L, list, file, "events", "at most 4096 events", found);
	}
	if (sc->nevents + len > L->nevents_cap) {
		int cap = sc->nevents + len;
		struct mv_event *e = realloc(sc->events, (size_t)cap * sizeof *e);
		if (e == NULL)
			return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
		sc->events = e;
		L->nevents_cap = cap;
	}
	for (int k = 0; k < len; k++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)k);
		struct mv_event ev = {0};
		snprintf(path, sizeof path, "events[%d]", k);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return fail_type(L, g, file, path, "a group { at = ...; key = ...; ... }");
		if (check_known(L, g, file, path, ev_keys))
			return -1;

		const config_setting_t *ks = config_setting_get_member(g, "key");
		snprintf(sub, sizeof sub, "%s.key", path);
		if (ks == NULL)
			return fail(L, g, file, sub, "a key string", "nothing (required)");
		const struct mv_key *key = find_key(L, ks, file, sub);
		if (key == NULL)
			return -1;
		if (key->kind == MV_KEY_SETTING) {
			char found[200];
			snprintf(found, sizeof found, "the setting '%s' (settings cannot change during a run)",
				 key->name);
			return fail(L, ks, file, sub, "a parameter or state key", found);
		}
		if (key->kind == MV_KEY_SHARE) {
			char found[200];
			snprintf(found, sizeof found,
				 "the share '%s' (shares change only through the dynamics; override its initial value instead)",
				 key->name);
			return fail(L, ks, file, sub, "a parameter or state key", found);
		}
		ev.key = key->index;

		const config_setting_t *at = config_setting_get_member(g, "at");
		snprintf(sub, sizeof sub, "%s.at", path);
		if (at == NULL)
			return fail(L, g, file, sub, "a time in years", "nothing (required)");
		if (!mv_cfg_is_number(at))
			return fail_type(L, at, file, sub, "a time in years");
		ev.at = mv_cfg_number(at);
		if (!isfinite(ev.at))
			return fail(L, at, file, sub, "a finite number", "a non-finite value");

		const config_setting_t *over = config_setting_get_member(g, "over");
		snprintf(sub, sizeof sub, "%s.over", path);
		if (over) {
			if (!mv_cfg_is_number(over))
				return fail_type(L, over, file, sub, "a duration in years >= 0");
			ev.over = mv_cfg_number(over);
			if (!isfinite(ev.over) || ev.over < 0) {
				char found[64];
				snprintf(found, sizeof found, "%g", ev.over);
				return fail(L, over, file, sub, "a duration in years >= 0", found);
			}
			if (ev.over > 0 && key->kind == MV_KEY_STATE) {
				char found[200];
				snprintf(found, sizeof found, "%g on the state key '%s' (a state changes by jumps)",
					 ev.over, key->name);
				return fail(L, over, file, sub, "0 (no ramp)", found);
			}
		}

		int nops = 0;
		const config_setting_t *opset = NULL;
		for (int o = 0; o < 3; o++) {
			const config_setting_t *s = config_setting_get_member(g, ops[o]);
			if (s) {
				nops++;
				opset = s;
				ev.op = o;
			}
		}
		if (nops != 1) {
			char found[64];
			snprintf(found, sizeof found, "%s", nops == 0 ? "none" : "several");
			return fail(L, g, file, path, "exactly one of set, add, mul", found);
		}
		snprintf(sub, sizeof sub, "%s.%s", path, ops[ev.op]);
		if (!mv_cfg_is_number(opset))
			return fail_type(L, opset, file, sub, "a number");
		ev.x = mv_cfg_number(opset);
		if (!isfinite(ev.x))
			return fail(L, opset, file, sub, "a finite number", "a non-finite value");

		char *label = NULL;
		if (read_str(L, g, file, path, "label", &label, 0, NULL))
			return -1;
		ev.label = label ? label : strdup("");
		if (ev.label == NULL)
			return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
		ev.file = file;
		ev.line = config_setting_source_line(g);
		ev.order = L->order++;
		sc->events[sc->nevents++] = ev;
	}
	return 0;
}

/* Joins base (relative to the directory of from) into out. */
static void join_relative(const char *from, const char *base, char *out, size_t size);

/* Is slot the mass of a vector? Returns the vector, or -1. */
static int mass_vector(const struct mv_scenario *sc, int slot)
{
	for (int i = 0; i < sc->nvec; i++)
		if (slot == mv_key_vec(sc->nvec, sc->ndom, i, MV_VP_MASS))
			return i;
	return -1;
}

static int read_series(struct loader *L, const config_setting_t *root, int file)
{
	struct mv_scenario *sc = L->sc;
	const config_setting_t *list = config_setting_get_member(root, "series");
	static const char *const se_keys[] = {"key", "file", "column", "scale", NULL};
	char path[64], sub[80];

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return fail_type(L, list, file, "series",
				 "a list ( { key = \"...\"; file = \"...\"; column = \"...\"; }, ... )");
	int len = config_setting_length(list);
	if (sc->nseries + len > MV_MAX_SERIES) {
		char found[64];
		snprintf(found, sizeof found, "%d in all", sc->nseries + len);
		return fail(L, list, file, "series", "at most 256 series", found);
	}
	struct mv_series *grown = realloc(sc->series, (size_t)(sc->nseries + len + 1) * sizeof *grown);
	if (grown == NULL)
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	sc->series = grown;
	for (int k = 0; k < len; k++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)k);
		struct mv_series s = {0};
		snprintf(path, sizeof path, "series[%d]", k);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return fail_type(L, g, file, path, "a group { key = ...; file = ...; column = ...; }");
		if (check_known(L, g, file, path, se_keys))
			return -1;
		const config_setting_t *ks = config_setting_get_member(g, "key");
		snprintf(sub, sizeof sub, "%s.key", path);
		if (ks == NULL)
			return fail(L, g, file, sub, "a key string", "nothing (required)");
		const struct mv_key *key = find_key(L, ks, file, sub);
		if (key == NULL)
			return -1;
		s.vector = mass_vector(sc, key->index);
		if (key->kind != MV_KEY_PARAM && s.vector < 0) {
			char found[200];
			snprintf(found, sizeof found, "the %s key '%s'",
				 key->kind == MV_KEY_SETTING ? "setting" : key->kind == MV_KEY_SHARE ? "share" : "state",
				 key->name);
			return fail(L, ks, file, sub, "a parameter or a mass key", found);
		}
		for (int q = 0; q < sc->nseries; q++)
			if (sc->series[q].key == key->index) {
				char found[300];
				snprintf(found, sizeof found, "a second series on '%s' (the first: %s:%d)",
					 key->name, sc->files[sc->series[q].file], sc->series[q].line);
				return fail(L, ks, file, sub, "one series per key", found);
			}
		s.key = key->index;
		s.scale = 1.0;
		const config_setting_t *sv = config_setting_get_member(g, "scale");
		if (sv) {
			snprintf(sub, sizeof sub, "%s.scale", path);
			if (!mv_cfg_is_number(sv))
				return fail_type(L, sv, file, sub, "a number");
			s.scale = mv_cfg_number(sv);
			if (!isfinite(s.scale))
				return fail(L, sv, file, sub, "a finite number", "a non-finite value");
		}
		char *rel = NULL;
		if (read_str(L, g, file, path, "file", &rel, 1, NULL) ||
		    read_str(L, g, file, path, "column", &s.column, 1, NULL)) {
			free(rel);
			free(s.column);
			return -1;
		}
		char full[4096];
		join_relative(sc->files[file], rel, full, sizeof full);
		free(rel);
		s.path = strdup(full);
		s.file = file;
		s.line = config_setting_source_line(g);
		FILE *probe = s.path ? fopen(s.path, "r") : NULL;
		if (s.path && probe == NULL) {
			char found[600];
			snprintf(found, sizeof found, "'%.500s' (%s)", s.path, strerror(errno));
			snprintf(sub, sizeof sub, "%s.file", path);
			mv_series_free_data(&s);
			return fail(L, config_setting_get_member(g, "file"), file, sub,
				    "a readable data file", found);
		}
		if (probe)
			fclose(probe);
		if (s.path == NULL ||
		    mv_series_read(s.path, s.column, s.scale, &s.t, &s.v, &s.npts, L->err)) {
			if (s.path == NULL)
				mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
			mv_series_free_data(&s);
			return -1;
		}
		sc->series[sc->nseries] = s;
		sc->src[s.key] = (struct mv_src){MV_SRC_SERIES, (short)file, s.line, sc->nseries};
		sc->nseries++;
	}
	return 0;
}

/* ---------------------------------------------------------------- files */

static int add_file(struct loader *L, const char *path)
{
	struct mv_scenario *sc = L->sc;
	char **f = realloc(sc->files, (size_t)(sc->nfiles + 1) * sizeof *f);

	if (f == NULL)
		return -1;
	sc->files = f;
	if ((sc->files[sc->nfiles] = strdup(path)) == NULL)
		return -1;
	return sc->nfiles++;
}

/* Joins base (relative to the directory of from) into out. */
static void join_relative(const char *from, const char *base, char *out, size_t size)
{
	const char *slash = strrchr(from, '/');

	if (base[0] == '/' || slash == NULL)
		snprintf(out, size, "%s", base);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - from), from, base);
}

/* Reads file number `file`; the top file's bytes are hashed as they are read (the run's
 * `# sha256`), so no file is read twice. */
static int open_config(struct loader *L, config_t *cfg, const char *path, int file)
{
	return mv_cfg_read_sha(cfg, path, "scenario", file == L->sc->top ? L->sc->sha256 : NULL,
			       L->err);
}

static int load_file(struct loader *L, const char *path);

static int load_full(struct loader *L, config_t *cfg, int file)
{
	struct mv_scenario *sc = L->sc;
	const config_setting_t *root = config_root_setting(cfg);
	int line = 0;

	if (check_known(L, root, file, "", top_keys) ||
	    read_str(L, root, file, "", "name", &sc->name, 1, &line) ||
	    read_str(L, root, file, "", "description", &sc->description, 0, NULL))
		return -1;
	sc->name_src = (struct mv_src){MV_SRC_FILE, (short)file, line, -1};
	if (read_names(L, root, file, "domains", 1, MV_MAX_DOMAINS, sc->dom_name, sc->dom_id,
		       &sc->ndom) ||
	    read_names(L, root, file, "vectors", 2, MV_MAX_VECTORS, sc->vec_name, sc->vec_id,
		       &sc->nvec))
		return -1;
	sc->nval = mv_key_nslots(sc->nvec, sc->ndom);
	sc->val = malloc((size_t)sc->nval * sizeof *sc->val);
	sc->src = malloc((size_t)sc->nval * sizeof *sc->src);
	if (sc->val == NULL || sc->src == NULL)
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	set_defaults(sc);
	if (mv_keytab_build(sc, &L->kt, L->err))
		return -1;
	L->have_kt = 1;
	if (read_time_model_focal(L, root, file) || read_domains(L, root, file) ||
	    read_vectors(L, root, file) || read_events(L, root, file) ||
	    read_series(L, root, file))
		return -1;
	return 0;
}

static int load_whatif(struct loader *L, config_t *cfg, int file, const config_setting_t *b)
{
	struct mv_scenario *sc = L->sc;
	const config_setting_t *root = config_root_setting(cfg);
	char basepath[4096];
	int line = 0;

	/* A what-if changes its base through overrides, not by restating settings. */
	for (int k = 0; k < config_setting_length(root); k++) {
		const config_setting_t *m = config_setting_get_elem(root, (unsigned)k);
		const char *nm = config_setting_name(m);
		int allowed = 0, scenario = 0;
		for (const char *const *w = whatif_keys; *w; w++)
			allowed |= strcmp(*w, nm) == 0;
		for (const char *const *t = top_keys; *t; t++)
			scenario |= strcmp(*t, nm) == 0;
		if (!allowed && scenario)
			return fail(L, m, file, nm,
				    "only base, name, description, overrides, events, series in a file with "
				    "a base (change its values with overrides)",
				    "a scenario setting");
	}
	if (check_known(L, root, file, "", whatif_keys))
		return -1;
	if (config_setting_type(b) != CONFIG_TYPE_STRING)
		return fail_type(L, b, file, "base", "a path to the base scenario");
	join_relative(sc->files[file], config_setting_get_string(b), basepath, sizeof basepath);
	FILE *f = fopen(basepath, "r");
	if (f == NULL) {
		char found[600];
		snprintf(found, sizeof found, "%.500s (%s)", basepath, strerror(errno));
		return fail(L, b, file, "base", "a readable scenario file", found);
	}
	fclose(f);
	char *real = realpath(basepath, NULL);
	for (int k = 0; real && k < L->depth; k++)
		if (strcmp(L->chain[k], real) == 0) {
			char found[600];
			snprintf(found, sizeof found, "'%.500s', which is already in the chain", basepath);
			free(real);
			return fail(L, b, file, "base", "a chain of bases without cycles", found);
		}
	free(real);
	if (L->depth > MV_MAX_BASES) {
		char found[64];
		snprintf(found, sizeof found, "more than %d", MV_MAX_BASES);
		return fail(L, b, file, "base", "at most 16 nested bases", found);
	}
	if (load_file(L, basepath))
		return -1;
	char *name = NULL;
	if (read_str(L, root, file, "", "name", &name, 0, &line))
		return -1;
	if (name) {
		free(sc->name);
		sc->name = name;
		sc->name_src = (struct mv_src){MV_SRC_FILE, (short)file, line, -1};
	}
	if (config_setting_get_member(root, "description")) {
		free(sc->description);
		sc->description = NULL;
		if (read_str(L, root, file, "", "description", &sc->description, 0, NULL))
			return -1;
	}
	return read_overrides(L, root, file) || read_events(L, root, file) ||
			       read_series(L, root, file)
		       ? -1
		       : 0;
}

static int load_file(struct loader *L, const char *path)
{
	config_t cfg;
	char *real = realpath(path, NULL);

	if (real == NULL)
		return mv_error_set(L->err, MV_EXIT_INPUT, "%s: cannot open scenario: %s", path,
				    strerror(errno));
	/* load_whatif has checked cycles and depth against the `base` line. */
	L->chain[L->depth++] = real;
	int file = add_file(L, path);
	if (file < 0)
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	if (open_config(L, &cfg, path, file))
		return -1;
	const config_setting_t *b = config_setting_get_member(config_root_setting(&cfg), "base");
	int rc = b ? load_whatif(L, &cfg, file, b) : load_full(L, &cfg, file);
	config_destroy(&cfg);
	L->depth--;
	free(L->chain[L->depth]);
	L->chain[L->depth] = NULL;
	return rc;
}

/* ---------------------------------------------------------------- validation */

/* A value's origin as a message prefix: "file:line: setting 'key'" or "--set 'arg'". */
static void where(const struct mv_scenario *sc, struct mv_src src, const char *key, char *buf,
		  size_t size)
{
	switch (src.kind) {
	case MV_SRC_SET:
		snprintf(buf, size, "--set '%s'", src.arg >= 0 ? sc->sets[src.arg] : key);
		break;
	case MV_SRC_FILE:
	case MV_SRC_OVERRIDE:
	case MV_SRC_SERIES:
		snprintf(buf, size, "%s:%d: setting '%s'", sc->files[src.file], src.line, key);
		break;
	default:
		snprintf(buf, size, "%s: setting '%s' (default)",
			 sc->files ? sc->files[sc->top] : "scenario", key);
	}
}

/* The most specific origin among slots: --set over overrides over file lines. */
static struct mv_src latest(const struct mv_scenario *sc, const int *slots, int count)
{
	struct mv_src best = sc->src[slots[0]];

	for (int k = 1; k < count; k++) {
		struct mv_src s = sc->src[slots[k]];
		if (s.kind > best.kind || (s.kind == best.kind && s.line > best.line))
			best = s;
	}
	return best;
}

static const struct mv_series *series_on(const struct mv_scenario *sc, int slot)
{
	for (int q = 0; q < sc->nseries; q++)
		if (sc->series[q].key == slot)
			return &sc->series[q];
	return NULL;
}

/* Folds the events on key slot over its base value (or series) at time t. */
static double fold(const struct mv_scenario *sc, int slot, double base, double t)
{
	const struct mv_series *s = series_on(sc, slot);
	double v = s ? mv_series_interp(s, t) : base;
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		if (e->key != slot || e->at > t)
			continue;
		double f = e->over > 0 ? fmin(fmax((t - e->at) / e->over, 0.0), 1.0) : 1.0;
		if (e->op == MV_OP_ADD)
			v += f * e->x;
		else if (e->op == MV_OP_MUL)
			v *= 1 + f * (e->x - 1);
		else
			v += f * (e->x - v);
	}
	return v;
}

/* Sums that must stay positive: the ideal mix, the domain weights, each domain's saliences.
 * v holds the values to check; e, when not NULL, is the event that produced them at time t. */
static int positive_sums(const struct mv_scenario *sc, const double *v, const struct mv_event *e,
			 double t, struct mv_error *err)
{
	int n = sc->nvec, D = sc->ndom;
	int slots[MV_MAX_VECTORS > MV_MAX_DOMAINS ? MV_MAX_VECTORS : MV_MAX_DOMAINS];
	char at[512], key[128], what[128];
	double sum = 0;

	for (int i = 0; i < n; i++)
		sum += v[slots[i] = mv_key_ideal(n, D, i)];
	if (!(sum > 0)) {
		snprintf(key, sizeof key, "focal.ideal");
		snprintf(what, sizeof what, "at least one weight > 0");
		goto bad;
	}
	sum = 0;
	for (int d = 0; d < D; d++)
		sum += v[slots[d] = mv_key_dom_weight(n, D, d)];
	if (!(sum > 0)) {
		snprintf(key, sizeof key, "domains.*.weight");
		snprintf(what, sizeof what, "at least one domain weight > 0");
		n = D;
		goto bad;
	}
	for (int d = 0; d < D; d++) {
		sum = 0;
		for (int i = 0; i < n; i++)
			sum += v[slots[i] = mv_key_salience(n, D, i, d)];
		if (!(sum > 0)) {
			snprintf(key, sizeof key, "vectors.*.salience.%s", sc->dom_id[d]);
			snprintf(what, sizeof what, "at least one salience > 0 in domain %s",
				 sc->dom_id[d]);
			goto bad;
		}
	}
	return 0;
bad:
	if (e)
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s:%d: event on '%s': expected %s, found all 0 at t=%.10g",
				    sc->files[e->file], e->line, key, what, t);
	where(sc, latest(sc, slots, n), key, at, sizeof at);
	return mv_error_set(err, MV_EXIT_INPUT, "%s: expected %s, found all 0", at, what);
}

int mv_config_validate(const struct mv_scenario *sc, const struct mv_keytab *kt,
		       struct mv_error *err)
{
	int n = sc->nvec, D = sc->ndom;
	const double *v = sc->val;
	char at[512];

	for (int k = 0; k < kt->nkeys; k++) {
		const struct mv_key *key = &kt->keys[k];
		if (mv_rule_ok(key->rule, v[key->index]))
			continue;
		where(sc, sc->src[key->index], key->name, at, sizeof at);
		return mv_error_set(err, MV_EXIT_INPUT, "%s: expected %s, found %.10g", at,
				    mv_rule_str(key->rule), v[key->index]);
	}
	if (!(v[MV_G_END] > v[MV_G_START])) {
		where(sc, sc->src[MV_G_END], "time.end", at, sizeof at);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected a time after time.start (%.10g), found %.10g", at,
				    v[MV_G_START], v[MV_G_END]);
	}
	double nrows = floor((v[MV_G_END] - v[MV_G_START]) / v[MV_G_OUTPUT_STEP] + 1e-9) + 2;
	if (nrows > MV_MAX_ROWS + 1) { /* + 1: the last grid point may be the end itself */
		where(sc, sc->src[MV_G_OUTPUT_STEP], "time.output_step", at, sizeof at);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected at most %ld output rows, found %.0f (raise it, or shorten the run)",
				    at, MV_MAX_ROWS, nrows - 1);
	}
	if (v[MV_G_NOISE_SIGMA] > 0 && v[MV_G_NOISE_STEP] > v[MV_G_END] - v[MV_G_START]) {
		where(sc, sc->src[MV_G_NOISE_STEP], "noise.step", at, sizeof at);
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s: expected a step no longer than the horizon (%.10g years), found %.10g",
				    at, v[MV_G_END] - v[MV_G_START], v[MV_G_NOISE_STEP]);
	}
	/* Sums that must be positive: ideal mix, domain weights, each domain's saliences. */
	if (positive_sums(sc, v, NULL, 0, err))
		return -1;
	int slots[MV_MAX_VECTORS > MV_MAX_DOMAINS ? MV_MAX_VECTORS : MV_MAX_DOMAINS];
	double sum;
	for (int d = 0; d < D; d++) {
		char key[128];
		sum = 0;
		for (int i = 0; i < n; i++)
			sum += v[slots[i] = mv_key_share(n, D, i, d)];
		if (fabs(sum - 1) > SHARE_TOL) {
			snprintf(key, sizeof key, "vectors.*.share.%s", sc->dom_id[d]);
			where(sc, latest(sc, slots, n), key, at, sizeof at);
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: expected initial shares in domain %s summing to 1 (within 1e-6), found a sum of %.10g",
					    at, sc->dom_id[d], sum);
		}
	}
	/* Series: a later override or --set on a driven key would be silently ignored; values
	 * of a parameter series must satisfy the key's rule; events cannot move a driven mass. */
	for (int q = 0; q < sc->nseries; q++) {
		const struct mv_series *s = &sc->series[q];
		const struct mv_key *key = &kt->keys[kt->by_index[s->key]];
		struct mv_src src = sc->src[s->key];
		if (src.kind == MV_SRC_OVERRIDE || src.kind == MV_SRC_SET) {
			where(sc, src, key->name, at, sizeof at);
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: expected a key not driven by a data series, found '%s' (driven by %s:%s from %s:%d)",
					    at, key->name, s->path, s->column, sc->files[s->file], s->line);
		}
		for (int k = 0; s->vector < 0 && k < s->npts; k++)
			if (!mv_rule_ok(key->rule, s->v[k]))
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s: column '%s' (x%g) for '%s': expected %s, found %.10g at t=%.10g",
						    s->path, s->column, s->scale, key->name,
						    mv_rule_str(key->rule), s->v[k], s->t[k]);
		for (int k = 0; s->vector >= 0 && k < s->npts; k++)
			if (!(s->v[k] >= 0))
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s: column '%s' (x%g) for '%s': expected a number >= 0, found %.10g at t=%.10g",
						    s->path, s->column, s->scale, key->name, s->v[k], s->t[k]);
		for (int k = 0; s->vector >= 0 && k < sc->nevents; k++)
			if (sc->events[k].key == s->key)
				return mv_error_set(err, MV_EXIT_INPUT,
						    "%s:%d: event on '%s': expected no events on a mass driven by a data series, found one (the series: %s:%s)",
						    sc->files[sc->events[k].file], sc->events[k].line,
						    key->name, s->path, s->column);
	}
	/* Events must not make a sum of parameters zero (all saliences of a domain, say):
	 * check the folded values at every event's start and end. */
	double *folded = malloc((size_t)sc->nval * sizeof *folded);
	if (folded == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		if (kt->keys[kt->by_index[e->key]].kind != MV_KEY_PARAM)
			continue;
		double times[2] = {e->at, e->at + e->over};
		for (int q = 0; q < 2; q++) {
			memcpy(folded, v, (size_t)sc->nval * sizeof *folded);
			for (int j = 0; j < sc->nevents; j++)
				folded[sc->events[j].key] = fold(sc, sc->events[j].key, v[sc->events[j].key], times[q]);
			if (positive_sums(sc, folded, e, times[q], err)) {
				free(folded);
				return -1;
			}
		}
	}
	free(folded);
	/* Jumps on a state that must stay >= 0 (mass, effort): set and mul are checkable now;
	 * an add is checked when the run applies it. */
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		const struct mv_key *key = &kt->keys[kt->by_index[e->key]];
		if (key->kind != MV_KEY_STATE || key->rule != MV_RULE_NONNEG || e->op == MV_OP_ADD ||
		    e->x >= 0)
			continue;
		return mv_error_set(err, MV_EXIT_INPUT,
				    "%s:%d: event on '%s': expected a %s that keeps it >= 0, found %s %.10g",
				    sc->files[e->file], e->line, key->name,
				    e->op == MV_OP_SET ? "value" : "factor",
				    e->op == MV_OP_SET ? "set" : "mul", e->x);
	}
	/* Events must not push a parameter outside its range: check every boundary. */
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		int pos = kt->by_index[e->key];
		const struct mv_key *key = &kt->keys[pos];
		if (key->kind != MV_KEY_PARAM)
			continue;
		double times[2] = {e->at, e->at + e->over};
		for (int q = 0; q < 2; q++) {
			double x = fold(sc, e->key, v[e->key], times[q]);
			if (mv_rule_ok(key->rule, x))
				continue;
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s:%d: event on '%s': expected the value to stay %s, found %.10g at t=%.10g",
					    sc->files[e->file], e->line, key->name,
					    mv_rule_str(key->rule), x, times[q]);
		}
	}
	return 0;
}

static int cmp_event(const void *pa, const void *pb)
{
	const struct mv_event *a = pa, *b = pb;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

static int apply_sets(struct loader *L, int nsets, char *const *sets)
{
	struct mv_scenario *sc = L->sc;

	if (nsets == 0)
		return 0;
	sc->sets = calloc((size_t)nsets, sizeof *sc->sets);
	if (sc->sets == NULL)
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	for (int k = 0; k < nsets; k++) {
		const struct mv_key *key;
		double value;
		if ((sc->sets[k] = strdup(sets[k])) == NULL)
			return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
		sc->nsets = k + 1;
		if (mv_key_parse_assignment(&L->kt, sets[k], &key, &value, L->err))
			return -1;
		sc->val[key->index] = value;
		sc->src[key->index] = (struct mv_src){MV_SRC_SET, -1, 0, k};
	}
	return 0;
}

struct mv_scenario *mv_config_load(const char *path, int nsets, char *const *sets,
				   struct mv_keytab *kt, struct mv_error *err)
{
	struct loader L = {0};
	struct mv_scenario *sc = calloc(1, sizeof *sc);

	mv_error_clear(err);
	if (sc == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	L.sc = sc;
	L.err = err;
	if (load_file(&L, path) || apply_sets(&L, nsets, sets))
		goto fail;
	sc->top = 0;
	if (sc->focal_name == NULL && (sc->focal_name = strdup("Kazakhstan")) == NULL)
		goto oom;
	if (sc->description == NULL && (sc->description = strdup("")) == NULL)
		goto oom;
	if (sc->nevents > 1)
		qsort(sc->events, (size_t)sc->nevents, sizeof *sc->events, cmp_event);
	if (mv_config_validate(sc, &L.kt, err))
		goto fail;
	/* Shares within the tolerance start exactly on the simplex (MODEL.md §3). */
	for (int d = 0; d < sc->ndom; d++) {
		double sum = 0;
		for (int i = 0; i < sc->nvec; i++)
			sum += sc->val[mv_key_share(sc->nvec, sc->ndom, i, d)];
		for (int i = 0; i < sc->nvec; i++)
			sc->val[mv_key_share(sc->nvec, sc->ndom, i, d)] /= sum;
	}
	/* sc->sha256: hashed by open_config as the top file was read. */
	if (kt)
		*kt = L.kt;
	else
		mv_keytab_free(&L.kt);
	return sc;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
fail:
	for (int k = 0; k < L.depth; k++)
		free(L.chain[k]);
	if (L.have_kt)
		mv_keytab_free(&L.kt);
	mv_scenario_free(sc);
	return NULL;
}
