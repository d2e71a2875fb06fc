#!/usr/bin/env bash
# Make sure Debian's Chromium (and a CJK font, for screenshots of Chinese
# pages) is available for the Playwright browser tests.
#
# Exit 0 if /usr/bin/chromium exists, or if it could be installed (root + apt-get).
# Exit 1 with a message otherwise.
set -u

CHROMIUM=/usr/bin/chromium
MSG="Chromium not found: install Debian's chromium package (apt-get install chromium) to run the browser tests"

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium and fonts-noto-cjk with apt-get..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq \
        && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
        && [ -x "$CHROMIUM" ]; then
        echo "Installed $("$CHROMIUM" --version 2>/dev/null)" >&2
        exit 0
    fi
    echo "apt-get failed to install chromium." >&2
fi

echo "$MSG" >&2
exit 1
