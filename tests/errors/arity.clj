(defn f [x] x)
(defn g [] (f 1 2))
(g)
