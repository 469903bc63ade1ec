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
       :doc "Returns a lazy seq representing the concatenation of the elements in the supplied colls."}
  concat
  (fn* concat
    ([] (lazy-seq* (fn* [] nil)))
    ([x] (lazy-seq* (fn* [] x)))
    ([x y]
     (lazy-seq* (fn* []
                  (let* [s (seq x)]
                    (if s (cons (first s) (concat (rest s) y)) y)))))
    ([x y & zs]
     (let* [cat (fn* cat [xys zs]
                  (lazy-seq* (fn* []
                               (let* [xys (seq xys)]
                                 (if xys
                                   (cons (first xys) (cat (rest xys) zs))
                                   (if zs (cat (first zs) (next zs)) nil))))))]
       (cat (concat x y) zs)))))

(def ^{:macro true :arglists '([& sigs])} fn
  (fn* fn [&form &env & decl] (with-meta (cons 'fn* decl) (meta &form))))

(def ^{:macro true :arglists '([& body])} comment (fn* comment [&form &env & body] nil))

(def ^{:arglists '([x])} not (fn* not [x] (if x false true)))
(def ^{:arglists '([x])} nil? (fn* nil? [x] (identical? x nil)))
(def ^{:arglists '([x])} some? (fn* some? [x] (if (identical? x nil) false true)))
(def ^{:arglists '([x])} true? (fn* true? [x] (identical? x true)))
(def ^{:arglists '([x])} false? (fn* false? [x] (identical? x false)))
(def ^{:arglists '([x])} boolean (fn* boolean [x] (if x true false)))

(def ^{:arglists '([coll]) :doc "Return the last item in coll, in linear time"}
  last
  (fn* last [s] (if (next s) (recur (next s)) (first s))))

(def ^{:arglists '([coll]) :doc "Return a seq of all but the last item in coll, in linear time"}
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
  (fn* [fdecl]
    (let* [asig (fn* [fdecl]
                  (let* [arglist (first fdecl)
                         body (next fdecl)]
                    (if (map? (first body))
                      (if (next body)
                        (with-meta arglist (conj (if (meta arglist) (meta arglist) {}) (first body)))
                        arglist)
                      arglist)))]
      (if (seq? (first fdecl))
        (loop* [ret [] fdecls fdecl]
          (if fdecls
            (recur (conj ret (asig (first fdecls))) (next fdecls))
            (seq ret)))
        (list (asig fdecl))))))

(def ^{:macro true
       :doc "Same as (def name (fn [params* ] exprs*)) or (def name (fn ([params* ] exprs*)+)) with any doc-string or attrs added to the var metadata."
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
       :doc "Like defn, but the resulting function name is declared as a macro and will be used as a macro by the compiler when it is called."
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
           fdecl (seq (add-args [] fdecl))
           decl (loop* [p prefix d fdecl]
                  (if p
                    (recur (next p) (cons (first p) d))
                    d))
           nm (first decl)]
      (list 'do
            (cons `defn (cons (with-meta nm (assoc (if (meta nm) (meta nm) {}) :macro true))
                              (next decl)))
            (list 'var nm)))))

;;;; Basic macros.

(defmacro when
  "Evaluates test. If logical true, evaluates body in an implicit do."
  [test & body]
  (list 'if test (cons 'do body)))

(defmacro when-not
  "Evaluates test. If logical false, evaluates body in an implicit do."
  [test & body]
  (list 'if test nil (cons 'do body)))

(defmacro if-not
  "Evaluates test. If logical false, evaluates and returns then expr, otherwise else expr, if supplied, else nil."
  ([test then] `(if-not ~test ~then nil))
  ([test then else] `(if (not ~test) ~then ~else)))

(defmacro cond
  "Takes a set of test/expr pairs. It evaluates each test one at a time. If a test returns logical true, cond evaluates and returns the value of the corresponding expr and doesn't evaluate any of the other tests or exprs. (cond) returns nil."
  [& clauses]
  (when clauses
    (list 'if (first clauses)
          (if (next clauses)
            (second clauses)
            (throw (ex-new* "java.lang.IllegalArgumentException"
                            "cond requires an even number of forms")))
          (cons 'clojure.core/cond (next (next clauses))))))

(defmacro and
  "Evaluates exprs one at a time, from left to right. If a form returns logical false (nil or false), and returns that value and doesn't evaluate any of the other expressions, otherwise it returns the value of the last expr. (and) returns true."
  ([] true)
  ([x] x)
  ([x & next]
   `(let* [and# ~x]
      (if and# (and ~@next) and#))))

(defmacro or
  "Evaluates exprs one at a time, from left to right. If a form returns a logical true value, or returns that value and doesn't evaluate any of the other expressions, otherwise it returns the value of the last expression. (or) returns nil."
  ([] nil)
  ([x] x)
  ([x & next]
   `(let* [or# ~x]
      (if or# or# (or ~@next)))))

(defmacro ->
  "Threads the expr through the forms. Inserts x as the second item in the first form, making a list of it if it is not a list already."
  [x & forms]
  (loop* [x x forms forms]
    (if forms
      (let* [form (first forms)
             threaded (if (seq? form)
                        (with-meta `(~(first form) ~x ~@(next form)) (meta form))
                        (list form x))]
        (recur threaded (next forms)))
      x)))

(defmacro ->>
  "Threads the expr through the forms. Inserts x as the last item in the first form, making a list of it if it is not a list already."
  [x & forms]
  (loop* [x x forms forms]
    (if forms
      (let* [form (first forms)
             threaded (if (seq? form)
                        (with-meta `(~(first form) ~@(next form) ~x) (meta form))
                        (list form x))]
        (recur threaded (next forms)))
      x)))

(defmacro declare
  "defs the supplied var names with no bindings, useful for making forward declarations."
  [& names]
  `(do ~@(map1 (fn* [n] (list 'def (vary-meta n assoc :declared true))) names)))

(defmacro lazy-seq
  "Takes a body of expressions that returns an ISeq or nil, and yields a Seqable object that will invoke the body only the first time seq is called, and will cache the result and return it on all subsequent seq calls."
  [& body]
  (list 'clojure.core/lazy-seq* (list* 'fn* [] body)))

(defmacro delay
  "Takes a body of expressions and yields a Delay object that will invoke the body only the first time it is forced (with force or deref/@), and will cache the result and return it on all subsequent force calls."
  [& body]
  (list 'clojure.core/delay* (list* 'fn* [] body)))

;;;; Sequences: what the rest of this file is written with.

(defn vec
  "Creates a new vector containing the contents of coll."
  [coll]
  (if (vector? coll)
    (if (meta coll) (with-meta coll nil) coll)
    (loop* [v [] s (seq coll)]
      (if s (recur (conj v (first s)) (next s)) v))))

(defn reduce
  "f should be a function of 2 arguments. If val is not supplied, returns the result of applying f to the first 2 items in coll, then applying f to that result and the 3rd item, etc."
  ([f coll]
   (let* [s (seq coll)]
     (if s
       (reduce f (first s) (next s))
       (f))))
  ([f val coll]
   (loop* [acc val s (seq coll)]
     (if s
       (let* [acc (f acc (first s))]
         (if (reduced? acc)
           (deref acc)
           (recur acc (next s))))
       acc))))

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
  "Takes a fn f and returns a fn that takes the same arguments as f, has the same effects, if any, and returns the opposite truth value."
  [f]
  (fn*
   ([] (not (f)))
   ([x] (not (f x)))
   ([x y] (not (f x y)))
   ([x y & zs] (not (apply f x y zs)))))

(defn constantly
  "Returns a function that takes any number of arguments and returns x."
  [x] (fn* [& args] x))

(defn every?
  "Returns true if (pred x) is logical true for every x in coll, else false."
  [pred coll]
  (loop* [s (seq coll)]
    (if s
      (if (pred (first s)) (recur (next s)) false)
      true)))

(defn some
  "Returns the first logical true value of (pred x) for any x in coll, else nil."
  [pred coll]
  (loop* [s (seq coll)]
    (when s
      (let* [v (pred (first s))]
        (if v v (recur (next s)))))))

(defn interleave
  "Returns a lazy seq of the first item in each coll, then the second etc."
  ([] ())
  ([c1] (lazy-seq c1))
  ([c1 c2]
   (lazy-seq
    (let* [s1 (seq c1) s2 (seq c2)]
      (when (and s1 s2)
        (cons (first s1) (cons (first s2) (interleave (rest s1) (rest s2)))))))))

(defn drop
  "Returns a laziness-preserving sequence of all but the first n items in coll."
  [n coll]
  (lazy-seq
   (loop* [n n s (seq coll)]
     (if (and (pos? n) s)
       (recur (dec n) (next s))
       s))))

(defn take-nth
  "Returns a lazy seq of every nth item in coll."
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
  "binding => binding-form init-expr

  Evaluates the exprs in a lexical context in which the symbols in the binding-forms are bound to their respective init-exprs or parts therein."
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
  "params => positional-params*, or positional-params* & rest-param
  positional-param => binding-form
  rest-param => binding-form
  binding-form => name, or destructuring-form

  Defines a function."
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
  "Evaluates the exprs in a lexical context in which the symbols in the binding-forms are bound to their respective init-exprs or parts therein. Acts as a recur target."
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
  "same as defn, yielding non-public def"
  [name & decls]
  (list* `defn (with-meta name (assoc (meta name) :private true)) decls))

;;;; More control flow.

(defmacro if-let
  "bindings => binding-form test

  If test is true, evaluates then with binding-form bound to the value of test, if not, yields else"
  ([bindings then] `(if-let ~bindings ~then nil))
  ([bindings then else & oldform]
   (when (or oldform (not (vector? bindings)) (not= 2 (count bindings)))
     (throw (ex-new* "java.lang.IllegalArgumentException" "if-let requires exactly 2 forms in binding vector")))
   (let [form (bindings 0) tst (bindings 1)]
     `(let [temp# ~tst]
        (if temp#
          (let [~form temp#] ~then)
          ~else)))))

(defmacro when-let
  "bindings => binding-form test

  When test is true, evaluates body with binding-form bound to the value of test"
  [bindings & body]
  (when (or (not (vector? bindings)) (not= 2 (count bindings)))
    (throw (ex-new* "java.lang.IllegalArgumentException" "when-let requires exactly 2 forms in binding vector")))
  (let [form (bindings 0) tst (bindings 1)]
    `(let [temp# ~tst]
       (when temp#
         (let [~form temp#] ~@body)))))

(defmacro if-some
  "bindings => binding-form test

   If test is not nil, evaluates then with binding-form bound to the value of test, if not, yields else"
  ([bindings then] `(if-some ~bindings ~then nil))
  ([bindings then else & oldform]
   (when (or oldform (not (vector? bindings)) (not= 2 (count bindings)))
     (throw (ex-new* "java.lang.IllegalArgumentException" "if-some requires exactly 2 forms in binding vector")))
   (let [form (bindings 0) tst (bindings 1)]
     `(let [temp# ~tst]
        (if (nil? temp#)
          ~else
          (let [~form temp#] ~then))))))

(defmacro when-some
  "bindings => binding-form test

   When test is not nil, evaluates body with binding-form bound to the value of test"
  [bindings & body]
  (when (or (not (vector? bindings)) (not= 2 (count bindings)))
    (throw (ex-new* "java.lang.IllegalArgumentException" "when-some requires exactly 2 forms in binding vector")))
  (let [form (bindings 0) tst (bindings 1)]
    `(let [temp# ~tst]
       (if (nil? temp#)
         nil
         (let [~form temp#] ~@body)))))

(defmacro when-first
  "bindings => x xs

  Roughly the same as (when (seq xs) (let [x (first xs)] body)) but xs is evaluated only once"
  [bindings & body]
  (let [[x xs] bindings]
    `(when-let [xs# (seq ~xs)]
       (let [~x (first xs#)]
         ~@body))))

(defmacro condp
  "Takes a binary predicate, an expression, and a set of clauses. Each clause can take the form of either: test-expr result-expr, or test-expr :>> result-fn"
  [pred expr & clauses]
  (let [gpred (gensym "pred__")
        gexpr (gensym "expr__")
        emit (fn emit [pred expr args]
               (let [n (if (= :>> (second args)) 3 2)
                     [a b c] args
                     more (drop n args)]
                 (cond
                   (= 0 (count args)) `(throw (ex-new* "java.lang.IllegalArgumentException"
                                                       (str "No matching clause: " ~expr)))
                   (= 1 (count args)) a
                   (= 2 n) `(if (~pred ~a ~expr)
                              ~b
                              ~(emit pred expr more))
                   :else `(if-let [p# (~pred ~a ~expr)]
                            (~c p#)
                            ~(emit pred expr more)))))]
    `(let [~gpred ~pred
           ~gexpr ~expr]
       ~(emit gpred gexpr clauses))))

(defmacro cond->
  "Takes an expression and a set of test/form pairs. Threads expr (via ->) through each form for which the corresponding test expression is true."
  [expr & clauses]
  (let [g (gensym)
        steps (map1 (fn [[test step]] `(if ~test (-> ~g ~step) ~g))
                    (partition-pairs- clauses))]
    `(let [~g ~expr
           ~@(interleave (repeat-n- (count steps) g) (butlast steps))]
       ~(if (seq steps) (last steps) g))))

(defmacro cond->>
  "Takes an expression and a set of test/form pairs. Threads expr (via ->>) through each form for which the corresponding test expression is true."
  [expr & clauses]
  (let [g (gensym)
        steps (map1 (fn [[test step]] `(if ~test (->> ~g ~step) ~g))
                    (partition-pairs- clauses))]
    `(let [~g ~expr
           ~@(interleave (repeat-n- (count steps) g) (butlast steps))]
       ~(if (seq steps) (last steps) g))))

(defmacro as->
  "Binds name to expr, evaluates the first form in the lexical context of that binding, then binds name to that result, repeating for each successive form, returning the result of the last form."
  [expr name & forms]
  `(let [~name ~expr
         ~@(interleave (repeat-n- (count forms) name) (butlast forms))]
     ~(if (seq forms) (last forms) name)))

(defmacro some->
  "When expr is not nil, threads it into the first form (via ->), and when that result is not nil, through the next etc"
  [expr & forms]
  (let [g (gensym)
        steps (map1 (fn [step] `(if (nil? ~g) nil (-> ~g ~step))) forms)]
    `(let [~g ~expr
           ~@(interleave (repeat-n- (count steps) g) (butlast steps))]
       ~(if (seq steps) (last steps) g))))

(defmacro some->>
  "When expr is not nil, threads it into the first form (via ->>), and when that result is not nil, through the next etc"
  [expr & forms]
  (let [g (gensym)
        steps (map1 (fn [step] `(if (nil? ~g) nil (->> ~g ~step))) forms)]
    `(let [~g ~expr
           ~@(interleave (repeat-n- (count steps) g) (butlast steps))]
       ~(if (seq steps) (last steps) g))))

(defmacro doto
  "Evaluates x then calls all of the methods and functions with the value of x supplied at the front of the given arguments. The forms are evaluated in order. Returns x."
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
  "Repeatedly executes body while test expression is true. Presumes some side-effect will cause test to become false/nil. Returns nil"
  [test & body]
  `(loop []
     (when ~test
       ~@body
       (recur))))

(defmacro dotimes
  "bindings => name n

  Repeatedly executes body (presumably for side-effects) with name bound to integers from 0 through n-1."
  [bindings & body]
  (let [i (first bindings)
        n (second bindings)]
    `(let [n# (long ~n)]
       (loop [~i 0]
         (when (< ~i n#)
           ~@body
           (recur (unchecked-inc ~i)))))))

(defmacro letfn
  "fnspec ==> (fname [params*] exprs) or (fname ([params*] exprs)+)

  Takes a vector of function specs and a body, and generates a set of bindings of functions to their names. All of the names are available in all of the definitions of the functions, as well as the body."
  [fnspecs & body]
  `(letfn* ~(vec (mapcat- (fn [spec] [(first spec) (cons `fn spec)]) fnspecs))
           ~@body))

(defmacro assert
  "Evaluates expr and throws an exception if it does not evaluate to logical true."
  ([x]
   (when *assert*
     `(when-not ~x
        (throw (ex-new* "java.lang.AssertionError" (str "Assert failed: " (pr-str '~x)))))))
  ([x message]
   (when *assert*
     `(when-not ~x
        (throw (ex-new* "java.lang.AssertionError" (str "Assert failed: " ~message "\n" (pr-str '~x))))))))

(defmacro binding
  "binding => var-symbol init-expr

  Creates new bindings for the (already-existing) vars, with the supplied initial values, executes the exprs in an implicit do, then re-establishes the bindings that existed before."
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
  "binding => var-symbol temp-value-expr

  Temporarily redefines Vars while executing the body."
  [bindings & body]
  `(with-redefs-fn ~(list* `hash-map (mapcat- (fn [[v e]] [`(var ~v) e]) (partition-pairs- bindings)))
     (fn [] ~@body)))

(defn with-redefs-fn
  "Temporarily redefines Vars during a call to func. Each val of binding-map will replace the root value of its key which must be a Var."
  [binding-map func]
  (let [olds (reduce (fn [m v] (assoc m v (deref v))) {} (keys binding-map))
        set-all (fn [m] (reduce (fn [_ v] (alter-var-root v (constantly (get m v)))) nil (keys m)))]
    (set-all binding-map)
    (try
      (func)
      (finally
        (set-all olds)))))

(defmacro defonce
  "defs name to have the root value of the expr iff the named var has no root value, else expr is unevaluated"
  [name expr]
  `(let [v# (def ~name)]
     (when-not (bound? v#)
       (def ~name ~expr))))

(defmacro case
  "Takes an expression, and a set of clauses. Each clause can take the form of either: test-constant result-expr, or (test-constant1 ... test-constantN) result-expr. The test-constants are not evaluated. A single default expression can follow the clauses, and its value will be returned if no clause matches."
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
  "Same as (refer 'clojure.core <filters>)"
  [& filters]
  `(refer '~'clojure.core ~@(map1 (fn [f] `'~f) filters)))

(defmacro ns
  "Sets *ns* to the namespace named by name (unevaluated), creating it if needed. references can be zero or more of: (:refer-clojure ...) (:require ...) (:use ...) (:import ...) (:load ...) (:gen-class)"
  [name & references]
  (let [docstring (when (string? (first references)) (first references))
        references (if docstring (next references) references)
        attr (when (map? (first references)) (first references))
        references (if attr (next references) references)
        nsname name
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

