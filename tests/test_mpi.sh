#!/bin/sh
# test_mpi.sh — the batch commands under mpirun (docs/cluster.md): with 1, 2 and 3 ranks
# (oversubscribed: this machine may have fewer cores) and 1 or 2 threads a rank, sweep,
# ensemble and sensitivity write exactly what `--jobs 1` writes; --resume under MPI keeps
# the rows of a partial and runs the rest; a rank killed mid-sweep fails the job with
# mpirun's message naming it and leaves a partial that --resume finishes; an input error is
# reported once (by rank 0). MVSIM names the binary, BUILD the scratch directory.
# Under AddressSanitizer (make check) leak detection is off: Open MPI's own allocations at
# exit are not freed (ASAN_OPTIONS=detect_leaks=0 for the mpirun runs only).
set -u
MVSIM=${MVSIM:-build/mvsim}
BUILD=${BUILD:-build}
T=$BUILD/test-mpi
rm -rf "$T" && mkdir -p "$T"
fails=0
fail() { echo "test_mpi: FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "test_mpi: ok: $*"; }

if ! "$MVSIM" --version | grep -q ', MPI)'; then
	if [ -n "${CI:-}" ]; then
		echo "test_mpi: FAIL: $MVSIM was built without MPI (mpicc missing when make read the Makefile; scripts/deps.sh installs libopenmpi-dev)"
		exit 1
	fi
	echo "test_mpi: skipped: $MVSIM was built without MPI"
	exit 0
fi
command -v mpirun >/dev/null || { echo "test_mpi: FAIL: no mpirun (openmpi-bin)"; exit 1; }
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export OMPI_MCA_btl_vader_single_copy_mechanism=none # no ptrace needed in containers
D=tests/data/sweep

# ---- 1. byte-identical to --jobs 1 for 1, 2, 3 ranks and 1 or 2 threads
"$MVSIM" sweep $D/lhs.cfg -o "$T/ref.tsv" --jobs 1 --quiet || fail "serial reference"
for nj in 1:1 2:1 3:1 3:2 1:2; do
	n=${nj%:*} j=${nj#*:}
	$MPIRUN -n "$n" "$MVSIM" sweep $D/lhs.cfg -o "$T/m$n-$j.tsv" --jobs "$j" 2>"$T/m$n-$j.err"
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$T/ref.tsv" "$T/m$n-$j.tsv"; then ok "sweep, $n ranks x $j threads = --jobs 1"
	else fail "sweep, $n ranks x $j threads (exit $rc): differs from --jobs 1"; cat "$T/m$n-$j.err"; fi
done
# the log says how the runs were spread
grep -q '^mvsim sweep: 90 runs over 3 MPI ranks, 2 threads on rank 0$' "$T/m3-2.err" &&
	grep -q '^mvsim sweep: 90 runs, 0 failed, 0 broken checks, .* runs/s$' "$T/m3-2.err" ||
	{ fail "sweep log under MPI"; cat "$T/m3-2.err"; }
# standard output (no -o, and -o -): only rank 0 writes it
"$MVSIM" sweep $D/lhs.cfg --jobs 1 --quiet >"$T/ref.out"
$MPIRUN -n 3 "$MVSIM" sweep $D/lhs.cfg --quiet >"$T/m.out" 2>"$T/m.err" &&
	$MPIRUN -n 2 "$MVSIM" sweep $D/lhs.cfg -o - --quiet >"$T/m2.out" 2>>"$T/m.err" &&
	cmp -s "$T/ref.out" "$T/m.out" && cmp -s "$T/ref.out" "$T/m2.out" &&
	ok "sweep to standard output, 3 and 2 ranks" || { fail "sweep to standard output"; cat "$T/m.err"; }

# ---- 2. a grid with a breaking check: same summary, same stderr list, same exit status 1
"$MVSIM" sweep $D/breaking.cfg -o "$T/bref.tsv" --jobs 1 2>"$T/bref.err"
brc=$?
$MPIRUN -n 3 "$MVSIM" sweep $D/breaking.cfg -o "$T/b3.tsv" 2>"$T/b3.err"
rc=$?
if [ $brc -eq 1 ] && [ $rc -eq 1 ] && cmp -s "$T/bref.tsv" "$T/b3.tsv" &&
	[ "$(grep '^mvsim: ' "$T/bref.err")" = "$(grep '^mvsim: ' "$T/b3.err")" ]; then
	ok "breaking checks under MPI: exit 1, same summary and list"
else fail "breaking checks under MPI (exit $brc / $rc)"; cat "$T/b3.err"; fi

# ---- 3. --resume under MPI: a partial of 250 rows and a torn one; kept rows are not rerun
"$MVSIM" sweep $D/long.cfg -o "$T/long-ref.tsv" --jobs 2 --quiet || fail "long reference"
hdr=$(grep -c '^#' "$T/long-ref.tsv")
hdr=$((hdr - 1)) # metadata + 1 (the header line): the trailer's two '#' lines are not counted
head -n $((hdr + 250 - 1 + 1)) "$T/long-ref.tsv" >"$T/long.tsv.partial" # metadata, header, 250 rows
sed -n "$((hdr + 250 + 2))p" "$T/long-ref.tsv" | head -c 7 >>"$T/long.tsv.partial"
$MPIRUN -n 3 "$MVSIM" sweep $D/long.cfg -o "$T/long.tsv" --resume 2>"$T/long.err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$T/long-ref.tsv" "$T/long.tsv" &&
	grep -q "^mvsim sweep: resumed $T/long.tsv.partial: 250 of 600 runs kept, 350 to run$" "$T/long.err" &&
	grep -q '^mvsim sweep: 350 runs over 3 MPI ranks' "$T/long.err" &&
	grep -q '^mvsim sweep: 600 runs (250 kept), 0 failed, ' "$T/long.err"; then
	ok "--resume under 3 ranks: 250 kept, 350 run, byte-identical"
else fail "--resume under MPI (exit $rc)"; cat "$T/long.err"; fi

# ---- 4. a rank killed mid-sweep: the job fails naming it; the partial resumes
"$MVSIM" sweep configs/sweeps/ci.cfg -o "$T/ci-ref.tsv" --jobs 2 --quiet || fail "ci reference"
$MPIRUN -n 3 "$MVSIM" sweep configs/sweeps/ci.cfg -o "$T/ci.tsv" --jobs 1 >"$T/kill.out" 2>"$T/kill.err" &
mp=$!
victim=
for i in $(seq 1 400); do # wait for rows (at most 20 s), then kill rank 1
	rows=$(grep -vc '^#' "$T/ci.tsv.partial" 2>/dev/null || echo 0)
	if [ "$rows" -gt 40 ]; then
		for p in $(pgrep -P $mp); do
			if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
				victim=$p
			fi
		done
		break
	fi
	sleep 0.05
done
[ -n "$victim" ] && kill -9 "$victim"
wait $mp
rc=$?
if [ -z "$victim" ]; then
	fail "killed rank: did not find rank 1 while the sweep ran"
elif [ $rc -ne 0 ] && grep -q 'rank 1 with PID .* exited on signal 9' "$T/kill.err" &&
	[ -f "$T/ci.tsv.partial" ] && [ ! -f "$T/ci.tsv" ]; then
	ok "a killed rank fails the job (exit $rc) with mpirun's message naming rank 1"
	kept=$(grep -vc '^#' "$T/ci.tsv.partial")
	$MPIRUN -n 2 "$MVSIM" sweep configs/sweeps/ci.cfg -o "$T/ci.tsv" --resume 2>"$T/kill2.err"
	if [ $? -eq 0 ] && cmp -s "$T/ci-ref.tsv" "$T/ci.tsv" && grep -q 'runs kept' "$T/kill2.err"; then
		ok "its partial ($kept rows, some maybe torn) resumes under 2 ranks, byte-identical"
	else fail "resume after the killed rank"; cat "$T/kill2.err"; fi
else fail "killed rank: exit $rc"; cat "$T/kill.err"; ls "$T"; fi

# ---- 5. ensemble and sensitivity on the same loop
"$MVSIM" ensemble configs/scenarios/baseline_noisy.cfg --runs 40 -o "$T/e1.tsv" --jobs 1 --quiet
$MPIRUN -n 3 "$MVSIM" ensemble configs/scenarios/baseline_noisy.cfg --runs 40 -o "$T/e3.tsv" --quiet 2>"$T/e3.err" &&
	cmp -s "$T/e1.tsv" "$T/e3.tsv" && ok "ensemble, 3 ranks = --jobs 1" || { fail "ensemble under MPI"; cat "$T/e3.err"; }
"$MVSIM" sensitivity $D/lhs.cfg --method morris --samples 6 -o "$T/s1.tsv" --jobs 1 --quiet 2>/dev/null
$MPIRUN -n 3 "$MVSIM" sensitivity $D/lhs.cfg --method morris --samples 6 -o "$T/s3.tsv" --quiet 2>"$T/s3.err" &&
	cmp -s "$T/s1.tsv" "$T/s3.tsv" && ok "sensitivity, 3 ranks = --jobs 1" || { fail "sensitivity under MPI"; cat "$T/s3.err"; }

# ---- 6. an input error: exit 2, said once (the other ranks are silent), nothing written
$MPIRUN -n 3 "$MVSIM" sweep $D/nonexistent.cfg -o "$T/none.tsv" >"$T/none.out" 2>"$T/none.err"
rc=$?
n=$(grep -c '^mvsim: ' "$T/none.err")
if [ $rc -eq 2 ] && [ "$n" -eq 1 ] && [ ! -e "$T/none.tsv.partial" ]; then ok "an input error under MPI: exit 2, one message"
else fail "input error under MPI: exit $rc, $n messages"; cat "$T/none.err"; fi

[ $fails -eq 0 ] && { echo "test_mpi: all passed"; exit 0; }
echo "test_mpi: $fails failed"
exit 1
