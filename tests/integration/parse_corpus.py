#!/usr/bin/python3
"""hark parse over every file of the copied real-world corpus.

Checks: exit status 0; every output line is a JSON object; the first line
is the feed object with exactly the contract's keys, the others items with
theirs; dates are RFC 3339 UTC or null; every XML file that expat finds
not well-formed and that hark reads as a feed is flagged bozo.  Prints a
summary and exits 1 on the first kind of failure it counts.
"""
import json
import os
import re
import subprocess
import sys
import xml.parsers.expat

HARK = os.environ["HARK"]
ROOT = os.path.join(os.environ["HARK_SRC"], "tests", "data", "feeds")
FEED_KEYS = ["type", "format", "title", "link", "bozo", "bozo_reason"]
ITEM_KEYS = ["type", "id", "link", "title", "author", "published", "updated",
             "categories", "summary", "content"]
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def well_formed(data):
    p = xml.parsers.expat.ParserCreate()
    try:
        p.Parse(data, True)
        return True
    except xml.parsers.expat.ExpatError:
        return False
    except (LookupError, ValueError):
        return True  # an encoding expat cannot read: no verdict


def main():
    files = []
    for d, _, names in os.walk(ROOT):
        for n in names:
            if n not in ("SOURCE.txt", "README.md"):
                files.append(os.path.join(d, n))
    files.sort()
    errors = []
    nfeeds = nitems = nbozo = nbroken = 0
    for path in files:
        rel = os.path.relpath(path, ROOT)
        r = subprocess.run([HARK, "parse", path], capture_output=True)
        if r.returncode != 0:
            errors.append(f"{rel}: exit {r.returncode}: {r.stderr[:200]!r}")
            continue
        lines = r.stdout.decode("utf-8").split("\n")
        if lines[-1] != "":
            errors.append(f"{rel}: output does not end with a newline")
        lines = lines[:-1]
        try:
            objs = [json.loads(l) for l in lines]
        except ValueError as e:
            errors.append(f"{rel}: invalid JSON line: {e}")
            continue
        if not objs or list(objs[0].keys()) != FEED_KEYS or objs[0]["type"] != "feed":
            errors.append(f"{rel}: bad feed line {lines[:1]}")
            continue
        for o in objs[1:]:
            if list(o.keys()) != ITEM_KEYS or o["type"] != "item":
                errors.append(f"{rel}: bad item line {o}")
                break
            for k in ("published", "updated"):
                if o[k] is not None and not DATE.match(o[k]):
                    errors.append(f"{rel}: bad date {o[k]}")
            for k in ("id", "link", "title", "author", "summary", "content"):
                if o[k] is not None and not isinstance(o[k], str):
                    errors.append(f"{rel}: {k} is not a string")
        feed = objs[0]
        is_feed = feed["format"] is not None
        if is_feed:
            nfeeds += 1
            nitems += len(objs) - 1
        if feed["bozo"]:
            nbozo += 1
            if not feed["bozo_reason"]:
                errors.append(f"{rel}: bozo without a reason")
        with open(path, "rb") as f:
            data = f.read()
        if is_feed and data.lstrip()[:1] == b"<" and not well_formed(data):
            nbroken += 1
            if not feed["bozo"]:
                errors.append(f"{rel}: not well-formed but bozo is false")
    print(f"{len(files)} files, {nfeeds} feeds, {nitems} items, {nbozo} bozo, "
          f"{nbroken} feeds not well-formed (expat), {len(errors)} errors")
    for e in errors[:50]:
        print("FAIL", e)
    return 1 if errors or nfeeds < 500 else 0


if __name__ == "__main__":
    sys.exit(main())
