/*
 * map.c — array maps, hash maps (a HAMT) and their transients.
 *
 * An array map keeps up to 8 entries in insertion order and turns into a
 * hash map when a 9th key arrives, as clojure.lang.PersistentArrayMap does.
 *
 * The hash map is Clojure's PersistentHashMap: a hash array mapped trie over
 * kiln_hash, consuming the hash 5 bits at a time from the low end. Three node
 * kinds: a bitmap node holds up to 16 slots, each a key/value pair or (key
 * slot nil) a child node; when a 17th slot is needed it becomes an array node
 * with 32 child slots, which packs back into a bitmap node when it drops to 8
 * children; keys whose full hashes are equal share a collision node, in
 * insertion order. The nil key lives beside the trie and comes first. So the
 * iteration order of any set of keys is the JVM's.
 *
 * One set of node functions serves persistent and transient updates: with
 * [edit] NULL every change copies; with a live edit token, nodes carrying
 * that token are changed in place.
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

kiln_val kiln_empty_map;
kiln_val kiln_empty_hash_map;

#define HT_THRESHOLD 8u /* entries an array map holds */

enum { HN_BITMAP, HN_ARRAY, HN_COLL };

typedef struct hnode {
  uint32_t kind;
  uint32_t bitmap; /* bitmap: the bitmap; array: live children; collision: entries */
  void *edit;
  int32_t hash;    /* collision: the shared hash */
  uint32_t cap;    /* bitmap, collision: pairs a[] has room for */
  kiln_val a[];    /* pairs (key, value) or (nil, child); array node: 32 children */
} hnode;

void kiln_map_init(void) {
  if (kiln_empty_map) return;
  kiln_array_map *am = kiln_alloc_root(sizeof *am);
  am->h.type = KILN_T_ARRAY_MAP;
  kiln_empty_map = (kiln_val)am;
  kiln_hash_map *hm = kiln_alloc_root(sizeof *hm);
  hm->h.type = KILN_T_HASH_MAP;
  kiln_empty_hash_map = (kiln_val)hm;
}

/* Two different immediates (fixnums, chars, nil, booleans) are never =. */
static inline bool key_eq(kiln_val a, kiln_val b) {
  if (a == b) return true;
  if (!KILN_IS_PTR(a) && !KILN_IS_PTR(b)) return false;
  return kiln_equiv(a, b);
}
static inline uint32_t hmask(int32_t hash, uint32_t shift) { return ((uint32_t)hash >> shift) & 31u; }
static inline uint32_t bitpos(int32_t hash, uint32_t shift) { return 1u << hmask(hash, shift); }
static inline uint32_t bindex(uint32_t bitmap, uint32_t bit) {
  return (uint32_t)__builtin_popcount(bitmap & (bit - 1));
}

static hnode *hn_alloc(uint32_t kind, uint32_t slots, void *edit) {
  hnode *n = kiln_alloc(sizeof(hnode) + slots * sizeof(kiln_val));
  n->kind = kind;
  n->edit = edit;
  return n;
}

static uint32_t hn_slots(const hnode *n) {
  return n->kind == HN_ARRAY ? 32u : 2u * n->cap;
}

static hnode *hn_clone(const hnode *n, void *edit) {
  uint32_t slots = hn_slots(n);
  hnode *c = kiln_alloc(sizeof(hnode) + slots * sizeof(kiln_val));
  kcopy(c, n, sizeof(hnode) + slots * sizeof(kiln_val));
  c->edit = edit;
  return c;
}

/* The node itself when [edit] owns it, else a copy owned by [edit]. */
static inline hnode *hn_editable(hnode *n, void *edit) {
  return (edit && n->edit == edit) ? n : hn_clone(n, edit);
}

static hnode *hn_assoc(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                       kiln_val val, bool *added);

static hnode *bn_single(void *edit, uint32_t shift, int32_t hash, kiln_val key, kiln_val val) {
  hnode *n = hn_alloc(HN_BITMAP, edit ? 4 : 2, edit);
  n->cap = edit ? 2 : 1;
  n->bitmap = bitpos(hash, shift);
  n->a[0] = key;
  n->a[1] = val;
  return n;
}

static hnode *create_node(void *edit, uint32_t shift, kiln_val k1, kiln_val v1, int32_t h2,
                          kiln_val k2, kiln_val v2) {
  int32_t h1 = kiln_hash(k1);
  if (h1 == h2) {
    hnode *c = hn_alloc(HN_COLL, 4, edit);
    c->cap = 2;
    c->bitmap = 2;
    c->hash = h1;
    c->a[0] = k1;
    c->a[1] = v1;
    c->a[2] = k2;
    c->a[3] = v2;
    return c;
  }
  bool added = false;
  hnode *n = bn_single(edit, shift, h1, k1, v1);
  return hn_assoc(n, edit, shift, h2, k2, v2, &added);
}

static hnode *bn_assoc(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                       kiln_val val, bool *added) {
  uint32_t bit = bitpos(hash, shift), idx = bindex(n->bitmap, bit);
  if (n->bitmap & bit) {
    kiln_val k = n->a[2 * idx], v = n->a[2 * idx + 1];
    if (k == KILN_NIL) {
      hnode *sub = hn_assoc((hnode *)v, edit, shift + 5, hash, key, val, added);
      if (sub == (hnode *)v) return n;
      hnode *r = hn_editable(n, edit);
      r->a[2 * idx + 1] = (kiln_val)sub;
      return r;
    }
    if (key_eq(key, k)) {
      if (val == v) return n;
      hnode *r = hn_editable(n, edit);
      r->a[2 * idx + 1] = val;
      return r;
    }
    *added = true;
    hnode *sub = create_node(edit, shift + 5, k, v, hash, key, val);
    hnode *r = hn_editable(n, edit);
    r->a[2 * idx] = KILN_NIL;
    r->a[2 * idx + 1] = (kiln_val)sub;
    return r;
  }
  uint32_t cnt = (uint32_t)__builtin_popcount(n->bitmap);
  if (cnt >= 16) {
    hnode *an = hn_alloc(HN_ARRAY, 32, edit);
    an->bitmap = cnt + 1;
    uint32_t jdx = hmask(hash, shift);
    an->a[jdx] = (kiln_val)bn_single(edit, shift + 5, hash, key, val);
    for (uint32_t i = 0, j = 0; i < 32; i++) {
      if (!((n->bitmap >> i) & 1u)) continue;
      if (n->a[j] == KILN_NIL) {
        an->a[i] = n->a[j + 1];
      } else {
        an->a[i] = (kiln_val)bn_single(edit, shift + 5, kiln_hash(n->a[j]), n->a[j], n->a[j + 1]);
      }
      j += 2;
    }
    *added = true;
    return an;
  }
  *added = true;
  if (edit && n->edit == edit && cnt < n->cap) {
    kmove(&n->a[2 * idx + 2], &n->a[2 * idx], (cnt - idx) * 2 * sizeof(kiln_val));
    n->a[2 * idx] = key;
    n->a[2 * idx + 1] = val;
    n->bitmap |= bit;
    return n;
  }
  uint32_t cap = edit ? cnt + 4 : cnt + 1;
  hnode *r = hn_alloc(HN_BITMAP, 2 * cap, edit);
  r->cap = cap;
  r->bitmap = n->bitmap | bit;
  kcopy(r->a, n->a, 2 * idx * sizeof(kiln_val));
  r->a[2 * idx] = key;
  r->a[2 * idx + 1] = val;
  kcopy(&r->a[2 * idx + 2], &n->a[2 * idx], 2 * (cnt - idx) * sizeof(kiln_val));
  return r;
}

static hnode *an_assoc(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                       kiln_val val, bool *added) {
  uint32_t idx = hmask(hash, shift);
  hnode *child = (hnode *)n->a[idx];
  if (!child) {
    hnode *r = hn_editable(n, edit);
    r->a[idx] = (kiln_val)bn_single(edit, shift + 5, hash, key, val);
    r->bitmap++;
    *added = true;
    return r;
  }
  hnode *sub = hn_assoc(child, edit, shift + 5, hash, key, val, added);
  if (sub == child) return n;
  hnode *r = hn_editable(n, edit);
  r->a[idx] = (kiln_val)sub;
  return r;
}

static int cn_find(const hnode *n, kiln_val key) {
  for (uint32_t i = 0; i < n->bitmap; i++)
    if (key_eq(key, n->a[2 * i])) return (int)i;
  return -1;
}

static hnode *cn_assoc(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                       kiln_val val, bool *added) {
  if (hash == n->hash) {
    int i = cn_find(n, key);
    if (i >= 0) {
      if (n->a[2 * i + 1] == val) return n;
      hnode *r = hn_editable(n, edit);
      r->a[2 * i + 1] = val;
      return r;
    }
    *added = true;
    uint32_t cnt = n->bitmap;
    if (edit && n->edit == edit && cnt < n->cap) {
      n->a[2 * cnt] = key;
      n->a[2 * cnt + 1] = val;
      n->bitmap++;
      return n;
    }
    hnode *r = hn_alloc(HN_COLL, 2 * (cnt + 1), edit);
    r->cap = cnt + 1;
    r->bitmap = cnt + 1;
    r->hash = n->hash;
    kcopy(r->a, n->a, 2 * cnt * sizeof(kiln_val));
    r->a[2 * cnt] = key;
    r->a[2 * cnt + 1] = val;
    return r;
  }
  hnode *b = hn_alloc(HN_BITMAP, 2, edit);
  b->cap = 1;
  b->bitmap = bitpos(n->hash, shift);
  b->a[0] = KILN_NIL;
  b->a[1] = (kiln_val)n;
  return bn_assoc(b, edit, shift, hash, key, val, added);
}

static hnode *hn_assoc(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                       kiln_val val, bool *added) {
  if (!n) {
    *added = true;
    return bn_single(edit, shift, hash, key, val);
  }
  switch (n->kind) {
  case HN_BITMAP:
    return bn_assoc(n, edit, shift, hash, key, val, added);
  case HN_ARRAY:
    return an_assoc(n, edit, shift, hash, key, val, added);
  default:
    return cn_assoc(n, edit, shift, hash, key, val, added);
  }
}

static hnode *hn_without(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                         bool *removed);

static hnode *bn_remove_pair(hnode *n, void *edit, uint32_t bit, uint32_t idx) {
  uint32_t cnt = (uint32_t)__builtin_popcount(n->bitmap);
  if (n->bitmap == bit) return NULL;
  if (edit && n->edit == edit) {
    kmove(&n->a[2 * idx], &n->a[2 * idx + 2], 2 * (cnt - idx - 1) * sizeof(kiln_val));
    n->a[2 * cnt - 2] = n->a[2 * cnt - 1] = KILN_NIL;
    n->bitmap ^= bit;
    return n;
  }
  hnode *r = hn_alloc(HN_BITMAP, 2 * (cnt - 1), edit);
  r->cap = cnt - 1;
  r->bitmap = n->bitmap ^ bit;
  kcopy(r->a, n->a, 2 * idx * sizeof(kiln_val));
  kcopy(&r->a[2 * idx], &n->a[2 * idx + 2], 2 * (cnt - idx - 1) * sizeof(kiln_val));
  return r;
}

static hnode *bn_without(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                         bool *removed) {
  uint32_t bit = bitpos(hash, shift);
  if (!(n->bitmap & bit)) return n;
  uint32_t idx = bindex(n->bitmap, bit);
  kiln_val k = n->a[2 * idx], v = n->a[2 * idx + 1];
  if (k == KILN_NIL) {
    hnode *sub = hn_without((hnode *)v, edit, shift + 5, hash, key, removed);
    if (sub == (hnode *)v) return n;
    if (sub) {
      hnode *r = hn_editable(n, edit);
      r->a[2 * idx + 1] = (kiln_val)sub;
      return r;
    }
    return bn_remove_pair(n, edit, bit, idx);
  }
  if (!key_eq(key, k)) return n;
  *removed = true;
  return bn_remove_pair(n, edit, bit, idx);
}

static hnode *an_pack(hnode *n, void *edit, uint32_t idx) {
  hnode *b = hn_alloc(HN_BITMAP, 2 * (n->bitmap - 1), edit);
  b->cap = n->bitmap - 1;
  uint32_t j = 0;
  for (uint32_t i = 0; i < 32; i++) {
    if (i == idx || !n->a[i]) continue;
    b->a[j++] = KILN_NIL;
    b->a[j++] = n->a[i];
    b->bitmap |= 1u << i;
  }
  return b;
}

static hnode *an_without(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                         bool *removed) {
  uint32_t idx = hmask(hash, shift);
  hnode *child = (hnode *)n->a[idx];
  if (!child) return n;
  hnode *sub = hn_without(child, edit, shift + 5, hash, key, removed);
  if (sub == child) return n;
  if (!sub) {
    if (n->bitmap <= 8) return an_pack(n, edit, idx);
    hnode *r = hn_editable(n, edit);
    r->a[idx] = KILN_NIL;
    r->bitmap--;
    return r;
  }
  hnode *r = hn_editable(n, edit);
  r->a[idx] = (kiln_val)sub;
  return r;
}

static hnode *cn_without(hnode *n, void *edit, kiln_val key, bool *removed) {
  int i = cn_find(n, key);
  if (i < 0) return n;
  *removed = true;
  uint32_t cnt = n->bitmap;
  if (cnt == 1) return NULL;
  if (edit) {
    /* As TransientHashMap: the last pair moves into the hole. */
    n = hn_editable(n, edit);
    n->a[2 * i] = n->a[2 * cnt - 2];
    n->a[2 * i + 1] = n->a[2 * cnt - 1];
    n->a[2 * cnt - 2] = n->a[2 * cnt - 1] = KILN_NIL;
    n->bitmap--;
    return n;
  }
  hnode *r = hn_alloc(HN_COLL, 2 * (cnt - 1), edit);
  r->cap = cnt - 1;
  r->bitmap = cnt - 1;
  r->hash = n->hash;
  kcopy(r->a, n->a, 2 * (uint32_t)i * sizeof(kiln_val));
  kcopy(&r->a[2 * i], &n->a[2 * i + 2], 2 * (cnt - (uint32_t)i - 1) * sizeof(kiln_val));
  return r;
}

static hnode *hn_without(hnode *n, void *edit, uint32_t shift, int32_t hash, kiln_val key,
                         bool *removed) {
  switch (n->kind) {
  case HN_BITMAP:
    return bn_without(n, edit, shift, hash, key, removed);
  case HN_ARRAY:
    return an_without(n, edit, shift, hash, key, removed);
  default:
    return cn_without(n, edit, key, removed);
  }
}

/* The slot holding [key]'s value, or NULL. */
static const kiln_val *hn_find(const hnode *n, int32_t hash, kiln_val key) {
  uint32_t shift = 0;
  while (n) {
    switch (n->kind) {
    case HN_BITMAP: {
      uint32_t bit = bitpos(hash, shift);
      if (!(n->bitmap & bit)) return NULL;
      uint32_t idx = bindex(n->bitmap, bit);
      kiln_val k = n->a[2 * idx];
      if (k == KILN_NIL) {
        n = (const hnode *)n->a[2 * idx + 1];
        shift += 5;
        continue;
      }
      return key_eq(key, k) ? &n->a[2 * idx + 1] : NULL;
    }
    case HN_ARRAY:
      n = (const hnode *)n->a[hmask(hash, shift)];
      shift += 5;
      continue;
    default: {
      if (hash != n->hash) return NULL;
      int i = cn_find(n, key);
      return i < 0 ? NULL : &n->a[2 * i + 1];
    }
    }
  }
  return NULL;
}

/* Finds the key slot (value is the next slot). */
static const kiln_val *hn_find_entry(const hnode *n, int32_t hash, kiln_val key) {
  const kiln_val *v = hn_find(n, hash, key);
  return v ? v - 1 : NULL;
}

/* ---- hash maps -------------------------------------------------------- */

static kiln_hash_map *hm_new(kiln_type type) {
  kiln_hash_map *m = kiln_obj_new(type, sizeof *m);
  return m;
}

static kiln_val hm_assoc(kiln_val mv, kiln_val k, kiln_val v) {
  kiln_hash_map *m = (kiln_hash_map *)mv;
  if (k == KILN_NIL) {
    if (m->has_null && m->null_val == v) return mv;
    kiln_hash_map *r = hm_new(KILN_T_HASH_MAP);
    *r = *m;
    r->h.flags = 0;
    r->cnt = m->has_null ? m->cnt : m->cnt + 1;
    r->has_null = 1;
    r->null_val = v;
    return (kiln_val)r;
  }
  bool added = false;
  hnode *root = hn_assoc(m->root, NULL, 0, kiln_hash(k), k, v, &added);
  if (root == m->root) return mv;
  kiln_hash_map *r = hm_new(KILN_T_HASH_MAP);
  *r = *m;
  r->h.flags = 0;
  r->root = root;
  r->cnt = m->cnt + (added ? 1 : 0);
  return (kiln_val)r;
}

static kiln_val hm_without(kiln_val mv, kiln_val k) {
  kiln_hash_map *m = (kiln_hash_map *)mv;
  if (k == KILN_NIL) {
    if (!m->has_null) return mv;
    kiln_hash_map *r = hm_new(KILN_T_HASH_MAP);
    *r = *m;
    r->h.flags = 0;
    r->has_null = 0;
    r->null_val = KILN_NIL;
    r->cnt--;
    return (kiln_val)r;
  }
  if (!m->root) return mv;
  bool removed = false;
  hnode *root = hn_without(m->root, NULL, 0, kiln_hash(k), k, &removed);
  if (!removed) return mv;
  kiln_hash_map *r = hm_new(KILN_T_HASH_MAP);
  *r = *m;
  r->h.flags = 0;
  r->root = root;
  r->cnt--;
  return (kiln_val)r;
}

static const kiln_val *hm_find(const kiln_hash_map *m, kiln_val k) {
  if (k == KILN_NIL) return m->has_null ? &m->null_val : NULL;
  return m->root ? hn_find(m->root, kiln_hash(k), k) : NULL;
}

/* ---- array maps ------------------------------------------------------- */

static int am_index(const kiln_array_map *m, kiln_val k) {
  const kiln_val *kv = m->kvs;
  uint32_t n = m->cnt;
  if (KILN_HAS_TYPE(k, KILN_T_KEYWORD) || !KILN_IS_PTR(k)) {
    for (uint32_t i = 0; i < n; i++)
      if (kv[2 * i] == k) return (int)i;
    if (KILN_HAS_TYPE(k, KILN_T_KEYWORD) || k == KILN_NIL || KILN_IS_CHAR(k) ||
        k == KILN_TRUE || k == KILN_FALSE)
      return -1;
  }
  for (uint32_t i = 0; i < n; i++)
    if (key_eq(k, kv[2 * i])) return (int)i;
  return -1;
}

static kiln_array_map *am_new(kiln_type type, uint32_t cnt, uint32_t cap, kiln_val meta) {
  kiln_array_map *m = kiln_obj_new(type, sizeof *m);
  m->cnt = cnt;
  m->cap = cap;
  m->kvs = cap ? kiln_alloc(2 * cap * sizeof(kiln_val)) : NULL;
  m->meta = meta;
  return m;
}

static kiln_val hash_map_of_array(const kiln_val *kvs, uint32_t cnt, kiln_val meta);

static kiln_val am_assoc(kiln_val mv, kiln_val k, kiln_val v) {
  kiln_array_map *m = (kiln_array_map *)mv;
  int i = am_index(m, k);
  if (i >= 0) {
    if (m->kvs[2 * i + 1] == v) return mv;
    kiln_array_map *r = am_new(KILN_T_ARRAY_MAP, m->cnt, m->cnt, m->meta);
    kcopy(r->kvs, m->kvs, 2 * m->cnt * sizeof(kiln_val));
    r->kvs[2 * i + 1] = v;
    return (kiln_val)r;
  }
  if (m->cnt >= HT_THRESHOLD)
    return hm_assoc(hash_map_of_array(m->kvs, m->cnt, m->meta), k, v);
  kiln_array_map *r = am_new(KILN_T_ARRAY_MAP, m->cnt + 1, m->cnt + 1, m->meta);
  kcopy(r->kvs, m->kvs, 2 * m->cnt * sizeof(kiln_val));
  r->kvs[2 * m->cnt] = k;
  r->kvs[2 * m->cnt + 1] = v;
  return (kiln_val)r;
}

static kiln_val am_without(kiln_val mv, kiln_val k) {
  kiln_array_map *m = (kiln_array_map *)mv;
  int i = am_index(m, k);
  if (i < 0) return mv;
  if (m->cnt == 1) return kiln_map_with_meta(kiln_empty_map, m->meta);
  kiln_array_map *r = am_new(KILN_T_ARRAY_MAP, m->cnt - 1, m->cnt - 1, m->meta);
  kcopy(r->kvs, m->kvs, 2 * (uint32_t)i * sizeof(kiln_val));
  kcopy(&r->kvs[2 * i], &m->kvs[2 * i + 2], 2 * (m->cnt - (uint32_t)i - 1) * sizeof(kiln_val));
  return (kiln_val)r;
}

/* ---- transients ------------------------------------------------------- */

static void *tm_check(kiln_val t) {
  void *edit = ((kiln_obj *)t)->flags & KILN_TMAP_ARRAY ? ((kiln_array_map *)t)->edit
                                                         : ((kiln_hash_map *)t)->edit;
  kiln_transient_check(edit);
  return edit;
}

kiln_val kiln_map_transient(kiln_val mv) {
  if (KILN_HAS_TYPE(mv, KILN_T_ARRAY_MAP)) {
    kiln_array_map *m = (kiln_array_map *)mv;
    kiln_array_map *t = am_new(KILN_T_TRANSIENT_MAP, m->cnt, HT_THRESHOLD, KILN_NIL);
    t->h.flags = KILN_TMAP_ARRAY;
    t->edit = kiln_edit_new();
    kcopy(t->kvs, m->kvs, 2 * m->cnt * sizeof(kiln_val));
    return (kiln_val)t;
  }
  kiln_hash_map *m = (kiln_hash_map *)mv;
  kiln_hash_map *t = hm_new(KILN_T_TRANSIENT_MAP);
  *t = *m;
  t->h.type = KILN_T_TRANSIENT_MAP;
  t->h.flags = 0;
  t->meta = KILN_NIL;
  t->edit = kiln_edit_new();
  return (kiln_val)t;
}

static kiln_val thm_assoc(kiln_hash_map *t, kiln_val k, kiln_val v) {
  if (k == KILN_NIL) {
    if (!t->has_null) t->cnt++;
    t->has_null = 1;
    t->null_val = v;
    return (kiln_val)t;
  }
  bool added = false;
  t->root = hn_assoc(t->root, t->edit, 0, kiln_hash(k), k, v, &added);
  if (added) t->cnt++;
  return (kiln_val)t;
}

kiln_val kiln_tmap_assoc(kiln_val tv, kiln_val k, kiln_val v) {
  tm_check(tv);
  if (!(((kiln_obj *)tv)->flags & KILN_TMAP_ARRAY)) return thm_assoc((kiln_hash_map *)tv, k, v);
  kiln_array_map *t = (kiln_array_map *)tv;
  int i = am_index(t, k);
  if (i >= 0) {
    t->kvs[2 * i + 1] = v;
    return tv;
  }
  if (t->cnt >= t->cap) {
    kiln_val m = kiln_map_transient(hash_map_of_array(t->kvs, t->cnt, KILN_NIL));
    return thm_assoc((kiln_hash_map *)m, k, v);
  }
  t->kvs[2 * t->cnt] = k;
  t->kvs[2 * t->cnt + 1] = v;
  t->cnt++;
  return tv;
}

kiln_val kiln_tmap_dissoc(kiln_val tv, kiln_val k) {
  tm_check(tv);
  if (((kiln_obj *)tv)->flags & KILN_TMAP_ARRAY) {
    kiln_array_map *t = (kiln_array_map *)tv;
    int i = am_index(t, k);
    if (i >= 0) {
      /* As TransientArrayMap: the last entry moves into the hole. */
      t->kvs[2 * i] = t->kvs[2 * t->cnt - 2];
      t->kvs[2 * i + 1] = t->kvs[2 * t->cnt - 1];
      t->kvs[2 * t->cnt - 2] = t->kvs[2 * t->cnt - 1] = KILN_NIL;
      t->cnt--;
    }
    return tv;
  }
  kiln_hash_map *t = (kiln_hash_map *)tv;
  if (k == KILN_NIL) {
    if (t->has_null) {
      t->has_null = 0;
      t->null_val = KILN_NIL;
      t->cnt--;
    }
    return tv;
  }
  if (!t->root) return tv;
  bool removed = false;
  t->root = hn_without(t->root, t->edit, 0, kiln_hash(k), k, &removed);
  if (removed) t->cnt--;
  return tv;
}

kiln_val kiln_tmap_persistent(kiln_val tv) {
  void *edit = tm_check(tv);
  kiln_edit_kill(edit);
  if (((kiln_obj *)tv)->flags & KILN_TMAP_ARRAY) {
    kiln_array_map *t = (kiln_array_map *)tv;
    if (t->cnt == 0) return kiln_empty_map;
    kiln_array_map *r = am_new(KILN_T_ARRAY_MAP, t->cnt, t->cnt, KILN_NIL);
    kcopy(r->kvs, t->kvs, 2 * t->cnt * sizeof(kiln_val));
    return (kiln_val)r;
  }
  kiln_hash_map *t = (kiln_hash_map *)tv;
  kiln_hash_map *r = hm_new(KILN_T_HASH_MAP);
  *r = *t;
  r->h.type = KILN_T_HASH_MAP;
  r->h.flags = 0;
  r->edit = NULL;
  return (kiln_val)r;
}

static kiln_val hash_map_of_array(const kiln_val *kvs, uint32_t cnt, kiln_val meta) {
  kiln_val t = kiln_map_transient(kiln_empty_hash_map);
  for (uint32_t i = 0; i < cnt; i++) thm_assoc((kiln_hash_map *)t, kvs[2 * i], kvs[2 * i + 1]);
  kiln_val m = kiln_tmap_persistent(t);
  return meta == KILN_NIL ? m : kiln_map_with_meta(m, meta);
}

/* ---- the generic map interface ----------------------------------------- */

kiln_val kiln_hash_map_from(uint32_t n, const kiln_val *kvs) {
  kiln_val t = kiln_map_transient(kiln_empty_hash_map);
  for (uint32_t i = 0; i + 1 < n; i += 2) thm_assoc((kiln_hash_map *)t, kvs[i], kvs[i + 1]);
  return kiln_tmap_persistent(t);
}

kiln_val kiln_map_from(uint32_t n, const kiln_val *kvs) {
  if (n / 2 > HT_THRESHOLD) return kiln_hash_map_from(n, kvs);
  kiln_val t = kiln_map_transient(kiln_empty_map);
  for (uint32_t i = 0; i + 1 < n; i += 2) t = kiln_tmap_assoc(t, kvs[i], kvs[i + 1]);
  return kiln_tmap_persistent(t);
}

kiln_val kiln_map_assoc(kiln_val m, kiln_val k, kiln_val v) {
  switch (kiln_type_of(m)) {
  case KILN_T_ARRAY_MAP:
    return am_assoc(m, k, v);
  case KILN_T_HASH_MAP:
    return hm_assoc(m, k, v);
  case KILN_T_SORTED_MAP:
    return kiln_sorted_assoc(m, k, v);
  case KILN_T_TRANSIENT_MAP:
    return kiln_tmap_assoc(m, k, v);
  default:
    return kiln_assoc(m, k, v);
  }
}

kiln_val kiln_map_dissoc(kiln_val m, kiln_val k) {
  switch (kiln_type_of(m)) {
  case KILN_T_ARRAY_MAP:
    return am_without(m, k);
  case KILN_T_HASH_MAP:
    return hm_without(m, k);
  case KILN_T_SORTED_MAP:
    return kiln_sorted_dissoc(m, k);
  case KILN_T_TRANSIENT_MAP:
    return kiln_tmap_dissoc(m, k);
  default:
    return kiln_dissoc(m, k);
  }
}

/* The value slot of [k] in an array or hash map (persistent or transient), or NULL. */
static const kiln_val *map_slot(kiln_val m, kiln_val k) {
  if (KILN_HAS_TYPE(m, KILN_T_TRANSIENT_MAP)) tm_check(m);
  if (KILN_HAS_TYPE(m, KILN_T_ARRAY_MAP) ||
      (KILN_HAS_TYPE(m, KILN_T_TRANSIENT_MAP) && (((kiln_obj *)m)->flags & KILN_TMAP_ARRAY))) {
    const kiln_array_map *am = (const kiln_array_map *)m;
    int i = am_index(am, k);
    return i < 0 ? NULL : &am->kvs[2 * i + 1];
  }
  return hm_find((const kiln_hash_map *)m, k);
}

kiln_val kiln_map_get(kiln_val m, kiln_val k, kiln_val not_found) {
  if (KILN_HAS_TYPE(m, KILN_T_HASH_MAP)) {
    const kiln_val *v = hm_find((const kiln_hash_map *)m, k);
    return v ? *v : not_found;
  }
  if (KILN_HAS_TYPE(m, KILN_T_SORTED_MAP)) return kiln_sorted_map_get(m, k, not_found);
  if (!KILN_HAS_TYPE(m, KILN_T_ARRAY_MAP) && !KILN_HAS_TYPE(m, KILN_T_TRANSIENT_MAP))
    return kiln_get(m, k, not_found); /* nil, records, ... */
  const kiln_val *v = map_slot(m, k);
  return v ? *v : not_found;
}

bool kiln_map_contains(kiln_val m, kiln_val k) {
  if (KILN_HAS_TYPE(m, KILN_T_SORTED_MAP)) return kiln_sorted_lookup(m, k) != NULL;
  return map_slot(m, k) != NULL;
}

kiln_val kiln_map_find(kiln_val m, kiln_val k) {
  if (KILN_HAS_TYPE(m, KILN_T_SORTED_MAP)) {
    kiln_rbnode *n = kiln_sorted_lookup(m, k);
    return n ? kiln_map_entry(n->key, n->val) : KILN_NIL;
  }
  if (KILN_HAS_TYPE(m, KILN_T_HASH_MAP) ||
      (KILN_HAS_TYPE(m, KILN_T_TRANSIENT_MAP) && !(((kiln_obj *)m)->flags & KILN_TMAP_ARRAY))) {
    const kiln_hash_map *hm = (const kiln_hash_map *)m;
    if (KILN_HAS_TYPE(m, KILN_T_TRANSIENT_MAP)) tm_check(m);
    if (k == KILN_NIL) return hm->has_null ? kiln_map_entry(KILN_NIL, hm->null_val) : KILN_NIL;
    const kiln_val *e = hm->root ? hn_find_entry(hm->root, kiln_hash(k), k) : NULL;
    return e ? kiln_map_entry(e[0], e[1]) : KILN_NIL;
  }
  const kiln_val *v = map_slot(m, k);
  return v ? kiln_map_entry(v[-1], v[0]) : KILN_NIL;
}

uint32_t kiln_map_count(kiln_val m) {
  if (KILN_HAS_TYPE(m, KILN_T_SORTED_MAP)) return ((kiln_sorted *)m)->cnt;
  if (KILN_HAS_TYPE(m, KILN_T_TRANSIENT_MAP)) tm_check(m);
  if (KILN_HAS_TYPE(m, KILN_T_ARRAY_MAP) || (((kiln_obj *)m)->flags & KILN_TMAP_ARRAY))
    return ((kiln_array_map *)m)->cnt;
  return ((kiln_hash_map *)m)->cnt;
}

kiln_val kiln_map_with_meta(kiln_val mv, kiln_val meta) {
  switch (kiln_type_of(mv)) {
  case KILN_T_ARRAY_MAP: {
    kiln_array_map *r = kiln_obj_new(KILN_T_ARRAY_MAP, sizeof *r);
    *r = *(kiln_array_map *)mv;
    r->meta = meta;
    return (kiln_val)r;
  }
  case KILN_T_HASH_MAP: {
    kiln_hash_map *r = hm_new(KILN_T_HASH_MAP);
    *r = *(kiln_hash_map *)mv;
    r->meta = meta;
    return (kiln_val)r;
  }
  case KILN_T_SORTED_MAP:
    return kiln_sorted_with_meta(mv, meta);
  default:
    return mv;
  }
}

/* ---- seqs --------------------------------------------------------------- */

/*
 * A HAMT seq's cursor: [node] the node holding the current pair, [i] its pair
 * index, [extra] the frame to resume in the parent once [node] is done. Frames
 * are immutable and shared between successive seqs. end == 1 marks the nil
 * key's entry, which comes before the trie.
 */
typedef struct hframe {
  const hnode *n;
  uint32_t i;
  const struct hframe *up;
} hframe;

static hframe *frame_new(const hnode *n, uint32_t i, const hframe *up) {
  hframe *f = kiln_alloc(sizeof *f);
  f->n = n;
  f->i = i;
  f->up = up;
  return f;
}

/* Moves (n, i, up) to the first pair at or after it; false at the end. */
static bool hn_settle(const hnode **np, uint32_t *ip, const hframe **upp) {
  const hnode *n = *np;
  uint32_t i = *ip;
  const hframe *up = *upp;
  for (;;) {
    if (n) {
      if (n->kind == HN_ARRAY) {
        while (i < 32 && !n->a[i]) i++;
        if (i < 32) {
          up = frame_new(n, i + 1, up);
          n = (const hnode *)n->a[i];
          i = 0;
          continue;
        }
      } else if (n->kind == HN_BITMAP) {
        uint32_t cnt = (uint32_t)__builtin_popcount(n->bitmap);
        if (i < cnt) {
          if (n->a[2 * i] != KILN_NIL) break;
          up = frame_new(n, i + 1, up);
          n = (const hnode *)n->a[2 * i + 1];
          i = 0;
          continue;
        }
      } else if (i < n->bitmap) {
        break;
      }
    }
    if (!up) return false;
    n = up->n;
    i = up->i;
    up = up->up;
  }
  *np = n;
  *ip = i;
  *upp = up;
  return true;
}

static kiln_val hamt_seq(kiln_val coll, const hnode *root, bool has_null, kiln_seq_kind kind) {
  kiln_seq_obj *s = kiln_seq_obj_new(kind, coll);
  if (has_null) {
    s->end = 1;
    s->node = (void *)root;
    s->i = 0;
    s->extra = 0;
    return (kiln_val)s;
  }
  const hnode *n = root;
  uint32_t i = 0;
  const hframe *up = NULL;
  if (!hn_settle(&n, &i, &up)) return KILN_NIL;
  s->node = (void *)n;
  s->i = i;
  s->extra = (kiln_val)up;
  s->end = 0;
  return (kiln_val)s;
}

kiln_val kiln_map_seq_first(const kiln_seq_obj *s) {
  kiln_val k, v;
  if (s->end == 1) {
    k = KILN_NIL;
    v = ((const kiln_hash_map *)s->coll)->null_val;
  } else {
    const hnode *n = s->node;
    k = n->a[2 * s->i];
    v = n->a[2 * s->i + 1];
  }
  switch ((kiln_seq_kind)s->h.flags) {
  case KILN_SEQ_HAMT_KEYS:
    return k;
  case KILN_SEQ_HAMT_VALS:
    return v;
  default:
    return kiln_map_entry(k, v);
  }
}

kiln_val kiln_map_seq_next(const kiln_seq_obj *s) {
  const hnode *n = s->node;
  uint32_t i = (uint32_t)s->i;
  const hframe *up = (const hframe *)s->extra;
  if (s->end != 1) i++;
  if (!hn_settle(&n, &i, &up)) return KILN_NIL;
  kiln_seq_obj *r = kiln_seq_obj_new((kiln_seq_kind)s->h.flags, s->coll);
  r->node = (void *)n;
  r->i = i;
  r->extra = (kiln_val)up;
  r->end = 0;
  return (kiln_val)r;
}

static kiln_val am_seq(kiln_val m, kiln_seq_kind kind) {
  const kiln_array_map *am = (const kiln_array_map *)m;
  if (am->cnt == 0) return KILN_NIL;
  kiln_seq_obj *s = kiln_seq_obj_new(kind, m);
  s->node = am->kvs;
  s->i = 0;
  s->end = am->cnt;
  return (kiln_val)s;
}

static kiln_val map_seq_kind(kiln_val m, int which) {
  static const kiln_seq_kind am_kinds[3] = {KILN_SEQ_AMAP, KILN_SEQ_AMAP_KEYS, KILN_SEQ_AMAP_VALS};
  static const kiln_seq_kind hm_kinds[3] = {KILN_SEQ_HAMT, KILN_SEQ_HAMT_KEYS, KILN_SEQ_HAMT_VALS};
  switch (kiln_type_of(m)) {
  case KILN_T_ARRAY_MAP:
    return am_seq(m, am_kinds[which]);
  case KILN_T_HASH_MAP: {
    const kiln_hash_map *hm = (const kiln_hash_map *)m;
    if (hm->cnt == 0) return KILN_NIL;
    return hamt_seq(m, hm->root, hm->has_null, hm_kinds[which]);
  }
  case KILN_T_SORTED_MAP: {
    kiln_val s = kiln_sorted_seq(m, true);
    if (which == 0 || s == KILN_NIL) return s;
    kiln_seq_obj *o = kiln_seq_obj_new(which == 1 ? KILN_SEQ_KEYS : KILN_SEQ_VALS, s);
    return (kiln_val)o;
  }
  default: {
    kiln_val s = kiln_seq(m);
    if (which == 0 || s == KILN_NIL) return s;
    kiln_seq_obj *o = kiln_seq_obj_new(which == 1 ? KILN_SEQ_KEYS : KILN_SEQ_VALS, s);
    return (kiln_val)o;
  }
  }
}

kiln_val kiln_map_seq(kiln_val m) { return map_seq_kind(m, 0); }
kiln_val kiln_map_keys(kiln_val m) { return map_seq_kind(m, 1); }
kiln_val kiln_map_vals(kiln_val m) { return map_seq_kind(m, 2); }

/* ---- reduce ------------------------------------------------------------- */

typedef struct map_reduce_ctx {
  kiln_val f;
  kiln_val acc;
  bool kv;
  bool done;
} map_reduce_ctx;

static void mr_step(map_reduce_ctx *c, kiln_val k, kiln_val v) {
  kiln_val r = c->kv ? kiln_call3(c->f, c->acc, k, v) : kiln_coll_call2(c->f, c->acc, kiln_map_entry(k, v));
  if (KILN_HAS_TYPE(r, KILN_T_REDUCED)) {
    r = ((kiln_reduced_obj *)r)->val;
    c->done = true;
  }
  c->acc = r;
}

static void hn_reduce(const hnode *n, map_reduce_ctx *c) {
  if (!n) return;
  switch (n->kind) {
  case HN_ARRAY:
    for (uint32_t i = 0; i < 32 && !c->done; i++)
      if (n->a[i]) hn_reduce((const hnode *)n->a[i], c);
    return;
  case HN_BITMAP: {
    uint32_t cnt = (uint32_t)__builtin_popcount(n->bitmap);
    for (uint32_t i = 0; i < cnt && !c->done; i++) {
      if (n->a[2 * i] == KILN_NIL) hn_reduce((const hnode *)n->a[2 * i + 1], c);
      else mr_step(c, n->a[2 * i], n->a[2 * i + 1]);
    }
    return;
  }
  default:
    for (uint32_t i = 0; i < n->bitmap && !c->done; i++) mr_step(c, n->a[2 * i], n->a[2 * i + 1]);
  }
}

kiln_val kiln_map_reduce(kiln_val m, kiln_val f, kiln_val acc, bool kv) {
  map_reduce_ctx c = {f, acc, kv, false};
  switch (kiln_type_of(m)) {
  case KILN_T_ARRAY_MAP: {
    const kiln_array_map *am = (const kiln_array_map *)m;
    for (uint32_t i = 0; i < am->cnt && !c.done; i++) mr_step(&c, am->kvs[2 * i], am->kvs[2 * i + 1]);
    return c.acc;
  }
  case KILN_T_HASH_MAP: {
    const kiln_hash_map *hm = (const kiln_hash_map *)m;
    if (hm->has_null) mr_step(&c, KILN_NIL, hm->null_val);
    if (!c.done) hn_reduce(hm->root, &c);
    return c.acc;
  }
  default:
    for (kiln_val s = kiln_seq(m); s != KILN_NIL && !c.done; s = kiln_seq_next(s)) {
      kiln_map_entry_obj *e = (kiln_map_entry_obj *)kiln_seq_first(s);
      mr_step(&c, e->key, e->val);
    }
    return c.acc;
  }
}

/* (array-map ...): an array map of any size, duplicates as if by assoc. */
kiln_val kiln_array_map_from(uint32_t n, const kiln_val *kvs) {
  if (n < 2) return kiln_empty_map;
  kiln_array_map *m = am_new(KILN_T_ARRAY_MAP, 0, n / 2, KILN_NIL);
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    int j = am_index(m, kvs[i]);
    if (j >= 0) {
      m->kvs[2 * j + 1] = kvs[i + 1];
    } else {
      m->kvs[2 * m->cnt] = kvs[i];
      m->kvs[2 * m->cnt + 1] = kvs[i + 1];
      m->cnt++;
    }
  }
  return (kiln_val)m;
}
