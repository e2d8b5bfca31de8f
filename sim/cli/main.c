/* main.c — the mvsim executable: everything is in the library, main only exits.
 * See cli.c for the commands. */
#include "cli.h"

int main(int argc, char **argv)
{
	return mv_cli_main(argc, argv);
}
