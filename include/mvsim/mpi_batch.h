/* mpi_batch.h — the batch loop (batch.h) over the ranks of an MPI job: rank 0 hands out chunks
 * of run numbers on demand, every rank runs its chunks on its own OpenMP threads through
 * mv_batch_exec, and rank 0 receives the results and delivers them in run order through the
 * spec's result callback — so a command's output is the same for any number of ranks and
 * threads. Without MPI (not built with it, or not started by mpirun/srun) it is mv_batch_*.
 * docs/cluster.md describes the commands that use it. */
#ifndef MVSIM_MPI_BATCH_H
#define MVSIM_MPI_BATCH_H

#include "mvsim/batch.h"

#include <stddef.h>

/* mv_mpi_batch_exec's return value on ranks other than 0: this rank ran chunks for rank 0
 * and has no results; the command returns at once (0), writing nothing. */
#define MV_MPI_WORKER 2

/* Whether this build has the MPI layer (1) or not (0). */
int mv_mpi_built(void);

/* Starts MPI when the process was started by an MPI launcher (mpirun, mpiexec, srun: the
 * environment says so); otherwise does nothing, so a plain `mvsim` never touches MPI.
 * Returns 0, or -1 with err (code 1) when MPI was wanted and failed to start. Call once,
 * before anything else; mv_mpi_end at the end. */
int mv_mpi_start(struct mv_error *err);

/* This process's rank and the number of ranks (0 and 1 without MPI). */
int mv_mpi_rank(void);
int mv_mpi_size(void);

/* Ends MPI (after every rank's command returned with status rc). Rank 0 releases ranks
 * still waiting for work and waits until every rank has ended. No-op without MPI. */
void mv_mpi_end(int rc);

/* A run's payload (what the sink's end returned, or data the sink kept elsewhere) carried
 * from the rank that ran it to rank 0: size bytes per run. pack runs on the computing rank
 * inside its result callback (res as there); unpack on rank 0 just before delivery, and
 * returns what the delivered result's payload is (owned by the codec). */
struct mv_mpi_payload {
	size_t size;
	void (*pack)(void *ctx, const struct mv_batch_result *res, void *buf);
	void *(*unpack)(void *ctx, long k, const void *buf);
	void *ctx;
};

struct mv_mpi_batch;

/* As mv_batch_create, for every rank of the job (each rank calls it with the same spec, the
 * same scenario and the same files). payload may be NULL (the results' payload is then NULL
 * under MPI; without MPI the batch's own payload is delivered). Returns NULL with err. */
struct mv_mpi_batch *mv_mpi_batch_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
					 const struct mv_batch_spec *spec,
					 const struct mv_mpi_payload *payload, struct mv_error *err);

void mv_mpi_batch_free(struct mv_mpi_batch *b);

/* As mv_batch_exec (runs first + i·stride, i in [0, count)), over every rank: results reach
 * spec.result on rank 0 only, in increasing run order, at most a window of them held (the
 * memory does not grow with count). Every rank calls it, the same number of times. Returns
 * on rank 0 what mv_batch_exec returns (0 all delivered, 1 stopped early with *ndone a
 * prefix, -1 with err: a callback failed, or a rank's hook failed — "rank N: ..."); on the
 * other ranks MV_MPI_WORKER (or -1 with err when this rank could not talk to rank 0). */
int mv_mpi_batch_exec(struct mv_mpi_batch *b, long first, long count, long stride, long *ndone,
		      struct mv_error *err);

#endif
