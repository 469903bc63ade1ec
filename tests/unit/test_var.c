/* Vars, dynamic bindings, namespaces and the root-change observer. */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "runtime/rt.h"

/* ---- helpers ---- */

typedef struct thunk {
  kiln_val (*fn)(struct thunk *t);
  kiln_val a, b, c;
  kiln_var *v;
} thunk;

static kiln_val run_thunk(void *p) { return ((thunk *)p)->fn(p); }

/* Runs [t]; returns the exception it threw, or nil. */
static kiln_val thrown(thunk *t) {
  kiln_val r, ex = KILN_NIL;
  if (kiln_pcall(run_thunk, t, &r, &ex)) return KILN_NIL;
  return ex;
}

static const char *ex_text(kiln_val ex) {
  if (ex == KILN_NIL) return "(nothing thrown)";
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_printf(&sb, "%s: %s", kiln_class_name(ex), kiln_ex_message(ex));
  return kiln_sb_cstr(&sb);
}

static kiln_val core(const char *name) {
  kiln_var *v = kiln_var_find("clojure.core", name);
  if (!v) {
    fprintf(stderr, "missing clojure.core/%s\n", name);
    return KILN_NIL;
  }
  return kiln_var_get(v);
}

static kiln_val sym(const char *s) { return kiln_sym_parse(s); }

static kiln_val make_dynamic(const char *ns, const char *name, kiln_val root) {
  kiln_var *v = kiln_var_intern(ns, name);
  kiln_var_def(v, root, true, kiln_assoc(kiln_empty_map, kiln_kw(NULL, "dynamic"), KILN_TRUE));
  return (kiln_val)v;
}

/* ---- roots ---- */

static kiln_val call_var0(thunk *t) { return kiln_call((kiln_val)t->v, 0, NULL); }

static void test_roots(void) {
  kiln_var *v = kiln_var_intern("test.var", "x");
  CHECK(v == kiln_var_intern("test.var", "x"));
  CHECK(v == kiln_var_find("test.var", "x"));
  CHECK(!kiln_var_is_bound(v));
  CHECK(KILN_HAS_TYPE(kiln_var_get(v), KILN_T_FN));
  CHECK(((kiln_fn *)kiln_var_get(v))->h.flags & KILN_FN_UNBOUND);
  thunk t = {.fn = call_var0, .v = v};
  CHECK_STR(ex_text(thrown(&t)),
            "java.lang.IllegalStateException: Attempting to call unbound fn: #'test.var/x");
  kiln_var_set_root(v, KILN_FIXNUM(42));
  CHECK(kiln_var_is_bound(v));
  CHECK(kiln_var_get(v) == KILN_FIXNUM(42));
  CHECK(KILN_VAR_ROOT(v) == KILN_FIXNUM(42));
  CHECK_STR(kiln_var_name(v), "test.var/x");
  /* def with metadata sets flags and :ns/:name. */
  kiln_val meta = kiln_assoc(kiln_empty_map, kiln_kw(NULL, "private"), KILN_TRUE);
  kiln_var_def(v, KILN_FIXNUM(7), true, meta);
  CHECK(v->h.flags & KILN_VAR_PRIVATE);
  CHECK(kiln_get(v->meta, kiln_kw(NULL, "name"), KILN_NIL) == kiln_sym(NULL, "x") ||
        kiln_equiv(kiln_get(v->meta, kiln_kw(NULL, "name"), KILN_NIL), kiln_sym(NULL, "x")));
  CHECK(kiln_var_get(v) == KILN_FIXNUM(7));
  /* def without a value keeps the root. */
  kiln_var_def(v, KILN_NIL, false, KILN_NIL);
  CHECK(kiln_var_get(v) == KILN_FIXNUM(7));
  CHECK(!(v->h.flags & KILN_VAR_PRIVATE));
}

/* ---- observer ---- */

static int observed;
static kiln_val observed_old;

static void observer_fn(kiln_var *v, kiln_val old_root, uint32_t old_flags, kiln_val old_meta,
                        void *ctx) {
  observed++;
  observed_old = old_root;
  *(int *)ctx += 1;
}

static void test_observer(void) {
  int ctx = 0;
  kiln_var *v = kiln_var_intern("test.var", "observed");
  kiln_var_set_root(v, KILN_FIXNUM(1));
  kiln_var_set_observer(observer_fn, &ctx);
  kiln_var_set_root(v, KILN_FIXNUM(2));
  CHECK(observed == 1 && observed_old == KILN_FIXNUM(1));
  kiln_var_def(v, KILN_FIXNUM(3), true, KILN_NIL);
  CHECK(observed == 2 && observed_old == KILN_FIXNUM(2));
  kiln_val inc = core("inc");
  kiln_val args[2] = {(kiln_val)v, inc};
  if (inc != KILN_NIL) {
    CHECK(kiln_call(core("alter-var-root"), 2, args) == KILN_FIXNUM(4));
    CHECK(observed == 3 && observed_old == KILN_FIXNUM(3));
  }
  kiln_var_set_observer(NULL, NULL);
  kiln_var_set_root(v, KILN_FIXNUM(5));
  CHECK(ctx == observed);
  kiln_var_restore(v, KILN_FIXNUM(1), KILN_VAR_BOUND, KILN_NIL);
  CHECK(kiln_var_get(v) == KILN_FIXNUM(1));
}

/* ---- dynamic bindings ---- */

static kiln_val push_two_and_throw(thunk *t) {
  kiln_var *v = (kiln_var *)t->a;
  kiln_var_push_bindings_n(1, &v, &t->b);
  kiln_var_push_bindings_n(1, &v, &t->c);
  if (kiln_var_get(v) != t->c) return KILN_NIL;
  kiln_throwf(KILN_EX_RUNTIME, "out");
}

static kiln_val set_unbound(thunk *t) { return kiln_var_set((kiln_var *)t->a, KILN_FIXNUM(1)); }

static kiln_val bind_static(thunk *t) {
  kiln_var *v = (kiln_var *)t->a;
  kiln_var_push_bindings_n(1, &v, &t->b);
  return KILN_NIL;
}

static void *other_thread_reads(void *p) {
  kiln_var *v = p;
  return (void *)kiln_var_get(v);
}

static kiln_val read_d_code(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return kiln_var_get((kiln_var *)self->closed[0]);
}

static void *call_in_thread(void *p) {
  kiln_thread_current();
  return (void *)kiln_call0((kiln_val)p);
}

/* bound-fn* conveys the bindings in effect to another thread. */
static void test_bound_fn(kiln_val dv) {
  kiln_var *v = (kiln_var *)dv;
  kiln_fn *reader = kiln_fn_new(read_d_code, "test/read-d", 1);
  reader->closed[0] = dv;
  kiln_val seven = KILN_FIXNUM(7);
  kiln_var_push_bindings_n(1, &v, &seven);
  kiln_val bound = kiln_call1(core("bound-fn*"), (kiln_val)reader);
  kiln_var_pop_bindings();
  pthread_t th;
  void *plain = NULL, *conveyed = NULL;
  pthread_create(&th, NULL, call_in_thread, reader);
  pthread_join(th, &plain);
  pthread_create(&th, NULL, call_in_thread, (void *)bound);
  pthread_join(th, &conveyed);
  CHECK((kiln_val)plain == KILN_FIXNUM(0));
  CHECK((kiln_val)conveyed == seven);
  CHECK(kiln_var_get(v) == KILN_FIXNUM(0));
}

static void test_bindings(void) {
  kiln_val dv = make_dynamic("test.var", "*d*", KILN_FIXNUM(0));
  kiln_var *v = (kiln_var *)dv;
  CHECK(v->h.flags & KILN_VAR_DYNAMIC);
  kiln_val one = KILN_FIXNUM(1), two = KILN_FIXNUM(2);
  kiln_var_push_bindings_n(1, &v, &one);
  CHECK(kiln_var_get(v) == one);
  CHECK(KILN_VAR_ROOT(v) == KILN_FIXNUM(0));
  kiln_var_push_bindings(kiln_map_from(2, (kiln_val[]){dv, two}));
  CHECK(kiln_var_get(v) == two);
  CHECK(kiln_var_set(v, KILN_FIXNUM(3)) == KILN_FIXNUM(3));
  CHECK(kiln_var_get(v) == KILN_FIXNUM(3));
  kiln_val m = kiln_var_get_bindings();
  CHECK(kiln_get(m, dv, KILN_NIL) == KILN_FIXNUM(3));
  /* Another thread sees the root. */
  pthread_t th;
  void *seen = NULL;
  pthread_create(&th, NULL, other_thread_reads, v);
  pthread_join(th, &seen);
  CHECK((kiln_val)seen == KILN_FIXNUM(0));
  kiln_var_pop_bindings();
  CHECK(kiln_var_get(v) == one);
  kiln_var_pop_bindings();
  CHECK(kiln_var_get(v) == KILN_FIXNUM(0));

  /* A throw unwinds nested frames back to the handler's. */
  kiln_var_push_bindings_n(1, &v, &one);
  thunk t = {.fn = push_two_and_throw, .a = dv, .b = KILN_FIXNUM(10), .c = KILN_FIXNUM(20)};
  CHECK_STR(ex_text(thrown(&t)), "java.lang.RuntimeException: out");
  CHECK(kiln_var_get(v) == one);
  kiln_var_pop_bindings();
  CHECK(kiln_var_get(v) == KILN_FIXNUM(0));

  /* set! without a binding, binding a non-dynamic var, popping too much. */
  thunk s = {.fn = set_unbound, .a = dv};
  CHECK_STR(ex_text(thrown(&s)),
            "java.lang.IllegalStateException: Can't change/establish root binding of: *d* with "
            "set");
  kiln_var *plain = kiln_var_intern("test.var", "plain");
  kiln_var_set_root(plain, KILN_FIXNUM(1));
  thunk b = {.fn = bind_static, .a = (kiln_val)plain, .b = KILN_FIXNUM(2)};
  CHECK_STR(ex_text(thrown(&b)),
            "java.lang.IllegalStateException: Can't dynamically bind non-dynamic var: "
            "test.var/plain");
  test_bound_fn(dv);
}

/* ---- namespaces ---- */

static kiln_val refer_missing(thunk *t) {
  kiln_val args[3] = {t->a, kiln_kw(NULL, "only"), kiln_vec_from(1, &t->b)};
  return kiln_call(core("refer"), 3, args);
}

static kiln_val the_ns_missing(thunk *t) { return kiln_call1(core("the-ns"), t->a); }

static void test_namespaces(void) {
  kiln_val a = kiln_ns_find_or_create(sym("test.ns.a"));
  CHECK(a == kiln_ns_find(sym("test.ns.a")));
  CHECK(kiln_ns_find(sym("test.ns.none")) == KILN_NIL);
  kiln_var *f = kiln_ns_intern(a, sym("f"));
  kiln_var_set_root(f, KILN_FIXNUM(1));
  kiln_var *g = kiln_ns_intern(a, sym("g"));
  kiln_var_def(g, KILN_FIXNUM(2), true,
               kiln_assoc(kiln_empty_map, kiln_kw(NULL, "private"), KILN_TRUE));
  kiln_val b = kiln_ns_find_or_create(sym("test.ns.b"));
  kiln_ns_alias(b, sym("a"), a);
  CHECK(kiln_ns_resolve(b, sym("a/f")) == (kiln_val)f);
  CHECK(kiln_ns_resolve(b, sym("test.ns.a/f")) == (kiln_val)f);
  CHECK(kiln_ns_resolve(b, sym("f")) == KILN_NIL);
  CHECK(kiln_ns_resolve(b, sym("nope/f")) == KILN_NIL);
  kiln_ns_refer_all(b, a);
  CHECK(kiln_ns_resolve(b, sym("f")) == (kiln_val)f);
  CHECK(kiln_ns_resolve(b, sym("g")) == KILN_NIL); /* private: not referred */
  /* Qualified resolution finds only vars interned there. */
  CHECK(kiln_ns_resolve(b, sym("test.ns.b/f")) == KILN_NIL);
  CHECK(kiln_count_int(kiln_call1(core("ns-publics"), a)) == 1);
  CHECK(kiln_count_int(kiln_call1(core("ns-interns"), a)) == 2);
  CHECK(kiln_count_int(kiln_call1(core("ns-refers"), b)) == 1);
  CHECK(kiln_count_int(kiln_call1(core("ns-aliases"), b)) == 1);
  /* Interning over a referred var replaces it (with a warning). */
  kiln_var *own = kiln_ns_intern(b, sym("f"));
  CHECK(own != f && kiln_ns_resolve(b, sym("f")) == (kiln_val)own);
  kiln_ns_unmap(b, sym("f"));
  CHECK(kiln_ns_resolve(b, sym("f")) == KILN_NIL);
  CHECK(kiln_equiv(kiln_call1(core("ns-name"), b), sym("test.ns.b")));
  CHECK(kiln_call1(core("find-var"), sym("test.ns.a/f")) == (kiln_val)f);
  thunk t = {.fn = refer_missing, .a = sym("test.ns.a"), .b = sym("g")};
  CHECK_STR(ex_text(thrown(&t)), "java.lang.IllegalAccessError: g is not public");
  thunk u = {.fn = the_ns_missing, .a = sym("test.ns.none")};
  CHECK_STR(ex_text(thrown(&u)), "java.lang.Exception: No namespace: test.ns.none found");
  /* all-ns contains both; remove-ns removes. */
  bool seen_a = false;
  for (kiln_val s = kiln_call0(core("all-ns")); s != KILN_NIL; s = kiln_next(s))
    if (kiln_first(s) == a) seen_a = true;
  CHECK(seen_a);
  CHECK(kiln_call1(core("remove-ns"), sym("test.ns.b")) == b);
  CHECK(kiln_ns_find(sym("test.ns.b")) == KILN_NIL);
  /* user refers clojure.core. */
  CHECK(kiln_ns_resolve(kiln_ns_user, sym("var-get")) == (kiln_val)kiln_var_find("clojure.core", "var-get"));
  /* The common vars exist and are dynamic. */
  CHECK(kiln_v_ns && (kiln_v_ns->h.flags & KILN_VAR_DYNAMIC));
  CHECK(kiln_var_get(kiln_v_ns) == kiln_ns_user);
  CHECK(kiln_var_get(kiln_v_print_readably) == KILN_TRUE);
  CHECK(!kiln_var_is_bound(kiln_v_star1));
  /* Natives registered before kiln_var_init (the collections') are plain vars. */
  kiln_var *count = kiln_var_find("clojure.core", "count");
  CHECK(count && !(count->h.flags & (KILN_VAR_DYNAMIC | KILN_VAR_MACRO | KILN_VAR_PRIVATE)));
  CHECK(count && kiln_get(count->meta, KILN_NIL, KILN_FALSE) == KILN_FALSE);
}

/* ---- concurrency ---- */

#define NAMES 2000
static kiln_var *interned[2][NAMES];

static void *intern_many(void *p) {
  int which = (int)(intptr_t)p;
  kiln_thread_current();
  char name[32];
  for (int i = 0; i < NAMES; i++) {
    snprintf(name, sizeof name, "v%d", i);
    interned[which][i] = kiln_var_intern("test.var.race", name);
  }
  return NULL;
}

static kiln_val code_one(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return KILN_FIXNUM(1);
}
static kiln_val code_two(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return KILN_FIXNUM(2);
}

static volatile int swapping;

static void *swap_roots(void *p) {
  kiln_var *v = p;
  kiln_thread_current();
  kiln_val one = (kiln_val)kiln_fn_new(code_one, "test/one", 0);
  kiln_val two = (kiln_val)kiln_fn_new(code_two, "test/two", 0);
  for (int i = 0; swapping; i++) kiln_var_set_root(v, i & 1 ? one : two);
  return NULL;
}

static void test_concurrency(void) {
  /* Two threads interning the same names get the same vars. */
  pthread_t a, b;
  pthread_create(&a, NULL, intern_many, (void *)0);
  pthread_create(&b, NULL, intern_many, (void *)1);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  int same = 0;
  for (int i = 0; i < NAMES; i++) same += interned[0][i] == interned[1][i];
  CHECK(same == NAMES);
  kiln_val ns = kiln_ns_find(sym("test.var.race"));
  CHECK(kiln_count_int(kiln_call1(core("ns-interns"), ns)) == NAMES);

  /* Calls through a var whose root another thread keeps swapping always
   * reach one of the two whole fns. */
  kiln_var *v = kiln_var_intern("test.var", "hot");
  kiln_var_set_root(v, (kiln_val)kiln_fn_new(code_one, "test/one", 0));
  swapping = 1;
  pthread_t s;
  pthread_create(&s, NULL, swap_roots, v);
  int ok = 0, n = 200000;
  for (int i = 0; i < n; i++) {
    kiln_val r = kiln_call((kiln_val)v, 0, NULL);
    ok += r == KILN_FIXNUM(1) || r == KILN_FIXNUM(2);
  }
  swapping = 0;
  pthread_join(s, NULL);
  CHECK(ok == n);
}

int main(void) {
  kiln_rt_init();
  test_roots();
  test_observer();
  test_bindings();
  test_namespaces();
  test_concurrency();
  return check_summary();
}
