/*
 * deep.c — stands in for a compiled patch in the stack-guard test: a fn that
 * calls itself directly through its code pointer, with no stack check, as
 * compiled code does. Built as its own shared object so its code lies outside
 * libkiln, libc and the GC.
 */
#include "kiln/patch_abi.h"

kiln_val kiln_test_deep(kiln_fn *self, uint32_t argc, const kiln_val *argv);

__attribute__((visibility("default"))) kiln_val kiln_test_deep(kiln_fn *self, uint32_t argc,
                                                                 const kiln_val *argv) {
  volatile kiln_val frame[16];
  frame[0] = argv[0];
  kiln_val next = KILN_FIXNUM(KILN_FIXNUM_VALUE(frame[0]) + 1);
  kiln_val r = self->code(self, 1, &next);
  return r + frame[0] - frame[0]; /* not a tail call */
}
