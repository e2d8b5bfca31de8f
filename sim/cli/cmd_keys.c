/* cmd_keys.c — `mvsim keys`: every key of a scenario with its kind, value, unit and meaning
 * (the names --set, events and sweeps take). */
#include "cli.h"

#include "mvsim/config.h"
#include "mvsim/keys.h"
#include "mvsim/output.h"

#include <stdio.h>
#include <stdlib.h>

const char mv_keys_usage[] =
	"mvsim keys SCENARIO\n"
	"\n"
	"Lists every key of SCENARIO with its kind, current value, unit and meaning.\n"
	"Kinds: setting (--set and overrides only), parameter (events ramp or step it),\n"
	"state (events are jumps), share (initial value only).\n"
	"\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage or input error.\n";

static const char *kind_name(int kind)
{
	static const char *const names[] = {"setting", "parameter", "state", "share"};
	return names[kind];
}

int mv_cmd_keys(int argc, char **argv)
{
	const struct mv_opt opts[] = {
		{"set", 's', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"output", 'o', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"integrator", 'i', MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"rtol", 0, MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{"atol", 0, MV_OPT_NOT_HERE, NULL, 0, 0, NULL},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	struct mv_error err = {0};
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = NULL;
	const char *scenario;
	char num[32];
	int first, rc = mv_cli_options("keys", argc, argv, opts, &first);

	if (rc >= 0 || (rc = mv_cli_one_operand("keys", argc, argv, first, "SCENARIO", &scenario)) >= 0)
		goto out;
	if ((sc = mv_config_load(scenario, 0, NULL, &kt, &err)) == NULL) {
		rc = mv_cli_report(&err);
		goto out;
	}
	printf("%-44s %-10s %-14s %-10s %s\n", "KEY", "KIND", "VALUE", "UNIT", "MEANING");
	for (int k = 0; k < kt.nkeys; k++) {
		const struct mv_key *key = &kt.keys[k];
		mv_format_number(sc->val[key->index], num);
		printf("%-44s %-10s %-14s %-10s %s\n", key->name, kind_name(key->kind), num,
		       key->unit[0] ? key->unit : "-", key->what);
	}
	rc = MV_EXIT_OK;
out:
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
	return rc;
}
