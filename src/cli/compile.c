/*
 * compile.c — `kiln compile --target T [-I DIR]... FILE -o OUT [--emit-c]
 * [--timings] [--ios-min V] [--no-cache]`: one source file to one patch.
 *
 * FILE.clj/.cljc is read, analyzed and emitted as C (one patch holding every
 * top-level form, in order), then built by the toolchain for target T. A
 * FILE.c is taken as patch C already (it must follow kiln/patch_abi.h) and
 * only built. --emit-c writes the C instead of the library.
 *
 * Analysing a form can depend on the forms before it (ns, require, macros
 * and the functions macros call), so as on the compile server (DESIGN §7,
 * shadow namespaces) those forms are also evaluated here with the
 * interpreter; other top-level forms are analyzed only, never run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/compiler.h"
#include "compiler/emit.h"
#include "runtime/rt.h"
#include "toolchain/toolchain.h"

typedef struct kiln_compile_args {
  const char *target, *file, *out, *ios_min;
  const char *paths[64];
  int npaths;
  bool emit_c, timings, no_cache;
} kiln_compile_args;

static int kiln_compile_usage(void) {
  kiln_cli_error("usage: kiln compile --target T [-I DIR]... FILE.clj -o OUT [--emit-c] "
                 "[--timings] [--ios-min V] [--no-cache]\n  targets: %s",
                 kiln_tc_target_names());
  return 2;
}

static bool kiln_compile_parse(int argc, char **argv, kiln_compile_args *a) {
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    bool more = i + 1 < argc;
    if (strcmp(s, "--target") == 0 && more) a->target = argv[++i];
    else if (strncmp(s, "--target=", 9) == 0) a->target = s + 9;
    else if (strcmp(s, "-o") == 0 && more) a->out = argv[++i];
    else if (strcmp(s, "--ios-min") == 0 && more) a->ios_min = argv[++i];
    else if (strcmp(s, "-I") == 0 && more && a->npaths < 64) a->paths[a->npaths++] = argv[++i];
    else if (strncmp(s, "-I", 2) == 0 && s[2] && a->npaths < 64) a->paths[a->npaths++] = s + 2;
    else if (strcmp(s, "--emit-c") == 0) a->emit_c = true;
    else if (strcmp(s, "--timings") == 0) a->timings = true;
    else if (strcmp(s, "--no-cache") == 0) a->no_cache = true;
    else if (s[0] == '-' && s[1]) {
      kiln_cli_error("compile: unknown option '%s'", s);
      return false;
    } else if (!a->file) a->file = s;
    else {
      kiln_cli_error("compile: one source file at a time ('%s' and '%s')", a->file, s);
      return false;
    }
  }
  if (!a->target) a->target = "host";
  return a->file && a->out;
}

static bool kiln_compile_ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The patch id: the file's base name as an identifier, and 12 hex digits of
 * the source's SHA-256 (so different sources never share an entry name). */
static void kiln_compile_patch_id(const char *file, const char *text, size_t n, char *out,
                                  size_t outn) {
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t len = 0;
  for (; base[len] && base[len] != '.' && len < 40 && len + 14 < outn; len++) {
    char c = base[len];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out[len] = ok ? c : '_';
  }
  uint8_t d[KILN_SHA256_LEN];
  char hex[2 * KILN_SHA256_LEN + 1];
  kiln_sha256(text, n, d);
  kiln_hex_encode(d, sizeof d, hex);
  snprintf(out + len, outn - len, "%s%.12s", len ? "_" : "", hex);
}

/* Forms whose effects later forms' analysis may need. */
static bool kiln_compile_runs_at_compile_time(kiln_val form) {
  static const char *const heads[] = {
      "ns",       "in-ns",  "require",  "use",       "refer",       "refer-clojure",
      "alias",    "import", "defmacro", "defn",      "defn-",       "declare",
      "defmulti", "defmethod", "defprotocol", "defrecord", "deftype", "definline", NULL};
  if (!KILN_HAS_TYPE(form, KILN_T_LIST)) return false;
  kiln_val head = kiln_first(form);
  if (!KILN_HAS_TYPE(head, KILN_T_SYMBOL)) return false;
  const char *name = kiln_sym_name(head);
  for (int i = 0; heads[i]; i++)
    if (strcmp(name, heads[i]) == 0) return true;
  return false;
}

typedef struct kiln_compile_job {
  const kiln_compile_args *a;
  const char *text;
  size_t n;
  kiln_timings *t;
  const char *c;   /* out: the C source (GC memory) */
  size_t c_len;
  const char *ns;  /* out */
  char patch_id[64];
} kiln_compile_job;

/* Reads, analyzes (and for some forms evaluates) every form, then emits. */
static kiln_val kiln_compile_clj(void *ctx) {
  kiln_compile_job *job = ctx;
  kiln_val frame[] = {(kiln_val)kiln_v_ns, kiln_var_get(kiln_v_ns), (kiln_val)kiln_v_file,
                      kiln_str_cstr(job->a->file)};
  kiln_var_push_bindings(kiln_map_from(4, frame));
  kiln_read_opts ro = {job->a->file, 1, 1, KILN_NIL,
                       kiln_compile_ends_with(job->a->file, ".cljc")};
  kiln_reader *r = kiln_reader_new(job->text, job->n, &ro);
  kiln_node **units = NULL;
  uint32_t nunits = 0, cap = 0;
  kiln_val form;
  for (;;) {
    double t0 = kiln_now_ms();
    bool more = kiln_reader_next(r, &form);
    double t1 = kiln_now_ms();
    job->t->ms[KILN_PHASE_read] += t1 - t0;
    if (!more) break;
    kiln_node *unit = kiln_analyze(form);
    if (nunits == cap) {
      cap = cap ? cap * 2 : 16;
      kiln_node **grown = kiln_alloc(cap * sizeof *grown);
      if (nunits) memcpy(grown, units, nunits * sizeof *units);
      units = grown;
    }
    units[nunits++] = unit;
    if (kiln_compile_runs_at_compile_time(form)) kiln_interp_run(unit);
    job->t->ms[KILN_PHASE_analyze] += kiln_now_ms() - t1;
  }
  kiln_val ns = kiln_var_get(kiln_v_ns);
  job->ns = kiln_sym_name(((kiln_ns *)ns)->name);
  kiln_compile_patch_id(job->a->file, job->text, job->n, job->patch_id, sizeof job->patch_id);
  kiln_emit_opts eo = {job->patch_id, job->ns, job->a->file};
  double t2 = kiln_now_ms();
  job->c = kiln_emit_patch(units, nunits, &eo, &job->c_len);
  job->t->ms[KILN_PHASE_emit] = kiln_now_ms() - t2;
  kiln_var_pop_bindings();
  return KILN_NIL;
}

static bool kiln_compile_write(const char *path, const void *data, size_t n) {
  if (kiln_tc_write_file(path, data, n)) return true;
  kiln_cli_error("cannot write %s: %s", path, strerror(errno));
  return false;
}

int kiln_cmd_compile(int argc, char **argv) {
  kiln_compile_args a = {0};
  if (!kiln_compile_parse(argc, argv, &a)) return kiln_compile_usage();
  const kiln_target *target = kiln_tc_target_find(a.target);
  if (!target) {
    kiln_cli_error("unknown target '%s'; the targets are %s", a.target, kiln_tc_target_names());
    return 2;
  }
  kiln_tc_buf src = {0};
  if (!kiln_tc_read_file(a.file, &src)) {
    kiln_cli_error("cannot read %s: %s", a.file, strerror(errno));
    return 1;
  }
  kiln_timings t = {{0}};
  const char *c = (const char *)src.data;
  size_t c_len = src.size;
  if (!kiln_compile_ends_with(a.file, ".c")) {
    kiln_rt_init();
    for (int i = 0; i < a.npaths; i++) kiln_compiler_add_path(a.paths[i]);
    kiln_compile_job job = {&a, (const char *)src.data, src.size, &t, NULL, 0, NULL, {0}};
    kiln_val result, ex;
    if (!kiln_pcall(kiln_compile_clj, &job, &result, &ex)) {
      fprintf(stderr, "kiln: %s\n", kiln_compiler_error_text(ex));
      kiln_tc_buf_free(&src);
      return 1;
    }
    c = job.c;
    c_len = job.c_len;
  }
  int rc = 0;
  if (a.emit_c) {
    rc = kiln_compile_write(a.out, c, c_len) ? 0 : 1;
  } else {
    kiln_tc_opts opts = {a.ios_min, NULL, NULL, 0, a.no_cache};
    kiln_tc_result res = {0};
    if (kiln_tc_build(target, c, c_len, &opts, &res) != 0) {
      kiln_cli_error("%s: %s", a.file, res.message);
      if (res.diagnostics) fputs(res.diagnostics, stderr);
      rc = 1;
    } else {
      if (res.diagnostics) fputs(res.diagnostics, stderr);
      for (int p = KILN_PHASE_compile; p <= KILN_PHASE_sign; p++) t.ms[p] = res.t.ms[p];
      rc = kiln_compile_write(a.out, res.bytes, res.size) ? 0 : 1;
      if (rc == 0 && a.timings) {
        char line[512], driver[1200];
        kiln_timings_format(&t, line, sizeof line);
        fprintf(stderr, "kiln: %s: %s %s, %zu bytes, entry %s%s; %s; driver %s\n", a.out,
                target->name, kiln_tc_target_ext(target), res.size, res.entry,
                res.cached ? ", cached" : "", line, kiln_tc_driver_describe(driver, sizeof driver));
      }
    }
    kiln_tc_result_free(&res);
  }
  kiln_tc_buf_free(&src);
  return rc;
}
