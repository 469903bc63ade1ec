/*
 * inproc.h — the C interface between libkiln and the in-process toolchain
 * module (libkiln-toolchain.so / .dylib, built from inproc.cpp over
 * libclang-cpp and liblld).
 *
 * The module is loaded with dlopen the first time a build needs it (libLLVM's
 * static initialisers cost ~100 ms, which `kiln` start-up must not pay), and
 * exports one function, kiln_tcm_get, returning the table below. The table
 * speaks plain C: command lines, bytes and malloc'd text. Everything that
 * decides what the command lines say stays in libkiln (toolchain_args.c), so
 * the spawning and the in-process drivers run the very same flags.
 */
#ifndef KILN_TOOLCHAIN_INPROC_H
#define KILN_TOOLCHAIN_INPROC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever the table below changes shape. */
#define KILN_TCM_ABI 1

typedef struct kiln_tcm {
  uint32_t abi; /* KILN_TCM_ABI */
  /* "clang version 14.0.6 (...)\nLLD 14.0.6 (...)": part of the cache key. */
  const char *version;
  /*
   * Compiles like `clang ARGV[1..argc)`: [argv] is a clang driver command
   * line compiling one C file, [path], whose bytes are [src] (the file need
   * not exist); its -o is ignored. On success the object's bytes land in
   * *obj (malloc, *objn bytes). Returns 0, 1 when the compiler reported
   * errors, -1 when the command line could not be run at all. Either way the
   * compiler's messages, if any, land in *diag (malloc, NUL-terminated).
   */
  int (*compile)(const char *const *argv, int argc, const char *path, const char *src, size_t n,
                 uint8_t **obj, size_t *objn, char **diag);
  /*
   * Links like `ld.lld ARGV...` ([macho] 0) or `ld64.lld ARGV...` ([macho]
   * 1); argv[0] names the linker in messages. Files are read from and
   * written to disk as the command line says. Returns 0, or 1 when the
   * linker reported errors; its messages, if any, land in *diag.
   */
  int (*link)(int macho, const char *const *argv, int argc, char **diag);
} kiln_tcm;

typedef const kiln_tcm *(*kiln_tcm_get_fn)(void);
#define KILN_TCM_ENTRY "kiln_tcm_get"

#ifdef __cplusplus
}
#endif

#endif /* KILN_TOOLCHAIN_INPROC_H */
