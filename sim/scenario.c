/* scenario.c — freeing a scenario and describing where its values came from.
 * The struct itself is plain data (scenario.h); config.c fills it. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/scenario.h"

#include "mvsim/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mv_scenario_free(struct mv_scenario *sc)
{
	if (sc == NULL)
		return;
	free(sc->name);
	free(sc->description);
	free(sc->focal_name);
	for (int i = 0; i < MV_MAX_VECTORS; i++) {
		free(sc->vec_name[i]);
		free(sc->vec_id[i]);
	}
	for (int d = 0; d < MV_MAX_DOMAINS; d++) {
		free(sc->dom_name[d]);
		free(sc->dom_id[d]);
	}
	free(sc->val);
	free(sc->src);
	for (int k = 0; k < sc->nevents; k++)
		free(sc->events[k].label);
	free(sc->events);
	for (int k = 0; k < sc->nseries; k++)
		mv_series_free_data(&sc->series[k]);
	free(sc->series);
	for (int k = 0; k < sc->nfiles; k++)
		free(sc->files[k]);
	free(sc->files);
	for (int k = 0; k < sc->nsets; k++)
		free(sc->sets[k]);
	free(sc->sets);
	free(sc->sweep_file);
	for (int k = 0; k < sc->ninputs; k++)
		free(sc->inputs[k].path);
	free(sc->inputs);
	free(sc);
}

char *mv_scenario_src_str(const struct mv_scenario *sc, struct mv_src src, char *buf, int size)
{
	switch (src.kind) {
	case MV_SRC_FILE:
		snprintf(buf, (size_t)size, "%s %s:%d", src.file == sc->top ? "file" : "base",
			 sc->files[src.file], src.line);
		break;
	case MV_SRC_OVERRIDE:
		snprintf(buf, (size_t)size, "override %s:%d", sc->files[src.file], src.line);
		break;
	case MV_SRC_SET:
		snprintf(buf, (size_t)size, "--set %s", src.arg >= 0 ? sc->sets[src.arg] : "");
		break;
	case MV_SRC_SERIES: {
		const struct mv_series *s = &sc->series[src.arg];
		snprintf(buf, (size_t)size, "series %s:%s x%g (%s %s:%d)", s->path, s->column, s->scale,
			 s->file == sc->top ? "file" : "base", sc->files[s->file], s->line);
		break;
	}
	case MV_SRC_SWEEP:
		snprintf(buf, (size_t)size, "sweep %s:%d", sc->sweep_file ? sc->sweep_file : "",
			 src.line);
		break;
	case MV_SRC_DERIVED:
		snprintf(buf, (size_t)size, "derived");
		break;
	default:
		snprintf(buf, (size_t)size, "default");
	}
	return buf;
}

const char *mv_input_role_name(int role)
{
	switch (role) {
	case MV_INPUT_BASE: return "base";
	case MV_INPUT_SERIES: return "series";
	default: return "scenario";
	}
}

int mv_scenario_add_input(struct mv_scenario *sc, int role, const char *path,
			  const char sha256[65])
{
	struct mv_input *in = realloc(sc->inputs, (size_t)(sc->ninputs + 1) * sizeof *in);

	if (in == NULL)
		return -1;
	sc->inputs = in;
	if ((in[sc->ninputs].path = strdup(path)) == NULL)
		return -1;
	in[sc->ninputs].role = role;
	memcpy(in[sc->ninputs].sha256, sha256, 65);
	sc->ninputs++;
	return 0;
}

void mv_scenario_normalise_shares(struct mv_scenario *sc)
{
	int n = sc->nvec, D = sc->ndom;

	for (int d = 0; d < D; d++) {
		if (!(sc->normalise_domains & (1u << d)))
			continue;
		double fixed = 0, rest = 0;
		for (int i = 0; i < n; i++) {
			int slot = mv_key_share(n, D, i, d);
			if (sc->src[slot].kind == MV_SRC_SWEEP)
				fixed += sc->val[slot];
			else
				rest += sc->val[slot];
		}
		if (!(rest > 0) || fixed > 1)
			continue;
		double f = (1 - fixed) / rest;
		for (int i = 0; i < n; i++) {
			int slot = mv_key_share(n, D, i, d);
			if (sc->src[slot].kind != MV_SRC_SWEEP)
				sc->val[slot] *= f;
		}
	}
}
