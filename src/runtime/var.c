/*
 * var.c — per-thread state, namespaces, vars and dynamic bindings.
 *
 * Namespaces live in a global registry (a persistent map symbol -> ns). A
 * namespace's mappings (symbol -> var) and aliases (symbol -> ns) are
 * persistent maps too: readers load the current map with an acquire load and
 * never lock; writers build a new map and publish it with compare-and-swap,
 * retrying if another thread got there first. No lock is ever held while
 * language code runs, so a throw can never leave one held.
 *
 * A var's root is read with acquire loads and written with release stores:
 * hot reload swaps roots while other threads call them. Every root change
 * (kiln_var_set_root, kiln_var_def, alter-var-root) is first reported to the
 * observer, which the patch loader uses to journal and roll back a patch.
 *
 * Dynamic bindings follow Clojure's Var.pushThreadBindings: each `binding`
 * pushes a frame; a frame is a chain of boxes (var, value, owning thread)
 * sharing the tail of the frame below it, so a lookup walks the chain until
 * it meets the var. A var that was never thread-bound skips the walk
 * (KILN_VAR_THREAD_BOUND is set, and stays set, on its first binding).
 */
#include <dlfcn.h>
#include <gc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "runtime/rt.h"

/* ==== per-thread state ================================================= */

_Thread_local kiln_thread *kiln_thread_tls;
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t thread_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static kiln_thread *thread_pool[64]; /* released states, reused by new threads */
static size_t thread_pool_n;

/* Room left below the limit for throwing the StackOverflowError itself. */
#define KILN_STACK_MARGIN (128u * 1024u)
#define KILN_ALTSTACK_SIZE (64u * 1024u)

static _Thread_local bool tl_registered_gc; /* we registered this thread with the GC */

/* Recycles a thread's state (a state that does not fit the pool stays
 * allocated: a few bytes). */
static void thread_state_recycle(kiln_thread *th) {
  void *altstack = th->altstack; /* kept for the next thread */
  memset(th, 0, sizeof *th);     /* drops the references it held */
  th->altstack = altstack;
  pthread_mutex_lock(&thread_pool_lock);
  if (thread_pool_n < KILN_ARRAY_LEN(thread_pool)) thread_pool[thread_pool_n++] = th;
  pthread_mutex_unlock(&thread_pool_lock);
}

/* Runs when a thread that used Kiln exits. */
static void thread_state_destroy(void *p) {
  kiln_thread *th = p;
  if (th->altstack) {
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
  }
  thread_state_recycle(th);
  kiln_thread_tls = NULL;
  if (tl_registered_gc) {
    tl_registered_gc = false;
    kiln_gc_unregister_thread();
  }
}

static void thread_key_init(void) { pthread_key_create(&thread_key, thread_state_destroy); }

static char *stack_limit_of_this_thread(char **stack_low) {
  char *here = __builtin_frame_address(0);
  *stack_low = NULL;
  size_t size = 0;
  char *low = NULL;
#if defined(__APPLE__)
  char *high = pthread_get_stackaddr_np(pthread_self());
  size = pthread_get_stacksize_np(pthread_self());
  low = high - size;
#else
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void *addr;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) low = addr;
    pthread_attr_destroy(&attr);
  }
#endif
  if (!low || size < 4 * KILN_STACK_MARGIN) {
    /* Unknown or tiny: assume 512 KB below the current frame. */
    return here - 512 * 1024 + KILN_STACK_MARGIN / 4;
  }
  *stack_low = low;
  return low + (size > 8 * KILN_STACK_MARGIN ? KILN_STACK_MARGIN : size / 8);
}

static kiln_thread *thread_state_new(void) {
  if (kiln_gc_register_thread()) tl_registered_gc = true;
  pthread_once(&thread_key_once, thread_key_init);
  kiln_thread *th = NULL;
  pthread_mutex_lock(&thread_pool_lock);
  if (thread_pool_n) th = thread_pool[--thread_pool_n];
  pthread_mutex_unlock(&thread_pool_lock);
  if (!th) th = kiln_alloc_root(sizeof *th);
  th->stack_limit = stack_limit_of_this_thread(&th->stack_low);
  pthread_setspecific(thread_key, th);
  kiln_thread_tls = th;
  th->overflow_error = kiln_ex_new(KILN_EX_STACK, KILN_NIL, KILN_NIL, KILN_NIL);
  if (!th->altstack) th->altstack = malloc(KILN_ALTSTACK_SIZE);
  if (th->altstack) {
    stack_t ss = {.ss_sp = th->altstack, .ss_size = KILN_ALTSTACK_SIZE};
    sigaltstack(&ss, NULL);
  }
  return th;
}

/* ---- the stack guard ---- */

static struct sigaction previous_segv, previous_bus;

/* The shared object an address belongs to, or NULL. */
static void *object_base(const void *addr) {
  Dl_info info;
  return dladdr(addr, &info) && info.dli_fbase ? info.dli_fbase : NULL;
}

static void *own_base, *libc_base, *gc_base;

static void *fault_pc(void *ucv) {
  ucontext_t *uc = ucv;
#if defined(__linux__) && defined(__x86_64__)
  return (void *)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__linux__) && defined(__aarch64__)
  return (void *)uc->uc_mcontext.pc;
#elif defined(__APPLE__) && defined(__x86_64__)
  return (void *)uc->uc_mcontext->__ss.__rip;
#elif defined(__APPLE__) && defined(__aarch64__)
  return (void *)uc->uc_mcontext->__ss.__pc;
#else
  KILN_UNUSED(uc);
  return NULL;
#endif
}

static void stack_guard_handler(int sig, siginfo_t *si, void *uc) {
  kiln_thread *th = kiln_thread_tls;
  char *addr = si->si_addr;
  bool overflow = th && th->stack_low && addr >= th->stack_low - 1024 * 1024 &&
                  addr < th->stack_limit;
  if (overflow) {
    void *pc = fault_pc(uc);
    void *base = pc ? object_base(pc) : NULL;
    if (base && base != own_base && base != libc_base && base != gc_base && th->handlers) {
      kiln_throw(th->overflow_error);
    }
    static const char msg[] =
        "kiln: StackOverflowError outside compiled code; the process cannot continue\n";
    if (write(2, msg, sizeof msg - 1) < 0) {
    }
  }
  /* Not ours to handle: give the fault to whoever handled it before. */
  sigaction(sig, sig == SIGSEGV ? &previous_segv : &previous_bus, NULL);
}

static void stack_guard_install_once(void) {
  const char *off = getenv("KILN_NO_STACK_GUARD");
  if (off && *off && strcmp(off, "0") != 0) return;
  own_base = object_base((void *)kiln_thread_new_current);
  libc_base = object_base((void *)write);
  gc_base = object_base((void *)GC_malloc);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = stack_guard_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &previous_segv);
  sigaction(SIGBUS, &sa, &previous_bus);
}

void kiln_stack_guard_install(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, stack_guard_install_once);
}

kiln_thread *kiln_thread_new_current(void) {
  kiln_thread *th = kiln_thread_tls;
  return th ? th : thread_state_new();
}

void kiln_thread_release(void) {
  kiln_thread *th = kiln_thread_tls;
  if (!th) return;
  pthread_setspecific(thread_key, NULL);
  thread_state_destroy(th);
}

void kiln_stack_overflow(void) {
  /* Lower the limit while the error is built, so building it cannot recurse
   * into another overflow; the handler's frame restores nothing, so put the
   * limit back before throwing. */
  kiln_thread *th = kiln_thread_current();
  char *limit = th->stack_limit;
  th->stack_limit = limit - KILN_STACK_MARGIN / 2;
  kiln_val ex = kiln_ex_new(KILN_EX_STACK, KILN_NIL, KILN_NIL, KILN_NIL);
  th->stack_limit = limit;
  kiln_throw(ex);
}

/* ==== small helpers ==================================================== */

static kiln_val load(const kiln_val *slot) { return __atomic_load_n(slot, __ATOMIC_ACQUIRE); }

static bool cas(kiln_val *slot, kiln_val old, kiln_val neu) {
  return __atomic_compare_exchange_n(slot, &old, neu, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Persistent maps where nil stands for the empty map (the registry may be
 * used before the collections are initialised). */
static kiln_val map_get(kiln_val m, kiln_val k) {
  return m == KILN_NIL ? KILN_NIL : kiln_map_get(m, k, KILN_NIL);
}

static kiln_val map_assoc(kiln_val m, kiln_val k, kiln_val v) {
  if (m == KILN_NIL) m = kiln_empty_map;
  if (m == KILN_NIL) {
    kiln_val kv[2] = {k, v};
    return kiln_map_from(2, kv);
  }
  return kiln_map_assoc(m, k, v);
}

static kiln_val map_dissoc(kiln_val m, kiln_val k) {
  return m == KILN_NIL ? KILN_NIL : kiln_map_dissoc(m, k);
}

static kiln_val empty_if_nil(kiln_val m) { return m == KILN_NIL ? kiln_empty_map : m; }

static uint32_t var_flags(kiln_var *v) { return __atomic_load_n(&v->h.flags, __ATOMIC_ACQUIRE); }
static void var_flags_or(kiln_var *v, uint32_t f) {
  __atomic_fetch_or(&v->h.flags, f, __ATOMIC_ACQ_REL);
}

static kiln_val kw_ns, kw_name, kw_dynamic, kw_macro, kw_private, kw_doc, kw_arglists;
static kiln_val kw_only, kw_exclude, kw_rename;

/* Idempotent: vars may be defined (natives registered) before kiln_var_init. */
static void keywords_init(void) {
  if (kw_rename != KILN_NIL) return;
  kw_ns = kiln_kw(NULL, "ns");
  kw_name = kiln_kw(NULL, "name");
  kw_dynamic = kiln_kw(NULL, "dynamic");
  kw_macro = kiln_kw(NULL, "macro");
  kw_private = kiln_kw(NULL, "private");
  kw_doc = kiln_kw(NULL, "doc");
  kw_arglists = kiln_kw(NULL, "arglists");
  kw_only = kiln_kw(NULL, "only");
  kw_exclude = kiln_kw(NULL, "exclude");
  kw_rename = kiln_kw(NULL, "rename");
}

/* ==== namespaces ======================================================= */

static kiln_val ns_registry; /* map symbol -> namespace */
kiln_val kiln_ns_core, kiln_ns_user;

static kiln_ns *as_ns(kiln_val ns) {
  if (!KILN_HAS_TYPE(ns, KILN_T_NAMESPACE))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.Namespace",
                kiln_class_name(ns));
  return (kiln_ns *)ns;
}

static kiln_var *as_var(kiln_val v) {
  if (!KILN_HAS_TYPE(v, KILN_T_VAR))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.Var",
                kiln_class_name(v));
  return (kiln_var *)v;
}

static kiln_val as_symbol(kiln_val s, const char *what) {
  if (!KILN_HAS_TYPE(s, KILN_T_SYMBOL))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.Symbol (%s)",
                kiln_class_name(s), what);
  return s;
}

const char *kiln_ns_name(kiln_val ns) { return kiln_sym_name(as_ns(ns)->name); }

kiln_val kiln_ns_find(kiln_val name_sym) { return map_get(load(&ns_registry), name_sym); }

kiln_val kiln_ns_find_or_create(kiln_val name_sym) {
  as_symbol(name_sym, "namespace name");
  kiln_val found = kiln_ns_find(name_sym);
  if (found != KILN_NIL) return found;
  kiln_ns *ns = kiln_obj_new(KILN_T_NAMESPACE, sizeof *ns);
  /* The name is kept without metadata. */
  ns->name = kiln_sym(kiln_sym_ns(name_sym), kiln_sym_name(name_sym));
  ns->mappings = kiln_empty_map; /* nil before the collections start: see kiln_var_init */
  ns->aliases = kiln_empty_map;
  ns->meta = KILN_NIL;
  for (;;) {
    kiln_val reg = load(&ns_registry);
    kiln_val other = map_get(reg, ns->name);
    if (other != KILN_NIL) return other;
    if (cas(&ns_registry, reg, map_assoc(reg, ns->name, (kiln_val)ns))) return (kiln_val)ns;
  }
}

kiln_val kiln_the_ns(kiln_val x) {
  if (KILN_HAS_TYPE(x, KILN_T_NAMESPACE)) return x;
  as_symbol(x, "namespace name");
  kiln_val ns = kiln_ns_find(x);
  if (ns == KILN_NIL) kiln_throwf("java.lang.Exception", "No namespace: %s found", kiln_pr_str(x));
  return ns;
}

kiln_val kiln_ns_all(void) {
  kiln_val out = kiln_empty_list;
  kiln_val reg = load(&ns_registry);
  if (reg == KILN_NIL) return KILN_NIL;
  for (kiln_val s = kiln_seq(reg); s != KILN_NIL; s = kiln_next(s))
    out = kiln_list_cons(kiln_nth(kiln_first(s), 1, KILN_NIL, false), out);
  return kiln_seq(out);
}

static kiln_val ns_remove(kiln_val name_sym) {
  as_symbol(name_sym, "namespace name");
  if (strcmp(kiln_sym_name(name_sym), "clojure.core") == 0 && !kiln_sym_ns(name_sym))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Cannot remove clojure namespace");
  for (;;) {
    kiln_val reg = load(&ns_registry);
    kiln_val ns = map_get(reg, name_sym);
    if (ns == KILN_NIL) return KILN_NIL;
    if (cas(&ns_registry, reg, map_dissoc(reg, name_sym))) return ns;
  }
}

/* "#'ns/name" for warnings and errors. */
static const char *var_str(kiln_val v) {
  if (!KILN_HAS_TYPE(v, KILN_T_VAR)) return kiln_pr_str(v);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_puts(&sb, "#'");
  kiln_sb_puts(&sb, kiln_var_name((kiln_var *)v));
  return kiln_sb_cstr(&sb);
}

const char *kiln_var_name(kiln_var *v) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  if (v->ns != KILN_NIL) {
    kiln_sb_puts(&sb, kiln_ns_name(v->ns));
    kiln_sb_putc(&sb, '/');
  }
  kiln_sb_puts(&sb, kiln_sym_name(v->sym));
  return kiln_sb_cstr(&sb);
}

/* Writes a line to *err* (or stderr before the writers exist). */
static void warn(const char *text) {
  kiln_val err = kiln_v_err ? kiln_var_get(kiln_v_err) : KILN_NIL;
  if (KILN_HAS_TYPE(err, KILN_T_WRITER)) {
    kiln_write(err, text, strlen(text));
    kiln_write(err, "\n", 1);
    kiln_flush(err);
  } else {
    fprintf(stderr, "%s\n", text);
  }
}

static void warn_replace(kiln_ns *ns, kiln_val sym, kiln_val old, kiln_val neu) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "WARNING: %s already refers to: %s in namespace: %s, being replaced by: %s",
                 kiln_sym_name(sym), var_str(old), kiln_sym_name(ns->name), var_str(neu));
  warn(kiln_sb_cstr(&sb));
}

static kiln_val unbound_call(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  kiln_throwf(KILN_EX_ILLEGAL_STATE, "Attempting to call unbound fn: %s",
              var_str((kiln_val)self->data));
}

static kiln_var *var_new(kiln_val ns, kiln_val sym) {
  kiln_var *v = kiln_obj_new(KILN_T_VAR, sizeof *v);
  v->ns = ns;
  v->sym = sym;
  v->meta = KILN_NIL;
  kiln_fn *unbound = kiln_fn_new(unbound_call, "clojure.lang.Var$Unbound", 0);
  unbound->h.flags |= KILN_FN_UNBOUND;
  unbound->data = v;
  v->root = (kiln_val)unbound;
  return v;
}

static void check_unqualified(kiln_val sym) {
  if (kiln_sym_ns(sym))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Can't intern namespace-qualified symbol");
}

kiln_var *kiln_ns_intern(kiln_val nsv, kiln_val name_sym) {
  kiln_ns *ns = as_ns(nsv);
  as_symbol(name_sym, "var name");
  check_unqualified(name_sym);
  kiln_val sym = kiln_sym(NULL, kiln_sym_name(name_sym));
  kiln_var *v = NULL;
  for (;;) {
    kiln_val m = load(&ns->mappings);
    kiln_val old = map_get(m, sym);
    if (KILN_HAS_TYPE(old, KILN_T_VAR) && ((kiln_var *)old)->ns == nsv) return (kiln_var *)old;
    if (!v) v = var_new(nsv, sym);
    if (cas(&ns->mappings, m, map_assoc(m, sym, (kiln_val)v))) {
      if (old != KILN_NIL) warn_replace(ns, sym, old, (kiln_val)v);
      return v;
    }
  }
}

kiln_var *kiln_var_intern(const char *ns, const char *name) {
  return kiln_ns_intern(kiln_ns_find_or_create(kiln_sym(NULL, ns)), kiln_sym(NULL, name));
}

static kiln_var *find_interned(kiln_val nsv, kiln_val name_sym) {
  kiln_val v = map_get(load(&as_ns(nsv)->mappings), name_sym);
  return KILN_HAS_TYPE(v, KILN_T_VAR) && ((kiln_var *)v)->ns == nsv ? (kiln_var *)v : NULL;
}

kiln_var *kiln_var_find(const char *ns, const char *name) {
  kiln_val nsv = kiln_ns_find(kiln_sym(NULL, ns));
  return nsv == KILN_NIL ? NULL : find_interned(nsv, kiln_sym(NULL, name));
}

void kiln_ns_refer(kiln_val nsv, kiln_val sym, kiln_var *var) {
  kiln_ns *ns = as_ns(nsv);
  check_unqualified(sym);
  for (;;) {
    kiln_val m = load(&ns->mappings);
    kiln_val old = map_get(m, sym);
    if (old == (kiln_val)var) return;
    if (KILN_HAS_TYPE(old, KILN_T_VAR) && ((kiln_var *)old)->ns == nsv) {
      /* An interned var is never replaced by a refer (Clojure 1.10+). */
      if (var->ns != kiln_ns_core) {
        kiln_sb sb;
        kiln_sb_init(&sb);
        kiln_sb_printf(&sb,
                       "REJECTED: attempt to replace interned var %s with %s in %s, you must "
                       "ns-unmap first",
                       var_str(old), var_str((kiln_val)var), kiln_sym_name(ns->name));
        warn(kiln_sb_cstr(&sb));
      }
      return;
    }
    if (cas(&ns->mappings, m, map_assoc(m, sym, (kiln_val)var))) {
      if (old != KILN_NIL) warn_replace(ns, sym, old, (kiln_val)var);
      return;
    }
  }
}

/* Refers every public var of [from] in one new mappings map (a transient),
 * published with one compare-and-swap. When some name would warn (it maps
 * to another var already), the names are referred one at a time instead,
 * so each warning is printed once. */
static bool refer_all_at_once(kiln_val nsv, kiln_val from, kiln_val src) {
  kiln_ns *ns = as_ns(nsv);
  for (;;) {
    kiln_val m = load(&ns->mappings);
    kiln_val t = kiln_map_transient(m == KILN_NIL ? kiln_empty_map : m);
    for (kiln_val s = kiln_seq(src); s != KILN_NIL; s = kiln_next(s)) {
      kiln_val e = kiln_first(s);
      kiln_val k = kiln_nth(e, 0, KILN_NIL, false), v = kiln_nth(e, 1, KILN_NIL, false);
      if (!KILN_HAS_TYPE(v, KILN_T_VAR) || ((kiln_var *)v)->ns != from ||
          (var_flags((kiln_var *)v) & KILN_VAR_PRIVATE))
        continue;
      kiln_val old = map_get(m, k);
      if (old == v) continue;
      if (old != KILN_NIL) return false;
      t = kiln_tmap_assoc(t, k, v);
    }
    if (cas(&ns->mappings, m, kiln_tmap_persistent(t))) return true;
  }
}

void kiln_ns_refer_all(kiln_val nsv, kiln_val from) {
  kiln_val m = load(&as_ns(from)->mappings);
  if (m == KILN_NIL) return;
  if (refer_all_at_once(nsv, from, m)) return;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    kiln_val v = kiln_nth(e, 1, KILN_NIL, false);
    if (KILN_HAS_TYPE(v, KILN_T_VAR) && ((kiln_var *)v)->ns == from &&
        !(var_flags((kiln_var *)v) & KILN_VAR_PRIVATE))
      kiln_ns_refer(nsv, kiln_nth(e, 0, KILN_NIL, false), (kiln_var *)v);
  }
}

void kiln_ns_alias(kiln_val nsv, kiln_val alias, kiln_val target) {
  kiln_ns *ns = as_ns(nsv);
  as_symbol(alias, "alias");
  as_ns(target);
  for (;;) {
    kiln_val m = load(&ns->aliases);
    kiln_val old = map_get(m, alias);
    if (old == target) return;
    if (old != KILN_NIL)
      kiln_throwf(KILN_EX_ILLEGAL_STATE, "Alias %s already exists in namespace %s, aliasing %s",
                  kiln_sym_name(alias), kiln_sym_name(ns->name), kiln_ns_name(old));
    if (cas(&ns->aliases, m, map_assoc(m, alias, target))) return;
  }
}

static void ns_unalias(kiln_val nsv, kiln_val alias) {
  kiln_ns *ns = as_ns(nsv);
  for (;;) {
    kiln_val m = load(&ns->aliases);
    if (map_get(m, alias) == KILN_NIL) return;
    if (cas(&ns->aliases, m, map_dissoc(m, alias))) return;
  }
}

void kiln_ns_unmap(kiln_val nsv, kiln_val sym) {
  kiln_ns *ns = as_ns(nsv);
  check_unqualified(sym);
  for (;;) {
    kiln_val m = load(&ns->mappings);
    if (map_get(m, sym) == KILN_NIL) return;
    if (cas(&ns->mappings, m, map_dissoc(m, sym))) return;
  }
}

/* The namespace a qualified symbol's namespace part names in [ns]. */
static kiln_val ns_for(kiln_val nsv, const char *ns_part) {
  kiln_val s = kiln_sym(NULL, ns_part);
  kiln_val target = map_get(load(&as_ns(nsv)->aliases), s);
  return target != KILN_NIL ? target : kiln_ns_find(s);
}

kiln_val kiln_ns_resolve(kiln_val nsv, kiln_val sym) {
  as_symbol(sym, "resolve");
  const char *ns_part = kiln_sym_ns(sym);
  if (ns_part) {
    kiln_val target = ns_for(nsv, ns_part);
    if (target == KILN_NIL) return KILN_NIL;
    kiln_var *v = find_interned(target, kiln_sym(NULL, kiln_sym_name(sym)));
    return v ? (kiln_val)v : KILN_NIL;
  }
  kiln_val s = kiln_sym(NULL, kiln_sym_name(sym)); /* drop metadata for the lookup */
  return map_get(load(&as_ns(nsv)->mappings), s);
}

/* ==== vars ============================================================= */

typedef struct observer {
  kiln_var_observer fn;
  void *ctx;
} observer;
static observer *var_observer;

void kiln_var_set_observer(kiln_var_observer obs, void *ctx) {
  observer *o = NULL;
  if (obs) {
    o = kiln_alloc_root(sizeof *o);
    o->fn = obs;
    o->ctx = ctx;
  }
  /* The previous record is left for the GC: a racing root change may still use it. */
  __atomic_store_n(&var_observer, o, __ATOMIC_RELEASE);
}

static void observe(kiln_var *v) {
  observer *o = __atomic_load_n(&var_observer, __ATOMIC_ACQUIRE);
  if (o) o->fn(v, load(&v->root), var_flags(v), load(&v->meta), o->ctx);
}

void kiln_var_set_root(kiln_var *v, kiln_val root) {
  observe(v);
  __atomic_store_n(&v->root, root, __ATOMIC_RELEASE);
  var_flags_or(v, KILN_VAR_BOUND);
}

static uint32_t flags_from_meta(kiln_val meta) {
  uint32_t f = 0;
  if (meta == KILN_NIL) return 0;
  if (KILN_TRUTHY(kiln_get(meta, kw_dynamic, KILN_NIL))) f |= KILN_VAR_DYNAMIC;
  if (KILN_TRUTHY(kiln_get(meta, kw_macro, KILN_NIL))) f |= KILN_VAR_MACRO;
  if (KILN_TRUTHY(kiln_get(meta, kw_private, KILN_NIL))) f |= KILN_VAR_PRIVATE;
  return f;
}

static void set_flags_masked(kiln_var *v, uint32_t mask, uint32_t bits) {
  uint32_t old = var_flags(v);
  while (!__atomic_compare_exchange_n(&v->h.flags, &old, (old & ~mask) | bits, false,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
  }
}

void kiln_var_def(kiln_var *v, kiln_val root, bool has_root, kiln_val meta) {
  keywords_init();
  kiln_val m = empty_if_nil(meta);
  if (!kiln_contains(m, kw_ns)) m = kiln_assoc(m, kw_ns, v->ns);
  if (!kiln_contains(m, kw_name)) m = kiln_assoc(m, kw_name, v->sym);
  uint32_t f = flags_from_meta(m);
  observe(v);
  __atomic_store_n(&v->meta, m, __ATOMIC_RELEASE);
  set_flags_masked(v, KILN_VAR_DYNAMIC | KILN_VAR_MACRO | KILN_VAR_PRIVATE, f);
  if (has_root) {
    __atomic_store_n(&v->root, root, __ATOMIC_RELEASE);
    var_flags_or(v, KILN_VAR_BOUND);
  }
}

void kiln_var_restore(kiln_var *v, kiln_val root, uint32_t flags, kiln_val meta) {
  __atomic_store_n(&v->meta, meta, __ATOMIC_RELEASE);
  __atomic_store_n(&v->root, root, __ATOMIC_RELEASE);
  /* Thread-bound is a fact about the threads, not the definition: keep it. */
  set_flags_masked(v, ~(uint32_t)KILN_VAR_THREAD_BOUND, flags & ~(uint32_t)KILN_VAR_THREAD_BOUND);
}

void kiln_var_set_meta(kiln_var *v, kiln_val meta) {
  keywords_init();
  __atomic_store_n(&v->meta, meta, __ATOMIC_RELEASE);
  set_flags_masked(v, KILN_VAR_MACRO | KILN_VAR_PRIVATE,
                   flags_from_meta(meta) & (KILN_VAR_MACRO | KILN_VAR_PRIVATE));
}

/* ---- dynamic bindings ---- */

typedef struct binding {
  kiln_var *var;
  kiln_val value;
  kiln_thread *owner; /* set! is only allowed on the thread that bound */
  struct binding *next;
} binding;

typedef struct frame {
  binding *chain;
  struct frame *prev;
} frame;

static binding *find_binding(kiln_var *v) {
  frame *f = kiln_thread_current()->bindings;
  for (binding *b = f ? f->chain : NULL; b; b = b->next)
    if (b->var == v) return b;
  return NULL;
}

kiln_val kiln_var_get(kiln_var *v) {
  if (__builtin_expect(var_flags(v) & KILN_VAR_THREAD_BOUND, 0)) {
    binding *b = find_binding(v);
    if (b) return b->value;
  }
  return load(&v->root);
}

bool kiln_var_is_bound(kiln_var *v) {
  uint32_t f = var_flags(v);
  return (f & KILN_VAR_BOUND) || ((f & KILN_VAR_THREAD_BOUND) && find_binding(v));
}

kiln_val kiln_var_set(kiln_var *v, kiln_val value) {
  binding *b = (var_flags(v) & KILN_VAR_THREAD_BOUND) ? find_binding(v) : NULL;
  if (!b)
    kiln_throwf(KILN_EX_ILLEGAL_STATE, "Can't change/establish root binding of: %s with set",
                kiln_sym_name(v->sym));
  if (b->owner != kiln_thread_current())
    kiln_throwf(KILN_EX_ILLEGAL_STATE, "Can't set!: %s from non-binding thread",
                kiln_sym_name(v->sym));
  b->value = value;
  return value;
}

static binding *bind_one(kiln_var *v, kiln_val value, binding *next, kiln_thread *th) {
  if (!(var_flags(v) & KILN_VAR_DYNAMIC))
    kiln_throwf(KILN_EX_ILLEGAL_STATE, "Can't dynamically bind non-dynamic var: %s",
                kiln_var_name(v));
  var_flags_or(v, KILN_VAR_THREAD_BOUND);
  binding *b = kiln_alloc(sizeof *b);
  b->var = v;
  b->value = value;
  b->owner = th;
  b->next = next;
  return b;
}

static void push_frame(kiln_thread *th, binding *chain) {
  frame *f = kiln_alloc(sizeof *f);
  f->chain = chain;
  f->prev = th->bindings;
  th->bindings = f;
}

void kiln_var_push_bindings(kiln_val map) {
  kiln_thread *th = kiln_thread_current();
  frame *cur = th->bindings;
  binding *chain = cur ? cur->chain : NULL;
  for (kiln_val s = kiln_seq(map); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    chain = bind_one(as_var(kiln_nth(e, 0, KILN_NIL, false)), kiln_nth(e, 1, KILN_NIL, false),
                     chain, th);
  }
  push_frame(th, chain);
}

void kiln_var_push_bindings_n(uint32_t n, kiln_var *const *vars, const kiln_val *vals) {
  kiln_thread *th = kiln_thread_current();
  frame *cur = th->bindings;
  binding *chain = cur ? cur->chain : NULL;
  for (uint32_t i = 0; i < n; i++) chain = bind_one(vars[i], vals[i], chain, th);
  push_frame(th, chain);
}

void kiln_var_pop_bindings(void) {
  kiln_thread *th = kiln_thread_current();
  frame *f = th->bindings;
  if (!f) kiln_throwf(KILN_EX_ILLEGAL_STATE, "Pop without matching push");
  th->bindings = f->prev;
}

kiln_val kiln_var_get_bindings(void) {
  frame *f = kiln_thread_current()->bindings;
  kiln_val m = kiln_empty_map;
  for (binding *b = f ? f->chain : NULL; b; b = b->next)
    if (!kiln_contains(m, (kiln_val)b->var)) m = kiln_assoc(m, (kiln_val)b->var, b->value);
  return m;
}

kiln_val kiln_var_clone_bindings(void) { return (kiln_val)kiln_thread_current()->bindings; }

void kiln_var_reset_bindings(kiln_val f) { kiln_thread_current()->bindings = (void *)f; }

/* ==== clojure.core's vars ============================================== */

kiln_var *kiln_v_ns, *kiln_v_out, *kiln_v_err, *kiln_v_in;
kiln_var *kiln_v_print_length, *kiln_v_print_level, *kiln_v_print_meta,
    *kiln_v_print_namespace_maps, *kiln_v_print_readably, *kiln_v_print_dup;
kiln_var *kiln_v_file, *kiln_v_line;
kiln_var *kiln_v_star1, *kiln_v_star2, *kiln_v_star3, *kiln_v_stare;
kiln_var *kiln_v_assert, *kiln_v_command_line_args, *kiln_v_data_readers,
    *kiln_v_flush_on_newline, *kiln_v_unchecked_math, *kiln_v_warn_on_reflection;

/* Interns a dynamic clojure.core var; [bound] false leaves it unbound. */
static kiln_var *core_dynamic(const char *name, kiln_val root, bool bound) {
  kiln_var *v = kiln_var_intern("clojure.core", name);
  kiln_val meta = kiln_assoc(kiln_empty_map, kw_dynamic, KILN_TRUE);
  kiln_var_def(v, root, bound, meta);
  return v;
}

/* ==== meta for vars, namespaces, fns and references ==================== */

kiln_val kiln_meta_of(kiln_val x) {
  switch (kiln_type_of(x)) {
  case KILN_T_VAR: return load(&((kiln_var *)x)->meta);
  case KILN_T_NAMESPACE: return load(&((kiln_ns *)x)->meta);
  case KILN_T_FN:
  case KILN_T_MULTIFN: return ((kiln_fn *)x)->meta;
  case KILN_T_ATOM: return load(&((kiln_atom *)x)->meta);
  default: return kiln_meta(x);
  }
}

kiln_val kiln_with_meta_of(kiln_val x, kiln_val meta) {
  if (KILN_HAS_TYPE(x, KILN_T_FN)) {
    kiln_fn *f = (kiln_fn *)x;
    size_t size = sizeof *f + f->nclosed * sizeof(kiln_val);
    kiln_fn *copy = kiln_alloc(size);
    memcpy(copy, f, size);
    copy->meta = meta;
    return (kiln_val)copy;
  }
  return kiln_with_meta(x, meta);
}

/* The metadata slot of an IReference (var, namespace, atom). */
static kiln_val *ref_meta_slot(kiln_val x) {
  switch (kiln_type_of(x)) {
  case KILN_T_VAR: return &((kiln_var *)x)->meta;
  case KILN_T_NAMESPACE: return &((kiln_ns *)x)->meta;
  case KILN_T_ATOM: return &((kiln_atom *)x)->meta;
  default:
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.IReference",
                kiln_class_name(x));
  }
}

static void ref_set_meta(kiln_val x, kiln_val meta) {
  if (KILN_HAS_TYPE(x, KILN_T_VAR)) kiln_var_set_meta((kiln_var *)x, meta);
  else __atomic_store_n(ref_meta_slot(x), meta, __ATOMIC_RELEASE);
}

/* ==== natives ========================================================== */

static kiln_val current_ns(void) { return kiln_var_get(kiln_v_ns); }

KILN_NATIVE(n_var_p) {
  KILN_ARITY("clojure.core/var?", argc == 1);
  return KILN_BOOL(KILN_HAS_TYPE(argv[0], KILN_T_VAR));
}

KILN_NATIVE(n_var_get) {
  KILN_ARITY("clojure.core/var-get", argc == 1);
  return kiln_var_get(as_var(argv[0]));
}

KILN_NATIVE(n_var_set) {
  KILN_ARITY("clojure.core/var-set", argc == 2);
  return kiln_var_set(as_var(argv[0]), argv[1]);
}

KILN_NATIVE(n_alter_var_root) {
  KILN_ARITY("clojure.core/alter-var-root", argc >= 2);
  kiln_var *v = as_var(argv[0]);
  kiln_val *args = kiln_alloc(sizeof(kiln_val) * argc);
  for (;;) {
    /* Filled afresh for every try: the callee owns its argv. */
    memcpy(args + 1, argv + 2, sizeof(kiln_val) * (argc - 2));
    kiln_val old = load(&v->root);
    args[0] = old;
    kiln_val neu = kiln_call(argv[1], argc - 1, args);
    observe(v);
    if (cas(&v->root, old, neu)) {
      var_flags_or(v, KILN_VAR_BOUND);
      return neu;
    }
  }
}

KILN_NATIVE(n_bound_p) {
  for (uint32_t i = 0; i < argc; i++)
    if (!kiln_var_is_bound(as_var(argv[i]))) return KILN_FALSE;
  return KILN_TRUE;
}

KILN_NATIVE(n_thread_bound_p) {
  for (uint32_t i = 0; i < argc; i++) {
    kiln_var *v = as_var(argv[i]);
    if (!(var_flags(v) & KILN_VAR_THREAD_BOUND) || !find_binding(v)) return KILN_FALSE;
  }
  return KILN_TRUE;
}

KILN_NATIVE(n_find_var) {
  KILN_ARITY("clojure.core/find-var", argc == 1);
  kiln_val sym = as_symbol(argv[0], "find-var");
  if (!kiln_sym_ns(sym))
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Symbol must be namespace-qualified");
  kiln_val ns = kiln_ns_find(kiln_sym(NULL, kiln_sym_ns(sym)));
  if (ns == KILN_NIL) kiln_throwf(KILN_EX_ILLEGAL_ARG, "No such namespace: %s", kiln_sym_ns(sym));
  kiln_var *v = find_interned(ns, kiln_sym(NULL, kiln_sym_name(sym)));
  return v ? (kiln_val)v : KILN_NIL;
}

KILN_NATIVE(n_intern) {
  KILN_ARITY("clojure.core/intern", argc == 2 || argc == 3);
  kiln_val ns = kiln_the_ns(argv[0]);
  kiln_val sym = as_symbol(argv[1], "intern");
  kiln_var *v = kiln_ns_intern(ns, sym);
  if (argc == 3) kiln_var_set_root(v, argv[2]);
  kiln_val meta = ((kiln_symbol *)sym)->meta;
  if (meta != KILN_NIL) kiln_var_set_meta(v, meta);
  return (kiln_val)v;
}

KILN_NATIVE(n_ns_resolve) {
  KILN_ARITY("clojure.core/ns-resolve", argc == 2 || argc == 3);
  kiln_val ns = kiln_the_ns(argv[0]);
  kiln_val sym = argv[argc - 1];
  /* A symbol bound in the local environment [env] resolves to nothing. */
  if (argc == 3 && argv[1] != KILN_NIL && kiln_contains(argv[1], sym)) return KILN_NIL;
  return kiln_ns_resolve(ns, sym);
}

KILN_NATIVE(n_resolve) {
  KILN_ARITY("clojure.core/resolve", argc == 1 || argc == 2);
  kiln_val sym = argv[argc - 1];
  if (argc == 2 && argv[0] != KILN_NIL && kiln_contains(argv[0], sym)) return KILN_NIL;
  return kiln_ns_resolve(current_ns(), sym);
}

KILN_NATIVE(n_push_thread_bindings) {
  KILN_ARITY("clojure.core/push-thread-bindings", argc == 1);
  kiln_var_push_bindings(argv[0]);
  return KILN_NIL;
}

KILN_NATIVE(n_pop_thread_bindings) {
  KILN_ARITY("clojure.core/pop-thread-bindings", argc == 0);
  kiln_var_pop_bindings();
  return KILN_NIL;
}

KILN_NATIVE(n_get_thread_bindings) {
  KILN_ARITY("clojure.core/get-thread-bindings", argc == 0);
  return kiln_var_get_bindings();
}

/* Calls [f] with [argv] under the bindings of [map]. A throw needs no pop:
 * the catching handler restores its own frame. */
static kiln_val call_with_bindings(kiln_val map, kiln_val f, uint32_t argc, const kiln_val *argv) {
  kiln_var_push_bindings(map);
  kiln_val r = kiln_call(f, argc, argv);
  kiln_var_pop_bindings();
  return r;
}

KILN_NATIVE(n_with_bindings) {
  KILN_ARITY("clojure.core/with-bindings*", argc >= 2);
  return call_with_bindings(argv[0], argv[1], argc - 2, argv + 2);
}

static kiln_val bound_fn_call(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return call_with_bindings(self->closed[0], self->closed[1], argc, argv);
}

KILN_NATIVE(n_bound_fn) {
  KILN_ARITY("clojure.core/bound-fn*", argc == 1);
  kiln_fn *f = kiln_fn_new(bound_fn_call, "clojure.core/bound-fn*/fn", 2);
  f->closed[0] = kiln_var_get_bindings();
  f->closed[1] = argv[0];
  return (kiln_val)f;
}

static kiln_val frame_call(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  kiln_throwf(KILN_EX_UNSUPPORTED, "A binding frame cannot be called");
}

KILN_NATIVE(n_clone_bindings) {
  KILN_ARITY("clojure.core/clone-thread-binding-frame*", argc == 0);
  kiln_val f = kiln_var_clone_bindings();
  /* Wrapped so the frame pointer never escapes as a bare value. */
  kiln_fn *box = kiln_fn_new(frame_call, "kiln.lang.BindingFrame", 0);
  box->data = (void *)f;
  return (kiln_val)box;
}

KILN_NATIVE(n_reset_bindings) {
  KILN_ARITY("clojure.core/reset-thread-binding-frame*", argc == 1);
  if (!KILN_HAS_TYPE(argv[0], KILN_T_FN) || ((kiln_fn *)argv[0])->code != frame_call)
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "Not a binding frame: %s", kiln_pr_str(argv[0]));
  kiln_var_reset_bindings((kiln_val)((kiln_fn *)argv[0])->data);
  return KILN_NIL;
}

KILN_NATIVE(n_meta) {
  KILN_ARITY("clojure.core/meta", argc == 1);
  return kiln_meta_of(argv[0]);
}

KILN_NATIVE(n_with_meta) {
  KILN_ARITY("clojure.core/with-meta", argc == 2);
  return kiln_with_meta_of(argv[0], argv[1]);
}

KILN_NATIVE(n_vary_meta) {
  KILN_ARITY("clojure.core/vary-meta", argc >= 2);
  kiln_val *args = kiln_alloc(sizeof(kiln_val) * argc);
  args[0] = kiln_meta_of(argv[0]);
  memcpy(args + 1, argv + 2, sizeof(kiln_val) * (argc - 2));
  return kiln_with_meta_of(argv[0], kiln_call(argv[1], argc - 1, args));
}

KILN_NATIVE(n_alter_meta) {
  KILN_ARITY("clojure.core/alter-meta!", argc >= 2);
  kiln_val *slot = ref_meta_slot(argv[0]);
  kiln_val *args = kiln_alloc(sizeof(kiln_val) * argc);
  for (;;) {
    /* Filled afresh for every try: the callee owns its argv. */
    memcpy(args + 1, argv + 2, sizeof(kiln_val) * (argc - 2));
    kiln_val old = load(slot);
    args[0] = old;
    kiln_val neu = kiln_call(argv[1], argc - 1, args);
    if (cas(slot, old, neu)) {
      if (KILN_HAS_TYPE(argv[0], KILN_T_VAR)) kiln_var_set_meta(as_var(argv[0]), neu);
      return neu;
    }
  }
}

KILN_NATIVE(n_reset_meta) {
  KILN_ARITY("clojure.core/reset-meta!", argc == 2);
  ref_set_meta(argv[0], argv[1]);
  return argv[1];
}

/* ---- namespaces ---- */

KILN_NATIVE(n_find_ns) {
  KILN_ARITY("clojure.core/find-ns", argc == 1);
  return kiln_ns_find(as_symbol(argv[0], "find-ns"));
}

KILN_NATIVE(n_create_ns) {
  KILN_ARITY("clojure.core/create-ns", argc == 1);
  return kiln_ns_find_or_create(argv[0]);
}

KILN_NATIVE(n_remove_ns) {
  KILN_ARITY("clojure.core/remove-ns", argc == 1);
  return ns_remove(argv[0]);
}

KILN_NATIVE(n_all_ns) {
  KILN_ARITY("clojure.core/all-ns", argc == 0);
  return kiln_ns_all();
}

KILN_NATIVE(n_the_ns) {
  KILN_ARITY("clojure.core/the-ns", argc == 1);
  return kiln_the_ns(argv[0]);
}

KILN_NATIVE(n_ns_name) {
  KILN_ARITY("clojure.core/ns-name", argc == 1);
  return as_ns(kiln_the_ns(argv[0]))->name;
}

enum { NS_MAP, NS_INTERNS, NS_PUBLICS, NS_REFERS };

static kiln_val ns_filtered(kiln_val nsv, int which) {
  kiln_val m = empty_if_nil(load(&as_ns(nsv)->mappings));
  if (which == NS_MAP) return m;
  kiln_val out = kiln_empty_map;
  for (kiln_val s = kiln_seq(m); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    kiln_val v = kiln_nth(e, 1, KILN_NIL, false);
    if (!KILN_HAS_TYPE(v, KILN_T_VAR)) continue;
    bool own = ((kiln_var *)v)->ns == nsv;
    bool keep = which == NS_REFERS ? !own
                : which == NS_INTERNS
                    ? own
                    : own && !(var_flags((kiln_var *)v) & KILN_VAR_PRIVATE);
    if (keep) out = kiln_assoc(out, kiln_nth(e, 0, KILN_NIL, false), v);
  }
  return out;
}

KILN_NATIVE(n_ns_map) {
  KILN_ARITY("clojure.core/ns-map", argc == 1);
  return ns_filtered(kiln_the_ns(argv[0]), NS_MAP);
}
KILN_NATIVE(n_ns_interns) {
  KILN_ARITY("clojure.core/ns-interns", argc == 1);
  return ns_filtered(kiln_the_ns(argv[0]), NS_INTERNS);
}
KILN_NATIVE(n_ns_publics) {
  KILN_ARITY("clojure.core/ns-publics", argc == 1);
  return ns_filtered(kiln_the_ns(argv[0]), NS_PUBLICS);
}
KILN_NATIVE(n_ns_refers) {
  KILN_ARITY("clojure.core/ns-refers", argc == 1);
  return ns_filtered(kiln_the_ns(argv[0]), NS_REFERS);
}

KILN_NATIVE(n_ns_aliases) {
  KILN_ARITY("clojure.core/ns-aliases", argc == 1);
  return empty_if_nil(load(&as_ns(kiln_the_ns(argv[0]))->aliases));
}

KILN_NATIVE(n_ns_unmap) {
  KILN_ARITY("clojure.core/ns-unmap", argc == 2);
  kiln_ns_unmap(kiln_the_ns(argv[0]), as_symbol(argv[1], "ns-unmap"));
  return KILN_NIL;
}

KILN_NATIVE(n_ns_unalias) {
  KILN_ARITY("clojure.core/ns-unalias", argc == 2);
  ns_unalias(kiln_the_ns(argv[0]), as_symbol(argv[1], "ns-unalias"));
  return KILN_NIL;
}

KILN_NATIVE(n_alias) {
  KILN_ARITY("clojure.core/alias", argc == 2);
  kiln_ns_alias(current_ns(), argv[0], kiln_the_ns(argv[1]));
  return KILN_NIL;
}

/* (refer ns-sym & filters) with :only, :exclude and :rename. */
KILN_NATIVE(n_refer) {
  KILN_ARITY("clojure.core/refer", argc >= 1 && argc % 2 == 1);
  kiln_val from = kiln_the_ns(argv[0]);
  kiln_val only = KILN_NIL, exclude = KILN_NIL, rename = KILN_NIL;
  bool has_only = false;
  for (uint32_t i = 1; i + 1 < argc; i += 2) {
    if (argv[i] == kw_only) {
      only = argv[i + 1];
      has_only = true;
    } else if (argv[i] == kw_exclude) {
      exclude = argv[i + 1];
    } else if (argv[i] == kw_rename) {
      rename = argv[i + 1];
    }
  }
  kiln_val to = current_ns();
  kiln_val publics = ns_filtered(from, NS_PUBLICS);
  kiln_val excluded = kiln_empty_set;
  for (kiln_val s = kiln_seq(exclude); s != KILN_NIL; s = kiln_next(s))
    excluded = kiln_conj(excluded, kiln_first(s));
  kiln_val names = has_only ? only : kiln_empty_list;
  if (!has_only)
    for (kiln_val s = kiln_seq(publics); s != KILN_NIL; s = kiln_next(s))
      names = kiln_conj(names, kiln_nth(kiln_first(s), 0, KILN_NIL, false));
  for (kiln_val s = kiln_seq(names); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val sym = kiln_first(s);
    if (kiln_contains(excluded, sym)) continue;
    kiln_val v = kiln_get(publics, sym, KILN_NIL);
    if (v == KILN_NIL) {
      kiln_var *priv = find_interned(from, sym);
      kiln_throwf("java.lang.IllegalAccessError", priv ? "%s is not public" : "%s does not exist",
                  kiln_sym_name(sym));
    }
    kiln_val as = rename != KILN_NIL ? kiln_get(rename, sym, sym) : sym;
    kiln_ns_refer(to, as, (kiln_var *)v);
  }
  return KILN_NIL;
}

static const kiln_native_def var_natives[] = {
    {"var?", "([v])", "True when v is a var (what def creates and #'name refers to).", n_var_p, 0},
    {"var-get", "([x])", "The value x currently has for this thread: its innermost binding when\n  binding has given it one, else its root value.", n_var_get, 0},
    {"var-set", "([x val])",
     "Changes the value of var x for the current binding (the innermost binding\n  made by binding on this thread) to val and returns val. A var with no\n  binding on this thread throws IllegalStateException.", n_var_set,
     0},
    {"alter-var-root", "([v f & args])",
     "Sets the root value of var v to (f old-root args...), atomically with\n  respect to other root changes, and returns the new root. Bindings made\n  with binding are not affected.",
     n_alter_var_root, 0},
    {"bound?", "([& vars])",
     "True when every var given has a value, either a root value or a binding on\n  this thread; a var made by (def x) without a value is unbound.",
     n_bound_p, 0},
    {"thread-bound?", "([& vars])",
     "True when every var given currently has a binding on this thread (made by\n  binding or push-thread-bindings); root values do not count.",
     n_thread_bound_p, 0},
    {"find-var", "([sym])",
     "The var a qualified symbol such as clojure.core/map stands for, or nil\n  when its namespace holds no such var. An unqualified symbol throws\n  IllegalArgumentException, and so does a namespace that does not exist.",
     n_find_var, 0},
    {"intern", "([ns name] [ns name val])",
     "Looks in ns (a namespace or a symbol naming one) for a var called name,\n  creating it when there is none, and returns it; with val, also sets its\n  root value to val. Metadata on the symbol name is given to the var.",
     n_intern, 0},
    {"ns-resolve", "([ns sym] [ns env sym])",
     "What the symbol sym would name when read in the namespace ns: a var, or\n  nil when it names nothing (Kiln has no classes to resolve). With env, a\n  map whose keys are local names, a symbol that is one of those keys\n  resolves to nil.",
     n_ns_resolve, 0},
    {"resolve", "([sym] [env sym])", "ns-resolve in the current namespace: looks sym up in *ns*, skipping\n  symbols that are keys of env when env is given.",
     n_resolve, 0},
    {"push-thread-bindings", "([bindings])",
     "Gives each var in bindings (a map from dynamic vars to values) a new\n  binding to its value on this thread. It is the primitive under binding:\n  every call must be paired with a pop-thread-bindings, normally in a\n  try/finally.",
     n_push_thread_bindings, 0},
    {"pop-thread-bindings", "([])", "Removes the bindings that the latest unpaired push-thread-bindings made on\n  this thread.",
     n_pop_thread_bindings, 0},
    {"get-thread-bindings", "([])",
     "A map from each var that has a binding on this thread to the value that\n  binding holds now.",
     n_get_thread_bindings, 0},
    {"with-bindings*", "([binding-map f & args])",
     "Calls (apply f args) with the vars of binding-map (a map of vars to\n  values) bound to those values on this thread, removes the bindings\n  afterwards even when f throws, and returns what f returned.",
     n_with_bindings, 0},
    {"bound-fn*", "([f])",
     "A function that calls f with its arguments after installing the bindings\n  that were in force on this thread when bound-fn* was called; useful for\n  handing f to another thread, such as a future.",
     n_bound_fn, 0},
    {"clone-thread-binding-frame*", "([])",
     "The current thread's binding frame, for conveying bindings to another\n  thread.",
     n_clone_bindings, 0},
    {"reset-thread-binding-frame*", "([frame])",
     "Makes a frame from clone-thread-binding-frame* the current thread's\n  bindings.",
     n_reset_bindings, 0},
    {"meta", "([obj])", "The metadata map of obj (a collection, symbol, var, namespace, atom or\n  function), or nil when it has none or cannot have any.",
     n_meta, 0},
    {"with-meta", "([obj m])",
     "A value equal to obj, of the same type, whose metadata is the map m (nil\n  removes it); obj is not changed. Values that cannot carry metadata, such\n  as numbers and strings, throw ClassCastException.",
     n_with_meta, 0},
    {"vary-meta", "([obj f & args])",
     "A copy of obj whose metadata is the result of calling f on obj's current\n  metadata and args; obj itself is unchanged.",
     n_vary_meta, 0},
    {"alter-meta!", "([iref f & args])",
     "Replaces the metadata of a mutable reference (a var, namespace, atom, ref\n  or agent) with (apply f current-metadata args), atomically, and returns\n  the new metadata.",
     n_alter_meta, 0},
    {"reset-meta!", "([iref metadata-map])",
     "Replaces the metadata of a mutable reference (a var, namespace, atom, ref\n  or agent) with metadata-map and returns that map.", n_reset_meta, 0},
    {"find-ns", "([sym])", "The namespace called sym when it exists, otherwise nil.",
     n_find_ns, 0},
    {"create-ns", "([sym])",
     "The namespace called sym, creating an empty one first when none exists.",
     n_create_ns, 0},
    {"remove-ns", "([sym])", "Drops the namespace called sym from the set of namespaces and returns it\n  (nil when there was none). Vars already referred to elsewhere live on.\n  clojure.core cannot be removed.",
     n_remove_ns, 0},
    {"all-ns", "([])", "A seq of every namespace that exists now.", n_all_ns, 0},
    {"the-ns", "([x])",
     "x when it is a namespace; when it is a symbol, the namespace called that,\n  throwing when no such namespace exists.",
     n_the_ns, 0},
    {"ns-name", "([ns])", "The symbol that names the namespace ns (ns may also be that symbol).", n_ns_name, 0},
    {"ns-map", "([ns])", "A map from every symbol the namespace ns maps (its own vars and the ones\n  it refers) to what it maps to.", n_ns_map, 0},
    {"ns-interns", "([ns])", "A map from symbol to var of every var created in the namespace ns, private\n  ones included.",
     n_ns_interns, 0},
    {"ns-publics", "([ns])", "A map from symbol to var of the vars created in the namespace ns that are\n  not private.",
     n_ns_publics, 0},
    {"ns-refers", "([ns])", "A map from symbol to var of the vars the namespace ns refers to from other\n  namespaces.", n_ns_refers,
     0},
    {"ns-aliases", "([ns])", "A map from each alias the namespace ns has (made by :as or alias) to the\n  namespace it stands for.", n_ns_aliases, 0},
    {"ns-unmap", "([ns sym])", "Makes sym map to nothing in the namespace ns, whether it was a var of its\n  own or a referred one. Returns nil.",
     n_ns_unmap, 0},
    {"ns-unalias", "([ns sym])", "Forgets the alias sym in the namespace ns. Returns nil.",
     n_ns_unalias, 0},
    {"alias", "([alias namespace-sym])",
     "Makes alias a short name, in the current namespace, for the namespace\n  named by namespace-sym, so that alias/x names namespace-sym/x. The target\n  namespace must exist.", n_alias, 0},
    {"refer", "([ns-sym & filters])",
     "Makes the public vars of the namespace ns-sym nameable without\n  qualification in the current namespace. Options: :only a collection of the\n  symbols to take, :exclude a collection of symbols to skip, :rename a map\n  from original symbol to the name to use here. Naming a var that is private\n  or absent throws IllegalAccessError.",
     n_refer, 0},
};

/* Namespaces made before the collections started hold nil for empty maps;
 * other subsystems read the fields directly, so give them real maps. */
static void fill_empty_maps(void) {
  kiln_val reg = load(&ns_registry);
  if (reg == KILN_NIL) return;
  for (kiln_val s = kiln_seq(reg); s != KILN_NIL; s = kiln_next(s)) {
    kiln_ns *ns = (kiln_ns *)kiln_nth(kiln_first(s), 1, KILN_NIL, false);
    cas(&ns->mappings, KILN_NIL, kiln_empty_map);
    cas(&ns->aliases, KILN_NIL, kiln_empty_map);
  }
}

void kiln_var_init(void) {
  keywords_init();
  fill_empty_maps();
  kiln_ns_core = kiln_ns_find_or_create(kiln_sym(NULL, "clojure.core"));
  kiln_ns_user = kiln_ns_find_or_create(kiln_sym(NULL, "user"));

  /* *ns*'s root is user (the JVM's is clojure.core, but its REPL and
   * clojure.main bind it to user before running anything). */
  kiln_v_ns = core_dynamic("*ns*", kiln_ns_user, true);
  kiln_v_out = core_dynamic("*out*", kiln_writer_fd(1), true);
  kiln_v_err = core_dynamic("*err*", kiln_writer_fd(2), true);
  kiln_v_in = core_dynamic("*in*", KILN_NIL, true);
  kiln_v_print_length = core_dynamic("*print-length*", KILN_NIL, true);
  kiln_v_print_level = core_dynamic("*print-level*", KILN_NIL, true);
  kiln_v_print_meta = core_dynamic("*print-meta*", KILN_FALSE, true);
  kiln_v_print_namespace_maps = core_dynamic("*print-namespace-maps*", KILN_FALSE, true);
  kiln_v_print_readably = core_dynamic("*print-readably*", KILN_TRUE, true);
  kiln_v_print_dup = core_dynamic("*print-dup*", KILN_FALSE, true);
  kiln_v_file = core_dynamic("*file*", kiln_str_cstr("NO_SOURCE_PATH"), true);
  kiln_v_line = core_dynamic("*line*", KILN_FIXNUM(0), true);
  kiln_v_star1 = core_dynamic("*1", KILN_NIL, false);
  kiln_v_star2 = core_dynamic("*2", KILN_NIL, false);
  kiln_v_star3 = core_dynamic("*3", KILN_NIL, false);
  kiln_v_stare = core_dynamic("*e", KILN_NIL, false);
  kiln_v_assert = core_dynamic("*assert*", KILN_TRUE, true);
  kiln_v_command_line_args = core_dynamic("*command-line-args*", KILN_NIL, true);
  kiln_v_data_readers = core_dynamic("*data-readers*", kiln_empty_map, true);
  kiln_v_flush_on_newline = core_dynamic("*flush-on-newline*", KILN_TRUE, true);
  kiln_v_unchecked_math = core_dynamic("*unchecked-math*", KILN_FALSE, true);
  kiln_v_warn_on_reflection = core_dynamic("*warn-on-reflection*", KILN_FALSE, true);

  kiln_natives_register("clojure.core", var_natives, KILN_ARRAY_LEN(var_natives));
}
