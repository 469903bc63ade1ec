(ns transducers-test
  "Transducers: transduce, into, sequence, eduction, reduced, and the
  transducer arity of every sequence function that has one."
  (:require [clojure.test :refer [deftest is testing are]]))

(deftest transducer-arities
  (are [expected xf] (= expected (into [] xf (range 10)))
    [1 2 3 4 5 6 7 8 9 10] (map inc)
    [0 2 4 6 8] (filter even?)
    [1 3 5 7 9] (remove even?)
    [0 1 2] (take 3)
    [7 8 9] (drop 7)
    [0 1 2] (take-while #(< % 3))
    [8 9] (drop-while #(< % 8))
    [0 10 20] (comp (keep #(when (< % 3) (* 10 %))))
    [0 3 6 9] (take-nth 3)
    [[0 1 2] [3 4 5] [6 7 8] [9]] (partition-all 3)
    [[0 1 2 3 4] [5 6 7 8 9]] (partition-by #(< % 5))
    [0 :x 1] (comp (take 2) (interpose :x))
    [[0 0] [1 1] [2 2]] (comp (take 3) (map-indexed vector))
    [0 0 1 1] (comp (take 2) (mapcat (fn [x] [x x])))
    [0 2] (comp (take 3) (keep-indexed (fn [i x] (when (even? i) x))))
    [:a 1 2] (comp (take 3) (replace {0 :a})))
  (is (= [1 2 3] (into [] (distinct) [1 2 1 3 2])))
  (is (= [1 2 1] (into [] (dedupe) [1 1 2 2 1])))
  (is (= [1 2 3 4] (into [] cat [[1 2] [3] [] [4]]))))

(deftest transduce-and-friends
  (is (= 9 (transduce (map inc) + [1 2 3])))
  (is (= 19 (transduce (map inc) + 10 [1 2 3])))
  (is (= [2 4] (into [] (comp (filter odd?) (map inc)) [1 2 3])))
  (is (= '(2 3) (sequence (map inc) [1 2])))
  (is (= () (sequence (map inc) [])))
  (is (= [[1 :a] [2 :b]] (sequence (map vector) [1 2] [:a :b])))
  (is (= [0 1 2] (take 3 (sequence (map identity) (range)))) "sequence is lazy")
  (is (= [1 3 5] (vec (eduction (map inc) (filter odd?) (range 6)))))
  (is (= 9 (reduce + (eduction (map inc) [1 2 3]))))
  (is (= "6!" (transduce (map inc) (completing + #(str % "!")) 0 [0 1 2])))
  (testing "halt-when"
    (is (= 4 (transduce (halt-when #(> % 3)) conj [] (range 10))))
    (is (= [[0 1 2 3] 4] (transduce (halt-when #(> % 3) (fn [acc x] [acc x])) conj [] (range 10))))
    (is (= [0 1 2] (transduce (halt-when #(> % 5)) conj [] (range 3)))))
  (testing "reduced stops a reduction"
    (is (= 6 (reduce (fn [a x] (if (> x 3) (reduced a) (+ a x))) 0 (range 10))))
    (is (reduced? (reduced 1)))
    (is (= 1 @(reduced 1)))
    (is (= 1 (unreduced (reduced 1))))
    (is (= 1 (unreduced 1)))
    (is (reduced? (ensure-reduced 1)))
    (is (= [0 1 2] (into [] (take 3) (range))) "take stops an infinite input"))
  (testing "a transducer value can be used twice"
    (let [xf (comp (drop 1) (take 2))]
      (is (= [1 2] (into [] xf (range 10))))
      (is (= [1 2] (into [] xf (range 10))))))
  (testing "completion flushes stateful transducers"
    (is (= [[0 1] [2]] (into [] (partition-all 2) (range 3))))
    (is (= [[0 1] [2]] (sequence (partition-all 2) (range 3))))))
