/*
 * A C host app that hot-reloads, using only the seed's names
 * (kiln/jank_compat.h): it loads a patch from bytes, as an iOS app does
 * with the bytes the compile server sends, and calls the vars it defined.
 *
 *   kiln compile --target host ../../tests/patch/fixtures/add1.c -o add1.so
 *   ./host add1.so
 *
 * No other call is needed: the first jank_* call creates the runtime.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kiln/jank_compat.h"

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *buf = NULL;
  size_t n = 0, cap = 0, got;
  do {
    if (n == cap) {
      cap = cap ? cap * 2 : 65536;
      buf = realloc(buf, cap);
      if (!buf) exit(1);
    }
    got = fread(buf + n, 1, cap - n, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *size = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PATCH [ENTRY-SYMBOL]\n", argv[0]);
    return 2;
  }
  size_t size;
  unsigned char *bytes = read_file(argv[1], &size);
  if (!bytes) {
    perror(argv[1]);
    return 1;
  }
  if (jank_ios_hot_reload_load_patch(bytes, size, argc > 2 ? argv[2] : NULL) != 0) return 1;
  free(bytes); /* the loader keeps its own copy on disk and in memory */

  void *args[1] = {jank_box_integer(41)};
  void *sum = jank_call_var("user", "add1", 1, args);
  printf("(user/add1 41) => %lld\n", (long long)jank_unbox_integer(sum));
  void *answer = jank_deref_var("user", "answer");
  printf("user/answer => %lld\n", (long long)jank_unbox_integer(answer));
  printf("truthy: answer %d, missing var %d\n", jank_truthy(answer),
         jank_truthy(jank_deref_var("user", "no-such-var")));
  return jank_unbox_integer(sum) == 42 ? 0 : 1;
}
