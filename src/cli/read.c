/*
 * read.c — `kiln read [FILE]`: reads every form of FILE (stdin without one,
 * or with "-") in the user namespace, with reader conditionals allowed for
 * the :kiln feature, and prints each with pr, one per line (with
 * *print-namespace-maps* on, as clojure.main has it). A malformed form
 * stops it with `kiln: FILE:LINE:COL: message` on stderr and exit status 1;
 * the forms before it have been printed already.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/rt.h"

typedef struct read_ctx {
  const char *file;
  const char *text;
  size_t n;
} read_ctx;

static kiln_val read_all(void *p) {
  read_ctx *c = p;
  /* As clojure.main: in user, printing namespace maps as #:ns{...}. */
  kiln_var *vars[] = {kiln_v_ns, kiln_v_print_namespace_maps};
  kiln_val vals[] = {kiln_ns_user, KILN_TRUE};
  kiln_var_push_bindings_n(2, vars, vals);
  kiln_read_opts opts = {0};
  opts.file = c->file;
  opts.allow_cond = true;
  kiln_reader *r = kiln_reader_new(c->text, c->n, &opts);
  kiln_val form;
  while (kiln_reader_next(r, &form)) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_pr_to(&sb, form, true);
    kiln_sb_putc(&sb, '\n');
    fwrite(sb.buf, 1, sb.len, stdout); /* strings may hold NUL */
  }
  kiln_var_pop_bindings();
  return KILN_NIL;
}

/* Reads all of [f] into GC memory (NUL-terminated). */
static char *slurp(FILE *f, size_t *n) {
  size_t cap = 1 << 16, len = 0;
  char *buf = kiln_alloc_atomic(cap);
  for (;;) {
    if (len + 1 >= cap) {
      char *bigger = kiln_alloc_atomic(cap * 2);
      memcpy(bigger, buf, len);
      buf = bigger;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len - 1, f);
    if (got == 0) break;
    len += got;
  }
  buf[len] = 0;
  *n = len;
  return ferror(f) ? NULL : buf;
}

int kiln_cmd_read(int argc, char **argv) {
  if (argc > 2) {
    kiln_cli_error("usage: kiln read [FILE]");
    return 2;
  }
  kiln_rt_init();
  bool from_stdin = argc < 2 || strcmp(argv[1], "-") == 0;
  read_ctx c = {from_stdin ? "<stdin>" : argv[1], NULL, 0};
  FILE *f = from_stdin ? stdin : fopen(argv[1], "rb");
  if (!f) {
    kiln_cli_error("%s: cannot open: %s", argv[1], strerror(errno));
    return 1;
  }
  c.text = slurp(f, &c.n);
  if (!c.text) {
    kiln_cli_error("%s: cannot read: %s", c.file, strerror(errno));
    if (!from_stdin) fclose(f);
    return 1;
  }
  if (!from_stdin) fclose(f);
  kiln_val result, ex;
  bool ok = kiln_pcall(read_all, &c, &result, &ex);
  fflush(stdout);
  if (ok) return 0;
  const char *file = c.file;
  int line = 0, col = 0;
  if (kiln_reader_error_pos(ex, &file, &line, &col))
    kiln_cli_error("%s:%d:%d: %s", file, line, col, kiln_ex_message(ex));
  else
    kiln_cli_error("%s: %s", c.file, kiln_ex_message(ex));
  return 1;
}
