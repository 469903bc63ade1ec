/*
 * set.c — hash sets and their transients.
 *
 * As clojure.lang.PersistentHashSet, a set is a hash map from each element to
 * itself, so its iteration order is the hash map's. A set is always a hash
 * set, even when small (there is no array set on the JVM either).
 */
#include "runtime/rt.h"

kiln_val kiln_empty_set;

void kiln_set_init(void) {
  if (kiln_empty_set) return;
  kiln_hash_set *s = kiln_alloc_root(sizeof *s);
  s->h.type = KILN_T_HASH_SET;
  s->map = kiln_empty_hash_map;
  kiln_empty_set = (kiln_val)s;
}

static kiln_val set_make(kiln_val map, kiln_val meta) {
  kiln_hash_set *s = kiln_obj_new(KILN_T_HASH_SET, sizeof *s);
  s->map = map;
  s->meta = meta;
  return (kiln_val)s;
}

kiln_val kiln_set_from(uint32_t n, const kiln_val *items) {
  kiln_val t = kiln_set_transient(kiln_empty_set);
  for (uint32_t i = 0; i < n; i++) kiln_tset_conj(t, items[i]);
  return kiln_tset_persistent(t);
}

kiln_val kiln_set_conj(kiln_val sv, kiln_val x) {
  kiln_hash_set *s = (kiln_hash_set *)sv;
  if (kiln_map_contains(s->map, x)) return sv;
  return set_make(kiln_map_assoc(s->map, x, x), s->meta);
}

kiln_val kiln_set_disj(kiln_val sv, kiln_val x) {
  kiln_hash_set *s = (kiln_hash_set *)sv;
  kiln_val m = kiln_map_dissoc(s->map, x);
  return m == s->map ? sv : set_make(m, s->meta);
}

bool kiln_set_contains(kiln_val s, kiln_val x) {
  if (KILN_HAS_TYPE(s, KILN_T_SORTED_SET)) return kiln_sorted_lookup(s, x) != NULL;
  return kiln_map_contains(((kiln_hash_set *)s)->map, x);
}

kiln_val kiln_set_get(kiln_val s, kiln_val x, kiln_val not_found) {
  if (KILN_HAS_TYPE(s, KILN_T_SORTED_SET)) {
    kiln_rbnode *n = kiln_sorted_lookup(s, x);
    return n ? n->key : not_found;
  }
  return kiln_map_get(((kiln_hash_set *)s)->map, x, not_found);
}

uint32_t kiln_set_count(kiln_val s) {
  if (KILN_HAS_TYPE(s, KILN_T_SORTED_SET)) return ((kiln_sorted *)s)->cnt;
  return kiln_map_count(((kiln_hash_set *)s)->map);
}

kiln_val kiln_set_seq(kiln_val s) {
  if (KILN_HAS_TYPE(s, KILN_T_SORTED_SET)) return kiln_sorted_seq(s, true);
  return kiln_map_keys(((kiln_hash_set *)s)->map);
}

kiln_val kiln_set_with_meta(kiln_val sv, kiln_val meta) {
  if (KILN_HAS_TYPE(sv, KILN_T_SORTED_SET)) return kiln_sorted_with_meta(sv, meta);
  return set_make(((kiln_hash_set *)sv)->map, meta);
}

kiln_val kiln_set_transient(kiln_val sv) {
  kiln_hash_set *t = kiln_obj_new(KILN_T_TRANSIENT_SET, sizeof *t);
  t->map = kiln_map_transient(((kiln_hash_set *)sv)->map);
  t->meta = KILN_NIL;
  return (kiln_val)t;
}

kiln_val kiln_tset_conj(kiln_val tv, kiln_val x) {
  kiln_hash_set *t = (kiln_hash_set *)tv;
  t->map = kiln_tmap_assoc(t->map, x, x);
  return tv;
}

kiln_val kiln_tset_disj(kiln_val tv, kiln_val x) {
  kiln_hash_set *t = (kiln_hash_set *)tv;
  t->map = kiln_tmap_dissoc(t->map, x);
  return tv;
}

kiln_val kiln_tset_persistent(kiln_val tv) {
  kiln_hash_set *t = (kiln_hash_set *)tv;
  return set_make(kiln_tmap_persistent(t->map), KILN_NIL);
}
