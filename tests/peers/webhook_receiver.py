#!/usr/bin/python3
"""A webhook receiver for hark's tests: verifies X-Hark-Signature and can
inject faults.

    webhook_receiver.py DIR SECRET [PORT]

Listens on 127.0.0.1 (PORT, or a free one), writes the port to DIR/port,
and appends one JSON line per request to DIR/requests.jsonl:
    {"t": unix time, "delivery": X-Hark-Delivery, "status": answered,
     "sig_ok": bool, "rule": .., "title": .., "kind": .., "fault": ..}
Every 2xx-answered delivery id is also recorded in DIR/accepted.jsonl,
once: a copy of an id already accepted is answered 200 and logged with
"duplicate": true (what a receiver is meant to do with X-Hark-Delivery).

Faults come from DIR/faults, read on every request: one per line, the
first line is used and removed: "500", "404", "429 SECONDS" (with
Retry-After), "301", "hang SECONDS" (sleep, then drop the connection),
"badsig" (answer as though the signature were wrong).  An empty file
means answer normally.  A wrong or missing signature is always a 401,
unless SECRET is "-" (no checking: benchmarks with unsigned clients).
"""
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

DIR, SECRET = sys.argv[1], sys.argv[2].encode()
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 0
LOCK = threading.Lock()
ACCEPTED = set()


def next_fault():
    path = os.path.join(DIR, "faults")
    with LOCK:
        try:
            with open(path) as f:
                lines = [l for l in f.read().splitlines() if l.strip()]
        except FileNotFoundError:
            return None
        if not lines:
            return None
        with open(path, "w") as f:
            f.write("".join(l + "\n" for l in lines[1:]))
        return lines[0].split()


def log(name, rec):
    with LOCK:
        with open(os.path.join(DIR, name), "a") as f:
            f.write(json.dumps(rec) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes

    def log_message(self, *args):
        pass

    def answer(self, status, headers=()):
        body = b"{}" if status < 300 else b'{"error":"injected"}'
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        ts = self.headers.get("X-Hark-Timestamp", "")
        sig = self.headers.get("X-Hark-Signature", "")
        want = "sha256=" + hmac.new(SECRET, ts.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
        sig_ok = SECRET == b"-" or (hmac.compare_digest(sig, want) and
                                    ts.isdigit() and abs(time.time() - int(ts)) < 300)
        delivery = self.headers.get("X-Hark-Delivery", "")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        rec = {"t": time.time(), "delivery": delivery, "sig_ok": sig_ok,
               "rule": payload.get("rule"), "kind": payload.get("kind"),
               "title": (payload.get("item") or {}).get("title"),
               # Chat formats: Slack/Mattermost "text", Discord
               # "content", Teams MessageCard "summary".
               "text": payload.get("text") or payload.get("content")
                       or payload.get("summary"),
               "body_id": payload.get("delivery_id"),
               "user_agent": self.headers.get("User-Agent", ""),
               "extra": self.headers.get("X-Team", "")}
        fault = next_fault()
        rec["fault"] = " ".join(fault) if fault else None
        if fault and fault[0] == "hang":
            log("requests.jsonl", dict(rec, status=0))
            time.sleep(float(fault[1]))
            self.close_connection = True
            return
        if not sig_ok or (fault and fault[0] == "badsig"):
            status, headers = 401, ()
        elif fault and fault[0] == "429":
            status, headers = 429, (("Retry-After", fault[1]),)
        elif fault and fault[0] == "301":
            status, headers = 301, (("Location", "http://127.0.0.1:1/x"),)
        elif fault:
            status, headers = int(fault[0]), ()
        else:
            status, headers = 200, ()
        if status == 200:
            with LOCK:
                dup = delivery in ACCEPTED
                ACCEPTED.add(delivery)
            rec["duplicate"] = dup
            if not dup:
                log("accepted.jsonl", rec)
        log("requests.jsonl", dict(rec, status=status))
        self.answer(status, headers)


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    os.makedirs(DIR, exist_ok=True)
    # A restarted receiver remembers what it accepted before.
    try:
        with open(os.path.join(DIR, "accepted.jsonl")) as f:
            for line in f:
                ACCEPTED.add(json.loads(line)["delivery"])
    except FileNotFoundError:
        pass
    srv = Server(("127.0.0.1", PORT), Handler)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
