/*
 * hash.c — clojure.core/hash, bit for bit as the JVM computes it.
 *
 * The Murmur3 functions follow clojure.lang.Murmur3 (32-bit x86 variant, seed
 * 0, Java int arithmetic), and kiln_hash follows clojure.lang.Util.hasheq:
 * numbers through kiln_num_hash, strings as Murmur3.hashInt(String.hashCode),
 * symbols and keywords from their cached hashes, sequential collections with
 * hashOrdered, maps and sets with hashUnordered (a map entry hashes as the
 * 2-vector [k v]), and everything else by identity, as Object.hashCode does.
 * Because hash-map and hash-set order their entries by these hashes, equal
 * hashes are what makes Kiln print maps in the JVM's order.
 *
 * Types whose layout belongs to another subsystem (records, deftypes, uuids,
 * insts) get their hash through kiln_hash_set_method.
 */
#include <string.h>

#include "runtime/rt.h"

#define C1 0xcc9e2d51u
#define C2 0x1b873593u

static inline uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static inline uint32_t mix_k1(uint32_t k1) {
  k1 *= C1;
  k1 = rotl(k1, 15);
  return k1 * C2;
}

static inline uint32_t mix_h1(uint32_t h1, uint32_t k1) {
  h1 ^= k1;
  h1 = rotl(h1, 13);
  return h1 * 5 + 0xe6546b64u;
}

static inline uint32_t fmix(uint32_t h1, uint32_t length) {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6bu;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35u;
  h1 ^= h1 >> 16;
  return h1;
}

int32_t kiln_murmur3_hash_int(int32_t input) {
  if (input == 0) return 0;
  return (int32_t)fmix(mix_h1(0, mix_k1((uint32_t)input)), 4);
}

int32_t kiln_murmur3_hash_long(int64_t input) {
  if (input == 0) return 0;
  uint32_t low = (uint32_t)(uint64_t)input;
  uint32_t high = (uint32_t)((uint64_t)input >> 32);
  uint32_t h1 = mix_h1(0, mix_k1(low));
  h1 = mix_h1(h1, mix_k1(high));
  return (int32_t)fmix(h1, 8);
}

int32_t kiln_murmur3_mix_coll_hash(int32_t hash, int32_t count) {
  return (int32_t)fmix(mix_h1(0, mix_k1((uint32_t)hash)), (uint32_t)count);
}

/* Murmur3.hashUnencodedChars over the UTF-16 units of UTF-8 text. */
int32_t kiln_murmur3_hash_unencoded_chars(const char *s, size_t n) {
  uint32_t h1 = 0, len = 0, pending = 0;
  bool have = false;
  size_t i = 0;
  uint32_t units[2];
  while (i < n) {
    uint32_t cp = kiln_utf8_decode(s, n, &i);
    int nu = 1;
    if (cp >= 0x10000) {
      units[0] = 0xD800 + ((cp - 0x10000) >> 10);
      units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
      nu = 2;
    } else {
      units[0] = cp;
    }
    for (int k = 0; k < nu; k++) {
      len++;
      if (!have) {
        pending = units[k];
        have = true;
      } else {
        h1 = mix_h1(h1, mix_k1(pending | (units[k] << 16)));
        have = false;
      }
    }
  }
  if (have) h1 ^= mix_k1(pending);
  return (int32_t)fmix(h1, 2 * len);
}

/* ==== methods for other subsystems' types ============================== */

static kiln_hash_method hash_methods[KILN_T_COUNT];

void kiln_hash_set_method(kiln_type t, kiln_hash_method m) {
  if ((unsigned)t < KILN_T_COUNT) hash_methods[t] = m;
}

/* Object.hashCode for values hashed by identity. Objects never move. */
int32_t kiln_identity_hash(kiln_val x) {
  uint64_t p = (uint64_t)x >> 3;
  p ^= p >> 29;
  p *= 0xbf58476d1ce4e5b9ull;
  p ^= p >> 32;
  return (int32_t)(p & 0x7fffffff);
}

/* ==== hasheq =========================================================== */

int32_t kiln_hash_ordered(kiln_val coll) {
  uint32_t hash = 1;
  int32_t n = 0;
  for (kiln_val s = kiln_seq(coll); s != KILN_NIL; s = kiln_next(s)) {
    hash = 31u * hash + (uint32_t)kiln_hash(kiln_first(s));
    n++;
  }
  return kiln_murmur3_mix_coll_hash((int32_t)hash, n);
}

int32_t kiln_hash_unordered(kiln_val coll) {
  uint32_t hash = 0;
  int32_t n = 0;
  for (kiln_val s = kiln_seq(coll); s != KILN_NIL; s = kiln_next(s)) {
    hash += (uint32_t)kiln_hash(kiln_first(s));
    n++;
  }
  return kiln_murmur3_mix_coll_hash((int32_t)hash, n);
}

/* The hash of the map entry [k v], as a 2-vector. */
static int32_t entry_hash(kiln_val k, kiln_val v) {
  uint32_t h = 31u * (31u + (uint32_t)kiln_hash(k)) + (uint32_t)kiln_hash(v);
  return kiln_murmur3_mix_coll_hash((int32_t)h, 2);
}

static kiln_val entry_key(kiln_val e) {
  if (KILN_HAS_TYPE(e, KILN_T_MAP_ENTRY)) return ((const kiln_map_entry_obj *)e)->key;
  return kiln_nth(e, 0, KILN_NIL, false);
}
static kiln_val entry_val(kiln_val e) {
  if (KILN_HAS_TYPE(e, KILN_T_MAP_ENTRY)) return ((const kiln_map_entry_obj *)e)->val;
  return kiln_nth(e, 1, KILN_NIL, false);
}

/*
 * The cached hash slot of a persistent collection, or NULL for types without
 * one. Collections are immutable, so a racing second computation stores the
 * same value; the flag is set after the value.
 */
static int32_t *hash_slot(kiln_val x, kiln_type t) {
  switch (t) {
  case KILN_T_VECTOR: return &((kiln_vector *)x)->hash;
  case KILN_T_ARRAY_MAP: return &((kiln_array_map *)x)->hash;
  case KILN_T_HASH_MAP: return &((kiln_hash_map *)x)->hash;
  case KILN_T_HASH_SET: return &((kiln_hash_set *)x)->hash;
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET: return &((kiln_sorted *)x)->hash;
  default: return NULL;
  }
}

static int32_t map_hash(kiln_val m) {
  uint32_t hash = 0;
  int32_t n = 0;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    hash += (uint32_t)entry_hash(entry_key(e), entry_val(e));
    n++;
  }
  return kiln_murmur3_mix_coll_hash((int32_t)hash, n);
}

static int32_t string_hasheq(kiln_val x) {
  kiln_string *s = (kiln_string *)x;
  if (s->h.flags & KILN_STR_HASHED) return s->hash;
  int32_t h = kiln_murmur3_hash_int(kiln_string_hash_code(s->data, s->nbytes));
  s->hash = h;
  __atomic_or_fetch(&s->h.flags, KILN_STR_HASHED, __ATOMIC_RELEASE);
  return h;
}

static int32_t hasheq_uncached(kiln_val x, kiln_type t);

int32_t kiln_hash(kiln_val x) {
  if (KILN_IS_FIXNUM(x)) return kiln_murmur3_hash_long(KILN_FIXNUM_VALUE(x));
  if (x == KILN_NIL) return 0;
  if (KILN_IS_CHAR(x)) return (int32_t)KILN_CHAR_VALUE(x);
  if (x == KILN_TRUE) return 1231;
  if (x == KILN_FALSE) return 1237;
  if (!KILN_IS_PTR(x)) return kiln_identity_hash(x);
  kiln_type t = (kiln_type)KILN_OBJ_TYPE(x);
  if ((unsigned)t < KILN_T_COUNT && hash_methods[t]) return hash_methods[t](x);
  int32_t *slot = hash_slot(x, t);
  if (slot && (__atomic_load_n(&((kiln_obj *)x)->flags, __ATOMIC_ACQUIRE) & KILN_COLL_HASHED))
    return *slot;
  kiln_stack_check();
  int32_t h;
  switch (t) {
  case KILN_T_VECTOR:
    h = kiln_hash_ordered(x);
    break;
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
    h = map_hash(x);
    break;
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
    h = kiln_hash_unordered(x);
    break;
  default:
    return hasheq_uncached(x, t);
  }
  *slot = h;
  __atomic_or_fetch(&((kiln_obj *)x)->flags, KILN_COLL_HASHED, __ATOMIC_RELEASE);
  return h;
}

/* hasheq of the types that keep no hash slot (or keep their own). */
static int32_t hasheq_uncached(kiln_val x, kiln_type t) {
  switch (t) {
  case KILN_T_LONG:
  case KILN_T_DOUBLE:
  case KILN_T_BIGINT:
  case KILN_T_RATIO:
  case KILN_T_DECIMAL:
    return kiln_num_hash(x);
  case KILN_T_STRING:
    return string_hasheq(x);
  case KILN_T_SYMBOL:
    return ((const kiln_symbol *)x)->hash;
  case KILN_T_KEYWORD:
    return ((const kiln_keyword *)x)->hash;
  case KILN_T_LIST: {
    kiln_list *l = (kiln_list *)x;
    if (l->hash) return l->hash;
    int32_t h = kiln_hash_ordered(x);
    l->hash = h;
    return h;
  }
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_VECTOR:
  case KILN_T_SEQ:
    return kiln_hash_ordered(x);
  case KILN_T_MAP_ENTRY:
    return entry_hash(entry_key(x), entry_val(x));
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
    return map_hash(x);
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
    return kiln_hash_unordered(x);
  case KILN_T_UUID:
  case KILN_T_INST:
    return kiln_java_hash(x);
  default:
    return kiln_identity_hash(x);
  }
}

/* ==== Java's hashCode ================================================== */

int32_t kiln_java_hash(kiln_val x) {
  if (x == KILN_NIL) return 0;
  if (KILN_IS_FIXNUM(x) || KILN_HAS_TYPE(x, KILN_T_LONG)) {
    uint64_t v = (uint64_t)kiln_long_value(x);
    return (int32_t)(uint32_t)(v ^ (v >> 32));
  }
  if (KILN_IS_CHAR(x)) return (int32_t)KILN_CHAR_VALUE(x);
  if (x == KILN_TRUE) return 1231;
  if (x == KILN_FALSE) return 1237;
  if (!KILN_IS_PTR(x)) return kiln_identity_hash(x);
  switch ((kiln_type)KILN_OBJ_TYPE(x)) {
  case KILN_T_DOUBLE: {
    double d = kiln_double_value(x);
    uint64_t bits;
    if (d != d) bits = 0x7ff8000000000000ull;
    else memcpy(&bits, &d, sizeof bits);
    return (int32_t)(uint32_t)(bits ^ (bits >> 32));
  }
  case KILN_T_STRING:
    return kiln_string_hash_code(kiln_str_data(x), kiln_str_nbytes(x));
  case KILN_T_SYMBOL: {
    const kiln_symbol *s = (const kiln_symbol *)x;
    int32_t nh = s->ns == KILN_NIL ? 0 : kiln_string_hash_code(kiln_str_data(s->ns), kiln_str_nbytes(s->ns));
    return kiln_hash_combine(kiln_string_hash_code(kiln_str_data(s->name), kiln_str_nbytes(s->name)), nh);
  }
  case KILN_T_KEYWORD:
    return (int32_t)((uint32_t)kiln_java_hash(((const kiln_keyword *)x)->sym) + 0x9e3779b9u);
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_VECTOR:
  case KILN_T_SEQ:
  case KILN_T_MAP_ENTRY: {
    uint32_t h = 1;
    for (kiln_val s = kiln_seq(x); s != KILN_NIL; s = kiln_next(s))
      h = 31u * h + (uint32_t)kiln_java_hash(kiln_first(s));
    return (int32_t)h;
  }
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP: {
    uint32_t h = 0;
    for (kiln_val s = kiln_seq(x); s != KILN_NIL; s = kiln_next(s)) {
      kiln_val e = kiln_first(s);
      h += (uint32_t)kiln_java_hash(entry_key(e)) ^ (uint32_t)kiln_java_hash(entry_val(e));
    }
    return (int32_t)h;
  }
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET: {
    uint32_t h = 0;
    for (kiln_val s = kiln_seq(x); s != KILN_NIL; s = kiln_next(s))
      h += (uint32_t)kiln_java_hash(kiln_first(s));
    return (int32_t)h;
  }
  case KILN_T_BIGINT:
  case KILN_T_RATIO:
  case KILN_T_DECIMAL:
    return kiln_num_hash(x);
  case KILN_T_RECORD: /* defrecord's hashCode is its map's */
    return kiln_java_hash(((const kiln_record *)x)->map);
  case KILN_T_UUID: { /* UUID.hashCode */
    const kiln_uuid *u = (const kiln_uuid *)x;
    uint64_t hilo = u->msb ^ u->lsb;
    return (int32_t)((uint32_t)(hilo >> 32) ^ (uint32_t)hilo);
  }
  case KILN_T_INST: { /* Date.hashCode */
    uint64_t t = (uint64_t)((const kiln_inst *)x)->millis;
    return (int32_t)(uint32_t)(t ^ (t >> 32));
  }
  default:
    return kiln_identity_hash(x);
  }
}

/* ==== natives ========================================================== */

KILN_NATIVE(n_hash) {
  KILN_ARITY("clojure.core/hash", argc == 1);
  return KILN_FIXNUM(kiln_hash(argv[0]));
}

KILN_NATIVE(n_hash_ordered_coll) {
  KILN_ARITY("clojure.core/hash-ordered-coll", argc == 1);
  return KILN_FIXNUM(kiln_hash_ordered(argv[0]));
}

KILN_NATIVE(n_hash_unordered_coll) {
  KILN_ARITY("clojure.core/hash-unordered-coll", argc == 1);
  return KILN_FIXNUM(kiln_hash_unordered(argv[0]));
}

KILN_NATIVE(n_mix_collection_hash) {
  KILN_ARITY("clojure.core/mix-collection-hash", argc == 2);
  int64_t h = kiln_to_long(argv[0], "mix-collection-hash");
  int64_t c = kiln_to_long(argv[1], "mix-collection-hash");
  return KILN_FIXNUM(kiln_murmur3_mix_coll_hash((int32_t)h, (int32_t)c));
}

static const kiln_native_def hash_natives[] = {
    {"hash", "([x])",
     "The hash code of x that agrees with =: equal values hash alike (1 and 1N,\n  a vector and a list with the same items). For strings, numbers, keywords,\n  symbols and collections it is the same number JVM Clojure computes; other\n  objects hash by identity.",
     n_hash, 0},
    {"hash-ordered-coll", "([coll])",
     "The hash a sequential collection with the items of coll would have (the\n  algorithm vectors and lists use, given at\n  clojure.org/data_structures#hash), for types that define their own\n  hashing.",
     n_hash_ordered_coll, 0},
    {"hash-unordered-coll", "([coll])",
     "The hash a set with the items of coll would have, independent of their\n  order (the algorithm sets and maps use, given at\n  clojure.org/data_structures#hash). For a map, give the entries, each\n  hashing as the vector [k v].",
     n_hash_unordered_coll, 0},
    {"mix-collection-hash", "([hash-basis count])",
     "Finishes a collection hash: scrambles hash-basis (the combined hash of the\n  items) with count (how many items went into it), as the last step of\n  hash-ordered-coll and hash-unordered-coll.",
     n_mix_collection_hash, 0},
};

void kiln_hash_init(void) {
  kiln_natives_register("clojure.core", hash_natives, KILN_ARRAY_LEN(hash_natives));
  kiln_equal_register_natives();
}
