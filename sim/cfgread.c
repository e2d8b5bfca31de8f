/* cfgread.c — describing and reading libconfig settings for error messages.
 * No state; see cfgread.h. */
#include "mvsim/cfgread.h"

#include <stdio.h>

const char *mv_cfg_describe(const config_setting_t *s, char *buf, size_t size)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, size, "%lld", (long long)config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, size, "%.10g", config_setting_get_float(s));
		break;
	case CONFIG_TYPE_STRING:
		snprintf(buf, size, "a string (\"%.60s\")", config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, size, "a boolean (%s)", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, size, "a group");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, size, "an array of %d", config_setting_length(s));
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, size, "a list of %d", config_setting_length(s));
		break;
	default:
		snprintf(buf, size, "an unknown type");
	}
	return buf;
}

int mv_cfg_is_number(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

double mv_cfg_number(const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		return config_setting_get_float(s);
	return (double)config_setting_get_int64(s);
}
