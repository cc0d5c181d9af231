#!/bin/bash
# Page load times of the web page (`hark serve`) over a database of
# 100,000 hits spread over two days (tests/bench/bench_web_fill.c), with
# curl, against the budgets of issue 10 (stream < 200 ms, charts
# < 500 ms) and against the reference: the sqlite3 shell running the
# page's main query on the same file, measured in the same run (what the
# page costs beyond fetching its rows).  Also prints the server's CPU time
# per request, which a busy machine does not inflate.
#
#     tests/bench/web.sh [HITS] [ROUNDS]
#
# Builds the default preset first.  Installs the sqlite3 shell if missing.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
HITS=${1:-100000}
ROUNDS=${2:-15}
cd "$SRC"
command -v sqlite3 > /dev/null || apt-get install -y -q sqlite3 > /dev/null
cmake --preset default > /dev/null
cmake --build --preset default -j2 --target hark bench_web_fill > /dev/null
HARK="$SRC/build/daemon/hark"

T=$(mktemp -d "${TMPDIR:-/tmp}/hark-bench-web.XXXXXX")
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT

{
	echo "[hark]"
	echo "database = $T/hark.db"
	for f in $(seq -w 0 19); do
		echo "[feed feed-$f]"
		echo "url = https://forum.example/feed-$f.xml"
		echo "tags = $([ $((10#$f % 2)) = 0 ] && echo even || echo odd)"
	done
	k=0
	for w in acme refund outage slack router firmware support console; do
		echo "[rule rule-$k]"
		echo "query = $w"
		k=$((k + 1))
	done
} > "$T/hark.conf"

start=$(date +%s.%N)
"$SRC/build/tests/bench/bench_web_fill" "$T/hark.db" "$SRC/tests/data/bench/corpus.txt" \
	"$HITS" $((2 * 86400))
# Migrate (the fill program already did) and count what is there.
n=$(sqlite3 "$T/hark.db" 'SELECT COUNT(*) FROM hits')
printf 'filled %s hits in %.1f s; database %s MB\n' "$n" \
	"$(echo "$(date +%s.%N) - $start" | bc)" "$(( $(stat -c %s "$T/hark.db") / 1048576 ))"

"$HARK" serve -c "$T/hark.conf" --listen 127.0.0.1:0 > "$T/serve.out" 2> "$T/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q serving "$T/serve.out" && break; sleep 0.1; done
BASE=$(sed -n 's/^hark: serving \(http:.*\)\/$/\1/p' "$T/serve.out")
[ -n "$BASE" ] || { cat "$T/serve.err"; exit 1; }

# median_ms CMD...: the median wall time of ROUNDS runs, in ms.
median_ms() {
	local i t
	for i in $(seq "$ROUNDS"); do
		t0=$(date +%s%N)
		"$@" > /dev/null
		echo $(( ($(date +%s%N) - t0) / 1000 ))
	done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
page() {  # page PATH: the whole response, checked for 200
	local code
	code=$(curl -s -o "$T/body" -w '%{http_code}' "$BASE$1")
	[ "$code" = 200 ] || { echo "GET $1: HTTP $code" >&2; head -c 300 "$T/body" >&2; exit 1; }
}
# page_ms PATH: the median over ROUNDS of curl's time to the last byte.
page_ms() {
	local i
	for i in $(seq "$ROUNDS"); do
		curl -s -o /dev/null -w '%{time_total}\n' "$BASE$1"
	done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}
now=$(date +%s)
ref_stream="SELECT h.id, h.rule, h.created, h.sentiment, h.handled, f.name, i.title,
  i.link, i.author, i.text, i.published FROM hits h JOIN items i ON i.id = h.item_id
  JOIN feeds f ON f.id = i.feed_id WHERE h.created >= $((now - 86400))
  ORDER BY h.created DESC, h.id DESC LIMIT 100"
ref_charts="SELECT rule, created / 3600 * 3600 AS t, COUNT(*), COUNT(sentiment),
  AVG(sentiment) FROM hits WHERE created >= $((now - 2 * 86400)) AND created < $((now + 1))
  GROUP BY rule, t"

page /; page /charts   # warm the page cache
printf '\n%-40s %10s %8s %8s %12s\n' "request ($ROUNDS rounds, median)" "wall ms" "cpu ms" "budget" "sqlite3 ms"
ref_s=$(median_ms sqlite3 "$T/hark.db" "$ref_stream")
ref_c=$(median_ms sqlite3 "$T/hark.db" "$ref_charts")
# The server's CPU time (user + system), in clock ticks: on a loaded
# machine wall times include waiting for a core, CPU time does not.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
HZ=$(getconf CLK_TCK)
row() {  # row PATH BUDGET REF
	local ms c0 cpu
	c0=$(ticks)
	page "$1"
	ms=$(page_ms "$1")
	cpu=$(echo "($(ticks) - $c0) * 1000 / $HZ / ($ROUNDS + 1)" | bc -l)
	printf '%-40s %10s %8.1f %8s %12s' "GET $1" "$ms" "$cpu" "${2:--}" "${3:--}"
	if [ -n "${2:-}" ]; then
		printf '   %.2f of budget' "$(echo "$ms / $2" | bc -l)"
	fi
	if [ -n "${3:-}" ]; then
		printf ', %.2fx sqlite3' "$(echo "$ms / $3" | bc -l)"
	fi
	echo
}
row "/" 200 "$ref_s"
row "/?window=48h" 200 "$ref_s"
row "/?rule=rule-3" 200
row "/?tag=even&min=0.5" 200
row "/?unhandled=1&window=1h" 200
row "/charts" 500 "$ref_c"
row "/charts?window=7d" 500
row "/charts?rule=rule-2&bucket=hour" 500
row "/feeds"
row "/api/hits?limit=100"
row "/api/stats"
printf '\nwall ms: median time to the last byte (curl); cpu ms: hark serve CPU time per request (mean)\n'
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'sqlite3 shell alone: stream query %s ms, charts query over the hits %s ms\n(includes starting the shell; the charts read the per-hour table hit_hours instead)\n' \
	"$ref_s" "$ref_c"
page "/charts"
grep -q 'spike' "$T/body" && echo "charts page marks the burst 6 h ago as a spike"
# A look at the pages over the full database (not timed).
if command -v chromium > /dev/null; then
	mkdir -p "$SRC/build/web-screenshots"
	for p in "charts:/charts" "stream:/?window=48h"; do
		chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
			--user-data-dir="$T/chromium" --window-size=1400,1800 \
			--screenshot="$SRC/build/web-screenshots/bench-${p%%:*}.png" \
			"$BASE${p#*:}" > /dev/null 2>&1 || true
	done
	echo "screenshots: build/web-screenshots/bench-charts.png, bench-stream.png"
fi
