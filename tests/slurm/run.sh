#!/bin/sh
# tests/slurm/run.sh — docs/cluster.md's job scripts against a real single-node Slurm
# (make test-slurm; .ci/run). As root: starts munged (its own key and socket), slurmctld and
# slurmd on this host (ports 16817/16818, SlurmUser root, proctrack/linuxproc, task/none),
# submits scripts/slurm-array.sh as an array of 4 with `sbatch --wait`, merges the parts
# and compares with the serial summary; then scripts/slurm-mpi.sh with 2 tasks, the same
# comparison; stops the daemons whatever happened. MVSIM: an absolute path to mvsim.
set -u
MVSIM=${MVSIM:?MVSIM: the absolute path of mvsim}
BUILD=${BUILD:-build}
ROOT=$(pwd)
D=$ROOT/$BUILD/slurm
if [ "$(id -u)" -ne 0 ]; then
	echo "test_slurm: FAIL: needs root (it starts munged, slurmctld and slurmd)"
	exit 1
fi
for c in munged slurmctld slurmd sbatch sinfo; do
	command -v $c >/dev/null || [ -x /usr/sbin/$c ] ||
		{ echo "test_slurm: FAIL: no $c (sh scripts/deps.sh slurm)"; exit 1; }
done
PATH=$PATH:/usr/sbin
stop() {
	for p in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	sleep 1
	for p in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
		[ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
		rm -f "$p"
	done
}
trap stop EXIT
stop
rm -rf "$D" && mkdir -p "$D/spool" "$D/state" "$D/log" "$D/munge" "$D/work"
H=$(hostname -s)
CPUS=$(nproc)
MEM=$(awk '/MemTotal/{print int($2/1024*0.8)}' /proc/meminfo)
dd if=/dev/urandom bs=1 count=1024 of="$D/munge/munge.key" 2>/dev/null
chmod 400 "$D/munge/munge.key"
munged --key-file="$D/munge/munge.key" --socket="$D/munge/munge.socket" \
	--pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" --seed-file="$D/munge/seed" -f ||
	{ echo "test_slurm: FAIL: munged did not start"; exit 1; }
cat >"$D/slurm.conf" <<C
ClusterName=mvsimtest
SlurmctldHost=$H
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$H CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE
C
export SLURM_CONF="$D/slurm.conf"
slurmctld -f "$SLURM_CONF" || { echo "test_slurm: FAIL: slurmctld did not start"; exit 1; }
slurmd -f "$SLURM_CONF" || { echo "test_slurm: FAIL: slurmd did not start"; exit 1; }
up=0
for i in $(seq 1 60); do
	sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed)' && { up=1; break; }
	sleep 0.5
done
if [ $up -eq 0 ]; then
	echo "test_slurm: FAIL: the node did not come up"; sinfo; tail -20 "$D/log/slurmctld.log"
	exit 1
fi
fails=0
SW=$ROOT/tests/data/sweep/lhs.cfg
"$MVSIM" sweep "$SW" -o "$D/ref.tsv" --jobs 1 --quiet || { echo "test_slurm: FAIL: serial"; exit 1; }

# ---- the job array, exactly as shipped (its #SBATCH --array=1-4), from its own directory
cd "$D/work" || exit 1
export MVSIM
t0=$(date +%s)
sbatch --wait "$ROOT/scripts/slurm-array.sh" "$SW" "$D/parts" >"$D/sbatch.out" 2>&1
rc=$?
echo "test_slurm: sbatch --wait (array of 4): exit $rc after $(( $(date +%s) - t0 )) s"
cat "$D/sbatch.out"
if [ $rc -eq 0 ] && "$MVSIM" merge "$D"/parts/part-*.tsv -o "$D/merged.tsv" &&
	cmp -s "$D/ref.tsv" "$D/merged.tsv"; then
	echo "test_slurm: ok: the array's 4 parts merge into the serial summary"
else
	echo "test_slurm: FAIL: job array (exit $rc)"; ls "$D/parts" "$D/work"; cat "$D"/work/slurm-*.out
	fails=$((fails + 1))
fi
# each task's log has its final line (stderr is a file there)
n=$(cat "$D"/work/slurm-*_*.out | grep -c '^mvsim sweep: [0-9]* runs, 0 failed, 0 broken checks, ')
[ "$n" -eq 4 ] && echo "test_slurm: ok: each task logged its final line" ||
	{ echo "test_slurm: FAIL: $n final lines in the tasks' logs"; fails=$((fails + 1)); }

# ---- the MPI job script with 2 tasks (mpirun inside the allocation)
if "$MVSIM" --version | grep -q ', MPI)'; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	sbatch --wait --ntasks=2 "$ROOT/scripts/slurm-mpi.sh" "$SW" "$D/mpi.tsv" >"$D/sbatch-mpi.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$D/ref.tsv" "$D/mpi.tsv" &&
		grep -q 'over 2 MPI ranks' "$D"/work/slurm-[0-9]*.out; then
		echo "test_slurm: ok: the MPI job (2 ranks) writes the serial summary"
	else
		echo "test_slurm: FAIL: MPI job (exit $rc)"; cat "$D/sbatch-mpi.out" "$D"/work/slurm-[0-9]*.out
		fails=$((fails + 1))
	fi
fi
cd "$ROOT" || exit 1
[ $fails -eq 0 ] && { echo "test_slurm: all passed"; exit 0; }
exit 1
