/*
 * native.h — compiling analyzed forms into host patches and running them in
 * this process (the compiled mode of `kiln eval`, `kiln run`, `kiln test`).
 */
#ifndef KILN_NATIVE_H
#define KILN_NATIVE_H

#include "compiler/ast.h"
#include "toolchain/toolchain.h"

/* Emits the C of a patch for [units] in the current namespace, with an id
 * derived from its content (written to [id_out] when not NULL). */
const char *kiln_native_emit(kiln_node *const *units, uint32_t n, const char *file, char *id_out,
                             size_t id_n, size_t *len);

/* Emits, builds for the host (through the patch cache) and applies a patch
 * for [units]; returns the value of the last. Build failures throw a
 * CompilerException carrying the compiler's diagnostics; a patch that throws
 * is rolled back and its exception rethrown. [timings] may be NULL. */
kiln_val kiln_native_run(kiln_node *const *units, uint32_t n, const char *file,
                         kiln_timings *timings);
/* Collects the top-level forms evaluated until kiln_native_batch_end into one
 * patch (a whole file, for kiln run and kiln test). Namespace forms and fn and
 * macro definitions also run at once in the interpreter, so later forms
 * expand and analyze as they would one by one; the rest runs only natively.
 * _end builds and applies the patch and returns the last form's value. */
void kiln_native_batch_begin(void);
kiln_val kiln_native_batch_end(void);
#endif
