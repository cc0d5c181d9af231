#!/bin/bash
# hark import-opml / export-opml round trip.
source "$HARK_SRC/tests/peers/lib.sh"

cat > "$T/hark.conf" <<'CONF'
[hark]
interval = 30m

[feed acme-forum]
url = https://forum.acme.example/c/routers.rss

[rule refunds]
query = refund
CONF
cp "$T/hark.conf" "$T/before.conf"
opml="$HARK_SRC/tests/data/opml/subscriptions.opml"

"$HARK" import-opml -c "$T/hark.conf" --dry-run "$opml" > "$T/dry.out"
cmp -s "$T/hark.conf" "$T/before.conf" || fail "--dry-run changed the config"
assert_grep '^would add 3 feeds, skipped 3$' "$T/dry.out" "dry run reports counts"

"$HARK" import-opml -c "$T/hark.conf" "$opml" > "$T/import.out"
assert_grep '^skipped https://forum.acme.example/c/routers.rss: already in the config as \[feed acme-forum\]$' "$T/import.out" "known URL skipped"
assert_grep '^skipped file:///etc/passwd: not an http or https URL$' "$T/import.out" "file URL refused"
assert_grep '^added \[feed reddit-acme\] https://www.reddit.com/r/acme/search.rss\?q=refund&restrict_sr=1$' "$T/import.out" "title becomes the name"
assert_grep '^added \[feed cafe-tech-blog\]' "$T/import.out" "accents folded in names"
assert_grep '^added 3 feeds, skipped 3$' "$T/import.out" "import reports counts"
"$HARK" check -c "$T/hark.conf" > /dev/null || fail "imported config does not validate"
ok "imported config validates"
assert_grep '^tags = brand-news, blogs, tech$' "$T/hark.conf" "folders and categories become tags"

# Importing again adds nothing.
"$HARK" import-opml -c "$T/hark.conf" "$opml" > "$T/again.out"
assert_grep '^added 0 feeds, skipped 6$' "$T/again.out" "second import adds nothing"

"$HARK" export-opml -c "$T/hark.conf" > "$T/out.opml"
/usr/bin/python3 - "$T/out.opml" <<'PY' || fail "exported OPML"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
outs = root.findall('./body/outline')
urls = [o.get('xmlUrl') for o in outs]
assert len(outs) == 4, urls
assert 'https://www.reddit.com/r/acme/search.rss?q=refund&restrict_sr=1' in urls, urls
cafe = [o for o in outs if o.get('text') == 'cafe-tech-blog'][0]
assert cafe.get('category') == 'brand-news,blogs,tech', cafe.attrib
PY
ok "export-opml round-trips the feeds"

printf 'not opml' > "$T/bad.opml"
set +e
"$HARK" import-opml -c "$T/hark.conf" "$T/bad.opml" 2> "$T/bad.err"; rc=$?
set -e
assert_eq 1 "$rc" "bad OPML exits 1"
assert_grep 'not an OPML file' "$T/bad.err" "bad OPML explained"
