#!/usr/bin/env bash
# Installs what Kiln needs to build, test and demo, and only what is missing.
# Debian/Ubuntu: apt-get. macOS: Homebrew.
set -euo pipefail

# libclang-14-dev and liblld-14-dev build the in-process toolchain module
# (libkiln-toolchain); without them patches are built by spawning clang and lld.
debian_packages=(
  make cmake pkg-config python3
  clang-14 lld-14 llvm-14 libclang-rt-14-dev
  libclang-14-dev liblld-14-dev
  libgc-dev libtommath-dev libpcre2-dev libedit-dev
  clojure libnrepl-clojure
  qemu-user-static libc6-arm64-cross libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
  libgc-dev:arm64 libtommath-dev:arm64 libpcre2-dev:arm64
)
brew_packages=(cmake pkg-config llvm lld bdw-gc libtommath pcre2 libedit clojure)

if [ "$(uname -s)" = Darwin ]; then
  command -v brew >/dev/null || { echo "kiln: Homebrew is needed on macOS: see https://brew.sh" >&2; exit 1; }
  missing=()
  for p in "${brew_packages[@]}"; do brew list --versions "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] || brew install "${missing[@]}"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# The aarch64 cross tests link the runtime against Debian's arm64 libraries.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
fi

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "kiln: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
