#!/usr/bin/env bash
# Installs the Debian packages ofsearch builds, tests and runs with, when any is missing.
# Usage: scripts/deps.sh [--test]   (--test adds what only the test suite needs)
set -euo pipefail

pkgs=(meson ninja-build pkg-config gcc python3 libsqlite3-dev sqlite3 libcmark-dev libgumbo-dev
      libicu-dev libmicrohttpd-dev libjansson-dev libstemmer-dev libyaml-dev nettle-dev xz-utils curl)
if [ "${1:-}" = "--test" ]; then
    # python3.11-doc, postgresql-doc-15: real sites for test_html (Sphinx and DocBook HTML)
    pkgs+=(clang clang-tools libclang-rt-14-dev valgrind unicode-data prometheus chromium wrk
           hyperfine podman buildah mmdebstrap runc catatonit haproxy python3-yaml python3.11-doc
           postgresql-doc-15)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
