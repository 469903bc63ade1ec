(defn down [n] (if (zero? n) (/ 1 n) (+ 1 (down (dec n)))))
(down 4)
