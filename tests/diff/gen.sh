#!/usr/bin/env bash
# Regenerates expected.txt from JVM Clojure (Debian's clojure package).
set -euo pipefail
cd "$(dirname "$0")"
java -cp /usr/share/java/clojure.jar clojure.main corpus.cljc > expected.txt
echo "wrote $(wc -l < expected.txt) lines to tests/diff/expected.txt"
