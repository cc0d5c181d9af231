#!/usr/bin/python3
"""Feed server for tests/bench/deliver.sh: every GET of /feed/N publishes
one new item in feed N (until TOTAL items were published) and serves the
feed's last 20 items.  Logs "GUID UNIX-TIME" per published item (the time
the response carrying it was sent) to DIR/published.

    feed_server.py DIR TOTAL
"""
import http.server
import os
import sys
import threading
import time

DIR, TOTAL = sys.argv[1], int(sys.argv[2])
LOCK = threading.Lock()
FEEDS = {}
PUBLISHED = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        new = None
        with LOCK:
            items = FEEDS.setdefault(name, [])
            if PUBLISHED[0] < TOTAL:
                PUBLISHED[0] += 1
                new = "bench-%s-%d" % (name, len(items) + 1)
                items.append(new)
            last = items[-20:]
        body = ['<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>'
                '<link>http://bench.test/</link>' % name]
        for g in reversed(last):
            # Words of its own per item: no near-duplicates.
            own = " ".join("%sw%d" % (g.replace("-", "x"), j) for j in range(12))
            body.append('<item><title>%s</title><link>http://bench.test/%s</link>'
                        '<guid>%s</guid><description>benchword item %s</description>'
                        '</item>' % (g, g, g, own))
        body.append("</channel></rss>")
        data = "".join(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        t = time.time()
        self.wfile.write(data)
        if new:
            with LOCK:
                with open(os.path.join(DIR, "published"), "a") as f:
                    f.write("%s %.6f\n" % (new, t))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
