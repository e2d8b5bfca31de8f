/* summary.h — the sweep summary (docs/sweeps.md): its format (metadata, header, one row per
 * run in run order, a final "# complete" line), the gate that applies its checks, the
 * summary file written through FILE.partial (resumable), and the merge of shards. */
#ifndef MVSIM_SUMMARY_H
#define MVSIM_SUMMARY_H

#include "mvsim/error.h"

#include <stdio.h>

struct mv_sweep;
struct mv_batch_result;

/* A complete summary ends with two lines, its trailer: the SHA-256 of its rows (every row
 * line, newline included, in file order) and the tally:
 *   # rows sha256<TAB>HEX
 *   # complete<TAB>N runs<TAB>F failed
 * so that merge and resume tell a part edited or damaged after it was written. */
#define MV_SUMMARY_CHECKSUM "# rows sha256"
#define MV_SUMMARY_TRAILER "# complete"

/* The most metadata (bytes) a summary may have: a reader stops there. */
#define MV_SUMMARY_MAX_META (4L << 20)

/* ================================================================ the format */

/* Metadata and header of the summary of sw, part K of N (shard line "# shard\tK/N"), one
 * malloc'd string ending in the header's newline. The metadata records the sweep file, the
 * scenario, its bases and data series with their SHA-256, the --set assignments, the design,
 * the parameters, metrics and checks. Returns NULL out of memory. */
char *mv_summary_meta(const struct mv_sweep *sw, int K, int N);

/* Bytes a row of sw needs (mv_summary_format_row's size). */
size_t mv_summary_row_size(const struct mv_sweep *sw);

/* One row of the summary of sw for result res into buf (size bytes, no newline): the run
 * number, each parameter, each metric (%.10g, "nan" when there is none), status ("ok" or
 * "failed") and reason ("-" when ok). Returns the length. */
size_t mv_summary_format_row(const struct mv_sweep *sw, const struct mv_batch_result *res,
			     char *buf, size_t size);

/* Reads the metadata and header of a summary from f (from its start): every line up to and
 * including the first that does not start with '#'. Returns them as one malloc'd string, or
 * NULL with err (code 2: "NAME: not an mvsim sweep summary ..."; code 1 out of memory). */
char *mv_summary_read_meta(FILE *f, const char *name, struct mv_error *err);

/* ================================================================ the gate */

/* What the gate tells about a run or a verdict, one line without "mvsim: " ("run 3 failed:
 * ...", "run 3 breaks check ...", "sweep: 2 of 10 runs failed"): the caller prints it. */
typedef void (*mv_gate_note_fn)(void *ctx, const char *msg);

/* The checks of a summary, applied to its runs as they come: a tally per check and of
 * failed runs, a note per failed run and per broken check. Opaque. */
struct mv_gate;

/* A gate for the summary whose metadata and header are meta (its '# check' lines are the
 * checks). keep_lists: keep every note per check for mv_gate_write_junit. note (may be
 * NULL) receives the notes. Returns the gate, or NULL with err (code 2: a header that is
 * not a summary's, a malformed '# check' line or one on a metric that is not a column;
 * code 1 out of memory or no temporary file). */
struct mv_gate *mv_gate_create(const char *meta, int keep_lists, mv_gate_note_fn note,
			       void *note_ctx, struct mv_error *err);

/* Frees g; NULL is a no-op. */
void mv_gate_free(struct mv_gate *g);

/* Judges run k of the header's parameters x and metrics, failed or not (reason: why).
 * Each metric is judged at the value the summary prints (%.10g), so a summary read back
 * (resumed, merged) is judged exactly as when it was written. Returns 0, -1 out of memory. */
int mv_gate_run(struct mv_gate *g, long k, const double *x, const double *metrics, int ok,
		const char *reason);

/* Judges a row read back from a summary (text without its newline) and adds it to the
 * checksum. Returns 0, or -1 when it is not a row as mvsim writes it: not the header's
 * fields, not a number where one belongs, a status other than ok/failed, an ok run with a
 * reason or a failed one without (the caller decides what that means: a torn row, a bad
 * part). */
int mv_gate_row(struct mv_gate *g, const char *row);

/* Fields per row (from the header), rows judged, runs failed. */
int mv_gate_nfields(const struct mv_gate *g);
long mv_gate_nrows(const struct mv_gate *g);
long mv_gate_nfailed(const struct mv_gate *g);
int mv_gate_nbroken(const struct mv_gate *g); /* checks broken by at least one run */

/* The verdict: a note for the failed runs and for each broken check ("WHAT: ..."). Returns
 * MV_EXIT_OK when every run completed and passed every check, else MV_EXIT_FAIL. */
int mv_gate_verdict(struct mv_gate *g, const char *what);

/* Notes "warning: check ...: this check cannot fail here: ..." for each check that no run broke
 * and whose metric did not vary, or never came within 10% of its bound (checklint.h), over the
 * runs judged so far; t_start, t_end: the scenario's span (the scale of time metrics). The
 * warnings also go into mv_gate_write_junit's test cases (as <system-err>). */
void mv_gate_lint(struct mv_gate *g, double t_start, double t_end);

/* Runs listed per failure: in the gate's notes (runs with a note), in each JUnit failure;
 * beyond it "and N more (see the summary)". The summary keeps every run. */
#define MV_GATE_LIST_MAX 20

/* Writes the checks as JUnit XML to f: a test case "runs complete" and one per check (named
 * after the check, classname suite), each failure with a message of counts listing its
 * first MV_GATE_LIST_MAX runs, then "and N more (see the summary)"; a check's lint warning
 * as <system-err>; the suite with consistent tests/failures/errors counts, time (seconds),
 * timestamp (UTC now) and hostname. suite: from mv_gate_junit_name. Returns 0, or -1 when
 * g keeps no lists. */
int mv_gate_write_junit(const struct mv_gate *g, FILE *f, const char *suite, double seconds);

/* The SHA-256 of the rows g judged so far (hex), as the trailer states it. */
void mv_gate_checksum(const struct mv_gate *g, char hex[65]);

/* The JUnit suite and class name of a sweep file's path: its base name without the
 * extension, other dots as '_' (CI tools split class names at dots), into buf. */
void mv_gate_junit_name(const char *path, char *buf, size_t size);

/* Writes the trailer of the rows g judged: "# rows sha256\tHEX\n# complete\tN runs\tF
 * failed\n". Returns 0 or -1 (errno set by the failed write). */
int mv_summary_write_trailer(FILE *f, const struct mv_gate *g);

/* ================================================================ the summary file */

/* A summary written to PATH through PATH.partial, locked (flock) while a sweep writes it,
 * renamed to PATH once complete. Opaque. */
struct mv_summary_file;

/* Opens the summary of a run range (runs first, first + stride, ..., total of them) whose
 * metadata is meta. Fresh (resume 0): creates PATH.partial (refused if it exists: an
 * interrupted sweep) and writes meta. Resume: checks PATH.partial comes from the same sweep
 * (the same meta), feeds its complete rows to g, cuts what follows the last (a torn row)
 * and continues there; without a partial, a complete PATH of the same sweep is judged again
 * and needs nothing more. Returns 0 with *out open and *done the rows there already, 1 when
 * PATH is complete already (*out NULL, *done its rows, g fed), or -1 with err (code 2:
 * another sweep's summary, a partial in the way, a locked one, a path that cannot be
 * created; code 1 write failures). Nothing is created on error. */
int mv_summary_file_open(const char *path, const char *meta, int resume, long first,
			 long stride, long total, struct mv_gate *g, struct mv_summary_file **out,
			 long *done, struct mv_error *err);

/* The partial file's name ("PATH.partial"). */
const char *mv_summary_file_partial(const struct mv_summary_file *s);

/* Appends one row (without its newline) and flushes it, so a kill loses at most the row
 * being written. Returns 0, or -1 with err (code 1). */
int mv_summary_file_row(struct mv_summary_file *s, const char *row, struct mv_error *err);

/* Completes the summary: the trailer of g's rows, flush, fsync, close (which releases the
 * lock), PATH.partial renamed to PATH. Frees s, success or not. Returns 0, or -1 with err
 * (code 1). */
int mv_summary_file_finish(struct mv_summary_file *s, const struct mv_gate *g,
			   struct mv_error *err);

/* Stops writing (an interrupted or failed sweep): what was written is flushed and stays in
 * PATH.partial for a resume. Frees s. NULL is a no-op. */
void mv_summary_file_close(struct mv_summary_file *s);

/* ================================================================ merge */

/* Joins the complete summaries parts[0..nparts) of shards 1/N..N/N of one sweep into the
 * summary the unsharded sweep writes (its metadata says shard 1/1), written to output
 * through mv_outfile, its rows judged by a gate made here (*gate, the caller frees it; its
 * notes to note). Returns 0, or -1 with err (code 2: parts that are not summaries,
 * incomplete, from different sweeps, missing or repeated, nothing written; code 1 write
 * failures). *gate is NULL when the parts were refused before any row was judged. */
int mv_summary_merge(const char *const *parts, int nparts, const char *output,
		     mv_gate_note_fn note, void *note_ctx, struct mv_gate **gate,
		     struct mv_error *err);

/* Parses "K/N" (1 <= K <= N <= 1000000) into *k, *n. Returns 0 or -1. */
int mv_summary_parse_shard(const char *s, int *k, int *n);

#endif
