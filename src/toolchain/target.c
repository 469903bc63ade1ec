/*
 * target.c — the targets of DESIGN §6, phase timings, and where the
 * toolchain finds the patch ABI header and the libSystem link stub.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "toolchain/toolchain.h"

static const kiln_target kiln_tc_targets[KILN_TARGET_COUNT] = {
#define KILN_TARGET_ROW(id, name, fmt, arch, plat, plat_arg, head, tail) \
  {KILN_TARGET_##id, name, fmt, arch, plat, plat_arg, head, tail},
    KILN_TARGETS(KILN_TARGET_ROW)
#undef KILN_TARGET_ROW
};

const kiln_target *kiln_tc_target_at(kiln_target_id id) {
  return (unsigned)id < KILN_TARGET_COUNT ? &kiln_tc_targets[id] : NULL;
}

const kiln_target *kiln_tc_target_host(void) {
#if defined(__APPLE__) && defined(__aarch64__)
  return &kiln_tc_targets[KILN_TARGET_MACOS_ARM64];
#elif defined(__APPLE__) && defined(__x86_64__)
  return &kiln_tc_targets[KILN_TARGET_MACOS_X86_64];
#elif defined(__linux__) && defined(__aarch64__)
  return &kiln_tc_targets[KILN_TARGET_LINUX_AARCH64];
#elif defined(__linux__) && defined(__x86_64__)
  return &kiln_tc_targets[KILN_TARGET_LINUX_X86_64];
#else
  return NULL;
#endif
}

const kiln_target *kiln_tc_target_find(const char *name) {
  if (!name) return NULL;
  if (strcmp(name, "host") == 0) return kiln_tc_target_host();
  if (strcmp(name, "device") == 0) return &kiln_tc_targets[KILN_TARGET_IOS_DEVICE];
  if (strcmp(name, "simulator") == 0) return &kiln_tc_targets[KILN_TARGET_IOS_SIMULATOR];
  for (int i = 0; i < KILN_TARGET_COUNT; i++)
    if (strcmp(name, kiln_tc_targets[i].name) == 0) return &kiln_tc_targets[i];
  return NULL;
}

const char *kiln_tc_target_names(void) {
  return "host, ios-device (device), ios-simulator (simulator), ios-simulator-x86_64, "
         "linux-aarch64, linux-x86_64, macos-arm64, macos-x86_64";
}

const char *kiln_tc_target_ext(const kiln_target *t) {
  return t->format == KILN_FMT_MACHO ? ".dylib" : ".so";
}

const char *kiln_tc_target_min(const kiln_target *t, const char *opt) {
  if (t->format != KILN_FMT_MACHO) return "";
  if (opt && *opt) return opt;
  bool macos = t->macho_platform == 1;
  const char *env = getenv(macos ? "KILN_MACOS_MIN" : "KILN_IOS_MIN");
  if (env && *env) return env;
  return macos ? "11.0" : "17.0";
}

void kiln_tc_target_triple(const kiln_target *t, const char *min, char *buf, size_t n) {
  if (t->format == KILN_FMT_ELF) snprintf(buf, n, "%s", t->triple_head);
  else snprintf(buf, n, "%s%s%s", t->triple_head, min, t->triple_tail);
}

/* ---- timings ----------------------------------------------------------- */

static const char *const kiln_phase_names[KILN_PHASE_COUNT] = {
#define KILN_PHASE_NAME(name) #name,
    KILN_PHASES(KILN_PHASE_NAME)
#undef KILN_PHASE_NAME
};

const char *kiln_phase_name(kiln_phase p) {
  return (unsigned)p < KILN_PHASE_COUNT ? kiln_phase_names[p] : "?";
}

double kiln_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double kiln_timings_total(const kiln_timings *t) {
  double sum = 0;
  for (int i = 0; i < KILN_PHASE_COUNT; i++) sum += t->ms[i];
  return sum;
}

void kiln_timings_format(const kiln_timings *t, char *buf, size_t n) {
  size_t len = 0;
  buf[0] = 0;
  for (int i = 0; i < KILN_PHASE_COUNT && len < n; i++) {
    if (t->ms[i] <= 0) continue;
    len += (size_t)snprintf(buf + len, n - len, "%s %.1f ms, ", kiln_phase_names[i], t->ms[i]);
  }
  if (len < n) snprintf(buf + len, n - len, "total %.1f ms", kiln_timings_total(t));
}

/* ---- where the header and the stub are --------------------------------- */

static bool kiln_tc_exists(const char *dir, const char *rel) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  return access(path, R_OK) == 0;
}

bool kiln_tc_exe_dir(char *buf, size_t n) {
#if defined(__APPLE__)
  uint32_t size = (uint32_t)n;
  if (_NSGetExecutablePath(buf, &size) != 0) return false;
#else
  ssize_t len = readlink("/proc/self/exe", buf, n - 1);
  if (len <= 0) return false;
  buf[len] = 0;
#endif
  char *slash = strrchr(buf, '/');
  if (!slash) return false;
  *slash = 0;
  return true;
}

/* This source tree's root, from this file's path as the compiler saw it
 * (CMake passes absolute paths): ROOT/src/toolchain/target.c. */
static bool kiln_tc_source_root(char *buf, size_t n) {
  snprintf(buf, n, "%s", __FILE__);
  for (int i = 0; i < 3; i++) {
    char *slash = strrchr(buf, '/');
    if (!slash) return false;
    *slash = 0;
  }
  return buf[0] != 0;
}

/* Finds the first of [env] or candidate directories (relative to the
 * executable, then the source root) that contains [probe]. */
static const char *kiln_tc_find_dir(char *out, size_t n, const char *env, const char *probe,
                                    const char *const *exe_rel, const char *src_rel) {
  const char *e = getenv(env);
  if (e && *e) {
    snprintf(out, n, "%s", e);
    return kiln_tc_exists(out, probe) ? out : NULL;
  }
  char base[PATH_MAX];
  if (kiln_tc_exe_dir(base, sizeof base)) {
    for (int i = 0; exe_rel[i]; i++) {
      snprintf(out, n, "%s/%s", base, exe_rel[i]);
      if (kiln_tc_exists(out, probe)) {
        char real[PATH_MAX];
        if (realpath(out, real)) snprintf(out, n, "%s", real);
        return out;
      }
    }
  }
  if (kiln_tc_source_root(base, sizeof base)) {
    snprintf(out, n, "%s/%s", base, src_rel);
    if (kiln_tc_exists(out, probe)) return out;
  }
  return NULL;
}

/* The answers live in static buffers that only change when the environment
 * does; the lock keeps two threads from writing one at the same time. */
static pthread_mutex_t kiln_tc_dir_lock = PTHREAD_MUTEX_INITIALIZER;

const char *kiln_tc_include_dir(void) {
  static char dir[PATH_MAX];
  static const char *const rel[] = {"../include", "include", "../../include", NULL};
  pthread_mutex_lock(&kiln_tc_dir_lock);
  const char *r =
      kiln_tc_find_dir(dir, sizeof dir, "KILN_INCLUDE", "kiln/patch_abi.h", rel, "include");
  pthread_mutex_unlock(&kiln_tc_dir_lock);
  return r;
}

const char *kiln_tc_tbd_dir(void) {
  static char dir[PATH_MAX];
  static const char *const rel[] = {"../share/kiln", "share/kiln", "../src/toolchain", NULL};
  pthread_mutex_lock(&kiln_tc_dir_lock);
  const char *r =
      kiln_tc_find_dir(dir, sizeof dir, "KILN_TBD_DIR", "libSystem.tbd", rel, "src/toolchain");
  pthread_mutex_unlock(&kiln_tc_dir_lock);
  return r;
}
