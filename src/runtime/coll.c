/*
 * coll.c — the generic collection operations (count, conj, assoc, get, nth,
 * reduce, into, transients, meta, ...) over every type, with Clojure's
 * semantics including nil and strings, and the clojure.core natives for
 * them. Errors name the JVM classes and wording the JVM uses.
 *
 * kiln_coll_init only builds the shared empty collections (other subsystems
 * need them early); the natives are registered from kiln_seq_init, which runs
 * after namespaces exist.
 */
#include <string.h>

#include "runtime/rt.h"

void kiln_coll_init(void) {
  kiln_list_init();
  kiln_vector_init();
  kiln_map_init();
  kiln_set_init();
}

/* The JVM's Class.getSimpleName of [x]'s class. */
static const char *simple_name(kiln_val x) {
  const char *n = kiln_class_name(x);
  const char *dot = strrchr(n, '.'), *dollar = strrchr(n, '$');
  if (dollar && (!dot || dollar > dot)) return dollar + 1;
  return dot ? dot + 1 : n;
}

static KILN_NORETURN void cast_error(kiln_val x, const char *to) {
  kiln_throwf(KILN_EX_CLASS_CAST, "%s cannot be cast to %s", kiln_class_name(x), to);
}

static KILN_NORETURN void index_error(void) {
  kiln_throw(kiln_ex_new(KILN_EX_INDEX, KILN_NIL, KILN_NIL, KILN_NIL));
}

static inline bool is_tmap_array(kiln_val t) {
  return (((kiln_obj *)t)->flags & KILN_TMAP_ARRAY) != 0;
}

static bool is_integer(kiln_val k) {
  return kiln_is_long(k) || KILN_HAS_TYPE(k, KILN_T_BIGINT);
}

/* An index argument as Clojure's RT.intCast would take it from any number. */
static int64_t index_of(kiln_val k) {
  if (kiln_is_long(k)) return kiln_long_value(k);
  if (kiln_is_number(k)) return (int64_t)kiln_double_value(k);
  cast_error(k, "java.lang.Number");
}

/* ---- count ------------------------------------------------------------ */

static int64_t count_seq(kiln_val s) {
  int64_t n = 0;
  for (s = kiln_seq(s); s != KILN_NIL; s = kiln_seq_next(s)) {
    if (KILN_HAS_TYPE(s, KILN_T_LIST)) return n + ((kiln_list *)s)->count;
    if (KILN_HAS_TYPE(s, KILN_T_SEQ)) {
      int64_t c = kiln_seq_obj_count(s);
      if (c >= 0) return n + c;
    }
    n++;
  }
  return n;
}

int64_t kiln_count_int(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_RECORD: return kiln_count_int(kiln_record_map(coll));
  case KILN_T_NONE:
    if (coll == KILN_NIL) return 0;
    break;
  case KILN_T_LIST:
    return ((kiln_list *)coll)->count;
  case KILN_T_EMPTY_LIST:
    return 0;
  case KILN_T_VECTOR:
    return ((kiln_vector *)coll)->cnt;
  case KILN_T_TRANSIENT_VECTOR:
    kiln_transient_check(((kiln_vector *)coll)->edit);
    return ((kiln_vector *)coll)->cnt;
  case KILN_T_MAP_ENTRY:
    return 2;
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_TRANSIENT_MAP:
    return kiln_map_count(coll);
  case KILN_T_HASH_SET:
  case KILN_T_TRANSIENT_SET:
    return kiln_map_count(((kiln_hash_set *)coll)->map);
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
    return ((kiln_sorted *)coll)->cnt;
  case KILN_T_STRING:
    return (int64_t)kiln_str_count(coll);
  case KILN_T_SEQ: {
    int64_t c = kiln_seq_obj_count(coll);
    return c >= 0 ? c : count_seq(coll);
  }
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
    return count_seq(coll);
  default:
    break;
  }
  kiln_throwf(KILN_EX_UNSUPPORTED, "count not supported on this type: %s", simple_name(coll));
}

kiln_val kiln_count(kiln_val coll) { return kiln_long(kiln_count_int(coll)); }

bool kiln_is_counted(kiln_val v) {
  switch (kiln_type_of(v)) {
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_VECTOR:
  case KILN_T_TRANSIENT_VECTOR:
  case KILN_T_MAP_ENTRY:
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_TRANSIENT_MAP:
  case KILN_T_HASH_SET:
  case KILN_T_TRANSIENT_SET:
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
    return true;
  case KILN_T_SEQ:
    return kiln_seq_obj_count(v) >= 0 || (kiln_seq_kind)((kiln_obj *)v)->flags == KILN_SEQ_STR;
  default:
    return false;
  }
}

/* ---- predicates -------------------------------------------------------- */

bool kiln_is_map(kiln_val v) {
  kiln_type t = kiln_type_of(v);
  return t == KILN_T_ARRAY_MAP || t == KILN_T_HASH_MAP || t == KILN_T_SORTED_MAP ||
         t == KILN_T_RECORD;
}

bool kiln_is_vector(kiln_val v) {
  kiln_type t = kiln_type_of(v);
  return t == KILN_T_VECTOR || t == KILN_T_MAP_ENTRY;
}

bool kiln_is_set(kiln_val v) {
  kiln_type t = kiln_type_of(v);
  return t == KILN_T_HASH_SET || t == KILN_T_SORTED_SET;
}

bool kiln_is_sequential(kiln_val v) {
  switch (kiln_type_of(v)) {
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
    return true;
  default:
    return false;
  }
}

bool kiln_is_coll(kiln_val v) { return kiln_is_sequential(v) || kiln_is_map(v) || kiln_is_set(v); }

static bool is_list(kiln_val v) {
  return KILN_HAS_TYPE(v, KILN_T_LIST) || KILN_HAS_TYPE(v, KILN_T_EMPTY_LIST);
}

/* ---- conj, assoc, dissoc, disj ---------------------------------------- */

typedef kiln_val (*assoc_fn)(kiln_val m, kiln_val k, kiln_val v);

/* conj onto a map: an entry, a pair vector, or a seq of entries. */
static kiln_val map_conj(kiln_val m, kiln_val x, assoc_fn assoc) {
  if (KILN_HAS_TYPE(x, KILN_T_MAP_ENTRY))
    return assoc(m, ((kiln_map_entry_obj *)x)->key, ((kiln_map_entry_obj *)x)->val);
  if (KILN_HAS_TYPE(x, KILN_T_VECTOR)) {
    if (kiln_vec_count(x) != 2)
      kiln_throwf(KILN_EX_ILLEGAL_ARG, "Vector arg to map conj must be a pair");
    return assoc(m, kiln_vec_nth(x, 0, KILN_NIL, true), kiln_vec_nth(x, 1, KILN_NIL, true));
  }
  for (kiln_val s = kiln_seq(x); s != KILN_NIL; s = kiln_seq_next(s)) {
    kiln_val e = kiln_seq_first(s);
    if (!KILN_HAS_TYPE(e, KILN_T_MAP_ENTRY)) cast_error(e, "java.util.Map$Entry");
    m = assoc(m, ((kiln_map_entry_obj *)e)->key, ((kiln_map_entry_obj *)e)->val);
  }
  return m;
}

kiln_val kiln_conj(kiln_val coll, kiln_val x) {
  switch (kiln_type_of(coll)) {
  case KILN_T_RECORD: {
    kiln_val kv = kiln_seq(x);
    if (KILN_HAS_TYPE(x, KILN_T_MAP_ENTRY) || kiln_is_vector(x))
      return kiln_record_assoc(coll, kiln_nth(x, 0, KILN_NIL, false), kiln_nth(x, 1, KILN_NIL, false));
    for (; kv != KILN_NIL; kv = kiln_next(kv)) coll = kiln_conj(coll, kiln_first(kv));
    return coll;
  }
  case KILN_T_NONE:
    if (coll == KILN_NIL) return kiln_list_cons(x, KILN_NIL);
    break;
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST: {
    kiln_val l = kiln_list_cons(x, coll);
    if (KILN_HAS_TYPE(coll, KILN_T_EMPTY_LIST) && ((kiln_list *)coll)->meta != KILN_NIL)
      l = kiln_list_with_meta(l, ((kiln_list *)coll)->meta);
    return l;
  }
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
    return kiln_cons(x, coll);
  case KILN_T_VECTOR:
    return kiln_vec_conj(coll, x);
  case KILN_T_MAP_ENTRY:
    return kiln_vec_conj(kiln_map_entry_vec(coll), x);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
    return map_conj(coll, x, kiln_map_assoc);
  case KILN_T_HASH_SET:
    return kiln_set_conj(coll, x);
  case KILN_T_SORTED_SET:
    return kiln_sorted_assoc(coll, x, x);
  default:
    break;
  }
  cast_error(coll, "clojure.lang.IPersistentCollection");
}

kiln_val kiln_assoc(kiln_val coll, kiln_val k, kiln_val v) {
  switch (kiln_type_of(coll)) {
  case KILN_T_RECORD: return kiln_record_assoc(coll, k, v);
  case KILN_T_NONE:
    if (coll == KILN_NIL) {
      kiln_val kv[2] = {k, v};
      return kiln_map_from(2, kv);
    }
    break;
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
    return kiln_map_assoc(coll, k, v);
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
    if (!is_integer(k)) kiln_throwf(KILN_EX_ILLEGAL_ARG, "Key must be integer");
    if (KILN_HAS_TYPE(coll, KILN_T_MAP_ENTRY)) coll = kiln_map_entry_vec(coll);
    return kiln_vec_assoc(coll, kiln_long_value(k), v);
  default:
    break;
  }
  cast_error(coll, "clojure.lang.Associative");
}

kiln_val kiln_dissoc(kiln_val coll, kiln_val k) {
  if (coll == KILN_NIL) return KILN_NIL;
  if (KILN_HAS_TYPE(coll, KILN_T_RECORD)) return kiln_record_dissoc(coll, k);
  if (kiln_is_map(coll)) return kiln_map_dissoc(coll, k);
  cast_error(coll, "clojure.lang.IPersistentMap");
}

kiln_val kiln_disj(kiln_val coll, kiln_val k) {
  if (coll == KILN_NIL) return KILN_NIL;
  if (KILN_HAS_TYPE(coll, KILN_T_HASH_SET)) return kiln_set_disj(coll, k);
  if (KILN_HAS_TYPE(coll, KILN_T_SORTED_SET)) return kiln_sorted_dissoc(coll, k);
  cast_error(coll, "clojure.lang.IPersistentSet");
}

/* ---- lookup ------------------------------------------------------------- */

kiln_val kiln_get(kiln_val coll, kiln_val k, kiln_val not_found) {
  switch (kiln_type_of(coll)) {
  case KILN_T_RECORD: return kiln_get(kiln_record_map(coll), k, not_found);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
  case KILN_T_TRANSIENT_MAP:
    return kiln_map_get(coll, k, not_found);
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
    return kiln_set_get(coll, k, not_found);
  case KILN_T_TRANSIENT_SET:
    return kiln_map_get(((kiln_hash_set *)coll)->map, k, not_found);
  case KILN_T_VECTOR:
  case KILN_T_TRANSIENT_VECTOR:
  case KILN_T_MAP_ENTRY:
    if (!kiln_is_long(k)) return not_found;
    return kiln_nth(coll, kiln_long_value(k), not_found, true);
  case KILN_T_STRING: {
    if (!kiln_is_number(k)) return not_found;
    int64_t i = index_of(k);
    if (i < 0 || (uint64_t)i >= kiln_str_count(coll)) return not_found;
    return kiln_str_nth(coll, (size_t)i);
  }
  default:
    return not_found;
  }
}

/* Out of line: see reduce_seq. */
__attribute__((noinline)) static kiln_val seq_nth(kiln_val coll, int64_t i, kiln_val not_found,
                                                  bool has_not_found) {
  kiln_val s = kiln_seq(coll);
  for (int64_t j = 0; j <= i && s != KILN_NIL; j++, s = kiln_seq_next(s))
    if (j == i) return kiln_seq_first(s);
  if (has_not_found) return not_found;
  index_error();
}

kiln_val kiln_nth(kiln_val coll, int64_t i, kiln_val not_found, bool has_not_found) {
  switch (kiln_type_of(coll)) {
  case KILN_T_NONE:
    if (coll == KILN_NIL) return has_not_found ? not_found : KILN_NIL;
    break;
  case KILN_T_VECTOR:
    return kiln_vec_nth(coll, i, not_found, !has_not_found);
  case KILN_T_TRANSIENT_VECTOR:
    return kiln_tvec_nth(coll, i, not_found, !has_not_found);
  case KILN_T_MAP_ENTRY:
    if (i == 0) return ((kiln_map_entry_obj *)coll)->key;
    if (i == 1) return ((kiln_map_entry_obj *)coll)->val;
    if (has_not_found) return not_found;
    index_error();
  case KILN_T_STRING:
    if (i >= 0 && (uint64_t)i < kiln_str_count(coll)) return kiln_str_nth(coll, (size_t)i);
    if (has_not_found) return not_found;
    kiln_throwf("java.lang.StringIndexOutOfBoundsException", "String index out of range: %lld",
                (long long)i);
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
    return seq_nth(coll, i, not_found, has_not_found);
  default:
    break;
  }
  kiln_throwf(KILN_EX_UNSUPPORTED, "nth not supported on this type: %s", simple_name(coll));
}

bool kiln_contains(kiln_val coll, kiln_val k) {
  switch (kiln_type_of(coll)) {
  case KILN_T_RECORD: return kiln_contains(kiln_record_map(coll), k);
  case KILN_T_NONE:
    if (coll == KILN_NIL) return false;
    break;
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
  case KILN_T_TRANSIENT_MAP:
    return kiln_map_contains(coll, k);
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
    return kiln_set_contains(coll, k);
  case KILN_T_TRANSIENT_SET:
    return kiln_map_contains(((kiln_hash_set *)coll)->map, k);
  case KILN_T_VECTOR:
  case KILN_T_TRANSIENT_VECTOR:
  case KILN_T_MAP_ENTRY: {
    if (!is_integer(k) || !kiln_is_long(k)) return false;
    int64_t i = kiln_long_value(k);
    return i >= 0 && i < kiln_count_int(coll);
  }
  case KILN_T_STRING: {
    if (!kiln_is_number(k)) return false;
    int64_t i = index_of(k);
    return i >= 0 && (uint64_t)i < kiln_str_count(coll);
  }
  default:
    break;
  }
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "contains? not supported on type: %s", kiln_class_name(coll));
}

kiln_val kiln_find(kiln_val coll, kiln_val k) {
  switch (kiln_type_of(coll)) {
  case KILN_T_NONE:
    if (coll == KILN_NIL) return KILN_NIL;
    break;
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
  case KILN_T_TRANSIENT_MAP:
    return kiln_map_find(coll, k);
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
    if (kiln_is_long(k)) {
      int64_t i = kiln_long_value(k);
      if (i >= 0 && i < kiln_count_int(coll))
        return kiln_map_entry(k, kiln_nth(coll, i, KILN_NIL, false));
    }
    return KILN_NIL;
  default:
    break;
  }
  cast_error(coll, "java.util.Map");
}

/* ---- stacks ------------------------------------------------------------- */

kiln_val kiln_peek(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_NONE:
    if (coll == KILN_NIL) return KILN_NIL;
    break;
  case KILN_T_VECTOR:
    return kiln_vec_peek(coll);
  case KILN_T_MAP_ENTRY:
    return ((kiln_map_entry_obj *)coll)->val;
  case KILN_T_LIST:
    return ((kiln_list *)coll)->first;
  case KILN_T_EMPTY_LIST:
    return KILN_NIL;
  default:
    break;
  }
  cast_error(coll, "clojure.lang.IPersistentStack");
}

kiln_val kiln_pop(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_NONE:
    if (coll == KILN_NIL) return KILN_NIL;
    break;
  case KILN_T_VECTOR:
    return kiln_vec_pop(coll);
  case KILN_T_MAP_ENTRY:
    return kiln_vec_pop(kiln_map_entry_vec(coll));
  case KILN_T_LIST: {
    kiln_list *l = (kiln_list *)coll;
    if (l->count == 1) return kiln_list_with_meta(kiln_empty_list, l->meta);
    return l->rest;
  }
  case KILN_T_EMPTY_LIST:
    kiln_throwf(KILN_EX_ILLEGAL_STATE, "Can't pop empty list");
  default:
    break;
  }
  cast_error(coll, "clojure.lang.IPersistentStack");
}

/* ---- empty, meta -------------------------------------------------------- */

kiln_val kiln_empty(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_RECORD:
    kiln_throwf(KILN_EX_UNSUPPORTED, "Can't create empty: %s", kiln_pr_str(kiln_record_tag(coll)));
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
    return kiln_list_with_meta(kiln_empty_list, ((kiln_list *)coll)->meta);
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
    return kiln_empty_list;
  case KILN_T_VECTOR:
    return kiln_vec_with_meta(kiln_empty_vector, ((kiln_vector *)coll)->meta);
  case KILN_T_ARRAY_MAP:
    return kiln_map_with_meta(kiln_empty_map, ((kiln_array_map *)coll)->meta);
  case KILN_T_HASH_MAP:
    return kiln_map_with_meta(kiln_empty_hash_map, ((kiln_hash_map *)coll)->meta);
  case KILN_T_HASH_SET:
    return kiln_set_with_meta(kiln_empty_set, ((kiln_hash_set *)coll)->meta);
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET: {
    kiln_sorted *s = (kiln_sorted *)coll;
    kiln_val e = s->h.type == KILN_T_SORTED_MAP ? kiln_sorted_map_new(s->cmp)
                                                : kiln_sorted_set_new(s->cmp);
    return kiln_sorted_with_meta(e, s->meta);
  }
  default:
    return KILN_NIL;
  }
}

kiln_val kiln_meta(kiln_val x) {
  switch (kiln_type_of(x)) {
  case KILN_T_RECORD: case KILN_T_TYPE: return kiln_record_meta(x);
  case KILN_T_SYMBOL:
    return ((kiln_symbol *)x)->meta;
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
    return ((kiln_list *)x)->meta;
  case KILN_T_CONS:
    return ((kiln_cons_obj *)x)->meta;
  case KILN_T_LAZY_SEQ:
    return ((kiln_lazy_seq *)x)->meta;
  case KILN_T_SEQ:
    return ((kiln_seq_obj *)x)->meta;
  case KILN_T_VECTOR:
    return ((kiln_vector *)x)->meta;
  case KILN_T_ARRAY_MAP:
    return ((kiln_array_map *)x)->meta;
  case KILN_T_HASH_MAP:
    return ((kiln_hash_map *)x)->meta;
  case KILN_T_HASH_SET:
    return ((kiln_hash_set *)x)->meta;
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
    return ((kiln_sorted *)x)->meta;
  case KILN_T_FN:
    return ((kiln_fn *)x)->meta;
  case KILN_T_VAR:
    return ((kiln_var *)x)->meta;
  case KILN_T_NAMESPACE:
    return ((kiln_ns *)x)->meta;
  default:
    return KILN_NIL;
  }
}

kiln_val kiln_with_meta(kiln_val x, kiln_val meta) {
  switch (kiln_type_of(x)) {
  case KILN_T_RECORD: case KILN_T_TYPE: return kiln_record_with_meta(x, meta);
  case KILN_T_SYMBOL: {
    kiln_symbol *s = kiln_obj_new(KILN_T_SYMBOL, sizeof *s);
    *s = *(kiln_symbol *)x;
    s->meta = meta;
    return (kiln_val)s;
  }
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
    return kiln_list_with_meta(x, meta);
  case KILN_T_LAZY_SEQ: {
    kiln_val s = kiln_seq(x);
    kiln_lazy_seq *ls = kiln_obj_new(KILN_T_LAZY_SEQ, sizeof *ls);
    ls->fn = KILN_NIL;
    ls->sv = KILN_NIL;
    ls->s = s;
    ls->meta = meta;
    return (kiln_val)ls;
  }
  case KILN_T_SEQ: {
    kiln_seq_obj *s = kiln_obj_new(KILN_T_SEQ, sizeof *s);
    *s = *(kiln_seq_obj *)x;
    s->meta = meta;
    return (kiln_val)s;
  }
  case KILN_T_VECTOR:
    return kiln_vec_with_meta(x, meta);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
    return kiln_map_with_meta(x, meta);
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
    return kiln_set_with_meta(x, meta);
  case KILN_T_FN: {
    kiln_fn *f = (kiln_fn *)x;
    size_t n = sizeof(kiln_fn) + f->nclosed * sizeof(kiln_val);
    kiln_fn *g = kiln_alloc(n);
    memcpy(g, f, n);
    g->meta = meta;
    return (kiln_val)g;
  }
  default:
    cast_error(x, "clojure.lang.IObj");
  }
}

/* ---- transients --------------------------------------------------------- */

kiln_val kiln_transient(kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_VECTOR:
    return kiln_vec_transient(coll);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
    return kiln_map_transient(coll);
  case KILN_T_HASH_SET:
    return kiln_set_transient(coll);
  default:
    cast_error(coll, "clojure.lang.IEditableCollection");
  }
}

kiln_val kiln_persistent(kiln_val t) {
  switch (kiln_type_of(t)) {
  case KILN_T_TRANSIENT_VECTOR:
    return kiln_tvec_persistent(t);
  case KILN_T_TRANSIENT_MAP:
    return kiln_tmap_persistent(t);
  case KILN_T_TRANSIENT_SET:
    return kiln_tset_persistent(t);
  default:
    cast_error(t, "clojure.lang.ITransientCollection");
  }
}

kiln_val kiln_conj_t(kiln_val t, kiln_val x) {
  switch (kiln_type_of(t)) {
  case KILN_T_TRANSIENT_VECTOR:
    return kiln_tvec_conj(t, x);
  case KILN_T_TRANSIENT_MAP:
    return map_conj(t, x, kiln_tmap_assoc);
  case KILN_T_TRANSIENT_SET:
    return kiln_tset_conj(t, x);
  default:
    cast_error(t, "clojure.lang.ITransientCollection");
  }
}

kiln_val kiln_assoc_t(kiln_val t, kiln_val k, kiln_val v) {
  switch (kiln_type_of(t)) {
  case KILN_T_TRANSIENT_VECTOR:
    if (!is_integer(k)) kiln_throwf(KILN_EX_ILLEGAL_ARG, "Key must be integer");
    return kiln_tvec_assoc(t, kiln_long_value(k), v);
  case KILN_T_TRANSIENT_MAP:
    return kiln_tmap_assoc(t, k, v);
  default:
    cast_error(t, "clojure.lang.ITransientAssociative");
  }
}

kiln_val kiln_dissoc_t(kiln_val t, kiln_val k) {
  if (KILN_HAS_TYPE(t, KILN_T_TRANSIENT_MAP)) return kiln_tmap_dissoc(t, k);
  cast_error(t, "clojure.lang.ITransientMap");
}

kiln_val kiln_disj_t(kiln_val t, kiln_val x) {
  if (KILN_HAS_TYPE(t, KILN_T_TRANSIENT_SET)) return kiln_tset_disj(t, x);
  cast_error(t, "clojure.lang.ITransientSet");
}

kiln_val kiln_pop_t(kiln_val t) {
  if (KILN_HAS_TYPE(t, KILN_T_TRANSIENT_VECTOR)) return kiln_tvec_pop(t);
  cast_error(t, "clojure.lang.ITransientVector");
}

/* ---- reduce ------------------------------------------------------------- */

kiln_val kiln_reduced(kiln_val x) {
  kiln_reduced_obj *r = kiln_obj_new(KILN_T_REDUCED, sizeof *r);
  r->val = x;
  return (kiln_val)r;
}

bool kiln_is_reduced(kiln_val x) { return KILN_HAS_TYPE(x, KILN_T_REDUCED); }

kiln_val kiln_reduced_value(kiln_val x) { return ((kiln_reduced_obj *)x)->val; }

/* Folds seq [s] into [acc]; with [start] false, its first item starts the
 * fold (an empty seq returns (f)). Out of line, and given the seq itself
 * rather than its first item and rest: a caller that took the seq apart
 * first would leave the head in registers its callees save, and so on the
 * stack under this loop, where the conservative scan finds it and keeps
 * every item the walk realizes alive. */
__attribute__((noinline)) static kiln_val reduce_seq(kiln_val f, kiln_val acc, kiln_val s,
                                                     bool start) {
  while (s != KILN_NIL) {
    /* A chunk-cons (map and filter over vectors and ranges make them) goes
     * a chunk at a time, without a seq object per item. */
    if (KILN_HAS_TYPE(s, KILN_T_SEQ) &&
        (kiln_seq_kind)((kiln_obj *)s)->flags == KILN_SEQ_CHUNKED) {
      const kiln_seq_obj *o = (const kiln_seq_obj *)s;
      for (intptr_t i = o->i; i < o->end; i++) {
        kiln_val x = kiln_vec_nth(o->coll, i, KILN_NIL, true);
        if (__builtin_expect(!start, 0)) {
          acc = x;
          start = true;
          continue;
        }
        acc = kiln_coll_call2(f, acc, x);
        if (KILN_HAS_TYPE(acc, KILN_T_REDUCED)) return ((kiln_reduced_obj *)acc)->val;
      }
      kiln_gc_scrub_near();
      s = kiln_seq(o->extra);
      continue;
    }
    if (__builtin_expect(!start, 0)) {
      acc = kiln_seq_first(s);
      start = true;
    } else {
      acc = kiln_coll_call2(f, acc, kiln_seq_first(s));
      if (KILN_HAS_TYPE(acc, KILN_T_REDUCED)) return ((kiln_reduced_obj *)acc)->val;
    }
    s = kiln_seq_next(s);
  }
  return start ? acc : kiln_call0(f);
}

static kiln_val reduce_range(kiln_val f, kiln_val acc, const kiln_seq_obj *r) {
  int64_t i = r->i, end = r->end, step = KILN_FIXNUM_VALUE(r->extra);
  if (step == 0) return reduce_seq(f, acc, (kiln_val)r, true);
  for (;;) {
    acc = kiln_coll_call2(f, acc, kiln_long(i));
    if (KILN_HAS_TYPE(acc, KILN_T_REDUCED)) return ((kiln_reduced_obj *)acc)->val;
    if (__builtin_add_overflow(i, step, &i)) return acc;
    if (step > 0 ? i >= end : i <= end) return acc;
  }
}

kiln_val kiln_reduce(kiln_val f, kiln_val init, kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_NONE:
    if (coll == KILN_NIL) return init;
    break;
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
    return kiln_vec_reduce(coll, f, init);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
    return kiln_map_reduce(coll, f, init, false);
  case KILN_T_SEQ:
    if ((kiln_seq_kind)((kiln_obj *)coll)->flags == KILN_SEQ_RANGE)
      return reduce_range(f, init, (const kiln_seq_obj *)coll);
    break;
  default:
    break;
  }
  return reduce_seq(f, init, kiln_seq(coll), true);
}

kiln_val kiln_reduce1(kiln_val f, kiln_val coll) {
  if (KILN_HAS_TYPE(coll, KILN_T_VECTOR)) {
    uint32_t n = kiln_vec_count(coll);
    if (n == 0) return kiln_call0(f);
    kiln_val first = kiln_vec_nth(coll, 0, KILN_NIL, true);
    if (n == 1) return first;
    return kiln_vec_reduce(kiln_vec_subvec(coll, 1, n), f, first);
  }
  if (KILN_HAS_TYPE(coll, KILN_T_SEQ) &&
      (kiln_seq_kind)((kiln_obj *)coll)->flags == KILN_SEQ_RANGE) {
    const kiln_seq_obj *r = (const kiln_seq_obj *)coll;
    kiln_val next = kiln_seq_next(coll);
    return next == KILN_NIL ? kiln_long(r->i) : kiln_reduce(f, kiln_long(r->i), next);
  }
  return reduce_seq(f, KILN_NIL, kiln_seq(coll), false);
}

static kiln_val reduce_kv(kiln_val f, kiln_val init, kiln_val coll) {
  switch (kiln_type_of(coll)) {
  case KILN_T_NONE:
    if (coll == KILN_NIL) return init;
    break;
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
  case KILN_T_RECORD:
    return kiln_map_reduce(coll, f, init, true);
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY: {
    int64_t n = kiln_count_int(coll);
    for (int64_t i = 0; i < n; i++) {
      init = kiln_call3(f, init, kiln_long(i), kiln_nth(coll, i, KILN_NIL, false));
      if (kiln_is_reduced(init)) return kiln_reduced_value(init);
    }
    return init;
  }
  default:
    break;
  }
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "No implementation of method: :kv-reduce of protocol: "
              "#'clojure.core.protocols/IKVReduce found for class: %s", kiln_class_name(coll));
}

kiln_val kiln_into(kiln_val to, kiln_val from) {
  kiln_type t = kiln_type_of(to);
  bool editable = (t == KILN_T_VECTOR && !(((kiln_obj *)to)->flags & KILN_VEC_SUB)) ||
                  t == KILN_T_ARRAY_MAP || t == KILN_T_HASH_MAP || t == KILN_T_HASH_SET;
  if (!editable) {
    for (kiln_val s = kiln_seq(from); s != KILN_NIL; s = kiln_seq_next(s))
      to = kiln_conj(to, kiln_seq_first(s));
    return to;
  }
  kiln_val meta = kiln_meta(to);
  kiln_val tr = kiln_transient(to);
  if (KILN_HAS_TYPE(from, KILN_T_VECTOR) && !(((kiln_obj *)from)->flags & KILN_VEC_SUB)) {
    uint32_t n = kiln_vec_count(from);
    for (uint32_t i = 0; i < n; i += 32) {
      const kiln_val *leaf = kiln_vec_leaf(from, i);
      uint32_t m = n - i < 32 ? n - i : 32;
      for (uint32_t j = 0; j < m; j++) tr = kiln_conj_t(tr, leaf[j]);
    }
  } else if (KILN_HAS_TYPE(from, KILN_T_SEQ) &&
             (kiln_seq_kind)((kiln_obj *)from)->flags == KILN_SEQ_RANGE &&
             KILN_FIXNUM_VALUE(((kiln_seq_obj *)from)->extra) != 0) {
    const kiln_seq_obj *r = (const kiln_seq_obj *)from;
    int64_t i = r->i, step = KILN_FIXNUM_VALUE(r->extra);
    do tr = kiln_conj_t(tr, kiln_long(i));
    while (!__builtin_add_overflow(i, step, &i) && (step > 0 ? i < r->end : i > r->end));
  } else {
    for (kiln_val s = kiln_seq(from); s != KILN_NIL; s = kiln_seq_next(s))
      tr = kiln_conj_t(tr, kiln_seq_first(s));
  }
  kiln_val r = kiln_persistent(tr);
  return meta == KILN_NIL ? r : kiln_with_meta(r, meta);
}

/* ---- hashing and equality ---------------------------------------------- */

static int32_t hash_ordered_seq(kiln_val s) {
  uint32_t h = 1, n = 0;
  for (s = kiln_seq(s); s != KILN_NIL; s = kiln_seq_next(s), n++)
    h = 31u * h + (uint32_t)kiln_hash(kiln_seq_first(s));
  return kiln_murmur3_mix_coll_hash((int32_t)h, (int32_t)n);
}

static int32_t hash_vector(kiln_val v) {
  uint32_t h = 1, n = kiln_vec_count(v);
  if (((kiln_obj *)v)->flags & KILN_VEC_SUB) {
    for (uint32_t i = 0; i < n; i++)
      h = 31u * h + (uint32_t)kiln_hash(kiln_vec_nth(v, i, KILN_NIL, true));
  } else {
    for (uint32_t i = 0; i < n; i += 32) {
      const kiln_val *leaf = kiln_vec_leaf(v, i);
      uint32_t m = n - i < 32 ? n - i : 32;
      for (uint32_t j = 0; j < m; j++) h = 31u * h + (uint32_t)kiln_hash(leaf[j]);
    }
  }
  return kiln_murmur3_mix_coll_hash((int32_t)h, (int32_t)n);
}

static int32_t hash_entry(kiln_val k, kiln_val v) {
  uint32_t h = 31u * (31u + (uint32_t)kiln_hash(k)) + (uint32_t)kiln_hash(v);
  return kiln_murmur3_mix_coll_hash((int32_t)h, 2);
}

static int32_t hash_unordered(kiln_val coll, bool entries) {
  uint32_t h = 0, n = 0;
  for (kiln_val s = kiln_seq(coll); s != KILN_NIL; s = kiln_seq_next(s), n++) {
    kiln_val x = kiln_seq_first(s);
    h += entries ? (uint32_t)hash_entry(((kiln_map_entry_obj *)x)->key, ((kiln_map_entry_obj *)x)->val)
                 : (uint32_t)kiln_hash(x);
  }
  return kiln_murmur3_mix_coll_hash((int32_t)h, (int32_t)n);
}

/* The cached-hash slot of a collection, or NULL. */
static int32_t *hash_slot(kiln_val c) {
  switch (kiln_type_of(c)) {
  case KILN_T_LIST:
    return &((kiln_list *)c)->hash;
  case KILN_T_VECTOR:
    return &((kiln_vector *)c)->hash;
  case KILN_T_ARRAY_MAP:
    return &((kiln_array_map *)c)->hash;
  case KILN_T_HASH_MAP:
    return &((kiln_hash_map *)c)->hash;
  case KILN_T_HASH_SET:
    return &((kiln_hash_set *)c)->hash;
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
    return &((kiln_sorted *)c)->hash;
  default:
    return NULL;
  }
}

int32_t kiln_coll_hash(kiln_val c) {
  int32_t *slot = hash_slot(c);
  if (slot && (__atomic_load_n(&((kiln_obj *)c)->flags, __ATOMIC_ACQUIRE) & KILN_COLL_HASHED))
    return *slot;
  int32_t h;
  switch (kiln_type_of(c)) {
  case KILN_T_VECTOR:
    h = hash_vector(c);
    break;
  case KILN_T_MAP_ENTRY:
    return hash_entry(((kiln_map_entry_obj *)c)->key, ((kiln_map_entry_obj *)c)->val);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
    h = hash_unordered(c, true);
    break;
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
    h = hash_unordered(c, false);
    break;
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
    h = hash_ordered_seq(c);
    break;
  default:
    return kiln_hash(c);
  }
  if (slot) {
    *slot = h;
    __atomic_fetch_or(&((kiln_obj *)c)->flags, KILN_COLL_HASHED, __ATOMIC_RELEASE);
  }
  return h;
}

static bool seq_equiv(kiln_val a, kiln_val b) {
  if (kiln_is_counted(a) && kiln_is_counted(b) && kiln_count_int(a) != kiln_count_int(b))
    return false;
  if (KILN_HAS_TYPE(a, KILN_T_VECTOR) && KILN_HAS_TYPE(b, KILN_T_VECTOR)) {
    uint32_t n = kiln_vec_count(a);
    for (uint32_t i = 0; i < n; i++)
      if (!kiln_equiv(kiln_vec_nth(a, i, KILN_NIL, true), kiln_vec_nth(b, i, KILN_NIL, true)))
        return false;
    return true;
  }
  kiln_val sa = kiln_seq(a), sb = kiln_seq(b);
  for (; sa != KILN_NIL; sa = kiln_seq_next(sa), sb = kiln_seq_next(sb)) {
    if (sb == KILN_NIL || !kiln_equiv(kiln_seq_first(sa), kiln_seq_first(sb))) return false;
  }
  return sb == KILN_NIL;
}

static kiln_val missing_marker(void) {
  static kiln_reduced_obj marker;
  return (kiln_val)&marker;
}

static bool map_equiv(kiln_val a, kiln_val b) {
  /* A record equals only a record of its type (record.c decides that). */
  if (KILN_HAS_TYPE(a, KILN_T_RECORD) || KILN_HAS_TYPE(b, KILN_T_RECORD)) return false;
  if (kiln_map_count(a) != kiln_map_count(b)) return false;
  kiln_val missing = missing_marker();
  for (kiln_val s = kiln_seq(a); s != KILN_NIL; s = kiln_seq_next(s)) {
    kiln_map_entry_obj *e = (kiln_map_entry_obj *)kiln_seq_first(s);
    kiln_val v = kiln_map_get(b, e->key, missing);
    if (v == missing || !kiln_equiv(e->val, v)) return false;
  }
  return true;
}

static bool set_equiv(kiln_val a, kiln_val b) {
  if (kiln_set_count(a) != kiln_set_count(b)) return false;
  for (kiln_val s = kiln_seq(b); s != KILN_NIL; s = kiln_seq_next(s))
    if (!kiln_set_contains(a, kiln_seq_first(s))) return false;
  return true;
}

bool kiln_coll_equiv(kiln_val a, kiln_val b) {
  if (a == b) return true;
  if (kiln_is_sequential(a)) return kiln_is_sequential(b) && seq_equiv(a, b);
  if (kiln_is_map(a)) return kiln_is_map(b) && map_equiv(a, b);
  if (kiln_is_set(a)) return kiln_is_set(b) && set_equiv(a, b);
  if (kiln_is_coll(b)) return kiln_coll_equiv(b, a);
  return false;
}

/* ---- natives ------------------------------------------------------------ */

/*
 * Takes a seq argument that the native is about to walk to its end out of
 * argv: argv belongs to the callee (docs/patch-abi.md), and the caller's
 * array would otherwise hold the head of a lazy seq, and so every cell the
 * walk realizes, until the call returns.
 */
static inline kiln_val take_seq_arg(const kiln_val *argv, uint32_t i) {
  kiln_val v = argv[i];
  if (KILN_HAS_TYPE(v, KILN_T_LAZY_SEQ) || KILN_HAS_TYPE(v, KILN_T_CONS) ||
      KILN_HAS_TYPE(v, KILN_T_SEQ))
    ((kiln_val *)argv)[i] = KILN_NIL;
  return v;
}

KILN_NATIVE(n_count) {
  KILN_ARITY("clojure.core/count", argc == 1);
  return kiln_count(take_seq_arg(argv, 0));
}

KILN_NATIVE(n_conj) {
  if (argc == 0) return kiln_empty_vector;
  kiln_val c = argv[0];
  for (uint32_t i = 1; i < argc; i++) c = kiln_conj(c, argv[i]);
  return c;
}

KILN_NATIVE(n_assoc) {
  KILN_ARITY("clojure.core/assoc", argc >= 3);
  if ((argc - 1) % 2)
    kiln_throwf(KILN_EX_ILLEGAL_ARG,
                "assoc expects even number of arguments after map/vector, found odd number");
  kiln_val c = argv[0];
  for (uint32_t i = 1; i < argc; i += 2) c = kiln_assoc(c, argv[i], argv[i + 1]);
  return c;
}

KILN_NATIVE(n_dissoc) {
  KILN_ARITY("clojure.core/dissoc", argc >= 1);
  kiln_val c = argv[0];
  for (uint32_t i = 1; i < argc; i++) c = kiln_dissoc(c, argv[i]);
  return c;
}

KILN_NATIVE(n_disj) {
  KILN_ARITY("clojure.core/disj", argc >= 1);
  kiln_val c = argv[0];
  for (uint32_t i = 1; i < argc; i++) c = kiln_disj(c, argv[i]);
  return c;
}

KILN_NATIVE(n_get) {
  KILN_ARITY("clojure.core/get", argc == 2 || argc == 3);
  return kiln_get(argv[0], argv[1], argc == 3 ? argv[2] : KILN_NIL);
}

KILN_NATIVE(n_nth) {
  KILN_ARITY("clojure.core/nth", argc == 2 || argc == 3);
  return kiln_nth(take_seq_arg(argv, 0), index_of(argv[1]), argc == 3 ? argv[2] : KILN_NIL,
                  argc == 3);
}

KILN_NATIVE(n_contains_p) {
  KILN_ARITY("clojure.core/contains?", argc == 2);
  return KILN_BOOL(kiln_contains(argv[0], argv[1]));
}

KILN_NATIVE(n_find) {
  KILN_ARITY("clojure.core/find", argc == 2);
  return kiln_find(argv[0], argv[1]);
}

KILN_NATIVE(n_key) {
  KILN_ARITY("clojure.core/key", argc == 1);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_MAP_ENTRY)) cast_error(argv[0], "java.util.Map$Entry");
  return ((kiln_map_entry_obj *)argv[0])->key;
}

KILN_NATIVE(n_val) {
  KILN_ARITY("clojure.core/val", argc == 1);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_MAP_ENTRY)) cast_error(argv[0], "java.util.Map$Entry");
  return ((kiln_map_entry_obj *)argv[0])->val;
}

KILN_NATIVE(n_keys) {
  KILN_ARITY("clojure.core/keys", argc == 1);
  return argv[0] == KILN_NIL ? KILN_NIL : kiln_map_keys(argv[0]);
}

KILN_NATIVE(n_vals) {
  KILN_ARITY("clojure.core/vals", argc == 1);
  return argv[0] == KILN_NIL ? KILN_NIL : kiln_map_vals(argv[0]);
}

KILN_NATIVE(n_empty) {
  KILN_ARITY("clojure.core/empty", argc == 1);
  return kiln_empty(argv[0]);
}

KILN_NATIVE(n_empty_p) {
  KILN_ARITY("clojure.core/empty?", argc == 1);
  if (kiln_is_counted(argv[0])) return KILN_BOOL(kiln_count_int(argv[0]) == 0);
  return KILN_BOOL(kiln_seq(argv[0]) == KILN_NIL);
}

KILN_NATIVE(n_not_empty) {
  KILN_ARITY("clojure.core/not-empty", argc == 1);
  return kiln_seq(argv[0]) == KILN_NIL ? KILN_NIL : argv[0];
}

KILN_NATIVE(n_vector) { return kiln_vec_from(argc, argv); }

KILN_NATIVE(n_vec) {
  KILN_ARITY("clojure.core/vec", argc == 1);
  if (KILN_HAS_TYPE(argv[0], KILN_T_MAP_ENTRY)) return kiln_map_entry_vec(argv[0]);
  return kiln_seq_to_vector(argv[0]);
}

static void check_pairs(uint32_t argc, const kiln_val *argv) {
  if (argc & 1)
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "No value supplied for key: %s", kiln_pr_str(argv[argc - 1]));
}

KILN_NATIVE(n_hash_map) {
  check_pairs(argc, argv);
  return kiln_hash_map_from(argc, argv);
}

KILN_NATIVE(n_array_map) {
  check_pairs(argc, argv);
  return kiln_array_map_from(argc, argv);
}

KILN_NATIVE(n_hash_set) { return kiln_set_from(argc, argv); }

KILN_NATIVE(n_set) {
  KILN_ARITY("clojure.core/set", argc == 1);
  if (KILN_HAS_TYPE(argv[0], KILN_T_HASH_SET)) return kiln_set_with_meta(argv[0], KILN_NIL);
  kiln_val t = kiln_set_transient(kiln_empty_set);
  for (kiln_val s = kiln_seq(argv[0]); s != KILN_NIL; s = kiln_seq_next(s))
    kiln_tset_conj(t, kiln_seq_first(s));
  return kiln_tset_persistent(t);
}

#define PREDICATE(cname, lisp, expr)              \
  KILN_NATIVE(cname) {                            \
    KILN_ARITY("clojure.core/" lisp, argc == 1);  \
    kiln_val x = argv[0];                         \
    return KILN_BOOL(expr);                       \
  }

PREDICATE(n_vector_p, "vector?", kiln_is_vector(x))
PREDICATE(n_map_p, "map?", kiln_is_map(x))
PREDICATE(n_set_p, "set?", kiln_is_set(x))
PREDICATE(n_list_p, "list?", is_list(x))
PREDICATE(n_coll_p, "coll?", kiln_is_coll(x))
PREDICATE(n_sequential_p, "sequential?", kiln_is_sequential(x))
PREDICATE(n_associative_p, "associative?", kiln_is_map(x) || kiln_is_vector(x))
PREDICATE(n_sorted_p, "sorted?",
          KILN_HAS_TYPE(x, KILN_T_SORTED_MAP) || KILN_HAS_TYPE(x, KILN_T_SORTED_SET))
PREDICATE(n_counted_p, "counted?", kiln_is_counted(x))
PREDICATE(n_reversible_p, "reversible?",
          kiln_is_vector(x) || KILN_HAS_TYPE(x, KILN_T_SORTED_MAP) ||
              KILN_HAS_TYPE(x, KILN_T_SORTED_SET))
PREDICATE(n_indexed_p, "indexed?", kiln_is_vector(x))
PREDICATE(n_map_entry_p, "map-entry?", KILN_HAS_TYPE(x, KILN_T_MAP_ENTRY))
PREDICATE(n_reduced_p, "reduced?", KILN_HAS_TYPE(x, KILN_T_REDUCED))

KILN_NATIVE(n_rseq) {
  KILN_ARITY("clojure.core/rseq", argc == 1);
  kiln_val x = argv[0];
  switch (kiln_type_of(x)) {
  case KILN_T_VECTOR:
    return kiln_vec_rseq(x);
  case KILN_T_MAP_ENTRY:
    return kiln_vec_rseq(kiln_map_entry_vec(x));
  case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
    return kiln_sorted_seq(x, false);
  default:
    cast_error(x, "clojure.lang.Reversible");
  }
}

KILN_NATIVE(n_peek) {
  KILN_ARITY("clojure.core/peek", argc == 1);
  return kiln_peek(argv[0]);
}

KILN_NATIVE(n_pop) {
  KILN_ARITY("clojure.core/pop", argc == 1);
  return kiln_pop(argv[0]);
}

KILN_NATIVE(n_subvec) {
  KILN_ARITY("clojure.core/subvec", argc == 2 || argc == 3);
  kiln_val v = argv[0];
  if (KILN_HAS_TYPE(v, KILN_T_MAP_ENTRY)) v = kiln_map_entry_vec(v);
  if (!KILN_HAS_TYPE(v, KILN_T_VECTOR)) cast_error(v, "clojure.lang.IPersistentVector");
  int64_t start = index_of(argv[1]);
  int64_t end = argc == 3 ? index_of(argv[2]) : kiln_vec_count(v);
  return kiln_vec_subvec(v, start, end);
}

KILN_NATIVE(n_transient) {
  KILN_ARITY("clojure.core/transient", argc == 1);
  return kiln_transient(argv[0]);
}

KILN_NATIVE(n_persistent) {
  KILN_ARITY("clojure.core/persistent!", argc == 1);
  return kiln_persistent(argv[0]);
}

KILN_NATIVE(n_conj_t) {
  if (argc == 0) return kiln_vec_transient(kiln_empty_vector);
  KILN_ARITY("clojure.core/conj!", argc <= 2);
  return argc == 1 ? argv[0] : kiln_conj_t(argv[0], argv[1]);
}

KILN_NATIVE(n_assoc_t) {
  KILN_ARITY("clojure.core/assoc!", argc >= 3 && (argc - 1) % 2 == 0);
  kiln_val t = argv[0];
  for (uint32_t i = 1; i < argc; i += 2) t = kiln_assoc_t(t, argv[i], argv[i + 1]);
  return t;
}

KILN_NATIVE(n_dissoc_t) {
  KILN_ARITY("clojure.core/dissoc!", argc >= 2);
  kiln_val t = argv[0];
  for (uint32_t i = 1; i < argc; i++) t = kiln_dissoc_t(t, argv[i]);
  return t;
}

KILN_NATIVE(n_disj_t) {
  KILN_ARITY("clojure.core/disj!", argc >= 1);
  kiln_val t = argv[0];
  for (uint32_t i = 1; i < argc; i++) t = kiln_disj_t(t, argv[i]);
  return t;
}

KILN_NATIVE(n_pop_t) {
  KILN_ARITY("clojure.core/pop!", argc == 1);
  return kiln_pop_t(argv[0]);
}

KILN_NATIVE(n_reduce) {
  KILN_ARITY("clojure.core/reduce", argc == 2 || argc == 3);
  if (argc == 2) return kiln_reduce1(argv[0], take_seq_arg(argv, 1));
  return kiln_reduce(argv[0], argv[1], take_seq_arg(argv, 2));
}

KILN_NATIVE(n_reduce_kv) {
  KILN_ARITY("clojure.core/reduce-kv", argc == 3);
  return reduce_kv(argv[0], argv[1], argv[2]);
}

KILN_NATIVE(n_reduced) {
  KILN_ARITY("clojure.core/reduced", argc == 1);
  return kiln_reduced(argv[0]);
}

KILN_NATIVE(n_unreduced) {
  KILN_ARITY("clojure.core/unreduced", argc == 1);
  return kiln_is_reduced(argv[0]) ? kiln_reduced_value(argv[0]) : argv[0];
}

KILN_NATIVE(n_ensure_reduced) {
  KILN_ARITY("clojure.core/ensure-reduced", argc == 1);
  return kiln_is_reduced(argv[0]) ? argv[0] : kiln_reduced(argv[0]);
}

KILN_NATIVE(n_into) {
  KILN_ARITY("clojure.core/into", argc <= 2);
  if (argc == 0) return kiln_empty_vector;
  if (argc == 1) return argv[0];
  return kiln_into(argv[0], argv[1]);
}

static const kiln_native_def coll_natives[] = {
    {"count", "([coll])", "How many items coll holds: entries of a map, characters (UTF-16 units) of\n  a string, elements of a seq (which is walked to its end). nil counts as 0;\n  anything else throws UnsupportedOperationException.", n_count, 0},
    {"conj", "([] [coll] [coll x] [coll x & xs])", "Adds each x to coll where that kind of collection grows fastest: at the\n  end of a vector, at the front of a list or seq, as a member of a set, as\n  an entry of a map (given as a map entry, a [k v] vector, or a map whose\n  entries are all added). nil acts as the empty list, (conj) is [] and (conj\n  coll) is coll.", n_conj, 0},
    {"assoc", "([map key val] [map key val & kvs])", "For a map, returns a copy of the same kind (hash, array or sorted) in\n  which each key is mapped to the value following it. For a vector, a copy\n  with val stored at index key, which may be one past the end to append; a\n  larger index throws IndexOutOfBoundsException. nil acts as an empty map.", n_assoc, 0},
    {"dissoc", "([map] [map key] [map key & ks])", "map without the entries for the given keys, as a fresh map of its kind\n  (hash, array or sorted); keys that are not there are ignored. nil gives\n  nil.", n_dissoc, 0},
    {"disj", "([set] [set key] [set key & ks])", "set without the given members, as a fresh set of its kind (hash or\n  sorted); values that are not members are ignored. nil gives nil.", n_disj, 0},
    {"get", "([map key] [map key not-found])", "Looks key up in map: the value under that key of a map or record, the\n  member equal to key of a set, the item at an integer index of a vector or\n  string. Gives not-found (default nil) when there is nothing there, and for\n  anything that supports no lookup.", n_get, 0},
    {"nth", "([coll index] [coll index not-found])", "The item at the integer index of a vector, string, list or seq (walking a\n  seq from its start). Out of range it returns not-found when one is given\n  and throws IndexOutOfBoundsException when not; get, by contrast, answers\n  nil.", n_nth, 0},
    {"contains?", "([coll key])", "True when key has an entry in coll: a key of a map, a member of a set, or,\n  for vectors and strings, an index in range (it asks about indexes, not\n  about the values stored there). Never searches linearly; use some for\n  that.", n_contains_p, 0},
    {"find", "([map key])", "The entry [key value] of map for key as a map entry, or nil when key is\n  absent. On a vector the key is an index.", n_find, 0},
    {"key", "([e])", "e's key: the first of a map entry's two halves.", n_key, 0},
    {"val", "([e])", "e's value: the second of a map entry's two halves.", n_val, 0},
    {"keys", "([map])", "The keys of map as a seq, in the order (seq map) gives its entries; nil\n  when map is empty.", n_keys, 0},
    {"vals", "([map])", "The values of map as a seq, in the order (seq map) gives its entries; nil\n  when map is empty.", n_vals, 0},
    {"empty", "([coll])", "An empty collection like coll (same kind, same metadata); nil when coll is\n  not a collection (a string, a map entry, nil).", n_empty, 0},
    {"empty?", "([coll])", "True when (seq coll) is nil, that is when coll has no items. To test for\n  items, (seq coll) is the idiomatic form.", n_empty_p, 0},
    {"not-empty", "([coll])", "coll itself when it has at least one item; nil when it is empty.", n_not_empty, 0},
    {"vector", "([] [a] [a b] [a b c] [a b c d] [a b c d e] [a b c d e f] [a b c d e f & args])", "A vector holding the arguments in order.", n_vector, 0},
    {"vec", "([coll])", "A vector holding the items of coll in order (a map gives its entries). A\n  vector comes back with its metadata removed.", n_vec, 0},
    {"hash-map", "([] [& keyvals])", "A hash map of the key/value pairs given as alternating arguments; when a\n  key repeats, its last value wins, as with repeated assoc.", n_hash_map, 0},
    {"array-map", "([] [& keyvals])", "A map of the key/value pairs given as alternating arguments that keeps\n  them in the order given; when a key repeats, its last value wins.", n_array_map, 0},
    {"hash-set", "([] [& keys])", "A hash set of the arguments; repeats are kept once, as with repeated conj.", n_hash_set, 0},
    {"set", "([coll])", "A hash set holding each distinct item of coll once.", n_set, 0},
    {"vector?", "([x])", "True when x is a vector (a map entry counts as one).", n_vector_p, 0},
    {"map?", "([x])", "True when x is a map: an array map, hash map, sorted map or record.", n_map_p, 0},
    {"set?", "([x])", "True when x is a set, hashed or sorted.", n_set_p, 0},
    {"list?", "([x])", "True when x is a list made by list, '(...) or conj onto a list; other\n  seqs, even lazy ones that look alike, are not lists.", n_list_p, 0},
    {"coll?", "([x])", "True when x is a persistent collection: a list or other seq, vector, map\n  or set. Strings and nil are not.", n_coll_p, 0},
    {"sequential?", "([coll])", "True when x is ordered by position: a list, seq, lazy seq, vector or map\n  entry.", n_sequential_p, 0},
    {"associative?", "([coll])", "True when x supports assoc by key: a map, record or vector.", n_associative_p, 0},
    {"sorted?", "([coll])", "True when x is a sorted map or sorted set.", n_sorted_p, 0},
    {"counted?", "([coll])", "True when (count x) needs no walk over x: lists, vectors, maps, sets,\n  ranges with an end and other collections that store their size. Lazy seqs are not\n  counted.", n_counted_p, 0},
    {"reversible?", "([coll])", "True when rseq works on x: a vector, sorted map or sorted set.", n_reversible_p, 0},
    {"indexed?", "([coll])", "True when nth on x takes constant time, which in Kiln means x is a vector.", n_indexed_p, 0},
    {"map-entry?", "([x])", "True for map entries, the [k v] pairs that the seq of a map yields.", n_map_entry_p, 0},
    {"rseq", "([rev])", "The items of a vector, sorted map or sorted set back to front, as a seq\n  made in constant time; an empty rev gives nil.", n_rseq, 0},
    {"peek", "([coll])", "The item pop would remove: the first of a list or queue, the last of a\n  vector (a quick alternative to last). nil for an empty collection or nil.", n_peek, 0},
    {"pop", "([coll])", "A collection without the item peek shows: a list without its first item, a\n  vector without its last. An empty list or vector throws\n  IllegalStateException. Unlike rest or butlast, the result keeps the\n  collection's kind.", n_pop, 0},
    {"subvec", "([v start] [v start end])", "A vector of the items of v from index start up to, not including, index\n  end (the count of v by default). It is made in constant time and shares\n  v's storage. Indexes out of order or out of range throw\n  IndexOutOfBoundsException.", n_subvec, 0},
    {"transient", "([coll])", "A mutable version of coll, a vector, map (array or hash) or hash set,\n  made in constant time, for building a collection quickly with conj!,\n  assoc!, dissoc!, disj! and pop!. Sorted collections and other values\n  throw.", n_transient, 0},
    {"persistent!", "([coll])", "Freezes the transient coll into a persistent collection in constant time\n  and returns it. Any later use of the transient throws.", n_persistent, 0},
    {"conj!", "([] [coll] [coll x])", "Puts x into the transient coll where its kind of collection grows (the end\n  of a vector, a member of a set, an entry of a map) and returns coll.\n  (conj!) makes a new transient vector; (conj! coll) returns coll.", n_conj_t, 0},
    {"assoc!", "([coll key val] [coll key val & kvs])", "Puts each val under its key in the transient map coll, or at its index in\n  the transient vector coll (an index equal to the count appends). Returns\n  coll.", n_assoc_t, 0},
    {"dissoc!", "([map key] [map key & ks])", "Removes the entries for the given keys from the transient map and returns\n  it.", n_dissoc_t, 0},
    {"disj!", "([set] [set key] [set key & ks])", "Removes the given keys from the transient set and returns it.", n_disj_t, 0},
    {"pop!", "([coll])", "Drops the final item of the transient vector coll and returns coll; an\n  empty one throws IllegalStateException.", n_pop_t, 0},
    {"reduce", "([f coll] [f val coll])", "Folds coll with the two-argument f. Given val, calls (f val first-item),\n  then f of that result and the next item, and so on; an empty coll returns\n  val without calling f. Without val, the first two items start the fold, a\n  one-item coll returns its item and an empty coll returns (f). A reduced\n  result stops the fold early.", n_reduce, 0},
    {"reduce-kv", "([f init coll])", "Folds a map with the three-argument f: calls (f init k v) for the first\n  entry, then f of that result with the next key and value, and so on. A\n  vector's keys are its indexes. An empty coll or nil returns init without\n  calling f; a reduced result stops early.", n_reduce_kv, 0},
    {"reduced", "([x])", "Wraps x so that reduce (and transduce) stops and returns x at once.", n_reduced, 0},
    {"reduced?", "([x])", "True when x is a wrapper made by reduced.", n_reduced_p, 0},
    {"unreduced", "([x])", "The value inside x when x comes from reduced; x itself otherwise.", n_unreduced, 0},
    {"ensure-reduced", "([x])", "x when it is already wrapped by reduced, otherwise (reduced x).", n_ensure_reduced, 0},
    {"into", "([] [to] [to from])", "Adds every item of from to to with conj, so the result keeps to's kind and\n  metadata (a list receives the items in reverse order). (into) is [] and\n  (into to) is to. This native has no transducer arity; the into that\n  lib/clojure/core_seq.clj defines over it adds one.", n_into, 0},
};

void kiln_coll_register_natives(void) {
  kiln_natives_register("clojure.core", coll_natives, KILN_ARRAY_LEN(coll_natives));
  kiln_sorted_register_natives();
}
