#!/bin/sh
# test_man.sh — the man pages (man/*.1): one for mvsim and one per command of `mvsim help`
# (and discover); each renders with `man -l` and groff -ww and passes `mandoc -Tlint` with no
# message at all; each names every long option its command's help lists; each carries the
# version of include/mvsim/version.h. Run by `make test` from the repository root.
set -u
BUILD=${BUILD:-build}
MVSIM=${MVSIM:-$BUILD/mvsim}
T=$BUILD/test-man
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -s "$T/msg" ] && sed 's/^/     /' "$T/msg" | head -20; }
rm -rf "$T" && mkdir -p "$T"
ver=$(sed -n 's/^#define MVSIM_VERSION_\(MAJOR\|MINOR\|PATCH\) *\([0-9]*\).*/\2/p' include/mvsim/version.h | paste -sd.)

# The commands `mvsim help` lists (two-space indent, then the name), and discover (issue 11).
cmds=$("$MVSIM" help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}' | grep -v '^help$')
cmds=$(printf '%s\ndiscover\n' "$cmds" | sort -u)
[ -n "$cmds" ] || { echo "FAIL no commands in mvsim help"; exit 1; }
for c in "" $cmds; do
	page=man/mvsim${c:+-$c}.1
	name=mvsim${c:+-$c}
	if [ ! -f "$page" ]; then : >"$T/msg"; bad "$page exists"; continue; fi
	mandoc -Tlint "$page" >"$T/msg" 2>&1
	if [ $? -eq 0 ] && [ ! -s "$T/msg" ]; then ok "$page: mandoc -Tlint clean"; else bad "$page: mandoc -Tlint"; fi
	groff -man -Tutf8 -ww -z "$page" >"$T/msg" 2>&1
	if [ $? -eq 0 ] && [ ! -s "$T/msg" ]; then ok "$page: groff -man -ww clean"; else bad "$page: groff -ww"; fi
	upper=$(echo "$name" | tr a-z A-Z)
	MANWIDTH=80 man -l "$page" >"$T/page.txt" 2>"$T/msg"
	if [ $? -eq 0 ] && [ ! -s "$T/msg" ] && grep -q "^$upper(1)" "$T/page.txt" &&
	   grep -q "^NAME" "$T/page.txt" && grep -q "^SYNOPSIS" "$T/page.txt" &&
	   grep -q "^EXIT STATUS" "$T/page.txt"; then
		ok "$page: man -l renders NAME, SYNOPSIS, EXIT STATUS"
	else bad "$page: man -l"; fi
	: >"$T/msg"
	if grep -q "^\.TH $upper 1 [0-9-]* \"mvsim $ver\"" "$page"; then ok "$page: version $ver"
	else bad "$page: .TH names mvsim $ver"; fi
	# Every long option of the command's help is in the page (a command not built yet, such
	# as discover before it lands, has no help to compare with).
	[ -n "$c" ] || continue
	if [ "$c" = plot ]; then "$MVSIM" plot --help >"$T/help" 2>&1; else "$MVSIM" help "$c" >"$T/help" 2>&1; fi || continue
	missing=""
	for o in $(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u); do
		e=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		grep -q -- "$e" "$page" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then ok "$page: every option of mvsim help $c"
	else echo "$missing" >"$T/msg"; bad "$page: options missing:"; fi
done
# Every page is listed in mvsim(1).
for c in $cmds; do
	if grep -q "^\.BR mvsim\\\\-$c (1)" man/mvsim.1; then ok "mvsim(1) lists mvsim-$c(1)"
	else : >"$T/msg"; bad "mvsim(1) lists mvsim-$c(1)"; fi
done
echo "test_man: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
