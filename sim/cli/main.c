/* main.c — the mvsim executable: the commands are in sim/cli/ (the table in cli.c, one
 * cmd_<name>.c each) over the library in sim/; main only exits with what they return. */
#define _POSIX_C_SOURCE 200809L /* fcntl, open */
#include "cli.h"

#include <fcntl.h>
#include <unistd.h>

/* A descriptor 0, 1 or 2 that is closed (`2>&-`) is opened on /dev/null first: otherwise the
 * first file mvsim opens becomes that descriptor, and what is printed to stdout or stderr
 * lands in it (sweep diagnostics between a summary's rows). */
static void open_standard_descriptors(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
			if (n >= 0 && n != fd) /* cannot happen: the lowest free descriptor is fd */
				close(n);
		}
}

int main(int argc, char **argv)
{
	open_standard_descriptors();
	return mv_cli_main(argc, argv);
}
