/*
 * print.c — the printer and the writers.
 *
 * kiln_pr_to writes a value byte for byte as JVM Clojure's pr (readably) or
 * print (not readably) would, following clojure.core's print-method
 * definitions: strings escape only \" \\ \n \t \r \f \b (other control
 * characters are written raw, as on the JVM), chars use their names
 * (\newline), maps separate entries with ", ", and *print-length*,
 * *print-level*, *print-meta* and *print-namespace-maps* are honoured the way
 * print-sequential and lift-ns honour them. The dynamic vars are read once
 * per top-level call into a kiln_printer, which the recursion carries.
 *
 * Objects without a literal syntax print as #object[Class 0xHASH ...]; the
 * hex number is Kiln's identity hash, not the JVM's, so it differs from run
 * to run exactly as the JVM's does. Types whose layout another subsystem
 * owns (records, uuids, insts, deftypes) print through a method installed
 * with kiln_print_set_method.
 *
 * A writer is where *out* and *err* send text: a file descriptor (written
 * through at once, so nothing is ever left unflushed), a string buffer
 * (with-out-str), or a pair of callbacks (the nREPL server forwards each
 * flush to its client).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "runtime/rt.h"

static kiln_print_method print_methods[KILN_T_COUNT];

static void string_write(kiln_writer *w, const char *s, size_t n);

void kiln_print_set_method(kiln_type t, kiln_print_method m) {
  if ((unsigned)t < KILN_T_COUNT) print_methods[t] = m;
}

/* ==== reading the print vars =========================================== */

static kiln_val var_or_nil(kiln_var *v) { return v ? kiln_var_get(v) : KILN_NIL; }

static int64_t var_limit(kiln_var *v) {
  kiln_val x = var_or_nil(v);
  if (x == KILN_NIL || !kiln_is_number(x)) return -1;
  if (kiln_is_long(x)) {
    int64_t n = kiln_long_value(x);
    return n < 0 ? -2 : n; /* a negative length prints "..." at once; level "#" */
  }
  double d = kiln_double_value(x);
  return d < 0 ? -2 : (int64_t)d;
}

void kiln_printer_init(kiln_printer *p, kiln_sb *sb, bool readably) {
  p->sb = sb;
  p->readably = readably;
  p->length = var_limit(kiln_v_print_length);
  p->level = var_limit(kiln_v_print_level);
  p->meta = KILN_TRUTHY(var_or_nil(kiln_v_print_meta));
  p->ns_maps = KILN_TRUTHY(var_or_nil(kiln_v_print_namespace_maps));
}

/* ==== pieces =========================================================== */

static void put_string_readably(kiln_sb *sb, kiln_val s) {
  const char *d = kiln_str_data(s);
  size_t n = kiln_str_nbytes(s), run = 0;
  kiln_sb_putc(sb, '"');
  for (size_t i = 0; i < n; i++) {
    const char *e = NULL;
    switch (d[i]) {
    case '"': e = "\\\""; break;
    case '\\': e = "\\\\"; break;
    case '\n': e = "\\n"; break;
    case '\t': e = "\\t"; break;
    case '\r': e = "\\r"; break;
    case '\f': e = "\\f"; break;
    case '\b': e = "\\b"; break;
    default: break;
    }
    if (e) {
      kiln_sb_putn(sb, d + run, i - run);
      kiln_sb_puts(sb, e);
      run = i + 1;
    }
  }
  kiln_sb_putn(sb, d + run, n - run);
  kiln_sb_putc(sb, '"');
}

static void put_char(kiln_sb *sb, kiln_val c, bool readably) {
  uint32_t cp = KILN_CHAR_VALUE(c);
  if (readably) {
    kiln_sb_putc(sb, '\\');
    const char *name = kiln_char_name(cp);
    if (name) {
      kiln_sb_puts(sb, name);
      return;
    }
  }
  kiln_sb_put_utf8(sb, cp);
}

static void put_named(kiln_sb *sb, kiln_val sym) {
  const kiln_symbol *s = (const kiln_symbol *)sym;
  if (s->ns != KILN_NIL) {
    kiln_sb_putn(sb, kiln_str_data(s->ns), kiln_str_nbytes(s->ns));
    kiln_sb_putc(sb, '/');
  }
  kiln_sb_putn(sb, kiln_str_data(s->name), kiln_str_nbytes(s->name));
}

/* Clojure's munge of one character of a name, as class names show it. */
static const char *munge_char(char c) {
  switch (c) {
  case '-': return "_";
  case ':': return "_COLON_";
  case '+': return "_PLUS_";
  case '>': return "_GT_";
  case '<': return "_LT_";
  case '=': return "_EQ_";
  case '~': return "_TILDE_";
  case '!': return "_BANG_";
  case '@': return "_CIRCA_";
  case '#': return "_SHARP_";
  case '\'': return "_SINGLEQUOTE_";
  case '"': return "_DOUBLEQUOTE_";
  case '%': return "_PERCENT_";
  case '^': return "_CARET_";
  case '&': return "_AMPERSAND_";
  case '*': return "_STAR_";
  case '|': return "_BAR_";
  case '{': return "_LBRACE_";
  case '}': return "_RBRACE_";
  case '[': return "_LBRACK_";
  case ']': return "_RBRACK_";
  case '\\': return "_BSLASH_";
  case '?': return "_QMARK_";
  default: return NULL;
  }
}

/* The JVM class name of a fn named "ns/name" or "ns/name/inner":
 * "ns$name$inner", with Clojure's munging. */
void kiln_fn_class_name(kiln_sb *sb, const char *name) {
  if (!name || !*name) {
    kiln_sb_puts(sb, "clojure.lang.AFunction");
    return;
  }
  for (const char *p = name; *p; p++) {
    const char *m = *p == '/' ? "$" : munge_char(*p);
    if (m) kiln_sb_puts(sb, m);
    else kiln_sb_putc(sb, *p);
  }
}

static void put_identity(kiln_sb *sb, kiln_val x) {
  kiln_sb_printf(sb, "0x%x", (unsigned)kiln_identity_hash(x));
}

/* #object[Class 0xID "Class@ID"], the print of an Object without a method. */
static void put_object(kiln_sb *sb, const char *cls, kiln_val x) {
  kiln_sb_printf(sb, "#object[%s ", cls);
  put_identity(sb, x);
  kiln_sb_printf(sb, " \"%s@%x\"]", cls, (unsigned)kiln_identity_hash(x));
}

/* ==== collections ====================================================== */

/* Enters one nesting level; false (after writing "#") when *print-level* is spent. */
static bool level_enter(kiln_printer *p, int64_t *saved) {
  *saved = p->level;
  if (p->level == -1) return true;
  if (p->level == -2 || p->level - 1 < 0) {
    kiln_sb_putc(p->sb, '#');
    return false;
  }
  p->level--;
  return true;
}

static void level_leave(kiln_printer *p, int64_t saved) { p->level = saved; }

static void print_meta(kiln_printer *p, kiln_val x) {
  if (!p->meta || !p->readably) return;
  kiln_val m = KILN_HAS_TYPE(x, KILN_T_SYMBOL) ? ((const kiln_symbol *)x)->meta : kiln_meta(x);
  if (m == KILN_NIL || kiln_count_int(m) == 0) return;
  kiln_sb_putc(p->sb, '^');
  kiln_printer_value(p, m);
  kiln_sb_putc(p->sb, ' ');
}

static void print_sequential(kiln_printer *p, const char *begin, const char *sep, const char *end,
                             kiln_val coll) {
  int64_t saved;
  if (!level_enter(p, &saved)) return;
  kiln_sb_puts(p->sb, begin);
  int64_t left = p->length;
  bool first = true;
  for (kiln_val s = kiln_seq(coll); s != KILN_NIL; s = kiln_next(s)) {
    if (!first) kiln_sb_puts(p->sb, sep);
    first = false;
    if (left == 0 || left == -2) {
      kiln_sb_puts(p->sb, "...");
      break;
    }
    kiln_printer_value(p, kiln_first(s));
    if (left > 0) left--;
  }
  kiln_sb_puts(p->sb, end);
  level_leave(p, saved);
}

/* The namespace every key shares, when the map can print as #:ns{...}. */
static kiln_val lift_ns(kiln_printer *p, kiln_val m) {
  if (!p->ns_maps) return KILN_NIL;
  kiln_val ns = KILN_NIL;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val k = kiln_nth(kiln_first(s), 0, KILN_NIL, false);
    if (!KILN_HAS_TYPE(k, KILN_T_KEYWORD) && !KILN_HAS_TYPE(k, KILN_T_SYMBOL)) return KILN_NIL;
    kiln_val sym = KILN_HAS_TYPE(k, KILN_T_KEYWORD) ? ((const kiln_keyword *)k)->sym : k;
    kiln_val kns = ((const kiln_symbol *)sym)->ns;
    if (kns == KILN_NIL) return KILN_NIL;
    if (ns == KILN_NIL) ns = kns;
    else if (!kiln_str_equal(ns, kns)) return KILN_NIL;
  }
  return ns;
}

static void print_key_stripped(kiln_printer *p, kiln_val k) {
  bool kw = KILN_HAS_TYPE(k, KILN_T_KEYWORD);
  kiln_val sym = kw ? ((const kiln_keyword *)k)->sym : k;
  if (kw) kiln_sb_putc(p->sb, ':');
  kiln_val name = ((const kiln_symbol *)sym)->name;
  kiln_sb_putn(p->sb, kiln_str_data(name), kiln_str_nbytes(name));
}

/* Writes [prefix]{k v, k v} for the entries of [m]; [strip] drops key namespaces. */
static void print_map_entries(kiln_printer *p, const char *prefix, kiln_val m, bool strip) {
  int64_t saved;
  if (!level_enter(p, &saved)) return;
  kiln_sb_puts(p->sb, prefix);
  kiln_sb_putc(p->sb, '{');
  int64_t left = p->length;
  bool first = true;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s)) {
    if (!first) kiln_sb_puts(p->sb, ", ");
    first = false;
    if (left == 0 || left == -2) {
      kiln_sb_puts(p->sb, "...");
      break;
    }
    kiln_val e = kiln_first(s);
    kiln_val k = kiln_nth(e, 0, KILN_NIL, false);
    if (strip) print_key_stripped(p, k);
    else kiln_printer_value(p, k);
    kiln_sb_putc(p->sb, ' ');
    kiln_printer_value(p, kiln_nth(e, 1, KILN_NIL, false));
    if (left > 0) left--;
  }
  kiln_sb_putc(p->sb, '}');
  level_leave(p, saved);
}

void kiln_print_map_body(kiln_printer *p, const char *prefix, kiln_val m) {
  print_map_entries(p, prefix, m, false);
}

static void print_map(kiln_printer *p, kiln_val m) {
  print_meta(p, m);
  kiln_val ns = lift_ns(p, m);
  if (ns == KILN_NIL) {
    print_map_entries(p, "", m, false);
    return;
  }
  kiln_sb pre;
  kiln_sb_init(&pre);
  kiln_sb_puts(&pre, "#:");
  kiln_sb_putn(&pre, kiln_str_data(ns), kiln_str_nbytes(ns));
  print_map_entries(p, kiln_sb_cstr(&pre), m, true);
}

/* ==== other objects ==================================================== */

static kiln_val core_call1(const char *name, kiln_val x) {
  return kiln_call1(kiln_var_get(kiln_var_intern("clojure.core", name)), x);
}

/* #object[clojure.lang.Atom 0x.. {:status :ready, :val 1}] and friends. */
static void print_deref_object(kiln_printer *p, kiln_val x, const char *cls, bool pending) {
  kiln_sb_printf(p->sb, "#object[%s ", cls);
  put_identity(p->sb, x);
  kiln_sb_puts(p->sb, pending ? " {:status :pending, :val nil}]" : " {:status :ready, :val ");
  if (pending) return;
  kiln_val v = KILN_HAS_TYPE(x, KILN_T_REDUCED) ? kiln_reduced_value(x) : core_call1("deref", x);
  kiln_printer_value(p, v);
  kiln_sb_puts(p->sb, "}]");
}

static void print_regex(kiln_sb *sb, kiln_val re) {
  kiln_val src = kiln_regex_source(re);
  const char *d = kiln_str_data(src);
  size_t n = kiln_str_nbytes(src);
  bool qmode = false;
  kiln_sb_puts(sb, "#\"");
  for (size_t i = 0; i < n; i++) {
    char c = d[i];
    if (c == '\\' && i + 1 < n) {
      char c2 = d[++i];
      kiln_sb_putc(sb, '\\');
      kiln_sb_putc(sb, c2);
      qmode = qmode ? c2 != 'E' : c2 == 'Q';
    } else if (c == '"') {
      kiln_sb_puts(sb, qmode ? "\\E\\\"\\Q" : "\\\"");
    } else {
      kiln_sb_putc(sb, c);
    }
  }
  kiln_sb_putc(sb, '"');
}

static void print_exception(kiln_printer *p, kiln_val x) {
  kiln_sb *sb = p->sb;
  kiln_val root = x;
  while (((const kiln_exception *)root)->cause != KILN_NIL &&
         KILN_HAS_TYPE(((const kiln_exception *)root)->cause, KILN_T_EXCEPTION))
    root = ((const kiln_exception *)root)->cause;
  const kiln_exception *r = (const kiln_exception *)root;
  kiln_sb_puts(sb, "#error {\n :cause ");
  kiln_printer_value(p, r->msg);
  if (r->data != KILN_NIL) {
    kiln_sb_puts(sb, "\n :data ");
    kiln_printer_value(p, r->data);
  }
  kiln_sb_puts(sb, "\n :via\n [");
  for (kiln_val e = x; KILN_HAS_TYPE(e, KILN_T_EXCEPTION); e = ((const kiln_exception *)e)->cause) {
    const kiln_exception *ex = (const kiln_exception *)e;
    if (e != x) kiln_sb_puts(sb, "\n  ");
    kiln_sb_printf(sb, "{:type %s\n   :message ", ex->cls);
    kiln_printer_value(p, ex->msg);
    if (ex->data != KILN_NIL) {
      kiln_sb_puts(sb, "\n   :data ");
      kiln_printer_value(p, ex->data);
    }
    kiln_val at = kiln_first(kiln_ex_trace(e)); /* its top frame, as the JVM's :at */
    if (at != KILN_NIL) {
      kiln_sb_puts(sb, "\n   :at ");
      kiln_printer_value(p, at);
    }
    kiln_sb_putc(sb, '}');
  }
  kiln_sb_puts(sb, "]\n :trace\n [");
  bool first = true;
  kiln_val trace = kiln_ex_trace(root); /* the root cause's, as Throwable->map's */
  if (trace != KILN_NIL)
    for (kiln_val s = kiln_seq(trace); s != KILN_NIL; s = kiln_next(s)) {
      if (!first) kiln_sb_puts(sb, "\n  ");
      first = false;
      kiln_printer_value(p, kiln_first(s));
    }
  kiln_sb_puts(sb, "]}");
}

/* Throwable.toString: "class: message", with ex-info's data appended. */
static void exception_to_string(kiln_sb *sb, kiln_val x) {
  const kiln_exception *e = (const kiln_exception *)x;
  kiln_sb_puts(sb, e->cls);
  if (e->msg != KILN_NIL) {
    kiln_sb_puts(sb, ": ");
    kiln_str_to(sb, e->msg);
  }
  if (strcmp(e->cls, KILN_EX_INFO) == 0) {
    kiln_sb_putc(sb, ' ');
    kiln_str_to(sb, e->data);
  }
}

static void print_var(kiln_sb *sb, kiln_val x) {
  const kiln_var *v = (const kiln_var *)x;
  kiln_sb_puts(sb, "#'");
  if (KILN_HAS_TYPE(v->ns, KILN_T_NAMESPACE)) {
    put_named(sb, ((const kiln_ns *)v->ns)->name);
    kiln_sb_putc(sb, '/');
  }
  if (KILN_HAS_TYPE(v->sym, KILN_T_SYMBOL)) put_named(sb, v->sym);
}

static void print_fn(kiln_sb *sb, kiln_val x) {
  kiln_sb cls;
  kiln_sb_init(&cls);
  kiln_fn_class_name(&cls, ((const kiln_fn *)x)->name);
  put_object(sb, kiln_sb_cstr(&cls), x);
}

/* ==== the dispatch ===================================================== */

void kiln_printer_value(kiln_printer *p, kiln_val x) {
  kiln_sb *sb = p->sb;
  if (KILN_IS_FIXNUM(x)) {
    kiln_sb_printf(sb, "%lld", (long long)KILN_FIXNUM_VALUE(x));
    return;
  }
  if (x == KILN_NIL) {
    kiln_sb_puts(sb, "nil");
    return;
  }
  if (x == KILN_TRUE || x == KILN_FALSE) {
    kiln_sb_puts(sb, x == KILN_TRUE ? "true" : "false");
    return;
  }
  if (KILN_IS_CHAR(x)) {
    put_char(sb, x, p->readably);
    return;
  }
  if (!KILN_IS_PTR(x)) {
    kiln_sb_printf(sb, "#object[kiln.lang.Unknown 0x%llx]", (unsigned long long)x);
    return;
  }
  kiln_type t = (kiln_type)KILN_OBJ_TYPE(x);
  kiln_stack_check();
  if ((unsigned)t < KILN_T_COUNT && print_methods[t]) {
    print_methods[t](p, x);
    return;
  }
  switch (t) {
  case KILN_T_LONG:
  case KILN_T_DOUBLE:
  case KILN_T_BIGINT:
  case KILN_T_RATIO:
  case KILN_T_DECIMAL:
    kiln_num_print(sb, x);
    return;
  case KILN_T_STRING:
    if (p->readably) put_string_readably(sb, x);
    else kiln_sb_putn(sb, kiln_str_data(x), kiln_str_nbytes(x));
    return;
  case KILN_T_SYMBOL:
    print_meta(p, x);
    put_named(sb, x);
    return;
  case KILN_T_KEYWORD:
    kiln_sb_putc(sb, ':');
    put_named(sb, ((const kiln_keyword *)x)->sym);
    return;
  case KILN_T_EMPTY_LIST:
  case KILN_T_LIST:
  case KILN_T_CONS:
  case KILN_T_LAZY_SEQ:
  case KILN_T_SEQ:
    print_meta(p, x);
    print_sequential(p, "(", " ", ")", x);
    return;
  case KILN_T_VECTOR:
    print_meta(p, x);
    print_sequential(p, "[", " ", "]", x);
    return;
  case KILN_T_MAP_ENTRY:
    print_sequential(p, "[", " ", "]", x);
    return;
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
    print_map(p, x);
    return;
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
    print_meta(p, x);
    print_sequential(p, "#{", " ", "}", x);
    return;
  case KILN_T_VAR:
    print_var(sb, x);
    return;
  case KILN_T_NAMESPACE: /* as JVM Clojure 1.11: #object[clojure.lang.Namespace 0x.. "user"] */
    kiln_sb_puts(sb, "#object[clojure.lang.Namespace ");
    put_identity(sb, x);
    kiln_sb_puts(sb, " \"");
    put_named(sb, ((const kiln_ns *)x)->name);
    kiln_sb_puts(sb, "\"]");
    return;
  case KILN_T_FN:
    print_fn(sb, x);
    return;
  case KILN_T_ATOM:
  case KILN_T_VOLATILE:
  case KILN_T_REDUCED:
    print_deref_object(p, x, kiln_class_name(x), false);
    return;
  case KILN_T_DELAY:
    print_deref_object(p, x, kiln_class_name(x),
                       !KILN_TRUTHY(core_call1("realized?", x)));
    return;
  case KILN_T_REGEX:
    print_regex(sb, x);
    return;
  case KILN_T_EXCEPTION:
    print_exception(p, x);
    return;
  case KILN_T_UUID: {
    char buf[48];
    kiln_uuid_format(x, buf);
    kiln_sb_printf(sb, "#uuid \"%s\"", buf);
    return;
  }
  case KILN_T_INST: {
    char buf[64];
    kiln_inst_format(x, buf);
    kiln_sb_printf(sb, "#inst \"%s\"", buf);
    return;
  }
  default:
    put_object(sb, kiln_class_name(x), x);
    return;
  }
}

/* ==== entry points ===================================================== */

void kiln_pr_to(kiln_sb *sb, kiln_val x, bool readably) {
  kiln_printer p;
  kiln_printer_init(&p, sb, readably);
  kiln_printer_value(&p, x);
}

const char *kiln_pr_str(kiln_val x) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_pr_to(&sb, x, true);
  return kiln_sb_cstr(&sb);
}

const char *kiln_print_str(kiln_val x) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_pr_to(&sb, x, false);
  return kiln_sb_cstr(&sb);
}

static bool print_readably_now(void) {
  return kiln_v_print_readably ? KILN_TRUTHY(kiln_var_get(kiln_v_print_readably)) : true;
}

/* Date.toString in UTC: "Wed Jan 01 00:00:00 UTC 2020". */
static void date_to_string(kiln_sb *sb, int64_t millis) {
  static const char *const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t secs = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
  int64_t z = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t sod = secs - z * 86400;
  int64_t dow = ((z % 7) + 7) % 7;
  /* civil date from days since the epoch (Howard Hinnant's algorithm) */
  int64_t zz = z + 719468;
  int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
  int64_t doe = zz - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int)(doy - (153 * mp + 2) / 5 + 1);
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  int64_t y = yoe + era * 400 + (m <= 2);
  kiln_sb_printf(sb, "%s %s %02d %02d:%02d:%02d UTC %lld", days[dow], months[m - 1], d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (long long)y);
}

/* Object.toString of the types that have no better one: Class@hex. */
static void put_class_at(kiln_sb *sb, const char *cls, uint32_t h) {
  kiln_sb_printf(sb, "%s@%x", cls, (unsigned)h);
}

void kiln_str_to(kiln_sb *sb, kiln_val x) {
  if (x == KILN_NIL) return;
  if (KILN_IS_FIXNUM(x)) { /* the commonest case after strings; no printer needed */
    kiln_num_str(sb, x);
    return;
  }
  if (KILN_IS_CHAR(x)) {
    kiln_sb_put_utf8(sb, KILN_CHAR_VALUE(x));
    return;
  }
  switch (kiln_type_of(x)) {
  case KILN_T_STRING:
    kiln_sb_putn(sb, kiln_str_data(x), kiln_str_nbytes(x));
    return;
  case KILN_T_LONG:
  case KILN_T_DOUBLE:
  case KILN_T_BIGINT:
  case KILN_T_RATIO:
  case KILN_T_DECIMAL:
    kiln_num_str(sb, x);
    return;
  case KILN_T_SYMBOL:
    put_named(sb, x);
    return;
  case KILN_T_NAMESPACE: /* Namespace.toString is its name */
    put_named(sb, ((const kiln_ns *)x)->name);
    return;
  case KILN_T_REGEX: {
    kiln_val src = kiln_regex_source(x);
    kiln_sb_putn(sb, kiln_str_data(src), kiln_str_nbytes(src));
    return;
  }
  case KILN_T_LAZY_SEQ:
    put_class_at(sb, "clojure.lang.LazySeq", (uint32_t)kiln_java_hash(x));
    return;
  case KILN_T_EXCEPTION:
    exception_to_string(sb, x);
    return;
  case KILN_T_UUID: {
    char buf[48];
    kiln_uuid_format(x, buf);
    kiln_sb_puts(sb, buf);
    return;
  }
  case KILN_T_INST:
    date_to_string(sb, ((const kiln_inst *)x)->millis);
    return;
  case KILN_T_FN: {
    kiln_sb cls;
    kiln_sb_init(&cls);
    kiln_fn_class_name(&cls, ((const kiln_fn *)x)->name);
    put_class_at(sb, kiln_sb_cstr(&cls), (uint32_t)kiln_identity_hash(x));
    return;
  }
  case KILN_T_RECORD: /* records keep Object.toString: "user.R@hash" */
  case KILN_T_TYPE: {
    /* unless the defrecord, deftype or reify body gave Object's toString */
    static kiln_var *type_str;
    if (!type_str) type_str = kiln_var_intern("clojure.core", "-type-str");
    if (kiln_var_is_bound(type_str)) {
      kiln_val s = kiln_call1(kiln_var_get(type_str), x);
      if (s != KILN_NIL) {
        kiln_str_to(sb, s);
        return;
      }
    }
    const kiln_record *r = (const kiln_record *)x;
    kiln_sb tag;
    kiln_sb_init(&tag);
    kiln_str_to(&tag, r->tag);
    put_class_at(sb, kiln_sb_cstr(&tag),
                 (uint32_t)(KILN_HAS_TYPE(x, KILN_T_RECORD) ? kiln_java_hash(x) : kiln_identity_hash(x)));
    return;
  }
  case KILN_T_ATOM:
  case KILN_T_VOLATILE:
  case KILN_T_DELAY:
  case KILN_T_REDUCED:
  case KILN_T_TRANSIENT_VECTOR:
  case KILN_T_TRANSIENT_MAP:
  case KILN_T_TRANSIENT_SET:
  case KILN_T_MULTIFN:
  case KILN_T_POINTER:
  case KILN_T_PROTOCOL:
    put_class_at(sb, kiln_class_name(x), (uint32_t)kiln_identity_hash(x));
    return;
  case KILN_T_WRITER: {
    const kiln_writer *w = (const kiln_writer *)x;
    if (w->write == string_write) kiln_sb_putn(sb, w->sb.buf ? w->sb.buf : "", w->sb.len);
    else put_class_at(sb, "java.io.PrintWriter", (uint32_t)kiln_identity_hash(x));
    return;
  }
  default:
    kiln_pr_to(sb, x, print_readably_now());
    return;
  }
}

/* ==== writers ========================================================== */

static void fd_write(kiln_writer *w, const char *s, size_t n) {
  while (n > 0) {
    ssize_t k = write(w->fd, s, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      return; /* a closed pipe loses the text, as a PrintWriter does */
    }
    s += k;
    n -= (size_t)k;
  }
}

static void string_write(kiln_writer *w, const char *s, size_t n) { kiln_sb_putn(&w->sb, s, n); }

static kiln_writer *writer_new(void) {
  kiln_writer *w = kiln_obj_new(KILN_T_WRITER, sizeof *w);
  kiln_sb_init(&w->sb);
  w->fd = -1;
  return w;
}

kiln_val kiln_writer_fd(int fd) {
  kiln_writer *w = writer_new();
  w->fd = fd;
  w->write = fd_write;
  return (kiln_val)w;
}

kiln_val kiln_writer_string(void) {
  kiln_writer *w = writer_new();
  w->write = string_write;
  return (kiln_val)w;
}

kiln_val kiln_writer_callback(void (*write_fn)(kiln_writer *w, const char *s, size_t n),
                              void (*flush_fn)(kiln_writer *w), void *ctx) {
  kiln_writer *w = writer_new();
  w->write = write_fn;
  w->flush = flush_fn;
  w->ctx = ctx;
  return (kiln_val)w;
}

static kiln_writer *want_writer(kiln_val w) {
  if (!KILN_HAS_TYPE(w, KILN_T_WRITER)) {
    if (w == KILN_NIL) kiln_throwf(KILN_EX_NULL, "Cannot write to a nil writer");
    kiln_throw_class_cast(w, "java.io.Writer");
  }
  return (kiln_writer *)w;
}

/*
 * Text leaving the process is UTF-8: a lone surrogate (kept in strings as
 * WTF-8) is written as '?', which is what the JVM's UTF-8 encoder writes.
 */
static const char *encode_for_output(const char *s, size_t *n) {
  const char *p = memchr(s, 0xED, *n);
  bool lone = false;
  for (; p && (size_t)(p - s) + 1 < *n; p = memchr(p + 1, 0xED, *n - (size_t)(p + 1 - s)))
    if ((unsigned char)p[1] >= 0xA0) {
      lone = true;
      break;
    }
  if (!lone) return s;
  kiln_sb sb;
  kiln_sb_init(&sb);
  size_t i = 0;
  while (i < *n) {
    size_t at = i;
    uint32_t cp = kiln_utf8_decode(s, *n, &i);
    if (cp >= 0xD800 && cp <= 0xDFFF) kiln_sb_putc(&sb, '?');
    else kiln_sb_putn(&sb, s + at, i - at);
  }
  *n = sb.len;
  return sb.buf;
}

void kiln_write(kiln_val writer, const char *s, size_t n) {
  kiln_writer *w = want_writer(writer);
  if (!n || !w->write) return;
  if (w->write != string_write) s = encode_for_output(s, &n);
  w->write(w, s, n);
}

void kiln_flush(kiln_val writer) {
  kiln_writer *w = want_writer(writer);
  if (w->flush) w->flush(w);
}

kiln_val kiln_writer_string_value(kiln_val writer) {
  kiln_writer *w = want_writer(writer);
  return kiln_str_new(w->sb.buf ? w->sb.buf : "", w->sb.len);
}

/* ==== natives ========================================================== */

static kiln_val out_writer(void) { return kiln_var_get(kiln_v_out); }

/* Writes the arguments separated by spaces, as pr and print do. */
static void print_args(kiln_sb *sb, uint32_t argc, const kiln_val *argv, bool readably) {
  for (uint32_t i = 0; i < argc; i++) {
    if (i) kiln_sb_putc(sb, ' ');
    kiln_pr_to(sb, argv[i], readably);
  }
}

static kiln_val emit(kiln_sb *sb, bool newline) {
  if (newline) kiln_sb_putc(sb, '\n');
  kiln_val w = out_writer();
  kiln_write(w, sb->buf ? sb->buf : "", sb->len);
  if (newline) kiln_flush(w); /* *flush-on-newline* is true */
  return KILN_NIL;
}

KILN_NATIVE(n_str) {
  if (argc == 1 && KILN_HAS_TYPE(argv[0], KILN_T_STRING)) return argv[0];
  kiln_sb sb;
  kiln_sb_init(&sb);
  /* (apply str many-strings) builds one long string: size it once. */
  size_t guess = 0;
  for (uint32_t i = 0; i < argc; i++)
    guess += KILN_HAS_TYPE(argv[i], KILN_T_STRING) ? kiln_str_nbytes(argv[i]) : 20;
  kiln_sb_reserve(&sb, guess);
  for (uint32_t i = 0; i < argc; i++) kiln_str_to(&sb, argv[i]);
  return kiln_sb_to_string(&sb);
}

#define PRINT_STR_NATIVE(cname, readably_expr, newline)                     \
  KILN_NATIVE(cname) {                                                      \
    kiln_sb sb;                                                             \
    kiln_sb_init(&sb);                                                      \
    print_args(&sb, argc, argv, (readably_expr));                           \
    if (newline) kiln_sb_putc(&sb, '\n');                                   \
    return kiln_sb_to_string(&sb);                                          \
  }

PRINT_STR_NATIVE(n_pr_str, print_readably_now(), false)
PRINT_STR_NATIVE(n_prn_str, print_readably_now(), true)
PRINT_STR_NATIVE(n_print_str, false, false)
PRINT_STR_NATIVE(n_println_str, false, true)

#define PRINT_NATIVE(cname, readably_expr, newline)                         \
  KILN_NATIVE(cname) {                                                      \
    kiln_sb sb;                                                             \
    kiln_sb_init(&sb);                                                      \
    print_args(&sb, argc, argv, (readably_expr));                           \
    return emit(&sb, newline);                                              \
  }

PRINT_NATIVE(n_pr, print_readably_now(), false)
PRINT_NATIVE(n_prn, print_readably_now(), true)
PRINT_NATIVE(n_print, false, false)
PRINT_NATIVE(n_println, false, true)

KILN_NATIVE(n_newline) {
  KILN_ARITY("clojure.core/newline", argc == 0);
  kiln_sb sb;
  kiln_sb_init(&sb);
  return emit(&sb, true);
}

KILN_NATIVE(n_flush) {
  KILN_ARITY("clojure.core/flush", argc == 0);
  kiln_flush(out_writer());
  return KILN_NIL;
}

KILN_NATIVE(n_printf) {
  KILN_ARITY("clojure.core/printf", argc >= 1);
  kiln_val s = kiln_format(argv[0], argc - 1, argv + 1);
  kiln_write(out_writer(), kiln_str_data(s), kiln_str_nbytes(s));
  return KILN_NIL;
}

KILN_NATIVE(n_munge) {
  KILN_ARITY("clojure.core/munge", argc == 1);
  kiln_sb in, out;
  kiln_sb_init(&in);
  kiln_sb_init(&out);
  kiln_str_to(&in, argv[0]);
  const char *s = kiln_sb_cstr(&in);
  for (size_t i = 0; i < in.len; i++) {
    const char *m = s[i] == '/' ? "_SLASH_" : munge_char(s[i]);
    if (m) kiln_sb_puts(&out, m);
    else kiln_sb_putc(&out, s[i]);
  }
  if (KILN_HAS_TYPE(argv[0], KILN_T_SYMBOL)) return kiln_sym(NULL, kiln_sb_cstr(&out));
  return kiln_sb_to_string(&out);
}

KILN_NATIVE(n_string_writer) {
  KILN_ARITY("clojure.core/-string-writer", argc == 0);
  return kiln_writer_string();
}

KILN_NATIVE(n_write) {
  KILN_ARITY("clojure.core/-write", argc == 2);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_str_to(&sb, argv[1]);
  kiln_write(argv[0], sb.buf ? sb.buf : "", sb.len);
  return KILN_NIL;
}

KILN_NATIVE(n_flush_writer) {
  KILN_ARITY("clojure.core/-flush", argc == 1);
  kiln_flush(argv[0]);
  return KILN_NIL;
}

KILN_NATIVE(n_pr_on) {
  KILN_ARITY("clojure.core/-pr-on", argc == 2 || argc == 3);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_pr_to(&sb, argv[0], argc == 3 ? KILN_TRUTHY(argv[2]) : print_readably_now());
  kiln_write(argv[1], sb.buf ? sb.buf : "", sb.len);
  return KILN_NIL;
}

static const kiln_native_def print_natives[] = {
    {"str", "([] [x] [x & ys])",
     "Concatenates the text of the arguments with no separator: a string or char\n  stands for itself, nil for nothing, a regex for its source, a BigInt for\n  its digits without the N, and most other values (collections included) for\n  what pr prints. (str) is \"\"; a single string argument is returned as it\n  is.",
     n_str, 0},
    {"pr-str", "([& xs])", "The text pr would write for xs (readable forms separated by spaces),\n  returned as a string instead of written to *out*.", n_pr_str, 0},
    {"prn-str", "([& xs])", "The text prn would write for xs, trailing newline included, returned as a\n  string.", n_prn_str, 0},
    {"print-str", "([& xs])", "The text print would write for xs (strings and chars without quotes,\n  separated by spaces), returned as a string.", n_print_str, 0},
    {"println-str", "([& xs])", "The text println would write for xs, trailing newline included, returned\n  as a string.", n_println_str, 0},
    {"pr", "([] [x] [x & more])",
     "Writes the arguments to *out* in their readable form (strings quoted,\n  chars as \\c literals), separated by single spaces, with no newline.\n  Honours *print-readably*, *print-length*, *print-level* and *print-meta*.\n  Returns nil.",
     n_pr, 0},
    {"prn", "([& more])",
     "Does what pr does, then writes a newline and flushes *out*. Returns nil.", n_prn, 0},
    {"print", "([& more])",
     "Writes the arguments to *out* for a human reader: strings and chars appear\n  as their bare text, everything else as pr shows it, separated by single\n  spaces. Returns nil.",
     n_print, 0},
    {"println", "([& more])", "Does what print does, then writes a newline and flushes *out*. Returns nil.", n_println, 0},
    {"printf", "([fmt & args])", "Writes (apply format fmt args) to *out* without adding a newline. Returns\n  nil.", n_printf, 0},
    {"munge", "([s])",
     "Returns s with the characters a JVM class name cannot hold replaced as the\n  Clojure "
     "compiler replaces them (a symbol for a symbol).",
     n_munge, 0},
    {"newline", "([])", "Writes \"\\n\" (a line feed, on every platform) to *out*. Returns nil.", n_newline, 0},
    {"flush", "([])",
     "Pushes out anything buffered in the writer bound to *out*. Returns nil.",
     n_flush, 0},
    {"-string-writer", "([])",
     "Returns a new writer that collects text; (str w) returns the text so far.",
     n_string_writer, 0},
    {"-write", "([writer x])", "Writes (str x) to writer.", n_write, 0},
    {"-flush", "([writer])", "Flushes writer.", n_flush_writer, 0},
    {"-pr-on", "([x writer] [x writer readably])",
     "Writes x to writer as pr (or print, when readably is false) would.", n_pr_on, 0},
};

void kiln_print_init(void) {
  kiln_natives_register("clojure.core", print_natives, KILN_ARRAY_LEN(print_natives));
}
