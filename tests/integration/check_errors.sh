#!/bin/bash
# `hark check` and the CLI's exit codes on bad input.
source "$HARK_SRC/tests/peers/lib.sh"

cat > "$T/typo.conf" <<'CONF'
[hark]
interval = 15m

[feed acme]
url = https://forum.acme.example/feed.xml
intervall = 5m

[rule refunds]
query = refund
CONF
set +e
"$HARK" check -c "$T/typo.conf" > "$T/out" 2> "$T/err"
rc=$?
set -e
assert_eq 1 "$rc" "a typo in a key exits 1"
assert_grep "^$T/typo.conf:6:1: error: unknown key 'intervall' in \[feed acme\]" "$T/err" "error names FILE:LINE:COLUMN"
assert_grep "hint: did you mean 'interval'\?" "$T/err" "error suggests the right key"
assert_grep '^    \^~~~~~~~~$' "$T/err" "caret underlines the key"

# Several problems: all reported, in one run.
cat > "$T/many.conf" <<'CONF'
[hark]
interval = often
[feed a]
url = gopher://example.com/
[rule r]
query = refund
alert = pager
[rules x]
CONF
set +e
"$HARK" check -c "$T/many.conf" 2> "$T/err2"
rc=$?
set -e
assert_eq 1 "$rc" "several errors exit 1"
assert_grep ":2:12: error: bad duration 'often'" "$T/err2" "bad duration reported"
assert_grep ":4:7: error: 'gopher://example.com/' is not a URL" "$T/err2" "bad URL reported"
assert_grep ":7:9: error: unknown alert channel 'pager'" "$T/err2" "bad channel reported"
assert_grep ":8:1: error: unknown section \[rules x\]" "$T/err2" "bad section reported"
assert_grep "^4 errors$" "$T/err2" "count of errors printed"

# A missing config file is a user error too.
set +e
"$HARK" check -c "$T/nope.conf" 2> "$T/err3"; rc=$?
"$HARK" frobnicate 2> /dev/null; rc2=$?
"$HARK" run --bogus-flag 2> /dev/null; rc3=$?
set -e
assert_eq 1 "$rc" "missing config exits 1"
assert_grep "cannot read config" "$T/err3" "missing config explained"
assert_eq 1 "$rc2" "unknown command exits 1"
assert_eq 1 "$rc3" "unknown option exits 1"

# A database that cannot be opened is a runtime failure: exit 2.
mkdir -p "$T/ro"
cat > "$T/db.conf" <<CONF
[hark]
database = /proc/hark-cannot-be-here/hark.db
[feed a]
url = file://$HARK_SRC/etc/demo/feeds/acme-forum.xml
[rule r]
query = refund
CONF
set +e
"$HARK" run --once -c "$T/db.conf" > /dev/null 2> "$T/err4"; rc=$?
set -e
assert_eq 2 "$rc" "unusable database exits 2"
assert_grep "cannot create directory /proc/hark-cannot-be-here" "$T/err4" "database error explained"

"$HARK" --version | grep -qE '^hark [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
ok "--version prints the version"
