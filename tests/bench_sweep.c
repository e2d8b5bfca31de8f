/* bench_sweep.c — `make bench`: throughput and memory of `mvsim sweep`, as a user runs it:
 * a 10,000-run LHS of the baseline (metrics only) with 1 and 2 jobs, and 10^5 runs for memory.
 * Spawns the CLI ($MVSIM, default build/mvsim) and reads its peak RSS from wait4's rusage.
 * Prints a table; asserts nothing (timings never decide a test). `--quick`: skip 10^5. */
#define _GNU_SOURCE /* wait4 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DIR "build/bench-sweep"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A sweep file of n LHS samples over three parameters of the baseline, three metrics. */
static int write_sweep(const char *path, const char *scenario, long n)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
		"scenario = \"%s\";\n"
		"sweep = {\n"
		"  method = \"lhs\"; samples = %ld; seed = 1;\n"
		"  parameters = (\n"
		"    { key = \"vectors.russia.coercion\"; min = 0.0; max = 3.0; },\n"
		"    { key = \"focal.autonomy\"; min = 0.1; max = 0.5; },\n"
		"    { key = \"vectors.china.growth\"; min = 0.02; max = 0.06; } );\n"
		"  metrics = [ \"final:crisis_prob\", \"min:n_eff\", \"cross:share_china>share_west\" ];\n"
		"};\n",
		scenario, n);
	return fclose(f);
}

struct result {
	int status;
	double seconds;
	double rss_mb;
};

/* Runs `mvsim sweep path -o out --jobs jobs --quiet`; stdout and stderr to DIR/log. */
static struct result sweep(const char *bin, const char *path, int jobs)
{
	char j[16];
	struct result r = {-1, 0, 0};
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	snprintf(j, sizeof j, "%d", jobs);
	char *argv[] = {(char *)bin, "sweep", (char *)path, "-o", DIR "/out.tsv", "--jobs", j,
			"--quiet", NULL};
	unlink(DIR "/out.tsv");
	unlink(DIR "/out.tsv.partial");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, DIR "/log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	double t0 = now();
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) != 0) {
		fprintf(stderr, "bench_sweep: cannot run %s: %s\n", bin, strerror(errno));
		return r;
	}
	while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	r.seconds = now() - t0;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.rss_mb = (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

int main(int argc, char **argv)
{
	const char *env = getenv("MVSIM");
	const char *bin = env && env[0] ? env : "build/mvsim";
	int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	char scenario[PATH_MAX], binpath[PATH_MAX];

	if (realpath("configs/kazakhstan.cfg", scenario) == NULL ||
	    realpath(bin, binpath) == NULL) {
		fprintf(stderr, "bench_sweep: run from the repository root after `make` (%s)\n",
			strerror(errno));
		return 2;
	}
	mkdir("build", 0755);
	mkdir(DIR, 0755);
	if (write_sweep(DIR "/lhs1e4.cfg", scenario, 10000) ||
	    write_sweep(DIR "/lhs1e5.cfg", scenario, 100000)) {
		fprintf(stderr, "bench_sweep: cannot write " DIR ": %s\n", strerror(errno));
		return 2;
	}

	printf("mvsim sweep bench — LHS of configs/kazakhstan.cfg, 3 parameters, 3 metrics, "
	       "summary to a file\n\n");
	printf("%-8s %5s %10s %10s %14s\n", "runs", "jobs", "seconds", "runs/s", "peak RSS (MB)");
	struct result r1 = sweep(binpath, DIR "/lhs1e4.cfg", 1);
	struct result r2 = sweep(binpath, DIR "/lhs1e4.cfg", 2);
	if (r1.status != 0 || r2.status != 0) {
		fprintf(stderr, "bench_sweep: mvsim sweep failed (exit %d, %d): see " DIR "/log\n",
			r1.status, r2.status);
		return 1;
	}
	printf("%-8d %5d %10.2f %10.0f %14.1f\n", 10000, 1, r1.seconds, 10000 / r1.seconds,
	       r1.rss_mb);
	printf("%-8d %5d %10.2f %10.0f %14.1f\n", 10000, 2, r2.seconds, 10000 / r2.seconds,
	       r2.rss_mb);
	struct result r3 = {0, 0, 0};
	if (!quick) {
		r3 = sweep(binpath, DIR "/lhs1e5.cfg", 2);
		if (r3.status != 0) {
			fprintf(stderr, "bench_sweep: mvsim sweep (10^5) failed (exit %d)\n", r3.status);
			return 1;
		}
		printf("%-8d %5d %10.2f %10.0f %14.1f\n", 100000, 2, r3.seconds, 100000 / r3.seconds,
		       r3.rss_mb);
	}
	double speedup = r1.seconds / r2.seconds;
	printf("\n%-46s %10.2f\n", "speed-up, 2 jobs over 1", speedup);
	printf("%-46s %10s\n", "target: >= 1500 runs/s with 2 jobs",
	       10000 / r2.seconds >= 1500 ? "met" : "NOT met");
	printf("%-46s %10s\n", "target: speed-up >= 1.8", speedup >= 1.8 ? "met" : "NOT met");
	if (!quick) {
		printf("%-46s %10s\n", "target: peak RSS < 50 MB at 10^5 runs",
		       r3.rss_mb < 50 ? "met" : "NOT met");
		printf("%-46s %10.2f\n", "peak RSS ratio, 10^5 / 10^4 runs (flat: ~1)",
		       r3.rss_mb / r2.rss_mb);
	}
	unlink(DIR "/out.tsv");
	return 0;
}
