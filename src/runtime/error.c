/*
 * error.c — exceptions. One mechanism: each thread keeps a chain of kiln_try
 * handlers (innermost first); kiln_throw longjmps to the innermost one after
 * restoring the dynamic bindings and call depth it recorded. A throw with no
 * handler is a bug in the embedding: it prints the exception and aborts.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt.h"

void kiln_try_push(kiln_try *t) {
  kiln_thread *th = kiln_thread_current();
  t->prev = th->handlers;
  t->exception = KILN_NIL;
  t->binding_frame = th->bindings;
  t->depth = th->depth;
  th->handlers = t;
}

void kiln_try_pop(kiln_try *t) { kiln_thread_current()->handlers = t->prev; }

void kiln_throw(kiln_val exception) {
  kiln_thread *th = kiln_thread_current();
  kiln_try *t = th->handlers;
  if (!t) {
    fprintf(stderr, "kiln: uncaught exception: %s\n", kiln_pr_str(exception));
    abort();
  }
  th->handlers = t->prev;
  th->bindings = t->binding_frame;
  th->depth = t->depth;
  t->exception = exception;
  longjmp(t->jb, 1);
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
  kiln_throwf(KILN_EX_ARITY, "Wrong number of args (%u) passed to: %s", argc,
              fn_name ? fn_name : "fn");
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
  return kiln_ex_info(argv[0], argv[1], cause);
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
  return kiln_ex_new(kiln_str_data(argv[0]), argc > 1 ? argv[1] : KILN_NIL,
                     argc > 2 ? argv[2] : KILN_NIL, argc > 3 ? argv[3] : KILN_NIL);
}

/* One exception as Throwable->map's :via entry: {:type :message :data}. */
static kiln_val via_entry(kiln_exception *e) {
  kiln_val m = kiln_empty_map;
  m = kiln_assoc(m, kiln_kw(NULL, "type"), kiln_sym(NULL, e->cls));
  if (e->msg != KILN_NIL) m = kiln_assoc(m, kiln_kw(NULL, "message"), e->msg);
  if (e->data != KILN_NIL && kiln_ex_is((kiln_val)e, KILN_EX_INFO))
    m = kiln_assoc(m, kiln_kw(NULL, "data"), e->data);
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
  m = kiln_assoc(m, kiln_kw(NULL, "trace"),
                 root->trace != KILN_NIL ? root->trace : kiln_empty_vector);
  if (root->msg != KILN_NIL) m = kiln_assoc(m, kiln_kw(NULL, "cause"), root->msg);
  if (root->data != KILN_NIL && kiln_ex_is((kiln_val)root, KILN_EX_INFO))
    m = kiln_assoc(m, kiln_kw(NULL, "data"), root->data);
  kiln_val phase = e->data != KILN_NIL && kiln_ex_is(argv[0], KILN_EX_INFO)
                       ? kiln_get(e->data, kiln_kw("clojure.error", "phase"), KILN_NIL)
                       : KILN_NIL;
  if (phase != KILN_NIL) m = kiln_assoc(m, kiln_kw(NULL, "phase"), phase);
  return m;
}

static const kiln_native_def error_natives[] = {
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
