#!/usr/bin/python3
"""Runs a command whose stdout is hark's `stdout` alert channel and relays
it to an HTTP receiver: each complete line that is a JSON object with a
delivery_id is POSTed to URL, with the id in X-Hark-Delivery, before the
next line is read.  A line cut short by a kill -9 of the command is not
JSON and is dropped (hark still has that delivery pending and sends it
again on its next run).

The command's stdout is a pipe of one page, and each POST is followed by
a DELAY_MS pause, so that, like a slow webhook, the receiver paces hark's
sending: hark blocks in write() while deliveries are still pending,
which is what a kill during delivery has to hit.  The command's PID is
written to PIDFILE as soon as it runs.

Usage: stdout_relay.py URL DELAY_MS PIDFILE COMMAND [ARG...]
Exits 0 once the command's output ends (the command's status is ignored).
"""
import fcntl
import json
import os
import subprocess
import sys
import time
import urllib.request

url, delay, pidfile = sys.argv[1], float(sys.argv[2]) / 1000, sys.argv[3]
r, w = os.pipe()
F_SETPIPE_SZ = 1031
fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
proc = subprocess.Popen(sys.argv[4:], stdout=w)
os.close(w)
with open(pidfile + ".tmp", "w") as f:
    f.write(str(proc.pid))
os.rename(pidfile + ".tmp", pidfile)

with os.fdopen(r, "rb") as out:
    for raw in out:
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
        if delay:
            time.sleep(delay)
proc.wait()
