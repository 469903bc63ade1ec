(ns special-forms-test
  (:require [clojure.test :refer [deftest is testing are]]))

(def x 10)
(def ^:dynamic *d* 1)
(defn uses-d [] *d*)

(deftest def-and-var
  (is (= 10 x))
  (is (= #'special-forms-test/x (var x)))
  (is (= 'x (:name (meta #'x))))
  (is (= "doc here" (:doc (meta (def documented "doc here" 1)))))
  (is (= 1 documented))
  (is (integer? (:line (meta #'x))))
  (testing "def returns the var, redef replaces the root"
    (is (var? (def y 1)))
    (def y 2)
    (is (= 2 y)))
  (testing "def without init keeps the var unbound"
    (def unbound-one)
    (is (not (bound? #'unbound-one)))))

;; Functions that call themselves, redefining their own var part way down:
;; each call after the change must run the new fn, whatever its depth.
(defn self-redef-odd [n]
  (if (= n 3)
    (do (alter-var-root #'self-redef-odd (constantly (fn [m] [:new m])))
        (self-redef-odd (inc n)))
    (self-redef-odd (inc n))))
(defn self-redef-even [n]
  (if (= n 4)
    (do (alter-var-root #'self-redef-even (constantly (fn [m] [:new m])))
        (self-redef-even (inc n)))
    (self-redef-even (inc n))))
(defn self-sum [n] (if (zero? n) 0 (+ n (self-sum (dec n)))))
(defn self-add [n x] (if (zero? n) x (+ x (self-add (dec n) x))))
(defn self-tree [n] (if (< n 2) [n] (into (self-tree (- n 1)) (self-tree (- n 2)))))

(deftest self-calls
  (testing "recursion reads the var at every call"
    (is (= [:new 4] (self-redef-odd 0)))
    (is (= [:new 5] (self-redef-even 0))))
  (testing "results at odd and even depths"
    (is (= [0 1 3 6 10 15] (map self-sum (range 6))))
    (is (= 500500 (self-sum 1000)))
    (is (= [1 0 1 1 0] (self-tree 4)))
    (is (= 89 (count (self-tree 10)))))
  (testing "with-redefs reaches the recursive calls"
    (is (= 103 (with-redefs [self-sum (fn [n] (if (zero? n) 100 (+ 1 (self-sum (dec n)))))]
                 (self-sum 3)))))
  (testing "overflow still throws, from either level"
    (is (= 6917529027641081856 (self-add 2 2305843009213693952)))
    (is (thrown? ArithmeticException (self-add 3 2305843009213693952)))
    (is (thrown? ArithmeticException (self-add 4 2305843009213693952)))))

(deftest if-do-let
  (is (= 1 (if true 1 2)))
  (is (= 2 (if false 1 2)))
  (is (nil? (if nil 1)))
  (is (= 1 (if 0 1 2)) "0 is truthy")
  (is (= 1 (if "" 1 2)))
  (is (= 3 (do 1 2 3)))
  (is (nil? (do)))
  (is (= 3 (let* [a 1 b (+ a 1)] (+ a b))))
  (is (= 2 (let* [a 1 a (inc a)] a)) "rebinding shadows")
  (is (= [1 2] (let* [a 1] [a (let* [a 2] a)]))))

(deftest loop-recur
  (is (= 55 (loop* [i 0 acc 0] (if (> i 10) acc (recur (inc i) (+ acc i))))))
  (is (= 100000 (loop [i 0] (if (< i 100000) (recur (inc i)) i))) "no stack growth")
  (is (= 120 ((fn [n acc] (if (zero? n) acc (recur (dec n) (* acc n)))) 5 1)))
  (testing "recur in a variadic fn passes the rest as a seq"
    (is (= 6 ((fn [acc & xs] (if xs (recur (+ acc (first xs)) (next xs)) acc)) 0 1 2 3)))))

(deftest fns-and-closures
  (let [adder (fn [n] (fn [m] (+ n m)))]
    (is (= 5 ((adder 2) 3))))
  (testing "multi-arity and variadic"
    (let [f (fn ([] :zero) ([a] [:one a]) ([a b & more] [:many a b more]))]
      (is (= :zero (f)))
      (is (= [:one 1] (f 1)))
      (is (= [:many 1 2 nil] (f 1 2)))
      (is (= [:many 1 2 '(3 4)] (f 1 2 3 4)))))
  (testing "self-name"
    (is (= 120 ((fn fact [n] (if (< n 2) 1 (* n (fact (dec n))))) 5))))
  (testing "nested captures through several levels"
    (let [a 1]
      (let [f (fn [] (let [b 2] (fn [] (fn [] (+ a b)))))]
        (is (= 3 (((f))))))))
  (testing "closures capture the value at creation"
    (let [fs (loop [i 0 acc []] (if (< i 3) (recur (inc i) (conj acc (fn [] i))) acc))]
      (is (= [0 1 2] (mapv #(%) fs)))))
  (testing "arity errors"
    (is (thrown? clojure.lang.ArityException ((fn [a] a))))
    (is (thrown? clojure.lang.ArityException ((fn [a b & c] a) 1)))))

(deftest quote-and-literals
  (is (= '(1 2) (quote (1 2))))
  (is (symbol? 'a))
  (is (= [1 2 3] (let [a 2] [1 a 3])))
  (is (= {:a 2} (let [a 2] {:a a})))
  (is (= #{1 2} (let [a 2] #{1 a})))
  (is (= {:k 1} (meta (let [a 1] ^{:k a} [a]))))
  (is (= {:k 1} (meta ^{:k 1} [1]))))

(deftest throw-try-catch-finally
  (is (= :caught (try (throw (ex-info "x" {})) (catch clojure.lang.ExceptionInfo e :caught))))
  (is (= {:a 1} (try (throw (ex-info "x" {:a 1})) (catch Exception e (ex-data e)))))
  (is (= "boom" (try (throw (ex-info "boom" {})) (catch Throwable e (ex-message e)))))
  (is (= 2 (try 1 2 (catch Exception e 3))))
  (testing "the first matching catch wins"
    (is (= :arith (try (/ 1 0)
                       (catch clojure.lang.ExceptionInfo e :info)
                       (catch ArithmeticException e :arith)
                       (catch Exception e :exception)))))
  (testing "finally runs on every path"
    (let [log (atom [])]
      (is (= 1 (try 1 (finally (swap! log conj :a)))))
      (is (= 2 (try (throw (ex-info "x" {})) (catch Exception e 2) (finally (swap! log conj :b)))))
      (is (thrown? Exception (try (throw (ex-info "x" {})) (finally (swap! log conj :c)))))
      (is (thrown? Exception (try (throw (ex-info "x" {})) (catch Exception e (throw e)) (finally (swap! log conj :d)))))
      (is (= [:a :b :c :d] @log))))
  (testing "an uncaught class passes through"
    (is (thrown? ArithmeticException (try (/ 1 0) (catch clojure.lang.ExceptionInfo e :no)))))
  (testing "bindings are restored when a throw leaves a binding form"
    (is (= 1 (do (try (binding [*d* 2] (throw (ex-info "x" {}))) (catch Exception e nil)) *d*)))))

(deftest letfn-mutual-recursion
  (is (= [true false]
         (letfn [(ev? [n] (if (zero? n) true (od? (dec n))))
                 (od? [n] (if (zero? n) false (ev? (dec n))))]
           [(ev? 10) (ev? 7)]))))

(deftest case-dispatch
  (let [f (fn [x] (case x
                    1 :one
                    (2 3) :two-or-three
                    "s" :string
                    :k :keyword
                    sym :symbol
                    [1 2] :vector
                    nil :nil
                    :default))]
    (is (= :one (f 1)))
    (is (= :two-or-three (f 3)))
    (is (= :string (f "s")))
    (is (= :keyword (f :k)))
    (is (= :symbol (f 'sym)))
    (is (= :vector (f [1 2])))
    (is (= :nil (f nil)))
    (is (= :default (f 99))))
  (is (thrown-with-msg? IllegalArgumentException #"No matching clause: 5" (case 5 1 :a))))

(deftest dynamic-vars-and-set!
  (is (= 1 (uses-d)))
  (is (= 2 (binding [*d* 2] (uses-d))))
  (is (= 3 (binding [*d* 2] (set! *d* 3) (uses-d))))
  (is (= 1 (uses-d))))

(defn root-message
  "The message of the innermost cause of what evaluating [form] throws."
  [form]
  (try (eval form) nil
       (catch Exception e
         (loop [e e] (if (ex-cause e) (recur (ex-cause e)) (ex-message e))))))

(deftest compile-errors
  (are [msg form] (= msg (root-message form))
    "Can only recur from tail position" '(fn [x] (do (recur 1) 2))
    "Mismatched argument count to recur, expected: 1 args, got: 2" '(fn [x] (recur 1 2))
    "Cannot recur across try" '(loop [a 1] (try (recur 2)))
    "Unable to resolve symbol: nope-not-here in this context" 'nope-not-here
    "Too few arguments to if" '(if)
    "Too many arguments to if" '(if 1 2 3 4)
    "Can't have 2 overloads with same arity" '(fn ([a] 1) ([b] 2))
    "Can't let qualified name: a/b" '(let* [a/b 1] 1)
    "Cannot assign to non-mutable: q" '(let [q 1] (set! q 2))
    "Can't take value of a macro: #'clojure.core/when" 'when
    "Unable to resolve var: nope in this context" '(var nope)))
