/*
 * seq.c — the seq protocol: seq, first, next, rest over every seqable value,
 * lazy seqs, the generic seq objects (KILN_T_SEQ) and ranges.
 *
 * A seq object walks one collection with a kind-specific cursor (see
 * KILN_SEQ_KINDS in rt.h) and is immutable: next makes a new one. Vector
 * seqs keep a pointer to the current leaf so a walk costs O(1) per step;
 * string seqs decode UTF-8 and yield UTF-16 chars, a supplementary code
 * point giving two surrogate chars as on the JVM; map and sorted seqs keep a
 * persistent stack of frames owned by map.c and sorted.c.
 *
 * Lazy seqs are realized with a CAS: the thunk runs outside any lock (so a
 * throwing thunk never longjmps across a lock, and nested lazy seqs never
 * deadlock); if two threads race, both may run the thunk, and the first
 * result published wins for everyone.
 */
#include <string.h>

#include "runtime/rt.h"

kiln_seq_obj *kiln_seq_obj_new(kiln_seq_kind kind, kiln_val coll) {
  kiln_seq_obj *s = kiln_obj_new(KILN_T_SEQ, sizeof *s);
  s->h.flags = (uint32_t)kind;
  s->coll = coll;
  s->meta = KILN_NIL;
  return s;
}

static KILN_NORETURN void not_seqable(kiln_val x) {
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "Don't know how to create ISeq from: %s", kiln_class_name(x));
}

/* ---- lazy seqs -------------------------------------------------------- */

kiln_val kiln_lazy_seq_new(kiln_val fn) {
  kiln_lazy_seq *ls = kiln_obj_new(KILN_T_LAZY_SEQ, sizeof *ls);
  ls->fn = fn;
  ls->sv = KILN_NIL;
  ls->s = KILN_LAZY_UNREALIZED;
  ls->meta = KILN_NIL;
  return (kiln_val)ls;
}

bool kiln_lazy_seq_realized(kiln_val x) {
  return __atomic_load_n(&((kiln_lazy_seq *)x)->s, __ATOMIC_ACQUIRE) != KILN_LAZY_UNREALIZED;
}

static kiln_val lazy_realize(kiln_lazy_seq *ls) {
  kiln_val s = __atomic_load_n(&ls->s, __ATOMIC_ACQUIRE);
  if (s != KILN_LAZY_UNREALIZED) return s;
  kiln_val fn = __atomic_load_n(&ls->fn, __ATOMIC_ACQUIRE);
  if (fn == KILN_NIL) return __atomic_load_n(&ls->s, __ATOMIC_ACQUIRE);
  kiln_val v = kiln_call0(fn);
  /* A body may return another unrealized lazy seq, and that one another (a
   * filter skipping empty chunks): realize the chain in a loop, not by
   * recursion, and give every link the final value. */
  kiln_lazy_seq *few[8], **chain = few;
  uint32_t nchain = 0, cap = 8;
  while (KILN_HAS_TYPE(v, KILN_T_LAZY_SEQ)) {
    kiln_lazy_seq *in = (kiln_lazy_seq *)v;
    kiln_val done = __atomic_load_n(&in->s, __ATOMIC_ACQUIRE);
    kiln_val inner_fn = __atomic_load_n(&in->fn, __ATOMIC_ACQUIRE);
    if (done != KILN_LAZY_UNREALIZED || inner_fn == KILN_NIL) {
      v = lazy_realize(in);
      break;
    }
    if (nchain == cap) {
      kiln_lazy_seq **bigger = kiln_alloc(2 * cap * sizeof *bigger);
      memcpy(bigger, chain, nchain * sizeof *chain);
      chain = bigger;
      cap *= 2;
    }
    chain[nchain++] = in;
    v = kiln_call0(inner_fn);
  }
  v = kiln_seq(v);
  for (uint32_t k = nchain; k-- > 0;) {
    kiln_val unrealized = KILN_LAZY_UNREALIZED;
    if (__atomic_compare_exchange_n(&chain[k]->s, &unrealized, v, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      __atomic_store_n(&chain[k]->fn, KILN_NIL, __ATOMIC_RELEASE);
  }
  kiln_val expected = KILN_LAZY_UNREALIZED;
  if (__atomic_compare_exchange_n(&ls->s, &expected, v, false, __ATOMIC_ACQ_REL,
                                  __ATOMIC_ACQUIRE)) {
    __atomic_store_n(&ls->fn, KILN_NIL, __ATOMIC_RELEASE);
    return v;
  }
  return expected;
}

/* ---- seq -------------------------------------------------------------- */

static kiln_val string_seq(kiln_val str) {
  if (kiln_str_nbytes(str) == 0) return KILN_NIL;
  kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_STR, str);
  s->i = 0;
  s->end = (intptr_t)kiln_str_nbytes(str);
  s->extra = 0;
  return (kiln_val)s;
}

static kiln_val entry_seq(kiln_val e) {
  kiln_val *kv = kiln_alloc(2 * sizeof(kiln_val));
  kv[0] = ((kiln_map_entry_obj *)e)->key;
  kv[1] = ((kiln_map_entry_obj *)e)->val;
  kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_ARRAY, e);
  s->node = kv;
  s->i = 0;
  s->end = 2;
  return (kiln_val)s;
}

kiln_val kiln_seq(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_RECORD: return kiln_seq(kiln_record_map(coll));
  case KILN_T_NONE:
    if (coll == KILN_NIL) return KILN_NIL;
    not_seqable(coll);
  case KILN_T_LIST:
  case KILN_T_CONS:
  case KILN_T_SEQ:
    return coll;
  case KILN_T_EMPTY_LIST:
    return KILN_NIL;
  case KILN_T_LAZY_SEQ:
    return lazy_realize((kiln_lazy_seq *)coll);
  case KILN_T_VECTOR:
    return kiln_vec_seq(coll);
  case KILN_T_MAP_ENTRY:
    return entry_seq(coll);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
    return kiln_map_seq(coll);
  case KILN_T_HASH_SET:
    return kiln_set_seq(coll);
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
    return kiln_sorted_seq(coll, true);
  case KILN_T_STRING:
    return string_seq(coll);
  default:
    not_seqable(coll);
  }
}

bool kiln_is_seq(kiln_val v) {
  switch (kiln_type_of(v)) {
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
    return true;
  default:
    return false;
  }
}

bool kiln_is_seqable(kiln_val v) {
  if (v == KILN_NIL) return true;
  switch (kiln_type_of(v)) {
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
  case KILN_T_STRING:
    return true;
  default:
    return false;
  }
}

/* ---- seq objects: first and next -------------------------------------- */

static uint32_t str_cp_at(const kiln_seq_obj *s, size_t *after) {
  const char *d = kiln_str_data(s->coll);
  size_t i = (size_t)s->i;
  uint32_t cp = kiln_utf8_decode(d, (size_t)s->end, &i);
  if (after) *after = i;
  return cp;
}

static kiln_val obj_first(const kiln_seq_obj *s) {
  switch ((kiln_seq_kind)s->h.flags) {
  case KILN_SEQ_VEC:
    return ((const kiln_val *)s->node)[s->i & 31];
  case KILN_SEQ_RVEC:
    return kiln_vec_nth(s->coll, s->i, KILN_NIL, true);
  case KILN_SEQ_STR: {
    uint32_t cp = str_cp_at(s, NULL);
    if (cp > 0xFFFF) {
      cp -= 0x10000;
      return KILN_CHAR(s->extra ? 0xDC00 + (cp & 0x3FF) : 0xD800 + (cp >> 10));
    }
    return KILN_CHAR(cp);
  }
  case KILN_SEQ_ARRAY:
    return ((const kiln_val *)s->node)[s->i];
  case KILN_SEQ_AMAP: {
    const kiln_val *kv = (const kiln_val *)s->node + 2 * s->i;
    return kiln_map_entry(kv[0], kv[1]);
  }
  case KILN_SEQ_AMAP_KEYS:
    return ((const kiln_val *)s->node)[2 * s->i];
  case KILN_SEQ_AMAP_VALS:
    return ((const kiln_val *)s->node)[2 * s->i + 1];
  case KILN_SEQ_HAMT:
  case KILN_SEQ_HAMT_KEYS:
  case KILN_SEQ_HAMT_VALS:
    return kiln_map_seq_first(s);
  case KILN_SEQ_SORTED:
    return kiln_sorted_seq_first(s);
  case KILN_SEQ_RANGE:
    return kiln_long(s->i);
  case KILN_SEQ_NRANGE:
    return s->coll;
  case KILN_SEQ_CHUNKED:
    return kiln_vec_nth(s->coll, s->i, KILN_NIL, true);
  case KILN_SEQ_KEYS:
    return ((kiln_map_entry_obj *)kiln_seq_first(s->coll))->key;
  case KILN_SEQ_VALS:
    return ((kiln_map_entry_obj *)kiln_seq_first(s->coll))->val;
  case KILN_SEQ_KIND_COUNT:
    break;
  }
  return KILN_NIL;
}

static kiln_seq_obj *obj_step(const kiln_seq_obj *s) {
  kiln_seq_obj *n = kiln_obj_new(KILN_T_SEQ, sizeof *n);
  *n = *s;
  n->meta = KILN_NIL;
  return n;
}

/* Marks (range) with no end: it stops only at Long/MAX_VALUE and, as on the
 * JVM, is not counted?. */
static char range_unbounded[1];

static kiln_val range_next(const kiln_seq_obj *s) {
  int64_t step = KILN_FIXNUM_VALUE(s->extra), nx;
  if (step == 0) return (kiln_val)s;
  if (__builtin_add_overflow((int64_t)s->i, step, &nx)) return KILN_NIL;
  if (step > 0 ? nx >= s->end : nx <= s->end) return KILN_NIL;
  kiln_seq_obj *n = obj_step(s);
  n->i = (intptr_t)nx;
  return (kiln_val)n;
}

static kiln_val nrange_next(const kiln_seq_obj *s) {
  kiln_val step = (kiln_val)s->node;
  kiln_val nx = kiln_num_add(s->coll, step);
  bool more = kiln_num_lt(KILN_FIXNUM(0), step) ? kiln_num_lt(nx, s->extra)
                                                : kiln_num_lt(s->extra, nx);
  if (!more) return KILN_NIL;
  kiln_seq_obj *n = obj_step(s);
  n->coll = nx;
  return (kiln_val)n;
}

static kiln_val obj_next(const kiln_seq_obj *s) {
  kiln_seq_obj *n;
  switch ((kiln_seq_kind)s->h.flags) {
  case KILN_SEQ_VEC:
    if (s->i + 1 >= s->end) return KILN_NIL;
    n = obj_step(s);
    n->i++;
    if ((n->i & 31) == 0) n->node = (void *)kiln_vec_leaf(s->coll, (uint32_t)n->i);
    return (kiln_val)n;
  case KILN_SEQ_RVEC:
    if (s->i == 0) return KILN_NIL;
    n = obj_step(s);
    n->i--;
    return (kiln_val)n;
  case KILN_SEQ_STR: {
    size_t after;
    uint32_t cp = str_cp_at(s, &after);
    n = obj_step(s);
    if (cp > 0xFFFF && !s->extra) {
      n->extra = 1;
      return (kiln_val)n;
    }
    if ((intptr_t)after >= s->end) return KILN_NIL;
    n->i = (intptr_t)after;
    n->extra = 0;
    return (kiln_val)n;
  }
  case KILN_SEQ_ARRAY:
  case KILN_SEQ_AMAP:
  case KILN_SEQ_AMAP_KEYS:
  case KILN_SEQ_AMAP_VALS:
    if (s->i + 1 >= s->end) return KILN_NIL;
    n = obj_step(s);
    n->i++;
    return (kiln_val)n;
  case KILN_SEQ_HAMT:
  case KILN_SEQ_HAMT_KEYS:
  case KILN_SEQ_HAMT_VALS:
    return kiln_map_seq_next(s);
  case KILN_SEQ_SORTED:
    return kiln_sorted_seq_next(s);
  case KILN_SEQ_RANGE:
    return range_next(s);
  case KILN_SEQ_NRANGE:
    return nrange_next(s);
  case KILN_SEQ_CHUNKED:
    if (s->i + 1 >= s->end) return kiln_seq(s->extra);
    n = obj_step(s);
    n->i++;
    return (kiln_val)n;
  case KILN_SEQ_KEYS:
  case KILN_SEQ_VALS: {
    kiln_val inner = kiln_seq_next(s->coll);
    if (inner == KILN_NIL) return KILN_NIL;
    n = obj_step(s);
    n->coll = inner;
    return (kiln_val)n;
  }
  case KILN_SEQ_KIND_COUNT:
    break;
  }
  return KILN_NIL;
}

int64_t kiln_seq_obj_count(kiln_val v) {
  const kiln_seq_obj *s = (const kiln_seq_obj *)v;
  switch ((kiln_seq_kind)s->h.flags) {
  case KILN_SEQ_VEC:
  case KILN_SEQ_ARRAY:
  case KILN_SEQ_AMAP:
  case KILN_SEQ_AMAP_KEYS:
  case KILN_SEQ_AMAP_VALS:
    return s->end - s->i;
  case KILN_SEQ_RVEC:
    return s->i + 1;
  case KILN_SEQ_RANGE: {
    int64_t step = KILN_FIXNUM_VALUE(s->extra);
    if (step == 0 || s->node == range_unbounded) return -1;
    __int128 span = step > 0 ? (__int128)s->end - s->i : (__int128)s->i - s->end;
    __int128 st = step > 0 ? step : -(__int128)step;
    return (int64_t)((span + st - 1) / st);
  }
  default:
    return -1;
  }
}

/* ---- first, next, rest ------------------------------------------------ */

kiln_val kiln_seq_first(kiln_val s) {
  switch (KILN_OBJ_TYPE(s)) {
  case KILN_T_LIST:
    return ((kiln_list *)s)->first;
  case KILN_T_CONS:
    return ((kiln_cons_obj *)s)->first;
  case KILN_T_SEQ:
    return obj_first((kiln_seq_obj *)s);
  default:
    return kiln_first(s);
  }
}

kiln_val kiln_seq_next(kiln_val s) {
  switch (KILN_OBJ_TYPE(s)) {
  case KILN_T_LIST: {
    kiln_list *l = (kiln_list *)s;
    return l->count > 1 ? l->rest : KILN_NIL;
  }
  case KILN_T_CONS:
    return kiln_seq(((kiln_cons_obj *)s)->more);
  case KILN_T_SEQ:
    return obj_next((kiln_seq_obj *)s);
  default:
    return kiln_next(s);
  }
}

kiln_val kiln_first(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_LIST:
    return ((kiln_list *)coll)->first;
  case KILN_T_CONS:
    return ((kiln_cons_obj *)coll)->first;
  case KILN_T_SEQ:
    return obj_first((kiln_seq_obj *)coll);
  case KILN_T_VECTOR:
    return kiln_vec_nth(coll, 0, KILN_NIL, false);
  case KILN_T_MAP_ENTRY:
    return ((kiln_map_entry_obj *)coll)->key;
  default: {
    kiln_val s = kiln_seq(coll);
    return s == KILN_NIL ? KILN_NIL : kiln_seq_first(s);
  }
  }
}

kiln_val kiln_next(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_LIST:
  case KILN_T_CONS:
  case KILN_T_SEQ:
    return kiln_seq_next(coll);
  default: {
    kiln_val s = kiln_seq(coll);
    return s == KILN_NIL ? KILN_NIL : kiln_seq_next(s);
  }
  }
}

kiln_val kiln_rest(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_LIST: {
    kiln_list *l = (kiln_list *)coll;
    return l->rest;
  }
  case KILN_T_CONS: {
    kiln_val m = ((kiln_cons_obj *)coll)->more;
    return m == KILN_NIL ? kiln_empty_list : m;
  }
  default: {
    kiln_val s = kiln_seq(coll);
    if (s == KILN_NIL) return kiln_empty_list;
    kiln_val n = kiln_seq_next(s);
    return n == KILN_NIL ? kiln_empty_list : n;
  }
  }
}

kiln_val kiln_seq_to_vector(kiln_val coll) {
  if (KILN_HAS_TYPE(coll, KILN_T_VECTOR) && !(((kiln_obj *)coll)->flags & KILN_VEC_SUB))
    return kiln_with_meta(coll, KILN_NIL);
  kiln_val t = kiln_vec_transient(kiln_empty_vector);
  for (kiln_val s = kiln_seq(coll); s != KILN_NIL; s = kiln_seq_next(s))
    kiln_tvec_conj(t, kiln_seq_first(s));
  return kiln_tvec_persistent(t);
}

/* ---- ranges ----------------------------------------------------------- */

kiln_val kiln_range(kiln_val start, kiln_val end, kiln_val step) {
  if (kiln_is_long(start) && kiln_is_long(end) && kiln_is_long(step)) {
    int64_t a = kiln_long_value(start), b = kiln_long_value(end), st = kiln_long_value(step);
    if ((st > 0 && b <= a) || (st < 0 && b >= a) || (st == 0 && a == b)) return kiln_empty_list;
    kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_RANGE, KILN_NIL);
    s->i = (intptr_t)a;
    s->end = (intptr_t)b;
    s->extra = KILN_FIXNUM(st);
    if (!KILN_FITS_FIXNUM(st)) s->extra = KILN_FIXNUM(st > 0 ? KILN_FIXNUM_MAX : KILN_FIXNUM_MIN);
    return (kiln_val)s;
  }
  bool up = kiln_num_lt(KILN_FIXNUM(0), step), down = kiln_num_lt(step, KILN_FIXNUM(0));
  if ((up && !kiln_num_lt(start, end)) || (down && !kiln_num_lt(end, start)) ||
      (!up && !down && kiln_num_equiv(start, end)))
    return kiln_empty_list;
  kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_NRANGE, start);
  s->extra = end;
  s->node = (void *)step;
  return (kiln_val)s;
}

/* ---- chunked seqs ----------------------------------------------------- */

#define CHUNK 32

bool kiln_is_chunked_seq(kiln_val s) {
  if (!KILN_HAS_TYPE(s, KILN_T_SEQ)) return false;
  const kiln_seq_obj *o = (const kiln_seq_obj *)s;
  switch ((kiln_seq_kind)o->h.flags) {
  case KILN_SEQ_VEC:
  case KILN_SEQ_CHUNKED:
    return true;
  case KILN_SEQ_RANGE: /* (range) with no end is not chunked on the JVM either */
    return KILN_FIXNUM_VALUE(o->extra) != 0 && o->node != range_unbounded;
  default:
    return false;
  }
}

static KILN_NORETURN void not_chunked(kiln_val s) {
  kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.IChunkedSeq",
              kiln_class_name(s));
}

/* How many items of range [r] the chunk at its front holds. */
static int64_t range_chunk_count(const kiln_seq_obj *r) {
  int64_t n = kiln_seq_obj_count((kiln_val)r);
  return n < 0 || n > CHUNK ? CHUNK : n;
}

kiln_val kiln_chunk_first(kiln_val s) {
  if (!kiln_is_chunked_seq(s)) not_chunked(s);
  const kiln_seq_obj *o = (const kiln_seq_obj *)s;
  switch ((kiln_seq_kind)o->h.flags) {
  case KILN_SEQ_VEC: {
    intptr_t stop = (o->i | (CHUNK - 1)) + 1;
    if (stop > o->end) stop = o->end;
    return kiln_vec_from((uint32_t)(stop - o->i), (const kiln_val *)o->node + (o->i & (CHUNK - 1)));
  }
  case KILN_SEQ_CHUNKED:
    return o->i == 0 ? o->coll : kiln_vec_subvec(o->coll, o->i, o->end);
  default: { /* KILN_SEQ_RANGE */
    int64_t n = range_chunk_count(o), step = KILN_FIXNUM_VALUE(o->extra);
    kiln_val items[CHUNK];
    for (int64_t k = 0; k < n; k++) items[k] = kiln_long((int64_t)o->i + k * step);
    return kiln_vec_from((uint32_t)n, items);
  }
  }
}

kiln_val kiln_chunk_rest(kiln_val s) {
  if (!kiln_is_chunked_seq(s)) not_chunked(s);
  const kiln_seq_obj *o = (const kiln_seq_obj *)s;
  switch ((kiln_seq_kind)o->h.flags) {
  case KILN_SEQ_VEC: {
    intptr_t stop = (o->i | (CHUNK - 1)) + 1;
    if (stop >= o->end) return kiln_empty_list;
    kiln_seq_obj *n = obj_step(o);
    n->i = stop;
    n->node = (void *)kiln_vec_leaf(o->coll, (uint32_t)stop);
    return (kiln_val)n;
  }
  case KILN_SEQ_CHUNKED:
    return o->extra == KILN_NIL ? kiln_empty_list : o->extra;
  default: { /* KILN_SEQ_RANGE */
    int64_t n = range_chunk_count(o), step = KILN_FIXNUM_VALUE(o->extra), next;
    if (kiln_seq_obj_count(s) <= n) return kiln_empty_list;
    if (__builtin_mul_overflow(n, step, &next) || __builtin_add_overflow((int64_t)o->i, next, &next))
      return kiln_empty_list;
    kiln_seq_obj *r = obj_step(o);
    r->i = (intptr_t)next;
    return (kiln_val)r;
  }
  }
}

/* (chunk-cons chunk rest): the chunk's items, then rest's. */
static kiln_val chunk_cons(kiln_val chunk, kiln_val rest) {
  uint32_t n = kiln_vec_count(chunk);
  if (n == 0) return rest;
  kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_CHUNKED, chunk);
  s->i = 0;
  s->end = n;
  s->extra = rest;
  return (kiln_val)s;
}

/* ---- natives ---------------------------------------------------------- */

KILN_NATIVE(n_chunked_seq_p) {
  KILN_ARITY("clojure.core/chunked-seq?", argc == 1);
  return KILN_BOOL(kiln_is_chunked_seq(argv[0]));
}

KILN_NATIVE(n_chunk_first) {
  KILN_ARITY("clojure.core/chunk-first", argc == 1);
  return kiln_chunk_first(argv[0]);
}

KILN_NATIVE(n_chunk_rest) {
  KILN_ARITY("clojure.core/chunk-rest", argc == 1);
  return kiln_chunk_rest(argv[0]);
}

KILN_NATIVE(n_chunk_next) {
  KILN_ARITY("clojure.core/chunk-next", argc == 1);
  return kiln_seq(kiln_chunk_rest(argv[0]));
}

KILN_NATIVE(n_chunk_buffer) {
  KILN_ARITY("clojure.core/chunk-buffer", argc == 1);
  return kiln_transient(kiln_empty_vector);
}

KILN_NATIVE(n_chunk_append) {
  KILN_ARITY("clojure.core/chunk-append", argc == 2);
  return kiln_tvec_conj(argv[0], argv[1]);
}

KILN_NATIVE(n_chunk) {
  KILN_ARITY("clojure.core/chunk", argc == 1);
  return kiln_persistent(argv[0]);
}

/* The items of chunk [c] (a vector of at most 32), in [items]; their count. */
static uint32_t chunk_items(kiln_val c, kiln_val items[CHUNK], const char *fn) {
  if (!KILN_HAS_TYPE(c, KILN_T_VECTOR) || kiln_vec_count(c) > CHUNK)
    kiln_throwf(KILN_EX_CLASS_CAST, "%s: class %s is not a chunk", fn, kiln_class_name(c));
  uint32_t n = kiln_vec_count(c);
  for (uint32_t i = 0; i < n; i++) items[i] = kiln_vec_nth(c, i, KILN_NIL, true);
  return n;
}

KILN_NATIVE(n_chunk_map) {
  KILN_ARITY("clojure.core/-chunk-map", argc == 2);
  kiln_val f = argv[0], items[CHUNK];
  uint32_t n = chunk_items(argv[1], items, "-chunk-map");
  for (uint32_t i = 0; i < n; i++) items[i] = kiln_call1(f, items[i]);
  return kiln_vec_from(n, items);
}

KILN_NATIVE(n_chunk_filter) {
  KILN_ARITY("clojure.core/-chunk-filter", argc == 2);
  kiln_val pred = argv[0], items[CHUNK];
  uint32_t n = chunk_items(argv[1], items, "-chunk-filter"), kept = 0;
  for (uint32_t i = 0; i < n; i++) {
    kiln_val keep = kiln_call1(pred, items[i]);
    if (KILN_TRUTHY(keep)) items[kept++] = items[i];
  }
  return kept == n ? argv[1] : kiln_vec_from(kept, items);
}

KILN_NATIVE(n_chunk_cons) {
  KILN_ARITY("clojure.core/chunk-cons", argc == 2);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_VECTOR))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.IChunk",
                kiln_class_name(argv[0]));
  return chunk_cons(argv[0], argv[1]);
}

KILN_NATIVE(n_first) {
  KILN_ARITY("clojure.core/first", argc == 1);
  return kiln_first(argv[0]);
}

KILN_NATIVE(n_second) {
  KILN_ARITY("clojure.core/second", argc == 1);
  return kiln_first(kiln_next(argv[0]));
}

KILN_NATIVE(n_ffirst) {
  KILN_ARITY("clojure.core/ffirst", argc == 1);
  return kiln_first(kiln_first(argv[0]));
}

KILN_NATIVE(n_nfirst) {
  KILN_ARITY("clojure.core/nfirst", argc == 1);
  return kiln_next(kiln_first(argv[0]));
}

KILN_NATIVE(n_fnext) {
  KILN_ARITY("clojure.core/fnext", argc == 1);
  return kiln_first(kiln_next(argv[0]));
}

KILN_NATIVE(n_nnext) {
  KILN_ARITY("clojure.core/nnext", argc == 1);
  return kiln_next(kiln_next(argv[0]));
}

KILN_NATIVE(n_next) {
  KILN_ARITY("clojure.core/next", argc == 1);
  return kiln_next(argv[0]);
}

KILN_NATIVE(n_rest) {
  KILN_ARITY("clojure.core/rest", argc == 1);
  return kiln_rest(argv[0]);
}

KILN_NATIVE(n_seq) {
  KILN_ARITY("clojure.core/seq", argc == 1);
  return kiln_seq(argv[0]);
}

KILN_NATIVE(n_seq_p) {
  KILN_ARITY("clojure.core/seq?", argc == 1);
  return KILN_BOOL(kiln_is_seq(argv[0]));
}

KILN_NATIVE(n_seqable_p) {
  KILN_ARITY("clojure.core/seqable?", argc == 1);
  return KILN_BOOL(kiln_is_seqable(argv[0]));
}

KILN_NATIVE(n_cons) {
  KILN_ARITY("clojure.core/cons", argc == 2);
  return kiln_cons(argv[0], argv[1]);
}

KILN_NATIVE(n_list) { return kiln_list_from(argc, argv); }

KILN_NATIVE(n_list_star) {
  KILN_ARITY("clojure.core/list*", argc >= 1);
  kiln_val tail = kiln_seq(argv[argc - 1]);
  for (uint32_t i = argc - 1; i > 0; i--) tail = kiln_cons(argv[i - 1], tail);
  return tail;
}

KILN_NATIVE(n_lazy_seq_star) {
  KILN_ARITY("clojure.core/lazy-seq*", argc == 1);
  return kiln_lazy_seq_new(argv[0]);
}

KILN_NATIVE(n_nthnext) {
  KILN_ARITY("clojure.core/nthnext", argc == 2);
  int64_t n = kiln_to_long(argv[1], "nthnext");
  kiln_val s = kiln_seq(argv[0]);
  while (n-- > 0 && s != KILN_NIL) s = kiln_seq_next(s);
  return s;
}

KILN_NATIVE(n_nthrest) {
  KILN_ARITY("clojure.core/nthrest", argc == 2);
  int64_t n = kiln_to_long(argv[1], "nthrest");
  kiln_val s = argv[0];
  while (n-- > 0) {
    kiln_val q = kiln_seq(s);
    if (q == KILN_NIL) return s;
    s = kiln_rest(q);
  }
  return s;
}

KILN_NATIVE(n_range) {
  switch (argc) {
  case 0: {
    kiln_seq_obj *s = (kiln_seq_obj *)kiln_range(KILN_FIXNUM(0), kiln_long(INT64_MAX), KILN_FIXNUM(1));
    s->node = range_unbounded;
    return (kiln_val)s;
  }
  case 1:
    return kiln_range(KILN_FIXNUM(0), argv[0], KILN_FIXNUM(1));
  case 2:
    return kiln_range(argv[0], argv[1], KILN_FIXNUM(1));
  case 3:
    return kiln_range(argv[0], argv[1], argv[2]);
  default:
    kiln_throw_arity("clojure.core/range", argc);
  }
}

static const kiln_native_def seq_natives[] = {
    {"first", "([coll])", "The first item of coll, which may be anything seq accepts (the first entry\n  of a map, the first char of a string). nil when coll is nil or empty.", n_first, 0},
    {"second", "([x])", "The second item of x, (first (next x)); nil when x has fewer than two items.", n_second, 0},
    {"ffirst", "([x])", "The first item of x's first item.", n_ffirst, 0},
    {"nfirst", "([x])", "The items after the first in x's first item, as a seq, or nil when there\n  are none.", n_nfirst, 0},
    {"fnext", "([x])", "The item after the first one in x; the same as second.", n_fnext, 0},
    {"nnext", "([x])", "x from its third item on, as a seq; nil when x has two items or fewer.", n_nnext, 0},
    {"next", "([coll])", "Everything in coll after its first item, as a seq, or nil when nothing\n  follows (so it realizes one item more than rest would). coll may be\n  anything seq accepts.", n_next, 0},
    {"rest", "([coll])", "The items of coll after the first, as a seq that may be empty but is never\n  nil: (rest nil) and (rest [1]) are both ().", n_rest, 0},
    {"seq", "([coll])", "A seq over coll, or nil when coll is nil or empty. Accepts lists and other\n  seqs, vectors, maps (giving entries), sets, strings (giving chars) and\n  records; anything else throws IllegalArgumentException.", n_seq, 0},
    {"seq?", "([x])", "True when x is itself a seq (a list, cons, lazy seq, range, or the seq of\n  some collection); vectors, maps, sets and strings are not.", n_seq_p, 0},
    {"seqable?", "([x])", "True when seq accepts x: nil, collections, strings and seqs.", n_seqable_p, 0},
    {"cons", "([x seq])", "A seq whose first item is x and whose rest is (seq seq); seq may be any\n  seqable value, or nil for a one-item list.", n_cons, 0},
    {"list", "([& items])", "A list of the arguments in order; () when there are none.", n_list, 0},
    {"list*", "([args] [a args] [a b args] [a b c args] [a b c d & more])", "A seq of the leading arguments followed by the items of the last argument,\n  which must be seqable: (list* 1 2 [3 4]) is (1 2 3 4). (list* nil) is nil.", n_list_star, 0},
    {"lazy-seq*", "([f])", "Makes a lazy seq that calls f (of no args) once, when first needed; used\n  by the lazy-seq macro.", n_lazy_seq_star, 0},
    {"nthnext", "([coll n])", "What n calls of next on coll would leave: the seq from index n on, or nil\n  when coll has no more than n items. With n at 0 this is (seq coll).", n_nthnext, 0},
    {"nthrest", "([coll n])", "What n calls of rest on coll would leave: the items from index n on,\n  possibly empty. With n at 0, coll itself is returned.", n_nthrest, 0},
    {"chunked-seq?", "([s])",
     "True for a seq that hands out its items a chunk (up to 32) at a time:\n"
     "  seqs of vectors and of long ranges, and what chunk-cons builds.",
     n_chunked_seq_p, 0},
    {"chunk-first", "([s])", "The chunk at the front of chunked seq s, as a vector.", n_chunk_first,
     0},
    {"chunk-rest", "([s])", "Chunked seq s after its first chunk; () when nothing follows.",
     n_chunk_rest, 0},
    {"chunk-next", "([s])", "Chunked seq s after its first chunk; nil when nothing follows.",
     n_chunk_next, 0},
    {"chunk-buffer", "([capacity])",
     "A buffer to collect a chunk's items in with chunk-append (the capacity is\n"
     "  a hint); chunk turns it into the chunk.",
     n_chunk_buffer, 0},
    {"chunk-append", "([b x])", "Adds x at the end of chunk buffer b.", n_chunk_append, 0},
    {"chunk", "([b])", "The chunk (a vector) of the items added to chunk buffer b.", n_chunk, 0},
    {"-chunk-map", "([f chunk])",
     "The chunk of (f x) for each item x of chunk, in order: map's step over a\n"
     "  chunked seq.",
     n_chunk_map, 0},
    {"-chunk-filter", "([pred chunk])",
     "The chunk of the items of chunk that pred accepts, in order: filter's step\n"
     "  over a chunked seq.",
     n_chunk_filter, 0},
    {"chunk-cons", "([chunk rest])",
     "A chunked seq of the items of chunk followed by those of rest; rest\n"
     "  itself when chunk is empty.",
     n_chunk_cons, 0},
    {"range", "([] [end] [start end] [start end step])", "A lazy seq of numbers counting from start (default 0) by step (default 1)\n  up to but not including end; with no end it counts on to Long/MAX_VALUE\n  (it is then not counted? and not chunked). A negative step\n  counts down; a zero step repeats start forever unless start equals end.\n  The numbers keep the kind of start and step (longs, doubles, ratios,\n  BigInts).", n_range, 0},
};

void kiln_seq_init(void) {
  kiln_natives_register("clojure.core", seq_natives, KILN_ARRAY_LEN(seq_natives));
  kiln_coll_register_natives();
}
