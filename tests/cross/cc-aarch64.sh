#!/bin/sh
# The cross build's C compiler: clang for aarch64-linux-gnu. Warnings stay
# on but are not errors here: the host builds enforce -Werror (with gcc, whose
# warning set differs), and this build exists to run the code on arm64.
exec "${KILN_CROSS_CLANG:-clang-14}" "$@" -Wno-error
