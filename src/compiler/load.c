/*
 * load.c — evaluation of top-level forms, loading code (strings, files,
 * resources from the embedded library and the source path), namespaces
 * (in-ns, require, use) and the compiler's natives (eval, macroexpand,
 * instance?, class, type, ...). kiln_compiler_init runs last of the runtime's
 * subsystems and loads clojure.core from the embedded library.
 *
 * A resource "a/b_c.clj" is looked up in the embedded library first (so a
 * device needs no file system for the standard library), then in each
 * source-path directory in order: -I DIRs as given, then KILN_PATH's.
 * Loaded namespaces are remembered in a set (loaded-libs) so require loads
 * each once unless told :reload.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compiler/compiler.h"
#include "runtime/lib_sources.h"

bool kiln_interp_position(const char **file, int *line, int *column);
bool kiln_special_symbol_p(kiln_val sym);

/* ---- eval ---- */

static kiln_eval_hook eval_hook;
static void *eval_hook_ctx;

void kiln_compiler_set_eval_hook(kiln_eval_hook hook, void *ctx) {
  eval_hook_ctx = ctx;
  eval_hook = hook;
}

kiln_val kiln_current_ns(void) { return kiln_var_get(kiln_v_ns); }

static bool is_do_form(kiln_val form) {
  if (!kiln_is_seq(form) || kiln_seq(form) == KILN_NIL) return false;
  kiln_val op = kiln_first(form);
  return KILN_HAS_TYPE(op, KILN_T_SYMBOL) && kiln_sym_ns(op) == NULL &&
         strcmp(kiln_sym_name(op), "do") == 0;
}

/* Gives an expansion without a position the position of the form it came from. */
static kiln_val keep_position(kiln_val expanded, kiln_val original) {
  if (!kiln_is_seq(expanded)) return expanded;
  kiln_val kl = kiln_kw(NULL, "line");
  kiln_val m = kiln_meta(expanded);
  if (kiln_get(m, kl, KILN_NIL) != KILN_NIL) return expanded;
  kiln_val om = kiln_is_seq(original) ? kiln_meta(original) : KILN_NIL;
  kiln_val line = kiln_get(om, kl, KILN_NIL);
  if (line == KILN_NIL) return expanded;
  m = kiln_assoc(m == KILN_NIL ? kiln_empty_map : m, kl, line);
  m = kiln_assoc(m, kiln_kw(NULL, "column"), kiln_get(om, kiln_kw(NULL, "column"), KILN_NIL));
  return kiln_with_meta(expanded, m);
}

typedef struct expand1_ctx {
  kiln_val form;
} expand1_ctx;

static kiln_val expand1_body(void *p) { return kiln_macroexpand_1(((expand1_ctx *)p)->form); }

/* macroexpand-1 that reports a failing macro at the form's position, as the
 * analyzer does for nested forms. */
static kiln_val expand_top(kiln_val form) {
  expand1_ctx x = {form};
  kiln_val r, ex;
  if (kiln_pcall(expand1_body, &x, &r, &ex)) return r;
  if (KILN_HAS_TYPE(ex, KILN_T_EXCEPTION) &&
      strcmp(((kiln_exception *)ex)->cls, "clojure.lang.Compiler$CompilerException") == 0)
    kiln_throw(ex);
  kiln_val m = kiln_is_seq(form) ? kiln_meta(form) : KILN_NIL;
  kiln_val line = kiln_get(m, kiln_kw(NULL, "line"), KILN_NIL);
  kiln_val col = kiln_get(m, kiln_kw(NULL, "column"), KILN_NIL);
  kiln_val file = kiln_var_get(kiln_v_file);
  if (line == KILN_NIL) kiln_throw(ex);
  kiln_val kvs[] = {kiln_kw("clojure.error", "source"), file,
                    kiln_kw("clojure.error", "line"), line,
                    kiln_kw("clojure.error", "column"), col,
                    kiln_kw("clojure.error", "phase"), kiln_kw(NULL, "macroexpansion")};
  kiln_val msg = KILN_HAS_TYPE(ex, KILN_T_EXCEPTION) ? ((kiln_exception *)ex)->msg : KILN_NIL;
  kiln_throw(kiln_ex_new("clojure.lang.Compiler$CompilerException", msg, kiln_map_from(8, kvs), ex));
}

kiln_val kiln_eval_form(kiln_val form) {
  for (;;) {
    kiln_val e = expand_top(form);
    if (e == form) break;
    form = keep_position(e, form);
  }
  if (is_do_form(form)) {
    kiln_val r = KILN_NIL;
    for (kiln_val s = kiln_next(form); s != KILN_NIL; s = kiln_next(s))
      r = kiln_eval_form(keep_position(kiln_first(s), form));
    return r;
  }
  kiln_node *top = kiln_analyze(form);
  if (eval_hook) {
    /* Compiled code does not record positions; a stale interpreter one would mislead. */
    kiln_interp_clear_position();
    return eval_hook(top, form, eval_hook_ctx);
  }
  return kiln_interp_run(top);
}

/* ---- the source path ---- */

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static char **source_path;
static size_t nsource_path;

void kiln_compiler_add_path(const char *dir) {
  pthread_mutex_lock(&load_lock);
  for (size_t i = 0; i < nsource_path; i++)
    if (strcmp(source_path[i], dir) == 0) {
      pthread_mutex_unlock(&load_lock);
      return;
    }
  char **p = realloc(source_path, (nsource_path + 1) * sizeof *p);
  if (p) {
    source_path = p;
    source_path[nsource_path++] = strdup(dir);
  }
  pthread_mutex_unlock(&load_lock);
}

static void add_env_path(void) {
  const char *env = getenv("KILN_PATH");
  if (!env) return;
  char *copy = strdup(env);
  for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
    if (*d) kiln_compiler_add_path(d);
  free(copy);
}

/* Reads a whole file into GC memory; NULL (errno set) on failure. */
static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
    fclose(f);
    errno = EISDIR;
    return NULL;
  }
  size_t cap = (size_t)st.st_size + 1, len = 0;
  char *buf = kiln_alloc_atomic(cap + 1);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char *b = kiln_alloc_atomic(2 * cap + 1);
      memcpy(b, buf, len);
      buf = b;
      cap *= 2;
    }
  }
  fclose(f);
  buf[len] = 0;
  *n = len;
  return buf;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- loading text ---- */

static kiln_val load_text(const char *text, size_t n, const char *file, bool cljc) {
  kiln_interp_clear_position();
  kiln_val filev = kiln_str_cstr(file ? file : "NO_SOURCE_PATH");
  /* As the JVM's load: in-ns and set! of these inside the file stay inside it. */
  kiln_var *vars[] = {kiln_v_ns, kiln_v_file, kiln_v_warn_on_reflection, kiln_v_unchecked_math,
                      kiln_v_data_readers};
  kiln_val vals[] = {kiln_current_ns(), filev, kiln_var_get(kiln_v_warn_on_reflection),
                     kiln_var_get(kiln_v_unchecked_math), kiln_var_get(kiln_v_data_readers)};
  kiln_var_push_bindings_n(5, vars, vals);
  kiln_read_opts opts = {0};
  opts.file = kiln_str_data(filev);
  opts.line = 1;
  opts.column = 1;
  opts.allow_cond = cljc;
  kiln_reader *r = kiln_reader_new(text, n, &opts);
  kiln_val form, result = KILN_NIL;
  while (kiln_reader_next(r, &form)) {
    int line, column;
    size_t off;
    kiln_reader_form_start(r, &line, &column, &off);
    kiln_compiler_set_position(line, column);
    result = kiln_eval_form(form);
  }
  kiln_var_pop_bindings();
  return result;
}

kiln_val kiln_load_string(const char *text, size_t n, const char *file) {
  return load_text(text, n, file, file && ends_with(file, ".cljc"));
}

kiln_val kiln_load_file(const char *path) {
  size_t n;
  char *text = slurp(path, &n);
  if (!text)
    kiln_throwf("java.io.FileNotFoundException", "%s (%s)", path, strerror(errno));
  return load_text(text, n, path, ends_with(path, ".cljc"));
}

/* Runs the compiled form of library file [path] if the build has one, with
 * the bindings load_text gives a file; false if it has none. Set
 * KILN_INTERP_LIB=1 to read the sources instead. */
static bool run_compiled(const char *path, kiln_val *result) {
  static int use = -1;
  if (use < 0) use = getenv("KILN_INTERP_LIB") == NULL;
  if (!use) return false;
  for (const kiln_lib_unit *c = kiln_lib_compiled; c->path; c++) {
    if (strcmp(c->path, path) != 0) continue;
    const kiln_patch_desc *d = c->entry(kiln_rt_api());
    if (d->abi_version != KILN_ABI_VERSION || d->layout_hash != KILN_LAYOUT_HASH)
      kiln_throwf(KILN_EX_ILLEGAL_STATE, "compiled library %s does not match this runtime", path);
    kiln_trace_register(d->fns, d->nfns);
    kiln_var *vars[] = {kiln_v_ns, kiln_v_file, kiln_v_warn_on_reflection, kiln_v_unchecked_math,
                        kiln_v_data_readers};
    kiln_val vals[] = {kiln_current_ns(), kiln_str_cstr(path),
                       kiln_var_get(kiln_v_warn_on_reflection),
                       kiln_var_get(kiln_v_unchecked_math), kiln_var_get(kiln_v_data_readers)};
    kiln_var_push_bindings_n(5, vars, vals);
    *result = d->run();
    kiln_var_pop_bindings();
    return true;
  }
  return false;
}

/* Finds [path] (with an extension) in the embedded library or on the source
 * path; sets *text, *n and *where. */
static bool find_resource(const char *path, const char **text, size_t *n, const char **where) {
  for (const kiln_lib_source *s = kiln_lib_sources; s->path; s++)
    if (strcmp(s->path, path) == 0) {
      *text = s->text;
      *n = s->nbytes;
      *where = s->path;
      return true;
    }
  pthread_mutex_lock(&load_lock);
  size_t np = nsource_path;
  char **dirs = source_path;
  pthread_mutex_unlock(&load_lock);
  for (size_t i = 0; i < np; i++) {
    size_t len = strlen(dirs[i]) + strlen(path) + 2;
    char *full = kiln_alloc_atomic(len);
    snprintf(full, len, "%s/%s", dirs[i], path);
    char *t = slurp(full, n);
    if (t) {
      *text = t;
      *where = full;
      return true;
    }
  }
  return false;
}

/* Loads [base] + .clj or .cljc; false if neither exists. */
static bool try_load_resource(const char *base, kiln_val *result) {
  static const char *const exts[] = {".clj", ".cljc"};
  for (size_t i = 0; i < 2; i++) {
    char *path = kiln_alloc_atomic(strlen(base) + 6);
    sprintf(path, "%s%s", base, exts[i]);
    const char *text, *where;
    size_t n;
    if (run_compiled(path, result)) return true;
    if (find_resource(path, &text, &n, &where)) {
      *result = load_text(text, n, where, i == 1);
      return true;
    }
  }
  return false;
}

kiln_val kiln_load_resource(const char *path) {
  kiln_val r = KILN_NIL;
  if (ends_with(path, ".clj") || ends_with(path, ".cljc")) {
    const char *text, *where;
    size_t n;
    if (run_compiled(path, &r)) return r;
    if (!find_resource(path, &text, &n, &where))
      kiln_throwf("java.io.FileNotFoundException",
                  "Could not locate %s in the library or on the source path (-I DIR, KILN_PATH)",
                  path);
    return load_text(text, n, where, ends_with(path, ".cljc"));
  }
  if (!try_load_resource(path, &r))
    kiln_throwf("java.io.FileNotFoundException",
                "Could not locate %s.clj or %s.cljc in the library or on the source path "
                "(-I DIR, KILN_PATH)",
                path, path);
  return r;
}

/* ---- namespaces ---- */

static kiln_val loaded_libs; /* set of symbols */
static kiln_val loading_libs; /* set of symbols being loaded (cycle check) */

static bool lib_loaded(kiln_val sym) {
  pthread_mutex_lock(&load_lock);
  bool r = loaded_libs != KILN_NIL && kiln_contains(loaded_libs, sym);
  pthread_mutex_unlock(&load_lock);
  return r;
}

static void lib_mark(kiln_val *set, kiln_val sym, bool add) {
  pthread_mutex_lock(&load_lock);
  if (*set == KILN_NIL) *set = kiln_empty_set;
  *set = add ? kiln_set_conj(*set, sym) : kiln_set_disj(*set, sym);
  pthread_mutex_unlock(&load_lock);
}

/* "a.b-c" -> "a/b_c" */
static char *ns_to_path(const char *ns) {
  char *p = kiln_alloc_atomic(strlen(ns) + 1);
  size_t i = 0;
  for (; ns[i]; i++) p[i] = ns[i] == '.' ? '/' : ns[i] == '-' ? '_' : ns[i];
  p[i] = 0;
  return p;
}

void kiln_require(kiln_val ns_sym, bool reload) {
  if (!reload && lib_loaded(ns_sym)) return;
  pthread_mutex_lock(&load_lock);
  bool cyclic = loading_libs != KILN_NIL && kiln_contains(loading_libs, ns_sym);
  pthread_mutex_unlock(&load_lock);
  if (cyclic)
    kiln_throwf(KILN_EX_RUNTIME, "Cyclic load dependency: %s", kiln_sym_name(ns_sym));
  const char *name = kiln_sym_name(ns_sym);
  char *path = ns_to_path(name);
  kiln_val r;
  lib_mark(&loading_libs, ns_sym, true);
  kiln_try t;
  volatile bool found = false, failed = false;
  kiln_val ex = KILN_NIL;
  KILN_TRY(t) { found = try_load_resource(path, &r); }
  KILN_CATCH(t) {
    failed = true;
    ex = t.exception;
  }
  KILN_END(t);
  lib_mark(&loading_libs, ns_sym, false);
  if (failed) kiln_throw(ex);
  if (!found) {
    /* A namespace that exists only in memory (natives a host registered, a
     * namespace made at the REPL) needs no file. */
    if (kiln_ns_find(ns_sym) != KILN_NIL) {
      lib_mark(&loaded_libs, ns_sym, true);
      return;
    }
    kiln_throwf("java.io.FileNotFoundException",
                "Could not locate %s.clj or %s.cljc in the library or on the source path "
                "(-I DIR, KILN_PATH)",
                path, path);
  }
  if (kiln_ns_find(ns_sym) == KILN_NIL)
    kiln_throwf(KILN_EX_RUNTIME, "namespace '%s' not found after loading '/%s'", name, path);
  lib_mark(&loaded_libs, ns_sym, true);
}

kiln_val kiln_in_ns(kiln_val name_sym) {
  if (!KILN_HAS_TYPE(name_sym, KILN_T_SYMBOL))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.Symbol",
                kiln_class_name(name_sym));
  kiln_val ns = kiln_ns_find_or_create(name_sym);
  kiln_try t;
  volatile bool bound = true;
  KILN_TRY(t) { kiln_var_set(kiln_v_ns, ns); }
  KILN_CATCH(t) { bound = false; }
  KILN_END(t);
  if (!bound) kiln_var_set_root(kiln_v_ns, ns);
  return ns;
}

/* ---- require and use ---- */

static kiln_val kw(const char *name) { return kiln_kw(NULL, name); }

static kiln_val refer_var(void) {
  kiln_var *v = kiln_var_find("clojure.core", "refer");
  if (!v) kiln_throwf(KILN_EX_ILLEGAL_STATE, "clojure.core/refer is missing");
  return kiln_var_get(v);
}

/* Loads one lib spec: a symbol, or [lib & options]. */
static void load_lib(kiln_val prefix, kiln_val spec, bool reload, bool use) {
  kiln_val lib = spec, opts = KILN_NIL;
  if (KILN_HAS_TYPE(spec, KILN_T_VECTOR)) {
    lib = kiln_first(spec);
    opts = kiln_next(spec);
  }
  if (!KILN_HAS_TYPE(lib, KILN_T_SYMBOL))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Bad lib spec: %s", kiln_pr_str(spec));
  if (prefix != KILN_NIL) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_printf(&sb, "%s.%s", kiln_sym_name(prefix), kiln_sym_name(lib));
    lib = kiln_sym(NULL, kiln_sb_cstr(&sb));
  }
  kiln_val as = KILN_NIL, as_alias = KILN_NIL, refer = KILN_NIL, filters = kiln_empty_vector;
  bool has_refer = false;
  for (kiln_val s = opts; s != KILN_NIL; s = kiln_next(kiln_next(s))) {
    kiln_val k = kiln_first(s), v = kiln_first(kiln_next(s));
    if (k == kw("as")) as = v;
    else if (k == kw("as-alias")) as_alias = v;
    else if (k == kw("refer")) { refer = v; has_refer = true; }
    else if (k == kw("only") || k == kw("exclude") || k == kw("rename")) {
      filters = kiln_conj(kiln_conj(filters, k), v);
    } else if (k == kw("reload") || k == kw("reload-all") || k == kw("verbose")) {
      reload = true;
      continue;
    } else {
      kiln_throwf(KILN_EX_ILLEGAL_ARG, "Unsupported option(s) supplied: %s", kiln_pr_str(k));
    }
  }
  if (as_alias != KILN_NIL && as == KILN_NIL && !has_refer && !use) {
    kiln_ns_alias(kiln_current_ns(), as_alias, kiln_ns_find_or_create(lib));
    return;
  }
  kiln_require(lib, reload);
  kiln_val ns = kiln_ns_find(lib);
  if (as != KILN_NIL) kiln_ns_alias(kiln_current_ns(), as, ns);
  if (as_alias != KILN_NIL) kiln_ns_alias(kiln_current_ns(), as_alias, ns);
  if (use || has_refer) {
    uint32_t nf = (uint32_t)kiln_count_int(filters);
    kiln_val argv[8];
    uint32_t argc = 0;
    argv[argc++] = lib;
    if (has_refer && refer != kw("all")) {
      argv[argc++] = kw("only");
      argv[argc++] = refer;
    }
    for (uint32_t i = 0; i < nf && argc < 8; i++) argv[argc++] = kiln_nth(filters, i, KILN_NIL, false);
    kiln_call(refer_var(), argc, argv);
  }
}

static kiln_val do_require(uint32_t argc, const kiln_val *argv, bool use) {
  bool reload = false;
  for (uint32_t i = 0; i < argc; i++)
    if (argv[i] == kw("reload") || argv[i] == kw("reload-all")) reload = true;
  for (uint32_t i = 0; i < argc; i++) {
    kiln_val a = argv[i];
    if (KILN_HAS_TYPE(a, KILN_T_KEYWORD)) continue;
    if (kiln_is_seq(a) || KILN_HAS_TYPE(a, KILN_T_LIST)) {
      /* A prefix list: (prefix lib1 [lib2 :as x]). */
      kiln_val prefix = kiln_first(a);
      for (kiln_val s = kiln_next(a); s != KILN_NIL; s = kiln_next(s))
        load_lib(prefix, kiln_first(s), reload, use);
      continue;
    }
    load_lib(KILN_NIL, a, reload, use);
  }
  return KILN_NIL;
}

/* ---- natives ---- */

KILN_NATIVE(n_require) { return do_require(argc, argv, false); }
KILN_NATIVE(n_use) { return do_require(argc, argv, true); }

KILN_NATIVE(n_in_ns) {
  KILN_ARITY("clojure.core/in-ns", argc == 1);
  return kiln_in_ns(argv[0]);
}

KILN_NATIVE(n_load) {
  kiln_val r = KILN_NIL;
  for (uint32_t i = 0; i < argc; i++) {
    if (!KILN_HAS_TYPE(argv[i], KILN_T_STRING))
      kiln_throwf(KILN_EX_CLASS_CAST, "load expects strings, got: %s", kiln_pr_str(argv[i]));
    const char *p = kiln_str_data(argv[i]);
    if (*p == '/') {
      p++;
    } else {
      /* Relative to the current namespace's directory, as on the JVM. */
      const char *dir = ns_to_path(kiln_ns_name(kiln_current_ns()));
      const char *slash = strrchr(dir, '/');
      if (slash) {
        char *full = kiln_alloc_atomic(strlen(dir) + strlen(p) + 2);
        sprintf(full, "%.*s/%s", (int)(slash - dir), dir, p);
        p = full;
      }
    }
    r = kiln_load_resource(p);
  }
  return r;
}

KILN_NATIVE(n_load_file) {
  KILN_ARITY("clojure.core/load-file", argc == 1);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_STRING))
    kiln_throwf(KILN_EX_CLASS_CAST, "load-file expects a string path");
  return kiln_load_file(kiln_str_data(argv[0]));
}

KILN_NATIVE(n_load_string) {
  KILN_ARITY("clojure.core/load-string", argc == 1);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_STRING))
    kiln_throwf(KILN_EX_CLASS_CAST, "load-string expects a string");
  return load_text(kiln_str_data(argv[0]), kiln_str_nbytes(argv[0]), "NO_SOURCE_PATH", false);
}

KILN_NATIVE(n_eval) {
  KILN_ARITY("clojure.core/eval", argc == 1);
  return kiln_eval_form(argv[0]);
}

KILN_NATIVE(n_macroexpand_1) {
  KILN_ARITY("clojure.core/macroexpand-1", argc == 1);
  return kiln_macroexpand_1(argv[0]);
}

KILN_NATIVE(n_macroexpand) {
  KILN_ARITY("clojure.core/macroexpand", argc == 1);
  return kiln_macroexpand(argv[0]);
}

KILN_NATIVE(n_special_symbol_p) {
  KILN_ARITY("clojure.core/special-symbol?", argc == 1);
  return KILN_BOOL(kiln_special_symbol_p(argv[0]));
}

KILN_NATIVE(n_case_fail) {
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "No matching clause: %s",
              argc ? kiln_print_str(argv[0]) : "");
}

KILN_NATIVE(n_loaded_libs) {
  pthread_mutex_lock(&load_lock);
  kiln_val r = loaded_libs == KILN_NIL ? kiln_empty_set : loaded_libs;
  pthread_mutex_unlock(&load_lock);
  return r;
}

KILN_NATIVE(n_nano_time) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return kiln_long((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

KILN_NATIVE(n_add_source_path) {
  KILN_ARITY("kiln.core/add-source-path!", argc == 1);
  kiln_compiler_add_path(kiln_str_data(argv[0]));
  return KILN_NIL;
}

/* ---- classes: class, type, instance? ---- */

static kiln_val class_sym(kiln_val x) {
  if (x == KILN_NIL) return KILN_NIL;
  if (KILN_HAS_TYPE(x, KILN_T_EXCEPTION)) return kiln_sym(NULL, ((kiln_exception *)x)->cls);
  if (KILN_HAS_TYPE(x, KILN_T_RECORD) || KILN_HAS_TYPE(x, KILN_T_TYPE)) return kiln_record_tag(x);
  return kiln_sym(NULL, kiln_class_name(x));
}

KILN_NATIVE(n_class) {
  KILN_ARITY("clojure.core/class", argc == 1);
  return class_sym(argv[0]);
}

KILN_NATIVE(n_type) {
  KILN_ARITY("clojure.core/type", argc == 1);
  kiln_val m = kiln_meta_of(argv[0]);
  if (m != KILN_NIL) {
    kiln_val t = kiln_get(m, kw("type"), KILN_NIL);
    if (t != KILN_NIL) return t;
  }
  return class_sym(argv[0]);
}

static bool is_number(kiln_val x) { return kiln_is_number(x); }
static bool is_integer(kiln_val x) {
  return kiln_is_long(x) || KILN_HAS_TYPE(x, KILN_T_BIGINT);
}
static bool is_char_seq(kiln_val x) { return KILN_HAS_TYPE(x, KILN_T_STRING); }
static bool is_bool(kiln_val x) { return x == KILN_TRUE || x == KILN_FALSE; }
static bool is_char(kiln_val x) { return KILN_IS_CHAR(x); }
static bool is_map(kiln_val x) { return kiln_is_map(x); }
static bool is_vector(kiln_val x) { return kiln_is_vector(x); }
static bool is_set(kiln_val x) { return kiln_is_set(x); }
static bool is_seq(kiln_val x) { return kiln_is_seq(x); }
static bool is_coll(kiln_val x) { return kiln_is_coll(x); }
static bool is_sequential(kiln_val x) { return kiln_is_sequential(x); }
static bool is_fn_like(kiln_val x) { return KILN_HAS_TYPE(x, KILN_T_FN); }
static bool is_ifn(kiln_val x) {
  switch (kiln_type_of(x)) {
    case KILN_T_FN: case KILN_T_KEYWORD: case KILN_T_SYMBOL: case KILN_T_VECTOR:
    case KILN_T_ARRAY_MAP: case KILN_T_HASH_MAP: case KILN_T_SORTED_MAP: case KILN_T_HASH_SET:
    case KILN_T_SORTED_SET: case KILN_T_VAR: case KILN_T_MULTIFN: case KILN_T_MAP_ENTRY:
    case KILN_T_RECORD:
      return true;
    default:
      return false;
  }
}
static bool is_list(kiln_val x) {
  return KILN_HAS_TYPE(x, KILN_T_LIST) || KILN_HAS_TYPE(x, KILN_T_EMPTY_LIST);
}
static bool is_named(kiln_val x) {
  return KILN_HAS_TYPE(x, KILN_T_SYMBOL) || KILN_HAS_TYPE(x, KILN_T_KEYWORD);
}
static bool is_counted(kiln_val x) {
  return is_coll(x) && !KILN_HAS_TYPE(x, KILN_T_LAZY_SEQ) && !KILN_HAS_TYPE(x, KILN_T_CONS) &&
         !KILN_HAS_TYPE(x, KILN_T_SEQ);
}
static bool is_deref(kiln_val x) {
  switch (kiln_type_of(x)) {
    case KILN_T_ATOM: case KILN_T_VOLATILE: case KILN_T_DELAY: case KILN_T_VAR:
    case KILN_T_REDUCED:
      return true;
    default:
      return false;
  }
}
static bool is_meta(kiln_val x) {
  switch (kiln_type_of(x)) {
    case KILN_T_SYMBOL: case KILN_T_LIST: case KILN_T_EMPTY_LIST: case KILN_T_CONS:
    case KILN_T_LAZY_SEQ: case KILN_T_VECTOR: case KILN_T_ARRAY_MAP: case KILN_T_HASH_MAP:
    case KILN_T_HASH_SET: case KILN_T_SORTED_MAP: case KILN_T_SORTED_SET: case KILN_T_SEQ:
    case KILN_T_FN: case KILN_T_VAR: case KILN_T_NAMESPACE: case KILN_T_ATOM:
    case KILN_T_RECORD: case KILN_T_MAP_ENTRY:
      return true;
    default:
      return false;
  }
}
static bool is_comparable(kiln_val x) {
  return is_number(x) || is_char_seq(x) || is_named(x) || is_bool(x) || is_char(x) ||
         is_vector(x) || KILN_HAS_TYPE(x, KILN_T_UUID) || KILN_HAS_TYPE(x, KILN_T_INST);
}
static bool is_throwable(kiln_val x) { return KILN_HAS_TYPE(x, KILN_T_EXCEPTION); }

/* Interfaces and abstract classes: a predicate each. */
static const struct {
  const char *name;
  bool (*pred)(kiln_val);
} class_preds[] = {
    {"java.lang.Number", is_number},
    {"java.lang.Long", kiln_is_long},
    {"java.lang.Integer", is_integer},
    {"clojure.lang.BigInt", is_integer},
    {"java.lang.CharSequence", is_char_seq},
    {"java.lang.Boolean", is_bool},
    {"java.lang.Character", is_char},
    {"java.lang.Comparable", is_comparable},
    {"java.lang.Throwable", is_throwable},
    {"clojure.lang.IPersistentMap", is_map},
    {"java.util.Map", is_map},
    {"clojure.lang.APersistentMap", is_map},
    {"clojure.lang.Associative", is_map},
    {"clojure.lang.IPersistentVector", is_vector},
    {"clojure.lang.APersistentVector", is_vector},
    {"java.util.List", is_sequential},
    {"java.util.RandomAccess", is_vector},
    {"clojure.lang.IPersistentSet", is_set},
    {"java.util.Set", is_set},
    {"clojure.lang.APersistentSet", is_set},
    {"clojure.lang.ISeq", is_seq},
    {"clojure.lang.ASeq", is_seq},
    {"clojure.lang.IPersistentList", is_list},
    {"clojure.lang.IPersistentCollection", is_coll},
    {"java.util.Collection", is_coll},
    {"clojure.lang.Seqable", kiln_is_seqable},
    {"java.lang.Iterable", is_coll},
    {"clojure.lang.Sequential", is_sequential},
    {"clojure.lang.Counted", is_counted},
    {"clojure.lang.IFn", is_ifn},
    {"clojure.lang.Fn", is_fn_like},
    {"clojure.lang.AFn", is_fn_like},
    {"clojure.lang.AFunction", is_fn_like},
    {"java.lang.Runnable", is_fn_like},
    {"java.util.concurrent.Callable", is_fn_like},
    {"clojure.lang.Named", is_named},
    {"clojure.lang.IDeref", is_deref},
    {"clojure.lang.IMeta", is_meta},
    {"clojure.lang.IObj", is_meta},
};

static bool instance_of(const char *cls, kiln_val x) {
  if (strcmp(cls, "java.lang.Object") == 0) return x != KILN_NIL;
  if (x == KILN_NIL) return false;
  for (size_t i = 0; i < KILN_ARRAY_LEN(class_preds); i++)
    if (strcmp(class_preds[i].name, cls) == 0) return class_preds[i].pred(x);
  if (KILN_HAS_TYPE(x, KILN_T_EXCEPTION)) return kiln_ex_is(x, cls);
  if (KILN_HAS_TYPE(x, KILN_T_RECORD) || KILN_HAS_TYPE(x, KILN_T_TYPE)) {
    if (strcmp(kiln_sym_name(kiln_record_tag(x)), cls) == 0) return true;
    if (KILN_HAS_TYPE(x, KILN_T_RECORD) && strcmp(cls, "clojure.lang.IRecord") == 0) return true;
  }
  const char *mine = kiln_class_name(x);
  if (strcmp(mine, cls) == 0) return true;
  /* Kiln's one map, seq and list classes stand in for the JVM's several. */
  if (kiln_is_map(x) && (strcmp(cls, "clojure.lang.PersistentArrayMap") == 0 ||
                         strcmp(cls, "clojure.lang.PersistentHashMap") == 0))
    return strcmp(mine, cls) == 0;
  return false;
}

KILN_NATIVE(n_instance_p) {
  KILN_ARITY("clojure.core/instance?", argc == 2);
  kiln_val c = argv[0];
  const char *cls;
  if (KILN_HAS_TYPE(c, KILN_T_SYMBOL)) {
    cls = kiln_class_for_symbol(c);
    if (!cls) cls = kiln_sym_name(c);
  } else if (KILN_HAS_TYPE(c, KILN_T_STRING)) {
    cls = kiln_str_data(c);
  } else {
    kiln_throwf(KILN_EX_CLASS_CAST, "instance? expects a class, got: %s", kiln_pr_str(c));
  }
  return KILN_BOOL(instance_of(cls, argv[1]));
}

static const kiln_native_def compiler_natives[] = {
    {"require", "([& args])",
     "Loads each named lib (namespace) unless it has been loaded already, then\n  sets up names for it in the current namespace. An argument is a symbol, a\n  vector of a symbol and options (:as alias, :as-alias alias which only\n  aliases and loads nothing, :refer [names] or :refer :all), a list of a\n  common prefix followed by such specs, or a flag: :reload or :reload-all\n  load again even what is loaded (:verbose is accepted and does the same). A\n  lib a.b-c is read from a/b_c.clj or a/b_c.cljc, looked up in the library\n  built into Kiln, then in each source-path directory (-I and KILN_PATH).\n  Returns nil.",
     n_require, 0},
    {"use", "([& args])", "Does what require does and then refers each lib's public vars into the\n  current namespace, as refer would; a lib vector may carry :only, :exclude\n  and :rename for that step. Returns nil.",
     n_use, 0},
    {"in-ns", "([name])",
     "Makes the namespace called name (a symbol) the current one, *ns*, creating\n  it when it does not exist yet, and returns it. Unlike the ns macro it\n  refers nothing.", n_in_ns, 0},
    {"load", "([& paths])",
     "Loads code from each path (a string without extension, read as path.clj or\n  path.cljc). A path starting with / is taken from the root of the library\n  and source path; any other is taken relative to the directory of the\n  current namespace. Returns the value of the last form.",
     n_load, 0},
    {"load-file", "([name])", "Reads and evaluates, one by one, every form in the file at the path name,\n  and returns the value of the last one.",
     n_load_file, 0},
    {"load-string", "([s])",
     "Reads and evaluates, one by one, every form in the string s, and returns\n  the value of the last one (nil for a string with none).", n_load_string, 0},
    {"eval", "([form])", "Evaluates form, a data structure such as a list or a symbol (not a string\n  of code), in the current namespace and returns its value.",
     n_eval, 0},
    {"macroexpand-1", "([form])",
     "Expands form once when it is a call of a macro and returns the expansion;\n  any other form comes back unchanged. Forms inside it are not expanded.", n_macroexpand_1,
     0},
    {"macroexpand", "([form])",
     "Applies macroexpand-1 to form again and again while its head names a\n  macro, and returns the first result that is no longer a macro call.\n  Subforms stay as they are; clojure.walk/macroexpand-all expands those too.",
     n_macroexpand, 0},
    {"special-symbol?", "([s])", "True when the compiler treats the symbol s as a special form of its own\n  (if, do, let*, fn*, def, quote, try, ...) rather than as a macro or\n  function.", n_special_symbol_p, 0},
    {"-case-fail", "([x])", "Throws the error of a case with no matching clause.", n_case_fail, 0},
    {"-nano-time", "([])", "A monotonic clock in nanoseconds (System/nanoTime).", n_nano_time, 0},
    {"-loaded-libs", "([])", "The set of loaded lib symbols.", n_loaded_libs, 0},
    {"class", "([x])", "A symbol for what Kiln reports as x's class: the JVM class name its type\n  corresponds to (java.lang.Long, clojure.lang.PersistentVector, ...), or a\n  record or deftype's own type symbol. nil for nil.",
     n_class, 0},
    {"type", "([x])", "The value of x's :type metadata when it has one, otherwise (class x).", n_type, 0},
    {"instance?", "([c x])", "True when x belongs to the class c, given as a class symbol such as String\n  or clojure.lang.IPersistentMap, or as a record or deftype name. Kiln knows\n  which JVM classes and interfaces each of its own types stands for, so\n  supertypes and interfaces count.",
     n_instance_p, 0},
};

static const kiln_native_def kiln_core_natives[] = {
    {"add-source-path!", "([dir])", "Adds a directory to the source path.", n_add_source_path, 0},
};

/* ---- errors ---- */

bool kiln_compiler_error_position(kiln_val ex, const char **file, int *line, int *column) {
  if (kiln_reader_error_pos(ex, file, line, column)) return true;
  for (kiln_val e = ex; KILN_HAS_TYPE(e, KILN_T_EXCEPTION); e = ((kiln_exception *)e)->cause) {
    kiln_exception *x = (kiln_exception *)e;
    if (strcmp(x->cls, "clojure.lang.Compiler$CompilerException") != 0) break;
    kiln_val d = x->data;
    kiln_val l = kiln_get(d, kiln_kw("clojure.error", "line"), KILN_NIL);
    kiln_val c = kiln_get(d, kiln_kw("clojure.error", "column"), KILN_NIL);
    kiln_val s = kiln_get(d, kiln_kw("clojure.error", "source"), KILN_NIL);
    if (KILN_IS_FIXNUM(l)) {
      *line = (int)KILN_FIXNUM_VALUE(l);
      *column = KILN_IS_FIXNUM(c) ? (int)KILN_FIXNUM_VALUE(c) : 0;
      *file = KILN_HAS_TYPE(s, KILN_T_STRING) ? kiln_str_data(s) : "NO_SOURCE_PATH";
      return true;
    }
  }
  /* A runtime error: where it was thrown, from its recorded chain of calls
   * (column 0 for compiled frames, which know the fn's line only). */
  const kiln_patch_fn *top = kiln_ex_top_frame(ex);
  if (top && top->line > 0) {
    *file = top->file ? top->file : "NO_SOURCE_FILE";
    *line = top->line;
    *column = top->column;
    return true;
  }
  return kiln_interp_position(file, line, column);
}

const char *kiln_compiler_error_text(kiln_val ex) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  const char *file;
  int line, column;
  if (kiln_compiler_error_position(ex, &file, &line, &column)) {
    if (column > 0) kiln_sb_printf(&sb, "%s:%d:%d: ", file, line, column);
    else kiln_sb_printf(&sb, "%s:%d: ", file, line);
  }
  if (KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) {
    kiln_exception *x = (kiln_exception *)ex;
    const char *msg = kiln_ex_message(ex);
    bool compiler = strcmp(x->cls, "clojure.lang.Compiler$CompilerException") == 0;
    /* A macroexpansion failure's message is its cause's. */
    if (compiler && x->cause != KILN_NIL && !*msg) msg = kiln_ex_message(x->cause);
    if (!compiler && strcmp(x->cls, KILN_EX_INFO) != 0 &&
        strcmp(x->cls, "clojure.lang.LispReader$ReaderException") != 0 &&
        !kiln_reader_error_pos(ex, NULL, NULL, NULL)) {
      const char *dot = strrchr(x->cls, '.');
      kiln_sb_printf(&sb, "%s: ", dot ? dot + 1 : x->cls);
    }
    kiln_sb_puts(&sb, msg);
    if (strcmp(x->cls, KILN_EX_INFO) == 0 && x->data != KILN_NIL &&
        kiln_count_int(x->data) > 0 && !kiln_reader_error_pos(ex, NULL, NULL, NULL)) {
      kiln_sb_puts(&sb, " ");
      kiln_sb_puts(&sb, kiln_pr_str(x->data));
    }
  } else {
    kiln_sb_puts(&sb, kiln_pr_str(ex));
  }
  return kiln_sb_cstr(&sb);
}

/* ---- start-up ---- */

void kiln_compiler_init(void) {
  kiln_natives_register("clojure.core", compiler_natives, KILN_ARRAY_LEN(compiler_natives));
  kiln_natives_register("kiln.core", kiln_core_natives, KILN_ARRAY_LEN(kiln_core_natives));
  add_env_path();
  kiln_val ex = KILN_NIL;
  kiln_try t;
  volatile bool failed = false;
  KILN_TRY(t) {
    kiln_var *vars[] = {kiln_v_ns};
    kiln_val vals[] = {kiln_ns_core};
    kiln_var_push_bindings_n(1, vars, vals);
    kiln_load_resource("clojure/core.clj");
    kiln_var_pop_bindings();
    lib_mark(&loaded_libs, kiln_sym(NULL, "clojure.core"), true);
    kiln_ns_refer_all(kiln_ns_user, kiln_ns_core);
  }
  KILN_CATCH(t) {
    failed = true;
    ex = t.exception;
  }
  KILN_END(t);
  if (failed) fprintf(stderr, "kiln: loading clojure.core failed: %s\n", kiln_compiler_error_text(ex));
}
