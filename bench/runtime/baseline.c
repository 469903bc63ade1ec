/* bench/runtime's physical limit: the same programs in plain C (clang -O2). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

__attribute__((noinline)) static int64_t fib(int64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static int64_t sum_loop(int64_t n) {
  volatile int64_t acc = 0;
  for (int64_t i = 0; i < n; i++) acc += i;
  return acc;
}

__attribute__((noinline)) static int64_t pipeline(int64_t n) {
  int64_t acc = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t x = i + 1;
    if (x % 2 == 0) acc += x;
  }
  return acc;
}

/* Open addressing, doubling: a hand-written map from int64 to int64. */
__attribute__((noinline)) static size_t build_map(int64_t n) {
  size_t cap = 16, count = 0;
  int64_t *keys = malloc(cap * sizeof *keys), *vals = malloc(cap * sizeof *vals);
  char *used = calloc(cap, 1);
  for (int64_t i = 0; i < n; i++) {
    if (2 * (count + 1) > cap) {
      size_t ncap = cap * 2;
      int64_t *nk = malloc(ncap * sizeof *nk), *nv = malloc(ncap * sizeof *nv);
      char *nu = calloc(ncap, 1);
      for (size_t j = 0; j < cap; j++)
        if (used[j]) {
          size_t h = (size_t)(keys[j] * 0x9e3779b97f4a7c15ull) & (ncap - 1);
          while (nu[h]) h = (h + 1) & (ncap - 1);
          nu[h] = 1, nk[h] = keys[j], nv[h] = vals[j];
        }
      free(keys), free(vals), free(used);
      keys = nk, vals = nv, used = nu, cap = ncap;
    }
    size_t h = (size_t)(i * 0x9e3779b97f4a7c15ull) & (cap - 1);
    while (used[h] && keys[h] != i) h = (h + 1) & (cap - 1);
    if (!used[h]) count++;
    used[h] = 1, keys[h] = i, vals[h] = i;
  }
  free(keys), free(vals), free(used);
  return count;
}

__attribute__((noinline)) static size_t build_string(int n) {
  size_t cap = 64, len = 0;
  char *buf = malloc(cap);
  char item[32];
  for (int i = 0; i < n; i++) {
    int k = snprintf(item, sizeof item, "item-%d,", i);
    if (len + (size_t)k + 1 > cap) buf = realloc(buf, cap *= 2);
    memcpy(buf + len, item, (size_t)k);
    len += (size_t)k;
  }
  free(buf);
  return len;
}

#define MEASURE(name, expr, runs)                          \
  do {                                                     \
    double best = 1e18;                                    \
    for (int r = 0; r < (runs); r++) {                     \
      double t0 = now_ms();                                \
      volatile int64_t sink = (int64_t)(expr);             \
      (void)sink;                                          \
      double t = now_ms() - t0;                            \
      if (t < best) best = t;                              \
    }                                                      \
    printf("%s %.1f\n", name, best);                       \
  } while (0)

int main(void) {
  /* Read through volatiles: with constant arguments clang evaluates fib and
   * the pipeline at compile time, and the "C" column reads 0.0. */
  volatile int64_t n35 = 35, n100m = 100000000, n1m = 1000000;
  volatile int n100k = 100000;
  MEASURE("fib35", fib(n35), 3);
  MEASURE("loop100M", sum_loop(n100m), 3);
  MEASURE("pipeline1M", pipeline(n1m), 5);
  MEASURE("map1M", build_map(n1m), 3);
  MEASURE("string100k", build_string(n100k), 5);
  return 0;
}
