#!/bin/bash
# Every fault the fault server can inject, polled concurrently by
# `hark run --once`: each feed ends still scheduled, with a precise error
# in `hark feeds`; permanent redirects move the feed, temporary ones do
# not.  Then the daemon: a broken source raises one "broken" alert and one
# "recovered" alert, and SIGTERM ends it within 5 s.
source "$HARK_SRC/tests/peers/lib.sh"
source "$HARK_SRC/tests/peers/feeds.sh"

peer_faults_start
U=$FAULT_URL
refused_port=$(free_port)

conf="$T/faults.conf"
cat > "$conf" <<EOF
[hark]
database = $T/db/faults.db
interval = 10m
timeout = 4s
connect_timeout = 2s
low_speed_time = 2s
max_size = 1M
max_per_host = 32

[feed ok]
url = $U/ok.xml
[feed drip]
url = $U/drip.xml
[feed stall]
url = $U/stall.xml
[feed s500]
url = $U/status/500
[feed r429]
url = $U/429
interval = 10s
[feed chain301]
url = $U/p301/3
[feed chain308]
url = $U/p308/2
[feed temp302]
url = $U/p302
[feed temp307]
url = $U/p307
[feed perm-then-temp]
url = $U/p301-then-302
[feed loop]
url = $U/loop
[feed tofile]
url = $U/tofile
[feed gone]
url = $U/gone
[feed big]
url = $U/big.xml
[feed bigchunked]
url = $U/bigchunked.xml
[feed bomb]
url = $U/bomb.xml
[feed truncated]
url = $U/truncated.xml
[feed reset]
url = $U/reset.xml
[feed notfeed]
url = $U/notfeed.html
[feed refused]
url = http://127.0.0.1:$refused_port/feed.xml
[feed auth]
url = $U/ok.xml
username = alice
password = s3cret-pw
headers = X-Test: one, two; Accept-Language: en

[rule refunds]
query = refund
alert = stdout
EOF

start=$(date +%s.%N)
"$HARK" run --once -v -c "$conf" > "$T/once.out" 2> "$T/once.err" || fail "hark run --once exited $?"
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
# Concurrent: the slowest faults (4 s timeout) bound the run, not the sum
# of all of them (over 20 s); the margin is for loaded CI machines.
[ "$(echo "$elapsed < 15" | bc)" = 1 ] || fail "run took ${elapsed}s: not concurrent?"
ok "21 feeds with faults polled in ${elapsed}s"
# --once records the polls in config order, whatever answered first (the
# ok feed answers at once, drip takes 4 s).
want=$(sed -n 's/^\[feed \(.*\)\]$/\1/p' "$conf" | tr '\n' ' ')
got=$(grep -E '(next poll in|retry in) ' "$T/once.err" | sed -E 's/^hark: ([a-z]+: )?feed ([^:]+):.*/\2/' | tr '\n' ' ')
assert_eq "$want" "$got" "polls recorded in config order"

"$HARK" feeds -c "$conf" --json > "$T/feeds.json" || fail "hark feeds --json exited $?"
"$HARK" feeds -c "$conf" > "$T/feeds.txt" || fail "hark feeds exited $?"

field() { jq -r --arg n "$1" ".[] | select(.name == \$n) | .$2" "$T/feeds.json"; }

# check_fault NAME HTTP_STATUS ERROR_REGEX
check_fault() {
	local name=$1 http=$2 re=$3 err
	err=$(field "$name" last_error)
	[[ "$err" =~ $re ]] || fail "$name: error '$err' does not match /$re/"
	assert_eq "$http" "$(field "$name" http_status)" "$name: HTTP status"
	assert_eq 1 "$(field "$name" failures)" "$name: one failure recorded"
	[ "$(field "$name" next_poll_in)" -gt 0 ] || fail "$name: not scheduled"
	grep -qE "^$name +(failing|gone) .*$(printf '%s' "$err" | head -c 20 | sed 's/[][\.*^$()+?{}|/]/\\&/g')" "$T/feeds.txt" ||
		{ cat "$T/feeds.txt"; fail "$name: error not in the hark feeds table"; }
	ok "$name: still scheduled, error: $err"
}

check_fault drip null '^Operation timed out after [0-9]+ milliseconds with [0-9]+ out of 20000 bytes received$'
check_fault stall null '^Operation too slow\. Less than 100 bytes/sec transferred the last 2 seconds$'
check_fault s500 500 '^HTTP 500 Internal Server Error$'
check_fault r429 429 '^HTTP 429 Too Many Requests; Retry-After 120 s honoured$'
check_fault loop null '^redirect loop or chain too long: Maximum \(5\) redirects followed$'
check_fault tofile null '^redirect to a non-http\(s\) URL refused: file:///etc/passwd$'
check_fault gone 410 '^HTTP 410 Gone: the feed is marked gone'
check_fault big null '^response larger than 1048576 bytes \(after decompression\)$'
check_fault bigchunked null '^response larger than 1048576 bytes \(after decompression\)$'
check_fault bomb null '^response larger than 1048576 bytes \(after decompression\)$'
check_fault truncated null '^transfer closed with 4700 bytes remaining to read$'
check_fault reset null '^Recv failure: Connection reset by peer$'
check_fault notfeed 200 '^HTTP 200 but not a feed'
check_fault refused null "^Failed to connect to 127\.0\.0\.1 port $refused_port"

# Retry-After 120 beats the 10 s interval's backoff.
n=$(( $(field r429 next_poll) - $(field r429 last_poll) ))
assert_eq 120 "$n" "429: next poll 120 s after the poll (Retry-After)"
# 410: polled again only at the backoff cap (12 h), never dropped.
n=$(( $(field gone next_poll) - $(field gone last_poll) ))
assert_eq 43200 "$n" "410: next poll at the backoff cap"
assert_eq gone "$(field gone status)" "410 marks the feed gone"

# Redirects: 301/308 chains move the feed; 302/307 do not.
assert_eq "$U/ok.xml" "$(field chain301 url)" "301 chain: stored URL updated"
assert_eq true "$(field chain301 moved)" "301 chain: marked moved"
assert_eq "$U/ok.xml" "$(field chain308 url)" "308 chain: stored URL updated"
assert_eq "$U/p302" "$(field temp302 url)" "302: stored URL kept"
assert_eq false "$(field temp302 moved)" "302: not moved"
assert_eq "$U/p307" "$(field temp307 url)" "307: stored URL kept"
assert_eq "$U/p302" "$(field perm-then-temp url)" "301 then 302: moved only as far as the 301"
assert_grep "feed chain301: moved permanently to $U/ok.xml" "$T/once.err" "the move is logged"
for f in ok chain301 chain308 temp302 temp307 perm-then-temp auth; do
	assert_eq ok "$(field $f status)" "$f polled fine"
	assert_eq 2 "$(field $f items_seen)" "$f: 2 items"
done
assert_grep '"rule":"refunds"' "$T/once.out" "rule alerts still flow"

# Identity and secrets: User-Agent is hark's (the server logs what it
# got), basic auth and extra headers are sent, and the password is never
# logged or shown.
assert_grep "^/ok.xml	-	-	Basic YWxpY2U6czNjcmV0LXB3	one, two	hark/[0-9.]+$" "$FAULT_LOG" "basic auth, extra headers and User-Agent sent"
assert_no_grep "	(curl|-)$" "$FAULT_LOG" "every request has hark's User-Agent"
assert_no_grep 's3cret-pw' "$T/once.err" "password not in the log"
assert_no_grep 's3cret-pw' "$T/feeds.json" "password not in hark feeds"

# Second run: the moved feed is polled at its new URL, conditionally.
: > "$FAULT_LOG"
"$HARK" run --once -c "$conf" > "$T/once2.out" 2> "$T/once2.err" || fail "second run exited $?"
assert_no_grep '^/p301/' "$FAULT_LOG" "moved feed: old URL not requested again"
assert_grep '^/ok.xml	"fault-v1"	Mon, 01 Jan 2024 10:00:00 GMT	' "$FAULT_LOG" "conditional GET with ETag and Last-Modified"
"$HARK" feeds -c "$conf" --json > "$T/feeds.json"
assert_eq 304 "$(field chain301 http_status)" "moved feed: 304 at its new URL"
assert_eq 2 "$(field s500 failures)" "failures count up"

# Proxies come from the environment: a host that exists only for the
# proxy (the fault server acts as one).
cat > "$T/proxy.conf" <<EOF
[hark]
database = $T/db/proxy.db
[feed via-proxy]
url = http://feeds.proxied.invalid/news.xml
EOF
: > "$FAULT_LOG"
http_proxy=$U "$HARK" run --once -c "$T/proxy.conf" > /dev/null 2> "$T/proxy.err" || fail "proxy run exited $?"
assert_grep "^http://feeds.proxied.invalid/news.xml	" "$FAULT_LOG" "request went through http_proxy"
"$HARK" feeds -c "$T/proxy.conf" --json > "$T/proxy.json"
assert_eq 2 "$(jq -r '.[0].items_seen' "$T/proxy.json")" "feed read through the proxy"

# The daemon: health alerts and SIGTERM.
cat > "$T/health.conf" <<EOF
[hark]
database = $T/db/health.db
interval = 1s
backoff_max = 1s
broken_after = 2s
timeout = 3s

[feed flaky]
url = $U/flaky.xml
EOF
"$HARK" run -v -c "$T/health.conf" > "$T/health.out" 2> "$T/health.err" &
hark_pid=$!
echo $hark_pid >> "$T/pids"
wait_for grep -q '"state":"broken"' "$T/health.out" || { cat "$T/health.err"; fail "no broken alert"; }
ok "broken source alerted"
touch "$T/faults/healthy"
wait_for grep -q '"state":"recovered"' "$T/health.out" || { cat "$T/health.err"; fail "no recovered alert"; }
ok "recovered source alerted"
assert_eq 1 "$(grep -c '"state":"broken"' "$T/health.out")" "exactly one broken alert"
assert_grep '"feed":"flaky".*"title":"Source broken: flaky".*HTTP 500' "$T/health.out" "broken alert names feed and error"
# A poll is always running or about to: SIGTERM must still end it fast.
kill -TERM $hark_pid
t0=$(date +%s.%N)
for i in $(seq 50); do kill -0 $hark_pid 2>/dev/null || break; sleep 0.1; done
kill -0 $hark_pid 2>/dev/null && fail "hark still running 5 s after SIGTERM"
rc=0; wait $hark_pid || rc=$?
assert_eq 0 "$rc" "hark exits 0 on SIGTERM"
ok "stopped $(echo "$(date +%s.%N) - $t0" | bc | head -c 4)s after SIGTERM"
