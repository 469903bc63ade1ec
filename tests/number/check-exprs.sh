#!/usr/bin/env bash
# Evaluates every expression of tests/number/exprs.txt in one `kiln eval` run
# and compares each printed result (or "ERR SimpleClassName message") with
# the JVM's, in exprs.expected (written by gen-exprs.sh).
# Usage: check-exprs.sh KILN [--interp]
set -uo pipefail
kiln=$1
shift
here="$(cd "$(dirname "$0")" && pwd)"
args=()
while IFS= read -r e; do
  args+=("(try (pr-str $e) (catch Throwable e (str \"ERR \" (last (clojure.string/split (str (class e)) #\"\\.\")) \" \" (ex-message e))))")
done <"$here/exprs.txt"
out=$("$kiln" eval "$@" "${args[@]}" 2>&1)
pass=0
fail=0
exec 3<"$here/exprs.expected"
exec 4<<<"$out"
while IFS= read -r e; do
  IFS= read -r want <&3
  IFS= read -r got <&4 || got="(no output)"
  # kiln eval prints each value with pr: the strings come back quoted.
  got=$(printf '%s' "$got" | sed -e 's/^"//' -e 's/"$//' -e 's/\\"/"/g' -e 's/\\\\/\\/g')
  if [ "$got" == "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAILED: %s\n  got:  %s\n  want: %s\n' "$e" "$got" "$want"
  fi
done <"$here/exprs.txt"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
