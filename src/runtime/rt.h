/*
 * rt.h — the runtime's internal interface: object layouts and the functions
 * every subsystem offers the others.
 *
 * Values and the shared layouts (kiln_obj, kiln_fn, kiln_var) are defined in
 * kiln/patch_abi.h because compiled code reads them. Everything here is
 * internal to libkiln (hidden visibility); the public embedding API is
 * kiln/kiln.h.
 *
 * Memory: every object is allocated with kiln_alloc (Boehm GC, scanned
 * conservatively) or kiln_alloc_atomic (no pointers inside: strings, digit
 * arrays). Nothing is ever freed by hand.
 *
 * Errors: runtime errors are language exceptions, thrown with kiln_throw and
 * friends (error.c) and caught with kiln_pcall or the KILN_TRY macros; a throw
 * longjmps to the innermost handler of the current thread.
 *
 * Subsystem files and prefixes:
 *   gc.c       kiln_alloc*, kiln_gc_*           memory
 *   error.c    kiln_throw*, kiln_ex_*, kiln_pcall exceptions
 *   number.c   kiln_num_*, kiln_long_*, ...     the numeric tower
 *   string.c   kiln_str_*, kiln_char_*          strings, chars
 *   symbol.c   kiln_sym_*, kiln_kw_*            symbols, keywords (interned)
 *   list.c     kiln_list_*, kiln_cons_*          lists, cons
 *   seq.c      kiln_seq*, kiln_first, ...        the seq protocol, lazy seqs
 *   vector.c   kiln_vec_*                        persistent vector, transient
 *   map.c      kiln_map_*                        array map, hash map (HAMT), transient
 *   set.c      kiln_set_*                        hash set, transient
 *   sorted.c   kiln_sorted_*                     red-black sorted map and set
 *   coll.c     kiln_coll_*, kiln_count, kiln_get, kiln_conj, ... generic collection ops
 *   hash.c     kiln_hash*, kiln_murmur3_*        Clojure-compatible hashing
 *   equal.c    kiln_equiv, kiln_compare          = and compare
 *   print.c    kiln_pr*, kiln_print*, kiln_str   the printer
 *   var.c      kiln_var_*, kiln_ns_*             vars, namespaces, dynamic bindings
 *   ref.c      kiln_atom_*, kiln_volatile_*, kiln_delay_*
 *   fn.c       kiln_call, kiln_fn_*              invocation of anything callable
 *   regex.c    kiln_regex_*                      PCRE2
 *   io.c       kiln_io_*                         files, stdin, cells for futures and promises
 *   core.c     kiln_core_*                       natives registered into clojure.core
 */
#ifndef KILN_RT_H
#define KILN_RT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kiln/patch_abi.h"

#if defined(__GNUC__)
#define KILN_INTERNAL __attribute__((visibility("hidden")))
#define KILN_NORETURN __attribute__((noreturn))
#define KILN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KILN_INTERNAL
#define KILN_NORETURN
#define KILN_PRINTF(a, b)
#endif

#define KILN_UNUSED(x) ((void)(x))
#define KILN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ==== memory (gc.c) ==================================================== */

void kiln_gc_init(void);
/* Allocates zeroed, GC-scanned memory; never returns NULL (throws OOM). */
void *kiln_alloc(size_t nbytes);
/* Allocates memory the GC does not scan for pointers (not zeroed). */
void *kiln_alloc_atomic(size_t nbytes);
/* Allocates an object of [nbytes] with its header set to [type]. */
void *kiln_obj_new(kiln_type type, size_t nbytes);
/* Allocates GC memory that is never collected and is scanned: for roots. */
void *kiln_alloc_root(size_t nbytes);
/* Makes the calling thread known to the GC (idempotent). Returns true when
 * this call registered it; such a thread must unregister before it exits. */
bool kiln_gc_register_thread(void);
void kiln_gc_unregister_thread(void);
/* Zeroes the unused stack below the caller's frame (64 KB), so frames made
 * afterwards hold no stale pointers from earlier, deeper calls. Call it
 * before running code for a long time from a shallow frame: one stale word
 * that happens to point at a cell of a lazy seq keeps every later cell of
 * that seq alive, since the scan is conservative. */
void kiln_gc_scrub_stack(void);
/* The same for the 1 KB below the caller's frame, where the frames of the
 * calls it makes next will lie: a walk of a lazy seq calls it before each
 * step that realizes more of the seq, so the slots those frames never write
 * (padding, spill slots) hold no stale pointer to a cell it already passed. */
void kiln_gc_scrub_near(void);

static inline kiln_type kiln_type_of(kiln_val v) {
  if (KILN_IS_PTR(v)) return (kiln_type)KILN_OBJ_TYPE(v);
  return KILN_T_NONE; /* fixnum, char, nil, true, false */
}
/* The JVM class name Kiln reports for [v] ("java.lang.Long" for any integer). */
const char *kiln_class_name(kiln_val v);

/* ==== exceptions (error.c) ============================================= */

/*
 * An exception value. [cls] is the JVM class name it stands for
 * ("clojure.lang.ExceptionInfo", "java.lang.ArithmeticException", ...), which
 * catch and instance? test against, [msg] a string or nil, [data] a map or nil
 * (ex-data), [cause] another exception or nil. [frames] is the chain of
 * calls where it was first thrown, innermost first: the generated functions
 * and interpreted fns whose frames were on the stack (recorded by
 * kiln_throw). [trace] is nil until kiln_ex_trace turns the frames into
 * Throwable->map's :trace vector.
 */
typedef struct kiln_exception {
  kiln_obj h;
  const char *cls;
  kiln_val msg;
  kiln_val data;
  kiln_val cause;
  kiln_val trace;
  const kiln_patch_fn **frames;
  uint32_t nframes;
  uint32_t captured; /* frames were recorded (perhaps none) */
} kiln_exception;

/*
 * The interpreter's frames: each call of an interpreted fn links one on the
 * C stack (kiln_frame_top, innermost first) and keeps [at] on the call it is
 * making (file, line, column), so a throw can record interpreted frames
 * between the native ones. Handlers restore the top, like the call depth.
 */
typedef struct kiln_frame_rec {
  kiln_patch_fn at; /* code is NULL; name is the fn's */
  struct kiln_frame_rec *up;
} kiln_frame_rec;
extern _Thread_local kiln_frame_rec *kiln_frame_top;

/* One entry in a thread's chain of handlers. */
typedef struct kiln_try {
  jmp_buf jb;
  struct kiln_try *prev;
  kiln_val exception;     /* set when a throw lands here */
  void *binding_frame;    /* dynamic bindings to restore */
  int depth;              /* call depth to restore */
  kiln_frame_rec *frames; /* interpreter frame top to restore */
} kiln_try;

/*
 * KILN_TRY(t) { body } KILN_CATCH(t) { handler using (t).exception } KILN_END(t);
 * The body must not return or goto out of the block; use kiln_pcall when that
 * is awkward.
 */
#define KILN_TRY(t) \
  kiln_try_push(&(t)); \
  if (setjmp((t).jb) == 0) {
#define KILN_CATCH(t) \
  kiln_try_pop(&(t)); \
  } else {
#define KILN_END(t) }

void kiln_try_push(kiln_try *t);
void kiln_try_pop(kiln_try *t);

KILN_NORETURN void kiln_throw(kiln_val exception);
/* Throws a new exception of class [cls] with a formatted message. */
KILN_NORETURN void kiln_throwf(const char *cls, const char *fmt, ...) KILN_PRINTF(2, 3);
KILN_NORETURN void kiln_throw_arity(const char *fn_name, uint32_t argc);
kiln_val kiln_ex_new(const char *cls, kiln_val msg, kiln_val data, kiln_val cause);
kiln_val kiln_ex_info(kiln_val msg, kiln_val data, kiln_val cause);
/* True when exception [ex] is an instance of the class named [cls] (handles
 * Throwable, Exception, RuntimeException, :default, ...). */
bool kiln_ex_is(kiln_val ex, const char *cls);
/* The exception's message as a C string ("" if none); GC memory. */
const char *kiln_ex_message(kiln_val ex);
/* Makes the generated functions of a patch or compiled library file known to
 * stack traces. The table must live as long as the process. */
void kiln_trace_register(const kiln_patch_fn *fns, uint32_t n);
/* The exception's :trace: a vector of [name invoke "file" line] (name a
 * symbol like user/c), innermost first; [] when none was recorded. */
kiln_val kiln_ex_trace(kiln_val ex);
/* The innermost recorded frame of [ex], or NULL. */
const kiln_patch_fn *kiln_ex_top_frame(kiln_val ex);
/* Appends the chain of calls of [ex] to [sb], one "\tat NAME (FILE:LINE)\n"
 * per frame (at most [max] frames; 0 for all). */
struct kiln_sb;
void kiln_ex_write_chain(struct kiln_sb *sb, kiln_val ex, uint32_t max);

/* Calls body(ctx); returns true and sets *result, or false and sets *exception. */
bool kiln_pcall(kiln_val (*body)(void *ctx), void *ctx, kiln_val *result, kiln_val *exception);

#define KILN_EX_ARITHMETIC "java.lang.ArithmeticException"
#define KILN_EX_ILLEGAL_ARG "java.lang.IllegalArgumentException"
#define KILN_EX_ILLEGAL_STATE "java.lang.IllegalStateException"
#define KILN_EX_CLASS_CAST "java.lang.ClassCastException"
#define KILN_EX_INDEX "java.lang.IndexOutOfBoundsException"
#define KILN_EX_NULL "java.lang.NullPointerException"
#define KILN_EX_UNSUPPORTED "java.lang.UnsupportedOperationException"
#define KILN_EX_RUNTIME "java.lang.RuntimeException"
#define KILN_EX_NUMBER_FORMAT "java.lang.NumberFormatException"
#define KILN_EX_ARITY "clojure.lang.ArityException"
#define KILN_EX_INFO "clojure.lang.ExceptionInfo"
#define KILN_EX_ERROR "java.lang.Error"
#define KILN_EX_OOM "java.lang.OutOfMemoryError"
#define KILN_EX_STACK "java.lang.StackOverflowError"

/* ==== per-thread state (var.c) ========================================= */

/*
 * A thread's state lives in GC-scanned memory that is never collected (the
 * GC does not scan thread-local storage), found through a _Thread_local
 * pointer; the first kiln_thread_current() on a thread registers it with the
 * GC. When the thread exits, its state is recycled for the next new thread.
 */
typedef struct kiln_thread {
  kiln_try *handlers;   /* innermost first */
  void *bindings;       /* current dynamic binding frame (var.c) */
  int depth;            /* call depth, for stack overflow detection */
  volatile int interrupt; /* set by another thread to interrupt evaluation */
  char *stack_limit;    /* below this address the stack is about to overflow */
  /* apply's hand-over of an unrealized tail to kiln_rest_args (fn.c). */
  const kiln_val *spread_argv;
  kiln_val spread_tail;
  /* The stack guard (var.c): the stack's lowest address, the alternate
   * signal stack, and the StackOverflowError thrown from the signal handler
   * (allocated ahead: a handler must not allocate). */
  char *stack_low;
  void *altstack;
  kiln_val overflow_error;
} kiln_thread;

/* The calling thread's state; NULL until its first kiln_thread_current.
 * Read inline: compiled code's stack check reads it on every call. */
extern _Thread_local kiln_thread *kiln_thread_tls;
kiln_thread *kiln_thread_new_current(void);
static inline kiln_thread *kiln_thread_current(void) {
  kiln_thread *th = kiln_thread_tls;
  return __builtin_expect(th != NULL, 1) ? th : kiln_thread_new_current();
}
/* Releases the calling thread's state and unregisters it from the GC. */
void kiln_thread_release(void);
/*
 * Compiled code calls compiled code directly, with no stack check. As a
 * backstop, a SIGSEGV handler running on each Kiln thread's alternate signal
 * stack turns a fault in the stack's guard zone into a StackOverflowError
 * when the faulting instruction is in compiled code (a patch), where no
 * runtime lock can be held; elsewhere it reports the overflow and lets the
 * previous handler (or the default action) have the fault. Installed once by
 * kiln_rt_init; KILN_NO_STACK_GUARD=1 in the environment leaves it out.
 */
void kiln_stack_guard_install(void);
KILN_NORETURN void kiln_stack_overflow(void);
/* Throws StackOverflowError when the calling thread's stack is nearly used
 * up. Cheap (one TLS load and a compare): recursive C code (the interpreter's
 * eval, the printer, equality) calls it at each level. */
static inline void kiln_stack_check(void) {
  char here;
  if (__builtin_expect(&here < kiln_thread_current()->stack_limit, 0)) kiln_stack_overflow();
}

/* ==== numbers (number.c) =============================================== */

typedef struct kiln_boxed_long { kiln_obj h; int64_t value; } kiln_boxed_long;
typedef struct kiln_boxed_double { kiln_obj h; double value; } kiln_boxed_double;
/* Big integers (digits inline, GC atomic memory), ratios (two big integers)
 * and decimals (unscaled big integer + int32 scale) are private to number.c. */

kiln_val kiln_long(int64_t i);  /* fixnum or boxed long */
kiln_val kiln_double(double d);
bool kiln_is_long(kiln_val v);  /* fixnum or boxed long */
int64_t kiln_long_value(kiln_val v); /* v must be a long */
bool kiln_is_number(kiln_val v);
/* Any number as a double (ratios and decimals rounded as the JVM's
 * doubleValue); ClassCastException for anything else. */
double kiln_double_value(kiln_val v);
/* (long v) as RT.longCast: longs, chars (code point), bigints in range, ratios
 * and decimals truncated, doubles truncated when in range; throws
 * IllegalArgumentException "Value out of range for long: ..." or
 * ClassCastException for non-numbers. [what] is unused (kept for callers). */
int64_t kiln_to_long(kiln_val v, const char *what);

kiln_val kiln_num_add(kiln_val a, kiln_val b);
kiln_val kiln_num_sub(kiln_val a, kiln_val b);
kiln_val kiln_num_mul(kiln_val a, kiln_val b);
kiln_val kiln_num_div(kiln_val a, kiln_val b);
kiln_val kiln_num_add_p(kiln_val a, kiln_val b); /* +' promoting */
kiln_val kiln_num_sub_p(kiln_val a, kiln_val b);
kiln_val kiln_num_mul_p(kiln_val a, kiln_val b);
kiln_val kiln_num_quot(kiln_val a, kiln_val b);
kiln_val kiln_num_rem(kiln_val a, kiln_val b);
kiln_val kiln_num_mod(kiln_val a, kiln_val b);
kiln_val kiln_num_negate(kiln_val a);
bool kiln_num_lt(kiln_val a, kiln_val b);
bool kiln_num_le(kiln_val a, kiln_val b);
bool kiln_num_equal(kiln_val a, kiln_val b); /* == */
bool kiln_num_equiv(kiln_val a, kiln_val b); /* = : same category and value */
int kiln_num_compare(kiln_val a, kiln_val b);
int32_t kiln_num_hash(kiln_val a);           /* Clojure's hasheq for numbers */
/* Parses a number literal as the reader sees it ("42", "0x1F", "2r101", "1/2",
 * "1.5", "1e3", "12N", "1.5M", "-7"). Returns false if [s] is not a number;
 * throws ArithmeticException "Divide by zero" for "1/0", as the JVM reader. */
bool kiln_num_parse(const char *s, size_t n, kiln_val *out);
/* Appends the printed form of [v] (as pr prints it) to [sb]. */
struct kiln_sb;
void kiln_num_print(struct kiln_sb *sb, kiln_val v);
/* Appends [v] as (str v) writes it: no N or M suffix, Infinity/NaN for doubles. */
void kiln_num_str(struct kiln_sb *sb, kiln_val v);
/* Java's Double.toString of [d] into [buf] (>= 32 bytes). */
void kiln_double_to_string(double d, char *buf);

/* ==== string building (string.c) ======================================= */

/* A growable byte buffer in GC memory. */
typedef struct kiln_sb {
  char *buf;
  size_t len;
  size_t cap;
} kiln_sb;

void kiln_sb_init(kiln_sb *sb);
/* Makes room for [extra] more bytes at once, as a caller that knows the
 * final size does instead of growing the buffer step by step. */
void kiln_sb_reserve(kiln_sb *sb, size_t extra);
void kiln_sb_putc(kiln_sb *sb, char c);
void kiln_sb_puts(kiln_sb *sb, const char *s);
void kiln_sb_putn(kiln_sb *sb, const char *s, size_t n);
void kiln_sb_printf(kiln_sb *sb, const char *fmt, ...) KILN_PRINTF(2, 3);
void kiln_sb_put_utf8(kiln_sb *sb, uint32_t codepoint);
/* NUL-terminates and returns the buffer (GC memory). */
const char *kiln_sb_cstr(kiln_sb *sb);
kiln_val kiln_sb_to_string(kiln_sb *sb);

/* ==== strings and chars (string.c) ===================================== */

/*
 * Strings are immutable UTF-8. Lengths and indices visible to the language
 * are in UTF-16 code units, as on the JVM: count, nth, subs, .indexOf.
 */
typedef struct kiln_string {
  kiln_obj h;          /* flags: KILN_STR_ASCII when every byte < 0x80 */
  uint32_t nbytes;     /* bytes of UTF-8, not counting the NUL */
  uint32_t nunits;     /* UTF-16 code units */
  int32_t hash;        /* Clojure hasheq, valid when KILN_STR_HASHED */
  uint32_t pad;
  char data[];         /* UTF-8, NUL-terminated */
} kiln_string;
#define KILN_STR_ASCII 1u
#define KILN_STR_HASHED 2u
#define KILN_STR_SURROGATES 4u /* holds a lone surrogate (not valid UTF-8) */

kiln_val kiln_str_new(const char *utf8, size_t nbytes);
kiln_val kiln_str_cstr(const char *s);
static inline const char *kiln_str_data(kiln_val s) { return ((const kiln_string *)s)->data; }
static inline size_t kiln_str_nbytes(kiln_val s) { return ((const kiln_string *)s)->nbytes; }
size_t kiln_str_count(kiln_val s);                  /* UTF-16 units */
kiln_val kiln_str_nth(kiln_val s, size_t i);        /* char at UTF-16 index */
kiln_val kiln_str_subs(kiln_val s, size_t from, size_t to); /* UTF-16 indices */
int kiln_str_compare(kiln_val a, kiln_val b);       /* as String.compareTo */
bool kiln_str_equal(kiln_val a, kiln_val b);
/* Decodes one UTF-8 code point at s[*i], advancing *i; invalid bytes give U+FFFD. */
uint32_t kiln_utf8_decode(const char *s, size_t n, size_t *i);
bool kiln_is_string(kiln_val v);
/* Conversions between UTF-16 indices and byte offsets of [s]. */
size_t kiln_str_unit_to_byte(kiln_val s, size_t unit);
size_t kiln_str_byte_to_unit(kiln_val s, size_t byte);
/* Replaces the first or every occurrence of the literal string [match]. */
kiln_val kiln_str_replace_literal(kiln_val s, kiln_val match, kiln_val rep, bool first_only);
/* (format fmt args...): a java.util.Formatter subset (%s %d %f %x %o %e %g %c %b %h %% %n,
 * flags -+ 0,(#, width, precision, n$ indices). */
kiln_val kiln_format(kiln_val fmt, uint32_t nargs, const kiln_val *args);
/* Java's Character.isWhitespace, toUpperCase and toLowerCase of a code point. */
bool kiln_char_is_whitespace(uint32_t c);
uint32_t kiln_char_upper(uint32_t c);
uint32_t kiln_char_lower(uint32_t c);
/* "newline", "space", "tab", "backspace", "formfeed", "return", or NULL. */
const char *kiln_char_name(uint32_t c);

/* ==== symbols and keywords (symbol.c) ================================== */

typedef struct kiln_symbol {
  kiln_obj h;
  kiln_val ns;     /* string or nil */
  kiln_val name;   /* string */
  kiln_val meta;
  int32_t hash;
  uint32_t pad;
} kiln_symbol;

typedef struct kiln_keyword {
  kiln_obj h;
  kiln_val sym;    /* the symbol without metadata */
  int32_t hash;
  uint32_t pad;
} kiln_keyword;

/* Symbols are values compared by ns and name; kiln_sym returns a shared
 * instance for symbols without metadata. Keywords are interned: compare with ==. */
kiln_val kiln_sym(const char *ns, const char *name); /* ns may be NULL */
kiln_val kiln_sym_parse(const char *qualified);      /* "a.b/c" or "c" or "/" */
kiln_val kiln_kw(const char *ns, const char *name);
kiln_val kiln_kw_parse(const char *qualified);
const char *kiln_sym_name(kiln_val sym);             /* C string */
const char *kiln_sym_ns(kiln_val sym);               /* C string or NULL */
/* Keyword's name and namespace, as C strings. */
const char *kiln_kw_name(kiln_val kw);
const char *kiln_kw_ns(kiln_val kw);
/* (gensym prefix): prefix (default "G__") followed by a new number. */
kiln_val kiln_gensym(const char *prefix);
/* RT.nextID: a process-wide counter (gensym, fn class names). */
int64_t kiln_next_id(void);
/* A copy of [sym] carrying [meta] (the shared instance when meta is nil). */
kiln_val kiln_sym_with_meta(kiln_val sym, kiln_val meta);
bool kiln_sym_equal(kiln_val a, kiln_val b);
int kiln_sym_compare(kiln_val a, kiln_val b); /* Symbol.compareTo */
/* The keyword ns/name if it was ever interned, else nil (find-keyword). */
kiln_val kiln_kw_find(const char *ns, const char *name);
void kiln_symbol_register_natives(void); /* called by kiln_string_init */

/* ==== the seq protocol (seq.c, list.c) ================================= */

/*
 * Lists are counted and cache their hash; the empty list is one shared
 * KILN_T_EMPTY_LIST object (kiln_empty_list) unless it carries metadata.
 * Clojure's cons onto nil gives a list; onto anything else a Cons.
 */
typedef struct kiln_list {
  kiln_obj h;           /* KILN_T_LIST or KILN_T_EMPTY_LIST */
  kiln_val first;
  kiln_val rest;        /* a list or the empty list */
  kiln_val meta;
  uint32_t count;
  int32_t hash;         /* valid when flags has KILN_COLL_HASHED */
} kiln_list;

typedef struct kiln_cons_obj {
  kiln_obj h;           /* KILN_T_CONS */
  kiln_val first;
  kiln_val more;        /* any seqable or nil */
  kiln_val meta;
} kiln_cons_obj;

/*
 * A lazy seq: fn is called once, its result seq'd and cached. [s] holds
 * KILN_LAZY_UNREALIZED until then; realization publishes [s] with a CAS, so
 * two threads racing may both run the thunk but all see one result. A thunk
 * that throws leaves the seq unrealized.
 */
typedef struct kiln_lazy_seq {
  kiln_obj h;           /* KILN_T_LAZY_SEQ */
  kiln_val fn;          /* nil once realized */
  kiln_val sv;          /* unused (kept for layout) */
  kiln_val s;           /* the realized seq (or nil), or KILN_LAZY_UNREALIZED */
  kiln_val meta;
} kiln_lazy_seq;
#define KILN_LAZY_UNREALIZED ((kiln_val)8)

/*
 * Generic seqs over other collections share one shape with a kind-specific
 * cursor; the kind is in the header's flags. Seq objects are immutable:
 * next returns a new one. Kinds with a known length are counted.
 */
#define KILN_SEQ_KINDS(X)                                                    \
  X(VEC)      /* coll vector, i index, end count, node leaf array */        \
  X(RVEC)     /* rseq of a vector: i index counting down to 0 */             \
  X(STR)      /* coll string, i byte offset, end nbytes, extra 1 = low half */ \
  X(ARRAY)    /* node kiln_val array, i, end; coll keeps the owner alive */  \
  X(AMAP)     /* array map entries: node kvs, i pair index, end count */     \
  X(AMAP_KEYS)                                                               \
  X(AMAP_VALS)                                                               \
  X(HAMT)     /* hash map entries: node a cursor (map.c) */                  \
  X(HAMT_KEYS)                                                               \
  X(HAMT_VALS)                                                               \
  X(SORTED)   /* sorted map/set: node a cursor (sorted.c) */                 \
  X(RANGE)    /* long range: i current, end, extra step (fixnum) */          \
  X(NRANGE)   /* any-number range: coll current, extra end, node step */     \
  X(KEYS)     /* keys of another seq of entries: coll the entry seq */       \
  X(VALS)                                                                    \
  X(CHUNKED)  /* chunk-cons: coll the chunk (a vector), i, end its count,   \
                 extra what follows the chunk */

typedef enum kiln_seq_kind {
#define KILN_SEQ_KIND_ENUM(name) KILN_SEQ_##name,
  KILN_SEQ_KINDS(KILN_SEQ_KIND_ENUM)
#undef KILN_SEQ_KIND_ENUM
  KILN_SEQ_KIND_COUNT
} kiln_seq_kind;

typedef struct kiln_seq_obj {
  kiln_obj h;           /* KILN_T_SEQ; flags: the seq kind */
  kiln_val coll;        /* the thing being walked */
  kiln_val meta;
  intptr_t i;           /* position */
  intptr_t end;
  void *node;           /* kind-specific cursor (vector leaf, HAMT path, ...) */
  kiln_val extra;
} kiln_seq_obj;

extern kiln_val kiln_empty_list;
kiln_val kiln_list_from(uint32_t n, const kiln_val *items);
kiln_val kiln_list_cons(kiln_val x, kiln_val list); /* onto a list: a list */
kiln_val kiln_cons(kiln_val x, kiln_val seqable);   /* Clojure's cons */
kiln_val kiln_lazy_seq_new(kiln_val fn);
bool kiln_lazy_seq_realized(kiln_val lazy_seq);
/* A new seq object of [kind] (seq.c); fields are filled by the caller. */
kiln_seq_obj *kiln_seq_obj_new(kiln_seq_kind kind, kiln_val coll);
/* (range start end step) over longs or any numbers, as clojure.core/range. */
kiln_val kiln_range(kiln_val start, kiln_val end, kiln_val step);

/* seq: nil for empty, else a seq value. Throws IllegalArgumentException for
 * values that are not seqable ("Don't know how to create ISeq from: ..."). */
kiln_val kiln_seq(kiln_val coll);
kiln_val kiln_first(kiln_val coll);
kiln_val kiln_next(kiln_val coll);
kiln_val kiln_rest(kiln_val coll);       /* () when nothing left */
bool kiln_is_seq(kiln_val v);            /* ISeq: list, cons, lazy seq, seq objects */
bool kiln_is_seqable(kiln_val v);
kiln_val kiln_seq_to_vector(kiln_val coll);
/* first/next of a value already known to be a non-nil seq (from kiln_seq). */
kiln_val kiln_seq_first(kiln_val s);
kiln_val kiln_seq_next(kiln_val s);
/* Count of a seq object with a known length, or -1. */
int64_t kiln_seq_obj_count(kiln_val s);
/*
 * Chunked seqs, as the JVM's: seqs of vectors and of long ranges, and those
 * chunk-cons makes, hand out 32 items at a time, so map, filter and reduce
 * do their work a chunk at a time. A chunk is a vector.
 */
bool kiln_is_chunked_seq(kiln_val s);
kiln_val kiln_chunk_first(kiln_val s); /* the chunk at the front, a vector */
kiln_val kiln_chunk_rest(kiln_val s);  /* what follows it; () when nothing */

/* ==== collections (vector.c, map.c, set.c, sorted.c, coll.c) =========== */

/*
 * The persistent collections follow the JVM classes of the same names, so
 * that iteration order, printing and performance match: PersistentVector (a
 * 32-way trie plus a tail), PersistentArrayMap (up to 8 entries, insertion
 * order), PersistentHashMap (a HAMT over kiln_hash; order follows the hash
 * bits 5 at a time from the low end; nil key first), PersistentHashSet (a
 * hash map from each key to itself), PersistentTreeMap/Set (a red-black tree
 * under a comparator). Collections cache their hash (KILN_COLL_HASHED).
 *
 * Transients share the node structures: a node whose [edit] is the
 * transient's live edit token may be mutated in place; persistent! kills the
 * token, and every later use of the transient throws IllegalAccessError.
 */
#define KILN_COLL_HASHED 0x100u /* flags: the cached hash field is valid */
#define KILN_VEC_SUB 0x200u     /* flags of a KILN_T_VECTOR made by subvec */
#define KILN_TMAP_ARRAY 0x400u  /* flags of a KILN_T_TRANSIENT_MAP shaped as an array map */

typedef struct kiln_vnode {
  void *edit;           /* the edit token of the transient that may mutate it, or NULL */
  void *a[32];          /* child nodes (interior) or kiln_vals (leaf) */
} kiln_vnode;

typedef struct kiln_vector {
  kiln_obj h;           /* KILN_T_VECTOR or KILN_T_TRANSIENT_VECTOR */
  uint32_t cnt;
  uint32_t shift;
  kiln_vnode *root;
  kiln_val *tail;       /* cnt - tailoff values; 32 slots in a transient */
  kiln_val meta;
  void *edit;           /* transient: its edit token */
  int32_t hash;
  uint32_t start;       /* subvec: first index in [sub] */
  kiln_val sub;         /* subvec: the underlying (non-sub) vector */
} kiln_vector;

typedef struct kiln_map_entry_obj {
  kiln_obj h;           /* KILN_T_MAP_ENTRY: behaves as the 2-vector [key val] */
  kiln_val key;
  kiln_val val;
} kiln_map_entry_obj;

typedef struct kiln_array_map {
  kiln_obj h;           /* KILN_T_ARRAY_MAP, or KILN_T_TRANSIENT_MAP with KILN_TMAP_ARRAY */
  uint32_t cnt;         /* entries */
  uint32_t cap;         /* entries kvs has room for */
  kiln_val *kvs;        /* k0 v0 k1 v1 ..., insertion order */
  kiln_val meta;
  void *edit;
  int32_t hash;
  uint32_t pad;
} kiln_array_map;

typedef struct kiln_hash_map {
  kiln_obj h;           /* KILN_T_HASH_MAP or KILN_T_TRANSIENT_MAP */
  uint32_t cnt;
  uint32_t has_null;    /* the nil key is present, with null_val */
  void *root;           /* HAMT node (map.c) or NULL */
  kiln_val null_val;
  kiln_val meta;
  void *edit;
  int32_t hash;
  uint32_t pad;
} kiln_hash_map;

typedef struct kiln_hash_set {
  kiln_obj h;           /* KILN_T_HASH_SET or KILN_T_TRANSIENT_SET */
  uint32_t pad;
  kiln_val map;         /* a hash map (or transient map) from each key to itself */
  kiln_val meta;
  int32_t hash;
  uint32_t pad2;
} kiln_hash_set;

typedef struct kiln_rbnode {
  kiln_val key;
  kiln_val val;
  struct kiln_rbnode *left, *right;
  uint32_t red;
  uint32_t pad;
} kiln_rbnode;

typedef struct kiln_sorted {
  kiln_obj h;           /* KILN_T_SORTED_MAP or KILN_T_SORTED_SET (val == key) */
  uint32_t cnt;
  uint32_t pad;
  kiln_rbnode *root;
  kiln_val cmp;         /* comparator fn, or nil for compare */
  kiln_val meta;
  int32_t hash;
  uint32_t pad2;
} kiln_sorted;

typedef struct kiln_reduced_obj {
  kiln_obj h;           /* KILN_T_REDUCED */
  kiln_val val;
} kiln_reduced_obj;

extern kiln_val kiln_empty_vector;
extern kiln_val kiln_empty_map;       /* array map */
extern kiln_val kiln_empty_hash_map;
extern kiln_val kiln_empty_set;

kiln_val kiln_vec_from(uint32_t n, const kiln_val *items);
kiln_val kiln_vec_conj(kiln_val v, kiln_val x);
kiln_val kiln_vec_nth(kiln_val v, int64_t i, kiln_val not_found, bool throw_if_missing);
kiln_val kiln_vec_assoc(kiln_val v, int64_t i, kiln_val x);
kiln_val kiln_vec_pop(kiln_val v);
uint32_t kiln_vec_count(kiln_val v);
kiln_val kiln_vec_peek(kiln_val v);
kiln_val kiln_vec_subvec(kiln_val v, int64_t start, int64_t end);
kiln_val kiln_vec_seq(kiln_val v);   /* nil when empty */
kiln_val kiln_vec_rseq(kiln_val v);
/* The leaf array holding index [i] of a non-sub vector (for walking leaves). */
const kiln_val *kiln_vec_leaf(kiln_val v, uint32_t i);
kiln_val kiln_vec_with_meta(kiln_val v, kiln_val meta);
kiln_val kiln_vec_transient(kiln_val v);
kiln_val kiln_tvec_conj(kiln_val t, kiln_val x);
kiln_val kiln_tvec_assoc(kiln_val t, int64_t i, kiln_val x);
kiln_val kiln_tvec_pop(kiln_val t);
kiln_val kiln_tvec_nth(kiln_val t, int64_t i, kiln_val not_found, bool throw_if_missing);
kiln_val kiln_tvec_persistent(kiln_val t);
/* Reduces [f] over the vector's items (or map-entry's two items), honouring reduced. */
kiln_val kiln_vec_reduce(kiln_val v, kiln_val f, kiln_val acc);
kiln_val kiln_map_entry(kiln_val k, kiln_val v);
/* A map entry as a plain vector (for conj, assoc, with-meta on entries). */
kiln_val kiln_map_entry_vec(kiln_val e);

/* Maps: array map up to 8 entries, hash map beyond, as on the JVM. */
kiln_val kiln_map_from(uint32_t n, const kiln_val *kvs);     /* last duplicate wins */
kiln_val kiln_hash_map_from(uint32_t n, const kiln_val *kvs); /* always a hash map */
kiln_val kiln_array_map_from(uint32_t n, const kiln_val *kvs); /* always an array map */
kiln_val kiln_map_assoc(kiln_val m, kiln_val k, kiln_val v);
kiln_val kiln_map_dissoc(kiln_val m, kiln_val k);
/* Returns the value of [k], or not_found. Works on transient maps too. */
kiln_val kiln_map_get(kiln_val m, kiln_val k, kiln_val not_found);
bool kiln_map_contains(kiln_val m, kiln_val k);
/* The entry of [k] or nil. */
kiln_val kiln_map_find(kiln_val m, kiln_val k);
uint32_t kiln_map_count(kiln_val m);
kiln_val kiln_map_seq(kiln_val m);       /* entries; nil when empty */
kiln_val kiln_map_keys(kiln_val m);      /* seq of keys or nil */
kiln_val kiln_map_vals(kiln_val m);
kiln_val kiln_map_with_meta(kiln_val m, kiln_val meta);
kiln_val kiln_map_transient(kiln_val m);
kiln_val kiln_tmap_assoc(kiln_val t, kiln_val k, kiln_val v);
kiln_val kiln_tmap_dissoc(kiln_val t, kiln_val k);
kiln_val kiln_tmap_persistent(kiln_val t);
/* Reduces (f acc entry) over the map, or (f acc k v) when [kv]. */
kiln_val kiln_map_reduce(kiln_val m, kiln_val f, kiln_val acc, bool kv);

kiln_val kiln_set_from(uint32_t n, const kiln_val *items);
kiln_val kiln_set_conj(kiln_val s, kiln_val x);
kiln_val kiln_set_disj(kiln_val s, kiln_val x);
bool kiln_set_contains(kiln_val s, kiln_val x);
/* The element of the set equal to [x] (as (get s x)), or not_found. */
kiln_val kiln_set_get(kiln_val s, kiln_val x, kiln_val not_found);
uint32_t kiln_set_count(kiln_val s);
kiln_val kiln_set_seq(kiln_val s);
kiln_val kiln_set_with_meta(kiln_val s, kiln_val meta);
kiln_val kiln_set_transient(kiln_val s);
kiln_val kiln_tset_conj(kiln_val t, kiln_val x);
kiln_val kiln_tset_disj(kiln_val t, kiln_val x);
kiln_val kiln_tset_persistent(kiln_val t);

/* Sorted collections; [cmp] is a comparator fn or nil for compare. */
kiln_val kiln_sorted_map_new(kiln_val cmp);
kiln_val kiln_sorted_set_new(kiln_val cmp);
kiln_val kiln_sorted_assoc(kiln_val m, kiln_val k, kiln_val v); /* sets: v ignored */
kiln_val kiln_sorted_dissoc(kiln_val m, kiln_val k);
/* The node holding [k], or NULL. */
kiln_rbnode *kiln_sorted_lookup(kiln_val m, kiln_val k);
/* Entries (maps) or keys (sets), ascending or descending; nil when empty. */
kiln_val kiln_sorted_seq(kiln_val m, bool ascending);
/* Seq from the first key >= [k] (ascending) or <= [k] (descending). */
kiln_val kiln_sorted_seq_from(kiln_val m, kiln_val k, bool ascending);
kiln_val kiln_sorted_with_meta(kiln_val m, kiln_val meta);
/* Compares as the collection's comparator does. */
int kiln_sorted_compare(kiln_val m, kiln_val a, kiln_val b);
/* Compares with a comparator fn as Clojure's AFunction.compare (nil: compare). */
int kiln_comparator_call(kiln_val cmp, kiln_val a, kiln_val b);

/* Transients. */
kiln_val kiln_transient(kiln_val coll);
kiln_val kiln_persistent(kiln_val t);
kiln_val kiln_conj_t(kiln_val t, kiln_val x);
kiln_val kiln_assoc_t(kiln_val t, kiln_val k, kiln_val v);
kiln_val kiln_dissoc_t(kiln_val t, kiln_val k);
kiln_val kiln_disj_t(kiln_val t, kiln_val x);
kiln_val kiln_pop_t(kiln_val t);
/* Throws IllegalAccessError when [edit] is dead (used after persistent!). */
void kiln_transient_check(void *edit);
void *kiln_edit_new(void);
void kiln_edit_kill(void *edit);

/* Generic operations over any collection (coll.c), Clojure's semantics. */
kiln_val kiln_count(kiln_val coll);           /* as a fixnum */
int64_t kiln_count_int(kiln_val coll);
kiln_val kiln_conj(kiln_val coll, kiln_val x);
kiln_val kiln_assoc(kiln_val coll, kiln_val k, kiln_val v);
kiln_val kiln_dissoc(kiln_val coll, kiln_val k);
kiln_val kiln_disj(kiln_val coll, kiln_val k);
kiln_val kiln_get(kiln_val coll, kiln_val k, kiln_val not_found);
kiln_val kiln_nth(kiln_val coll, int64_t i, kiln_val not_found, bool has_not_found);
bool kiln_contains(kiln_val coll, kiln_val k);
kiln_val kiln_find(kiln_val coll, kiln_val k);
kiln_val kiln_peek(kiln_val coll);
kiln_val kiln_pop(kiln_val coll);
kiln_val kiln_empty(kiln_val coll);
kiln_val kiln_meta(kiln_val x);
kiln_val kiln_with_meta(kiln_val x, kiln_val meta);
bool kiln_is_coll(kiln_val v);
bool kiln_is_map(kiln_val v);
bool kiln_is_vector(kiln_val v);
bool kiln_is_set(kiln_val v);
bool kiln_is_sequential(kiln_val v);
bool kiln_is_counted(kiln_val v);
/* reduce with Clojure's semantics, including reduced; f called as (f acc x). */
kiln_val kiln_reduce(kiln_val f, kiln_val init, kiln_val coll);
/* (reduce f coll): no init. */
kiln_val kiln_reduce1(kiln_val f, kiln_val coll);
kiln_val kiln_reduced(kiln_val x);
bool kiln_is_reduced(kiln_val x);
kiln_val kiln_reduced_value(kiln_val x);
/* (into to from) with transients where [to] allows. */
kiln_val kiln_into(kiln_val to, kiln_val from);
/* Clojure's hasheq of a collection (ordered for sequential, unordered for
 * maps and sets; cached where the collection has a slot); for hash.c. */
int32_t kiln_coll_hash(kiln_val coll);
/* = between two values at least one of which is a collection; for equal.c. */
bool kiln_coll_equiv(kiln_val a, kiln_val b);

/* Shared between the collection files only. */
/* (f a b) for reduce loops: a fn's code directly, anything else via kiln_call. */
kiln_val kiln_call2(kiln_val f, kiln_val a, kiln_val b); /* fn.c */
static inline kiln_val kiln_coll_call2(kiln_val f, kiln_val a, kiln_val b) {
  if (KILN_HAS_TYPE(f, KILN_T_FN)) {
    kiln_val argv[2] = {a, b};
    return ((kiln_fn *)f)->code((kiln_fn *)f, 2, argv);
  }
  return kiln_call2(f, a, b);
}
void kiln_list_init(void);
void kiln_vector_init(void);
void kiln_map_init(void);
void kiln_set_init(void);
kiln_val kiln_list_with_meta(kiln_val x, kiln_val meta);
kiln_val kiln_map_seq_first(const kiln_seq_obj *s);
kiln_val kiln_map_seq_next(const kiln_seq_obj *s);
kiln_val kiln_sorted_seq_first(const kiln_seq_obj *s);
kiln_val kiln_sorted_seq_next(const kiln_seq_obj *s);
kiln_val kiln_sorted_map_get(kiln_val m, kiln_val k, kiln_val not_found);
void kiln_coll_register_natives(void);
void kiln_sorted_register_natives(void);

/* ==== hashing and equality (hash.c, equal.c) =========================== */

int32_t kiln_hash(kiln_val x);          /* clojure.core/hash */
int32_t kiln_murmur3_hash_int(int32_t i);
int32_t kiln_murmur3_hash_long(int64_t l);
int32_t kiln_murmur3_mix_coll_hash(int32_t hash, int32_t count);
int32_t kiln_murmur3_hash_unencoded_chars(const char *utf8, size_t n);
int32_t kiln_string_hash_code(const char *utf8, size_t n); /* String.hashCode */
bool kiln_equiv(kiln_val a, kiln_val b); /* clojure.core/= */
int kiln_compare(kiln_val a, kiln_val b); /* clojure.core/compare */
int32_t kiln_hash_combine(int32_t seed, int32_t hash); /* Util.hashCombine */
int32_t kiln_hash_ordered(kiln_val coll);   /* Murmur3.hashOrdered over (seq coll) */
int32_t kiln_hash_unordered(kiln_val coll); /* Murmur3.hashUnordered over (seq coll) */
/* Object.hashCode of values compared by identity (stable: objects never move). */
int32_t kiln_identity_hash(kiln_val x);
/* Java's .hashCode (not hasheq): what "clojure.lang.LazySeq@1f" shows. */
int32_t kiln_java_hash(kiln_val x);
/*
 * Types whose layout belongs to another subsystem (records, deftypes, uuids,
 * insts) plug into hash, = and compare here, once, at start-up. An equiv
 * method is called with its own type as [a]; [b] may be anything.
 */
typedef int32_t (*kiln_hash_method)(kiln_val x);
typedef bool (*kiln_equiv_method)(kiln_val a, kiln_val b);
typedef int (*kiln_compare_method)(kiln_val a, kiln_val b);
void kiln_hash_set_method(kiln_type t, kiln_hash_method m);
void kiln_equiv_set_method(kiln_type t, kiln_equiv_method m);
void kiln_compare_set_method(kiln_type t, kiln_compare_method m);
/* Throws ClassCastException "class X cannot be cast to class [to] (...)" as the JVM words it. */
KILN_NORETURN void kiln_throw_class_cast(kiln_val x, const char *to);
void kiln_equal_register_natives(void); /* called by kiln_hash_init */

/* ==== the printer (print.c) ============================================ */

/* Appends [x] as pr (readably) or print (not readably) would write it,
 * honouring *print-length*, *print-level*, *print-meta*, *print-namespace-maps*. */
void kiln_pr_to(kiln_sb *sb, kiln_val x, bool readably);
const char *kiln_pr_str(kiln_val x);      /* GC C string */
const char *kiln_print_str(kiln_val x);
/* (str x): nil is "", strings themselves, others as print. */
void kiln_str_to(kiln_sb *sb, kiln_val x);

/*
 * The printer's state for one top-level call: the print vars, read once.
 * Print methods of other subsystems' types receive it and print nested
 * values with kiln_printer_value, so *print-length* and *print-level* hold.
 */
typedef struct kiln_printer {
  kiln_sb *sb;
  bool readably;
  bool meta;      /* *print-meta* */
  bool ns_maps;   /* *print-namespace-maps* */
  int64_t length; /* *print-length*, -1 when nil */
  int64_t level;  /* levels left (*print-level*), -1 when nil */
} kiln_printer;
typedef void (*kiln_print_method)(kiln_printer *p, kiln_val x);
void kiln_printer_init(kiln_printer *p, kiln_sb *sb, bool readably);
void kiln_printer_value(kiln_printer *p, kiln_val x);
/* Installs the printer for type [t]: records ("#user.Rec{:a 1}"), uuids, insts. */
void kiln_print_set_method(kiln_type t, kiln_print_method m);
/* Writes [prefix]{k v, k v} for map [m], honouring *print-length* and
 * *print-level* (records print as kiln_print_map_body(p, "#user.Rec", fields)). */
void kiln_print_map_body(kiln_printer *p, const char *prefix, kiln_val m);
/* The JVM class name of a fn named "ns/name[/inner]": "ns$name$inner", munged. */
void kiln_fn_class_name(kiln_sb *sb, const char *fn_name);

/* ==== records and types (record.c) ===================================== */

typedef struct kiln_record {
  kiln_obj h;     /* KILN_T_RECORD or KILN_T_TYPE */
  kiln_val tag;   /* the type's symbol: demo.core.Point */
  kiln_val basis; /* the declared fields, as keywords */
  kiln_val map;   /* the entries (fields first) */
  kiln_val meta;
  int32_t hash;   /* 0 = not computed */
  uint32_t pad;
} kiln_record;

kiln_val kiln_record_new(kiln_type type, kiln_val tag, kiln_val basis, kiln_val map);
bool kiln_is_record(kiln_val v);
kiln_val kiln_record_map(kiln_val r);
kiln_val kiln_record_tag(kiln_val r);
kiln_val kiln_record_assoc(kiln_val r, kiln_val k, kiln_val v);
kiln_val kiln_record_dissoc(kiln_val r, kiln_val k);
kiln_val kiln_record_meta(kiln_val r);
kiln_val kiln_record_with_meta(kiln_val r, kiln_val meta);
bool kiln_record_equiv(kiln_val a, kiln_val b);
int32_t kiln_record_hash(kiln_val r);

/* ==== vars and namespaces (var.c) ====================================== */

typedef struct kiln_ns {
  kiln_obj h;
  kiln_val name;      /* symbol */
  kiln_val mappings;  /* map: symbol -> var (atomically replaced under the ns lock) */
  kiln_val aliases;   /* map: symbol -> namespace */
  kiln_val meta;
} kiln_ns;

kiln_val kiln_ns_find(kiln_val name_sym);          /* nil if absent */
kiln_val kiln_ns_find_or_create(kiln_val name_sym);
kiln_val kiln_ns_all(void);                        /* seq of namespaces */
kiln_var *kiln_ns_intern(kiln_val ns, kiln_val name_sym);
/* Resolves [sym] in [ns]: qualified via aliases, else mappings. nil if absent. */
kiln_val kiln_ns_resolve(kiln_val ns, kiln_val sym);
void kiln_ns_refer(kiln_val ns, kiln_val sym, kiln_var *var);
void kiln_ns_alias(kiln_val ns, kiln_val alias, kiln_val target_ns);
void kiln_ns_unmap(kiln_val ns, kiln_val sym);
/* Refers every public var of [from] into [ns] (what (refer 'from) does). */
void kiln_ns_refer_all(kiln_val ns, kiln_val from);
/* The namespace [x] names: a namespace itself, or a symbol of an existing
 * one; throws "No namespace: x found" otherwise (the-ns). */
kiln_val kiln_the_ns(kiln_val x);
const char *kiln_ns_name(kiln_val ns);               /* C string */
kiln_var *kiln_var_intern(const char *ns, const char *name);
/* ns/name if it is interned there (not referred), else NULL. */
kiln_var *kiln_var_find(const char *ns, const char *name);
/*
 * A var's root is always callable: an unbound var's root is its "unbound"
 * object, a kiln_fn flagged KILN_FN_UNBOUND whose code throws
 * IllegalStateException "Attempting to call unbound fn: #'ns/name" (the JVM's
 * Var$Unbound). Dereferencing an unbound var returns that object, as on the
 * JVM; the printer shows it as #object[clojure.lang.Var$Unbound ...
 * "Unbound: #'ns/name"] (its kiln_fn.data is the var).
 */
#define KILN_FN_UNBOUND 0x100u
kiln_val kiln_var_get(kiln_var *v);   /* thread binding, else root */
bool kiln_var_is_bound(kiln_var *v);  /* bound? */
const char *kiln_var_name(kiln_var *v); /* "ns/name" (GC memory) */
/* Sets the root and marks the var bound; tells the observer first. */
void kiln_var_set_root(kiln_var *v, kiln_val root);
/* def: replaces the metadata (adding :ns and :name), sets the dynamic, macro
 * and private flags from it, and the root when [has_root]; tells the observer
 * first. */
void kiln_var_def(kiln_var *v, kiln_val root, bool has_root, kiln_val meta);
/* Puts back a state the observer saw, without telling it (rollback). */
void kiln_var_restore(kiln_var *v, kiln_val root, uint32_t flags, kiln_val meta);
/* Replaces the metadata (alter-meta!, reset-meta!); keeps flags in step. */
void kiln_var_set_meta(kiln_var *v, kiln_val meta);
kiln_val kiln_var_set(kiln_var *v, kiln_val value); /* set! on a thread binding */
/*
 * Dynamic bindings. Each thread has a chain of binding frames; a frame adds
 * one box per var bound by one `binding` form. A throw restores the frame
 * that was current at its try (error.c), so frames never leak.
 */
void kiln_var_push_bindings(kiln_val var_to_val_map);
/* Pushes one frame binding [n] vars (C callers: nREPL, kiln_eval). */
void kiln_var_push_bindings_n(uint32_t n, kiln_var *const *vars, const kiln_val *vals);
void kiln_var_pop_bindings(void);
kiln_val kiln_var_get_bindings(void);  /* map var -> value (get-thread-bindings) */
/* The current frame as an opaque value (binding conveyance to another thread:
 * futures, bound-fn), and making a saved frame current. */
kiln_val kiln_var_clone_bindings(void);
void kiln_var_reset_bindings(kiln_val frame);
/* The journal of root changes, used by the patch loader to roll back. */
typedef void (*kiln_var_observer)(kiln_var *v, kiln_val old_root, uint32_t old_flags,
                                  kiln_val old_meta, void *ctx);
void kiln_var_set_observer(kiln_var_observer obs, void *ctx);

/* clojure.core's frequently used vars, interned at start-up. */
extern kiln_var *kiln_v_ns;           /* *ns* */
extern kiln_var *kiln_v_out;          /* *out* */
extern kiln_var *kiln_v_err;          /* *err* */
extern kiln_var *kiln_v_in;           /* *in* */
extern kiln_var *kiln_v_print_length, *kiln_v_print_level, *kiln_v_print_meta,
    *kiln_v_print_namespace_maps, *kiln_v_print_readably, *kiln_v_print_dup;
extern kiln_var *kiln_v_file, *kiln_v_line;
extern kiln_var *kiln_v_star1, *kiln_v_star2, *kiln_v_star3, *kiln_v_stare; /* *1 *2 *3 *e */
extern kiln_var *kiln_v_assert, *kiln_v_command_line_args, *kiln_v_data_readers,
    *kiln_v_flush_on_newline, *kiln_v_unchecked_math, *kiln_v_warn_on_reflection;
/* clojure.core and user; the current namespace is kiln_var_get(kiln_v_ns). */
extern kiln_val kiln_ns_core, kiln_ns_user;

/* (meta x), (with-meta x m) for every value: vars, namespaces, fns and
 * references here; everything else goes to kiln_meta / kiln_with_meta. */
kiln_val kiln_meta_of(kiln_val x);
kiln_val kiln_with_meta_of(kiln_val x, kiln_val meta);

/* ==== callables (fn.c) ================================================= */

/* Calls anything callable: fns, keywords, maps, sets, vectors, vars, records
 * of IFn... Throws ClassCastException "X cannot be cast to clojure.lang.IFn". */
kiln_val kiln_call(kiln_val f, uint32_t argc, const kiln_val *argv);
kiln_val kiln_call0(kiln_val f);
kiln_val kiln_call1(kiln_val f, kiln_val a);
kiln_val kiln_call2(kiln_val f, kiln_val a, kiln_val b);
kiln_val kiln_call3(kiln_val f, kiln_val a, kiln_val b, kiln_val c);
/* (apply f args): args is a seqable. */
kiln_val kiln_apply(kiln_val f, kiln_val args);
kiln_fn *kiln_fn_new(kiln_fn_code code, const char *name, uint32_t nclosed);
/* The variadic rest of argv from index [from] as a seq, or nil. */
kiln_val kiln_rest_args(uint32_t argc, const kiln_val *argv, uint32_t from);
/*
 * A fn flagged KILN_FN_VARIADIC (set by whoever creates it) has a variadic
 * arity whose fixed parameters number at most KILN_MAX_POSITIONAL, and takes
 * its rest arguments only through kiln_rest_args / api->rest_args. apply then
 * realizes at most KILN_MAX_POSITIONAL + 1 arguments and hands the rest over
 * unrealized, so (apply f (range)) works as on the JVM. Without the flag,
 * apply realizes every argument.
 */
bool kiln_is_fn(kiln_val v);  /* fn? */
bool kiln_is_ifn(kiln_val v); /* ifn? */
/*
 * Callables beyond the built-in kinds. kiln_call calls KILN_T_FN and
 * KILN_T_MULTIFN objects through their code pointer (a multimethod is
 * kiln_fn-shaped: its code dispatches), and the others (records and types
 * implementing IFn, ...) through the invoker registered for their type.
 */
typedef kiln_val (*kiln_invoker)(kiln_val f, uint32_t argc, const kiln_val *argv);
void kiln_fn_set_invoker(kiln_type type, kiln_invoker invoker);
/* The hook behind api->field for types other than maps (records). */
void kiln_fn_set_field_hook(kiln_val (*hook)(kiln_val obj, kiln_val kw));
/* api->field: (.-field obj) for maps and records. */
kiln_val kiln_field(kiln_val obj, kiln_val kw);

/* ==== natives (core.c and friends) ===================================== */

/*
 * A native function declared with KILN_NATIVE records its name, arglists and
 * docstring; natives are registered from tables into a namespace as vars whose
 * metadata carries :doc and :arglists (so nREPL lookup finds them).
 */
typedef struct kiln_native_def {
  const char *name;
  const char *arglists; /* as Clojure prints them: "([x] [x y])" */
  const char *doc;
  kiln_fn_code code;
  uint32_t flags;       /* KILN_VAR_DYNAMIC, ... for the var */
} kiln_native_def;

#define KILN_NATIVE(cname) \
  static kiln_val cname(kiln_fn *self, uint32_t argc, const kiln_val *argv)
#define KILN_ARITY(name, cond) \
  do { if (!(cond)) kiln_throw_arity((name), argc); } while (0)

void kiln_natives_register(const char *ns, const kiln_native_def *defs, size_t n);
/* Parses the :arglists of natives registered before the reader was ready
 * (kiln_rt_init calls it after every subsystem's init). */
void kiln_natives_finish(void);

/* ==== references (ref.c) =============================================== */

typedef struct kiln_atom {
  kiln_obj h;          /* KILN_T_ATOM */
  kiln_val value;      /* compare-and-set on this word */
  kiln_val watches;    /* map key -> fn, replaced atomically */
  kiln_val validator;  /* fn or nil */
  kiln_val meta;
} kiln_atom;

typedef struct kiln_volatile {
  kiln_obj h;          /* KILN_T_VOLATILE */
  kiln_val value;
} kiln_volatile;

/* A delay runs its fn once, under its own lock; an exception it throws is
 * cached and rethrown by every deref, as Clojure 1.9+ does. */
typedef struct kiln_delay {
  kiln_obj h;          /* KILN_T_DELAY; flags: KILN_DELAY_* */
  kiln_val fn;         /* nil once run */
  kiln_val value;
  kiln_val exception;  /* nil unless fn threw */
  void *lock;          /* a recursive pthread mutex */
} kiln_delay;
#define KILN_DELAY_REALIZED 1u

kiln_val kiln_atom_new(kiln_val value);
kiln_val kiln_atom_swap(kiln_val atom, kiln_val f, uint32_t nargs, const kiln_val *args);
kiln_val kiln_atom_reset(kiln_val atom, kiln_val value);
bool kiln_atom_cas(kiln_val atom, kiln_val old, kiln_val value);
kiln_val kiln_volatile_new(kiln_val value);
kiln_val kiln_delay_new(kiln_val fn);
kiln_val kiln_delay_force(kiln_val delay);
/* (deref x) for atoms, volatiles, delays, vars, reduced, and types with a
 * registered deref (futures, promises). */
kiln_val kiln_deref_value(kiln_val x);
void kiln_ref_set_deref(kiln_type type, kiln_val (*deref)(kiln_val x));
/* (deref x timeout-ms timeout-val) and realized? for such types. */
void kiln_ref_set_deref_timeout(kiln_type type,
                                kiln_val (*deref)(kiln_val x, int64_t ms, kiln_val timeout_val));
void kiln_ref_set_realized(kiln_type type, bool (*realized)(kiln_val x));

/* ==== reader (src/reader) ============================================== */

/*
 * The reader turns UTF-8 text into forms, as clojure.lang.LispReader does.
 * Lists read by kiln_reader_next carry {:line L :column C} metadata (the
 * position of their opening paren; columns count UTF-16 units as on the JVM);
 * other forms carry no position metadata, as on the JVM: use
 * kiln_reader_form_start for the position of a top-level form. ::kw, ::alias/kw
 * and syntax-quote resolve against the current value of *ns*. Errors are
 * ex-info exceptions whose data is {:type :reader-exception :file F :line L
 * :column C}, the position of the offending token (or the end of input for
 * EOF errors); exceptions from other subsystems thrown while reading (a bad
 * regex, a data reader fn) are wrapped in one, with the original as cause.
 */
typedef struct kiln_reader kiln_reader;
typedef struct kiln_read_opts {
  const char *file;     /* for positions and errors; "NO_SOURCE_PATH" if NULL */
  int line, column;     /* where the text starts (1-based); 0 means 1 */
  kiln_val features;    /* set of keywords for #?; nil means #{:kiln} */
  bool allow_cond;      /* reader conditionals allowed (.cljc, REPL) */
  bool no_positions;    /* no :line/:column metadata on lists (read-string) */
} kiln_read_opts;

/* The reader keeps pointers into [text], which must outlive it. */
kiln_reader *kiln_reader_new(const char *text, size_t n, const kiln_read_opts *opts);
/* Reads the next form. Returns false at end of input. Throws a reader
 * exception (ex-info with :type :reader-exception, :file :line :column) on
 * malformed input. */
bool kiln_reader_next(kiln_reader *r, kiln_val *form);
/* Position just after the last form read. */
void kiln_reader_pos(kiln_reader *r, int *line, int *column, size_t *offset);
/* Position of the first character of the last form read. */
void kiln_reader_form_start(kiln_reader *r, int *line, int *column, size_t *offset);
/* Reads the one form in [text] (read-string: no reader conditionals, no
 * position metadata; empty input throws "EOF while reading"). */
kiln_val kiln_read_string(const char *text, size_t n);
/* True when [ex] is a reader exception; fills the position if non-NULL. */
bool kiln_reader_error_pos(kiln_val ex, const char **file, int *line, int *column);

/* #inst and #uuid values (tagged.c). */
typedef struct kiln_inst { kiln_obj h; int64_t millis; } kiln_inst;        /* KILN_T_INST */
typedef struct kiln_uuid { kiln_obj h; uint64_t msb, lsb; } kiln_uuid;     /* KILN_T_UUID */
kiln_val kiln_inst_new(int64_t millis);
kiln_val kiln_uuid_new(uint64_t msb, uint64_t lsb);
/* RFC 3339 as clojure.instant reads it ("2020", "2020-01-02T03:04:05.678+01:00").
 * On failure sets *why (if not NULL) to clojure.instant's message. */
bool kiln_inst_parse(const char *s, size_t n, int64_t *millis, const char **why);
/* As UUID.fromString: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, either case). */
bool kiln_uuid_parse(const char *s, size_t n, kiln_val *out);
/* The text inside #inst "..." as the JVM prints it: "2020-01-02T02:04:05.678-00:00"
 * ([buf] >= 48 bytes), and inside #uuid "..." (lower case, [buf] >= 37 bytes). */
void kiln_inst_format(kiln_val inst, char *buf);
void kiln_uuid_format(kiln_val uuid, char *buf);

/* ==== writers (print.c) ================================================ */

/*
 * A writer is where *out* and *err* send text: a file descriptor, a string
 * buffer (with-out-str), or a callback (nREPL sends each flush to the client).
 */
typedef struct kiln_writer {
  kiln_obj h;
  void (*write)(struct kiln_writer *w, const char *s, size_t n);
  void (*flush)(struct kiln_writer *w);
  void *ctx;
  kiln_sb sb;  /* buffered text (string writers keep everything here) */
  int fd;      /* for fd writers, else -1 */
} kiln_writer;

kiln_val kiln_writer_fd(int fd);
kiln_val kiln_writer_string(void);
kiln_val kiln_writer_callback(void (*write)(kiln_writer *w, const char *s, size_t n),
                              void (*flush)(kiln_writer *w), void *ctx);
void kiln_write(kiln_val writer, const char *s, size_t n);
void kiln_flush(kiln_val writer);
/* The text a string writer has collected. */
kiln_val kiln_writer_string_value(kiln_val writer);

/* ==== regular expressions (regex.c) ==================================== */

/*
 * A compiled pattern (#"..." or re-pattern) on PCRE2, with Java's syntax
 * mostly (see regex.c for the differences). A matcher (re-matcher) is a
 * KILN_T_REGEX object with KILN_REGEX_MATCHER set in h.flags.
 */
typedef struct kiln_regex {
  kiln_obj h;
  kiln_val source;   /* the pattern as written, a string */
  void *code;        /* pcre2_code *, freed by a GC finalizer */
  uint32_t ngroups;  /* capturing groups */
  uint32_t pad;
} kiln_regex;
#define KILN_REGEX_MATCHER 1u

/* Compiles [source] (a string); throws PatternSyntaxException. */
kiln_val kiln_regex_new(kiln_val source);
kiln_val kiln_regex_source(kiln_val re);
bool kiln_regex_is_pattern(kiln_val v);
kiln_val kiln_regex_matcher(kiln_val re, kiln_val s);
/* re-find and re-matches of a pattern on a string: groups as re-groups gives them, or nil. */
kiln_val kiln_regex_find(kiln_val re, kiln_val s);
kiln_val kiln_regex_matches(kiln_val re, kiln_val s);

/* ==== sha256/hmac (sha256.c) =========================================== */

/* SHA-256 and HMAC-SHA256, self-contained (no OpenSSL; builds for iOS). The
 * patch cache keys, patch content hashes and the device channel's HMACs. */
#define KILN_SHA256_LEN 32
typedef struct kiln_sha256_ctx {
  uint32_t h[8];
  uint64_t nbytes;
  uint8_t buf[64];
  uint32_t fill;
} kiln_sha256_ctx;
void kiln_sha256_init(kiln_sha256_ctx *c);
void kiln_sha256_update(kiln_sha256_ctx *c, const void *data, size_t n);
void kiln_sha256_final(kiln_sha256_ctx *c, uint8_t out[KILN_SHA256_LEN]);
void kiln_sha256(const void *data, size_t n, uint8_t out[KILN_SHA256_LEN]);
void kiln_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                      uint8_t out[KILN_SHA256_LEN]);
/* Writes 2n lowercase hex digits and a NUL to [out] (2n+1 bytes). */
void kiln_hex_encode(const uint8_t *bytes, size_t n, char *out);
/* Compares two digests in time independent of where they differ (for HMACs). */
bool kiln_digest_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* ==== runtime start-up (runtime.c) ===================================== */

/*
 * Each subsystem's start-up function interns what it needs and registers its
 * natives from its table. kiln_rt_init calls them once, in this order.
 */
#define KILN_SUBSYSTEMS(X) \
  X(symbol) X(coll) X(var) X(error) X(number) X(string) X(hash) X(print) X(fn) X(ref) \
  X(regex) X(seq) X(record) X(io) X(reader) X(compiler)
#define KILN_SUBSYSTEM_INIT_DECL(name) void kiln_##name##_init(void);
KILN_SUBSYSTEMS(KILN_SUBSYSTEM_INIT_DECL)
#undef KILN_SUBSYSTEM_INIT_DECL


/* Initialises every subsystem once; safe to call repeatedly. */
void kiln_rt_init(void);
/* The kiln_api table handed to compiled code. */
const kiln_api *kiln_rt_api(void);

#endif /* KILN_RT_H */
