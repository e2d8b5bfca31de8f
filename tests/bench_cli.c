/* bench_cli.c — `make bench`: how fast `mvsim run` stops on SIGINT and SIGTERM (the latency
 * from the signal to the exit), as a user meets it: spawns $MVSIM (default build/mvsim) on
 * the baseline with rk1imp (seconds of work), signals it after 0.3 s, times the wait. Prints
 * the latency of each of 5 tries and the worst; asserts nothing (timings never decide a
 * test; test_cmd_run.c checks the exit status, the message and that no temporary is left). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DIR "build/bench-cli"
#define TRIES 5

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One try: the seconds from kill(sig) to the exit, or -1 if mvsim could not be run. *status
 * receives its exit status (128 + sig is the expected one). */
static double stop_latency(const char *bin, int sig, int *status)
{
	char *argv[] = {(char *)bin, "run", "configs/kazakhstan.cfg", "-i", "rk1imp", "-o",
			DIR "/out.tsv", NULL};
	posix_spawn_file_actions_t fa;
	struct timespec nap = {0, 300 * 1000 * 1000};
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	nanosleep(&nap, NULL);
	double t0 = now();
	kill(pid, sig);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	double t = now() - t0;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return t;
}

int main(void)
{
	const char *bin = getenv("MVSIM");
	const int sigs[2] = {SIGINT, SIGTERM};
	const char *names[2] = {"SIGINT", "SIGTERM"};

	if (bin == NULL || bin[0] == '\0')
		bin = "build/mvsim";
	mkdir("build", 0777);
	mkdir(DIR, 0777);
	printf("mvsim run, baseline with rk1imp: stop latency after a signal (%d tries each)\n",
	       TRIES);
	printf("%-8s %-44s %8s %s\n", "signal", "latency of each try (ms)", "worst", "exit");
	for (int q = 0; q < 2; q++) {
		char tries[256] = "";
		double worst = 0;
		int status = 0, same = 1;
		for (int k = 0; k < TRIES; k++) {
			int st;
			double t = stop_latency(bin, sigs[q], &st);
			if (t < 0) {
				fprintf(stderr, "bench_cli: cannot run %s (set MVSIM)\n", bin);
				return 1;
			}
			size_t used = strlen(tries);
			snprintf(tries + used, sizeof tries - used, "%s%.1f", k ? " " : "", 1e3 * t);
			worst = t > worst ? t : worst;
			same &= k == 0 || st == status;
			status = st;
		}
		printf("%-8s %-44s %6.1f ms %d%s\n", names[q], tries, 1e3 * worst, status,
		       same ? "" : " (varied)");
	}
	unlink(DIR "/out.tsv");
	return 0;
}
