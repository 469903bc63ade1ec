#!/bin/sh
# Regenerates tests/reader/expected/*.txt from tests/reader/corpus/*.clj with
# JVM Clojure, the reference for what `kiln read` prints. Run it after
# changing the corpus and check the result in.
#   CLOJURE_JAR  the Clojure jar (default /usr/share/java/clojure.jar)
set -eu
cd "$(dirname "$0")"
jar=${CLOJURE_JAR:-/usr/share/java/clojure.jar}
mkdir -p expected
exec java -cp "$jar" clojure.main gen-expected.clj corpus/*.clj
