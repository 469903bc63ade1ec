#!/usr/bin/env bash
# Error reports in one back end: runtime errors name the source position and
# the chain of calls (innermost first), in `kiln run`, Throwable->map and
# clojure.test's ERROR report. Usage: tests/errors/run.sh KILN [--interp]
set -uo pipefail
kiln=$1; shift
mode=("$@")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
fails=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# check NAME COMMAND... : runs the command; then each `want` line must match.
run() { "$kiln" "$@" > "$out" 2>&1; status=$?; }
want() {
  if ! grep -qxF -- "$1" "$out"; then
    echo "FAIL ($current): no line: $1"
    fails=$((fails + 1))
  fi
}
want_order() { # the lines, in this order, consecutive
  local got
  got=$(grep -F -A$(($# - 1)) -x -- "$1" "$out" | head -n $#)
  local expect
  expect=$(printf '%s\n' "$@")
  if [ "$got" != "$expect" ]; then
    echo "FAIL ($current): expected consecutive lines:"; printf '  %s\n' "$@"
    fails=$((fails + 1))
  fi
}
want_status() {
  if [ "$status" != "$1" ]; then echo "FAIL ($current): exit status $status, not $1"; fails=$((fails + 1)); fi
}

interp=false
[ "${mode[*]:-}" = "--interp" ] && interp=true

current="run err.clj"
run run "${mode[@]}" err.clj
want_status 1
if $interp; then want "kiln: err.clj:1:13: ArithmeticException: Divide by zero"
else want "kiln: err.clj:1: ArithmeticException: Divide by zero"; fi
want_order $'\tat user/c (err.clj:1)' $'\tat user/b (err.clj:2)' $'\tat user/a (err.clj:3)' \
           $'\tat user/eval (err.clj:4)'

current="run arity.clj"
run run "${mode[@]}" arity.clj
want_status 1
if $interp; then want "kiln: arity.clj:2:12: ArityException: Wrong number of args (2) passed to: user/f"
else want "kiln: arity.clj:2: ArityException: Wrong number of args (2) passed to: user/f"; fi
want_order $'\tat user/g (arity.clj:2)' $'\tat user/eval (arity.clj:3)'

# A throw inside a fn that reduce (runtime C) calls: the C frames are not
# shown. Compiled frames carry the fn form's line, interpreted ones the call's.
current="run deep.clj"
run run "${mode[@]}" deep.clj
want_status 1
if $interp; then
  want "kiln: deep.clj:4:32: boom {:x 3}"
  want_order $'\tat errs.deep/inner/fn--2 (deep.clj:4)' $'\tat errs.deep/inner (deep.clj:3)' \
             $'\tat errs.deep/outer (deep.clj:6)' $'\tat errs.deep/eval (deep.clj:7)'
else
  want "kiln: deep.clj:3: boom {:x 3}"
  want_order $'\tat errs.deep/inner/fn--2 (deep.clj:3)' $'\tat errs.deep/inner (deep.clj:2)' \
             $'\tat errs.deep/outer (deep.clj:6)' $'\tat errs.deep/eval (deep.clj:7)'
fi

# A fn calling itself: the interpreter shows every call; compiled code runs
# two levels per native frame (a self-call's inline copy), one line per pair.
current="run rec.clj"
run run "${mode[@]}" rec.clj
want_status 1
d=$'\tat user/down (rec.clj:1)'
if $interp; then want_order "$d" "$d" "$d" "$d" "$d" $'\tat user/eval (rec.clj:2)'
else want_order "$d" "$d" "$d" $'\tat user/eval (rec.clj:2)'; fi
if [ "$(grep -cxF -- "$d" "$out")" != "$($interp && echo 5 || echo 3)" ]; then
  echo "FAIL ($current): wrong number of user/down frames"; fails=$((fails + 1))
fi

current="run trace.clj"
run run "${mode[@]}" trace.clj
want_status 0
want_order '[user/c user/b user/eval]' '[user/c user/b user/eval]' \
           '[user/c invoke "trace.clj" 1]' '[user/c invoke "trace.clj" 1]' \
           '[user/c invoke "trace.clj" 1]' \
           '["Wrong number of args (0) passed to: user/b" [user/d user/eval]]'
# clojure.repl/pst, as the JVM's; ex-info records its chain where it is made.
want_order 'ArithmeticException Divide by zero' $'\tuser/c (trace.clj:1)' $'\tuser/b (trace.clj:2)' \
           'ExceptionInfo outer {:k 1}' $'\tuser/eval (trace.clj:13)' 'Caused by:' \
           'ArithmeticException Divide by zero' $'\tuser/c (trace.clj:1)'
want ':at [user/c invoke "trace.clj" 1]'   # #error {...}'s :via entries

current="test errt.clj"
run test "${mode[@]}" errt.clj
want_status 1
want "ERROR in (t) (errt.clj:4)"
want "  actual: java.lang.ArithmeticException: Divide by zero"
want_order " at errt/c (errt.clj:4)" "    errt/b (errt.clj:5)"

if [ "$fails" -ne 0 ]; then
  echo "--- last output:"; cat "$out"
  echo "$fails failed"
  exit 1
fi
echo "all passed"
