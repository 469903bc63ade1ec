/*
 * number.c — Clojure's numeric tower: long, double, BigInt (N), Ratio and
 * BigDecimal (M), with the JVM's contagion, overflow, equality, hashing,
 * parsing and printing rules, on libtommath.
 *
 * Categories. Every number belongs to one of five operation categories,
 * ordered so that combining two operands is the maximum of their categories,
 * exactly as clojure.lang.Numbers' Ops.combine does:
 *   long < bigint < ratio < decimal < double
 * (long op ratio is ratio, bigint op decimal is decimal, anything op double is
 * double.) Equality with = additionally requires the same *equality* group:
 * integers (long and bigint), doubles, ratios, decimals.
 *
 * Longs are fixnums when they fit 63 bits and boxed int64 (KILN_T_LONG)
 * beyond; the split never shows. The fixnum fast paths allocate nothing.
 *
 * Memory of big numbers. A KILN_T_BIGINT object holds its libtommath digits
 * inline, in GC memory allocated atomic (there are no pointers inside), so no
 * finalizer is ever needed. To compute, an object is *viewed* as an mp_int
 * whose dp points at those digits (read-only: views are only ever passed as
 * const inputs to libtommath), results are computed into ordinary malloc'ed
 * mp_ints and copied into a new GC object, then cleared. A ratio holds two
 * BIGINT objects (the denominator > 1), a decimal a BIGINT unscaled value and
 * an int32 scale, as java.math.BigDecimal: value = unscaled * 10^-scale.
 *
 * Which JVM behaviour. Where JVM Clojure answers differently for literal
 * (primitive, inlined) and boxed arguments, Kiln follows the boxed path,
 * which is what a function of unhinted arguments sees: (- x Long/MIN_VALUE)
 * negates first and throws, (int 1e10) throws "integer overflow", quot of
 * longs by zero says "Divide by zero". The one exception is division
 * involving a double, which is IEEE as with literals: (/ 1.0 0) is ##Inf.
 * Doubles print as JDK 17's Double.toString does (FloatingDecimal, ported
 * below), not as the shortest round-trip digits. Kiln has no float, short,
 * byte or BigInteger types: float keeps a double (range-checked), short and
 * byte give longs, biginteger and numerator/denominator give BigInts (or
 * longs when they fit). The math context that with-precision binds is a
 * plain [precision rounding] vector (see "math-context" below), not a
 * java.math.MathContext object.
 */
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tommath.h>
#if defined(__APPLE__)
#include <xlocale.h>
#endif

#include "runtime/rt.h"

typedef struct kiln_bigint {
  kiln_obj h;      /* KILN_T_BIGINT */
  int32_t used;    /* digits in use; 0 for zero */
  int32_t sign;    /* MP_ZPOS or MP_NEG; zero is MP_ZPOS */
  mp_digit dp[];   /* at least one digit is allocated */
} kiln_bigint;

typedef struct kiln_ratio {
  kiln_obj h;      /* KILN_T_RATIO */
  kiln_val num;    /* a BIGINT object */
  kiln_val den;    /* a BIGINT object, > 1 */
} kiln_ratio;

typedef struct kiln_decimal {
  kiln_obj h;      /* KILN_T_DECIMAL */
  int32_t scale;
  int32_t pad;
  kiln_val unscaled; /* a BIGINT object */
} kiln_decimal;

#define FIX2(a, b) (KILN_IS_FIXNUM(a) && KILN_IS_FIXNUM(b))

enum { C_LONG, C_BIGINT, C_RATIO, C_DECIMAL, C_DOUBLE };
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

static const char NON_TERMINATING[] =
    "Non-terminating decimal expansion; no exact representable decimal result.";

/* ==== errors ============================================================ */

static KILN_NORETURN void mp_oom(void) {
  kiln_throwf(KILN_EX_OOM, "Kiln could not allocate memory for a big number");
}
#define MPC(e) do { if ((e) != MP_OKAY) mp_oom(); } while (0)

/* The JVM's module note for a class: java.* classes are in java.base. */
static const char *module_of(const char *cls) {
  return strncmp(cls, "java.", 5) == 0 ? "module java.base of loader 'bootstrap'"
                                       : "unnamed module of loader 'app'";
}

/* ClassCastException with the JVM's full message. */
static KILN_NORETURN void class_cast(kiln_val v, const char *to) {
  const char *from = kiln_class_name(v);
  const char *mf = module_of(from), *mt = module_of(to);
  if (strcmp(mf, mt) == 0)
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class %s (%s and %s are in %s)",
                from, to, from, to, mf);
  kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class %s (%s is in %s; %s is in %s)",
              from, to, from, mf, to, mt);
}

/* The JVM's NullPointerException for calling [method] on a nil [var]. */
static KILN_NORETURN void npe(const char *method, const char *var) {
  kiln_throwf(KILN_EX_NULL, "Cannot invoke \"%s()\" because \"%s\" is null", method, var);
}

/* Casts that call Number.doubleValue() (long, double, float, short, ...) on nil. */
static inline void nil_check(kiln_val v, const char *method) {
  if (v == KILN_NIL) npe(method, "x");
}

static KILN_NORETURN void not_a_number(kiln_val v) {
  if (v == KILN_NIL)
    kiln_throwf(KILN_EX_NULL, "Cannot invoke \"Object.getClass()\" because \"x\" is null");
  class_cast(v, "java.lang.Number");
}

static KILN_NORETURN void divide_by_zero(void) {
  kiln_throwf(KILN_EX_ARITHMETIC, "Divide by zero");
}

static KILN_NORETURN void long_overflow(void) {
  kiln_throwf(KILN_EX_ARITHMETIC, "long overflow");
}

/* ==== longs and doubles ================================================= */

kiln_val kiln_long(int64_t i) {
  if (KILN_FITS_FIXNUM(i)) return KILN_FIXNUM(i);
  kiln_boxed_long *b = kiln_alloc_atomic(sizeof *b);
  b->h.type = KILN_T_LONG;
  b->h.flags = 0;
  b->value = i;
  return (kiln_val)b;
}

kiln_val kiln_double(double d) {
  kiln_boxed_double *b = kiln_alloc_atomic(sizeof *b);
  b->h.type = KILN_T_DOUBLE;
  b->h.flags = 0;
  b->value = d;
  return (kiln_val)b;
}

bool kiln_is_long(kiln_val v) { return KILN_IS_FIXNUM(v) || KILN_HAS_TYPE(v, KILN_T_LONG); }

int64_t kiln_long_value(kiln_val v) {
  if (KILN_IS_FIXNUM(v)) return KILN_FIXNUM_VALUE(v);
  return ((const kiln_boxed_long *)v)->value;
}

static inline double dbl_of(kiln_val v) { return ((const kiln_boxed_double *)v)->value; }

static int cat_of(kiln_val v) {
  if (KILN_IS_FIXNUM(v)) return C_LONG;
  if (KILN_IS_PTR(v)) {
    switch (KILN_OBJ_TYPE(v)) {
    case KILN_T_LONG: return C_LONG;
    case KILN_T_DOUBLE: return C_DOUBLE;
    case KILN_T_BIGINT: return C_BIGINT;
    case KILN_T_RATIO: return C_RATIO;
    case KILN_T_DECIMAL: return C_DECIMAL;
    default: break;
    }
  }
  not_a_number(v);
}

bool kiln_is_number(kiln_val v) {
  if (KILN_IS_FIXNUM(v)) return true;
  if (!KILN_IS_PTR(v)) return false;
  uint32_t t = KILN_OBJ_TYPE(v);
  return t == KILN_T_LONG || t == KILN_T_DOUBLE || t == KILN_T_BIGINT || t == KILN_T_RATIO ||
         t == KILN_T_DECIMAL;
}

/* ==== big integers ====================================================== */

static kiln_bigint *big_alloc(int used) {
  int n = used > 0 ? used : 1;
  kiln_bigint *b = kiln_alloc_atomic(sizeof *b + (size_t)n * sizeof(mp_digit));
  b->h.type = KILN_T_BIGINT;
  b->h.flags = 0;
  b->used = used;
  b->sign = MP_ZPOS;
  b->dp[0] = 0;
  return b;
}

/* Copies [m] into a new BIGINT object; [m] is left alone. */
static kiln_val big_from_mp(const mp_int *m) {
  kiln_bigint *b = big_alloc(m->used);
  if (m->used) memcpy(b->dp, m->dp, (size_t)m->used * sizeof(mp_digit));
  b->sign = m->used ? (int32_t)m->sign : MP_ZPOS;
  return (kiln_val)b;
}

/* Copies [m] into a new BIGINT object and clears [m]. */
static kiln_val big_take(mp_int *m) {
  kiln_val v = big_from_mp(m);
  mp_clear(m);
  return v;
}

/* A read-only mp_int over a BIGINT object's digits. */
static void big_view(kiln_val v, mp_int *m) {
  const kiln_bigint *b = (const kiln_bigint *)v;
  m->used = b->used;
  m->alloc = b->used > 0 ? b->used : 1;
  m->sign = (mp_sign)b->sign;
  m->dp = (mp_digit *)b->dp;
}

static kiln_val big_from_i64(int64_t i) {
  mp_int m;
  MPC(mp_init_i64(&m, i));
  return big_take(&m);
}

/* True when [m] fits an int64 (as BigInteger.bitLength() < 64); sets *out. */
static bool mp_fits_i64(const mp_int *m, int64_t *out) {
  int bits = mp_count_bits(m);
  if (bits <= 63) {
    *out = mp_get_i64(m);
    return true;
  }
  if (bits == 64 && m->sign == MP_NEG && mp_get_mag_u64(m) == (UINT64_C(1) << 63)) {
    *out = INT64_MIN;
    return true;
  }
  return false;
}

/*
 * Small fast paths (they use __int128, which every 64-bit target has). Integers below 2^62 in magnitude (longs, and bigints
 * that small) are combined in 128-bit arithmetic, which cannot overflow for
 * the sums and products of two of them, and never touch libtommath.
 */
#define SMALL_LIMIT (INT64_C(1) << 62)

static bool small_int(kiln_val v, int64_t *out) {
  int64_t i;
  if (kiln_is_long(v)) {
    i = kiln_long_value(v);
  } else if (KILN_HAS_TYPE(v, KILN_T_BIGINT)) {
    const kiln_bigint *b = (const kiln_bigint *)v;
    if (b->used > 1 || MP_DIGIT_BIT > 62) return false; /* one digit: below 2^MP_DIGIT_BIT */
    i = b->used ? (int64_t)b->dp[0] : 0;
    if (b->sign == MP_NEG) i = -i;
  } else {
    return false;
  }
  if (i <= -SMALL_LIMIT || i >= SMALL_LIMIT) return false;
  *out = i;
  return true;
}

/* A BIGINT object holding [v], built without libtommath. */
static kiln_val big_from_i128(__int128 v) {
  unsigned __int128 mag = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
  int used = 0;
  for (unsigned __int128 t = mag; t; t >>= MP_DIGIT_BIT) used++;
  kiln_bigint *b = big_alloc(used);
  for (int i = 0; i < used; i++) {
    b->dp[i] = (mp_digit)(mag & MP_MASK);
    mag >>= MP_DIGIT_BIT;
  }
  b->sign = used && v < 0 ? MP_NEG : MP_ZPOS;
  return (kiln_val)b;
}

static int cmp_i128(__int128 a, __int128 b) { return a < b ? -1 : a > b; }

/* An integer operand (long or BIGINT) as an mp_int: a view or an owned copy. */
typedef struct zint {
  mp_int m;
  bool owned;
} zint;

static void z_of(zint *z, kiln_val v) {
  if (KILN_HAS_TYPE(v, KILN_T_BIGINT)) {
    big_view(v, &z->m);
    z->owned = false;
  } else {
    MPC(mp_init_i64(&z->m, kiln_long_value(v)));
    z->owned = true;
  }
}

static void z_done(zint *z) {
  if (z->owned) mp_clear(&z->m);
}

/* An owned copy of an integer value (long or BIGINT) into an initialised [m]. */
static void mp_set_val(mp_int *m, kiln_val v) {
  if (KILN_HAS_TYPE(v, KILN_T_BIGINT)) {
    mp_int view;
    big_view(v, &view);
    MPC(mp_copy(&view, m));
  } else {
    mp_set_i64(m, kiln_long_value(v));
  }
}

static void mp_mul_pow10(mp_int *x, int64_t k) {
  if (k <= 0) return;
  mp_int p;
  MPC(mp_init(&p));
  mp_set(&p, 10);
  MPC(mp_expt_u32(&p, (uint32_t)k, &p));
  MPC(mp_mul(x, &p, x));
  mp_clear(&p);
}

/* Decimal digits of |m| as a GC string; *neg tells the sign. */
static char *mp_digits(const mp_int *m, size_t *len) {
  int size;
  MPC(mp_radix_size(m, 10, &size));
  char *buf = kiln_alloc_atomic((size_t)size + 1);
  size_t written;
  MPC(mp_to_radix(m, buf, (size_t)size + 1, &written, 10));
  *len = strlen(buf);
  return buf;
}

/* Java's BigInteger.hashCode over the magnitude in 32-bit words, times the sign. */
static int32_t mp_java_hash(const mp_int *m) {
  int bits = mp_count_bits(m);
  int nwords = (bits + 31) / 32;
  uint32_t h = 0;
  for (int w = nwords - 1; w >= 0; w--) {
    uint64_t word = 0;
    for (int b = 0; b < 32; b++) {
      int bit = w * 32 + b;
      int di = bit / MP_DIGIT_BIT, db = bit % MP_DIGIT_BIT;
      if (di < m->used && ((m->dp[di] >> db) & 1u)) word |= (uint64_t)1 << b;
    }
    h = 31u * h + (uint32_t)word;
  }
  if (m->sign == MP_NEG) h = (uint32_t)0 - h;
  return (int32_t)h;
}

/* strtod in the C locale, whatever locale the host app has set ("1.5" must
 * not need a comma). glibc and Apple both correctly round. */
static double c_strtod(const char *s) {
  static locale_t c_locale;
  locale_t loc = __atomic_load_n(&c_locale, __ATOMIC_ACQUIRE);
  if (!loc) {
    locale_t fresh = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!fresh) return strtod(s, NULL);
    if (__atomic_compare_exchange_n(&c_locale, &loc, fresh, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      loc = fresh;
    else
      freelocale(fresh);
  }
  return strtod_l(s, NULL, loc);
}

/* The correctly rounded double nearest to the decimal "digits e exp". */
static double decimal_string_to_double(bool neg, const char *digits, int64_t exp) {
  size_t n = strlen(digits);
  char *s = kiln_alloc_atomic(n + 32);
  snprintf(s, n + 32, "%s%se%lld", neg ? "-" : "", digits, (long long)exp);
  return c_strtod(s);
}

static double mp_to_double(const mp_int *m) {
  int64_t i;
  if (mp_fits_i64(m, &i)) return (double)i;
  size_t len;
  char *d = mp_digits(m, &len);
  return c_strtod(d); /* mp_to_radix writes the sign itself */
}

/* ==== ratios ============================================================ */

static kiln_val ratio_new_take(mp_int *n, mp_int *d) {
  kiln_ratio *r = kiln_obj_new(KILN_T_RATIO, sizeof *r);
  r->num = big_take(n);
  r->den = big_take(d);
  return (kiln_val)r;
}

/*
 * Clojure's Numbers.divide(BigInteger, BigInteger): reduces n/d and returns a
 * BigInt when the denominator becomes 1, else a Ratio with d > 0. Takes
 * ownership of both (clears them).
 */
static kiln_val q_normalize(mp_int *n, mp_int *d) {
  if (mp_iszero(d)) {
    mp_clear_multi(n, d, NULL);
    divide_by_zero();
  }
  mp_int g;
  MPC(mp_init(&g));
  MPC(mp_gcd(n, d, &g));
  if (mp_iszero(&g)) { /* n and d both zero cannot happen: d != 0 */
    mp_clear_multi(&g, n, d, NULL);
    return big_from_i64(0);
  }
  MPC(mp_div(n, &g, n, NULL));
  MPC(mp_div(d, &g, d, NULL));
  mp_clear(&g);
  if (d->sign == MP_NEG) {
    MPC(mp_neg(n, n));
    MPC(mp_neg(d, d));
  }
  if (mp_cmp_d(d, 1) == MP_EQ) {
    mp_clear(d);
    return big_take(n);
  }
  return ratio_new_take(n, d);
}

/* Any rational operand (long, bigint, ratio) as owned numerator/denominator. */
static void q_of(kiln_val v, mp_int *n, mp_int *d) {
  MPC(mp_init_multi(n, d, NULL));
  if (KILN_HAS_TYPE(v, KILN_T_RATIO)) {
    const kiln_ratio *r = (const kiln_ratio *)v;
    mp_set_val(n, r->num);
    mp_set_val(d, r->den);
  } else {
    mp_set_val(n, v);
    mp_set(d, 1);
  }
}

/* A rational operand with a small numerator and denominator. */
static bool small_q(kiln_val v, int64_t *n, int64_t *d) {
  if (KILN_HAS_TYPE(v, KILN_T_RATIO)) {
    const kiln_ratio *r = (const kiln_ratio *)v;
    return small_int(r->num, n) && small_int(r->den, d);
  }
  *d = 1;
  return small_int(v, n);
}

/* q_normalize for 128-bit numerator and denominator. */
static kiln_val q_normalize128(__int128 n, __int128 d) {
  if (d == 0) divide_by_zero();
  unsigned __int128 x = n < 0 ? (unsigned __int128)0 - (unsigned __int128)n : (unsigned __int128)n;
  unsigned __int128 y = d < 0 ? (unsigned __int128)0 - (unsigned __int128)d : (unsigned __int128)d;
  while (y != 0) {
    unsigned __int128 t = x % y;
    x = y;
    y = t;
  }
  if (x == 0) return big_from_i128(0);
  n /= (__int128)x;
  d /= (__int128)x;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  if (d == 1) return big_from_i128(n);
  kiln_ratio *r = kiln_obj_new(KILN_T_RATIO, sizeof *r);
  r->num = big_from_i128(n);
  r->den = big_from_i128(d);
  return (kiln_val)r;
}

static kiln_val ratio_arith(kiln_val a, kiln_val b, int op) {
  int64_t sn, sd, tn, td;
  if (small_q(a, &sn, &sd) && small_q(b, &tn, &td)) {
    __int128 an = sn, ad = sd, bn = tn, bd = td;
    switch (op) {
    case OP_ADD: return q_normalize128(an * bd + bn * ad, ad * bd);
    case OP_SUB: return q_normalize128(an * bd - bn * ad, ad * bd);
    case OP_MUL: return q_normalize128(an * bn, ad * bd);
    default: return q_normalize128(an * bd, ad * bn);
    }
  }
  mp_int an, ad, bn, bd, t;
  q_of(a, &an, &ad);
  q_of(b, &bn, &bd);
  MPC(mp_init(&t));
  switch (op) {
  case OP_ADD:
  case OP_SUB:
    MPC(mp_mul(&an, &bd, &an));
    MPC(mp_mul(&bn, &ad, &t));
    if (op == OP_ADD) MPC(mp_add(&an, &t, &an));
    else MPC(mp_sub(&an, &t, &an));
    MPC(mp_mul(&ad, &bd, &ad));
    break;
  case OP_MUL:
    MPC(mp_mul(&an, &bn, &an));
    MPC(mp_mul(&ad, &bd, &ad));
    break;
  default: /* OP_DIV */
    MPC(mp_mul(&an, &bd, &an));
    MPC(mp_mul(&ad, &bn, &ad));
    break;
  }
  mp_clear_multi(&bn, &bd, &t, NULL);
  return q_normalize(&an, &ad);
}

/* Compares two rationals: -1, 0 or 1. */
static int ratio_cmp(kiln_val a, kiln_val b) {
  int64_t sn, sd, tn, td;
  if (small_q(a, &sn, &sd) && small_q(b, &tn, &td))
    return cmp_i128((__int128)sn * td, (__int128)tn * sd);
  mp_int an, ad, bn, bd;
  q_of(a, &an, &ad);
  q_of(b, &bn, &bd);
  MPC(mp_mul(&an, &bd, &an));
  MPC(mp_mul(&bn, &ad, &bn));
  mp_ord o = mp_cmp(&an, &bn);
  mp_clear_multi(&an, &ad, &bn, &bd, NULL);
  return o == MP_LT ? -1 : o == MP_GT ? 1 : 0;
}

/*
 * Ratio.doubleValue: the quotient rounded to 16 significant digits
 * (MathContext.DECIMAL64, half even), then converted correctly rounded.
 */
static double ratio_to_double(kiln_val v) {
  const kiln_ratio *r = (const kiln_ratio *)v;
  mp_int n, d, q, rem;
  MPC(mp_init_multi(&n, &d, &q, &rem, NULL));
  mp_set_val(&n, r->num);
  mp_set_val(&d, r->den);
  bool neg = n.sign == MP_NEG;
  MPC(mp_abs(&n, &n));
  if (mp_iszero(&n)) {
    mp_clear_multi(&n, &d, &q, &rem, NULL);
    return 0.0;
  }
  size_t nlen, dlen;
  mp_digits(&n, &nlen);
  mp_digits(&d, &dlen);
  /* Scale so that the integer quotient has at least 18 digits. */
  int64_t k = 18 - ((int64_t)nlen - (int64_t)dlen) + 1;
  if (k > 0) mp_mul_pow10(&n, k);
  else mp_mul_pow10(&d, -k);
  MPC(mp_div(&n, &d, &q, &rem));
  size_t qlen;
  char *digits = mp_digits(&q, &qlen);
  bool sticky = !mp_iszero(&rem);
  mp_clear_multi(&n, &d, &q, &rem, NULL);
  /* Round the digit string to 16 digits, half even. */
  int64_t exp = -k + (int64_t)(qlen - 16);
  char first = digits[16];
  for (size_t i = 17; i < qlen && !sticky; i++) sticky = digits[i] != '0';
  digits[16] = 0;
  bool up = first > '5' || (first == '5' && (sticky || ((digits[15] - '0') & 1)));
  if (up) {
    int i = 15;
    while (i >= 0 && digits[i] == '9') digits[i--] = '0';
    if (i >= 0) {
      digits[i]++;
    } else { /* all nines: 10^16 */
      memmove(digits + 1, digits, 17);
      digits[0] = '1';
      digits[17] = 0;
    }
  }
  return decimal_string_to_double(neg, digits, exp);
}

/* ==== decimals ========================================================== */

/* A decimal operand: an owned unscaled value and a scale. */
typedef struct dec {
  mp_int u;
  int64_t s;
} dec;

static kiln_val dec_new(kiln_val unscaled, int64_t scale) {
  if (scale > INT32_MAX) kiln_throwf(KILN_EX_ARITHMETIC, "Underflow");
  if (scale < INT32_MIN) kiln_throwf(KILN_EX_ARITHMETIC, "Overflow");
  kiln_decimal *d = kiln_obj_new(KILN_T_DECIMAL, sizeof *d);
  d->scale = (int32_t)scale;
  d->unscaled = unscaled;
  return (kiln_val)d;
}

static kiln_val dec_take(dec *d) {
  kiln_val u = big_from_mp(&d->u);
  mp_clear(&d->u);
  return dec_new(u, d->s);
}

static void dec_div_exact(dec *a, dec *b, dec *out);
/* A java.math.MathContext: precision (> 0) and rounding mode. */
typedef struct math_ctx {
  int64_t prec;
  int mode;
} math_ctx;
static bool math_context(math_ctx *mc);
static void dec_div_mc(dec *a, dec *b, dec *out, const math_ctx *mc);

/* toBigDecimal: longs and bigints with scale 0, ratios divided exactly. */
static void dec_of(dec *d, kiln_val v) {
  MPC(mp_init(&d->u));
  if (KILN_HAS_TYPE(v, KILN_T_DECIMAL)) {
    const kiln_decimal *x = (const kiln_decimal *)v;
    mp_set_val(&d->u, x->unscaled);
    d->s = x->scale;
  } else if (KILN_HAS_TYPE(v, KILN_T_RATIO)) {
    const kiln_ratio *r = (const kiln_ratio *)v;
    dec n, q;
    MPC(mp_init(&n.u));
    mp_set_val(&n.u, r->num);
    n.s = 0;
    mp_set_val(&d->u, r->den);
    d->s = 0;
    math_ctx mc;
    if (math_context(&mc)) dec_div_mc(&n, d, &q, &mc);
    else dec_div_exact(&n, d, &q);
    mp_clear(&n.u);
    mp_exch(&d->u, &q.u);
    d->s = q.s;
    mp_clear(&q.u);
  } else {
    mp_set_val(&d->u, v);
    d->s = 0;
  }
}

/* Both operands as decimals; a ratio (which may throw) is converted first so
 * that nothing is left allocated when it does. */
static void dec_of2(dec *a, kiln_val x, dec *b, kiln_val y) {
  if (KILN_HAS_TYPE(y, KILN_T_RATIO)) {
    dec_of(b, y);
    dec_of(a, x);
  } else {
    dec_of(a, x);
    dec_of(b, y);
  }
}

static void dec_align(dec *a, dec *b) {
  if (a->s < b->s) {
    mp_mul_pow10(&a->u, b->s - a->s);
    a->s = b->s;
  } else if (b->s < a->s) {
    mp_mul_pow10(&b->u, a->s - b->s);
    b->s = a->s;
  }
}

static int dec_cmp(dec *a, dec *b) {
  dec_align(a, b);
  mp_ord o = mp_cmp(&a->u, &b->u);
  return o == MP_LT ? -1 : o == MP_GT ? 1 : 0;
}

/* Removes trailing zeros of [d] while its scale is above [floor]. */
static void dec_strip_to(dec *d, int64_t floor) {
  if (mp_iszero(&d->u)) return;
  mp_int q;
  mp_digit r;
  MPC(mp_init(&q));
  while (d->s > floor) {
    MPC(mp_div_d(&d->u, 10, &q, &r));
    if (r != 0) break;
    mp_exch(&q, &d->u);
    d->s--;
  }
  mp_clear(&q);
}

/*
 * BigDecimal.divide(BigDecimal) without a MathContext: the exact quotient with
 * the smallest scale >= this.scale - divisor.scale that represents it, or
 * ArithmeticException when the expansion does not terminate. [b] is not zero.
 * Leaves [a] and [b] owned by the caller; on a throw both are cleared.
 */
static void dec_div_exact(dec *a, dec *b, dec *out) {
  int64_t pref = a->s - b->s;
  MPC(mp_init(&out->u));
  if (mp_iszero(&a->u)) {
    out->s = pref < INT32_MIN ? INT32_MIN : pref > INT32_MAX ? INT32_MAX : pref;
    return;
  }
  mp_int g, n, d;
  MPC(mp_init_multi(&g, &n, &d, NULL));
  MPC(mp_gcd(&a->u, &b->u, &g));
  MPC(mp_div(&a->u, &g, &n, NULL));
  MPC(mp_div(&b->u, &g, &d, NULL));
  if (d.sign == MP_NEG) {
    MPC(mp_neg(&n, &n));
    MPC(mp_neg(&d, &d));
  }
  int twos = mp_cnt_lsb(&d);
  MPC(mp_div_2d(&d, twos, &d, NULL));
  int fives = 0;
  mp_digit r;
  for (;;) {
    MPC(mp_div_d(&d, 5, &g, &r));
    if (r != 0) break;
    mp_exch(&g, &d);
    fives++;
  }
  if (mp_cmp_d(&d, 1) != MP_EQ) {
    mp_clear_multi(&g, &n, &d, &out->u, &a->u, &b->u, NULL);
    kiln_throwf(KILN_EX_ARITHMETIC, "%s", NON_TERMINATING);
  }
  int k = twos > fives ? twos : fives;
  /* n / (2^twos 5^fives) = n 2^(k-twos) 5^(k-fives) / 10^k */
  mp_set(&g, 5);
  MPC(mp_expt_u32(&g, (uint32_t)(k - fives), &g));
  MPC(mp_mul(&n, &g, &n));
  MPC(mp_mul_2d(&n, k - twos, &n));
  mp_clear_multi(&g, &d, NULL);
  mp_exch(&n, &out->u);
  mp_clear(&n);
  out->s = pref + k;
  dec_strip_to(out, pref);
}

/* ---- *math-context* ---------------------------------------------------- */

/*
 * The var *math-context* of clojure.core, bound by with-precision: nil (exact decimal
 * arithmetic), or [precision rounding] / {:precision p :rounding r} where
 * rounding names a java.math.RoundingMode (symbol, keyword or string: UP,
 * DOWN, CEILING, FLOOR, HALF_UP, HALF_DOWN, HALF_EVEN, UNNECESSARY; HALF_UP
 * when absent). With a precision p > 0, decimal results are rounded to p
 * significant digits as java.math.BigDecimal does with a MathContext.
 */
enum { R_UP, R_DOWN, R_CEILING, R_FLOOR, R_HALF_UP, R_HALF_DOWN, R_HALF_EVEN, R_UNNECESSARY };

static kiln_var *v_math_context;


static const char *const rounding_names[] = {"UP",      "DOWN",      "CEILING",   "FLOOR",
                                             "HALF_UP", "HALF_DOWN", "HALF_EVEN", "UNNECESSARY"};

static int rounding_mode(kiln_val r) {
  const char *name = NULL;
  if (r == KILN_NIL) return R_HALF_UP;
  if (KILN_HAS_TYPE(r, KILN_T_KEYWORD)) name = kiln_kw_name(r);
  else if (KILN_HAS_TYPE(r, KILN_T_SYMBOL)) name = kiln_sym_name(r);
  else if (KILN_HAS_TYPE(r, KILN_T_STRING)) name = kiln_str_data(r);
  if (name) {
    const char *n = strrchr(name, '/') ? strrchr(name, '/') + 1 : name; /* RoundingMode/HALF_UP */
    for (int i = 0; i < (int)KILN_ARRAY_LEN(rounding_names); i++)
      if (strcmp(n, rounding_names[i]) == 0) return i;
  }
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "Unknown rounding mode in *math-context*: %s",
              kiln_pr_str(r));
}

/* The current math context; false when there is none (or precision 0). */
static bool math_context(math_ctx *mc) {
  if (!v_math_context) return false;
  kiln_val c = kiln_var_get(v_math_context);
  if (c == KILN_NIL) return false;
  kiln_val p, r = KILN_NIL;
  if (kiln_is_vector(c)) {
    p = kiln_nth(c, 0, KILN_NIL, true);
    if (kiln_count_int(c) > 1) r = kiln_nth(c, 1, KILN_NIL, true);
  } else {
    p = kiln_get(c, kiln_kw(NULL, "precision"), KILN_NIL);
    r = kiln_get(c, kiln_kw(NULL, "rounding"), KILN_NIL);
  }
  if (!kiln_is_long(p) || kiln_long_value(p) < 0)
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Bad *math-context*: %s", kiln_pr_str(c));
  mc->prec = kiln_long_value(p);
  mc->mode = rounding_mode(r);
  return mc->prec > 0;
}

/* Whether dropping a nonzero remainder from |q| increments it. [half] compares
 * the dropped part with one half (-1, 0, 1). */
static bool round_up(int mode, bool neg, int half, bool q_odd) {
  switch (mode) {
  case R_UP: return true;
  case R_DOWN: return false;
  case R_CEILING: return !neg;
  case R_FLOOR: return neg;
  case R_HALF_UP: return half >= 0;
  case R_HALF_DOWN: return half > 0;
  case R_HALF_EVEN: return half > 0 || (half == 0 && q_odd);
  default: return false;
  }
}

static int64_t mp_ndigits(const mp_int *m) {
  size_t len;
  char *d = mp_digits(m, &len);
  return (int64_t)len - (d[0] == '-');
}

/*
 * Rounds the owned decimal [d] to the context's precision in place, where
 * [sticky] says nonzero digits were already dropped below d->u (a division's
 * remainder; the caller then guarantees d->u has more digits than the
 * precision). Sets *inexact when anything nonzero was dropped. Returns false,
 * leaving [d] alone, when the mode is UNNECESSARY and rounding is needed.
 */
static bool dec_round_sticky(dec *d, const math_ctx *mc, bool sticky, bool *inexact) {
  *inexact = false;
  int64_t n = mp_ndigits(&d->u);
  if (n <= mc->prec && !sticky) return true;
  int64_t drop = n > mc->prec ? n - mc->prec : 0;
  bool neg = d->u.sign == MP_NEG;
  mp_int q, r, p;
  MPC(mp_init_multi(&q, &r, &p, NULL));
  MPC(mp_abs(&d->u, &q));
  mp_set(&p, 1);
  mp_mul_pow10(&p, drop);
  MPC(mp_div(&q, &p, &q, &r));
  if (sticky || !mp_iszero(&r)) {
    if (mc->mode == R_UNNECESSARY) {
      mp_clear_multi(&q, &r, &p, NULL);
      return false;
    }
    *inexact = true;
    MPC(mp_mul_2d(&r, 1, &r)); /* the dropped part against one half: 2r vs 10^drop */
    mp_ord o = mp_cmp(&r, &p);
    int half = o == MP_LT ? -1 : o == MP_GT ? 1 : (sticky ? 1 : 0);
    if (round_up(mc->mode, neg, half, mp_isodd(&q))) {
      MPC(mp_add_d(&q, 1, &q));
      if (mp_ndigits(&q) > mc->prec) { /* 999 -> 1000 */
        MPC(mp_div_d(&q, 10, &q, NULL));
        drop++;
      }
    }
  }
  if (neg) MPC(mp_neg(&q, &q));
  mp_exch(&q, &d->u);
  d->s -= drop;
  mp_clear_multi(&q, &r, &p, NULL);
  return true;
}

static KILN_NORETURN void rounding_necessary(void) {
  kiln_throwf(KILN_EX_ARITHMETIC, "Rounding necessary");
}

/* Rounds an owned decimal to the context, clearing it and throwing when
 * UNNECESSARY rounding would be needed. */
static void dec_round(dec *d, const math_ctx *mc) {
  bool inexact;
  if (!dec_round_sticky(d, mc, false, &inexact)) {
    mp_clear(&d->u);
    rounding_necessary();
  }
}

/*
 * BigDecimal.divide(divisor, mc): the quotient rounded to the context's
 * precision; an exact quotient has its trailing zeros removed down to the
 * preferred scale this.scale - divisor.scale. [b] is not zero. [a] and [b]
 * stay the caller's (cleared on a throw).
 */
static void dec_div_mc(dec *a, dec *b, dec *out, const math_ctx *mc) {
  int64_t pref = a->s - b->s;
  MPC(mp_init(&out->u));
  if (mp_iszero(&a->u)) {
    out->s = pref < INT32_MIN ? INT32_MIN : pref > INT32_MAX ? INT32_MAX : pref;
    return;
  }
  /* Scale so that the integer quotient has more digits than the precision. */
  int64_t k = mc->prec + mp_ndigits(&b->u) - mp_ndigits(&a->u) + 1;
  mp_int n, d, r;
  MPC(mp_init_multi(&n, &d, &r, NULL));
  MPC(mp_copy(&a->u, &n));
  MPC(mp_copy(&b->u, &d));
  if (k > 0) mp_mul_pow10(&n, k);
  else mp_mul_pow10(&d, -k);
  MPC(mp_div(&n, &d, &out->u, &r));
  bool sticky = !mp_iszero(&r);
  mp_clear_multi(&n, &d, &r, NULL);
  out->s = pref + k;
  bool inexact;
  if (!dec_round_sticky(out, mc, sticky, &inexact)) {
    mp_clear_multi(&out->u, &a->u, &b->u, NULL);
    rounding_necessary();
  }
  if (!inexact) dec_strip_to(out, pref);
}

static kiln_val dec_arith(kiln_val x, kiln_val y, int op) {
  dec a, b, r;
  math_ctx mc;
  bool has_mc = math_context(&mc);
  dec_of2(&a, x, &b, y);
  switch (op) {
  case OP_ADD:
  case OP_SUB:
    dec_align(&a, &b);
    if (op == OP_ADD) MPC(mp_add(&a.u, &b.u, &a.u));
    else MPC(mp_sub(&a.u, &b.u, &a.u));
    mp_clear(&b.u);
    if (has_mc) dec_round(&a, &mc);
    return dec_take(&a);
  case OP_MUL:
    MPC(mp_mul(&a.u, &b.u, &a.u));
    a.s += b.s;
    mp_clear(&b.u);
    if (has_mc) dec_round(&a, &mc);
    return dec_take(&a);
  default:
    if (mp_iszero(&b.u)) {
      mp_clear_multi(&a.u, &b.u, NULL);
      divide_by_zero();
    }
    if (has_mc) dec_div_mc(&a, &b, &r, &mc);
    else dec_div_exact(&a, &b, &r);
    mp_clear_multi(&a.u, &b.u, NULL);
    return dec_take(&r);
  }
}

static double dec_to_double(kiln_val v) {
  const kiln_decimal *x = (const kiln_decimal *)v;
  mp_int u;
  big_view(x->unscaled, &u);
  size_t len;
  char *digits = mp_digits(&u, &len);
  bool neg = digits[0] == '-';
  return decimal_string_to_double(neg, digits + neg, -(int64_t)x->scale);
}

/* ==== conversions ======================================================= */

static double num_to_double(kiln_val v, int cat) {
  switch (cat) {
  case C_LONG: return (double)kiln_long_value(v);
  case C_DOUBLE: return dbl_of(v);
  case C_BIGINT: {
    mp_int m;
    big_view(v, &m);
    return mp_to_double(&m);
  }
  case C_RATIO: return ratio_to_double(v);
  default: return dec_to_double(v);
  }
}

double kiln_double_value(kiln_val v) { return num_to_double(v, cat_of(v)); }

static kiln_val big_or_long(mp_int *m) {
  int64_t i;
  if (mp_fits_i64(m, &i)) {
    mp_clear(m);
    return kiln_long(i);
  }
  return big_take(m);
}

/* new BigDecimal(Double.toString(d)) on a non-finite d. */
static KILN_NORETURN void not_finite(double d) {
  kiln_throwf(KILN_EX_NUMBER_FORMAT,
              "Character %c is neither a decimal digit number, decimal point, nor \"e\" "
              "notation exponential mark.",
              isnan(d) ? 'N' : 'I');
}

/* ==== arithmetic ======================================================== */

/* Java's long negation, division and remainder: they wrap instead of trapping. */
static inline int64_t jneg(int64_t x) { return (int64_t)(0 - (uint64_t)x); }
static inline int64_t jdiv(int64_t x, int64_t y) { return y == -1 ? jneg(x) : x / y; }
static inline int64_t jrem(int64_t x, int64_t y) { return y == -1 ? 0 : x % y; }

static kiln_val long_arith(int64_t x, int64_t y, int op, bool promote) {
  int64_t r;
  bool ovf;
  switch (op) {
  case OP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
  case OP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
  case OP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
  default: { /* Clojure's LongOps.divide, with Java's wrapping / and % */
    if (y == 0) divide_by_zero();
    int64_t u = x, v = y;
    while (v != 0) {
      int64_t t = jrem(u, v);
      u = v;
      v = t;
    }
    if (u == 0) return KILN_FIXNUM(0);
    int64_t n = jdiv(x, u), d = jdiv(y, u);
    if (d == 1) return kiln_long(n);
    if (d < 0) {
      n = jneg(n);
      d = jneg(d);
    }
    if (d == 1) return kiln_long(n);
    mp_int mn, md;
    MPC(mp_init_i64(&mn, n));
    MPC(mp_init_i64(&md, d));
    return ratio_new_take(&mn, &md);
  }
  }
  if (!ovf) return kiln_long(r);
  if (!promote) long_overflow();
  mp_int a, b;
  MPC(mp_init_i64(&a, x));
  MPC(mp_init_i64(&b, y));
  if (op == OP_ADD) MPC(mp_add(&a, &b, &a));
  else if (op == OP_SUB) MPC(mp_sub(&a, &b, &a));
  else MPC(mp_mul(&a, &b, &a));
  mp_clear(&b);
  return big_take(&a);
}

static kiln_val big_arith(kiln_val x, kiln_val y, int op) {
  int64_t sx, sy;
  if (small_int(x, &sx) && small_int(y, &sy)) {
    switch (op) {
    case OP_ADD: return big_from_i128((__int128)sx + sy);
    case OP_SUB: return big_from_i128((__int128)sx - sy);
    case OP_MUL: return big_from_i128((__int128)sx * sy);
    default: return q_normalize128(sx, sy);
    }
  }
  zint a, b;
  z_of(&a, x);
  z_of(&b, y);
  mp_int r, d;
  if (op == OP_DIV) {
    MPC(mp_init_multi(&r, &d, NULL));
    MPC(mp_copy(&a.m, &r));
    MPC(mp_copy(&b.m, &d));
    z_done(&a);
    z_done(&b);
    return q_normalize(&r, &d);
  }
  MPC(mp_init(&r));
  if (op == OP_ADD) MPC(mp_add(&a.m, &b.m, &r));
  else if (op == OP_SUB) MPC(mp_sub(&a.m, &b.m, &r));
  else MPC(mp_mul(&a.m, &b.m, &r));
  z_done(&a);
  z_done(&b);
  return big_take(&r);
}

static kiln_val arith(kiln_val a, kiln_val b, int op, bool promote) {
  int ca = cat_of(a), cb = cat_of(b);
  /* Numbers.minus is add(x, negate(y)): negating Long/MIN_VALUE throws, or
   * promotes to a BigInt for -', whatever x is. */
  if (op == OP_SUB && cb == C_LONG && kiln_long_value(b) == INT64_MIN) {
    if (!promote) long_overflow();
    return arith(a, big_from_i64(INT64_MIN), OP_SUB, true);
  }
  int c = ca > cb ? ca : cb;
  switch (c) {
  case C_LONG: return long_arith(kiln_long_value(a), kiln_long_value(b), op, promote);
  case C_BIGINT: return big_arith(a, b, op);
  case C_RATIO: return ratio_arith(a, b, op);
  case C_DECIMAL: {
    math_ctx mc;
    /* Numbers.minus is add(x, negate(y)); under a math context the negation
     * rounds (a decimal) or changes which way a ratio's conversion rounds. */
    if (op == OP_SUB && math_context(&mc)) return dec_arith(a, kiln_num_negate(b), OP_ADD);
    return dec_arith(a, b, op);
  }
  default: {
    double x = num_to_double(a, ca), y = num_to_double(b, cb);
    switch (op) {
    case OP_ADD: return kiln_double(x + y);
    case OP_SUB: return kiln_double(x - y);
    case OP_MUL: return kiln_double(x * y);
    default: return kiln_double(x / y);
    }
  }
  }
}

kiln_val kiln_num_add(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return kiln_long(KILN_FIXNUM_VALUE(a) + KILN_FIXNUM_VALUE(b));
  return arith(a, b, OP_ADD, false);
}

kiln_val kiln_num_sub(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return kiln_long(KILN_FIXNUM_VALUE(a) - KILN_FIXNUM_VALUE(b));
  return arith(a, b, OP_SUB, false);
}

kiln_val kiln_num_mul(kiln_val a, kiln_val b) {
  int64_t r;
  if (FIX2(a, b) &&
      !__builtin_mul_overflow(KILN_FIXNUM_VALUE(a), KILN_FIXNUM_VALUE(b), &r))
    return kiln_long(r);
  return arith(a, b, OP_MUL, false);
}

kiln_val kiln_num_add_p(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return kiln_long(KILN_FIXNUM_VALUE(a) + KILN_FIXNUM_VALUE(b));
  return arith(a, b, OP_ADD, true);
}

kiln_val kiln_num_sub_p(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return kiln_long(KILN_FIXNUM_VALUE(a) - KILN_FIXNUM_VALUE(b));
  return arith(a, b, OP_SUB, true);
}

kiln_val kiln_num_mul_p(kiln_val a, kiln_val b) {
  int64_t r;
  if (FIX2(a, b) && !__builtin_mul_overflow(KILN_FIXNUM_VALUE(a), KILN_FIXNUM_VALUE(b), &r))
    return kiln_long(r);
  return arith(a, b, OP_MUL, true);
}

static bool num_is_zero(kiln_val v, int cat);

static bool is_nan_val(kiln_val v) {
  return KILN_HAS_TYPE(v, KILN_T_DOUBLE) && isnan(dbl_of(v));
}

/*
 * Division. Kiln follows JVM Clojure's literal behaviour when a double is
 * involved: IEEE division ((/ 1.0 0) is ##Inf); an exact zero divisor with
 * exact operands throws "Divide by zero".
 */
kiln_val kiln_num_div(kiln_val a, kiln_val b) {
  int ca = cat_of(a), cb = cat_of(b);
  if (ca == C_DOUBLE || cb == C_DOUBLE)
    return kiln_double(num_to_double(a, ca) / num_to_double(b, cb));
  if (num_is_zero(b, cb)) divide_by_zero();
  return arith(a, b, OP_DIV, false);
}

kiln_val kiln_num_negate(kiln_val a) {
  switch (cat_of(a)) {
  case C_LONG: {
    int64_t x = kiln_long_value(a);
    if (x == INT64_MIN) long_overflow();
    return kiln_long(-x);
  }
  case C_DOUBLE: return kiln_double(-dbl_of(a));
  case C_DECIMAL: { /* BigDecimal.negate keeps the scale */
    const kiln_decimal *x = (const kiln_decimal *)a;
    math_ctx mc;
    if (math_context(&mc)) {
      dec d;
      dec_of(&d, a);
      MPC(mp_neg(&d.u, &d.u));
      dec_round(&d, &mc);
      return dec_take(&d);
    }
    return dec_new(kiln_num_negate(x->unscaled), x->scale);
  }
  default: return arith(KILN_FIXNUM(0), a, OP_SUB, false);
  }
}

static bool num_is_zero(kiln_val v, int cat) {
  switch (cat) {
  case C_LONG: return kiln_long_value(v) == 0;
  case C_DOUBLE: return dbl_of(v) == 0.0;
  case C_BIGINT: return ((const kiln_bigint *)v)->used == 0;
  case C_RATIO: return false;
  default: return ((const kiln_bigint *)((const kiln_decimal *)v)->unscaled)->used == 0;
  }
}

/* The sign of a number: -1, 0, 1 (0 for NaN). */
static int num_sign(kiln_val v, int cat) {
  switch (cat) {
  case C_LONG: {
    int64_t x = kiln_long_value(v);
    return x < 0 ? -1 : x > 0;
  }
  case C_DOUBLE: {
    double d = dbl_of(v);
    return d < 0 ? -1 : d > 0;
  }
  case C_BIGINT: {
    const kiln_bigint *b = (const kiln_bigint *)v;
    return b->used == 0 ? 0 : b->sign == MP_NEG ? -1 : 1;
  }
  case C_RATIO: return num_sign(((const kiln_ratio *)v)->num, C_BIGINT);
  default: return num_sign(((const kiln_decimal *)v)->unscaled, C_BIGINT);
  }
}

/* ---- quot, rem, mod --------------------------------------------------- */

/* Numbers.quotient(double, double) and remainder(double, double). */
/* (double)(long)q within the long range (so -0.5 gives 0.0, not -0.0), exact beyond it. */
static double dbl_trunc_q(double q) {
  if (q < 9223372036854775807.0 && q > -9223372036854775808.0) return (double)(int64_t)q;
  if (isnan(q) || isinf(q)) kiln_throwf(KILN_EX_NUMBER_FORMAT, "Infinite or NaN");
  return q;
}

static double dbl_quot(double n, double d) { return dbl_trunc_q(n / d); }

/* The product is stored before the subtraction so that no compiler fuses the
 * two into an fma (clang does on arm64): Java rounds both. */
static double dbl_rem(double n, double d) {
  volatile double p = dbl_trunc_q(n / d) * d;
  return n - p;
}

/* BigDecimal.divideToIntegralValue; [a], [b] owned by the caller, b != 0.
 * Under a math context, an integer part longer than the precision is
 * "Division impossible". */
/* |a| compared with |b|. */
static int dec_cmp_mag(const dec *a, const dec *b) {
  dec x = {.s = a->s}, y = {.s = b->s};
  MPC(mp_init_copy(&x.u, &a->u));
  MPC(mp_init_copy(&y.u, &b->u));
  MPC(mp_abs(&x.u, &x.u));
  MPC(mp_abs(&y.u, &y.u));
  int r = dec_cmp(&x, &y);
  mp_clear_multi(&x.u, &y.u, NULL);
  return r;
}

/* BigDecimal.divideToIntegralValue(divisor, mc), for |a| >= |b|. */
static void dec_quot_mc(dec *a, dec *b, dec *q, const math_ctx *mc) {
  int64_t pref = a->s - b->s;
  math_ctx down = {mc->prec, R_DOWN};
  dec_div_mc(a, b, q, &down);
  if (q->s < 0) { /* an integer: is it the whole quotient? |a - q*b| < |b| */
    dec t = {.s = q->s + b->s}, r = {.s = a->s};
    MPC(mp_init(&t.u));
    MPC(mp_mul(&q->u, &b->u, &t.u));
    MPC(mp_init_copy(&r.u, &a->u));
    dec_align(&r, &t);
    MPC(mp_sub(&r.u, &t.u, &r.u));
    bool impossible = dec_cmp_mag(&r, b) >= 0;
    mp_clear_multi(&t.u, &r.u, NULL);
    if (impossible) {
      mp_clear_multi(&q->u, &a->u, &b->u, NULL);
      kiln_throwf(KILN_EX_ARITHMETIC, "Division impossible");
    }
  } else if (q->s > 0) { /* setScale(0, DOWN) */
    mp_int p;
    MPC(mp_init(&p));
    mp_set(&p, 1);
    mp_mul_pow10(&p, q->s);
    MPC(mp_div(&q->u, &p, &q->u, NULL));
    mp_clear(&p);
    q->s = 0;
  }
  int64_t room = mc->prec - mp_ndigits(&q->u);
  if (pref > q->s && room > 0) {
    int64_t add = room < pref - q->s ? room : pref - q->s;
    mp_mul_pow10(&q->u, add);
    q->s += add;
  } else {
    dec_strip_to(q, pref);
  }
}

static void dec_quot(dec *a, dec *b, dec *q) {
  int64_t pref = a->s - b->s;
  math_ctx mc;
  if (math_context(&mc) && dec_cmp_mag(a, b) >= 0) {
    dec_quot_mc(a, b, q, &mc);
    return;
  }
  dec x = {.s = a->s}, y = {.s = b->s};
  MPC(mp_init_copy(&x.u, &a->u));
  MPC(mp_init_copy(&y.u, &b->u));
  dec_align(&x, &y);
  MPC(mp_init(&q->u));
  MPC(mp_div(&x.u, &y.u, &q->u, NULL));
  mp_clear_multi(&x.u, &y.u, NULL);
  q->s = 0;
  if (mp_iszero(&q->u) || pref >= 0) {
    mp_mul_pow10(&q->u, pref);
    q->s = pref;
  } else {
    dec_strip_to(q, pref);
  }
}

kiln_val kiln_num_quot(kiln_val a, kiln_val b) {
  int ca = cat_of(a), cb = cat_of(b);
  if (num_is_zero(b, cb)) divide_by_zero();
  int c = ca > cb ? ca : cb;
  switch (c) {
  case C_LONG: {
    int64_t x = kiln_long_value(a), y = kiln_long_value(b);
    return kiln_long(jdiv(x, y));
  }
  case C_DOUBLE: return kiln_double(dbl_quot(num_to_double(a, ca), num_to_double(b, cb)));
  case C_BIGINT: {
    zint x, y;
    z_of(&x, a);
    z_of(&y, b);
    mp_int q;
    MPC(mp_init(&q));
    MPC(mp_div(&x.m, &y.m, &q, NULL));
    z_done(&x);
    z_done(&y);
    return big_take(&q);
  }
  case C_RATIO: {
    mp_int an, ad, bn, bd;
    q_of(a, &an, &ad);
    q_of(b, &bn, &bd);
    MPC(mp_mul(&an, &bd, &an));
    MPC(mp_mul(&ad, &bn, &ad));
    MPC(mp_div(&an, &ad, &an, NULL));
    mp_clear_multi(&ad, &bn, &bd, NULL);
    return big_take(&an);
  }
  default: {
    dec x, y, q;
    dec_of2(&x, a, &y, b);
    dec_quot(&x, &y, &q);
    mp_clear_multi(&x.u, &y.u, NULL);
    return dec_take(&q);
  }
  }
}

kiln_val kiln_num_rem(kiln_val a, kiln_val b) {
  int ca = cat_of(a), cb = cat_of(b);
  if (num_is_zero(b, cb)) divide_by_zero();
  int c = ca > cb ? ca : cb;
  switch (c) {
  case C_LONG: {
    int64_t x = kiln_long_value(a), y = kiln_long_value(b);
    return kiln_long(jrem(x, y));
  }
  case C_DOUBLE: return kiln_double(dbl_rem(num_to_double(a, ca), num_to_double(b, cb)));
  case C_BIGINT: {
    zint x, y;
    z_of(&x, a);
    z_of(&y, b);
    mp_int r;
    MPC(mp_init(&r));
    MPC(mp_div(&x.m, &y.m, NULL, &r));
    z_done(&x);
    z_done(&y);
    return big_take(&r);
  }
  case C_RATIO: {
    kiln_val q = kiln_num_quot(a, b);
    return kiln_num_sub(a, kiln_num_mul(q, b));
  }
  default: {
    dec x, y, q;
    dec_of2(&x, a, &y, b);
    dec_quot(&x, &y, &q);
    /* this - q * divisor */
    MPC(mp_mul(&q.u, &y.u, &q.u));
    q.s += y.s;
    dec_align(&x, &q);
    MPC(mp_sub(&x.u, &q.u, &x.u));
    mp_clear_multi(&y.u, &q.u, NULL);
    return dec_take(&x);
  }
  }
}

/* clojure.core/mod: (let [m (rem n d)] (if (or (zero? m) (= (pos? n) (pos? d))) m (+ m d))) */
kiln_val kiln_num_mod(kiln_val a, kiln_val b) {
  kiln_val m = kiln_num_rem(a, b);
  int cm = cat_of(m);
  if (num_is_zero(m, cm)) return m;
  if ((num_sign(a, cat_of(a)) > 0) == (num_sign(b, cat_of(b)) > 0)) return m;
  return kiln_num_add(m, b);
}

/* ==== comparison ======================================================== */

/* Returns -1, 0, 1, or 2 when unordered (a NaN is involved). */
static int num_cmp(kiln_val a, kiln_val b) {
  int ca = cat_of(a), cb = cat_of(b);
  int c = ca > cb ? ca : cb;
  switch (c) {
  case C_LONG: {
    int64_t x = kiln_long_value(a), y = kiln_long_value(b);
    return x < y ? -1 : x > y;
  }
  case C_DOUBLE: {
    double x = num_to_double(a, ca), y = num_to_double(b, cb);
    if (x < y) return -1;
    if (x > y) return 1;
    if (x == y) return 0;
    return 2;
  }
  case C_BIGINT: {
    int64_t sx, sy;
    if (small_int(a, &sx) && small_int(b, &sy)) return sx < sy ? -1 : sx > sy;
    zint x, y;
    z_of(&x, a);
    z_of(&y, b);
    mp_ord o = mp_cmp(&x.m, &y.m);
    z_done(&x);
    z_done(&y);
    return o == MP_LT ? -1 : o == MP_GT ? 1 : 0;
  }
  case C_RATIO: return ratio_cmp(a, b);
  default: {
    dec x, y;
    dec_of2(&x, a, &y, b);
    int r = dec_cmp(&x, &y);
    mp_clear_multi(&x.u, &y.u, NULL);
    return r;
  }
  }
}

bool kiln_num_lt(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return (int64_t)a < (int64_t)b;
  return num_cmp(a, b) == -1;
}

bool kiln_num_le(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return (int64_t)a <= (int64_t)b;
  int r = num_cmp(a, b);
  return r == -1 || r == 0;
}

bool kiln_num_equal(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return a == b;
  return num_cmp(a, b) == 0;
}

/* The equality group of a number for =: integers, doubles, ratios, decimals. */
static int eq_group(int cat) { return cat == C_BIGINT ? C_LONG : cat; }

bool kiln_num_equiv(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return a == b;
  if (!kiln_is_number(a) || !kiln_is_number(b)) return false;
  if (eq_group(cat_of(a)) != eq_group(cat_of(b))) return false;
  return num_cmp(a, b) == 0;
}

int kiln_num_compare(kiln_val a, kiln_val b) {
  if (FIX2(a, b)) return (int64_t)a < (int64_t)b ? -1 : (int64_t)a > (int64_t)b;
  int r = num_cmp(a, b);
  return r == 2 ? 0 : r;
}

/* ==== hashing =========================================================== */

static int32_t double_hash(double d) {
  if (d == 0.0) return 0; /* -0.0 hashes as 0.0, as Clojure does */
  uint64_t bits;
  if (isnan(d)) bits = UINT64_C(0x7ff8000000000000);
  else memcpy(&bits, &d, sizeof bits);
  return (int32_t)(uint32_t)(bits ^ (bits >> 32));
}

int32_t kiln_num_hash(kiln_val a) {
  switch (cat_of(a)) {
  case C_LONG: return kiln_murmur3_hash_long(kiln_long_value(a));
  case C_DOUBLE: return double_hash(dbl_of(a));
  case C_BIGINT: {
    mp_int m;
    int64_t i;
    big_view(a, &m);
    if (mp_fits_i64(&m, &i)) return kiln_murmur3_hash_long(i);
    return mp_java_hash(&m);
  }
  case C_RATIO: {
    const kiln_ratio *r = (const kiln_ratio *)a;
    mp_int n, d;
    big_view(r->num, &n);
    big_view(r->den, &d);
    return mp_java_hash(&n) ^ mp_java_hash(&d);
  }
  default: {
    const kiln_decimal *x = (const kiln_decimal *)a;
    dec d;
    MPC(mp_init(&d.u));
    mp_set_val(&d.u, x->unscaled);
    d.s = x->scale;
    if (mp_iszero(&d.u)) {
      mp_clear(&d.u);
      return 0;
    }
    dec_strip_to(&d, INT64_MIN);
    uint32_t h = 31u * (uint32_t)mp_java_hash(&d.u) + (uint32_t)(int32_t)d.s;
    mp_clear(&d.u);
    return (int32_t)h;
  }
  }
}

/* ==== printing ========================================================== */

/*
 * Java's Double.toString, digit for digit as the JDK 17 that Kiln is checked
 * against prints it: a port of java.lang.FloatingDecimal's dtoa (the
 * Steele-White style digit loop with its symmetric stopping test, its exact
 * long path for integer values below 2^63, and its final rounding), not a
 * shortest-digits algorithm; the two differ on a fraction of a percent of
 * doubles (1e23 prints as 9.999999999999999E22, 2^-1073 as 1.0E-323).
 */

/* 5^i and its bit length, for i < 27 (FDBigInteger.LONG_5_POW, N_5_BITS). */
static int64_t pow5_i64(int i) {
  int64_t r = 1;
  while (i-- > 0) r *= 5;
  return r;
}

static int n5bits(int i) {
  if (i >= 27) return i * 3;
  int64_t p = pow5_i64(i);
  return 64 - __builtin_clzll((uint64_t)p);
}

typedef struct fd_digits {
  char d[48];
  int n;        /* number of digits */
  int dec_exp;  /* value = 0.d[0]d[1]... * 10^dec_exp */
} fd_digits;

static void fd_roundup(fd_digits *f) {
  int i = f->n - 1;
  char q = f->d[i];
  if (q == '9') {
    while (q == '9' && i > 0) {
      f->d[i] = '0';
      q = f->d[--i];
    }
    if (q == '9') {
      f->dec_exp += 1;
      f->d[0] = '1';
      return;
    }
  }
  f->d[i] = (char)(q + 1);
}

/* FloatingDecimal.developLongDigits. */
static void fd_long_digits(fd_digits *f, int dec_exp, int64_t lvalue, int insignificant) {
  if (insignificant != 0) {
    int64_t pow10 = 1;
    for (int i = 0; i < insignificant; i++) pow10 *= 10;
    int64_t residue = lvalue % pow10;
    lvalue /= pow10;
    dec_exp += insignificant;
    if (residue >= (pow10 >> 1)) lvalue++;
  }
  char tmp[24];
  int n = 0;
  while (lvalue % 10 == 0) {
    lvalue /= 10;
    dec_exp++;
  }
  while (lvalue != 0) {
    tmp[n++] = (char)('0' + lvalue % 10);
    lvalue /= 10;
  }
  for (int i = 0; i < n; i++) f->d[i] = tmp[n - 1 - i];
  f->n = n;
  f->dec_exp = dec_exp + n;
}

/* FloatingDecimal.estimateDecExp: floor(log10(d)) estimated, computed the same way. */
static int fd_estimate_dec_exp(uint64_t fract_bits, int bin_exp) {
  uint64_t bits = UINT64_C(0x3ff0000000000000) | (fract_bits & UINT64_C(0x000fffffffffffff));
  double d2;
  memcpy(&d2, &bits, sizeof d2);
  volatile double t1 = (d2 - 1.5) * 0.289529654;
  volatile double t2 = t1 + 0.176091259;
  volatile double t3 = (double)bin_exp * 0.301029995663981;
  volatile double d = t2 + t3;
  return (int)floor(d);
}

/* The digit loop over 64-bit or 32-bit integers (wrapping as Java's do). */
#define FD_SMALL_LOOP(T, UT)                                                        \
  do {                                                                               \
    T b = (T)((UT)((T)fract * (T)pow5_i64(b5)) << b2);                               \
    T s = (T)((UT)pow5_i64(s5) << s2);                                               \
    T m = (T)((UT)pow5_i64(m5) << m2);                                               \
    T tens = (T)((UT)s * 10u);                                                       \
    int q = (int)(b / s);                                                            \
    b = (T)((UT)(b % s) * 10u);                                                      \
    m = (T)((UT)m * 10u);                                                            \
    low = b < m;                                                                     \
    high = (T)((UT)b + (UT)m) > tens;                                                \
    if (q == 0 && !high) dec_exp--;                                                  \
    else f->d[f->n++] = (char)('0' + q);                                             \
    if (dec_exp < -3 || dec_exp >= 8) high = low = false;                            \
    while (!low && !high) {                                                          \
      q = (int)(b / s);                                                              \
      b = (T)((UT)(b % s) * 10u);                                                    \
      m = (T)((UT)m * 10u);                                                          \
      if (m > 0) {                                                                   \
        low = b < m;                                                                 \
        high = (T)((UT)b + (UT)m) > tens;                                            \
      } else {                                                                       \
        low = high = true;                                                           \
      }                                                                              \
      f->d[f->n++] = (char)('0' + q);                                                \
    }                                                                                \
    low_diff = (int64_t)(T)((UT)((UT)b << 1) - (UT)tens);                            \
  } while (0)

static void mp_pow52(mp_int *r, int p5, int p2) {
  mp_set(r, 5);
  MPC(mp_expt_u32(r, (uint32_t)p5, r));
  MPC(mp_mul_2d(r, p2, r));
}

/* FDBigInteger.quoRemIteration: q = B / S (< 10), then B = 10 * (B % S). */
static int fd_quo_rem(mp_int *b, const mp_int *s) {
  int q = 0;
  while (mp_cmp(b, s) != MP_LT) {
    MPC(mp_sub(b, s, b));
    q++;
  }
  MPC(mp_mul_d(b, 10, b));
  return q;
}

static void fd_dtoa(fd_digits *f, int bin_exp, uint64_t fract_bits, int nsig_bits) {
  int tail_zeros = __builtin_ctzll(fract_bits);
  int nfract_bits = 53 - tail_zeros;
  int ntiny_bits = nfract_bits - bin_exp - 1;
  if (ntiny_bits < 0) ntiny_bits = 0;
  f->n = 0;
  if (bin_exp <= 62 && bin_exp >= -21 && ntiny_bits < 27 &&
      nfract_bits + n5bits(ntiny_bits) < 64 && ntiny_bits == 0) {
    int insignificant = 0;
    if (bin_exp > nsig_bits) {
      int p2 = bin_exp - nsig_bits - 1;
      if (p2 > 1) insignificant = (int)(p2 * 0.30102999566398119521);
    }
    uint64_t v = bin_exp >= 52 ? fract_bits << (bin_exp - 52) : fract_bits >> (52 - bin_exp);
    fd_long_digits(f, 0, (int64_t)v, insignificant);
    return;
  }
  int dec_exp = fd_estimate_dec_exp(fract_bits, bin_exp);
  int b5 = dec_exp < 0 ? -dec_exp : 0;
  int b2 = b5 + ntiny_bits + bin_exp;
  int s5 = dec_exp > 0 ? dec_exp : 0;
  int s2 = s5 + ntiny_bits;
  int m5 = b5;
  int m2 = b2 - nsig_bits;
  uint64_t fract = fract_bits >> tail_zeros;
  b2 -= nfract_bits - 1;
  int common2 = b2 < s2 ? b2 : s2;
  b2 -= common2;
  s2 -= common2;
  m2 -= common2;
  if (nfract_bits == 1) m2 -= 1;
  if (m2 < 0) {
    b2 -= m2;
    s2 -= m2;
    m2 = 0;
  }
  int bbits = nfract_bits + b2 + n5bits(b5);
  int tensbits = s2 + 1 + n5bits(s5 + 1);
  bool low, high;
  int64_t low_diff;
  if (bbits < 64 && tensbits < 64) {
    if (bbits < 32 && tensbits < 32) FD_SMALL_LOOP(int32_t, uint32_t);
    else FD_SMALL_LOOP(int64_t, uint64_t);
  } else {
    mp_int bv, sv, mv, tens, t;
    MPC(mp_init_multi(&bv, &sv, &mv, &tens, &t, NULL));
    mp_pow52(&sv, s5, s2);
    mp_pow52(&bv, b5, b2);
    mp_set_u64(&t, fract);
    MPC(mp_mul(&bv, &t, &bv));
    mp_pow52(&mv, m5 + 1, m2 + 1);
    mp_pow52(&tens, s5 + 1, s2 + 1);
    int qd = fd_quo_rem(&bv, &sv);
    low = mp_cmp(&bv, &mv) == MP_LT;
    MPC(mp_add(&bv, &mv, &t));
    high = mp_cmp(&tens, &t) != MP_GT;
    if (qd == 0 && !high) dec_exp--;
    else f->d[f->n++] = (char)('0' + qd);
    if (dec_exp < -3 || dec_exp >= 8) high = low = false;
    while (!low && !high) {
      qd = fd_quo_rem(&bv, &sv);
      MPC(mp_mul_d(&mv, 10, &mv));
      low = mp_cmp(&bv, &mv) == MP_LT;
      MPC(mp_add(&bv, &mv, &t));
      high = mp_cmp(&tens, &t) != MP_GT;
      f->d[f->n++] = (char)('0' + qd);
    }
    low_diff = 0;
    if (high && low) {
      MPC(mp_mul_2d(&bv, 1, &bv));
      mp_ord o = mp_cmp(&bv, &tens);
      low_diff = o == MP_LT ? -1 : o == MP_GT ? 1 : 0;
    }
    mp_clear_multi(&bv, &sv, &mv, &tens, &t, NULL);
  }
  f->dec_exp = dec_exp + 1;
  if (high) {
    if (low) {
      if (low_diff == 0) {
        if ((f->d[f->n - 1] - '0') & 1) fd_roundup(f);
      } else if (low_diff > 0) {
        fd_roundup(f);
      }
    } else {
      fd_roundup(f);
    }
  }
}

void kiln_double_to_string(double d, char *buf) {
  if (isnan(d)) { strcpy(buf, "NaN"); return; }
  if (isinf(d)) { strcpy(buf, d > 0 ? "Infinity" : "-Infinity"); return; }
  if (d == 0.0) { strcpy(buf, signbit(d) ? "-0.0" : "0.0"); return; }
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  bool neg = bits >> 63;
  uint64_t fract = bits & UINT64_C(0x000fffffffffffff);
  int bin_exp = (int)((bits >> 52) & 0x7ff);
  int nsig;
  if (bin_exp == 0) { /* subnormal: normalise */
    int lz = __builtin_clzll(fract);
    int shift = lz - 11;
    fract <<= shift;
    bin_exp = 1 - shift;
    nsig = 64 - lz;
  } else {
    fract |= UINT64_C(1) << 52;
    nsig = 53;
  }
  bin_exp -= 1023;
  fd_digits f;
  fd_dtoa(&f, bin_exp, fract, nsig);
  /* FloatingDecimal.getChars */
  char *o = buf;
  if (neg) *o++ = '-';
  int de = f.dec_exp;
  if (de > 0 && de < 8) {
    int n = f.n < de ? f.n : de;
    memcpy(o, f.d, (size_t)n);
    o += n;
    if (n < de) {
      for (int i = n; i < de; i++) *o++ = '0';
      *o++ = '.';
      *o++ = '0';
    } else {
      *o++ = '.';
      if (n < f.n) {
        memcpy(o, f.d + n, (size_t)(f.n - n));
        o += f.n - n;
      } else {
        *o++ = '0';
      }
    }
    *o = 0;
  } else if (de <= 0 && de > -3) {
    *o++ = '0';
    *o++ = '.';
    for (int i = 0; i < -de; i++) *o++ = '0';
    memcpy(o, f.d, (size_t)f.n);
    o[f.n] = 0;
  } else {
    *o++ = f.d[0];
    *o++ = '.';
    if (f.n > 1) {
      memcpy(o, f.d + 1, (size_t)(f.n - 1));
      o += f.n - 1;
    } else {
      *o++ = '0';
    }
    sprintf(o, "E%d", de <= 0 ? -(-de + 1) : de - 1);
  }
}

static void big_print(kiln_sb *sb, kiln_val v) {
  mp_int m;
  size_t len;
  big_view(v, &m);
  kiln_sb_puts(sb, mp_digits(&m, &len));
}

/* java.math.BigDecimal.toString. */
static void dec_print(kiln_sb *sb, kiln_val v) {
  const kiln_decimal *x = (const kiln_decimal *)v;
  mp_int m;
  size_t len;
  big_view(x->unscaled, &m);
  const char *digits = mp_digits(&m, &len);
  if (*digits == '-') {
    kiln_sb_putc(sb, '-');
    digits++;
    len--;
  }
  int64_t scale = x->scale;
  int64_t adjusted = -scale + (int64_t)(len - 1);
  if (scale == 0) {
    kiln_sb_puts(sb, digits);
  } else if (scale > 0 && adjusted >= -6) {
    if ((int64_t)len > scale) {
      kiln_sb_putn(sb, digits, len - (size_t)scale);
      kiln_sb_putc(sb, '.');
      kiln_sb_puts(sb, digits + len - (size_t)scale);
    } else {
      kiln_sb_puts(sb, "0.");
      for (int64_t i = (int64_t)len; i < scale; i++) kiln_sb_putc(sb, '0');
      kiln_sb_puts(sb, digits);
    }
  } else {
    kiln_sb_putc(sb, digits[0]);
    if (len > 1) {
      kiln_sb_putc(sb, '.');
      kiln_sb_puts(sb, digits + 1);
    }
    if (adjusted != 0) kiln_sb_printf(sb, "E%s%lld", adjusted > 0 ? "+" : "", (long long)adjusted);
  }
}

/* [x] in decimal, without printf's format parsing: str and pr of longs are
 * the printer's most common case. */
static void long_write(kiln_sb *sb, int64_t x) {
  char buf[24], *p = buf + sizeof buf;
  uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (x < 0) *--p = '-';
  kiln_sb_putn(sb, p, (size_t)(buf + sizeof buf - p));
}

static void num_write(kiln_sb *sb, kiln_val v, bool readably) {
  char buf[40];
  switch (cat_of(v)) {
  case C_LONG: long_write(sb, kiln_long_value(v)); break;
  case C_DOUBLE: {
    double d = dbl_of(v);
    if (readably && !isfinite(d)) {
      kiln_sb_puts(sb, isnan(d) ? "##NaN" : d > 0 ? "##Inf" : "##-Inf");
      break;
    }
    kiln_double_to_string(d, buf);
    kiln_sb_puts(sb, buf);
    break;
  }
  case C_BIGINT:
    big_print(sb, v);
    if (readably) kiln_sb_putc(sb, 'N');
    break;
  case C_RATIO:
    big_print(sb, ((const kiln_ratio *)v)->num);
    kiln_sb_putc(sb, '/');
    big_print(sb, ((const kiln_ratio *)v)->den);
    break;
  default:
    dec_print(sb, v);
    if (readably) kiln_sb_putc(sb, 'M');
    break;
  }
}

void kiln_num_print(kiln_sb *sb, kiln_val v) { num_write(sb, v, true); }

void kiln_num_str(kiln_sb *sb, kiln_val v) { num_write(sb, v, false); }

static const char *num_cstr(kiln_val v) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_num_str(&sb, v);
  return kiln_sb_cstr(&sb);
}

/* ==== parsing =========================================================== */

static int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

/* Reads digits s[0..n) in [radix] into an integer value; false if a digit is bad. */
static bool parse_integer(const char *s, size_t n, int radix, bool neg, bool big,
                          kiln_val *out) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++)
    if (digit_value(s[i]) >= radix) return false;
  uint64_t acc = 0;
  bool small = true;
  for (size_t i = 0; i < n && small; i++) {
    unsigned d = (unsigned)digit_value(s[i]);
    if (acc > (UINT64_MAX - d) / (unsigned)radix) small = false;
    else acc = acc * (unsigned)radix + d;
  }
  if (small && !big && (acc <= (uint64_t)INT64_MAX || (neg && acc == (UINT64_C(1) << 63)))) {
    *out = kiln_long(neg ? (int64_t)(0 - acc) : (int64_t)acc);
    return true;
  }
  mp_int m;
  MPC(mp_init(&m));
  for (size_t i = 0; i < n; i++) {
    MPC(mp_mul_d(&m, (mp_digit)radix, &m));
    MPC(mp_add_d(&m, (mp_digit)digit_value(s[i]), &m));
  }
  if (neg) MPC(mp_neg(&m, &m));
  if (big) *out = big_take(&m);
  else *out = big_or_long(&m);
  return true;
}

static bool all_digits(const char *s, size_t n, const char *set) {
  for (size_t i = 0; i < n; i++)
    if (!strchr(set, s[i]) || s[i] == 0) return false;
  return true;
}

/* Clojure's intPat. */
static bool parse_int_literal(const char *s, size_t n, kiln_val *out) {
  size_t i = 0;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  bool big = n > i && s[n - 1] == 'N';
  size_t end = big ? n - 1 : n;
  const char *b = s + i;
  size_t len = end - i;
  if (len == 0) return false;
  if (len == 1 && b[0] == '0') {
    *out = big ? big_from_i64(0) : KILN_FIXNUM(0);
    return true;
  }
  if (b[0] >= '1' && b[0] <= '9') {
    if (all_digits(b, len, "0123456789")) return parse_integer(b, len, 10, neg, big, out);
    /* radix: [1-9][0-9]?[rR][0-9A-Za-z]+, and then N is part of the digits */
    size_t r = 1;
    if (r < len && b[r] >= '0' && b[r] <= '9') r++;
    if (r < len && (b[r] == 'r' || b[r] == 'R')) {
      const char *dg = b + r + 1;
      size_t dn = n - (size_t)(dg - s); /* includes a trailing N */
      if (dn == 0) return false;
      for (size_t k = 0; k < dn; k++)
        if (digit_value(dg[k]) == 99) return false;
      int radix = atoi(b); /* stops at r */
      if (radix < 2 || radix > 36) return false;
      return parse_integer(dg, dn, radix, neg, false, out);
    }
    return false;
  }
  if (b[0] != '0') return false;
  if (len >= 2 && (b[1] == 'x' || b[1] == 'X'))
    return all_digits(b + 2, len - 2, "0123456789abcdefABCDEF") &&
           parse_integer(b + 2, len - 2, 16, neg, big, out);
  if (all_digits(b + 1, len - 1, "01234567")) return parse_integer(b + 1, len - 1, 8, neg, big, out);
  return false;
}

/* Clojure's floatPat: [-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?M? */
static bool parse_float_literal(const char *s, size_t n, kiln_val *out) {
  size_t i = 0;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  bool is_dec = n > i && s[n - 1] == 'M';
  size_t end = is_dec ? n - 1 : n;
  size_t int_start = i;
  while (i < end && s[i] >= '0' && s[i] <= '9') i++;
  size_t int_end = i;
  if (int_end == int_start) return false;
  size_t frac_start = i, frac_end = i;
  if (i < end && s[i] == '.') {
    frac_start = ++i;
    while (i < end && s[i] >= '0' && s[i] <= '9') i++;
    frac_end = i;
  }
  int64_t exp = 0;
  if (i < end && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    bool eneg = false;
    if (i < end && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    size_t es = i;
    while (i < end && s[i] >= '0' && s[i] <= '9') {
      if (exp < 100000000000LL) exp = exp * 10 + (s[i] - '0');
      i++;
    }
    if (i == es) return false;
    if (eneg) exp = -exp;
  }
  if (i != end) return false;
  if (!is_dec) {
    char *tmp = kiln_alloc_atomic(n + 1);
    memcpy(tmp, s, n);
    tmp[n] = 0;
    *out = kiln_double(c_strtod(tmp));
    return true;
  }
  /* new BigDecimal(text): unscaled = all digits, scale = #fraction - exp. */
  size_t nd = (int_end - int_start) + (frac_end - frac_start);
  char *digits = kiln_alloc_atomic(nd + 1);
  memcpy(digits, s + int_start, int_end - int_start);
  memcpy(digits + (int_end - int_start), s + frac_start, frac_end - frac_start);
  digits[nd] = 0;
  kiln_val u;
  parse_integer(digits, nd, 10, neg, true, &u);
  int64_t scale = (int64_t)(frac_end - frac_start) - exp;
  if (scale > INT32_MAX || scale < INT32_MIN) return false;
  *out = dec_new(u, scale);
  return true;
}

/* Clojure's ratioPat: [-+]?[0-9]+/[0-9]+ */
static bool parse_ratio_literal(const char *s, size_t n, kiln_val *out) {
  const char *slash = memchr(s, '/', n);
  if (!slash) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') neg = s[i++] == '-';
  size_t nl = (size_t)(slash - s) - i, dl = n - (size_t)(slash - s) - 1;
  if (nl == 0 || dl == 0 || !all_digits(s + i, nl, "0123456789") ||
      !all_digits(slash + 1, dl, "0123456789"))
    return false;
  kiln_val num, den;
  parse_integer(s + i, nl, 10, neg, true, &num);
  parse_integer(slash + 1, dl, 10, false, true, &den);
  /* Numbers.divide on reduced values: longs give a long or a ratio. */
  mp_int mn, md;
  MPC(mp_init_multi(&mn, &md, NULL));
  mp_set_val(&mn, num);
  mp_set_val(&md, den);
  int64_t ln, ld;
  bool small = mp_fits_i64(&mn, &ln) && mp_fits_i64(&md, &ld);
  if (small) {
    mp_clear_multi(&mn, &md, NULL);
    *out = long_arith(ln, ld, OP_DIV, false);
    return true;
  }
  *out = q_normalize(&mn, &md);
  return true;
}

bool kiln_num_parse(const char *s, size_t n, kiln_val *out) {
  if (n == 0) return false;
  if (parse_int_literal(s, n, out)) return true;
  /* Digits that intPat rejects ("08") are not a float either. */
  size_t sign = (s[0] == '+' || s[0] == '-');
  if (n > sign && all_digits(s + sign, n - sign, "0123456789")) return false;
  return parse_float_literal(s, n, out) ||
         parse_ratio_literal(s, n, out);
}

/* ==== casts ============================================================= */

int64_t kiln_to_long(kiln_val v, const char *what) {
  KILN_UNUSED(what);
  if (kiln_is_long(v)) return kiln_long_value(v);
  if (KILN_IS_CHAR(v)) return KILN_CHAR_VALUE(v);
  int c = cat_of(v);
  switch (c) {
  case C_BIGINT: {
    mp_int m;
    int64_t i;
    big_view(v, &m);
    if (mp_fits_i64(&m, &i)) return i;
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Value out of range for long: %s", num_cstr(v));
  }
  case C_RATIO: return kiln_to_long(kiln_num_quot(v, KILN_FIXNUM(1)), what);
  default: {
    double d = num_to_double(v, c);
    if (d < -9223372036854775808.0 || d > 9223372036854775807.0) {
      char buf[40];
      kiln_double_to_string(d, buf);
      kiln_throwf(KILN_EX_ILLEGAL_ARG, "Value out of range for long: %s", buf);
    }
    if (isnan(d)) return 0;
    return d >= 9223372036854775807.0 ? INT64_MAX : (int64_t)d;
  }
  }
}

static kiln_val to_bigint(kiln_val x);

/* The low 64 bits of any number's integer part (unchecked-long, bit ops). */
static int64_t unchecked_long(kiln_val v) {
  if (KILN_IS_CHAR(v)) return KILN_CHAR_VALUE(v);
  int c = cat_of(v);
  switch (c) {
  case C_LONG: return kiln_long_value(v);
  case C_BIGINT: {
    mp_int m;
    big_view(v, &m);
    return mp_get_i64(&m);
  }
  case C_RATIO: return unchecked_long(kiln_num_quot(v, KILN_FIXNUM(1)));
  case C_DECIMAL: return unchecked_long(to_bigint(v)); /* BigDecimal.longValue: exact */
  default: {
    double d = num_to_double(v, c);
    if (isnan(d)) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
  }
  }
}

/* ==== natives =========================================================== */

#define ARG_NUM(v) ((void)cat_of(v))

static kiln_val fold(uint32_t argc, const kiln_val *argv, kiln_val (*f)(kiln_val, kiln_val)) {
  kiln_val acc = argv[0];
  for (uint32_t i = 1; i < argc; i++) acc = f(acc, argv[i]);
  return acc;
}

KILN_NATIVE(n_add) {
  if (argc == 0) return KILN_FIXNUM(0);
  if (argc == 1) { ARG_NUM(argv[0]); return argv[0]; }
  return fold(argc, argv, kiln_num_add);
}

KILN_NATIVE(n_add_p) {
  if (argc == 0) return KILN_FIXNUM(0);
  if (argc == 1) { ARG_NUM(argv[0]); return argv[0]; }
  return fold(argc, argv, kiln_num_add_p);
}

KILN_NATIVE(n_mul) {
  if (argc == 0) return KILN_FIXNUM(1);
  if (argc == 1) { ARG_NUM(argv[0]); return argv[0]; }
  return fold(argc, argv, kiln_num_mul);
}

KILN_NATIVE(n_mul_p) {
  if (argc == 0) return KILN_FIXNUM(1);
  if (argc == 1) { ARG_NUM(argv[0]); return argv[0]; }
  return fold(argc, argv, kiln_num_mul_p);
}

KILN_NATIVE(n_sub) {
  KILN_ARITY("clojure.core/-", argc >= 1);
  if (argc == 1) return kiln_num_negate(argv[0]);
  return fold(argc, argv, kiln_num_sub);
}

KILN_NATIVE(n_sub_p) {
  KILN_ARITY("clojure.core/-'", argc >= 1);
  if (argc == 1) {
    kiln_val x = argv[0];
    if (kiln_is_long(x) && kiln_long_value(x) == INT64_MIN)
      return kiln_num_sub_p(KILN_FIXNUM(0), x);
    return kiln_num_negate(x);
  }
  return fold(argc, argv, kiln_num_sub_p);
}

KILN_NATIVE(n_div) {
  KILN_ARITY("clojure.core//", argc >= 1);
  if (argc == 1) return kiln_num_div(KILN_FIXNUM(1), argv[0]);
  return fold(argc, argv, kiln_num_div);
}

KILN_NATIVE(n_inc) {
  KILN_ARITY("clojure.core/inc", argc == 1);
  return kiln_num_add(argv[0], KILN_FIXNUM(1));
}
KILN_NATIVE(n_dec) {
  KILN_ARITY("clojure.core/dec", argc == 1);
  return kiln_num_sub(argv[0], KILN_FIXNUM(1));
}
KILN_NATIVE(n_inc_p) {
  KILN_ARITY("clojure.core/inc'", argc == 1);
  return kiln_num_add_p(argv[0], KILN_FIXNUM(1));
}
KILN_NATIVE(n_dec_p) {
  KILN_ARITY("clojure.core/dec'", argc == 1);
  return kiln_num_sub_p(argv[0], KILN_FIXNUM(1));
}

KILN_NATIVE(n_quot) {
  KILN_ARITY("clojure.core/quot", argc == 2);
  return kiln_num_quot(argv[0], argv[1]);
}
KILN_NATIVE(n_rem) {
  KILN_ARITY("clojure.core/rem", argc == 2);
  return kiln_num_rem(argv[0], argv[1]);
}
KILN_NATIVE(n_mod) {
  KILN_ARITY("clojure.core/mod", argc == 2);
  return kiln_num_mod(argv[0], argv[1]);
}

/* Variadic comparisons: (op x) is true without looking at x, as Clojure. */
static kiln_val compare_chain(const char *name, uint32_t argc, const kiln_val *argv,
                              bool (*pred)(kiln_val, kiln_val), bool swap) {
  KILN_ARITY(name, argc >= 1);
  for (uint32_t i = 0; i + 1 < argc; i++) {
    bool ok = swap ? pred(argv[i + 1], argv[i]) : pred(argv[i], argv[i + 1]);
    if (!ok) return KILN_FALSE;
  }
  return KILN_TRUE;
}

KILN_NATIVE(n_lt) { return compare_chain("clojure.core/<", argc, argv, kiln_num_lt, false); }
KILN_NATIVE(n_gt) { return compare_chain("clojure.core/>", argc, argv, kiln_num_lt, true); }
KILN_NATIVE(n_le) { return compare_chain("clojure.core/<=", argc, argv, kiln_num_le, false); }
KILN_NATIVE(n_ge) { return compare_chain("clojure.core/>=", argc, argv, kiln_num_le, true); }
KILN_NATIVE(n_numeq) {
  return compare_chain("clojure.core/==", argc, argv, kiln_num_equal, false);
}

KILN_NATIVE(n_zero_p) {
  KILN_ARITY("clojure.core/zero?", argc == 1);
  return KILN_BOOL(num_is_zero(argv[0], cat_of(argv[0])));
}
KILN_NATIVE(n_pos_p) {
  KILN_ARITY("clojure.core/pos?", argc == 1);
  return KILN_BOOL(num_sign(argv[0], cat_of(argv[0])) > 0);
}
KILN_NATIVE(n_neg_p) {
  KILN_ARITY("clojure.core/neg?", argc == 1);
  return KILN_BOOL(num_sign(argv[0], cat_of(argv[0])) < 0);
}

static bool is_integer(kiln_val v) {
  return kiln_is_long(v) || KILN_HAS_TYPE(v, KILN_T_BIGINT);
}

static bool is_even(kiln_val v) {
  if (!is_integer(v))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Argument must be an integer: %s",
                v == KILN_NIL ? "" : kiln_is_number(v) ? num_cstr(v) : kiln_print_str(v));
  return (unchecked_long(v) & 1) == 0;
}

KILN_NATIVE(n_even_p) {
  KILN_ARITY("clojure.core/even?", argc == 1);
  return KILN_BOOL(is_even(argv[0]));
}
KILN_NATIVE(n_odd_p) {
  KILN_ARITY("clojure.core/odd?", argc == 1);
  return KILN_BOOL(!is_even(argv[0]));
}

/* Numbers.max/min: NaN wins; ties return the later argument. */
static kiln_val minmax(uint32_t argc, const kiln_val *argv, bool max) {
  kiln_val acc = argv[0];
  for (uint32_t i = 1; i < argc; i++) {
    kiln_val y = argv[i];
    if (is_nan_val(acc)) continue;
    if (is_nan_val(y)) { acc = y; continue; }
    bool keep = max ? num_cmp(acc, y) == 1 : num_cmp(acc, y) == -1;
    if (!keep) acc = y;
  }
  return acc;
}

KILN_NATIVE(n_max) {
  KILN_ARITY("clojure.core/max", argc >= 1);
  return minmax(argc, argv, true);
}
KILN_NATIVE(n_min) {
  KILN_ARITY("clojure.core/min", argc >= 1);
  return minmax(argc, argv, false);
}

KILN_NATIVE(n_abs) {
  KILN_ARITY("clojure.core/abs", argc == 1);
  kiln_val x = argv[0];
  int c = cat_of(x);
  if (c == C_LONG) {
    int64_t i = kiln_long_value(x);
    return i < 0 ? kiln_long((int64_t)(0 - (uint64_t)i)) : x;
  }
  if (c == C_DOUBLE) return kiln_double(fabs(dbl_of(x)));
  return num_sign(x, c) < 0 ? kiln_num_negate(x) : x;
}

#define PRED(cname, fname, expr)                \
  KILN_NATIVE(cname) {                          \
    KILN_ARITY("clojure.core/" fname, argc == 1); \
    kiln_val x = argv[0];                       \
    return KILN_BOOL(expr);                     \
  }

PRED(n_number_p, "number?", kiln_is_number(x))
PRED(n_integer_p, "integer?", is_integer(x))
PRED(n_int_p, "int?", kiln_is_long(x))
PRED(n_ratio_p, "ratio?", KILN_HAS_TYPE(x, KILN_T_RATIO))
PRED(n_decimal_p, "decimal?", KILN_HAS_TYPE(x, KILN_T_DECIMAL))
PRED(n_float_p, "float?", KILN_HAS_TYPE(x, KILN_T_DOUBLE))
PRED(n_double_p, "double?", KILN_HAS_TYPE(x, KILN_T_DOUBLE))
PRED(n_rational_p, "rational?",
     is_integer(x) || KILN_HAS_TYPE(x, KILN_T_RATIO) || KILN_HAS_TYPE(x, KILN_T_DECIMAL))
PRED(n_nat_int_p, "nat-int?", kiln_is_long(x) && kiln_long_value(x) >= 0)
PRED(n_pos_int_p, "pos-int?", kiln_is_long(x) && kiln_long_value(x) > 0)
PRED(n_neg_int_p, "neg-int?", kiln_is_long(x) && kiln_long_value(x) < 0)

static kiln_val ratio_part(kiln_val x, bool num) {
  if (!KILN_HAS_TYPE(x, KILN_T_RATIO)) {
    if (x == KILN_NIL)
      kiln_throwf(KILN_EX_NULL, "Cannot read field \"%s\" because \"r\" is null",
                  num ? "numerator" : "denominator");
    class_cast(x, "clojure.lang.Ratio");
  }
  const kiln_ratio *r = (const kiln_ratio *)x;
  mp_int m;
  MPC(mp_init(&m));
  mp_set_val(&m, num ? r->num : r->den);
  return big_or_long(&m);
}

KILN_NATIVE(n_numerator) {
  KILN_ARITY("clojure.core/numerator", argc == 1);
  return ratio_part(argv[0], true);
}
KILN_NATIVE(n_denominator) {
  KILN_ARITY("clojure.core/denominator", argc == 1);
  return ratio_part(argv[0], false);
}

static kiln_val double_to_decimal(double d);

static kiln_val to_bigint(kiln_val x) {
  int c = cat_of(x);
  switch (c) {
  case C_LONG: return big_from_i64(kiln_long_value(x));
  case C_BIGINT: return x;
  case C_RATIO: return kiln_num_quot(x, KILN_FIXNUM(1));
  case C_DOUBLE: return to_bigint(double_to_decimal(dbl_of(x))); /* via BigDecimal.valueOf */
  default: {
    dec a;
    dec_of(&a, x);
    if (a.s > 0) {
      mp_int p;
      MPC(mp_init(&p));
      mp_set(&p, 1);
      mp_mul_pow10(&p, a.s);
      MPC(mp_div(&a.u, &p, &a.u, NULL));
      mp_clear(&p);
    } else {
      mp_mul_pow10(&a.u, -a.s);
    }
    return big_take(&a.u);
  }
  }
}

/* new BigInteger(String): an optional sign and decimal digits. */
static kiln_val bigint_from_string(kiln_val str) {
  const char *s = kiln_str_data(str);
  size_t n = kiln_str_nbytes(str), i = 0;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i == n) kiln_throwf(KILN_EX_NUMBER_FORMAT, "Zero length BigInteger");
  kiln_val out;
  if (!all_digits(s + i, n - i, "0123456789"))
    kiln_throwf(KILN_EX_NUMBER_FORMAT, "For input string: \"%s\"", s);
  parse_integer(s + i, n - i, 10, neg, true, &out);
  return out;
}

/* bigint and biginteger: numbers, and strings as new BigInteger(String). */
static kiln_val coerce_bigint(kiln_val x) {
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return bigint_from_string(x);
  if (x == KILN_NIL) npe("String.length", "val");
  if (!kiln_is_number(x))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "No matching ctor found for class java.math.BigInteger");
  return to_bigint(x);
}

KILN_NATIVE(n_bigint) {
  KILN_ARITY("clojure.core/bigint", argc == 1);
  return coerce_bigint(argv[0]);
}
KILN_NATIVE(n_biginteger) {
  KILN_ARITY("clojure.core/biginteger", argc == 1);
  return coerce_bigint(argv[0]);
}

/* BigDecimal.valueOf(double): the decimal of Double.toString. */
static kiln_val double_to_decimal(double d) {
  if (!isfinite(d)) not_finite(d);
  char buf[40];
  kiln_double_to_string(d, buf);
  kiln_val out = KILN_NIL;
  size_t n = strlen(buf);
  buf[n] = 'M';
  buf[n + 1] = 0;
  kiln_num_parse(buf, n + 1, &out);
  return out;
}

/* new BigDecimal(String): [sign] digits [. digits] [e [sign] digits], a digit somewhere. */
static kiln_val decimal_from_string(kiln_val str) {
  const char *s = kiln_str_data(str);
  size_t n = kiln_str_nbytes(str), i = 0;
  if (n == 0) kiln_throwf(KILN_EX_NUMBER_FORMAT, "%s", "");
  kiln_sb sb;
  kiln_sb_init(&sb);
  if (s[i] == '+' || s[i] == '-') kiln_sb_putc(&sb, s[i++]);
  size_t ndigits = 0;
  bool point = false;
  kiln_sb_putc(&sb, '0'); /* a leading zero changes nothing and makes ".5" read */
  for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
    if (s[i] == '.') {
      if (point)
        kiln_throwf(KILN_EX_NUMBER_FORMAT, "Character array contains more than one decimal point.");
      point = true;
    } else if (s[i] >= '0' && s[i] <= '9') {
      ndigits++;
    } else {
      kiln_throwf(KILN_EX_NUMBER_FORMAT,
                  "Character %c is neither a decimal digit number, decimal point, nor \"e\" "
                  "notation exponential mark.",
                  s[i]);
    }
    kiln_sb_putc(&sb, s[i]);
  }
  if (ndigits == 0) kiln_throwf(KILN_EX_NUMBER_FORMAT, "No digits found.");
  if (i < n) {
    kiln_sb_putc(&sb, 'e');
    i++;
    size_t e = i;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i == n || !all_digits(s + i, n - i, "0123456789"))
      kiln_throwf(KILN_EX_NUMBER_FORMAT, "No exponent digits.");
    kiln_sb_putn(&sb, s + e, n - e);
  }
  kiln_sb_putc(&sb, 'M');
  kiln_val out;
  if (!parse_float_literal(sb.buf, sb.len, &out))
    kiln_throwf(KILN_EX_NUMBER_FORMAT, "Exponent overflow.");
  return out;
}

KILN_NATIVE(n_bigdec) {
  KILN_ARITY("clojure.core/bigdec", argc == 1);
  kiln_val x = argv[0];
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return decimal_from_string(x);
  if (x == KILN_NIL) npe("Object.getClass", "val");
  if (!kiln_is_number(x))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "No matching ctor found for class java.math.BigDecimal");
  int c = cat_of(x);
  if (c == C_DECIMAL) return x;
  if (c == C_DOUBLE) return double_to_decimal(dbl_of(x));
  dec a;
  dec_of(&a, x);
  return dec_take(&a);
}

KILN_NATIVE(n_double) {
  KILN_ARITY("clojure.core/double", argc == 1);
  nil_check(argv[0], "java.lang.Number.doubleValue");
  if (KILN_HAS_TYPE(argv[0], KILN_T_DOUBLE)) return argv[0];
  return kiln_double(kiln_double_value(argv[0]));
}

/* Kiln has no float type: float range-checks and keeps the double. */
KILN_NATIVE(n_float) {
  KILN_ARITY("clojure.core/float", argc == 1);
  nil_check(argv[0], "java.lang.Number.doubleValue");
  double d = kiln_double_value(argv[0]);
  if (isfinite(d) && (d > FLT_MAX || d < -FLT_MAX)) {
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Value out of range for float: %s", num_cstr(argv[0]));
  }
  return KILN_HAS_TYPE(argv[0], KILN_T_DOUBLE) ? argv[0] : kiln_double(d);
}

KILN_NATIVE(n_long) {
  KILN_ARITY("clojure.core/long", argc == 1);
  nil_check(argv[0], "java.lang.Number.doubleValue");
  if (kiln_is_long(argv[0])) return argv[0];
  return kiln_long(kiln_to_long(argv[0], "long"));
}

static int64_t unchecked_long(kiln_val v);

/* RT.intCast/shortCast/byteCast of an Object: longCast, then a range check;
 * charCast uses Number.longValue (saturating) instead of longCast. */
static int64_t ranged(kiln_val x, const char *what, int64_t lo, int64_t hi) {
  if (x == KILN_NIL)
    npe(strcmp(what, "int") == 0    ? "java.lang.Character.charValue"
        : strcmp(what, "char") == 0 ? "java.lang.Number.longValue"
                                    : "java.lang.Number.doubleValue",
        "x");
  int64_t i = strcmp(what, "char") == 0 ? unchecked_long(x) : kiln_to_long(x, what);
  if (i < lo || i > hi) {
    if (strcmp(what, "int") == 0) kiln_throwf(KILN_EX_ARITHMETIC, "integer overflow");
    if (KILN_IS_CHAR(x))
      kiln_throwf(KILN_EX_ILLEGAL_ARG, "Value out of range for %s: %lld", what, (long long)i);
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Value out of range for %s: %s", what, num_cstr(x));
  }
  return i;
}

KILN_NATIVE(n_int) {
  KILN_ARITY("clojure.core/int", argc == 1);
  return kiln_long(ranged(argv[0], "int", INT32_MIN, INT32_MAX));
}
KILN_NATIVE(n_short) {
  KILN_ARITY("clojure.core/short", argc == 1);
  return kiln_long(ranged(argv[0], "short", INT16_MIN, INT16_MAX));
}
KILN_NATIVE(n_byte) {
  KILN_ARITY("clojure.core/byte", argc == 1);
  return kiln_long(ranged(argv[0], "byte", INT8_MIN, INT8_MAX));
}

KILN_NATIVE(n_char) {
  KILN_ARITY("clojure.core/char", argc == 1);
  if (KILN_IS_CHAR(argv[0])) return argv[0];
  return KILN_CHAR((uint32_t)ranged(argv[0], "char", 0, 0xFFFF));
}

KILN_NATIVE(n_num) {
  KILN_ARITY("clojure.core/num", argc == 1);
  if (argv[0] != KILN_NIL) ARG_NUM(argv[0]);
  return argv[0];
}

KILN_NATIVE(n_rationalize) {
  KILN_ARITY("clojure.core/rationalize", argc == 1);
  kiln_val x = argv[0];
  int c = cat_of(x);
  if (c == C_DOUBLE) {
    x = double_to_decimal(dbl_of(x));
    c = C_DECIMAL;
  }
  if (c != C_DECIMAL) return x;
  const kiln_decimal *d = (const kiln_decimal *)x;
  mp_int n, den;
  MPC(mp_init_multi(&n, &den, NULL));
  mp_set_val(&n, d->unscaled);
  mp_set(&den, 1);
  if (d->scale < 0) {
    mp_mul_pow10(&n, -(int64_t)d->scale);
    mp_clear(&den);
    return big_take(&n);
  }
  mp_mul_pow10(&den, d->scale);
  return q_normalize(&n, &den);
}

/* ---- unchecked -------------------------------------------------------- */

static int64_t long_arg(kiln_val v) {
  ARG_NUM(v);
  return kiln_long_value(v);
}

KILN_NATIVE(n_unchecked_add) {
  KILN_ARITY("clojure.core/unchecked-add", argc == 2);
  if (kiln_is_long(argv[0]) && kiln_is_long(argv[1]))
    return kiln_long((int64_t)((uint64_t)long_arg(argv[0]) + (uint64_t)long_arg(argv[1])));
  return kiln_num_add(argv[0], argv[1]);
}
KILN_NATIVE(n_unchecked_subtract) {
  KILN_ARITY("clojure.core/unchecked-subtract", argc == 2);
  if (kiln_is_long(argv[0]) && kiln_is_long(argv[1]))
    return kiln_long((int64_t)((uint64_t)long_arg(argv[0]) - (uint64_t)long_arg(argv[1])));
  /* x + unchecked-negate(y): Long/MIN_VALUE negates to itself. */
  if (kiln_is_long(argv[1]) && kiln_long_value(argv[1]) == INT64_MIN)
    return kiln_num_add(argv[0], argv[1]);
  return kiln_num_sub(argv[0], argv[1]);
}
KILN_NATIVE(n_unchecked_multiply) {
  KILN_ARITY("clojure.core/unchecked-multiply", argc == 2);
  if (kiln_is_long(argv[0]) && kiln_is_long(argv[1]))
    return kiln_long((int64_t)((uint64_t)long_arg(argv[0]) * (uint64_t)long_arg(argv[1])));
  return kiln_num_mul(argv[0], argv[1]);
}
KILN_NATIVE(n_unchecked_inc) {
  KILN_ARITY("clojure.core/unchecked-inc", argc == 1);
  if (kiln_is_long(argv[0])) return kiln_long((int64_t)((uint64_t)long_arg(argv[0]) + 1));
  return kiln_num_add(argv[0], KILN_FIXNUM(1));
}
KILN_NATIVE(n_unchecked_dec) {
  KILN_ARITY("clojure.core/unchecked-dec", argc == 1);
  if (kiln_is_long(argv[0])) return kiln_long((int64_t)((uint64_t)long_arg(argv[0]) - 1));
  return kiln_num_sub(argv[0], KILN_FIXNUM(1));
}
KILN_NATIVE(n_unchecked_negate) {
  KILN_ARITY("clojure.core/unchecked-negate", argc == 1);
  if (kiln_is_long(argv[0])) return kiln_long((int64_t)(0 - (uint64_t)long_arg(argv[0])));
  return kiln_num_negate(argv[0]);
}
KILN_NATIVE(n_unchecked_long) {
  KILN_ARITY("clojure.core/unchecked-long", argc == 1);
  return kiln_long(unchecked_long(argv[0]));
}
/* Number.intValue(): Java's (int) of a double saturates, Ratio.intValue goes
 * through double, integers and decimals keep their low 32 bits. */
static int32_t unchecked_int(kiln_val x) {
  if (KILN_HAS_TYPE(x, KILN_T_DOUBLE) || KILN_HAS_TYPE(x, KILN_T_RATIO)) {
    double d = kiln_double_value(x);
    if (isnan(d)) return 0;
    if (d >= 2147483647.0) return INT32_MAX;
    if (d <= -2147483648.0) return INT32_MIN;
    return (int32_t)d;
  }
  return (int32_t)(uint32_t)(uint64_t)unchecked_long(x);
}

KILN_NATIVE(n_unchecked_int) {
  KILN_ARITY("clojure.core/unchecked-int", argc == 1);
  return kiln_long(unchecked_int(argv[0]));
}
KILN_NATIVE(n_unchecked_short) {
  KILN_ARITY("clojure.core/unchecked-short", argc == 1);
  return kiln_long((int16_t)(uint16_t)(uint32_t)unchecked_int(argv[0]));
}
KILN_NATIVE(n_unchecked_byte) {
  KILN_ARITY("clojure.core/unchecked-byte", argc == 1);
  return kiln_long((int8_t)(uint8_t)(uint32_t)unchecked_int(argv[0]));
}
KILN_NATIVE(n_unchecked_char) {
  KILN_ARITY("clojure.core/unchecked-char", argc == 1);
  if (KILN_IS_CHAR(argv[0])) return argv[0];
  return KILN_CHAR((uint16_t)(uint32_t)unchecked_int(argv[0]));
}
KILN_NATIVE(n_unchecked_double) {
  KILN_ARITY("clojure.core/unchecked-double", argc == 1);
  return kiln_double(kiln_double_value(argv[0]));
}

/* The *-int family: arguments cast as (int x), results wrap at 32 bits. */
static int32_t int_arg(kiln_val x) { return (int32_t)ranged(x, "int", INT32_MIN, INT32_MAX); }

#define INT2(cname, fname, expr)                      \
  KILN_NATIVE(cname) {                                \
    KILN_ARITY("clojure.core/" fname, argc == 2);     \
    uint32_t x = (uint32_t)int_arg(argv[0]);          \
    uint32_t y = (uint32_t)int_arg(argv[1]);          \
    return kiln_long((int32_t)(expr));                \
  }
#define INT1(cname, fname, expr)                      \
  KILN_NATIVE(cname) {                                \
    KILN_ARITY("clojure.core/" fname, argc == 1);     \
    uint32_t x = (uint32_t)int_arg(argv[0]);          \
    return kiln_long((int32_t)(expr));                \
  }

INT2(n_unchecked_add_int, "unchecked-add-int", x + y)
INT2(n_unchecked_subtract_int, "unchecked-subtract-int", x - y)
INT2(n_unchecked_multiply_int, "unchecked-multiply-int", x * y)
INT1(n_unchecked_inc_int, "unchecked-inc-int", x + 1u)
INT1(n_unchecked_dec_int, "unchecked-dec-int", x - 1u)
INT1(n_unchecked_negate_int, "unchecked-negate-int", 0u - x)

static int32_t int_div(uint32_t x, uint32_t y, bool rem) {
  int32_t a = (int32_t)x, b = (int32_t)y;
  if (b == 0) kiln_throwf(KILN_EX_ARITHMETIC, "/ by zero");
  if (b == -1) return rem ? 0 : (int32_t)(0u - x);
  return rem ? a % b : a / b;
}

INT2(n_unchecked_divide_int, "unchecked-divide-int", int_div(x, y, false))
INT2(n_unchecked_remainder_int, "unchecked-remainder-int", int_div(x, y, true))

/* ---- bits ------------------------------------------------------------- */

static int64_t bit_arg(kiln_val v) {
  if (kiln_is_long(v)) return kiln_long_value(v);
  if (v == KILN_NIL) not_a_number(v);
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "bit operation not supported for: class %s",
              kiln_class_name(v));
}

enum { B_AND, B_OR, B_XOR, B_AND_NOT };

static kiln_val bit_fold(const char *name, uint32_t argc, const kiln_val *argv, int op) {
  KILN_ARITY(name, argc >= 2);
  int64_t acc = bit_arg(argv[0]);
  for (uint32_t i = 1; i < argc; i++) {
    int64_t y = bit_arg(argv[i]);
    switch (op) {
    case B_AND: acc &= y; break;
    case B_OR: acc |= y; break;
    case B_XOR: acc ^= y; break;
    default: acc &= ~y; break;
    }
  }
  return kiln_long(acc);
}

KILN_NATIVE(n_bit_and) { return bit_fold("clojure.core/bit-and", argc, argv, B_AND); }
KILN_NATIVE(n_bit_or) { return bit_fold("clojure.core/bit-or", argc, argv, B_OR); }
KILN_NATIVE(n_bit_xor) { return bit_fold("clojure.core/bit-xor", argc, argv, B_XOR); }
KILN_NATIVE(n_bit_and_not) {
  return bit_fold("clojure.core/bit-and-not", argc, argv, B_AND_NOT);
}
KILN_NATIVE(n_bit_not) {
  KILN_ARITY("clojure.core/bit-not", argc == 1);
  return kiln_long(~bit_arg(argv[0]));
}

#define BIT2(cname, fname, expr)                 \
  KILN_NATIVE(cname) {                           \
    KILN_ARITY("clojure.core/" fname, argc == 2); \
    uint64_t x = (uint64_t)bit_arg(argv[0]);     \
    unsigned n = (unsigned)bit_arg(argv[1]) & 63u; \
    return (expr);                               \
  }

BIT2(n_bit_shift_left, "bit-shift-left", kiln_long((int64_t)(x << n)))
BIT2(n_bit_shift_right, "bit-shift-right", kiln_long((int64_t)x >> n))
BIT2(n_unsigned_bit_shift_right, "unsigned-bit-shift-right", kiln_long((int64_t)(x >> n)))
BIT2(n_bit_test, "bit-test", KILN_BOOL((x >> n) & 1u))
BIT2(n_bit_set, "bit-set", kiln_long((int64_t)(x | (UINT64_C(1) << n))))
BIT2(n_bit_clear, "bit-clear", kiln_long((int64_t)(x & ~(UINT64_C(1) << n))))
BIT2(n_bit_flip, "bit-flip", kiln_long((int64_t)(x ^ (UINT64_C(1) << n))))

/* ---- random ----------------------------------------------------------- */

/* xoshiro256** per thread, seeded from the clock, the thread and a counter. */
static _Thread_local uint64_t rng_state[4];
static _Thread_local bool rng_seeded;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(void) {
  if (!rng_seeded) {
    static uint64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                    (uint64_t)(uintptr_t)&rng_state ^
                    __atomic_add_fetch(&counter, 0x632be59bd9b4e019ull, __ATOMIC_RELAXED);
    for (int i = 0; i < 4; i++) rng_state[i] = splitmix64(&seed);
    rng_seeded = true;
  }
  uint64_t *s = rng_state;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static double rng_double(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }

KILN_NATIVE(n_rand) {
  KILN_ARITY("clojure.core/rand", argc <= 1);
  double r = rng_double();
  if (argc == 0) return kiln_double(r);
  return kiln_num_mul(argv[0], kiln_double(r));
}

KILN_NATIVE(n_rand_int) {
  KILN_ARITY("clojure.core/rand-int", argc == 1);
  kiln_val r = kiln_num_mul(argv[0], kiln_double(rng_double()));
  return kiln_long(ranged(r, "int", INT32_MIN, INT32_MAX));
}

/* ---- NaN?, infinite?, parse-long, parse-double ------------------------ */

KILN_NATIVE(n_nan_p) {
  KILN_ARITY("clojure.core/NaN?", argc == 1);
  nil_check(argv[0], "java.lang.Number.doubleValue");
  return KILN_BOOL(isnan(kiln_double_value(argv[0])));
}
KILN_NATIVE(n_infinite_p) {
  KILN_ARITY("clojure.core/infinite?", argc == 1);
  nil_check(argv[0], "java.lang.Number.doubleValue");
  return KILN_BOOL(isinf(kiln_double_value(argv[0])));
}

static void expect_string(kiln_val v) {
  if (!KILN_HAS_TYPE(v, KILN_T_STRING))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Expected string, got %s",
                v == KILN_NIL ? "nil" : kiln_class_name(v));
}

KILN_NATIVE(n_parse_long) {
  KILN_ARITY("clojure.core/parse-long", argc == 1);
  expect_string(argv[0]);
  const char *s = kiln_str_data(argv[0]);
  size_t n = kiln_str_nbytes(argv[0]), i = 0;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i == n || !all_digits(s + i, n - i, "0123456789")) return KILN_NIL;
  kiln_val out;
  parse_integer(s + i, n - i, 10, neg, false, &out);
  return kiln_is_long(out) ? out : KILN_NIL;
}

static bool is_xdigit_c(char c) { return digit_value(c) < 16; }

/* Double.parseDouble's grammar (as parse-double's regex checks it). */
static bool java_double_syntax(const char *s, size_t n) {
  size_t i = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  if (n - i == 3 && memcmp(s + i, "NaN", 3) == 0) return true;
  if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0) return true;
  if (n > i && (s[n - 1] == 'f' || s[n - 1] == 'F' || s[n - 1] == 'd' || s[n - 1] == 'D')) n--;
  if (n - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    i += 2;
    size_t a = i;
    while (i < n && is_xdigit_c(s[i])) i++;
    size_t ndig = i - a;
    if (i < n && s[i] == '.') {
      i++;
      size_t b = i;
      while (i < n && is_xdigit_c(s[i])) i++;
      ndig += i - b;
    }
    if (ndig == 0 || i >= n || (s[i] != 'p' && s[i] != 'P')) return false;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t e = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    return i > e && i == n;
  }
  size_t a = i;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  size_t ndig = i - a;
  if (i < n && s[i] == '.') {
    i++;
    size_t b = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    ndig += i - b;
  }
  if (ndig == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t e = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == e) return false;
  }
  return i == n;
}

KILN_NATIVE(n_parse_double) {
  KILN_ARITY("clojure.core/parse-double", argc == 1);
  expect_string(argv[0]);
  const char *s = kiln_str_data(argv[0]);
  size_t n = kiln_str_nbytes(argv[0]);
  while (n > 0 && (unsigned char)s[0] <= 0x20) s++, n--;
  while (n > 0 && (unsigned char)s[n - 1] <= 0x20) n--;
  if (!java_double_syntax(s, n)) return KILN_NIL;
  char *tmp = kiln_alloc_atomic(n + 1);
  memcpy(tmp, s, n);
  tmp[n] = 0;
  /* A trailing f/F/d/D is a type suffix (a hex float ends in decimal exponent digits). */
  if (n > 0 && strchr("fFdD", tmp[n - 1])) tmp[n - 1] = 0;
  if (strstr(tmp, "NaN")) return kiln_double(NAN);
  if (strstr(tmp, "Infinity")) return kiln_double(tmp[0] == '-' ? -INFINITY : INFINITY);
  return kiln_double(c_strtod(tmp));
}

/* ---- clojure.math ------------------------------------------------------ */

#define MATH1(cname, fname, expr)                     \
  KILN_NATIVE(cname) {                                \
    KILN_ARITY("clojure.math/" fname, argc == 1);     \
    double a = kiln_double_value(argv[0]);            \
    return kiln_double(expr);                         \
  }
#define MATH2(cname, fname, expr)                     \
  KILN_NATIVE(cname) {                                \
    KILN_ARITY("clojure.math/" fname, argc == 2);     \
    double a = kiln_double_value(argv[0]);            \
    double b = kiln_double_value(argv[1]);            \
    return kiln_double(expr);                         \
  }

MATH1(m_sin, "sin", sin(a))
MATH1(m_cos, "cos", cos(a))
MATH1(m_tan, "tan", tan(a))
MATH1(m_asin, "asin", asin(a))
MATH1(m_acos, "acos", acos(a))
MATH1(m_atan, "atan", atan(a))
MATH1(m_sinh, "sinh", sinh(a))
MATH1(m_cosh, "cosh", cosh(a))
MATH1(m_tanh, "tanh", tanh(a))
MATH1(m_exp, "exp", exp(a))
MATH1(m_expm1, "expm1", expm1(a))
MATH1(m_log, "log", log(a))
MATH1(m_log10, "log10", log10(a))
MATH1(m_log1p, "log1p", log1p(a))
MATH1(m_sqrt, "sqrt", sqrt(a))
/* glibc's cbrt can be an ulp off (cbrt(27) is 3.0000000000000004); pick the
 * neighbour whose cube is closest, as fdlibm's (Java's) does. */
/* |r^3 - a|, with the products' rounding errors recovered by fma (long
 * double is no wider than double on Apple's arm64). */
static double cube_err(double r, double a) {
  double r2 = r * r, e2 = fma(r, r, -r2);
  double r3 = r2 * r, e3 = fma(r2, r, -r3);
  return fabs((r3 - a) + (e3 + e2 * r));
}

static double exact_cbrt(double a) {
  double r = cbrt(a);
  if (!isfinite(r) || r == 0.0) return r;
  double best = r;
  double err = cube_err(r, a);
  double cands[2] = {nextafter(r, -INFINITY), nextafter(r, INFINITY)};
  for (int i = 0; i < 2; i++) {
    double e = cube_err(cands[i], a);
    if (e < err) {
      err = e;
      best = cands[i];
    }
  }
  return best;
}

MATH1(m_cbrt, "cbrt", exact_cbrt(a))
MATH1(m_ceil, "ceil", ceil(a))
MATH1(m_floor, "floor", floor(a))
MATH1(m_rint, "rint", rint(a))
MATH1(m_signum, "signum", (isnan(a) || a == 0.0) ? a : a > 0 ? 1.0 : -1.0)
MATH1(m_to_radians, "to-radians", a * 0.017453292519943295)
MATH1(m_to_degrees, "to-degrees", a * 57.29577951308232)
MATH1(m_ulp, "ulp", isnan(a) ? a : isinf(a) ? INFINITY : nextafter(fabs(a), INFINITY) - fabs(a))
MATH2(m_atan2, "atan2", atan2(a, b))
MATH2(m_pow, "pow", pow(a, b))
MATH2(m_hypot, "hypot", hypot(a, b))
MATH2(m_ieee_remainder, "IEEE-remainder", remainder(a, b))
MATH2(m_copy_sign, "copy-sign", copysign(a, b))
MATH2(m_next_after, "next-after", nextafter(a, b))

/* Math.round: half up, NaN to 0, saturating at the long range. */
KILN_NATIVE(m_round) {
  KILN_ARITY("clojure.math/round", argc == 1);
  double a = kiln_double_value(argv[0]);
  if (isnan(a)) return KILN_FIXNUM(0);
  double f = floor(a);
  if (a - f >= 0.5) f += 1.0;
  if (f >= 9223372036854775807.0) return kiln_long(INT64_MAX);
  if (f <= -9223372036854775808.0) return kiln_long(INT64_MIN);
  return kiln_long((int64_t)f);
}

static int64_t floor_div(int64_t x, int64_t y) {
  if (y == 0) kiln_throwf(KILN_EX_ARITHMETIC, "/ by zero");
  int64_t q = jdiv(x, y);
  if (y != -1 && x % y != 0 && (x < 0) != (y < 0)) q--;
  return q;
}

KILN_NATIVE(m_floor_div) {
  KILN_ARITY("clojure.math/floor-div", argc == 2);
  return kiln_long(floor_div(kiln_to_long(argv[0], NULL), kiln_to_long(argv[1], NULL)));
}

KILN_NATIVE(m_floor_mod) {
  KILN_ARITY("clojure.math/floor-mod", argc == 2);
  int64_t x = kiln_to_long(argv[0], NULL), y = kiln_to_long(argv[1], NULL);
  int64_t q = floor_div(x, y);
  return kiln_long((int64_t)((uint64_t)x - (uint64_t)q * (uint64_t)y));
}

KILN_NATIVE(m_random) {
  KILN_ARITY("clojure.math/random", argc == 0);
  return kiln_double(rng_double());
}

static const kiln_native_def math_natives[] = {
    {"sin", "([a])", "Sine of a, an angle in radians, as a double. ##NaN and the infinities give\n  ##NaN; a signed zero comes back unchanged.", m_sin, 0},
    {"cos", "([a])", "Cosine of a, an angle in radians, as a double. ##NaN and the infinities\n  give ##NaN.", m_cos, 0},
    {"tan", "([a])", "Tangent of a, an angle in radians, as a double. ##NaN and the infinities\n  give ##NaN; a signed zero comes back unchanged.", m_tan, 0},
    {"asin", "([a])", "Inverse sine: the angle in radians, between -pi/2 and pi/2, whose sine is\n  a. Gives ##NaN when a is ##NaN or outside [-1, 1].", m_asin, 0},
    {"acos", "([a])", "Inverse cosine: the angle in radians, between 0.0 and pi, whose cosine is\n  a. Gives ##NaN when a is ##NaN or outside [-1, 1].", m_acos, 0},
    {"atan", "([a])", "Inverse tangent: the angle in radians, between -pi/2 and pi/2, whose\n  tangent is a. ##NaN gives ##NaN.", m_atan, 0},
    {"sinh", "([x])", "(e^x - e^-x)/2 as a double: the hyperbolic sine of x.", m_sinh, 0},
    {"cosh", "([x])", "(e^x + e^-x)/2 as a double: the hyperbolic cosine of x.", m_cosh, 0},
    {"tanh", "([x])", "Hyperbolic tangent of x as a double, between -1.0 and 1.0.", m_tanh, 0},
    {"exp", "([a])", "e (the base of natural logarithms) to the power a, as a double.", m_exp, 0},
    {"expm1", "([x])", "e to the power x, minus 1, as a double; accurate even when x is close to\n  zero.", m_expm1, 0},
    {"log", "([a])", "The logarithm of a to base e, as a double. Zero gives ##-Inf, a negative\n  number or ##NaN gives ##NaN.", m_log, 0},
    {"log10", "([a])", "Base-10 logarithm of a as a double. Zero gives ##-Inf, a negative number\n  or ##NaN gives ##NaN.", m_log10, 0},
    {"log1p", "([x])", "Natural logarithm of (1 + x) as a double; accurate even when x is close to\n  zero.", m_log1p, 0},
    {"sqrt", "([a])", "Square root of a as a double (never negative, apart from -0.0 for -0.0). A\n  negative a gives ##NaN.", m_sqrt, 0},
    {"cbrt", "([a])", "The number whose cube is a, as a double; a negative a gives a negative\n  result.", m_cbrt, 0},
    {"ceil", "([a])", "Rounds a up, toward ##Inf, to a whole number, returned as a double (2.1\n  gives 3.0, -2.1 gives -2.0).", m_ceil, 0},
    {"floor", "([a])", "Rounds a down, toward ##-Inf, to a whole number, returned as a double (2.9\n  gives 2.0, -2.1 gives -3.0).", m_floor, 0},
    {"rint", "([a])", "Rounds a to the nearest whole number, returned as a double; a tie (x.5)\n  goes to the even neighbour, so 2.5 gives 2.0.", m_rint, 0},
    {"round", "([a])", "Rounds a to the nearest long; a tie (x.5) goes up, toward ##Inf, so 2.5\n  gives 3 and -2.5 gives -2. ##NaN gives 0 and values beyond the long range\n  give the nearest long limit.", m_round, 0},
    {"signum", "([d])", "The sign of d as a double: 1.0 when positive, -1.0 when negative, and d\n  itself when it is zero (keeping its sign) or ##NaN.", m_signum, 0},
    {"to-radians", "([deg])", "The angle deg, given in degrees, converted to radians (a double; the\n  conversion is not exact).", m_to_radians, 0},
    {"to-degrees", "([r])", "The angle r, given in radians, converted to degrees (a double; the\n  conversion is not exact).", m_to_degrees, 0},
    {"ulp", "([d])", "The gap between d and the next double farther from zero: one unit in the\n  last place of d.", m_ulp, 0},
    {"atan2", "([y x])", "The angle in radians, between -pi and pi, from the positive x axis to the\n  point (x, y). Note the order: y comes first.", m_atan2, 0},
    {"pow", "([a b])", "The b-th power of a, as a double.", m_pow, 0},
    {"hypot", "([x y])", "The length of the hypotenuse of a right triangle whose other sides are x\n  and y, computed so that squaring very large or very small values does not\n  overflow or underflow on the way.", m_hypot, 0},
    {"IEEE-remainder", "([dividend divisor])", "The IEEE 754 remainder: what is left of dividend after subtracting divisor\n  times the whole number nearest to dividend / divisor (on a tie, the even\n  one). Unlike rem, the result can be negative when both arguments are\n  positive.", m_ieee_remainder, 0},
    {"copy-sign", "([magnitude sign])", "A double as large as magnitude, carrying the sign of sign.", m_copy_sign, 0},
    {"next-after", "([start direction])", "The double that is next to start when moving toward direction; direction\n  itself when the two are equal.", m_next_after, 0},
    {"floor-div", "([x y])", "Divides the integer x by the integer y and rounds the quotient down,\n  toward negative infinity (quot rounds toward zero instead). Throws when y\n  is zero.", m_floor_div, 0},
    {"floor-mod", "([x y])", "The remainder that goes with floor-div; it has the sign of y, and (+ (*\n  (floor-div x y) y) (floor-mod x y)) is x. Throws when y is zero.", m_floor_mod, 0},
    {"random", "([])", "A pseudorandom double from 0.0 (inclusive) up to 1.0 (exclusive),\n  uniformly spread. Not suitable for cryptography.", m_random, 0},
};

static const kiln_native_def number_natives[] = {
    {"+", "([] [x] [x y] [x y & more])", "Adds the numbers; with no arguments the sum is 0. Sums of longs that leave\n  the long range throw ArithmeticException rather than growing: use +' for\n  that. Any double makes the result a double.", n_add, 0},
    {"+'", "([] [x] [x y] [x y & more])", "Adds the numbers like +, except that a long result too big for a long\n  becomes a BigInt instead of throwing. With no arguments the sum is 0.", n_add_p, 0},
    {"-", "([x] [x y] [x y & more])", "With one argument, negates x. With more, subtracts each later argument\n  from x in turn. Long results outside the long range throw\n  ArithmeticException; -' promotes to BigInt instead.", n_sub, 0},
    {"-'", "([x] [x y] [x y & more])", "Like -, but a long result outside the long range becomes a BigInt instead\n  of throwing.", n_sub_p, 0},
    {"*", "([] [x] [x y] [x y & more])", "Multiplies the numbers; with no arguments the product is 1. Long products\n  outside the long range throw ArithmeticException; *' promotes to BigInt\n  instead.", n_mul, 0},
    {"*'", "([] [x] [x y] [x y & more])", "Multiplies the numbers like *, except that a long product too big for a\n  long becomes a BigInt instead of throwing. With no arguments the product\n  is 1.", n_mul_p, 0},
    {"/", "([x] [x y] [x y & more])", "Division. (/ x) is the reciprocal of x; with more arguments, x is divided\n  by each later one in turn. Integers that do not divide evenly give a\n  Ratio; an integer zero divisor throws ArithmeticException, while a double\n  division by zero gives an infinity or ##NaN.", n_div, 0},
    {"inc", "([x])", "x plus one. A long at the top of the long range throws\n  ArithmeticException; inc' promotes to BigInt instead.", n_inc, 0},
    {"dec", "([x])", "x minus one. A long at the bottom of the long range throws\n  ArithmeticException; dec' promotes to BigInt instead.", n_dec, 0},
    {"inc'", "([x])", "x plus one, becoming a BigInt when a long would overflow.", n_inc_p, 0},
    {"dec'", "([x])", "x minus one, becoming a BigInt when a long would overflow.", n_dec_p, 0},
    {"quot", "([num div])", "The quotient of num divided by div, rounded toward zero (so (quot -7 2) is\n  -3). Doubles give a whole-numbered double. An integer zero divisor throws.", n_quot, 0},
    {"rem", "([num div])", "The remainder left by quot: num - div * (quot num div). It has the sign of\n  num, so (rem -7 2) is -1. An integer zero divisor throws.", n_rem, 0},
    {"mod", "([num div])", "The remainder of num divided by div after rounding the quotient down,\n  toward negative infinity; it has the sign of div, so (mod -7 2) is 1.", n_mod, 0},
    {"<", "([x] [x y] [x y & more])", "True when each number is smaller than the one after it, false otherwise.\n  One argument gives true. Any comparison with ##NaN is false.", n_lt, 0},
    {">", "([x] [x y] [x y & more])", "True when each number is larger than the one after it, false otherwise.\n  One argument gives true. Any comparison with ##NaN is false.", n_gt, 0},
    {"<=", "([x] [x y] [x y & more])", "True when no number is larger than the one after it, false otherwise. One\n  argument gives true.", n_le, 0},
    {">=", "([x] [x y] [x y & more])", "True when no number is smaller than the one after it, false otherwise. One\n  argument gives true.", n_ge, 0},
    {"==", "([x] [x y] [x y & more])", "Numeric equality: true when all the numbers have the same value whatever\n  their kind, so (== 1 1.0 1N) is true. Throws when an argument is not a\n  number.", n_numeq, 0},
    {"zero?", "([num])", "True when num equals zero (0, 0.0, -0.0, 0N, ...), false otherwise.", n_zero_p, 0},
    {"pos?", "([num])", "True for numbers above zero, false for zero and below.", n_pos_p, 0},
    {"neg?", "([num])", "True for numbers below zero, false for zero and above.", n_neg_p, 0},
    {"even?", "([n])", "True when the integer n is divisible by 2. Throws IllegalArgumentException\n  for anything that is not an integer, even a whole-numbered double.", n_even_p, 0},
    {"odd?", "([n])", "True when the integer n is not divisible by 2. Throws\n  IllegalArgumentException for anything that is not an integer.", n_odd_p, 0},
    {"max", "([x] [x y] [x y & more])", "The largest argument. When any argument is ##NaN the result is ##NaN.", n_max, 0},
    {"min", "([x] [x y] [x y & more])", "The smallest argument. When any argument is ##NaN the result is ##NaN.", n_min, 0},
    {"abs", "([a])", "a without its sign, as the same kind of number. The smallest long has no\n  positive counterpart and comes back unchanged.", n_abs, 0},
    {"number?", "([x])", "True for every kind of number Kiln has: long, double, BigInt, Ratio and\n  BigDecimal.", n_number_p, 0},
    {"integer?", "([n])", "True for integers, meaning longs and BigInts; a whole-numbered double is\n  not one.", n_integer_p, 0},
    {"int?", "([x])", "True when x is a long, Kiln's only fixed-size integer (a BigInt is not).", n_int_p, 0},
    {"ratio?", "([n])", "True when n is a Ratio, the exact fraction that dividing integers produces.", n_ratio_p, 0},
    {"decimal?", "([n])", "True when n is a BigDecimal (written with an M suffix, e.g. 1.5M).", n_decimal_p, 0},
    {"float?", "([n])", "True for floating-point numbers, which in Kiln are always doubles (there\n  is no float type).", n_float_p, 0},
    {"double?", "([x])", "True for doubles, false for every other value.", n_double_p, 0},
    {"rational?", "([n])", "True when n is exact: a long, a BigInt, a Ratio or a BigDecimal.", n_rational_p, 0},
    {"nat-int?", "([x])", "True when x is a long that is zero or more.", n_nat_int_p, 0},
    {"pos-int?", "([x])", "True when x is a long above zero.", n_pos_int_p, 0},
    {"neg-int?", "([x])", "True when x is a long below zero.", n_neg_int_p, 0},
    {"numerator", "([r])", "The top of the Ratio r, in lowest terms. Throws for anything that is not a\n  Ratio.", n_numerator, 0},
    {"denominator", "([r])", "The bottom of the Ratio r, in lowest terms and always positive. Throws for\n  anything that is not a Ratio.", n_denominator, 0},
    {"bigint", "([x])", "x as a BigInt. Doubles, Ratios and BigDecimals lose their fractional part\n  (rounding toward zero).", n_bigint, 0},
    {"biginteger", "([x])", "x as an arbitrary-size integer. Kiln has no separate BigInteger type, so\n  this gives a BigInt, exactly as bigint does.", n_biginteger, 0},
    {"bigdec", "([x])", "x as a BigDecimal. A Ratio must have a finite decimal expansion, otherwise\n  ArithmeticException is thrown.", n_bigdec, 0},
    {"double", "([x])", "x as a double (a Ratio or big number is rounded to the nearest double).", n_double, 0},
    {"float", "([x])", "x as a floating-point number. Kiln has no float type: the result is a\n  double, and a value outside the float range throws\n  IllegalArgumentException.", n_float, 0},
    {"long", "([x])", "x as a long; fractional parts are dropped (rounding toward zero), and a\n  char gives its code point. A value outside the long range throws.", n_long, 0},
    {"int", "([x])", "x as an integer in the 32-bit int range, returned as a long; fractional\n  parts are dropped and a value outside the range throws.", n_int, 0},
    {"short", "([x])", "x as an integer in the 16-bit short range, returned as a long; a value\n  outside the range throws IllegalArgumentException.", n_short, 0},
    {"byte", "([x])", "x as an integer in the 8-bit byte range (-128 to 127), returned as a long;\n  a value outside the range throws IllegalArgumentException.", n_byte, 0},
    {"char", "([x])", "x as a character: a char is returned as it is, a number is read as a code\n  point (which must be in range).", n_char, 0},
    {"num", "([x])", "Returns x when it is a number and throws otherwise; Kiln's numbers are\n  already boxed, so nothing changes.", n_num, 0},
    {"rationalize", "([num])", "An exact number equal to num: integers and Ratios come back as they are, a\n  double becomes the Ratio or integer its printed decimal form denotes (0.1\n  gives 1/10).", n_rationalize, 0},
    {"unchecked-add", "([x y])", "x + y on longs, wrapping around on overflow instead of throwing.", n_unchecked_add, 0},
    {"unchecked-subtract", "([x y])", "x - y on longs, wrapping around on overflow instead of throwing.", n_unchecked_subtract, 0},
    {"unchecked-multiply", "([x y])", "x * y on longs, keeping the low 64 bits on overflow instead of throwing.", n_unchecked_multiply, 0},
    {"unchecked-inc", "([x])", "x + 1 on a long, wrapping around to the smallest long instead of throwing.", n_unchecked_inc, 0},
    {"unchecked-dec", "([x])", "x - 1 on a long, wrapping around to the largest long instead of throwing.", n_unchecked_dec, 0},
    {"unchecked-negate", "([x])", "-x on a long; the smallest long wraps around to itself instead of throwing.", n_unchecked_negate, 0},
    {"unchecked-long", "([x])", "x converted to a long without a range check: fractions are dropped, and\n  doubles outside the range saturate at the long limits.", n_unchecked_long, 0},
    {"unchecked-int", "([x])", "x converted to a 32-bit int without a range check (fractions dropped,\n  higher bits discarded), returned as a long.", n_unchecked_int, 0},
    {"unchecked-short", "([x])", "x converted to a 16-bit short without a range check (fractions dropped,\n  higher bits discarded), returned as a long.", n_unchecked_short, 0},
    {"unchecked-byte", "([x])", "x converted to an 8-bit byte without a range check (fractions dropped,\n  higher bits discarded, so 200 gives -56), returned as a long.", n_unchecked_byte, 0},
    {"unchecked-char", "([x])", "x converted to a character without a range check: a number is truncated to\n  a whole number and its low 16 bits used as the code.", n_unchecked_char, 0},
    {"unchecked-double", "([x])", "x converted to a double, rounding when it has no exact double value.", n_unchecked_double, 0},
    {"unchecked-float", "([x])", "x converted to a floating-point number; with no float type in Kiln this is\n  the same as unchecked-double.", n_unchecked_double, 0},
    {"unchecked-add-int", "([x y])", "x + y in 32-bit int arithmetic, wrapping around on overflow; returned as a\n  long.", n_unchecked_add_int, 0},
    {"unchecked-subtract-int", "([x y])", "x - y in 32-bit int arithmetic, wrapping around on overflow; returned as a\n  long.", n_unchecked_subtract_int, 0},
    {"unchecked-multiply-int", "([x y])", "x * y in 32-bit int arithmetic, keeping the low 32 bits; returned as a long.", n_unchecked_multiply_int, 0},
    {"unchecked-inc-int", "([x])", "x + 1 in 32-bit int arithmetic, wrapping around on overflow; returned as a\n  long.", n_unchecked_inc_int, 0},
    {"unchecked-dec-int", "([x])", "x - 1 in 32-bit int arithmetic, wrapping around on overflow; returned as a\n  long.", n_unchecked_dec_int, 0},
    {"unchecked-negate-int", "([x])", "-x in 32-bit int arithmetic, wrapping around on overflow; returned as a\n  long.", n_unchecked_negate_int, 0},
    {"unchecked-divide-int", "([x y])", "x divided by y in 32-bit int arithmetic, rounded toward zero; returned as\n  a long. Dividing by zero throws.", n_unchecked_divide_int, 0},
    {"unchecked-remainder-int", "([x y])", "What remains of x after dividing by y in 32-bit int arithmetic, with the\n  sign of x; returned as a long. Dividing by zero throws.", n_unchecked_remainder_int, 0},
    {"bit-and", "([x y] [x y & more])", "The bits set in every argument (bitwise AND of integers). Throws for\n  doubles and other non-integers.", n_bit_and, 0},
    {"bit-or", "([x y] [x y & more])", "The bits set in at least one argument (bitwise inclusive OR of integers).", n_bit_or, 0},
    {"bit-xor", "([x y] [x y & more])", "The bits set in an odd number of the arguments (bitwise exclusive OR of\n  integers).", n_bit_xor, 0},
    {"bit-and-not", "([x y] [x y & more])", "x with every bit that is set in any later argument cleared: (bit-and x\n  (bit-not y)).", n_bit_and_not, 0},
    {"bit-not", "([x])", "x with every bit inverted (two's complement, so (bit-not 0) is -1).", n_bit_not, 0},
    {"bit-shift-left", "([x n])", "x shifted n bits to the left on 64 bits. Only the low 6 bits of n count,\n  so a shift of 64 is a shift of 0.", n_bit_shift_left, 0},
    {"bit-shift-right", "([x n])", "x shifted n bits to the right on 64 bits, copying the sign bit into the\n  vacated places. Only the low 6 bits of n count.", n_bit_shift_right, 0},
    {"unsigned-bit-shift-right", "([x n])", "x shifted n bits to the right on 64 bits, filling the vacated places with\n  zeros (so a negative x becomes non-negative). Only the low 6 bits of n\n  count.", n_unsigned_bit_shift_right, 0},
    {"bit-test", "([x n])", "True when bit n (counting from 0 at the least significant end) is set in x.", n_bit_test, 0},
    {"bit-set", "([x n])", "x with bit n (0 is the least significant) set to 1.", n_bit_set, 0},
    {"bit-clear", "([x n])", "x with bit n (0 is the least significant) set to 0.", n_bit_clear, 0},
    {"bit-flip", "([x n])", "x with bit n (0 is the least significant) inverted.", n_bit_flip, 0},
    {"rand", "([] [n])", "A pseudorandom double at least 0 and below n; n defaults to 1.", n_rand, 0},
    {"rand-int", "([n])", "A pseudorandom long at least 0 and below n (for a negative n, at most 0\n  and above n).", n_rand_int, 0},
    {"NaN?", "([num])", "True when num is the double ##NaN, false for every other number.", n_nan_p, 0},
    {"infinite?", "([num])", "True when num is ##Inf or ##-Inf, false for every other number.", n_infinite_p, 0},
    {"parse-long", "([s])", "Reads s as a base-10 long: decimal digits, optionally after one + or -.\n  Returns nil when s has any other character or the value does not fit a\n  long; throws when s is not a string.", n_parse_long, 0},
    {"parse-double", "([s])", "Reads s as a double, accepting what Java's Double/valueOf accepts (decimal\n  and exponent forms, NaN, Infinity, hexadecimal floats, a d or f suffix,\n  surrounding whitespace). Returns nil when s is not such a number; throws\n  when s is not a string.", n_parse_double, 0},
};

void kiln_number_init(void) {
  kiln_natives_register("clojure.core", number_natives, KILN_ARRAY_LEN(number_natives));
  kiln_natives_register("clojure.math", math_natives, KILN_ARRAY_LEN(math_natives));
  v_math_context = kiln_var_intern("clojure.core", "*math-context*");
  kiln_var_def(v_math_context, KILN_NIL, true,
               kiln_assoc(kiln_empty_map, kiln_kw(NULL, "dynamic"), KILN_TRUE));
  kiln_var_set_root(kiln_var_intern("clojure.math", "PI"), kiln_double(3.141592653589793));
  kiln_var_set_root(kiln_var_intern("clojure.math", "E"), kiln_double(2.718281828459045));
}
