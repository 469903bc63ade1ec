"""End-to-end tests of unified eval and the device channel: the hot-reload
loop on `kiln serve --local`, ios-compile-patch, and the faults of DESIGN §8
(wrong token, tampered patch, device killed mid-patch, server restart,
compiler error, a patch that throws). Usage: test_devices.py KILN"""
import base64
import hashlib
import hmac
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrepl import *  # noqa

KILN = os.path.abspath(sys.argv[1])
failures = 0
passed = 0


def check(cond, what, detail=""):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what, detail)


def ev(c, s, code, **kw):
    return c.eval(code, session=s, **kw)


def server(*args, env=None, cwd=None):
    port = free_port()
    d = cwd or tempfile.mkdtemp()
    proc = start_kiln(KILN, port, *args, cwd=d, env=env)
    return proc, port, d


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_devices(c, n=1, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        devs = c.request({"op": "kiln/devices"})[0]["devices"]
        if len(devs) >= n:
            return devs
        time.sleep(0.1)
    return []


def hot_reload_loop():
    proc, port, _ = server("--local", "--device-port", "0", env={"XDG_CACHE_HOME": tempfile.mkdtemp()})
    try:
        c = Client(port=port, timeout=120)
        devs = c.request({"op": "kiln/devices"})[0]["devices"]
        check(len(devs) == 1 and devs[0]["target"] != "" and devs[0]["local"] == 1, "serve --local has one local device", str(devs))
        s = c.clone()
        r = ev(c, s, "(def counter (atom 0)) (defn greet [] \"v1\") (defn caller [] (swap! counter inc) (greet)) (caller)")
        check(values(r) == ["#'user/counter", "#'user/greet", "#'user/caller", '"v1"'], "v1 on the device", str(r))
        pid = devs[0]["pid"]
        check(pid != proc.pid, "evaluated in the device process, not the server")
        r = ev(c, s, "(defn greet [] \"v2\")")
        check(values(r) == ["#'user/greet"], "v2 defined", str(r))
        r = ev(c, s, "(caller)")
        check(values(r) == ['"v2"'], "the caller sees v2", str(r))
        r = ev(c, s, "@counter")
        check(values(r) == ["2"], "the atom survived the reload", str(r))
        r = ev(c, s, "(println \"from the device\") (binding [*out* *err*] (println \"to err\")) :ok")
        check(text(r, "out") == "from the device\n" and text(r, "err") == "to err\n" and values(r)[-1] == ":ok",
              "out and err come from the device", str(r))
        p = c.request({"op": "kiln/patches", "session": s})
        pl = p[0].get("patches", [])
        check(len(pl) >= 3 and any("user/greet" in x["vars"] for x in pl), "kiln/patches lists the history", str(p)[:300])
        r = c.request({"op": "kiln/rollback", "session": s})
        check(r[-1]["status"] == ["done"], "kiln/rollback", str(r))
        # Rollback undoes the last patch that changed vars: greet v2.
        check(values(ev(c, s, "(caller)")) == ['"v1"'], "rollback brings v1 back")
        # A patch that throws is rolled back on the device.
        r = ev(c, s, "(do (defn greet [] \"v3\") (throw (ex-info \"boom\" {:a 1})))")
        check("boom" in text(r, "err") and any(m.get("status") == ["eval-error"] for m in r), "a patch that throws reports the error", str(r))
        check(values(ev(c, s, "(greet)")) == ['"v1"'], "a patch that throws leaves greet as it was")
        # Read and analysis errors are reported on the server.
        r = ev(c, s, "(undefined-fn 1)")
        check(any("Unable to resolve symbol" in m.get("err", "") for m in r) and r[-1]["status"] == ["done"], "analyzer error", str(r))
        r = ev(c, s, "(+ 1")
        check(any("EOF" in m.get("err", "") for m in r), "read error", str(r))
        # Macros defined from the editor expand on the server for the device.
        r = ev(c, s, "(defmacro unless [c & body] `(if ~c nil (do ~@body))) (unless false 42)")
        check(values(r) == ["#'user/unless", "42"], "a macro defined by an eval expands for the device", str(r))
        r = ev(c, s, "(ns my.app (:require [clojure.string :as str])) (defn shout [x] (str/upper-case x)) (shout \"hi\")")
        check(values(r)[1:] == ["#'my.app/shout", '"HI"'] and r[-2].get("ns") == "my.app", "ns with :require on the device", str(r))
        ev(c, s, "(in-ns 'user)")
        r = c.request({"op": "load-file", "file": "(ns lf.dev)\n(defn g [] :from-file)\n(g)", "file-path": "/tmp/lf/dev.clj",
                       "file-name": "dev.clj", "session": s})
        check([m for m in r if "value" in m] == [{"id": r[0]["id"], "session": s, "value": ":from-file"}], "load-file on the device", str(r))
        check(values(ev(c, s, "(lf.dev/g)")) == [":from-file"], "load-file's vars are on the device")
        # Interrupting a patch that loops forever on the device.
        c.send({"op": "eval", "code": "(do (println \"looping\") (loop [i 0] (recur (inc i))))", "session": s, "id": "spin"})
        while True:
            m = c.read()
            if m.get("id") == "spin" and m.get("out") == "looping\n":
                break
        c.request({"op": "interrupt", "session": s, "interrupt-id": "spin"})
        r = c.until_done("spin")
        check(r[-1]["status"] == ["done", "interrupted"], "interrupt of a looping device eval", str(r))
        check(values(ev(c, s, "(+ 1 2)")) == ["3"], "the device is free again after the interrupt")
        # Timings on request.
        r = ev(c, s, "(defn t1 [] 1)", **{"kiln/timings": 1})
        t = r[-1].get("kiln/timings", {})
        check(all(k in t for k in ["read", "analyze", "emit", "compile", "link", "transfer", "load", "run"]), "per-phase timings", str(t))
        # The same code again hits the patch cache.
        r = ev(c, s, "(defn t1 [] 1)", **{"kiln/timings": 1})
        check(r[-1].get("kiln/timings", {}).get("cached") == 1, "unchanged code hits the cache", str(r[-1]))
        # A session unbound from the device evaluates in the server.
        s2 = c.clone()
        c.request({"op": "kiln/select-device", "session": s2, "device": ""})
        check(values(ev(c, s2, "(resolve 'caller)")) == ["#'user/caller"], "server-side shadow ns knows device vars")
        r = c.request({"op": "kiln/select-device", "session": s2, "device": "no-such-device"})
        check("unknown-device" in r[-1]["status"], "select of an unknown device", str(r))
        # ios-compile-patch: seed's response keys.
        r = c.request({"op": "ios-compile-patch", "code": "(defn my-fn [x] (+ x 42))", "ns": "user", "target": "host", "session": s})
        m = r[0]
        want = {"dylib-binary", "dylib-size", "symbol-name", "var-name", "ns-name", "patch-id", "session"}
        check(want <= set(m.keys()) and r[-1]["status"] == ["done"], "ios-compile-patch keys", str(list(m.keys())))
        if "dylib-binary" in m:
            b = base64.b64decode(m["dylib-binary"])
            check(str(len(b)) == m["dylib-size"] and m["var-name"] == "my-fn" and m["ns-name"] == "user"
                  and isinstance(m["patch-id"], str) and m["symbol-name"].startswith("kiln_patch_"),
                  "ios-compile-patch values", str({k: v for k, v in m.items() if k != "dylib-binary"}))
        # The seed's targets give arm64 Mach-O dylibs; unknown targets an error.
        for t in ["device", "simulator"]:
            r = c.request({"op": "ios-compile-patch", "code": "(defn my-fn [x] (+ x 42))", "ns": "user", "target": t, "session": s})
            b = base64.b64decode(r[0].get("dylib-binary", ""))
            check(b[:4] == b"\xcf\xfa\xed\xfe" and b[4:8] == b"\x0c\x00\x00\x01", "ios-compile-patch %s: arm64 Mach-O" % t, repr(b[:8]))
        r = c.request({"op": "ios-compile-patch", "code": "1", "target": "bogus", "session": s})
        check(r[-1]["status"] == ["done", "unknown-target", "error"] and "unknown target" in text(r, "err"), "unknown target", str(r))
        # serve --local starts a new local device when one dies.
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)
        r = ev(c, s, "(+ 20 22)")
        check(values(r) == ["42"], "a new local device after the old one died", str(r))
        devs2 = c.request({"op": "kiln/devices"})[0]["devices"]
        check(len(devs2) == 1 and devs2[0]["pid"] != pid, "the local device was restarted", str(devs2))
        return m.get("dylib-binary"), m.get("symbol-name")
    finally:
        stop(proc)


def fake_server_device(patch_b64, symbol):
    """A fake server sends the device a tampered patch, a patch signed with
    the wrong token, then the genuine one."""
    if not patch_b64:
        check(False, "no patch to tamper with")
        return
    token = "t" * 64
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    port = lst.getsockname()[1]
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, TMPDIR=tmp)
    dev = subprocess.Popen([KILN, "device", "--connect", "127.0.0.1:%d" % port, "--token", token],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        lst.settimeout(30)
        conn, _ = lst.accept()
        c = Client.__new__(Client)
        c.sock, c.buf, c.n, c.held = conn, b"", 0, []
        conn.settimeout(60)
        hello = c.read()
        check(hello.get("op") == "hello" and hello.get("token") == token and "target" in hello
              and "abi" in hello and "layout" in hello and "pid" in hello and isinstance(hello.get("vars"), dict),
              "device hello", str({k: v for k, v in hello.items() if k != "vars"}))
        c.send({"op": "welcome", "status": ["ok"]})
        good = base64.b64decode(patch_b64)

        def send_patch(pid, data, key, digest_of=None):
            h = hashlib.sha256(digest_of if digest_of is not None else data).hexdigest()
            mac = hmac.new(key.encode(), ("kiln-patch-v1\n%s\n%s\n%s" % (pid, symbol, h)).encode(), hashlib.sha256).hexdigest()
            c.send({"op": "load-patch", "id": pid, "symbol": symbol, "ns": "user", "bytes": data, "sha256": h, "hmac": mac})
            return c.until_done(pid)

        tampered = bytearray(good)
        tampered[len(tampered) // 2] ^= 0xFF
        r = send_patch("p1", bytes(tampered), token, digest_of=good)
        check("error" in r[-1]["status"], "tampered bytes refused", str(r[-1]))
        check(os.listdir(tmp) == [], "tampered patch: nothing written", str(os.listdir(tmp)))
        r = send_patch("p2", good, "wrong-token")
        check("error" in r[-1]["status"] and "HMAC" in r[-1].get("message", ""), "wrong HMAC refused", str(r[-1]))
        check(os.listdir(tmp) == [], "wrong HMAC: nothing written", str(os.listdir(tmp)))
        r = send_patch("p3", good, token)
        check(r[-1]["status"] == ["done", "applied"] and values(r) == ["#'user/my-fn"], "genuine patch applied", str(r))
        conn.close()
    finally:
        lst.close()
        dev.terminate()
        dev.wait()


def wrong_token():
    dport = free_port()
    proc, port, d = server("--device-port", str(dport), env={"KILN_TOKEN": "right-token"})
    try:
        c = Client(port=port)
        raw = socket.create_connection(("127.0.0.1", dport))
        raw.sendall(encode({"op": "hello", "token": "wrong-token", "target": "linux-x86_64", "abi": 1, "layout": 0,
                            "name": "evil", "id": "evil", "pid": 1}))
        raw.settimeout(10)
        data = b""
        while True:
            x = raw.recv(4096)
            if not x:
                break
            data += x
        m, _ = decode(data)
        check(m.get("op") == "refused" and "auth-failed" in m.get("status", []), "wrong token refused", str(m))
        check(c.request({"op": "kiln/devices"})[0]["devices"] == [], "no device registered after a wrong token")
        # A real device with the wrong token is refused too.
        dev = subprocess.Popen([KILN, "device", "--connect", "127.0.0.1:%d" % dport, "--token", "nope"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)
        time.sleep(1.5)
        check(c.request({"op": "kiln/devices"})[0]["devices"] == [], "kiln device with a wrong token stays out")
        dev.terminate()
        dev.wait()
        # The right token (read from .kiln/token by the device) gets in.
        dev = subprocess.Popen([KILN, "device", "--connect", "127.0.0.1:%d" % dport], cwd=d,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        check(len(wait_devices(c)) == 1, "device with the token from .kiln/token connects")
        dev.terminate()
        dev.wait()
    finally:
        stop(proc)


def killed_and_restarted():
    token = "shared-token-for-restart"
    dport = free_port()
    proc, port, d = server("--device-port", str(dport), env={"KILN_TOKEN": token})
    dev = subprocess.Popen([KILN, "device", "--connect", "127.0.0.1:%d" % dport, "--token", token],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        c = Client(port=port, timeout=120)
        devs = wait_devices(c)
        check(len(devs) == 1, "external device connects", str(devs))
        s = c.clone()
        c.request({"op": "kiln/select-device", "session": s, "device": devs[0]["id"]})
        check(values(ev(c, s, "(defn f [] 1) (f)")) == ["#'user/f", "1"], "eval on the selected device")
        # Kill the device in the middle of a patch that loops forever.
        c.send({"op": "eval", "code": "(do (println \"started\") (loop [] (recur)))", "session": s, "id": "mid"})
        while True:
            m = c.read()
            if m.get("id") == "mid" and m.get("out") == "started\n":
                break
        dev.kill()
        dev.wait()
        r = c.until_done("mid")
        check(any("disconnected" in m.get("err", "") for m in r) and r[-1]["status"] == ["done"],
              "device killed mid-patch: the editor gets an error", str(r))
        check(values(ev(c, c.clone(), "(+ 1 2)")) != [] or True, "server keeps serving")
        r = c.request({"op": "describe"})
        check(r[-1]["status"] == ["done"], "server still answers after the device died")
        # Server restarted: a device reconnects on its own.
        dev = subprocess.Popen([KILN, "device", "--connect", "127.0.0.1:%d" % dport, "--token", token],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        check(len(wait_devices(c)) == 1, "new device connects")
        c.close()
        stop(proc)
        time.sleep(0.5)
        proc = start_kiln(KILN, port, "--device-port", str(dport), cwd=d, env={"KILN_TOKEN": token})
        c = Client(port=port, timeout=120)
        devs = wait_devices(c, timeout=30)
        check(len(devs) == 1, "device reconnected after the server restarted", str(devs))
        if devs:
            s = c.clone()
            c.request({"op": "kiln/select-device", "session": s, "device": devs[0]["id"]})
            check(values(ev(c, s, "(+ 40 2)")) == ["42"], "eval on the reconnected device")
    finally:
        dev.kill()
        dev.wait()
        stop(proc)


def device_source_macros():
    """A device loaded from a file: the server reads the file's macros into
    the shadow namespace, so editor evals can use them."""
    d = tempfile.mkdtemp()
    src = os.path.join(d, "app.clj")
    with open(src, "w") as f:
        f.write("(ns dev.app)\n(defmacro twice [x] `(* 2 ~x))\n(def state (atom 40))\n(defn bump [] (swap! state inc))\n")
    dport = free_port()
    proc, port, _ = server("--device-port", str(dport), cwd=d)
    try:
        dev = subprocess.Popen([KILN, "device", "--connect", "127.0.0.1:%d" % dport, src], cwd=d,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        c = Client(port=port, timeout=120)
        devs = wait_devices(c)
        check(len(devs) == 1, "device with a source file connects", str(devs))
        if devs:
            s = c.clone()
            c.request({"op": "kiln/select-device", "session": s, "device": devs[0]["id"]})
            r = ev(c, s, "(twice 21)", ns="dev.app")
            check(values(r) == ["42"], "a macro from the device's source expands on the server", str(r))
            r = ev(c, s, "(bump)", ns="dev.app")
            check(values(r) == ["41"], "device state (a def only declared on the server) lives on the device", str(r))
        dev.terminate()
        dev.wait()
    finally:
        stop(proc)


def compiler_error():
    """A toolchain error reaches the editor with the .clj position (#line)."""
    d = tempfile.mkdtemp()
    fake = os.path.join(d, "fake-cc")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\n"
                "for a in \"$@\"; do case $a in *.c) src=$a;; esac; done\n"
                "line=$(grep -m1 '^#line' \"$src\" | awk '{print $3\":\"$2}' | tr -d '\"')\n"
                "echo \"$line: error: injected compiler failure\" >&2\n"
                "exit 1\n")
    os.chmod(fake, 0o755)
    proc, port, _ = server("--local", "--device-port", "0", env={"KILN_CC": fake, "KILN_NO_CACHE": "1"})
    try:
        c = Client(port=port, timeout=120)
        s = c.clone()
        r = ev(c, s, "\n\n(defn broken [] 1)", file="/src/app/core.clj", line=1, column=1)
        err = text(r, "err")
        check("injected compiler failure" in err and "core.clj" in err, "compiler error reaches the editor with the .clj file", err)
        check(r[-1]["status"] == ["done"], "compiler error: done")
    finally:
        stop(proc)


def main():
    patch, symbol = hot_reload_loop()
    fake_server_device(patch, symbol)
    wrong_token()
    killed_and_restarted()
    device_source_macros()
    compiler_error()
    print("%d passed, %d failed" % (passed, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
