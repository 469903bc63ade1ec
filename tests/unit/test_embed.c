/* The embedding API of kiln/kiln.h: runtime, natives, calls, errors, eval, values. */
#include <string.h>

#include "check.h"
#include "kiln/kiln.h"

static kiln_val twice(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  return kiln_box_long(kiln_unbox_long(argv[0]) * 2);
}

/* A native that uses the API itself: a failing call inside reports an error
 * instead of throwing through the native. */
static kiln_val nested(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  kiln_runtime *rt = kiln_runtime_new();
  kiln_val r;
  kiln_error err;
  if (kiln_call_var(rt, "nope", "nope", 0, NULL, &r, &err) == 0) return kiln_box_long(-1);
  return kiln_new_keyword(NULL, "x");
}

int main(void) {
  kiln_runtime *rt = kiln_runtime_new();
  CHECK(rt != NULL && rt == kiln_runtime_new());
  CHECK(strlen(kiln_version()) > 0);
  kiln_thread_attach();

  /* Values. */
  CHECK(kiln_unbox_long(kiln_box_long(INT64_MAX)) == INT64_MAX);
  CHECK(kiln_unbox_long(kiln_box_long(-5)) == -5);
  CHECK(kiln_unbox_double(kiln_box_double(2.5)) == 2.5);
  CHECK_STR(kiln_string_value(kiln_new_string("héllo")), "héllo");
  CHECK(kiln_string_value(kiln_box_long(1)) == NULL);
  CHECK(kiln_new_keyword(NULL, "a") == kiln_new_keyword(NULL, "a"));
  CHECK_STR(kiln_to_string(kiln_new_keyword("n", "a")), ":n/a");
  CHECK_STR(kiln_to_string(kiln_new_string("s")), "\"s\"");

  /* Natives and calls. */
  CHECK(kiln_def_native(rt, "host.app", "twice", twice, "([x])", "Doubles x.") == 0);
  kiln_var *v = kiln_find_var(rt, "host.app", "twice");
  CHECK(v != NULL);
  kiln_val arg = kiln_box_long(21), result = KILN_NIL;
  kiln_error err;
  CHECK(kiln_call_var(rt, "host.app", "twice", 1, &arg, &result, &err) == 0);
  CHECK(kiln_unbox_long(result) == 42);
  CHECK(kiln_invoke(rt, kiln_deref(v), 1, &arg, &result, &err) == 0);
  CHECK(kiln_unbox_long(result) == 42);

  /* Failures become messages. */
  CHECK(kiln_call_var(rt, "host.app", "missing", 0, NULL, &result, &err) < 0);
  CHECK(strstr(err.message, "host.app/missing") != NULL);
  CHECK(kiln_invoke(rt, kiln_box_long(3), 0, NULL, &result, &err) < 0);
  CHECK_STR(err.message,
            "java.lang.ClassCastException: class java.lang.Long cannot be cast to class "
            "clojure.lang.IFn");
  CHECK(err.exception != KILN_NIL);
  kiln_val k = kiln_new_keyword(NULL, "x");
  CHECK(kiln_invoke(rt, k, 0, NULL, &result, &err) < 0);
  CHECK_STR(err.message, "clojure.lang.ArityException: Wrong number of args (0) passed to: :x");
  CHECK(kiln_def_native(rt, "host.app", "nested", nested, NULL, NULL) == 0);
  CHECK(kiln_call_var(rt, "host.app", "nested", 0, NULL, &result, &err) == 0);
  CHECK(result == k);
  /* ex-info through the API: message and data. */
  kiln_val ex_args[2] = {kiln_new_string("bad"), KILN_NIL};
  kiln_var *ex_info = kiln_find_var(rt, "clojure.core", "ex-info");
  CHECK(ex_info != NULL);
  CHECK(kiln_invoke(rt, (kiln_val)ex_info, 2, ex_args, &result, &err) < 0);
  CHECK_STR(err.message, "java.lang.IllegalArgumentException: Additional data must be non-nil.");

  /* Redefining a native replaces the root. */
  CHECK(kiln_def_native(rt, "host.app", "twice", nested, NULL, NULL) == 0);
  CHECK(kiln_find_var(rt, "host.app", "twice") == v);
  CHECK(kiln_call_var(rt, "host.app", "twice", 0, NULL, &result, &err) == 0 && result == k);

  /* Eval, with the compiler. */
  CHECK(kiln_eval(rt, "(+ 1 2)", NULL, &result, &err) == 0);
  CHECK(kiln_unbox_long(result) == 3);
  CHECK(kiln_eval(rt, "(def answer 41) (inc answer)", "host.eval", &result, &err) == 0);
  CHECK(kiln_unbox_long(result) == 42);
  CHECK(kiln_find_var(rt, "host.eval", "answer") != NULL);
  CHECK(kiln_eval(rt, "(throw (ex-info \"boom\" {:a 1}))", NULL, &result, &err) < 0);
  CHECK(strstr(err.message, "clojure.lang.ExceptionInfo: boom {:a 1}") != NULL);
  CHECK(kiln_eval(rt, "(/ 1 0)", NULL, &result, &err) < 0);
  CHECK(strstr(err.message, "java.lang.ArithmeticException: Divide by zero") != NULL);
  CHECK(kiln_eval(rt, "(host.app/twice)", NULL, &result, &err) == 0 && result == k);

  CHECK(kiln_def_native(rt, "host.app", "thrice", twice, "([x] [x y])", "Doc.") == 0);
  CHECK(kiln_eval(rt, "(:arglists (meta #'host.app/thrice))", NULL, &result, &err) == 0);
  CHECK_STR(kiln_to_string(result), "([x] [x y])");
  CHECK(kiln_def_native(rt, "host.app", "odd-arglists", twice, "([x", NULL) == 0);
  CHECK(kiln_call_var(rt, "host.app", "odd-arglists", 1, &arg, &result, &err) == 0);

  kiln_runtime_close(rt);
  return check_summary();
}
