/* main.c — the mvsim executable: the commands are in sim/cli/ (the table in cli.c, one
 * cmd_<name>.c each) over the library in sim/; main only exits with what they return. */
#include "cli.h"

int main(int argc, char **argv)
{
	return mv_cli_main(argc, argv);
}
