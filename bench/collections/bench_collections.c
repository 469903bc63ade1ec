/*
 * bench_collections.c — Kiln's persistent collections against hand-written C
 * baselines, one million elements per operation, steady state: each
 * operation runs WARMUP times untimed, then RUNS times timed; the median is
 * reported, in process CPU time. Prints one line per operation: name, Kiln ms, C baseline ms (or
 * -), then the GC heap size and peak RSS. bench/collections/run.sh adds the
 * JVM's numbers and prints the table.
 *
 * Kiln is driven through the runtime's C entry points that compiled code
 * reaches (transients where Clojure code would use them; reduce calls the
 * clojure.core/+ native through its var as compiled code does).
 */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/rt.h"

#define M 1000000
#define WARMUP 3
#define RUNS 7

/* Process CPU time (all threads, the GC's markers included), so that other
 * load on the machine does not count against either side. */
static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef void (*bench_fn)(void);
static volatile kiln_val sink;
static volatile uint64_t csink;

static double measure(bench_fn f) {
  double t[RUNS];
  for (int i = 0; i < WARMUP; i++) f();
  for (int i = 0; i < RUNS; i++) {
    double t0 = now_ms();
    f();
    t[i] = now_ms() - t0;
  }
  qsort(t, RUNS, sizeof t[0], cmp_double);
  return t[RUNS / 2];
}

/* ---- Kiln ---- */

static kiln_val big_vec, big_map;

static void k_vec_conj(void) {
  kiln_val t = kiln_transient(kiln_empty_vector);
  for (int64_t i = 0; i < M; i++) t = kiln_conj_t(t, KILN_FIXNUM(i));
  sink = kiln_persistent(t);
}

static void k_map_assoc(void) {
  kiln_val t = kiln_transient(kiln_empty_map);
  for (int64_t i = 0; i < M; i++) t = kiln_assoc_t(t, KILN_FIXNUM(i), KILN_FIXNUM(i));
  sink = kiln_persistent(t);
}

static void k_map_lookup(void) {
  uint64_t sum = 0;
  for (int64_t i = 0; i < M; i++) sum += kiln_map_get(big_map, KILN_FIXNUM(i), KILN_NIL);
  csink = sum;
}

static kiln_val plus;
static void k_reduce(void) { sink = kiln_reduce(plus, KILN_FIXNUM(0), big_vec); }

static void k_into_set(void) { sink = kiln_into(kiln_empty_set, big_vec); }

static void k_vec_conj_persistent(void) {
  kiln_val v = kiln_empty_vector;
  for (int64_t i = 0; i < M; i++) v = kiln_vec_conj(v, KILN_FIXNUM(i));
  sink = v;
}

/* ---- hand-written C ---- */

static void c_vec_conj(void) {
  size_t cap = 8, n = 0;
  uint64_t *a = malloc(cap * sizeof *a);
  for (int64_t i = 0; i < M; i++) {
    if (n == cap) a = realloc(a, (cap *= 2) * sizeof *a);
    a[n++] = (uint64_t)KILN_FIXNUM(i);
  }
  csink = a[n - 1];
  free(a);
}

typedef struct ctab {
  uint64_t *keys, *vals;
  size_t mask;
} ctab;
static ctab table;

static inline uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

static void c_table_build(void) {
  size_t cap = 1u << 21;
  table.keys = calloc(cap, sizeof(uint64_t));
  table.vals = calloc(cap, sizeof(uint64_t));
  table.mask = cap - 1;
  for (uint64_t i = 0; i < M; i++) {
    uint64_t k = i + 1;
    size_t h = mix(k) & table.mask;
    while (table.keys[h]) h = (h + 1) & table.mask;
    table.keys[h] = k;
    table.vals[h] = i;
  }
}

static void c_map_lookup(void) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < M; i++) {
    uint64_t k = i + 1;
    size_t h = mix(k) & table.mask;
    while (table.keys[h] != k) {
      if (!table.keys[h]) break;
      h = (h + 1) & table.mask;
    }
    sum += table.vals[h];
  }
  csink = sum;
}

static long peak_rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb;
}

int main(void) {
  kiln_rt_init();
  plus = kiln_var_get(kiln_var_intern("clojure.core", "+"));
  k_vec_conj();
  big_vec = sink;
  k_map_assoc();
  big_map = sink;
  c_table_build();
  printf("vector-conj %.2f %.2f\n", measure(k_vec_conj), measure(c_vec_conj));
  printf("vector-conj-persistent %.2f -\n", measure(k_vec_conj_persistent));
  printf("map-assoc %.2f -\n", measure(k_map_assoc));
  printf("map-lookup %.2f %.2f\n", measure(k_map_lookup), measure(c_map_lookup));
  printf("reduce %.2f -\n", measure(k_reduce));
  printf("into-set %.2f -\n", measure(k_into_set));
  printf("memory gc-heap-mb %.1f peak-rss-mb %.1f\n", GC_get_heap_size() / 1048576.0,
         peak_rss_kb() / 1024.0);
  return 0;
}
