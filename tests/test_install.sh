#!/bin/sh
# test_install.sh — the staged install (docs/library.md): `make install DESTDIR=...` lays out
# every file users need; examples/embed.c, built from the staged copy with pkg-config against
# the staged headers and libraries (shared, then static), prints the rows `mvsim run` prints;
# the shared library has its soname and exports mv_* only; `make uninstall` removes it all;
# a changed PREFIX rebuilds the objects. Run by `make test` from the repository root.
set -u
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
CC=${CC:-cc}
PREFIX=${PREFIX:-/usr/local}
SAN=${SAN:-} # make check: the example is built with the sanitizers the library was
STAGE=$(pwd)/$BUILD/stage
ROOT=$STAGE$PREFIX
T=$(pwd)/$BUILD/test-install
MVSIM=$(pwd)/$BUILD/mvsim
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { # check NAME COMMAND...: passes when the command succeeds
	name=$1; shift
	if "$@" >"$T/out" 2>&1; then ok "$name"; else bad "$name"; sed 's/^/     /' "$T/out" | head -20; fi
}

rm -rf "$STAGE" "$T" && mkdir -p "$T"
if ! $MAKE --no-print-directory -s install DESTDIR="$STAGE" PREFIX="$PREFIX" BUILD="$BUILD" >"$T/install.log" 2>&1; then
	cat "$T/install.log"; echo "0 passed, 1 failed"; exit 1
fi

# ---- the file list
ver=$(sed -n 's/^#define MVSIM_VERSION_\(MAJOR\|MINOR\|PATCH\) *\([0-9]*\).*/\2/p' include/mvsim/version.h | paste -sd.)
major=${ver%%.*}
for f in bin/mvsim lib/libmvsim.a "lib/libmvsim.so.$ver" lib/pkgconfig/mvsim.pc \
	include/mvsim/mvsim.h include/mvsim/version.h share/man/man1/mvsim.1 \
	share/bash-completion/completions/mvsim share/doc/mvsim/README.md \
	share/doc/mvsim/model.md share/doc/mvsim/library.md share/doc/mvsim/examples/embed.c share/doc/mvsim/examples/armenia.cfg; do
	check "installed $f" test -f "$ROOT/$f" -a ! -L "$ROOT/$f"
done
check "libmvsim.so.$major -> libmvsim.so.$ver" test "$(readlink "$ROOT/lib/libmvsim.so.$major")" = "libmvsim.so.$ver"
check "libmvsim.so -> libmvsim.so.$major" test "$(readlink "$ROOT/lib/libmvsim.so")" = "libmvsim.so.$major"
check "README.md's docs/ links resolve" test -f "$ROOT/share/doc/mvsim/docs/model.md"
missing() { # missing SRC_DIR GLOB DEST_DIR: names the files of SRC matching GLOB absent in DEST
	for f in $(cd "$1" && find . -type f -name "$2" ! -name '*.tmp.*'); do
		cmp -s "$1/$f" "$3/$f" || echo "not installed (or different): $1/$f"
	done
}
out=$(missing configs '*' "$ROOT/share/mvsim/configs"; missing scripts '*.gp' "$ROOT/share/mvsim/scripts";
      missing docs '*.md' "$ROOT/share/doc/mvsim"; missing man '*.1' "$ROOT/share/man/man1")
if [ -z "$out" ]; then ok "configs/**, scripts/*.gp, docs/*.md, man/*.1 installed"; else bad "installed copies"; echo "$out"; fi
check "man finds the installed mvsim-run(1)" \
	test "$(man -M "$ROOT/share/man" -w mvsim-run 2>/dev/null)" = "$ROOT/share/man/man1/mvsim-run.1"
check "the installed mvsim runs from its share/ scenarios" \
	"$ROOT/bin/mvsim" run "$ROOT/share/mvsim/configs/kazakhstan.cfg" -o "$T/installed.tsv"
# Public headers only: each one is in the umbrella header, and compiles on its own.
for h in "$ROOT"/include/mvsim/*.h; do
	b=$(basename "$h")
	case $b in
	mvsim.h) continue ;;
	cfgread.h|cli*.h|cmd_*.h|plot.h) continue ;; # internal: the loaders' kit, the CLI's own
	esac
	check "mvsim.h includes $b" grep -q "^#include \"mvsim/$b\"" "$ROOT/include/mvsim/mvsim.h"
done
printf '#include <mvsim/mvsim.h>\nint main(void) { return mv_version() == 0; }\n' > "$T/umbrella.c"
check "mvsim.h compiles alone (C11, -Wall -Wextra -Werror -pedantic)" \
	$CC -std=c11 -Wall -Wextra -Werror -pedantic -I"$ROOT/include" -c "$T/umbrella.c" -o "$T/umbrella.o"

# ---- pkg-config against the stage
export PKG_CONFIG_PATH="$ROOT/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$STAGE"
check "pkg-config knows mvsim $ver" test "$(pkg-config --modversion mvsim)" = "$ver"
flags=$(pkg-config --cflags --libs mvsim)
check "pkg-config --cflags --libs points into the stage ($flags)" \
	sh -c "echo '$flags' | grep -q -- '-I$ROOT/include' && echo '$flags' | grep -q -- '-L$ROOT/lib'"
EX=$ROOT/share/doc/mvsim/examples/embed.c
# shellcheck disable=SC2086
check "embed.c builds with pkg-config (shared)" \
	$CC -std=c11 -Wall -Wextra -Werror $SAN -o "$T/embed" "$EX" $flags
check "embed needs $(printf 'libmvsim.so.%s' "$major")" sh -c "readelf -d '$T/embed' | grep -q 'NEEDED.*\\[libmvsim.so.$major\\]'"
sflags=$(pkg-config --cflags --static --libs mvsim | sed 's/-lmvsim/-l:libmvsim.a/')
# shellcheck disable=SC2086
check "embed.c builds with pkg-config --static" \
	$CC -std=c11 -Wall -Wextra -Werror $SAN -o "$T/embed-static" "$EX" $sflags
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
export LD_LIBRARY_PATH="$ROOT/lib"
check "embed runs with the staged libmvsim.so" \
	sh -c "ldd '$T/embed' | grep -q 'libmvsim.so.$major => $ROOT/lib/libmvsim.so.$major'"
check "readelf: soname libmvsim.so.$major" \
	sh -c "readelf -d '$ROOT/lib/libmvsim.so.$ver' | grep -q 'SONAME.*\\[libmvsim.so.$major\\]'"
nonmv=$(nm -D --defined-only "$ROOT/lib/libmvsim.so.$ver" | awk '{print $3}' | grep -v '^mv_')
check "libmvsim.so exports mv_* only" test -z "$nonmv"

# mv_version() of the linked library = MVSIM_VERSION = what `mvsim --version` says.
"$T/embed" >"$T/usage" 2>&1; rc=$?
check "embed with no scenario: exit 2" test "$rc" = 2
check "mv_version() is mvsim --version's ($ver)" \
	sh -c "grep -q '(libmvsim $ver)' '$T/usage' && '$MVSIM' --version | grep -q '^mvsim $ver '"

# ---- the rows: embed (shared and static) against `mvsim run`, byte for byte after the `#` lines
compare() { # compare NAME SCENARIO [KEY=VALUE]...
	name=$1 sc=$2; shift 2
	sets=""; for a in "$@"; do sets="$sets --set $a"; done
	# shellcheck disable=SC2086
	"$MVSIM" run "$sc" $sets -o "$T/run.tsv" || { bad "$name: mvsim run failed"; return; }
	grep -v '^#' "$T/run.tsv" > "$T/run.rows"
	for e in embed embed-static; do
		if ! "$T/$e" "$sc" "$@" >"$T/$e.tsv" 2>"$T/$e.err"; then
			bad "$name: $e failed: $(cat "$T/$e.err")"; continue
		fi
		n=$(wc -l < "$T/run.rows")
		if [ "$n" -gt 2 ] && cmp -s "$T/run.rows" "$T/$e.tsv"; then
			ok "$name: $e prints the header and $((n - 1)) rows of mvsim run, identical"
		else
			bad "$name: $e differs from mvsim run"; diff "$T/run.rows" "$T/$e.tsv" | head -5
		fi
	done
}
compare "kazakhstan.cfg" configs/kazakhstan.cfg
compare "kazakhstan.cfg with two --set" configs/kazakhstan.cfg vectors.russia.coercion=2 vectors.russia.restraint.china=0
compare "baseline_noisy.cfg (noise from noise.seed)" configs/scenarios/baseline_noisy.cfg

# An input error: the library's message, as `mvsim run` prints it, and exit 2.
"$T/embed" "$T/no-such.cfg" >/dev/null 2>"$T/e1"; rc1=$?
"$MVSIM" run "$T/no-such.cfg" >/dev/null 2>"$T/e2"
check "embed: a missing scenario is exit 2 with mvsim run's message" \
	sh -c "test $rc1 = 2 && test \"\$(sed 's/^embed: //' '$T/e1')\" = \"\$(sed 's/^mvsim: //' '$T/e2')\""
unset LD_LIBRARY_PATH

# ---- a changed PREFIX rebuilds (in a build tree of its own: one small object)
# MAKEFLAGS cleared: the commands must be echoed even under `make -s test`.
P=$BUILD/test-install/prefix
MAKEFLAGS= $MAKE --no-print-directory -s BUILD="$P" PREFIX=/opt/a "$P/obj/version.o" >/dev/null 2>&1
MAKEFLAGS= $MAKE --no-print-directory -q BUILD="$P" PREFIX=/opt/a "$P/obj/version.o" >/dev/null 2>&1; same=$?
MAKEFLAGS= $MAKE --no-print-directory BUILD="$P" PREFIX=/opt/b "$P/obj/version.o" >"$T/rebuild" 2>&1
check "same PREFIX: up to date" test "$same" = 0
check "PREFIX=/opt/b: the object is rebuilt with MV_SCRIPTDIR and MV_DOCDIR under /opt/b" \
	sh -c "grep -q \"MV_SCRIPTDIR='\\\"/opt/b/share/mvsim/scripts\\\"'\" '$T/rebuild' &&
	       grep -q \"MV_DOCDIR='\\\"/opt/b/share/doc/mvsim\\\"'\" '$T/rebuild'"

# ---- uninstall leaves nothing
$MAKE --no-print-directory -s uninstall DESTDIR="$STAGE" PREFIX="$PREFIX" BUILD="$BUILD" >"$T/uninstall.log" 2>&1
left=$(find "$STAGE" ! -type d)
check "make uninstall removes every installed file" test -z "$left"
[ -z "$left" ] || echo "$left" | head

echo "test_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
