/*
 * ast.h — the analyzed form of Kiln code, shared by the interpreter
 * (interp.c) and the C emitter (emit.c).
 *
 * The analyzer (analyze.c) turns a macroexpanded form into a tree of
 * kiln_node. By the time a tree exists, every question a back end would have
 * to ask the environment is already answered:
 *
 *   - Every global is resolved to its kiln_var * (interned at analysis time
 *     for def). Back ends never look names up.
 *   - Every local is a kiln_local record owned by one function method (or by
 *     the top-level unit, which is analyzed as a zero-argument fn). A local
 *     has a frame slot (its index in the method's frame, used by the
 *     interpreter) and a unit-wide id (used by the emitter to name the C
 *     variable), and says whether an inner fn closes over it.
 *   - A reference to a local (KILN_N_LOCAL) says where the value lives at that
 *     point: in the current frame, in the running closure's closed[] array, or
 *     the running closure itself (a fn's self-name).
 *   - Every fn lists its captures: closed[i] of the new closure is the value
 *     of captures[i] evaluated in the enclosing context at creation time.
 *     Clojure locals are immutable, so capturing copies the value.
 *   - recur names its target (a loop node or a fn method) and the locals it
 *     rebinds; the analyzer has checked tail position and argument count.
 *
 * Nodes, locals and strings are allocated in GC memory and are immutable
 * after analysis, so one tree may be evaluated many times and from several
 * threads. Every node carries the source position of the form it came from.
 */
#ifndef KILN_AST_H
#define KILN_AST_H

#include "runtime/rt.h"

/* The node kinds: X(ENUM_SUFFIX, "printed name"). */
#define KILN_AST_NODES(X)                                                   \
  X(CONST, "const")         /* a literal or quoted value */                 \
  X(LOCAL, "local")         /* a local binding's value */                   \
  X(VAR, "var")             /* the value of a global var */                 \
  X(THE_VAR, "the-var")     /* (var x): the var object itself */            \
  X(DEF, "def")             /* (def x init?) */                             \
  X(IF, "if")                                                               \
  X(DO, "do")                                                               \
  X(LET, "let")             /* let*: bindings then body */                  \
  X(LOOP, "loop")           /* loop*: a let that is a recur target */       \
  X(RECUR, "recur")                                                         \
  X(FN, "fn")               /* fn*: creates a closure */                    \
  X(INVOKE, "invoke")       /* (f args...) */                               \
  X(THROW, "throw")                                                         \
  X(TRY, "try")             /* try with catch clauses and finally */        \
  X(LETFN, "letfn")         /* letfn*: mutually recursive local fns */      \
  X(CASE, "case")           /* case*: constant dispatch */                  \
  X(SET_BANG, "set!")       /* (set! var-symbol value) */                   \
  X(FIELD, "field")         /* (.-field x) */                               \
  X(VECTOR, "vector")       /* vector literal with non-constant items */    \
  X(MAP, "map")             /* map literal with non-constant entries */     \
  X(SET, "set")             /* set literal with non-constant items */       \
  X(WITH_META, "with-meta") /* a literal (fn, collection) with metadata */

typedef enum kiln_node_kind {
#define KILN_AST_ENUM(name, str) KILN_N_##name,
  KILN_AST_NODES(KILN_AST_ENUM)
#undef KILN_AST_ENUM
      KILN_N_COUNT
} kiln_node_kind;

extern const char *const kiln_node_kind_names[KILN_N_COUNT];

typedef struct kiln_node kiln_node;
typedef struct kiln_fn_method kiln_fn_method;

/* What kind of binding introduced a local. */
typedef enum kiln_local_kind {
  KILN_LOCAL_PARAM,   /* a fn parameter (the variadic rest param too) */
  KILN_LOCAL_LET,     /* let* */
  KILN_LOCAL_LOOP,    /* loop*: rebound by recur */
  KILN_LOCAL_FN_SELF, /* the name in (fn* name [..] ..): the running closure */
  KILN_LOCAL_LETFN,   /* a letfn* name */
  KILN_LOCAL_CATCH,   /* the exception in a catch clause */
} kiln_local_kind;

/*
 * A local binding. [slot] indexes the owning method's frame (slots are reused
 * by disjoint scopes; FN_SELF locals have no slot). [id] is unique within the
 * unit being analyzed: the emitter names the C variable after it.
 */
typedef struct kiln_local {
  kiln_val sym;             /* the name symbol (without metadata) */
  const char *name;         /* its name as a C string */
  kiln_local_kind kind;
  uint32_t slot;
  uint32_t id;
  bool captured;            /* some inner fn closes over this local */
  kiln_fn_method *owner;    /* the method whose frame holds it */
} kiln_local;

/* Where a local's value is found, relative to the code that reads it. */
typedef enum kiln_local_where {
  KILN_LOCAL_IN_FRAME,  /* frame slot local->slot of the running method */
  KILN_LOCAL_IN_CLOSED, /* self->closed[index] of the running closure */
  KILN_LOCAL_IS_SELF,   /* the running closure itself (fn self-name) */
} kiln_local_where;

typedef struct kiln_local_ref {
  kiln_local *local;
  kiln_local_where where;
  uint32_t index;       /* for KILN_LOCAL_IN_CLOSED */
} kiln_local_ref;

/*
 * One arity of a fn. Parameters occupy slots 0..nparams-1; a variadic
 * method's last parameter receives the rest arguments as a seq (or nil).
 * A method is its own recur target; recur rebinds params.
 */
struct kiln_fn_method {
  uint32_t nfixed;        /* required parameters */
  bool variadic;          /* takes & rest */
  uint32_t nparams;       /* nfixed + (variadic ? 1 : 0) */
  kiln_local **params;
  uint32_t nslots;        /* the frame's size: params, let, loop and catch locals */
  kiln_node *body;
  kiln_node *fn;          /* the owning KILN_N_FN node */
  uint32_t index;         /* position in fn->u.fn.methods */
  bool has_recur;         /* the body recurs to the method */
};

/* One catch clause. */
typedef struct kiln_catch {
  kiln_val class_sym;     /* as written: Exception, :default, clojure.lang.ExceptionInfo */
  const char *class_name; /* the resolved class name, "java.lang.Exception", ":default" */
  kiln_local *local;      /* the exception binding */
  kiln_node *body;
} kiln_catch;

/*
 * A node. [form] is the source form (for messages); [file], [line] and
 * [column] its position (0 when unknown; then the enclosing form's).
 */
struct kiln_node {
  kiln_node_kind kind;
  int line, column;
  const char *file;
  kiln_val form;
  union {
    struct { kiln_val value; } constant;           /* CONST */
    kiln_local_ref local;                          /* LOCAL */
    struct { kiln_var *var; } var;                 /* VAR, THE_VAR */
    struct {
      kiln_var *var;
      kiln_node *init;     /* NULL for (def x): the root is left as it is */
      kiln_node *meta;     /* the var's metadata map (a CONST usually) */
      uint32_t flags;      /* KILN_VAR_DYNAMIC / MACRO / PRIVATE from the metadata */
    } def;                                         /* DEF */
    struct { kiln_node *test, *then, *else_; } if_; /* IF: else_ is a CONST nil if absent */
    struct {
      uint32_t n;          /* statements; the last is the value */
      kiln_node **body;
    } do_;                                         /* DO (n >= 1) */
    struct {
      uint32_t n;
      kiln_local **locals; /* bound in order; each init sees the previous */
      kiln_node **inits;
      kiln_node *body;
    } let;                                         /* LET, LOOP */
    struct {
      uint32_t n;
      kiln_node **args;
      kiln_local **targets; /* the loop's locals or the method's params */
      kiln_node *loop;      /* the LOOP node, or NULL for a fn method */
      kiln_fn_method *method; /* the method recur jumps to when loop is NULL */
    } recur;                                       /* RECUR */
    struct {
      kiln_val name;        /* the self-name symbol or nil */
      kiln_local *self;     /* the self-name local or NULL */
      const char *qualified_name; /* "ns/name", "ns/outer/fn--3": kiln_fn.name */
      uint32_t id;          /* unique within the unit; the emitter names C functions by it */
      uint32_t nmethods;
      kiln_fn_method **methods; /* fixed arities ascending, the variadic one last */
      uint32_t ncaptures;
      kiln_local_ref *captures; /* closed[i] = captures[i], read in the enclosing context */
      uint32_t max_fixed;   /* the largest fixed arity (for dispatch and errors) */
      bool toplevel;        /* the implicit zero-arg fn around a top-level form */
    } fn;                                          /* FN */
    struct {
      kiln_node *fn;
      uint32_t n;
      kiln_node **args;
    } invoke;                                      /* INVOKE */
    struct { kiln_node *exception; } throw_;       /* THROW */
    struct {
      kiln_node *body;
      uint32_t ncatches;
      kiln_catch *catches;   /* tried in order */
      kiln_node *finally;    /* or NULL */
    } try_;                                        /* TRY */
    struct {
      uint32_t n;
      kiln_local **locals;   /* KILN_LOCAL_LETFN */
      kiln_node **fns;       /* KILN_N_FN nodes (possibly wrapped in WITH_META) */
      kiln_node *body;
    } letfn;                                       /* LETFN: create every closure, bind
                                                    * them all, then fill their captures */
    struct {
      kiln_node *expr;
      uint32_t nconsts;
      kiln_val *consts;      /* the test constants (distinct) */
      uint32_t *branch_of;   /* consts[i] selects branches[branch_of[i]] */
      kiln_val table;        /* a map: constant -> fixnum branch index (for lookup) */
      uint32_t nbranches;
      kiln_node **branches;
      kiln_node *default_;   /* never NULL: (throw ...) when the source had none */
    } case_;                                       /* CASE: (= expr const) picks a branch */
    struct {
      kiln_var *var;         /* set! of a dynamic var: must be thread-bound */
      kiln_node *value;
    } set_bang;                                    /* SET_BANG */
    struct {
      kiln_node *target;
      kiln_val field;        /* the field name as a keyword */
    } field;                                       /* FIELD */
    struct {
      uint32_t n;            /* items; for MAP, 2 * entries, alternating k v */
      kiln_node **items;
    } coll;                                        /* VECTOR, MAP, SET */
    struct {
      kiln_node *expr;
      kiln_node *meta;
    } with_meta;                                   /* WITH_META */
  } u;
};

#endif /* KILN_AST_H */
