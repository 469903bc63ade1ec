#!/bin/sh
# Evaluates each expression of exprs.tsv with `kiln eval` and compares what
# it prints with what JVM Clojure printed (the first column).
#   usage: tests/hash/run_exprs.sh path/to/kiln
set -u
kiln=$1
here=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
tab=$(printf '\t')
while IFS="$tab" read -r want expr; do
  got=$("$kiln" eval "$expr" 2>&1)
  if [ "$got" = "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAILED: %s\n  got:  %s\n  want: %s\n' "$expr" "$got" "$want" >&2
  fi
done < "$here/exprs.tsv"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
