(ns state-test
  "Atoms, volatiles, delays, dynamic vars, futures and promises, memoize."
  (:require [clojure.test :refer [deftest is testing]]))

(def ^:dynamic *level* 0)
(defn level [] *level*)

(deftest atoms
  (let [a (atom 1)]
    (is (= 2 (swap! a inc)))
    (is (= 12 (swap! a + 4 6)))
    (is (= 0 (reset! a 0)))
    (is (= [0 1] (swap-vals! a inc)))
    (is (= [1 5] (reset-vals! a 5)))
    (is (compare-and-set! a 5 6))
    (is (not (compare-and-set! a 5 7)))
    (is (= 6 @a)))
  (testing "watches and validators"
    (let [a (atom 0) seen (atom [])]
      (add-watch a :w (fn [k r old new] (swap! seen conj [k old new])))
      (swap! a inc)
      (remove-watch a :w)
      (swap! a inc)
      (is (= [[:w 0 1]] @seen))
      (set-validator! a pos?)
      (is (thrown? IllegalStateException (reset! a -1)))
      (is (= 2 @a))))
  (is (= {:m 1} (meta (atom 1 :meta {:m 1})))))

(deftest volatiles-and-delays
  (let [v (volatile! 1)]
    (is (= 2 (vswap! v inc)))
    (is (= 5 (vreset! v 5)))
    (is (volatile? v))
    (is (= 5 @v)))
  (let [n (atom 0)
        d (delay (swap! n inc) :done)]
    (is (not (realized? d)))
    (is (= :done @d))
    (is (= :done (force d)))
    (is (realized? d))
    (is (= 1 @n) "the body runs once")
    (is (delay? d))
    (is (= 5 (force 5)))))

(deftest dynamic-vars
  (is (= 0 (level)))
  (is (= 1 (binding [*level* 1] (level))))
  (is (= [1 2 1] (binding [*level* 1]
                   [(level) (binding [*level* 2] (level)) (level)])))
  (is (= 0 (level)))
  (is (= 3 (binding [*level* 1] (set! *level* 3) (level))))
  (is (= 5 (with-redefs [level (constantly 5)] (level))))
  (is (= 0 (level)))
  (is (= 7 (with-bindings {#'*level* 7} (level))))
  (is (= 8 (let [f (binding [*level* 8] (bound-fn [] (level)))] (f))))
  (is (= 2 (with-local-vars [x 1] (var-set x 2) (var-get x))))
  (is (not (thread-bound? #'*level*)))
  (is (binding [*level* 1] (thread-bound? #'*level*))))

(deftest futures-and-promises
  (is (= 3 @(future (+ 1 2))))
  (let [f (future :x)]
    (is (future? f))
    (is (= :x (deref f 1000 :timeout)))
    (is (future-done? f))
    (is (realized? f)))
  (is (= 1 (binding [*level* 1] @(future (level)))) "bindings are conveyed")
  (let [p (promise)]
    (is (not (realized? p)))
    (is (= :timeout (deref p 10 :timeout)))
    (future (deliver p 42))
    (is (= 42 @p))
    (is (realized? p))
    (is (nil? (deliver p 43)) "a promise is delivered once")
    (is (= 42 @p)))
  (is (thrown? Exception @(future (throw (ex-info "boom" {})))))
  (is (= [2 3 4] (vec (pmap inc [1 2 3]))))
  (is (= [1 2] (vec (pvalues 1 (+ 1 1))))))

(deftest refs-and-transactions
  (let [a (ref 1)
        b (ref 10)]
    (is (= 1 @a))
    (is (= 2 (dosync (alter a inc))))
    (is (= 5 (dosync (ref-set b 5))))
    (is (= [3 6] (dosync (alter a inc) (commute b inc) [(ensure a) @b])))
    (testing "an exception undoes the transaction's writes"
      (is (thrown? Exception (dosync (alter a + 100) (throw (ex-info "abort" {})))))
      (is (= 3 @a)))
    (is (thrown? IllegalStateException (alter a inc)) "writes need a transaction")
    (is (thrown? IllegalStateException (ref-set a 0)))
    (is (thrown? IllegalStateException (dosync (io! :x))))
    (is (= :x (io! :x)))
    (is (= 2 (dosync (dosync (alter (ref 1) inc)))) "transactions nest")
    (let [r (ref 0)
          fs (doall (map (fn [_] (future (dotimes [_ 100] (dosync (alter r inc))))) (range 4)))]
      (doseq [f fs] @f)
      (is (= 400 @r)))))

(deftest agents
  (let [a (agent 0)]
    (send a inc)
    (send-off a + 10)
    (await a)
    (is (= 11 @a))
    (is (nil? (agent-error a))))
  (let [a (agent [])]
    (doseq [i (range 50)] (send a conj i))
    (await-for 5000 a)
    (is (= (vec (range 50)) @a) "actions run in order"))
  (let [errors (promise)
        a (agent 1 :error-handler (fn [ag e] (deliver errors (ex-message e))))]
    (is (= :continue (error-mode a)))
    (send a (fn [_] (throw (ex-info "bad action" {}))))
    (is (= "bad action" (deref errors 5000 :timeout)))
    (send a inc)
    (await a)
    (is (= 2 @a) "in :continue mode the agent goes on"))
  (let [seen (promise)
        a (agent 0)]
    (send a (fn [s] (deliver seen (= a *agent*)) s))
    (is (true? (deref seen 5000 :timeout)) "*agent* is bound in actions")))

(deftest locking-excludes
  (let [lock (atom nil)
        n (volatile! 0)
        fs (doall (map (fn [_] (future (dotimes [_ 1000] (locking lock (vswap! n inc))))) (range 4)))]
    (doseq [f fs] @f)
    (is (= 4000 @n)))
  (is (= 3 (locking :k (locking :k 3))) "locks are reentrant")
  (is (thrown? Exception (locking :k (throw (ex-info "x" {})))))
  (is (= 1 @(future (locking :k 1))) "the lock was released by the exception"))

(deftest memoize-and-friends
  (let [n (atom 0)
        f (memoize (fn [x] (swap! n inc) (* x x)))]
    (is (= 16 (f 4)))
    (is (= 16 (f 4)))
    (is (= 1 @n)))
  (is (true? ((every-pred pos? even?) 6)))
  (is (false? ((every-pred pos? even?) 6 -2)))
  (is (= true ((some-fn even? neg?) 1 -1)))
  (is (false? ((some-fn even?) 1)))
  (is (nil? ((some-fn even?))))
  (is (= [2 0] ((juxt inc dec) 1)))
  (is (= 1 ((fnil inc 0) nil)))
  (is (= 3 ((partial + 1) 2)))
  (is (= 7 ((comp inc (partial * 2)) 3)))
  (is (= 1 ((constantly 1) 2 3)))
  (is (= false ((complement pos?) 1))))

(deftest taps
  (let [seen (promise)
        f (fn [x] (deliver seen x))]
    (add-tap f)
    (is (true? (tap> 1)))
    (is (= 1 (deref seen 1000 :timeout)))
    (remove-tap f)))
