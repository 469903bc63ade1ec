#!/usr/bin/env bash
# bench/runtime: Kiln (compiled) beside hand-written C and JVM Clojure's
# steady state, in one run, with the issue's target for each ratio; then
# start-up of `kiln eval 1` (both back ends) and `clojure -e 1`.
# Usage: bench/runtime/run.sh BUILD_DIR
# Each program prints the best of several runs, after warming up (the JVM
# gets five warm-up runs for its JIT). Only ratios from one run on one
# machine mean anything; on a loaded machine, compare instruction counts
# (valgrind --tool=callgrind) instead.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clang -O2 -o "$tmp/baseline" "$here/baseline.c"
"$tmp/baseline" > "$tmp/c.txt"
"$build/kiln" run "$here/bench.cljc" kiln > "$tmp/kiln.txt"
if [ -f /usr/share/java/clojure.jar ] && command -v java > /dev/null; then
  java -cp /usr/share/java/clojure.jar clojure.main "$here/bench.cljc" jvm > "$tmp/jvm.txt"
else
  : > "$tmp/jvm.txt"
fi

# The targets: fib within 2x of C and faster than the JVM; the rest faster
# than the JVM.
target() {
  case $1 in
    fib35) echo "C<=2 JVM<1" ;;
    *) echo "JVM<1" ;;
  esac
}

printf '%-12s %9s %9s %9s %8s %9s  %-11s %s\n' benchmark "C ms" "Kiln ms" "JVM ms" \
  "Kiln/C" "Kiln/JVM" target met
while read -r name c; do
  k=$(awk -v n="$name" '$1==n {print $2}' "$tmp/kiln.txt")
  j=$(awk -v n="$name" '$1==n {print $2}' "$tmp/jvm.txt")
  awk -v n="$name" -v c="$c" -v k="${k:-0}" -v j="${j:-0}" -v t="$(target "$name")" 'BEGIN {
    kc = (c > 0 ? k / c : 0); kj = (j > 0 ? k / j : -1)
    met = "yes"
    if (t ~ /C<=2/ && kc > 2) met = "no"
    if (kj < 0) met = (met == "yes" ? "(no JVM)" : met)
    else if (kj >= 1) met = "no"
    printf "%-12s %9.1f %9.1f %9s %8.2f %9s  %-11s %s\n", n, c, k,
      (j > 0 ? sprintf("%.1f", j) : "-"), kc, (j > 0 ? sprintf("%.2f", kj) : "-"), t, met }'
done < "$tmp/c.txt"

echo
echo "start-up, wall time from spawn to exit (median of 11 runs; target: kiln eval 1 under 20 ms):"
clang -O2 -o "$tmp/startup" "$here/startup.c"
startup() { "$tmp/startup" 11 "$@"; }
printf '  %-34s %6s ms\n' "true (starting any process)" "$(startup /bin/true)"
printf '  %-34s %6s ms\n' "kiln eval 1" "$(startup "$build/kiln" eval 1)"
printf '  %-34s %6s ms\n' "kiln eval --interp 1" "$(startup "$build/kiln" eval --interp 1)"
if [ -f /usr/share/java/clojure.jar ] && command -v java > /dev/null; then
  printf '  %-34s %6s ms\n' "clojure -e 1 (JVM)" \
    "$(startup java -cp /usr/share/java/clojure.jar clojure.main -e 1)"
fi
