#!/usr/bin/env bash
# `make demo`: hot reload, live. Builds the demo app (examples/demo), starts
# `kiln serve`, runs the app as a device, then sends new versions of one of
# its functions through nREPL the way an editor does, and shows the app's
# output change, the app's state surviving, a rollback, and a per-phase
# timing table. Exits 0 when every step behaved. Usage: scripts/demo.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
kiln="$build/kiln"
[ -x "$kiln" ] || { echo "demo: $kiln is missing; run make first" >&2; exit 1; }

work=$(mktemp -d)
cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the demo app (a C host embedding libkiln)"
cc -O1 -o "$work/demo-app" "$root/examples/demo/demo_app.c" \
  $(PKG_CONFIG_PATH="$build" pkg-config --cflags --libs kiln)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export XDG_CACHE_HOME="$work/cache"   # a cold patch cache, so the table shows cold and cached
export KILN_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

echo "== starting kiln serve (nREPL on $port, devices on $dport)"
(cd "$work" && exec "$kiln" serve --port "$port" --device-port "$dport" >"$work/server.out" 2>"$work/server.err") &
server_pid=$!
for _ in $(seq 100); do grep -q "nREPL server started" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
cat "$work/server.out"

echo "== starting the app; it prints a greeting every 200 ms"
"$work/demo-app" "$root/examples/demo/app.clj" "127.0.0.1:$dport" "$KILN_TOKEN" 60 >"$work/app.out" 2>"$work/app.err" &
app_pid=$!

set +e
PYTHONPATH="$root/tests/e2e" python3 - "$port" "$work/app.out" <<'PY'
import sys, time
from nrepl import Client, values, text

port, app_out = int(sys.argv[1]), sys.argv[2]
seen = 0

def app_lines(wait=1.0):
    """The app's new output lines after waiting [wait] seconds."""
    global seen
    time.sleep(wait)
    lines = open(app_out).read().splitlines()
    new, seen = lines[seen:], len(lines)
    return new

def show(lines, n=3):
    for l in lines[-n:]:
        print("   app | " + l)

c = Client(port=port, timeout=300)
devs = []
for _ in range(100):
    devs = c.request({"op": "kiln/devices"})[0]["devices"]
    if devs:
        break
    time.sleep(0.1)
if not devs:
    sys.exit("demo: the app never connected")
d = devs[0]
print("== the app connected: %s (%s, pid %d)" % (d["name"], d["target"], d["pid"]))
show(app_lines())

s = c.clone()
c.request({"op": "kiln/select-device", "session": s, "device": d["id"]})
rows = []
ok = True

def reload(label, code, expect_in_output):
    global ok
    t0 = time.time()
    r = c.eval(code, session=s, ns="demo.app", **{"kiln/timings": 1})
    wall = (time.time() - t0) * 1000
    err = text(r, "err")
    print("== %s\n   editor> %s\n   => %s%s" % (label, code, " ".join(values(r)), ("\n   err: " + err) if err else ""))
    lines = app_lines()
    show(lines)
    if not any(expect_in_output in l for l in lines):
        print("   !! expected the app to print %r" % expect_in_output)
        ok = False
    t = r[-1].get("kiln/timings", {})
    rows.append((label, t, wall))

reload("v2: a new greeting, compiled to a patch and loaded into the running app",
       '(defn greeting [n] (str "Bonjour from a patch, frame " n " (" (* n n) " squared)"))', "Bonjour")
reload("v3: another edit",
       '(defn greeting [n] (str "Hola again, frame " n))', "Hola")
reload("v3 again: unchanged code comes from the patch cache",
       '(defn greeting [n] (str "Hola again, frame " n))', "Hola")

frames = values(c.eval("@frames", session=s, ns="demo.app"))
print("== the app's state survived every reload: @frames = %s" % frames)
for want in ["Hola", "Bonjour"]:
    r = c.request({"op": "kiln/rollback", "session": s})
    print("== kiln/rollback: undid %s; the app runs the version before it again" % r[0].get("rolled-back"))
    lines = app_lines()
    show(lines, 2)
    if not any(want in l for l in lines):
        print("   !! expected the rollback to bring back the %r version" % want)
        ok = False
hist = c.request({"op": "kiln/patches", "session": s})[0].get("patches", [])
print("== kiln/patches: %d patches applied on the app, the last changing %s" %
      (len(hist), hist[-1]["vars"] if hist else "-"))

phases = ["read", "analyze", "emit", "compile", "link", "sign", "transfer", "load", "run"]
print("\n== edit to running, per phase (ms)")
print("%-10s" % "reload" + "".join("%9s" % p for p in phases) + "%9s%9s" % ("total", "wall"))
for label, t, wall in rows:
    name = label.split(":")[0]
    cells = [t.get(p, 0) / 1000.0 for p in phases]
    print("%-10s" % name + "".join("%9.1f" % x for x in cells) + "%9.1f%9.1f" % (sum(cells), wall)
          + ("  (cached)" if t.get("cached") else ""))
print("\nThe seed plan estimates 200-500 ms edit to running; the total above is Kiln's, phase by phase.")
sys.exit(0 if ok else 1)
PY
status=$?
echo "== demo finished (status $status)"
exit $status
