#!/usr/bin/env bash
# Builds bench_patch against BUILD_DIR's libkiln (pkg-config, plus the
# internal headers under src/) and prints the patch pipeline's phase table.
# Usage: bench/patch/run.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc=${CC:-cc}
PKG_CONFIG_PATH="$build" $cc -O2 -Isrc $(PKG_CONFIG_PATH="$build" pkg-config --cflags kiln) \
  -D_GNU_SOURCE bench/patch/bench_patch.c -o "$out/bench_patch" \
  $(PKG_CONFIG_PATH="$build" pkg-config --libs kiln)
"$out/bench_patch"
