(ns clojure.repl
  "Help at the REPL: doc, find-doc, dir, apropos, source and pst.")

(defn print-doc
  "Prints the documentation in m (a var's metadata, or a map with :name and
  :doc for a namespace) in the JVM's layout."
  [{:keys [ns name arglists macro doc special-form]}]
  (println "-------------------------")
  (println (if ns (str (ns-name ns) "/" name) (str name)))
  (when arglists (prn arglists))
  (cond macro (println "Macro")
        special-form (println "Special Form"))
  (when doc (println " " doc)))

(def ^:private special-forms
  '#{def if do let* fn* loop* recur quote var throw try catch finally letfn* case* set! new .})

(defn doc-fn
  "Prints the documentation of the var, namespace or special form named by
  the symbol sym."
  [sym]
  (cond
    (special-forms sym) (print-doc {:name sym :special-form true})
    (find-ns sym) (let [n (find-ns sym)]
                    (print-doc {:name (ns-name n) :doc (:doc (meta n))}))
    :else (when-let [v (resolve sym)]
            (when (var? v) (print-doc (meta v))))))

(defmacro doc
  "Prints the documentation of the var, namespace or special form named by
  name (unevaluated). A var is resolved where doc is used."
  [name]
  (if (and (symbol? name) (not (special-forms name)) (not (find-ns name))
           (var? (resolve name)))
    `(print-doc (meta (var ~name)))
    `(doc-fn '~name)))

(defn find-doc
  "Prints the documentation of every public var whose name or docstring
  matches re-string-or-pattern."
  [re-string-or-pattern]
  (let [re (re-pattern re-string-or-pattern)]
    (doseq [n (sort-by (comp str ns-name) (all-ns))
            [_ v] (sort-by key (ns-publics n))
            :let [m (meta v)]
            :when (or (re-find re (str (:name m)))
                      (and (:doc m) (re-find re (:doc m))))]
      (print-doc m))))

(defn dir-fn
  "The sorted names of the public vars of namespace ns (a symbol or namespace)."
  [ns]
  (sort (keys (ns-publics (the-ns ns)))))

(defmacro dir
  "Prints the sorted names of the public vars of namespace nsname."
  [nsname]
  `(doseq [v# (dir-fn '~nsname)] (println v#)))

(defn apropos
  "The sorted, namespace-qualified symbols of the public vars whose names
  contain str-or-pattern (a string, or a regex to find)."
  [str-or-pattern]
  (let [matches? (if (instance? java.util.regex.Pattern str-or-pattern)
                   (fn [s] (re-find str-or-pattern s))
                   (fn [s] (clojure.string/includes? s str-or-pattern)))]
    (sort (for [n (all-ns)
                [sym _] (ns-publics n)
                :when (matches? (str sym))]
            (symbol (str (ns-name n)) (str sym))))))

(defn source-fn
  "Kiln keeps no source text for vars: always nil."
  [sym] nil)

(defmacro source
  "Prints the source of the var named by n, when it is known (in Kiln it
  never is, and this prints \"Source not found\")."
  [n]
  `(println (or (source-fn '~n) "Source not found")))

(defn root-cause
  "Returns the last cause of the chain of causes of Throwable t."
  [t]
  (loop [t t]
    (if-let [c (ex-cause t)] (recur c) t)))

(defn- simple-class-name [e]
  (re-find #"[^.]+$" (str (class e))))

(defn pst
  "Prints a stack trace of exception e to *err*, as the JVM's pst does: its
  class, message and ex-data, then at most depth frames of the chain of calls
  where it was thrown (innermost first, \"ns/fn (file:line)\"), then its causes.
  With no exception, prints *e's root cause."
  ([] (pst 12))
  ([e-or-depth]
   (if (instance? Throwable e-or-depth)
     (pst e-or-depth 12)
     (when-let [e *e] (pst (root-cause e) e-or-depth))))
  ([e depth]
   (binding [*out* *err*]
     (when (#{:read-source :macro-syntax-check :macroexpansion :compile-syntax-check :compilation}
            (-> e ex-data :clojure.error/phase))
       (println "Note: The following stack trace applies to the reader or compiler, your code was not executed."))
     (println (str (simple-class-name e) " " (ex-message e)
                   (when-let [info (ex-data e)] (str " " (pr-str info)))))
     (let [st (-ex-trace e)
           cause (ex-cause e)]
       (doseq [[f _ file line] (take depth st)]
         (println (str \tab f " (" file ":" line ")")))
       (when cause
         (println "Caused by:")
         (pst cause (min depth (+ 2 (- (count (-ex-trace cause)) (count st))))))))))
