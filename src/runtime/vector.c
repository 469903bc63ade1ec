/*
 * vector.c — the persistent vector, its transient, subvec and map entries.
 *
 * The layout is Clojure's PersistentVector: a trie of 32-way nodes whose
 * leaves hold the items, plus a tail of up to 32 items that conj fills
 * before the tail is pushed into the trie. [shift] is the bit depth of the
 * root (5 for a one-level trie). Items below tailoff() live in the trie; the
 * rest in the tail. A transient's tail has room for 32; persistent tails
 * grow as conj claims their slots (see tail_hdr).
 *
 * Nodes carry the edit token of the transient that created them: a transient
 * mutates nodes that carry its live token and copies the others first.
 * persistent! kills the token, so the nodes become immutable for good.
 *
 * Tails may be interior pointers: a persistent vector's tail usually shares
 * its vector's allocation (and is shared, in place, by vectors derived from
 * it), and a transient's tail is the item array of a node. This relies on
 * the collector recognising interior pointers, bdwgc's default.
 *
 * A subvec is a KILN_T_VECTOR with KILN_VEC_SUB: a window [start, start+cnt)
 * over a plain vector, O(1) to make, as Clojure's APersistentVector$SubVector.
 */
#include <string.h>

#include "runtime/rt.h"

/* memcpy and memmove that accept a null pointer with a zero length (empty
 * collections have no item arrays). */
static inline void kcopy(void *dst, const void *src, size_t n) {
  if (n) memcpy(dst, src, n);
}
static inline void kmove(void *dst, const void *src, size_t n) {
  if (n) memmove(dst, src, n);
}

#define VSHIFT 5u
#define VWIDTH 32u
#define VMASK 31u

kiln_val kiln_empty_vector;
static kiln_vnode *empty_node;

typedef struct kiln_edit {
  volatile int live;
} kiln_edit;

void *kiln_edit_new(void) {
  kiln_edit *e = kiln_alloc(sizeof *e);
  e->live = 1;
  return e;
}

void kiln_edit_kill(void *edit) { __atomic_store_n(&((kiln_edit *)edit)->live, 0, __ATOMIC_RELEASE); }

void kiln_transient_check(void *edit) {
  if (!edit || !__atomic_load_n(&((kiln_edit *)edit)->live, __ATOMIC_ACQUIRE))
    kiln_throwf("java.lang.IllegalAccessError", "Transient used after persistent! call");
}

void kiln_vector_init(void) {
  if (kiln_empty_vector) return;
  empty_node = kiln_alloc_root(sizeof *empty_node);
  kiln_vector *v = kiln_alloc_root(sizeof *v);
  v->h.type = KILN_T_VECTOR;
  v->shift = VSHIFT;
  v->root = empty_node;
  v->tail = (kiln_val *)kiln_alloc_root(2 * sizeof(kiln_val)) + 1; /* header 0: no room */
  kiln_empty_vector = (kiln_val)v;
}

static KILN_NORETURN void index_error(void) {
  kiln_throw(kiln_ex_new(KILN_EX_INDEX, KILN_NIL, KILN_NIL, KILN_NIL));
}

static inline uint32_t tailoff(const kiln_vector *v) {
  return v->cnt < VWIDTH ? 0 : ((v->cnt - 1) >> VSHIFT) << VSHIFT;
}

static kiln_vnode *node_new(void *edit) {
  kiln_vnode *n = kiln_alloc(sizeof *n);
  n->edit = edit;
  return n;
}

static kiln_val *tail_node_new(void *edit);

static kiln_vnode *node_clone(const kiln_vnode *src, void *edit) {
  kiln_vnode *n = kiln_alloc(sizeof *n);
  kcopy(n->a, src->a, sizeof n->a);
  n->edit = edit;
  return n;
}

static kiln_vector *vec_alloc(kiln_type type) {
  kiln_vector *v = kiln_obj_new(type, sizeof *v);
  return v;
}

static kiln_vector *vec_make(uint32_t cnt, uint32_t shift, kiln_vnode *root, kiln_val *tail,
                             kiln_val meta) {
  kiln_vector *v = vec_alloc(KILN_T_VECTOR);
  v->cnt = cnt;
  v->shift = shift;
  v->root = root;
  v->tail = tail;
  v->meta = meta;
  return v;
}

/*
 * A persistent tail is preceded by one header word: the slots claimed so far
 * (fill, low 32 bits) and the slots allocated (cap, high 32 bits). conj onto
 * a vector whose tail has room and whose length is the tail's fill claims
 * the next slot with a CAS and shares the tail, so a run of conj allocates
 * only vector headers; every other conj copies. A vector reads only the
 * slots below its own length, which no later claim touches.
 */
static inline uint64_t *tail_hdr(const kiln_val *tail) { return (uint64_t *)tail - 1; }

static kiln_val *tail_alloc(uint32_t cap, uint32_t fill) {
  uint64_t *b = kiln_alloc((cap + 1) * sizeof(uint64_t));
  b[0] = fill | (uint64_t)cap << 32;
  return (kiln_val *)(b + 1);
}

/* A persistent vector whose new, full tail of [ntail] slots shares its allocation. */
static kiln_vector *vec_make_tail(uint32_t cnt, uint32_t shift, kiln_vnode *root, uint32_t ntail,
                                  kiln_val meta) {
  kiln_vector *v = kiln_obj_new(KILN_T_VECTOR, sizeof *v + (ntail + 1) * sizeof(kiln_val));
  v->cnt = cnt;
  v->shift = shift;
  v->root = root;
  uint64_t *b = (uint64_t *)(v + 1);
  b[0] = ntail | (uint64_t)ntail << 32;
  v->tail = (kiln_val *)(b + 1);
  v->meta = meta;
  return v;
}

static inline const kiln_val *array_for(const kiln_vector *v, uint32_t i) {
  if (i >= tailoff(v)) return v->tail;
  const kiln_vnode *n = v->root;
  for (uint32_t level = v->shift; level > 0; level -= VSHIFT) n = n->a[(i >> level) & VMASK];
  return (const kiln_val *)n->a;
}

const kiln_val *kiln_vec_leaf(kiln_val v, uint32_t i) { return array_for((kiln_vector *)v, i); }

uint32_t kiln_vec_count(kiln_val v) { return ((kiln_vector *)v)->cnt; }

static kiln_vnode *new_path(void *edit, uint32_t level, kiln_vnode *node) {
  if (level == 0) return node;
  kiln_vnode *r = node_new(edit);
  r->a[0] = new_path(edit, level - VSHIFT, node);
  return r;
}

static kiln_vnode *push_tail(uint32_t cnt, uint32_t level, const kiln_vnode *parent,
                             kiln_vnode *tailnode) {
  uint32_t sub = ((cnt - 1) >> level) & VMASK;
  kiln_vnode *r = node_clone(parent, NULL);
  kiln_vnode *ins;
  if (level == VSHIFT) {
    ins = tailnode;
  } else {
    kiln_vnode *child = parent->a[sub];
    ins = child ? push_tail(cnt, level - VSHIFT, child, tailnode)
                : new_path(NULL, level - VSHIFT, tailnode);
  }
  r->a[sub] = ins;
  return r;
}

static kiln_val sub_conj(kiln_vector *s, kiln_val x) {
  kiln_vector *r = vec_alloc(KILN_T_VECTOR);
  *r = *s;
  r->h.flags = KILN_VEC_SUB;
  r->sub = kiln_vec_assoc(s->sub, s->start + s->cnt, x);
  r->cnt = s->cnt + 1;
  return (kiln_val)r;
}

kiln_val kiln_vec_conj(kiln_val vv, kiln_val x) {
  kiln_vector *v = (kiln_vector *)vv;
  if (v->h.flags & KILN_VEC_SUB) return sub_conj(v, x);
  uint32_t cnt = v->cnt, to = tailoff(v);
  if (cnt - to < VWIDTH) {
    uint32_t n = cnt - to;
    uint64_t *h = tail_hdr(v->tail);
    uint64_t hv = __atomic_load_n(h, __ATOMIC_ACQUIRE);
    kiln_val *tail;
    if ((uint32_t)hv == n && (uint32_t)(hv >> 32) > n &&
        __atomic_compare_exchange_n(h, &hv, hv + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
      tail = v->tail;
    } else {
      uint32_t cap = n < 2 ? 4 : 2 * (n + 1);
      tail = tail_alloc(cap > VWIDTH ? VWIDTH : cap, n + 1);
      kcopy(tail, v->tail, n * sizeof(kiln_val));
    }
    tail[n] = x;
    return (kiln_val)vec_make(cnt + 1, v->shift, v->root, tail, v->meta);
  }
  kiln_vnode *tailnode = node_new(NULL);
  kcopy(tailnode->a, v->tail, VWIDTH * sizeof(kiln_val));
  kiln_vnode *root;
  uint32_t shift = v->shift;
  if ((cnt >> VSHIFT) > (1u << shift)) {
    root = node_new(NULL);
    root->a[0] = v->root;
    root->a[1] = new_path(NULL, shift, tailnode);
    shift += VSHIFT;
  } else {
    root = push_tail(cnt, shift, v->root, tailnode);
  }
  kiln_val *tail = tail_alloc(VWIDTH, 1);
  tail[0] = x;
  return (kiln_val)vec_make(cnt + 1, shift, root, tail, v->meta);
}

kiln_val kiln_vec_nth(kiln_val vv, int64_t i, kiln_val not_found, bool throw_if_missing) {
  const kiln_vector *v = (const kiln_vector *)vv;
  if (i >= 0 && (uint64_t)i < v->cnt) {
    if (v->h.flags & KILN_VEC_SUB) {
      v = (const kiln_vector *)v->sub;
      i += ((const kiln_vector *)vv)->start;
    }
    return array_for(v, (uint32_t)i)[i & VMASK];
  }
  if (throw_if_missing) index_error();
  return not_found;
}

kiln_val kiln_vec_peek(kiln_val v) {
  uint32_t n = kiln_vec_count(v);
  return n ? kiln_vec_nth(v, n - 1, KILN_NIL, false) : KILN_NIL;
}

static kiln_vnode *do_assoc(uint32_t level, const kiln_vnode *node, uint32_t i, kiln_val x) {
  kiln_vnode *r = node_clone(node, NULL);
  if (level == 0) {
    r->a[i & VMASK] = (void *)x;
  } else {
    uint32_t sub = (i >> level) & VMASK;
    r->a[sub] = do_assoc(level - VSHIFT, node->a[sub], i, x);
  }
  return r;
}

kiln_val kiln_vec_assoc(kiln_val vv, int64_t i, kiln_val x) {
  kiln_vector *v = (kiln_vector *)vv;
  if (v->h.flags & KILN_VEC_SUB) {
    if (i < 0 || i > v->cnt) index_error();
    if (i == v->cnt) return sub_conj(v, x);
    kiln_vector *r = vec_alloc(KILN_T_VECTOR);
    *r = *v;
    r->h.flags = KILN_VEC_SUB;
    r->sub = kiln_vec_assoc(v->sub, v->start + i, x);
    return (kiln_val)r;
  }
  if (i >= 0 && i < v->cnt) {
    uint32_t ui = (uint32_t)i, to = tailoff(v);
    if (ui >= to) {
      uint32_t n = v->cnt - to;
      kiln_val *tail = tail_alloc(n, n);
      kcopy(tail, v->tail, n * sizeof(kiln_val));
      tail[ui & VMASK] = x;
      return (kiln_val)vec_make(v->cnt, v->shift, v->root, tail, v->meta);
    }
    return (kiln_val)vec_make(v->cnt, v->shift, do_assoc(v->shift, v->root, ui, x), v->tail,
                              v->meta);
  }
  if (i == v->cnt) return kiln_vec_conj(vv, x);
  index_error();
}

static kiln_vnode *pop_tail(uint32_t cnt, uint32_t level, const kiln_vnode *node, void *edit) {
  uint32_t sub = ((cnt - 2) >> level) & VMASK;
  if (level > VSHIFT) {
    kiln_vnode *child = pop_tail(cnt, level - VSHIFT, node->a[sub], edit);
    if (!child && sub == 0) return NULL;
    kiln_vnode *r = (edit && node->edit == edit) ? (kiln_vnode *)node : node_clone(node, edit);
    r->a[sub] = child;
    return r;
  }
  if (sub == 0) return NULL;
  kiln_vnode *r = (edit && node->edit == edit) ? (kiln_vnode *)node : node_clone(node, edit);
  r->a[sub] = NULL;
  return r;
}

kiln_val kiln_vec_pop(kiln_val vv) {
  kiln_vector *v = (kiln_vector *)vv;
  if (v->cnt == 0) kiln_throwf(KILN_EX_ILLEGAL_STATE, "Can't pop empty vector");
  if (v->h.flags & KILN_VEC_SUB) {
    if (v->cnt == 1) return kiln_with_meta(kiln_empty_vector, v->meta);
    kiln_vector *r = vec_alloc(KILN_T_VECTOR);
    *r = *v;
    r->h.flags = KILN_VEC_SUB;
    r->cnt--;
    return (kiln_val)r;
  }
  if (v->cnt == 1) return kiln_with_meta(kiln_empty_vector, v->meta);
  uint32_t to = tailoff(v);
  if (v->cnt - to > 1) {
    /* The shorter vector shares the tail; its fill stays above the new
     * length, so a conj onto it copies. */
    return (kiln_val)vec_make(v->cnt - 1, v->shift, v->root, v->tail, v->meta);
  }
  const kiln_val *leaf = array_for(v, v->cnt - 2);
  kiln_val *tail = tail_alloc(VWIDTH, VWIDTH);
  kcopy(tail, leaf, VWIDTH * sizeof(kiln_val));
  kiln_vnode *root = pop_tail(v->cnt, v->shift, v->root, NULL);
  uint32_t shift = v->shift;
  if (!root) root = empty_node;
  if (shift > VSHIFT && root->a[1] == NULL) {
    root = root->a[0];
    shift -= VSHIFT;
  }
  return (kiln_val)vec_make(v->cnt - 1, shift, root, tail, v->meta);
}

kiln_val kiln_vec_from(uint32_t n, const kiln_val *items) {
  if (n == 0) return kiln_empty_vector;
  if (n <= VWIDTH) {
    kiln_vector *v = vec_make_tail(n, VSHIFT, empty_node, n, KILN_NIL);
    kcopy(v->tail, items, n * sizeof(kiln_val));
    return (kiln_val)v;
  }
  kiln_val t = kiln_vec_transient(kiln_empty_vector);
  for (uint32_t i = 0; i < n; i++) kiln_tvec_conj(t, items[i]);
  return kiln_tvec_persistent(t);
}

kiln_val kiln_vec_with_meta(kiln_val vv, kiln_val meta) {
  kiln_vector *r = vec_alloc(KILN_T_VECTOR);
  *r = *(kiln_vector *)vv;
  r->meta = meta;
  return (kiln_val)r;
}

kiln_val kiln_vec_subvec(kiln_val vv, int64_t start, int64_t end) {
  kiln_vector *v = (kiln_vector *)vv;
  if (end > v->cnt || start > end || start < 0) index_error();
  if (start == end) return kiln_empty_vector;
  kiln_vector *r = vec_alloc(KILN_T_VECTOR);
  r->h.flags = KILN_VEC_SUB;
  if (v->h.flags & KILN_VEC_SUB) {
    r->sub = v->sub;
    r->start = v->start + (uint32_t)start;
  } else {
    r->sub = vv;
    r->start = (uint32_t)start;
  }
  r->cnt = (uint32_t)(end - start);
  r->shift = VSHIFT;
  r->root = empty_node;
  r->meta = KILN_NIL;
  return (kiln_val)r;
}

/* ---- seqs and reduce -------------------------------------------------- */

kiln_val kiln_vec_seq(kiln_val vv) {
  kiln_vector *v = (kiln_vector *)vv;
  if (v->cnt == 0) return KILN_NIL;
  kiln_val base = vv;
  uint32_t start = 0;
  if (v->h.flags & KILN_VEC_SUB) {
    base = v->sub;
    start = v->start;
  }
  kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_VEC, base);
  s->i = start;
  s->end = start + v->cnt;
  s->node = (void *)array_for((kiln_vector *)base, start);
  return (kiln_val)s;
}

kiln_val kiln_vec_rseq(kiln_val vv) {
  kiln_vector *v = (kiln_vector *)vv;
  if (v->cnt == 0) return KILN_NIL;
  kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_RVEC, vv);
  s->i = v->cnt - 1;
  s->end = -1;
  return (kiln_val)s;
}

kiln_val kiln_vec_reduce(kiln_val vv, kiln_val f, kiln_val acc) {
  if (KILN_HAS_TYPE(vv, KILN_T_MAP_ENTRY)) {
    const kiln_map_entry_obj *e = (const kiln_map_entry_obj *)vv;
    acc = kiln_call2(f, acc, e->key);
    if (kiln_is_reduced(acc)) return kiln_reduced_value(acc);
    acc = kiln_call2(f, acc, e->val);
    return kiln_is_reduced(acc) ? kiln_reduced_value(acc) : acc;
  }
  const kiln_vector *v = (const kiln_vector *)vv;
  uint32_t i = 0, end = v->cnt;
  if (v->h.flags & KILN_VEC_SUB) {
    i = v->start;
    end = v->start + v->cnt;
    v = (const kiln_vector *)v->sub;
  }
  while (i < end) {
    const kiln_val *leaf = array_for(v, i);
    uint32_t stop = (i | VMASK) + 1;
    if (stop > end) stop = end;
    for (; i < stop; i++) {
      acc = kiln_coll_call2(f, acc, leaf[i & VMASK]);
      if (KILN_HAS_TYPE(acc, KILN_T_REDUCED)) return ((kiln_reduced_obj *)acc)->val;
    }
  }
  return acc;
}

/* ---- transients ------------------------------------------------------- */

static kiln_vector *tvec(kiln_val t) {
  kiln_vector *v = (kiln_vector *)t;
  kiln_transient_check(v->edit);
  return v;
}

kiln_val kiln_vec_transient(kiln_val vv) {
  kiln_vector *v = (kiln_vector *)vv;
  if (v->h.flags & KILN_VEC_SUB) {
    kiln_val t = kiln_vec_transient(kiln_empty_vector);
    for (uint32_t i = 0; i < v->cnt; i++) kiln_tvec_conj(t, kiln_vec_nth(vv, i, KILN_NIL, true));
    return t;
  }
  kiln_vector *t = vec_alloc(KILN_T_TRANSIENT_VECTOR);
  t->edit = kiln_edit_new();
  t->cnt = v->cnt;
  t->shift = v->shift;
  t->root = node_clone(v->root, t->edit);
  t->tail = tail_node_new(t->edit);
  kcopy(t->tail, v->tail, (v->cnt - tailoff(v)) * sizeof(kiln_val));
  t->meta = KILN_NIL;
  return (kiln_val)t;
}

static kiln_vnode *ensure_editable(kiln_vector *t, kiln_vnode *node) {
  if (node->edit == t->edit) return node;
  return node_clone(node, t->edit);
}

static kiln_vnode *tpush_tail(kiln_vector *t, uint32_t level, kiln_vnode *parent,
                              kiln_vnode *tailnode) {
  parent = ensure_editable(t, parent);
  uint32_t sub = ((t->cnt - 1) >> level) & VMASK;
  kiln_vnode *ins;
  if (level == VSHIFT) {
    ins = tailnode;
  } else {
    kiln_vnode *child = parent->a[sub];
    ins = child ? tpush_tail(t, level - VSHIFT, child, tailnode)
                : new_path(t->edit, level - VSHIFT, tailnode);
  }
  parent->a[sub] = ins;
  return parent;
}

/* A transient's tail lives in a node of its own, so a full tail moves into
 * the trie as it is: one allocation per 32 conj!s. */
static kiln_val *tail_node_new(void *edit) { return (kiln_val *)node_new(edit)->a; }

static inline kiln_vnode *tail_node_of(kiln_val *tail) {
  return (kiln_vnode *)((char *)tail - offsetof(kiln_vnode, a));
}

static __attribute__((noinline)) kiln_val tvec_conj_slow(kiln_vector *t, kiln_val x) {
  kiln_vnode *tailnode = tail_node_of(t->tail);
  t->tail = tail_node_new(t->edit);
  t->tail[0] = x;
  if ((t->cnt >> VSHIFT) > (1u << t->shift)) {
    kiln_vnode *root = node_new(t->edit);
    root->a[0] = t->root;
    root->a[1] = new_path(t->edit, t->shift, tailnode);
    t->root = root;
    t->shift += VSHIFT;
  } else {
    t->root = tpush_tail(t, t->shift, t->root, tailnode);
  }
  t->cnt++;
  return (kiln_val)t;
}

kiln_val kiln_tvec_conj(kiln_val tt, kiln_val x) {
  kiln_vector *t = (kiln_vector *)tt;
  if (__builtin_expect(!t->edit || !((kiln_edit *)t->edit)->live, 0)) kiln_transient_check(t->edit);
  uint32_t i = t->cnt;
  if (i - tailoff(t) < VWIDTH) {
    t->tail[i & VMASK] = x;
    t->cnt = i + 1;
    return tt;
  }
  return tvec_conj_slow(t, x);
}

static const kiln_val *tarray_for(kiln_vector *t, uint32_t i) {
  if (i >= tailoff(t)) return t->tail;
  const kiln_vnode *n = t->root;
  for (uint32_t level = t->shift; level > 0; level -= VSHIFT) n = n->a[(i >> level) & VMASK];
  return (const kiln_val *)n->a;
}

kiln_val kiln_tvec_nth(kiln_val tt, int64_t i, kiln_val not_found, bool throw_if_missing) {
  kiln_vector *t = tvec(tt);
  if (i >= 0 && (uint64_t)i < t->cnt) return tarray_for(t, (uint32_t)i)[i & VMASK];
  if (throw_if_missing) index_error();
  return not_found;
}

static kiln_vnode *tdo_assoc(kiln_vector *t, uint32_t level, kiln_vnode *node, uint32_t i,
                             kiln_val x) {
  node = ensure_editable(t, node);
  if (level == 0) {
    node->a[i & VMASK] = (void *)x;
  } else {
    uint32_t sub = (i >> level) & VMASK;
    node->a[sub] = tdo_assoc(t, level - VSHIFT, node->a[sub], i, x);
  }
  return node;
}

kiln_val kiln_tvec_assoc(kiln_val tt, int64_t i, kiln_val x) {
  kiln_vector *t = tvec(tt);
  if (i >= 0 && i < t->cnt) {
    if ((uint32_t)i >= tailoff(t)) t->tail[i & VMASK] = x;
    else t->root = tdo_assoc(t, t->shift, t->root, (uint32_t)i, x);
    return tt;
  }
  if (i == t->cnt) return kiln_tvec_conj(tt, x);
  index_error();
}

kiln_val kiln_tvec_pop(kiln_val tt) {
  kiln_vector *t = tvec(tt);
  if (t->cnt == 0) kiln_throwf(KILN_EX_ILLEGAL_STATE, "Can't pop empty vector");
  if (t->cnt == 1) {
    t->cnt = 0;
    return tt;
  }
  uint32_t i = t->cnt - 1;
  if ((i & VMASK) > 0) {
    t->cnt--;
    return tt;
  }
  const kiln_val *leaf = tarray_for(t, t->cnt - 2);
  kiln_val *tail = tail_node_new(t->edit);
  kcopy(tail, leaf, VWIDTH * sizeof(kiln_val));
  kiln_vnode *root = pop_tail(t->cnt, t->shift, t->root, t->edit);
  uint32_t shift = t->shift;
  if (!root) root = node_new(t->edit);
  if (shift > VSHIFT && root->a[1] == NULL) {
    root = ensure_editable(t, root->a[0]);
    shift -= VSHIFT;
  }
  t->root = root;
  t->shift = shift;
  t->tail = tail;
  t->cnt--;
  return tt;
}

kiln_val kiln_tvec_persistent(kiln_val tt) {
  kiln_vector *t = tvec(tt);
  kiln_edit_kill(t->edit);
  if (t->cnt == 0) return kiln_empty_vector;
  uint32_t n = t->cnt - tailoff(t);
  kiln_vector *r = vec_make_tail(t->cnt, t->shift, t->root, n, KILN_NIL);
  kcopy(r->tail, t->tail, n * sizeof(kiln_val));
  return (kiln_val)r;
}

/* ---- map entries ------------------------------------------------------ */

kiln_val kiln_map_entry(kiln_val k, kiln_val v) {
  kiln_map_entry_obj *e = kiln_obj_new(KILN_T_MAP_ENTRY, sizeof *e);
  e->key = k;
  e->val = v;
  return (kiln_val)e;
}

kiln_val kiln_map_entry_vec(kiln_val e) {
  kiln_val kv[2] = {((kiln_map_entry_obj *)e)->key, ((kiln_map_entry_obj *)e)->val};
  return kiln_vec_from(2, kv);
}
