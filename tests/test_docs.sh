#!/bin/sh
# test_docs.sh — docs/model.md is the specification users have: its sections are numbered as
# the source code cites them (docs/model.md §1–§12, with §11a), and no page sends users to a
# file they do not have (MODEL.md). Run by `make test` from the repository root.
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

want='## 1. Concepts
## 2. State and equations
## 3. Scenario file
## 4. Keys
## 5. Events and time
## 6. Noise
## 7. Output
## 8. Sweep files
## 9. Metrics and checks
## 10. Data series
## 11. Calibration
### 11a. Transforms, several starts, rolling origins and yardsticks
## 12. Scenario discovery (PRIM)'
got=$(grep -E '^##+ [0-9]+a?\. ' docs/model.md)
if [ "$got" = "$want" ]; then ok "docs/model.md: sections 1-12 and 11a, in order"
else bad "docs/model.md sections: expected"; printf '%s\n' "$want" "--- found" "$got"
fi
refs=$(grep -n 'MODEL\.md' docs/*.md README.md configs/README.md 2>/dev/null)
if [ -z "$refs" ]; then ok "no page cites MODEL.md"; else bad "pages cite MODEL.md:"; echo "$refs"; fi
# Every "model.md §N" a page cites is a section of model.md.
for n in $(grep -oh 'model\.md §[0-9]*a\?' docs/*.md README.md | sed 's/.*§//' | sort -u); do
	if grep -q "^##* $n\. " docs/model.md; then ok "model.md §$n exists"; else bad "model.md §$n is cited but does not exist"; fi
done
echo "test_docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
