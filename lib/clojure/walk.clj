(ns clojure.walk
  "Generic tree walkers: walk, prewalk, postwalk and their uses.")

(defn walk
  "Rebuilds form with inner applied to each element (keeping its kind of collection and its metadata), then returns (outer rebuilt)."
  [inner outer form]
  (cond
    (list? form) (outer (with-meta (apply list (map inner form)) (meta form)))
    (map-entry? form) (outer (clojure.core/vec (map inner form)))
    (seq? form) (outer (with-meta (doall (map inner form)) (meta form)))
    (record? form) (outer (reduce (fn [r x] (conj r (inner x))) form form))
    (coll? form) (outer (with-meta (into (empty form) (map inner form)) (meta form)))
    :else (outer form)))

(defn postwalk
  "Walks form depth first, replacing each subform, children before parents, by (f subform)."
  [f form]
  (walk (partial postwalk f) f form))

(defn prewalk
  "Walks form replacing each subform by (f subform), parents before children."
  [f form]
  (walk (partial prewalk f) identity (f form)))

(defn postwalk-demo
  "Prints each subform as postwalk visits it; returns form."
  [form]
  (postwalk (fn [x] (print "Walked: ") (prn x) x) form))

(defn prewalk-demo
  "Prints each subform as prewalk visits it; returns form."
  [form]
  (prewalk (fn [x] (print "Walked: ") (prn x) x) form))

(defn keywordize-keys
  "Turns string keys into keywords in every map inside m."
  [m]
  (let [f (fn [[k v]] (if (string? k) [(keyword k) v] [k v]))]
    (postwalk (fn [x] (if (map? x) (into {} (map f x)) x)) m)))

(defn stringify-keys
  "Turns keyword keys into strings in every map inside m."
  [m]
  (let [f (fn [[k v]] (if (keyword? k) [(name k) v] [k v]))]
    (postwalk (fn [x] (if (map? x) (into {} (map f x)) x)) m)))

(defn prewalk-replace
  "Replaces every subform found as a key in smap by its value, from the root down."
  [smap form]
  (prewalk (fn [x] (if (contains? smap x) (smap x) x)) form))

(defn postwalk-replace
  "Replaces every subform found as a key in smap by its value, from the leaves up."
  [smap form]
  (postwalk (fn [x] (if (contains? smap x) (smap x) x)) form))

(defn macroexpand-all
  "Expands every macro call anywhere in form."
  [form]
  (prewalk (fn [x] (if (seq? x) (macroexpand x) x)) form))
