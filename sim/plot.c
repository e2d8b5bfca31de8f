/* plot.c — `mvsim plot`: checks result files, then runs gnuplot on scripts/<kind>.gp.
 * gnuplot runs without a shell; anything it prints on stderr counts as a failure. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/plot.h"

#include "mvsim/error.h"
#include "mvsim/scenario.h" /* MV_MAX_VECTORS, MV_MAX_DOMAINS */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MV_SCRIPTDIR
#define MV_SCRIPTDIR "/usr/local/share/mvsim/scripts" /* the Makefile passes $(PREFIX)/... */
#endif

extern char **environ;

/* A figure kind: the script that draws it and the columns it needs. In a column pattern,
 * "%v" stands for every vector id and "%d" for every domain id (from the '#' lines), and a
 * leading "*" for any name that ends with the rest (at least one column must). */
struct plot_kind {
	const char *name;       /* --kind value */
	const char *script;     /* file in the scripts directory */
	const char *suffix;     /* output name: <input without .tsv>-<suffix>.<ext> */
	const char *columns[6]; /* required column patterns, NULL-terminated */
	const char *result;     /* the '# result' line of the files it draws (NULL: a run's
				 * time series, drawn by --kind all); without --kind, a file
				 * with this line gets this figure */
};

static const struct plot_kind kinds[] = {
	{"shares", "shares.gp", "shares", {"t", "share_%v", "share_%d_%v", NULL}, NULL},
	{"plane", "plane.gp", "plane", {"t", "share_%v", "tilt_x", "tilt_y", NULL}, NULL},
	{"tension", "tension.gp", "tension", {"t", "tension_%v", "hazard", "crisis_prob", NULL}, NULL},
	{"diversity", "diversity.gp", "diversity", {"t", "n_eff", "entropy", NULL}, NULL},
	{"fan", "fan.gp", "fan", {"t", "*_p05", "*_p25", "*_p50", "*_p75", NULL}, "ensemble"},
	{"sensitivity", "sensitivity.gp", "sensitivity", {"metric", "parameter", "rank", "note", NULL},
	 "sensitivity"},
};
#define NKINDS (int)(sizeof kinds / sizeof kinds[0])

/* --compare: its columns come from --columns (or the default), checked in every file. */
static const struct plot_kind compare_kind = {"compare", "compare.gp", "compare", {"t", NULL},
					      NULL};

/* An output format: its name (also the file extension) and the gnuplot terminal. */
struct plot_format {
	const char *name;
	const char *term;
};

static const struct plot_format formats[] = {
	{"png", "pngcairo"},
	{"svg", "svg"},
	{"pdf", "pdfcairo"},
};
#define NFORMATS (int)(sizeof formats / sizeof formats[0])

static const char usage_text[] =
	"usage: mvsim plot RESULT.tsv [--kind KIND] [-o FILE] [--format png|svg|pdf]\n"
	"       mvsim plot --compare A.tsv B.tsv ... [--columns \"C1 C2 ...\"] [-o FILE]\n"
	"                  [--format png|svg|pdf]\n"
	"\n"
	"Draws figures of results written by 'mvsim run', 'mvsim ensemble' and 'mvsim\n"
	"sensitivity', with gnuplot and the scripts shares.gp, plane.gp, tension.gp,\n"
	"diversity.gp, fan.gp, sensitivity.gp and compare.gp (docs/plotting.md).\n"
	"\n"
	"  -k, --kind KIND       shares     overall and per-domain alignment shares\n"
	"                        plane      the alignment plane: vectors, tilt trajectory\n"
	"                        tension    tension per vector, hazard, crisis probability\n"
	"                        diversity  n_eff and entropy against their ideal\n"
	"                        all        all four (the default for a run's result)\n"
	"                        fan        an ensemble's median, 50% and 90% bands per\n"
	"                                   column (the default for 'mvsim ensemble')\n"
	"                        sensitivity  Sobol' S1 and ST bars with their intervals, or\n"
	"                                   Morris mu* against sigma (the default for\n"
	"                                   'mvsim sensitivity')\n"
	"  -o, --output FILE     write the figure to FILE (one figure only: not with\n"
	"                        --kind all); default: beside the input, named\n"
	"                        RESULT-KIND.EXT (out/baseline.tsv -> out/baseline-shares.png)\n"
	"  -f, --format FORMAT   png (1200x800 pixels), svg or pdf; default: the extension\n"
	"                        of -o, else png\n"
	"      --compare         overlay two or more results, one panel per column, one\n"
	"                        line style per run; default output FIRST-compare.EXT\n"
	"      --columns \"C ...\" the columns to compare (default: share_<v> of every\n"
	"                        vector of the first result, then crisis_prob)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Environment: GNUPLOT, the gnuplot to run (default: gnuplot on PATH);\n"
	"MVSIM_SCRIPTS, the scripts directory (default: <dir of mvsim>/../scripts, then\n"
	MV_SCRIPTDIR ").\n"
	"\n"
	"Exit status: 0 ok, 1 gnuplot missing or failed (an error or warning from gnuplot\n"
	"counts; no figure is left behind), 2 usage or input error (nothing is drawn).\n";

/* ---- small helpers ------------------------------------------------------------------- */

/* A growable string; `p` is NULL-terminated whenever len > 0. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static int sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int sb_add(struct sbuf *b, const char *s)
{
	return sb_addn(b, s, strlen(s));
}

/* Appends `name='value'; ` with value as a gnuplot single-quoted string, where the only
 * escape is '' for '. A newline cannot be written inside one: the caller rejects it. */
static int sb_assign(struct sbuf *b, const char *name, const char *value)
{
	if (sb_add(b, name) || sb_add(b, "='"))
		return -1;
	for (const char *s = value; *s; s++)
		if (sb_addn(b, s, 1) || (*s == '\'' && sb_addn(b, s, 1)))
			return -1;
	return sb_add(b, "'; ");
}

static void usage_error(const char *msg, const char *arg)
{
	fputs("mvsim plot: ", stderr);
	fprintf(stderr, msg, arg);
	fputs("\n(see 'mvsim plot --help')\n", stderr);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- reading a result's '#' lines and header ----------------------------------------- */

/* What the plots need to know about one result file. */
struct result {
	int nvec, ndom, ncol;
	char *vec[MV_MAX_VECTORS]; /* vector ids, in column order */
	char *dom[MV_MAX_DOMAINS]; /* domain ids */
	char **col;     /* header names, ncol of them */
	int nrows;      /* data rows after the header (counted up to 2) */
	char *result;   /* the '# result' line's value ("ensemble", ...), or NULL */
};

static void result_free(struct result *r)
{
	for (int i = 0; i < r->nvec; i++)
		free(r->vec[i]);
	for (int d = 0; d < r->ndom; d++)
		free(r->dom[d]);
	for (int c = 0; c < r->ncol; c++)
		free(r->col[c]);
	free(r->col);
	free(r->result);
	memset(r, 0, sizeof *r);
}

/* Field n (from 0) of the tab-separated line, copied; NULL if absent or out of memory. */
static char *field_dup(const char *line, int n)
{
	const char *s = line;
	for (; n > 0; n--) {
		s = strchr(s, '\t');
		if (s == NULL)
			return NULL;
		s++;
	}
	return strndup(s, strcspn(s, "\t\r\n"));
}

static int split_header(struct result *r, const char *line)
{
	int n = 1;
	for (const char *s = line; *s; s++)
		n += *s == '\t';
	r->col = calloc((size_t)n, sizeof *r->col);
	if (r->col == NULL)
		return -1;
	for (int c = 0; c < n; c++) {
		r->col[c] = field_dup(line, c);
		if (r->col[c] == NULL)
			return -1;
		r->ncol = c + 1;
	}
	return 0;
}

/* Reads path's metadata and header into r (zeroed first; free with result_free, also on
 * failure). Returns 0, or -1 with err (code 2) when the file cannot be read, is not an mvsim
 * result (no '# mvsim' first line), has no '# vector' lines, no header or no data row. */
static int result_load(struct result *r, const char *path, struct mv_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = -1;
	FILE *f;

	memset(r, 0, sizeof *r);
	if (strchr(path, '\n'))
		return mv_error_set(err, MV_EXIT_INPUT, "a file name with a newline is not supported");
	f = fopen(path, "r");
	if (f == NULL)
		return mv_error_set(err, MV_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (lineno == 1 && strncmp(line, "# mvsim", 7) != 0) {
			mv_error_set(err, MV_EXIT_INPUT, "%s: not an mvsim result (the first line "
				     "should start with '# mvsim')", path);
			goto out;
		}
		if (r->col != NULL) { /* past the header: count rows, two are enough */
			if (len > 1 && ++r->nrows >= 2)
				break;
			continue;
		}
		if (line[0] != '#') {
			if (split_header(r, line)) {
				mv_error_set(err, MV_EXIT_FAIL, "out of memory");
				goto out;
			}
			continue;
		}
		if (strncmp(line, "# result\t", 9) == 0 && r->result == NULL &&
		    (r->result = field_dup(line, 1)) == NULL) {
			mv_error_set(err, MV_EXIT_FAIL, "out of memory");
			goto out;
		}
		int isvec = strncmp(line, "# vector\t", 9) == 0;
		int isdom = strncmp(line, "# domain\t", 9) == 0;
		if ((isvec && r->nvec == MV_MAX_VECTORS) || (isdom && r->ndom == MV_MAX_DOMAINS)) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: more %s than mvsim allows", path,
				     lineno, isvec ? "vectors" : "domains");
			goto out;
		}
		if (isvec || isdom) {
			char *id = field_dup(line, 1);
			if (id == NULL || id[0] == '\0') {
				free(id);
				mv_error_set(err, MV_EXIT_INPUT, "%s:%d: '# %s' line without an id",
					     path, lineno, isvec ? "vector" : "domain");
				goto out;
			}
			if (isvec)
				r->vec[r->nvec++] = id;
			else
				r->dom[r->ndom++] = id;
		}
	}
	if (ferror(f))
		mv_error_set(err, MV_EXIT_INPUT, "%s: read error: %s", path, strerror(errno));
	else if (lineno == 0)
		mv_error_set(err, MV_EXIT_INPUT, "%s: empty file, not an mvsim result", path);
	else if (r->col == NULL)
		mv_error_set(err, MV_EXIT_INPUT, "%s: no header line after the '#' lines", path);
	else if (r->nvec == 0)
		mv_error_set(err, MV_EXIT_INPUT, "%s: no '# vector' lines before the header", path);
	else if (r->nrows == 0)
		mv_error_set(err, MV_EXIT_INPUT, "%s: no data rows after the header", path);
	else
		rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

static int result_has(const struct result *r, const char *name)
{
	for (int c = 0; c < r->ncol; c++)
		if (strcmp(r->col[c], name) == 0)
			return 1;
	return 0;
}

/* 1 when some column's name ends with suffix (and is longer). */
static int result_has_suffix(const struct result *r, const char *suffix)
{
	for (int c = 0; c < r->ncol; c++)
		if (strlen(r->col[c]) > strlen(suffix) && ends_with(r->col[c], suffix))
			return 1;
	return 0;
}

/* Expands pattern ("%v" -> vec, "%d" -> dom) into buf. Returns 0, or -1 if it is too long. */
static int expand(char *buf, size_t size, const char *pattern, const char *vec, const char *dom)
{
	size_t used = 0;
	for (const char *p = pattern; *p; p++) {
		const char *put = NULL;
		if (p[0] == '%' && p[1] == 'v')
			put = vec;
		else if (p[0] == '%' && p[1] == 'd')
			put = dom;
		size_t n = put ? strlen(put) : 1;
		if (used + n + 1 > size)
			return -1;
		memcpy(buf + used, put ? put : p, n);
		used += n;
		p += put != NULL;
	}
	buf[used] = '\0';
	return 0;
}

/* Checks r has every column kind k needs, each vector's and domain's. Returns 0, or -1 with
 * err (code 2) naming the first absent column. */
static int check_kind(const struct result *r, const char *path, const struct plot_kind *k,
		      struct mv_error *err)
{
	char name[256];
	for (const char *const *pat = k->columns; *pat; pat++) {
		if ((*pat)[0] == '*') {
			if (!result_has_suffix(r, *pat + 1))
				return mv_error_set(err, MV_EXIT_INPUT, "%s: no column ending in '%s' (the "
						    "%s figure needs one, as 'mvsim %s' writes)", path,
						    *pat + 1, k->name, k->result ? k->result : "run");
			continue;
		}
		int nv = strstr(*pat, "%v") ? r->nvec : 1;
		int nd = strstr(*pat, "%d") ? r->ndom : 1;
		for (int d = 0; d < nd; d++)
			for (int i = 0; i < nv; i++) {
				if (expand(name, sizeof name, *pat, r->vec[i], r->ndom ? r->dom[d] : ""))
					return mv_error_set(err, MV_EXIT_INPUT, "%s: id too long", path);
				if (!result_has(r, name))
					return mv_error_set(err, MV_EXIT_INPUT, "%s: column '%s' is absent "
							    "(the %s figure needs it)", path, name, k->name);
			}
	}
	return 0;
}

/* ---- finding gnuplot and the scripts ------------------------------------------------- */

static int is_file(const char *path, int mode)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, mode) == 0;
}

/* Finds the gnuplot to run: env GNUPLOT (a path, or a name looked up on PATH), else
 * "gnuplot" on PATH. Fills path (size n). Returns 0, or -1 with err (code 1) that says how
 * to install it. */
static int find_gnuplot(char *path, size_t n, struct mv_error *err)
{
	const char *name = getenv("GNUPLOT");
	const char *dirs = getenv("PATH");

	if (name == NULL || name[0] == '\0')
		name = "gnuplot";
	if (strchr(name, '/')) {
		if (strlen(name) < n && is_file(name, X_OK)) {
			strcpy(path, name);
			return 0;
		}
		return mv_error_set(err, MV_EXIT_FAIL, "gnuplot not found: GNUPLOT='%s' is not an "
				    "executable file", name);
	}
	for (const char *d = dirs ? dirs : ""; dirs != NULL; d++) {
		size_t len = strcspn(d, ":");
		int w = snprintf(path, n, "%.*s/%s", (int)len, len ? d : ".", name);
		if (w > 0 && (size_t)w < n && is_file(path, X_OK))
			return 0;
		d += len;
		if (*d == '\0')
			break;
	}
	return mv_error_set(err, MV_EXIT_FAIL, "%s not found on PATH; install it with: "
			    "apt-get install gnuplot-nox", name);
}

/* Finds the directory holding script and common.gp, in this order: env MVSIM_SCRIPTS (when
 * set, the only place looked at), <dir of this executable>/../scripts (the build tree:
 * build/mvsim), <dir>/../share/mvsim/scripts (an installed tree, wherever it was moved),
 * MV_SCRIPTDIR (the installed copy). Fills dir (size n). Returns 0, or -1 with
 * err (code 1) listing where it looked. */
static int find_scripts(const char *script, char *dir, size_t n, struct mv_error *err)
{
	char exe[PATH_MAX], places[4][PATH_MAX], file[PATH_MAX];
	const char *env = getenv("MVSIM_SCRIPTS");
	int np = 0;

	if (env != NULL && env[0] != '\0') {
		snprintf(places[np++], sizeof places[0], "%s", env);
	} else {
		ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
		char *slash = len > 0 ? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
		if (slash != NULL) {
			*slash = '\0';
			int w = snprintf(places[np], sizeof places[0], "%s/../scripts", exe);
			np += w > 0 && (size_t)w < sizeof places[0];
			/* an install moved as a whole: <prefix>/bin/mvsim, <prefix>/share/mvsim */
			w = snprintf(places[np], sizeof places[0], "%s/../share/mvsim/scripts", exe);
			np += w > 0 && (size_t)w < sizeof places[0];
		}
		snprintf(places[np++], sizeof places[0], "%s", MV_SCRIPTDIR);
	}
	for (int k = 0; k < np; k++) {
		/* Every script loads common.gp from its own directory: both must be there. */
		int w = snprintf(file, sizeof file, "%s/%s", places[k], script);
		if (w <= 0 || (size_t)w >= sizeof file || !is_file(file, R_OK))
			continue;
		w = snprintf(file, sizeof file, "%s/common.gp", places[k]);
		if (w > 0 && (size_t)w < sizeof file && is_file(file, R_OK) && strlen(places[k]) < n) {
			strcpy(dir, places[k]);
			return 0;
		}
	}
	return mv_error_set(err, MV_EXIT_FAIL, "cannot find the plot scripts %s and common.gp "
			    "in %s%s%s%s%s%s%s (set MVSIM_SCRIPTS to the scripts directory)", script,
			    places[0], np > 1 ? ", " : "", np > 1 ? places[1] : "",
			    np > 2 ? ", " : "", np > 2 ? places[2] : "", np > 3 ? ", " : "",
			    np > 3 ? places[3] : "");
}

/* ---- running gnuplot ----------------------------------------------------------------- */

/* Runs `gnuplot -e VARS SCRIPT` (no shell: names reach gnuplot only as quoted strings), stdin
 * and stdout on /dev/null, stderr collected into *text (malloc'd, NUL-terminated; the caller
 * frees it). Returns 0 when gnuplot exited 0 and printed nothing on stderr; otherwise 1,
 * with *text what it printed or how it ended (an error, a warning or a crash all count). */
static int run_gnuplot(const char *gnuplot, const char *script, const char *vars, char **text)
{
	posix_spawn_file_actions_t fa;
	struct sbuf out = {0};
	char *argv[] = {(char *)gnuplot, "-e", (char *)vars, (char *)script, NULL};
	char chunk[4096];
	int fds[2], status = 0, rc;
	pid_t pid;

	*text = NULL;
	if (pipe(fds) != 0) {
		sb_add(&out, strerror(errno));
		*text = out.p;
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		sb_add(&out, "cannot run ");
		sb_add(&out, gnuplot);
		sb_add(&out, ": ");
		sb_add(&out, strerror(rc));
		*text = out.p;
		return 1;
	}
	for (;;) {
		ssize_t got = read(fds[0], chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		sb_addn(&out, chunk, (size_t)got);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == 0 && out.len == 0) {
		free(out.p);
		return 0;
	}
	if (out.len == 0) {
		snprintf(chunk, sizeof chunk, "gnuplot %s %d without a message",
			 status != -1 && WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
			 status == -1 ? -1 : WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		sb_add(&out, chunk);
	}
	*text = out.p ? out.p : strdup("out of memory");
	return 1;
}

/* The settings of one gnuplot run: where things are and how to draw. */
struct plot_ctx {
	char gnuplot[PATH_MAX];
	char scripts[PATH_MAX];
	const struct plot_format *format;
};

/* Draws one figure: runs kind k's script with the assignments `inputs` (in=... or
 * nfiles=...) into a temporary beside out, then renames it to out. Prints out on stdout.
 * Returns 0, 1 (gnuplot failed; the temporary is removed; message on stderr) or 2 (out
 * cannot be created). */
static int draw(const struct plot_ctx *ctx, const struct plot_kind *k, const char *inputs,
		const char *out)
{
	struct sbuf vars = {0};
	char script[PATH_MAX + 64], *tmp = NULL, *text = NULL;
	struct stat st;
	int fd, rc = 1;
	mode_t mask;

	if (strchr(out, '\n')) {
		usage_error("%s", "an output name with a newline is not supported");
		return MV_EXIT_INPUT;
	}
	snprintf(script, sizeof script, "%s/%s", ctx->scripts, k->script);
	tmp = malloc(strlen(out) + sizeof ".tmp.XXXXXX");
	if (tmp == NULL) {
		fputs("mvsim plot: out of memory\n", stderr);
		return MV_EXIT_FAIL;
	}
	sprintf(tmp, "%s.tmp.XXXXXX", out);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "mvsim plot: cannot create %s: %s\n", out, strerror(errno));
		free(tmp);
		return MV_EXIT_INPUT;
	}
	/* mkstemp makes the file 0600; a figure is as readable as any file the user creates. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	close(fd);

	if (sb_add(&vars, inputs) || sb_assign(&vars, "out", tmp) ||
	    sb_assign(&vars, "term", ctx->format->term)) {
		fputs("mvsim plot: out of memory\n", stderr);
		goto fail;
	}
	if (run_gnuplot(ctx->gnuplot, script, vars.p, &text) != 0) {
		size_t n = strlen(text);
		fprintf(stderr, "mvsim plot: gnuplot failed on %s for %s:\n%s%s", script, out, text,
			n && text[n - 1] == '\n' ? "" : "\n");
		goto fail;
	}
	if (stat(tmp, &st) != 0 || st.st_size == 0) {
		fprintf(stderr, "mvsim plot: gnuplot wrote nothing for %s (script %s)\n", out, script);
		goto fail;
	}
	if (rename(tmp, out) != 0) {
		fprintf(stderr, "mvsim plot: cannot rename %s to %s: %s\n", tmp, out, strerror(errno));
		goto fail;
	}
	printf("%s\n", out);
	rc = 0;
fail:
	if (rc != 0)
		unlink(tmp);
	free(text);
	free(tmp);
	free(vars.p);
	return rc;
}

/* ---- the command ---------------------------------------------------------------------- */

struct plot_args {
	const char *kind;    /* NULL: all */
	const char *output;  /* -o */
	const char *format;  /* --format */
	const char *columns; /* --columns */
	int compare;
	int nfiles;
	char **files;        /* points into argv; owned array */
};

/* Parses argv into a. Returns -1 to go on, or an exit status (0 after --help, 2 after a
 * usage error, already reported). */
static int parse_args(int argc, char **argv, struct plot_args *a)
{
	enum { KIND, OUTPUT, FORMAT, COLUMNS, COMPARE, HELP };
	static const struct {
		const char *lng;
		char shrt;  /* 0: long form only */
		int value;  /* 1: takes a value */
	} opts[] = {
		[KIND] = {"--kind", 'k', 1},      [OUTPUT] = {"--output", 'o', 1},
		[FORMAT] = {"--format", 'f', 1},  [COLUMNS] = {"--columns", 0, 1},
		[COMPARE] = {"--compare", 0, 0},  [HELP] = {"--help", 'h', 0},
	};
	int only_files = 0;

	memset(a, 0, sizeof *a);
	a->files = calloc((size_t)argc + 1, sizeof *a->files);
	if (a->files == NULL) {
		fputs("mvsim plot: out of memory\n", stderr);
		return MV_EXIT_FAIL;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL;
		int o = -1;

		if (only_files || arg[0] != '-' || arg[1] == '\0') {
			a->files[a->nfiles++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_files = 1;
			continue;
		}
		for (int k = 0; k < (int)(sizeof opts / sizeof opts[0]); k++) {
			size_t n = strlen(opts[k].lng);
			if (arg[1] == '-' && strncmp(arg, opts[k].lng, n) == 0 &&
			    (arg[n] == '\0' || (arg[n] == '=' && opts[k].value))) {
				o = k;
				value = arg[n] == '=' ? arg + n + 1 : NULL;
			} else if (arg[1] != '-' && opts[k].shrt && arg[1] == opts[k].shrt) {
				o = k;
				value = arg[2] ? arg + 2 : NULL;
				if (value && !opts[k].value)
					o = -1;
			}
			if (o >= 0)
				break;
		}
		if (o < 0) {
			usage_error("unknown option '%s'", arg);
			return MV_EXIT_INPUT;
		}
		if (opts[o].value && value == NULL) {
			if (i + 1 >= argc) {
				usage_error("option '%s' needs a value", arg);
				return MV_EXIT_INPUT;
			}
			value = argv[++i];
		}
		if (o == HELP) {
			fputs(usage_text, stdout);
			return fflush(stdout) || ferror(stdout) ? MV_EXIT_FAIL : MV_EXIT_OK;
		}
		const char **slot[] = {[KIND] = &a->kind, [OUTPUT] = &a->output,
				       [FORMAT] = &a->format, [COLUMNS] = &a->columns};
		if (o == COMPARE)
			a->compare = 1;
		else
			*slot[o] = value;
	}
	return -1;
}

static const struct plot_format *find_format(const char *name)
{
	for (int k = 0; k < NFORMATS; k++)
		if (strcmp(formats[k].name, name) == 0)
			return &formats[k];
	return NULL;
}

/* The format from --format and -o: either alone decides, both must agree, neither is png.
 * Returns NULL after reporting a usage error. */
static const struct plot_format *pick_format(const struct plot_args *a)
{
	const struct plot_format *f = NULL, *ext = NULL;
	const char *dot = a->output ? strrchr(a->output, '.') : NULL;

	if (dot && !strchr(dot, '/'))
		ext = find_format(dot + 1);
	if (a->format) {
		f = find_format(a->format);
		if (f == NULL) {
			usage_error("--format: expected png, svg or pdf, found '%s'", a->format);
			return NULL;
		}
		if (a->output && ext != f) {
			usage_error("-o '%s' does not end in the --format's extension", a->output);
			return NULL;
		}
		return f;
	}
	if (a->output && ext == NULL) {
		usage_error("cannot tell the format of '%s': end it in .png, .svg or .pdf, or "
			    "give --format", a->output);
		return NULL;
	}
	return ext ? ext : &formats[0];
}

/* <input without .tsv>-<suffix>.<ext>, malloc'd; NULL if out of memory. */
static char *output_beside(const char *input, const char *suffix, const char *ext)
{
	size_t stem = strlen(input) - (ends_with(input, ".tsv") ? 4 : 0);
	char *s = malloc(stem + strlen(suffix) + strlen(ext) + 3);
	if (s != NULL)
		sprintf(s, "%.*s-%s.%s", (int)stem, input, suffix, ext);
	return s;
}

/* Column names given to --columns: letters, digits and '_' (what MODEL.md §4 ids and §7
 * columns are made of), which also keeps them safe inside a gnuplot string. */
static int valid_columns(const char *cols)
{
	int any = 0;
	for (const char *s = cols; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == ',')
			continue;
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
		any = 1;
	}
	return any;
}

/* Checks every result has the columns of cols (space-, tab- or comma-separated) and "t".
 * Returns 0, or -1 with err (code 2) naming the file and column. */
static int check_columns(const struct result *r, const char *path, const char *cols,
			 struct mv_error *err)
{
	char name[256];
	if (check_kind(r, path, &compare_kind, err))
		return -1;
	for (const char *s = cols; *s;) {
		size_t n = strcspn(s, " \t,");
		if (n > 0 && n < sizeof name) {
			memcpy(name, s, n);
			name[n] = '\0';
			if (!result_has(r, name))
				return mv_error_set(err, MV_EXIT_INPUT, "%s: column '%s' is absent",
						    path, name);
		}
		s += n;
		s += *s != '\0';
	}
	return 0;
}

static int plot_single(const struct plot_args *a, struct plot_ctx *ctx)
{
	const struct plot_kind *chosen[NKINDS];
	struct mv_error err = {0};
	struct result r;
	int n = 0, status = 0;

	if (a->kind != NULL && strcmp(a->kind, "all") != 0) {
		for (int k = 0; k < NKINDS; k++)
			if (strcmp(kinds[k].name, a->kind) == 0)
				chosen[n++] = &kinds[k];
		if (n == 0) {
			usage_error("--kind: expected shares, plane, tension, diversity, all, fan or "
				    "sensitivity, found '%s'", a->kind);
			return MV_EXIT_INPUT;
		}
	}
	if (a->kind != NULL && n == 0 && a->output) { /* --kind all */
		usage_error("%s", "-o names one file: give --kind too (with --kind all the "
			    "figures go beside the input)");
		return MV_EXIT_INPUT;
	}
	if (result_load(&r, a->files[0], &err) == 0 && n == 0) {
		/* No --kind: the figure of the file's '# result' line (an ensemble's fan, ...);
		 * for a run's result, and with --kind all, the four figures of a run. */
		for (int k = 0; k < NKINDS && a->kind == NULL && r.result; k++)
			if (kinds[k].result && strcmp(kinds[k].result, r.result) == 0)
				chosen[n++] = &kinds[k];
		if (n == 0)
			for (int k = 0; k < NKINDS; k++)
				if (kinds[k].result == NULL)
					chosen[n++] = &kinds[k];
	}
	if (err.code == 0 && a->output && n > 1) {
		result_free(&r);
		usage_error("%s", "-o names one file: give --kind too (with --kind all the "
			    "figures go beside the input)");
		return MV_EXIT_INPUT;
	}
	for (int k = 0; k < n && err.code == 0; k++)
		check_kind(&r, a->files[0], chosen[k], &err);
	result_free(&r);
	if (err.code == 0)
		find_gnuplot(ctx->gnuplot, sizeof ctx->gnuplot, &err);
	for (int k = 0; k < n && err.code == 0; k++)
		find_scripts(chosen[k]->script, ctx->scripts, sizeof ctx->scripts, &err);
	if (err.code != 0) {
		fprintf(stderr, "mvsim plot: %s\n", err.msg);
		return err.code;
	}

	struct sbuf inputs = {0};
	if (sb_assign(&inputs, "in", a->files[0])) {
		fputs("mvsim plot: out of memory\n", stderr);
		return MV_EXIT_FAIL;
	}
	for (int k = 0; k < n; k++) {
		char *out = a->output ? strdup(a->output)
				      : output_beside(a->files[0], chosen[k]->suffix, ctx->format->name);
		int rc = out ? draw(ctx, chosen[k], inputs.p, out) : MV_EXIT_FAIL;
		if (rc > status)
			status = rc;
		free(out);
	}
	free(inputs.p);
	return status;
}

static int plot_compare(const struct plot_args *a, struct plot_ctx *ctx)
{
	struct mv_error err = {0};
	struct sbuf cols = {0}, inputs = {0};
	struct result r;
	char name[32];
	int status;

	if (a->nfiles < 2) {
		usage_error("%s", "--compare needs two or more result files");
		return MV_EXIT_INPUT;
	}
	if (a->kind) {
		usage_error("%s", "--kind does not apply to --compare (use --columns)");
		return MV_EXIT_INPUT;
	}
	if (a->columns && !valid_columns(a->columns)) {
		usage_error("--columns: expected column names (letters, digits, '_'), found '%s'",
			    a->columns);
		return MV_EXIT_INPUT;
	}
	for (int f = 0; f < a->nfiles && err.code == 0; f++) {
		if (result_load(&r, a->files[f], &err) == 0) {
			/* Default columns: the first file's vector shares, then crisis_prob. */
			if (f == 0 && a->columns == NULL) {
				for (int i = 0; i < r.nvec; i++)
					if (sb_add(&cols, "share_") || sb_add(&cols, r.vec[i]) ||
					    sb_add(&cols, " "))
						mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
				if (sb_add(&cols, "crisis_prob"))
					mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
			} else if (f == 0 && sb_add(&cols, a->columns)) {
				mv_error_set(&err, MV_EXIT_FAIL, "out of memory");
			}
			if (err.code == 0)
				check_columns(&r, a->files[f], cols.p, &err);
		}
		result_free(&r);
	}
	if (err.code == 0)
		find_gnuplot(ctx->gnuplot, sizeof ctx->gnuplot, &err);
	if (err.code == 0)
		find_scripts(compare_kind.script, ctx->scripts, sizeof ctx->scripts, &err);
	if (err.code != 0) {
		fprintf(stderr, "mvsim plot: %s\n", err.msg);
		free(cols.p);
		return err.code;
	}

	/* Files as file1..fileN (any name survives); columns normalised to spaces. */
	for (char *s = cols.p; *s; s++)
		if (*s == ',' || *s == '\t')
			*s = ' ';
	snprintf(name, sizeof name, "nfiles=%d; ", a->nfiles);
	int bad = sb_add(&inputs, name);
	for (int f = 0; f < a->nfiles && !bad; f++) {
		snprintf(name, sizeof name, "file%d", f + 1);
		bad = sb_assign(&inputs, name, a->files[f]);
	}
	if (bad || sb_assign(&inputs, "cols", cols.p)) {
		fputs("mvsim plot: out of memory\n", stderr);
		status = MV_EXIT_FAIL;
	} else {
		char *out = a->output ? strdup(a->output)
				      : output_beside(a->files[0], compare_kind.suffix, ctx->format->name);
		status = out ? draw(ctx, &compare_kind, inputs.p, out) : MV_EXIT_FAIL;
		free(out);
	}
	free(inputs.p);
	free(cols.p);
	return status;
}

int mv_cmd_plot(int argc, char **argv)
{
	struct plot_args a;
	struct plot_ctx ctx;
	int status = parse_args(argc, argv, &a);

	if (status >= 0)
		goto out;
	memset(&ctx, 0, sizeof ctx);
	ctx.format = pick_format(&a);
	if (ctx.format == NULL) {
		status = MV_EXIT_INPUT;
	} else if (a.compare) {
		status = plot_compare(&a, &ctx);
	} else if (a.columns) {
		usage_error("%s", "--columns applies to --compare only");
		status = MV_EXIT_INPUT;
	} else if (a.nfiles != 1) {
		usage_error(a.nfiles ? "expected one result file (or --compare), found %s"
				     : "no result file given%s", a.nfiles ? "several" : "");
		status = MV_EXIT_INPUT;
	} else {
		status = plot_single(&a, &ctx);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mvsim plot: cannot write to standard output: %s\n", strerror(errno));
		if (status == 0)
			status = MV_EXIT_FAIL;
	}
out:
	free(a.files);
	return status;
}
