(ns clojure.edn
  "Reading edn, the data subset of Clojure's syntax, with Kiln's reader."
  (:refer-clojure :exclude [read-string]))

(defn read-string
  "Parses the first EDN value in the string s, evaluating nothing. opts may
  hold :eof (the value for an empty or blank input, nil by default),
  :readers (a map from tag symbols to the fns that read tagged values, over
  the default ones for #inst and #uuid). The :default option (a fn for tags
  without a reader fn) is not supported: Kiln's reader has no hook for it."
  ([s] (read-string {} s))
  ([opts s]
   (when s
     (let [readers (merge *data-readers* (:readers opts))]
       (binding [*data-readers* readers]
         (clojure.core/read-string {:eof (:eof opts)} s))))))
