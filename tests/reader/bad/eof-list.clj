(ok)
(def x
  (let [a 1]
    a)
