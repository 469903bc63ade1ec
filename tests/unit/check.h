/*
 * check.h — the C unit tests' few macros. Each test file defines main() that
 * calls its test functions and ends with `return check_summary();`, which
 * prints "N passed, N failed" and returns non-zero on any failure.
 */
#ifndef KILN_CHECK_H
#define KILN_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (cond) check_passed++;                                                \
    else { check_failed++; fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); } \
  } while (0)

#define CHECK_STR(got, want)                                                 \
  do {                                                                       \
    const char *g_ = (got), *w_ = (want);                                    \
    if (g_ && strcmp(g_, w_) == 0) check_passed++;                           \
    else { check_failed++; fprintf(stderr, "%s:%d: FAILED: %s\n  got:  %s\n  want: %s\n", \
                                   __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_); } \
  } while (0)

static inline int check_summary(void) {
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed ? 1 : 0;
}
#endif
