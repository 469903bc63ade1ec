;; nrepl.core/client against a Kiln server: prints what the e2e test checks.
;; Usage: clojure.main core_client.clj PORT
(require '[nrepl.core :as nrepl])
(let [port (Integer/parseInt (first *command-line-args*))]
  (with-open [conn (nrepl/connect :host "127.0.0.1" :port port)]
    (let [client (nrepl/client conn 10000)
          session (nrepl/client-session client)
          r1 (nrepl/combine-responses (nrepl/message session {:op "eval" :code "(+ 1 2) (println \"out!\")"}))
          r2 (nrepl/response-values (nrepl/message client {:op "eval" :code "(def v [1 2 {:a 3}]) v"}))
          r3 (nrepl/combine-responses (nrepl/message session {:op "eval" :code "(/ 1 0)"}))
          r4 (nrepl/combine-responses (nrepl/message client {:op "describe"}))]
      (prn :values (:value r1) :out (:out r1) :status (sort (:status r1)))
      (prn :response-values r2)
      (prn :error (:ex r3) (sort (:status r3)) (boolean (re-find #"Divide by zero" (str (:err r3)))))
      (prn :ops (every? (set (keys (:ops r4))) [:eval :clone :describe :load-file])))))
