#!/usr/bin/python3
"""fault_server.py - an HTTP server on 127.0.0.1 that misbehaves on purpose.

Usage: fault_server.py DIR
Binds a free loopback port, writes it to DIR/port (the ready signal) and
logs one line per request to DIR/requests.log:
    PATH<TAB>If-None-Match<TAB>If-Modified-Since<TAB>Authorization<TAB>X-Test<TAB>User-Agent

Paths (everything else is 404):
  /ok.xml            a valid RSS feed (ETag, Last-Modified, 304 on match)
  /drip.xml          200 B/s of a 20 kB body: the total timeout ends it
  /stall.xml         headers, then nothing: the low-speed limit ends it
  /status/N          status N (e.g. 500), empty body
  /429               429 with Retry-After: 120
  /gone              410
  /p301/N, /p308/N   a chain of N permanent redirects, then /ok.xml
  /p302, /p307       one temporary redirect to /ok.xml
  /p301-then-302     301 to /p302 (the feed moves to /p302 only)
  /loop              302 to itself (forever)
  /tofile            302 to file:///etc/passwd
  /big.xml           2 MiB with Content-Length
  /bigchunked.xml    2 MiB without Content-Length (close-delimited)
  /bomb.xml          gzip Content-Encoding: 64 kB that inflate to 64 MiB
  /truncated.xml     Content-Length 5000, 300 bytes, then close
  /reset.xml         the connection is reset (RST) after the request
  /notfeed.html      200 text/html that is no feed
  /flaky.xml         500 until the file DIR/healthy exists, then /ok.xml
  http://ANY/...     (a proxy request) the /ok.xml feed
"""
import gzip
import http.server
import os
import socket
import socketserver
import struct
import sys
import time

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Fault server feed</title>
<link>http://127.0.0.1/</link><description>test</description>
<item><title>First post about refunds</title><link>http://127.0.0.1/1</link>
<guid>fault-1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>
<description>Waiting for a refund.</description></item>
<item><title>Second post</title><link>http://127.0.0.1/2</link>
<guid>fault-2</guid><pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>
<description>All good.</description></item>
</channel></rss>
"""
ETAG = '"fault-v1"'
LAST_MODIFIED = "Mon, 01 Jan 2024 10:00:00 GMT"
BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log_request_line(self):
        h = self.headers
        with open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write("\t".join([self.path, h.get("If-None-Match", "-"),
                               h.get("If-Modified-Since", "-"),
                               h.get("Authorization", "-"),
                               h.get("X-Test", "-"),
                               h.get("User-Agent", "-")]) + "\n")

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status, to):
        self.send(status, b"", [("Location", to)])

    def do_GET(self):
        self.log_request_line()
        p = self.path
        if p.startswith("http://"):
            p = "/ok.xml"  # acting as the proxy: serve the feed
        if p == "/ok.xml":
            if self.headers.get("If-None-Match") == ETAG:
                self.send(304, b"", [("ETag", ETAG)])
                return
            self.send(200, RSS, [("Content-Type", "application/rss+xml"),
                                 ("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)])
        elif p == "/drip.xml":
            self.send_response(200)
            self.send_header("Content-Length", "20000")
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b" " * 20)
                self.wfile.flush()
                time.sleep(0.1)
        elif p == "/stall.xml":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
        elif p.startswith("/status/"):
            self.send(int(p.split("/")[2]))
        elif p == "/429":
            self.send(429, b"slow down", [("Retry-After", "120")])
        elif p == "/gone":
            self.send(410, b"gone")
        elif p.startswith("/p301/") or p.startswith("/p308/"):
            n = int(p.split("/")[2])
            code = int(p[2:5])
            self.redirect(code, "/%s/%d" % (p[1:5], n - 1) if n > 1 else "/ok.xml")
        elif p == "/p302":
            self.redirect(302, "/ok.xml")
        elif p == "/p307":
            self.redirect(307, "/ok.xml")
        elif p == "/p301-then-302":
            self.redirect(301, "/p302")
        elif p == "/loop":
            self.redirect(302, "/loop")
        elif p == "/tofile":
            self.redirect(302, "file:///etc/passwd")
        elif p == "/big.xml":
            self.send(200, b"<rss>" + b" " * (2 * 1024 * 1024) + b"</rss>")
        elif p == "/bigchunked.xml":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for _ in range(64):
                self.wfile.write(b" " * 32768)
        elif p == "/bomb.xml":
            self.send(200, BOMB, [("Content-Encoding", "gzip"),
                                  ("Content-Type", "application/rss+xml")])
        elif p == "/truncated.xml":
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(RSS[:300])
            self.wfile.flush()
            self.close_connection = True
        elif p == "/reset.xml":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif p == "/flaky.xml":
            if os.path.exists(os.path.join(DIR, "healthy")):
                self.send(200, RSS, [("Content-Type", "application/rss+xml")])
            else:
                self.send(500, b"down")
        elif p == "/notfeed.html":
            self.send(200, b"<html><body>hello</body></html>",
                      [("Content-Type", "text/html")])
        else:
            self.send(404, b"no such fault")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    DIR = sys.argv[1]
    srv = Server(("127.0.0.1", 0), Handler)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    srv.serve_forever()
