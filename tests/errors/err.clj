(defn c [x] (/ x 0))
(defn b [x] (inc (c x)))
(defn a [x] (b x))
(a 1)
