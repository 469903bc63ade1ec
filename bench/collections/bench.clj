;; The JVM side of bench/collections: the same operations as
;; bench_collections.c, steady state (3 warm-up runs, median of 7 timed runs).
(set! *warn-on-reflection* true)
(def n 1000000)
(def ^com.sun.management.OperatingSystemMXBean os
  (java.lang.management.ManagementFactory/getOperatingSystemMXBean))
;; Process CPU time (all threads: GC and JIT included), as the C side measures.
(defn cpu-ns [] (.getProcessCpuTime os))
(defn measure [f]
  (dotimes [_ 3] (f))
  (let [ts (sort (for [_ (range 7)]
                   (let [t0 (cpu-ns)] (f) (/ (- (cpu-ns) t0) 1e6))))]
    (nth ts 3)))
(def sink (volatile! nil))
(defn vec-conj [] (loop [t (transient []) i 0] (if (< i n) (recur (conj! t i) (inc i)) (persistent! t))))
(defn vec-conj-p [] (loop [v [] i 0] (if (< i n) (recur (conj v i) (inc i)) v)))
(defn map-assoc [] (loop [t (transient {}) i 0] (if (< i n) (recur (assoc! t i i) (inc i)) (persistent! t))))
(def big-vec (vec-conj))
(def big-map (map-assoc))
(defn map-lookup [] (loop [i 0 s 0] (if (< i n) (recur (inc i) (+ s (long (get big-map i)))) s)))
(defn red [] (reduce + 0 big-vec))
(defn into-set [] (into #{} big-vec))
(doseq [[name f] [["vector-conj" vec-conj] ["vector-conj-persistent" vec-conj-p] ["map-assoc" map-assoc]
                  ["map-lookup" map-lookup] ["reduce" red] ["into-set" into-set]]]
  (println name (format "%.2f" (double (measure #(vreset! sink (f)))))))
(System/gc)
(let [rt (Runtime/getRuntime)]
  (println "memory heap-mb" (format "%.1f" (/ (.totalMemory rt) 1048576.0))
           "used-mb" (format "%.1f" (/ (- (.totalMemory rt) (.freeMemory rt)) 1048576.0))))
