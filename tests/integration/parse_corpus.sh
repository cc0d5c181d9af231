#!/bin/bash
# hark parse over the whole copied corpus: exit 0 and valid JSON Lines for
# every file, bozo for every broken feed.  See parse_corpus.py.
set -euo pipefail
exec /usr/bin/python3 "$HARK_SRC/tests/integration/parse_corpus.py"
