"""Raw-protocol tests of `kiln serve` (in-process evaluation), each answer
compared with the reference nREPL 1.0.0 server on the JVM where the two must
agree: key names, status values and their order, message order, and values
that both languages print alike. Usage: test_protocol.py KILN [--no-reference]"""
import os
import re
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrepl import *  # noqa

KILN = os.path.abspath(sys.argv[1])
USE_REF = "--no-reference" not in sys.argv
failures = 0
passed = 0


def check(cond, what, detail=""):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what, detail)


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def shape(replies, exact_values=True):
    """What must agree between servers: per message its keys, status list,
    and (when exact_values) its value."""
    out = []
    for m in replies:
        s = {"keys": sorted(k for k in m.keys())}
        if "status" in m:
            s["status"] = m["status"]
        if exact_values and "value" in m:
            s["value"] = m["value"]
        if "out" in m:
            s["out"] = m["out"]
        if "ns" in m:
            s["ns"] = m["ns"]
        out.append(s)
    return out


# Each scenario: a name, requests sent one after another in one cloned
# session (SESSION stands for it), and whether values must match exactly.
SCENARIOS = [
    ("eval values and out", [{"op": "eval", "code": "(+ 1 2) (println \"hi\") [1 :a \"s\" \\c nil]"}], True),
    ("print without newline", [{"op": "eval", "code": "(print \"a\") (print \"b\") 3"}], True),
    ("def returns the var", [{"op": "eval", "code": "(def x 41) (inc x)"}], True),
    ("*1 *2 *3", [{"op": "eval", "code": "1"}, {"op": "eval", "code": "2"},
                   {"op": "eval", "code": "3"}, {"op": "eval", "code": "[*1 *2 *3]"}], True),
    ("eval error goes on", [{"op": "eval", "code": "(/ 1 0) 5"}], True),
    ("ex-info", [{"op": "eval", "code": "(throw (ex-info \"boom\" {:a 1}))"}], True),
    ("*e after error", [{"op": "eval", "code": "(/ 1 0)"}, {"op": "eval", "code": "(some? *e)"}], True),
    ("read error stops", [{"op": "eval", "code": "1 (+ 1 2"}], True),
    ("unmatched delimiter", [{"op": "eval", "code": "1 ) 3"}], True),
    ("namespace-not-found", [{"op": "eval", "code": "1", "ns": "no.such.ns"}], True),
    ("no-code", [{"op": "eval"}], True),
    ("unknown op", [{"op": "frobnicate"}], True),
    ("unknown keys ignored", [{"op": "eval", "code": "(+ 2 2)", "inhibit-cider-middleware": "true",
                               "nrepl.middleware.print/stream?": 1, "nrepl.middleware.print/buffer-size": 4096}], True),
    ("ns switch sticks", [{"op": "eval", "code": "(ns foo.bar) (def y 1)"}, {"op": "eval", "code": "y"},
                          {"op": "eval", "code": "(do (in-ns 'user) nil)"}], True),
    ("eval with ns", [{"op": "eval", "code": "(ns e.ns) (def z 3)"}, {"op": "eval", "code": "(do (in-ns 'user) nil)"},
                      {"op": "eval", "code": "z", "ns": "e.ns"}], True),
    ("load-file", [{"op": "load-file", "file": "(ns lf.x)\n(defn f \"doc\" [a] a)\n(f 3)",
                    "file-path": "/tmp/lf/x.clj", "file-name": "x.clj"}], True),
    ("load-file keeps ns", [{"op": "load-file", "file": "(ns lf.y)\n(def q 1)\n",
                             "file-path": "/tmp/lf/y.clj", "file-name": "y.clj"},
                            {"op": "eval", "code": "(name (ns-name *ns*))"}], True),
    ("interrupt idle", [{"op": "interrupt"}], True),
    ("stdin without reader", [{"op": "stdin", "stdin": "x\n"}], True),
    ("lookup missing", [{"op": "lookup", "sym": "zzz-not-there", "ns": "user"}], True),
    ("completions", [{"op": "completions", "prefix": "reduce-k", "ns": "user"}], True),
    ("booleans as ints", [{"op": "eval", "code": "(= 1 1)", "verbose?": 1}], True),
    ("utf-8", [{"op": "eval", "code": "(str \"h\u00e9\u20ac\" \"\U0001F600\")"}], True),
]


def run_scenarios(port):
    c = Client(port=port)
    results = {}
    for name, reqs, _ in SCENARIOS:
        s = c.clone()
        replies = []
        for r in reqs:
            r = dict(r, session=s)
            replies.extend(c.request(r))
        for m in replies:
            check(m.get("session") == s, "%s: every reply names the session" % name, str(m))
        results[name] = replies
    c.close()
    return results


def compare(kiln_res, ref_res):
    for name, _, exact in SCENARIOS:
        a, b = shape(kiln_res[name], exact), shape(ref_res[name], exact)
        check(a == b, "same answer as the reference: " + name,
              "\n  kiln: %s\n  ref:  %s" % (a, b))


def standalone_checks(port, ref_port):
    c = Client(port=port)
    # clone: new-session and done in one message.
    r = c.request({"op": "clone"})
    check(len(r) == 1 and UUID.match(r[0]["new-session"]) and r[0]["status"] == ["done"], "clone", str(r))
    s = r[0]["new-session"]
    # clone of an existing session copies its namespace.
    c.request({"op": "eval", "code": "(ns cloned.ns)", "session": s})
    s2 = c.request({"op": "clone", "session": s})[0]["new-session"]
    v = values(c.eval("(name (ns-name *ns*))", session=s2))
    check(v == ['"cloned.ns"'], "clone copies *ns*", str(v))
    # ls-sessions lists both, server-wide (from another connection too).
    c2 = Client(port=port)
    ls = c2.request({"op": "ls-sessions"})[0]["sessions"]
    check(s in ls and s2 in ls, "ls-sessions is server-wide", str(ls))
    # close
    r = c.request({"op": "close", "session": s2})
    check(r[-1]["status"] == ["done", "session-closed"], "close", str(r))
    r = c.request({"op": "close", "session": s2})
    check(r[-1]["status"] == ["done", "unknown-session", "error"], "close twice: unknown-session", str(r))
    ls = c2.request({"op": "ls-sessions"})[0]["sessions"]
    check(s2 not in ls, "closed session gone from ls-sessions", str(ls))
    # unknown session echoes it
    r = c.request({"op": "eval", "code": "1", "session": "nope"})
    check(r == [{"id": r[0]["id"], "session": "nope", "status": ["done", "unknown-session", "error"]}],
          "unknown-session", str(r))
    # ephemeral session: no session in the request
    r = c.request({"op": "eval", "code": "(+ 1 1)"})
    check(values(r) == ["2"] and UUID.match(r[0]["session"]) and r[0]["session"] not in (s, s2),
          "ephemeral session", str(r))
    # describe
    d = c.request({"op": "describe"})[0]
    for op in ["clone", "close", "describe", "eval", "load-file", "interrupt", "ls-sessions", "stdin",
               "completions", "lookup", "ios-compile-patch", "kiln/devices", "kiln/select-device",
               "kiln/patches", "kiln/rollback"]:
        check(op in d["ops"], "describe lists " + op)
    check(d["versions"]["nrepl"]["version-string"] == "1.0.0" and "kiln" in d["versions"], "describe versions", str(d["versions"]))
    check(d["aux"]["current-ns"] == "user", "describe aux current-ns")
    dv = c.request({"op": "describe", "verbose?": 1})[0]
    check(all(set(v.keys()) == {"doc", "requires", "optional", "returns"} for v in dv["ops"].values()),
          "describe verbose? gives doc/requires/optional/returns")
    # lookup of something defined with a docstring
    c.request({"op": "load-file", "file": "(ns lk.x)\n(defn f \"The doc.\" [a b] a)\n", "file-path": "/tmp/lk/x.clj",
               "file-name": "x.clj", "session": s})
    info = c.request({"op": "lookup", "sym": "f", "ns": "lk.x", "session": s})[0].get("info")
    check(isinstance(info, dict) and info.get("name") == "f" and info.get("ns") == "lk.x"
          and info.get("doc") == "The doc." and info.get("arglists-str") == "([a b])"
          and info.get("file") == "/tmp/lk/x.clj" and info.get("line") == 2, "lookup info", str(info))
    # completions carry candidate/type/ns
    comp = c.request({"op": "completions", "prefix": "f", "ns": "lk.x", "session": s})[0]["completions"]
    check({"candidate": "f", "type": "function", "ns": "lk.x"} in comp, "completions of a var", str(comp)[:300])
    # several messages in one write, and a message split across writes
    raw = encode({"op": "eval", "code": "10", "id": "a", "session": s}) + encode({"op": "eval", "code": "20", "id": "b", "session": s})
    c.send_raw(raw[:7])
    time.sleep(0.05)
    c.send_raw(raw[7:])
    got = [c.until_done("a"), c.until_done("b")]
    check(values(got[0]) == ["10"] and values(got[1]) == ["20"], "pipelined and split messages", str(got))
    # keys in any order, duplicate keys: last wins
    c.send_raw(b"d4:code1:12:id1:z2:op4:eval4:code2:427:session" + b"%d:%s" % (len(s), s.encode()) + b"e")
    check(values(c.until_done("z")) == ["42"], "duplicate key: last wins")
    # an integer id is accepted
    c.send({"op": "eval", "code": "7", "id": 99, "session": s})
    m = c.read()
    check(m.get("value") == "7", "integer id", str(m))
    c.until_done("99")
    # a top level that is not a dictionary gets an error reply, and the
    # connection goes on
    c.send_raw(b"i42e")
    m = c.read()
    check("error" in m.get("status", []), "non-dict top level: error reply", str(m))
    check(values(c.eval("(+ 3 4)", session=s)) == ["7"], "connection usable after a non-dict message")
    # stdin: read-line asks for input with need-input, as nREPL does.
    c.send({"op": "eval", "code": "(read-line)", "session": s, "id": "rl"})
    m = c.read()
    check(m == {"id": "rl", "session": s, "status": ["need-input"]}, "need-input", str(m))
    r = c.request({"op": "stdin", "stdin": "hello\nworld\n", "session": s})
    check(r[-1]["status"] == ["done"], "stdin done", str(r))
    rl = c.until_done("rl")
    check(values(rl) == ['"hello"'], "read-line gets the stdin line", str(rl))
    check(values(c.eval("(read-line)", session=s)) == ['"world"'], "buffered stdin is kept for the next read")
    # A writer kept after its eval ended (regression: it pointed at freed memory).
    c.eval("(def kept-out *out*)", session=s)
    r = c.eval("(binding [*out* kept-out] (println \"late\")) :alive", session=s)
    check(values(r) == ["nil", ":alive"] if len(values(r)) == 2 else values(r) == [":alive"], "old *out* after its eval", str(r))
    check(values(c.eval("(+ 1 1)", session=s)) == ["2"], "server alive after writing to an old *out*")
    # interrupt of a running eval
    c.send({"op": "eval", "code": "(loop [i 0] (recur (inc i)))", "id": "spin", "session": s})
    time.sleep(0.5)
    r = c.request({"op": "interrupt", "session": s, "interrupt-id": "wrong"})
    check(r[-1]["status"] == ["done", "interrupt-id-mismatch", "error"], "interrupt-id-mismatch", str(r))
    c.send({"op": "interrupt", "session": s, "interrupt-id": "spin", "id": "int"})
    spin = c.until_done("spin")
    check(spin[-1]["status"] == ["done", "interrupted"], "interrupted eval ends with done+interrupted", str(spin))
    check(values(c.eval("(+ 1 1)", session=s)) == ["2"], "session usable after interrupt")
    c.close()
    c2.close()


def builds_during_collections(port):
    # Collections on other threads while patches are built in-process: the
    # linker's signal handlers must not take the collector's signals.
    c = Client(port=port)
    s = c.clone()
    c.eval("(def churn (future (dotimes [_ 400] (dorun (map vector (range 20000))))))", session=s)
    c.eval("(def churn2 (future (dotimes [_ 400] (count (into [] (range 20000))))))", session=s)
    for i in range(25):
        r = c.request({"op": "load-file", "file": "(ns gcb.x%d)\n(defn f [a] (* a %d))\n(f 2)\n" % (i, i),
                       "file-path": "/tmp/gcb/x.clj", "file-name": "x.clj", "session": s})
        if values(r) != [str(2 * i)]:
            check(False, "load-file %d while collecting" % i, str(r))
            return
    check(values(c.eval("[@churn @churn2]", session=s)) == ["[nil nil]"], "collecting threads finished")
    check(True, "25 patch builds while other threads collect")


def faults(port):
    # Garbage on one connection while another keeps working.
    good = Client(port=port)
    s = good.clone()
    bad = socket.create_connection(("127.0.0.1", port))
    bad.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    bad.settimeout(5)
    try:
        while True:
            d = bad.recv(4096)
            if not d:
                break
            data += d
    except socket.timeout:
        pass
    check(b"malformed-message" in data, "garbage gets an error reply", repr(data))
    check(values(good.eval("(* 6 7)", session=s)) == ["42"], "other connection unaffected by garbage")
    bad.close()
    good.close()


def oversize(kiln):
    port = free_port()
    d = tempfile.mkdtemp()
    proc = start_kiln(kiln, port, "--device-port", "none", "--max-message", "10000", cwd=d)
    try:
        good = Client(port=port)
        s = good.clone()
        big = Client(port=port)
        big.send({"op": "eval", "code": "\"" + "x" * 20000 + "\"", "id": "big"})
        m = big.read()
        check(m is not None and "message-too-large" in m.get("status", []), "oversize message refused", str(m)[:200])
        check(big.read() is None, "oversize: that connection closed")
        check(values(good.eval("(+ 1 2)", session=s)) == ["3"], "oversize: others keep working")
        small = values(good.eval("\"" + "y" * 5000 + "\"", session=s))
        check(len(small) == 1 and len(small[0]) == 5002, "under the limit still fine")
    finally:
        proc.terminate()
        proc.wait()
        check(not os.path.exists(os.path.join(d, ".nrepl-port")), ".nrepl-port removed on SIGTERM")


def startup(kiln):
    port = free_port()
    d = tempfile.mkdtemp()
    proc = subprocess.Popen([kiln, "serve", "--port", str(port), "--device-port", "0"], cwd=d,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    check(line == "nREPL server started on port %d on host 127.0.0.1 - nrepl://127.0.0.1:%d\n" % (port, port),
          "start-up line", repr(line))
    check(open(os.path.join(d, ".nrepl-port")).read().strip() == str(port), ".nrepl-port written")
    st = os.stat(os.path.join(d, ".kiln", "token"))
    check(st.st_mode & 0o777 == 0o600, ".kiln/token is 0600", oct(st.st_mode))
    proc.send_signal(2)
    proc.wait(timeout=10)
    check(not os.path.exists(os.path.join(d, ".nrepl-port")), ".nrepl-port removed on SIGINT")


def main():
    workdir = tempfile.mkdtemp()
    port = free_port()
    kiln = start_kiln(KILN, port, "--device-port", "none", cwd=workdir)
    ref = None
    try:
        kres = run_scenarios(port)
        if USE_REF:
            rport = free_port()
            ref = start_reference(rport, cwd=tempfile.mkdtemp())
            rres = run_scenarios(rport)
            compare(kres, rres)
        standalone_checks(port, None)
        builds_during_collections(port)
        faults(port)
    finally:
        kiln.terminate()
        kiln.wait()
        if ref:
            ref.terminate()
            ref.wait()
    oversize(KILN)
    startup(KILN)
    print("%d passed, %d failed" % (passed, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
