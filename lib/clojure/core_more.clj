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

(doseq [iface '[java.io.Closeable java.lang.AutoCloseable]]
  ;; The interfaces with-open's values implement, for reify and deftype.
  (intern 'clojure.core iface iface))

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
  "True for the values future and future-call return."
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

(defn -type-str
  "What str gives for x, a record, deftype or reify instance, when its body
  implemented Object's toString; otherwise nil (and str uses the class name)."
  [x]
  (when-let [f (-type-method x :toString)] (str (f x))))

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
  "Evaluates the exprs in parallel on other threads (through pcalls) and
  returns their results as a lazy seq, in the order written."
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
  "Evaluates body holding the lock of x (reentrant), so that other threads
  locking x wait. Kiln has 64 such locks, chosen by x's address: two objects
  can share one."
  [x & body]
  `(let [lockee# ~x]
     (-monitor-enter lockee#)
     (try
       ~@body
       (finally (-monitor-exit lockee#)))))


;;;; Refs and transactions.
;;
;; A ref is an atom marked in its metadata. dosync runs its body holding one
;; process-wide recursive lock, so transactions are serialized (never
;; retried); the first write to a ref in a transaction records its old value,
;; and an exception escaping the body puts the recorded values back.

(def ^:dynamic ^:private *tx* nil)

(defn ref
  "A ref holding x, changed only inside dosync (ref-set, alter, commute).
  Options :meta and :validator as for atom; history options are ignored."
  [x & options]
  (let [{:keys [meta validator]} (apply hash-map options)]
    (atom x :meta (assoc meta ::ref true) :validator validator)))

(defn- the-ref [r]
  (if (::ref (meta r))
    r
    (throw (ex-new* "java.lang.ClassCastException"
                    (str "class " (class r) " cannot be cast to class clojure.lang.Ref")))))

(defn- running-tx []
  (or *tx* (throw (ex-new* "java.lang.IllegalStateException" "No transaction running"))))

(defn- tx-write [r change]
  (let [tx (running-tx)]
    (the-ref r)
    (when-not (contains? @tx r) (swap! tx assoc r @r))
    (change)))

(defn ref-set
  "Sets ref r to v inside a transaction; returns v."
  [r v] (tx-write r #(reset! r v)))

(defn alter
  "Sets ref r to (apply f current-value args) inside a transaction; returns it."
  [r f & args] (tx-write r #(apply swap! r f args)))

(defn commute
  "Like alter (transactions run one at a time, so there is nothing to reorder)."
  [r f & args] (tx-write r #(apply swap! r f args)))

(defn ensure
  "The value of ref r, inside a transaction."
  [r] (running-tx) @(the-ref r))

(defn -run-in-transaction
  "Calls f in a transaction: joins the running one or starts one."
  [f]
  (if *tx*
    (f)
    (do
      (-tx-lock)
      (try
        (let [tx (atom {})]
          (binding [*tx* tx]
            (try
              (f)
              (catch Throwable e
                (doseq [[r old] @tx] (reset! r old))
                (throw e)))))
        (finally (-tx-unlock))))))

(defmacro dosync
  "Runs body in a transaction (see ref); returns its value."
  [& body]
  `(-run-in-transaction (fn [] ~@body)))

(defmacro sync
  "dosync; flags are ignored."
  [flags & body]
  `(dosync ~@body))

(defmacro io!
  "Evaluates body, or throws IllegalStateException inside a transaction."
  [& body]
  `(if (-in-transaction?)
     (throw (ex-new* "java.lang.IllegalStateException" "I/O in transaction"))
     (do ~@body)))

(defn -in-transaction?
  "True inside dosync."
  [] (boolean *tx*))

(defn ref-history-count "Refs keep no history: 0." [r] 0)
(defn ref-min-history "Refs keep no history: 0, and setting it does nothing." ([r] 0) ([r n] r))
(defn ref-max-history "Refs keep no history: 0, and setting it does nothing." ([r] 0) ([r n] r))

;;;; Agents.
;;
;; An agent is an atom whose metadata holds its queue of actions and its error
;; state. send puts an action on the queue; one thread at a time (started
;; when the queue was idle) runs the actions in order, each with the
;; sender's dynamic bindings and *agent* bound.

(def ^:dynamic *agent* "Inside an agent action, the agent running it; nil elsewhere." nil)

(defn agent
  "An agent holding state. Options: :meta, :validator, :error-handler (a fn
  of the agent and the exception) and :error-mode (:continue or :fail; :fail
  by default unless there is an error handler)."
  [state & options]
  (let [{:keys [meta validator error-handler error-mode]} (apply hash-map options)
        ctl {:queue (atom [])
             :running (atom false)
             :error (atom nil)
             :handler (atom error-handler)
             :mode (atom (or error-mode (if error-handler :continue :fail)))}]
    (atom state :meta (assoc meta ::agent ctl) :validator validator)))

(defn- agent-ctl [a]
  (or (::agent (meta a))
      (throw (ex-new* "java.lang.ClassCastException"
                      (str "class " (class a) " cannot be cast to class clojure.lang.Agent")))))

(defn- run-action [a ctl action]
  (try
    (action)
    (catch Throwable e
      (when-let [h @(:handler ctl)]
        (try (h a e) (catch Throwable _ nil)))
      (when (= :fail @(:mode ctl))
        (reset! (:error ctl) e)))))

(defn- drain [a ctl]
  (loop []
    (let [q @(:queue ctl)]
      (cond
        @(:error ctl) (reset! (:running ctl) false)
        (empty? q) (do (reset! (:running ctl) false)
                       ;; An action queued before the flag dropped restarts the loop.
                       (when (and (seq @(:queue ctl)) (compare-and-set! (:running ctl) false true))
                         (recur)))
        (compare-and-set! (:queue ctl) q (subvec q 1)) (do (run-action a ctl (first q)) (recur))
        :else (recur)))))

(defn- kick [a ctl]
  (when (and (seq @(:queue ctl)) (compare-and-set! (:running ctl) false true))
    (-thread-start (fn [] (drain a ctl)))))

(defn- dispatch [a f args]
  (let [ctl (agent-ctl a)]
    (when-let [e @(:error ctl)]
      (throw (ex-new* "java.lang.RuntimeException" "Agent is failed, needs restart" nil e)))
    (swap! (:queue ctl) conj
           (bound-fn* (fn []
                        (binding [*agent* a]
                          (reset! a (apply f @a args))))))
    (kick a ctl)
    a))

(defn send
  "Queues (apply action-fn state args) to become agent a's new state, run on
  another thread after the actions queued before it. Returns a."
  [a f & args] (dispatch a f args))

(defn send-off
  "Same as send (every action gets a thread of its own when the agent is idle)."
  [a f & args] (dispatch a f args))

(defn send-via
  "Same as send; the executor is ignored."
  [executor a f & args] (dispatch a f args))

(defn- await-one [a ms]
  (let [p (promise)]
    (dispatch a (fn [s] (deliver p true) s) nil)
    (if (neg? ms) @p (deref p ms false))))

(defn await
  "Waits until every action sent so far to the agents has run."
  [& agents]
  (doseq [a agents] (await-one a -1))
  nil)

(defn await1
  "Waits for agent a's queued actions; returns a."
  [a] (await a) a)

(defn await-for
  "Like await, but gives up after timeout-ms milliseconds: true if all
  actions ran, false on timeout."
  [timeout-ms & agents]
  (every? true? (doall (map (fn [a] (await-one a timeout-ms)) agents))))

(defn agent-error
  "The exception that failed agent a, or nil."
  [a] @(:error (agent-ctl a)))

(defn agent-errors
  "Old form of agent-error: a seq of the exception, or nil."
  [a] (when-let [e (agent-error a)] (list e)))

(defn restart-agent
  "Clears the error of failed agent a, sets its state to new-state and runs
  its queued actions (dropped with :clear-actions true)."
  [a new-state & options]
  (let [ctl (agent-ctl a)
        {:keys [clear-actions]} (apply hash-map options)]
    (when-not @(:error ctl)
      (throw (ex-new* "java.lang.RuntimeException" "Agent does not need a restart")))
    (reset! a new-state)
    (when clear-actions (reset! (:queue ctl) []))
    (reset! (:error ctl) nil)
    (kick a ctl)
    new-state))

(defn clear-agent-errors
  "Old form of (restart-agent a @a)."
  [a] (restart-agent a @a))

(defn set-error-handler!
  "Makes f the error handler of agent a: when an action throws, f is called
  with the agent and the exception. Returns nil."
  [a f] (reset! (:handler (agent-ctl a)) f) nil)

(defn error-handler
  "Agent a's error handler, or nil."
  [a] @(:handler (agent-ctl a)))

(defn set-error-mode!
  "Sets agent a's error mode, :continue or :fail."
  [a mode] (reset! (:mode (agent-ctl a)) mode) nil)

(defn error-mode
  "Agent a's error mode."
  [a] @(:mode (agent-ctl a)))

(defn release-pending-sends
  "Sends are never held back in Kiln: 0."
  [] 0)

(defn shutdown-agents
  "Agent threads end when their queues are empty: nothing to do."
  [] nil)

(defn set-agent-send-executor!
  "Accepted and ignored: agents run on threads of their own."
  [executor] nil)

(defn set-agent-send-off-executor!
  "Accepted and ignored: agents run on threads of their own."
  [executor] nil)

;;;; Taps.

(def ^:private taps (atom #{}))

(defn add-tap
  "Registers f, a one-argument function, so that each later tap> call passes
  its value to f. Returns nil."
  [f] (swap! taps conj f) nil)

(defn remove-tap
  "Unregisters f, so that tap> stops calling it. Returns nil."
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
  "Always true, whatever its argument."
  [x] true)

(defn simple-ident?
  "True for keywords and symbols that have no namespace part."
  [x] (and (ident? x) (nil? (namespace x))))

(defn qualified-ident?
  "True for keywords and symbols that have a namespace part."
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
  "True for UUID values (such as #uuid literals and random-uuid results)."
  [x] (instance? java.util.UUID x))

(defn inst?
  "True for instants: #inst values."
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
  "The namespaces require, use or load have loaded so far, as a sorted set of
  symbols."
  [] (apply sorted-set (-loaded-libs)))

(def ^:dynamic *clojure-version*
  "The Clojure version whose clojure.core Kiln follows."
  {:major 1, :minor 11, :incremental 1, :qualifier nil})

(defn clojure-version
  "The version of Clojure whose behaviour Kiln follows, as a string such as
  \"1.11.1\"."
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
