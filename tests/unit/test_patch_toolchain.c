/*
 * The toolchain: every target's library is structurally right (Mach-O load
 * commands, code signature page hashes, ELF symbols), the deployment
 * version is honoured, the cache hits and misses when it should, and
 * failures (unknown target, no entry point, a C error, a missing tool) are
 * clear messages. All of it runs once per driver: spawning clang and lld,
 * and in-process (when the libkiln-toolchain module is built).
 */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "../patch/objcheck.h"
#include "toolchain/toolchain.h"

static char *read_text(const char *path, size_t *n) {
  kiln_tc_buf b = {0};
  if (!kiln_tc_read_file(path, &b)) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  *n = b.size;
  return (char *)b.data;
}

static bool check_lib(const kiln_target *t, const kiln_tc_result *r, uint32_t minos,
                      const char *want_entry) {
  char why[256] = "", entry[128] = "";
  bool ok;
  if (t->format == KILN_FMT_MACHO) {
    uint32_t cpu = strcmp(t->arch, "arm64") == 0 ? 0x0100000cu : 0x01000007u;
    ok = objcheck_macho(r->bytes, r->size, cpu, t->macho_platform, minos, entry, sizeof entry,
                        why, sizeof why);
  } else {
    uint16_t machine = strcmp(t->arch, "arm64") == 0 ? 183 : 62;
    ok = objcheck_elf(r->bytes, r->size, machine, entry, sizeof entry, why, sizeof why);
  }
  if (!ok) fprintf(stderr, "  %s: %s\n", t->name, why);
  if (ok && strcmp(entry, want_entry) != 0) {
    fprintf(stderr, "  %s: entry %s, want %s\n", t->name, entry, want_entry);
    ok = false;
  }
  return ok;
}

static void test_every_target(const char *src, size_t n) {
  static const char *const names[] = {"ios-device",    "ios-simulator", "ios-simulator-x86_64",
                                      "linux-aarch64", "linux-x86_64",  "macos-arm64",
                                      "macos-x86_64",  "host",          NULL};
  for (int i = 0; names[i]; i++) {
    const kiln_target *t = kiln_tc_target_find(names[i]);
    CHECK(t != NULL);
    kiln_tc_result r = {0};
    kiln_tc_opts o = {.no_cache = true};
    int rc = kiln_tc_build(t, src, n, &o, &r);
    if (rc != 0) fprintf(stderr, "%s: %s\n%s", names[i], r.message, r.diagnostics ? r.diagnostics : "");
    CHECK(rc == 0);
    CHECK_STR(r.entry, "kiln_patch_add1");
    CHECK(!r.cached);
    CHECK(r.t.ms[KILN_PHASE_compile] > 0 && r.t.ms[KILN_PHASE_link] > 0);
    uint32_t minos = t->macho_platform == 1 ? 0x0b0000u : 0x110000u; /* 11.0 / 17.0 */
    if (rc == 0) CHECK(check_lib(t, &r, minos, "kiln_patch_add1"));
    if (t->id == KILN_TARGET_IOS_DEVICE && rc == 0) {
      /* A device refuses ad-hoc code: the toolchain says so. */
      CHECK(r.diagnostics && strstr(r.diagnostics, "ad-hoc"));
      /* The signature check notices one changed byte in a signed page. */
      r.bytes[r.size / 3] ^= 0x40;
      char why[256], entry[128];
      CHECK(!objcheck_macho(r.bytes, r.size, 0x0100000cu, 2, 0x110000u, entry, sizeof entry, why,
                            sizeof why));
      CHECK(strstr(why, "hash does not match") != NULL);
    }
    kiln_tc_result_free(&r);
  }
}

static void test_deployment_version(const char *src, size_t n) {
  const kiln_target *sim = kiln_tc_target_find("simulator");
  CHECK(sim && sim->id == KILN_TARGET_IOS_SIMULATOR);
  kiln_tc_result r = {0};
  kiln_tc_opts o = {.ios_min = "16.4", .no_cache = true};
  CHECK(kiln_tc_build(sim, src, n, &o, &r) == 0);
  CHECK(r.bytes && check_lib(sim, &r, 0x100400u, "kiln_patch_add1"));
  kiln_tc_result_free(&r);
  setenv("KILN_IOS_MIN", "18.1", 1);
  const kiln_target *dev = kiln_tc_target_find("device");
  CHECK(kiln_tc_build(dev, src, n, &(kiln_tc_opts){.no_cache = true}, &r) == 0);
  CHECK(r.bytes && check_lib(dev, &r, 0x120100u, "kiln_patch_add1"));
  kiln_tc_result_free(&r);
  unsetenv("KILN_IOS_MIN");
}

static void test_cache(const char *src, size_t n) {
  const kiln_target *t = kiln_tc_target_find("ios-device");
  kiln_tc_result a = {0}, b = {0}, c = {0};
  CHECK(kiln_tc_build(t, src, n, NULL, &a) == 0);
  CHECK(!a.cached);
  CHECK(kiln_tc_build(t, src, n, NULL, &b) == 0);
  CHECK(b.cached);
  CHECK(b.t.ms[KILN_PHASE_compile] == 0 && b.t.ms[KILN_PHASE_link] == 0);
  CHECK(a.size == b.size && memcmp(a.bytes, b.bytes, a.size) == 0);
  CHECK_STR(a.key, b.key);
  /* Another deployment version, another flag, or another source is another key. */
  CHECK(kiln_tc_build(t, src, n, &(kiln_tc_opts){.ios_min = "17.2"}, &c) == 0);
  CHECK(!c.cached && strcmp(c.key, a.key) != 0);
  kiln_tc_result_free(&c);
  const char *flags[] = {"-DADD1_ANSWER=43"};
  CHECK(kiln_tc_build(t, src, n, &(kiln_tc_opts){.cflags = flags, .ncflags = 1}, &c) == 0);
  CHECK(!c.cached && strcmp(c.key, a.key) != 0);
  kiln_tc_result_free(&c);
  char *edited = malloc(n + 2);
  memcpy(edited, src, n);
  memcpy(edited + n, "\n\n", 2);
  CHECK(kiln_tc_build(t, edited, n + 2, NULL, &c) == 0);
  CHECK(!c.cached && strcmp(c.key, a.key) != 0);
  free(edited);
  kiln_tc_result_free(&c);
  /* The other target: another key. */
  CHECK(kiln_tc_build(kiln_tc_target_find("ios-simulator"), src, n, NULL, &c) == 0);
  CHECK(!c.cached && strcmp(c.key, a.key) != 0);
  kiln_tc_result_free(&c);
  kiln_tc_result_free(&a);
  kiln_tc_result_free(&b);
}

static void test_failures(void) {
  kiln_tc_result r = {0};
  CHECK(kiln_tc_build(NULL, "x", 1, NULL, &r) == -1);
  CHECK(strstr(r.message, "unknown target") && strstr(r.message, "ios-device"));
  CHECK(kiln_tc_target_find("ios-watch") == NULL);

  const char *no_entry = "int f(void) { return 1; }\n";
  CHECK(kiln_tc_build(kiln_tc_target_host(), no_entry, strlen(no_entry), NULL, &r) == -1);
  CHECK(strstr(r.message, "no entry point") != NULL);
  kiln_tc_result_free(&r);

  const char *bad = "#include \"kiln/patch_abi.h\"\n"
                    "#line 7 \"user.clj\"\n"
                    "const void *kiln_patch_bad(const kiln_api *api) { return api->nope; }\n";
  memset(&r, 0, sizeof r);
  CHECK(kiln_tc_build(kiln_tc_target_host(), bad, strlen(bad), &(kiln_tc_opts){.no_cache = true},
                      &r) == -1);
  CHECK(strstr(r.message, "compiling") != NULL);
  /* The compiler's words name the user's file and line through #line. */
  CHECK(r.diagnostics && strstr(r.diagnostics, "user.clj:7") && strstr(r.diagnostics, "nope"));
  kiln_tc_result_free(&r);

  /* A patch calling a C function Mach-O patches may not use fails to link. */
  const char *calls = "#include \"kiln/patch_abi.h\"\nint puts(const char *);\n"
                      "__attribute__((visibility(\"default\"))) const void *kiln_patch_p(const "
                      "kiln_api *a) { puts(\"x\"); return a; }\n";
  memset(&r, 0, sizeof r);
  CHECK(kiln_tc_build(kiln_tc_target_find("ios-device"), calls, strlen(calls),
                      &(kiln_tc_opts){.no_cache = true}, &r) == -1);
  CHECK(strstr(r.message, "linking") && r.diagnostics && strstr(r.diagnostics, "_puts"));
  kiln_tc_result_free(&r);

  /* A missing tool names the package to install (the spawning driver's
   * concern: the in-process one runs no tools). */
  if (strcmp(kiln_tc_driver_current()->name, "spawn") != 0) return;
  char *path = strdup(getenv("PATH"));
  setenv("PATH", "/nonexistent", 1);
  memset(&r, 0, sizeof r);
  const char *ok = "const void *kiln_patch_q(const void *a) { return a; }\n";
  CHECK(kiln_tc_build(kiln_tc_target_host(), ok, strlen(ok), &(kiln_tc_opts){.no_cache = true},
                      &r) == -1);
  CHECK(strstr(r.message, "clang-14") && strstr(r.message, "KILN_CC"));
  kiln_tc_result_free(&r);
  setenv("PATH", path, 1);
  free(path);
  setenv("KILN_CC", "/nonexistent/clang", 1);
  memset(&r, 0, sizeof r);
  CHECK(kiln_tc_build(kiln_tc_target_host(), ok, strlen(ok), &(kiln_tc_opts){.no_cache = true},
                      &r) == -1);
  CHECK(strstr(r.message, "KILN_CC=/nonexistent/clang") != NULL);
  kiln_tc_result_free(&r);
  unsetenv("KILN_CC");
}

static void test_entry_scan(void) {
  char e[64];
  const char *s = "/* kiln_patch_<id>() */ static const kiln_patch_desc d;\n"
                  "const kiln_patch_desc *kiln_patch_abc_12 (const kiln_api *api) {}";
  CHECK(kiln_tc_find_entry(s, strlen(s), e, sizeof e));
  CHECK_STR(e, "kiln_patch_abc_12");
  CHECK(!kiln_tc_find_entry("my_kiln_patch_x(", 16, e, sizeof e));
}

static void test_timings_format(void) {
  kiln_timings t = {{0}};
  t.ms[KILN_PHASE_compile] = 80.25;
  t.ms[KILN_PHASE_link] = 9;
  char buf[200];
  kiln_timings_format(&t, buf, sizeof buf);
  CHECK_STR(buf, "compile 80.2 ms, link 9.0 ms, total 89.2 ms");
  CHECK_STR(kiln_phase_name(KILN_PHASE_transfer), "transfer");
}

int main(void) {
  char cache[] = "/tmp/kiln-test-cache-XXXXXX";
  if (!mkdtemp(cache)) return 1;
  setenv("XDG_CACHE_HOME", cache, 1);
  unsetenv("KILN_NO_CACHE");
  size_t n;
  char *src = read_text("tests/patch/fixtures/add1.c", &n);
  test_entry_scan();
  test_timings_format();
  const kiln_tc_driver *drivers[] = {kiln_tc_spawn_driver(), kiln_tc_inproc_driver()};
  if (!drivers[1]) fprintf(stderr, "in-process driver not tested: %s\n", kiln_tc_inproc_status());
  for (int i = 0; i < 2 && drivers[i]; i++) {
    kiln_tc_set_driver(drivers[i]);
    fprintf(stderr, "driver %s\n", drivers[i]->name);
    test_every_target(src, n);
    test_deployment_version(src, n);
    test_cache(src, n);
    test_failures();
  }
  kiln_tc_set_driver(NULL);
  free(src);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", cache);
  return check_summary();
}
