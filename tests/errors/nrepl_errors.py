"""The nREPL side of error reports: an eval error's err text names the fn and
line where it was thrown, as clojure.main's does ("Execution error (C) at
ns/fn (SRC:L)."), and *e's Throwable->map :trace holds the chain of calls.
Usage: nrepl_errors.py KILN"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import nrepl  # noqa: E402

kiln = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp(prefix="kiln-errors-")
port = nrepl.free_port()
proc = nrepl.start_kiln(kiln, port, cwd=work)
fails = 0


def check(what, got, want):
    global fails
    if got != want:
        print("FAIL %s:\n  got  %r\n  want %r" % (what, got, want))
        fails += 1


try:
    nrepl.wait_port(port, proc, timeout=60)
    c = nrepl.Client(port=port)
    s = c.clone()
    c.eval("(defn c [x] (/ x 0))\n(defn b [x] (inc (c x)))\n(defn a [x] (b x))", session=s)
    r = c.eval("(a 1)", session=s)
    check("err of (a 1)", nrepl.text(r, "err"),
          "Execution error (ArithmeticException) at user/c (REPL:1).\nDivide by zero\n")
    check("status", [m.get("status") for m in r if "ex" in m],
          [["eval-error"]])
    r = c.eval("(mapv first (:trace (Throwable->map *e)))", session=s)
    check("*e :trace", nrepl.values(r), ["[user/c user/b user/a user/eval]"])
    r = c.eval("(defn f [x] x) (f 1 2)", session=s)
    check("arity err", nrepl.text(r, "err"),
          "Execution error (ArityException) at user/eval (REPL:1).\n"
          "Wrong number of args (2) passed to: user/f\n")
    r = c.request({"op": "load-file", "session": s, "file": open(os.path.join(here, "err.clj")).read(),
                   "file-path": os.path.join(here, "err.clj"), "file-name": "err.clj"})
    check("load-file err", nrepl.text(r, "err"),
          "Execution error (ArithmeticException) at user/c (err.clj:1).\nDivide by zero\n")
finally:
    proc.kill()
    proc.wait()
    shutil.rmtree(work, ignore_errors=True)
print("%d failed" % fails if fails else "all passed")
sys.exit(1 if fails else 0)
