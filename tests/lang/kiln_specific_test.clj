(ns kiln-specific-test
  "What Kiln does where the JVM cannot be the oracle (docs/language.md)."
  (:require [clojure.test :refer [deftest is testing]]))

(deftest catch-default
  (is (= :default (try (throw (ex-info "x" {})) (catch :default e :default))))
  (is (= :object (try (/ 1 0) (catch Object e :object)))))

(deftest classes-are-symbols
  (is (= 'java.lang.Long (class 1)))
  (is (= 'java.lang.String (class "s")))
  (is (= String (class "s")))
  (is (nil? (class nil)))
  (is (instance? clojure.lang.IPersistentVector [1]))
  (is (instance? clojure.lang.ExceptionInfo (ex-info "x" {})))
  (is (instance? Exception (ex-info "x" {})))
  (is (not (instance? String 1))))

(deftest no-jvm-interop
  (is (thrown-with-msg? Exception #"no JVM interop" (eval '(.toString 1))))
  (is (thrown-with-msg? Exception #"no JVM interop" (eval '(java.util.Date.)))))

(deftest field-access-on-maps
  (is (= 1 (.-a {:a 1})))
  (is (= 1 (. {:a 1} -a))))
