#!/bin/sh
# Regenerates doubles.txt: doubles with Java's Double.toString of each, from the
# JVM on this machine (JDK 17's algorithm). Each line: the 64 bits in hex, a
# space, the text. A fixed seed makes the file reproducible.
# Usage: tests/number/gen-doubles.sh [CLOJURE_JAR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-/usr/share/java/clojure.jar}
java -cp "$jar" clojure.main -e '
(let [rng (java.util.Random. 20261128)
      emit (fn [d] (println (format "%016x %s" (Double/doubleToRawLongBits d) (Double/toString d))))
      special [0.0 -0.0 1.0 -1.0 0.1 0.2 0.3 (/ 1.0 3) (/ 2.0 3) 1e22 1e21 1e23 5e-324 4.9e-324
               1.7976931348623157E308 2.2250738585072014E-308 2.225073858507201E-308 100.0
               1e7 9999999.0 9999999.999999998 1e-3 0.0009999999999999998 1e-4 123456.0
               1.0E-5 2.82879384806159E17 1.18575755E-316 2.0E-3 4.35 0.5 1.5 Double/MIN_NORMAL
               Double/MAX_VALUE Double/MIN_VALUE 9007199254740992.0 9007199254740993.0
               Double/POSITIVE_INFINITY Double/NEGATIVE_INFINITY Double/NaN]]
  (doseq [d special] (emit d))
  ;; every power of ten that is a double, and its neighbours
  (doseq [e (range -325 309)]
    (let [d (Double/parseDouble (str "1e" e))]
      (emit d) (emit (Math/nextUp d)) (emit (Math/nextDown d))))
  ;; uniformly random bit patterns (finite only)
  (dotimes [_ 2000]
    (let [d (Double/longBitsToDouble (.nextLong rng))]
      (when-not (or (Double/isNaN d) (Double/isInfinite d)) (emit d))))
  ;; values people type and compute: short decimals, quotients, integers
  (dotimes [_ 1000]
    (emit (/ (double (- (.nextInt rng 2000000) 1000000)) (Math/pow 10 (.nextInt rng 12)))))
  (dotimes [_ 500]
    (emit (/ (double (inc (.nextInt rng 1000))) (double (inc (.nextInt rng 1000))))))
  (dotimes [_ 500]
    (emit (* (.nextDouble rng) (Math/pow 10 (- (.nextInt rng 40) 20))))))
' > "$here/doubles.txt"
wc -l "$here/doubles.txt"
