#!/usr/bin/python3
"""Relays hark's `stdout` alert channel to an HTTP receiver: each complete
line on stdin that is a JSON object is POSTed to URL with its delivery_id
in X-Hark-Delivery, before the next line is read.  A line cut short by a
kill -9 of the writer is not JSON and is dropped (hark still has that
delivery pending and sends it again).  Usage: stdout_relay.py URL
"""
import json
import sys
import urllib.request

url = sys.argv[1]
for raw in sys.stdin.buffer:
    if not raw.endswith(b"\n"):
        continue
    try:
        doc = json.loads(raw)
    except ValueError:
        continue
    if not isinstance(doc, dict) or "delivery_id" not in doc:
        continue
    req = urllib.request.Request(url, data=raw.rstrip(b"\n"), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "X-Hark-Delivery": doc["delivery_id"]})
    urllib.request.urlopen(req, timeout=10).read()
