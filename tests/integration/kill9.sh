#!/bin/bash
# Crash safety (issue 7): KILL9_RUNS (50) runs of `hark run --once`, each
# killed with SIGKILL at a random moment while it polls three feeds (new
# items every run, one with rotating guids, one a syndicated copy) and
# delivers alerts; then one run to completion.  Every alert goes through
# hark's outbox to a real HTTP receiver (tests/peers/delivery_receiver.py)
# that logs each delivery id, by one of two channels (KILL9_CHANNEL):
#   webhook  (default) hark's webhook channel POSTs to the receiver, which
#            answers each request 3 ms late;
#   stdout   hark's stdout channel, relayed line by line to the receiver
#            by tests/peers/stdout_relay.py (paced 3 ms per line, one-page
#            pipe) - the harness as written before webhooks existed.
# Passes when no hit is lost, no story is delivered under two delivery
# ids, and nothing unexpected arrives.
source "$HARK_SRC/tests/peers/lib.sh"

RUNS=${KILL9_RUNS:-50}
CHANNEL=${KILL9_CHANNEL:-webhook}
MAX_MS=${KILL9_MAX_MS:-0}     # 0: calibrate from an unkilled run
P=$HARK_SRC/tests/peers

if [ "$CHANNEL" = webhook ]; then delay=3; else delay=0; fi
"$PY" "$P/delivery_receiver.py" "$T/received.log" "$T/port" "$delay" &
echo $! >> "$T/pids"
wait_for test -s "$T/port" || fail "receiver did not start"
URL="http://127.0.0.1:$(cat "$T/port")/hook"

cat > "$T/hark.conf" <<CONF
[hark]
database = $T/hark.db
[feed a]
url = file://$T/a.xml
[feed b]
url = file://$T/b.xml
[feed c]
url = file://$T/c.xml
[rule acme]
query = acme
alert = $([ "$CHANNEL" = webhook ] && echo hook || echo stdout)
[webhook hook]
url = $URL
timeout = 5s
retry_base = 1s
retry_max = 1s
CONF

# run_hark KILL_MS: one run, killed with SIGKILL KILL_MS ms after it
# started (0: not killed).  With the stdout channel the relay runs hark
# and reports its PID.
run_hark() {
	local relay hark
	rm -f "$T/hark.pid"
	if [ "$CHANNEL" = webhook ]; then
		"$HARK" run --once -v -c "$T/hark.conf" > /dev/null 2> "$T/run.err" &
		hark=$!
		echo $hark >> "$T/pids"
	else
		"$PY" "$P/stdout_relay.py" "$URL" 3 "$T/hark.pid" \
			"$HARK" run --once -v -c "$T/hark.conf" 2> "$T/run.err" &
		relay=$!
		echo $relay >> "$T/pids"
		wait_for test -s "$T/hark.pid" || fail "hark did not start"
		hark=$(cat "$T/hark.pid")
		echo $hark >> "$T/pids"
	fi
	started=$(date +%s%N)
	if [ "$1" -gt 0 ]; then
		sleep "$(printf '0.%03d' "$1")"
		kill -9 "$hark" 2>/dev/null || true
	fi
	if [ "$CHANNEL" = webhook ]; then
		wait "$hark" 2>/dev/null || true
	else
		wait "$relay" || fail "relay failed"
	fi
	took_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}

q() { sqlite3 "$T/hark.db" "$1"; }

# Kill delays are uniform in 1..WINDOW ms.  WINDOW starts at the time of
# one unkilled run over the first run's feeds (on a throwaway database)
# and then adapts: it shrinks by a sixth after a kill that came too late
# (the run had finished) and grows by a twentieth after one that hit
# work, so the kills spread over polling and delivery as the feeds grow.
if [ "$MAX_MS" -eq 0 ]; then
	"$PY" "$HARK_SRC/tests/integration/gen_kill9_feeds.py" "$T" 1
	cp "$T/hark.conf" "$T/hark.conf.real"
	sed -i "s|$T/hark.db|$T/calib.db|" "$T/hark.conf"
	run_hark 0
	MAX_MS=$took_ms
	mv "$T/hark.conf.real" "$T/hark.conf"
	: > "$T/received.log"
fi
window=$(( MAX_MS < 20 ? 20 : MAX_MS > 999 ? 999 : MAX_MS ))
echo "# channel $CHANNEL; first kill window ${window} ms"

polling=0 delivering=0 after=0
for run in $(seq 1 "$RUNS"); do
	"$PY" "$HARK_SRC/tests/integration/gen_kill9_feeds.py" "$T" "$run"
	before=$(wc -l < "$T/received.log")
	delay=$(( RANDOM % window + 1 ))
	run_hark "$delay"
	polled=$(grep -c 'items, ' "$T/run.err" || true)
	pending=$(q "SELECT count(*) FROM deliveries WHERE state = 'pending'" 2>/dev/null || echo 0)
	got=$(( $(wc -l < "$T/received.log") - before ))
	if [ "$polled" -lt 3 ]; then
		polling=$((polling + 1)) phase=polling
	elif [ "$pending" -gt 0 ]; then
		delivering=$((delivering + 1)) phase=delivering
	else
		after=$((after + 1)) phase=after
	fi
	echo "# run $run: killed at ${delay} ms ($phase): $polled/3 feeds committed, $got delivered, $pending pending"
	if [ "$phase" = after ]; then
		window=$(( window * 5 / 6 > 10 ? window * 5 / 6 : 10 ))
	else
		window=$(( window * 21 / 20 + 1 < 999 ? window * 21 / 20 + 1 : 999 ))
	fi
done
# The last run goes to the end: everything still pending is sent.
run_hark 0

q "SELECT id FROM deliveries ORDER BY id" > "$T/db_ids"
cut -d' ' -f1 "$T/received.log" | sort -u > "$T/got_ids"
lost=$(comm -23 "$T/db_ids" "$T/got_ids" | wc -l)
phantom=$(comm -13 "$T/db_ids" "$T/got_ids" | wc -l)
# A story (item link) delivered under two different ids is a duplicate.
dup=$(sort -u "$T/received.log" | cut -d' ' -f2 | sort | uniq -d | wc -l)
resent=$(( $(wc -l < "$T/received.log") - $(sort -u "$T/received.log" | wc -l) ))
hits=$(q "SELECT count(*) FROM hits")
multi=$(q "SELECT count(*) FROM (SELECT hit_id FROM deliveries GROUP BY hit_id HAVING count(*) > 1)")
expected=$(( 2 * 10 * RUNS ))     # every a and b item; c is a mirror of a
links=$(cut -d' ' -f2 "$T/received.log" | sort -u | wc -l)
mirrors=$(grep -c 'c.example' "$T/received.log" || true)
also=$(q "SELECT count(*) FROM hit_also_seen")

echo "# kills: $polling while polling, $delivering while delivering, $after after delivery"
echo "# $expected stories expected, $hits hits, $(wc -l < "$T/db_ids") delivery ids, $links stories received"
echo "# lost $lost, duplicated (one story, two ids) $dup, phantom $phantom, same-id redeliveries $resent, mirrors recorded as also-seen $also"
assert_eq 0 "$(q "SELECT count(*) FROM deliveries WHERE state <> 'sent'")" "every delivery sent after the final run"
assert_eq 0 "$lost" "no delivery id lost"
assert_eq 0 "$dup" "no story delivered under two delivery ids"
assert_eq 0 "$phantom" "nothing received that the outbox does not know"
assert_eq 0 "$multi" "one delivery per hit"
assert_eq "$expected" "$hits" "one hit per story (rotating guids and mirrors included)"
assert_eq "$expected" "$links" "every story received"
assert_eq 0 "$mirrors" "the syndicated mirror never alerted"
assert_eq "$(( 10 * RUNS ))" "$also" "every mirror item recorded as also seen"
