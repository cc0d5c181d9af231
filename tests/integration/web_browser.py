#!/usr/bin/python3
"""Drives headless Chromium over the DevTools protocol against a running
hark web page (python3-websocket; nothing is installed here).

    web_browser.py BASE_URL FEED_FILE SHOT_DIR

Checks, failing with exit 1 and a message:
  - the stream page shows the stored hits, with highlighted terms and
    sentiment colours, and its live stream connects;
  - a new matching item appended to FEED_FILE appears on the open page
    without a reload (the daemon polls the file every second);
  - "Mark handled" marks it, in the page and in the store (/api/hits);
  - "Mute rule" answers with the time;
  - the charts page has one SVG per rule with bars linking to the stream,
    and clicking a bar opens the stream of its hits;
  - the feeds page lists every feed with its status.
Screenshots of every page (wall-screen and phone sizes) go to SHOT_DIR.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok - " + msg)


class Browser:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hark-chromium.")
        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking",
             "--remote-debugging-port=0", "--remote-allow-origins=*",
             "--user-data-dir=" + self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.dir, "DevToolsActivePort")
        for _ in range(200):
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                break
            time.sleep(0.05)
        else:
            self.close()
            fail("chromium did not start")
        port = open(port_file).read().split()[0]
        pages = []
        for _ in range(100):
            with urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            if pages:
                break
            time.sleep(0.05)
        if not pages:
            self.close()
            fail("no page target in chromium")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                              timeout=30)
        self.seq = 0
        self.events = []
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, retry_navigation=False, **params):
        for attempt in range(20):
            self.seq += 1
            self.ws.send(json.dumps({"id": self.seq, "method": method,
                                     "params": params}))
            while True:
                msg = json.loads(self.ws.recv())
                if msg.get("id") == self.seq:
                    break
                self.events.append(msg)
            if "error" not in msg:
                return msg.get("result", {})
            # A late navigation (the start page committing after ours on
            # a busy machine) ends the evaluation's context: ask again.
            if retry_navigation and "navigated" in str(msg["error"]):
                time.sleep(0.2)
                continue
            fail("%s: %s" % (method, msg["error"]))
        fail("%s: the page kept navigating" % method)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", retry_navigation=True, expression=expr,
                      returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            fail("script error in %r: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait(self, expr, what, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            if self.eval(expr):
                return
            time.sleep(0.1)
        fail("timed out waiting for " + what)

    def open(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete' && location.href === %s"
                  % json.dumps(url), "page load of " + url)

    def size(self, w, h, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride", width=w, height=h,
                  deviceScaleFactor=1, mobile=mobile)

    def shot(self, path, full=True):
        params = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
            m = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": m["width"],
                              "height": min(m["height"], 4000), "scale": 1}
        data = self.call("Page.captureScreenshot", **params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def api(base, path):
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)


NEW_ITEM = """<item>
<title>Refund still missing after the AX5000 recall</title>
<link>https://forum.acme.example/t/refund-still-missing/9001</link>
<guid>https://forum.acme.example/t/refund-still-missing/9001</guid>
<description>Acme promised a refund in May and I am still waiting. Terrible support.</description>
<pubDate>Mon, 23 Nov 2026 08:00:00 +0000</pubDate>
</item>
"""


def main():
    base, feed_file, shots = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    os.makedirs(shots, exist_ok=True)
    before = api(base, "/api/hits")["count"]
    b = Browser()
    try:
        b.size(1600, 1000)
        b.open(base + "/")
        n = b.eval("document.querySelectorAll('#stream li.hit').length")
        if n != before or n == 0:
            fail("stream page shows %s hits, the API %s" % (n, before))
        ok("stream page shows the %d stored hits" % n)
        if not b.eval("document.querySelectorAll('#stream li.hit .title mark, "
                      "#stream li.hit .snip mark').length > 0"):
            fail("no matched term highlighted")
        ok("matched terms are highlighted")
        if not b.eval("[...document.querySelectorAll('#stream li.hit')]"
                      ".some(li => /\\bs(10|[0-9])\\b/.test(li.className))"):
            fail("no sentiment colour class on the hits")
        ok("hits carry a sentiment colour")
        b.wait("document.getElementById('live').className === 'dot on'",
               "the live stream to connect")
        ok("live stream connected")

        # A new matching item in the feed file: the daemon polls it every
        # second, and the open page must show it without a reload.
        with open(feed_file) as f:
            xml = f.read()
        with open(feed_file + ".tmp", "w") as f:
            f.write(xml.replace("<item>", NEW_ITEM + "<item>", 1))
        os.rename(feed_file + ".tmp", feed_file)
        b.wait("[...document.querySelectorAll('#stream li.hit .title')].some("
               "t => t.textContent.includes('Refund still missing'))",
               "the new item to appear live", timeout=20)
        first = b.eval("document.querySelector('#stream li.hit .title').textContent")
        if "Refund still missing" not in first:
            fail("the new hit is not at the top: %r" % first)
        if b.eval("location.href") != base + "/":
            fail("the page navigated")
        ok("new matching item appeared live at the top of the stream")
        hit_id = b.eval("document.querySelector('#stream li.hit').dataset.id")
        if not b.eval("document.querySelector('#stream li.hit .title mark') !== null"):
            fail("the live hit has no highlighted term")
        ok("the live hit has its term highlighted")
        b.shot(os.path.join(shots, "stream.png"))

        # Mark handled: the page and the store both say so.
        b.eval("document.querySelector('#hit-%s button[data-act=handle]').click()" % hit_id)
        b.wait("document.getElementById('hit-%s').classList.contains('handled')" % hit_id,
               "the hit to show as handled")
        label = b.eval("document.querySelector('#hit-%s button[data-act=handle]')"
                       ".textContent" % hit_id)
        if not label.startswith("Handled"):
            fail("handle button says %r" % label)
        stored = [h for h in api(base, "/api/hits?limit=1000")["hits"]
                  if str(h["id"]) == hit_id]
        if not stored or not stored[0]["handled"]:
            fail("hit %s not handled in the store: %r" % (hit_id, stored))
        unhandled = api(base, "/api/hits?unhandled=1&limit=1000")["hits"]
        if any(str(h["id"]) == hit_id for h in unhandled):
            fail("handled hit still listed with unhandled=1")
        ok("mark handled: page updated and stored (hit %s)" % hit_id)

        b.eval("document.querySelector('#hit-%s button[data-act=mute]').click()" % hit_id)
        b.wait("document.querySelector('#hit-%s button[data-act=mute]').textContent"
               ".startsWith('Muted until')" % hit_id, "the mute button to answer")
        ok("mute rule answered")
        b.shot(os.path.join(shots, "stream-handled.png"), full=False)

        # Reload: the handled state comes from the store.
        b.open(base + "/?unhandled=1")
        if b.eval("document.getElementById('hit-%s') !== null" % hit_id):
            fail("handled hit shown with 'unhandled only'")
        ok("'unhandled only' hides the handled hit after a reload")

        b.open(base + "/charts")
        charts = b.eval("document.querySelectorAll('section.card svg.chart').length")
        rules = len(api(base, "/api/stats")["rules"])
        if charts != rules or charts == 0:
            fail("charts page has %s charts for %s rules" % (charts, rules))
        bars = b.eval("document.querySelectorAll('svg.chart a rect.bar').length")
        if bars == 0:
            fail("no bars on the charts page")
        ok("charts page: %d charts, %d bars" % (charts, bars))
        b.shot(os.path.join(shots, "charts.png"))
        # Click a bar of the first rule with hits: the stream of its hits.
        href = b.eval("document.querySelector('svg.chart a').getAttribute('href')")
        # (Guarded: should the evaluation be retried after the navigation
        # it starts, the stream page has no bar to click.)
        b.eval("(function () { var r = document.querySelector('svg.chart a rect.bar');"
               " if (r) r.dispatchEvent(new MouseEvent('click', {bubbles: true}));"
               " return true; })()")
        b.wait("location.pathname === '/' && document.readyState === 'complete' "
               "&& location.search.includes('window=custom')", "the bar's stream")
        n = b.eval("document.querySelectorAll('#stream li.hit').length")
        if not n:
            fail("the bar's stream (%s) is empty" % href)
        ok("clicking a bar opens its %d hit(s): %s" % (n, href))

        b.open(base + "/feeds")
        rows = b.eval("document.querySelectorAll('table.feeds tbody tr').length")
        feeds = len(api(base, "/api/feeds")["feeds"])
        if rows != feeds:
            fail("feeds page has %s rows for %s feeds" % (rows, feeds))
        if b.eval("document.querySelectorAll('.pill.ok').length") != feeds:
            fail("not every feed shows ok")
        ok("feeds page: %d feeds, all ok" % rows)
        b.shot(os.path.join(shots, "feeds.png"))

        # A phone.
        b.size(390, 844, mobile=True)
        b.open(base + "/")
        if b.eval("document.documentElement.scrollWidth > window.innerWidth + 1"):
            fail("the stream page scrolls sideways on a phone")
        b.shot(os.path.join(shots, "stream-phone.png"), full=False)
        b.open(base + "/charts")
        b.shot(os.path.join(shots, "charts-phone.png"), full=False)
        ok("phone-sized stream fits the width; screenshots in " + shots)
    finally:
        b.close()


if __name__ == "__main__":
    main()
