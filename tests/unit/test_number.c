/*
 * test_number.c — the numeric tower against JVM Clojure 1.11. Every expected
 * value here was produced by running the same expression on the JVM.
 * Optional arguments check JVM-generated corpora in bulk:
 *   --doubles tests/number/doubles.txt  (bits and Java's Double.toString per line)
 *   --arith tests/number/arith.txt      (op, operands and the JVM's result per line)
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "runtime/rt.h"

/* ---- helpers ------------------------------------------------------------ */

static kiln_val N(const char *lit) {
  kiln_val v = KILN_NIL;
  if (!kiln_num_parse(lit, strlen(lit), &v)) {
    fprintf(stderr, "not a number: %s\n", lit);
    check_failed++;
  }
  return v;
}

static const char *pr(kiln_val v) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_num_print(&sb, v);
  return kiln_sb_cstr(&sb);
}

static const char *str(kiln_val v) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_num_str(&sb, v);
  return kiln_sb_cstr(&sb);
}

typedef kiln_val (*binop)(kiln_val, kiln_val);
typedef struct call2 {
  binop f;
  kiln_val a, b;
} call2;

static kiln_val run2(void *ctx) {
  call2 *c = ctx;
  return c->f(c->a, c->b);
}

/* Set by the corpus checks: exceptions print as "!Class: message", as the corpora write them. */
static const char *ex_mark = "";

/* The printed result of f(a, b), or "Class: message" when it throws. */
static const char *ev(binop f, const char *a, const char *b) {
  call2 c = {f, N(a), N(b)};
  kiln_val result, ex;
  if (kiln_pcall(run2, &c, &result, &ex)) {
    if (result == KILN_TRUE) return "true";
    if (result == KILN_FALSE) return "false";
    return pr(result);
  }
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "%s%s: %s", ex_mark, ((kiln_exception *)ex)->cls, kiln_ex_message(ex));
  return kiln_sb_cstr(&sb);
}

/* Calls a clojure.core native by name with the given arguments. */
typedef struct callv {
  const char *ns;
  const char *name;
  uint32_t argc;
  kiln_val argv[4];
} callv;

static kiln_val runv(void *ctx) {
  callv *c = ctx;
  kiln_var *v = kiln_var_intern(c->ns, c->name);
  return kiln_call(kiln_var_get(v), c->argc, c->argv);
}

static const char *callns(const char *ns, const char *name, uint32_t argc, kiln_val a,
                          kiln_val b) {
  callv c = {ns, name, argc, {a, b}};
  kiln_val result, ex;
  if (kiln_pcall(runv, &c, &result, &ex)) {
    if (result == KILN_TRUE) return "true";
    if (result == KILN_FALSE) return "false";
    if (result == KILN_NIL) return "nil";
    if (KILN_IS_CHAR(result)) {
      static char buf[16];
      snprintf(buf, sizeof buf, "\\%c", (char)KILN_CHAR_VALUE(result));
      return buf;
    }
    return pr(result);
  }
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "%s%s: %s", ex_mark, ((kiln_exception *)ex)->cls, kiln_ex_message(ex));
  return kiln_sb_cstr(&sb);
}
static const char *callf(const char *name, uint32_t argc, kiln_val a, kiln_val b) {
  return callns("clojure.core", name, argc, a, b);
}
#define C1(name, a) callf(name, 1, N(a), KILN_NIL)
#define M1(name, a) callns("clojure.math", name, 1, N(a), KILN_NIL)
#define M2(name, a, b) callns("clojure.math", name, 2, N(a), N(b))
#define C2(name, a, b) callf(name, 2, N(a), N(b))

static const char *dstr(double d) {
  static char buf[64];
  kiln_double_to_string(d, buf);
  return buf;
}

/* ---- tests -------------------------------------------------------------- */

static void test_longs(void) {
  CHECK(kiln_long(5) == KILN_FIXNUM(5));
  kiln_val big = kiln_long(INT64_MAX);
  CHECK(KILN_HAS_TYPE(big, KILN_T_LONG));
  CHECK(kiln_is_long(big) && kiln_long_value(big) == INT64_MAX);
  CHECK(kiln_long_value(kiln_long(INT64_MIN)) == INT64_MIN);
  CHECK_STR(pr(kiln_long(INT64_MIN)), "-9223372036854775808");
  /* Fixnum boundary crossings stay longs. */
  CHECK_STR(ev(kiln_num_add, "4611686018427387903", "1"), "4611686018427387904");
  CHECK_STR(ev(kiln_num_sub, "-4611686018427387904", "1"), "-4611686018427387905");
  CHECK_STR(ev(kiln_num_add, "9223372036854775807", "0"), "9223372036854775807");
  CHECK_STR(ev(kiln_num_add, "9223372036854775807", "1"),
            "java.lang.ArithmeticException: long overflow");
  CHECK_STR(ev(kiln_num_sub, "-9223372036854775808", "1"),
            "java.lang.ArithmeticException: long overflow");
  CHECK_STR(ev(kiln_num_mul, "9223372036854775807", "2"),
            "java.lang.ArithmeticException: long overflow");
  CHECK_STR(ev(kiln_num_mul, "4611686018427387904", "2"),
            "java.lang.ArithmeticException: long overflow");
  CHECK_STR(ev(kiln_num_mul, "3037000499", "3037000499"), "9223372030926249001");
  CHECK_STR(ev(kiln_num_add_p, "9223372036854775807", "1"), "9223372036854775808N");
  CHECK_STR(ev(kiln_num_sub_p, "-9223372036854775808", "1"), "-9223372036854775809N");
  CHECK_STR(ev(kiln_num_mul_p, "9223372036854775807", "2"), "18446744073709551614N");
  CHECK_STR(ev(kiln_num_add_p, "1", "2"), "3");
}

static void test_contagion(void) {
  CHECK_STR(ev(kiln_num_add, "1", "2.5"), "3.5");
  CHECK_STR(ev(kiln_num_add, "1", "1/2"), "3/2");
  CHECK_STR(ev(kiln_num_add, "1N", "1"), "2N");
  CHECK_STR(ev(kiln_num_mul, "1", "1N"), "1N");
  CHECK_STR(ev(kiln_num_add, "1N", "1.5M"), "2.5M");
  CHECK_STR(ev(kiln_num_add, "1.5M", "1.0"), "2.5");
  CHECK_STR(ev(kiln_num_add, "1.5M", "1/2"), "2.0M");
  CHECK_STR(ev(kiln_num_add, "1.5M", "1/3"),
            "java.lang.ArithmeticException: Non-terminating decimal expansion; no exact "
            "representable decimal result.");
  CHECK_STR(ev(kiln_num_add, "1/3", "0.0"), "0.3333333333333333");
  CHECK_STR(ev(kiln_num_add, "1/2", "0.5"), "1.0");
  CHECK_STR(ev(kiln_num_add, "0.1", "0.2"), "0.30000000000000004");
  CHECK_STR(ev(kiln_num_mul, "2", "1/2"), "1N");
  CHECK_STR(ev(kiln_num_add, "1/2", "1/2"), "1N");
  CHECK_STR(ev(kiln_num_add, "1", "1/3"), "4/3");
  CHECK_STR(ev(kiln_num_mul, "1.5M", "2"), "3.0M");
  CHECK_STR(ev(kiln_num_mul, "1.50M", "2.0M"), "3.000M");
  CHECK_STR(ev(kiln_num_sub, "1.50M", "1.5M"), "0.00M");
  CHECK_STR(ev(kiln_num_add, "1.5M", "1"), "2.5M");
  CHECK_STR(ev(kiln_num_sub, "0", "1/2"), "-1/2");
}

static void test_division(void) {
  CHECK_STR(ev(kiln_num_div, "1", "2"), "1/2");
  CHECK_STR(ev(kiln_num_div, "4", "2"), "2");
  CHECK_STR(ev(kiln_num_div, "-4", "6"), "-2/3");
  CHECK_STR(ev(kiln_num_div, "4", "-6"), "-2/3");
  CHECK_STR(ev(kiln_num_div, "1", "0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_div, "1N", "0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_div, "1/2", "0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_div, "5M", "0M"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_div, "1.0", "0"), "##Inf");
  CHECK_STR(ev(kiln_num_div, "-1", "0.0"), "##-Inf");
  CHECK_STR(ev(kiln_num_div, "0.0", "0"), "##NaN");
  CHECK_STR(ev(kiln_num_div, "-9223372036854775808", "-1"), "-9223372036854775808");
  CHECK_STR(ev(kiln_num_div, "4N", "2"), "2N");
  CHECK_STR(ev(kiln_num_div, "12345678901234567890", "5"), "2469135780246913578N");
  CHECK_STR(ev(kiln_num_div, "1M", "3"),
            "java.lang.ArithmeticException: Non-terminating decimal expansion; no exact "
            "representable decimal result.");
  CHECK_STR(ev(kiln_num_div, "1M", "4"), "0.25M");
  CHECK_STR(ev(kiln_num_div, "1.00M", "4"), "0.25M");
  CHECK_STR(ev(kiln_num_div, "100M", "4M"), "25M");
  CHECK_STR(ev(kiln_num_div, "1E+2M", "1"), "1E+2M");
  CHECK_STR(ev(kiln_num_div, "0M", "5M"), "0M");
  CHECK_STR(ev(kiln_num_div, "0.00M", "5M"), "0.00M");
  CHECK_STR(ev(kiln_num_div, "1.00M", "1M"), "1.00M");
  CHECK_STR(ev(kiln_num_div, "3M", "-8"), "-0.375M");
}

static void test_quot_rem_mod(void) {
  CHECK_STR(ev(kiln_num_quot, "-7", "2"), "-3");
  CHECK_STR(ev(kiln_num_rem, "-7", "2"), "-1");
  CHECK_STR(ev(kiln_num_mod, "-7", "2"), "1");
  CHECK_STR(ev(kiln_num_mod, "7", "-2"), "-1");
  CHECK_STR(ev(kiln_num_quot, "-9223372036854775808", "-1"), "-9223372036854775808");
  CHECK_STR(ev(kiln_num_quot, "1", "0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_quot, "1.0", "0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_rem, "1.0", "0.0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_quot, "7.5", "2"), "3.0");
  CHECK_STR(ev(kiln_num_quot, "-7.5", "2"), "-3.0");
  CHECK_STR(ev(kiln_num_rem, "-7.5", "2"), "-1.5");
  CHECK_STR(ev(kiln_num_mod, "-7.5", "2"), "0.5");
  CHECK_STR(ev(kiln_num_mod, "5.5", "-2"), "-0.5");
  CHECK_STR(ev(kiln_num_mod, "5", "-2.5"), "0.0");
  CHECK_STR(ev(kiln_num_quot, "1e300", "3"), "3.3333333333333335E299");
  CHECK_STR(ev(kiln_num_rem, "1e300", "3"), "0.0");
  CHECK_STR(ev(kiln_num_quot, "1e400", "3"),
            "java.lang.NumberFormatException: Infinite or NaN");
  CHECK_STR(ev(kiln_num_quot, "7/2", "1"), "3N");
  CHECK_STR(ev(kiln_num_rem, "7/2", "2"), "3/2");
  CHECK_STR(ev(kiln_num_mod, "-7/2", "2"), "1/2");
  CHECK_STR(ev(kiln_num_quot, "7.5M", "2"), "3.0M");
  CHECK_STR(ev(kiln_num_rem, "7.5M", "2"), "1.5M");
  CHECK_STR(ev(kiln_num_quot, "7.5M", "2.0M"), "3M");
  CHECK_STR(ev(kiln_num_quot, "75M", "2"), "37M");
  CHECK_STR(ev(kiln_num_quot, "1.5M", "0.4M"), "3M");
  CHECK_STR(ev(kiln_num_rem, "1.5M", "0.4M"), "0.3M");
  CHECK_STR(ev(kiln_num_quot, "100000000000000000000", "3"), "33333333333333333333N");
  CHECK_STR(ev(kiln_num_rem, "-100000000000000000000", "3"), "-1N");
  CHECK_STR(ev(kiln_num_quot, "4N", "2"), "2N");
  CHECK_STR(ev(kiln_num_quot, "1/2", "0.0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(ev(kiln_num_rem, "7", "2.5"), "2.0");
  CHECK_STR(ev(kiln_num_mod, "-7", "2.5"), "0.5");
  CHECK_STR(ev(kiln_num_mod, "7N", "-2"), "-1N");
  CHECK_STR(ev(kiln_num_mod, "1.5M", "1"), "0.5M");
  CHECK_STR(ev(kiln_num_mod, "-1.5M", "1"), "0.5M");
  CHECK_STR(ev(kiln_num_quot, "-1.5M", "1"), "-1.0M");
  CHECK_STR(ev(kiln_num_rem, "-1.5M", "1"), "-0.5M");
  CHECK_STR(ev(kiln_num_quot, "0.5M", "2"), "0.0M");
  CHECK_STR(ev(kiln_num_quot, "0M", "2.00M"), "0E+2M");
  CHECK_STR(ev(kiln_num_quot, "123.45M", "0.1M"), "1234.0M");
  CHECK_STR(ev(kiln_num_quot, "1E+3M", "7"), "142M");
  CHECK_STR(ev(kiln_num_quot, "1E+3M", "1E+1M"), "1E+2M");
  CHECK_STR(ev(kiln_num_rem, "1E+3M", "7"), "6M");
  CHECK_STR(ev(kiln_num_div, "1E+3M", "8"), "125M");
  CHECK_STR(ev(kiln_num_div, "3.0M", "1.5M"), "2M");
  CHECK_STR(ev(kiln_num_div, "1.20M", "0.4M"), "3.0M");
  CHECK_STR(ev(kiln_num_add, "1E+3M", "1"), "1001M");
  CHECK_STR(ev(kiln_num_mul, "1E+3M", "0.001M"), "1M");
  CHECK_STR(ev(kiln_num_mul, "1.5M", "0.0"), "0.0");
}

static kiln_val lt_val(kiln_val a, kiln_val b) { return KILN_BOOL(kiln_num_lt(a, b)); }

static void test_compare_equal(void) {
  CHECK(kiln_num_lt(N("1"), N("2")));
  CHECK(!kiln_num_lt(N("2"), N("1")));
  CHECK(kiln_num_lt(N("1/3"), N("0.34")));
  CHECK(kiln_num_lt(N("9223372036854775807"), N("9223372036854775808")));
  CHECK(kiln_num_le(N("1.0"), N("1")));
  CHECK(!kiln_num_lt(kiln_double(NAN), N("1")));
  CHECK(!kiln_num_le(N("1"), kiln_double(NAN)));
  CHECK(kiln_num_equal(N("1"), N("1.0")));
  CHECK(kiln_num_equal(N("1M"), N("1")));
  CHECK(kiln_num_equal(N("0.5"), N("1/2")));
  CHECK(kiln_num_equal(N("1.0M"), N("1.00M")));
  CHECK(!kiln_num_equal(kiln_double(NAN), kiln_double(NAN)));
  CHECK(kiln_num_equiv(N("1"), N("1N")));
  CHECK(kiln_num_equiv(N("2N"), N("2")));
  CHECK(!kiln_num_equiv(N("1"), N("1.0")));
  CHECK(!kiln_num_equiv(N("1/2"), N("0.5")));
  CHECK(!kiln_num_equiv(N("1M"), N("1")));
  CHECK(kiln_num_equiv(N("1.0M"), N("1.00M")));
  CHECK(kiln_num_equiv(N("0.0"), N("-0.0")));
  CHECK(kiln_num_equiv(kiln_long(INT64_MAX), N("9223372036854775807N")));
  CHECK(kiln_num_compare(N("1"), N("1.0")) == 0);
  CHECK(kiln_num_compare(N("1/2"), N("0.5")) == 0);
  CHECK(kiln_num_compare(kiln_double(NAN), N("1")) == 0);
  CHECK(kiln_num_compare(N("-5"), N("3")) == -1);
  CHECK(kiln_num_compare(N("5N"), N("3")) == 1);
  CHECK_STR(ev(lt_val, "1/3", "1M"),
            "java.lang.ArithmeticException: Non-terminating decimal expansion; no exact "
            "representable decimal result.");
}

static void test_hash(void) {
  /* (hash x) on the JVM. */
  CHECK(kiln_num_hash(N("1")) == 1392991556);
  CHECK(kiln_num_hash(N("0")) == 0);
  CHECK(kiln_num_hash(N("-1")) == 1651860712);
  CHECK(kiln_num_hash(kiln_long(INT64_MAX)) == -2106506049);
  CHECK(kiln_num_hash(kiln_long(INT64_MIN)) == 1366273829);
  CHECK(kiln_num_hash(N("1.5")) == 1073217536);
  CHECK(kiln_num_hash(N("1.0")) == 1072693248);
  CHECK(kiln_num_hash(N("-1.5")) == -1074266112);
  CHECK(kiln_num_hash(N("-0.0")) == 0);
  CHECK(kiln_num_hash(N("0.0")) == 0);
  CHECK(kiln_num_hash(kiln_double(INFINITY)) == 2146435072);
  CHECK(kiln_num_hash(kiln_double(NAN)) == 2146959360);
  CHECK(kiln_num_hash(N("1/2")) == 3);
  CHECK(kiln_num_hash(N("1/3")) == 2);
  CHECK(kiln_num_hash(N("-1/3")) == -4);
  CHECK(kiln_num_hash(N("1N")) == 1392991556);
  CHECK(kiln_num_hash(N("100N")) == -970256272);
  CHECK(kiln_num_hash(N("-5N")) == 1222806974);
  CHECK(kiln_num_hash(N("10000000000000000000N")) == 1476738428);
  CHECK(kiln_num_hash(N("123456789012345678901234567890N")) == 1915528825);
  CHECK(kiln_num_hash(N("-123456789012345678901234567890N")) == -1915528825);
  CHECK(kiln_num_hash(N("1.5M")) == 466);
  CHECK(kiln_num_hash(N("1.50M")) == 466);
  CHECK(kiln_num_hash(N("0.00M")) == 0);
  CHECK(kiln_num_hash(N("100M")) == 29);
  CHECK(kiln_num_hash(N("-1.5M")) == -464);
  CHECK(kiln_num_hash(N("1E+3M")) == 28);
  CHECK(kiln_num_hash(N("3.3333M")) == 1033327);
  CHECK(kiln_num_hash(N("1.23456789E-10M")) == -467806819);
  CHECK(kiln_num_hash(N("100000000000000000000.5M")) == -544350933);
  CHECK(kiln_num_hash(N("7/3")) == 4);
  CHECK(kiln_num_hash(N("-100000000000000000000/3")) == -1882487349);
  CHECK(kiln_num_hash(N("18446744073709551616N")) == 961);
  CHECK(kiln_num_hash(N("-9223372036854775809N")) == 2147483647);
  CHECK(kiln_num_hash(N("9223372036854775807N")) == -2106506049);
}

static void test_parse_print(void) {
  static const char *const same[] = {
      "42", "-7", "0", "1/2", "-1/2", "1.5", "-0.0", "12N", "0N", "1.5M", "1M", "-1.50M",
      "100.00M", "1E+3M", "1E-7M", "0.000001M", "123456789.123456789M", "1.23E+10M",
      "-1.23E-10M", "9223372036854775807", "-9223372036854775808", "9223372036854775808N",
      "0.00000M", "1.0E-10M", "1.0E+300M"};
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) CHECK_STR(pr(N(same[i])), same[i]);
  /* read-string on the JVM, then pr-str. */
  static const char *const pairs[][2] = {
      {"+3", "3"}, {"0x1F", "31"}, {"0X1f", "31"}, {"-0x10", "-16"}, {"017", "15"},
      {"-017", "-15"}, {"00", "0"}, {"+0", "0"}, {"-0", "0"}, {"2r101", "5"}, {"36rZZ", "1295"},
      {"36rzz", "1295"}, {"10r99", "99"}, {"0xFFN", "255N"}, {"01N", "1N"}, {"-0N", "0N"},
      {"1e3", "1000.0"}, {"1E3", "1000.0"}, {"1.5e-3", "0.0015"}, {"1.5e+3", "1500.0"},
      {"00.5", "0.5"}, {"08.5", "8.5"}, {"1.", "1.0"}, {"1.e5", "100000.0"},
      {"1e400", "##Inf"}, {"-1e400", "##-Inf"}, {"4.9e-324", "4.9E-324"},
      {"2.5e-324", "4.9E-324"}, {"1e3M", "1E+3M"}, {"1.5e-3M", "0.0015M"}, {"1e-0M", "1M"},
      {"0.0M", "0.0M"}, {"0E-5M", "0.00000M"}, {"0.00000012M", "1.2E-7M"},
      {"1.0e-5M", "0.000010M"}, {"5E-1M", "0.5M"}, {"+1.5M", "1.5M"}, {"+1/2", "1/2"},
      {"-4/2", "-2"}, {"3/6", "1/2"}, {"-0/5", "0"}, {"0/5", "0"},
      {"12345678901234567890/5", "2469135780246913578N"},
      {"10000000000000000000000/2", "5000000000000000000000N"},
      {"99999999999999999999", "99999999999999999999N"},
      {"-9223372036854775809", "-9223372036854775809N"},
      {"0x10000000000000000", "18446744073709551616N"},
      {"0x7FFFFFFFFFFFFFFF", "9223372036854775807"},
      {"0x8000000000000000", "9223372036854775808N"},
      {"-0x8000000000000000", "-9223372036854775808"}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    CHECK_STR(pr(N(pairs[i][0])), pairs[i][1]);
  static const char *const invalid[] = {
      "4/-2", "08", "37r1", "2r102", "1.5N", "0x", "1/2N", "1e", "1/2.5", "1ee", "0x-1", "+-1",
      "1_000", "1N1", ".5", "-.5", "1/-2", "1r0", "0r0", "2r101N", "", "-", "+", "abc", "1..2",
      "1e3N", "0xG"};
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
    kiln_val v;
    bool ok = kiln_num_parse(invalid[i], strlen(invalid[i]), &v);
    if (ok) fprintf(stderr, "parsed but should not: %s\n", invalid[i]);
    CHECK(!ok);
  }
  CHECK(KILN_HAS_TYPE(N("1N"), KILN_T_BIGINT));
  CHECK(KILN_HAS_TYPE(N("1.5M"), KILN_T_DECIMAL));
  CHECK(KILN_HAS_TYPE(N("1/2"), KILN_T_RATIO));
  CHECK(KILN_IS_FIXNUM(N("4/2")));
  /* str: no suffixes. */
  CHECK_STR(str(N("1N")), "1");
  CHECK_STR(str(N("1.5M")), "1.5");
  CHECK_STR(str(N("1E+3M")), "1E+3");
  CHECK_STR(str(N("1/2")), "1/2");
  CHECK_STR(str(kiln_double(INFINITY)), "Infinity");
  CHECK_STR(str(kiln_double(-INFINITY)), "-Infinity");
  CHECK_STR(str(kiln_double(NAN)), "NaN");
  CHECK_STR(pr(kiln_double(NAN)), "##NaN");
}

static void test_double_to_string(void) {
  CHECK_STR(dstr(0.1), "0.1");
  CHECK_STR(dstr(1 / 3.0), "0.3333333333333333");
  CHECK_STR(dstr(2 / 3.0), "0.6666666666666666");
  CHECK_STR(dstr(1e22), "1.0E22");
  CHECK_STR(dstr(1e21), "1.0E21");
  CHECK_STR(dstr(1e23), "9.999999999999999E22"); /* JDK 17 FloatingDecimal */
  CHECK_STR(dstr(5e-324), "4.9E-324");
  CHECK_STR(dstr(1.7976931348623157e308), "1.7976931348623157E308");
  CHECK_STR(dstr(-0.0), "-0.0");
  CHECK_STR(dstr(0.0), "0.0");
  CHECK_STR(dstr(100.0), "100.0");
  CHECK_STR(dstr(1e7), "1.0E7");
  CHECK_STR(dstr(9999999.0), "9999999.0");
  CHECK_STR(dstr(123456.0), "123456.0");
  CHECK_STR(dstr(0.001), "0.001");
  CHECK_STR(dstr(1e-4), "1.0E-4");
  CHECK_STR(dstr(-1.5e-7), "-1.5E-7");
  CHECK_STR(dstr(1.25), "1.25");
  CHECK_STR(dstr(12345678.9), "1.23456789E7");
  CHECK_STR(dstr(INFINITY), "Infinity");
  CHECK_STR(dstr(-INFINITY), "-Infinity");
  CHECK_STR(dstr(NAN), "NaN");
  CHECK_STR(dstr(1.100000023841858), "1.100000023841858");
  CHECK_STR(dstr(3.3333333333333335E299), "3.3333333333333335E299");
  CHECK_STR(dstr(2.2250738585072014E-308), "2.2250738585072014E-308");
  /* Conversions to double, correctly rounded as the JVM does. */
  CHECK_STR(pr(kiln_double(kiln_double_value(N("1/3")))), "0.3333333333333333");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("2/3")))), "0.6666666666666667");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("12345678901234567890123/7")))),
            "1.763668414462081E21");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("123456789012345678901234567890N")))),
            "1.2345678901234568E29");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("1.5M")))), "1.5");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("1/10")))), "0.1");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("100000000000000000000000000000000000000000/3")))),
            "3.333333333333333E40");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("1/300000000000000000000000000000000000000000")))),
            "3.333333333333333E-42");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("-7/3")))), "-2.333333333333333");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("1.23456789012345678901234567890M")))),
            "1.2345678901234567");
  CHECK_STR(pr(kiln_double(kiln_double_value(N("9007199254740993N")))), "9.007199254740992E15");
  CHECK_STR(ev(kiln_num_add, "9007199254740993N", "0.0"), "9.007199254740992E15");
  CHECK(!kiln_num_lt(N("9007199254740993N"), N("9.007199254740992E15")));
  CHECK(kiln_num_equal(N("9007199254740993N"), N("9.007199254740992E15")));
  CHECK(kiln_num_equal(N("9007199254740993"), N("9.007199254740992E15")));
}

static void test_natives(void) {
  CHECK_STR(callf("+", 0, KILN_NIL, KILN_NIL), "0");
  CHECK_STR(callf("*", 0, KILN_NIL, KILN_NIL), "1");
  CHECK_STR(callf("-", 0, KILN_NIL, KILN_NIL),
            "clojure.lang.ArityException: Wrong number of args (0) passed to: clojure.core/-");
  CHECK_STR(C1("/", "2"), "1/2");
  CHECK_STR(C1("/", "0"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(C1("/", "2.0"), "0.5");
  CHECK_STR(C1("-", "2N"), "-2N");
  CHECK_STR(C1("-", "0.0"), "-0.0");
  CHECK_STR(C1("-", "-9223372036854775808"), "java.lang.ArithmeticException: long overflow");
  CHECK_STR(C1("-'", "-9223372036854775808"), "9223372036854775808N");
  CHECK_STR(C1("inc", "9223372036854775807"), "java.lang.ArithmeticException: long overflow");
  CHECK_STR(C1("inc'", "9223372036854775807"), "9223372036854775808N");
  CHECK_STR(C1("dec", "-9223372036854775808"), "java.lang.ArithmeticException: long overflow");
  CHECK_STR(C1("inc", "1/2"), "3/2");
  CHECK_STR(C1("inc", "1.5M"), "2.5M");
  CHECK_STR(C1("even?", "1.5"),
            "java.lang.IllegalArgumentException: Argument must be an integer: 1.5");
  CHECK_STR(C1("odd?", "1/2"),
            "java.lang.IllegalArgumentException: Argument must be an integer: 1/2");
  CHECK_STR(C1("even?", "2N"), "true");
  CHECK_STR(C1("odd?", "-3"), "true");
  CHECK_STR(callf("zero?", 1, kiln_kw(NULL, "a"), KILN_NIL),
            "java.lang.ClassCastException: class clojure.lang.Keyword cannot be cast to class "
            "java.lang.Number (clojure.lang.Keyword is in unnamed module of loader 'app'; "
            "java.lang.Number is in module java.base of loader 'bootstrap')");
  CHECK_STR(callf("+", 2, N("1"), kiln_kw(NULL, "a")),
            "java.lang.ClassCastException: class clojure.lang.Keyword cannot be cast to class "
            "java.lang.Number (clojure.lang.Keyword is in unnamed module of loader 'app'; "
            "java.lang.Number is in module java.base of loader 'bootstrap')");
  CHECK_STR(callf("+", 2, N("1"), kiln_str_cstr("a")),
            "java.lang.ClassCastException: class java.lang.String cannot be cast to class "
            "java.lang.Number (java.lang.String and java.lang.Number are in module java.base of "
            "loader 'bootstrap')");
  CHECK_STR(callf("+", 2, N("1"), KILN_NIL),
            "java.lang.NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" "
            "is null");
  CHECK_STR(C1("denominator", "2N"),
            "java.lang.ClassCastException: class clojure.lang.BigInt cannot be cast to class "
            "clojure.lang.Ratio (clojure.lang.BigInt and clojure.lang.Ratio are in unnamed module "
            "of loader 'app')");
  CHECK_STR(callf("<", 1, kiln_kw(NULL, "a"), KILN_NIL), "true");
  CHECK_STR(C2("max", "1", "2.0"), "2.0");
  CHECK_STR(C2("max", "2", "1.0"), "2");
  CHECK_STR(C2("max", "1.0", "1"), "1");
  CHECK_STR(callf("max", 2, N("1"), kiln_double(NAN)), "##NaN");
  CHECK_STR(callf("min", 2, kiln_double(NAN), N("1")), "##NaN");
  CHECK_STR(C2("min", "1", "2N"), "1");
  CHECK_STR(C1("abs", "-9223372036854775808"), "-9223372036854775808");
  CHECK_STR(C1("abs", "-1/2"), "1/2");
  CHECK_STR(C1("abs", "-0.0"), "0.0");
  CHECK_STR(C1("numerator", "1/2"), "1");
  CHECK_STR(C1("denominator", "1/2"), "2");
  CHECK_STR(C1("numerator", "3"),
            "java.lang.ClassCastException: class java.lang.Long cannot be cast to class "
            "clojure.lang.Ratio (java.lang.Long is in module java.base of loader 'bootstrap'; "
            "clojure.lang.Ratio is in unnamed module of loader 'app')");
  CHECK_STR(C1("rationalize", "0.1"), "1/10");
  CHECK_STR(C1("rationalize", "1.5"), "3/2");
  CHECK_STR(C1("rationalize", "2.0"), "2N");
  CHECK_STR(C1("rationalize", "1.5E+2M"), "150N");
  CHECK_STR(C1("bigdec", "0.1"), "0.1M");
  CHECK_STR(C1("bigdec", "1e300"), "1.0E+300M");
  CHECK_STR(C1("bigdec", "1e-10"), "1.0E-10M");
  CHECK_STR(C1("bigdec", "1/4"), "0.25M");
  CHECK_STR(C1("bigdec", "3"), "3M");
  CHECK_STR(C1("bigint", "1.5"), "1N");
  CHECK_STR(C1("bigint", "1e20"), "100000000000000000000N");
  CHECK_STR(C1("long", "1.9"), "1");
  CHECK_STR(C1("long", "-1.9"), "-1");
  CHECK_STR(C1("long", "1e20"),
            "java.lang.IllegalArgumentException: Value out of range for long: 1.0E20");
  CHECK_STR(C1("long", "10000000000000000000N"),
            "java.lang.IllegalArgumentException: Value out of range for long: "
            "10000000000000000000");
  CHECK_STR(callf("long", 1, kiln_double(NAN), KILN_NIL), "0");
  CHECK_STR(C1("long", "1/2"), "0");
  /* Casts follow the JVM's boxed (Object) path: longCast, then a range check. */
  CHECK_STR(C1("int", "1e10"), "java.lang.ArithmeticException: integer overflow");
  CHECK_STR(C1("int", "1e300"),
            "java.lang.IllegalArgumentException: Value out of range for long: 1.0E300");
  CHECK_STR(C1("short", "70000.5M"),
            "java.lang.IllegalArgumentException: Value out of range for short: 70000.5");
  CHECK_STR(C1("byte", "1/2"), "0");
  CHECK_STR(C1("char", "65536.5"),
            "java.lang.IllegalArgumentException: Value out of range for char: 65536.5");
  CHECK_STR(C1("char", "97.9"), "\\a");
  CHECK_STR(C1("byte", "128.5"),
            "java.lang.IllegalArgumentException: Value out of range for byte: 128.5");
  CHECK_STR(C1("short", "40000"),
            "java.lang.IllegalArgumentException: Value out of range for short: 40000");
  CHECK_STR(C1("byte", "200"),
            "java.lang.IllegalArgumentException: Value out of range for byte: 200");
  CHECK_STR(C1("short", "1.5"), "1");
  CHECK_STR(C1("char", "97"), "\\a");
  CHECK_STR(C1("char", "-1"),
            "java.lang.IllegalArgumentException: Value out of range for char: -1");
  CHECK_STR(callf("int", 1, KILN_CHAR('a'), KILN_NIL), "97");
  CHECK_STR(C1("unchecked-int", "3000000000"), "-1294967296");
  CHECK_STR(C2("unchecked-add", "9223372036854775807", "1"), "-9223372036854775808");
  CHECK_STR(C1("unchecked-negate", "-9223372036854775808"), "-9223372036854775808");
  CHECK_STR(C1("unchecked-inc", "1.5"), "2.5");
  CHECK_STR(C1("unchecked-long", "1.5"), "1");
  CHECK_STR(C2("unchecked-multiply", "1N", "2"), "2N");
  CHECK_STR(C2("bit-shift-left", "1", "64"), "1");
  CHECK_STR(C2("bit-shift-left", "1", "63"), "-9223372036854775808");
  CHECK_STR(C2("bit-shift-left", "1", "-1"), "-9223372036854775808");
  CHECK_STR(C2("bit-shift-right", "-8", "1"), "-4");
  CHECK_STR(C2("unsigned-bit-shift-right", "-8", "1"), "9223372036854775804");
  CHECK_STR(C2("bit-and", "1.5", "1"),
            "java.lang.IllegalArgumentException: bit operation not supported for: class "
            "java.lang.Double");
  CHECK_STR(C2("bit-and-not", "7", "2"), "5");
  CHECK_STR(C1("bit-not", "0"), "-1");
  CHECK_STR(C2("bit-test", "5", "2"), "true");
  CHECK_STR(C2("bit-set", "0", "63"), "-9223372036854775808");
  CHECK_STR(C2("bit-flip", "5", "0"), "4");
  CHECK_STR(C2("bit-clear", "5", "0"), "4");
  CHECK_STR(C1("integer?", "1N"), "true");
  CHECK_STR(C1("int?", "1N"), "false");
  CHECK_STR(C1("rational?", "1.5M"), "true");
  CHECK_STR(C1("float?", "1.5M"), "false");
  CHECK_STR(C1("pos-int?", "1N"), "false");
  CHECK_STR(C1("nat-int?", "0"), "true");
  CHECK_STR(C1("pos?", "0M"), "false");
  CHECK_STR(C1("zero?", "0.0"), "true");
  CHECK_STR(C1("NaN?", "1"), "false");
  CHECK_STR(C1("infinite?", "-1e400"), "true");
  CHECK_STR(callf("parse-long", 1, kiln_str_cstr("+12"), KILN_NIL), "12");
  CHECK_STR(callf("parse-long", 1, kiln_str_cstr("0x12"), KILN_NIL), "nil");
  CHECK_STR(callf("parse-long", 1, kiln_str_cstr("99999999999999999999"), KILN_NIL), "nil");
  CHECK_STR(callf("parse-long", 1, kiln_str_cstr(" 12"), KILN_NIL), "nil");
  CHECK_STR(callf("parse-long", 1, kiln_kw(NULL, "a"), KILN_NIL),
            "java.lang.IllegalArgumentException: Expected string, got clojure.lang.Keyword");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("1e3"), KILN_NIL), "1000.0");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("NaN"), KILN_NIL), "##NaN");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("-Infinity"), KILN_NIL), "##-Inf");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("0x1p3"), KILN_NIL), "8.0");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr(" 1.5 "), KILN_NIL), "1.5");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("1.5d"), KILN_NIL), "1.5");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("1.5f"), KILN_NIL), "1.5");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("."), KILN_NIL), "nil");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr(".5"), KILN_NIL), "0.5");
  CHECK_STR(callf("==", 2, N("1"), N("1.0")), "true");
  CHECK_STR(callf("==", 1, kiln_kw(NULL, "a"), KILN_NIL), "true");
  CHECK_STR(C1("-'", "0.0"), "-0.0");
  CHECK_STR(C2("-'", "-9223372036854775808", "-9223372036854775808"), "0N");
  CHECK_STR(C2("-", "-376", "-9223372036854775808"),
            "java.lang.ArithmeticException: long overflow");
  CHECK_STR(C1("int", "3000000000"), "java.lang.ArithmeticException: integer overflow");
  CHECK_STR(C1("int", "2147483648.5"), "java.lang.ArithmeticException: integer overflow");
  CHECK_STR(C1("short", "-32768.9"), "-32768");
  CHECK_STR(C1("byte", "127.9"), "127");
  CHECK_STR(C1("bigint", "1e300"), "1" "000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000N");
  CHECK_STR(C1("-", "1E+2M"), "-1E+2M");
  CHECK_STR(C2("/", "-95/14", "0.00M"), "java.lang.ArithmeticException: Divide by zero");
  CHECK_STR(C1("long", "9.223372036854775807E18"), "9223372036854775807");
  CHECK_STR(C1("long", "1.5M"), "1");
  CHECK_STR(C1("int", "1.5M"), "1");
  CHECK_STR(C1("unchecked-int", "1e20"), "2147483647");
  CHECK_STR(C1("unchecked-long", "1e20"), "9223372036854775807");
  CHECK_STR(C1("unchecked-long", "10000000000000000000N"), "-8446744073709551616");
  CHECK_STR(C1("even?", "100000000000000000001N"), "false");
  CHECK_STR(C1("abs", "-1e400"), "##Inf");
  CHECK_STR(C1("abs", "-5N"), "5N");
  CHECK_STR(C1("abs", "1.5M"), "1.5M");
  CHECK_STR(C1("numerator", "100000000000000000000/3"), "100000000000000000000N");
  CHECK_STR(callf("bigint", 1, kiln_double(INFINITY), KILN_NIL),
            "java.lang.NumberFormatException: Character I is neither a decimal digit number, "
            "decimal point, nor \"e\" notation exponential mark.");
  CHECK_STR(callf("bigdec", 1, kiln_double(NAN), KILN_NIL),
            "java.lang.NumberFormatException: Character N is neither a decimal digit number, "
            "decimal point, nor \"e\" notation exponential mark.");
  CHECK_STR(C1("rationalize", "-0.0"), "0N");
  CHECK_STR(C1("rationalize", "1e-20"), "1/100000000000000000000");
  CHECK_STR(C1("bigdec", "1e21"), "1.0E+21M");
  CHECK_STR(C1("bigdec", "-0.0"), "0.0M");
  CHECK_STR(C1("bigint", "1.5M"), "1N");
  CHECK_STR(C1("bigint", "-1.5M"), "-1N");
  CHECK_STR(C1("bigint", "1.5E+2M"), "150N");
  CHECK_STR(C1("bigint", "-7/2"), "-3N");
  CHECK_STR(C2("max", "1.5M", "1.50M"), "1.50M");
  CHECK_STR(C1("zero?", "-0.0"), "true");
  CHECK_STR(C1("neg?", "-0.0"), "false");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("1e500"), KILN_NIL), "##Inf");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("-0"), KILN_NIL), "-0.0");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("0x1.8p1"), KILN_NIL), "3.0");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr("1_0"), KILN_NIL), "nil");
  CHECK_STR(callf("parse-double", 1, kiln_str_cstr(""), KILN_NIL), "nil");
  CHECK_STR(callf("parse-long", 1, kiln_str_cstr("-0"), KILN_NIL), "0");
  CHECK_STR(callf("parse-long", 1, kiln_str_cstr("-9223372036854775808"), KILN_NIL),
            "-9223372036854775808");
  CHECK_STR(callf("parse-long", 1, kiln_str_cstr("9223372036854775808"), KILN_NIL), "nil");
  CHECK_STR(C2("unchecked-add-int", "2147483647", "1"), "-2147483648");
  CHECK_STR(C2("unchecked-add-int", "3000000000", "1"), "java.lang.ArithmeticException: integer overflow");
  CHECK_STR(C2("unchecked-add-int", "2.7", "1"), "3");
  CHECK_STR(C2("unchecked-add-int", "7/2", "1"), "4");
  CHECK_STR(C2("unchecked-subtract-int", "-2147483648", "1"), "2147483647");
  CHECK_STR(C2("unchecked-multiply-int", "65536", "65536"), "0");
  CHECK_STR(C1("unchecked-inc-int", "2147483647"), "-2147483648");
  CHECK_STR(C1("unchecked-dec-int", "-2147483648"), "2147483647");
  CHECK_STR(C1("unchecked-negate-int", "-2147483648"), "-2147483648");
  CHECK_STR(C2("unchecked-divide-int", "7", "-2"), "-3");
  CHECK_STR(C2("unchecked-remainder-int", "-7", "2"), "-1");
  CHECK_STR(C2("unchecked-divide-int", "1", "0"), "java.lang.ArithmeticException: / by zero");
  CHECK_STR(C1("unchecked-byte", "200"), "-56");
  CHECK_STR(C1("unchecked-short", "40000"), "-25536");
  CHECK_STR(C1("unchecked-char", "65601"), "\\A");
  CHECK_STR(C1("unchecked-double", "1/2"), "0.5");
  CHECK_STR(C1("unchecked-float", "1.5"), "1.5");
  CHECK_STR(C1("unchecked-byte", "2.7"), "2");
  CHECK_STR(C1("unchecked-byte", "1e10"), "-1");
  /* Strings and nil, as the JVM's constructors and casts treat them. */
  CHECK_STR(callf("bigdec", 1, kiln_str_cstr("1.5"), KILN_NIL), "1.5M");
  CHECK_STR(callf("bigdec", 1, kiln_str_cstr("-.5"), KILN_NIL), "-0.5M");
  CHECK_STR(callf("bigdec", 1, kiln_str_cstr("1."), KILN_NIL), "1M");
  CHECK_STR(callf("bigdec", 1, kiln_str_cstr("1e3"), KILN_NIL), "1E+3M");
  CHECK_STR(callf("bigdec", 1, kiln_str_cstr("+1.50E-2"), KILN_NIL), "0.0150M");
  CHECK_STR(callf("bigdec", 1, kiln_str_cstr("1.5x"), KILN_NIL),
            "java.lang.NumberFormatException: Character x is neither a decimal digit number, "
            "decimal point, nor \"e\" notation exponential mark.");
  CHECK_STR(callf("bigdec", 1, kiln_str_cstr(""), KILN_NIL), "java.lang.NumberFormatException: ");
  CHECK_STR(callf("bigdec", 1, kiln_kw(NULL, "a"), KILN_NIL),
            "java.lang.IllegalArgumentException: No matching ctor found for class "
            "java.math.BigDecimal");
  CHECK_STR(callf("bigint", 1, kiln_str_cstr("-123456789012345678901234567890"), KILN_NIL),
            "-123456789012345678901234567890N");
  CHECK_STR(callf("bigint", 1, kiln_str_cstr("+5"), KILN_NIL), "5N");
  CHECK_STR(callf("bigint", 1, kiln_str_cstr("1.5"), KILN_NIL),
            "java.lang.NumberFormatException: For input string: \"1.5\"");
  CHECK_STR(callf("bigint", 1, kiln_str_cstr(""), KILN_NIL),
            "java.lang.NumberFormatException: Zero length BigInteger");
  CHECK_STR(callf("bigint", 1, KILN_CHAR('a'), KILN_NIL),
            "java.lang.IllegalArgumentException: No matching ctor found for class "
            "java.math.BigInteger");
  CHECK_STR(callf("num", 1, KILN_NIL, KILN_NIL), "nil");
  CHECK_STR(callf("long", 1, KILN_NIL, KILN_NIL),
            "java.lang.NullPointerException: Cannot invoke \"java.lang.Number.doubleValue()\" "
            "because \"x\" is null");
  CHECK_STR(callf("int", 1, KILN_NIL, KILN_NIL),
            "java.lang.NullPointerException: Cannot invoke \"java.lang.Character.charValue()\" "
            "because \"x\" is null");
  CHECK_STR(callf("char", 1, KILN_NIL, KILN_NIL),
            "java.lang.NullPointerException: Cannot invoke \"java.lang.Number.longValue()\" "
            "because \"x\" is null");
  CHECK_STR(callf("numerator", 1, KILN_NIL, KILN_NIL),
            "java.lang.NullPointerException: Cannot read field \"numerator\" because \"r\" is "
            "null");
  CHECK_STR(callf("even?", 1, KILN_NIL, KILN_NIL),
            "java.lang.IllegalArgumentException: Argument must be an integer: ");
  CHECK_STR(callf("quot", 2, KILN_NIL, N("1")),
            "java.lang.NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" "
            "is null");
  CHECK_STR(callf("parse-long", 1, KILN_NIL, KILN_NIL),
            "java.lang.IllegalArgumentException: Expected string, got nil");
  /* rand stays in range. */
  bool in_range = true;
  for (int i = 0; i < 1000; i++) {
    const char *r = callf("rand-int", 1, N("10"), KILN_NIL);
    if (strlen(r) != 1 || r[0] < '0' || r[0] > '9') in_range = false;
    r = callf("rand", 0, KILN_NIL, KILN_NIL);
    if (strncmp(r, "0.", 2) != 0 && !strstr(r, "E-")) in_range = false;
    if (!in_range) fprintf(stderr, "out of range: %s\n", r);
  }
  CHECK(in_range);
}

/* clojure.math, against the JVM's results. */
static void test_math(void) {
  CHECK_STR(M1("round", "2.5"), "3");
  CHECK_STR(M1("round", "-2.5"), "-2");
  CHECK_STR(callns("clojure.math", "round", 1, kiln_double(NAN), KILN_NIL), "0");
  CHECK_STR(M1("round", "1e20"), "9223372036854775807");
  CHECK_STR(M1("round", "-1e20"), "-9223372036854775808");
  CHECK_STR(M1("round", "1/2"), "1");
  CHECK_STR(M2("floor-div", "-7", "2"), "-4");
  CHECK_STR(M2("floor-mod", "-7", "2"), "1");
  CHECK_STR(M2("floor-mod", "7", "-2"), "-1");
  CHECK_STR(M2("floor-div", "1", "0"), "java.lang.ArithmeticException: / by zero");
  CHECK_STR(M2("floor-div", "-9223372036854775808", "-1"), "-9223372036854775808");
  CHECK_STR(M2("floor-div", "7.5", "2"), "3");
  CHECK_STR(M1("sqrt", "-1"), "##NaN");
  CHECK_STR(M1("sqrt", "4"), "2.0");
  CHECK_STR(M1("sqrt", "1/4"), "0.5");
  CHECK_STR(M1("signum", "-2.0"), "-1.0");
  CHECK_STR(M1("signum", "0.0"), "0.0");
  CHECK_STR(M2("pow", "2", "10"), "1024.0");
  CHECK_STR(M2("pow", "2", "0.5"), "1.4142135623730951");
  CHECK_STR(M2("pow", "10", "-3"), "0.001");
  CHECK_STR(M1("rint", "2.5"), "2.0");
  CHECK_STR(M1("rint", "3.5"), "4.0");
  CHECK_STR(M1("ceil", "1.2"), "2.0");
  CHECK_STR(M1("floor", "-1.2"), "-2.0");
  CHECK_STR(M1("exp", "1"), "2.718281828459045");
  CHECK_STR(M1("exp", "2"), "7.38905609893065");
  CHECK_STR(M1("log", "10"), "2.302585092994046");
  CHECK_STR(M1("log", "2"), "0.6931471805599453");
  CHECK_STR(M1("log10", "1000"), "3.0");
  CHECK_STR(M1("sin", "1"), "0.8414709848078965");
  CHECK_STR(M1("cos", "1"), "0.5403023058681398");
  CHECK_STR(M1("tan", "1"), "1.5574077246549023");
  CHECK_STR(M2("atan2", "1", "2"), "0.4636476090008061");
  CHECK_STR(M2("hypot", "3", "4"), "5.0");
  CHECK_STR(M1("to-radians", "180"), "3.141592653589793");
  CHECK_STR(M1("to-degrees", "1"), "57.29577951308232");
  CHECK_STR(M1("cbrt", "27"), "3.0");
  CHECK_STR(M1("log1p", "1e-10"), "9.999999999500001E-11");
  CHECK_STR(M1("expm1", "1e-10"), "1.00000000005E-10");
  CHECK_STR(M1("asin", "0.5"), "0.5235987755982989");
  CHECK_STR(M1("acos", "0.5"), "1.0471975511965979");
  CHECK_STR(M1("atan", "1"), "0.7853981633974483");
  CHECK_STR(M2("IEEE-remainder", "5", "3"), "-1.0");
  CHECK_STR(callns("clojure.math", "sqrt", 1, kiln_kw(NULL, "a"), KILN_NIL),
            "java.lang.ClassCastException: class clojure.lang.Keyword cannot be cast to class "
            "java.lang.Number (clojure.lang.Keyword is in unnamed module of loader 'app'; "
            "java.lang.Number is in module java.base of loader 'bootstrap')");
  CHECK_STR(pr(kiln_var_get(kiln_var_intern("clojure.math", "PI"))), "3.141592653589793");
  CHECK_STR(pr(kiln_var_get(kiln_var_intern("clojure.math", "E"))), "2.718281828459045");
}

/* with-precision: *math-context* bound to [precision rounding], against the
 * JVM's (with-precision p :rounding R expr). */
static const char *with_prec(int64_t prec, const char *mode, binop f, const char *a,
                             const char *b) {
  kiln_var *mc = kiln_var_intern("clojure.core", "*math-context*");
  kiln_val ctx[2] = {kiln_long(prec), kiln_sym(NULL, mode)};
  kiln_var_push_bindings(kiln_assoc(kiln_empty_map, (kiln_val)mc, kiln_vec_from(2, ctx)));
  const char *r = ev(f, a, b);
  kiln_var_pop_bindings();
  return r;
}

static kiln_val negate_val(kiln_val a, kiln_val b) { return kiln_num_negate(a); }

static void test_math_context(void) {
  CHECK_STR(with_prec(10, "HALF_UP", kiln_num_div, "1M", "3"), "0.3333333333M");
  CHECK_STR(with_prec(10, "HALF_UP", kiln_num_div, "2M", "3"), "0.6666666667M");
  CHECK_STR(with_prec(10, "DOWN", kiln_num_div, "2M", "3"), "0.6666666666M");
  CHECK_STR(with_prec(10, "CEILING", kiln_num_div, "-2M", "3"), "-0.6666666666M");
  CHECK_STR(with_prec(10, "FLOOR", kiln_num_div, "-2M", "3"), "-0.6666666667M");
  CHECK_STR(with_prec(3, "HALF_EVEN", kiln_num_div, "25M", "10"), "2.5M");
  CHECK_STR(with_prec(1, "HALF_EVEN", kiln_num_div, "25M", "10"), "2M");
  CHECK_STR(with_prec(1, "HALF_UP", kiln_num_div, "25M", "10"), "3M");
  CHECK_STR(with_prec(1, "HALF_DOWN", kiln_num_div, "25M", "10"), "2M");
  CHECK_STR(with_prec(1, "HALF_DOWN", kiln_num_div, "251M", "100"), "3M");
  CHECK_STR(with_prec(1, "UP", kiln_num_div, "21M", "10"), "3M");
  CHECK_STR(with_prec(1, "UNNECESSARY", kiln_num_div, "21M", "10"),
            "java.lang.ArithmeticException: Rounding necessary");
  CHECK_STR(with_prec(10, "HALF_UP", kiln_num_div, "1M", "4"), "0.25M");
  CHECK_STR(with_prec(2, "HALF_UP", kiln_num_div, "100M", "3"), "33M");
  CHECK_STR(with_prec(1, "HALF_UP", kiln_num_div, "100M", "3"), "3E+1M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_add, "1.23456789M", "1"), "2.2346M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_mul, "1.23456789M", "1"), "1.2346M");
  CHECK_STR(with_prec(5, "HALF_UP", negate_val, "1.23456789M", "0"), "-1.2346M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_mul, "99999M", "9"), "8.9999E+5M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_add, "1M", "1/3"), "1.3333M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_add, "1", "1/3"), "4/3");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_add, "1M", "0"), "1M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_add, "123456789M", "0"), "1.2346E+8M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_add, "0M", "123456789M"), "1.2346E+8M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_quot, "123456789M", "7"),
            "java.lang.ArithmeticException: Division impossible");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_rem, "123456789M", "7"),
            "java.lang.ArithmeticException: Division impossible");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_div, "1", "3"), "1/3");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_div, "10M", "4"), "2.5M");
  CHECK_STR(with_prec(0, "HALF_UP", kiln_num_div, "1M", "3"),
            "java.lang.ArithmeticException: Non-terminating decimal expansion; no exact "
            "representable decimal result.");
  CHECK_STR(with_prec(20, "HALF_UP", kiln_num_div, "1M", "7"), "0.14285714285714285714M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_div, "0M", "7"), "0M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_div, "0.000M", "7.0M"), "0.00M");
  CHECK_STR(with_prec(3, "HALF_UP", kiln_num_div, "12345M", "1E-5M"), "1.23E+9M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_mul, "1.00000M", "1.00000M"), "1.0000M");
  CHECK_STR(with_prec(5, "HALF_UP", kiln_num_add, "1E+10M", "1"), "1.0000E+10M");
  CHECK_STR(with_prec(5, "HALF_UP", lt_val, "1M", "1/3"), "false");
  /* Unbound again: exact. */
  CHECK_STR(ev(kiln_num_div, "1M", "3"),
            "java.lang.ArithmeticException: Non-terminating decimal expansion; no exact "
            "representable decimal result.");
}

/* Each line: the double's 64 bits in hex, a space, Java's Double.toString. */
static void test_doubles_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    check_failed++;
    return;
  }
  char line[128];
  int n = 0, bad = 0;
  while (fgets(line, sizeof line, f)) {
    uint64_t bits;
    char want[96];
    if (sscanf(line, "%" SCNx64 " %95s", &bits, want) != 2) continue;
    double d;
    memcpy(&d, &bits, sizeof d);
    char got[64];
    kiln_double_to_string(d, got);
    n++;
    if (strcmp(got, want) != 0) {
      if (bad++ < 20) fprintf(stderr, "double %016" PRIx64 ": got %s want %s\n", bits, got, want);
      continue;
    }
    /* The JVM's text reads back as the same double through the reader. */
    kiln_val v;
    if (isfinite(d) && (!kiln_num_parse(want, strlen(want), &v) ||
                        !KILN_HAS_TYPE(v, KILN_T_DOUBLE) ||
                        memcmp(&((kiln_boxed_double *)v)->value, &d, sizeof d) != 0)) {
      if (bad++ < 20) fprintf(stderr, "double %s does not read back\n", want);
    }
  }
  fclose(f);
  printf("%d doubles checked, %d mismatches\n", n, bad);
  CHECK(n >= 1000);
  CHECK(bad == 0);
}

static kiln_val equiv_val(kiln_val a, kiln_val b) { return KILN_BOOL(kiln_num_equiv(a, b)); }
static kiln_val compare_val(kiln_val a, kiln_val b) { return kiln_long(kiln_num_compare(a, b)); }
static kiln_val hash_val(kiln_val a, kiln_val b) { return kiln_long(kiln_num_hash(a)); }

typedef struct parse_ctx {
  const char *s;
  bool ok;
} parse_ctx;

static kiln_val run_parse(void *ctx) {
  parse_ctx *p = ctx;
  kiln_val v = KILN_NIL;
  p->ok = kiln_num_parse(p->s, strlen(p->s), &v);
  return v;
}

/* What the reader makes of a token: the number printed, or "invalid". */
static const char *read_token(const char *s) {
  parse_ctx p = {s, false};
  kiln_val v, ex;
  if (!kiln_pcall(run_parse, &p, &v, &ex)) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_printf(&sb, "!%s: %s", ((kiln_exception *)ex)->cls, kiln_ex_message(ex));
    return kiln_sb_cstr(&sb);
  }
  return p.ok ? pr(v) : "invalid";
}

/* Each line: OP \t A \t B \t RESULT (B is "-" for unary ops); see gen-arith.sh. */
static void test_arith_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    check_failed++;
    return;
  }
  char line[1024];
  int n = 0, bad = 0;
  ex_mark = "!";
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    char *op = strtok(line, "\t"), *a = strtok(NULL, "\t"), *b = strtok(NULL, "\t"),
         *want = strtok(NULL, "");
    if (!op || !a || !b || !want) continue;
    bool unary = strcmp(b, "-") == 0;
    const char *got;
    /* "mc:PRECISION:ROUNDING:op" runs op with *math-context* bound. */
    bool bound = strncmp(op, "mc:", 3) == 0;
    if (bound) {
      char *prec = op + 3, *mode = strchr(prec, ':'), *name;
      *mode++ = 0;
      name = strchr(mode, ':');
      *name++ = 0;
      kiln_var *mc = kiln_var_intern("clojure.core", "*math-context*");
      kiln_val ctx[2] = {kiln_long(atoll(prec)), kiln_sym(NULL, mode)};
      kiln_var_push_bindings(kiln_assoc(kiln_empty_map, (kiln_val)mc, kiln_vec_from(2, ctx)));
      op = name;
    }
    kiln_sb sb;
    kiln_sb_init(&sb);
    if (strcmp(op, "=") == 0) {
      got = ev(equiv_val, a, b);
    } else if (strcmp(op, "compare") == 0) {
      got = ev(compare_val, a, b);
    } else if (strcmp(op, "read") == 0) {
      got = read_token(a);
    } else if (strcmp(op, "hash") == 0) {
      got = ev(hash_val, a, "0");
    } else {
      got = unary ? callf(op, 1, N(a), KILN_NIL) : callf(op, 2, N(a), N(b));
    }
    if (bound) kiln_var_pop_bindings();
    n++;
    if (strcmp(got, want) != 0 && bad++ < 30)
      fprintf(stderr, "(%s %s%s%s): got %s want %s\n", op, a, unary ? "" : " ", unary ? "" : b,
              got, want);
  }
  fclose(f);
  ex_mark = "";
  printf("%d operations checked, %d mismatches\n", n, bad);
  CHECK(n >= 1000);
  CHECK(bad == 0);
}

int main(int argc, char **argv) {
  kiln_rt_init();
  test_longs();
  test_contagion();
  test_division();
  test_quot_rem_mod();
  test_compare_equal();
  test_hash();
  test_parse_print();
  test_double_to_string();
  test_natives();
  test_math();
  test_math_context();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--doubles") == 0) test_doubles_file(argv[i + 1]);
    else if (strcmp(argv[i], "--arith") == 0) test_arith_file(argv[i + 1]);
  }
  return check_summary();
}
