/*
 * cli_common.c — shared start-up and error reporting of eval, run and test.
 */
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "compiler/compiler.h"

bool kiln_cli_parse(int argc, char **argv, kiln_cli_opts *o, const char *cmd) {
  memset(o, 0, sizeof *o);
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--interp") == 0) {
      o->interp = true;
    } else if (strcmp(a, "-I") == 0) {
      if (i + 1 >= argc) {
        kiln_cli_error("%s: -I needs a directory", cmd);
        return false;
      }
      kiln_compiler_add_path(argv[++i]);
    } else if (strncmp(a, "-I", 2) == 0) {
      kiln_compiler_add_path(a + 2);
    } else if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else {
      break;
    }
  }
  o->nrest = argc - i;
  o->rest = argv + i;
  return true;
}

bool kiln_cli_start(const kiln_cli_opts *o) {
  kiln_rt_init();
  if (kiln_var_find("clojure.core", "defn") == NULL) {
    kiln_cli_error("clojure.core did not load; see the message above");
    return false;
  }
  if (!o->interp) kiln_compile_mode_install();
  return true;
}

typedef struct run_ctx {
  kiln_val (*body)(void *ctx);
  void *ctx;
  kiln_val args;
} run_ctx;

static kiln_val bound_body(void *p) {
  run_ctx *r = p;
  /* As clojure.main binds them (it prints namespace maps as #:ns{...}). */
  kiln_var *vars[] = {kiln_v_ns, kiln_v_warn_on_reflection, kiln_v_unchecked_math,
                      kiln_v_print_namespace_maps, kiln_v_command_line_args};
  kiln_val vals[] = {kiln_ns_user, KILN_FALSE, KILN_FALSE, KILN_TRUE, r->args};
  kiln_var_push_bindings_n(r->args != KILN_NIL ? 5 : 4, vars, vals);
  kiln_val v = r->body(r->ctx);
  kiln_var_pop_bindings();
  return v;
}

int kiln_cli_run(kiln_val (*body)(void *ctx), void *ctx, kiln_val args) {
  run_ctx r = {body, ctx, args};
  kiln_interp_clear_position();
  kiln_val result, ex;
  bool ok = kiln_pcall(bound_body, &r, &result, &ex);
  kiln_flush(kiln_var_get(kiln_v_out));
  if (ok) return 0;
  kiln_flush(kiln_var_get(kiln_v_err));
  kiln_cli_error("%s", kiln_compiler_error_text(ex));
  kiln_cli_print_chain(ex);
  return 1;
}

void kiln_cli_print_chain(kiln_val ex) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_ex_write_chain(&sb, ex, 64); /* runaway recursion makes hundreds */
  if (sb.len) fwrite(sb.buf, 1, sb.len, stderr);
}
