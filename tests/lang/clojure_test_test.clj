(ns clojure-test-test
  "clojure.test itself: is and its special forms, are, testing contexts,
  fixtures, assert-expr, report and the text of FAIL reports and summaries."
  (:require [clojure.test :as t :refer [deftest is testing are use-fixtures]]
            [clojure.string :as str]))

;;;; Fixtures: :once around the namespace, :each around every test.

(def fixture-log (atom []))

(use-fixtures :once (fn [f] (swap! fixture-log conj :once-before) (f) (swap! fixture-log conj :once-after)))
(use-fixtures :each (fn [f] (swap! fixture-log conj :each) (f)))

(deftest fixtures-run
  (is (= :once-before (first @fixture-log)))
  (is (= :each (last @fixture-log))))

;;;; Extending is with assert-expr.

(defmethod t/assert-expr 'roughly= [msg form]
  (let [[_ a b] form]
    `(let [a# ~a b# ~b]
       (if (< (abs (double (- a# b#))) 0.01)
         (t/do-report {:type :pass, :message ~msg, :expected '~form, :actual a#})
         (t/do-report {:type :fail, :message ~msg, :expected '~form, :actual a#})))))

(deftest custom-assertion
  (is (roughly= 1.0 1.001)))

;;;; Assertions that pass.

(deftest passing-forms
  (is true)
  (is (= 1 1) "with a message")
  (testing "contexts nest"
    (testing "twice"
      (is (= ["twice" "contexts nest"] t/*testing-contexts*))))
  (is (thrown? ArithmeticException (/ 1 0)))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"bo+m" (throw (ex-info "boom" {}))))
  (is (instance? clojure.lang.ExceptionInfo (ex-info "x" {})))
  (is (= {:a 1} (ex-data (is (thrown? clojure.lang.ExceptionInfo (throw (ex-info "x" {:a 1})))))))
  (are [x y] (= x y)
    2 (+ 1 1)
    [1] (vector 1)))

;;;; Running tests that fail, in a namespace of their own, and reading the report.

(defn- sample-var [vname f]
  (let [ns (create-ns 'clojure-test-sample)]
    (intern ns (with-meta vname {:test f :name vname :ns ns}) (fn []))))

(defn- run-sample
  "Runs the tests of clojure-test-sample; returns [counters output]."
  []
  (let [out (with-out-str
              (binding [t/*test-out* *out*]
                (let [r (t/test-ns 'clojure-test-sample)]
                  (print (pr-str (select-keys r [:test :pass :fail :error]))))))]
    out))

(deftest failure-reports
  (remove-ns 'clojure-test-sample)
  (sample-var 'fails (fn []
                       (testing "outer"
                         (testing "inner"
                           (is (= 1 2) "a message")))))
  (let [out (run-sample)
        lines (str/split-lines out)]
    (is (= "" (first lines)))
    (is (= "Testing clojure-test-sample" (second lines)))
    (is (= "" (nth lines 2)))
    (is (re-matches #"FAIL in \(failure-reports fails\) \(clojure_test_test\.clj:\d+\)" (nth lines 3)))
    (is (= ["outer inner"
            "a message"
            "expected: (= 1 2)"
            "  actual: (not (= 1 2))"
            "{:test 1, :pass 0, :fail 1, :error 0}"]
           (drop 4 lines))))
  (remove-ns 'clojure-test-sample)
  (sample-var 'plain (fn [] (is false) (is (nil? 1))))
  (let [lines (str/split-lines (run-sample))]
    (is (= ["expected: false"
            "  actual: false"]
           (take 2 (drop 4 lines))))
    (is (= ["expected: (nil? 1)"
            "  actual: (not (nil? 1))"]
           (take 2 (drop 8 lines))))
    (is (= "{:test 1, :pass 0, :fail 2, :error 0}" (last lines))))
  (remove-ns 'clojure-test-sample)
  (sample-var 'errs (fn [] (is (= 1 (throw (ex-info "boom" {:a 1}))))))
  (let [lines (str/split-lines (run-sample))]
    (is (re-matches #"ERROR in \(failure-reports errs\) \(clojure_test_test\.clj:\d+\)" (nth lines 3)))
    (is (= "expected: (= 1 (throw (ex-info \"boom\" {:a 1})))" (nth lines 4)))
    (is (= "  actual: clojure.lang.ExceptionInfo: boom" (nth lines 5)))
    (is (= "{:a 1}" (nth lines 6)))
    (is (= "{:test 1, :pass 0, :fail 0, :error 1}" (last lines))))
  (remove-ns 'clojure-test-sample)
  (sample-var 'no-throw (fn [] (is (thrown? ArithmeticException (+ 1 1)))))
  (let [lines (str/split-lines (run-sample))]
    (is (= ["expected: (thrown? ArithmeticException (+ 1 1))"
            "  actual: nil"]
           (take 2 (drop 4 lines)))))
  (remove-ns 'clojure-test-sample))

(deftest summary-lines
  (is (= "\nRan 3 tests containing 7 assertions.\n1 failures, 2 errors.\n"
         (with-out-str
           (binding [t/*test-out* *out*]
             (t/report {:type :summary :test 3 :pass 4 :fail 1 :error 2}))))))

(deftest successful
  (is (t/successful? {:test 1 :pass 1 :fail 0 :error 0}))
  (is (not (t/successful? {:test 1 :pass 0 :fail 1 :error 0}))))
