;; clojure/core_more.clj — the rest of clojure.core that makes sense without
;; the JVM: input and output, futures and promises, taps, and small
;; functions of Clojure 1.9-1.11.
;;
;; Loaded last by clojure/core.clj. Files, standard input, the blocking cells
;; and threads are natives of src/runtime/io.c (-slurp, -spit, -read-line,
;; -cell, -cell-put!, -cell-get, -thread-start). deref, realized? and deref
;; with a timeout of a deftype or reify instance come back here, to
;; -deref-type, -realized-type and -deref-type-timeout.

(in-ns 'clojure.core)

(declare -type-method)

;;;; Output and input.

(defmacro with-out-str
  "Runs body with *out* bound to a fresh string writer and returns the text
  it printed."
  [& body]
  `(let [w# (-string-writer)]
     (binding [*out* w#] ~@body)
     (str w#)))

(defn -in-string
  "The value with-in-str binds *in* to: the text not read yet, in an atom."
  [s]
  {::unread (atom (str s))})

(defmacro with-in-str
  "Runs body with *in* bound to a reader of the string s, so read-line
  returns its lines."
  [s & body]
  `(binding [*in* (-in-string ~s)] ~@body))

(defn read-line
  "The next line of *in* (standard input unless with-in-str rebinds it),
  without its line terminator, or nil when the input is used up."
  []
  (if-let [unread (::unread *in*)]
    (let [text @unread]
      (when (pos? (count text))
        (let [i (clojure.string/index-of text "\n")
              line (if i (subs text 0 i) text)]
          (reset! unread (if i (subs text (inc i)) ""))
          (if (clojure.string/ends-with? line "\r")
            (subs line 0 (dec (count line)))
            line))))
    (-read-line)))

(defn slurp
  "The whole contents of the file named by f (a path string) as a string.
  Options such as :encoding are accepted and ignored: files are UTF-8."
  [f & opts]
  (-slurp (str f)))

(defn spit
  "Writes (str content) to the file named by f, replacing it, or appending
  with :append true. Returns nil."
  [f content & options]
  (let [{:keys [append]} (apply hash-map options)]
    (-spit (str f) content append)))

(defn -close
  "Closes x for with-open: calls the close method of a reify or deftype
  instance that has one; other values are left alone."
  [x]
  (when-let [f (-type-method x :close)]
    (f x))
  nil)

(defmacro with-open
  "bindings => [name init ...]. Evaluates body with the names bound, then
  closes each bound value (last first) with -close, even when body throws."
  [bindings & body]
  (when-not (and (vector? bindings) (even? (count bindings)))
    (throw (ex-new* "java.lang.IllegalArgumentException"
                    "with-open requires an even number of forms in binding vector")))
  (if (seq bindings)
    `(let [~(bindings 0) ~(bindings 1)]
       (try
         (with-open ~(subvec bindings 2) ~@body)
         (finally (-close ~(bindings 0)))))
    `(do ~@body)))

;;;; Futures and promises.

(deftype Promise [cell])
(deftype Future [cell])

(defn promise
  "A promise: deliver gives it its value once, and deref waits until then
  (or until a timeout with (deref p ms timeout-val))."
  []
  (->Promise (-cell)))

(defn deliver
  "Gives promise p the value v, waking those waiting on it. Returns p, or nil
  when p already had a value."
  [p v]
  (when (-cell-put! (.-cell p) v) p))

(defn future-call
  "Calls f (no arguments) on a new thread, with the caller's dynamic bindings,
  and returns a future: deref waits for f's value or rethrows its exception."
  [f]
  (let [cell (-cell)
        g (bound-fn* f)]
    (-thread-start
     (fn []
       (-cell-put! cell (try [::value (g)]
                             (catch Throwable e [::error e])))))
    (->Future cell)))

(defmacro future
  "Evaluates body on another thread and returns a future of its value."
  [& body]
  `(future-call (fn [] ~@body)))

(defn future?
  "True if x is a future."
  [x] (instance? Future x))

(defn future-done?
  "True when future f has finished, with a value or an exception."
  [f] (-cell-done? (.-cell f)))

(defn future-cancel
  "Kiln cannot stop a running thread: returns false, the future runs on."
  [f] false)

(defn future-cancelled?
  "Always false: futures are never cancelled (see future-cancel)."
  [f] false)

(defn- future-outcome [[kind v]]
  (if (= kind ::error)
    (throw (ex-new* "java.util.concurrent.ExecutionException"
                    (str (class v) ": " (ex-message v)) nil v))
    v))

(def ^:private timed-out (volatile! ::timed-out))

(defn -type-method
  "The fn implementing method mkw (a keyword) for x, a reify or deftype
  instance, through an interface rather than a protocol; or nil."
  [x mkw]
  (or (some (fn [[_ ms]] (get ms mkw)) (::methods (meta x)))
      (some (fn [[_ ms]] (get ms mkw)) (get @-interface-impls (class x)))))

(defn -deref-type
  "deref of a deftype or reify instance."
  [x]
  (cond
    (instance? Promise x) (-cell-get (.-cell x))
    (instance? Future x) (future-outcome (-cell-get (.-cell x)))
    :else (if-let [f (-type-method x :deref)]
            (f x)
            (throw (ex-new* "java.lang.ClassCastException"
                            (str "class " (class x) " cannot be cast to class java.util.concurrent.Future"))))))

(defn -deref-type-timeout
  "deref with a timeout of a deftype or reify instance."
  [x ms timeout-val]
  (cond
    (instance? Promise x) (-cell-get (.-cell x) ms timeout-val)
    (instance? Future x) (let [r (-cell-get (.-cell x) ms timed-out)]
                           (if (identical? r timed-out) timeout-val (future-outcome r)))
    :else (if-let [f (-type-method x :deref)]
            (f x ms timeout-val)
            (-deref-type x))))

(defn -realized-type
  "realized? of a deftype or reify instance."
  [x]
  (cond
    (or (instance? Promise x) (instance? Future x)) (-cell-done? (.-cell x))
    :else (if-let [f (-type-method x :isRealized)]
            (boolean (f x))
            (throw (ex-new* "java.lang.ClassCastException"
                            (str "class " (class x) " cannot be cast to class clojure.lang.IPending"))))))

(defn pmap
  "Like map, but computes f's values on other threads, a few items ahead of
  the consumer. Worth it only when f is slow."
  ([f coll]
   (let [batches (fn batches [s]
                   (lazy-seq
                    (when (seq s)
                      (let [fs (doall (map (fn [x] (future (f x))) (take 4 s)))]
                        (concat (map deref fs) (batches (drop 4 s)))))))]
     (batches coll)))
  ([f coll & colls]
   (pmap (fn [args] (apply f args)) (apply map vector coll colls))))

(defn pcalls
  "The lazy seq of the values of the fns (no arguments), computed in parallel."
  [& fns] (pmap (fn [f] (f)) fns))

(defmacro pvalues
  "The lazy seq of the values of the exprs, computed in parallel."
  [& exprs]
  `(pcalls ~@(map (fn [e] `(fn [] ~e)) exprs)))

;;;; Dynamic bindings.

(defmacro bound-fn
  "Like fn, but the function runs with the dynamic bindings in effect where
  it was created, on whatever thread calls it."
  [& fntail]
  `(bound-fn* (fn ~@fntail)))

(defmacro with-bindings
  "Runs body with the dynamic bindings of binding-map, a map from vars to values."
  [binding-map & body]
  `(with-bindings* ~binding-map (fn [] ~@body)))

(defn -local-var
  "A new dynamic var for with-local-vars, in the namespace kiln.local-vars."
  []
  (binding [*ns* (create-ns 'kiln.local-vars)]
    (eval (list 'def (with-meta (gensym "local") {:dynamic true})))))

(defmacro with-local-vars
  "varbinding => symbol init-expr. Runs body with each symbol naming a new
  var, bound (on this thread) to its init value: read it with var-get or @,
  change it with var-set."
  [name-vals-vec & body]
  (let [pairs (partition 2 name-vals-vec)]
    `(let [~@(mapcat (fn [[n _]] [n `(-local-var)]) pairs)]
       (push-thread-bindings (hash-map ~@(mapcat (fn [[n v]] [n v]) pairs)))
       (try ~@body (finally (pop-thread-bindings))))))

(defmacro locking
  "Evaluates body. Kiln has no object monitors: unlike the JVM's, this does
  not exclude other threads (use an atom for shared state)."
  [x & body]
  `(do ~x ~@body))

(defmacro io!
  "Evaluates body (there is no STM transaction for it to refuse to run in)."
  [& body]
  `(do ~@body))

;;;; Taps.

(def ^:private taps (atom #{}))

(defn add-tap
  "Adds f, a function of one argument, to the tap set: tap> calls it."
  [f] (swap! taps conj f) nil)

(defn remove-tap
  "Removes f from the tap set."
  [f] (swap! taps disj f) nil)

(defn tap>
  "Calls every tapped function with x (on this thread; exceptions are
  ignored). Returns true."
  [x]
  (doseq [f @taps]
    (try (f x) (catch Throwable _ nil)))
  true)

;;;; Small functions.

(defn underive
  "Removes the parent/child relation between tag and parent: from hierarchy
  h (returning the new hierarchy) or from the global hierarchy (returning
  nil). Other relations, direct or derived, are kept."
  ([tag parent] (swap! global-hierarchy underive tag parent) nil)
  ([h tag parent]
   (let [parents (:parents h)
         remaining (disj (get parents tag #{}) parent)
         parents (if (empty? remaining) (dissoc parents tag) (assoc parents tag remaining))]
     (if (= parents (:parents h))
       h
       (reduce (fn [acc [child ps]] (reduce (fn [a p] (derive a child p)) acc ps))
               (make-hierarchy)
               parents)))))

(defn any?
  "True for any argument."
  [x] true)

(defn simple-ident?
  "True for a symbol or keyword without a namespace."
  [x] (and (ident? x) (nil? (namespace x))))

(defn qualified-ident?
  "True for a symbol or keyword with a namespace."
  [x] (boolean (and (ident? x) (namespace x))))

(defn comparator
  "A comparator (-1, 0 or 1) from pred, a function that says whether its
  first argument sorts before its second."
  [pred]
  (fn [a b]
    (cond (pred a b) -1
          (pred b a) 1
          :else 0)))

(defn update-vals
  "m with f applied to each of its values (metadata kept)."
  [m f]
  (with-meta (persistent! (reduce-kv (fn [acc k v] (assoc! acc k (f v))) (transient {}) m))
    (meta m)))

(defn update-keys
  "m with f applied to each of its keys (metadata kept). Keys that f makes
  equal keep one of their values."
  [m f]
  (with-meta (persistent! (reduce-kv (fn [acc k v] (assoc! acc (f k) v)) (transient {}) m))
    (meta m)))

(defn parse-boolean
  "true for \"true\", false for \"false\", else nil."
  [s]
  (when-not (string? s)
    (throw (ex-new* "java.lang.IllegalArgumentException"
                    (str "Expected string, got " (if (nil? s) "nil" (class s))))))
  (case s "true" true "false" false nil))

(defn uuid?
  "True if x is a UUID."
  [x] (instance? java.util.UUID x))

(defn inst?
  "True if x is an instant (#inst)."
  [x] (instance? java.util.Date x))

(defn inst-ms*
  "The milliseconds since the epoch of an instant."
  [inst] (inst-ms inst))

(defn parse-uuid
  "The UUID written in s (8-4-4-4-12 hex digits), or nil if s is not one."
  [s]
  (when-not (string? s)
    (throw (ex-new* "java.lang.IllegalArgumentException"
                    (str "Expected string, got " (if (nil? s) "nil" (class s))))))
  (when (re-matches #"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" s)
    (read-string (str "#uuid \"" s "\""))))

(defn random-uuid
  "A new random (version 4) UUID."
  []
  (let [hex (fn [n] (apply str (repeatedly n #(nth "0123456789abcdef" (rand-int 16)))))]
    (read-string (str "#uuid \"" (hex 8) "-" (hex 4) "-4" (hex 3) "-"
                      (nth "89ab" (rand-int 4)) (hex 3) "-" (hex 12) "\""))))

(defn requiring-resolve
  "Resolves the namespace-qualified symbol sym, requiring its namespace first
  when it is not loaded yet."
  [sym]
  (when-not (qualified-symbol? sym)
    (throw (ex-new* "java.lang.IllegalArgumentException"
                    (str "Not a qualified symbol: " sym))))
  (or (resolve sym)
      (do (require (symbol (namespace sym)))
          (resolve sym))))

(defn seq-to-map-for-destructuring
  "The map that a map destructuring form reads from a seq of keys and values
  (or a seq holding one map)."
  [s] (-destructure-map s))

(defn namespace-munge
  "A namespace name with each - turned into _, as class names spell it."
  [ns]
  (apply str (map (fn [c] (if (= c \-) \_ c)) (str ns))))

(defn loaded-libs
  "A sorted set of the namespaces loaded with require, use or load."
  [] (apply sorted-set (-loaded-libs)))

(def ^:dynamic *clojure-version*
  "The Clojure version whose clojure.core Kiln follows."
  {:major 1, :minor 11, :incremental 1, :qualifier nil})

(defn clojure-version
  "The Clojure version Kiln follows, as a string."
  []
  (str (:major *clojure-version*) "." (:minor *clojure-version*) "." (:incremental *clojure-version*)))

(defn ns-imports
  "Kiln has no imported classes: always {}."
  [ns] {})

(defmacro import
  "Accepted for portable code and ignored: Kiln has no classes to import."
  [& specs] nil)

(defn test
  "Runs the :test function in v's metadata: :ok when there is one, else :no-test."
  [v]
  (if-let [t (:test (meta v))]
    (do (t) :ok)
    :no-test))

(defmacro definline
  "Defines name as a function whose body is the expansion of body with the
  arguments as its parameters. Kiln does not inline it: it is a plain defn."
  [name & decl]
  (let [[pre-args [args expr]] (split-with (comp not vector?) decl)]
    `(defn ~name ~@pre-args ~args
       ~(eval `(let [~@(mapcat (fn [a] [a `'~a]) args)] ~expr)))))

(defrecord TaggedLiteral [tag form])

(defn tagged-literal
  "A value standing for a tagged literal #tag form that has no reader fn."
  [tag form] (->TaggedLiteral tag form))

(defn tagged-literal?
  "True if x is a value made by tagged-literal."
  [x] (instance? TaggedLiteral x))

(defrecord ReaderConditional [form splicing?])

(defn reader-conditional
  "A value standing for a reader conditional #?(...) or #?@(...) (splicing?)."
  [form splicing?] (->ReaderConditional form splicing?))

(defn reader-conditional?
  "True if x is a value made by reader-conditional."
  [x] (instance? ReaderConditional x))

;; unchecked-byte/short/char/float/double and the unchecked-*-int family are
;; natives (src/runtime/number.c).

(defmacro with-precision
  "Runs body with decimal arithmetic rounded to precision digits, using the
  rounding mode given after :rounding (HALF_UP when none): (with-precision 10
  :rounding HALF_EVEN (/ 1M 3))."
  [precision & exprs]
  (let [[body rm] (if (= (first exprs) :rounding)
                    [(nnext exprs) (second exprs)]
                    [exprs 'HALF_UP])]
    `(binding [*math-context* [~precision '~rm]] ~@body)))
