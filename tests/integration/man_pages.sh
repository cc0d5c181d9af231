#!/bin/bash
# The man pages: every page in man/ is installed by cmake --install, renders
# without a warning (groff -ww, mandoc -Tlint), and hark.conf(5) as shown by
# man -l documents every key `hark check --list-keys` prints, under its
# section's heading.
source "$HARK_SRC/tests/peers/lib.sh"

cmake --install "$HARK_BUILD" --prefix "$T/h" > "$T/install.log" ||
	fail "cmake --install: $(cat "$T/install.log")"
for page in "$HARK_SRC"/man/*.[1-9]; do
	name=$(basename "$page")
	sec=${name##*.}
	[ -f "$T/h/share/man/man$sec/$name" ] || fail "$name not installed in man$sec"
	groff -ww -z -mandoc "$page" 2> "$T/groff.err"
	[ ! -s "$T/groff.err" ] || { cat "$T/groff.err"; fail "groff warns about $name"; }
	if command -v mandoc > /dev/null; then
		# "referenced manual not found": the other pages are not in the
		# system's database, which says nothing about the page.
		mandoc -Tlint "$page" 2>&1 | grep -E ': (WARNING|ERROR|UNSUPP)' |
			grep -v 'referenced manual not found' > "$T/lint" || true
		[ ! -s "$T/lint" ] || { cat "$T/lint"; fail "mandoc -Tlint warns about $name"; }
	fi
	MANWIDTH=100 man -l "$T/h/share/man/man$sec/$name" > "$T/$name.txt" 2> "$T/man.err"
	[ ! -s "$T/man.err" ] || { cat "$T/man.err"; fail "man -l $name printed warnings"; }
	ok "$name installed and renders cleanly"
done
[ -f "$T/h/share/bash-completion/completions/hark" ] || fail "bash completion not installed"
ok "bash completion installed"

"$HARK" check --list-keys > "$T/keys"
[ "$(wc -l < "$T/keys")" -gt 20 ] || fail "--list-keys printed too little: $(cat "$T/keys")"
"$PY" - "$T/keys" "$T/hark.conf.5.txt" <<'PY' || fail "hark.conf(5) misses keys"
import re, sys
keys = [l.split() for l in open(sys.argv[1]) if l.strip()]
page = open(sys.argv[2]).read().splitlines()
# Subsection headings ("   [feed NAME]") open a section; tags ("     key = ...",
# "     username = name, password = secret") name its keys.
section, documented = None, set()
for line in page:
    if re.match(r'^ {3}\S', line):
        m = re.match(r'^ {3}\[(\w+)[^\]]*\]\s*$', line)
        section = m.group(1) if m else None
        continue
    if re.match(r'^\S', line):
        section = None
        continue
    m = re.match(r'^ {5}(\w+) = ', line)
    if section and m:
        for k in re.findall(r'(?:^|, )(\w+) = ', line.strip()):
            documented.add((section, k))
missing = [f"{s} {k}" for s, k in keys if (s, k) not in documented]
if missing:
    print("not in hark.conf(5):", ", ".join(missing))
    sys.exit(1)
print(f"{len(keys)} keys documented")
PY
ok "hark.conf(5) documents every key hark check accepts"
