#!/usr/bin/env bash
# Runs the differential corpus with Kiln and compares with the JVM's output.
# Usage: tests/diff/run.sh KILN [--interp]
set -uo pipefail
kiln=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$kiln" run "$@" "$here/corpus.cljc" > "$out" 2>&1
if diff -u "$here/expected.txt" "$out" > "$out.diff"; then
  echo "$(wc -l < "$here/expected.txt") passed, 0 failed"
  rm -f "$out.diff"
  exit 0
fi
# Report each differing expression by its line number in the output.
failed=$(grep -c '^-[^-]' "$out.diff" || true)
cat "$out.diff"
rm -f "$out.diff"
echo "$(( $(wc -l < "$here/expected.txt") - failed )) passed, $failed failed"
exit 1
