(ns libs-test
  "clojure.set, clojure.walk, clojure.template and clojure.pprint."
  (:require [clojure.test :refer [deftest is testing are]]
            [clojure.set :as set]
            [clojure.walk :as walk]
            [clojure.template :as temp]
            [clojure.pprint :as pp]
            [clojure.repl :as repl]))

(deftest sets
  (is (= #{1 2 3} (set/union #{1 2} #{2 3})))
  (is (= #{2} (set/intersection #{1 2} #{2 3})))
  (is (= #{1} (set/difference #{1 2} #{2 3})))
  (is (= #{2} (set/select even? #{1 2 3})))
  (is (= #{{:a 1}} (set/project #{{:a 1 :b 2}} [:a])))
  (is (= {:b 1} (set/rename-keys {:a 1} {:a :b})))
  (is (= #{{:b 1}} (set/rename #{{:a 1}} {:a :b})))
  (is (= {1 :a} (set/map-invert {:a 1})))
  (is (= {{:k 1} #{{:k 1 :v 2}}} (set/index #{{:k 1 :v 2}} [:k])))
  (is (= #{{:id 1 :x 2 :y 3}} (set/join #{{:id 1 :x 2}} #{{:id 1 :y 3}})))
  (is (set/subset? #{1} #{1 2}))
  (is (set/superset? #{1 2} #{1})))

(deftest walking
  (is (= [2 [3 {:a 4}]] (walk/postwalk #(if (number? %) (inc %) %) [1 [2 {:a 3}]])))
  (is (= {:a {:b 1}} (walk/keywordize-keys {"a" {"b" 1}})))
  (is (= {"a" 1} (walk/stringify-keys {:a 1})))
  (is (= [:x [:x]] (walk/prewalk-replace {1 :x} [1 [1]])))
  (is (= [:x [:x]] (walk/postwalk-replace {1 :x} [1 [1]])))
  (is (= '(if (not a) nil (do b)) (walk/macroexpand-all '(when-not (not a) b))))
  (is (= '(1 2) (walk/walk inc reverse '(1 0))))
  (let [seen (atom [])]
    (walk/prewalk (fn [x] (swap! seen conj x) x) [1 [2]])
    (is (= [[1 [2]] 1 [2] 2] @seen))))

(deftest templates
  (is (= '(+ 1 2) (temp/apply-template '[a b] '(+ a b) [1 2])))
  (is (= [3 7] (let [out (atom [])]
                 (temp/do-template [a b] (swap! out conj (+ a b)) 1 2 3 4)
                 @out))))

(defrecord Pair [left right])

(deftest pretty-printing
  (is (= "{:a 1, :b [1 2 3]}\n" (with-out-str (pp/pprint {:a 1 :b [1 2 3]}))))
  (is (= "nil\n" (with-out-str (pp/pprint nil))))
  (is (= "{:left 1, :right 2}\n" (with-out-str (pp/pprint (->Pair 1 2)))) "records print as maps")
  (is (= "[0 1 2 ...]\n" (binding [*print-length* 3] (with-out-str (pp/pprint (vec (range 100)))))))
  (is (= (str "{:key0 [0 0 \"value-0\"],\n"
              " :key1 [1 100 \"value-1\"],\n"
              " :key2 [2 200 \"value-2\"],\n"
              " :key3 [3 300 \"value-3\"]}\n")
         (with-out-str
           (pp/pprint (array-map :key0 [0 0 "value-0"] :key1 [1 100 "value-1"]
                                 :key2 [2 200 "value-2"] :key3 [3 300 "value-3"])))))
  (is (= "[0\n 1\n 2\n 3\n 4\n 5\n 6\n 7\n 8\n 9\n 10\n 11\n 12\n 13\n 14\n 15\n 16\n 17\n 18\n 19\n 20\n 21\n 22\n 23\n 24\n 25\n 26\n 27\n 28\n 29]\n"
         (with-out-str (pp/pprint (vec (range 30))))))
  (is (= "{:alpha 1,\n :beta\n [1 2 3 4 5 6 7]}\n"
         (binding [pp/*print-right-margin* 20]
           (with-out-str (pp/pprint {:alpha 1 :beta [1 2 3 4 5 6 7]})))))
  (is (= "{:a\n {:b\n  {:c\n   {:d\n    \"a long string that takes up quite a lot of the line, yes it does\"}}}}\n"
         (with-out-str (pp/pprint {:a {:b {:c {:d "a long string that takes up quite a lot of the line, yes it does"}}}}))))
  (is (= "\n|  :a |  :b |\n|-----+-----|\n|   1 | two |\n| 333 |   x |\n"
         (with-out-str (pp/print-table [{:a 1 :b "two"} {:a 333 :b "x"}]))))
  (is (= "\n|  :b |\n|-----|\n| two |\n"
         (with-out-str (pp/print-table [:b] [{:a 1 :b "two"}])))))

(defn documented-fn
  "First line.
  Second line."
  [x y] x)

(defmacro documented-macro "Does nothing." [a & body] nil)

(deftest repl-help
  (is (= (str "-------------------------\n"
              "libs-test/documented-fn\n"
              "([x y])\n"
              "  First line.\n  Second line.\n")
         (with-out-str (repl/doc documented-fn))))
  (is (= (str "-------------------------\n"
              "libs-test/documented-macro\n"
              "([a & body])\n"
              "Macro\n"
              "  Does nothing.\n")
         (with-out-str (repl/doc documented-macro))))
  (is (= '[difference index intersection join map-invert project rename
           rename-keys select subset? superset? union]
         (vec (repl/dir-fn 'clojure.set))))
  (is (= '(clojure.core/assoc-in) (repl/apropos "ssoc-i")))
  (is (= '([a & body]) (:arglists (meta #'documented-macro))) "macros' arglists omit &form and &env"))
