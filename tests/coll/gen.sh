#!/usr/bin/env bash
# Regenerates tests/coll/order.txt with JVM Clojure (the oracle for hash map
# and hash set iteration order). Run from anywhere; commit the result.
set -euo pipefail
cd "$(dirname "$0")"
java -cp /usr/share/java/clojure.jar clojure.main gen.clj > order.txt
echo "wrote $(wc -l < order.txt) cases to tests/coll/order.txt"

# The expected printed results (or "ERR SimpleClassName message") of each
# expression in exprs.txt, one per line, as JVM Clojure gives them.
awk '{print "(println (try (pr-str " $0 ") (catch Throwable e (str \"ERR \" (.getSimpleName (class e)) \" \" (ex-message e)))))"}' exprs.txt > /tmp/kiln-coll-exprs.clj
java -cp /usr/share/java/clojure.jar clojure.main /tmp/kiln-coll-exprs.clj > exprs.expected
echo "wrote $(wc -l < exprs.expected) results to tests/coll/exprs.expected"
