;; Writes the JVM's iteration order for hash maps and sets built from
;; deterministic key sequences; tests/unit/test_map.c builds the same
;; collections in Kiln and compares. Each line: kind builder n <TAB> printed keys.
(defn coll-keys [k]
  ;; all 2^k strings of k blocks "Aa"/"BB": equal String.hashCode, so equal hasheq
  (if (zero? k) [""] (for [p (coll-keys (dec k)) b ["Aa" "BB"]] (str p b))))

(defn gen-keys [kind n]
  (case kind
    "long" (vec (range n))
    "kw" (mapv #(keyword (str "k" %)) (range n))
    "str" (mapv #(str "s" %) (range n))
    "neg" (mapv #(* % -7919 1000003) (range n))
    "nil" (vec (cons nil (range (dec n))))
    "coll" (vec (interleave (map #(str "x" %) (range)) (take n (cycle (coll-keys 3)))))
    "coll5" (vec (coll-keys 5))))

(defn build [builder ks]
  (case builder
    "assoc" (reduce (fn [m k] (assoc m k k)) {} ks)
    "into" (into {} (map vector ks ks))
    "hash-map" (apply hash-map (interleave ks ks))
    "dissoc" (let [m (into {} (map vector ks ks))]
               (reduce dissoc m (take-nth 3 ks)))
    "tdissoc" (let [m (into {} (map vector ks ks))]
                (persistent! (reduce dissoc! (transient m) (take-nth 3 ks))))
    "set" (into #{} ks)
    "set-conj" (reduce conj #{} ks)
    "disj" (reduce disj (into #{} ks) (take-nth 2 ks))))

(def cases
  (concat
   (for [n [1 3 8 9 10 16 17 33 100 1000 10000] b ["assoc" "into" "hash-map" "set"]] ["long" b n])
   (for [n [9 50 1000] b ["assoc" "hash-map" "dissoc" "tdissoc" "set" "disj"]] ["kw" b n])
   (for [n [9 100 5000] b ["into" "dissoc" "set-conj"]] ["str" b n])
   (for [n [9 2000] b ["assoc" "tdissoc" "set"]] ["neg" b n])
   (for [n [5 9 20] b ["assoc" "into" "dissoc" "tdissoc" "set" "disj"]] ["nil" b n])
   (for [n [8 16] b ["assoc" "into" "hash-map" "dissoc" "tdissoc" "set" "disj"]] ["coll" b n])
   (for [b ["assoc" "into" "dissoc" "tdissoc" "set" "disj"]] ["coll5" b 32])))

(doseq [[kind b n] cases]
  (let [c (build b (gen-keys kind n))]
    (println (str kind " " b " " n "\t" (pr-str (vec (if (map? c) (keys c) (seq c))))))))
