#!/usr/bin/env bash
# Hold every ARM body azplan renders against the official Azure SDK for Python models
# (issue 4, item 6). Builds nothing: pass the azplan binary, or build target/debug/azplan first.
#   tests/python/check_bodies.sh [path/to/azplan]
# The virtual environment lives in target/python-venv (override with AZPLAN_BODIES_VENV) and is
# reused; pip only installs when requirements-bodies.txt changed since the last install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/azplan}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
if [ ! -x "$bin" ]; then
  echo "error: azplan binary $bin not found (run cargo build first)" >&2
  exit 2
fi
venv="${AZPLAN_BODIES_VENV:-$root/target/python-venv}"
req="$here/requirements-bodies.txt"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.requirements-bodies.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
# azure-mgmt-monitor 6.0.2 beside 7.x: the last release with diagnostic settings (as run.sh).
monitor6="$root/target/py-monitor6"
if [ ! -d "$monitor6/azure/mgmt/monitor" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --target "$monitor6" "azure-mgmt-monitor==6.0.2"
fi
export AZPLAN_MONITOR6="$monitor6"
exec "$venv/bin/python" "$here/check_bodies.py" "$bin" --repo "$root"
