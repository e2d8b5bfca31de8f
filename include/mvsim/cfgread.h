/* cfgread.h — helpers for reading libconfig settings, shared by the scenario, sweep and fit
 * loaders, so that every file mvsim reads describes bad values the same way. */
#ifndef MVSIM_CFGREAD_H
#define MVSIM_CFGREAD_H

#include <libconfig.h>
#include <stddef.h>

/* What a setting holds, for "found ..." in messages: the number itself (%.10g), or
 * "a string ("...")", "a boolean (true)", "a group", "an array of N", "a list of N".
 * Writes into buf (size bytes) and returns it. */
const char *mv_cfg_describe(const config_setting_t *s, char *buf, size_t size);

/* Is s an integer or a floating-point setting? */
int mv_cfg_is_number(const config_setting_t *s);

/* The value of a number setting as a double (integers converted). */
double mv_cfg_number(const config_setting_t *s);

#endif
