/*
 * ref.c — atoms, volatiles and delays, and deref of everything dereferenceable.
 *
 * An atom's value is one word changed with compare-and-swap: swap! calls its
 * fn outside any lock and retries when another thread won, so the fn may run
 * more than once (as on the JVM). Watches (a map key -> fn) and the validator
 * are replaced atomically as well. Watches are called after a change, on the
 * thread that made it.
 *
 * A delay runs its fn once under its own recursive lock. The fn runs inside a
 * handler so that the lock is released before any exception travels on; the
 * exception is cached and rethrown by every later deref (Clojure 1.9+).
 *
 * Futures and promises live elsewhere and plug into deref and realized? by
 * registering per-type hooks.
 */
#include <pthread.h>
#include <string.h>

#include "runtime/rt.h"

static kiln_val (*deref_hooks[KILN_T_COUNT])(kiln_val x);
static kiln_val (*deref_timeout_hooks[KILN_T_COUNT])(kiln_val x, int64_t ms, kiln_val timeout_val);
static bool (*realized_hooks[KILN_T_COUNT])(kiln_val x);

void kiln_ref_set_deref(kiln_type type, kiln_val (*deref)(kiln_val x)) {
  if ((unsigned)type < KILN_T_COUNT) deref_hooks[type] = deref;
}

void kiln_ref_set_deref_timeout(kiln_type type,
                                kiln_val (*deref)(kiln_val x, int64_t ms, kiln_val timeout_val)) {
  if ((unsigned)type < KILN_T_COUNT) deref_timeout_hooks[type] = deref;
}

void kiln_ref_set_realized(kiln_type type, bool (*realized)(kiln_val x)) {
  if ((unsigned)type < KILN_T_COUNT) realized_hooks[type] = realized;
}

static kiln_val load(const kiln_val *slot) { return __atomic_load_n(slot, __ATOMIC_ACQUIRE); }

static bool cas(kiln_val *slot, kiln_val old, kiln_val neu) {
  return __atomic_compare_exchange_n(slot, &old, neu, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static kiln_atom *as_atom(kiln_val a) {
  if (!KILN_HAS_TYPE(a, KILN_T_ATOM))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.Atom",
                kiln_class_name(a));
  return (kiln_atom *)a;
}

/* ==== atoms ============================================================ */

kiln_val kiln_atom_new(kiln_val value) {
  kiln_atom *a = kiln_obj_new(KILN_T_ATOM, sizeof *a);
  a->value = value;
  a->watches = KILN_NIL;
  a->validator = KILN_NIL;
  a->meta = KILN_NIL;
  return (kiln_val)a;
}

static kiln_val call_validator(void *ctx) {
  kiln_val *args = ctx;
  return kiln_call1(args[0], args[1]);
}

/* Throws IllegalStateException "Invalid reference state" unless [vf] accepts
 * [value]; a RuntimeException from the validator itself travels on as is. */
static void validate(kiln_val vf, kiln_val value) {
  if (vf == KILN_NIL) return;
  kiln_val args[2] = {vf, value}, ok, ex;
  if (!kiln_pcall(call_validator, args, &ok, &ex)) {
    if (kiln_ex_is(ex, KILN_EX_RUNTIME)) kiln_throw(ex);
    kiln_throw(kiln_ex_new(KILN_EX_ILLEGAL_STATE, kiln_str_cstr("Invalid reference state"),
                           KILN_NIL, ex));
  }
  if (!KILN_TRUTHY(ok)) kiln_throwf(KILN_EX_ILLEGAL_STATE, "Invalid reference state");
}

static void notify_watches(kiln_val ref, kiln_val watches, kiln_val old, kiln_val neu) {
  if (watches == KILN_NIL) return;
  for (kiln_val s = kiln_seq(watches); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    kiln_val args[4] = {kiln_nth(e, 0, KILN_NIL, false), ref, old, neu};
    kiln_call(kiln_nth(e, 1, KILN_NIL, false), 4, args);
  }
}

/* Swaps in (f old args...) and returns {old, new} through [out]. */
static void atom_swap(kiln_val atom, kiln_val f, uint32_t nargs, const kiln_val *args,
                      kiln_val out[2]) {
  kiln_atom *a = as_atom(atom);
  kiln_val small[8];
  kiln_val *argv = nargs + 1 <= KILN_ARRAY_LEN(small) ? small
                                                       : kiln_alloc((nargs + 1) * sizeof(kiln_val));
  for (;;) {
    /* Filled afresh for every try: the callee owns its argv. */
    if (nargs) memcpy(argv + 1, args, nargs * sizeof(kiln_val));
    kiln_val old = load(&a->value);
    argv[0] = old;
    kiln_val neu = kiln_call(f, nargs + 1, argv);
    validate(load(&a->validator), neu);
    if (cas(&a->value, old, neu)) {
      notify_watches(atom, load(&a->watches), old, neu);
      out[0] = old;
      out[1] = neu;
      return;
    }
  }
}

kiln_val kiln_atom_swap(kiln_val atom, kiln_val f, uint32_t nargs, const kiln_val *args) {
  kiln_val r[2];
  atom_swap(atom, f, nargs, args, r);
  return r[1];
}

static kiln_val atom_reset(kiln_val atom, kiln_val value) {
  kiln_atom *a = as_atom(atom);
  validate(load(&a->validator), value);
  kiln_val old = __atomic_exchange_n(&a->value, value, __ATOMIC_ACQ_REL);
  notify_watches(atom, load(&a->watches), old, value);
  return old;
}

kiln_val kiln_atom_reset(kiln_val atom, kiln_val value) {
  atom_reset(atom, value);
  return value;
}

bool kiln_atom_cas(kiln_val atom, kiln_val old, kiln_val value) {
  kiln_atom *a = as_atom(atom);
  validate(load(&a->validator), value);
  if (!cas(&a->value, old, value)) return false;
  notify_watches(atom, load(&a->watches), old, value);
  return true;
}

/* ==== volatiles ======================================================== */

kiln_val kiln_volatile_new(kiln_val value) {
  kiln_volatile *v = kiln_obj_new(KILN_T_VOLATILE, sizeof *v);
  v->value = value;
  return (kiln_val)v;
}

static kiln_volatile *as_volatile(kiln_val v) {
  if (!KILN_HAS_TYPE(v, KILN_T_VOLATILE))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.Volatile",
                kiln_class_name(v));
  return (kiln_volatile *)v;
}

/* ==== delays =========================================================== */

kiln_val kiln_delay_new(kiln_val fn) {
  kiln_delay *d = kiln_obj_new(KILN_T_DELAY, sizeof *d);
  pthread_mutex_t *m = kiln_alloc_atomic(sizeof *m);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(m, &attr);
  pthread_mutexattr_destroy(&attr);
  d->fn = fn;
  d->value = KILN_NIL;
  d->exception = KILN_NIL;
  d->lock = m;
  return (kiln_val)d;
}

static bool delay_realized(kiln_delay *d) {
  return __atomic_load_n(&d->h.flags, __ATOMIC_ACQUIRE) & KILN_DELAY_REALIZED;
}

kiln_val kiln_delay_force(kiln_val x) {
  kiln_delay *d = (kiln_delay *)x;
  if (!delay_realized(d)) {
    pthread_mutex_lock(d->lock);
    if (!delay_realized(d) && d->fn != KILN_NIL) {
      kiln_val fn = d->fn;
      kiln_try t;
      KILN_TRY(t) { d->value = kiln_call0(fn); }
      KILN_CATCH(t) { d->exception = t.exception; }
      KILN_END(t);
      d->fn = KILN_NIL;
      __atomic_fetch_or(&d->h.flags, KILN_DELAY_REALIZED, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(d->lock);
  }
  if (d->exception != KILN_NIL) kiln_throw(d->exception);
  return d->value;
}

/* ==== deref ============================================================ */

kiln_val kiln_deref_value(kiln_val x) {
  kiln_type t = kiln_type_of(x);
  switch (t) {
  case KILN_T_ATOM: return load(&((kiln_atom *)x)->value);
  case KILN_T_VOLATILE: return load(&((kiln_volatile *)x)->value);
  case KILN_T_DELAY: return kiln_delay_force(x);
  case KILN_T_VAR: return kiln_var_get((kiln_var *)x);
  case KILN_T_REDUCED: return kiln_reduced_value(x);
  default:
    if (t != KILN_T_NONE && deref_hooks[t]) return deref_hooks[t](x);
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.util.concurrent.Future",
                kiln_class_name(x));
  }
}

/* ==== natives ========================================================== */

KILN_NATIVE(n_atom) {
  KILN_ARITY("clojure.core/atom", argc >= 1 && argc % 2 == 1);
  kiln_val a = kiln_atom_new(argv[0]);
  for (uint32_t i = 1; i + 1 < argc; i += 2) {
    if (argv[i] == kiln_kw(NULL, "meta")) ((kiln_atom *)a)->meta = argv[i + 1];
    else if (argv[i] == kiln_kw(NULL, "validator")) ((kiln_atom *)a)->validator = argv[i + 1];
  }
  validate(((kiln_atom *)a)->validator, argv[0]);
  return a;
}

KILN_NATIVE(n_swap) {
  KILN_ARITY("clojure.core/swap!", argc >= 2);
  return kiln_atom_swap(argv[0], argv[1], argc - 2, argv + 2);
}

KILN_NATIVE(n_swap_vals) {
  KILN_ARITY("clojure.core/swap-vals!", argc >= 2);
  kiln_val r[2];
  atom_swap(argv[0], argv[1], argc - 2, argv + 2, r);
  return kiln_vec_from(2, r);
}

KILN_NATIVE(n_reset) {
  KILN_ARITY("clojure.core/reset!", argc == 2);
  return kiln_atom_reset(argv[0], argv[1]);
}

KILN_NATIVE(n_reset_vals) {
  KILN_ARITY("clojure.core/reset-vals!", argc == 2);
  kiln_val r[2] = {atom_reset(argv[0], argv[1]), argv[1]};
  return kiln_vec_from(2, r);
}

KILN_NATIVE(n_compare_and_set) {
  KILN_ARITY("clojure.core/compare-and-set!", argc == 3);
  return KILN_BOOL(kiln_atom_cas(argv[0], argv[1], argv[2]));
}

KILN_NATIVE(n_add_watch) {
  KILN_ARITY("clojure.core/add-watch", argc == 3);
  kiln_atom *a = as_atom(argv[0]);
  for (;;) {
    kiln_val w = load(&a->watches);
    kiln_val neu = kiln_assoc(w == KILN_NIL ? kiln_empty_map : w, argv[1], argv[2]);
    if (cas(&a->watches, w, neu)) return argv[0];
  }
}

KILN_NATIVE(n_remove_watch) {
  KILN_ARITY("clojure.core/remove-watch", argc == 2);
  kiln_atom *a = as_atom(argv[0]);
  for (;;) {
    kiln_val w = load(&a->watches);
    if (w == KILN_NIL) return argv[0];
    if (cas(&a->watches, w, kiln_dissoc(w, argv[1]))) return argv[0];
  }
}

KILN_NATIVE(n_set_validator) {
  KILN_ARITY("clojure.core/set-validator!", argc == 2);
  kiln_atom *a = as_atom(argv[0]);
  validate(argv[1], load(&a->value));
  __atomic_store_n(&a->validator, argv[1], __ATOMIC_RELEASE);
  return KILN_NIL;
}

KILN_NATIVE(n_get_validator) {
  KILN_ARITY("clojure.core/get-validator", argc == 1);
  return load(&as_atom(argv[0])->validator);
}

KILN_NATIVE(n_deref) {
  KILN_ARITY("clojure.core/deref", argc == 1 || argc == 3);
  if (argc == 3) {
    kiln_type t = kiln_type_of(argv[0]);
    if (t != KILN_T_NONE && deref_timeout_hooks[t])
      return deref_timeout_hooks[t](argv[0], kiln_to_long(argv[1], "deref timeout"), argv[2]);
  }
  return kiln_deref_value(argv[0]);
}

KILN_NATIVE(n_volatile) {
  KILN_ARITY("clojure.core/volatile!", argc == 1);
  return kiln_volatile_new(argv[0]);
}

KILN_NATIVE(n_vreset) {
  KILN_ARITY("clojure.core/vreset!", argc == 2);
  __atomic_store_n(&as_volatile(argv[0])->value, argv[1], __ATOMIC_RELEASE);
  return argv[1];
}

KILN_NATIVE(n_vswap) {
  KILN_ARITY("clojure.core/vswap!", argc >= 2);
  kiln_volatile *v = as_volatile(argv[0]);
  kiln_val *args = kiln_alloc((argc - 1) * sizeof(kiln_val));
  args[0] = load(&v->value);
  memcpy(args + 1, argv + 2, (argc - 2) * sizeof(kiln_val));
  kiln_val neu = kiln_call(argv[1], argc - 1, args);
  __atomic_store_n(&v->value, neu, __ATOMIC_RELEASE);
  return neu;
}

KILN_NATIVE(n_volatile_p) {
  KILN_ARITY("clojure.core/volatile?", argc == 1);
  return KILN_BOOL(KILN_HAS_TYPE(argv[0], KILN_T_VOLATILE));
}

KILN_NATIVE(n_delay_star) {
  KILN_ARITY("clojure.core/delay*", argc == 1);
  return kiln_delay_new(argv[0]);
}

KILN_NATIVE(n_delay_p) {
  KILN_ARITY("clojure.core/delay?", argc == 1);
  return KILN_BOOL(KILN_HAS_TYPE(argv[0], KILN_T_DELAY));
}

KILN_NATIVE(n_force) {
  KILN_ARITY("clojure.core/force", argc == 1);
  return KILN_HAS_TYPE(argv[0], KILN_T_DELAY) ? kiln_delay_force(argv[0]) : argv[0];
}

KILN_NATIVE(n_realized_p) {
  KILN_ARITY("clojure.core/realized?", argc == 1);
  kiln_val x = argv[0];
  kiln_type t = kiln_type_of(x);
  switch (t) {
  case KILN_T_DELAY: return KILN_BOOL(delay_realized((kiln_delay *)x));
  case KILN_T_LAZY_SEQ: return KILN_BOOL(load(&((kiln_lazy_seq *)x)->fn) == KILN_NIL);
  default:
    if (t != KILN_T_NONE && realized_hooks[t]) return KILN_BOOL(realized_hooks[t](x));
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class clojure.lang.IPending",
                kiln_class_name(x));
  }
}

static const kiln_native_def ref_natives[] = {
    {"atom", "([x] [x & options])",
     "A new atom holding x. Options come as keyword/value pairs in any order:\n  :meta gives the atom's metadata map, :validator a function that every new\n  value (x included) must pass, or IllegalStateException is thrown.",
     n_atom, 0},
    {"swap!", "([atom f] [atom f x] [atom f x y] [atom f x y & args])",
     "Replaces the atom's value with (f current x y ...) and returns the new\n  value. The update is a compare-and-set loop, so f may run more than once\n  when threads race and should have no side effects. The validator and\n  watches run as for reset!.",
     n_swap, 0},
    {"swap-vals!", "([atom f] [atom f x] [atom f x y] [atom f x y & args])",
     "Updates the atom as swap! does; returns a vector of two values, the one it\n  replaced and the one it stored.",
     n_swap_vals, 0},
    {"reset!", "([atom newval])",
     "Makes newval the atom's value whatever it was, after newval passes the\n  validator, then calls the watches. Returns newval.",
     n_reset, 0},
    {"reset-vals!", "([atom newval])",
     "Stores newval in the atom as reset! does; returns a vector of the value it\n  replaced and newval.",
     n_reset_vals, 0},
    {"compare-and-set!", "([atom oldval newval])",
     "In one atomic step, stores newval in the atom if what it holds now is\n  identical? to oldval (the same object, not merely equal). true when it\n  stored, false when it left the atom alone.",
     n_compare_and_set, 0},
    {"add-watch", "([reference key fn])",
     "Registers fn under key on reference, an atom (refs and agents are atoms in\n  Kiln; vars are not supported). After each change of value, fn is called\n  with the key, the reference, the old value and the new value, on the\n  thread that made the change. Adding under an existing key replaces that\n  watch. Returns reference.",
     n_add_watch, 0},
    {"remove-watch", "([reference key])",
     "Unregisters the watch stored under key on reference (see add-watch) and\n  returns reference.", n_remove_watch, 0},
    {"set-validator!", "([iref validator-fn])",
     "Installs validator-fn on the atom (or ref or agent): from then on a new\n  value for which it returns false or throws is refused with\n  IllegalStateException. The current value must pass it first. nil removes\n  the validator. Returns nil.",
     n_set_validator, 0},
    {"get-validator", "([iref])", "The validator function of the atom (or ref or agent), or nil when it has\n  none.",
     n_get_validator, 0},
    {"deref", "([ref] [ref timeout-ms timeout-val])",
     "The current value of an atom, ref, agent, volatile or var; for a delay,\n  its value (computing it the first time); for a future or promise, its\n  value, waiting for it. With timeout-ms and timeout-val, a future or\n  promise waits at most that many milliseconds and then returns timeout-val.\n  @x reads as (deref x).",
     n_deref, 0},
    {"volatile!", "([val])", "A new volatile box holding val: a cheap mutable reference with no\n  validator or watches, for state confined to one thread, such as inside a\n  transducer.",
     n_volatile, 0},
    {"vreset!", "([vol newval])",
     "Stores newval in the volatile vol and returns newval.",
     n_vreset, 0},
    {"vswap!", "([vol f & args])",
     "Stores (f current args...) in the volatile vol and returns it. The read\n  and the write are separate steps, not one atomic one.",
     n_vswap, 0},
    {"volatile?", "([x])", "True for the boxes volatile! makes, false for everything else.", n_volatile_p, 0},
    {"delay*", "([f])",
     "Takes a fn of no arguments and returns a Delay that calls it once, on\n  first deref.",
     n_delay_star, 0},
    {"delay?", "([x])", "True for the values the delay macro makes, false for everything else.", n_delay_p, 0},
    {"force", "([x])", "The value of x when it is a delay, computing it on the first call and\n  reusing it afterwards; any other x is returned unchanged.",
     n_force, 0},
    {"realized?", "([x])",
     "True when a value is already there: a delay that has run, a promise that\n  was delivered, a future that finished, a lazy seq (made by lazy-seq) whose\n  body has run. Other values throw ClassCastException.",
     n_realized_p, 0},
};

void kiln_ref_init(void) {
  kiln_natives_register("clojure.core", ref_natives, KILN_ARRAY_LEN(ref_natives));
}
