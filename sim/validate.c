/* validate.c — the rules of a scenario that join keys (docs/model.md §3, §5): every value in
 * its key's range, end after start, shares summing to 1, positive sums (ideal mix, domain
 * weights, each domain's saliences), data series and events keeping parameters in range.
 * Called after loading and again by sweeps and fits after they change values. Linear or
 * n log n in events: the events' values come from events.c's index, never a pass per event. */
#include "mvsim/config.h"

#include "mvsim/events.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARE_TOL 1e-6 /* docs/model.md §3: initial shares must sum to 1 within this */


/* A value's origin as a message prefix: "file:line: setting 'key'" or "--set 'arg'". */
static void where(const struct mv_scenario *sc, struct mv_src src, const char *key, char *buf,
		  size_t size)
{
	switch (src.kind) {
	case MV_SRC_SET:
		snprintf(buf, size, "--set '%s'", src.arg >= 0 ? sc->sets[src.arg] : key);
		break;
	case MV_SRC_SWEEP:
		snprintf(buf, size, "%s:%d: setting '%s'", sc->sweep_file ? sc->sweep_file : "sweep",
			 src.line, key);
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

/* Sums that must stay positive: the ideal mix, the domain weights, each domain's saliences.
 * v holds the values to check; e, when not NULL, is the event that produced them at time t. */
static int positive_sums(const struct mv_scenario *sc, const double *v, const struct mv_event *e,
			 double t, struct mv_error *err)
{
	int n = sc->nvec, D = sc->ndom;
	int slots[MV_MAX_VECTORS > MV_MAX_DOMAINS ? MV_MAX_VECTORS : MV_MAX_DOMAINS] = {0};
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
	return mv_config_validate_poll(sc, kt, 0, err);
}

int mv_config_validate_poll(const struct mv_scenario *sc, const struct mv_keytab *kt, int poll,
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
				    "%s: expected at most %ld output rows, found %.10g (raise it, or shorten the run)",
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
	int slots[MV_MAX_VECTORS > MV_MAX_DOMAINS ? MV_MAX_VECTORS : MV_MAX_DOMAINS] = {0};
	double sum;
	for (int d = 0; d < D; d++) {
		char key[128];
		sum = 0;
		for (int i = 0; i < n; i++)
			sum += v[slots[i] = mv_key_share(n, D, i, d)];
		if (fabs(sum - 1) > SHARE_TOL) {
			char list[MV_ERROR_MAX];
			size_t used = 0;
			snprintf(key, sizeof key, "vectors.*.share.%s", sc->dom_id[d]);
			where(sc, latest(sc, slots, n), key, at, sizeof at);
			/* every share of the domain, its value and where it came from (issue 16) */
			list[0] = '\0';
			for (int i = 0; i < n && used < sizeof list; i++) {
				char origin[300];
				struct mv_src src = sc->src[slots[i]];
				switch (src.kind) {
				case MV_SRC_SET:
					snprintf(origin, sizeof origin, "--set");
					break;
				case MV_SRC_SWEEP:
					snprintf(origin, sizeof origin, "%s:%d",
						 sc->sweep_file ? sc->sweep_file : "sweep", src.line);
					break;
				case MV_SRC_DEFAULT:
					snprintf(origin, sizeof origin, "default");
					break;
				default:
					snprintf(origin, sizeof origin, "%s:%d", sc->files[src.file], src.line);
				}
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s %.10g at %s",
							 i ? ", " : "", sc->vec_id[i], v[slots[i]], origin);
			}
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s: expected initial shares in domain %s summing to 1 (within 1e-6), found a sum of %.10g (%s)",
					    at, sc->dom_id[d], sum, list);
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
	 * check the folded values at every event's start and end. Only the parameters of the
	 * sums that events move are folded again (events.c's index: O(log m) each). */
	struct mv_event_index *ix = mv_event_index_create(sc, err);
	double *folded = malloc((size_t)sc->nval * sizeof *folded);
	int *moving = malloc((size_t)sc->nval * sizeof *moving), nmoving = 0;
	if (ix == NULL || folded == NULL || moving == NULL) {
		mv_event_index_free(ix);
		free(folded);
		free(moving);
		return ix ? mv_error_set(err, MV_EXIT_FAIL, "out of memory") : -1;
	}
	memcpy(folded, v, (size_t)sc->nval * sizeof *folded);
	for (int i = 0; i < n; i++)
		if (mv_event_index_count(ix, mv_key_ideal(n, D, i)))
			moving[nmoving++] = mv_key_ideal(n, D, i);
	for (int d = 0; d < D; d++) {
		if (mv_event_index_count(ix, mv_key_dom_weight(n, D, d)))
			moving[nmoving++] = mv_key_dom_weight(n, D, d);
		for (int i = 0; i < n; i++)
			if (mv_event_index_count(ix, mv_key_salience(n, D, i, d)))
				moving[nmoving++] = mv_key_salience(n, D, i, d);
	}
	int rc = 0;
	for (int k = 0; k < sc->nevents && rc == 0; k++) {
		const struct mv_event *e = &sc->events[k];
		if (poll && mv_interrupt) {
			rc = mv_error_interrupted(err);
			break;
		}
		if (kt->keys[kt->by_index[e->key]].kind != MV_KEY_PARAM)
			continue;
		double times[2] = {e->at, e->at + e->over};
		for (int q = 0; q < 2 && rc == 0; q++) {
			for (int m = 0; m < nmoving; m++)
				folded[moving[m]] = mv_event_index_value(ix, moving[m], times[q]);
			rc = positive_sums(sc, folded, e, times[q], err);
		}
	}
	free(folded);
	free(moving);
	if (rc) {
		mv_event_index_free(ix);
		return -1;
	}
	/* Jumps on a state that must stay >= 0 (mass, effort): set and mul are checkable now;
	 * an add is checked when the run applies it. */
	for (int k = 0; k < sc->nevents; k++) {
		const struct mv_event *e = &sc->events[k];
		const struct mv_key *key = &kt->keys[kt->by_index[e->key]];
		if (key->kind != MV_KEY_STATE || key->rule != MV_RULE_NONNEG || e->op == MV_OP_ADD ||
		    e->x >= 0)
			continue;
		mv_event_index_free(ix);
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
			double x = mv_event_index_value(ix, e->key, times[q]);
			if (mv_rule_ok(key->rule, x))
				continue;
			mv_event_index_free(ix);
			return mv_error_set(err, MV_EXIT_INPUT,
					    "%s:%d: event on '%s': expected the value to stay %s, found %.10g at t=%.10g",
					    sc->files[e->file], e->line, key->name,
					    mv_rule_str(key->rule), x, times[q]);
		}
	}
	mv_event_index_free(ix);
	return 0;
}

