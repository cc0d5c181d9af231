#!/bin/bash
# A forum page without a feed, polled through [feed] xpath_* selectors.
source "$HARK_SRC/tests/peers/lib.sh"

page="$HARK_SRC/tests/data/forum/thread-list.html"
cat > "$T/hark.conf" <<CONF
[hark]
database = $T/hark.db

[feed acme-routers]
url = file://$page
xpath_item = //tr[contains(@class,'topic-row')]
xpath_title = .//a[contains(@class,'topic-title')]
xpath_link = .//a[contains(@class,'topic-title')]
xpath_body = .//div[@class='excerpt']
xpath_author = .//td[@class='author']
xpath_date = .//td[@class='when']/*

[rule refunds]
query = refund
alert = stdout
CONF
"$HARK" check -c "$T/hark.conf" > /dev/null || fail "hark check refused the xpath feed"
ok "hark check accepts xpath_* keys"
"$HARK" run --once -c "$T/hark.conf" > "$T/run1.out" 2> "$T/run1.err" || fail "run exited $?"
assert_grep '"title":"AX3000 drops WiFi every night – refund\?"' "$T/run1.out" "forum post alerted with its title"
assert_grep '"author":"jdoe"' "$T/run1.out" "author from its selector"
assert_grep '"published":"2024-03-18T21:41:07Z"' "$T/run1.out" "date from its selector, in UTC"
"$HARK" run --once -c "$T/hark.conf" > "$T/run2.out" 2>/dev/null || fail "second run exited $?"
[ ! -s "$T/run2.out" ] || fail "the same page alerted twice"
ok "the same posts do not alert again"

# A broken selector is a config error with its position.
sed -e "s|^xpath_title = .*|xpath_title = .//a[@class='x'|" "$T/hark.conf" > "$T/bad.conf"
set +e
"$HARK" check -c "$T/bad.conf" 2> "$T/bad.err"; rc=$?
set -e
assert_eq 1 "$rc" "bad XPath exits 1"
assert_grep "bad.conf:7:15: error: './/a\[@class='x'' is not a valid XPath expression" "$T/bad.err" "bad XPath named with line and column"
printf '[feed x]\nurl = file:///tmp/x.html\nxpath_title = .//a\n' > "$T/noitem.conf"
set +e
"$HARK" check -c "$T/noitem.conf" 2> "$T/noitem.err"; rc=$?
set -e
assert_eq 1 "$rc" "selectors without xpath_item exit 1"
assert_grep 'has XPath selectors but no xpath_item' "$T/noitem.err" "missing xpath_item explained"
