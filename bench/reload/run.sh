#!/usr/bin/env bash
# Hot reload, edit to running (DESIGN §10): an nREPL eval of one defn to a
# local device, cold and cached, per phase, beside the seed's estimate and the
# reference JVM nREPL's eval round trip measured in the same run.
# Usage: bench/reload/run.sh BUILD_DIR [SAMPLES]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/reload.py" "$build/kiln" "${2:-20}"
