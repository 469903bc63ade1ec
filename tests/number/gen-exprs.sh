#!/bin/sh
# Regenerates exprs.expected: for each expression in exprs.txt, the JVM's
# pr-str of its value, or "ERR SimpleClassName message" when it throws.
# Usage: tests/number/gen-exprs.sh [CLOJURE_JAR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-/usr/share/java/clojure.jar}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "(require 'clojure.math)" > "$tmp"
awk '{print "(println (try (pr-str " $0 ") (catch Throwable e (str \"ERR \" (.getSimpleName (class e)) \" \" (ex-message e)))))"}' \
  "$here/exprs.txt" >> "$tmp"
java -cp "$jar" clojure.main "$tmp" > "$here/exprs.expected"
echo "wrote $(wc -l < "$here/exprs.expected") results to tests/number/exprs.expected"
