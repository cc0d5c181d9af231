#!/bin/bash
# Polling real feeds from a real nginx on 127.0.0.1 (ETag, Last-Modified,
# gzip): first poll 200 and parsed, second poll 304 and not parsed, every
# Nth poll unconditional; then the daemon: connection reuse, SIGHUP reload
# (a feed added is polled, the others keep their state, a bad config is
# refused) and SIGTERM; HTTPS with HTTP/2, and the TLS verification
# opt-out.
source "$HARK_SRC/tests/peers/lib.sh"
source "$HARK_SRC/tests/peers/feeds.sh"

src="$HARK_SRC/tests/data/feeds/feedjira/spec/sample_feeds"
mkdir -p "$T/www"
cp "$src/AmazonWebServicesBlog.xml" "$T/www/aws.xml"
cp "$src/TenderLovemaking.xml" "$T/www/tender.xml"
cp "$src/pet_atom.xml" "$T/www/pet.xml"
cp "$src/json_feed.json" "$T/www/json.json"
peer_nginx_start "$T/www"
U=$NGINX_URL

write_conf() {
	{
		cat <<EOF
[hark]
database = $T/db/nginx.db
interval = 1h
unconditional_every = 3
max_per_host = 2
EOF
		for f in "$@"; do printf '[feed %s]\nurl = %s\n' "${f%%.*}" "$U/$f"; done
		printf '[rule anything]\nquery = the\nalert = console\n'
	} > "$T/hark.conf"
}
write_conf aws.xml tender.xml pet.xml
conf="$T/hark.conf"
field() { "$HARK" feeds -c "$conf" --json | jq -r --arg n "$1" ".[] | select(.name == \$n) | .$2"; }

"$HARK" run --once -v -c "$conf" > "$T/run1.out" 2> "$T/run1.err" || fail "first run exited $?"
for f in aws tender pet; do
	assert_grep "^200 /$f.xml [0-9]+ [0-9.]+ HTTP/1.1$" "$NGINX_LOG" "$f: 200 from nginx, gzip-compressed"
	assert_grep "feed $f: HTTP 200 \(unconditional\), [0-9]+ items" "$T/run1.err" "$f: parsed"
	assert_eq 200 "$(field $f http_status)" "$f: status 200 recorded"
done
aws_items=$(field aws items_seen)
[ "$aws_items" -gt 5 ] || fail "aws: only $aws_items items"

: > "$NGINX_LOG"
"$HARK" run --once -v -c "$conf" > "$T/run2.out" 2> "$T/run2.err" || fail "second run exited $?"
for f in aws tender pet; do
	assert_grep "^304 /$f.xml " "$NGINX_LOG" "$f: 304 from nginx"
	assert_grep "feed $f: not modified" "$T/run2.err" "$f: not modified"
	assert_eq 304 "$(field $f http_status)" "$f: status 304 recorded"
done
assert_no_grep "HTTP 200" "$T/run2.err" "second run parsed nothing"
assert_eq "$aws_items" "$(field aws items_seen)" "items unchanged after 304"
[ ! -s "$T/run2.out" ] || fail "a 304 poll alerted"

# unconditional_every = 3: polls 2 and 3 conditional, poll 4 not.
: > "$NGINX_LOG"
"$HARK" run --once -v -c "$conf" > /dev/null 2> "$T/run3.err"
assert_eq 3 "$(grep -c '^304 ' "$NGINX_LOG")" "third run: conditional (304)"
: > "$NGINX_LOG"
"$HARK" run --once -v -c "$conf" > /dev/null 2> "$T/run4.err"
assert_eq 3 "$(grep -c '^200 ' "$NGINX_LOG")" "fourth run: unconditional (200)"
assert_grep "feed aws: HTTP 200 \(unconditional\)" "$T/run4.err" "unconditional poll logged"
assert_eq "$aws_items" "$(field aws items_seen)" "unconditional re-read found no new items"

# The daemon: nothing is due (1 h interval), so it must sleep.  A reload
# adding the json feed polls that one only.
aws_next=$(field aws next_poll)
: > "$NGINX_LOG"
"$HARK" run -v -c "$conf" > "$T/daemon.out" 2> "$T/daemon.err" &
hark_pid=$!
echo $hark_pid >> "$T/pids"
wait_for grep -q "running: 3 feeds" "$T/daemon.err" || fail "daemon did not start"
sleep 1
[ ! -s "$NGINX_LOG" ] || { cat "$NGINX_LOG"; fail "daemon polled feeds that are not due"; }
ok "daemon polls nothing before it is due"
write_conf aws.xml tender.xml pet.xml json.json
kill -HUP $hark_pid
wait_for grep -q "reloaded .*: 4 feeds" "$T/daemon.err" || { cat "$T/daemon.err"; fail "no reload"; }
wait_for grep -q "^200 /json.json" "$NGINX_LOG" || fail "added feed not polled"
sleep 0.5
assert_eq 1 "$(wc -l < "$NGINX_LOG")" "only the added feed was polled"
assert_eq "$aws_next" "$(field aws next_poll)" "aws: schedule unchanged by the reload"
ok "existing feeds kept their state across the reload"

echo '[feed broken' >> "$T/hark.conf"
kill -HUP $hark_pid
wait_for grep -q "reload failed; keeping the running config" "$T/daemon.err" || fail "bad config not reported"
kill -0 $hark_pid || fail "daemon died on a bad config"
ok "bad config on reload reported, old one kept"

kill -TERM $hark_pid
for i in $(seq 50); do kill -0 $hark_pid 2>/dev/null || break; sleep 0.1; done
kill -0 $hark_pid 2>/dev/null && fail "still running 5 s after SIGTERM"
rc=0; wait $hark_pid || rc=$?
assert_eq 0 "$rc" "clean exit on SIGTERM"

# Connection reuse: many feeds, two connections, keep-alive.
mkdir -p "$T/many"
for i in $(seq 40); do cp "$T/www/pet.xml" "$T/many/f$i.xml"; done
cp "$T/many"/* "$NGINX_DIR/feeds/"
chmod -R a+rX "$NGINX_DIR/feeds"
{
	printf '[hark]\ndatabase = %s\nmax_per_host = 2\n' "$T/db/many.db"
	for i in $(seq 40); do printf '[feed f%d]\nurl = %s/f%d.xml\n' $i "$U" $i; done
} > "$T/many.conf"
: > "$NGINX_LOG"
"$HARK" run --once -c "$T/many.conf" > /dev/null 2> "$T/many.err" || fail "many: exited $?"
assert_eq 40 "$(grep -c '^200 /f' "$NGINX_LOG")" "40 feeds fetched"
maxreq=$(awk '{print $3}' "$NGINX_LOG" | sort -n | tail -1)
[ "$maxreq" -ge 15 ] || fail "connections not reused (at most $maxreq requests per connection)"
ok "keep-alive: up to $maxreq requests on one connection"

# HTTPS: HTTP/2 when offered; a self-signed certificate fails unless the
# feed opts out of verification, which warns.
cat > "$T/tls.conf" <<EOF
[hark]
database = $T/db/tls.db
[feed tls-off]
url = $NGINX_TLS_URL/aws.xml
tls_verify = no
[feed tls-on]
url = $NGINX_TLS_URL/pet.xml
EOF
: > "$NGINX_LOG"
"$HARK" run --once -v -c "$T/tls.conf" > /dev/null 2> "$T/tls.err" || fail "tls run exited $?"
assert_grep "feed tls-off: TLS certificate verification is off" "$T/tls.err" "opt-out warns"
assert_no_grep "feed tls-on: TLS certificate verification is off" "$T/tls.err" "no warning for the verifying feed"
assert_grep "^200 /aws.xml [0-9]+ [0-9.-]+ HTTP/2.0$" "$NGINX_LOG" "HTTP/2 over TLS"
"$HARK" feeds -c "$T/tls.conf" --json > "$T/tls.json"
assert_eq ok "$(jq -r '.[] | select(.name == "tls-off") | .status' "$T/tls.json")" "opted-out feed polled"
err=$(jq -r '.[] | select(.name == "tls-on") | .last_error' "$T/tls.json")
[[ "$err" =~ ^SSL\ certificate\ problem:\ self-signed\ certificate ]] || fail "tls-on: error '$err'"
ok "verifying feed refused the self-signed certificate: $err"
