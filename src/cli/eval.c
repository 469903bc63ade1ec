/*
 * eval.c — `kiln eval [--interp] [-I DIR]... EXPR...`: reads every form of
 * each EXPR, evaluates it in the user namespace and prints its value with pr,
 * one per line. The first error is printed as `kiln: FILE:LINE:COL: message`
 * and the command exits 1. Without --interp, the compiled mode is used when
 * the C emitter is linked in (kiln_compile_mode_install).
 */
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "compiler/compiler.h"

typedef struct eval_args {
  int n;
  char **exprs;
} eval_args;

static kiln_val eval_all(void *ctx) {
  eval_args *a = ctx;
  kiln_val out = kiln_var_get(kiln_v_out);
  for (int i = 0; i < a->n; i++) {
    kiln_read_opts opts = {0};
    opts.file = "NO_SOURCE_PATH";
    opts.allow_cond = true;
    kiln_reader *r = kiln_reader_new(a->exprs[i], strlen(a->exprs[i]), &opts);
    kiln_val form;
    while (kiln_reader_next(r, &form)) {
      int line, column;
      size_t off;
      kiln_reader_form_start(r, &line, &column, &off);
      kiln_compiler_set_position(line, column);
      kiln_val v = kiln_eval_form(form);
      out = kiln_var_get(kiln_v_out);
      const char *s = kiln_pr_str(v);
      kiln_write(out, s, strlen(s));
      kiln_write(out, "\n", 1);
      kiln_flush(out);
    }
  }
  return KILN_NIL;
}

int kiln_cmd_eval(int argc, char **argv) {
  kiln_cli_opts o;
  if (!kiln_cli_parse(argc, argv, &o, "eval")) return 2;
  if (o.nrest == 0) {
    kiln_cli_error("usage: kiln eval [--interp] [-I DIR]... EXPR...");
    return 2;
  }
  if (!kiln_cli_start(&o)) return 1;
  eval_args a = {o.nrest, o.rest};
  return kiln_cli_run(eval_all, &a, KILN_NIL);
}
