#!/bin/bash
# The web page's HTTP side with curl: pages, the JSON API and its filters,
# bad requests, the POST actions, the live stream, escaping of hostile
# feed text, and access control (loopback Host check, the token's 401s).
source "$HARK_SRC/tests/peers/lib.sh"

mkdir -p "$T/feeds"
cp "$HARK_SRC"/etc/demo/feeds/*.xml "$T/feeds/"
# A hostile item: markup that survives as text (escaped twice in the
# XML) in title and summary, a javascript: link.
cat > "$T/feeds/evil.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>evil</title><link>https://evil.example/</link>
<item><title>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; slack "quote" &amp;amp; co</title>
<link>javascript:alert(2)</link><guid>evil-1</guid>
<description>&amp;lt;img src=x onerror=alert(3)&amp;gt; slack</description></item>
</channel></rss>
XML
conf() {  # conf FILE [WEB SECTION LINES...]
	local f=$1; shift
	{
		echo "[hark]"
		echo "database = $T/hark.db"
		if [ $# -gt 0 ]; then echo "[web]"; printf '%s\n' "$@"; fi
		cat <<CONF
[feed acme-forum]
url = file:feeds/acme-forum.xml
tags = support, acme
[feed google-alert-slack]
url = file:feeds/google-alert-slack.xml
tags = news
[feed aws-blog]
url = file:feeds/aws-blog.xml
tags = blogs
[feed evil]
url = file:feeds/evil.xml
[rule acme-refunds]
query = refund OR "on hold" OR "stopped working"
[rule slack-mentions]
query = slack
[rule aws-console]
query = "management console"
CONF
	} > "$f"
}
conf "$T/hark.conf"
"$HARK" run --once -c "$T/hark.conf" > "$T/run.out" 2> "$T/run.err" || fail "hark run --once exited $?"

# serve CONF [ARGS...]: starts `hark serve`, sets BASE.
serve() {
	local conf=$1; shift
	: > "$T/serve.out"
	"$HARK" serve -c "$conf" --listen 127.0.0.1:0 "$@" > "$T/serve.out" 2> "$T/serve.err" &
	echo $! >> "$T/pids"
	SERVE_PID=$!
	wait_for grep -q 'serving http' "$T/serve.out" || { cat "$T/serve.err"; fail "hark serve did not start"; }
	BASE=$(sed -n 's/^hark: serving \(http:.*\)\/$/\1/p' "$T/serve.out")
}
# stop_serve: SIGTERM, a clean exit 0, and no sanitizer report (asan preset).
stop_serve() {
	local rc=0
	kill "$SERVE_PID"
	wait "$SERVE_PID" || rc=$?
	assert_eq 0 "$rc" "hark serve exits 0 on SIGTERM"
	assert_no_grep 'Sanitizer|runtime error' "$T/serve.err" "no sanitizer report"
}
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
json() { "$PY" -c "import json,sys; d=json.load(open('$T/body')); print($1)"; }

serve "$T/hark.conf"
ok "hark serve on $BASE"

# --- Pages ---
assert_eq 200 "$(code "$BASE/")" "stream page 200"
assert_eq 24 "$(grep -o '<li class="hit' "$T/body" | wc -l)" "stream page lists the 24 hits"
assert_grep 'Content-Security-Policy' <(curl -sI "$BASE/") "pages carry a CSP"
assert_eq 200 "$(code "$BASE/charts")" "charts page 200"
assert_eq 3 "$(grep -o '<svg class="chart"' "$T/body" | wc -l)" "one chart per rule"
assert_grep '<a href="/\?rule=slack-mentions&amp;window=custom&amp;since=' "$T/body" "bars link to the stream"
assert_eq 200 "$(code "$BASE/feeds")" "feeds page 200"
assert_eq 4 "$(grep -o '<span class="pill ok">' "$T/body" | wc -l)" "four feeds ok"
assert_eq 200 "$(code "$BASE/static/hark.css")" "stylesheet served"
assert_eq 200 "$(code "$BASE/static/hark.js")" "script served"
assert_eq 404 "$(code "$BASE/nope")" "unknown path 404"
assert_eq 404 "$(code "$BASE/?rule=nope")" "unknown rule on a page 404"
assert_eq 405 "$(code -X DELETE "$BASE/")" "DELETE 405"

# --- Hostile text is escaped, a javascript: link dropped ---
code "$BASE/?tag=" > /dev/null
assert_grep '&lt;script&gt;alert\(1\)&lt;/script&gt; <mark>slack</mark> &quot;quote&quot; &amp;' "$T/body" "markup in a title is escaped"
assert_grep '&lt;img src=x onerror=alert\(3\)&gt; <mark>slack</mark>' "$T/body" "markup in the text is escaped"
assert_no_grep '<script>alert|<img src=x' "$T/body" "no raw markup from a feed"
assert_no_grep 'href="javascript' "$T/body" "javascript: link not linked"

# --- /api/hits ---
assert_eq 200 "$(code "$BASE/api/hits")" "/api/hits 200"
assert_eq 24 "$(json 'd["count"]')" "24 hits"
assert_eq 24 "$(json 'len(d["hits"])')" "24 hit objects"
assert_eq True "$(json 'all(d["hits"][i]["id"] > d["hits"][i+1]["id"] for i in range(23))')" "newest first"
assert_eq "aws-console aws-blog blogs Management Console" \
	"$(json '" ".join([h for h in d["hits"] if h["rule"]=="aws-console"][0][k] for k in ("rule","feed")) + " " + " ".join([h for h in d["hits"] if h["rule"]=="aws-console"][0]["tags"]) + " " + [h for h in d["hits"] if h["rule"]=="aws-console"][0]["matches"][0]["text"]')" \
	"hit has rule, feed, tags and matched terms"
code "$BASE/api/hits?rule=acme-refunds" > /dev/null
assert_eq 2 "$(json 'd["count"]')" "rule filter"
code "$BASE/api/hits?tag=news" > /dev/null
assert_eq "20 {'google-alert-slack'}" "$(json 'str(d["count"]) + " " + str(set(h["feed"] for h in d["hits"]))')" "tag filter"
code "$BASE/api/hits?min=0.1" > /dev/null
n=$(json 'd["count"]')
assert_eq True "$(json 'all(h["sentiment"] is not None and h["sentiment"] >= 0.1 for h in d["hits"]) and 0 < d["count"] < 24')" "min sentiment filter ($n hits)"
code "$BASE/api/hits?max=0.1" > /dev/null
m=$(json 'd["count"]')
assert_eq True "$(json 'all(h["sentiment"] <= 0.1 for h in d["hits"])')" "max sentiment filter ($m hits)"
assert_eq 24 "$((n + m))" "min and max split the hits"
code "$BASE/api/hits?limit=5" > /dev/null
assert_eq 5 "$(json 'd["count"]')" "limit"
before=$(json 'd["hits"][-1]["id"]')
code "$BASE/api/hits?before=$before" > /dev/null
assert_eq True "$(json "all(h['id'] < $before for h in d['hits']) and d['count'] == $((before - 1))")" "paging with before"
code "$BASE/api/hits?window=1h" > /dev/null
assert_eq 24 "$(json 'd["count"]')" "1h window holds the fresh hits"
code "$BASE/api/hits?since=2000-01-01T00:00&until=2000-01-02T00:00" > /dev/null
assert_eq 0 "$(json 'd["count"]')" "custom window in the past is empty"
code "$BASE/api/hits?q=stomping" > /dev/null
assert_eq "1 Latest research shows Microsoft Teams is stomping Slack" "$(json 'str(d["count"]) + " " + d["hits"][0]["title"]')" "full-text search"
code "$BASE/api/hits?q=refund%20OR%20%22on%20hold%22&rule=acme-refunds" > /dev/null
assert_eq 1 "$(json 'd["count"]')" "search with OR and a phrase, and a rule"
assert_eq 400 "$(code "$BASE/api/hits?q=%22unterminated")" "bad search 400"
assert_grep '"error":"bad search query' "$T/body" "and says why"
assert_eq 200 "$(code "$BASE/?q=slack")" "search on the page"
assert_eq 21 "$(grep -o '<li class="hit' "$T/body" | wc -l)" "the page lists the search's hits"
assert_grep 'name="q" placeholder="[^"]*" value="slack"' "$T/body" "the search box keeps the query"
assert_eq 400 "$(code "$BASE/api/hits?min=2")" "min out of range 400"
assert_grep '"error":"bad min' "$T/body" "400 says why"
assert_eq 400 "$(code "$BASE/api/hits?window=soon")" "bad window 400"
assert_eq 400 "$(code "$BASE/api/hits?limit=0")" "bad limit 400"
assert_eq 400 "$(code "$BASE/api/hits?since=yesterday")" "bad since 400"

# --- /api/stats, /api/feeds ---
assert_eq 200 "$(code "$BASE/api/stats")" "/api/stats 200"
assert_eq "hour 3 24" "$(json 'd["bucket"] + " " + str(len(d["rules"])) + " " + str(sum(r["hits"] for r in d["rules"]))')" "stats: hourly, 3 rules, 24 hits"
assert_eq True "$(json 'all(sum(b["hits"] for b in r["buckets"]) == r["hits"] for r in d["rules"]) and all(len(r["buckets"]) in (48, 49) for r in d["rules"])')" "buckets add up, 48 hours"
code "$BASE/api/stats?window=30d&rule=slack-mentions" > /dev/null
assert_eq "day 1 21" "$(json 'd["bucket"] + " " + str(len(d["rules"])) + " " + str(d["rules"][0]["hits"])')" "stats: 30d per day, one rule"
code "$BASE/api/stats?window=90d&bucket=hour" > /dev/null
assert_eq "day 91" "$(json 'd["bucket"] + " " + str(len(d["rules"][0]["buckets"]))')" "no hourly buckets beyond a month"
code "$BASE/api/stats?window=2d&bucket=day" > /dev/null
assert_eq "day" "$(json 'd["bucket"]')" "bucket=day on a short window"
assert_eq 200 "$(code "$BASE/api/feeds")" "/api/feeds 200"
assert_eq "4 ok 200" "$(json 'str(len(d["feeds"])) + " " + d["feeds"][0]["status"] + " " + str(d["feeds"][0]["http_status"])')" "feeds with status"

# --- Actions ---
id=$(curl -s "$BASE/api/hits?limit=1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')
assert_eq 403 "$(code -X POST "$BASE/api/hits/$id/handled")" "POST without X-Hark refused (CSRF)"
assert_eq 200 "$(code -X POST -H 'X-Hark: 1' "$BASE/api/hits/$id/handled")" "mark handled"
assert_eq "$id True" "$(json 'str(d["id"]) + " " + str(d["handled"] is not None)')" "handled time returned"
code "$BASE/api/hits?unhandled=1" > /dev/null
assert_eq 23 "$(json 'd["count"]')" "unhandled filter leaves 23"
code "$BASE/api/hits?limit=1" > /dev/null
assert_eq True "$(json 'd["hits"][0]["handled"] is not None')" "stored as handled"
assert_eq 200 "$(code -X POST -H 'X-Hark: 1' "$BASE/api/hits/$id/handled?undo=1")" "undo"
code "$BASE/api/hits?unhandled=1" > /dev/null
assert_eq 24 "$(json 'd["count"]')" "undo unhandles"
assert_eq 404 "$(code -X POST -H 'X-Hark: 1' "$BASE/api/hits/99999/handled")" "unknown hit 404"
now=$(date +%s)
assert_eq 200 "$(code -X POST -H 'X-Hark: 1' "$BASE/api/rules/slack-mentions/mute?for=2h")" "mute rule"
assert_eq True "$(json "abs(d['muted_until'] - $now - 7200) <= 5")" "muted for 2 h"
code "$BASE/?rule=slack-mentions" > /dev/null
assert_grep 'Muted until' "$T/body" "the page shows the mute"
assert_eq 404 "$(code -X POST -H 'X-Hark: 1' "$BASE/api/rules/nope/mute")" "unknown rule 404"
assert_eq 200 "$(code -X POST -H 'X-Hark: 1' "$BASE/api/rules/slack-mentions/mute?for=0")" "unmute"
assert_eq None "$(json 'd["muted_until"]')" "unmuted"

# --- Live stream ---
curl -s -N --max-time 2 "$BASE/api/events?after=$((id - 3))" > "$T/sse" || true
assert_grep '^retry: 3000$' "$T/sse" "event stream starts with a retry hint"
assert_eq 3 "$(grep -c '^event: hit$' "$T/sse")" "the 3 hits after the given id are sent"
assert_grep "^id: $id\$" "$T/sse" "events carry the hit id"
curl -s -N --max-time 2 -H "Last-Event-ID: $((id - 1))" "$BASE/api/events" > "$T/sse2" || true
assert_eq 1 "$(grep -c '^event: hit$' "$T/sse2")" "Last-Event-ID resumes"
# Polls run concurrently: the rule's hit ids depend on which feed came first.
first=$(curl -s "$BASE/api/hits?rule=acme-refunds" | "$PY" -c 'import json,sys; print(min(h["id"] for h in json.load(sys.stdin)["hits"]))')
curl -s -N --max-time 2 "$BASE/api/events?rule=acme-refunds&after=$first" > "$T/sse3" || true
assert_eq 1 "$(grep -c '^event: hit$' "$T/sse3")" "filters apply to the stream"

# --- Loopback without a token: only localhost names ---
assert_eq 403 "$(code -H 'Host: evil.example:8044' "$BASE/api/hits")" "foreign Host refused (DNS rebinding)"
assert_eq 200 "$(code -H 'Host: localhost:8044' "$BASE/api/hits")" "localhost Host accepted"

# --- SIGHUP re-reads the config: a new rule appears ---
printf '[rule new-rule]\nquery = router\n' >> "$T/hark.conf"
kill -HUP "$SERVE_PID"
wait_for sh -c "curl -s '$BASE/api/stats' | grep -q '\"rule\":\"new-rule\"'" || fail "SIGHUP did not reload"
ok "SIGHUP reloads the config (new rule charted)"
echo 'broken line' >> "$T/hark.conf"
kill -HUP "$SERVE_PID"
sleep 0.3
assert_eq 200 "$(code "$BASE/api/stats")" "a bad config on SIGHUP keeps serving"
assert_grep '"rule":"new-rule"' "$T/body" "with the old config"
assert_grep 'reload failed' "$T/serve.err" "and says so"
stop_serve
conf "$T/hark.conf"

# --- Token ---
conf "$T/token.conf" "token = s3cret-Token"
serve "$T/token.conf"
assert_eq 401 "$(code "$BASE/api/hits")" "no token: 401"
assert_grep '"error":"a valid access token is required"' "$T/body" "401 says why"
assert_eq 401 "$(code "$BASE/")" "no token, page: 401"
assert_grep 'name="token"' "$T/body" "401 page asks for the token"
assert_eq 401 "$(code -X POST -H 'X-Hark: 1' "$BASE/api/hits/1/handled")" "no token, POST: 401"
assert_eq 401 "$(code "$BASE/api/events")" "no token, events: 401"
assert_eq 401 "$(code -H 'Authorization: Bearer wrong' "$BASE/api/hits")" "wrong token: 401"
assert_eq 401 "$(code -H 'Authorization: Bearer s3cret-Toke' "$BASE/api/hits")" "token prefix: 401"
assert_eq 401 "$(code "$BASE/api/hits?token=s3cret-TokenX")" "longer token: 401"
assert_eq 200 "$(code -H 'Authorization: Bearer s3cret-Token' "$BASE/api/hits")" "bearer token: 200"
assert_eq 200 "$(code -H 'Host: anything.example' -H 'Authorization: Bearer s3cret-Token' "$BASE/api/feeds")" "with a token any Host name"
curl -s -D "$T/headers" -o /dev/null "$BASE/?token=s3cret-Token"
assert_grep '^Set-Cookie: hark_token=s3cret-Token; Path=/; HttpOnly; SameSite=Strict' "$T/headers" "?token= sets the cookie"
assert_eq 200 "$(code -b 'hark_token=s3cret-Token' "$BASE/api/hits")" "cookie: 200"
assert_eq 401 "$(code -b 'hark_token=nope' "$BASE/api/hits")" "bad cookie: 401"
assert_eq 200 "$(code "$BASE/static/hark.css")" "the stylesheet needs no token"
# SIGTERM with a live stream open: the stream ends, the server exits.
curl -s -N -H 'Authorization: Bearer s3cret-Token' "$BASE/api/events" > "$T/open-sse" &
echo $! >> "$T/pids"
wait_for grep -q '^retry:' "$T/open-sse" || fail "live stream did not open"
t0=$(date +%s%N)
stop_serve
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 3000 ] || fail "stopping with an open live stream took $ms ms"
ok "stops in $ms ms with a live stream open"

# --- Beyond loopback ---
set +e
"$HARK" serve -c "$T/hark.conf" --listen 0.0.0.0:0 > "$T/wide.out" 2> "$T/wide.err"
rc=$?
set -e
assert_eq 1 "$rc" "0.0.0.0 without a token exits 1"
assert_grep 'needs an access token' "$T/wide.err" "and says why"
conf "$T/wide.conf" "listen = 0.0.0.0:8044"
set +e
"$HARK" check -c "$T/wide.conf" > /dev/null 2> "$T/check.err"
rc=$?
set -e
assert_eq 1 "$rc" "hark check refuses [web] listen beyond loopback without a token"
assert_grep "^$T/wide.conf:4:10: error: listening beyond loopback \(0.0.0.0:8044\) needs an access token" "$T/check.err" "with file:line:col"
conf "$T/badaddr.conf" "listen = 127.0.0.1"
set +e
"$HARK" check -c "$T/badaddr.conf" > /dev/null 2> "$T/check2.err"
set -e
assert_grep "badaddr.conf:4:10: error: bad listen address '127.0.0.1'" "$T/check2.err" "malformed listen address reported"
conf "$T/wide-token.conf" "listen = 0.0.0.0:8044" "token = s3cret-Token"
"$HARK" check -c "$T/wide-token.conf" > /dev/null || fail "a token makes 0.0.0.0 acceptable"
ok "hark check accepts 0.0.0.0 with a token"
"$HARK" serve -c "$T/wide-token.conf" --listen 0.0.0.0:0 > "$T/serve.out" 2> "$T/serve.err" &
echo $! >> "$T/pids"
SERVE_PID=$!
wait_for grep -q 'serving http' "$T/serve.out" || fail "serve on 0.0.0.0 did not start"
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$T/serve.out")
assert_eq 401 "$(code "http://127.0.0.1:$port/api/hits")" "0.0.0.0 with a token: 401 without it"
assert_eq 200 "$(code -H 'Authorization: Bearer s3cret-Token' "http://127.0.0.1:$port/api/hits")" "and 200 with it"
stop_serve
