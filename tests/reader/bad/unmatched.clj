(a b
  [c d)
