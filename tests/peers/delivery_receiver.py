#!/usr/bin/python3
"""A real HTTP receiver for delivery tests: accepts POSTs and appends one
line per request to LOG: "<delivery id> <item link>", the id taken from
the X-Hark-Delivery header or else the body's "delivery_id".  Writes its
port to PORTFILE once listening.  With DELAY_MS, each answer (204) comes
that long after the request was logged, like a slow webhook endpoint.
Usage: delivery_receiver.py LOG PORTFILE [DELAY_MS]
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = open(sys.argv[1], "a", buffering=1)
DELAY = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        did = self.headers.get("X-Hark-Delivery")
        link = "-"
        try:
            doc = json.loads(body)
            did = did or doc.get("delivery_id")
            link = (doc.get("item") or {}).get("link") or "-"
        except ValueError:
            pass
        LOG.write(f"{did or '-'} {link}\n")
        if DELAY:
            time.sleep(DELAY)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
