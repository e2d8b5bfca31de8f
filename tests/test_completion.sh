#!/bin/bash
# test_completion.sh — scripts/mvsim-completion.bash, sourced in bash as bash-completion would:
# COMPREPLY for a command, an option, an option's value, and --set keys of the scenario on the
# line (given directly, after --set, through a sweep file's `scenario`, and as --set=KEY).
# Run by `make test` from the repository root, with build/ first on PATH.
set -u
BUILD=${BUILD:-build}
MVSIM=${MVSIM:-$BUILD/mvsim}
PATH=$(cd "$(dirname "$MVSIM")" && pwd):$PATH
# shellcheck source=../scripts/mvsim-completion.bash
source scripts/mvsim-completion.bash
pass=0 fail=0

# complete WORDS...: the completions of the last word (of word CWORD when set) (bash splits --set=K into --set = K).
complete_line()
{
	COMP_WORDS=("$@")
	COMP_CWORD=${CWORD:-$((${#COMP_WORDS[@]} - 1))}
	COMPREPLY=()
	_mvsim
}
# expect NAME "EXPECTED REPLIES" WORDS...: COMPREPLY, sorted and joined by spaces, must equal it.
expect()
{
	local name=$1 want=$2 got
	shift 2
	complete_line "$@"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | paste -sd' ')
	if [[ $got == "$want" ]]; then pass=$((pass + 1)); echo "ok   $name"
	else fail=$((fail + 1)); echo "FAIL $name: expected '$want', found '$got'"; fi
}
# contains NAME WORD WORDS...: COMPREPLY must hold WORD.
contains()
{
	local name=$1 want=$2 r
	shift 2
	complete_line "$@"
	for r in "${COMPREPLY[@]}"; do
		[[ $r == "$want" ]] && { pass=$((pass + 1)); echo "ok   $name"; return; }
	done
	fail=$((fail + 1)); echo "FAIL $name: '$want' not among ${#COMPREPLY[@]} replies: ${COMPREPLY[*]:0:8}"
}

expect "a command: mvsim sw" "sweep" mvsim sw
expect "commands: mvsim se" "sensitivity" mvsim se
contains "every command of mvsim help: ensemble" ensemble mvsim ""
expect "help's argument: mvsim help fi" "fit" mvsim help fi
expect "an option: mvsim run S --inte" "--integrator" mvsim run configs/kazakhstan.cfg --inte
expect "options: mvsim sweep F --re" "--resume" mvsim sweep configs/sweeps/ci.cfg --re
expect "a value: --integrator rk8" "rk8pd" mvsim run configs/kazakhstan.cfg --integrator rk8
expect "a value: plot --kind he" "heatmap" mvsim plot out.tsv --kind he
expect "--set key of the scenario on the line" "vectors.russia.coercion=" \
	mvsim run configs/kazakhstan.cfg --set vectors.russia.coer
CWORD=3 expect "-s key, the scenario after it (cursor on word 3)" "vectors.south_asia.salience.diplomacy= vectors.south_asia.salience.economy= vectors.south_asia.salience.security=" \
	mvsim run -s vectors.south_asia.sal configs/kazakhstan.cfg
expect "--set=KEY (split at =)" "vectors.china.growth=" \
	mvsim check configs/kazakhstan.cfg --set = vectors.china.gro
expect "--set key of a sweep file's scenario" "vectors.russia.red_line=" \
	mvsim sweep configs/sweeps/ci.cfg --set vectors.russia.red_
expect "--set key of a what-if (its base's keys)" "focal.autonomy=" \
	mvsim run configs/scenarios/russia_pressure.cfg --set focal.auto
expect "no scenario on the line: no key (the -o value is not taken for one)" "" \
	mvsim run -o configs/kazakhstan.cfg --set vectors.russia.coer
expect "a --set value is a number: nothing offered" "" \
	mvsim run configs/kazakhstan.cfg --set vectors.russia.coercion=
contains "scenario files: mvsim run configs/kaz" configs/kazakhstan.cfg mvsim run configs/kaz
# The key list is exactly `mvsim keys`'s.
complete_line mvsim run configs/kazakhstan.cfg --set ""
n=$("$MVSIM" keys configs/kazakhstan.cfg | awk 'NR > 1' | wc -l)
if [[ ${#COMPREPLY[@]} -eq $n && $n -gt 100 ]]; then pass=$((pass + 1)); echo "ok   --set offers all $n keys"
else fail=$((fail + 1)); echo "FAIL --set offers ${#COMPREPLY[@]} keys, mvsim keys lists $n"; fi
echo "test_completion: $pass passed, $fail failed"
((fail == 0))
