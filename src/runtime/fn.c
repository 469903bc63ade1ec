/*
 * fn.c — calling anything callable, and natives.
 *
 * Everything callable shares one calling convention, kiln_fn_code. Fns and
 * multimethods (which are kiln_fn-shaped: their code dispatches) are called
 * through their code pointer; keywords, symbols, maps, sets, vectors and vars
 * are callable as in Clojure; other types (records and types implementing
 * IFn) through an invoker registered for their type.
 *
 * kiln_call checks the stack before every call it makes, so runaway recursion
 * through it becomes a StackOverflowError instead of a crash. Compiled code
 * that calls fn code directly is guarded where it also reaches the runtime
 * (api->safepoint checks the stack too).
 *
 * Natives are registered from tables into vars whose metadata carries :doc
 * and :arglists. Arglists are read with the reader; natives registered before
 * the reader is ready get theirs in kiln_natives_finish.
 */
#include <string.h>

#include "runtime/rt.h"

static kiln_invoker invokers[KILN_T_COUNT];
static kiln_val (*field_hook)(kiln_val obj, kiln_val kw);

void kiln_fn_set_invoker(kiln_type type, kiln_invoker invoker) {
  if ((unsigned)type < KILN_T_COUNT) invokers[type] = invoker;
}

void kiln_fn_set_field_hook(kiln_val (*hook)(kiln_val obj, kiln_val kw)) { field_hook = hook; }

kiln_fn *kiln_fn_new(kiln_fn_code code, const char *name, uint32_t nclosed) {
  kiln_fn *f = kiln_obj_new(KILN_T_FN, sizeof *f + (size_t)nclosed * sizeof(kiln_val));
  f->code = code;
  f->name = name;
  f->meta = KILN_NIL;
  f->nclosed = nclosed;
  return f;
}

bool kiln_is_fn(kiln_val v) {
  return KILN_HAS_TYPE(v, KILN_T_FN) && !(((kiln_fn *)v)->h.flags & KILN_FN_UNBOUND);
}

bool kiln_is_ifn(kiln_val v) {
  switch (kiln_type_of(v)) {
  case KILN_T_FN:
  case KILN_T_MULTIFN:
  case KILN_T_KEYWORD:
  case KILN_T_SYMBOL:
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
  case KILN_T_TRANSIENT_VECTOR:
  case KILN_T_TRANSIENT_MAP:
  case KILN_T_TRANSIENT_SET:
  case KILN_T_VAR: return true;
  case KILN_T_NONE: return false;
  default: return invokers[kiln_type_of(v)] != NULL;
  }
}

static KILN_NORETURN void arity(kiln_val f, uint32_t argc) {
  const char *who = KILN_HAS_TYPE(f, KILN_T_KEYWORD) ? kiln_pr_str(f) : kiln_class_name(f);
  kiln_throw_arity(who, argc);
}

static KILN_NORETURN void not_callable(kiln_val f) {
  if (f == KILN_NIL) kiln_throw(kiln_ex_new(KILN_EX_NULL, KILN_NIL, KILN_NIL, KILN_NIL));
  kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.IFn",
              kiln_class_name(f));
}

/* (v i) for vectors: i must be an integer and in range. */
static kiln_val call_vector(kiln_val v, uint32_t argc, const kiln_val *argv) {
  if (argc != 1) arity(v, argc);
  if (!kiln_is_long(argv[0])) kiln_throwf(KILN_EX_ILLEGAL_ARG, "Key must be integer");
  return kiln_nth(v, kiln_long_value(argv[0]), KILN_NIL, false);
}

kiln_val kiln_call(kiln_val f, uint32_t argc, const kiln_val *argv) {
  kiln_stack_check();
  kiln_type t = kiln_type_of(f);
  switch (t) {
  case KILN_T_FN:
  case KILN_T_MULTIFN: return ((kiln_fn *)f)->code((kiln_fn *)f, argc, argv);
  case KILN_T_VAR: return kiln_call(kiln_var_get((kiln_var *)f), argc, argv);
  case KILN_T_KEYWORD:
  case KILN_T_SYMBOL:
    if (argc == 1) return kiln_get(argv[0], f, KILN_NIL);
    if (argc == 2) return kiln_get(argv[0], f, argv[1]);
    arity(f, argc);
  case KILN_T_ARRAY_MAP:
  case KILN_T_HASH_MAP:
  case KILN_T_SORTED_MAP:
  case KILN_T_TRANSIENT_MAP:
    if (argc == 1) return kiln_get(f, argv[0], KILN_NIL);
    if (argc == 2) return kiln_get(f, argv[0], argv[1]);
    arity(f, argc);
  case KILN_T_HASH_SET:
  case KILN_T_SORTED_SET:
  case KILN_T_TRANSIENT_SET:
    if (argc == 1) return kiln_get(f, argv[0], KILN_NIL);
    arity(f, argc);
  case KILN_T_VECTOR:
  case KILN_T_MAP_ENTRY:
  case KILN_T_TRANSIENT_VECTOR: return call_vector(f, argc, argv);
  default:
    if (t != KILN_T_NONE && invokers[t]) return invokers[t](f, argc, argv);
    not_callable(f);
  }
}

kiln_val kiln_call0(kiln_val f) { return kiln_call(f, 0, NULL); }

kiln_val kiln_call1(kiln_val f, kiln_val a) { return kiln_call(f, 1, &a); }

kiln_val kiln_call2(kiln_val f, kiln_val a, kiln_val b) {
  kiln_val argv[2] = {a, b};
  return kiln_call(f, 2, argv);
}

kiln_val kiln_call3(kiln_val f, kiln_val a, kiln_val b, kiln_val c) {
  kiln_val argv[3] = {a, b, c};
  return kiln_call(f, 3, argv);
}

/* Calls variadic [f] with the first KILN_MAX_POSITIONAL + 1 arguments in
 * [args] and the unrealized rest [more], which kiln_rest_args picks up. */
static kiln_val call_handing_over(kiln_val f, uint32_t n, kiln_val *args, kiln_val more) {
  kiln_thread *th = kiln_thread_current();
  th->spread_argv = args;
  th->spread_tail = more;
  kiln_val r = kiln_call(f, n, args);
  th->spread_argv = NULL;
  th->spread_tail = KILN_NIL;
  return r;
}

/* Collects [nfixed] values then the items of seqable [tail] into one array
 * and calls [f] with them. */
static kiln_val call_spread(kiln_val f, uint32_t nfixed, const kiln_val *fixed, kiln_val tail) {
  if (KILN_HAS_TYPE(f, KILN_T_VAR)) f = kiln_var_get((kiln_var *)f);
  bool hand_over = KILN_HAS_TYPE(f, KILN_T_FN) && (((kiln_fn *)f)->h.flags & KILN_FN_VARIADIC);
  kiln_val small[KILN_MAX_POSITIONAL + 2];
  uint32_t n = nfixed, cap = KILN_ARRAY_LEN(small);
  kiln_val *args = small;
  if (hand_over || nfixed + 8 > cap) {
    /* A handed-over argv must be unique while the call runs: heap memory. */
    cap = nfixed + 8 > cap ? nfixed + 8 : cap;
    args = kiln_alloc(cap * sizeof(kiln_val));
  }
  if (nfixed) memcpy(args, fixed, nfixed * sizeof(kiln_val));
  for (kiln_val s = kiln_seq(tail); s != KILN_NIL; s = kiln_next(s)) {
    if (hand_over && n == KILN_MAX_POSITIONAL + 1) return call_handing_over(f, n, args, s);
    if (n == cap) {
      uint32_t ncap = cap * 2;
      kiln_val *grown = kiln_alloc(ncap * sizeof(kiln_val));
      memcpy(grown, args, n * sizeof(kiln_val));
      args = grown;
      cap = ncap;
    }
    args[n++] = kiln_first(s);
  }
  return kiln_call(f, n, args);
}

kiln_val kiln_apply(kiln_val f, kiln_val args) { return call_spread(f, 0, NULL, args); }

kiln_val kiln_rest_args(uint32_t argc, const kiln_val *argv, uint32_t from) {
  kiln_thread *th = kiln_thread_current();
  if (__builtin_expect(th->spread_argv != NULL, 0) && th->spread_argv == argv) {
    /* apply handed over an unrealized tail: (argv[from] ... . tail) */
    kiln_val rest = th->spread_tail;
    th->spread_argv = NULL;
    th->spread_tail = KILN_NIL;
    for (uint32_t i = argc; i > from; i--) rest = kiln_cons(argv[i - 1], rest);
    return rest;
  }
  if (argc <= from) return KILN_NIL;
  return kiln_list_from(argc - from, argv + from);
}

kiln_val kiln_field(kiln_val obj, kiln_val kw) {
  if (kiln_is_map(obj) && !KILN_HAS_TYPE(obj, KILN_T_RECORD)) return kiln_get(obj, kw, KILN_NIL);
  if (field_hook) return field_hook(obj, kw);
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "No matching field found: %s for class %s", kiln_kw_name(kw),
              kiln_class_name(obj));
}

/* ==== natives ========================================================== */

KILN_NATIVE(n_apply) {
  KILN_ARITY("clojure.core/apply", argc >= 2);
  return call_spread(argv[0], argc - 2, argv + 1, argv[argc - 1]);
}

KILN_NATIVE(n_fn_p) {
  KILN_ARITY("clojure.core/fn?", argc == 1);
  return KILN_BOOL(kiln_is_fn(argv[0]));
}

KILN_NATIVE(n_ifn_p) {
  KILN_ARITY("clojure.core/ifn?", argc == 1);
  return KILN_BOOL(kiln_is_ifn(argv[0]));
}

KILN_NATIVE(n_identity) {
  KILN_ARITY("clojure.core/identity", argc == 1);
  return argv[0];
}

static const kiln_native_def fn_natives[] = {
    {"apply", "([f args] [f x args] [f x y args] [f x y z args] [f a b c d & args])",
     "Calls f with the arguments given between f and args, followed by the items\n  of the seqable args: (apply f 1 2 [3 4]) is (f 1 2 3 4).",
     n_apply, 0},
    {"fn?", "([x])", "True when x is a function made by fn, defn or a native, and not merely\n  something callable (maps, sets, keywords, symbols and vars are callable\n  but are not functions).", n_fn_p,
     0},
    {"ifn?", "([x])",
     "True when x can be called like a function: functions, and also keywords,\n  symbols, maps, sets, vectors and vars.",
     n_ifn_p, 0},
    {"identity", "([x])", "Returns x unchanged.", n_identity, 0},
};

void kiln_fn_init(void) {
  kiln_natives_register("clojure.core", fn_natives, KILN_ARRAY_LEN(fn_natives));
}

/* ==== registering natives ============================================== */

typedef struct pending_arglists {
  kiln_var *var;
  const char *arglists;
} pending_arglists;

static pending_arglists *pending; /* root memory: scanned, never collected */
static size_t npending, cap_pending;
static bool natives_ready;

static kiln_val read_one(void *text) {
  const char *s = text;
  return kiln_read_string(s, strlen(s));
}

/*
 * Reads the common shape of arglists, lists and vectors of plain symbols
 * ("([coll] [f coll & more])"), without the reader: start-up reads some
 * hundreds of them. Returns false for anything else (maps, metadata,
 * qualified or odd names), which the reader then reads.
 */
static bool arglists_form(const char **p, kiln_val *out, int depth) {
  const char *s = *p;
  while (*s == ' ' || *s == ',') s++;
  char open = *s, close = open == '(' ? ')' : open == '[' ? ']' : 0;
  if (close) {
    if (depth > 8) return false;
    kiln_val items[32];
    uint32_t n = 0;
    s++;
    for (;;) {
      while (*s == ' ' || *s == ',') s++;
      if (*s == close) break;
      if (n == KILN_ARRAY_LEN(items) || !arglists_form(&s, &items[n++], depth + 1)) return false;
    }
    *p = s + 1;
    *out = open == '(' ? kiln_list_from(n, items) : kiln_vec_from(n, items);
    return true;
  }
  const char *start = s;
  while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
         (*s && strchr("-_!?*+<>=&'", *s)))
    s++;
  size_t len = (size_t)(s - start);
  if (len == 0 || len >= 64 || (*start >= '0' && *start <= '9') ||
      (len > 1 && (*start == '+' || *start == '-') && start[1] >= '0' && start[1] <= '9') ||
      *start == '\'')
    return false;
  char name[64];
  memcpy(name, start, len);
  name[len] = 0;
  *out = kiln_sym(NULL, name);
  *p = s;
  return true;
}

static bool arglists_fast(const char *text, kiln_val *out) {
  const char *p = text;
  if (!arglists_form(&p, out, 0)) return false;
  while (*p == ' ') p++;
  return *p == 0 && KILN_HAS_TYPE(*out, KILN_T_LIST);
}

/* Adds :arglists to [v]'s metadata; a string the reader refuses is skipped. */
static void set_arglists(kiln_var *v, const char *arglists) {
  kiln_val form, ex;
  if (!arglists_fast(arglists, &form) && !kiln_pcall(read_one, (void *)arglists, &form, &ex))
    return;
  kiln_val meta = __atomic_load_n(&v->meta, __ATOMIC_ACQUIRE);
  kiln_var_set_meta(v, kiln_assoc(meta == KILN_NIL ? kiln_empty_map : meta,
                                   kiln_kw(NULL, "arglists"), form));
}

static void defer_arglists(kiln_var *v, const char *arglists) {
  if (npending == cap_pending) {
    size_t ncap = cap_pending ? cap_pending * 2 : 256;
    pending_arglists *grown = kiln_alloc_root(ncap * sizeof *grown);
    if (npending) memcpy(grown, pending, npending * sizeof *grown);
    pending = grown; /* the old block stays: uncollectable, a few KB once */
    cap_pending = ncap;
  }
  pending[npending].var = v;
  pending[npending].arglists = arglists;
  npending++;
}

void kiln_natives_register(const char *ns, const kiln_native_def *defs, size_t n) {
  kiln_val kw_doc = kiln_kw(NULL, "doc"), kw_dynamic = kiln_kw(NULL, "dynamic"),
           kw_macro = kiln_kw(NULL, "macro");
  size_t nslen = strlen(ns);
  for (size_t i = 0; i < n; i++) {
    const kiln_native_def *d = &defs[i];
    kiln_var *v = kiln_var_intern(ns, d->name);
    size_t namelen = strlen(d->name);
    char *qualified = kiln_alloc_atomic(nslen + namelen + 2);
    memcpy(qualified, ns, nslen);
    qualified[nslen] = '/';
    memcpy(qualified + nslen + 1, d->name, namelen + 1);
    kiln_fn *f = kiln_fn_new(d->code, qualified, 0);
    kiln_val meta = kiln_empty_map;
    if (d->doc) meta = kiln_assoc(meta, kw_doc, kiln_str_cstr(d->doc));
    if (d->flags & KILN_VAR_DYNAMIC) meta = kiln_assoc(meta, kw_dynamic, KILN_TRUE);
    if (d->flags & KILN_VAR_MACRO) meta = kiln_assoc(meta, kw_macro, KILN_TRUE);
    kiln_var_def(v, (kiln_val)f, true, meta);
    if (d->arglists) {
      if (natives_ready) set_arglists(v, d->arglists);
      else defer_arglists(v, d->arglists);
    }
  }
}

void kiln_natives_finish(void) {
  natives_ready = true;
  for (size_t i = 0; i < npending; i++) set_arglists(pending[i].var, pending[i].arglists);
  npending = 0;
}
