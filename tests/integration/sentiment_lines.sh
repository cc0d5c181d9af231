#!/bin/bash
# sentiment_lines.sh - the line contract of "hark sentiment": one result
# per input line, in order, on 100,000 generated lines that include empty
# lines, whitespace-only lines, CRLF endings, invalid and truncated UTF-8,
# NUL bytes, a very long line and a last line without '\n'.
set -euo pipefail
: "${HARK:?}" "${HARK_SRC:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

grep -v '^#' "$HARK_SRC/tests/data/sentiment/dev.tsv" | cut -f4 > "$work/sentences"
awk -v n=100000 '
{ s[NR] = $0 }
END {
	srand(6)
	for (i = 1; i <= n; i++) {
		if (i == 5000) { print "still waiting for my refund"; continue }
		if (i == 5001) { print "I love it, works perfectly"; continue }
		if (i == 5002) { printf "great product \377\376 love it\n"; continue }
		if (i == 5003) { printf "terrible \355\240\200 service\r\n"; continue }
		if (i == 5004) { printf "\n"; continue }
		t = s[int(rand() * NR) + 1]
		r = i % 10
		if (r == 0) print ""
		else if (r == 1) printf "%s \377\376\n", t
		else if (r == 2) printf "%s\r\n", t
		else if (r == 3) print "   "
		else if (r == 4) printf "%s \342\202\n", t
		else if (r == 5) printf "%s@NUL@%s\n", t, t
		else print t
	}
	# one long line
	for (k = 0; k < 20000; k++) printf "%s ", s[k % NR + 1]
	printf "\n"
	# no final newline
	printf "the last line has no newline but counts"
}' "$work/sentences" | sed 's/@NUL@/\x00/' > "$work/in"
[ "$(tr -cd '\000' < "$work/in" | wc -c)" -ge 9000 ] || { echo "generator made no NULs"; exit 1; }

want=$(( $(wc -l < "$work/in") + 1 ))
[ "$want" -eq 100002 ] || { echo "generator made $want lines"; exit 1; }

"$HARK" sentiment < "$work/in" > "$work/out"
got=$(wc -l < "$work/out")
if [ "$got" -ne "$want" ]; then
	echo "FAIL: $want input lines, $got output lines"
	exit 1
fi
bad=$(grep -cvE '^-?[01]\.[0-9]{4}$' "$work/out" || true)
if [ "$bad" -ne 0 ]; then
	echo "FAIL: $bad output lines are not %.4f compounds:"
	grep -vE '^-?[01]\.[0-9]{4}$' "$work/out" | head -5
	exit 1
fi
line() { sed -n "${1}p" "$work/out"; }
neg() { awk -v x="$(line "$1")" -v l="$1" 'BEGIN { if (x + 0 >= -0.05) { print "FAIL: line " l " should be negative: " x; exit 1 } }'; }
pos() { awk -v x="$(line "$1")" -v l="$1" 'BEGIN { if (x + 0 <= 0.05) { print "FAIL: line " l " should be positive: " x; exit 1 } }'; }
zero() { [ "$(line "$1")" = "0.0000" ] || { echo "FAIL: line $1 should be 0.0000: $(line "$1")"; exit 1; }; }
neg 5000
pos 5001
pos 5002
neg 5003
zero 5004
zero 10          # empty (i % 10 == 0)
zero 13          # whitespace only

# the same lines one at a time as arguments give the same results
for i in 5000 5001 5002 5003; do
	text=$(sed -n "${i}p" "$work/in" | tr -d '\r')
	one=$("$HARK" sentiment "$text")
	[ "$one" = "$(line "$i")" ] || { echo "FAIL: line $i: argument gives $one, stdin $(line "$i")"; exit 1; }
done

# --json: one valid object per line
"$HARK" sentiment --json < "$work/in" > "$work/json"
got=$(wc -l < "$work/json")
[ "$got" -eq "$want" ] || { echo "FAIL: --json gave $got lines for $want"; exit 1; }
/usr/bin/python3 - "$work/json" "$work/out" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2]) as g:
    for n, (line, plain) in enumerate(zip(f, g), 1):
        o = json.loads(line)
        assert set(o) == {"compound", "pos", "neu", "neg", "cues"}, (n, line)
        assert "%.4f" % o["compound"] == plain.strip() or \
            ("%.4f" % o["compound"] == "-0.0000" and plain.strip() == "0.0000"), (n, o, plain)
        total = o["pos"] + o["neu"] + o["neg"]
        assert total == 0 or abs(total - 1) < 0.01, (n, o)
        for c in o["cues"]:
            assert set(c) == {"token", "valence", "why"}, (n, c)
PY

# --explain starts each result with the compound
"$HARK" sentiment --explain "still waiting for my refund" > "$work/explain"
head -1 "$work/explain" | grep -qE '^-0\.[0-9]{4}  \(pos ' || { echo "FAIL: explain header"; cat "$work/explain"; exit 1; }
grep -q 'still waiting  \[complaint\]' "$work/explain" || { echo "FAIL: explain cue"; cat "$work/explain"; exit 1; }

# empty stdin: no output; bad option: exit 1
[ -z "$("$HARK" sentiment < /dev/null)" ] || { echo "FAIL: output for empty stdin"; exit 1; }
set +e
"$HARK" sentiment --no-such-option > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "FAIL: bad option exit $rc"; exit 1; }
echo "ok: $want lines"
