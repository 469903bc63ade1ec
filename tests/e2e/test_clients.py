"""Real clients against `kiln serve --local`: nREPL's own command-line client
fed code on stdin, an nrepl.core/client script, and the messages CIDER, Calva
and Conjure send when they connect, answered alike by Kiln and by the
reference nREPL server. Usage: test_clients.py KILN"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrepl import *  # noqa

KILN = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
failures = 0
passed = 0


def check(cond, what, detail=""):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what, detail)


# What editors send when they connect (plain nREPL, no cider-nrepl
# middleware), one list per editor; SESSION is the session they cloned.
EDITORS = {
    "cider": [
        {"op": "clone"},
        {"op": "describe", "verbose?": "true"},
        {"op": "eval", "session": "SESSION", "inhibit-cider-middleware": "true", "ns": "user",
         "code": "(when-let [requires (resolve 'clojure.main/repl-requires)] (clojure.core/apply clojure.core/require @requires))",
         "nrepl.middleware.print/stream?": "1", "nrepl.middleware.print/buffer-size": 4096,
         "nrepl.middleware.print/quota": 1048576},
        {"op": "eval", "session": "SESSION", "code": "(+ 1 2)", "ns": "user", "file": "/tmp/proj/src/a.clj",
         "line": 3, "column": 1, "nrepl.middleware.print/stream?": "1"},
        {"op": "completions", "session": "SESSION", "prefix": "str", "ns": "user"},
        {"op": "lookup", "session": "SESSION", "sym": "no-such-thing", "ns": "user"},
        {"op": "out-subscribe", "session": "SESSION"},
    ],
    "calva": [
        {"op": "eval", "code": "(+ 1 1)"},
        {"op": "clone"},
        {"op": "describe"},
        {"op": "eval", "session": "SESSION", "code": "*ns*"},
        {"op": "eval", "session": "SESSION", "code": "(in-ns 'user)", "ns": "user"},
        {"op": "eval", "session": "SESSION", "code": "(defn hello [] :hi)\n(hello)", "ns": "user",
         "file": "/tmp/proj/src/user.clj", "line": 1, "column": 1, "pprint": "false"},
        {"op": "ls-sessions"},
    ],
    "conjure": [
        {"op": "describe"},
        {"op": "clone"},
        {"op": "eval", "session": "SESSION", "code": "(str *ns*)"},
        {"op": "eval", "session": "SESSION", "code": "(println \"conjure\") {:a 1}"},
        {"op": "completions", "session": "SESSION", "prefix": "map", "ns": "user"},
        {"op": "interrupt", "session": "SESSION"},
    ],
}

# Values that print differently by design (namespace objects print as
# #object[... 0x<hash> ...] on the JVM), compared by key only.
LOOSE_VALUES = {("calva", 3), ("calva", 4), ("conjure", 2)}


def run_editor(port, name):
    c = Client(port=port, timeout=180)
    session = None
    out = []
    for i, msg in enumerate(EDITORS[name]):
        msg = dict(msg)
        if msg.get("session") == "SESSION":
            msg["session"] = session
        replies = c.request(msg)
        if msg["op"] == "clone" and replies:
            session = replies[0].get("new-session")
        out.append(replies)
    c.close()
    return out


def shape(name, i, replies):
    res = []
    for m in replies:
        s = {"keys": sorted(m.keys()), "status": m.get("status")}
        if "value" in m and (name, i) not in LOOSE_VALUES:
            s["value"] = m["value"]
        if "out" in m:
            s["out"] = m["out"]
        res.append(s)
    return res


def editors(kport, rport):
    for name in EDITORS:
        k = run_editor(kport, name)
        r = run_editor(rport, name)
        for i, (a, b) in enumerate(zip(k, r)):
            op = EDITORS[name][i]["op"]
            if op == "describe":
                # The op sets differ by design; both answer in one message.
                check(len(a) == 1 and a[0]["status"] == ["done"] and "ops" in a[0] and "versions" in a[0],
                      "%s: describe" % name, str(a)[:200])
                continue
            if op == "completions":
                check(len(a) == 1 and a[0]["status"] == ["done"] and all(
                    {"candidate", "type"} <= set(x.keys()) for x in a[0]["completions"]), "%s: completions" % name)
                continue
            if op == "eval" and "resolve 'clojure.main/repl-requires" in EDITORS[name][i]["code"]:
                # clojure.main does not exist in Kiln: the answer may be nil
                # or an error, but it ends with one done.
                check(a[-1]["status"] == ["done"] and sum("done" in (m.get("status") or []) for m in a) == 1,
                      "%s: repl-requires form answered" % name, str(a))
                continue
            if op == "ls-sessions":
                check(len(a) == 1 and isinstance(a[0]["sessions"], list), "%s: ls-sessions" % name)
                continue
            sa, sb = shape(name, i, a), shape(name, i, b)
            check(sa == sb, "%s: message %d (%s) as the reference answers it" % (name, i, op),
                  "\n  kiln: %s\n  ref:  %s" % (sa, sb))


def cmdline_client(port):
    p = subprocess.run(["java", "-cp", JAVA_CP, "clojure.main", "-m", "nrepl.cmdline", "--connect", "--host",
                        "127.0.0.1", "--port", str(port)],
                       input='(+ 1 2)\n(println "hi")\n(defn sq [x] (* x x))\n(sq 7)\n',
                       capture_output=True, text=True, timeout=280)
    out = p.stdout
    check(p.returncode == 0, "nrepl.cmdline exits 0", p.stderr[-500:])
    for want in ["user=> 3", "hi\n", "#'user/sq", "user=> 49"]:
        check(want in out, "nrepl.cmdline output has %r" % want, out)


def core_client(port):
    p = subprocess.run(["java", "-cp", JAVA_CP, "clojure.main", os.path.join(HERE, "core_client.clj"), str(port)],
                       capture_output=True, text=True, timeout=280)
    out = p.stdout
    check(p.returncode == 0, "nrepl.core/client script exits 0", p.stderr[-800:])
    for want in [':values ["3" "nil"] :out "out!\\n" :status ("done")',
                 ":response-values [(var user/v) [1 2 {:a 3}]]",
                 ':error "class java.lang.ArithmeticException" ("done" "eval-error") true',
                 ":ops true"]:
        check(want in out, "nrepl.core/client: %s" % want, out)


def kiln_repl():
    # `kiln repl` with no --connect starts serve --local; input from a pipe.
    p = subprocess.run([KILN, "repl"], input='(+ 1 2)\n(defn sq [x]\n  (* x x))\n(sq 9)\n(println "hey")\n(/ 1 0)\n',
                       capture_output=True, text=True, timeout=120, cwd=tempfile.mkdtemp())
    check(p.returncode == 0 and p.stdout == "3\n#'user/sq\n81\nhey\nnil\n", "kiln repl output", repr(p.stdout))
    check("Divide by zero" in p.stderr, "kiln repl prints errors on stderr", repr(p.stderr))


def main():
    kiln_repl()
    kport = free_port()
    kiln = start_kiln(KILN, kport, "--local", "--device-port", "0", cwd=tempfile.mkdtemp())
    rport = free_port()
    ref = subprocess.Popen(["java", "-cp", JAVA_CP, "clojure.main", "-m", "nrepl.cmdline", "--port", str(rport),
                            "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           cwd=tempfile.mkdtemp())
    try:
        import threading
        ts = [threading.Thread(target=cmdline_client, args=(kport,)),
              threading.Thread(target=core_client, args=(kport,))]
        for t in ts:
            t.start()
        wait_port(rport, ref, timeout=240)
        editors(kport, rport)
        for t in ts:
            t.join()
    finally:
        kiln.terminate()
        kiln.wait()
        ref.terminate()
        ref.wait()
    print("%d passed, %d failed" % (passed, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
