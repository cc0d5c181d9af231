#!/bin/bash
# Anti-fatigue and the exec channel: digest windows, rate limits, quiet
# hours (webhooks/exec held or sent per setting), spike alerts, and exec
# failures retried with their exit status as the error.
source "$HARK_SRC/tests/peers/lib.sh"

items() {  # items WORD COUNT: COUNT items mentioning WORD
	local i
	for i in $(seq "$2"); do
		printf '<item><title>%s %d</title><link>https://example.test/%s/%d</link><guid>%s-%d</guid><description>text %s %d</description></item>\n' "$1" "$i" "$1" "$i" "$1" "$i" "$1" "$i"
	done
}
{
	echo '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://example.test/</link>'
	items digword 5; items rlword 5; items quietword 2; items loudword 2
	items spikeword 5; items failword 1
	echo '</channel></rss>'
} > "$T/feed.xml"

# Quiet hours around now, in UTC.
h=$(date -u +%H)
qs=$(printf '%02d:00' $(( (10#$h + 23) % 24 )))
qe=$(printf '%02d:00' $(( (10#$h + 2) % 24 )))
conf="$T/hark.conf"
cat > "$conf" <<CONF
[hark]
database = $T/hark.db

[feed f]
url = file://$T/feed.xml

[rule dig]
query = digword
alert = sink
digest = 10s

[rule rl]
query = rlword
alert = stdout
rate_limit = 2/1h

[rule quiet]
query = quietword
alert = sink
quiet_hours = $qs-$qe UTC
quiet_hours_webhooks = hold

[rule loud]
query = loudword
alert = sink
quiet_hours = $qs-$qe UTC
quiet_hours_webhooks = send

[rule spike]
query = spikeword
alert = sink
spike_k = 2
spike_min = 3

[rule failing]
query = failword
alert = broken, closer

[exec sink]
command = cat >> "$T/exec.out"; echo "\$HARK_DELIVERY_ID \$HARK_RULE \$HARK_KIND" >> "$T/exec.env"

[exec broken]
command = cat > /dev/null; echo "disk full" >&2; exit 3
retry_base = 1h

# Never reads its stdin: its exit status decides, hark is not killed.
[exec closer]
command = echo closed >> "$T/closer.out"
CONF

"$HARK" check -c "$conf" > "$T/check.out" || { cat "$T/check.out"; fail "check"; }
# Digest windows are aligned to multiples of their length since the epoch:
# start run 1 just after a 10 s boundary, so that it ends well inside the
# window its hits fall in however loaded the machine is.
while [ $(( $(date +%s) % 10 )) -ne 0 ]; do sleep 0.1; done
run1_start=$(date +%s)
"$HARK" run --once -c "$conf" > "$T/run1.out" 2> "$T/run1.err" || fail "run 1 exited $?"
[ $(( $(date +%s) - run1_start )) -lt 9 ] || fail "run 1 took longer than the digest window"

# Rate limit: two of five on stdout, three suppressed but kept.
assert_eq 2 "$(grep -c '"rule":"rl"' "$T/run1.out")" "rate_limit = 2/1h lets two alerts through"
"$HARK" outbox -c "$conf" --all --json > "$T/all1.json"
assert_eq 3 "$(grep -c '"state":"suppressed".*"rule":"rl".*"rate limited"' "$T/all1.json")" "the other three are suppressed, not lost"

# exec: each alert on stdin as JSON with its delivery id, env set.
assert_eq 2 "$(grep -c '"rule":"loud"' "$T/exec.out")" "quiet_hours_webhooks = send: sent during quiet hours"
assert_no_grep '"rule":"quiet"' "$T/exec.out" "quiet_hours_webhooks = hold: held during quiet hours"
assert_eq 2 "$(grep -c '"state":"pending".*"rule":"quiet"' "$T/all1.json")" "held alerts stay pending"
end=$("$PY" -c "import json,sys; print(max(json.loads(l)['next_attempt'] for l in open(sys.argv[1]) if '\"rule\":\"quiet\"' in l))" "$T/all1.json")
want=$(date -u -d "$(date -u +%F) $qe" +%s)
[ "$want" -gt "$(date +%s)" ] || want=$(( want + 86400 ))
assert_eq "$want" "$end" "held until the end of the quiet hours"
id=$(grep '"rule":"loud"' "$T/exec.out" | head -1 | grep -o '"delivery_id":"[^"]*"' | cut -d'"' -f4)
assert_grep "^$id loud alert$" "$T/exec.env" "exec gets HARK_DELIVERY_ID, HARK_RULE and HARK_KIND"

# Spike: five hits in the hour against an empty week.
assert_eq 1 "$(grep -c '"kind":"spike","rule":"spike"' "$T/exec.out")" "one spike alert"
assert_grep '"kind":"spike","rule":"spike".*"count":5' "$T/exec.out" "the spike counts the hour's hits"
assert_eq 5 "$(grep -c '"kind":"alert","rule":"spike"' "$T/exec.out")" "the spike rule's own alerts still go out"

# Digest: held for the 10 s window, then one message with all five.
assert_no_grep '"rule":"dig"' "$T/exec.out" "digest alerts are held for their window"
# exec failure: exit status and stderr in the error, retried later.
assert_grep '"state":"pending".*"rule":"failing".*"attempts":1.*"last_error":"exec broken: exit status 3: disk full"' "$T/all1.json" "a failing command is retried, its status and stderr recorded"
assert_grep '"state":"sent".*"channel":"closer".*"rule":"failing"' "$T/all1.json" "a command that ignores its stdin and exits 0 succeeded"
assert_grep '^closed$' "$T/closer.out" "and it ran"
while [ "$(date +%s)" -le $(( run1_start + 10 )) ]; do sleep 0.2; done
"$HARK" run --once -c "$conf" > "$T/run2.out" 2> "$T/run2.err" || fail "run 2 exited $?"
assert_eq 1 "$(grep -c '"kind":"digest","rule":"dig","count":5' "$T/exec.out")" "one digest of five after the window"
n=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("kind") == "digest":
        print(" ".join(a["item"]["title"] for a in d["alerts"]))' "$T/exec.out")
assert_eq "digword 1 digword 2 digword 3 digword 4 digword 5" "$n" "the digest lists the alerts in order"
"$HARK" outbox -c "$conf" --all --json > "$T/all2.json"
assert_eq 5 "$(grep -c '"state":"merged".*"rule":"dig"' "$T/all2.json")" "the five are marked merged"
assert_eq 1 "$(grep -c '"kind":"spike","rule":"spike"' "$T/exec.out")" "no second spike alert in the same hour"
