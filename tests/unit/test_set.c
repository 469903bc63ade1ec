/*
 * test_set.c — hash sets and transient sets against a linear-scan model,
 * with colliding string keys ("Aa"/"BB" blocks share String.hashCode and so
 * hasheq) and a 1,000,000-element run.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

#define N(i) KILN_FIXNUM(i)

static uint64_t rng = 0xD1B54A32D192ED03ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static kiln_val coll_key(int j) {
  char buf[64] = "";
  for (int i = 0; i < 6; i++) strcat(buf, (j >> (5 - i)) & 1 ? "BB" : "Aa");
  return kiln_str_cstr(buf);
}

static void test_collisions_hash(void) {
  CHECK(kiln_hash(coll_key(0)) == kiln_hash(coll_key(63)));
  CHECK(kiln_hash(kiln_str_cstr("Aa")) == kiln_hash(kiln_str_cstr("BB")));
}

static void test_random(bool transient) {
  enum { OPS = 40000, DOM = 400 };
  bool present[DOM] = {false};
  int n = 0;
  kiln_val s = transient ? kiln_transient(kiln_empty_set) : kiln_empty_set;
  bool ok = true;
  for (int op = 0; op < OPS && ok; op++) {
    int j = (int)(next_rand() % DOM);
    kiln_val x = j < 64 ? coll_key(j) : N(j);
    if (next_rand() % 2) {
      s = transient ? kiln_conj_t(s, x) : kiln_conj(s, x);
      if (!present[j]) n++;
      present[j] = true;
    } else {
      s = transient ? kiln_disj_t(s, x) : kiln_disj(s, x);
      if (present[j]) n--;
      present[j] = false;
    }
    if (op % 1000 == 0) {
      kiln_val p = transient ? kiln_persistent(s) : s;
      ok &= kiln_count_int(p) == n;
      for (int k = 0; k < DOM; k++) ok &= kiln_contains(p, k < 64 ? coll_key(k) : N(k)) == present[k];
      int seen = 0;
      for (kiln_val q = kiln_seq(p); q != KILN_NIL; q = kiln_next(q)) seen++;
      ok &= seen == n;
      if (transient) s = kiln_transient(p);
    }
  }
  CHECK(ok);
}

static void test_million(void) {
  enum { M = 1000000 };
  kiln_val t = kiln_transient(kiln_empty_set);
  for (int64_t i = 0; i < M; i++) t = kiln_conj_t(t, N(i * 5));
  kiln_val s = kiln_persistent(t);
  CHECK(kiln_count_int(s) == M);
  bool ok = true;
  for (int64_t i = 0; i < 5 * M; i += 1) ok &= kiln_contains(s, N(i)) == (i % 5 == 0);
  CHECK(ok);
  CHECK(kiln_get(s, N(10), KILN_NIL) == N(10));
}

static void test_misc(void) {
  kiln_val s = kiln_set_from(3, (kiln_val[]){N(1), N(2), N(1)});
  CHECK(KILN_HAS_TYPE(s, KILN_T_HASH_SET));
  CHECK(kiln_count_int(s) == 2);
  CHECK(kiln_equiv(s, kiln_set_from(2, (kiln_val[]){N(2), N(1)})));
  CHECK(kiln_hash(s) == kiln_hash(kiln_set_from(2, (kiln_val[]){N(2), N(1)})));
  CHECK(kiln_disj(s, N(7)) == s);
  CHECK(kiln_conj(s, N(1)) == s);
  CHECK_STR(kiln_pr_str(kiln_conj(kiln_empty_set, KILN_NIL)), "#{nil}");
  CHECK(KILN_HAS_TYPE(kiln_empty(s), KILN_T_HASH_SET));
}

int main(void) {
  kiln_rt_init();
  test_collisions_hash();
  test_random(false);
  test_random(true);
  test_million();
  test_misc();
  return check_summary();
}
