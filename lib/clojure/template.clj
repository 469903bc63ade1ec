(ns clojure.template
  "Substituting values for symbols in a quoted expression: apply-template
  for one group of values, do-template for a copy per group."
  (:require [clojure.walk :as walk]))

(defn apply-template
  "Substitutes values for the symbols of argv in expr (for macros)."
  [argv expr values]
  (assert (vector? argv))
  (assert (every? symbol? argv))
  (walk/postwalk-replace (zipmap argv values) expr))

(defmacro do-template
  "Expands to (do ...) with one copy of expr per group of values, groups being as long as argv."
  [argv expr & values]
  (let [c (count argv)]
    `(do ~@(map (fn [a] (apply-template argv expr a))
                (partition c values)))))
