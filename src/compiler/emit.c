/*
 * emit.c — the C emitter (see emit.h for the shape of the generated file).
 *
 * Each node is emitted as C statements into the current function's buffer;
 * emit() returns a C expression for the node's value that is cheap and free
 * of side effects (a variable, a constant slot, an immediate), so evaluation
 * order is exactly the order of the statements. recur assigns its targets
 * and jumps; its own "value" is never used.
 *
 * Locals are C variables named l<id>_<name> (ids are unique in the unit), so
 * a person debugging a patch can match them to the source.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "compiler/compiler.h"
#include "compiler/emit.h"

/* A constant or var slot in R[]. */
typedef struct root {
  kiln_val value;
  bool is_var;
} root;

/* Loop labels: a LOOP node and the number in its label. */
typedef struct loop_label {
  kiln_node *loop;
  uint32_t id;
} loop_label;

typedef struct emitter {
  kiln_sb decls;    /* structs and prototypes */
  kiln_sb fns;      /* finished function definitions */
  kiln_sb init;     /* statements filling R[] */
  kiln_sb symbols;  /* kiln_patch_symbol rows */
  kiln_sb fntable;  /* kiln_patch_fn rows: every generated fn function, for traces */
  uint32_t nfns;
  uint32_t nsymbols;
  root *roots;
  uint32_t nroots, caproots;
  loop_label *loops;
  uint32_t nloops, caploops;
  uint32_t ntemps, ntries, nlabels;
  uint32_t unit; /* the top-level form being emitted: fn ids are unique only within one */
  const kiln_emit_opts *opts;
  /* The top-level (def name (fn ...)) forms of this patch: calls through
   * their vars jump straight to the method's C function while the var still
   * holds that fn. */
  struct known_fn { kiln_var *var; kiln_node *fn; uint32_t unit; } *known;
  uint32_t nknown;
  /* The method whose own C function is being written (not a lifted try
   * body or a nested fn), and how many direct calls it makes to itself:
   * those call its inline copy (see emit_method). */
  kiln_fn_method *self_method;
  struct fnctx *self_f;
  uint32_t self_calls;
} emitter;

/* The C function being written. */
typedef struct fnctx {
  kiln_sb out;
  int indent;
  const char *file;
  int line;
  kiln_local **scope; /* the locals visible here, for try context structs */
  uint32_t nscope, capscope;
} fnctx;

static const char *emit(emitter *e, fnctx *f, kiln_node *n);

/* ---- text helpers ---- */

static const char *fmt(const char *format, ...) KILN_PRINTF(1, 2);
static const char *fmt(const char *format, ...) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  va_list ap;
  va_start(ap, format);
  char small[512];
  int n = vsnprintf(small, sizeof small, format, ap);
  va_end(ap);
  if (n < (int)sizeof small) {
    kiln_sb_putn(&sb, small, (size_t)n);
  } else {
    char *big = kiln_alloc_atomic((size_t)n + 1);
    va_start(ap, format);
    vsnprintf(big, (size_t)n + 1, format, ap);
    va_end(ap);
    kiln_sb_putn(&sb, big, (size_t)n);
  }
  return kiln_sb_cstr(&sb);
}

static void line(fnctx *f, const char *format, ...) KILN_PRINTF(2, 3);
static void line(fnctx *f, const char *format, ...) {
  for (int i = 0; i < f->indent; i++) kiln_sb_puts(&f->out, "  ");
  char small[512];
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(small, sizeof small, format, ap);
  va_end(ap);
  if (n < (int)sizeof small) {
    kiln_sb_putn(&f->out, small, (size_t)n);
  } else {
    char *big = kiln_alloc_atomic((size_t)n + 1);
    va_start(ap, format);
    vsnprintf(big, (size_t)n + 1, format, ap);
    va_end(ap);
    kiln_sb_putn(&f->out, big, (size_t)n);
  }
  kiln_sb_putc(&f->out, '\n');
}

/* Appends [s] as a C string literal (octal escapes, so nothing can run on). */
static void put_c_string(kiln_sb *sb, const char *s, size_t n) {
  kiln_sb_putc(sb, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      kiln_sb_putc(sb, '\\');
      kiln_sb_putc(sb, (char)c);
    } else if (c == '\n') {
      kiln_sb_puts(sb, "\\n");
    } else if (c < 0x20 || c >= 0x7f || c == '?') {
      kiln_sb_printf(sb, "\\%03o", c);
    } else {
      kiln_sb_putc(sb, (char)c);
    }
  }
  kiln_sb_putc(sb, '"');
}

static const char *c_string(const char *s) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  put_c_string(&sb, s, strlen(s));
  return kiln_sb_cstr(&sb);
}

/* A C identifier fragment for a Clojure name: letters, digits, '_'. */
static const char *c_ident(const char *name) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  for (const char *p = name; *p && sb.len < 24; p++) {
    char c = *p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      kiln_sb_putc(&sb, c);
    else if (c == '-' || c == '_')
      kiln_sb_putc(&sb, '_');
    else if (c == '?')
      kiln_sb_puts(&sb, "_p");
    else if (c == '!')
      kiln_sb_puts(&sb, "_b");
    else if (c == '*')
      kiln_sb_puts(&sb, "_s");
  }
  return kiln_sb_cstr(&sb);
}

static const char *local_cname(const kiln_local *l) {
  return fmt("l%u_%s", l->id, c_ident(l->name ? l->name : "local"));
}

static const char *temp(emitter *e) { return fmt("t%u", ++e->ntemps); }

static KILN_NORETURN void emit_error(kiln_node *n, const char *msg) {
  kiln_val data = KILN_NIL;
  if (n && n->line > 0) {
    kiln_val kvs[] = {kiln_kw("clojure.error", "source"), kiln_str_cstr(n->file ? n->file : "NO_SOURCE_PATH"),
                      kiln_kw("clojure.error", "line"), KILN_FIXNUM(n->line),
                      kiln_kw("clojure.error", "column"), KILN_FIXNUM(n->column)};
    data = kiln_map_from(6, kvs);
  }
  kiln_throw(kiln_ex_new("clojure.lang.Compiler$CompilerException", kiln_str_cstr(msg), data,
                         KILN_NIL));
}

/* ---- scope ---- */

static void scope_push(fnctx *f, kiln_local *l) {
  if (f->nscope == f->capscope) {
    f->capscope = f->capscope ? f->capscope * 2 : 16;
    kiln_local **s = kiln_alloc(f->capscope * sizeof *s);
    if (f->nscope) memcpy(s, f->scope, f->nscope * sizeof *s);
    f->scope = s;
  }
  f->scope[f->nscope++] = l;
}

static void fnctx_init(fnctx *f, const char *file) {
  memset(f, 0, sizeof *f);
  kiln_sb_init(&f->out);
  f->indent = 1;
  f->file = file;
}

/* Emits a #line directive when [n] starts a new source line. */
static void mark(fnctx *f, kiln_node *n) {
  if (n->line <= 0 || n->line == f->line) return;
  f->line = n->line;
  const char *file = n->file ? n->file : f->file;
  kiln_sb_printf(&f->out, "#line %d %s\n", n->line, c_string(file ? file : "NO_SOURCE_FILE"));
}

/* ---- constants and vars ---- */

static bool same_constant(kiln_val a, kiln_val b) {
  if (a == b) return true;
  kiln_type ta = kiln_type_of(a);
  if (ta != kiln_type_of(b)) return false;
  if (ta == KILN_T_STRING) return kiln_str_equal(a, b);
  if (ta == KILN_T_SYMBOL)
    return kiln_equiv(a, b) && ((kiln_symbol *)a)->meta == KILN_NIL &&
           ((kiln_symbol *)b)->meta == KILN_NIL;
  return false;
}

static uint32_t add_root(emitter *e, kiln_val v, bool is_var) {
  for (uint32_t i = 0; i < e->nroots; i++)
    if (e->roots[i].is_var == is_var && same_constant(e->roots[i].value, v)) return i;
  if (e->nroots == e->caproots) {
    e->caproots = e->caproots ? e->caproots * 2 : 32;
    root *r = kiln_alloc(e->caproots * sizeof *r);
    if (e->nroots) memcpy(r, e->roots, e->nroots * sizeof *r);
    e->roots = r;
  }
  e->roots[e->nroots] = (root){v, is_var};
  return e->nroots++;
}

static const char *var_ref(emitter *e, kiln_var *v) {
  uint32_t i = add_root(e, (kiln_val)v, true);
  return fmt("VAR(%u)", i);
}

static const char *var_comment(kiln_var *v) {
  kiln_ns *ns = (kiln_ns *)v->ns;
  return fmt("/* %s/%s */", kiln_sym_name(ns->name), kiln_sym_name(v->sym));
}

/* An expression reading [v]'s value. As on the JVM, whether a var is
 * dynamic is settled when code using it is compiled: a var dynamic by then
 * is read through its thread bindings, any other var by its root alone. */
static const char *var_read(emitter *e, kiln_var *v) {
  bool dynamic = __atomic_load_n(&v->h.flags, __ATOMIC_ACQUIRE) & KILN_VAR_DYNAMIC;
  return fmt("%s(%s %s)", dynamic ? "var_deref" : "KILN_VAR_ROOT", var_ref(e, v), var_comment(v));
}

/*
 * Constant collections are built with the API's constructors, not read back
 * from their printed form at load time: a library's start-up makes a
 * metadata map for every def, and reading them was most of it. The
 * expression builds the same value the reader would give for the printed
 * form with *print-meta* on: seqs become lists, metadata is kept. Returns
 * false (and leaves [sb] partly written) for anything else, and for very
 * large or deep constants, which are read as before.
 */
static bool const_expr(kiln_sb *sb, kiln_val v, int depth, uint32_t *budget);

static bool const_items(kiln_sb *sb, const char *ctor, uint32_t n, kiln_val seq, int depth,
                        uint32_t *budget) {
  if (n == 0) {
    kiln_sb_printf(sb, "kiln_rt->%s(0, NULL)", ctor);
    return true;
  }
  kiln_sb_printf(sb, "kiln_rt->%s(%u, (kiln_val[]){", ctor, n);
  uint32_t i = 0;
  for (kiln_val s = kiln_seq(seq); s != KILN_NIL; s = kiln_next(s), i++) {
    if (i) kiln_sb_puts(sb, ", ");
    if (!const_expr(sb, kiln_first(s), depth + 1, budget)) return false;
  }
  kiln_sb_puts(sb, "})");
  return i == n;
}

static bool const_map(kiln_sb *sb, kiln_val m, int depth, uint32_t *budget) {
  int64_t n = kiln_count_int(m);
  if (n == 0) {
    kiln_sb_puts(sb, "kiln_rt->map(0, NULL)");
    return true;
  }
  kiln_sb_printf(sb, "kiln_rt->map(%u, (kiln_val[]){", (uint32_t)(2 * n));
  int64_t i = 0;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s), i++) {
    kiln_val entry = kiln_first(s);
    if (i) kiln_sb_puts(sb, ", ");
    if (!const_expr(sb, kiln_nth(entry, 0, KILN_NIL, false), depth + 1, budget)) return false;
    kiln_sb_puts(sb, ", ");
    if (!const_expr(sb, kiln_nth(entry, 1, KILN_NIL, false), depth + 1, budget)) return false;
  }
  kiln_sb_puts(sb, "})");
  return i == n;
}

static bool const_expr(kiln_sb *sb, kiln_val v, int depth, uint32_t *budget) {
  if (depth > 32 || *budget == 0) return false;
  (*budget)--;
  if (v == KILN_NIL) return kiln_sb_puts(sb, "KILN_NIL"), true;
  if (v == KILN_TRUE) return kiln_sb_puts(sb, "KILN_TRUE"), true;
  if (v == KILN_FALSE) return kiln_sb_puts(sb, "KILN_FALSE"), true;
  if (KILN_IS_FIXNUM(v)) {
    kiln_sb_printf(sb, "KILN_FIXNUM(%lld)", (long long)KILN_FIXNUM_VALUE(v));
    return true;
  }
  if (KILN_IS_CHAR(v)) {
    kiln_sb_printf(sb, "KILN_CHAR(0x%x)", KILN_CHAR_VALUE(v));
    return true;
  }
  kiln_type t = kiln_type_of(v);
  kiln_val meta = KILN_NIL;
  switch (t) {
  case KILN_T_SYMBOL:
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
  case KILN_T_VECTOR:
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_HASH_SET:
    meta = kiln_meta(v);
    break;
  case KILN_T_FN:
  case KILN_T_VAR:
  case KILN_T_NAMESPACE:
  case KILN_T_ATOM:
  case KILN_T_EXCEPTION:
  case KILN_T_WRITER:
    return false; /* emit_root_init reports it */
  default:
    break;
  }
  if (meta != KILN_NIL) kiln_sb_puts(sb, "kiln_rt->with_meta(");
  switch (t) {
  case KILN_T_KEYWORD: {
    const char *ns = kiln_kw_ns(v);
    kiln_sb_printf(sb, "kiln_rt->keyword(%s, %s)", ns ? c_string(ns) : "NULL",
                   c_string(kiln_kw_name(v)));
    break;
  }
  case KILN_T_SYMBOL: {
    const char *ns = kiln_sym_ns(v);
    kiln_sb_printf(sb, "kiln_rt->symbol(%s, %s)", ns ? c_string(ns) : "NULL",
                   c_string(kiln_sym_name(v)));
    break;
  }
  case KILN_T_STRING:
    kiln_sb_puts(sb, "kiln_rt->string(");
    put_c_string(sb, kiln_str_data(v), kiln_str_nbytes(v));
    kiln_sb_printf(sb, ", %zu)", kiln_str_nbytes(v));
    break;
  case KILN_T_LONG:
    kiln_sb_printf(sb, "kiln_rt->box_long(INT64_C(%lld))",
                   (long long)((kiln_boxed_long *)v)->value);
    break;
  case KILN_T_DOUBLE: {
    double d = ((kiln_boxed_double *)v)->value;
    if (isnan(d))
      kiln_sb_puts(sb, "kiln_rt->box_double(__builtin_nan(\"\"))");
    else if (isinf(d))
      kiln_sb_printf(sb, "kiln_rt->box_double(%s__builtin_inf())", d < 0 ? "-" : "");
    else
      kiln_sb_printf(sb, "kiln_rt->box_double(%a)", d);
    break;
  }
  case KILN_T_LIST:
  case KILN_T_EMPTY_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ: {
    int64_t n = kiln_count_int(v);
    if (n > 4096 || !const_items(sb, "list", (uint32_t)n, v, depth, budget)) return false;
    break;
  }
  case KILN_T_VECTOR: {
    int64_t n = kiln_count_int(v);
    if (n > 4096 || !const_items(sb, "vector", (uint32_t)n, v, depth, budget)) return false;
    break;
  }
  case KILN_T_HASH_SET: {
    int64_t n = kiln_count_int(v);
    if (n > 4096 || !const_items(sb, "set", (uint32_t)n, v, depth, budget)) return false;
    break;
  }
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
    if (kiln_count_int(v) > 2048 || !const_map(sb, v, depth, budget)) return false;
    break;
  default: {
    /* Numbers of other kinds, regexes, tagged literals: read just this one. */
    const char *text = kiln_pr_str(v);
    kiln_sb_puts(sb, "kiln_rt->read_constant(");
    put_c_string(sb, text, strlen(text));
    kiln_sb_printf(sb, ", %zu)", strlen(text));
    break;
  }
  }
  if (meta != KILN_NIL) {
    kiln_sb_puts(sb, ", ");
    if (!const_expr(sb, meta, depth + 1, budget)) return false;
    kiln_sb_puts(sb, ")");
  }
  return true;
}

/* Writes the statement that fills R[i] with constant [v]. */
static void emit_root_init(emitter *e, kiln_node *where, uint32_t i, kiln_val v) {
  kiln_sb *sb = &e->init;
  kiln_type t = kiln_type_of(v);
  kiln_sb_printf(sb, "  R[%u] = ", i);
  kiln_sb direct;
  kiln_sb_init(&direct);
  uint32_t budget = 4096;
  if ((t == KILN_T_LIST || t == KILN_T_EMPTY_LIST || t == KILN_T_CONS || t == KILN_T_LAZY_SEQ ||
       t == KILN_T_SEQ || t == KILN_T_VECTOR ||
       t == KILN_T_ARRAY_MAP || t == KILN_T_HASH_MAP || t == KILN_T_HASH_SET ||
       (t == KILN_T_SYMBOL && ((kiln_symbol *)v)->meta != KILN_NIL)) &&
      const_expr(&direct, v, 0, &budget)) {
    kiln_sb_putn(sb, direct.buf, direct.len);
    kiln_sb_puts(sb, ";\n");
    return;
  }
  if (t == KILN_T_KEYWORD) {
    const char *ns = kiln_kw_ns(v);
    kiln_sb_printf(sb, "kiln_rt->keyword(%s, %s);\n", ns ? c_string(ns) : "NULL",
                   c_string(kiln_kw_name(v)));
  } else if (t == KILN_T_SYMBOL && ((kiln_symbol *)v)->meta == KILN_NIL) {
    const char *ns = kiln_sym_ns(v);
    kiln_sb_printf(sb, "kiln_rt->symbol(%s, %s);\n", ns ? c_string(ns) : "NULL",
                   c_string(kiln_sym_name(v)));
  } else if (t == KILN_T_STRING) {
    kiln_sb_puts(sb, "kiln_rt->string(");
    put_c_string(sb, kiln_str_data(v), kiln_str_nbytes(v));
    kiln_sb_printf(sb, ", %zu);\n", kiln_str_nbytes(v));
  } else if (t == KILN_T_DOUBLE) {
    double d = ((kiln_boxed_double *)v)->value;
    if (isnan(d))
      kiln_sb_puts(sb, "kiln_rt->box_double(__builtin_nan(\"\"));\n");
    else if (isinf(d))
      kiln_sb_printf(sb, "kiln_rt->box_double(%s__builtin_inf());\n", d < 0 ? "-" : "");
    else
      kiln_sb_printf(sb, "kiln_rt->box_double(%a); /* %.17g */\n", d, d);
  } else if (t == KILN_T_LONG) {
    kiln_sb_printf(sb, "kiln_rt->box_long(INT64_C(%lld));\n",
                   (long long)((kiln_boxed_long *)v)->value);
  } else if (t == KILN_T_FN || t == KILN_T_VAR || t == KILN_T_NAMESPACE || t == KILN_T_ATOM ||
             t == KILN_T_EXCEPTION || t == KILN_T_WRITER) {
    emit_error(where, fmt("Can't embed object in code, maybe print-dup not defined: %s",
                          kiln_pr_str(v)));
  } else {
    const char *text = kiln_pr_str(v);
    kiln_sb_puts(sb, "kiln_rt->read_constant(");
    put_c_string(sb, text, strlen(text));
    kiln_sb_printf(sb, ", %zu);\n", strlen(text));
  }
}

/* A C expression for constant [v]: an immediate, or its slot in R[]. */
static const char *constant(emitter *e, kiln_val v) {
  if (v == KILN_NIL) return "KILN_NIL";
  if (v == KILN_TRUE) return "KILN_TRUE";
  if (v == KILN_FALSE) return "KILN_FALSE";
  if (KILN_IS_FIXNUM(v)) return fmt("KILN_FIXNUM(%lld)", (long long)KILN_FIXNUM_VALUE(v));
  if (KILN_IS_CHAR(v)) return fmt("KILN_CHAR(0x%x)", KILN_CHAR_VALUE(v));
  return fmt("R[%u]", add_root(e, v, false));
}

/* ---- locals ---- */

static const char *local_ref(const kiln_local_ref *r) {
  switch (r->where) {
  case KILN_LOCAL_IN_FRAME: return local_cname(r->local);
  case KILN_LOCAL_IN_CLOSED: return fmt("self->closed[%u]", r->index);
  case KILN_LOCAL_IS_SELF: return "((kiln_val)self)";
  }
  return "KILN_NIL";
}

static uint32_t loop_label_of(emitter *e, kiln_node *loop) {
  for (uint32_t i = 0; i < e->nloops; i++)
    if (e->loops[i].loop == loop) return e->loops[i].id;
  if (e->nloops == e->caploops) {
    e->caploops = e->caploops ? e->caploops * 2 : 16;
    loop_label *l = kiln_alloc(e->caploops * sizeof *l);
    if (e->nloops) memcpy(l, e->loops, e->nloops * sizeof *l);
    e->loops = l;
  }
  e->loops[e->nloops] = (loop_label){loop, ++e->nlabels};
  return e->loops[e->nloops++].id;
}

/* ---- inlined clojure.core operations ---- */

static bool is_core_var(kiln_node *n, const char *name) {
  if (n->kind != KILN_N_VAR) return false;
  kiln_var *v = n->u.var.var;
  kiln_ns *ns = (kiln_ns *)v->ns;
  return strcmp(kiln_sym_name(ns->name), "clojure.core") == 0 &&
         strcmp(kiln_sym_name(v->sym), name) == 0;
}

/* A C condition for a test, without boxing a boolean where an inlined
 * comparison gives one. */
static const char *emit_condition(emitter *e, fnctx *f, kiln_node *n) {
  if (n->kind == KILN_N_INVOKE && n->u.invoke.n == 2) {
    static const struct { const char *name, *macro; } cmp[] = {
        {"<", "KILN_LT"}, {">", "KILN_GT"}, {"<=", "KILN_LE"}, {">=", "KILN_GE"},
        {"==", "KILN_NUMEQ"}, {"=", "KILN_EQUIV"}, {"identical?", "IDENTICAL"}};
    for (size_t i = 0; i < KILN_ARRAY_LEN(cmp); i++) {
      if (!is_core_var(n->u.invoke.fn, cmp[i].name)) continue;
      const char *a = emit(e, f, n->u.invoke.args[0]);
      const char *b = emit(e, f, n->u.invoke.args[1]);
      if (strcmp(cmp[i].macro, "IDENTICAL") == 0) return fmt("(%s == %s)", a, b);
      return fmt("%s(%s, %s)", cmp[i].macro, a, b);
    }
  }
  if (n->kind == KILN_N_INVOKE && n->u.invoke.n == 1) {
    if (is_core_var(n->u.invoke.fn, "nil?"))
      return fmt("(%s == KILN_NIL)", emit(e, f, n->u.invoke.args[0]));
    if (is_core_var(n->u.invoke.fn, "zero?"))
      return fmt("KILN_NUMEQ(%s, KILN_FIXNUM(0))", emit(e, f, n->u.invoke.args[0]));
    if (is_core_var(n->u.invoke.fn, "not"))
      return fmt("!KILN_TRUTHY(%s)", emit(e, f, n->u.invoke.args[0]));
  }
  return fmt("KILN_TRUTHY(%s)", emit(e, f, n));
}

/* Emits an inlined call of a clojure.core arithmetic function, or returns NULL. */
static const char *emit_inline(emitter *e, fnctx *f, kiln_node *n) {
  kiln_node *fn = n->u.invoke.fn;
  uint32_t argc = n->u.invoke.n;
  if (fn->kind != KILN_N_VAR) return NULL;
  static const struct { const char *name, *helper; } binops[] = {
      {"+", "num_add"}, {"-", "num_sub"}, {"*", "num_mul"}};
  if (argc == 2) {
    for (size_t i = 0; i < KILN_ARRAY_LEN(binops); i++) {
      if (!is_core_var(fn, binops[i].name)) continue;
      const char *a = emit(e, f, n->u.invoke.args[0]);
      const char *b = emit(e, f, n->u.invoke.args[1]);
      const char *t = temp(e);
      line(f, "kiln_val %s = %s(%s, %s);", t, binops[i].helper, a, b);
      return t;
    }
  }
  if (argc == 1 && (is_core_var(fn, "inc") || is_core_var(fn, "dec"))) {
    const char *a = emit(e, f, n->u.invoke.args[0]);
    const char *t = temp(e);
    line(f, "kiln_val %s = %s(%s, KILN_FIXNUM(1));", t,
         is_core_var(fn, "inc") ? "num_add" : "num_sub", a);
    return t;
  }
  static const char *const predicates[] = {"<", ">", "<=", ">=", "==", "=", "identical?"};
  for (size_t i = 0; i < KILN_ARRAY_LEN(predicates); i++) {
    if (argc == 2 && is_core_var(fn, predicates[i])) {
      const char *c = emit_condition(e, f, n);
      const char *t = temp(e);
      line(f, "kiln_val %s = KILN_BOOL(%s);", t, c);
      return t;
    }
  }
  if (argc == 1 && (is_core_var(fn, "nil?") || is_core_var(fn, "zero?") || is_core_var(fn, "not"))) {
    const char *c = emit_condition(e, f, n);
    const char *t = temp(e);
    line(f, "kiln_val %s = KILN_BOOL(%s);", t, c);
    return t;
  }
  return NULL;
}

/* ---- functions ---- */

static const char *emit_fn_function(emitter *e, kiln_node *fn);

/* Fills a new closure's captured values, read in the enclosing context. */
static void emit_captures(fnctx *f, const char *closure, kiln_node *fn) {
  for (uint32_t i = 0; i < fn->u.fn.ncaptures; i++)
    line(f, "%s->closed[%u] = %s;", closure, i, local_ref(&fn->u.fn.captures[i]));
}

static const char *emit_closure(emitter *e, fnctx *f, kiln_node *fn, bool fill_captures) {
  const char *cfn = emit_fn_function(e, fn);
  const char *c = fmt("c%u", ++e->ntemps);
  line(f, "kiln_fn *%s = (kiln_fn *)kiln_rt->fn_new(%s, %s, %u);", c, cfn,
       c_string(fn->u.fn.qualified_name ? fn->u.fn.qualified_name : "fn"), fn->u.fn.ncaptures);
  kiln_fn_method *last = fn->u.fn.methods[fn->u.fn.nmethods - 1];
  if (last->variadic && last->nfixed <= KILN_MAX_POSITIONAL)
    line(f, "%s->h.flags |= KILN_FN_VARIADIC;", c);
  if (fill_captures) emit_captures(f, c, fn);
  return c;
}

/* The C name of one method's function: fn_<unit>_<id>_<index>. */
static const char *method_name(const char *fn_name, kiln_fn_method *m) {
  return fmt("%s_%u", fn_name, m->index);
}

/* A method's parameter list: the fn object, then each fixed parameter as
 * its own argument; a variadic method takes argc and argv as the fn does. */
static const char *method_params(kiln_fn_method *m) {
  if (m->variadic) return "kiln_fn *self, uint32_t argc, const kiln_val *argv";
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_puts(&sb, "kiln_fn *self");
  for (uint32_t i = 0; i < m->nfixed; i++) kiln_sb_printf(&sb, ", kiln_val p%u", i);
  return kiln_sb_cstr(&sb);
}

/* Lists generated C function [cname] (parameters [params]) of fn node [fn]
 * in the patch's table, so a stack trace names its frames after the fn
 * (kiln_trace_register). It makes no sibling calls, so every fn in a chain of
 * calls keeps its frame, as on the JVM; a top-level unit's function is kept
 * out of line (run calls it directly). */
static void add_fn_row(emitter *e, const char *cname, const char *params, kiln_node *fn,
                       bool entry) {
  const char *file = fn->file ? fn->file : e->opts->file ? e->opts->file : "NO_SOURCE_FILE";
  kiln_sb_printf(&e->fntable, "  {(const void *)%s, %s, %s, %d, 0, %s, 0},\n", cname,
                 c_string(fn->u.fn.qualified_name ? fn->u.fn.qualified_name : "fn"),
                 c_string(file), fn->line, entry ? "KILN_PATCH_FN_ENTRY" : "0");
  e->nfns++;
  kiln_sb_printf(&e->decls, "static kiln_val %s(%s) KILN_TRACED;\n", cname, params);
}

/* A method that calls itself directly gets one level of that recursion
 * inlined, as a JIT would: its C function is written twice, the method
 * (which calls the copy) and an always-inline copy (which calls the
 * method), so a recursive call costs a real call only every other level.
 * Every call still reads the var. Only small methods with few self-calls
 * are doubled; the limits bound the code each one adds. */
#define SELF_INLINE_MAX_CALLS 4u
#define SELF_INLINE_MAX_TEXT 4096u

/* [text] with each call of function [from] (the identifier followed by a
 * parenthesis) renamed to [to]. */
static kiln_sb rename_calls(const kiln_sb *text, const char *from, const char *to) {
  kiln_sb out;
  kiln_sb_init(&out);
  const char *s = kiln_sb_cstr((kiln_sb *)text);
  size_t flen = strlen(from);
  for (const char *p = s; *p;) {
    const char *hit = strstr(p, from);
    if (!hit) {
      kiln_sb_puts(&out, p);
      break;
    }
    bool starts = hit == s || !(isalnum((unsigned char)hit[-1]) || hit[-1] == '_');
    kiln_sb_putn(&out, p, (size_t)(hit - p));
    if (starts && hit[flen] == '(') kiln_sb_puts(&out, to);
    else kiln_sb_putn(&out, hit, flen);
    p = hit + flen;
  }
  return out;
}

/* Writes one method as its own C function, which the fn's entry and direct
 * callers (see emit_invoke) call. */
static void emit_method(emitter *e, const char *fn_name, kiln_node *fn, kiln_fn_method *m) {
  uint32_t fid = fn->u.fn.id;
  const char *cname = method_name(fn_name, m);
  add_fn_row(e, cname, method_params(m), fn, false);
  fnctx f;
  fnctx_init(&f, fn->file ? fn->file : e->opts->file);
  kiln_fn_method *outer_method = e->self_method;
  fnctx *outer_f = e->self_f;
  uint32_t outer_calls = e->self_calls;
  e->self_method = m;
  e->self_f = &f;
  e->self_calls = 0;
  line(&f, "(void)self;");
  if (m->has_recur) line(&f, "volatile int *intr = kiln_rt->interrupt_flag();");
  for (uint32_t i = 0; i < m->nfixed; i++) {
    if (m->variadic) line(&f, "kiln_val %s = TAKE(%u);", local_cname(m->params[i]), i);
    else line(&f, "kiln_val %s = p%u;", local_cname(m->params[i]), i);
    scope_push(&f, m->params[i]);
  }
  if (m->variadic) {
    line(&f, "kiln_val %s = kiln_rt->rest_args(argc, argv, %u);", local_cname(m->params[m->nfixed]),
         m->nfixed);
    scope_push(&f, m->params[m->nfixed]);
  }
  line(&f, "m%u_%u:;", fid, m->index);
  const char *r = emit(e, &f, m->body);
  line(&f, "return %s;", r);
  kiln_sb_puts(&f.out, "}\n\n");
  uint32_t self_calls = e->self_calls;
  e->self_method = outer_method;
  e->self_f = outer_f;
  e->self_calls = outer_calls;
  /* f.out is the body after the opening brace; self-calls went to the copy. */
  const char *copy = fmt("%s_inl", cname);
  const char *params = method_params(m);
  bool doubled =
      self_calls && self_calls <= SELF_INLINE_MAX_CALLS && f.out.len <= SELF_INLINE_MAX_TEXT;
  /* The copy's self-calls go back to the method; so do all of an undoubled one's. */
  kiln_sb renamed = self_calls ? rename_calls(&f.out, copy, cname) : f.out;
  if (doubled) {
    kiln_sb_printf(&e->decls, "INLINE kiln_val %s(%s);\n", copy, params);
    kiln_sb_printf(&e->fns, "/* %s inlined into itself: see emit_method */\n", cname);
    kiln_sb_printf(&e->fns, "INLINE kiln_val %s(%s) {\n", copy, params);
    kiln_sb_putn(&e->fns, renamed.buf, renamed.len);
  }
  const kiln_sb *body = doubled ? &f.out : &renamed;
  kiln_sb_printf(&e->fns, "static kiln_val %s(%s) {\n  STACK_CHECK();\n", cname, params);
  kiln_sb_putn(&e->fns, body->buf, body->len);
}

static const char *fn_name_of(uint32_t unit, kiln_node *fn) {
  return fn->u.fn.toplevel ? fmt("top_%u", unit) : fmt("fn_%u_%u", unit, fn->u.fn.id);
}

/* Writes the C functions for a fn node: one per method, and the entry the
 * fn object holds, which dispatches on argc; returns the entry's name.
 * A top-level unit's single method stays inside its entry. */
static const char *emit_fn_function(emitter *e, kiln_node *fn) {
  const char *name = fn_name_of(e->unit, fn);
  add_fn_row(e, name, "kiln_fn *self, uint32_t argc, const kiln_val *argv", fn,
             !fn->u.fn.toplevel);
  fnctx f;
  fnctx_init(&f, fn->file ? fn->file : e->opts->file);
  uint32_t n = fn->u.fn.nmethods;
  bool split = !fn->u.fn.toplevel;
  if (split) {
    for (uint32_t i = 0; i < n; i++) emit_method(e, name, fn, fn->u.fn.methods[i]);
  }
  if (fn->u.fn.qualified_name)
    kiln_sb_printf(&f.out, "/* %s */\n", fn->u.fn.qualified_name);
  kiln_sb_printf(&f.out, "static kiln_val %s(kiln_fn *self, uint32_t argc, const kiln_val *argv) {\n",
                 name);
  line(&f, "(void)self; (void)argv;");
  line(&f, "switch (argc) {");
  kiln_fn_method *variadic = NULL;
  for (uint32_t i = 0; i < n; i++) {
    kiln_fn_method *m = fn->u.fn.methods[i];
    if (m->variadic) {
      variadic = m;
      continue;
    }
    if (!split) {
      line(&f, "case %u: goto a%u_%u;", m->nfixed, fn->u.fn.id, m->index);
      continue;
    }
    kiln_sb args;
    kiln_sb_init(&args);
    for (uint32_t j = 0; j < m->nfixed; j++) kiln_sb_printf(&args, ", TAKE(%u)", j);
    line(&f, "case %u: return %s(self%s);", m->nfixed, method_name(name, m), kiln_sb_cstr(&args));
  }
  if (variadic && split)
    line(&f, "default: if (argc >= %u) return %s(self, argc, argv); return kiln_rt->arity_error(self, argc);",
         variadic->nfixed, method_name(name, variadic));
  else if (variadic)
    line(&f, "default: if (argc >= %u) goto a%u_%u; return kiln_rt->arity_error(self, argc);",
         variadic->nfixed, fn->u.fn.id, variadic->index);
  else
    line(&f, "default: return kiln_rt->arity_error(self, argc);");
  line(&f, "}");
  if (!split) {
    for (uint32_t i = 0; i < n; i++) {
      kiln_fn_method *m = fn->u.fn.methods[i];
      line(&f, "a%u_%u:;", fn->u.fn.id, m->index);
      line(&f, "{");
      f.indent++;
      uint32_t mark_scope = f.nscope;
      if (m->has_recur) line(&f, "volatile int *intr = kiln_rt->interrupt_flag();");
      for (uint32_t j = 0; j < m->nfixed; j++) {
        line(&f, "kiln_val %s = TAKE(%u);", local_cname(m->params[j]), j);
        scope_push(&f, m->params[j]);
      }
      if (m->variadic) {
        line(&f, "kiln_val %s = kiln_rt->rest_args(argc, argv, %u);",
             local_cname(m->params[m->nfixed]), m->nfixed);
        scope_push(&f, m->params[m->nfixed]);
      }
      line(&f, "m%u_%u:;", fn->u.fn.id, m->index);
      const char *r = emit(e, &f, m->body);
      line(&f, "return %s;", r);
      f.nscope = mark_scope;
      f.indent--;
      line(&f, "}");
    }
  }
  kiln_sb_puts(&f.out, "}\n\n");
  kiln_sb_putn(&e->fns, f.out.buf, f.out.len);
  return name;
}

/* ---- try: lifted into body, handler and finally functions ---- */

/* Starts a lifted function: unpacks the context struct into locals named as
 * in the enclosing function, so the body's code reads the same. */
static void open_lifted(fnctx *lf, fnctx *outer, const char *ctx_type, const char *signature) {
  fnctx_init(lf, outer->file);
  kiln_sb_printf(&lf->out, "%s {\n", signature);
  line(lf, "struct %s *cx = ctx;", ctx_type);
  line(lf, "kiln_fn *self = cx->self; (void)self;");
  for (uint32_t i = 0; i < outer->nscope; i++) {
    const char *c = local_cname(outer->scope[i]);
    line(lf, "kiln_val %s = cx->%s; (void)%s;", c, c, c);
    scope_push(lf, outer->scope[i]);
  }
}

static void close_lifted(emitter *e, fnctx *lf) {
  kiln_sb_puts(&lf->out, "}\n\n");
  kiln_sb_putn(&e->fns, lf->out.buf, lf->out.len);
}

static const char *emit_try(emitter *e, fnctx *f, kiln_node *n) {
  uint32_t id = ++e->ntries;
  const char *ctx_type = fmt("try%u", id);
  kiln_sb_printf(&e->decls, "struct %s {\n  kiln_fn *self;\n", ctx_type);
  for (uint32_t i = 0; i < f->nscope; i++)
    kiln_sb_printf(&e->decls, "  kiln_val %s;\n", local_cname(f->scope[i]));
  kiln_sb_puts(&e->decls, "};\n");

  fnctx body;
  const char *body_name = fmt("try%u_body", id);
  open_lifted(&body, f, ctx_type, fmt("static kiln_val %s(void *ctx)", body_name));
  line(&body, "return %s;", emit(e, &body, n->u.try_.body));
  close_lifted(e, &body);

  const char *handler_name = "NULL";
  if (n->u.try_.ncatches > 0) {
    handler_name = fmt("try%u_catch", id);
    fnctx h;
    open_lifted(&h, f, ctx_type, fmt("static kiln_val %s(void *ctx, kiln_val ex)", handler_name));
    for (uint32_t i = 0; i < n->u.try_.ncatches; i++) {
      kiln_catch *c = &n->u.try_.catches[i];
      const char *cls = constant(e, kiln_sym(NULL, c->class_name));
      line(&h, "if (kiln_rt->exception_is(ex, %s)) {", cls);
      h.indent++;
      line(&h, "kiln_val %s = ex;", local_cname(c->local));
      scope_push(&h, c->local);
      line(&h, "return %s;", emit(e, &h, c->body));
      h.nscope--;
      h.indent--;
      line(&h, "}");
    }
    line(&h, "kiln_rt->throw_(ex);");
    close_lifted(e, &h);
  }

  const char *finally_name = "NULL";
  if (n->u.try_.finally) {
    finally_name = fmt("try%u_finally", id);
    fnctx fin;
    open_lifted(&fin, f, ctx_type, fmt("static void %s(void *ctx)", finally_name));
    line(&fin, "(void)%s;", emit(e, &fin, n->u.try_.finally));
    close_lifted(e, &fin);
  }
  kiln_sb_printf(&e->decls, "static kiln_val %s(void *ctx);\n", body_name);
  if (n->u.try_.ncatches > 0)
    kiln_sb_printf(&e->decls, "static kiln_val %s(void *ctx, kiln_val ex);\n", handler_name);
  if (n->u.try_.finally) kiln_sb_printf(&e->decls, "static void %s(void *ctx);\n", finally_name);

  kiln_sb init;
  kiln_sb_init(&init);
  kiln_sb_puts(&init, "self");
  for (uint32_t i = 0; i < f->nscope; i++) kiln_sb_printf(&init, ", %s", local_cname(f->scope[i]));
  line(f, "struct %s cx%u = {%s};", ctx_type, id, kiln_sb_cstr(&init));
  const char *t = temp(e);
  line(f, "kiln_val %s = kiln_rt->try_(%s, %s, %s, &cx%u);", t, body_name, handler_name,
       finally_name, id);
  return t;
}

/* ---- nodes ---- */

/* Evaluates [n] items into a C array; returns its name ("NULL" when empty). */
static const char *emit_args(emitter *e, fnctx *f, uint32_t n, kiln_node **items) {
  if (n == 0) return "NULL";
  const char **vals = kiln_alloc(n * sizeof *vals);
  for (uint32_t i = 0; i < n; i++) vals[i] = emit(e, f, items[i]);
  const char *a = fmt("a%u", ++e->ntemps);
  kiln_sb sb;
  kiln_sb_init(&sb);
  for (uint32_t i = 0; i < n; i++) kiln_sb_printf(&sb, "%s%s", i ? ", " : "", vals[i]);
  line(f, "kiln_val %s[%u] = {%s};", a, n, kiln_sb_cstr(&sb));
  return a;
}

/* The fixed-arity method of a fn this patch defines that a call through
 * [var] with [argc] arguments would run, and the fn's C name. */
static kiln_fn_method *known_method(emitter *e, kiln_var *var, uint32_t argc, const char **fn_name,
                                    uint32_t *slot) {
  for (uint32_t i = 0; i < e->nknown; i++) {
    if (e->known[i].var != var) continue;
    kiln_node *fn = e->known[i].fn;
    for (uint32_t j = 0; j < fn->u.fn.nmethods; j++) {
      kiln_fn_method *m = fn->u.fn.methods[j];
      if (!m->variadic && m->nfixed == argc && argc <= KILN_MAX_POSITIONAL) {
        *fn_name = fn_name_of(e->known[i].unit, fn);
        *slot = i;
        return m;
      }
    }
    return NULL;
  }
  return NULL;
}

/* The slot in K[] of the fn a top-level def of [var] makes from [init], if
 * it is one this patch's calls know; else -1. */
static int known_slot(emitter *e, kiln_var *var, kiln_node *init) {
  if (init && init->kind == KILN_N_WITH_META) init = init->u.with_meta.expr;
  for (uint32_t i = 0; i < e->nknown; i++)
    if (e->known[i].var == var && e->known[i].fn == init) return (int)i;
  return -1;
}

static const char *emit_invoke(emitter *e, fnctx *f, kiln_node *n) {
  const char *inl = emit_inline(e, f, n);
  if (inl) return inl;
  kiln_node *fn = n->u.invoke.fn;
  uint32_t argc = n->u.invoke.n;
  const char *t, *args;
  if (fn->kind == KILN_N_VAR) {
    kiln_var *var = fn->u.var.var;
    const char *target;
    uint32_t slot;
    kiln_fn_method *m = known_method(e, var, argc, &target, &slot);
    if (m) {
      /* While the var holds the fn this patch made, call its method
       * directly, with the arguments in registers; otherwise as usual. */
      const char **vals = kiln_alloc((argc ? argc : 1) * sizeof *vals);
      kiln_sb direct;
      kiln_sb_init(&direct);
      for (uint32_t i = 0; i < argc; i++) {
        vals[i] = emit(e, f, n->u.invoke.args[i]);
        kiln_sb_printf(&direct, ", %s", vals[i]);
      }
      const char *callee = temp(e);
      t = temp(e);
      line(f, "kiln_val %s = %s;", callee, var_read(e, var));
      line(f, "kiln_val %s;", t);
      line(f, "if (__builtin_expect(%s == K[%u], 1)) {", callee, slot);
      const char *method = method_name(target, m);
      if (m == e->self_method && f == e->self_f) {
        method = fmt("%s_inl", method);
        e->self_calls++;
      }
      line(f, "  %s = %s((kiln_fn *)%s%s);", t, method, callee, kiln_sb_cstr(&direct));
      line(f, "} else {");
      f->indent++;
      if (argc) {
        kiln_sb sb;
        kiln_sb_init(&sb);
        for (uint32_t i = 0; i < argc; i++) kiln_sb_printf(&sb, "%s%s", i ? ", " : "", vals[i]);
        args = fmt("a%u", ++e->ntemps);
        line(f, "kiln_val %s[%u] = {%s};", args, argc, kiln_sb_cstr(&sb));
        line(f, "%s = call_val(%s, %u, %s);", t, callee, argc, args);
        line(f, "DROP(%s);", args);
      } else {
        line(f, "%s = call_val(%s, 0, NULL);", t, callee);
      }
      f->indent--;
      line(f, "}");
      return t;
    }
    args = emit_args(e, f, argc, n->u.invoke.args);
    t = temp(e);
    line(f, "kiln_val %s = call_val(%s, %u, %s);", t, var_read(e, var), argc, args);
  } else {
    const char *callee = emit(e, f, fn);
    args = emit_args(e, f, argc, n->u.invoke.args);
    t = temp(e);
    line(f, "kiln_val %s = call_val(%s, %u, %s);", t, callee, argc, args);
  }
  if (argc) line(f, "DROP(%s);", args);
  return t;
}

static const char *emit_case(emitter *e, fnctx *f, kiln_node *n) {
  const char *x = emit(e, f, n->u.case_.expr);
  const char *table = constant(e, n->u.case_.table);
  const char *idx = temp(e);
  line(f, "kiln_val %s = KILN_CALL(%s, 2, ((kiln_val[]){%s, KILN_FIXNUM(-1)}));", idx, table, x);
  const char *t = temp(e);
  line(f, "kiln_val %s = KILN_NIL;", t);
  line(f, "switch (KILN_FIXNUM_VALUE(%s)) {", idx);
  for (uint32_t i = 0; i < n->u.case_.nbranches; i++) {
    line(f, "case %u: {", i);
    f->indent++;
    line(f, "%s = %s;", t, emit(e, f, n->u.case_.branches[i]));
    line(f, "break;");
    f->indent--;
    line(f, "}");
  }
  line(f, "default: {");
  f->indent++;
  line(f, "%s = %s;", t, emit(e, f, n->u.case_.default_));
  f->indent--;
  line(f, "}");
  line(f, "}");
  return t;
}

static const char *emit_let(emitter *e, fnctx *f, kiln_node *n, bool loop) {
  uint32_t mark_scope = f->nscope;
  for (uint32_t i = 0; i < n->u.let.n; i++) {
    const char *v = emit(e, f, n->u.let.inits[i]);
    line(f, "kiln_val %s = %s;", local_cname(n->u.let.locals[i]), v);
    scope_push(f, n->u.let.locals[i]);
  }
  const char *t = temp(e);
  line(f, "kiln_val %s;", t);
  if (loop) {
    uint32_t id = loop_label_of(e, n);
    line(f, "volatile int *intr%u = kiln_rt->interrupt_flag();", id);
    line(f, "loop_%u:;", id);
    line(f, "if (__builtin_expect(*intr%u, 0)) kiln_rt->safepoint();", id);
  }
  line(f, "%s = %s;", t, emit(e, f, n->u.let.body));
  f->nscope = mark_scope;
  return t;
}

static const char *emit_recur(emitter *e, fnctx *f, kiln_node *n) {
  uint32_t argc = n->u.recur.n;
  const char **vals = kiln_alloc((argc ? argc : 1) * sizeof *vals);
  for (uint32_t i = 0; i < argc; i++) {
    const char *v = emit(e, f, n->u.recur.args[i]);
    /* Copy first: a later argument may read a target we are about to set. */
    vals[i] = temp(e);
    line(f, "kiln_val %s = %s;", vals[i], v);
  }
  for (uint32_t i = 0; i < argc; i++)
    line(f, "%s = %s;", local_cname(n->u.recur.targets[i]), vals[i]);
  if (n->u.recur.loop) {
    line(f, "goto loop_%u;", loop_label_of(e, n->u.recur.loop));
  } else {
    kiln_fn_method *m = n->u.recur.method;
    line(f, "if (__builtin_expect(*intr, 0)) kiln_rt->safepoint();");
    line(f, "goto m%u_%u;", m->fn->u.fn.id, m->index);
  }
  return "KILN_NIL";
}

static const char *emit_letfn(emitter *e, fnctx *f, kiln_node *n) {
  uint32_t count = n->u.letfn.n;
  const char **closures = kiln_alloc(count * sizeof *closures);
  uint32_t mark_scope = f->nscope;
  for (uint32_t i = 0; i < count; i++) {
    kiln_node *fn = n->u.letfn.fns[i];
    if (fn->kind == KILN_N_WITH_META) fn = fn->u.with_meta.expr;
    closures[i] = emit_closure(e, f, fn, false);
    line(f, "kiln_val %s = (kiln_val)%s;", local_cname(n->u.letfn.locals[i]), closures[i]);
    scope_push(f, n->u.letfn.locals[i]);
  }
  for (uint32_t i = 0; i < count; i++) {
    kiln_node *fn = n->u.letfn.fns[i];
    if (fn->kind == KILN_N_WITH_META) fn = fn->u.with_meta.expr;
    emit_captures(f, closures[i], fn);
  }
  const char *t = temp(e);
  line(f, "kiln_val %s = %s;", t, emit(e, f, n->u.letfn.body));
  f->nscope = mark_scope;
  return t;
}

static const char *emit_coll(emitter *e, fnctx *f, kiln_node *n, const char *ctor) {
  const char *args = emit_args(e, f, n->u.coll.n, n->u.coll.items);
  const char *t = temp(e);
  line(f, "kiln_val %s = kiln_rt->%s(%u, %s);", t, ctor, n->u.coll.n, args);
  return t;
}

static const char *emit(emitter *e, fnctx *f, kiln_node *n) {
  mark(f, n);
  switch (n->kind) {
  case KILN_N_CONST: return constant(e, n->u.constant.value);
  case KILN_N_LOCAL: return local_ref(&n->u.local);
  case KILN_N_VAR: {
    const char *t = temp(e);
    line(f, "kiln_val %s = %s;", t, var_read(e, n->u.var.var));
    return t;
  }
  case KILN_N_THE_VAR: return fmt("((kiln_val)%s)", var_ref(e, n->u.var.var));
  case KILN_N_DEF: {
    const char *v = var_ref(e, n->u.def.var);
    const char *meta = n->u.def.meta ? emit(e, f, n->u.def.meta) : "KILN_NIL";
    const char *init = n->u.def.init ? emit(e, f, n->u.def.init) : "KILN_NO_VALUE";
    line(f, "kiln_rt->var_def(%s, %s, %s); %s", v, init, meta, var_comment(n->u.def.var));
    int slot = known_slot(e, n->u.def.var, n->u.def.init);
    if (slot >= 0) line(f, "K[%d] = %s;", slot, init);
    return fmt("((kiln_val)%s)", v);
  }
  case KILN_N_IF: {
    const char *c = emit_condition(e, f, n->u.if_.test);
    const char *t = temp(e);
    line(f, "kiln_val %s;", t);
    line(f, "if (%s) {", c);
    f->indent++;
    line(f, "%s = %s;", t, emit(e, f, n->u.if_.then));
    f->indent--;
    line(f, "} else {");
    f->indent++;
    line(f, "%s = %s;", t, emit(e, f, n->u.if_.else_));
    f->indent--;
    line(f, "}");
    return t;
  }
  case KILN_N_DO: {
    const char *r = "KILN_NIL";
    for (uint32_t i = 0; i < n->u.do_.n; i++) {
      r = emit(e, f, n->u.do_.body[i]);
      if (i + 1 < n->u.do_.n) line(f, "(void)%s;", r);
    }
    return r;
  }
  case KILN_N_LET: return emit_let(e, f, n, false);
  case KILN_N_LOOP: return emit_let(e, f, n, true);
  case KILN_N_RECUR: return emit_recur(e, f, n);
  case KILN_N_FN: {
    const char *c = emit_closure(e, f, n, true);
    return fmt("((kiln_val)%s)", c);
  }
  case KILN_N_INVOKE: return emit_invoke(e, f, n);
  case KILN_N_THROW: {
    line(f, "kiln_rt->throw_(%s);", emit(e, f, n->u.throw_.exception));
    return "KILN_NIL";
  }
  case KILN_N_TRY: return emit_try(e, f, n);
  case KILN_N_LETFN: return emit_letfn(e, f, n);
  case KILN_N_CASE: return emit_case(e, f, n);
  case KILN_N_SET_BANG: {
    const char *v = emit(e, f, n->u.set_bang.value);
    const char *t = temp(e);
    line(f, "kiln_val %s = kiln_rt->var_set(%s, %s);", t, var_ref(e, n->u.set_bang.var), v);
    return t;
  }
  case KILN_N_FIELD: {
    const char *x = emit(e, f, n->u.field.target);
    const char *t = temp(e);
    line(f, "kiln_val %s = kiln_rt->field(%s, %s);", t, x, constant(e, n->u.field.field));
    return t;
  }
  case KILN_N_VECTOR: return emit_coll(e, f, n, "vector");
  case KILN_N_MAP: return emit_coll(e, f, n, "map");
  case KILN_N_SET: return emit_coll(e, f, n, "set");
  case KILN_N_WITH_META: {
    const char *x = emit(e, f, n->u.with_meta.expr);
    const char *m = emit(e, f, n->u.with_meta.meta);
    const char *t = temp(e);
    line(f, "kiln_val %s = kiln_rt->with_meta(%s, %s);", t, x, m);
    return t;
  }
  case KILN_N_COUNT: break;
  }
  emit_error(n, "internal error: unknown node kind in the C emitter");
}

/* ---- the patch ---- */

/* The fn node a top-level (def name (fn ...)) defines, if any. */
static kiln_node *defined_fn(kiln_node *unit, kiln_var **var) {
  kiln_node *body = unit->u.fn.methods[0]->body;
  if (body->kind != KILN_N_DEF || !body->u.def.init) return NULL;
  kiln_node *init = body->u.def.init;
  if (init->kind == KILN_N_WITH_META) init = init->u.with_meta.expr;
  if (init->kind != KILN_N_FN) return NULL;
  *var = body->u.def.var;
  return init;
}

/* "([x] [x y & more])" from a fn's methods. */
static const char *signature_of(kiln_node *fn) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_putc(&sb, '(');
  for (uint32_t i = 0; i < fn->u.fn.nmethods; i++) {
    kiln_fn_method *m = fn->u.fn.methods[i];
    kiln_sb_puts(&sb, i ? " [" : "[");
    for (uint32_t j = 0; j < m->nparams; j++) {
      if (j) kiln_sb_putc(&sb, ' ');
      if (m->variadic && j == m->nfixed) kiln_sb_puts(&sb, "& ");
      kiln_sb_puts(&sb, m->params[j]->name);
    }
    kiln_sb_putc(&sb, ']');
  }
  kiln_sb_putc(&sb, ')');
  return kiln_sb_cstr(&sb);
}

static void add_symbol(emitter *e, kiln_var *var, kiln_node *fn) {
  kiln_ns *ns = (kiln_ns *)var->ns;
  const char *q = fmt("%s/%s", kiln_sym_name(ns->name), kiln_sym_name(var->sym));
  kiln_sb_printf(&e->symbols, "  {%s, %s, (void *)fn_%u_%u},\n", c_string(q),
                 c_string(signature_of(fn)), e->unit, fn->u.fn.id);
  e->nsymbols++;
}

kiln_val kiln_emit_defined_vars(kiln_node *const *units, uint32_t n) {
  kiln_val out = kiln_empty_vector;
  for (uint32_t i = 0; i < n; i++) {
    kiln_node *body = units[i]->u.fn.methods[0]->body;
    if (body->kind != KILN_N_DEF) continue;
    kiln_var *v = body->u.def.var;
    kiln_ns *ns = (kiln_ns *)v->ns;
    out = kiln_vec_conj(out, kiln_str_cstr(fmt("%s/%s", kiln_sym_name(ns->name),
                                                   kiln_sym_name(v->sym))));
  }
  return out;
}

static void bind_print_vars(void) {
  kiln_val kvs[] = {(kiln_val)kiln_v_print_meta,   KILN_TRUE,
                    (kiln_val)kiln_v_print_length, KILN_NIL,
                    (kiln_val)kiln_v_print_level,  KILN_NIL,
                    (kiln_val)kiln_v_print_namespace_maps, KILN_FALSE};
  kiln_var_push_bindings(kiln_map_from(8, kvs));
}

/*
 * The fast paths every patch inlines, always (the library is built with
 * optimization that would otherwise leave them as calls). Fixnum arithmetic
 * works on the tagged words: with a = 2x+1 and b = 2y+1, a + (b-1) is
 * 2(x+y)+1, and the 64-bit overflow flag is exactly the fixnum range's.
 */
static const char fast_paths[] =
    "#define INLINE static inline __attribute__((always_inline))\n"
    "/* Every method begins with a stack check. In a patch it is one load,\n"
    " * KILN_STACK_BANG bytes below the frame: near the end of the stack it\n"
    " * faults in the guard zone, inside this patch, and the runtime's stack\n"
    " * guard turns the fault into a StackOverflowError. The standard library,\n"
    " * linked into the runtime itself, asks the runtime. */\n"
    "#ifdef KILN_LIBRARY_CODE\n"
    "#define STACK_CHECK() kiln_rt->stack_check()\n"
    "#else\n"
    "#define STACK_CHECK() \\\n"
    "  ((void)*(volatile char *)((char *)__builtin_frame_address(0) - KILN_STACK_BANG))\n"
    "#endif\n"
    "/* A dynamic var's value: its root until some thread binds it. */\n"
    "INLINE kiln_val var_deref(kiln_var *v) {\n"
    "  return (v->h.flags & KILN_VAR_THREAD_BOUND) ? kiln_rt->var_get(v) : KILN_VAR_ROOT(v);\n"
    "}\n"
    "/* Argument i of this call, its slot in argv cleared: argv belongs to the\n"
    " * callee, and the caller's array must not keep the head of a lazy seq\n"
    " * alive (the collector scans it) while this call walks the seq. */\n"
    "#define TAKE(i) take_arg(argv, (i))\n"
    "INLINE kiln_val take_arg(const kiln_val *argv, uint32_t i) {\n"
    "  kiln_val v = argv[i];\n"
    "  ((kiln_val *)argv)[i] = KILN_NIL;\n"
    "  return v;\n"
    "}\n"
    "INLINE kiln_val call_val(kiln_val f, uint32_t argc, const kiln_val *argv) {\n"
    "  if (__builtin_expect(KILN_HAS_TYPE(f, KILN_T_FN), 1))\n"
    "    return ((kiln_fn *)f)->code((kiln_fn *)f, argc, argv);\n"
    "  return kiln_rt->call(f, argc, argv);\n"
    "}\n"

    "INLINE kiln_val num_add(kiln_val a, kiln_val b) {\n"
    "  int64_t r;\n"
    "  if (KILN_FIX2(a, b) && !__builtin_add_overflow((int64_t)a, (int64_t)b - 1, &r))\n"
    "    return (kiln_val)r;\n"
    "  return kiln_rt->add(a, b);\n"
    "}\n"
    "INLINE kiln_val num_sub(kiln_val a, kiln_val b) {\n"
    "  int64_t r;\n"
    "  if (KILN_FIX2(a, b) && !__builtin_sub_overflow((int64_t)a, (int64_t)b - 1, &r))\n"
    "    return (kiln_val)r;\n"
    "  return kiln_rt->sub(a, b);\n"
    "}\n"
    "INLINE kiln_val num_mul(kiln_val a, kiln_val b) {\n"
    "  int64_t r;\n"
    "  if (KILN_FIX2(a, b) && !__builtin_mul_overflow((int64_t)a >> 1, (int64_t)b - 1, &r))\n"
    "    return (kiln_val)(r + 1);\n"
    "  return kiln_rt->mul(a, b);\n"
    "}\n";

typedef struct emit_job {
  kiln_node *const *units;
  uint32_t n;
  const kiln_emit_opts *opts;
  size_t len;
} emit_job;

static kiln_val emit_patch_body(void *ctx) {
  emit_job *job = ctx;
  emitter e;
  memset(&e, 0, sizeof e);
  e.opts = job->opts;
  kiln_sb_init(&e.decls);
  kiln_sb_init(&e.fns);
  kiln_sb_init(&e.init);
  kiln_sb_init(&e.symbols);
  kiln_sb_init(&e.fntable);

  e.known = kiln_alloc((job->n ? job->n : 1) * sizeof *e.known);
  for (uint32_t i = 0; i < job->n; i++) {
    kiln_var *var;
    kiln_node *fn = defined_fn(job->units[i], &var);
    if (!fn) continue;
    /* (add_fn_row declares every function, ahead of all definitions) */
    e.known[e.nknown++] = (struct known_fn){var, fn, i};
  }
  if (e.nknown) kiln_sb_puts(&e.decls, "static kiln_val *K; /* see init_known */\n");
  for (uint32_t i = 0; i < job->n; i++) {
    e.unit = i;
    emit_fn_function(&e, job->units[i]);
    kiln_var *var;
    kiln_node *fn = defined_fn(job->units[i], &var);
    if (fn) add_symbol(&e, var, fn);
  }
  for (uint32_t i = 0; i < e.nroots; i++) {
    if (e.roots[i].is_var) {
      kiln_var *v = (kiln_var *)e.roots[i].value;
      kiln_ns *ns = (kiln_ns *)v->ns;
      kiln_sb_printf(&e.init, "  R[%u] = (kiln_val)kiln_rt->intern_var(%s, %s);\n", i,
                     c_string(kiln_sym_name(ns->name)), c_string(kiln_sym_name(v->sym)));
    } else {
      emit_root_init(&e, job->units[0], i, e.roots[i].value);
    }
  }

  const char *file = job->opts->file ? job->opts->file : "NO_SOURCE_FILE";
  kiln_sb out;
  kiln_sb_init(&out);
  kiln_sb_printf(&out,
                 "/* Kiln patch %s: namespace %s, from %s.\n"
                 " * Generated by the Kiln C emitter; the #line directives point at the source. */\n"
                 "#define KILN_PATCH 1\n"
                 "#include \"kiln/patch_abi.h\"\n\n"
                 "static const kiln_api *kiln_rt;\n"
                 "/* Constants and vars, in GC-scanned memory from the runtime. */\n"
                 "static kiln_val *R;\n"
                 "#define VAR(i) ((kiln_var *)R[i])\n"
                 "/* Clears a call's argument array once the call returns, so the GC's\n"
                 " * conservative scan of this frame does not keep (say) the head of a lazy\n"
                 " * seq alive while the rest of the function runs. */\n"
                 "#define DROP(a) do { __builtin_memset((a), 0, sizeof(a)); "
                 "__asm__ volatile(\"\" : : \"m\"(a)); } while (0)\n\n"
                 "%s\n",
                 job->opts->patch_id, job->opts->ns, file, fast_paths);
  kiln_sb_putn(&out, e.decls.buf, e.decls.len);
  kiln_sb_puts(&out, "\n");
  kiln_sb_putn(&out, e.fns.buf, e.fns.len);
  if (e.nknown) {
    /* K[i]: the fn object known fn i's def made, for direct calls; until
     * then a word no var can hold. In GC-scanned memory, so the object
     * cannot be collected and its address reused by another fn. */
    kiln_sb_printf(&out,
                   "static void init_known(void) {\n"
                   "  K = kiln_rt->alloc_roots(%u);\n"
                   "  for (int i = 0; i < %u; i++) K[i] = (kiln_val)&K;\n}\n\n",
                   e.nknown, e.nknown);
  }
  kiln_sb_printf(&out, "static void init_roots(void) {\n  R = kiln_rt->alloc_roots(%u);\n",
                 e.nroots ? e.nroots : 1);
  kiln_sb_putn(&out, e.init.buf, e.init.len);
  kiln_sb_puts(&out, "}\n\n/* Evaluates the top-level forms in order. */\nstatic kiln_val run(void) {\n");
  if (e.nknown) kiln_sb_puts(&out, "  init_known();\n");
  kiln_sb_puts(&out, "  init_roots();\n  kiln_val r = KILN_NIL;\n");
  for (uint32_t i = 0; i < job->n; i++)
    kiln_sb_printf(&out, "  r = top_%u(NULL, 0, NULL);\n", i);
  kiln_sb_puts(&out, "  return r;\n}\n\n");
  kiln_sb_printf(&out, "static const kiln_patch_symbol symbols[] = {\n");
  if (e.nsymbols) kiln_sb_putn(&out, e.symbols.buf, e.symbols.len);
  else kiln_sb_puts(&out, "  {0, 0, 0},\n");
  kiln_sb_puts(&out, "};\n\n");
  kiln_sb_puts(&out, "/* Every generated fn function, for stack traces. */\n"
                     "static const kiln_patch_fn fns[] = {\n");
  if (e.nfns) kiln_sb_putn(&out, e.fntable.buf, e.fntable.len);
  else kiln_sb_puts(&out, "  {0, 0, 0, 0, 0, 0, 0},\n");
  kiln_sb_puts(&out, "};\n\n");
  kiln_sb_printf(&out,
                 "static const kiln_patch_desc desc = {\n"
                 "  KILN_ABI_VERSION, KILN_LAYOUT_HASH, %s, %s, %u, symbols, run, %u, fns,\n};\n\n",
                 c_string(job->opts->ns), c_string(file), e.nsymbols, e.nfns);
  kiln_sb_printf(&out,
                 "__attribute__((visibility(\"default\")))\n"
                 "const kiln_patch_desc *kiln_patch_%s(const kiln_api *api) {\n"
                 "  kiln_rt = api;\n  return &desc;\n}\n",
                 job->opts->patch_id);
  job->len = out.len;
  return (kiln_val)kiln_sb_cstr(&out);
}

const char *kiln_emit_patch(kiln_node *const *units, uint32_t n, const kiln_emit_opts *opts,
                            size_t *len) {
  emit_job job = {units, n, opts, 0};
  bind_print_vars();
  kiln_val result, ex;
  bool ok = kiln_pcall(emit_patch_body, &job, &result, &ex);
  kiln_var_pop_bindings();
  if (!ok) kiln_throw(ex);
  if (len) *len = job.len;
  return (const char *)result;
}
