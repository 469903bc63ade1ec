#!/usr/bin/env bash
# Runs the language tests in JVM Clojure (they are the spec, so they must
# pass there too). kiln_specific_test.clj is Kiln-only and is skipped.
# Usage: tests/lang/jvm.sh [FILE.clj...]
set -uo pipefail
cd "$(dirname "$0")"
jar=${CLOJURE_JAR:-/usr/share/java/clojure.jar}
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(*.clj)
passed=0 failed=0
for f in "${files[@]}"; do
  f=$(basename "$f")
  [ "$f" = kiln_specific_test.clj ] && continue
  ns=$(sed -n '1s/^(ns \([^ )]*\).*/\1/p' "$f")
  if java -cp "$jar:." clojure.main -e \
      "(require '$ns) (let [r (clojure.test/run-tests '$ns)] (shutdown-agents) (System/exit (if (clojure.test/successful? r) 0 1)))"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED in JVM Clojure: $f"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
