#!/bin/bash
# hark parse output for a few real-world feeds against recorded, reviewed
# expected outputs (tests/data/expected/MANIFEST).
# parse_golden.sh --record rewrites them (review the diff before committing).
set -uo pipefail
E="$HARK_SRC/tests/data/expected"
F="$HARK_SRC/tests/data/feeds"
fail=0
while read -r out in; do
    case "$out" in ''|'#'*) continue;; esac
    if [ "${1:-}" = --record ]; then
        "$HARK" parse "$F/$in" > "$E/$out"
        continue
    fi
    if diff -u "$E/$out" <("$HARK" parse "$F/$in") > /tmp/parse_golden.$$.diff; then
        echo "ok $out"
    else
        echo "FAIL $out"; head -20 /tmp/parse_golden.$$.diff; fail=1
    fi
done < "$E/MANIFEST"
rm -f /tmp/parse_golden.$$.diff
exit $fail
