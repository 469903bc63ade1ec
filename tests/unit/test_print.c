/*
 * test_print.c — the printer and the writers. Expected text is what JVM
 * Clojure 1.11 prints for the same values (pr-str / print-str / str).
 */
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

static kiln_val S(const char *s) { return kiln_str_cstr(s); }
static kiln_val K(const char *q) { return kiln_kw_parse(q); }
#define N(i) KILN_FIXNUM(i)
#define COUNT_OF(...) ((uint32_t)(sizeof((kiln_val[]){__VA_ARGS__}) / sizeof(kiln_val)))
#define VEC(...) kiln_vec_from(COUNT_OF(__VA_ARGS__), (kiln_val[]){__VA_ARGS__})
#define LIST(...) kiln_list_from(COUNT_OF(__VA_ARGS__), (kiln_val[]){__VA_ARGS__})
#define MAP(...) kiln_map_from(COUNT_OF(__VA_ARGS__), (kiln_val[]){__VA_ARGS__})
#define SET(...) kiln_set_from(COUNT_OF(__VA_ARGS__), (kiln_val[]){__VA_ARGS__})

static const char *pr(kiln_val x) { return kiln_pr_str(x); }
static bool starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }
static const char *prn(kiln_val x) { return kiln_print_str(x); }
static const char *str(kiln_val x) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_str_to(&sb, x);
  return kiln_sb_cstr(&sb);
}

static kiln_val call(const char *ns, const char *name, uint32_t argc, const kiln_val *argv) {
  return kiln_call(kiln_var_get(kiln_var_intern(ns, name)), argc, argv);
}

static void test_scalars(void) {
  CHECK_STR(pr(KILN_NIL), "nil");
  CHECK_STR(pr(KILN_TRUE), "true");
  CHECK_STR(pr(KILN_FALSE), "false");
  CHECK_STR(pr(N(-42)), "-42");
  CHECK_STR(pr(S("a\"b\\c\n\t\r\f\b")), "\"a\\\"b\\\\c\\n\\t\\r\\f\\b\"");
  /* Other control characters are written raw, as on the JVM. */
  CHECK(memcmp(pr(kiln_str_new("a\0b\x07", 4)), "\"a\0b\x07\"", 6) == 0);
  CHECK_STR(prn(S("a\"b")), "a\"b");
  CHECK_STR(pr(S("é😀")), "\"é😀\"");
  CHECK_STR(pr(KILN_CHAR('a')), "\\a");
  CHECK_STR(pr(KILN_CHAR('\n')), "\\newline");
  CHECK_STR(pr(KILN_CHAR(' ')), "\\space");
  CHECK_STR(pr(KILN_CHAR('\t')), "\\tab");
  CHECK_STR(pr(KILN_CHAR('\b')), "\\backspace");
  CHECK_STR(pr(KILN_CHAR('\f')), "\\formfeed");
  CHECK_STR(pr(KILN_CHAR('\r')), "\\return");
  CHECK_STR(pr(KILN_CHAR(0xE9)), "\\é");
  CHECK_STR(prn(KILN_CHAR('a')), "a");
  CHECK_STR(pr(kiln_sym_parse("a/b")), "a/b");
  CHECK_STR(pr(kiln_sym_parse("clojure.core//")), "clojure.core//");
  CHECK_STR(pr(K("a/b")), ":a/b");
  CHECK_STR(pr(K("x")), ":x");
  CHECK_STR(pr(kiln_double(1.5)), "1.5");
}

static void test_collections(void) {
  CHECK_STR(pr(LIST(N(1), N(2))), "(1 2)");
  CHECK_STR(pr(kiln_empty_list), "()");
  CHECK_STR(pr(VEC(N(1), S("a"), KILN_CHAR('b'))), "[1 \"a\" \\b]");
  CHECK_STR(prn(VEC(N(1), S("a"), KILN_CHAR('b'))), "[1 a b]");
  CHECK_STR(pr(kiln_empty_vector), "[]");
  CHECK_STR(pr(MAP(K("a"), N(1), K("b"), N(2))), "{:a 1, :b 2}");
  CHECK_STR(pr(kiln_empty_map), "{}");
  CHECK_STR(pr(SET(N(1))), "#{1}");
  CHECK_STR(pr(kiln_empty_set), "#{}");
  CHECK_STR(pr(kiln_map_entry(K("a"), N(1))), "[:a 1]");
  CHECK_STR(pr(kiln_seq(MAP(K("a"), N(1)))), "([:a 1])");
  CHECK_STR(pr(kiln_seq(VEC(N(1), N(2)))), "(1 2)");
  CHECK_STR(pr(VEC(MAP(K("a"), VEC(N(1))), LIST())), "[{:a [1]} ()]");
  CHECK_STR(str(VEC(S("a"), KILN_CHAR('b'))), "[\"a\" \\b]");
  CHECK_STR(str(LIST(N(1), N(2))), "(1 2)");
  CHECK_STR(str(KILN_NIL), "");
  CHECK_STR(str(K("a")), ":a");
  CHECK_STR(str(KILN_CHAR(0xE9)), "é");
}

static void with_bindings(kiln_var *v, kiln_val val) {
  kiln_var *vars[] = {v};
  kiln_val vals[] = {val};
  kiln_var_push_bindings_n(1, vars, vals);
}

static void test_print_vars(void) {
  with_bindings(kiln_v_print_length, N(2));
  kiln_val xs[] = {VEC(N(1), N(2), N(3)), LIST(N(1), N(2)), VEC(N(1), N(2)),
                   MAP(K("a"), N(1), K("b"), N(2), K("c"), N(3)), SET(N(1))};
  CHECK_STR(kiln_str_data(call("clojure.core", "pr-str", 5, xs)),
            "[1 2 ...] (1 2) [1 2] {:a 1, :b 2, ...} #{1}");
  kiln_var_pop_bindings();

  with_bindings(kiln_v_print_level, N(1));
  CHECK_STR(pr(VEC(N(1), VEC(N(2), VEC(N(3))), MAP(K("a"), MAP(K("b"), N(1))))), "[1 # #]");
  kiln_var_pop_bindings();
  with_bindings(kiln_v_print_level, N(0));
  CHECK_STR(pr(VEC(N(1))), "#");
  CHECK_STR(pr(N(1)), "1");
  kiln_var_pop_bindings();

  with_bindings(kiln_v_print_meta, KILN_TRUE);
  kiln_val m = MAP(K("b"), N(2));
  CHECK_STR(pr(kiln_with_meta(VEC(N(1)), MAP(K("a"), N(1)))), "^{:a 1} [1]");
  CHECK_STR(pr(kiln_sym_with_meta(kiln_sym(NULL, "x"), m)), "^{:b 2} x");
  CHECK_STR(prn(kiln_sym_with_meta(kiln_sym(NULL, "x"), m)), "x");
  kiln_var_pop_bindings();

  with_bindings(kiln_v_print_namespace_maps, KILN_TRUE);
  CHECK_STR(pr(MAP(K("a/b"), N(1), K("a/c"), N(2))), "#:a{:b 1, :c 2}");
  CHECK_STR(pr(MAP(K("a/b"), N(1), K("c"), N(2))), "{:a/b 1, :c 2}");
  CHECK_STR(pr(MAP(kiln_sym("x", "y"), N(1))), "#:x{y 1}");
  CHECK_STR(pr(kiln_empty_map), "{}");
  kiln_var_pop_bindings();
  CHECK_STR(pr(MAP(K("a/b"), N(1))), "{:a/b 1}");

  with_bindings(kiln_v_print_readably, KILN_FALSE);
  CHECK_STR(str(VEC(S("a"))), "[a]");
  kiln_var_pop_bindings();
}

static kiln_val plain_fn(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  KILN_UNUSED(self), KILN_UNUSED(argc), KILN_UNUSED(argv);
  return KILN_NIL;
}

static void test_objects(void) {
  kiln_var *v = kiln_var_intern("user", "foo");
  CHECK_STR(pr((kiln_val)v), "#'user/foo");
  /* JVM Clojure 1.11 prints a namespace as an #object whose toString is its name. */
  const char *ns = pr(kiln_ns_find(kiln_sym(NULL, "user")));
  CHECK(starts_with(ns, "#object[clojure.lang.Namespace 0x"));
  CHECK(strstr(ns, " \"user\"]") != NULL);
  CHECK_STR(str(kiln_ns_find(kiln_sym(NULL, "user"))), "user");
  kiln_val f = (kiln_val)kiln_fn_new(plain_fn, "user/foo-bar?", 0);
  const char *t = pr(f);
  CHECK(starts_with(t, "#object[user$foo_bar_QMARK_ 0x"));
  CHECK(strstr(t, " \"user$foo_bar_QMARK_@") != NULL);
  CHECK(starts_with(str(f), "user$foo_bar_QMARK_@"));
  kiln_val ex = kiln_ex_info(S("boom"), MAP(K("a"), N(1)), KILN_NIL);
  CHECK_STR(pr(ex), "#error {\n :cause \"boom\"\n :data {:a 1}\n :via\n [{:type clojure.lang.ExceptionInfo\n"
                    "   :message \"boom\"\n   :data {:a 1}}]\n :trace\n []}");
  CHECK_STR(str(ex), "clojure.lang.ExceptionInfo: boom {:a 1}");
  kiln_val rt = kiln_ex_new(KILN_EX_RUNTIME, KILN_NIL, KILN_NIL, KILN_NIL);
  CHECK_STR(str(rt), "java.lang.RuntimeException");
  kiln_val outer = kiln_ex_info(S("outer"), MAP(K("b"), N(2)),
                                kiln_ex_new(KILN_EX_RUNTIME, S("inner"), KILN_NIL, KILN_NIL));
  CHECK_STR(pr(outer), "#error {\n :cause \"inner\"\n :via\n [{:type clojure.lang.ExceptionInfo\n"
                       "   :message \"outer\"\n   :data {:b 2}}\n  {:type java.lang.RuntimeException\n"
                       "   :message \"inner\"}]\n :trace\n []}");
  kiln_val r = kiln_reduced(N(3));
  CHECK(starts_with(pr(r), "#object[clojure.lang.Reduced 0x"));
  CHECK(strstr(pr(r), " {:status :ready, :val 3}]") != NULL);
  kiln_val a = kiln_call1(kiln_var_get(kiln_var_intern("clojure.core", "atom")), N(1));
  CHECK(starts_with(pr(a), "#object[clojure.lang.Atom 0x"));
  CHECK(strstr(pr(a), " {:status :ready, :val 1}]") != NULL);
  CHECK(starts_with(str(a), "clojure.lang.Atom@"));
}

static void test_natives_and_writers(void) {
  kiln_val args[] = {S("a"), N(1), KILN_NIL, KILN_CHAR('c')};
  CHECK_STR(kiln_str_data(call("clojure.core", "str", 4, args)), "a1c");
  CHECK_STR(kiln_str_data(call("clojure.core", "str", 0, NULL)), "");
  CHECK_STR(kiln_str_data(call("clojure.core", "pr-str", 4, args)), "\"a\" 1 nil \\c");
  CHECK_STR(kiln_str_data(call("clojure.core", "prn-str", 2, args)), "\"a\" 1\n");
  CHECK_STR(kiln_str_data(call("clojure.core", "print-str", 4, args)), "a 1 nil c");
  CHECK_STR(kiln_str_data(call("clojure.core", "println-str", 2, args)), "a 1\n");

  kiln_val w = kiln_writer_string();
  with_bindings(kiln_v_out, w);
  call("clojure.core", "pr", 2, args);
  call("clojure.core", "newline", 0, NULL);
  call("clojure.core", "print", 2, args);
  call("clojure.core", "println", 0, NULL);
  call("clojure.core", "prn", 1, args);
  kiln_val pf[] = {S("<%d|%s>"), N(3), K("k")};
  call("clojure.core", "printf", 3, pf);
  kiln_var_pop_bindings();
  CHECK_STR(kiln_str_data(kiln_writer_string_value(w)), "\"a\" 1\na 1\n\"a\"\n<3|:k>");
  CHECK_STR(str(w), "\"a\" 1\na 1\n\"a\"\n<3|:k>");
  kiln_val mu = S("foo-bar?/x");
  CHECK_STR(kiln_str_data(call("clojure.core", "munge", 1, &mu)), "foo_bar_QMARK__SLASH_x");
}

/* A callback writer that records each flush. */
static int flushes;
static kiln_sb flushed;
static void cb_write(kiln_writer *w, const char *s, size_t n) { kiln_sb_putn(&w->sb, s, n); }
static void cb_flush(kiln_writer *w) {
  flushes++;
  kiln_sb_putn(&flushed, w->sb.buf ? w->sb.buf : "", w->sb.len);
  w->sb.len = 0;
}

static void test_callback_writer(void) {
  kiln_sb_init(&flushed);
  kiln_val w = kiln_writer_callback(cb_write, cb_flush, NULL);
  with_bindings(kiln_v_out, w);
  kiln_val x = S("hi");
  call("clojure.core", "print", 1, &x);
  CHECK(flushes == 0);
  call("clojure.core", "println", 1, &x);
  CHECK(flushes == 1);
  call("clojure.core", "flush", 0, NULL);
  kiln_var_pop_bindings();
  CHECK_STR(kiln_sb_cstr(&flushed), "hihi\n");
}

int main(void) {
  kiln_rt_init();
  test_scalars();
  test_collections();
  test_print_vars();
  test_objects();
  test_natives_and_writers();
  test_callback_writer();
  return check_summary();
}
