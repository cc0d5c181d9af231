#!/bin/bash
# Logging: one line per event, "hark: LEVEL: " on a terminal or file,
# <N> syslog priorities when stderr is the journal stream named by
# JOURNAL_STREAM (and only then), -q and -v, info by default in the
# journal, no escape sequences.
source "$HARK_SRC/tests/peers/lib.sh"

cat > "$T/hark.conf" <<CONF
[hark]
database = $T/hark.db

[feed missing]
url = file://$T/no-such-feed.xml

[rule r]
query = anything
alert = stdout
CONF
conf="$T/hark.conf"

"$HARK" run --once -c "$conf" 2> "$T/plain.err" > /dev/null
assert_grep '^hark: warning: .*missing' "$T/plain.err" "plain: 'hark: warning:' prefix"
assert_no_grep '^hark: info:' "$T/plain.err" "plain: no info lines by default"
assert_no_grep $'\033' "$T/plain.err" "no colour on a file"

# The journal: JOURNAL_STREAM names stderr's device and inode.
: > "$T/journal.err"
id=$(stat -c '%d:%i' "$T/journal.err")
JOURNAL_STREAM=$id "$HARK" run --once -c "$conf" 2>> "$T/journal.err" > /dev/null
assert_grep '^<4>.*missing' "$T/journal.err" "journal: warning as <4>"
assert_no_grep '^hark: ' "$T/journal.err" "journal: no word prefixes"
grep -v '^<[3467]>' "$T/journal.err" > "$T/bad" || true
[ ! -s "$T/bad" ] || { cat "$T/bad"; fail "journal: a line without a priority"; }
ok "journal: every line has a priority"

# An inherited JOURNAL_STREAM for another file does not count.
JOURNAL_STREAM=1:2 "$HARK" run --once -c "$conf" 2> "$T/other.err" > /dev/null
assert_grep '^hark: warning: ' "$T/other.err" "JOURNAL_STREAM of another stream is ignored"

# The daemon in the journal logs its start and stop at info by default.
: > "$T/daemon.err"
id=$(stat -c '%d:%i' "$T/daemon.err")
JOURNAL_STREAM=$id "$HARK" run -c "$conf" 2>> "$T/daemon.err" > /dev/null &
pid=$!
echo "$pid" >> "$T/pids"
wait_for grep -q '^<6>running: 1 feeds, 1 rules' "$T/daemon.err" || fail "no <6>running line: $(cat "$T/daemon.err")"
ok "journal: start logged at info"
kill -TERM "$pid"
wait_for grep -q '^<6>stopping' "$T/daemon.err" || fail "no <6>stopping line"
ok "journal: stop logged at info"

# -q: errors only; -v: info.
"$HARK" run --once -q -c "$conf" 2> "$T/quiet.err" > /dev/null
[ ! -s "$T/quiet.err" ] || { cat "$T/quiet.err"; fail "-q printed warnings"; }
ok "-q hides warnings"
: > "$T/j2.err"
id=$(stat -c '%d:%i' "$T/j2.err")
JOURNAL_STREAM=$id "$HARK" run --once -q -c "$conf" 2>> "$T/j2.err" > /dev/null
[ ! -s "$T/j2.err" ] || { cat "$T/j2.err"; fail "-q in the journal printed warnings"; }
ok "-q hides warnings in the journal too"
"$HARK" run -v -c "$conf" 2> "$T/verbose.err" > /dev/null &
pid=$!
echo "$pid" >> "$T/pids"
wait_for grep -q '^hark: info: running: 1 feeds' "$T/verbose.err" || fail "-v shows no info: $(cat "$T/verbose.err")"
ok "-v shows info"
kill -TERM "$pid"
