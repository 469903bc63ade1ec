#!/usr/bin/env bash
# bench/runtime: Kiln (compiled) beside hand-written C and JVM Clojure's
# steady state, in one run; then start-up of `kiln eval 1` and `clojure -e 1`.
# Usage: bench/runtime/run.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clang -O2 -o "$tmp/baseline" "$here/baseline.c"
"$tmp/baseline" > "$tmp/c.txt"
"$build/kiln" run "$here/bench.cljc" kiln > "$tmp/kiln.txt"
if [ -f /usr/share/java/clojure.jar ]; then
  java -cp /usr/share/java/clojure.jar clojure.main "$here/bench.cljc" jvm > "$tmp/jvm.txt"
else
  : > "$tmp/jvm.txt"
fi

printf '%-12s %10s %10s %10s %10s %10s\n' benchmark "C ms" "Kiln ms" "JVM ms" "Kiln/C" "Kiln/JVM"
while read -r name c; do
  k=$(awk -v n="$name" '$1==n {print $2}' "$tmp/kiln.txt")
  j=$(awk -v n="$name" '$1==n {print $2}' "$tmp/jvm.txt")
  awk -v n="$name" -v c="$c" -v k="$k" -v j="${j:-0}" 'BEGIN {
    printf "%-12s %10.1f %10.1f %10s %10.2f %10s\n", n, c, k, (j > 0 ? sprintf("%.1f", j) : "-"),
      (c > 0 ? k / c : 0), (j > 0 ? sprintf("%.2f", k / j) : "-") }'
done < "$tmp/c.txt"

echo
echo "start-up (median of 11 runs):"
startup() {
  local times=()
  for _ in $(seq 11); do
    local t0 t1
    t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 6p
}
printf '  %-34s %6s ms\n' "kiln eval --interp 1" "$(startup "$build/kiln" eval --interp 1)"
if [ -f /usr/share/java/clojure.jar ]; then
  printf '  %-34s %6s ms\n' "clojure -e 1 (JVM)" "$(startup java -cp /usr/share/java/clojure.jar clojure.main -e 1)"
fi
