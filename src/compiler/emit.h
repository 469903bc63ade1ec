/*
 * emit.h — the C emitter: analyzed top-level units to the C source of one
 * patch (DESIGN §5).
 *
 * The generated file includes only kiln/patch_abi.h and reaches the runtime
 * only through the kiln_api table its entry point receives. Its shape:
 *
 *   - R[]: every constant and var the code uses, in GC-scanned memory the
 *     runtime allocates (api->alloc_roots), filled when the patch runs.
 *   - per fn, one C function per arity (a fixed arity takes its arguments
 *     as C arguments) and the entry the fn object holds, dispatching on
 *     argc; one function per top-level form (top_N); and for every try form
 *     a body, a handler and a finally function over a context struct
 *     holding the locals in scope.
 *   - the descriptor: ABI version and layout hash, namespace, file, the
 *     seed's patch_symbol table for each top-level (def name (fn ...)), and
 *     run(), which evaluates the top-level forms in order.
 *   - the entry point kiln_patch_<id>, the only exported symbol.
 *
 * Every global call goes through its var (an acquire load of the root), so a
 * later patch redefining a function changes every caller; when the var holds
 * a fn this same patch made, the call goes straight to its arity's function. Arithmetic and
 * comparisons on clojure.core's +, -, *, <, ... are inlined with fixnum fast
 * paths and overflow checks. #line directives map the C back to the .clj.
 */
#ifndef KILN_EMIT_H
#define KILN_EMIT_H

#include "compiler/ast.h"

typedef struct kiln_emit_opts {
  const char *patch_id; /* the entry is kiln_patch_<patch_id>: [A-Za-z0-9_] */
  const char *ns;       /* the namespace the forms were analyzed in */
  const char *file;     /* the source file, or NULL ("NO_SOURCE_FILE") */
} kiln_emit_opts;

/*
 * Emits the C source of a patch that evaluates [units] (KILN_N_FN nodes with
 * toplevel set, from kiln_analyze) in order. Returns a NUL-terminated string
 * in GC memory and its length in *len. Throws a CompilerException for a
 * constant that compiled code cannot hold (a fn object embedded by a macro).
 */
const char *kiln_emit_patch(kiln_node *const *units, uint32_t n, const kiln_emit_opts *opts,
                            size_t *len);

/* The names of the vars a patch defines (top-level defs), as a vector of
 * "ns/name" strings, in order: for reports such as ios-compile-patch's var-name. */
kiln_val kiln_emit_defined_vars(kiln_node *const *units, uint32_t n);

#endif /* KILN_EMIT_H */
