#!/bin/bash
# The first end-to-end slice: `hark run --once` on the demo config.
source "$HARK_SRC/tests/peers/lib.sh"

conf="$HARK_SRC/etc/demo/hark.conf"

"$HARK" check -c "$conf" > "$T/check.out"
assert_grep 'ok \(3 feeds, 3 rules\)' "$T/check.out" "hark check accepts the demo config"

# First run, no notification server: console alerts, one warning, exit 0,
# and no hang.
start=$(date +%s)
"$HARK" run --once -c "$conf" > "$T/run1.out" 2> "$T/run1.err" || fail "first run exited $?"
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -le 5 ] || fail "first run took ${elapsed}s without a notification server"
ok "first run finished in ${elapsed}s"
assert_grep '\[acme-refunds\] Still waiting for my refund after 3 weeks' "$T/run1.out" "refund complaint alerted"
assert_grep '\[acme-refunds\] AX3000 firmware 2.1 stopped working' "$T/run1.out" "'stopped working' phrase alerted"
assert_grep '\[slack-mentions\]' "$T/run1.out" "Google Alert items alerted"
assert_grep '\[aws-console\] Manage Amazon EC2 With New Web-Based AWS Management Console' "$T/run1.out" "AWS blog item alerted"
assert_no_grep 'Love the new mesh app' "$T/run1.out" "non-matching item not alerted"
assert_grep 'https://forum.acme.example/t/still-waiting-for-my-refund/4411' "$T/run1.out" "alert carries the link"
n=$(grep -c 'desktop alerts are kept in history' "$T/run1.err" || true)
assert_eq 1 "$n" "exactly one warning about the missing notification server"
[ -f "$XDG_DATA_HOME/hark/demo.db" ] || fail "database not created under XDG_DATA_HOME"
ok "database stored at \$XDG_DATA_HOME/hark/demo.db"

# Second run: everything already seen, nothing alerts, database survives.
"$HARK" run --once -c "$conf" > "$T/run2.out" 2> "$T/run2.err" || fail "second run exited $?"
[ ! -s "$T/run2.out" ] || { cat "$T/run2.out"; fail "second run alerted again"; }
ok "second run alerts nothing"

# With a real notification server on a private bus, desktop alerts arrive.
rm -rf "$XDG_DATA_HOME"
peer_notify_start
"$HARK" run --once -c "$conf" > "$T/run3.out" 2> "$T/run3.err" || fail "third run exited $?"
assert_no_grep 'desktop' "$T/run3.err" "no desktop warning with a server present"
wait_for grep -q 'Notify' "$NOTIFY_CALLS" || fail "no Notify call reached the server"
n=$(grep -c ' Notify ' "$NOTIFY_CALLS" || true)
# acme-refunds (2 items) + aws-console (1 item) list desktop.
assert_eq 3 "$n" "one Notify call per desktop alert"
assert_grep 'acme-refunds: Still waiting for my refund' "$NOTIFY_CALLS" "notification summary names rule and title"
