/*
 * string.c — string building, immutable strings and chars.
 *
 * A string is UTF-8 in one atomic (pointer-free) GC block. The language sees
 * UTF-16 code units, as on the JVM: count, nth, subs and index-of count a
 * character outside the Basic Multilingual Plane as two units. Because a JVM
 * string may hold a lone surrogate (for instance (subs "😀" 0 1)), the bytes
 * are really WTF-8: a lone surrogate is stored as its own three-byte
 * sequence, and kiln_str_new normalises a high surrogate followed by a low
 * one into the four-byte form, so equal UTF-16 content always has equal
 * bytes. Invalid UTF-8 handed to kiln_str_new becomes U+FFFD.
 *
 * Chars are immediates holding a code point (a surrogate half is a char of
 * its own, as on the JVM).
 *
 * The clojure.string primitives that need no regular expression live here;
 * split and replace with patterns are in regex.c.
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "runtime/rt.h"

/* ==== string building ================================================= */

void kiln_sb_init(kiln_sb *sb) {
  sb->buf = NULL;
  sb->len = 0;
  sb->cap = 0;
}

static void sb_reserve(kiln_sb *sb, size_t extra) {
  size_t need = sb->len + extra + 1;
  if (need <= sb->cap) return;
  size_t cap = sb->cap ? sb->cap * 2 : 64;
  while (cap < need) cap *= 2;
  char *nb = kiln_alloc_atomic(cap);
  if (sb->len) memcpy(nb, sb->buf, sb->len);
  sb->buf = nb;
  sb->cap = cap;
}

void kiln_sb_reserve(kiln_sb *sb, size_t extra) { sb_reserve(sb, extra); }

void kiln_sb_putc(kiln_sb *sb, char c) {
  sb_reserve(sb, 1);
  sb->buf[sb->len++] = c;
}

void kiln_sb_putn(kiln_sb *sb, const char *s, size_t n) {
  if (!n) return;
  if (n > PTRDIFF_MAX) kiln_throwf(KILN_EX_OOM, "string of %zu bytes is too long", n);
  sb_reserve(sb, n);
  memcpy(sb->buf + sb->len, s, n);
  sb->len += n;
}

void kiln_sb_puts(kiln_sb *sb, const char *s) { kiln_sb_putn(sb, s, strlen(s)); }

void kiln_sb_printf(kiln_sb *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[128];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    kiln_sb_putn(sb, small, (size_t)n);
    return;
  }
  sb_reserve(sb, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

void kiln_sb_put_utf8(kiln_sb *sb, uint32_t cp) {
  char b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    b[0] = (char)(0xC0 | (cp >> 6));
    b[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = (char)(0xE0 | (cp >> 12));
    b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else if (cp <= 0x10FFFF) {
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  } else {
    b[0] = (char)0xEF; /* U+FFFD */
    b[1] = (char)0xBF;
    b[2] = (char)0xBD;
    n = 3;
  }
  kiln_sb_putn(sb, b, n);
}

const char *kiln_sb_cstr(kiln_sb *sb) {
  sb_reserve(sb, 0);
  sb->buf[sb->len] = 0;
  return sb->buf;
}

kiln_val kiln_sb_to_string(kiln_sb *sb) { return kiln_str_new(sb->buf ? sb->buf : "", sb->len); }

/* ==== UTF-8 ============================================================ */

uint32_t kiln_utf8_decode(const char *str, size_t n, size_t *i) {
  const unsigned char *s = (const unsigned char *)str;
  size_t p = *i;
  unsigned c = s[p];
  if (c < 0x80) {
    *i = p + 1;
    return c;
  }
  size_t len;
  uint32_t cp, min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    *i = p + 1;
    return 0xFFFD;
  }
  if (p + len > n) {
    *i = p + 1;
    return 0xFFFD;
  }
  for (size_t k = 1; k < len; k++) {
    unsigned cc = s[p + k];
    if ((cc & 0xC0) != 0x80) {
      *i = p + 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF) {
    *i = p + 1;
    return 0xFFFD;
  }
  *i = p + len;
  return cp; /* surrogates (ED A0..BF) decode to themselves: WTF-8 */
}

static bool is_high_surrogate(uint32_t cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
static bool is_low_surrogate(uint32_t cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

/* The number of UTF-16 units of [cp]. */
static size_t cp_units(uint32_t cp) { return cp >= 0x10000 ? 2 : 1; }

/*
 * Checks that [s] is normal WTF-8 (valid, and no encoded surrogate pair);
 * counts its UTF-16 units and reports whether it is all ASCII.
 */
static bool utf8_scan(const char *s, size_t n, uint32_t *units, uint32_t *flags) {
  size_t i = 0, u = 0;
  bool normal = true, asc = true, lone = false;
  uint32_t prev = 0;
  while (i < n) {
    if ((unsigned char)s[i] < 0x80) {
      i++, u++, prev = 0;
      continue;
    }
    asc = false;
    size_t at = i;
    uint32_t cp = kiln_utf8_decode(s, n, &i);
    if (cp == 0xFFFD && !(i - at == 3 && (unsigned char)s[at] == 0xEF)) normal = false;
    if (is_low_surrogate(cp) && is_high_surrogate(prev)) normal = false;
    if (cp >= 0xD800 && cp <= 0xDFFF) lone = true;
    u += cp_units(cp);
    prev = cp;
  }
  *units = (uint32_t)u;
  *flags = (asc ? KILN_STR_ASCII : 0) | (lone ? KILN_STR_SURROGATES : 0);
  return normal;
}

/* Re-encodes [s] as normal WTF-8 (pairs joined, invalid bytes as U+FFFD). */
static void utf8_normalise(kiln_sb *sb, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp = kiln_utf8_decode(s, n, &i);
    if (is_high_surrogate(cp) && i < n) {
      size_t j = i;
      uint32_t lo = kiln_utf8_decode(s, n, &j);
      if (is_low_surrogate(lo)) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i = j;
      }
    }
    kiln_sb_put_utf8(sb, cp);
  }
}

/* ==== strings ========================================================== */

/*
 * A non-ASCII string longer than CHECKPOINT_UNITS carries, after its bytes,
 * a table of checkpoints: for every CHECKPOINT_UNITS units, the byte offset
 * and unit index of a code point boundary at or before that unit. Indexing
 * walks from the nearest checkpoint, so nth and subs stay cheap on long
 * non-ASCII text.
 */
#define CHECKPOINT_UNITS 64

typedef struct checkpoint {
  uint32_t byte, unit;
} checkpoint;

static size_t checkpoint_offset(size_t nbytes) { return (nbytes + 1 + 7) & ~(size_t)7; }

static bool has_checkpoints(const kiln_string *str) {
  return !(str->h.flags & KILN_STR_ASCII) && str->nunits > CHECKPOINT_UNITS;
}

static const checkpoint *checkpoints(const kiln_string *str) {
  return (const checkpoint *)(const void *)(str->data + checkpoint_offset(str->nbytes));
}

static void build_checkpoints(kiln_string *str) {
  checkpoint *cp = (checkpoint *)(void *)(str->data + checkpoint_offset(str->nbytes));
  size_t i = 0, u = 0, k = 0, kmax = str->nunits / CHECKPOINT_UNITS, n = str->nbytes;
  while (i < n) {
    size_t at = i;
    size_t w = cp_units(kiln_utf8_decode(str->data, n, &i));
    /* unit k*64 is at this boundary or inside this code point */
    for (; k <= kmax && k * CHECKPOINT_UNITS < u + w; k++) {
      cp[k].byte = (uint32_t)at;
      cp[k].unit = (uint32_t)u;
    }
    u += w;
  }
  for (; k <= kmax; k++) {
    cp[k].byte = (uint32_t)n;
    cp[k].unit = (uint32_t)u;
  }
}

static kiln_val str_alloc(const char *s, size_t n, uint32_t units, uint32_t flags) {
  bool ascii = (flags & KILN_STR_ASCII) != 0;
  size_t extra = 0;
  if (!ascii && units > CHECKPOINT_UNITS)
    extra = checkpoint_offset(n) - (n + 1) + sizeof(checkpoint) * (units / CHECKPOINT_UNITS + 1);
  kiln_string *str = kiln_alloc_atomic(sizeof(kiln_string) + n + 1 + extra);
  str->h.type = KILN_T_STRING;
  str->h.flags = flags;
  str->nbytes = (uint32_t)n;
  str->nunits = units;
  str->hash = 0;
  str->pad = 0;
  if (n) memcpy(str->data, s, n);
  str->data[n] = 0;
  if (extra) build_checkpoints(str);
  return (kiln_val)str;
}

kiln_val kiln_str_new(const char *s, size_t n) {
  if (n > UINT32_MAX / 2) kiln_throwf(KILN_EX_OOM, "String of %zu bytes is too long", n);
  uint32_t units, flags;
  if (utf8_scan(s, n, &units, &flags)) return str_alloc(s, n, units, flags);
  kiln_sb sb;
  kiln_sb_init(&sb);
  utf8_normalise(&sb, s, n);
  utf8_scan(sb.buf, sb.len, &units, &flags);
  return str_alloc(sb.buf, sb.len, units, flags);
}

kiln_val kiln_str_cstr(const char *s) { return kiln_str_new(s, strlen(s)); }

static const kiln_string *as_str(kiln_val s) { return (const kiln_string *)s; }
static bool str_ascii(kiln_val s) { return (as_str(s)->h.flags & KILN_STR_ASCII) != 0; }

size_t kiln_str_count(kiln_val s) { return as_str(s)->nunits; }

/*
 * Finds the byte offset of UTF-16 index [unit] in [s]. When the index falls
 * between the two halves of a pair, *mid is set and the offset is that of the
 * pair's first byte.
 */
static size_t unit_to_byte(kiln_val s, size_t unit, bool *mid) {
  *mid = false;
  if (str_ascii(s)) return unit;
  const char *d = kiln_str_data(s);
  size_t n = kiln_str_nbytes(s), i = 0, u = 0;
  if (has_checkpoints(as_str(s))) {
    const checkpoint *cp = &checkpoints(as_str(s))[unit / CHECKPOINT_UNITS];
    i = cp->byte;
    u = cp->unit;
  }
  while (i < n && u < unit) {
    size_t at = i;
    uint32_t cp = kiln_utf8_decode(d, n, &i);
    u += cp_units(cp);
    if (u > unit) {
      *mid = true;
      return at;
    }
  }
  return i;
}

/* The UTF-16 index of byte offset [byte] (which starts a code point). */
size_t kiln_str_byte_to_unit(kiln_val s, size_t byte) {
  if (str_ascii(s)) return byte;
  const char *d = kiln_str_data(s);
  size_t i = 0, u = 0;
  if (has_checkpoints(as_str(s))) { /* the last checkpoint at or before [byte] */
    const checkpoint *cp = checkpoints(as_str(s));
    size_t lo = 0, hi = as_str(s)->nunits / CHECKPOINT_UNITS;
    while (lo < hi) {
      size_t mid = (lo + hi + 1) / 2;
      if (cp[mid].byte <= byte) lo = mid;
      else hi = mid - 1;
    }
    i = cp[lo].byte;
    u = cp[lo].unit;
  }
  while (i < byte) u += cp_units(kiln_utf8_decode(d, byte, &i));
  return u;
}

size_t kiln_str_unit_to_byte(kiln_val s, size_t unit) {
  bool mid;
  return unit_to_byte(s, unit, &mid);
}

kiln_val kiln_str_nth(kiln_val s, size_t i) {
  if (i >= kiln_str_count(s))
    kiln_throwf("java.lang.StringIndexOutOfBoundsException",
                "String index out of range: %zu", i);
  if (str_ascii(s)) return KILN_CHAR((unsigned char)kiln_str_data(s)[i]);
  bool mid;
  size_t b = unit_to_byte(s, i, &mid);
  size_t p = b;
  uint32_t cp = kiln_utf8_decode(kiln_str_data(s), kiln_str_nbytes(s), &p);
  if (cp >= 0x10000) {
    uint32_t v = cp - 0x10000;
    return KILN_CHAR(mid ? 0xDC00 + (v & 0x3FF) : 0xD800 + (v >> 10));
  }
  return KILN_CHAR(cp);
}

KILN_NORETURN static void subs_bounds(kiln_val s, int64_t from, int64_t to) {
  kiln_throwf("java.lang.StringIndexOutOfBoundsException", "begin %lld, end %lld, length %zu",
              (long long)from, (long long)to, kiln_str_count(s));
}

kiln_val kiln_str_subs(kiln_val s, size_t from, size_t to) {
  if (from > to || to > kiln_str_count(s)) subs_bounds(s, (int64_t)from, (int64_t)to);
  if (str_ascii(s)) return str_alloc(kiln_str_data(s) + from, to - from, (uint32_t)(to - from), KILN_STR_ASCII);
  bool mid_from, mid_to;
  size_t bf = unit_to_byte(s, from, &mid_from);
  size_t bt = unit_to_byte(s, to, &mid_to);
  const char *d = kiln_str_data(s);
  size_t n = kiln_str_nbytes(s);
  if (!mid_from && !mid_to) return kiln_str_new(d + bf, bt - bf);
  kiln_sb sb;
  kiln_sb_init(&sb);
  size_t i = bf;
  if (mid_from) {
    uint32_t cp = kiln_utf8_decode(d, n, &i);
    if (from + 1 > to) return kiln_str_new("", 0);
    kiln_sb_put_utf8(&sb, 0xDC00 + ((cp - 0x10000) & 0x3FF));
    if (mid_to && bt == bf) return kiln_sb_to_string(&sb);
  }
  kiln_sb_putn(&sb, d + i, bt > i ? bt - i : 0);
  if (mid_to) {
    size_t j = bt;
    uint32_t cp = kiln_utf8_decode(d, n, &j);
    kiln_sb_put_utf8(&sb, 0xD800 + ((cp - 0x10000) >> 10));
  }
  return kiln_sb_to_string(&sb);
}

/* Calls [f] with each UTF-16 unit of the UTF-8 text [s]. */
#define FOR_EACH_UNIT(s, n, unit, body)                                     \
  do {                                                                      \
    size_t i_ = 0;                                                          \
    while (i_ < (n)) {                                                      \
      uint32_t cp_ = kiln_utf8_decode((s), (n), &i_);                       \
      if (cp_ >= 0x10000) {                                                 \
        uint32_t unit = 0xD800 + ((cp_ - 0x10000) >> 10);                   \
        body;                                                               \
        unit = 0xDC00 + ((cp_ - 0x10000) & 0x3FF);                          \
        body;                                                               \
      } else {                                                              \
        uint32_t unit = cp_;                                                \
        body;                                                               \
      }                                                                     \
    }                                                                       \
  } while (0)

int32_t kiln_string_hash_code(const char *s, size_t n) {
  uint32_t h = 0;
  FOR_EACH_UNIT(s, n, u, h = 31u * h + u);
  return (int32_t)h;
}

/* A cursor over the UTF-16 units of a UTF-8 text. */
typedef struct unit_cursor {
  const char *s;
  size_t n, i;
  uint32_t pending; /* the low half of a pair still to deliver, or 0 */
} unit_cursor;

static bool cursor_next(unit_cursor *c, uint32_t *unit) {
  if (c->pending) {
    *unit = c->pending;
    c->pending = 0;
    return true;
  }
  if (c->i >= c->n) return false;
  uint32_t cp = kiln_utf8_decode(c->s, c->n, &c->i);
  if (cp >= 0x10000) {
    *unit = 0xD800 + ((cp - 0x10000) >> 10);
    c->pending = 0xDC00 + ((cp - 0x10000) & 0x3FF);
  } else {
    *unit = cp;
  }
  return true;
}

int kiln_str_compare(kiln_val a, kiln_val b) {
  if (a == b) return 0;
  if (str_ascii(a) && str_ascii(b)) {
    const unsigned char *x = (const unsigned char *)kiln_str_data(a);
    const unsigned char *y = (const unsigned char *)kiln_str_data(b);
    size_t na = kiln_str_nbytes(a), nb = kiln_str_nbytes(b), m = na < nb ? na : nb;
    for (size_t i = 0; i < m; i++)
      if (x[i] != y[i]) return (int)x[i] - (int)y[i];
    return (int)na - (int)nb;
  }
  unit_cursor ca = {kiln_str_data(a), kiln_str_nbytes(a), 0, 0};
  unit_cursor cb = {kiln_str_data(b), kiln_str_nbytes(b), 0, 0};
  for (;;) {
    uint32_t ua, ub;
    bool ha = cursor_next(&ca, &ua), hb = cursor_next(&cb, &ub);
    if (!ha || !hb) return (int)kiln_str_count(a) - (int)kiln_str_count(b);
    if (ua != ub) return (int)ua - (int)ub;
  }
}

bool kiln_str_equal(kiln_val a, kiln_val b) {
  return a == b || (kiln_str_nbytes(a) == kiln_str_nbytes(b) &&
                    memcmp(kiln_str_data(a), kiln_str_data(b), kiln_str_nbytes(a)) == 0);
}

bool kiln_is_string(kiln_val v) { return KILN_HAS_TYPE(v, KILN_T_STRING); }

/* ==== chars ============================================================ */

/* Java's Character.isWhitespace. */
bool kiln_char_is_whitespace(uint32_t c) {
  if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return true;
  if (c < 0x80) return false;
  return c == 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x205F || c == 0x3000;
}

/* The name of [c] as the reader and printer spell it after "\", or NULL. */
const char *kiln_char_name(uint32_t c) {
  switch (c) {
  case '\n': return "newline";
  case ' ': return "space";
  case '\t': return "tab";
  case '\b': return "backspace";
  case '\f': return "formfeed";
  case '\r': return "return";
  default: return NULL;
  }
}

static locale_t utf8_locale(void) {
  static locale_t loc;
  static int tried;
  if (!__atomic_load_n(&tried, __ATOMIC_ACQUIRE)) {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!l) l = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
    loc = l;
    __atomic_store_n(&tried, 1, __ATOMIC_RELEASE);
  }
  return loc;
}

uint32_t kiln_char_upper(uint32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  locale_t l = utf8_locale();
  return l ? (uint32_t)towupper_l((wint_t)c, l) : c;
}

uint32_t kiln_char_lower(uint32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  locale_t l = utf8_locale();
  return l ? (uint32_t)towlower_l((wint_t)c, l) : c;
}

/* ==== natives ========================================================== */

/* (str x) of a value that the string functions take as CharSequence. */
static kiln_val to_string(kiln_val x) {
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return x;
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_str_to(&sb, x);
  return kiln_sb_to_string(&sb);
}

/*
 * The argument checks of the string functions, with the JVM's messages:
 * [npe] is the NullPointerException text for nil, [cls] the class a
 * non-string fails to be cast to.
 */
static kiln_val want_string(kiln_val x, const char *npe, const char *cls) {
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return x;
  if (x == KILN_NIL) kiln_throwf(KILN_EX_NULL, "%s", npe);
  kiln_throw_class_cast(x, cls);
}

/* A CharSequence argument named [var] in clojure.string's source. */
static kiln_val want_charseq(kiln_val x, const char *var) {
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return x;
  if (x == KILN_NIL)
    kiln_throwf(KILN_EX_NULL, "Cannot invoke \"java.lang.CharSequence.length()\" because \"%s\" is null", var);
  kiln_throw_class_cast(x, "java.lang.CharSequence");
}

/* An argument the function calls .toString on: anything but nil. */
static kiln_val want_tostring(kiln_val x) {
  if (x == KILN_NIL)
    kiln_throwf(KILN_EX_NULL, "Cannot invoke \"Object.toString()\" because \"s\" is null");
  return to_string(x);
}

static int64_t want_index(kiln_val x, const char *what) { return kiln_to_long(x, what); }

KILN_NATIVE(n_subs) {
  KILN_ARITY("clojure.core/subs", argc == 2 || argc == 3);
  kiln_val s = want_string(argv[0],
                           argc == 2 ? "Cannot invoke \"String.substring(int)\" because \"s\" is null"
                                     : "Cannot invoke \"String.substring(int, int)\" because \"s\" is null",
                           "java.lang.String");
  int64_t from = want_index(argv[1], "subs");
  int64_t to = argc == 3 ? want_index(argv[2], "subs") : (int64_t)kiln_str_count(s);
  if (from < 0 || to < from || to > (int64_t)kiln_str_count(s)) subs_bounds(s, from, to);
  return kiln_str_subs(s, (size_t)from, (size_t)to);
}

KILN_NATIVE(n_string_p) {
  KILN_ARITY("clojure.core/string?", argc == 1);
  return KILN_BOOL(KILN_HAS_TYPE(argv[0], KILN_T_STRING));
}

KILN_NATIVE(n_char_p) {
  KILN_ARITY("clojure.core/char?", argc == 1);
  return KILN_BOOL(KILN_IS_CHAR(argv[0]));
}

typedef uint32_t (*case_fn)(uint32_t);

static kiln_val map_case(kiln_val s, case_fn f, bool upper) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  const char *d = kiln_str_data(s);
  size_t n = kiln_str_nbytes(s), i = 0;
  while (i < n) {
    uint32_t c = kiln_utf8_decode(d, n, &i);
    if (upper && c == 0xDF) { /* ß upper-cases to SS, as on the JVM */
      kiln_sb_puts(&sb, "SS");
      continue;
    }
    kiln_sb_put_utf8(&sb, f(c));
  }
  return kiln_sb_to_string(&sb);
}

KILN_NATIVE(n_upper_case) {
  KILN_ARITY("clojure.string/upper-case", argc == 1);
  return map_case(want_tostring(argv[0]), kiln_char_upper, true);
}

KILN_NATIVE(n_lower_case) {
  KILN_ARITY("clojure.string/lower-case", argc == 1);
  return map_case(want_tostring(argv[0]), kiln_char_lower, false);
}

KILN_NATIVE(n_capitalize) {
  KILN_ARITY("clojure.string/capitalize", argc == 1);
  kiln_val s = want_tostring(argv[0]);
  if (kiln_str_count(s) < 2) return map_case(s, kiln_char_upper, true);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_val head = map_case(kiln_str_subs(s, 0, 1), kiln_char_upper, true);
  kiln_val tail = map_case(kiln_str_subs(s, 1, kiln_str_count(s)), kiln_char_lower, false);
  kiln_sb_putn(&sb, kiln_str_data(head), kiln_str_nbytes(head));
  kiln_sb_putn(&sb, kiln_str_data(tail), kiln_str_nbytes(tail));
  return kiln_sb_to_string(&sb);
}

/* Byte offsets of the first and past-the-last non-whitespace code points. */
static void trim_bounds(kiln_val s, size_t *start, size_t *end) {
  const char *d = kiln_str_data(s);
  size_t n = kiln_str_nbytes(s), i = 0;
  *start = n;
  *end = 0;
  while (i < n) {
    size_t at = i;
    uint32_t c = kiln_utf8_decode(d, n, &i);
    if (!kiln_char_is_whitespace(c)) {
      if (*start == n) *start = at;
      *end = i;
    }
  }
  if (*start == n) *start = *end = 0;
}

static kiln_val trim_impl(kiln_val s, bool left, bool right) {
  size_t a, b;
  trim_bounds(s, &a, &b);
  if (a == 0 && b == 0) return kiln_str_new("", 0); /* all whitespace */
  size_t from = left ? a : 0, to = right ? b : kiln_str_nbytes(s);
  if (from == 0 && to == kiln_str_nbytes(s)) return s;
  return kiln_str_new(kiln_str_data(s) + from, to - from);
}

KILN_NATIVE(n_trim) {
  KILN_ARITY("clojure.string/trim", argc == 1);
  return trim_impl(want_charseq(argv[0], "s"), true, true);
}

KILN_NATIVE(n_triml) {
  KILN_ARITY("clojure.string/triml", argc == 1);
  return trim_impl(want_charseq(argv[0], "s"), true, false);
}

KILN_NATIVE(n_trimr) {
  KILN_ARITY("clojure.string/trimr", argc == 1);
  return trim_impl(want_charseq(argv[0], "s"), false, true);
}

KILN_NATIVE(n_trim_newline) {
  KILN_ARITY("clojure.string/trim-newline", argc == 1);
  kiln_val s = want_charseq(argv[0], "s");
  size_t n = kiln_str_nbytes(s);
  const char *d = kiln_str_data(s);
  while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == '\r')) n--;
  return n == kiln_str_nbytes(s) ? s : kiln_str_new(d, n);
}

KILN_NATIVE(n_blank_p) {
  KILN_ARITY("clojure.string/blank?", argc == 1);
  if (argv[0] == KILN_NIL) return KILN_TRUE;
  kiln_val s = want_charseq(argv[0], "s");
  const char *d = kiln_str_data(s);
  size_t n = kiln_str_nbytes(s), i = 0;
  while (i < n)
    if (!kiln_char_is_whitespace(kiln_utf8_decode(d, n, &i))) return KILN_FALSE;
  return KILN_TRUE;
}

static bool bytes_starts_with(kiln_val s, kiln_val p) {
  return kiln_str_nbytes(p) <= kiln_str_nbytes(s) &&
         memcmp(kiln_str_data(s), kiln_str_data(p), kiln_str_nbytes(p)) == 0;
}

KILN_NATIVE(n_starts_with_p) {
  KILN_ARITY("clojure.string/starts-with?", argc == 2);
  kiln_val s = want_tostring(argv[0]);
  return KILN_BOOL(bytes_starts_with(
      s, want_string(argv[1], "Cannot invoke \"String.length()\" because \"prefix\" is null",
                     "java.lang.String")));
}

KILN_NATIVE(n_ends_with_p) {
  KILN_ARITY("clojure.string/ends-with?", argc == 2);
  kiln_val s = want_tostring(argv[0]);
  kiln_val p = want_string(argv[1], "Cannot invoke \"String.length()\" because \"suffix\" is null",
                           "java.lang.String");
  size_t ns = kiln_str_nbytes(s), np = kiln_str_nbytes(p);
  return KILN_BOOL(np <= ns && memcmp(kiln_str_data(s) + ns - np, kiln_str_data(p), np) == 0);
}

/* Byte offset of [needle] in [hay] at or after byte [from], or -1. */
static ptrdiff_t find_bytes(kiln_val hay, kiln_val needle, size_t from) {
  size_t nh = kiln_str_nbytes(hay), nn = kiln_str_nbytes(needle);
  if (from > nh) return -1;
  const char *p = memmem(kiln_str_data(hay) + from, nh - from, kiln_str_data(needle), nn);
  return p ? p - kiln_str_data(hay) : -1;
}

KILN_NATIVE(n_includes_p) {
  KILN_ARITY("clojure.string/includes?", argc == 2);
  kiln_val s = want_tostring(argv[0]);
  if (argv[1] == KILN_NIL)
    kiln_throwf(KILN_EX_NULL,
                "Cannot invoke \"java.lang.CharSequence.toString()\" because \"s\" is null");
  return KILN_BOOL(find_bytes(s, want_string(argv[1], "", "java.lang.CharSequence"), 0) >= 0);
}

/* The needle of index-of: a char or a string; [npe] is the JVM's text for nil. */
static kiln_val needle_of(kiln_val v, const char *npe) {
  if (KILN_IS_CHAR(v)) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_put_utf8(&sb, KILN_CHAR_VALUE(v));
    return kiln_sb_to_string(&sb);
  }
  return want_string(v, npe, "java.lang.String");
}

KILN_NATIVE(n_index_of) {
  KILN_ARITY("clojure.string/index-of", argc == 2 || argc == 3);
  kiln_val s = want_tostring(argv[0]);
  kiln_val needle = needle_of(argv[1], "Cannot invoke \"String.coder()\" because \"str\" is null");
  int64_t from = argc == 3 ? want_index(argv[2], "index-of") : 0;
  if (from < 0) from = 0;
  if (from > (int64_t)kiln_str_count(s)) /* as String.indexOf: "" is found at the end */
    return kiln_str_nbytes(needle) == 0 ? kiln_long((int64_t)kiln_str_count(s)) : KILN_NIL;
  ptrdiff_t at = find_bytes(s, needle, kiln_str_unit_to_byte(s, (size_t)from));
  return at < 0 ? KILN_NIL : kiln_long((int64_t)kiln_str_byte_to_unit(s, (size_t)at));
}

KILN_NATIVE(n_last_index_of) {
  KILN_ARITY("clojure.string/last-index-of", argc == 2 || argc == 3);
  kiln_val s = want_tostring(argv[0]);
  kiln_val needle = needle_of(argv[1], "Cannot read field \"value\" because \"tgtStr\" is null");
  int64_t from = argc == 3 ? want_index(argv[2], "last-index-of") : (int64_t)kiln_str_count(s);
  if (from < 0) return KILN_NIL;
  if (from > (int64_t)kiln_str_count(s)) from = (int64_t)kiln_str_count(s);
  size_t limit = kiln_str_unit_to_byte(s, (size_t)from); /* match must start at or before */
  ptrdiff_t best = -1, at;
  size_t pos = 0;
  while ((at = find_bytes(s, needle, pos)) >= 0 && (size_t)at <= limit) {
    best = at;
    pos = (size_t)at + 1;
  }
  return best < 0 ? KILN_NIL : kiln_long((int64_t)kiln_str_byte_to_unit(s, (size_t)best));
}

KILN_NATIVE(n_reverse) {
  KILN_ARITY("clojure.string/reverse", argc == 1);
  kiln_val s = want_charseq(argv[0], "seq");
  size_t n = kiln_str_nbytes(s);
  const char *d = kiln_str_data(s);
  char *out = kiln_alloc_atomic(n + 1);
  size_t i = 0;
  while (i < n) {
    size_t at = i;
    kiln_utf8_decode(d, n, &i);
    memcpy(out + n - i, d + at, i - at);
  }
  return kiln_str_new(out, n);
}

KILN_NATIVE(n_join) {
  KILN_ARITY("clojure.string/join", argc == 1 || argc == 2);
  kiln_val sep = argc == 2 ? argv[0] : KILN_NIL;
  kiln_val coll = argv[argc - 1];
  kiln_sb sb;
  kiln_sb_init(&sb);
  bool first = true;
  for (kiln_val s = kiln_seq(coll); s != KILN_NIL; s = kiln_next(s)) {
    if (!first) kiln_str_to(&sb, sep);
    first = false;
    kiln_str_to(&sb, kiln_first(s));
  }
  return kiln_sb_to_string(&sb);
}

/* Replaces every occurrence of the literal [match] with the literal [rep]. */
kiln_val kiln_str_replace_literal(kiln_val s, kiln_val match, kiln_val rep, bool first_only) {
  size_t nm = kiln_str_nbytes(match);
  kiln_sb sb;
  kiln_sb_init(&sb);
  size_t pos = 0;
  const char *d = kiln_str_data(s);
  if (nm == 0) { /* Java inserts the replacement between every char */
    if (first_only) {
      kiln_sb_putn(&sb, kiln_str_data(rep), kiln_str_nbytes(rep));
      kiln_sb_putn(&sb, d, kiln_str_nbytes(s));
      return kiln_sb_to_string(&sb);
    }
    size_t i = 0, n = kiln_str_nbytes(s);
    kiln_sb_putn(&sb, kiln_str_data(rep), kiln_str_nbytes(rep));
    while (i < n) {
      size_t at = i;
      kiln_utf8_decode(d, n, &i);
      kiln_sb_putn(&sb, d + at, i - at);
      kiln_sb_putn(&sb, kiln_str_data(rep), kiln_str_nbytes(rep));
    }
    return kiln_sb_to_string(&sb);
  }
  ptrdiff_t at;
  bool any = false;
  while ((at = find_bytes(s, match, pos)) >= 0) {
    any = true;
    kiln_sb_putn(&sb, d + pos, (size_t)at - pos);
    kiln_sb_putn(&sb, kiln_str_data(rep), kiln_str_nbytes(rep));
    pos = (size_t)at + nm;
    if (first_only) break;
  }
  if (!any) return s;
  kiln_sb_putn(&sb, d + pos, kiln_str_nbytes(s) - pos);
  return kiln_sb_to_string(&sb);
}

KILN_NATIVE(n_escape) {
  KILN_ARITY("clojure.string/escape", argc == 2);
  kiln_val s = want_charseq(argv[0], "s");
  kiln_val cmap = argv[1];
  kiln_sb sb;
  kiln_sb_init(&sb);
  for (size_t i = 0; i < kiln_str_count(s); i++) {
    kiln_val c = kiln_str_nth(s, i);
    kiln_val r = kiln_call1(cmap, c);
    if (r == KILN_NIL) {
      uint32_t cp = KILN_CHAR_VALUE(c);
      if (is_high_surrogate(cp) && i + 1 < kiln_str_count(s)) {
        kiln_val c2 = kiln_str_nth(s, i + 1);
        if (kiln_call1(cmap, c2) == KILN_NIL) { /* keep the pair whole */
          uint32_t lo = KILN_CHAR_VALUE(c2);
          kiln_sb_put_utf8(&sb, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
          i++;
          continue;
        }
      }
      kiln_sb_put_utf8(&sb, cp);
    } else {
      kiln_str_to(&sb, r);
    }
  }
  return kiln_sb_to_string(&sb);
}

/* ==== format: a subset of java.util.Formatter ========================== */

typedef struct fmt_spec {
  bool left, plus, space, zero, comma, paren, alt;
  int width;     /* -1 if none */
  int precision; /* -1 if none */
  char conv;
} fmt_spec;

KILN_NORETURN static void fmt_conversion_error(char conv, kiln_val arg) {
  kiln_throwf("java.util.IllegalFormatConversionException", "%c != %s", conv,
              kiln_class_name(arg));
}

static void fmt_pad(kiln_sb *out, const fmt_spec *sp, const char *body, size_t n) {
  size_t units = 0, i = 0;
  while (i < n) units += cp_units(kiln_utf8_decode(body, n, &i));
  size_t pad = sp->width > 0 && (size_t)sp->width > units ? (size_t)sp->width - units : 0;
  if (!sp->left)
    for (size_t k = 0; k < pad; k++) kiln_sb_putc(out, ' ');
  kiln_sb_putn(out, body, n);
  if (sp->left)
    for (size_t k = 0; k < pad; k++) kiln_sb_putc(out, ' ');
}

/* Lays out a number: sign handling, grouping, zero padding, parentheses. */
static void fmt_number(kiln_sb *out, const fmt_spec *sp, bool neg, const char *digits) {
  kiln_sb b;
  kiln_sb_init(&b);
  if (sp->comma) {
    const char *dot = strchr(digits, '.');
    size_t intlen = dot ? (size_t)(dot - digits) : strlen(digits);
    for (size_t i = 0; i < intlen; i++) {
      kiln_sb_putc(&b, digits[i]);
      size_t left = intlen - i - 1;
      if (left && left % 3 == 0) kiln_sb_putc(&b, ',');
    }
    kiln_sb_puts(&b, digits + intlen);
  } else {
    kiln_sb_puts(&b, digits);
  }
  const char *prefix = neg ? (sp->paren ? "(" : "-") : sp->plus ? "+" : sp->space ? " " : "";
  const char *suffix = neg && sp->paren ? ")" : "";
  size_t body = strlen(prefix) + b.len + strlen(suffix);
  kiln_sb r;
  kiln_sb_init(&r);
  kiln_sb_puts(&r, prefix);
  if (sp->zero && sp->width > 0 && (size_t)sp->width > body)
    for (size_t k = body; k < (size_t)sp->width; k++) kiln_sb_putc(&r, '0');
  kiln_sb_putn(&r, b.buf ? b.buf : "", b.len);
  kiln_sb_puts(&r, suffix);
  fmt_pad(out, sp, r.buf, r.len);
}

/* The shortest decimal digits that read back as [d] (d > 0, finite), with
 * the decimal exponent: d = 0.DIGITS * 10^exp. */
static void shortest_digits(double d, char *digits, int *exp10) {
  char buf[40];
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    if (strtod(buf, NULL) == d || p == 17) break;
  }
  /* buf is "D.DDDDe[+-]XX" */
  char *e = strchr(buf, 'e');
  int x = atoi(e + 1);
  size_t k = 0;
  for (char *p = buf; p < e; p++)
    if (*p != '.') digits[k++] = *p;
  while (k > 1 && digits[k - 1] == '0') k--;
  digits[k] = 0;
  *exp10 = x + 1;
}

/*
 * Java's %f and %e round the shortest representation of a double half-up,
 * which differs from C's exact binary rounding (0.125 -> "0.13").
 * Rounds the digit string [dig] (value 0.dig * 10^*exp) to [keep] digits.
 */
static void round_half_up(char *dig, int keep, int *exp10) {
  int n = (int)strlen(dig);
  if (keep < 0) {
    dig[0] = 0;
    return;
  }
  if (keep >= n) return;
  bool up = dig[keep] >= '5';
  dig[keep] = 0;
  if (!up) return;
  int i = keep - 1;
  while (i >= 0 && dig[i] == '9') dig[i--] = '0';
  if (i >= 0) {
    dig[i]++;
  } else {
    memmove(dig + 1, dig, (size_t)keep + 1);
    dig[0] = '1';
    (*exp10)++;
  }
}

static void fmt_fixed(kiln_sb *b, double d, int prec) {
  if (d == 0) {
    kiln_sb_putc(b, '0');
    if (prec > 0) kiln_sb_putc(b, '.');
    for (int i = 0; i < prec; i++) kiln_sb_putc(b, '0');
    return;
  }
  char dig[48];
  int e;
  shortest_digits(d, dig, &e);
  int keep = e + prec; /* digits kept */
  if (keep < 0) {
    dig[0] = 0;
  } else if (keep == 0) { /* 0.00x rounding to the first kept place */
    bool up = dig[0] >= '5';
    dig[0] = up ? '1' : 0;
    dig[1] = 0;
    if (up) e++;
  } else {
    round_half_up(dig, keep, &e);
  }
  int n = (int)strlen(dig);
  /* integer part */
  if (e <= 0) {
    kiln_sb_putc(b, '0');
  } else {
    for (int i = 0; i < e; i++) kiln_sb_putc(b, i < n ? dig[i] : '0');
  }
  if (prec > 0) {
    kiln_sb_putc(b, '.');
    for (int i = 0; i < prec; i++) {
      int idx = e + i;
      kiln_sb_putc(b, idx >= 0 && idx < n ? dig[idx] : '0');
    }
  }
}

static void fmt_sci(kiln_sb *b, double d, int prec, bool upper) {
  char dig[48];
  int e = 1;
  if (d == 0) {
    strcpy(dig, "0");
  } else {
    shortest_digits(d, dig, &e);
    round_half_up(dig, prec + 1, &e);
  }
  int n = (int)strlen(dig);
  kiln_sb_putc(b, dig[0]);
  if (prec > 0) kiln_sb_putc(b, '.');
  for (int i = 1; i <= prec; i++) kiln_sb_putc(b, i < n ? dig[i] : '0');
  int x = d == 0 ? 0 : e - 1;
  kiln_sb_printf(b, "%c%c%02d", upper ? 'E' : 'e', x < 0 ? '-' : '+', x < 0 ? -x : x);
}

static void fmt_float(kiln_sb *out, const fmt_spec *sp, kiln_val arg) {
  if (!kiln_is_number(arg) || kiln_is_long(arg) || KILN_HAS_TYPE(arg, KILN_T_BIGINT) ||
      KILN_HAS_TYPE(arg, KILN_T_RATIO))
    fmt_conversion_error(sp->conv, arg);
  double d = kiln_double_value(arg);
  bool upper = sp->conv == 'E' || sp->conv == 'G';
  if (d != d || d == __builtin_inf() || d == -__builtin_inf()) {
    const char *t = d != d ? "NaN" : d > 0 ? (sp->plus ? "+Infinity" : "Infinity")
                                           : (sp->paren ? "(Infinity)" : "-Infinity");
    fmt_pad(out, sp, t, strlen(t));
    return;
  }
  bool neg = d < 0 || (d == 0 && __builtin_signbit(d));
  if (neg) d = -d;
  int prec = sp->precision < 0 ? 6 : sp->precision;
  kiln_sb b;
  kiln_sb_init(&b);
  char c = (char)(sp->conv | 0x20);
  if (c == 'f') {
    fmt_fixed(&b, d, prec);
  } else if (c == 'e') {
    fmt_sci(&b, d, prec, upper);
  } else { /* %g: Java picks fixed for 10^-4 <= x < 10^prec after rounding */
    if (prec == 0) prec = 1;
    if (d != 0 && (d < 1e-4 || d >= pow(10, prec))) {
      fmt_sci(&b, d, prec - 1, upper);
    } else {
      int mag = d == 0 ? 1 : 0;
      if (d != 0) {
        char dig[48];
        int e;
        shortest_digits(d, dig, &e);
        round_half_up(dig, prec, &e);
        mag = e;
      }
      fmt_fixed(&b, d, prec - mag > 0 ? prec - mag : 0);
    }
  }
  fmt_number(out, sp, neg, kiln_sb_cstr(&b));
}

static void fmt_integer(kiln_sb *out, const fmt_spec *sp, kiln_val arg) {
  char c = (char)(sp->conv | 0x20);
  /* Java's %d takes BigInteger but not clojure.lang.BigInt, so (format "%d" 1N) throws. */
  if (!kiln_is_long(arg)) fmt_conversion_error(sp->conv, arg);
  int64_t v = kiln_long_value(arg);
  char buf[80];
  if (c == 'd') {
    bool neg = v < 0;
    snprintf(buf, sizeof buf, "%llu", neg ? 0ull - (unsigned long long)v : (unsigned long long)v);
    fmt_number(out, sp, neg, buf);
    return;
  }
  const char *fmt = c == 'x' ? (sp->conv == 'X' ? "%llX" : "%llx") : "%llo";
  char *p = buf;
  if (sp->alt) p += sprintf(p, "%s", c == 'x' ? (sp->conv == 'X' ? "0X" : "0x") : "0");
  snprintf(p, sizeof buf - 4, fmt, (unsigned long long)v);
  if (sp->zero && sp->width > 0) {
    fmt_spec s2 = *sp;
    s2.plus = s2.space = s2.comma = s2.paren = false;
    fmt_number(out, &s2, false, buf);
  } else {
    fmt_pad(out, sp, buf, strlen(buf));
  }
}

/* The text %s shows for [x]: Java's toString, which for nil is "null". */
static void fmt_tostring(kiln_sb *b, kiln_val x) {
  if (x == KILN_NIL) kiln_sb_puts(b, "null");
  else kiln_str_to(b, x);
}

static void fmt_text(kiln_sb *out, const fmt_spec *sp, const char *t, size_t n, bool upper) {
  kiln_val s = kiln_str_new(t, n);
  if (sp->precision >= 0 && (size_t)sp->precision < kiln_str_count(s))
    s = kiln_str_subs(s, 0, (size_t)sp->precision);
  if (upper) s = map_case(s, kiln_char_upper, true);
  fmt_pad(out, sp, kiln_str_data(s), kiln_str_nbytes(s));
}

KILN_NORETURN static void fmt_missing(const char *spec, size_t n) {
  kiln_throwf("java.util.MissingFormatArgumentException", "Format specifier '%.*s'", (int)n,
              spec);
}

kiln_val kiln_format(kiln_val fmtv, uint32_t nargs, const kiln_val *args) {
  kiln_val f = want_string(fmtv, "Cannot invoke \"String.length()\" because \"format\" is null",
                           "java.lang.String");
  const char *s = kiln_str_data(f);
  size_t n = kiln_str_nbytes(f), i = 0;
  uint32_t next_arg = 0;
  kiln_sb out;
  kiln_sb_init(&out);
  while (i < n) {
    if (s[i] != '%') {
      kiln_sb_putc(&out, s[i++]);
      continue;
    }
    size_t start = i++;
    fmt_spec sp = {0};
    sp.width = sp.precision = -1;
    /* explicit index n$ */
    int index = -1;
    size_t j = i;
    int num = 0;
    while (j < n && s[j] >= '0' && s[j] <= '9') num = num * 10 + (s[j++] - '0');
    if (j < n && s[j] == '$' && j > i) {
      index = num;
      i = j + 1;
    }
    for (; i < n; i++) {
      char c = s[i];
      if (c == '-') sp.left = true;
      else if (c == '+') sp.plus = true;
      else if (c == ' ') sp.space = true;
      else if (c == '0') sp.zero = true;
      else if (c == ',') sp.comma = true;
      else if (c == '(') sp.paren = true;
      else if (c == '#') sp.alt = true;
      else break;
    }
    if (i < n && s[i] >= '1' && s[i] <= '9') {
      sp.width = 0;
      while (i < n && s[i] >= '0' && s[i] <= '9') sp.width = sp.width * 10 + (s[i++] - '0');
    }
    if (i < n && s[i] == '.') {
      i++;
      sp.precision = 0;
      while (i < n && s[i] >= '0' && s[i] <= '9') sp.precision = sp.precision * 10 + (s[i++] - '0');
    }
    if (i >= n)
      kiln_throwf("java.util.UnknownFormatConversionException", "Conversion = '%%'");
    sp.conv = s[i++];
    if (sp.conv == '%') {
      fmt_pad(&out, &sp, "%", 1);
      continue;
    }
    if (sp.conv == 'n') {
      kiln_sb_putc(&out, '\n');
      continue;
    }
    if (!strchr("sSdxXofeEgGcCbBh", sp.conv))
      kiln_throwf("java.util.UnknownFormatConversionException", "Conversion = '%c'", sp.conv);
    uint32_t ai = index > 0 ? (uint32_t)index - 1 : next_arg++;
    if (ai >= nargs) fmt_missing(s + start, i - start);
    kiln_val arg = args[ai];
    kiln_sb tmp;
    kiln_sb_init(&tmp);
    switch (sp.conv) {
    case 's':
    case 'S':
      fmt_tostring(&tmp, arg);
      fmt_text(&out, &sp, tmp.buf ? tmp.buf : "", tmp.len, sp.conv == 'S');
      break;
    case 'b':
    case 'B': {
      const char *t = arg == KILN_NIL || arg == KILN_FALSE ? "false" : "true";
      fmt_text(&out, &sp, t, strlen(t), sp.conv == 'B');
      break;
    }
    case 'h':
      kiln_sb_printf(&tmp, "%x", (unsigned)(arg == KILN_NIL ? 0 : kiln_java_hash(arg)));
      fmt_text(&out, &sp, tmp.buf, tmp.len, false);
      break;
    case 'c':
    case 'C': {
      if (arg == KILN_NIL) {
        fmt_text(&out, &sp, "null", 4, sp.conv == 'C');
        break;
      }
      uint32_t cp;
      if (KILN_IS_CHAR(arg)) cp = KILN_CHAR_VALUE(arg);
      else if (kiln_is_long(arg)) cp = (uint32_t)kiln_long_value(arg);
      else fmt_conversion_error(sp.conv, arg);
      kiln_sb_put_utf8(&tmp, sp.conv == 'C' ? kiln_char_upper(cp) : cp);
      fmt_text(&out, &sp, tmp.buf, tmp.len, false);
      break;
    }
    case 'd':
    case 'x':
    case 'X':
    case 'o':
      if (arg == KILN_NIL) fmt_text(&out, &sp, "null", 4, false);
      else fmt_integer(&out, &sp, arg);
      break;
    default:
      if (arg == KILN_NIL) fmt_text(&out, &sp, "null", 4, false);
      else fmt_float(&out, &sp, arg);
      break;
    }
  }
  return kiln_sb_to_string(&out);
}

KILN_NATIVE(n_format) {
  KILN_ARITY("clojure.core/format", argc >= 1);
  return kiln_format(argv[0], argc - 1, argv + 1);
}

static const kiln_native_def core_natives[] = {
    {"subs", "([s start] [s start end])",
     "The part of the string s from index start up to, not including, index end\n  (the length of s by default). Indexes count UTF-16 units, as count does;\n  indexes out of order or beyond the string throw\n  StringIndexOutOfBoundsException.",
     n_subs, 0},
    {"string?", "([x])", "True for strings, false for everything else.", n_string_p, 0},
    {"char?", "([x])", "True for characters (\\a, \\newline, ...), false for everything else.", n_char_p, 0},
    {"format", "([fmt & args])",
     "Builds a string from the template fmt and args, following\n  java.util.Formatter's rules: the conversions s S b B h c C d o x X e E f g\n  G, plus %n and %%, with flags, width, precision and n$ argument indexes.\n  nil formats as \"null\" (as false under %b). An unknown conversion or a\n  missing argument throws.",
     n_format, 0},
};

static const kiln_native_def string_natives[] = {
    {"upper-case", "([s])", "s with every letter made upper case, using Unicode's full mappings (so \"ß\"\n  becomes \"SS\").", n_upper_case, 0},
    {"lower-case", "([s])", "s with every letter made lower case, using Unicode's mappings.", n_lower_case, 0},
    {"capitalize", "([s])",
     "s with its first character in upper case and all the others in lower case\n  (\"hELLO wORLD\" gives \"Hello world\"). Strings shorter than two characters\n  are just upper-cased.",
     n_capitalize, 0},
    {"trim", "([s])", "s without the whitespace at its start and end.", n_trim, 0},
    {"triml", "([s])", "s without the whitespace at its start.", n_triml, 0},
    {"trimr", "([s])", "s without the whitespace at its end.", n_trimr, 0},
    {"trim-newline", "([s])",
     "s without any \\n and \\r characters at its end (other trailing whitespace\n  stays).",
     n_trim_newline, 0},
    {"blank?", "([s])", "True for nil, the empty string and strings holding nothing but whitespace.", n_blank_p, 0},
    {"starts-with?", "([s substr])", "True when the string s begins with the string substr.", n_starts_with_p, 0},
    {"ends-with?", "([s substr])", "True when the string s finishes with the string substr.", n_ends_with_p, 0},
    {"includes?", "([s substr])", "True when the string substr occurs anywhere in the string s (the empty\n  string always does).", n_includes_p, 0},
    {"index-of", "([s value] [s value from-index])",
     "Where value (a string or a char) first occurs in s, as an index, looking\n  from from-index (default 0) on; nil when it does not occur.",
     n_index_of, 0},
    {"last-index-of", "([s value] [s value from-index])",
     "The index of the last occurrence of value (a string or a char) in s that\n  starts no later than from-index (default: the end of s); nil when there is\n  none.",
     n_last_index_of, 0},
    {"reverse", "([s])", "The characters of s in reverse order; a surrogate pair (a character\n  outside the Basic Multilingual Plane) stays in its original order.", n_reverse, 0},
    {"join", "([coll] [separator coll])",
     "Concatenates the items of coll as str turns them into text (nil adds\n  nothing), with separator, when given, between each two. An empty coll\n  gives \"\".",
     n_join, 0},
    {"escape", "([s cmap])",
     "A copy of s in which each character ch for which (cmap ch) is not nil is\n  replaced by (str (cmap ch)); the others are copied as they are. cmap is\n  usually a map from chars to strings.",
     n_escape, 0},
};

/* Defines clojure.core's char-escape-string and char-name-string maps. */
static void def_char_maps(void) {
  static const struct {
    uint32_t c;
    const char *esc;
  } esc[] = {{'\n', "\\n"}, {'\t', "\\t"}, {'\r', "\\r"}, {'"', "\\\""},
             {'\\', "\\\\"}, {'\f', "\\f"}, {'\b', "\\b"}};
  kiln_val kv[2 * KILN_ARRAY_LEN(esc)];
  for (size_t i = 0; i < KILN_ARRAY_LEN(esc); i++) {
    kv[2 * i] = KILN_CHAR(esc[i].c);
    kv[2 * i + 1] = kiln_str_cstr(esc[i].esc);
  }
  kiln_var_set_root(kiln_var_intern("clojure.core", "char-escape-string"),
                    kiln_map_from((uint32_t)KILN_ARRAY_LEN(kv), kv));
  static const uint32_t named[] = {'\n', '\t', ' ', '\b', '\f', '\r'};
  kiln_val kn[2 * KILN_ARRAY_LEN(named)];
  for (size_t i = 0; i < KILN_ARRAY_LEN(named); i++) {
    kn[2 * i] = KILN_CHAR(named[i]);
    kn[2 * i + 1] = kiln_str_cstr(kiln_char_name(named[i]));
  }
  kiln_var_set_root(kiln_var_intern("clojure.core", "char-name-string"),
                    kiln_map_from((uint32_t)KILN_ARRAY_LEN(kn), kn));
}

void kiln_string_init(void) {
  kiln_symbol_register_natives();
  kiln_natives_register("clojure.core", core_natives, KILN_ARRAY_LEN(core_natives));
  kiln_natives_register("clojure.string", string_natives, KILN_ARRAY_LEN(string_natives));
  def_char_maps();
}
