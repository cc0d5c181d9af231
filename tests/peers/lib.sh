# tests/peers/lib.sh - shared helpers for hark's integration scripts.
#
# Source it, then call the peer_* functions.  Every peer writes its PID to
# $T/pids; peers_stop (run from the EXIT trap) kills exactly those PIDs.
# Never use a bare `wait` in these scripts: it would wait for the peers.

set -euo pipefail

: "${HARK:?HARK must point at the hark binary}"
: "${HARK_SRC:?HARK_SRC must point at the source tree}"
PY=/usr/bin/python3   # Debian's python: python3-dbusmock lives only there

T=$(mktemp -d "${TMPDIR:-/tmp}/hark-test.XXXXXX")
: > "$T/pids"
export XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config"
# The daemon's pid file lives here (runstate.h).
export XDG_RUNTIME_DIR="$T/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
# No desktop session unless a test starts one.
export DBUS_SESSION_BUS_ADDRESS="unix:path=$T/no-bus"
unset DISPLAY WAYLAND_DISPLAY JOURNAL_STREAM

peers_stop() {
	local pid
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done < "$T/pids"
	sleep 0.1
	while read -r pid; do
		kill -9 "$pid" 2>/dev/null || true
	done < "$T/pids"
	[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$T"
}
trap peers_stop EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# assert_eq WANT GOT WHAT
assert_eq() { [ "$1" = "$2" ] || fail "$3: want '$1', got '$2'"; ok "$3"; }
# assert_grep PATTERN FILE WHAT
assert_grep() { grep -qE -- "$1" "$2" || { cat "$2" >&2; fail "$3: no line matches /$1/ in $2"; }; ok "$3"; }
assert_no_grep() { ! grep -qE -- "$1" "$2" || { cat "$2" >&2; fail "$3: a line matches /$1/ in $2"; }; ok "$3"; }

# wait_for CMD... : retry CMD for up to 10 s.
wait_for() {
	local i
	for i in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# peer_notify_start: a private D-Bus session bus with python3-dbusmock's
# notification daemon on it.  Sets DBUS_SESSION_BUS_ADDRESS and
# NOTIFY_CALLS (dbusmock's call log).
peer_notify_start() {
	local d="$T/notify"
	mkdir -p "$d"
	cat > "$d/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$d/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
	# No <servicedir>: nothing is auto-started behind the test's back.
	dbus-daemon --config-file="$d/bus.conf" --fork --print-pid=3 3>"$d/dbus.pid" </dev/null
	cat "$d/dbus.pid" >> "$T/pids"
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$d/bus"
	NOTIFY_CALLS="$d/calls.log"
	"$PY" -m dbusmock --session --template notification_daemon \
		--parameters '{"capabilities": "body body-markup actions"}' \
		-l "$NOTIFY_CALLS" </dev/null >"$d/server.log" 2>&1 &
	NOTIFY_PID=$!
	echo $! >> "$T/pids"
	wait_for dbus_name_owned org.freedesktop.Notifications ||
		fail "notification server did not start: $(cat "$d/server.log")"
}

dbus_name_owned() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q 'boolean true'
}

# peer_webhook_start DIR SECRET [PORT]: tests/peers/webhook_receiver.py on
# 127.0.0.1.  Sets WEBHOOK_PORT and WEBHOOK_PID; DIR holds its logs and
# its fault queue (see the script).
peer_webhook_start() {
	local dir=$1 secret=$2 port=${3:-0}
	mkdir -p "$dir"
	rm -f "$dir/port"
	"$PY" "$HARK_SRC/tests/peers/webhook_receiver.py" "$dir" "$secret" "$port" \
		</dev/null >>"$dir/server.log" 2>&1 &
	WEBHOOK_PID=$!
	echo "$WEBHOOK_PID" >> "$T/pids"
	wait_for test -s "$dir/port" || fail "webhook receiver did not start: $(cat "$dir/server.log")"
	WEBHOOK_PORT=$(cat "$dir/port")
}

# peer_webhook_stop: stops the receiver started last (connections are
# then refused).
peer_webhook_stop() {
	kill "$WEBHOOK_PID" 2>/dev/null || true
	local i
	for i in $(seq 50); do kill -0 "$WEBHOOK_PID" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$WEBHOOK_PID" 2>/dev/null || true
}

# write_feed FILE FIRST LAST: an RSS feed whose items FIRST..LAST are
# titled "alpha NNN" (odd) or "beta NNN" (even), newest last, each with
# words of its own (so that none is a near-duplicate of another).
write_feed() {
	local f=$1 i w
	{
		echo '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://example.test/</link>'
		for i in $(seq "$2" "$3"); do
			if (( i % 2 )); then w=alpha; else w=beta; fi
			# Words of their own per item: near-duplicate detection
			# must not fold these posts into one story.
			printf '<item><title>%s %03d</title><link>https://example.test/p/%d</link><guid>p%d</guid><description>post %d about %s, a refund that never came: %s</description></item>\n' "$w" "$i" "$i" "$i" "$i" "$w" "$(for j in 1 2 3 4 5 6 7 8 9 10 11 12; do printf 'w%dx%d ' "$i" "$j"; done)"
		done
		echo '</channel></rss>'
	} > "$f.tmp"
	mv "$f.tmp" "$f"
}
