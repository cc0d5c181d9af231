#!/bin/bash
# Webhooks against a real HTTP receiver on loopback: signatures, fault
# injection (500, 404, 301, 429 + Retry-After, a hang past the timeout,
# refused connections while the receiver is down), recovery, exactly-once
# per delivery id, per-rule order, dead-letter and `hark outbox retry`.
source "$HARK_SRC/tests/peers/lib.sh"

R="$T/receiver"
SECRET='s3cr3t-Hark-test-7f1e'
printf '%s\n' "$SECRET" > "$T/hook.secret"
peer_webhook_start "$R" "$SECRET"

write_feed "$T/feed.xml" 1 12
conf="$T/hark.conf"
cat > "$conf" <<CONF
[hark]
database = $T/hark.db
interval = 1s

[feed f]
url = file://$T/feed.xml

[rule alpha]
query = alpha
alert = team

[rule beta]
query = beta
alert = team

[rule gamma]
query = "post 3 about"
alert = nowhere

[webhook team]
url = http://127.0.0.1:$WEBHOOK_PORT/hook
secret_file = hook.secret
timeout = 2s
retry_base = 1s
retry_max = 2s
headers = X-Team: support

[webhook nowhere]
url = http://127.0.0.1:1/closed
retry_base = 1s
retry_max = 1s
max_attempts = 2
CONF

accepted() { [ -f "$R/accepted.jsonl" ] && wc -l < "$R/accepted.jsonl" || echo 0; }

# 1. Everything up: run --once sends all twelve, signed.
"$HARK" run --once -c "$conf" > "$T/run1.out" 2> "$T/run1.err" || fail "run --once exited $?"
assert_eq 12 "$(accepted)" "run --once delivered all 12 alerts before exiting"
n=$("$PY" - "$R/accepted.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in recs if not r["sig_ok"] or r["body_id"] != r["delivery"]
       or not r["user_agent"].startswith("hark/") or r["extra"] != "support"]
print(len(bad))
PY
)
assert_eq 0 "$n" "signatures verify; X-Hark-Delivery equals the body's delivery_id; User-Agent and extra header set"
assert_no_grep "$SECRET" "$T/run1.err" "the secret is not in the log"

# A request with a wrong signature is refused by the receiver (the test
# can fail): checks the receiver really verifies.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Hark-Timestamp: 1' \
	-H 'X-Hark-Signature: sha256=00' -d '{}' "http://127.0.0.1:$WEBHOOK_PORT/hook")
assert_eq 401 "$code" "the receiver rejects a bad signature"

# 2. Faults on the next batch, with the daemon running.
write_feed "$T/feed.xml" 1 24
printf '500\n500\n429 3\n404\n301\nhang 4\n' > "$R/faults"
"$HARK" run -c "$conf" > "$T/daemon.out" 2> "$T/daemon.err" &
echo $! >> "$T/pids"
DAEMON=$!
for i in $(seq 600); do [ "$(accepted)" -ge 24 ] && break; sleep 0.1; done
assert_eq 24 "$(accepted)" "all 24 delivered after 500, 500, 429, 404, 301 and a hang"
[ ! -s "$R/faults" ] || fail "not every fault was used: $(cat "$R/faults")"
ok "every injected fault was hit"

# Retry-After: 3 s between the 429 and the next request.
gap=$("$PY" - "$R/requests.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
i = next(i for i, r in enumerate(recs) if r["status"] == 429)
nxt = [r for r in recs[i + 1:] if r["delivery"] == recs[i]["delivery"]]
# and nothing of the same rule went out in between (per-rule order)
between = [r for r in recs[i + 1:] if r["rule"] == recs[i]["rule"] and r["t"] < nxt[0]["t"]]
print(int(nxt[0]["t"] - recs[i]["t"] >= 2.9), len(between) == 0)
PY
)
assert_eq "1 True" "$gap" "Retry-After: 3 honoured, nothing of that rule overtook the delivery"
assert_grep '"status": 404' "$R/requests.jsonl" "a 404 was answered"
n=$("$PY" - "$R/requests.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
# After a 404 or a 301 the same delivery id must come again: not "sent".
bad = 0
for i, r in enumerate(recs):
    if r["status"] in (301, 404):
        later = [x for x in recs[i + 1:] if x["delivery"] == r["delivery"]]
        bad += not later
print(bad)
PY
)
assert_eq 0 "$n" "404 and 301 count as failures and are retried"

# 3. Receiver down: connections refused, the outbox fills, then drains.
peer_webhook_stop
write_feed "$T/feed.xml" 1 36
for i in $(seq 100); do
	"$HARK" outbox -c "$conf" --json > "$T/outbox.json" 2>/dev/null || true
	grep -qE '"state":"pending".*"channel":"team".*"last_error":"webhook team: [^"]*connect' "$T/outbox.json" && break
	sleep 0.1
done
assert_grep '"state":"pending".*"channel":"team".*"last_error":"webhook team: [^"]*connect' "$T/outbox.json" "pending deliveries listed while the receiver is down, with the connection error"
sleep 3
peer_webhook_start "$R" "$SECRET" "$WEBHOOK_PORT"
for i in $(seq 600); do [ "$(accepted)" -ge 36 ] && break; sleep 0.1; done
assert_eq 36 "$(accepted)" "all 36 delivered after the outage"

out=$("$PY" - "$R/accepted.jsonl" <<'PY'
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ids = collections.Counter(r["delivery"] for r in recs)
dups = sum(1 for c in ids.values() if c > 1)
order = collections.defaultdict(list)
for r in recs:
    order[r["rule"]].append(r["title"])
ordered = all(v == sorted(v) for v in order.values())
print(dups, len(ids), ordered, len(order["alpha"]), len(order["beta"]))
PY
)
assert_eq "0 36 True 18 18" "$out" "exactly once per delivery id, in order per rule"

# The dead-end channel gave up after 2 attempts: dead-letter.
for i in $(seq 100); do
	"$HARK" outbox -c "$conf" > "$T/outbox.txt" 2>&1 || true
	grep -q '0 pending, 1 dead' "$T/outbox.txt" && break
	sleep 0.1
done
assert_grep '^0 pending, 1 dead$' "$T/outbox.txt" "team drained to zero; the closed port's delivery is dead"
assert_grep 'dead .*nowhere .*gamma' "$T/outbox.txt" "the dead delivery is listed"
assert_grep 'last error: webhook nowhere: .*(connect|refused)' "$T/outbox.txt" "with its last error"
kill -TERM "$DAEMON"
for i in $(seq 50); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.1; done
kill -0 "$DAEMON" 2>/dev/null && fail "daemon did not stop on SIGTERM"
ok "daemon stopped on SIGTERM"

"$HARK" outbox -c "$conf" retry --all > "$T/retry.out"
assert_grep '^re-queued 1 delivery$' "$T/retry.out" "hark outbox retry --all re-queues the dead one"
"$HARK" outbox -c "$conf" --json > "$T/outbox2.json"
assert_grep '"state":"pending".*"attempts":0' "$T/outbox2.json" "it is pending again with fresh attempts"
id=$(grep -o '"id":"[^"]*"' "$T/outbox2.json" | head -1 | cut -d'"' -f4)
"$HARK" outbox -c "$conf" retry "$id" > "$T/retry2.out"
assert_grep '^re-queued 1 delivery$' "$T/retry2.out" "hark outbox retry ID"
! "$HARK" outbox -c "$conf" retry no-such-id 2> "$T/retry3.err" || fail "retry of an unknown id succeeded"
assert_grep 'no pending or dead delivery' "$T/retry3.err" "an unknown id is an error"
assert_no_grep "$SECRET" "$T/daemon.err" "the secret is not in the daemon's log"

# An outage longer than the caps: the dead-lettered delivery, re-queued
# once its receiver exists, is delivered exactly once and the outbox
# drains to zero.
sed -i "s|^url = http://127.0.0.1:1/closed$|url = http://127.0.0.1:$WEBHOOK_PORT/hook\nsecret = $SECRET|" "$conf"
"$HARK" run --once -c "$conf" > "$T/run4.out" 2> "$T/run4.err" || fail "run 4 exited $?"
"$HARK" outbox -c "$conf" > "$T/outbox4.txt"
assert_grep '^0 pending, 0 dead$' "$T/outbox4.txt" "the outbox drained to zero"
out=$("$PY" - "$R/accepted.jsonl" <<'PY'
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ids = collections.Counter(r["delivery"] for r in recs)
print(len(recs), len(ids), sum(1 for r in recs if r["rule"] == "gamma"))
PY
)
assert_eq "37 37 1" "$out" "37 deliveries, 37 distinct ids, the re-queued one among them"

# hark check never shows a secret, even pointing at its line.
printf '[webhook bad]\nurl = ftp://x\nsecret = %s\nsecret = %s\n' "$SECRET" "$SECRET" > "$T/bad.conf"
! "$HARK" check -c "$T/bad.conf" > "$T/check.out" 2>&1 || fail "a bad config passed hark check"
assert_grep "duplicate key 'secret'" "$T/check.out" "hark check reports the duplicate secret line"
assert_no_grep "$SECRET" "$T/check.out" "hark check masks the secret"
