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
#endif
