/*
 * analyze.c — forms to AST (ast.h): macroexpansion, symbol resolution and
 * the special forms of DESIGN §4.
 *
 * The analyzer walks a form with an actx that says where it is: the lexical
 * locals in scope (a linked list, innermost first), the fn being built (its
 * frame-slot counter and capture list), whether the form is in tail position
 * and what a recur there would jump to. Locals resolve to slots; globals to
 * vars, interned for def at analysis time so a recursive defn sees itself.
 * Errors are CompilerExceptions that carry the form's file, line and column.
 */
#include <stdarg.h>
#include <string.h>

#include "compiler/compiler.h"

const char *const kiln_node_kind_names[KILN_N_COUNT] = {
#define KILN_AST_NAME(name, str) str,
    KILN_AST_NODES(KILN_AST_NAME)
#undef KILN_AST_NAME
};

/* ---- keywords and symbols used here ---- */

static kiln_val kw_line, kw_column, kw_file, kw_doc, kw_name, kw_macro, kw_dynamic, kw_private,
    kw_err_source, kw_err_line, kw_err_column, kw_err_phase, kw_compile, kw_end_line,
    kw_end_column, kw_default;
static kiln_val sym_amp, sym_catch, sym_finally, sym_do;

static void analyze_init_names(void) {
  if (kw_line) return;
  kw_line = kiln_kw(NULL, "line");
  kw_column = kiln_kw(NULL, "column");
  kw_file = kiln_kw(NULL, "file");
  kw_doc = kiln_kw(NULL, "doc");
  kw_name = kiln_kw(NULL, "name");
  kw_macro = kiln_kw(NULL, "macro");
  kw_dynamic = kiln_kw(NULL, "dynamic");
  kw_private = kiln_kw(NULL, "private");
  kw_end_line = kiln_kw(NULL, "end-line");
  kw_end_column = kiln_kw(NULL, "end-column");
  kw_default = kiln_kw(NULL, "default");
  kw_err_source = kiln_kw("clojure.error", "source");
  kw_err_line = kiln_kw("clojure.error", "line");
  kw_err_column = kiln_kw("clojure.error", "column");
  kw_err_phase = kiln_kw("clojure.error", "phase");
  kw_compile = kiln_kw(NULL, "compile-syntax-check");
  sym_amp = kiln_sym(NULL, "&");
  sym_catch = kiln_sym(NULL, "catch");
  sym_finally = kiln_sym(NULL, "finally");
  sym_do = kiln_sym(NULL, "do");
}

/* ---- the analysis context ---- */

typedef struct lenv {
  kiln_local *local;
  const struct lenv *next;
} lenv;

/* The fn (or top-level unit) being analyzed. */
typedef struct fnctx {
  struct fnctx *parent;
  kiln_node *fn;
  kiln_local *self;         /* the self-name local, or NULL */
  kiln_fn_method *method;   /* the method being analyzed */
  uint32_t next_slot;
  uint32_t ncaps, capcap;
  kiln_local_ref *caps;
} fnctx;

/* Per-unit counters, so ids are unique within one top-level analysis. */
typedef struct unit {
  uint32_t next_local_id;
  uint32_t next_fn_id;
} unit;

typedef struct actx {
  const lenv *locals;
  fnctx *fn;
  unit *u;
  bool tail;
  bool in_try;                  /* inside a try body: recur may not cross it */
  kiln_node *loop;              /* recur target: a LOOP node ... */
  kiln_fn_method *method;       /* ... or a method (when loop is NULL) */
  kiln_local **rtargets;
  uint32_t nrtargets;
  const char *fn_prefix;        /* "ns/name" of the enclosing def, for fn names */
  const char *file;
  int line, column;
} actx;

/* ---- errors ---- */

static KILN_NORETURN void cerror(const actx *c, const char *fmt, ...) KILN_PRINTF(2, 3);
static KILN_NORETURN void cerror(const actx *c, const char *fmt, ...) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  va_list ap;
  va_start(ap, fmt);
  char small[512];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof small) {
    char *big = kiln_alloc_atomic((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    kiln_sb_puts(&sb, big);
  } else {
    kiln_sb_puts(&sb, small);
  }
  kiln_val kvs[] = {kw_err_source, kiln_str_cstr(c->file ? c->file : "NO_SOURCE_PATH"),
                    kw_err_line,   KILN_FIXNUM(c->line),
                    kw_err_column, KILN_FIXNUM(c->column),
                    kw_err_phase,  kw_compile};
  kiln_throw(kiln_ex_new("clojure.lang.Compiler$CompilerException", kiln_sb_to_string(&sb),
                         kiln_map_from(8, kvs), KILN_NIL));
}

static const char *pr(kiln_val x) { return kiln_pr_str(x); }

/* ---- small helpers ---- */

static bool is_symbol(kiln_val v) { return KILN_HAS_TYPE(v, KILN_T_SYMBOL); }

static bool sym_is(kiln_val sym, const char *name) {
  return is_symbol(sym) && kiln_sym_ns(sym) == NULL && strcmp(kiln_sym_name(sym), name) == 0;
}

static bool has_meta_slot(kiln_val v) {
  if (!KILN_IS_PTR(v)) return false;
  switch (kiln_type_of(v)) {
    case KILN_T_SYMBOL: case KILN_T_LIST: case KILN_T_EMPTY_LIST: case KILN_T_CONS:
    case KILN_T_LAZY_SEQ: case KILN_T_VECTOR: case KILN_T_ARRAY_MAP: case KILN_T_HASH_MAP:
    case KILN_T_HASH_SET: case KILN_T_SEQ: case KILN_T_SORTED_MAP: case KILN_T_SORTED_SET:
      return true;
    default:
      return false;
  }
}

static kiln_val form_meta(kiln_val form) {
  return has_meta_slot(form) ? kiln_meta(form) : KILN_NIL;
}

/* Updates [c]'s position from [form]'s :line/:column metadata, if any. */
static void take_pos(actx *c, kiln_val form) {
  kiln_val m = form_meta(form);
  if (m == KILN_NIL) return;
  kiln_val l = kiln_get(m, kw_line, KILN_NIL);
  if (KILN_IS_FIXNUM(l)) {
    c->line = (int)KILN_FIXNUM_VALUE(l);
    kiln_val col = kiln_get(m, kw_column, KILN_NIL);
    c->column = KILN_IS_FIXNUM(col) ? (int)KILN_FIXNUM_VALUE(col) : 0;
  }
}

/* Metadata the user wrote (position keys the reader adds removed); nil if none. */
static kiln_val user_meta(kiln_val form) {
  kiln_val m = form_meta(form);
  if (m == KILN_NIL) return KILN_NIL;
  m = kiln_dissoc(m, kw_line);
  m = kiln_dissoc(m, kw_column);
  m = kiln_dissoc(m, kw_file);
  m = kiln_dissoc(m, kw_end_line);
  m = kiln_dissoc(m, kw_end_column);
  return kiln_count_int(m) == 0 ? KILN_NIL : m;
}

/* The items of seq [form] into a GC array; returns the count. */
static uint32_t seq_items(kiln_val form, kiln_val **out) {
  uint32_t n = 0, cap = 8;
  kiln_val *a = kiln_alloc(cap * sizeof *a);
  for (kiln_val s = kiln_seq(form); s != KILN_NIL; s = kiln_next(s)) {
    if (n == cap) {
      kiln_val *b = kiln_alloc(2 * cap * sizeof *b);
      memcpy(b, a, n * sizeof *a);
      a = b;
      cap *= 2;
    }
    a[n++] = kiln_first(s);
  }
  *out = a;
  return n;
}

static kiln_node *node_new(kiln_node_kind kind, const actx *c, kiln_val form) {
  kiln_node *n = kiln_alloc(sizeof *n);
  n->kind = kind;
  n->file = c->file;
  n->line = c->line;
  n->column = c->column;
  n->form = form;
  return n;
}

static kiln_node *const_node(const actx *c, kiln_val v) {
  kiln_node *n = node_new(KILN_N_CONST, c, v);
  n->u.constant.value = v;
  return n;
}

static kiln_val current_ns(void) { return kiln_var_get(kiln_v_ns); }

static const char *ns_name_of(kiln_val ns) {
  return kiln_sym_name(((kiln_ns *)ns)->name);
}

/* ---- classes ---- */

/* Short names that stand for JVM classes, as portable code writes them. */
static const char *const class_aliases[][2] = {
    {"Object", "java.lang.Object"},
    {"String", "java.lang.String"},
    {"Long", "java.lang.Long"},
    {"Integer", "java.lang.Integer"},
    {"Short", "java.lang.Short"},
    {"Byte", "java.lang.Byte"},
    {"Double", "java.lang.Double"},
    {"Float", "java.lang.Float"},
    {"Number", "java.lang.Number"},
    {"Boolean", "java.lang.Boolean"},
    {"Character", "java.lang.Character"},
    {"CharSequence", "java.lang.CharSequence"},
    {"Comparable", "java.lang.Comparable"},
    {"Iterable", "java.lang.Iterable"},
    {"Runnable", "java.lang.Runnable"},
    {"Throwable", "java.lang.Throwable"},
    {"Exception", "java.lang.Exception"},
    {"Error", "java.lang.Error"},
    {"AssertionError", "java.lang.AssertionError"},
    {"RuntimeException", "java.lang.RuntimeException"},
    {"IllegalArgumentException", "java.lang.IllegalArgumentException"},
    {"IllegalStateException", "java.lang.IllegalStateException"},
    {"ArithmeticException", "java.lang.ArithmeticException"},
    {"ClassCastException", "java.lang.ClassCastException"},
    {"NullPointerException", "java.lang.NullPointerException"},
    {"IndexOutOfBoundsException", "java.lang.IndexOutOfBoundsException"},
    {"UnsupportedOperationException", "java.lang.UnsupportedOperationException"},
    {"NumberFormatException", "java.lang.NumberFormatException"},
    {"InterruptedException", "java.lang.InterruptedException"},
    {"StackOverflowError", "java.lang.StackOverflowError"},
    {"OutOfMemoryError", "java.lang.OutOfMemoryError"},
    {"Math", "java.lang.Math"},
    {"System", "java.lang.System"},
    {"Thread", "java.lang.Thread"},
    {"StringBuilder", "java.lang.StringBuilder"},
    {"ExceptionInfo", "clojure.lang.ExceptionInfo"},
    {"BigInteger", "java.math.BigInteger"},
    {"BigDecimal", "java.math.BigDecimal"},
    {"Pattern", "java.util.regex.Pattern"},
    {"UUID", "java.util.UUID"},
    {"Date", "java.util.Date"},
};

const char *kiln_class_for_symbol(kiln_val sym) {
  if (!is_symbol(sym) || kiln_sym_ns(sym) != NULL) return NULL;
  const char *name = kiln_sym_name(sym);
  for (size_t i = 0; i < KILN_ARRAY_LEN(class_aliases); i++)
    if (strcmp(class_aliases[i][0], name) == 0) return class_aliases[i][1];
  /* A dotted name whose last segment is capitalised reads as a class name. */
  const char *dot = strrchr(name, '.');
  if (dot && dot != name && dot[1] >= 'A' && dot[1] <= 'Z') return name;
  return NULL;
}

/*
 * (Name. args...) without JVM interop: an exception class builds an
 * exception, (ExceptionInfo. msg data) included; anything else calls the
 * record or type constructor ->Name that defrecord and deftype define.
 */
static kiln_val constructor_call(kiln_val form, const char *name, size_t len) {
  char *base = kiln_alloc_atomic(len);
  memcpy(base, name, len - 1);
  base[len - 1] = 0;
  const char *cls = kiln_class_for_symbol(kiln_sym(NULL, base));
  size_t clen = cls ? strlen(cls) : 0;
  bool exception = cls && ((clen >= 9 && strcmp(cls + clen - 9, "Exception") == 0) ||
                           (clen >= 5 && strcmp(cls + clen - 5, "Error") == 0) ||
                           strcmp(cls, "java.lang.Throwable") == 0 ||
                           strcmp(cls, "clojure.lang.ExceptionInfo") == 0);
  kiln_val args = kiln_next(form);
  kiln_val call;
  if (exception && strcmp(cls, "clojure.lang.ExceptionInfo") == 0) {
    call = kiln_cons(kiln_sym("clojure.core", "ex-info"), args);
  } else if (exception) {
    call = kiln_cons(kiln_sym("clojure.core", "ex-new*"), kiln_cons(kiln_str_cstr(cls), args));
  } else {
    char *ctor = kiln_alloc_atomic(len + 2);
    snprintf(ctor, len + 2, "->%s", base);
    call = kiln_cons(kiln_sym(NULL, ctor), args);
  }
  kiln_val items = kiln_seq_to_vector(call);
  uint32_t n = kiln_vec_count(items);
  kiln_val *arr = kiln_alloc((n ? n : 1) * sizeof *arr);
  for (uint32_t i = 0; i < n; i++) arr[i] = kiln_vec_nth(items, i, KILN_NIL, true);
  return kiln_with_meta(kiln_list_from(n, arr), kiln_meta(form));
}

/* ---- resolution ---- */

typedef enum { RES_NONE, RES_VAR, RES_CLASS, RES_NO_NS, RES_NO_VAR, RES_PRIVATE } res_status;

static kiln_val sym_unqualified(kiln_val sym) {
  return kiln_sym_ns(sym) ? kiln_sym(NULL, kiln_sym_name(sym)) : sym;
}

static kiln_val mapping_of(kiln_val ns, kiln_val name_sym) {
  return kiln_get(((kiln_ns *)ns)->mappings, name_sym, KILN_NIL);
}

/* The namespace a qualified symbol's ns part names in [ns]: alias, then full name. */
static kiln_val ns_for_qualifier(kiln_val ns, const char *q) {
  kiln_val qs = kiln_sym(NULL, q);
  kiln_val target = kiln_get(((kiln_ns *)ns)->aliases, qs, KILN_NIL);
  if (target != KILN_NIL) return target;
  return kiln_ns_find(qs);
}

static res_status resolve(kiln_val ns, kiln_val sym, kiln_var **var, const char **cls) {
  const char *q = kiln_sym_ns(sym);
  const char *name = kiln_sym_name(sym);
  if (q) {
    kiln_val target = ns_for_qualifier(ns, q);
    if (target == KILN_NIL) {
      const char *c = kiln_class_for_symbol(kiln_sym(NULL, q));
      if (c) { *cls = c; return RES_NO_VAR; } /* a static member: no interop */
      return RES_NO_NS;
    }
    kiln_val v = mapping_of(target, kiln_sym(NULL, name));
    if (!KILN_HAS_TYPE(v, KILN_T_VAR) || ((kiln_var *)v)->ns != target) return RES_NO_VAR;
    *var = (kiln_var *)v;
    if ((*var)->h.flags & KILN_VAR_PRIVATE && target != ns) return RES_PRIVATE;
    return RES_VAR;
  }
  kiln_val v = mapping_of(ns, sym);
  if (KILN_HAS_TYPE(v, KILN_T_VAR)) {
    *var = (kiln_var *)v;
    return RES_VAR;
  }
  const char *c = kiln_class_for_symbol(sym);
  if (c) {
    *cls = c;
    return RES_CLASS;
  }
  return RES_NONE;
}

kiln_val kiln_compiler_resolve(kiln_val ns, kiln_val sym) {
  analyze_init_names();
  kiln_var *v = NULL;
  const char *cls = NULL;
  switch (resolve(ns, sym, &v, &cls)) {
    case RES_VAR: case RES_PRIVATE: return (kiln_val)v;
    case RES_CLASS: return kiln_sym(NULL, cls);
    default: return KILN_NIL;
  }
}

static kiln_local *find_local(const lenv *e, kiln_val sym) {
  if (kiln_sym_ns(sym)) return NULL;
  const char *name = kiln_sym_name(sym);
  for (; e; e = e->next)
    if (strcmp(e->local->name, name) == 0) return e->local;
  return NULL;
}

/* ---- special forms ---- */

typedef kiln_node *(*special_fn)(actx *c, kiln_val form, kiln_val *items, uint32_t n);

#define KILN_SPECIAL_FORMS(X)                                                                 \
  X("def", an_def) X("if", an_if) X("do", an_do) X("let*", an_let) X("loop*", an_loop)       \
  X("recur", an_recur) X("fn*", an_fn) X("quote", an_quote) X("var", an_var)                  \
  X("throw", an_throw) X("try", an_try) X("letfn*", an_letfn) X("case*", an_case)             \
  X("set!", an_set) X(".", an_dot) X("new", an_new)

#define DECL_SPECIAL(str, fn) static kiln_node *fn(actx *c, kiln_val form, kiln_val *items, uint32_t n);
KILN_SPECIAL_FORMS(DECL_SPECIAL)
#undef DECL_SPECIAL

static const struct {
  const char *name;
  special_fn fn;
} specials[] = {
#define ROW_SPECIAL(str, fn) {str, fn},
    KILN_SPECIAL_FORMS(ROW_SPECIAL)
#undef ROW_SPECIAL
};

static special_fn special_of(kiln_val sym) {
  if (!is_symbol(sym)) return NULL;
  const char *q = kiln_sym_ns(sym);
  if (q && strcmp(q, "clojure.core") != 0) return NULL;
  const char *name = kiln_sym_name(sym);
  for (size_t i = 0; i < KILN_ARRAY_LEN(specials); i++)
    if (strcmp(specials[i].name, name) == 0) {
      if (q && strcmp(name, ".") == 0) return NULL;
      return specials[i].fn;
    }
  return NULL;
}

bool kiln_special_symbol_p(kiln_val sym);
bool kiln_special_symbol_p(kiln_val sym) {
  return is_symbol(sym) && kiln_sym_ns(sym) == NULL && special_of(sym) != NULL;
}

/* ---- macroexpansion ---- */

static kiln_val env_map(const lenv *e) {
  if (!e) return KILN_NIL;
  kiln_val m = kiln_empty_map;
  for (; e; e = e->next)
    if (!kiln_contains(m, e->local->sym)) m = kiln_assoc(m, e->local->sym, e->local->sym);
  return m;
}

/* The macro var [form]'s head names, or NULL. Locals and special forms shadow macros. */
static kiln_var *macro_var(kiln_val form, const lenv *locals) {
  if (!kiln_is_seq(form)) return NULL;
  kiln_val op = kiln_first(form);
  if (!is_symbol(op) || special_of(op) || find_local(locals, op)) return NULL;
  kiln_var *v = NULL;
  const char *cls = NULL;
  res_status st = resolve(current_ns(), op, &v, &cls);
  if ((st == RES_VAR || st == RES_PRIVATE) && (v->h.flags & KILN_VAR_MACRO)) return v;
  return NULL;
}

static kiln_val expand_with(kiln_var *v, kiln_val form, const lenv *locals) {
  kiln_val *items;
  uint32_t n = seq_items(form, &items);
  kiln_val *argv = kiln_alloc((n + 1) * sizeof *argv);
  argv[0] = form;
  argv[1] = env_map(locals);
  for (uint32_t i = 1; i < n; i++) argv[i + 1] = items[i];
  kiln_val f = kiln_var_get(v);
  return kiln_call(f, n + 1, argv);
}

kiln_val kiln_macroexpand_1(kiln_val form) {
  analyze_init_names();
  kiln_var *v = macro_var(form, NULL);
  return v ? expand_with(v, form, NULL) : form;
}

kiln_val kiln_macroexpand(kiln_val form) {
  for (;;) {
    kiln_val e = kiln_macroexpand_1(form);
    if (e == form) return form;
    form = e;
  }
}

/* ---- locals, slots and captures ---- */

static kiln_local *local_new(actx *c, kiln_val sym, kiln_local_kind kind) {
  if (!is_symbol(sym)) cerror(c, "Bad binding form, expected symbol, got: %s", pr(sym));
  if (kiln_sym_ns(sym)) cerror(c, "Can't let qualified name: %s", pr(sym));
  kiln_local *l = kiln_alloc(sizeof *l);
  l->sym = kiln_sym(NULL, kiln_sym_name(sym));
  l->name = kiln_sym_name(sym);
  l->kind = kind;
  l->id = c->u->next_local_id++;
  if (kind != KILN_LOCAL_FN_SELF) {
    fnctx *f = c->fn;
    l->owner = f->method;
    l->slot = f->next_slot++;
    if (f->next_slot > f->method->nslots) f->method->nslots = f->next_slot;
  }
  return l;
}

static const lenv *lenv_push(const lenv *e, kiln_local *l) {
  lenv *n = kiln_alloc(sizeof *n);
  n->local = l;
  n->next = e;
  return n;
}

static bool fn_owns(const fnctx *f, const kiln_local *l) {
  if (l->kind == KILN_LOCAL_FN_SELF) return f->self == l;
  return l->owner && l->owner->fn == f->fn;
}

/* How code running in [f] reaches local [l], adding captures on the way out. */
static kiln_local_ref ref_from(fnctx *f, kiln_local *l) {
  kiln_local_ref r = {l, KILN_LOCAL_IN_FRAME, 0};
  if (fn_owns(f, l)) {
    if (l->kind == KILN_LOCAL_FN_SELF) r.where = KILN_LOCAL_IS_SELF;
    return r;
  }
  for (uint32_t i = 0; i < f->ncaps; i++)
    if (f->caps[i].local == l) {
      r.where = KILN_LOCAL_IN_CLOSED;
      r.index = i;
      return r;
    }
  kiln_local_ref outer = ref_from(f->parent, l);
  l->captured = true;
  if (f->ncaps == f->capcap) {
    uint32_t cap = f->capcap ? 2 * f->capcap : 4;
    kiln_local_ref *b = kiln_alloc(cap * sizeof *b);
    if (f->ncaps) memcpy(b, f->caps, f->ncaps * sizeof *b);
    f->caps = b;
    f->capcap = cap;
  }
  f->caps[f->ncaps] = outer;
  r.where = KILN_LOCAL_IN_CLOSED;
  r.index = f->ncaps++;
  return r;
}

/* ---- the analyzer proper ---- */

static kiln_node *analyze(actx *c, kiln_val form);

/* Analyzes [form] not in tail position. */
static kiln_node *analyze_expr(const actx *c, kiln_val form) {
  actx d = *c;
  d.tail = false;
  return analyze(&d, form);
}

/* (do body...) over items[from..n): the last one in [c]'s tail position. */
static kiln_node *analyze_body(actx *c, kiln_val form, kiln_val *items, uint32_t from, uint32_t n) {
  if (from >= n) return const_node(c, KILN_NIL);
  if (from + 1 == n) return analyze(c, items[from]);
  kiln_node *d = node_new(KILN_N_DO, c, form);
  d->u.do_.n = n - from;
  d->u.do_.body = kiln_alloc((n - from) * sizeof(kiln_node *));
  for (uint32_t i = from; i < n; i++) {
    actx e = *c;
    if (i + 1 < n) e.tail = false;
    d->u.do_.body[i - from] = analyze(&e, items[i]);
  }
  return d;
}

static kiln_node *analyze_symbol(actx *c, kiln_val sym) {
  kiln_local *l = find_local(c->locals, sym);
  if (l) {
    kiln_node *n = node_new(KILN_N_LOCAL, c, sym);
    n->u.local = ref_from(c->fn, l);
    return n;
  }
  kiln_var *v = NULL;
  const char *cls = NULL;
  switch (resolve(current_ns(), sym, &v, &cls)) {
    case RES_VAR: {
      if (v->h.flags & KILN_VAR_MACRO)
        cerror(c, "Can't take value of a macro: %s", pr((kiln_val)v));
      kiln_node *n = node_new(KILN_N_VAR, c, sym);
      n->u.var.var = v;
      return n;
    }
    case RES_CLASS:
      return const_node(c, kiln_sym(NULL, cls));
    case RES_PRIVATE:
      cerror(c, "var: %s is not public", pr((kiln_val)v));
    case RES_NO_NS:
      cerror(c, "No such namespace: %s", kiln_sym_ns(sym));
    case RES_NO_VAR:
      if (cls) cerror(c, "Unable to resolve symbol: %s in this context (Kiln has no JVM interop)", pr(sym));
      cerror(c, "No such var: %s", pr(sym));
    case RES_NONE:
      break;
  }
  cerror(c, "Unable to resolve symbol: %s in this context", pr(sym));
}

static bool all_const(kiln_node **items, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (items[i]->kind != KILN_N_CONST) return false;
  return true;
}

static kiln_node *wrap_meta(actx *c, kiln_val form, kiln_node *n, kiln_val meta) {
  if (meta == KILN_NIL) return n;
  kiln_node *m = analyze_expr(c, meta);
  if (n->kind == KILN_N_CONST && m->kind == KILN_N_CONST)
    return const_node(c, kiln_with_meta(n->u.constant.value, m->u.constant.value));
  kiln_node *w = node_new(KILN_N_WITH_META, c, form);
  w->u.with_meta.expr = n;
  w->u.with_meta.meta = m;
  return w;
}

static kiln_node *analyze_coll(actx *c, kiln_val form, kiln_node_kind kind) {
  kiln_val *items;
  uint32_t n;
  if (kind == KILN_N_MAP) {
    n = 0;
    kiln_val *entries;
    uint32_t ne = seq_items(form, &entries);
    items = kiln_alloc((2 * ne + 1) * sizeof *items);
    for (uint32_t i = 0; i < ne; i++) {
      items[n++] = kiln_nth(entries[i], 0, KILN_NIL, false);
      items[n++] = kiln_nth(entries[i], 1, KILN_NIL, false);
    }
  } else {
    n = seq_items(form, &items);
  }
  kiln_node **nodes = kiln_alloc((n + 1) * sizeof *nodes);
  for (uint32_t i = 0; i < n; i++) nodes[i] = analyze_expr(c, items[i]);
  kiln_node *r;
  if (all_const(nodes, n)) {
    kiln_val *vals = kiln_alloc((n + 1) * sizeof *vals);
    for (uint32_t i = 0; i < n; i++) vals[i] = nodes[i]->u.constant.value;
    kiln_val v = kind == KILN_N_VECTOR ? kiln_vec_from(n, vals)
                 : kind == KILN_N_MAP  ? kiln_map_from(n, vals)
                                       : kiln_set_from(n, vals);
    r = const_node(c, v);
  } else {
    r = node_new(kind, c, form);
    r->u.coll.n = n;
    r->u.coll.items = nodes;
  }
  return wrap_meta(c, form, r, user_meta(form));
}

typedef struct expand_ctx {
  kiln_var *var;
  kiln_val form;
  const lenv *locals;
} expand_ctx;

static kiln_val expand_body(void *p) {
  expand_ctx *x = p;
  return expand_with(x->var, x->form, x->locals);
}

static kiln_node *analyze_seq(actx *c, kiln_val form) {
  kiln_val op = kiln_first(form);
  special_fn sf = special_of(op);
  if (sf) { /* special forms cannot be shadowed by locals */
    kiln_val *items;
    uint32_t n = seq_items(form, &items);
    return sf(c, form, items, n);
  }
  kiln_var *mv = macro_var(form, c->locals);
  if (mv) {
    expand_ctx x = {mv, form, c->locals};
    kiln_val expanded, ex;
    if (!kiln_pcall(expand_body, &x, &expanded, &ex)) {
      if (KILN_HAS_TYPE(ex, KILN_T_EXCEPTION) &&
          strcmp(((kiln_exception *)ex)->cls, "clojure.lang.Compiler$CompilerException") == 0)
        kiln_throw(ex);
      kiln_val kvs[] = {kw_err_source, kiln_str_cstr(c->file ? c->file : "NO_SOURCE_PATH"),
                        kw_err_line,   KILN_FIXNUM(c->line),
                        kw_err_column, KILN_FIXNUM(c->column),
                        kw_err_phase,  kiln_kw(NULL, "macroexpansion")};
      kiln_val msg = KILN_HAS_TYPE(ex, KILN_T_EXCEPTION) ? ((kiln_exception *)ex)->msg : KILN_NIL;
      kiln_throw(kiln_ex_new("clojure.lang.Compiler$CompilerException", msg,
                             kiln_map_from(8, kvs), ex));
    }
    return analyze(c, expanded);
  }
  if (is_symbol(op) && kiln_sym_ns(op) == NULL && !find_local(c->locals, op)) {
    const char *name = kiln_sym_name(op);
    size_t len = strlen(name);
    if (len > 2 && name[0] == '.' && name[1] == '-') {
      kiln_val *items;
      uint32_t n = seq_items(form, &items);
      if (n != 2) cerror(c, "Malformed member expression, expecting (.-field target)");
      kiln_node *f = node_new(KILN_N_FIELD, c, form);
      f->u.field.target = analyze_expr(c, items[1]);
      f->u.field.field = kiln_kw(NULL, name + 2);
      return f;
    }
    if (len > 1 && name[0] != '.' && name[len - 1] == '.') {
      kiln_val call = constructor_call(form, name, len);
      kiln_val head = kiln_first(call);
      /* A ->Name that does not exist means a JVM class: say so, not "unable to resolve". */
      kiln_var *ctor = NULL;
      const char *ccls = NULL;
      res_status st = kiln_sym_ns(head) ? RES_VAR : resolve(current_ns(), head, &ctor, &ccls);
      if (st != RES_VAR && st != RES_PRIVATE && !find_local(c->locals, head))
        cerror(c, "Kiln has no JVM interop: %s", pr(form));
      return analyze(c, call);
    }
    if ((len > 1 && name[0] == '.') || (len > 1 && name[len - 1] == '.'))
      cerror(c, "Kiln has no JVM interop: %s", pr(form));
  }
  kiln_val *items;
  uint32_t n = seq_items(form, &items);
  kiln_node *inv = node_new(KILN_N_INVOKE, c, form);
  inv->u.invoke.fn = analyze_expr(c, op);
  inv->u.invoke.n = n - 1;
  inv->u.invoke.args = kiln_alloc(n * sizeof(kiln_node *));
  for (uint32_t i = 1; i < n; i++) inv->u.invoke.args[i - 1] = analyze_expr(c, items[i]);
  return inv;
}

static kiln_node *analyze(actx *c, kiln_val form) {
  kiln_stack_check();
  actx here = *c;
  take_pos(&here, form);
  switch (kiln_type_of(form)) {
    case KILN_T_SYMBOL:
      return analyze_symbol(&here, form);
    case KILN_T_LIST: case KILN_T_CONS: case KILN_T_LAZY_SEQ: case KILN_T_SEQ:
      if (kiln_seq(form) == KILN_NIL) return const_node(&here, kiln_empty_list);
      return analyze_seq(&here, form);
    case KILN_T_VECTOR:
      return analyze_coll(&here, form, KILN_N_VECTOR);
    case KILN_T_ARRAY_MAP: case KILN_T_HASH_MAP:
      return analyze_coll(&here, form, KILN_N_MAP);
    case KILN_T_HASH_SET:
      return analyze_coll(&here, form, KILN_N_SET);
    case KILN_T_EMPTY_LIST:
      return const_node(&here, form);
    default:
      return const_node(&here, form);
  }
}

/* ---- def ---- */

static uint32_t flags_from_meta(kiln_val m) {
  uint32_t f = 0;
  if (m == KILN_NIL) return 0;
  if (KILN_TRUTHY(kiln_get(m, kw_dynamic, KILN_NIL))) f |= KILN_VAR_DYNAMIC;
  if (KILN_TRUTHY(kiln_get(m, kw_macro, KILN_NIL))) f |= KILN_VAR_MACRO;
  if (KILN_TRUTHY(kiln_get(m, kw_private, KILN_NIL))) f |= KILN_VAR_PRIVATE;
  return f;
}

static kiln_node *an_def(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n == 1) cerror(c, "Too few arguments to def");
  if (n > 4) cerror(c, "Too many arguments to def");
  kiln_val sym = items[1];
  if (!is_symbol(sym)) cerror(c, "First argument to def must be a Symbol");
  kiln_val ns = current_ns();
  if (kiln_sym_ns(sym)) {
    if (strcmp(kiln_sym_ns(sym), ns_name_of(ns)) != 0)
      cerror(c, "Can't create defs outside of current ns");
  }
  kiln_val name = sym_unqualified(sym);
  kiln_val doc = KILN_NIL;
  kiln_val init_form = KILN_NIL;
  bool has_init = n >= 3;
  if (n == 4) {
    if (!KILN_HAS_TYPE(items[2], KILN_T_STRING)) cerror(c, "Too many arguments to def");
    doc = items[2];
    init_form = items[3];
  } else if (n == 3) {
    init_form = items[2];
  }
  kiln_val existing = mapping_of(ns, name);
  kiln_var *v;
  if (KILN_HAS_TYPE(existing, KILN_T_VAR) && ((kiln_var *)existing)->ns == ns)
    v = (kiln_var *)existing;
  else
    v = kiln_ns_intern(ns, name);
  kiln_val m = form_meta(sym);
  if (m == KILN_NIL) m = kiln_empty_map;
  if (doc != KILN_NIL) m = kiln_assoc(m, kw_doc, doc);
  m = kiln_assoc(m, kw_line, KILN_FIXNUM(c->line));
  m = kiln_assoc(m, kw_column, KILN_FIXNUM(c->column));
  m = kiln_assoc(m, kw_file, kiln_str_cstr(c->file ? c->file : "NO_SOURCE_PATH"));
  uint32_t flags = flags_from_meta(m);
  /* Dynamic is known from here on, so code analyzed later reads it per thread. */
  if (flags & KILN_VAR_DYNAMIC) v->h.flags |= KILN_VAR_DYNAMIC;
  kiln_node *d = node_new(KILN_N_DEF, c, form);
  d->u.def.var = v;
  d->u.def.flags = flags;
  actx e = *c;
  e.tail = false;
  d->u.def.meta = analyze(&e, m);
  if (has_init) {
    const char *nm = kiln_sym_name(name);
    const char *nsn = ns_name_of(ns);
    char *prefix = kiln_alloc_atomic(strlen(nm) + strlen(nsn) + 2);
    sprintf(prefix, "%s/%s", nsn, nm);
    e.fn_prefix = prefix;
    d->u.def.init = analyze(&e, init_form);
  }
  return d;
}

/* ---- if, do, quote, var, throw ---- */

static kiln_node *an_if(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n < 3) cerror(c, "Too few arguments to if");
  if (n > 4) cerror(c, "Too many arguments to if");
  kiln_node *r = node_new(KILN_N_IF, c, form);
  r->u.if_.test = analyze_expr(c, items[1]);
  r->u.if_.then = analyze(c, items[2]);
  r->u.if_.else_ = n == 4 ? analyze(c, items[3]) : const_node(c, KILN_NIL);
  return r;
}

static kiln_node *an_do(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  return analyze_body(c, form, items, 1, n);
}

static kiln_node *an_quote(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n != 2) cerror(c, "Wrong number of args (%u) passed to quote", n - 1);
  return const_node(c, items[1]);
}

static kiln_node *an_var(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n != 2) cerror(c, "Wrong number of args (%u) passed to var", n - 1);
  kiln_var *v = NULL;
  const char *cls = NULL;
  if (!is_symbol(items[1])) cerror(c, "var requires a symbol, got: %s", pr(items[1]));
  res_status st = resolve(current_ns(), items[1], &v, &cls);
  if (st != RES_VAR && st != RES_PRIVATE)
    cerror(c, "Unable to resolve var: %s in this context", pr(items[1]));
  kiln_node *r = node_new(KILN_N_THE_VAR, c, form);
  r->u.var.var = v;
  return r;
}

static kiln_node *an_throw(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n != 2) cerror(c, n < 2 ? "Too few arguments to throw, throw expects a single Throwable instance"
                              : "Too many arguments to throw, throw expects a single Throwable instance");
  kiln_node *r = node_new(KILN_N_THROW, c, form);
  r->u.throw_.exception = analyze_expr(c, items[1]);
  return r;
}

/* ---- let*, loop* ---- */

static kiln_node *an_let_or_loop(actx *c, kiln_val form, kiln_val *items, uint32_t n, bool loop) {
  const char *what = loop ? "loop*" : "let*";
  if (n < 2 || !KILN_HAS_TYPE(items[1], KILN_T_VECTOR))
    cerror(c, "Bad binding form, expected vector");
  kiln_val *bs;
  uint32_t nb = seq_items(items[1], &bs);
  if (nb % 2) cerror(c, "%s requires an even number of forms in binding vector", what);
  kiln_node *r = node_new(loop ? KILN_N_LOOP : KILN_N_LET, c, form);
  uint32_t k = nb / 2;
  r->u.let.n = k;
  r->u.let.locals = kiln_alloc((k + 1) * sizeof(kiln_local *));
  r->u.let.inits = kiln_alloc((k + 1) * sizeof(kiln_node *));
  uint32_t saved_slot = c->fn->next_slot;
  actx e = *c;
  e.tail = false;
  for (uint32_t i = 0; i < k; i++) {
    r->u.let.inits[i] = analyze(&e, bs[2 * i + 1]);
    kiln_local *l = local_new(&e, bs[2 * i], loop ? KILN_LOCAL_LOOP : KILN_LOCAL_LET);
    r->u.let.locals[i] = l;
    e.locals = lenv_push(e.locals, l);
  }
  e.tail = c->tail;
  if (loop) {
    e.tail = true;
    e.loop = r;
    e.method = NULL;
    e.rtargets = r->u.let.locals;
    e.nrtargets = k;
    e.in_try = false;
  }
  r->u.let.body = analyze_body(&e, form, items, 2, n);
  c->fn->next_slot = saved_slot;
  return r;
}

static kiln_node *an_let(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  return an_let_or_loop(c, form, items, n, false);
}

static kiln_node *an_loop(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  return an_let_or_loop(c, form, items, n, true);
}

static kiln_node *an_recur(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (c->in_try) cerror(c, "Cannot recur across try");
  if (!c->tail || (!c->loop && !c->method)) cerror(c, "Can only recur from tail position");
  if (n - 1 != c->nrtargets)
    cerror(c, "Mismatched argument count to recur, expected: %u args, got: %u", c->nrtargets,
           n - 1);
  kiln_node *r = node_new(KILN_N_RECUR, c, form);
  r->u.recur.n = n - 1;
  r->u.recur.args = kiln_alloc(n * sizeof(kiln_node *));
  for (uint32_t i = 1; i < n; i++) r->u.recur.args[i - 1] = analyze_expr(c, items[i]);
  r->u.recur.targets = c->rtargets;
  r->u.recur.loop = c->loop;
  r->u.recur.method = c->method;
  if (!c->loop) c->method->has_recur = true;
  return r;
}

/* ---- fn* ---- */

static kiln_fn_method *analyze_method(actx *c, fnctx *f, kiln_val mform) {
  if (!kiln_is_seq(mform) && !KILN_HAS_TYPE(mform, KILN_T_LIST))
    cerror(c, "Invalid fn* method: %s", pr(mform));
  kiln_val *items;
  uint32_t n = seq_items(mform, &items);
  if (n == 0 || !KILN_HAS_TYPE(items[0], KILN_T_VECTOR))
    cerror(c, "Parameter declaration %s should be a vector", n ? pr(items[0]) : "nil");
  kiln_fn_method *m = kiln_alloc(sizeof *m);
  m->fn = f->fn;
  f->method = m;
  f->next_slot = 0;
  kiln_val *ps;
  uint32_t np = seq_items(items[0], &ps);
  m->params = kiln_alloc((np + 1) * sizeof(kiln_local *));
  actx e = *c;
  e.fn = f;
  e.in_try = false;
  for (uint32_t i = 0; i < np; i++) {
    if (sym_is(ps[i], "&")) {
      if (m->variadic) cerror(c, "Invalid parameter list");
      if (i + 2 != np) cerror(c, "Invalid parameter list");
      m->variadic = true;
      continue;
    }
    if (!is_symbol(ps[i])) cerror(c, "fn params must be Symbols");
    if (kiln_sym_ns(ps[i])) cerror(c, "Can't use qualified name as parameter: %s", pr(ps[i]));
    kiln_local *l = local_new(&e, ps[i], KILN_LOCAL_PARAM);
    m->params[m->nparams++] = l;
    e.locals = lenv_push(e.locals, l);
  }
  m->nfixed = m->variadic ? m->nparams - 1 : m->nparams;
  e.tail = true;
  e.loop = NULL;
  e.method = m;
  e.rtargets = m->params;
  e.nrtargets = m->nparams;
  m->body = analyze_body(&e, mform, items, 1, n);
  return m;
}

static kiln_node *an_fn(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  uint32_t i = 1;
  kiln_node *r = node_new(KILN_N_FN, c, form);
  r->u.fn.name = KILN_NIL;
  r->u.fn.id = c->u->next_fn_id++;
  fnctx *f = kiln_alloc(sizeof *f);
  f->parent = c->fn;
  f->fn = r;
  actx e = *c;
  e.fn = f;
  if (i < n && is_symbol(items[i])) {
    r->u.fn.name = sym_unqualified(items[i]);
    kiln_local *self = local_new(&e, items[i], KILN_LOCAL_FN_SELF);
    f->self = self;
    r->u.fn.self = self;
    e.locals = lenv_push(e.locals, self);
    i++;
  }
  /* The name: the def's for a fn directly under def, else derived from it. */
  {
    kiln_sb sb;
    kiln_sb_init(&sb);
    if (c->fn_prefix && c->fn->fn->u.fn.toplevel && c->fn_prefix[0]) {
      kiln_sb_puts(&sb, c->fn_prefix);
    } else {
      kiln_sb_puts(&sb, c->fn_prefix ? c->fn_prefix : ns_name_of(current_ns()));
      if (r->u.fn.name != KILN_NIL)
        kiln_sb_printf(&sb, "/%s--%u", kiln_sym_name(r->u.fn.name), r->u.fn.id);
      else
        kiln_sb_printf(&sb, "/fn--%u", r->u.fn.id);
    }
    r->u.fn.qualified_name = kiln_sb_cstr(&sb);
    e.fn_prefix = r->u.fn.qualified_name;
  }
  kiln_val *mforms;
  uint32_t nm;
  if (i < n && KILN_HAS_TYPE(items[i], KILN_T_VECTOR)) {
    /* (fn* [params] body...): one method made of the rest of the form. */
    kiln_val rest = KILN_NIL;
    for (uint32_t k = n; k > i; k--) rest = kiln_cons(items[k - 1], rest);
    mforms = kiln_alloc(sizeof *mforms);
    mforms[0] = rest;
    nm = 1;
  } else {
    nm = n - i;
    mforms = items + i;
  }
  kiln_fn_method **ms = kiln_alloc((nm + 1) * sizeof *ms);
  kiln_fn_method *variadic = NULL;
  uint32_t nfixed = 0;
  for (uint32_t k = 0; k < nm; k++) {
    actx me = e;
    take_pos(&me, mforms[k]);
    kiln_fn_method *m = analyze_method(&me, f, mforms[k]);
    if (m->variadic) {
      if (variadic) cerror(c, "Can't have more than 1 variadic overload");
      variadic = m;
    } else {
      for (uint32_t j = 0; j < nfixed; j++)
        if (ms[j]->nfixed == m->nfixed) cerror(c, "Can't have 2 overloads with same arity");
      ms[nfixed++] = m;
    }
  }
  /* Fixed arities ascending, the variadic one last. */
  for (uint32_t a = 1; a < nfixed; a++)
    for (uint32_t b = a; b > 0 && ms[b - 1]->nfixed > ms[b]->nfixed; b--) {
      kiln_fn_method *t = ms[b];
      ms[b] = ms[b - 1];
      ms[b - 1] = t;
    }
  uint32_t maxf = 0;
  for (uint32_t a = 0; a < nfixed; a++) maxf = ms[a]->nfixed > maxf ? ms[a]->nfixed : maxf;
  if (variadic) {
    if (nfixed && maxf > variadic->nfixed)
      cerror(c, "Can't have fixed arity function with more params than variadic function");
    ms[nfixed] = variadic;
  }
  r->u.fn.nmethods = nfixed + (variadic ? 1 : 0);
  r->u.fn.methods = ms;
  for (uint32_t a = 0; a < r->u.fn.nmethods; a++) ms[a]->index = a;
  r->u.fn.max_fixed = maxf;
  r->u.fn.ncaptures = f->ncaps;
  r->u.fn.captures = f->caps;
  if (r->u.fn.self && r->u.fn.nmethods) r->u.fn.self->owner = ms[0];
  return wrap_meta(c, form, r, user_meta(form));
}

/* ---- try ---- */

static kiln_node *an_try(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  kiln_node *r = node_new(KILN_N_TRY, c, form);
  uint32_t body_end = 1;
  while (body_end < n && !(kiln_is_seq(items[body_end]) &&
                           (sym_is(kiln_first(items[body_end]), "catch") ||
                            sym_is(kiln_first(items[body_end]), "finally"))))
    body_end++;
  actx b = *c;
  b.tail = false;
  b.in_try = true;
  r->u.try_.body = analyze_body(&b, form, items, 1, body_end);
  r->u.try_.catches = kiln_alloc((n - body_end + 1) * sizeof(kiln_catch));
  for (uint32_t i = body_end; i < n; i++) {
    kiln_val cl = items[i];
    actx h = *c;
    h.tail = false;
    h.in_try = true;
    take_pos(&h, cl);
    if (!kiln_is_seq(cl) || !(sym_is(kiln_first(cl), "catch") || sym_is(kiln_first(cl), "finally")))
      cerror(&h, "Only catch or finally clause can follow catch in try expression");
    kiln_val *ci;
    uint32_t cn = seq_items(cl, &ci);
    if (sym_is(ci[0], "finally")) {
      if (i + 1 != n) cerror(&h, "finally clause must be last in try expression");
      r->u.try_.finally = analyze_body(&h, cl, ci, 1, cn);
      continue;
    }
    if (cn < 3) cerror(&h, "catch requires a class and a binding: (catch Class e body...)");
    kiln_catch *k = &r->u.try_.catches[r->u.try_.ncatches++];
    k->class_sym = ci[1];
    if (ci[1] == kw_default) {
      k->class_name = ":default";
    } else {
      const char *cls = kiln_class_for_symbol(ci[1]);
      if (!cls) cerror(&h, "Unable to resolve classname: %s", pr(ci[1]));
      k->class_name = cls;
    }
    uint32_t saved = c->fn->next_slot;
    k->local = local_new(&h, ci[2], KILN_LOCAL_CATCH);
    h.locals = lenv_push(h.locals, k->local);
    k->body = analyze_body(&h, cl, ci, 3, cn);
    c->fn->next_slot = saved;
  }
  return r;
}

/* ---- letfn* ---- */

static kiln_node *an_letfn(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n < 2 || !KILN_HAS_TYPE(items[1], KILN_T_VECTOR))
    cerror(c, "Bad binding form, expected vector");
  kiln_val *bs;
  uint32_t nb = seq_items(items[1], &bs);
  if (nb % 2) cerror(c, "letfn* requires an even number of forms in binding vector");
  uint32_t k = nb / 2;
  kiln_node *r = node_new(KILN_N_LETFN, c, form);
  r->u.letfn.n = k;
  r->u.letfn.locals = kiln_alloc((k + 1) * sizeof(kiln_local *));
  r->u.letfn.fns = kiln_alloc((k + 1) * sizeof(kiln_node *));
  uint32_t saved = c->fn->next_slot;
  actx e = *c;
  for (uint32_t i = 0; i < k; i++) {
    kiln_local *l = local_new(&e, bs[2 * i], KILN_LOCAL_LETFN);
    r->u.letfn.locals[i] = l;
    e.locals = lenv_push(e.locals, l);
  }
  actx fe = e;
  fe.tail = false;
  for (uint32_t i = 0; i < k; i++) {
    kiln_node *f = analyze(&fe, bs[2 * i + 1]);
    kiln_node *inner = f->kind == KILN_N_WITH_META ? f->u.with_meta.expr : f;
    if (inner->kind != KILN_N_FN) cerror(c, "letfn* bindings must be fns");
    r->u.letfn.fns[i] = f;
  }
  r->u.letfn.body = analyze_body(&e, form, items, 2, n);
  c->fn->next_slot = saved;
  return r;
}

/* ---- case* ---- */

/* (case* expr [[c...] then ...] default?) — test constants are not evaluated. */
static kiln_node *an_case(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n < 3 || n > 4 || !KILN_HAS_TYPE(items[2], KILN_T_VECTOR))
    cerror(c, "Malformed case*: (case* expr [[constants...] then ...] default?)");
  kiln_node *r = node_new(KILN_N_CASE, c, form);
  r->u.case_.expr = analyze_expr(c, items[1]);
  kiln_val *cl;
  uint32_t ncl = seq_items(items[2], &cl);
  if (ncl % 2) cerror(c, "Malformed case*: clauses come in pairs");
  uint32_t nbr = ncl / 2;
  r->u.case_.nbranches = nbr;
  r->u.case_.branches = kiln_alloc((nbr + 1) * sizeof(kiln_node *));
  uint32_t cap = 8, nc = 0;
  kiln_val *consts = kiln_alloc(cap * sizeof *consts);
  uint32_t *branch_of = kiln_alloc(cap * sizeof *branch_of);
  kiln_val table = kiln_empty_map;
  for (uint32_t b = 0; b < nbr; b++) {
    kiln_val *cs;
    uint32_t ncs = seq_items(cl[2 * b], &cs);
    for (uint32_t j = 0; j < ncs; j++) {
      if (kiln_contains(table, cs[j])) cerror(c, "Duplicate case test constant: %s", pr(cs[j]));
      if (nc == cap) {
        kiln_val *a = kiln_alloc(2 * cap * sizeof *a);
        uint32_t *bo = kiln_alloc(2 * cap * sizeof *bo);
        memcpy(a, consts, nc * sizeof *a);
        memcpy(bo, branch_of, nc * sizeof *bo);
        consts = a;
        branch_of = bo;
        cap *= 2;
      }
      consts[nc] = cs[j];
      branch_of[nc++] = b;
      table = kiln_assoc(table, cs[j], KILN_FIXNUM(b));
    }
    r->u.case_.branches[b] = analyze(c, cl[2 * b + 1]);
  }
  r->u.case_.nconsts = nc;
  r->u.case_.consts = consts;
  r->u.case_.branch_of = branch_of;
  r->u.case_.table = table;
  if (n == 4) {
    r->u.case_.default_ = analyze(c, items[3]);
  } else {
    kiln_node *inv = node_new(KILN_N_INVOKE, c, form);
    kiln_node *fv = node_new(KILN_N_VAR, c, form);
    fv->u.var.var = kiln_var_intern("clojure.core", "-case-fail");
    inv->u.invoke.fn = fv;
    inv->u.invoke.n = 1;
    inv->u.invoke.args = kiln_alloc(sizeof(kiln_node *));
    inv->u.invoke.args[0] = r->u.case_.expr;
    r->u.case_.default_ = inv;
  }
  return r;
}

/* ---- set!, ., new ---- */

static kiln_node *an_set(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n != 3) cerror(c, "Malformed assignment, expecting (set! target val)");
  kiln_val t = items[1];
  if (!is_symbol(t)) cerror(c, "Invalid assignment target: %s", pr(t));
  if (find_local(c->locals, t)) cerror(c, "Cannot assign to non-mutable: %s", kiln_sym_name(t));
  kiln_var *v = NULL;
  const char *cls = NULL;
  res_status st = resolve(current_ns(), t, &v, &cls);
  if (st != RES_VAR && st != RES_PRIVATE)
    cerror(c, "Unable to resolve symbol: %s in this context", pr(t));
  kiln_node *r = node_new(KILN_N_SET_BANG, c, form);
  r->u.set_bang.var = v;
  r->u.set_bang.value = analyze_expr(c, items[2]);
  return r;
}

static kiln_node *an_dot(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  if (n == 3 && is_symbol(items[2]) && kiln_sym_name(items[2])[0] == '-') {
    kiln_node *f = node_new(KILN_N_FIELD, c, form);
    f->u.field.target = analyze_expr(c, items[1]);
    f->u.field.field = kiln_kw(NULL, kiln_sym_name(items[2]) + 1);
    return f;
  }
  cerror(c, "Kiln has no JVM interop: %s", pr(form));
}

static kiln_node *an_new(actx *c, kiln_val form, kiln_val *items, uint32_t n) {
  cerror(c, "Kiln has no JVM interop: %s", pr(form));
}

/* ---- entry point ---- */

/* Where the top-level form being evaluated starts, for forms that carry no
 * position of their own (symbols, vectors). */
static _Thread_local int default_line, default_column;

void kiln_compiler_set_position(int line, int column) {
  default_line = line;
  default_column = column;
}

kiln_node *kiln_analyze(kiln_val form) {
  analyze_init_names();
  unit u = {0, 0};
  kiln_node *top = kiln_alloc(sizeof *top);
  top->kind = KILN_N_FN;
  top->form = form;
  top->u.fn.name = KILN_NIL;
  top->u.fn.toplevel = true;
  top->u.fn.id = u.next_fn_id++;
  kiln_fn_method *m = kiln_alloc(sizeof *m);
  m->fn = top;
  fnctx f = {0};
  f.fn = top;
  f.method = m;
  actx c = {0};
  c.fn = &f;
  c.u = &u;
  c.tail = true;
  c.method = NULL; /* no recur target at top level */
  kiln_val fv = kiln_var_get(kiln_v_file);
  c.file = KILN_HAS_TYPE(fv, KILN_T_STRING) ? kiln_str_data(fv) : "NO_SOURCE_PATH";
  top->file = c.file;
  c.line = default_line;
  c.column = default_column;
  take_pos(&c, form);
  top->line = c.line;
  top->column = c.column;
  const char *nsn = ns_name_of(current_ns());
  char *name = kiln_alloc_atomic(strlen(nsn) + 16);
  sprintf(name, "%s/eval", nsn);
  top->u.fn.qualified_name = name;
  c.fn_prefix = NULL;
  m->body = analyze(&c, form);
  m->index = 0;
  top->u.fn.nmethods = 1;
  top->u.fn.methods = kiln_alloc(sizeof(kiln_fn_method *));
  top->u.fn.methods[0] = m;
  return top;
}
