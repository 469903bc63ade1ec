#!/bin/sh
# Regenerates arith.txt: random operations across the numeric tower evaluated
# by JVM Clojure through the functions' vars (the boxed, non-inlined path), one
# per line: OP <tab> A <tab> B <tab> RESULT, where RESULT is pr-str of the
# value or "!Class: message" when the JVM throws. Operands are finite numbers
# printed with pr-str (B is "-" for unary ops). Division by a zero where a
# double is involved is left out: Kiln answers as JVM literals do (##Inf),
# the boxed path throws. Two kinds of OP are special: "mc:P:ROUNDING:op" runs
# op inside (with-precision P :rounding ROUNDING ...), and "read" gives what
# the JVM reader makes of the token A ("invalid" when it is not a number).
# A fixed seed makes the file reproducible.
# Usage: tests/number/gen-arith.sh [CLOJURE_JAR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-/usr/share/java/clojure.jar}
java -cp "$jar" clojure.main -e '
(let [rng (java.util.Random. 1128)
      ri (fn [n] (.nextInt rng n))
      pick (fn [xs] (nth xs (ri (count xs))))
      small-long (fn [] (- (ri 2001) 1000))
      big-long (fn [] (pick [Long/MAX_VALUE Long/MIN_VALUE 4611686018427387903 -4611686018427387904
                              4611686018427387904 (quot Long/MAX_VALUE (inc (ri 1000)))
                              (- (quot Long/MAX_VALUE (inc (ri 1000)))) 3037000499 -3037000500]))
      gbig (fn [] (pick [(bigint (small-long)) (* (bigint (big-long)) (inc (ri 1000)))
                           (bigint (big-long)) (- (* (bigint (big-long)) (bigint (big-long))))
                           0N 1N -1N]))
      ratio (fn [] (let [d (inc (ri 50))] (/ (- (ri 201) 100) d)))
      bigratio (fn [] (/ (bigint (big-long)) (inc (ri 97))))
      gdec (fn [] (pick [(BigDecimal/valueOf (long (small-long)) (- (ri 8) 2))
                        (BigDecimal/valueOf (long (big-long)) (- (ri 30) 10))
                        (bigdec (small-long)) 0M 0.00M 1E+2M 1.5M -2.50M 0.125M]))
      dbl (fn [] (pick [(* (.nextDouble rng) 100) (- (.nextGaussian rng)) (double (small-long))
                        0.0 -0.0 1e300 -1e-300 0.5 (/ (double (small-long)) 8)]))
      num (fn [] ((pick [small-long small-long big-long gbig ratio bigratio gdec gdec dbl dbl])))
      bin-ops ["+" "-" "*" "/" "+'"'"'" "-'"'"'" "*'"'"'" "quot" "rem" "mod" "<" "<=" ">" ">="
               "==" "=" "compare" "max" "min" "unchecked-add" "unchecked-subtract"
               "unchecked-multiply" "bit-and" "bit-or" "bit-xor" "bit-and-not" "bit-shift-left"
               "bit-shift-right" "unsigned-bit-shift-right" "bit-test" "bit-set" "bit-clear"
               "bit-flip"]
      un-ops ["hash" "inc" "dec" "-" "zero?" "pos?" "neg?" "abs" "double" "long" "bigint"
              "bigdec" "rationalize" "num" "even?" "odd?" "int" "short" "byte"
              "unchecked-long" "unchecked-int" "unchecked-inc" "unchecked-dec"
              "unchecked-negate" "inc'"'"'" "dec'"'"'" "-'"'"'" "/" "bit-not" "integer?" "int?"
              "ratio?" "decimal?" "float?" "double?" "rational?" "nat-int?" "pos-int?"
              "neg-int?" "number?" "NaN?" "infinite?" "denominator"]
      show (fn [f] (try (pr-str (f))
                        (catch Throwable e (str "!" (.getName (class e)) ": " (.getMessage e)))))
      line (fn [op a b r] (println (str op "\t" (pr-str a) "\t" b "\t" r)))]
  (dotimes [_ 7000]
    (let [op (pick bin-ops) a (num) b (num)
          f @(resolve (symbol "clojure.core" op))]
      (when-not (and (= op "/") (zero? b) (or (float? a) (float? b)))
        (line op a (pr-str b) (show #(f a b))))))
  ;; decimal arithmetic under with-precision: OP is "mc:PRECISION:ROUNDING:op"
  (doseq [_ (range 2500)]
    (let [p (inc (ri 12)) rm (pick ["UP" "DOWN" "CEILING" "FLOOR" "HALF_UP" "HALF_DOWN" "HALF_EVEN"])
          op (pick ["+" "-" "*" "/" "/" "/" "quot" "rem" "-" "inc"])
          a ((pick [gdec gdec gdec small-long ratio gbig]))
          b ((pick [gdec gdec small-long ratio]))
          f @(resolve (symbol "clojure.core" op))
          unary (and (#{"-" "inc"} op) (zero? (ri 2)))
          mc (java.math.MathContext. (int p) (java.math.RoundingMode/valueOf ^String rm))]
      (when (or (decimal? a) (decimal? b))
        (line (str "mc:" p ":" rm ":" op) a (if unary "-" (pr-str b))
              (show #(with-bindings {#'"'"'*math-context* mc} (if unary (f a) (f a b))))))))
  ;; number literals: OP "read", A the token, RESULT pr-str of what the JVM
  ;; reader makes of it, or "invalid" when it is not a number
  (let [digits (fn [alphabet n] (apply str (repeatedly n #(pick alphabet))))
        dec-digits (seq "0123456789")
        token (fn []
                (str (pick ["" "" "+" "-"])
                     (case (ri 10)
                       0 (str (pick ["" "0" "00"]) (digits dec-digits (inc (ri 25))) (pick ["" "" "N"]))
                       1 (str "0" (pick ["x" "X"]) (digits (seq "0123456789abcdefABCDEF") (inc (ri 18))) (pick ["" "N"]))
                       2 (str "0" (digits (seq "01234567") (inc (ri 22))) (pick ["" "N" "8"]))
                       3 (str (inc (ri 40)) (pick ["r" "R"]) (digits (seq "0123456789abcdefghijklmnopqrstuvwxyzAZ") (inc (ri 14))))
                       4 (str (digits dec-digits (inc (ri 6))) "." (digits dec-digits (ri 8)) (pick ["" "M" "" "N"]))
                       5 (str (digits dec-digits (inc (ri 4))) (pick ["." ""]) (digits dec-digits (ri 4))
                              (pick ["e" "E"]) (pick ["" "+" "-"]) (digits dec-digits (ri 4)) (pick ["" "M"]))
                       6 (str (digits dec-digits (inc (ri 22))) "/" (digits dec-digits (inc (ri 22))))
                       7 (str (digits dec-digits (inc (ri 3))) "/" (pick ["0" "-1" "1.5" "2N"]))
                       (digits (seq "0123456789xXrReE.+-/NM") (inc (ri 7))))))
        show-read (fn [t] (try (let [v (read-string t)] (if (number? v) (pr-str v) "invalid"))
                               (catch ArithmeticException e (str "!java.lang.ArithmeticException: " (.getMessage e)))
                               (catch Throwable _ "invalid")))]
    (dotimes [_ 3000]
      (let [t (token)]
        (line "read" (symbol t) "-" (show-read t)))))
  (dotimes [_ 4000]
    (let [op (pick un-ops) a (num)
          f @(resolve (symbol "clojure.core" op))]
      (when-not (and (= op "/") (float? a) (zero? a))
        (line op a "-" (show #(f a)))))))
' | grep -av "ClassCastException: class java.lang.Double cannot be cast to class java.lang.Float" > "$here/arith.txt"
wc -l "$here/arith.txt"
