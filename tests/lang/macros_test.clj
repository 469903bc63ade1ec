(ns macros-test
  (:require [clojure.test :refer [deftest is testing]]))

(defmacro unless [test & body] `(if ~test nil (do ~@body)))
(defmacro with-form-info [] (list 'quote [(first &form) (count &form)]))
(defmacro local-names [] (vec (sort (map name (keys &env)))))
(defmacro twice [x] `(let [v# ~x] (+ v# v#)))
(defmacro multi ([a] [:one a]) ([a b] [:two a b]))
(defmacro docd "A documented macro." [] 1)

(deftest defining-and-using
  (is (= 1 (unless false 1)))
  (is (nil? (unless true 1)))
  (is (= '[with-form-info 1] (with-form-info)))
  (is (= ["a" "b"] (let [a 1 b 2] (local-names))))
  (is (= [] (local-names)))
  (is (= 10 (twice 5)))
  (is (= [:one 1] (multi 1)))
  (is (= [:two 1 2] (multi 1 2)))
  (is (:macro (meta #'unless)))
  (is (= "A documented macro." (:doc (meta #'docd)))))

(deftest expansion
  (is (= '(if a (do b)) (macroexpand-1 '(when a b))))
  (is (= '(if a nil (do b)) (macroexpand '(macros-test/unless a b))))
  (is (= 'x (macroexpand 'x)))
  (is (= '(foo 1) (macroexpand '(foo 1)))))

(deftest locals-shadow-macros
  (is (= 3 (let [when (fn [a b] (+ a b))] (when 1 2)))))

(deftest core-macros
  (is (= 6 (-> 1 (+ 2) (* 2))))
  (is (= [3 2 1] (->> [1 2 3] reverse vec)))
  (is (= 2 (cond false 1 :else 2)))
  (is (nil? (cond false 1)))
  (is (= 1 (and 1 1)))
  (is (false? (and 1 false 2)))
  (is (true? (and)))
  (is (= 2 (or nil 2)))
  (is (nil? (or)))
  (is (= 3 (if-let [x 3] x 4)))
  (is (= 4 (if-let [x nil] x 4)))
  (is (= 3 (when-let [x 3] x)))
  (is (= false (if-some [x false] x 4)))
  (is (= 10 (condp = 2 1 5 2 10 20)))
  (is (= 2 (cond-> 1 true inc false (* 10))))
  (is (= 12 (as-> 3 x (+ x 1) (* x 3))))
  (is (nil? (some-> {:a nil} :a inc)))
  (is (= [1] (let [v (transient [])] (persistent! (doto v (conj! 1))))))
  (is (= 5 (let [a (atom 0)] (dotimes [i 5] (swap! a inc)) @a)))
  (is (= 3 (let [a (atom 0)] (while (< @a 3) (swap! a inc)) @a)))
  (is (thrown? AssertionError (assert false)))
  (is (= 1 (do (defonce once-only 1) (defonce once-only 2) once-only))))

;; A macro may call, while it expands, a multimethod and a hierarchy set up
;; by earlier forms of the same file: those forms have run by then, in every
;; back end (the compiled mode builds the whole file as one patch).
(defmulti expansion-of (fn [x] (cond (symbol? x) :symbol (isa? x ::wrapped) :wrapped :else :other)))
(defmethod expansion-of :symbol [x] (list 'quote x))
(defmethod expansion-of :wrapped [x] [x])
(defmethod expansion-of :other [x] x)
(derive ::special ::wrapped)
(defmacro quoted-if-symbol [x] (expansion-of x))

(deftest macro-calls-what-the-file-registered
  (is (= 'abc (quoted-if-symbol abc)))
  (is (= 3 (quoted-if-symbol 3)))
  (is (= [::special] (quoted-if-symbol ::special))))

(defprotocol Expansion (expand-value [x]))
(extend-protocol Expansion
  Long (expand-value [n] (list 'inc n))
  String (expand-value [s] (keyword s)))
(defrecord Twice [x] Expansion (expand-value [_] (list '* 2 x)))
(defmacro expanded [x] (expand-value (if (map? x) (map->Twice x) x)))

(deftest macro-calls-a-protocol-the-file-extended
  (is (= 4 (expanded 3)))
  (is (= :k (expanded "k")))
  (is (= 10 (expanded {:x 5}))))
