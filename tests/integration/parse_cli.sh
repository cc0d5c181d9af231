#!/bin/bash
# hark parse: input forms, options, exit statuses.
set -uo pipefail
D="$HARK_SRC/tests/data"
fail=0
check() { # NAME EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then echo "FAIL $1: want [$2] got [$3]"; fail=1; else echo "ok $1"; fi
}
jq_() { /usr/bin/python3 -c "import json,sys
lines=[json.loads(l) for l in sys.stdin]
print(eval(sys.argv[1]))" "$1"; }

F="$D/feeds/feedjira/spec/sample_feeds/TechCrunch.xml"
# a file and the same bytes on stdin give the same output
out_file=$("$HARK" parse "$F"); check "file exit" 0 $?
out_stdin=$("$HARK" parse - < "$F"); check "stdin exit" 0 $?
check "stdin = file" "$out_file" "$out_stdin"
check "feed line" "rss2.0 True 20" "$(echo "$out_file" | jq_ 'lines[0]["format"], lines[0]["bozo"], len(lines) - 1' | tr -d "(),'")"
# --html keeps markup, the default does not
plain=$(echo "$out_file" | jq_ 'lines[1]["summary"]')
html=$("$HARK" parse --html "$F" | jq_ 'lines[1]["summary"]')
case "$plain" in *"<"*) check "clean text has no markup" "" "$plain";; *) check "clean text has no markup" x x;; esac
case "$html" in *"<p>"*|*"<img"*|*"<a "*) check "--html keeps markup" x x;; *) check "--html keeps markup" "markup" "$html";; esac
# not a feed: a feed line anyway, exit 0
out=$("$HARK" parse "$D/feeds/rome/rome/src/test/resources/logback-test.xml" 2>/dev/null); check "non-feed exit" 0 $?
check "non-feed line" "None True" "$(echo "$out" | jq_ 'lines[0]["format"], lines[0]["bozo"]' | tr -d "(),'")"
# errors
"$HARK" parse /nonexistent/file.xml >/dev/null 2>&1; check "missing file" 1 $?
"$HARK" parse >/dev/null 2>&1; check "no argument" 1 $?
"$HARK" parse --item '//a[' "$D/forum/thread-list.html" >/dev/null 2>&1; check "bad XPath" 1 $?
# forum page through the CLI
n=$("$HARK" parse --base https://f.example/c/ --item "//tr[contains(@class,'topic-row')]" \
    --title ".//a[contains(@class,'topic-title')]" "$D/forum/thread-list.html" | jq_ 'len(lines) - 1')
check "forum items" 4 "$n"
# a charset header
out=$(printf '<rss version="2.0"><channel><title>\xe9t\xe9</title></channel></rss>' |
      "$HARK" parse --content-type 'text/xml; charset=iso-8859-1' - | jq_ 'lines[0]["title"]')
check "content-type charset" "été" "$out"
exit $fail
