#!/bin/sh
# lint_library.sh — the library (sim/*.c) never prints, never exits and never sees argv
# (issue 12): one grep. Messages go into struct mv_error; only sim/cli/ talks to the user.
# Comment lines are skipped; results written to a caller's stream (output.c) are not
# messages and do not match. Exit 0 when clean, 1 listing each offending line.
cd "$(dirname "$0")/.." || exit 2
bad=$(grep -nE '(^|[^a-zA-Z0-9_])(printf|vprintf|puts|perror|exit|_Exit|abort|err|warn|errx|warnx)[[:space:]]*\(|(^|[^a-zA-Z0-9_])(stderr|main)([^a-zA-Z0-9_]|$)|(^|[^a-zA-Z0-9_.>])argc([^a-zA-Z0-9_]|$)' sim/*.c |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)')
if [ -n "$bad" ]; then
	echo "lint_library: sim/*.c must not print, exit or see argv (move it to sim/cli/):"
	echo "$bad"
	exit 1
fi
echo "lint_library: sim/*.c neither prints nor exits ($(ls sim/*.c | wc -l) files)"
