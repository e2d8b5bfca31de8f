/* config.h — loading scenario files (libconfig) into struct mv_scenario, with validation.
 * libconfig objects never leave this module: the scenario is plain data we own. */
#ifndef MVSIM_CONFIG_H
#define MVSIM_CONFIG_H

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/scenario.h"

/* Loads the scenario at path, following `base =` chains, applying each file's
 * `overrides` and adding its `events`; then applies the --set assignments sets[0..nsets)
 * ("KEY=VALUE") and validates everything (docs/model.md §3). On success returns a new scenario
 * (free with mv_scenario_free) and, if kt is not NULL, fills its key table (free with
 * mv_keytab_free). On failure returns NULL with err set: code 2 for input errors
 * (`file:line: setting 'key': expected X, found Y`), 1 for out of memory. */
struct mv_scenario *mv_config_load(const char *path, int nsets, char *const *sets,
				   struct mv_keytab *kt, struct mv_error *err);

/* Checks every value of sc against its key's rule and the rules that join keys (end after
 * start, shares summing to 1, a positive salience in each domain, events keeping parameters
 * in range). Returns 0, or -1 with err set (code 2) naming where the bad value came from.
 * mv_config_load calls it; sweeps and fits call it again after changing values. */
int mv_config_validate(const struct mv_scenario *sc, const struct mv_keytab *kt,
		       struct mv_error *err);

/* mv_config_validate that, when poll is set, also stops at mv_interrupt (with the run's
 * interruption error, code 128 + signal): mv_config_load polls, a batch's per-point check does
 * not (the batch loop itself stops on the signal). */
int mv_config_validate_poll(const struct mv_scenario *sc, const struct mv_keytab *kt, int poll,
			    struct mv_error *err);

/* Names of the GSL steppers mvsim accepts, NULL-terminated (integrate.c owns the table). */
extern const char *const mv_integrator_names[];

#endif
