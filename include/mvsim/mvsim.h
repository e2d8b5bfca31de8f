/* mvsim.h — the whole public API of libmvsim in one include (docs/library.md).
 * `#include <mvsim/mvsim.h>` and link with `pkg-config --cflags --libs mvsim`. */
#ifndef MVSIM_MVSIM_H
#define MVSIM_MVSIM_H

#include "mvsim/version.h"     /* MVSIM_VERSION_*, mv_version() */
#include "mvsim/error.h"       /* struct mv_error, exit codes */
#include "mvsim/scenario.h"    /* struct mv_scenario: a scenario as plain data */
#include "mvsim/series.h"      /* data series (docs/model.md §10) */
#include "mvsim/keys.h"        /* keys and the slot layout (docs/model.md §4) */
#include "mvsim/config.h"      /* loading and validating scenario files (docs/model.md §3) */
#include "mvsim/events.h"      /* parameters through time, jumps (docs/model.md §5) */
#include "mvsim/model.h"       /* the right-hand side and the output row (docs/model.md §2, §7) */
#include "mvsim/noise.h"       /* Ornstein–Uhlenbeck shocks (docs/model.md §6) */
#include "mvsim/integrate.h"   /* a run: struct mv_run, rows through a callback */
#include "mvsim/output.h"      /* the TSV writer (docs/model.md §7) */
#include "mvsim/fmt.h"         /* numbers as printf("%.10g") writes them, without printf (§7) */
#include "mvsim/metrics.h"     /* metrics and checks (docs/model.md §9) */
#include "mvsim/batch.h"       /* many runs on threads, results in run order */
#include "mvsim/mpi_batch.h"   /* the batch loop over MPI ranks (docs/cluster.md) */
#include "mvsim/sweep.h"       /* sweep files and samplers (docs/model.md §8) */
#include "mvsim/sweeprun.h"    /* a sweep's runs collected in memory through the batch */
#include "mvsim/sensitivity.h" /* Sobol' and Morris designs and indices */
#include "mvsim/fit.h"         /* calibration (docs/model.md §11) */
#include "mvsim/prim.h"        /* scenario discovery, PRIM (docs/model.md §12) */
#include "mvsim/summary.h"     /* sweep summaries: format, gate, JUnit, merge (docs/model.md §8-§9) */
#include "mvsim/outfile.h"     /* the one output primitive: temporary + rename, or write-through */
#include "mvsim/tsv.h"         /* the one TSV reader */
#include "mvsim/resultfile.h"  /* what a result file is: its metadata and header */
#include "mvsim/infile.h"      /* the one input opener: regular files only, bounded, hashed */
#include "mvsim/names.h"       /* name lists from tables ("expected one of ...") */
#include "mvsim/colnames.h"    /* --names safe: column names of letters, digits and _ */
#include "mvsim/gnuplot.h"     /* finding and running gnuplot without a shell */
#include "mvsim/checklint.h"   /* checks that cannot fail over a sweep (docs/model.md §9) */
#include "mvsim/sha256.h"      /* file fingerprints for metadata */

#endif
