(ns destructuring-test
  (:require [clojure.test :refer [deftest is testing]]))

(deftest vectors
  (let [[a b] [1 2]] (is (= [1 2] [a b])))
  (let [[a b] [1]] (is (= [1 nil] [a b])))
  (let [[a & r] [1 2 3]] (is (= [1 '(2 3)] [a r])))
  (let [[a & r] [1]] (is (nil? r)))
  (let [[a b :as all] [1 2 3]] (is (= [1 2 [1 2 3]] [a b all])))
  (let [[a [b [c]]] [1 [2 [3]]]] (is (= [1 2 3] [a b c])))
  (let [[a b] '(1 2)] (is (= [1 2] [a b])) "seqs destructure positionally")
  (let [[a b] "ab"] (is (= [\a \b] [a b])) "strings too")
  (let [[a b] nil] (is (= [nil nil] [a b])))
  (let [[_ _ c] (range)] (is (= 2 c)) "lazy infinite seqs")
  (let [[a & [b & [c]]] [1 2 3]] (is (= [1 2 3] [a b c]))))

(deftest maps
  (let [{a :a b :b} {:a 1 :b 2}] (is (= [1 2] [a b])))
  (let [{:keys [a b]} {:a 1}] (is (= [1 nil] [a b])))
  (let [{:keys [a b] :or {b 5}} {:a 1}] (is (= [1 5] [a b])))
  (let [{:keys [a] :or {a 5}} {:a false}] (is (= false a)) ":or only when the key is missing")
  (let [{:strs [s] :syms [y]} {"s" 1 'y 2}] (is (= [1 2] [s y])))
  (let [{:keys [a] :as m} {:a 1 :z 9}] (is (= {:a 1 :z 9} m)))
  (testing "namespaced keys"
    (let [{:keys [x/a b/c]} {:x/a 1 :b/c 2}] (is (= [1 2] [a c])))
    (let [{:x/keys [a b]} {:x/a 1 :x/b 2}] (is (= [1 2] [a b])))
    (let [{:keys [:x/a]} {:x/a 3}] (is (= 3 a))))
  (testing "nested"
    (let [{[a b] :v {:keys [c]} :m} {:v [1 2] :m {:c 3}}] (is (= [1 2 3] [a b c]))))
  (testing "seqs of key/values become maps"
    (let [{:keys [a b]} '(:a 1 :b 2)] (is (= [1 2] [a b])))))

(defn kw-args [a & {:keys [b c] :or {c 3}}] [a b c])
(defn rest-vec [& [x y]] [x y])

(deftest in-fns-and-loops
  (is (= [1 2 3] (kw-args 1 :b 2)))
  (is (= [1 nil 3] (kw-args 1)))
  (is (= [1 2] (rest-vec 1 2)))
  (is (= 3 ((fn [[a b]] (+ a b)) [1 2])))
  (is (= 3 ((fn [{:keys [a b]}] (+ a b)) {:a 1 :b 2})))
  (is (= 6 (loop [[x & xs] [1 2 3] acc 0] (if x (recur xs (+ acc x)) acc))))
  (is (= [[1 :a] [2 :b]] (map (fn [[k v]] [k v]) [[1 :a] [2 :b]])))
  (is (= [1 2] (let [f (fn [{[a] :x} [b]] [a b])] (f {:x [1]} [2])))))
