/*
 * toolchain_inproc.c — the in-process driver: loads the libkiln-toolchain
 * module (inproc.cpp, over libclang-cpp and liblld) with dlopen on first
 * use, and drives it with the command lines of args.c.
 *
 * Compiling never touches the disk (the C goes in and the object comes back
 * as bytes). lld reads and writes files, so linking uses a private directory
 * as the spawning driver does. Signing is the spawning driver's step (it
 * only runs codesign when an identity is configured).
 *
 * The module is found at $KILN_TOOLCHAIN_MODULE, else next to the running
 * executable, in ../lib beside it, in the build tree this file was compiled
 * in, and last through the dynamic loader's own search. When none loads, the
 * reason is kept for kiln_tc_inproc_status and builds use the spawning
 * driver.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toolchain/inproc.h"
#include "toolchain/toolchain.h"

#if defined(__APPLE__)
#define KILN_TCM_FILE "libkiln-toolchain.dylib"
#else
#define KILN_TCM_FILE "libkiln-toolchain.so"
#endif

/* Set by CMake for this file when it builds the module: the module's path in
 * the build tree. */
#ifndef KILN_TCM_BUILD_PATH
#define KILN_TCM_BUILD_PATH ""
#endif

static pthread_mutex_t kiln_tcm_lock = PTHREAD_MUTEX_INITIALIZER;
static const kiln_tcm *kiln_tcm_loaded;
static bool kiln_tcm_tried;
static char kiln_tcm_why[1024];

/* Tries one path; on failure appends why to [why]. */
static const kiln_tcm *kiln_tcm_try(const char *path, char *why, size_t n) {
  size_t len = strlen(why);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(why + len, n - len, "%s%s", len ? "; " : "", e ? e : path);
    return NULL;
  }
  kiln_tcm_get_fn get = (kiln_tcm_get_fn)dlsym(h, KILN_TCM_ENTRY);
  const kiln_tcm *m = get ? get() : NULL;
  if (!m || m->abi != KILN_TCM_ABI) {
    snprintf(why + len, n - len, "%s%s: not a Kiln toolchain module of ABI %d", len ? "; " : "",
             path, KILN_TCM_ABI);
    return NULL; /* left loaded: unloading LLVM is not safe */
  }
  snprintf(kiln_tcm_why, sizeof kiln_tcm_why, "loaded %s", path);
  return m;
}

static const kiln_tcm *kiln_tcm_load(void) {
  char why[sizeof kiln_tcm_why] = "";
  const char *env = getenv("KILN_TOOLCHAIN_MODULE");
  if (env && *env) {
    const kiln_tcm *m = kiln_tcm_try(env, why, sizeof why);
    if (!m) snprintf(kiln_tcm_why, sizeof kiln_tcm_why, "KILN_TOOLCHAIN_MODULE: %s", why);
    return m;
  }
  char dir[PATH_MAX], path[PATH_MAX + 64];
  if (kiln_tc_exe_dir(dir, sizeof dir)) {
    static const char *const rel[] = {"", "../lib/"};
    for (int i = 0; i < 2; i++) {
      snprintf(path, sizeof path, "%s/%s" KILN_TCM_FILE, dir, rel[i]);
      if (access(path, R_OK) == 0) return kiln_tcm_try(path, why, sizeof why);
    }
  }
  if (KILN_TCM_BUILD_PATH[0] && access(KILN_TCM_BUILD_PATH, R_OK) == 0)
    return kiln_tcm_try(KILN_TCM_BUILD_PATH, why, sizeof why);
  const kiln_tcm *m = kiln_tcm_try(KILN_TCM_FILE, why, sizeof why);
  if (!m)
    snprintf(kiln_tcm_why, sizeof kiln_tcm_why,
             "no loadable " KILN_TCM_FILE " next to the executable, in ../lib or the build "
             "tree (it is built when libclang-14-dev and liblld-14-dev are installed): %s",
             why);
  return m;
}

static const kiln_tcm *kiln_tcm_get_loaded(void) {
  pthread_mutex_lock(&kiln_tcm_lock);
  if (!kiln_tcm_tried) {
    kiln_tcm_loaded = kiln_tcm_load();
    if (!kiln_tcm_loaded && !strstr(kiln_tcm_why, KILN_TCM_FILE) &&
        !strstr(kiln_tcm_why, "KILN_TOOLCHAIN_MODULE")) {
      char why[sizeof kiln_tcm_why];
      snprintf(why, sizeof why, "%s", kiln_tcm_why);
      snprintf(kiln_tcm_why, sizeof kiln_tcm_why, KILN_TCM_FILE " did not load: %s", why);
    }
    kiln_tcm_tried = true;
  }
  const kiln_tcm *m = kiln_tcm_loaded;
  pthread_mutex_unlock(&kiln_tcm_lock);
  return m;
}

const char *kiln_tc_inproc_status(void) {
  kiln_tcm_get_loaded();
  return kiln_tcm_why;
}

/* ---- the driver's steps -------------------------------------------------- */

static void kiln_tcm_diag(kiln_tc_result *res, char *text) {
  if (text) kiln_tc_diag(res, text, strlen(text));
  free(text);
}

static int kiln_inproc_compile(const kiln_tc_job *job, const char *c_source, size_t n,
                               kiln_tc_buf *object, kiln_tc_result *res) {
  /* A path under /dev/null names no file that could exist: the C's own
   * directory, searched first for #include "...", holds nothing. */
  static const char src[] = "/dev/null/kiln/patch.c";
  kiln_tc_cmd *cmd = malloc(sizeof *cmd);
  if (!cmd) abort();
  kiln_tc_compile_cmd_make(job, "clang", src, "patch.o", cmd);
  uint8_t *obj = NULL;
  size_t objn = 0;
  char *diag = NULL;
  int rc = kiln_tcm_get_loaded()->compile(cmd->argv, cmd->argc, src, c_source, n, &obj, &objn, &diag);
  free(cmd);
  kiln_tcm_diag(res, diag);
  if (rc != 0) {
    free(obj);
    if (rc > 0)
      return kiln_tc_fail(res, "compiling the patch's C failed (in-process clang)%s",
                          res->diagnostics ? "; its messages follow" : "");
    return kiln_tc_fail(res, "the in-process clang could not run the compile command line%s",
                        res->diagnostics ? "; its messages follow" : "");
  }
  kiln_tc_buf_free(object);
  object->data = obj;
  object->size = objn;
  return 0;
}

static int kiln_inproc_link(const kiln_tc_job *job, const kiln_tc_buf *object,
                            kiln_tc_buf *library, kiln_tc_result *res) {
  bool macho = job->target->format == KILN_FMT_MACHO;
  char dir[PATH_MAX];
  if (!kiln_tc_workdir(dir, sizeof dir, res)) return -1;
  kiln_tc_cmd *cmd = malloc(sizeof *cmd);
  if (!cmd) abort();
  int rc = kiln_tc_link_cmd_make(job, macho ? "ld64.lld" : "ld.lld", dir, object, cmd, res);
  if (rc == 0) {
    char *diag = NULL;
    int st = kiln_tcm_get_loaded()->link(macho, cmd->argv, cmd->argc, &diag);
    kiln_tcm_diag(res, diag);
    if (st != 0)
      rc = kiln_tc_fail(res, "linking the patch failed (in-process lld)%s",
                        res->diagnostics ? "; its messages follow" : "");
    else if (!kiln_tc_read_file(cmd->path[1], library))
      rc = kiln_tc_fail(res, "the in-process lld wrote no %s: %s", cmd->path[1], strerror(errno));
  }
  free(cmd);
  kiln_tc_workdir_remove(dir);
  return rc;
}

static const char *kiln_inproc_version(const kiln_target *t) {
  (void)t;
  return kiln_tcm_get_loaded()->version;
}

static int kiln_inproc_sign(const kiln_tc_job *job, kiln_tc_buf *library, kiln_tc_result *res) {
  return kiln_tc_spawn_driver()->sign(job, library, res);
}

static const kiln_tc_driver kiln_inproc_driver_table = {
    "inproc", kiln_inproc_version, kiln_inproc_compile, kiln_inproc_link, kiln_inproc_sign};

const kiln_tc_driver *kiln_tc_inproc_driver(void) {
  return kiln_tcm_get_loaded() ? &kiln_inproc_driver_table : NULL;
}

/* What $KILN_TOOLCHAIN_DRIVER=inproc gets when the module does not load:
 * every build fails with the reason. */
static const char *kiln_unavailable_version(const kiln_target *t) {
  (void)t;
  return "inproc-unavailable";
}

static int kiln_unavailable_compile(const kiln_tc_job *job, const char *c_source, size_t n,
                                    kiln_tc_buf *object, kiln_tc_result *res) {
  return kiln_tc_fail(res, "KILN_TOOLCHAIN_DRIVER=inproc, but the in-process toolchain is "
                           "unavailable: %s", kiln_tc_inproc_status());
}

static int kiln_unavailable_link(const kiln_tc_job *job, const kiln_tc_buf *object,
                                 kiln_tc_buf *library, kiln_tc_result *res) {
  return kiln_unavailable_compile(job, NULL, 0, NULL, res);
}

static const kiln_tc_driver kiln_unavailable_driver = {
    "inproc-unavailable", kiln_unavailable_version, kiln_unavailable_compile,
    kiln_unavailable_link, kiln_inproc_sign};

const kiln_tc_driver *kiln_tc_inproc_unavailable_driver(void) { return &kiln_unavailable_driver; }

/* ---- preloading ---------------------------------------------------------- */

static void *kiln_tc_preload_main(void *arg) {
  (void)arg;
  const char *force = getenv("KILN_TOOLCHAIN_DRIVER");
  if (force && strcmp(force, "spawn") == 0) return NULL;
  if (!kiln_tc_inproc_driver()) return NULL;
  /* One small build through the whole pipeline pages in the compiler and the
   * linker and fills the driver's command-line memo. */
  static const char warm[] = "__attribute__((visibility(\"default\"))) const void *"
                             "kiln_patch_kiln_preload(const void *api) { return api; }\n";
  const kiln_target *host = kiln_tc_target_host();
  if (host && kiln_tc_driver_current() == &kiln_inproc_driver_table) {
    kiln_tc_result r;
    kiln_tc_opts o = {.no_cache = true};
    kiln_tc_build(host, warm, sizeof warm - 1, &o, &r);
    kiln_tc_result_free(&r);
  }
  return NULL;
}

static void kiln_tc_preload_start(void) {
  pthread_t thread;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&thread, &a, kiln_tc_preload_main, NULL) != 0)
    kiln_tc_inproc_driver(); /* no thread to spare: load it here */
  pthread_attr_destroy(&a);
}

void kiln_tc_preload(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, kiln_tc_preload_start);
}
