/* plot.h — `mvsim plot`: figures of result files, drawn by gnuplot with scripts/<kind>.gp.
 * The scripts also run on their own; this command checks inputs and runs gnuplot safely. */
#ifndef MVSIM_PLOT_H
#define MVSIM_PLOT_H

/* The `mvsim plot` command (argv[0] is "plot"):
 *
 *   mvsim plot RESULT.tsv [--kind shares|plane|tension|diversity|all] [-o FILE]
 *              [--format png|svg|pdf]
 *   mvsim plot --compare A.tsv B.tsv ... [--columns "c1 c2"] [-o FILE] [--format ...]
 *
 * Checks each input is an mvsim result with the columns the figure needs, finds gnuplot
 * (env GNUPLOT, else PATH) and the scripts (env MVSIM_SCRIPTS, else <dir of the
 * executable>/../scripts, else MV_SCRIPTDIR), runs gnuplot without a shell, and publishes
 * each figure by renaming a temporary into place once gnuplot has finished cleanly.
 * Prints each file written to stdout, errors to stderr as `mvsim plot: <message>`.
 * Returns 0 ok (also for --help), 1 if gnuplot is missing, fails or prints anything on
 * stderr (no figure is left behind), 2 on a usage or input error (nothing is drawn). */
int mv_cmd_plot(int argc, char **argv);

#endif
