#!/bin/bash
# Evaluates each expression of exprs.tsv with `kiln eval` and compares what
# it prints with what JVM Clojure printed (the first column). All expressions
# go to one kiln process (start-up loads clojure.core); any that disagree are
# then run alone, so a failure names its expression.
#   usage: tests/hash/run_exprs.sh path/to/kiln
set -u
kiln=$1
here=$(cd "$(dirname "$0")" && pwd)
wants=()
exprs=()
while IFS=$'\t' read -r want expr; do
  wants+=("$want")
  exprs+=("$expr")
done < "$here/exprs.tsv"
mapfile -t gots < <("$kiln" eval "${exprs[@]}" 2>/dev/null)
pass=0
fail=0
for i in "${!exprs[@]}"; do
  got=${gots[$i]-}
  if [ "$got" != "${wants[$i]}" ]; then
    got=$("$kiln" eval "${exprs[$i]}" 2>&1)
  fi
  if [ "$got" = "${wants[$i]}" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAILED: %s\n  got:  %s\n  want: %s\n' "${exprs[$i]}" "$got" "${wants[$i]}" >&2
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
