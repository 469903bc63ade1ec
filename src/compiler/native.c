/*
 * native.c — the compiled mode: every top-level form becomes a host patch
 * (emit C, build it with the toolchain through the cache, load it into this
 * process with the patch loader) instead of being interpreted. `kiln eval`
 * without --interp, `kiln run` and `kiln test` install it; the nREPL server
 * uses the same pieces to build patches for devices.
 *
 * A patch's id is derived from its content (the first 16 hex digits of the
 * SHA-256 of its C with a placeholder id), so the same form gives the same C,
 * the same cache key and a cache hit the next time.
 */
#include <stdio.h>
#include <string.h>

#include "compiler/compiler.h"
#include "compiler/emit.h"
#include "compiler/native.h"
#include "patch/patch.h"

const char *kiln_native_emit(kiln_node *const *units, uint32_t n, const char *file, char *id_out,
                             size_t id_n, size_t *len) {
  kiln_val ns = kiln_current_ns();
  kiln_emit_opts opts = {"0", kiln_sym_name(((kiln_ns *)ns)->name), file};
  size_t n0;
  const char *draft = kiln_emit_patch(units, n, &opts, &n0);
  uint8_t digest[KILN_SHA256_LEN];
  kiln_sha256(draft, n0, digest);
  char id[17];
  for (int i = 0; i < 8; i++) snprintf(id + 2 * i, 3, "%02x", digest[i]);
  opts.patch_id = id;
  if (id_out) snprintf(id_out, id_n, "%s", id);
  return kiln_emit_patch(units, n, &opts, len);
}

static KILN_NORETURN void build_error(kiln_node *where, const kiln_tc_result *res) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_puts(&sb, res->message);
  if (res->diagnostics) {
    kiln_sb_puts(&sb, "\n");
    kiln_sb_puts(&sb, res->diagnostics);
  }
  kiln_val data = KILN_NIL;
  if (where && where->line > 0) {
    kiln_val kvs[] = {kiln_kw("clojure.error", "source"),
                      kiln_str_cstr(where->file ? where->file : "NO_SOURCE_PATH"),
                      kiln_kw("clojure.error", "line"), KILN_FIXNUM(where->line),
                      kiln_kw("clojure.error", "column"), KILN_FIXNUM(where->column)};
    data = kiln_map_from(6, kvs);
  }
  kiln_throw(kiln_ex_new("clojure.lang.Compiler$CompilerException", kiln_sb_to_string(&sb), data,
                         KILN_NIL));
}

kiln_val kiln_native_run(kiln_node *const *units, uint32_t n, const char *file,
                         kiln_timings *timings) {
  double t0 = kiln_now_ms();
  size_t len;
  const char *c = kiln_native_emit(units, n, file, NULL, 0, &len);
  double t1 = kiln_now_ms();

  kiln_tc_result res;
  memset(&res, 0, sizeof res);
  if (kiln_tc_build(kiln_tc_target_host(), c, len, NULL, &res) != 0) {
    kiln_tc_result copy = res;
    char *diag = copy.diagnostics ? (char *)kiln_str_data(kiln_str_cstr(copy.diagnostics)) : NULL;
    copy.diagnostics = diag;
    kiln_tc_result_free(&res);
    build_error(units[0], &copy);
  }
  kiln_val result = KILN_NIL;
  kiln_error err;
  const kiln_patch_record *rec = NULL;
  /* The toolchain and emitter left pointers to freed memory in the stack
   * the patch's frames are about to use (say, in the unused tail of a char
   * buffer); one that meets a lazy seq's cell would keep that seq alive. */
  kiln_gc_scrub_stack();
  int rc = kiln_patch_load(res.bytes, res.size, res.entry, &result, &rec, &err);
  if (timings) {
    *timings = res.t;
    timings->ms[KILN_PHASE_emit] = t1 - t0;
    if (rec) {
      timings->ms[KILN_PHASE_load] = rec->t.ms[KILN_PHASE_load];
      timings->ms[KILN_PHASE_run] = rec->t.ms[KILN_PHASE_run];
    }
  }
  kiln_tc_result_free(&res);
  if (rc != 0) {
    if (err.exception != KILN_NIL) kiln_throw(err.exception);
    kiln_throwf(KILN_EX_RUNTIME, "%s", err.message);
  }
  return result;
}

/* ---- whole-file patches ---- */

/*
 * Between kiln_native_batch_begin and _end, top-level forms are collected
 * into one patch instead of each being compiled on its own. Forms that later
 * forms may need while they are expanded and analyzed -- namespace forms
 * (in-ns, require, refer, ...), function and macro definitions, declares --
 * also run at once in the interpreter, as the shadow namespaces of DESIGN §7
 * do; every other form (state, side effects) runs only once, natively, when
 * the batch ends.
 */
static struct {
  bool on;
  kiln_node **units;
  uint32_t n, cap;
} batch;

static bool is_core_call(kiln_node *n) {
  static const char *const names[] = {"in-ns", "require", "use", "refer", "alias",
                                      "refer-clojure", "load", "load-file", "import"};
  if (n->kind != KILN_N_INVOKE || n->u.invoke.fn->kind != KILN_N_VAR) return false;
  kiln_var *v = n->u.invoke.fn->u.var.var;
  if (strcmp(kiln_sym_name(((kiln_ns *)v->ns)->name), "clojure.core") != 0) return false;
  for (size_t i = 0; i < KILN_ARRAY_LEN(names); i++)
    if (strcmp(kiln_sym_name(v->sym), names[i]) == 0) return true;
  return false;
}

static bool definitional(kiln_node *top) {
  kiln_node *body = top->u.fn.methods[0]->body;
  if (body->kind == KILN_N_DEF) {
    kiln_node *init = body->u.def.init;
    if (!init) return true;
    if (init->kind == KILN_N_WITH_META) init = init->u.with_meta.expr;
    return init->kind == KILN_N_FN;
  }
  return is_core_call(body);
}

/*
 * Forms that register behaviour later expansions may call (a defmulti, a
 * defmethod, extend-type and friends, derive): they run in the interpreter
 * too, so a macro later in the file sees them, as it would on the JVM. They
 * are known by the core function the expanded form calls at its top (a
 * defmulti or defprotocol is a let* around -make-multi or -make-protocol);
 * running them twice replaces a registration with an equal one.
 */
static bool is_core_symbol(kiln_val x, const char *name) {
  if (!KILN_HAS_TYPE(x, KILN_T_SYMBOL)) return false;
  const char *ns = kiln_sym_ns(x);
  return (!ns || strcmp(ns, "clojure.core") == 0) && strcmp(kiln_sym_name(x), name) == 0;
}

static bool mentions(kiln_val form, const char *name, int depth) {
  if (is_core_symbol(form, name)) return true;
  if (depth > 8 || !(kiln_is_seq(form) || KILN_HAS_TYPE(form, KILN_T_VECTOR))) return false;
  for (kiln_val s = kiln_seq(form); s != KILN_NIL; s = kiln_next(s))
    if (mentions(kiln_first(s), name, depth + 1)) return true;
  return false;
}

static bool registration(kiln_val form) {
  static const char *const calls[] = {"extend",        "-extend-inline", "derive",
                                      "underive",      "prefer-method",  "remove-method"};
  if (!kiln_is_seq(form) || kiln_seq(form) == KILN_NIL) return false;
  kiln_val op = kiln_first(form);
  for (size_t i = 0; i < KILN_ARRAY_LEN(calls); i++)
    if (is_core_symbol(op, calls[i])) return true;
  if (is_core_symbol(op, "swap!")) {
    kiln_val target = kiln_first(kiln_next(form));
    return kiln_is_seq(target) && kiln_seq(target) != KILN_NIL &&
           is_core_symbol(kiln_first(target), "-multi-state");
  }
  if (is_core_symbol(op, "let*"))
    return mentions(form, "-make-multi", 0) || mentions(form, "-make-protocol", 0);
  return false;
}

/* (def x 'constant) and the like: running it twice changes nothing. */
static bool constant_def(kiln_node *top) {
  kiln_node *body = top->u.fn.methods[0]->body;
  return body->kind == KILN_N_DEF && body->u.def.init && body->u.def.init->kind == KILN_N_CONST;
}

static kiln_val batch_record(kiln_node *top, kiln_val form) {
  if (batch.n == batch.cap) {
    batch.cap = batch.cap ? batch.cap * 2 : 64;
    kiln_node **u = kiln_alloc_root(batch.cap * sizeof *u);
    if (batch.n) memcpy(u, batch.units, batch.n * sizeof *u);
    batch.units = u;
  }
  batch.units[batch.n++] = top;
  bool shadow = definitional(top) || constant_def(top) || registration(form);
  return shadow ? kiln_interp_run(top) : KILN_NIL;
}

void kiln_native_batch_begin(void) {
  batch.on = true;
  batch.n = 0;
}

kiln_val kiln_native_batch_end(void) {
  batch.on = false;
  uint32_t n = batch.n;
  batch.n = 0;
  if (n == 0) return KILN_NIL;
  return kiln_native_run(batch.units, n, batch.units[n - 1]->file, NULL);
}

/* A form with no code in it: a constant, or a var's value. Its patch would
 * only return a root, and building one costs the toolchain's start-up (the
 * version probe alone is two processes), so `kiln eval 1` would take a
 * second. */
static bool nothing_to_compile(kiln_node *toplevel) {
  kiln_node *body = toplevel->u.fn.methods[0]->body;
  return body->kind == KILN_N_CONST || body->kind == KILN_N_THE_VAR ||
         (body->kind == KILN_N_VAR && !(body->u.var.var->h.flags & KILN_VAR_MACRO));
}

static kiln_val native_hook(kiln_node *toplevel, kiln_val form, void *ctx) {
  KILN_UNUSED(ctx);
  if (batch.on) return batch_record(toplevel, form);
  if (nothing_to_compile(toplevel)) return kiln_interp_run(toplevel);
  return kiln_native_run(&toplevel, 1, toplevel->file, NULL);
}

void kiln_compile_mode_install(void) { kiln_compiler_set_eval_hook(native_hook, NULL); }
