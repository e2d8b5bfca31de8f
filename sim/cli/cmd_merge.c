/* cmd_merge.c — `mvsim merge`: the summaries of a sweep's shards joined into the unsharded
 * sweep's summary and judged by its checks (summary.h does both). */
#include "cli.h"

#include "mvsim/error.h"
#include "mvsim/summary.h"

#include <stdio.h>

const char mv_merge_usage[] =
	"usage: mvsim merge PARTS... -o summary.tsv\n"
	"\n"
	"Joins the summaries of the shards 1/N to N/N of one sweep (mvsim sweep --shard K/N)\n"
	"into the summary the unsharded sweep writes, byte for byte, and applies its checks.\n"
	"\n"
	"  -o, --output FILE   the merged summary (written via a temporary, renamed when complete)\n"
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

int mv_cmd_merge(int argc, char **argv)
{
	const char *output = NULL;
	const struct mv_opt opts[] = {
		{"output", 'o', MV_OPT_STRING, &output, 0, 0, NULL},
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
			     NULL, &g, &err))
		rc = mv_cli_report(&err);
	else
		rc = mv_gate_verdict(g, "merge");
	mv_gate_free(g);
	return rc;
}
