(ns types-test
  "Protocols, records, deftype, reify, multimethods with hierarchies,
  metadata, docstrings and arglists on vars, gensym."
  (:require [clojure.test :refer [deftest is testing]]))

(defprotocol Shape
  "Things with an area."
  (area [s] "The area.")
  (scale [s k]))

(defrecord Rect [w h]
  Shape
  (area [_] (* w h))
  (scale [_ k] (->Rect (* k w) (* k h))))

(declare ->Circle)

(deftype Circle [r]
  Shape
  (area [_] (* 3 r r))
  (scale [_ k] (->Circle (* k r))))

(extend-protocol Shape
  Long
  (area [n] (* n n))
  (scale [n k] (* n k))
  nil
  (area [_] 0)
  (scale [_ _] nil))

(deftype Cell [v]
  clojure.lang.IDeref
  (deref [_] v))

(deftest protocols-and-records
  (is (= 6 (area (->Rect 2 3))))
  (is (= (->Rect 4 6) (scale (->Rect 2 3) 2)))
  (is (= 12 (area (->Circle 2))))
  (is (= 48 (area (scale (->Circle 2) 2))))
  (is (= 9 (area 3)))
  (is (= 0 (area nil)))
  (is (satisfies? Shape (->Rect 1 1)))
  (is (not (satisfies? Shape "s")))
  (is (thrown? IllegalArgumentException (area "s")))
  (is (= "Things with an area." (:doc (meta #'Shape))))
  (is (= "The area." (:doc (meta #'area)))))

(deftest record-behaviour
  (let [r (->Rect 1 2)]
    (is (record? r))
    (is (map? r))
    (is (= 1 (:w r)))
    (is (= {:w 1 :h 2} (into {} r)))
    (is (= (->Rect 5 2) (assoc r :w 5)))
    (is (= 3 (:extra (assoc r :extra 3))))
    (is (= {:h 2} (dissoc r :w)) "dissoc of a field gives a plain map")
    (is (not (record? (dissoc r :w))))
    (is (= r (map->Rect {:w 1 :h 2})))
    (is (not= r {:w 1 :h 2}))
    (is (instance? Rect r))
    (is (= [:w :h] (keys r)))
    (is (= 1 (.-w r)))))

(deftype Labelled [v] Object (toString [_] (str "cell:" v)))

(deftest deftype-and-reify
  (let [c (->Circle 3)]
    (is (instance? Circle c))
    (is (not (map? c))))
  (let [x (reify Shape (area [_] 99) (scale [this _] this))]
    (is (= 99 (area x)))
    (is (= 99 (area (scale x 2)))))
  (is (= 5 @(->Cell 5)))
  (is (= 3 (.-r (->Circle 3))))
  (is (= "cell:4" (str (->Labelled 4))))
  (is (= "anon" (str (reify Object (toString [_] "anon")))))
  (is (nil? (meta (->Circle 3))))
  (is (= 7 @(reify clojure.lang.IDeref (deref [_] 7)))))

(defmulti describe (fn [x] (:kind x)))
(defmethod describe :dog [x] (str "dog " (:name x)))
(defmethod describe :default [x] "unknown")

(def h (-> (make-hierarchy)
           (derive ::square ::rect)
           (derive ::rect ::shape)))

(defmulti sides (fn [x] x) :hierarchy #'h)
(defmethod sides ::rect [_] 4)
(defmethod sides ::shape [_] :many)

(defmulti pick (fn [x] x))
(derive ::a ::base-1)
(derive ::a ::base-2)
(defmethod pick ::base-1 [_] 1)
(defmethod pick ::base-2 [_] 2)
(prefer-method pick ::base-2 ::base-1)

(deftest multimethods
  (is (= "dog rex" (describe {:kind :dog :name "rex"})))
  (is (= "unknown" (describe {:kind :cat})))
  (is (= 4 (sides ::square)))
  (is (= :many (sides ::shape)))
  (is (isa? h ::square ::shape))
  (is (not (isa? h ::shape ::square)))
  (is (= #{::rect} (parents h ::square)))
  (is (= #{::rect ::shape} (ancestors h ::square)))
  (is (= #{::square ::rect} (descendants h ::shape)))
  (is (isa? [::a] [::base-1]))
  (is (= 2 (pick ::a)))
  (is (= {::base-2 #{::base-1}} (prefers pick)))
  (is (contains? (methods describe) :dog))
  (is (fn? (get-method describe :dog)))
  (remove-method describe :dog)
  (is (= "unknown" (describe {:kind :dog})))
  (let [h2 (underive (derive (make-hierarchy) ::x ::y) ::x ::y)]
    (is (not (isa? h2 ::x ::y))))
  (let [h3 (-> (make-hierarchy) (derive ::p ::q) (derive ::q ::r) (underive ::p ::q))]
    (is (not (isa? h3 ::p ::r)))
    (is (isa? h3 ::q ::r))))

(defn documented
  "Adds one."
  {:added "test"}
  ([x] (inc x))
  ([x y] (+ x y)))

(deftest metadata-and-docs
  (is (= "Adds one." (:doc (meta #'documented))))
  (is (= '([x] [x y]) (:arglists (meta #'documented))))
  (is (= "test" (:added (meta #'documented))))
  (is (= {:a 1} (meta (with-meta [1] {:a 1}))))
  (is (= {:a 1 :b 2} (meta (vary-meta (with-meta {} {:a 1}) assoc :b 2))))
  (is (true? (:tagged (meta ^:tagged [1]))))
  (is (= [1] (with-meta [1] {:x 1})) "metadata does not affect equality")
  (let [v (def ^{:private true :custom 7} secret 1)]
    (is (:private (meta v)))
    (is (= 7 (:custom (meta v)))))
  (alter-meta! #'documented assoc :extra 1)
  (is (= 1 (:extra (meta #'documented))))
  (is (string? (:doc (meta #'map))))
  (is (seq (:arglists (meta #'reduce)))))

(deftest gensyms
  (let [a (gensym) b (gensym "p")]
    (is (symbol? a))
    (is (not= a b))
    (is (re-matches #"p\d+" (name b))))
  (is (not= `x# `x#)))
