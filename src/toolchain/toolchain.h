/*
 * toolchain.h — turning generated C into a patch library for one target.
 *
 * The interface is bytes in, bytes out (DESIGN §6): kiln_tc_build takes the C
 * source of a patch, a target and options, and returns the library's bytes
 * (signed where the target is signed), the compiler's diagnostics, and how
 * long each phase took. Nothing above this header knows how the bytes are
 * made.
 *
 * Below it sits a driver: three functions (compile C to an object, link the
 * object to a library, sign the library), each again bytes in, bytes out. The
 * first driver (spawn.c) writes the bytes to a private temporary directory
 * and runs clang and lld; the in-process driver (toolchain_inproc.c, over a
 * separately loaded module built on libclang-cpp and liblld) runs the same
 * command lines (args.c) inside the process. kiln_tc_driver_current picks
 * one; nothing above this header knows which.
 *
 * In front of the driver sits the patch cache (cache.c), keyed by the
 * SHA-256 of everything that decides the output: the C source, the target
 * and its deployment version, the flags, the toolchain's version text, the
 * ABI version and layout hash, and the bytes of kiln/patch_abi.h. A hit skips
 * compile, link and sign.
 *
 * Memory: results are plain malloc memory (the toolchain runs in the server
 * and in `kiln compile`, never touches GC values, and can run on any thread);
 * release them with kiln_tc_result_free.
 */
#ifndef KILN_TOOLCHAIN_H
#define KILN_TOOLCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- phases and timings ------------------------------------------------ */

/* Every phase of getting a form from the editor to running code (DESIGN §6). */
#define KILN_PHASES(X) \
  X(read) X(analyze) X(emit) X(compile) X(link) X(sign) X(transfer) X(load) X(run)

typedef enum kiln_phase {
#define KILN_PHASE_ENUM(name) KILN_PHASE_##name,
  KILN_PHASES(KILN_PHASE_ENUM)
#undef KILN_PHASE_ENUM
  KILN_PHASE_COUNT
} kiln_phase;

typedef struct kiln_timings {
  double ms[KILN_PHASE_COUNT]; /* milliseconds per phase; 0 for phases not run */
} kiln_timings;

const char *kiln_phase_name(kiln_phase p);
/* A monotonic clock in milliseconds. */
double kiln_now_ms(void);
/* Writes "compile 81.2 ms, link 9.0 ms, total 90.2 ms" (phases that ran) to [buf]. */
void kiln_timings_format(const kiln_timings *t, char *buf, size_t n);
double kiln_timings_total(const kiln_timings *t);

/* ---- targets ----------------------------------------------------------- */

typedef enum kiln_objfmt { KILN_FMT_ELF, KILN_FMT_MACHO } kiln_objfmt;

/*
 * The targets of DESIGN §6, plus macOS for `host` on a Mac.
 * X(id, name, format, arch, macho platform (LC_BUILD_VERSION), -platform_version name,
 *   triple before the version, triple after the version)
 * For ELF targets the triple is the first string alone.
 */
#define KILN_TARGETS(X)                                                                        \
  X(IOS_DEVICE, "ios-device", KILN_FMT_MACHO, "arm64", 2, "ios", "arm64-apple-ios", "")        \
  X(IOS_SIMULATOR, "ios-simulator", KILN_FMT_MACHO, "arm64", 7, "ios-simulator",              \
    "arm64-apple-ios", "-simulator")                                                           \
  X(IOS_SIMULATOR_X86_64, "ios-simulator-x86_64", KILN_FMT_MACHO, "x86_64", 7,                \
    "ios-simulator", "x86_64-apple-ios", "-simulator")                                         \
  X(LINUX_AARCH64, "linux-aarch64", KILN_FMT_ELF, "arm64", 0, "", "aarch64-linux-gnu", "")     \
  X(LINUX_X86_64, "linux-x86_64", KILN_FMT_ELF, "x86_64", 0, "", "x86_64-linux-gnu", "")       \
  X(MACOS_ARM64, "macos-arm64", KILN_FMT_MACHO, "arm64", 1, "macos", "arm64-apple-macos", "")  \
  X(MACOS_X86_64, "macos-x86_64", KILN_FMT_MACHO, "x86_64", 1, "macos", "x86_64-apple-macos", "")

typedef enum kiln_target_id {
#define KILN_TARGET_ENUM(id, ...) KILN_TARGET_##id,
  KILN_TARGETS(KILN_TARGET_ENUM)
#undef KILN_TARGET_ENUM
  KILN_TARGET_COUNT
} kiln_target_id;

typedef struct kiln_target {
  kiln_target_id id;
  const char *name;
  kiln_objfmt format;
  const char *arch;         /* "arm64" or "x86_64" */
  uint32_t macho_platform;  /* LC_BUILD_VERSION platform; 0 for ELF */
  const char *platform_arg; /* ld64's -platform_version name */
  const char *triple_head, *triple_tail;
} kiln_target;

/* Finds a target by name: the names above, "host" (this machine), and the
 * seed's "device" and "simulator". NULL if unknown. */
const kiln_target *kiln_tc_target_find(const char *name);
const kiln_target *kiln_tc_target_host(void);
const kiln_target *kiln_tc_target_at(kiln_target_id id);
/* "ios-device, ios-simulator, ..." for error messages. */
const char *kiln_tc_target_names(void);
/* ".dylib" or ".so". */
const char *kiln_tc_target_ext(const kiln_target *t);
/* The deployment version for Apple targets: [opt], else $KILN_IOS_MIN (iOS)
 * or $KILN_MACOS_MIN (macOS), else 17.0 / 11.0. "" for ELF targets. */
const char *kiln_tc_target_min(const kiln_target *t, const char *opt);
/* Writes the clang triple for [t] at deployment version [min] to [buf]. */
void kiln_tc_target_triple(const kiln_target *t, const char *min, char *buf, size_t n);

/* The directory holding kiln/patch_abi.h: $KILN_INCLUDE, else next to the
 * kiln executable (install prefix or build tree), else this source tree.
 * NULL if none exists. */
const char *kiln_tc_include_dir(void);
/* The directory of the running executable into [buf]; false if unknown. */
bool kiln_tc_exe_dir(char *buf, size_t n);
/* The directory holding libSystem.tbd (the Mach-O link stub): $KILN_TBD_DIR,
 * else PREFIX/share/kiln, else this source tree's src/toolchain. NULL if none. */
const char *kiln_tc_tbd_dir(void);

/* ---- building ---------------------------------------------------------- */

typedef struct kiln_tc_opts {
  const char *ios_min;      /* deployment version; NULL: see kiln_tc_target_min */
  const char *entry;        /* the entry symbol kiln_patch_<id>; NULL: found in the source */
  const char *const *cflags; /* extra compiler flags (e.g. -I DIR), [ncflags] of them */
  size_t ncflags;
  bool no_cache;            /* also off when $KILN_NO_CACHE is set */
} kiln_tc_opts;

/* What one build produced. kiln_tc_build initialises it (no need to zero it
 * first); release it with kiln_tc_result_free. */
typedef struct kiln_tc_result {
  uint8_t *bytes;           /* the library (malloc); NULL on failure */
  size_t size;
  char entry[128];          /* the exported entry symbol, without Mach-O's underscore */
  char key[2 * 32 + 1];     /* the cache key (hex SHA-256) */
  bool cached;              /* true when the bytes came from the cache */
  const kiln_target *target;
  char *diagnostics;        /* compiler, linker and signer output (malloc), or NULL */
  char message[1024];       /* on failure: what failed and what to do */
  kiln_timings t;           /* compile, link, sign (0 on a cache hit) */
} kiln_tc_result;

/* Compiles [n] bytes of C for [target] into a patch library. Returns 0, or -1
 * with res->message set (res->diagnostics holds the compiler's words). */
int kiln_tc_build(const kiln_target *target, const char *c_source, size_t n,
                  const kiln_tc_opts *opts, kiln_tc_result *res);
void kiln_tc_result_free(kiln_tc_result *res);
/* Appends text to res->diagnostics. */
void kiln_tc_diag(kiln_tc_result *res, const char *text, size_t n);

/* ---- drivers ----------------------------------------------------------- */

/* A growable byte buffer in malloc memory. */
typedef struct kiln_tc_buf {
  uint8_t *data;
  size_t size;
} kiln_tc_buf;

/* Everything a driver needs to know about one build. */
typedef struct kiln_tc_job {
  const kiln_target *target;
  const char *triple;       /* the clang triple, with the deployment version */
  const char *min;          /* deployment version ("" for ELF) */
  const char *entry;        /* kiln_patch_<id> */
  const char *include_dir;  /* holds kiln/patch_abi.h */
  const char *const *cflags;
  size_t ncflags;
} kiln_tc_job;

/* Each step returns 0, or -1 with res->message set; a step may append to
 * res->diagnostics either way. [out] receives malloc memory the caller frees. */
typedef struct kiln_tc_driver {
  const char *name;
  /* Text that changes whenever the compiler or linker would produce other
   * bytes (their --version output); part of the cache key. */
  const char *(*version)(const kiln_target *t);
  int (*compile)(const kiln_tc_job *job, const char *c_source, size_t n, kiln_tc_buf *object,
                 kiln_tc_result *res);
  int (*link)(const kiln_tc_job *job, const kiln_tc_buf *object, kiln_tc_buf *library,
              kiln_tc_result *res);
  /* Signs [library] in place (may replace its bytes); a no-op for unsigned targets. */
  int (*sign)(const kiln_tc_job *job, kiln_tc_buf *library, kiln_tc_result *res);
} kiln_tc_driver;

/* The flags every patch is compiled with (DESIGN §5), NULL-terminated. */
extern const char *const kiln_tc_patch_cflags[];

const kiln_tc_driver *kiln_tc_spawn_driver(void);
/*
 * The in-process driver (toolchain_inproc.c over the libkiln-toolchain
 * module, inproc.cpp), or NULL when the module or its libraries cannot be
 * loaded; kiln_tc_inproc_status then says why. The first call loads the
 * module (~100 ms of libLLVM start-up); later calls cost nothing. The module
 * is $KILN_TOOLCHAIN_MODULE, else libkiln-toolchain next to the executable,
 * in ../lib, or in the build tree.
 */
const kiln_tc_driver *kiln_tc_inproc_driver(void);
/* "loaded PATH" or why the in-process driver is unavailable. */
const char *kiln_tc_inproc_status(void);
/* The driver of $KILN_TOOLCHAIN_DRIVER=inproc when the module does not load:
 * every build fails with kiln_tc_inproc_status's reason. */
const kiln_tc_driver *kiln_tc_inproc_unavailable_driver(void);
/* Loads the in-process driver and warms it up (one small host build) on a
 * background thread, so a server's first eval does not wait for libLLVM.
 * Returns at once; safe to call more than once. */
void kiln_tc_preload(void);
/* Replaces the driver for every later build (NULL: the default below). */
void kiln_tc_set_driver(const kiln_tc_driver *d);
/*
 * The driver set with kiln_tc_set_driver, else the one
 * $KILN_TOOLCHAIN_DRIVER names ("spawn" or "inproc"), else the spawning
 * driver when KILN_CC, KILN_LD or KILN_LD64 chooses a tool, else the
 * in-process driver when it loads and the spawning one when it does not. Never NULL
 * ($KILN_TOOLCHAIN_DRIVER=inproc without the module gives
 * kiln_tc_inproc_unavailable_driver).
 */
const kiln_tc_driver *kiln_tc_driver_current(void);
/* A line saying which driver builds run with and, when the in-process one
 * is not used, why: "inproc" or "spawn (in-process: no module ...)". */
const char *kiln_tc_driver_describe(char *buf, size_t n);

/* ---- the cache (cache.c) ----------------------------------------------- */

/* $XDG_CACHE_HOME/kiln, else $HOME/.cache/kiln; NULL if neither is set. */
const char *kiln_tc_cache_dir(void);
/* Reads the library cached under [key]; true on a hit (bytes in [out]). */
bool kiln_tc_cache_get(const char *key, const char *ext, kiln_tc_buf *out);
/* Stores bytes under [key] (temp file + rename: safe with concurrent writers).
 * Failing to cache is not an error; returns false. */
bool kiln_tc_cache_put(const char *key, const char *ext, const kiln_tc_buf *bytes);

/* ---- helpers shared by the toolchain's files (toolchain.c) -------------- */

/* Appends [n] bytes to [b]. */
void kiln_tc_buf_append(kiln_tc_buf *b, const void *data, size_t n);
void kiln_tc_buf_free(kiln_tc_buf *b);
/* Whole-file I/O; false with errno set on failure. */
bool kiln_tc_read_file(const char *path, kiln_tc_buf *out);
bool kiln_tc_write_file(const char *path, const void *data, size_t n);
/* Sets res->message (printf style) and returns -1. */
int kiln_tc_fail(kiln_tc_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Finds the entry point's name (kiln_patch_<id>) defined in C [src]; false if none. */
bool kiln_tc_find_entry(const char *src, size_t n, char *out, size_t outn);

/* ---- command lines and work directories, shared by the drivers (args.c) -- */

/* A private new directory under $TMPDIR (or /tmp) into [out]. */
bool kiln_tc_workdir(char *out, size_t n, kiln_tc_result *res);
/* Removes the directory and the files in it. */
void kiln_tc_workdir_remove(const char *dir);

#define KILN_TC_CMD_MAX 64
/* A tool's command line and the strings it points into. */
typedef struct kiln_tc_cmd {
  const char *argv[KILN_TC_CMD_MAX + 1]; /* NULL-terminated */
  int argc;
  char s[2][256];
  char path[4][4200];
} kiln_tc_cmd;

/* clang compiling [src] to [obj] for [job]; argv[0] is [cc]. */
void kiln_tc_compile_cmd_make(const kiln_tc_job *job, const char *cc, const char *src,
                              const char *obj, kiln_tc_cmd *cmd);
/* The linker turning [object] into DIR/patch.so|.dylib for [job]; argv[0] is
 * [ld]. Writes the object (and the ELF export list) into [dir], which the
 * caller made and removes. The library's path is cmd->path[1]. 0, or -1
 * with res->message set. */
int kiln_tc_link_cmd_make(const kiln_tc_job *job, const char *ld, const char *dir,
                          const kiln_tc_buf *object, kiln_tc_cmd *cmd, kiln_tc_result *res);

#endif /* KILN_TOOLCHAIN_H */
