#!/bin/bash
# The progress bar of a first poll (`hark run --once`): drawn on a
# terminal (util-linux script(1) gives one), erased at the end, ends at
# N/N, erased before a log line; absent when stderr is a file.
source "$HARK_SRC/tests/peers/lib.sh"

n=120
mkdir -p "$T/f"
{
	echo "[hark]"
	echo "database = $T/hark.db"
	for i in $(seq "$n"); do
		printf '<?xml version="1.0"?><rss version="2.0"><channel><title>f%d</title><item><guid>a%d</guid><title>hello %d</title></item></channel></rss>\n' \
			"$i" "$i" "$i" > "$T/f/f$i.xml"
		printf '[feed f%d]\nurl = file://%s/f/f%d.xml\n' "$i" "$T" "$i"
	done
	printf '[feed broken]\nurl = file://%s/nope.xml\n' "$T"
	printf '[rule r]\nquery = nothing\nalert = stdout\n'
} > "$T/hark.conf"
total=$((n + 1))

script -qec "'$HARK' run --once -c '$T/hark.conf'" /dev/null > "$T/tty.out"
assert_grep "polling feeds \[#{30}\] +$total/$total" "$T/tty.out" "bar reaches $total/$total"
assert_grep $'\r\033\\[Khark: warning: feed broken' "$T/tty.out" "bar erased before a log line"
tail -c 4 "$T/tty.out" | od -An -c | tr -d ' ' > "$T/end"
assert_eq '\r033[K' "$(cat "$T/end")" "bar erased at the end"

rm -f "$T/hark.db"*
"$HARK" run --once -c "$T/hark.conf" 2> "$T/file.err" > /dev/null
assert_no_grep 'polling feeds|'$'\r' "$T/file.err" "no bar when stderr is a file"
