#!/bin/bash
# hark status (pid file lock, last cycle, failing feeds, deliveries) and
# hark tail (backlog, following hits written by another process, --rule,
# --json, SIGINT and a closed pipe).
source "$HARK_SRC/tests/peers/lib.sh"

# item N: an RSS item about widgets (N odd) or gadgets (N even); each
# with words of its own, or de-duplication would fold near-copies.
words=(x "battery drained overnight" "screen cracked in the box" "charger melted on day two"
	"app crashes at login" "strap snapped after a week" "speaker buzzes constantly"
	"firmware update bricked it")
item() {
	local what=widget
	[ $(( $1 % 2 )) -eq 0 ] && what=gadget
	printf '<item><guid>post-%d</guid><title>Post %d: the %s broke again</title>' "$1" "$1" "$what"
	printf '<link>https://forum.example/t/%d</link><description>My %s: %s. Awful, terrible support.</description></item>\n' "$1" "$what" "${words[$1]}"
}
feed() {  # feed FIRST LAST
	{ echo '<?xml version="1.0"?><rss version="2.0"><channel><title>forum</title>'
	  for i in $(seq "$1" "$2"); do item "$i"; done
	  echo '</channel></rss>'; } > "$T/feed.xml.new"
	mv "$T/feed.xml.new" "$T/feed.xml"
}
feed 1 4
cat > "$T/hark.conf" <<CONF
[hark]
database = $T/db/hark.db
interval = 1h

[feed forum]
url = file://$T/feed.xml

[feed missing]
url = file://$T/no-such-feed.xml

[rule widgets]
query = widget
alert = stdout

[rule gadgets]
query = gadget
alert = stdout
CONF
conf="$T/hark.conf"

"$HARK" status -c "$conf" > "$T/s0.out"
assert_grep '^daemon: +not running$' "$T/s0.out" "status before any run: not running"
assert_grep '^last cycle: +never$' "$T/s0.out" "status before any run: no cycle yet"

# The daemon: status sees it by its pid file's lock.
"$HARK" run -c "$conf" > "$T/run.out" 2> "$T/run.err" &
daemon=$!
echo "$daemon" >> "$T/pids"
wait_for grep -q 'Post 3' "$T/run.out" || fail "daemon did not alert: $(cat "$T/run.err")"
wait_for sh -c "'$HARK' status -c '$conf' --json | grep -q '\"last_cycle\" : [0-9]'" ||
	fail "no last cycle recorded"
# The outbox flush follows the cycle on an idle moment.
wait_for sh -c "'$HARK' status -c '$conf' --json | grep -q '\"deliveries_sent\" : 4'" ||
	fail "the 4 alerts were not sent: $(cat "$T/run.out")"
"$HARK" status -c "$conf" --json > "$T/s1.json"
/usr/bin/python3 - "$T/s1.json" "$daemon" <<'PY' || fail "status --json while running"
import json, sys, time
s = json.load(open(sys.argv[1]))
assert s["running"] is True, s
assert s["pid"] == int(sys.argv[2]), s
assert abs(s["last_cycle"] - time.time()) < 30, s
assert s["feeds"] == 2 and s["feeds_failing"] == 1, s
assert s["deliveries_pending"] == 0 and s["deliveries_dead"] == 0, s
assert s["deliveries_sent"] == 4, s
PY
ok "status --json: running, pid, last cycle, 1 of 2 feeds failing, 4 sent"
"$HARK" status -c "$conf" > "$T/s1.out"
assert_grep "^daemon: +running \(pid $daemon\)$" "$T/s1.out" "status text names the pid"
assert_grep '^feeds: +2, 1 failing, 0 gone$' "$T/s1.out" "status text counts failing feeds"

# A second daemon on the same database is refused; --once beside it runs.
set +e
"$HARK" run -c "$conf" > /dev/null 2> "$T/second.err"
rc=$?
set -e
assert_eq 1 "$rc" "second daemon exits 1"
assert_grep "already running .*pid $daemon" "$T/second.err" "second daemon names the first"

# tail: the backlog (last N), then hits stored by another process.
"$HARK" tail -c "$conf" -n 3 --no-follow > "$T/backlog.out"
assert_eq 3 "$(wc -l < "$T/backlog.out")" "--no-follow -n 3 prints 3 lines"
assert_grep '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}  (widgets|gadgets)  -0\.[0-9]{2}  Post [0-9]: the (widget|gadget) broke again  https://forum\.example/t/[0-9]$' \
	"$T/backlog.out" "line: time, rule, sentiment, title, link"
assert_no_grep $'\033' "$T/backlog.out" "no colour when stdout is not a terminal"
script -qec "'$HARK' tail -c '$conf' -n 1 --no-follow" /dev/null > "$T/tty.out"
assert_grep $'\033\\[1m(widgets|gadgets)\033\\[0m' "$T/tty.out" "colours on a terminal"
NO_COLOR=1 script -qec "'$HARK' tail -c '$conf' -n 1 --no-follow" /dev/null > "$T/nocolor.out"
assert_no_grep $'\033' "$T/nocolor.out" "NO_COLOR turns colours off"

kill -TERM "$daemon"
wait_for sh -c "'$HARK' status -c '$conf' | grep -q 'not running'" || fail "status still says running after SIGTERM"
ok "status: not running once the daemon stopped"

"$HARK" tail -c "$conf" --json --interval 100 > "$T/tail.json" 2> "$T/tail.err" &
tailpid=$!
echo "$tailpid" >> "$T/pids"
"$HARK" tail -c "$conf" --rule widgets -n 0 --interval 100 > "$T/tail-widgets.out" &
tailw=$!
echo "$tailw" >> "$T/pids"
lines_ge() { [ "$(wc -l < "$1")" -ge "$2" ]; }
wait_for lines_ge "$T/tail.json" 4 || fail "tail printed no backlog"
sleep 0.3
feed 1 7
"$HARK" run --once -c "$conf" > "$T/once.out" 2> /dev/null
wait_for lines_ge "$T/tail.json" 7 || fail "tail did not follow: $(cat "$T/tail.json")"
wait_for grep -q 'Post 7' "$T/tail-widgets.out" || fail "tail --rule did not follow"
kill -INT "$tailpid"
set +e
wait "$tailpid"
rc=$?
set -e
assert_eq 0 "$rc" "tail exits 0 on SIGINT"
kill -INT "$tailw"
/usr/bin/python3 - "$T/tail.json" <<'PY' || fail "tail --json lines"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
titles = [r["title"] for r in rows]
assert len(rows) == 7, titles
assert titles[4:] == ["Post 5: the widget broke again", "Post 6: the gadget broke again",
                      "Post 7: the widget broke again"], titles
ids = [r["id"] for r in rows]
assert ids == sorted(ids) and len(set(ids)) == 7, ids
for r in rows:
    assert r["rule"] in ("widgets", "gadgets") and r["sentiment"] < 0, r
    assert r["link"].startswith("https://forum.example/t/"), r
PY
ok "tail --json: 4 backlog + 3 followed hits in order, no repeats"
assert_no_grep 'gadget' "$T/tail-widgets.out" "tail --rule shows only that rule"
assert_grep 'Post 5: the widget' "$T/tail-widgets.out" "tail --rule -n 0 shows new hits only"
assert_no_grep 'Post 1:' "$T/tail-widgets.out" "tail -n 0 skips the backlog"

# A reader that goes away ends a following tail (no write needed).
set +e
timeout 10 "$HARK" tail -c "$conf" --interval 100 | head -1 > "$T/head.out"
rc=("${PIPESTATUS[@]}")
set -e
assert_eq "0 0" "${rc[*]}" "tail | head -1 ends cleanly"

# Deliveries by state: a dead and a pending row.
sqlite3 "$T/db/hark.db" "UPDATE deliveries SET state = 'dead' WHERE rowid = 1;
	UPDATE deliveries SET state = 'pending' WHERE rowid IN (2, 3);"
"$HARK" status -c "$conf" > "$T/s2.out"
assert_grep '^deliveries: +2 pending, 1 dead, 4 sent$' "$T/s2.out" "status counts pending and dead deliveries"

# Hostile titles cannot drive the terminal.
printf '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><guid>evil</guid><title>widget \033]0;pwned\007 \033[2J end</title><link>https://e.example/1</link></item></channel></rss>\n' > "$T/feed.xml"
"$HARK" run --once -c "$conf" > /dev/null 2>&1
"$HARK" tail -c "$conf" -n 1 --no-follow > "$T/evil.out"
assert_no_grep $'\033|\007' "$T/evil.out" "control characters in titles are blanked"
