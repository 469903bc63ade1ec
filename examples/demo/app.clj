;; The demo app's Clojure side. demo_app.c loads this, then calls
;; (demo.app/tick) every 200 ms; `make demo` replaces greeting while it runs.
(ns demo.app)

(def frames (atom 0))

(defn greeting [n]
  (str "Hello from Kiln, frame " n))

(defn tick []
  (let [n (swap! frames inc)]
    (println (greeting n))))
