#!/bin/sh
# Installs the Debian 12 packages hark needs to build and test.
# Idempotent: packages already present are left alone.
set -eu

PKGS="build-essential cmake pkg-config git ca-certificates
libcurl4-openssl-dev libxml2-dev libpcre2-dev libsqlite3-dev
libnotify-dev libglib2.0-dev libjson-glib-dev libcmocka-dev
clang libclang-rt-14-dev
systemd nginx curl dbus python3 python3-dbusmock libnotify-bin
sqlite3 libxml2-utils librsvg2-bin jq openssl mandoc groff-base man-db bsdutils
libmicrohttpd-dev chromium python3-websocket"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "setup-deps: all packages already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=""
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "setup-deps: these packages are missing:$missing" >&2
        echo "setup-deps: run this script as root (or install sudo) to install them" >&2
        exit 1
    fi
else
    SUDO=""
fi

echo "setup-deps: installing:$missing"
$SUDO apt-get update -q
# policy-rc.d keeps Debian's nginx package from starting a system-wide server.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
