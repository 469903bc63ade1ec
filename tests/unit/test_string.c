/*
 * test_string.c — strings (UTF-16 counting, surrogates, WTF-8), chars,
 * String.hashCode/compareTo, format, and the clojure.string natives.
 * Expected values were taken from JVM Clojure 1.11 on OpenJDK 17.
 */
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

static kiln_val S(const char *s) { return kiln_str_cstr(s); }

/* Calls ns/name with the given arguments. */
static kiln_val call(const char *ns, const char *name, uint32_t argc, const kiln_val *argv) {
  return kiln_call(kiln_var_get(kiln_var_intern(ns, name)), argc, argv);
}

#define CALL(ns, name, ...) \
  call(ns, name, (uint32_t)(sizeof((kiln_val[]){__VA_ARGS__}) / sizeof(kiln_val)), (kiln_val[]){__VA_ARGS__})

static const char *pr(kiln_val x) { return kiln_pr_str(x); }
static const char *prs(kiln_val x) { return kiln_print_str(x); }

/* The thrown exception's class, or NULL if [f] returned. */
static kiln_val (*thunk_fn)(void);
static kiln_val run_thunk(void *ctx) { KILN_UNUSED(ctx); return thunk_fn(); }
static const char *throws(kiln_val (*f)(void), const char **msg) {
  kiln_val r, ex;
  thunk_fn = f;
  if (kiln_pcall(run_thunk, NULL, &r, &ex)) return NULL;
  if (msg) *msg = kiln_ex_message(ex);
  return ((kiln_exception *)ex)->cls;
}

static void test_sb(void) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  CHECK_STR(kiln_sb_cstr(&sb), "");
  for (int i = 0; i < 1000; i++) kiln_sb_putc(&sb, 'x');
  kiln_sb_printf(&sb, "%d-%s", 42, "y");
  CHECK(sb.len == 1004);
  CHECK_STR(kiln_sb_cstr(&sb) + 1000, "42-y");
  kiln_sb_init(&sb);
  kiln_sb_put_utf8(&sb, 0xE9);
  kiln_sb_put_utf8(&sb, 0x1F600);
  CHECK_STR(kiln_sb_cstr(&sb), "é😀");
}

static void test_units(void) {
  kiln_val s = S("a😀b");
  CHECK(kiln_str_count(s) == 4);
  CHECK(kiln_str_nth(s, 0) == KILN_CHAR('a'));
  CHECK(kiln_str_nth(s, 1) == KILN_CHAR(0xD83D));
  CHECK(kiln_str_nth(s, 2) == KILN_CHAR(0xDE00));
  CHECK(kiln_str_nth(s, 3) == KILN_CHAR('b'));
  CHECK(kiln_str_count(S("héllo")) == 5);
  CHECK_STR(kiln_str_data(kiln_str_subs(s, 1, 3)), "😀");
  CHECK_STR(kiln_str_data(kiln_str_subs(s, 0, 1)), "a");
  CHECK_STR(kiln_str_data(kiln_str_subs(s, 3, 4)), "b");
  /* Splitting a pair gives lone surrogates, and joining them again restores it. */
  kiln_val hi = kiln_str_subs(s, 1, 2), lo = kiln_str_subs(s, 2, 3);
  CHECK(kiln_str_count(hi) == 1 && kiln_str_count(lo) == 1);
  CHECK(kiln_str_nth(hi, 0) == KILN_CHAR(0xD83D));
  CHECK(kiln_str_nth(lo, 0) == KILN_CHAR(0xDE00));
  kiln_val joined = CALL("clojure.core", "str", hi, lo);
  CHECK(kiln_str_equal(joined, S("😀")));
  CHECK(kiln_str_count(kiln_str_subs(s, 0, 2)) == 2);
  CHECK(kiln_str_count(kiln_str_subs(s, 2, 4)) == 2);
  /* Invalid UTF-8 becomes U+FFFD. */
  kiln_val bad = kiln_str_new("a\xff" "b", 3);
  CHECK(kiln_str_count(bad) == 3);
  CHECK(kiln_str_nth(bad, 1) == KILN_CHAR(0xFFFD));
  size_t i = 0;
  CHECK(kiln_utf8_decode("\xc3\xa9", 2, &i) == 0xE9 && i == 2);
  i = 0;
  CHECK(kiln_utf8_decode("\xc3", 1, &i) == 0xFFFD && i == 1);
  i = 0;
  CHECK(kiln_utf8_decode("\xc0\x80", 2, &i) == 0xFFFD); /* overlong */
}

/* Long non-ASCII strings index through checkpoints; compare with a plain walk. */
static void test_long_strings(void) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  uint32_t cps[1000];
  size_t nunits = 0;
  for (int i = 0; i < 1000; i++) {
    uint32_t cp = i % 7 == 0 ? 0x1F600 + (uint32_t)i % 50 : i % 3 == 0 ? 0xE9 : 'a' + (uint32_t)i % 26;
    cps[i] = cp;
    kiln_sb_put_utf8(&sb, cp);
    nunits += cp >= 0x10000 ? 2 : 1;
  }
  kiln_val s = kiln_sb_to_string(&sb);
  CHECK(kiln_str_count(s) == nunits);
  size_t u = 0;
  int bad = 0;
  for (int i = 0; i < 1000; i++) {
    uint32_t cp = cps[i];
    if (cp >= 0x10000) {
      if (kiln_str_nth(s, u) != KILN_CHAR(0xD800 + ((cp - 0x10000) >> 10))) bad++;
      if (kiln_str_nth(s, u + 1) != KILN_CHAR(0xDC00 + ((cp - 0x10000) & 0x3FF))) bad++;
      if (kiln_str_byte_to_unit(s, kiln_str_unit_to_byte(s, u)) != u) bad++;
      u += 2;
    } else {
      if (kiln_str_nth(s, u) != KILN_CHAR(cp)) bad++;
      if (kiln_str_byte_to_unit(s, kiln_str_unit_to_byte(s, u)) != u) bad++;
      u++;
    }
  }
  CHECK(bad == 0);
  kiln_val tail = kiln_str_subs(s, 100, nunits);
  CHECK(kiln_str_count(tail) == nunits - 100);
  CHECK(kiln_str_nth(tail, 0) == kiln_str_nth(s, 100));
}

static void test_hash_compare(void) {
  CHECK(kiln_string_hash_code("abc", 3) == 96354);
  CHECK(kiln_string_hash_code("", 0) == 0);
  /* "😀".hashCode() = 0xD83D * 31 + 0xDE00 */
  CHECK(kiln_string_hash_code("😀", 4) == 0xD83D * 31 + 0xDE00);
  CHECK(kiln_str_compare(S("a"), S("c")) == -2);
  CHECK(kiln_str_compare(S("abc"), S("ab")) == 1);
  CHECK(kiln_str_compare(S("ab"), S("ab")) == 0);
  /* UTF-16 order: U+FFFF sorts after a surrogate pair (UTF-8 order would differ). */
  CHECK(kiln_str_compare(S("\xef\xbf\xbf"), S("😀")) > 0);
  CHECK(kiln_str_compare(S("é"), S("e")) == 0xE9 - 'e');
}

static kiln_val subs_oob(void) { return CALL("clojure.core", "subs", S("abc"), KILN_FIXNUM(1), KILN_FIXNUM(10)); }

static void test_core_natives(void) {
  CHECK_STR(kiln_str_data(CALL("clojure.core", "subs", S("hello"), KILN_FIXNUM(1))), "ello");
  CHECK_STR(kiln_str_data(CALL("clojure.core", "subs", S("hello"), KILN_FIXNUM(1), KILN_FIXNUM(3))), "el");
  const char *msg = NULL;
  CHECK_STR(throws(subs_oob, &msg), "java.lang.StringIndexOutOfBoundsException");
  CHECK_STR(msg, "begin 1, end 10, length 3");
  CHECK(CALL("clojure.core", "string?", S("x")) == KILN_TRUE);
  CHECK(CALL("clojure.core", "string?", KILN_CHAR('x')) == KILN_FALSE);
  CHECK(CALL("clojure.core", "char?", KILN_CHAR('x')) == KILN_TRUE);
  CHECK_STR(pr(kiln_get(kiln_var_get(kiln_var_intern("clojure.core", "char-escape-string")),
                        KILN_CHAR('\n'), KILN_NIL)), "\"\\\\n\"");
  CHECK_STR(pr(kiln_get(kiln_var_get(kiln_var_intern("clojure.core", "char-name-string")),
                        KILN_CHAR(' '), KILN_NIL)), "\"space\"");
}

static const char *fmt(const char *f, uint32_t n, const kiln_val *args) {
  return kiln_str_data(kiln_format(S(f), n, args));
}

static void test_format(void) {
  kiln_val a1[] = {kiln_double(0.125), kiln_double(0.15), kiln_double(0.1), kiln_double(12.3456),
                   kiln_double(0.000123), kiln_double(1.5)};
  CHECK_STR(fmt("%.2f|%.1f|%.20f|%e|%10.3e|%g", 6, a1),
            "0.13|0.2|0.10000000000000000000|1.234560e+01| 1.230e-04|1.50000");
  kiln_val a2[] = {KILN_FIXNUM(-1), KILN_FIXNUM(8), KILN_FIXNUM(255), kiln_double(3.14159),
                   KILN_FIXNUM(42), KILN_FIXNUM(5), KILN_FIXNUM(1234567), KILN_FIXNUM(-3),
                   KILN_NIL, KILN_CHAR('a'), KILN_NIL, kiln_kw(NULL, "ab"), S("x"), S("y"), S("abc")};
  CHECK_STR(fmt("%x|%o|%X|%08.2f|%-5d|%+d|%,d|%(d|%b|%c|%s|%S|%5s|%-5s|%.2s", 15, a2),
            "ffffffffffffffff|10|FF|00003.14|42   |+5|1,234,567|(3)|false|a|null|:AB|    x|y    |ab");
  kiln_val a3[] = {S("a"), KILN_FIXNUM(2)};
  CHECK_STR(fmt("%2$d %1$s %% %n", 2, a3), "2 a % \n");
  kiln_val a4[] = {kiln_double(2.5), kiln_double(-0.5), kiln_double(1e10), kiln_double(123.456)};
  CHECK_STR(fmt("%.0f %.0f %.1f %.2e", 4, a4), "3 -1 10000000000.0 1.23e+02");
}

static void test_clojure_string(void) {
#define STR_CALL(name, ...) kiln_str_data(CALL("clojure.string", name, __VA_ARGS__))
  CHECK_STR(STR_CALL("upper-case", S("héllo ß")), "HÉLLO SS");
  CHECK_STR(STR_CALL("lower-case", S("HÉLLO")), "héllo");
  CHECK_STR(STR_CALL("capitalize", S("hELLO")), "Hello");
  CHECK_STR(STR_CALL("capitalize", S("")), "");
  CHECK_STR(STR_CALL("trim", S(" \t a b \n")), "a b");
  CHECK_STR(STR_CALL("triml", S("  a ")), "a ");
  CHECK_STR(STR_CALL("trimr", S("  a ")), "  a");
  CHECK_STR(STR_CALL("trim", S("   ")), "");
  CHECK_STR(STR_CALL("trim-newline", S("a\r\n\n")), "a");
  CHECK(CALL("clojure.string", "blank?", KILN_NIL) == KILN_TRUE);
  CHECK(CALL("clojure.string", "blank?", S(" \u2003\n")) == KILN_TRUE);
  CHECK(CALL("clojure.string", "blank?", S(" x")) == KILN_FALSE);
  CHECK(CALL("clojure.string", "starts-with?", S("hello"), S("he")) == KILN_TRUE);
  CHECK(CALL("clojure.string", "ends-with?", S("hello"), S("lo")) == KILN_TRUE);
  CHECK(CALL("clojure.string", "ends-with?", S("hello"), S("he")) == KILN_FALSE);
  CHECK(CALL("clojure.string", "includes?", S("hello"), S("ll")) == KILN_TRUE);
  CHECK(CALL("clojure.string", "index-of", S("a😀bb"), S("b")) == KILN_FIXNUM(3));
  CHECK(CALL("clojure.string", "index-of", S("abcb"), KILN_CHAR('b'), KILN_FIXNUM(2)) == KILN_FIXNUM(3));
  CHECK(CALL("clojure.string", "index-of", S("abc"), S("z")) == KILN_NIL);
  CHECK(CALL("clojure.string", "last-index-of", S("abcb"), S("b")) == KILN_FIXNUM(3));
  CHECK(CALL("clojure.string", "last-index-of", S("abcb"), S("b"), KILN_FIXNUM(2)) == KILN_FIXNUM(1));
  CHECK_STR(STR_CALL("reverse", S("a😀b")), "b😀a");
  kiln_val items[] = {KILN_FIXNUM(1), KILN_NIL, S("x")};
  kiln_val v = kiln_vec_from(3, items);
  CHECK_STR(STR_CALL("join", v), "1x");
  CHECK_STR(STR_CALL("join", S(", "), v), "1, , x");
  CHECK_STR(STR_CALL("replace", S("a.b.c"), S("."), S("$")), "a$b$c");
  CHECK_STR(STR_CALL("replace", S("abc"), KILN_CHAR('b'), KILN_CHAR('x')), "axc");
  CHECK_STR(STR_CALL("replace-first", S("a.b.c"), S("."), S("-")), "a-b.c");
  kiln_val re = kiln_regex_new(S("(\\w)(\\d)"));
  CHECK_STR(STR_CALL("replace", S("a1 b2 c"), re, S("$2$1\\$")), "1a$ 2b$ c");
  CHECK_STR(STR_CALL("replace-first", S("a1 b2 c"), re, S("<$0>")), "<a1> b2 c");
  CHECK_STR(pr(CALL("clojure.string", "split", S("a,b,,c,,"), kiln_regex_new(S(",")))),
            "[\"a\" \"b\" \"\" \"c\"]");
  CHECK_STR(pr(CALL("clojure.string", "split", S("a,b,,c,,"), kiln_regex_new(S(",")), KILN_FIXNUM(-1))),
            "[\"a\" \"b\" \"\" \"c\" \"\" \"\"]");
  CHECK_STR(pr(CALL("clojure.string", "split", S("a,b,c"), kiln_regex_new(S(",")), KILN_FIXNUM(2))),
            "[\"a\" \"b,c\"]");
  CHECK_STR(pr(CALL("clojure.string", "split", S("abc"), kiln_regex_new(S("")))),
            "[\"a\" \"b\" \"c\"]");
  CHECK_STR(pr(CALL("clojure.string", "split", S(""), kiln_regex_new(S(",")))), "[\"\"]");
  CHECK_STR(pr(CALL("clojure.string", "split", S(" a  b "), kiln_regex_new(S("\\s+")))),
            "[\"\" \"a\" \"b\"]");
  CHECK_STR(pr(CALL("clojure.string", "split-lines", S("a\nb\r\nc\n\n"))), "[\"a\" \"b\" \"c\"]");
  CHECK_STR(STR_CALL("escape", S("a<b>"), kiln_map_from(4, (kiln_val[]){KILN_CHAR('<'), S("&lt;"), KILN_CHAR('>'), S("&gt;")})),
            "a&lt;b&gt;");
  CHECK_STR(STR_CALL("re-quote-replacement", S("a$1\\b")), "a\\$1\\\\b");
#undef STR_CALL
}

static kiln_val bad_intersection(void) { return kiln_regex_new(S("[a-c&&[^b]]")); }
static kiln_val bad_syntax(void) { return kiln_regex_new(S("(a")); }

static void test_regex(void) {
  kiln_val re = kiln_regex_new(S("(\\d+)-(\\d+)?"));
  CHECK_STR(pr(kiln_regex_find(re, S("x 12- y"))), "[\"12-\" \"12\" nil]");
  CHECK_STR(pr(kiln_regex_matches(kiln_regex_new(S("\\d+")), S("123"))), "\"123\"");
  CHECK(kiln_regex_matches(kiln_regex_new(S("\\d+")), S("123a")) == KILN_NIL);
  CHECK_STR(pr(CALL("clojure.core", "re-seq", kiln_regex_new(S("x*")), S("axb"))), "(\"\" \"x\" \"\" \"\")");
  CHECK_STR(pr(CALL("clojure.core", "re-seq", kiln_regex_new(S("\\p{Alpha}+")), S("ab1cd"))), "(\"ab\" \"cd\")");
  CHECK(CALL("clojure.core", "re-seq", kiln_regex_new(S("z")), S("abc")) == KILN_NIL);
  kiln_val m = CALL("clojure.core", "re-matcher", kiln_regex_new(S("[a-z]")), S("a1b"));
  CHECK_STR(pr(CALL("clojure.core", "re-find", m)), "\"a\"");
  CHECK_STR(pr(CALL("clojure.core", "re-groups", m)), "\"a\"");
  CHECK_STR(pr(CALL("clojure.core", "re-find", m)), "\"b\"");
  CHECK(CALL("clojure.core", "re-find", m) == KILN_NIL);
  CHECK_STR(pr(kiln_regex_find(kiln_regex_new(S("\\u00e9.")), S("aéb"))), "\"éb\"");
  /* Java's class union and its lack of POSIX bracket classes. */
  CHECK_STR(pr(kiln_regex_find(kiln_regex_new(S("[a-c[x-z]]+")), S("--abxyz--"))), "\"abxyz\"");
  CHECK_STR(pr(kiln_regex_find(kiln_regex_new(S("[[:alpha:]]+")), S("ab1:"))), "\"a\"");
  CHECK_STR(throws(bad_intersection, NULL), "java.util.regex.PatternSyntaxException");
  CHECK_STR(throws(bad_syntax, NULL), "java.util.regex.PatternSyntaxException");
  CHECK_STR(pr(kiln_regex_new(S("a\"b\\d"))), "#\"a\\\"b\\d\"");
  CHECK_STR(prs(kiln_regex_new(S("x\"y"))), "#\"x\\\"y\"");
  CHECK_STR(pr(CALL("clojure.core", "str", kiln_regex_new(S("a\\\"b")))), "\"a\\\\\\\"b\"");
}

int main(void) {
  kiln_rt_init();
  test_sb();
  test_units();
  test_long_strings();
  test_hash_compare();
  test_core_natives();
  test_format();
  test_clojure_string();
  test_regex();
  return check_summary();
}
