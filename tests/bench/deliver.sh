#!/bin/bash
# Delivery benchmark.
#  1. Throughput: 10,000 alerts queued in the outbox (8 rules), sent by
#     `hark run --once` to the loopback receiver (tests/peers/
#     webhook_receiver.py).  Reference, same run, same receiver: curl
#     (libcurl's own client) POSTing 10,000 bodies with --parallel-max 8.
#  2. Latency: 50 HTTP feeds polled every second publish 1,000 new items;
#     from the feed response that carried an item to (a) the webhook
#     request and (b) the Notify call (dbusmock on a private bus) for it.
# Usage: tests/bench/deliver.sh   (builds build/ if needed)
set -euo pipefail
HARK_SRC=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${HARK:-}" ]; then
	[ -x "$HARK_SRC/build/daemon/hark" ] ||
		{ cmake --preset default -S "$HARK_SRC" >/dev/null && cmake --build --preset default >/dev/null; }
	HARK="$HARK_SRC/build/daemon/hark"
fi
export HARK HARK_SRC
source "$HARK_SRC/tests/peers/lib.sh"
command -v curl >/dev/null || apt-get install -y --no-install-recommends curl >/dev/null

N=10000
RULES=8
SECRET=bench-secret
printf '%s\n' "$SECRET" > "$T/secret"

# --- 1. throughput -------------------------------------------------------
# Two feeds of N/2 items (the parser keeps at most 5,000 per document).
"$PY" - "$T" "$N" "$RULES" <<'PY'
import sys
d, n, rules = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for part in (0, 1):
    with open("%s/feed%d.xml" % (d, part), "w") as f:
        f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>b</title>'
                '<link>http://bench.test/</link>')
        for i in range(part * n // 2, (part + 1) * n // 2):
            # Words of its own per item, or near-duplicate detection
            # would fold them into a few stories.
            own = " ".join("u%dv%d" % (i, j) for j in range(12))
            f.write('<item><title>item %05d</title><link>http://bench.test/%d</link>'
                    '<guid>g%d</guid><description>word%d mentioned here: %s</description>'
                    '</item>' % (i, i, i, i % rules, own))
        f.write("</channel></rss>")
PY
# Queue the alerts against a closed port, then re-queue them all.
port_closed=1
mkconf() {  # mkconf PORT
	{
		printf '[hark]\ndatabase = %s/bench.db\n\n' "$T"
		printf '[feed b%d]\nurl = file://%s/feed%d.xml\ninterval = 1d\n\n' 0 "$T" 0 1 "$T" 1
		for r in $(seq 0 $((RULES - 1))); do
			printf '[rule r%d]\nquery = word%d\nalert = hook\n\n' "$r" "$r"
		done
		printf '[webhook hook]\nurl = http://127.0.0.1:%s/hook\nsecret_file = %s/secret\ntimeout = 10s\n' "$1" "$T"
	} > "$T/hark.conf"
}
mkconf "$port_closed"
"$HARK" run -q --once -c "$T/hark.conf" 2>/dev/null >/dev/null || true
"$HARK" outbox -c "$T/hark.conf" retry --all > /dev/null
queued=$("$HARK" outbox -c "$T/hark.conf" | tail -1)
echo "queued: $queued"

R="$T/recv"
peer_webhook_start "$R" "$SECRET"
mkconf "$WEBHOOK_PORT"
s=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$T/cpu" "$HARK" run -q --once -c "$T/hark.conf" > /dev/null 2> "$T/bench-run.err" || { cat "$T/bench-run.err"; fail "hark run failed"; }
e=$(date +%s.%N)
got=$(wc -l < "$R/accepted.jsonl")
[ "$got" -eq "$N" ] || fail "hark delivered $got of $N"
left=$("$HARK" outbox -c "$T/hark.conf" | tail -1)
read -r hark_wall hark_rx <<<"$("$PY" - "$R/accepted.jsonl" "$s" "$e" <<'PY'
import json, sys
ts = sorted(json.loads(l)["t"] for l in open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
print("%.3f %.1f" % (wall, (len(ts) - 1) / (ts[-1] - ts[0])))
PY
)"
bad=$(grep -c '"sig_ok": false' "$R/requests.jsonl" || true)
peer_webhook_stop

# Reference: curl, 8 parallel, same receiver (no signature checks there).
R2="$T/recv2"
peer_webhook_start "$R2" -
body='{"delivery_id":"x","version":1,"kind":"alert","rule":"r0","feed":"bench","item":{"title":"item 00000","link":"http://bench.test/0","author":null,"published":null,"snippet":"word0 mentioned here"},"matches":[],"sentiment":null,"sentiment_cues":[]}'
printf '%s' "$body" > "$T/body.json"
for i in $(seq "$N"); do echo "url = \"http://127.0.0.1:$WEBHOOK_PORT/hook\""; echo "output = /dev/null"; done > "$T/curl.cfg"
s=$(date +%s.%N)
curl -s --parallel --parallel-max 8 -H 'Content-Type: application/json' -H 'X-Hark-Delivery: x' \
	--data-binary @"$T/body.json" -K "$T/curl.cfg" 2>/dev/null
e=$(date +%s.%N)
peer_webhook_stop
curl_n=$(grep -c '"status": 200' "$R2/requests.jsonl")
curl_rate=$("$PY" -c "print('%.1f' % ($curl_n / ($e - $s)))")

echo
echo "== throughput: $N queued alerts, $RULES rules, webhook to a loopback Python receiver"
echo "hark run --once: ${hark_wall}s wall (startup, feed re-read, store, send); receiver saw ${hark_rx} deliveries/s (first to last request)"
read -r cu cs < "$T/cpu"
"$PY" -c "print('hark CPU: %.2fs user + %.2fs sys = %.0f%% of one core over the run' % ($cu, $cs, 100 * ($cu + $cs) / $hark_wall))"
echo "bad signatures: $bad; outbox afterwards: $left"
echo "reference curl --parallel-max 8: $curl_n requests, ${curl_rate} requests/s"
"$PY" -c "print('ratio hark/curl (receiver-side rate vs curl rate): %.2f' % ($hark_rx / $curl_rate))"

# --- 2. latency ----------------------------------------------------------
peer_notify_start
F="$T/feeds"
mkdir -p "$F"
"$PY" "$HARK_SRC/tests/bench/feed_server.py" "$F" 1000 </dev/null >"$F/log" 2>&1 &
echo $! >> "$T/pids"
wait_for test -s "$F/port" || fail "feed server did not start"
FPORT=$(cat "$F/port")
R3="$T/recv3"
peer_webhook_start "$R3" "$SECRET"
{
	printf '[hark]\ndatabase = %s/lat.db\ninterval = 1s\n\n' "$T"
	for i in $(seq 50); do printf '[feed f%d]\nurl = http://127.0.0.1:%s/feed/f%d\n\n' "$i" "$FPORT" "$i"; done
	printf '[rule bench]\nquery = benchword\nalert = hook, desktop\ncoalesce = off\n\n'
	printf '[webhook hook]\nurl = http://127.0.0.1:%s/hook\nsecret_file = %s/secret\n' "$WEBHOOK_PORT" "$T"
} > "$T/lat.conf"
"$HARK" run -q -c "$T/lat.conf" > /dev/null 2> "$T/lat.err" &
DAEMON=$!
echo $DAEMON >> "$T/pids"
for i in $(seq 1200); do
	n=$( [ -f "$R3/accepted.jsonl" ] && wc -l < "$R3/accepted.jsonl" || echo 0)
	m=$(grep -c ' Notify ' "$NOTIFY_CALLS" || true)
	[ "$n" -ge 1000 ] && [ "$m" -ge 1000 ] && break
	sleep 0.1
done
kill -TERM "$DAEMON"
echo
echo "== latency: 1,000 new items from 50 HTTP feeds polled every 1 s"
"$PY" - "$F/published" "$R3/accepted.jsonl" "$NOTIFY_CALLS" <<'PY'
import json, re, statistics, sys
pub = dict((l.split()[0], float(l.split()[1])) for l in open(sys.argv[1]))
hook = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    hook[r["title"]] = r["t"]
note = {}
for m in re.finditer(r'^(\d+\.\d+) Notify "hark" \d+ "" "bench: (bench-\S+)"', open(sys.argv[3]).read(), re.M):
    note.setdefault(m.group(2), float(m.group(1)))
def report(name, got):
    lat = sorted((got[g] - pub[g]) * 1000 for g in pub if g in got)
    if not lat:
        print("%s: no data" % name)
        return
    p99 = lat[min(len(lat) - 1, int(round(0.99 * len(lat))) - 1)]
    print("%s: %d items, median %.1f ms, p99 %.1f ms, max %.1f ms"
          % (name, len(lat), statistics.median(lat), p99, lat[-1]))
report("fetched -> webhook request", hook)
report("fetched -> Notify call     ", note)
PY
