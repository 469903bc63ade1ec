/* test_compiler.c — the analyzer's AST facts the emitter relies on (slots,
 * captures, recur targets) and the interpreter's results and errors. */
#include "check.h"
#include "compiler/compiler.h"

static kiln_val read1(const char *s) { return kiln_read_string(s, strlen(s)); }

/* The body of the single method of a top-level unit. */
static kiln_node *top_body(const char *src) {
  kiln_node *top = kiln_analyze(read1(src));
  return top->u.fn.methods[0]->body;
}

static void test_captures(void) {
  kiln_node *outer = top_body("(fn* [a b] (fn* [] (+ b a)))");
  CHECK(outer->kind == KILN_N_FN);
  CHECK(outer->u.fn.ncaptures == 0);
  kiln_fn_method *m = outer->u.fn.methods[0];
  CHECK(m->nparams == 2 && m->nfixed == 2 && !m->variadic);
  CHECK(m->params[0]->slot == 0 && m->params[1]->slot == 1);
  CHECK(m->params[0]->captured && m->params[1]->captured);
  kiln_node *inner = m->body;
  CHECK(inner->kind == KILN_N_FN);
  CHECK(inner->u.fn.ncaptures == 2);
  /* Captures are listed in order of first use: b, then a. */
  CHECK(inner->u.fn.captures[0].local == m->params[1]);
  CHECK(inner->u.fn.captures[0].where == KILN_LOCAL_IN_FRAME);
  kiln_node *add = inner->u.fn.methods[0]->body;
  CHECK(add->kind == KILN_N_INVOKE && add->u.invoke.fn->kind == KILN_N_VAR);
  CHECK(add->u.invoke.args[0]->u.local.where == KILN_LOCAL_IN_CLOSED);
  CHECK(add->u.invoke.args[0]->u.local.index == 0);
  CHECK(add->u.invoke.args[1]->u.local.index == 1);

  /* Two levels out: the middle fn captures on behalf of the inner one. */
  kiln_node *o2 = top_body("(fn* [x] (fn* [] (fn* [] x)))");
  kiln_node *mid = o2->u.fn.methods[0]->body;
  kiln_node *in = mid->u.fn.methods[0]->body;
  CHECK(mid->u.fn.ncaptures == 1 && mid->u.fn.captures[0].where == KILN_LOCAL_IN_FRAME);
  CHECK(in->u.fn.ncaptures == 1 && in->u.fn.captures[0].where == KILN_LOCAL_IN_CLOSED);
}

static void test_self_and_recur(void) {
  kiln_node *f = top_body("(fn* me ([] (me 1)) ([a & r] (recur a r)))");
  CHECK(f->u.fn.self != NULL);
  CHECK(f->u.fn.nmethods == 2);
  CHECK(!f->u.fn.methods[0]->variadic && f->u.fn.methods[1]->variadic);
  kiln_node *call = f->u.fn.methods[0]->body;
  CHECK(call->u.invoke.fn->kind == KILN_N_LOCAL);
  CHECK(call->u.invoke.fn->u.local.where == KILN_LOCAL_IS_SELF);
  kiln_node *rec = f->u.fn.methods[1]->body;
  CHECK(rec->kind == KILN_N_RECUR && rec->u.recur.loop == NULL);
  CHECK(rec->u.recur.method == f->u.fn.methods[1] && rec->u.recur.n == 2);
  CHECK(f->u.fn.methods[1]->has_recur);

  kiln_node *l = top_body("(loop* [i 0] (if (< i 3) (recur (inc i)) i))");
  CHECK(l->kind == KILN_N_LOOP);
  kiln_node *r = l->u.let.body->u.if_.then;
  CHECK(r->kind == KILN_N_RECUR && r->u.recur.loop == l);
  CHECK(r->u.recur.targets[0] == l->u.let.locals[0]);
}

static void test_slots_reused(void) {
  kiln_node *top = kiln_analyze(read1("(do (let* [a 1 b 2] a) (let* [c 3] c))"));
  kiln_node *d = top->u.fn.methods[0]->body;
  CHECK(d->kind == KILN_N_DO);
  CHECK(d->u.do_.body[1]->u.let.locals[0]->slot == 0);
  CHECK(top->u.fn.methods[0]->nslots == 2);
}

static void test_constants(void) {
  CHECK(top_body("[1 :a \"s\"]")->kind == KILN_N_CONST);
  CHECK(top_body("{:a [1 2]}")->kind == KILN_N_CONST);
  CHECK(top_body("(quote (a b))")->kind == KILN_N_CONST);
  kiln_node *v = top_body("(let* [x 1] [x 2])");
  CHECK(v->u.let.body->kind == KILN_N_VECTOR);
}

static const char *eval_str(const char *src) {
  return kiln_pr_str(kiln_load_string(src, strlen(src), "test.clj"));
}

static const char *error_of(const char *src) {
  kiln_try t;
  volatile const char *msg = "no error";
  KILN_TRY(t) { kiln_load_string(src, strlen(src), "test.clj"); }
  KILN_CATCH(t) { msg = kiln_compiler_error_text(t.exception); }
  KILN_END(t);
  return (const char *)msg;
}

static void test_eval(void) {
  CHECK_STR(eval_str("(loop* [i 0 acc 0] (if (< i 100000) (recur (inc i) (+ acc i)) acc))"),
            "4999950000");
  CHECK_STR(eval_str("(letfn* [f (fn* f [n] (if (zero? n) :done (g (dec n)))) "
                     "g (fn* g [n] (f n))] (f 5))"),
            ":done");
  CHECK_STR(eval_str("(case* 2 [[1] :a [2 3] :b] :c)"), ":b");
  CHECK_STR(eval_str("(try (throw (ex-info \"x\" {:a 1})) (catch ExceptionInfo e (ex-data e)))"),
            "{:a 1}");
  CHECK_STR(eval_str("(let [{:keys [a b] :or {b 2}} {:a 1}] [a b])"), "[1 2]");
  CHECK_STR(eval_str("(do (defmacro tw [x] `(* 2 ~x)) (tw 21))"), "42");
}

static void test_errors(void) {
  CHECK_STR(error_of("(fn* [x]\n  (do (recur 1) 2))"),
            "test.clj:2:7: Can only recur from tail position");
  CHECK_STR(error_of("(loop* [a 1] (recur 1 2))"),
            "test.clj:1:14: Mismatched argument count to recur, expected: 1 args, got: 2");
  CHECK_STR(error_of("\n  undefined-thing"),
            "test.clj:2:3: Unable to resolve symbol: undefined-thing in this context");
  CHECK_STR(error_of("(defn f [] (/ 1 0))\n(f)"), "test.clj:1:12: ArithmeticException: Divide by zero");
}

int main(void) {
  kiln_rt_init();
  test_captures();
  test_self_and_recur();
  test_slots_reused();
  test_constants();
  test_eval();
  test_errors();
  return check_summary();
}
