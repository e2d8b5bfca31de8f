#!/bin/sh
# deps.sh — make sure the packages mvsim builds and tests with are present (Debian 12).
# As root, installs what is missing with apt-get; otherwise prints the exact command and fails.
set -u
# libopenmpi-dev/openmpi-bin: the MPI layer (sim/mpi_batch.c) and its test under mpirun;
# libxml2-utils: xmllint validates the JUnit reports in the tests.
PKGS="libgsl-dev libconfig-dev libcmocka-dev gnuplot-nox pkg-config libopenmpi-dev openmpi-bin libxml2-utils"
missing=0
if ! command -v pkg-config >/dev/null 2>&1; then missing=1
else
	for p in gsl libconfig cmocka; do
		pkg-config --exists "$p" || missing=1
	done
fi
command -v gnuplot >/dev/null 2>&1 || missing=1
for c in mpicc mpirun xmllint; do command -v "$c" >/dev/null 2>&1 || missing=1; done
# `deps.sh slurm` (make test-slurm, .ci/run): a single-node Slurm and munge.
if [ "${1:-}" = slurm ]; then
	PKGS="$PKGS slurm-wlm munge"
	for c in slurmctld slurmd sbatch munged; do
		command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || missing=1
	done
fi
# `make valgrind` (CI) needs valgrind.
if [ "${1:-}" = valgrind ]; then
	PKGS="$PKGS valgrind"
	command -v valgrind >/dev/null 2>&1 || missing=1
fi
# `deps.sh man` (make test's man-page test): mandoc's linter and man-db's `man -l` (groff).
if [ "${1:-}" = man ]; then
	PKGS="$PKGS mandoc man-db groff-base"
	for c in mandoc man groff; do command -v "$c" >/dev/null 2>&1 || missing=1; done
fi
command -v cc >/dev/null 2>&1 || { PKGS="$PKGS gcc make"; missing=1; }
# `deps.sh fuzz`: clang and its sanitizer runtimes for libFuzzer (make fuzz).
if [ "${1:-}" = fuzz ]; then
	PKGS="$PKGS clang libclang-rt-dev"
	# clang alone is not enough: libFuzzer's runtime comes with libclang-rt.
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
		> /tmp/mvsim-deps-fuzz.c
	clang -fsanitize=fuzzer /tmp/mvsim-deps-fuzz.c -o /tmp/mvsim-deps-fuzz >/dev/null 2>&1 || missing=1
	rm -f /tmp/mvsim-deps-fuzz.c /tmp/mvsim-deps-fuzz
fi
[ "$missing" -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing $PKGS"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q $PKGS && exit 0
	echo "deps: apt-get failed" >&2
	exit 1
fi
echo "deps: missing packages; run:" >&2
echo "  sudo apt-get install -y $PKGS" >&2
exit 1
