#!/bin/sh
# check-equal.sh BASE_DUMP NEW_DUMP — every shipped scenario under every stepper, run by two
# builds of tests/dump_runs.c (a baseline commit's library and this tree's), compared number
# by number: |a − b| <= 1e-12·max(|a|, |b|) + 1e-15. The 1e-15 absolute floor is for values
# that pass through zero (tilt_x, a decaying tension): the quantities are O(1) and 1e-15 is
# a few ulps at 1. Prints the worst relative difference; exit 1 on any number beyond.
set -eu
base=$1 new=$2
out=${BUILD:-build}/check-equal
mkdir -p "$out"
scen="configs/kazakhstan.cfg $(ls configs/scenarios/*.cfg)"
"$base" $scen >"$out/base.txt" || true
"$new" $scen >"$out/new.txt" || true
paste "$out/base.txt" "$out/new.txt" >/dev/null
awk -v tol=1e-12 -v floor=1e-15 '
function abs(x) { return x < 0 ? -x : x }
NR == FNR { a[FNR] = $0; n = FNR; next }
{
	if (!(FNR in a)) { print "check-equal: new output has more lines"; bad++; exit 1 }
	if (substr($0, 1, 1) == "#") {
		if ($0 != a[FNR]) { print "check-equal: line " FNR ": " a[FNR] " vs " $0; bad++ }
		else if ($0 !~ /failed/) { runs++; cur = $0 }
		next
	}
	nb = split(a[FNR], b, "\t"); nn = split($0, c, "\t")
	if (nb != nn) { print "check-equal: line " FNR ": column count differs"; bad++; next }
	for (k = 1; k <= nn; k++) {
		x = b[k] + 0; y = c[k] + 0; d = abs(x - y); m = abs(x) > abs(y) ? abs(x) : abs(y)
		if (d > tol * m + floor) {
			if (bad++ < 10) printf "check-equal: %s line %d column %d: %.17g vs %.17g\n", cur, FNR, k, x, y
		}
		if (m > 0 && d / m > worst) { worst = d / m; where = cur }
		nums++
	}
	last = FNR
}
END {
	if (last + 0 < n && !bad) { print "check-equal: new output has fewer lines"; bad++ }
	printf "check-equal: %d runs (scenario x stepper), %d numbers, worst relative difference %.3g (%s), %d beyond 1e-12\n", runs, nums, worst, where, bad
	exit bad ? 1 : 0
}' "$out/base.txt" "$out/new.txt"
