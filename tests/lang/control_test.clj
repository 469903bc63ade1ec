(ns control-test
  "The control macros, for, doseq and destructuring in every binding form."
  (:require [clojure.test :refer [deftest is testing are]]))

(deftest conditionals
  (is (= :b (case 2 1 :a 2 :b :other)))
  (is (= :other (case 9 1 :a :other)))
  (is (= :ab (case 'y (x y) :ab :none)))
  (is (= :vec (case [1 2] [1 2] :vec :no)))
  (is (= :str (case "s" "s" :str :no)))
  (is (= :nil (case nil nil :nil :no)))
  (is (thrown? IllegalArgumentException (case 3 1 :a)))
  (is (= 3 (condp = 2 1 :a 2 3)))
  (is (= :default (condp = 9 1 :a :default)))
  (is (= 11 (condp some [1 10] #{0} :zero #{10} :>> inc)))
  (is (thrown? IllegalArgumentException (condp = 9 1 :a)))
  (is (= :neg (cond (neg? -1) :neg :else :pos)))
  (is (= 1 (when-first [x [1 2]] x)))
  (is (nil? (when-first [x []] x)))
  (is (= 2 (when-some [x 1] (inc x))))
  (is (nil? (when-some [x nil] x)))
  (is (= :no (if-not true :yes :no)))
  (is (nil? (when-not true 1)))
  (is (= [1 2] (if-let [[a b] [1 2]] [a b] :none))))

(deftest threading
  (is (= 3 (-> {:a {:b 3}} :a :b)))
  (is (= [2 3] (->> [1 2] (map inc) vec)))
  (is (= 20 (cond->> 5 true (* 2) false (+ 100) true (* 2))))
  (is (= {:a 1} (cond-> {} true (assoc :a 1) false (assoc :b 2))))
  (is (= 3 (some->> [1 2] (map inc) last)))
  (is (nil? (some->> nil (map inc))))
  (is (= 8 (as-> 1 x (inc x) (* x 4))))
  (let [a (atom [])]
    (is (= a (doto a (swap! conj 1) (swap! conj 2))))
    (is (= [1 2] @a))))

(deftest loops
  (is (= [0 1 2] (loop [i 0 acc []] (if (< i 3) (recur (inc i) (conj acc i)) acc))))
  (is (= 10 (loop [[x & xs] [1 2 3 4] sum 0] (if x (recur xs (+ sum x)) sum))))
  (is (= [4 3] (let [a (atom [])] (dotimes [i 5] (when (> i 2) (swap! a #(cons i %)))) (vec @a))))
  (let [n (atom 0)]
    (while (< @n 5) (swap! n inc))
    (is (= 5 @n)))
  (is (= 55 (trampoline (fn f ([n] (f n 0)) ([n acc] (if (zero? n) acc #(f (dec n) (+ acc n))))) 10))))

(deftest for-comprehensions
  (is (= [[0 :a] [0 :b] [1 :a] [1 :b]] (for [x (range 2) y [:a :b]] [x y])))
  (is (= [1 3] (for [x (range 4) :when (odd? x)] x)))
  (is (= [0 1 2] (for [x (range 10) :while (< x 3)] x)))
  (is (= [0 1 4] (for [x (range 3) :let [y (* x x)]] y)))
  (is (= [[1 0] [2 0] [2 1]] (for [x (range 3) y (range 3) :while (< y x)] [x y])))
  (is (= [3 7] (for [[a b] [[1 2] [3 4]]] (+ a b))))
  (is (= [1 2] (for [{:keys [n]} [{:n 1} {:n 2}]] n)))
  (is (= [0 1 2] (take 3 (for [x (range)] x))) "for is lazy")
  (is (= () (for [x []] x))))

(deftest doseq-forms
  (let [out (atom [])]
    (is (nil? (doseq [x [1 2] y [:a :b] :when (= y :a)] (swap! out conj [x y]))))
    (is (= [[1 :a] [2 :a]] @out)))
  (let [out (atom [])]
    (doseq [[k v] {:a 1} :let [s (str k v)]] (swap! out conj s))
    (is (= [":a1"] @out)))
  (let [out (atom [])]
    (doseq [x (range 10) :while (< x 3)] (swap! out conj x))
    (is (= [0 1 2] @out))))

(deftest destructuring-everywhere
  (testing "let"
    (let [[a [b c] & more :as all] [1 [2 3] 4 5]]
      (is (= [1 2 3 [4 5] [1 [2 3] 4 5]] [a b c more all])))
    (let [{:keys [a b] :or {b 2} :as m} {:a 1}]
      (is (= [1 2 {:a 1}] [a b m])))
    (let [{:strs [s] :syms [y]} {"s" 1 'y 2}]
      (is (= [1 2] [s y])))
    (let [{:keys [x/a] ::keys [b]} {:x/a 1 ::b 2}]
      (is (= [1 2] [a b])))
    (let [{a :a [b] :b} {:a 1 :b [2]}]
      (is (= [1 2] [a b])))
    (let [[a b c] "xy"]
      (is (= [\x \y nil] [a b c]))))
  (testing "fn parameters and keyword arguments"
    (is (= 3 ((fn [[a b]] (+ a b)) [1 2])))
    (is (= [1 {:c 3}] ((fn [a & {:as opts}] [a opts]) 1 :c 3)))
    (is (= 5 ((fn [& {:keys [x y]}] (+ x y)) :x 2 :y 3)))
    (is (= 5 ((fn [& {:keys [x y]}] (+ x y)) {:x 2 :y 3})))
    (is (= [1 2] ((fn [{[a] :v} b] [a b]) {:v [1]} 2))))
  (testing "defn and letfn"
    (letfn [(f [[a b]] (* a b))]
      (is (= 6 (f [2 3])))))
  (testing "loop"
    (is (= [3 [1 2]] (loop [[x & xs] [1 2 3] seen []] (if xs (recur xs (conj seen x)) [x seen])))))
  (testing "if-let, when-let, for and doseq"
    (is (= 3 (when-let [{:keys [a]} {:a 3}] a)))
    (is (= [3] (for [[a b] [[1 2]]] (+ a b))))))

(deftest letfn-mutual-recursion
  (is (true? (letfn [(ev? [n] (if (zero? n) true (od? (dec n))))
                     (od? [n] (if (zero? n) false (ev? (dec n))))]
               (ev? 100)))))

(deftest pre-and-post-conditions
  (let [f (fn [x] {:pre [(pos? x)] :post [(> % 10)]} (* x 100))]
    (is (= 100 (f 1)))
    (is (thrown? AssertionError (f -1))))
  (let [g (fn [x] {:post [(pos? %)]} x)]
    (is (thrown? AssertionError (g -1)))))

(defn- overflow [n] (inc (overflow n)))

(deftest runaway-recursion-is-an-error
  ;; Twice: the first overflow must leave the thread able to overflow again.
  (is (thrown? StackOverflowError (overflow 1)))
  (is (thrown? StackOverflowError (overflow 1)))
  (is (= :caught @(future (try (overflow 1) (catch StackOverflowError _ :caught))))))
