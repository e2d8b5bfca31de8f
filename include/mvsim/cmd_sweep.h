/* cmd_sweep.h — `mvsim sweep` (run a sweep file into a summary, sharded, resumable, gated by
 * checks) and `mvsim merge` (join the summaries of a sweep's shards). */
#ifndef MVSIM_CMD_SWEEP_H
#define MVSIM_CMD_SWEEP_H

/* The --help texts (also the `usage` of the commands' entries in the command table). */
extern const char mv_sweep_usage[];
extern const char mv_merge_usage[];

/* mvsim sweep SWEEP.cfg [-o summary.tsv] [--jobs N] [--shard K/N] [--resume] [--junit FILE]
 *                       [--series DIR] [--set KEY=VALUE]... [--quiet]
 * argv[0] is the command's name. Writes the summary (metadata, header, one row per run in
 * run order, a final "# complete" line) to FILE via FILE.partial, renamed when complete, or
 * to standard output. Prints errors, failed runs and runs breaking checks on stderr
 * (`mvsim: ...`), a progress line there only on a terminal. Returns 0 when every run
 * completed and passed every check (also for --help), 1 when a run failed, a check broke or
 * output failed, 2 on a usage or input error (nothing written or overwritten), 128 + signal
 * when mv_interrupt stopped it (SIGINT 130, SIGTERM 143; FILE.partial keeps the finished
 * runs for --resume). */
int mv_cmd_sweep(int argc, char **argv);

/* mvsim merge PARTS... -o summary.tsv
 * Joins the complete summaries of shards 1/N..N/N of one sweep into exactly the summary the
 * unsharded sweep writes, and applies its checks. Returns 0, 1 (a run failed or a check
 * broke in the merged summary, or output failed), or 2 (usage; parts that are not
 * summaries, incomplete, from different sweeps, missing or repeated: nothing written). */
int mv_cmd_merge(int argc, char **argv);

#endif
