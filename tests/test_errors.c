/* test_errors.c — walks docs/errors.md: every ```console block is a command after `$`, the
 * exact lines it must print on standard error, and `[exit N]`. The catalogue cannot drift. */
#include "testutil.h"

#include <sys/wait.h>

#define CATALOGUE "docs/errors.md"

struct example {
	char *cmd;
	char *expected; /* stderr lines, '\n'-terminated */
	int status;
	int line;       /* in the catalogue */
};

static char *read_all(FILE *f)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t k;
	while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	return buf;
}

/* Parses the catalogue into examples; returns their number. */
static int parse(struct example *ex, int max)
{
	FILE *f = fopen(CATALOGUE, "r");
	char line[4096];
	int n = 0, lineno = 0, in = 0;

	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (!in) {
			in = strncmp(line, "```console", 10) == 0;
			continue;
		}
		if (strncmp(line, "```", 3) == 0) {
			in = 0;
			continue;
		}
		if (strncmp(line, "$ ", 2) == 0) {
			assert_true(n < max);
			line[strcspn(line, "\n")] = '\0';
			ex[n] = (struct example){strdup(line + 2), strdup(""), -1, lineno};
			n++;
		} else if (sscanf(line, "[exit %d]", &ex[n - 1].status) == 1) {
			continue;
		} else {
			size_t a = strlen(ex[n - 1].expected), b = strlen(line);
			ex[n - 1].expected = realloc(ex[n - 1].expected, a + b + 1);
			memcpy(ex[n - 1].expected + a, line, b + 1);
		}
	}
	fclose(f);
	return n;
}

static void test_catalogue(void **state)
{
	(void)state;
	struct example ex[256];
	int n = parse(ex, 256);
	const char *mvsim = getenv("MVSIM") ? getenv("MVSIM") : "build/mvsim";
	char dir[4096], path[8192];

	/* The commands say `mvsim`: put the binary under test first on PATH. */
	snprintf(dir, sizeof dir, "%s", mvsim);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	snprintf(path, sizeof path, "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	assert_true(n >= 40);
	int failures = 0;
	for (int k = 0; k < n; k++) {
		char cmd[8192];
		assert_true(ex[k].status >= 0);
		/* stderr to the pipe, stdout where the example sends it (or away) */
		snprintf(cmd, sizeof cmd, "( %s ) 2>&1 >/dev/null", ex[k].cmd);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		char *got = read_all(p);
		int st = pclose(p);
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (code != ex[k].status || strcmp(got, ex[k].expected) != 0) {
			print_error("%s:%d: $ %s\n  expected [exit %d]:\n%s  got [exit %d]:\n%s\n",
				    CATALOGUE, ex[k].line, ex[k].cmd, ex[k].status, ex[k].expected,
				    code, got);
			failures++;
		}
		free(got);
		free(ex[k].cmd);
		free(ex[k].expected);
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
	};
	return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
