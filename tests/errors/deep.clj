(ns errs.deep)
(defn inner [m]
  (reduce (fn [acc x]
            (if (= x 3) (throw (ex-info "boom" {:x x})) (+ acc x)))
          0 m))
(defn outer [] (inner [1 2 3]))
(outer)
