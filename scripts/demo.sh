#!/bin/sh
# Installs what hark needs, builds it, and runs it once on the bundled demo
# (etc/demo: three local feeds and a few rules; no network needed).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
echo "== hark check -c etc/demo/hark.conf"
./build/daemon/hark check -c etc/demo/hark.conf
echo "== hark run --once -c etc/demo/hark.conf"
# A fresh demo database each time, so the demo always shows its alerts.
rm -f "${XDG_DATA_HOME:-$HOME/.local/share}/hark/demo.db"*
./build/daemon/hark run --once -c etc/demo/hark.conf
echo "== run again: every item is already known, so nothing alerts"
./build/daemon/hark run --once -c etc/demo/hark.conf
echo "== done (alerts are stored in ${XDG_DATA_HOME:-$HOME/.local/share}/hark/demo.db)"
