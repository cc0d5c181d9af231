#!/usr/bin/python3
"""Feeds for kill9.sh at run RUN: three RSS files in DIR.

  a.xml  10 new items per run, stable guids, every item so far (a kill
         before a feed's commit must not let items slip out of a window);
  b.xml  the same rhythm, but every guid changes on every run (rotating);
  c.xml  a syndicated copy of a.xml's items: same text, another site's
         links with tracking parameters (near-duplicates: never alert).

Texts are pseudo-random words (seeded per item) so that distinct items
are far apart in SimHash.  Usage: gen_kill9_feeds.py DIR RUN
"""
import random
import sys
from xml.sax.saxutils import escape

d, run = sys.argv[1], int(sys.argv[2])
SYL = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "da", "zo", "gu",
       "fe", "ba", "xi", "ho", "ju", "wy", "qe", "ce"]


def text(seed):
    r = random.Random(seed)
    words = ["".join(r.choice(SYL) for _ in range(r.randint(2, 4))) for _ in range(40)]
    return "Acme " + " ".join(words) + "."


def feed(path, items):
    with open(path + ".tmp", "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                "<title>t</title><link>https://example.com/</link>\n")
        for guid, link, title, body in items:
            f.write(f"<item><guid isPermaLink=\"false\">{escape(guid)}</guid>"
                    f"<link>{escape(link)}</link><title>{escape(title)}</title>"
                    f"<description>{escape(body)}</description></item>\n")
        f.write("</channel></rss>\n")
    import os
    os.replace(path + ".tmp", path)


hi = 10 * run
ns = range(hi - 1, -1, -1)
feed(f"{d}/a.xml", [(f"a-{n}", f"https://a.example/post/{n}", f"Acme A {n}", text(f"a{n}"))
                   for n in ns])
feed(f"{d}/b.xml", [(f"b-{n}-run{run}", f"https://b.example/post/{n}", f"Acme B {n}",
                     text(f"b{n}")) for n in ns])
feed(f"{d}/c.xml", [(f"c-{n}", f"https://c.example/mirror/{n}?utm_source=rss&fbclid=z{run}",
                     f"Acme A {n} (mirror)", text(f"a{n}")) for n in ns])
