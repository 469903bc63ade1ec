/*
 * test_map.c — array maps, hash maps and their transients: iteration order
 * against JVM Clojure (tests/coll/order.txt, written by tests/coll/gen.sh),
 * and randomized operation sequences against a linear-scan association list,
 * with collision-heavy keys and a 1,000,000-entry run.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

#define N(i) KILN_FIXNUM(i)

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static kiln_val strf(const char *fmt, long i) {
  char buf[64];
  snprintf(buf, sizeof buf, fmt, i);
  return kiln_str_cstr(buf);
}

/* The j-th string of k blocks "Aa"/"BB": all share one String.hashCode. */
static kiln_val coll_key(int k, int j) {
  char buf[64] = "";
  for (int i = 0; i < k; i++) strcat(buf, (j >> (k - 1 - i)) & 1 ? "BB" : "Aa");
  return kiln_str_cstr(buf);
}

static uint32_t gen_keys(const char *kind, int n, kiln_val *out) {
  uint32_t m = 0;
  if (!strcmp(kind, "long")) for (int i = 0; i < n; i++) out[m++] = N(i);
  else if (!strcmp(kind, "kw")) for (int i = 0; i < n; i++) {
    char b[32];
    snprintf(b, sizeof b, "k%d", i);
    out[m++] = kiln_kw(NULL, b);
  }
  else if (!strcmp(kind, "str")) for (int i = 0; i < n; i++) out[m++] = strf("s%ld", i);
  else if (!strcmp(kind, "neg")) for (int i = 0; i < n; i++) out[m++] = kiln_long((int64_t)i * -7919 * 1000003);
  else if (!strcmp(kind, "nil")) {
    out[m++] = KILN_NIL;
    for (int i = 0; i < n - 1; i++) out[m++] = N(i);
  } else if (!strcmp(kind, "coll")) for (int i = 0; i < n; i++) {
    out[m++] = strf("x%ld", i);
    out[m++] = coll_key(3, i % 8);
  }
  else if (!strcmp(kind, "coll5")) for (int i = 0; i < 32; i++) out[m++] = coll_key(5, i);
  return m;
}

static kiln_val pairs(uint32_t n, const kiln_val *ks) {
  kiln_val t = kiln_transient(kiln_empty_vector);
  for (uint32_t i = 0; i < n; i++) t = kiln_conj_t(t, kiln_vec_from(2, (kiln_val[]){ks[i], ks[i]}));
  return kiln_persistent(t);
}

static kiln_val build(const char *b, uint32_t n, const kiln_val *ks) {
  kiln_val c;
  if (!strcmp(b, "assoc")) {
    c = kiln_empty_map;
    for (uint32_t i = 0; i < n; i++) c = kiln_assoc(c, ks[i], ks[i]);
  } else if (!strcmp(b, "into")) {
    c = kiln_into(kiln_empty_map, pairs(n, ks));
  } else if (!strcmp(b, "hash-map")) {
    kiln_val *kv = malloc(sizeof(kiln_val) * 2 * n);
    for (uint32_t i = 0; i < n; i++) kv[2 * i] = kv[2 * i + 1] = ks[i];
    c = kiln_hash_map_from(2 * n, kv);
    free(kv);
  } else if (!strcmp(b, "dissoc")) {
    c = kiln_into(kiln_empty_map, pairs(n, ks));
    for (uint32_t i = 0; i < n; i += 3) c = kiln_dissoc(c, ks[i]);
  } else if (!strcmp(b, "tdissoc")) {
    c = kiln_transient(kiln_into(kiln_empty_map, pairs(n, ks)));
    for (uint32_t i = 0; i < n; i += 3) c = kiln_dissoc_t(c, ks[i]);
    c = kiln_persistent(c);
  } else if (!strcmp(b, "set")) {
    c = kiln_into(kiln_empty_set, kiln_vec_from(n, ks));
  } else if (!strcmp(b, "set-conj")) {
    c = kiln_empty_set;
    for (uint32_t i = 0; i < n; i++) c = kiln_conj(c, ks[i]);
  } else {
    c = kiln_into(kiln_empty_set, kiln_vec_from(n, ks));
    for (uint32_t i = 0; i < n; i += 2) c = kiln_disj(c, ks[i]);
  }
  return c;
}

static void test_jvm_order(void) {
  FILE *f = fopen("tests/coll/order.txt", "r");
  CHECK(f != NULL);
  if (!f) return;
  static char line[1 << 20];
  static kiln_val ks[20000];
  int cases = 0, bad = 0;
  while (fgets(line, sizeof line, f)) {
    char kind[16], b[16];
    int n;
    char *tab = strchr(line, '\t');
    if (!tab || sscanf(line, "%15s %15s %d", kind, b, &n) != 3) continue;
    char *want = tab + 1;
    want[strcspn(want, "\n")] = 0;
    uint32_t m = gen_keys(kind, n, ks);
    kiln_val c = build(b, m, ks);
    kiln_val order = kiln_seq_to_vector(kiln_is_map(c) ? kiln_map_keys(c) : kiln_seq(c));
    const char *got = kiln_pr_str(order);
    cases++;
    if (strcmp(got, want) != 0) {
      if (bad++ < 5) fprintf(stderr, "order mismatch for %s %s %d:\n  got:  %.300s\n  want: %.300s\n", kind, b, n, got, want);
    }
    /* Reduce visits entries in the same order as seq. */
    CHECK(kiln_equiv(kiln_count(c), kiln_count(order)));
  }
  fclose(f);
  CHECK(cases >= 100);
  CHECK(bad == 0);
}

/* The model: an association list with linear search. */
typedef struct model {
  kiln_val *k, *v;
  uint32_t n;
} model;

static int model_find(const model *m, kiln_val k) {
  for (uint32_t i = 0; i < m->n; i++)
    if (kiln_equiv(m->k[i], k)) return (int)i;
  return -1;
}

static kiln_val random_key(void) {
  uint64_t r = next_rand() % 100;
  if (r < 40) return N((int64_t)(next_rand() % 300));
  if (r < 60) return coll_key(4, (int)(next_rand() % 16));
  if (r < 70) return KILN_NIL;
  if (r < 85) return strf("k%ld", (long)(next_rand() % 100));
  char b[16];
  snprintf(b, sizeof b, "w%d", (int)(next_rand() % 50));
  return kiln_kw(NULL, b);
}

static bool agrees(kiln_val m, const model *mo) {
  if (kiln_count_int(m) != mo->n) return false;
  for (uint32_t i = 0; i < mo->n; i++) {
    kiln_val missing = kiln_kw(NULL, "missing");
    if (kiln_get(m, mo->k[i], missing) != mo->v[i]) return false;
  }
  uint32_t seen = 0;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s), seen++) {
    kiln_val e = kiln_first(s);
    int j = model_find(mo, kiln_nth(e, 0, KILN_NIL, false));
    if (j < 0 || mo->v[j] != kiln_nth(e, 1, KILN_NIL, false)) return false;
  }
  return seen == mo->n;
}

static void test_random(bool transient) {
  enum { OPS = 30000 };
  model mo = {malloc(sizeof(kiln_val) * OPS), malloc(sizeof(kiln_val) * OPS), 0};
  kiln_val m = transient ? kiln_transient(kiln_empty_map) : kiln_empty_map;
  bool ok = true;
  for (int op = 0; op < OPS && ok; op++) {
    kiln_val k = random_key();
    int j = model_find(&mo, k);
    if (next_rand() % 3 != 0) {
      kiln_val v = N(op);
      m = transient ? kiln_assoc_t(m, k, v) : kiln_assoc(m, k, v);
      if (j >= 0) mo.v[j] = v;
      else { mo.k[mo.n] = k; mo.v[mo.n++] = v; }
    } else {
      m = transient ? kiln_dissoc_t(m, k) : kiln_dissoc(m, k);
      if (j >= 0) { mo.k[j] = mo.k[mo.n - 1]; mo.v[j] = mo.v[mo.n - 1]; mo.n--; }
    }
    if (op % 1000 == 0) {
      if (transient) {
        kiln_val p = kiln_persistent(m);
        ok = agrees(p, &mo);
        m = kiln_transient(p);
      } else {
        ok = agrees(m, &mo);
      }
    }
  }
  CHECK(ok);
  if (transient) m = kiln_persistent(m);
  CHECK(agrees(m, &mo));
  free(mo.k);
  free(mo.v);
}

static void test_million(void) {
  enum { M = 1000000 };
  kiln_val t = kiln_transient(kiln_empty_map);
  for (int64_t i = 0; i < M; i++) t = kiln_assoc_t(t, N(i), N(i * 2));
  kiln_val m = kiln_persistent(t);
  CHECK(kiln_count_int(m) == M);
  bool ok = true;
  for (int64_t i = 0; i < M; i++) ok &= kiln_get(m, N(i), KILN_NIL) == N(i * 2);
  CHECK(ok);
  CHECK(kiln_get(m, N(M), kiln_kw(NULL, "nf")) == kiln_kw(NULL, "nf"));
  /* Persistent dissoc of every other key; the original keeps them all. */
  kiln_val d = m;
  for (int64_t i = 0; i < M; i += 2) d = kiln_dissoc(d, N(i));
  CHECK(kiln_count_int(d) == M / 2);
  ok = true;
  for (int64_t i = 0; i < M; i++) ok &= kiln_contains(d, N(i)) == (i % 2 == 1);
  CHECK(ok);
  CHECK(kiln_count_int(m) == M);
  int64_t n = 0;
  for (kiln_val s = kiln_seq(d); s != KILN_NIL; s = kiln_next(s)) n++;
  CHECK(n == M / 2);
}

static kiln_val use_after(void *ctx) { return kiln_assoc_t((kiln_val)ctx, N(1), N(1)); }

static void test_misc(void) {
  kiln_val k[] = {kiln_kw(NULL, "a"), N(1), kiln_kw(NULL, "b"), N(2), kiln_kw(NULL, "c"), N(3), kiln_kw(NULL, "d"), N(4)};
  kiln_val m = kiln_map_from(8, k);
  CHECK(KILN_HAS_TYPE(m, KILN_T_ARRAY_MAP));
  CHECK_STR(kiln_pr_str(m), "{:a 1, :b 2, :c 3, :d 4}");
  CHECK_STR(kiln_pr_str(kiln_dissoc(m, kiln_kw(NULL, "a"))), "{:b 2, :c 3, :d 4}");
  kiln_val t = kiln_dissoc_t(kiln_transient(m), kiln_kw(NULL, "a"));
  CHECK_STR(kiln_pr_str(kiln_persistent(t)), "{:d 4, :b 2, :c 3}");
  CHECK_STR(kiln_pr_str(kiln_conj(m, kiln_vec_from(2, (kiln_val[]){N(5), N(6)}))), "{:a 1, :b 2, :c 3, :d 4, 5 6}");
  CHECK_STR(kiln_pr_str(kiln_find(m, kiln_kw(NULL, "b"))), "[:b 2]");
  CHECK(kiln_find(m, kiln_kw(NULL, "z")) == KILN_NIL);
  CHECK(KILN_HAS_TYPE(kiln_empty(kiln_hash_map_from(2, k)), KILN_T_HASH_MAP));
  kiln_val big = m;
  for (int i = 0; i < 9; i++) big = kiln_assoc(big, N(i), N(i));
  CHECK(KILN_HAS_TYPE(big, KILN_T_HASH_MAP));
  CHECK(kiln_equiv(kiln_dissoc(kiln_assoc(m, N(1), N(1)), N(1)), m));
  CHECK(kiln_hash(m) == kiln_hash(kiln_hash_map_from(8, k)));
  CHECK(kiln_equiv(m, kiln_hash_map_from(8, k)));
  kiln_val tt = kiln_transient(m);
  kiln_persistent(tt);
  kiln_val r, ex;
  CHECK(!kiln_pcall(use_after, (void *)tt, &r, &ex) && kiln_ex_is(ex, "java.lang.IllegalAccessError"));
  CHECK_STR(kiln_pr_str(kiln_map_vals(m)), "(1 2 3 4)");
  CHECK(kiln_map_keys(kiln_empty_map) == KILN_NIL);
  kiln_val withnil = kiln_assoc(kiln_hash_map_from(0, NULL), KILN_NIL, N(7));
  CHECK(kiln_get(withnil, KILN_NIL, N(0)) == N(7));
  CHECK(kiln_count_int(withnil) == 1);
}

int main(void) {
  kiln_rt_init();
  test_jvm_order();
  test_random(false);
  test_random(true);
  test_million();
  test_misc();
  return check_summary();
}
