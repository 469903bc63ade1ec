(ns demo.app)

;; Evaluate a new version of this from your editor while the app runs:
;; the label changes on the next tick, and `taps` keeps its count.
(defn greeting [taps]
  (str "Hello from Kiln! Tapped " taps " times."))

(defonce taps (atom 0))

(defn tap! [] (swap! taps inc))
