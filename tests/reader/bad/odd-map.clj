;; comment
  {:a 1 :b}
