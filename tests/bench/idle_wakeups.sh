#!/bin/bash
# tests/bench/idle_wakeups.sh - how often an idle `hark run` wakes up.
#
#   tests/bench/idle_wakeups.sh [N_FEEDS] [SECONDS]     (defaults 500, 60)
#
# Starts nginx on 127.0.0.1 with N feeds (15 min interval), starts the
# daemon, waits until its first cycle has polled every feed, then watches
# it for SECONDS while nothing is due:
#   - strace -f -c: the poll/ppoll/epoll_wait/select calls (each main-loop
#     iteration or thread wake-up makes one),
#   - perf stat: the context switches of all its threads (each wake-up
#     of a sleeping thread is one; "<not counted>" means it never ran).
# strace counts a system call when it returns: a main loop blocked in
# ppoll for the whole window shows 0 calls, which is the point.
# Target: under one wake-up per second.
set -euo pipefail

N=${1:-500}
SECS=${2:-60}
INTERVAL=${INTERVAL:-15m}  # e.g. INTERVAL=20s to see the counters move
SRC=$(cd "$(dirname "$0")/../.." && pwd)
HARK=${HARK_BUILD:-$SRC/build}/daemon/hark
PY=/usr/bin/python3
[ -x "$HARK" ] || (cd "$SRC" && cmake --preset default >/dev/null && cmake --build --preset default >/dev/null)
need=""
command -v strace >/dev/null || need="$need strace"
command -v perf >/dev/null || need="$need linux-perf"
[ -z "$need" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >/dev/null

T=$(mktemp -d "${TMPDIR:-/tmp}/hark-idle.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/www" "$T/tmp"
cp "$SRC/tests/bench/data/feedjira/AmazonWebServicesBlog.xml" "$T/www/feed.xml"
chmod -R a+rX "$T"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$T/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log warn;
events { worker_connections 1024; }
http {
    access_log $T/access.log;
    client_body_temp_path $T/tmp/body;
    proxy_temp_path $T/tmp/proxy;
    fastcgi_temp_path $T/tmp/fastcgi;
    uwsgi_temp_path $T/tmp/uwsgi;
    scgi_temp_path $T/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $T/www;
        location ~ ^/f/[0-9]+\$ { try_files /feed.xml =404; }
    }
}
EOF
nginx -p "$T" -e "$T/error.log" -c "$T/nginx.conf" </dev/null >"$T/nginx.out" 2>&1 &
PIDS+=($!)
for i in $(seq 100); do curl -s -o /dev/null --noproxy '*' "http://127.0.0.1:$port/" && break; sleep 0.05; done

{
	printf "[hark]\ndatabase = %s/hark.db\ninterval = %s\n" "$T" "$INTERVAL"
	for i in $(seq "$N"); do printf '[feed f%d]\nurl = http://127.0.0.1:%d/f/%d\n' "$i" "$port" "$i"; done
} > "$T/hark.conf"

"$HARK" run -c "$T/hark.conf" </dev/null >"$T/hark.out" 2>"$T/hark.err" &
hpid=$!
PIDS+=($hpid)
for i in $(seq 600); do
	n=$(grep -c ' 200 ' "$T/access.log" 2>/dev/null || true)
	[ "$n" -ge "$N" ] && break
	sleep 0.1
done
[ "$n" -ge "$N" ] || { echo "first cycle incomplete: $n/$N"; exit 1; }
echo "first cycle: $N feeds polled; idle from now on ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
sleep 2 # let the last writes settle

threads=$(ls /proc/"$hpid"/task | wc -l)
perf stat -x, -e context-switches -p "$hpid" -o "$T/perf.txt" -- sleep "$SECS" 2>/dev/null || true
cs=$(awk -F, '$3 == "context-switches" {print ($1 ~ /not counted/) ? 0 : $1}' "$T/perf.txt")
timeout -s INT "$SECS" strace -f -c -p "$hpid" \
	-e trace=poll,ppoll,epoll_wait,epoll_pwait,select,pselect6,futex,nanosleep,clock_nanosleep \
	-o "$T/strace.txt" 2>/dev/null || true
calls=$(awk '$NF ~ /^(poll|ppoll|epoll_wait|epoll_pwait|select|pselect6)$/ {s += $4} END {print s + 0}' "$T/strace.txt")
futex=$(awk '$NF == "futex" {print $4}' "$T/strace.txt")
polled=$(( $(grep -c ' 200 \| 304 ' "$T/access.log") - N ))

echo "window 1 (perf stat, $threads threads): ${cs:-0} context switches in ${SECS}s" \
     "= $(echo "scale=3; ${cs:-0} / $SECS" | bc) wake-ups/s"
echo "window 2 (strace -f -c): $calls poll-type calls, ${futex:-0} futex calls in ${SECS}s" \
     "= $(echo "scale=3; $calls / $SECS" | bc) wake-ups/s"
echo "feeds polled again during the windows: $polled (interval $INTERVAL)"
sed -n '1,20p' "$T/strace.txt"
