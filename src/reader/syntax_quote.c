/*
 * syntax_quote.c — expands `form into the code that builds it, as
 * LispReader.syntaxQuote does on the JVM, so macros written for Clojure
 * expand to the same forms:
 *
 *   `(a ~b ~@c)  =>  (clojure.core/seq (clojure.core/concat
 *                       (clojure.core/list (quote user/a)) (clojure.core/list b) c))
 *
 * Symbols are resolved against the current namespace (*ns*): special forms
 * stay bare, a mapped var gives its namespace, an alias is replaced by the
 * namespace it names, a java.lang class name (which Clojure imports into
 * every namespace) gives its full name, anything else is qualified with the
 * current namespace. x# becomes x__N__auto__, the same N throughout one
 * syntax-quote; names ending in '.' (constructors) and starting with '.'
 * (methods) keep their shape. Maps, vectors and sets are rebuilt with
 * (apply hash-map ...), (apply vector ...) and (apply hash-set ...); metadata
 * other than :line/:column is kept with (with-meta ...).
 */
#include <string.h>

#include "reader/reader_int.h"

/* Compiler.specials: stay unqualified inside syntax-quote. */
static const char *const specials[] = {
    "def", "loop*", "recur", "if", "case*", "let*", "letfn*", "do", "fn*", "quote", "var",
    "import*", ".", "set!", "deftype*", "reify*", "try", "throw", "monitor-enter",
    "monitor-exit", "catch", "finally", "new", "&"};

/* Classes every Clojure namespace imports: java.lang's public ones and the
 * few RT.DEFAULT_IMPORTS adds. */
static const struct {
  const char *name, *pkg;
} classes[] = {
    {"AbstractMethodError", "java.lang"}, {"Appendable", "java.lang"},
    {"ArithmeticException", "java.lang"}, {"ArrayIndexOutOfBoundsException", "java.lang"},
    {"ArrayStoreException", "java.lang"}, {"AssertionError", "java.lang"},
    {"AutoCloseable", "java.lang"}, {"Boolean", "java.lang"}, {"Byte", "java.lang"},
    {"CharSequence", "java.lang"}, {"Character", "java.lang"}, {"Class", "java.lang"},
    {"ClassCastException", "java.lang"}, {"ClassLoader", "java.lang"},
    {"ClassNotFoundException", "java.lang"}, {"CloneNotSupportedException", "java.lang"},
    {"Cloneable", "java.lang"}, {"Comparable", "java.lang"}, {"Double", "java.lang"},
    {"Enum", "java.lang"}, {"Error", "java.lang"}, {"Exception", "java.lang"},
    {"Float", "java.lang"}, {"IllegalAccessException", "java.lang"},
    {"IllegalArgumentException", "java.lang"}, {"IllegalMonitorStateException", "java.lang"},
    {"IllegalStateException", "java.lang"}, {"IllegalThreadStateException", "java.lang"},
    {"IndexOutOfBoundsException", "java.lang"}, {"InstantiationException", "java.lang"},
    {"Integer", "java.lang"}, {"InternalError", "java.lang"},
    {"InterruptedException", "java.lang"}, {"Iterable", "java.lang"}, {"LinkageError", "java.lang"},
    {"Long", "java.lang"}, {"Math", "java.lang"}, {"NegativeArraySizeException", "java.lang"},
    {"NoClassDefFoundError", "java.lang"}, {"NoSuchFieldException", "java.lang"},
    {"NoSuchMethodException", "java.lang"}, {"NullPointerException", "java.lang"},
    {"Number", "java.lang"}, {"NumberFormatException", "java.lang"}, {"Object", "java.lang"},
    {"OutOfMemoryError", "java.lang"}, {"Process", "java.lang"}, {"ProcessBuilder", "java.lang"},
    {"Readable", "java.lang"}, {"Runnable", "java.lang"}, {"Runtime", "java.lang"},
    {"RuntimeException", "java.lang"}, {"SecurityException", "java.lang"},
    {"Short", "java.lang"}, {"StackOverflowError", "java.lang"}, {"StrictMath", "java.lang"},
    {"String", "java.lang"}, {"StringBuffer", "java.lang"}, {"StringBuilder", "java.lang"},
    {"StringIndexOutOfBoundsException", "java.lang"}, {"System", "java.lang"},
    {"Thread", "java.lang"}, {"ThreadLocal", "java.lang"}, {"Throwable", "java.lang"},
    {"UnsupportedOperationException", "java.lang"}, {"Void", "java.lang"},
    {"BigInteger", "java.math"}, {"BigDecimal", "java.math"},
    {"Callable", "java.util.concurrent"},
};

static const char *class_for(const char *name) {
  for (size_t i = 0; i < KILN_ARRAY_LEN(classes); i++)
    if (strcmp(classes[i].name, name) == 0) {
      kiln_sb sb;
      kiln_sb_init(&sb);
      kiln_sb_printf(&sb, "%s.%s", classes[i].pkg, name);
      return kiln_sb_cstr(&sb);
    }
  return NULL;
}

static bool is_special(kiln_val x) {
  if (!KILN_HAS_TYPE(x, KILN_T_SYMBOL) || kiln_sym_ns(x) != NULL) return false;
  const char *name = kiln_sym_name(x);
  for (size_t i = 0; i < KILN_ARRAY_LEN(specials); i++)
    if (strcmp(specials[i], name) == 0) return true;
  return false;
}

static kiln_val list_of(uint32_t n, const kiln_val *items) { return kiln_list_from(n, items); }

static kiln_val list2(kiln_val a, kiln_val b) {
  kiln_val items[2] = {a, b};
  return list_of(2, items);
}

static const char *ns_name(kiln_val ns) {
  return ns == KILN_NIL ? "user" : kiln_sym_name(((const kiln_ns *)ns)->name);
}

static kiln_val ns_mapping(kiln_val ns, kiln_val sym) {
  if (ns == KILN_NIL) return KILN_NIL;
  kiln_val m = ((const kiln_ns *)ns)->mappings;
  return kiln_is_map(m) ? kiln_map_get(m, sym, KILN_NIL) : KILN_NIL;
}

/* Compiler.resolveSymbol. */
static kiln_val resolve_symbol(kiln_val sym) {
  const char *name = kiln_sym_name(sym);
  const char *ns = kiln_sym_ns(sym);
  const char *dot = strchr(name, '.');
  if (dot && dot != name) return sym;
  kiln_val cur = kiln_reader_current_ns();
  if (ns) {
    kiln_val nsym = kiln_sym(NULL, ns);
    kiln_val target = KILN_NIL;
    if (cur != KILN_NIL && kiln_is_map(((const kiln_ns *)cur)->aliases))
      target = kiln_map_get(((const kiln_ns *)cur)->aliases, nsym, KILN_NIL);
    if (target == KILN_NIL) target = kiln_ns_find(nsym);
    if (target == KILN_NIL || strcmp(ns_name(target), ns) == 0) return sym;
    return kiln_sym(ns_name(target), name);
  }
  kiln_val o = ns_mapping(cur, sym);
  if (KILN_HAS_TYPE(o, KILN_T_VAR)) {
    const kiln_var *v = (const kiln_var *)o;
    return kiln_sym(ns_name(v->ns), kiln_sym_name(v->sym));
  }
  const char *cls = o == KILN_NIL ? class_for(name) : NULL;
  if (cls) return kiln_sym(NULL, cls);
  return kiln_sym(ns_name(cur), name);
}

static kiln_val sq_symbol(kiln_reader *r, kiln_val sym) {
  const char *name = kiln_sym_name(sym);
  const char *ns = kiln_sym_ns(sym);
  size_t len = strlen(name);
  if (!ns && len > 0 && name[len - 1] == '#') {
    kiln_val plain = kiln_sym(NULL, name);
    kiln_val gs = kiln_map_get(r->gensyms, plain, KILN_NIL);
    if (gs == KILN_NIL) {
      kiln_sb sb;
      kiln_sb_init(&sb);
      kiln_sb_putn(&sb, name, len - 1);
      kiln_sb_puts(&sb, "__");
      kiln_val g = kiln_gensym(kiln_sb_cstr(&sb));
      kiln_sb_init(&sb);
      kiln_sb_printf(&sb, "%s__auto__", kiln_sym_name(g));
      gs = kiln_sym(NULL, kiln_sb_cstr(&sb));
      r->gensyms = kiln_map_assoc(r->gensyms, plain, gs);
    }
    return gs;
  }
  if (!ns && len > 1 && name[len - 1] == '.') {
    char *base = kiln_alloc_atomic(len);
    memcpy(base, name, len - 1);
    base[len - 1] = 0;
    kiln_val c = resolve_symbol(kiln_sym(NULL, base));
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_printf(&sb, "%s.", kiln_sym_name(c));
    return kiln_sym(NULL, kiln_sb_cstr(&sb));
  }
  if (!ns && name[0] == '.') return kiln_sym(NULL, name);
  if (ns && ns_mapping(kiln_reader_current_ns(), kiln_sym(NULL, ns)) == KILN_NIL) {
    const char *cls = class_for(ns);
    if (cls) return kiln_sym(cls, name);
  }
  return resolve_symbol(sym);
}

static bool is_call_of(kiln_val form, kiln_val head) {
  return kiln_is_seq(form) && kiln_equiv(kiln_first(form), head);
}

static kiln_val second(kiln_val form) { return kiln_first(kiln_next(form)); }

/* (clojure.core/seq (clojure.core/concat x...)) where each item of [seq]
 * becomes (list ~x), x for ~@x, or (list `x). */
static kiln_val sq_concat(kiln_reader *r, kiln_val seq) {
  const kiln_reader_consts *k = kiln_reader_k();
  kiln_val args = kiln_empty_vector;
  args = kiln_vec_conj(args, k->concat);
  for (kiln_val s = kiln_seq(seq); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val item = kiln_first(s);
    if (is_call_of(item, k->unquote)) args = kiln_vec_conj(args, list2(k->list, second(item)));
    else if (is_call_of(item, k->unquote_splicing)) args = kiln_vec_conj(args, second(item));
    else args = kiln_vec_conj(args, list2(k->list, kiln_syntax_quote(r, item)));
  }
  uint32_t n = kiln_vec_count(args);
  kiln_val *buf = kiln_alloc(n * sizeof *buf);
  for (uint32_t i = 0; i < n; i++) buf[i] = kiln_vec_nth(args, i, KILN_NIL, true);
  return list2(k->seq, list_of(n, buf));
}

static kiln_val sq_apply(kiln_reader *r, kiln_val ctor, kiln_val seq) {
  kiln_val items[3] = {kiln_reader_k()->apply, ctor, sq_concat(r, seq)};
  return list_of(3, items);
}

static bool has_meta_type(kiln_val x) {
  switch (kiln_type_of(x)) {
  case KILN_T_SYMBOL: case KILN_T_LIST: case KILN_T_EMPTY_LIST: case KILN_T_CONS:
  case KILN_T_LAZY_SEQ: case KILN_T_SEQ: case KILN_T_VECTOR: case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP: case KILN_T_HASH_SET: case KILN_T_SORTED_MAP: case KILN_T_SORTED_SET:
    return true;
  default:
    return false;
  }
}

kiln_val kiln_syntax_quote(kiln_reader *r, kiln_val form) {
  const kiln_reader_consts *k = kiln_reader_k();
  kiln_val ret;
  if (--r->sq_budget < 0)
    kiln_reader_fail(r, r->tok_line, r->tok_col,
                     "Syntax-quote expansion too large (nested syntax-quotes?)");
  if (is_special(form)) {
    ret = list2(k->quote, form);
  } else if (KILN_HAS_TYPE(form, KILN_T_SYMBOL)) {
    ret = list2(k->quote, sq_symbol(r, form));
  } else if (is_call_of(form, k->unquote)) {
    return second(form);
  } else if (is_call_of(form, k->unquote_splicing)) {
    kiln_reader_fail(r, r->tok_line, r->tok_col, "splice not in list");
  } else if (kiln_is_map(form)) {
    kiln_val flat = kiln_empty_vector;
    for (kiln_val s = kiln_seq(form); s != KILN_NIL; s = kiln_next(s)) {
      kiln_val e = kiln_first(s);
      flat = kiln_vec_conj(flat, kiln_nth(e, 0, KILN_NIL, false));
      flat = kiln_vec_conj(flat, kiln_nth(e, 1, KILN_NIL, false));
    }
    ret = sq_apply(r, k->hash_map, flat);
  } else if (kiln_is_vector(form)) {
    ret = sq_apply(r, k->vector, form);
  } else if (kiln_is_set(form)) {
    ret = sq_apply(r, k->hash_set, form);
  } else if (kiln_is_seq(form) || KILN_HAS_TYPE(form, KILN_T_EMPTY_LIST)) {
    if (kiln_seq(form) == KILN_NIL) ret = list_of(1, &k->list);
    else ret = sq_concat(r, form);
  } else if (KILN_HAS_TYPE(form, KILN_T_KEYWORD) || KILN_HAS_TYPE(form, KILN_T_STRING) ||
             KILN_IS_CHAR(form) || kiln_is_number(form)) {
    ret = form;
  } else {
    ret = list2(k->quote, form);
  }
  if (has_meta_type(form)) {
    kiln_val meta = kiln_meta(form);
    if (kiln_is_map(meta)) {
      kiln_val rest = kiln_map_dissoc(kiln_map_dissoc(meta, k->kw_line), k->kw_column);
      if (kiln_map_count(rest) > 0) {
        kiln_val items[3] = {k->with_meta, ret, kiln_syntax_quote(r, meta)};
        return list_of(3, items);
      }
    }
  }
  return ret;
}
