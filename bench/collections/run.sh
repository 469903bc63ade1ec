#!/usr/bin/env bash
# bench/collections: Kiln's persistent collections vs JVM Clojure (steady
# state, same machine, same run) vs hand-written C. Usage: run.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
cmake --build "$build" --target bench_collections -j2 >/dev/null
kiln_out=$("$build/bench_collections")
if command -v java >/dev/null && [ -f /usr/share/java/clojure.jar ]; then
  jvm_out=$(java -Xss4m -cp /usr/share/java/clojure.jar clojure.main "$here/bench.clj")
else
  jvm_out=""
  echo "(java or /usr/share/java/clojure.jar missing: no JVM column)"
fi
printf '%-24s %10s %10s %10s %12s %12s\n' operation kiln-ms jvm-ms c-ms kiln/jvm kiln/c
echo "$kiln_out" | grep -v '^memory' | while read -r name k c; do
  j=$(echo "$jvm_out" | awk -v n="$name" '$1 == n {print $2}')
  j=${j:--}
  rj=$(awk -v k="$k" -v j="$j" 'BEGIN { if (j == "-" || j == 0) print "-"; else printf "%.2fx", k / j }')
  rc=$(awk -v k="$k" -v c="$c" 'BEGIN { if (c == "-" || c == 0) print "-"; else printf "%.2fx", k / c }')
  printf '%-24s %10s %10s %10s %12s %12s\n' "$name" "$k" "$j" "$c" "$rj" "$rc"
done
echo "kiln $(echo "$kiln_out" | grep '^memory' | cut -d' ' -f2-)"
[ -n "$jvm_out" ] && echo "jvm  $(echo "$jvm_out" | grep '^memory' | cut -d' ' -f2-)"
echo "(1,000,000 elements per operation; process CPU time, median of 7 runs after 3 warm-ups; ratios < 1 mean Kiln is faster)"
