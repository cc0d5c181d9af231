#!/bin/bash
# hark parse URL: fetched over HTTP from a real nginx on loopback.
source "$HARK_SRC/tests/peers/lib.sh"
source "$HARK_SRC/tests/peers/feeds.sh"

peer_nginx_start "$HARK_SRC/etc/demo/feeds"
"$HARK" parse "$NGINX_URL/acme-forum.xml" > "$T/url.jsonl" || fail "parse URL exited $?"
"$HARK" parse "$HARK_SRC/etc/demo/feeds/acme-forum.xml" > "$T/file.jsonl"
cmp -s "$T/url.jsonl" "$T/file.jsonl" || { diff "$T/url.jsonl" "$T/file.jsonl"; fail "URL and file output differ"; }
ok "parse URL gives the same JSON Lines as the file"
assert_eq 5 "$(wc -l < "$T/url.jsonl")" "feed line and four items"

set +e
"$HARK" parse "$NGINX_URL/nope.xml" > /dev/null 2> "$T/err"; rc=$?
"$HARK" parse "http://127.0.0.1:1/feed.xml" > /dev/null 2> "$T/err2"; rc2=$?
set -e
assert_eq 2 "$rc" "HTTP 404 is a runtime failure"
assert_grep 'HTTP 404' "$T/err" "404 reported"
assert_eq 2 "$rc2" "refused connection is a runtime failure"
assert_grep '127.0.0.1:1/feed.xml: ' "$T/err2" "connection error names the URL"

# "&amp;" inside an attribute (an Atom link href) is "&" in the output, not
# libxml2's internal "&#38;".
"$HARK" parse "$HARK_SRC/etc/demo/feeds/google-alert-slack.xml" > "$T/ga.jsonl"
assert_no_grep '&#38;' "$T/ga.jsonl" "no &#38; left in attribute values"
assert_grep '"link":"https://www.google.com/url\?rct=j&sa=t&url=https://investorplace.com/' "$T/ga.jsonl" "href with &amp; decoded"
