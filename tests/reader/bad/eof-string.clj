:ok
  "never closed
