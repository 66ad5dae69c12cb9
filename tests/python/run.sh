#!/usr/bin/env bash
# Independent-client check: the official Azure SDKs for Python, in a virtual environment, drive
# every resource type through the emulator with their own LRO pollers; then the Azure CLI signs in
# against the emulator's Entra endpoint and drives groups and AKS. Usage:
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
# azure-mgmt-monitor 6.0.2 beside 7.x: the last release with diagnostic settings (7.0 dropped them).
monitor6="$root/target/py-monitor6"
if [ ! -d "$monitor6/azure/mgmt/monitor" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --target "$monitor6" "azure-mgmt-monitor==6.0.2"
fi
export AZPLAN_MONITOR6="$monitor6"
"$venv/bin/python" "$here/emulator_sdk_check.py" "$bin"

# The Azure CLI, signed in against the emulator's Entra endpoint (its own venv: it pins its SDKs).
# AZPLAN_SKIP_AZ_CLI=1 skips it.
if [ "${AZPLAN_SKIP_AZ_CLI:-0}" != "1" ]; then
  az_venv="${AZPLAN_AZ_VENV:-$root/target/az-cli-venv}"
  if [ ! -x "$az_venv/bin/az" ]; then
    python3 -m venv "$az_venv"
  fi
  "$az_venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-azcli.txt"
  "$az_venv/bin/python" "$here/az_cli_check.py" "$bin" "$az_venv/bin/az"
fi
