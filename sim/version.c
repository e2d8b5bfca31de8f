/* version.c — the version of the linked library (include/mvsim/version.h), so a program
 * can tell which release it runs with, not only which headers it was compiled against. */
#include "mvsim/version.h"

const char *mv_version(void)
{
	return MVSIM_VERSION;
}

int mv_version_number(void)
{
	return MVSIM_VERSION_NUMBER;
}
