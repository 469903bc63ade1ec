/*
 * bench_patch — per-phase timings of getting Clojure into running code as a
 * patch: generating C (read, analyze, emit), building it (compile, link,
 * sign) cold and from the cache, for a one-defn and a 50-defn patch, for
 * host and ios-device, and loading + applying the host patch in this
 * process. Each number is the median of RUNS runs. Printed beside the
 * seed plan's estimates. Cold builds are measured with both toolchain
 * drivers side by side: spawning clang and lld, and in-process (when the
 * libkiln-toolchain module loads), plus the in-process driver's one-time
 * cost of loading the module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/compiler.h"
#include "compiler/emit.h"
#include "kiln/kiln.h"
#include "patch/patch.h"
#include "runtime/rt.h"
#include "toolchain/toolchain.h"

#define RUNS 5

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

/* The source of a patch with [n] defns, each distinct (salted by [salt] so
 * no two runs share a cache entry when a cold build is wanted). */
static char *source(int n, int salt) {
  size_t cap = (size_t)n * 200 + 100;
  char *s = malloc(cap);
  size_t len = (size_t)snprintf(s, cap, "(ns bench.p%d)\n", n);
  for (int i = 0; i < n; i++)
    len += (size_t)snprintf(s + len, cap - len,
                            "(defn f%d \"Doc.\" [x y]\n  (if (< x %d) (+ x y %d) (* (- x y) %d)))\n", i,
                            i + salt, i, salt);
  return s;
}

typedef struct gen {
  const char *text;
  const char *c;
  size_t c_len;
  double read, analyze, emit;
} gen;

static kiln_val generate(void *ctx) {
  gen *g = ctx;
  kiln_val frame[] = {(kiln_val)kiln_v_ns, kiln_var_get(kiln_v_ns)};
  kiln_var_push_bindings(kiln_map_from(2, frame));
  kiln_read_opts ro = {"bench.clj", 1, 1, KILN_NIL, false};
  kiln_reader *r = kiln_reader_new(g->text, strlen(g->text), &ro);
  kiln_node *units[64];
  uint32_t n = 0;
  kiln_val form;
  g->read = g->analyze = 0;
  for (;;) {
    double t0 = kiln_now_ms();
    bool more = kiln_reader_next(r, &form);
    double t1 = kiln_now_ms();
    g->read += t1 - t0;
    if (!more) break;
    units[n++] = kiln_analyze(form);
    if (n == 1) kiln_interp_run(units[0]); /* the ns form */
    g->analyze += kiln_now_ms() - t1;
  }
  kiln_val ns = kiln_var_get(kiln_v_ns);
  kiln_emit_opts eo = {"bench", kiln_sym_name(((kiln_ns *)ns)->name), "bench.clj"};
  double t2 = kiln_now_ms();
  g->c = kiln_emit_patch(units, n, &eo, &g->c_len);
  g->emit = kiln_now_ms() - t2;
  kiln_var_pop_bindings();
  return KILN_NIL;
}

static void row(const char *what, const double *v, const char *seed) {
  printf("| %-34s | %9.1f | %9.1f | %9.1f | %9.1f | %-22s |\n", what, v[0], v[1], v[2], v[3], seed);
}

static void header(const char *last) {
  printf("| %-34s | %9s | %9s | %9s | %9s | %-22s |\n", "phase", "1 host", "1 ios-dev", "50 host",
         "50 ios-dev", last);
  printf("|%s|%s|%s|%s|%s|%s|\n", "------------------------------------", "-----------",
         "-----------", "-----------", "-----------", "------------------------");
}

/* Columns: 1 defn host, 1 defn ios-device, 50 host, 50 ios-device. */
typedef struct measured {
  double read[4], analyze[4], emit[4], gen[4], comp[4], link[4], sign[4], cold[4], cached[4];
  double load[4], run[4];
  size_t bytes[4];
} measured;

/* Runs every column RUNS times with driver [d]; false on a failure. */
static bool measure(const kiln_tc_driver *d, int *salt, measured *m) {
  kiln_tc_set_driver(d);
  const int sizes[2] = {1, 50};
  const char *targets[2] = {"host", "ios-device"};
  for (int si = 0; si < 2; si++) {
    for (int ti = 0; ti < 2; ti++) {
      int col = si * 2 + ti;
      double g_r[RUNS], g_a[RUNS], g_e[RUNS], c[RUNS], l[RUNS], s[RUNS], tot[RUNS], hit[RUNS];
      double ld[RUNS], rn[RUNS];
      for (int k = 0; k < RUNS; k++) {
        char *text = source(sizes[si], (*salt)++);
        gen g = {text, NULL, 0, 0, 0, 0};
        kiln_val res, ex;
        if (!kiln_pcall(generate, &g, &res, &ex)) {
          fprintf(stderr, "bench: generating C: %s\n", kiln_compiler_error_text(ex));
          return false;
        }
        g_r[k] = g.read, g_a[k] = g.analyze, g_e[k] = g.emit;
        const kiln_target *t = kiln_tc_target_find(targets[ti]);
        kiln_tc_result r;
        double t0 = kiln_now_ms();
        if (kiln_tc_build(t, g.c, g.c_len, NULL, &r) != 0) {
          fprintf(stderr, "bench: %s\n%s", r.message, r.diagnostics ? r.diagnostics : "");
          return false;
        }
        tot[k] = kiln_now_ms() - t0;
        c[k] = r.t.ms[KILN_PHASE_compile], l[k] = r.t.ms[KILN_PHASE_link], s[k] = r.t.ms[KILN_PHASE_sign];
        m->bytes[col] = r.size;
        kiln_tc_result_free(&r);
        t0 = kiln_now_ms();
        kiln_tc_build(t, g.c, g.c_len, NULL, &r);
        hit[k] = kiln_now_ms() - t0;
        if (!r.cached) fprintf(stderr, "bench: expected a cache hit\n");
        ld[k] = rn[k] = 0;
        if (ti == 0) {
          const kiln_patch_record *rec;
          kiln_error err;
          if (kiln_patch_load(r.bytes, r.size, r.entry, NULL, &rec, &err) != 0) {
            fprintf(stderr, "bench: loading: %s\n", err.message);
            return false;
          }
          ld[k] = rec->t.ms[KILN_PHASE_load], rn[k] = rec->t.ms[KILN_PHASE_run];
        }
        kiln_tc_result_free(&r);
        free(text);
      }
      m->read[col] = median(g_r, RUNS), m->analyze[col] = median(g_a, RUNS);
      m->emit[col] = median(g_e, RUNS);
      m->gen[col] = m->read[col] + m->analyze[col] + m->emit[col];
      m->comp[col] = median(c, RUNS), m->link[col] = median(l, RUNS), m->sign[col] = median(s, RUNS);
      m->cold[col] = median(tot, RUNS), m->cached[col] = median(hit, RUNS);
      m->load[col] = median(ld, RUNS), m->run[col] = median(rn, RUNS);
    }
  }
  kiln_tc_set_driver(NULL);
  return true;
}

static const char *first_line(const char *text, char *buf, size_t n) {
  snprintf(buf, n, "%.*s", (int)strcspn(text, "\n"), text);
  return buf;
}

int main(void) {
  char cache[] = "/tmp/kiln-bench-cache-XXXXXX";
  if (!mkdtemp(cache)) return 1;
  setenv("XDG_CACHE_HOME", cache, 1);
  kiln_runtime *rt = kiln_runtime_new();
  int salt = (int)getpid();
  /* The in-process driver's one-time cost: loading the module (libLLVM's
   * initialisers), then the first build (targets, first pages of code). */
  double t0 = kiln_now_ms();
  const kiln_tc_driver *inproc = kiln_tc_inproc_driver();
  double module_ms = kiln_now_ms() - t0, first_ms = 0;
  if (inproc) {
    char *text = source(1, salt++);
    gen g = {text, NULL, 0, 0, 0, 0};
    kiln_val res, ex;
    if (kiln_pcall(generate, &g, &res, &ex)) {
      kiln_tc_set_driver(inproc);
      kiln_tc_result r;
      t0 = kiln_now_ms();
      kiln_tc_build(kiln_tc_target_find("ios-device"), g.c, g.c_len, NULL, &r);
      first_ms = kiln_now_ms() - t0;
      kiln_tc_result_free(&r);
      kiln_tc_set_driver(NULL);
    }
    free(text);
  }
  static measured sp, ip;
  if (!measure(kiln_tc_spawn_driver(), &salt, &sp)) return 1;
  if (inproc && !measure(inproc, &salt, &ip)) return 1;
  const measured *m = inproc ? &ip : &sp;

  char v1[256], v2[256];
  printf("Patch pipeline, milliseconds, median of %d (default driver: %s; %s)\n\n", RUNS,
         m == &ip ? "inproc" : "spawn",
         first_line(kiln_tc_spawn_driver()->version(kiln_tc_target_host()), v1, sizeof v1));
  header("seed plan estimate");
  row("read", m->read, "");
  row("analyze", m->analyze, "");
  row("emit C", m->emit, "");
  row("C generation (read+analyze+emit)", m->gen, "C++ generation ~5");
  row("build, cached (cache hit)", m->cached, "");
  double load_apply[4];
  for (int i = 0; i < 4; i++) load_apply[i] = m->load[i] + m->run[i];
  printf("| %-34s | %9.1f | %9s | %9.1f | %9s | %-22s |\n", "load (write, dlopen, checks)",
         m->load[0], "-", m->load[2], "-", "");
  printf("| %-34s | %9.1f | %9s | %9.1f | %9s | %-22s |\n", "run (apply the defs)", m->run[0], "-",
         m->run[2], "-", "");
  printf("| %-34s | %9.1f | %9s | %9.1f | %9s | %-22s |\n", "load + apply", load_apply[0], "-",
         load_apply[2], "-", "dlopen + register 5-20");

  printf("\nBuilding, cold (a cache miss), by driver: spawn runs clang and lld as processes, "
         "inproc calls them as libraries in this process\n\n");
  header("target");
  row("spawn: compile (clang)", sp.comp, "");
  row("spawn: link (lld)", sp.link, "");
  row("spawn: sign", sp.sign, "");
  row("spawn: build (compile+link+sign)", sp.cold, "ARM64 compile 100-300");
  if (inproc) {
    row("inproc: compile (libclang-cpp)", ip.comp, "");
    row("inproc: link (liblld)", ip.link, "");
    row("inproc: sign", ip.sign, "");
    row("inproc: build (compile+link+sign)", ip.cold, "1 ios-dev < 100; ~10");
    double ratio[4];
    for (int i = 0; i < 4; i++) ratio[i] = ip.cold[i] > 0 ? sp.cold[i] / ip.cold[i] : 0;
    row("spawn / inproc (x faster)", ratio, "");
    printf("\ninproc, once per process: module load %.1f ms, first build (1 defn, ios-device) "
           "%.1f ms\n(%s)\n", module_ms, first_ms,
           first_line(inproc->version(kiln_tc_target_host()), v2, sizeof v2));
    printf("target: 1-defn ios-device build < 100 ms: spawn %.1f ms (%s), inproc %.1f ms (%s)\n",
           sp.cold[1], sp.cold[1] < 100 ? "met" : "missed", ip.cold[1],
           ip.cold[1] < 100 ? "met" : "missed");
  } else {
    printf("\nno in-process driver: %s\n", kiln_tc_inproc_status());
  }
  printf("\npatch sizes: %zu, %zu, %zu, %zu bytes\n", m->bytes[0], m->bytes[1], m->bytes[2],
         m->bytes[3]);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
  if (system(cmd) != 0) return 1;
  kiln_runtime_close(rt);
  return 0;
}
