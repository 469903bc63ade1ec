/*
 * test_seq.c — lists, cons, lazy seqs, seq objects over vectors, strings
 * and maps, ranges, and the generic operations (count, nth, get, conj,
 * reduce with reduced, into, empty, meta), with the JVM's results and errors.
 */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

#define N(i) KILN_FIXNUM(i)

static kiln_val core(const char *name) { return kiln_var_get(kiln_var_intern("clojure.core", name)); }
static kiln_val call(const char *name, uint32_t argc, const kiln_val *argv) {
  return kiln_call(core(name), argc, argv);
}
static const char *pr(kiln_val x) { return kiln_pr_str(x); }

static int thunk_calls;
KILN_NATIVE(thunk) {
  thunk_calls++;
  return kiln_list_from(2, (kiln_val[]){N(1), N(2)});
}
KILN_NATIVE(bad_thunk) {
  thunk_calls++;
  if (thunk_calls == 1) kiln_throwf(KILN_EX_RUNTIME, "boom");
  return kiln_vec_from(1, (kiln_val[]){N(9)});
}
KILN_NATIVE(nested_thunk) {
  return kiln_lazy_seq_new((kiln_val)kiln_fn_new(thunk, "thunk", 0));
}
KILN_NATIVE(stop_at_3) {
  kiln_val acc = kiln_num_add(argv[0], argv[1]);
  return kiln_equiv(argv[1], N(3)) ? kiln_reduced(acc) : acc;
}

static kiln_val first_of(void *ctx) { return kiln_first((kiln_val)ctx); }
static kiln_val count_of(void *ctx) { return kiln_count((kiln_val)ctx); }
static kiln_val nth_of(void *ctx) { return kiln_nth((kiln_val)ctx, 3, KILN_NIL, false); }

static const char *error_of(kiln_val (*body)(void *), kiln_val x) {
  kiln_val r, ex;
  if (kiln_pcall(body, (void *)x, &r, &ex)) return "(no error)";
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "%s: %s", kiln_class_name(ex), kiln_ex_message(ex));
  return kiln_sb_cstr(&sb);
}

static void test_lists(void) {
  kiln_val l = kiln_list_from(3, (kiln_val[]){N(1), N(2), N(3)});
  CHECK_STR(pr(l), "(1 2 3)");
  CHECK(kiln_count_int(l) == 3);
  CHECK_STR(kiln_class_name(kiln_cons(N(0), KILN_NIL)), "clojure.lang.PersistentList");
  CHECK_STR(kiln_class_name(kiln_cons(N(0), l)), "clojure.lang.Cons");
  CHECK_STR(pr(kiln_conj(l, N(0))), "(0 1 2 3)");
  CHECK_STR(pr(kiln_rest(kiln_list_from(1, (kiln_val[]){N(1)}))), "()");
  CHECK(kiln_next(kiln_list_from(1, (kiln_val[]){N(1)})) == KILN_NIL);
  CHECK_STR(pr(kiln_pop(l)), "(2 3)");
  CHECK(kiln_peek(l) == N(1));
  CHECK_STR(pr(call("list*", 3, (kiln_val[]){N(1), N(2), kiln_vec_from(2, (kiln_val[]){N(3), N(4)})})), "(1 2 3 4)");
  CHECK_STR(pr(kiln_into(l, kiln_vec_from(2, (kiln_val[]){N(7), N(8)}))), "(8 7 1 2 3)");
  CHECK_STR(pr(kiln_conj(KILN_NIL, N(1))), "(1)");
  CHECK(kiln_equiv(l, kiln_vec_from(3, (kiln_val[]){N(1), N(2), N(3)})));
  CHECK(kiln_hash(l) == kiln_hash(kiln_vec_from(3, (kiln_val[]){N(1), N(2), N(3)})));
  CHECK(kiln_equiv(kiln_empty_list, kiln_empty_vector));
  kiln_val m = kiln_map_from(2, (kiln_val[]){kiln_kw(NULL, "a"), N(1)});
  kiln_val lm = kiln_with_meta(l, m);
  CHECK(kiln_meta(lm) == m);
  CHECK(kiln_meta(kiln_empty(lm)) == m);
  CHECK(kiln_equiv(lm, l));
}

static void test_lazy(void) {
  thunk_calls = 0;
  kiln_val ls = kiln_lazy_seq_new((kiln_val)kiln_fn_new(thunk, "thunk", 0));
  CHECK(!kiln_lazy_seq_realized(ls));
  CHECK(kiln_first(ls) == N(1));
  CHECK(kiln_first(ls) == N(1));
  CHECK_STR(pr(ls), "(1 2)");
  CHECK(thunk_calls == 1);
  CHECK(kiln_lazy_seq_realized(ls));
  thunk_calls = 0;
  kiln_val bad = kiln_lazy_seq_new((kiln_val)kiln_fn_new(bad_thunk, "bad", 0));
  CHECK_STR(error_of(first_of, bad), "java.lang.RuntimeException: boom");
  CHECK(!kiln_lazy_seq_realized(bad));
  CHECK(kiln_first(bad) == N(9));
  CHECK(thunk_calls == 2);
  kiln_val nested = kiln_lazy_seq_new((kiln_val)kiln_fn_new(nested_thunk, "nested", 0));
  CHECK_STR(pr(kiln_seq(nested)), "(1 2)");
  CHECK(kiln_count_int(nested) == 2);
  CHECK(kiln_is_seq(nested) && !kiln_is_counted(nested));
}

static void test_strings(void) {
  kiln_val s = kiln_str_cstr("a\xF0\x9F\x98\x80" "b");
  CHECK(kiln_count_int(s) == 4);
  kiln_val q = kiln_seq(s);
  CHECK(kiln_first(q) == KILN_CHAR('a'));
  q = kiln_next(q);
  CHECK(kiln_first(q) == KILN_CHAR(0xD83D));
  q = kiln_next(q);
  CHECK(kiln_first(q) == KILN_CHAR(0xDE00));
  q = kiln_next(q);
  CHECK(kiln_first(q) == KILN_CHAR('b'));
  CHECK(kiln_next(q) == KILN_NIL);
  CHECK(kiln_seq(kiln_str_cstr("")) == KILN_NIL);
  CHECK(kiln_get(kiln_str_cstr("abc"), N(1), KILN_NIL) == KILN_CHAR('b'));
  CHECK(kiln_get(kiln_str_cstr("abc"), N(5), N(0)) == N(0));
  CHECK_STR(error_of(nth_of, kiln_str_cstr("a")),
            "java.lang.StringIndexOutOfBoundsException: String index out of range: 3");
  CHECK_STR(pr(kiln_reduce(core("str"), kiln_str_cstr(""), kiln_str_cstr("abc"))), "\"abc\"");
}

static void test_errors(void) {
  CHECK_STR(error_of(first_of, N(1)),
            "java.lang.IllegalArgumentException: Don't know how to create ISeq from: java.lang.Long");
  CHECK_STR(error_of(count_of, kiln_kw(NULL, "a")),
            "java.lang.UnsupportedOperationException: count not supported on this type: Keyword");
  CHECK_STR(error_of(nth_of, kiln_map_from(0, NULL)),
            "java.lang.UnsupportedOperationException: nth not supported on this type: PersistentArrayMap");
  CHECK_STR(error_of(nth_of, kiln_list_from(1, (kiln_val[]){N(1)})),
            "java.lang.IndexOutOfBoundsException: ");
  CHECK(kiln_nth(KILN_NIL, 3, KILN_NIL, false) == KILN_NIL);
}

static void test_ranges_reduce(void) {
  kiln_val r = kiln_range(N(0), N(10), N(3));
  CHECK_STR(pr(r), "(0 3 6 9)");
  CHECK(kiln_count_int(r) == 4);
  CHECK_STR(pr(kiln_range(N(10), N(0), N(-3))), "(10 7 4 1)");
  CHECK_STR(pr(kiln_range(N(0), kiln_double(1), kiln_double(0.1))),
            "(0 0.1 0.2 0.30000000000000004 0.4 0.5 0.6 0.7 0.7999999999999999 0.8999999999999999 0.9999999999999999)");
  CHECK(kiln_range(N(3), N(3), N(1)) == kiln_empty_list);
  kiln_val plus = core("+");
  CHECK(kiln_reduce(plus, N(0), kiln_range(N(0), N(1000000), N(1))) == N(499999500000));
  CHECK(kiln_reduce1(plus, kiln_range(N(0), N(5), N(1))) == N(10));
  kiln_val stop = (kiln_val)kiln_fn_new(stop_at_3, "stop", 0);
  kiln_val v = kiln_vec_from(5, (kiln_val[]){N(1), N(2), N(3), N(4), N(5)});
  CHECK(kiln_reduce(stop, N(0), v) == N(6));
  CHECK(kiln_reduce(stop, N(0), kiln_seq(v)) == N(6));
  CHECK(kiln_reduce(stop, N(0), kiln_range(N(1), N(100), N(1))) == N(6));
  CHECK(kiln_reduce1(plus, kiln_empty_vector) == N(0));
  CHECK(kiln_reduce1(plus, kiln_vec_from(1, (kiln_val[]){N(7)})) == N(7));
  CHECK_STR(pr(kiln_into(kiln_empty_vector, kiln_range(N(0), N(5), N(1)))), "[0 1 2 3 4]");
  CHECK_STR(pr(kiln_into(kiln_empty_set, kiln_vec_from(3, (kiln_val[]){N(1), N(1), N(2)}))), "#{1 2}");
  CHECK_STR(pr(call("nthnext", 2, (kiln_val[]){v, N(3)})), "(4 5)");
  CHECK_STR(pr(kiln_vec_rseq(v)), "(5 4 3 2 1)");
  kiln_val m = kiln_map_from(4, (kiln_val[]){kiln_kw(NULL, "a"), N(1), kiln_kw(NULL, "b"), N(2)});
  CHECK_STR(pr(call("keys", 1, &m)), "(:a :b)");
  CHECK_STR(pr(call("vals", 1, &m)), "(1 2)");
  CHECK_STR(pr(kiln_seq(m)), "([:a 1] [:b 2])");
  CHECK_STR(pr(call("reduce-kv", 3, (kiln_val[]){core("conj"), kiln_empty_vector, m})), "[:a 1 :b 2]");
}

/* A lazy chain 0..LAZY_N-1: each cell's rest is a fresh lazy seq. */
enum { LAZY_N = 20000, THREADS = 4 };
static volatile int step_calls;
KILN_NATIVE(lazy_step) {
  __atomic_fetch_add(&step_calls, 1, __ATOMIC_RELAXED);
  int64_t i = KILN_FIXNUM_VALUE(self->closed[0]);
  if (i == LAZY_N) return KILN_NIL;
  kiln_fn *next = kiln_fn_new(lazy_step, "step", 1);
  next->closed[0] = N(i + 1);
  return kiln_cons(N(i), kiln_lazy_seq_new((kiln_val)next));
}

static kiln_val shared_head;
static kiln_val seen[THREADS][64];

static void *walker(void *arg) {
  intptr_t id = (intptr_t)arg;
  kiln_gc_register_thread();
  int64_t i = 0, k = 0;
  kiln_val s = kiln_seq(shared_head);
  bool ok = true;
  for (; s != KILN_NIL; s = kiln_next(s), i++) {
    ok &= kiln_first(s) == N(i);
    if (i % 500 == 0 && k < 64) seen[id][k++] = s;
  }
  kiln_gc_unregister_thread();
  return (void *)(intptr_t)(ok && i == LAZY_N);
}

static void test_lazy_threads(void) {
  kiln_fn *f = kiln_fn_new(lazy_step, "step", 1);
  f->closed[0] = N(0);
  shared_head = kiln_lazy_seq_new((kiln_val)f);
  pthread_t th[THREADS];
  for (intptr_t t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, walker, (void *)t);
  bool ok = true;
  for (int t = 0; t < THREADS; t++) {
    void *r;
    pthread_join(th[t], &r);
    ok &= r != NULL;
  }
  CHECK(ok);
  /* Every thread saw the same cells: one published realization each. */
  bool same = true;
  for (int t = 1; t < THREADS; t++)
    for (int k = 0; k < 40; k++) same &= seen[t][k] == seen[0][k];
  CHECK(same);
  CHECK(step_calls >= LAZY_N + 1);
}

int main(void) {
  kiln_rt_init();
  test_lists();
  test_lazy();
  test_strings();
  test_errors();
  test_ranges_reduce();
  test_lazy_threads();
  return check_summary();
}
