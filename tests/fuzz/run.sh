#!/bin/sh
# Builds the reader's libFuzzer target with clang (ASan + coverage) in
# build-fuzz/ and runs it for SECONDS (default 60) on the checked-in corpus
# tests/fuzz/corpus/reader. New inputs go to a temporary directory, not to the
# checked-in corpus; a crash leaves crash-* in the current directory and
# makes this script fail.
#   tests/fuzz/run.sh [SECONDS] [TARGET]     TARGET defaults to fuzz_reader
#   CC=clang-14 (default: clang, else clang-14)   BUILD=build-fuzz
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
target=${2:-fuzz_reader}
build=${BUILD:-$root/build-fuzz}
cc=${CC:-}
if [ -z "$cc" ]; then
  if command -v clang >/dev/null 2>&1; then cc=clang; else cc=clang-14; fi
fi
# The build runs instrumented tools (kiln_libgen); the GC's memory is not leaked.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKILN_FUZZ=ON >/dev/null
cmake --build "$build" --target "$target" -j "${JOBS:-2}"
corpus=$root/tests/fuzz/corpus/${target#fuzz_}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$corpus"
# The reader's test corpus seeds its fuzzer too.
seeds=$work
[ "$target" = fuzz_reader ] && seeds=$root/tests/reader/corpus
"$build/$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
  -detect_leaks=0 -print_final_stats=1 "$work" "$corpus" "$seeds"
