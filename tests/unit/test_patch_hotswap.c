/*
 * Hot swap under load: reader threads call user/value in a tight loop, the
 * way compiled code does (one acquire load of the var's root, then a call),
 * while the main thread applies 1,000 patches redefining it. Ten prebuilt
 * variants return 1..10; each application writes a new file. Every call must
 * return one of the values some patch defined, never crash or see a torn
 * root, and after the last patch every caller sees its value.
 */
#include <pthread.h>

#include "check.h"
#include "kiln/kiln.h"
#include "patch/patch.h"
#include "runtime/rt.h"
#include "../patch/fixture.h"

#define VARIANTS 10
#define PATCHES 1000
#define READERS 2

static kiln_var *value_var;
static volatile int stop;

typedef struct {
  long calls, bad;
  int64_t last_bad;
} reader_stats;

static void *reader(void *p) {
  reader_stats *s = p;
  kiln_thread_attach();
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
    kiln_val f = KILN_VAR_ROOT(value_var);
    kiln_val v = KILN_HAS_TYPE(f, KILN_T_FN) ? ((kiln_fn *)f)->code((kiln_fn *)f, 0, NULL)
                                              : KILN_NIL;
    int64_t n = KILN_IS_FIXNUM(v) ? KILN_FIXNUM_VALUE(v) : -1;
    s->calls++;
    if (n < 1 || n > VARIANTS) s->bad++, s->last_bad = n;
  }
  kiln_thread_detach();
  return NULL;
}

int main(void) {
  fixture_cache_dir();
  kiln_runtime *rt = kiln_runtime_new();
  kiln_tc_result variants[VARIANTS];
  for (int i = 0; i < VARIANTS; i++) {
    char define[32];
    snprintf(define, sizeof define, "-DVALUE=%d", i + 1);
    variants[i] = fixture_build("value", "host", define);
  }
  kiln_error err;
  CHECK(kiln_patch_load_bytes(rt, variants[0].bytes, variants[0].size, NULL, NULL, &err) == 0);
  value_var = kiln_find_var(rt, "user", "value");
  CHECK(value_var != NULL);
  if (!value_var) return check_summary();

  pthread_t threads[READERS];
  reader_stats stats[READERS] = {{0}};
  for (int i = 0; i < READERS; i++) pthread_create(&threads[i], NULL, reader, &stats[i]);
  int failures = 0;
  for (int i = 1; i <= PATCHES; i++) {
    const kiln_tc_result *v = &variants[i % VARIANTS];
    if (kiln_patch_load_bytes(rt, v->bytes, v->size, "kiln_patch_value", NULL, &err) != 0) {
      if (!failures++) fprintf(stderr, "patch %d: %s\n", i, err.message);
    }
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  long calls = 0, bad = 0;
  for (int i = 0; i < READERS; i++) {
    pthread_join(threads[i], NULL);
    calls += stats[i].calls;
    bad += stats[i].bad;
    if (stats[i].bad) fprintf(stderr, "reader %d saw %lld\n", i, (long long)stats[i].last_bad);
  }
  CHECK(failures == 0);
  CHECK(bad == 0);
  CHECK(calls > PATCHES); /* the readers really ran during the swaps */
  CHECK(kiln_patch_count() == PATCHES + 1);
  /* The last patch applied was variant PATCHES % VARIANTS, returning that + 1. */
  kiln_val out;
  CHECK(kiln_call_var(rt, "user", "value", 0, NULL, &out, &err) == 0);
  CHECK(kiln_unbox_long(out) == PATCHES % VARIANTS + 1);
  printf("%ld calls during %d swaps\n", calls, PATCHES);
  for (int i = 0; i < VARIANTS; i++) kiln_tc_result_free(&variants[i]);
  return check_summary();
}
