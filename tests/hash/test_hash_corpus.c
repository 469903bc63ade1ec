/*
 * test_hash_corpus.c — reads each source line of expected.tsv with Kiln's
 * reader and checks (hash x) and (pr-str x) against what JVM Clojure gave
 * for the same text (tests/hash/gen.sh writes the file: hash, pr-str, source,
 * tab-separated).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

static const char *cur_src;
static kiln_val read_one(void *ctx) {
  KILN_UNUSED(ctx);
  return kiln_read_string(cur_src, strlen(cur_src));
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s tests/hash/expected.tsv\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  kiln_rt_init();
  char line[4096];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    line[strcspn(line, "\n")] = 0;
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2) {
      fprintf(stderr, "%s:%d: malformed line\n", argv[1], lineno);
      check_failed++;
      continue;
    }
    *t1 = *t2 = 0;
    int32_t want_hash = (int32_t)strtol(line, NULL, 10);
    const char *want_pr = t1 + 1;
    cur_src = t2 + 1;
    kiln_val x, ex;
    if (!kiln_pcall(read_one, NULL, &x, &ex)) {
      fprintf(stderr, "%s:%d: reading %s threw %s\n", argv[1], lineno, cur_src, kiln_ex_message(ex));
      check_failed++;
      continue;
    }
    int32_t h = kiln_hash(x);
    if (h != want_hash)
      fprintf(stderr, "%s:%d: (hash %s) is %d, the JVM says %d\n", argv[1], lineno, cur_src, h, want_hash);
    CHECK(h == want_hash);
    CHECK_STR(kiln_pr_str(x), want_pr);
  }
  fclose(f);
  return check_summary();
}
