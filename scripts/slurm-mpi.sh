#!/bin/sh
# slurm-mpi.sh — a sweep as one MPI job: mpirun starts a rank per task, rank 0 hands out
# chunks of runs on demand and writes the summary in run order (the same bytes as
# `mvsim sweep --jobs 1`); each rank runs --cpus-per-task OpenMP threads. --resume: a
# requeued or resubmitted job continues the summary's .partial (docs/cluster.md).
#
#   sbatch --ntasks=8 --cpus-per-task=4 scripts/slurm-mpi.sh configs/sweeps/ci.cfg out/ci.tsv
#
# MVSIM names the binary (default: mvsim on PATH), built with MPI (mvsim --version says so).
#SBATCH --job-name=mvsim-mpi
#SBATCH --ntasks=4
#SBATCH --cpus-per-task=1
#SBATCH --requeue
#SBATCH --output=slurm-%j.out
set -eu
SWEEP=${1:?usage: sbatch [--ntasks=N] slurm-mpi.sh SWEEP.cfg SUMMARY.tsv}
SUMMARY=${2:?usage: sbatch [--ntasks=N] slurm-mpi.sh SWEEP.cfg SUMMARY.tsv}
MVSIM=${MVSIM:-mvsim}
export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"
# Open MPI reads the allocation from Slurm: one rank per task, no host list needed.
exec mpirun --bind-to none "$MVSIM" sweep "$SWEEP" -o "$SUMMARY" --resume
