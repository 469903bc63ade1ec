#!/bin/sh
# Regenerates expected.tsv and exprs.tsv from JVM Clojure. For each line of corpus.txt,
# (hash x) and (pr-str x) of x = (read-string line), tab-separated with the
# line itself. The corpus test (test_hash_corpus) reads each line with Kiln's
# reader and compares Kiln's hash and pr-str with these.
#   usage: tests/hash/gen.sh   (needs java and /usr/share/java/clojure.jar)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
java -cp "${CLOJURE_JAR:-/usr/share/java/clojure.jar}" clojure.main -e '
(doseq [line (line-seq (java.io.BufferedReader. *in*)) :when (seq line)]
  (let [x (read-string line)]
    (println (str (hash x) "\t" (pr-str x) "\t" line))))' < "$here/corpus.txt" > "$here/expected.tsv.tmp"
mv "$here/expected.tsv.tmp" "$here/expected.tsv"
echo "wrote $(wc -l < "$here/expected.tsv") expectations to $here/expected.tsv"

# exprs.tsv: for each line of exprs.txt (an expression), what the JVM's
# (prn (eval expr)) prints, then a tab, then the expression. run_exprs.sh
# compares `kiln eval EXPR` with it.
java -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 \
  -cp "${CLOJURE_JAR:-/usr/share/java/clojure.jar}" clojure.main -e '
(doseq [line (line-seq (java.io.BufferedReader. *in*)) :when (seq line)]
  (let [v (binding [*ns* (the-ns (quote user))] (eval (read-string line)))]
    (println (str (pr-str v) "\t" line))))' < "$here/exprs.txt" > "$here/exprs.tsv.tmp"
mv "$here/exprs.tsv.tmp" "$here/exprs.tsv"
echo "wrote $(wc -l < "$here/exprs.tsv") expectations to $here/exprs.tsv"
