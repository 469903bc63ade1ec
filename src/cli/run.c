/*
 * run.c — `kiln run [-I DIR]... FILE.clj [ARGS...]`: loads the file in the
 * user namespace with *command-line-args* bound to ARGS (nil when none), as
 * `clojure FILE ARGS` does. Errors: `kiln: FILE:LINE:COL: message`, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "compiler/compiler.h"
#include "compiler/native.h"

static bool compiled;

/* In the compiled mode the whole file becomes one patch. */
static kiln_val run_file(void *ctx) {
  if (!compiled) return kiln_load_file(ctx);
  kiln_native_batch_begin();
  kiln_load_file(ctx);
  return kiln_native_batch_end();
}

int kiln_cmd_run(int argc, char **argv) {
  kiln_cli_opts o;
  if (!kiln_cli_parse(argc, argv, &o, "run")) return 2;
  if (o.nrest == 0) {
    kiln_cli_error("usage: kiln run [-I DIR]... FILE.clj [ARGS...]");
    return 2;
  }
  FILE *f = fopen(o.rest[0], "rb");
  if (!f) {
    kiln_cli_error("%s: %s", o.rest[0], strerror(errno));
    return 1;
  }
  fclose(f);
  if (!kiln_cli_start(&o)) return 1;
  compiled = !o.interp;
  kiln_val args = KILN_NIL;
  for (int i = o.nrest - 1; i >= 1; i--) args = kiln_cons(kiln_str_cstr(o.rest[i]), args);
  return kiln_cli_run(run_file, o.rest[0], args);
}
