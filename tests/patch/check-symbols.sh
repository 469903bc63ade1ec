#!/usr/bin/env bash
# `kiln compile` for every target, then llvm-nm and llvm-objdump on the
# output: no undefined symbols beyond memcpy/memset (Mach-O: _memcpy, _memset,
# _bzero and dyld_stub_binder), exactly one exported kiln_patch_*, and for
# Mach-O an LC_LOAD_DYLIB of /usr/lib/libSystem.B.dylib and a code signature.
# Usage: check-symbols.sh BUILD_DIR   (run from the source root)
set -euo pipefail
build=$1
kiln=$build/kiln
nm=$(command -v llvm-nm-14 || command -v llvm-nm)
objdump=$(command -v llvm-objdump-14 || command -v llvm-objdump)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export XDG_CACHE_HOME=$out/cache
fail=0
for t in ios-device ios-simulator ios-simulator-x86_64 linux-aarch64 linux-x86_64 host; do
  lib=$out/add1-$t
  "$kiln" compile --target "$t" tests/patch/fixtures/add1.c -o "$lib" 2>"$out/err" || {
    echo "FAIL $t: kiln compile: $(cat "$out/err")"; fail=1; continue; }
  undefined=$("$nm" -u "$lib" | awk '{print $NF}' | sort -u | tr '\n' ' ')
  exported=$("$nm" -g --defined-only "$lib" | awk '{print $NF}' | tr '\n' ' ')
  case $t in
    ios-*) allowed=" _memcpy _memset _bzero dyld_stub_binder "; entry="_kiln_patch_add1 " ;;
    *) allowed=" memcpy memset "; entry="kiln_patch_add1 " ;;
  esac
  for s in $undefined; do
    [[ $allowed == *" $s "* ]] || { echo "FAIL $t: undefined symbol $s"; fail=1; }
  done
  [ "$exported" = "$entry" ] || { echo "FAIL $t: exports '$exported', want '$entry'"; fail=1; }
  if [[ $t == ios-* ]]; then
    heads=$("$objdump" --macho --private-headers "$lib")
    grep -q 'name /usr/lib/libSystem.B.dylib' <<<"$heads" || { echo "FAIL $t: no LC_LOAD_DYLIB libSystem"; fail=1; }
    grep -q 'cmd LC_CODE_SIGNATURE' <<<"$heads" || { echo "FAIL $t: not signed"; fail=1; }
    grep -q 'minos 17.0' <<<"$heads" || { echo "FAIL $t: minos is not 17.0"; fail=1; }
  fi
  echo "ok $t: undefined: ${undefined:-none}; exports: $exported"
done
# --ios-min sets the deployment version.
"$kiln" compile --target ios-simulator --ios-min 16.2 tests/patch/fixtures/add1.c -o "$out/min"
"$objdump" --macho --private-headers "$out/min" | grep -q 'minos 16.2' || { echo "FAIL --ios-min"; fail=1; }
# Unknown targets and missing files are clear errors with a non-zero status.
if "$kiln" compile --target ios-watch tests/patch/fixtures/add1.c -o "$out/x" 2>"$out/err"; then
  echo "FAIL: unknown target accepted"; fail=1
fi
grep -q "unknown target 'ios-watch'" "$out/err" || { echo "FAIL: $(cat "$out/err")"; fail=1; }
exit $fail
