/*
 * fuzz_reader.c — libFuzzer target for the reader: reads every form of the
 * input (reader conditionals allowed) and prints each with pr. Reader
 * exceptions are the expected outcome of most inputs and are caught; any
 * other exception escaping the reader, a crash, or a sanitizer report is a
 * bug. Built by tests/fuzz/suite.cmake with -DKILN_FUZZ=ON (clang); run with
 * tests/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_input {
  const char *text;
  size_t n;
} fuzz_input;

static kiln_val read_all(void *p) {
  fuzz_input *in = p;
  kiln_read_opts opts = {.file = "fuzz.cljc", .allow_cond = true};
  kiln_reader *r = kiln_reader_new(in->text, in->n, &opts);
  kiln_val form;
  while (kiln_reader_next(r, &form)) kiln_pr_str(form);
  return KILN_NIL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    kiln_rt_init();
    ready = 1;
  }
  fuzz_input in = {(const char *)data, size};
  kiln_val result, ex;
  if (!kiln_pcall(read_all, &in, &result, &ex) &&
      !kiln_reader_error_pos(ex, NULL, NULL, NULL)) {
    fprintf(stderr, "fuzz_reader: a %s escaped the reader: %s\n", kiln_class_name(ex),
            kiln_ex_message(ex));
    abort();
  }
  return 0;
}
