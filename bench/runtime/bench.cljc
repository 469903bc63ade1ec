;; bench/runtime: the same programs on Kiln (compiled) and JVM Clojure.
;; Each benchmark runs until warm (JIT steady state on the JVM), then the best
;; of several timed runs is printed as "name milliseconds".
(ns bench.runtime)

(defn now-ns [] #?(:clj (System/nanoTime) :default (-nano-time)))

(defn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))

(defn sum-loop [n] (loop [i 0 acc 0] (if (< i n) (recur (inc i) (+ acc i)) acc)))

(defn pipeline [n] (reduce + (filter even? (map inc (range n)))))

(defn build-map [n] (loop [i 0 m (transient {})] (if (< i n) (recur (inc i) (assoc! m i i)) (count (persistent! m)))))

(defn build-string [n]
  (count (apply str (map (fn [i] (str "item-" i ",")) (range n)))))

(defn measure [name f warmups runs]
  (dotimes [_ warmups] (f))
  (let [best (reduce min (for [_ (range runs)]
                           (let [t0 (now-ns)] (f) (- (now-ns) t0))))]
    (println name (format "%.1f" (/ (double best) 1e6)))))

(let [w (if (= "jvm" (first *command-line-args*)) 5 1)]
  (measure "fib35" #(fib 35) w 3)
  (measure "loop100M" #(sum-loop 100000000) w 3)
  (measure "pipeline1M" #(pipeline 1000000) w 5)
  (measure "map1M" #(build-map 1000000) w 3)
  (measure "string100k" #(build-string 100000) w 5))
