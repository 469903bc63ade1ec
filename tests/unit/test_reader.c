/*
 * test_reader.c — the reader from C: what only C can see (positions,
 * metadata, options, error data, #inst/#uuid values, aliases) and JVM
 * results for forms the corpus cannot hold (errors stop a file).
 */
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

typedef struct rd {
  const char *text;
  kiln_read_opts opts;
  kiln_val form;
} rd;

static kiln_val read_one_body(void *p) {
  rd *c = p;
  kiln_reader *r = kiln_reader_new(c->text, strlen(c->text), &c->opts);
  if (!kiln_reader_next(r, &c->form)) return KILN_FALSE;
  return KILN_TRUE;
}

/* The first form of [text] printed with pr, or "ERR line:col: message". */
static const char *rd_opts(const char *text, kiln_read_opts opts) {
  rd c = {text, opts, KILN_NIL};
  kiln_val res, ex;
  if (!kiln_pcall(read_one_body, &c, &res, &ex)) {
    const char *file;
    int line, col;
    kiln_sb sb;
    kiln_sb_init(&sb);
    if (kiln_reader_error_pos(ex, &file, &line, &col))
      kiln_sb_printf(&sb, "ERR %d:%d: %s", line, col, kiln_ex_message(ex));
    else
      kiln_sb_printf(&sb, "ERR (not a reader exception) %s", kiln_ex_message(ex));
    return kiln_sb_cstr(&sb);
  }
  if (res == KILN_FALSE) return "EOF";
  return kiln_pr_str(c.form);
}

static const char *rd1(const char *text) {
  kiln_read_opts o = {.file = "t.clj", .allow_cond = true};
  return rd_opts(text, o);
}

static kiln_val form_of(const char *text) {
  kiln_read_opts o = {.file = "t.clj", .allow_cond = true};
  kiln_reader *r = kiln_reader_new(text, strlen(text), &o);
  kiln_val f = KILN_NIL;
  CHECK(kiln_reader_next(r, &f));
  return f;
}

/* Every form of [text], printed and joined by " | ". */
static const char *rd_all(const char *text) {
  kiln_read_opts o = {.file = "t.clj", .allow_cond = true};
  kiln_reader *r = kiln_reader_new(text, strlen(text), &o);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_val f;
  while (kiln_reader_next(r, &f)) {
    if (sb.len) kiln_sb_puts(&sb, " | ");
    kiln_sb_puts(&sb, kiln_pr_str(f));
  }
  return kiln_sb_cstr(&sb);
}

static void test_basics(void) {
  CHECK_STR(rd1("(a [b {:c 1}] #{2})"), "(a [b {:c 1}] #{2})");
  CHECK_STR(rd1(""), "EOF");
  CHECK_STR(rd1("  ; only a comment\n"), "EOF");
  CHECK_STR(rd1("#_ x"), "EOF");
  CHECK_STR(rd_all("a b ; c\n d #_e f"), "a | b | d | f");
  CHECK_STR(rd1("\xEF\xBB\xBF:bom"), ":bom");
  CHECK_STR(rd1("a\u00a0b"), "a\u00a0b"); /* no-break space is not whitespace */
  CHECK_STR(rd_all("a\u2003b"), "a | b");  /* em space is */
  CHECK_STR(rd1("\"a\r\nb\""), "\"a\\nb\""); /* as LineNumberReader */
}

static void test_errors(void) {
  CHECK_STR(rd1("(a b"), "ERR 1:5: EOF while reading, starting at line 1");
  CHECK_STR(rd1("\n\n  [1\n 2"), "ERR 4:3: EOF while reading, starting at line 3");
  CHECK_STR(rd1("  )"), "ERR 1:3: Unmatched delimiter: )");
  CHECK_STR(rd1("(a ]"), "ERR 1:4: Unmatched delimiter: ]");
  CHECK_STR(rd1("x ::"), "x");
  CHECK_STR(rd_opts("::", (kiln_read_opts){0}), "ERR 1:1: Invalid token: ::");
  CHECK_STR(rd1(" :a:"), "ERR 1:2: Invalid token: :a:");
  CHECK_STR(rd1("a::b"), "ERR 1:1: Invalid token: a::b");
  CHECK_STR(rd1("a/"), "ERR 1:1: Invalid token: a/");
  CHECK_STR(rd1("/a"), "ERR 1:1: Invalid token: /a");
  CHECK_STR(rd1("a:/b"), "ERR 1:1: Invalid token: a:/b");
  CHECK_STR(rd1("(1 1x)"), "ERR 1:4: Invalid number: 1x");
  CHECK_STR(rd1("08"), "ERR 1:1: Invalid number: 08");
  CHECK_STR(rd1("\\foo"), "ERR 1:1: Unsupported character: \\foo");
  CHECK_STR(rd1("\\u12"), "ERR 1:1: Invalid unicode character: \\u12");
  CHECK_STR(rd1("\\ux123"), "ERR 1:1: Invalid digit: x");
  CHECK_STR(rd1("\\uD800"), "ERR 1:1: Invalid character constant: \\ud800");
  CHECK_STR(rd1("\\o400"), "ERR 1:1: Octal escape sequence must be in range [0, 377].");
  CHECK_STR(rd1("\\o4000"), "ERR 1:1: Invalid octal escape sequence length: 4");
  CHECK_STR(rd1("\\"), "ERR 1:2: EOF while reading character");
  CHECK_STR(rd1("{:a 1 :b}"), "ERR 1:1: Map literal must contain an even number of forms");
  CHECK_STR(rd1("{:a 1 :a 2}"), "ERR 1:1: Duplicate key: :a");
  CHECK_STR(rd1("{\"a\" 1 \"a\" 2}"), "ERR 1:1: Duplicate key: a");
  CHECK_STR(rd1("#{1 2 1}"), "ERR 1:1: Duplicate key: 1");
  CHECK_STR(rd1("\"abc"), "ERR 1:5: EOF while reading string");
  CHECK_STR(rd1("\"a\\qb\""), "ERR 1:3: Unsupported escape character: \\q");
  CHECK_STR(rd1("\"\\8\""), "ERR 1:2: Invalid digit: 8");
  CHECK_STR(rd1("\"\\0a\""), "ERR 1:2: Invalid digit: a");
  CHECK_STR(rd1("\"\\400\""), "ERR 1:2: Octal escape sequence must be in range [0, 377].");
  CHECK_STR(rd1("\"\\u12\""), "ERR 1:2: Invalid character length: 2, should be: 4");
  CHECK_STR(rd1("\"\\uxy\""), "ERR 1:2: Invalid unicode escape: \\ux");
  CHECK_STR(rd1("#\"abc"), "ERR 1:6: EOF while reading regex");
  CHECK_STR(rd1("^:foo 1"), "ERR 1:1: Metadata can only be applied to IMetas");
  CHECK_STR(rd1("^1 x"), "ERR 1:1: Metadata must be Symbol,Keyword,String or Map");
  CHECK_STR(rd1("#=(+ 1 2)"), "ERR 1:1: EvalReader not allowed when *read-eval* is false.");
  CHECK_STR(rd1("#<foo>"), "ERR 1:1: Unreadable form");
  CHECK_STR(rd1("#foo 1"), "ERR 1:1: No reader function for tag foo");
  CHECK_STR(rd1("#1 2"), "ERR 1:1: Reader tag must be a symbol");
  CHECK_STR(rd1("#foo.Bar{}"),
            "ERR 1:1: Record construction syntax can only be used when *read-eval* == true");
  CHECK_STR(rd1("##foo"), "ERR 1:1: Unknown symbolic value: ##foo");
  CHECK_STR(rd1("##1"), "ERR 1:1: Invalid token: ##1");
  CHECK_STR(rd1("#inst \"2020-13-01\""), "ERR 1:1: failed: (<= 1 months 12)");
  CHECK_STR(rd1("#inst \"2020-1-1\""), "ERR 1:1: Unrecognized date/time syntax: 2020-1-1");
  CHECK_STR(rd1("#{1 1N}"), "ERR 1:1: Duplicate key: 1"); /* BigInt's toString */
  CHECK_STR(rd1("#uuid \"abc\""), "ERR 1:1: Invalid UUID string: abc");
  CHECK_STR(rd1("#(#(%))"), "ERR 1:3: Nested #()s are not allowed");
  CHECK_STR(rd1("#(%a)"), "ERR 1:3: arg literal must be %, %& or %integer");
  CHECK_STR(rd1("`~@a"), "ERR 1:1: splice not in list");
  CHECK_STR(rd1("(a #_)"), "ERR 1:6: Unmatched delimiter: )");
  CHECK_STR(rd1("#"), "ERR 1:2: EOF while reading character");
  CHECK_STR(rd1("'"), "ERR 1:2: EOF while reading");
  CHECK_STR(rd1("#:a[1]"), "ERR 1:1: Namespaced map must specify a map");
  CHECK_STR(rd1("#: {}"), "ERR 1:1: Namespaced map must specify a namespace");
  CHECK_STR(rd1("#:a/b{}"), "ERR 1:1: Namespaced map must specify a valid namespace: a/b");
  CHECK_STR(rd1("#::nope{:a 1}"), "ERR 1:1: Unknown auto-resolved namespace alias: nope");
  CHECK_STR(rd1("#:a{:b 1 :b 2}"), "ERR 1:1: Duplicate key: :a/b");
  CHECK_STR(rd1("::nope/x"), "ERR 1:1: Invalid token: ::nope/x");
  /* ex-data of a reader exception */
  rd c = {"\n  )", {.file = "f.clj"}, KILN_NIL};
  kiln_val res, ex;
  CHECK(!kiln_pcall(read_one_body, &c, &res, &ex));
  CHECK(kiln_ex_is(ex, "clojure.lang.ExceptionInfo"));
  CHECK_STR(kiln_pr_str(((kiln_exception *)ex)->data),
            "{:type :reader-exception, :file \"f.clj\", :line 2, :column 3}");
}

static void test_cond(void) {
  CHECK_STR(rd1("#?(:clj 1 :kiln 2)"), "2");
  CHECK_STR(rd1("#?(:clj 1 :default 3)"), "3");
  CHECK_STR(rd_all("#?(:clj 1) x"), "x");
  CHECK_STR(rd1("[#?@(:kiln [1 2]) 3]"), "[1 2 3]");
  CHECK_STR(rd1("#?(:clj #bogus 1 :clj ::bogus/x :clj #::bogus{} :kiln ok)"), "ok");
  CHECK_STR(rd1("#?(:else 1)"), "ERR 1:4: Feature name :else is reserved.");
  CHECK_STR(rd1("#?(1 2)"), "ERR 1:4: Feature should be a keyword: 1");
  CHECK_STR(rd1("#?(:kiln)"), "ERR 1:9: read-cond starting on line 1 requires an even number of forms");
  CHECK_STR(rd1("#?[]"), "ERR 1:1: read-cond body must be a list");
  CHECK_STR(rd1("#?(:kiln 1"), "ERR 1:11: EOF while reading, starting at line 1");
  CHECK_STR(rd1("#?@(:kiln [1 2])"),
            "ERR 1:1: Reader conditional splicing not allowed at the top level.");
  CHECK_STR(rd1("[#?@(:kiln {1 2})]"),
            "ERR 1:2: Spliced form list in read-cond-splicing must implement java.util.List");
  CHECK_STR(rd_opts("#?(:kiln 1)", (kiln_read_opts){0}), "ERR 1:1: Conditional read not allowed");
  kiln_val feats[] = {kiln_kw(NULL, "cljs")};
  kiln_read_opts o = {.allow_cond = true, .features = kiln_set_from(1, feats)};
  CHECK_STR(rd_opts("#?(:kiln 1 :cljs 2)", o), "2");
}

static void test_positions(void) {
  kiln_val f = form_of("\n  (a\n (b) [c] ^:m (d))");
  CHECK_STR(kiln_pr_str(kiln_meta(f)), "{:line 2, :column 3}");
  kiln_val b = kiln_nth(f, 1, KILN_NIL, false);
  CHECK_STR(kiln_pr_str(kiln_meta(b)), "{:line 3, :column 2}");
  CHECK(kiln_meta(kiln_nth(f, 2, KILN_NIL, false)) == KILN_NIL); /* vectors: none, as the JVM */
  CHECK_STR(kiln_pr_str(kiln_meta(kiln_nth(f, 3, KILN_NIL, false))),
            "{:line 3, :column 10, :m true}");
  CHECK_STR(kiln_pr_str(kiln_meta(form_of("^String x"))), "{:tag String}");
  CHECK_STR(kiln_pr_str(kiln_meta(form_of("^:a ^:b [x]"))), "{:b true, :a true}");
  CHECK_STR(kiln_pr_str(kiln_meta(form_of("^{:x 1} ^:y #{z}"))), "{:y true, :x 1}");
  CHECK(kiln_meta(kiln_read_string("(a)", 3)) == KILN_NIL); /* read-string: no positions */
  /* columns count UTF-16 units, as the JVM's */
  {
    const char *t = "\"\xF0\x9F\x98\x80\xC3\xA9\" (x)";
    kiln_read_opts o = {0};
    kiln_reader *r = kiln_reader_new(t, strlen(t), &o);
    kiln_val v;
    CHECK(kiln_reader_next(r, &v) && kiln_reader_next(r, &v));
    CHECK_STR(kiln_pr_str(kiln_meta(v)), "{:line 1, :column 7}");
  }

  kiln_read_opts o = {.file = "t.clj", .line = 10, .column = 5};
  const char *text = "a ; c\n  (b)  x";
  kiln_reader *r = kiln_reader_new(text, strlen(text), &o);
  kiln_val v;
  int line, col;
  size_t off;
  CHECK(kiln_reader_next(r, &v));
  kiln_reader_form_start(r, &line, &col, &off);
  CHECK(line == 10 && col == 5 && off == 0);
  CHECK(kiln_reader_next(r, &v));
  kiln_reader_form_start(r, &line, &col, &off);
  CHECK(line == 11 && col == 3 && off == 8);
  kiln_reader_pos(r, &line, &col, &off);
  CHECK(line == 11 && col == 6 && off == 11);
  CHECK_STR(kiln_pr_str(kiln_meta(v)), "{:line 11, :column 3}");
  CHECK(kiln_reader_next(r, &v));
  CHECK(!kiln_reader_next(r, &v));
}

static void test_namespaces(void) {
  CHECK_STR(rd1("::k"), ":user/k");
  CHECK_STR(rd1("#::{:a 1 b 2}"), "{:user/a 1, user/b 2}");
  kiln_val target = kiln_ns_find_or_create(kiln_sym(NULL, "my.lib"));
  kiln_ns_alias(kiln_ns_user, kiln_sym(NULL, "lib"), target);
  CHECK_STR(rd1("::lib/k"), ":my.lib/k");
  CHECK_STR(rd1("#::lib{:a 1}"), "{:my.lib/a 1}");
  CHECK_STR(rd1("`lib/f"), "(quote my.lib/f)");
  CHECK_STR(rd1("`my.lib/f"), "(quote my.lib/f)");
  CHECK_STR(rd1("`(map inc)"),
            "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote clojure.core/map)) "
            "(clojure.core/list (quote clojure.core/inc))))");
  CHECK_STR(rd1("`[String Exception BigInteger .x X. String.]"),
            "(clojure.core/apply clojure.core/vector (clojure.core/seq (clojure.core/concat "
            "(clojure.core/list (quote java.lang.String)) (clojure.core/list (quote "
            "java.lang.Exception)) (clojure.core/list (quote java.math.BigInteger)) "
            "(clojure.core/list (quote .x)) (clojure.core/list (quote X.)) (clojure.core/list "
            "(quote java.lang.String.)))))");
}

static void test_values(void) {
  kiln_val d = form_of("#inst \"2020-01-02T03:04:05.678+01:00\"");
  CHECK(KILN_HAS_TYPE(d, KILN_T_INST));
  CHECK(((kiln_inst *)d)->millis == 1577930645678LL);
  char buf[48];
  kiln_inst_format(d, buf);
  CHECK_STR(buf, "2020-01-02T02:04:05.678-00:00");
  kiln_inst_format(kiln_inst_new(-1), buf);
  CHECK_STR(buf, "1969-12-31T23:59:59.999-00:00");
  kiln_val u = form_of("#uuid \"550E8400-e29b-41d4-a716-446655440000\"");
  CHECK(KILN_HAS_TYPE(u, KILN_T_UUID));
  CHECK(((kiln_uuid *)u)->msb == 0x550e8400e29b41d4ULL);
  CHECK(((kiln_uuid *)u)->lsb == 0xa716446655440000ULL);
  char ubuf[37];
  kiln_uuid_format(u, ubuf);
  CHECK_STR(ubuf, "550e8400-e29b-41d4-a716-446655440000");
  int64_t ms;
  const char *why = NULL;
  CHECK(!kiln_inst_parse("2021-02-29", 10, &ms, &why));
  CHECK_STR(why, "failed: (<= 1 days (days-in-month months (leap-year? years)))");
  CHECK(kiln_inst_parse("2020-02-29", 10, &ms, NULL));
  CHECK(!kiln_inst_parse("2020-01-01T24:00", 16, &ms, &why));
  CHECK_STR(why, "failed: (<= 0 hours 23)");
  CHECK(!kiln_inst_parse("2020-01-01X", 11, &ms, &why));
  CHECK_STR(why, "Unrecognized date/time syntax: 2020-01-01X");
  CHECK(kiln_inst_parse("2016-12-31T23:59:60Z", 20, &ms, NULL));
  kiln_val x = form_of("\\u00e9");
  CHECK(KILN_IS_CHAR(x) && KILN_CHAR_VALUE(x) == 0xe9);
  x = form_of("\"\\ud83d\\ude00\"");
  CHECK(kiln_str_nbytes(x) == 4 && memcmp(kiln_str_data(x), "\xF0\x9F\x98\x80", 4) == 0);
  x = form_of("\"a\\0\"");
  CHECK(kiln_str_nbytes(x) == 2 && kiln_str_data(x)[1] == 0);
  CHECK_STR(rd1("\"\\0b\""), "ERR 1:2: Invalid digit: b"); /* as the JVM */
  x = form_of("#\"a\\\"b\"");
  CHECK(kiln_regex_is_pattern(x));
  CHECK_STR(kiln_str_data(kiln_regex_source(x)), "a\\\"b");
  const char *f = rd1("#(%-1 %0)"); /* as the JVM: (fn* [& rest__1#] (rest__1# p0__2#)) */
  CHECK(strncmp(f, "(fn* [& rest__", 14) == 0 && strstr(f, " p0__") != NULL);
}

static void test_fn_and_sq(void) {
  const char *s = rd1("#(list % %2 %&)");
  CHECK(strncmp(s, "(fn* [p1__", 10) == 0 && strstr(s, "& rest__") != NULL);
  s = rd1("`(a# a# b#)");
  /* one gensym per name within one syntax-quote */
  const char *a1 = strstr(s, "a__"), *a2 = a1 ? strstr(a1 + 1, "a__") : NULL;
  CHECK(a1 && a2 && strncmp(a1, a2, (size_t)(strchr(a1, ')') - a1)) == 0);
  CHECK(strstr(s, "__auto__") != NULL);
  CHECK_STR(rd1("`^:foo x"),
            "(clojure.core/with-meta (quote user/x) (clojure.core/apply clojure.core/hash-map "
            "(clojure.core/seq (clojure.core/concat (clojure.core/list :foo) (clojure.core/list "
            "(quote true))))))");
  CHECK_STR(rd1("`(a (b))"),
            "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote user/a)) "
            "(clojure.core/list (clojure.core/seq (clojure.core/concat (clojure.core/list (quote "
            "user/b)))))))");
  CHECK_STR(rd1("`(if & fn)"),
            "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote if)) "
            "(clojure.core/list (quote &)) (clojure.core/list (quote clojure.core/fn))))");
}

static void test_depth(void) {
  static char deep[30000];
  memset(deep, '(', 20000);
  deep[20000] = 0;
  const char *s = rd1(deep);
  CHECK(strncmp(s, "ERR 1:", 6) == 0 && strstr(s, "nested too deeply") != NULL);
  memset(deep, '[', 900);
  memset(deep + 900, ']', 900);
  deep[1800] = 0;
  CHECK(strncmp(rd1(deep), "[[[[", 4) == 0);
}

static kiln_val run_all(void *ctx) {
  test_basics();
  test_errors();
  test_cond();
  test_positions();
  test_namespaces();
  test_values();
  test_fn_and_sq();
  test_depth();
  return KILN_NIL;
}

int main(void) {
  kiln_rt_init();
  kiln_var *vars[] = {kiln_v_ns};
  kiln_val vals[] = {kiln_ns_user};
  kiln_var_push_bindings_n(1, vars, vals);
  kiln_val res, ex;
  if (!kiln_pcall(run_all, NULL, &res, &ex)) {
    fprintf(stderr, "uncaught: %s\n", kiln_ex_message(ex));
    check_failed++;
  }
  return check_summary();
}
