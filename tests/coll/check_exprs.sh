#!/usr/bin/env bash
# Evaluates each line of tests/coll/exprs.txt with `kiln eval` and compares
# the printed result (or "ERR SimpleClassName message") with the JVM's, in
# tests/coll/exprs.expected (written by gen.sh). Usage: check_exprs.sh KILN [--interp]
set -uo pipefail
kiln=$1
shift
here="$(cd "$(dirname "$0")" && pwd)"
pass=0
fail=0
exec 3<"$here/exprs.expected"
while IFS= read -r e; do
  IFS= read -r want <&3
  got=$("$kiln" eval "$@" "(println (try (pr-str $e) (catch Throwable e (str \"ERR \" (last (clojure.string/split (str (class e)) #\"\\.\")) \" \" (ex-message e)))))" 2>&1 | head -1)
  if [ "$got" == "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAILED: %s\n  got:  %s\n  want: %s\n' "$e" "$got" "$want"
  fi
done <"$here/exprs.txt"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
