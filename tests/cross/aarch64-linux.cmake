# CMake toolchain file: Kiln for aarch64 Linux with clang and lld, against
# Debian's multiarch arm64 libraries (libgc-dev:arm64 libtommath-dev:arm64
# libpcre2-dev:arm64) and the cross C runtime (libc6-dev-arm64-cross,
# libgcc-12-dev-arm64-cross). Tests run under qemu-aarch64-static.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
find_program(KILN_CROSS_CXX NAMES clang++-14 clang++ REQUIRED)
set(CMAKE_C_COMPILER ${CMAKE_CURRENT_LIST_DIR}/cc-aarch64.sh)
set(CMAKE_CXX_COMPILER ${KILN_CROSS_CXX})
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld")
# No -L /usr/aarch64-linux-gnu: the programs run with the multiarch glibc
# (libc6:arm64, the one libgc1:arm64 depends on), whose dynamic loader is
# /lib/ld-linux-aarch64.so.1 on the host. With -L, qemu takes the loader
# from the cross package (libc6-arm64-cross, another glibc build) but libc.so.6
# still from /lib/aarch64-linux-gnu, and the two disagree on the layout of
# ld.so's private _rtld_global (4512 vs 4520 bytes in Debian 12): the first
# pthread_create walks a garbage stack-cache list forever. That was the
# "hang" of every threaded test, Boehm's parallel markers included.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
# Kiln has no C++ yet; the arm64 libstdc++ is not needed, so skip CMake's
# check that would link against it.
set(CMAKE_CXX_COMPILER_WORKS TRUE)
