#!/bin/sh
# slurm-array.sh — a sweep as a Slurm job array: each task runs one shard (--shard env reads
# SLURM_ARRAY_TASK_ID/_COUNT/_MIN, so no arithmetic here and any --array range works),
# into OUTDIR/part-<task>.tsv. --resume makes a requeued or resubmitted task continue where
# it stopped. Then join the parts: mvsim merge OUTDIR/part-*.tsv -o summary.tsv
# (docs/cluster.md).
#
#   sbatch --array=1-16 scripts/slurm-array.sh configs/sweeps/ci.cfg out/ci
#
# MVSIM names the binary (default: mvsim on PATH); threads per task: --cpus-per-task.
#SBATCH --job-name=mvsim-sweep
#SBATCH --array=1-4
#SBATCH --cpus-per-task=1
#SBATCH --requeue
#SBATCH --output=slurm-%A_%a.out
set -eu
SWEEP=${1:?usage: sbatch [--array=1-N] slurm-array.sh SWEEP.cfg OUTDIR}
OUTDIR=${2:?usage: sbatch [--array=1-N] slurm-array.sh SWEEP.cfg OUTDIR}
MVSIM=${MVSIM:-mvsim}
mkdir -p "$OUTDIR"
exec "$MVSIM" sweep "$SWEEP" --shard env --jobs "${SLURM_CPUS_PER_TASK:-1}" \
	-o "$OUTDIR/part-$SLURM_ARRAY_TASK_ID.tsv" --resume
