/* cmd_merge.c — `mvsim merge`: the summaries of a sweep's shards joined into the unsharded
 * sweep's summary and judged by its checks (summary.h does both). */
#define _POSIX_C_SOURCE 200809L /* getline, open_memstream */
#include "cli.h"

#include "mvsim/colnames.h"
#include "mvsim/config.h"
#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/outfile.h"
#include "mvsim/scenario.h"
#include "mvsim/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char mv_merge_usage[] =
	"usage: mvsim merge PARTS... -o summary.tsv [--junit FILE] [--names safe|keep]\n"
	"\n"
	"Joins the summaries of the shards 1/N to N/N of one sweep (mvsim sweep --shard K/N)\n"
	"into the summary the unsharded sweep writes, byte for byte, and applies its checks.\n"
	"\n"
	"  -o, --output FILE   the merged summary (written via a temporary, renamed when\n"
	"                      complete); '-': standard output\n"
	"      --junit FILE    write the merged sweep's checks as JUnit XML (one test case per\n"
	"                      check, as 'mvsim sweep --junit')\n"
	"      --names safe    column names of letters, digits and '_' only (as mvsim sweep\n"
	"                      --names safe writes them); keep (default): as the parts have them\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 ok, 1 a run failed or a check broke (listed on stderr) or the output could\n"
	"not be written, 2 usage or input error: parts that are incomplete, from different\n"
	"sweeps, missing or repeated (nothing is written).\n";

static void print_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "mvsim: %s\n", msg);
}

static int parse_names_opt(void *value, const char *arg, char *msg, size_t size)
{
	return mv_names_parse(arg, value, msg, size);
}

/* --names safe on parts written without it: the merged summary at path gets the safe header and
 * its '# names' line (colnames.h), through a temporary renamed into place. A summary that has
 * them already is left as it is. Returns 0, or -1 with err. */
static int make_safe(const char *path, struct mv_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return mv_error_set(err, MV_EXIT_INPUT, "%s: --names safe needs -o to name a regular "
				    "file (the header is rewritten after the merge)", path);
	FILE *in = fopen(path, "r");
	if (in == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "%s: cannot read the merged summary", path);
	char *meta = NULL, *line = NULL;
	size_t mlen = 0, cap = 0;
	ssize_t n;
	int rc = -1;
	FILE *m = open_memstream(&meta, &mlen);
	struct mv_outfile *o = NULL;
	if (m == NULL)
		goto oom;
	/* the metadata and the header */
	while ((n = getline(&line, &cap, in)) > 0) {
		fputs(line, m);
		if (line[0] != '#')
			break;
		if (strcmp(line, "# names\tsafe\n") == 0) { /* safe already */
			fclose(m);
			m = NULL;
			rc = 0;
			goto out;
		}
	}
	if (fclose(m) != 0) {
		m = NULL;
		goto oom;
	}
	m = NULL;
	char *safe = mv_colnames_safe_meta(meta, err);
	if (safe == NULL)
		goto out;
	if ((o = mv_outfile_open(path, NULL, 0, err)) == NULL) {
		free(safe);
		goto out;
	}
	FILE *f = mv_outfile_stream(o);
	fputs(safe, f);
	free(safe);
	char buf[1 << 16];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, got, f);
	if (ferror(in)) {
		mv_outfile_abort(o);
		mv_error_set(err, MV_EXIT_FAIL, "%s: read error", path);
		goto out;
	}
	rc = mv_outfile_commit(o, err);
	goto out;
oom:
	mv_error_set(err, MV_EXIT_FAIL, "out of memory");
out:
	if (m)
		fclose(m);
	free(meta);
	free(line);
	fclose(in);
	return rc;
}

/* From a part's metadata: the sweep file's path ("# sweep\tPATH\tSHA", for the JUnit names)
 * and the scenario's span (its "# scenario" file with the "# set" lines, for the checks'
 * lint as the sweep did it; NAN when it cannot be read from here). */
static void part_facts(const char *part, char *name, size_t size, double *t0, double *t1)
{
	struct mv_error err = {0};
	FILE *f = fopen(part, "r");
	char *meta = f ? mv_summary_read_meta(f, part, &err) : NULL;
	char path[4096] = "sweep", scen[4096] = "";
	char *sets[64];
	int nsets = 0;

	*t0 = *t1 = NAN;
	for (const char *p = meta; p && *p == '#'; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		int len = (int)strcspn(p, "\n");
		if (strncmp(p, "# sweep\t", 8) == 0)
			snprintf(path, sizeof path, "%.*s", (int)strcspn(p + 8, "\t\n"), p + 8);
		else if (strncmp(p, "# scenario\t", 11) == 0)
			snprintf(scen, sizeof scen, "%.*s", (int)strcspn(p + 11, "\t\n"), p + 11);
		else if (strncmp(p, "# set\t", 6) == 0 && nsets < 64 && (sets[nsets] = malloc((size_t)len)))
			snprintf(sets[nsets++], (size_t)len, "%.*s", len - 6, p + 6);
	}
	mv_gate_junit_name(path, name, size);
	struct mv_keytab kt = {0};
	struct mv_scenario *sc = scen[0] ? mv_config_load(scen, nsets, sets, &kt, &err) : NULL;
	if (sc) {
		*t0 = sc->val[MV_G_START];
		*t1 = sc->val[MV_G_END];
		mv_scenario_free(sc);
		mv_keytab_free(&kt);
	}
	for (int k = 0; k < nsets; k++)
		free(sets[k]);
	free(meta);
	if (f)
		fclose(f);
}

int mv_cmd_merge(int argc, char **argv)
{
	const char *output = NULL, *junit_path = NULL;
	enum mv_names names = MV_NAMES_KEEP;
	const struct mv_opt opts[] = {
		{"output", 'o', MV_OPT_STRING, &output, 0, 0, NULL},
		{"junit", 0, MV_OPT_STRING, &junit_path, 0, 0, NULL},
		{"names", 0, MV_OPT_FN, &names, 0, 0, parse_names_opt},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	struct mv_error err = {0};
	struct mv_gate *g = NULL;
	struct mv_outfile *junit = NULL;
	int first, rc;
	double t0 = mv_cli_now();

	if ((rc = mv_cli_options("merge", argc, argv, opts, &first)) >= 0)
		return rc;
	if (first >= argc)
		return mv_cli_usage_error("merge", "missing PARTS");
	if (output == NULL)
		return mv_cli_usage_error("merge", "missing -o summary.tsv");
	if (output[0] == '\0')
		return mv_cli_usage_error("merge", "-o: expected a file name (or '-'), found ''");
	if (junit_path && junit_path[0] == '\0')
		return mv_cli_usage_error("merge", "--junit: expected a file name, found ''");
	/* The report's path is checked (and its temporary made) before anything is merged; no
	 * output may be one of the parts. */
	int np = argc - first;
	struct mv_file_id *ids = calloc((size_t)np, sizeof *ids);
	int nids = 0;
	if (ids == NULL)
		return mv_cli_report(&(struct mv_error){MV_EXIT_FAIL, "out of memory"});
	for (int q = 0; q < np; q++)
		if (mv_file_id_of(argv[first + q], &ids[nids]) == 0)
			nids++;
	if (junit_path && (junit = mv_outfile_open(junit_path, ids, nids, &err)) == NULL) {
		free(ids);
		return mv_cli_report(&err);
	}
	free(ids);
	if (mv_summary_merge((const char *const *)argv + first, np, output, print_note, NULL, &g,
			     &err) ||
	    (names == MV_NAMES_SAFE && make_safe(output, &err))) {
		rc = mv_cli_report(&err);
		mv_outfile_abort(junit);
	} else {
		char name[256];
		double t0s, t1s;
		part_facts(argv[first], name, sizeof name, &t0s, &t1s);
		if (isfinite(t0s))
			mv_gate_lint(g, t0s, t1s); /* the sweep's warnings, as it gave them */
		if (junit) {
			mv_gate_write_junit(g, mv_outfile_stream(junit), name, mv_cli_now() - t0);
			struct mv_outfile *jf = junit;
			junit = NULL;
			if (mv_outfile_commit(jf, &err)) {
				rc = mv_cli_report(&err);
				mv_gate_free(g);
				return rc;
			}
		}
		rc = mv_gate_verdict(g, "merge");
	}
	mv_gate_free(g);
	return rc;
}
