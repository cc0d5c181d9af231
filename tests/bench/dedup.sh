#!/bin/bash
# De-duplication benchmark (issue 7).  With PRELOAD items already stored
# (default 1,000,000, generated in one bulk transaction through the store
# API), measures:
#   - new-item throughput: identifiers + identity lookup + SimHash +
#     near-duplicate band lookup + insert, 50 items per transaction, as
#     items per second (wall and CPU); reference: the foundation's path
#     (hark_item_key + hark_store_item_put) on a copy of the same
#     database with the same items;
#   - database size per 100,000 items;
#   - `hark hits --search` latency, end to end (process start included)
#     and inside the store; reference: the same words as LIKE scans.
# usage: tests/bench/dedup.sh [PRELOAD] [NEW]   (defaults 1000000 20000)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PRELOAD=${1:-1000000}
NEW=${2:-20000}
BUILD="$SRC/build"
QUERY="kalo"

cmake --preset default -S "$SRC" >/dev/null
cmake --build "$BUILD" -j2 --target bench_dedup hark >/dev/null

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BUILD/tests/bench/bench_dedup" "$WORK/bench.db" "$PRELOAD" "$NEW" "$QUERY" | tee "$WORK/figures"

cat > "$WORK/hark.conf" <<CONF
[hark]
database = $WORK/bench.db
CONF
best=999999
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	"$BUILD/daemon/hark" hits -c "$WORK/hark.conf" --search "$QUERY" --json > "$WORK/hits.json"
	ms=$(( ($(date +%s%N) - s) / 1000000 ))
	[ "$ms" -lt "$best" ] && best=$ms
done
echo "cli_hits_search_ms $best   (hark hits --search $QUERY --json, best of 5, $(wc -l < "$WORK/hits.json") hits)"
