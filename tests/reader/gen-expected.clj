;; Reads each corpus file given on the command line the way `kiln read` must
;; (reader conditionals allowed for the :kiln feature, *read-eval* off, in the
;; user namespace, through a LineNumberingPushbackReader so lists carry
;; :line/:column) and writes expected/NAME.txt: each form printed with pr, one
;; per line, with gensym numbers (__123) replaced by __N.
(require '[clojure.java.io :as io] '[clojure.string :as str])
(doseq [path *command-line-args*]
  (let [name (str/replace (.getName (io/file path)) #"\.clj$" "")
        out (io/file (.getParentFile (.getParentFile (io/file path))) "expected" (str name ".txt"))]
    (with-open [rdr (clojure.lang.LineNumberingPushbackReader. (io/reader path))]
      (let [forms (binding [*read-eval* false *ns* (the-ns 'user)]
                    (loop [acc []]
                      (let [f (read {:eof ::eof :read-cond :allow :features #{:kiln}} rdr)]
                        (if (= f ::eof) acc (recur (conj acc (pr-str f)))))))]
        (spit out (apply str (map #(str (str/replace % #"__\d+" "__N") "\n") forms)))))))
