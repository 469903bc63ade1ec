/*
 * symbol.c — symbols and keywords.
 *
 * A symbol is a value: two symbols are equal when their namespaces and names
 * are, whatever their metadata. Symbols without metadata come from one intern
 * table, so the common case compares by pointer first; a symbol with metadata
 * is a copy (kiln_sym_with_meta). A keyword is interned for good: one object
 * per ns/name, compared with ==.
 *
 * Both tables are chained hash tables whose bucket arrays are uncollectable
 * GC memory (roots), guarded by one mutex each. Everything that can throw
 * (allocation) happens before the lock is taken, so no longjmp ever crosses
 * a held lock.
 */
#include <gc.h>
#include <pthread.h>
#include <string.h>

#include "runtime/rt.h"

/* 0x9e3779b9: the golden-ratio constant of Keyword.hasheq and Util.hashCombine. */
#define GOLDEN 0x9e3779b9u

int32_t kiln_hash_combine(int32_t seed, int32_t hash) {
  uint32_t s = (uint32_t)seed;
  s ^= (uint32_t)hash + GOLDEN + (s << 6) + (uint32_t)(seed >> 2);
  return (int32_t)s;
}

typedef struct intern_node {
  struct intern_node *next;
  kiln_val obj; /* a symbol or a keyword */
  uint32_t key;
} intern_node;

typedef struct intern_table {
  pthread_mutex_t lock;
  intern_node **buckets; /* uncollectable */
  size_t nbuckets, count;
} intern_table;

static intern_table sym_table = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};
static intern_table kw_table = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static uint32_t name_key(const char *ns, const char *name) {
  uint32_t h = 2166136261u;
  if (ns) {
    for (const char *p = ns; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ '/') * 16777619u;
  }
  for (const char *p = name; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  return h;
}

static kiln_val sym_of(kiln_val x) {
  return KILN_HAS_TYPE(x, KILN_T_KEYWORD) ? ((const kiln_keyword *)x)->sym : x;
}

static bool names_match(kiln_val obj, const char *ns, const char *name) {
  const kiln_symbol *s = (const kiln_symbol *)sym_of(obj);
  if (strcmp(kiln_str_data(s->name), name) != 0) return false;
  if (s->ns == KILN_NIL || !ns) return s->ns == KILN_NIL && !ns;
  return strcmp(kiln_str_data(s->ns), ns) == 0;
}

/* Grows [t] (called with the lock held; on allocation failure it stays). */
static void table_grow(intern_table *t) {
  size_t nb = t->nbuckets ? t->nbuckets * 2 : 1024;
  intern_node **b = GC_MALLOC_UNCOLLECTABLE(nb * sizeof *b);
  if (!b) return;
  memset(b, 0, nb * sizeof *b);
  for (size_t i = 0; i < t->nbuckets; i++) {
    intern_node *n = t->buckets[i];
    while (n) {
      intern_node *next = n->next;
      n->next = b[n->key & (nb - 1)];
      b[n->key & (nb - 1)] = n;
      n = next;
    }
  }
  if (t->buckets) GC_FREE(t->buckets);
  t->buckets = b;
  t->nbuckets = nb;
}

static kiln_val table_find_locked(intern_table *t, uint32_t key, const char *ns, const char *name) {
  if (!t->nbuckets) return KILN_NIL;
  for (intern_node *n = t->buckets[key & (t->nbuckets - 1)]; n; n = n->next)
    if (n->key == key && names_match(n->obj, ns, name)) return n->obj;
  return KILN_NIL;
}

static kiln_val table_find(intern_table *t, const char *ns, const char *name) {
  uint32_t key = name_key(ns, name);
  pthread_mutex_lock(&t->lock);
  kiln_val r = table_find_locked(t, key, ns, name);
  pthread_mutex_unlock(&t->lock);
  return r;
}

/* Inserts [candidate] unless an equal entry exists; returns the entry. */
static kiln_val table_intern(intern_table *t, const char *ns, const char *name, kiln_val candidate) {
  uint32_t key = name_key(ns, name);
  intern_node *node = kiln_alloc(sizeof *node);
  node->obj = candidate;
  node->key = key;
  pthread_mutex_lock(&t->lock);
  kiln_val found = table_find_locked(t, key, ns, name);
  if (found == KILN_NIL) {
    if (t->count >= t->nbuckets) table_grow(t);
    if (t->nbuckets) {
      intern_node **slot = &t->buckets[key & (t->nbuckets - 1)];
      node->next = *slot;
      *slot = node;
      t->count++;
    }
    found = candidate;
  }
  pthread_mutex_unlock(&t->lock);
  return found;
}

/* ==== symbols ========================================================== */

static int32_t sym_hasheq(kiln_val ns, kiln_val name) {
  int32_t h = kiln_murmur3_hash_unencoded_chars(kiln_str_data(name), kiln_str_nbytes(name));
  int32_t nh = ns == KILN_NIL ? 0 : kiln_string_hash_code(kiln_str_data(ns), kiln_str_nbytes(ns));
  return kiln_hash_combine(h, nh);
}

static kiln_val sym_make(kiln_val ns, kiln_val name, kiln_val meta) {
  kiln_symbol *s = kiln_obj_new(KILN_T_SYMBOL, sizeof *s);
  s->ns = ns;
  s->name = name;
  s->meta = meta;
  s->hash = sym_hasheq(ns, name);
  return (kiln_val)s;
}

kiln_val kiln_sym(const char *ns, const char *name) {
  kiln_val found = table_find(&sym_table, ns, name);
  if (found != KILN_NIL) return found;
  kiln_val cand = sym_make(ns ? kiln_str_cstr(ns) : KILN_NIL, kiln_str_cstr(name), KILN_NIL);
  return table_intern(&sym_table, ns, name, cand);
}

/* Splits "ns/name" the way clojure.lang.Symbol.intern does: at the first '/',
 * unless the whole text is "/". */
static void split_qualified(const char *q, char **ns, const char **name) {
  const char *slash = strchr(q, '/');
  if (!slash || strcmp(q, "/") == 0 || slash == q) {
    *ns = NULL;
    *name = q;
    if (slash == q && strcmp(q, "/") != 0) { /* "/foo": ns "" as on the JVM */
      *ns = kiln_alloc_atomic(1);
      (*ns)[0] = 0;
      *name = q + 1;
    }
    return;
  }
  size_t n = (size_t)(slash - q);
  *ns = kiln_alloc_atomic(n + 1);
  memcpy(*ns, q, n);
  (*ns)[n] = 0;
  *name = slash + 1;
}

kiln_val kiln_sym_parse(const char *q) {
  char *ns;
  const char *name;
  split_qualified(q, &ns, &name);
  return kiln_sym(ns, name);
}

kiln_val kiln_sym_with_meta(kiln_val sym, kiln_val meta) {
  const kiln_symbol *s = (const kiln_symbol *)sym;
  if (meta == KILN_NIL) {
    if (s->meta == KILN_NIL) return sym;
    return kiln_sym(kiln_sym_ns(sym), kiln_sym_name(sym));
  }
  kiln_symbol *c = kiln_obj_new(KILN_T_SYMBOL, sizeof *c);
  *c = *s;
  c->meta = meta;
  return (kiln_val)c;
}

const char *kiln_sym_name(kiln_val sym) { return kiln_str_data(((const kiln_symbol *)sym)->name); }

const char *kiln_sym_ns(kiln_val sym) {
  kiln_val ns = ((const kiln_symbol *)sym)->ns;
  return ns == KILN_NIL ? NULL : kiln_str_data(ns);
}

bool kiln_sym_equal(kiln_val a, kiln_val b) {
  if (a == b) return true;
  const kiln_symbol *x = (const kiln_symbol *)a, *y = (const kiln_symbol *)b;
  if (x->hash != y->hash || !kiln_str_equal(x->name, y->name)) return false;
  if (x->ns == KILN_NIL || y->ns == KILN_NIL) return x->ns == y->ns;
  return kiln_str_equal(x->ns, y->ns);
}

/* clojure.lang.Symbol.compareTo: no namespace sorts first. */
int kiln_sym_compare(kiln_val a, kiln_val b) {
  if (kiln_sym_equal(a, b)) return 0;
  const kiln_symbol *x = (const kiln_symbol *)a, *y = (const kiln_symbol *)b;
  if (x->ns == KILN_NIL && y->ns != KILN_NIL) return -1;
  if (x->ns != KILN_NIL) {
    if (y->ns == KILN_NIL) return 1;
    int c = kiln_str_compare(x->ns, y->ns);
    if (c) return c;
  }
  return kiln_str_compare(x->name, y->name);
}

/* ==== keywords ========================================================= */

kiln_val kiln_kw(const char *ns, const char *name) {
  kiln_val found = table_find(&kw_table, ns, name);
  if (found != KILN_NIL) return found;
  kiln_keyword *k = kiln_obj_new(KILN_T_KEYWORD, sizeof *k);
  k->sym = kiln_sym(ns, name);
  k->hash = (int32_t)((uint32_t)((const kiln_symbol *)k->sym)->hash + GOLDEN);
  return table_intern(&kw_table, ns, name, (kiln_val)k);
}

kiln_val kiln_kw_parse(const char *q) {
  char *ns;
  const char *name;
  split_qualified(q, &ns, &name);
  return kiln_kw(ns, name);
}

/* The keyword for [ns]/[name] if one was ever made, else nil. */
kiln_val kiln_kw_find(const char *ns, const char *name) { return table_find(&kw_table, ns, name); }

const char *kiln_kw_name(kiln_val kw) { return kiln_sym_name(((const kiln_keyword *)kw)->sym); }
const char *kiln_kw_ns(kiln_val kw) { return kiln_sym_ns(((const kiln_keyword *)kw)->sym); }

/* ==== gensym =========================================================== */

static int64_t next_id_counter;

int64_t kiln_next_id(void) { return __atomic_add_fetch(&next_id_counter, 1, __ATOMIC_RELAXED); }

kiln_val kiln_gensym(const char *prefix) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "%s%lld", prefix ? prefix : "G__", (long long)kiln_next_id());
  return kiln_sym(NULL, kiln_sb_cstr(&sb));
}

/* ==== natives ========================================================== */

static bool is_named(kiln_val x) {
  return KILN_HAS_TYPE(x, KILN_T_SYMBOL) || KILN_HAS_TYPE(x, KILN_T_KEYWORD);
}

KILN_NORETURN static void not_named(kiln_val x, const char *method) {
  if (x == KILN_NIL)
    kiln_throwf(KILN_EX_NULL, "Cannot invoke \"clojure.lang.Named.%s()\" because \"x\" is null", method);
  kiln_throw_class_cast(x, "clojure.lang.Named");
}

static const char *want_str(kiln_val x, const char *fn) {
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return kiln_str_data(x);
  if (x == KILN_NIL) kiln_throwf(KILN_EX_NULL, "%s: name must not be nil", fn);
  kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.lang.String",
              kiln_class_name(x));
}

KILN_NATIVE(n_symbol) {
  KILN_ARITY("clojure.core/symbol", argc == 1 || argc == 2);
  if (argc == 2)
    return kiln_sym(argv[0] == KILN_NIL ? NULL : want_str(argv[0], "symbol"),
                    want_str(argv[1], "symbol"));
  kiln_val x = argv[0];
  if (KILN_HAS_TYPE(x, KILN_T_SYMBOL)) return x;
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return kiln_sym_parse(kiln_str_data(x));
  if (KILN_HAS_TYPE(x, KILN_T_KEYWORD)) return ((const kiln_keyword *)x)->sym;
  if (KILN_HAS_TYPE(x, KILN_T_VAR)) {
    const kiln_var *v = (const kiln_var *)x;
    const kiln_ns *ns = (const kiln_ns *)v->ns;
    return kiln_sym(kiln_sym_name(ns->name), kiln_sym_name(v->sym));
  }
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "no conversion to symbol");
}

KILN_NATIVE(n_keyword) {
  KILN_ARITY("clojure.core/keyword", argc == 1 || argc == 2);
  if (argc == 2)
    return kiln_kw(argv[0] == KILN_NIL ? NULL : want_str(argv[0], "keyword"),
                   want_str(argv[1], "keyword"));
  kiln_val x = argv[0];
  if (KILN_HAS_TYPE(x, KILN_T_KEYWORD)) return x;
  if (KILN_HAS_TYPE(x, KILN_T_SYMBOL)) return kiln_kw(kiln_sym_ns(x), kiln_sym_name(x));
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return kiln_kw_parse(kiln_str_data(x));
  return KILN_NIL;
}

KILN_NATIVE(n_find_keyword) {
  KILN_ARITY("clojure.core/find-keyword", argc == 1 || argc == 2);
  if (argc == 2)
    return kiln_kw_find(argv[0] == KILN_NIL ? NULL : want_str(argv[0], "find-keyword"),
                        want_str(argv[1], "find-keyword"));
  kiln_val x = argv[0];
  if (KILN_HAS_TYPE(x, KILN_T_KEYWORD)) return x;
  if (KILN_HAS_TYPE(x, KILN_T_SYMBOL)) return kiln_kw_find(kiln_sym_ns(x), kiln_sym_name(x));
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) {
    char *ns;
    const char *name;
    split_qualified(kiln_str_data(x), &ns, &name);
    return kiln_kw_find(ns, name);
  }
  return KILN_NIL;
}

KILN_NATIVE(n_name) {
  KILN_ARITY("clojure.core/name", argc == 1);
  kiln_val x = argv[0];
  if (KILN_HAS_TYPE(x, KILN_T_STRING)) return x;
  if (!is_named(x)) not_named(x, "getName");
  return ((const kiln_symbol *)sym_of(x))->name;
}

KILN_NATIVE(n_namespace) {
  KILN_ARITY("clojure.core/namespace", argc == 1);
  kiln_val x = argv[0];
  if (!is_named(x)) not_named(x, "getNamespace");
  return ((const kiln_symbol *)sym_of(x))->ns;
}

KILN_NATIVE(n_gensym) {
  KILN_ARITY("clojure.core/gensym", argc <= 1);
  if (argc == 0) return kiln_gensym(NULL);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_str_to(&sb, argv[0]);
  return kiln_gensym(kiln_sb_cstr(&sb));
}

#define NAMED_PRED(cname, lisp, type, cond)                                 \
  KILN_NATIVE(cname) {                                                      \
    KILN_ARITY("clojure.core/" lisp, argc == 1);                            \
    kiln_val x = argv[0];                                                   \
    if (!KILN_HAS_TYPE(x, type)) return KILN_FALSE;                         \
    const kiln_symbol *s = (const kiln_symbol *)sym_of(x);                  \
    KILN_UNUSED(s);                                                         \
    return KILN_BOOL(cond);                                                 \
  }

NAMED_PRED(n_keyword_p, "keyword?", KILN_T_KEYWORD, true)
NAMED_PRED(n_symbol_p, "symbol?", KILN_T_SYMBOL, true)
NAMED_PRED(n_simple_symbol_p, "simple-symbol?", KILN_T_SYMBOL, s->ns == KILN_NIL)
NAMED_PRED(n_qualified_symbol_p, "qualified-symbol?", KILN_T_SYMBOL, s->ns != KILN_NIL)
NAMED_PRED(n_simple_keyword_p, "simple-keyword?", KILN_T_KEYWORD, s->ns == KILN_NIL)
NAMED_PRED(n_qualified_keyword_p, "qualified-keyword?", KILN_T_KEYWORD, s->ns != KILN_NIL)

KILN_NATIVE(n_ident_p) {
  KILN_ARITY("clojure.core/ident?", argc == 1);
  return KILN_BOOL(is_named(argv[0]));
}

static const kiln_native_def symbol_natives[] = {
    {"symbol", "([name] [ns name])", "A symbol. With two arguments, ns (a string or nil) is its namespace and\n  name its name. With one, the argument may be a string (split at its first\n  / into namespace and name), a symbol (returned as it is), a keyword (the\n  same name without the colon) or a var (its qualified name).", n_symbol, 0},
    {"keyword", "([name] [ns name])", "An interned keyword, so equal keywords are identical?. With two arguments,\n  ns (a string or nil) is its namespace and name its name; with one, the\n  argument may be a string (split at its first /), a symbol or a keyword,\n  and anything else gives nil. The strings should not start with a colon.", n_keyword, 0},
    {"find-keyword", "([name] [ns name])", "The keyword with this namespace and name when one has already been\n  interned (read or created somewhere), otherwise nil; it never creates one.\n  Arguments are read as for keyword.", n_find_keyword, 0},
    {"name", "([x])", "The unqualified name of a keyword or symbol as a string (no namespace, no\n  colon); a string comes back unchanged.", n_name, 0},
    {"namespace", "([x])", "The namespace part of a qualified keyword or symbol, as a string; nil for\n  an unqualified one.", n_namespace, 0},
    {"gensym", "([] [prefix-string])", "A fresh symbol whose name is prefix-string (default \"G__\") followed by a\n  number taken from a counter, so each call gives a name not used before in\n  this process.", n_gensym, 0},
    {"keyword?", "([x])", "True for keywords, false for everything else.", n_keyword_p, 0},
    {"symbol?", "([x])", "True for symbols, false for everything else.", n_symbol_p, 0},
    {"simple-symbol?", "([x])", "True for symbols without a namespace part, such as foo.", n_simple_symbol_p, 0},
    {"qualified-symbol?", "([x])", "True for symbols that have a namespace part, such as a/foo.", n_qualified_symbol_p, 0},
    {"simple-keyword?", "([x])", "True for keywords without a namespace part, such as :foo.", n_simple_keyword_p, 0},
    {"qualified-keyword?", "([x])", "True for keywords that have a namespace part, such as :a/foo.", n_qualified_keyword_p, 0},
    {"ident?", "([x])", "True for keywords and symbols, with or without a namespace.", n_ident_p, 0},
};

/* The intern tables are static, so symbols and keywords work before any
 * initialisation; the natives need namespaces, which exist only after
 * kiln_var_init, so kiln_string_init registers them. */
void kiln_symbol_init(void) {}

void kiln_symbol_register_natives(void) {
  kiln_natives_register("clojure.core", symbol_natives, KILN_ARRAY_LEN(symbol_natives));
}
