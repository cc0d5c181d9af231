#!/bin/bash
# One scenario per duplicate pattern publishers produce (issue 7): each
# feed is a local file rewritten between `hark run --once` polls, and the
# alerts are counted on stdout (one JSON line per delivery).
source "$HARK_SRC/tests/peers/lib.sh"

# rss FILE ITEM... : writes an RSS 2.0 feed; each ITEM is
# "guid|link|title|text" (empty guid: no <guid>; guid "~x": isPermaLink=false).
rss() {
	local file=$1 it guid link title text
	shift
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<rss version="2.0"><channel><title>t</title><link>https://example.com/</link>'
		for it in "$@"; do
			IFS='|' read -r guid link title text <<<"$it"
			echo "<item><title>$title</title><link>$link</link>"
			if [ -n "$guid" ]; then
				if [ "${guid:0:1}" = "~" ]; then
					echo "<guid isPermaLink=\"false\">${guid:1}</guid>"
				else
					echo "<guid isPermaLink=\"false\">$guid</guid>"
				fi
			fi
			echo "<description>$text</description></item>"
		done
		echo '</channel></rss>'
	} > "$file"
}

# conf DIR EXTRA_RULE_LINES FEED... : a config in DIR with rule "acme"
# (query acme, alert stdout) and one [feed NAME] per FEED.
conf() {
	local dir=$1 extra=$2 f
	shift 2
	mkdir -p "$dir"
	{
		echo "[hark]"
		echo "database = $dir/hark.db"
		echo "[rule acme]"
		echo "query = acme"
		echo "alert = stdout"
		[ -z "$extra" ] || echo "$extra"
		for f in "$@"; do
			echo "[feed $f]"
			echo "url = file://$dir/$f.xml"
		done
	} > "$dir/hark.conf"
}

# poll DIR N : runs hark once; sets ALERTS to the number of alerts and
# keeps stdout in DIR/out.N and stderr in DIR/err.N.
poll() {
	"$HARK" run --once -v -c "$1/hark.conf" > "$1/out.$2" 2> "$1/err.$2" ||
		fail "hark run exited $? (see $1/err.$2)"
	ALERTS=$(grep -c '"delivery_id"' "$1/out.$2" || true)
}

body() { echo "Acme story number $1: the Acme router firmware $1 update changed how the mesh network reconnects after an outage, and several readers wrote in about it."; }

# 1. Rotating guids: the feed regenerates every guid on each fetch.
d=$T/rotating
conf "$d" ""  rot
rss "$d/rot.xml" "a1|https://blog.example/p/1|Acme one|$(body 1)" \
	"a2|https://blog.example/p/2|Acme two|$(body 2)" \
	"a3|https://blog.example/p/3|Acme three|$(body 3)"
poll "$d" 1; assert_eq 3 "$ALERTS" "rotating guids: first poll alerts every item"
rss "$d/rot.xml" "b1|https://blog.example/p/1|Acme one|$(body 1)" \
	"b2|https://blog.example/p/2|Acme two|$(body 2)" \
	"b3|https://blog.example/p/3|Acme three|$(body 3)" \
	"b4|https://blog.example/p/4|Acme four|$(body 4)"
poll "$d" 2; assert_eq 1 "$ALERTS" "rotating guids: only the genuinely new item alerts"
assert_grep '"title":"Acme four"' "$d/out.2" "rotating guids: the new item is the one alerted"
assert_grep 'guids change on known items' "$d/err.2" "rotating guids: detected and logged"
rss "$d/rot.xml" "c1|https://blog.example/p/1|Acme one|$(body 1)" \
	"c2|https://blog.example/p/2|Acme two|$(body 2)" \
	"c3|https://blog.example/p/3|Acme three|$(body 3)" \
	"c4|https://blog.example/p/4|Acme four|$(body 4)"
poll "$d" 3; assert_eq 0 "$ALERTS" "rotating guids: third rotation alerts nothing"

# 2. Headline in the guid: the guid is the title, and the title is edited.
d=$T/headline
conf "$d" "" hl
rss "$d/hl.xml" "~Acme recalls AX3000 routers|https://news.example/acme-recall|Acme recalls AX3000 routers|$(body 5)"
poll "$d" 1; assert_eq 1 "$ALERTS" "headline guid: first poll alerts"
rss "$d/hl.xml" "~Acme recalls AX3000 and AX3100 routers|https://news.example/acme-recall|Acme recalls AX3000 and AX3100 routers|$(body 5)"
poll "$d" 2; assert_eq 0 "$ALERTS" "headline guid: the edited headline does not alert again"
# ... unless the rule asks for updates, and then it is marked as one.
d=$T/headline-update
conf "$d" "on_update = alert" hl
rss "$d/hl.xml" "~Acme recalls AX3000 routers|https://news.example/acme-recall|Acme recalls AX3000 routers|$(body 5)"
poll "$d" 1; assert_eq 1 "$ALERTS" "on_update=alert: first poll alerts"
assert_grep '"update":false' "$d/out.1" "on_update=alert: the first alert is not an update"
rss "$d/hl.xml" "~Acme recalls AX3000 and AX3100 routers|https://news.example/acme-recall|Acme recalls AX3000 and AX3100 routers|$(body 5)"
poll "$d" 2; assert_eq 1 "$ALERTS" "on_update=alert: the edit alerts again"
assert_grep '"update":true' "$d/out.2" "on_update=alert: marked as an update"
poll "$d" 3; assert_eq 0 "$ALERTS" "on_update=alert: an unchanged item does not alert"

# 3. One link for all items (and no guids): the home page everywhere.
d=$T/onelink
conf "$d" "" ol
rss "$d/ol.xml" "|https://shop.example/|Acme deal one|$(body 6)" \
	"|https://shop.example/|Acme deal two|$(body 7)" \
	"|https://shop.example/|Acme deal three|$(body 8)"
poll "$d" 1; assert_eq 3 "$ALERTS" "one link: three different items alert three times"
assert_grep 'many items share one link' "$d/err.1" "one link: detected and logged"
rss "$d/ol.xml" "|https://shop.example/|Acme deal four|$(body 9)" \
	"|https://shop.example/|Acme deal one|$(body 6)" \
	"|https://shop.example/|Acme deal two|$(body 7)" \
	"|https://shop.example/|Acme deal three|$(body 8)"
poll "$d" 2; assert_eq 1 "$ALERTS" "one link: only the new item alerts"
assert_grep '"title":"Acme deal four"' "$d/out.2" "one link: the new item is the one alerted"

# 4. Retitled article: same guid and link, new title, lightly edited text.
d=$T/retitled
conf "$d" "" rt
rss "$d/rt.xml" "post-77|https://blog.example/p/77|Acme support is slow|$(body 10)"
poll "$d" 1; assert_eq 1 "$ALERTS" "retitled: first poll alerts"
rss "$d/rt.xml" "post-77|https://blog.example/p/77|UPDATED: Acme support is slow, Acme responds|$(body 10) Acme has since replied."
poll "$d" 2; assert_eq 0 "$ALERTS" "retitled: the retitled article does not alert again"
"$HARK" hits -c "$d/hark.conf" --json > "$d/hits.json"
assert_grep '"title":"UPDATED: Acme support is slow, Acme responds"' "$d/hits.json" "retitled: the stored item was updated in place"
assert_eq 1 "$(grep -c '"rule"' "$d/hits.json")" "retitled: one hit in history"

# 5. The same story in three feeds: two carry the publisher's link with
# different tracking parameters, the third a partner's syndicated copy.
d=$T/syndicated
conf "$d" "" wire1 wire2 wire3
story="Acme Networks said on Tuesday it would recall forty thousand AX3000 routers after customers reported that a firmware update left the devices unable to reconnect, and it promised refunds within two weeks."
rss "$d/wire1.xml" "w1-1|https://news.example.com/story?id=7&amp;utm_source=rss&amp;utm_medium=feed|Acme recalls routers|$story"
rss "$d/wire2.xml" "w2-9|HTTPS://News.Example.COM:443/story?fbclid=abc&amp;id=7#comments|Acme recalls routers - Wire Two|$story"
rss "$d/wire3.xml" "w3-3|https://partner.example.org/syndicated/acme-recall?mc_cid=55&amp;mc_eid=66|Acme recalls 40,000 routers (partner)|$story"
poll "$d" 1; assert_eq 1 "$ALERTS" "syndicated: one alert for three copies"
"$HARK" hits -c "$d/hark.conf" --json > "$d/hits.json"
assert_eq 1 "$(grep -c '"rule"' "$d/hits.json")" "syndicated: one hit in history"
assert_grep '"also_seen_at":\[\{"feed":"wire2","link":"HTTPS://News.Example.COM:443/story\?fbclid=abc&id=7#comments"' "$d/hits.json" "syndicated: wire2 recorded as also seen (same link after normalisation)"
assert_grep '"feed":"wire3","link":"https://partner.example.org/syndicated/acme-recall\?mc_cid=55&mc_eid=66"' "$d/hits.json" "syndicated: wire3 recorded as also seen (SimHash)"
poll "$d" 2; assert_eq 0 "$ALERTS" "syndicated: nothing alerts on the next poll"
