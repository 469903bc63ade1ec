#!/usr/bin/env bash
# Builds libkiln and the patch tests for aarch64 Linux and runs them under
# qemu-aarch64-static: the loader, registry and hot swap on arm64, with
# patches built by the toolchain for the process's own target (linux-aarch64).
# Exits 77 (ctest: skipped) only when the arm64 libraries or the emulator are
# genuinely not installed, and says which.
# Usage: run.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2/cross-aarch64
missing=()
for pc in bdw-gc libtommath libpcre2-8; do
  [ -e "/usr/lib/aarch64-linux-gnu/pkgconfig/$pc.pc" ] || missing+=("$pc (arm64)")
done
command -v qemu-aarch64-static >/dev/null || missing+=("qemu-aarch64-static (qemu-user-static)")
[ -e /usr/aarch64-linux-gnu/lib/crt1.o ] || missing+=("libc6-dev-arm64-cross")
[ -e /lib/ld-linux-aarch64.so.1 ] || missing+=("libc6:arm64")
ls /usr/lib/gcc-cross/aarch64-linux-gnu/*/crtbeginS.o >/dev/null 2>&1 || missing+=("libgcc-12-dev-arm64-cross")
if [ ${#missing[@]} -gt 0 ]; then
  echo "cross: skipped: not installed: ${missing[*]}"
  echo "cross: install with: dpkg --add-architecture arm64 && apt-get update &&"
  echo "       apt-get install libc6:arm64 libgc-dev:arm64 libtommath-dev:arm64 libpcre2-dev:arm64 libgcc-12-dev-arm64-cross qemu-user-static libc6-dev-arm64-cross"
  exit 77
fi
export PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
cmake -S "$src" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$src/tests/cross/aarch64-linux.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
tests=(test_sha256 test_patch_load test_patch_hotswap)
# The standard library compiled to C (gen/lib/*.c) is portable C, the same
# for every 64-bit target, so the host build's copy stands in for running
# the aarch64 kiln_libgen under the emulator (minutes); the copies are made
# newer than the aarch64 kiln_libgen so make does not regenerate them.
host_gen=$2/gen/lib
if [ -e "$host_gen/lib_compiled.c" ]; then
  cmake --build "$build" -j 2 --target kiln_libgen >>"$build.log" 2>&1 || {
    tail -40 "$build.log"; exit 1; }
  mkdir -p "$build/gen/lib"
  cp "$host_gen"/*.c "$build/gen/lib/"
  touch "$build"/gen/lib/*.c
fi
cmake --build "$build" -j 2 --target kiln "${tests[@]}" >>"$build.log" 2>&1 || {
  tail -40 "$build.log"; exit 1; }
cd "$src"
fail=0
for t in "${tests[@]}"; do
  file "$build/$t" | grep -q aarch64 || { echo "cross: $t is not an aarch64 executable"; exit 1; }
  # No -L: see aarch64-linux.cmake (the dynamic loader must come from the
  # same glibc build as the libc the libraries pull in).
  if qemu-aarch64-static "$build/$t"; then
    echo "cross: $t passed under qemu-aarch64"
  else
    echo "cross: $t FAILED under qemu-aarch64"
    fail=1
  fi
done
exit $fail
