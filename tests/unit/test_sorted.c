/*
 * test_sorted.c — sorted maps and sets (red-black trees): randomized
 * operation sequences against a sorted C array model, checking order, counts
 * and lookups, the red-black invariants, custom comparators (numeric and
 * boolean), rseq, subseq and rsubseq as the JVM answers them.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

#define N(i) KILN_FIXNUM(i)

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Returns the black height, or -1 when an invariant is broken. */
static int rb_check(const kiln_rbnode *n) {
  if (!n) return 1;
  if (n->red && ((n->left && n->left->red) || (n->right && n->right->red))) return -1;
  int l = rb_check(n->left), r = rb_check(n->right);
  if (l < 0 || r < 0 || l != r) return -1;
  return l + (n->red ? 0 : 1);
}

static bool agrees(kiln_val m, const int64_t *keys, const int64_t *vals, int n) {
  if (kiln_count_int(m) != n) return false;
  if (rb_check(((kiln_sorted *)m)->root) < 0) return false;
  int i = 0;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s), i++) {
    kiln_val e = kiln_first(s);
    if (i >= n || kiln_nth(e, 0, KILN_NIL, false) != N(keys[i]) ||
        kiln_nth(e, 1, KILN_NIL, false) != N(vals[i]))
      return false;
  }
  if (i != n) return false;
  for (kiln_val s = kiln_sorted_seq(m, false); s != KILN_NIL; s = kiln_next(s))
    if (kiln_nth(kiln_first(s), 0, KILN_NIL, false) != N(keys[--i])) return false;
  return i == 0;
}

static void test_random(void) {
  enum { OPS = 40000, DOMAIN = 3000 };
  int64_t keys[DOMAIN], vals[DOMAIN];
  int n = 0;
  kiln_val m = kiln_sorted_map_new(KILN_NIL);
  bool ok = true;
  for (int op = 0; op < OPS && ok; op++) {
    int64_t k = (int64_t)(next_rand() % DOMAIN) - DOMAIN / 2;
    int lo = 0, hi = n;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (keys[mid] < k) lo = mid + 1; else hi = mid;
    }
    bool present = lo < n && keys[lo] == k;
    if (next_rand() % 3) {
      m = kiln_assoc(m, N(k), N(op));
      if (!present) {
        memmove(&keys[lo + 1], &keys[lo], (size_t)(n - lo) * sizeof keys[0]);
        memmove(&vals[lo + 1], &vals[lo], (size_t)(n - lo) * sizeof vals[0]);
        keys[lo] = k;
        n++;
      }
      vals[lo] = op;
    } else {
      m = kiln_dissoc(m, N(k));
      if (present) {
        memmove(&keys[lo], &keys[lo + 1], (size_t)(n - lo - 1) * sizeof keys[0]);
        memmove(&vals[lo], &vals[lo + 1], (size_t)(n - lo - 1) * sizeof vals[0]);
        n--;
      }
    }
    if (kiln_contains(m, N(k)) != (next_rand(), kiln_get(m, N(k), kiln_kw(NULL, "nf")) != kiln_kw(NULL, "nf")))
      ok = false;
    if (op % 2000 == 0) ok = agrees(m, keys, vals, n);
  }
  CHECK(ok);
  CHECK(agrees(m, keys, vals, n));
}

static void test_big(void) {
  kiln_val s = kiln_sorted_set_new(KILN_NIL);
  for (int64_t i = 0; i < 200000; i++) s = kiln_conj(s, N((i * 7919) % 200000));
  CHECK(kiln_count_int(s) == 200000);
  CHECK(rb_check(((kiln_sorted *)s)->root) > 0);
  int64_t i = 0;
  bool ok = true;
  for (kiln_val q = kiln_seq(s); q != KILN_NIL; q = kiln_next(q), i++) ok &= kiln_first(q) == N(i);
  CHECK(ok && i == 200000);
  for (int64_t j = 0; j < 200000; j += 2) s = kiln_disj(s, N(j));
  CHECK(kiln_count_int(s) == 100000);
  CHECK(rb_check(((kiln_sorted *)s)->root) > 0);
  CHECK(kiln_first(s) == N(1));
}

static kiln_val core(const char *name) { return kiln_var_get(kiln_var_intern("clojure.core", name)); }
static kiln_val call(const char *name, uint32_t argc, const kiln_val *argv) {
  return kiln_call(core(name), argc, argv);
}

KILN_NATIVE(desc_num) { return kiln_num_sub(argv[1], argv[0]); }
KILN_NATIVE(desc_bool) { return KILN_BOOL(kiln_num_lt(argv[1], argv[0])); }

static void test_natives(void) {
  kiln_val s = call("sorted-set", 5, (kiln_val[]){N(3), N(1), N(5), N(2), N(4)});
  CHECK_STR(kiln_pr_str(s), "#{1 2 3 4 5}");
  CHECK_STR(kiln_pr_str(call("subseq", 3, (kiln_val[]){s, core(">"), N(2)})), "(3 4 5)");
  CHECK_STR(kiln_pr_str(call("subseq", 3, (kiln_val[]){s, core(">="), N(2)})), "(2 3 4 5)");
  CHECK_STR(kiln_pr_str(call("subseq", 3, (kiln_val[]){s, core("<"), N(3)})), "(1 2)");
  CHECK_STR(kiln_pr_str(call("subseq", 5, (kiln_val[]){s, core(">"), N(1), core("<="), N(4)})), "(2 3 4)");
  CHECK_STR(kiln_pr_str(call("rsubseq", 5, (kiln_val[]){s, core(">"), N(2), core("<="), N(4)})), "(4 3)");
  CHECK_STR(kiln_pr_str(call("rsubseq", 3, (kiln_val[]){s, core("<"), N(3)})), "(2 1)");
  CHECK_STR(kiln_pr_str(call("rsubseq", 3, (kiln_val[]){s, core(">="), N(3)})), "(5 4 3)");
  CHECK_STR(kiln_pr_str(call("rseq", 1, (kiln_val[]){s})), "(5 4 3 2 1)");
  kiln_val m = call("sorted-map", 4, (kiln_val[]){N(3), N(4), N(1), N(2)});
  CHECK_STR(kiln_pr_str(m), "{1 2, 3 4}");
  CHECK_STR(kiln_pr_str(call("rseq", 1, (kiln_val[]){m})), "([3 4] [1 2])");
  kiln_val f1 = (kiln_val)kiln_fn_new(desc_num, "desc", 0);
  kiln_val f2 = (kiln_val)kiln_fn_new(desc_bool, "desc", 0);
  CHECK_STR(kiln_pr_str(call("sorted-set-by", 4, (kiln_val[]){f1, N(1), N(3), N(2)})), "#{3 2 1}");
  CHECK_STR(kiln_pr_str(call("sorted-set-by", 4, (kiln_val[]){f2, N(1), N(3), N(2)})), "#{3 2 1}");
  CHECK_STR(kiln_pr_str(kiln_empty(call("sorted-set-by", 4, (kiln_val[]){f2, N(1), N(3), N(2)}))), "#{}");
  CHECK(kiln_equiv(m, kiln_map_from(4, (kiln_val[]){N(1), N(2), N(3), N(4)})));
  CHECK(kiln_hash(m) == kiln_hash(kiln_map_from(4, (kiln_val[]){N(1), N(2), N(3), N(4)})));
  CHECK(call("subseq", 3, (kiln_val[]){s, core(">"), N(9)}) == KILN_NIL);
}

int main(void) {
  kiln_rt_init();
  test_random();
  test_big();
  test_natives();
  return check_summary();
}
