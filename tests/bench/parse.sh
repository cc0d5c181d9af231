#!/bin/bash
# Feed parsing benchmark, one run, three contenders on the same bytes:
#   hark   - hark_feed_parse(): charset, parse, clean text of every item
#   sfeed  - Debian's sfeed (RSS/Atom to TSV, no HTML stripping)
#   floor  - a bare libxml2 SAX2 push-parser pass with empty callbacks
# Input: the RSS/Atom/RDF files of tests/data/feeds, repeated to ~50 MB.
# usage: tests/bench/parse.sh [TARGET_MB]   (default 50)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MB=${1:-50}
BUILD="$SRC/build"

if ! command -v sfeed >/dev/null 2>&1; then
    echo "parse.sh: installing sfeed (reference tool)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sfeed >&2
fi
cmake --preset default -S "$SRC" >/dev/null
cmake --build "$BUILD" -j2 --target bench_parse sax_floor >/dev/null

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The feeds: XML files whose root is rss, feed or rdf:RDF.
find "$SRC/tests/data/feeds" -type f ! -name SOURCE.txt ! -name '*.json' -print0 |
    xargs -0 grep -l -E -m1 '<(rss|feed|rdf:RDF)[ >]' 2>/dev/null | sort > "$WORK/list"
nfiles=$(wc -l < "$WORK/list")
# sfeed reads one stream: the same files, concatenated until >= MB.
target=$((MB * 1024 * 1024))
: > "$WORK/all.xml"
while [ "$(stat -c %s "$WORK/all.xml")" -lt "$target" ]; do
    xargs -d '\n' cat < "$WORK/list" >> "$WORK/all.xml"
done
bytes=$(stat -c %s "$WORK/all.xml")
bmb=$((bytes / 1024 / 1024))

read -r hb hitems hs < <("$BUILD/tests/bench/bench_parse" "$WORK/list" "$bmb")
read -r fb felems fs < <("$BUILD/tests/bench/sax_floor" "$WORK/list" "$bmb")
# Breakdown: hark without the clean-text step (markup kept, as --html), and
# the clean-text step alone over every title, summary and content.
read -r kb kitems ks < <(BENCH_KEEP_HTML=1 "$BUILD/tests/bench/bench_parse" "$WORK/list" "$bmb")
step=$(BENCH_HTML_STEP=1 "$BUILD/tests/bench/bench_parse" "$WORK/list" 1 2>&1 >/dev/null)
# CPU seconds (user+sys), not wall time: the machine is shared.
TIMEFORMAT='%U %S'
ts=$( { time sfeed < "$WORK/all.xml" > "$WORK/sfeed.tsv"; } 2>&1 )
s0=0
s1=$(echo "$ts" | awk '{print $1 + $2}')
sitems=$(wc -l < "$WORK/sfeed.tsv")

awk -v n="$nfiles" -v kb="$kb" -v ks="$ks" -v hb="$hb" -v hi="$hitems" -v hs="$hs" -v fb="$fb" -v fs="$fs" \
    -v sb="$bytes" -v si="$sitems" -v s0="$s0" -v s1="$s1" 'BEGIN {
    ss = s1 - s0
    hm = hb / 1048576 / hs; fm = fb / 1048576 / fs; sm = sb / 1048576 / ss
    printf "input: %d feed files repeated to %.1f MB\n", n, sb / 1048576
    printf "%-7s %9s %12s %12s\n", "", "MB/s", "items/s", "CPU seconds"
    printf "%-7s %9.1f %12.0f %12.2f\n", "hark", hm, hi / hs, hs
    printf "%-7s %9.1f %12.0f %12.2f\n", "sfeed", sm, si / ss, ss
    printf "%-7s %9.1f %12s %12.2f\n", "floor", fm, "-", fs
    printf "hark/sfeed MB/s: %.2f   hark/floor MB/s: %.2f\n", hm / sm, hm / fm
    printf "breakdown: hark without clean text (--html): %.1f MB/s (%.2f of floor)\n", kb / 1048576 / ks, (kb / ks) / (fb / fs)
}'
echo "breakdown: $step"
