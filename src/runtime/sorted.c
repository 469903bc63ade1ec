/*
 * sorted.c — sorted maps and sets: a persistent red-black tree under a
 * comparator, as clojure.lang.PersistentTreeMap and PersistentTreeSet.
 *
 * Insertion is Okasaki's; deletion is Kahrs's (balleft, balright, app), so
 * every update copies only the path it touches. A sorted set is the same
 * tree with each node's val equal to its key. The comparator is nil (use
 * compare) or any fn; a fn may answer a number or, as Clojure's
 * AFunction.compare allows, a boolean meaning "less than".
 *
 * Seqs keep a persistent stack of the nodes still to visit (each frame one
 * node and the frame below), so next costs amortised O(1) and seqs share
 * frames. subseq and rsubseq bound a seq with a test on its keys.
 */
#include "runtime/rt.h"

typedef kiln_rbnode node;

int kiln_comparator_call(kiln_val cmp, kiln_val a, kiln_val b) {
  if (cmp == KILN_NIL) return kiln_compare(a, b);
  kiln_val r = kiln_call2(cmp, a, b);
  if (r == KILN_TRUE) return -1;
  if (r == KILN_FALSE || r == KILN_NIL) return KILN_TRUTHY(kiln_call2(cmp, b, a)) ? 1 : 0;
  if (KILN_IS_FIXNUM(r)) return (int)(int32_t)KILN_FIXNUM_VALUE(r);
  if (kiln_is_long(r)) return (int)(int32_t)kiln_long_value(r);
  double d = kiln_double_value(r);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

int kiln_sorted_compare(kiln_val m, kiln_val a, kiln_val b) {
  return kiln_comparator_call(((kiln_sorted *)m)->cmp, a, b);
}

static node *mk(bool red, node *l, kiln_val k, kiln_val v, node *r) {
  node *n = kiln_alloc(sizeof *n);
  n->red = red;
  n->left = l;
  n->key = k;
  n->val = v;
  n->right = r;
  return n;
}

static inline bool is_red(const node *n) { return n && n->red; }
static inline bool is_black(const node *n) { return n && !n->red; }

/* Kahrs's balance: fixes a red child with a red child under a black node. */
static node *balance(node *a, kiln_val k, kiln_val v, node *b) {
  if (is_red(a) && is_red(b))
    return mk(true, mk(false, a->left, a->key, a->val, a->right), k, v,
              mk(false, b->left, b->key, b->val, b->right));
  if (is_red(a) && is_red(a->left))
    return mk(true, mk(false, a->left->left, a->left->key, a->left->val, a->left->right), a->key,
              a->val, mk(false, a->right, k, v, b));
  if (is_red(a) && is_red(a->right))
    return mk(true, mk(false, a->left, a->key, a->val, a->right->left), a->right->key,
              a->right->val, mk(false, a->right->right, k, v, b));
  if (is_red(b) && is_red(b->right))
    return mk(true, mk(false, a, k, v, b->left), b->key, b->val,
              mk(false, b->right->left, b->right->key, b->right->val, b->right->right));
  if (is_red(b) && is_red(b->left))
    return mk(true, mk(false, a, k, v, b->left->left), b->left->key, b->left->val,
              mk(false, b->left->right, b->key, b->val, b->right));
  return mk(false, a, k, v, b);
}

typedef struct upd {
  kiln_val cmp;
  kiln_val k, v;
  bool found;
  bool same;
} upd;

static node *ins(node *t, upd *u) {
  if (!t) return mk(true, NULL, u->k, u->v, NULL);
  int c = kiln_comparator_call(u->cmp, u->k, t->key);
  if (c == 0) {
    u->found = true;
    if (t->val == u->v) {
      u->same = true;
      return t;
    }
    return mk(t->red, t->left, t->key, u->v, t->right);
  }
  if (c < 0) {
    node *l = ins(t->left, u);
    if (u->same) return t;
    return t->red ? mk(true, l, t->key, t->val, t->right) : balance(l, t->key, t->val, t->right);
  }
  node *r = ins(t->right, u);
  if (u->same) return t;
  return t->red ? mk(true, t->left, t->key, t->val, r) : balance(t->left, t->key, t->val, r);
}

static node *sub1(node *n) { return mk(true, n->left, n->key, n->val, n->right); }

static node *balleft(node *l, kiln_val k, kiln_val v, node *r) {
  if (is_red(l)) return mk(true, mk(false, l->left, l->key, l->val, l->right), k, v, r);
  if (is_black(r)) return balance(l, k, v, sub1(r));
  if (is_red(r) && is_black(r->left))
    return mk(true, mk(false, l, k, v, r->left->left), r->left->key, r->left->val,
              balance(r->left->right, r->key, r->val, sub1(r->right)));
  return mk(false, l, k, v, r); /* unreachable in a valid tree */
}

static node *balright(node *l, kiln_val k, kiln_val v, node *r) {
  if (is_red(r)) return mk(true, l, k, v, mk(false, r->left, r->key, r->val, r->right));
  if (is_black(l)) return balance(sub1(l), k, v, r);
  if (is_red(l) && is_black(l->right))
    return mk(true, balance(sub1(l->left), l->key, l->val, l->right->left), l->right->key,
              l->right->val, mk(false, l->right->right, k, v, r));
  return mk(false, l, k, v, r); /* unreachable in a valid tree */
}

static node *app(node *a, node *b) {
  if (!a) return b;
  if (!b) return a;
  if (a->red && b->red) {
    node *bc = app(a->right, b->left);
    if (is_red(bc))
      return mk(true, mk(true, a->left, a->key, a->val, bc->left), bc->key, bc->val,
                mk(true, bc->right, b->key, b->val, b->right));
    return mk(true, a->left, a->key, a->val, mk(true, bc, b->key, b->val, b->right));
  }
  if (!a->red && !b->red) {
    node *bc = app(a->right, b->left);
    if (is_red(bc))
      return mk(true, mk(false, a->left, a->key, a->val, bc->left), bc->key, bc->val,
                mk(false, bc->right, b->key, b->val, b->right));
    return balleft(a->left, a->key, a->val, mk(false, bc, b->key, b->val, b->right));
  }
  if (b->red) return mk(true, app(a, b->left), b->key, b->val, b->right);
  return mk(true, a->left, a->key, a->val, app(a->right, b));
}

static node *del(node *t, upd *u) {
  if (!t) return NULL;
  int c = kiln_comparator_call(u->cmp, u->k, t->key);
  if (c == 0) {
    u->found = true;
    return app(t->left, t->right);
  }
  if (c < 0) {
    node *l = del(t->left, u);
    if (!u->found) return t;
    if (is_black(t->left)) return balleft(l, t->key, t->val, t->right);
    return mk(true, l, t->key, t->val, t->right);
  }
  node *r = del(t->right, u);
  if (!u->found) return t;
  if (is_black(t->right)) return balright(t->left, t->key, t->val, r);
  return mk(true, t->left, t->key, t->val, r);
}

static kiln_sorted *sorted_make(kiln_type type, uint32_t cnt, node *root, kiln_val cmp,
                                kiln_val meta) {
  kiln_sorted *s = kiln_obj_new(type, sizeof *s);
  s->cnt = cnt;
  s->root = root;
  s->cmp = cmp;
  s->meta = meta;
  return s;
}

kiln_val kiln_sorted_map_new(kiln_val cmp) {
  return (kiln_val)sorted_make(KILN_T_SORTED_MAP, 0, NULL, cmp, KILN_NIL);
}

kiln_val kiln_sorted_set_new(kiln_val cmp) {
  return (kiln_val)sorted_make(KILN_T_SORTED_SET, 0, NULL, cmp, KILN_NIL);
}

kiln_val kiln_sorted_assoc(kiln_val mv, kiln_val k, kiln_val v) {
  kiln_sorted *m = (kiln_sorted *)mv;
  bool set = m->h.type == KILN_T_SORTED_SET;
  upd u = {m->cmp, k, set ? k : v, false, false};
  if (set && kiln_sorted_lookup(mv, k)) return mv;
  node *root = ins(m->root, &u);
  if (u.same) return mv;
  if (root->red) root = mk(false, root->left, root->key, root->val, root->right);
  return (kiln_val)sorted_make(m->h.type, m->cnt + (u.found ? 0 : 1), root, m->cmp, m->meta);
}

kiln_val kiln_sorted_dissoc(kiln_val mv, kiln_val k) {
  kiln_sorted *m = (kiln_sorted *)mv;
  upd u = {m->cmp, k, KILN_NIL, false, false};
  node *root = del(m->root, &u);
  if (!u.found) return mv;
  if (root && root->red) root = mk(false, root->left, root->key, root->val, root->right);
  return (kiln_val)sorted_make(m->h.type, m->cnt - 1, root, m->cmp, m->meta);
}

kiln_rbnode *kiln_sorted_lookup(kiln_val mv, kiln_val k) {
  kiln_sorted *m = (kiln_sorted *)mv;
  node *t = m->root;
  while (t) {
    int c = kiln_comparator_call(m->cmp, k, t->key);
    if (c == 0) return t;
    t = c < 0 ? t->left : t->right;
  }
  return NULL;
}

kiln_val kiln_sorted_map_get(kiln_val m, kiln_val k, kiln_val not_found) {
  node *n = kiln_sorted_lookup(m, k);
  return n ? n->val : not_found;
}

kiln_val kiln_sorted_with_meta(kiln_val mv, kiln_val meta) {
  kiln_sorted *m = (kiln_sorted *)mv;
  return (kiln_val)sorted_make(m->h.type, m->cnt, m->root, m->cmp, meta);
}

/* ---- seqs --------------------------------------------------------------- */

typedef struct sframe {
  const node *n;
  const struct sframe *up;
} sframe;

/* A bound on a subseq: keep going while (test (compare key bound) 0). */
typedef struct sbound {
  kiln_val test;
  kiln_val key;
} sbound;

static const sframe *push_spine(const node *n, const sframe *up, bool asc) {
  while (n) {
    sframe *f = kiln_alloc(sizeof *f);
    f->n = n;
    f->up = up;
    up = f;
    n = asc ? n->left : n->right;
  }
  return up;
}

static bool bound_ok(kiln_val coll, const sbound *b, const node *n) {
  if (!b) return true;
  int c = kiln_sorted_compare(coll, n->key, b->key);
  return KILN_TRUTHY(kiln_call2(b->test, KILN_FIXNUM(c), KILN_FIXNUM(0)));
}

static kiln_val seq_make(kiln_val coll, const sframe *stack, bool asc, const sbound *b) {
  if (!stack || !bound_ok(coll, b, stack->n)) return KILN_NIL;
  kiln_seq_obj *s = kiln_seq_obj_new(KILN_SEQ_SORTED, coll);
  s->node = (void *)stack;
  s->i = asc;
  s->extra = (kiln_val)b;
  s->end = ((kiln_sorted *)coll)->cnt;
  return (kiln_val)s;
}

kiln_val kiln_sorted_seq(kiln_val m, bool ascending) {
  return seq_make(m, push_spine(((kiln_sorted *)m)->root, NULL, ascending), ascending, NULL);
}

static const sframe *stack_from(kiln_val mv, kiln_val k, bool asc) {
  kiln_sorted *m = (kiln_sorted *)mv;
  const sframe *stack = NULL;
  const node *t = m->root;
  while (t) {
    int c = kiln_comparator_call(m->cmp, k, t->key);
    sframe *f;
    if (c == 0) {
      f = kiln_alloc(sizeof *f);
      f->n = t;
      f->up = stack;
      return f;
    }
    if (asc ? c < 0 : c > 0) {
      f = kiln_alloc(sizeof *f);
      f->n = t;
      f->up = stack;
      stack = f;
      t = asc ? t->left : t->right;
    } else {
      t = asc ? t->right : t->left;
    }
  }
  return stack;
}

kiln_val kiln_sorted_seq_from(kiln_val m, kiln_val k, bool ascending) {
  return seq_make(m, stack_from(m, k, ascending), ascending, NULL);
}

kiln_val kiln_sorted_seq_first(const kiln_seq_obj *s) {
  const node *n = ((const sframe *)s->node)->n;
  if (KILN_HAS_TYPE(s->coll, KILN_T_SORTED_SET)) return n->key;
  return kiln_map_entry(n->key, n->val);
}

kiln_val kiln_sorted_seq_next(const kiln_seq_obj *s) {
  const sframe *top = s->node;
  bool asc = s->i != 0;
  const sframe *stack = push_spine(asc ? top->n->right : top->n->left, top->up, asc);
  return seq_make(s->coll, stack, asc, (const sbound *)s->extra);
}

/* ---- natives ------------------------------------------------------------ */

static kiln_val build(kiln_val coll, uint32_t argc, const kiln_val *argv, bool pairs) {
  if (pairs && (argc & 1))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "No value supplied for key: %s", kiln_pr_str(argv[argc - 1]));
  for (uint32_t i = 0; i < argc; i += pairs ? 2 : 1)
    coll = kiln_sorted_assoc(coll, argv[i], pairs ? argv[i + 1] : argv[i]);
  return coll;
}

KILN_NATIVE(n_sorted_map) { return build(kiln_sorted_map_new(KILN_NIL), argc, argv, true); }

KILN_NATIVE(n_sorted_map_by) {
  KILN_ARITY("clojure.core/sorted-map-by", argc >= 1);
  return build(kiln_sorted_map_new(argv[0]), argc - 1, argv + 1, true);
}

KILN_NATIVE(n_sorted_set) { return build(kiln_sorted_set_new(KILN_NIL), argc, argv, false); }

KILN_NATIVE(n_sorted_set_by) {
  KILN_ARITY("clojure.core/sorted-set-by", argc >= 1);
  return build(kiln_sorted_set_new(argv[0]), argc - 1, argv + 1, false);
}

static kiln_val sorted_arg(kiln_val sc) {
  if (!KILN_HAS_TYPE(sc, KILN_T_SORTED_MAP) && !KILN_HAS_TYPE(sc, KILN_T_SORTED_SET))
    kiln_throwf(KILN_EX_CLASS_CAST, "%s cannot be cast to clojure.lang.Sorted", kiln_class_name(sc));
  return sc;
}

static bool is_core_fn(kiln_val f, const char *name) {
  kiln_var *v = kiln_var_intern("clojure.core", name);
  return f == KILN_VAR_ROOT(v);
}

static sbound *bound_new(kiln_val test, kiln_val key) {
  sbound *b = kiln_alloc(sizeof *b);
  b->test = test;
  b->key = key;
  return b;
}

/* A seq from [k] in direction [asc], skipping a first key that fails [start],
 * and ending where [end] (may be NULL) fails. */
static kiln_val bounded(kiln_val sc, kiln_val k, bool asc, sbound *start, sbound *end) {
  const sframe *stack = stack_from(sc, k, asc);
  if (stack && !bound_ok(sc, start, stack->n))
    stack = push_spine(asc ? stack->n->right : stack->n->left, stack->up, asc);
  return seq_make(sc, stack, asc, end);
}

static kiln_val subseq(uint32_t argc, const kiln_val *argv, bool asc) {
  kiln_val sc = sorted_arg(argv[0]);
  if (((kiln_sorted *)sc)->cnt == 0) return KILN_NIL;
  if (argc == 3) {
    kiln_val test = argv[1], key = argv[2];
    bool from = asc ? (is_core_fn(test, ">") || is_core_fn(test, ">="))
                    : (is_core_fn(test, "<") || is_core_fn(test, "<="));
    sbound *b = bound_new(test, key);
    if (from) return bounded(sc, key, asc, b, NULL);
    return seq_make(sc, push_spine(((kiln_sorted *)sc)->root, NULL, asc), asc, b);
  }
  sbound *sb = bound_new(argv[1], argv[2]), *eb = bound_new(argv[3], argv[4]);
  if (asc) return bounded(sc, argv[2], true, sb, eb);
  return bounded(sc, argv[4], false, eb, sb);
}

KILN_NATIVE(n_subseq) {
  KILN_ARITY("clojure.core/subseq", argc == 3 || argc == 5);
  return subseq(argc, argv, true);
}

KILN_NATIVE(n_rsubseq) {
  KILN_ARITY("clojure.core/rsubseq", argc == 3 || argc == 5);
  return subseq(argc, argv, false);
}

KILN_NATIVE(n_sorted_seq_from) {
  KILN_ARITY("clojure.core/-sorted-seq-from", argc == 3);
  return kiln_sorted_seq_from(sorted_arg(argv[0]), argv[1], KILN_TRUTHY(argv[2]));
}

static const kiln_native_def sorted_natives[] = {
    {"sorted-map", "([& keyvals])", "A map of the key/value pairs given as alternating arguments, kept in\n  ascending key order by compare; when a key repeats, its last value wins.\n  Keys that compare cannot order against each other throw\n  ClassCastException.", n_sorted_map, 0},
    {"sorted-map-by", "([comparator & keyvals])", "A map of the key/value pairs given after comparator, kept in the order\n  comparator defines (a function returning a negative, zero or positive\n  number, or a boolean predicate such as >); a repeated key keeps its last\n  value.", n_sorted_map_by, 0},
    {"sorted-set", "([& keys])", "A set of the arguments kept in ascending order by compare; repeats are\n  kept once.", n_sorted_set, 0},
    {"sorted-set-by", "([comparator & keys])", "A set of the arguments kept in the order comparator defines (a three-way\n  comparison or a boolean predicate such as >); repeats are kept once.", n_sorted_set_by, 0},
    {"subseq", "([sc test key] [sc start-test start-key end-test end-key])", "The entries (of a sorted map) or members (of a sorted set) of sc whose\n  keys satisfy the bounds, in the collection's order, or nil when none do.\n  Each test is <, <=, > or >= and compares a key with the given key through\n  sc's comparator; with two bounds one is the lower and one the upper.", n_subseq, 0},
    {"rsubseq", "([sc test key] [sc start-test start-key end-test end-key])", "Like subseq, but the entries or members come in reverse (descending) order.", n_rsubseq, 0},
    {"-sorted-seq-from", "([sc key ascending?])", "The seq of sorted collection sc from key (the first key >= key ascending,\n  <= key descending).", n_sorted_seq_from, 0},
};

void kiln_sorted_register_natives(void) {
  kiln_natives_register("clojure.core", sorted_natives, KILN_ARRAY_LEN(sorted_natives));
}
