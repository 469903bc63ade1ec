#!/usr/bin/env bash
# Builds examples/host-c with pkg-config against BUILD_DIR's kiln.pc, builds
# the patches with `kiln compile --target host`, and runs both programs:
# host (only kiln/jank_compat.h) loads add1 written in C and add1 compiled
# from Clojure; native (kiln/kiln.h) registers host/triple and loads a patch
# calling it. Usage: host-example.sh BUILD_DIR   (run from the source root)
set -euo pipefail
build=$(cd "$1" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export XDG_CACHE_HOME=$out/cache
cp examples/host-c/*.c examples/host-c/Makefile "$out/"
make -s -C "$out" PKG_CONFIG_PATH="$build" CFLAGS="-O1 -Wall -Wextra -Werror" >/dev/null
"$build/kiln" compile --target host tests/patch/fixtures/add1.c -o "$out/add1.so"
"$build/kiln" compile --target host tests/patch/fixtures/native.c -o "$out/native.so"
"$out/host" "$out/add1.so" kiln_patch_add1
"$out/native" "$out/native.so"
if [ "${2:-}" = clj ]; then
  "$build/kiln" compile --target host tests/patch/fixtures/hello.clj -o "$out/hello.so"
  "$out/host" "$out/hello.so"
fi
