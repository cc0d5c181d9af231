#!/bin/bash
# tests/bench/poll.sh - polling throughput: hark against newsboat and
# feed2exec, on the same URLs, from one local nginx, in the same run.
#
#   tests/bench/poll.sh [N_FEEDS] [N_NEWSBOAT] [N_FEED2EXEC]
#                                    (defaults 10000, 1000, 200)
#
# Feeds: the real-world files in tests/bench/data (see its SOURCE.txt),
# replicated to N distinct URLs /f/I/NAME (nginx maps them back to the
# file; pre-compressed .gz copies are served with gzip_static, so nginx's
# own gzip CPU does not blur the figures).  Measured:
#   hark cold   `hark run --once` on an empty database: every feed 200,
#               parsed, stored, matched against two rules;
#   hark 304    the same again: every feed conditional, 304, no parse;
#   newsboat    `newsboat -x reload`, reload-threads = 8, N_NEWSBOAT feeds
#               (it sends no validators in this mode: one cycle);
#   feed2exec   `feed2exec fetch`, N_FEED2EXEC feeds, cold then warm (it
#               polls one feed at a time: a few per second cold).
# The references poll the first feeds of the same list; rates are
# compared in feeds per second.
# Every cycle's requests are counted in nginx's access log.  hark runs
# with max_per_host = 32 because every feed is on one host here (the
# polite default, 2, is for real servers).  Reference tools are installed
# with apt-get if missing.
set -euo pipefail

N=${1:-10000}
NREF=${2:-1000}
NF2E=${3:-200}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HARK_BUILD:-$SRC/build}
HARK=$BUILD/daemon/hark
PY=/usr/bin/python3

if [ ! -x "$HARK" ] || [ -n "$(find "$SRC/daemon" "$SRC/feeds" "$SRC/rules" -newer "$HARK" -name '*.c' | head -1)" ]; then
	(cd "$SRC" && cmake --preset default >/dev/null && cmake --build --preset default >/dev/null)
fi
need=""
command -v newsboat >/dev/null || need="$need newsboat"
command -v feed2exec >/dev/null || need="$need feed2exec"
if [ -n "$need" ]; then
	echo "installing$need ..."
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >/dev/null
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/hark-bench.XXXXXX")
NGINX_PID=""
cleanup() {
	[ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
	sleep 0.2
	[ -n "$NGINX_PID" ] && kill -9 "$NGINX_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# --- feeds and nginx ---------------------------------------------------
mkdir -p "$T/www" "$T/tmp"
files=()
for f in "$SRC"/tests/bench/data/*/*; do
	case "$f" in *SOURCE.txt) continue ;; esac
	b=$(basename "$f")
	cp "$f" "$T/www/$b"
	gzip -k -9 "$T/www/$b"
	touch -r "$T/www/$b" "$T/www/$b.gz"
	files+=("$b")
done
chmod -R a+rX "$T"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U="http://127.0.0.1:$port"
cat > "$T/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log warn;
events { worker_connections 4096; }
http {
    log_format bench '\$status \$request_uri';
    access_log $T/access.log bench buffer=64k;
    client_body_temp_path $T/tmp/body;
    proxy_temp_path $T/tmp/proxy;
    fastcgi_temp_path $T/tmp/fastcgi;
    uwsgi_temp_path $T/tmp/uwsgi;
    scgi_temp_path $T/tmp/scgi;
    types { application/rss+xml xml; application/json json; }
    default_type application/octet-stream;
    keepalive_requests 1000000;
    gzip_static on;
    gzip_vary on;
    server {
        listen 127.0.0.1:$port backlog=4096;
        root $T/www;
        location ~ ^/f/[0-9]+/(.+)\$ { try_files /\$1 =404; }
    }
}
EOF
nginx -p "$T" -e "$T/error.log" -c "$T/nginx.conf" </dev/null >"$T/nginx.out" 2>&1 &
NGINX_PID=$!
for i in $(seq 100); do curl -s -o /dev/null --noproxy '*' "$U/" && break; sleep 0.05; done

# URL number I: /f/I/ plus the corpus file I mod the number of files.
urls() { # urls FORMAT COUNT: FORMAT gets I and the URL
	printf '%s\n' "${files[@]}" | awk -v n="$2" -v u="$U" -v fmt="$1" '
		{ f[NR - 1] = $0 } END { for (i = 0; i < n; i++) printf fmt, i, u "/f/" i "/" f[i % NR] }'
}
{
	printf '[hark]\ndatabase = %s/hark.db\ninterval = 15m\nmax_transfers = 32\nmax_per_host = 32\n' "$T"
	urls '[feed f%d]\nurl = %s\n' "$N"
	printf '[rule refunds]\nquery = refund OR "stopped working"\nalert = console\n'
	printf '[rule cloud]\nquery = aws OR amazon OR google\nalert = console\n'
} > "$T/hark.conf"
urls '%.0s%s\n' "$NREF" > "$T/urls"
urls '[f%d]\nurl = %s\n\n' "$NF2E" > "$T/feed2exec.ini"
printf 'reload-threads 8\n' > "$T/newsboat.conf"

# --- helpers -------------------------------------------------------------
reqs() { # counts "STATUS" lines appended since the mark
	sleep 0.3 # the access log buffer flushes within a second
	kill -USR1 "$NGINX_PID" 2>/dev/null || true # reopen = flush
	sleep 0.2
	tail -n +"$(( MARK + 1 ))" "$T/access.log" | awk -v s="$1" '$1 == s' | wc -l
}
mark() { kill -USR1 "$NGINX_PID"; sleep 0.3; MARK=$(wc -l < "$T/access.log"); }
# run NAME CMD...: wall seconds in $SECS, peak RSS (KiB) in $RSS
run() {
	local name=$1; shift
	/usr/bin/time -f "%e %M %U %S" -o "$T/time.$name" "$@" > "$T/$name.out" 2> "$T/$name.err" ||
		{ echo "$name failed:"; tail -5 "$T/$name.err"; }
	read -r SECS RSS USR SYS < "$T/time.$name"; echo "  ($name: ${SECS}s wall, ${USR}s user, ${SYS}s sys)" >&2
}
rate() { echo "scale=1; $1 / $2" | bc; }

echo "feeds: $N for hark, $NREF for newsboat, $NF2E for feed2exec; ${#files[@]} corpus files; nginx at $U"

mark
# HARK_PERF=FILE: record the cold cycle with perf (call graphs) into FILE.
run hark-cold ${HARK_PERF:+perf record -g -o "$HARK_PERF"} "$HARK" run --once -c "$T/hark.conf"
cold_s=$SECS cold_rss=$RSS cold_200=$(reqs 200) cold_304=$(reqs 304)
mark
run hark-warm "$HARK" run --once -c "$T/hark.conf"
warm_s=$SECS warm_rss=$RSS warm_200=$(reqs 200) warm_304=$(reqs 304)
items=$(sqlite3 "$T/hark.db" 'SELECT count(*) FROM items' 2>/dev/null || echo '?')

if [ -n "${HARK_ONLY:-}" ]; then echo "hark: cold ${cold_s}s ($cold_200 x 200), 304 cycle ${warm_s}s ($warm_304 x 304), RSS $cold_rss/$warm_rss KiB"; exit 0; fi
mark
run newsboat newsboat -x reload -u "$T/urls" -c "$T/newsboat.db" -C "$T/newsboat.conf"
nb_s=$SECS nb_200=$(reqs 200)

mark
run f2e-cold feed2exec --config "$T/feed2exec.ini" --database "$T/f2e.db" fetch
f2c_s=$SECS f2c_200=$(reqs 200)
mark
run f2e-warm feed2exec --config "$T/feed2exec.ini" --database "$T/f2e.db" fetch
f2w_s=$SECS f2w_200=$(reqs 200) f2w_304=$(reqs 304)

hc=$(rate "$N" "$cold_s"); hw=$(rate "$N" "$warm_s")
nb=$(rate "$NREF" "$nb_s"); f2c=$(rate "$NF2E" "$f2c_s"); f2w=$(rate "$NF2E" "$f2w_s")
printf '\n%-26s %9s %10s %12s  %s\n' "cycle" "seconds" "feeds/s" "peak RSS" "nginx requests"
printf '%-26s %9s %10s %9s MiB  %s\n' "hark cold ($N)" "$cold_s" "$hc" "$((cold_rss / 1024))" "$cold_200 x 200, $cold_304 x 304"
printf '%-26s %9s %10s %9s MiB  %s\n' "hark 304 ($N)" "$warm_s" "$hw" "$((warm_rss / 1024))" "$warm_200 x 200, $warm_304 x 304"
printf '%-26s %9s %10s %12s  %s\n' "newsboat reload ($NREF)" "$nb_s" "$nb" "" "$nb_200 x 200"
printf '%-26s %9s %10s %12s  %s\n' "feed2exec cold ($NF2E)" "$f2c_s" "$f2c" "" "$f2c_200 x 200"
printf '%-26s %9s %10s %12s  %s\n' "feed2exec warm ($NF2E)" "$f2w_s" "$f2w" "" "$f2w_200 x 200, $f2w_304 x 304"
echo "hark stored $items items; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo
echo "ratios (targets in brackets):"
echo "  hark cold / newsboat        = $(echo "scale=2; $hc / $nb" | bc)x   [>= 5]"
echo "  hark 304 / feed2exec warm   = $(echo "scale=2; $hw / $f2w" | bc)x   [>= 10]"
echo "  hark 304 time / cold time   = $(echo "scale=1; 100 * $warm_s / $cold_s" | bc)%   [< 15%]"
echo "  hark peak RSS               = $(( (cold_rss > warm_rss ? cold_rss : warm_rss) / 1024 )) MiB   [< 64]"
echo "  every feed requested        : cold $((cold_200 + cold_304))/$N, 304 cycle $((warm_200 + warm_304))/$N"
