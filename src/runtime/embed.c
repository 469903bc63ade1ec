/*
 * embed.c — the embedding API of kiln/kiln.h: the runtime handle, eval,
 * vars, natives and values. (Patches and the device client are implemented
 * in src/patch and src/device.)
 *
 * Every entry point that runs language code runs it under a handler, so an
 * exception never escapes to the host: it becomes a kiln_error whose message
 * names the exception's class and message ("java.lang.ArithmeticException:
 * Divide by zero"), and whose exception field holds the value itself.
 */
#include <stdarg.h>
#include <string.h>

#include "compiler/compiler.h"
#include "kiln/kiln.h"
#include "runtime/rt.h"

struct kiln_runtime {
  int unused;
};

static kiln_runtime the_runtime;

kiln_runtime *kiln_runtime_new(void) {
  kiln_rt_init();
  return &the_runtime;
}

void kiln_runtime_close(kiln_runtime *rt) { KILN_UNUSED(rt); }

void kiln_thread_attach(void) { kiln_thread_current(); }

void kiln_thread_detach(void) { kiln_thread_release(); }

const char *kiln_version(void) { return KILN_VERSION; }

/* ==== errors =========================================================== */

static int fail(kiln_error *err, const char *fmt, ...) KILN_PRINTF(2, 3);

static int fail(kiln_error *err, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->exception = KILN_NIL;
  }
  return -1;
}

static kiln_val describe_body(void *ctx) {
  kiln_val ex = (kiln_val)ctx;
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_puts(&sb, kiln_class_name(ex));
  if (KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) {
    const kiln_exception *e = (const kiln_exception *)ex;
    if (e->msg != KILN_NIL) {
      kiln_sb_puts(&sb, ": ");
      kiln_sb_puts(&sb, kiln_print_str(e->msg));
    }
    if (e->data != KILN_NIL && kiln_ex_is(ex, KILN_EX_INFO)) {
      kiln_sb_putc(&sb, ' ');
      kiln_sb_puts(&sb, kiln_pr_str(e->data));
    }
  } else {
    kiln_sb_puts(&sb, ": ");
    kiln_sb_puts(&sb, kiln_pr_str(ex));
  }
  return (kiln_val)kiln_sb_cstr(&sb);
}

/* Fills [err] from exception [ex]: "class: message" (and ex-data, as the
 * JVM's ExceptionInfo.toString shows it). */
static int fail_exception(kiln_error *err, kiln_val ex) {
  if (!err) return -1;
  kiln_val text, ex2;
  if (kiln_pcall(describe_body, (void *)ex, &text, &ex2))
    snprintf(err->message, sizeof err->message, "%s", (const char *)text);
  else
    snprintf(err->message, sizeof err->message, "%s", kiln_class_name(ex));
  err->exception = ex;
  return -1;
}

/* ==== eval ============================================================= */

typedef struct eval_ctx {
  const char *code;
  const char *ns;
} eval_ctx;

static kiln_val eval_body(void *p) {
  eval_ctx *c = p;
  kiln_val name = kiln_sym(NULL, c->ns ? c->ns : "user");
  bool existed = kiln_ns_find(name) != KILN_NIL;
  kiln_val ns = kiln_ns_find_or_create(name);
  if (!existed) kiln_ns_refer_all(ns, kiln_ns_core);
  kiln_var_push_bindings_n(1, &kiln_v_ns, &ns);
  kiln_val v = kiln_load_string(c->code, strlen(c->code), NULL);
  kiln_var_pop_bindings();
  return v;
}

int kiln_eval(kiln_runtime *rt, const char *code, const char *ns, kiln_val *result,
              kiln_error *err) {
  KILN_UNUSED(rt);
  if (!code) return fail(err, "kiln_eval: no code given (code is NULL)");
  kiln_rt_init();
  eval_ctx c = {code, ns};
  kiln_val v, ex;
  if (!kiln_pcall(eval_body, &c, &v, &ex)) return fail_exception(err, ex);
  if (result) *result = v;
  return 0;
}

static kiln_val to_string_body(void *x) { return (kiln_val)kiln_pr_str((kiln_val)x); }

const char *kiln_to_string(kiln_val v) {
  kiln_val s, ex;
  if (kiln_pcall(to_string_body, (void *)v, &s, &ex)) return (const char *)s;
  return "#<unprintable>";
}

/* ==== vars ============================================================= */

kiln_var *kiln_find_var(kiln_runtime *rt, const char *ns, const char *name) {
  KILN_UNUSED(rt);
  if (!ns || !name) return NULL;
  kiln_rt_init();
  return kiln_var_find(ns, name);
}

kiln_val kiln_deref(kiln_var *var) { return var ? kiln_var_get(var) : KILN_NIL; }

typedef struct call_ctx {
  kiln_val f;
  uint32_t argc;
  const kiln_val *argv;
} call_ctx;

/* The host's argv may be read-only and stays the host's: the callee, which
 * owns the array it is given (and clears what it takes), gets a copy. */
static kiln_val call_body(void *p) {
  call_ctx *c = p;
  kiln_val small[8];
  kiln_val *argv = c->argc <= KILN_ARRAY_LEN(small) ? small : kiln_alloc(c->argc * sizeof *argv);
  if (c->argc) memcpy(argv, c->argv, c->argc * sizeof *argv);
  return kiln_call(c->f, c->argc, argv);
}

int kiln_invoke(kiln_runtime *rt, kiln_val f, uint32_t argc, const kiln_val *argv,
                kiln_val *result, kiln_error *err) {
  KILN_UNUSED(rt);
  if (argc && !argv) return fail(err, "kiln_invoke: %u arguments but argv is NULL", argc);
  kiln_rt_init();
  call_ctx c = {f, argc, argv};
  kiln_val v, ex;
  if (!kiln_pcall(call_body, &c, &v, &ex)) return fail_exception(err, ex);
  if (result) *result = v;
  return 0;
}

int kiln_call_var(kiln_runtime *rt, const char *ns, const char *name, uint32_t argc,
                  const kiln_val *argv, kiln_val *result, kiln_error *err) {
  if (!ns || !name) return fail(err, "kiln_call_var: the namespace and name must not be NULL");
  kiln_var *v = kiln_find_var(rt, ns, name);
  if (!v) return fail(err, "No such var: %s/%s (is its namespace loaded?)", ns, name);
  return kiln_invoke(rt, (kiln_val)v, argc, argv, result, err);
}

/* ==== natives ========================================================== */

typedef struct native_ctx {
  const char *ns, *name, *arglists, *doc;
  kiln_fn_code code;
} native_ctx;

static kiln_val read_arglists(void *text) {
  return kiln_read_string(text, strlen(text));
}

static kiln_val def_native_body(void *p) {
  native_ctx *c = p;
  kiln_var *v = kiln_var_intern(c->ns, c->name);
  size_t nslen = strlen(c->ns), namelen = strlen(c->name);
  char *qualified = kiln_alloc_atomic(nslen + namelen + 2);
  memcpy(qualified, c->ns, nslen);
  qualified[nslen] = '/';
  memcpy(qualified + nslen + 1, c->name, namelen + 1);
  kiln_val meta = kiln_empty_map;
  if (c->doc) meta = kiln_assoc(meta, kiln_kw(NULL, "doc"), kiln_str_cstr(c->doc));
  kiln_val arglists, ex;
  /* Arglists the reader refuses are left out rather than failing the def. */
  if (c->arglists && kiln_pcall(read_arglists, (void *)c->arglists, &arglists, &ex))
    meta = kiln_assoc(meta, kiln_kw(NULL, "arglists"), arglists);
  kiln_var_def(v, (kiln_val)kiln_fn_new(c->code, qualified, 0), true, meta);
  return (kiln_val)v;
}

int kiln_def_native(kiln_runtime *rt, const char *ns, const char *name, kiln_fn_code code,
                    const char *arglists, const char *doc) {
  KILN_UNUSED(rt);
  kiln_error err;
  if (!ns || !name || !code) return -1;
  kiln_rt_init();
  native_ctx c = {ns, name, arglists, doc, code};
  kiln_val v, ex;
  if (!kiln_pcall(def_native_body, &c, &v, &ex)) {
    fail_exception(&err, ex);
    fprintf(stderr, "kiln: kiln_def_native %s/%s failed: %s\n", ns, name, err.message);
    return -1;
  }
  return 0;
}

/* ==== values =========================================================== */

kiln_val kiln_box_long(int64_t i) { return kiln_long(i); }

int64_t kiln_unbox_long(kiln_val v) { return kiln_is_long(v) ? kiln_long_value(v) : 0; }

kiln_val kiln_box_double(double d) { return kiln_double(d); }

double kiln_unbox_double(kiln_val v) { return kiln_is_number(v) ? kiln_double_value(v) : 0.0; }

kiln_val kiln_new_string(const char *utf8) { return utf8 ? kiln_str_cstr(utf8) : KILN_NIL; }

const char *kiln_string_value(kiln_val v) {
  return KILN_HAS_TYPE(v, KILN_T_STRING) ? kiln_str_data(v) : NULL;
}

kiln_val kiln_new_keyword(const char *ns, const char *name) { return name ? kiln_kw(ns, name) : KILN_NIL; }
