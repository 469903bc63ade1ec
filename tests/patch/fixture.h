/*
 * fixture.h — builds the hand-written patches of tests/patch/fixtures/ with
 * the toolchain, for the tests that load them. Builds go through the patch
 * cache, which the tests point at a private directory (fixture_cache_dir).
 */
#ifndef KILN_TEST_FIXTURE_H
#define KILN_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
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

/* Builds tests/patch/fixtures/[name].c for [target] with one optional -D
 * flag; exits the test on failure (nothing else can be tested then). */
static kiln_tc_result fixture_build(const char *name, const char *target, const char *define) {
  char path[256];
  snprintf(path, sizeof path, "tests/patch/fixtures/%s.c", name);
  kiln_tc_buf src = {0};
  if (!kiln_tc_read_file(path, &src)) {
    fprintf(stderr, "cannot read %s (run from the source root)\n", path);
    exit(2);
  }
  const char *flags[1] = {define};
  kiln_tc_opts o = {.cflags = flags, .ncflags = define ? 1 : 0};
  kiln_tc_result r;
  if (kiln_tc_build(kiln_tc_target_find(target), (const char *)src.data, src.size, &o, &r) != 0) {
    fprintf(stderr, "building %s for %s: %s\n%s", path, target, r.message,
            r.diagnostics ? r.diagnostics : "");
    exit(2);
  }
  kiln_tc_buf_free(&src);
  return r;
}
#endif
