/*
 * error.c — exceptions. One mechanism: each thread keeps a chain of kiln_try
 * handlers (innermost first); kiln_throw longjmps to the innermost one after
 * restoring the dynamic bindings, call depth and interpreter frames it
 * recorded. A throw with no handler is a bug in the embedding: it prints the
 * exception and aborts.
 *
 * Stack traces cost nothing until something throws. Compiled code keeps no
 * bookkeeping: the first throw of an exception walks the native stack with
 * the platform's unwinder (_Unwind_Backtrace: libgcc on Linux, libunwind on
 * Darwin) and keeps the frames whose function is a generated one, found by
 * its start address in the table every patch and compiled library file
 * registers (kiln_trace_register; lock-free reads, so a throw never waits).
 * The interpreter links a record per call on the C stack; they are merged
 * with the native frames by stack address, so mixed chains come out in call
 * order. The :trace vector is built from the frames only when asked.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>

#include "runtime/rt.h"

_Thread_local kiln_frame_rec *kiln_frame_top;

void kiln_try_push(kiln_try *t) {
  kiln_thread *th = kiln_thread_current();
  t->prev = th->handlers;
  t->exception = KILN_NIL;
  t->binding_frame = th->bindings;
  t->depth = th->depth;
  t->frames = kiln_frame_top;
  th->handlers = t;
}

void kiln_try_pop(kiln_try *t) { kiln_thread_current()->handlers = t->prev; }

/* ---- the table of generated functions ---------------------------------- */

/* Open addressing on the code address; a table that fills up is replaced by
 * a bigger copy (the old one is leaked: readers may still be in it). Writers
 * hold fn_lock; readers take no lock. */
typedef struct fn_table {
  size_t cap; /* a power of two */
  size_t n;
  const kiln_patch_fn *slots[];
} fn_table;

static fn_table *fn_tab;
static pthread_mutex_t fn_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t code_hash(const void *code) {
  uint64_t x = (uint64_t)(uintptr_t)code;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (size_t)x;
}

static void table_put(fn_table *t, const kiln_patch_fn *f) {
  for (size_t i = code_hash(f->code) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
    const kiln_patch_fn *cur = t->slots[i];
    if (!cur || cur->code == f->code) {
      if (!cur) t->n++;
      __atomic_store_n(&t->slots[i], f, __ATOMIC_RELEASE);
      return;
    }
  }
}

void kiln_trace_register(const kiln_patch_fn *fns, uint32_t n) {
  if (!fns || !n) return;
  pthread_mutex_lock(&fn_lock);
  fn_table *t = fn_tab;
  size_t have = t ? t->n : 0;
  if (!t || (have + n) * 2 > t->cap) {
    size_t cap = t ? t->cap : 1024;
    while ((have + n) * 2 > cap) cap *= 2;
    fn_table *g = calloc(1, sizeof *g + cap * sizeof g->slots[0]);
    if (!g) {
      pthread_mutex_unlock(&fn_lock);
      return; /* traces will miss these functions; nothing else depends on them */
    }
    g->cap = cap;
    if (t)
      for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i]) table_put(g, t->slots[i]);
    __atomic_store_n(&fn_tab, g, __ATOMIC_RELEASE);
    t = g;
  }
  for (uint32_t i = 0; i < n; i++)
    if (fns[i].code) table_put(t, &fns[i]);
  pthread_mutex_unlock(&fn_lock);
}

static const kiln_patch_fn *table_find(const void *code) {
  fn_table *t = __atomic_load_n(&fn_tab, __ATOMIC_ACQUIRE);
  if (!t || !code) return NULL;
  for (size_t i = code_hash(code) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
    const kiln_patch_fn *cur = __atomic_load_n(&t->slots[i], __ATOMIC_ACQUIRE);
    if (!cur) return NULL;
    if (cur->code == code) return cur;
  }
}

/* ---- recording the frames of a throw ----------------------------------- */

#define TRACE_MAX 256u       /* frames kept */
#define TRACE_WALK_MAX 4096u /* native frames looked at */

typedef struct capture {
  const kiln_patch_fn *out[TRACE_MAX];
  uint32_t n;
  uint32_t walked;
  kiln_frame_rec *interp; /* the next interpreter frame to place */
  const char *skip;       /* a fn whose innermost frame is left out */
} capture;

/* An arity error is thrown by the callee's entry, which dispatches on argc;
 * as on the JVM, the chain starts at the caller, so that frame is skipped. */
static _Thread_local const char *arity_skip;

static bool same_name(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* Places the interpreter frames that live below stack address [limit]. */
static void put_interp_below(capture *c, uintptr_t limit) {
  while (c->interp && (uintptr_t)c->interp < limit && c->n < TRACE_MAX) {
    kiln_patch_fn *copy = kiln_alloc(sizeof *copy);
    *copy = c->interp->at;
    c->out[c->n++] = copy;
    c->interp = c->interp->up;
    c->skip = NULL;
  }
}

static _Unwind_Reason_Code walk_frame(struct _Unwind_Context *ctx, void *p) {
  capture *c = p;
  if (++c->walked > TRACE_WALK_MAX || c->n >= TRACE_MAX) return _URC_END_OF_STACK;
  put_interp_below(c, (uintptr_t)_Unwind_GetCFA(ctx));
  const kiln_patch_fn *f = table_find((const void *)_Unwind_GetRegionStart(ctx));
  if (!f) return _URC_NO_REASON;
  bool entry = f->flags & KILN_PATCH_FN_ENTRY;
  const char *skip = c->skip;
  c->skip = NULL;
  if (entry && same_name(f->name, skip)) return _URC_NO_REASON;
  /* An entry dispatching to the method just recorded is the same call. */
  if (entry && c->n && !c->out[c->n - 1]->flags && c->out[c->n - 1]->code &&
      same_name(f->name, c->out[c->n - 1]->name))
    return _URC_NO_REASON;
  if (c->n < TRACE_MAX) c->out[c->n++] = f;
  return _URC_NO_REASON;
}

static __attribute__((noinline)) void capture_frames(kiln_exception *e) {
  capture c;
  c.n = 0;
  c.walked = 0;
  c.interp = kiln_frame_top;
  c.skip = arity_skip;
  arity_skip = NULL;
  _Unwind_Backtrace(walk_frame, &c);
  put_interp_below(&c, UINTPTR_MAX);
  e->captured = 1;
  if (!c.n) return;
  const kiln_patch_fn **frames = kiln_alloc(c.n * sizeof *frames);
  memcpy(frames, c.out, c.n * sizeof *frames);
  e->frames = frames;
  e->nframes = c.n;
}

void kiln_throw(kiln_val exception) {
  kiln_thread *th = kiln_thread_current();
  kiln_try *t = th->handlers;
  if (!t) {
    fprintf(stderr, "kiln: uncaught exception: %s\n", kiln_pr_str(exception));
    abort();
  }
  /* The overflow error thrown from the signal handler is shared and must not
   * allocate; every other exception records where it was first thrown. */
  if (KILN_HAS_TYPE(exception, KILN_T_EXCEPTION) && exception != th->overflow_error &&
      !((kiln_exception *)exception)->captured)
    capture_frames((kiln_exception *)exception);
  th->handlers = t->prev;
  th->bindings = t->binding_frame;
  th->depth = t->depth;
  kiln_frame_top = t->frames;
  t->exception = exception;
  longjmp(t->jb, 1);
}

/* ---- traces as values and text ----------------------------------------- */

/* The file as a trace names it: its last component, as the JVM's class
 * files record it; code with no file is NO_SOURCE_FILE there. */
static const char *base_name(const char *file) {
  if (!file || strcmp(file, "NO_SOURCE_PATH") == 0) return "NO_SOURCE_FILE";
  const char *slash = strrchr(file, '/');
  return slash ? slash + 1 : file;
}

const kiln_patch_fn *kiln_ex_top_frame(kiln_val ex) {
  if (!KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return NULL;
  const kiln_exception *e = (const kiln_exception *)ex;
  return e->nframes ? e->frames[0] : NULL;
}

static kiln_val frame_vector(const kiln_patch_fn *f) {
  kiln_val items[4] = {kiln_sym(NULL, f->name ? f->name : "fn"), kiln_sym(NULL, "invoke"),
                       kiln_str_cstr(base_name(f->file)), KILN_FIXNUM(f->line)};
  return kiln_vec_from(4, items);
}

kiln_val kiln_ex_trace(kiln_val ex) {
  if (!KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return kiln_empty_vector;
  kiln_exception *e = (kiln_exception *)ex;
  if (e->trace != KILN_NIL) return e->trace;
  kiln_val v = kiln_empty_vector;
  for (uint32_t i = 0; i < e->nframes; i++) v = kiln_conj(v, frame_vector(e->frames[i]));
  if (e->nframes) e->trace = v;
  return v;
}

void kiln_ex_write_chain(kiln_sb *sb, kiln_val ex, uint32_t max) {
  if (!KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return;
  const kiln_exception *e = (const kiln_exception *)ex;
  uint32_t n = max && max < e->nframes ? max : e->nframes;
  for (uint32_t i = 0; i < n; i++) {
    const kiln_patch_fn *f = e->frames[i];
    kiln_sb_printf(sb, "\tat %s (%s:%d)\n", f->name ? f->name : "fn", base_name(f->file),
                   (int)f->line);
  }
  if (n < e->nframes) kiln_sb_printf(sb, "\t... %u more\n", e->nframes - n);
}
kiln_val kiln_ex_new(const char *cls, kiln_val msg, kiln_val data, kiln_val cause) {
  kiln_exception *e = kiln_obj_new(KILN_T_EXCEPTION, sizeof *e);
  e->cls = cls;
  e->msg = msg;
  e->data = data;
  e->cause = cause;
  e->trace = KILN_NIL;
  return (kiln_val)e;
}

kiln_val kiln_ex_info(kiln_val msg, kiln_val data, kiln_val cause) {
  return kiln_ex_new(KILN_EX_INFO, msg, data == KILN_NIL ? kiln_empty_map : data, cause);
}

void kiln_throwf(const char *cls, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  char *buf = small;
  if (n >= (int)sizeof small) {
    buf = kiln_alloc_atomic((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  kiln_throw(kiln_ex_new(cls, kiln_str_new(buf, strlen(buf)), KILN_NIL, KILN_NIL));
}

void kiln_throw_arity(const char *fn_name, uint32_t argc) {
  kiln_val ex = kiln_ex_new(KILN_EX_ARITY, KILN_NIL, KILN_NIL, KILN_NIL);
  char buf[64];
  snprintf(buf, sizeof buf, "Wrong number of args (%u) passed to: ", argc);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_puts(&sb, buf);
  kiln_sb_puts(&sb, fn_name ? fn_name : "fn");
  ((kiln_exception *)ex)->msg = kiln_str_new(sb.buf, sb.len);
  arity_skip = fn_name;
  kiln_throw(ex);
}

/* The JVM superclasses of each exception class Kiln raises. */
static const struct {
  const char *cls;
  const char *super;
} ex_supers[] = {
    {KILN_EX_INFO, "java.lang.RuntimeException"},
    {KILN_EX_ARITHMETIC, "java.lang.RuntimeException"},
    {KILN_EX_ILLEGAL_ARG, "java.lang.RuntimeException"},
    {KILN_EX_NUMBER_FORMAT, KILN_EX_ILLEGAL_ARG},
    {KILN_EX_ARITY, KILN_EX_ILLEGAL_ARG},
    {KILN_EX_ILLEGAL_STATE, "java.lang.RuntimeException"},
    {KILN_EX_CLASS_CAST, "java.lang.RuntimeException"},
    {KILN_EX_INDEX, "java.lang.RuntimeException"},
    {"java.lang.StringIndexOutOfBoundsException", KILN_EX_INDEX},
    {"java.util.regex.PatternSyntaxException", KILN_EX_ILLEGAL_ARG},
    {"java.util.IllegalFormatConversionException", KILN_EX_ILLEGAL_ARG},
    {"java.util.UnknownFormatConversionException", KILN_EX_ILLEGAL_ARG},
    {"java.util.MissingFormatArgumentException", KILN_EX_ILLEGAL_ARG},
    {KILN_EX_NULL, "java.lang.RuntimeException"},
    {KILN_EX_UNSUPPORTED, "java.lang.RuntimeException"},
    {"clojure.lang.LispReader$ReaderException", "java.lang.RuntimeException"},
    {"clojure.lang.Compiler$CompilerException", "java.lang.RuntimeException"},
    {"java.lang.RuntimeException", "java.lang.Exception"},
    {"java.io.IOException", "java.lang.Exception"},
    {"java.io.FileNotFoundException", "java.io.IOException"},
    {"java.lang.InterruptedException", "java.lang.Exception"},
    {"java.lang.Exception", "java.lang.Throwable"},
    {KILN_EX_OOM, KILN_EX_ERROR},
    {KILN_EX_STACK, KILN_EX_ERROR},
    {"java.lang.AssertionError", KILN_EX_ERROR},
    {KILN_EX_ERROR, "java.lang.Throwable"},
    {"java.lang.Throwable", "java.lang.Object"},
};

static const char *ex_super(const char *cls) {
  for (size_t i = 0; i < KILN_ARRAY_LEN(ex_supers); i++)
    if (strcmp(ex_supers[i].cls, cls) == 0) return ex_supers[i].super;
  return "java.lang.Exception";
}

/* Strips "java.lang." / "clojure.lang." so `Exception` and `ExceptionInfo` match. */
static const char *short_name(const char *cls) {
  const char *dot = strrchr(cls, '.');
  return dot ? dot + 1 : cls;
}

bool kiln_ex_is(kiln_val ex, const char *cls) {
  if (strcmp(cls, ":default") == 0 || strcmp(cls, "Object") == 0 ||
      strcmp(cls, "java.lang.Object") == 0)
    return true;
  if (!KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return false;
  bool qualified = strchr(cls, '.') != NULL;
  for (const char *c = ((const kiln_exception *)ex)->cls; strcmp(c, "java.lang.Object") != 0;
       c = ex_super(c)) {
    if (qualified ? strcmp(c, cls) == 0 : strcmp(short_name(c), cls) == 0) return true;
  }
  return false;
}

const char *kiln_ex_message(kiln_val ex) {
  if (!KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return kiln_print_str(ex);
  kiln_val m = ((const kiln_exception *)ex)->msg;
  return m == KILN_NIL ? "" : kiln_print_str(m);
}

bool kiln_pcall(kiln_val (*body)(void *ctx), void *ctx, kiln_val *result, kiln_val *exception) {
  kiln_try t;
  volatile bool ok = false;
  KILN_TRY(t) {
    kiln_val r = body(ctx);
    if (result) *result = r;
    ok = true;
  }
  KILN_CATCH(t) {
    if (exception) *exception = t.exception;
  }
  KILN_END(t);
  return ok;
}

/* ==== natives ========================================================== */

static kiln_exception *as_exception(kiln_val x) {
  return KILN_HAS_TYPE(x, KILN_T_EXCEPTION) ? (kiln_exception *)x : NULL;
}

KILN_NATIVE(n_ex_info) {
  KILN_ARITY("clojure.core/ex-info", argc == 2 || argc == 3);
  if (argv[0] != KILN_NIL && !KILN_HAS_TYPE(argv[0], KILN_T_STRING))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.lang.String",
                kiln_class_name(argv[0]));
  if (argv[1] == KILN_NIL)
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Additional data must be non-nil.");
  if (!kiln_is_map(argv[1]))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.IPersistentMap",
                kiln_class_name(argv[1]));
  kiln_val cause = argc == 3 ? argv[2] : KILN_NIL;
  if (cause != KILN_NIL && !as_exception(cause))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.lang.Throwable",
                kiln_class_name(cause));
  kiln_val ex = kiln_ex_info(argv[0], argv[1], cause);
  /* As a JVM Throwable, it records the chain of calls where it is made. */
  capture_frames((kiln_exception *)ex);
  return ex;
}

KILN_NATIVE(n_ex_data) {
  KILN_ARITY("clojure.core/ex-data", argc == 1);
  kiln_exception *e = as_exception(argv[0]);
  return e && kiln_ex_is(argv[0], KILN_EX_INFO) ? e->data : KILN_NIL;
}

KILN_NATIVE(n_ex_message) {
  KILN_ARITY("clojure.core/ex-message", argc == 1);
  kiln_exception *e = as_exception(argv[0]);
  return e ? e->msg : KILN_NIL;
}

KILN_NATIVE(n_ex_cause) {
  KILN_ARITY("clojure.core/ex-cause", argc == 1);
  kiln_exception *e = as_exception(argv[0]);
  return e ? e->cause : KILN_NIL;
}

/* (ex-new* class-name message data cause): an exception of any class, for
 * the library's own throwables (AssertionError, ...). */
KILN_NATIVE(n_ex_new) {
  KILN_ARITY("clojure.core/ex-new*", argc >= 1 && argc <= 4);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_STRING))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "ex-new* needs a class name string, not %s",
                kiln_pr_str(argv[0]));
  kiln_val ex = kiln_ex_new(kiln_str_data(argv[0]), argc > 1 ? argv[1] : KILN_NIL,
                            argc > 2 ? argv[2] : KILN_NIL, argc > 3 ? argv[3] : KILN_NIL);
  capture_frames((kiln_exception *)ex);
  return ex;
}

/* One exception as Throwable->map's :via entry: {:type :message :data}. */
static kiln_val via_entry(kiln_exception *e) {
  kiln_val m = kiln_empty_map;
  m = kiln_assoc(m, kiln_kw(NULL, "type"), kiln_sym(NULL, e->cls));
  if (e->msg != KILN_NIL) m = kiln_assoc(m, kiln_kw(NULL, "message"), e->msg);
  if (e->data != KILN_NIL && kiln_ex_is((kiln_val)e, KILN_EX_INFO))
    m = kiln_assoc(m, kiln_kw(NULL, "data"), e->data);
  if (e->nframes) m = kiln_assoc(m, kiln_kw(NULL, "at"), frame_vector(e->frames[0]));
  return m;
}

KILN_NATIVE(n_throwable_to_map) {
  KILN_ARITY("clojure.core/Throwable->map", argc == 1);
  kiln_exception *e = as_exception(argv[0]);
  if (!e)
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.lang.Throwable",
                kiln_class_name(argv[0]));
  kiln_val via = kiln_empty_vector;
  kiln_exception *root = e;
  for (kiln_exception *t = e; t; t = as_exception(t->cause)) {
    via = kiln_conj(via, via_entry(t));
    root = t;
  }
  kiln_val m = kiln_empty_map;
  m = kiln_assoc(m, kiln_kw(NULL, "via"), via);
  m = kiln_assoc(m, kiln_kw(NULL, "trace"), kiln_ex_trace((kiln_val)root));
  if (root->msg != KILN_NIL) m = kiln_assoc(m, kiln_kw(NULL, "cause"), root->msg);
  if (root->data != KILN_NIL && kiln_ex_is((kiln_val)root, KILN_EX_INFO))
    m = kiln_assoc(m, kiln_kw(NULL, "data"), root->data);
  kiln_val phase = e->data != KILN_NIL && kiln_ex_is(argv[0], KILN_EX_INFO)
                       ? kiln_get(e->data, kiln_kw("clojure.error", "phase"), KILN_NIL)
                       : KILN_NIL;
  if (phase != KILN_NIL) m = kiln_assoc(m, kiln_kw(NULL, "phase"), phase);
  return m;
}

/* (-ex-trace e): e's own chain of calls as Throwable->map's :trace shows it
 * (clojure.repl/pst prints each exception of a chain with its own). */
KILN_NATIVE(n_ex_trace) {
  KILN_ARITY("clojure.core/-ex-trace", argc == 1);
  return kiln_ex_trace(argv[0]);
}

static const kiln_native_def error_natives[] = {
    {"-ex-trace", "([e])",
     "The chain of calls where exception e was first thrown, innermost first, as a vector of "
     "[ns/fn invoke \"file\" line]; [] when none was recorded.",
     n_ex_trace, 0},
    {"Throwable->map", "([o])", "The exception o turned into plain data, a map of:\n  :via    a vector with a map per exception of the cause chain, outermost\n          first: :type (its class name, a symbol), then :message, :data and\n          :at (its innermost recorded frame) when it has them\n  :trace  the frames recorded for the root cause, as [name invoke file line]\n          vectors ([] when none were recorded)\n  :cause  the root cause's message, and :data its ex-data, when present\n  :phase  the value under :clojure.error/phase in o's ex-data, when present",
     n_throwable_to_map, 0},
    {"ex-info", "([msg map] [msg map cause])",
     "A new exception of class clojure.lang.ExceptionInfo carrying the message\n  msg and the data map map (which must not be nil), with cause as its cause\n  when given. Catch it as ExceptionInfo, RuntimeException or Exception, and\n  read the map back with ex-data.",
     n_ex_info, 0},
    {"ex-data", "([ex])",
     "The data map of ex when ex is an ExceptionInfo (made by ex-info); nil for\n  anything else.",
     n_ex_data, 0},
    {"ex-message", "([ex])", "The message string of the exception ex (nil when it has none); nil when ex\n  is not an exception.",
     n_ex_message, 0},
    {"ex-cause", "([ex])",
     "The exception that ex wraps as its cause, or nil when it has none or ex is\n  not an exception.", n_ex_cause, 0},
    {"ex-new*", "([class-name] [class-name msg] [class-name msg data] [class-name msg data cause])",
     "Creates an exception of the named JVM class (a string), e.g.\n  \"java.lang.AssertionError\".",
     n_ex_new, 0},
};

void kiln_error_init(void) {
  kiln_natives_register("clojure.core", error_natives, KILN_ARRAY_LEN(error_natives));
}
