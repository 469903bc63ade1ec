/*
 * kiln/patch_abi.h — the contract between the Kiln runtime and compiled code.
 *
 * Everything compiled by Kiln's C emitter (patches, and the standard library
 * compiled at build time) includes this header and nothing else. It must stay
 * freestanding: it uses only <stdint.h>, <stddef.h> and compiler builtins, so a
 * patch links with no SDK and has no undefined symbols beyond memcpy/memset.
 *
 * A value (kiln_val) is one machine word:
 *
 *   ...xxxx1   a fixnum: a signed 63-bit integer, value << 1 | 1
 *   ...xx010   a char: a Unicode code point, cp << 3 | 2
 *   0x00       nil (so zeroed memory reads as nil)
 *   0x06       false
 *   0x0e       true
 *   ...xx000   a pointer to a GC object whose first word is a kiln_obj header
 *
 * Integers outside the fixnum range are boxed (KILN_T_LONG) but are still
 * Clojure longs: the split is invisible to the language. Every other value is
 * a GC object; its header's type tag says which.
 *
 * Runtime services reach compiled code only through the kiln_api table of
 * function pointers handed to a patch's entry point (the Redis-module
 * pattern). The layouts of kiln_obj, kiln_fn and kiln_var are shared with
 * compiled code, which reads them inline on hot paths; KILN_LAYOUT_HASH
 * summarises them so the loader can refuse a patch built against another
 * layout.
 */
#ifndef KILN_PATCH_ABI_H
#define KILN_PATCH_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_ABI_VERSION 2u

typedef uintptr_t kiln_val;

/* ---- immediates ------------------------------------------------------- */

#define KILN_NIL ((kiln_val)0)
#define KILN_FALSE ((kiln_val)0x06)
#define KILN_TRUE ((kiln_val)0x0e)

/* Never a value: passed as the root to api->var_def for (def x) without an
 * init, which updates metadata and keeps the root. */
#define KILN_NO_VALUE ((kiln_val)0x16)

#define KILN_FIXNUM_MAX (INT64_MAX >> 1)
#define KILN_FIXNUM_MIN (INT64_MIN >> 1)

#define KILN_IS_FIXNUM(v) (((v) & 1u) != 0)
#define KILN_FIXNUM(i) ((kiln_val)(((uint64_t)(int64_t)(i) << 1) | 1u))
#define KILN_FIXNUM_VALUE(v) ((int64_t)(v) >> 1)
#define KILN_FITS_FIXNUM(i) ((i) >= KILN_FIXNUM_MIN && (i) <= KILN_FIXNUM_MAX)

#define KILN_IS_CHAR(v) (((v) & 7u) == 2u)
#define KILN_CHAR(cp) ((kiln_val)(((uint64_t)(uint32_t)(cp) << 3) | 2u))
#define KILN_CHAR_VALUE(v) ((uint32_t)((v) >> 3))

#define KILN_IS_PTR(v) (((v) & 7u) == 0 && (v) != 0)
#define KILN_TRUTHY(v) ((v) != KILN_NIL && (v) != KILN_FALSE)
#define KILN_BOOL(c) ((c) ? KILN_TRUE : KILN_FALSE)

/* ---- heap objects ----------------------------------------------------- */

/*
 * The type tags of heap objects, with the JVM class name Kiln reports for
 * each (class, instance?, catch, printing of #object). Append only: the order
 * is part of the ABI.
 */
#define KILN_TYPES(X)                                                   \
  X(LONG, "java.lang.Long")                                           \
  X(DOUBLE, "java.lang.Double")                                       \
  X(BIGINT, "clojure.lang.BigInt")                                    \
  X(RATIO, "clojure.lang.Ratio")                                      \
  X(DECIMAL, "java.math.BigDecimal")                                  \
  X(STRING, "java.lang.String")                                       \
  X(SYMBOL, "clojure.lang.Symbol")                                    \
  X(KEYWORD, "clojure.lang.Keyword")                                  \
  X(LIST, "clojure.lang.PersistentList")                              \
  X(EMPTY_LIST, "clojure.lang.PersistentList$EmptyList")              \
  X(CONS, "clojure.lang.Cons")                                        \
  X(LAZY_SEQ, "clojure.lang.LazySeq")                                 \
  X(VECTOR, "clojure.lang.PersistentVector")                          \
  X(MAP_ENTRY, "clojure.lang.MapEntry")                               \
  X(ARRAY_MAP, "clojure.lang.PersistentArrayMap")                     \
  X(HASH_MAP, "clojure.lang.PersistentHashMap")                       \
  X(HASH_SET, "clojure.lang.PersistentHashSet")                       \
  X(SORTED_MAP, "clojure.lang.PersistentTreeMap")                     \
  X(SORTED_SET, "clojure.lang.PersistentTreeSet")                     \
  X(SEQ, "clojure.lang.ASeq")                                         \
  X(TRANSIENT_VECTOR, "clojure.lang.PersistentVector$TransientVector") \
  X(TRANSIENT_MAP, "clojure.lang.PersistentHashMap$TransientHashMap") \
  X(TRANSIENT_SET, "clojure.lang.PersistentHashSet$TransientHashSet") \
  X(FN, "clojure.lang.AFunction")                                     \
  X(VAR, "clojure.lang.Var")                                          \
  X(NAMESPACE, "clojure.lang.Namespace")                              \
  X(ATOM, "clojure.lang.Atom")                                        \
  X(VOLATILE, "clojure.lang.Volatile")                                \
  X(DELAY, "clojure.lang.Delay")                                      \
  X(REDUCED, "clojure.lang.Reduced")                                  \
  X(REGEX, "java.util.regex.Pattern")                                 \
  X(EXCEPTION, "java.lang.Exception")                                 \
  X(RECORD, "clojure.lang.IRecord")                                   \
  X(TYPE, "clojure.lang.IType")                                       \
  X(UUID, "java.util.UUID")                                           \
  X(INST, "java.util.Date")                                           \
  X(VOLATILE_BOX, "kiln.lang.Box")                                    \
  X(POINTER, "kiln.lang.Pointer")                                     \
  X(WRITER, "java.io.Writer")                                         \
  X(READER, "java.io.Reader")                                         \
  X(MULTIFN, "clojure.lang.MultiFn")                                  \
  X(PROTOCOL, "kiln.lang.Protocol")

typedef enum kiln_type {
  KILN_T_NONE = 0,
#define KILN_TYPE_ENUM(name, jvm) KILN_T_##name,
  KILN_TYPES(KILN_TYPE_ENUM)
#undef KILN_TYPE_ENUM
  KILN_T_COUNT
} kiln_type;

/* The first word of every heap object. */
typedef struct kiln_obj {
  uint32_t type;  /* a kiln_type */
  uint32_t flags; /* per-type bits; KILN_OBJ_* below are common to all */
} kiln_obj;

#define KILN_OBJ_TYPE(v) (((const kiln_obj *)(v))->type)
#define KILN_HAS_TYPE(v, t) (KILN_IS_PTR(v) && KILN_OBJ_TYPE(v) == (uint32_t)(t))

/*
 * Functions. Everything callable is called as
 *   kiln_val fn(kiln_fn *self, uint32_t argc, const kiln_val *argv)
 * Multi-arity and variadic functions dispatch on argc inside. A closure's
 * captured values follow the header in closed[].
 */
typedef struct kiln_fn kiln_fn;
typedef kiln_val (*kiln_fn_code)(kiln_fn *self, uint32_t argc, const kiln_val *argv);

struct kiln_fn {
  kiln_obj h;         /* KILN_T_FN; flags: KILN_FN_* */
  kiln_fn_code code;  /* entry point */
  const char *name;   /* "ns/name" or "ns/name/fn" for printing and traces; static */
  kiln_val meta;      /* metadata map or nil */
  void *data;         /* owner-defined: the interpreter keeps its AST here */
  uint32_t nclosed;   /* number of captured values */
  uint32_t pad;
  kiln_val closed[];  /* captured values */
};

#define KILN_FN_MACRO 1u
/* The fn has a variadic arity with at most KILN_MAX_POSITIONAL fixed
 * parameters and reads its rest arguments only through api->rest_args, so
 * apply may hand it an unrealized (even infinite) tail. */
#define KILN_FN_VARIADIC 2u
#define KILN_MAX_POSITIONAL 20u

/* Compiled functions touch the stack this many bytes below their frame on
 * entry, so a fault in the stack's guard zone happens in compiled code (the
 * runtime's stack guard turns it into a StackOverflowError) while every
 * runtime function the code calls still has this much stack. Smaller than
 * the margin the runtime's own recursive code keeps. Not a multiple of 4 KB:
 * a load a multiple of 4 KB away from the frame's own fresh stores looks to
 * the processor like a reload of one of them (4K aliasing) and waits for
 * it, which doubled the cost of a call in about half of all processes (as
 * the stack's random placement fell). */
#define KILN_STACK_BANG (64 * 1024 + 2048)

/*
 * Vars: the hot-reload mechanism. Every call to a global reads var->root with
 * an acquire load, so a root swapped by another thread is seen whole, by every
 * caller at once. Dynamic vars must be read through api->var_get, which sees
 * per-thread bindings.
 */
typedef struct kiln_var {
  kiln_obj h;     /* KILN_T_VAR; flags: KILN_VAR_* */
  kiln_val root;  /* read with __atomic_load_n(.., __ATOMIC_ACQUIRE) */
  kiln_val ns;    /* the owning namespace */
  kiln_val sym;   /* the unqualified name symbol */
  kiln_val meta;  /* metadata map (doc, arglists, file, line, ...) */
} kiln_var;

#define KILN_VAR_BOUND 1u
#define KILN_VAR_DYNAMIC 2u
#define KILN_VAR_MACRO 4u
#define KILN_VAR_PRIVATE 8u
#define KILN_VAR_THREAD_BOUND 16u /* some thread has a binding right now */

#define KILN_VAR_ROOT(v) (__atomic_load_n(&(v)->root, __ATOMIC_ACQUIRE))

/* ---- the API table ---------------------------------------------------- */

/*
 * A try form compiled into a patch becomes three functions over one context
 * struct: body, handler (may be NULL) and finally (may be NULL). The handler
 * decides whether it catches: it returns its value, or rethrows.
 */
typedef kiln_val (*kiln_try_body)(void *ctx);
typedef kiln_val (*kiln_try_handler)(void *ctx, kiln_val exception);
typedef void (*kiln_try_finally)(void *ctx);

typedef struct kiln_api {
  uint32_t abi_version; /* KILN_ABI_VERSION of the runtime */
  uint32_t size;        /* sizeof(kiln_api) of the runtime */

  /* Calling and vars. */
  kiln_val (*call)(kiln_val f, uint32_t argc, const kiln_val *argv);
  kiln_var *(*intern_var)(const char *ns, const char *name);
  kiln_val (*var_get)(kiln_var *v);                  /* sees dynamic bindings */
  /* def: sets metadata (and flags from it) and, unless root is KILN_NO_VALUE,
   * the root; journaled for rollback. */
  void (*var_def)(kiln_var *v, kiln_val root, kiln_val meta);
  kiln_val (*var_set)(kiln_var *v, kiln_val value);  /* set! of a bound dynamic var */
  kiln_val (*fn_new)(kiln_fn_code code, const char *name, uint32_t nclosed);
  kiln_val (*arity_error)(kiln_fn *self, uint32_t argc);
  kiln_val (*rest_args)(uint32_t argc, const kiln_val *argv, uint32_t from); /* seq or nil */

  /* Constants. */
  kiln_val (*keyword)(const char *ns, const char *name); /* ns may be NULL */
  kiln_val (*symbol)(const char *ns, const char *name);
  kiln_val (*string)(const char *utf8, size_t nbytes);
  kiln_val (*read_constant)(const char *text, size_t nbytes); /* reads one form */
  kiln_val (*box_double)(double d);
  kiln_val (*box_long)(int64_t i);
  /* GC-scanned memory for a patch's constants, kept for the life of the process. */
  kiln_val *(*alloc_roots)(uint32_t n);

  /* Collections built by literals. */
  kiln_val (*vector)(uint32_t n, const kiln_val *items);
  kiln_val (*map)(uint32_t n, const kiln_val *kvs); /* n values, alternating k v */
  kiln_val (*set)(uint32_t n, const kiln_val *items);
  kiln_val (*list)(uint32_t n, const kiln_val *items);
  kiln_val (*with_meta)(kiln_val x, kiln_val meta);

  /* Arithmetic and comparison slow paths (any numeric types). */
  kiln_val (*add)(kiln_val a, kiln_val b);
  kiln_val (*sub)(kiln_val a, kiln_val b);
  kiln_val (*mul)(kiln_val a, kiln_val b);
  int (*num_lt)(kiln_val a, kiln_val b);
  int (*num_le)(kiln_val a, kiln_val b);
  int (*num_eq)(kiln_val a, kiln_val b); /* == */
  int (*equiv)(kiln_val a, kiln_val b);  /* = */
  int32_t (*hash)(kiln_val x);

  /* Exceptions and control. */
  void (*throw_)(kiln_val exception) __attribute__((noreturn));
  kiln_val (*try_)(kiln_try_body body, kiln_try_handler handler, kiln_try_finally fin, void *ctx);
  int (*exception_is)(kiln_val exception, kiln_val class_symbol); /* for catch */
  kiln_val (*field)(kiln_val obj, kiln_val keyword);              /* (.-field obj) */
  kiln_val (*case_hash)(kiln_val x);                              /* case* dispatch key */
  void (*safepoint)(void);                                        /* interrupt check in loops */
  /* The calling thread's interrupt flag: loops read it once per iteration and
   * call safepoint only when it is set. */
  volatile int *(*interrupt_flag)(void);
  /* Throws StackOverflowError when the calling thread's stack is nearly used
   * up; compiled functions call it on entry, so runaway recursion is an
   * exception, never a crash. */
  void (*stack_check)(void);
} kiln_api;

/* ---- the patch descriptor --------------------------------------------- */

/* The seed's per-function metadata. */
typedef struct kiln_patch_symbol {
  const char *qualified_name; /* "ns/name" */
  const char *signature;      /* the arglists as printed, e.g. "([x] [x y])" */
  void *fn_ptr;               /* the compiled kiln_fn_code of the function */
} kiln_patch_symbol;

/*
 * One generated C function, for stack traces. When an exception is thrown
 * the runtime records the native frames on the stack; a frame whose function
 * starts at [code] is shown as [name] at [file]:[line] (the line of the fn
 * form). Frames of any other function (the runtime's C) are not shown.
 */
typedef struct kiln_patch_fn {
  const void *code;  /* the C function's entry */
  const char *name;  /* "user/c", "user/a/fn--12", "user/eval" */
  const char *file;  /* the source file, or "NO_SOURCE_FILE" */
  int32_t line;      /* the fn form's line; 0 if unknown */
  int32_t column;    /* the column, or 0 if unknown */
  uint32_t flags;    /* KILN_PATCH_FN_* */
  uint32_t pad;
} kiln_patch_fn;

/* The fn's entry, which only dispatches on argc to a method's function: its
 * frame is not shown beside the method's (nor when it throws an arity error,
 * which the JVM reports at the caller). */
#define KILN_PATCH_FN_ENTRY 1u

/* On every generated function listed in kiln_patch_fn tables: never inlined
 * into another and no sibling calls, so each fn of a chain of calls keeps its
 * own frame for stack traces, as on the JVM. */
#ifndef KILN_TRACED
#if defined(__clang__)
#define KILN_TRACED __attribute__((noinline, disable_tail_calls))
#elif defined(__GNUC__)
#define KILN_TRACED __attribute__((noinline, optimize("no-optimize-sibling-calls")))
#else
#define KILN_TRACED
#endif
#endif

typedef struct kiln_patch_desc {
  uint32_t abi_version; /* KILN_ABI_VERSION the patch was built against */
  uint32_t layout_hash; /* KILN_LAYOUT_HASH the patch was built against */
  const char *ns;       /* the namespace the forms are in */
  const char *file;     /* the source file, or "NO_SOURCE_FILE" */
  uint32_t nsymbols;
  const kiln_patch_symbol *symbols;
  /* Evaluates the patch's top-level forms in order; returns the last value. */
  kiln_val (*run)(void);
  /* Every generated C function of the patch, for stack traces. */
  uint32_t nfns;
  const kiln_patch_fn *fns;
} kiln_patch_desc;

/* The one exported entry point: const kiln_patch_desc *kiln_patch_<id>(const kiln_api *). */
typedef const kiln_patch_desc *(*kiln_patch_entry)(const kiln_api *api);

/*
 * A summary of the shared layouts. Compiled code and the runtime compute it
 * with the same expression; a different compiler, target or header gives a
 * different number and the loader refuses the patch.
 */
#define KILN_LAYOUT_HASH                                                         \
  ((uint32_t)(sizeof(kiln_val) * 1u + sizeof(kiln_obj) * 7u +                   \
              offsetof(kiln_fn, closed) * 31u + offsetof(kiln_fn, code) * 131u + \
              offsetof(kiln_var, root) * 521u + sizeof(kiln_var) * 1031u +      \
              sizeof(kiln_api) * 4099u + (uint32_t)KILN_T_COUNT * 16411u +       \
              sizeof(kiln_patch_desc) * 65537u))

/* ---- inline helpers for compiled code --------------------------------- */

#ifdef KILN_PATCH
/* Compiled code defines `static const kiln_api *kiln_rt;` before using these. */
#define KILN_CALL(f, argc, argv) (kiln_rt->call((f), (argc), (argv)))

/* Calls the current root of a non-dynamic var: one acquire load, one call. */
static inline kiln_val kiln_call_var_(const kiln_api *rt, kiln_var *v, uint32_t argc,
                                      const kiln_val *argv) {
  kiln_val f = (v->h.flags & KILN_VAR_DYNAMIC) ? rt->var_get(v) : KILN_VAR_ROOT(v);
  if (KILN_HAS_TYPE(f, KILN_T_FN)) return ((kiln_fn *)f)->code((kiln_fn *)f, argc, argv);
  return rt->call(f, argc, argv);
}
static inline kiln_val kiln_var_deref_(const kiln_api *rt, kiln_var *v) {
  return (v->h.flags & KILN_VAR_DYNAMIC) ? rt->var_get(v) : KILN_VAR_ROOT(v);
}
static inline kiln_val kiln_add_(const kiln_api *rt, kiln_val a, kiln_val b) {
  int64_t r;
  if (KILN_IS_FIXNUM(a) && KILN_IS_FIXNUM(b) &&
      !__builtin_add_overflow(KILN_FIXNUM_VALUE(a), KILN_FIXNUM_VALUE(b), &r) &&
      KILN_FITS_FIXNUM(r))
    return KILN_FIXNUM(r);
  return rt->add(a, b);
}
static inline kiln_val kiln_sub_(const kiln_api *rt, kiln_val a, kiln_val b) {
  int64_t r;
  if (KILN_IS_FIXNUM(a) && KILN_IS_FIXNUM(b) &&
      !__builtin_sub_overflow(KILN_FIXNUM_VALUE(a), KILN_FIXNUM_VALUE(b), &r) &&
      KILN_FITS_FIXNUM(r))
    return KILN_FIXNUM(r);
  return rt->sub(a, b);
}
static inline kiln_val kiln_mul_(const kiln_api *rt, kiln_val a, kiln_val b) {
  int64_t r;
  if (KILN_IS_FIXNUM(a) && KILN_IS_FIXNUM(b) &&
      !__builtin_mul_overflow(KILN_FIXNUM_VALUE(a), KILN_FIXNUM_VALUE(b), &r) &&
      KILN_FITS_FIXNUM(r))
    return KILN_FIXNUM(r);
  return rt->mul(a, b);
}
#define KILN_FIX2(a, b) (KILN_IS_FIXNUM(a) && KILN_IS_FIXNUM(b))
#define KILN_LT(a, b) \
  (KILN_FIX2(a, b) ? ((int64_t)(a) < (int64_t)(b)) : kiln_rt->num_lt((a), (b)))
#define KILN_LE(a, b) \
  (KILN_FIX2(a, b) ? ((int64_t)(a) <= (int64_t)(b)) : kiln_rt->num_le((a), (b)))
#define KILN_GT(a, b) KILN_LT(b, a)
#define KILN_GE(a, b) KILN_LE(b, a)
#define KILN_NUMEQ(a, b) (KILN_FIX2(a, b) ? ((a) == (b)) : kiln_rt->num_eq((a), (b)))
#define KILN_EQUIV(a, b) ((a) == (b) || kiln_rt->equiv((a), (b)))
#endif /* KILN_PATCH */

#ifdef __cplusplus
}
#endif
#endif /* KILN_PATCH_ABI_H */
