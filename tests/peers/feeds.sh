# tests/peers/feeds.sh - HTTP peers for the polling tests: nginx serving
# feed files, and the fault-injecting server.  Source after lib.sh.  Both
# bind 127.0.0.1 only, on a port the kernel picks, and register their PID
# in $T/pids so that peers_stop (the EXIT trap) ends them.

# The peers are on loopback: never through a proxy from the environment
# (tests that want one set it per command).
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost

# free_port: a port nothing listens on right now.
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# peer_nginx_start FEED_DIR [EXTRA_SERVER_DIRECTIVES]: nginx in the
# foreground (daemon off) serving a copy of FEED_DIR with ETag,
# Last-Modified and gzip.  Sets NGINX_DIR, NGINX_URL, NGINX_LOG (access
# log: "$status $request_uri $connection_requests $gzip_ratio
# $server_protocol" per line).  Also serves the same over TLS with HTTP/2
# at NGINX_TLS_URL (https://127.0.0.1:PORT, a fresh self-signed
# certificate).
peer_nginx_start() {
	local src=$1 extra=${2:-} port tport i
	NGINX_DIR="$T/nginx"
	mkdir -p "$NGINX_DIR/feeds" "$NGINX_DIR/tmp"
	cp -r "$src"/. "$NGINX_DIR/feeds/"
	# Root-started workers run as nobody.
	chmod -R a+rX "$NGINX_DIR"
	chmod a+rX "$T"
	port=$(free_port)
	tport=$(free_port)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj /CN=localhost -days 2 -keyout "$NGINX_DIR/key.pem" \
		-out "$NGINX_DIR/cert.pem" >/dev/null 2>&1 || fail "openssl req failed"
	chmod a+r "$NGINX_DIR"/*.pem
	NGINX_LOG="$NGINX_DIR/access.log"
	cat > "$NGINX_DIR/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log notice;
events { worker_connections 1024; }
http {
    log_format hark '\$status \$request_uri \$connection_requests \$gzip_ratio \$server_protocol';
    access_log $NGINX_LOG hark;
    client_body_temp_path $NGINX_DIR/tmp/body;
    proxy_temp_path       $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path     $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path       $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path        $NGINX_DIR/tmp/scgi;
    types { application/rss+xml rss; application/atom+xml atom;
            application/xml xml; application/json json; text/html html; }
    default_type application/octet-stream;
    keepalive_requests 100000;
    gzip on;
    gzip_min_length 256;
    gzip_types application/rss+xml application/atom+xml application/xml text/xml application/json;
    server {
        listen 127.0.0.1:$port;
        root $NGINX_DIR/feeds;
        $extra
    }
    server {
        listen 127.0.0.1:$tport ssl http2;
        ssl_certificate $NGINX_DIR/cert.pem;
        ssl_certificate_key $NGINX_DIR/key.pem;
        root $NGINX_DIR/feeds;
    }
}
CONF
	nginx -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" -c "$NGINX_DIR/nginx.conf" </dev/null \
		>"$NGINX_DIR/stdout.log" 2>&1 &
	echo $! >> "$T/pids"
	NGINX_PID=$!
	NGINX_URL="http://127.0.0.1:$port"
	NGINX_TLS_URL="https://127.0.0.1:$tport"
	for i in $(seq 100); do
		curl -s -o /dev/null --noproxy '*' "$NGINX_URL/" && return 0
		kill -0 "$NGINX_PID" 2>/dev/null || fail "nginx died: $(cat "$NGINX_DIR/error.log")"
		sleep 0.05
	done
	fail "nginx did not start"
}

# peer_faults_start: tests/peers/fault_server.py.  Sets FAULT_URL and
# FAULT_LOG (one line per request, see the script).
peer_faults_start() {
	local d="$T/faults" i
	mkdir -p "$d"
	"$PY" "$HARK_SRC/tests/peers/fault_server.py" "$d" </dev/null >"$d/server.log" 2>&1 &
	echo $! >> "$T/pids"
	FAULT_LOG="$d/requests.log"
	for i in $(seq 200); do
		[ -s "$d/port" ] && { FAULT_URL="http://127.0.0.1:$(cat "$d/port")"; return 0; }
		sleep 0.05
	done
	fail "fault server did not start: $(cat "$d/server.log")"
}
