/*
 * test_vector.c — the persistent vector, its transient and subvec, checked
 * against a plain C array model over randomized operation sequences
 * (including 1,000,000-element runs), plus the JVM's error behaviour.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

#define N(i) KILN_FIXNUM(i)

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static bool throws(kiln_val (*body)(void *), void *ctx, const char *cls, const char *msg) {
  kiln_val r, ex;
  if (kiln_pcall(body, ctx, &r, &ex)) return false;
  if (cls && !kiln_ex_is(ex, cls)) return false;
  if (msg && strcmp(kiln_ex_message(ex), msg) != 0) return false;
  return true;
}

/* Checks every index of [v] against model[0..n). */
static bool same(kiln_val v, const int64_t *model, uint32_t n) {
  if (kiln_vec_count(v) != n || kiln_count_int(v) != n) return false;
  for (uint32_t i = 0; i < n; i++)
    if (kiln_vec_nth(v, i, KILN_NIL, true) != N(model[i])) return false;
  /* The seq walks the leaves. */
  uint32_t i = 0;
  for (kiln_val s = kiln_seq(v); s != KILN_NIL; s = kiln_next(s), i++)
    if (i >= n || kiln_first(s) != N(model[i])) return false;
  return i == n;
}

static void test_random_persistent(void) {
  enum { OPS = 20000 };
  int64_t *model = malloc(sizeof(int64_t) * OPS);
  uint32_t n = 0;
  kiln_val v = kiln_empty_vector;
  bool ok = true;
  for (int op = 0; op < OPS && ok; op++) {
    uint64_t r = next_rand() % 10;
    if (r < 6 || n == 0) {
      int64_t x = (int64_t)(next_rand() % 1000000);
      v = kiln_vec_conj(v, N(x));
      model[n++] = x;
    } else if (r < 8) {
      uint32_t i = (uint32_t)(next_rand() % n);
      int64_t x = -(int64_t)(next_rand() % 1000);
      v = kiln_vec_assoc(v, i, N(x));
      model[i] = x;
    } else {
      v = kiln_vec_pop(v);
      n--;
    }
    if (op % 997 == 0) ok = same(v, model, n);
  }
  CHECK(ok);
  CHECK(same(v, model, n));
  free(model);
}

static void test_million(void) {
  enum { M = 1000000 };
  kiln_val t = kiln_transient(kiln_empty_vector);
  for (int64_t i = 0; i < M; i++) t = kiln_conj_t(t, N(i * 3));
  kiln_val v = kiln_persistent(t);
  CHECK(kiln_count_int(v) == M);
  bool ok = true;
  for (int64_t i = 0; i < M; i++) ok &= kiln_vec_nth(v, i, KILN_NIL, true) == N(i * 3);
  CHECK(ok);
  /* Persistent conj past every trie boundary, then pop all the way down. */
  kiln_val p = kiln_empty_vector;
  for (int64_t i = 0; i < M; i++) p = kiln_vec_conj(p, N(i));
  CHECK(kiln_vec_count(p) == M);
  CHECK(kiln_vec_nth(p, 32 * 32 * 32 + 5, KILN_NIL, true) == N(32 * 32 * 32 + 5));
  ok = true;
  for (int64_t i = M; i > 0; i--) {
    if (kiln_vec_peek(p) != N(i - 1)) ok = false;
    p = kiln_vec_pop(p);
  }
  CHECK(ok);
  CHECK(kiln_vec_count(p) == 0);
  /* Transient pop and assoc at scale. */
  t = kiln_transient(v);
  for (int64_t i = 0; i < M / 2; i++) t = kiln_pop_t(t);
  for (int64_t i = 0; i < M / 2; i += 7) t = kiln_assoc_t(t, N(i), N(-i));
  kiln_val w = kiln_persistent(t);
  CHECK(kiln_vec_count(w) == M / 2);
  ok = true;
  for (int64_t i = 0; i < M / 2; i++)
    ok &= kiln_vec_nth(w, i, KILN_NIL, true) == N(i % 7 == 0 ? -i : i * 3);
  CHECK(ok);
  /* The original is untouched. */
  CHECK(kiln_vec_nth(v, 7, KILN_NIL, true) == N(21));
  CHECK(kiln_vec_count(v) == M);
  kiln_val sum = kiln_reduce(kiln_var_get(kiln_var_intern("clojure.core", "+")), N(0), v);
  CHECK(sum == N((int64_t)3 * (M - 1) * M / 2));
}

static void test_random_transient(void) {
  enum { OPS = 200000 };
  int64_t *model = malloc(sizeof(int64_t) * OPS);
  uint32_t n = 0;
  kiln_val t = kiln_transient(kiln_empty_vector);
  bool ok = true;
  for (int op = 0; op < OPS; op++) {
    uint64_t r = next_rand() % 10;
    if (r < 6 || n == 0) {
      int64_t x = (int64_t)(next_rand() % 1000000);
      t = kiln_conj_t(t, N(x));
      model[n++] = x;
    } else if (r < 8) {
      uint32_t i = (uint32_t)(next_rand() % n);
      t = kiln_assoc_t(t, N(i), N(-1));
      model[i] = -1;
    } else {
      t = kiln_pop_t(t);
      n--;
    }
    if (op % 50000 == 0) {
      /* Snapshot through persistent! and continue on a fresh transient. */
      kiln_val v = kiln_persistent(t);
      ok &= same(v, model, n);
      t = kiln_transient(v);
    }
  }
  CHECK(ok);
  CHECK(same(kiln_persistent(t), model, n));
  free(model);
}

static kiln_val use_after(void *ctx) {
  return kiln_conj_t((kiln_val)ctx, N(1));
}
static kiln_val nth_oob(void *ctx) { return kiln_nth((kiln_val)ctx, 5, KILN_NIL, false); }
static kiln_val pop_empty(void *ctx) { return kiln_pop((kiln_val)ctx); }
static kiln_val subvec_bad(void *ctx) { return kiln_vec_subvec((kiln_val)ctx, 2, 1); }
static kiln_val assoc_far(void *ctx) { return kiln_assoc((kiln_val)ctx, N(9), N(1)); }
static kiln_val assoc_kw(void *ctx) { return kiln_assoc((kiln_val)ctx, kiln_kw(NULL, "a"), N(1)); }

static void test_errors(void) {
  kiln_val t = kiln_transient(kiln_empty_vector);
  kiln_persistent(t);
  CHECK(throws(use_after, (void *)t, "java.lang.IllegalAccessError",
               "Transient used after persistent! call"));
  kiln_val v = kiln_vec_from(3, (kiln_val[]){N(1), N(2), N(3)});
  CHECK(throws(nth_oob, (void *)v, KILN_EX_INDEX, NULL));
  CHECK(throws(pop_empty, (void *)kiln_empty_vector, KILN_EX_ILLEGAL_STATE, "Can't pop empty vector"));
  CHECK(throws(subvec_bad, (void *)v, KILN_EX_INDEX, NULL));
  CHECK(throws(assoc_far, (void *)v, KILN_EX_INDEX, NULL));
  CHECK(throws(assoc_kw, (void *)v, KILN_EX_ILLEGAL_ARG, "Key must be integer"));
  CHECK(kiln_nth(v, 5, kiln_kw(NULL, "x"), true) == kiln_kw(NULL, "x"));
  CHECK(kiln_get(v, N(1), KILN_NIL) == N(2));
  CHECK(kiln_get(v, kiln_double(1.0), KILN_NIL) == KILN_NIL);
}

static void test_subvec(void) {
  kiln_val v = kiln_empty_vector;
  for (int i = 0; i < 100; i++) v = kiln_vec_conj(v, N(i));
  kiln_val s = kiln_vec_subvec(v, 10, 60);
  CHECK(kiln_vec_count(s) == 50);
  CHECK(kiln_vec_nth(s, 0, KILN_NIL, true) == N(10));
  CHECK(kiln_vec_nth(s, 49, KILN_NIL, true) == N(59));
  kiln_val s2 = kiln_vec_subvec(s, 5, 10);
  CHECK_STR(kiln_pr_str(s2), "[15 16 17 18 19]");
  CHECK_STR(kiln_pr_str(kiln_conj(s2, N(-1))), "[15 16 17 18 19 -1]");
  CHECK_STR(kiln_pr_str(kiln_pop(s2)), "[15 16 17 18]");
  CHECK_STR(kiln_pr_str(kiln_assoc(s2, N(0), N(0))), "[0 16 17 18 19]");
  CHECK(kiln_equiv(s2, kiln_vec_from(5, (kiln_val[]){N(15), N(16), N(17), N(18), N(19)})));
  CHECK(kiln_hash(s2) == kiln_hash(kiln_vec_from(5, (kiln_val[]){N(15), N(16), N(17), N(18), N(19)})));
  CHECK_STR(kiln_pr_str(kiln_vec_rseq(s2)), "(19 18 17 16 15)");
  CHECK(kiln_vec_nth(v, 10, KILN_NIL, true) == N(10));
}

static void test_entries(void) {
  kiln_val e = kiln_map_entry(kiln_kw(NULL, "a"), N(1));
  CHECK(kiln_count_int(e) == 2);
  CHECK(kiln_nth(e, 1, KILN_NIL, false) == N(1));
  CHECK(kiln_equiv(e, kiln_vec_from(2, (kiln_val[]){kiln_kw(NULL, "a"), N(1)})));
  CHECK_STR(kiln_pr_str(kiln_conj(e, N(3))), "[:a 1 3]");
  CHECK_STR(kiln_pr_str(kiln_seq(e)), "(:a 1)");
}

/* Persistent tails are shared by conj: branches must stay independent. */
static void test_tail_sharing(void) {
  bool ok = true;
  for (int len = 0; len < 70; len++) {
    kiln_val v = kiln_empty_vector;
    for (int i = 0; i < len; i++) v = kiln_vec_conj(v, N(i));
    kiln_val a = kiln_vec_conj(v, N(-1));
    kiln_val b = kiln_vec_conj(v, N(-2));
    kiln_val p = len ? kiln_vec_pop(a) : v;
    kiln_val c = len ? kiln_vec_conj(p, N(-3)) : kiln_vec_conj(v, N(-3));
    kiln_val a2 = kiln_vec_conj(a, N(-4));
    ok &= kiln_vec_count(v) == (uint32_t)len;
    ok &= kiln_vec_nth(a, len, KILN_NIL, true) == N(-1);
    ok &= kiln_vec_nth(b, len, KILN_NIL, true) == N(-2);
    ok &= kiln_vec_nth(c, len, KILN_NIL, true) == N(-3);
    ok &= kiln_vec_nth(a2, len, KILN_NIL, true) == N(-1) && kiln_vec_nth(a2, len + 1, KILN_NIL, true) == N(-4);
    for (int i = 0; i < len; i++)
      ok &= kiln_vec_nth(b, i, KILN_NIL, true) == N(i) && kiln_vec_nth(c, i, KILN_NIL, true) == N(i);
  }
  CHECK(ok);
}

static kiln_val race_base;
static kiln_val race_out[4];
static void *racer(void *arg) {
  intptr_t id = (intptr_t)arg;
  kiln_gc_register_thread();
  kiln_val v = race_base;
  for (int i = 0; i < 1000; i++) v = kiln_vec_conj(v, N(id * 100000 + i));
  race_out[id] = v;
  kiln_gc_unregister_thread();
  return NULL;
}

static void test_tail_race(void) {
  kiln_val v = kiln_empty_vector;
  for (int i = 0; i < 40; i++) v = kiln_vec_conj(v, N(i));
  race_base = v;
  pthread_t th[4];
  for (intptr_t t = 0; t < 4; t++) pthread_create(&th[t], NULL, racer, (void *)t);
  for (int t = 0; t < 4; t++) pthread_join(th[t], NULL);
  bool ok = true;
  for (int t = 0; t < 4; t++) {
    ok &= kiln_vec_count(race_out[t]) == 1040;
    for (int i = 0; i < 40; i++) ok &= kiln_vec_nth(race_out[t], i, KILN_NIL, true) == N(i);
    for (int i = 0; i < 1000; i++)
      ok &= kiln_vec_nth(race_out[t], 40 + i, KILN_NIL, true) == N(t * 100000 + i);
  }
  CHECK(ok);
}

int main(void) {
  kiln_rt_init();
  test_random_persistent();
  test_random_transient();
  test_million();
  test_errors();
  test_subvec();
  test_entries();
  test_tail_sharing();
  test_tail_race();
  return check_summary();
}
