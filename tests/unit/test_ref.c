/* Atoms (including two threads hammering swap!), validators, watches,
 * volatiles and delays. */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

static kiln_val core(const char *name) {
  kiln_var *v = kiln_var_find("clojure.core", name);
  if (!v) fprintf(stderr, "missing clojure.core/%s\n", name);
  return v ? kiln_var_get(v) : KILN_NIL;
}

static const char *ex_text(kiln_val ex) {
  if (ex == KILN_NIL) return "(nothing thrown)";
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "%s: %s", kiln_class_name(ex), kiln_ex_message(ex));
  return kiln_sb_cstr(&sb);
}

typedef struct call_ctx {
  kiln_val f;
  uint32_t argc;
  kiln_val argv[4];
} call_ctx;

static kiln_val call_body(void *p) {
  call_ctx *c = p;
  return kiln_call(c->f, c->argc, c->argv);
}

static kiln_val call_thrown(kiln_val f, uint32_t argc, const kiln_val *argv) {
  call_ctx c = {.f = f, .argc = argc};
  memcpy(c.argv, argv, argc * sizeof *argv);
  kiln_val r, ex = KILN_NIL;
  if (kiln_pcall(call_body, &c, &r, &ex)) return KILN_NIL;
  return ex;
}

static kiln_val inc_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return KILN_FIXNUM(KILN_FIXNUM_VALUE(argv[0]) + 1);
}

static kiln_val add_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  int64_t s = 0;
  for (uint32_t i = 0; i < argc; i++) s += KILN_FIXNUM_VALUE(argv[i]);
  return KILN_FIXNUM(s);
}

static kiln_val pos_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return KILN_BOOL(KILN_IS_FIXNUM(argv[0]) && KILN_FIXNUM_VALUE(argv[0]) > 0);
}

static int watch_calls;
static kiln_val watch_old, watch_new;
static kiln_val watch_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  watch_calls++;
  watch_old = argv[2];
  watch_new = argv[3];
  return KILN_NIL;
}

#define HAMMER 200000

static void *hammer(void *p) {
  kiln_thread_current(); /* registers the thread with the GC before it allocates */
  kiln_val atom = (kiln_val)p;
  kiln_val inc = (kiln_val)kiln_fn_new(inc_code, "test/inc", 0);
  for (int i = 0; i < HAMMER; i++) kiln_atom_swap(atom, inc, 0, NULL);
  kiln_thread_release();
  return NULL;
}

static void test_atoms(void) {
  kiln_val inc = (kiln_val)kiln_fn_new(inc_code, "test/inc", 0);
  kiln_val add = (kiln_val)kiln_fn_new(add_code, "test/add", 0);
  kiln_val a = kiln_call1(core("atom"), KILN_FIXNUM(0));
  CHECK(KILN_HAS_TYPE(a, KILN_T_ATOM));
  CHECK(kiln_call2(core("swap!"), a, inc) == KILN_FIXNUM(1));
  kiln_val args[4] = {a, add, KILN_FIXNUM(10), KILN_FIXNUM(100)};
  CHECK(kiln_call(core("swap!"), 4, args) == KILN_FIXNUM(111));
  kiln_val sv = kiln_call2(core("swap-vals!"), a, inc);
  CHECK(kiln_nth(sv, 0, KILN_NIL, false) == KILN_FIXNUM(111));
  CHECK(kiln_nth(sv, 1, KILN_NIL, false) == KILN_FIXNUM(112));
  CHECK(kiln_call2(core("reset!"), a, KILN_FIXNUM(5)) == KILN_FIXNUM(5));
  kiln_val rv = kiln_call2(core("reset-vals!"), a, KILN_FIXNUM(6));
  CHECK(kiln_nth(rv, 0, KILN_NIL, false) == KILN_FIXNUM(5));
  CHECK(kiln_call3(core("compare-and-set!"), a, KILN_FIXNUM(6), KILN_FIXNUM(7)) == KILN_TRUE);
  CHECK(kiln_call3(core("compare-and-set!"), a, KILN_FIXNUM(6), KILN_FIXNUM(8)) == KILN_FALSE);
  CHECK(kiln_call1(core("deref"), a) == KILN_FIXNUM(7));

  /* Watches see old and new values. */
  kiln_val w = (kiln_val)kiln_fn_new(watch_code, "test/watch", 0);
  kiln_val k = kiln_kw(NULL, "k");
  CHECK(kiln_call3(core("add-watch"), a, k, w) == a);
  kiln_call2(core("swap!"), a, inc);
  CHECK(watch_calls == 1 && watch_old == KILN_FIXNUM(7) && watch_new == KILN_FIXNUM(8));
  kiln_call2(core("remove-watch"), a, k);
  kiln_call2(core("swap!"), a, inc);
  CHECK(watch_calls == 1);

  /* Validators. */
  kiln_val pos = (kiln_val)kiln_fn_new(pos_code, "test/pos?", 0);
  kiln_val b = kiln_call3(core("atom"), KILN_FIXNUM(1), kiln_kw(NULL, "validator"), pos);
  CHECK(kiln_call1(core("get-validator"), b) == pos);
  CHECK_STR(ex_text(call_thrown(core("reset!"), 2, (kiln_val[]){b, KILN_FIXNUM(-1)})),
            "java.lang.IllegalStateException: Invalid reference state");
  CHECK(kiln_deref_value(b) == KILN_FIXNUM(1));
  CHECK_STR(ex_text(call_thrown(core("set-validator!"), 2,
                                (kiln_val[]){kiln_atom_new(KILN_FIXNUM(0)), pos})),
            "java.lang.IllegalStateException: Invalid reference state");

  /* Two threads hammering swap! lose no update. */
  kiln_val h = kiln_atom_new(KILN_FIXNUM(0));
  pthread_t t1, t2;
  pthread_create(&t1, NULL, hammer, (void *)h);
  pthread_create(&t2, NULL, hammer, (void *)h);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  CHECK(kiln_deref_value(h) == KILN_FIXNUM(2 * HAMMER));
}

static void test_volatiles(void) {
  kiln_val inc = (kiln_val)kiln_fn_new(inc_code, "test/inc", 0);
  kiln_val v = kiln_call1(core("volatile!"), KILN_FIXNUM(1));
  CHECK(kiln_call1(core("volatile?"), v) == KILN_TRUE);
  CHECK(kiln_call2(core("vswap!"), v, inc) == KILN_FIXNUM(2));
  CHECK(kiln_call2(core("vreset!"), v, KILN_FIXNUM(9)) == KILN_FIXNUM(9));
  CHECK(kiln_call1(core("deref"), v) == KILN_FIXNUM(9));
  CHECK(kiln_call1(core("volatile?"), KILN_FIXNUM(1)) == KILN_FALSE);
}

static int delay_runs;
static kiln_val delay_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  __atomic_fetch_add(&delay_runs, 1, __ATOMIC_SEQ_CST);
  for (volatile int i = 0; i < 1000000; i++) {
  }
  return KILN_FIXNUM(42);
}

static int failing_runs;
static kiln_val failing_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  failing_runs++;
  kiln_throwf("java.lang.Exception", "d");
}

static void *force_delay(void *p) {
  kiln_thread_current();
  return (void *)kiln_delay_force((kiln_val)p);
}

static void test_delays(void) {
  kiln_val d = kiln_call1(core("delay*"), (kiln_val)kiln_fn_new(delay_code, "test/d", 0));
  CHECK(kiln_call1(core("delay?"), d) == KILN_TRUE);
  CHECK(kiln_call1(core("realized?"), d) == KILN_FALSE);
  pthread_t t1, t2;
  pthread_create(&t1, NULL, force_delay, (void *)d);
  pthread_create(&t2, NULL, force_delay, (void *)d);
  void *r1, *r2;
  pthread_join(t1, &r1);
  pthread_join(t2, &r2);
  CHECK((kiln_val)r1 == KILN_FIXNUM(42) && (kiln_val)r2 == KILN_FIXNUM(42));
  CHECK(delay_runs == 1);
  CHECK(kiln_call1(core("realized?"), d) == KILN_TRUE);
  CHECK(kiln_call1(core("force"), d) == KILN_FIXNUM(42));
  CHECK(kiln_call1(core("deref"), d) == KILN_FIXNUM(42));
  CHECK(delay_runs == 1);
  CHECK(kiln_call1(core("force"), KILN_FIXNUM(3)) == KILN_FIXNUM(3));

  /* An exception is cached: the same one every time, the fn ran once. */
  kiln_val bad = kiln_delay_new((kiln_val)kiln_fn_new(failing_code, "test/bad", 0));
  kiln_val e1 = call_thrown(core("deref"), 1, &bad);
  kiln_val e2 = call_thrown(core("deref"), 1, &bad);
  CHECK_STR(ex_text(e1), "java.lang.Exception: d");
  CHECK(e1 == e2 && failing_runs == 1);
  CHECK(kiln_call1(core("realized?"), bad) == KILN_TRUE);

  /* deref of non-references. */
  CHECK(strstr(ex_text(call_thrown(core("deref"), 1, (kiln_val[]){KILN_FIXNUM(5)})),
               "java.lang.ClassCastException: class java.lang.Long cannot be cast") != NULL);
}

static void test_ex_natives(void) {
  kiln_val data = kiln_map_from(2, (kiln_val[]){kiln_kw(NULL, "a"), KILN_FIXNUM(1)});
  kiln_val e = kiln_call2(core("ex-info"), kiln_str_cstr("boom"), data);
  CHECK(kiln_ex_is(e, "clojure.lang.ExceptionInfo"));
  CHECK(kiln_call1(core("ex-data"), e) == data);
  CHECK(kiln_equiv(kiln_call1(core("ex-message"), e), kiln_str_cstr("boom")));
  CHECK(kiln_call1(core("ex-cause"), e) == KILN_NIL);
  kiln_val e2 = kiln_call3(core("ex-info"), kiln_str_cstr("outer"), data, e);
  CHECK(kiln_call1(core("ex-cause"), e2) == e);
  CHECK_STR(ex_text(call_thrown(core("ex-info"), 2, (kiln_val[]){kiln_str_cstr("a"), KILN_NIL})),
            "java.lang.IllegalArgumentException: Additional data must be non-nil.");
  CHECK(kiln_call1(core("ex-data"), KILN_FIXNUM(1)) == KILN_NIL);
  CHECK(kiln_call1(core("ex-message"), KILN_FIXNUM(1)) == KILN_NIL);
  kiln_val root = kiln_ex_new("java.lang.Exception", kiln_str_cstr("c"), KILN_NIL, KILN_NIL);
  kiln_val outer = kiln_call3(core("ex-info"), kiln_str_cstr("a"), data, root);
  CHECK_STR(kiln_pr_str(kiln_call1(core("Throwable->map"), outer)),
            "{:via [{:type clojure.lang.ExceptionInfo, :message \"a\", :data {:a 1}} {:type "
            "java.lang.Exception, :message \"c\"}], :trace [], :cause \"c\"}");
}

int main(void) {
  kiln_rt_init();
  test_atoms();
  test_volatiles();
  test_delays();
  test_ex_natives();
  return check_summary();
}
