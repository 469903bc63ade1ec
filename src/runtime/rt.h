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
 * (ex-data), [cause] another exception or nil, [trace] a vector of
 * "ns/fn (file:line)" strings or nil.
 */
typedef struct kiln_exception {
  kiln_obj h;
  const char *cls;
  kiln_val msg;
  kiln_val data;
  kiln_val cause;
  kiln_val trace;
} kiln_exception;

/* One entry in a thread's chain of handlers. */
typedef struct kiln_try {
  jmp_buf jb;
  struct kiln_try *prev;
  kiln_val exception;     /* set when a throw lands here */
  void *binding_frame;    /* dynamic bindings to restore */
  int depth;              /* call depth to restore */
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
} kiln_thread;

kiln_thread *kiln_thread_current(void);
/* Releases the calling thread's state and unregisters it from the GC. */
void kiln_thread_release(void);
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
double kiln_double_value(kiln_val v); /* any number, as double */
/* Throws ClassCastException naming [what] unless v is a long (or a char? no). */
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
 * "1.5", "1e3", "12N", "1.5M", "-7"). Returns false if [s] is not a number. */
bool kiln_num_parse(const char *s, size_t n, kiln_val *out);
/* Appends the printed form of [v] (as pr prints it) to [sb]. */
struct kiln_sb;
void kiln_num_print(struct kiln_sb *sb, kiln_val v);
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
kiln_val kiln_gensym(const char *prefix);

/* ==== the seq protocol (seq.c, list.c) ================================= */

typedef struct kiln_list {
  kiln_obj h;           /* KILN_T_LIST */
  kiln_val first;
  kiln_val rest;        /* a list or the empty list */
  kiln_val meta;
  uint32_t count;
  int32_t hash;         /* 0 = not computed */
} kiln_list;

typedef struct kiln_cons {
  kiln_obj h;           /* KILN_T_CONS */
  kiln_val first;
  kiln_val more;        /* any seqable or nil */
  kiln_val meta;
} kiln_cons;

/* A lazy seq: fn is called once, its result seq'd and cached. */
typedef struct kiln_lazy_seq {
  kiln_obj h;
  kiln_val fn;          /* nil once realized */
  kiln_val sv;          /* the fn's result, before seq */
  kiln_val s;           /* the realized seq (or nil) */
  kiln_val meta;
} kiln_lazy_seq;

/*
 * Generic seqs over other collections (vector, string, map entries, ranges,
 * arrays of values, ...) share one shape: a [kind]-specific cursor.
 */
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

/* seq: nil for empty, else a seq value. Throws IllegalArgumentException for
 * values that are not seqable ("Don't know how to create ISeq from: ..."). */
kiln_val kiln_seq(kiln_val coll);
kiln_val kiln_first(kiln_val coll);
kiln_val kiln_next(kiln_val coll);
kiln_val kiln_rest(kiln_val coll);       /* () when nothing left */
bool kiln_is_seq(kiln_val v);            /* ISeq: list, cons, lazy seq, seq objects */
bool kiln_is_seqable(kiln_val v);
kiln_val kiln_seq_to_vector(kiln_val coll);

/* ==== collections (vector.c, map.c, set.c, sorted.c, coll.c) =========== */

extern kiln_val kiln_empty_vector;
extern kiln_val kiln_empty_map;       /* array map */
extern kiln_val kiln_empty_set;

kiln_val kiln_vec_from(uint32_t n, const kiln_val *items);
kiln_val kiln_vec_conj(kiln_val v, kiln_val x);
kiln_val kiln_vec_nth(kiln_val v, int64_t i, kiln_val not_found, bool throw_if_missing);
kiln_val kiln_vec_assoc(kiln_val v, int64_t i, kiln_val x);
kiln_val kiln_vec_pop(kiln_val v);
uint32_t kiln_vec_count(kiln_val v);
kiln_val kiln_map_entry(kiln_val k, kiln_val v);

/* Maps: array map up to 8 entries, hash map beyond, as on the JVM. */
kiln_val kiln_map_from(uint32_t n, const kiln_val *kvs);     /* last duplicate wins */
kiln_val kiln_hash_map_from(uint32_t n, const kiln_val *kvs); /* always a hash map */
kiln_val kiln_map_assoc(kiln_val m, kiln_val k, kiln_val v);
kiln_val kiln_map_dissoc(kiln_val m, kiln_val k);
/* Sets *found and returns the value; not_found otherwise. */
kiln_val kiln_map_get(kiln_val m, kiln_val k, kiln_val not_found);
bool kiln_map_contains(kiln_val m, kiln_val k);
uint32_t kiln_map_count(kiln_val m);

kiln_val kiln_set_from(uint32_t n, const kiln_val *items);
kiln_val kiln_set_conj(kiln_val s, kiln_val x);
kiln_val kiln_set_disj(kiln_val s, kiln_val x);
bool kiln_set_contains(kiln_val s, kiln_val x);

/* Sorted collections; [cmp] is a comparator fn or nil for compare. */
kiln_val kiln_sorted_map_new(kiln_val cmp);
kiln_val kiln_sorted_set_new(kiln_val cmp);

/* Transients. */
kiln_val kiln_transient(kiln_val coll);
kiln_val kiln_persistent(kiln_val t);
kiln_val kiln_conj_t(kiln_val t, kiln_val x);
kiln_val kiln_assoc_t(kiln_val t, kiln_val k, kiln_val v);

/* Generic operations over any collection (coll.c), Clojure's semantics. */
kiln_val kiln_count(kiln_val coll);           /* as a fixnum */
int64_t kiln_count_int(kiln_val coll);
kiln_val kiln_conj(kiln_val coll, kiln_val x);
kiln_val kiln_assoc(kiln_val coll, kiln_val k, kiln_val v);
kiln_val kiln_dissoc(kiln_val coll, kiln_val k);
kiln_val kiln_get(kiln_val coll, kiln_val k, kiln_val not_found);
kiln_val kiln_nth(kiln_val coll, int64_t i, kiln_val not_found, bool has_not_found);
bool kiln_contains(kiln_val coll, kiln_val k);
kiln_val kiln_empty(kiln_val coll);
kiln_val kiln_meta(kiln_val x);
kiln_val kiln_with_meta(kiln_val x, kiln_val meta);
bool kiln_is_coll(kiln_val v);
bool kiln_is_map(kiln_val v);
bool kiln_is_vector(kiln_val v);
bool kiln_is_set(kiln_val v);
bool kiln_is_sequential(kiln_val v);
/* reduce with Clojure's semantics, including reduced; f called as (f acc x). */
kiln_val kiln_reduce(kiln_val f, kiln_val init, kiln_val coll);
kiln_val kiln_reduced(kiln_val x);
bool kiln_is_reduced(kiln_val x);
kiln_val kiln_reduced_value(kiln_val x);

/* ==== hashing and equality (hash.c, equal.c) =========================== */

int32_t kiln_hash(kiln_val x);          /* clojure.core/hash */
int32_t kiln_murmur3_hash_int(int32_t i);
int32_t kiln_murmur3_hash_long(int64_t l);
int32_t kiln_murmur3_mix_coll_hash(int32_t hash, int32_t count);
int32_t kiln_murmur3_hash_unencoded_chars(const char *utf8, size_t n);
int32_t kiln_string_hash_code(const char *utf8, size_t n); /* String.hashCode */
bool kiln_equiv(kiln_val a, kiln_val b); /* clojure.core/= */
int kiln_compare(kiln_val a, kiln_val b); /* clojure.core/compare */

/* ==== the printer (print.c) ============================================ */

/* Appends [x] as pr (readably) or print (not readably) would write it,
 * honouring *print-length*, *print-level*, *print-meta*, *print-namespace-maps*. */
void kiln_pr_to(kiln_sb *sb, kiln_val x, bool readably);
const char *kiln_pr_str(kiln_val x);      /* GC C string */
const char *kiln_print_str(kiln_val x);
/* (str x): nil is "", strings themselves, others as print. */
void kiln_str_to(kiln_sb *sb, kiln_val x);

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

typedef struct kiln_reader kiln_reader;
typedef struct kiln_read_opts {
  const char *file;     /* for positions and errors; "NO_SOURCE_PATH" if NULL */
  int line, column;     /* where the text starts (1-based) */
  kiln_val features;    /* set of keywords for #?; nil means #{:kiln} */
  bool allow_cond;      /* reader conditionals allowed (.cljc, REPL) */
} kiln_read_opts;

kiln_reader *kiln_reader_new(const char *text, size_t n, const kiln_read_opts *opts);
/* Reads the next form. Returns false at end of input. Throws a reader
 * exception (ex-info with :type :reader-exception, :file :line :column) on
 * malformed input. */
bool kiln_reader_next(kiln_reader *r, kiln_val *form);
/* Position just after the last form read. */
void kiln_reader_pos(kiln_reader *r, int *line, int *column, size_t *offset);
/* Reads the one form in [text] (read-string). */
kiln_val kiln_read_string(const char *text, size_t n);

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
  X(regex) X(seq) X(reader) X(compiler)
#define KILN_SUBSYSTEM_INIT_DECL(name) void kiln_##name##_init(void);
KILN_SUBSYSTEMS(KILN_SUBSYSTEM_INIT_DECL)
#undef KILN_SUBSYSTEM_INIT_DECL


/* Initialises every subsystem once; safe to call repeatedly. */
void kiln_rt_init(void);
/* The kiln_api table handed to compiled code. */
const kiln_api *kiln_rt_api(void);

#endif /* KILN_RT_H */
