/* fuzz_keys.c — libFuzzer target: --set KEY=VALUE parsing against the baseline's key table,
 * id making, and number parsing. Input: one assignment string. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/config.h"
#include "mvsim/keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct mv_scenario *sc;
static struct mv_keytab kt;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_error err = {0};

	if (sc == NULL && (sc = mv_config_load("configs/kazakhstan.cfg", 0, NULL, &kt, &err)) == NULL)
		abort(); /* run from the repository root */
	char *s = malloc(size + 1), *id = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	const struct mv_key *key;
	double v;
	if (mv_key_parse_assignment(&kt, s, &key, &v, &err) == 0) {
		if (key == NULL || key->index < 0 || key->index >= sc->nval)
			abort();
	} else if (err.code != 2 || err.msg[0] == '\0') {
		abort();
	}
	if (mv_make_id(s, id) == 0 && (id[0] == '_' || strlen(id) > size))
		abort();
	mv_parse_number(s, &v);
	mv_keytab_suggest(&kt, s);
	free(s);
	free(id);
	return 0;
}
