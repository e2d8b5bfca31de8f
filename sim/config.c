/* config.c — scenario files (libconfig) → struct mv_scenario, with every rule of docs/model.md §3.
 * Errors read `file:line: setting 'key': expected X, found Y`; libconfig is closed on return. */
#define _XOPEN_SOURCE 700 /* realpath, strdup */
#include "mvsim/cfgread.h"
#include "mvsim/config.h"
#include "mvsim/fmt.h"
#include "mvsim/infile.h"
#include "mvsim/sha256.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


struct loader {
	struct mv_scenario *sc;
	struct mv_keytab kt;
	int have_kt;
	struct mv_error *err;
	struct { dev_t dev; ino_t ino; } chain[MV_MAX_BASES + 1]; /* files being loaded, for cycles */
	int depth;
	int nevents_cap;
	int order; /* file order of events across the chain */
	int ndata;  /* data files read so far, kept while loading: each read and hashed once */
	char *data_path[MV_MAX_SERIES];
	struct mv_infile data[MV_MAX_SERIES];
};

/* ---------------------------------------------------------------- helpers */


static const char *file_of(struct loader *L, const config_setting_t *s, int file)
{
	const char *f = config_setting_source_file(s);
	return f ? f : L->sc->files[file];
}

/* Error at setting s: `file:line: setting 'path': expected <expected>, found <found>` (the
 * loader kit, cfgread.h; file: the scenario file index the setting belongs to). */
static int fail(struct loader *L, const config_setting_t *s, int file, const char *path,
		const char *expected, const char *found)
{
	struct mv_cfg_ctx c = {file_of(L, s, file), L->err};
	return mv_cfg_fail(&c, s, path, expected, found);
}

static int fail_type(struct loader *L, const config_setting_t *s, int file, const char *path,
		     const char *expected)
{
	struct mv_cfg_ctx c = {file_of(L, s, file), L->err};
	return mv_cfg_fail_type(&c, s, path, expected);
}




/* A finite number (the loader kit's mv_cfg_get_number). */
static int get_number(struct loader *L, const config_setting_t *s, int file, const char *path,
		      double *v)
{
	struct mv_cfg_ctx c = {file_of(L, s, file), L->err};
	return mv_cfg_get_number(&c, s, path, v);
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

/* A time: a number of years, or an ISO date "YYYY-MM-DD" (its decimal year, keys.c
 * mv_parse_date). A string that is no date is described as any wrong type is (`expected`). */
static int read_time(struct loader *L, const config_setting_t *s, int file, const char *full,
		     const char *expected, double *v)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *text = config_setting_get_string(s);
		int rc = mv_parse_date(text, v);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			char found[96];
			snprintf(found, sizeof found, "\"%.20s\" (no such day)", text);
			return fail(L, s, file, full, "a time in years or a date \"YYYY-MM-DD\"", found);
		}
	}
	if (!mv_cfg_is_number(s))
		return fail_type(L, s, file, full, expected);
	*v = mv_cfg_number(s);
	if (!isfinite(*v))
		return fail(L, s, file, full, "a finite number", "a non-finite value");
	return 0;
}

/* Reads member `name` of group g as a number into slot. Missing: error if required. */
static int read_num(struct loader *L, const config_setting_t *g, int file, const char *path,
		    const char *name, int slot, int required)
{
	char full[256];
	const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;

	mv_concat(full, sizeof full, path, *path ? "." : "", name, NULL);
	if (s == NULL) {
		if (!required)
			return 0;
		if (g == NULL)
			return mv_error_set(L->err, MV_EXIT_INPUT,
					    "%s: setting '%s': expected a number, found nothing (required)",
					    L->sc->files[file], full);
		return fail(L, g, file, full, "a number", "nothing (required)");
	}
	double v;
	if (slot == MV_G_START || slot == MV_G_END) { /* a time: years or an ISO date */
		if (read_time(L, s, file, full, "a number", &v))
			return -1;
		return set_val(L, slot, v, MV_SRC_FILE, file, config_setting_source_line(s));
	}
	if (get_number(L, s, file, full, &v))
			return -1;
	return set_val(L, slot, v, MV_SRC_FILE, file, config_setting_source_line(s));
}

/* Reads member `name` of g as a string, strdup'd into *out. */
static int read_str(struct loader *L, const config_setting_t *g, int file, const char *path,
		    const char *name, char **out, int required, int *line)
{
	char full[256];
	const config_setting_t *s = config_setting_get_member(g, name);

	mv_concat(full, sizeof full, path, *path ? "." : "", name, NULL);
	if (s == NULL) {
		if (!required)
			return 0;
		return fail(L, g, file, full, "a string", "nothing (required)");
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_type(L, s, file, full, "a string");
	if (strcmp(name, "description") != 0 && mv_text_has_control(config_setting_get_string(s))) {
		/* names, labels, paths and columns travel in one-line, tab-separated output */
		char q[200], found[240];
		snprintf(found, sizeof found, "\"%s\"",
			 mv_text_quote(config_setting_get_string(s), q, sizeof q));
		return fail(L, s, file, full,
			    "text without control characters (newline, tab, ...)", found);
	}
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

	mv_concat(full, sizeof full, path, ".", name, NULL);
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
		double v;
			if (get_number(L, e, file, el, &v))
				return -1;
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
		mv_concat(full, sizeof full, path, ".name", NULL);
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
			return fail(L, ns, file, full, "a name with at least one ASCII letter or digit",
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
static const char *const whatif_keys[] = {"base", "name", "description", "overrides",
					  "remove_events", "events", "series", NULL};

static void set_defaults(struct mv_scenario *sc)
{
	mv_keys_set_defaults(sc); /* the key table's defaults (keys.c) */
	snprintf(sc->method, sizeof sc->method, "rk8pd");
	sc->method_src = (struct mv_src){MV_SRC_DEFAULT, -1, 0, -1};
}

/* Reads every numeric setting of group `group` (time, integrator, model, focal, noise) that the
 * key table lists, with the table's `required`. */
static int read_group_params(struct loader *L, const config_setting_t *g, int file,
			     const char *group)
{
	const struct mv_param_def *defs;
	int n = mv_global_params(&defs);
	size_t len = strlen(group);

	for (int k = 0; k < n; k++)
		if (strncmp(defs[k].name, group, len) == 0 && defs[k].name[len] == '.' &&
		    read_num(L, g, file, group, defs[k].name + len + 1, defs[k].slot,
			     defs[k].required))
			return -1;
	return 0;
}

/* The member names group `group` may hold: `before` (NULL-terminated, non-numeric members
 * first), the key table's numeric settings of the group, then `after`. Into names (max). */
static const char *const *group_names(const char *group, const char *const *before,
				      const char *const *after, const char **names, int max)
{
	const struct mv_param_def *defs;
	int n = mv_global_params(&defs), m = 0;
	size_t len = strlen(group);

	for (; before && *before && m < max - 1; before++)
		names[m++] = *before;
	for (int k = 0; k < n && m < max - 1; k++)
		if (strncmp(defs[k].name, group, len) == 0 && defs[k].name[len] == '.')
			names[m++] = defs[k].name + len + 1;
	for (; after && *after && m < max - 1; after++)
		names[m++] = *after;
	names[m] = NULL;
	return names;
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
	static const char *const method_name[] = {"method", NULL};
	static const char *const focal_first[] = {"name", NULL}, *const focal_last[] = {"ideal", NULL};
	const char *time_keys[16], *integ_keys[16], *model_keys[16], *focal_keys[16], *noise_keys[16];
	group_names("time", NULL, NULL, time_keys, 16);
	group_names("integrator", method_name, NULL, integ_keys, 16);
	group_names("model", NULL, NULL, model_keys, 16);
	group_names("focal", focal_first, focal_last, focal_keys, 16);
	group_names("noise", NULL, NULL, noise_keys, 16);

	g = get_group(L, root, file, "time", 1, &bad);
	if (bad || check_known(L, g, file, "time", time_keys) ||
	    read_group_params(L, g, file, "time"))
		return -1;

	g = get_group(L, root, file, "integrator", 0, &bad);
	if (bad)
		return -1;
	if (g) {
		if (check_known(L, g, file, "integrator", integ_keys) ||
		    read_group_params(L, g, file, "integrator"))
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
			  read_group_params(L, g, file, "model"))))
		return -1;

	g = get_group(L, root, file, "focal", 0, &bad);
	if (bad)
		return -1;
	if (g) {
		struct slot_ctx c = {n, D, 0};
		char expected_n[32];
		mv_concat(expected_n, sizeof expected_n, "vector", NULL);
		if (check_known(L, g, file, "focal", focal_keys) ||
		    read_str(L, g, file, "focal", "name", &sc->focal_name, 0, NULL) ||
		    read_group_params(L, g, file, "focal") ||
		    read_array(L, g, file, "focal", "ideal", n, expected_n, slot_ideal, &c, 0))
			return -1;
	}

	g = get_group(L, root, file, "noise", 0, &bad);
	if (bad || (g && (check_known(L, g, file, "noise", noise_keys) ||
			  read_group_params(L, g, file, "noise"))))
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
		mv_concat(path, sizeof path, "domains.", sc->dom_id[d], NULL);
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
	/* The members of a vector group: these, in this order (as messages list them), then any
	 * parameter of the key table not among them — the table (keys.c) is the one source. */
	static const char *const listed[] = {
		"name", "angle", "mass", "growth", "distance", "connectivity", "salience",
		"initial", "aspiration", "responsiveness", "effort_decay", "effort", "red_line",
		"coercion", "tension_decay", "tension", "restraint", "hazard", "noise_sigma", NULL};
	const struct mv_param_def *defs;
	int ndefs = mv_vector_params(&defs), nvk = 0, nhk = 0;
	const char *vec_keys[64], *hazard_keys[16];
	for (; listed[nvk]; nvk++)
		vec_keys[nvk] = listed[nvk];
	for (int k = 0; k < ndefs; k++) {
		if (strncmp(defs[k].name, "hazard.", 7) == 0) {
			if (nhk < 15)
				hazard_keys[nhk++] = defs[k].name + 7;
			continue;
		}
		int seen = 0;
		for (int q = 0; q < nvk && !seen; q++)
			seen = strcmp(vec_keys[q], defs[k].name) == 0;
		if (!seen && nvk < 63)
			vec_keys[nvk++] = defs[k].name;
	}
	vec_keys[nvk] = NULL;
	hazard_keys[nhk] = NULL;
	char path[96], sub[128];

	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct slot_ctx c = {n, D, i};
		int bad;

		mv_concat(path, sizeof path, "vectors.", sc->vec_id[i], NULL);
		if (check_known(L, g, file, path, vec_keys))
			return -1;
		for (int q = 0; listed[q]; q++) /* the scalars, in the file's listed order */
			for (int k = 0; k < ndefs; k++)
				if (strcmp(defs[k].name, listed[q]) == 0 &&
				    read_num(L, g, file, path, defs[k].name,
					     mv_key_vec(n, D, i, defs[k].slot), defs[k].required))
					return -1;
		for (int k = 0; k < ndefs; k++) { /* table parameters the list does not name */
			int seen = strncmp(defs[k].name, "hazard.", 7) == 0;
			for (int q = 0; listed[q] && !seen; q++)
				seen = strcmp(defs[k].name, listed[q]) == 0;
			if (!seen && read_num(L, g, file, path, defs[k].name,
					      mv_key_vec(n, D, i, defs[k].slot), defs[k].required))
				return -1;
		}
		if (read_array(L, g, file, path, "salience", D, "domain", slot_salience, &c, 1) ||
		    read_array(L, g, file, path, "initial", D, "domain", slot_share, &c, 1))
			return -1;

		mv_concat(sub, sizeof sub, path, ".hazard", NULL);
		const config_setting_t *h = config_setting_get_member(g, "hazard");
		if (h) {
			if (config_setting_type(h) != CONFIG_TYPE_GROUP)
				return fail_type(L, h, file, sub, "a group { max = ...; ... }");
			if (check_known(L, h, file, sub, hazard_keys))
				return -1;
			for (int k = 0; k < ndefs; k++)
				if (strncmp(defs[k].name, "hazard.", 7) == 0 &&
				    read_num(L, h, file, sub, defs[k].name + 7,
					     mv_key_vec(n, D, i, defs[k].slot), defs[k].required))
					return -1;
		}

		mv_concat(sub, sizeof sub, path, ".restraint", NULL);
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
			mv_concat(full, sizeof full, sub, ".", other, NULL);
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
			double v;
				if (get_number(L, e, file, full, &v))
					return -1;
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
	char found[900];

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail_type(L, s, file, path, "a key string such as \"vectors.russia.coercion\"");
		return NULL;
	}
	const char *name = config_setting_get_string(s);
	const struct mv_key *k = mv_keytab_find(&L->kt, name);
	if (k)
		return k;
	char hint[700];
	mv_keytab_hint(&L->kt, name, hint, sizeof hint);
	snprintf(found, sizeof found, "unknown key '%.100s'%s", name, hint);
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
		mv_concat(sub, sizeof sub, path, ".key", NULL);
		if (ks == NULL)
			return fail(L, g, file, sub, "a key string", "nothing (required)");
		const struct mv_key *key = find_key(L, ks, file, sub);
		if (key == NULL)
			return -1;
		mv_concat(sub, sizeof sub, path, ".value", NULL);
		if (vs == NULL)
			return fail(L, g, file, sub, "a number", "nothing (required)");
		double v;
			if (get_number(L, vs, file, sub, &v))
				return -1;
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
		if (mv_interrupt)
			return mv_error_interrupted(L->err);
		snprintf(path, sizeof path, "events[%d]", k);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return fail_type(L, g, file, path, "a group { at = ...; key = ...; ... }");
		if (check_known(L, g, file, path, ev_keys))
			return -1;

		const config_setting_t *ks = config_setting_get_member(g, "key");
		mv_concat(sub, sizeof sub, path, ".key", NULL);
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
		mv_concat(sub, sizeof sub, path, ".at", NULL);
		if (at == NULL)
			return fail(L, g, file, sub, "a time in years", "nothing (required)");
		if (read_time(L, at, file, sub, "a time in years", &ev.at))
			return -1;

		const config_setting_t *over = config_setting_get_member(g, "over");
		mv_concat(sub, sizeof sub, path, ".over", NULL);
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
			mv_concat(found, sizeof found, nops == 0 ? "none" : "several", NULL);
			return fail(L, g, file, path, "exactly one of set, add, mul", found);
		}
		mv_concat(sub, sizeof sub, path, ".", ops[ev.op], NULL);
		if (get_number(L, opset, file, sub, &ev.x))
				return -1;

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

/* `remove_events = [ "label", ... ];` of a what-if: drops the events of its bases (read so far)
 * with those labels; a label no base event has is an error that lists the base's labels. */
static int remove_events(struct loader *L, const config_setting_t *root, int file)
{
	struct mv_scenario *sc = L->sc;
	const config_setting_t *list = config_setting_get_member(root, "remove_events");
	const char *expected = "an array of event labels [ \"label\", ... ]";

	if (list == NULL)
		return 0;
	int t = config_setting_type(list);
	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return fail_type(L, list, file, "remove_events", expected);
	int nbase = sc->nevents, len = config_setting_length(list);
	unsigned char *gone = calloc((size_t)nbase + 1, 1);
	if (gone == NULL)
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	for (int k = 0; k < len; k++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)k);
		char path[64];
		snprintf(path, sizeof path, "remove_events[%d]", k);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			free(gone);
			return fail_type(L, e, file, path, "an event label (a string)");
		}
		const char *label = config_setting_get_string(e);
		int matched = 0;
		for (int j = 0; j < nbase; j++)
			if (*label && strcmp(sc->events[j].label, label) == 0)
				gone[j] = matched = 1;
		if (matched)
			continue;
		/* the base's labels, each once, for the message and the suggestion */
		const char **names = malloc(((size_t)nbase + 1) * sizeof *names);
		char expect[700], found[300], q[120];
		int nnames = 0;
		size_t used = (size_t)mv_concat(expect, sizeof expect, "a label of the base's events (", NULL);
		for (int j = 0; names && j < nbase; j++) {
			int seen = !*sc->events[j].label;
			for (int m = 0; m < nnames && !seen; m++)
				seen = strcmp(names[m], sc->events[j].label) == 0;
			if (seen)
				continue;
			names[nnames++] = sc->events[j].label;
			if (used < sizeof expect)
				used += (size_t)snprintf(expect + used, sizeof expect - used, "%s\"%s\"",
							 nnames > 1 ? ", " : "", sc->events[j].label);
		}
		if (used < sizeof expect)
			snprintf(expect + used, sizeof expect - used, "%s)",
				 nnames ? "" : "none has a label");
		const char *sug = names ? mv_suggest(label, names, nnames) : NULL;
		snprintf(found, sizeof found, "\"%s\"%s%s%s", mv_text_quote(label, q, sizeof q),
			 sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		free(names);
		free(gone);
		return fail(L, e, file, path, expect, found);
	}
	int m = 0;
	for (int j = 0; j < nbase; j++) {
		if (gone[j]) {
			free(sc->events[j].label);
			continue;
		}
		sc->events[m++] = sc->events[j];
	}
	sc->nevents = m;
	free(gone);
	return 0;
}

/* Is slot the mass of a vector? Returns the vector, or -1. */
static int mass_vector(const struct mv_scenario *sc, int slot)
{
	for (int i = 0; i < sc->nvec; i++)
		if (slot == mv_key_vec(sc->nvec, sc->ndom, i, MV_VP_MASS))
			return i;
	return -1;
}

/* The data file at path, read (and hashed, and listed in sc->inputs) on first use only.
 * NULL with L->err set. */
static const struct mv_infile *data_file(struct loader *L, const char *path)
{
	for (int k = 0; k < L->ndata; k++)
		if (strcmp(L->data_path[k], path) == 0)
			return &L->data[k];
	if (L->ndata == MV_MAX_SERIES) /* cannot happen: one per series at most */
		return NULL;
	struct mv_infile *in = &L->data[L->ndata];
	if (mv_infile_read(path, "data file", MV_INFILE_MAX_DATA_BYTES, 0, in, L->err))
		return NULL;
	if ((L->data_path[L->ndata] = strdup(path)) == NULL ||
	    mv_scenario_add_input(L->sc, MV_INPUT_SERIES, path, in->sha256)) {
		free(L->data_path[L->ndata]);
		mv_infile_free(in);
		mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	L->ndata++;
	return in;
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
		mv_concat(sub, sizeof sub, path, ".key", NULL);
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
			mv_concat(sub, sizeof sub, path, ".scale", NULL);
			if (get_number(L, sv, file, sub, &s.scale))
					return -1;
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
		struct stat st; /* stat, not open: a FIFO must not block (the reader refuses it) */
		if (s.path && (stat(s.path, &st) != 0 || access(s.path, R_OK) != 0)) {
			char found[600];
			snprintf(found, sizeof found, "'%.500s' (%s)", s.path, strerror(errno));
			mv_concat(sub, sizeof sub, path, ".file", NULL);
			mv_series_free_data(&s);
			return fail(L, config_setting_get_member(g, "file"), file, sub,
				    "a readable data file", found);
		}
		const struct mv_infile *in = s.path ? data_file(L, s.path) : NULL;
		if (in)
			memcpy(s.sha256, in->sha256, sizeof s.sha256);
		if (in == NULL ||
		    mv_series_parse(s.path, in->text, s.column, s.scale, &s.t, &s.v, &s.npts, L->err)) {
			if (s.path == NULL || L->err->code == 0)
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
	char *joined = mv_cfg_join_dir(from, base); /* the loader kit's rule */

	snprintf(out, size, "%s", joined ? joined : base);
	free(joined);
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
	if (mv_text_has_control(config_setting_get_string(b))) {
		char q[200], found[240];
		snprintf(found, sizeof found, "\"%s\"",
			 mv_text_quote(config_setting_get_string(b), q, sizeof q));
		return fail(L, b, file, "base", "a path without control characters (newline, tab, ...)",
			    found);
	}
	join_relative(sc->files[file], config_setting_get_string(b), basepath, sizeof basepath);
	struct stat st; /* stat, not open: a FIFO must not block (load_file refuses it) */
	if (stat(basepath, &st) != 0 || access(basepath, R_OK) != 0) {
		char found[600];
		snprintf(found, sizeof found, "%.500s (%s)", basepath, strerror(errno));
		return fail(L, b, file, "base", "a readable scenario file", found);
	}
	for (int k = 0; k < L->depth; k++)
		if (L->chain[k].dev == st.st_dev && L->chain[k].ino == st.st_ino) {
			char found[600];
			snprintf(found, sizeof found, "'%.500s', which is already in the chain", basepath);
			return fail(L, b, file, "base", "a chain of bases without cycles", found);
		}
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
	return remove_events(L, root, file) || read_overrides(L, root, file) ||
			       read_events(L, root, file) || read_series(L, root, file)
		       ? -1
		       : 0;
}

static int load_file(struct loader *L, const char *path)
{
	config_t cfg;
	struct mv_infile in;

	int file = add_file(L, path);
	if (file < 0)
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	if (mv_cfg_read_file(&cfg, path, "scenario", &in, L->err))
		return -1;
	/* load_whatif has checked cycles and depth against the `base` line. */
	L->chain[L->depth].dev = in.dev;
	L->chain[L->depth].ino = in.ino;
	L->depth++;
	int rc = mv_scenario_add_input(L->sc, file == 0 ? MV_INPUT_SCENARIO : MV_INPUT_BASE, path,
				       in.sha256);
	if (file == 0)
		memcpy(L->sc->sha256, in.sha256, sizeof L->sc->sha256);
	mv_infile_free(&in);
	if (rc) {
		config_destroy(&cfg);
		return mv_error_set(L->err, MV_EXIT_FAIL, "out of memory");
	}
	const config_setting_t *b = config_setting_get_member(config_root_setting(&cfg), "base");
	rc = b ? load_whatif(L, &cfg, file, b) : load_full(L, &cfg, file);
	config_destroy(&cfg);
	L->depth--;
	return rc;
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

static void free_data(struct loader *L)
{
	for (int k = 0; k < L->ndata; k++) {
		free(L->data_path[k]);
		mv_infile_free(&L->data[k]);
	}
	L->ndata = 0;
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
	if (mv_config_validate_poll(sc, &L.kt, 1, err))
		goto fail;
	/* Shares within the tolerance start exactly on the simplex (docs/model.md §3). */
	for (int d = 0; d < sc->ndom; d++) {
		double sum = 0;
		for (int i = 0; i < sc->nvec; i++)
			sum += sc->val[mv_key_share(sc->nvec, sc->ndom, i, d)];
		for (int i = 0; i < sc->nvec; i++)
			sc->val[mv_key_share(sc->nvec, sc->ndom, i, d)] /= sum;
	}
	free_data(&L);
	if (kt)
		*kt = L.kt;
	else
		mv_keytab_free(&L.kt);
	return sc;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
fail:
	free_data(&L);
	if (L.have_kt)
		mv_keytab_free(&L.kt);
	mv_scenario_free(sc);
	return NULL;
}
