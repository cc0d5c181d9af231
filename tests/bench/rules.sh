#!/bin/bash
# Rule matching throughput for K = 10, 100, 1000, 10000 rules over ~1 KB
# items, against the reference: a loop of one PCRE2 JIT regex per rule
# (whole-word, caseless, UTF+UCP), measured in the same run.
#
#     tests/bench/rules.sh [SECONDS-PER-MEASUREMENT]
#
# Builds the default preset (RelWithDebInfo) first.  Data: tests/data/bench/
# (see its README.md).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC"
cmake --preset default > /dev/null
cmake --build --preset default --target bench_rules > /dev/null
exec "$SRC/build/tests/bench/bench_rules" "$SRC/tests/data/bench/rules-10000.txt" \
	"$SRC/tests/data/bench/corpus.txt" "${1:-1}"
