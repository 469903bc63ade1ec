/*
 * The in-process toolchain driver (libkiln-toolchain over libclang-cpp and
 * liblld): for every target it produces the same bytes as spawning clang and
 * lld; many builds in a row in one process, cycling through every target and
 * so through both lld flavours, keep producing those bytes; a host patch it
 * built loads and runs here; KILN_TOOLCHAIN_DRIVER picks a driver; and a
 * module that cannot load leaves builds on the spawning driver with the
 * reason at hand (checked in a child process, since the module loads once
 * per process). The structural checks of each library (Mach-O signature,
 * ELF exports) run for both drivers in test_patch_toolchain.
 *
 * Without the module (LLVM's development files were missing at build time)
 * only the fallback is tested.
 */
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "check.h"
#include "kiln/kiln.h"
#include "patch/patch.h"
#include "runtime/rt.h"
#include "../patch/fixture.h"

extern char **environ;

static const char *const fixtures[] = {"add1", "nested", "native", "value"};
#define NFIX (sizeof fixtures / sizeof *fixtures)
static const kiln_target *targets[KILN_TARGET_COUNT];

static char *read_fixture(const char *name, size_t *n) {
  kiln_tc_buf b = fixture_source(name);
  *n = b.size;
  return (char *)b.data;
}

static bool build_with(const kiln_tc_driver *d, const kiln_target *t, const char *src, size_t n,
                       kiln_tc_result *r) {
  kiln_tc_set_driver(d);
  int rc = kiln_tc_build(t, src, n, &(kiln_tc_opts){.no_cache = true}, r);
  kiln_tc_set_driver(NULL);
  if (rc != 0)
    fprintf(stderr, "  %s, %s: %s\n%s", d->name, t->name, r->message,
            r->diagnostics ? r->diagnostics : "");
  return rc == 0;
}

/* The spawning driver's bytes for every fixture and target: the reference. */
static kiln_tc_buf reference[NFIX][KILN_TARGET_COUNT];

static void test_same_bytes_as_spawn(const kiln_tc_driver *inproc) {
  for (size_t f = 0; f < NFIX; f++) {
    size_t n;
    char *src = read_fixture(fixtures[f], &n);
    for (int i = 0; i < KILN_TARGET_COUNT; i++) {
      kiln_tc_result s, p;
      bool ok = build_with(kiln_tc_spawn_driver(), targets[i], src, n, &s);
      CHECK(ok);
      if (!ok) continue;
      reference[f][i].data = s.bytes;
      reference[f][i].size = s.size;
      s.bytes = NULL;
      kiln_tc_result_free(&s);
      CHECK(build_with(inproc, targets[i], src, n, &p));
      bool same = p.size == reference[f][i].size && p.bytes &&
                  memcmp(p.bytes, reference[f][i].data, p.size) == 0;
      if (!same)
        fprintf(stderr, "  %s for %s: in-process %zu bytes differ from spawned %zu bytes\n",
                fixtures[f], targets[i]->name, p.size, reference[f][i].size);
      CHECK(same);
      kiln_tc_result_free(&p);
    }
    free(src);
  }
}

/* Many builds in one process, interleaving targets (ELF and Mach-O links,
 * arm64 and x86_64 compiles): lld's and clang's state must not leak from
 * one build into the next. */
static void test_many_in_a_row(const kiln_tc_driver *inproc) {
  /* The runtime's stack guard owns SIGSEGV: links must leave it there. */
  struct sigaction segv_before, segv_after;
  sigaction(SIGSEGV, NULL, &segv_before);
  char *srcs[NFIX];
  size_t lens[NFIX];
  for (size_t f = 0; f < NFIX; f++) srcs[f] = read_fixture(fixtures[f], &lens[f]);
  int differ = 0, failed = 0;
  for (int k = 0; k < 60; k++) {
    size_t f = (size_t)k % NFIX;
    int i = (k * 3 + k / NFIX) % KILN_TARGET_COUNT;
    kiln_tc_result r;
    if (!build_with(inproc, targets[i], srcs[f], lens[f], &r)) {
      failed++;
      continue;
    }
    if (r.size != reference[f][i].size || memcmp(r.bytes, reference[f][i].data, r.size) != 0) {
      fprintf(stderr, "  build %d (%s for %s) differs from the spawned bytes\n", k, fixtures[f],
              targets[i]->name);
      differ++;
    }
    kiln_tc_result_free(&r);
  }
  CHECK(failed == 0);
  CHECK(differ == 0);
  /* A failing compile and a failing link in between leave the next build
   * intact. */
  const char *bad = "#include \"kiln/patch_abi.h\"\nconst void *kiln_patch_bad(void) { return x; }\n";
  kiln_tc_result r;
  kiln_tc_set_driver(inproc);
  CHECK(kiln_tc_build(targets[KILN_TARGET_LINUX_X86_64], bad, strlen(bad),
                      &(kiln_tc_opts){.no_cache = true}, &r) == -1);
  CHECK(r.diagnostics && strstr(r.diagnostics, "undeclared identifier 'x'"));
  kiln_tc_result_free(&r);
  const char *calls = "int puts(const char *);\n__attribute__((visibility(\"default\"))) "
                      "const void *kiln_patch_p(const void *a) { puts(\"x\"); return a; }\n";
  CHECK(kiln_tc_build(targets[KILN_TARGET_IOS_DEVICE], calls, strlen(calls),
                      &(kiln_tc_opts){.no_cache = true}, &r) == -1);
  CHECK(r.diagnostics && strstr(r.diagnostics, "undefined symbol: _puts"));
  kiln_tc_result_free(&r);
  /* More undefined symbols than lld's error limit (20): lld gives up through
   * its exit path, which must return to the driver, not end this process. */
  char many[4096];
  size_t len = 0;
  for (int i = 0; i < 30; i++) len += (size_t)snprintf(many + len, sizeof many - len, "void u%d(void);\n", i);
  len += (size_t)snprintf(many + len, sizeof many - len,
                          "__attribute__((visibility(\"default\"))) const void *kiln_patch_u(const "
                          "void *a) {\n");
  for (int i = 0; i < 30; i++) len += (size_t)snprintf(many + len, sizeof many - len, "  u%d();\n", i);
  len += (size_t)snprintf(many + len, sizeof many - len, "  return a;\n}\n");
  CHECK(kiln_tc_build(targets[KILN_TARGET_IOS_SIMULATOR], many, len,
                      &(kiln_tc_opts){.no_cache = true}, &r) == -1);
  CHECK(r.diagnostics && strstr(r.diagnostics, "undefined symbol: _u") &&
        strstr(r.diagnostics, "too many errors"));
  kiln_tc_result_free(&r);
  kiln_tc_set_driver(NULL);
  for (int i = 0; i < KILN_TARGET_COUNT; i++) {
    CHECK(build_with(inproc, targets[i], srcs[0], lens[0], &r));
    CHECK(r.size == reference[0][i].size && memcmp(r.bytes, reference[0][i].data, r.size) == 0);
    kiln_tc_result_free(&r);
  }
  for (size_t f = 0; f < NFIX; f++) free(srcs[f]);
  sigaction(SIGSEGV, NULL, &segv_after);
  CHECK(segv_after.sa_sigaction == segv_before.sa_sigaction &&
        segv_after.sa_flags == segv_before.sa_flags);
}

/* Resident memory in MB (Linux), or -1. */
static long rss_mb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = -1, resident = -1;
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

/* A server builds for hours: 100 builds must not keep what each allocated
 * (cc1 frees nothing under -disable-free, which leaked ~320 KB a compile). */
static void test_no_growth(const kiln_tc_driver *inproc) {
  size_t n;
  char *src = read_fixture("add1", &n);
  kiln_tc_result r;
  for (int k = 0; k < 10; k++) {
    CHECK(build_with(inproc, targets[KILN_TARGET_LINUX_X86_64], src, n, &r));
    kiln_tc_result_free(&r);
  }
  long before = rss_mb();
  for (int k = 0; k < 100; k++) {
    CHECK(build_with(inproc, targets[k % 2 ? KILN_TARGET_IOS_DEVICE : KILN_TARGET_LINUX_X86_64],
                     src, n, &r));
    kiln_tc_result_free(&r);
  }
  long after = rss_mb();
  if (before >= 0) {
    if (after - before >= 12) fprintf(stderr, "  100 builds grew memory by %ld MB\n", after - before);
    CHECK(after - before < 12);
  }
  free(src);
}

/* Builds from several threads at once (a server building for two devices)
 * each get their own right bytes. */
typedef struct builder {
  const kiln_tc_driver *d;
  int first, bad;
} builder;

static void *builder_main(void *arg) {
  builder *b = arg;
  size_t n;
  char *src = read_fixture("nested", &n);
  for (int k = 0; k < 8; k++) {
    int i = (b->first + k) % KILN_TARGET_COUNT;
    kiln_tc_result r;
    int rc = kiln_tc_build(targets[i], src, n, &(kiln_tc_opts){.no_cache = true}, &r);
    if (rc != 0 || r.size != reference[1][i].size ||
        memcmp(r.bytes, reference[1][i].data, r.size) != 0) {
      fprintf(stderr, "  thread build %d for %s: rc %d, %zu bytes (want %zu): %s\n", k,
              targets[i]->name, rc, r.size, reference[1][i].size, r.message);
      b->bad++;
    }
    kiln_tc_result_free(&r);
  }
  free(src);
  return NULL;
}

static void test_threads(const kiln_tc_driver *inproc) {
  kiln_tc_set_driver(inproc);
  builder b[3] = {{inproc, 0, 0}, {inproc, 3, 0}, {inproc, 5, 0}};
  pthread_t th[3];
  for (int i = 0; i < 3; i++) CHECK(pthread_create(&th[i], NULL, builder_main, &b[i]) == 0);
  for (int i = 0; i < 3; i++) {
    pthread_join(th[i], NULL);
    CHECK(b[i].bad == 0);
  }
  kiln_tc_set_driver(NULL);
}

/* A host patch built in-process loads into this process and runs. */
static void test_host_patch_runs(const kiln_tc_driver *inproc) {
  kiln_runtime *rt = kiln_runtime_new();
  size_t n;
  char *src = read_fixture("add1", &n);
  kiln_tc_result r;
  CHECK(build_with(inproc, kiln_tc_target_host(), src, n, &r));
  kiln_val result = KILN_NIL;
  kiln_error err;
  int rc = r.bytes ? kiln_patch_load_bytes(rt, r.bytes, r.size, r.entry, &result, &err) : -1;
  if (rc != 0 && r.bytes) fprintf(stderr, "  loading: %s\n", err.message);
  CHECK(rc == 0);
  CHECK(rc == 0 && kiln_unbox_long(result) == 42);
  kiln_val a = kiln_box_long(41), out = KILN_NIL;
  CHECK(kiln_call_var(rt, "user", "add1", 1, &a, &out, &err) == 0 && kiln_unbox_long(out) == 42);
  kiln_tc_result_free(&r);
  free(src);
  kiln_runtime_close(rt);
}

/* KILN_TOOLCHAIN_DRIVER picks the driver; the default is in-process. */
static void test_env_choice(const kiln_tc_driver *inproc) {
  char buf[1200];
  unsetenv("KILN_TOOLCHAIN_DRIVER");
  CHECK(kiln_tc_driver_current() == inproc);
  CHECK_STR(kiln_tc_driver_describe(buf, sizeof buf), "inproc");
  CHECK(strncmp(kiln_tc_inproc_status(), "loaded ", 7) == 0);
  setenv("KILN_TOOLCHAIN_DRIVER", "spawn", 1);
  CHECK(kiln_tc_driver_current() == kiln_tc_spawn_driver());
  CHECK_STR(kiln_tc_driver_describe(buf, sizeof buf), "spawn");
  setenv("KILN_TOOLCHAIN_DRIVER", "inproc", 1);
  CHECK(kiln_tc_driver_current() == inproc);
  unsetenv("KILN_TOOLCHAIN_DRIVER");
  /* Choosing a compiler by path means running it. */
  setenv("KILN_CC", "/usr/bin/clang-14", 1);
  CHECK(kiln_tc_driver_current() == kiln_tc_spawn_driver());
  CHECK_STR(kiln_tc_driver_describe(buf, sizeof buf), "spawn (KILN_CC is set)");
  setenv("KILN_TOOLCHAIN_DRIVER", "inproc", 1);
  CHECK(kiln_tc_driver_current() == inproc);
  unsetenv("KILN_TOOLCHAIN_DRIVER");
  unsetenv("KILN_CC");
  /* The two drivers' version texts differ, so they never share cache entries. */
  CHECK(strstr(inproc->version(kiln_tc_target_host()), "in-process") != NULL);
}

/* In a child whose KILN_TOOLCHAIN_MODULE names no file: builds spawn. */
static int fallback_child(void) {
  char buf[1200];
  CHECK(kiln_tc_inproc_driver() == NULL);
  CHECK(strstr(kiln_tc_inproc_status(), "KILN_TOOLCHAIN_MODULE") != NULL);
  CHECK(strstr(kiln_tc_inproc_status(), "/nonexistent/libkiln-toolchain") != NULL);
  CHECK(kiln_tc_driver_current() == kiln_tc_spawn_driver());
  CHECK(strncmp(kiln_tc_driver_describe(buf, sizeof buf), "spawn (in-process driver unavailable",
                36) == 0);
  size_t n;
  char *src = read_fixture("add1", &n);
  kiln_tc_result r;
  kiln_tc_opts o = {.no_cache = true};
  CHECK(kiln_tc_build(kiln_tc_target_find("ios-device"), src, n, &o, &r) == 0);
  CHECK(r.size > 0);
  kiln_tc_result_free(&r);
  /* Forcing the missing driver is an error naming the reason. */
  setenv("KILN_TOOLCHAIN_DRIVER", "inproc", 1);
  CHECK(kiln_tc_driver_current() == kiln_tc_inproc_unavailable_driver());
  CHECK(strncmp(kiln_tc_driver_describe(buf, sizeof buf), "none (KILN_TOOLCHAIN_DRIVER=inproc",
                34) == 0);
  CHECK(kiln_tc_build(kiln_tc_target_host(), src, n, &o, &r) == -1);
  CHECK(strstr(r.message, "KILN_TOOLCHAIN_DRIVER=inproc") &&
        strstr(r.message, "KILN_TOOLCHAIN_MODULE"));
  kiln_tc_result_free(&r);
  free(src);
  return check_summary();
}

static void test_fallback(char *self) {
  setenv("KILN_TOOLCHAIN_MODULE", "/nonexistent/libkiln-toolchain.so", 1);
  char *argv[] = {self, "fallback", NULL};
  pid_t pid;
  int status = -1;
  CHECK(posix_spawnp(&pid, self, NULL, NULL, argv, environ) == 0);
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  unsetenv("KILN_TOOLCHAIN_MODULE");
}

int main(int argc, char **argv) {
  fixture_cache_dir();
  (void)fixture_build; /* this test builds with a chosen driver instead */
  unsetenv("KILN_NO_CACHE");
  if (argc > 1 && strcmp(argv[1], "fallback") == 0) return fallback_child();
  for (int i = 0; i < KILN_TARGET_COUNT; i++) targets[i] = kiln_tc_target_at((kiln_target_id)i);
  unsetenv("KILN_TOOLCHAIN_DRIVER");
  test_fallback(argv[0]);
  const kiln_tc_driver *inproc = kiln_tc_inproc_driver();
  if (!inproc) {
    fprintf(stderr, "no in-process driver here (%s): only the fallback is tested\n",
            kiln_tc_inproc_status());
    return check_summary();
  }
  test_env_choice(inproc);
  /* A server's preload builds on its own thread while the builds below
   * start (after the last setenv: getenv on another thread races it). */
  kiln_tc_preload();
  kiln_tc_preload();
  test_same_bytes_as_spawn(inproc);
  test_many_in_a_row(inproc);
  test_no_growth(inproc);
  test_threads(inproc);
  test_host_patch_runs(inproc);
  for (size_t f = 0; f < NFIX; f++)
    for (int i = 0; i < KILN_TARGET_COUNT; i++) kiln_tc_buf_free(&reference[f][i]);
  return check_summary();
}
