/*
 * list.c — persistent lists and Cons cells.
 *
 * A list (clojure.lang.PersistentList) is counted: each cell knows the length
 * of the list it starts, so count is O(1). The empty list is one shared
 * object unless it carries metadata. Clojure's cons onto nil builds a list;
 * onto anything else a Cons whose rest is that value's seq.
 */
#include "runtime/rt.h"

kiln_val kiln_empty_list;

static kiln_val empty_list_new(kiln_val meta) {
  kiln_list *l = kiln_obj_new(KILN_T_EMPTY_LIST, sizeof *l);
  l->first = KILN_NIL;
  l->rest = KILN_NIL;
  l->meta = meta;
  return (kiln_val)l;
}

void kiln_list_init(void) {
  if (kiln_empty_list) return;
  kiln_list *l = kiln_alloc_root(sizeof *l);
  l->h.type = KILN_T_EMPTY_LIST;
  kiln_empty_list = (kiln_val)l;
}

kiln_val kiln_list_cons(kiln_val x, kiln_val list) {
  kiln_list *l = kiln_obj_new(KILN_T_LIST, sizeof *l);
  l->first = x;
  if (KILN_HAS_TYPE(list, KILN_T_LIST)) {
    l->rest = list;
    l->count = ((kiln_list *)list)->count + 1;
  } else {
    l->rest = kiln_empty_list;
    l->count = 1;
  }
  l->meta = KILN_NIL;
  return (kiln_val)l;
}

kiln_val kiln_list_from(uint32_t n, const kiln_val *items) {
  kiln_val l = kiln_empty_list;
  for (uint32_t i = n; i > 0; i--) l = kiln_list_cons(items[i - 1], l);
  return l;
}

kiln_val kiln_cons(kiln_val x, kiln_val seqable) {
  if (seqable == KILN_NIL) return kiln_list_cons(x, seqable);
  kiln_cons_obj *c = kiln_obj_new(KILN_T_CONS, sizeof *c);
  c->first = x;
  c->more = kiln_is_seq(seqable) ? seqable : kiln_seq(seqable);
  c->meta = KILN_NIL;
  return (kiln_val)c;
}

/* Metadata on lists and conses; called by kiln_with_meta. */
kiln_val kiln_list_with_meta(kiln_val x, kiln_val meta) {
  switch (kiln_type_of(x)) {
  case KILN_T_EMPTY_LIST:
    return meta == KILN_NIL ? kiln_empty_list : empty_list_new(meta);
  case KILN_T_LIST: {
    kiln_list *l = kiln_obj_new(KILN_T_LIST, sizeof *l);
    *l = *(kiln_list *)x;
    l->meta = meta;
    return (kiln_val)l;
  }
  case KILN_T_CONS: {
    kiln_cons_obj *c = kiln_obj_new(KILN_T_CONS, sizeof *c);
    *c = *(kiln_cons_obj *)x;
    c->meta = meta;
    return (kiln_val)c;
  }
  default:
    return x;
  }
}
