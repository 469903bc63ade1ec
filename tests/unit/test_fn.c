/* kiln_call of every callable kind, apply, rest args, the API table's try_,
 * safepoint interrupts, and the stack-overflow guard. */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

typedef struct thunk {
  kiln_val (*fn)(struct thunk *t);
  kiln_val f;
  uint32_t argc;
  kiln_val argv[4];
} thunk;

static kiln_val run_thunk(void *p) { return ((thunk *)p)->fn(p); }

static kiln_val thrown(thunk *t) {
  kiln_val r, ex = KILN_NIL;
  if (kiln_pcall(run_thunk, t, &r, &ex)) return KILN_NIL;
  return ex;
}

static const char *ex_text(kiln_val ex) {
  if (ex == KILN_NIL) return "(nothing thrown)";
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "%s: %s", kiln_class_name(ex), kiln_ex_message(ex));
  return kiln_sb_cstr(&sb);
}

static kiln_val do_call(thunk *t) { return kiln_call(t->f, t->argc, t->argv); }

static const char *call_error(kiln_val f, uint32_t argc, const kiln_val *argv) {
  thunk t = {.fn = do_call, .f = f, .argc = argc};
  if (argc) memcpy(t.argv, argv, argc * sizeof *argv);
  return ex_text(thrown(&t));
}

static kiln_val sum_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  int64_t s = KILN_FIXNUM_VALUE(self->closed[0]);
  for (uint32_t i = 0; i < argc; i++) s += KILN_FIXNUM_VALUE(argv[i]);
  return KILN_FIXNUM(s);
}

static kiln_val rest_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return kiln_rest_args(argc, argv, 1);
}

static void test_callables(void) {
  kiln_fn *f = kiln_fn_new(sum_code, "test/sum", 1);
  f->closed[0] = KILN_FIXNUM(100);
  kiln_val args[3] = {KILN_FIXNUM(1), KILN_FIXNUM(2), KILN_FIXNUM(3)};
  CHECK(kiln_call((kiln_val)f, 3, args) == KILN_FIXNUM(106));
  CHECK(kiln_call0((kiln_val)f) == KILN_FIXNUM(100));
  CHECK(kiln_is_fn((kiln_val)f) && kiln_is_ifn((kiln_val)f));

  /* Vars call their value. */
  kiln_var *v = kiln_var_intern("test.fn", "sum");
  kiln_var_set_root(v, (kiln_val)f);
  CHECK(kiln_call1((kiln_val)v, KILN_FIXNUM(1)) == KILN_FIXNUM(101));

  /* Keywords and symbols look themselves up. */
  kiln_val ka = kiln_kw(NULL, "a");
  kiln_val m = kiln_map_from(2, (kiln_val[]){ka, KILN_FIXNUM(1)});
  CHECK(kiln_call1(ka, m) == KILN_FIXNUM(1));
  CHECK(kiln_call2(kiln_kw(NULL, "b"), m, KILN_FIXNUM(9)) == KILN_FIXNUM(9));
  CHECK(kiln_call1(ka, KILN_NIL) == KILN_NIL);
  CHECK_STR(call_error(ka, 0, NULL),
            "clojure.lang.ArityException: Wrong number of args (0) passed to: :a");
  kiln_val sa = kiln_sym(NULL, "s");
  kiln_val ms = kiln_map_from(2, (kiln_val[]){sa, KILN_FIXNUM(5)});
  CHECK(kiln_call1(sa, ms) == KILN_FIXNUM(5));

  /* Maps, sets, vectors. */
  CHECK(kiln_call1(m, ka) == KILN_FIXNUM(1));
  CHECK(kiln_call2(m, KILN_FIXNUM(0), KILN_TRUE) == KILN_TRUE);
  CHECK_STR(call_error(m, 3, args),
            "clojure.lang.ArityException: Wrong number of args (3) passed to: "
            "clojure.lang.PersistentArrayMap");
  kiln_val s = kiln_set_from(1, (kiln_val[]){KILN_FIXNUM(1)});
  CHECK(kiln_call1(s, KILN_FIXNUM(1)) == KILN_FIXNUM(1));
  CHECK(kiln_call1(s, KILN_FIXNUM(2)) == KILN_NIL);
  kiln_val vec = kiln_vec_from(3, args);
  CHECK(kiln_call1(vec, KILN_FIXNUM(2)) == KILN_FIXNUM(3));
  CHECK_STR(call_error(vec, 1, (kiln_val[]){KILN_FIXNUM(5)}),
            "java.lang.IndexOutOfBoundsException: ");
  CHECK_STR(call_error(vec, 1, (kiln_val[]){ka}),
            "java.lang.IllegalArgumentException: Key must be integer");

  /* Non-callables. */
  CHECK_STR(call_error(KILN_FIXNUM(5), 1, args),
            "java.lang.ClassCastException: class java.lang.Long cannot be cast to class "
            "clojure.lang.IFn");
  CHECK_STR(call_error(kiln_str_cstr("s"), 0, NULL),
            "java.lang.ClassCastException: class java.lang.String cannot be cast to class "
            "clojure.lang.IFn");
  CHECK(strncmp(call_error(KILN_NIL, 0, NULL), "java.lang.NullPointerException", 30) == 0);
  CHECK(!kiln_is_ifn(KILN_FIXNUM(1)) && kiln_is_ifn(ka) && kiln_is_ifn(vec));
}

/* (iterate inc n) as C: a lazy seq of n, n+1, ... */
static kiln_val naturals_code(kiln_fn *self, uint32_t argc, const kiln_val *argv);
static kiln_val naturals_from(int64_t n) {
  kiln_fn *f = kiln_fn_new(naturals_code, "test/naturals", 1);
  f->closed[0] = KILN_FIXNUM(n);
  return kiln_lazy_seq_new((kiln_val)f);
}
static kiln_val naturals_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  int64_t n = KILN_FIXNUM_VALUE(self->closed[0]);
  return kiln_cons(KILN_FIXNUM(n), naturals_from(n + 1));
}

static void test_apply_infinite(void) {
  kiln_fn *r = kiln_fn_new(rest_code, "test/rest", 0);
  r->h.flags |= KILN_FN_VARIADIC;
  kiln_val rest = kiln_apply((kiln_val)r, naturals_from(0));
  for (int64_t i = 1; i < 100; i++, rest = kiln_next(rest)) {
    if (kiln_first(rest) != KILN_FIXNUM(i)) {
      CHECK(kiln_first(rest) == KILN_FIXNUM(i));
      break;
    }
  }
  CHECK(kiln_first(rest) == KILN_FIXNUM(100));
  /* Short argument lists go through unchanged; the hand-over is consumed. */
  kiln_val items[3] = {KILN_FIXNUM(7), KILN_FIXNUM(8), KILN_FIXNUM(9)};
  kiln_val shortr = kiln_apply((kiln_val)r, kiln_vec_from(3, items));
  CHECK(kiln_count_int(shortr) == 2 && kiln_first(shortr) == KILN_FIXNUM(8));
  CHECK(kiln_thread_current()->spread_argv == NULL);
}

static void test_apply_and_rest(void) {
  kiln_fn *f = kiln_fn_new(sum_code, "test/sum", 1);
  f->closed[0] = KILN_FIXNUM(0);
  kiln_val items[40];
  for (int i = 0; i < 40; i++) items[i] = KILN_FIXNUM(i);
  CHECK(kiln_apply((kiln_val)f, kiln_vec_from(40, items)) == KILN_FIXNUM(780));
  CHECK(kiln_apply((kiln_val)f, KILN_NIL) == KILN_FIXNUM(0));
  kiln_val apply = kiln_var_get(kiln_var_find("clojure.core", "apply"));
  kiln_val args[3] = {(kiln_val)f, KILN_FIXNUM(1000), kiln_list_from(3, items + 1)};
  CHECK(kiln_call(apply, 3, args) == KILN_FIXNUM(1006));

  kiln_fn *r = kiln_fn_new(rest_code, "test/rest", 0);
  CHECK(kiln_call1((kiln_val)r, KILN_FIXNUM(1)) == KILN_NIL);
  kiln_val rest = kiln_call((kiln_val)r, 3, items);
  CHECK(kiln_count_int(rest) == 2 && kiln_first(rest) == KILN_FIXNUM(1));
}

/* ---- try_ through the API table ---- */

typedef struct try_ctx {
  int body, handler, fin;
  bool throw_in_body, rethrow;
  kiln_var *dyn;
} try_ctx;

static kiln_val try_body(void *p) {
  try_ctx *c = p;
  c->body++;
  kiln_val two = KILN_FIXNUM(2);
  kiln_var_push_bindings_n(1, &c->dyn, &two);
  if (c->throw_in_body) kiln_throwf(KILN_EX_ARITHMETIC, "Divide by zero");
  kiln_var_pop_bindings();
  return KILN_FIXNUM(1);
}

static kiln_val try_handler(void *p, kiln_val ex) {
  try_ctx *c = p;
  c->handler++;
  const kiln_api *api = kiln_rt_api();
  if (c->rethrow || !api->exception_is(ex, kiln_sym(NULL, "ArithmeticException")))
    api->throw_(ex);
  return KILN_FIXNUM(99);
}

static void try_fin(void *p) {
  try_ctx *c = p;
  c->fin++;
}

static kiln_val try_via_api(void *p) {
  return kiln_rt_api()->try_(try_body, try_handler, try_fin, p);
}

static void test_api_try(void) {
  const kiln_api *api = kiln_rt_api();
  CHECK(api->abi_version == KILN_ABI_VERSION && api->size == sizeof(kiln_api));
  kiln_var *dyn = kiln_var_intern("test.fn", "*dyn*");
  kiln_var_def(dyn, KILN_FIXNUM(0), true,
               kiln_assoc(kiln_empty_map, kiln_kw(NULL, "dynamic"), KILN_TRUE));

  try_ctx c = {.dyn = dyn};
  CHECK(api->try_(try_body, try_handler, try_fin, &c) == KILN_FIXNUM(1));
  CHECK(c.body == 1 && c.handler == 0 && c.fin == 1);

  try_ctx d = {.dyn = dyn, .throw_in_body = true};
  CHECK(api->try_(try_body, try_handler, try_fin, &d) == KILN_FIXNUM(99));
  CHECK(d.body == 1 && d.handler == 1 && d.fin == 1);
  CHECK(kiln_var_get(dyn) == KILN_FIXNUM(0)); /* the binding was unwound */

  try_ctx e = {.dyn = dyn, .throw_in_body = true, .rethrow = true};
  kiln_val r, ex = KILN_NIL;
  CHECK(!kiln_pcall(try_via_api, &e, &r, &ex));
  CHECK_STR(ex_text(ex), "java.lang.ArithmeticException: Divide by zero");
  CHECK(e.handler == 1 && e.fin == 1);

  CHECK(api->exception_is(kiln_ex_info(kiln_str_cstr("x"), KILN_NIL, KILN_NIL),
                          kiln_sym(NULL, "clojure.lang.ExceptionInfo")));
  CHECK(api->exception_is(kiln_ex_info(kiln_str_cstr("x"), KILN_NIL, KILN_NIL),
                          kiln_kw(NULL, "default")));
  CHECK(!api->exception_is(kiln_ex_new(KILN_EX_STACK, KILN_NIL, KILN_NIL, KILN_NIL),
                           kiln_sym(NULL, "Exception")));
}

static kiln_val try_nohandler(void *p) {
  return kiln_rt_api()->try_(try_body, NULL, try_fin, p);
}

static void test_api_try_no_handler(void) {
  kiln_var *dyn = kiln_var_intern("test.fn", "*dyn*");
  try_ctx g = {.dyn = dyn, .throw_in_body = true};
  kiln_val r, ex = KILN_NIL;
  CHECK(!kiln_pcall(try_nohandler, &g, &r, &ex));
  CHECK(g.fin == 1 && g.handler == 0);
  CHECK_STR(ex_text(ex), "java.lang.ArithmeticException: Divide by zero");
}

static kiln_val safepoint_body(void *p) {
  kiln_thread_current()->interrupt = 1;
  kiln_rt_api()->safepoint();
  return KILN_NIL;
}

static void test_safepoint(void) {
  kiln_val r, ex = KILN_NIL;
  CHECK(!kiln_pcall(safepoint_body, NULL, &r, &ex));
  CHECK(kiln_ex_is(ex, "java.lang.InterruptedException"));
  CHECK(kiln_thread_current()->interrupt == 0);
}

/* ---- the stack overflow guard ---- */

static kiln_val recurse_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  kiln_val pad[8] = {argv[0]};
  kiln_val r = kiln_call1((kiln_val)self, kiln_long(kiln_long_value(pad[0]) + 1));
  return r == KILN_NIL ? pad[0] : r; /* not a tail call */
}

static kiln_val overflow_body(void *p) {
  return kiln_call1((kiln_val)p, KILN_FIXNUM(0));
}

static void *overflow_thread(void *p) {
  kiln_val r, ex = KILN_NIL;
  bool ok = kiln_pcall(overflow_body, p, &r, &ex);
  return (void *)(uintptr_t)(!ok && kiln_ex_is(ex, KILN_EX_STACK));
}

static void test_stack_overflow(void) {
  kiln_fn *f = kiln_fn_new(recurse_code, "test/recurse", 0);
  for (int i = 0; i < 2; i++) {
    kiln_val r, ex = KILN_NIL;
    CHECK(!kiln_pcall(overflow_body, f, &r, &ex));
    CHECK(kiln_ex_is(ex, KILN_EX_STACK));
    CHECK(kiln_ex_is(ex, "Throwable") && !kiln_ex_is(ex, "Exception"));
  }
  /* A thread with a small stack is guarded too. */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1024 * 1024);
  pthread_t th;
  void *res = NULL;
  CHECK(pthread_create(&th, &attr, overflow_thread, f) == 0);
  pthread_join(th, &res);
  CHECK(res == (void *)1);
  pthread_attr_destroy(&attr);
}

#ifdef KILN_TEST_DEEP_SO
#include <dlfcn.h>

/* Overflow inside "compiled" code (a separate shared object that recurses
 * without checks): the stack guard's signal handler throws. */
static void test_stack_guard(void) {
  void *h = dlopen(KILN_TEST_DEEP_SO, RTLD_NOW | RTLD_LOCAL);
  CHECK(h != NULL);
  if (!h) return;
  kiln_fn_code code = (kiln_fn_code)dlsym(h, "kiln_test_deep");
  CHECK(code != NULL);
  kiln_fn *f = kiln_fn_new(code, "test/deep", 0);
  for (int i = 0; i < 2; i++) {
    kiln_val r, ex = KILN_NIL;
    CHECK(!kiln_pcall(overflow_body, f, &r, &ex));
    CHECK(kiln_ex_is(ex, KILN_EX_STACK));
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1024 * 1024);
  pthread_t th;
  void *res = NULL;
  CHECK(pthread_create(&th, &attr, overflow_thread, f) == 0);
  pthread_join(th, &res);
  CHECK(res == (void *)1);
  pthread_attr_destroy(&attr);
}
#else
static void test_stack_guard(void) {}
#endif

int main(void) {
  kiln_rt_init();
  test_callables();
  test_apply_and_rest();
  test_apply_infinite();
  test_api_try();
  test_api_try_no_handler();
  test_safepoint();
  test_stack_overflow();
  test_stack_guard();
  return check_summary();
}
