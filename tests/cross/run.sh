#!/usr/bin/env bash
# Builds libkiln and the patch tests for aarch64 Linux and runs them under
# qemu-aarch64-static: the loader, registry and hot swap on arm64, with the
# patches built the way a device gets them, by the build machine's own
# `kiln compile --target linux-aarch64` (BUILD_DIR/kiln), and loaded by the
# emulated arm64 process. Also runs examples/host-c/host, cross-built, on a
# patch compiled from Clojure (tests/patch/fixtures/hello.clj).
# Exits 77 (ctest: skipped) only when the arm64 libraries or the emulator are
# genuinely not installed, and says which.
# Usage: run.sh SOURCE_DIR BUILD_DIR   (BUILD_DIR: the host build, with kiln)
set -euo pipefail
src=$1
host_build=$(cd "$2" && pwd)
build=$host_build/cross-aarch64
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
kiln=$host_build/kiln
[ -x "$kiln" ] || { echo "cross: $kiln is missing: build the host first (make build)"; exit 1; }
started=$SECONDS
phase() { echo "cross: $1 ($((SECONDS - started)) s)"; }

# The programs run with the multiarch glibc's own loader: no qemu -L (see
# aarch64-linux.cmake for why).
qemu=(qemu-aarch64-static)
export PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
cmake -S "$src" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$src/tests/cross/aarch64-linux.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
# The patch tests, and unit tests of what else differs on arm64: bignums
# (libtommath), threads with the collector (refs, agents, futures), vars,
# the embedding API. Not test_gc: a 100-million-allocation loop, minutes
# under the emulator.
tests=(test_sha256 test_patch_load test_patch_hotswap test_number test_ref test_var test_embed)
# The build runs the aarch64 kiln_libgen under the emulator to compile lib/
# to C, so the standard library's C is generated on arm64 too (seconds).
cmake --build "$build" -j 2 --target kiln cross_host_example "${tests[@]}" >>"$build.log" 2>&1 || {
  tail -40 "$build.log"; exit 1; }
phase "built libkiln and the tests for aarch64"

# The fixtures, built by the host's kiln compile under the names
# tests/patch/fixture.h looks for ([name][-DEFINE].[target].so). The patch
# cache lives in the cross build, so a second run rebuilds nothing.
patches=$build/patches
rm -rf "$patches"
mkdir -p "$patches"
export XDG_CACHE_HOME=$build/patch-cache
cd "$src"
compile() { # TARGET FILE OUT
  "$kiln" compile --target "$1" "$2" -o "$3" 2>>"$build.log" || {
    echo "cross: kiln compile --target $1 $2 failed:"; tail -20 "$build.log"; exit 1; }
}
for f in tests/patch/fixtures/*.c; do
  name=$(basename "$f" .c)
  compile linux-aarch64 "$f" "$patches/$name.linux-aarch64.so"
done
# test_bad_input's patches for another machine.
compile linux-x86_64 tests/patch/fixtures/add1.c "$patches/add1.linux-x86_64.so"
compile ios-device tests/patch/fixtures/add1.c "$patches/add1.ios-device.so"
# value.c with -DVALUE=N (rollback, nested loads, and hot swap's variants).
for n in 1 2 3 4 5 6 7 8 9 10; do
  { echo "#define VALUE $n"; echo '#line 1 "tests/patch/fixtures/value.c"';
    cat tests/patch/fixtures/value.c; } >"$patches/value-VALUE=$n.c"
  compile linux-aarch64 "$patches/value-VALUE=$n.c" "$patches/value-VALUE=$n.linux-aarch64.so"
done
compile linux-aarch64 tests/patch/fixtures/hello.clj "$patches/hello.linux-aarch64.so"
phase "kiln compile built $(ls "$patches"/*.so | wc -l) patches on the host"

fail=0
run() { # NAME COMMAND...
  local name=$1 t0=$SECONDS
  shift
  if "$@"; then
    echo "cross: $name passed under qemu-aarch64 ($((SECONDS - t0)) s)"
  else
    echo "cross: $name FAILED under qemu-aarch64"
    fail=1
  fi
}
export KILN_TEST_PATCHES=$patches
for t in "${tests[@]}" cross_host_example; do
  file "$build/$t" | grep -q aarch64 || { echo "cross: $t is not an aarch64 executable"; exit 1; }
done
for t in "${tests[@]}"; do run "$t" "${qemu[@]}" "$build/$t"; done
# A patch compiled from Clojure, loaded by the seed-API host app on arm64.
host_example() {
  local out
  out=$("${qemu[@]}" "$build/cross_host_example" "$patches/hello.linux-aarch64.so" 2>&1) || {
    echo "$out"; return 1; }
  echo "$out"
  grep -q "(user/add1 41) => 42" <<<"$out" && grep -q "user/answer => 42" <<<"$out"
}
run "examples/host-c/host on hello.clj" host_example
phase "done"
exit $fail
