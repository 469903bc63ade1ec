"""bench/reload: edit-to-running latency of Kiln's unified eval, and the
reference nREPL server's eval round trip, in one run. See run.sh."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "e2e"))
from nrepl import Client, free_port, start_kiln, start_reference, values  # noqa

KILN = os.path.abspath(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 20
PHASES = ["read", "analyze", "emit", "compile", "link", "sign", "transfer", "load", "run"]


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def measure(c, s, codes, timings=True):
    walls, phases = [], {p: [] for p in PHASES}
    for code in codes:
        t0 = time.perf_counter()
        r = c.eval(code, session=s, **({"kiln/timings": 1} if timings else {}))
        walls.append((time.perf_counter() - t0) * 1000)
        if not values(r):
            raise SystemExit("bench: eval failed: %r" % r)
        t = r[-1].get("kiln/timings", {})
        for p in PHASES:
            phases[p].append(t.get(p, 0) / 1000.0)
    return walls, phases


def row(name, walls, phases=None):
    cells = "".join("%9.1f" % statistics.median(phases[p]) for p in PHASES) if phases else "".join("%9s" % "-" for _ in PHASES)
    print("%-26s%8.1f%8.1f  %s" % (name, pct(walls, 50), pct(walls, 90), cells))


def main():
    cache = tempfile.mkdtemp()
    port = free_port()
    env = {"XDG_CACHE_HOME": cache}
    kiln = start_kiln(KILN, port, "--local", "--device-port", "0", cwd=tempfile.mkdtemp(), env=env)
    try:
        c = Client(port=port, timeout=300)
        s = c.clone()
        measure(c, s, ["(defn warm [x] x)"] * 2)  # toolchain version probe, first dlopen
        stamp = int(time.time())
        cold = measure(c, s, ["(defn f [x] (+ x %d))" % (stamp * 1000 + i) for i in range(N)])
        cached = measure(c, s, ["(defn f [x] (+ x 1))"] * (N + 1))
        cached = (cached[0][1:], {p: v[1:] for p, v in cached[1].items()})
        c.close()
    finally:
        kiln.terminate()
        kiln.wait()
    rport = free_port()
    ref = start_reference(rport, cwd=tempfile.mkdtemp())
    try:
        c = Client(port=rport, timeout=300)
        s = c.clone()
        measure(c, s, ["(defn warm [x] x)"] * 20, timings=False)
        jvm = measure(c, s, ["(defn f [x] (+ x %d))" % i for i in range(N)], timings=False)
        c.close()
    finally:
        ref.terminate()
        ref.wait()

    print("Hot reload: nREPL eval of one defn, edit to running, %d samples each (ms)" % N)
    print("%-26s%8s%8s  %s" % ("", "p50", "p90", "".join("%9s" % p for p in PHASES)))
    row("kiln, local device, cold", *cold)
    row("kiln, local device, cached", *cached)
    row("JVM nREPL 1.0 eval (ref.)", jvm[0])
    print()
    print("The seed's estimate for the same path to iOS (its table):")
    for name, t in [("nREPL message roundtrip", "10-50"), ("C++ generation", "5"),
                    ("ARM64 compilation", "100-300"), ("dylib transfer", "10-50"),
                    ("dlopen + register", "5-20"), ("total", "200-500")]:
        print("  %-26s %s" % (name, t))
    print("Ratios (p50): cold/seed-low %.2f, cached/JVM %.2f, cold/JVM %.2f" % (
        pct(cold[0], 50) / 200.0, pct(cached[0], 50) / pct(jvm[0], 50), pct(cold[0], 50) / pct(jvm[0], 50)))


if __name__ == "__main__":
    main()
