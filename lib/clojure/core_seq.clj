;; clojure/core_seq.clj — the sequence library and transducers.
;;
;; Loaded by clojure/core.clj once let, fn, loop and the control macros
;; exist. Each sequence function that Clojure gives a transducer arity has
;; one here: called without its collection it returns a function from a
;; reducing function to a reducing function. Stateful transducers keep their
;; state in volatiles created when the transducer is applied to its reducing
;; function, so one transducer value can be used many times.

(in-ns 'clojure.core)

(declare comp cat sequence split-with)

;;;; The core sequence functions.

(defn map
  "Applies f to the first items of the colls, then to the second items, and so
  on until the shortest coll runs out, as a lazy seq. With no coll, returns
  a transducer."
  ([f]
   (fn [rf]
     (fn
       ([] (rf))
       ([acc] (rf acc))
       ([acc x] (rf acc (f x)))
       ([acc x & xs] (rf acc (apply f x xs))))))
  ([f coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (if (chunked-seq? s)
        (chunk-cons (-chunk-map f (chunk-first s)) (map f (chunk-rest s)))
        (cons (f (first s)) (map f (rest s)))))))
  ([f c1 c2]
   (lazy-seq
    (let [s1 (seq c1) s2 (seq c2)]
      (when (and s1 s2)
        (cons (f (first s1) (first s2)) (map f (rest s1) (rest s2)))))))
  ([f c1 c2 c3]
   (lazy-seq
    (let [s1 (seq c1) s2 (seq c2) s3 (seq c3)]
      (when (and s1 s2 s3)
        (cons (f (first s1) (first s2) (first s3)) (map f (rest s1) (rest s2) (rest s3)))))))
  ([f c1 c2 c3 & colls]
   (let [columns (fn columns [cs]
                   (lazy-seq
                    (let [ss (map seq cs)]
                      (when (every? identity ss)
                        (cons (map first ss) (columns (map rest ss)))))))]
     (map (fn [args] (apply f args)) (columns (list* c1 c2 c3 colls))))))

(defn filter
  "Keeps only the items of coll that pred accepts (returns truthy for),
  lazily and in order. With no coll, returns a transducer."
  ([pred]
   (fn [rf]
     (fn
       ([] (rf))
       ([acc] (rf acc))
       ([acc x] (if (pred x) (rf acc x) acc)))))
  ([pred coll]
   (lazy-seq
    (loop [s (seq coll)]
      (when s
        (if (chunked-seq? s)
          (chunk-cons (-chunk-filter pred (chunk-first s)) (filter pred (chunk-rest s)))
          (let [x (first s)]
            (if (pred x)
              (cons x (filter pred (rest s)))
              (recur (next s))))))))))

(defn remove
  "Drops the items of coll that pred accepts (returns truthy for) and lazily
  yields the others, in order. With no coll, returns a transducer."
  ([pred] (filter (complement pred)))
  ([pred coll] (filter (complement pred) coll)))

(defn take
  "At most n items from the front of coll, as a lazy seq; fewer when coll
  runs out first. With no coll, returns a transducer."
  ([n]
   (fn [rf]
     (let [left (volatile! n)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x]
          (let [k @left]
            (vreset! left (dec k))
            (cond
              (> k 1) (rf acc x)
              (= k 1) (ensure-reduced (rf acc x))
              :else (ensure-reduced acc))))))))
  ([n coll]
   (lazy-seq
    (when (pos? n)
      (when-let [s (seq coll)]
        (cons (first s) (take (dec n) (rest s))))))))

(defn drop
  "The lazy seq of coll without its first n items. With no coll, returns a
  transducer."
  ([n]
   (fn [rf]
     (let [left (volatile! n)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x]
          (if (pos? @left)
            (do (vswap! left dec) acc)
            (rf acc x)))))))
  ([n coll]
   (lazy-seq
    (loop [n n s (seq coll)]
      (if (and (pos? n) s)
        (recur (dec n) (next s))
        s)))))

(defn take-while
  "The lazy seq of the leading items of coll for which (pred item) is truthy.
  With no coll, returns a transducer."
  ([pred]
   (fn [rf]
     (fn
       ([] (rf))
       ([acc] (rf acc))
       ([acc x] (if (pred x) (rf acc x) (reduced acc))))))
  ([pred coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (when (pred (first s))
        (cons (first s) (take-while pred (rest s))))))))

(defn drop-while
  "Skips items from the front of coll while pred accepts them; lazily yields
  the rest, starting at the first item pred rejects. With no coll, returns a
  transducer."
  ([pred]
   (fn [rf]
     (let [dropping (volatile! true)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x]
          (if (and @dropping (pred x))
            acc
            (do (vreset! dropping false) (rf acc x))))))))
  ([pred coll]
   (lazy-seq
    (loop [s (seq coll)]
      (if (and s (pred (first s)))
        (recur (next s))
        s)))))

(defn take-nth
  "Lazily yields the item at index 0 of coll, then the ones at n, 2n, and so
  on. With no coll, returns a transducer."
  ([n]
   (fn [rf]
     (let [i (volatile! -1)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x]
          (if (zero? (rem (vswap! i inc) n)) (rf acc x) acc))))))
  ([n coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (cons (first s) (take-nth n (drop n s)))))))

(defn drop-last
  "The lazy seq of coll without its last n items (default 1)."
  ([coll] (drop-last 1 coll))
  ([n coll]
   ;; Keeps a window of n items ahead: an item is emitted once n more exist.
   (let [step (fn step [s ahead]
                (lazy-seq
                 (when (seq ahead)
                   (cons (first s) (step (rest s) (rest ahead))))))]
     (step coll (drop n coll)))))

(defn take-last
  "The final n items of coll as a seq (walking all of coll to find them); nil
  when coll is empty or n is not positive."
  [n coll]
  (let [v (vec coll)
        k (count v)]
    (when (and (pos? n) (pos? k))
      (seq (subvec v (max 0 (- k n)))))))

(defn mapcat
  "Concatenates the collections that (map f colls) returns, lazily. With no
  colls, returns a transducer."
  ([f] (comp (map f) cat))
  ([f & colls]
   (let [flat (fn flat [cs]
                (lazy-seq
                 (when-let [s (seq cs)]
                   (concat (first s) (flat (rest s))))))]
     (flat (apply map f colls)))))

(defn mapv
  "Like map, but eager, and returns a vector."
  ([f coll] (persistent! (reduce (fn [v x] (conj! v (f x))) (transient []) coll)))
  ([f c1 c2] (vec (map f c1 c2)))
  ([f c1 c2 c3] (vec (map f c1 c2 c3)))
  ([f c1 c2 c3 & colls] (vec (apply map f c1 c2 c3 colls))))

(defn filterv
  "Like filter, but eager, and returns a vector."
  [pred coll]
  (persistent! (reduce (fn [v x] (if (pred x) (conj! v x) v)) (transient []) coll)))

(defn map-indexed
  "The lazy seq of (f index item) for the items of coll, indexes from 0. With
  no coll, returns a transducer."
  ([f]
   (fn [rf]
     (let [i (volatile! -1)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x] (rf acc (f (vswap! i inc) x)))))))
  ([f coll] (map f (range) coll)))

(defn keep
  "Calls f on each item of coll and lazily yields the results that are not
  nil (false is kept). With no coll, returns a transducer."
  ([f]
   (fn [rf]
     (fn
       ([] (rf))
       ([acc] (rf acc))
       ([acc x] (let [v (f x)] (if (nil? v) acc (rf acc v)))))))
  ([f coll]
   (lazy-seq
    (loop [s (seq coll)]
      (when s
        (let [v (f (first s))]
          (if (nil? v) (recur (next s)) (cons v (keep f (rest s))))))))))

(defn keep-indexed
  "Calls f with each index and item of coll and lazily yields the results
  that are not nil (false is kept). With no coll, returns a transducer."
  ([f]
   (fn [rf]
     (let [i (volatile! -1)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x] (let [v (f (vswap! i inc) x)] (if (nil? v) acc (rf acc v))))))))
  ([f coll] (keep identity (map f (range) coll))))

(defn repeat
  "An infinite lazy seq of x, or one of n xs."
  ([x] (lazy-seq (cons x (repeat x))))
  ([n x] (take n (repeat x))))

(defn replicate
  "Old name for (repeat n x)."
  [n x] (repeat n x))

(defn repeatedly
  "A lazy seq of the values of calling f (no arguments) again and again:
  infinitely, or n times."
  ([f] (lazy-seq (cons (f) (repeatedly f))))
  ([n f] (take n (repeatedly f))))

(defn iterate
  "An infinite lazy seq starting with x in which each item is f applied to
  the one before. f should have no side effects."
  [f x]
  (lazy-seq (cons x (iterate f (f x)))))

(defn cycle
  "An infinite lazy seq repeating the items of coll (empty if coll is)."
  [coll]
  (lazy-seq
   (when (seq coll)
     (concat coll (cycle coll)))))

(defn dorun
  "Realizes a (lazy) seq for its side effects, or its first n items; returns nil."
  ([coll] (loop [s (seq coll)] (when s (recur (next s)))))
  ([n coll] (loop [n n s (seq coll)] (when (and s (pos? n)) (recur (dec n) (next s))))))

(defn doall
  "Realizes a (lazy) seq, or its first n items, and returns it."
  ([coll] (dorun coll) coll)
  ([n coll] (dorun n coll) coll))

(defn run!
  "Calls proc on every item of coll, in order, for side effects; returns nil."
  [proc coll]
  (reduce (fn [_ x] (proc x) nil) nil coll)
  nil)

(defn partition
  "The lazy seq of lists of n items of coll, each starting step items after the
  previous one (step defaults to n). A short last group is dropped, unless pad
  is given: then it is filled from pad (and may still be short)."
  ([n coll] (partition n n coll))
  ([n step coll]
   (lazy-seq
    (let [group (take n coll)]
      (when (= n (count group))
        (cons group (partition n step (drop step coll)))))))
  ([n step pad coll]
   (lazy-seq
    (when (seq coll)
      (let [group (take n coll)]
        (if (= n (count group))
          (cons group (partition n step pad (drop step coll)))
          (list (take n (concat group pad)))))))))

(defn partition-all
  "Like partition, but keeps a short last group. With only n, returns a
  transducer that emits vectors."
  ([n]
   (fn [rf]
     (let [buf (volatile! [])]
       (fn
         ([] (rf))
         ([acc]
          (let [b @buf]
            (vreset! buf [])
            (rf (if (seq b) (unreduced (rf acc b)) acc))))
         ([acc x]
          (let [b (vswap! buf conj x)]
            (if (= n (count b))
              (do (vreset! buf []) (rf acc b))
              acc)))))))
  ([n coll] (partition-all n n coll))
  ([n step coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (let [seg (doall (take n s))]
        (cons seg (partition-all n step (nthrest s step))))))))

(defn partition-by
  "Splits coll into a lazy seq of runs: a new run starts whenever (f item)
  differs from its value for the previous item. With no coll, returns a
  transducer that emits vectors."
  ([f]
   (fn [rf]
     (let [buf (volatile! [])
           last-key (volatile! ::none)]
       (fn
         ([] (rf))
         ([acc]
          (let [b @buf]
            (vreset! buf [])
            (rf (if (seq b) (unreduced (rf acc b)) acc))))
         ([acc x]
          (let [k (f x)
                prev @last-key]
            (vreset! last-key k)
            (if (or (identical? prev ::none) (= k prev))
              (do (vswap! buf conj x) acc)
              (let [b @buf]
                (vreset! buf [x])
                (rf acc b)))))))))
  ([f coll]
   (lazy-seq
    (when (seq coll)
      (let [k (f (first coll))
            [run more] (split-with (fn [x] (= k (f x))) coll)]
        (cons run (partition-by f more)))))))

(defn split-at
  "Splits coll at index n: returns a vector of (take n coll) and (drop n
  coll)."
  [n coll]
  [(take n coll) (drop n coll)])

(defn split-with
  "Splits coll where pred first fails: returns a vector of (take-while pred
  coll) and (drop-while pred coll)."
  [pred coll]
  [(take-while pred coll) (drop-while pred coll)])

(defn interpose
  "Lazily yields the items of coll with sep placed between every two
  neighbours. With no coll, returns a transducer."
  ([sep]
   (fn [rf]
     (let [started (volatile! false)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x]
          (if @started
            (let [r (rf acc sep)]
              (if (reduced? r) r (rf r x)))
            (do (vreset! started true) (rf acc x))))))))
  ([sep coll]
   (drop 1 (mapcat (fn [x] [sep x]) coll))))

(defn flatten
  "The items of any nesting of sequential collections (lists, vectors, seqs)
  as one flat lazy seq. (flatten nil) and (flatten of a non-sequential) are ()."
  [x]
  (let [walk (fn walk [node]
               (lazy-seq
                (if (sequential? node)
                  (mapcat walk node)
                  (list node))))]
    (filter (complement sequential?) (mapcat walk (if (sequential? x) x nil)))))

(defn distinct
  "The lazy seq of the items of coll, each only the first time it appears.
  With no coll, returns a transducer."
  ([]
   (fn [rf]
     (let [seen (volatile! #{})]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x]
          (if (contains? @seen x)
            acc
            (do (vswap! seen conj x) (rf acc x))))))))
  ([coll] (sequence (distinct) coll)))

(defn dedupe
  "The lazy seq of coll with each run of equal consecutive items reduced to
  one. With no coll, returns a transducer."
  ([]
   (fn [rf]
     (let [prev (volatile! ::none)]
       (fn
         ([] (rf))
         ([acc] (rf acc))
         ([acc x]
          (let [p @prev]
            (vreset! prev x)
            (if (= p x) acc (rf acc x))))))))
  ([coll] (sequence (dedupe) coll)))

(defn replace
  "Replaces the items of coll that are keys of smap with their values: a
  vector for a vector coll, else a lazy seq. With no coll, returns a
  transducer."
  ([smap] (map (fn [x] (if-let [e (find smap x)] (val e) x))))
  ([smap coll]
   (if (vector? coll)
     (reduce (fn [v i]
               (if-let [e (find smap (nth v i))] (assoc v i (val e)) v))
             coll (range (count coll)))
     (map (fn [x] (if-let [e (find smap x)] (val e) x)) coll))))

(defn random-sample
  "Keeps each item of coll with probability prob (between 0 and 1), lazily.
  With no coll, returns a transducer."
  ([prob] (filter (fn [_] (< (rand) prob))))
  ([prob coll] (filter (fn [_] (< (rand) prob)) coll)))

(defn reductions
  "Every step of (reduce f init coll) as a lazy seq: init first (or the first
  item when no init is given), then each running result in turn."
  ([f coll]
   (lazy-seq
    (if (seq coll)
      (reductions f (first coll) (rest coll))
      (list (f)))))
  ([f init coll]
   (let [step (fn step [acc s]
                (cons acc
                      (lazy-seq
                       (when (and (seq s) (not (reduced? acc)))
                         (let [nxt (f acc (first s))]
                           (if (reduced? nxt)
                             (list (unreduced nxt))
                             (step nxt (rest s))))))))]
     (if (reduced? init)
       (list (unreduced init))
       (step init coll)))))

(defn not-any?
  "True when (pred x) is falsey for every x in coll."
  [pred coll] (not (some pred coll)))

(defn not-every?
  "True when (pred x) is falsey for at least one x in coll."
  [pred coll] (not (every? pred coll)))

(defn reverse
  "The items of coll in backward order, as a seq built at once (not lazily)."
  [coll]
  (reduce (fn [acc x] (cons x acc)) () coll))

(defn tree-seq
  "Walks a tree depth-first, each node before its children, and returns every
  node visited as a lazy seq. (branch? node) says whether a node can have
  children and (children node) returns them."
  [branch? children root]
  ;; A stack of pending seqs of nodes, walked lazily.
  (let [step (fn step [stack]
               (lazy-seq
                (when-let [s (seq stack)]
                  (if-let [nodes (seq (first s))]
                    (let [node (first nodes)
                          stack (cons (rest nodes) (rest s))]
                      (cons node
                            (step (if (branch? node) (cons (children node) stack) stack))))
                    (step (rest s))))))]
    (step (list (list root)))))

(defn distinct?
  "True when the arguments are pairwise unequal; false as soon as two of them
  are =."
  ([x] true)
  ([x y] (not= x y))
  ([x y & more]
   (loop [seen #{x y} s (seq more)]
     (cond
       (= x y) false
       (nil? s) true
       (contains? seen (first s)) false
       :else (recur (conj seen (first s)) (next s))))))

(defn bounded-count
  "The count of coll if it is counted, else counts its items up to n at most."
  [n coll]
  (if (counted? coll)
    (count coll)
    (loop [i 0 s (seq coll)]
      (if (and s (< i n)) (recur (inc i) (next s)) i))))

(defmacro lazy-cat
  "The lazy concatenation of the colls, each expression evaluated only when
  its items are needed."
  [& colls]
  `(concat ~@(map (fn [c] `(lazy-seq ~c)) colls)))

(defn iteration
  "A seqable of the results of repeated calls (step k), starting with k
  initk, and continuing with (kf ret) while (somef ret) holds and that key is
  non-nil; each result contributes (vf ret)."
  [step & {:keys [somef vf kf initk]
           :or {vf identity, kf identity, somef some?, initk nil}}]
  (let [walk (fn walk [k]
               (lazy-seq
                (let [ret (step k)]
                  (when (somef ret)
                    (cons (vf ret)
                          (let [nk (kf ret)]
                            (when-not (nil? nk) (walk nk))))))))]
    (walk initk)))

;;;; Reducing-function helpers.

(defn completing
  "Gives reducing function f a one-argument completion arity: cf (identity
  when not given) is applied to the final result."
  ([f] (completing f identity))
  ([f cf]
   (fn
     ([] (f))
     ([acc] (cf acc))
     ([acc x] (f acc x)))))

(defn transduce
  "Reduces coll with (xform f), starting from init (or (f) when no init is
  given), then calls the completion arity of the transformed function on the
  result."
  ([xform f coll] (transduce xform f (f) coll))
  ([xform f init coll]
   (let [rf (xform f)]
     (rf (reduce rf init coll)))))

(def ^:private into-native into)

(defn into
  "Adds every item of from to the collection to, with conj, and returns the
  result; with a transducer xform the items pass through it first. The
  metadata of to is kept."
  ([] [])
  ([to] to)
  ([to from] (into-native to from))
  ([to xform from]
   (let [out (transduce xform conj to from)]
     (if (meta to) (with-meta out (meta to)) out))))

(defn- xf-lazy-seq
  "The lazy seq of what transducer xform outputs for the inputs: each step
  feeds one input (with many, (rf acc x y ...)) and emits what came out."
  [xform inputs many?]
  (let [buf (volatile! [])
        rf (xform (fn
                    ([acc] acc)
                    ([acc x] (vswap! buf conj x) acc)))
        take-buf (fn [] (let [b @buf] (vreset! buf []) b))
        finish (fn [] (rf nil) (seq (take-buf)))
        step (fn step [s]
               (lazy-seq
                (loop [s s]
                  (if (nil? s)
                    (finish)
                    (let [r (if many? (apply rf nil (first s)) (rf nil (first s)))]
                      (if (reduced? r)
                        (finish)
                        (let [b (take-buf)]
                          (if (seq b)
                            (concat b (step (next s)))
                            (recur (next s))))))))))]
    (step (seq inputs))))

(defn sequence
  "Returns coll as a seq (the empty list when it is empty). With a transducer,
  returns the lazy seq of the items that come out of (xform) for coll's items;
  with several colls, the transducer's step gets one item of each."
  ([coll] (if (seq? coll) coll (or (seq coll) ())))
  ([xform coll] (or (seq (xf-lazy-seq xform coll false)) ()))
  ([xform coll & colls]
   (or (seq (xf-lazy-seq xform (apply map list coll colls) true)) ())))

(defn eduction
  "The items of coll passed through the composition of the transducers xforms,
  as a reducible, seqable value. Kiln computes it as a lazy seq (cached, where
  the JVM recomputes an eduction each time it is reduced)."
  [& xforms-and-coll]
  (let [coll (last xforms-and-coll)
        xforms (butlast xforms-and-coll)]
    (sequence (apply comp xforms) coll)))

(defn cat
  "A transducer that feeds every item of each input collection to rf, in turn."
  [rf]
  (let [feed (fn [acc x]
               (let [r (rf acc x)]
                 (if (reduced? r) (reduced r) r)))]
    (fn
      ([] (rf))
      ([acc] (rf acc))
      ([acc coll] (reduce feed acc coll)))))

(def ^:private halt-none (volatile! ::none))

(defn halt-when
  "A transducer that stops at the first input for which (pred input) is true.
  The result of the reduction is then (retf result input), or the input itself
  when no retf is given."
  ([pred] (halt-when pred nil))
  ([pred retf]
   (fn [rf]
     (let [halted (volatile! halt-none)]
       (fn
         ([] (rf))
         ([acc]
          (let [h @halted]
            (if (identical? h halt-none) (rf acc) h)))
         ([acc x]
          (if (pred x)
            (do (vreset! halted (if retf (retf (rf acc) x) x))
                (reduced acc))
            (rf acc x))))))))
