/*
 * A C host app that registers a native function as a var with kiln/kiln.h
 * and loads a patch that calls it (tests/patch/fixtures/native.c defines
 * user/six-times as (host/triple (* 2 x))).
 *
 *   kiln compile --target host ../../tests/patch/fixtures/native.c -o native.so
 *   ./native native.so
 */
#include <stdio.h>
#include <stdlib.h>

#include "kiln/kiln.h"

/* host/triple: a C function callable from Kiln code like any fn. */
static kiln_val host_triple(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  (void)self;
  if (argc != 1) return KILN_NIL;
  return kiln_box_long(3 * kiln_unbox_long(argv[0]));
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  *size = buf ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PATCH\n", argv[0]);
    return 2;
  }
  kiln_runtime *rt = kiln_runtime_new();
  kiln_def_native(rt, "host", "triple", host_triple, "([x])", "Returns 3 * x.");

  size_t size;
  unsigned char *bytes = read_file(argv[1], &size);
  if (!bytes) {
    perror(argv[1]);
    return 1;
  }
  kiln_val result;
  kiln_error err;
  if (kiln_patch_load_bytes(rt, bytes, size, NULL, &result, &err) != 0) {
    fprintf(stderr, "kiln: %s\n", err.message);
    return 1;
  }
  free(bytes);
  printf("patch returned %s\n", kiln_to_string(result));

  kiln_val five = kiln_box_long(5), out;
  if (kiln_call_var(rt, "user", "six-times", 1, &five, &out, &err) != 0) {
    fprintf(stderr, "kiln: %s\n", err.message);
    return 1;
  }
  printf("(user/six-times 5) => %s\n", kiln_to_string(out));
  kiln_runtime_close(rt);
  return kiln_unbox_long(out) == 30 ? 0 : 1;
}
