#!/usr/bin/env bash
# What the test suite needs beside Python packages, from Debian's packages when missing:
# - redis-server: the distributed crawl's tests start a real Redis on 127.0.0.1 (tests/redis_server.py);
# - chromium: the browser test of `newscrawler serve` (Playwright drives Debian's chromium, no download).
# - sqlite3: docs/analysts.md's SQL examples are run in the sqlite3 shell itself (tests/test_analysts.py).
# - iproute2 (ip): the distributed crawl across network namespaces (tests/test_distributed_netns.py, as root).
# Needs root (or sudo) and apt-get; elsewhere it says what is missing and those tests skip themselves
# (in CI, NEWSCRAWLER_REQUIRE_SERVICES=1 turns such a skip into a failure).
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-services: no apt-get here; install ${missing[*]} by hand, or their tests skip" >&2
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
        echo "test-services: not root; install ${missing[*]} by hand (apt-get install ${missing[*]}), or their tests skip" >&2
        exit 0
    fi
fi
$sudo apt-get update -q
# redis-server's package starts a system service where systemd runs; the tests start their own on a free port
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
