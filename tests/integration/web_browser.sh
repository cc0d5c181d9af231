#!/bin/bash
# The web page in a real browser: `hark run` with [web] serves the demo
# feeds (file:// copies, polled every second); headless Chromium, driven
# over the DevTools protocol by web_browser.py, checks the stream (live
# update when a matching item is appended to a feed), "mark handled",
# "mute rule", the charts (click a bar) and the feeds page, and saves
# screenshots under $HARK_BUILD/web-screenshots/.
source "$HARK_SRC/tests/peers/lib.sh"

command -v chromium >/dev/null || fail "chromium is not installed (scripts/setup-deps.sh)"
"$PY" -c 'import websocket' 2>/dev/null ||
	fail "python3-websocket is not installed (scripts/setup-deps.sh)"

mkdir -p "$T/feeds"
cp "$HARK_SRC"/etc/demo/feeds/*.xml "$HARK_SRC/etc/demo/feeds/SOURCE.txt" "$T/feeds/"
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$T/hark.conf" <<CONF
[hark]
database = $T/hark.db
interval = 1s

[web]
listen = 127.0.0.1:$port

[feed acme-forum]
url = file:feeds/acme-forum.xml
tags = support, acme

[feed google-alert-slack]
url = file:feeds/google-alert-slack.xml
tags = news

[feed aws-blog]
url = file:feeds/aws-blog.xml
tags = blogs

[rule acme-refunds]
query = refund OR "on hold" OR "stopped working"
alert = stdout

[rule slack-mentions]
query = slack
alert = stdout

[rule aws-console]
query = "management console"
alert = stdout
CONF

"$HARK" run -v -c "$T/hark.conf" > "$T/run.out" 2> "$T/run.err" &
run_pid=$!
echo $run_pid >> "$T/pids"
base="http://127.0.0.1:$port"
wait_for curl -sf "$base/api/feeds" || { cat "$T/run.err"; fail "the page did not come up"; }
# Wait for the first polls to store their hits.
wait_for sh -c "curl -sf '$base/api/hits' | grep -q '\"count\":2[0-9]'" ||
	fail "no hits after the first polls: $(curl -s "$base/api/hits" | head -c 300)"
ok "hark run serves the page on $base"

shots="$HARK_BUILD/web-screenshots"
"$PY" "$HARK_SRC/tests/integration/web_browser.py" "$base" "$T/feeds/acme-forum.xml" "$shots"
for f in stream stream-handled charts feeds stream-phone charts-phone; do
	[ -s "$shots/$f.png" ] || fail "no screenshot $f.png"
done
ok "six screenshots saved in $shots"

# The daemon, page and live streams included, stops cleanly.
kill "$run_pid"
rc=0
wait "$run_pid" || rc=$?
assert_eq 0 "$rc" "hark run exits 0 on SIGTERM with the page served"
assert_no_grep 'Sanitizer|runtime error' "$T/run.err" "no sanitizer report"
