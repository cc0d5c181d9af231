#!/bin/bash
# The systemd units in etc/ pass systemd-analyze verify (with the built
# binary standing in for /usr/bin/hark; man pages are checked elsewhere).
source "$HARK_SRC/tests/peers/lib.sh"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed"
for unit in hark.service hark-system.service; do
	sed "s|/usr/bin/hark|$HARK|g" "$HARK_SRC/etc/$unit" > "$T/$unit"
	systemd-analyze verify --man=no "$T/$unit" > "$T/$unit.log" 2>&1 ||
		{ cat "$T/$unit.log"; fail "systemd-analyze verify $unit"; }
	ok "systemd-analyze verify $unit"
done
