"""A small nREPL client and bencode codec for Kiln's end-to-end tests, the
demo and the reload benchmark. Strings are returned as str when they decode as
UTF-8, else bytes."""
import os
import socket
import subprocess
import time


def encode(x):
    if isinstance(x, bool):
        return b"i1e" if x else b"i0e"
    if isinstance(x, int):
        return b"i%de" % x
    if isinstance(x, str):
        x = x.encode("utf-8")
    if isinstance(x, (bytes, bytearray)):
        return b"%d:" % len(x) + bytes(x)
    if isinstance(x, (list, tuple)):
        return b"l" + b"".join(encode(i) for i in x) + b"e"
    if isinstance(x, dict):
        items = []
        for k, v in x.items():
            kb = k.encode("utf-8") if isinstance(k, str) else k
            items.append((kb, v))
        items.sort()
        return b"d" + b"".join(encode(k) + encode(v) for k, v in items) + b"e"
    raise TypeError("cannot bencode %r" % (x,))


class Incomplete(Exception):
    pass


def decode(buf, i=0):
    """Decodes one value at buf[i:]; returns (value, next index). Raises
    Incomplete when buf ends first, ValueError on malformed input."""
    if i >= len(buf):
        raise Incomplete()
    c = buf[i:i + 1]
    if c == b"i":
        j = buf.find(b"e", i)
        if j < 0:
            raise Incomplete()
        return int(buf[i + 1:j]), j + 1
    if c == b"l":
        i += 1
        out = []
        while True:
            if i >= len(buf):
                raise Incomplete()
            if buf[i:i + 1] == b"e":
                return out, i + 1
            v, i = decode(buf, i)
            out.append(v)
    if c == b"d":
        i += 1
        out = {}
        while True:
            if i >= len(buf):
                raise Incomplete()
            if buf[i:i + 1] == b"e":
                return out, i + 1
            k, i = decode(buf, i)
            v, i = decode(buf, i)
            out[k] = v
    if c.isdigit():
        j = buf.find(b":", i)
        if j < 0:
            raise Incomplete()
        n = int(buf[i:j])
        if j + 1 + n > len(buf):
            raise Incomplete()
        s = bytes(buf[j + 1:j + 1 + n])
        try:
            return s.decode("utf-8"), j + 1 + n
        except UnicodeDecodeError:
            return s, j + 1 + n
    raise ValueError("bad bencode at %d: %r" % (i, bytes(buf[i:i + 20])))


class Client:
    def __init__(self, host="127.0.0.1", port=7888, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.n = 0
        self.held = []  # messages read while waiting for another id

    def close(self):
        self.sock.close()

    def send(self, msg):
        self.sock.sendall(encode(msg))

    def send_raw(self, data):
        self.sock.sendall(data)

    def read(self):
        """The next message, or None when the server closed the connection."""
        while True:
            if self.buf:
                try:
                    v, i = decode(self.buf)
                    self.buf = self.buf[i:]
                    return v
                except Incomplete:
                    pass
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data

    def request(self, msg):
        """Sends [msg] with a fresh id; returns every reply up to its done."""
        if "id" not in msg:
            self.n += 1
            msg = dict(msg, id=str(self.n))
        self.send(msg)
        return self.until_done(msg["id"])

    def until_done(self, mid):
        out = []
        while True:
            m = None
            for i, h in enumerate(self.held):
                if h.get("id") == mid:
                    m = self.held.pop(i)
                    break
            if m is None:
                m = self.read()
            if m is None:
                return out
            if m.get("id") != mid:
                self.held.append(m)
                continue
            out.append(m)
            if "done" in (m.get("status") or []):
                return out

    def clone(self):
        return self.request({"op": "clone"})[0]["new-session"]

    def eval(self, code, session=None, **kw):
        msg = {"op": "eval", "code": code}
        if session:
            msg["session"] = session
        msg.update(kw)
        return self.request(msg)


def values(replies):
    return [r["value"] for r in replies if "value" in r]


def text(replies, key):
    return "".join(r[key] for r in replies if key in r)


def statuses(replies):
    return [s for r in replies for s in (r.get("status") or [])]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc=None, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listening on port %d" % port)


JAVA_CP = "/usr/share/java/clojure.jar:/usr/share/java/nrepl.jar"


def start_reference(port, cwd=None):
    """The reference nREPL server on the JVM (nREPL 1.0.0)."""
    proc = subprocess.Popen(
        ["java", "-cp", JAVA_CP, "clojure.main", "-m", "nrepl.cmdline", "--port",
         str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    wait_port(port, proc, timeout=120)
    return proc


def start_kiln(kiln, port, *args, cwd=None, env=None, stdout=subprocess.DEVNULL):
    e = dict(os.environ)
    if env:
        e.update(env)
    proc = subprocess.Popen([kiln, "serve", "--port", str(port)] + list(args),
                            stdout=stdout, stderr=subprocess.PIPE if stdout is None else subprocess.DEVNULL,
                            cwd=cwd, env=e)
    wait_port(port, proc)
    return proc
