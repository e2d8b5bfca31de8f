/* plot.h — `mvsim plot`: figures of result files, drawn by gnuplot with scripts/<kind>.gp.
 * The scripts also run on their own; this command checks inputs and runs gnuplot safely. */
#ifndef MVSIM_PLOT_H
#define MVSIM_PLOT_H

/* The `mvsim plot` command (argv[0] is "plot"):
 *
 *   mvsim plot RESULT.tsv [--kind shares|plane|tension|diversity|all|fan|sensitivity]
 *              [-o FILE] [--format png|svg|pdf]
 *   mvsim plot SUMMARY.tsv [--kind scatter] [--metric METRIC] [-o FILE] [--format ...]
 *   mvsim plot SUMMARY.tsv [--kind heatmap] --x KEY --y KEY --metric METRIC [...]
 *   mvsim plot FITTED.tsv [--kind fit] --report REPORT.tsv [-o FILE] [--format ...]
 *   mvsim plot --compare A.tsv B.tsv ... [--columns "c1 c2"] [-o FILE] [--format ...]
 *
 * Without --kind a file gets the figures of what it is (its '# result' line, or the words
 * after the version on its first line): a run's result the four of --kind all (fit when
 * --report is given), an ensemble fan, an analysis sensitivity, a sweep summary scatter
 * of its first metric (heatmap when --x and --y are given).
 * Checks each input is an mvsim result of the right sort with the columns the figure needs
 * (a sweep summary: complete, --x/--y among its parameters, --metric among its metrics and
 * not all nan; a fit: the report's tables and every series it scores a column of the run),
 * finds gnuplot (env GNUPLOT, else PATH) and the scripts (env MVSIM_SCRIPTS, else <dir of
 * the executable>/../scripts, else MV_SCRIPTDIR), runs gnuplot without a shell (names reach
 * it only as single-quoted gnuplot strings), and publishes each figure by renaming a
 * temporary into place once gnuplot has finished cleanly.
 * Prints each file written to stdout, errors to stderr as `mvsim plot: <message>`.
 * Returns 0 ok (also for --help), 1 if gnuplot is missing, fails or prints anything on
 * stderr (no figure is left behind), 2 on a usage or input error (nothing is drawn). */
int mv_cmd_plot(int argc, char **argv);

#endif
