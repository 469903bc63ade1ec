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


;;;; The sequence library (bootstrap set; lazy where Clojure's is lazy).

(defn map
  "Returns a lazy sequence consisting of the result of applying f to the set of first items of each coll, followed by applying f to the set of second items in each coll, until any one of the colls is exhausted."
  ([f]
   (fn [rf]
     (fn
       ([] (rf))
       ([result] (rf result))
       ([result input] (rf result (f input)))
       ([result input & inputs] (rf result (apply f input inputs))))))
  ([f coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (cons (f (first s)) (map f (rest s))))))
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
   (let [step (fn step [cs]
                (lazy-seq
                 (let [ss (map seq cs)]
                   (when (every? identity ss)
                     (cons (map first ss) (step (map rest ss)))))))]
     (map (fn [args] (apply f args)) (step (conj colls c3 c2 c1))))))

(defn filter
  "Returns a lazy sequence of the items in coll for which (pred item) returns logical true."
  ([pred]
   (fn [rf]
     (fn
       ([] (rf))
       ([result] (rf result))
       ([result input] (if (pred input) (rf result input) result)))))
  ([pred coll]
   (lazy-seq
    (loop [s (seq coll)]
      (when s
        (let [x (first s)]
          (if (pred x)
            (cons x (filter pred (rest s)))
            (recur (next s)))))))))

(defn remove
  "Returns a lazy sequence of the items in coll for which (pred item) returns logical false."
  ([pred] (filter (complement pred)))
  ([pred coll] (filter (complement pred) coll)))

(defn take
  "Returns a lazy sequence of the first n items in coll, or all items if there are fewer than n."
  [n coll]
  (lazy-seq
   (when (pos? n)
     (when-let [s (seq coll)]
       (cons (first s) (take (dec n) (rest s)))))))

(defn take-while
  "Returns a lazy sequence of successive items from coll while (pred item) returns logical true."
  [pred coll]
  (lazy-seq
   (when-let [s (seq coll)]
     (when (pred (first s))
       (cons (first s) (take-while pred (rest s)))))))

(defn drop-while
  "Returns a lazy sequence of the items in coll starting from the first item for which (pred item) returns logical false."
  [pred coll]
  (lazy-seq
   (loop [s (seq coll)]
     (if (and s (pred (first s)))
       (recur (next s))
       s))))

(defn drop-last
  "Return a lazy sequence of all but the last n (default 1) items in coll"
  ([coll] (drop-last 1 coll))
  ([n coll] (map (fn [x _] x) coll (drop n coll))))

(defn take-last
  "Returns a seq of the last n items in coll."
  [n coll]
  (loop [s (seq coll) lead (seq (drop n coll))]
    (if lead (recur (next s) (next lead)) s)))

(defn mapcat
  "Returns the result of applying concat to the result of applying map to f and colls."
  [f & colls]
  (let [cat (fn cat [ss]
              (lazy-seq
               (when-let [s (seq ss)]
                 (concat (first s) (cat (rest s))))))]
    (cat (apply map f colls))))

(defn mapv
  "Returns a vector consisting of the result of applying f to the set of first items of each coll, followed by applying f to the set of second items in each coll, until any one of the colls is exhausted."
  ([f coll] (persistent! (reduce (fn [v x] (conj! v (f x))) (transient []) coll)))
  ([f c1 c2] (vec (map f c1 c2)))
  ([f c1 c2 & colls] (vec (apply map f c1 c2 colls))))

(defn filterv
  "Returns a vector of the items in coll for which (pred item) returns logical true."
  [pred coll]
  (persistent! (reduce (fn [v x] (if (pred x) (conj! v x) v)) (transient []) coll)))

(defn map-indexed
  "Returns a lazy sequence consisting of the result of applying f to 0 and the first item of coll, followed by applying f to 1 and the second item in coll, etc."
  [f coll]
  (map f (range) coll))

(defn keep
  "Returns a lazy sequence of the non-nil results of (f item)."
  [f coll]
  (lazy-seq
   (loop [s (seq coll)]
     (when s
       (let [x (f (first s))]
         (if (nil? x) (recur (next s)) (cons x (keep f (rest s)))))))))

(defn keep-indexed
  "Returns a lazy sequence of the non-nil results of (f index item)."
  [f coll]
  (keep identity (map f (range) coll)))

(defn repeat
  "Returns a lazy (infinite!, or length n if supplied) sequence of xs."
  ([x] (lazy-seq (cons x (repeat x))))
  ([n x] (take n (repeat x))))

(defn repeatedly
  "Takes a function of no args, presumably with side effects, and returns an infinite (or length n if supplied) lazy sequence of calls to it"
  ([f] (lazy-seq (cons (f) (repeatedly f))))
  ([n f] (take n (repeatedly f))))

(defn iterate
  "Returns a lazy sequence of x, (f x), (f (f x)) etc. f must be free of side-effects"
  [f x]
  (lazy-seq (cons x (iterate f (f x)))))

(defn cycle
  "Returns a lazy (infinite!) sequence of repetitions of the items in coll."
  [coll]
  (lazy-seq
   (when (seq coll)
     (concat coll (cycle coll)))))

(defn dorun
  "Walks through a lazy sequence (for its side effects), returning nil."
  ([coll] (loop [s (seq coll)] (when s (recur (next s)))))
  ([n coll] (loop [n n s (seq coll)] (when (and s (pos? n)) (recur (dec n) (next s))))))

(defn doall
  "Walks through a lazy sequence, forcing it, and returns the head of the sequence."
  ([coll] (dorun coll) coll)
  ([n coll] (dorun n coll) coll))

(defn run!
  "Runs the supplied procedure (via reduce), for purposes of side effects, on successive items in the collection. Returns nil"
  [proc coll]
  (reduce (fn [_ x] (proc x)) nil coll)
  nil)

(defn partition
  "Returns a lazy sequence of lists of n items each, at offsets step apart."
  ([n coll] (partition n n coll))
  ([n step coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (let [p (doall (take n s))]
        (when (= n (count p))
          (cons p (partition n step (nthrest s step))))))))
  ([n step pad coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (let [p (doall (take n s))]
        (if (= n (count p))
          (cons p (partition n step pad (nthrest s step)))
          (list (take n (concat p pad)))))))))

(defn partition-all
  "Returns a lazy sequence of lists like partition, but may include partitions with fewer than n items at the end."
  ([n coll] (partition-all n n coll))
  ([n step coll]
   (lazy-seq
    (when-let [s (seq coll)]
      (let [seg (doall (take n s))]
        (cons seg (partition-all n step (nthrest s step))))))))

(defn partition-by
  "Applies f to each value in coll, splitting it each time f returns a new value. Returns a lazy seq of partitions."
  [f coll]
  (lazy-seq
   (when-let [s (seq coll)]
     (let [fst (first s)
           fv (f fst)
           run (cons fst (take-while (fn [x] (= fv (f x))) (next s)))]
       (cons run (partition-by f (lazy-seq (drop (count run) s))))))))

(defn split-at
  "Returns a vector of [(take n coll) (drop n coll)]"
  [n coll]
  [(take n coll) (drop n coll)])

(defn split-with
  "Returns a vector of [(take-while pred coll) (drop-while pred coll)]"
  [pred coll]
  [(take-while pred coll) (drop-while pred coll)])

(defn interpose
  "Returns a lazy seq of the elements of coll separated by sep."
  [sep coll]
  (drop 1 (mapcat (fn [x] [sep x]) coll)))

(defn flatten
  "Takes any nested combination of sequential things (lists, vectors, etc.) and returns their contents as a single, flat lazy sequence."
  [x]
  (let [walk (fn walk [node]
               (lazy-seq
                (if (sequential? node)
                  (mapcat walk node)
                  (list node))))]
    (filter (complement sequential?) (mapcat walk (if (sequential? x) x nil)))))

(defn distinct
  "Returns a lazy sequence of the elements of coll with duplicates removed."
  [coll]
  (let [step (fn step [xs seen]
               (lazy-seq
                (loop [s (seq xs)]
                  (when s
                    (let [x (first s)]
                      (if (contains? seen x)
                        (recur (next s))
                        (cons x (step (rest s) (conj seen x)))))))))]
    (step coll #{})))

(defn not-any?
  "Returns false if (pred x) is logical true for any x in coll, else true."
  [pred coll] (not (some pred coll)))

(defn not-every?
  "Returns false if (pred x) is logical true for every x in coll, else true."
  [pred coll] (not (every? pred coll)))

(defn reverse
  "Returns a seq of the items in coll in reverse order. Not lazy."
  [coll]
  (reduce (fn [acc x] (cons x acc)) () coll))

;;;; Functions of functions.

(defn comp
  "Takes a set of functions and returns a fn that is the composition of those fns."
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
  "Takes a function f and fewer than the normal arguments to f, and returns a fn that takes a variable number of additional args."
  ([f] f)
  ([f a] (fn [& args] (apply f a args)))
  ([f a b] (fn [& args] (apply f a b args)))
  ([f a b & more] (fn [& args] (apply f a b (concat more args)))))

(defn juxt
  "Takes a set of functions and returns a fn that is the juxtaposition of those fns."
  [& fs]
  (fn [& args] (mapv (fn [f] (apply f args)) fs)))

(defn fnil
  "Takes a function f, and returns a function that calls f, replacing a nil first argument to f with the supplied value x."
  ([f x] (fn [a & more] (apply f (if (nil? a) x a) more)))
  ([f x y] (fn [a b & more] (apply f (if (nil? a) x a) (if (nil? b) y b) more)))
  ([f x y z] (fn [a b c & more] (apply f (if (nil? a) x a) (if (nil? b) y b) (if (nil? c) z c) more))))

(defn every-pred
  "Takes a set of predicates and returns a function f that returns true if all of its composing predicates return a logical true value against all of its arguments, else it returns false."
  [& ps]
  (fn [& args] (every? (fn [p] (every? p args)) ps)))

(defn some-fn
  "Takes a set of predicates and returns a function f that returns the first logical true value returned by one of its composing predicates against any of its arguments, else it returns logical false."
  [& ps]
  (fn [& args] (some (fn [p] (some p args)) ps)))

(defn memoize
  "Returns a memoized version of a referentially transparent function."
  [f]
  (let [mem (atom {})]
    (fn [& args]
      (let [e (find @mem args)]
        (if e
          (val e)
          (let [ret (apply f args)]
            (swap! mem assoc args ret)
            ret))))))

(defn trampoline
  "trampoline can be used to convert algorithms requiring mutual recursion without stack consumption."
  ([f]
   (let [ret (f)]
     (if (fn? ret) (recur ret) ret)))
  ([f & args]
   (trampoline (fn [] (apply f args)))))

;;;; Maps.

(defn merge
  "Returns a map that consists of the rest of the maps conj-ed onto the first. If a key occurs in more than one map, the mapping from the latter (left-to-right) will be the mapping in the result."
  [& maps]
  (when (some identity maps)
    (reduce (fn [acc m] (if m (conj (or acc {}) m) acc)) maps)))

(defn merge-with
  "Returns a map that consists of the rest of the maps conj-ed onto the first. If a key occurs in more than one map, the mapping(s) from the latter (left-to-right) will be combined with the mapping in the result by calling (f val-in-result val-in-latter)."
  [f & maps]
  (when (some identity maps)
    (let [merge-entry (fn [m e]
                        (let [k (key e) v (val e)]
                          (if (contains? m k)
                            (assoc m k (f (get m k) v))
                            (assoc m k v))))]
      (reduce (fn [m1 m2] (reduce merge-entry (or m1 {}) (seq m2))) maps))))

(defn get-in
  "Returns the value in a nested associative structure, where ks is a sequence of keys."
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
  "Associates a value in a nested associative structure, where ks is a sequence of keys and v is the new value and returns a new nested structure."
  [m [k & ks] v]
  (if ks
    (assoc m k (assoc-in (get m k) ks v))
    (assoc m k v)))

(defn update
  "'Updates' a value in an associative structure, where k is a key and f is a function that will take the old value and any supplied args and return the new value, and returns a new structure."
  ([m k f] (assoc m k (f (get m k))))
  ([m k f x] (assoc m k (f (get m k) x)))
  ([m k f x y] (assoc m k (f (get m k) x y)))
  ([m k f x y & more] (assoc m k (apply f (get m k) x y more))))

(defn update-in
  "'Updates' a value in a nested associative structure, where ks is a sequence of keys and f is a function that will take the old value and any supplied args and return the new value, and returns a new nested structure."
  [m ks f & args]
  (let [up (fn up [m ks]
             (let [[k & ks] ks]
               (if ks
                 (assoc m k (up (get m k) ks))
                 (assoc m k (apply f (get m k) args)))))]
    (up m ks)))

(defn select-keys
  "Returns a map containing only those entries in map whose key is in keys"
  [map keyseq]
  (loop [ret {} keys (seq keyseq)]
    (if keys
      (let [e (find map (first keys))]
        (recur (if e (conj ret e) ret) (next keys)))
      (with-meta ret (meta map)))))

(defn zipmap
  "Returns a map with the keys mapped to the corresponding vals."
  [keys vals]
  (loop [map {} ks (seq keys) vs (seq vals)]
    (if (and ks vs)
      (recur (assoc map (first ks) (first vs)) (next ks) (next vs))
      map)))

(defn frequencies
  "Returns a map from distinct items in coll to the number of times they appear."
  [coll]
  (persistent! (reduce (fn [counts x] (assoc! counts x (inc (get counts x 0)))) (transient {}) coll)))

(defn group-by
  "Returns a map of the elements of coll keyed by the result of f on each element. The value at each key will be a vector of the corresponding elements, in the order they appeared in coll."
  [f coll]
  (persistent! (reduce (fn [ret x] (let [k (f x)] (assoc! ret k (conj (get ret k []) x)))) (transient {}) coll)))

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
  "Returns a sorted sequence of the items in coll. If no comparator is supplied, uses compare. The sort is stable."
  ([coll] (sort compare coll))
  ([comp coll]
   (let [v (sort-vec- (as-comparator- comp) (vec coll))]
     (if (seq v) (seq v) ()))))

(defn sort-by
  "Returns a sorted sequence of the items in coll, where the sort order is determined by comparing (keyfn item). The sort is stable."
  ([keyfn coll] (sort-by keyfn compare coll))
  ([keyfn comp coll]
   (let [c (as-comparator- comp)]
     (sort (fn [a b] (c (keyfn a) (keyfn b))) coll))))

(defn max-key
  "Returns the x for which (k x), a number, is greatest. If there are multiple such xs, the last one is returned."
  ([k x] x)
  ([k x & more] (reduce (fn [a b] (if (> (k a) (k b)) a b)) x more)))

(defn min-key
  "Returns the x for which (k x), a number, is least. If there are multiple such xs, the last one is returned."
  ([k x] x)
  ([k x & more] (reduce (fn [a b] (if (< (k a) (k b)) a b)) x more)))

;;;; doseq and for.

(defmacro doseq
  "Repeatedly executes body (presumably for side-effects) with bindings and filtering as provided by \"for\". Does not retain the head of the sequence. Returns nil."
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
  "List comprehension. Takes a vector of one or more binding-form/collection-expr pairs, each followed by zero or more modifiers, and yields a lazy sequence of evaluations of expr. Supported modifiers are: :let [binding-form expr ...], :while test, :when test."
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
  "Return true if x is a Boolean"
  [x] (or (true? x) (false? x)))

(defn rand-nth
  "Return a random element of the (sequential) collection."
  [coll] (nth coll (rand-int (count coll))))

(defn shuffle
  "Return a random permutation of coll"
  [coll]
  (loop [v (vec coll) i (dec (count v))]
    (if (pos? i)
      (let [j (rand-int (inc i)) t (v i)]
        (recur (assoc (assoc v i (v j)) j t) (dec i)))
      v)))

(defmacro time
  "Evaluates expr and prints the time it took. Returns the value of expr."
  [expr]
  `(let [start# (-nano-time)
         ret# ~expr]
     (println (str "\"Elapsed time: " (/ (double (- (-nano-time) start#)) 1000000.0) " msecs\""))
     ret#))

;;;; Hierarchies and multimethods (in Clojure, over an atom of methods).

(def ^:private global-hierarchy (atom {:parents {} :ancestors {} :descendants {}}))

(defn make-hierarchy
  "Creates a hierarchy object for use with derive, isa? etc."
  [] {:parents {} :descendants {} :ancestors {}})

(defn parents
  "Returns the immediate parents of tag, either via a Java type inheritance relationship or a relationship established via derive."
  ([tag] (parents @global-hierarchy tag))
  ([h tag] (not-empty (get (:parents h) tag))))

(defn ancestors
  "Returns the immediate and indirect parents of tag, as established via derive."
  ([tag] (ancestors @global-hierarchy tag))
  ([h tag] (not-empty (get (:ancestors h) tag))))

(defn descendants
  "Returns the immediate and indirect children of tag, through a relationship established via derive."
  ([tag] (descendants @global-hierarchy tag))
  ([h tag] (not-empty (get (:descendants h) tag))))

(defn derive
  "Establishes a parent/child relationship between parent and tag."
  ([tag parent] (swap! global-hierarchy derive tag parent) nil)
  ([h tag parent]
   (when (= tag parent)
     (throw (ex-new* "java.lang.AssertionError" "Assert failed: (not= tag parent)")))
   (let [tp (:parents h) td (:descendants h) ta (:ancestors h)
         tf (fn [m source sources target targets]
              (reduce (fn [ret k]
                        (assoc ret k (reduce conj (get targets k #{}) (cons target (targets target)))))
                      m (cons source (sources source))))]
     (if (contains? (get tp tag #{}) parent)
       h
       (do
         (when (contains? (get ta tag #{}) parent)
           (throw (ex-new* "java.lang.Exception" (str (pr-str tag) " already has " (pr-str parent) " as ancestor"))))
         (when (contains? (get ta parent #{}) tag)
           (throw (ex-new* "java.lang.Exception" (str "Cyclic derivation: " (pr-str parent) " has " (pr-str tag) " as ancestor"))))
         {:parents (assoc (:parents h) tag (conj (get tp tag #{}) parent))
          :ancestors (tf (:ancestors h) tag td parent ta)
          :descendants (tf (:descendants h) parent ta tag td)})))))

(defn isa?
  "Returns true if (= child parent), or child is directly or indirectly derived from parent, either via a relationship established via derive, or, for vectors, element-wise."
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
  "Creates a new multimethod with the associated dispatch function. Options are key-value pairs and may be one of: :default (the default dispatch value, defaults to :default) and :hierarchy."
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
  "Creates and installs a new method of multimethod associated with dispatch-value."
  [multifn dispatch-val & fn-tail]
  `(do (swap! (-multi-state ~multifn) update :methods assoc ~dispatch-val (fn ~@fn-tail))
       ~multifn))

(defn remove-method
  "Removes the method of multimethod associated with dispatch-value."
  [multifn dispatch-val]
  (swap! (-multi-state multifn) update :methods dissoc dispatch-val)
  multifn)

(defn remove-all-methods
  "Removes all of the methods of multimethod."
  [multifn]
  (swap! (-multi-state multifn) assoc :methods {})
  multifn)

(defn prefer-method
  "Causes the multimethod to prefer matches of dispatch-val-x over dispatch-val-y when there is a conflict"
  [multifn dispatch-val-x dispatch-val-y]
  (swap! (-multi-state multifn) update-in [:prefers dispatch-val-x] (fnil conj #{}) dispatch-val-y)
  multifn)

(defn methods
  "Given a multimethod, returns a map of dispatch values -> dispatch fns"
  [multifn] (:methods @(-multi-state multifn)))

(defn get-method
  "Given a multimethod and a dispatch value, returns the dispatch fn that would apply to that value, or nil if none apply and no default"
  [multifn dispatch-val] ((::find (meta multifn)) dispatch-val))

(defn prefers
  "Given a multimethod, returns a map of preferred value -> set of other values"
  [multifn] (:prefers @(-multi-state multifn)))

(load "core_types")
