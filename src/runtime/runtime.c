/*
 * runtime.c — start-up and the API table handed to compiled code.
 *
 * kiln_rt_init runs once per process (pthread_once): the GC, then every
 * subsystem's kiln_<name>_init in KILN_SUBSYSTEMS order, then the natives'
 * arglists (which need the reader), then user refers clojure.core. A failure
 * during start-up is a bug in the runtime: it is printed and the process
 * aborts.
 *
 * kiln_rt_api fills the kiln_api table of patch_abi.h from the runtime's own
 * functions; small adapters sit here where a signature differs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt.h"

static pthread_once_t rt_once = PTHREAD_ONCE_INIT;

static kiln_val init_all(void *ctx) {
#define KILN_SUBSYSTEM_INIT_CALL(name) kiln_##name##_init();
  KILN_SUBSYSTEMS(KILN_SUBSYSTEM_INIT_CALL)
#undef KILN_SUBSYSTEM_INIT_CALL
  kiln_natives_finish();
  kiln_ns_refer_all(kiln_ns_user, kiln_ns_core);
  return KILN_NIL;
}

static void rt_init_once(void) {
  kiln_gc_init();
  kiln_thread_current();
  kiln_stack_guard_install();
  kiln_val ex;
  if (!kiln_pcall(init_all, NULL, NULL, &ex)) {
    fprintf(stderr, "kiln: the runtime failed to start: %s: %s\n", kiln_class_name(ex),
            kiln_ex_message(ex));
    abort();
  }
}

void kiln_rt_init(void) { pthread_once(&rt_once, rt_init_once); }

/* ==== the API table ==================================================== */

static kiln_val api_var_get(kiln_var *v) { return kiln_var_get(v); }

static void api_var_def(kiln_var *v, kiln_val root, kiln_val meta) {
  kiln_var_def(v, root, root != KILN_NO_VALUE, meta);
}

static kiln_val *api_alloc_roots(uint32_t n) { return kiln_alloc_root(n * sizeof(kiln_val)); }

static kiln_val api_fn_new(kiln_fn_code code, const char *name, uint32_t nclosed) {
  return (kiln_val)kiln_fn_new(code, name, nclosed);
}

static kiln_val api_arity_error(kiln_fn *self, uint32_t argc) {
  kiln_throw_arity(self && self->name ? self->name : "fn", argc);
}

static kiln_val api_read_constant(const char *text, size_t n) { return kiln_read_string(text, n); }

static int api_num_lt(kiln_val a, kiln_val b) { return kiln_num_lt(a, b); }
static int api_num_le(kiln_val a, kiln_val b) { return kiln_num_le(a, b); }
static int api_num_eq(kiln_val a, kiln_val b) { return kiln_num_equal(a, b); }
static int api_equiv(kiln_val a, kiln_val b) { return kiln_equiv(a, b); }

/*
 * try/catch/finally for compiled code: runs [body]; if it throws and there is
 * a [handler], the handler either returns the value of the try or throws
 * (rethrowing when no catch clause matched); [fin] always runs last. The
 * handlers' frames restore dynamic bindings on the way (error.c).
 */
static kiln_val api_try(kiln_try_body body, kiln_try_handler handler, kiln_try_finally fin,
                        void *ctx) {
  kiln_try t;
  volatile kiln_val result = KILN_NIL;
  volatile kiln_val ex = KILN_NIL;
  volatile bool threw = false;
  KILN_TRY(t) { result = body(ctx); }
  KILN_CATCH(t) {
    threw = true;
    ex = t.exception;
  }
  KILN_END(t);
  if (!fin) {
    if (!threw) return result;
    if (handler) return handler(ctx, ex);
    kiln_throw(ex);
  }
  if (threw && handler) {
    kiln_try h;
    KILN_TRY(h) {
      result = handler(ctx, ex);
      threw = false;
    }
    KILN_CATCH(h) { ex = h.exception; }
    KILN_END(h);
  }
  fin(ctx);
  if (threw) kiln_throw(ex);
  return result;
}

static int api_exception_is(kiln_val ex, kiln_val cls) {
  const char *name;
  if (KILN_HAS_TYPE(cls, KILN_T_KEYWORD)) {
    name = kiln_pr_str(cls); /* :default */
  } else if (KILN_HAS_TYPE(cls, KILN_T_SYMBOL)) {
    name = kiln_sym_name(cls);
  } else if (KILN_HAS_TYPE(cls, KILN_T_STRING)) {
    name = kiln_str_data(cls);
  } else {
    return 0;
  }
  return kiln_ex_is(ex, name);
}

static kiln_val api_case_hash(kiln_val x) { return KILN_FIXNUM(kiln_hash(x)); }

static void api_safepoint(void) {
  kiln_thread *th = kiln_thread_current();
  if (__builtin_expect(th->interrupt, 0)) {
    th->interrupt = 0;
    kiln_throw(kiln_ex_new("java.lang.InterruptedException", KILN_NIL, KILN_NIL, KILN_NIL));
  }
  kiln_stack_check();
}

static volatile int *api_interrupt_flag(void) { return &kiln_thread_current()->interrupt; }

static void api_stack_check(void) { kiln_stack_check(); }

static const kiln_api rt_api = {
    .abi_version = KILN_ABI_VERSION,
    .size = sizeof(kiln_api),
    .call = kiln_call,
    .intern_var = kiln_var_intern,
    .var_get = api_var_get,
    .var_def = api_var_def,
    .var_set = kiln_var_set,
    .fn_new = api_fn_new,
    .arity_error = api_arity_error,
    .rest_args = kiln_rest_args,
    .keyword = kiln_kw,
    .symbol = kiln_sym,
    .string = kiln_str_new,
    .read_constant = api_read_constant,
    .box_double = kiln_double,
    .box_long = kiln_long,
    .alloc_roots = api_alloc_roots,
    .vector = kiln_vec_from,
    .map = kiln_map_from,
    .set = kiln_set_from,
    .list = kiln_list_from,
    .with_meta = kiln_with_meta_of,
    .add = kiln_num_add,
    .sub = kiln_num_sub,
    .mul = kiln_num_mul,
    .num_lt = api_num_lt,
    .num_le = api_num_le,
    .num_eq = api_num_eq,
    .equiv = api_equiv,
    .hash = kiln_hash,
    .throw_ = kiln_throw,
    .try_ = api_try,
    .exception_is = api_exception_is,
    .field = kiln_field,
    .case_hash = api_case_hash,
    .safepoint = api_safepoint,
    .interrupt_flag = api_interrupt_flag,
    .stack_check = api_stack_check,
};

const kiln_api *kiln_rt_api(void) { return &rt_api; }
