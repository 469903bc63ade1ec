(a
 "x\qy")
