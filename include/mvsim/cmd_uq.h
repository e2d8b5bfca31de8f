/* cmd_uq.h — `mvsim ensemble` (bands over stochastic runs) and `mvsim sensitivity` (Sobol' and
 * Morris indices over a sweep file's parameters): two loops around runs, through batch.h. */
#ifndef MVSIM_CMD_UQ_H
#define MVSIM_CMD_UQ_H

/* An ensemble keeps every run's rows of the chosen columns until all runs are in (the
 * percentiles need them all): runs × rows × (columns + 1) × 8 bytes (the +1 is the time).
 * Above this it refuses (exit 2) rather than swap. 1000 runs of the baseline (101 rows) with
 * the default 10 columns take 8.9 MB. */
#define MV_ENSEMBLE_MAX_BYTES (1L << 30)  /* 1 GiB */
#define MV_ENSEMBLE_MAX_RUNS 100000000L   /* --runs: 10^8 (seeds stay distinct below 2^32) */

/* sensitivity: the outputs of a design take runs × metrics × 8 bytes, at most this too. */
#define MV_SENS_MAX_OUTPUT_BYTES (1L << 30)

#define MV_SOBOL_DEFAULT_SAMPLES 1024 /* N base points: a power of two */
#define MV_SOBOL_DEFAULT_BOOTSTRAP 1000
#define MV_MORRIS_DEFAULT_SAMPLES 20  /* r trajectories */
#define MV_MORRIS_DEFAULT_LEVELS 4    /* p */

/* The --help texts (also the `usage` of the commands' entries in the command table). */
extern const char mv_ensemble_usage[];
extern const char mv_sensitivity_usage[];

/* mvsim ensemble SCENARIO [--runs N] [--seed S] [--jobs N] [--columns LIST] [-o FILE]
 *                         [--set KEY=VALUE]... [--allow-failed] [--quiet]
 * argv[0] is the command's name. Runs SCENARIO N times (default 100), run k with noise seed
 * mv_noise_run_seed(S, k) (S: --seed, default the scenario's noise.seed), and writes for every
 * output time and chosen column the mean, s.d. and 5/25/50/75/95% percentiles over the runs
 * (metadata, header, rows) to FILE (via a temporary, renamed when complete) or stdout. The
 * output is the same, byte for byte, for any --jobs. Errors on stderr as `mvsim: ...`.
 * Returns 0 (also for --help), 1 when runs failed (unless --allow-failed and at least two
 * succeeded) or output failed, 2 on a usage or input error (nothing written), 128 + signal
 * when interrupted by SIGINT/SIGTERM (nothing written). */
int mv_cmd_ensemble(int argc, char **argv);

/* mvsim sensitivity SWEEP.cfg --method sobol|morris [--samples N] [--bootstrap B] [--seed S]
 *                   [--levels P] [--jobs N] [-o FILE] [--set KEY=VALUE]... [--quiet]
 * argv[0] is the command's name. Samples the sweep file's parameters (uniform on min..max;
 * a parameter with steps or values takes level floor(u·L), the last at u = 1) with a Saltelli
 * or Morris design, runs every point, and writes one row per (metric, parameter): S1 and ST
 * with bootstrap 95% intervals, or μ, μ*, σ. Returns 0 (also for --help), 1 when a run failed
 * or a metric was not a number (the estimators need every run: nothing written) or output
 * failed, 2 on a usage or input error (a design above the limit included), 128 + signal when
 * interrupted. */
int mv_cmd_sensitivity(int argc, char **argv);

#endif
