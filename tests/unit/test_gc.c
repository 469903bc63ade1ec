/* Memory: 100 million short-lived allocations run in bounded memory. */
#include <gc.h>

#include "check.h"
#include "runtime/rt.h"

#define HEAP_LIMIT (64u * 1024u * 1024u)

int main(void) {
  kiln_rt_init();
  size_t peak = 0;
  kiln_val keep = KILN_NIL;
  for (long i = 0; i < 100000000L; i++) {
    kiln_val d = kiln_double((double)i + 0.5);
    if ((i & 0xfffff) == 0) {
      size_t h = GC_get_heap_size();
      if (h > peak) peak = h;
      keep = d;
    }
  }
  /* Some of the allocations are small vectors, as real code makes. */
  for (long i = 0; i < 5000000L; i++) {
    kiln_val items[3] = {KILN_FIXNUM(i), KILN_FIXNUM(i + 1), keep};
    kiln_val v = kiln_vec_from(3, items);
    if ((i & 0xffff) == 0) {
      size_t h = GC_get_heap_size();
      if (h > peak) peak = h;
      keep = kiln_vec_nth(v, 2, KILN_NIL, false);
    }
  }
  printf("peak heap %zu bytes\n", peak);
  CHECK(peak < HEAP_LIMIT);
  CHECK(kiln_double_value(keep) > 0.0);
  return check_summary();
}
