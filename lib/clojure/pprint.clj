(ns clojure.pprint
  "A pretty printer for data: pprint, pp and print-table.

  Layout follows clojure.pprint's default (simple) dispatch in its linear
  mode: a collection whose printed form fits in the rest of the line (up to
  *print-right-margin*) prints on one line; otherwise each element goes on
  its own line, indented to just inside the opening bracket. A map entry
  that does not fit puts its value on the next line, under its key.
  cl-format, write and the code dispatch are not implemented.")

(def ^:dynamic *print-right-margin*
  "The column pprint keeps lines within, where it can (default 72)."
  72)

(def ^:dynamic *print-pretty* "True while pprint runs." false)

(defn- spaces [n] (apply str (repeat n \space)))

(defn- brackets
  "The opening and closing text of a collection pprint breaks, or nil for
  values it always prints flat."
  [x]
  (cond
    (map? x) ["{" "}"]
    (vector? x) ["[" "]"]
    (set? x) ["#{" "}"]
    (seq? x) ["(" ")"]
    :else nil))

(defn- limited
  "The items of coll that *print-length* lets print, and whether some are cut."
  [coll]
  (if (and *print-length* (seq coll))
    [(take *print-length* coll) (boolean (seq (drop *print-length* coll)))]
    [(seq coll) false]))

(defn- flat
  "x printed on one line, as pprint prints it: like pr-str, but records print
  as plain maps (the JVM's pprint does the same)."
  [x]
  (let [[open close] (brackets x)]
    (if (or (nil? open) (empty? x))
      (if (record? x) "{}" (pr-str x))
      (let [[items cut] (limited x)
            parts (if (map? x)
                    (map (fn [[k v]] (str (flat k) " " (flat v))) items)
                    (map flat items))
            parts (if cut (concat parts ["..."]) parts)]
        (str open (apply str (interpose (if (map? x) ", " " ") parts)) close)))))

(declare layout)

(defn- layout-entry
  "The text of the map entry [k v] starting at column col, followed on its
  last line by trail more characters."
  [[k v] col trail]
  (let [one-line (str (flat k) " " (flat v))]
    (if (<= (+ col (count one-line) trail) *print-right-margin*)
      one-line
      (str (layout k col 0) "\n" (spaces col) (layout v col trail)))))

(defn- layout
  "The text of x printed from column col, with trail characters to follow
  it on its last line."
  [x col trail]
  (let [one-line (flat x)
        [open close] (brackets x)]
    (if (or (nil? open)
            (empty? x)
            (<= (+ col (count one-line) trail) *print-right-margin*))
      one-line
      (let [inner (+ col (count open))
            [items cut] (limited x)
            items (vec items)
            n (count items)
            map? (map? x)
            parts (map-indexed
                   (fn [i item]
                     (let [last? (and (= i (dec n)) (not cut))
                           t (if last? (+ trail (count close)) (if map? 1 0))]
                       (str (if map? (layout-entry item inner t) (layout item inner t))
                            (when (and map? (not last?)) ","))))
                   items)
            parts (if cut (concat parts ["..."]) parts)]
        (str open
             (apply str (interpose (str "\n" (spaces inner)) parts))
             close)))))

(defn pprint
  "Prints x readably, laid out over several lines when it does not fit on
  one, and then a newline; to writer when given, else to *out*."
  ([x]
   (binding [*print-pretty* true]
     (println (layout x 0 0))))
  ([x writer]
   (binding [*out* writer]
     (pprint x))))

(defmacro pp
  "Pretty prints the last value the REPL printed (*1)."
  []
  `(pprint *1))

(defn print-table
  "Prints the maps of rows as a text table with a column for each key of ks
  (by default the keys of the first row), values right-aligned."
  ([rows] (print-table (keys (first rows)) rows))
  ([ks rows]
   (when (seq rows)
     (let [widths (map (fn [k]
                         (apply max (count (str k)) (map (fn [row] (count (str (get row k)))) rows)))
                       ks)
           pad (fn [w s] (str (spaces (- w (count s))) s))
           line (fn [cells] (str "| " (apply str (interpose " | " cells)) " |"))]
       (println)
       (println (line (map (fn [w k] (pad w (str k))) widths ks)))
       (println (str "|-" (apply str (interpose "-+-" (map (fn [w] (apply str (repeat w \-))) widths))) "-|"))
       (doseq [row rows]
         (println (line (map (fn [w k] (pad w (str (get row k)))) widths ks))))))))
