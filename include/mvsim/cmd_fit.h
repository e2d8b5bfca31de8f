/* cmd_fit.h — `mvsim fit`: calibrate a scenario's parameters against data (docs/model.md §11, §11a),
 * print a summary, write the report and the fitted what-if scenario. */
#ifndef MVSIM_CMD_FIT_H
#define MVSIM_CMD_FIT_H

/* The --help text (also the `usage` of the command's entry in the command table). */
extern const char mv_fit_usage[];

/* mvsim fit FIT.cfg [-o fitted.cfg] [--report report.tsv|-] [--report-dir DIR] [--jobs N] [--quiet]
 * argv[0] is the command's name. Loads the fit file, fits (every origin, every start), prints
 * a short summary on standard error (per origin: status, starts reaching the best, values
 * with standard errors and bound notes, RMSEs against persistence, mean and drift; then
 * pooled) and, on a terminal and without --quiet, one progress line per iteration on stderr.
 * Writes the report (also when the fit does not converge; '-': standard output), each of its
 * tables as DIR/NAME.tsv with --report-dir, and, only when every origin converged, the fitted
 * scenario of the last origin, each file through a temporary renamed into place. Returns 0
 * when the fit converged and everything was written (also for --help), 1 when it did not
 * converge (the best point and its SSR are printed), a model run failed or a write failed,
 * 2 on a usage or input error (nothing written). */
int mv_cmd_fit(int argc, char **argv);

#endif
