/* bench_uq.c — `make bench`: the time of `mvsim ensemble` (1,000 noisy runs of the baseline)
 * and `mvsim sensitivity` (Sobol', N = 1024, the 6 parameters of configs/sweeps/sensitivity.cfg:
 * 8,192 runs), each with 1 and 2 jobs, as a user runs them: spawns the CLI ($MVSIM, default
 * build/mvsim), result to a file, and reads the peak RSS from wait4's rusage. Prints a table
 * with the speed-up; asserts nothing (timings never decide a test). Also checks, for free,
 * that both results are the same bytes for 1 and 2 jobs. Each time is the best of 3 (a busy
 * machine only slows a run down). `--quick`: 200 runs and N = 256, once each. */
#define _GNU_SOURCE /* wait4 */
#include <errno.h>
#include <fcntl.h>
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

#define DIR "build/bench-uq"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct result {
	int status;
	double seconds;
	double rss_mb;
};

/* Runs bin with args (NULL-terminated after argv[0]); stdout and stderr to DIR/log. */
static struct result spawn(char *const *argv)
{
	struct result r = {-1, 0, 0};
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, DIR "/log", O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	double t0 = now();
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		fprintf(stderr, "bench_uq: cannot run %s: %s\n", argv[0], strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
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

static int same_file(const char *a, const char *b)
{
	FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
	int same = f && g;
	while (same) {
		int x = fgetc(f), y = fgetc(g);
		same = x == y;
		if (x == EOF || y == EOF)
			break;
	}
	if (f)
		fclose(f);
	if (g)
		fclose(g);
	return same;
}

int main(int argc, char **argv)
{
	const char *env = getenv("MVSIM");
	char *bin = (char *)(env && env[0] ? env : "build/mvsim");
	int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	char runs[16], samples[16];

	snprintf(runs, sizeof runs, "%d", quick ? 200 : 1000);
	snprintf(samples, sizeof samples, "%d", quick ? 256 : 1024);
	mkdir("build", 0755);
	mkdir(DIR, 0755);
	unlink(DIR "/log");
	char *help[] = {bin, "ensemble", "--help", NULL};
	if (access(bin, X_OK) != 0 || spawn(help).status != 0) {
		printf("bench_uq: skipped: %s has no 'ensemble' command (run from the repository root "
		       "after `make`; the command table in sim/cli/cli.c needs the ensemble and sensitivity commands)\n", bin);
		return 0;
	}

	struct {
		const char *what;
		char *argv[16];
		const char *out[2];
		long nruns;
		struct result r[2];
	} cases[2] = {
		{"ensemble: configs/scenarios/baseline_noisy.cfg",
		 {bin, "ensemble", "configs/scenarios/baseline_noisy.cfg", "--runs", runs, "--quiet",
		  "-o", NULL, "--jobs", NULL, NULL},
		 {DIR "/bands-1.tsv", DIR "/bands-2.tsv"}, quick ? 200 : 1000, {{0, 0, 0}, {0, 0, 0}}},
		{"sobol: configs/sweeps/sensitivity.cfg, k = 6",
		 {bin, "sensitivity", "configs/sweeps/sensitivity.cfg", "--method", "sobol", "--samples",
		  samples, "--quiet", "-o", NULL, "--jobs", NULL, NULL},
		 {DIR "/sobol-1.tsv", DIR "/sobol-2.tsv"}, (quick ? 256 : 1024) * 8L,
		 {{0, 0, 0}, {0, 0, 0}}},
	};
	static char *jobs[2] = {"1", "2"};

	printf("mvsim ensemble and sensitivity bench — the CLI, result to a file, %s\n\n",
	       quick ? "--quick sizes, one try" : "the issue's sizes, best of 3");
	printf("%-48s %7s %9s %9s %9s %8s %9s\n", "", "runs", "1 job s", "2 jobs s", "runs/s(2)",
	       "speed-up", "RSS MB(2)");
	for (int c = 0; c < 2; c++) {
		int o = c == 0 ? 7 : 9; /* position of -o's value; --jobs's follows two later */
		for (int j = 0; j < 2; j++) {
			cases[c].argv[o] = (char *)cases[c].out[j];
			cases[c].argv[o + 2] = jobs[j];
			for (int rep = 0; rep < (quick ? 1 : 3); rep++) {
				struct result r = spawn(cases[c].argv);
				if (r.status != 0) {
					fprintf(stderr, "bench_uq: %s with %s jobs failed (exit %d): see " DIR
						"/log\n", cases[c].what, jobs[j], r.status);
					return 1;
				}
				if (rep == 0 || r.seconds < cases[c].r[j].seconds)
					cases[c].r[j] = r;
			}
		}
		struct result *r = cases[c].r;
		printf("%-48s %7ld %9.2f %9.2f %9.0f %7.2fx %9.1f\n", cases[c].what, cases[c].nruns,
		       r[0].seconds, r[1].seconds, (double)cases[c].nruns / r[1].seconds,
		       r[0].seconds / r[1].seconds, r[1].rss_mb);
	}
	int same = same_file(cases[0].out[0], cases[0].out[1]) &&
		   same_file(cases[1].out[0], cases[1].out[1]);
	printf("\n%-48s %s\n", "results for 1 and 2 jobs byte-identical", same ? "yes" : "NO");
	return same ? 0 : 1;
}
