;; clojure/core_types.clj — protocols, records, deftype and reify.
;;
;; Loaded by clojure/core.clj. Types are named by symbols: (class x) of a
;; record is its type symbol (demo.core.Point), of a string java.lang.String,
;; of nil nil. defrecord and deftype define a var holding the type symbol, so
;; the type's name evaluates to it just as String evaluates to
;; java.lang.String, and extend-type, instance? and catch take either.
;;
;; A protocol is a map held by its var: its name, its method keywords and an
;; atom of implementations {type-symbol {method-keyword fn}}. A protocol
;; method finds the implementation for its first argument's type: the exact
;; type first, then any extended interface or class the value is an instance
;; of, then java.lang.Object; reify instances carry their own methods.

(in-ns 'clojure.core)

;;;; Names

(def ^:private munge-chars
  {\- "_", \: "_COLON_", \+ "_PLUS_", \> "_GT_", \< "_LT_", \= "_EQ_", \~ "_TILDE_",
   \! "_BANG_", \@ "_CIRCA_", \# "_SHARP_", \' "_SINGLEQUOTE_", \" "_DOUBLEQUOTE_",
   \% "_PERCENT_", \^ "_CARET_", \& "_AMPERSAND_", \* "_STAR_", \| "_BAR_",
   \{ "_LBRACE_", \} "_RBRACE_", \[ "_LBRACK_", \] "_RBRACK_", \/ "_SLASH_",
   \\ "_BSLASH_", \? "_QMARK_"})

(defn munge
  "The JVM-safe form of a name, as the JVM's class names spell it: my-ns -> my_ns."
  [s]
  (let [m (apply str (map (fn [c] (get munge-chars c c)) (str s)))]
    (if (symbol? s) (symbol m) m)))

;;;; Protocols

(defn -make-protocol
  "The value of a protocol var: its name, method keywords and implementations."
  [name methods]
  {:kiln/protocol true, :name name, :methods (set methods), :impls (atom {})})

(defn- protocol-type-key [t] (if (nil? t) 'nil t))

(defn- find-impl [proto x]
  (let [impls @(:impls proto)
        own (::methods (meta x))]
    (or (when (and own (-type-tag x)) (get own (:name proto)))
        (get impls (if (nil? x) 'nil (class x)))
        (some (fn [[t m]]
                (when (and (symbol? t) (not= t 'nil) (not= t 'java.lang.Object) (instance? t x))
                  m))
              impls)
        (when-not (nil? x) (get impls 'java.lang.Object)))))

(defn -protocol-fn
  "The implementation of method mkw of protocol proto for x, or an error naming both."
  [proto mkw x]
  (let [m (find-impl proto x)
        f (get m mkw)]
    (or f
        (throw (ex-new* "java.lang.IllegalArgumentException"
                        (str "No implementation of method: " mkw " of protocol: #'" (:name proto)
                             " found for class: " (if (nil? x) "nil" (class x))))))))

(defmacro defprotocol
  "Defines a protocol: named method signatures that types implement with
  extend-type, extend-protocol, defrecord, deftype or reify. Each method is
  a function dispatching on the type of its first argument."
  [pname & sigs]
  (let [doc (when (string? (first sigs)) (first sigs))
        sigs (if doc (rest sigs) sigs)
        sigs (remove keyword? sigs)
        qname (symbol (str (ns-name *ns*)) (name pname))
        method-names (map first sigs)]
    `(do
       (defonce ~pname (-make-protocol '~qname ~(vec (map keyword method-names))))
       (alter-meta! (var ~pname) assoc :doc ~doc)
       ~@(for [[mname & arities] sigs]
           (let [mdoc (first (filter string? arities))
                 arglists (filter vector? arities)]
             `(defn ~mname
                ~@(when mdoc [mdoc])
                ~@(for [args arglists]
                    (let [params (vec (map (fn [_] (gensym "p")) args))]
                      `(~params ((-protocol-fn ~pname ~(keyword (name mname)) ~(first params))
                                 ~@params)))))))
       '~pname)))

(defn extend
  "Makes type t implement protocols: (extend t Proto {:method fn ...} ...)."
  [t & proto+mmaps]
  (doseq [[proto mmap] (partition 2 proto+mmaps)]
    (swap! (:impls proto) update (protocol-type-key t) merge mmap))
  nil)

(defn- method-map
  "{:name (fn ...)} from method bodies (name [args] body...) or (name ([args] body) ...)."
  [bodies wrap]
  (into {}
        (for [[mname & fntail] bodies]
          [(keyword (name mname)) (wrap `(fn ~@fntail))])))

(defn- split-specs
  "Groups [Proto (m ...) (m ...) Proto2 ...] into [[Proto [(m ...) ...]] ...]."
  [specs]
  (loop [specs specs, out []]
    (if (seq specs)
      (let [p (first specs)
            [bodies more] (split-with seq? (rest specs))]
        (recur more (conj out [p bodies])))
      out)))

(defmacro extend-type
  "Implements protocols for type t: (extend-type T Proto (method [this] ...) ...)."
  [t & specs]
  `(extend ~t ~@(mapcat (fn [[p bodies]] [p (method-map bodies identity)]) (split-specs specs))))

(defmacro extend-protocol
  "Implements protocol p for several types: (extend-protocol P T1 (m [x] ..) T2 (m [x] ..))."
  [p & specs]
  `(do ~@(map (fn [[t bodies]] `(extend-type ~t ~p ~@bodies)) (split-specs specs))))

(defn extends?
  "True if type t implements protocol p."
  [p t]
  (contains? @(:impls p) (protocol-type-key t)))

(defn satisfies?
  "True if x's type implements protocol p."
  [p x]
  (boolean (find-impl p x)))

(defn extenders
  "The types that implement protocol p."
  [p]
  (keys @(:impls p)))

;;;; Records and types

(defn- type-symbol [tname]
  (symbol (str (munge (str (ns-name *ns*))) "." (name tname))))

(defn- bind-fields
  "Wraps each method body so the fields are locals read from the first parameter."
  [fields]
  (fn [[_ & fntail]]
    (let [arities (if (vector? (first fntail)) (list fntail) fntail)]
      `(fn ~@(for [[params & body] arities]
               (let [this (first params)]
                 `(~params (let [~@(mapcat (fn [f] [f `(-field ~this ~(keyword (name f)))])
                                           fields)]
                             ~@body))))))))

(def -interface-impls
  "Methods that deftype and defrecord bodies give for interfaces (names that
  are not protocols, like clojure.lang.IDeref): {type {interface {method fn}}}."
  (atom {}))

(defn -extend-inline
  "Installs the methods of one protocol or interface section of a deftype,
  defrecord body: p is the section's value, psym its name as written."
  [t p psym mmap]
  (if (and (map? p) (:kiln/protocol p))
    (extend t p mmap)
    (swap! -interface-impls update-in [t psym] merge mmap)))

(defn- merge-arities
  "Method bodies grouped by name: (m [a] ..) (m [a b] ..) becomes one
  multi-arity (m ([a] ..) ([a b] ..))."
  [bodies]
  (for [[mname group] (group-by first bodies)]
    (if (next group)
      (cons mname (map (fn [[_ & tail]] (if (vector? (first tail)) tail (first tail))) group))
      (first group))))

(defn- inline-impls [tname fields specs]
  (for [[p bodies] (split-specs specs)
        :let [object? (#{'Object 'java.lang.Object} p)]]
    `(-extend-inline ~tname ~(if object? nil p) '~(if object? 'Object p)
                     ~(into {} (for [[mname :as body] (merge-arities bodies)]
                                 [(keyword (name mname)) ((bind-fields fields) body)])))))

(defmacro defrecord
  "Defines a record type: a map with named fields, constructors ->Name and
  map->Name, and optional protocol implementations whose bodies see the
  fields as locals. (defrecord Point [x y] Proto (m [this] (+ x y)))"
  [tname fields & specs]
  (let [tag (type-symbol tname)
        ks (map keyword fields)]
    `(do
       (def ~tname '~tag)
       (defn ~(symbol (str "->" tname))
         ~(str "Positional factory function for class " tag ".")
         [~@fields]
         (record* '~tag ~(vec ks) (array-map ~@(interleave ks fields))))
       (defn ~(symbol (str "map->" tname))
         ~(str "Factory function for class " tag ", taking a map of keywords to field values.")
         [m#]
         (record* '~tag ~(vec ks) (merge (array-map ~@(interleave ks (repeat nil))) m#)))
       ~@(inline-impls tname fields specs)
       ~tname)))

(defmacro deftype
  "Defines a type with named fields (read with (.-field x)), a constructor
  ->Name, and optional protocol implementations."
  [tname fields & specs]
  (let [tag (type-symbol tname)
        ks (map keyword fields)]
    `(do
       (def ~tname '~tag)
       (defn ~(symbol (str "->" tname))
         ~(str "Positional factory function for class " tag ".")
         [~@fields]
         (type* '~tag ~(vec ks) (array-map ~@(interleave ks fields))))
       ~@(inline-impls tname fields specs)
       ~tname)))

(defmacro reify
  "An object implementing protocols, whose methods close over the locals
  around it: (reify Proto (m [this] ...))."
  [& specs]
  (let [tag (symbol (str (munge (str (ns-name *ns*))) ".reify__" (gensym "")))]
    `(with-meta (type* '~tag [] {})
       {::methods ~(into {} (for [[p bodies] (split-specs specs)]
                              [(if (#{'Object 'java.lang.Object} p)
                                 ''Object
                                 `(let [p# ~p] (if (map? p#) (:name p#) '~p)))
                               (method-map (merge-arities bodies) identity)]))})))
