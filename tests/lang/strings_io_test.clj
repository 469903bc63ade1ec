(ns strings-io-test
  "clojure.string, format and printing, reading, clojure.edn, files."
  (:require [clojure.test :refer [deftest is testing are]]
            [clojure.string :as str]
            [clojure.edn :as edn]))

(deftest clojure-string
  (are [expected actual] (= expected actual)
    "a,b" (str/join "," ["a" "b"])
    "ab" (str/join ["a" "b"])
    ["a" "b" "c"] (str/split "a1b22c" #"\d+")
    ["a" "b,c"] (str/split "a,b,c" #"," 2)
    ["x" "y"] (str/split-lines "x\ny")
    "ABC" (str/upper-case "abc")
    "abc" (str/lower-case "ABC")
    "Abc" (str/capitalize "aBC")
    "x" (str/trim "  x \n")
    "x " (str/triml " x ")
    " x" (str/trimr " x ")
    "x" (str/trim-newline "x\r\n")
    true (str/blank? " \t")
    false (str/blank? "a")
    true (str/blank? nil)
    "a-b-" (str/replace "a.b." "." "-")
    "a#b#" (str/replace "a1b22" #"\d+" "#")
    "[1][22]" (str/replace "1 22" #"(\d+) ?" "[$1]")
    "A1" (str/replace "a1" #"[a-z]" str/upper-case)
    "a-b." (str/replace-first "a.b." "." "-")
    "cba" (str/reverse "abc")
    true (str/starts-with? "abc" "ab")
    true (str/ends-with? "abc" "bc")
    true (str/includes? "abc" "b")
    1 (str/index-of "abcb" "b")
    3 (str/last-index-of "abcb" "b")
    nil (str/index-of "abc" "z")
    "a&lt;b" (str/escape "a<b" {\< "&lt;"})
    "a\\$b" (str/re-quote-replacement "a$b")))

(deftest regexes
  (is (= "123" (re-find #"\d+" "ab123c")))
  (is (= ["a1" "1"] (re-find #"[a-z](\d)" "xa1")))
  (is (= ["1" "22"] (re-seq #"\d+" "1 22")))
  (is (= "abc" (re-matches #"[a-z]+" "abc")))
  (is (nil? (re-matches #"[a-z]+" "abc1")))
  (is (= "a.b" (str (re-pattern "a.b")))))

(deftest formatting-and-printing
  ;; clojure.main (and so kiln run, eval and test) prints namespace maps.
  (is (true? *print-namespace-maps*))
  (is (= "#:a{:b 1, :c 2}" (pr-str {:a/b 1 :a/c 2})))
  (is (= "  3.14|:a|42|ff|x" (format "%6.2f|%s|%d|%x|%c" 3.14159 :a 42 255 \x)))
  (is (= "1 2\n" (with-out-str (printf "%d %d\n" 1 2))))
  (is (= "a 1 s\n" (with-out-str (println "a" 1 "s"))))
  (is (= "\"s\" \\c\n" (with-out-str (prn "s" \c))))
  (is (= "ab" (with-out-str (print "a") (print "b"))))
  (is (= "[1 \"a\" :k]" (pr-str [1 "a" :k])))
  (is (= "[1 a :k]" (print-str [1 "a" :k])))
  (is (= "(0 1 ...)" (binding [*print-length* 2] (pr-str (range 10)))))
  (is (= "[[#]]" (binding [*print-level* 2] (pr-str [[[1]]]))))
  (is (= "x" (with-out-str (binding [*out* *out*] (print "x")))))
  (is (= "" (with-out-str nil)))
  (is (= "\na\n" (with-out-str (newline) (print "") (print "a\n") (flush)))))

(deftest reading
  (is (= {:a [1 2.5 "s" \c]} (read-string "{:a [1 2.5 \"s\" \\c]}")))
  (is (= '(+ 1 2) (read-string "(+ 1 2)")))
  (is (= 3 (eval (read-string "(+ 1 2)"))))
  (is (= 3 (load-string "(def tmp-x 1) (+ tmp-x 2)")))
  (is (= :eof (read-string {:eof :eof} "")))
  (is (= #{1 2} (edn/read-string "#{1 2}")))
  (is (= {:a 1} (edn/read-string "{:a 1}")))
  (is (nil? (edn/read-string "")) "empty input reads as nil without :eof")
  (is (= :none (edn/read-string {:eof :none} "")))
  (is (= [:tagged 5] (edn/read-string {:readers {'my/tag (fn [x] [:tagged x])}} "#my/tag 5")))
  (is (= 42 (parse-long "42")))
  (is (nil? (parse-long "4x")))
  (is (= 1.5 (parse-double "1.5")))
  (is (true? (parse-boolean "true")))
  (is (nil? (parse-boolean "yes")))
  (is (uuid? (parse-uuid "00000000-0000-0000-0000-000000000001")))
  (is (nil? (parse-uuid "nope"))))

(deftest files
  (let [path (str "/tmp/kiln-lang-test-" (rand-int 1000000) ".txt")]
    (try
      (spit path "line one\n")
      (spit path "line two\n" :append true)
      (is (= "line one\nline two\n" (slurp path)))
      (is (= ["line one" "line two"] (str/split-lines (slurp path))))
      (finally
        (spit path "")))
    (is (thrown? Exception (slurp "/no/such/file/kiln")))))

(deftest with-open-closes
  (let [log (atom [])
        closer (fn [k] (reify java.io.Closeable (close [_] (swap! log conj [:close k]))))]
    (is (= :done (with-open [a (closer :a) b (closer :b)]
                   (swap! log conj :body)
                   :done)))
    (is (= [:body [:close :b] [:close :a]] @log))
    (reset! log [])
    (is (thrown? Exception (with-open [a (closer :a)] (throw (ex-info "x" {})))))
    (is (= [[:close :a]] @log))))

(deftest standard-input
  (is (= ["a" "b" nil] (with-in-str "a\nb\n" [(read-line) (read-line) (read-line)]))))
