(ns clojure.test
  "Unit tests: deftest, is, are, testing, fixtures, and the report multimethod.
  Reports and the summary print as JVM Clojure's clojure.test prints them."
  (:require [clojure.template :as temp]
            [clojure.string :as str]))

;; ---- state ----

(def ^:dynamic *load-tests* "False skips deftest bodies." true)
(def ^:dynamic *stack-trace-depth* nil)
(def ^:dynamic *report-counters* "An atom of counts while tests run." nil)
(def ^:dynamic *initial-report-counters* {:test 0, :pass 0, :fail 0, :error 0})
(def ^:dynamic *testing-vars* "The test vars being run, innermost first." (list))
(def ^:dynamic *testing-contexts* "The strings of enclosing testing forms, innermost first." (list))
(def ^:dynamic *test-out* *out*)

(defmacro with-test-out
  "Evaluates body while *out* is rebound to the writer held in *test-out*, so
  reports go where the test run sends them."
  [& body]
  `(binding [*out* *test-out*] ~@body))

(defn inc-report-counter
  "Adds one to the counter [name] of the running tests."
  [name]
  (when *report-counters*
    (swap! *report-counters* update name (fnil inc 0))))

(defn testing-vars-str
  "\"(test-name) (file.clj:12)\" for a report map."
  [m]
  (let [{:keys [file line]} m]
    (str (reverse (map #(:name (meta %)) *testing-vars*))
         " (" file ":" line ")")))

(defn testing-contexts-str
  "The enclosing testing strings, outermost first, separated by spaces."
  []
  (apply str (interpose " " (reverse *testing-contexts*))))

;; ---- reporting ----

(defmulti report
  "Called with a map {:type ...} for every event: :pass :fail :error
  :begin-test-ns :end-test-ns :begin-test-var :end-test-var :summary.
  Rebind or extend it to report differently."
  :type)

(def ^:dynamic *assertion-position*
  "{:file :line} of the assertion running now (try-expr binds it), which
  do-report adds to :fail and :error reports that carry no position. The JVM
  reads it from the stack instead."
  nil)

(defn do-report
  "Adds a source position to a :fail or :error report m and reports it: for
  an error, where its exception was thrown (the top of its chain of calls,
  as the JVM reads it from the stack trace); otherwise, unless m has one,
  the assertion's."
  [m]
  (let [top (when (and (= :error (:type m)) (instance? Throwable (:actual m)))
              (first (-ex-trace (:actual m))))]
    (report (cond top (assoc m :file (nth top 2) :line (nth top 3))
                  (and (#{:fail :error} (:type m)) (not (:file m))) (merge *assertion-position* m)
                  :else m))))

(defmethod report :default [m] nil)

(defmethod report :pass [m]
  (with-test-out (inc-report-counter :pass)))

(defn- print-exception
  "Prints e as clojure.stacktrace/print-cause-trace does: class: message,
  ex-data, the chain of calls where it was thrown (at most
  *stack-trace-depth* frames), then its causes."
  [e]
  (if (instance? Throwable e)
    (loop [e e]
      (let [data (ex-data e)
            st (cond->> (-ex-trace e) *stack-trace-depth* (take *stack-trace-depth*))]
        (println (str (class e) ": " (ex-message e)))
        (when data (prn data))
        (doseq [[i [f _ file line]] (map-indexed vector st)]
          (println (str (if (zero? i) " at " "    ") f " (" file ":" line ")")))
        (when-let [c (ex-cause e)]
          (print "Caused by: ")
          (recur c))))
    (prn e)))

(defmethod report :fail [m]
  (with-test-out
    (inc-report-counter :fail)
    (println "\nFAIL in" (testing-vars-str m))
    (when (seq *testing-contexts*) (println (testing-contexts-str)))
    (when-let [message (:message m)] (println message))
    (println "expected:" (pr-str (:expected m)))
    (println "  actual:" (pr-str (:actual m)))))

(defmethod report :error [m]
  (with-test-out
    (inc-report-counter :error)
    (println "\nERROR in" (testing-vars-str m))
    (when (seq *testing-contexts*) (println (testing-contexts-str)))
    (when-let [message (:message m)] (println message))
    (println "expected:" (pr-str (:expected m)))
    (print "  actual: ")
    (print-exception (:actual m))))

(defmethod report :summary [m]
  (with-test-out
    (println "\nRan" (:test m) "tests containing"
             (+ (:pass m) (:fail m) (:error m)) "assertions.")
    (println (:fail m) "failures," (:error m) "errors.")))

(defmethod report :begin-test-ns [m]
  (with-test-out
    (println "\nTesting" (ns-name (:ns m)))))

(defmethod report :end-test-ns [m] nil)
(defmethod report :begin-test-var [m] nil)
(defmethod report :end-test-var [m] nil)

;; ---- assertions ----

(defn function?
  "Checks whether x can be called as a function: a function value, or a
  symbol naming a var that holds a function and is not a macro."
  [x]
  (if (symbol? x)
    (when-let [v (resolve x)]
      (when (var? v)
        (let [value @v]
          (and (fn? value) (not (:macro (meta v)))))))
    (fn? x)))

(defn assert-predicate
  "Code for (is (pred args...)): evaluates the args once and reports the call's outcome."
  [msg form]
  (let [args (rest form)
        pred (first form)]
    `(let [values# (list ~@args)
           result# (apply ~pred values#)]
       (if result#
         (do-report (merge {:type :pass, :message ~msg,
                                 :expected '~form, :actual (cons '~pred values#)}))
         (do-report (merge {:type :fail, :message ~msg,
                                 :expected '~form, :actual (list '~'not (cons '~pred values#))})))
       result#)))

(defn assert-any
  "Code for (is x) where x is not a function call."
  [msg form]
  `(let [value# ~form]
     (if value#
       (do-report (merge {:type :pass, :message ~msg, :expected '~form, :actual value#}))
       (do-report (merge {:type :fail, :message ~msg, :expected '~form, :actual value#})))
     value#))

(defmulti assert-expr
  "Extends is: dispatches on the symbol at the head of the asserted form."
  (fn [msg form]
    (cond
      (nil? form) :always-fail
      (seq? form) (first form)
      :else :default)))

(defmethod assert-expr :always-fail [msg form]
  `(do-report (merge {:type :fail, :message ~msg})))

(defmethod assert-expr :default [msg form]
  (if (and (sequential? form) (function? (first form)))
    (assert-predicate msg form)
    (assert-any msg form)))

(defmethod assert-expr 'instance? [msg form]
  `(let [klass# ~(nth form 1)
         object# ~(nth form 2)]
     (let [result# (instance? klass# object#)]
       (if result#
         (do-report (merge {:type :pass, :message ~msg, :expected '~form, :actual (class object#)}))
         (do-report (merge {:type :fail, :message ~msg, :expected '~form, :actual (class object#)})))
       result#)))

(defmethod assert-expr 'thrown? [msg form]
  (let [klass (nth form 1)
        body (nthnext form 2)]
    `(try ~@body
          (do-report (merge {:type :fail, :message ~msg, :expected '~form, :actual nil}))
          (catch ~klass e#
            (do-report (merge {:type :pass, :message ~msg, :expected '~form, :actual e#}))
            e#))))

(defmethod assert-expr 'thrown-with-msg? [msg form]
  (let [klass (nth form 1)
        re (nth form 2)
        body (nthnext form 3)]
    `(try ~@body
          (do-report (merge {:type :fail, :message ~msg, :expected '~form, :actual nil}))
          (catch ~klass e#
            (let [m# (ex-message e#)]
              (if (and m# (re-find ~re m#))
                (do-report (merge {:type :pass, :message ~msg, :expected '~form, :actual e#}))
                (do-report (merge {:type :fail, :message ~msg, :expected '~form, :actual e#}))))
            e#))))

(defn- form-position [form]
  (let [file (or *file* "NO_SOURCE_FILE")
        base (last (str/split file #"/"))]
    {:file base :line (:line (meta form))}))

(defmacro try-expr
  "Runs the assertion code for form, reporting an exception as an error."
  [msg form]
  (let [pos (form-position &form)]
    `(binding [*assertion-position* ~pos]
       (try ~(assert-expr msg form)
            (catch Throwable t#
              (do-report {:type :error, :message ~msg,
                          :expected '~form, :actual t#}))))))

(defmacro is
  "Asserts that form is truthy, reporting :pass or :fail (or :error when it
  throws). (is (thrown? c body)) and (is (thrown-with-msg? c re body)) check
  exceptions."
  ([form] (with-meta `(try-expr nil ~form) (meta &form)))
  ([form msg] (with-meta `(try-expr ~msg ~form) (meta &form))))

(defmacro are
  "Runs (is expr) once per group of args, substituting the group's values
  for the symbols of argv in expr: (are [in out] (= out (inc in)) 1 2, 9 10)
  checks (= 2 (inc 1)) and (= 10 (inc 9)). The number of args must be a
  multiple of the number of symbols in argv."
  [argv expr & args]
  (if (or (and (empty? argv) (empty? args))
          (and (pos? (count argv))
               (pos? (count args))
               (zero? (mod (count args) (count argv)))))
    `(temp/do-template ~argv (is ~expr) ~@args)
    (throw (ex-info "The number of args doesn't match are's argv." {:argv argv}))))

(defmacro testing
  "Runs body with string added to the testing contexts shown in failure reports."
  [string & body]
  `(binding [*testing-contexts* (conj *testing-contexts* ~string)]
     ~@body))

;; ---- defining tests ----

(defmacro with-test
  "Defines definition and attaches body to its var as a test."
  [definition & body]
  (when *load-tests*
    `(doto ~definition (alter-meta! assoc :test (fn [] ~@body)))))

(defmacro deftest
  "Defines name as a test: the var's :test metadata holds a function of no
  arguments running body (what run-tests and test-var call), and the var's
  value is a function that runs the test with reporting. Does nothing when
  *load-tests* is false."
  [name & body]
  (when *load-tests*
    `(def ~(vary-meta name assoc :test `(fn [] ~@body))
       (fn [] (test-var (var ~name))))))

(defmacro deftest-
  "deftest for a private var."
  [name & body]
  (when *load-tests*
    `(def ~(vary-meta name assoc :test `(fn [] ~@body) :private true)
       (fn [] (test-var (var ~name))))))

(defmacro set-test
  "Attaches body to an existing var as its test."
  [name & body]
  (when *load-tests*
    `(alter-meta! (var ~name) assoc :test (fn [] ~@body))))

;; ---- fixtures ----

(defmulti use-fixtures
  "Installs fixtures for the current namespace: :once wraps the whole
  namespace's run, :each every test. A fixture is (fn [f] ... (f) ...)."
  (fn [fixture-type & args] fixture-type))

(defmethod use-fixtures :each [fixture-type & args]
  (alter-meta! *ns* assoc ::each-fixtures args))

(defmethod use-fixtures :once [fixture-type & args]
  (alter-meta! *ns* assoc ::once-fixtures args))

(defn- default-fixture [f] (f))

(defn compose-fixtures
  "One fixture that runs f1 around f2."
  [f1 f2]
  (fn [g] (f1 (fn [] (f2 g)))))

(defn join-fixtures
  "One fixture that runs the fixtures, first outermost."
  [fixtures]
  (reduce compose-fixtures default-fixture fixtures))

;; ---- running ----

(defn test-var
  "Runs the test attached to var v, counting it and reporting an uncaught exception."
  [v]
  (when-let [t (:test (meta v))]
    (binding [*testing-vars* (conj *testing-vars* v)]
      (do-report {:type :begin-test-var, :var v})
      (inc-report-counter :test)
      (try (t)
           (catch Throwable e
             (do-report {:type :error, :message "Uncaught exception, not in assertion."
                         :expected nil, :actual e
                         :file (:file (meta v)), :line (:line (meta v))})))
      (do-report {:type :end-test-var, :var v}))))

(defn test-vars
  "Runs the tests of vars, grouped by namespace, with their fixtures."
  [vars]
  (doseq [[ns vars] (group-by (comp :ns meta) vars)]
    (let [once-fixture-fn (join-fixtures (::once-fixtures (meta ns)))
          each-fixture-fn (join-fixtures (::each-fixtures (meta ns)))]
      (once-fixture-fn
       (fn []
         (doseq [v vars]
           (when (:test (meta v))
             (each-fixture-fn (fn [] (test-var v))))))))))

(defn test-all-vars
  "Runs every test in namespace ns."
  [ns]
  (test-vars (vals (ns-interns ns))))

(defn test-ns
  "Runs the tests of namespace ns (its test-ns-hook if it has one) and returns the counts."
  [ns]
  (binding [*report-counters* (atom *initial-report-counters*)]
    (let [ns-obj (the-ns ns)]
      (do-report {:type :begin-test-ns, :ns ns-obj})
      (if-let [v (find-var (symbol (str (ns-name ns-obj)) "test-ns-hook"))]
        ((var-get v))
        (test-all-vars ns-obj))
      (do-report {:type :end-test-ns, :ns ns-obj}))
    @*report-counters*))

(defn run-tests
  "Runs every test var of each namespace given (the current one when none
  is), prints how many tests and assertions ran and how many failed, and
  returns that summary as a map."
  ([] (run-tests *ns*))
  ([& namespaces]
   (let [summary (assoc (apply merge-with + (map test-ns namespaces)) :type :summary)]
     (do-report summary)
     summary)))

(defn run-all-tests
  "Runs the tests of every namespace, or of those whose names match re."
  ([] (apply run-tests (all-ns)))
  ([re] (apply run-tests (filter #(re-matches re (name (ns-name %))) (all-ns)))))

(defn successful?
  "True when a summary has no failures and no errors."
  [summary]
  (and (zero? (:fail summary 0))
       (zero? (:error summary 0))))

(defn run-test-var
  "Runs one test var with fresh counters, prints the summary, returns it."
  [v]
  (binding [*report-counters* (atom *initial-report-counters*)]
    (test-vars [v])
    (let [summary (assoc @*report-counters* :type :summary)]
      (do-report summary)
      summary)))

(defmacro run-test
  "Runs the test named by the symbol test-symbol."
  [test-symbol]
  `(run-test-var (var ~test-symbol)))
