/*
 * fixture.h — builds the hand-written patches of tests/patch/fixtures/ with
 * the toolchain, for the tests that load them. Builds go through the patch
 * cache, which the tests point at a private directory (fixture_cache_dir).
 */
#ifndef KILN_TEST_FIXTURE_H
#define KILN_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toolchain/toolchain.h"

/* Points the patch cache at a fresh directory under /tmp, removed at exit. */
static char fixture_cache[64];
static void fixture_remove_cache(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fixture_cache);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", fixture_cache);
}
static void fixture_cache_dir(void) {
  snprintf(fixture_cache, sizeof fixture_cache, "/tmp/kiln-test-cache-XXXXXX");
  if (!mkdtemp(fixture_cache)) exit(2);
  setenv("XDG_CACHE_HOME", fixture_cache, 1);
  atexit(fixture_remove_cache);
}

/* Under an emulator (tests/cross/run.sh) the patches come prebuilt by the
 * build machine's `kiln compile`, as a device gets them: when
 * KILN_TEST_PATCHES names a directory, [name][-DEFINE].[target].so there
 * stands in for the build (DEFINE without its -D, target by its full name,
 * e.g. value-VALUE=2.linux-aarch64.so). A file missing there is built here. */
static bool fixture_prebuilt(const char *name, const kiln_target *t, const char *define,
                             kiln_tc_result *r) {
  const char *dir = getenv("KILN_TEST_PATCHES");
  if (!dir || !*dir || !t) return false;
  char path[512];
  snprintf(path, sizeof path, "%s/%s%s%s.%s.so", dir, name, define ? "-" : "",
           define ? define + 2 : "", t->name);
  kiln_tc_buf lib = {0};
  if (!kiln_tc_read_file(path, &lib)) {
    fprintf(stderr, "note: %s is not prebuilt; building it here\n", path);
    return false;
  }
  memset(r, 0, sizeof *r);
  r->bytes = lib.data;
  r->size = lib.size;
  r->target = t;
  return true;
}

/* The C of tests/patch/fixtures/[name].c; exits the test when it is missing. */
static inline kiln_tc_buf fixture_source(const char *name) {
  char path[256];
  snprintf(path, sizeof path, "tests/patch/fixtures/%s.c", name);
  kiln_tc_buf src = {0};
  if (!kiln_tc_read_file(path, &src)) {
    fprintf(stderr, "cannot read %s (run from the source root)\n", path);
    exit(2);
  }
  return src;
}

/* Builds tests/patch/fixtures/[name].c for [target] with one optional -D
 * flag; exits the test on failure (nothing else can be tested then). */
static kiln_tc_result fixture_build(const char *name, const char *target, const char *define) {
  kiln_tc_result r;
  if (fixture_prebuilt(name, kiln_tc_target_find(target), define, &r)) return r;
  kiln_tc_buf src = fixture_source(name);
  const char *flags[1] = {define};
  kiln_tc_opts o = {.cflags = flags, .ncflags = define ? 1 : 0};
  if (kiln_tc_build(kiln_tc_target_find(target), (const char *)src.data, src.size, &o, &r) != 0) {
    fprintf(stderr, "building fixture %s for %s: %s\n%s", name, target, r.message,
            r.diagnostics ? r.diagnostics : "");
    exit(2);
  }
  kiln_tc_buf_free(&src);
  return r;
}
#endif
