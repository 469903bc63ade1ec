/*
 * io.c — files, standard input, and the blocking cells behind futures and
 * promises (kiln_io_*).
 *
 * The natives here are primitives for lib/clojure/core_more.clj, which
 * builds slurp, spit, read-line, future and promise on them:
 *
 *   -slurp path          the file's bytes as a string
 *   -spit path s append  writes (or appends) s to the file
 *   -read-line           one line of standard input without its newline, or
 *                        nil at end of input
 *   -cell                a one-shot cell: the first -cell-put! stores a value
 *                        and wakes every thread waiting in -cell-get
 *   -thread-start f      calls f on a new detached thread (a Kiln thread, so
 *                        the GC and dynamic bindings work there)
 *   -tx-lock, -tx-unlock the one recursive lock that serializes dosync
 *                        transactions (refs are atoms changed under it)
 *   -monitor-enter x,    locking: one of 64 recursive locks chosen by the
 *   -monitor-exit x      address of x (objects never move), so distinct
 *                        objects rarely share a lock
 *
 * A cell is a KILN_T_POINTER object holding a mutex and condition variable
 * in malloc'ed memory that is never freed (a cell lives as long as the
 * future or promise that owns it, and those are few).
 *
 * deref, deref with a timeout and realized? of a deftype or reify instance
 * call the Clojure functions clojure.core/-deref-type, -deref-type-timeout
 * and -realized-type (core_more.clj), so that types written in the language
 * (futures, promises, user types implementing IDeref) plug into the natives.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/rt.h"

/* ==== files ============================================================ */

static const char *path_arg(kiln_val v, const char *fn) {
  if (!kiln_is_string(v))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "%s: expected a file path string, got %s", fn,
                kiln_class_name(v));
  return kiln_str_data(v);
}

KILN_NATIVE(n_slurp) {
  KILN_ARITY("clojure.core/-slurp", argc == 1);
  const char *path = path_arg(argv[0], "slurp");
  FILE *f = fopen(path, "rb");
  if (!f) kiln_throwf("java.io.FileNotFoundException", "%s (%s)", path, strerror(errno));
  kiln_sb sb;
  kiln_sb_init(&sb);
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) kiln_sb_putn(&sb, buf, n);
  bool failed = ferror(f) != 0;
  fclose(f);
  if (failed) kiln_throwf("java.io.IOException", "%s: read error", path);
  return kiln_sb_to_string(&sb);
}

KILN_NATIVE(n_spit) {
  KILN_ARITY("clojure.core/-spit", argc == 3);
  const char *path = path_arg(argv[0], "spit");
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_str_to(&sb, argv[1]);
  FILE *f = fopen(path, KILN_TRUTHY(argv[2]) ? "ab" : "wb");
  if (!f) kiln_throwf("java.io.FileNotFoundException", "%s (%s)", path, strerror(errno));
  bool failed = sb.len > 0 && fwrite(sb.buf, 1, sb.len, f) != sb.len;
  if (fclose(f) != 0) failed = true;
  if (failed) kiln_throwf("java.io.IOException", "%s: write error", path);
  return KILN_NIL;
}

KILN_NATIVE(n_read_line) {
  KILN_ARITY("clojure.core/-read-line", argc == 0);
  kiln_sb sb;
  kiln_sb_init(&sb);
  int c;
  bool any = false;
  while ((c = getchar()) != EOF) {
    any = true;
    if (c == '\n') break;
    kiln_sb_putc(&sb, (char)c);
  }
  if (!any) return KILN_NIL;
  if (sb.len > 0 && sb.buf[sb.len - 1] == '\r') sb.len--;
  return kiln_sb_to_string(&sb);
}

KILN_NATIVE(n_inst_ms) {
  KILN_ARITY("clojure.core/inst-ms", argc == 1);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_INST))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "No implementation of method: :inst-ms* of protocol: "
                "#'clojure.core/Inst found for class: %s", kiln_class_name(argv[0]));
  return kiln_long(((kiln_inst *)argv[0])->millis);
}

KILN_NATIVE(n_current_time_millis) {
  KILN_ARITY("clojure.core/-current-time-millis", argc == 0);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return kiln_long((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* ==== cells ============================================================ */

typedef struct io_sync {
  pthread_mutex_t lock;
  pthread_cond_t cond;
} io_sync;

typedef struct io_cell {
  kiln_obj h; /* KILN_T_POINTER */
  io_sync *sync;
  kiln_val value;
  volatile int full;
} io_cell;

static io_cell *as_cell(kiln_val v) {
  if (!KILN_HAS_TYPE(v, KILN_T_POINTER))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s is not a cell", kiln_class_name(v));
  return (io_cell *)v;
}

KILN_NATIVE(n_cell) {
  KILN_ARITY("clojure.core/-cell", argc == 0);
  io_cell *c = kiln_obj_new(KILN_T_POINTER, sizeof *c);
  c->sync = malloc(sizeof *c->sync);
  if (!c->sync) kiln_throwf(KILN_EX_OOM, "cannot allocate a cell");
  pthread_mutex_init(&c->sync->lock, NULL);
  pthread_cond_init(&c->sync->cond, NULL);
  return (kiln_val)c;
}

KILN_NATIVE(n_cell_put) {
  KILN_ARITY("clojure.core/-cell-put!", argc == 2);
  io_cell *c = as_cell(argv[0]);
  bool stored = false;
  pthread_mutex_lock(&c->sync->lock);
  if (!c->full) {
    c->value = argv[1];
    __atomic_store_n(&c->full, 1, __ATOMIC_RELEASE);
    stored = true;
    pthread_cond_broadcast(&c->sync->cond);
  }
  pthread_mutex_unlock(&c->sync->lock);
  return KILN_BOOL(stored);
}

KILN_NATIVE(n_cell_done) {
  KILN_ARITY("clojure.core/-cell-done?", argc == 1);
  return KILN_BOOL(__atomic_load_n(&as_cell(argv[0])->full, __ATOMIC_ACQUIRE));
}

/* Waits for the cell; ms < 0 waits without a limit. Returns whether it is full.
 * The wait wakes every 50 ms to honour an interrupt of the waiting thread. */
static bool cell_wait(io_cell *c, int64_t ms) {
  struct timespec end;
  clock_gettime(CLOCK_REALTIME, &end);
  if (ms >= 0) {
    end.tv_sec += ms / 1000;
    end.tv_nsec += (ms % 1000) * 1000000;
    if (end.tv_nsec >= 1000000000) { end.tv_sec++; end.tv_nsec -= 1000000000; }
  }
  for (;;) {
    pthread_mutex_lock(&c->sync->lock);
    bool full = c->full;
    if (!full) {
      struct timespec step;
      clock_gettime(CLOCK_REALTIME, &step);
      step.tv_nsec += 50 * 1000000;
      if (step.tv_nsec >= 1000000000) { step.tv_sec++; step.tv_nsec -= 1000000000; }
      if (ms >= 0 && (step.tv_sec > end.tv_sec ||
                      (step.tv_sec == end.tv_sec && step.tv_nsec > end.tv_nsec)))
        step = end;
      pthread_cond_timedwait(&c->sync->cond, &c->sync->lock, &step);
      full = c->full;
    }
    pthread_mutex_unlock(&c->sync->lock);
    if (full) return true;
    if (kiln_thread_current()->interrupt)
      kiln_throwf("java.lang.InterruptedException", "interrupted while waiting");
    if (ms >= 0) {
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
        return false;
    }
  }
}

KILN_NATIVE(n_cell_get) {
  KILN_ARITY("clojure.core/-cell-get", argc == 1 || argc == 3);
  io_cell *c = as_cell(argv[0]);
  int64_t ms = argc == 3 ? kiln_to_long(argv[1], "timeout") : -1;
  if (argc == 3 && ms < 0) ms = 0;
  if (!cell_wait(c, ms)) return argv[2];
  return c->value;
}

/* ==== threads ========================================================== */

typedef struct io_job {
  kiln_val f;
} io_job;

static kiln_val call_thunk(void *f) { return kiln_call0((kiln_val)f); }

static void *thread_main(void *arg) {
  io_job *job = arg;
  kiln_thread_current();
  kiln_val f = job->f;
  kiln_val result, exception;
  /* The fn reports its own outcome (through a cell); an exception escaping
   * it has nowhere to go but stderr. */
  if (!kiln_pcall(call_thunk, (void *)f, &result, &exception))
    fprintf(stderr, "kiln: exception in a thread: %s\n", kiln_ex_message(exception));
  job->f = KILN_NIL;
  kiln_thread_release();
  return NULL;
}

KILN_NATIVE(n_thread_start) {
  KILN_ARITY("clojure.core/-thread-start", argc == 1);
  /* The job is GC memory reachable from a root until the thread has read it. */
  io_job *job = kiln_alloc_root(sizeof *job);
  job->f = argv[0];
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 16u << 20);
  int rc = pthread_create(&t, &attr, thread_main, job);
  pthread_attr_destroy(&attr);
  if (rc != 0) kiln_throwf(KILN_EX_RUNTIME, "cannot start a thread: %s", strerror(rc));
  return KILN_NIL;
}

/* ==== the transaction lock ============================================= */

static pthread_mutex_t tx_lock;

KILN_NATIVE(n_tx_lock) {
  KILN_ARITY("clojure.core/-tx-lock", argc == 0);
  pthread_mutex_lock(&tx_lock);
  return KILN_NIL;
}

KILN_NATIVE(n_tx_unlock) {
  KILN_ARITY("clojure.core/-tx-unlock", argc == 0);
  pthread_mutex_unlock(&tx_lock);
  return KILN_NIL;
}

/* ==== monitors for locking ============================================= */

#define IO_MONITORS 64
static pthread_mutex_t monitors[IO_MONITORS];

static pthread_mutex_t *monitor_of(kiln_val x) {
  uintptr_t bits = (uintptr_t)x;
  return &monitors[(bits >> 4 ^ bits >> 12) % IO_MONITORS];
}

KILN_NATIVE(n_monitor_enter) {
  KILN_ARITY("clojure.core/-monitor-enter", argc == 1);
  if (argv[0] == KILN_NIL) kiln_throwf(KILN_EX_NULL, "locking nil");
  pthread_mutex_lock(monitor_of(argv[0]));
  return KILN_NIL;
}

KILN_NATIVE(n_monitor_exit) {
  KILN_ARITY("clojure.core/-monitor-exit", argc == 1);
  pthread_mutex_unlock(monitor_of(argv[0]));
  return KILN_NIL;
}

/* ==== deref of language-defined types ================================== */

static kiln_var *type_deref_var, *type_deref_timeout_var, *type_realized_var;

static kiln_val callable_of(kiln_var *v, kiln_val x) {
  if (!v || !kiln_var_is_bound(v))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.util.concurrent.Future",
                kiln_class_name(x));
  return kiln_var_get(v);
}

static kiln_val type_deref(kiln_val x) {
  return kiln_call1(callable_of(type_deref_var, x), x);
}

static kiln_val type_deref_timeout(kiln_val x, int64_t ms, kiln_val timeout_val) {
  return kiln_call3(callable_of(type_deref_timeout_var, x), x, kiln_long(ms), timeout_val);
}

static bool type_realized(kiln_val x) {
  return KILN_TRUTHY(kiln_call1(callable_of(type_realized_var, x), x));
}

static const kiln_native_def io_natives[] = {
    {"-slurp", "([path])", "The contents of the file at path, as a string.", n_slurp, 0},
    {"-spit", "([path s append?])", "Writes (str s) to the file at path, appending when append?.",
     n_spit, 0},
    {"-read-line", "([])", "One line of standard input without its newline; nil at its end.",
     n_read_line, 0},
    {"inst-ms", "([inst])", "The instant inst (an #inst value) as a long count of milliseconds since\n  1970-01-01T00:00:00Z.", n_inst_ms, 0},
    {"-current-time-millis", "([])", "The wall-clock time in milliseconds since the epoch.",
     n_current_time_millis, 0},
    {"-cell", "([])", "A new empty one-shot cell.", n_cell, 0},
    {"-cell-put!", "([cell v])", "Fills an empty cell with v and wakes its waiters; true if it did.",
     n_cell_put, 0},
    {"-cell-done?", "([cell])", "True when the cell holds a value.", n_cell_done, 0},
    {"-cell-get", "([cell] [cell timeout-ms timeout-val])",
     "The cell's value, waiting for it (at most timeout-ms, then timeout-val).", n_cell_get, 0},
    {"-thread-start", "([f])", "Calls f with no arguments on a new thread; returns nil.",
     n_thread_start, 0},
    {"-tx-lock", "([])", "Takes the transaction lock (recursive) for dosync.", n_tx_lock, 0},
    {"-tx-unlock", "([])", "Releases the transaction lock once.", n_tx_unlock, 0},
    {"-monitor-enter", "([x])", "Takes the (recursive) lock that locking uses for x.",
     n_monitor_enter, 0},
    {"-monitor-exit", "([x])", "Releases x's locking lock once.", n_monitor_exit, 0},
};

void kiln_io_init(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&tx_lock, &attr);
  for (int i = 0; i < IO_MONITORS; i++) pthread_mutex_init(&monitors[i], &attr);
  pthread_mutexattr_destroy(&attr);
  kiln_natives_register("clojure.core", io_natives, KILN_ARRAY_LEN(io_natives));
  type_deref_var = kiln_var_intern("clojure.core", "-deref-type");
  type_deref_timeout_var = kiln_var_intern("clojure.core", "-deref-type-timeout");
  type_realized_var = kiln_var_intern("clojure.core", "-realized-type");
  kiln_ref_set_deref(KILN_T_TYPE, type_deref);
  kiln_ref_set_deref_timeout(KILN_T_TYPE, type_deref_timeout);
  kiln_ref_set_realized(KILN_T_TYPE, type_realized);
}
