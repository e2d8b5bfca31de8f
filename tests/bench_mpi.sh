#!/bin/sh
# bench_mpi.sh — make bench: MPI runs/s of `mvsim sweep` on configs/sweeps/ci.cfg (1000 runs
# of the baseline, metrics only) with 1, 2 and 3 ranks of 1 thread each, against --jobs 1
# without MPI. Two figures per line: the sweep's own rate (its final log line: runs over
# the time from its start to its last result) and the wall time of the whole mpirun (MPI's
# start-up included). More ranks than cores oversubscribes: the line says so.
MVSIM=${MVSIM:-build/mvsim}
BUILD=${BUILD:-build}
T=$BUILD/bench-mpi
mkdir -p "$T"
echo "bench_mpi: mvsim sweep configs/sweeps/ci.cfg (1000 runs), $(nproc) cores"
if ! "$MVSIM" --version | grep -q ', MPI)' || ! command -v mpirun >/dev/null; then
	echo "bench_mpi: skipped: $MVSIM without MPI, or no mpirun"
	exit 0
fi
now() { date +%s.%N; }
line() { # label, wall seconds, stderr file
	rate=$(sed -n 's/^mvsim sweep: 1000 runs, .* s, \([0-9]*\) runs\/s$/\1/p' "$3")
	awk -v l="$1" -v w="$2" -v r="$rate" -v c="$(nproc)" -v n="$4" 'BEGIN {
		printf "  %-26s %6s runs/s (sweep)  %6.0f runs/s (wall %.2f s)%s\n", l, r, 1000 / w, w,
			(n + 0 > c + 0 ? "  oversubscribed: " n " ranks on " c " cores" : "") }'
}
rm -f "$T/s.tsv"
t0=$(now); "$MVSIM" sweep configs/sweeps/ci.cfg -o "$T/s.tsv" --jobs 1 2>"$T/s.err"; t1=$(now)
line "no MPI, --jobs 1" "$(awk -v a="$t0" -v b="$t1" "BEGIN { print b - a }")" "$T/s.err" 1
for n in 1 2 3; do
	rm -f "$T/m$n.tsv"
	t0=$(now)
	mpirun --allow-run-as-root --oversubscribe -n $n "$MVSIM" sweep configs/sweeps/ci.cfg \
		-o "$T/m$n.tsv" --jobs 1 2>"$T/m$n.err"
	t1=$(now)
	cmp -s "$T/s.tsv" "$T/m$n.tsv" || { echo "bench_mpi: $n ranks: summary differs from --jobs 1"; exit 1; }
	line "mpirun -n $n, 1 thread each" "$(awk -v a="$t0" -v b="$t1" "BEGIN { print b - a }")" "$T/m$n.err" $n
done
