/*
 * interp.c — the interpreter: evaluates AST nodes (ast.h) directly.
 *
 * A closure made by the interpreter is an ordinary kiln_fn whose code is
 * interp_call, whose data is its KILN_N_FN node and whose closed[] holds the
 * captured values, so compiled code and natives call it like any other fn.
 * Each call picks the method by argc and evaluates its body over a frame of
 * slots on the C stack (the analyzer sized it). recur stores the new values in
 * the target's slots and returns the RECUR marker up through the tail
 * positions to the loop or method, which goes round again: loops take no C
 * stack. try uses the runtime's setjmp handlers in a function of its own.
 *
 * Every call and throw records its node as the thread's current position, so
 * an uncaught error can be reported at FILE:LINE:COL (kiln_interp_position),
 * and in its frame's record (kiln_frame_rec, linked from kiln_frame_top while
 * the call runs), so a throw records the chain of calls with the line of each
 * call site.
 */
#include <string.h>

#include "compiler/compiler.h"

typedef struct frame {
  kiln_val *slots;
  kiln_fn *self;
  kiln_frame_rec rec;
} frame;

/* Returned through tail positions by recur; never a value the program sees. */
static const struct {
  kiln_obj h;
  uint64_t pad;
} recur_marker __attribute__((aligned(16))) = {{KILN_T_NONE, 0}, 0};
#define RECUR_MARK ((kiln_val)&recur_marker)

static _Thread_local const kiln_node *interp_pos;

bool kiln_interp_position(const char **file, int *line, int *column);
bool kiln_interp_position(const char **file, int *line, int *column) {
  const kiln_node *n = interp_pos;
  if (!n || !n->line) return false;
  *file = n->file ? n->file : "NO_SOURCE_PATH";
  *line = n->line;
  *column = n->column;
  return true;
}

void kiln_interp_clear_position(void) { interp_pos = NULL; }

static kiln_val ev(const kiln_node *n, frame *f);

/* Records [n] as the position being evaluated, globally and in the frame. */
static inline void at(frame *f, const kiln_node *n) {
  interp_pos = n;
  if (n->file) f->rec.at.file = n->file;
  f->rec.at.line = n->line;
  f->rec.at.column = n->column;
}

static KILN_NORETURN void interrupted(kiln_thread *th) {
  th->interrupt = 0;
  kiln_throwf("java.lang.InterruptedException", "Evaluation interrupted");
}

static inline void safepoint(void) {
  kiln_thread *th = kiln_thread_current();
  if (__builtin_expect(th->interrupt, 0)) interrupted(th);
}

static inline kiln_val read_ref(const kiln_local_ref *r, const frame *f) {
  switch (r->where) {
    case KILN_LOCAL_IN_FRAME: return f->slots[r->local->slot];
    case KILN_LOCAL_IN_CLOSED: return f->self->closed[r->index];
    case KILN_LOCAL_IS_SELF: return (kiln_val)f->self;
  }
  return KILN_NIL;
}

static inline kiln_val var_value(kiln_var *v) {
  /* An unbound var's root is its callable "unbound" object, as on the JVM. */
  if (__builtin_expect(!(v->h.flags & KILN_VAR_DYNAMIC), 1)) return KILN_VAR_ROOT(v);
  return kiln_var_get(v);
}

/* ---- calling an interpreted fn ---- */

static kiln_val interp_call(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  const kiln_node *fn = self->data;
  kiln_fn_method *const *ms = fn->u.fn.methods;
  uint32_t nm = fn->u.fn.nmethods;
  const kiln_fn_method *m = NULL;
  for (uint32_t i = 0; i < nm; i++) {
    const kiln_fn_method *c = ms[i];
    if (c->variadic ? argc >= c->nfixed : argc == c->nfixed) {
      m = c;
      break;
    }
  }
  if (!m) kiln_throw_arity(self->name, argc);
  kiln_thread *th = kiln_thread_current();
  char here;
  if (__builtin_expect(&here < th->stack_limit, 0)) kiln_stack_overflow();
  if (__builtin_expect(th->interrupt, 0)) interrupted(th);
  kiln_val slots[m->nslots + 1];
  uint32_t nf = m->nfixed;
  for (uint32_t i = 0; i < nf; i++) slots[i] = argv[i];
  if (m->variadic) slots[nf] = kiln_rest_args(argc, argv, nf);
  /* argv is this call's (docs/patch-abi.md): cleared, so the caller's array
   * does not keep the head of a lazy seq alive while the body walks it. */
  if (argc) memset((kiln_val *)argv, 0, argc * sizeof *argv);
  frame fr = {slots, self, {{NULL, self->name, fn->file, fn->line, fn->column}, kiln_frame_top}};
  kiln_frame_top = &fr.rec;
  for (;;) {
    kiln_val r = ev(m->body, &fr);
    if (r != RECUR_MARK) {
      kiln_frame_top = fr.rec.up;
      return r;
    }
    safepoint();
  }
}

/* A closure for FN node [n]; its captures are filled by fill_captures. */
static kiln_fn *closure_alloc(const kiln_node *n) {
  kiln_fn *fn = kiln_fn_new(interp_call, n->u.fn.qualified_name, n->u.fn.ncaptures);
  fn->data = (void *)n;
  const kiln_fn_method *last = n->u.fn.methods[n->u.fn.nmethods - 1];
  if (last->variadic && last->nfixed <= KILN_MAX_POSITIONAL) fn->h.flags |= KILN_FN_VARIADIC;
  return fn;
}

static void fill_captures(kiln_fn *fn, const kiln_node *n, const frame *f) {
  for (uint32_t i = 0; i < n->u.fn.ncaptures; i++) fn->closed[i] = read_ref(&n->u.fn.captures[i], f);
}

kiln_val kiln_interp_run(kiln_node *top) {
  kiln_fn *fn = closure_alloc(top);
  return interp_call(fn, 0, NULL);
}

/* ---- try ---- */

static const kiln_catch *find_catch(const kiln_node *n, kiln_val ex) {
  for (uint32_t i = 0; i < n->u.try_.ncatches; i++) {
    const kiln_catch *k = &n->u.try_.catches[i];
    if (kiln_ex_is(ex, k->class_name)) return k;
  }
  return NULL;
}

static __attribute__((noinline)) kiln_val ev_try(const kiln_node *n, frame *f) {
  kiln_try t;
  volatile kiln_val result = KILN_NIL;
  volatile kiln_val ex = KILN_NIL;
  volatile bool threw = false;
  KILN_TRY(t) { result = ev(n->u.try_.body, f); }
  KILN_CATCH(t) {
    ex = t.exception;
    threw = true;
  }
  KILN_END(t);
  if (threw) {
    const kiln_catch *k = find_catch(n, ex);
    if (k) {
      f->slots[k->local->slot] = ex;
      if (n->u.try_.finally) {
        kiln_try t2;
        KILN_TRY(t2) {
          result = ev(k->body, f);
          threw = false;
        }
        KILN_CATCH(t2) { ex = t2.exception; }
        KILN_END(t2);
      } else {
        result = ev(k->body, f);
        threw = false;
      }
    }
  }
  if (n->u.try_.finally) ev(n->u.try_.finally, f);
  if (threw) kiln_throw(ex);
  return result;
}

/* ---- def ---- */

static kiln_val ev_def(const kiln_node *n, frame *f) {
  kiln_var *v = n->u.def.var;
  kiln_val meta = ev(n->u.def.meta, f);
  kiln_val root = n->u.def.init ? ev(n->u.def.init, f) : KILN_NIL;
  at(f, n);
  kiln_var_def(v, root, n->u.def.init != NULL, meta);
  return (kiln_val)v;
}

/* ---- the evaluator ---- */

static kiln_val ev(const kiln_node *n, frame *f) {
  switch (n->kind) {
    case KILN_N_CONST:
      return n->u.constant.value;
    case KILN_N_LOCAL:
      return read_ref(&n->u.local, f);
    case KILN_N_VAR:
      return var_value(n->u.var.var);
    case KILN_N_THE_VAR:
      return (kiln_val)n->u.var.var;
    case KILN_N_DEF:
      return ev_def(n, f);
    case KILN_N_IF: {
      kiln_val t = ev(n->u.if_.test, f); /* KILN_TRUTHY reads its argument twice */
      return KILN_TRUTHY(t) ? ev(n->u.if_.then, f) : ev(n->u.if_.else_, f);
    }
    case KILN_N_DO: {
      uint32_t last = n->u.do_.n - 1;
      for (uint32_t i = 0; i < last; i++) ev(n->u.do_.body[i], f);
      return ev(n->u.do_.body[last], f);
    }
    case KILN_N_LET:
      for (uint32_t i = 0; i < n->u.let.n; i++)
        f->slots[n->u.let.locals[i]->slot] = ev(n->u.let.inits[i], f);
      return ev(n->u.let.body, f);
    case KILN_N_LOOP:
      for (uint32_t i = 0; i < n->u.let.n; i++)
        f->slots[n->u.let.locals[i]->slot] = ev(n->u.let.inits[i], f);
      for (;;) {
        kiln_val r = ev(n->u.let.body, f);
        if (r != RECUR_MARK) return r;
        safepoint();
      }
    case KILN_N_RECUR: {
      uint32_t k = n->u.recur.n;
      kiln_val tmp[k + 1];
      for (uint32_t i = 0; i < k; i++) tmp[i] = ev(n->u.recur.args[i], f);
      for (uint32_t i = 0; i < k; i++) f->slots[n->u.recur.targets[i]->slot] = tmp[i];
      return RECUR_MARK;
    }
    case KILN_N_FN: {
      kiln_fn *fn = closure_alloc(n);
      fill_captures(fn, n, f);
      return (kiln_val)fn;
    }
    case KILN_N_INVOKE: {
      kiln_val fv = ev(n->u.invoke.fn, f);
      uint32_t k = n->u.invoke.n;
      kiln_val args[k + 1];
      for (uint32_t i = 0; i < k; i++) args[i] = ev(n->u.invoke.args[i], f);
      at(f, n);
      if (KILN_HAS_TYPE(fv, KILN_T_FN)) return ((kiln_fn *)fv)->code((kiln_fn *)fv, k, args);
      return kiln_call(fv, k, args);
    }
    case KILN_N_THROW: {
      kiln_val ex = ev(n->u.throw_.exception, f);
      at(f, n);
      if (!KILN_HAS_TYPE(ex, KILN_T_EXCEPTION))
        kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.lang.Throwable",
                    kiln_class_name(ex));
      kiln_throw(ex);
    }
    case KILN_N_TRY:
      return ev_try(n, f);
    case KILN_N_LETFN: {
      uint32_t k = n->u.letfn.n;
      kiln_fn *fns[k + 1];
      for (uint32_t i = 0; i < k; i++) {
        const kiln_node *fnode = n->u.letfn.fns[i];
        if (fnode->kind == KILN_N_WITH_META) fnode = fnode->u.with_meta.expr;
        fns[i] = closure_alloc(fnode);
        f->slots[n->u.letfn.locals[i]->slot] = (kiln_val)fns[i];
      }
      for (uint32_t i = 0; i < k; i++) {
        const kiln_node *fnode = n->u.letfn.fns[i];
        const kiln_node *inner = fnode->kind == KILN_N_WITH_META ? fnode->u.with_meta.expr : fnode;
        fill_captures(fns[i], inner, f);
        if (fnode != inner)
          f->slots[n->u.letfn.locals[i]->slot] =
              kiln_with_meta((kiln_val)fns[i], ev(fnode->u.with_meta.meta, f));
      }
      return ev(n->u.letfn.body, f);
    }
    case KILN_N_CASE: {
      kiln_val v = ev(n->u.case_.expr, f);
      kiln_val b = kiln_map_get(n->u.case_.table, v, RECUR_MARK);
      if (b == RECUR_MARK) return ev(n->u.case_.default_, f);
      return ev(n->u.case_.branches[KILN_FIXNUM_VALUE(b)], f);
    }
    case KILN_N_SET_BANG: {
      kiln_val v = ev(n->u.set_bang.value, f);
      at(f, n);
      return kiln_var_set(n->u.set_bang.var, v);
    }
    case KILN_N_FIELD: {
      kiln_val t = ev(n->u.field.target, f);
      at(f, n);
      return kiln_field(t, n->u.field.field);
    }
    case KILN_N_VECTOR: case KILN_N_MAP: case KILN_N_SET: {
      uint32_t k = n->u.coll.n;
      kiln_val items[k + 1];
      for (uint32_t i = 0; i < k; i++) items[i] = ev(n->u.coll.items[i], f);
      at(f, n);
      if (n->kind == KILN_N_VECTOR) return kiln_vec_from(k, items);
      if (n->kind == KILN_N_MAP) return kiln_map_from(k, items);
      return kiln_set_from(k, items);
    }
    case KILN_N_WITH_META: {
      kiln_val x = ev(n->u.with_meta.expr, f);
      return kiln_with_meta(x, ev(n->u.with_meta.meta, f));
    }
    case KILN_N_COUNT:
      break;
  }
  kiln_throwf(KILN_EX_ILLEGAL_STATE, "interpreter: bad node kind %d", (int)n->kind);
}
