#!/bin/sh
# One reader test, run from the repository root by ctest (see suite.cmake).
#   run.sh corpus KILN NAME   `kiln read` of corpus/NAME.clj must print exactly
#                             expected/NAME.txt (what JVM Clojure prints; gensym
#                             numbers are compared as __N).
#   run.sh bad KILN NAME      `kiln read` of bad/NAME.clj must exit 1 with
#                             "kiln: tests/reader/bad/NAME.clj:" + bad/NAME.err
#                             on stderr.
set -u
mode=$1 kiln=$2 name=$3
dir=tests/reader
tmp=${TMPDIR:-/tmp}/kiln-reader-$$
trap 'rm -f "$tmp".out "$tmp".err' EXIT
case $mode in
corpus)
  "$kiln" read "$dir/corpus/$name.clj" >"$tmp.out" 2>"$tmp.err"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "kiln read exited $rc:"; cat "$tmp.err"; exit 1
  fi
  sed -E 's/__[0-9]+/__N/g' "$tmp.out" | diff -a -u "$dir/expected/$name.txt" - || exit 1
  ;;
bad)
  "$kiln" read "$dir/bad/$name.clj" >"$tmp.out" 2>"$tmp.err"
  rc=$?
  want="kiln: $dir/bad/$name.clj:$(cat "$dir/bad/$name.err")"
  got=$(cat "$tmp.err")
  if [ $rc -ne 1 ] || [ "$got" != "$want" ]; then
    printf "exit status %s (want 1)\ngot:  %s\nwant: %s\n" "$rc" "$got" "$want"; exit 1
  fi
  ;;
*) echo "usage: run.sh corpus|bad KILN NAME" >&2; exit 2 ;;
esac
