#!/usr/bin/python3
"""Item counts and dates: hark parse vs feedparser (python3-feedparser) and sfeed.

Run by hand, not by CTest (the reference tools are not build dependencies):
    /usr/bin/python3 tests/integration/feedparser_counts.py build/daemon/hark
Every file of tests/data/feeds that hark reads as a feed is also given to
feedparser and, for RSS/Atom, to sfeed.  Prints each file where the counts
differ and a summary, with the not-well-formed ("bozo") files counted apart.
Then, for feeds where hark and feedparser find the same items, compares
each item's date (published, else updated) and lists the ones that differ
or that only one of them could read.
Exit status 0 always: this is a report, differences need a human.
"""
import os
import shutil
import subprocess
import sys
import json
import calendar
import datetime

import feedparser

HARK = sys.argv[1] if len(sys.argv) > 1 else "build/daemon/hark"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "feeds")
SFEED = shutil.which("sfeed")


DATES = {"same": 0, "differ": [], "hark_only": [], "fp_only": []}


def compare_dates(rel, entries, items):
    for e, h in zip(entries, items):
        raw = e.get("published") or e.get("updated")
        t = e.get("published_parsed") or e.get("updated_parsed")
        hd = h["published"] or h["updated"]
        if t is None and hd is None:
            continue
        if hd is None:
            DATES["fp_only"].append((rel, raw))
        elif t is None:
            DATES["hark_only"].append((rel, raw, hd))
        else:
            hs = calendar.timegm(datetime.datetime.strptime(hd, "%Y-%m-%dT%H:%M:%SZ").timetuple())
            if calendar.timegm(t) == hs:
                DATES["same"] += 1
            else:
                DATES["differ"].append((rel, raw, hd, time_str(t)))


def time_str(t):
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(t[:6])


def main():
    rows = []
    for d, _, names in os.walk(ROOT):
        for n in sorted(names):
            if n in ("SOURCE.txt", "README.md"):
                continue
            path = os.path.join(d, n)
            out = subprocess.run([HARK, "parse", path], capture_output=True).stdout
            lines = [json.loads(l) for l in out.decode().splitlines()]
            feed = lines[0]
            if feed["format"] is None:
                continue
            hark = len(lines) - 1
            with open(path, "rb") as f:
                data = f.read()
            fp = feedparser.parse(data)
            fpn = len(fp.entries)
            sf = None
            if SFEED and feed["format"].startswith(("rss", "atom")):
                r = subprocess.run([SFEED], input=data, capture_output=True)
                sf = len(r.stdout.splitlines())
            rows.append((os.path.relpath(path, ROOT), feed["format"], feed["bozo"],
                         bool(fp.bozo), hark, fpn, sf))
            if hark == fpn:
                compare_dates(os.path.relpath(path, ROOT), fp.entries, lines[1:])
    same_fp = [r for r in rows if r[4] == r[5]]
    same_sf = [r for r in rows if r[6] is not None and r[4] == r[6]]
    with_sf = [r for r in rows if r[6] is not None]
    print(f"{'file':70} {'format':10} {'bozo h/fp':9} {'hark':>5} {'fp':>5} {'sfeed':>5}")
    for r in rows:
        if r[4] != r[5] or (r[6] is not None and r[4] != r[6]):
            print(f"{r[0][:70]:70} {r[1]:10} {int(r[2])}/{int(r[3])}       "
                  f"{r[4]:5} {r[5]:5} {'-' if r[6] is None else r[6]:>5}")
    print(f"\n{len(rows)} feeds: hark = feedparser on {len(same_fp)}, "
          f"hark = sfeed on {len(same_sf)} of {len(with_sf)}")
    broken = [r for r in rows if r[2] and r[3]]
    print(f"bozo for both hark and feedparser: {len(broken)}; same count as feedparser on "
          f"{sum(1 for r in broken if r[4] == r[5])}, as sfeed on "
          f"{sum(1 for r in broken if r[6] is not None and r[4] == r[6])} "
          f"of {sum(1 for r in broken if r[6] is not None)}")
    print(f"items: hark {sum(r[4] for r in rows)}, feedparser {sum(r[5] for r in rows)}")
    print(f"\ndates: same {DATES['same']}, differ {len(DATES['differ'])}, "
          f"only hark {len(DATES['hark_only'])}, only feedparser {len(DATES['fp_only'])}")
    for r in DATES["differ"]:
        print(f"  differ: {r[0][:60]}: {r[1]!r} hark {r[2]} feedparser {r[3]}")
    for r in DATES["hark_only"] + DATES["fp_only"]:
        print(f"  one side: {r}")


if __name__ == "__main__":
    main()
