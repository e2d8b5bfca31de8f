#!/bin/sh
# longest-functions.sh — the N longest C function definitions (default 10) in the files given
# (default sim/*.c sim/cli/*.c), as "LINES FILE:LINE NAME": lines from the first line of the
# definition (return type) to its closing brace. Relies on the house layout: a definition
# starts at column 0, its body opens with "{" alone at column 0 and closes with "}" at column 0.
n=10
[ "${1:-}" = "-n" ] && { n=$2; shift 2; }
[ $# -gt 0 ] || set -- sim/*.c sim/cli/*.c
awk '
FNR == 1 { sig = ""; inbody = 0 }
!inbody && /^[A-Za-z_][^;]*\(/ && !/^(static )?(const )?struct [a-z_]+ \{/ { sig = $0; start = FNR; next }
!inbody && sig != "" && /^\{/ {
	inbody = 1
	name = sig; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
	next
}
!inbody && sig != "" && !/^[ \t]/ { sig = "" }
inbody && /^\}/ { print FNR - start + 1, FILENAME ":" start, name; inbody = 0; sig = "" }
' "$@" | sort -rn | head -n "$n"
