#!/bin/bash
# History (issue 7): `hark hits` filters, FTS5 search and output formats;
# `hark stats` per rule per day, table and SVG.
source "$HARK_SRC/tests/peers/lib.sh"

cat > "$T/feed.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>forum</title><link>https://forum.example/</link>
<item><guid>1</guid><link>https://forum.example/t/1</link><title>Acme refund still missing</title><description>I am furious, Acme has ignored my refund request for three weeks.</description></item>
<item><guid>2</guid><link>https://forum.example/t/2</link><title>Acme mesh is great</title><description>I love the new Acme mesh app, setup took two minutes.</description></item>
<item><guid>3</guid><link>https://forum.example/t/3</link><title>Router bricked, "thanks" Acme</title><description>The firmware update bricked my router, terrible support.</description></item>
<item><guid>4</guid><link>https://forum.example/t/4</link><title>Refund policy question</title><description>How long does a refund usually take?</description></item>
<item><guid>5</guid><link>https://forum.example/t/5</link><title>Acme, please add WPA3</title><description>Would be nice to have WPA3 on the older models.</description></item>
<item><guid>6</guid><link>https://forum.example/t/6</link><title>Unrelated</title><description>Nothing to see here.</description></item>
</channel></rss>
XML
cat > "$T/hark.conf" <<CONF
[hark]
database = $T/hark.db
[feed forum]
url = file://$T/feed.xml
[rule acme]
query = acme
alert = console
[rule refunds]
query = refund
alert = console
CONF
"$HARK" run --once -c "$T/hark.conf" > /dev/null 2>&1 || fail "hark run failed"

"$HARK" hits -c "$T/hark.conf" --json > "$T/all.json"
assert_eq 6 "$(wc -l < "$T/all.json")" "hits: 4 acme + 2 refunds hits"
"$HARK" hits -c "$T/hark.conf" --rule refunds --json > "$T/r.json"
assert_eq 2 "$(wc -l < "$T/r.json")" "hits --rule refunds"
"$HARK" hits -c "$T/hark.conf" --search 'bricked OR furious' --json > "$T/s.json"
assert_eq 3 "$(wc -l < "$T/s.json")" "hits --search 'bricked OR furious': items 1 (two rules) and 3"
assert_grep '"title":"Router bricked, \\"thanks\\" Acme"' "$T/s.json" "search finds the bricked router"
"$HARK" hits -c "$T/hark.conf" --search 'title:refund' --rule refunds --json > "$T/s2.json"
assert_eq 2 "$(wc -l < "$T/s2.json")" "hits --search title:refund --rule refunds"
"$HARK" hits -c "$T/hark.conf" --search 'wpa*' --json > "$T/s3.json"
assert_eq 1 "$(wc -l < "$T/s3.json")" "prefix search wpa*"

# Spread the hits over the past days: hit i is i-1 days old.
now=$(date +%s)
sqlite3 "$T/hark.db" "UPDATE hits SET created = $now - (id - 1) * 86400"
"$HARK" hits -c "$T/hark.conf" --since 36h --json > "$T/since.json"
assert_eq 2 "$(wc -l < "$T/since.json")" "hits --since 36h (0 and 1 day old)"

"$HARK" hits -c "$T/hark.conf" --csv > "$T/hits.csv"
assert_eq "id,created,rule,feed,title,link,author,published,sentiment,updates,also_seen_at" \
	"$(head -1 "$T/hits.csv" | tr -d '\r')" "csv header"
assert_grep '^[0-9]+,[^,]+,acme,forum,"Router bricked, ""thanks"" Acme",https://forum.example/t/3,' "$T/hits.csv" "csv quotes commas and quotes"
assert_eq 7 "$(wc -l < "$T/hits.csv")" "csv: header + 6 rows"

set +e
"$HARK" hits -c "$T/hark.conf" --search '"unbalanced' > /dev/null 2> "$T/bad.err"
rc=$?
set -e
assert_eq 1 "$rc" "a malformed search query is a user error (exit 1)"
assert_grep 'bad search query' "$T/bad.err" "and says so"

"$HARK" stats -c "$T/hark.conf" --days 10 > "$T/stats.txt"
assert_grep '^acme +4 +[-+][0-9]\.[0-9]{2}  ' "$T/stats.txt" "stats: acme has 4 hits and a mean sentiment"
assert_grep '^refunds +2 ' "$T/stats.txt" "stats: refunds has 2 hits"
assert_grep '[▁▂▃▄▅▆▇█]{10}' "$T/stats.txt" "stats: a 10-day sparkline"
assert_eq 10 "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$T/stats.txt")" "stats: one row per day"
"$HARK" stats -c "$T/hark.conf" --days 10 --rule refunds > "$T/stats-r.txt"
assert_no_grep '^acme' "$T/stats-r.txt" "stats --rule: only that rule"

"$HARK" stats -c "$T/hark.conf" --days 10 --svg "$T/chart.svg"
xmllint --noout "$T/chart.svg" || fail "the SVG is not well-formed XML"
ok "stats --svg writes well-formed XML"
assert_eq 2 "$(grep -c 'stroke-width="2.5"' "$T/chart.svg")" "svg: one hits line per rule"
assert_eq 6 "$(grep -c '<circle [^>]* r="3"' "$T/chart.svg")" "svg: one sentiment point per day with scored hits"
assert_grep '>acme \(4\)</text>' "$T/chart.svg" "svg: legend names rule and total"
assert_grep '>refunds \(2\)</text>' "$T/chart.svg" "svg: legend for the second rule"
