/*
 * gc.c — memory. Every object lives in the Boehm collector's heap, which
 * scans conservatively: stacks, registers, and GC-allocated memory. Memory
 * the GC must not scan (string bytes, digit arrays) comes from
 * kiln_alloc_atomic. Roots that live outside the GC heap (static variables of
 * libkiln, patch constants) are kept in kiln_alloc_root memory instead of in
 * C statics of dlopen'ed code, which the GC may not scan.
 */
#include <gc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime/rt.h"

static pthread_once_t gc_once = PTHREAD_ONCE_INIT;

/* The heap the collector starts with, unless GC_INITIAL_HEAP_SIZE says
 * otherwise: start-up (natives, the compiled clojure.core) allocates a few
 * MB, and growing to that from the collector's 64 KB took six collections. */
#define KILN_GC_INITIAL_HEAP (8u << 20)

#if defined(__linux__) && defined(MADV_HUGEPAGE)
#define HUGE_PAGE (2u << 20)

/* Asks for 2 MB pages for the heap section holding [p] (the mapping around
 * it in /proc/self/maps) and returns the section's start, or 0. Start-up
 * fills the first MB or two of a fresh heap: faulting that in 4 KB pages
 * costs some 400 page faults (6 ms on a virtual machine, a quarter of
 * `kiln eval 1`), in 2 MB pages one. Transparent huge pages come only where
 * the system allows them for madvised memory, the usual setting. */
static uintptr_t heap_hugepages(const void *p) {
  FILE *maps = fopen("/proc/self/maps", "re");
  if (!maps) return 0;
  char row[512];
  uintptr_t at = (uintptr_t)p, start = 0;
  while (fgets(row, sizeof row, maps)) {
    unsigned long lo, hi;
    if (sscanf(row, "%lx-%lx", &lo, &hi) == 2 && lo <= at && at < hi) {
      if (madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0) start = lo;
      break;
    }
  }
  fclose(maps);
  return start;
}
#endif

static void gc_init_once(void) {
  GC_set_handle_fork(1);
  /* The collector's first collection, of an empty heap, finds nothing. */
  GC_set_dont_precollect(1);
#ifdef __linux__
  /* The collector stops and restarts threads with signals; by default the
   * restart signal is SIGXCPU, which LLVM (the in-process toolchain) takes
   * over, once-only, while it links: a collection then lost its restart
   * signal, or the process died of the second one. Real-time signals are
   * nobody else's. */
  GC_set_suspend_signal(SIGRTMIN + 6);
  GC_set_thr_restart_signal(SIGRTMIN + 7);
#endif
  GC_INIT();
  GC_allow_register_threads();
  /* Collect when a third of the heap is new (the collector's default) costs
   * a full mark and sweep for every few MB a lazy pipeline allocates; half
   * the heap gives a third fewer collections for a somewhat larger heap. */
  if (!getenv("GC_FREE_SPACE_DIVISOR")) GC_set_free_space_divisor(2);
  if (!getenv("GC_INITIAL_HEAP_SIZE")) {
    size_t have = GC_get_heap_size();
    if (have < KILN_GC_INITIAL_HEAP) GC_expand_hp(KILN_GC_INITIAL_HEAP - have);
  }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  /* An object too large for the first small section lies in the new one.
   * The collector fills a section from its start, and only the part of it
   * from the first 2 MB boundary on can have huge pages: an atomic object
   * (never written, so never faulted in) takes the part before it, so
   * start-up's objects go to the huge pages. The next collection frees it. */
  void *probe = GC_MALLOC_ATOMIC(256u << 10);
  if (probe) {
    uintptr_t lo = heap_hugepages(probe);
    GC_FREE(probe);
    uintptr_t head = lo ? ((lo + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1)) - lo : 0;
    /* a little under [head]: the collector rounds the size up to whole pages */
    if (head >= 64u << 10) (void)GC_MALLOC_ATOMIC(head - 64);
  }
#endif
}

void kiln_gc_init(void) { pthread_once(&gc_once, gc_init_once); }

static KILN_NORETURN void out_of_memory(size_t nbytes) {
  kiln_throwf(KILN_EX_OOM, "Kiln could not allocate %zu bytes", nbytes);
}

void *kiln_alloc(size_t nbytes) {
  void *p = GC_MALLOC(nbytes);
  if (!p) out_of_memory(nbytes);
  return p;
}

void *kiln_alloc_atomic(size_t nbytes) {
  void *p = GC_MALLOC_ATOMIC(nbytes);
  if (!p) out_of_memory(nbytes);
  return p;
}

void *kiln_alloc_root(size_t nbytes) {
  void *p = GC_MALLOC_UNCOLLECTABLE(nbytes);
  if (!p) out_of_memory(nbytes);
  memset(p, 0, nbytes);
  return p;
}

void *kiln_obj_new(kiln_type type, size_t nbytes) {
  kiln_obj *o = kiln_alloc(nbytes);
  o->type = (uint32_t)type;
  return o;
}

bool kiln_gc_register_thread(void) {
  kiln_gc_init();
  if (GC_thread_is_registered()) return false;
  struct GC_stack_base sb;
  return GC_get_stack_base(&sb) == GC_SUCCESS && GC_register_my_thread(&sb) == GC_SUCCESS;
}

void kiln_gc_unregister_thread(void) {
  if (GC_thread_is_registered()) GC_unregister_my_thread();
}

__attribute__((noinline)) void kiln_gc_scrub_stack(void) {
  volatile char area[64 * 1024];
  memset((char *)area, 0, sizeof area);
  __asm__ volatile("" : : "r"(area) : "memory");
}

__attribute__((noinline)) void kiln_gc_scrub_near(void) {
  volatile char area[1024];
  memset((char *)area, 0, sizeof area);
  __asm__ volatile("" : : "r"(area) : "memory");
}

static const char *const type_class_names[KILN_T_COUNT] = {
    [KILN_T_NONE] = "java.lang.Object",
#define KILN_TYPE_CLASS(name, jvm) [KILN_T_##name] = jvm,
    KILN_TYPES(KILN_TYPE_CLASS)
#undef KILN_TYPE_CLASS
};

const char *kiln_class_name(kiln_val v) {
  if (v == KILN_NIL) return "nil";
  if (KILN_IS_FIXNUM(v)) return "java.lang.Long";
  if (KILN_IS_CHAR(v)) return "java.lang.Character";
  if (v == KILN_TRUE || v == KILN_FALSE) return "java.lang.Boolean";
  if (KILN_HAS_TYPE(v, KILN_T_EXCEPTION)) return ((const kiln_exception *)v)->cls;
  uint32_t t = KILN_OBJ_TYPE(v);
  return t < KILN_T_COUNT && type_class_names[t] ? type_class_names[t] : "java.lang.Object";
}
