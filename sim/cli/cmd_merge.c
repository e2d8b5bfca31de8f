/* cmd_merge.c — `mvsim merge`: the summaries of a sweep's shards joined into the unsharded
 * sweep's summary and judged by its checks (summary.h does both). */
#define _POSIX_C_SOURCE 200809L /* getline, open_memstream */
#include "cli.h"

#include "mvsim/colnames.h"
#include "mvsim/error.h"
#include "mvsim/outfile.h"
#include "mvsim/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char mv_merge_usage[] =
	"usage: mvsim merge PARTS... -o summary.tsv [--names safe|keep]\n"
	"\n"
	"Joins the summaries of the shards 1/N to N/N of one sweep (mvsim sweep --shard K/N)\n"
	"into the summary the unsharded sweep writes, byte for byte, and applies its checks.\n"
	"\n"
	"  -o, --output FILE   the merged summary (written via a temporary, renamed when complete)\n"
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

int mv_cmd_merge(int argc, char **argv)
{
	const char *output = NULL;
	enum mv_names names = MV_NAMES_KEEP;
	const struct mv_opt opts[] = {
		{"output", 'o', MV_OPT_STRING, &output, 0, 0, NULL},
		{"names", 0, MV_OPT_FN, &names, 0, 0, parse_names_opt},
		{NULL, 0, 0, NULL, 0, 0, NULL},
	};
	struct mv_error err = {0};
	struct mv_gate *g = NULL;
	int first, rc;

	if ((rc = mv_cli_options("merge", argc, argv, opts, &first)) >= 0)
		return rc;
	if (first >= argc)
		return mv_cli_usage_error("merge", "missing PARTS");
	if (output == NULL)
		return mv_cli_usage_error("merge", "missing -o summary.tsv");
	if (mv_summary_merge((const char *const *)argv + first, argc - first, output, print_note,
			     NULL, &g, &err) ||
	    (names == MV_NAMES_SAFE && make_safe(output, &err)))
		rc = mv_cli_report(&err);
	else
		rc = mv_gate_verdict(g, "merge");
	mv_gate_free(g);
	return rc;
}
