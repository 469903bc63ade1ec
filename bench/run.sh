#!/usr/bin/env bash
# `make bench`: runs every benchmark under bench/*/run.sh, each printing its
# own side-by-side table. Usage: bench/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
for b in bench/*/run.sh; do
  echo "== ${b%/run.sh}"
  "$b" "$build"
  echo
done
