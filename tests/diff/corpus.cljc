;; The differential corpus: every expression below is printed with pr-str (or
;; as "#error CLASS" when it throws) by JVM Clojure into expected.txt (see
;; gen.sh), and Kiln must print the same lines in both back ends.
(ns diff.corpus
  (:require [clojure.string :as str]
            [clojure.set :as set]
            [clojure.walk :as walk]))

(defn show [f]
  (try (pr-str (f))
       (catch #?(:clj Throwable :default :default) e
         (str "#error " #?(:clj (.getName (class e)) :default (class e))))))

(defmacro cases
  "Prints each expression's value. Each is evaluated on its own (eval of the
  quoted form), so one that Kiln cannot compile fails its line alone."
  [& exprs]
  `(let [] ~@(map (fn [e] `(println (show (fn [] (eval '~e))))) exprs)))

(defrecord Point [x y])
(defprotocol Area (area [s]))
(extend-protocol Area
  Point (area [p] (* (:x p) (:y p)))
  #?(:clj String :default String) (area [s] (count s)))
(defmulti kind (fn [x] (cond (number? x) :num (string? x) :str :else :other)))
(defmethod kind :num [x] [:number x])
(defmethod kind :str [x] [:string x])
(defmethod kind :default [x] [:something x])
(def counter (atom 0))

(cases
 ;; numbers
 (+ 1 2) (- 10) (* 1 2 3 4) (/ 1 3) (/ 6 3) (/ 1.0 4) (quot -7 2) (rem -7 2) (mod -7 2)
 (+ 9223372036854775807 1) (+' 9223372036854775807 1) (* 4611686018427387904 2)
 (inc 4611686018427387903) (dec -4611686018427387904) (- 0 4611686018427387904 4611686018427387904)
 (/ 1 0) (/ 1.0 0) (/ -1.0 0)
 1.0 0.1 (/ 1.0 3) 1e21 1e-7 123456789.0 (* 1.0 1e7) -0.0 100.0 (+ 0.1 0.2)
 12345678901234567890 1/2 (+ 1/2 1/3) (* 2 1/2) 3N (+ 1N 1) 1.5M (+ 1.5M 1) (* 1.50M 2)
 (= 1 1.0) (== 1 1.0) (= 1 1N) (= 1/2 0.5) (< 1 2 3) (> 3 2 2) (compare 1 2) (max 1 2.0) (min 3 1/2)
 (even? 4) (odd? 3) (zero? 0.0) (pos? -1) (neg? -1) (abs -5) (int 3.7) (long 3.9) (double 3)
 (bit-and 12 10) (bit-or 12 10) (bit-xor 12 10) (bit-shift-left 1 10) (bit-shift-right 1024 3)
 (unsigned-bit-shift-right -1 60) (rationalize 0.5) (numerator 3/4) (denominator 3/4)
 (hash 1) (hash 1.5) (hash -1) (hash 12345678901234567890) (hash 1/2) (hash "abc") (hash :a) (hash 'b)
 (hash [1 2]) (hash {:a 1}) (hash #{1 2}) (hash nil) (hash true) (hash \a) (hash '(1 2)) (hash "")
 ;; strings and chars
 (str "a" 1 nil :k 'sym 1.5 \c) (subs "hello" 1 3) (count "héllo") (count "😀") (str/upper-case "abc")
 (str/join ", " [1 2 3]) (str/split "a,b,,c" #",") (str/split "a b  c" #"\s+") (str/replace "aXbX" "X" "-")
 (str/replace "a1b22" #"\d+" "#") (str/trim "  x  ") (str/blank? " ") (str/includes? "abc" "bc")
 (str/starts-with? "abc" "ab") (str/index-of "abcb" "b") (str/last-index-of "abcb" "b") (str/reverse "abc")
 (str/capitalize "hELLO") (str/lower-case "ABC") (str/split-lines "a\nb\nc") (str/escape "a<b" {\< "&lt;"})
 (pr-str "a\"b\\c\nd") (pr-str \a \space \newline \tab) (print-str "a" "b") (prn-str [1 "x"])
 (format "%d-%s-%.2f-%x" 42 "s" 3.14159 255) (format "%5d|%-5s|" 7 "ab") (char 65) (int \A)
 (re-find #"\d+" "ab123cd") (re-matches #"(\w+)@(\w+)" "me@host") (re-seq #"[aeiou]" "education")
 (name :a/b) (namespace :a/b) (keyword "x") (keyword "a" "b") (symbol "s") (str :kw) (str 'a/b)
 ;; collections
 [1 2 3] '(1 2 3) {:a 1 :b 2} #{1 2 3} (conj [1 2] 3) (conj '(1 2) 0) (conj {:a 1} [:b 2]) (conj #{} 1)
 (assoc {:a 1} :b 2) (dissoc {:a 1 :b 2} :a) (get {:a 1} :b :nf) (get-in {:a {:b 1}} [:a :b])
 (assoc-in {} [:a :b] 1) (update {:a 1} :a inc) (update-in {:a {:b 1}} [:a :b] + 10)
 (merge {:a 1} {:b 2} {:a 3}) (merge-with + {:a 1} {:a 2 :b 3}) (select-keys {:a 1 :b 2 :c 3} [:a :c])
 (zipmap [:a :b] [1 2]) (keys {:a 1 :b 2}) (vals {:a 1 :b 2}) (find {:a 1} :a) (contains? [1 2] 1)
 (into {} [[:a 1] [:b 2]]) (into [] '(1 2 3)) (into #{} [1 1 2]) (into '() [1 2 3])
 (zipmap (range 10) (range 10)) (into {} (map (fn [i] [(keyword (str "k" i)) i]) (range 12)))
 (set (range 20)) (into #{} (map str (range 15))) (hash-map :a 1 :b 2 :c 3) (hash-set "a" "b" "c")
 (sorted-map :c 3 :a 1 :b 2) (sorted-set 3 1 2) (sorted-map-by > 1 :a 2 :b) (rseq (sorted-set 1 2 3))
 (subvec [1 2 3 4 5] 1 3) (nth [1 2 3] 1) (nth [1 2 3] 5) (nth [1 2 3] 5 :nf) (peek [1 2 3]) (pop [1 2 3])
 (first {:a 1}) (count {:a 1 :b 2}) (empty? []) (seq []) (vec (range 5)) (vector 1 2) (list 1 2)
 (persistent! (conj! (transient [1]) 2)) (persistent! (assoc! (transient {}) :a 1))
 (= [1 2] '(1 2)) (= {:a 1} {:a 1}) (= #{1} #{1}) (= [1 [2]] [1 [2]]) (compare [1 2] [1 3])
 ;; sequences
 (map inc [1 2 3]) (map + [1 2] [10 20]) (filter even? (range 10)) (remove even? (range 10))
 (reduce + (range 101)) (reduce + 10 [1 2]) (reduce-kv (fn [m k v] (assoc m v k)) {} {:a 1 :b 2})
 (take 3 (range)) (drop 2 [1 2 3 4]) (take-while pos? [1 2 -1 3]) (drop-while pos? [1 2 -1 3])
 (partition 2 (range 7)) (partition-all 2 (range 7)) (partition-by odd? [1 3 2 4 5]) (split-at 2 [1 2 3 4])
 (interleave [1 2 3] [:a :b :c]) (interpose :x [1 2 3]) (concat [1] '(2) [3 4]) (mapcat reverse [[1 2] [3 4]])
 (distinct [1 2 1 3 2]) (frequencies "abracadabra") (group-by odd? (range 6)) (sort [3 1 2]) (sort > [3 1 2])
 (sort-by count ["ccc" "a" "bb"]) (reverse [1 2 3]) (flatten [1 [2 [3 4]] 5]) (last [1 2 3]) (butlast [1 2 3])
 (some even? [1 3 4]) (every? pos? [1 2]) (not-any? neg? [1 2]) (keep #(when (odd? %) (* 10 %)) (range 5))
 (map-indexed vector [:a :b]) (take 5 (iterate #(* 2 %) 1)) (take 4 (cycle [1 2])) (repeat 3 :x)
 (range 1 10 3) (range 5 0 -2) (range 0 1 0.25) (apply + 1 2 [3 4]) (apply str (map char [104 105]))
 (for [x (range 3) y [:a :b] :when (odd? x)] [x y]) (for [x [1 2 3] :let [y (* x x)] :while (< y 5)] y)
 (let [acc (atom [])] (doseq [x [1 2] y [3 4]] (swap! acc conj (+ x y))) @acc)
 (transduce (map inc) + [1 2 3]) (into [] (comp (filter odd?) (map inc)) (range 10)) (sequence (map inc) [1 2])
 (reduce (fn [a x] (if (> x 3) (reduced a) (+ a x))) 0 (range 10)) (nthnext [1 2 3] 2) (nthrest [1 2 3] 5)
 (max-key count "a" "abc" "ab") (group-by count ["a" "bb" "cc" "d"]) (dedupe [1 1 2 2 1])
 ;; functions and macros
 ((fn [& xs] xs)) ((fn [a & xs] [a xs]) 1 2 3) ((comp inc inc) 1) ((partial + 1) 2) ((juxt inc dec) 5)
 ((fnil inc 0) nil) ((complement even?) 3) ((constantly 7) 1 2) (let [{:keys [a b] :or {b 9}} {:a 1}] [a b])
 (let [[a b & r :as all] [1 2 3 4]] [a b r all]) (let [{{c :c} :b} {:b {:c 3}}] c)
 (let [{:strs [x]} {"x" 5}] x) (let [[_ [b]] [1 [2]]] b) (loop [i 0 acc []] (if (< i 3) (recur (inc i) (conj acc i)) acc))
 (letfn [(ev? [n] (if (zero? n) true (od? (dec n)))) (od? [n] (if (zero? n) false (ev? (dec n))))] (ev? 10))
 (cond-> 1 true inc false (* 10)) (-> 5 (- 2) (* 3)) (->> [1 2 3] (map inc) (reduce +)) (as-> 1 x (+ x 1) (* x 5))
 (some-> {:a {:b 2}} :a :b inc) (some-> nil :a) (case 2 1 :one 2 :two :other) (case "x" "x" :str :no)
 (case 'a (a b) :ab :none) (condp = 2 1 :one 2 :two) (if-let [x nil] x :no) (when-let [x 1] (inc x))
 (if-some [x false] x :none) (cond (neg? 1) :neg (pos? 1) :pos) (and 1 nil 2) (or nil false 3)
 (try (throw (ex-info "boom" {:a 1})) (catch clojure.lang.ExceptionInfo e [(ex-message e) (ex-data e)]))
 (try (/ 1 0) (catch ArithmeticException e (ex-message e))) (try (nth [] 1) (catch Exception e :caught))
 (let [x (try 1 (finally (swap! counter inc)))] [x @counter]) (try (throw (Exception. "x")) (catch Exception e (ex-message e)))
 (macroexpand-1 '(when a b)) (macroexpand '(-> a (b c))) (str (gensym "x") "") (ex-message (ex-info "m" {}))
 ((memoize (fn [x] (* x x))) 4) (trampoline (fn f [n] (if (pos? n) #(f (dec n)) :done)) 5)
 (let [v (volatile! 1)] (vswap! v inc) @v) (let [a (atom 1)] (swap! a + 5) @a) (let [d (delay 5)] [(realized? d) @d])
 (with-out-str (print "hi") (println " there")) (binding [*print-length* 3] (pr-str (range 10)))
 (meta (with-meta [1] {:m 1})) (meta ^:foo [1]) (:tag (meta ^String [])) (vary-meta {} assoc :x 1)
 (walk/postwalk #(if (number? %) (inc %) %) [1 [2 {:a 3}]]) (walk/keywordize-keys {"a" {"b" 1}})
 (set/union #{1 2} #{2 3}) (set/intersection #{1 2} #{2 3}) (set/difference #{1 2} #{2}) (set/map-invert {:a 1})
 ;; records, protocols, multimethods
 (->Point 1 2) (map->Point {:x 1 :y 2 :z 3}) (assoc (->Point 1 2) :x 5) (dissoc (->Point 1 2) :x)
 (area (->Point 3 4)) (area "hello") (:y (->Point 1 2)) (= (->Point 1 2) (->Point 1 2)) (= (->Point 1 2) {:x 1 :y 2})
 (hash (->Point 1 2)) (kind 1) (kind "s") (kind :k) (instance? Point (->Point 1 2)) (record? (->Point 1 2))
 ;; printing edge cases
 (pr-str {:a/b 1 :a/c 2}) (pr-str 'a/b) (pr-str #"a\d") (pr-str [nil true false]) (pr-str (list)) (pr-str (lazy-seq nil))
 (pr-str (map identity [])) (pr-str (seq {:a 1})) (pr-str (first {:a 1})) (pr-str ##NaN) (pr-str [##Inf ##-Inf])
 (pr-str (sorted-map 1 {:a [1 #{2}]})) (str [1 "a" \b]) (str '(1 "a")) (str {:a "b"}) (str nil) (str)
 (type 1) (type "s") (type :k) (type []) (type {}) (type 1.0) (class 1N) (class 1/2) (class 1M)
 )
