/*
 * test.c — `kiln test [--interp] [-I DIR]... NS-or-FILE...`: loads each
 * namespace (a symbol is required from the source path; a path ending in
 * .clj/.cljc or naming a file is loaded and its ns form names the
 * namespace), runs clojure.test/run-tests over all of them, which prints the
 * report and Clojure's summary lines, and exits 1 on any failure or error.
 */
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "compiler/compiler.h"
#include "compiler/native.h"

typedef struct test_args {
  int n;
  char **items;
  int failed;
} test_args;

/* The namespace a file declares: its first (ns name ...) or (in-ns 'name). */
static kiln_val file_ns(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) kiln_throwf("java.io.FileNotFoundException", "%s (No such file or directory)", path);
  kiln_sb sb;
  kiln_sb_init(&sb);
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) kiln_sb_putn(&sb, buf, got);
  fclose(f);
  const char *text = kiln_sb_cstr(&sb);
  kiln_read_opts opts = {0};
  opts.file = path;
  opts.allow_cond = true;
  kiln_reader *r = kiln_reader_new(text, sb.len, &opts);
  kiln_val form;
  while (kiln_reader_next(r, &form)) {
    if (!kiln_is_seq(form)) continue;
    kiln_val op = kiln_first(form), arg = kiln_first(kiln_next(form));
    if (!KILN_HAS_TYPE(op, KILN_T_SYMBOL)) continue;
    if (strcmp(kiln_sym_name(op), "ns") == 0 && KILN_HAS_TYPE(arg, KILN_T_SYMBOL)) return arg;
    if (strcmp(kiln_sym_name(op), "in-ns") == 0 && kiln_is_seq(arg))
      return kiln_first(kiln_next(arg));
  }
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "%s declares no namespace (no ns form)", path);
}

static bool is_file(const char *s) {
  struct stat st;
  size_t n = strlen(s);
  if ((n > 4 && strcmp(s + n - 4, ".clj") == 0) || (n > 5 && strcmp(s + n - 5, ".cljc") == 0))
    return true;
  return stat(s, &st) == 0 && S_ISREG(st.st_mode);
}

static bool compiled;

static kiln_val run_tests(void *ctx) {
  test_args *a = ctx;
  kiln_require(kiln_sym(NULL, "clojure.test"), false);
  kiln_val *nss = kiln_alloc(((size_t)a->n + 1) * sizeof *nss);
  /* In the compiled mode every test file loaded here becomes one patch. */
  if (compiled) kiln_native_batch_begin();
  for (int i = 0; i < a->n; i++) {
    kiln_interp_clear_position();
    if (is_file(a->items[i])) {
      kiln_load_file(a->items[i]);
      nss[i] = file_ns(a->items[i]);
    } else {
      nss[i] = kiln_sym(NULL, a->items[i]);
      kiln_require(nss[i], false);
    }
  }
  if (compiled) kiln_native_batch_end();
  kiln_var *rt = kiln_var_find("clojure.test", "run-tests");
  if (!rt) kiln_throwf(KILN_EX_ILLEGAL_STATE, "clojure.test/run-tests is missing");
  kiln_val summary = kiln_call(kiln_var_get(rt), (uint32_t)a->n, nss);
  kiln_val fail = kiln_get(summary, kiln_kw(NULL, "fail"), KILN_FIXNUM(0));
  kiln_val err = kiln_get(summary, kiln_kw(NULL, "error"), KILN_FIXNUM(0));
  a->failed = (KILN_IS_FIXNUM(fail) && KILN_FIXNUM_VALUE(fail) > 0) ||
              (KILN_IS_FIXNUM(err) && KILN_FIXNUM_VALUE(err) > 0);
  return summary;
}

int kiln_cmd_test(int argc, char **argv) {
  kiln_cli_opts o;
  if (!kiln_cli_parse(argc, argv, &o, "test")) return 2;
  if (o.nrest == 0) {
    kiln_cli_error("usage: kiln test [--interp] [-I DIR]... NS-or-FILE...");
    return 2;
  }
  if (!kiln_cli_start(&o)) return 1;
  compiled = !o.interp;
  test_args a = {o.nrest, o.rest, 0};
  int rc = kiln_cli_run(run_tests, &a, KILN_NIL);
  if (rc) return rc;
  return a.failed ? 1 : 0;
}
