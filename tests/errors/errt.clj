(ns errt
  (:require [clojure.test :refer [deftest is]]))

(defn c [x] (/ x 0))
(defn b [x] (inc (c x)))

(deftest t
  (is (= 1 1))
  (b 1))
