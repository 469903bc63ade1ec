#!/usr/bin/env bash
# Regenerates tests/coll/order.txt with JVM Clojure (the oracle for hash map
# and hash set iteration order). Run from anywhere; commit the result.
set -euo pipefail
cd "$(dirname "$0")"
java -cp /usr/share/java/clojure.jar clojure.main gen.clj > order.txt
echo "wrote $(wc -l < order.txt) cases to tests/coll/order.txt"
