#!/usr/bin/env bash
# Independent-client check: the official Azure SDKs for Python, in a virtual environment, drive
# every resource type through the emulator with their own LRO pollers. Usage:
#   tests/python/run.sh [path/to/azplan]     (builds target/debug/azplan when no path is given)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-}"
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --quiet)
  bin="$root/target/debug/azplan"
fi
venv="${AZPLAN_PY_VENV:-$root/target/py-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
exec "$venv/bin/python" "$here/emulator_sdk_check.py" "$bin"
