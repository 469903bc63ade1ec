(ns multimethods-test
  (:require [clojure.test :refer [deftest is testing]]))

(defmulti area "The area of a shape." :shape)
(defmethod area :square [{:keys [side]}] (* side side))
(defmethod area :rect [{:keys [w h]}] (* w h))
(defmethod area :default [s] [:unknown (:shape s)])

(derive ::circle ::round)
(derive ::ellipse ::round)
(defmulti describe identity)
(defmethod describe ::round [_] :round)
(defmethod describe [::round ::round] [_] :two-round)

(defmulti no-default identity)

(deftest dispatch
  (is (= 9 (area {:shape :square :side 3})))
  (is (= 6 (area {:shape :rect :w 2 :h 3})))
  (is (= [:unknown :hex] (area {:shape :hex})))
  (is (= "The area of a shape." (:doc (meta #'area)))))

(deftest hierarchies
  (is (isa? ::circle ::round))
  (is (not (isa? ::round ::circle)))
  (is (= #{::round} (parents ::circle)))
  (is (= :round (describe ::circle)))
  (is (= :two-round (describe [::circle ::ellipse])))
  (is (isa? [::circle ::ellipse] [::round ::round])))

(deftest method-table
  (is (fn? (get-method area :square)))
  (is (= (get-method area :default) (get-method area :nope)))
  (is (contains? (methods area) :rect))
  (is (thrown-with-msg? IllegalArgumentException #"No method in multimethod 'no-default' for dispatch value: 1"
                        (no-default 1))))

(deftest redefining-keeps-methods
  (defmulti area "The area of a shape." :shape)
  (is (= 9 (area {:shape :square :side 3}))))
