#!/bin/bash
# etc/examples/{personal,support,marketing}.conf pass hark check and, run
# against local copies of their feeds (the saved service formats under
# tests/data/recipes/), raise the alerts they should: desktop
# notifications on a private bus, webhooks to a loopback receiver,
# digests held in the outbox.  Then every source recipe of hark.conf(5)
# parses its saved copy.
source "$HARK_SRC/tests/peers/lib.sh"

R="$HARK_SRC/tests/data/recipes"
E="$HARK_SRC/etc/examples"
GA="$HARK_SRC/etc/demo/feeds/google-alert-slack.xml"

for c in personal support marketing; do
	"$HARK" check -c "$E/$c.conf" > "$T/check.out" || fail "$c.conf: $(cat "$T/check.out")"
	ok "$c.conf passes hark check"
done

# retarget CONF OUT FEED=FILE... : a copy of CONF whose feeds read the
# given local files, whose webhooks post to the receiver, and whose
# database lives in $T.
retarget() {
	local conf=$1 out=$2
	shift 2
	"$PY" - "$conf" "$out" "$T/$(basename "$out" .conf).db" "${WEBHOOK_PORT:-0}" "$@" <<'PY'
import re, sys
conf, out, db, port = sys.argv[1:5]
files = dict(a.split("=", 1) for a in sys.argv[5:])
section, lines, seen = None, [], set()
for line in open(conf):
    m = re.match(r"\[(\w+) ([^\]]+)\]", line)
    if m:
        section = m.groups()
    elif line.startswith("[hark]"):
        section = ("hark", "")
    if line.startswith("database = "):
        line = f"database = {db}\n"
    elif line.startswith("url = ") and section[0] == "feed":
        line = f"url = file://{files[section[1]]}\n"
        seen.add(section[1])
    elif line.startswith("url = ") and section[0] == "webhook":
        line = f"url = http://127.0.0.1:{port}/{section[1]}\n"
    lines.append(line)
missing = set(files) - seen
assert not missing, missing
open(out, "w").write("".join(lines))
PY
}

# --- personal: desktop notifications ------------------------------------
peer_notify_start
retarget "$E/personal.conf" "$T/personal.conf" hn-acme="$R/hn.rss" \
	lobsters-networking="$R/lobsters.rss" mastodon-acmerouter="$R/mastodon-tag.rss"
"$HARK" run --once -c "$T/personal.conf" > "$T/personal.out" 2> "$T/personal.err" ||
	fail "personal run: $(cat "$T/personal.err")"
wait_for grep -q ' Notify ' "$NOTIFY_CALLS" || fail "no desktop notification"
"$HARK" hits -c "$T/personal.conf" --json > "$T/personal.hits"
"$PY" - "$T/personal.hits" <<'PY' || fail "personal hits"
import json, sys
hits = sorted((h["rule"], h["title"] or h["link"]) for h in map(json.loads, open(sys.argv[1])))
want = [("ax3000", "Show HN: I reverse-engineered the Acme AX3000 firmware"),
        ("ax3000", "Why the Acme AX3000 drops 5 GHz clients at night"),
        ("ax3000", "https://mastodon.example/@nina/112233445566778899"),
        ("ax3000", "https://mastodon.example/@pk/112233445566001122")]
assert hits == want, hits
PY
ok "personal: the AX3000 mentions of HN, Lobsters and the hashtag hit; nothing else"
assert_grep 'Show HN: I reverse-engineered the Acme AX3000 firmware' "$T/personal.out" "personal: console line"
assert_grep 'Notify .*ax3000' "$NOTIFY_CALLS" "personal: desktop notification names the rule"

# --- support: negative mentions to Slack, a digest for Mattermost ------
peer_webhook_start "$T/hooks" -
retarget "$E/support.conf" "$T/support.conf" community="$R/discourse-latest.rss" \
	reddit-acme="$R/reddit-subreddit.atom" phpbb-routers="$R/phpbb-feed.atom" \
	google-alerts-acme="$GA"
"$HARK" run --once -c "$T/support.conf" > "$T/support.out" 2> "$T/support.err" ||
	fail "support run: $(cat "$T/support.err")"
"$PY" - "$T/hooks/accepted.jsonl" <<'PY' || fail "support webhooks: $(cat "$T/hooks/requests.jsonl")"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
texts = sorted(r["text"] for r in reqs)
assert len(reqs) == 3, texts
for want in ("AX3000 drops WiFi every night after 2.1", "Firmware 2.1 bricked my modem",
             "Modem on hold for a refund since October"):
    assert sum(want in t for t in texts) == 1, (want, texts)
for t in texts:
    assert "complaints" in t, t
    assert "mesh kit" not in t and "OpenWrt" not in t and "Weekly setup" not in t, t
PY
ok "support: the 3 negative mentions reached Slack (slack format), the positive and neutral ones did not"
"$HARK" outbox -c "$T/support.conf" --json > "$T/support.outbox"
"$PY" - "$T/support.outbox" <<'PY' || fail "support digest: $(cat "$T/support.outbox")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mm = [r for r in rows if r.get("channel") == "support-mattermost"]
assert len(mm) == 3 and all(r["state"] == "pending" for r in mm), rows
assert not [r for r in rows if r.get("channel") == "support-slack"], rows
PY
ok "support: the same 3 wait for the Mattermost digest window"

# --- marketing: every mention, a daily Teams digest, a weekly chart ------
retarget "$E/marketing.conf" "$T/marketing.conf" reddit-search="$R/reddit-search.atom" \
	hn-acme="$R/hn.rss" mastodon-acmerouter="$R/mastodon-tag.rss" google-alerts-acme="$GA"
before=$(wc -l < "$T/hooks/requests.jsonl")
"$HARK" run --once -c "$T/marketing.conf" > "$T/marketing.out" 2> "$T/marketing.err" ||
	fail "marketing run: $(cat "$T/marketing.err")"
assert_eq "$before" "$(wc -l < "$T/hooks/requests.jsonl")" "marketing: nothing posted before the digest window ends"
"$HARK" hits -c "$T/marketing.conf" --json > "$T/marketing.hits"
"$PY" - "$T/marketing.hits" <<'PY' || fail "marketing hits"
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1])]
rules = sorted(h["rule"] for h in hits)
assert rules == ["mentions"] * 6 + ["versus-zeta"], rules
PY
ok "marketing: 6 mentions (Reddit, HN, Mastodon, any tone) and 1 comparison with Zeta"
"$HARK" outbox -c "$T/marketing.conf" --json > "$T/marketing.outbox"
n=$(grep -c '"marketing-teams"' "$T/marketing.outbox" || true)
assert_eq 7 "$n" "marketing: 7 alerts wait for the daily Teams digest"
"$HARK" stats -c "$T/marketing.conf" --days 7 --svg "$T/week.svg" > /dev/null
xmllint --noout "$T/week.svg" || fail "weekly chart is not XML"
assert_grep 'mentions' "$T/week.svg" "marketing: the weekly chart names the rule"

# --- source recipes of hark.conf(5) --------------------------------------
# parse_count FILE N [hark parse options]: FILE gives N items, each with
# a title or text and an absolute link.
parse_count() {
	local f=$1 n=$2
	shift 2
	"$HARK" parse "$@" "$f" > "$T/parsed" || fail "$(basename "$f"): parse failed"
	"$PY" - "$T/parsed" "$n" <<'PY' || fail "$(basename "$f")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[0]["type"] == "feed" and not rows[0]["bozo"], rows[0]
items = rows[1:]
assert len(items) == int(sys.argv[2]), items
for i in items:
    assert i["link"].startswith("https://"), i
    assert i["title"] or i["content"] or i["summary"], i
    assert i["published"], i
PY
	ok "recipe $(basename "$f"): $n items with links and dates"
}
for f in mastodon-tag.rss mastodon-account.rss reddit-search.atom reddit-subreddit.atom \
	hn.rss lobsters.rss discourse-latest.rss phpbb-feed.atom; do
	parse_count "$R/$f" 2
done
parse_count "$GA" 20
parse_count "$R/discourse-latest.html" 2 --base https://community.acme.example/latest \
	--item "//tr[contains(@class,'topic-list-item')]" \
	--title ".//a[contains(@class,'raw-topic-link')]" \
	--link ".//a[contains(@class,'raw-topic-link')]" \
	--body ".//p[@class='excerpt']" \
	--date ".//meta[@itemprop='dateModified']/@content"
parse_count "$R/phpbb-viewforum.html" 2 --base 'https://forum.acme.example/viewforum.php?f=3' \
	--item "//ul[contains(@class,'topics')]/li" \
	--title ".//a[@class='topictitle']" --link ".//a[@class='topictitle']" \
	--author ".//a[contains(@class,'username')]" --date ".//time"
