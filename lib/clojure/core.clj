;; clojure/core.clj — the part of clojure.core written in Kiln itself.
;;
;; The runtime registers the primitives (first, cons, count, conj, +, str,
;; ...) as natives in clojure.core before this file is loaded; it adds the
;; macros and functions a normal program and clojure.test need, in an order
;; where each definition uses only what precedes it. The first section has
;; no macros at all (fn*, let*, loop* and the natives); destructuring
;; versions of fn, let and loop replace the plain ones once `destructure`
;; exists.

(in-ns 'clojure.core)

;;;; Bootstrap: concat (syntax-quote expands into it) and the plain macros.

(def ^{:arglists '([& colls])
       :doc "A lazy seq of the items of each coll, one coll after another."}
  concat
  (fn* concat
    ([] (lazy-seq* (fn* [] nil)))
    ([a] (lazy-seq* (fn* [] a)))
    ([a b]
     (lazy-seq* (fn* []
                  (let* [s (seq a)]
                    (if s
                      (cons (first s) (concat (rest s) b))
                      (seq b))))))
    ([a b & more]
     ;; The first two, then (lazily) the concatenation of the rest.
     (concat a (lazy-seq* (fn* [] (apply concat b more)))))))

(def ^{:macro true :arglists '([& sigs])} fn
  (fn* fn [&form &env & decl] (with-meta (cons 'fn* decl) (meta &form))))

(def ^{:macro true :arglists '([& body])} comment (fn* comment [&form &env & body] nil))

(def ^{:arglists '([x])} not (fn* not [x] (if x false true)))
(def ^{:arglists '([x])} nil? (fn* nil? [x] (identical? x nil)))
(def ^{:arglists '([x])} some? (fn* some? [x] (if (identical? x nil) false true)))
(def ^{:arglists '([x])} true? (fn* true? [x] (identical? x true)))
(def ^{:arglists '([x])} false? (fn* false? [x] (identical? x false)))
(def ^{:arglists '([x])} boolean (fn* boolean [x] (if x true false)))

(def ^{:arglists '([coll]) :doc "The last item of coll (walks the whole seq)."}
  last
  (fn* last [s] (if (next s) (recur (next s)) (first s))))

(def ^{:arglists '([coll]) :doc "A seq of coll without its last item, or nil (walks the whole seq)."}
  butlast
  (fn* butlast [s]
    (loop* [ret [] s s]
      (if (next s)
        (recur (conj ret (first s)) (next s))
        (seq ret)))))

(def ^{:private true} map1
  (fn* map1 [f coll]
    (lazy-seq* (fn* []
                 (let* [s (seq coll)]
                   (if s (cons (f (first s)) (map1 f (rest s))) nil))))))

(def ^{:private true} sigs
  ;; The parameter vectors of a defn's fn tail, for :arglists.
  (fn* [fdecl]
    (if (seq? (first fdecl))
      (loop* [out [] ds (seq fdecl)]
        (if ds
          (recur (conj out (first (first ds))) (next ds))
          (seq out)))
      (list (first fdecl)))))

(def ^{:macro true
       :doc "Defines a var holding (fn name ...), with an optional docstring and attribute map added to the var's metadata and :arglists computed from the parameter vectors."
       :arglists '([name doc-string? attr-map? [params*] prepost-map? body]
                   [name doc-string? attr-map? ([params*] prepost-map? body) + attr-map?])}
  defn
  (fn* defn [&form &env name & fdecl]
    (if (symbol? name) nil
        (throw (ex-new* "java.lang.IllegalArgumentException" "First argument to defn must be a symbol")))
    (let* [m (if (string? (first fdecl)) {:doc (first fdecl)} {})
           fdecl (if (string? (first fdecl)) (next fdecl) fdecl)
           m (if (map? (first fdecl)) (conj m (first fdecl)) m)
           fdecl (if (map? (first fdecl)) (next fdecl) fdecl)
           fdecl (if (vector? (first fdecl)) (list fdecl) fdecl)
           m (if (map? (last fdecl)) (conj m (last fdecl)) m)
           fdecl (if (map? (last fdecl)) (butlast fdecl) fdecl)
           m (conj {:arglists (list 'quote (sigs fdecl))} m)
           m (conj (if (meta name) (meta name) {}) m)]
      (list 'def (with-meta name m)
            (with-meta (cons `fn fdecl) (meta &form))))))

(def ^{:macro true
       :doc "Like defn, but defines a macro: a function of forms (with &form and &env) that the compiler calls to expand code."
       :arglists '([name doc-string? attr-map? [params*] body]
                   [name doc-string? attr-map? ([params*] body) + attr-map?])}
  defmacro
  (fn* defmacro [&form &env name & args]
    (let* [prefix (loop* [p (list name) args args]
                    (let* [f (first args)]
                      (if (string? f)
                        (recur (cons f p) (next args))
                        (if (map? f)
                          (recur (cons f p) (next args))
                          p))))
           fdecl (loop* [fd args]
                   (if (string? (first fd))
                     (recur (next fd))
                     (if (map? (first fd))
                       (recur (next fd))
                       fd)))
           fdecl (if (vector? (first fdecl)) (list fdecl) fdecl)
           add-implicit-args (fn* [fd]
                               (let* [args (first fd)]
                                 (cons (vec (cons '&form (cons '&env args))) (next fd))))
           add-args (fn* [acc ds]
                      (if (nil? ds)
                        acc
                        (let* [d (first ds)]
                          (if (map? d)
                            (conj acc d)
                            (recur (conj acc (add-implicit-args d)) (next ds))))))
           ;; :arglists as written, without the implicit &form and &env.
           arglists (loop* [out [] ds (seq fdecl)]
                      (if ds
                        (recur (if (seq? (first ds)) (conj out (first (first ds))) out) (next ds))
                        (seq out)))
           fdecl (seq (add-args [] fdecl))
           decl (loop* [p prefix d fdecl]
                  (if p
                    (recur (next p) (cons (first p) d))
                    d))
           nm (first decl)]
      (list 'do
            (cons `defn (cons (with-meta nm (assoc (if (meta nm) (meta nm) {}) :macro true))
                              (next decl)))
            (list 'clojure.core/alter-meta! (list 'var nm) 'clojure.core/assoc :arglists (list 'quote arglists))
            (list 'var nm)))))

;;;; Basic macros.

(defmacro when
  "Evaluates body (as a do) when test is truthy; else nil."
  [test & body]
  (list 'if test (cons 'do body)))

(defmacro when-not
  "Evaluates body (as a do) when test is falsey; else nil."
  [test & body]
  (list 'if test nil (cons 'do body)))

(defmacro if-not
  "(if (not test) then else): else defaults to nil."
  ([test then] `(if-not ~test ~then nil))
  ([test then else] `(if (not ~test) ~then ~else)))

(defmacro cond
  "clauses => test expr ... Returns the expr of the first truthy test, or nil when none is. Tests after the first truthy one are not evaluated."
  [& clauses]
  (let* [v (vec clauses)
         n (count v)]
    (if (odd? n)
      (throw (ex-new* "java.lang.IllegalArgumentException"
                      "cond requires an even number of forms"))
      ;; Built from the last pair outwards: (if t1 e1 (if t2 e2 nil)).
      (loop* [i (- n 2) acc nil]
        (if (neg? i)
          acc
          (recur (- i 2) (list 'if (nth v i) (nth v (inc i)) acc)))))))

(defmacro and
  "Evaluates the exprs left to right and stops at the first falsey one, returning it; else the last value. (and) is true."
  ([] true)
  ([x] x)
  ([x & more]
   (let* [v (gensym "and__")]
     (list 'let* [v x]
           (list 'if v (cons 'clojure.core/and more) v)))))

(defmacro or
  "Evaluates the exprs left to right and stops at the first truthy one, returning it; else the last value. (or) is nil."
  ([] nil)
  ([x] x)
  ([x & more]
   (let* [v (gensym "or__")]
     (list 'let* [v x]
           (list 'if v v (cons 'clojure.core/or more))))))

(defmacro ->
  "Rewrites (-> x f (g a)) as (g (f x) a): x goes in as the first argument of
  the first form, that result as the first argument of the next, and so on.
  A bare symbol or keyword f counts as (f)."
  [x & forms]
  (reduce (fn* [acc form]
            (if (seq? form)
              (with-meta (list* (first form) acc (next form)) (meta form))
              (list form acc)))
          x forms))

(defmacro ->>
  "Rewrites (->> x f (g a)) as (g a (f x)): x goes in as the last argument of
  the first form, that result as the last argument of the next, and so on. A
  bare symbol or keyword f counts as (f)."
  [x & forms]
  (reduce (fn* [acc form]
            (if (seq? form)
              (with-meta (seq (concat form (list acc))) (meta form))
              (list form acc)))
          x forms))

(defmacro declare
  "Creates the named vars without values, so code can refer to them before their def."
  [& names]
  `(do ~@(map1 (fn* [n] (list 'def (vary-meta n assoc :declared true))) names)))

(defmacro lazy-seq
  "A lazy seq whose contents are what body returns (a seq, a collection or nil). body runs once, the first time the seq is used."
  [& body]
  (list 'clojure.core/lazy-seq* (list* 'fn* [] body)))

(defmacro delay
  "A delay of body: force or deref runs body the first time only and returns the same value (or rethrows the same exception) every time."
  [& body]
  (list 'clojure.core/delay* (list* 'fn* [] body)))

;;;; Sequences: what the rest of this file is written with.

(defn ^:private repeat-n- [n x]
  (loop* [n n out ()] (if (pos? n) (recur (dec n) (cons x out)) out)))

(defn ^:private mapcat- [f coll]
  (lazy-seq
   (let* [s (seq coll)]
     (when s (concat (f (first s)) (mapcat- f (rest s)))))))

(defn ^:private merge- [m & ms]
  (reduce (fn* [acc x]
            (if x (reduce (fn* [a e] (assoc a (key e) (val e))) (if acc acc {}) x) acc))
          m ms))

(defn ^:private remove-nil- [coll]
  (lazy-seq
   (let* [s (seq coll)]
     (when s
       (if (nil? (first s))
         (remove-nil- (rest s))
         (cons (first s) (remove-nil- (rest s))))))))

(defn complement
  "A function returning the boolean opposite of what f returns for the same arguments."
  [f]
  (fn*
   ([] (not (f)))
   ([x] (not (f x)))
   ([x y] (not (f x y)))
   ([x y & zs] (not (apply f x y zs)))))

(defn constantly
  "Makes a function that ignores its arguments, however many, and returns x
  every time."
  [x] (fn* [& args] x))

(defn every?
  "True when (pred x) is truthy for every x of coll (true for an empty coll)."
  [pred coll]
  (loop* [s (seq coll)]
    (if s
      (if (pred (first s)) (recur (next s)) false)
      true)))

(defn some
  "Tries pred on the items of coll in order and returns the first truthy
  result; nil when there is none."
  [pred coll]
  (loop* [s (seq coll)]
    (when s
      (let* [v (pred (first s))]
        (if v v (recur (next s)))))))

(defn interleave
  "Lazily yields one item from each coll in turn (the first of each, then the
  second of each, ...) and stops when any coll is used up."
  ([] ())
  ([c1] (lazy-seq c1))
  ([c1 c2]
   (lazy-seq
    (let* [s1 (seq c1) s2 (seq c2)]
      (when (and s1 s2)
        (cons (first s1) (cons (first s2) (interleave (rest s1) (rest s2))))))))
  ([c1 c2 & colls]
   (lazy-seq
    (let* [ss (map1 seq (list* c1 c2 colls))]
      (when (every? identity ss)
        (concat (map1 first ss) (apply interleave (map1 rest ss))))))))

(defn drop
  "Bootstrap version (redefined with a transducer arity in core_seq.clj): coll without its first n items."
  [n coll]
  (lazy-seq
   (loop* [n n s (seq coll)]
     (if (and (pos? n) s)
       (recur (dec n) (next s))
       s))))

(defn take-nth
  "Bootstrap version (redefined with a transducer arity in core_seq.clj): every nth item of coll."
  [n coll]
  (lazy-seq
   (let* [s (seq coll)]
     (when s (cons (first s) (take-nth n (drop n s)))))))

(defn ^:private partition-pairs- [coll]
  (lazy-seq
   (let* [s (seq coll)]
     (when s
       (cons [(first s) (second s)] (partition-pairs- (nnext s)))))))

;;;; Destructuring.

(defn -destructure-map
  "The map a map binding form destructures: a seq of key/values becomes a map."
  [m]
  (if (seq? m)
    (if (next m)
      (apply hash-map m)
      (if (seq m) (first m) {}))
    m))

(defn ^:private bind-form
  "Appends to binding vector [out] the let* bindings that destructure [b] from expression [v]."
  [out b v]
  (cond
    (symbol? b)
    (conj (conj out b) v)

    (vector? b)
    (let* [g (gensym "vec__")]
      (loop* [out (conj (conj out g) v)
              n 0
              bs (seq b)
              after-rest false]
        (if bs
          (let* [x (first bs)]
            (cond
              (= x '&)
              (recur (bind-form out (second bs) (list `nthnext g n)) n (nnext bs) true)

              (= x :as)
              (recur (bind-form out (second bs) g) n (nnext bs) after-rest)

              after-rest
              (throw (ex-new* "java.lang.Exception" "Unsupported binding form, only :as can follow & parameter"))

              :else
              (recur (bind-form out x (list `nth g n nil)) (inc n) (next bs) after-rest)))
          out)))

    (map? b)
    (let* [g (gensym "map__")
           defaults (get b :or)
           out (conj (conj out g) v)
           out (conj (conj out g) (list `-destructure-map g))
           out (if (contains? b :as) (conj (conj out (get b :as)) g) out)
           lookup (fn* [local k]
                    (if (contains? defaults local)
                      (list `get g k (get defaults local))
                      (list `get g k)))]
      (loop* [out out entries (seq b)]
        (if entries
          (let* [e (first entries)
                 k (key e)
                 spec (val e)
                 kname (if (keyword? k) (name k) nil)
                 kns (if (keyword? k) (namespace k) nil)]
            (cond
              (or (= k :as) (= k :or))
              (recur out (next entries))

              (or (= kname "keys") (= kname "syms") (= kname "strs"))
              (recur
               (loop* [out out items (seq spec)]
                 (if items
                   (let* [item (first items)
                          iname (name item)
                          ins (or kns (namespace item))
                          local (with-meta (symbol iname) (meta item))
                          key (cond (= kname "keys") (keyword ins iname)
                                    (= kname "syms") (list 'quote (symbol ins iname))
                                    :else iname)]
                     (recur (conj (conj out local) (lookup local key)) (next items)))
                   out))
               (next entries))

              (symbol? k)
              (recur (conj (conj out k) (lookup k spec)) (next entries))

              :else
              (recur (bind-form out k (list `get g spec)) (next entries))))
          out)))

    :else
    (throw (ex-new* "java.lang.Exception" (str "Unsupported binding form: " (pr-str b))))))

(defn destructure
  "Turns a binding vector whose names may be destructuring forms into one of plain symbols."
  [bindings]
  (let* [pairs (partition-pairs- bindings)]
    (if (every? (fn* [p] (symbol? (first p))) pairs)
      bindings
      (reduce (fn* [out p] (bind-form out (first p) (second p))) [] pairs))))

(defmacro let
  "bindings => [binding-form init-expr ...]

  Evaluates body with each binding form bound to its init's value, in order, so later inits see earlier names. Binding forms may be symbols or vector and map destructuring forms."
  [bindings & body]
  (when-not (vector? bindings)
    (throw (ex-new* "java.lang.IllegalArgumentException" "let requires a vector for its binding")))
  (when-not (even? (count bindings))
    (throw (ex-new* "java.lang.IllegalArgumentException" "let requires an even number of forms in binding vector")))
  `(let* ~(destructure bindings) ~@body))

(defn ^:private maybe-destructured [params body]
  (if (every? symbol? params)
    (cons params body)
    (loop* [params (seq params) new-params [] lets []]
      (if params
        (let* [p (first params)]
          (if (symbol? p)
            (recur (next params) (conj new-params p) lets)
            (let* [g (gensym "p__")]
              (recur (next params) (conj new-params g) (conj (conj lets p) g)))))
        `(~new-params (let ~lets ~@body))))))

(defmacro fn
  "(fn name? [params*] prepost-map? body) or (fn name? ([params*] body)+)

  A function value. Parameters may be destructuring forms, & rest collects the remaining arguments, and a name lets the body call the function itself. :pre and :post conditions are checked with assert (% is the return value in :post)."
  [& sigs]
  (let* [name (if (symbol? (first sigs)) (first sigs) nil)
         sigs (if name (next sigs) sigs)
         sigs (if (vector? (first sigs))
                (list sigs)
                (if (seq? (first sigs))
                  sigs
                  (throw (ex-new* "java.lang.IllegalArgumentException"
                                  (if (seq sigs)
                                    (str "Parameter declaration " (first sigs) " should be a vector")
                                    "Parameter declaration missing")))))
         psig (fn* [sig]
                (when-not (seq? sig)
                  (throw (ex-new* "java.lang.IllegalArgumentException"
                                  (str "Invalid signature " sig " should be a list"))))
                (let* [params (first sig)
                       _ (when-not (vector? params)
                           (throw (ex-new* "java.lang.IllegalArgumentException"
                                           (if (seq? (first sigs))
                                             (str "Parameter declaration " params " should be a vector")
                                             (str "Invalid signature " sig " should be a list")))))
                       body (next sig)
                       conds (when (and (next body) (map? (first body))) (first body))
                       body (if conds (next body) body)
                       pre (get conds :pre)
                       post (get conds :post)
                       body (if post
                              `((let [~'% ~(if (< 1 (count body)) `(do ~@body) (first body))]
                                  ~@(map1 (fn* [c] `(assert ~c)) post)
                                  ~'%))
                              body)
                       body (if pre
                              (concat (map1 (fn* [c] `(assert ~c)) pre) body)
                              body)]
                  (maybe-destructured params body)))
         new-sigs (map1 psig sigs)]
    (with-meta
      (if name (list* 'fn* name new-sigs) (cons 'fn* new-sigs))
      (meta &form))))

(defmacro loop
  "Like let, but body may (recur ...) with new values for the bindings. Binding forms may destructure."
  [bindings & body]
  (when-not (vector? bindings)
    (throw (ex-new* "java.lang.IllegalArgumentException" "loop requires a vector for its binding")))
  (when-not (even? (count bindings))
    (throw (ex-new* "java.lang.IllegalArgumentException" "loop requires an even number of forms in binding vector")))
  (let [db (destructure bindings)]
    (if (= db bindings)
      `(loop* ~bindings ~@body)
      (let [pairs (partition-pairs- bindings)
            gs (vec (map1 (fn [[b _]] (if (symbol? b) b (gensym "loop__"))) pairs))
            outer (reduce (fn [out [[b v] g]]
                            (if (symbol? b) (conj out g v) (conj out g v b g)))
                          [] (map1 (fn [i] [(nth pairs i) (nth gs i)]) (range (count gs))))
            inner (vec (interleave (map1 first pairs) gs))]
        `(let ~outer
           (loop* ~(vec (interleave gs gs))
             (let ~inner ~@body)))))))

(defmacro defn-
  "defn for a private var."
  [name & decls]
  (list* `defn (with-meta name (assoc (meta name) :private true)) decls))

;;;; More control flow.

(defn- binding-pair-
  "The [binding-form expr] of the binding vector of macro mname, checked."
  [mname bindings]
  (if (and (vector? bindings) (= 2 (count bindings)))
    bindings
    (throw (ex-new* "java.lang.IllegalArgumentException"
                    (str mname " requires exactly 2 forms in binding vector")))))

(defn- test-and-bind-
  "The code shared by if-let, when-let, if-some and when-some: evaluates expr
  once, and when (ok? value) holds, evaluates then with form bound to it."
  [ok? bindings then else]
  (let [[form expr] bindings
        v (gensym "val__")]
    (list 'let* [v expr]
          (list 'if (if (= ok? 'some?) (list 'clojure.core/some? v) v)
                (list 'clojure.core/let [form v] then)
                else))))

(defmacro if-let
  "(if-let [binding-form test] then else): if the value of test is truthy,
  binds it to binding-form (which may destructure) and evaluates then;
  otherwise evaluates else, or returns nil without one."
  ([bindings then] (test-and-bind- 'truthy? (binding-pair- "if-let" bindings) then nil))
  ([bindings then else & more]
   (when more
     (throw (ex-new* "java.lang.IllegalArgumentException" "if-let requires exactly 2 forms in binding vector")))
   (test-and-bind- 'truthy? (binding-pair- "if-let" bindings) then else)))

(defmacro when-let
  "(when-let [binding-form test] & body): if the value of test is truthy,
  binds it to binding-form (which may destructure) and evaluates body;
  otherwise returns nil."
  [bindings & body]
  (test-and-bind- 'truthy? (binding-pair- "when-let" bindings) (cons 'do body) nil))

(defmacro if-some
  "(if-some [binding-form test] then else): like if-let, but any value other
  than nil counts, false included."
  ([bindings then] (test-and-bind- 'some? (binding-pair- "if-some" bindings) then nil))
  ([bindings then else & more]
   (when more
     (throw (ex-new* "java.lang.IllegalArgumentException" "if-some requires exactly 2 forms in binding vector")))
   (test-and-bind- 'some? (binding-pair- "if-some" bindings) then else)))

(defmacro when-some
  "(when-some [binding-form test] & body): like when-let, but any value other
  than nil counts, false included."
  [bindings & body]
  (test-and-bind- 'some? (binding-pair- "when-some" bindings) (cons 'do body) nil))

(defmacro when-first
  "bindings => [x coll]

  When coll has items, evaluates body with x bound to the first one. coll is evaluated once."
  [bindings & body]
  (let [[x coll] (binding-pair- "when-first" bindings)
        s (gensym "s__")]
    `(let [~s (seq ~coll)]
       (when ~s
         (let [~x (first ~s)] ~@body)))))

(defmacro condp
  "(condp pred expr test1 result1 test2 :>> f ... default?)

  Returns the result of the first clause for which (pred test expr) is truthy; with :>> it returns (f (pred test expr)). Without a matching clause, returns default or throws IllegalArgumentException."
  [pred expr & clauses]
  (let [p (gensym "pred__")
        x (gensym "expr__")
        ;; Split the clauses into [test result-or-fn arrow?] groups and a default.
        groups (loop [cs (seq clauses) out []]
                 (cond
                   (nil? cs) [out nil false]
                   (nil? (next cs)) [out (first cs) true]
                   (= :>> (second cs)) (recur (nthnext cs 3) (conj out [(first cs) (nth cs 2) true]))
                   :else (recur (nnext cs) (conj out [(first cs) (second cs) false]))))
        [tests default has-default] groups
        fallback (if has-default
                   default
                   `(throw (ex-new* "java.lang.IllegalArgumentException"
                                    (str "No matching clause: " ~x))))
        body (reduce (fn [acc [test result arrow]]
                       (if arrow
                         (let [r (gensym "r__")]
                           `(let [~r (~p ~test ~x)] (if ~r (~result ~r) ~acc)))
                         `(if (~p ~test ~x) ~result ~acc)))
                     fallback
                     (rseq tests))]
    `(let [~p ~pred ~x ~expr] ~body)))

(defmacro cond->
  "Threads expr through each form (as with ->) whose test is truthy, skipping the others. Tests do not see the threaded value."
  [expr & clauses]
  (let [v (gensym "v__")]
    `(let [~v ~expr
           ~@(mapcat- (fn [[test form]] [v `(if ~test (-> ~v ~form) ~v)]) (partition-pairs- clauses))]
       ~v)))

(defmacro cond->>
  "Threads expr through each form (as with ->>) whose test is truthy, skipping the others. Tests do not see the threaded value."
  [expr & clauses]
  (let [v (gensym "v__")]
    `(let [~v ~expr
           ~@(mapcat- (fn [[test form]] [v `(if ~test (->> ~v ~form) ~v)]) (partition-pairs- clauses))]
       ~v)))

(defmacro as->
  "Binds name to expr, then to the value of each form in turn (each form sees the previous value as name); returns the last."
  [expr name & forms]
  `(let [~name ~expr
         ~@(mapcat- (fn [form] [name form]) forms)]
     ~name))

(defmacro some->
  "Threads expr through the forms as -> does, stopping with nil as soon as a step gives nil."
  [expr & clauses]
  (let [v (gensym "v__")]
    `(let [~v ~expr
           ~@(mapcat- (fn [form] [v `(when-not (nil? ~v) (-> ~v ~form))]) clauses)]
       ~v)))

(defmacro some->>
  "Threads expr through the forms as ->> does, stopping with nil as soon as a step gives nil."
  [expr & clauses]
  (let [v (gensym "v__")]
    `(let [~v ~expr
           ~@(mapcat- (fn [form] [v `(when-not (nil? ~v) (->> ~v ~form))]) clauses)]
       ~v)))

(defmacro doto
  "Evaluates x, calls each form with x inserted as its first argument (for side effects), and returns x."
  [x & forms]
  (let [gx (gensym)]
    `(let [~gx ~x]
       ~@(map1 (fn [f]
                 (if (seq? f)
                   (with-meta `(~(first f) ~gx ~@(next f)) (meta f))
                   `(~f ~gx)))
               forms)
       ~gx)))

(defmacro while
  "Evaluates body again and again while test is truthy; returns nil."
  [test & body]
  `(loop []
     (when ~test
       ~@body
       (recur))))

(defmacro dotimes
  "(dotimes [i n] & body): evaluates body once for each i from 0 up to n-1,
  for its side effects, and returns nil."
  [bindings & body]
  (let [i (first bindings)
        n (second bindings)]
    `(let [n# (long ~n)]
       (loop [~i 0]
         (when (< ~i n#)
           ~@body
           (recur (unchecked-inc ~i)))))))

(defmacro letfn
  "fnspecs => [(fname [params*] body) ...] or [(fname ([params*] body)+) ...]

  Evaluates body with local functions that can all call each other (and themselves)."
  [fnspecs & body]
  `(letfn* ~(vec (mapcat- (fn [spec] [(first spec) (cons `fn spec)]) fnspecs))
           ~@body))

(defmacro assert
  "When *assert* is true at compile time, throws an AssertionError (with the optional message) if x is falsey at run time."
  ([x]
   (when *assert*
     `(when-not ~x
        (throw (ex-new* "java.lang.AssertionError" (str "Assert failed: " (pr-str '~x)))))))
  ([x message]
   (when *assert*
     `(when-not ~x
        (throw (ex-new* "java.lang.AssertionError" (str "Assert failed: " ~message "\n" (pr-str '~x))))))))

(defmacro binding
  "bindings => [var-symbol value-expr ...]

  Evaluates body with the dynamic vars given new values on this thread, restoring the previous ones afterwards, even on an exception."
  [bindings & body]
  (when-not (vector? bindings)
    (throw (ex-new* "java.lang.IllegalArgumentException" "binding requires a vector for its binding")))
  (when-not (even? (count bindings))
    (throw (ex-new* "java.lang.IllegalArgumentException" "binding requires an even number of forms in binding vector")))
  (let [pairs (partition-pairs- bindings)]
    `(do
       (push-thread-bindings (hash-map ~@(mapcat- (fn [[v e]] [`(var ~v) e]) pairs)))
       (try
         ~@body
         (finally
           (pop-thread-bindings))))))

(defmacro with-redefs
  "bindings => [var-symbol value-expr ...]

  Evaluates body with the root values of the vars replaced (for every thread), restoring them afterwards. Handy for stubbing in tests."
  [bindings & body]
  `(with-redefs-fn ~(list* `hash-map (mapcat- (fn [[v e]] [`(var ~v) e]) (partition-pairs- bindings)))
     (fn [] ~@body)))

(defn with-redefs-fn
  "Calls func with the root value of each var key of binding-map replaced by its value, restoring the roots afterwards."
  [binding-map func]
  (let [olds (reduce (fn [m v] (assoc m v (deref v))) {} (keys binding-map))
        set-all (fn [m] (reduce (fn [_ v] (alter-var-root v (constantly (get m v)))) nil (keys m)))]
    (set-all binding-map)
    (try
      (func)
      (finally
        (set-all olds)))))

(defmacro defonce
  "Defines name with the value of expr only when the var has no value yet; otherwise expr is not evaluated."
  [name expr]
  `(let [v# (def ~name)]
     (when-not (bound? v#)
       (def ~name ~expr))))

(defmacro case
  "(case expr test-constant result ... default?)

  Compares expr's value with unevaluated constants (a list groups several constants for one result) and evaluates the matching result, else default. Without a default and a match, throws IllegalArgumentException."
  [e & clauses]
  (let [g (gensym "case__")
        has-default (odd? (count clauses))
        default (when has-default (last clauses))
        pairs (partition-pairs- (if has-default (butlast clauses) clauses))
        table (vec (mapcat- (fn [[test then]]
                              [(if (seq? test) (vec test) [test]) then])
                            pairs))]
    `(let [~g ~e]
       ~(if has-default
          `(case* ~g ~table ~default)
          `(case* ~g ~table)))))

;;;; Namespaces.

(defmacro refer-clojure
  "(refer 'clojure.core filters...): :exclude, :only and :rename as for refer."
  [& filters]
  `(refer '~'clojure.core ~@(map1 (fn [f] `'~f) filters)))

(defmacro ns
  "Creates namespace name if needed, makes it current, refers clojure.core, and handles the references: (:require ...), (:use ...), (:refer-clojure ...), (:load ...). :import and :gen-class are accepted and ignored."
  [nsname & references]
  (let [docstring (when (string? (first references)) (first references))
        references (if docstring (next references) references)
        attr (when (map? (first references)) (first references))
        references (if attr (next references) references)
        process (fn [[kname & args]]
                  (let [k (keyword (name kname))]
                    (cond
                      (= k :require) `(require ~@(map1 (fn [a] `'~a) args))
                      (= k :use) `(use ~@(map1 (fn [a] `'~a) args))
                      (= k :refer-clojure) `(refer '~'clojure.core ~@(map1 (fn [a] `'~a) args))
                      (= k :load) `(load ~@args)
                      (or (= k :import) (= k :gen-class) (= k :require-macros)) nil
                      :else (throw (ex-new* "java.lang.IllegalArgumentException"
                                            (str "Unsupported ns clause: " kname))))))
        refers-clojure (some (fn [r] (and (seq? r) (= :refer-clojure (keyword (name (first r)))))) references)]
    `(do
       (in-ns '~nsname)
       ~@(when-not refers-clojure [`(refer '~'clojure.core)])
       ~@(remove-nil- (map1 process references))
       nil)))


;;;; The sequence library and transducers.

(load "core_seq")

;;;; Functions of functions.

(defn comp
  "The composition of the fns: ((comp f g) x) is (f (g x)). The rightmost fn may take any arguments. (comp) is identity."
  ([] identity)
  ([f] f)
  ([f g]
   (fn
     ([] (f (g)))
     ([x] (f (g x)))
     ([x y] (f (g x y)))
     ([x y & args] (f (apply g x y args)))))
  ([f g & fs]
   (reduce comp (list* f g fs))))

(defn partial
  "A function that calls f with the given arguments followed by its own."
  ([f] f)
  ([f a] (fn [& args] (apply f a args)))
  ([f a b] (fn [& args] (apply f a b args)))
  ([f a b & more] (fn [& args] (apply f a b (concat more args)))))

(defn juxt
  "A function returning the vector of the values of each fn for its arguments: ((juxt a b) x) is [(a x) (b x)]."
  [& fs]
  (fn [& args] (mapv (fn [f] (apply f args)) fs)))

(defn fnil
  "A function that calls f with nil arguments in the first (up to three) positions replaced by the given defaults."
  ([f x] (fn [a & more] (apply f (if (nil? a) x a) more)))
  ([f x y] (fn [a b & more] (apply f (if (nil? a) x a) (if (nil? b) y b) more)))
  ([f x y z] (fn [a b c & more] (apply f (if (nil? a) x a) (if (nil? b) y b) (if (nil? c) z c) more))))

(defn every-pred
  "A predicate that is true when every one of ps is truthy for every one of its arguments."
  [& ps]
  (fn [& args] (every? (fn [p] (every? p args)) ps)))

(defn some-fn
  "A function returning the first truthy value of any of ps on any of its arguments, else a falsey value."
  [& ps]
  (fn [& args]
    (loop [ps (seq ps) result nil]
      (if ps
        (let [p (first ps)
              r (loop [as (seq args) r result]
                  (if as
                    (let [v (p (first as))] (if v v (recur (next as) v)))
                    r))]
          (if r r (recur (next ps) r)))
        result))))

(defn memoize
  "A version of f that caches its results by argument list. Only for functions without side effects."
  [f]
  (let [cache (atom {})
        missing (volatile! nil)]
    (fn [& args]
      (let [hit (get @cache args missing)]
        (if (identical? hit missing)
          (let [v (apply f args)]
            (swap! cache assoc args v)
            v)
          hit)))))

(defn trampoline
  "Runs mutually recursive functions without growing the stack: calls f with
  args, and as long as the result is a function, calls that result with no
  arguments. The first result that is not a function is returned."
  ([f]
   (loop [v (f)]
     (if (fn? v) (recur (v)) v)))
  ([f & args]
   (trampoline (fn [] (apply f args)))))

;;;; Maps.

(defn merge
  "The maps combined left to right with conj: for a key in several maps the rightmost value wins. nil when every map is nil."
  [& maps]
  (when (some some? maps)
    (reduce (fn [acc m]
              (if (nil? m) acc (conj (if (nil? acc) {} acc) m)))
            (first maps) (rest maps))))

(def ^:private missing-key- (volatile! ::missing))

(defn merge-with
  "Like merge, but for a key in several maps the values are combined with (f earlier later)."
  [f & maps]
  (let [add (fn [acc [k v]]
              (let [old (get acc k missing-key-)]
                (assoc acc k (if (identical? old missing-key-) v (f old v)))))]
    (when (some some? maps)
      (reduce (fn [acc m]
                (if (nil? m) acc (reduce add (if (nil? acc) {} acc) m)))
              (first maps) (rest maps)))))

(defn get-in
  "The value found by following the keys ks into nested associative structures; not-found (default nil) when a key is missing."
  ([m ks] (reduce get m ks))
  ([m ks not-found]
   (loop [m m ks (seq ks)]
     (if ks
       (let [m (get m (first ks) ::get-in-missing)]
         (if (identical? ::get-in-missing m)
           not-found
           (recur m (next ks))))
       m))))

(defn assoc-in
  "m with v stored at the path of keys ks, creating maps for missing levels."
  [m [k & ks] v]
  (if ks
    (assoc m k (assoc-in (get m k) ks v))
    (assoc m k v)))

(defn update
  "m with the value at k replaced by (f old-value args...)."
  ([m k f] (assoc m k (f (get m k))))
  ([m k f x] (assoc m k (f (get m k) x)))
  ([m k f x y] (assoc m k (f (get m k) x y)))
  ([m k f x y & more] (assoc m k (apply f (get m k) x y more))))

(defn update-in
  "m with the value at the path ks replaced by (f old-value args...), creating maps for missing levels."
  [m ks f & args]
  (let [up (fn up [m ks]
             (let [[k & ks] ks]
               (if ks
                 (assoc m k (up (get m k) ks))
                 (assoc m k (apply f (get m k) args)))))]
    (up m ks)))

(defn select-keys
  "A map of the entries of map whose keys are in keyseq."
  [map keyseq]
  (with-meta
    (reduce (fn [out k]
              (let [e (find map k)]
                (if e (conj out e) out)))
            {} keyseq)
    (meta map)))

(defn zipmap
  "A map from each key to the value at the same position of vals (stops at the shorter)."
  [keys vals]
  (persistent!
   (reduce (fn [m [k v]] (assoc! m k v))
           (transient {})
           (map vector keys vals))))

(defn frequencies
  "A map from each distinct item of coll to how many times it occurs."
  [coll]
  (reduce (fn [counts x] (update counts x (fnil inc 0))) {} coll))

(defn group-by
  "A map from each value of (f item) to the vector of the items of coll giving it, in coll's order."
  [f coll]
  (reduce (fn [groups x] (update groups (f x) (fnil conj []) x)) {} coll))

;;;; Sorting.

(defn- merge-sorted- [cmp a b]
  (loop [out (transient []) a (seq a) b (seq b)]
    (cond
      (nil? a) (persistent! (reduce conj! out b))
      (nil? b) (persistent! (reduce conj! out a))
      (pos? (cmp (first a) (first b))) (recur (conj! out (first b)) a (next b))
      :else (recur (conj! out (first a)) (next a) b))))

(defn- sort-vec- [cmp v]
  (let [n (count v)]
    (if (< n 2)
      v
      (let [h (quot n 2)]
        (merge-sorted- cmp (sort-vec- cmp (subvec v 0 h)) (sort-vec- cmp (subvec v h n)))))))

(defn- as-comparator- [f]
  (fn [a b]
    (let [r (f a b)]
      (if (number? r) r (if r -1 (if (f b a) 1 0))))))

(defn sort
  "The items of coll sorted with comp (default compare, or a boolean less-than predicate). Stable: equal items keep their order."
  ([coll] (sort compare coll))
  ([comp coll]
   (let [v (sort-vec- (as-comparator- comp) (vec coll))]
     (if (seq v) (seq v) ()))))

(defn sort-by
  "The items of coll sorted by (keyfn item) with comp (default compare). Stable."
  ([keyfn coll] (sort-by keyfn compare coll))
  ([keyfn comp coll]
   (let [c (as-comparator- comp)]
     (sort (fn [a b] (c (keyfn a) (keyfn b))) coll))))

(defn max-key
  "The argument x with the greatest (k x); the last one among equals."
  ([k x] x)
  ([k x & more] (reduce (fn [a b] (if (> (k a) (k b)) a b)) x more)))

(defn min-key
  "The argument x with the least (k x); the last one among equals."
  ([k x] x)
  ([k x & more] (reduce (fn [a b] (if (< (k a) (k b)) a b)) x more)))

;;;; doseq and for.

(defmacro doseq
  "Like for (same bindings and :let, :when, :while modifiers) but runs body for its side effects, eagerly, and returns nil."
  [seq-exprs & body]
  (when-not (and (vector? seq-exprs) (even? (count seq-exprs)))
    (throw (ex-new* "java.lang.IllegalArgumentException" "doseq requires an even number of forms in binding vector")))
  (let [step (fn step [pairs]
               (if (seq pairs)
                 (let [[b e] (first pairs) more (next pairs)]
                   (cond
                     (= b :let) `(let ~e ~(step more))
                     (= b :when) `(when ~e ~(step more))
                     (= b :while) `(when ~e ~(step more))
                     :else (let [s (gensym "seq_")]
                             `(loop [~s (seq ~e)]
                                (when ~s
                                  (let [~b (first ~s)]
                                    ~(step more))
                                  (recur (next ~s)))))))
                 `(do ~@body)))
        pairs (partition-pairs- seq-exprs)]
    (if (some (fn [[b _]] (= b :while)) pairs)
      ;; :while stops the innermost enclosing binding: use an explicit flag.
      (let [step-w (fn step-w [pairs]
                     (if (seq pairs)
                       (let [[b e] (first pairs) more (next pairs)]
                         (cond
                           (= b :let) `(let ~e ~(step-w more))
                           (= b :when) `(if ~e ~(step-w more) true)
                           (= b :while) `(if ~e ~(step-w more) false)
                           :else (let [s (gensym "seq_")]
                                   `(loop [~s (seq ~e)]
                                      (if ~s
                                        (let [~b (first ~s)]
                                          (if ~(step-w more) (recur (next ~s)) true))
                                        true)))))
                       `(do ~@body true)))]
        `(do ~(step-w pairs) nil))
      `(do ~(step pairs) nil))))

(defmacro for
  "List comprehension: a lazy seq of body-expr for each combination of the bindings, rightmost varying fastest. Each binding may be followed by :let [bindings], :when test (skip this item) or :while test (stop this binding's items)."
  [seq-exprs body-expr]
  (when-not (and (vector? seq-exprs) (even? (count seq-exprs)))
    (throw (ex-new* "java.lang.IllegalArgumentException" "for requires an even number of forms in binding vector")))
  (let [groups (reduce (fn [groups [k v]]
                         (if (keyword? k)
                           (conj (pop groups) (conj (peek groups) [k v]))
                           (conj groups [[k v]])))
                       [] (partition-pairs- seq-exprs))
        emit (fn emit [groups]
               (let [[[bind expr] & mods] (first groups)
                     more (next groups)
                     iter (gensym "iter__")
                     s (gensym "s__")
                     inner (if more
                             `(let [sub# ~(emit more)]
                                (if (seq sub#)
                                  (concat sub# (~iter (rest ~s)))
                                  (~iter (rest ~s))))
                             `(cons ~body-expr (~iter (rest ~s))))
                     wrap (fn wrap [mods]
                            (if (seq mods)
                              (let [[k v] (first mods)]
                                (cond
                                  (= k :let) `(let ~v ~(wrap (next mods)))
                                  (= k :when) `(if ~v ~(wrap (next mods)) (~iter (rest ~s)))
                                  (= k :while) `(when ~v ~(wrap (next mods)))))
                              inner))]
                 `((fn ~iter [~s]
                     (lazy-seq
                      (let [~s (seq ~s)]
                        (when ~s
                          (let [~bind (first ~s)]
                            ~(wrap mods))))))
                   ~expr)))]
    (emit groups)))

;;;; Miscellany.

(defn boolean?
  "True for the two booleans, true and false."
  [x] (or (true? x) (false? x)))

(defn rand-nth
  "One item of coll picked at random with equal chances; coll must support
  nth (a vector, for speed)."
  [coll] (nth coll (rand-int (count coll))))

(defn shuffle
  "A vector of the items of coll in random order."
  [coll]
  (loop [v (vec coll) i (dec (count v))]
    (if (pos? i)
      (let [j (rand-int (inc i)) t (v i)]
        (recur (assoc (assoc v i (v j)) j t) (dec i)))
      v)))

(defmacro time
  "Evaluates expr, prints \"Elapsed time: N msecs\" with the time that took,
  and returns the value of expr."
  [expr]
  `(let [start# (-nano-time)
         ret# ~expr]
     (println (str "\"Elapsed time: " (/ (double (- (-nano-time) start#)) 1000000.0) " msecs\""))
     ret#))

;;;; Hierarchies and multimethods (in Clojure, over an atom of methods).

(def ^:private global-hierarchy (atom {:parents {} :ancestors {} :descendants {}}))

(defn make-hierarchy
  "A new, empty hierarchy for derive, isa?, parents, ancestors and descendants."
  [] {:parents {} :descendants {} :ancestors {}})

(defn parents
  "The set of tags that tag directly derives from (in h, or the global hierarchy), or nil."
  ([tag] (parents @global-hierarchy tag))
  ([h tag] (not-empty (get (:parents h) tag))))

(defn ancestors
  "The set of tags that tag derives from, directly or not (in h, or the global hierarchy), or nil."
  ([tag] (ancestors @global-hierarchy tag))
  ([h tag] (not-empty (get (:ancestors h) tag))))

(defn descendants
  "The set of tags that derive from tag, directly or not (in h, or the global hierarchy), or nil."
  ([tag] (descendants @global-hierarchy tag))
  ([h tag] (not-empty (get (:descendants h) tag))))

(defn derive
  "Makes tag a child of parent: in hierarchy h (returning the new hierarchy) or in the global hierarchy (returning nil)."
  ([tag parent] (swap! global-hierarchy derive tag parent) nil)
  ([h tag parent]
   (when (= tag parent)
     (throw (ex-new* "java.lang.AssertionError" "Assert failed: (not= tag parent)")))
   (let [ancestors-of (fn [t] (get (:ancestors h) t #{}))
         descendants-of (fn [t] (get (:descendants h) t #{}))]
     (cond
       (contains? (get (:parents h) tag #{}) parent)
       h

       (contains? (ancestors-of tag) parent)
       (throw (ex-new* "java.lang.Exception" (str (pr-str tag) " already has " (pr-str parent) " as ancestor")))

       (contains? (ancestors-of parent) tag)
       (throw (ex-new* "java.lang.Exception" (str "Cyclic derivation: " (pr-str parent) " has " (pr-str tag) " as ancestor")))

       :else
       ;; Everything below tag (tag included) gains parent and its ancestors;
       ;; everything above parent (parent included) gains tag and its descendants.
       (let [lower (conj (descendants-of tag) tag)
             upper (conj (ancestors-of parent) parent)
             add-all (fn [rel ks vs]
                       (reduce (fn [r k] (update r k (fnil into #{}) vs)) rel ks))]
         {:parents (update (:parents h) tag (fnil conj #{}) parent)
          :ancestors (add-all (:ancestors h) lower upper)
          :descendants (add-all (:descendants h) upper lower)})))))

(defn isa?
  "True when child equals parent, derives from it (in h, or the global hierarchy), or, for vectors of equal length, when each element isa? the parent's element."
  ([child parent] (isa? @global-hierarchy child parent))
  ([h child parent]
   (or (= child parent)
       (contains? (get (:ancestors h) child #{}) parent)
       (and (vector? parent) (vector? child)
            (= (count parent) (count child))
            (every? identity (map (fn [c p] (isa? h c p)) child parent))))))

(defn -make-multi
  "The function behind defmulti: dispatches on (apply dispatch-fn args)."
  [mname dispatch-fn default-val hierarchy]
  (let [state (atom {:methods {} :prefers {}})
        find-method (fn [dv]
                      (let [ms (:methods @state)]
                        (if (contains? ms dv)
                          (get ms dv)
                          (let [h (loop [h hierarchy] (if (instance? clojure.lang.IDeref h) (recur @h) h))
                                candidates (filter (fn [e] (isa? h dv (key e))) ms)
                                best (reduce (fn [best e]
                                               (if (or (nil? best) (isa? h (key e) (key best))
                                                       (contains? (get (:prefers @state) (key e) #{}) (key best)))
                                                 e best))
                                             nil candidates)]
                            (if best (val best) (get ms default-val))))))
        f (fn [& args]
            (let [dv (apply dispatch-fn args)
                  impl (find-method dv)]
              (if impl
                (apply impl args)
                (throw (ex-new* "java.lang.IllegalArgumentException"
                                (str "No method in multimethod '" mname "' for dispatch value: " (pr-str dv)))))))]
    (with-meta f {::multi state ::find find-method ::default default-val})))

(defn -multi-state [multifn]
  (or (::multi (meta multifn))
      (throw (ex-new* "java.lang.IllegalArgumentException" (str "Not a multimethod: " (pr-str multifn))))))

(defmacro defmulti
  "Defines a multimethod named mm-name that calls (dispatch-fn args...) and runs the method for that dispatch value (or one it isa?). Options: :default (the fallback dispatch value, :default) and :hierarchy (a var or ref of a hierarchy). Re-evaluating an existing defmulti keeps its methods."
  [mm-name & options]
  (let [docstring (when (string? (first options)) (first options))
        options (if docstring (next options) options)
        m (when (map? (first options)) (first options))
        options (if m (next options) options)
        dispatch-fn (first options)
        opts (apply hash-map (next options))
        m (merge (meta mm-name) m (when docstring {:doc docstring}))
        mm-name (with-meta mm-name m)]
    `(let [v# (def ~mm-name)]
       (when-not (and (bound? v#) (::multi (meta @v#)))
         (def ~mm-name
           (-make-multi '~mm-name ~dispatch-fn ~(get opts :default :default)
                        ~(get opts :hierarchy `(var global-hierarchy))))))))

(defmacro defmethod
  "Adds (or replaces) the method of multimethod multifn for dispatch-val; fn-tail is as in fn."
  [multifn dispatch-val & fn-tail]
  `(do (swap! (-multi-state ~multifn) update :methods assoc ~dispatch-val (fn ~@fn-tail))
       ~multifn))

(defn remove-method
  "Removes multifn's method for dispatch-val."
  [multifn dispatch-val]
  (swap! (-multi-state multifn) update :methods dissoc dispatch-val)
  multifn)

(defn remove-all-methods
  "Removes every method of multifn."
  [multifn]
  (swap! (-multi-state multifn) assoc :methods {})
  multifn)

(defn prefer-method
  "Makes multifn choose dispatch-val-x over dispatch-val-y when both match a dispatch value."
  [multifn dispatch-val-x dispatch-val-y]
  (swap! (-multi-state multifn) update-in [:prefers dispatch-val-x] (fnil conj #{}) dispatch-val-y)
  multifn)

(defn methods
  "multifn's methods, as a map from dispatch value to fn."
  [multifn] (:methods @(-multi-state multifn)))

(defn get-method
  "The fn that multifn would run for dispatch-val, or nil."
  [multifn dispatch-val] ((::find (meta multifn)) dispatch-val))

(defn prefers
  "multifn's preferences: a map from a dispatch value to the set of values it is preferred over."
  [multifn] (:prefers @(-multi-state multifn)))

(load "core_types")
(load "core_more")
