/*
 * test_hash.c — Murmur3, clojure.core/hash for every kind of value, symbols
 * and keywords, = and compare. Every expected hash was printed by JVM
 * Clojure 1.11 ((hash x) in tests/hash/gen.sh); values are built in C here
 * so the test does not depend on the reader.
 */
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

static kiln_val S(const char *s) { return kiln_str_cstr(s); }
static kiln_val V(uint32_t n, const kiln_val *xs) { return kiln_vec_from(n, xs); }
#define VEC(...) V((uint32_t)(sizeof((kiln_val[]){__VA_ARGS__}) / sizeof(kiln_val)), (kiln_val[]){__VA_ARGS__})
#define LIST(...) kiln_list_from((uint32_t)(sizeof((kiln_val[]){__VA_ARGS__}) / sizeof(kiln_val)), (kiln_val[]){__VA_ARGS__})
#define MAP(...) kiln_map_from((uint32_t)(sizeof((kiln_val[]){__VA_ARGS__}) / sizeof(kiln_val)), (kiln_val[]){__VA_ARGS__})
#define SET(...) kiln_set_from((uint32_t)(sizeof((kiln_val[]){__VA_ARGS__}) / sizeof(kiln_val)), (kiln_val[]){__VA_ARGS__})
#define HASH_IS(x, want)                                                               \
  do {                                                                                 \
    int32_t h_ = kiln_hash(x);                                                         \
    if (h_ != (int32_t)(want)) fprintf(stderr, "  hash of %s: got %d want %d\n", kiln_pr_str(x), h_, (int32_t)(want)); \
    CHECK(h_ == (int32_t)(want));                                                      \
  } while (0)

static kiln_val call(const char *ns, const char *name, uint32_t argc, const kiln_val *argv) {
  return kiln_call(kiln_var_get(kiln_var_intern(ns, name)), argc, argv);
}
#define CALL(ns, name, ...) \
  call(ns, name, (uint32_t)(sizeof((kiln_val[]){__VA_ARGS__}) / sizeof(kiln_val)), (kiln_val[]){__VA_ARGS__})

static void test_murmur(void) {
  CHECK(kiln_murmur3_hash_int(0) == 0);
  CHECK(kiln_murmur3_hash_long(0) == 0);
  CHECK(kiln_murmur3_hash_long(1) == 1392991556);
  CHECK(kiln_murmur3_hash_long(-1) == 1651860712);
  CHECK(kiln_murmur3_hash_int(96354) == 74834163); /* (hash "abc") */
  CHECK(kiln_murmur3_mix_coll_hash(1, 0) == -2017569654); /* (hash []) */
  CHECK(kiln_murmur3_mix_coll_hash(0, 0) == -15128758);   /* (hash {}) */
}

static void test_scalars(void) {
  HASH_IS(KILN_NIL, 0);
  HASH_IS(KILN_TRUE, 1231);
  HASH_IS(KILN_FALSE, 1237);
  HASH_IS(KILN_FIXNUM(0), 0);
  HASH_IS(KILN_FIXNUM(42), 1871679806);
  HASH_IS(KILN_FIXNUM(1000000), 1669527334);
  HASH_IS(kiln_long(INT64_MIN), 1366273829);
  HASH_IS(kiln_long(INT64_MAX), -2106506049);
  HASH_IS(S(""), 0);
  HASH_IS(S("a"), 1455541201);
  HASH_IS(S("abc"), 74834163);
  HASH_IS(S("héllo"), 162369042);
  HASH_IS(S("😀"), -1934073014);
  HASH_IS(S("a😀b"), 1898100721);
  HASH_IS(KILN_CHAR('a'), 97);
  HASH_IS(KILN_CHAR(0xE9), 233);
  HASH_IS(kiln_kw(NULL, "a"), -2123407586);
  HASH_IS(kiln_kw("a", "b"), 1482224565);
  HASH_IS(kiln_kw_parse("abc/def"), -1043781166);
  HASH_IS(kiln_sym(NULL, "a"), -482876059);
  HASH_IS(kiln_sym_parse("a/b"), -1172211204);
  HASH_IS(kiln_sym_parse("clojure.core//"), -601992542);
  HASH_IS(kiln_double(1.5), 1073217536);
  HASH_IS(kiln_double(0.0), 0);
  HASH_IS(kiln_double(-0.0), 0);
}

static void test_collections(void) {
  HASH_IS(kiln_empty_vector, -2017569654);
  HASH_IS(VEC(KILN_FIXNUM(1)), -1381383523);
  HASH_IS(VEC(KILN_FIXNUM(1), KILN_FIXNUM(2), KILN_FIXNUM(3)), 736442005);
  HASH_IS(kiln_empty_list, -2017569654);
  HASH_IS(LIST(KILN_FIXNUM(1), KILN_FIXNUM(2)), 156247261);
  HASH_IS(kiln_empty_map, -15128758);
  HASH_IS(MAP(kiln_kw(NULL, "a"), KILN_FIXNUM(1)), 1772842048);
  HASH_IS(MAP(kiln_kw(NULL, "a"), KILN_FIXNUM(1), kiln_kw(NULL, "b"), KILN_FIXNUM(2)), 161871944);
  HASH_IS(kiln_empty_set, -15128758);
  HASH_IS(SET(KILN_FIXNUM(1)), 1038464948);
  HASH_IS(SET(KILN_FIXNUM(1), KILN_FIXNUM(2), KILN_FIXNUM(3)), 439094965);
  HASH_IS(VEC(KILN_NIL), 965192274);
  HASH_IS(VEC(kiln_empty_vector), 138577571);
  HASH_IS(kiln_map_entry(kiln_kw(NULL, "a"), KILN_FIXNUM(1)), -1809393901);
  HASH_IS(VEC(kiln_kw(NULL, "a"), S("b"), KILN_CHAR('c'), kiln_double(1.0)), 1463905084);
  /* A seq hashes like the list of its elements. */
  HASH_IS(kiln_seq(VEC(KILN_FIXNUM(0), KILN_FIXNUM(1), KILN_FIXNUM(2))), -1475093015);
  CHECK(CALL("clojure.core", "hash-ordered-coll", VEC(KILN_FIXNUM(1))) == KILN_FIXNUM(-1381383523));
  CHECK(CALL("clojure.core", "hash-unordered-coll", SET(KILN_FIXNUM(1))) == KILN_FIXNUM(1038464948));
  CHECK(CALL("clojure.core", "mix-collection-hash", KILN_FIXNUM(1), KILN_FIXNUM(0)) ==
        KILN_FIXNUM(-2017569654));
  CHECK(CALL("clojure.core", "hash", S("abc")) == KILN_FIXNUM(74834163));
}

static void test_symbols(void) {
  kiln_val a = kiln_sym_parse("a/b");
  CHECK_STR(kiln_sym_ns(a), "a");
  CHECK_STR(kiln_sym_name(a), "b");
  CHECK(kiln_sym_ns(kiln_sym_parse("/")) == NULL);
  CHECK_STR(kiln_sym_name(kiln_sym_parse("/")), "/");
  kiln_val cc = kiln_sym_parse("clojure.core//");
  CHECK_STR(kiln_sym_ns(cc), "clojure.core");
  CHECK_STR(kiln_sym_name(cc), "/");
  CHECK_STR(kiln_sym_name(kiln_sym_parse("a/b/c")), "b/c");
  CHECK(kiln_sym(NULL, "x") == kiln_sym(NULL, "x"));
  kiln_val m = kiln_sym_with_meta(kiln_sym(NULL, "x"), MAP(kiln_kw(NULL, "a"), KILN_FIXNUM(1)));
  CHECK(m != kiln_sym(NULL, "x"));
  CHECK(kiln_equiv(m, kiln_sym(NULL, "x")));
  CHECK(kiln_hash(m) == kiln_hash(kiln_sym(NULL, "x")));
  CHECK(!kiln_equiv(kiln_sym("a", "x"), kiln_sym(NULL, "x")));
  CHECK(kiln_kw("a", "b") == kiln_kw_parse("a/b"));
  CHECK_STR(kiln_kw_ns(kiln_kw("a", "b")), "a");
  CHECK_STR(kiln_kw_name(kiln_kw("a", "b")), "b");
  kiln_val g1 = kiln_gensym(NULL), g2 = kiln_gensym("foo");
  CHECK(strncmp(kiln_sym_name(g1), "G__", 3) == 0);
  CHECK(strncmp(kiln_sym_name(g2), "foo", 3) == 0 && kiln_sym_name(g2)[3] >= '0' &&
        kiln_sym_name(g2)[3] <= '9');
  CHECK(!kiln_equiv(g1, kiln_gensym(NULL)));
  CHECK(CALL("clojure.core", "find-keyword", S("never-made-kw-xyz")) == KILN_NIL);
  CHECK(CALL("clojure.core", "find-keyword", S("a/b")) == kiln_kw("a", "b"));
  CHECK(CALL("clojure.core", "keyword", S("a/b")) == kiln_kw("a", "b"));
  CHECK(CALL("clojure.core", "keyword", KILN_NIL, S("x")) == kiln_kw(NULL, "x"));
  CHECK(CALL("clojure.core", "keyword", KILN_FIXNUM(1)) == KILN_NIL);
  CHECK(kiln_equiv(CALL("clojure.core", "symbol", S("p"), S("q")), kiln_sym("p", "q")));
  CHECK(kiln_equiv(CALL("clojure.core", "symbol", kiln_kw("p", "q")), kiln_sym("p", "q")));
  CHECK(kiln_equiv(CALL("clojure.core", "name", kiln_kw("p", "q")), S("q")));
  CHECK(kiln_equiv(CALL("clojure.core", "namespace", kiln_kw("p", "q")), S("p")));
  CHECK(CALL("clojure.core", "namespace", kiln_sym(NULL, "q")) == KILN_NIL);
  CHECK(CALL("clojure.core", "qualified-keyword?", kiln_kw("p", "q")) == KILN_TRUE);
  CHECK(CALL("clojure.core", "simple-keyword?", kiln_kw("p", "q")) == KILN_FALSE);
  CHECK(CALL("clojure.core", "simple-symbol?", kiln_sym(NULL, "q")) == KILN_TRUE);
  CHECK(CALL("clojure.core", "ident?", S("q")) == KILN_FALSE);
}

static kiln_val cmp_args[2];
static kiln_val do_compare(void *ctx) {
  KILN_UNUSED(ctx);
  return KILN_FIXNUM(kiln_compare(cmp_args[0], cmp_args[1]));
}
static const char *compare_error(kiln_val a, kiln_val b) {
  cmp_args[0] = a;
  cmp_args[1] = b;
  kiln_val r, ex;
  if (kiln_pcall(do_compare, NULL, &r, &ex)) return "no exception";
  return kiln_ex_message(ex);
}

static void test_equiv_compare(void) {
  kiln_val v12 = VEC(KILN_FIXNUM(1), KILN_FIXNUM(2));
  CHECK(kiln_equiv(v12, LIST(KILN_FIXNUM(1), KILN_FIXNUM(2))));
  CHECK(kiln_equiv(LIST(KILN_FIXNUM(1), KILN_FIXNUM(2)), kiln_seq(v12)));
  CHECK(kiln_equiv(kiln_empty_vector, kiln_empty_list));
  CHECK(!kiln_equiv(kiln_empty_vector, KILN_NIL));
  CHECK(!kiln_equiv(v12, VEC(KILN_FIXNUM(1))));
  CHECK(!kiln_equiv(KILN_FIXNUM(1), kiln_double(1.0)));
  CHECK(kiln_equiv(S("ab"), S("ab")));
  CHECK(!kiln_equiv(S("a"), KILN_CHAR('a')));
  CHECK(kiln_equiv(MAP(kiln_kw(NULL, "a"), v12), MAP(kiln_kw(NULL, "a"), LIST(KILN_FIXNUM(1), KILN_FIXNUM(2)))));
  CHECK(!kiln_equiv(MAP(kiln_kw(NULL, "a"), KILN_NIL), MAP(kiln_kw(NULL, "b"), KILN_NIL)));
  CHECK(!kiln_equiv(MAP(kiln_kw(NULL, "a"), KILN_NIL), kiln_empty_map));
  CHECK(kiln_equiv(SET(KILN_FIXNUM(1), KILN_FIXNUM(2)), SET(KILN_FIXNUM(2), KILN_FIXNUM(1))));
  CHECK(!kiln_equiv(SET(KILN_FIXNUM(1)), VEC(KILN_FIXNUM(1))));
  CHECK(!kiln_equiv(kiln_empty_map, kiln_empty_vector));
  CHECK(kiln_equiv(kiln_map_entry(KILN_FIXNUM(1), KILN_FIXNUM(2)), v12));
  CHECK(CALL("clojure.core", "=", KILN_FIXNUM(1), KILN_FIXNUM(1), KILN_FIXNUM(1)) == KILN_TRUE);
  CHECK(CALL("clojure.core", "not=", KILN_FIXNUM(1), KILN_FIXNUM(2)) == KILN_TRUE);
  CHECK(CALL("clojure.core", "identical?", kiln_kw(NULL, "a"), kiln_kw(NULL, "a")) == KILN_TRUE);

  CHECK(kiln_compare(KILN_NIL, KILN_FIXNUM(1)) == -1);
  CHECK(kiln_compare(KILN_FIXNUM(1), KILN_NIL) == 1);
  CHECK(kiln_compare(KILN_FIXNUM(1), KILN_FIXNUM(2)) == -1);
  CHECK(kiln_compare(S("a"), S("c")) == -2);
  CHECK(kiln_compare(kiln_kw(NULL, "a"), kiln_kw(NULL, "b")) == -1);
  CHECK(kiln_compare(kiln_kw(NULL, "b"), kiln_kw("a", "b")) == -1);
  CHECK(kiln_compare(kiln_sym("b", "a"), kiln_sym("a", "z")) == 1);
  CHECK(kiln_compare(KILN_FALSE, KILN_TRUE) == -1);
  CHECK(kiln_compare(KILN_CHAR('a'), KILN_CHAR('c')) == -2);
  CHECK(kiln_compare(VEC(KILN_FIXNUM(9)), v12) == -1);
  CHECK(kiln_compare(VEC(KILN_FIXNUM(1), KILN_FIXNUM(3)), v12) == 1);
  CHECK(kiln_compare(v12, VEC(KILN_FIXNUM(1), KILN_FIXNUM(2))) == 0);
  CHECK_STR(compare_error(kiln_kw(NULL, "a"), S("b")),
            "class java.lang.String cannot be cast to class clojure.lang.Keyword "
            "(java.lang.String is in module java.base of loader 'bootstrap'; "
            "clojure.lang.Keyword is in unnamed module of loader 'app')");
  CHECK_STR(compare_error(KILN_FIXNUM(1), S("b")),
            "class java.lang.String cannot be cast to class java.lang.Number "
            "(java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')");
  CHECK_STR(compare_error(LIST(KILN_FIXNUM(1)), LIST(KILN_FIXNUM(2))),
            "class clojure.lang.PersistentList cannot be cast to class java.lang.Comparable "
            "(clojure.lang.PersistentList is in unnamed module of loader 'app'; "
            "java.lang.Comparable is in module java.base of loader 'bootstrap')");
}

int main(void) {
  kiln_rt_init();
  test_murmur();
  test_scalars();
  test_collections();
  test_symbols();
  test_equiv_compare();
  return check_summary();
}
