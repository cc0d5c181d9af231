#!/bin/bash
# Desktop notifications on a private D-Bus bus with python3-dbusmock's
# notification server: summary, body markup, actions, urgency, burst
# coalescing via replaces_id, the "Open" action opening the link, "Mute
# rule for 1 h", and a hung server never blocking for more than ~2 s.
source "$HARK_SRC/tests/peers/lib.sh"

# xdg-open that records what it was asked to open.
mkdir -p "$T/bin"
cat > "$T/bin/xdg-open" <<SH
#!/bin/sh
echo "\$1" >> "$T/opened"
SH
chmod +x "$T/bin/xdg-open"
export PATH="$T/bin:$PATH"

peer_notify_start

write_feed "$T/feed.xml" 1 2
conf="$T/hark.conf"
cat > "$conf" <<CONF
[hark]
database = $T/hark.db
interval = 1s

[feed f]
url = file://$T/feed.xml

[rule alpha]
query = alpha
alert = desktop
priority = critical

[rule beta]
query = beta
alert = desktop
coalesce = 2/1m
CONF

"$HARK" run -c "$conf" > "$T/daemon.out" 2> "$T/daemon.err" &
DAEMON=$!
echo $DAEMON >> "$T/pids"
wait_for grep -q 'beta 002' "$NOTIFY_CALLS" || fail "no notifications: $(cat "$T/daemon.err")"
sleep 0.3
# dbusmock's log, one line per Notify call (newlines in bodies as \n).
calls() {
	"$PY" -c '
import re, sys
text = open(sys.argv[1]).read()
for rec in re.split(r"\n(?=\d+\.\d+ )", text):
    if " Notify " in rec:
        print(rec.replace("\n", "\\n"))' "$NOTIFY_CALLS"
}
calls > "$T/calls1"
assert_eq 2 "$(wc -l < "$T/calls1")" "one Notify per alert"
assert_grep '"hark" 0 "" "alpha: alpha 001"' "$T/calls1" "summary is rule: title, no replaces_id"
assert_grep '"<i>f</i>\\n.*<b>alpha</b>' "$T/calls1" "body: source in italics, matched term in bold"
assert_grep '\["default", "Open", "open", "Open", "mute", "Mute rule for 1 h"\]' "$T/calls1" "actions Open and Mute rule for 1 h"
assert_grep 'alpha 001.*"urgency": (dbus.Byte\()?2' "$T/calls1" "priority=critical gives urgency 2"
assert_grep 'beta 002.*"urgency": (dbus.Byte\()?1' "$T/calls1" "a normal rule gives urgency 1"

# "Open" on the first notification (id 1) opens its link.
gdbus call --session -d org.freedesktop.Notifications -o /org/freedesktop/Notifications \
	-m org.freedesktop.DBus.Mock.EmitSignal org.freedesktop.Notifications \
	ActionInvoked us '[<uint32 1>, <"open">]' > /dev/null
wait_for test -s "$T/opened" || fail "Open did not launch the browser"
assert_eq "https://example.test/p/1" "$(cat "$T/opened")" "Open opened the item's link with xdg-open"

# A burst of beta: the first alert past coalesce=2/1m replaces the
# previous notification in place.
write_feed "$T/feed.xml" 1 8

wait_for grep -q '4 new mentions of beta' "$NOTIFY_CALLS" || { calls >&2; fail "no coalesced notification"; }
sleep 0.3
calls > "$T/calls2"
assert_grep '"hark" 0 "" "beta: beta 004"' "$T/calls2" "the second beta alert of the burst is its own notification"
# Notification ids count from 1 in call order (dbusmock).
id4=$(grep -n '"beta: beta 004"' "$T/calls2" | cut -d: -f1)
assert_grep "\"hark\" $id4 \"\" \"3 new mentions of beta\" \"latest: beta 006\"" "$T/calls2" "the third replaces the second's notification: 3 new mentions"
assert_grep "\"hark\" $id4 \"\" \"4 new mentions of beta\" \"latest: beta 008\"" "$T/calls2" "updated in place: 4 new mentions"

# "Mute rule for 1 h" on an alpha notification: later alpha alerts are
# kept but not shown.
gdbus call --session -d org.freedesktop.Notifications -o /org/freedesktop/Notifications \
	-m org.freedesktop.DBus.Mock.EmitSignal org.freedesktop.Notifications \
	ActionInvoked us '[<uint32 1>, <"mute">]' > /dev/null
sleep 0.5  # the signal reaches the daemon
write_feed "$T/feed.xml" 1 10

wait_for grep -q 'beta 010' "$NOTIFY_CALLS" || fail "beta 010 not shown"
sleep 0.5
assert_no_grep 'alpha 009' "$NOTIFY_CALLS" "a muted rule's alert is not shown"
"$HARK" outbox -c "$conf" --all --json > "$T/all.json"
assert_grep '"state":"suppressed".*"rule":"alpha".*"last_error":"rule muted from the desktop"' "$T/all.json" "it is kept, suppressed, in the outbox history"
kill -TERM "$DAEMON"

# A hung server (SIGSTOP): no run blocks for more than a few seconds.
# Our own server: other tests may run theirs at the same time.
pid=$NOTIFY_PID
kill -0 "$pid" || fail "dbusmock (pid $pid) is not running"
kill -STOP "$pid"
rm -f "$T/hark.db"*
start=$(date +%s%N)
"$HARK" run --once -c "$conf" > "$T/hung.out" 2> "$T/hung.err" || fail "run with a hung server exited $?"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -CONT "$pid"
[ "$ms" -lt 5000 ] || fail "run --once took ${ms} ms with a hung server"
ok "run --once with a hung server finished in ${ms} ms"
n=$(grep -c 'desktop alerts are kept in history' "$T/hung.err" || true)
assert_eq 1 "$n" "one warning for the hung server"
