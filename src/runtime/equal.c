/*
 * equal.c — clojure.core/= (kiln_equiv) and clojure.core/compare
 * (kiln_compare), following clojure.lang.Util.equiv and Util.compare.
 *
 * Equality: numbers by category and value (kiln_num_equiv: (= 1 1.0) is
 * false), strings by content, symbols by namespace and name, sequential
 * collections element by element whatever their concrete type (a vector
 * equals a list or a lazy seq with the same elements), maps by entries, sets
 * by members; everything else by identity unless its owner installed an
 * equality method (kiln_equiv_set_method: records, uuids, insts).
 *
 * Comparison: nil sorts first; numbers, strings, keywords, symbols, booleans,
 * chars and vectors (by length, then element by element) compare; anything
 * else throws ClassCastException with the JVM's message.
 */
#include <string.h>

#include "runtime/rt.h"

static kiln_equiv_method equiv_methods[KILN_T_COUNT];
static kiln_compare_method compare_methods[KILN_T_COUNT];

void kiln_equiv_set_method(kiln_type t, kiln_equiv_method m) {
  if ((unsigned)t < KILN_T_COUNT) equiv_methods[t] = m;
}

void kiln_compare_set_method(kiln_type t, kiln_compare_method m) {
  if ((unsigned)t < KILN_T_COUNT) compare_methods[t] = m;
}

/* ==== ClassCastException messages ===================================== */

static const char *module_of(const char *cls) {
  return strncmp(cls, "java.", 5) == 0 ? "module java.base of loader 'bootstrap'"
                                       : "unnamed module of loader 'app'";
}

void kiln_throw_class_cast(kiln_val x, const char *to) {
  const char *from = kiln_class_name(x);
  const char *mf = module_of(from), *mt = module_of(to);
  if (mf == mt)
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class %s (%s and %s are in %s)",
                from, to, from, to, mf);
  kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class %s (%s is in %s; %s is in %s)",
              from, to, from, mf, to, mt);
}

/* ==== equality ========================================================= */

static bool is_sequential_type(kiln_type t) {
  switch (t) {
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
  case KILN_T_SEQ:
    return true;
  default:
    return false;
  }
}

static bool is_map_type(kiln_type t) {
  return t == KILN_T_ARRAY_MAP || t == KILN_T_HASH_MAP || t == KILN_T_SORTED_MAP;
}

static bool is_set_type(kiln_type t) { return t == KILN_T_HASH_SET || t == KILN_T_SORTED_SET; }

static bool is_counted_type(kiln_type t) {
  return t == KILN_T_VECTOR || t == KILN_T_MAP_ENTRY || t == KILN_T_LIST ||
         t == KILN_T_EMPTY_LIST;
}

static bool seq_equiv(kiln_val a, kiln_val b) {
  kiln_type ta = kiln_type_of(a), tb = kiln_type_of(b);
  if (is_counted_type(ta) && is_counted_type(tb) && kiln_count_int(a) != kiln_count_int(b))
    return false;
  kiln_val sa = kiln_seq(a), sb = kiln_seq(b);
  while (sa != KILN_NIL && sb != KILN_NIL) {
    if (!kiln_equiv(kiln_first(sa), kiln_first(sb))) return false;
    sa = kiln_next(sa);
    sb = kiln_next(sb);
  }
  return sa == KILN_NIL && sb == KILN_NIL;
}

/* A value no map holds, for lookups that must tell "absent" from nil. */
static const kiln_obj absent_obj = {KILN_T_NONE, 0};
#define ABSENT ((kiln_val)&absent_obj)

static bool map_equiv(kiln_val a, kiln_val b) {
  if (kiln_count_int(a) != kiln_count_int(b)) return false;
  for (kiln_val s = kiln_seq(a); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    kiln_val v = kiln_get(b, kiln_nth(e, 0, KILN_NIL, false), ABSENT);
    if (v == ABSENT || !kiln_equiv(kiln_nth(e, 1, KILN_NIL, false), v)) return false;
  }
  return true;
}

static bool set_equiv(kiln_val a, kiln_val b) {
  if (kiln_count_int(a) != kiln_count_int(b)) return false;
  for (kiln_val s = kiln_seq(a); s != KILN_NIL; s = kiln_next(s))
    if (!kiln_contains(b, kiln_first(s))) return false;
  return true;
}

bool kiln_equiv(kiln_val a, kiln_val b) {
  if (a == b) return true;
  if (a == KILN_NIL || b == KILN_NIL) return false;
  bool na = kiln_is_number(a), nb = kiln_is_number(b);
  if (na || nb) return na && nb && kiln_num_equiv(a, b);
  if (!KILN_IS_PTR(a) || !KILN_IS_PTR(b)) return false; /* chars, booleans: identical or not */
  kiln_type ta = (kiln_type)KILN_OBJ_TYPE(a), tb = (kiln_type)KILN_OBJ_TYPE(b);
  kiln_stack_check();
  if ((unsigned)ta < KILN_T_COUNT && equiv_methods[ta]) return equiv_methods[ta](a, b);
  if ((unsigned)tb < KILN_T_COUNT && equiv_methods[tb]) return equiv_methods[tb](b, a);
  switch (ta) {
  case KILN_T_STRING:
    return tb == KILN_T_STRING && kiln_str_equal(a, b);
  case KILN_T_SYMBOL:
    return tb == KILN_T_SYMBOL && kiln_sym_equal(a, b);
  case KILN_T_UUID:
    return tb == KILN_T_UUID && ((const kiln_uuid *)a)->msb == ((const kiln_uuid *)b)->msb &&
           ((const kiln_uuid *)a)->lsb == ((const kiln_uuid *)b)->lsb;
  case KILN_T_INST:
    return tb == KILN_T_INST && ((const kiln_inst *)a)->millis == ((const kiln_inst *)b)->millis;
  default:
    break;
  }
  if (is_sequential_type(ta)) return is_sequential_type(tb) && seq_equiv(a, b);
  if (is_map_type(ta)) return is_map_type(tb) && map_equiv(a, b);
  if (is_set_type(ta)) return is_set_type(tb) && set_equiv(a, b);
  return false;
}

/* ==== compare ========================================================== */

static int vector_compare(kiln_val a, kiln_val b) {
  kiln_type tb = kiln_type_of(b);
  if (tb != KILN_T_VECTOR && tb != KILN_T_MAP_ENTRY)
    kiln_throw_class_cast(b, "clojure.lang.IPersistentVector");
  int64_t na = kiln_count_int(a), nb = kiln_count_int(b);
  if (na < nb) return -1;
  if (na > nb) return 1;
  for (int64_t i = 0; i < na; i++) {
    int c = kiln_compare(kiln_nth(a, i, KILN_NIL, false), kiln_nth(b, i, KILN_NIL, false));
    if (c) return c;
  }
  return 0;
}

int kiln_compare(kiln_val a, kiln_val b) {
  if (a == b) return 0;
  if (a == KILN_NIL) return -1;
  if (b == KILN_NIL) return 1;
  if (kiln_is_number(a)) {
    if (!kiln_is_number(b)) kiln_throw_class_cast(b, "java.lang.Number");
    return kiln_num_compare(a, b);
  }
  if (KILN_IS_CHAR(a)) {
    if (!KILN_IS_CHAR(b)) kiln_throw_class_cast(b, "java.lang.Character");
    return (int)KILN_CHAR_VALUE(a) - (int)KILN_CHAR_VALUE(b);
  }
  if (a == KILN_TRUE || a == KILN_FALSE) {
    if (b != KILN_TRUE && b != KILN_FALSE) kiln_throw_class_cast(b, "java.lang.Boolean");
    return a == KILN_TRUE ? 1 : -1; /* a != b here */
  }
  if (!KILN_IS_PTR(a)) kiln_throw_class_cast(a, "java.lang.Comparable");
  kiln_type ta = (kiln_type)KILN_OBJ_TYPE(a);
  if ((unsigned)ta < KILN_T_COUNT && compare_methods[ta]) return compare_methods[ta](a, b);
  switch (ta) {
  case KILN_T_STRING:
    if (!KILN_HAS_TYPE(b, KILN_T_STRING)) kiln_throw_class_cast(b, "java.lang.String");
    return kiln_str_compare(a, b);
  case KILN_T_KEYWORD:
    if (!KILN_HAS_TYPE(b, KILN_T_KEYWORD)) kiln_throw_class_cast(b, "clojure.lang.Keyword");
    return kiln_sym_compare(((const kiln_keyword *)a)->sym, ((const kiln_keyword *)b)->sym);
  case KILN_T_SYMBOL:
    if (!KILN_HAS_TYPE(b, KILN_T_SYMBOL)) kiln_throw_class_cast(b, "clojure.lang.Symbol");
    return kiln_sym_compare(a, b);
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
    return vector_compare(a, b);
  case KILN_T_UUID: { /* UUID.compareTo: signed halves */
    if (!KILN_HAS_TYPE(b, KILN_T_UUID)) kiln_throw_class_cast(b, "java.util.UUID");
    int64_t am = (int64_t)((const kiln_uuid *)a)->msb, bm = (int64_t)((const kiln_uuid *)b)->msb;
    int64_t al = (int64_t)((const kiln_uuid *)a)->lsb, bl = (int64_t)((const kiln_uuid *)b)->lsb;
    return am < bm ? -1 : am > bm ? 1 : al < bl ? -1 : al > bl ? 1 : 0;
  }
  case KILN_T_INST: {
    if (!KILN_HAS_TYPE(b, KILN_T_INST)) kiln_throw_class_cast(b, "java.util.Date");
    int64_t x = ((const kiln_inst *)a)->millis, y = ((const kiln_inst *)b)->millis;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  default:
    kiln_throw_class_cast(a, "java.lang.Comparable");
  }
}

/* ==== natives ========================================================== */

KILN_NATIVE(n_equiv) {
  KILN_ARITY("clojure.core/=", argc >= 1);
  for (uint32_t i = 0; i + 1 < argc; i++)
    if (!kiln_equiv(argv[i], argv[i + 1])) return KILN_FALSE;
  return KILN_TRUE;
}

KILN_NATIVE(n_not_equiv) {
  KILN_ARITY("clojure.core/not=", argc >= 1);
  for (uint32_t i = 0; i + 1 < argc; i++)
    if (!kiln_equiv(argv[i], argv[i + 1])) return KILN_TRUE;
  return KILN_FALSE;
}

KILN_NATIVE(n_compare) {
  KILN_ARITY("clojure.core/compare", argc == 2);
  return KILN_FIXNUM(kiln_compare(argv[0], argv[1]));
}

KILN_NATIVE(n_identical_p) {
  KILN_ARITY("clojure.core/identical?", argc == 2);
  return KILN_BOOL(argv[0] == argv[1]);
}

static const kiln_native_def equal_natives[] = {
    {"=", "([x] [x y] [x y & more])",
     "Value equality: true when all the arguments are equal, false otherwise; (=\n  x) is true. nil equals only nil. Numbers are equal only within one\n  category, so (= 1 1N) is true but (= 1 1.0) is false (use == for that);\n  ##NaN equals nothing. Collections compare by contents: lists, vectors and\n  other sequential collections equal each other item by item, maps equal\n  maps with the same entries, sets sets with the same members, whatever\n  their concrete kind.",
     n_equiv, 0},
    {"not=", "([x] [x y] [x y & more])", "The opposite of =: false when all the arguments are equal, true otherwise.", n_not_equiv, 0},
    {"compare", "([x y])",
     "Orders x and y: a negative number when x comes first, 0 when they are\n  equal, a positive number when y comes first. nil comes before everything;\n  numbers compare by value across kinds; strings, symbols and keywords\n  compare by text (a name without namespace first); vectors compare by\n  length, then item by item. Values that cannot be ordered against each\n  other throw ClassCastException.",
     n_compare, 0},
    {"identical?", "([x y])", "True when x and y are the very same value in memory, not merely equal\n  (equal keywords, chars, booleans and longs of ordinary size always are;\n  equal doubles and strings may not be).", n_identical_p, 0},
};

void kiln_equal_register_natives(void) {
  kiln_natives_register("clojure.core", equal_natives, KILN_ARRAY_LEN(equal_natives));
}
