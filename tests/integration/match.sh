#!/bin/bash
# hark match: hits, spans as byte offsets, --rule, and every config error
# reported with file:line:column and a caret.
set -u
D="$HARK_SRC/tests/data/rules/match"
fails=0
check() { # NAME EXPECTED ACTUAL
	if [ "$2" != "$3" ]; then
		echo "FAIL $1"; echo "  expected: $2"; echo "  actual:   $3"; fails=$((fails + 1))
	fi
}

out=$("$HARK" match -c "$D/hark.conf" --json - < "$D/items.jsonl")
check "exit status" 0 $?
check "hit count" 3 "$(printf '%s\n' "$out" | grep -c .)"
first=$(printf '%s\n' "$out" | sed -n 1p)
# The sentiment score is the scorer's business (tests/unit/test_sentiment*):
# here only that it is a number.
check "first hit sentiment" '"sentiment":-0.' "$(printf '%s\n' "$first" | grep -o '"sentiment":-0\.')"
first=$(printf '%s\n' "$first" | sed -E 's/"sentiment":-?[0-9.e-]+/"sentiment":S/')
check "first hit" '{"rule":"refunds","id":null,"title":"Acme refund request","link":"https://x.org/1","feed":null,"sentiment":S,"spans":[{"field":"title","start":0,"end":4,"text":"Acme"},{"field":"title","start":5,"end":11,"text":"refund"},{"field":"text","start":30,"end":36,"text":"refund"},{"field":"text","start":50,"end":54,"text":"Acme"}]}' "$first"
check "second hit" '"rule":"cafe"' "$(printf '%s\n' "$out" | sed -n 2p | grep -o '"rule":"cafe"')"
check "feeds=tag:" '"rule":"support"' "$(printf '%s\n' "$out" | sed -n 3p | grep -o '"rule":"support"')"

out=$("$HARK" match -c "$D/hark.conf" --rule cafe - < "$D/items.jsonl" 2>/dev/null)
check "--rule text output" "cafe: Le Café
  link: https://www.example.com/p
  sentiment: +0.000
  title: Le [Café]
  link: https://[www.example.com]/p" "$out"

"$HARK" match -c "$D/hark.conf" --rule nope - < "$D/items.jsonl" 2>/dev/null
check "unknown --rule" 1 $?

err=$("$HARK" match -c "$D/bad.conf" - < "$D/items.jsonl" 2>&1)
check "bad config status" 1 $?
check "error 1" "$D/bad.conf:3:14: error: [rule one] query: unbalanced parenthesis: '(' is never closed" "$(printf '%s\n' "$err" | sed -n 1p)"
check "error 2" "$D/bad.conf:6:9: error: [rule two] query: unknown field 'titel'" "$(printf '%s\n' "$err" | sed -n 5p)"
check "error 3" "$D/bad.conf:9:14: error: [rule three] query: NEAR needs a distance" "$(printf '%s\n' "$err" | sed -n 9p)"
check "error 4" "$D/bad.conf:13:15: error: [rule four] sentiment: expected a number after the comparison" "$(printf '%s\n' "$err" | sed -n 13p)"
check "caret 1" "                 ^" "$(printf '%s\n' "$err" | sed -n 3p)"
check "caret 2" "            ^~~~~" "$(printf '%s\n' "$err" | sed -n 7p)"
check "caret 3" "                 ^~~~" "$(printf '%s\n' "$err" | sed -n 11p)"
check "hint 3" "    hint: write NEAR/5 for 'within 5 words' (ONEAR/5: in this order)" "$(printf '%s\n' "$err" | sed -n 12p)"
check "caret 4" "                  ^" "$(printf '%s\n' "$err" | sed -n 15p)"
check "error count" 4 "$(printf '%s\n' "$err" | grep -c ': error: ')"

# A feed document, parsed: one hit (the other item is a giveaway).
out=$("$HARK" match -c "$D/hark.conf" --rule refunds --json "$D/feed.xml")
check "feed status" 0 $?
check "feed hits" 1 "$(printf '%s\n' "$out" | grep -c .)"
check "feed hit spans" '"spans":[{"field":"text","start":3,"end":7,"text":"Acme"},{"field":"text","start":23,"end":29,"text":"refund"}]}' "$(printf '%s\n' "$out" | grep -o '"spans":.*')"

# 'hark parse' output: the feed line is skipped, items are matched.
out=$("$HARK" parse "$D/feed.xml" | "$HARK" match -c "$D/hark.conf" --json -)
check "parse pipe hits" 1 "$(printf '%s\n' "$out" | grep -c '"rule":"refunds"')"

# A URL is fetched: nothing listens on port 9, a runtime failure.
"$HARK" match -c "$D/hark.conf" http://127.0.0.1:9/feed 2>/dev/null
check "URL fetch failure" 2 $?

# The examples of hark-query(7) compile, and do what it says.
"$HARK" check -c "$D/../examples.conf" > /dev/null
check "man page examples" 0 $?
out=$(printf '%s\n' '{"title":"Acme is down","content":"again"}' \
	'{"title":"x","content":"アクメの新しいルーター発売"}' |
	"$HARK" match -c "$D/../examples.conf" --json - | sed -E 's/"sentiment":-?[0-9.e-]+,//')
check "examples: outage" '{"rule":"outage","id":null,"title":"Acme is down","link":"","feed":null,"spans":[{"field":"title","start":0,"end":12,"text":"Acme is down"}]}' "$(printf '%s\n' "$out" | sed -n 1p)"
check "examples: CJK" '"spans":[{"field":"text","start":0,"end":9,"text":"アクメ"},{"field":"text","start":33,"end":39,"text":"発売"}]}' "$(printf '%s\n' "$out" | sed -n 2p | grep -o '"spans":.*')"

# hark check reports every error of every rule.
err=$("$HARK" check -c "$D/bad.conf" 2>&1)
check "hark check status" 1 $?
check "hark check errors" 4 "$(printf '%s\n' "$err" | grep -c ': error: ')"
check "hark check carets" 4 "$(printf '%s\n' "$err" | grep -c '^ *\^')"

[ $fails -eq 0 ] && echo "all match checks passed"
exit $((fails > 0))
