/*
 * The patch loader and registry: loading hand-written patches into this
 * process, the registry and rollback, the executor, nested loads, natives
 * called from patches, and bad input (truncated bytes, not a library, a
 * patch for another architecture, a wrong ABI version, a patch whose run
 * throws, a wrong entry name): each a clear error, nothing registered, every
 * previous definition intact.
 */
#include <pthread.h>

#include "check.h"
#include "kiln/kiln.h"
#include "patch/patch.h"
#include "runtime/rt.h"
#include "../patch/fixture.h"

static kiln_runtime *rt;

/* (user/NAME arg) as a C integer; -999 when the call fails. */
static int64_t call1(const char *name, int64_t arg) {
  kiln_val a = kiln_box_long(arg), out;
  kiln_error err;
  if (kiln_call_var(rt, "user", name, 1, &a, &out, &err) != 0) {
    fprintf(stderr, "  (user/%s %lld): %s\n", name, (long long)arg, err.message);
    return -999;
  }
  return kiln_unbox_long(out);
}

static int64_t call0(const char *name) {
  kiln_val out;
  kiln_error err;
  if (kiln_call_var(rt, "user", name, 0, NULL, &out, &err) != 0) return -999;
  return kiln_unbox_long(out);
}

static bool var_bound(const char *ns, const char *name) {
  kiln_var *v = kiln_find_var(rt, ns, name);
  return v && (__atomic_load_n(&v->h.flags, __ATOMIC_ACQUIRE) & KILN_VAR_BOUND);
}

static kiln_tc_result add1;

static void test_load_and_registry(void) {
  add1 = fixture_build("add1", "host", NULL);
  kiln_val result = KILN_NIL;
  kiln_error err;
  /* No entry name: the loader finds the one kiln_patch_* symbol. */
  int rc = kiln_patch_load_bytes(rt, add1.bytes, add1.size, NULL, &result, &err);
  if (rc) fprintf(stderr, "%s\n", err.message);
  CHECK(rc == 0);
  CHECK(kiln_unbox_long(result) == 42);
  CHECK(call1("add1", 41) == 42);
  CHECK(kiln_unbox_long(kiln_deref(kiln_find_var(rt, "user", "answer"))) == 42);
  CHECK(kiln_patch_count() == 1);
  const kiln_patch_record *r = kiln_patch_at(0);
  CHECK(r && r->id == 1);
  CHECK_STR(r->symbol, "kiln_patch_add1");
  CHECK_STR(r->ns, "user");
  CHECK_STR(r->file, "tests/patch/fixtures/add1.c");
  CHECK(r->nchanges == 2 && r->size == add1.size && strlen(r->hash) == 64);
  CHECK(!r->rolled_back && r->t.ms[KILN_PHASE_load] > 0);

  /* The same bytes again, with the name given: a second file, a second record. */
  const kiln_patch_record *rec = NULL;
  CHECK(kiln_patch_load(add1.bytes, add1.size, "kiln_patch_add1", &result, &rec, &err) == 0);
  CHECK(rec && rec->id == 2 && strcmp(rec->hash, r->hash) == 0);
  CHECK(kiln_patch_count() == 2);

  kiln_val list = kiln_patch_list();
  CHECK(kiln_count_int(list) == 2);
  CHECK_STR(kiln_pr_str(kiln_get(kiln_nth(list, 0, KILN_NIL, false), kiln_kw(NULL, "vars"),
                                 KILN_NIL)),
            "[user/add1 user/answer]");
}

/* Expects loading [bytes] to fail with a message containing [want] (and
 * [want2] when given), leaving the registry and user/add1 as they were. */
static void expect_refused(const uint8_t *bytes, size_t n, const char *symbol, const char *want,
                           const char *want2) {
  size_t before = kiln_patch_count();
  kiln_patch_stats s0, s1;
  kiln_patch_get_stats(&s0);
  kiln_error err;
  kiln_val result = KILN_NIL;
  int rc = kiln_patch_load_bytes(rt, bytes, n, symbol, &result, &err);
  CHECK(rc == -1);
  if (rc == -1 && (!strstr(err.message, want) || (want2 && !strstr(err.message, want2))))
    fprintf(stderr, "  message: %s\n  want: %s %s\n", err.message, want, want2 ? want2 : "");
  CHECK(strstr(err.message, want) != NULL);
  if (want2) CHECK(strstr(err.message, want2) != NULL);
  CHECK(kiln_patch_count() == before);
  kiln_patch_get_stats(&s1);
  CHECK(s1.failed == s0.failed + 1 && s1.applied == s0.applied);
  CHECK(call1("add1", 1) == 2);
}

static void test_bad_input(void) {
  expect_refused(add1.bytes, add1.size / 2, NULL, "truncated", NULL);
  expect_refused(add1.bytes, add1.size - 1, NULL, "truncated", NULL);
  expect_refused(add1.bytes, 10, NULL, "too short", NULL);
  uint8_t junk[200];
  memset(junk, 'x', sizeof junk);
  expect_refused(junk, sizeof junk, NULL, "not a shared library", NULL);
  expect_refused(add1.bytes, add1.size, "kiln_patch_nope", "no entry point kiln_patch_nope", NULL);
  expect_refused(add1.bytes, add1.size, "printf", "not a patch entry point name", NULL);

  /* A patch for the other Linux architecture, and one for an iPhone. */
  bool x86 = strcmp(kiln_tc_target_host()->arch, "x86_64") == 0;
  kiln_tc_result other = fixture_build("add1", x86 ? "linux-aarch64" : "linux-x86_64", NULL);
  expect_refused(other.bytes, other.size, NULL, x86 ? "ELF arm64" : "ELF x86_64",
                 x86 ? "this process loads ELF x86_64" : "this process loads ELF arm64");
  kiln_tc_result_free(&other);
  other = fixture_build("add1", "ios-device", NULL);
  expect_refused(other.bytes, other.size, NULL, "Mach-O arm64", "this process loads");
  kiln_tc_result_free(&other);

  kiln_tc_result bad = fixture_build("badabi", "host", NULL);
  expect_refused(bad.bytes, bad.size, NULL, "built for ABI 100 layout 0x", "this runtime is ABI 2");
  kiln_tc_result_free(&bad);
}

static void test_throwing_patch(void) {
  kiln_tc_result t = fixture_build("throws", "host", NULL);
  CHECK(!var_bound("user", "fresh"));
  kiln_var *add1_var = kiln_find_var(rt, "user", "add1");
  kiln_val root = KILN_VAR_ROOT(add1_var), meta = add1_var->meta;
  uint32_t flags = add1_var->h.flags;
  expect_refused(t.bytes, t.size, NULL, "threw java.lang.ClassCastException", "2 vars it changed were restored");
  kiln_error err;
  CHECK(kiln_patch_load_bytes(rt, t.bytes, t.size, NULL, NULL, &err) == -1);
  CHECK(err.exception != KILN_NIL);
  /* Exactly as before: root, metadata, flags; the new var unbound again. */
  CHECK(KILN_VAR_ROOT(add1_var) == root && add1_var->meta == meta && add1_var->h.flags == flags);
  CHECK(!var_bound("user", "fresh"));
  kiln_tc_result_free(&t);
}

static void test_rollback(void) {
  kiln_tc_result one = fixture_build("value", "host", "-DVALUE=1");
  kiln_tc_result two = fixture_build("value", "host", "-DVALUE=2");
  kiln_error err;
  size_t base = kiln_patch_count();
  CHECK(!var_bound("user", "value"));
  CHECK(kiln_patch_load_bytes(rt, one.bytes, one.size, "kiln_patch_value", NULL, &err) == 0);
  CHECK(kiln_patch_load_bytes(rt, two.bytes, two.size, "kiln_patch_value", NULL, &err) == 0);
  CHECK(call0("value") == 2);
  CHECK(kiln_patch_rollback(rt, &err) == 0);
  CHECK(call0("value") == 1);
  CHECK(kiln_unbox_long(kiln_deref(kiln_find_var(rt, "user", "value-n"))) == 1);
  const kiln_patch_record *undone = NULL;
  CHECK(kiln_patch_rollback_last(&undone, &err) == 0);
  CHECK(undone && undone->id == base + 1 && undone->rolled_back);
  CHECK(!var_bound("user", "value"));
  CHECK(kiln_patch_count() == base + 2); /* undone patches stay listed */
  kiln_patch_stats s;
  kiln_patch_get_stats(&s);
  CHECK(s.rolled_back == 2 && s.applied == base + 2);
  /* Rolling back further undoes add1's second application, then its first. */
  CHECK(kiln_patch_rollback(rt, &err) == 0);
  CHECK(call1("add1", 1) == 2);
  CHECK(kiln_patch_rollback(rt, &err) == 0);
  CHECK(!var_bound("user", "add1"));
  CHECK(kiln_patch_rollback(rt, &err) == -1);
  CHECK(strstr(err.message, "no applied patch") != NULL);
  CHECK(kiln_patch_load_bytes(rt, add1.bytes, add1.size, NULL, NULL, &err) == 0);
  kiln_tc_result_free(&one);
  kiln_tc_result_free(&two);
}

/* An executor that applies on a thread of its own and waits, as an iOS app
 * applies on the main queue. */
static int executor_calls;
static pthread_t executor_thread;
typedef struct { void (*work)(void *); void *ctx; } exec_job;
static void *executor_main(void *p) {
  exec_job *j = p;
  kiln_thread_attach();
  j->work(j->ctx);
  kiln_thread_detach();
  return NULL;
}
static void test_executor_fn(void (*work)(void *), void *ctx, void *executor_ctx) {
  CHECK(executor_ctx == &executor_calls);
  executor_calls++;
  exec_job j = {work, ctx};
  pthread_create(&executor_thread, NULL, executor_main, &j);
  pthread_join(executor_thread, NULL);
}

static kiln_val triple(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  KILN_UNUSED(self);
  if (argc != 1) return KILN_NIL;
  return kiln_box_long(3 * kiln_unbox_long(argv[0]));
}

static void test_executor_and_native(void) {
  kiln_error err;
  CHECK(kiln_def_native(rt, "host", "triple", triple, "([x])", "Triples x.") == 0);
  kiln_tc_result nat = fixture_build("native", "host", NULL);
  kiln_set_executor(rt, test_executor_fn, &executor_calls);
  kiln_val result = KILN_NIL;
  int rc = kiln_patch_load_bytes(rt, nat.bytes, nat.size, NULL, &result, &err);
  if (rc) fprintf(stderr, "%s\n", err.message);
  CHECK(rc == 0);
  kiln_set_executor(rt, NULL, NULL);
  CHECK(executor_calls == 1);
  CHECK(kiln_unbox_long(result) == 21);
  CHECK(call1("six-times", 5) == 30);
  kiln_tc_result_free(&nat);
}

static kiln_tc_result inner;
static kiln_val load_inner(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  KILN_UNUSED(self), KILN_UNUSED(argc), KILN_UNUSED(argv);
  kiln_val result = KILN_NIL;
  kiln_error err;
  if (kiln_patch_load(inner.bytes, inner.size, NULL, &result, NULL, &err) != 0)
    kiln_throwf(KILN_EX_RUNTIME, "inner: %s", err.message);
  return result;
}

static void test_nested_load(void) {
  kiln_error err;
  CHECK(kiln_def_native(rt, "host", "load-inner", load_inner, "([])", NULL) == 0);
  inner = fixture_build("value", "host", "-DVALUE=5");
  kiln_tc_result outer = fixture_build("nested", "host", NULL);
  size_t base = kiln_patch_count();
  kiln_val result = KILN_NIL;
  int rc = kiln_patch_load_bytes(rt, outer.bytes, outer.size, NULL, &result, &err);
  if (rc) fprintf(stderr, "%s\n", err.message);
  CHECK(rc == 0 && kiln_unbox_long(result) == 5);
  CHECK(kiln_patch_count() == base + 2);
  /* The inner patch finished first; each journals only its own vars. */
  const kiln_patch_record *in = kiln_patch_at(base), *out = kiln_patch_at(base + 1);
  CHECK(in && strcmp(in->symbol, "kiln_patch_value") == 0 && in->nchanges == 2);
  CHECK(out && strcmp(out->symbol, "kiln_patch_nested") == 0 && out->nchanges == 1);
  CHECK(call0("value") == 5);
  kiln_tc_result_free(&outer);
  kiln_tc_result_free(&inner);
}

int main(void) {
  fixture_cache_dir();
  rt = kiln_runtime_new();
  test_load_and_registry();
  test_bad_input();
  test_throwing_patch();
  test_rollback();
  test_executor_and_native();
  test_nested_load();
  kiln_tc_result_free(&add1);
  return check_summary();
}
